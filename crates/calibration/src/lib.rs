//! # calibration — published experiments run on the twin
//!
//! Reads files in the calibration format (the project's shared `calibration/README.md`):
//! published experiments and clinical series, each saying what was done to a muscle and what
//! was measured, with the accepted range. Each experiment is turned into twin scenarios, run,
//! and every expectation compared with the simulated figure.
//!
//! No I/O: the caller passes the file's text and receives a typed [`Report`].
//!
//! - [`experiment`]: the format, read and validated per experiment and per expectation;
//! - [`distribution`]: fixed values and distributions (truncated normal, uniform, choices);
//! - [`case`]: one concrete run, with every distribution replaced by a value;
//! - [`quantity`]: the quantity names of the format;
//! - [`runner`]: runs the experiments on a [`runner::Model`] and evaluates the expectations;
//! - [`twin_model`]: the twin as a [`runner::Model`];
//! - [`gaps`]: the list of known gaps, and how a report compares with it.
#![deny(missing_docs)]

pub mod case;
pub mod distribution;
pub mod error;
pub mod experiment;
pub mod gaps;
pub mod quantity;
pub mod runner;
pub mod twin_model;

pub use error::{FieldError, FileError};
pub use experiment::CalibrationFile;
pub use runner::{Options, Report, Resolution, Row, run};
