//! # views — the pictures' data
//!
//! What the pictures of a day are made of, as data: the synthetic CMAP waveforms, synthetic
//! concentric-needle EMG samples and the MUPs measured on them, fibre-type grouping, and the
//! fibre-resolution muscle state the cross-section is drawn from. No I/O and no drawing library:
//! the SVG/PNG pictures are drawn by the `render` crate; the clinical readings (MRC, CMAP
//! amplitude/latency/velocity/block, fibrillation grade, MUP type, recruitment, strength, size)
//! are the `readout` crate's, and the pictures are scaled or selected to agree with them (the CMAP
//! is drawn at the readout's amplitude; the fibres drawn fibrillating are those the twin counts).
//!
//! The input is a [`MuscleState`]: a struct of slices (fibre positions, sizes, types, owners and
//! states; per-unit axon state and nascent flag; lesion distance and injury day). The
//! [`adapter`] module builds one from a `twin` simulation. MUP measurements are relative to a
//! [`Reference`] computed from the same muscle before the injury (day 0).
//!
//! Modules:
//! - [`conduction`]: the CMAP waveforms with distal and proximal stimulation;
//! - [`needle`]: fibrillating fibres, MUP statistics on synthetic recordings, recruitable units;
//! - [`line_source`] and [`needle_signal`]: synthetic concentric-needle EMG samples;
//! - [`grouping`]: fibre-type grouping statistics;
//! - [`summary`]: the views of a day in one record.
#![deny(missing_docs)]

pub mod adapter;
pub mod conduction;
pub mod error;
pub mod grouping;
pub mod line_source;
pub mod needle;
pub mod needle_signal;
pub mod params;
pub mod reference;
pub mod state;
pub mod summary;
pub mod synthetic;

pub use error::ViewError;
pub use params::Params;
pub use reference::Reference;
pub use state::{AxonState, FibreState, FibreType, Lesion, MuscleState};
pub use summary::{DayViews, day_views};
