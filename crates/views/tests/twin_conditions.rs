//! The clinical views of twin simulations of four conditions, against what clinicians see.
//!
//! Each assertion names its source; the figures are in `/work/shared/reference/` (literature.md
//! §6–§7, clinical.md 1B, 1E) and `data/views/electrodiagnosis.toml`.

use views::Reference;
use views::adapter::from_simulation;
use views::reference::Views;
use views::summary::{DayOptions, DayViews, day_views_with};

/// Runs a case and returns the views on each requested day (ascending), and the reference.
fn run(case: &str, days: &[u32]) -> (Vec<DayViews>, Reference) {
    run_with(case, days, &[])
}

/// As [`run`], measuring MUPs and grouping only on `full_days` when that is not empty.
fn run_with(case: &str, days: &[u32], full_days: &[u32]) -> (Vec<DayViews>, Reference) {
    let scenario = twin::Scenario::from_toml_str(case).expect("case parses");
    let params = twin::Parameters::for_species(scenario.species).expect("parameters");
    let mut sim =
        twin::Simulation::new(&scenario, &params, twin::Resolution::Fibre).expect("simulation");
    let v = Views::embedded().expect("views parameters");
    let s0 = from_simulation(&sim, &scenario.muscle).expect("fibre resolution");
    let r = Reference::from_state(&v, &s0.view()).expect("reference");
    let mut out = Vec::new();
    for &d in days {
        while sim.day() < d {
            sim.step();
        }
        let s = from_simulation(&sim, &scenario.muscle).expect("fibre resolution");
        let full = full_days.is_empty() || full_days.contains(&d);
        let opts = DayOptions {
            mups: full,
            grouping: full,
        };
        out.push(day_views_with(&v, &s.view(), &r, opts).expect("views"));
    }
    (out, r)
}

fn at(v: &[DayViews], day: u32) -> &DayViews {
    v.iter()
        .find(|d| d.day as u32 == day)
        .expect("day computed")
}

fn case(grade: &str, distance_mm: f64, extra: &str) -> String {
    format!(
        "species = \"human\"\nmuscle = \"abductor_pollicis_brevis\"\nage_years = 35\nhorizon_days = 720\nseed = 5\n\
[injury]\ngrade = \"{grade}\"\nday = 0\ndistance_mm = {distance_mm}\n{extra}"
    )
}

#[test]
fn neurapraxia_blocks_proximal_conduction_without_fibrillation_and_recovers_in_weeks() {
    let days = [14, 28, 120];
    let (v, _) = run(&case("neurapraxia", 100.0, ""), &days);
    let d14 = at(&v, 14);
    // No Wallerian degeneration, no fibrillations (clinical.md 1B, mononeuropathy with CB).
    assert_eq!(
        d14.needle.spontaneous.grade, 0,
        "fibrillations in neurapraxia"
    );
    // Distal CMAP maintained (Campbell 2008: distal responses "maintained indefinitely").
    assert!(
        d14.conduction.distal.relative > 0.8,
        "distal CMAP {}",
        d14.conduction.distal.relative
    );
    // Proximal response blocked: >= 50% drop (EFNS/PNS 2010 conduction-block criterion).
    assert!(
        d14.conduction.block,
        "no conduction block: proximal {}",
        d14.conduction.proximal.relative
    );
    assert!(d14.conduction.proximal.relative < 0.5 * d14.conduction.distal.relative);
    assert!(
        d14.strength.mrc <= 2,
        "MRC {} with a block",
        d14.strength.mrc
    );
    // Recovery within weeks to a few months (Trojaborg 1970: normal within 6-8 weeks).
    let d120 = at(&v, 120);
    assert!(!d120.conduction.block, "block persists at day 120");
    assert!(d120.conduction.proximal.relative > 0.8);
    assert!(
        d120.strength.mrc >= 4,
        "MRC {} at day 120",
        d120.strength.mrc
    );
    assert_eq!(d120.needle.spontaneous.grade, 0);
}

#[test]
fn complete_axonal_lesion_of_a_distal_muscle() {
    // Forearm median lesion, 100 mm above the thenar motor point; axons regrow.
    let mut days: Vec<u32> = vec![1, 3, 10, 21, 28];
    days.extend((35..=720).step_by(7));
    let (v, r) = run_with(&case("axonotmesis", 100.0, ""), &days, &[28]);
    // Distal CMAP < 10% of baseline by day 9-10: baboon CMAP lost in 4-5 days (Gilliatt & Hjorth
    // 1972); in humans the best measure of axon loss from day 7 on (Holland, Medscape), low after
    // about 6-10 days (clinical.md 1B, derived from S56/S57).
    let d10 = at(&v, 10);
    assert!(
        d10.conduction.distal.relative < 0.10,
        "distal CMAP at day 10 = {}",
        d10.conduction.distal.relative
    );
    assert!(
        at(&v, 1).conduction.distal.relative > 0.9,
        "CMAP already lost on day 1"
    );
    // Fibrillations >= 2+ by weeks 3-4 (Willmott et al. 2012: 1-4 weeks; 3-6 weeks in the distal limb).
    assert!(
        at(&v, 28).needle.spontaneous.grade >= 2,
        "fib grade at day 28 = {}",
        at(&v, 28).needle.spontaneous.grade
    );
    // MRC 0 until reinnervation: no day with MRC > 0 before a unit can be recruited.
    let first_unit = v
        .iter()
        .find(|d| d.needle.recruitment.units > 0)
        .map(|d| d.day);
    let first_unit = first_unit.expect("reinnervation within two years of a 100 mm axonotmesis");
    for d in v.iter().filter(|d| d.day >= 3.0 && d.day < first_unit) {
        assert_eq!(
            d.strength.mrc, 0,
            "MRC {} on day {} before reinnervation",
            d.strength.mrc, d.day
        );
    }
    // Nascent units appear before voluntary force returns (MRC >= 2, movement).
    let first_nascent = v
        .iter()
        .find(|d| d.needle.nascent_units > 0)
        .map(|d| d.day)
        .expect("nascent units");
    let first_movement = v
        .iter()
        .find(|d| d.day > 3.0 && d.strength.mrc >= 2)
        .map(|d| d.day);
    if let Some(m) = first_movement {
        assert!(
            first_nascent < m,
            "nascent units on day {first_nascent}, movement on day {m}"
        );
    }
    // Early reinnervation: small MUPs (measured a few weeks after the first nascent unit).
    let later = (first_nascent as u32 + 28).div_ceil(7) * 7;
    let (w, _) = run_with(&case("axonotmesis", 100.0, ""), &[later], &[later]);
    let early = at(&w, later);
    if early.needle.mups_measured > 0 {
        assert!(
            early.needle.mup_amplitude_rel < 1.0,
            "early reinnervation MUPs not small: {}",
            early.needle.mup_amplitude_rel
        );
    }
    assert!(r.units > 100);
}

#[test]
fn chronic_partial_denervation_with_sprouting_keeps_the_cmap() {
    // 80% of axons cut, no regrowth: the survivors sprout (up to about 5-8 fold; Brown & Ironton
    // 1978, Cashman et al. polio).
    let (v, r) = run(
        &case(
            "neurotmesis",
            100.0,
            "fraction_of_axons = 0.8\nregrowth = \"prevented\"\n",
        ),
        &[365],
    );
    let d = at(&v, 365);
    let lost = 1.0 - d.needle.recruitment.fraction;
    assert!(lost > 0.6, "units lost {lost}");
    // Enlarged units: MUP amplitude >= 1.5x normal.
    assert!(
        d.needle.mup_amplitude_rel >= 1.5,
        "MUP amplitude {}x",
        d.needle.mup_amplitude_rel
    );
    // Fibre counts preserved (the orphans were adopted, not lost).
    assert!(
        d.strength.viable_fibres as f64 >= 0.9 * r.viable_fibres as f64,
        "fibres {} of {}",
        d.strength.viable_fibres,
        r.viable_fibres
    );
    assert!(
        d.strength.innervated_fraction > 0.8,
        "innervated {}",
        d.strength.innervated_fraction
    );
    // Most units lost, CMAP in the normal range: ALS patients with an unaffected CMAP had lost
    // 31-54% of units (MUNE/MUNIX study, literature.md s6); up to ~50% of anterior horn cells can
    // be lost before the CMAP falls (clinical.md 1E); polio weakness only after more than half.
    assert!(
        d.conduction.distal.relative > 0.7,
        "CMAP {}",
        d.conduction.distal.relative
    );
    // Type grouping clearly above the intact muscle.
    assert!(
        d.grouping.index > r.grouping.index + 0.1,
        "grouping {} vs intact {}",
        d.grouping.index,
        r.grouping.index
    );
}

#[test]
fn disuse_shrinks_fibres_with_normal_emg_and_cmap() {
    let case = "species = \"human\"\nmuscle = \"abductor_pollicis_brevis\"\nage_years = 35\nhorizon_days = 60\nseed = 5\n\
[[treatment]]\nkind = \"disuse\"\nstart_day = 0\nend_day = 42\nmodel = \"immobilization\"\n";
    let (v, r) = run(case, &[42]);
    let d = at(&v, 42);
    assert!(
        d.strength.mean_fibre_csa_rel < 0.97,
        "fibres did not shrink: {}",
        d.strength.mean_fibre_csa_rel
    );
    assert_eq!(d.needle.spontaneous.grade, 0, "fibrillations in disuse");
    // CMAP normal or modestly low (6 weeks in a cast: -19 to -29%, S54).
    assert!(
        d.conduction.distal.relative > 0.65,
        "CMAP {}",
        d.conduction.distal.relative
    );
    assert!(!d.conduction.block);
    // MUPs within normal limits (S52: 6-14% larger than the other side at most).
    let a = d.needle.mup_amplitude_rel;
    assert!(a > 0.7 && a < 1.3, "MUP amplitude {a}");
    assert_eq!(d.needle.recruitment.units, r.units, "units lost in disuse");
    assert_eq!(d.needle.nascent_units, 0);
}
