//! Every posterior of every case of the five reference files (pyAgrum 3.3.1 LazyPropagation,
//! rounded to 1e-10; `shared/bn/reference/`) within 1e-9. Skipped, with a message, when the
//! shared folder is absent (the project builds without it).

use std::path::PathBuf;

use bayes::{CompileOptions, Evidence, compile};
use serde_json::Value;

fn shared() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/bn"))
}

fn check(name: &str) {
    let dir = shared();
    let Ok(bytes) = std::fs::read(dir.join(format!("networks/{name}.bif.gz"))) else {
        eprintln!("skipping {name}: shared/bn not present");
        return;
    };
    let opts = bayes::bif::BifOptions {
        precision: bayes::bif::ValuePrecision::Single,
        ..Default::default()
    };
    let net = bayes::bif::parse_gz_with(&bytes, &opts).unwrap();
    let text = std::fs::read_to_string(dir.join(format!("reference/{name}.json"))).unwrap();
    let r: Value = serde_json::from_str(&text).unwrap();
    let jt = compile(&net, &CompileOptions::default()).unwrap();
    let mut ws = jt.workspace();
    let cases = r["cases"].as_array().unwrap();
    assert!(!cases.is_empty());
    let mut worst = 0.0f64;
    let mut compared = 0usize;
    for (i, case) in cases.iter().enumerate() {
        let ev = Evidence::from_names(
            &net,
            case["evidence"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str().unwrap())),
        )
        .unwrap();
        let post = jt.query_with(&mut ws, &ev).unwrap();
        for (var, states) in case["posteriors"].as_object().unwrap() {
            let id = net.var(var).unwrap();
            for (s, p) in states.as_object().unwrap() {
                let d = (post.of(id)[net.state(id, s).unwrap()] - p.as_f64().unwrap()).abs();
                assert!(
                    d <= 1e-9,
                    "{name} case {i}: {var}={s}: ours {} vs reference {p}",
                    post.of(id)[net.state(id, s).unwrap()]
                );
                worst = worst.max(d);
                compared += 1;
            }
        }
    }
    eprintln!(
        "{name}: {} cases, {compared} posteriors, max |Δ| = {worst:.2e}",
        cases.len()
    );
}

#[test]
fn asia() {
    check("asia");
}
#[test]
fn alarm() {
    check("alarm");
}
#[test]
fn insurance() {
    check("insurance");
}
#[test]
fn hailfinder() {
    check("hailfinder");
}
#[test]
fn munin() {
    check("munin");
}

/// Same numbers, bit for bit, on one thread and on several (fixed chunking, ordered sums).
#[test]
fn munin_is_deterministic_across_thread_counts() {
    let dir = shared();
    let Ok(bytes) = std::fs::read(dir.join("networks/munin.bif.gz")) else {
        eprintln!("skipping: shared/bn not present");
        return;
    };
    let net = bayes::bif::parse_gz(&bytes).unwrap();
    let text = std::fs::read_to_string(dir.join("reference/munin.json")).unwrap();
    let r: Value = serde_json::from_str(&text).unwrap();
    let ev = Evidence::from_names(
        &net,
        r["cases"][1]["evidence"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str().unwrap())),
    )
    .unwrap();
    let jt = compile(&net, &CompileOptions::default()).unwrap();
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| jt.query(&ev).unwrap())
    };
    let (one, many) = (run(1), run(4));
    assert_eq!(one.log_evidence.to_bits(), many.log_evidence.to_bits());
    for (a, b) in one.marginals.iter().zip(&many.marginals) {
        for (x, y) in a.iter().zip(b) {
            assert_eq!(x.to_bits(), y.to_bits());
        }
    }
}
