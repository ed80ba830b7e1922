//! Errors of the calibration runner: each names where it happened, the value and what was
//! expected.

use thiserror::Error;

/// A problem with one field of one experiment (or of the file's top level).
///
/// `experiment` is the experiment's `id` (or `experiment #n` when it has no usable id),
/// `field` a path such as `treatment[1].contractions_per_day` or `expect[0].min`.
#[derive(Debug, Clone, PartialEq, Error)]
#[error("experiment '{experiment}', field `{field}`: {value} — expected {expected}")]
pub struct FieldError {
    /// Which experiment.
    pub experiment: String,
    /// Which field, as a path inside the experiment.
    pub field: String,
    /// The offending value as written (or `missing`).
    pub value: String,
    /// What was expected instead.
    pub expected: String,
}

/// Errors that stop a whole calibration file from being read.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum FileError {
    /// The text is not valid TOML.
    #[error("the experiment file is not valid TOML: {0}")]
    Syntax(String),
    /// The top level does not hold an array of `[[experiment]]` tables.
    #[error("field `{field}`: {value} — expected {expected}")]
    Structure {
        /// Which top-level field.
        field: String,
        /// The value as written (or `missing`).
        value: String,
        /// What was expected.
        expected: String,
    },
    /// An experiment is malformed (returned by the strict reader only).
    #[error(transparent)]
    Field(#[from] FieldError),
}

/// Why a model cannot represent or run a case (the error of [`crate::runner::Model::simulate`]).
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ModelError {
    /// The model's parameters for the case's species (or their between-patient spreads) could
    /// not be loaded, or they lack the case's muscle.
    #[error("the twin's {species} parameters: {source}")]
    Parameters {
        /// The species.
        species: &'static str,
        /// The twin's error.
        #[source]
        source: twin::params::ParamError,
    },
    /// The twin refused the case's scenario.
    #[error(transparent)]
    Twin(#[from] twin::sim::TwinError),
    /// The model cannot represent the case (a stand-in model's own reason).
    #[error("{0}")]
    Unsupported(String),
}
