//! Agreement on every day: for every example that is a case (an experimental or a patient's case —
//! not a findings file or a cohort), on the muscle `snapshot` and the report picture by default
//! (the first affected muscle with a motor-unit pool of its own), `simulate` (its readout of every day, `MuscleRun::readings`) and the snapshot's reading of the same day (`Engine::readouts`: the
//! run, stepping and reading of `snapshot` and the report, without the drawing) are the same on
//! every day from 0 to the horizon; and `Engine::pictures` itself (what `snapshot` and the report
//! write), drawn on the horizon, gives the same reading and the same event days.
//!
//! The CLI's own test (`crates/cli/tests/agreement.rs`) checks that the binary's `simulate --json`,
//! `snapshot --json` and the report's `readings.json` show these facade values.

use engine::{Control, Engine, Resolution};

#[path = "support/examples.rs"]
mod examples;

#[test]
fn simulate_snapshot_and_the_pictures_read_every_example_alike_on_every_day() {
    let engine = Engine::load().expect("engine loads");
    let control = Control::new();
    let mut muscles = 0;
    let mut days_compared = 0;
    let examples = examples::cases();
    assert!(examples.len() >= 9, "case examples found: {examples:?}");
    for path in &examples {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(path).expect("readable example");
        let case = engine
            .parse_case(&text)
            .unwrap_or_else(|e| panic!("{name} is not a case: {e}"));
        // The muscle `snapshot` pictures by default (`Engine::scenario`: the first affected
        // muscle with a motor-unit pool of its own; a patient's case affects up to 13: their
        // readings go through the same code, and simulating every one at fibre resolution twice
        // would make this test several times slower).
        let first = engine.scenario(&case, None).expect("a muscle").muscle;
        let sim = engine
            .simulate(&case, Resolution::Fibre, Some(&first), &control)
            .unwrap_or_else(|e| panic!("{name}: simulate: {e}"));
        assert_eq!(sim.runs.len(), 1, "{name}: one muscle simulated");
        for run in &sim.runs {
            // The scenario `snapshot --muscle` pictures, found as snapshot finds it.
            let scenario = engine
                .scenario(&case, Some(&run.muscle))
                .unwrap_or_else(|e| panic!("{name} ({}): {e}", run.muscle));
            let horizon = scenario.horizon_days;
            assert_eq!(
                run.readings.len(),
                horizon as usize + 1,
                "{name} ({}): simulate reads every day 0..={horizon}",
                run.muscle
            );
            let every_day: Vec<u32> = (0..=horizon).collect();
            let snap = engine
                .readouts(&scenario, &every_day, &control)
                .unwrap_or_else(|e| panic!("{name} ({}): readouts: {e}", run.muscle));
            assert_eq!(snap.len(), run.readings.len());
            for (s, r) in snap.iter().zip(&run.readings) {
                assert_eq!(
                    s, r,
                    "{name} ({}), day {}: simulate and snapshot disagree",
                    run.muscle, r.day
                );
                days_compared += 1;
            }
            muscles += 1;
        }
        // This muscle is what `snapshot` and the report picture by default: the
        // pictures themselves (`Engine::pictures`, what `snapshot` and the report write), drawn on
        // the horizon so that the event days cover the whole run, carry simulate's reading and
        // event days. (Drawing is the slow part, so one day is drawn; `readouts` above is the
        // pictures' run and reading on every day.)
        let run = &sim.runs[0];
        let scenario = engine.scenario(&case, None).expect("a muscle");
        assert_eq!(run.scenario, scenario, "{name}: the first muscle differs");
        let days = [scenario.horizon_days];
        let pics = engine
            .pictures(&scenario, &days, &[], &control)
            .unwrap_or_else(|e| panic!("{name}: pictures: {e}"));
        assert_eq!(pics.days.len(), days.len());
        for p in &pics.days {
            assert_eq!(
                &p.readout, &run.readings[p.day as usize],
                "{name}, day {}: the pictures' reading and simulate's disagree",
                p.day
            );
        }
        assert_eq!(pics.events, run.events, "{name}: event days differ");
    }
    assert_eq!(muscles, examples.len(), "one muscle per example");
    assert!(days_compared > 4000, "only {days_compared} days compared");
}
