//! The `prognosis` verb: Monte Carlo prognosis per muscle for a patient's case, updated by any
//! follow-up observations in the case.

use std::process::ExitCode;

use engine::clinic::prognosis::Quantiles;

/// Arguments of `reinnervate prognosis`.
///
/// Example: `reinnervate prognosis examples/radial-mid-humerus.toml --draws 200`
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
    /// Also write a printable report (`index.html` with the Monte Carlo bands, the plan
    /// comparison and `prognosis_bands.csv`) into this directory.
    #[arg(long, value_name = "DIR")]
    pub report: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub budget: crate::input::Budget,
    /// Also write the prognosis per muscle as a Parquet table (one row per muscle — the `muscles`
    /// of `--json`, quantiles as `mrc_3_day.median`/`.p10`/`.p90`) to this file.
    #[arg(long, value_name = "FILE")]
    pub parquet: Option<std::path::PathBuf>,
}

fn q(x: &Quantiles, unit: &str) -> String {
    let f = |v: Option<f64>| {
        v.map(|v| format!("{v:.0}"))
            .unwrap_or_else(|| "never".into())
    };
    format!("{} {unit} (80%: {} to {})", f(x.median), f(x.p10), f(x.p90))
}

/// Runs the verb.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let engine = crate::input::engine()?;
    let case = crate::input::case(&engine, &args.case)?;
    crate::input::announce(
        &engine,
        &engine::Work::Prognosis {
            case: &case,
            draws: args.draws,
        },
        args.budget,
    )?;
    if args.report.is_some() {
        crate::input::announce(
            &engine,
            &engine::Work::Plans {
                case: &case,
                draws: args.draws,
            },
            args.budget,
        )?;
    }
    let (control, pb) = crate::input::progress("prognosis", "draws");
    let result = match &args.report {
        Some(dir) => {
            crate::prognosis_report::run_and_write(
                &engine,
                &case,
                args.draws,
                &control,
                dir,
                "prognosis",
            )?
            .0
        }
        None => engine.prognosis(&case, args.draws, &control)?,
    };
    pb.finish_and_clear();
    if let Some(path) = &args.parquet {
        crate::input::write_parquet(path, &engine::table::prognosis_table(&result)?)?;
    }
    if let Some(dir) = &args.report {
        eprintln!("report written to {}", dir.join("index.html").display());
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&result)?);
        return Ok(ExitCode::SUCCESS);
    }
    let case = engine.patient_case(&case, "prognosis")?;
    let report = &result.report;
    println!(
        "reinnervate prognosis — {}",
        case.title.as_deref().unwrap_or("case")
    );
    println!("{}\n", engine::DISCLAIMER);
    println!(
        "Patient: {:.0} years; {} draw(s); horizon {} days.",
        case.patient.age_years, report.draws, case.settings.horizon_days
    );
    for inj in &case.injuries {
        let g = match &inj.grade {
            engine::clinic::case::GradeSpec::Known(g) => g.label(),
            engine::clinic::case::GradeSpec::Unknown(p) => format!(
                "unknown ({})",
                p.iter()
                    .map(|(g, w)| format!("{} {:.0}%", g.label(), 100.0 * w))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        println!("Injury: {} on day {}, grade {}.", inj.place(), inj.day, g);
    }
    println!(
        "End plates: the median draw's window closes about day {:.0}.\n",
        report.window_day
    );
    for (k, m) in report.muscles.iter().enumerate() {
        println!(
            "{} ({:.0} mm from the injury, {}):",
            m.muscle.replace('_', " "),
            m.distance_mm,
            m.distance_source
        );
        println!(
            "  P(MRC >= 3) {:.0}%, P(MRC >= 4) {:.0}%, P(axons before the window) {:.0}%",
            100.0 * m.p_mrc_ge_3,
            100.0 * m.p_mrc_ge_4,
            100.0 * m.p_axons_before_window
        );
        println!(
            "  first reinnervation: day {}",
            q(&m.first_reinnervation_day, "")
        );
        println!("  MRC >= 3 reached:    day {}", q(&m.mrc_3_day, ""));
        println!("  MRC at 1 year:       {}", q(&m.mrc_at_365, ""));
        println!("  MRC at 2 years:      {}", q(&m.mrc_at_730, ""));
        if let Some(d) = report.drivers.get(k).filter(|d| !d.is_empty()) {
            println!(
                "  spread driven by:    {}",
                d.iter()
                    .take(3)
                    .map(|x| format!("{} {:.0}%", x.name.replace('_', " "), 100.0 * x.share))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        if m.simulated_as != m.muscle {
            println!(
                "  (simulated with the motor-unit pool of the {})",
                m.simulated_as.replace('_', " ")
            );
        }
    }
    if let Some(f) = &report.follow_up {
        println!(
            "\nFollow-up: {} observation(s); {:.0} effective draws; best fit {:.2} of a perfect fit.",
            f.observations, f.effective_draws, f.best_fit
        );
        let fmt = |v: &[(String, f64)]| {
            v.iter()
                .map(|(g, p)| format!("{g} {:.0}%", 100.0 * p))
                .collect::<Vec<_>>()
                .join(", ")
        };
        println!("  injury grade before: {}", fmt(&f.grade_prior));
        println!("  injury grade after:  {}", fmt(&f.grade_posterior));
        if f.implausible {
            println!(
                "  WARNING: the observations are unlikely under every simulated course; the update is not to be trusted."
            );
        }
    }
    if let Some(d) = &report.decision {
        crate::plans::print_decision(d);
    }
    if let Some(a) = &report.answer {
        println!("\nWait or operate? {a}");
    }
    Ok(ExitCode::SUCCESS)
}
