//! What the API tests, the crash test and the load bench (`examples/load.rs`) share to start a
//! server: a temporary directory for its SQLite file and a configuration on a loopback address.
#![allow(dead_code)] // each user takes what it needs

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// A loopback address with a port the system chooses.
pub fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

/// A server configuration on [`loopback`] with `auth` and `limits`.
pub fn config(database: String, auth: server::Auth, limits: server::Limits) -> server::Config {
    server::Config {
        bind: loopback(),
        database,
        limits,
        auth,
    }
}

/// A temporary directory, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    /// A new empty directory `reinnervate-<what>-<id>` under the system's temporary directory.
    pub fn new(what: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("reinnervate-{what}-{}", store::new_id()));
        std::fs::create_dir_all(&p).expect("a temporary directory");
        TempDir(p)
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// The database URL of a SQLite file `name` in it.
    pub fn sqlite(&self, name: &str) -> String {
        store::database_url(self.0.join(name).to_str().expect("a UTF-8 path"))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
