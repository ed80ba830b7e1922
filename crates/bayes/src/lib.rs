//! # bayes — exact inference on discrete Bayesian networks
//!
//! BIF reader, junction-tree inference, value of information. Knows nothing of medicine.
#![deny(missing_docs)]
