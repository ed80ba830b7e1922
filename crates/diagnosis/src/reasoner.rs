//! The differential: from findings to category and level probabilities, the findings that drove
//! the leading levels, and the next tests.
//!
//! - **Probabilities** are the exact posteriors of `category` and `level` given all findings.
//! - **Drivers**: for each of the leading levels, the observed findings whose removal would change
//!   that level's log odds the most. The size is the log likelihood ratio of the finding given the
//!   other findings, `ln[P(f | L, rest) / P(f | not L, rest)]` = change in natural-log odds of L;
//!   positive = for, negative = against. Leave-one-out, so dependent findings are not counted twice.
//! - **Next tests**: the unobserved findings with the largest expected reduction of the entropy of
//!   `level` (bits), named as a clinician orders them; several findings from one test (e.g. block
//!   and dispersion from one proximal-stimulation study) are reported once, at their best.

use serde::Serialize;

use crate::engine::Engine;
use crate::exact::InferenceError;
use crate::findings::{Findings, Observation};
use crate::kb::{KbError, KnowledgeBase};
use crate::network::{CATEGORY, Evidence, LEVEL, Model};

/// The statement printed with every answer (the one statement of the workspace).
pub use vocabulary::DISCLAIMER;

/// How many leading levels get drivers.
const DRIVER_LEVELS: usize = 3;
/// How many drivers per level.
const DRIVERS_PER_LEVEL: usize = 4;
/// How many next tests.
const NEXT_TESTS: usize = 5;

/// An error of the reasoner.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DiagnosisError {
    /// The knowledge base is invalid.
    #[error(transparent)]
    Kb(#[from] KbError),
    /// Inference failed.
    #[error(transparent)]
    Inference(#[from] InferenceError),
}

/// A name with a probability.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranked {
    /// Name (category, level or disease).
    pub name: String,
    /// Posterior probability.
    pub p: f64,
}

/// A finding that moved a leading level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Driver {
    /// The level it moved.
    pub level: String,
    /// The finding key.
    pub finding: String,
    /// The observed value, as given.
    pub value: String,
    /// `for` or `against` the level.
    pub direction: String,
    /// Natural-log likelihood ratio of the finding for the level, given the other findings.
    pub log_lr: f64,
}

/// A suggested next test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NextTest {
    /// The test as a clinician orders it.
    pub test: String,
    /// The finding it observes.
    pub finding: String,
    /// Expected reduction of the entropy of the lesion level, in bits.
    pub expected_information_bits: f64,
}

/// The answer for one patient.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Differential {
    /// Categories, most probable first.
    pub category: Vec<Ranked>,
    /// Levels, most probable first.
    pub level: Vec<Ranked>,
    /// Diseases inside the levels, most probable first (the five leading).
    pub disease: Vec<Ranked>,
    /// Findings that moved the leading levels most.
    pub drivers: Vec<Driver>,
    /// Next tests by value of information.
    pub next_tests: Vec<NextTest>,
    /// Findings given but not used by the knowledge base (none in the current format).
    pub unused_findings: Vec<String>,
    /// Research and teaching software, not a medical device.
    pub disclaimer: String,
}

/// The reasoner: the validated knowledge base compiled into a network.
#[derive(Debug, Clone)]
pub struct Reasoner {
    kb: KnowledgeBase,
    engine: Engine,
}

fn ranked(names: &[String], p: &[f64]) -> Vec<Ranked> {
    let mut out: Vec<Ranked> = names
        .iter()
        .zip(p)
        .map(|(n, p)| Ranked {
            name: n.clone(),
            p: *p,
        })
        .collect();
    out.sort_by(|a, b| b.p.total_cmp(&a.p).then_with(|| a.name.cmp(&b.name)));
    out
}

/// A readable value of an observation.
pub fn describe(obs: &Observation) -> String {
    match obs {
        Observation::Number(x) => format!("{x}"),
        Observation::Bool(b) => b.to_string(),
        Observation::One(v) => v.to_string(),
        Observation::Many(v) => v.join(", "),
    }
}

fn log_odds(p: f64) -> f64 {
    let p = p.clamp(1e-12, 1.0 - 1e-12);
    (p / (1.0 - p)).ln()
}

impl Reasoner {
    /// The reasoner on the embedded knowledge base.
    pub fn new() -> Result<Self, DiagnosisError> {
        Self::with_kb(KnowledgeBase::embedded()?)
    }

    /// The reasoner on a given (validated) knowledge base.
    pub fn with_kb(kb: KnowledgeBase) -> Result<Self, DiagnosisError> {
        let model = Model::compile(&kb);
        let engine = Engine::new(model)?;
        Ok(Reasoner { kb, engine })
    }

    /// The knowledge base.
    pub fn kb(&self) -> &KnowledgeBase {
        &self.kb
    }

    /// The inference engine (compiled model and junction tree).
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    fn model(&self) -> &Model {
        &self.engine.model
    }

    /// Level posterior only (for evaluation).
    pub fn level_posterior(&self, findings: &Findings) -> Result<Vec<f64>, DiagnosisError> {
        let (ev, _) = self.model().evidence(findings);
        Ok(self.engine.query(&ev)?.marginals[LEVEL].clone())
    }

    /// The full differential for one patient's findings.
    pub fn diagnose(&self, findings: &Findings) -> Result<Differential, DiagnosisError> {
        let model = self.model();
        let (ev, unused) = model.evidence(findings);
        let post = self.engine.query(&ev)?;
        let level = ranked(&model.vars[LEVEL].states, &post.marginals[LEVEL]);
        let category = ranked(&model.vars[CATEGORY].states, &post.marginals[CATEGORY]);
        let mut disease = ranked(
            &self
                .kb
                .hypotheses
                .disease
                .iter()
                .map(|d| format!("{} ({})", d.label, d.level))
                .collect::<Vec<_>>(),
            &post.marginals[crate::network::DISEASE],
        );
        disease.truncate(5);
        let drivers = self.drivers(findings, &ev, &post.marginals[LEVEL], &level)?;
        let next_tests = self.next_tests(&ev)?;
        Ok(Differential {
            category,
            level,
            disease,
            drivers,
            next_tests,
            unused_findings: unused,
            disclaimer: DISCLAIMER.to_string(),
        })
    }

    fn drivers(
        &self,
        findings: &Findings,
        ev: &Evidence,
        level_post: &[f64],
        ranked_levels: &[Ranked],
    ) -> Result<Vec<Driver>, DiagnosisError> {
        let model = self.model();
        let states = &model.vars[LEVEL].states;
        let leading: Vec<usize> = ranked_levels
            .iter()
            .take(DRIVER_LEVELS)
            .filter_map(|r| states.iter().position(|s| *s == r.name))
            .collect();
        let derived = model.derived(findings);
        // Level posterior without each finding group.
        let mut without = Vec::new();
        for (key, vars) in model.evidence_groups(findings) {
            let mut e = ev.clone();
            for v in &vars {
                e[*v] = None;
            }
            let p = self.engine.query(&e)?.marginals[LEVEL].clone();
            without.push((key, p));
        }
        let mut out = Vec::new();
        for &l in &leading {
            let mut rows: Vec<Driver> = without
                .iter()
                .map(|(key, p)| {
                    let llr = log_odds(level_post[l]) - log_odds(p[l]);
                    Driver {
                        level: states[l].clone(),
                        finding: key.clone(),
                        value: findings
                            .observed
                            .get(key.as_str())
                            .map(describe)
                            .or_else(|| {
                                derived
                                    .iter()
                                    .find(|(k, _)| k == key)
                                    .map(|(_, v)| v.to_string())
                            })
                            .unwrap_or_default(),
                        direction: if llr >= 0.0 { "for" } else { "against" }.to_string(),
                        log_lr: llr,
                    }
                })
                .filter(|d| d.log_lr.abs() >= 0.05)
                .collect();
            rows.sort_by(|a, b| {
                b.log_lr
                    .abs()
                    .total_cmp(&a.log_lr.abs())
                    .then_with(|| a.finding.cmp(&b.finding))
            });
            rows.truncate(DRIVERS_PER_LEVEL);
            out.extend(rows);
        }
        Ok(out)
    }

    fn next_tests(&self, ev: &Evidence) -> Result<Vec<NextTest>, DiagnosisError> {
        let model = self.model();
        let candidates: Vec<usize> = model
            .tests
            .iter()
            .filter(|(v, _)| ev[*v].is_none())
            .map(|(v, _)| *v)
            .collect();
        let voi = self.engine.value_of_information(ev, LEVEL, &candidates)?;
        let mut best: Vec<NextTest> = Vec::new();
        for (v, bits) in voi {
            let Some((_, test)) = model.tests.iter().find(|(x, _)| *x == v) else {
                continue;
            };
            let item = NextTest {
                test: test.clone(),
                finding: model.vars[v].name.clone(),
                expected_information_bits: bits.max(0.0),
            };
            match best.iter_mut().find(|b| b.test == item.test) {
                Some(b) if b.expected_information_bits < item.expected_information_bits => {
                    *b = item
                }
                Some(_) => {}
                None => best.push(item),
            }
        }
        best.sort_by(|a, b| {
            b.expected_information_bits
                .total_cmp(&a.expected_information_bits)
                .then_with(|| a.finding.cmp(&b.finding))
        });
        best.retain(|t| t.expected_information_bits > 1e-6);
        best.truncate(NEXT_TESTS);
        Ok(best)
    }
}
