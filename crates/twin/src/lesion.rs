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
//!
//! **Mixed lesions in continuity.** A nerve crushed, stretched or compressed seldom suffers one
//! grade in all its fibres: some axons are only blocked while others degenerate (Seddon's and
//! Sunderland's mixed lesions; in radial palsies from traction or blunt injury, axonal damage
//! with sparing of some of the fastest-conducting fibres, Trojaborg 1970). With
//! `blocked_share` s above 0 (Sunderland 2–4 only), that share of the injured axons, spread
//! evenly over the size-ordered pool (a stratified choice from a seeded phase, so the count is
//! the expected one ±1), gets the neurapraxia's block and the rest the grade's degeneration. The
//! blocked units keep their fibres and sprout into the orphans of the degenerated ones
//! ([`crate::sprouting`]) while the degenerated axons regrow.

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
    // Mixed lesion: the blocked share of the hit axons, stratified over the hit ones in pool
    // order (a phase of its own on the block stream, away from the per-axon draws `(u, 0)`).
    let blocked_share = if (2..=4).contains(&inj.grade.sunderland()) {
        inj.blocked_share.0.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let blocked_phase = rng::uniform(c.seed, Stream::Block, u64::MAX, 1);
    let mut hit_index = 0u64;
    for u in 0..n {
        let a = ((u as f64) * f + phase).floor();
        let b = ((u as f64 + 1.0) * f + phase).floor();
        let hit = f >= 1.0 || b > a;
        if !hit || !matches!(c.units.axon[u], AxonState::Intact | AxonState::Reconnected) {
            continue;
        }
        let k = hit_index as f64;
        hit_index += 1;
        let only_blocked = blocked_share > 0.0
            && ((k + 1.0) * blocked_share + blocked_phase).floor()
                > (k * blocked_share + blocked_phase).floor();
        match inj.grade {
            _ if only_blocked => block(c, u, day),
            Grade::Neurapraxia | Grade::Sunderland(1) => block(c, u, day),
            _ => {
                c.units.axon[u] = AxonState::Degenerating;
                c.units.cut_day[u] = day as f32;
            }
        }
    }
}

/// A conduction block of axon `u` from `day`, lifting after a per-axon time drawn uniformly
/// between `block_recovery_min_days` and `block_recovery_max_days`.
fn block(c: &mut Core, u: usize, day: f64) {
    let r = rng::uniform(c.seed, Stream::Block, u as u64, 0);
    let k = &c.coef;
    c.units.axon[u] = AxonState::Blocked;
    c.units.block_until[u] =
        (day + k.block_recovery_min_days
            + r * (k.block_recovery_max_days - k.block_recovery_min_days)) as f32;
}
