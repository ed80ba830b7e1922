//! Every file in `examples/` runs with every verb that applies to it (issue "one case for every
//! verb"): cases with `simulate`, `snapshot`, `prognosis` and `plans` (human cases; a rat or mouse
//! experiment must get a clear error from the Monte Carlo verbs), findings with `diagnose`.

use std::path::Path;

#[path = "../../engine/tests/support/examples.rs"]
mod examples;
use examples::ExampleKind;

mod common;
use common::run;

fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        text.to_lowercase().contains("not a medical device"),
        "{args:?}: the output must say it is not a medical device"
    );
    text
}

fn is_animal(p: &Path) -> bool {
    let text = std::fs::read_to_string(p).expect("readable");
    text.lines()
        .any(|l| l.trim_start().starts_with("species") && !l.contains("human"))
}

#[test]
fn every_example_runs_with_every_verb_that_applies() {
    let snap = std::env::temp_dir().join(format!("reinnervate-examples-{}", std::process::id()));
    let all = examples::all();
    assert!(all.len() >= 10, "examples found: {all:?}");
    for p in all {
        let f = p.to_str().expect("utf-8 path");
        if examples::kind(&p) == ExampleKind::Findings {
            ok(&["diagnose", f]);
            continue;
        }
        if examples::kind(&p) == ExampleKind::Cohort {
            let out = snap.join("cohort");
            let o = out.to_str().expect("utf-8");
            ok(&["cohort", f, "--out", o, "--draws", "2", "--chunk", "1"]);
            assert!(out.join("summary.parquet").is_file() && out.join("metadata.json").is_file());
            continue;
        }
        let json = ok(&["simulate", f, "--resolution", "pooled", "--json"]);
        let v: serde_json::Value = serde_json::from_str(&json).expect("simulate --json is JSON");
        assert!(
            !v["runs"].as_array().expect("runs").is_empty(),
            "{f}: no run"
        );
        ok(&[
            "snapshot",
            f,
            "--day",
            "21",
            "--out",
            snap.to_str().expect("utf-8"),
        ]);
        for verb in ["prognosis", "plans"] {
            if is_animal(&p) {
                let out = run(&[verb, f, "--draws", "8"]);
                assert_eq!(
                    out.status.code(),
                    Some(2),
                    "{verb} {f}: expected a clean refusal"
                );
                let err = String::from_utf8_lossy(&out.stderr);
                assert!(
                    err.contains("human"),
                    "{verb} {f}: the error says why: {err}"
                );
            } else {
                ok(&[verb, f, "--draws", "8"]);
            }
        }
    }
    let _ = std::fs::remove_dir_all(&snap);
}

#[test]
fn a_malformed_case_names_both_shapes() {
    let dir = std::env::temp_dir().join(format!("reinnervate-badcase-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let f = dir.join("bad.toml");
    std::fs::write(&f, "title = \"x\"\nhorizon = 3\n").expect("write");
    let out = run(&["simulate", f.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("patient") && err.contains("experimental"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
