//! A discrete Bayesian network: variables with named states and one conditional probability
//! table (CPT) per variable.
//!
//! CPT layout: a flat row-major array over `(parent_1, …, parent_k, child)`, the child's state
//! varying fastest — one row per configuration of the parents (first parent slowest), each row
//! a distribution over the child's states. This is the order in which BIF lists rows.

use std::collections::HashMap;

use crate::error::{BayesError, Result};

/// Tolerance on the sum of a CPT row: published networks print rows rounded to a few digits
/// (MUNIN's rows deviate from 1 by up to 1.1e-7), so rows are checked, not renormalised.
pub const ROW_SUM_TOLERANCE: f64 = 1e-6;

/// Index of a variable in its network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VarId(pub usize);

impl VarId {
    /// The index as `usize`.
    pub fn index(self) -> usize {
        self.0
    }
}

/// A discrete variable.
#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    /// Name, unique in the network.
    pub name: String,
    /// State names, unique within the variable.
    pub states: Vec<String>,
}

/// A conditional probability table `P(child | parents)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Cpt {
    /// Parents in table order (first parent varies slowest).
    pub parents: Vec<VarId>,
    /// Row-major values over `(parents…, child)`.
    pub values: Vec<f64>,
}

/// A discrete Bayesian network. Build it in code with [`Network::add_variable`] and
/// [`Network::set_cpt`], or read it with [`crate::bif::parse_str`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Network {
    /// Name given in the BIF `network` block (may be empty).
    pub name: String,
    variables: Vec<Variable>,
    cpts: Vec<Option<Cpt>>,
    by_name: HashMap<String, VarId>,
}

impl Network {
    /// An empty network.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a variable with the given state names; returns its id.
    pub fn add_variable<S: AsRef<str>>(&mut self, name: &str, states: &[S]) -> Result<VarId> {
        if self.by_name.contains_key(name) {
            return Err(BayesError::DuplicateVariable {
                name: name.to_string(),
            });
        }
        if name.is_empty() {
            return Err(BayesError::BadStates {
                name: name.to_string(),
                reason: "the name is empty".into(),
            });
        }
        if states.is_empty() {
            return Err(BayesError::BadStates {
                name: name.to_string(),
                reason: "no states (expected at least one)".into(),
            });
        }
        let states: Vec<String> = states.iter().map(|s| s.as_ref().to_string()).collect();
        for (i, s) in states.iter().enumerate() {
            if states[..i].contains(s) {
                return Err(BayesError::BadStates {
                    name: name.to_string(),
                    reason: format!("state `{s}` appears twice"),
                });
            }
        }
        let id = VarId(self.variables.len());
        self.variables.push(Variable {
            name: name.to_string(),
            states,
        });
        self.cpts.push(None);
        self.by_name.insert(name.to_string(), id);
        Ok(id)
    }

    /// Sets `P(child | parents)`. `values` is row-major over `(parents…, child)` with the child
    /// fastest; its length must be the product of the cardinalities, every entry finite and
    /// non-negative, and every row must sum to 1 within [`ROW_SUM_TOLERANCE`].
    pub fn set_cpt(&mut self, child: VarId, parents: &[VarId], values: &[f64]) -> Result<()> {
        self.check_id(child)?;
        for &p in parents {
            self.check_id(p)?;
        }
        let name = &self.variables[child.0].name;
        let bad = |reason: String| BayesError::BadCpt {
            variable: name.clone(),
            reason,
        };
        for (i, &p) in parents.iter().enumerate() {
            if p == child {
                return Err(bad("the variable is listed as its own parent".into()));
            }
            if parents[..i].contains(&p) {
                return Err(bad(format!(
                    "parent `{}` is listed twice",
                    self.variables[p.0].name
                )));
            }
        }
        let child_card = self.variables[child.0].states.len();
        let rows = parents.iter().try_fold(1usize, |acc, p| {
            acc.checked_mul(self.variables[p.0].states.len())
        });
        let expected = rows.and_then(|r| r.checked_mul(child_card));
        let (Some(rows), Some(expected)) = (rows, expected) else {
            return Err(bad(format!(
                "{} parents: the number of parent configurations overflows",
                parents.len()
            )));
        };
        if values.len() != expected {
            return Err(bad(format!(
                "{} values given, expected {expected} ({rows} parent configurations × {child_card} states)",
                values.len()
            )));
        }
        for (r, row) in values.chunks(child_card).enumerate() {
            if let Some(v) = row.iter().find(|v| !v.is_finite() || **v < 0.0) {
                return Err(bad(format!(
                    "row {r} has entry {v} (expected finite and ≥ 0)"
                )));
            }
            let s: f64 = row.iter().sum();
            if (s - 1.0).abs() > ROW_SUM_TOLERANCE {
                return Err(bad(format!(
                    "row {r} sums to {s} (expected 1 within {ROW_SUM_TOLERANCE})"
                )));
            }
        }
        self.cpts[child.0] = Some(Cpt {
            parents: parents.to_vec(),
            values: values.to_vec(),
        });
        Ok(())
    }

    /// Sets a CPT giving names instead of ids (convenience for [`Network::set_cpt`]).
    pub fn set_cpt_by_name(&mut self, child: &str, parents: &[&str], values: &[f64]) -> Result<()> {
        let c = self.var(child)?;
        let ps = parents
            .iter()
            .map(|p| self.var(p))
            .collect::<Result<Vec<_>>>()?;
        self.set_cpt(c, &ps, values)
    }

    fn check_id(&self, id: VarId) -> Result<()> {
        if id.0 < self.variables.len() {
            Ok(())
        } else {
            Err(BayesError::BadVariableId {
                id: id.0,
                count: self.variables.len(),
            })
        }
    }

    /// Number of variables.
    pub fn len(&self) -> usize {
        self.variables.len()
    }

    /// True if the network has no variables.
    pub fn is_empty(&self) -> bool {
        self.variables.is_empty()
    }

    /// All variables, indexed by [`VarId`].
    pub fn variables(&self) -> &[Variable] {
        &self.variables
    }

    /// One variable.
    pub fn variable(&self, id: VarId) -> &Variable {
        &self.variables[id.0]
    }

    /// Number of states of a variable.
    pub fn cardinality(&self, id: VarId) -> usize {
        self.variables[id.0].states.len()
    }

    /// The id of a variable by name.
    pub fn var(&self, name: &str) -> Result<VarId> {
        self.by_name
            .get(name)
            .copied()
            .ok_or_else(|| BayesError::UnknownVariable {
                name: name.to_string(),
            })
    }

    /// The index of a state of a variable by name.
    pub fn state(&self, var: VarId, state: &str) -> Result<usize> {
        self.check_id(var)?;
        let v = &self.variables[var.0];
        v.states
            .iter()
            .position(|s| s == state)
            .ok_or_else(|| BayesError::UnknownState {
                variable: v.name.clone(),
                state: state.to_string(),
                states: v.states.join(", "),
            })
    }

    /// The CPT of a variable, if set.
    pub fn cpt(&self, id: VarId) -> Option<&Cpt> {
        self.cpts[id.0].as_ref()
    }

    /// Parents of a variable (empty if no CPT is set yet).
    pub fn parents(&self, id: VarId) -> &[VarId] {
        self.cpts[id.0]
            .as_ref()
            .map(|c| c.parents.as_slice())
            .unwrap_or(&[])
    }

    /// Checks that every variable has a CPT and that the graph is acyclic; returns a
    /// topological order (parents before children).
    pub fn validate(&self) -> Result<Vec<VarId>> {
        for (i, c) in self.cpts.iter().enumerate() {
            if c.is_none() {
                return Err(BayesError::MissingCpt {
                    variable: self.variables[i].name.clone(),
                });
            }
        }
        let n = self.len();
        let mut indeg = vec![0usize; n];
        let mut children = vec![Vec::new(); n];
        for v in 0..n {
            for &p in self.parents(VarId(v)) {
                indeg[v] += 1;
                children[p.0].push(v);
            }
        }
        let mut order = Vec::with_capacity(n);
        let mut stack: Vec<usize> = (0..n).filter(|&v| indeg[v] == 0).rev().collect();
        while let Some(v) = stack.pop() {
            order.push(VarId(v));
            for &c in &children[v] {
                indeg[c] -= 1;
                if indeg[c] == 0 {
                    stack.push(c);
                }
            }
        }
        if order.len() < n {
            let v = (0..n).find(|&v| indeg[v] > 0).unwrap_or(0);
            return Err(BayesError::Cycle {
                variable: self.variables[v].name.clone(),
            });
        }
        Ok(order)
    }
}
