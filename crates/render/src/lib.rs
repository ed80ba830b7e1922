//! # render — everything that draws
//!
//! Pictures from data: time-course band plots, EMG traces and CMAP waveforms (SVG via plotters,
//! [`plot`]), the biopsy-like cross-section ([`cross_section`], SVG drawn from a
//! [`views::MuscleState`]) and SVG to PNG with resvg and a font database ([`raster`]), and the reliability diagram of
//! the diagnosis evaluation ([`reliability`]).
//!
//! **Invariant:** the only crate of the workspace that depends on a drawing library (plotters,
//! resvg, fonts). It computes no clinical reading (that is `readout`) and reads no files: fonts
//! come from the caller.
#![deny(missing_docs)]

pub mod cross_section;
pub mod plot;
pub mod raster;
pub mod reliability;

use thiserror::Error;

/// What can go wrong drawing a picture.
#[derive(Debug, Error)]
pub enum RenderError {
    /// A plot could not be drawn.
    #[error("plot `{plot}`: {message}")]
    Plot {
        /// Which plot.
        plot: &'static str,
        /// What went wrong.
        message: String,
    },
    /// An SVG could not be parsed or rasterised.
    #[error("rasterising SVG: {0}")]
    Raster(String),
    /// A drawing option is out of its valid range.
    #[error("`{field}` = {value} is invalid: expected {expected}")]
    Value {
        /// The offending field.
        field: &'static str,
        /// Its value.
        value: f64,
        /// What was expected.
        expected: &'static str,
    },
    /// The state to draw is invalid.
    #[error(transparent)]
    View(#[from] views::ViewError),
}
