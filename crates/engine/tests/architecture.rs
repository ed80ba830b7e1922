//! The architecture's invariants (ARCHITECTURE.md), checked against what the crates declare: a
//! layer never depends on a layer it must not know. Reads `cargo metadata`.

use std::collections::BTreeMap;
use std::process::Command;

/// Normal (non-dev, non-build) dependencies of every workspace crate.
fn dependencies() -> BTreeMap<String, Vec<String>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "cargo metadata: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("metadata is JSON");
    let mut map = BTreeMap::new();
    for p in v["packages"].as_array().expect("packages") {
        let deps = p["dependencies"]
            .as_array()
            .expect("dependencies")
            .iter()
            .filter(|d| d["kind"].is_null())
            .map(|d| d["name"].as_str().expect("name").to_string())
            .collect();
        map.insert(p["name"].as_str().expect("name").to_string(), deps);
    }
    map
}

/// Crates that draw, do I/O for people or serve over a network.
const DRAWING: &[&str] = &["plotters", "resvg", "png", "usvg", "tiny-skia"];
const INTERFACES: &[&str] = &[
    "clap",
    "indicatif",
    "axum",
    "tokio",
    "hyper",
    "sqlx",
    "pyo3",
    "reqwest",
];

#[test]
fn no_layer_depends_on_one_it_must_not_know() {
    let deps = dependencies();
    let workspace: Vec<&str> = deps.keys().map(String::as_str).collect();
    let rules: Vec<(&str, Vec<&str>)> = vec![
        // The shared words know nothing else of the workspace.
        ("vocabulary", workspace.clone()),
        // The physiology core: no clinical layer, no drawing, no interface.
        (
            "twin",
            [
                &[
                    "views",
                    "clinic",
                    "calibration",
                    "diagnosis",
                    "engine",
                    "bayes",
                ][..],
                DRAWING,
                INTERFACES,
            ]
            .concat(),
        ),
        // The inference engine knows no medicine.
        (
            "bayes",
            [
                &[
                    "twin",
                    "views",
                    "clinic",
                    "calibration",
                    "diagnosis",
                    "engine",
                    "vocabulary",
                ][..],
                DRAWING,
                INTERFACES,
            ]
            .concat(),
        ),
        // Diagnosis: no physiology simulation.
        (
            "diagnosis",
            [
                &["twin", "views", "clinic", "calibration", "engine"][..],
                DRAWING,
                INTERFACES,
            ]
            .concat(),
        ),
        // Calibration and clinic: no interface, and never the facade above them.
        (
            "calibration",
            [&["engine", "clinic"][..], DRAWING, INTERFACES].concat(),
        ),
        (
            "clinic",
            [&["engine", "calibration"][..], INTERFACES].concat(),
        ),
        // The facade: no interface of its own.
        ("engine", [INTERFACES, DRAWING].concat()),
    ];
    let mut broken = Vec::new();
    for (krate, forbidden) in &rules {
        let Some(have) = deps.get(*krate) else {
            broken.push(format!("crate `{krate}` is missing from the workspace"));
            continue;
        };
        for d in have {
            if d != krate && forbidden.contains(&d.as_str()) {
                broken.push(format!("`{krate}` depends on `{d}`"));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "architecture invariants broken: {broken:?}"
    );
}

#[test]
fn interfaces_reach_the_workspace_only_through_the_facade() {
    let deps = dependencies();
    let below = ["twin", "clinic", "calibration", "diagnosis", "bayes"];
    for interface in ["reinnervate", "server", "py", "web"] {
        let Some(have) = deps.get(interface) else {
            continue;
        };
        let direct: Vec<&String> = have
            .iter()
            .filter(|d| below.contains(&d.as_str()))
            .collect();
        let allowed_now: &[&str] = if interface == "reinnervate" {
            // The report writer still reads the twin's fibre state for its pictures (views).
            &["twin"]
        } else {
            &[]
        };
        let extra: Vec<_> = direct
            .iter()
            .filter(|d| !allowed_now.contains(&d.as_str()))
            .collect();
        assert!(
            extra.is_empty(),
            "`{interface}` reaches past the engine facade to {extra:?}"
        );
    }
}
