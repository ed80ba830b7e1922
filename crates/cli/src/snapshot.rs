//! The `snapshot` verb: the clinical readout and the cross-section, needle-EMG and CMAP pictures of
//! one day (the case's own seed at fibre resolution: the run `simulate` makes by default, so both
//! give the same readings for the same day).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use crate::report;

/// Arguments of `reinnervate snapshot`.
///
/// Example: `reinnervate snapshot examples/tibialis-anterior-axonotmesis.toml --day 90 --out snap/`
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example:\n  reinnervate snapshot examples/tibialis-anterior-axonotmesis.toml --day 90 --out snap/"
)]
pub struct Args {
    /// The case file (TOML or JSON, experimental or patient's case).
    pub case: PathBuf,
    /// Day to picture (0 = before the injury).
    #[arg(long)]
    pub day: u32,
    /// Output directory (created if missing).
    #[arg(long)]
    pub out: PathBuf,
    /// The muscle of a patient's case to picture (default: the first affected muscle the twin
    /// has a motor-unit pool of; a muscle simulated with a stand-in's pool is refused).
    #[arg(long)]
    pub muscle: Option<String>,
    /// Print the day's readout and the pictures' data as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub budget: crate::input::Budget,
    /// Also draw a time strip: the same field of the cross-section on these days,
    /// comma-separated (e.g. `0,21,90,270,730`), as time_strip_<stain>.svg/.png.
    #[arg(long, value_delimiter = ',', value_name = "DAYS")]
    pub strip: Vec<u32>,
}

/// Runs the verb.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let engine = crate::input::engine()?;
    let case = crate::input::case(&engine, &args.case)?;
    let scenario = crate::simulate::one_scenario(&engine, &case, args.muscle.as_deref())?;
    let limits = engine::twin::limits::Limits::default();
    limits.day("--day", args.day as f64)?;
    for &d in &args.strip {
        limits.day("--strip", f64::from(d))?;
    }
    let mut strip_days = args.strip.clone();
    strip_days.sort_unstable();
    strip_days.dedup();
    let days: Vec<u32> = std::iter::once(args.day)
        .chain(strip_days.iter().copied())
        .collect();
    // The muscle pictured: the engine's choice (`Engine::scenario`: the one asked for, or the
    // first affected one with a motor-unit pool of its own), whose name the scenario carries.
    let pictured = Some(scenario.muscle.clone());
    crate::input::announce(
        &engine,
        &engine::Work::Simulate {
            case: &case,
            resolution: engine::Resolution::Fibre,
            muscle: pictured.as_deref(),
            days: days.iter().copied().max(),
        },
        args.budget,
    )?;
    let fonts = engine::pictures::Fonts::system();
    let run = engine
        .pictures(&scenario, &[args.day], &strip_days, &engine::Control::new())
        .with_context(|| format!("snapshot of {} on day {}", args.case.display(), args.day))?;
    let pics = run
        .days
        .first()
        .context("the run pictured no day (an internal error)")?;
    let mut written = report::write_day(&args.out, "", pics, &fonts)?;
    for strip in &run.strips {
        written.extend(report::write_picture(&args.out, "", strip, &fonts)?);
    }
    let json = serde_json::to_string_pretty(&serde_json::json!({
        "case": args.case.display().to_string(),
        "day": args.day,
        "seed": scenario.seed,
        "resolution": engine::Resolution::Fibre,
        "readout": pics.readout,
        "views": pics.views,
    }))?;
    let table = crate::simulate::readings_table(&[&pics.readout]);
    if args.json {
        println!("{json}");
    } else {
        println!("reinnervate snapshot — {}", engine::DISCLAIMER);
        println!("{} on day {}:\n", scenario.muscle, args.day);
        print!("{table}");
        println!("\nwrote");
        for w in written {
            println!("  {w}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
