//! A stand-in for the server's JSON API, over the engine facade, used **only** to run the web app
//! and its browser tests while the server crate (`crates/server`, `reinnervate serve`) is not on
//! this branch. It answers the subset of the server's routes the app calls, with the same paths
//! and shapes (`/v1/atlas`, `/v1/cases...`, `/v1/cases/{id}/runs/{op}`, `/v1/jobs/{id}`), keeps
//! cases in memory, and is not a server: no storage, no users, no limits beyond the engine's.
//! When the server lands, the app is mounted in it and this module is deleted (docs/web.md).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use engine::{Control, Engine, EngineError};
use serde_json::{Value, json};

use crate::problem;

#[derive(Default)]
struct Store {
    cases: Vec<(String, Vec<Value>)>,
    jobs: HashMap<String, Value>,
    next: u64,
}

#[derive(Clone)]
struct Api {
    engine: Arc<Engine>,
    store: Arc<Mutex<Store>>,
}

impl Api {
    fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn now() -> String {
    let s = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    format!("unix-{s}")
}

fn invalid(e: &EngineError) -> Response {
    let (field, value, expected) = match e {
        EngineError::PatientCase(engine::clinic::CaseError::Field {
            field,
            value,
            expected,
        }) => (
            Some(field.clone()),
            Some(value.clone()),
            Some(expected.clone()),
        ),
        EngineError::PatientCase(engine::clinic::CaseError::Missing { field, expected }) => (
            Some(field.clone()),
            Some("(missing)".to_string()),
            Some(expected.clone()),
        ),
        _ => (None, None, None),
    };
    let mut body = json!({
        "type": "about:blank", "title": "Unprocessable Content", "status": 422, "detail": e.to_string(),
    });
    if let (Some(f), Some(v), Some(x)) = (field, value, expected) {
        body["field"] = json!(f);
        body["value"] = json!(v);
        body["expected"] = json!(x);
    }
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        [(axum::http::header::CONTENT_TYPE, "application/problem+json")],
        body.to_string(),
    )
        .into_response()
}

fn not_found(what: &str) -> Response {
    problem(StatusCode::NOT_FOUND, format!("no such {what}"))
}

fn revision(id: &str, rev: usize, title: &str, body: &str, note: &str) -> Value {
    json!({ "case_id": id, "rev": rev, "title": title, "format": "json", "body": body,
            "note": note, "created_at": now() })
}

fn check(api: &Api, body: &Bytes) -> Result<(String, String), Box<Response>> {
    let text = String::from_utf8_lossy(body).to_string();
    let case = api
        .engine
        .parse_case(&text)
        .map_err(|e| Box::new(invalid(&e)))?;
    api.engine
        .patient_case(&case, "store")
        .map_err(|e| Box::new(invalid(&e)))?;
    Ok((case.title(), text))
}

async fn atlas(State(api): State<Api>) -> axum::Json<Value> {
    let a = api.engine.atlas();
    let nerves: Vec<Value> = a
        .nerves
        .iter()
        .map(|n| json!({ "nerve": n, "sites": a.sites_for(&n.id), "muscles": a.muscles_of(&n.id) }))
        .collect();
    axum::Json(json!({ "nerves": nerves, "sites": a.sites, "disclaimer": engine::DISCLAIMER }))
}

async fn list(State(api): State<Api>) -> axum::Json<Value> {
    let s = api.store();
    let items: Vec<Value> = s
        .cases
        .iter()
        .rev()
        .map(|(id, revs)| {
            let last = revs.last().cloned().unwrap_or(Value::Null);
            json!({ "id": id, "title": last["title"], "latest_rev": revs.len(),
                    "created_at": revs[0]["created_at"], "updated_at": last["created_at"] })
        })
        .collect();
    axum::Json(json!({ "total": items.len(), "items": items }))
}

async fn create(State(api): State<Api>, body: Bytes) -> Response {
    let (title, text) = match check(&api, &body) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let mut s = api.store();
    s.next += 1;
    let id = format!("case-{}", s.next);
    let rev = revision(&id, 1, &title, &text, "created");
    s.cases.push((id, vec![rev.clone()]));
    (StatusCode::CREATED, axum::Json(rev)).into_response()
}

fn latest(api: &Api, id: &str) -> Option<Value> {
    let s = api.store();
    s.cases
        .iter()
        .find(|(c, _)| c == id)
        .and_then(|(_, r)| r.last().cloned())
}

async fn read(State(api): State<Api>, Path(id): Path<String>) -> Response {
    match latest(&api, &id) {
        Some(r) => axum::Json(r).into_response(),
        None => not_found("case"),
    }
}

fn push(api: &Api, id: &str, title: &str, text: &str, note: &str) -> Option<Value> {
    let mut s = api.store();
    let revs = &mut s.cases.iter_mut().find(|(c, _)| c == id)?.1;
    let rev = revision(id, revs.len() + 1, title, text, note);
    revs.push(rev.clone());
    Some(rev)
}

async fn update(State(api): State<Api>, Path(id): Path<String>, body: Bytes) -> Response {
    let (title, text) = match check(&api, &body) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    match push(&api, &id, &title, &text, "edited") {
        Some(r) => axum::Json(r).into_response(),
        None => not_found("case"),
    }
}

async fn delete(State(api): State<Api>, Path(id): Path<String>) -> Response {
    let mut s = api.store();
    let before = s.cases.len();
    s.cases.retain(|(c, _)| *c != id);
    if s.cases.len() < before {
        StatusCode::NO_CONTENT.into_response()
    } else {
        not_found("case")
    }
}

async fn revisions(State(api): State<Api>, Path(id): Path<String>) -> Response {
    let s = api.store();
    match s.cases.iter().find(|(c, _)| *c == id) {
        Some((_, revs)) => axum::Json(
            revs.iter()
                .map(|r| json!({ "rev": r["rev"], "title": r["title"], "note": r["note"], "created_at": r["created_at"] }))
                .collect::<Vec<_>>(),
        )
        .into_response(),
        None => not_found("case"),
    }
}

async fn one_revision(State(api): State<Api>, Path((id, n)): Path<(String, usize)>) -> Response {
    let s = api.store();
    match s
        .cases
        .iter()
        .find(|(c, _)| *c == id)
        .and_then(|(_, r)| r.get(n.wrapping_sub(1)))
    {
        Some(r) => axum::Json(r.clone()).into_response(),
        None => not_found("case revision"),
    }
}

async fn observe(State(api): State<Api>, Path(id): Path<String>, body: Bytes) -> Response {
    let Some(last) = latest(&api, &id) else {
        return not_found("case");
    };
    let Ok(req) = serde_json::from_slice::<Value>(&body) else {
        return problem(StatusCode::BAD_REQUEST, "body: expected JSON".into());
    };
    let mut doc: Value =
        serde_json::from_str(last["body"].as_str().unwrap_or("{}")).unwrap_or(json!({}));
    let list = doc
        .as_object_mut()
        .map(|o| o.entry("observation").or_insert_with(|| json!([])));
    if let (Some(Value::Array(arr)), Some(new)) = (list, req["observations"].as_array()) {
        arr.extend(new.iter().cloned());
    }
    let text = doc.to_string();
    let (title, text) = match check(&api, &Bytes::from(text)) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    match push(&api, &id, &title, &text, "follow-up observations appended") {
        Some(r) => (StatusCode::CREATED, axum::Json(r)).into_response(),
        None => not_found("case"),
    }
}

async fn run(
    State(api): State<Api>,
    Path((id, op)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let Some(last) = latest(&api, &id) else {
        return not_found("case");
    };
    if op != "prognosis" && op != "plans" {
        return problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("op = \"{op}\": expected one of prognosis, plans"),
        );
    }
    let draws = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v["draws"].as_u64())
        .map(|d| d as usize);
    let job_id = {
        let mut s = api.store();
        s.next += 1;
        let job_id = format!("job-{}", s.next);
        s.jobs.insert(job_id.clone(), json!({ "id": job_id, "op": op, "status": "running", "done": 0, "total": 0,
            "case_id": id, "rev": last["rev"], "engine_version": env!("CARGO_PKG_VERSION"), "seed": null,
            "created_at": now(), "finished_at": null, "error": null, "stale": false, "stale_reasons": [], "result": null }));
        job_id
    };
    let seed = api
        .engine
        .parse_case(last["body"].as_str().unwrap_or_default())
        .and_then(|c| api.engine.patient_case(&c, "run"))
        .map(|c| c.settings.seed)
        .ok();
    if let Some(j) = api.store().jobs.get_mut(&job_id) {
        j["seed"] = json!(seed);
    }
    let view = api.store().jobs[&job_id].clone();
    let (api2, jid) = (api.clone(), job_id.clone());
    tokio::task::spawn_blocking(move || {
        let listener_api = api2.clone();
        let listener_id = jid.clone();
        let control = Control::with_listener(move |done, total| {
            if let Some(j) = listener_api.store().jobs.get_mut(&listener_id) {
                j["done"] = json!(done);
                j["total"] = json!(total);
            }
        });
        let text = last["body"].as_str().unwrap_or_default().to_string();
        let result = api2.engine.parse_case(&text).and_then(|case| {
            let v = if op == "prognosis" {
                serde_json::to_value(api2.engine.prognosis(&case, draws, &control)?)
            } else {
                serde_json::to_value(api2.engine.plans(&case, draws, &control)?)
            };
            Ok(v.unwrap_or(Value::Null))
        });
        let mut s = api2.store();
        if let Some(j) = s.jobs.get_mut(&jid) {
            j["finished_at"] = json!(now());
            match result {
                Ok(v) => {
                    j["status"] = json!("done");
                    j["result"] = v;
                }
                Err(e) => {
                    j["status"] = json!("failed");
                    j["error"] = json!(e.to_string());
                }
            }
        }
    });
    (StatusCode::ACCEPTED, axum::Json(view)).into_response()
}

async fn job(State(api): State<Api>, Path(id): Path<String>) -> Response {
    match api.store().jobs.get(&id) {
        Some(j) => axum::Json(j.clone()).into_response(),
        None => not_found("job"),
    }
}

async fn results(State(api): State<Api>, Path(id): Path<String>) -> axum::Json<Vec<Value>> {
    let s = api.store();
    let mut v: Vec<Value> = s
        .jobs
        .values()
        .filter(|j| j["case_id"] == id.as_str())
        .cloned()
        .collect();
    v.sort_by_key(|j| std::cmp::Reverse(j["id"].as_str().and_then(|s| s[4..].parse::<u64>().ok())));
    axum::Json(v)
}

/// The stand-in API's routes (see the module's documentation), with the engine loaded.
pub fn api_router(engine: Arc<Engine>) -> Router {
    let api = Api {
        engine,
        store: Arc::default(),
    };
    Router::new()
        .route("/v1/atlas", get(atlas))
        .route("/v1/cases", post(create).get(list))
        .route("/v1/cases/{id}", get(read).put(update).delete(delete))
        .route("/v1/cases/{id}/revisions", get(revisions))
        .route("/v1/cases/{id}/revisions/{rev}", get(one_revision))
        .route("/v1/cases/{id}/observations", post(observe))
        .route("/v1/cases/{id}/results", get(results))
        .route("/v1/cases/{id}/runs/{op}", post(run))
        .route("/v1/jobs/{id}", get(job))
        .with_state(api)
}
