//! The twin's two resolutions.

use serde::{Deserialize, Serialize};

/// Fibre-by-fibre or pooled by motor unit and state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// Every fibre with its position (pictures, needle EMG).
    #[default]
    Fibre,
    /// Fibres grouped by motor unit and state (cohorts, speed).
    Pooled,
}

/// An unknown resolution name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown resolution `{0}`: expected `fibre` or `pooled`")]
pub struct UnknownResolution(pub String);

impl std::str::FromStr for Resolution {
    type Err = UnknownResolution;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "fibre" | "fiber" => Ok(Resolution::Fibre),
            "pooled" => Ok(Resolution::Pooled),
            other => Err(UnknownResolution(other.chars().take(80).collect())),
        }
    }
}
