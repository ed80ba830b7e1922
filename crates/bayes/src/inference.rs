//! Evidence and exact propagation on a compiled junction tree: the Hugin scheme (Jensen,
//! Lauritzen & Olesen 1990) run without storing clique potentials.
//!
//! Per query the tree is first *sliced* by the hard findings: an observed variable is dropped
//! from every clique, separator and CPT map, its state becoming a fixed offset into the CPTs
//! that mention it, so each clique shrinks by the cardinality of its observed variables (this is
//! where MUNIN1's cliques of up to 7.8e7 states become small under evidence). Soft findings
//! multiply their likelihood vector into the smallest clique holding the variable.
//!
//! Collect (children before parents): a clique's potential is the product of its CPTs, soft
//! findings and its children's messages, each message rescaled to sum to one (the scales'
//! logarithms add up to `log P(e)` with the root's total, so nothing underflows); one fused pass
//! computes it block by block and marginalises it onto the separator with the parent — the
//! potential itself is never written anywhere. Distribute (parents before children): the same
//! product is recomputed, multiplied by `new / old` on the parent separator (0/0 = 0, as in
//! Hugin), and marginalised in the same pass onto each child's separator and onto the
//! variables whose posterior is read from this clique; the root does collect and distribute in
//! one pass. Leaves with nothing to report skip the distribute pass. Memory is therefore two
//! copies of every separator, whatever the cliques' sizes; the price is recomputing products
//! (cheap: the factors are small and in cache, the clique is streamed block by block).
//! Posteriors are normalised marginals of the smallest separator (else clique) holding each
//! variable.

use rayon::prelude::*;

use crate::blocked::{Blocked, PAR_MIN_STATES};
use crate::error::{BayesError, Result};
use crate::index_map::IndexMap;
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
    /// Collect message of each clique to its parent; after distribute, the separator marginal.
    seps: Vec<Vec<f64>>,
    /// Distribute message into each clique; after it is used, the ratio new / old.
    sep_new: Vec<Vec<f64>>,
    par_scratch: Vec<f64>,
}

/// A level of small cliques runs in parallel when it holds at least this many states.
const PAR_LEVEL_MIN_STATES: usize = 1 << 16;

/// `log P(e)`, the posterior of every variable, and the joints requested.
pub(crate) type Propagated = (f64, Vec<Vec<f64>>, Vec<Vec<f64>>);

/// Per-query layout of one clique, sliced by the hard findings.
struct Sliced {
    blocked: Blocked,
    /// Index of the first child map, of the parent (or total) map, of the first output map.
    first_child: usize,
    parent_map: usize,
    first_out: usize,
    /// CPT offsets (state of observed family members), per assigned CPT.
    cpt_offsets: Vec<usize>,
    /// Soft findings entered here (indices into the likelihood list).
    soft: Vec<usize>,
    /// Outputs: (variables, index into the result list).
    outs: Vec<usize>,
    /// Children with small separators, handled through one factor over their union.
    group: Option<Group>,
}

/// Small child separators of a clique grouped over the union `U` of their variables: their
/// messages are multiplied together over `U` first (one input instead of many), and the
/// clique's belief is marginalised once onto `U`, then from `U` onto each of them. A clique with
/// many small neighbours (MUNIN1's largest has 14) otherwise walks its block once per neighbour
/// with runs of a few states.
struct Group {
    /// Indices (into the clique's children) of the grouped children.
    members: Vec<usize>,
    /// Layout over `U`: one map per member separator, then the identity.
    blocked: Blocked,
    /// Index of the `U` map in the clique's blocked maps.
    map: usize,
    /// States of `U`.
    len: usize,
}

/// Separators at most this large may be grouped.
const GROUP_SEP_MAX: usize = 4096;
/// Largest union of grouped separators.
const GROUP_UNION_MAX: usize = 1 << 16;

impl JunctionTree {
    /// Buffers for [`JunctionTree::query_with`].
    pub fn workspace(&self) -> Workspace {
        Workspace {
            seps: self
                .cliques
                .iter()
                .map(|c| crate::memory::zeroed(c.sep_size))
                .collect(),
            sep_new: self
                .cliques
                .iter()
                .map(|c| crate::memory::zeroed(c.sep_size))
                .collect(),
            par_scratch: Vec::new(),
        }
    }

    /// Posteriors of every variable and `log P(e)`, with fresh buffers.
    pub fn query(&self, evidence: &Evidence) -> Result<Posteriors> {
        let mut ws = self.workspace();
        self.query_with(&mut ws, evidence)
    }

    /// Posteriors of every variable and `log P(e)`, reusing `ws` (see [`JunctionTree::workspace`]).
    pub fn query_with(&self, ws: &mut Workspace, evidence: &Evidence) -> Result<Posteriors> {
        let (log_evidence, marginals, _) = self.propagate(ws, evidence, &[])?;
        Ok(Posteriors {
            marginals,
            log_evidence,
        })
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

    /// Enters the evidence and propagates. Returns `log P(e)`, the posterior of every variable,
    /// and for each request `(clique, variables)` the (unnormalised) joint of those variables
    /// from that clique's belief; requested variables must be in the clique and unobserved.
    pub(crate) fn propagate(
        &self,
        ws: &mut Workspace,
        evidence: &Evidence,
        requests: &[(usize, Vec<usize>)],
    ) -> Result<Propagated> {
        let liks = self.likelihoods(evidence)?;
        let n = self.cards.len();
        let m = self.cliques.len();
        let mut hard: Vec<Option<usize>> = vec![None; n];
        let mut soft_at: Vec<Vec<usize>> = vec![Vec::new(); m];
        for (k, (v, l)) in liks.iter().enumerate() {
            match evidence.get(VarId(*v)) {
                Some(Finding::State(s)) => hard[*v] = Some(*s),
                _ => soft_at[self.entry[*v]].push(k),
            }
            debug_assert_eq!(l.len(), self.cards[*v]);
        }
        // Sliced separators (in separator layout order, observed variables dropped).
        let sep_eff: Vec<Vec<usize>> = self
            .cliques
            .iter()
            .map(|c| {
                c.sep
                    .iter()
                    .copied()
                    .filter(|&v| hard[v].is_none())
                    .collect()
            })
            .collect();
        let sep_len: Vec<usize> = sep_eff
            .iter()
            .map(|s| s.iter().map(|&v| self.cards[v]).product())
            .collect();
        // Outputs: homed variables, then requests.
        let mut results: Vec<Vec<f64>> = Vec::new();
        let mut outs_at: Vec<Vec<(Vec<usize>, usize)>> = vec![Vec::new(); m];
        for v in 0..n {
            if let (Home::Clique(c), None) = (self.home[v], hard[v]) {
                outs_at[c].push((vec![v], results.len()));
                results.push(vec![0.0; self.cards[v]]);
            }
        }
        let first_request = results.len();
        for (c, vars) in requests {
            outs_at[*c].push((vars.clone(), results.len()));
            results.push(vec![0.0; vars.iter().map(|&v| self.cards[v]).product()]);
        }
        let plans: Vec<Sliced> = (0..m)
            .map(|c| self.slice(c, &hard, &sep_eff, &soft_at[c], &liks, &outs_at[c]))
            .collect();
        let mut log_z = 0.0;
        let mut inv_scale = vec![1.0f64; m];
        let root = self.root;
        // Collect, level by level from the leaves (cliques of one level are independent: each
        // reads its children's messages and writes its own). Large cliques run one at a time,
        // chunked in parallel inside; the small ones of a level run in parallel. Every clique's
        // arithmetic is the same whatever the schedule, and the scales are added in a fixed
        // order, so results do not depend on the number of threads.
        let scale_of = |c: usize, inv_scale: &[f64]| -> f64 {
            self.cliques[c]
                .children
                .iter()
                .map(|&ch| inv_scale[ch])
                .product()
        };
        for level in &self.collect_levels {
            let mut tasks: Vec<(usize, Vec<f64>, f64)> = level
                .iter()
                .map(|&c| (c, std::mem::take(&mut ws.seps[c]), 0.0))
                .collect();
            {
                let seps = &ws.seps;
                let run = |(c, out, s): &mut (usize, Vec<f64>, f64), scratch: &mut Vec<f64>| {
                    let plan = &plans[*c];
                    let comb = self.group_product(*c, plan, seps, &sep_len);
                    let inputs = self.inputs(*c, plan, &liks, (seps, &sep_len), None, Some(&comb));
                    let o = &mut out[..sep_len[*c]];
                    plan.blocked.pass(
                        scale_of(*c, &inv_scale),
                        &inputs,
                        &mut [(plan.parent_map, o)],
                        scratch,
                    );
                    *s = out[..sep_len[*c]].iter().sum();
                };
                run_level(
                    &mut tasks,
                    |t| plans[t.0].blocked.size(),
                    &mut ws.par_scratch,
                    run,
                );
            }
            for (c, out, s) in tasks {
                ws.seps[c] = out;
                if s <= 0.0 || !s.is_finite() {
                    return Err(self.impossible(c));
                }
                log_z += s.ln();
                inv_scale[c] = 1.0 / s;
            }
        }
        // The root: collect and distribute in one pass.
        {
            let c = root;
            let cl = &self.cliques[c];
            let plan = &plans[c];
            let mut taken: Vec<Vec<f64>> = cl
                .children
                .iter()
                .map(|&ch| std::mem::take(&mut ws.sep_new[ch]))
                .collect();
            let mut total = [0.0f64];
            let mut res_bufs: Vec<Vec<f64>> = plan
                .outs
                .iter()
                .map(|&i| std::mem::take(&mut results[i]))
                .collect();
            {
                let comb = self.group_product(c, plan, &ws.seps, &sep_len);
                let mut u = vec![0.0; plan.group.as_ref().map_or(0, |g| g.len)];
                {
                    let inputs =
                        self.inputs(c, plan, &liks, (&ws.seps, &sep_len), None, Some(&comb));
                    let mut outputs: Vec<(usize, &mut [f64])> =
                        vec![(plan.parent_map, &mut total[..])];
                    for (k, (buf, &ch)) in taken.iter_mut().zip(&cl.children).enumerate() {
                        if !plan.group.as_ref().is_some_and(|g| g.members.contains(&k)) {
                            outputs.push((plan.first_child + k, &mut buf[..sep_len[ch]]));
                        }
                    }
                    for (k, r) in res_bufs.iter_mut().enumerate() {
                        outputs.push((plan.first_out + k, &mut r[..]));
                    }
                    if let Some(g) = &plan.group {
                        outputs.push((g.map, &mut u[..]));
                    }
                    plan.blocked.pass(
                        scale_of(c, &inv_scale),
                        &inputs,
                        &mut outputs,
                        &mut ws.par_scratch,
                    );
                }
                self.group_spread(c, plan, &u, &mut taken, &sep_len);
            }
            for (buf, &ch) in taken.into_iter().zip(&cl.children) {
                ws.sep_new[ch] = buf;
            }
            for (buf, &i) in res_bufs.into_iter().zip(&plan.outs) {
                results[i] = buf;
            }
            let s = total[0];
            if s <= 0.0 || !s.is_finite() {
                return Err(self.impossible(c));
            }
            log_z += s.ln();
            self.ratios(ws, c, &sep_len);
        }
        // Distribute, level by level from the root's children.
        for level in &self.distribute_levels {
            type Task = (usize, Vec<Vec<f64>>, Vec<Vec<f64>>);
            let mut tasks: Vec<Task> = level
                .iter()
                .filter(|&&c| !self.cliques[c].children.is_empty() || !plans[c].outs.is_empty())
                .map(|&c| {
                    let kids = self.cliques[c]
                        .children
                        .iter()
                        .map(|&ch| std::mem::take(&mut ws.sep_new[ch]))
                        .collect();
                    let res = plans[c]
                        .outs
                        .iter()
                        .map(|&i| std::mem::take(&mut results[i]))
                        .collect();
                    (c, kids, res)
                })
                .collect();
            {
                let (seps, sep_new) = (&ws.seps, &ws.sep_new);
                let run = |(c, kids, res): &mut Task, scratch: &mut Vec<f64>| {
                    let (c, cl, plan) = (*c, &self.cliques[*c], &plans[*c]);
                    let ratio = Some(&sep_new[c][..sep_len[c]]);
                    let comb = self.group_product(c, plan, seps, &sep_len);
                    let mut u = vec![0.0; plan.group.as_ref().map_or(0, |g| g.len)];
                    {
                        let inputs =
                            self.inputs(c, plan, &liks, (seps, &sep_len), ratio, Some(&comb));
                        let mut outputs: Vec<(usize, &mut [f64])> = Vec::new();
                        for (k, (buf, &ch)) in kids.iter_mut().zip(&cl.children).enumerate() {
                            if !plan.group.as_ref().is_some_and(|g| g.members.contains(&k)) {
                                outputs.push((plan.first_child + k, &mut buf[..sep_len[ch]]));
                            }
                        }
                        for (k, r) in res.iter_mut().enumerate() {
                            outputs.push((plan.first_out + k, &mut r[..]));
                        }
                        if let Some(g) = &plan.group {
                            outputs.push((g.map, &mut u[..]));
                        }
                        plan.blocked
                            .pass(scale_of(c, &inv_scale), &inputs, &mut outputs, scratch);
                    }
                    self.group_spread(c, plan, &u, kids, &sep_len);
                };
                run_level(
                    &mut tasks,
                    |t| plans[t.0].blocked.size(),
                    &mut ws.par_scratch,
                    run,
                );
            }
            for (c, kids, res) in tasks {
                for (buf, &ch) in kids.into_iter().zip(&self.cliques[c].children) {
                    ws.sep_new[ch] = buf;
                }
                for (buf, &i) in res.into_iter().zip(&plans[c].outs) {
                    results[i] = buf;
                }
                self.ratios(ws, c, &sep_len);
            }
        }
        // Posteriors.
        let mut marginals = Vec::with_capacity(n);
        let mut next_out = 0usize;
        let mut clique_out: Vec<Option<usize>> = vec![None; n];
        for outs in &outs_at {
            for (vars, idx) in outs {
                if *idx < first_request {
                    clique_out[vars[0]] = Some(*idx);
                }
            }
        }
        for v in 0..n {
            let mut mv = match (hard[v], self.home[v]) {
                (Some(s), _) => {
                    let mut ind = vec![0.0; self.cards[v]];
                    ind[s] = 1.0;
                    ind
                }
                (None, Home::Sep(k)) => {
                    let map = IndexMap::between(&sep_eff[k], &self.cards, &[v]);
                    let mut mv = vec![0.0; self.cards[v]];
                    map.marginalize_add(&ws.seps[k][..sep_len[k]], &mut mv, 0, map.runs);
                    mv
                }
                (None, Home::Clique(_)) => {
                    next_out += 1;
                    clique_out[v]
                        .map(|i| std::mem::take(&mut results[i]))
                        .unwrap_or_default()
                }
            };
            let s: f64 = mv.iter().sum();
            if s > 0.0 {
                mv.iter_mut().for_each(|x| *x /= s);
            }
            marginals.push(mv);
        }
        debug_assert!(next_out <= first_request);
        let extras = results.split_off(first_request);
        Ok((log_z, marginals, extras))
    }

    /// The product of the grouped children's collect messages over their union (empty if the
    /// clique has no group).
    fn group_product(
        &self,
        c: usize,
        plan: &Sliced,
        seps: &[Vec<f64>],
        sep_len: &[usize],
    ) -> Vec<f64> {
        let Some(g) = &plan.group else {
            return Vec::new();
        };
        let children = &self.cliques[c].children;
        let inputs: Vec<(usize, &[f64])> = g
            .members
            .iter()
            .enumerate()
            .map(|(i, &k)| (i, &seps[children[k]][..sep_len[children[k]]]))
            .collect();
        let mut comb = vec![0.0; g.len];
        g.blocked.pass(
            1.0,
            &inputs,
            &mut [(g.members.len(), &mut comb[..])],
            &mut Vec::new(),
        );
        comb
    }

    /// Spreads the belief marginal over a group's union onto each grouped child's buffer
    /// (`kids[k]` for child index `k`).
    fn group_spread(
        &self,
        c: usize,
        plan: &Sliced,
        u: &[f64],
        kids: &mut [Vec<f64>],
        sep_len: &[usize],
    ) {
        let Some(g) = &plan.group else { return };
        let children = &self.cliques[c].children;
        let mut taken: Vec<Vec<f64>> = g
            .members
            .iter()
            .map(|&k| std::mem::take(&mut kids[k]))
            .collect();
        {
            let mut outs: Vec<(usize, &mut [f64])> = taken
                .iter_mut()
                .zip(&g.members)
                .enumerate()
                .map(|(i, (b, &k))| (i, &mut b[..sep_len[children[k]]]))
                .collect();
            g.blocked
                .pass(1.0, &[(g.members.len(), u)], &mut outs, &mut Vec::new());
        }
        for (b, &k) in taken.into_iter().zip(&g.members) {
            kids[k] = b;
        }
    }

    /// After clique `c` has sent its distribute messages: each child separator keeps the new
    /// marginal, and the child's buffer the ratio new / old (0/0 = 0).
    fn ratios(&self, ws: &mut Workspace, c: usize, sep_len: &[usize]) {
        for &ch in &self.cliques[c].children {
            let len = sep_len[ch];
            let (new, old) = (&mut ws.sep_new[ch][..len], &mut ws.seps[ch][..len]);
            for (r, o) in new.iter_mut().zip(old.iter_mut()) {
                let x = *r;
                *r = if *o == 0.0 { 0.0 } else { x / *o };
                *o = x;
            }
        }
    }

    /// The inputs of clique `c`'s passes: CPTs (offset by observed states), soft findings,
    /// children's collect messages, and the parent ratio when given.
    fn inputs<'a>(
        &'a self,
        c: usize,
        plan: &Sliced,
        liks: &'a [(usize, Vec<f64>)],
        (seps, sep_len): (&'a [Vec<f64>], &[usize]),
        ratio: Option<&'a [f64]>,
        comb: Option<&'a [f64]>,
    ) -> Vec<(usize, &'a [f64])> {
        let mut inputs: Vec<(usize, &[f64])> = Vec::new();
        for (k, (&v, &off)) in self.assigned[c].iter().zip(&plan.cpt_offsets).enumerate() {
            if let Some(cpt) = self.net.cpt(VarId(v)) {
                inputs.push((k, &cpt.values[off..]));
            }
        }
        let n_cpt = self.assigned[c].len();
        for (k, &i) in plan.soft.iter().enumerate() {
            inputs.push((n_cpt + k, liks[i].1.as_slice()));
        }
        for (k, &ch) in self.cliques[c].children.iter().enumerate() {
            if plan.group.as_ref().is_some_and(|g| g.members.contains(&k)) {
                continue;
            }
            inputs.push((plan.first_child + k, &seps[ch][..sep_len[ch]]));
        }
        if let (Some(g), Some(comb)) = (&plan.group, comb) {
            inputs.push((g.map, comb));
        }
        if let Some(r) = ratio {
            inputs.push((plan.parent_map, r));
        }
        inputs
    }

    /// Builds clique `c`'s blocked maps for this query's hard findings. Map order: CPTs, soft
    /// findings, children's separators, parent separator (or the total, for the root), outputs.
    fn slice(
        &self,
        c: usize,
        hard: &[Option<usize>],
        sep_eff: &[Vec<usize>],
        soft: &[usize],
        liks: &[(usize, Vec<f64>)],
        outs: &[(Vec<usize>, usize)],
    ) -> Sliced {
        let cl = &self.cliques[c];
        let eff: Vec<usize> = cl
            .vars
            .iter()
            .copied()
            .filter(|&v| hard[v].is_none())
            .collect();
        let eff_cards: Vec<usize> = eff.iter().map(|&v| self.cards[v]).collect();
        // Strides over `eff` of a row-major factor over `sub` (observed members add offsets).
        let strides = |sub: &[usize]| -> (Vec<usize>, usize) {
            let mut st = vec![0usize; sub.len()];
            let mut s = 1;
            for k in (0..sub.len()).rev() {
                st[k] = s;
                s *= self.cards[sub[k]];
            }
            let mut offset = 0;
            for (k, &v) in sub.iter().enumerate() {
                if let Some(state) = hard[v] {
                    offset += state * st[k];
                }
            }
            let on_eff = eff
                .iter()
                .map(|v| sub.iter().position(|u| u == v).map(|k| st[k]).unwrap_or(0))
                .collect();
            (on_eff, offset)
        };
        let mut factors: Vec<Vec<usize>> = Vec::new();
        let mut cpt_offsets = Vec::new();
        for &v in &self.assigned[c] {
            let mut fam: Vec<usize> = self.net.parents(VarId(v)).iter().map(|p| p.0).collect();
            fam.push(v);
            let (st, off) = strides(&fam);
            factors.push(st);
            cpt_offsets.push(off);
        }
        for &k in soft {
            factors.push(strides(&[liks[k].0]).0);
        }
        let first_child = factors.len();
        for &ch in &cl.children {
            factors.push(strides(&sep_eff[ch]).0);
        }
        let parent_map = factors.len();
        if cl.parent.is_some() {
            factors.push(strides(&sep_eff[c]).0);
        } else {
            factors.push(vec![0; eff.len()]);
        }
        let first_out = factors.len();
        for (vars, _) in outs {
            factors.push(strides(vars).0);
        }
        let sep_states =
            |ch: usize| -> usize { sep_eff[ch].iter().map(|&v| self.cards[v]).product() };
        let small: Vec<usize> = (0..cl.children.len())
            .filter(|&k| sep_states(cl.children[k]) <= GROUP_SEP_MAX)
            .collect();
        let mut group = None;
        if small.len() >= 3 {
            let mut union: Vec<usize> = Vec::new();
            for &v in &eff {
                if small.iter().any(|&k| sep_eff[cl.children[k]].contains(&v)) {
                    union.push(v);
                }
            }
            let len: usize = union.iter().map(|&v| self.cards[v]).product();
            if len <= GROUP_UNION_MAX {
                let ucards: Vec<usize> = union.iter().map(|&v| self.cards[v]).collect();
                let on_union = |sub: &[usize]| -> Vec<usize> {
                    let mut st = vec![0usize; sub.len()];
                    let mut acc = 1;
                    for k in (0..sub.len()).rev() {
                        st[k] = acc;
                        acc *= self.cards[sub[k]];
                    }
                    union
                        .iter()
                        .map(|v| sub.iter().position(|u| u == v).map(|k| st[k]).unwrap_or(0))
                        .collect()
                };
                let mut ufactors: Vec<Vec<usize>> = small
                    .iter()
                    .map(|&k| on_union(&sep_eff[cl.children[k]]))
                    .collect();
                ufactors.push(on_union(&union));
                group = Some(Group {
                    members: small,
                    blocked: Blocked::new(&ucards, &ufactors),
                    map: factors.len(),
                    len,
                });
                factors.push(strides(&union).0);
            }
        }
        Sliced {
            group,
            blocked: Blocked::new(&eff_cards, &factors),
            first_child,
            parent_map,
            first_out,
            cpt_offsets,
            soft: soft.to_vec(),
            outs: outs.iter().map(|o| o.1).collect(),
        }
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

    /// Propagates `evidence`, then compares every unobserved variable's normalised marginal
    /// computed from every clique that contains it; returns the largest absolute difference. A
    /// correct propagation leaves only rounding (the tree is then *consistent*). A check, not a
    /// hot path.
    pub fn max_clique_disagreement(&self, evidence: &Evidence) -> Result<f64> {
        let observed = |v: usize| matches!(evidence.get(VarId(v)), Some(Finding::State(_)));
        let mut requests = Vec::new();
        for (c, cl) in self.cliques.iter().enumerate() {
            for &v in &cl.vars {
                if !observed(v) {
                    requests.push((c, vec![v]));
                }
            }
        }
        let mut ws = self.workspace();
        let (_, _, joints) = self.propagate(&mut ws, evidence, &requests)?;
        let mut first: Vec<Option<Vec<f64>>> = vec![None; self.cards.len()];
        let mut worst = 0.0f64;
        for ((_, vars), mut m) in requests.iter().zip(joints) {
            let s: f64 = m.iter().sum();
            m.iter_mut().for_each(|x| *x /= s);
            match &first[vars[0]] {
                None => first[vars[0]] = Some(m),
                Some(f) => {
                    for (a, b) in f.iter().zip(&m) {
                        worst = worst.max((a - b).abs());
                    }
                }
            }
        }
        Ok(worst)
    }
}

/// Runs one level's independent clique tasks: the large cliques one at a time with the shared
/// scratch (they are chunked in parallel inside), the small ones in parallel only when the level
/// has enough work to pay for waking threads. Each task's arithmetic is the same whatever the
/// schedule, so results do not depend on the number of threads.
fn run_level<T: Send>(
    tasks: &mut [T],
    size: impl Fn(&T) -> usize,
    scratch: &mut Vec<f64>,
    run: impl Fn(&mut T, &mut Vec<f64>) + Sync,
) {
    let (big, small): (Vec<&mut T>, Vec<&mut T>) =
        tasks.iter_mut().partition(|t| size(t) >= PAR_MIN_STATES);
    for t in big {
        run(t, scratch);
    }
    let work: usize = small.iter().map(|t| size(t)).sum();
    if work >= PAR_LEVEL_MIN_STATES {
        small.into_par_iter().for_each(|t| run(t, &mut Vec::new()));
    } else {
        small.into_iter().for_each(|t| run(t, &mut Vec::new()));
    }
}
