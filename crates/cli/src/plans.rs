//! The `plans` verb: treatment plans for a case, simulated on the same draws, ranked, with reasons.

use std::process::ExitCode;

/// Arguments of `reinnervate plans`.
///
/// Example: `reinnervate plans examples/radial-mid-humerus.toml --draws 200`
#[derive(clap::Args)]
pub struct Args {
    /// Case file (TOML, or JSON if it starts with `{`).
    pub case: std::path::PathBuf,
    /// JSON on stdout instead of a readable summary.
    #[arg(long)]
    pub json: bool,
    /// Number of Monte Carlo draws (overrides the case's `settings.draws`).
    #[arg(long)]
    pub draws: Option<usize>,
    /// Also write a printable report (`index.html` with the prognosis bands under the case's own
    /// treatments and this plan comparison, and `prognosis_bands.csv`) into this directory.
    #[arg(long, value_name = "DIR")]
    pub report: Option<std::path::PathBuf>,
}

/// Runs the verb.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let engine = crate::input::engine()?;
    let case = crate::input::case(&engine, &args.case)?;
    let (control, pb) = crate::input::progress("plans", "draws");
    let result = engine.plans(&case, args.draws, &control)?;
    if let Some(dir) = &args.report {
        let prognosis = engine.prognosis(&case, Some(result.report.draws), &control)?;
        let patient = engine.patient_case(&case, "plans")?;
        crate::prognosis_report::write(dir, &patient, &prognosis.report, Some(&result.report))?;
    }
    pb.finish_and_clear();
    if let Some(dir) = &args.report {
        eprintln!("report written to {}", dir.join("index.html").display());
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&result)?);
        return Ok(ExitCode::SUCCESS);
    }
    let report = &result.report;
    println!("reinnervate plans — {}", result.title);
    println!("{}\n", engine::DISCLAIMER);
    println!(
        "{} draws, the same for every plan; decision day {}.",
        report.draws, report.decision_day
    );
    println!("Ranking: {}.\n", report.criterion);
    for p in &report.plans {
        println!("{}. {} — score {:.2}", p.rank, p.name, p.score);
        println!("   {}", p.description);
        for r in &p.reasons {
            println!("   - {r}");
        }
    }
    println!("\n{}", report.answer);
    Ok(ExitCode::SUCCESS)
}
