//! The `bn` verb (not implemented yet).

use std::process::ExitCode;

/// Arguments of `reinnervate bn`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs the verb.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`bn` is not implemented yet")
}
