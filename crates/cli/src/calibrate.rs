//! The `calibrate` verb (not implemented yet).

use std::process::ExitCode;

/// Arguments of `reinnervate calibrate`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs the verb.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`calibrate` is not implemented yet")
}
