//! `/v1/.../runs/{op}` and `/v1/jobs`: runs of the engine as jobs (202 and a job id), their
//! progress (polled, or streamed as Server-Sent Events), cancellation, and stored results with
//! what is needed to reproduce them and to know when they are stale.

use std::convert::Infallible;

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::Stream;
use serde::{Deserialize, Serialize};
use store::{JobRecord, JobStatus};

use crate::AppState;
use crate::extract::{Caller, CaseFile, Json, OptionalJson};
use crate::jobs::{Progress, Submit};
use crate::problem::{ApiError, OrNotFound, Problem};
use crate::runs::{Op, SnapshotSpec};

/// Options of a run on a stored case.
#[derive(Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunOptions {
    /// The case revision to run on (default: the latest).
    pub rev: Option<i64>,
    /// Monte Carlo draws (default: the case's `settings.draws`).
    pub draws: Option<usize>,
    /// `simulate`: `pooled` (default) or `fibre`.
    #[schema(value_type = Option<String>)]
    pub resolution: Option<engine::Resolution>,
    /// `snapshot`: days to picture (at most 12; default: before the injury, 3 weeks, 3, 6, 12
    /// and 24 months after it, and the horizon).
    pub days: Option<Vec<u32>>,
    /// `snapshot`: the muscle to picture (default: the case's first affected muscle with a
    /// motor-unit pool of its own in the twin; one simulated with a stand-in's pool is refused).
    pub muscle: Option<String>,
    /// `snapshot`: days of a time strip of the same field (at most 12; default: none).
    pub strip: Option<Vec<u32>>,
}

/// A run on a case sent with the request (not stored).
#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunBody {
    /// The case: a JSON object, or the text of a TOML or JSON case file. For `calibrate`: the
    /// text of a calibration file (the shared calibration format, TOML).
    #[schema(value_type = Object)]
    pub case: serde_json::Value,
    /// Monte Carlo draws (default: the case's `settings.draws`; not for `calibrate`).
    pub draws: Option<usize>,
    /// `simulate`: `pooled` (default) or `fibre`; `calibrate`: one resolution for every
    /// experiment (default: fibre for single experiments, pooled for populations).
    #[schema(value_type = Option<String>)]
    pub resolution: Option<engine::Resolution>,
    /// `snapshot`: days to picture (at most 12; default: before the injury, 3 weeks, 3, 6, 12
    /// and 24 months after it, and the horizon).
    pub days: Option<Vec<u32>>,
    /// `snapshot`: the muscle to picture (default: the case's first affected muscle with a
    /// motor-unit pool of its own in the twin; one simulated with a stand-in's pool is refused).
    pub muscle: Option<String>,
    /// `snapshot`: days of a time strip of the same field (at most 12; default: none).
    pub strip: Option<Vec<u32>>,
}

/// A job: where it is, what it ran on, and its result when done.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct JobView {
    /// Job id.
    pub id: String,
    /// The operation.
    pub op: String,
    /// Where the job is.
    pub status: JobStatus,
    /// Units of work (Monte Carlo draws, simulated muscles) done so far, or when the job ended
    /// (absent for a job the server's stop interrupted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub done: Option<u64>,
    /// Units of work announced so far, or when the job ended.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    /// The stored case it ran on, if any.
    pub case_id: Option<String>,
    /// The case revision it ran on, if any.
    pub rev: Option<i64>,
    /// The engine version that computed it.
    pub engine_version: String,
    /// The parameter-set version it was computed with.
    pub params_version: String,
    /// The seed (from the case's settings).
    pub seed: Option<i64>,
    /// The request (options, and the case when it was sent with the request).
    #[schema(value_type = Object)]
    pub request: serde_json::Value,
    /// When it was queued.
    pub created_at: String,
    /// When it ended.
    pub finished_at: Option<String>,
    /// Why it failed or was cancelled.
    pub error: Option<String>,
    /// Whether a stored result no longer matches the engine, the parameters or the latest case
    /// revision (then `stale_reasons` says which).
    pub stale: bool,
    /// Why the result is stale.
    pub stale_reasons: Vec<String>,
    /// The estimated cost of the run, made before it was queued (in the `202` answer only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub estimate: Option<engine::Cost>,
    /// The result, when done: the same JSON as the command line's `--json` (the stored text,
    /// passed through unparsed so every number keeps its last digit).
    #[schema(value_type = Option<Object>)]
    pub result: Option<Box<serde_json::value::RawValue>>,
}

fn view(state: &AppState, j: JobRecord, latest_rev: Option<i64>) -> JobView {
    let live = state.jobs.progress(&j.id);
    let mut stale_reasons = Vec::new();
    if j.status == JobStatus::Done {
        if j.engine_version != crate::runs::ENGINE_VERSION {
            stale_reasons.push(format!(
                "engine {} computed it; this server runs {}",
                j.engine_version,
                crate::runs::ENGINE_VERSION
            ));
        }
        if j.params_version != state.runner.params_version() {
            stale_reasons.push(format!(
                "parameter set {} was used; this server has {}",
                j.params_version,
                state.runner.params_version()
            ));
        }
        if let (Some(rev), Some(latest)) = (j.rev, latest_rev)
            && latest != rev
        {
            stale_reasons.push(format!(
                "computed on case revision {rev}; the latest is {latest}"
            ));
        }
    }
    let status = match live {
        Some(p) if !j.status.is_final() => p.status,
        _ => j.status,
    };
    // While the job is in memory its live progress; once it has ended, what was stored with its
    // end (the last done/total, never a reset 0/0).
    let stored = |n: Option<i64>| n.and_then(|n| u64::try_from(n).ok());
    let (done, total) = match live {
        Some(p) => (Some(p.done), Some(p.total)),
        None => (stored(j.done), stored(j.total)),
    };
    JobView {
        id: j.id,
        op: j.op,
        status,
        done,
        total,
        case_id: j.case_id,
        rev: j.rev,
        engine_version: j.engine_version,
        params_version: j.params_version,
        seed: j.seed,
        request: serde_json::from_str(&j.request).unwrap_or(serde_json::Value::Null),
        created_at: j.created_at,
        finished_at: j.finished_at,
        error: j.error,
        stale: !stale_reasons.is_empty(),
        stale_reasons,
        estimate: None,
        result: j
            .result
            .and_then(|r| serde_json::value::RawValue::from_string(r).ok()),
    }
}

fn accepted(
    state: &AppState,
    j: JobRecord,
    latest_rev: Option<i64>,
    estimate: engine::Cost,
) -> Response {
    let location = format!("/v1/jobs/{}", j.id);
    let mut v = view(state, j, latest_rev);
    v.estimate = Some(estimate);
    (
        StatusCode::ACCEPTED,
        [(header::LOCATION, location)],
        axum::Json(v),
    )
        .into_response()
}

fn check_draws(state: &AppState, asked: Option<usize>, case_draws: usize) -> Result<(), ApiError> {
    let n = asked.unwrap_or(case_draws);
    let max = state.limits.max_draws;
    if n == 0 || n > max {
        let field = if asked.is_some() {
            "draws"
        } else {
            "settings.draws"
        };
        return Err(ApiError::field(
            field,
            n.to_string(),
            format!("1 to {max} draws (the server's limit)"),
        ));
    }
    Ok(())
}

/// Runs an operation on a stored case revision: a job.
#[utoipa::path(post, path = "/v1/cases/{id}/runs/{op}", tag = "runs",
    params(("id" = String, Path, description = "Case id"), ("op" = Op, Path, description = "Operation")),
    request_body(content = Option<RunOptions>, description = "Options (the body may be empty)"),
    responses(
        (status = 202, description = "Queued", body = JobView),
        (status = 404, description = "No such case of the caller", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An option is not valid, or the run is estimated to take longer than the job time", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "The job queue is full; see Retry-After", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn run_stored(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path((id, op)): Path<(String, String)>,
    OptionalJson(opts): OptionalJson<RunOptions>,
) -> Result<Response, ApiError> {
    let op: Op = op.parse()?;
    if op == Op::Calibrate {
        return Err(ApiError::field(
            "op",
            "\"calibrate\"",
            "an operation on a case (prognosis, plans, simulate, snapshot); calibrate runs on a calibration file sent to POST /v1/runs/calibrate",
        ));
    }
    let rev = state
        .store
        .revision(&user.id, &id, opts.rev)
        .await?
        .or_not_found(
            "case revision",
            match opts.rev {
                Some(r) => format!("{id}/{r}"),
                None => id.clone(),
            },
        )?;
    let request = serde_json::json!({
        "rev": rev.rev, "draws": opts.draws, "resolution": opts.resolution,
        "days": opts.days, "muscle": opts.muscle, "strip": opts.strip,
    });
    let asked = Asked {
        draws: opts.draws,
        resolution: opts.resolution,
        snapshot: SnapshotSpec {
            days: opts.days,
            muscle: opts.muscle,
            strip: opts.strip,
        },
    };
    start(
        &state,
        user.id,
        op,
        Some((id, rev.rev)),
        rev.body,
        asked,
        request,
    )
    .await
}

/// Runs an operation on a case sent with the request (or, for `calibrate`, on a calibration
/// file): a job.
#[utoipa::path(post, path = "/v1/runs/{op}", tag = "runs",
    params(("op" = Op, Path, description = "Operation")),
    request_body = RunBody,
    responses(
        (status = 202, description = "Queued", body = JobView),
        (status = 400, description = "Not a readable request", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is not valid, or the run is estimated to take longer than the job time", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "The job queue is full; see Retry-After", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn run_body(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(op): Path<String>,
    Json(body): Json<RunBody>,
) -> Result<Response, ApiError> {
    let op: Op = op.parse()?;
    let text = match &body.case {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Object(_) => body.case.to_string(),
        other => {
            return Err(ApiError::field(
                "case",
                other.to_string(),
                "a case as a JSON object or as the text of a case file",
            ));
        }
    };
    let request = serde_json::to_value(&body).map_err(|e| ApiError::Internal(e.to_string()))?;
    let asked = Asked {
        draws: body.draws,
        resolution: body.resolution,
        snapshot: SnapshotSpec {
            days: body.days,
            muscle: body.muscle,
            strip: body.strip,
        },
    };
    start(&state, user.id, op, None, text, asked, request).await
}

/// The options of a run, whichever endpoint took them.
struct Asked {
    draws: Option<usize>,
    resolution: Option<engine::Resolution>,
    snapshot: SnapshotSpec,
}

/// What both run endpoints do once the case text is known: check the case (or calibration file)
/// and the options, estimate the cost, queue the job and answer `202`.
async fn start(
    state: &AppState,
    owner: String,
    op: Op,
    case: Option<(String, i64)>,
    text: String,
    asked: Asked,
    request: serde_json::Value,
) -> Result<Response, ApiError> {
    let file = CaseFile::from_text(text);
    let snap = &asked.snapshot;
    if op != Op::Snapshot {
        let given = [
            ("days", snap.days.is_some()),
            ("muscle", snap.muscle.is_some()),
            ("strip", snap.strip.is_some()),
        ];
        if let Some((field, _)) = given.into_iter().find(|(_, g)| *g) {
            return Err(ApiError::field(
                field,
                "(given)",
                format!(
                    "no `{field}` for {} (an option of snapshot only)",
                    op.as_str()
                ),
            ));
        }
    }
    let info = if op == Op::Calibrate {
        if let Some(d) = asked.draws {
            return Err(ApiError::field(
                "draws",
                d.to_string(),
                "no draws for calibrate (each experiment sets its own)",
            ));
        }
        state.runner.check_calibration(&file.text)?
    } else {
        state.runner.check_case(&file.text)?
    };
    let job_time = state.limits.job_time.as_secs_f64();
    let estimate = if op == Op::Snapshot {
        if let Some(d) = asked.draws {
            return Err(ApiError::field(
                "draws",
                d.to_string(),
                "no draws for snapshot (it pictures the case's own seed)",
            ));
        }
        if let Some(r) = asked.resolution
            && r != engine::Resolution::Fibre
        {
            return Err(ApiError::field(
                "resolution",
                format!("{r:?}").to_lowercase(),
                "fibre (a snapshot pictures single fibres)",
            ));
        }
        let last = state.runner.check_snapshot(&file.text, snap)?;
        state
            .runner
            .estimate_snapshot(&file.text, snap, last, job_time)?
    } else {
        check_draws(state, asked.draws, info.draws)?;
        state
            .runner
            .estimate(op, &file.text, asked.draws, asked.resolution, job_time)?
    };
    let latest = match &case {
        Some((id, _)) => latest_rev(state, &owner, id).await?,
        None => None,
    };
    let job = state
        .jobs
        .submit(Submit {
            owner,
            case,
            text: file.text,
            op,
            draws: asked.draws,
            resolution: asked.resolution,
            snapshot: asked.snapshot,
            seed: info.seed,
            request,
        })
        .await?;
    Ok(accepted(state, job, latest, estimate))
}

/// The latest revision of the case `case_id` of `owner` (`None`: no such case of this owner).
async fn latest_rev(state: &AppState, owner: &str, case_id: &str) -> Result<Option<i64>, ApiError> {
    let summary = state.store.case_summary(owner, case_id).await?;
    Ok(summary.map(|c| c.latest_rev))
}

async fn owned_job(state: &AppState, owner: &str, id: &str) -> Result<JobView, ApiError> {
    let j = state.store.job(owner, id).await?.or_not_found("job", id)?;
    let latest = match &j.case_id {
        Some(c) => latest_rev(state, owner, c).await?,
        None => None,
    };
    Ok(view(state, j, latest))
}

/// A job: its status and progress, and its result when done.
#[utoipa::path(get, path = "/v1/jobs/{id}", tag = "runs",
    params(("id" = String, Path, description = "Job id")),
    responses(
        (status = 200, description = "The job", body = JobView),
        (status = 404, description = "No such job of the caller", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_job(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<String>,
) -> Result<axum::Json<JobView>, ApiError> {
    owned_job(&state, &user.id, &id).await.map(axum::Json)
}

/// Cancels a job (a job that has ended is left as it is).
#[utoipa::path(delete, path = "/v1/jobs/{id}", tag = "runs",
    params(("id" = String, Path, description = "Job id")),
    responses(
        (status = 202, description = "Cancellation asked for; the job as it is now", body = JobView),
        (status = 404, description = "No such job of the caller", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn cancel_job(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<String>,
) -> Result<(StatusCode, axum::Json<JobView>), ApiError> {
    owned_job(&state, &user.id, &id).await?;
    state.jobs.cancel(&id).await?;
    let now = owned_job(&state, &user.id, &id).await?;
    Ok((StatusCode::ACCEPTED, axum::Json(now)))
}

/// The stored results (every job) of a case, newest first, each saying whether it is stale.
#[utoipa::path(get, path = "/v1/cases/{id}/results", tag = "runs",
    params(("id" = String, Path, description = "Case id")),
    responses(
        (status = 200, description = "Jobs run on this case", body = Vec<JobView>),
        (status = 404, description = "No such case of the caller", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn case_results(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<String>,
) -> Result<axum::Json<Vec<JobView>>, ApiError> {
    let latest = latest_rev(&state, &user.id, &id)
        .await?
        .or_not_found("case", &id)?;
    let jobs = state.store.jobs_for_case(&user.id, &id).await?;
    Ok(axum::Json(
        jobs.into_iter()
            .map(|j| view(&state, j, Some(latest)))
            .collect(),
    ))
}

/// Progress of a job as Server-Sent Events: `progress` events (`{"status","done","total"}`)
/// while it runs, then one event named after its final status, and the stream ends.
#[utoipa::path(get, path = "/v1/jobs/{id}/events", tag = "runs",
    params(("id" = String, Path, description = "Job id")),
    responses(
        (status = 200, description = "Server-Sent Events; each `data` is a Progress", content_type = "text/event-stream", body = Progress),
        (status = 404, description = "No such job of the caller", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn job_events(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<String>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let now = owned_job(&state, &user.id, &id).await?;
    let rx = state.jobs.subscribe(&id);
    let first = Progress {
        status: now.status,
        done: now.done.unwrap_or(0),
        total: now.total.unwrap_or(0),
    };
    let stream = futures_util::stream::unfold(
        (rx, Some(first), false),
        |(mut rx, pending, ended)| async move {
            if ended {
                return None;
            }
            let p = match pending {
                Some(p) => p,
                None => {
                    let r = rx.as_mut()?;
                    if r.changed().await.is_err() {
                        // The job left memory: its final state was sent before the sender dropped.
                        let last = *r.borrow();
                        if last.status.is_final() {
                            return None;
                        }
                        Progress {
                            status: JobStatus::Interrupted,
                            ..last
                        }
                    } else {
                        *r.borrow_and_update()
                    }
                }
            };
            let name = if p.status.is_final() {
                p.status.as_str()
            } else {
                "progress"
            };
            let data = serde_json::to_string(&p).unwrap_or_default();
            let event = Event::default().event(name).data(data);
            Some((Ok(event), (rx, None, p.status.is_final())))
        },
    );
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}
