//! # diagnosis — from findings to a differential, a lesion level and the next best test
//!
//! A patient has wasting and weakness: is it neurogenic, myogenic, junctional or disuse, and where
//! is the lesion? This crate answers with an explicit, probabilistic and checkable reasoning:
//!
//! - [`findings`] reads the findings (TOML or JSON, the vignette format; absent = unknown);
//! - [`kb`] reads and validates the knowledge base (`data/diagnosis/*.toml`): hypotheses
//!   (category, level, disease, time since onset) and per-finding likelihoods, each with a source
//!   from `shared/reference/clinical.md` or a named assumption;
//! - [`nerve_conduction`] classifies each nerve of `ncs.nerves` by the published demyelination
//!   criteria and reads the pattern over nerves (length-dependent, sural-sparing, multifocal, …);
//! - [`network`] compiles it into a Bayesian network (beyond naive Bayes: latent processes tie
//!   correlated findings together — the sensory lesion site relative to the dorsal root ganglion
//!   for the SNAP and the sensory examination, the motor-unit process for the needle findings, the
//!   fasciculating units for fasciculations seen and recorded; time since onset gates the findings
//!   that need Wallerian degeneration or reinnervation to appear);
//! - [`engine`] runs exact inference on it with the `bayes` crate's junction tree; [`exact`] is an
//!   independent enumeration used to check it;
//! - [`reasoner`] turns posteriors into the differential: category and level probabilities, the
//!   findings that moved the leading levels most (log likelihood ratios), and the next tests by
//!   value of information;
//! - [`evaluate`] scores the reasoner on a file of vignettes (accuracy and calibration);
//! - [`workup`] simulates a sequential work-up: tests revealed in the reasoner's order, a fixed
//!   clinical order or at random, and how many it takes until the true level leads.
//!
//! Research and teaching software, not a medical device. No I/O: callers pass text and structs.
#![deny(missing_docs)]

pub mod engine;
pub mod evaluate;
pub mod exact;
pub mod findings;
pub mod kb;
pub mod nerve_conduction;
pub mod network;
pub mod reasoner;
pub mod workup;

pub use evaluate::{CaseError, Evaluation, evaluate_cases};
pub use findings::{Findings, FindingsError, Observation};
pub use kb::{KbError, KnowledgeBase};
pub use reasoner::{DISCLAIMER, DiagnosisError, Differential, Driver, NextTest, Ranked, Reasoner};
pub use workup::Workup;
