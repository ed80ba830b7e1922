//! The `plans` verb: treatment plans for a case, simulated on the same draws, ranked, with reasons.

use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};

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
    let (atlas, case) = crate::prognosis::load_case(&args.case)?;
    let engine = clinic::montecarlo::Engine::human()?;
    let n = match args.draws {
        Some(d) => engine.limits().draws("--draws", d as f64)?,
        None => case.settings.draws,
    };
    let passes = 1 + usize::from(args.report.is_some());
    let pb = crate::prognosis::progress_bar((n * passes) as u64, "plans");
    let done = AtomicUsize::new(0);
    let tick = || {
        let d = done.fetch_add(1, Ordering::Relaxed) + 1;
        if d.is_multiple_of(4) {
            pb.set_position(d as u64);
        }
    };
    let report = clinic::plans::compare(&engine, &atlas, &case, n, &tick)?;
    if let Some(dir) = &args.report {
        let prognosis = clinic::prognosis::prognose(&engine, &atlas, &case, Some(n), &tick)?;
        crate::prognosis_report::write(dir, &case, &prognosis, Some(&report))?;
    }
    pb.finish_and_clear();
    if let Some(dir) = &args.report {
        eprintln!("report written to {}", dir.join("index.html").display());
    }
    if args.json {
        let v = serde_json::json!({
            "draws": report.draws,
            "decision_day": report.decision_day,
            "criterion": report.criterion,
            "answer": report.answer,
            "follow_up": report.follow_up,
            "plans": report.plans.iter().map(|p| serde_json::json!({
                "name": p.name,
                "rank": p.rank,
                "score": p.score,
                "description": p.description,
                "reasons": p.reasons,
                "muscles": p.muscles.iter().map(crate::prognosis::muscle_json).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "disclaimer": "research and teaching software, not a medical device",
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "reinnervate plans — {}",
        case.title.as_deref().unwrap_or("case")
    );
    println!("Research and teaching software, not a medical device.\n");
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
