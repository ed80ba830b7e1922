//! The calibration test: runs the shared calibration file on the twin and asserts every
//! expectation passes, unless it is listed with its reason in
//! `data/calibration/known-gaps.toml`. It fails on an unlisted failure, and also on a listed
//! gap that now passes or that matches no expectation, so the list stays true.
//!
//! Every experiment runs at the pooled resolution, to keep the suite fast on a 2-core CI
//! machine (a human quadriceps over six years at fibre resolution takes minutes); the twin's
//! own tests hold the two resolutions to within 2% of each other on every calibration
//! quantity, and `docs/validation.md` gives the figures of both. Run it in release mode
//! (`cargo test -p calibration --release`).

use calibration::gaps::KnownGaps;
use calibration::runner::Silent;
use calibration::twin_model::TwinModel;
use calibration::{CalibrationFile, Options, Report, Resolution};

const SHARED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/calibration/experiments.toml"
);
const GAPS: &str = include_str!("../../../data/calibration/known-gaps.toml");

fn describe(report: &Report) -> String {
    let mut s = String::new();
    for r in &report.results {
        s.push_str(&format!(
            "  {:5} {} {} day {:?}: simulated {:?}, accepted {:?}..{:?}{}\n",
            if r.pass { "pass" } else { "FAIL" },
            r.experiment,
            r.quantity,
            r.day,
            r.simulated,
            r.min,
            r.max,
            r.reason
                .as_ref()
                .map_or(String::new(), |x| format!(" — {x}"))
        ));
    }
    s
}

#[test]
fn shared_calibration_file_passes_or_lists_its_gaps() {
    let Ok(text) = std::fs::read_to_string(SHARED) else {
        eprintln!("skipped: {SHARED} not present (the project builds without it)");
        return;
    };
    let file = CalibrationFile::parse_strict(&text).expect("the shared file reads");
    let gaps = KnownGaps::parse(GAPS).expect("known-gaps.toml reads");
    let report = calibration::run(
        &file,
        &TwinModel::new(),
        &Options::with_resolution(Resolution::Pooled),
        &Silent,
    );
    eprintln!(
        "{} of {} expectations passed\n{}",
        report.passed,
        report.total,
        describe(&report)
    );
    let check = gaps.check(&report);
    let mut problems = String::new();
    for r in &check.unlisted_failures {
        problems.push_str(&format!(
            "unlisted failure: {} {} day {:?}: simulated {:?}, accepted {:?}..{:?} ({})\n",
            r.experiment,
            r.quantity,
            r.day,
            r.simulated,
            r.min,
            r.max,
            r.reason.as_deref().unwrap_or("")
        ));
    }
    for g in &check.listed_but_passing {
        problems.push_str(&format!(
            "listed gap now passes (remove it from known-gaps.toml): {} {} day {:?}\n",
            g.experiment, g.quantity, g.day
        ));
    }
    for g in &check.stale {
        problems.push_str(&format!(
            "listed gap matches no expectation of the shared file: {} {} day {:?}\n",
            g.experiment, g.quantity, g.day
        ));
    }
    assert!(problems.is_empty(), "{problems}");
}

#[test]
fn every_gap_has_a_reason() {
    let gaps = KnownGaps::parse(GAPS).expect("known-gaps.toml reads");
    for g in &gaps.gaps {
        assert!(
            g.reason.trim().len() >= 20,
            "gap {} {} needs a real reason",
            g.experiment,
            g.quantity
        );
    }
}

/// Same file and seed: bit-identical reports with one thread and with several.
#[test]
fn reports_do_not_depend_on_the_thread_count() {
    let text = r#"
[[experiment]]
id = "cohort"
source = "determinism check"
species = "human"
muscle = "biceps_brachii"
age_years = { mean = 40, sd = 12, min = 18, max = 80 }
[experiment.population]
size = 24
[experiment.injury]
grade = { choices = ["axonotmesis", "neurotmesis"], weights = [0.5, 0.5] }
distance_mm = { uniform = [80, 200] }
[[experiment.treatment]]
kind = "repair"
method = "primary"
day = { mean = 30, sd = 20, min = 0, max = 120 }
[[experiment.expect]]
quantity = "fraction_mrc_ge_3"
day = 400
min = 0
[[experiment.expect]]
quantity = "median_mrc_3_day"
min = 0
max = 500

[[experiment]]
id = "single"
source = "determinism check"
species = "rat"
muscle = "tibialis_anterior"
[experiment.injury]
sunderland = 3
distance_mm = 20
[[experiment.expect]]
quantity = "motor_unit_count"
day = 120
min = 0
"#;
    let file = CalibrationFile::parse_strict(text).unwrap();
    let run_with = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                calibration::run(
                    &file,
                    &TwinModel::new(),
                    &Options::with_resolution(Resolution::Pooled),
                    &Silent,
                )
            })
    };
    let one = run_with(1);
    let three = run_with(3);
    assert_eq!(one, three);
    assert!(one.results.iter().all(|r| r.simulated.is_some()), "{one:?}");
}

/// The event-driven bookkeeping (the runner's default) against the reference day stepper on
/// the shared file, at the default resolutions (single experiments at fibre resolution, where
/// the event stepper keeps lazy fibres, `twin::lazy_fibres`) and at pooled resolution: the same
/// expectations pass, and every simulated figure agrees within 0.5 % relative (or 1e-6
/// absolute), event days within one day.
#[test]
fn event_bookkeeping_gives_the_day_steppers_calibration() {
    let Ok(text) = std::fs::read_to_string(SHARED) else {
        eprintln!("skipped: {SHARED} not present (the project builds without it)");
        return;
    };
    let file = CalibrationFile::parse_strict(&text).expect("the shared file reads");
    let mut bad = Vec::new();
    for (label, options) in [
        ("default", Options::default()),
        ("pooled", Options::with_resolution(Resolution::Pooled)),
    ] {
        bad.extend(stepper_disagreements(&file, &options, label));
    }
    assert!(
        bad.is_empty(),
        "{} disagreements:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

/// Every disagreement between the event bookkeeping's calibration report and the day
/// stepper's on `file` with `options`, as text (`label` names the options).
fn stepper_disagreements(file: &CalibrationFile, options: &Options, label: &str) -> Vec<String> {
    let event = calibration::run(
        file,
        &TwinModel::new().with_stepper(twin::Stepper::Event),
        options,
        &Silent,
    );
    let day = calibration::run(
        file,
        &TwinModel::new().with_stepper(twin::Stepper::Day),
        options,
        &Silent,
    );
    assert_eq!(event.results.len(), day.results.len());
    let mut bad = Vec::new();
    for (e, d) in event.results.iter().zip(&day.results) {
        let what = format!("{label}: {} {} day {:?}", d.experiment, d.quantity, d.day);
        if e.pass != d.pass {
            bad.push(format!(
                "{what}: pass {} (event) against {} (day)",
                e.pass, d.pass
            ));
        }
        let agree = match (e.simulated, d.simulated) {
            (Some(a), Some(b)) if a.is_infinite() || b.is_infinite() => a == b,
            (Some(a), Some(b)) => {
                let diff = (a - b).abs();
                diff <= 1e-6
                    || diff <= 0.005 * a.abs().max(b.abs())
                    || (d.quantity.ends_with("_day") && diff <= 1.0)
            }
            (None, None) => true,
            _ => false,
        };
        if !agree {
            bad.push(format!(
                "{what}: {:?} (event) against {:?} (day)",
                e.simulated, d.simulated
            ));
        }
    }
    assert!(
        event.total >= 30,
        "the shared file has its expectations: {}",
        event.total
    );
    bad
}
