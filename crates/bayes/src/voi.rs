//! Value of information: the expected reduction in the entropy of a target variable from
//! observing one more variable, `H(T | e) − Σ_c P(c | e) · H(T | e, c) = I(T; C | e)` in bits
//! (the mutual information given the current evidence; Shannon 1948, Cover & Thomas 2006 §2.4).
//!
//! After one propagation, if some clique holds both `T` and `C` the joint `P(T, C | e)` is read
//! from it; otherwise one extra propagation per state of `C` with non-zero probability.

use crate::error::{BayesError, Result};
use crate::inference::{Evidence, Finding};
use crate::junction_tree::JunctionTree;
use crate::network::VarId;

/// Shannon entropy in bits of a distribution (terms with p = 0 contribute 0).
pub fn entropy_bits(p: &[f64]) -> f64 {
    -p.iter()
        .filter(|&&x| x > 0.0)
        .map(|&x| x * x.log2())
        .sum::<f64>()
}

impl JunctionTree {
    /// Expected entropy reduction (bits) of `target` from observing each candidate, given the
    /// current `evidence`; one `(candidate, bits)` per candidate, in the order given. A
    /// candidate that already has a hard finding, or is the target, gets 0.
    pub fn value_of_information(
        &self,
        evidence: &Evidence,
        target: VarId,
        candidates: &[VarId],
    ) -> Result<Vec<(VarId, f64)>> {
        let n = self.cards.len();
        for &v in std::iter::once(&target).chain(candidates) {
            if v.0 >= n {
                return Err(BayesError::BadVariableId { id: v.0, count: n });
            }
        }
        let t = target.0;
        let hard = |v: usize| matches!(evidence.get(VarId(v)), Some(Finding::State(_)));
        // Joint (candidate, target) from the smallest clique holding both, when one does.
        let mut requests = Vec::new();
        let mut shared: Vec<Option<usize>> = Vec::with_capacity(candidates.len());
        for &c in candidates {
            let q = if hard(t) || hard(c.0) || c == target {
                None
            } else {
                self.cliques
                    .iter()
                    .enumerate()
                    .filter(|(_, cl)| cl.vars.contains(&t) && cl.vars.contains(&c.0))
                    .min_by_key(|(_, cl)| cl.size)
                    .map(|(i, _)| i)
            };
            shared.push(q.map(|q| {
                requests.push((q, vec![c.0, t]));
                requests.len() - 1
            }));
        }
        let mut ws = self.workspace();
        let (_, post, joints) = self.propagate(&mut ws, evidence, &requests)?;
        let h_t = entropy_bits(&post[t]);
        let mut out = Vec::with_capacity(candidates.len());
        for (&c, q) in candidates.iter().zip(&shared) {
            if c == target || hard(c.0) || hard(t) {
                out.push((c, 0.0));
                continue;
            }
            let kt = self.cards[t];
            let mut expected = 0.0;
            if let Some(r) = q {
                let joint = &joints[*r];
                let z: f64 = joint.iter().sum();
                for row in joint.chunks(kt) {
                    let pc: f64 = row.iter().sum();
                    if pc > 0.0 {
                        let cond: Vec<f64> = row.iter().map(|x| x / pc).collect();
                        expected += pc / z * entropy_bits(&cond);
                    }
                }
            } else {
                let mut ws2 = self.workspace();
                for (s, &p) in post[c.0].iter().enumerate() {
                    if p <= 0.0 {
                        continue;
                    }
                    let mut e2 = evidence.clone();
                    e2.set_state(c, s);
                    let (_, post2, _) = self.propagate(&mut ws2, &e2, &[])?;
                    expected += p * entropy_bits(&post2[t]);
                }
            }
            out.push((c, (h_t - expected).max(0.0)));
        }
        Ok(out)
    }
}
