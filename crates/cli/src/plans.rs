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
    #[command(flatten)]
    pub budget: crate::input::Budget,
}

/// Runs the verb.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let engine = crate::input::engine()?;
    let case = crate::input::case(&engine, &args.case)?;
    crate::input::announce(
        &engine,
        &engine::Work::Plans {
            case: &case,
            draws: args.draws,
        },
        args.budget,
    )?;
    let (control, pb) = crate::input::progress("plans", "draws");
    let result = match &args.report {
        Some(dir) => {
            crate::prognosis_report::run_and_write(
                &engine, &case, args.draws, &control, dir, "plans",
            )?
            .1
        }
        None => engine.plans(&case, args.draws, &control)?,
    };
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
        println!(
            "{}. {} — score {:.2} (function {:.2}, operated {:.0}%)",
            p.rank,
            p.name,
            p.score,
            p.function_value,
            100.0 * p.p_operated
        );
        println!("   {}", p.description);
        for r in &p.reasons {
            println!("   - {r}");
        }
    }
    print_decision(&report.decision);
    println!("\n{}", report.answer);
    Ok(ExitCode::SUCCESS)
}

/// Prints the decision outputs: goals, recovery curve, waiting a month, next examination,
/// sensitivity.
pub fn print_decision(d: &engine::clinic::plans::Decision) {
    let name = |s: &str| s.replace('_', " ");
    println!("\nGoals at stake (weight, P(useful) waiting):");
    for g in &d.goals {
        println!(
            "  {} ({}): weight {}, {:.0}%",
            name(&g.id),
            g.muscles
                .iter()
                .map(|m| name(m))
                .collect::<Vec<_>>()
                .join(", "),
            g.weight,
            100.0 * g.p_useful_waiting
        );
    }
    println!(
        "Costs: unneeded operation {}, failed operation {}, a year without a function {} (change them in [criterion]).",
        d.costs.unneeded_operation,
        d.costs.failed_operation,
        d.costs.time_without_function_per_year
    );
    println!(
        "\nP(useful recovery without surgery | no sign in the {} by month t):",
        name(&d.sentinel_muscle)
    );
    let pts: Vec<String> = d
        .recovery_curve
        .iter()
        .filter(|p| (p.month as u32).is_multiple_of(2) || p.month <= 6.0)
        .map(|p| match p.p_useful_without_surgery {
            Some(x) => format!("m{:.0} {:.0}%", p.month, 100.0 * x),
            None => format!("m{:.0} -", p.month),
        })
        .collect();
    println!("  {}", pts.join(", "));
    if let (Some(v), Some((later, now))) = (d.value_of_waiting_a_month, &d.waiting_a_month) {
        println!("Waiting one more month: {v:+.3} ({later} against operating now: {now}).");
    }
    if !d.next_observations.is_empty() {
        println!("Next examinations that would most change the decision:");
        for o in &d.next_observations {
            println!(
                "  {} in the {} on day {}: P {:.0}%, value {:+.3}; if seen: {}; if not: {}",
                o.sign,
                name(&o.muscle),
                o.day,
                100.0 * o.p_sign,
                o.value,
                o.if_sign,
                o.if_no_sign
            );
        }
    }
    for a in &d.avulsion {
        println!("{}", a.words());
    }
    println!("Sensitivity (plan ranked first by score):");
    for r in &d.sensitivity {
        if r.weight == "as given" {
            println!("  as given: {} ({:.2})", r.best_plan, r.best_score);
        } else {
            println!(
                "  {} = {:.3}: {} ({:.2})",
                r.weight, r.value, r.best_plan, r.best_score
            );
        }
    }
}
