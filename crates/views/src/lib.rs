//! # views — what a clinician would see
//!
//! Strength, nerve conduction, needle EMG and pictures (as data) derived from a twin state. No I/O.
#![deny(missing_docs)]
