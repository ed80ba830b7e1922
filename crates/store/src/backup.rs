//! Backups: the whole database as one portable JSON document (`reinnervate db export/import`),
//! readable by either backend whatever wrote it.

use sqlx::Row;

use crate::{CaseRevision, JobFile, JobRecord, Store, StoreError, User};

/// The portable form of a database.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dump {
    /// Always `"reinnervate-db"`.
    pub format: String,
    /// Schema version of the dump (1).
    pub version: u32,
    /// Users.
    pub users: Vec<User>,
    /// Token hashes: (hash, user id, label, created at). Tokens themselves are never stored.
    pub tokens: Vec<(String, String, String, String)>,
    /// Cases: (id, owner, created at).
    pub cases: Vec<(String, String, String)>,
    /// Every revision of every case.
    pub revisions: Vec<CaseRevision>,
    /// Every job with its result.
    pub jobs: Vec<JobRecord>,
    /// The files jobs made (pictures, traces): (job id, file). Absent in dumps written before
    /// jobs made files.
    #[serde(default)]
    pub job_files: Vec<(String, JobFile)>,
}

const FORMAT: &str = "reinnervate-db";

impl Store {
    /// Reads the whole database into a [`Dump`].
    pub async fn export(&self) -> Result<Dump, StoreError> {
        let mut users = Vec::new();
        for row in sqlx::query("SELECT id, name, created_at FROM users ORDER BY created_at, id")
            .fetch_all(self.pool())
            .await?
        {
            users.push(User {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                created_at: row.try_get("created_at")?,
            });
        }
        let mut tokens: Vec<(String, String, String, String)> = Vec::new();
        for row in sqlx::query(
            "SELECT hash, user_id, label, created_at FROM tokens ORDER BY created_at, hash",
        )
        .fetch_all(self.pool())
        .await?
        {
            tokens.push((
                row.try_get("hash")?,
                row.try_get("user_id")?,
                row.try_get("label")?,
                row.try_get("created_at")?,
            ));
        }
        let mut cases: Vec<(String, String, String)> = Vec::new();
        for row in sqlx::query("SELECT id, owner, created_at FROM cases ORDER BY created_at, id")
            .fetch_all(self.pool())
            .await?
        {
            cases.push((
                row.try_get("id")?,
                row.try_get("owner")?,
                row.try_get("created_at")?,
            ));
        }
        let mut revisions = Vec::new();
        for (id, owner, _) in &cases {
            let revs = self.revisions(owner, id).await?.unwrap_or_default();
            for r in revs {
                if let Some(full) = self.revision(owner, id, Some(r.rev)).await? {
                    revisions.push(full);
                }
            }
        }
        let mut jobs = Vec::new();
        for row in sqlx::query("SELECT id, owner FROM jobs ORDER BY created_at, id")
            .fetch_all(self.pool())
            .await?
        {
            let id: String = row.try_get("id")?;
            let owner: String = row.try_get("owner")?;
            if let Some(j) = self.job(&owner, &id).await? {
                jobs.push(j);
            }
        }
        Ok(Dump {
            format: FORMAT.to_string(),
            version: 1,
            users,
            tokens,
            cases,
            revisions,
            jobs,
            job_files: self.all_job_files().await?,
        })
    }

    /// Writes a [`Dump`] into this database, which must hold no users or cases yet; all or
    /// nothing (one transaction).
    pub async fn import(&self, dump: &Dump) -> Result<(), StoreError> {
        if dump.format != FORMAT || dump.version != 1 {
            return Err(StoreError::Conflict {
                field: "format",
                value: format!("{} version {}", dump.format, dump.version),
                expected: "a reinnervate-db version 1 dump",
            });
        }
        let mut tx = self.pool().begin().await?;
        // Write first (SQLite takes its write lock), then check the target was empty.
        sqlx::query("DELETE FROM users WHERE 1 = 0")
            .execute(&mut *tx)
            .await?;
        let n: i64 =
            sqlx::query("SELECT (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM cases) AS n")
                .fetch_one(&mut *tx)
                .await?
                .try_get("n")?;
        if n > 0 {
            tx.rollback().await?;
            return Err(StoreError::Conflict {
                field: "database",
                value: format!("{n} users and cases"),
                expected: "an empty database to import into",
            });
        }
        for u in &dump.users {
            sqlx::query("INSERT INTO users (id, name, created_at) VALUES ($1, $2, $3)")
                .bind(&u.id)
                .bind(&u.name)
                .bind(&u.created_at)
                .execute(&mut *tx)
                .await?;
        }
        for (hash, user, label, at) in &dump.tokens {
            sqlx::query(
                "INSERT INTO tokens (hash, user_id, label, created_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(hash)
            .bind(user)
            .bind(label)
            .bind(at)
            .execute(&mut *tx)
            .await?;
        }
        for (id, owner, at) in &dump.cases {
            let latest = dump
                .revisions
                .iter()
                .filter(|r| &r.case_id == id)
                .max_by_key(|r| r.rev);
            let Some(latest) = latest else {
                return Err(StoreError::NotFound {
                    what: "revision of case",
                    id: id.clone(),
                });
            };
            sqlx::query(
                "INSERT INTO cases (id, owner, title, latest_rev, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(owner)
            .bind(&latest.title)
            .bind(latest.rev)
            .bind(at)
            .bind(&latest.created_at)
            .execute(&mut *tx)
            .await?;
        }
        for r in &dump.revisions {
            sqlx::query(
                "INSERT INTO case_revisions (case_id, rev, title, format, body, note, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&r.case_id)
            .bind(r.rev)
            .bind(&r.title)
            .bind(&r.format)
            .bind(&r.body)
            .bind(&r.note)
            .bind(&r.created_at)
            .execute(&mut *tx)
            .await?;
        }
        for j in &dump.jobs {
            crate::jobs::insert_job_query(j).execute(&mut *tx).await?;
        }
        for (job, f) in &dump.job_files {
            crate::jobs::insert_file_query(job, f)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

impl Dump {
    /// Reads a dump from its JSON text.
    pub fn from_json(text: &str) -> Result<Dump, StoreError> {
        serde_json::from_str(text).map_err(|source| StoreError::Json {
            what: "reading the database dump".into(),
            source,
        })
    }
}
