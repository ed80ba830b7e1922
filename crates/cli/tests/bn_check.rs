//! End to end: `reinnervate bn check` and `bn query` on the shared networks (skipped when
//! `shared/bn` is absent). The full five-network check runs in `crates/bayes/tests`.

use std::path::PathBuf;
use std::process::Command;

fn shared(rel: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/bn")).join(rel)
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_reinnervate"))
}

#[test]
fn bn_check_agrees_with_the_references() {
    for name in ["asia", "alarm", "hailfinder"] {
        let (net, reference) = (
            shared(&format!("networks/{name}.bif.gz")),
            shared(&format!("reference/{name}.json")),
        );
        if !net.exists() {
            eprintln!("skipping: shared/bn not present");
            return;
        }
        let out = bin()
            .args(["bn", "check"])
            .arg(&net)
            .arg(&reference)
            .arg("--json")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["network"], name);
        assert!(v["max_abs_diff"].as_f64().unwrap() <= 1e-9, "{v}");
        assert_eq!(
            v["seconds"].as_array().unwrap().len(),
            v["cases"].as_u64().unwrap() as usize
        );
    }
}

#[test]
fn bn_query_prints_posteriors_and_rejects_bad_evidence() {
    let net = shared("networks/asia.bif.gz");
    if !net.exists() {
        eprintln!("skipping: shared/bn not present");
        return;
    }
    let dir = std::env::temp_dir().join(format!("reinnervate-bn-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("e.json");
    std::fs::write(&good, r#"{"xray": "yes", "dysp": [0.9, 0.2]}"#).unwrap();
    let out = bin()
        .args(["bn", "query"])
        .arg(&net)
        .arg("--evidence")
        .arg(&good)
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["log_evidence"].as_f64().unwrap() < 0.0);
    let post = v["posteriors"].as_object().unwrap();
    assert!(
        !post.contains_key("xray"),
        "hard-observed variables are not listed"
    );
    for (var, states) in post {
        let s: f64 = states
            .as_object()
            .unwrap()
            .values()
            .map(|p| p.as_f64().unwrap())
            .sum();
        assert!((s - 1.0).abs() < 1e-12, "{var}: {s}");
    }
    // Pruned query for two targets agrees with the full one.
    let out = bin()
        .args(["bn", "query"])
        .arg(&net)
        .arg("--evidence")
        .arg(&good)
        .args(["--json", "--targets", "lung,tub"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pruned: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(pruned["log_evidence"].is_null());
    assert_eq!(pruned["posteriors"].as_object().unwrap().len(), 2);
    for var in ["lung", "tub"] {
        for (s, p) in pruned["posteriors"][var].as_object().unwrap() {
            let full = v["posteriors"][var][s].as_f64().unwrap();
            assert!((p.as_f64().unwrap() - full).abs() < 1e-12, "{var}={s}");
        }
    }
    for (bad, needle) in [
        (r#"{"xrays": "yes"}"#, "unknown variable `xrays`"),
        (r#"{"xray": "maybe"}"#, "no state `maybe`"),
        (r#"{"either": "no", "lung": "yes"}"#, "impossible evidence"),
    ] {
        let p = dir.join("bad.json");
        std::fs::write(&p, bad).unwrap();
        let out = bin()
            .args(["bn", "query"])
            .arg(&net)
            .arg("--evidence")
            .arg(&p)
            .output()
            .unwrap();
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{bad}: {err}");
    }
    std::fs::remove_dir_all(&dir).ok();
}
