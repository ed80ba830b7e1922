//! Jobs: runs of the engine, on a stored case revision or on a case sent with the request. A job
//! is written when it is queued and again, in one statement, when it ends; its result is stored
//! with the engine version, the parameter-set version and the seed, so it can be reproduced and
//! recognised as stale.

use sqlx::Row;

use crate::{Store, StoreError, new_id, now};

/// Where a job is in its life.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum JobStatus {
    /// Waiting for a worker.
    Queued,
    /// Running.
    Running,
    /// Finished with a result.
    Done,
    /// Finished with an error.
    Failed,
    /// Cancelled by its owner, by its time limit or by the server shutting down.
    Cancelled,
    /// The server stopped (crash or kill) while the job was queued or running.
    Interrupted,
}

impl JobStatus {
    /// The stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Done => "done",
            JobStatus::Failed => "failed",
            JobStatus::Cancelled => "cancelled",
            JobStatus::Interrupted => "interrupted",
        }
    }

    /// Reads the stored text.
    pub fn parse(s: &str) -> Option<JobStatus> {
        Some(match s {
            "queued" => JobStatus::Queued,
            "running" => JobStatus::Running,
            "done" => JobStatus::Done,
            "failed" => JobStatus::Failed,
            "cancelled" => JobStatus::Cancelled,
            "interrupted" => JobStatus::Interrupted,
            _ => return None,
        })
    }

    /// Whether the job has ended.
    pub fn is_final(self) -> bool {
        !matches!(self, JobStatus::Queued | JobStatus::Running)
    }
}

/// A job to be queued.
#[derive(Debug, Clone)]
pub struct NewJob {
    /// Owner (user id).
    pub owner: String,
    /// The stored case and revision it runs on, if any.
    pub case: Option<(String, i64)>,
    /// The operation (`prognosis`, `plans`, …).
    pub op: String,
    /// The request as JSON text (options, and the case when it was sent in the body).
    pub request: String,
    /// Engine version.
    pub engine_version: String,
    /// Parameter-set version.
    pub params_version: String,
    /// The seed the run uses, when it has one.
    pub seed: Option<i64>,
}

/// A stored job.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct JobRecord {
    /// Identifier.
    pub id: String,
    /// Owner (user id).
    pub owner: String,
    /// The stored case it ran on, if any.
    pub case_id: Option<String>,
    /// The case revision it ran on, if any.
    pub rev: Option<i64>,
    /// The operation.
    pub op: String,
    /// The request as JSON text.
    pub request: String,
    /// Where the job is.
    pub status: JobStatus,
    /// The result as JSON text, when done.
    pub result: Option<String>,
    /// The error, when failed or cancelled.
    pub error: Option<String>,
    /// Engine version.
    pub engine_version: String,
    /// Parameter-set version.
    pub params_version: String,
    /// Seed.
    pub seed: Option<i64>,
    /// When queued.
    pub created_at: String,
    /// When it ended.
    pub finished_at: Option<String>,
    /// Units of work done when it ended (unknown for a job that has not ended, or that the
    /// server's stop interrupted).
    #[serde(default)]
    pub done: Option<i64>,
    /// Units of work announced when it ended.
    #[serde(default)]
    pub total: Option<i64>,
}

/// Which column an owner-scoped read of jobs selects on (a fixed set: never text from a request).
#[derive(Clone, Copy)]
enum OwnedBy {
    Id,
    Case,
}

/// How far a job got: units of work done and announced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct JobProgress {
    /// Units done.
    pub done: u64,
    /// Units announced.
    pub total: u64,
}

/// Every column of `jobs`, in the order [`insert_job_query`] binds them.
pub(crate) const COLUMNS: &str = "id, owner, case_id, rev, op, request, status, result, error, \
                       engine_version, params_version, seed, created_at, finished_at, done, total";

/// Inserts one whole job row: the query of [`Store::insert_job`] and of a backup's import.
pub(crate) fn insert_job_query(
    j: &JobRecord,
) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO jobs ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
    )))
    .bind(&j.id)
    .bind(&j.owner)
    .bind(&j.case_id)
    .bind(j.rev)
    .bind(&j.op)
    .bind(&j.request)
    .bind(j.status.as_str())
    .bind(&j.result)
    .bind(&j.error)
    .bind(&j.engine_version)
    .bind(&j.params_version)
    .bind(j.seed)
    .bind(&j.created_at)
    .bind(&j.finished_at)
    .bind(j.done)
    .bind(j.total)
}

/// A file a job made besides its JSON result (a picture as SVG text, a trace as JSON), read back
/// by name.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobFile {
    /// Its name within the job (e.g. `day/90/cross_section`).
    pub name: String,
    /// Its text.
    pub body: String,
}

/// Inserts one file of a job: the query of [`Store::finish_job_with_files`] and of a backup's
/// import.
pub(crate) fn insert_file_query<'q>(
    job_id: &'q str,
    f: &'q JobFile,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    sqlx::query("INSERT INTO job_files (job_id, name, body) VALUES ($1, $2, $3)")
        .bind(job_id)
        .bind(&f.name)
        .bind(&f.body)
}

fn job_from(row: &sqlx::any::AnyRow) -> Result<JobRecord, StoreError> {
    let status: String = row.try_get("status")?;
    Ok(JobRecord {
        id: row.try_get("id")?,
        owner: row.try_get("owner")?,
        case_id: row.try_get("case_id")?,
        rev: row.try_get("rev")?,
        op: row.try_get("op")?,
        request: row.try_get("request")?,
        status: JobStatus::parse(&status).ok_or_else(|| StoreError::NotFound {
            what: "job status",
            id: status.clone(),
        })?,
        result: row.try_get("result")?,
        error: row.try_get("error")?,
        engine_version: row.try_get("engine_version")?,
        params_version: row.try_get("params_version")?,
        seed: row.try_get("seed")?,
        created_at: row.try_get("created_at")?,
        finished_at: row.try_get("finished_at")?,
        done: row.try_get("done")?,
        total: row.try_get("total")?,
    })
}

impl Store {
    /// Writes a queued job and returns it.
    pub async fn insert_job(&self, job: &NewJob) -> Result<JobRecord, StoreError> {
        let record = JobRecord {
            id: new_id(),
            owner: job.owner.clone(),
            case_id: job.case.as_ref().map(|c| c.0.clone()),
            rev: job.case.as_ref().map(|c| c.1),
            op: job.op.clone(),
            request: job.request.clone(),
            status: JobStatus::Queued,
            result: None,
            error: None,
            engine_version: job.engine_version.clone(),
            params_version: job.params_version.clone(),
            seed: job.seed,
            created_at: now(),
            finished_at: None,
            done: None,
            total: None,
        };
        insert_job_query(&record).execute(self.pool()).await?;
        Ok(record)
    }

    /// Marks a queued job as running; `false` if it was no longer queued (e.g. cancelled).
    pub async fn start_job(&self, id: &str) -> Result<bool, StoreError> {
        let r =
            sqlx::query("UPDATE jobs SET status = 'running' WHERE id = $1 AND status = 'queued'")
                .bind(id)
                .execute(self.pool())
                .await?;
        Ok(r.rows_affected() > 0)
    }

    /// Ends a job that has not ended yet, in one statement: its status, its result or error, and
    /// how far it got. Returns `false` if the job had already ended.
    pub async fn finish_job(
        &self,
        id: &str,
        status: JobStatus,
        result: Option<&str>,
        error: Option<&str>,
        progress: JobProgress,
    ) -> Result<bool, StoreError> {
        self.finish_job_with_files(id, status, result, error, progress, &[])
            .await
    }

    /// Ends a job as [`Store::finish_job`] does and stores the files it made, in one
    /// transaction: either the end and every file are written, or nothing (the files of a job
    /// that had already ended are not written).
    pub async fn finish_job_with_files(
        &self,
        id: &str,
        status: JobStatus,
        result: Option<&str>,
        error: Option<&str>,
        progress: JobProgress,
        files: &[JobFile],
    ) -> Result<bool, StoreError> {
        let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        let mut tx = self.pool().begin().await?;
        let r = sqlx::query(
            "UPDATE jobs SET status = $1, result = $2, error = $3, finished_at = $4, done = $5, total = $6 \
             WHERE id = $7 AND status IN ('queued', 'running')",
        )
        .bind(status.as_str())
        .bind(result)
        .bind(error)
        .bind(now())
        .bind(count(progress.done))
        .bind(count(progress.total))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let ended = r.rows_affected() > 0;
        if ended {
            for f in files {
                insert_file_query(id, f).execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
        Ok(ended)
    }

    /// The file `name` of the job `job_id` of `owner` (`None`: no such job of this owner, or no
    /// such file).
    pub async fn job_file(
        &self,
        owner: &str,
        job_id: &str,
        name: &str,
    ) -> Result<Option<String>, StoreError> {
        let row = sqlx::query(
            "SELECT f.body FROM job_files f JOIN jobs j ON j.id = f.job_id \
             WHERE j.owner = $1 AND f.job_id = $2 AND f.name = $3",
        )
        .bind(owner)
        .bind(job_id)
        .bind(name)
        .fetch_optional(self.pool())
        .await?;
        Ok(match row {
            Some(r) => Some(r.try_get("body")?),
            None => None,
        })
    }

    /// Every file of every job, in job and name order (for a backup).
    pub(crate) async fn all_job_files(&self) -> Result<Vec<(String, JobFile)>, StoreError> {
        let rows = sqlx::query("SELECT job_id, name, body FROM job_files ORDER BY job_id, name")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("job_id")?,
                    JobFile {
                        name: r.try_get("name")?,
                        body: r.try_get("body")?,
                    },
                ))
            })
            .collect()
    }

    /// `owner`'s jobs whose `key` column is `value`, newest first: every read of jobs is this
    /// one owner-scoped query.
    async fn owned_jobs(
        &self,
        owner: &str,
        key: OwnedBy,
        value: &str,
    ) -> Result<Vec<JobRecord>, StoreError> {
        let column = match key {
            OwnedBy::Id => "id",
            OwnedBy::Case => "case_id",
        };
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM jobs WHERE owner = $1 AND {column} = $2 ORDER BY created_at DESC, id"
        )))
        .bind(owner)
        .bind(value)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(job_from).collect()
    }

    /// The job `id` of `owner`.
    pub async fn job(&self, owner: &str, id: &str) -> Result<Option<JobRecord>, StoreError> {
        let jobs = self.owned_jobs(owner, OwnedBy::Id, id).await?;
        Ok(jobs.into_iter().next())
    }

    /// The jobs run on the case `case_id` of `owner`, newest first.
    pub async fn jobs_for_case(
        &self,
        owner: &str,
        case_id: &str,
    ) -> Result<Vec<JobRecord>, StoreError> {
        self.owned_jobs(owner, OwnedBy::Case, case_id).await
    }

    /// Marks every job left queued or running by an earlier process as interrupted (called at
    /// start-up); returns how many.
    pub async fn interrupt_unfinished(&self) -> Result<u64, StoreError> {
        let r = sqlx::query(
            "UPDATE jobs SET status = 'interrupted', error = 'the server stopped before the job ended', \
             finished_at = $1 WHERE status IN ('queued', 'running')",
        )
        .bind(now())
        .execute(self.pool())
        .await?;
        Ok(r.rows_affected())
    }
}
