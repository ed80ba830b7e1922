//! `/v1/cases`: stored cases with revisions. A case file is accepted as the command line takes it
//! (TOML or JSON), checked by the engine before it is stored, and every change is a new revision.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use store::{CaseFilter, CaseList, CaseRevision, CaseWrite, RevisionSummary};

use crate::AppState;
use crate::extract::{Caller, CaseFile, Json, Query};
use crate::problem::{ApiError, OrNotFound, Problem};

/// Query parameters of the case list.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only titles containing this text (case-insensitive).
    pub title: Option<String>,
    /// Only cases created at or after this time (RFC 3339 or a prefix such as `2026-01-31`).
    pub created_from: Option<String>,
    /// Only cases created before this time (RFC 3339 or a prefix).
    pub created_before: Option<String>,
    /// Page size (1 to 200, default 50).
    pub limit: Option<i64>,
    /// Cases skipped before the page (default 0).
    pub offset: Option<i64>,
}

/// Follow-up observations to append to a case (as the case file's `[[observation]]` entries).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Observations {
    /// Observations, each as in the case file (`day` or `date`, `muscle`, `mrc`, `emg`, `ncs`, `note`).
    #[schema(value_type = Vec<Object>)]
    pub observations: Vec<serde_json::Value>,
    /// Why this revision was made (default: "follow-up observations appended").
    pub note: Option<String>,
}

fn check(state: &AppState, file: &CaseFile, note: &str) -> Result<CaseWrite, ApiError> {
    let info = state.runner.check_case(&file.text)?;
    Ok(CaseWrite {
        title: info.title,
        format: file.format.to_string(),
        body: file.text.clone(),
        note: note.to_string(),
    })
}

/// Stores a new case (its first revision).
#[utoipa::path(post, path = "/v1/cases", tag = "cases",
    request_body(content = String, description = "A case file, TOML (`application/toml`) or JSON", content_type = "application/toml"),
    responses(
        (status = 201, description = "Stored", body = CaseRevision),
        (status = 400, description = "Not a readable case file", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is not valid", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create(
    State(state): State<AppState>,
    Caller(user): Caller,
    file: CaseFile,
) -> Result<Response, ApiError> {
    let write = check(&state, &file, "created")?;
    let rev = state.store.create_case(&user.id, &write).await?;
    let location = format!("/v1/cases/{}", rev.case_id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        axum::Json(rev),
    )
        .into_response())
}

/// Lists the caller's cases, newest first.
#[utoipa::path(get, path = "/v1/cases", tag = "cases", params(ListQuery),
    responses(
        (status = 200, description = "A page of cases", body = CaseList),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is out of range", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(
    State(state): State<AppState>,
    Caller(user): Caller,
    Query(q): Query<ListQuery>,
) -> Result<axum::Json<CaseList>, ApiError> {
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::field("limit", limit.to_string(), "1 to 200"));
    }
    let offset = q.offset.unwrap_or(0);
    if offset < 0 {
        return Err(ApiError::field("offset", offset.to_string(), "0 or more"));
    }
    let filter = CaseFilter {
        title: q.title,
        created_from: q.created_from,
        created_before: q.created_before,
        limit,
        offset,
    };
    Ok(axum::Json(state.store.list_cases(&user.id, &filter).await?))
}

/// The latest revision of a case.
#[utoipa::path(get, path = "/v1/cases/{id}", tag = "cases",
    params(("id" = String, Path, description = "Case id")),
    responses(
        (status = 200, description = "The latest revision", body = CaseRevision),
        (status = 404, description = "No such case of the caller", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn read(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<String>,
) -> Result<axum::Json<CaseRevision>, ApiError> {
    let rev = state.store.revision(&user.id, &id, None).await?;
    rev.map(axum::Json).or_not_found("case", id)
}

/// Replaces a case with a new revision (the old ones stay readable).
#[utoipa::path(put, path = "/v1/cases/{id}", tag = "cases",
    params(("id" = String, Path, description = "Case id")),
    request_body(content = String, description = "A case file, TOML or JSON", content_type = "application/toml"),
    responses(
        (status = 200, description = "The new revision", body = CaseRevision),
        (status = 404, description = "No such case of the caller", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is not valid", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<String>,
    file: CaseFile,
) -> Result<axum::Json<CaseRevision>, ApiError> {
    let write = check(&state, &file, "edited")?;
    let rev = state.store.add_revision(&user.id, &id, &write).await?;
    rev.map(axum::Json).or_not_found("case", id)
}

/// Deletes a case with its revisions and results.
#[utoipa::path(delete, path = "/v1/cases/{id}", tag = "cases",
    params(("id" = String, Path, description = "Case id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such case of the caller", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let deleted = state.store.delete_case(&user.id, &id).await?;
    deleted
        .then_some(StatusCode::NO_CONTENT)
        .or_not_found("case", id)
}

/// The revisions of a case, oldest first.
#[utoipa::path(get, path = "/v1/cases/{id}/revisions", tag = "cases",
    params(("id" = String, Path, description = "Case id")),
    responses(
        (status = 200, description = "Revisions", body = Vec<RevisionSummary>),
        (status = 404, description = "No such case of the caller", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn revisions(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<String>,
) -> Result<axum::Json<Vec<RevisionSummary>>, ApiError> {
    let revs = state.store.revisions(&user.id, &id).await?;
    revs.map(axum::Json).or_not_found("case", id)
}

/// One revision of a case.
#[utoipa::path(get, path = "/v1/cases/{id}/revisions/{rev}", tag = "cases",
    params(("id" = String, Path, description = "Case id"), ("rev" = i64, Path, description = "Revision, from 1")),
    responses(
        (status = 200, description = "The revision", body = CaseRevision),
        (status = 404, description = "No such revision of a case of the caller", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a revision number", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn revision(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path((id, rev)): Path<(String, String)>,
) -> Result<axum::Json<CaseRevision>, ApiError> {
    let n: i64 = rev
        .parse()
        .map_err(|_| ApiError::field("rev", format!("\"{rev}\""), "a revision number from 1"))?;
    let r = state.store.revision(&user.id, &id, Some(n)).await?;
    r.map(axum::Json)
        .or_not_found("case revision", format!("{id}/{n}"))
}

/// Appends follow-up observations to a case as a new revision (stored as JSON).
#[utoipa::path(post, path = "/v1/cases/{id}/observations", tag = "cases",
    params(("id" = String, Path, description = "Case id")),
    request_body = Observations,
    responses(
        (status = 201, description = "The new revision", body = CaseRevision),
        (status = 404, description = "No such case of the caller", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An observation is not valid", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn observe(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<String>,
    Json(obs): Json<Observations>,
) -> Result<(StatusCode, axum::Json<CaseRevision>), ApiError> {
    let latest = state
        .store
        .revision(&user.id, &id, None)
        .await?
        .or_not_found("case", &id)?;
    let mut doc: serde_json::Value = match latest.format.as_str() {
        "json" => serde_json::from_str(&latest.body)
            .map_err(|e| ApiError::Internal(format!("stored case {id}: {e}")))?,
        _ => toml::from_str(&latest.body)
            .map_err(|e| ApiError::Internal(format!("stored case {id}: {e}")))?,
    };
    let obj = doc
        .as_object_mut()
        .ok_or_else(|| ApiError::Internal(format!("stored case {id} is not a table")))?;
    let key = ["observation", "observations", "followup"]
        .into_iter()
        .find(|k| obj.contains_key(*k))
        .unwrap_or("observation");
    let list = obj
        .entry(key)
        .or_insert_with(|| serde_json::Value::Array(Vec::new()));
    let arr = list.as_array_mut().ok_or_else(|| {
        ApiError::field(
            key,
            "(not a list)",
            "a list of observations in the stored case",
        )
    })?;
    let first_new = arr.len();
    arr.extend(obs.observations);
    let text = serde_json::to_string_pretty(&doc).map_err(|e| ApiError::Internal(e.to_string()))?;
    let note = obs
        .note
        .unwrap_or_else(|| "follow-up observations appended".into());
    let write = check(&state, &CaseFile::from_text(text), &note).map_err(|e| {
        // Name the field as the request did: observations[i] rather than the merged index.
        match e {
            ApiError::Invalid {
                status,
                detail,
                field: Some(f),
                value,
                expected,
            } => {
                let renamed = rename_observation_field(&f, key, first_new);
                ApiError::Invalid {
                    status,
                    detail: detail.replace(&f, &renamed),
                    field: Some(renamed),
                    value,
                    expected,
                }
            }
            other => other,
        }
    })?;
    let rev = state
        .store
        .add_revision(&user.id, &id, &write)
        .await?
        .or_not_found("case", &id)?;
    Ok((StatusCode::CREATED, axum::Json(rev)))
}

fn rename_observation_field(field: &str, key: &str, first_new: usize) -> String {
    for prefix in [key, "observation"] {
        if let Some(rest) = field.strip_prefix(&format!("{prefix}["))
            && let Some((n, tail)) = rest.split_once(']')
            && let Ok(i) = n.parse::<usize>()
            && i >= first_new
        {
            return format!("observations[{}]{tail}", i - first_new);
        }
    }
    field.to_string()
}
