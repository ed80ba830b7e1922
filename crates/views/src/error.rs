//! Errors of the views layer: each names the field, the value and what was expected.

use thiserror::Error;

/// What can go wrong when deriving a view.
#[derive(Debug, Error)]
pub enum ViewError {
    /// The state's slices do not have matching lengths.
    #[error("state field `{field}` has length {len}, expected {expected}")]
    Length {
        /// The offending field.
        field: &'static str,
        /// Its length.
        len: usize,
        /// The length it should have.
        expected: usize,
    },
    /// A number is out of its valid range.
    #[error("`{field}` = {value} is invalid: expected {expected}")]
    Value {
        /// The offending field.
        field: &'static str,
        /// Its value.
        value: f64,
        /// What was expected.
        expected: &'static str,
    },
    /// An embedded or user-supplied data file could not be read.
    #[error("data file `{file}`: {message}")]
    Data {
        /// Which file.
        file: &'static str,
        /// What was wrong.
        message: String,
    },
    /// The clinical readout's constants (which the views' amplitudes are scaled to) did not
    /// load.
    #[error(transparent)]
    Readout(#[from] readout::ReadoutError),
}
