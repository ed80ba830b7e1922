//! # clinic — case files, anatomy atlas, prognosis, plans and follow-up
//!
//! The clinical layer over the twin: a patient's case file ([`case`]), the anatomy atlas that turns
//! a nerve and an injury site into muscles and regrowth distances ([`atlas`]), Monte Carlo draws on
//! the twin's pooled resolution ([`montecarlo`]), the prognosis per muscle with follow-up
//! reweighting ([`prognosis`]) and the plan comparison ([`plans`]), with their numbers read from
//! cited data files ([`data`]). No I/O: everything takes
//! strings or structs. Method and ranking criterion: `docs/prognosis.md`.
//!
//! ```no_run
//! use clinic::{Atlas, Case, montecarlo::Engine, prognosis::prognose};
//! let atlas = Atlas::human().unwrap();
//! let case = Case::from_toml(r#"
//!     [patient]
//!     age_years = 30
//!     [[injury]]
//!     nerve = "radial"
//!     site = "mid_humerus"
//!     grade = "unknown"
//! "#, &atlas).unwrap();
//! let engine = Engine::human().unwrap();
//! let report = prognose(&engine, &atlas, &case, Some(100), &vocabulary::Control::new()).unwrap();
//! println!("{}", report.muscles[0].p_mrc_ge_3);
//! ```
#![deny(missing_docs)]

pub mod atlas;
pub mod case;
pub mod data;
pub mod error;
pub mod montecarlo;
pub mod plans;
pub mod prognosis;

pub use atlas::{Atlas, Sex};
pub use case::Case;
pub use error::{AtlasError, CaseError, DataError, PrognosisError};
