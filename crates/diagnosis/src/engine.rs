//! Inference on the compiled model with the `bayes` crate: the network is built in code from the
//! [`Model`](crate::network::Model), compiled once into a junction tree and queried with hard and
//! likelihood (soft) evidence.

use bayes::{CompileOptions, JunctionTree, VarId};

use crate::exact::{Enumerator, InferenceError, Posterior};
use crate::network::{Evidence, Model};

/// The compiled model and its junction tree.
#[derive(Debug, Clone)]
pub struct Engine {
    /// The compiled model (variables, CPTs and the map from findings).
    pub model: Model,
    tree: JunctionTree,
    ids: Vec<VarId>,
    enumerator: Enumerator,
}

fn engine_err(e: bayes::BayesError) -> InferenceError {
    match e {
        bayes::BayesError::ImpossibleEvidence { .. } => InferenceError::Impossible,
        other => InferenceError::Engine(Box::new(other)),
    }
}

impl Engine {
    /// Builds the `bayes` network from the model and compiles it.
    pub fn new(model: Model) -> Result<Self, InferenceError> {
        let mut net = bayes::Network::new();
        let mut ids = Vec::with_capacity(model.vars.len());
        for v in &model.vars {
            ids.push(net.add_variable(&v.name, &v.states).map_err(engine_err)?);
        }
        for (i, v) in model.vars.iter().enumerate() {
            let parents: Vec<VarId> = v.parents.iter().map(|&p| ids[p]).collect();
            net.set_cpt(ids[i], &parents, &v.cpt).map_err(engine_err)?;
        }
        let tree = bayes::compile(&net, &CompileOptions::default()).map_err(engine_err)?;
        let enumerator = Enumerator::new(&model);
        Ok(Engine {
            model,
            tree,
            ids,
            enumerator,
        })
    }

    fn to_bayes(&self, ev: &Evidence) -> bayes::Evidence {
        let mut out = bayes::Evidence::new();
        for (i, e) in ev.iter().enumerate() {
            if let Some(lik) = e {
                let ones = lik.iter().filter(|x| **x > 0.0).count();
                match (ones, lik.iter().position(|x| *x == 1.0)) {
                    (1, Some(s)) => {
                        out.set_state(self.ids[i], s);
                    }
                    _ => {
                        out.set_likelihood(self.ids[i], lik.clone());
                    }
                }
            }
        }
        out
    }

    /// Posterior marginals of every variable and log P(evidence), by junction tree.
    pub fn query(&self, ev: &Evidence) -> Result<Posterior, InferenceError> {
        let p = self.tree.query(&self.to_bayes(ev)).map_err(engine_err)?;
        Ok(Posterior {
            marginals: p.marginals,
            log_evidence: p.log_evidence,
        })
    }

    /// The same query by enumeration of the hypothesis core (an independent check).
    pub fn query_by_enumeration(&self, ev: &Evidence) -> Result<Posterior, InferenceError> {
        self.enumerator.query(&self.model, ev)
    }

    /// Expected entropy reduction (bits) of `target` from observing each candidate.
    pub fn value_of_information(
        &self,
        ev: &Evidence,
        target: usize,
        candidates: &[usize],
    ) -> Result<Vec<(usize, f64)>, InferenceError> {
        let cands: Vec<VarId> = candidates.iter().map(|&c| self.ids[c]).collect();
        let voi = self
            .tree
            .value_of_information(&self.to_bayes(ev), self.ids[target], &cands)
            .map_err(engine_err)?;
        Ok(voi.into_iter().map(|(v, bits)| (v.index(), bits)).collect())
    }
}
