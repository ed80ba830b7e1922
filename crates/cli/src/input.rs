//! What every verb does around its one facade call: load the engine, read a file, show progress.

use std::path::Path;

use anyhow::Context;
use engine::{Case, Control, Engine};

/// Loads the engine (embedded data).
pub fn engine() -> anyhow::Result<Engine> {
    Engine::load().context("loading the embedded data")
}

/// Reads a file as text, naming it in the error.
pub fn read(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

/// Reads a case file (TOML or JSON, either shape).
pub fn case(engine: &Engine, path: &Path) -> anyhow::Result<Case> {
    let text = read(path)?;
    engine
        .parse_case(&text)
        .with_context(|| format!("in case file {}", path.display()))
}

/// Writes a table as a Parquet file (the engine's one Parquet writer), naming the file in the
/// error.
pub fn write_parquet(path: &Path, table: &engine::table::RecordBatch) -> anyhow::Result<()> {
    let bytes = engine::table::to_parquet(table)?;
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

/// A [`Control`] whose progress drives a bar on stderr (hidden when stderr is not a terminal).
pub fn progress(what: &str, unit: &str) -> (Control, indicatif::ProgressBar) {
    let pb = indicatif::ProgressBar::new(0);
    pb.set_style(
        indicatif::ProgressStyle::with_template(&format!(
            "{{msg}} [{{bar:30}}] {{pos}}/{{len}} {unit} ({{eta}})"
        ))
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    pb.set_message(what.to_string());
    let bar = pb.clone();
    let control = Control::with_listener(move |done, total| {
        if bar.length() != Some(total) {
            bar.set_length(total);
        }
        if done.is_multiple_of(8) || done == total {
            bar.set_position(done);
        }
    });
    (control, pb)
}

/// How long a verb's work may run: the estimate made before it starts
/// ([`engine::Engine::estimate`]).
#[derive(clap::Args, Debug, Clone, Copy, Default)]
pub struct Budget {
    /// Refuse work estimated to take longer than this many seconds (exit 2, before it starts).
    /// Without it, work estimated over a minute is announced on stderr and runs.
    #[arg(long, value_name = "SECONDS")]
    pub max_seconds: Option<f64>,
}

/// Estimates `work` before it runs: announces it on stderr when over a minute, and refuses it
/// when over `--max-seconds`.
pub fn announce(engine: &Engine, work: &engine::Work<'_>, budget: Budget) -> anyhow::Result<()> {
    if let Some(max) = budget.max_seconds
        && !(max.is_finite() && max > 0.0)
    {
        anyhow::bail!("--max-seconds = {max}: expected a positive number of seconds");
    }
    let cost = engine.estimate(work)?;
    if let Some(max) = budget.max_seconds {
        cost.check(max)?;
    }
    if cost.is_long() {
        eprintln!(
            "note: {} (--max-seconds refuses such work)",
            cost.announcement()
        );
    }
    Ok(())
}
