//! Issue 13's equivalence on every shipped case example as the engine builds it: the muscle
//! each example pictures (`Engine::scenario`, a patient case at its typical draw), at fibre
//! resolution — `simulate`'s default, where the event stepper keeps lazy fibres
//! (`twin::lazy_fibres`) — against the reference day stepper advancing every fibre every day:
//! every quantity of every day within 0.5 % relative (or 1e-6 absolute) and every event day
//! within one day (`twin::equivalence`, `Agreement::Close`). The twin's own test
//! (`twin/tests/stepper.rs`) covers the twin scenarios and one per mechanism; this one adds the
//! patient cases' scenarios. Run in release mode.

#[path = "support/examples.rs"]
mod examples;

use engine::Engine;
use twin::equivalence::{Agreement, course_disagreements, event_disagreements};
use twin::{Parameters, Resolution, Scenario, Simulation, Stepper, TimeCourse};

fn run(s: &Scenario, stepper: Stepper) -> TimeCourse {
    let p = Parameters::for_species(s.species).expect("the species' parameters");
    Simulation::new(s, &p, Resolution::Fibre)
        .expect("the example's scenario builds")
        .with_stepper(stepper)
        .run(s.horizon_days)
}

#[test]
fn every_case_example_steps_alike_with_lazy_fibres_and_the_day_stepper() {
    let engine = Engine::load().expect("engine loads");
    let cases = examples::cases();
    assert!(cases.len() >= 9, "case examples found: {cases:?}");
    let mut bad = Vec::new();
    for path in &cases {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        let text = std::fs::read_to_string(path).expect("a readable example");
        let case = engine.parse_case(&text).expect("the example is a case");
        let s = engine
            .scenario(&case, None)
            .expect("the example has a muscle to picture");
        let event = run(&s, Stepper::Event);
        let day = run(&s, Stepper::Day);
        if event.days.len() != day.days.len() {
            bad.push(format!(
                "{name}: {} days against {}",
                event.days.len(),
                day.days.len()
            ));
            continue;
        }
        bad.extend(course_disagreements(
            name,
            &event.days,
            &day.days,
            Agreement::Close,
        ));
        bad.extend(event_disagreements(
            name,
            &event.events,
            &day.events,
            Agreement::Close,
        ));
    }
    assert!(
        bad.is_empty(),
        "{} disagreements:\n{}",
        bad.len(),
        bad.join("\n")
    );
}
