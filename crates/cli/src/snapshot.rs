//! The `snapshot` verb (not implemented yet).

use std::process::ExitCode;

/// Arguments of `reinnervate snapshot`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs the verb.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`snapshot` is not implemented yet")
}
