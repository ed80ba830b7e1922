//! Model constants of the views-as-data, read from the cited data files in `data/views/`.
//!
//! `electrodiagnosis.toml` holds how the synthetic CMAP waveform is shaped (unit waveform,
//! regenerated-axon dispersion), the normal MUP (healthy TA quantitative EMG), fibrillation
//! amplitude and rate (Kraft 1990; a textbook figure), the needle-examination and picture
//! constants. `volume_conductor.toml` holds the line-source model constants (Rosenfalck 1969;
//! Nandedkar & Stålberg 1983; Blijham et al. 2006). Every entry carries its source or is marked as
//! an assumption in the file itself.
//!
//! The clinical readings and their constants — normal nerve-conduction values, conduction slowing,
//! block criteria, recruitment and MUP-type cut-offs — are the clinical readout's
//! (`readout::Constants`, `data/readout/readout.toml`); [`Params::readout`] carries them, so that
//! a picture is drawn with the same numbers the readout reads.

use serde::Deserialize;

use crate::ViewError;

const ELECTRODIAGNOSIS: &str = include_str!("../../../data/views/electrodiagnosis.toml");
const VOLUME_CONDUCTOR: &str = include_str!("../../../data/views/volume_conductor.toml");
const STAINS: &str = include_str!("../../../data/views/stains.toml");

/// One histochemical stain as the cross-section draws it (`data/views/stains.toml`): what it shows
/// (cited) and the colours used (a named assumption).
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct Stain {
    /// Short id (`atpase94`, `atpase43`, `nadh`, `he`).
    pub id: String,
    /// Label printed on the picture.
    pub label: String,
    /// The published appearance the picture follows.
    pub appearance: String,
    /// Where the appearance is described.
    pub appearance_source: String,
    /// The named assumption behind the colours.
    pub colours: String,
    /// Type 1 fibres.
    pub type_i: String,
    /// Type 2 fibres.
    pub type_ii: String,
    /// Small angular denervated fibres, when the stain shows them differently from their type.
    #[serde(default)]
    pub atrophic: Option<String>,
    /// Which fibres show targets (named assumption), when the stain shows targets.
    #[serde(default)]
    pub target_rule: Option<String>,
    /// Share of the fibres the rule admits that are drawn with a target (named assumption).
    #[serde(default)]
    pub target_share: Option<f64>,
    /// Pale core of a target fibre.
    #[serde(default)]
    pub target_core: Option<String>,
    /// Dark rim of a target fibre.
    #[serde(default)]
    pub target_rim: Option<String>,
    /// Nuclei, when the stain shows them.
    #[serde(default)]
    pub nucleus: Option<String>,
    /// Days of denervation after which an atrophic fibre shows a nuclear clump.
    #[serde(default)]
    pub nuclear_clump_after_days: Option<f64>,
    /// Endomysium.
    pub endomysium: String,
    /// Perimysium.
    pub perimysium: String,
    /// Adipocytes.
    pub adipocyte: String,
    /// Fibre outlines.
    pub outline: String,
}

#[derive(Debug, Clone, Deserialize)]
struct StainFile {
    stain: Vec<Stain>,
}

/// The embedded stains (`data/views/stains.toml`), checked: every colour `#rrggbb`, ids unique.
pub fn stains() -> Result<Vec<Stain>, ViewError> {
    let f: StainFile = toml::from_str(STAINS).map_err(|err| ViewError::Data {
        file: "data/views/stains.toml",
        message: err.to_string(),
    })?;
    for s in &f.stain {
        let colours = [
            Some(&s.type_i),
            Some(&s.type_ii),
            s.atrophic.as_ref(),
            s.target_core.as_ref(),
            s.target_rim.as_ref(),
            s.nucleus.as_ref(),
            Some(&s.endomysium),
            Some(&s.perimysium),
            Some(&s.adipocyte),
            Some(&s.outline),
        ];
        for c in colours.into_iter().flatten() {
            let ok = c.len() == 7
                && c.starts_with('#')
                && c[1..].chars().all(|ch| ch.is_ascii_hexdigit());
            if !ok {
                return Err(ViewError::Data {
                    file: "data/views/stains.toml",
                    message: format!("stain `{}`: colour `{c}` is not #rrggbb", s.id),
                });
            }
        }
        if let Some(x) = s.target_share
            && !(0.0..=1.0).contains(&x)
        {
            return Err(ViewError::Data {
                file: "data/views/stains.toml",
                message: format!(
                    "stain `{}`: target_share = {x}: expected a share in [0, 1]",
                    s.id
                ),
            });
        }
        if f.stain.iter().filter(|t| t.id == s.id).count() > 1 {
            return Err(ViewError::Data {
                file: "data/views/stains.toml",
                message: format!("stain id `{}` appears twice", s.id),
            });
        }
    }
    Ok(f.stain)
}

/// A cited value: mean and optional spread or limits (the readout's one definition).
pub use readout::constants::Stat;

/// A single cited number with optional range (the workspace's one definition).
pub use vocabulary::Cited;

/// Constants of the synthetic CMAP waveform.
#[derive(Debug, Clone, Deserialize)]
pub struct ConductionParams {
    /// Distance between the two stimulation sites, mm (assumption).
    pub segment_mm: f64,
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

/// Fibrillation amplitude and rate of the synthetic EMG (which fibres fibrillate is the twin's
/// rule, carried by [`crate::MuscleState::fibrillation_delay_days`]).
#[derive(Debug, Clone, Deserialize)]
pub struct FibrillationParams {
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
    /// Neuromuscular jitter of a mature unit (mean consecutive difference), µs.
    pub jitter_mcd_us: Cited,
    /// Neuromuscular jitter of a nascent unit (mean consecutive difference), µs.
    pub nascent_jitter_mcd_us: Cited,
    /// Probability that a nascent unit's fibre is blocked on a discharge.
    pub nascent_blocking: Cited,
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
    /// Healthy fibres per fascicle in the mosaic.
    pub fascicle_fibres: Cited,
    /// Perimysium thickness between fascicles, µm.
    pub perimysium_um: Cited,
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

#[derive(Debug, Clone, Deserialize)]
struct ElectroFile {
    conduction: ConductionParams,
    mup_normal: MupNormal,
    fibrillation: FibrillationParams,
    needle: NeedleParams,
    pictures: PictureParams,
    synthetic: SyntheticParams,
    report: ReportParams,
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
    /// Measured mean muscle-fibre conduction velocity of healthy muscle, m/s: a fibre of the
    /// muscle's healthy mean size conducts at it ([`crate::line_source::LineSource::velocity`]).
    pub mfcv_mean_m_s: f64,
    /// Needle distance from the end-plate zone centre, mm.
    pub needle_to_endplate_mm: f64,
    /// End-plate position scatter, mm.
    pub endplate_zone_sd_mm: f64,
    /// Length of a fibre from its end plate to each tendon, mm (the end plate mid-fibre).
    pub endplate_to_tendon_mm: f64,
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
    /// The clinical readout's constants (normal NCS values, conduction slowing, recruitment).
    pub readout: readout::Constants,
    /// Synthetic CMAP waveform constants.
    pub conduction: ConductionParams,
    /// Normal MUP.
    pub mup_normal: MupNormal,
    /// Fibrillations.
    pub fibrillation: FibrillationParams,
    /// Needle examination: measurement and drawing constants.
    pub needle: NeedleParams,
    /// Cross-section picture constants.
    pub pictures: PictureParams,
    /// Synthetic test-muscle constants.
    pub synthetic: SyntheticParams,
    /// Report constants.
    pub report: ReportParams,
    /// Volume conductor.
    pub volume: VolumeConductor,
}

impl Params {
    /// The embedded, cited parameter set with the embedded readout constants.
    pub fn embedded() -> Result<Params, ViewError> {
        Params::from_toml(ELECTRODIAGNOSIS, VOLUME_CONDUCTOR)
    }

    /// Parameters from user-supplied TOML text (same layout as the embedded files), with the
    /// embedded readout constants.
    pub fn from_toml(electro: &str, volume: &str) -> Result<Params, ViewError> {
        let readout = readout::Constants::embedded()?;
        Params::from_toml_with(electro, volume, readout.clone())
    }

    /// Parameters from user-supplied TOML text and the given readout constants.
    pub fn from_toml_with(
        electro: &str,
        volume: &str,
        readout: readout::Constants,
    ) -> Result<Params, ViewError> {
        let e: ElectroFile = toml::from_str(electro).map_err(|err| ViewError::Data {
            file: "electrodiagnosis.toml",
            message: err.to_string(),
        })?;
        let v: VolumeConductor = toml::from_str(volume).map_err(|err| ViewError::Data {
            file: "volume_conductor.toml",
            message: err.to_string(),
        })?;
        let p = Params {
            readout,
            conduction: e.conduction,
            mup_normal: e.mup_normal,
            fibrillation: e.fibrillation,
            needle: e.needle,
            pictures: e.pictures,
            synthetic: e.synthetic,
            report: e.report,
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
            ("volume.mfcv_mean_m_s", self.volume.mfcv_mean_m_s),
            ("volume.sample_rate_hz", self.volume.sample_rate_hz),
            ("volume.pickup_radius_um", self.volume.pickup_radius_um),
            (
                "volume.endplate_to_tendon_mm",
                self.volume.endplate_to_tendon_mm,
            ),
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
        let unit_interval = [
            (
                "needle.jitter_mcd_us",
                self.needle.jitter_mcd_us.value,
                f64::INFINITY,
            ),
            (
                "needle.nascent_jitter_mcd_us",
                self.needle.nascent_jitter_mcd_us.value,
                f64::INFINITY,
            ),
            (
                "needle.nascent_blocking",
                self.needle.nascent_blocking.value,
                1.0,
            ),
        ];
        for (field, value, max) in unit_interval {
            if !(value.is_finite() && (0.0..=max).contains(&value)) {
                return Err(ViewError::Value {
                    field,
                    value,
                    expected: if max == 1.0 {
                        "a fraction from 0 to 1"
                    } else {
                        "a finite number, 0 or more"
                    },
                });
            }
        }
        Ok(())
    }

    /// Normal NCS values for a muscle (matched case-insensitively by name or abbreviation);
    /// the default entry when none matches.
    pub fn ncs_for(&self, muscle: &str) -> &readout::constants::NcsNormal {
        self.readout.ncs_for(muscle)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_parameters_load_and_validate() {
        let p = Params::embedded().unwrap();
        assert!((p.ncs_for("apb").cmap_mv.mean - 10.2).abs() < 1e-9);
        assert!(p.conduction.segment_mm > 0.0);
    }

    #[test]
    fn a_bad_segment_is_rejected_with_the_field() {
        let bad = ELECTRODIAGNOSIS.replacen("segment_mm = 200.0", "segment_mm = -1.0", 1);
        assert_ne!(bad, ELECTRODIAGNOSIS);
        let e = Params::from_toml(&bad, VOLUME_CONDUCTOR).unwrap_err();
        assert!(e.to_string().contains("conduction.segment_mm"), "{e}");
    }

    #[test]
    fn embedded_stains_load_with_their_sources() {
        let s = stains().unwrap();
        let ids: Vec<&str> = s.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["atpase94", "atpase43", "nadh", "he"]);
        assert!(
            s.iter()
                .all(|t| !t.appearance_source.is_empty() && !t.colours.is_empty())
        );
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
}
