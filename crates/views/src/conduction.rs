//! The synthetic CMAP waveform with stimulation distal and proximal to the lesion (a picture as
//! data).
//!
//! The clinical reading of nerve conduction — amplitude in mV and as a fraction of baseline,
//! latency, velocity, block — is the clinical readout's (crate `readout`), computed from the
//! twin's calibrated CMAP. This module draws the *shape*: a sum of motor-unit responses, each in
//! proportion to the summed cross-section of its fibres the stimulated axon can excite, a fixed
//! biphasic shape delayed by the unit's latency (distal latency scaled by the unit's relative
//! conduction velocity: units ordered by index from slowest to fastest, spanning the cited axonal
//! floor to 100% — a named assumption that the fastest axons are the largest units; regenerated
//! axons at the Buchthal & Kühl (1979) fractions, the readout's constants, five times as
//! dispersed). The drawn waveform is then scaled so that its negative peak is the readout's
//! amplitude: the picture and the table show the same CMAP.

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

/// One drawn CMAP.
#[derive(Debug, Clone, Serialize)]
pub struct Cmap {
    /// Stimulation site.
    pub site: Site,
    /// Negative-peak amplitude relative to baseline: the readout's value the waveform is scaled to.
    pub relative: f64,
    /// Onset of the drawn response, ms (None when there is no response).
    pub onset_ms: Option<f64>,
    /// Duration of the drawn negative phase, ms.
    pub duration_ms: f64,
    /// Waveform in relative units (negative peak positive), sampled every [`CMAP_DT_MS`].
    #[serde(skip)]
    pub waveform: Vec<f64>,
}

/// The two drawn CMAPs of a day.
#[derive(Debug, Clone, Serialize)]
pub struct Conduction {
    /// Distal stimulation.
    pub distal: Cmap,
    /// Proximal stimulation.
    pub proximal: Cmap,
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
    let c = &params.readout.conduction;
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
                let days = if since.is_finite() {
                    (state.day - since).max(0.0)
                } else {
                    0.0
                };
                let mature = c.regenerated_cv(days);
                // Dispersion of regenerated axons is about five times normal (Buchthal & Kühl
                // 1979): the spread of inverse velocities (latency per unit length) of normal
                // axons, 1/floor − 1, is widened five-fold below the fastest regenerated axon.
                let widen = params.conduction.regenerated_dispersion.value * (1.0 / floor - 1.0);
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

/// Draws one CMAP scaled so that its negative peak is `relative` (the readout's amplitude as a
/// fraction of baseline).
pub fn cmap(params: &Params, state: &MuscleState<'_>, site: Site, relative: f64) -> Cmap {
    let (w, onset) = cmap_waveform(params, state, site);
    let peak = w.iter().cloned().fold(0.0_f64, f64::max);
    let relative = if relative.is_finite() {
        relative.max(0.0)
    } else {
        0.0
    };
    let scale = if peak > 0.0 { relative / peak } else { 0.0 };
    let waveform: Vec<f64> = w.iter().map(|v| v * scale).collect();
    Cmap {
        site,
        relative: if peak > 0.0 { relative } else { 0.0 },
        onset_ms: if peak > 0.0 && relative > 0.0 {
            onset
        } else {
            None
        },
        duration_ms: neg_duration(&waveform),
        waveform,
    }
}

/// Draws the day's two CMAPs with the readout's distal and proximal amplitudes (fractions of
/// baseline).
pub fn study(
    params: &Params,
    state: &MuscleState<'_>,
    distal_fraction: f64,
    proximal_fraction: f64,
) -> Conduction {
    Conduction {
        distal: cmap(params, state, Site::Distal, distal_fraction),
        proximal: cmap(params, state, Site::Proximal, proximal_fraction),
    }
}
