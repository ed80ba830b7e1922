//! The human clinical series (`data/calibration/human-series.toml`): every expectation passes
//! or is listed with its reason in `data/calibration/human-known-gaps.toml`, with the same
//! parameter set as the rodent experiments. Fails on an unlisted failure, on a listed gap that
//! now passes and on a gap that matches no expectation. Pooled resolution; run in release mode
//! (`cargo test -p calibration --release --test human`).

use calibration::gaps::KnownGaps;
use calibration::runner::Silent;
use calibration::twin_model::TwinModel;
use calibration::{CalibrationFile, Options, Resolution};

const SERIES: &str = include_str!("../../../data/calibration/human-series.toml");
const GAPS: &str = include_str!("../../../data/calibration/human-known-gaps.toml");

#[test]
fn human_series_pass_or_list_their_gaps() {
    let file = CalibrationFile::parse_strict(SERIES).expect("the human series file reads");
    assert!(
        file.experiments.iter().all(|e| e.source.len() > 10),
        "every series names its source"
    );
    let gaps = KnownGaps::parse(GAPS).expect("human-known-gaps.toml reads");
    let report = calibration::run(
        &file,
        &TwinModel::new(),
        &Options::with_resolution(Resolution::Pooled),
        &Silent,
    );
    eprintln!(
        "{} of {} human expectations passed",
        report.passed, report.total
    );
    for r in &report.results {
        eprintln!(
            "  {:5} {} {} day {:?}: simulated {:?}, accepted {:?}..{:?}",
            if r.pass { "pass" } else { "FAIL" },
            r.experiment,
            r.quantity,
            r.day,
            r.simulated,
            r.min,
            r.max
        );
    }
    let check = gaps.check(&report);
    let mut problems = String::new();
    for r in &check.unlisted_failures {
        problems.push_str(&format!(
            "unlisted failure: {} {} day {:?}: simulated {:?}\n",
            r.experiment, r.quantity, r.day, r.simulated
        ));
    }
    for g in &check.listed_but_passing {
        problems.push_str(&format!(
            "listed gap now passes: {} {} day {:?}\n",
            g.experiment, g.quantity, g.day
        ));
    }
    for g in &check.stale {
        problems.push_str(&format!(
            "listed gap matches no expectation: {} {} day {:?}\n",
            g.experiment, g.quantity, g.day
        ));
    }
    assert!(problems.is_empty(), "{problems}");
}
