//! The `serve` verb: the HTTP JSON API (crate `server`) on a SQLite file or PostgreSQL.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;

/// Arguments of `reinnervate serve`.
///
/// Example: `reinnervate serve` (127.0.0.1:8080, `reinnervate.db` in the working directory).
#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:\n  reinnervate serve\n  \
    reinnervate serve --db postgres://reinnervate@db.example/reinnervate --bind 0.0.0.0:8080\n\n\
    On a loopback address with SQLite it runs without login for one user; anywhere else it needs\n\
    API tokens (`reinnervate token create --user NAME`). See docs/server.md.")]
pub struct Args {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long)]
    pub bind: Option<SocketAddr>,
    /// SQLite file (created if missing) or `postgres://…` URL [default: reinnervate.db].
    #[arg(long)]
    pub db: Option<String>,
    /// Jobs that run at once [default: 1].
    #[arg(long)]
    pub workers: Option<usize>,
    /// Jobs that may wait beyond those running; more are refused with 429 [default: 16].
    #[arg(long)]
    pub queue: Option<usize>,
    /// Largest number of Monte Carlo draws per run [default: 5000].
    #[arg(long)]
    pub max_draws: Option<usize>,
    /// Largest request body in bytes [default: 1048576].
    #[arg(long)]
    pub body_bytes: Option<usize>,
    /// Longest a job may run, in seconds [default: 600].
    #[arg(long)]
    pub job_seconds: Option<u64>,
    /// `auto` (no login on loopback with SQLite, tokens otherwise), `token` or `none`.
    #[arg(long)]
    pub auth: Option<AuthArg>,
    /// A TOML file with any of the settings above (keys as the flags, with `_`); flags win.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// Who may use the server.
#[derive(clap::ValueEnum, serde::Deserialize, Clone, Copy, Debug)]
#[serde(rename_all = "lowercase")]
pub enum AuthArg {
    /// No login on loopback with SQLite; tokens otherwise.
    Auto,
    /// API tokens always.
    Token,
    /// No login (refused unless on loopback with SQLite).
    None,
}

#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    bind: Option<SocketAddr>,
    db: Option<String>,
    workers: Option<usize>,
    queue: Option<usize>,
    max_draws: Option<usize>,
    body_bytes: Option<usize>,
    job_seconds: Option<u64>,
    auth: Option<AuthArg>,
}

/// A tokio runtime for the server verbs.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

/// The database URL of a `--db` argument (default `reinnervate.db`).
pub fn database(arg: Option<&str>) -> String {
    store::database_url(arg.unwrap_or("reinnervate.db"))
}

/// Runs the verb.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let file: FileConfig = match &args.config {
        Some(p) => {
            let text =
                std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
            toml::from_str(&text).with_context(|| format!("in {}", p.display()))?
        }
        None => FileConfig::default(),
    };
    let d = server::Limits::default();
    let limits = server::Limits {
        body_bytes: args.body_bytes.or(file.body_bytes).unwrap_or(d.body_bytes),
        max_draws: args.max_draws.or(file.max_draws).unwrap_or(d.max_draws),
        workers: args.workers.or(file.workers).unwrap_or(d.workers),
        queue: args.queue.or(file.queue).unwrap_or(d.queue),
        job_time: args
            .job_seconds
            .or(file.job_seconds)
            .map(Duration::from_secs)
            .unwrap_or(d.job_time),
    };
    if limits.workers == 0 {
        anyhow::bail!("--workers 0: expected at least one worker");
    }
    let auth = match args.auth.or(file.auth).unwrap_or(AuthArg::Auto) {
        AuthArg::Auto => server::Auth::Auto,
        AuthArg::Token => server::Auth::Tokens,
        AuthArg::None => server::Auth::None,
    };
    let config = server::Config {
        bind: args
            .bind
            .or(file.bind)
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080))),
        database: database(args.db.as_deref().or(file.db.as_deref())),
        limits,
        auth,
    };
    let rt = runtime()?;
    let served = rt.block_on(server::serve(config, |addr| {
        eprintln!("reinnervate serve: listening on http://{addr} (OpenAPI at /openapi.json, API docs at /docs)");
        eprintln!("Research and teaching software, not a medical device.");
    }));
    // A run that ignored cancellation past the grace period does not hold the exit.
    rt.shutdown_timeout(Duration::from_secs(1));
    served?;
    eprintln!("reinnervate serve: stopped");
    Ok(ExitCode::SUCCESS)
}
