//! Load bench of the API (not a test): a server on a loopback address with a temporary SQLite
//! file, and concurrent clients, each on its own keep-alive connection.
//!
//! 1. reads: `GET /v1/cases/{id}` for a fixed time → requests/s, p50/p99 latency;
//! 2. writes: `POST /v1/cases` → requests/s, p50/p99;
//! 3. prognosis jobs: each client posts a prognosis job (small draws) and polls until it is done
//!    → jobs/s and p50/p99 time to result; `429` answers (queue full) are counted and retried
//!    after the `Retry-After` the server gives.
//!
//! Usage: `cargo run --release -p server --example load -- [CLIENTS] [SECONDS] [DRAWS]`
//! (defaults 8, 5, 20). Every request loop is bounded in count and time and talks only to
//! 127.0.0.1. The figures go to docs/performance.md with the machine and its load.

#[path = "../tests/http1/mod.rs"]
mod http1;
#[path = "../tests/support/mod.rs"]
mod support;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

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
draws = 400
seed = 20260302
"#;

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn report(what: &str, mut lat: Vec<Duration>, elapsed: Duration, extra: &str) {
    lat.sort();
    println!(
        "{what:<28} {:>7} done in {:>5.1} s: {:>8.1}/s  p50 {:>7.2} ms  p99 {:>7.2} ms{extra}",
        lat.len(),
        elapsed.as_secs_f64(),
        lat.len() as f64 / elapsed.as_secs_f64(),
        percentile(&lat, 0.5),
        percentile(&lat, 0.99),
    );
}

/// Runs `f` on `clients` threads, each with its own connection, until `seconds` pass or
/// `max_per_client` requests are made; returns the latencies and the wall time.
fn phase(
    addr: SocketAddr,
    clients: usize,
    seconds: f64,
    max_per_client: usize,
    f: impl Fn(&mut http1::Conn, usize) -> Option<Duration> + Send + Sync + 'static,
) -> (Vec<Duration>, Duration) {
    let t0 = Instant::now();
    let deadline = t0 + Duration::from_secs_f64(seconds);
    let f = std::sync::Arc::new(f);
    let handles: Vec<_> = (0..clients)
        .map(|c| {
            let f = f.clone();
            std::thread::spawn(move || {
                let mut conn = http1::Conn::connect(addr).expect("connect");
                let mut lat = Vec::new();
                for i in 0..max_per_client {
                    if Instant::now() >= deadline {
                        break;
                    }
                    if let Some(d) = f(&mut conn, c * max_per_client + i) {
                        lat.push(d);
                    }
                }
                lat
            })
        })
        .collect();
    let mut all = Vec::new();
    for h in handles {
        all.extend(h.join().expect("client thread"));
    }
    (all, t0.elapsed())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let clients: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(8);
    let seconds: f64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(5.0);
    let draws: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(20);
    let dir = support::TempDir::new("load");
    let limits = server::Limits {
        workers: 2,
        queue: 64,
        ..server::Limits::default()
    };
    let config = support::config(dir.sqlite("load.db"), server::Auth::Auto, limits);
    let (tx, rx) = std::sync::mpsc::channel();
    let server = std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        let _ = rt.block_on(server::serve(config, move |addr| {
            let _ = tx.send(addr);
        }));
    });
    let addr = rx.recv_timeout(Duration::from_secs(60)).expect("server up");
    println!(
        "reinnervate load bench: {clients} clients, {seconds} s per phase, {draws} draws per prognosis, server workers 2, SQLite"
    );

    let mut conn = http1::Conn::connect(addr).expect("connect");
    let r = conn
        .request(
            "POST",
            "/v1/cases",
            None,
            "application/toml",
            CASE.as_bytes(),
        )
        .expect("create");
    assert_eq!(r.status, 201, "{}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).expect("json");
    let id = v["case_id"].as_str().expect("id").to_string();
    let read_path: &'static str = Box::leak(format!("/v1/cases/{id}").into_boxed_str());
    let run_path: &'static str =
        Box::leak(format!("/v1/cases/{id}/runs/prognosis").into_boxed_str());
    let run_body: &'static str = Box::leak(format!("{{\"draws\": {draws}}}").into_boxed_str());

    let (lat, t) = phase(addr, clients, seconds, 1_000_000, move |c, _| {
        let t = Instant::now();
        let r = c
            .request("GET", read_path, None, "application/json", b"")
            .expect("read");
        assert_eq!(r.status, 200);
        Some(t.elapsed())
    });
    report("reads GET /v1/cases/{id}", lat, t, "");

    let (lat, t) = phase(addr, clients, seconds, 100_000, move |c, i| {
        let body = CASE.replace("Radial", &format!("Radial {i}"));
        let t = Instant::now();
        let r = c
            .request(
                "POST",
                "/v1/cases",
                None,
                "application/toml",
                body.as_bytes(),
            )
            .expect("write");
        assert_eq!(r.status, 201);
        Some(t.elapsed())
    });
    report("writes POST /v1/cases", lat, t, "");

    let refused = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let r2 = refused.clone();
    let (lat, t) = phase(addr, clients, seconds, 1_000, move |c, _| {
        let t = Instant::now();
        let job = loop {
            let r = c
                .request(
                    "POST",
                    run_path,
                    None,
                    "application/json",
                    run_body.as_bytes(),
                )
                .expect("run");
            if r.status == 429 {
                r2.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(200));
                continue;
            }
            assert_eq!(r.status, 202, "{}", r.body);
            let v: serde_json::Value = serde_json::from_str(&r.body).expect("json");
            break v["id"].as_str().expect("job id").to_string();
        };
        let path = format!("/v1/jobs/{job}");
        for _ in 0..6000 {
            let r = c
                .request("GET", &path, None, "application/json", b"")
                .expect("poll");
            let v: serde_json::Value = serde_json::from_str(&r.body).expect("json");
            match v["status"].as_str() {
                Some("done") => return Some(t.elapsed()),
                Some("queued") | Some("running") => std::thread::sleep(Duration::from_millis(10)),
                other => panic!("job ended {other:?}: {}", r.body),
            }
        }
        None
    });
    let n429 = refused.load(std::sync::atomic::Ordering::Relaxed);
    report(
        "prognosis jobs (to result)",
        lat,
        t,
        &format!("  ({n429} answers 429)"),
    );
    // The server thread ends with the process; the temporary database is removed.
    drop(server);
    drop(dir);
}
