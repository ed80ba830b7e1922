//! Compiles the knowledge base into a discrete Bayesian network, and maps findings to evidence.
//!
//! Structure (parents → child):
//! - `level` (prior) → `category` (deterministic) and `level` → `disease`;
//! - `disease` → `time` (time since onset at presentation, by the disease's tempo profile);
//! - `disease` → each hidden variable (the sensory lesion site relative to the dorsal root
//!   ganglion) → the findings that depend on it (`ncs.snap`), gated by `time`;
//! - `disease` → each other single-valued finding, with `time` as a second parent when the finding
//!   is time-gated (fibrillations, CMAP, neurogenic MUPs: absent before degeneration or
//!   reinnervation has had time to happen);
//! - `disease` → one binary variable per value of each multi-valued finding
//!   (`exam.distribution=focal_limb`, states `absent`/`present`), with a hidden variable as second
//!   parent where the knowledge base gives one (`exam.sensory` under the sensory lesion site);
//! - a finding may have both the disease and a hidden variable (or a value of a multi-valued
//!   finding) as parents: `exam.side` follows the distribution when that is a single nerve, and
//!   the disease otherwise.
//!
//! CPT layout is the `bayes` crate's: row-major over `(parents…, child)`, first parent slowest,
//! child fastest.

use std::collections::BTreeMap;

use crate::findings::{Findings, Observation};
use crate::kb::{Finding, KnowledgeBase};

/// One variable of the compiled network.
#[derive(Debug, Clone)]
pub struct VarSpec {
    /// Name (finding key, `key=value` for a value of a multi-valued finding, or a core name).
    pub name: String,
    /// State names.
    pub states: Vec<String>,
    /// Parent indices, first slowest in the CPT.
    pub parents: Vec<usize>,
    /// Row-major CPT over `(parents…, child)`.
    pub cpt: Vec<f64>,
}

/// Index of the `level` variable.
pub const LEVEL: usize = 0;
/// Index of the `category` variable.
pub const CATEGORY: usize = 1;
/// Index of the `disease` variable.
pub const DISEASE: usize = 2;
/// Index of the `time` variable.
pub const TIME: usize = 3;

/// The compiled model: variables plus the map from findings to variables.
#[derive(Debug, Clone)]
pub struct Model {
    /// Variables; the first four are `level`, `category`, `disease`, `time`.
    pub vars: Vec<VarSpec>,
    /// Single-valued finding key → variable index.
    pub single: BTreeMap<String, usize>,
    /// Multi-valued finding key → (value, variable index) for every value.
    pub multi: BTreeMap<String, Vec<(String, usize)>>,
    /// Coarse values of single findings: key → value → covered states.
    pub coarse: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    /// Bin edges of numeric findings.
    pub edges: BTreeMap<String, Vec<f64>>,
    /// Time-bin edges in days.
    pub time_edges: Vec<f64>,
    /// Candidate tests: (variable index, the test as a clinician orders it).
    pub tests: Vec<(usize, String)>,
    /// Signs whose parent is a value of a multi-valued finding (e.g. `exam.ptosis` under
    /// `exam.distribution=ocular`): sign key → (multi-valued key, value variable). A sign present
    /// means its region is involved, so when the multi-valued finding is given, the value is set
    /// present too (the definition of the sign, not a second piece of evidence).
    pub implies: BTreeMap<String, (String, usize)>,
    /// The nerve catalogue, to read `ncs.nerves`.
    pub nerves: crate::nerve_conduction::Catalogue,
}

/// Evidence: one optional likelihood vector per variable (one-hot for hard evidence).
pub type Evidence = Vec<Option<Vec<f64>>>;

fn bin(x: f64, edges: &[f64]) -> usize {
    edges.iter().position(|e| x < *e).unwrap_or(edges.len())
}

impl Model {
    /// Compiles a validated knowledge base.
    pub fn compile(kb: &KnowledgeBase) -> Model {
        let h = &kb.hypotheses;
        let nl = h.level.len();
        let nd = h.disease.len();
        let nt = h.time.states.len();
        let nc = h.categories.len();
        let mut vars = Vec::new();
        // level
        vars.push(VarSpec {
            name: "level".into(),
            states: h.level.iter().map(|l| l.name.clone()).collect(),
            parents: vec![],
            cpt: h.level.iter().map(|l| l.prior).collect(),
        });
        // category | level
        let mut cpt = Vec::with_capacity(nl * nc);
        for l in &h.level {
            for c in &h.categories {
                cpt.push(if &l.category == c { 1.0 } else { 0.0 });
            }
        }
        vars.push(VarSpec {
            name: "category".into(),
            states: h.categories.clone(),
            parents: vec![LEVEL],
            cpt,
        });
        // disease | level
        let mut cpt = Vec::with_capacity(nl * nd);
        for l in &h.level {
            for d in &h.disease {
                cpt.push(if d.level == l.name { d.p } else { 0.0 });
            }
        }
        vars.push(VarSpec {
            name: "disease".into(),
            states: h.disease.iter().map(|d| d.name.clone()).collect(),
            parents: vec![LEVEL],
            cpt,
        });
        // time | disease
        let mut cpt = Vec::with_capacity(nd * nt);
        for d in &h.disease {
            let row = &h.time.profiles[&d.tempo];
            cpt.extend_from_slice(&row.p);
        }
        vars.push(VarSpec {
            name: "time".into(),
            states: h.time.states.clone(),
            parents: vec![DISEASE],
            cpt,
        });

        let mut model = Model {
            vars,
            single: BTreeMap::new(),
            multi: BTreeMap::new(),
            coarse: BTreeMap::new(),
            edges: BTreeMap::new(),
            time_edges: h.time.edges_days.clone(),
            tests: Vec::new(),
            implies: BTreeMap::new(),
            nerves: kb.nerves.clone(),
        };
        let mut hidden_index = BTreeMap::new();
        // Multi-valued findings that depend on the disease only come first (a hidden variable or
        // a sign may have one of their values as parent), those with a hidden parent after it.
        for m in kb.multi.iter().filter(|m| m.parent.is_none()) {
            model.add_multi(kb, m, None, &mut hidden_index);
        }
        for f in &kb.hidden {
            let idx = model.add_single(kb, f, &hidden_index);
            hidden_index.insert(f.key.clone(), idx);
        }
        for m in kb.multi.iter().filter(|m| m.parent.is_some()) {
            let pi = m.parent.as_ref().map(|p| hidden_index[p]);
            model.add_multi(kb, m, pi, &mut hidden_index);
        }
        for f in &kb.findings {
            let idx = model.add_single(kb, f, &hidden_index);
            model.single.insert(f.key.clone(), idx);
            if !f.coarse.is_empty() {
                model.coarse.insert(f.key.clone(), f.coarse.clone());
            }
            if !f.edges.is_empty() {
                model.edges.insert(f.key.clone(), f.edges.clone());
            }
            if let Some(t) = &f.test {
                model.tests.push((idx, t.clone()));
            }
            if let (Some((mkey, _)), Some(&pi)) = (
                f.parent.as_deref().and_then(|p| p.split_once('=')),
                f.parent.as_ref().and_then(|p| hidden_index.get(p)),
            ) && !f.mixed(&model.vars[pi].states)
            {
                model.implies.insert(f.key.clone(), (mkey.to_string(), pi));
            }
        }
        model
    }

    /// Adds one binary variable per value of a multi-valued finding: parents `disease`, and the
    /// hidden variable `hidden` when given (its states with a `given` row use that row, the others
    /// the disease's row).
    fn add_multi(
        &mut self,
        kb: &KnowledgeBase,
        m: &crate::kb::Multi,
        hidden: Option<usize>,
        index: &mut BTreeMap<String, usize>,
    ) {
        let h = &kb.hypotheses;
        let values: &[&str] = match crate::findings::kind_of(&m.key) {
            Some(crate::findings::Kind::OneOrList(v)) | Some(crate::findings::Kind::List(v)) => v,
            _ => &[],
        };
        let hstates: Vec<Option<String>> = match hidden {
            Some(pi) => self.vars[pi].states.iter().cloned().map(Some).collect(),
            None => vec![None],
        };
        let mut list = Vec::new();
        for v in values {
            let mut cpt = Vec::with_capacity(h.disease.len() * hstates.len() * 2);
            for d in &h.disease {
                for s in &hstates {
                    let row = s
                        .as_ref()
                        .and_then(|s| m.given.get(s))
                        .or_else(|| kb.multi_row_for(m, d))
                        .unwrap_or_else(|| {
                            panic!("validated KB: {} has a row for {}", m.key, d.name)
                        });
                    let p = row.p.get(*v).copied().unwrap_or(row.other);
                    cpt.push(1.0 - p);
                    cpt.push(p);
                }
            }
            let idx = self.vars.len();
            let mut parents = vec![DISEASE];
            parents.extend(hidden);
            self.vars.push(VarSpec {
                name: format!("{}={v}", m.key),
                states: vec!["absent".into(), "present".into()],
                parents,
                cpt,
            });
            index.insert(format!("{}={v}", m.key), idx);
            list.push((v.to_string(), idx));
        }
        self.multi.insert(m.key.clone(), list);
    }

    fn add_single(
        &mut self,
        kb: &KnowledgeBase,
        f: &Finding,
        hidden: &BTreeMap<String, usize>,
    ) -> usize {
        let h = &kb.hypotheses;
        let n = f.states.len();
        let gate = f.gate.as_ref().map(|g| (&h.gate[g], f.before.as_ref()));
        let mix = |row: &[f64], frac: f64, before: &[f64]| -> Vec<f64> {
            row.iter()
                .zip(before)
                .map(|(r, b)| frac * r + (1.0 - frac) * b)
                .collect()
        };
        let row_of = |d| {
            &kb.row_for(f, d)
                .unwrap_or_else(|| panic!("validated KB: {} has a row for every disease", f.key))
                .p
        };
        let (parents, cpt) = if let Some(parent) = &f.parent {
            let pi = hidden[parent];
            let pstates = self.vars[pi].states.clone();
            if let Some(category) = &f.given_category {
                // Disease, hidden parent (and time when gated): the disease's row is the
                // marginal over the parent; see `Finding::given_category`.
                let hidden_f = kb
                    .hidden
                    .iter()
                    .find(|x| &x.key == parent)
                    .expect("validated KB: given_category's parent is a hidden variable");
                let nt = h.time.states.len();
                let mut cpt = Vec::new();
                for d in &h.disease {
                    let prior = &kb
                        .row_for(hidden_f, d)
                        .expect("validated KB: a hidden variable has a row for every disease")
                        .p;
                    let applies = h
                        .level
                        .iter()
                        .any(|l| l.name == d.level && &l.category == category);
                    let rows = f.residual_rows(&pstates, prior, row_of(d), applies);
                    for r in &rows {
                        match gate {
                            Some((g, Some(before))) => {
                                let gated = g.levels.contains(&d.level);
                                for frac in &g.fraction {
                                    let frac = if gated { *frac } else { 1.0 };
                                    cpt.extend(mix(r, frac, &before.p));
                                }
                            }
                            _ => cpt.extend_from_slice(r),
                        }
                    }
                }
                let parents = if matches!(gate, Some((_, Some(_)))) {
                    vec![DISEASE, pi, TIME]
                } else {
                    vec![DISEASE, pi]
                };
                debug_assert_eq!(
                    cpt.len(),
                    h.disease.len() * pstates.len() * n * if parents.len() == 3 { nt } else { 1 }
                );
                self.vars.push(VarSpec {
                    name: f.key.clone(),
                    states: f.states.clone(),
                    parents,
                    cpt,
                });
                return self.vars.len() - 1;
            }
            if f.mixed(&pstates) {
                // Both the disease and the hidden variable are parents: a parent state with a
                // `given` row uses it, the others the disease's row (validated: no gate).
                let mut cpt = Vec::with_capacity(h.disease.len() * pstates.len() * n);
                for d in &h.disease {
                    for s in &pstates {
                        match f.given.get(s) {
                            Some(row) => cpt.extend_from_slice(&row.p),
                            None => cpt.extend_from_slice(row_of(d)),
                        }
                    }
                }
                self.vars.push(VarSpec {
                    name: f.key.clone(),
                    states: f.states.clone(),
                    parents: vec![DISEASE, pi],
                    cpt,
                });
                return self.vars.len() - 1;
            }
            match gate {
                Some((g, Some(before))) => {
                    let mut cpt = Vec::with_capacity(pstates.len() * h.time.states.len() * n);
                    for s in &pstates {
                        let gated = f.gate_states.is_empty() || f.gate_states.contains(s);
                        for frac in &g.fraction {
                            let frac = if gated { *frac } else { 1.0 };
                            cpt.extend(mix(&f.given[s].p, frac, &before.p));
                        }
                    }
                    (vec![pi, TIME], cpt)
                }
                _ => {
                    let mut cpt = Vec::with_capacity(pstates.len() * n);
                    for s in &pstates {
                        cpt.extend_from_slice(&f.given[s].p);
                    }
                    (vec![pi], cpt)
                }
            }
        } else {
            if let Some(feas) = &f.time_feasibility {
                let mut cpt = Vec::with_capacity(h.disease.len() * h.time.states.len() * n);
                for d in &h.disease {
                    for m in &feas.by_time {
                        let raw: Vec<f64> = row_of(d).iter().zip(m).map(|(p, m)| p * m).collect();
                        let z: f64 = raw.iter().sum();
                        if z > 0.0 {
                            cpt.extend(raw.iter().map(|x| x / z));
                        } else {
                            // No state of the disease's row is feasible: fall back to the
                            // multipliers alone (a reporting error, not an impossibility).
                            let zm: f64 = m.iter().sum();
                            cpt.extend(m.iter().map(|x| x / zm));
                        }
                    }
                }
                (vec![DISEASE, TIME], cpt)
            } else {
                match gate {
                    Some((g, Some(before))) => {
                        let mut cpt = Vec::with_capacity(h.disease.len() * h.time.states.len() * n);
                        for d in &h.disease {
                            let gated = g.levels.contains(&d.level);
                            for frac in &g.fraction {
                                let frac = if gated { *frac } else { 1.0 };
                                cpt.extend(mix(row_of(d), frac, &before.p));
                            }
                        }
                        (vec![DISEASE, TIME], cpt)
                    }
                    _ => {
                        let mut cpt = Vec::with_capacity(h.disease.len() * n);
                        for d in &h.disease {
                            cpt.extend_from_slice(row_of(d));
                        }
                        (vec![DISEASE], cpt)
                    }
                }
            }
        };
        self.vars.push(VarSpec {
            name: f.key.clone(),
            states: f.states.clone(),
            parents,
            cpt,
        });
        self.vars.len() - 1
    }

    /// The derived findings of per-nerve electrodiagnosis that enter the evidence, as (key,
    /// state): the pattern over nerves, and the number of nerves meeting a demyelination
    /// criterion unless `ncs.conduction_velocity` or `ncs.conduction_block` was stated (then the
    /// statement carries it; see [`crate::nerve_conduction`]).
    pub fn derived(&self, findings: &Findings) -> Vec<(&'static str, &'static str)> {
        use crate::nerve_conduction::{DEMYELINATION_KEY, PATTERN_KEY, summarise};
        let Some(s) = summarise(&findings.nerves, &self.nerves) else {
            return Vec::new();
        };
        let stated =
            |k: &str| findings.observed.contains_key(k) && !findings.from_nerves.contains(&k);
        let mut out = Vec::new();
        if let Some(p) = s.pattern {
            out.push((PATTERN_KEY, p));
        }
        if let Some(d) = s.demyelination
            && !stated("ncs.conduction_velocity")
            && !stated("ncs.conduction_block")
        {
            out.push((DEMYELINATION_KEY, d));
        }
        out.retain(|(k, _)| self.single.contains_key(*k));
        out
    }

    /// Summary keys filled from the nerves whose content the criteria count carries instead.
    fn replaced_by_criteria(&self, findings: &Findings, key: &str) -> bool {
        matches!(key, "ncs.conduction_velocity" | "ncs.conduction_block")
            && findings.from_nerves.contains(&key)
            && self
                .derived(findings)
                .iter()
                .any(|(k, _)| *k == crate::nerve_conduction::DEMYELINATION_KEY)
    }

    /// Maps findings to evidence. Keys the knowledge base does not model are returned by name.
    pub fn evidence(&self, findings: &Findings) -> (Evidence, Vec<String>) {
        let mut ev: Evidence = vec![None; self.vars.len()];
        let mut unused = Vec::new();
        for (key, state) in self.derived(findings) {
            let idx = self.single[key];
            let states = &self.vars[idx].states;
            if let Some(i) = states.iter().position(|s| s == state) {
                ev[idx] = Some(one_hot(states.len(), i));
            }
        }
        for (key, obs) in &findings.observed {
            if self.replaced_by_criteria(findings, key) {
                continue;
            }
            if *key == "history.duration_days" {
                if let Observation::Number(x) = obs {
                    ev[TIME] = Some(one_hot(
                        self.vars[TIME].states.len(),
                        bin(*x, &self.time_edges),
                    ));
                }
                continue;
            }
            if let Some(&idx) = self.single.get(*key) {
                let states = &self.vars[idx].states;
                let lik = match obs {
                    Observation::Number(x) => {
                        let edges = self.edges.get(*key).map(Vec::as_slice).unwrap_or(&[]);
                        Some(one_hot(states.len(), bin(*x, edges)))
                    }
                    Observation::Bool(b) => {
                        let s = if *b { "true" } else { "false" };
                        states
                            .iter()
                            .position(|x| x == s)
                            .map(|i| one_hot(states.len(), i))
                    }
                    Observation::One(v) => match states.iter().position(|x| x == v) {
                        Some(i) => Some(one_hot(states.len(), i)),
                        None => self
                            .coarse
                            .get(*key)
                            .and_then(|c| c.get(*v))
                            .map(|covered| {
                                states
                                    .iter()
                                    .map(|s| if covered.contains(s) { 1.0 } else { 0.0 })
                                    .collect()
                            }),
                    },
                    Observation::Many(_) => None,
                };
                match lik {
                    Some(l) => ev[idx] = Some(l),
                    None => unused.push(key.to_string()),
                }
            } else if let (Some(list), Observation::Many(present)) = (self.multi.get(*key), obs) {
                for (v, idx) in list {
                    let i = usize::from(present.contains(&v.as_str()));
                    ev[*idx] = Some(one_hot(2, i));
                }
            } else {
                unused.push(key.to_string());
            }
        }
        for (sign, (mkey, idx)) in &self.implies {
            let present = findings.observed.get(sign.as_str()) == Some(&Observation::Bool(true));
            if present && findings.observed.contains_key(mkey.as_str()) {
                ev[*idx] = Some(one_hot(2, 1));
            }
        }
        (ev, unused)
    }

    /// The observed finding keys behind the evidence, grouped: finding key → variable indices.
    pub fn evidence_groups(&self, findings: &Findings) -> Vec<(String, Vec<usize>)> {
        let mut out = Vec::new();
        for (key, _) in self.derived(findings) {
            out.push((key.to_string(), vec![self.single[key]]));
        }
        for (key, obs) in &findings.observed {
            if self.replaced_by_criteria(findings, key) {
                continue;
            }
            if *key == "history.duration_days" {
                out.push((key.to_string(), vec![TIME]));
            } else if let Some(&idx) = self.single.get(*key) {
                out.push((key.to_string(), vec![idx]));
            } else if let (Some(list), Observation::Many(_)) = (self.multi.get(*key), obs) {
                out.push((key.to_string(), list.iter().map(|(_, i)| *i).collect()));
            }
        }
        out
    }
}

fn one_hot(n: usize, i: usize) -> Vec<f64> {
    let mut v = vec![0.0; n];
    if let Some(x) = v.get_mut(i) {
        *x = 1.0;
    }
    v
}
