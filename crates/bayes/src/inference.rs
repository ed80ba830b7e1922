//! Evidence and exact propagation on a compiled junction tree (Hugin architecture: Jensen,
//! Lauritzen & Olesen 1990).
//!
//! A query copies the compiled clique potentials into a workspace, multiplies each finding into
//! the smallest clique holding its variable (a hard finding zeroes the other states; a soft
//! finding multiplies by its likelihood vector), then runs one collect pass towards the root
//! and one distribute pass back. Message `m` over separator `S` from clique `C` is
//! `Σ_{C∖S} φ_C`; the receiver is multiplied by `m / m_old` (with 0/0 = 0). Collect messages
//! are rescaled to sum to one and the scale's logarithm is accumulated, so the evidence
//! probability is `log P(e) = Σ log scale + log Σ φ_root` without underflow. Posteriors are
//! the normalised marginals of each variable's smallest clique.

use crate::blocked::Base;
use crate::error::{BayesError, Result};
use crate::junction_tree::{Home, JunctionTree};
use crate::network::VarId;

/// A finding on one variable.
#[derive(Debug, Clone, PartialEq)]
pub enum Finding {
    /// The variable is observed in this state (index into its states).
    State(usize),
    /// Likelihood of the observation given each state (soft/virtual evidence); non-negative,
    /// not all zero, one entry per state.
    Likelihood(Vec<f64>),
}

/// A set of findings, at most one per variable.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Evidence {
    findings: Vec<(VarId, Finding)>,
}

impl Evidence {
    /// No findings.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets (or replaces) a hard finding.
    pub fn set_state(&mut self, var: VarId, state: usize) -> &mut Self {
        self.set(var, Finding::State(state))
    }

    /// Sets (or replaces) a soft finding.
    pub fn set_likelihood(&mut self, var: VarId, likelihood: Vec<f64>) -> &mut Self {
        self.set(var, Finding::Likelihood(likelihood))
    }

    /// Sets (or replaces) a finding.
    pub fn set(&mut self, var: VarId, finding: Finding) -> &mut Self {
        match self.findings.iter_mut().find(|f| f.0 == var) {
            Some(f) => f.1 = finding,
            None => self.findings.push((var, finding)),
        }
        self
    }

    /// Removes the finding on a variable, if any.
    pub fn remove(&mut self, var: VarId) -> &mut Self {
        self.findings.retain(|f| f.0 != var);
        self
    }

    /// The findings, in insertion order.
    pub fn findings(&self) -> &[(VarId, Finding)] {
        &self.findings
    }

    /// The finding on a variable, if any.
    pub fn get(&self, var: VarId) -> Option<&Finding> {
        self.findings.iter().find(|f| f.0 == var).map(|f| &f.1)
    }

    /// Hard findings from `(variable name, state name)` pairs.
    pub fn from_names<'a>(
        net: &crate::Network,
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self> {
        let mut ev = Evidence::new();
        for (v, s) in pairs {
            let id = net.var(v)?;
            let st = net.state(id, s)?;
            ev.set_state(id, st);
        }
        Ok(ev)
    }
}

/// Result of a query.
#[derive(Debug, Clone, PartialEq)]
pub struct Posteriors {
    /// `marginals[v][s] = P(v = s | e)` for every variable (an observed variable's posterior is
    /// its indicator).
    pub marginals: Vec<Vec<f64>>,
    /// Natural logarithm of the probability of the evidence (likelihood-weighted for soft
    /// findings).
    pub log_evidence: f64,
}

impl Posteriors {
    /// The posterior of one variable.
    pub fn of(&self, var: VarId) -> &[f64] {
        &self.marginals[var.0]
    }
}

/// Reusable buffers for queries on one tree (allocated once, reused by every query).
#[derive(Debug, Clone)]
pub struct Workspace {
    pub(crate) pots: Vec<Vec<f64>>,
    pub(crate) seps: Vec<Vec<f64>>,
    pub(crate) par_scratch: Vec<f64>,
    pub(crate) sep_new: Vec<Vec<f64>>,
}

impl JunctionTree {
    /// Buffers for [`JunctionTree::query_with`].
    pub fn workspace(&self) -> Workspace {
        Workspace {
            pots: self
                .cliques
                .iter()
                .map(|c| crate::memory::zeroed(c.size))
                .collect(),
            seps: self.cliques.iter().map(|c| vec![0.0; c.sep_size]).collect(),
            par_scratch: Vec::new(),
            sep_new: self.cliques.iter().map(|c| vec![0.0; c.sep_size]).collect(),
        }
    }

    /// Posteriors of every variable and `log P(e)`, with fresh buffers.
    pub fn query(&self, evidence: &Evidence) -> Result<Posteriors> {
        let mut ws = self.workspace();
        self.query_with(&mut ws, evidence)
    }

    /// Checks the evidence and turns it into one likelihood vector per observed variable.
    pub(crate) fn likelihoods(&self, evidence: &Evidence) -> Result<Vec<(usize, Vec<f64>)>> {
        let mut out = Vec::with_capacity(evidence.findings.len());
        for (var, f) in &evidence.findings {
            let v = var.0;
            if v >= self.cards.len() {
                return Err(BayesError::BadVariableId {
                    id: v,
                    count: self.cards.len(),
                });
            }
            let name = || self.net.variable(*var).name.clone();
            let card = self.cards[v];
            let lik = match f {
                Finding::State(s) => {
                    if *s >= card {
                        return Err(BayesError::BadEvidence {
                            variable: name(),
                            reason: format!(
                                "state index {s} out of range (the variable has {card} states)"
                            ),
                        });
                    }
                    let mut l = vec![0.0; card];
                    l[*s] = 1.0;
                    l
                }
                Finding::Likelihood(l) => {
                    if l.len() != card {
                        return Err(BayesError::BadEvidence {
                            variable: name(),
                            reason: format!("likelihood has {} entries, expected {card}", l.len()),
                        });
                    }
                    if let Some(x) = l.iter().find(|x| !x.is_finite() || **x < 0.0) {
                        return Err(BayesError::BadEvidence {
                            variable: name(),
                            reason: format!("likelihood entry {x} (expected finite and ≥ 0)"),
                        });
                    }
                    if l.iter().all(|x| *x == 0.0) {
                        return Err(BayesError::BadEvidence {
                            variable: name(),
                            reason: "likelihood is zero for every state".into(),
                        });
                    }
                    l.clone()
                }
            };
            out.push((v, lik));
        }
        Ok(out)
    }

    /// Enters the evidence and propagates: afterwards every clique potential in `ws` is
    /// proportional to the joint posterior of its variables. Returns `log P(e)`.
    pub(crate) fn propagate(&self, ws: &mut Workspace, evidence: &Evidence) -> Result<f64> {
        let liks = self.likelihoods(evidence)?;
        // Findings per entry clique.
        let mut at: Vec<Vec<usize>> = vec![Vec::new(); self.cliques.len()];
        for (k, (v, _)) in liks.iter().enumerate() {
            at[self.entry[*v].0].push(k);
        }
        let mut log_z = 0.0;
        let mut inv_scale = vec![1.0f64; self.cliques.len()];
        // Collect: one fused pass per clique (children before parents): initial potential ×
        // findings × messages from the children, marginalised onto the separator.
        for &c in &self.post_order {
            let cl = &self.cliques[c];
            let cached = self.init[c].as_deref();
            let n_cpt = self.assigned[c].len();
            let mut inputs: Vec<(usize, &[f64])> = Vec::new();
            let base = if at[c].is_empty() {
                match cached {
                    Some(init) => Base::Copy(init),
                    None => Base::Ones,
                }
            } else {
                self.initial_or_ones(c, &mut ws.pots[c]);
                for &k in &at[c] {
                    let (v, lik) = &liks[k];
                    let map = &self.entry[*v].1;
                    map.par_multiply(&mut ws.pots[c], lik);
                }
                Base::Keep
            };
            if cached.is_none() {
                inputs.extend(self.cpt_inputs(c));
            }
            let mut out = std::mem::take(&mut ws.seps[c]);
            let mut scale = 1.0;
            for (k, &ch) in cl.children.iter().enumerate() {
                inputs.push((n_cpt + k, ws.seps[ch].as_slice()));
                scale *= inv_scale[ch];
            }
            let out_map = n_cpt + cl.children.len();
            let mut total = [0.0f64];
            {
                let out_slice: &mut [f64] = if cl.parent.is_some() {
                    &mut out
                } else {
                    &mut total
                };
                cl.blocked.pass(
                    &mut ws.pots[c],
                    base,
                    scale,
                    &inputs,
                    &mut [(out_map, out_slice)],
                    &mut ws.par_scratch,
                );
            }
            let s: f64 = if cl.parent.is_some() {
                out.iter().sum()
            } else {
                total[0]
            };
            ws.seps[c] = out;
            if s <= 0.0 || !s.is_finite() {
                return Err(self.impossible(c));
            }
            log_z += s.ln();
            inv_scale[c] = 1.0 / s;
        }
        // Distribute (parents before children): multiply by the ratio of the new separator
        // marginal to the old one (0/0 = 0) and marginalise onto every child's separator in the
        // same pass. Each separator keeps its new marginal (a home for posteriors).
        for &c in self.post_order.iter().rev() {
            let cl = &self.cliques[c];
            let n_cpt = self.assigned[c].len();
            let mut outs: Vec<(usize, Vec<f64>)> = cl
                .children
                .iter()
                .enumerate()
                .map(|(k, &ch)| (n_cpt + k, std::mem::take(&mut ws.sep_new[ch])))
                .collect();
            {
                let ratio: Vec<(usize, &[f64])> = match cl.parent {
                    Some(_) => vec![(n_cpt + cl.children.len(), ws.sep_new[c].as_slice())],
                    None => Vec::new(),
                };
                let mut out_refs: Vec<(usize, &mut [f64])> = outs
                    .iter_mut()
                    .map(|(k, v)| (*k, v.as_mut_slice()))
                    .collect();
                if !ratio.is_empty() || !out_refs.is_empty() {
                    cl.blocked.pass(
                        &mut ws.pots[c],
                        Base::Keep,
                        1.0,
                        &ratio,
                        &mut out_refs,
                        &mut ws.par_scratch,
                    );
                }
            }
            for ((_, mut new), &ch) in outs.into_iter().zip(&cl.children) {
                for (r, old) in new.iter_mut().zip(ws.seps[ch].iter_mut()) {
                    let m = *r;
                    *r = if *old == 0.0 { 0.0 } else { m / *old };
                    *old = m;
                }
                ws.sep_new[ch] = new;
            }
        }
        Ok(log_z)
    }

    /// Initial potential of clique `c` into `pot` (compiled copy, or the product of its CPTs).
    fn initial_or_ones(&self, c: usize, pot: &mut [f64]) {
        self.initial_potential(c, pot);
    }

    fn impossible(&self, c: usize) -> BayesError {
        let names: Vec<&str> = self.cliques[c]
            .vars
            .iter()
            .take(6)
            .map(|&v| self.net.variables()[v].name.as_str())
            .collect();
        BayesError::ImpossibleEvidence {
            detail: format!(
                " (found while absorbing the clique of {}…)",
                names.join(", ")
            ),
        }
    }

    /// Posteriors of every variable and `log P(e)`, reusing `ws` (see [`JunctionTree::workspace`]).
    pub fn query_with(&self, ws: &mut Workspace, evidence: &Evidence) -> Result<Posteriors> {
        let log_evidence = self.propagate(ws, evidence)?;
        let marginals = (0..self.cards.len())
            .map(|v| self.marginal_in(ws, v))
            .collect();
        Ok(Posteriors {
            marginals,
            log_evidence,
        })
    }

    /// Normalised marginal of variable `v` from its home clique after propagation.
    pub(crate) fn marginal_in(&self, ws: &Workspace, v: usize) -> Vec<f64> {
        let (h, map) = &self.home[v];
        let mut m = vec![0.0; self.cards[v]];
        let src = match *h {
            Home::Clique(c) => &ws.pots[c],
            Home::Sep(c) => &ws.seps[c],
        };
        map.marginalize_add(src, &mut m, 0, map.runs);
        let s: f64 = m.iter().sum();
        if s > 0.0 {
            for x in &mut m {
                *x /= s;
            }
        }
        m
    }
}

impl JunctionTree {
    /// Propagates `evidence`, then compares every variable's normalised marginal computed from
    /// every clique that contains it; returns the largest absolute difference. A correct
    /// propagation leaves only rounding (the tree is then *consistent*). A check, not a hot path.
    pub fn max_clique_disagreement(&self, evidence: &Evidence) -> Result<f64> {
        let mut ws = self.workspace();
        self.propagate(&mut ws, evidence)?;
        let mut first: Vec<Option<Vec<f64>>> = vec![None; self.cards.len()];
        let mut worst = 0.0f64;
        for (c, cl) in self.cliques.iter().enumerate() {
            for &v in &cl.vars {
                let map = crate::index_map::IndexMap::between(&cl.vars, &self.cards, &[v]);
                let mut m = vec![0.0; self.cards[v]];
                map.marginalize_add(&ws.pots[c], &mut m, 0, map.runs);
                let s: f64 = m.iter().sum();
                m.iter_mut().for_each(|x| *x /= s);
                match &first[v] {
                    None => first[v] = Some(m),
                    Some(f) => {
                        for (a, b) in f.iter().zip(&m) {
                            worst = worst.max((a - b).abs());
                        }
                    }
                }
            }
        }
        Ok(worst)
    }
}
