//! Death of long-denervated fibres and their replacement by fat and connective
//! tissue.
//!
//! After `fibre_death_onset_days` without an axon, a fibre dies with a constant
//! hazard `1/fibre_death_tau_days` (slowed by stimulation's mass protection: FES
//! keeps long-denervated fibres, Kern et al. 2010 Neurorehabil Neural Repair
//! 24:709). Its place is taken by fat and collagen amounting to
//! `fat_replacement_fraction` of its healthy volume. Human: severe atrophy after 1–3
//! years, fibres with nuclear clumps in 27 ± 9 % of biopsies at 3–6 years, and from
//! the 6th year fibrosis takes over (Carraro & Kern 2010, 2016 Eur J Transl Myol).
//! At fibre resolution each fibre has a fixed exponential threshold on its
//! cumulative hazard; at pooled resolution the expected share dies.

use crate::rng::{self, Stream};
use crate::sim::{Core, Resolution};
use crate::state::FibreState;

/// Advances fibre death.
pub(crate) fn step(c: &mut Core) {
    let k = &c.coef;
    let onset = k.fibre_death_onset_days as f32;
    let dh = ((1.0 - c.drives.stim_mass as f64) / k.fibre_death_tau_days) as f32;
    if dh <= 0.0 {
        return;
    }
    let repl = k.fat_replacement_fraction;
    let seed = c.seed;
    let fibre_res = c.resolution == Resolution::Fibre;
    let f = &mut c.fibres;
    let m = &mut c.muscle;
    for i in 0..f.len() {
        if f.state[i] != FibreState::Denervated || f.denervated_days[i] < onset {
            continue;
        }
        f.hazard[i] += dh;
        if fibre_res {
            let threshold =
                -(1.0 - rng::uniform(seed, Stream::FibreDeath, i as u64, 0)).ln() as f32;
            if f.hazard[i] >= threshold {
                f.state[i] = FibreState::Dead;
                m.fat += repl * f.base_csa[i] as f64;
                m.dead_fibres += 1.0;
            }
        } else {
            let n = f.count[i] as f64;
            let dead = n * (1.0 - (-(dh as f64)).exp());
            f.count[i] = (n - dead) as f32;
            m.fat += repl * dead * f.base_csa[i] as f64;
            m.dead_fibres += dead;
        }
    }
}
