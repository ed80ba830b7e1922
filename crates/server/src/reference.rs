//! Read-only reference data with sources: the anatomy atlas, the species and their parameter
//! sets; and the health check.

use axum::extract::{Path, State};
use serde::Serialize;

use crate::AppState;
use crate::problem::{ApiError, Problem};

/// The server's state.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    /// Always `ok` when the server answers.
    pub status: String,
    /// `sqlite` or `postgres`.
    pub database: String,
    /// The engine version.
    pub engine_version: String,
    /// The parameter-set version.
    pub params_version: String,
    /// Whether requests need an API token.
    pub authentication: bool,
    /// The statement every output carries.
    pub disclaimer: String,
}

/// Whether the server is up, and what it runs.
#[utoipa::path(get, path = "/health", tag = "reference",
    responses((status = 200, description = "Up", body = Health)))]
pub async fn health(State(state): State<AppState>) -> axum::Json<Health> {
    axum::Json(Health {
        status: "ok".into(),
        database: match state.store.backend() {
            store::Backend::Sqlite => "sqlite".into(),
            store::Backend::Postgres => "postgres".into(),
        },
        engine_version: crate::runs::ENGINE_VERSION.into(),
        params_version: state.runner.params_version().into(),
        authentication: state.open_user.is_none(),
        disclaimer: engine::DISCLAIMER.into(),
    })
}

/// The anatomy atlas: nerves with their sites and muscles in branching order, distances and
/// sources (what a case form needs).
#[utoipa::path(get, path = "/v1/atlas", tag = "reference",
    responses((status = 200, description = "The atlas", body = Object)))]
pub async fn atlas(State(state): State<AppState>) -> axum::Json<serde_json::Value> {
    axum::Json(state.runner.atlas())
}

/// The species with a parameter set.
#[utoipa::path(get, path = "/v1/species", tag = "reference",
    responses((status = 200, description = "Species names", body = Vec<String>)))]
pub async fn species() -> axum::Json<Vec<String>> {
    axum::Json(vec!["human".into(), "rat".into(), "mouse".into()])
}

/// A species' parameter set, every value with its source.
#[utoipa::path(get, path = "/v1/parameters/{species}", tag = "reference",
    params(("species" = String, Path, description = "human, rat or mouse")),
    responses(
        (status = 200, description = "The parameter set", body = Object),
        (status = 404, description = "No such species", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn parameters(
    State(state): State<AppState>,
    Path(species): Path<String>,
) -> Result<axum::Json<serde_json::Value>, ApiError> {
    state.runner.parameters(&species).map(axum::Json)
}

/// The findings vocabulary (what `POST /v1/diagnose` takes): `{fields: [{section, key, kind,
/// values}], disclaimer}` in the format's order, from the one schema the reasoner checks against
/// (`diagnosis::findings::SCHEMA`). `kind` is `number`, `bool`, `one`, `one_or_list`, `list` or
/// `nerves`; `values` the allowed words (empty for numbers, yes/no and nerve tables).
#[utoipa::path(get, path = "/v1/findings/schema", tag = "reference",
    responses((status = 200, description = "The findings vocabulary", body = Object)))]
pub async fn findings_schema() -> axum::Json<serde_json::Value> {
    axum::Json(findings_schema_json())
}

/// The body of `GET /v1/findings/schema`.
pub fn findings_schema_json() -> serde_json::Value {
    use engine::diagnosis::findings::{Kind, SCHEMA};
    let rows: Vec<serde_json::Value> = SCHEMA
        .iter()
        .map(|(section, key, kind)| {
            let (kind, values): (&str, &[&str]) = match kind {
                Kind::Number => ("number", &[]),
                Kind::Bool => ("bool", &[]),
                Kind::One(v) => ("one", v),
                Kind::OneOrList(v) => ("one_or_list", v),
                Kind::List(v) => ("list", v),
                Kind::Nerves => ("nerves", &[]),
            };
            serde_json::json!({ "section": section, "key": key, "kind": kind, "values": values })
        })
        .collect();
    serde_json::json!({ "fields": rows, "disclaimer": engine::DISCLAIMER })
}
