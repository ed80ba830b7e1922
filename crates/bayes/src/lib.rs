//! # bayes — exact inference on discrete Bayesian networks
//!
//! A general engine: BIF reader, junction-tree compilation and propagation, value of
//! information. It knows nothing of medicine and does no I/O (it takes strings and bytes).
//!
//! ## Programmatic API
//!
//! ```
//! use bayes::{Network, Evidence, CompileOptions};
//!
//! // Build a network in code: variables with named states, then CPTs given parents
//! // (row-major over (parents…, child), child fastest; rows must sum to 1).
//! let mut net = Network::new();
//! let rain = net.add_variable("rain", &["yes", "no"]).unwrap();
//! let wet = net.add_variable("wet", &["yes", "no"]).unwrap();
//! net.set_cpt(rain, &[], &[0.2, 0.8]).unwrap();
//! net.set_cpt(wet, &[rain], &[0.9, 0.1, 0.1, 0.9]).unwrap();
//!
//! // Or read BIF: `bayes::bif::parse_str(text)` / `bayes::bif::parse_gz(bytes)`.
//!
//! // Compile once, query many times.
//! let jt = bayes::compile(&net, &CompileOptions::default()).unwrap();
//! let mut ev = Evidence::new();
//! ev.set_state(wet, 0); // hard finding: wet = yes
//! let post = jt.query(&ev).unwrap();
//! assert!((post.of(rain)[0] - 0.18 / 0.26).abs() < 1e-12);
//! assert!((post.log_evidence - 0.26f64.ln()).abs() < 1e-12);
//!
//! // Soft (likelihood) evidence: P(observation | wet = yes, no) = (0.7, 0.2).
//! let mut soft = Evidence::new();
//! soft.set_likelihood(wet, vec![0.7, 0.2]);
//! let p = jt.query(&soft).unwrap();
//! assert!((p.of(rain).iter().sum::<f64>() - 1.0).abs() < 1e-12);
//!
//! // Value of information: expected entropy reduction (bits) of `rain` from observing each
//! // candidate, given the current evidence.
//! let voi = jt.value_of_information(&Evidence::new(), rain, &[wet]).unwrap();
//! assert!(voi[0].1 > 0.0);
//! ```
//!
//! For many queries on one tree, [`JunctionTree::workspace`] allocates the buffers once and
//! [`JunctionTree::query_with`] reuses them. Variables, states and CPTs are addressed by
//! [`VarId`] (from [`Network::var`]) and state indices (from [`Network::state`]);
//! [`Posteriors::marginals`] is indexed the same way.
//!
//! ## Design (details in `docs/bayes.md` and each module's documentation)
//!
//! - [`bif`]: tokenizer and parser with line/column errors; gzip or plain input.
//! - `junction_tree`: moral graph, greedy triangulation by min-fill and by min-weight (the one
//!   with fewer clique states is kept), maximal cliques joined by a maximum spanning tree,
//!   separator-aware variable layout, CPT assignment, memory budget.
//! - `inference`: Hugin propagation without stored clique potentials — each clique is
//!   recomputed block by block from its CPTs and incoming messages in one fused pass per
//!   direction; hard findings slice observed variables out of the cliques; collect messages
//!   are normalised so `log P(e)` never underflows; levels of the tree run in parallel with
//!   results independent of the thread count.
//! - `voi`: mutual information between target and candidate given the evidence.
//! - [`prune`]: Bayes-ball pruning for queries on a few targets.
//!
//! Impossible evidence (probability zero) is an error ([`BayesError::ImpossibleEvidence`]),
//! as are unknown variables or states ([`BayesError::UnknownVariable`],
//! [`BayesError::UnknownState`]). A tree that would not fit the memory budget of
//! [`CompileOptions`] is refused with [`BayesError::TooLarge`], naming the clique size. Every
//! size read from input — BIF text, table sizes, variable counts, clique states in all — is
//! checked against a documented limit before it is allocated ([`BayesError::Limit`] names the
//! size, the limit and the option that raises it); the memory budget defaults to
//! [`default_budget_bytes`].
//! [`prune::relevant`] cuts barren and d-separated variables before compiling when only a few
//! posteriors are wanted.
#![deny(missing_docs)]
// Graph code indexes several parallel per-variable arrays by the same index; iterator chains
// over one of them would hide that.
#![allow(clippy::needless_range_loop)]

pub mod bif;
mod blocked;
mod error;
mod index_map;
mod inference;
mod junction_tree;
mod memory;
mod network;
pub mod prune;
mod voi;

pub use error::{BayesError, Result};
pub use inference::{Evidence, Finding, Posteriors, Workspace};
pub use junction_tree::{
    CliqueShape, CompileOptions, Heuristic, JunctionTree, MAX_TOTAL_CLIQUE_STATES, MAX_VARIABLES,
    TreeStats, compile,
};
pub use memory::default_budget_bytes;
pub use network::{Cpt, Network, ROW_SUM_TOLERANCE, VarId, Variable};
pub use voi::entropy_bits;
