//! Exact inference by enumeration of the hypothesis core, exploiting the knowledge base's shape.
//!
//! The compiled network has a small core (`level`, `category`, `disease`, `time`) on which every
//! other variable depends; given the core, the hidden variables are independent of each other and
//! every finding depends on the core and at most one hidden variable. So the joint posterior is a
//! sum over the (few hundred) core configurations, each weighted by the product of the findings'
//! likelihoods (hidden variables summed out locally). Sums are done in log space.
//!
//! This is an independent check on the junction-tree engine of the `bayes` crate: the test suite
//! asserts that both give the same posteriors on the compiled network.

use crate::network::{CATEGORY, DISEASE, Evidence, LEVEL, Model, TIME};

/// Posterior marginals of every variable and the log probability of the evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct Posterior {
    /// One distribution per variable (for evidence variables, the distribution given all evidence).
    pub marginals: Vec<Vec<f64>>,
    /// Natural log of P(evidence).
    pub log_evidence: f64,
}

/// An inference failure.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InferenceError {
    /// The evidence has probability zero under the model.
    #[error("the findings are impossible under the knowledge base (probability zero)")]
    Impossible,
    /// The inference engine (`bayes`) reported an error (boxed: it is large and rare).
    #[error("inference engine: {0}")]
    Engine(#[source] Box<bayes::BayesError>),
}

/// Precomputed structure for enumeration.
#[derive(Debug, Clone)]
pub struct Enumerator {
    card: Vec<usize>,
    /// Non-core variables whose parents are core only and which have no children.
    leaves: Vec<usize>,
    /// Hidden variables with their children.
    hidden: Vec<(usize, Vec<usize>)>,
}

fn row_offset(model: &Model, var: usize, state: &[usize]) -> usize {
    let v = &model.vars[var];
    let mut r = 0;
    for &p in &v.parents {
        r = r * model.vars[p].states.len() + state[p];
    }
    r * v.states.len()
}

fn weighted(l: &Option<Vec<f64>>, i: usize) -> f64 {
    l.as_ref().map_or(1.0, |l| l[i])
}

impl Enumerator {
    /// Prepares enumeration for a compiled model.
    pub fn new(model: &Model) -> Self {
        let n = model.vars.len();
        let card: Vec<usize> = model.vars.iter().map(|v| v.states.len()).collect();
        let mut children = vec![Vec::new(); n];
        for (i, v) in model.vars.iter().enumerate().skip(4) {
            for &p in &v.parents {
                if p > TIME {
                    children[p].push(i);
                }
            }
        }
        let mut leaves = Vec::new();
        let mut hidden = Vec::new();
        for (i, kids) in children.iter().enumerate().skip(4) {
            if !kids.is_empty() {
                hidden.push((i, kids.clone()));
            } else if model.vars[i].parents.iter().all(|&p| p <= TIME) {
                leaves.push(i);
            }
        }
        Enumerator {
            card,
            leaves,
            hidden,
        }
    }

    /// Posterior marginals of every variable given (hard or likelihood) evidence.
    pub fn query(&self, model: &Model, ev: &Evidence) -> Result<Posterior, InferenceError> {
        let n = model.vars.len();
        let mut state = vec![0usize; n];
        // Pass 1: log weight of every core configuration.
        let mut configs: Vec<([usize; 4], f64)> = Vec::new();
        for l in 0..self.card[LEVEL] {
            for c in 0..self.card[CATEGORY] {
                for d in 0..self.card[DISEASE] {
                    for t in 0..self.card[TIME] {
                        state[LEVEL] = l;
                        state[CATEGORY] = c;
                        state[DISEASE] = d;
                        state[TIME] = t;
                        let mut w = 1.0;
                        for (var, s) in [(LEVEL, l), (CATEGORY, c), (DISEASE, d), (TIME, t)] {
                            w *= model.vars[var].cpt[row_offset(model, var, &state) + s]
                                * weighted(&ev[var], s);
                        }
                        if w <= 0.0 {
                            continue;
                        }
                        let mut lw = w.ln();
                        for &f in &self.leaves {
                            if let Some(lik) = &ev[f] {
                                let off = row_offset(model, f, &state);
                                let phi: f64 = (0..self.card[f])
                                    .map(|x| model.vars[f].cpt[off + x] * lik[x])
                                    .sum();
                                lw += phi.ln();
                            }
                        }
                        for (hv, kids) in &self.hidden {
                            let m = self.hidden_messages(model, ev, &mut state, *hv, kids);
                            lw += m.iter().sum::<f64>().ln();
                        }
                        if lw.is_finite() {
                            configs.push(([l, c, d, t], lw));
                        }
                    }
                }
            }
        }
        let max = configs
            .iter()
            .map(|(_, w)| *w)
            .fold(f64::NEG_INFINITY, f64::max);
        if !max.is_finite() {
            return Err(InferenceError::Impossible);
        }
        let z: f64 = configs.iter().map(|(_, w)| (w - max).exp()).sum();
        let log_evidence = max + z.ln();
        // Pass 2: marginals.
        let mut marg: Vec<Vec<f64>> = self.card.iter().map(|&k| vec![0.0; k]).collect();
        for (cfg, lw) in &configs {
            let w = (lw - log_evidence).exp();
            for (var, s) in [
                (LEVEL, cfg[0]),
                (CATEGORY, cfg[1]),
                (DISEASE, cfg[2]),
                (TIME, cfg[3]),
            ] {
                state[var] = s;
                marg[var][s] += w;
            }
            for &f in &self.leaves {
                let off = row_offset(model, f, &state);
                let cpt = &model.vars[f].cpt[off..off + self.card[f]];
                let terms: Vec<f64> = (0..self.card[f])
                    .map(|x| cpt[x] * weighted(&ev[f], x))
                    .collect();
                let phi: f64 = terms.iter().sum();
                for (x, t) in terms.iter().enumerate() {
                    marg[f][x] += w * t / phi;
                }
            }
            for (hv, kids) in &self.hidden {
                let m = self.hidden_messages(model, ev, &mut state, *hv, kids);
                let total: f64 = m.iter().sum();
                for (s, ms) in m.iter().enumerate() {
                    let ws = w * ms / total;
                    marg[*hv][s] += ws;
                    state[*hv] = s;
                    for &k in kids {
                        let off = row_offset(model, k, &state);
                        let cpt = &model.vars[k].cpt[off..off + self.card[k]];
                        let terms: Vec<f64> = (0..self.card[k])
                            .map(|x| cpt[x] * weighted(&ev[k], x))
                            .collect();
                        let phi: f64 = terms.iter().sum();
                        if phi > 0.0 {
                            for (x, t) in terms.iter().enumerate() {
                                marg[k][x] += ws * t / phi;
                            }
                        }
                    }
                }
            }
        }
        Ok(Posterior {
            marginals: marg,
            log_evidence,
        })
    }

    /// Unnormalised P(hidden = s, its children's evidence | core) for each state s.
    fn hidden_messages(
        &self,
        model: &Model,
        ev: &Evidence,
        state: &mut [usize],
        hv: usize,
        kids: &[usize],
    ) -> Vec<f64> {
        let off = row_offset(model, hv, state);
        (0..self.card[hv])
            .map(|s| {
                let mut m = model.vars[hv].cpt[off + s] * weighted(&ev[hv], s);
                state[hv] = s;
                for &k in kids {
                    if let Some(lik) = &ev[k] {
                        let o = row_offset(model, k, state);
                        m *= (0..self.card[k])
                            .map(|x| model.vars[k].cpt[o + x] * lik[x])
                            .sum::<f64>();
                    }
                }
                m
            })
            .collect()
    }
}
