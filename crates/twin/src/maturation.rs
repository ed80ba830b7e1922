//! Maturation of reinnervated motor units.
//!
//! A regenerated (or transferred) axon that reaches the muscle does not at once drive a
//! full-sized, reliable motor unit. Its terminal arbor grows branch by branch, its new
//! neuromuscular junctions transmit unreliably, and its calibre and myelin mature over
//! weeks to months (nascent, small, polyphasic and unstable potentials; the reference
//! gives "weeks to months" as lore, so the time is a named assumption,
//! `maturation_days`: 90 d human, 30 d rodents).
//!
//! Each unit carries a maturity `m` in \[0, 1\]: 1 for a native unit that never lost its
//! axon, 0 on the day a regrown axon reconnects, then rising linearly to 1 over
//! `maturation_days` (`m ← min(1, m + Δt / T)`, the advance over an interval Δt, so a
//! later event-driven stepper can take any step). Maturity scales the force the unit's
//! fibres give through the nerve (voluntary force and MRC grade, [`crate::sim`]):
//! immature junctions fail to transmit and young axons conduct poorly. (Scaling the
//! unit's capacity to adopt fibres as well was tried: it made rat units after delayed
//! repair smaller than Fu & Gordon 1995's 3–5-fold, because receptive fibres are lost
//! while the arbor grows, so capture is left to [`crate::reinnervation`] unchanged.)
//!
//! Together with the staggered arrival of axons (per-axon speeds and the crossing of
//! each suture line, [`crate::regrowth`]), this spreads the interval from first
//! contact to useful strength over weeks to months, as in clinical series (e.g. first
//! clinical reinnervation 3.5–7 months after a double fascicular transfer, Mackinnon
//! et al. 2005 J Hand Surg Am 30:978).

use crate::sim::Core;
use crate::state::AxonState;

/// Maturity after advancing `m` by `dt` days with maturation time `t_days`.
pub fn advance(m: f64, dt: f64, t_days: f64) -> f64 {
    if t_days <= 0.0 {
        return 1.0;
    }
    (m + dt.max(0.0) / t_days).clamp(0.0, 1.0)
}

/// Advances the maturity of every reconnected unit by one day.
pub(crate) fn step(c: &mut Core) {
    let day = c.day as f32;
    for u in 0..c.units.len() {
        mature(c, u, day);
    }
}

/// One day (step day `day`) of unit `u`'s maturation. The event-driven stepper calls it for
/// the maturing units only.
#[inline]
pub(crate) fn mature(c: &mut Core, u: usize, day: f32) {
    if c.units.axon[u] != AxonState::Reconnected {
        return;
    }
    // A unit that reconnected today starts at 0; every later day adds 1/T.
    if c.units.reconnected_day[u] < day {
        c.units.maturity[u] =
            advance(c.units.maturity[u] as f64, 1.0, c.coef.maturation_days) as f32;
    }
}

/// Whether unit `u` still matures (a unit at maturity 1 stays there: `advance` clamps).
pub(crate) fn maturing(c: &Core, u: usize) -> bool {
    c.units.axon[u] == AxonState::Reconnected && c.units.maturity[u] != 1.0
}

#[cfg(test)]
mod tests {
    use super::advance;

    #[test]
    fn maturity_rises_linearly_and_saturates() {
        assert_eq!(advance(0.0, 45.0, 90.0), 0.5);
        assert_eq!(advance(0.5, 90.0, 90.0), 1.0);
        // Two half steps equal one whole step (interval form).
        let a = advance(advance(0.1, 10.0, 90.0), 10.0, 90.0);
        let b = advance(0.1, 20.0, 90.0);
        assert!((a - b).abs() < 1e-12);
        assert_eq!(advance(0.3, 5.0, 0.0), 1.0);
    }
}
