//! Scores the reasoner on a file of vignettes (the format of `shared/vignettes/cases.json`).
//!
//! - level top-1 / top-3: the right level is the first / among the first three; a case's
//!   `acceptable_levels` count as right;
//! - category: the most probable category (the sum over its levels) is the answer's;
//! - Brier score: multi-class, over the nine levels, against the answer's level:
//!   `sum_k (p_k - y_k)^2` averaged over cases (0 is perfect, 2 the worst); also with a case's
//!   acceptable levels merged with its answer into one class (`brier_acceptable`: an answer at an
//!   acceptable level is then not counted as an error, as for top-1);
//! - confusion: counts of (answer level, top-1 level);
//! - calibration: the probability given to the top-1 level (its *confidence*) against whether it
//!   was right (acceptable levels count, as for top-1). Cases are put in [`CALIBRATION_BINS`]
//!   equal-width bins of confidence; the **reliability table** gives, per bin, the number of
//!   cases, their mean confidence and the fraction right; the **expected calibration error** is
//!   `sum_b (n_b / N) |accuracy_b - confidence_b|` (top-label ECE, Guo et al., ICML 2017;
//!   Naeini et al., AAAI 2015). A perfectly calibrated reasoner that says 80% is right 80% of the
//!   time and has ECE 0.
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
    /// Its probability (the confidence).
    pub p: f64,
    /// The probability given to the answer's level.
    pub p_answer: f64,
    /// Right at top-1 (acceptable levels count).
    pub top1: bool,
    /// Right within the first three.
    pub top3: bool,
    /// Category right.
    pub category: bool,
    /// This case's multi-class Brier score over the levels (answer level; the mean over the
    /// cases is [`Evaluation::brier`]), to see which cases the score comes from.
    pub brier: f64,
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
    /// The same with the acceptable levels merged with the answer's into one class.
    pub brier_acceptable: f64,
    /// Expected calibration error of the top-1 confidence (0 is perfect).
    pub ece: f64,
    /// Reliability table: top-1 confidence bins against observed frequency of being right.
    pub reliability: Vec<ReliabilityBin>,
    /// Confusion matrix of levels.
    pub confusion: Confusion,
    /// Findings that are not in the format and were skipped (the rest of the case was used).
    pub warnings: Vec<String>,
    /// Per-case outcomes.
    pub per_case: Vec<CaseResult>,
}

/// Number of equal-width confidence bins of the reliability table and the ECE.
pub const CALIBRATION_BINS: usize = 10;

/// One bin of the reliability table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReliabilityBin {
    /// Lower edge of the confidence bin (inclusive).
    pub from: f64,
    /// Upper edge (exclusive, except 1.0 for the last bin).
    pub to: f64,
    /// Cases whose top-1 confidence falls in the bin.
    pub cases: usize,
    /// Their mean confidence (`None` for an empty bin).
    pub mean_confidence: Option<f64>,
    /// The fraction of them right at top-1 (`None` for an empty bin).
    pub observed: Option<f64>,
}

/// The reliability table and the expected calibration error of (confidence, right) pairs, with
/// [`CALIBRATION_BINS`] equal-width bins over [0, 1].
pub fn calibration(pairs: &[(f64, bool)]) -> (Vec<ReliabilityBin>, f64) {
    let nb = CALIBRATION_BINS;
    let mut sum_p = vec![0.0; nb];
    let mut right = vec![0usize; nb];
    let mut count = vec![0usize; nb];
    for &(p, ok) in pairs {
        let b = ((p.clamp(0.0, 1.0) * nb as f64).floor() as usize).min(nb - 1);
        sum_p[b] += p;
        right[b] += usize::from(ok);
        count[b] += 1;
    }
    let n = pairs.len().max(1) as f64;
    let mut ece = 0.0;
    let bins = (0..nb)
        .map(|b| {
            let (mean, obs) = if count[b] > 0 {
                let c = count[b] as f64;
                let (m, o) = (sum_p[b] / c, right[b] as f64 / c);
                ece += c / n * (o - m).abs();
                (Some(m), Some(o))
            } else {
                (None, None)
            };
            ReliabilityBin {
                from: b as f64 / nb as f64,
                to: (b + 1) as f64 / nb as f64,
                cases: count[b],
                mean_confidence: mean,
                observed: obs,
            }
        })
        .collect();
    (bins, ece)
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
    let mut brier_acc = 0.0;
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
        let case_brier = lp
            .iter()
            .enumerate()
            .map(|(k, p)| {
                let y = if k == li { 1.0 } else { 0.0 };
                (p - y) * (p - y)
            })
            .sum::<f64>();
        brier += case_brier;
        let in_acc = |k: usize| acceptable.contains(&levels[k]);
        let p_acc: f64 = (0..levels.len())
            .filter(|&k| in_acc(k))
            .map(|k| lp[k])
            .sum();
        brier_acc += (1.0 - p_acc).powi(2)
            + (0..levels.len())
                .filter(|&k| !in_acc(k))
                .map(|k| lp[k] * lp[k])
                .sum::<f64>();
        counts[li][order[0]] += 1;
        per_case.push(CaseResult {
            id,
            answer: level,
            predicted: levels[order[0]].clone(),
            p: lp[order[0]],
            p_answer: lp[li],
            top1: is1,
            top3: is3,
            category: isc,
            brier: case_brier,
        });
    }
    let n = cases.len().max(1) as f64;
    let pairs: Vec<(f64, bool)> = per_case.iter().map(|c| (c.p, c.top1)).collect();
    let (reliability, ece) = calibration(&pairs);
    Ok(Evaluation {
        cases: cases.len(),
        level_top1: top1 as f64 / n,
        level_top3: top3 as f64 / n,
        category: cat_ok as f64 / n,
        brier: brier / n,
        brier_acceptable: brier_acc / n,
        ece,
        reliability,
        confusion: Confusion { levels, counts },
        warnings,
        per_case,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reasoner_right_as_often_as_it_says_has_zero_ece() {
        // 10 cases at 0.8, 8 right; 10 at 0.35, 3.5 cannot be: 4 of 10 at 0.4.
        let mut pairs = vec![(0.8, true); 8];
        pairs.extend([(0.8, false); 2]);
        pairs.extend([(0.4, true); 4]);
        pairs.extend([(0.4, false); 6]);
        let (bins, ece) = calibration(&pairs);
        assert!(ece.abs() < 1e-12, "{ece}");
        assert_eq!(bins.len(), CALIBRATION_BINS);
        assert_eq!(bins[8].cases, 10);
        assert_eq!(bins[4].cases, 10);
        assert_eq!(bins[0].observed, None);
    }

    #[test]
    fn an_overconfident_reasoner_has_the_gap_as_ece() {
        // Always 0.99 sure, right half the time: ECE = 0.49.
        let pairs: Vec<(f64, bool)> = (0..20).map(|i| (0.99, i % 2 == 0)).collect();
        let (bins, ece) = calibration(&pairs);
        assert!((ece - 0.49).abs() < 1e-12, "{ece}");
        assert_eq!(bins[9].cases, 20);
        assert_eq!(bins[9].observed, Some(0.5));
    }

    #[test]
    fn confidence_one_falls_in_the_last_bin() {
        let (bins, _) = calibration(&[(1.0, true), (0.0, false)]);
        assert_eq!(bins[9].cases, 1);
        assert_eq!(bins[0].cases, 1);
    }
}
