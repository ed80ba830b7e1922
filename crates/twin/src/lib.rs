//! # twin — the physiology core of reinnervate
//!
//! A day-by-day simulation of the nerve–muscle unit after a nerve injury.
//! No I/O: no files, terminal, HTTP or clock; randomness from an explicit seed.
#![deny(missing_docs)]
