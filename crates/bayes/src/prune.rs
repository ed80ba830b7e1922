//! Pruning before compilation when only a few posteriors are wanted: the Bayes-ball algorithm
//! (Shachter 1998) finds, from the query variables and the observed set, the variables whose
//! CPTs are needed ("requisite": visited from a child, i.e. marked on top) and the observations
//! that matter. Barren variables (unobserved, with no observed or queried descendant) and
//! everything the evidence d-separates from the query are dropped. An observed parent of a
//! kept variable whose own CPT is not needed is kept as a root with a uniform prior: since it
//! is observed, the prior cancels from every posterior. `log P(e)` on a pruned network is
//! therefore not the evidence probability of the full network; posteriors of the query
//! variables are exact.

use crate::error::Result;
use crate::network::{Network, VarId};

/// A pruned network and the correspondence of its variables with the original ones.
#[derive(Debug, Clone)]
pub struct Pruned {
    /// The smaller network.
    pub network: Network,
    /// For each original variable, its id in the pruned network (if kept).
    pub old_to_new: Vec<Option<VarId>>,
    /// For each pruned-network variable, its original id.
    pub new_to_old: Vec<VarId>,
}

/// Keeps what the posteriors of `targets` given observations on `observed` depend on.
pub fn relevant(net: &Network, targets: &[VarId], observed: &[VarId]) -> Result<Pruned> {
    net.validate()?;
    let n = net.len();
    let mut children = vec![Vec::new(); n];
    for v in 0..n {
        for p in net.parents(VarId(v)) {
            children[p.0].push(v);
        }
    }
    for v in targets.iter().chain(observed) {
        if v.0 >= n {
            return Err(crate::BayesError::BadVariableId { id: v.0, count: n });
        }
    }
    let mut is_obs = vec![false; n];
    for o in observed {
        is_obs[o.0] = true;
    }
    let (mut top, mut bottom) = (vec![false; n], vec![false; n]);
    // (node, from_child)
    let mut stack: Vec<(usize, bool)> = targets.iter().map(|t| (t.0, true)).collect();
    while let Some((j, from_child)) = stack.pop() {
        if from_child && !is_obs[j] {
            if !top[j] {
                top[j] = true;
                stack.extend(net.parents(VarId(j)).iter().map(|p| (p.0, true)));
            }
            if !bottom[j] {
                bottom[j] = true;
                stack.extend(children[j].iter().map(|&c| (c, false)));
            }
        } else if !from_child {
            if is_obs[j] {
                if !top[j] {
                    top[j] = true;
                    stack.extend(net.parents(VarId(j)).iter().map(|p| (p.0, true)));
                }
            } else if !bottom[j] {
                bottom[j] = true;
                stack.extend(children[j].iter().map(|&c| (c, false)));
            }
        }
    }
    let mut keep = top.clone();
    for t in targets {
        keep[t.0] = true;
    }
    for v in 0..n {
        if top[v] {
            for p in net.parents(VarId(v)) {
                keep[p.0] = true;
            }
        }
    }
    let mut out = Network::new();
    out.name = net.name.clone();
    let mut old_to_new = vec![None; n];
    let mut new_to_old = Vec::new();
    for v in 0..n {
        if keep[v] {
            let var = net.variable(VarId(v));
            old_to_new[v] = Some(out.add_variable(&var.name, &var.states)?);
            new_to_old.push(VarId(v));
        }
    }
    for v in 0..n {
        let Some(nv) = old_to_new[v] else { continue };
        if top[v] {
            let cpt = net
                .cpt(VarId(v))
                .cloned()
                .unwrap_or_else(|| unreachable!("validated"));
            let ps: Vec<VarId> = cpt.parents.iter().filter_map(|p| old_to_new[p.0]).collect();
            out.set_cpt(nv, &ps, &cpt.values)?;
        } else {
            let k = net.cardinality(VarId(v));
            out.set_cpt(nv, &[], &vec![1.0 / k as f64; k])?;
        }
    }
    Ok(Pruned {
        network: out,
        old_to_new,
        new_to_old,
    })
}

/// Posteriors of `targets` only: prunes with [`relevant`], compiles the smaller network and
/// queries it. Returns one distribution per target, in the order given.
pub fn posteriors_of(
    net: &Network,
    evidence: &crate::Evidence,
    targets: &[VarId],
    opts: &crate::CompileOptions,
) -> Result<Vec<Vec<f64>>> {
    let observed: Vec<VarId> = evidence.findings().iter().map(|f| f.0).collect();
    for &v in targets.iter().chain(&observed) {
        if v.0 >= net.len() {
            return Err(crate::BayesError::BadVariableId {
                id: v.0,
                count: net.len(),
            });
        }
    }
    let pruned = relevant(net, targets, &observed)?;
    let mut ev = crate::Evidence::new();
    for (v, f) in evidence.findings() {
        if let Some(nv) = pruned.old_to_new[v.0] {
            ev.set(nv, f.clone());
        }
    }
    let jt = crate::compile(&pruned.network, opts)?;
    let post = jt.query(&ev)?;
    Ok(targets
        .iter()
        .map(|t| match pruned.old_to_new[t.0] {
            Some(nt) => post.marginals[nt.0].clone(),
            None => unreachable!("targets are always kept"),
        })
        .collect())
}
