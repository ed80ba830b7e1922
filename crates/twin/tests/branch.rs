//! Plans share their past: a simulation stepped to a day and continued as another scenario
//! (`Simulation::branch`) gives bit-identical quantities and events to a fresh simulation of
//! that scenario — the arithmetic is the same, so no tolerance — and a branch that would have
//! gone differently before its day is refused.

use twin::{Resolution, Scenario, Simulation, TimeCourse, shared_days};

const WAIT: &str = r#"
species = "human"
muscle = "biceps_brachii"
age_years = 40
horizon_days = 500
seed = 11
[injury]
grade = "neurotmesis"
day = 3
distance_mm = 180
"#;

fn with(treatments: &str) -> Scenario {
    Scenario::from_toml_str(&format!("{WAIT}{treatments}")).unwrap()
}

fn fresh(s: &Scenario, r: Resolution) -> TimeCourse {
    twin::run_scenario(s, r).unwrap()
}

/// Runs `trunk` to `day`, branches into `s`, runs to the horizon; the days before the branch
/// come from the trunk.
fn branched(trunk: &Scenario, s: &Scenario, day: u32, r: Resolution) -> TimeCourse {
    let p = twin::Parameters::for_species(trunk.species).unwrap();
    let mut sim = Simulation::new(trunk, &p, r).unwrap();
    let mut days = vec![sim.quantities()];
    while sim.day() < day {
        sim.step();
        days.push(sim.quantities());
    }
    let mut b = sim.branch(s).unwrap();
    while b.day() < s.horizon_days {
        b.step();
        days.push(b.quantities());
    }
    TimeCourse {
        days,
        events: b.events(),
    }
}

const REPAIR_90: &str = r#"
[[treatment]]
kind = "repair"
method = "graft"
graft_length_mm = 40
day = 90
"#;

const TRANSFER_120: &str = r#"
[[treatment]]
kind = "repair"
method = "transfer"
day = 120
donor_axons = 300
donor_axotomized_days = 0
distance_mm = 40
"#;

const STIM_30: &str = r#"
[[treatment]]
kind = "stimulation"
start_day = 30
end_day = 200
hours_per_day = 1
"#;

#[test]
fn a_branch_continues_exactly_as_a_fresh_simulation() {
    let wait = with("");
    for (name, extra, expected_day) in [
        ("repair on day 90", REPAIR_90, 90),
        ("transfer on day 120 (donor axons added)", TRANSFER_120, 120),
        ("stimulation from day 30", STIM_30, 30),
    ] {
        let s = with(extra);
        let d = shared_days(&wait, &s);
        assert_eq!(d, Some(expected_day), "{name}");
        let want = fresh(&s, Resolution::Pooled);
        // At the last shared day and earlier.
        for day in [d.unwrap(), d.unwrap() / 2] {
            let got = branched(&wait, &s, day, Resolution::Pooled);
            same(&got, &want, &format!("{name}, branched on day {day}"));
        }
        // The trunk itself differs after the branch day (the test compares something).
        assert_ne!(
            fresh(&wait, Resolution::Pooled),
            fresh(&s, Resolution::Pooled)
        );
    }
}

fn same(got: &TimeCourse, want: &TimeCourse, what: &str) {
    assert_eq!(got.events, want.events, "{what}");
    assert_eq!(got.days.len(), want.days.len(), "{what}");
    for (t, (a, b)) in got.days.iter().zip(&want.days).enumerate() {
        assert_eq!(a, b, "{what}: day {t}");
    }
}

#[test]
fn a_branch_continues_exactly_at_fibre_resolution() {
    // A small hand muscle (40,000 fibres) keeps the test short.
    let small = |t: &str| Scenario {
        muscle: "first_dorsal_interosseous".into(),
        ..with(t)
    };
    let (wait, s) = (small(""), small(REPAIR_90));
    let want = fresh(&s, Resolution::Fibre);
    same(
        &branched(&wait, &s, 90, Resolution::Fibre),
        &want,
        "repair on day 90, fibre resolution",
    );
}

#[test]
fn branches_that_would_have_gone_differently_are_refused() {
    let wait = with("");
    let p = twin::Parameters::for_species(wait.species).unwrap();
    let mut sim = Simulation::new(&wait, &p, Resolution::Pooled).unwrap();
    for _ in 0..91 {
        sim.step();
    }
    // The repair acted in the step of day 91.
    assert!(sim.branch(&with(REPAIR_90)).is_err());
    // Fewer donor axons, another seed, range-of-motion exercise (it sets the end-plate time
    // constant from day 0): no shared past.
    let transfer = with(TRANSFER_120);
    assert_eq!(shared_days(&transfer, &wait), None);
    let mut other = wait.clone();
    other.seed += 1;
    assert_eq!(shared_days(&wait, &other), None);
    let rom = with(
        r#"
[[treatment]]
kind = "rehabilitation"
programme = "range_of_motion"
start_day = 300
end_day = 400
"#,
    );
    assert_eq!(shared_days(&wait, &rom), None);
    // The same scenario shares everything.
    assert_eq!(shared_days(&wait, &wait), Some(wait.horizon_days));
    // Donor axons are not added at fibre resolution.
    let mut f = Simulation::new(&wait, &p, Resolution::Fibre).unwrap();
    f.step();
    assert!(f.branch(&transfer).is_err());
}
