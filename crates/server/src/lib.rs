//! The reinnervate HTTP JSON API: stored cases with revisions, runs of the engine as jobs with
//! progress (Server-Sent Events) and cancellation, reference data, and an OpenAPI 3.1 description
//! at `/openapi.json` generated from the same Rust types the handlers use, with a Swagger UI page
//! at `/docs` served from the binary.
//!
//! Handlers are short functions from typed input to typed output; errors are RFC 9457 problem
//! details ([`problem`]); storage is the `store` crate (SQLite or PostgreSQL, one code path); the
//! engine is called from one module ([`runs`]).
//!
//! **Invariants:** every case and job read or written names the caller as owner; no token and no
//! case content is ever logged; work is bounded (body size, draws, a bounded job queue, a time
//! limit per job); bad input is a 4xx, never a panic.

#![deny(missing_docs)]

pub mod cases;
pub mod extract;
pub mod instant;
pub mod jobs;
pub mod jobs_api;
pub mod pictures;
pub mod problem;
pub mod reference;
pub mod runs;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};
use utoipa::OpenApi;

/// Limits on what one request may ask for.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest request body, bytes.
    pub body_bytes: usize,
    /// Largest number of Monte Carlo draws per run.
    pub max_draws: usize,
    /// Jobs running at once.
    pub workers: usize,
    /// Jobs waiting beyond those running; more gives `429`.
    pub queue: usize,
    /// Longest a job may run; a run estimated to take longer ([`engine::Engine::estimate`]) is
    /// refused with `422` before it is queued.
    pub job_time: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            body_bytes: 1 << 20,
            max_draws: 5000,
            workers: 1,
            queue: 16,
            job_time: Duration::from_secs(600),
        }
    }
}

/// Who may use the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// No login on loopback with SQLite; API tokens otherwise.
    Auto,
    /// API tokens always.
    Tokens,
    /// No login (refused unless on loopback with SQLite).
    None,
}

/// How to run the server.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on.
    pub bind: SocketAddr,
    /// Database URL (see [`store::database_url`]).
    pub database: String,
    /// Limits.
    pub limits: Limits,
    /// Who may use it.
    pub auth: Auth,
}

/// Why the server did not start.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The storage could not be opened.
    #[error(transparent)]
    Store(#[from] store::StoreError),
    /// The address could not be bound.
    #[error("listening on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The system's error.
        source: std::io::Error,
    },
    /// The configuration is refused (e.g. no authentication on a shared address).
    #[error("{0}")]
    Refused(String),
    /// The engine's data could not be loaded.
    #[error("loading the engine: {0}")]
    Engine(String),
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The storage.
    pub store: store::Store,
    /// The engine.
    pub runner: Arc<runs::Runner>,
    /// The job system.
    pub jobs: Arc<jobs::Jobs>,
    /// Limits.
    pub limits: Arc<Limits>,
    /// The single user when the server runs without authentication.
    pub open_user: Option<store::User>,
}

/// The OpenAPI description, from the handlers' and types' annotations.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "reinnervate",
        description = "Stored cases and runs of the reinnervate engine. Research and teaching software, not a medical device."
    ),
    paths(
        reference::health, reference::atlas, reference::species, reference::parameters,
        reference::findings_schema,
        cases::create, cases::list, cases::read, cases::update, cases::delete,
        cases::revisions, cases::revision, cases::observe,
        jobs_api::run_stored, jobs_api::run_body, jobs_api::get_job, jobs_api::cancel_job,
        jobs_api::job_events, jobs_api::case_results,
        pictures::day_picture, pictures::day_trace, pictures::strip, pictures::courses,
        instant::diagnose, instant::validate_case,
    ),
    components(schemas(problem::Problem, store::JobStatus, runs::Op, runs::CaseCheck, jobs::Progress)),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        // Answers every /v1 operation may give, besides those each documents.
        let problem = |what: &str| {
            utoipa::openapi::ResponseBuilder::new()
                .description(what)
                .content(
                    "application/problem+json",
                    utoipa::openapi::ContentBuilder::new()
                        .schema(Some(utoipa::openapi::Ref::from_schema_name("Problem")))
                        .build(),
                )
                .build()
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            if !path.starts_with("/v1") {
                continue;
            }
            let ops = [
                (&mut item.get, false),
                (&mut item.put, true),
                (&mut item.post, true),
                (&mut item.delete, false),
            ];
            for (op, has_body) in ops {
                let Some(op) = op.as_mut() else { continue };
                let r = &mut op.responses.responses;
                r.entry("401".into()).or_insert_with(|| {
                    problem("No or an unknown API token (when the server needs one)").into()
                });
                r.entry("503".into())
                    .or_insert_with(|| problem("The server is shutting down").into());
                if has_body {
                    r.entry("400".into())
                        .or_insert_with(|| problem("The body cannot be read").into());
                    r.entry("413".into())
                        .or_insert_with(|| problem("The body is larger than the limit").into());
                }
            }
        }
    }
}

async fn openapi_json() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(ApiDoc::openapi())
}

/// The API docs page: Swagger UI at `/docs` (its files built into the binary from the
/// `utoipa-swagger-ui-vendored` crate; nothing is loaded from the internet), reading
/// `/openapi.json`.
fn docs_page() -> Router<AppState> {
    utoipa_swagger_ui::SwaggerUi::new("/docs")
        .config(utoipa_swagger_ui::Config::from("/openapi.json"))
        .into()
}

async fn fallback() -> problem::ApiError {
    problem::ApiError::NotFound {
        what: "route",
        id: "(this path and method)".into(),
    }
}

/// The routes of the API on a state.
pub fn router(state: AppState) -> Router {
    let limit = state.limits.body_bytes;
    Router::new()
        .route("/health", get(reference::health))
        .route("/openapi.json", get(openapi_json))
        .route("/v1/atlas", get(reference::atlas))
        .route("/v1/species", get(reference::species))
        .route("/v1/parameters/{species}", get(reference::parameters))
        .route("/v1/findings/schema", get(reference::findings_schema))
        .route("/v1/cases", post(cases::create).get(cases::list))
        .route(
            "/v1/cases/{id}",
            get(cases::read).put(cases::update).delete(cases::delete),
        )
        .route("/v1/cases/{id}/revisions", get(cases::revisions))
        .route("/v1/cases/{id}/revisions/{rev}", get(cases::revision))
        .route("/v1/cases/{id}/observations", post(cases::observe))
        .route("/v1/cases/{id}/results", get(jobs_api::case_results))
        .route("/v1/cases/{id}/runs/{op}", post(jobs_api::run_stored))
        .route("/v1/runs/{op}", post(jobs_api::run_body))
        .route(
            "/v1/jobs/{id}",
            get(jobs_api::get_job).delete(jobs_api::cancel_job),
        )
        .route("/v1/jobs/{id}/events", get(jobs_api::job_events))
        .route(
            "/v1/jobs/{id}/pictures/{day}/{file}",
            get(pictures::day_picture),
        )
        .route(
            "/v1/jobs/{id}/traces/{day}/{file}",
            get(pictures::day_trace),
        )
        .route("/v1/jobs/{id}/strips/{file}", get(pictures::strip))
        .route("/v1/jobs/{id}/courses/{file}", get(pictures::courses))
        .route("/v1/diagnose", post(instant::diagnose))
        .route("/v1/validate/case", post(instant::validate_case))
        .merge(docs_page())
        .fallback(fallback)
        .layer(axum::extract::DefaultBodyLimit::max(limit))
        .with_state(state)
}

fn is_loopback(addr: &SocketAddr) -> bool {
    addr.ip().is_loopback()
}

/// Opens the storage, decides who may use the server and loads the engine.
pub async fn state(config: &Config) -> Result<AppState, ServerError> {
    let store = store::Store::open(&config.database).await?;
    let single_user_allowed =
        is_loopback(&config.bind) && store.backend() == store::Backend::Sqlite;
    let tokens = match config.auth {
        Auth::Tokens => true,
        Auth::Auto => !single_user_allowed,
        Auth::None if single_user_allowed => false,
        Auth::None => {
            return Err(ServerError::Refused(format!(
                "--auth none: refused on {} with {:?}; expected a loopback address with SQLite (anything shared needs API tokens)",
                config.bind,
                store.backend()
            )));
        }
    };
    if tokens && store.token_count().await? == 0 {
        return Err(ServerError::Refused(
            "authentication is needed here (not loopback with SQLite, or --auth token) and no API token exists; \
             create one with `reinnervate token create --user NAME --db ...`"
                .into(),
        ));
    }
    let open_user = if tokens {
        None
    } else {
        Some(store.ensure_user(store::LOCAL_USER).await?)
    };
    let interrupted = store.interrupt_unfinished().await?;
    if interrupted > 0 {
        eprintln!(
            "reinnervate serve: {interrupted} job(s) left unfinished by an earlier run marked interrupted"
        );
    }
    let runner = Arc::new(runs::Runner::load().map_err(|e| ServerError::Engine(e.to_string()))?);
    let limits = Arc::new(config.limits.clone());
    let jobs = Arc::new(jobs::Jobs::new(
        store.clone(),
        runner.clone(),
        limits.workers.max(1),
        limits.queue,
        limits.job_time,
    ));
    Ok(AppState {
        store,
        runner,
        jobs,
        limits,
        open_user,
    })
}

/// Runs the server until SIGTERM or Ctrl-C, then stops taking requests, cancels running jobs,
/// waits for them to write their end (at most 10 s) and closes the database. `ready` is called
/// with the bound address once the server listens.
pub async fn serve(config: Config, ready: impl FnOnce(SocketAddr)) -> Result<(), ServerError> {
    let state = state(&config).await?;
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .map_err(|source| ServerError::Bind {
            addr: config.bind,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| ServerError::Bind {
        addr: config.bind,
        source,
    })?;
    ready(addr);
    let app = router(state.clone()).merge(web::router());
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|source| ServerError::Bind { addr, source })?;
    state.jobs.shutdown(Duration::from_secs(10)).await;
    state.store.close().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
