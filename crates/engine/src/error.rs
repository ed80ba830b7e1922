//! The facade's error: each crate's own error, kept with its type.

use thiserror::Error;

/// Everything an operation of the [`crate::Engine`] can fail with.
#[derive(Debug, Error)]
pub enum EngineError {
    /// The case file is not a valid case.
    #[error(transparent)]
    Case(#[from] crate::case::CaseFileError),
    /// A patient's case failed validation against the atlas.
    #[error(transparent)]
    PatientCase(#[from] clinic::CaseError),
    /// The anatomy atlas did not load.
    #[error(transparent)]
    Atlas(#[from] clinic::AtlasError),
    /// A clinic data file did not load.
    #[error(transparent)]
    ClinicData(#[from] clinic::DataError),
    /// The prognosis or plan comparison failed.
    #[error(transparent)]
    Prognosis(#[from] clinic::PrognosisError),
    /// An experimental case was refused by the twin.
    #[error(transparent)]
    Scenario(#[from] twin::ScenarioError),
    /// The twin refused to simulate.
    #[error(transparent)]
    Twin(#[from] twin::TwinError),
    /// The clinical readout's constants did not load.
    #[error(transparent)]
    Readout(#[from] readout::ReadoutError),
    /// A parameter set did not load.
    #[error(transparent)]
    Parameters(#[from] twin::ParamError),
    /// The findings are not valid.
    #[error(transparent)]
    Findings(#[from] diagnosis::FindingsError),
    /// The diagnosis reasoner failed.
    #[error(transparent)]
    Diagnosis(#[from] diagnosis::DiagnosisError),
    /// A vignette file is not valid.
    #[error(transparent)]
    Vignettes(#[from] diagnosis::CaseError),
    /// A calibration file is not valid.
    #[error(transparent)]
    Calibration(#[from] calibration::FileError),
    /// A Bayesian network, evidence or reference file is not valid, or inference failed.
    #[error(transparent)]
    Network(#[from] bayes::BayesError),
    /// The operation does not apply to this case.
    #[error("`{operation}` cannot run on this case: {reason}")]
    NotApplicable {
        /// The operation.
        operation: &'static str,
        /// Why, and what to give instead.
        reason: String,
    },
    /// A request is out of its documented range.
    #[error("{field} = {value}: expected {expected}")]
    OutOfRange {
        /// The field or flag.
        field: String,
        /// The value given.
        value: String,
        /// What would have been accepted.
        expected: String,
    },
    /// A number is over a documented limit ([`twin::limits`]) or not of the kind expected.
    #[error(transparent)]
    Limit(#[from] twin::limits::LimitError),
    /// A cohort file is not valid, or a cohort run failed.
    #[error(transparent)]
    Cohort(#[from] crate::cohort::CohortError),
    /// The operation is estimated to take longer than the caller allows ([`crate::cost`]).
    #[error(
        "{operation} is estimated to take about {} (over the limit of {}): {breakdown}; fewer \
         draws, a shorter horizon or pooled resolution take less, or raise the limit",
        crate::cost::duration(*seconds),
        crate::cost::duration(*limit)
    )]
    TooCostly {
        /// The operation.
        operation: &'static str,
        /// The estimated wall-clock seconds.
        seconds: f64,
        /// The limit in force, seconds.
        limit: f64,
        /// The inputs the estimate comes from.
        breakdown: String,
    },
    /// A case of a reference file of the network tools is not valid.
    #[error("case {case}: {source}")]
    ReferenceCase {
        /// The case's index in the file.
        case: usize,
        /// What is wrong with it.
        #[source]
        source: Box<EngineError>,
    },
    /// A Parquet table could not be built, written or read.
    #[error(transparent)]
    Table(#[from] crate::table::TableError),
    /// The pictures' data could not be made (`views`).
    #[error(transparent)]
    Views(#[from] views::ViewError),
    /// A picture could not be drawn or rasterised (`render`).
    #[error(transparent)]
    Render(#[from] render::RenderError),
    /// The caller cancelled the operation.
    #[error(transparent)]
    Cancelled(#[from] vocabulary::Cancelled),
}
