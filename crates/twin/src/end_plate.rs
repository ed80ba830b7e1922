//! The end plate of a denervated fibre and its regrowth capacity: the window.
//!
//! Each day without an axon, a fibre's denervation clock advances. Its end plate
//! still accepts an axon with probability
//! `r(t) = a + (1-a)·exp(-(t/τ)^β)` (`end_plate_asymptote` a, `end_plate_tau_days`
//! τ, `end_plate_shape` β): near 1 for the first weeks, then falling. Once lost,
//! receptivity does not return: per fibre, a fixed draw gives the day it is lost;
//! per group, the receptive share is carried. Human motor end plates shrink steadily
//! with denervation time, yet some persist for years (Gupta et al. 2020 J
//! Neurosurg); functional reinnervation becomes unlikely after 12–18 months (seed
//! documents; the bound is kept as a parameter). Range-of-motion exercise anywhere
//! in a scenario lengthens τ by `range_of_motion_end_plate_factor` (a named
//! assumption, neutral by default).
//!
//! The fibre's capacity to regrow after reinnervation or stimulation falls as
//! `c(t) = exp(-(t/τ_c)^β_c)` over the time it spends denervated
//! (`regrowth_capacity_tau_days` τ_c, `regrowth_capacity_shape` β_c): restoration is
//! good for the first months and decreases with longer denervation (rat EDL restores
//! well for 2–3 months, then much less: Carlson et al. 2002 Basic Appl Myol; Carraro,
//! Gargiulo & Kern 2017 J Transl Sci Res), hence a Weibull shape rather than a plain
//! exponential from the first day. Stimulation slows the loss in proportion to its
//! mass protection `p` (the daily cumulative-hazard step is multiplied by `1 − p`), as
//! it slows fibre death ([`crate::fibrosis`]): FES keeps long-denervated human fibres
//! able to regrow (Kern et al. 2010).

use crate::params::Coefficients;

/// Regrowth capacity after `t` days of denervation without stimulation.
pub fn capacity(k: &Coefficients, t: f64) -> f64 {
    (-(t.max(0.0) / k.regrowth_capacity_tau_days).powf(k.regrowth_capacity_shape)).exp()
}

/// End-plate receptivity after `t` days of denervation.
pub fn receptivity(k: &Coefficients, tau: f64, t: f64) -> f64 {
    let a = k.end_plate_asymptote;
    a + (1.0 - a) * (-(t.max(0.0) / tau).powf(k.end_plate_shape)).exp()
}

/// Day at which a fibre with uniform draw `u` loses receptivity (∞ if never).
pub fn loss_day(k: &Coefficients, tau: f64, u: f64) -> f64 {
    let a = k.end_plate_asymptote;
    // r(t) falls from 1 to a; the fibre is receptive while u < r(t).
    if u < a {
        return f64::INFINITY;
    }
    let x = ((u - a) / (1.0 - a)).clamp(1e-300, 1.0);
    tau * (-x.ln()).powf(1.0 / k.end_plate_shape)
}

/// Whether a fibre whose end plate is lost on day `receptive_until` of its denervation has
/// lost it after `denervated_days` days (the fibre-resolution rule of [`EndPlateDay::age`],
/// also applied by the lazy fibre bookkeeping to the fibres whose day it is).
#[inline]
pub(crate) fn lost(denervated_days: f32, receptive_until: f32) -> bool {
    denervated_days >= receptive_until
}

thread_local! {
    static END_PLATE: crate::memo::Memo<[u64; 6], EndPlateDay> = crate::memo::Memo::default();
}

/// Per-day constants of the end-plate kernel.
#[derive(Debug, Clone)]
pub(crate) struct EndPlateDay {
    /// Step of the cumulative hazard of capacity loss from day t to t+1, for
    /// integer t (last entry repeats): `(t+1)/τ)^β − (t/τ)^β`.
    pub capacity_hazard: Vec<f32>,
    /// `exp(-capacity_hazard)`, the daily multiplier without stimulation.
    pub capacity_decay: Vec<f32>,
    /// Pooled: `r(t+1)/r(t)` for integer t (last entry repeats).
    pub ratio: Vec<f32>,
    /// Whether per-fibre loss days are used.
    pub fibre_resolution: bool,
}

impl EndPlateDay {
    /// Constants for a scenario (`tau` already includes any range-of-motion factor). A pure
    /// function of its inputs, so the tables of the last few inputs are kept per thread and
    /// copied (the muscles of a Monte Carlo draw share them): the same numbers, without the
    /// `pow` and `exp` of every day again.
    pub fn new(k: &Coefficients, tau: f64, horizon: u32, fibre_resolution: bool) -> EndPlateDay {
        let key = [
            k.end_plate_asymptote.to_bits(),
            k.end_plate_shape.to_bits(),
            k.regrowth_capacity_tau_days.to_bits(),
            k.regrowth_capacity_shape.to_bits(),
            tau.to_bits(),
            u64::from(horizon) << 1 | u64::from(fibre_resolution),
        ];
        crate::memo::cached(&END_PLATE, key, || {
            Self::compute(k, tau, horizon, fibre_resolution)
        })
    }

    fn compute(k: &Coefficients, tau: f64, horizon: u32, fibre_resolution: bool) -> EndPlateDay {
        // Each function once per integer day (t and t + 1 share their values).
        let days = 0..=horizon as usize + 2;
        let r: Vec<f64> = days
            .clone()
            .map(|t| receptivity(k, tau, t as f64))
            .collect();
        let ratio = r
            .windows(2)
            .map(|w| {
                if w[0] > 0.0 {
                    (w[1] / w[0]) as f32
                } else {
                    0.0
                }
            })
            .collect();
        let h: Vec<f64> = days
            .map(|t| (t as f64 / k.regrowth_capacity_tau_days).powf(k.regrowth_capacity_shape))
            .collect();
        let hazard: Vec<f64> = h.windows(2).map(|w| w[1] - w[0]).collect();
        EndPlateDay {
            capacity_hazard: hazard.iter().map(|&h| h as f32).collect(),
            capacity_decay: hazard.iter().map(|&h| (-h).exp() as f32).collect(),
            ratio,
            fibre_resolution,
        }
    }

    /// Ages one denervated fibre (or group) by a day; `keep` = 1 − today's stimulation
    /// mass protection scales the capacity loss.
    #[inline]
    pub fn age(
        &self,
        denervated_days: &mut f32,
        receptive: &mut f32,
        capacity: &mut f32,
        receptive_until: f32,
        keep: f32,
    ) {
        let t0 = *denervated_days;
        let t1 = t0 + 1.0;
        *denervated_days = t1;
        let ti = (t0 as usize).min(self.capacity_decay.len() - 1);
        *capacity *= if keep >= 1.0 {
            self.capacity_decay[ti]
        } else {
            (-keep.max(0.0) * self.capacity_hazard[ti]).exp()
        };
        if self.fibre_resolution {
            if lost(t1, receptive_until) {
                *receptive = 0.0;
            }
        } else {
            let i = (t0 as usize).min(self.ratio.len() - 1);
            *receptive *= self.ratio[i];
        }
    }
}
