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

impl NerveCount {
    /// The range a patient's count is drawn in: the source's `min`/`max` where it gives them,
    /// otherwise the mean ± 3 SD (at least 1 axon).
    pub fn bounds(&self) -> (f64, f64) {
        (
            self.min.unwrap_or((self.mean - 3.0 * self.sd).max(1.0)),
            self.max.unwrap_or(self.mean + 3.0 * self.sd),
        )
    }

    /// One patient's count for a standard-normal deviate `z`: `mean + sd·z` held within
    /// [`NerveCount::bounds`] (a normal between people, as the calibration populations draw it).
    pub fn for_deviate(&self, z: f64) -> f64 {
        let (lo, hi) = self.bounds();
        let z = if z.is_finite() { z } else { 0.0 };
        (self.mean + self.sd * z).clamp(lo, hi.max(lo))
    }

    /// The count of the patient whose draw seed is `seed` (the seed of a Monte Carlo draw):
    /// [`NerveCount::for_deviate`] with a counter-based normal deviate of the seed and the
    /// nerve's id, so the same patient has the same count of a nerve in every plan.
    pub fn for_patient(&self, seed: u64) -> f64 {
        let key = self.id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        self.for_deviate(crate::rng::normal(
            seed,
            crate::rng::Stream::NerveCount,
            key,
            0,
        ))
    }
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
    fn a_patients_count_is_a_bounded_normal_draw_fixed_by_the_seed() {
        let c = NerveCounts::human().unwrap();
        let san = c.get("spinal_accessory").unwrap();
        assert_eq!(san.for_deviate(0.0), san.mean);
        assert_eq!(san.for_deviate(1.0), san.mean + san.sd);
        let (lo, hi) = san.bounds();
        assert_eq!((lo, hi), (san.mean - 3.0 * san.sd, san.mean + 3.0 * san.sd));
        assert_eq!(san.for_deviate(50.0), hi);
        assert_eq!(san.for_deviate(f64::NAN), san.mean);
        // The same patient (seed) has the same count; patients differ.
        assert_eq!(san.for_patient(7), san.for_patient(7));
        let draws: Vec<f64> = (0..200).map(|s| san.for_patient(s)).collect();
        let mean = draws.iter().sum::<f64>() / 200.0;
        assert!((mean - san.mean).abs() < 0.25 * san.sd, "{mean}");
        assert!(draws.iter().all(|&x| (lo..=hi).contains(&x)));
        // Two nerves of one patient are drawn independently.
        let ssn = c.get("suprascapular").unwrap();
        let z = |n: &NerveCount, s: u64| (n.for_patient(s) - n.mean) / n.sd;
        assert!((0..20).any(|s| (z(san, s) - z(ssn, s)).abs() > 0.1));
    }

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
