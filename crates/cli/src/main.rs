//! `reinnervate` — the command line. Thin: argument parsing and output; the crates do the work.
//!
//! Each verb lives in its own module with an `Args` struct and a `run` function.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod bn;
mod calibrate;
mod cohort;
mod db;
mod diagnose;
mod input;
mod plans;
mod prognosis;
mod prognosis_report;
mod report;
mod serve;
mod simulate;
mod snapshot;
mod token;

/// reinnervate: a computational twin of the nerve–muscle unit after denervation.
///
/// Research and teaching software, not a medical device.
#[derive(Parser)]
#[command(name = "reinnervate", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Simulate one case day by day and summarise the time course.
    Simulate(simulate::Args),
    /// Run a file of published experiments and compare the twin with them.
    Calibrate(calibrate::Args),
    /// Write the cross-section and needle-EMG pictures of one day.
    Snapshot(snapshot::Args),
    /// Prognosis per muscle for a patient's case (Monte Carlo).
    Prognosis(prognosis::Args),
    /// Compare treatment plans for a patient's case.
    Plans(plans::Args),
    /// From findings to a ranked differential, the lesion level and the next best test.
    Diagnose(diagnose::Args),
    /// Run a virtual cohort (distributions over patients, injuries and plans) into Parquet.
    Cohort(cohort::Args),
    /// Bayesian-network tools: exact queries and reference checks.
    Bn(bn::Args),
    /// The HTTP JSON API with stored cases (SQLite by default, or PostgreSQL).
    Serve(serve::Args),
    /// API tokens for the server.
    Token(token::Args),
    /// Backups of the server's database (export/import).
    Db(db::Args),
}

/// Restores the default action of SIGPIPE, so that `reinnervate … | head` ends quietly when the
/// reader stops instead of panicking on a failed write (Rust ignores SIGPIPE by default).
fn quiet_broken_pipe() {
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to its default before any thread is started.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn main() -> ExitCode {
    quiet_broken_pipe();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Simulate(args) => simulate::run(args),
        Command::Calibrate(args) => calibrate::run(args),
        Command::Snapshot(args) => snapshot::run(args),
        Command::Prognosis(args) => prognosis::run(args),
        Command::Plans(args) => plans::run(args),
        Command::Diagnose(args) => diagnose::run(args),
        Command::Cohort(args) => cohort::run(args),
        Command::Bn(args) => bn::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Token(args) => token::run(args),
        Command::Db(args) => db::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}
