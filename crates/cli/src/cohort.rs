//! The `cohort` verb: a virtual cohort (a patient's case written with distributions) run for many
//! draws into a Parquet dataset.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

/// Arguments of `reinnervate cohort`.
///
/// Example: `reinnervate cohort examples/cohort-ulnar-laceration.toml --out out/ulnar --draws 200`
#[derive(clap::Args)]
pub struct Args {
    /// Cohort file (TOML): a patient's case with distributions and a `[cohort]` table.
    pub cohort: PathBuf,
    /// Output directory: `summary.parquet`, `metadata.json` and the finished `chunks/` (an
    /// interrupted run started again with the same file resumes from them).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Number of draws (default: the file's `cohort.size`).
    #[arg(long)]
    pub draws: Option<usize>,
    /// Draws per chunk (the unit of resumption; the table does not depend on it).
    #[arg(long, default_value_t = 256)]
    pub chunk: usize,
    /// Also write the time courses: `courses.parquet`, one row per draw, plan, affected muscle
    /// and day, every DAYS days (1 = daily, the default when the flag has no value). Daily
    /// courses are large (about 15,000 rows per draw for a 730-day, 4-plan, 5-muscle cohort):
    /// use smaller chunks (e.g. `--chunk 32`) to bound memory.
    #[arg(long, value_name = "DAYS", num_args = 0..=1, default_missing_value = "1")]
    pub courses: Option<u32>,
    /// Print the run's metadata as JSON on stdout instead of a readable summary.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub budget: crate::input::Budget,
}

/// Runs the verb.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let engine = crate::input::engine()?;
    let text = crate::input::read(&args.cohort)?;
    let cohort = engine
        .parse_cohort(&text)
        .with_context(|| format!("in cohort file {}", args.cohort.display()))?;
    for w in &cohort.warnings {
        eprintln!("warning: {w}");
    }
    crate::input::announce(
        &engine,
        &engine::Work::Cohort {
            cohort: &cohort,
            draws: args.draws,
        },
        args.budget,
    )?;
    let (control, pb) = crate::input::progress("cohort", "draws");
    let meta = engine.cohort(
        &cohort,
        &args.out,
        args.draws,
        args.chunk,
        args.courses.unwrap_or(0),
        &control,
    )?;
    pb.finish_and_clear();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&meta)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("reinnervate cohort — {}", meta.title);
    println!("{}\n", engine::DISCLAIMER);
    println!(
        "{} draws (seed {}), {} rows: one per draw, plan and affected muscle.",
        meta.draws, meta.seed, meta.rows
    );
    println!("Plans: {}.", meta.plans.join(", "));
    if let Some(c) = &meta.courses {
        println!(
            "Time courses: {} rows (every {} day(s)) in {}.",
            c.rows,
            c.step_days,
            args.out.join(c.file).display()
        );
    }
    println!(
        "Written: {} and {}.",
        args.out.join("summary.parquet").display(),
        args.out.join("metadata.json").display()
    );
    println!(
        "Read it with pandas: pd.read_parquet(\"{}\")",
        args.out.join("summary.parquet").display()
    );
    Ok(ExitCode::SUCCESS)
}
