//! Criterion benches: one query with all posteriors on MUNIN (first reference case, 30
//! findings) and MUNIN1 (no findings), on a tree compiled once; and compilation of each.
//! Reads `shared/bn` (skips a network whose file is absent).

use std::path::PathBuf;

use bayes::{CompileOptions, Evidence, compile};
use criterion::{Criterion, criterion_group, criterion_main};

fn shared(rel: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/bn")).join(rel)
}

fn load(name: &str) -> Option<bayes::Network> {
    let bytes = std::fs::read(shared(&format!("networks/{name}.bif.gz"))).ok()?;
    bayes::bif::parse_gz(&bytes).ok()
}

fn munin_evidence(net: &bayes::Network) -> Evidence {
    let text = std::fs::read_to_string(shared("reference/munin.json")).unwrap_or_default();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    let pairs: Vec<(&str, &str)> = v["cases"][0]["evidence"]
        .as_object()
        .map(|o| {
            o.iter()
                .filter_map(|(k, s)| Some((k.as_str(), s.as_str()?)))
                .collect()
        })
        .unwrap_or_default();
    Evidence::from_names(net, pairs).unwrap_or_default()
}

fn benches(c: &mut Criterion) {
    if let Some(net) = load("munin") {
        let opts = CompileOptions::default();
        c.bench_function("munin compile", |b| {
            b.iter(|| compile(&net, &opts).map(|jt| jt.stats().cliques))
        });
        let jt = compile(&net, &opts).expect("munin compiles");
        let ev = munin_evidence(&net);
        let mut ws = jt.workspace();
        c.bench_function("munin query all posteriors (30 findings)", |b| {
            b.iter(|| jt.query_with(&mut ws, &ev).map(|p| p.log_evidence))
        });
    }
    if let Some(net) = load("munin1") {
        let jt = compile(&net, &CompileOptions::default()).expect("munin1 compiles");
        let mut ws = jt.workspace();
        let ev = Evidence::new();
        let mut g = c.benchmark_group("munin1");
        g.sample_size(10);
        g.bench_function("munin1 query all posteriors", |b| {
            b.iter(|| jt.query_with(&mut ws, &ev).map(|p| p.log_evidence))
        });
        g.finish();
    }
}

criterion_group!(inference, benches);
criterion_main!(inference);
