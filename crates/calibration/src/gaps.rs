//! Known gaps: expectations the twin does not reach with defensible parameters, each with
//! the reason established for it.
//!
//! The file (`data/calibration/known-gaps.toml` in the repository) is a list of
//! `[[gap]]` tables with `experiment`, `quantity`, `day` (absent for event quantities and
//! population medians) and `reason`. The calibration test fails when an expectation fails
//! that is not listed, and also when a listed one passes or matches no expectation, so the
//! list stays true.

use serde::Deserialize;

use crate::error::FileError;
use crate::runner::{Report, Row};

/// One listed gap.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gap {
    /// Experiment id.
    pub experiment: String,
    /// Quantity name.
    pub quantity: String,
    /// Day of the expectation (absent for event quantities).
    #[serde(default)]
    pub day: Option<u32>,
    /// Why the twin does not reach it.
    pub reason: String,
}

impl Gap {
    /// Whether this gap is about that row.
    pub fn matches(&self, row: &Row) -> bool {
        self.experiment == row.experiment && self.quantity == row.quantity && self.day == row.day
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GapFile {
    #[serde(default)]
    gap: Vec<Gap>,
}

/// The list of known gaps.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KnownGaps {
    /// The gaps in file order.
    pub gaps: Vec<Gap>,
}

/// How a report compares with the known gaps.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GapCheck {
    /// Failed expectations not listed as gaps.
    pub unlisted_failures: Vec<Row>,
    /// Listed gaps whose expectation now passes.
    pub listed_but_passing: Vec<Gap>,
    /// Listed gaps that match no expectation of the report.
    pub stale: Vec<Gap>,
    /// Failed expectations that are listed (expected failures).
    pub listed_failures: Vec<Row>,
}

impl GapCheck {
    /// Whether the report agrees with the list exactly.
    pub fn is_clean(&self) -> bool {
        self.unlisted_failures.is_empty()
            && self.listed_but_passing.is_empty()
            && self.stale.is_empty()
    }
}

impl KnownGaps {
    /// Reads the gaps file.
    pub fn parse(text: &str) -> Result<KnownGaps, FileError> {
        let file: GapFile = toml::from_str(text).map_err(|e| FileError::Syntax(e.to_string()))?;
        Ok(KnownGaps { gaps: file.gap })
    }

    /// The gap listed for a row, if any.
    pub fn find(&self, row: &Row) -> Option<&Gap> {
        self.gaps.iter().find(|g| g.matches(row))
    }

    /// Compares a report with the list.
    pub fn check(&self, report: &Report) -> GapCheck {
        let mut out = GapCheck::default();
        for row in &report.results {
            match (row.pass, self.find(row)) {
                (false, None) => out.unlisted_failures.push(row.clone()),
                (false, Some(_)) => out.listed_failures.push(row.clone()),
                (true, Some(g)) => out.listed_but_passing.push(g.clone()),
                (true, None) => {}
            }
        }
        for g in &self.gaps {
            if !report.results.iter().any(|r| g.matches(r)) {
                out.stale.push(g.clone());
            }
        }
        out
    }
}
