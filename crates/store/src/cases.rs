//! Cases and their revisions. A case is owned by one user; every change (an edit, appended
//! follow-up observations) writes a new revision and the old ones stay readable.

use sqlx::Row;

use crate::{Store, StoreError, new_id, now};

/// What is written for a new revision: the case file as the user gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseWrite {
    /// Title shown in lists.
    pub title: String,
    /// `toml` or `json`.
    pub format: String,
    /// The case file's text.
    pub body: String,
    /// Why this revision was made (e.g. "created", "follow-up observations appended").
    pub note: String,
}

/// One stored revision of a case, with its text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct CaseRevision {
    /// Case identifier.
    pub case_id: String,
    /// Revision number, from 1.
    pub rev: i64,
    /// Title of the case at this revision.
    pub title: String,
    /// `toml` or `json`: the format of `body`.
    pub format: String,
    /// The case file's text, as given.
    pub body: String,
    /// Why this revision was made.
    pub note: String,
    /// When this revision was written (RFC 3339, UTC).
    pub created_at: String,
}

/// A revision without its text (for the list of revisions).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct RevisionSummary {
    /// Revision number.
    pub rev: i64,
    /// Title at this revision.
    pub title: String,
    /// Why this revision was made.
    pub note: String,
    /// When it was written.
    pub created_at: String,
}

/// A case in a list.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct CaseSummary {
    /// Case identifier.
    pub id: String,
    /// Title of the latest revision.
    pub title: String,
    /// The latest revision number.
    pub latest_rev: i64,
    /// When the case was created.
    pub created_at: String,
    /// When its latest revision was written.
    pub updated_at: String,
}

/// A page of cases.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct CaseList {
    /// The cases on this page, newest first.
    pub items: Vec<CaseSummary>,
    /// How many cases match the filter in all.
    pub total: i64,
}

/// Which cases to list.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    /// Only titles containing this text (case-insensitive).
    pub title: Option<String>,
    /// Only cases created at or after this time (RFC 3339 prefix, e.g. `2026-01-31`).
    pub created_from: Option<String>,
    /// Only cases created before this time (RFC 3339 prefix).
    pub created_before: Option<String>,
    /// Page size.
    pub limit: i64,
    /// Cases skipped before the page.
    pub offset: i64,
}

fn revision_from(row: &sqlx::any::AnyRow) -> Result<CaseRevision, StoreError> {
    Ok(CaseRevision {
        case_id: row.try_get("case_id")?,
        rev: row.try_get("rev")?,
        title: row.try_get("title")?,
        format: row.try_get("format")?,
        body: row.try_get("body")?,
        note: row.try_get("note")?,
        created_at: row.try_get("created_at")?,
    })
}

fn summary_from(row: &sqlx::any::AnyRow) -> Result<CaseSummary, StoreError> {
    Ok(CaseSummary {
        id: row.try_get("id")?,
        title: row.try_get("title")?,
        latest_rev: row.try_get("latest_rev")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

const INSERT_REVISION: &str = "INSERT INTO case_revisions (case_id, rev, title, format, body, note, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7)";

impl Store {
    /// Creates a case owned by `owner` with its first revision.
    pub async fn create_case(
        &self,
        owner: &str,
        write: &CaseWrite,
    ) -> Result<CaseRevision, StoreError> {
        let id = new_id();
        let now = now();
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "INSERT INTO cases (id, owner, title, latest_rev, created_at, updated_at) VALUES ($1, $2, $3, 1, $4, $4)",
        )
        .bind(&id)
        .bind(owner)
        .bind(&write.title)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(INSERT_REVISION)
            .bind(&id)
            .bind(1i64)
            .bind(&write.title)
            .bind(&write.format)
            .bind(&write.body)
            .bind(&write.note)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(CaseRevision {
            case_id: id,
            rev: 1,
            title: write.title.clone(),
            format: write.format.clone(),
            body: write.body.clone(),
            note: write.note.clone(),
            created_at: now,
        })
    }

    /// Writes a new revision of the case `id` owned by `owner`; `None` if there is no such case
    /// of this owner.
    pub async fn add_revision(
        &self,
        owner: &str,
        id: &str,
        write: &CaseWrite,
    ) -> Result<Option<CaseRevision>, StoreError> {
        let now = now();
        let mut tx = self.pool().begin().await?;
        // The first statement writes, so SQLite takes the write lock before anything is read.
        let row = sqlx::query(
            "UPDATE cases SET latest_rev = latest_rev + 1, title = $1, updated_at = $2 \
             WHERE id = $3 AND owner = $4 RETURNING latest_rev",
        )
        .bind(&write.title)
        .bind(&now)
        .bind(id)
        .bind(owner)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            tx.rollback().await?;
            return Ok(None);
        };
        let rev: i64 = row.try_get("latest_rev")?;
        sqlx::query(INSERT_REVISION)
            .bind(id)
            .bind(rev)
            .bind(&write.title)
            .bind(&write.format)
            .bind(&write.body)
            .bind(&write.note)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(CaseRevision {
            case_id: id.to_string(),
            rev,
            title: write.title.clone(),
            format: write.format.clone(),
            body: write.body.clone(),
            note: write.note.clone(),
            created_at: now,
        }))
    }

    /// Revision `rev` of the case, or its latest revision when `rev` is `None`.
    pub async fn revision(
        &self,
        owner: &str,
        id: &str,
        rev: Option<i64>,
    ) -> Result<Option<CaseRevision>, StoreError> {
        // One query for both: revision `rev`, or (NULL) the case's latest.
        let row = sqlx::query(
            "SELECT r.case_id, r.rev, r.title, r.format, r.body, r.note, r.created_at \
             FROM case_revisions r JOIN cases c ON c.id = r.case_id \
             WHERE r.case_id = $1 AND c.owner = $2 AND r.rev = COALESCE($3, c.latest_rev)",
        )
        .bind(id)
        .bind(owner)
        .bind(rev)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(revision_from).transpose()
    }

    /// The revisions of a case, oldest first; `None` if there is no such case of this owner.
    pub async fn revisions(
        &self,
        owner: &str,
        id: &str,
    ) -> Result<Option<Vec<RevisionSummary>>, StoreError> {
        if self.case_summary(owner, id).await?.is_none() {
            return Ok(None);
        }
        let rows = sqlx::query(
            "SELECT rev, title, note, created_at FROM case_revisions WHERE case_id = $1 ORDER BY rev",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push(RevisionSummary {
                rev: row.try_get("rev")?,
                title: row.try_get("title")?,
                note: row.try_get("note")?,
                created_at: row.try_get("created_at")?,
            });
        }
        Ok(Some(out))
    }

    /// The case `id` of `owner` as a list entry.
    pub async fn case_summary(
        &self,
        owner: &str,
        id: &str,
    ) -> Result<Option<CaseSummary>, StoreError> {
        let row = sqlx::query(
            "SELECT id, title, latest_rev, created_at, updated_at FROM cases WHERE id = $1 AND owner = $2",
        )
        .bind(id)
        .bind(owner)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(summary_from).transpose()
    }

    /// A page of `owner`'s cases, newest first.
    pub async fn list_cases(
        &self,
        owner: &str,
        filter: &CaseFilter,
    ) -> Result<CaseList, StoreError> {
        let title = filter
            .title
            .as_ref()
            .map(|t| format!("%{}%", t.to_lowercase()));
        let from = filter.created_from.clone().unwrap_or_default();
        // '~' sorts after every character of a timestamp.
        let before = filter
            .created_before
            .clone()
            .unwrap_or_else(|| "~".to_string());
        let clause = "FROM cases WHERE owner = $1 AND ($2 = '' OR LOWER(title) LIKE $2) \
                      AND created_at >= $3 AND created_at < $4";
        let total: i64 = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) AS n {clause}"
        )))
        .bind(owner)
        .bind(title.clone().unwrap_or_default())
        .bind(&from)
        .bind(&before)
        .fetch_one(self.pool())
        .await?
        .try_get("n")?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT id, title, latest_rev, created_at, updated_at {clause} \
             ORDER BY created_at DESC, id LIMIT $5 OFFSET $6"
        )))
        .bind(owner)
        .bind(title.unwrap_or_default())
        .bind(&from)
        .bind(&before)
        .bind(filter.limit)
        .bind(filter.offset)
        .fetch_all(self.pool())
        .await?;
        let items = rows.iter().map(summary_from).collect::<Result<_, _>>()?;
        Ok(CaseList { items, total })
    }

    /// Deletes the case `id` of `owner` with its revisions and jobs; `false` if there was none.
    pub async fn delete_case(&self, owner: &str, id: &str) -> Result<bool, StoreError> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "DELETE FROM job_files WHERE job_id IN (SELECT id FROM jobs WHERE case_id = $1 AND owner = $2)",
        )
        .bind(id)
        .bind(owner)
        .execute(&mut *tx)
        .await?;
        let gone = sqlx::query("DELETE FROM jobs WHERE case_id = $1 AND owner = $2")
            .bind(id)
            .bind(owner)
            .execute(&mut *tx)
            .await?;
        let _ = gone;
        let revs = sqlx::query(
            "DELETE FROM case_revisions WHERE case_id IN (SELECT id FROM cases WHERE id = $1 AND owner = $2)",
        )
        .bind(id)
        .bind(owner)
        .execute(&mut *tx)
        .await?;
        let _ = revs;
        let cases = sqlx::query("DELETE FROM cases WHERE id = $1 AND owner = $2")
            .bind(id)
            .bind(owner)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(cases.rows_affected() > 0)
    }
}
