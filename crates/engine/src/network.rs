//! Evidence and reference files of the Bayesian-network tools (`bn query`, `bn check`): the
//! readers live here, behind the facade, so that every interface and the in-process fuzzing
//! harness read them the same way.
//!
//! Evidence is a JSON object `{"variable": "state"}` (a hard finding) or
//! `{"variable": [l0, l1, …]}` (a likelihood vector). A reference file is
//! `{"network", "cases": [{"evidence", "posteriors": {"var": {"state": p}}}]}` (the format of
//! `shared/bn/reference/`).

use std::collections::BTreeMap;
use std::time::Instant;

use bayes::{CompileOptions, Evidence, JunctionTree, Network};
use serde::Deserialize;
use serde_json::Value;

use crate::EngineError;

fn invalid(field: impl Into<String>, value: &str, expected: &str) -> EngineError {
    EngineError::OutOfRange {
        field: field.into(),
        value: twin::limits::echo(value),
        expected: expected.into(),
    }
}

/// Evidence from a JSON object of `var: "state"` or `var: [likelihoods]`.
pub fn evidence_from_json(net: &Network, v: &Value) -> Result<Evidence, EngineError> {
    let obj = v.as_object().ok_or_else(|| {
        invalid(
            "evidence",
            &v.to_string(),
            "a JSON object {\"variable\": \"state\" or [likelihoods], …}",
        )
    })?;
    let mut ev = Evidence::new();
    for (name, val) in obj {
        let id = net.var(name)?;
        match val {
            Value::String(s) => {
                ev.set_state(id, net.state(id, s)?);
            }
            Value::Array(a) => {
                let lik = a
                    .iter()
                    .map(|x| {
                        x.as_f64().ok_or_else(|| {
                            invalid(format!("evidence.{name}"), &x.to_string(), "a number")
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                ev.set_likelihood(id, lik);
            }
            other => {
                return Err(invalid(
                    format!("evidence.{name}"),
                    &other.to_string(),
                    "a state name or a likelihood array",
                ));
            }
        }
    }
    Ok(ev)
}

#[derive(Deserialize)]
struct Reference {
    network: Option<String>,
    cases: Vec<ReferenceCase>,
}

#[derive(Deserialize)]
struct ReferenceCase {
    evidence: Value,
    posteriors: BTreeMap<String, BTreeMap<String, f64>>,
}

/// Outcome of checking one reference file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CheckReport {
    /// Network name.
    pub network: String,
    /// Number of cases.
    pub cases: usize,
    /// Largest absolute difference over every posterior of every case.
    pub max_abs_diff: f64,
    /// Seconds per case (propagation and all posteriors).
    pub seconds: Vec<f64>,
    /// Seconds to compile the junction tree (once).
    pub compile_seconds: f64,
}

/// An error of case `case` of a reference file.
fn in_case(case: usize, e: impl Into<EngineError>) -> EngineError {
    EngineError::ReferenceCase {
        case,
        source: Box::new(e.into()),
    }
}

/// Compiles the network once and runs every case of the reference against it.
pub fn check(net: &Network, reference_json: &str) -> Result<CheckReport, EngineError> {
    let r: Reference = serde_json::from_str(reference_json).map_err(|e| {
        invalid(
            "reference file",
            &e.to_string(),
            "{\"network\", \"cases\": [{\"evidence\", \"posteriors\"}]}",
        )
    })?;
    if r.cases.is_empty() {
        return Err(invalid(
            "cases",
            "[]",
            "at least one case (an empty reference file checks nothing)",
        ));
    }
    let t0 = Instant::now();
    let jt: JunctionTree = bayes::compile(net, &CompileOptions::default())?;
    let compile_seconds = t0.elapsed().as_secs_f64();
    let mut ws = jt.workspace();
    let (mut max_abs_diff, mut seconds) = (0.0f64, Vec::new());
    for (i, case) in r.cases.iter().enumerate() {
        let ev = evidence_from_json(net, &case.evidence).map_err(|e| in_case(i, e))?;
        let t = Instant::now();
        let post = jt.query_with(&mut ws, &ev).map_err(|e| in_case(i, e))?;
        seconds.push(t.elapsed().as_secs_f64());
        for (var, states) in &case.posteriors {
            let id = net.var(var).map_err(|e| in_case(i, e))?;
            for (state, p) in states {
                let s = net.state(id, state).map_err(|e| in_case(i, e))?;
                let d = (post.of(id)[s] - p).abs();
                if !d.is_finite() {
                    return Err(in_case(
                        i,
                        invalid(
                            format!("posteriors.{var}.{state}"),
                            &p.to_string(),
                            "a finite probability",
                        ),
                    ));
                }
                max_abs_diff = max_abs_diff.max(d);
            }
        }
    }
    Ok(CheckReport {
        network: r.network.unwrap_or_else(|| net.name.clone()),
        cases: r.cases.len(),
        max_abs_diff,
        seconds,
        compile_seconds,
    })
}
