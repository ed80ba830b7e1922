//! Conduction block (neurapraxia) and its recovery.
//!
//! A blocked axon does not carry voluntary drive across the lesion, but it is
//! intact distally: its fibres stay innervated, the distal CMAP is normal and there
//! are no fibrillations (Campbell 2008 Clin Neurophysiol 119:1951-1965). The block
//! resolves on the axon's recovery day (drawn in [`crate::lesion`]; Trojaborg 1970).

use crate::sim::Core;
use crate::state::AxonState;

/// Resolves blocks whose recovery day has come.
pub(crate) fn step(c: &mut Core) {
    let d = c.day as f32;
    for u in 0..c.units.len() {
        if c.units.axon[u] == AxonState::Blocked && d >= c.units.block_until[u] {
            c.units.axon[u] = AxonState::Intact;
        }
    }
}
