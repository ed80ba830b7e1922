//! The engine alone, as `reinnervate bn check --json` runs it (for scripts that must not depend
//! on the rest of the workspace building): compiles once, runs every case of a reference file,
//! prints `{"network", "cases", "max_abs_diff", "seconds", "compile_seconds", "peak_rss_mb"}`.
//! `cargo run --release -p bayes --example bn_check -- NETWORK.bif.gz REFERENCE.json [--double]`

use std::time::Instant;

use bayes::bif::{BifOptions, ValuePrecision};
use bayes::{CompileOptions, Evidence, compile};
use serde_json::{Value, json};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        return Err("usage: bn_check NETWORK.bif.gz REFERENCE.json [--double]".into());
    }
    let precision = if args.iter().any(|a| a == "--double") {
        ValuePrecision::Double
    } else {
        ValuePrecision::Single
    };
    let net = bayes::bif::parse_gz_with(
        &std::fs::read(&args[1])?,
        &BifOptions {
            precision,
            ..Default::default()
        },
    )?;
    let r: Value = serde_json::from_str(&std::fs::read_to_string(&args[2])?)?;
    let t = Instant::now();
    let jt = compile(&net, &CompileOptions::default())?;
    let compile_seconds = t.elapsed().as_secs_f64();
    let mut ws = jt.workspace();
    let (mut worst, mut seconds) = (0.0f64, Vec::new());
    let cases = r["cases"].as_array().ok_or("reference has no cases")?;
    for case in cases {
        let obj = case["evidence"]
            .as_object()
            .ok_or("case without evidence")?;
        let ev = Evidence::from_names(
            &net,
            obj.iter()
                .map(|(k, s)| (k.as_str(), s.as_str().unwrap_or(""))),
        )?;
        let t = Instant::now();
        let post = jt.query_with(&mut ws, &ev)?;
        seconds.push(t.elapsed().as_secs_f64());
        for (var, states) in case["posteriors"]
            .as_object()
            .ok_or("case without posteriors")?
        {
            let id = net.var(var)?;
            for (s, p) in states.as_object().ok_or("bad posterior")? {
                let d = (post.of(id)[net.state(id, s)?] - p.as_f64().unwrap_or(f64::NAN)).abs();
                worst = if d.is_nan() {
                    f64::INFINITY
                } else {
                    worst.max(d)
                };
            }
        }
    }
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let peak = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|k| k.parse::<f64>().ok())
        .map(|kb| kb / 1024.0);
    println!(
        "{}",
        json!({"network": r["network"], "cases": cases.len(), "max_abs_diff": worst, "seconds": seconds,
               "compile_seconds": compile_seconds, "peak_rss_mb": peak})
    );
    Ok(())
}
