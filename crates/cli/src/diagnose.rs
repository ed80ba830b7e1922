//! The `diagnose` verb (not implemented yet).

use std::process::ExitCode;

/// Arguments of `reinnervate diagnose`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs the verb.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`diagnose` is not implemented yet")
}
