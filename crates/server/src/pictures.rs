//! Pictures and traces of a snapshot job by URL: `/v1/jobs/{id}/pictures/{day}/{name}.{svg|png}`,
//! `/v1/jobs/{id}/traces/{day}/{emg_rest|emg_effort}.{wav|csv}` and `.../cmap.csv`,
//! `/v1/jobs/{id}/strips/{name}.{svg|png}`. They are read from the files stored with the job's
//! end (SVG documents; the EMG and CMAP records as the facade's JSON), so every fetch gives the
//! same bytes; PNG is rasterised from the stored SVG on request. A job of another user is a
//! `404` like a missing one; an unknown day, name or format is a `404` naming the field, the
//! value and what exists.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use store::JobStatus;

use crate::AppState;
use crate::extract::Caller;
use crate::problem::{ApiError, OrNotFound, Problem};
use crate::runs::Op;

/// A 404 naming the path segment at fault, its value and what exists.
fn missing(field: &str, value: &str, expected: String) -> ApiError {
    let value = format!("\"{}\"", value.chars().take(60).collect::<String>());
    ApiError::Invalid {
        status: StatusCode::NOT_FOUND,
        detail: format!("{field} {value} not found; expected {expected}"),
        field: Some(field.to_string()),
        value: Some(value),
        expected: Some(expected),
    }
}

/// The result of the caller's ended snapshot job `id`.
async fn snapshot_result(
    state: &AppState,
    owner: &str,
    id: &str,
) -> Result<serde_json::Value, ApiError> {
    let text = ended_result(state, owner, id, Op::Snapshot).await?;
    serde_json::from_str(&text).map_err(|e| ApiError::Internal(format!("job {id}: {e}")))
}

/// The JSON result text of the caller's ended job `id` of operation `op`: a 404 naming `id` for
/// a job of another operation, a 409 naming `status` for one not done.
async fn ended_result(state: &AppState, owner: &str, id: &str, op: Op) -> Result<String, ApiError> {
    let job = state.store.job(owner, id).await?.or_not_found("job", id)?;
    if job.op != op.as_str() {
        return Err(missing(
            "id",
            id,
            format!(
                "the id of a {0} job (this job is a {1}; POST /v1/cases/{{id}}/runs/{0} makes one)",
                op.as_str(),
                job.op
            ),
        ));
    }
    if job.status != JobStatus::Done {
        return Err(ApiError::Invalid {
            status: StatusCode::CONFLICT,
            detail: format!(
                "job {id} is {}: its files exist once it is done",
                job.status.as_str()
            ),
            field: Some("status".into()),
            value: Some(format!("\"{}\"", job.status.as_str())),
            expected: Some("\"done\"".into()),
        });
    }
    job.result
        .ok_or_else(|| ApiError::Internal(format!("job {id} is done without a result")))
}

/// The entry of `day` in a snapshot result, or a 404 listing the pictured days.
fn day_entry<'a>(
    result: &'a serde_json::Value,
    day: &str,
) -> Result<&'a serde_json::Value, ApiError> {
    let days = result["days"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    let listed = || {
        let v: Vec<String> = days.iter().map(|d| d["day"].to_string()).collect();
        format!("one of the pictured days: {}", v.join(", "))
    };
    let d: u32 = day.parse().map_err(|_| missing("day", day, listed()))?;
    days.iter()
        .find(|e| e["day"].as_u64() == Some(u64::from(d)))
        .ok_or_else(|| missing("day", day, listed()))
}

/// The names listed in `list` (an array of `{name, ...}`).
fn names(list: &serde_json::Value) -> Vec<String> {
    list.as_array()
        .map(|v| {
            v.iter()
                .filter_map(|e| e["name"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// `file` split into a name among `known` and an extension among `formats`.
fn split<'a>(
    file: &'a str,
    known: &[String],
    formats: &[&str],
) -> Result<(&'a str, &'a str), ApiError> {
    let (name, ext) = file.rsplit_once('.').unwrap_or((file, ""));
    if !known.iter().any(|k| k == name) {
        return Err(missing(
            "name",
            name,
            format!("one of {}", known.join(", ")),
        ));
    }
    if !formats.contains(&ext) {
        return Err(missing(
            "format",
            ext,
            format!("one of {} for {name}", formats.join(", ")),
        ));
    }
    Ok((name, ext))
}

async fn stored(state: &AppState, owner: &str, id: &str, name: &str) -> Result<String, ApiError> {
    state
        .store
        .job_file(owner, id, name)
        .await?
        .ok_or_else(|| ApiError::Internal(format!("job {id}: file {name} is missing")))
}

/// An answer of bytes with their type: never changing (a job's files are written once), not
/// sniffed, and an SVG may run no script.
fn bytes(content_type: &'static str, filename: String, body: Vec<u8>) -> Response {
    let mut res = (StatusCode::OK, body).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=31536000, immutable"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; sandbox"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("inline; filename=\"{filename}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

/// An SVG document in the format asked for: as it is, or rasterised to PNG.
async fn picture(
    state: &AppState,
    svg: String,
    ext: &str,
    filename: String,
) -> Result<Response, ApiError> {
    if ext == "svg" {
        return Ok(bytes("image/svg+xml", filename, svg.into_bytes()));
    }
    let runner = state.runner.clone();
    let png = tokio::task::spawn_blocking(move || runner.png(&svg))
        .await
        .map_err(|e| ApiError::Internal(format!("rasterising stopped: {e}")))??;
    Ok(bytes("image/png", filename, png))
}

fn parse_json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T, ApiError> {
    serde_json::from_str(text).map_err(|e| ApiError::Internal(format!("stored {what}: {e}")))
}

/// A picture of one day of a snapshot job: the cross-section in each stain
/// (`cross_section`, `cross_section_<stain>`), the needle EMG at rest and at effort
/// (`emg_rest`, `emg_effort`, the first 200 ms drawn) and the CMAPs (`cmap`); SVG or PNG.
#[utoipa::path(get, path = "/v1/jobs/{id}/pictures/{day}/{file}", tag = "pictures",
    params(
        ("id" = String, Path, description = "Id of a snapshot job"),
        ("day" = u32, Path, description = "A pictured day (the job result's `days[].day`)"),
        ("file" = String, Path, description = "`<name>.svg` or `<name>.png`; names in the job result's `days[].pictures[].name`"),
    ),
    responses(
        (status = 200, description = "The picture", content(
            (String = "image/svg+xml"),
            (Vec<u8> = "image/png"),
        )),
        (status = 404, description = "No such job of the caller, not a snapshot job, or no such day, name or format (named with what exists)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The job has not ended well (its status is named)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn day_picture(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path((id, day, file)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    let result = snapshot_result(&state, &user.id, &id).await?;
    let entry = day_entry(&result, &day)?;
    let d = entry["day"].as_u64().unwrap_or(0);
    let (name, ext) = split(&file, &names(&entry["pictures"]), &["svg", "png"])?;
    let svg = match name {
        "emg_rest" | "emg_effort" => {
            let text = stored(&state, &user.id, &id, &format!("day/{d}/{name}.json")).await?;
            parse_json::<engine::pictures::EmgTrace>(&text, name)?
                .picture
                .svg
        }
        "cmap" => {
            let text = stored(&state, &user.id, &id, &format!("day/{d}/cmap.json")).await?;
            parse_json::<engine::pictures::Cmaps>(&text, name)?
                .picture
                .svg
        }
        _ => stored(&state, &user.id, &id, &format!("day/{d}/{name}.svg")).await?,
    };
    picture(&state, svg, ext, format!("day{d}_{name}.{ext}")).await
}

/// A record of one day of a snapshot job: the needle EMG at rest or at effort as 16-bit mono WAV
/// (full scale ±2000 µV) or CSV (`time_ms,microvolts`), 2 s long; the CMAP waveforms as CSV
/// (`time_ms,distal_mv,proximal_mv`).
#[utoipa::path(get, path = "/v1/jobs/{id}/traces/{day}/{file}", tag = "pictures",
    params(
        ("id" = String, Path, description = "Id of a snapshot job"),
        ("day" = u32, Path, description = "A pictured day (the job result's `days[].day`)"),
        ("file" = String, Path, description = "`emg_rest.wav`, `emg_rest.csv`, `emg_effort.wav`, `emg_effort.csv` or `cmap.csv`"),
    ),
    responses(
        (status = 200, description = "The record", content(
            (Vec<u8> = "audio/wav"),
            (String = "text/csv"),
        )),
        (status = 404, description = "No such job of the caller, not a snapshot job, or no such day, name or format (named with what exists)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The job has not ended well (its status is named)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn day_trace(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path((id, day, file)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    let result = snapshot_result(&state, &user.id, &id).await?;
    let entry = day_entry(&result, &day)?;
    let d = entry["day"].as_u64().unwrap_or(0);
    let known = names(&entry["traces"]);
    let name = file.rsplit_once('.').map_or(file.as_str(), |(n, _)| n);
    let formats: &[&str] = if name == "cmap" {
        &["csv"]
    } else {
        &["wav", "csv"]
    };
    let (name, ext) = split(&file, &known, formats)?;
    let text = stored(&state, &user.id, &id, &format!("day/{d}/{name}.json")).await?;
    let filename = format!("day{d}_{name}.{ext}");
    Ok(match (name, ext) {
        ("cmap", _) => {
            let c: engine::pictures::Cmaps = parse_json(&text, name)?;
            bytes("text/csv", filename, c.csv().into_bytes())
        }
        (_, "wav") => {
            let t: engine::pictures::EmgTrace = parse_json(&text, name)?;
            bytes("audio/wav", filename, t.wav())
        }
        _ => {
            let t: engine::pictures::EmgTrace = parse_json(&text, name)?;
            bytes("text/csv", filename, t.csv().into_bytes())
        }
    })
}

/// A time strip of a snapshot job (the same field of the cross-section on the strip's days):
/// `time_strip_<stain>`, SVG or PNG.
#[utoipa::path(get, path = "/v1/jobs/{id}/strips/{file}", tag = "pictures",
    params(
        ("id" = String, Path, description = "Id of a snapshot job run with `strip` days"),
        ("file" = String, Path, description = "`<name>.svg` or `<name>.png`; names in the job result's `strips[].name`"),
    ),
    responses(
        (status = 200, description = "The time strip", content(
            (String = "image/svg+xml"),
            (Vec<u8> = "image/png"),
        )),
        (status = 404, description = "No such job of the caller, not a snapshot job, or no such strip or format (named with what exists)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The job has not ended well (its status is named)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn strip(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let result = snapshot_result(&state, &user.id, &id).await?;
    let mut known = names(&result["strips"]);
    if known.is_empty() {
        known.push("(none: the job was run without `strip` days)".into());
    }
    let (name, ext) = split(&file, &known, &["svg", "png"])?;
    let svg = stored(&state, &user.id, &id, &format!("strip/{name}.svg")).await?;
    picture(&state, svg, ext, format!("{name}.{ext}")).await
}

/// The stored result of a simulate job, as far as its time courses go.
#[derive(serde::Deserialize)]
struct StoredSimulation {
    runs: Vec<StoredRun>,
}

#[derive(serde::Deserialize)]
struct StoredRun {
    muscle: String,
    days: Vec<engine::twin::Quantities>,
}

/// The time courses of a simulate job as a table: one row per muscle and day (`muscle`, `day`,
/// then the twin's quantities — the `runs[].days` of its JSON result), as CSV or Parquet (the
/// table of `reinnervate simulate --parquet`).
#[utoipa::path(get, path = "/v1/jobs/{id}/courses/{file}", tag = "pictures",
    params(
        ("id" = String, Path, description = "Id of a simulate job"),
        ("file" = String, Path, description = "`courses.csv` or `courses.parquet`"),
    ),
    responses(
        (status = 200, description = "The time courses", content(
            (String = "text/csv"),
            (Vec<u8> = "application/vnd.apache.parquet"),
        )),
        (status = 404, description = "No such job of the caller, not a simulate job, or no such name or format (named with what exists)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The job has not ended well (its status is named)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn courses(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let text = ended_result(&state, &user.id, &id, Op::Simulate).await?;
    let (_, ext) = split(&file, &["courses".to_string()], &["csv", "parquet"])?;
    let sim: StoredSimulation = parse_json(&text, "simulation")?;
    let runs = || {
        sim.runs
            .iter()
            .map(|r| (r.muscle.as_str(), r.days.as_slice()))
    };
    let filename = format!("courses.{ext}");
    if ext == "csv" {
        return Ok(bytes(
            "text/csv",
            filename,
            engine::table::courses_csv(runs()).into_bytes(),
        ));
    }
    let parquet = engine::table::courses_table(runs())
        .and_then(|batch| engine::table::to_parquet(&batch))
        .map_err(|e| ApiError::Internal(format!("job {id}: {e}")))?;
    Ok(bytes("application/vnd.apache.parquet", filename, parquet))
}
