//! Times compilation and one all-posteriors query of a BIF network:
//! `cargo run --release -p bayes --example bn_time -- NETWORK.bif.gz [cases] [REFERENCE.json]`
//! (with a reference file, the evidence of its first case).

use std::time::Instant;

use bayes::{CompileOptions, Evidence, compile};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: bn_time NETWORK.bif.gz [cases]")?;
    let cases: usize = std::env::args()
        .nth(2)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(3);
    let net = bayes::bif::parse_gz(&std::fs::read(&path)?)?;
    let t = Instant::now();
    // BN_HEURISTIC=min-fill | min-weight | weighted-min-fill forces one heuristic (default: the better of both).
    let heuristic = match std::env::var("BN_HEURISTIC").as_deref() {
        Ok("min-fill") => bayes::Heuristic::MinFill,
        Ok("min-weight") => bayes::Heuristic::MinWeight,
        Ok("weighted-min-fill") => bayes::Heuristic::WeightedMinFill,
        _ => bayes::Heuristic::Best,
    };
    let jt = compile(
        &net,
        &CompileOptions {
            heuristic,
            ..CompileOptions::default()
        },
    )?;
    println!(
        "compile {:.3} s, {:?}",
        t.elapsed().as_secs_f64(),
        jt.stats()
    );
    for s in jt.clique_shapes().iter().take(12) {
        println!("  {s:?}");
    }
    // Optional reference file: use the evidence of its first case.
    let mut ev = Evidence::new();
    if let Some(r) = std::env::args().nth(3) {
        let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(r)?)?;
        if let Some(obj) = v["cases"][0]["evidence"].as_object() {
            ev = Evidence::from_names(
                &net,
                obj.iter()
                    .map(|(k, s)| (k.as_str(), s.as_str().unwrap_or(""))),
            )?;
        }
    }
    let mut ws = jt.workspace();
    for _ in 0..cases {
        let t = Instant::now();
        let p = jt.query_with(&mut ws, &ev)?;
        println!(
            "query {:.4} s, log P(e) = {}",
            t.elapsed().as_secs_f64(),
            p.log_evidence
        );
    }
    Ok(())
}
