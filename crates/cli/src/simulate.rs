//! The `simulate` verb (not implemented yet).

use std::process::ExitCode;

/// Arguments of `reinnervate simulate`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs the verb.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`simulate` is not implemented yet")
}
