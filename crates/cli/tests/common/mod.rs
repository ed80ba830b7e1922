//! What the binary's integration tests share: the repository root, running the binary, a
//! scratch directory per test file and process.

// Each test file uses the part it needs.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

/// A path relative to the repository root.
pub fn root(rel: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join(rel)
}

/// Runs `reinnervate` with `args`.
pub fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_reinnervate"))
        .args(args)
        .output()
        .expect("the binary runs")
}

/// A file `name` in this test file's scratch directory (`tag`, one per process).
pub fn scratch(tag: &str, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("reinnervate-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir.join(name)
}
