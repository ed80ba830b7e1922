//! # views — what a clinician would see
//!
//! Strength, nerve conduction, needle EMG and pictures (as data) derived from a twin state.
//! No I/O: every function takes numbers, slices and strings and returns numbers, SVG strings,
//! PNG bytes or sample arrays. Reference values and model constants are cited data files under
//! `data/views/`, embedded at compile time.
//!
//! The input is a [`MuscleState`]: a struct of slices (fibre positions, sizes, types, owners and
//! states; per-unit axon state and nascent flag; lesion distance and injury day). The
//! [`adapter`] module builds one from a `twin` simulation. Every view is relative to a
//! [`Reference`] computed from the same muscle before the injury (day 0), so that "relative to
//! normal" means relative to this muscle's own baseline, as a clinician compares with the other side.
//!
//! Modules:
//! - [`strength`]: force relative to baseline, MRC grade, size and fat/fibrous fraction;
//! - [`conduction`]: CMAP (relative and mV), distal latency, conduction velocity, block, dispersion;
//! - [`needle`]: fibrillations/PSW grade, MUP amplitude/duration/phases, recruitment;
//! - [`line_source`] and [`needle_signal`]: synthetic concentric-needle EMG samples;
//! - [`grouping`]: fibre-type grouping statistics;
//! - [`cross_section`]: the biopsy-like SVG picture;
//! - [`plot`]: time-course band plots and EMG trace plots (SVG via plotters);
//! - [`raster`]: SVG to PNG (resvg).
#![deny(missing_docs)]

pub mod adapter;
pub mod conduction;
pub mod cross_section;
pub mod error;
pub mod grouping;
pub mod line_source;
pub mod needle;
pub mod needle_signal;
pub mod params;
pub mod plot;
pub mod raster;
pub mod reference;
pub mod state;
pub mod strength;
pub mod summary;
pub mod synthetic;

pub use error::ViewError;
pub use params::Params;
pub use reference::Reference;
pub use state::{AxonState, FibreState, FibreType, Lesion, MuscleState};
pub use summary::{DayViews, day_views};

/// The statement every report carries.
pub const NOT_A_MEDICAL_DEVICE: &str = "reinnervate is research and teaching software, not a medical device. \
Its numbers and pictures come from a simulation and must not be used to diagnose or treat anyone.";
