//! Request extractors that turn every bad input into a problem naming the field: the caller (from
//! the API token), JSON bodies with unknown fields refused, case files in TOML or JSON, queries.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::AppState;
use crate::problem::ApiError;

/// The user a request acts for: from `Authorization: Bearer <token>`, or the single local user
/// when the server runs without authentication.
#[derive(Debug, Clone)]
pub struct Caller(pub store::User);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Caller, ApiError> {
        if let Some(user) = &state.open_user {
            return Ok(Caller(user.clone()));
        }
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or(ApiError::Unauthorized)?;
        match state.store.user_for_token(token).await? {
            Some(u) => Ok(Caller(u)),
            None => Err(ApiError::Unauthorized),
        }
    }
}

async fn body_bytes(req: Request, state: &AppState) -> Result<Bytes, ApiError> {
    let limit = state.limits.body_bytes;
    Bytes::from_request(req, state)
        .await
        .map_err(|_| ApiError::TooLarge { limit })
}

/// Reads JSON into `T`, naming the path of the field at fault.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let field = (path != ".").then_some(path);
        let status = if inner.is_data() {
            axum::http::StatusCode::UNPROCESSABLE_ENTITY
        } else {
            axum::http::StatusCode::BAD_REQUEST
        };
        ApiError::Invalid {
            status,
            detail: format!("request body: {inner}"),
            field,
            value: None,
            expected: None,
        }
    })
}

/// A JSON body whose type refuses unknown fields (`#[serde(deny_unknown_fields)]`).
pub struct Json<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Json<T>, ApiError> {
        let bytes = body_bytes(req, state).await?;
        parse_json(&bytes).map(Json)
    }
}

/// An optional JSON body: an empty body gives `T::default()`.
pub struct OptionalJson<T>(pub T);

impl<T: DeserializeOwned + Default> FromRequest<AppState> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<OptionalJson<T>, ApiError> {
        let bytes = body_bytes(req, state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJson(T::default()));
        }
        parse_json(&bytes).map(OptionalJson)
    }
}

/// A case file (or a findings file) as the command line takes it: TOML, or JSON (`Content-Type: application/json` or
/// a body starting with `{`).
pub struct CaseFile {
    /// `toml` or `json`.
    pub format: &'static str,
    /// The text.
    pub text: String,
}

impl CaseFile {
    /// A case file from its text.
    pub fn from_text(text: String) -> CaseFile {
        let format = if text.trim_start().starts_with('{') {
            "json"
        } else {
            "toml"
        };
        CaseFile { format, text }
    }
}

impl FromRequest<AppState> for CaseFile {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<CaseFile, ApiError> {
        let bytes = body_bytes(req, state).await?;
        let text = String::from_utf8(bytes.to_vec())
            .map_err(|e| ApiError::syntax(format!("the case file is not UTF-8: {e}"), None))?;
        Ok(CaseFile::from_text(text))
    }
}

/// A query string read into `T`, refusing unknown parameters.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned> FromRequestParts<AppState> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Query<T>, ApiError> {
        let q = parts.uri.query().unwrap_or("");
        serde_urlencoded_lite(q).map(Query)
    }
}

fn serde_urlencoded_lite<T: DeserializeOwned>(q: &str) -> Result<T, ApiError> {
    axum::extract::Query::<T>::try_from_uri(
        &format!("/?{q}")
            .parse()
            .map_err(|_| ApiError::syntax("the query string is not valid", None))?,
    )
    .map(|axum::extract::Query(t)| t)
    .map_err(|e| ApiError::Invalid {
        status: axum::http::StatusCode::BAD_REQUEST,
        detail: format!("query string: {}", e.body_text()),
        field: None,
        value: None,
        expected: None,
    })
}
