//! The end plate of a denervated fibre and its regrowth capacity: the window.
//!
//! Each day without an axon, a fibre's denervation clock advances. Its end plate
//! stays receptive with probability `r(t) = a + (1-a)·exp(-t/τ_ep)`
//! (`end_plate_asymptote`, `end_plate_tau_days`): once lost, receptivity does not
//! return (per fibre, a fixed uniform threshold against r(t); per group, the
//! receptive share is carried). Human motor end plates shrink steadily with
//! denervation time, yet some persist for years (Gupta et al. 2020 J Neurosurg);
//! functional reinnervation becomes unlikely after 12–18 months (seed documents;
//! the bound is kept as a parameter). Range-of-motion exercise can slow the decay
//! by `range_of_motion_end_plate_factor` (a named assumption, neutral by default).
//!
//! The fibre's capacity to regrow after reinnervation or stimulation falls as
//! `exp(-t/regrowth_capacity_tau_days)` over the time it spends denervated
//! (restoration decreases with the duration of denervation: Carlson et al. 2002
//! Basic Appl Myol; Carraro, Gargiulo & Kern 2017 J Transl Sci Res).

use rayon::prelude::*;

use crate::rng::{self, Stream};
use crate::sim::{Core, Resolution};
use crate::state::FibreState;

/// End-plate receptivity after `t` days of denervation.
pub fn receptivity(a: f64, tau: f64, t: f64) -> f64 {
    a + (1.0 - a) * (-t.max(0.0) / tau).exp()
}

/// Ages denervated fibres by one day.
pub(crate) fn step(c: &mut Core) {
    let k = &c.coef;
    let tau = k.end_plate_tau_days
        * if c.today.range_of_motion {
            k.range_of_motion_end_plate_factor
        } else {
            1.0
        };
    let a = k.end_plate_asymptote;
    let cap_decay = (-1.0 / k.regrowth_capacity_tau_days).exp() as f32;
    let fibre_res = c.resolution == Resolution::Fibre;
    let seed = c.seed;
    let f = &mut c.fibres;
    const CH: usize = 16_384;
    let state = &f.state;
    f.denervated_days
        .par_chunks_mut(CH)
        .zip(f.receptive.par_chunks_mut(CH))
        .zip(f.capacity.par_chunks_mut(CH))
        .enumerate()
        .for_each(|(ci, ((dd, rec), cap))| {
            for j in 0..dd.len() {
                let i = ci * CH + j;
                if state[i] != FibreState::Denervated {
                    continue;
                }
                let t0 = dd[j] as f64;
                let t1 = t0 + 1.0;
                dd[j] = t1 as f32;
                cap[j] *= cap_decay;
                if fibre_res {
                    if rec[j] > 0.0
                        && rng::uniform(seed, Stream::Capture, i as u64, u64::MAX)
                            >= receptivity(a, tau, t1)
                    {
                        rec[j] = 0.0;
                    }
                } else {
                    let r0 = receptivity(a, tau, t0);
                    let r1 = receptivity(a, tau, t1);
                    if r0 > 0.0 {
                        rec[j] = (rec[j] as f64 * r1 / r0).clamp(0.0, 1.0) as f32;
                    }
                }
            }
        });
}
