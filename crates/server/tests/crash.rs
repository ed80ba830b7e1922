//! Storage that loses nothing: a server process is killed with SIGKILL in the middle of a stream
//! of writes, restarted on the same database, and every acknowledged write is there and the
//! database checks clean. Then SIGTERM stops it gracefully (exit status 0). On SQLite, and on
//! PostgreSQL when `REINNERVATE_TEST_PG` names a server (scripts/test always starts one).
//!
//! The server process is this test binary itself, re-run with `REINNERVATE_CRASH_CHILD` set: the
//! `crash_child` test then serves until it is killed.

mod http1;
mod support;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CASE: &str = r#"
title = "TITLE"
[patient]
age_years = 40
[[injury]]
nerve = "radial"
site = "mid_humerus"
grade = "axonotmesis"
day = 0
[settings]
draws = 20
seed = 1
"#;

/// The server side: runs only when re-executed by the test below.
#[test]
fn crash_child() {
    let Ok(db) = std::env::var("REINNERVATE_CRASH_CHILD") else {
        return;
    };
    let addr_file = PathBuf::from(std::env::var("REINNERVATE_CRASH_ADDR").unwrap());
    let config = support::config(db, server::Auth::Auto, server::Limits::default());
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(server::serve(config, |addr| {
        let tmp = addr_file.with_extension("tmp");
        std::fs::write(&tmp, addr.to_string()).unwrap();
        std::fs::rename(&tmp, &addr_file).unwrap();
    }))
    .unwrap();
    rt.shutdown_timeout(Duration::from_secs(1));
}

fn start(db: &str, addr_file: &Path) -> (Child, SocketAddr) {
    let _ = std::fs::remove_file(addr_file);
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
        .env("REINNERVATE_CRASH_CHILD", db)
        .env("REINNERVATE_CRASH_ADDR", addr_file)
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    while t0.elapsed() < Duration::from_secs(60) {
        if let Ok(s) = std::fs::read_to_string(addr_file) {
            return (child, s.parse().unwrap());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server did not start within 60 s");
}

fn crash_and_recover(db: &str, token: Option<&str>, dir: &Path) {
    let addr_file = dir.join("addr");
    let (mut child, addr) = start(db, &addr_file);

    // A writer creates cases one after another and records those acknowledged (201).
    let acked: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (acked, stop, token) = (acked.clone(), stop.clone(), token.map(str::to_string));
        std::thread::spawn(move || {
            let mut conn = http1::Conn::connect(addr).unwrap();
            for i in 0.. {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let title = format!("crash case {i}");
                let body = CASE.replace("TITLE", &title);
                match conn.request(
                    "POST",
                    "/v1/cases",
                    token.as_deref(),
                    "application/toml",
                    body.as_bytes(),
                ) {
                    Ok(r) if r.status == 201 => {
                        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
                        let id = v["case_id"].as_str().unwrap().to_string();
                        acked.lock().unwrap().push((id, title));
                    }
                    Ok(r) => panic!("unexpected answer {}: {}", r.status, r.body),
                    Err(_) => break, // the server died under us
                }
            }
        })
    };
    // Kill it mid-stream, without warning, once a good number of writes were acknowledged.
    let t0 = Instant::now();
    while acked.lock().unwrap().len() < 60 {
        assert!(
            t0.elapsed() < Duration::from_secs(120),
            "too few writes acknowledged"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    stop.store(true, Ordering::SeqCst);
    writer.join().unwrap();
    let acked = acked.lock().unwrap().clone();

    // Restart on the same database: every acknowledged case is there, as written.
    let (child, addr) = start(db, &addr_file);
    let mut conn = http1::Conn::connect(addr).unwrap();
    for (id, title) in &acked {
        let r = conn
            .request(
                "GET",
                &format!("/v1/cases/{id}"),
                token,
                "application/json",
                b"",
            )
            .unwrap();
        assert_eq!(r.status, 200, "acknowledged case {id} lost: {}", r.body);
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v["title"].as_str(), Some(title.as_str()));
    }
    let r = conn
        .request("GET", "/v1/cases?limit=1", token, "application/json", b"")
        .unwrap();
    let total = serde_json::from_str::<serde_json::Value>(&r.body).unwrap()["total"]
        .as_u64()
        .unwrap();
    assert!(total as usize >= acked.len(), "{total} < {}", acked.len());
    assert!(
        total as usize <= acked.len() + 1,
        "at most the one write in flight may be extra"
    );

    // The database checks clean.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let s = store::Store::open(db).await.unwrap();
        assert_eq!(s.integrity_check().await.unwrap(), "ok");
        s.close().await;
    });

    // SIGTERM: a graceful stop, exit status 0.
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let mut child = child;
    let t0 = Instant::now();
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            assert!(
                s.success(),
                "the server did not stop cleanly on SIGTERM: {s}"
            );
            break;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(30),
            "no stop within 30 s of SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn sigkill_during_writes_loses_no_acknowledged_write() {
    if std::env::var("REINNERVATE_CRASH_CHILD").is_ok() {
        return;
    }
    let tmp = support::TempDir::new("crash");
    let dir = tmp.path();
    crash_and_recover(&tmp.sqlite("crash.db"), None, dir);
    match std::env::var("REINNERVATE_TEST_PG") {
        Ok(admin) => {
            let rt = tokio::runtime::Runtime::new().unwrap();
            let (url, token) = rt.block_on(async {
                let url = store::scratch_postgres(&admin).await.unwrap();
                let s = store::Store::open(&url).await.unwrap();
                let token = s.create_token("alice", "crash").await.unwrap().1;
                s.close().await;
                (url, token)
            });
            crash_and_recover(&url, Some(&token), dir);
        }
        Err(_) => eprintln!("REINNERVATE_TEST_PG not set: PostgreSQL part skipped"),
    }
}
