//! Direct electrical stimulation of the (denervated) muscle: dose-response.
//!
//! Dow et al. 2004 (Muscle Nerve 30:77-86), rat EDL denervated 5 weeks and
//! stimulated with 25 to 5000 contractions a day: mass and fibre CSA were maintained
//! from 50 contractions a day up; force only between 200 and 800 a day (fewer: not
//! enough; more: over-use). Modelled as Hill curves in the daily number of
//! contractions n:
//!
//! * mass protection `P_m = n^h / (n^h + M^h)` (`stim_mass_half_dose` M);
//! * force protection `P_f = n^h/(n^h + F^h) · (1 - n^h/(n^h + O^h))`
//!   (`stim_force_half_dose` F, `stim_overuse_dose` O).
//!
//! `P_m` lifts the synthesis of denervated fibres toward health (scaled by their
//! remaining regrowth capacity) and slows fibre death; `P_f` holds their specific
//! tension. Hours a day convert to contractions with `contractions_per_hour`
//! (1 s on / 2 s off: 1200 an hour, Ashley et al. 2007 J Muscle Res Cell Motil
//! 28:203).

use crate::params::Coefficients;
use crate::sim::Core;

fn hill(n: f64, half: f64, h: f64) -> f64 {
    if n <= 0.0 {
        0.0
    } else {
        let a = n.powf(h);
        a / (a + half.powf(h))
    }
}

/// (mass protection, force protection) for `n` contractions a day.
pub fn protection(k: &Coefficients, n: f64) -> (f64, f64) {
    let h = k.stim_hill;
    let pm = hill(n, k.stim_mass_half_dose, h);
    let pf = hill(n, k.stim_force_half_dose, h) * (1.0 - hill(n, k.stim_overuse_dose, h));
    (pm, pf)
}

/// Sets today's stimulation protection.
pub(crate) fn step(c: &mut Core) {
    let n = c.today.contractions;
    let (pm, pf) = match c.cache.stim {
        Some((m, pm, pf)) if m == n => (pm, pf),
        _ => {
            let (pm, pf) = protection(&c.coef, n);
            let cached = (n, pm as f32, pf as f32);
            c.cache.stim = Some(cached);
            (cached.1, cached.2)
        }
    };
    c.drives.stim_mass = pm;
    c.drives.stim_force = pf;
}
