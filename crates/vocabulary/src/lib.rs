//! # vocabulary — the words every layer of reinnervate shares
//!
//! One home for the concepts that the physiology core, the clinical layer, the calibration
//! runner, the engine facade and every interface (CLI, server, Python) must spell the same way:
//!
//! * [`Species`] — the species a parameter set or a case describes;
//! * [`Grade`] — a nerve injury grade (Seddon or Sunderland), with one parser and one label;
//! * [`Resolution`] — the twin's fibre or pooled resolution;
//! * [`Control`] — progress reporting and cooperative cancellation of long work;
//! * [`Cited`] — a number from a data file with its source or named assumption, and the one
//!   provenance rule ([`cited::has_provenance`]);
//! * [`findings`] — the words of electrodiagnostic findings (CMAP and recruitment level, MUP
//!   type, fibrillation grade) that the readout produces, case observations record and the
//!   diagnosis reads;
//! * [`DISCLAIMER`] — the statement every output carries.
//!
//! It knows nothing of files, terminals, HTTP or clocks, and depends only on `serde`.
#![deny(missing_docs)]

pub mod cited;
pub mod control;
pub mod findings;
pub mod grade;
pub mod resolution;
pub mod species;

pub use cited::Cited;
pub use control::{Cancelled, Control};
pub use grade::Grade;
pub use resolution::Resolution;
pub use species::Species;

/// The statement every output of reinnervate carries (reports, JSON, terminal, web pages).
pub const DISCLAIMER: &str = "Research and teaching software, not a medical device: \
its numbers and pictures come from a simulation and must not be used to diagnose or treat anyone.";
