//! # web — the reinnervate web app
//!
//! A small single-page app (plain HTML, CSS and JavaScript, no build step, no library) embedded in
//! the binary and served by [`router`] beside the server's JSON API. The browser talks to the
//! server's public API (`/v1/...`) and to nothing else, except two app-side helpers this crate
//! serves itself over the engine facade until the API offers them (see `docs/web.md`):
//!
//! - `GET /app/findings-schema.json`: the findings vocabulary (section, key, kind, allowed values)
//!   from [`engine::diagnosis::findings::SCHEMA`], so the diagnosis form is built from the one
//!   schema the reasoner checks against;
//! - `POST /app/diagnose`: findings (JSON, the findings format) → the engine's differential.
//!
//! **Invariants:** every asset is compiled in (`include_str!`); no request leaves the machine; no
//! route here stores anything.
#![deny(missing_docs)]

use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use engine::diagnosis::findings::{Kind, SCHEMA};
use engine::{Engine, diagnosis};

/// The page shell.
pub const INDEX_HTML: &str = include_str!("../assets/index.html");
/// The app's script.
pub const APP_JS: &str = include_str!("../assets/app.js");
/// The app's style sheet.
pub const APP_CSS: &str = include_str!("../assets/app.css");

/// The engine, loaded on first use (the diagnosis knowledge base compiles once).
#[derive(Clone, Default)]
struct Shared {
    engine: Arc<OnceLock<Result<Engine, String>>>,
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

async fn index() -> Response {
    asset("text/html; charset=utf-8", INDEX_HTML)
}

async fn app_js() -> Response {
    asset("text/javascript; charset=utf-8", APP_JS)
}

async fn app_css() -> Response {
    asset("text/css; charset=utf-8", APP_CSS)
}

/// The findings vocabulary as JSON: `[{section, key, kind, values}]` in the format's order.
pub fn findings_schema() -> serde_json::Value {
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

async fn schema() -> axum::Json<serde_json::Value> {
    axum::Json(findings_schema())
}

fn problem(status: StatusCode, detail: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/problem+json")],
        serde_json::json!({
            "type": "about:blank",
            "title": status.canonical_reason().unwrap_or("error"),
            "status": status.as_u16(),
            "detail": detail,
        })
        .to_string(),
    )
        .into_response()
}

/// Runs the reasoner on findings in the findings format (JSON text).
pub fn diagnose_json(
    engine: &Engine,
    body: &[u8],
) -> Result<serde_json::Value, (StatusCode, String)> {
    let text = std::str::from_utf8(body).map_err(|_| {
        (
            StatusCode::BAD_REQUEST,
            "body: expected UTF-8 JSON".to_string(),
        )
    })?;
    let findings = diagnosis::Findings::from_json_str(text)
        .map_err(|e| (StatusCode::UNPROCESSABLE_ENTITY, e.to_string()))?;
    let d = engine
        .diagnose(&findings)
        .map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    serde_json::to_value(&d).map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))
}

async fn diagnose(State(shared): State<Shared>, body: Bytes) -> Response {
    let work = tokio::task::spawn_blocking(move || {
        let engine = shared
            .engine
            .get_or_init(|| Engine::load().map_err(|e| e.to_string()));
        match engine {
            Ok(e) => diagnose_json(e, &body),
            Err(e) => Err((
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("loading the engine: {e}"),
            )),
        }
    });
    match work.await {
        Ok(Ok(v)) => axum::Json(v).into_response(),
        Ok(Err((status, detail))) => problem(status, detail),
        Err(e) => problem(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

/// The web app's routes: `/` (the page), `/app/app.js`, `/app/app.css`, and the two app-side
/// helpers. No fallback, so it merges into the API's router with `Router::merge`.
pub fn router() -> Router {
    Router::new()
        .route("/", get(index))
        .route("/app/app.js", get(app_js))
        .route("/app/app.css", get(app_css))
        .route("/app/findings-schema.json", get(schema))
        .route("/app/diagnose", post(diagnose))
        .with_state(Shared::default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    async fn get_text(path: &str) -> (StatusCode, String, String) {
        let res = router()
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let ct = res
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let body = axum::body::to_bytes(res.into_body(), 1 << 22)
            .await
            .unwrap();
        (status, ct, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn serves_the_page_and_its_assets() {
        let (s, ct, body) = get_text("/").await;
        assert_eq!(s, StatusCode::OK);
        assert!(ct.starts_with("text/html"));
        assert!(body.contains("/app/app.js") && body.contains("/app/app.css"));
        assert!(body.contains("not a medical device"));
        let (s, ct, _) = get_text("/app/app.js").await;
        assert_eq!(s, StatusCode::OK);
        assert!(ct.starts_with("text/javascript"));
        let (s, ct, _) = get_text("/app/app.css").await;
        assert_eq!(s, StatusCode::OK);
        assert!(ct.starts_with("text/css"));
    }

    #[test]
    fn page_loads_nothing_from_outside() {
        // The only absolute URL allowed is the SVG namespace name (an identifier, never fetched).
        for text in [INDEX_HTML, APP_JS, APP_CSS] {
            let rest = text.replace("http://www.w3.org/2000/svg", "");
            assert!(
                !rest.contains("http://") && !rest.contains("https://"),
                "an external URL in an asset"
            );
            assert!(
                !rest.contains("src=\"//") && !rest.contains("href=\"//"),
                "a protocol-relative URL"
            );
        }
    }

    #[test]
    fn findings_schema_lists_every_key_of_the_format() {
        let s = findings_schema();
        let fields = s["fields"].as_array().unwrap();
        assert_eq!(fields.len(), SCHEMA.len());
        let fib = fields
            .iter()
            .find(|f| f["section"] == "emg" && f["key"] == "fibrillations")
            .unwrap();
        assert!(fib["kind"].is_string());
    }

    #[test]
    fn diagnose_names_a_bad_value() {
        let engine = Engine::load().unwrap();
        let err = diagnose_json(&engine, br#"{"history": {"onset": "yesterday"}}"#).unwrap_err();
        assert_eq!(err.0, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            err.1.contains("onset") && err.1.contains("yesterday"),
            "{}",
            err.1
        );
        let ok = diagnose_json(
            &engine,
            br#"{"history": {"onset": "acute"}, "emg": {"fibrillations": 2}}"#,
        )
        .unwrap();
        assert!(ok["category"].as_array().is_some_and(|c| !c.is_empty()));
    }
}
