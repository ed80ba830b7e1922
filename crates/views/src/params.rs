//! Reference values and model constants, read from the cited data files in `data/views/`.
//!
//! `electrodiagnosis.toml` holds normal nerve-conduction values per muscle (Buschbacher 1999,
//! Kim et al. 2022, a Czech normative study), conduction-slowing limits (axonal floor 70–75%,
//! Buchthal & Kühl 1979 for regenerated axons), the normal MUP (healthy TA quantitative EMG),
//! fibrillation timing and amplitude (Spine Secrets; Willmott et al. 2012; Kraft 1990),
//! recruitment rates and the MRC grade definitions. `volume_conductor.toml` holds the
//! line-source model constants (Rosenfalck 1969; Nandedkar & Stålberg 1983; Blijham et al. 2006).
//! Every entry carries its source or is marked as an assumption in the file itself.
//!
//! The two clinical scales the twin also reports — the MRC force thresholds and the 0–4+
//! fibrillation-grade thresholds — are not duplicated here: they are read from the twin's
//! [`twin::Coefficients`] (`mrc2_force`…`mrc5_force`, `fibrillation_grade1`…`fibrillation_grade4`
//! in `data/params/<species>.toml`, named assumptions there), so that the twin's time course and
//! the views' day tables grade the same day alike.

use serde::Deserialize;

use crate::ViewError;

const ELECTRODIAGNOSIS: &str = include_str!("../../../data/views/electrodiagnosis.toml");
const VOLUME_CONDUCTOR: &str = include_str!("../../../data/views/volume_conductor.toml");

/// A cited value: mean and optional spread or limits.
#[derive(Debug, Clone, Copy, Deserialize)]
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

/// A single cited number with optional range.
#[derive(Debug, Clone, Deserialize)]
pub struct Cited {
    /// The value used.
    pub value: f64,
    /// Lower end of the source's range.
    #[serde(default)]
    pub low: Option<f64>,
    /// Upper end of the source's range.
    #[serde(default)]
    pub high: Option<f64>,
    /// Where it comes from (empty when the value is a named assumption).
    #[serde(default)]
    pub source: String,
    /// The named assumption, when no source gives the value.
    #[serde(default)]
    pub assumption: Option<String>,
}

/// Normal nerve-conduction values for one recorded muscle.
#[derive(Debug, Clone, Deserialize)]
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
#[derive(Debug, Clone, Deserialize)]
pub struct ConductionParams {
    /// Distance between the two stimulation sites, mm (assumption).
    pub segment_mm: f64,
    /// Lowest CV (fraction of normal) reached by pure axon loss.
    pub axonal_cv_floor: Cited,
    /// Amplitude drop defining conduction block.
    pub block_drop: Cited,
    /// Smallest distal CMAP, as a fraction of the lower limit of normal, at which block is judged.
    pub block_min_distal_of_lln: Cited,
    /// Standard deviations below the mean taken as the lower limit of normal (named assumption).
    pub lln_sd_multiple: Cited,
    /// Relative increase of the negative-phase duration that counts as abnormal dispersion.
    pub dispersion_increase: Cited,
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
    /// Temporal dispersion of regenerated axons relative to normal.
    pub regenerated_dispersion: Cited,
    /// Normal CMAP negative-peak duration, ms.
    pub cmap_duration_ms: Cited,
    /// Shape of one unit's contribution to the CMAP (named assumption).
    pub unit_waveform: UnitWaveform,
}

/// Shape of one motor unit's contribution to the CMAP (named assumption).
#[derive(Debug, Clone, Deserialize)]
pub struct UnitWaveform {
    /// Duration of the negative phase, ms.
    pub negative_ms: f64,
    /// Height of the positive phase relative to the negative.
    pub positive_ratio: f64,
    /// Duration of the positive phase relative to the negative.
    pub positive_length_ratio: f64,
    /// The named assumption.
    pub assumption: String,
}

/// Normal motor-unit potential.
#[derive(Debug, Clone, Deserialize)]
pub struct MupNormal {
    /// Peak-to-peak amplitude, µV.
    pub amplitude_uv: Stat,
    /// Duration, ms.
    pub duration_ms: Stat,
    /// Source.
    pub source: String,
}

/// Fibrillation timing, grading and amplitude.
#[derive(Debug, Clone, Deserialize)]
pub struct FibrillationParams {
    /// Onset (days after injury) for a lesion next to the muscle.
    pub onset_near_days: Cited,
    /// Onset for a lesion `far_distance_mm` away.
    pub onset_far_days: Cited,
    /// Distance at which `onset_far_days` applies, mm.
    pub far_distance_mm: f64,
    /// Days from onset to full density.
    pub ramp_days: f64,
    /// Fractions of viable fibres fibrillating that start grades 1+ to 4+: the twin's
    /// `fibrillation_grade1`…`fibrillation_grade4` (not read from the views' data file).
    #[serde(skip, default)]
    pub grade_thresholds: [f64; 4],
    /// (month, mean amplitude µV) pairs.
    pub amplitude_by_month: Vec<[f64; 2]>,
    /// Source of the amplitudes.
    pub amplitude_source: String,
    /// Share of spontaneous potentials drawn as positive sharp waves.
    pub psw_fraction: f64,
    /// Firing-rate range of fibrillation potentials, Hz.
    pub rate_hz: RangeCited,
}

/// A cited range.
#[derive(Debug, Clone, Deserialize)]
pub struct RangeCited {
    /// Lower end.
    pub low: f64,
    /// Upper end.
    pub high: f64,
    /// Source.
    #[serde(default)]
    pub source: String,
    /// The named assumption, for any part no source gives.
    #[serde(default)]
    pub assumption: Option<String>,
}

/// Constants of the HTML report.
#[derive(Debug, Clone, Deserialize)]
pub struct ReportParams {
    /// Months of denervation after which reinnervation is unlikely in humans (shaded window).
    pub reinnervation_window_months: RangeCited,
}

/// Recruitment constants.
#[derive(Debug, Clone, Deserialize)]
pub struct RecruitmentParams {
    /// Firing rate at recruitment, Hz.
    pub onset_rate_hz: Cited,
    /// Peak firing rate, Hz.
    pub peak_rate_hz: Cited,
    /// Thresholds of the recruitment-pattern words (a named assumption).
    pub pattern: RecruitmentPattern,
}

/// Thresholds of the recruitment-pattern words ("single unit", "discrete", "reduced", "full").
#[derive(Debug, Clone, Deserialize)]
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

/// How the synthetic needle examination is measured and drawn (named assumptions, except the
/// firing variability from a Fuglevand-type pool).
#[derive(Debug, Clone, Deserialize)]
pub struct NeedleParams {
    /// Length of each MUP record, ms.
    pub mup_window_ms: Cited,
    /// Smallest peak-to-peak amplitude of an accepted MUP, µV.
    pub mup_min_amplitude_uv: Cited,
    /// An accepted MUP's unit has a fibre within this distance of the needle, µm.
    pub mup_max_nearest_um: Cited,
    /// Threshold for MUP start, end and phases, µV.
    pub mup_edge_uv: Cited,
    /// A MUP with more phases than this is polyphasic.
    pub polyphasic_above_phases: Cited,
    /// Positive sharp waves come only from fibres this close to the needle, µm.
    pub psw_radius_um: Cited,
    /// Spontaneous potentials are drawn from fibres within this distance, µm.
    pub rest_radius_um: Cited,
    /// Units drawn in an effort trace have a fibre within this distance, µm.
    pub effort_max_nearest_um: Cited,
    /// Diameter of the fibre whose front passes the needle at 40% of the MUP record, µm.
    pub alignment_fibre_diameter_um: Cited,
    /// Coefficient of variation of motor-unit inter-spike intervals.
    pub firing_cv: Cited,
    /// Half-width of the uniform variation of fibrillation intervals (fraction).
    pub fibrillation_interval_jitter: Cited,
    /// Shape of a positive sharp wave.
    pub psw: PswShape,
}

/// Shape of a positive sharp wave (named assumption).
#[derive(Debug, Clone, Deserialize)]
pub struct PswShape {
    /// Peak height relative to the fibre's own peak-to-peak potential at that distance.
    pub height_ratio: f64,
    /// Rise time of the positive deflection, ms.
    pub rise_ms: f64,
    /// Time constant of the return to baseline, ms.
    pub decay_ms: f64,
    /// The named assumption.
    pub assumption: String,
}

/// Constants of the cross-section picture.
#[derive(Debug, Clone, Deserialize)]
pub struct PictureParams {
    /// A denervated fibre below this fraction of the healthy size is drawn as angular.
    pub atrophic_below: Cited,
    /// Healthy fibre size used when nothing else gives one, µm².
    pub fallback_fibre_csa_um2: Cited,
}

/// Constants of the synthetic test muscles ([`crate::synthetic`]).
#[derive(Debug, Clone, Deserialize)]
pub struct SyntheticParams {
    /// Mean fibre cross-section, µm².
    pub mean_fibre_csa_um2: Cited,
    /// Fat and connective-tissue share of the healthy test muscle.
    pub fat_fibrous_fraction: Cited,
}

#[derive(Debug, Clone, Deserialize)]
struct FixtureFile {
    pictures: PictureParams,
    synthetic: SyntheticParams,
}

/// The embedded picture and synthetic-muscle constants (for callers without a [`Params`], such as
/// [`crate::cross_section::CrossSectionOptions::default`]); `None` only if the embedded data file
/// is malformed, which the crate's tests rule out.
pub fn embedded_fixtures() -> Option<&'static (PictureParams, SyntheticParams)> {
    static CELL: std::sync::OnceLock<Option<(PictureParams, SyntheticParams)>> =
        std::sync::OnceLock::new();
    CELL.get_or_init(|| {
        toml::from_str::<FixtureFile>(ELECTRODIAGNOSIS)
            .ok()
            .map(|f| (f.pictures, f.synthetic))
    })
    .as_ref()
}

/// MRC mapping.
#[derive(Debug, Clone, Deserialize)]
pub struct MrcParams {
    /// Force fractions that start grades 2, 3, 4 and 5 (grade 1: any recruitable unit): the
    /// twin's `mrc2_force`…`mrc5_force` (not read from the views' data file).
    #[serde(skip, default)]
    pub thresholds: [f64; 4],
    /// The grade definitions.
    pub definitions: String,
}

#[derive(Debug, Clone, Deserialize)]
struct ElectroFile {
    ncs: Vec<NcsNormal>,
    default_ncs: NcsNormal,
    conduction: ConductionParams,
    mup_normal: MupNormal,
    fibrillation: FibrillationParams,
    recruitment: RecruitmentParams,
    needle: NeedleParams,
    pictures: PictureParams,
    synthetic: SyntheticParams,
    report: ReportParams,
    mrc: MrcParams,
}

/// Line-source volume-conductor constants.
#[derive(Debug, Clone, Deserialize)]
pub struct VolumeConductor {
    /// Rosenfalck IAP amplitude coefficient, mV.
    pub iap_a_mv: f64,
    /// Rosenfalck IAP length constant, mm.
    pub iap_lambda_mm: f64,
    /// Rosenfalck resting offset, mV.
    pub iap_b_mv: f64,
    /// Intracellular conductivity, S/m.
    pub sigma_i: f64,
    /// Radial extracellular conductivity, S/m.
    pub sigma_r: f64,
    /// Axial extracellular conductivity, S/m.
    pub sigma_z: f64,
    /// MFCV slope, (m/s) per µm diameter.
    pub mfcv_slope: f64,
    /// MFCV intercept, m/s.
    pub mfcv_intercept: f64,
    /// Needle distance from the end-plate zone centre, mm.
    pub needle_to_endplate_mm: f64,
    /// End-plate position scatter, mm.
    pub endplate_zone_sd_mm: f64,
    /// Terminal-branch delay scatter, ms.
    pub terminal_delay_sd_ms: f64,
    /// Terminal-branch delay scatter for nascent units, ms.
    pub nascent_terminal_delay_sd_ms: f64,
    /// Fibres beyond this radial distance are ignored, µm.
    pub pickup_radius_um: f64,
    /// Effective radius of the needle's recording core, µm.
    pub core_radius_um: f64,
    /// Sampling rate of synthetic signals, Hz.
    pub sample_rate_hz: f64,
    /// Amplifier noise RMS, µV.
    pub noise_uv: f64,
}

/// All parameters of the views layer.
#[derive(Debug, Clone)]
pub struct Params {
    /// Normal NCS values per muscle.
    pub ncs: Vec<NcsNormal>,
    /// Fallback NCS values.
    pub default_ncs: NcsNormal,
    /// Conduction constants.
    pub conduction: ConductionParams,
    /// Normal MUP.
    pub mup_normal: MupNormal,
    /// Fibrillations.
    pub fibrillation: FibrillationParams,
    /// Recruitment.
    pub recruitment: RecruitmentParams,
    /// Needle examination: measurement and drawing constants.
    pub needle: NeedleParams,
    /// Cross-section picture constants.
    pub pictures: PictureParams,
    /// Synthetic test-muscle constants.
    pub synthetic: SyntheticParams,
    /// Report constants.
    pub report: ReportParams,
    /// MRC grade mapping.
    pub mrc: MrcParams,
    /// Volume conductor.
    pub volume: VolumeConductor,
}

/// The twin's embedded human coefficients (the default source of the shared clinical scales).
fn human_coefficients() -> Result<twin::Coefficients, ViewError> {
    twin::Parameters::for_species(twin::Species::Human)
        .map(|p| p.coef)
        .map_err(|err| ViewError::Data {
            file: "data/params/human.toml (twin)",
            message: err.to_string(),
        })
}

impl Params {
    /// The embedded, cited parameter set, with the clinical scales of the twin's human parameters.
    pub fn embedded() -> Result<Params, ViewError> {
        Params::embedded_for(&human_coefficients()?)
    }

    /// The embedded, cited parameter set, with the clinical scales (MRC force and fibrillation
    /// grade thresholds) of the given twin coefficients — use the simulation's own
    /// (`twin::Simulation::coefficients`) so that views and twin grade alike.
    pub fn embedded_for(coef: &twin::Coefficients) -> Result<Params, ViewError> {
        Params::from_toml_with(ELECTRODIAGNOSIS, VOLUME_CONDUCTOR, coef)
    }

    /// Parameters from user-supplied TOML text (same layout as the embedded files), with the
    /// clinical scales of the twin's human parameters.
    pub fn from_toml(electro: &str, volume: &str) -> Result<Params, ViewError> {
        Params::from_toml_with(electro, volume, &human_coefficients()?)
    }

    /// Parameters from user-supplied TOML text and the clinical scales of `coef`.
    pub fn from_toml_with(
        electro: &str,
        volume: &str,
        coef: &twin::Coefficients,
    ) -> Result<Params, ViewError> {
        let e: ElectroFile = toml::from_str(electro).map_err(|err| ViewError::Data {
            file: "electrodiagnosis.toml",
            message: err.to_string(),
        })?;
        let v: VolumeConductor = toml::from_str(volume).map_err(|err| ViewError::Data {
            file: "volume_conductor.toml",
            message: err.to_string(),
        })?;
        let mut mrc = e.mrc;
        mrc.thresholds = [
            coef.mrc2_force,
            coef.mrc3_force,
            coef.mrc4_force,
            coef.mrc5_force,
        ];
        let mut fibrillation = e.fibrillation;
        fibrillation.grade_thresholds = [
            coef.fibrillation_grade1,
            coef.fibrillation_grade2,
            coef.fibrillation_grade3,
            coef.fibrillation_grade4,
        ];
        let p = Params {
            ncs: e.ncs,
            default_ncs: e.default_ncs,
            conduction: e.conduction,
            mup_normal: e.mup_normal,
            fibrillation,
            recruitment: e.recruitment,
            needle: e.needle,
            pictures: e.pictures,
            synthetic: e.synthetic,
            report: e.report,
            mrc,
            volume: v,
        };
        p.validate()?;
        Ok(p)
    }

    fn validate(&self) -> Result<(), ViewError> {
        let positive = [
            ("conduction.segment_mm", self.conduction.segment_mm),
            (
                "conduction.unit_waveform.negative_ms",
                self.conduction.unit_waveform.negative_ms,
            ),
            (
                "conduction.unit_waveform.positive_length_ratio",
                self.conduction.unit_waveform.positive_length_ratio,
            ),
            ("volume.sigma_r", self.volume.sigma_r),
            ("volume.sigma_z", self.volume.sigma_z),
            ("volume.sigma_i", self.volume.sigma_i),
            ("volume.sample_rate_hz", self.volume.sample_rate_hz),
            ("volume.pickup_radius_um", self.volume.pickup_radius_um),
            (
                "fibrillation.far_distance_mm",
                self.fibrillation.far_distance_mm,
            ),
            ("fibrillation.ramp_days", self.fibrillation.ramp_days),
            ("needle.mup_window_ms", self.needle.mup_window_ms.value),
            ("needle.psw.rise_ms", self.needle.psw.rise_ms),
            ("needle.psw.decay_ms", self.needle.psw.decay_ms),
            (
                "needle.alignment_fibre_diameter_um",
                self.needle.alignment_fibre_diameter_um.value,
            ),
        ];
        for (field, value) in positive {
            if !(value.is_finite() && value > 0.0) {
                return Err(ViewError::Value {
                    field,
                    value,
                    expected: "a positive finite number",
                });
            }
        }
        let rp = &self.recruitment.pattern;
        if !(rp.discrete_below > 0.0
            && rp.discrete_below < rp.reduced_below
            && rp.reduced_below <= 1.0)
        {
            return Err(ViewError::Value {
                field: "recruitment.pattern.discrete_below",
                value: rp.discrete_below,
                expected: "0 < discrete_below < reduced_below <= 1",
            });
        }
        let t = self.mrc.thresholds;
        if !(t.windows(2).all(|w| w[0] < w[1]) && t[0] > 0.0 && t[3] <= 1.0) {
            return Err(ViewError::Value {
                field: "mrc thresholds (twin mrc2_force..mrc5_force)",
                value: t[0],
                expected: "four increasing fractions in (0, 1]",
            });
        }
        let g = self.fibrillation.grade_thresholds;
        if !(g.windows(2).all(|w| w[0] < w[1]) && g[0] > 0.0 && g[3] <= 1.0) {
            return Err(ViewError::Value {
                field: "fibrillation grade thresholds (twin fibrillation_grade1..4)",
                value: g[0],
                expected: "four increasing fractions in (0, 1]",
            });
        }
        Ok(())
    }

    /// Normal NCS values for a muscle (matched case-insensitively by name or abbreviation);
    /// the default entry when none matches.
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
    fn embedded_parameters_load_and_validate() {
        let p = Params::embedded().unwrap();
        assert!((p.ncs_for("apb").cmap_mv.mean - 10.2).abs() < 1e-9);
        assert!((p.ncs_for("AH").dl_ms.mean - 4.3).abs() < 1e-9);
        assert_eq!(p.ncs_for("unknown muscle").source, p.default_ncs.source);
    }

    #[test]
    fn bad_thresholds_are_rejected() {
        let mut coef = human_coefficients().unwrap();
        coef.mrc2_force = 0.30;
        assert!(Params::from_toml_with(ELECTRODIAGNOSIS, VOLUME_CONDUCTOR, &coef).is_err());
        let mut coef = human_coefficients().unwrap();
        coef.fibrillation_grade3 = 0.01;
        assert!(Params::from_toml_with(ELECTRODIAGNOSIS, VOLUME_CONDUCTOR, &coef).is_err());
    }

    #[test]
    fn embedded_fixtures_match_the_full_parameter_set() {
        let p = Params::embedded().unwrap();
        let (pic, syn) = embedded_fixtures().unwrap();
        assert_eq!(pic.atrophic_below.value, p.pictures.atrophic_below.value);
        assert_eq!(
            syn.mean_fibre_csa_um2.value,
            p.synthetic.mean_fibre_csa_um2.value
        );
    }

    #[test]
    fn lower_limits_of_normal_follow_the_source_kind() {
        let p = Params::embedded().unwrap();
        let k = p.conduction.lln_sd_multiple.value;
        // mean 10.2, SD 3.6: mean - 2 SD.
        assert!((p.ncs_for("APB").cmap_lln_mv(k) - 3.0).abs() < 1e-9);
        // range given: its lower end.
        assert!((p.ncs_for("AH").cmap_lln_mv(k) - 3.4).abs() < 1e-9);
        // a normal limit only.
        assert!((p.ncs_for("EIP").cmap_lln_mv(k) - 4.0).abs() < 1e-9);
    }

    #[test]
    fn clinical_scales_are_the_twins() {
        let coef = human_coefficients().unwrap();
        let p = Params::embedded().unwrap();
        assert_eq!(
            p.mrc.thresholds,
            [
                coef.mrc2_force,
                coef.mrc3_force,
                coef.mrc4_force,
                coef.mrc5_force
            ]
        );
        assert_eq!(
            p.fibrillation.grade_thresholds,
            [
                coef.fibrillation_grade1,
                coef.fibrillation_grade2,
                coef.fibrillation_grade3,
                coef.fibrillation_grade4
            ]
        );
    }
}
