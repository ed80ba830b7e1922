//! Issue 13's equivalence on every calibration experiment: the twin as the runner builds it
//! ([`TwinModel::simulation`]) stepped to a sparse set of read days (`Simulation::step_to`, which
//! advances quiet stretches together and sums only the days read) gives, on every read day,
//! every quantity of stepping every day bit for bit, and the same event days. Both files of
//! experiments (the shared rodent file and the human series), each experiment's central run and
//! the first member of each population (drawn parameters), at pooled resolution; two short rat
//! experiments at fibre resolution. The runner's own path ([`calibration::run`], which records
//! only the days it reads) is then checked to give the same report as recording every day.
//!
//! The tolerance-based comparison of the event bookkeeping with the day stepper on the same
//! shared file is `calibration.rs::event_bookkeeping_gives_the_day_steppers_calibration`.
//! Run in release mode (`cargo test -p calibration --release --test stepping`).

use calibration::case::{Draw, Run};
use calibration::runner::{Silent, draw_member, workload};
use calibration::twin_model::TwinModel;
use calibration::{CalibrationFile, Options, Resolution};
use twin::equivalence::{Agreement, course_disagreements, event_disagreements, sparse_read_days};

const SHARED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/calibration/experiments.toml"
);
const HUMAN: &str = include_str!("../../../data/calibration/human-series.toml");

fn shared() -> CalibrationFile {
    let text = std::fs::read_to_string(SHARED)
        .unwrap_or_else(|e| panic!("{SHARED} (the shared calibration file) reads: {e}"));
    CalibrationFile::parse_strict(&text).expect("the shared file parses")
}

fn human() -> CalibrationFile {
    CalibrationFile::parse_strict(HUMAN).expect("the human series parse")
}

/// Every run of `file` the runner makes, one per single experiment and the first member of
/// each population, with its horizon as the runner sets it.
fn runs(file: &CalibrationFile) -> Vec<(String, Run)> {
    let options = Options::default();
    let horizons = workload(file, &options);
    let mut out = Vec::new();
    for w in horizons {
        let spec = file
            .experiment(&w.id)
            .expect("a workload names an experiment");
        let setup = spec
            .setup
            .as_ref()
            .expect("a workload's experiment has a setup");
        let run = if setup.population_size.is_some() {
            draw_member(spec, setup, 0, options.seed, w.days)
                .unwrap_or_else(|e| panic!("{}: {e}", w.id))
        } else {
            setup
                .realize(&mut Draw::Central, w.days, options.seed, &spec.id, None)
                .unwrap_or_else(|e| panic!("{}: {e}", w.id))
        };
        out.push((w.id, run));
    }
    out
}

/// Every disagreement between stepping `run` to the read days and stepping it every day.
fn step_to_against_daily(name: &str, run: &Run, resolution: Resolution) -> Vec<String> {
    let model = TwinModel::new();
    let sim = match model.simulation(run, resolution) {
        Ok(s) => s,
        // An experiment the twin cannot run fails in the runner with its reason; nothing to step.
        Err(e) => return vec![format!("{name}: {e}")],
    };
    let horizon = run.scenario.horizon_days;
    let daily = sim.clone().run(horizon);
    let mut sparse = sim;
    let mut read = Vec::new();
    for d in sparse_read_days(horizon) {
        sparse.step_to(d);
        read.push(sparse.quantities());
    }
    let mut bad = course_disagreements(name, &read, &daily.days, Agreement::Exact);
    bad.extend(event_disagreements(
        name,
        &sparse.events(),
        &daily.events,
        Agreement::Exact,
    ));
    bad
}

#[test]
fn stepping_to_read_days_equals_stepping_every_day_on_every_experiment() {
    let mut all = Vec::new();
    for file in [shared(), human()] {
        let runs = runs(&file);
        let experiments = file.experiments.iter().filter(|e| e.setup.is_ok()).count();
        assert_eq!(runs.len(), experiments, "every experiment is run");
        all.extend(runs);
    }
    assert!(all.len() >= 50, "experiments: {}", all.len());
    let mut bad = Vec::new();
    for (name, run) in &all {
        bad.extend(step_to_against_daily(name, run, Resolution::Pooled));
    }
    // Fibre resolution: two short rat experiments.
    let fibre: Vec<_> = all
        .iter()
        .filter(|(_, r)| r.scenario.species == twin::Species::Rat && r.scenario.horizon_days <= 120)
        .take(2)
        .collect();
    assert_eq!(fibre.len(), 2, "short rat experiments for the fibre check");
    for (name, run) in fibre {
        bad.extend(step_to_against_daily(name, run, Resolution::Fibre));
    }
    assert!(
        bad.is_empty(),
        "{} disagreements:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

/// The runner steps each run to the days it reads: its report (every figure, pass and reason)
/// is the report of recording every day. The shared file (≈ 4 s of CPU for the two runs); the
/// human series give the same (checked when the read-day path was written, ≈ 16 s of CPU, too
/// long for every CI run: its runs are checked one by one above).
#[test]
fn the_runner_reading_only_its_days_gives_the_every_day_report() {
    {
        let file = shared();
        let options = Options::with_resolution(Resolution::Pooled);
        let sparse = calibration::run(&file, &TwinModel::new(), &options, &Silent);
        let daily = calibration::run(
            &file,
            &TwinModel::new().recording_every_day(),
            &options,
            &Silent,
        );
        assert_eq!(sparse.results.len(), daily.results.len());
        for (s, d) in sparse.results.iter().zip(&daily.results) {
            let same = match (s.simulated, d.simulated) {
                (Some(a), Some(b)) => a.to_bits() == b.to_bits(),
                (a, b) => a == b,
            };
            assert!(
                same && s.pass == d.pass && s.reason == d.reason,
                "{} {} day {:?}: read days {:?} ({}), every day {:?} ({})",
                d.experiment,
                d.quantity,
                d.day,
                s.simulated,
                s.pass,
                d.simulated,
                d.pass
            );
        }
    }
}

/// The check can fail: a run one day further along is caught on every read day.
#[test]
fn the_exact_check_sees_one_day_of_difference() {
    let all = runs(&shared());
    let (name, run) = all
        .iter()
        .find(|(_, r)| r.scenario.injury.is_some() && r.scenario.horizon_days > 30)
        .expect("an injured experiment");
    let sim = TwinModel::new()
        .simulation(run, Resolution::Pooled)
        .unwrap();
    let daily = sim.clone().run(run.scenario.horizon_days);
    let mut late = sim;
    late.step_to(10);
    let q = late.quantities();
    let shifted = twin::Quantities { day: 9, ..q };
    assert!(
        !course_disagreements(name, &[shifted], &daily.days, Agreement::Exact).is_empty(),
        "day 10's quantities read as day 9's"
    );
}
