//! The readout's constants, read from the cited data file `data/readout/readout.toml`.
//!
//! Normal nerve-conduction values per recorded muscle (Buschbacher 1999, Kim et al. 2022, a Czech
//! normative study), conduction slowing (axonal floor 70–75%; Buchthal & Kühl 1979 for regenerated
//! axons), the EFNS/PNS 2010 conduction-block criteria, the CMAP level words, the MUP-type and
//! recruitment cut-offs (named assumptions) and the Fuglevand-type firing rates. Every entry
//! carries its source or a named assumption in the file itself; the loader refuses an entry with
//! neither.

use serde::Deserialize;

use crate::ReadoutError;

const READOUT_TOML: &str = include_str!("../../../data/readout/readout.toml");
const FILE: &str = "data/readout/readout.toml";

/// A cited value: mean and optional spread or limits.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct Stat {
    /// Mean (or the single quoted value).
    pub mean: f64,
    /// Standard deviation, when the source gives one.
    #[serde(default)]
    pub sd: Option<f64>,
    /// Lower limit, when the source gives a range.
    #[serde(default)]
    pub low: Option<f64>,
    /// Upper limit, when the source gives a range.
    #[serde(default)]
    pub high: Option<f64>,
    /// Upper limit of normal, when the source gives one.
    #[serde(default)]
    pub uln: Option<f64>,
}

/// A single cited number with optional range (the workspace's one definition).
pub use vocabulary::Cited;

/// Normal nerve-conduction values for one recorded muscle.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct NcsNormal {
    /// Names and abbreviations this entry applies to.
    #[serde(default)]
    pub muscle: Vec<String>,
    /// Nerve stimulated.
    #[serde(default)]
    pub nerve: String,
    /// CMAP negative-peak amplitude, mV.
    pub cmap_mv: Stat,
    /// Distal motor latency, ms.
    pub dl_ms: Stat,
    /// Motor conduction velocity, m/s.
    pub cv_m_s: Stat,
    /// Source.
    pub source: String,
    /// Named assumption, if any.
    #[serde(default)]
    pub assumption: Option<String>,
}

impl NcsNormal {
    /// Lower limit of normal of the distal CMAP, mV: the source's lower limit when it gives a
    /// range, else mean − `sd_multiple` × SD, else the quoted value (an entry with neither is
    /// itself a normal limit).
    pub fn cmap_lln_mv(&self, sd_multiple: f64) -> f64 {
        let c = &self.cmap_mv;
        match (c.low, c.sd) {
            (Some(low), _) => low,
            (None, Some(sd)) => (c.mean - sd_multiple * sd).max(0.0),
            (None, None) => c.mean,
        }
    }
}

/// Conduction constants.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Conduction {
    /// Lowest CV (fraction of normal) reached by pure axon loss.
    pub axonal_cv_floor: Cited,
    /// Amplitude drop defining conduction block.
    pub block_drop: Cited,
    /// Smallest distal CMAP, as a fraction of the lower limit of normal, at which block is judged.
    pub block_min_distal_of_lln: Cited,
    /// Standard deviations below the mean taken as the lower limit of normal (named assumption).
    pub lln_sd_multiple: Cited,
    /// CV of a just-reconnected regenerated axon, fraction of normal.
    pub regenerated_cv_initial: Cited,
    /// CV gain per month of maturation, fraction of normal.
    pub regenerated_cv_gain_per_month: Cited,
    /// Months during which regenerated CV gains `regenerated_cv_gain_per_month`.
    pub regenerated_cv_fast_months: Cited,
    /// Gain after those months, relative to the early gain.
    pub regenerated_cv_late_factor: Cited,
    /// CV ceiling of regenerated axons, fraction of normal.
    pub regenerated_cv_ceiling: Cited,
}

impl Conduction {
    /// Relative CV (fraction of normal) of a regenerated axon `days` after it reconnected
    /// (Buchthal & Kühl 1979: 10–25% at first, +3% of normal a month for two years, then ten
    /// times slower, up to the ceiling).
    pub fn regenerated_cv(&self, days: f64) -> f64 {
        let months = (days / DAYS_PER_MONTH).max(0.0);
        let fast = self.regenerated_cv_fast_months.value;
        let gain = self.regenerated_cv_gain_per_month.value;
        let late = gain * self.regenerated_cv_late_factor.value;
        (self.regenerated_cv_initial.value
            + gain * months.min(fast)
            + late * (months - fast).max(0.0))
        .min(self.regenerated_cv_ceiling.value)
    }

    /// Relative CV of the fastest native axon when `native_fraction` of the healthy motor units
    /// keep their original axon (linear from the floor at none to 1 at all, a named assumption).
    pub fn native_cv(&self, native_fraction: f64) -> f64 {
        let floor = self.axonal_cv_floor.value;
        floor + (1.0 - floor) * native_fraction.clamp(0.0, 1.0)
    }
}

/// Mean days in a month (365.25 / 12), used to turn days into months.
pub const DAYS_PER_MONTH: f64 = 365.25 / 12.0;

/// Cut-offs of the CMAP level words.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CmapLevel {
    /// Absent below this fraction of baseline.
    pub absent_below: Cited,
    /// Reduced below this fraction of baseline.
    pub reduced_below: Cited,
}

/// Cut-offs of the MUP type.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct MupType {
    /// Nascent when at least this share of functioning units is recently reinnervated.
    pub nascent_from_fraction: Cited,
    /// Neurogenic when units are at least this many times their normal size.
    pub neurogenic_from_size: Cited,
}

/// Thresholds of the recruitment-pattern words.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RecruitmentPattern {
    /// At most this many recruitable units: "single unit".
    pub single_unit_max: usize,
    /// Below this fraction of baseline units: "discrete".
    pub discrete_below: f64,
    /// Below this fraction of baseline units: "reduced".
    pub reduced_below: f64,
    /// The named assumption.
    pub assumption: String,
}

/// Recruitment constants.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Recruitment {
    /// Firing rate at recruitment, Hz.
    pub onset_rate_hz: Cited,
    /// Peak firing rate, Hz.
    pub peak_rate_hz: Cited,
    /// Thresholds of the pattern words.
    pub pattern: RecruitmentPattern,
}

/// All constants of the readout.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Constants {
    /// File format version.
    pub version: u32,
    /// Normal NCS values per muscle.
    pub ncs: Vec<NcsNormal>,
    /// Fallback NCS values.
    pub default_ncs: NcsNormal,
    /// Conduction.
    pub conduction: Conduction,
    /// CMAP level words.
    pub cmap_level: CmapLevel,
    /// MUP type.
    pub mup_type: MupType,
    /// Recruitment.
    pub recruitment: Recruitment,
}

impl Constants {
    /// The embedded, cited constants (parsed and checked once).
    pub fn embedded() -> Result<&'static Constants, ReadoutError> {
        static CELL: std::sync::OnceLock<Result<Constants, ReadoutError>> =
            std::sync::OnceLock::new();
        CELL.get_or_init(|| Constants::from_toml(READOUT_TOML))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Constants from TOML text in the layout of `data/readout/readout.toml`, checked.
    pub fn from_toml(text: &str) -> Result<Constants, ReadoutError> {
        let c: Constants = toml::from_str(text).map_err(|e| ReadoutError::Parse {
            file: FILE,
            message: e.to_string(),
        })?;
        c.validate()?;
        Ok(c)
    }

    fn validate(&self) -> Result<(), ReadoutError> {
        let k = &self.conduction;
        let cited: [(&'static str, &Cited, f64, f64); 13] = [
            ("conduction.axonal_cv_floor", &k.axonal_cv_floor, 0.1, 1.0),
            ("conduction.block_drop", &k.block_drop, 0.05, 0.95),
            (
                "conduction.block_min_distal_of_lln",
                &k.block_min_distal_of_lln,
                0.0,
                1.0,
            ),
            ("conduction.lln_sd_multiple", &k.lln_sd_multiple, 0.0, 4.0),
            (
                "conduction.regenerated_cv_initial",
                &k.regenerated_cv_initial,
                0.01,
                1.0,
            ),
            (
                "conduction.regenerated_cv_gain_per_month",
                &k.regenerated_cv_gain_per_month,
                0.0,
                0.5,
            ),
            (
                "conduction.regenerated_cv_fast_months",
                &k.regenerated_cv_fast_months,
                0.0,
                240.0,
            ),
            (
                "conduction.regenerated_cv_late_factor",
                &k.regenerated_cv_late_factor,
                0.0,
                1.0,
            ),
            (
                "conduction.regenerated_cv_ceiling",
                &k.regenerated_cv_ceiling,
                0.01,
                1.0,
            ),
            (
                "cmap_level.absent_below",
                &self.cmap_level.absent_below,
                0.0,
                1.0,
            ),
            (
                "cmap_level.reduced_below",
                &self.cmap_level.reduced_below,
                0.0,
                1.0,
            ),
            (
                "mup_type.nascent_from_fraction",
                &self.mup_type.nascent_from_fraction,
                0.0,
                1.0,
            ),
            (
                "mup_type.neurogenic_from_size",
                &self.mup_type.neurogenic_from_size,
                1.0,
                20.0,
            ),
        ];
        for (field, c, lo, hi) in cited {
            if !c.is_sourced() {
                return Err(ReadoutError::Unsourced { field });
            }
            if !c.is_within(lo, hi) {
                return Err(ReadoutError::Value {
                    field,
                    value: c.value,
                    expected: "a finite value within the entry's documented range",
                });
            }
        }
        for (field, c) in [
            ("recruitment.onset_rate_hz", &self.recruitment.onset_rate_hz),
            ("recruitment.peak_rate_hz", &self.recruitment.peak_rate_hz),
        ] {
            if !c.is_sourced() {
                return Err(ReadoutError::Unsourced { field });
            }
        }
        if !(self.recruitment.onset_rate_hz.value > 0.0
            && self.recruitment.onset_rate_hz.value < self.recruitment.peak_rate_hz.value)
        {
            return Err(ReadoutError::Value {
                field: "recruitment.onset_rate_hz",
                value: self.recruitment.onset_rate_hz.value,
                expected: "0 < onset_rate_hz < peak_rate_hz",
            });
        }
        if self.cmap_level.absent_below.value >= self.cmap_level.reduced_below.value {
            return Err(ReadoutError::Value {
                field: "cmap_level.absent_below",
                value: self.cmap_level.absent_below.value,
                expected: "below cmap_level.reduced_below",
            });
        }
        let rp = &self.recruitment.pattern;
        if !(rp.discrete_below > 0.0
            && rp.discrete_below < rp.reduced_below
            && rp.reduced_below <= 1.0)
        {
            return Err(ReadoutError::Value {
                field: "recruitment.pattern.discrete_below",
                value: rp.discrete_below,
                expected: "0 < discrete_below < reduced_below <= 1",
            });
        }
        for n in self.ncs.iter().chain(std::iter::once(&self.default_ncs)) {
            for (field, v) in [
                ("ncs.cmap_mv.mean", n.cmap_mv.mean),
                ("ncs.dl_ms.mean", n.dl_ms.mean),
                ("ncs.cv_m_s.mean", n.cv_m_s.mean),
            ] {
                if !(v.is_finite() && v > 0.0) {
                    return Err(ReadoutError::Value {
                        field,
                        value: v,
                        expected: "a positive normal value",
                    });
                }
            }
            if n.source.trim().is_empty() {
                return Err(ReadoutError::Unsourced {
                    field: "ncs.source",
                });
            }
        }
        Ok(())
    }

    /// Normal NCS values for a muscle (matched case-insensitively by name or abbreviation,
    /// underscores read as spaces); the default entry when none matches.
    pub fn ncs_for(&self, muscle: &str) -> &NcsNormal {
        let m = muscle.trim().to_ascii_lowercase().replace('_', " ");
        self.ncs
            .iter()
            .find(|e| e.muscle.iter().any(|n| n.to_ascii_lowercase() == m))
            .unwrap_or(&self.default_ncs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_constants_load_and_validate() {
        let c = Constants::embedded().unwrap();
        assert!((c.ncs_for("apb").cmap_mv.mean - 10.2).abs() < 1e-9);
        assert!((c.ncs_for("AH").dl_ms.mean - 4.3).abs() < 1e-9);
        assert_eq!(c.ncs_for("unknown muscle").source, c.default_ncs.source);
    }

    #[test]
    fn an_entry_without_source_or_assumption_is_refused() {
        let bad = READOUT_TOML.replacen(
            "block_drop = { value = 0.5, source = ",
            "block_drop = { value = 0.5, note = ",
            1,
        );
        assert_ne!(bad, READOUT_TOML, "the replacement must hit");
        let e = Constants::from_toml(&bad).unwrap_err();
        assert!(e.to_string().contains("block_drop"), "{e}");
    }

    #[test]
    fn out_of_range_values_are_refused_with_the_field() {
        let bad = READOUT_TOML.replacen(
            "absent_below = { value = 0.05,",
            "absent_below = { value = 0.9,",
            1,
        );
        assert_ne!(bad, READOUT_TOML);
        let e = Constants::from_toml(&bad).unwrap_err();
        assert!(e.to_string().contains("cmap_level.absent_below"), "{e}");
    }

    #[test]
    fn lower_limits_of_normal_follow_the_source_kind() {
        let c = Constants::embedded().unwrap();
        let k = c.conduction.lln_sd_multiple.value;
        assert!((c.ncs_for("APB").cmap_lln_mv(k) - 3.0).abs() < 1e-9);
        assert!((c.ncs_for("AH").cmap_lln_mv(k) - 3.4).abs() < 1e-9);
        assert!((c.ncs_for("EIP").cmap_lln_mv(k) - 4.0).abs() < 1e-9);
    }

    #[test]
    fn regenerated_cv_follows_buchthal_and_kuhl() {
        let c = &Constants::embedded().unwrap().conduction;
        assert!((c.regenerated_cv(0.0) - 0.175).abs() < 1e-12);
        // +3% of normal a month: after 12 months 0.175 + 0.36.
        assert!((c.regenerated_cv(12.0 * DAYS_PER_MONTH) - 0.535).abs() < 1e-9);
        // capped at the ceiling.
        assert!((c.regenerated_cv(3650.0) - 0.75).abs() < 1e-12);
        assert!((c.native_cv(1.0) - 1.0).abs() < 1e-12);
        assert!((c.native_cv(0.0) - 0.725).abs() < 1e-12);
    }
}
