//! Agreement: for every example that is a case (an experimental or a patient's case — not a
//! findings file or a cohort), `simulate`, `snapshot` and the report give the same clinical readings (the
//! readout, `engine::readout`) for the same case, seed and day — on day 0, day 14 and day 180 (or
//! the horizon, when shorter) — and the report the same event days.
//!
//! Runs the built binary, so it checks what a user sees (`--json` and the report's
//! `readings.json`). A patient's case is compared on the muscle `snapshot` pictures by default
//! (`Engine::scenario`: the first affected muscle with a motor-unit pool of its own in the twin).
//! Every day of each example's run of that muscle is compared in the facade
//! (`crates/engine/tests/agreement.rs`); here, a few days check that the binary prints those
//! values.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

#[path = "../../engine/tests/support/examples.rs"]
mod examples;

/// The muscle `snapshot` pictures by default and its horizon.
fn first_muscle(engine: &engine::Engine, path: &Path) -> (String, u32) {
    let text = std::fs::read_to_string(path).expect("readable example");
    let case = engine.parse_case(&text).expect("the example is a case");
    let s = engine
        .scenario(&case, None)
        .expect("the case has a muscle to picture");
    (s.muscle, s.horizon_days)
}

fn run(args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_reinnervate"))
        .args(args)
        .output()
        .expect("the binary runs");
    assert!(
        out.status.success(),
        "reinnervate {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

fn out_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "reinnervate-agreement-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn reading_on(readings: &Value, day: u64) -> &Value {
    readings
        .as_array()
        .expect("readings array")
        .iter()
        .find(|r| r["day"].as_u64() == Some(day))
        .unwrap_or_else(|| panic!("no reading for day {day}"))
}

#[test]
fn simulate_snapshot_and_report_read_every_example_alike() {
    let engine = engine::Engine::load().expect("engine loads");
    let mut checked = 0;
    for path in examples::cases() {
        let file = path.to_str().expect("UTF-8 path");
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let (muscle, horizon) = first_muscle(&engine, &path);
        let sim = run(&["simulate", file, "--json", "--muscle", &muscle]);
        let readings = &sim["runs"][0]["readings"];
        for day in [0u32, 14, 180.min(horizon)] {
            let dir = out_dir(&format!("{name}-{day}"));
            let snap = run(&[
                "snapshot",
                file,
                "--day",
                &day.to_string(),
                "--json",
                "--out",
                dir.to_str().unwrap(),
            ]);
            let a = reading_on(readings, u64::from(day));
            assert_eq!(
                a, &snap["readout"],
                "{name} ({muscle}), day {day}: simulate and snapshot disagree"
            );
            let _ = std::fs::remove_dir_all(&dir);
        }
        checked += 1;
    }
    assert!(checked >= 5, "only {checked} case examples found");
}

#[test]
fn the_report_prints_the_readings_and_events_simulate_prints() {
    let path = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/tibialis-anterior-axonotmesis.toml"
    ));
    let file = path.to_str().unwrap();
    let dir = out_dir("report");
    let sim = run(&[
        "simulate",
        file,
        "--json",
        "--report",
        dir.to_str().unwrap(),
    ]);
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("readings.json")).expect("readings.json written"),
    )
    .expect("readings.json parses");
    let run0 = &sim["runs"][0];
    assert_eq!(report["events"], run0["events"], "event days differ");
    let mut compared = 0;
    for r in report["readings"].as_array().expect("readings") {
        let day = r["day"].as_u64().unwrap();
        let Some(s) = run0["readings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["day"].as_u64() == Some(day))
        else {
            continue;
        };
        assert_eq!(r, s, "day {day}: report and simulate disagree");
        compared += 1;
    }
    assert!(compared >= 3, "only {compared} days in common");
    let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
    assert!(html.contains("MRC 5 reached"));
    let _ = std::fs::remove_dir_all(&dir);
}
