//! The nerve injury on its day: which axons are hit and what happens to them.
//!
//! A partial injury hits `fraction_of_axons` of the muscle's axons, spread evenly
//! over the size-ordered pool from a seeded random offset (so a partial root
//! lesion spares small and large units alike). Sunderland I (neurapraxia): a
//! conduction block that resolves after a per-axon time drawn uniformly between
//! `block_recovery_min_days` and `block_recovery_max_days` (Trojaborg 1970 J Neurol
//! Neurosurg Psychiatry 33:625: normal within 6–8 weeks; Campbell 2008 Clin
//! Neurophysiol 119:1951: distal responses maintained, no axon loss). Sunderland
//! II–V: the axon is cut and its distal stump degenerates ([`crate::wallerian`]).

use crate::rng::{self, Stream};
use crate::scenario::Grade;
use crate::sim::Core;
use crate::state::AxonState;

/// Applies the injury on its day.
pub(crate) fn step(c: &mut Core) {
    let Some(inj) = c.injury.clone() else { return };
    let day = c.day as f64;
    if !(day - 1.0 <= inj.day.0 && inj.day.0 < day) {
        return;
    }
    let n = c.native_units;
    let f = inj.fraction_of_axons.0;
    let phase = rng::uniform(c.seed, Stream::InjuredAxons, 0, 0);
    for u in 0..n {
        let a = ((u as f64) * f + phase).floor();
        let b = ((u as f64 + 1.0) * f + phase).floor();
        let hit = f >= 1.0 || b > a;
        if !hit || !matches!(c.units.axon[u], AxonState::Intact | AxonState::Reconnected) {
            continue;
        }
        match inj.grade {
            Grade::Neurapraxia | Grade::Sunderland(1) => {
                let r = rng::uniform(c.seed, Stream::Block, u as u64, 0);
                let k = &c.coef;
                c.units.axon[u] = AxonState::Blocked;
                c.units.block_until[u] = (day
                    + k.block_recovery_min_days
                    + r * (k.block_recovery_max_days - k.block_recovery_min_days))
                    as f32;
            }
            _ => {
                c.units.axon[u] = AxonState::Degenerating;
                c.units.cut_day[u] = day as f32;
            }
        }
    }
}
