//! One day of the twin read as a clinician records it.
//!
//! Every reading is a function of the twin's daily [`twin::Quantities`] — the numbers that
//! `calibrate` checks against published experiments — and of the constants in
//! `data/readout/readout.toml`. There is one model per reading:
//!
//! * **MRC grade**: the twin's `mrc_grade` (voluntary force against the twin's `mrc2_force`…
//!   `mrc5_force`; 0 with no working unit). The twin's event days (MRC 3, MRC 5 reached) come
//!   from the same grade.
//! * **Strength**: voluntary force; force on *direct muscle stimulation* (every living fibre,
//!   the twin's `tetanic_force_fraction`); force on *supramaximal nerve stimulation distal to the
//!   lesion* (fibres of units whose axon still conducts distally, blocked ones included).
//! * **Size**: muscle mass and cross-section, mean fibre cross-section, fat/fibrous share,
//!   innervated-fibre share.
//! * **CMAP**: distal and proximal amplitude as a fraction of baseline (twin) and in mV (times the
//!   cited normal mean of the muscle); the level word (absent / reduced / normal); distal latency
//!   and conduction velocity from the fastest conducting axon (native axons: linear from the
//!   70–75% floor of pure axon loss; regenerated axons: Buchthal & Kühl 1979 by months since the
//!   first reconnected); conduction block by the EFNS/PNS 2010 criteria.
//! * **Fibrillations / positive sharp waves**: the twin's `fibrillation_grade` (0–4+).
//! * **Recruitment**: units a voluntary command can fire, their fraction of baseline, the firing
//!   rate of the first unit at a weak effort and the pattern word.
//! * **MUP type**: none without a recruitable unit; nascent when many functioning units are
//!   recently reinnervated; neurogenic when units are enlarged; otherwise normal.
//!
//! The readout needs no fibre positions: it reads alike at fibre and pooled resolution.

use serde::Serialize;

use crate::constants::Constants;

/// The three-level reading of a CMAP or of recruitment and the MUP type: the workspace's one
/// definition of these findings words.
pub use vocabulary::findings::{Level, MupType};

/// The recruitment pattern word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Pattern {
    /// No unit can be recruited.
    None,
    /// One to a few units.
    SingleUnit,
    /// Discrete units.
    Discrete,
    /// Reduced.
    Reduced,
    /// Full interference.
    Full,
}

impl Pattern {
    /// The word as a clinician writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Pattern::None => "none",
            Pattern::SingleUnit => "single unit",
            Pattern::Discrete => "discrete",
            Pattern::Reduced => "reduced",
            Pattern::Full => "full",
        }
    }

    /// The three-level reading: none = absent, full = normal, anything else = reduced.
    pub fn level(self) -> Level {
        match self {
            Pattern::None => Level::Absent,
            Pattern::Full => Level::Normal,
            _ => Level::Reduced,
        }
    }
}

/// Strength.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Strength {
    /// MRC grade 0–5.
    pub mrc: u8,
    /// Maximal voluntary force relative to healthy.
    pub voluntary_force_fraction: f64,
    /// Force on direct (supramaximal) muscle stimulation relative to healthy: every living fibre.
    pub direct_muscle_stimulation_force_fraction: f64,
    /// Force on supramaximal nerve stimulation distal to the lesion relative to healthy.
    pub distal_nerve_stimulation_force_fraction: f64,
}

/// Size.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Size {
    /// Muscle wet mass relative to healthy.
    pub muscle_mass_fraction: f64,
    /// Muscle anatomical cross-section relative to healthy.
    pub muscle_csa_fraction: f64,
    /// Mean fibre cross-section relative to healthy.
    pub fibre_csa_fraction: f64,
    /// Share of the muscle that is fat or connective tissue.
    pub fat_fibrous_fraction: f64,
    /// Share of surviving fibres with a motor axon.
    pub innervated_fibre_fraction: f64,
}

/// Nerve conduction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cmap {
    /// Distal CMAP (stimulation between the lesion and the muscle) relative to baseline.
    pub distal_fraction: f64,
    /// Distal CMAP negative-peak amplitude, mV.
    pub distal_mv: f64,
    /// Proximal CMAP (stimulation above the lesion) relative to baseline.
    pub proximal_fraction: f64,
    /// Proximal CMAP amplitude, mV.
    pub proximal_mv: f64,
    /// The distal CMAP as a word.
    pub level: Level,
    /// Distal motor latency, ms (`None` without a distal response).
    pub distal_latency_ms: Option<f64>,
    /// Motor conduction velocity, m/s (`None` without a proximal response).
    pub velocity_m_s: Option<f64>,
    /// Conduction block (EFNS/PNS 2010).
    pub block: bool,
    /// Functional motor units counted by distal stimulation.
    pub motor_units: f64,
    /// Source of the normal values used for millivolts and milliseconds.
    pub normal_source: String,
}

/// Recruitment at a weak effort.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Recruitment {
    /// Units a voluntary command can fire.
    pub units: f64,
    /// Relative to baseline.
    pub fraction: f64,
    /// Firing rate of the first recruited unit, Hz (0 with none).
    pub firing_rate_hz: f64,
    /// The pattern word.
    pub pattern: Pattern,
    /// Three-level reading (none / reduced / normal).
    pub level: Level,
}

/// Needle EMG.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Needle {
    /// Fibrillations and positive sharp waves, 0–4 (4 = 4+).
    pub fibrillation_grade: u8,
    /// MUP type.
    pub mup: MupType,
    /// Recruitment.
    pub recruitment: Recruitment,
    /// Mean functional unit size relative to healthy.
    pub motor_unit_size_fraction: f64,
    /// Share of functional units recently reinnervated.
    pub nascent_unit_fraction: f64,
}

/// Everything a clinician would record on one day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Readout {
    /// Day.
    pub day: u32,
    /// Strength.
    pub strength: Strength,
    /// Size.
    pub size: Size,
    /// Nerve conduction.
    pub cmap: Cmap,
    /// Needle EMG.
    pub needle: Needle,
}

/// Reads one day of the twin (`q`) for `muscle` (selects the normal NCS values).
pub fn read(c: &Constants, muscle: &str, q: &twin::Quantities) -> Readout {
    Readout {
        day: q.day,
        strength: strength(q),
        size: size(q),
        cmap: cmap(c, muscle, q),
        needle: Needle {
            fibrillation_grade: fibrillation_grade(q),
            mup: mup_type(c, q),
            recruitment: recruitment(c, q),
            motor_unit_size_fraction: q.motor_unit_size_fraction,
            nascent_unit_fraction: q.nascent_unit_fraction,
        },
    }
}

/// The strength reading.
pub fn strength(q: &twin::Quantities) -> Strength {
    Strength {
        mrc: q.mrc_grade,
        voluntary_force_fraction: q.voluntary_force_fraction,
        direct_muscle_stimulation_force_fraction: q.tetanic_force_fraction,
        distal_nerve_stimulation_force_fraction: q.nerve_stimulation_force_fraction,
    }
}

/// The size reading.
pub fn size(q: &twin::Quantities) -> Size {
    Size {
        muscle_mass_fraction: q.muscle_mass_fraction,
        muscle_csa_fraction: q.muscle_csa_fraction,
        fibre_csa_fraction: q.fiber_csa_fraction,
        fat_fibrous_fraction: q.fat_fibrous_fraction,
        innervated_fibre_fraction: q.innervated_fiber_fraction,
    }
}

/// The fibrillation/positive-sharp-wave grade, 0–4.
pub fn fibrillation_grade(q: &twin::Quantities) -> u8 {
    q.fibrillation_grade
}

/// The distal CMAP as a fraction of baseline (the amplitude the readout reports).
pub fn cmap_fraction(q: &twin::Quantities) -> f64 {
    q.cmap_fraction
}

/// The nerve-conduction reading.
pub fn cmap(c: &Constants, muscle: &str, q: &twin::Quantities) -> Cmap {
    let normal = c.ncs_for(muscle);
    let k = &c.conduction;
    let absent = c.cmap_level.absent_below.value;
    let distal = cmap_fraction(q);
    let proximal = q.proximal_cmap_fraction;
    let level = cmap_level(c, distal);
    // Fastest axon conducting distally: a native one if any survive, else the regenerated
    // axon that reconnected first.
    let native =
        (q.native_unit_count_fraction > 0.0).then(|| k.native_cv(q.native_unit_count_fraction));
    let regenerated =
        (q.regenerated_unit_fraction > 0.0).then(|| k.regenerated_cv(q.oldest_reconnection_days));
    let cv_rel = match (native, regenerated) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    let distal_mv = distal * normal.cmap_mv.mean;
    let lln = normal.cmap_lln_mv(k.lln_sd_multiple.value);
    let judgeable = distal >= absent && distal_mv >= k.block_min_distal_of_lln.value * lln;
    Cmap {
        distal_fraction: distal,
        distal_mv,
        proximal_fraction: proximal,
        proximal_mv: proximal * normal.cmap_mv.mean,
        level,
        distal_latency_ms: cv_rel
            .filter(|_| distal >= absent)
            .map(|v| normal.dl_ms.mean / v),
        velocity_m_s: cv_rel
            .filter(|_| proximal >= absent)
            .map(|v| normal.cv_m_s.mean * v),
        block: judgeable && proximal < (1.0 - k.block_drop.value) * distal,
        motor_units: q.motor_unit_count,
        normal_source: normal.source.clone(),
    }
}

/// The distal CMAP as a word.
pub fn cmap_level(c: &Constants, fraction: f64) -> Level {
    if fraction < c.cmap_level.absent_below.value {
        Level::Absent
    } else if fraction < c.cmap_level.reduced_below.value {
        Level::Reduced
    } else {
        Level::Normal
    }
}

/// The recruitment reading.
pub fn recruitment(c: &Constants, q: &twin::Quantities) -> Recruitment {
    let r = &c.recruitment;
    let units = q.voluntary_unit_count;
    let fraction = q.voluntary_unit_count_fraction;
    let pattern = if units < 0.5 {
        Pattern::None
    } else if units <= r.pattern.single_unit_max as f64 {
        Pattern::SingleUnit
    } else if fraction < r.pattern.discrete_below {
        Pattern::Discrete
    } else if fraction < r.pattern.reduced_below {
        Pattern::Reduced
    } else {
        Pattern::Full
    };
    let firing_rate_hz = if pattern == Pattern::None {
        0.0
    } else {
        (r.onset_rate_hz.value / fraction.max(1e-9).sqrt()).min(r.peak_rate_hz.value)
    };
    Recruitment {
        units,
        fraction,
        firing_rate_hz,
        pattern,
        level: pattern.level(),
    }
}

/// The MUP type.
pub fn mup_type(c: &Constants, q: &twin::Quantities) -> MupType {
    if q.voluntary_unit_count < 0.5 {
        MupType::None
    } else if q.nascent_unit_fraction >= c.mup_type.nascent_from_fraction.value {
        MupType::Nascent
    } else if q.motor_unit_size_fraction >= c.mup_type.neurogenic_from_size.value {
        MupType::Neurogenic
    } else {
        MupType::Normal
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn healthy() -> twin::Quantities {
        twin::Quantities {
            day: 0,
            muscle_mass_fraction: 1.0,
            muscle_csa_fraction: 1.0,
            fiber_csa_fraction: 1.0,
            fiber_diameter_fraction: 1.0,
            fat_fibrous_fraction: 0.1,
            tetanic_force_fraction: 1.0,
            voluntary_force_fraction: 1.0,
            nerve_stimulation_force_fraction: 1.0,
            innervated_fiber_fraction: 1.0,
            motor_unit_count: 200.0,
            motor_unit_count_fraction: 1.0,
            motor_unit_size_fraction: 1.0,
            cmap_fraction: 1.0,
            proximal_cmap_fraction: 1.0,
            fibrillation_grade: 0,
            mrc_grade: 5,
            conduction_block_fraction: 0.0,
            nascent_unit_fraction: 0.0,
            voluntary_unit_count: 200.0,
            voluntary_unit_count_fraction: 1.0,
            native_unit_count_fraction: 1.0,
            regenerated_unit_fraction: 0.0,
            oldest_reconnection_days: 0.0,
        }
    }

    #[test]
    fn a_healthy_muscle_reads_normal() {
        let c = Constants::embedded().unwrap();
        let r = read(c, "APB", &healthy());
        assert_eq!(r.strength.mrc, 5);
        assert_eq!(r.cmap.level, Level::Normal);
        assert!((r.cmap.distal_mv - 10.2).abs() < 1e-9);
        assert!((r.cmap.distal_latency_ms.unwrap() - 3.7).abs() < 1e-9);
        assert!((r.cmap.velocity_m_s.unwrap() - 57.0).abs() < 1e-9);
        assert!(!r.cmap.block);
        assert_eq!(r.needle.mup, MupType::Normal);
        assert_eq!(r.needle.recruitment.pattern, Pattern::Full);
        assert!((r.needle.recruitment.firing_rate_hz - 8.0).abs() < 1e-9);
    }

    #[test]
    fn neurapraxia_reads_as_block_with_a_normal_distal_cmap() {
        let c = Constants::embedded().unwrap();
        let mut q = healthy();
        q.proximal_cmap_fraction = 0.1;
        q.voluntary_unit_count = 20.0;
        q.voluntary_unit_count_fraction = 0.1;
        let r = read(c, "APB", &q);
        assert!(r.cmap.block);
        assert_eq!(r.cmap.level, Level::Normal);
        assert_eq!(r.needle.recruitment.pattern, Pattern::Reduced);
    }

    #[test]
    fn complete_axon_loss_reads_absent() {
        let c = Constants::embedded().unwrap();
        let mut q = healthy();
        q.cmap_fraction = 0.0;
        q.proximal_cmap_fraction = 0.0;
        q.voluntary_unit_count = 0.0;
        q.voluntary_unit_count_fraction = 0.0;
        q.native_unit_count_fraction = 0.0;
        q.motor_unit_count = 0.0;
        q.mrc_grade = 0;
        let r = read(c, "APB", &q);
        assert_eq!(r.cmap.level, Level::Absent);
        assert_eq!(r.cmap.distal_latency_ms, None);
        assert_eq!(r.cmap.velocity_m_s, None);
        assert!(!r.cmap.block, "block is not judged without a distal CMAP");
        assert_eq!(r.needle.mup, MupType::None);
        assert_eq!(r.needle.recruitment.pattern, Pattern::None);
        assert_eq!(r.needle.recruitment.level, Level::Absent);
    }

    #[test]
    fn regenerated_axons_conduct_slowly_and_show_nascent_units() {
        let c = Constants::embedded().unwrap();
        let mut q = healthy();
        q.native_unit_count_fraction = 0.0;
        q.regenerated_unit_fraction = 1.0;
        q.oldest_reconnection_days = 30.0;
        q.nascent_unit_fraction = 1.0;
        q.cmap_fraction = 0.2;
        q.proximal_cmap_fraction = 0.2;
        let r = read(c, "APB", &q);
        let v = r.cmap.velocity_m_s.unwrap();
        assert!(v < 0.3 * 57.0, "{v}");
        assert!(r.cmap.distal_latency_ms.unwrap() > 3.7 * 3.0);
        assert_eq!(r.needle.mup, MupType::Nascent);
        q.nascent_unit_fraction = 0.0;
        q.motor_unit_size_fraction = 3.0;
        assert_eq!(mup_type(c, &q), MupType::Neurogenic);
    }
}
