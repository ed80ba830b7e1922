//! The `bn` verb: exact queries on a Bayesian network in BIF, and checks against reference
//! posteriors (files in the format of `shared/bn/reference/`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use engine::bayes::bif::{BifOptions, ValuePrecision};
use engine::bayes::{CompileOptions, Evidence, Finding, Network};
use serde_json::{Map, Value, json};

/// Arguments of `reinnervate bn`.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  reinnervate bn query asia.bif.gz --evidence e.json --json\n  \
    reinnervate bn check munin.bif.gz munin.json"
)]
pub struct Args {
    #[command(subcommand)]
    command: Verb,
}

#[derive(clap::Subcommand)]
enum Verb {
    /// Posteriors of every variable given evidence `{"var": "state", …}` (a state name) or
    /// `{"var": [l0, l1, …]}` (a likelihood vector).
    Query {
        /// Network in BIF, plain or gzip.
        network: PathBuf,
        /// JSON file of findings; none means no evidence.
        #[arg(long)]
        evidence: Option<PathBuf>,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
        /// Round table entries to single precision on reading, as pyAgrum 3.3.1 does.
        #[arg(long)]
        single: bool,
        /// Only these variables (comma separated): the network is pruned first (barren and
        /// d-separated variables removed), and `log_evidence` is then not reported (null).
        #[arg(long, value_delimiter = ',')]
        targets: Vec<String>,
    },
    /// Run every case of a reference file and report the largest difference, time and memory.
    Check {
        /// Network in BIF, plain or gzip.
        network: PathBuf,
        /// Reference file `{"network", "cases": [{"evidence", "posteriors"}]}`.
        reference: PathBuf,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
        /// Tolerance on each posterior; the exit code is 1 if it is exceeded.
        #[arg(long, default_value_t = 1e-9)]
        tolerance: f64,
        /// Read table entries in full double precision (default: single, as pyAgrum 3.3.1
        /// reads BIF, which produced the reference files).
        #[arg(long)]
        double: bool,
    },
}

/// Reads a BIF file (gzip or plain); `single` rounds table entries to `f32` as pyAgrum does.
pub fn read_network(path: &Path, single: bool) -> anyhow::Result<Network> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let precision = if single {
        ValuePrecision::Single
    } else {
        ValuePrecision::Double
    };
    engine::bayes::bif::parse_gz_with(
        &bytes,
        &BifOptions {
            precision,
            ..Default::default()
        },
    )
    .with_context(|| format!("reading network {}", path.display()))
}

/// Evidence from a JSON object of `var: "state"` or `var: [likelihoods]` (the facade's reader).
pub fn evidence_from_json(net: &Network, v: &Value) -> anyhow::Result<Evidence> {
    Ok(engine::network::evidence_from_json(net, v)?)
}

/// Peak resident set size of this process in MiB (VmHWM), if the platform reports it.
pub fn peak_rss_mb() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Runs the verb.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Verb::Query {
            network,
            evidence,
            json,
            single,
            targets,
        } => {
            let net = read_network(&network, single)?;
            let ev = match evidence {
                Some(p) => {
                    let text = std::fs::read_to_string(&p)
                        .with_context(|| format!("reading {}", p.display()))?;
                    let v: Value = serde_json::from_str(&text)
                        .with_context(|| format!("parsing {}", p.display()))?;
                    evidence_from_json(&net, &v)?
                }
                None => Evidence::new(),
            };
            let (marginals, log_evidence): (Vec<Option<Vec<f64>>>, Option<f64>) =
                if targets.is_empty() {
                    let jt = engine::bayes::compile(&net, &CompileOptions::default())?;
                    let post = jt.query(&ev)?;
                    (
                        post.marginals.into_iter().map(Some).collect(),
                        Some(post.log_evidence),
                    )
                } else {
                    let ids = targets
                        .iter()
                        .map(|t| net.var(t))
                        .collect::<Result<Vec<_>, _>>()?;
                    let found = engine::bayes::prune::posteriors_of(
                        &net,
                        &ev,
                        &ids,
                        &CompileOptions::default(),
                    )?;
                    let mut m: Vec<Option<Vec<f64>>> = vec![None; net.len()];
                    for (id, p) in ids.iter().zip(found) {
                        m[id.0] = Some(p);
                    }
                    (m, None)
                };
            let mut posteriors = Map::new();
            for (i, var) in net.variables().iter().enumerate() {
                if matches!(ev.get(engine::bayes::VarId(i)), Some(Finding::State(_))) {
                    continue;
                }
                let Some(marginal) = &marginals[i] else {
                    continue;
                };
                let m: Map<String, Value> = var
                    .states
                    .iter()
                    .zip(marginal)
                    .map(|(s, p)| (s.clone(), json!(p)))
                    .collect();
                posteriors.insert(var.name.clone(), Value::Object(m));
            }
            if json {
                println!(
                    "{}",
                    json!({"posteriors": posteriors, "log_evidence": log_evidence})
                );
            } else {
                if let Some(l) = log_evidence {
                    println!("log P(evidence) = {l:.6}");
                }
                for (var, m) in &posteriors {
                    let parts: Vec<String> = m
                        .as_object()
                        .map(|o| {
                            o.iter()
                                .map(|(s, p)| format!("{s} {:.4}", p.as_f64().unwrap_or(f64::NAN)))
                                .collect()
                        })
                        .unwrap_or_default();
                    println!("{var}: {}", parts.join(", "));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Verb::Check {
            network,
            reference,
            json,
            tolerance,
            double,
        } => {
            let net = read_network(&network, !double)?;
            let text = std::fs::read_to_string(&reference)
                .with_context(|| format!("reading {}", reference.display()))?;
            let rep = engine::network::check(&net, &text)?;
            let peak = peak_rss_mb();
            if json {
                println!(
                    "{}",
                    json!({"network": rep.network, "cases": rep.cases, "max_abs_diff": rep.max_abs_diff,
                           "seconds": rep.seconds, "compile_seconds": rep.compile_seconds, "peak_rss_mb": peak})
                );
            } else {
                let mean = rep.seconds.iter().sum::<f64>() / rep.seconds.len().max(1) as f64;
                println!(
                    "{}: {} cases, max |Δ| = {:.3e}, {:.4} s per case (compile {:.3} s), peak RSS {} MiB",
                    rep.network,
                    rep.cases,
                    rep.max_abs_diff,
                    mean,
                    rep.compile_seconds,
                    peak.map(|p| format!("{p:.0}"))
                        .unwrap_or_else(|| "?".into())
                );
            }
            Ok(if rep.max_abs_diff <= tolerance {
                ExitCode::SUCCESS
            } else {
                eprintln!(
                    "max |Δ| = {:.3e} exceeds the tolerance {tolerance:.1e}",
                    rep.max_abs_diff
                );
                ExitCode::from(1)
            })
        }
    }
}
