//! Myelinated axon counts of human donor and recipient nerves, for the donor–recipient
//! size match of a nerve transfer ([`crate::repair::size_matched_donor_axons`]).
//!
//! The counts, their between-person spread and their sources live in one file,
//! `data/params/nerve-axon-counts.toml`; each nerve is named by an `id` (e.g.
//! `intercostal_x3`, `biceps_branch`). A count whose source gives no SD takes the file's
//! derived between-person coefficient of variation (`[spread]`).

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::params::{ParamError, Species};

/// The embedded human counts.
pub const HUMAN_NERVE_COUNTS_TOML: &str =
    include_str!("../../../data/params/nerve-axon-counts.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    spread: Spread,
    nerve: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Spread {
    cv: f64,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    assumption: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    id: String,
    name: String,
    mean: f64,
    #[serde(default)]
    sd: Option<f64>,
    #[serde(default)]
    min: Option<f64>,
    #[serde(default)]
    max: Option<f64>,
    site: String,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    assumption: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    note: Option<String>,
}

/// One nerve's myelinated axon count at its coaptation site.
#[derive(Debug, Clone, PartialEq)]
pub struct NerveCount {
    /// Identifier used by experiments and the atlas.
    pub id: String,
    /// What the nerve is.
    pub name: String,
    /// Where it was counted.
    pub site: String,
    /// Mean count (the typical patient).
    pub mean: f64,
    /// Between-person SD (the source's, or the file's derived spread times the mean).
    pub sd: f64,
    /// Lower end of the source's range, if it gives one.
    pub min: Option<f64>,
    /// Upper end of the source's range, if it gives one.
    pub max: Option<f64>,
    /// The source or named assumption, as one line.
    pub provenance: String,
}

/// The counts of one species' nerves (only human counts exist).
#[derive(Debug, Clone, PartialEq)]
pub struct NerveCounts {
    nerves: BTreeMap<String, NerveCount>,
}

impl NerveCounts {
    /// The embedded human counts.
    pub fn human() -> Result<NerveCounts, ParamError> {
        Self::from_toml_str(HUMAN_NERVE_COUNTS_TOML)
    }

    /// Reads counts from text: every entry needs a source or an assumption, a positive mean,
    /// a non-negative SD, and `min <= mean <= max` where a range is given.
    pub fn from_toml_str(text: &str) -> Result<NerveCounts, ParamError> {
        let parse = |message: String| ParamError::Parse {
            species: Species::Human,
            message: format!("nerve axon counts: {message}"),
        };
        let file: File = toml::from_str(text).map_err(|e| parse(e.to_string()))?;
        if !vocabulary::cited::has_provenance(
            file.spread.source.as_deref(),
            file.spread.assumption.as_deref(),
        ) {
            return Err(ParamError::Unsourced {
                name: "spread.cv".into(),
            });
        }
        if !(file.spread.cv.is_finite() && (0.0..1.0).contains(&file.spread.cv)) {
            return Err(ParamError::OutOfRange {
                name: "spread.cv".into(),
                value: file.spread.cv,
                min: 0.0,
                max: 1.0,
            });
        }
        let mut nerves = BTreeMap::new();
        for e in file.nerve {
            let Some(provenance) =
                vocabulary::cited::provenance(e.source.as_deref(), e.assumption.as_deref())
            else {
                return Err(ParamError::Unsourced {
                    name: format!("nerve `{}`", e.id),
                });
            };
            if !(e.mean.is_finite() && e.mean >= 1.0 && e.mean <= 1.0e5) {
                return Err(ParamError::OutOfRange {
                    name: format!("nerve `{}`.mean", e.id),
                    value: e.mean,
                    min: 1.0,
                    max: 1.0e5,
                });
            }
            let sd = e.sd.unwrap_or(file.spread.cv * e.mean);
            if !(sd.is_finite() && sd >= 0.0 && sd <= e.mean) {
                return Err(ParamError::OutOfRange {
                    name: format!("nerve `{}`.sd", e.id),
                    value: sd,
                    min: 0.0,
                    max: e.mean,
                });
            }
            let lo = e.min.unwrap_or(f64::NEG_INFINITY);
            let hi = e.max.unwrap_or(f64::INFINITY);
            if !(lo <= e.mean && e.mean <= hi) {
                return Err(ParamError::OutOfRange {
                    name: format!("nerve `{}`.mean", e.id),
                    value: e.mean,
                    min: lo,
                    max: hi,
                });
            }
            if nerves.contains_key(&e.id) {
                return Err(parse(format!("nerve `{}` is listed twice", e.id)));
            }
            nerves.insert(
                e.id.clone(),
                NerveCount {
                    id: e.id,
                    name: e.name,
                    site: e.site,
                    mean: e.mean,
                    sd,
                    min: e.min,
                    max: e.max,
                    provenance,
                },
            );
        }
        Ok(NerveCounts { nerves })
    }

    /// The count of nerve `id`, if listed.
    pub fn get(&self, id: &str) -> Option<&NerveCount> {
        self.nerves.get(id)
    }

    /// The listed ids, in order.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.nerves.keys().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_counts_load_with_sources_and_same_study_pairs() {
        let c = NerveCounts::human().unwrap();
        for id in [
            "ulnar_fascicle",
            "spinal_accessory",
            "intercostal_x3",
            "biceps_branch",
            "suprascapular",
        ] {
            let n = c.get(id).unwrap_or_else(|| panic!("{id}"));
            assert!(
                n.mean > 0.0 && n.sd > 0.0 && !n.provenance.is_empty(),
                "{id}"
            );
        }
        // The same-study ratios the data file states.
        let r = |d: &str, r: &str| c.get(d).unwrap().mean / c.get(r).unwrap().mean;
        assert!((r("ulnar_fascicle", "biceps_branch") - 0.72).abs() < 0.01);
        assert!((r("spinal_accessory", "suprascapular") - 0.39).abs() < 0.01);
        // Several intercostal nerves grow in proportion to their number.
        assert!(r("intercostal_x2", "intercostal_x3") < r("intercostal_x3", "intercostal_x4"));
    }

    #[test]
    fn unsourced_or_inconsistent_entries_are_refused() {
        let head = "[spread]\ncv = 0.1\nsource = \"s\"\n";
        let unsourced =
            format!("{head}[[nerve]]\nid = \"a\"\nname = \"a\"\nmean = 10\nsite = \"x\"\n");
        assert!(matches!(
            NerveCounts::from_toml_str(&unsourced),
            Err(ParamError::Unsourced { .. })
        ));
        let outside = format!(
            "{head}[[nerve]]\nid = \"a\"\nname = \"a\"\nmean = 10\nmin = 20\nsite = \"x\"\nsource = \"s\"\n"
        );
        assert!(matches!(
            NerveCounts::from_toml_str(&outside),
            Err(ParamError::OutOfRange { .. })
        ));
    }
}
