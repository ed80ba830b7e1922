//! Textbook patterns: for each level, findings as the reference tables describe them
//! (`shared/reference/clinical.md`, tables 1A and 1B), written independently of the vignettes.
//! The knowledge base must rank each pattern's level first. Data-driven: add a pattern to
//! `patterns.json` (the cases format of `shared/vignettes/cases.json`, so that
//! `reinnervate diagnose --evaluate` and `--workup` read it too), no code.

use diagnosis::{Findings, Reasoner};

#[test]
fn textbook_patterns_rank_their_level_first() {
    let text = include_str!("patterns.json");
    let patterns: serde_json::Value = serde_json::from_str(text).expect("valid JSON");
    let reasoner = Reasoner::new().expect("embedded knowledge base loads");
    let mut failures = Vec::new();
    for p in patterns.as_array().expect("a list") {
        let name = p["id"].as_str().unwrap_or("?");
        let want = p["answer"]["level"].as_str().unwrap_or("?");
        let f = Findings::from_value(&p["findings"]).unwrap_or_else(|e| panic!("{name}: {e}"));
        let d = reasoner.diagnose(&f).expect("diagnosis runs");
        if d.level[0].name != want {
            failures.push(format!(
                "{name}: want {want}, got {} ({:.2})",
                d.level[0].name, d.level[0].p
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
