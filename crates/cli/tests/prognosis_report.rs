//! End to end: `reinnervate prognosis CASE --report DIR` and `plans CASE --report DIR` write a
//! self-contained HTML report (with the statement, inline band plots, the plan comparison) and
//! the CSV of the bands.

use std::path::PathBuf;
use std::process::Command;

fn example() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/radial-mid-humerus.toml"
    ))
}

fn out_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("reinnervate-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn check_report(dir: &std::path::Path) {
    let html = std::fs::read_to_string(dir.join("index.html")).expect("index.html written");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        html.to_lowercase()
            .contains("research and teaching software, not a medical device"),
        "the report must say it is research and teaching software"
    );
    assert!(html.contains("<svg"), "band plots inline");
    // Two plots (MRC and innervated fraction) per affected muscle of the radial nerve.
    assert!(html.matches("<svg").count() >= 4);
    assert!(html.contains("end plates accept axons"), "window marked");
    assert!(html.contains("brachioradialis"));
    assert!(html.contains("<h2>Plans</h2>") && html.contains("wait"));
    // Self-contained: no external scripts, stylesheets or images.
    assert!(!html.contains("<script") && !html.contains("<link") && !html.contains("<img"));
    let csv = std::fs::read_to_string(dir.join("prognosis_bands.csv")).expect("csv written");
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("muscle,quantity,day,p10,median,p90"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert!(
        rows.iter()
            .any(|r| r[0] == "brachioradialis" && r[1] == "mrc")
    );
    assert!(rows.iter().any(|r| r[1] == "innervated_fraction"));
    for r in &rows {
        assert_eq!(r.len(), 6, "row {r:?}");
        let v: Vec<f64> = r[3..].iter().map(|x| x.parse().expect("number")).collect();
        assert!(
            v[0] <= v[1] && v[1] <= v[2],
            "p10 <= median <= p90 in {r:?}"
        );
    }
}

#[test]
fn prognosis_writes_a_printable_report() {
    let dir = out_dir("prognosis-report");
    let out = Command::new(env!("CARGO_BIN_EXE_reinnervate"))
        .arg("prognosis")
        .arg(example())
        .args(["--draws", "12", "--report"])
        .arg(&dir)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    check_report(&dir);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn plans_writes_the_same_report() {
    let dir = out_dir("plans-report");
    let out = Command::new(env!("CARGO_BIN_EXE_reinnervate"))
        .arg("plans")
        .arg(example())
        .args(["--draws", "12", "--report"])
        .arg(&dir)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    check_report(&dir);
    let _ = std::fs::remove_dir_all(&dir);
}
