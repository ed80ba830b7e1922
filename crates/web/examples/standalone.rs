//! Runs the web app over the stand-in API (`web::standalone`) on a loopback address, for the
//! browser tests and for trying the pages while the server is not on this branch.
//! Usage: `cargo run --release -p web --example standalone -- [127.0.0.1:8080]`
//! (prints `listening on ADDR` once it answers). Research and teaching software, not a medical
//! device.

use std::sync::Arc;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".into());
    let engine = match engine::Engine::load() {
        Ok(e) => Arc::new(e),
        Err(e) => {
            eprintln!("error: loading the engine: {e}");
            std::process::exit(1);
        }
    };
    let app = web::router().merge(web::standalone::api_router(engine));
    let listener = match tokio::net::TcpListener::bind(&addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: listening on {addr}: {e}");
            std::process::exit(1);
        }
    };
    let local = listener.local_addr().map(|a| a.to_string()).unwrap_or(addr);
    println!("listening on {local}");
    if let Err(e) = axum::serve(listener, app).await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
