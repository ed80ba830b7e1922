//! # readout — the twin read as a clinician records it
//!
//! One resolution-independent layer where physiology becomes what a clinician writes down: the
//! MRC grade, the CMAP (amplitude in mV and as a fraction of baseline, latency, velocity, block),
//! the fibrillation/positive-sharp-wave grade, the MUP type, recruitment, strength (voluntary; on
//! direct muscle stimulation; on nerve stimulation distal to the lesion) and size. Each reading
//! has one model ([`reading`]), computed from the twin's calibrated daily
//! [`twin::Quantities`]; its constants are in one cited data file, `data/readout/readout.toml`
//! ([`constants`]).
//!
//! `simulate`, `snapshot`, the report, `calibrate` and the clinic's follow-up likelihood all read
//! through [`read`], so they give the same readings for the same case, seed and day.
//!
//! **Invariant:** no drawing library, no files, no terminal; it reads the twin's quantities and
//! never changes the twin.
#![deny(missing_docs)]

pub mod constants;
pub mod error;
pub mod reading;

pub use constants::Constants;
pub use error::ReadoutError;
pub use reading::{
    Cmap, Level, MupType, Needle, Pattern, Readout, Recruitment, Size, Strength, read,
};

/// Reads every day of a time course (day 0 to the horizon).
pub fn read_course(c: &Constants, muscle: &str, course: &twin::TimeCourse) -> Vec<Readout> {
    course.days.iter().map(|q| read(c, muscle, q)).collect()
}
