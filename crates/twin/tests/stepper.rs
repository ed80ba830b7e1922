//! The event-driven bookkeeping ([`Stepper::Event`], the default) against the reference day
//! stepper ([`Stepper::Day`]): on every shipped twin example and on scenarios covering each
//! mechanism (block, a mixed lesion of block and axonotmesis, axonotmesis, neurotmesis with a
//! graft, a nerve transfer, a partial lesion with sprouting, stimulation, disuse and
//! rehabilitation), every quantity of every day agrees
//! within 0.5 % relative (or 1e-6 absolute) and every event day within one day. Counts and
//! grades are thresholds of the continuous quantities: where the two differ, the reference
//! must reach the event's value on the day before or after (a crossing moved by at most a
//! day). At fibre resolution the event stepper keeps lazy fibres (`twin::lazy_fibres`), held to
//! the same tolerance.

use twin::equivalence::{Agreement, course_disagreements, event_disagreements, sparse_read_days};
use twin::{Parameters, Resolution, Scenario, Simulation, Stepper, TimeCourse};

fn run(s: &Scenario, r: Resolution, stepper: Stepper) -> TimeCourse {
    let p = Parameters::for_species(s.species).unwrap();
    Simulation::new(s, &p, r)
        .unwrap()
        .with_stepper(stepper)
        .run(s.horizon_days)
}

/// Every disagreement between `event` and `day` (the reference), as text.
fn disagreements(name: &str, event: &TimeCourse, day: &TimeCourse) -> Vec<String> {
    if event.days.len() != day.days.len() {
        return vec![format!(
            "{name}: {} days against {}",
            event.days.len(),
            day.days.len()
        )];
    }
    let mut out = course_disagreements(name, &event.days, &day.days, Agreement::Close);
    out.extend(event_disagreements(
        name,
        &event.events,
        &day.events,
        Agreement::Close,
    ));
    out
}

/// Asserts that the event bookkeeping agrees with the day stepper on every scenario of `all`
/// at resolution `r`, listing every disagreement.
fn assert_steppers_agree(all: &[(String, Scenario)], r: Resolution) {
    let mut bad = Vec::new();
    for (name, s) in all {
        let e = run(s, r, Stepper::Event);
        let d = run(s, r, Stepper::Day);
        bad.extend(disagreements(name, &e, &d));
    }
    assert!(
        bad.is_empty(),
        "{} disagreements:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

/// The shipped twin examples (the case files at the workspace root that are twin scenarios).
fn examples() -> Vec<(String, Scenario)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples");
    let mut v = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if path.extension().is_some_and(|x| x == "toml") {
            let text = std::fs::read_to_string(&path).unwrap();
            // Patient cases, findings and cohorts are other formats; twin scenarios parse.
            if let Ok(s) = Scenario::from_toml_str(&text) {
                v.push((name, s));
            }
        }
    }
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

const HEAD: &str = r#"
species = "human"
age_years = 45
seed = 5
"#;

/// Scenarios that put each mechanism to work (the examples leave some out).
fn mechanisms() -> Vec<(String, Scenario)> {
    let cases = [
        (
            "mixed lesion in continuity: a third only blocked, the rest axonotmesis",
            r#"muscle = "extensor_indicis"
horizon_days = 500
[injury]
grade = "axonotmesis"
distance_mm = 240
blocked_share = 0.33"#,
        ),
        (
            "partial axonotmesis, sprouting",
            r#"muscle = "extensor_digitorum"
horizon_days = 500
[injury]
grade = "axonotmesis"
distance_mm = 220
fraction_of_axons = 0.6"#,
        ),
        (
            "neurotmesis, graft at 4 months, rehabilitation",
            r#"muscle = "biceps_brachii"
horizon_days = 730
[injury]
grade = "neurotmesis"
day = 2
distance_mm = 150
[[treatment]]
kind = "repair"
method = "graft"
graft_length_mm = 40
day = 120
[[treatment]]
kind = "rehabilitation"
programme = "range_of_motion"
start_day = 10
end_day = 300
[[treatment]]
kind = "rehabilitation"
programme = "progressive_resistance"
start_day = 400
end_day = 600"#,
        ),
        (
            "repair while degenerating, stimulation, disuse",
            r#"muscle = "tibialis_anterior"
horizon_days = 600
[injury]
grade = "neurotmesis"
distance_mm = 90
[[treatment]]
kind = "repair"
method = "primary"
day = 1
[[treatment]]
kind = "stimulation"
start_day = 5
end_day = 200
hours_per_day = 1
[[treatment]]
kind = "disuse"
model = "immobilization"
start_day = 0
end_day = 42"#,
        ),
        (
            "sunderland 3, unhealed",
            r#"muscle = "vastus_lateralis"
horizon_days = 1095
[injury]
sunderland = 3
distance_mm = 300"#,
        ),
    ];
    cases
        .iter()
        .map(|(n, body)| {
            let s = Scenario::from_toml_str(&format!("{HEAD}{body}"))
                .unwrap_or_else(|e| panic!("{n}: {e}"));
            (n.to_string(), s)
        })
        .collect()
}

#[test]
fn event_bookkeeping_agrees_with_the_day_stepper_on_examples_and_mechanisms() {
    let ex = examples();
    // simulate-biceps-nerve-transfer, simulate-radial-neurapraxia,
    // simulate-rat-denervation-stimulation, tibialis-anterior-axonotmesis.
    assert!(ex.len() >= 4, "twin examples found: {}", ex.len());
    let all: Vec<(String, Scenario)> = ex.into_iter().chain(mechanisms()).collect();
    assert_steppers_agree(&all, Resolution::Pooled);
}

/// The check can fail: a run one day shorter in its regrowth, or with another seed, is caught.
#[test]
fn the_agreement_check_sees_a_different_course() {
    let (_, s) = mechanisms().remove(0);
    let d = run(&s, Resolution::Pooled, Stepper::Day);
    let mut other = s.clone();
    other.seed += 1;
    let o = run(&other, Resolution::Pooled, Stepper::Event);
    assert!(!disagreements("other seed", &o, &d).is_empty());
}

/// Fibre resolution: the lazy fibres (trajectories advanced between each fibre's own events,
/// `twin::lazy_fibres`) against the day stepper advancing every fibre every day, on a partial
/// lesion with sprouting, every shipped twin example and every mechanism scenario but the
/// three-year vastus lateralis (478,000 fibres: the bench's case, too slow for the suite at
/// the day stepper's pace).
#[test]
fn lazy_fibres_agree_with_the_day_stepper() {
    let partial = Scenario::from_toml_str(&format!(
        r#"{HEAD}muscle = "extensor_indicis"
horizon_days = 200
[injury]
grade = "axonotmesis"
distance_mm = 60
fraction_of_axons = 0.7"#
    ))
    .unwrap();
    let all: Vec<(String, Scenario)> = std::iter::once(("partial".to_string(), partial))
        .chain(examples())
        .chain(mechanisms())
        .filter(|(_, s)| s.muscle != "vastus_lateralis")
        .collect();
    assert!(all.len() >= 9, "fibre-resolution cases: {}", all.len());
    assert_steppers_agree(&all, Resolution::Fibre);
}

/// `step_to` (the event stepper's unsummed days and quiet stretches advanced together) gives,
/// on the days it stops, the very quantities and events of stepping day by day, bit for bit,
/// on every example and mechanism scenario; and it does advance quiet stretches together
/// (otherwise this would test nothing new).
#[test]
fn stepping_to_read_days_equals_stepping_every_day() {
    let all: Vec<(String, Scenario)> = examples().into_iter().chain(mechanisms()).collect();
    let mut quiet_seen = 0u32;
    for (name, s) in &all {
        let p = Parameters::for_species(s.species).unwrap();
        let daily = run(s, Resolution::Pooled, Stepper::Event);
        let mut sim = Simulation::new(s, &p, Resolution::Pooled).unwrap();
        for d in sparse_read_days(s.horizon_days) {
            quiet_seen += sim.quiet_days_ahead(d - sim.day());
            sim.step_to(d);
            assert_eq!(sim.day(), d, "{name}");
            assert_eq!(sim.quantities(), daily.days[d as usize], "{name}: day {d}");
        }
        assert_eq!(sim.events(), daily.events, "{name}");
    }
    assert!(
        quiet_seen > 1000,
        "quiet days advanced together: {quiet_seen}"
    );
}

/// The day stepper's `step_to` is plain stepping (the reference stays day by day).
#[test]
fn the_day_stepper_steps_to_a_day_one_day_at_a_time() {
    let (_, s) = mechanisms().remove(1);
    let p = Parameters::for_species(s.species).unwrap();
    let mut sim = Simulation::new(&s, &p, Resolution::Pooled)
        .unwrap()
        .with_stepper(Stepper::Day);
    assert_eq!(sim.quiet_days_ahead(300), 0);
    sim.step_to(300);
    let daily = run(&s, Resolution::Pooled, Stepper::Day);
    assert_eq!(sim.quantities(), daily.days[300]);
}
