//! Wallerian degeneration of the distal stump.
//!
//! After a cut, the distal axon stays excitable for a latent period
//! (`wallerian_latency_days`; 24–48 h in rodents, Wang, Medress & Barres 2012 J Cell
//! Biol 196:7-18) and then its conduction falls linearly to zero over
//! `wallerian_duration_days` (the distal muscle response disappeared after 4–5 days
//! in the baboon, Gilliatt & Hjorth 1972 J Neurol Neurosurg Psychiatry 35:335). When
//! conduction reaches zero the unit's fibres lose their axon (they become
//! denervated) and the axon's fate is set: regrowth after the start-up delay if the
//! injury allows it, otherwise it waits for a repair.

use crate::regrowth;
use crate::scenario::Regrowth;
use crate::sim::Core;
use crate::state::{AxonState, FibreState, NO_UNIT};

/// Advances degeneration of cut axons; denervates their fibres when complete.
pub(crate) fn step(c: &mut Core) {
    let d = c.day as f32;
    let lat = c.coef.wallerian_latency_days as f32;
    let dur = (c.coef.wallerian_duration_days as f32).max(1e-3);
    let mut newly_cut = Vec::new();
    for u in 0..c.units.len() {
        if c.units.axon[u] != AxonState::Degenerating {
            continue;
        }
        let t = d - c.units.cut_day[u];
        let cond = if t <= lat {
            1.0
        } else {
            (1.0 - (t - lat) / dur).max(0.0)
        };
        c.units.conduction[u] = cond;
        if cond <= 0.0 {
            newly_cut.push(u);
        }
    }
    if newly_cut.is_empty() {
        return;
    }
    // Denervate the fibres of the degenerated units.
    c.fibres_changed = true;
    let mut gone = vec![false; c.units.len()];
    for &u in &newly_cut {
        gone[u] = true;
    }
    let f = &mut c.fibres;
    for i in 0..f.len() {
        let u = f.unit[i];
        if u != NO_UNIT && gone[u as usize] && f.state[i].is_innervated() {
            f.state[i] = FibreState::Denervated;
            f.origin[i] = u;
            f.unit[i] = NO_UNIT;
            f.denervated_days[i] = 0.0;
            f.hazard[i] = 0.0;
            if let Some(l) = c.lazy.as_deref_mut() {
                l.note_move(i);
            }
        }
    }
    for &u in &newly_cut {
        c.units.reconnected_day[u] = -1.0;
        let allowed = c
            .injury
            .as_ref()
            .is_some_and(|i| i.regrowth == Regrowth::Allowed && i.grade.sunderland() < 5);
        if let Some(p) = c.pending_repair {
            let t_ax = (p.day - c.units.cut_day[u] as f64).max(0.0);
            let success = p.success * crate::repair::axotomy_factor(&c.coef, t_ax);
            regrowth::launch(
                c,
                u,
                success,
                p.own_share,
                p.start,
                p.distance_mm,
                c.coef.repair_speed_factor,
                p.lines,
            );
        } else if allowed {
            let success = regrowth::grade_success(c);
            let dist = c.injury.as_ref().map(|i| i.distance_mm.0).unwrap_or(0.0);
            let start = c.units.cut_day[u] as f64 + c.coef.regrowth_delay_crush_days;
            regrowth::launch(c, u, success, 1.0, start, dist, 1.0, 0);
        } else {
            c.units.axon[u] = AxonState::Absent;
        }
    }
}
