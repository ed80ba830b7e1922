//! Collateral and terminal sprouting of surviving motor units.
//!
//! From `sprouting_onset_days` after a fibre loses its axon, intact units adopt
//! nearby orphaned fibres (same capture process as [`crate::reinnervation`], at
//! `sprouting_rate_per_day`), each up to `sprouting_cap` times its native size.
//! Brown & Ironton 1978 (J Physiol 278:325-348): in the mouse peroneus tertius,
//! three or more intact units of 11 reinnervated the whole muscle within 12 days;
//! units enlarge up to about 5-fold. Rafuse, Gordon & Orozco 1992 (J Neurophysiol
//! 68:1261): all units enlarge by the same factor, and enlargement falls short of
//! compensation for extensive (≥ 90%) denervation — the cap. Adopted fibres take
//! their new unit's type (fibre-type grouping).

use crate::sim::Core;
use crate::state::AxonState;

/// Intact units adopt orphaned fibres.
pub(crate) fn step(c: &mut Core) {
    // The per-unit buffer is reused from day to day (no allocation per step).
    let mut eligible = std::mem::take(&mut c.scratch.eligible);
    eligible.clear();
    eligible.extend(
        c.units
            .axon
            .iter()
            .map(|&a| matches!(a, AxonState::Intact | AxonState::Blocked)),
    );
    if eligible.iter().any(|&e| e) {
        let rate = c.coef.sprouting_rate_per_day;
        let onset = c.coef.sprouting_onset_days as f32;
        crate::reinnervation::capture(c, &eligible, rate, onset, 2);
    }
    c.scratch.eligible = eligible;
}
