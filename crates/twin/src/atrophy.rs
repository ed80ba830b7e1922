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

use rayon::prelude::*;

use crate::sim::Core;
use crate::state::{FibreState, NO_UNIT};

/// Updates size and specific tension of every living fibre.
pub(crate) fn step(c: &mut Core) {
    let k = &c.coef;
    let decay = (-k.protein_turnover_per_day).exp() as f32;
    let q_decay = (-1.0 / k.specific_tension_tau_days).exp() as f32;
    let a_den = k.denervated_synthesis_fraction as f32;
    let floor = k.specific_tension_floor as f32;
    let pm = c.drives.stim_mass;
    let pf = c.drives.stim_force;
    let q_den = pf + (1.0 - pf) * floor;
    let synth_mod = c.synthesis_modifier as f32;
    let drive = &c.drives.unit_synthesis;
    let f = &mut c.fibres;
    let state = &f.state;
    let unit = &f.unit;
    let capacity = &f.capacity;
    const CH: usize = 16_384;
    f.size
        .par_chunks_mut(CH)
        .zip(f.tension.par_chunks_mut(CH))
        .enumerate()
        .for_each(|(ci, (size, tension))| {
            for j in 0..size.len() {
                let i = ci * CH + j;
                let (a, q_target) = match state[i] {
                    FibreState::Dead => continue,
                    FibreState::Denervated => (
                        (a_den + (1.0 - a_den) * pm * capacity[i]) * synth_mod,
                        q_den,
                    ),
                    _ => {
                        let u = unit[i];
                        let d = if u == NO_UNIT { 1.0 } else { drive[u as usize] };
                        (d * capacity[i] * synth_mod, 1.0)
                    }
                };
                size[j] = a + (size[j] - a) * decay;
                tension[j] = q_target + (tension[j] - q_target) * q_decay;
            }
        });
}
