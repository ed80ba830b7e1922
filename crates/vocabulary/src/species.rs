//! The species a parameter set, an experiment or a case describes.

use serde::{Deserialize, Serialize};

/// The species a parameter set describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Species {
    /// *Homo sapiens*.
    Human,
    /// *Rattus norvegicus* (laboratory rat).
    Rat,
    /// *Mus musculus* (laboratory mouse).
    Mouse,
}

impl Species {
    /// All species with a parameter file.
    pub const ALL: [Species; 3] = [Species::Human, Species::Rat, Species::Mouse];

    /// The snake_case name used in files.
    pub fn name(self) -> &'static str {
        match self {
            Species::Human => "human",
            Species::Rat => "rat",
            Species::Mouse => "mouse",
        }
    }

    /// Parses a name as written in files (`human`, `rat`, `mouse`; case-insensitive).
    pub fn parse(s: &str) -> Option<Species> {
        Species::ALL
            .into_iter()
            .find(|sp| sp.name().eq_ignore_ascii_case(s.trim()))
    }
}

impl std::fmt::Display for Species {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// An unknown species name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown species `{0}`: expected `human`, `rat` or `mouse`")]
pub struct UnknownSpecies(pub String);

impl std::str::FromStr for Species {
    type Err = UnknownSpecies;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Species::parse(s).ok_or_else(|| UnknownSpecies(s.chars().take(80).collect()))
    }
}
