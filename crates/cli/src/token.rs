//! The `token` verb: API tokens for the server. A token is printed once; only its hash is stored.

use std::process::ExitCode;

/// Arguments of `reinnervate token`.
///
/// Example: `reinnervate token create --user alice --db reinnervate.db`
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand, Debug)]
enum Command {
    /// Creates a token for a user (the user is created if missing) and prints it once.
    Create {
        /// The user's name.
        #[arg(long)]
        user: String,
        /// A label to recognise the token by (e.g. the machine it is for).
        #[arg(long, default_value = "")]
        label: String,
        /// SQLite file or `postgres://…` URL [default: reinnervate.db].
        #[arg(long)]
        db: Option<String>,
    },
    /// Revokes every token of a user.
    Revoke {
        /// The user's name.
        #[arg(long)]
        user: String,
        /// SQLite file or `postgres://…` URL [default: reinnervate.db].
        #[arg(long)]
        db: Option<String>,
    },
}

/// Runs the verb.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    crate::serve::runtime()?.block_on(async {
        match args.command {
            Command::Create { user, label, db } => {
                let s = store::Store::open(&crate::serve::database(db.as_deref())).await?;
                let (_, token) = s.create_token(&user, &label).await?;
                s.close().await;
                eprintln!("token for `{user}` (shown once; only its hash is stored):");
                println!("{token}");
            }
            Command::Revoke { user, db } => {
                let s = store::Store::open(&crate::serve::database(db.as_deref())).await?;
                let n = s.revoke_tokens(&user).await?;
                s.close().await;
                println!("{n} token(s) of `{user}` revoked");
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
