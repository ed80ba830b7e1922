//! # clinic — case files, anatomy atlas, prognosis, plans and follow-up
//!
//! The clinical layer over the twin: a patient's case file ([`case`]), the anatomy atlas that turns
//! a nerve and an injury site into muscles and regrowth distances ([`atlas`]), and Monte Carlo
//! prognosis, plan comparison and follow-up reweighting on the twin's pooled resolution.
//! No I/O: everything takes strings or structs.
#![deny(missing_docs)]

pub mod atlas;
pub mod case;
pub mod error;

pub use atlas::{Atlas, Sex};
pub use case::Case;
pub use error::{AtlasError, CaseError, PrognosisError};
