//! The API end to end, in process, against a temporary SQLite file and (when
//! `REINNERVATE_TEST_PG` names a PostgreSQL server; scripts/test always starts one) a fresh
//! PostgreSQL database: cases with revisions, runs as jobs with progress, cancellation, the
//! bounded queue, problem details, authentication and isolation between users. Every response
//! is checked against the OpenAPI description the server serves.

use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use server::{Auth, Config, Limits};
use support::{TempDir, loopback};

mod support;
use tower::ServiceExt;

const CASE: &str = r#"
title = "Radial nerve palsy, mid-shaft humeral fracture"

[patient]
age_years = 34
sex = "male"
height_cm = 178

[[injury]]
nerve = "radial"
site = "mid_humerus"
grade = "unknown"
prior = { neurapraxia = 0.35, sunderland_2 = 0.25, sunderland_3 = 0.2, sunderland_4 = 0.1, neurotmesis = 0.1 }
date = "2026-03-02"

[settings]
horizon_days = 730
draws = 40
seed = 20260302
"#;

/// One response seen: (method, path, status, content type, body).
type Seen = (String, String, u16, String, Value);

/// Every response seen, for the OpenAPI check.
static SEEN: Mutex<Vec<Seen>> = Mutex::new(Vec::new());

struct Api {
    app: axum::Router,
    state: server::AppState,
    _dir: TempDir,
}

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Value,
    text: String,
    bytes: Vec<u8>,
}

/// The databases to test on: SQLite always, PostgreSQL when the test cluster is there.
async fn databases(dir: &TempDir) -> Vec<String> {
    let mut v = vec![dir.sqlite("api.db")];
    match std::env::var("REINNERVATE_TEST_PG") {
        Ok(admin) => v.push(store::scratch_postgres(&admin).await.unwrap()),
        Err(_) => eprintln!("REINNERVATE_TEST_PG not set: PostgreSQL part skipped"),
    }
    v
}

impl Api {
    async fn start(dir: TempDir, database: String, auth: Auth, limits: Limits) -> Api {
        let state = server::state(&support::config(database, auth, limits))
            .await
            .unwrap();
        Api {
            app: server::router(state.clone()),
            state,
            _dir: dir,
        }
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: impl Into<Body>,
    ) -> Reply {
        let mut req = Request::builder().method(method.clone()).uri(path);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        req = req.header("content-type", content_type);
        let res = self
            .app
            .clone()
            .oneshot(req.body(body.into()).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8_lossy(&bytes).to_string();
        let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let ct = headers
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        if status.is_client_error() || status.is_server_error() {
            assert_eq!(ct, "application/problem+json", "{method} {path}: {text}");
            assert_eq!(body["status"], status.as_u16(), "{text}");
        }
        assert!(
            !status.is_server_error(),
            "{method} {path}: {status} {text}"
        );
        let path_only = path.split('?').next().unwrap().to_string();
        SEEN.lock().unwrap().push((
            method.to_string(),
            path_only,
            status.as_u16(),
            ct,
            body.clone(),
        ));
        Reply {
            status,
            headers,
            body,
            text,
            bytes: bytes.to_vec(),
        }
    }

    async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.call(Method::GET, path, token, "application/json", Body::empty())
            .await
    }

    async fn json(&self, method: Method, path: &str, token: Option<&str>, v: Value) -> Reply {
        self.call(method, path, token, "application/json", v.to_string())
            .await
    }

    async fn wait(&self, job: &str, token: Option<&str>) -> Value {
        for _ in 0..600 {
            let r = self.get(&format!("/v1/jobs/{job}"), token).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text);
            let s = r.body["status"].as_str().unwrap().to_string();
            if !["queued", "running"].contains(&s.as_str()) {
                return r.body;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("job {job} did not end within 60 s");
    }
}

fn small_limits() -> Limits {
    Limits {
        max_draws: 1000,
        body_bytes: 64 * 1024,
        ..Limits::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stored_case_revisions_runs_and_results() {
    let dir = TempDir::new("api");
    for db in databases(&dir).await {
        let pg = db.starts_with("postgres");
        let d = TempDir::new("api");
        let token = if pg {
            let s = store::Store::open(&db).await.unwrap();
            Some(s.create_token("alice", "test").await.unwrap().1)
        } else {
            None
        };
        let t = token.as_deref();
        let api = Api::start(d, db, Auth::Auto, small_limits()).await;

        let health = api.get("/health", None).await;
        assert_eq!(health.body["authentication"], pg);

        // Create from TOML as on the command line.
        let r = api
            .call(Method::POST, "/v1/cases", t, "application/toml", CASE)
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let id = r.body["case_id"].as_str().unwrap().to_string();
        assert_eq!(r.body["rev"], 1);
        assert_eq!(r.headers["location"], format!("/v1/cases/{id}").as_str());
        assert_eq!(r.body["body"], CASE, "the case file is stored as given");

        // Read, list with a title filter, revisions.
        let r = api.get(&format!("/v1/cases/{id}"), t).await;
        assert_eq!(
            r.body["title"],
            "Radial nerve palsy, mid-shaft humeral fracture"
        );
        let r = api.get("/v1/cases?title=radial&limit=10", t).await;
        assert_eq!(r.body["total"], 1, "{}", r.text);
        let r = api.get("/v1/cases?title=ulnar", t).await;
        assert_eq!(r.body["total"], 0);

        // Follow-up observations make revision 2; revision 1 stays readable.
        let obs = json!({"observations": [
            {"date": "2026-07-01", "muscle": "brachioradialis", "mrc": 0,
             "emg": {"fibrillations": "3+", "mup": "none", "recruitment": "none"}}
        ]});
        let path = format!("/v1/cases/{id}/observations");
        let r = api.json(Method::POST, &path, t, obs).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(
            (r.body["rev"].as_i64(), r.body["format"].as_str()),
            (Some(2), Some("json"))
        );
        let r = api.get(&format!("/v1/cases/{id}/revisions/1"), t).await;
        assert_eq!(r.body["body"], CASE);
        let r = api.get(&format!("/v1/cases/{id}/revisions"), t).await;
        assert_eq!(r.body.as_array().unwrap().len(), 2);

        // A prognosis job on the stored revision: 202, then done with the result.
        let path = format!("/v1/cases/{id}/runs/prognosis");
        let r = api.json(Method::POST, &path, t, json!({"draws": 24})).await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
        let job = r.body["id"].as_str().unwrap().to_string();
        assert_eq!(r.headers["location"], format!("/v1/jobs/{job}").as_str());
        let done = api.wait(&job, t).await;
        assert_eq!(done["status"], "done", "{done}");
        assert_eq!(
            (done["rev"].as_i64(), done["seed"].as_i64()),
            (Some(2), Some(20260302))
        );
        assert_eq!(done["result"]["draws"], 24);
        assert!(done["result"]["muscles"].as_array().unwrap().len() >= 2);
        assert!(
            done["result"]["follow_up"].is_object(),
            "the observation was used"
        );
        assert!(
            done["result"]["disclaimer"]
                .as_str()
                .unwrap()
                .contains("not a medical device")
        );
        assert_eq!(done["stale"], false);

        // The result is the facade's typed result, exactly as the CLI's --json prints it.
        let direct = {
            let engine = engine::Engine::load().unwrap();
            let rev2 = api.get(&format!("/v1/cases/{id}/revisions/2"), t).await;
            let case = engine
                .parse_case(rev2.body["body"].as_str().unwrap())
                .unwrap();
            let p = engine
                .prognosis(&case, Some(24), &engine::Control::new())
                .unwrap();
            serde_json::from_str::<Value>(&serde_json::to_string(&p).unwrap()).unwrap()
        };
        assert_eq!(done["result"], direct);

        // The same run again gives the same numbers (seeded): a stored result is reproducible.
        let r = api.json(Method::POST, &path, t, json!({"draws": 24})).await;
        let again = api.wait(r.body["id"].as_str().unwrap(), t).await;
        assert_eq!(again["result"], done["result"]);

        // Its events: the job has ended, so one final event and the stream ends. Once the job
        // has left the server's memory, that event still reports how far it got (the stored
        // done/total, not 0/0) and its final state.
        for _ in 0..600 {
            if api.state.jobs.progress(&job).is_none() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(
            api.state.jobs.progress(&job).is_none(),
            "the job left memory"
        );
        let r = api.get(&format!("/v1/jobs/{job}/events"), t).await;
        let events = sse_events(&r.text);
        assert_eq!(events.len(), 1, "{}", r.text);
        let (name, data) = &events[0];
        assert_eq!(name, "done", "{}", r.text);
        assert_eq!(data["status"], "done");
        let total = data["total"].as_u64().unwrap();
        assert!(total >= 24, "{data}");
        assert_eq!(data["done"].as_u64(), Some(total), "{data}");
        let polled = api.get(&format!("/v1/jobs/{job}"), t).await;
        assert_eq!(
            (polled.body["done"].as_u64(), polled.body["total"].as_u64()),
            (Some(total), Some(total)),
            "polling an ended job gives the same progress: {}",
            polled.text
        );

        // A new revision makes the stored result stale, and says why.
        let r = api
            .call(
                Method::PUT,
                &format!("/v1/cases/{id}"),
                t,
                "application/toml",
                CASE,
            )
            .await;
        assert_eq!(r.body["rev"], 3, "{}", r.text);
        let r = api.get(&format!("/v1/cases/{id}/results"), t).await;
        let results = r.body.as_array().unwrap();
        assert_eq!(results.len(), 2);
        assert_eq!(results[0]["stale"], true);
        assert!(
            results[0]["stale_reasons"][0]
                .as_str()
                .unwrap()
                .contains("revision 2")
        );

        // simulate: the twin day by day, the facade's Simulation as the CLI prints it.
        let path = format!("/v1/cases/{id}/runs/simulate");
        let r = api
            .json(Method::POST, &path, t, json!({"resolution": "pooled"}))
            .await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
        let sim = api.wait(r.body["id"].as_str().unwrap(), t).await;
        assert_eq!(sim["status"], "done", "{sim}");
        let runs = sim["result"]["runs"].as_array().unwrap();
        assert!(!runs.is_empty());
        assert_eq!(
            runs[0]["days"].as_array().unwrap().len(),
            731,
            "days 0 to the horizon"
        );

        // A run on a case sent with the request (JSON object), not stored.
        let case_json: Value = toml::from_str(CASE).unwrap();
        let r = api
            .json(
                Method::POST,
                "/v1/runs/plans",
                t,
                json!({"case": case_json, "draws": 8}),
            )
            .await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
        let plans = api.wait(r.body["id"].as_str().unwrap(), t).await;
        assert_eq!(plans["status"], "done", "{plans}");
        assert!(plans["result"]["plans"].as_array().unwrap().len() >= 2);
        assert_eq!(plans["case_id"], Value::Null);

        // Delete: gone, with its results.
        let r = api
            .call(
                Method::DELETE,
                &format!("/v1/cases/{id}"),
                t,
                "application/json",
                "",
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        let r = api.get(&format!("/v1/cases/{id}"), t).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = api.get(&format!("/v1/jobs/{job}"), t).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);

        // Reference data.
        let r = api.get("/v1/atlas", t).await;
        assert!(r.text.contains("mid_humerus") && r.text.contains("brachioradialis"));
        let r = api.get("/v1/parameters/rat", t).await;
        assert_eq!(r.status, StatusCode::OK);
        let r = api.get("/v1/parameters/dog", t).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // The findings vocabulary: every key of the format, each with its kind.
        let r = api.get("/v1/findings/schema", t).await;
        let schema: serde_json::Value = serde_json::from_str(&r.text).unwrap();
        let fields = schema["fields"].as_array().unwrap();
        assert_eq!(fields.len(), engine::diagnosis::findings::SCHEMA.len());
        let fib = fields
            .iter()
            .find(|f| f["section"] == "emg" && f["key"] == "fibrillations")
            .unwrap();
        assert!(fib["kind"].is_string() && !fib["values"].as_array().unwrap().is_empty());
        api.state.jobs.shutdown(Duration::from_secs(5)).await;
    }
    check_openapi().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_a_4xx_problem_naming_the_field() {
    let dir = TempDir::new("api");
    let db = dir.sqlite("bad.db");
    let api = Api::start(TempDir::new("api"), db, Auth::Auto, small_limits()).await;
    let post_case = |body: String| {
        let api = &api;
        async move {
            api.call(Method::POST, "/v1/cases", None, "application/toml", body)
                .await
        }
    };
    // A wrong grade: 422 naming the field, the value and what was expected.
    let r = post_case(CASE.replace("grade = \"unknown\"", "grade = \"severe\"")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.body["field"], "injury[0].grade", "{}", r.text);
    assert!(r.body["value"].as_str().unwrap().contains("severe"));
    assert!(r.body["expected"].as_str().is_some());
    // An unknown field in a case file is refused, not ignored.
    let r = post_case(format!("colour = \"red\"\n{CASE}")).await;
    assert!(r.status.is_client_error(), "{}", r.text);
    assert!(r.text.contains("colour"), "{}", r.text);
    // Not TOML at all.
    let r = post_case("this is [not toml".into()).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    // Too large.
    let r = post_case(format!("# {}\n{CASE}", "x".repeat(70 * 1024))).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.text);

    let r = post_case(CASE.into()).await;
    let id = r.body["case_id"].as_str().unwrap().to_string();
    let run = format!("/v1/cases/{id}/runs/prognosis");
    // Unknown field in options; draws over the limit; unknown operation; bad JSON.
    let r = api.json(Method::POST, &run, None, json!({"draw": 5})).await;
    assert!(
        r.status.is_client_error() && r.text.contains("draw"),
        "{}",
        r.text
    );
    let r = api
        .json(Method::POST, &run, None, json!({"draws": 100000}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        (r.body["field"].as_str(), r.body["value"].as_str()),
        (Some("draws"), Some("100000"))
    );
    let r = api
        .json(Method::POST, &run, None, json!({"draws": -1}))
        .await;
    assert!(r.status.is_client_error(), "{}", r.text);
    assert_eq!(r.body["field"], "draws");
    let path = format!("/v1/cases/{id}/runs/astrology");
    let r = api.json(Method::POST, &path, None, json!({})).await;
    assert_eq!(
        (r.status, r.body["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("op"))
    );
    let r = api
        .call(Method::POST, &run, None, "application/json", "{\"draws\": ")
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = api.get("/v1/cases?limit=0", None).await;
    assert_eq!(
        (r.status, r.body["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("limit"))
    );
    let r = api.get("/v1/cases?colour=red", None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    let r = api.get(&format!("/v1/cases/{id}/revisions/x"), None).await;
    assert_eq!(r.body["field"], "rev");
    let r = api.get("/v1/nothing-here", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // A bad observation names its place in the request.
    let obs = json!({"observations": [{"day": 120, "muscle": "brachioradialis", "mrc": 9}]});
    let r = api
        .json(
            Method::POST,
            &format!("/v1/cases/{id}/observations"),
            None,
            obs,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(
        r.body["field"]
            .as_str()
            .unwrap()
            .starts_with("observations[0]"),
        "{}",
        r.text
    );
    check_openapi().await;
}

/// Issue 20: a run is estimated before it is queued (`Engine::estimate`); one estimated to
/// take longer than the job time is refused with a 422 naming the estimate and the limit, and
/// an accepted one reports its estimate.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_estimated_beyond_the_job_time_is_refused_before_it_is_queued() {
    let dir = TempDir::new("api");
    let db = dir.sqlite("cost.db");
    let limits = Limits {
        job_time: Duration::from_secs(1),
        ..small_limits()
    };
    let api = Api::start(TempDir::new("api"), db, Auth::Auto, limits).await;
    let r = api
        .json(
            Method::POST,
            "/v1/runs/plans",
            None,
            json!({"case": CASE, "draws": 1000}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.body["field"], "draws", "{}", r.text);
    assert!(
        r.body["detail"].as_str().unwrap().contains("1,000 draws")
            && r.body["expected"].as_str().unwrap().contains("at most 1 s"),
        "{}",
        r.text
    );
    let r = api
        .json(
            Method::POST,
            "/v1/runs/prognosis",
            None,
            json!({"case": CASE, "draws": 1}),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let estimate = &r.body["estimate"];
    assert_eq!(estimate["operation"], "prognosis", "{}", r.text);
    assert!(estimate["seconds"].as_f64().unwrap() < 1.0, "{}", r.text);
    api.wait(r.body["id"].as_str().unwrap(), None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_queue_answers_429_and_jobs_can_be_cancelled() {
    let dir = TempDir::new("api");
    let db = dir.sqlite("q.db");
    let limits = Limits {
        workers: 1,
        queue: 1,
        ..small_limits()
    };
    let api = Api::start(TempDir::new("api"), db, Auth::Auto, limits).await;
    let r = api
        .call(Method::POST, "/v1/cases", None, "application/toml", CASE)
        .await;
    let run = format!(
        "/v1/cases/{}/runs/plans",
        r.body["case_id"].as_str().unwrap()
    );
    // One running, one waiting: the third is refused with Retry-After.
    let a = api
        .json(Method::POST, &run, None, json!({"draws": 1000}))
        .await;
    let b = api
        .json(Method::POST, &run, None, json!({"draws": 1000}))
        .await;
    assert_eq!(
        (a.status, b.status),
        (StatusCode::ACCEPTED, StatusCode::ACCEPTED)
    );
    let c = api
        .json(Method::POST, &run, None, json!({"draws": 10}))
        .await;
    assert_eq!(c.status, StatusCode::TOO_MANY_REQUESTS, "{}", c.text);
    let retry: u64 = c.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry >= 1);
    // Progress of the waiting job streams as events until it ends; cancel it, then the first.
    let b_id = b.body["id"].as_str().unwrap().to_string();
    let events = {
        let app = api.app.clone();
        let path = format!("/v1/jobs/{b_id}/events");
        tokio::spawn(async move {
            let req = Request::get(path).body(Body::empty()).unwrap();
            let res = app.oneshot(req).await.unwrap();
            assert_eq!(res.headers()["content-type"], "text/event-stream");
            let bytes = res.into_body().collect().await.unwrap().to_bytes();
            String::from_utf8_lossy(&bytes).to_string()
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    for id in [b_id.as_str(), a.body["id"].as_str().unwrap()] {
        let r = api
            .call(
                Method::DELETE,
                &format!("/v1/jobs/{id}"),
                None,
                "application/json",
                "",
            )
            .await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
        assert_eq!(r.body["status"], "cancelled", "{}", r.text);
    }
    let text = tokio::time::timeout(Duration::from_secs(60), events)
        .await
        .unwrap()
        .unwrap();
    assert!(text.starts_with("event: progress"), "{text}");
    assert!(text.contains("event: cancelled"), "{text}");
    // The slots free again once the cancelled jobs have ended.
    for _ in 0..600 {
        let r = api
            .json(Method::POST, &run, None, json!({"draws": 4}))
            .await;
        if r.status == StatusCode::ACCEPTED {
            let done = api.wait(r.body["id"].as_str().unwrap(), None).await;
            assert_eq!(done["status"], "done");
            check_openapi().await;
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the queue never freed after cancelling");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_user_never_reaches_another_users_cases() {
    let dir = TempDir::new("api");
    for db in databases(&dir).await {
        let s = store::Store::open(&db).await.unwrap();
        let alice = s.create_token("alice", "a").await.unwrap().1;
        let bob = s.create_token("bob", "b").await.unwrap().1;
        let api = Api::start(TempDir::new("api"), db, Auth::Tokens, small_limits()).await;
        let (a, b) = (Some(alice.as_str()), Some(bob.as_str()));

        // No token, a wrong token: 401 with a Bearer challenge.
        let r = api.get("/v1/cases", None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(
            r.headers["www-authenticate"]
                .to_str()
                .unwrap()
                .starts_with("Bearer")
        );
        let r = api.get("/v1/cases", Some("rn_0000")).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);

        let r = api
            .call(Method::POST, "/v1/cases", a, "application/toml", CASE)
            .await;
        let id = r.body["case_id"].as_str().unwrap().to_string();
        let r = api
            .json(
                Method::POST,
                &format!("/v1/cases/{id}/runs/prognosis"),
                a,
                json!({"draws": 4}),
            )
            .await;
        let job = r.body["id"].as_str().unwrap().to_string();

        // Bob can neither list, read, change, run nor delete Alice's case, nor touch her job.
        let r = api.get("/v1/cases", b).await;
        assert_eq!(r.body["total"], 0);
        for path in [
            format!("/v1/cases/{id}"),
            format!("/v1/cases/{id}/revisions"),
            format!("/v1/cases/{id}/revisions/1"),
            format!("/v1/cases/{id}/results"),
            format!("/v1/jobs/{job}"),
            format!("/v1/jobs/{job}/events"),
        ] {
            let r = api.get(&path, b).await;
            assert_eq!(
                r.status,
                StatusCode::NOT_FOUND,
                "bob GET {path}: {}",
                r.text
            );
        }
        let r = api
            .call(
                Method::PUT,
                &format!("/v1/cases/{id}"),
                b,
                "application/toml",
                CASE,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let obs = json!({"observations": []});
        let r = api
            .json(
                Method::POST,
                &format!("/v1/cases/{id}/observations"),
                b,
                obs,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = api
            .json(
                Method::POST,
                &format!("/v1/cases/{id}/runs/prognosis"),
                b,
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = api
            .call(
                Method::DELETE,
                &format!("/v1/jobs/{job}"),
                b,
                "application/json",
                "",
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = api
            .call(
                Method::DELETE,
                &format!("/v1/cases/{id}"),
                b,
                "application/json",
                "",
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);

        // Alice still has everything.
        let done = api.wait(&job, a).await;
        assert_eq!(done["status"], "done");
        let r = api.get(&format!("/v1/cases/{id}"), a).await;
        assert_eq!(
            (r.status, r.body["rev"].as_i64()),
            (StatusCode::OK, Some(1))
        );
        api.state.jobs.shutdown(Duration::from_secs(5)).await;
    }
    check_openapi().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refuses_to_start_without_authentication_where_it_is_needed() {
    let dir = TempDir::new("api");
    for db in databases(&dir).await {
        let pg = db.starts_with("postgres");
        // Any non-loopback address, without tokens: refused.
        let config = Config {
            bind: SocketAddr::from(([0, 0, 0, 0], 0)),
            database: db.clone(),
            limits: Limits::default(),
            auth: Auth::Auto,
        };
        let err = server::state(&config).await.err().expect("refused");
        assert!(err.to_string().contains("token"), "{err}");
        // No login asked for on a shared address (or on PostgreSQL): refused.
        let config = Config {
            auth: Auth::None,
            ..config
        };
        assert!(server::state(&config).await.is_err());
        let config = Config {
            bind: loopback(),
            ..config
        };
        assert_eq!(server::state(&config).await.is_err(), pg);
    }
}

/// The events of a Server-Sent Events body: (event name, data as JSON).
fn sse_events(text: &str) -> Vec<(String, Value)> {
    text.split("\n\n")
        .filter(|block| !block.trim().is_empty())
        .map(|block| {
            let field = |name: &str| {
                block
                    .lines()
                    .find_map(|l| l.strip_prefix(name))
                    .map(|v| v.trim().to_string())
                    .unwrap_or_default()
            };
            let data = serde_json::from_str(&field("data:")).unwrap_or(Value::Null);
            (field("event:"), data)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnose_and_validate_as_you_type() {
    let dir = TempDir::new("api");
    for db in databases(&dir).await {
        let token = if db.starts_with("postgres") {
            let s = store::Store::open(&db).await.unwrap();
            Some(s.create_token("dora", "test").await.unwrap().1)
        } else {
            None
        };
        let t = token.as_deref();
        let api = Api::start(TempDir::new("api"), db, Auth::Auto, small_limits()).await;
        let engine = engine::Engine::load().unwrap();

        // Findings in, the facade's differential out: exactly what `diagnose --json` prints.
        for (text, content_type, json_text) in [
            (
                include_str!("../../../examples/findings-myasthenia.json"),
                "application/json",
                true,
            ),
            (
                include_str!("../../../examples/findings-radiculopathy.toml"),
                "application/toml",
                false,
            ),
        ] {
            let r = api
                .call(Method::POST, "/v1/diagnose", t, content_type, text)
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text);
            let findings = engine.parse_findings(text, Some(json_text)).unwrap();
            // Both sides through the same text parser (as the prognosis check above).
            let d = engine.diagnose(&findings).unwrap();
            let direct: Value = serde_json::from_str(&serde_json::to_string(&d).unwrap()).unwrap();
            assert_eq!(r.body, direct);
            assert!(r.body["level"].as_array().unwrap().len() >= 2);
            assert!(
                r.body["disclaimer"]
                    .as_str()
                    .unwrap()
                    .contains("not a medical device")
            );
        }
        // A finding with a value the format does not have: 422 naming key, value, expected.
        let bad = r#"{"history": {"onset": "yesterday"}}"#;
        let r = api
            .call(Method::POST, "/v1/diagnose", t, "application/json", bad)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert_eq!(r.body["field"], "history.onset", "{}", r.text);
        assert!(r.body["value"].as_str().unwrap().contains("yesterday"));
        assert!(r.body["expected"].as_str().unwrap().contains("acute"));
        let r = api
            .call(
                Method::POST,
                "/v1/diagnose",
                t,
                "application/json",
                "{\"exam\": ",
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);

        // Validate as you type: a good case is `ok` and says what it is; nothing is stored.
        let check = |body: String| {
            let api = &api;
            async move {
                let r = api
                    .call(
                        Method::POST,
                        "/v1/validate/case",
                        t,
                        "application/toml",
                        body,
                    )
                    .await;
                assert_eq!(r.status, StatusCode::OK, "{}", r.text);
                r.body
            }
        };
        let ok = check(CASE.into()).await;
        assert_eq!(ok["ok"], true, "{ok}");
        assert_eq!(
            (
                ok["kind"].as_str(),
                ok["seed"].as_u64(),
                ok["draws"].as_u64()
            ),
            (Some("patient"), Some(20260302), Some(40))
        );
        assert_eq!(ok["errors"], json!([]));
        let case_json: Value = toml::from_str(CASE).unwrap();
        let ok = check(case_json.to_string()).await;
        assert_eq!(ok["ok"], true, "JSON is taken as the CLI takes it: {ok}");
        let r = api.get("/v1/cases", t).await;
        assert_eq!(r.body["total"], 0, "a check stores nothing");

        // A wrong value: the error names the field, the value and what was expected, exactly
        // as the case would be refused by POST /v1/cases.
        let wrong = CASE.replace("grade = \"unknown\"", "grade = \"severe\"");
        let bad = check(wrong.clone()).await;
        assert_eq!(bad["ok"], false, "{bad}");
        let e = &bad["errors"][0];
        assert_eq!(e["field"], "injury[0].grade", "{bad}");
        assert!(e["value"].as_str().unwrap().contains("severe"), "{bad}");
        assert!(
            e["expected"].as_str().unwrap().contains("neurotmesis"),
            "{bad}"
        );
        let refused = api
            .call(Method::POST, "/v1/cases", t, "application/toml", wrong)
            .await;
        assert_eq!(refused.body["detail"], e["detail"]);
        // An unknown nerve names the nerve field and the atlas's nerves.
        let bad = check(CASE.replace("nerve = \"radial\"", "nerve = \"radiall\"")).await;
        assert_eq!(bad["ok"], false, "{bad}");
        assert_eq!(bad["errors"][0]["field"], "injury[0].nerve", "{bad}");
        assert!(
            bad["errors"][0]["expected"]
                .as_str()
                .unwrap()
                .contains("median"),
            "{bad}"
        );
        // Half-typed TOML: not ok, with the parser's message.
        let bad = check("title = \"x\"\n[patient\n".into()).await;
        assert_eq!(bad["ok"], false, "{bad}");
        assert_eq!(bad["errors"][0]["status"], 400, "{bad}");
        api.state.jobs.shutdown(Duration::from_secs(5)).await;
    }
    check_openapi().await;
}

/// One published experiment in the shared calibration format (the first of
/// shared/calibration/experiments.toml).
const CALIBRATION: &str = r#"
[[experiment]]
id = "dow2004-denervated"
source = "Dow DE, Cederna PS, Hassett CA, Kostrominova TY, Faulkner JA, Dennis RG (2004) Muscle Nerve 30:77-86"
species = "rat"
muscle = "extensor_digitorum_longus"
[experiment.injury]
grade = "neurotmesis"
distance_mm = 20
regrowth = "prevented"
[[experiment.expect]]
quantity = "muscle_mass_fraction"
day = 35
value = 0.34
min = 0.26
max = 0.42
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calibrate_runs_as_a_job_and_the_docs_page_is_served() {
    let dir = TempDir::new("api");
    let db = dir.sqlite("cal.db");
    let api = Api::start(TempDir::new("api"), db, Auth::Auto, small_limits()).await;

    // A calibration file sent with the request: a job whose result is the facade's Calibration,
    // as `reinnervate calibrate --json --resolution pooled` prints it.
    let body = json!({"case": CALIBRATION, "resolution": "pooled"});
    let r = api
        .json(Method::POST, "/v1/runs/calibrate", None, body)
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let done = api.wait(r.body["id"].as_str().unwrap(), None).await;
    assert_eq!(done["status"], "done", "{done}");
    assert_eq!(
        (done["done"].as_u64(), done["total"].as_u64()),
        (Some(1), Some(1))
    );
    let direct = {
        let engine = engine::Engine::load().unwrap();
        let options = engine::calibration::Options::with_resolution(engine::Resolution::Pooled);
        let c = engine
            .calibrate(CALIBRATION, &options, &engine::Control::new())
            .unwrap();
        serde_json::from_str::<Value>(&serde_json::to_string(&c).unwrap()).unwrap()
    };
    assert_eq!(done["result"], direct);
    assert_eq!(done["result"]["total"], 1);

    // Refused up front: draws (each experiment sets its own), a file that is not TOML, and
    // calibrate on a stored case (it runs on a calibration file, not a case).
    let body = json!({"case": CALIBRATION, "draws": 5});
    let r = api
        .json(Method::POST, "/v1/runs/calibrate", None, body)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.body["field"], "draws");
    let body = json!({"case": "[[experiment]\nid = "});
    let r = api
        .json(Method::POST, "/v1/runs/calibrate", None, body)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    let r = api
        .call(Method::POST, "/v1/cases", None, "application/toml", CASE)
        .await;
    let path = format!(
        "/v1/cases/{}/runs/calibrate",
        r.body["case_id"].as_str().unwrap()
    );
    let r = api.json(Method::POST, &path, None, json!({})).await;
    assert_eq!(
        (r.status, r.body["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("op")),
        "{}",
        r.text
    );
    check_openapi().await;

    // The docs page: Swagger UI from the binary, pointed at /openapi.json; no file it loads
    // comes from another host.
    let get = |path: &'static str| {
        let app = api.app.clone();
        async move {
            let res = app
                .oneshot(Request::get(path).body(Body::empty()).unwrap())
                .await
                .unwrap();
            let status = res.status();
            let ct = res
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap().to_string());
            let bytes = res.into_body().collect().await.unwrap().to_bytes();
            (
                status,
                ct.unwrap_or_default(),
                String::from_utf8_lossy(&bytes).to_string(),
            )
        }
    };
    let (status, ct, page) = get("/docs/").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(ct.starts_with("text/html"), "{ct}");
    for src in page
        .split("src=\"")
        .skip(1)
        .chain(page.split("href=\"").skip(1))
    {
        assert!(!src.starts_with("http"), "the page loads {src}");
    }
    let (status, _, init) = get("/docs/swagger-initializer.js").await;
    assert_eq!(status, StatusCode::OK);
    assert!(init.contains("/openapi.json"), "{init}");
    let (status, ct, js) = get("/docs/swagger-ui-bundle.js").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        ct.contains("javascript") && js.len() > 100_000,
        "{ct} {}",
        js.len()
    );
}

/// The OpenAPI description is 3.1, and every response seen so far matches the schema it
/// documents for that path, method and status.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshot_runs_as_a_job_and_serves_its_pictures_and_traces_by_url() {
    let dir = TempDir::new("api");
    // The facade's own pictures of the same case, muscle and days: what the URLs must give.
    let engine = engine::Engine::load().unwrap();
    let case = engine.parse_case(CASE).unwrap();
    let scenario = engine.scenario(&case, Some("brachioradialis")).unwrap();
    let direct = engine
        .pictures(&scenario, &[0, 90], &[0, 90], &engine::Control::new())
        .unwrap();
    let d90 = &direct.days[1];
    for db in databases(&dir).await {
        let s = store::Store::open(&db).await.unwrap();
        let alice = s.create_token("alice", "a").await.unwrap().1;
        let bob = s.create_token("bob", "b").await.unwrap().1;
        let api = Api::start(TempDir::new("api"), db, Auth::Tokens, small_limits()).await;
        let (a, b) = (Some(alice.as_str()), Some(bob.as_str()));
        let r = api
            .call(Method::POST, "/v1/cases", a, "application/toml", CASE)
            .await;
        let id = r.body["case_id"].as_str().unwrap().to_string();
        let runs = format!("/v1/cases/{id}/runs");

        // Options are checked before anything is queued, each naming its field.
        for (op, body, field) in [
            ("snapshot", json!({"days": [900]}), "days[0]"),
            ("snapshot", json!({"days": []}), "days"),
            (
                "snapshot",
                json!({"days": [0], "strip": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]}),
                "strip",
            ),
            ("snapshot", json!({"muscle": "biceps"}), "muscle"),
            ("snapshot", json!({"draws": 5}), "draws"),
            ("snapshot", json!({"resolution": "pooled"}), "resolution"),
            ("prognosis", json!({"days": [90]}), "days"),
        ] {
            let r = api
                .json(Method::POST, &format!("{runs}/{op}"), a, body)
                .await;
            assert_eq!(
                (r.status, r.body["field"].as_str()),
                (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
                "{}",
                r.text
            );
        }

        let asked = json!({"days": [0, 90], "muscle": "brachioradialis", "strip": [0, 90]});
        let r = api
            .json(Method::POST, &format!("{runs}/snapshot"), a, asked)
            .await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
        let job = r.body["id"].as_str().unwrap().to_string();
        // Another user cannot read it or its pictures before or after it ends.
        let pic = format!("/v1/jobs/{job}/pictures/90/cross_section.svg");
        assert_eq!(api.get(&pic, b).await.status, StatusCode::NOT_FOUND);
        let done = api.wait(&job, a).await;
        assert_eq!(done["status"], "done", "{done}");
        assert_eq!(
            (done["rev"].as_i64(), done["seed"].as_i64()),
            (Some(1), Some(20260302))
        );
        let res = &done["result"];
        assert_eq!(res["muscle"], "brachioradialis");
        assert_eq!(res["resolution"], "fibre");
        // The readings are the facade's; the JSON carries links, not pictures or samples.
        assert_eq!(res["days"][1]["day"], 90);
        assert_eq!(
            res["days"][1]["readout"],
            // parsed as the reply was (serde_json's parser may differ in the last digit)
            serde_json::from_str::<Value>(&serde_json::to_string(&d90.readout).unwrap()).unwrap()
        );
        let text = done.to_string();
        assert!(
            !text.contains("<svg") && text.len() < 64 * 1024,
            "{} bytes",
            text.len()
        );
        assert_eq!(res["days"][1]["pictures"][0]["svg"], pic.as_str());

        // Every picture and trace by URL, with its type, equal to the facade's bytes.
        let r = api.get(&pic, a).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.headers["content-type"], "image/svg+xml");
        assert_eq!(r.text, d90.cross_section.svg);
        assert_eq!(api.get(&pic, b).await.status, StatusCode::NOT_FOUND);
        let base = format!("/v1/jobs/{job}");
        let r = api
            .get(&format!("{base}/pictures/90/cross_section_he.png"), a)
            .await;
        assert_eq!(r.headers["content-type"], "image/png");
        assert_eq!(&r.bytes[..8], b"\x89PNG\r\n\x1a\n");
        let r = api
            .get(&format!("{base}/pictures/90/emg_rest.svg"), a)
            .await;
        assert_eq!(r.text, d90.emg_rest.picture.svg);
        let r = api.get(&format!("{base}/pictures/90/cmap.svg"), a).await;
        assert_eq!(r.text, d90.cmap.picture.svg);
        let r = api.get(&format!("{base}/traces/90/emg_rest.wav"), a).await;
        assert_eq!(r.headers["content-type"], "audio/wav");
        assert_eq!(r.bytes, d90.emg_rest.wav());
        let r = api
            .get(&format!("{base}/traces/90/emg_effort.csv"), a)
            .await;
        assert_eq!(r.headers["content-type"], "text/csv");
        assert_eq!(r.text, d90.emg_effort.csv());
        let r = api.get(&format!("{base}/traces/90/cmap.csv"), a).await;
        assert_eq!(r.text, d90.cmap.csv());
        assert!(r.text.contains("\ntime_ms,distal_mv,proximal_mv\n"));
        let r = api
            .get(&format!("{base}/strips/time_strip_he.svg"), a)
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.text, direct.strips[1].svg);

        // What does not exist is a 404 naming the segment, the value and what does.
        for (path, field, expected) in [
            (
                format!("{base}/pictures/45/cross_section.svg"),
                "day",
                "0, 90",
            ),
            (
                format!("{base}/pictures/ninety/cross_section.svg"),
                "day",
                "0, 90",
            ),
            (
                format!("{base}/pictures/90/biopsy.svg"),
                "name",
                "cross_section_he",
            ),
            (
                format!("{base}/pictures/90/cross_section.gif"),
                "format",
                "svg, png",
            ),
            (format!("{base}/traces/90/cmap.wav"), "format", "csv"),
            (
                format!("{base}/traces/90/emg_rest.mp3"),
                "format",
                "wav, csv",
            ),
            (
                format!("{base}/strips/time_strip_x.svg"),
                "name",
                "time_strip_atpase94",
            ),
        ] {
            let r = api.get(&path, a).await;
            assert_eq!(
                (r.status, r.body["field"].as_str()),
                (StatusCode::NOT_FOUND, Some(field)),
                "{path}: {}",
                r.text
            );
            assert!(
                r.body["expected"].as_str().unwrap().contains(expected),
                "{}",
                r.text
            );
        }
        // A job of another operation has no pictures.
        let r = api
            .json(
                Method::POST,
                &format!("{runs}/prognosis"),
                a,
                json!({"draws": 4}),
            )
            .await;
        let other = r.body["id"].as_str().unwrap().to_string();
        api.wait(&other, a).await;
        let r = api
            .get(
                &format!("/v1/jobs/{other}/pictures/90/cross_section.svg"),
                a,
            )
            .await;
        assert_eq!(
            (r.status, r.body["field"].as_str()),
            (StatusCode::NOT_FOUND, Some("id"))
        );

        // On a case sent with the request; the default days are the report's.
        let r = api
            .json(
                Method::POST,
                "/v1/runs/snapshot",
                a,
                json!({"case": CASE, "days": [0]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
        let done = api.wait(r.body["id"].as_str().unwrap(), a).await;
        assert_eq!(done["result"]["days"][0]["day"], 0, "{done}");
        assert_eq!(done["case_id"], Value::Null);

        // Deleting the case deletes the job and its files.
        let r = api
            .call(
                Method::DELETE,
                &format!("/v1/cases/{id}"),
                a,
                "application/json",
                Body::empty(),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        assert_eq!(api.get(&pic, a).await.status, StatusCode::NOT_FOUND);
    }
    check_openapi().await;
}

async fn check_openapi() {
    let doc = serde_json::to_value(<server::ApiDoc as utoipa::OpenApi>::openapi()).unwrap();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let seen = std::mem::take(&mut *SEEN.lock().unwrap());
    assert!(!seen.is_empty());
    for (method, path, status, ct, body) in seen {
        let template = doc["paths"]
            .as_object()
            .unwrap()
            .keys()
            .find(|t| matches_template(t, &path))
            .cloned();
        let Some(template) = template else {
            // Only the fallback answers outside the description: a 404 problem.
            assert_eq!(
                (status, body["title"].as_str()),
                (404, Some("Not Found")),
                "{path}"
            );
            continue;
        };
        let op = &doc["paths"][&template][method.to_lowercase()];
        assert!(op.is_object(), "{method} {template} is not documented");
        let resp = &op["responses"][status.to_string()];
        assert!(
            resp.is_object(),
            "{method} {template}: status {status} is not documented"
        );
        if status == 204 || ct == "text/event-stream" {
            continue;
        }
        if !ct.contains("json") {
            // Pictures, sounds and CSV: the content type must be the one documented.
            assert!(
                resp["content"][&ct].is_object(),
                "{method} {template} {status}: {ct} is not documented"
            );
            continue;
        }
        let schema = &resp["content"][&ct]["schema"];
        assert!(
            schema.is_object(),
            "{method} {template} {status}: no schema for {ct}"
        );
        let mut root = schema.clone();
        root["components"] = doc["components"].clone();
        let validator = jsonschema::validator_for(&root)
            .unwrap_or_else(|e| panic!("{method} {template} {status}: schema: {e}"));
        if let Err(e) = validator.validate(&body) {
            panic!(
                "{method} {template} {status}: the response does not match the OpenAPI schema: {e}\n{body}"
            );
        }
    }
}

fn matches_template(template: &str, path: &str) -> bool {
    let t: Vec<&str> = template.split('/').collect();
    let p: Vec<&str> = path.split('/').collect();
    t.len() == p.len()
        && t.iter()
            .zip(&p)
            .all(|(a, b)| a == b || (a.starts_with('{') && a.ends_with('}')))
}

/// Issue 15: a simulate job's time courses by URL, as CSV and Parquet — the facade's own table
/// of the same run (`engine::table::courses_csv`, the rows of `simulate --parquet`); other
/// formats, other users and other operations are refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_simulate_job_serves_its_time_courses_as_csv_and_parquet() {
    let dir = TempDir::new("api");
    let engine = engine::Engine::load().unwrap();
    let direct = engine
        .simulate(
            &engine.parse_case(CASE).unwrap(),
            engine::Resolution::Pooled,
            None,
            &engine::Control::new(),
        )
        .unwrap();
    let runs = || {
        direct
            .runs
            .iter()
            .map(|r| (r.muscle.as_str(), r.days.as_slice()))
    };
    let csv = engine::table::courses_csv(runs());
    let lines: usize = direct.runs.iter().map(|r| r.days.len()).sum::<usize>() + 1;
    assert_eq!(csv.lines().count(), lines);
    let db = dir.sqlite("courses.db");
    let s = store::Store::open(&db).await.unwrap();
    let alice = s.create_token("alice", "a").await.unwrap().1;
    let bob = s.create_token("bob", "b").await.unwrap().1;
    let api = Api::start(TempDir::new("api"), db, Auth::Tokens, small_limits()).await;
    let (a, b) = (Some(alice.as_str()), Some(bob.as_str()));
    let r = api
        .json(Method::POST, "/v1/runs/simulate", a, json!({"case": CASE}))
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let job = r.body["id"].as_str().unwrap().to_string();
    assert_eq!(api.wait(&job, a).await["status"], "done");
    let base = format!("/v1/jobs/{job}/courses");

    let r = api.get(&format!("{base}/courses.csv"), a).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.headers["content-type"], "text/csv");
    // The same table as the facade's; numbers equal to 1e-12 (the stored result went through
    // JSON, whose float parsing may differ from the value in the last bit).
    let (got, want): (Vec<&str>, Vec<&str>) = (r.text.lines().collect(), csv.lines().collect());
    assert_eq!(got.len(), want.len());
    assert_eq!(got[0], want[0]);
    assert!(
        got[0].starts_with("muscle,day,muscle_mass_fraction,"),
        "{}",
        got[0]
    );
    for (g, w) in got.iter().zip(&want).skip(1) {
        for (x, y) in g.split(',').zip(w.split(',')) {
            match (x.parse::<f64>(), y.parse::<f64>()) {
                (Ok(x), Ok(y)) => assert!((x - y).abs() <= 1e-12 * y.abs().max(1.0), "{g} vs {w}"),
                _ => assert_eq!(x, y),
            }
        }
    }
    let r = api.get(&format!("{base}/courses.parquet"), a).await;
    assert_eq!(r.headers["content-type"], "application/vnd.apache.parquet");
    assert_eq!(&r.bytes[..4], b"PAR1");
    let file = std::env::temp_dir().join(format!("courses-{}.parquet", std::process::id()));
    std::fs::write(&file, &r.bytes).unwrap();
    let batches = engine::table::read_parquet(&file).unwrap();
    let _ = std::fs::remove_file(&file);
    let expected = engine::table::courses_table(runs()).unwrap();
    assert_eq!(
        batches.iter().map(|b| b.num_rows()).sum::<usize>(),
        want.len() - 1
    );
    assert_eq!(batches[0].schema().fields(), expected.schema().fields());

    for (path, field) in [
        (format!("{base}/courses.json"), "format"),
        (format!("{base}/days.csv"), "name"),
    ] {
        let r = api.get(&path, a).await;
        assert_eq!(
            (r.status, r.body["field"].as_str()),
            (StatusCode::NOT_FOUND, Some(field)),
            "{path}: {}",
            r.text
        );
    }
    assert_eq!(
        api.get(&format!("{base}/courses.csv"), b).await.status,
        StatusCode::NOT_FOUND
    );
    let r = api
        .json(
            Method::POST,
            "/v1/runs/prognosis",
            a,
            json!({"case": CASE, "draws": 2}),
        )
        .await;
    let other = r.body["id"].as_str().unwrap().to_string();
    api.wait(&other, a).await;
    let r = api
        .get(&format!("/v1/jobs/{other}/courses/courses.csv"), a)
        .await;
    assert_eq!(
        (r.status, r.body["field"].as_str()),
        (StatusCode::NOT_FOUND, Some("id"))
    );
}
