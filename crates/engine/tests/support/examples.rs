//! The shipped `examples/` directory as the tests see it: one home for the rule that names a
//! file's kind by its prefix (`findings-…`, `cohort-…`, otherwise a case). Included with
//! `#[path]` by the engine's and the CLI's tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// What a file in `examples/` holds, from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExampleKind {
    /// A case: a scenario or a patient case (every verb of the twin and the clinic).
    Case,
    /// Findings for `diagnose`.
    Findings,
    /// A cohort file (TOML).
    Cohort,
}

/// The kind of an example file, from its name.
pub fn kind(path: &Path) -> ExampleKind {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name.starts_with("findings-") {
        ExampleKind::Findings
    } else if name.starts_with("cohort-") {
        ExampleKind::Cohort
    } else {
        ExampleKind::Case
    }
}

/// Every TOML or JSON file of `examples/`, sorted by name.
pub fn all() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("examples/ is readable")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("toml" | "json")
            )
        })
        .collect();
    v.sort();
    v
}

/// The case examples, sorted by name.
pub fn cases() -> Vec<PathBuf> {
    all()
        .into_iter()
        .filter(|p| kind(p) == ExampleKind::Case)
        .collect()
}
