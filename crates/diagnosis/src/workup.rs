//! Sequential work-up simulation: does the reasoner's next-test advice shorten the work-up?
//!
//! Each case starts from its history and examination only (`patient.*`, `history.*`, `exam.*`).
//! Its other findings are grouped into *tests* as a clinician orders them (the knowledge base's
//! `test` names: findings from one study, e.g. conduction block and temporal dispersion, are one
//! test) and revealed one test at a time, in three orders:
//!
//! - **reasoner**: the remaining test with the largest expected information about the lesion
//!   level given what is known so far (the `bayes` value of information of its findings, the
//!   largest over them, as the next-test advice reports it);
//! - **fixed clinical order**: nerve conduction studies, then needle EMG, then laboratory tests,
//!   then imaging (inside a group, the order of the findings format);
//! - **random**: [`RANDOM_ORDERS`] shuffles per case from a fixed seed (deterministic).
//!
//! Only the tests the case reports can be revealed. After each test the level posterior is
//! computed; a case is *settled* when the true level (the answer's, or an acceptable one) leads
//! with p ≥ [`SETTLED_P`]. Reported per order: the mean number of tests until settled (a case
//! never settled counts all its tests), how many cases settled, and the fraction of cases right at
//! top-1 after k tests (a case with fewer than k tests keeps its final answer).

use serde::Serialize;
use serde_json::Value;

use crate::evaluate::CaseError;
use crate::findings::{FULL_KEYS, Findings};
use crate::network::{Evidence, LEVEL};
use crate::reasoner::{DiagnosisError, Reasoner};

/// The probability at which the true level counts as settled.
pub const SETTLED_P: f64 = 0.8;
/// Random orders per case.
pub const RANDOM_ORDERS: usize = 20;
/// Seed of the random orders.
pub const SEED: u64 = 14;

/// One order's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrderFigures {
    /// `reasoner`, `fixed` or `random`.
    pub order: String,
    /// Mean number of tests until the true level leads with p ≥ 0.8 (never settled: all tests).
    pub mean_tests_to_settle: f64,
    /// Fraction of cases settled at some step (a case may settle on the way and lose it later,
    /// so this can differ between orders).
    pub settled: f64,
    /// Fraction right at top-1 after k tests, k = 0 (history and examination) to the largest
    /// number of tests of any case.
    pub top1_by_step: Vec<f64>,
}

/// The work-up simulation over a cases file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Workup {
    /// Number of cases.
    pub cases: usize,
    /// Mean number of tests a case reports (the most any order can reveal).
    pub mean_tests_available: f64,
    /// Cases settled (true level p ≥ 0.8) on history and examination alone.
    pub settled_before_tests: f64,
    /// Figures per order: reasoner, fixed, random.
    pub orders: Vec<OrderFigures>,
    /// Research and teaching software, not a medical device.
    pub disclaimer: String,
}

/// One test of one case: its name, its place in the fixed order and its evidence variables.
struct Test {
    rank: (usize, usize),
    vars: Vec<usize>,
}

fn section_rank(key: &str) -> Option<usize> {
    ["ncs.", "emg.", "labs.", "imaging."]
        .iter()
        .position(|s| key.starts_with(s))
}

/// A deterministic generator for the random orders (SplitMix64, Steele, Lea & Flood, OOPSLA 2014).
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

struct Case {
    start: Evidence,
    full: Evidence,
    tests: Vec<Test>,
    right: Vec<usize>,
}

impl Reasoner {
    fn workup_case(&self, findings: &Findings, right: Vec<usize>) -> Case {
        let model = &self.engine().model;
        let (full, _) = model.evidence(findings);
        let mut start: Evidence = vec![None; full.len()];
        let mut tests: Vec<(String, Test)> = Vec::new();
        for (key, vars) in model.evidence_groups(findings) {
            let Some(sec) = section_rank(&key) else {
                for v in vars {
                    start[v] = full[v].clone();
                }
                continue;
            };
            let name = model
                .tests
                .iter()
                .find(|(v, _)| vars.contains(v))
                .map(|(_, t)| t.clone())
                .or_else(|| {
                    self.kb()
                        .multi
                        .iter()
                        .find(|m| m.key == key)
                        .and_then(|m| m.test.clone())
                })
                .unwrap_or_else(|| key.clone());
            let pos = FULL_KEYS
                .iter()
                .position(|k| *k == key)
                .unwrap_or(FULL_KEYS.len());
            match tests.iter_mut().find(|(n, _)| *n == name) {
                Some((_, t)) => {
                    t.vars.extend(vars);
                    t.rank = t.rank.min((sec, pos));
                }
                None => tests.push((
                    name,
                    Test {
                        rank: (sec, pos),
                        vars,
                    },
                )),
            }
        }
        // Signs that imply a region (exam) are clinical: they stay in the start evidence.
        for (i, e) in full.iter().enumerate() {
            if e.is_some() && !tests.iter().any(|(_, t)| t.vars.contains(&i)) {
                start[i] = e.clone();
            }
        }
        let mut tests: Vec<Test> = tests.into_iter().map(|(_, t)| t).collect();
        tests.sort_by_key(|t| t.rank);
        Case {
            start,
            full,
            tests,
            right,
        }
    }

    fn level_after(&self, ev: &Evidence) -> Result<Vec<f64>, DiagnosisError> {
        Ok(self.engine().query(ev)?.marginals[LEVEL].clone())
    }

    /// Runs one order; returns (tests until settled or all, settled, top-1 right after each step).
    fn run_order(
        &self,
        case: &Case,
        mut choose: impl FnMut(&Evidence, &[usize]) -> Result<usize, DiagnosisError>,
    ) -> Result<(usize, bool, Vec<bool>), DiagnosisError> {
        let mut ev = case.start.clone();
        let mut left: Vec<usize> = (0..case.tests.len()).collect();
        let mut right_by_step = Vec::new();
        let mut settled_at = None;
        for step in 0..=case.tests.len() {
            let p = self.level_after(&ev)?;
            let top = (0..p.len())
                .max_by(|a, b| p[*a].total_cmp(&p[*b]).then(b.cmp(a)))
                .unwrap_or(0);
            right_by_step.push(case.right.contains(&top));
            if settled_at.is_none() && case.right.contains(&top) && p[top] >= SETTLED_P {
                settled_at = Some(step);
            }
            if left.is_empty() {
                break;
            }
            let k = choose(&ev, &left)?;
            let t = left.remove(k);
            for &v in &case.tests[t].vars {
                ev[v] = case.full[v].clone();
            }
        }
        Ok((
            settled_at.unwrap_or(case.tests.len()),
            settled_at.is_some(),
            right_by_step,
        ))
    }

    /// Index into `left` of the test with the largest expected information about the level.
    fn most_informative(
        &self,
        case: &Case,
        ev: &Evidence,
        left: &[usize],
    ) -> Result<usize, DiagnosisError> {
        let vars: Vec<usize> = left
            .iter()
            .flat_map(|&t| case.tests[t].vars.iter().copied())
            .collect();
        let voi = self.engine().value_of_information(ev, LEVEL, &vars)?;
        let bits = |t: usize| {
            case.tests[t]
                .vars
                .iter()
                .filter_map(|v| voi.iter().find(|(x, _)| x == v).map(|(_, b)| *b))
                .fold(0.0_f64, f64::max)
        };
        let mut best = 0;
        for i in 1..left.len() {
            // Ties go to the earlier test in the fixed order (`left` keeps that order).
            if bits(left[i]) > bits(left[best]) + 1e-12 {
                best = i;
            }
        }
        Ok(best)
    }

    /// Simulates the work-up of every case of a cases file (the format of
    /// `shared/vignettes/cases.json`) in the three orders.
    pub fn simulate_workup(&self, text: &str) -> Result<Workup, CaseError> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| CaseError::Syntax(e.to_string()))?;
        let list = value.as_array().ok_or(CaseError::NotAList)?;
        let levels = &self.engine().model.vars[LEVEL].states;
        let mut cases = Vec::new();
        for (i, c) in list.iter().enumerate() {
            let id = c
                .get("id")
                .and_then(Value::as_str)
                .map_or_else(|| format!("#{i}"), str::to_string);
            let bad = |message: String| CaseError::Case {
                case: id.clone(),
                message,
            };
            let (findings, _) = Findings::from_value_lenient(
                c.get("findings")
                    .ok_or_else(|| bad("missing `findings`".into()))?,
            )
            .map_err(|source| CaseError::Findings {
                case: id.clone(),
                source,
            })?;
            let answer = c
                .get("answer")
                .ok_or_else(|| bad("missing `answer`".into()))?;
            let mut names: Vec<&str> = answer
                .get("level")
                .and_then(Value::as_str)
                .into_iter()
                .collect();
            if let Some(a) = answer.get("acceptable_levels").and_then(Value::as_array) {
                names.extend(a.iter().filter_map(Value::as_str));
            }
            let right: Vec<usize> = names
                .iter()
                .filter_map(|n| levels.iter().position(|l| l == n))
                .collect();
            if right.is_empty() {
                return Err(bad(format!(
                    "answer.level must be one of {}",
                    levels.join(", ")
                )));
            }
            cases.push((id, self.workup_case(&findings, right)));
        }
        let err = |id: &str, source: DiagnosisError| CaseError::Reasoner {
            case: id.to_string(),
            source,
        };
        let max_tests = cases.iter().map(|(_, c)| c.tests.len()).max().unwrap_or(0);
        let n = cases.len().max(1) as f64;
        let mut figures = Vec::new();
        let mut settled_before = 0usize;
        for order in ["reasoner", "fixed", "random"] {
            let (mut tests_sum, mut settled_sum) = (0.0, 0.0);
            let mut right = vec![0.0; max_tests + 1];
            for (ci, (id, case)) in cases.iter().enumerate() {
                let runs: Vec<(usize, bool, Vec<bool>)> = match order {
                    "reasoner" => vec![
                        self.run_order(case, |ev, left| self.most_informative(case, ev, left))
                            .map_err(|e| err(id, e))?,
                    ],
                    "fixed" => vec![self.run_order(case, |_, _| Ok(0)).map_err(|e| err(id, e))?],
                    _ => {
                        let mut rng = SplitMix(SEED ^ (ci as u64).wrapping_mul(0x9E37_79B9));
                        let mut runs = Vec::new();
                        for _ in 0..RANDOM_ORDERS {
                            let mut perm: Vec<usize> = (0..case.tests.len()).collect();
                            rng.shuffle(&mut perm);
                            // `left` stays in fixed order; pick the test the permutation puts next.
                            let mut next = perm.into_iter();
                            runs.push(
                                self.run_order(case, |_, left| {
                                    let t = next.next().unwrap_or(0);
                                    Ok(left.iter().position(|x| *x == t).unwrap_or(0))
                                })
                                .map_err(|e| err(id, e))?,
                            );
                        }
                        runs
                    }
                };
                let w = 1.0 / runs.len() as f64;
                for (tests, settled, by_step) in &runs {
                    tests_sum += w * *tests as f64;
                    settled_sum += w * f64::from(u8::from(*settled));
                    for (k, r) in right.iter_mut().enumerate() {
                        let ok = by_step.get(k).or(by_step.last()).copied().unwrap_or(false);
                        *r += w * f64::from(u8::from(ok));
                    }
                }
                if order == "fixed" && runs[0].0 == 0 && runs[0].1 {
                    settled_before += 1;
                }
            }
            figures.push(OrderFigures {
                order: order.to_string(),
                mean_tests_to_settle: tests_sum / n,
                settled: settled_sum / n,
                top1_by_step: right.iter().map(|r| r / n).collect(),
            });
        }
        Ok(Workup {
            cases: cases.len(),
            mean_tests_available: cases.iter().map(|(_, c)| c.tests.len() as f64).sum::<f64>() / n,
            settled_before_tests: settled_before as f64 / n,
            orders: figures,
            disclaimer: crate::reasoner::DISCLAIMER.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_random_orders_are_permutations_and_repeatable() {
        let mut a = SplitMix(SEED);
        let mut b = SplitMix(SEED);
        let mut x: Vec<usize> = (0..10).collect();
        let mut y = x.clone();
        a.shuffle(&mut x);
        b.shuffle(&mut y);
        assert_eq!(x, y);
        let mut s = x.clone();
        s.sort_unstable();
        assert_eq!(s, (0..10).collect::<Vec<_>>());
    }

    #[test]
    fn a_case_split_into_clinical_start_and_tests_in_the_fixed_order() {
        let r = Reasoner::new().expect("knowledge base");
        let f = Findings::from_json_str(
            r#"{"exam": {"fatigable": true, "ptosis": true},
                "labs": {"achr_antibodies": "positive"},
                "emg": {"jitter": "increased"},
                "ncs": {"rns": "decrement", "conduction_block": false, "temporal_dispersion": false}}"#,
        )
        .expect("findings");
        let case = r.workup_case(&f, vec![6]);
        // Block and dispersion are one test (one study): rns, block/dispersion, jitter, AChR.
        assert_eq!(case.tests.len(), 4);
        let secs: Vec<usize> = case.tests.iter().map(|t| t.rank.0).collect();
        assert_eq!(secs, vec![0, 0, 1, 2]);
        let model = &r.engine().model;
        assert!(case.start[model.single["exam.fatigable"]].is_some());
        assert!(case.start[model.single["labs.achr_antibodies"]].is_none());
    }

    #[test]
    fn every_order_reveals_every_test_and_ends_at_the_full_answer() {
        let r = Reasoner::new().expect("knowledge base");
        let cases = r#"[{"id": "mg", "findings": {"exam": {"fatigable": true, "ptosis": true},
            "labs": {"achr_antibodies": "positive"}, "ncs": {"rns": "decrement"}},
            "answer": {"category": "nmj", "level": "nmj"}}]"#;
        let w = r.simulate_workup(cases).expect("simulation");
        assert_eq!(w.orders.len(), 3);
        for o in &w.orders {
            assert_eq!(o.top1_by_step.len(), 3);
            assert!((o.top1_by_step[2] - 1.0).abs() < 1e-12, "{o:?}");
            assert!(o.mean_tests_to_settle <= 2.0);
        }
    }
}
