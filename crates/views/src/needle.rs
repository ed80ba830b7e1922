//! Needle EMG findings: spontaneous activity, motor-unit potentials, recruitment.
//!
//! - **Fibrillations and positive sharp waves** come from denervated but viable fibres. They
//!   begin after a delay that grows with the length of the distal nerve stump (about 1 week for a
//!   lesion next to the muscle, 3–6 weeks in distal limb muscles; linear in between, a named
//!   assumption in `data/views/electrodiagnosis.toml`), rise over a week, and stop when the fibre
//!   is reinnervated or dies (fat). The 0–4+ grade comes from the fraction of viable fibres that
//!   fibrillate (thresholds are a named assumption). Their amplitude falls with time since
//!   denervation (Kraft 1990).
//! - **MUPs** are measured on synthetic recordings ([`crate::needle_signal`]) at fixed needle
//!   sites: amplitude (peak to peak), duration and phases of every unit seen at each site, averaged
//!   and compared with the same sites in the reference (pre-injury) muscle. Absolute values are
//!   the relative values times the cited normal (healthy TA quantitative EMG).
//! - **Recruitment**: the number of units that a voluntary command can still fire, relative to
//!   baseline; the firing rate of the first unit at a weak effort rises as units are lost
//!   (few units firing fast), from the onset rate (8 Hz) toward the peak rate (35 Hz) of a
//!   Fuglevand-type pool.

use serde::Serialize;

use crate::line_source::LineSource;
use crate::needle_signal::{FibreGrid, NeedleSite, Spontaneous, mup_metrics, mups_at};
use crate::params::Params;
use crate::state::{FibreState, MuscleState};

// MUP acceptance and measurement thresholds, the PSW radius and the record length are named
// assumptions in `data/views/electrodiagnosis.toml` (`[needle]`).

/// The spontaneous-activity part of the needle examination.
#[derive(Debug, Clone, Serialize)]
pub struct SpontaneousActivity {
    /// Grade 0–4 (0 = none, 4 = 4+).
    pub grade: u8,
    /// Fraction of viable fibres that fibrillate.
    pub fraction: f64,
    /// Number of fibrillating fibres.
    pub fibrillating: usize,
    /// Mean fibrillation amplitude expected for the time since denervation, µV.
    pub amplitude_uv: f64,
}

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

/// Recruitment at a weak effort.
#[derive(Debug, Clone, Serialize)]
pub struct Recruitment {
    /// Units that a voluntary command can fire.
    pub units: usize,
    /// Relative to baseline.
    pub fraction: f64,
    /// Firing rate of the first recruited unit, Hz.
    pub firing_rate_hz: f64,
    /// Words: "full", "reduced", "discrete", "single unit", "none".
    pub pattern: &'static str,
}

/// All needle findings of a day.
#[derive(Debug, Clone, Serialize)]
pub struct NeedleFindings {
    /// Fibrillations and positive sharp waves.
    pub spontaneous: SpontaneousActivity,
    /// MUP amplitude relative to the reference muscle (NaN when no MUP can be recorded).
    pub mup_amplitude_rel: f64,
    /// MUP duration relative to the reference muscle.
    pub mup_duration_rel: f64,
    /// MUP amplitude in µV (relative × cited normal mean).
    pub mup_amplitude_uv: f64,
    /// MUP duration in ms (relative × cited normal mean).
    pub mup_duration_ms: f64,
    /// Fraction of polyphasic MUPs.
    pub polyphasic_fraction: f64,
    /// Number of MUPs measured.
    pub mups_measured: usize,
    /// Nascent units with at least one driven fibre.
    pub nascent_units: usize,
    /// Recruitment.
    pub recruitment: Recruitment,
}

/// Day from which fibrillations begin, given the lesion distance (mm) and the injury day.
pub fn fibrillation_onset_day(params: &Params, injury_day: f64, distance_mm: f64) -> f64 {
    let f = &params.fibrillation;
    let slope = (f.onset_far_days.value - f.onset_near_days.value) / f.far_distance_mm;
    injury_day + f.onset_near_days.value + slope * distance_mm.max(0.0)
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

/// Degree (0–1) to which fibre `i` fibrillates on this day.
pub fn fibrillation_level(params: &Params, state: &MuscleState<'_>, i: usize) -> f64 {
    if state.fibre_state[i] != FibreState::Denervated {
        return 0.0;
    }
    let onset = match state.lesion {
        Some(l) => fibrillation_onset_day(params, l.injury_day, l.distance_mm),
        None => {
            let d = f64::from(state.fibre_denervated_day[i]);
            if d.is_finite() {
                fibrillation_onset_day(params, d, 0.0)
            } else {
                fibrillation_onset_day(params, state.day, 0.0)
            }
        }
    };
    // A fibre denervated later than the lesion (e.g. by a second event) starts its own clock.
    let own = f64::from(state.fibre_denervated_day[i]);
    let onset = if own.is_finite() && state.lesion.is_some_and(|l| own > l.injury_day + 1.0) {
        onset.max(fibrillation_onset_day(params, own, 0.0))
    } else {
        onset
    };
    ((state.day - onset) / params.fibrillation.ramp_days).clamp(0.0, 1.0)
}

/// Grades spontaneous activity.
pub fn spontaneous(params: &Params, state: &MuscleState<'_>) -> SpontaneousActivity {
    let mut viable = 0usize;
    let mut level_sum = 0.0;
    let mut fibrillating = 0usize;
    let mut since_sum = 0.0;
    for i in 0..state.n_fibres() {
        if state.fibre_state[i] == FibreState::Fat {
            continue;
        }
        viable += 1;
        let l = fibrillation_level(params, state, i);
        if l > 0.0 {
            level_sum += l;
            fibrillating += 1;
            let d0 = f64::from(state.fibre_denervated_day[i]);
            let d0 = if d0.is_finite() {
                d0
            } else {
                state.lesion.map_or(state.day, |l| l.injury_day)
            };
            since_sum += state.day - d0;
        }
    }
    let fraction = if viable > 0 {
        level_sum / viable as f64
    } else {
        0.0
    };
    let th = params.fibrillation.grade_thresholds;
    let grade = th.iter().filter(|&&t| fraction >= t).count() as u8;
    let amplitude_uv = if fibrillating > 0 {
        fibrillation_amplitude_uv(params, since_sum / fibrillating as f64)
    } else {
        0.0
    };
    SpontaneousActivity {
        grade,
        fraction,
        fibrillating,
        amplitude_uv,
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
        let level = fibrillation_level(params, state, i);
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
pub fn mup_stats(
    params: &Params,
    state: &MuscleState<'_>,
    grid: &FibreGrid,
    line: &LineSource,
    sites: &[NeedleSite],
) -> MupStats {
    let fs = params.volume.sample_rate_hz;
    let np = &params.needle;
    let (mut n, mut amp, mut dur, mut poly, mut nascent) = (0usize, 0.0, 0.0, 0usize, 0usize);
    for &site in sites {
        for m in mups_at(state, grid, line, params, site, np.mup_window_ms.value) {
            if m.nearest_um > np.mup_max_nearest_um.value {
                continue;
            }
            let (a, d, ph) = mup_metrics(&m.samples, fs, np.mup_edge_uv.value);
            if a < np.mup_min_amplitude_uv.value {
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

/// Recruitment from the number of recruitable units and the baseline number.
pub fn recruitment(params: &Params, units: usize, baseline_units: usize) -> Recruitment {
    let r = &params.recruitment;
    let fraction = if baseline_units > 0 {
        units as f64 / baseline_units as f64
    } else {
        0.0
    };
    // At a weak effort the first unit fires near its onset rate when the pool is intact; with
    // fewer units, the same effort drives the remaining ones faster. Named assumption: the rate
    // grows as 1/sqrt(fraction of units left), capped at the peak rate.
    let firing_rate_hz = if units == 0 {
        0.0
    } else {
        (r.onset_rate_hz.value / fraction.max(1e-9).sqrt()).min(r.peak_rate_hz.value)
    };
    let pattern = if units == 0 {
        "none"
    } else if units <= r.pattern.single_unit_max {
        "single unit"
    } else if fraction < r.pattern.discrete_below {
        "discrete"
    } else if fraction < r.pattern.reduced_below {
        "reduced"
    } else {
        "full"
    };
    Recruitment {
        units,
        fraction,
        firing_rate_hz,
        pattern,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fibrillation_onset_grows_with_distance_between_the_cited_anchors() {
        let p = Params::embedded().unwrap();
        assert!((fibrillation_onset_day(&p, 0.0, 0.0) - 7.0).abs() < 1e-9);
        assert!((fibrillation_onset_day(&p, 10.0, 750.0) - 41.5).abs() < 1e-9);
        assert!(fibrillation_onset_day(&p, 0.0, 100.0) < fibrillation_onset_day(&p, 0.0, 400.0));
    }

    #[test]
    fn fibrillation_amplitude_declines_as_kraft_reported() {
        let p = Params::embedded().unwrap();
        assert!((fibrillation_amplitude_uv(&p, 30.0) - 612.0).abs() < 1e-9);
        assert!(fibrillation_amplitude_uv(&p, 150.0) < 520.0);
        assert!(fibrillation_amplitude_uv(&p, 400.0) <= 100.0 + 1e-9);
    }

    #[test]
    fn recruitment_patterns() {
        let p = Params::embedded().unwrap();
        assert_eq!(recruitment(&p, 0, 100).pattern, "none");
        assert_eq!(recruitment(&p, 2, 100).pattern, "single unit");
        assert_eq!(recruitment(&p, 100, 100).pattern, "full");
        assert_eq!(recruitment(&p, 5, 100).pattern, "discrete");
        assert_eq!(recruitment(&p, 30, 100).pattern, "reduced");
        assert_eq!(recruitment(&p, 60, 100).pattern, "full");
        assert!(recruitment(&p, 20, 100).firing_rate_hz > recruitment(&p, 100, 100).firing_rate_hz);
    }
}
