//! Errors of the readout: each names the file or field, the value and what was expected.

use thiserror::Error;

/// What can go wrong loading the readout's constants.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ReadoutError {
    /// The data file could not be parsed.
    #[error("data file `{file}`: {message}")]
    Parse {
        /// Which file.
        file: &'static str,
        /// What was wrong.
        message: String,
    },
    /// A constant is out of its valid range.
    #[error("`{field}` = {value} is invalid: expected {expected}")]
    Value {
        /// The offending field.
        field: &'static str,
        /// Its value.
        value: f64,
        /// What was expected.
        expected: &'static str,
    },
    /// A cited entry has neither a source nor a named assumption.
    #[error("`{field}` has neither `source` nor `assumption`: every number needs one")]
    Unsourced {
        /// The offending field.
        field: &'static str,
    },
}
