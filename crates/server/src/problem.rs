//! Errors as RFC 9457 problem details (`application/problem+json`). Every error names, where it
//! can, the field, the value given and what was expected. Bad input is always a 4xx.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI reference naming the kind of problem (`about:blank` for plain HTTP errors).
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong in this request.
    pub detail: String,
    /// The field at fault (e.g. `injury[0].grade`, `draws`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The value given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// What was expected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
}

/// An error of a request: becomes a problem response.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The input is not acceptable (422 for a well-formed but invalid value, 400 for syntax).
    #[error("{detail}")]
    Invalid {
        /// 400 or 422.
        status: StatusCode,
        /// What went wrong.
        detail: String,
        /// Field at fault.
        field: Option<String>,
        /// Value given.
        value: Option<String>,
        /// What was expected.
        expected: Option<String>,
    },
    /// No such resource for this caller (also what another user's case looks like).
    #[error("{what} `{id}` not found")]
    NotFound {
        /// Kind of resource.
        what: &'static str,
        /// Its identifier.
        id: String,
    },
    /// No or an unknown API token.
    #[error("authentication required: send `Authorization: Bearer <token>`")]
    Unauthorized,
    /// The job queue is full.
    #[error(
        "the job queue is full ({queued} jobs waiting or running); retry after {retry_after} s"
    )]
    Busy {
        /// Jobs waiting or running.
        queued: usize,
        /// Seconds to wait.
        retry_after: u64,
    },
    /// The request body is larger than the limit.
    #[error("the request body is larger than {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The operation is not offered (yet) for this input.
    #[error("{0}")]
    Unsupported(String),
    /// The server is shutting down.
    #[error("the server is shutting down")]
    ShuttingDown,
    /// Something failed inside the server (the storage, a broken invariant).
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// A 422 naming the field, the value and what was expected.
    pub fn field(
        field: impl Into<String>,
        value: impl Into<String>,
        expected: impl Into<String>,
    ) -> ApiError {
        let (field, value, expected) = (field.into(), value.into(), expected.into());
        ApiError::Invalid {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            detail: format!("field `{field}`: value {value} is not valid; expected {expected}"),
            field: Some(field),
            value: Some(value),
            expected: Some(expected),
        }
    }

    /// A 400 for input that cannot be read at all.
    pub fn syntax(detail: impl Into<String>, field: Option<String>) -> ApiError {
        ApiError::Invalid {
            status: StatusCode::BAD_REQUEST,
            detail: detail.into(),
            field,
            value: None,
            expected: None,
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            ApiError::Invalid { status, .. } => *status,
            ApiError::NotFound { .. } => StatusCode::NOT_FOUND,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Busy { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Unsupported(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::ShuttingDown => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The problem document of this error.
    pub fn problem(&self) -> Problem {
        let status = self.status();
        let (field, value, expected) = match self {
            ApiError::Invalid {
                field,
                value,
                expected,
                ..
            } => (field.clone(), value.clone(), expected.clone()),
            _ => (None, None, None),
        };
        Problem {
            kind: "about:blank".into(),
            title: status.canonical_reason().unwrap_or("error").into(),
            status: status.as_u16(),
            detail: self.to_string(),
            field,
            value,
            expected,
        }
    }
}

/// An owner-scoped look-up's answer: the resource, or a 404 naming it (another user's resource
/// looks exactly like a missing one).
pub trait OrNotFound<T> {
    /// The value, or [`ApiError::NotFound`] for `what` `id`.
    fn or_not_found(self, what: &'static str, id: impl Into<String>) -> Result<T, ApiError>;
}

impl<T> OrNotFound<T> for Option<T> {
    fn or_not_found(self, what: &'static str, id: impl Into<String>) -> Result<T, ApiError> {
        self.ok_or_else(|| ApiError::NotFound {
            what,
            id: id.into(),
        })
    }
}

impl From<store::StoreError> for ApiError {
    fn from(e: store::StoreError) -> ApiError {
        match e {
            store::StoreError::Conflict {
                field,
                value,
                expected,
            } => ApiError::field(field, value, expected),
            store::StoreError::NotFound { what, id } => ApiError::NotFound { what, id },
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if let ApiError::Internal(msg) = &self {
            // The message names what failed inside; it never carries a token or a case body.
            eprintln!("reinnervate serve: internal error: {msg}");
        }
        let body = serde_json::to_vec(&self.problem()).unwrap_or_default();
        let mut res = (status, body).into_response();
        let h = res.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        match &self {
            ApiError::Busy { retry_after, .. } => {
                if let Ok(v) = HeaderValue::from_str(&retry_after.to_string()) {
                    h.insert(header::RETRY_AFTER, v);
                }
            }
            ApiError::Unauthorized => {
                h.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"reinnervate\""),
                );
            }
            _ => {}
        }
        res
    }
}
