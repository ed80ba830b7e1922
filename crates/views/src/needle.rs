//! Needle EMG as data: which fibres fibrillate, MUPs measured on synthetic recordings, the units a
//! voluntary command can fire.
//!
//! The clinical readings of the needle examination — the fibrillation/PSW grade, the MUP type and
//! recruitment — are the clinical readout's (crate `readout`), computed from the twin's
//! quantities. This module provides what the synthetic recordings need and measure:
//!
//! - **Fibrillating fibres** are the twin's: a fibre denervated for at least the twin's
//!   fibrillation delay ([`crate::MuscleState::fibrillation_delay_days`]) fibrillates until it is
//!   reinnervated or dies; so the synthetic EMG at rest shows the fibres the readout's grade
//!   counts. Their amplitude falls with time since denervation (Kraft 1990).
//! - **MUPs** are measured on synthetic recordings ([`crate::needle_signal`]) at fixed needle
//!   sites: amplitude (peak to peak), duration and phases of every unit seen at each site, averaged
//!   and compared with the same sites in the reference (pre-injury) muscle — measurements of the
//!   pictures, not a second MUP-type reading.

use serde::Serialize;

use crate::line_source::LineSource;
use crate::needle_signal::{FibreGrid, Mup, NeedleSite, Spontaneous, mup_metrics, mups_near};
use crate::params::Params;
use crate::state::{FibreState, MuscleState};

// MUP acceptance and measurement thresholds, the PSW radius and the record length are named
// assumptions in `data/views/electrodiagnosis.toml` (`[needle]`).

/// Motor-unit potential statistics.
#[derive(Debug, Clone, Copy, Serialize, Default)]
pub struct MupStats {
    /// Number of MUPs measured.
    pub n: usize,
    /// Mean peak-to-peak amplitude of the synthetic MUPs, µV (model units).
    pub amplitude_model_uv: f64,
    /// Mean duration, ms (model units).
    pub duration_model_ms: f64,
    /// Fraction of MUPs with more than four phases.
    pub polyphasic_fraction: f64,
    /// Number of nascent units among them.
    pub nascent: usize,
}

/// MUP measurements of a day on the synthetic recordings, relative to the reference muscle.
#[derive(Debug, Clone, Serialize)]
pub struct MupMeasurement {
    /// MUP amplitude relative to the reference muscle (NaN when no MUP can be recorded).
    pub amplitude_rel: f64,
    /// MUP duration relative to the reference muscle.
    pub duration_rel: f64,
    /// MUP amplitude in µV (relative × cited normal mean).
    pub amplitude_uv: f64,
    /// MUP duration in ms (relative × cited normal mean).
    pub duration_ms: f64,
    /// Fraction of polyphasic MUPs.
    pub polyphasic_fraction: f64,
    /// Number of MUPs measured.
    pub measured: usize,
    /// Nascent units with at least one driven fibre.
    pub nascent_units: usize,
}

/// Mean fibrillation amplitude (µV) after `days` of denervation (Kraft 1990, interpolated; the
/// early value holds before month 1.5).
pub fn fibrillation_amplitude_uv(params: &Params, days: f64) -> f64 {
    let months = days / 30.44;
    let t = &params.fibrillation.amplitude_by_month;
    if t.is_empty() {
        return 0.0;
    }
    if months <= t[0][0] {
        return t[0][1];
    }
    for w in t.windows(2) {
        if months <= w[1][0] {
            let a = (months - w[0][0]) / (w[1][0] - w[0][0]);
            return w[0][1] + a * (w[1][1] - w[0][1]);
        }
    }
    t[t.len() - 1][1]
}

/// Degree (0 or 1) to which fibre `i` fibrillates on this day: the twin's rule, a fibre
/// denervated for at least the fibrillation delay.
pub fn fibrillation_level(state: &MuscleState<'_>, i: usize) -> f64 {
    if state.fibre_state[i] != FibreState::Denervated {
        return 0.0;
    }
    let d0 = f64::from(state.fibre_denervated_day[i]);
    if d0.is_finite() && state.day - d0 >= state.fibrillation_delay_days {
        1.0
    } else {
        0.0
    }
}

/// The spontaneous sources near a needle site (for synthetic recordings at rest).
pub fn spontaneous_near(
    params: &Params,
    state: &MuscleState<'_>,
    grid: &FibreGrid,
    site: NeedleSite,
    radius_um: f32,
) -> Vec<Spontaneous> {
    let mut out = Vec::new();
    let f = &params.fibrillation;
    grid.for_near(site.x_um, site.y_um, radius_um, |i| {
        let dx = state.fibre_x_um[i] - site.x_um;
        let dy = state.fibre_y_um[i] - site.y_um;
        if (dx * dx + dy * dy).sqrt() > radius_um {
            return;
        }
        let level = fibrillation_level(state, i);
        // Deterministic per-fibre draws: whether it fires (density), rate, PSW or fibrillation.
        let h = (i as u64)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .rotate_left(17)
            ^ 0xF1B;
        let u = |k: u32| ((h.rotate_left(k * 13) >> 11) as f64) / ((1u64 << 53) as f64);
        if level <= 0.0 || u(1) > level {
            return;
        }
        let r = (dx * dx + dy * dy).sqrt();
        let d0 = f64::from(state.fibre_denervated_day[i]);
        let d0 = if d0.is_finite() {
            d0
        } else {
            state.lesion.map_or(state.day, |l| l.injury_day)
        };
        let amp = fibrillation_amplitude_uv(params, state.day - d0);
        let lo = f.rate_hz.low;
        let hi = f.rate_hz.high;
        out.push(Spontaneous {
            fibre: i,
            gain_uv: amp,
            psw: f64::from(r) < params.needle.psw_radius_um.value && u(2) < f.psw_fraction,
            rate_hz: lo + (hi - lo) * u(3),
        });
    });
    out.sort_by_key(|s| s.fibre);
    out
}

/// MUP statistics at the given sites.
///
/// `gain` converts the line-source model's microvolts to displayed microvolts
/// ([`crate::Reference::mup_gain`]); the acceptance amplitude and the 20 µV edge of
/// `[needle]` are displayed microvolts (what an electromyographer's cursors and
/// acceptance rules see), so they are divided by it before they are applied to the model
/// samples. Amplitudes and durations are returned in model units.
pub fn mup_stats(
    params: &Params,
    state: &MuscleState<'_>,
    grid: &FibreGrid,
    line: &LineSource,
    sites: &[NeedleSite],
    gain: f64,
) -> MupStats {
    stats_of(
        params,
        &measured_mups(params, state, grid, line, sites),
        gain,
    )
}

/// The MUPs the statistics read: at every site, the units with a fibre within the accepted
/// nearest distance (computed once, measured at any gain by [`stats_of`]).
pub fn measured_mups(
    params: &Params,
    state: &MuscleState<'_>,
    grid: &FibreGrid,
    line: &LineSource,
    sites: &[NeedleSite],
) -> Vec<Mup> {
    let np = &params.needle;
    let mut out = Vec::new();
    for &site in sites {
        out.extend(mups_near(
            state,
            grid,
            line,
            params,
            site,
            np.mup_window_ms.value,
            np.mup_max_nearest_um.value,
        ));
    }
    out
}

/// The statistics of [`measured_mups`] at display gain `gain` (the thresholds are displayed
/// microvolts).
pub fn stats_of(params: &Params, mups: &[Mup], gain: f64) -> MupStats {
    let gain = if gain.is_finite() && gain > 0.0 {
        gain
    } else {
        1.0
    };
    let fs = params.volume.sample_rate_hz;
    let np = &params.needle;
    let (mut n, mut amp, mut dur, mut poly, mut nascent) = (0usize, 0.0, 0.0, 0usize, 0usize);
    for m in mups {
        let (a, d, ph) = mup_metrics(&m.samples, fs, np.mup_edge_uv.value / gain);
        if a * gain < np.mup_min_amplitude_uv.value {
            continue;
        }
        n += 1;
        amp += a;
        dur += d;
        if ph as f64 > np.polyphasic_above_phases.value {
            poly += 1;
        }
        if m.nascent {
            nascent += 1;
        }
    }
    if n == 0 {
        return MupStats::default();
    }
    MupStats {
        n,
        amplitude_model_uv: amp / n as f64,
        duration_model_ms: dur / n as f64,
        polyphasic_fraction: poly as f64 / n as f64,
        nascent,
    }
}

/// Units a voluntary command can fire (axon conducting across the lesion, at least one driven fibre),
/// and nascent units among them.
pub fn recruitable_units(state: &MuscleState<'_>) -> (usize, usize) {
    let mut has = vec![false; state.n_units()];
    for i in 0..state.n_fibres() {
        if state.fibre_driven(i, |a| a.conducts_proximal()) {
            has[state.fibre_unit[i] as usize] = true;
        }
    }
    let units = has.iter().filter(|&&h| h).count();
    let nascent = has
        .iter()
        .zip(state.unit_nascent)
        .filter(|(h, n)| **h && **n)
        .count();
    (units, nascent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fibrillation_amplitude_declines_as_kraft_reported() {
        let p = Params::embedded().unwrap();
        assert!((fibrillation_amplitude_uv(&p, 30.0) - 612.0).abs() < 1e-9);
        assert!(fibrillation_amplitude_uv(&p, 150.0) < 520.0);
        assert!(fibrillation_amplitude_uv(&p, 400.0) <= 100.0 + 1e-9);
    }
}
