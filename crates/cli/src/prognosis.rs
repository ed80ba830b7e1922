//! The `prognosis` verb (not implemented yet).

use std::process::ExitCode;

/// Arguments of `reinnervate prognosis`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs the verb.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`prognosis` is not implemented yet")
}
