//! The `simulate` verb: run one case day by day and summarise the time course.

use std::path::PathBuf;
use std::process::ExitCode;

use engine::readout::Readout;
use engine::twin::{Grade, RepairMethod, Resolution, Scenario, TimeCourse, Treatment};

/// Arguments of `reinnervate simulate`.
///
/// Example: `reinnervate simulate examples/tibialis-anterior-axonotmesis.toml`
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example:\n  reinnervate simulate examples/tibialis-anterior-axonotmesis.toml\n  \
                        reinnervate simulate examples/tibialis-anterior-axonotmesis.toml --json --resolution pooled"
)]
pub struct Args {
    /// The case file (TOML or JSON): an experimental case (species, muscle, injury at a
    /// distance) or a patient's case (atlas nerve and site; every affected muscle is simulated
    /// at the case's typical draw).
    pub case: PathBuf,
    /// Print the daily time course as JSON instead of the readable summary.
    #[arg(long)]
    pub json: bool,
    /// `fibre` (every fibre with its position) or `pooled` (fibres grouped by unit and state).
    #[arg(long, default_value = "fibre")]
    pub resolution: Resolution,
    /// Simulate only this muscle of a patient's case (default: every affected muscle).
    #[arg(long)]
    pub muscle: Option<String>,
    /// Also write an HTML report (time courses, pictures at chosen days, CSV) into this directory.
    #[arg(long, value_name = "DIR")]
    pub report: Option<PathBuf>,
    #[command(flatten)]
    pub budget: crate::input::Budget,
    /// Days of the report's time strip (the same field of the cross-section on each day),
    /// comma-separated, e.g. `0,21,90,270,730` (default: the report's picture days).
    #[arg(long, value_delimiter = ',', value_name = "DAYS", requires = "report")]
    pub strip_days: Vec<u32>,
    /// Also write the daily time course as a Parquet table (one row per muscle and day: `muscle`,
    /// `day`, the twin's quantities — the `days` of `--json`) to this file.
    #[arg(long, value_name = "FILE")]
    pub parquet: Option<PathBuf>,
}

/// Runs the verb.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let engine = crate::input::engine()?;
    let case = crate::input::case(&engine, &args.case)?;
    crate::input::announce(
        &engine,
        &engine::Work::Simulate {
            case: &case,
            resolution: args.resolution,
            muscle: args.muscle.as_deref(),
            days: None,
        },
        args.budget,
    )?;
    let (control, pb) = crate::input::progress("simulate", "days");
    let result = engine.simulate(&case, args.resolution, args.muscle.as_deref(), &control)?;
    pb.finish_and_clear();
    if let Some(path) = &args.parquet {
        crate::input::write_parquet(path, &engine::table::simulation_table(&result)?)?;
    }
    if args.json {
        println!("{}", serde_json::to_string(&result)?);
    } else {
        for run in &result.runs {
            print!(
                "{}",
                summary(
                    &run.muscle,
                    &run.scenario,
                    &run.course(),
                    &run.readings,
                    args.resolution
                )
            );
        }
    }
    if let Some(dir) = &args.report {
        let (muscle, scenario) = match result.runs.first() {
            Some(r) => (r.muscle.clone(), r.scenario.clone()),
            None => anyhow::bail!("the case has no muscle to report on"),
        };
        if result.runs.len() > 1 {
            eprintln!(
                "the report shows the {} (the first of {} muscles; choose another with --muscle)",
                muscle.replace('_', " "),
                result.runs.len()
            );
        }
        let limits = engine::twin::limits::Limits::default();
        for &d in &args.strip_days {
            limits.day("--strip-days", f64::from(d))?;
        }
        crate::report::write_report(
            &engine,
            &scenario,
            &args.case.display().to_string(),
            dir,
            &args.strip_days,
        )?;
        eprintln!("report written to {}", dir.join("index.html").display());
    }
    Ok(ExitCode::SUCCESS)
}

/// The scenario of one muscle of a case: `muscle`, or the first affected muscle.
pub fn one_scenario(
    engine: &engine::Engine,
    case: &engine::Case,
    muscle: Option<&str>,
) -> anyhow::Result<Scenario> {
    engine.scenario(case, muscle).map_err(|e| match e {
        engine::EngineError::OutOfRange {
            value, expected, ..
        } => anyhow::anyhow!("--muscle {value}: expected {expected}"),
        other => other.into(),
    })
}

fn describe_injury(s: &Scenario) -> String {
    match &s.injury {
        None => "none (intact nerve)".to_string(),
        Some(i) => {
            let grade = match i.grade {
                Grade::Neurapraxia => "neurapraxia".to_string(),
                Grade::Axonotmesis => "axonotmesis".to_string(),
                Grade::Neurotmesis => "neurotmesis".to_string(),
                Grade::Sunderland(n) => format!("Sunderland {n}"),
            };
            format!(
                "{grade} on day {}, {:.0} mm from the motor entry point, {:.0}% of axons, regrowth {}",
                i.day.0,
                i.distance_mm.0,
                i.fraction_of_axons.0 * 100.0,
                match i.regrowth {
                    engine::twin::Regrowth::Allowed => "allowed",
                    engine::twin::Regrowth::Prevented => "prevented",
                }
            )
        }
    }
}

fn describe_treatment(t: &Treatment) -> String {
    match t {
        Treatment::Repair {
            day,
            method,
            distance_mm,
        } => {
            let m = match method {
                RepairMethod::Primary => "primary repair".to_string(),
                RepairMethod::Graft { length_mm } => format!("graft of {} mm", length_mm.0),
                RepairMethod::Transfer {
                    donor_axons,
                    donor_axotomized_days,
                } => format!(
                    "nerve transfer ({donor_axons} donor axons, donor cut {} d before)",
                    donor_axotomized_days.0
                ),
            };
            match distance_mm {
                Some(d) => format!("{m} on day {}, {} mm from the muscle", day.0, d.0),
                None => format!("{m} on day {}", day.0),
            }
        }
        Treatment::Stimulation {
            start_day,
            end_day,
            dose,
        } => format!("stimulation days {}-{}: {:?}", start_day.0, end_day.0, dose),
        Treatment::Disuse {
            start_day,
            end_day,
            model,
        } => format!(
            "disuse ({}) days {}-{}",
            word(model),
            start_day.0,
            end_day.0
        ),
        Treatment::Rehabilitation {
            start_day,
            end_day,
            kind,
        } => format!(
            "rehabilitation ({}) days {}-{}",
            word(kind),
            start_day.0,
            end_day.0
        ),
    }
}

/// A word of the case format (the serde name of a twin enum: `bed_rest`, `range_of_motion`).
fn word(v: &impl serde::Serialize) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s.replace('_', " "),
        _ => String::from("?"),
    }
}

/// The days the summary shows: fixed days up to the horizon, the event days and the horizon.
pub fn key_days(horizon: u32, events: &engine::twin::Events) -> Vec<u32> {
    let mut days: Vec<u32> = [
        0u32, 3, 7, 14, 21, 28, 42, 56, 90, 120, 180, 270, 365, 540, 730, 1095, 1460, 1825, 2190,
        3650,
    ]
    .into_iter()
    .filter(|&d| d <= horizon)
    .collect();
    for e in [
        events.first_reinnervation_day,
        events.mrc_3_day,
        events.mrc_5_day,
    ]
    .into_iter()
    .flatten()
    {
        if e <= horizon {
            days.push(e);
        }
    }
    days.push(horizon);
    days.sort_unstable();
    days.dedup();
    days
}

fn pct(x: f64) -> String {
    format!("{:>4.0}%", x * 100.0)
}

/// The day table: one clinical readout per row (`engine::readout`, the same readings `snapshot`
/// and the report print).
pub fn readings_table(rows: &[&Readout]) -> String {
    let mut o = String::from(
        "   day  MRC  volunt.  muscle-st  nerve-st   CMAP mV (%)   prox. mV  block  fibs  MUP         recruitment     mass  fibre  fat\n",
    );
    for r in rows {
        let (s, c, n, z) = (&r.strength, &r.cmap, &r.needle, &r.size);
        o.push_str(&format!(
            "{:>6} {:>4} {:>8} {:>10} {:>9} {:>6.1} ({:>4}) {:>10.1} {:>6} {:>5} {:<11} {:<15} {} {} {}\n",
            r.day,
            s.mrc,
            pct(s.voluntary_force_fraction),
            pct(s.direct_muscle_stimulation_force_fraction),
            pct(s.distal_nerve_stimulation_force_fraction),
            c.distal_mv,
            pct(c.distal_fraction).trim(),
            c.proximal_mv,
            if c.block { "yes" } else { "no" },
            grade_text(n.fibrillation_grade),
            n.mup.as_str(),
            n.recruitment.pattern.as_str(),
            pct(z.muscle_mass_fraction),
            pct(z.fibre_csa_fraction),
            pct(z.fat_fibrous_fraction),
        ));
    }
    o.push_str(
        "\nvolunt. = maximal voluntary force; muscle-st = force on direct muscle stimulation; nerve-st = force on \
nerve stimulation distal to the lesion; CMAP = distal stimulation (mV and % of the same muscle healthy); \
mass, fibre (mean fibre cross-section): relative to healthy; fat: share of the muscle.\n",
    );
    o
}

/// A fibrillation grade as written in a report (0, 1+ … 4+).
pub fn grade_text(g: u8) -> String {
    if g == 0 { "0".into() } else { format!("{g}+") }
}

/// The readable summary (also used by tests).
/// `readings` are the run's clinical readouts, one per day from day 0.
pub fn summary(
    muscle: &str,
    s: &Scenario,
    course: &TimeCourse,
    readings: &[Readout],
    resolution: Resolution,
) -> String {
    let mut o = String::new();
    o.push_str(&format!(
        "reinnervate simulate — {}\n\n",
        engine::DISCLAIMER
    ));
    o.push_str(&format!(
        "Case: {} {}{}, age {} y, {} days, seed {}, {:?} resolution\n",
        s.species,
        muscle,
        if muscle == s.muscle {
            String::new()
        } else {
            format!(" (motor-unit pool of the {})", s.muscle)
        },
        s.age_years,
        s.horizon_days,
        s.seed,
        resolution
    ));
    o.push_str(&format!("Injury: {}\n", describe_injury(s)));
    if s.treatments.is_empty() {
        o.push_str("Treatments: none\n");
    } else {
        for t in &s.treatments {
            o.push_str(&format!("Treatment: {}\n", describe_treatment(t)));
        }
    }
    o.push('\n');
    let rows: Vec<&Readout> = key_days(s.horizon_days, &course.events)
        .into_iter()
        .filter_map(|d| readings.get(d as usize))
        .collect();
    o.push_str(&readings_table(&rows));
    let ev = |x: Option<u32>| {
        x.map(|d| format!("day {d}"))
            .unwrap_or_else(|| "not reached".to_string())
    };
    o.push_str("\nEvents:\n");
    o.push_str(&format!(
        "  first reinnervation:  {}\n",
        ev(course.events.first_reinnervation_day)
    ));
    o.push_str(&format!(
        "  first fibrillations:  {}\n",
        ev(course.events.first_fibrillation_day)
    ));
    o.push_str(&format!(
        "  MRC 3 reached:        {}\n",
        ev(course.events.mrc_3_day)
    ));
    o.push_str(&format!(
        "  MRC 5 reached:        {}\n",
        ev(course.events.mrc_5_day)
    ));
    o.push_str(&format!("\n{}\n", engine::DISCLAIMER));
    o
}
