//! Answers computed at once, without a job: the differential of a set of findings
//! (`POST /v1/diagnose`) and the check of a case file as it is typed (`POST /v1/validate/case`).

use axum::extract::State;

use crate::AppState;
use crate::extract::{Caller, CaseFile};
use crate::problem::{ApiError, Problem};
use crate::runs::CaseCheck;

/// The differential of a set of findings: categories, lesion levels and diseases ranked, the
/// findings that drove them and the next best tests — the JSON `reinnervate diagnose --json`
/// prints for the same findings file.
#[utoipa::path(post, path = "/v1/diagnose", tag = "runs",
    request_body(content = String, description = "A findings file (the format of shared/vignettes/README.md), JSON (`application/json`, a body starting with `{`) or TOML", content_type = "application/json"),
    responses(
        (status = 200, description = "The differential (the facade's `Diagnosis`, as `reinnervate diagnose --json` prints it)", body = Object),
        (status = 400, description = "Not readable findings", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A finding is not valid (names the key, the value and what was expected)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn diagnose(
    State(state): State<AppState>,
    Caller(_user): Caller,
    file: CaseFile,
) -> Result<axum::Json<serde_json::Value>, ApiError> {
    let runner = state.runner.clone();
    let json = file.format == "json";
    tokio::task::spawn_blocking(move || runner.diagnose(&file.text, Some(json)))
        .await
        .map_err(|e| ApiError::Internal(format!("the diagnosis stopped: {e}")))?
        .map(axum::Json)
}

/// Checks a case file (TOML or JSON, as `POST /v1/cases` takes it) without storing or running
/// it: `{"ok": true, …}` with what the case is, or `{"ok": false, "errors": [...]}` where each
/// error names the field, the value and what was expected, as the command line reports them. A
/// broken case is an answer (200), not a failed request.
#[utoipa::path(post, path = "/v1/validate/case", tag = "cases",
    request_body(content = String, description = "A case file, TOML (`application/toml`) or JSON", content_type = "application/toml"),
    responses(
        (status = 200, description = "The check", body = CaseCheck),
    ))]
pub async fn validate_case(
    State(state): State<AppState>,
    Caller(_user): Caller,
    file: CaseFile,
) -> Result<axum::Json<CaseCheck>, ApiError> {
    state.runner.validate_case(&file.text).map(axum::Json)
}
