//! Mechanism and whole-model tests: each asserts something the model could get
//! wrong.

use proptest::prelude::*;
use twin::{
    Parameters, Quantities, Resolution, Scenario, Simulation, Species, Stepper, TimeCourse,
};

fn case(text: &str) -> Scenario {
    Scenario::from_toml_str(text).unwrap()
}

fn run(s: &Scenario, r: Resolution) -> TimeCourse {
    twin::run_scenario(s, r).unwrap()
}

const RAT_DENERVATED: &str = r#"
species = "rat"
muscle = "extensor_digitorum_longus"
horizon_days = 120
[injury]
grade = "neurotmesis"
distance_mm = 20
regrowth = "prevented"
"#;

const HUMAN_AXONOTMESIS: &str = r#"
species = "human"
muscle = "biceps_brachii"
age_years = 30
horizon_days = 400
seed = 11
[injury]
grade = "axonotmesis"
distance_mm = 120
"#;

#[test]
fn unit_sizes_follow_an_exponential_spread_and_add_up() {
    let s = twin::motor_unit::unit_sizes(10_000, 100, 30.0);
    assert_eq!(s.iter().map(|&x| x as u64).sum::<u64>(), 10_000);
    assert!(s.windows(2).all(|w| w[0] <= w[1] + 1), "ascending");
    let ratio = *s.last().unwrap() as f64 / s[0] as f64;
    assert!((ratio - 30.0).abs() / 30.0 < 0.1, "range {ratio}");
    // Many small, few large: the median unit is below the mean.
    let mean = 100.0;
    assert!((s[50] as f64) < mean);
}

#[test]
fn denervation_atrophy_is_fast_then_slow() {
    let c = run(&case(RAT_DENERVATED), Resolution::Pooled);
    let loss = |a: u32, b: u32| c.at(a).fiber_csa_fraction - c.at(b).fiber_csa_fraction;
    assert!(loss(5, 20) > loss(60, 75), "early loss faster than late");
    assert!(c.at(120).fiber_csa_fraction < c.at(35).fiber_csa_fraction);
    // Force falls faster than fibre size (specific tension is lost too).
    assert!(c.at(35).tetanic_force_fraction < c.at(35).fiber_csa_fraction);
    // No axon ever returns.
    assert_eq!(c.at(120).innervated_fiber_fraction, 0.0);
    assert_eq!(c.events.first_reinnervation_day, None);
}

#[test]
fn wallerian_degeneration_removes_the_distal_cmap_within_a_week() {
    let c = run(&case(RAT_DENERVATED), Resolution::Pooled);
    assert!(c.at(1).cmap_fraction > 0.9);
    assert!(c.at(8).cmap_fraction < 0.05);
    assert!(c.events.first_fibrillation_day.is_some());
}

#[test]
fn neurapraxia_blocks_without_denervation_and_recovers() {
    let s = case(
        r#"
species = "human"
muscle = "extensor_indicis"
horizon_days = 90
[injury]
grade = "neurapraxia"
distance_mm = 250
"#,
    );
    let c = run(&s, Resolution::Pooled);
    let d10 = c.at(10);
    assert_eq!(d10.mrc_grade, 0, "complete block: no voluntary force");
    assert!(d10.cmap_fraction > 0.9, "distal CMAP kept");
    assert!(d10.conduction_block_fraction > 0.99);
    assert!(c.days.iter().all(|q| q.fibrillation_grade == 0));
    assert!(c.at(90).mrc_grade >= 4);
}

#[test]
fn disuse_is_slower_and_milder_than_denervation_with_normal_emg() {
    let disuse = case(
        r#"
species = "human"
muscle = "quadriceps"
horizon_days = 60
[[treatment]]
kind = "disuse"
model = "unloading"
start_day = 0
end_day = 60
"#,
    );
    let den = case(
        r#"
species = "human"
muscle = "quadriceps"
horizon_days = 60
[injury]
grade = "neurotmesis"
distance_mm = 400
regrowth = "prevented"
"#,
    );
    let a = run(&disuse, Resolution::Pooled);
    let b = run(&den, Resolution::Pooled);
    assert!(a.at(60).muscle_csa_fraction < 0.9);
    assert!(a.at(60).muscle_csa_fraction > b.at(60).muscle_csa_fraction + 0.1);
    assert!(
        a.days
            .iter()
            .all(|q| q.fibrillation_grade == 0 && q.innervated_fiber_fraction == 1.0)
    );
}

#[test]
fn regrowth_arrival_scales_with_distance_and_age() {
    let near = run(&case(HUMAN_AXONOTMESIS), Resolution::Pooled);
    let far = run(
        &case(&HUMAN_AXONOTMESIS.replace("distance_mm = 120", "distance_mm = 240")),
        Resolution::Pooled,
    );
    let old = run(
        &case(&HUMAN_AXONOTMESIS.replace("age_years = 30", "age_years = 75")),
        Resolution::Pooled,
    );
    let d = |c: &TimeCourse| c.events.first_reinnervation_day.unwrap();
    assert!(d(&far) > d(&near) + 60, "{} vs {}", d(&far), d(&near));
    assert!(d(&old) > d(&near), "older regrows slower");
}

#[test]
fn stimulation_dose_response_follows_dow_2004() {
    let k = &Parameters::for_species(Species::Rat).unwrap().coef;
    let (m25, f25) = twin::stimulation::protection(k, 25.0);
    let (m400, f400) = twin::stimulation::protection(k, 400.0);
    let (m5000, f5000) = twin::stimulation::protection(k, 5000.0);
    assert!(
        m25 < 0.5 && m400 > 0.9 && m5000 > 0.9,
        "mass kept from ~50/day up"
    );
    assert!(
        f25 < 0.1 && f400 > 0.8 && f5000 < 0.5,
        "force only in a window"
    );
}

#[test]
fn delay_penalties_fall_with_time() {
    let k = &Parameters::for_species(Species::Rat).unwrap().coef;
    let ax = twin::repair::axotomy_factor(k, 365.0);
    assert!((ax - (-365.0f64 / 323.0).exp()).abs() < 1e-9);
    let den = twin::repair::denervation_factor(k, 45.0);
    assert!(den < 0.5 && den > k.chronic_denervation_asymptote);
    let r0 = twin::end_plate::receptivity(k, k.end_plate_tau_days, 10.0);
    let r1 = twin::end_plate::receptivity(k, k.end_plate_tau_days, 400.0);
    assert!(r0 > 0.95 && r1 < 0.2);
}

#[test]
fn sprouting_is_capped_and_types_follow_the_adopting_unit() {
    let s = case(
        r#"
species = "mouse"
muscle = "peroneus_tertius"
horizon_days = 40
seed = 5
[injury]
grade = "neurotmesis"
distance_mm = 10
fraction_of_axons = 0.727
regrowth = "prevented"
"#,
    );
    let params = Parameters::for_species(Species::Mouse).unwrap();
    let mut sim = Simulation::new(&s, &params, Resolution::Fibre).unwrap();
    for _ in 0..40 {
        sim.step();
    }
    let q = sim.quantities();
    assert!(q.innervated_fiber_fraction > 0.9, "{q:?}");
    let f = sim.fibres();
    let u = sim.motor_units();
    for i in 0..f.len() {
        if f.state[i].is_innervated() {
            assert_eq!(f.fibre_type[i], u.fibre_type[f.unit[i] as usize]);
        }
    }
    for k in 0..u.len() {
        assert!(u.enlargement(k) <= params.coef.sprouting_cap as f32 + 1e-3);
    }
}

#[test]
fn fibre_views_are_consistent() {
    let s = case(HUMAN_AXONOTMESIS);
    let params = Parameters::for_species(Species::Human).unwrap();
    let sim = Simulation::new(&s, &params, Resolution::Fibre).unwrap();
    let f = sim.fibres();
    assert_eq!(
        f.len(),
        params.muscle("biceps_brachii").unwrap().fibres as usize
    );
    assert_eq!(f.x_um.len(), f.len());
    let r = sim.muscle_radius_um() as f32;
    assert!(
        f.x_um
            .iter()
            .zip(f.y_um)
            .all(|(x, y)| (x * x + y * y).sqrt() <= r * 1.05)
    );
    assert_eq!(sim.lesion_distance_mm(), Some(120.0));
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 0.02 * a.abs().max(b.abs()) + 1e-3
}

fn assert_agree(a: &Quantities, b: &Quantities) {
    for name in Quantities::NAMES {
        let (x, y) = (a.get(name).unwrap(), b.get(name).unwrap());
        assert!(close(x, y), "day {}: {name} fibre {x} vs pooled {y}", a.day);
    }
}

#[test]
fn fibre_and_pooled_resolutions_agree_within_two_percent() {
    for text in [HUMAN_AXONOTMESIS, RAT_DENERVATED] {
        let s = case(text);
        let a = run(&s, Resolution::Fibre);
        let b = run(&s, Resolution::Pooled);
        for d in [0u32, 20, 60, 100, 200, 300, 400] {
            if d <= s.horizon_days {
                assert_agree(a.at(d), b.at(d));
            }
        }
    }
}

#[test]
fn bit_identical_on_one_and_several_threads() {
    let s = case(HUMAN_AXONOTMESIS);
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let many = rayon::ThreadPoolBuilder::new()
        .num_threads(4)
        .build()
        .unwrap();
    for r in [Resolution::Fibre, Resolution::Pooled] {
        let a = one.install(|| run(&s, r));
        let b = many.install(|| run(&s, r));
        assert_eq!(a, b, "{r:?}");
    }
    // The reference day stepper's fibre pass runs its chunks in parallel: the same numbers too.
    let p = Parameters::for_species(Species::Human).unwrap();
    let day = || {
        Simulation::new(&s, &p, Resolution::Fibre)
            .unwrap()
            .with_stepper(Stepper::Day)
            .run(s.horizon_days)
    };
    assert_eq!(one.install(day), many.install(day), "fibre, day stepper");
    let c1 = one.install(|| {
        twin::cohort::replicate(
            &s,
            &Parameters::for_species(Species::Human).unwrap(),
            Resolution::Pooled,
            6,
        )
    });
    let c2 = many.install(|| {
        twin::cohort::replicate(
            &s,
            &Parameters::for_species(Species::Human).unwrap(),
            Resolution::Pooled,
            6,
        )
    });
    assert_eq!(c1, c2);
}

#[test]
fn cohort_draws_are_independent_of_order() {
    let a = twin::cohort::run(8, 42, |i, rng| (i, rand::Rng::r#gen::<u64>(rng)));
    let b: Vec<(usize, u64)> = (0..8)
        .map(|i| {
            (
                i,
                rand::Rng::r#gen::<u64>(&mut twin::cohort::draw_rng(42, i)),
            )
        })
        .collect();
    assert_eq!(a, b);
    assert_ne!(a[0].1, a[1].1);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn no_nan_and_fractions_in_range(
        grade in 1u8..=5, frac in 0.1f64..=1.0, dist in 5.0f64..300.0, repair in proptest::option::of(0u32..200),
        stim in proptest::option::of(0.0f64..3000.0), prevented: bool, seed in 0u64..1000,
    ) {
        let mut text = format!(
            "species = \"rat\"\nmuscle = \"soleus\"\nhorizon_days = 250\nseed = {seed}\n[injury]\nsunderland = {grade}\ndistance_mm = {dist}\nfraction_of_axons = {frac}\nregrowth = \"{}\"\n",
            if prevented { "prevented" } else { "allowed" });
        if let Some(d) = repair {
            text.push_str(&format!("[[treatment]]\nkind = \"repair\"\nmethod = \"primary\"\nday = {d}\n"));
        }
        if let Some(n) = stim {
            text.push_str(&format!("[[treatment]]\nkind = \"stimulation\"\nstart_day = 0\nend_day = 100\ncontractions_per_day = {n}\n"));
        }
        let s = Scenario::from_toml_str(&text).unwrap();
        for r in [Resolution::Pooled, Resolution::Fibre] {
            let c = twin::run_scenario(&s, r).unwrap();
            for q in &c.days {
                for name in Quantities::NAMES {
                    let v = q.get(name).unwrap();
                    prop_assert!(v.is_finite(), "{name} not finite");
                    prop_assert!(v >= 0.0);
                }
                for v in [q.fat_fibrous_fraction, q.innervated_fiber_fraction] {
                    prop_assert!((0.0..=1.0).contains(&v));
                }
                prop_assert!(q.fibrillation_grade <= 4 && q.mrc_grade <= 5);
                prop_assert!(q.muscle_mass_fraction <= 1.0 + 1e-6);
            }
        }
    }
}
