//! The `calibrate` verb: runs a file of published experiments on the twin and compares.
//!
//! Reads the file (the only I/O), hands its text to the `calibration` crate, prints one row
//! per expectation and the count passed, or the report as JSON. Progress goes to stderr.
//! Exit code: 0 when every expectation passes, 1 when any fails, 2 on an unreadable file.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use engine::calibration::gaps::KnownGaps;
use engine::calibration::runner::Row;
use engine::calibration::{Options, Report, Resolution};

/// Arguments of `reinnervate calibrate`.
#[derive(clap::Args)]
#[command(
    after_help = "Example:\n  reinnervate calibrate ../shared/calibration/experiments.toml\n  \
                  reinnervate calibrate experiments.toml --json --resolution pooled"
)]
pub struct Args {
    /// A file of experiments in the calibration format (see the shared calibration README).
    pub experiments: PathBuf,
    /// Print the report as JSON: {"passed", "total", "results": [...]}.
    #[arg(long)]
    pub json: bool,
    /// Resolution for every experiment (default: fibre for single experiments, pooled for
    /// population experiments).
    #[arg(long, value_enum)]
    pub resolution: Option<ResolutionArg>,
    /// Seed of the runs (single experiments use it directly; population members derive
    /// theirs from it and their index).
    #[arg(long, default_value_t = engine::calibration::runner::DEFAULT_SEED)]
    pub seed: u64,
    #[command(flatten)]
    pub budget: crate::input::Budget,
    /// Also write the report as a Parquet table (one row per expectation — the `results` of
    /// `--json`) to this file.
    #[arg(long, value_name = "FILE")]
    pub parquet: Option<PathBuf>,
}

/// `--resolution` values.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum ResolutionArg {
    /// Every fibre.
    Fibre,
    /// Fibres pooled by motor unit and state.
    Pooled,
}

/// Runs the verb.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let engine = crate::input::engine()?;
    let text = crate::input::read(&args.experiments)?;
    let mut options = match args.resolution {
        None => Options::default(),
        Some(ResolutionArg::Fibre) => Options::with_resolution(Resolution::Fibre),
        Some(ResolutionArg::Pooled) => Options::with_resolution(Resolution::Pooled),
    };
    options.seed = args.seed;
    crate::input::announce(
        &engine,
        &engine::Work::Calibrate {
            text: &text,
            options: &options,
        },
        args.budget,
    )
    .with_context(|| format!("in {}", args.experiments.display()))?;
    let (control, bar) = crate::input::progress("calibrate", "runs");
    let result = engine
        .calibrate(&text, &options, &control)
        .with_context(|| format!("in {}", args.experiments.display()))?;
    bar.finish_and_clear();
    if let Some(path) = &args.parquet {
        crate::input::write_parquet(path, &engine::table::calibration_table(&result)?)?;
    }
    for w in &result.warnings {
        eprintln!("warning: {w}");
    }
    for e in &result.errors {
        eprintln!("error: {e}");
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&result)?);
    } else {
        let gaps = engine.known_gaps().unwrap_or_default();
        print!("{}", table(&result.report, &gaps));
    }
    Ok(if !result.errors.is_empty() {
        eprintln!(
            "error: {} field error(s) in {}; the experiments or expectations concerned were not run",
            result.errors.len(),
            args.experiments.display()
        );
        ExitCode::from(2)
    } else if result.report.passed == result.report.total {
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "{} of {} expectations failed (the model misses the published figure)",
            result.report.total - result.report.passed,
            result.report.total
        );
        ExitCode::from(1)
    })
}

fn number(x: f64) -> String {
    if x.is_infinite() {
        return if x > 0.0 {
            "never".into()
        } else {
            "-inf".into()
        };
    }
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

/// A simulated figure: whole numbers as such, otherwise 3 decimals (1 from 100 up).
fn simulated(x: f64) -> String {
    if x.is_infinite() || x.is_nan() {
        number(x)
    } else if x == x.round() && x.abs() < 1e9 {
        format!("{x:.0}")
    } else if x.abs() >= 100.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.3}")
    }
}

fn range(r: &Row) -> String {
    match (r.min, r.max) {
        (Some(lo), Some(hi)) => format!("{} – {}", number(lo), number(hi)),
        (Some(lo), None) => format!(">= {}", number(lo)),
        (None, Some(hi)) => format!("<= {}", number(hi)),
        (None, None) => "-".into(),
    }
}

/// The human-readable table.
fn table(report: &Report, gaps: &KnownGaps) -> String {
    let header = [
        "experiment",
        "quantity",
        "day",
        "accepted",
        "published",
        "simulated",
        "pass",
    ];
    let rows: Vec<[String; 7]> = report
        .results
        .iter()
        .map(|r| {
            let quantity = match &r.relative {
                Some(rel) => format!("{} {rel}", r.quantity),
                None => r.quantity.clone(),
            };
            [
                r.experiment.clone(),
                quantity,
                r.day.map_or("-".into(), |d| d.to_string()),
                range(r),
                r.value.map_or("-".into(), number),
                r.simulated.map_or("-".into(), simulated),
                if r.pass { "pass".into() } else { "FAIL".into() },
            ]
        })
        .collect();
    let mut width = header.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in width.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| -> String {
        let mut s = String::new();
        for (i, (cell, w)) in cells.iter().zip(width).enumerate() {
            let pad = w - cell.chars().count();
            // Numbers right-aligned, text left-aligned.
            if (2..=5).contains(&i) {
                s.push_str(&" ".repeat(pad));
                s.push_str(cell);
            } else {
                s.push_str(cell);
                s.push_str(&" ".repeat(pad));
            }
            s.push_str("  ");
        }
        s.trim_end().to_string() + "\n"
    };
    let mut out = line(&header.map(String::from));
    out.push_str(&line(&width.map(|w| "-".repeat(w))));
    for row in &rows {
        out.push_str(&line(row));
    }
    out.push_str(&format!(
        "\n{} of {} expectations passed\n",
        report.passed, report.total
    ));
    let failures: Vec<&Row> = report.results.iter().filter(|r| !r.pass).collect();
    if !failures.is_empty() {
        out.push_str("\nwhy the failures failed:\n");
        for r in failures {
            let day = r.day.map_or(String::new(), |d| format!(" day {d}"));
            out.push_str(&format!(
                "  {} {}{}: {}\n",
                r.experiment,
                r.quantity,
                day,
                r.reason.as_deref().unwrap_or("outside the accepted range")
            ));
            if let Some(g) = gaps.find(r) {
                out.push_str(&format!("    known gap: {}\n", g.reason));
            }
        }
    }
    out
}
