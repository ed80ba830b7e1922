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
