//! Atrophy and regrowth of every fibre: protein synthesis against breakdown.
//!
//! A fibre's size `s` (CSA relative to health) follows
//! `ds/dt = k · (A - s)`: synthesis `k·A` against breakdown `k·s`, where `k` is the
//! fractional myofibrillar turnover (`protein_turnover_per_day`; human 0.047 %/h ≈
//! 1.1 %/day, de Boer et al. 2007 J Physiol 585:241) and `A` the synthesis drive:
//!
//! * innervated: the unit's drive (1 in health; lower in disuse or behind a block;
//!   [`crate::disuse`]) times the fibre's regrowth capacity;
//! * denervated: `denervated_synthesis_fraction` (the long-term floor: about 97.6 %
//!   loss of fibre CSA after 25 months, Dedkov et al. 2001 Anat Rec 263:139), lifted
//!   toward health by stimulation ([`crate::stimulation`]) as far as capacity allows.
//!
//! The loss is therefore fast at first and slows as the fibre approaches its floor
//! (Pellegrino & Franzini 1963 J Cell Biol 17:327; Dow et al. 2004). Solved exactly
//! over each day: `s ← A + (s - A)·e^{-k}`.
//!
//! Specific tension `q` relaxes with `specific_tension_tau_days` toward 1 when
//! innervated and toward `P_f + (1 - P_f)·specific_tension_floor` when denervated
//! (sarcomeric disorganisation, Carlson 2014 Eur J Transl Myol 24:3293; force falls
//! faster than CSA, Dow et al. 2004).

use crate::params::Coefficients;
use crate::sim::Drives;

/// Per-day constants of the atrophy kernel.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AtrophyDay {
    decay: f32,
    q_decay: f32,
    a_den: f32,
    q_den: f32,
    stim_mass: f32,
    synth_mod: f32,
}

impl AtrophyDay {
    /// Today's constants.
    pub fn new(k: &Coefficients, drives: &Drives, synthesis_modifier: f64) -> AtrophyDay {
        let floor = k.specific_tension_floor as f32;
        let pf = drives.stim_force;
        AtrophyDay {
            decay: (-k.protein_turnover_per_day).exp() as f32,
            q_decay: (-1.0 / k.specific_tension_tau_days).exp() as f32,
            a_den: k.denervated_synthesis_fraction as f32,
            q_den: pf + (1.0 - pf) * floor,
            stim_mass: drives.stim_mass,
            synth_mod: synthesis_modifier as f32,
        }
    }

    /// One day for a denervated fibre.
    #[inline]
    pub fn denervated(&self, size: &mut f32, tension: &mut f32, capacity: f32) {
        let a = (self.a_den + (1.0 - self.a_den) * self.stim_mass * capacity) * self.synth_mod;
        *size = a + (*size - a) * self.decay;
        *tension = self.q_den + (*tension - self.q_den) * self.q_decay;
    }

    /// One day for an innervated fibre whose unit's synthesis drive is `drive`.
    #[inline]
    pub fn innervated(&self, size: &mut f32, tension: &mut f32, capacity: f32, drive: f32) {
        let a = drive * capacity * self.synth_mod;
        *size = a + (*size - a) * self.decay;
        *tension = 1.0 + (*tension - 1.0) * self.q_decay;
    }
}
