//! Issue 20 through the binary: sizes from flags and files are refused with an error on stderr
//! naming the field, the value and the limit (exit 2), never an abort or a panic; `calibrate`
//! tells a malformed file (2) from a model miss (1).

use std::path::PathBuf;
use std::process::Output;

mod common;
use common::{root, run};

fn tmp(name: &str, text: &str) -> PathBuf {
    let p = common::scratch("robustness", name);
    std::fs::write(&p, text).unwrap();
    p
}

fn refused(out: &Output, needles: &[&str]) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    for n in needles {
        assert!(err.contains(n), "missing `{n}` in: {err}");
    }
}

#[test]
fn draws_flags_over_the_limit_are_refused() {
    let case = root("examples/radial-mid-humerus.toml");
    let case = case.to_str().unwrap();
    refused(
        &run(&["prognosis", case, "--draws", "18446744073709551615"]),
        &["draws", "18446744073709551615", "100000", "max_draws"],
    );
    refused(
        &run(&["plans", case, "--draws", "1000000000"]),
        &["draws", "1000000000", "100000"],
    );
    refused(&run(&["plans", case, "--draws", "0"]), &["draws", "0"]);
}

#[test]
fn snapshot_day_over_the_limit_is_refused() {
    let case = root("examples/tibialis-anterior-axonotmesis.toml");
    let out = std::env::temp_dir().join(format!("reinnervate-snap-{}", std::process::id()));
    refused(
        &run(&[
            "snapshot",
            case.to_str().unwrap(),
            "--day",
            "40000",
            "--out",
            out.to_str().unwrap(),
        ]),
        &["--day", "40000", "36500"],
    );
    refused(
        &run(&[
            "snapshot",
            case.to_str().unwrap(),
            "--day",
            "10",
            "--strip",
            "0,40000",
            "--out",
            out.to_str().unwrap(),
        ]),
        &["--strip", "40000", "36500"],
    );
}

const CALIBRATION: &str = r#"
[[experiment]]
id = "x"
source = "test"
species = "rat"
muscle = "extensor_digitorum_longus"
[experiment.injury]
grade = "neurotmesis"
distance_mm = 20
regrowth = "prevented"
[[experiment.expect]]
quantity = "muscle_mass_fraction"
day = 10
min = 2.0
"#;

#[test]
fn calibrate_exit_codes_tell_malformed_from_missed() {
    let missed = tmp("missed.toml", CALIBRATION);
    let out = run(&[
        "calibrate",
        missed.to_str().unwrap(),
        "--resolution",
        "pooled",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("failed"), "{err}");

    let malformed = tmp(
        "malformed.toml",
        &CALIBRATION.replace(
            "[experiment.injury]",
            "horizon_days = 1e9\n[experiment.injury]",
        ),
    );
    refused(
        &run(&[
            "calibrate",
            malformed.to_str().unwrap(),
            "--resolution",
            "pooled",
        ]),
        &["horizon_days", "1000000000"],
    );
    let population = tmp(
        "population.toml",
        &CALIBRATION.replace(
            "[experiment.injury]",
            "[experiment.population]\nsize = 1e9\n[experiment.injury]",
        ),
    );
    refused(
        &run(&[
            "calibrate",
            population.to_str().unwrap(),
            "--resolution",
            "pooled",
        ]),
        &["population.size", "1000000000", "100000"],
    );
}

#[test]
fn bn_refuses_oversized_tables_and_empty_references() {
    let mut bif = String::from("network n { }\n");
    for i in 0..=64 {
        bif.push_str(&format!(
            "variable v{i} {{ type discrete [ 2 ] {{ a, b }}; }}\n"
        ));
    }
    for i in 1..=64 {
        bif.push_str(&format!("probability ( v{i} ) {{ table 0.5, 0.5; }}\n"));
    }
    let parents: Vec<String> = (1..=64).map(|i| format!("v{i}")).collect();
    let key: Vec<&str> = (1..=64).map(|_| "b").collect();
    bif.push_str(&format!(
        "probability ( v0 | {} ) {{ ({}) 0.5, 0.5; }}\n",
        parents.join(", "),
        key.join(", ")
    ));
    let net = tmp("sixty-four.bif", &bif);
    refused(
        &run(&["bn", "query", net.to_str().unwrap()]),
        &["table of `v0`", "over the limit", "memory_budget_bytes"],
    );
    let asia = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/bn"))
        .join("networks/asia.bif.gz");
    if asia.exists() {
        let empty = tmp("empty.json", r#"{"network": "asia", "cases": []}"#);
        refused(
            &run(&[
                "bn",
                "check",
                asia.to_str().unwrap(),
                empty.to_str().unwrap(),
            ]),
            &["cases = []", "expected at least one case"],
        );
    }
}

/// Issue 20: work estimated over a minute is announced on stderr before it starts, and
/// `--max-seconds` refuses it (exit 2) with the estimate, the limit and the inputs.
#[test]
fn long_work_is_announced_and_refused_over_max_seconds() {
    let case = root("examples/radial-mid-humerus.toml");
    let case = case.to_str().unwrap();
    refused(
        &run(&["prognosis", case, "--draws", "100000", "--max-seconds", "5"]),
        &["prognosis is estimated to take", "100,000 draws", "5 s"],
    );
    let ta = root("examples/tibialis-anterior-axonotmesis.toml");
    let out = std::env::temp_dir().join(format!("reinnervate-cost-{}", std::process::id()));
    refused(
        &run(&[
            "snapshot",
            ta.to_str().unwrap(),
            "--day",
            "36500",
            "--out",
            out.to_str().unwrap(),
            "--max-seconds",
            "1",
        ]),
        &["simulate is estimated", "36,500 days", "fibres"],
    );
    refused(
        &run(&["prognosis", case, "--max-seconds", "nan"]),
        &["--max-seconds", "NaN"],
    );
    // Announced, then the run starts (here it stops at once: the output directory cannot be
    // made under a file).
    let cohort = root("examples/cohort-ulnar-laceration.toml");
    let out = run(&[
        "cohort",
        cohort.to_str().unwrap(),
        "--draws",
        "100000",
        "--out",
        "/dev/null/cohort",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.lines()
            .next()
            .is_some_and(|l| l.starts_with("note: cohort is estimated to take about")
                && l.contains("100,000 draws")),
        "{err}"
    );
}
