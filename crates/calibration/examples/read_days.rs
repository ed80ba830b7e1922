//! Side-by-side timing of the calibration runner (issue 13): runs a calibration file on the
//! twin at pooled resolution, each run stepped to the days the runner reads (the default) or,
//! with `--every-day`, recorded every day (the path before issue 13). Time it from outside:
//! `farm-bench -- target/release/examples/read_days FILE --vs 'target/release/examples/read_days
//! FILE --every-day'`. Prints the number of expectations passed (the same either way).

use calibration::runner::Silent;
use calibration::twin_model::TwinModel;
use calibration::{CalibrationFile, Options, Resolution};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: read_days FILE [--every-day]");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(2);
    });
    let file = CalibrationFile::parse(&text).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(2);
    });
    let options = Options::with_resolution(Resolution::Pooled);
    let report = if args.iter().any(|a| a == "--every-day") {
        calibration::run(
            &file,
            &TwinModel::new().recording_every_day(),
            &options,
            &Silent,
        )
    } else {
        calibration::run(&file, &TwinModel::new(), &options, &Silent)
    };
    println!("{} of {} passed", report.passed, report.total);
}
