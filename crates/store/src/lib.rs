//! Stored cases for reinnervate: users with hashed API tokens, cases with revisions, and the jobs
//! (engine runs) with their results, on SQLite or PostgreSQL through one code path.
//!
//! The same runtime queries (sqlx's `Any` driver, `$1` placeholders) and the same migrations run
//! on both databases. Identifiers, timestamps and JSON are stored as text; timestamps are RFC 3339
//! UTC with a fixed width, so text order is time order. SQLite runs in WAL mode with
//! `synchronous = FULL`, so an acknowledged write survives a crash.
//!
//! **Invariants:** every read and write of a case or a job names its owner, so one user can never
//! see another's data through this API; every write that spans rows is one transaction that
//! begins with a write (so SQLite takes its write lock first and never fails an upgrade).
//! This crate knows no HTTP and no engine: case bodies and results are opaque text here.

#![deny(missing_docs)]

mod backup;
mod cases;
mod jobs;
mod users;

use std::str::FromStr;

pub use backup::Dump;
pub use cases::{CaseFilter, CaseList, CaseRevision, CaseSummary, CaseWrite, RevisionSummary};
pub use jobs::{JobFile, JobProgress, JobRecord, JobStatus, NewJob};
pub use users::{LOCAL_USER, User, token_hash};

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Row};

/// An error of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database URL is neither `sqlite:` nor `postgres:`.
    #[error("database url `{0}`: expected `sqlite:PATH` or `postgres://…`")]
    Url(String),
    /// The database refused or failed a query.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// The schema migrations failed.
    #[error("migrating the database schema: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored JSON value or an imported file could not be read.
    #[error("{what}: {source}")]
    Json {
        /// What was being read.
        what: String,
        /// The parser's message.
        source: serde_json::Error,
    },
    /// A name that must be unique is taken, or an import target is not empty.
    #[error("{field} `{value}`: {expected}")]
    Conflict {
        /// The field.
        field: &'static str,
        /// The value given.
        value: String,
        /// What was expected.
        expected: &'static str,
    },
    /// A referenced row does not exist.
    #[error("{what} `{id}` not found")]
    NotFound {
        /// The kind of row.
        what: &'static str,
        /// Its identifier.
        id: String,
    },
}

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// One SQLite file (WAL mode).
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// The storage: a connection pool on a migrated database.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

/// Turns a command-line database argument into a URL: `postgres://…`, `postgresql://…` and
/// `sqlite:…` are kept; anything else is taken as the path of a SQLite file, created if missing.
pub fn database_url(arg: &str) -> String {
    if arg.starts_with("postgres://")
        || arg.starts_with("postgresql://")
        || arg.starts_with("sqlite:")
    {
        arg.to_string()
    } else {
        format!("sqlite://{arg}?mode=rwc")
    }
}

fn migrator() -> sqlx::migrate::Migrator {
    use sqlx::migrate::{Migration, MigrationType, Migrator};
    use std::borrow::Cow;
    let migration = |version, name, sql: &'static str| {
        Migration::new(
            version,
            Cow::Borrowed(name),
            MigrationType::Simple,
            sqlx::SqlSafeStr::into_sql_str(sql),
            false,
        )
    };
    let migrations = vec![
        migration(1, "init", include_str!("../migrations/0001_init.sql")),
        migration(
            2,
            "job progress",
            include_str!("../migrations/0002_job_progress.sql"),
        ),
        migration(
            3,
            "job files",
            include_str!("../migrations/0003_job_files.sql"),
        ),
    ];
    Migrator {
        migrations: Cow::Owned(migrations),
        ..Migrator::DEFAULT
    }
}

impl Store {
    /// Connects to `url` (see [`database_url`]), creating a SQLite file if needed, and brings the
    /// schema up to date.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::Url(url.to_string()));
        };
        let max = match backend {
            Backend::Sqlite => 4,
            Backend::Postgres => 8,
        };
        let _ = sqlx::any::AnyConnectOptions::from_str(url)?;
        let sqlite = backend == Backend::Sqlite;
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if sqlite {
                        // Per connection: every commit reaches the disk before it is
                        // acknowledged; writers wait for each other instead of failing.
                        sqlx::raw_sql(
                            "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                        )
                        .execute(conn)
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect(url)
            .await?;
        if sqlite {
            // Stored in the file: readers do not block the writer, and a crash loses no commit.
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await?;
        }
        migrator().run(&pool).await?;
        Ok(Store { pool, backend })
    }

    /// The database this store runs on.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes the pool, waiting for connections in use (SQLite checkpoints its WAL on close).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Checks the database: SQLite's `PRAGMA integrity_check` (`"ok"` when clean) and its journal
    /// mode; on PostgreSQL a trivial query (the server checks its own pages).
    pub async fn integrity_check(&self) -> Result<String, StoreError> {
        match self.backend {
            Backend::Sqlite => {
                let row = sqlx::query("PRAGMA integrity_check")
                    .fetch_one(&self.pool)
                    .await?;
                Ok(row.try_get::<String, _>(0)?)
            }
            Backend::Postgres => {
                let row = sqlx::query("SELECT 'ok'").fetch_one(&self.pool).await?;
                Ok(row.try_get::<String, _>(0)?)
            }
        }
    }

    /// SQLite's journal mode (`"wal"`), or `None` on PostgreSQL.
    pub async fn journal_mode(&self) -> Result<Option<String>, StoreError> {
        match self.backend {
            Backend::Sqlite => {
                let row = sqlx::query("PRAGMA journal_mode")
                    .fetch_one(&self.pool)
                    .await?;
                Ok(Some(row.try_get::<String, _>(0)?))
            }
            Backend::Postgres => Ok(None),
        }
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }
}

/// The current time as stored: RFC 3339 UTC with microseconds, fixed width.
pub fn now() -> String {
    let f = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
    );
    time::OffsetDateTime::now_utc()
        .format(&f)
        .unwrap_or_else(|e| panic!("formatting the current UTC time cannot fail: {e}"))
}

/// A fresh random identifier: 128 bits from the operating system, as 32 hex digits.
pub fn new_id() -> String {
    use rand::RngCore;
    let mut b = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex(&b)
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Creates a fresh, empty database on the PostgreSQL server of `admin_url` and returns its URL
/// (for tests: each test gets its own database on one throw-away cluster).
pub async fn scratch_postgres(admin_url: &str) -> Result<String, StoreError> {
    use sqlx::Connection;
    install_default_drivers();
    let name = format!("t_{}", new_id());
    let mut conn = sqlx::AnyConnection::connect(admin_url).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    let base = admin_url
        .rsplit_once('/')
        .map(|(b, _)| b)
        .ok_or_else(|| StoreError::Url(admin_url.to_string()))?;
    Ok(format!("{base}/{name}"))
}
