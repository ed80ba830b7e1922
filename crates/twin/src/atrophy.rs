//! Atrophy and regrowth of every fibre: protein synthesis against breakdown.
//!
//! A fibre's size `s` (CSA relative to health) follows
//! `ds/dt = k · (A - s)`: synthesis `k·A` against breakdown `k·s`, where `k` is the
//! fractional myofibrillar turnover (`protein_turnover_per_day`; human 0.047 %/h ≈
//! 1.1 %/day, de Boer et al. 2007 J Physiol 585:241) and `A` the synthesis drive:
//!
//! * innervated: the unit's drive (1 in health; lower in disuse or behind a block;
//!   [`crate::disuse`]) times the fibre's regrowth capacity;
//! * denervated: a drive that falls with days of denervation `t` from the paralysed level
//!   `P` (`paralysis_synthesis_fraction`: what the loss of activity alone explains, as
//!   behind a conduction block) to the long-term floor `F` (`denervated_synthesis_fraction`:
//!   about 97.6 % loss of fibre CSA after 25 months, Dedkov et al. 2001 Anat Rec 263:139),
//!   `A_d(t) = F + (P − F)·exp(−t/τ_s)` with `τ_s` = `denervated_synthesis_decline_days`
//!   (human 365 d: severe atrophy of denervated human muscle after 1–3 years, severely
//!   atrophic fibres very seldom before two years, Carraro & Kern 2010, 2016; rodents 0,
//!   the floor from the first day); lifted toward health by stimulation
//!   ([`crate::stimulation`]) as far as capacity allows.
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

/// Synthesis drive of a fibre denervated for `t` days, before stimulation:
/// `F + (P − F)·exp(−t/τ_s)`, the floor `F` itself when `τ_s` is 0.
pub fn denervated_synthesis(k: &Coefficients, t: f64) -> f64 {
    let floor = k.denervated_synthesis_fraction;
    let tau = k.denervated_synthesis_decline_days;
    if tau <= 0.0 {
        return floor;
    }
    let start = k.paralysis_synthesis_fraction.max(floor);
    floor + (start - floor) * (-t.max(0.0) / tau).exp()
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
    static TABLES: crate::memo::Memo<([u64; 6], Vec<f32>), DenervationTables> =
        crate::memo::Memo::default();
}

/// Lookup tables over days of denervation for the current stimulation level
/// (rebuilt only when the mass protection changes).
#[derive(Debug, Clone, Default)]
pub(crate) struct DenervationTables {
    stim_mass: f32,
    /// Denervated synthesis drive `A_d(t)` by day of denervation (before stimulation).
    a_den: Vec<f32>,
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
                k.denervated_synthesis_fraction.to_bits(),
                k.paralysis_synthesis_fraction.to_bits(),
                k.denervated_synthesis_decline_days.to_bits(),
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
        self.a_den.clear();
        self.inv_d.clear();
        self.decay_d.clear();
        for t in 0..boost.len() {
            self.a_den.push(denervated_synthesis(k, t as f64) as f32);
        }
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
    /// Denervated synthesis drive `A_d(t)` by day of denervation.
    a_den: &'a [f32],
    decay: f32,
    q_decay: f32,
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
            a_den: &tables.a_den,
            q_den: pf + (1.0 - pf) * floor,
            stim_mass: drives.stim_mass,
            synth_mod: synthesis_modifier as f32,
        }
    }

    /// One day for a fibre denervated for `days` days: synthesis falls toward its floor
    /// (`A_d(t)`) and breakdown is boosted early (`D = 1 + b·e^{-t/τ}`, the boost
    /// suppressed by stimulation), so `s ← A/D + (s - A/D)·e^{-kD}`.
    #[inline]
    pub fn denervated(&self, size: &mut f32, tension: &mut f32, capacity: f32, days: f32) {
        let i = (days as usize).min(self.inv_d.len() - 1);
        let a_den = self.a_den[i];
        let a = (a_den + (1.0 - a_den) * self.stim_mass * capacity) * self.synth_mod;
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

#[cfg(test)]
mod tests {
    use super::denervated_synthesis;
    use crate::params::{Parameters, Species};

    /// People: the drive starts at the paralysed level and falls to the floor over years;
    /// rodents: the floor from the first day (`denervated_synthesis_decline_days` 0).
    #[test]
    fn denervated_synthesis_falls_from_the_paralysed_level_to_the_floor() {
        let h = Parameters::for_species(Species::Human).unwrap().coef;
        let (p, f, tau) = (
            h.paralysis_synthesis_fraction,
            h.denervated_synthesis_fraction,
            h.denervated_synthesis_decline_days,
        );
        assert!((denervated_synthesis(&h, 0.0) - p).abs() < 1e-12);
        let one_tau = f + (p - f) * (-1.0f64).exp();
        assert!((denervated_synthesis(&h, tau) - one_tau).abs() < 1e-12);
        assert!((denervated_synthesis(&h, 20.0 * tau) - f).abs() < 1e-6);
        for species in [Species::Rat, Species::Mouse] {
            let k = Parameters::for_species(species).unwrap().coef;
            for t in [0.0, 30.0, 760.0] {
                assert_eq!(denervated_synthesis(&k, t), k.denervated_synthesis_fraction);
            }
        }
    }
}
