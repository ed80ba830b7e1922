//! # diagnosis — from findings to a differential, a lesion level and the next best test
#![deny(missing_docs)]
