//! The `plans` verb (not implemented yet).

use std::process::ExitCode;

/// Arguments of `reinnervate plans`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs the verb.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`plans` is not implemented yet")
}
