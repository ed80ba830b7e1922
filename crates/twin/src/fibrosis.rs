//! Death of long-denervated fibres and their replacement by fat and connective
//! tissue.
//!
//! After `fibre_death_onset_days` without an axon, a fibre dies with a constant
//! hazard `1/fibre_death_tau_days` (slowed by stimulation's mass protection: FES
//! keeps long-denervated fibres, Kern et al. 2010 Neurorehabil Neural Repair
//! 24:709). Its place is taken by fat and collagen amounting to
//! `fat_replacement_fraction` of its volume when it dies (the atrophied fibre's, not its
//! healthy volume: otherwise a muscle whose fibres have shrunk to a few per cent grows
//! again as they die, whereas long-denervated muscle stays severely shrunken and becomes
//! fibro-fatty). Human: severe atrophy after 1–3
//! years, fibres with nuclear clumps in 27 ± 9 % of biopsies at 3–6 years, and from
//! the 6th year fibrosis takes over (Carraro & Kern 2010, 2016 Eur J Transl Myol).
//! At fibre resolution each fibre has a fixed exponential threshold on its
//! cumulative hazard; at pooled resolution the expected share dies.

use crate::params::Coefficients;

/// Whether a fibre with death threshold `threshold` dies at cumulative hazard `hazard` (the
/// fibre-resolution rule of [`FibrosisDay::denervated`], checked on the days the hazard
/// accrues; the lazy fibre bookkeeping applies it to the fibres whose day it is).
#[inline]
pub(crate) fn reached(hazard: f32, threshold: f32) -> bool {
    hazard >= threshold
}

/// Per-day constants of the fibrosis kernel.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FibrosisDay {
    onset: f32,
    hazard: f32,
    pooled_survival: f32,
    fibre_resolution: bool,
}

/// Outcome of one day for one row: fibres that died.
impl FibrosisDay {
    /// Today's constants given the stimulation mass protection.
    pub fn new(k: &Coefficients, stim_mass: f32, fibre_resolution: bool) -> FibrosisDay {
        let h = ((1.0 - stim_mass as f64) / k.fibre_death_tau_days).max(0.0);
        FibrosisDay {
            onset: k.fibre_death_onset_days as f32,
            hazard: h as f32,
            pooled_survival: (-h).exp() as f32,
            fibre_resolution,
        }
    }

    /// Whether the death hazard accrues today for a row denervated for `denervated_days`
    /// (past the onset, and not wholly prevented by stimulation).
    #[inline]
    pub(crate) fn accrues(&self, denervated_days: f32) -> bool {
        !(denervated_days < self.onset || self.hazard <= 0.0)
    }

    /// Advances one denervated row; returns the number of fibres that died (the
    /// caller marks a fibre dead when it returns its whole count).
    #[inline]
    pub fn denervated(
        &self,
        denervated_days: f32,
        hazard: &mut f32,
        count: &mut f32,
        threshold: f32,
    ) -> f32 {
        if !self.accrues(denervated_days) {
            return 0.0;
        }
        *hazard += self.hazard;
        if self.fibre_resolution {
            if reached(*hazard, threshold) {
                *count
            } else {
                0.0
            }
        } else {
            let dead = *count * (1.0 - self.pooled_survival);
            *count -= dead;
            dead
        }
    }
}
