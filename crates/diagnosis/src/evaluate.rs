//! Scores the reasoner on a file of vignettes (the format of `shared/vignettes/cases.json`).
//!
//! - level top-1 / top-3: the right level is the first / among the first three; a case's
//!   `acceptable_levels` count as right;
//! - category: the most probable category (the sum over its levels) is the answer's;
//! - Brier score: multi-class, over the nine levels, against the answer's level:
//!   `sum_k (p_k - y_k)^2` averaged over cases (0 is perfect, 2 the worst);
//! - confusion: counts of (answer level, top-1 level).
//!
//! Cases are read leniently: a finding that is not in the format is skipped with a warning and
//! the rest of the case is used, so that one unexpected value does not stop a whole evaluation.

use serde::Serialize;
use serde_json::Value;

use crate::findings::{Findings, FindingsError};
use crate::network::{CATEGORY, LEVEL};
use crate::reasoner::{DiagnosisError, Reasoner};

/// An error in a cases file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CaseError {
    /// Not valid JSON.
    #[error("cases are not valid JSON: {0}")]
    Syntax(String),
    /// Not a list of cases.
    #[error("cases must be a JSON list of {{\"id\", \"findings\", \"answer\"}} objects")]
    NotAList,
    /// A case lacks a field or has a wrong one.
    #[error("case {case}: {message}")]
    Case {
        /// Case id or index.
        case: String,
        /// What is wrong.
        message: String,
    },
    /// A case's findings are invalid.
    #[error("case {case}: {source}")]
    Findings {
        /// Case id or index.
        case: String,
        /// The findings error.
        source: FindingsError,
    },
    /// The reasoner failed on a case.
    #[error("case {case}: {source}")]
    Reasoner {
        /// Case id or index.
        case: String,
        /// The error.
        source: DiagnosisError,
    },
}

/// The confusion matrix: rows = answer level, columns = top-1 level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Confusion {
    /// Level names, the order of rows and columns.
    pub levels: Vec<String>,
    /// `counts[answer][predicted]`.
    pub counts: Vec<Vec<usize>>,
}

/// One case's outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseResult {
    /// Case id.
    pub id: String,
    /// The answer's level.
    pub answer: String,
    /// The top-1 level.
    pub predicted: String,
    /// Its probability.
    pub p: f64,
    /// Right at top-1 (acceptable levels count).
    pub top1: bool,
    /// Right within the first three.
    pub top3: bool,
    /// Category right.
    pub category: bool,
}

/// The evaluation figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// Number of cases.
    pub cases: usize,
    /// Fraction right at top-1.
    pub level_top1: f64,
    /// Fraction right within the first three.
    pub level_top3: f64,
    /// Fraction with the right category first.
    pub category: f64,
    /// Mean multi-class Brier score over levels.
    pub brier: f64,
    /// Confusion matrix of levels.
    pub confusion: Confusion,
    /// Findings that are not in the format and were skipped (the rest of the case was used).
    pub warnings: Vec<String>,
    /// Per-case outcomes.
    #[serde(skip)]
    pub per_case: Vec<CaseResult>,
}

fn field<'a>(case: &'a Value, name: &str, id: &str) -> Result<&'a Value, CaseError> {
    case.get(name).ok_or_else(|| CaseError::Case {
        case: id.to_string(),
        message: format!("missing `{name}`"),
    })
}

fn string(v: &Value, what: &str, id: &str) -> Result<String, CaseError> {
    v.as_str()
        .map(str::to_string)
        .ok_or_else(|| CaseError::Case {
            case: id.to_string(),
            message: format!("`{what}` must be a string, found {v}"),
        })
}

/// Runs every case of a cases file and computes the figures.
pub fn evaluate_cases(reasoner: &Reasoner, text: &str) -> Result<Evaluation, CaseError> {
    let value: Value = serde_json::from_str(text).map_err(|e| CaseError::Syntax(e.to_string()))?;
    let cases = value.as_array().ok_or(CaseError::NotAList)?;
    let model = &reasoner.engine().model;
    let levels = model.vars[LEVEL].states.clone();
    let categories = model.vars[CATEGORY].states.clone();
    let mut counts = vec![vec![0usize; levels.len()]; levels.len()];
    let (mut top1, mut top3, mut cat_ok, mut brier) = (0usize, 0usize, 0usize, 0.0);
    let mut per_case = Vec::new();
    let mut warnings = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let id = case
            .get("id")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| format!("#{i}"));
        let (findings, skipped) = Findings::from_value_lenient(field(case, "findings", &id)?)
            .map_err(|source| CaseError::Findings {
                case: id.clone(),
                source,
            })?;
        warnings.extend(
            skipped
                .into_iter()
                .map(|e| format!("case {id}: skipped: {e}")),
        );
        let answer = field(case, "answer", &id)?;
        let level = string(field(answer, "level", &id)?, "answer.level", &id)?;
        let category = string(field(answer, "category", &id)?, "answer.category", &id)?;
        let li = levels
            .iter()
            .position(|l| *l == level)
            .ok_or_else(|| CaseError::Case {
                case: id.clone(),
                message: format!("answer.level `{level}` is not one of {}", levels.join(", ")),
            })?;
        if !categories.contains(&category) {
            return Err(CaseError::Case {
                case: id.clone(),
                message: format!(
                    "answer.category `{category}` is not one of {}",
                    categories.join(", ")
                ),
            });
        }
        let mut acceptable = vec![level.clone()];
        if let Some(list) = answer.get("acceptable_levels") {
            let list = list.as_array().ok_or_else(|| CaseError::Case {
                case: id.clone(),
                message: "`answer.acceptable_levels` must be a list of levels".to_string(),
            })?;
            for l in list {
                acceptable.push(string(l, "answer.acceptable_levels", &id)?);
            }
        }
        let (ev, _) = model.evidence(&findings);
        let post = reasoner
            .engine()
            .query(&ev)
            .map_err(|e| CaseError::Reasoner {
                case: id.clone(),
                source: DiagnosisError::Inference(e),
            })?;
        let lp = &post.marginals[LEVEL];
        let cp = &post.marginals[CATEGORY];
        let mut order: Vec<usize> = (0..levels.len()).collect();
        order.sort_by(|a, b| lp[*b].total_cmp(&lp[*a]).then(a.cmp(b)));
        let best_cat = (0..categories.len())
            .max_by(|a, b| cp[*a].total_cmp(&cp[*b]).then(b.cmp(a)))
            .unwrap_or(0);
        let is1 = acceptable.contains(&levels[order[0]]);
        let is3 = order
            .iter()
            .take(3)
            .any(|&k| acceptable.contains(&levels[k]));
        let isc = categories[best_cat] == category;
        top1 += usize::from(is1);
        top3 += usize::from(is3);
        cat_ok += usize::from(isc);
        brier += lp
            .iter()
            .enumerate()
            .map(|(k, p)| {
                let y = if k == li { 1.0 } else { 0.0 };
                (p - y) * (p - y)
            })
            .sum::<f64>();
        counts[li][order[0]] += 1;
        per_case.push(CaseResult {
            id,
            answer: level,
            predicted: levels[order[0]].clone(),
            p: lp[order[0]],
            top1: is1,
            top3: is3,
            category: isc,
        });
    }
    let n = cases.len().max(1) as f64;
    Ok(Evaluation {
        cases: cases.len(),
        level_top1: top1 as f64 / n,
        level_top3: top3 as f64 / n,
        category: cat_ok as f64 / n,
        brier: brier / n,
        confusion: Confusion { levels, counts },
        warnings,
        per_case,
    })
}
