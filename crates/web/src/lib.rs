//! # web — the reinnervate web app
//!
//! A small single-page app (plain HTML, CSS and JavaScript, no build step, no library) embedded in
//! the binary and served by [`router`] beside the server's JSON API. The browser talks to the
//! server's public API (`/v1/...`) and to nothing else: the case form reads the atlas
//! (`/v1/atlas`) and checks the case as it is typed (`/v1/validate/case`), runs are jobs followed by
//! their Server-Sent Events, and the diagnosis page reads the findings vocabulary
//! (`/v1/findings/schema`) and asks `/v1/diagnose` (see `docs/web.md`).
//!
//! **Invariants:** every asset is compiled in (`include_str!`); no request leaves the machine; no
//! route here computes or stores anything (this crate depends on no crate of the workspace).
#![deny(missing_docs)]

use axum::Router;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// The page shell.
pub const INDEX_HTML: &str = include_str!("../assets/index.html");
/// The app's script.
pub const APP_JS: &str = include_str!("../assets/app.js");
/// The app's style sheet.
pub const APP_CSS: &str = include_str!("../assets/app.css");

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

/// The web app's routes: `/` (the page), `/app/app.js` and `/app/app.css`. No fallback, so it
/// merges into the API's router with `Router::merge`.
pub fn router() -> Router {
    Router::new()
        .route("/", get(index))
        .route("/app/app.js", get(app_js))
        .route("/app/app.css", get(app_css))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
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
    fn the_app_calls_only_the_public_api() {
        // Every path the script asks for is the server's API (/v1/...) or one of this crate's
        // own assets: no app-side helper route.
        let starts = APP_JS
            .match_indices("\"/")
            .chain(APP_JS.match_indices("`/"))
            .map(|(i, _)| i);
        for i in starts {
            let rest = &APP_JS[i + 1..];
            let path: String = rest.chars().take_while(|c| !"\"`$?".contains(*c)).collect();
            if path.len() < 2 {
                continue;
            }
            assert!(
                path.starts_with("/v1/") || path.starts_with("/app/app."),
                "the script calls {path}, which is not the public API"
            );
        }
        assert!(APP_JS.contains("/v1/diagnose") && APP_JS.contains("/v1/validate/case"));
    }
}
