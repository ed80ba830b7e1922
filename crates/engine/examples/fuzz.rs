//! In-process mutation fuzzing of every parser (issue 20): the long campaign, cheap enough for
//! 10^5 inputs per parser and more. Not in CI (CI runs the small proptest budgets of each
//! crate's `tests/fuzz.rs`); the figures of a run go in `docs/robustness.md`.
//!
//! ```text
//! cargo run --release -p engine --example fuzz -- [--parser NAME]… [--count N] [--seed K]
//!                                                 [--out DIR] [--shared DIR]
//! ```
//!
//! Each input is a seed file (the shipped examples and the shared files) with one to eight
//! stacked mutations (one half the time, two a quarter, …) from the one home of the mutations, `crates/twin/tests/mutate/mod.rs`,
//! chosen by a counter-based generator from `(--seed, parser, index)`: the same seed gives the
//! same inputs and the same outcomes whatever the thread count (the printed digest says so).
//! Each input goes through the library exactly as the binary would take it — the facade's
//! readers, and for what is accepted the next step (the cost estimate, the twin's set-up, a
//! posterior of the lesion level, a network compiled and queried) — under `catch_unwind`. Outcomes:
//!
//! * `ok` — accepted; `clean` — refused with an error;
//! * `panic` — a panic (the input is written to `DIR/<parser>-<index>.txt`);
//! * `empty` — an error with no text; `longline` — an error line over 2,000 characters.
//!
//! An abort (a failed allocation) ends the process: run under `prlimit --as=…` so that the
//! memory budgets of `bayes` and `twin::limits` are the ones that hold.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use engine::bayes::{self, CompileOptions, Evidence, Network};
use engine::{Engine, Resolution, Work, calibration, twin};
use rayon::prelude::*;

#[path = "../../twin/tests/mutate/mod.rs"]
mod mutate;

/// SplitMix64: a counter-based generator (one state per input).
fn splitmix(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The input `index` of a parser: a seed and one to eight stacked mutations.
fn input(seeds: &[String], seed: u64, parser: &str, index: u64) -> String {
    let mut state = seed ^ fnv(parser) ^ index.wrapping_mul(0x2545_F491_4F6C_DD1D);
    let base = &seeds[(splitmix(&mut state) % seeds.len() as u64) as usize];
    // One mutation half the time, two a quarter … up to eight: most inputs stay close enough
    // to a valid file to reach the checks behind the syntax.
    let ops = 1 + u64::from(splitmix(&mut state).trailing_ones().min(7));
    let mut text = base.clone();
    for _ in 0..ops {
        let op = splitmix(&mut state) as u8;
        let at = splitmix(&mut state) as usize;
        let pick = splitmix(&mut state) as usize;
        text = mutate::mutate(&text, op, at, pick);
    }
    text
}

/// What a parser's check gives: accepted, or the error's text.
type Outcome = Result<(), String>;

struct Parser {
    name: &'static str,
    seeds: Vec<String>,
    check: Box<dyn Fn(&str) -> Outcome + Sync>,
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

fn shared_dir(arg: Option<PathBuf>) -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    arg.into_iter()
        .chain([root.join("../shared"), root.join("../../shared")])
        .find(|p| p.join("bn").exists())
}

fn gunzip(path: &Path) -> String {
    use std::io::Read;
    let bytes = std::fs::read(path).expect("a shared network");
    let mut text = String::new();
    flate2::read::GzDecoder::new(&bytes[..])
        .read_to_string(&mut text)
        .expect("gzip text");
    text
}

fn toml_to_json(text: &str) -> String {
    let v: toml::Value = toml::from_str(text).expect("a shipped TOML file");
    serde_json::to_string_pretty(&v).expect("JSON")
}

fn split_experiments(text: &str) -> Vec<String> {
    text.split("\n[[experiment]]")
        .skip(1)
        .map(|e| format!("[[experiment]]{e}"))
        .collect()
}

fn parsers(engine: &'static Engine, shared: Option<&Path>) -> Vec<Parser> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let examples = |pred: &dyn Fn(&str) -> bool| -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = std::fs::read_dir(root.join("examples"))
            .expect("examples/")
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(pred))
            .map(|p| {
                (
                    p.file_name().unwrap().to_string_lossy().into_owned(),
                    std::fs::read_to_string(&p).expect("an example"),
                )
            })
            .collect();
        v.sort();
        v
    };
    let mut out = Vec::new();

    // Patient's cases, TOML and JSON: read, then the estimate and the twin's set-up of each
    // affected muscle.
    let cases = examples(&|n| {
        (n.starts_with("case-") || n == "radial-mid-humerus.toml") && n.ends_with(".toml")
    });
    let mut seeds: Vec<String> = cases.iter().map(|(_, t)| t.clone()).collect();
    seeds.extend(cases.iter().map(|(_, t)| toml_to_json(t)));
    let set_up = move |case: &engine::Case| -> Outcome {
        for (_, s) in engine.scenarios(case).map_err(err)? {
            let params = engine.parameters(s.species).map_err(err)?;
            twin::Simulation::new(&s, params, Resolution::Pooled).map_err(err)?;
        }
        Ok(())
    };
    out.push(Parser {
        name: "case",
        seeds,
        check: Box::new(move |text| {
            let case = engine.parse_case(text).map_err(err)?;
            engine
                .estimate(&Work::Prognosis {
                    case: &case,
                    draws: None,
                })
                .map_err(err)?;
            set_up(&case)
        }),
    });

    // Experimental cases (scenario files): read, the estimate at fibre resolution, the set-up.
    let seeds = examples(&|n| n.starts_with("simulate-") || n.starts_with("tibialis"))
        .into_iter()
        .map(|(_, t)| t)
        .collect();
    out.push(Parser {
        name: "scenario",
        seeds,
        check: Box::new(move |text| {
            let case = engine.parse_case(text).map_err(err)?;
            engine
                .estimate(&Work::Simulate {
                    case: &case,
                    resolution: Resolution::Fibre,
                    muscle: None,
                    days: None,
                })
                .map_err(err)?;
            set_up(&case)
        }),
    });

    // Findings (TOML and JSON): read, then the differential.
    let mut seeds: Vec<String> = examples(&|n| n.starts_with("findings-"))
        .into_iter()
        .map(|(_, t)| t)
        .collect();
    let vignettes = shared.map(|s| s.join("vignettes/cases.json"));
    if let Some(v) = vignettes.as_ref().filter(|p| p.exists()) {
        let all: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(v).expect("vignettes")).expect("JSON");
        for c in all.as_array().into_iter().flatten().take(20) {
            seeds.push(serde_json::to_string_pretty(&c["findings"]).expect("JSON"));
        }
        // Vignette files: three vignettes each (the reasoner runs every one).
        let seeds = all
            .as_array()
            .expect("a list")
            .chunks(3)
            .map(|c| serde_json::to_string_pretty(c).expect("JSON"))
            .collect();
        out.push(Parser {
            name: "vignettes",
            seeds,
            check: Box::new(move |text| engine.evaluate_vignettes(text).map(|_| ()).map_err(err)),
        });
    }
    out.push(Parser {
        name: "findings",
        seeds,
        check: Box::new(move |text| {
            let f = engine.parse_findings(text, None).map_err(err)?;
            // The posterior of the lesion level: the findings as evidence in the network (the
            // differential's next-test search would cost 0.5 s an input).
            let reasoner = engine.reasoner().map_err(err)?;
            reasoner.level_posterior(&f).map(|_| ()).map_err(err)
        }),
    });

    // Calibration files: read, then what the run would simulate and its estimate.
    let mut seeds = split_experiments(
        &std::fs::read_to_string(root.join("data/calibration/human-series.toml"))
            .expect("human series"),
    );
    if let Some(s) = shared
        .map(|s| s.join("calibration/experiments.toml"))
        .filter(|p| p.exists())
    {
        seeds.extend(split_experiments(
            &std::fs::read_to_string(s).expect("experiments"),
        ));
    }
    out.push(Parser {
        name: "calibration",
        seeds,
        check: Box::new(move |text| {
            let file = calibration::CalibrationFile::parse(text).map_err(err)?;
            let options = calibration::Options::default();
            let _ = calibration::runner::workload(&file, &options);
            engine
                .estimate(&Work::Calibrate {
                    text,
                    options: &options,
                })
                .map_err(err)?;
            match file.errors().first() {
                Some(e) => Err(e.to_string()),
                None => Ok(()),
            }
        }),
    });

    // Cohort files: read, then the estimate (which builds draw 0's case).
    let seeds = examples(&|n| n.starts_with("cohort-") && n.ends_with(".toml"))
        .into_iter()
        .map(|(_, t)| t)
        .collect();
    out.push(Parser {
        name: "cohort",
        seeds,
        check: Box::new(move |text| {
            let cohort = engine.parse_cohort(text).map_err(err)?;
            engine
                .estimate(&Work::Cohort {
                    cohort: &cohort,
                    draws: Some(100),
                })
                .map(|_| ())
                .map_err(err)
        }),
    });

    if let Some(bn) = shared.map(|s| s.join("bn")).filter(|p| p.exists()) {
        // Networks: read, compile, query without evidence.
        let seeds = ["asia", "alarm", "insurance", "hailfinder"]
            .iter()
            .map(|n| gunzip(&bn.join(format!("networks/{n}.bif.gz"))))
            .collect();
        out.push(Parser {
            name: "bif",
            seeds,
            check: Box::new(|text| {
                let net = bayes::bif::parse_str(text).map_err(err)?;
                let jt = bayes::compile(&net, &CompileOptions::default()).map_err(err)?;
                jt.query(&Evidence::new()).map(|_| ()).map_err(err)
            }),
        });
        let asia: &'static Network = Box::leak(Box::new(
            bayes::bif::parse_str(&gunzip(&bn.join("networks/asia.bif.gz"))).expect("asia"),
        ));
        let jt: &'static bayes::JunctionTree = Box::leak(Box::new(
            bayes::compile(asia, &CompileOptions::default()).expect("asia compiles"),
        ));
        let reference = std::fs::read_to_string(bn.join("reference/asia.json")).expect("asia.json");
        let r: serde_json::Value = serde_json::from_str(&reference).expect("JSON");
        // Evidence files: read against asia, then queried.
        let seeds = r["cases"]
            .as_array()
            .expect("cases")
            .iter()
            .map(|c| serde_json::to_string_pretty(&c["evidence"]).expect("JSON"))
            .collect();
        out.push(Parser {
            name: "evidence",
            seeds,
            check: Box::new(move |text| {
                let v: serde_json::Value = serde_json::from_str(text).map_err(err)?;
                let ev = engine::network::evidence_from_json(asia, &v).map_err(err)?;
                jt.query(&ev).map(|_| ()).map_err(err)
            }),
        });
        // Reference files: checked against asia.
        out.push(Parser {
            name: "reference",
            seeds: vec![reference],
            check: Box::new(move |text| {
                engine::network::check(asia, text).map(|_| ()).map_err(err)
            }),
        });
    } else {
        eprintln!(
            "shared files not found (--shared DIR): bif, evidence, reference and vignettes skipped"
        );
    }
    out
}

#[derive(Default)]
struct Tally {
    ok: AtomicU64,
    clean: AtomicU64,
    panic: AtomicU64,
    empty: AtomicU64,
    longline: AtomicU64,
    slowest_us: AtomicU64,
    digest: AtomicU64,
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (mut only, mut count, mut seed, mut out, mut shared) = (
        Vec::new(),
        100_000u64,
        20u64,
        PathBuf::from("target/fuzz"),
        None,
    );
    while let Some(a) = args.next() {
        let mut value = || args.next().expect("a value after the flag");
        match a.as_str() {
            "--parser" => only.push(value()),
            "--count" => count = value().parse().expect("--count N"),
            "--seed" => seed = value().parse().expect("--seed K"),
            "--out" => out = PathBuf::from(value()),
            "--shared" => shared = Some(PathBuf::from(value())),
            other => panic!("unknown argument {other}; see the module documentation"),
        }
    }
    let shared = shared_dir(shared);
    let engine: &'static Engine = Box::leak(Box::new(Engine::load().expect("the engine loads")));
    engine.reasoner().expect("the reasoner compiles");
    std::fs::create_dir_all(&out).expect("the output directory");
    // Panics are counted and their inputs kept; their messages would flood the terminal.
    std::panic::set_hook(Box::new(|_| {}));

    println!(
        "seed {seed}, {count} inputs per parser, {} thread(s)\n",
        rayon::current_num_threads()
    );
    println!(
        "| parser | inputs | ok | clean | panic | empty | longline | slowest s | seconds | digest |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    let mut totals: BTreeMap<&str, u64> = BTreeMap::new();
    for p in parsers(engine, shared.as_deref()) {
        if !only.is_empty() && !only.iter().any(|o| o == p.name) {
            continue;
        }
        for (i, s) in p.seeds.iter().enumerate() {
            if let Err(e) = (p.check)(s) {
                panic!("seed {i} of {} is not accepted: {e}", p.name);
            }
        }
        let t = Tally::default();
        let start = Instant::now();
        (0..count).into_par_iter().for_each(|i| {
            let text = input(&p.seeds, seed, p.name, i);
            let t0 = Instant::now();
            let outcome = catch_unwind(AssertUnwindSafe(|| (p.check)(&text)));
            let us = t0.elapsed().as_micros() as u64;
            t.slowest_us.fetch_max(us, Ordering::Relaxed);
            let class = match &outcome {
                Ok(Ok(())) => {
                    t.ok.fetch_add(1, Ordering::Relaxed);
                    0
                }
                Ok(Err(message)) => {
                    t.clean.fetch_add(1, Ordering::Relaxed);
                    if message.trim().is_empty() {
                        t.empty.fetch_add(1, Ordering::Relaxed);
                    }
                    if message.lines().any(|l| l.chars().count() > 2000) {
                        t.longline.fetch_add(1, Ordering::Relaxed);
                    }
                    1 ^ fnv(message)
                }
                Err(_) => {
                    t.panic.fetch_add(1, Ordering::Relaxed);
                    let _ = std::fs::write(out.join(format!("{}-{i}.txt", p.name)), &text);
                    2
                }
            };
            // Order-free digest of (index, outcome): the same whatever the thread count.
            let mut h = i ^ class;
            t.digest.fetch_add(splitmix(&mut h), Ordering::Relaxed);
        });
        let secs = start.elapsed().as_secs_f64();
        let g = |a: &AtomicU64| a.load(Ordering::Relaxed);
        println!(
            "| {} | {count} | {} | {} | {} | {} | {} | {:.2} | {secs:.0} | {:016x} |",
            p.name,
            g(&t.ok),
            g(&t.clean),
            g(&t.panic),
            g(&t.empty),
            g(&t.longline),
            g(&t.slowest_us) as f64 / 1e6,
            g(&t.digest),
        );
        *totals.entry("inputs").or_default() += count;
        *totals.entry("panic").or_default() += g(&t.panic);
    }
    println!(
        "\n{} inputs, {} panics (inputs kept in {})",
        totals.get("inputs").unwrap_or(&0),
        totals.get("panic").unwrap_or(&0),
        out.display()
    );
    if totals.get("panic").copied().unwrap_or(0) > 0 {
        std::process::exit(1);
    }
}
