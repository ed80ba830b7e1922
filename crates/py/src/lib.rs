//! # py — the Python bindings of reinnervate (`reinnervate._reinnervate`)
//!
//! Type conversion around the [`engine`] facade and nothing else: every function takes text
//! (a case, findings, a calibration or cohort file) or plain numbers, releases the GIL while the
//! engine works, and returns the engine's result as JSON text, Parquet bytes or numpy arrays (the
//! vectors of `engine::pictures` moved into arrays without a copy), which the `reinnervate` Python
//! package (`python/reinnervate`) turns into dicts, pyarrow tables, pandas data frames and
//! snapshots. Errors are raised as `NativeError(message, kind, field, value, expected)`, which
//! the package re-raises as its typed exceptions.
#![deny(missing_docs)]

use std::path::PathBuf;
use std::sync::OnceLock;

use engine::{Control, Engine, EngineError, Resolution};
use numpy::IntoPyArray;
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

create_exception!(
    _reinnervate,
    NativeError,
    PyException,
    "An error of the engine: args are (message, kind, field, value, expected)."
);

/// What a Python exception carries: the kind, and the field, value and expected when known.
#[derive(Debug, Clone, PartialEq)]
pub struct Details {
    /// `input` (the request is invalid), `not_applicable`, `cancelled` or `internal`.
    pub kind: &'static str,
    /// The field.
    pub field: Option<String>,
    /// The value given.
    pub value: Option<String>,
    /// What was expected.
    pub expected: Option<String>,
}

/// The kind, field, value and expected of an engine error.
pub fn details(e: &EngineError) -> Details {
    let some = |f: &str, v: &str, x: &str| {
        (
            Some(f.to_string()),
            Some(v.to_string()),
            Some(x.to_string()),
        )
    };
    let (kind, (field, value, expected)) = match e {
        EngineError::OutOfRange {
            field,
            value,
            expected,
        } => ("input", some(field, value, expected)),
        EngineError::Cohort(engine::CohortError::Field {
            field,
            value,
            expected,
        }) => ("input", some(field, value, expected)),
        EngineError::PatientCase(engine::clinic::CaseError::Field {
            field,
            value,
            expected,
        }) => ("input", some(field, value, expected)),
        EngineError::PatientCase(engine::clinic::CaseError::Missing { field, expected }) => {
            ("input", some(field, "missing", expected))
        }
        EngineError::Limit(l) => match l {
            engine::twin::limits::LimitError::Exceeded { field, value, .. }
            | engine::twin::limits::LimitError::Invalid { field, value, .. } => {
                ("input", some(field, value, &l.expected()))
            }
        },
        EngineError::Calibration(engine::calibration::FileError::Field(f)) => {
            ("input", some(&f.field, &f.value, &f.expected))
        }
        EngineError::Calibration(engine::calibration::FileError::Structure {
            field,
            value,
            expected,
        }) => ("input", some(field, value, expected)),
        EngineError::Case(_)
        | EngineError::PatientCase(_)
        | EngineError::Scenario(_)
        | EngineError::Findings(_)
        | EngineError::Vignettes(_)
        | EngineError::Calibration(_)
        | EngineError::Cohort(_) => ("input", (None, None, None)),
        EngineError::NotApplicable { .. } => ("not_applicable", (None, None, None)),
        EngineError::Cancelled(_) => ("cancelled", (None, None, None)),
        _ => ("internal", (None, None, None)),
    };
    Details {
        kind,
        field,
        value,
        expected,
    }
}

fn raise(e: EngineError) -> PyErr {
    let d = details(&e);
    NativeError::new_err((e.to_string(), d.kind, d.field, d.value, d.expected))
}

fn io_error(message: String) -> PyErr {
    NativeError::new_err((
        message,
        "input",
        None::<String>,
        None::<String>,
        None::<String>,
    ))
}

/// The engine, loaded once per process.
fn engine() -> PyResult<&'static Engine> {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    if let Some(e) = ENGINE.get() {
        return Ok(e);
    }
    let e = Engine::load().map_err(raise)?;
    Ok(ENGINE.get_or_init(|| e))
}

fn json(v: &impl serde::Serialize) -> PyResult<String> {
    serde_json::to_string(v).map_err(|e| io_error(format!("result to JSON: {e}")))
}

/// Reads a case (TOML or JSON text) and returns it as JSON (checks it).
#[pyfunction]
fn parse_case(py: Python<'_>, text: &str) -> PyResult<String> {
    let engine = engine()?;
    let case = py.detach(|| engine.parse_case(text)).map_err(raise)?;
    json(&case)
}

fn parse_resolution(text: &str) -> PyResult<Resolution> {
    text.parse()
        .map_err(|e: engine::vocabulary::resolution::UnknownResolution| {
            NativeError::new_err((
                e.to_string(),
                "input",
                Some("resolution"),
                Some(e.0.clone()),
                Some("`fibre` or `pooled`"),
            ))
        })
}

/// Simulates a case day by day; the engine's `Simulation` as JSON.
#[pyfunction]
#[pyo3(signature = (text, resolution = "pooled", muscle = None))]
fn simulate(
    py: Python<'_>,
    text: &str,
    resolution: &str,
    muscle: Option<&str>,
) -> PyResult<String> {
    let resolution = parse_resolution(resolution)?;
    on_case(py, text, |engine, case| {
        engine.simulate(case, resolution, muscle, &Control::new())
    })
}

/// The estimated cost of an operation (`simulate`, `prognosis`, `plans`, `calibrate`,
/// `cohort`) on a case, calibration or cohort text, before running it; the engine's `Cost` as
/// JSON.
#[pyfunction]
#[pyo3(signature = (op, text, draws = None, resolution = "pooled"))]
fn estimate(
    py: Python<'_>,
    op: &str,
    text: &str,
    draws: Option<usize>,
    resolution: &str,
) -> PyResult<String> {
    let resolution = parse_resolution(resolution)?;
    let engine = engine()?;
    let r = py
        .detach(|| -> Result<engine::Cost, EngineError> {
            match op {
                "simulate" | "prognosis" | "plans" => {
                    let case = engine.parse_case(text)?;
                    engine.estimate(&match op {
                        "simulate" => engine::Work::Simulate {
                            case: &case,
                            resolution,
                            muscle: None,
                            days: None,
                        },
                        "prognosis" => engine::Work::Prognosis { case: &case, draws },
                        _ => engine::Work::Plans { case: &case, draws },
                    })
                }
                "calibrate" => engine.estimate(&engine::Work::Calibrate {
                    text,
                    options: &engine::calibration::Options::default(),
                }),
                "cohort" => {
                    let cohort = engine.parse_cohort(text)?;
                    engine.estimate(&engine::Work::Cohort {
                        cohort: &cohort,
                        draws,
                    })
                }
                other => Err(EngineError::OutOfRange {
                    field: "op".into(),
                    value: engine::twin::limits::echo(other),
                    expected: "simulate, prognosis, plans, calibrate or cohort".into(),
                }),
            }
        })
        .map_err(raise)?;
    json(&r)
}

/// Simulates a case day by day; the time course as Parquet bytes (the table of
/// `reinnervate simulate --parquet`).
#[pyfunction]
#[pyo3(signature = (text, resolution = "pooled", muscle = None))]
fn simulate_parquet<'py>(
    py: Python<'py>,
    text: &str,
    resolution: &str,
    muscle: Option<&str>,
) -> PyResult<Bound<'py, PyBytes>> {
    let resolution = parse_resolution(resolution)?;
    let engine = engine()?;
    let bytes = py
        .detach(|| {
            let case = engine.parse_case(text)?;
            let s = engine.simulate(&case, resolution, muscle, &Control::new())?;
            Ok::<_, EngineError>(engine::table::to_parquet(
                &engine::table::simulation_table(&s)?,
            )?)
        })
        .map_err(raise)?;
    Ok(PyBytes::new(py, &bytes))
}

/// Parses a case and runs one engine operation on it with the GIL released; the result as JSON.
fn on_case<T: serde::Serialize + Send>(
    py: Python<'_>,
    text: &str,
    op: impl FnOnce(&Engine, &engine::Case) -> Result<T, EngineError> + Send,
) -> PyResult<String> {
    let engine = engine()?;
    let r = py
        .detach(|| {
            let case = engine.parse_case(text)?;
            op(engine, &case)
        })
        .map_err(raise)?;
    json(&r)
}

/// The Monte Carlo prognosis of a case; the engine's `Prognosis` as JSON.
#[pyfunction]
#[pyo3(signature = (text, draws = None))]
fn prognosis(py: Python<'_>, text: &str, draws: Option<usize>) -> PyResult<String> {
    on_case(py, text, |engine, case| {
        engine.prognosis(case, draws, &Control::new())
    })
}

/// The treatment plans of a case, ranked; the engine's `Plans` as JSON.
#[pyfunction]
#[pyo3(signature = (text, draws = None))]
fn plans(py: Python<'_>, text: &str, draws: Option<usize>) -> PyResult<String> {
    on_case(py, text, |engine, case| {
        engine.plans(case, draws, &Control::new())
    })
}

/// The differential of a set of findings (TOML or JSON text); the engine's `Diagnosis` as JSON.
#[pyfunction]
fn diagnose(py: Python<'_>, text: &str) -> PyResult<String> {
    let engine = engine()?;
    let r = py
        .detach(|| {
            let findings = engine.parse_findings(text, None)?;
            engine.diagnose(&findings)
        })
        .map_err(raise)?;
    json(&r)
}

/// Runs a calibration file; the engine's `Calibration` as JSON.
#[pyfunction]
fn calibrate(py: Python<'_>, text: &str) -> PyResult<String> {
    let engine = engine()?;
    let r = py
        .detach(|| engine.calibrate(text, &Default::default(), &Control::new()))
        .map_err(raise)?;
    json(&r)
}

/// Reads a cohort file: title, seed, size, SHA-256, plans and drawn columns as JSON.
#[pyfunction]
fn cohort_info(py: Python<'_>, text: &str) -> PyResult<String> {
    let engine = engine()?;
    let c = py.detach(|| engine.parse_cohort(text)).map_err(raise)?;
    let mut plans = vec!["baseline".to_string()];
    plans.extend(c.plan_names());
    json(&serde_json::json!({
        "title": c.title,
        "seed": c.seed,
        "size": c.size,
        "sha256": c.sha256,
        "plans": plans,
        "drawn": c.drawn_columns(),
        "warnings": c.warnings,
    }))
}

/// The Parquet bytes of the cohort's draws `start..end` (one chunk): the summary rows, and the
/// time courses every `courses` days (`None` when `courses` is 0).
#[pyfunction]
#[pyo3(signature = (text, start, end, courses = 0))]
fn cohort_chunk<'py>(
    py: Python<'py>,
    text: &str,
    start: usize,
    end: usize,
    courses: u32,
) -> PyResult<(Bound<'py, PyBytes>, Option<Bound<'py, PyBytes>>)> {
    let engine = engine()?;
    let tables = py
        .detach(|| {
            let c = engine.parse_cohort(text)?;
            engine.cohort_chunk(&c, start..end.max(start), courses, &Control::new())
        })
        .map_err(raise)?;
    Ok((
        PyBytes::new(py, &tables.summary),
        tables.courses.map(|b| PyBytes::new(py, &b)),
    ))
}

/// Prepares an output directory; the chunks `(start, end)` still to run.
#[pyfunction]
#[pyo3(signature = (text, out, draws, chunk, courses = 0))]
fn cohort_prepare(
    py: Python<'_>,
    text: &str,
    out: PathBuf,
    draws: usize,
    chunk: usize,
    courses: u32,
) -> PyResult<Vec<(usize, usize)>> {
    let engine = engine()?;
    py.detach(|| {
        let c = engine.parse_cohort(text)?;
        engine::cohort::check_run(draws, chunk)?;
        Ok::<_, EngineError>(
            engine::table::prepare(&c, &out, draws, chunk, courses)?
                .into_iter()
                .map(|r| (r.start, r.end))
                .collect(),
        )
    })
    .map_err(raise)
}

/// Stores a finished chunk's Parquet bytes (and its time courses every `courses` days) in the
/// output directory.
#[pyfunction]
#[pyo3(signature = (out, start, end, data, course_data = None, courses = 0))]
fn cohort_store(
    py: Python<'_>,
    out: PathBuf,
    start: usize,
    end: usize,
    data: &[u8],
    course_data: Option<&[u8]>,
    courses: u32,
) -> PyResult<()> {
    py.detach(|| {
        if let Some(c) = course_data {
            engine::table::store_courses(&out, &(start..end), courses, c)?;
        }
        engine::table::store_chunk(&out, &(start..end), data)
    })
    .map_err(|e| raise(e.into()))
}

/// Writes `summary.parquet`, `courses.parquet` (when `courses` > 0) and `metadata.json` from the
/// chunks; the metadata as JSON.
#[pyfunction]
#[pyo3(signature = (text, out, draws, chunk, courses = 0))]
fn cohort_finish(
    py: Python<'_>,
    text: &str,
    out: PathBuf,
    draws: usize,
    chunk: usize,
    courses: u32,
) -> PyResult<String> {
    let engine = engine()?;
    let meta = py
        .detach(|| {
            let c = engine.parse_cohort(text)?;
            engine::cohort::check_run(draws, chunk)?;
            Ok::<_, EngineError>(engine::table::finish(&c, &out, draws, chunk, courses)?)
        })
        .map_err(raise)?;
    json(&meta)
}

/// Runs a cohort on this machine into `out` (all cores); the metadata as JSON.
#[pyfunction]
#[pyo3(signature = (text, out, draws = None, chunk = 256, courses = 0))]
fn cohort_run(
    py: Python<'_>,
    text: &str,
    out: PathBuf,
    draws: Option<usize>,
    chunk: usize,
    courses: u32,
) -> PyResult<String> {
    let engine = engine()?;
    let meta = py
        .detach(|| {
            let c = engine.parse_cohort(text)?;
            engine.cohort(&c, &out, draws, chunk, courses, &Control::new())
        })
        .map_err(raise)?;
    json(&meta)
}

/// Runs the engine's pictures of a case (GIL released): the days asked for, and the time strips
/// of `strip`.
fn picture_run(
    py: Python<'_>,
    text: &str,
    days: &[u32],
    strip: &[u32],
    muscle: Option<&str>,
    seed: Option<u64>,
) -> PyResult<engine::pictures::PictureRun> {
    let engine = engine()?;
    py.detach(|| {
        if days.is_empty() {
            return Err(EngineError::OutOfRange {
                field: "days".into(),
                value: "[]".into(),
                expected: "at least one day".into(),
            });
        }
        let case = engine.parse_case(text)?;
        // The engine's one muscle choice (`snapshot` and the server picture the same run), with
        // `seed` instead of the case's own when given.
        let mut scenario = engine.scenario(&case, muscle)?;
        if let Some(seed) = seed {
            scenario.seed = seed;
        }
        engine.pictures(&scenario, days, strip, &Control::new())
    })
    .map_err(raise)
}

/// The engine's pictures of a case (`PictureRun`) as JSON: per day the readout, the pictures'
/// data, every picture as SVG, the EMG samples, the CMAP waveforms and the fibre table; the time
/// strips of `strip`.
#[pyfunction]
#[pyo3(signature = (text, days, strip = Vec::new(), muscle = None, seed = None))]
fn pictures(
    py: Python<'_>,
    text: &str,
    days: Vec<u32>,
    strip: Vec<u32>,
    muscle: Option<&str>,
    seed: Option<u64>,
) -> PyResult<String> {
    json(&picture_run(py, text, &days, &strip, muscle, seed)?)
}

/// The serde name of a value (an enum's variant as the engine's JSON writes it).
fn serde_name(v: &impl serde::Serialize) -> PyResult<String> {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => Ok(s),
        Ok(other) => Err(io_error(format!("expected a name, got {other}"))),
        Err(e) => Err(io_error(format!("name to JSON: {e}"))),
    }
}

/// The serde names of a column of enum values.
fn names<T: serde::Serialize + Copy + Eq + std::hash::Hash>(v: &[T]) -> PyResult<Vec<String>> {
    let mut known: std::collections::HashMap<T, String> = std::collections::HashMap::new();
    v.iter()
        .map(|x| {
            if let Some(n) = known.get(x) {
                return Ok(n.clone());
            }
            let n = serde_name(x)?;
            known.insert(*x, n.clone());
            Ok(n)
        })
        .collect()
}

/// The pictures of the days of a case with their numbers as numpy arrays: `(json, arrays)`. The
/// JSON is the engine's `PictureRun` without the bulk numbers; `arrays` has one dict per day:
/// `x_um`, `y_um`, `csa_um2` (float64), `fibre_type`, `state` (lists of names), `unit` (int64,
/// -1: no unit), `emg_rest_uv`, `emg_effort_uv`, `cmap_distal_mv`, `cmap_proximal_mv` (float64).
#[pyfunction]
#[pyo3(signature = (text, days, muscle = None, seed = None))]
fn snapshots<'py>(
    py: Python<'py>,
    text: &str,
    days: Vec<u32>,
    muscle: Option<&str>,
    seed: Option<u64>,
) -> PyResult<(String, Vec<Bound<'py, PyDict>>)> {
    let mut run = picture_run(py, text, &days, &[], muscle, seed)?;
    let mut arrays = Vec::with_capacity(run.days.len());
    for d in &mut run.days {
        let a = PyDict::new(py);
        let f = &mut d.fibres;
        let fibre_type = names(&f.fibre_type)?;
        let state = names(&f.state)?;
        let unit: Vec<i64> = f.unit.iter().map(|u| u.map_or(-1, i64::from)).collect();
        a.set_item("x_um", std::mem::take(&mut f.x_um).into_pyarray(py))?;
        a.set_item("y_um", std::mem::take(&mut f.y_um).into_pyarray(py))?;
        a.set_item("csa_um2", std::mem::take(&mut f.csa_um2).into_pyarray(py))?;
        a.set_item("fibre_type", fibre_type)?;
        a.set_item("state", state)?;
        a.set_item("unit", unit.into_pyarray(py))?;
        f.fibre_type.clear();
        f.state.clear();
        f.unit.clear();
        let take = |v: &mut Vec<f64>| std::mem::take(v).into_pyarray(py);
        a.set_item("emg_rest_uv", take(&mut d.emg_rest.samples_uv))?;
        a.set_item("emg_effort_uv", take(&mut d.emg_effort.samples_uv))?;
        a.set_item("cmap_distal_mv", take(&mut d.cmap.distal_mv))?;
        a.set_item("cmap_proximal_mv", take(&mut d.cmap.proximal_mv))?;
        arrays.push(a);
    }
    // The bulk numbers are in the arrays: leave them out of the JSON.
    let mut value =
        serde_json::to_value(&run).map_err(|e| io_error(format!("result to JSON: {e}")))?;
    if let Some(days) = value.get_mut("days").and_then(|d| d.as_array_mut()) {
        for day in days {
            if let Some(o) = day.as_object_mut() {
                o.remove("fibres");
            }
            for (key, field) in [
                ("emg_rest", "samples_uv"),
                ("emg_effort", "samples_uv"),
                ("cmap", "distal_mv"),
                ("cmap", "proximal_mv"),
            ] {
                if let Some(o) = day.get_mut(key).and_then(|v| v.as_object_mut()) {
                    o.remove(field);
                }
            }
        }
    }
    Ok((json(&value)?, arrays))
}

/// The module `reinnervate._reinnervate`.
#[pymodule]
fn _reinnervate(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("NativeError", m.py().get_type::<NativeError>())?;
    m.add("DISCLAIMER", engine::DISCLAIMER)?;
    m.add("VERSION", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(parse_case, m)?)?;
    m.add_function(wrap_pyfunction!(simulate, m)?)?;
    m.add_function(wrap_pyfunction!(simulate_parquet, m)?)?;
    m.add_function(wrap_pyfunction!(prognosis, m)?)?;
    m.add_function(wrap_pyfunction!(plans, m)?)?;
    m.add_function(wrap_pyfunction!(estimate, m)?)?;
    m.add_function(wrap_pyfunction!(diagnose, m)?)?;
    m.add_function(wrap_pyfunction!(calibrate, m)?)?;
    m.add_function(wrap_pyfunction!(cohort_info, m)?)?;
    m.add_function(wrap_pyfunction!(cohort_chunk, m)?)?;
    m.add_function(wrap_pyfunction!(cohort_prepare, m)?)?;
    m.add_function(wrap_pyfunction!(cohort_store, m)?)?;
    m.add_function(wrap_pyfunction!(cohort_finish, m)?)?;
    m.add_function(wrap_pyfunction!(cohort_run, m)?)?;
    m.add_function(wrap_pyfunction!(pictures, m)?)?;
    m.add_function(wrap_pyfunction!(snapshots, m)?)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_errors_carry_field_value_and_expected() {
        let d = details(&EngineError::OutOfRange {
            field: "draws".into(),
            value: "0".into(),
            expected: "between 1 and 100000".into(),
        });
        assert_eq!(d.kind, "input");
        assert_eq!(d.field.as_deref(), Some("draws"));
        assert_eq!(d.value.as_deref(), Some("0"));
    }
}
