//! Times compilation and one all-posteriors query of a BIF network:
//! `cargo run --release -p bayes --example bn_time -- NETWORK.bif.gz [cases]`.

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
    let jt = compile(&net, &CompileOptions::default())?;
    println!(
        "compile {:.3} s, {:?}",
        t.elapsed().as_secs_f64(),
        jt.stats()
    );
    for s in jt.clique_shapes().iter().take(12) {
        println!("  {s:?}");
    }
    let mut ws = jt.workspace();
    for _ in 0..cases {
        let t = Instant::now();
        let p = jt.query_with(&mut ws, &Evidence::new())?;
        println!(
            "query {:.4} s, log P(e) = {}",
            t.elapsed().as_secs_f64(),
            p.log_evidence
        );
    }
    Ok(())
}
