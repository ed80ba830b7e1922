//! Compilation of a network into a junction tree (Lauritzen & Spiegelhalter 1988; Jensen,
//! Lauritzen & Olesen 1990).
//!
//! Moralise the DAG (marry the parents of each child, drop directions); triangulate by greedy
//! elimination with the min-fill heuristic (fewest fill-in edges; ties by smaller clique weight)
//! and with the min-weight heuristic (smallest product of cardinalities of the eliminated
//! variable's neighbourhood; Kjærulff 1990) and keep the order whose cliques hold fewer states
//! in all; take the maximal elimination cliques; join them by a maximum-weight spanning tree on
//! separator size (which yields a junction tree for the cliques of a chordal graph; a forest is
//! joined by empty separators). The largest clique is the root. Variables are laid out so that
//! the larger side of each separator walks it in order (see the comment in `compile`). Each CPT
//! is assigned to the smallest clique holding its family. Every variable's posterior is read
//! from the smallest clique or separator holding it.

use crate::error::{BayesError, Result};
use crate::network::{Network, VarId};

/// Triangulation heuristic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heuristic {
    /// Try min-fill, min-weight and weighted min-fill; keep the smallest total clique state
    /// space.
    Best,
    /// Eliminate the variable adding the fewest fill-in edges.
    MinFill,
    /// Eliminate the variable with the smallest clique weight (product of cardinalities;
    /// ties by fewer fill-in edges).
    MinWeight,
    /// Eliminate the variable whose fill-in edges have the smallest summed weight (product of
    /// the two cardinalities; ties by clique weight).
    WeightedMinFill,
}

/// Options of [`crate::compile`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CompileOptions {
    /// Triangulation heuristic.
    pub heuristic: Heuristic,
    /// Most bytes the working buffers of a query may take (two copies of every separator plus
    /// scratch; clique potentials are never stored), and of the graphs built while compiling.
    /// Default [`crate::default_budget_bytes`] (12 GiB or half the machine's memory).
    pub memory_budget_bytes: u128,
    /// Most clique states in all (the work of one propagation is proportional to it).
    /// Default [`MAX_TOTAL_CLIQUE_STATES`].
    pub max_total_clique_states: u128,
    /// Most variables a network may have (triangulation takes time and memory quadratic in
    /// it). Default [`MAX_VARIABLES`].
    pub max_variables: usize,
}

impl Default for CompileOptions {
    fn default() -> Self {
        CompileOptions {
            heuristic: Heuristic::Best,
            memory_budget_bytes: crate::memory::default_budget_bytes(),
            max_total_clique_states: MAX_TOTAL_CLIQUE_STATES,
            max_variables: MAX_VARIABLES,
        }
    }
}

/// Default limit on the clique states in all: 2^30 (1.07e9), 5.7 times MUNIN1's 1.88e8, the
/// largest network we know of that is answered exactly (each propagation streams every clique
/// state twice; beyond this a query takes minutes to hours).
pub const MAX_TOTAL_CLIQUE_STATES: u128 = 1 << 30;

/// Default limit on the number of variables: 20,000, 19 times MUNIN's 1,041.
pub const MAX_VARIABLES: usize = 20_000;

/// A potential of the tree after propagation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Home {
    /// Clique potential `c`.
    Clique(usize),
    /// Separator between clique `c` and its parent.
    Sep(usize),
}

/// One clique of the tree.
#[derive(Debug, Clone)]
pub(crate) struct Clique {
    /// Variables in layout order (outermost first).
    pub vars: Vec<usize>,
    /// Number of states (product of cardinalities).
    pub size: usize,
    /// Parent clique (`None` for the root).
    pub parent: Option<usize>,
    /// Children, in ascending index order.
    pub children: Vec<usize>,
    /// Separator variables with the parent, in the separator's layout order.
    pub sep: Vec<usize>,
    /// Separator size in states.
    pub sep_size: usize,
}

/// Summary figures of a compiled tree.
#[derive(Debug, Clone, PartialEq)]
pub struct TreeStats {
    /// Number of cliques.
    pub cliques: usize,
    /// States of the largest clique.
    pub largest_clique_states: usize,
    /// Variables of the largest clique.
    pub largest_clique_variables: usize,
    /// States summed over all cliques.
    pub total_clique_states: usize,
    /// States summed over all separators.
    pub total_separator_states: usize,
    /// Heuristic whose order was kept.
    pub heuristic: Heuristic,
}

/// A compiled junction tree, reusable across any number of queries.
#[derive(Debug, Clone)]
pub struct JunctionTree {
    pub(crate) net: Network,
    pub(crate) cards: Vec<usize>,
    pub(crate) cliques: Vec<Clique>,
    /// The root (largest clique).
    pub(crate) root: usize,
    /// Non-root cliques by height (leaves first): the levels of the collect pass.
    pub(crate) collect_levels: Vec<Vec<usize>>,
    /// Non-root cliques by depth (the root's children first): the levels of distribute.
    pub(crate) distribute_levels: Vec<Vec<usize>>,
    /// Where each variable's marginal is read after propagation: the smallest separator
    /// holding it, else the smallest clique.
    pub(crate) home: Vec<Home>,
    /// Smallest clique holding each variable (where its soft findings are entered).
    pub(crate) entry: Vec<usize>,
    /// CPTs assigned to each clique (by child variable).
    pub(crate) assigned: Vec<Vec<usize>>,
    pub(crate) stats: TreeStats,
}

struct BitSet {
    words: usize,
    bits: Vec<u64>,
}

impl BitSet {
    fn new(n: usize, rows: usize) -> Self {
        let words = n.div_ceil(64).max(1);
        BitSet {
            words,
            bits: vec![0; words * rows],
        }
    }
    fn row(&self, r: usize) -> &[u64] {
        &self.bits[r * self.words..(r + 1) * self.words]
    }
    fn set(&mut self, r: usize, c: usize) {
        self.bits[r * self.words + c / 64] |= 1 << (c % 64);
    }
    fn clear(&mut self, r: usize, c: usize) {
        self.bits[r * self.words + c / 64] &= !(1 << (c % 64));
    }
    fn get(&self, r: usize, c: usize) -> bool {
        self.bits[r * self.words + c / 64] >> (c % 64) & 1 == 1
    }
    fn members(&self, r: usize) -> Vec<usize> {
        let mut out = Vec::new();
        for (w, &word) in self.row(r).iter().enumerate() {
            let mut x = word;
            while x != 0 {
                out.push(w * 64 + x.trailing_zeros() as usize);
                x &= x - 1;
            }
        }
        out
    }
}

/// Greedy elimination; returns the elimination cliques (each sorted) in elimination order.
fn eliminate(n: usize, edges: &[(usize, usize)], cards: &[usize], h: Heuristic) -> Vec<Vec<usize>> {
    let mut adj = BitSet::new(n, n);
    for &(a, b) in edges {
        adj.set(a, b);
        adj.set(b, a);
    }
    let lw: Vec<f64> = cards.iter().map(|&c| (c as f64).ln()).collect();
    let mut alive = vec![true; n];
    let score = |adj: &BitSet, v: usize| -> (f64, f64) {
        let nb = adj.members(v);
        let weight = lw[v] + nb.iter().map(|&u| lw[u]).sum::<f64>();
        let (mut fills, mut wfill) = (0.0f64, 0.0f64);
        for (i, &a) in nb.iter().enumerate() {
            for &b in &nb[i + 1..] {
                if !adj.get(a, b) {
                    fills += 1.0;
                    wfill += (cards[a] * cards[b]) as f64;
                }
            }
        }
        match h {
            Heuristic::MinFill => (fills, weight),
            Heuristic::WeightedMinFill => (wfill, weight),
            _ => (weight, fills),
        }
    };
    let mut scores: Vec<(f64, f64)> = (0..n).map(|v| score(&adj, v)).collect();
    let mut cliques = Vec::with_capacity(n);
    for _ in 0..n {
        let mut best = usize::MAX;
        for v in 0..n {
            if alive[v] && (best == usize::MAX || scores[v] < scores[best]) {
                best = v;
            }
        }
        let v = best;
        let nb = adj.members(v);
        for (i, &a) in nb.iter().enumerate() {
            for &b in &nb[i + 1..] {
                adj.set(a, b);
                adj.set(b, a);
            }
        }
        for &a in &nb {
            adj.clear(a, v);
        }
        alive[v] = false;
        let mut c = nb.clone();
        c.push(v);
        c.sort_unstable();
        cliques.push(c);
        // Scores change for the neighbours and their neighbours.
        let mut touched = nb.clone();
        for &a in &nb {
            touched.extend(adj.members(a));
        }
        touched.sort_unstable();
        touched.dedup();
        for u in touched {
            if alive[u] {
                scores[u] = score(&adj, u);
            }
        }
    }
    cliques
}

/// Non-root cliques grouped by height above the leaves (`by_height`) or depth below the root,
/// each group in ascending index order.
fn levels(
    cliques: &[Clique],
    post_order: &[usize],
    root: usize,
    by_height: bool,
) -> Vec<Vec<usize>> {
    let m = cliques.len();
    let mut key = vec![0usize; m];
    if by_height {
        for &c in post_order {
            key[c] = cliques[c]
                .children
                .iter()
                .map(|&k| key[k] + 1)
                .max()
                .unwrap_or(0);
        }
    } else {
        for &c in post_order.iter().rev() {
            key[c] = cliques[c].parent.map(|p| key[p] + 1).unwrap_or(0);
        }
    }
    let top = key.iter().copied().max().unwrap_or(0);
    let mut out = vec![Vec::new(); top + 1];
    for c in 0..m {
        if c != root {
            out[key[c]].push(c);
        }
    }
    out.retain(|l| !l.is_empty());
    out
}

/// States of a set of variables, saturating at `u128::MAX` (a clique of more than 128 binary
/// variables would overflow).
fn states_of(vars: &[usize], cards: &[usize]) -> u128 {
    vars.iter()
        .fold(1u128, |acc, &v| acc.saturating_mul(cards[v] as u128))
}

/// Keeps the maximal cliques, in elimination order.
fn maximal(cliques: Vec<Vec<usize>>, n: usize) -> Vec<Vec<usize>> {
    // An elimination clique is non-maximal iff it is contained in an earlier one.
    let mut sets = BitSet::new(n, cliques.len());
    for (i, c) in cliques.iter().enumerate() {
        for &v in c {
            sets.set(i, v);
        }
    }
    let mut keep: Vec<usize> = Vec::new();
    for i in 0..cliques.len() {
        let sub = keep.iter().any(|&k| {
            sets.row(i)
                .iter()
                .zip(sets.row(k))
                .all(|(a, b)| a & !b == 0)
        });
        if !sub {
            keep.push(i);
        }
    }
    keep.into_iter().map(|i| cliques[i].clone()).collect()
}

/// Compiles a network into a junction tree.
pub fn compile(net: &Network, opts: &CompileOptions) -> Result<JunctionTree> {
    net.validate()?;
    let n = net.len();
    if n > opts.max_variables {
        return Err(BayesError::Limit {
            what: "the number of variables".into(),
            value: n as u128,
            limit: opts.max_variables as u128,
            raise: "raise `CompileOptions::max_variables`".into(),
        });
    }
    // The moral graph and the clique sets are bit matrices of n × n bits (two at a time).
    let graph_bytes = 2 * (n as u128).div_ceil(64) * 8 * n as u128;
    if graph_bytes > opts.memory_budget_bytes {
        return Err(BayesError::Limit {
            what: format!("the triangulation of {n} variables (bytes)"),
            value: graph_bytes,
            limit: opts.memory_budget_bytes,
            raise: "raise `CompileOptions::memory_budget_bytes`".into(),
        });
    }
    let cards: Vec<usize> = (0..n).map(|v| net.cardinality(VarId(v))).collect();
    // Moral graph.
    let mut edges = Vec::new();
    for v in 0..n {
        let ps = net.parents(VarId(v));
        for (i, p) in ps.iter().enumerate() {
            edges.push((p.0, v));
            for q in &ps[i + 1..] {
                edges.push((p.0, q.0));
            }
        }
    }
    let heuristics: &[Heuristic] = match opts.heuristic {
        Heuristic::Best => &[
            Heuristic::MinFill,
            Heuristic::MinWeight,
            Heuristic::WeightedMinFill,
        ],
        Heuristic::MinFill => &[Heuristic::MinFill],
        Heuristic::MinWeight => &[Heuristic::MinWeight],
        Heuristic::WeightedMinFill => &[Heuristic::WeightedMinFill],
    };
    let mut best: Option<(u128, Vec<Vec<usize>>, Heuristic)> = None;
    for &h in heuristics {
        let cl = maximal(eliminate(n, &edges, &cards, h), n);
        let total: u128 = cl
            .iter()
            .fold(0u128, |acc, c| acc.saturating_add(states_of(c, &cards)));
        if best.as_ref().is_none_or(|b| total < b.0) {
            best = Some((total, cl, h));
        }
    }
    let Some((total, cl, heuristic)) = best else {
        unreachable!("at least one heuristic is tried")
    };
    let cl = if cl.is_empty() { vec![Vec::new()] } else { cl };
    let (big, big_states) = cl
        .iter()
        .enumerate()
        .map(|(i, c)| (i, states_of(c, &cards)))
        .max_by_key(|&(i, s)| (s, std::cmp::Reverse(i)))
        .unwrap_or((0, 1));
    let too_large = |needed: u128| BayesError::TooLarge {
        clique_states: big_states,
        clique_variables: cl[big].len(),
        total_states: total,
        needed_bytes: needed,
        budget_bytes: opts.memory_budget_bytes,
    };
    if total > opts.max_total_clique_states {
        return Err(BayesError::Limit {
            what: format!(
                "the clique states in all (largest clique {big_states} states over {} variables)",
                cl[big].len()
            ),
            value: total,
            limit: opts.max_total_clique_states,
            raise: "raise `CompileOptions::max_total_clique_states`".into(),
        });
    }
    // Maximum spanning tree (Prim from the largest clique, so it is the root): weight = shared
    // variables, ties to the smaller separator state space then the lower index.
    let m = cl.len();
    let mut sets = BitSet::new(n, m);
    for (i, c) in cl.iter().enumerate() {
        for &v in c {
            sets.set(i, v);
        }
    }
    let shared = |a: usize, b: usize| -> Vec<usize> {
        let mut out = Vec::new();
        for (w, (x, y)) in sets.row(a).iter().zip(sets.row(b)).enumerate() {
            let mut z = x & y;
            while z != 0 {
                out.push(w * 64 + z.trailing_zeros() as usize);
                z &= z - 1;
            }
        }
        out
    };
    let mut in_tree = vec![false; m];
    let mut parent: Vec<Option<usize>> = vec![None; m];
    // best link of each outside clique: (shared count, -sep log states, from)
    let mut link: Vec<Option<(usize, f64, usize)>> = vec![None; m];
    let lw: Vec<f64> = cards.iter().map(|&c| (c as f64).ln()).collect();
    let add = |c: usize, in_tree: &mut Vec<bool>, link: &mut Vec<Option<(usize, f64, usize)>>| {
        in_tree[c] = true;
        for o in 0..m {
            if in_tree[o] {
                continue;
            }
            let s = shared(c, o);
            let w = (s.len(), -s.iter().map(|&v| lw[v]).sum::<f64>(), c);
            let better = match link[o] {
                None => true,
                Some(l) => w.0 > l.0 || (w.0 == l.0 && w.1 > l.1),
            };
            if better {
                link[o] = Some(w);
            }
        }
    };
    add(big, &mut in_tree, &mut link);
    for _ in 1..m {
        let mut pick: Option<usize> = None;
        for o in 0..m {
            if in_tree[o] {
                continue;
            }
            let better = match (pick, link[o]) {
                (None, _) => true,
                (Some(p), Some(l)) => {
                    let lp = link[p].unwrap_or((0, f64::NEG_INFINITY, 0));
                    l.0 > lp.0 || (l.0 == lp.0 && l.1 > lp.1)
                }
                _ => false,
            };
            if better {
                pick = Some(o);
            }
        }
        let Some(o) = pick else { break };
        parent[o] = link[o].map(|l| l.2);
        add(o, &mut in_tree, &mut link);
    }
    let mut children = vec![Vec::new(); m];
    for c in 0..m {
        if let Some(p) = parent[c] {
            children[p].push(c);
        }
    }
    // Layout. Cliques are laid out from the largest down. A clique places the variables of its
    // largest separator first (outermost), then those of the next largest not yet placed, and
    // so on, then the rest; a separator whose order a larger neighbour already fixed keeps that
    // order, any other separator takes the order its variables have in this clique. The larger
    // side of every separator thus reads and writes it in sequence (a whole separator laid out
    // outermost is one entry per contiguous stretch of the clique).
    let sep_of: Vec<Vec<usize>> = (0..m)
        .map(|c| parent[c].map(|p| shared(c, p)).unwrap_or_default())
        .collect();
    let mut sep_fixed: Vec<Option<Vec<usize>>> = vec![None; m];
    let mut layout: Vec<Vec<usize>> = vec![Vec::new(); m];
    let mut by_size: Vec<usize> = (0..m).collect();
    by_size.sort_by(|&a, &b| {
        states_of(&cl[b], &cards)
            .cmp(&states_of(&cl[a], &cards))
            .then(a.cmp(&b))
    });
    for &c in &by_size {
        // Separators of c, named by the child clique that owns them.
        let mut seps: Vec<usize> = children[c].clone();
        if parent[c].is_some() {
            seps.push(c);
        }
        let size = |k: &usize| -> f64 { sep_of[*k].iter().map(|&v| lw[v]).sum() };
        seps.sort_by(|a, b| size(b).total_cmp(&size(a)).then(a.cmp(b)));
        let mut vars: Vec<usize> = Vec::with_capacity(cl[c].len());
        for k in &seps {
            let order = sep_fixed[*k].as_ref().unwrap_or(&sep_of[*k]);
            for &v in order {
                if !vars.contains(&v) {
                    vars.push(v);
                }
            }
        }
        for &v in &cl[c] {
            if !vars.contains(&v) {
                vars.push(v);
            }
        }
        for k in seps {
            if sep_fixed[k].is_none() {
                let mut order = sep_of[k].clone();
                order.sort_by_key(|v| vars.iter().position(|u| u == v));
                sep_fixed[k] = Some(order);
            }
        }
        layout[c] = vars;
    }
    let mut cliques: Vec<Clique> = Vec::with_capacity(m);
    for c in 0..m {
        let vars = std::mem::take(&mut layout[c]);
        let sep = sep_fixed[c].take().unwrap_or_default();
        let size = vars.iter().map(|&v| cards[v]).product();
        let sep_size = sep.iter().map(|&v| cards[v]).product();
        cliques.push(Clique {
            vars,
            size,
            parent: parent[c],
            children: children[c].clone(),
            sep,
            sep_size,
        });
    }
    // Memory: clique potentials are never stored (see `inference`); a query holds two copies
    // of every separator, the partial sums of parallel chunks (at most three times the outputs
    // of one pass, bounded here by three times the separators) and one block per chunk.
    let sep_total: u128 = cliques.iter().map(|c| c.sep_size as u128).sum();
    let max_sep: u128 = cliques
        .iter()
        .map(|c| c.sep_size as u128)
        .max()
        .unwrap_or(0);
    let needed = 8 * (2 * sep_total + 3 * max_sep + 4 * 65536.min(big_states));
    if needed > opts.memory_budget_bytes || max_sep >= u32::MAX as u128 {
        return Err(too_large(needed));
    }
    let mut post_order = Vec::with_capacity(m);
    let mut stack = vec![(big, false)];
    while let Some((c, done)) = stack.pop() {
        if done {
            post_order.push(c);
        } else {
            stack.push((c, true));
            for &k in cliques[c].children.iter().rev() {
                stack.push((k, false));
            }
        }
    }
    // Homes of variables and of CPT families.
    let smallest_holding = |vars: &[usize]| -> usize {
        let mut bestc = usize::MAX;
        for (i, c) in cliques.iter().enumerate() {
            if vars.iter().all(|v| cl[i].binary_search(v).is_ok())
                && (bestc == usize::MAX || c.size < cliques[bestc].size)
            {
                bestc = i;
            }
        }
        bestc
    };
    let mut entry = Vec::with_capacity(n);
    let mut home = Vec::with_capacity(n);
    for v in 0..n {
        let h = smallest_holding(&[v]);
        entry.push(h);
        let mut best = (cliques[h].size, Home::Clique(h));
        for (c, q) in cliques.iter().enumerate() {
            if q.parent.is_some() && q.sep_size < best.0 && q.sep.contains(&v) {
                best = (q.sep_size, Home::Sep(c));
            }
        }
        home.push(best.1);
    }
    let mut assigned: Vec<Vec<usize>> = vec![Vec::new(); m];
    for v in 0..n {
        let Some(cpt) = net.cpt(VarId(v)) else {
            continue;
        };
        let mut fam: Vec<usize> = cpt.parents.iter().map(|p| p.0).collect();
        fam.push(v);
        let h = smallest_holding(&fam);
        if h == usize::MAX {
            panic!("internal invariant broken: family of variable {v} is in no clique");
        }
        assigned[h].push(v);
    }
    let collect_levels = levels(&cliques, &post_order, big, true);
    let distribute_levels = levels(&cliques, &post_order, big, false);
    let mut jt = JunctionTree {
        net: net.clone(),
        cards,
        cliques,
        collect_levels,
        distribute_levels,
        root: big,
        home,
        entry,
        assigned,
        stats: TreeStats {
            cliques: 0,
            largest_clique_states: 0,
            largest_clique_variables: 0,
            total_clique_states: 0,
            total_separator_states: 0,
            heuristic,
        },
    };
    let cliques = &jt.cliques;
    let stats = TreeStats {
        cliques: m,
        largest_clique_states: cliques[big].size,
        largest_clique_variables: cliques[big].vars.len(),
        total_clique_states: cliques.iter().map(|c| c.size).sum(),
        total_separator_states: cliques
            .iter()
            .filter(|c| c.parent.is_some())
            .map(|c| c.sep_size)
            .sum(),
        heuristic,
    };
    jt.stats = stats;
    Ok(jt)
}

impl JunctionTree {
    /// The network this tree was compiled from.
    pub fn network(&self) -> &Network {
        &self.net
    }

    /// Size figures of the tree.
    pub fn stats(&self) -> &TreeStats {
        &self.stats
    }
}

/// Shape of one clique, for reports and benchmarks.
#[derive(Debug, Clone, PartialEq)]
pub struct CliqueShape {
    /// Number of states.
    pub states: usize,
    /// Number of variables.
    pub variables: usize,
    /// Number of child cliques.
    pub children: usize,
    /// Number of CPTs assigned to it.
    pub cpts: usize,
    /// States of the separator with its parent (`None` for the root).
    pub separator_states: Option<usize>,
}

impl JunctionTree {
    /// Shapes of all cliques, largest first.
    pub fn clique_shapes(&self) -> Vec<CliqueShape> {
        let mut v: Vec<CliqueShape> = self
            .cliques
            .iter()
            .zip(&self.assigned)
            .map(|(c, a)| CliqueShape {
                states: c.size,
                variables: c.vars.len(),
                children: c.children.len(),
                cpts: a.len(),
                separator_states: c.parent.map(|_| c.sep_size),
            })
            .collect();
        v.sort_by_key(|s| std::cmp::Reverse(s.states));
        v
    }
}
