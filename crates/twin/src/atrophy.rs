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
//! over each day: `s ← A + (s - A)·e^{-k}`. Early after denervation breakdown is
//! boosted (the ubiquitin–proteasome system is upregulated within days):
//! `D(t) = 1 + denervation_breakdown_boost·exp(-t/denervation_breakdown_tau_days)`.
//!
//! Specific tension `q` relaxes with `specific_tension_tau_days` toward 1 when
//! innervated and toward `P_f + (1 - P_f)·specific_tension_floor` when denervated
//! (sarcomeric disorganisation, Carlson 2014 Eur J Transl Myol 24:3293; force falls
//! faster than CSA, Dow et al. 2004).

use crate::params::Coefficients;
use crate::sim::Drives;

/// Breakdown relative to basal after `t` days of denervation (early UPS boost).
pub fn breakdown_factor(k: &Coefficients, t: f64) -> f64 {
    1.0 + k.denervation_breakdown_boost * (-t.max(0.0) / k.denervation_breakdown_tau_days).exp()
}

/// `breakdown_factor` for integer days `0..=horizon+1` (a lookup table; the last few tables
/// are kept per thread, as [`crate::end_plate::EndPlateDay::new`]'s).
pub fn breakdown_table(k: &Coefficients, horizon: u32) -> Vec<f32> {
    let key = [
        k.denervation_breakdown_boost.to_bits(),
        k.denervation_breakdown_tau_days.to_bits(),
        u64::from(horizon),
    ];
    crate::memo::cached(&BREAKDOWN, key, || {
        (0..=horizon as usize + 1)
            .map(|t| breakdown_factor(k, t as f64) as f32)
            .collect()
    })
}

thread_local! {
    static BREAKDOWN: crate::memo::Memo<[u64; 3], Vec<f32>> = crate::memo::Memo::default();
    static TABLES: crate::memo::Memo<([u64; 3], Vec<f32>), DenervationTables> =
        crate::memo::Memo::default();
}

/// Lookup tables over days of denervation for the current stimulation level
/// (rebuilt only when the mass protection changes).
#[derive(Debug, Clone, Default)]
pub(crate) struct DenervationTables {
    stim_mass: f32,
    inv_d: Vec<f32>,
    decay_d: Vec<f32>,
    /// `exp(-k)`: daily decay toward the synthesis target of innervated fibres.
    decay: f32,
    /// `exp(-1/τ_q)`: daily relaxation of specific tension.
    q_decay: f32,
}

impl DenervationTables {
    /// Tables for `stim_mass` (rebuilt if it changed or on first use).
    pub fn update(&mut self, k: &Coefficients, boost: &[f32], stim_mass: f32) {
        if !self.inv_d.is_empty() && self.stim_mass == stim_mass {
            return;
        }
        // The tables of the same inputs (the boost table compared whole) are kept per thread.
        let key = (
            [
                k.protein_turnover_per_day.to_bits(),
                k.specific_tension_tau_days.to_bits(),
                u64::from(stim_mass.to_bits()),
            ],
            boost.to_vec(),
        );
        *self = crate::memo::cached(&TABLES, key, || {
            let mut t = DenervationTables::default();
            t.compute(k, boost, stim_mass);
            t
        });
    }

    fn compute(&mut self, k: &Coefficients, boost: &[f32], stim_mass: f32) {
        self.stim_mass = stim_mass;
        self.decay = (-k.protein_turnover_per_day).exp() as f32;
        self.q_decay = (-1.0 / k.specific_tension_tau_days).exp() as f32;
        let kk = k.protein_turnover_per_day;
        self.inv_d.clear();
        self.decay_d.clear();
        for &b in boost {
            let d = 1.0 + (b as f64 - 1.0) * (1.0 - stim_mass as f64);
            self.inv_d.push((1.0 / d) as f32);
            self.decay_d.push((-kk * d).exp() as f32);
        }
    }
}

/// Per-day constants of the atrophy kernel.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AtrophyDay<'a> {
    /// `1/D(t)` by day of denervation (D net of stimulation).
    inv_d: &'a [f32],
    /// `exp(-k·D(t))` by day of denervation.
    decay_d: &'a [f32],
    decay: f32,
    q_decay: f32,
    a_den: f32,
    q_den: f32,
    stim_mass: f32,
    synth_mod: f32,
}

impl<'a> AtrophyDay<'a> {
    /// Today's constants (`tables` from [`DenervationTables`]).
    pub fn new(
        k: &Coefficients,
        drives: &Drives,
        synthesis_modifier: f64,
        tables: &'a DenervationTables,
    ) -> AtrophyDay<'a> {
        let floor = k.specific_tension_floor as f32;
        let pf = drives.stim_force;
        AtrophyDay {
            inv_d: &tables.inv_d,
            decay_d: &tables.decay_d,
            decay: tables.decay,
            q_decay: tables.q_decay,
            a_den: k.denervated_synthesis_fraction as f32,
            q_den: pf + (1.0 - pf) * floor,
            stim_mass: drives.stim_mass,
            synth_mod: synthesis_modifier as f32,
        }
    }

    /// One day for a fibre denervated for `days` days: breakdown is boosted early
    /// (`D = 1 + b·e^{-t/τ}`, the boost suppressed by stimulation), so
    /// `s ← A/D + (s - A/D)·e^{-kD}`.
    #[inline]
    pub fn denervated(&self, size: &mut f32, tension: &mut f32, capacity: f32, days: f32) {
        let a = (self.a_den + (1.0 - self.a_den) * self.stim_mass * capacity) * self.synth_mod;
        let i = (days as usize).min(self.inv_d.len() - 1);
        let eq = a * self.inv_d[i];
        *size = eq + (*size - eq) * self.decay_d[i];
        *tension = self.q_den + (*tension - self.q_den) * self.q_decay;
    }

    /// One day for an innervated fibre whose unit's synthesis drive is `drive`.
    #[inline]
    pub fn innervated(&self, size: &mut f32, tension: &mut f32, capacity: f32, drive: f32) {
        let a = self.innervated_target(capacity, drive);
        relax_innervated(size, tension, a, self.decay, self.q_decay);
    }

    /// The size an innervated fibre relaxes toward (`A` of the module documentation).
    #[inline]
    pub fn innervated_target(&self, capacity: f32, drive: f32) -> f32 {
        drive * capacity * self.synth_mod
    }

    /// The daily decay factors of an innervated fibre's size and specific tension.
    #[inline]
    pub fn innervated_decays(&self) -> (f32, f32) {
        (self.decay, self.q_decay)
    }
}

/// One day of an innervated fibre relaxing toward its synthesis target `a` (size) and toward
/// 1 (specific tension): the one spelling of the innervated daily map, used by
/// [`AtrophyDay::innervated`] and by the event stepper's quiet stretches.
#[inline(always)]
pub(crate) fn relax_innervated(
    size: &mut f32,
    tension: &mut f32,
    a: f32,
    decay: f32,
    q_decay: f32,
) {
    *size = a + (*size - a) * decay;
    *tension = 1.0 + (*tension - 1.0) * q_decay;
}
