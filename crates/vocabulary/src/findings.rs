//! The words of the electrodiagnostic findings that the clinical readout produces, a case's
//! follow-up observations record and the diagnosis reads: CMAP and recruitment levels, the MUP
//! type and the fibrillation grade — one type and one parser each.

use serde::{Deserialize, Serialize};

/// A three-level reading of a CMAP or of recruitment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// No response / nothing recruited.
    Absent,
    /// Below normal.
    Reduced,
    /// Normal.
    Normal,
}

impl Level {
    /// The words of a CMAP (or SNAP) amplitude, as the findings format writes them.
    pub const CMAP_WORDS: &'static [&'static str] = &["normal", "reduced", "absent"];
    /// The words of a recruitment level as a case's observation writes them (`none` = absent).
    pub const RECRUITMENT_WORDS: &'static [&'static str] = &["normal", "reduced", "none"];

    /// Parses a CMAP word (`normal`, `reduced`, `absent`).
    pub fn parse_cmap(s: &str) -> Option<Level> {
        match s.trim() {
            "normal" => Some(Level::Normal),
            "reduced" => Some(Level::Reduced),
            "absent" => Some(Level::Absent),
            _ => None,
        }
    }

    /// Parses a recruitment word (`normal`, `reduced`, `none`).
    pub fn parse_recruitment(s: &str) -> Option<Level> {
        match s.trim() {
            "normal" => Some(Level::Normal),
            "reduced" => Some(Level::Reduced),
            "none" => Some(Level::Absent),
            _ => None,
        }
    }
}

/// The motor-unit potential type a needle examination shows after a nerve injury.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MupType {
    /// No voluntary MUP can be recorded.
    None,
    /// Small, polyphasic, unstable potentials of recently reinnervated units.
    Nascent,
    /// Large, long potentials of enlarged units (collateral reinnervation).
    Neurogenic,
    /// Normal.
    Normal,
}

impl MupType {
    /// Every type, in declaration order (`as usize` indexes it).
    pub const ALL: [MupType; 4] = [
        MupType::None,
        MupType::Nascent,
        MupType::Neurogenic,
        MupType::Normal,
    ];
    /// The words, in declaration order.
    pub const WORDS: &'static [&'static str] = &["none", "nascent", "neurogenic", "normal"];

    /// The word as a clinician writes it.
    pub fn as_str(self) -> &'static str {
        Self::WORDS[self as usize]
    }

    /// Parses a word of [`MupType::WORDS`].
    pub fn parse(s: &str) -> Option<MupType> {
        let s = s.trim();
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// The fibrillation (and positive sharp wave) grade of a needle examination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fibrillations {
    /// A grade 0..=4 (0, 1+ … 4+).
    Grade(u8),
    /// Present, grade not stated.
    Present,
}

impl Fibrillations {
    /// The words, as the findings format writes them.
    pub const WORDS: &'static [&'static str] = &["0", "present", "1+", "2+", "3+", "4+"];

    /// Parses `0`, `present`, `1+` … `4+`.
    pub fn parse(s: &str) -> Option<Fibrillations> {
        match s.trim() {
            "0" => Some(Fibrillations::Grade(0)),
            "present" => Some(Fibrillations::Present),
            t => t
                .strip_suffix('+')
                .and_then(|n| n.parse::<u8>().ok())
                .filter(|g| (1..=4).contains(g))
                .map(Fibrillations::Grade),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_parses_and_nothing_else_does() {
        for w in Fibrillations::WORDS {
            assert!(Fibrillations::parse(w).is_some(), "{w}");
        }
        for bad in ["5+", "0+", "+", "1", "some"] {
            assert_eq!(Fibrillations::parse(bad), None, "{bad}");
        }
        for w in MupType::WORDS {
            assert_eq!(MupType::parse(w).map(MupType::as_str), Some(*w));
        }
        assert_eq!(MupType::parse("myopathic"), None);
        for w in Level::CMAP_WORDS {
            assert!(Level::parse_cmap(w).is_some());
        }
        assert_eq!(Level::parse_recruitment("none"), Some(Level::Absent));
        assert_eq!(Level::parse_cmap("none"), None);
    }
}
