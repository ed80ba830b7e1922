//! # clinic — case files, anatomy atlas, prognosis, plans and follow-up
#![deny(missing_docs)]
