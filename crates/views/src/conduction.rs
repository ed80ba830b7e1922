//! Nerve conduction: the compound muscle action potential (CMAP) with stimulation distal and
//! proximal to the lesion.
//!
//! The CMAP is built as a sum of motor-unit responses. Each unit contributes in proportion to the
//! summed cross-sectional area of its fibres that the stimulated axon can excite (the far-field
//! current of a fibre scales with its cross-section). A unit's response is a fixed biphasic shape
//! delayed by the unit's latency: distal latency scaled by the unit's relative conduction velocity
//! (units ordered by index from slowest to fastest, spanning the cited axonal floor of 70–75% to
//! 100% of normal — a named assumption that the fastest axons are the largest units), plus the
//! proximal segment for proximal stimulation. Regenerated axons conduct at the Buchthal & Kühl
//! (1979) fractions, maturing with months since reconnection.
//!
//! So: pure axon loss lowers the amplitude with little slowing until only slow axons remain;
//! neurapraxia (blocked units conduct distally, not proximally) keeps the distal CMAP and loses
//! the proximal one (conduction block); regenerating axons give small, late, dispersed responses
//! with phase cancellation. Amplitudes are relative to the reference (pre-injury) muscle and in mV
//! via the cited normal mean for the muscle.

use serde::Serialize;

use crate::params::{Params, UnitWaveform};
use crate::state::{AxonState, MuscleState};

/// Sampling step of the CMAP waveform, ms.
pub const CMAP_DT_MS: f64 = 0.1;
/// Length of the CMAP record, ms.
pub const CMAP_WINDOW_MS: f64 = 100.0;

/// Where the nerve is stimulated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Site {
    /// Between the lesion and the muscle.
    Distal,
    /// Above the lesion.
    Proximal,
}

/// One CMAP.
#[derive(Debug, Clone, Serialize)]
pub struct Cmap {
    /// Stimulation site.
    pub site: Site,
    /// Negative-peak amplitude relative to the reference muscle's distal CMAP.
    pub relative: f64,
    /// Negative-peak amplitude, mV (relative × cited normal mean).
    pub amplitude_mv: f64,
    /// Onset latency, ms (None when there is no response).
    pub latency_ms: Option<f64>,
    /// Duration of the negative phase, ms.
    pub duration_ms: f64,
    /// Waveform in relative units (negative peak positive), sampled every [`CMAP_DT_MS`].
    #[serde(skip)]
    pub waveform: Vec<f64>,
}

/// Nerve-conduction findings of a day.
#[derive(Debug, Clone, Serialize)]
pub struct Conduction {
    /// Distal stimulation.
    pub distal: Cmap,
    /// Proximal stimulation.
    pub proximal: Cmap,
    /// Conduction velocity across the segment, m/s (None when either response is absent).
    pub cv_m_s: Option<f64>,
    /// Conduction block: proximal amplitude at least 50% below distal, with a distal CMAP at
    /// least 20% of the lower limit of normal (EFNS/PNS 2010).
    pub block: bool,
    /// Abnormal temporal dispersion: proximal negative-phase duration > 30% longer than distal.
    pub dispersion: bool,
    /// Cited normal values used.
    pub normal_source: String,
}

/// One unit's contribution at `t` ms after its latency: a negative half-sine (plotted up), then
/// a smaller, longer positive half-sine (`data/views/electrodiagnosis.toml`, named assumption).
fn unit_shape(w: &UnitWaveform, t: f64) -> f64 {
    let neg = w.negative_ms;
    let pos = w.positive_length_ratio * neg;
    if t < 0.0 {
        0.0
    } else if t < neg {
        (std::f64::consts::PI * t / neg).sin()
    } else if t < neg + pos {
        -w.positive_ratio * (std::f64::consts::PI * (t - neg) / pos).sin()
    } else {
        0.0
    }
}

/// Relative conduction velocity of each unit on this day.
pub fn unit_cv(params: &Params, state: &MuscleState<'_>) -> Vec<f64> {
    let c = &params.conduction;
    let floor = c.axonal_cv_floor.value;
    let n = state.n_units().max(1);
    (0..state.n_units())
        .map(|u| {
            let rank = if n > 1 {
                u as f64 / (n - 1) as f64
            } else {
                1.0
            };
            let normal = floor + (1.0 - floor) * rank;
            if state.unit_axon[u] == AxonState::Reconnected {
                let since = f64::from(state.unit_reconnected_day[u]);
                let months = if since.is_finite() {
                    ((state.day - since) / 30.44).max(0.0)
                } else {
                    0.0
                };
                let fast = c.regenerated_cv_fast_months.value;
                let first = months.min(fast);
                let later = (months - fast).max(0.0);
                let gain = c.regenerated_cv_gain_per_month.value;
                let late_gain = gain * c.regenerated_cv_late_factor.value;
                let mature = (c.regenerated_cv_initial.value + gain * first + late_gain * later)
                    .min(c.regenerated_cv_ceiling.value);
                // Dispersion of regenerated axons is about five times normal (Buchthal & Kühl
                // 1979): the spread of inverse velocities (latency per unit length) of normal
                // axons, 1/floor − 1, is widened five-fold below the fastest regenerated axon.
                let widen = c.regenerated_dispersion.value * (1.0 / floor - 1.0);
                1.0 / (1.0 / mature + widen * (1.0 - rank))
            } else {
                normal
            }
        })
        .collect()
}

/// Per-unit excitable cross-section (µm²) for a stimulation site.
pub fn unit_excitable_csa(state: &MuscleState<'_>, site: Site) -> Vec<f64> {
    let mut out = vec![0.0; state.n_units()];
    for i in 0..state.n_fibres() {
        let ok = match site {
            Site::Distal => state.fibre_driven(i, |a| a.conducts_distal()),
            Site::Proximal => state.fibre_driven(i, |a| a.conducts_proximal()),
        };
        if ok {
            let u = state.fibre_unit[i] as usize;
            let g = match site {
                Site::Distal => f64::from(state.unit_distal_conduction[u]).clamp(0.0, 1.0),
                Site::Proximal => 1.0,
            };
            out[u] += g * f64::from(state.fibre_csa_um2[i]);
        }
    }
    out
}

/// The CMAP waveform (unnormalised, in µm² of excitable fibre) and the onset latency.
pub fn cmap_waveform(
    params: &Params,
    state: &MuscleState<'_>,
    site: Site,
) -> (Vec<f64>, Option<f64>) {
    let normal = params.ncs_for(state.muscle);
    let dl = normal.dl_ms.mean;
    let cv = normal.cv_m_s.mean;
    let seg = params.conduction.segment_mm;
    let cvs = unit_cv(params, state);
    let csa = unit_excitable_csa(state, site);
    let n = (CMAP_WINDOW_MS / CMAP_DT_MS) as usize;
    let mut w = vec![0.0; n];
    let total: f64 = csa.iter().sum();
    let mut onset: Option<f64> = None;
    let uw = &params.conduction.unit_waveform;
    let shape_ms = uw.negative_ms * (1.0 + uw.positive_length_ratio);
    for u in 0..state.n_units() {
        if csa[u] <= 0.0 {
            continue;
        }
        let mut lat = dl / cvs[u];
        if site == Site::Proximal {
            lat += seg / (cv * cvs[u]);
        }
        // Onset = earliest unit carrying at least 0.5% of the excitable cross-section.
        if csa[u] >= 0.005 * total {
            onset = Some(onset.map_or(lat, |o: f64| o.min(lat)));
        }
        let i0 = (lat / CMAP_DT_MS) as usize;
        let i1 = (((lat + shape_ms) / CMAP_DT_MS) as usize + 1).min(n);
        for (i, v) in w.iter_mut().enumerate().take(i1).skip(i0) {
            *v += csa[u] * unit_shape(uw, i as f64 * CMAP_DT_MS - lat);
        }
    }
    (w, onset)
}

fn neg_duration(w: &[f64]) -> f64 {
    let peak = w.iter().cloned().fold(0.0_f64, f64::max);
    if peak <= 0.0 {
        return 0.0;
    }
    let th = 0.05 * peak;
    let a = w.iter().position(|&v| v > th);
    let b = w.iter().rposition(|&v| v > th);
    match (a, b) {
        (Some(a), Some(b)) => (b - a) as f64 * CMAP_DT_MS,
        _ => 0.0,
    }
}

/// Measures one CMAP against the reference peak (`reference_peak` from the pre-injury muscle).
pub fn cmap(params: &Params, state: &MuscleState<'_>, site: Site, reference_peak: f64) -> Cmap {
    let (w, onset) = cmap_waveform(params, state, site);
    let peak = w.iter().cloned().fold(0.0_f64, f64::max);
    let relative = if reference_peak > 0.0 {
        peak / reference_peak
    } else {
        0.0
    };
    let normal = params.ncs_for(state.muscle);
    let duration_ms = neg_duration(&w);
    let waveform = w
        .iter()
        .map(|v| {
            if reference_peak > 0.0 {
                v / reference_peak
            } else {
                0.0
            }
        })
        .collect();
    Cmap {
        site,
        relative,
        amplitude_mv: relative * normal.cmap_mv.mean,
        latency_ms: if relative > 0.005 { onset } else { None },
        duration_ms,
        waveform,
    }
}

/// Full nerve-conduction study of the day.
pub fn study(params: &Params, state: &MuscleState<'_>, reference_peak: f64) -> Conduction {
    let distal = cmap(params, state, Site::Distal, reference_peak);
    let proximal = cmap(params, state, Site::Proximal, reference_peak);
    let seg = params.conduction.segment_mm;
    let cv_m_s = match (distal.latency_ms, proximal.latency_ms) {
        (Some(d), Some(p)) if p > d => Some(seg / (p - d)),
        _ => None,
    };
    let c = &params.conduction;
    // EFNS/PNS 2010: block is judged only when the distal CMAP is at least 20% of the lower
    // limit of normal, and needs a proximal drop of at least 50%.
    let lln = params
        .ncs_for(state.muscle)
        .cmap_lln_mv(c.lln_sd_multiple.value);
    let judgeable =
        distal.relative > 0.0 && distal.amplitude_mv >= c.block_min_distal_of_lln.value * lln;
    let block = judgeable && proximal.relative < (1.0 - c.block_drop.value) * distal.relative;
    let dispersion = distal.duration_ms > 0.0
        && proximal.duration_ms > (1.0 + c.dispersion_increase.value) * distal.duration_ms
        && proximal.relative > 0.0;
    Conduction {
        distal,
        proximal,
        cv_m_s,
        block,
        dispersion,
        normal_source: params.ncs_for(state.muscle).source.clone(),
    }
}
