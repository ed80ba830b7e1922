//! The `simulate` verb: run one case day by day and summarise the time course.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use twin::{
    Grade, Parameters, RepairMethod, Resolution, Scenario, Simulation, TimeCourse, Treatment,
};

/// Arguments of `reinnervate simulate`.
///
/// Example: `reinnervate simulate examples/tibialis-anterior-axonotmesis.toml`
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example:\n  reinnervate simulate examples/tibialis-anterior-axonotmesis.toml\n  \
                        reinnervate simulate examples/tibialis-anterior-axonotmesis.toml --json --resolution pooled"
)]
pub struct Args {
    /// The case file (TOML): species, muscle, age, injury, treatments, horizon, seed.
    pub case: PathBuf,
    /// Print the daily time course as JSON instead of the readable summary.
    #[arg(long)]
    pub json: bool,
    /// `fibre` (every fibre with its position) or `pooled` (fibres grouped by unit and state).
    #[arg(long, default_value = "fibre")]
    pub resolution: Resolution,
    /// Also write an HTML report (time courses, pictures at chosen days, CSV) into this directory.
    #[arg(long, value_name = "DIR")]
    pub report: Option<PathBuf>,
}

/// Reads and validates a case file.
pub fn load_case(path: &PathBuf) -> anyhow::Result<Scenario> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading case file {}", path.display()))?;
    Scenario::from_toml_str(&text).with_context(|| format!("in case file {}", path.display()))
}

/// Runs the verb.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let scenario = load_case(&args.case)?;
    let params = Parameters::for_species(scenario.species)?;
    let sim = Simulation::new(&scenario, &params, args.resolution)?;
    let course = sim.run(scenario.horizon_days);
    let constants = readout::Constants::embedded()?;
    if args.json {
        let readings: Vec<readout::Readout> = key_days(scenario.horizon_days, &course.events)
            .into_iter()
            .map(|d| readout::read(constants, &scenario.muscle, course.at(d)))
            .collect();
        let out = serde_json::json!({
            "case": args.case.display().to_string(),
            "resolution": args.resolution,
            "scenario": scenario,
            "events": course.events,
            "readings": readings,
            "days": course.days,
        });
        println!("{}", serde_json::to_string(&out)?);
    } else {
        print!(
            "{}",
            summary(&scenario, &course, args.resolution, constants)
        );
    }
    if let Some(dir) = &args.report {
        crate::report::write_report(&scenario, &args.case.display().to_string(), dir)?;
        eprintln!("report written to {}", dir.join("index.html").display());
    }
    Ok(ExitCode::SUCCESS)
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
                "{grade} on day {}, {} mm from the motor entry point, {:.0}% of axons, regrowth {}",
                i.day.0,
                i.distance_mm.0,
                i.fraction_of_axons.0 * 100.0,
                match i.regrowth {
                    twin::Regrowth::Allowed => "allowed",
                    twin::Regrowth::Prevented => "prevented",
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
        } => format!("disuse ({model:?}) days {}-{}", start_day.0, end_day.0),
        Treatment::Rehabilitation {
            start_day,
            end_day,
            kind,
        } => format!(
            "rehabilitation ({kind:?}) days {}-{}",
            start_day.0, end_day.0
        ),
    }
}

/// The days the summary (and `--json` `readings`) show: fixed days up to the horizon, the event
/// days and the horizon.
pub fn key_days(horizon: u32, events: &twin::Events) -> Vec<u32> {
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

/// The day table of the summary: one clinical readout per key day (`readout::read`, the same
/// readings `snapshot` and the report print).
pub fn readings_table(rows: &[readout::Readout]) -> String {
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
pub fn summary(
    s: &Scenario,
    course: &TimeCourse,
    resolution: Resolution,
    constants: &readout::Constants,
) -> String {
    let mut o = String::new();
    o.push_str("reinnervate simulate — research and teaching software, not a medical device.\n\n");
    o.push_str(&format!(
        "Case: {} {}, age {} y, {} days, seed {}, {:?} resolution\n",
        s.species, s.muscle, s.age_years, s.horizon_days, s.seed, resolution
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
    let rows: Vec<readout::Readout> = key_days(s.horizon_days, &course.events)
        .into_iter()
        .map(|d| readout::read(constants, &s.muscle, course.at(d)))
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
    o.push_str("\nResearch and teaching software, not a medical device: do not use it to make clinical decisions.\n");
    o
}
