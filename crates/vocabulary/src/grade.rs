//! Nerve injury grades: Seddon's three names and Sunderland's five numbers, one type and one
//! parser for every layer (case files, calibration experiments, the twin, the reports).
//!
//! Seddon H J (1943) Brain 66:237; Sunderland S (1951) Brain 74:491. Seddon's axonotmesis is
//! taken as Sunderland II where a number is needed, neurotmesis as Sunderland V.

use serde::{Deserialize, Serialize};

/// Seddon or Sunderland grade of a nerve injury.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Grade {
    /// Seddon neurapraxia (= Sunderland I): conduction block, no axon loss.
    Neurapraxia,
    /// Seddon axonotmesis (= Sunderland II): axons cut, sheaths intact.
    Axonotmesis,
    /// Seddon neurotmesis (= Sunderland V): nerve divided.
    Neurotmesis,
    /// Sunderland grade 1–5.
    Sunderland(u8),
}

/// What a grade may be written as, for error messages.
pub const GRADE_EXPECTED: &str =
    "`neurapraxia`, `axonotmesis`, `neurotmesis` or `sunderland_1`..`sunderland_5`";

impl Grade {
    /// Parses `neurapraxia`, `axonotmesis`, `neurotmesis`, `sunderland_1`..`sunderland_5`
    /// (also `sunderland 3`, `sunderland-3`, `3`, `I`..`V`; case-insensitive).
    pub fn parse(s: &str) -> Option<Grade> {
        let t = s.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        match t.as_str() {
            "neurapraxia" => Some(Grade::Neurapraxia),
            "axonotmesis" => Some(Grade::Axonotmesis),
            "neurotmesis" => Some(Grade::Neurotmesis),
            _ => {
                let n = t.strip_prefix("sunderland_").unwrap_or(&t);
                let g = match n {
                    "1" | "i" => 1,
                    "2" | "ii" => 2,
                    "3" | "iii" => 3,
                    "4" | "iv" => 4,
                    "5" | "v" => 5,
                    _ => return None,
                };
                Some(Grade::Sunderland(g))
            }
        }
    }

    /// A Sunderland grade from its number, if 1–5.
    pub fn sunderland_number(n: u8) -> Option<Grade> {
        (1..=5).contains(&n).then_some(Grade::Sunderland(n))
    }

    /// The Sunderland grade (1–5) this grade corresponds to.
    pub fn sunderland(self) -> u8 {
        match self {
            Grade::Neurapraxia => 1,
            Grade::Axonotmesis => 2,
            Grade::Neurotmesis => 5,
            Grade::Sunderland(n) => n,
        }
    }

    /// Sort key from the mildest to the most severe grade (neurapraxia, axonotmesis, Sunderland
    /// 1..5 by number, neurotmesis last).
    pub fn order(&self) -> u32 {
        match self {
            Grade::Neurapraxia => 10,
            Grade::Axonotmesis => 20,
            Grade::Sunderland(n) => 10 * *n as u32,
            Grade::Neurotmesis => 51,
        }
    }

    /// A short label (the grade's name as in a case file).
    pub fn label(&self) -> String {
        match self {
            Grade::Neurapraxia => "neurapraxia".into(),
            Grade::Axonotmesis => "axonotmesis".into(),
            Grade::Neurotmesis => "neurotmesis".into(),
            Grade::Sunderland(n) => format!("sunderland_{n}"),
        }
    }

    /// Whether axons are cut (Wallerian degeneration follows).
    pub fn is_axonal(&self) -> bool {
        self.sunderland() >= 2
    }
}

impl std::fmt::Display for Grade {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::Grade;

    #[test]
    fn every_spelling_parses_to_one_grade() {
        assert_eq!(Grade::parse("Sunderland III"), Some(Grade::Sunderland(3)));
        assert_eq!(Grade::parse("sunderland-3"), Some(Grade::Sunderland(3)));
        assert_eq!(Grade::parse("neurapraxia"), Some(Grade::Neurapraxia));
        assert_eq!(Grade::parse("sunderland_6"), None);
        for g in [
            Grade::Neurapraxia,
            Grade::Axonotmesis,
            Grade::Neurotmesis,
            Grade::Sunderland(4),
        ] {
            assert_eq!(Grade::parse(&g.label()), Some(g));
        }
    }

    #[test]
    fn axonal_grades_are_sunderland_two_and_above() {
        assert!(!Grade::Neurapraxia.is_axonal());
        assert!(!Grade::Sunderland(1).is_axonal());
        assert!(Grade::Axonotmesis.is_axonal());
        assert!(Grade::Neurotmesis.is_axonal());
    }
}
