//! The architecture's invariants (ARCHITECTURE.md), checked against what the crates declare: a
//! layer never depends on a layer it must not know. Reads `cargo metadata`.

use std::collections::BTreeMap;
use std::process::Command;

/// `cargo metadata --format-version 1 --offline` with `extra` arguments, as JSON.
fn cargo_metadata(extra: &[&str]) -> serde_json::Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--offline"])
        .args(extra)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "cargo metadata: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("metadata is JSON")
}

/// Normal (non-dev, non-build) dependencies of every workspace crate.
fn dependencies() -> BTreeMap<String, Vec<String>> {
    let v = cargo_metadata(&["--no-deps"]);
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
                    "readout",
                    "views",
                    "render",
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
        // The clinical readout: the twin's quantities read as a clinician records them; no
        // pictures, no drawing, no clinical layer above it, no interface.
        (
            "readout",
            [
                &[
                    "views",
                    "render",
                    "clinic",
                    "calibration",
                    "diagnosis",
                    "engine",
                ][..],
                DRAWING,
                INTERFACES,
            ]
            .concat(),
        ),
        // The pictures' data: no drawing library (that is `render`), no clinical layer.
        (
            "views",
            [
                &["render", "clinic", "calibration", "diagnosis", "engine"][..],
                DRAWING,
                INTERFACES,
            ]
            .concat(),
        ),
        // Drawing: no clinical layer, no interface.
        (
            "render",
            [
                &["clinic", "calibration", "diagnosis", "engine"][..],
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
                &[
                    "twin",
                    "readout",
                    "views",
                    "render",
                    "clinic",
                    "calibration",
                    "engine",
                ][..],
                DRAWING,
                INTERFACES,
            ]
            .concat(),
        ),
        // Calibration and clinic: no interface, and never the facade above them.
        (
            "calibration",
            [
                &["engine", "clinic", "views", "render"][..],
                DRAWING,
                INTERFACES,
            ]
            .concat(),
        ),
        (
            "clinic",
            [
                &["engine", "calibration", "views", "render"][..],
                DRAWING,
                INTERFACES,
            ]
            .concat(),
        ),
        // The facade: no interface of its own. It may use `views` (the pictures' data) and
        // `render` (drawing, `engine::pictures`), but not a drawing library directly: drawing
        // stays in `render`.
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
    // Everything of the workspace below the facade: an interface reaches it through `engine`
    // (which re-exports what an interface needs) and `vocabulary`, never directly.
    let below = [
        "twin",
        "readout",
        "views",
        "render",
        "clinic",
        "calibration",
        "diagnosis",
        "bayes",
    ];
    let mut broken = Vec::new();
    for interface in ["reinnervate", "server", "py", "web"] {
        let Some(have) = deps.get(interface) else {
            broken.push(format!(
                "interface `{interface}` is missing from the workspace"
            ));
            continue;
        };
        for d in have {
            if below.contains(&d.as_str()) {
                broken.push(format!(
                    "`{interface}` depends on `{d}` past the engine facade"
                ));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "interfaces reach past the facade: {broken:?}"
    );
}

#[test]
fn the_cli_calls_the_facade_and_draws_nothing_itself() {
    // The command line writes what the engine gives it: no workspace crate but the facade (and
    // the server and store it starts), no drawing library.
    let deps = dependencies();
    let have = deps
        .get("reinnervate")
        .expect("the CLI is in the workspace");
    let workspace: Vec<&str> = deps.keys().map(String::as_str).collect();
    let allowed = ["engine", "vocabulary", "server", "store"];
    let extra: Vec<&String> = have
        .iter()
        .filter(|d| {
            (workspace.contains(&d.as_str()) && !allowed.contains(&d.as_str()))
                || DRAWING.contains(&d.as_str())
        })
        .collect();
    assert!(
        extra.is_empty(),
        "the CLI depends on {extra:?}, which it must reach through `engine`"
    );
}

#[test]
fn no_drawing_library_is_reached_below_the_facade_even_indirectly() {
    // What `cargo tree -p clinic` (and the other layers below `render`) shows: the whole
    // normal-dependency graph, registry crates included, from the resolved `cargo metadata`.
    let v = cargo_metadata(&[]);
    let name_of: BTreeMap<&str, &str> = v["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p["name"].as_str().unwrap()))
        .collect();
    // Package id → its normal (non-dev, non-build) dependencies' ids.
    let mut edges: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for n in v["resolve"]["nodes"].as_array().expect("resolve nodes") {
        let normal = n["deps"]
            .as_array()
            .expect("deps")
            .iter()
            .filter(|d| {
                d["dep_kinds"]
                    .as_array()
                    .is_some_and(|k| k.iter().any(|k| k["kind"].is_null()))
            })
            .map(|d| d["pkg"].as_str().unwrap())
            .collect();
        edges.insert(n["id"].as_str().unwrap(), normal);
    }
    let id_of = |name: &str| {
        name_of
            .iter()
            .find(|(_, n)| **n == name)
            .map(|(id, _)| *id)
            .unwrap_or_else(|| panic!("crate `{name}` is not in the workspace"))
    };
    let mut broken = Vec::new();
    for krate in [
        "vocabulary",
        "twin",
        "readout",
        "views",
        "clinic",
        "calibration",
        "diagnosis",
        "bayes",
    ] {
        let mut seen = std::collections::BTreeSet::new();
        let mut todo = vec![id_of(krate)];
        while let Some(id) = todo.pop() {
            if seen.insert(id) {
                todo.extend(edges.get(id).into_iter().flatten());
            }
        }
        assert!(seen.len() > 1 || krate == "vocabulary", "{krate}: no graph");
        for id in seen {
            let name = name_of[id];
            if DRAWING.contains(&name) || name == "render" || name == "fontdb" {
                broken.push(format!("`{krate}` reaches `{name}`"));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "a drawing library below render: {broken:?}"
    );
    // The check can fail: the facade does reach the drawing libraries (through `render`).
    let mut seen = std::collections::BTreeSet::new();
    let mut todo = vec![id_of("engine")];
    while let Some(id) = todo.pop() {
        if seen.insert(id) {
            todo.extend(edges.get(id).into_iter().flatten());
        }
    }
    assert!(seen.iter().any(|id| name_of[id] == "resvg"));
}
