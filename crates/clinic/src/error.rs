//! Errors of the clinical layer. Each names the field, the value and what was expected.

use thiserror::Error;

/// An error in the atlas data or in a look-up against it.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum AtlasError {
    /// The atlas file is not valid TOML or does not match the schema.
    #[error("atlas file: {0}")]
    Parse(String),
    /// An entry breaks a rule of the atlas.
    #[error("atlas {what} `{id}`: {why}")]
    Invalid {
        /// Kind of entry.
        what: String,
        /// Its id.
        id: String,
        /// What is wrong.
        why: String,
    },
    /// Unknown nerve.
    #[error("nerve `{value}` is not in the atlas; expected one of: {expected}")]
    UnknownNerve {
        /// The value given.
        value: String,
        /// The known ids.
        expected: String,
    },
    /// Unknown site.
    #[error("site `{value}` is not in the atlas; expected one of: {expected}")]
    UnknownSite {
        /// The value given.
        value: String,
        /// Valid sites for the nerve.
        expected: String,
    },
    /// A site that is not on the nerve's path.
    #[error(
        "site `{site}` is not on the {nerve} nerve (it lies proximal to it or in another limb); expected one of: {expected}"
    )]
    SiteNotOnNerve {
        /// Site.
        site: String,
        /// Nerve.
        nerve: String,
        /// Valid sites for the nerve.
        expected: String,
    },
}

/// An error in a case file.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum CaseError {
    /// The clinic's own data files (`data/clinic`) could not be read.
    #[error("clinic data: {0}")]
    Data(#[from] DataError),
    /// The twin's human parameter set (which a muscle given by distance is checked against)
    /// could not be read.
    #[error(transparent)]
    Parameters(#[from] twin::ParamError),
    /// Not valid TOML/JSON or a wrong type for a field.
    #[error("case file is not well formed: {0}")]
    Syntax(String),
    /// A number is over a documented limit ([`twin::limits`]) or not of the kind expected.
    #[error(transparent)]
    Limit(#[from] twin::limits::LimitError),
    /// A field has a value outside what is accepted.
    #[error("field `{field}`: value {value} is not valid; expected {expected}")]
    Field {
        /// Path of the field, e.g. `injury[0].grade`.
        field: String,
        /// The value given (as written).
        value: String,
        /// What was expected.
        expected: String,
    },
    /// A required field is missing.
    #[error("field `{field}` is missing; expected {expected}")]
    Missing {
        /// Path of the field.
        field: String,
        /// What was expected.
        expected: String,
    },
    /// The atlas refused a look-up. (The atlas error is shown in the message, not chained as
    /// a source: chained, it was printed twice.)
    #[error("field `{field}`: {error}")]
    Atlas {
        /// Path of the field (`injury[0].nerve` for an unknown nerve, `.site` otherwise).
        field: String,
        /// The atlas error.
        error: AtlasError,
    },
}

impl CaseError {
    pub(crate) fn field(
        field: impl Into<String>,
        value: impl std::fmt::Display,
        expected: impl Into<String>,
    ) -> Self {
        CaseError::Field {
            field: field.into(),
            value: twin::limits::echo(&value.to_string()),
            expected: expected.into(),
        }
    }
    pub(crate) fn missing(field: impl Into<String>, expected: impl Into<String>) -> Self {
        CaseError::Missing {
            field: field.into(),
            expected: expected.into(),
        }
    }
}

/// An error while computing a prognosis or plans.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum PrognosisError {
    /// The case is invalid.
    #[error(transparent)]
    Case(#[from] CaseError),
    /// The twin refused a scenario.
    #[error("the twin could not simulate muscle `{muscle}` (draw {draw}): {source}")]
    Twin {
        /// Muscle.
        muscle: String,
        /// Draw index.
        draw: usize,
        /// The twin's error.
        #[source]
        source: twin::TwinError,
    },
    /// The human parameter set, or the between-patient spreads read against it
    /// (`data/atlas/prognosis_uncertainty.toml`), did not load.
    #[error("the prognosis's parameters: {0}")]
    Parameters(#[from] twin::ParamError),
    /// Nothing to simulate.
    #[error("the case affects no muscle: {0}")]
    Empty(String),
    /// A data file of the clinic (or a parameter it needs from the twin) is missing or invalid.
    #[error(transparent)]
    Data(#[from] DataError),
    /// A request is over a documented limit (draws), or not a number of the kind expected.
    #[error(transparent)]
    Limit(#[from] twin::limits::LimitError),
    /// The caller cancelled the run through its [`vocabulary::Control`].
    #[error(transparent)]
    Cancelled(#[from] vocabulary::Cancelled),
}

/// An error in one of the clinic's data files (`data/clinic/*.toml`) or a parameter they need.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum DataError {
    /// Not valid TOML, a missing section or an unknown key.
    #[error("{file}: {message}")]
    Parse {
        /// File.
        file: &'static str,
        /// Parser message.
        message: String,
    },
    /// An entry gives neither a source nor an assumption.
    #[error(
        "{file}: `{field}` gives neither a `source` nor an `assumption`; every number needs one"
    )]
    Unsourced {
        /// File.
        file: &'static str,
        /// Field path.
        field: &'static str,
    },
    /// A value out of range.
    #[error("{file}: `{field}` = {value} is not valid; expected {expected}")]
    Range {
        /// File.
        file: &'static str,
        /// Field path.
        field: &'static str,
        /// Value.
        value: f64,
        /// What was expected.
        expected: String,
    },
    /// A parameter the clinic needs is not in the twin's parameter set.
    #[error("the twin's parameters have no `{0}`, which the prognosis needs")]
    MissingParameter(&'static str),
}
