//! # calibration — published experiments run on the twin
#![deny(missing_docs)]
