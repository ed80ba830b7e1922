//! The `db` verb: backups of the server's database as one portable JSON file, readable by
//! SQLite and PostgreSQL alike.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

/// Arguments of `reinnervate db`.
///
/// Example: `reinnervate db export backup.json --db reinnervate.db`
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand, Debug)]
enum Command {
    /// Writes the whole database (users, token hashes, cases with every revision, jobs and results).
    Export {
        /// The file to write.
        file: PathBuf,
        /// SQLite file or `postgres://…` URL [default: reinnervate.db].
        #[arg(long)]
        db: Option<String>,
    },
    /// Reads an exported file into an empty database (all or nothing).
    Import {
        /// The file to read.
        file: PathBuf,
        /// SQLite file or `postgres://…` URL [default: reinnervate.db].
        #[arg(long)]
        db: Option<String>,
    },
}

/// Runs the verb.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    crate::serve::runtime()?.block_on(async {
        match args.command {
            Command::Export { file, db } => {
                let s = store::Store::open(&crate::serve::database(db.as_deref())).await?;
                let dump = s.export().await?;
                s.close().await;
                let text = serde_json::to_string_pretty(&dump)?;
                std::fs::write(&file, text)
                    .with_context(|| format!("writing {}", file.display()))?;
                eprintln!(
                    "exported {} case(s), {} revision(s), {} job(s) to {}",
                    dump.cases.len(),
                    dump.revisions.len(),
                    dump.jobs.len(),
                    file.display()
                );
            }
            Command::Import { file, db } => {
                let text = std::fs::read_to_string(&file)
                    .with_context(|| format!("reading {}", file.display()))?;
                let dump = store::Dump::from_json(&text)?;
                let s = store::Store::open(&crate::serve::database(db.as_deref())).await?;
                s.import(&dump).await?;
                s.close().await;
                eprintln!(
                    "imported {} case(s) from {}",
                    dump.cases.len(),
                    file.display()
                );
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
