//! The `prognosis` verb: Monte Carlo prognosis per muscle for a patient's case, updated by any
//! follow-up observations in the case.

use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::Context;
use clinic::prognosis::{MusclePrognosis, Quantiles};

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
}

/// Reads and parses a case file against the human atlas.
pub fn load_case(path: &std::path::Path) -> anyhow::Result<(clinic::Atlas, clinic::Case)> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let atlas = clinic::Atlas::human()?;
    let case =
        clinic::Case::parse(&text, &atlas).with_context(|| format!("in {}", path.display()))?;
    Ok((atlas, case))
}

/// A progress bar on stderr (hidden when stderr is not a terminal).
pub fn progress_bar(total: u64, what: &str) -> indicatif::ProgressBar {
    let pb = indicatif::ProgressBar::new(total);
    pb.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} draws ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    pb.set_message(what.to_string());
    pb
}

fn q(x: &Quantiles, unit: &str) -> String {
    let f = |v: Option<f64>| {
        v.map(|v| format!("{v:.0}"))
            .unwrap_or_else(|| "never".into())
    };
    format!("{} {unit} (80%: {} to {})", f(x.median), f(x.p10), f(x.p90))
}

fn json_q(x: &Quantiles) -> serde_json::Value {
    serde_json::json!({"median": x.median, "p10": x.p10, "p90": x.p90})
}

/// The JSON form of one muscle (the schema plus a few extra fields).
pub fn muscle_json(m: &MusclePrognosis) -> serde_json::Value {
    serde_json::json!({
        "muscle": m.muscle,
        "nerve": m.nerve,
        "distance_mm": (m.distance_mm * 10.0).round() / 10.0,
        "distance_source": m.distance_source,
        "simulated_as": m.simulated_as,
        "p_mrc_ge_3": m.p_mrc_ge_3,
        "p_mrc_ge_4": m.p_mrc_ge_4,
        "p_axons_before_window": m.p_axons_before_window,
        "first_reinnervation_day": json_q(&m.first_reinnervation_day),
        "mrc_3_day": json_q(&m.mrc_3_day),
        "mrc_at_365": json_q(&m.mrc_at_365),
        "mrc_at_730": json_q(&m.mrc_at_730),
        "mrc_distribution": m.mrc_distribution,
    })
}

/// Runs the verb.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let (atlas, case) = load_case(&args.case)?;
    let engine = clinic::montecarlo::Engine::human()?;
    let n = match args.draws {
        Some(d) => engine.limits().draws("--draws", d as f64)?,
        None => case.settings.draws,
    };
    let passes =
        if case.observations.is_empty() { 1 } else { 2 } + usize::from(args.report.is_some());
    let pb = progress_bar((n * passes) as u64, "prognosis");
    let done = AtomicUsize::new(0);
    let tick = || {
        let d = done.fetch_add(1, Ordering::Relaxed) + 1;
        if d.is_multiple_of(8) {
            pb.set_position(d as u64);
        }
    };
    let report = clinic::prognosis::prognose(&engine, &atlas, &case, Some(n), &tick)?;
    if let Some(dir) = &args.report {
        let plans = clinic::plans::compare(&engine, &atlas, &case, n, &tick)?;
        crate::prognosis_report::write(dir, &case, &report, Some(&plans))?;
    }
    pb.finish_and_clear();
    if let Some(dir) = &args.report {
        eprintln!("report written to {}", dir.join("index.html").display());
    }
    if args.json {
        let v = serde_json::json!({
            "draws": report.draws,
            "muscles": report.muscles.iter().map(muscle_json).collect::<Vec<_>>(),
            "window_day": report.window_day,
            "follow_up": report.follow_up,
            "answer": report.answer,
            "disclaimer": "research and teaching software, not a medical device",
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "reinnervate prognosis — {}",
        case.title.as_deref().unwrap_or("case")
    );
    println!("Research and teaching software, not a medical device.\n");
    println!(
        "Patient: {:.0} years; {} draw(s); horizon {} days.",
        case.patient.age_years, report.draws, case.settings.horizon_days
    );
    for inj in &case.injuries {
        let g = match &inj.grade {
            clinic::case::GradeSpec::Known(g) => g.label(),
            clinic::case::GradeSpec::Unknown(p) => format!(
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
    for m in &report.muscles {
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
    if let Some(a) = &report.answer {
        println!("\nWait or operate? {a}");
    }
    Ok(ExitCode::SUCCESS)
}
