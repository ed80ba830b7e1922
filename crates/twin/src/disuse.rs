//! Disuse: immobilization, unloading, bed rest, paralysis — and the paralysis of
//! fibres behind a conduction block.
//!
//! In an innervated but unused muscle, myofibrillar protein synthesis falls over
//! about ten days to a lower level while breakdown is little changed (de Boer et al.
//! 2007 J Physiol 585:241: 0.047 → 0.022 %/h by day 10 of limb suspension, i.e. a
//! synthesis fraction of 0.47); atrophy is therefore slower and milder than after
//! denervation, and the EMG stays normal (fibres keep their axons). The synthesis
//! target of a unit's fibres ramps linearly from 1 to the model's fraction over
//! `disuse_onset_days`. Voluntary activation also falls early in disuse (strength
//! falls 4.2 times faster than size at day 5 of bed rest, about 1.9 times after 35
//! days: Marusic et al. 2021 J Appl Physiol 131:194); modelled as a neural-drive
//! loss approaching `disuse_neural_drive_loss` with `disuse_neural_tau_days` and
//! recovering at the same rate. Progressive resistance exercise raises synthesis of
//! innervated fibres by `resistance_synthesis_boost` (a named assumption, neutral by
//! default).

use crate::scenario::DisuseModel;
use crate::sim::Core;
use crate::state::AxonState;

/// Synthesis fraction of a disuse model.
pub fn synthesis_fraction(k: &crate::params::Coefficients, model: DisuseModel) -> f64 {
    match model {
        DisuseModel::Immobilization => k.immobilization_synthesis_fraction,
        DisuseModel::Unloading => k.unloading_synthesis_fraction,
        DisuseModel::BedRest => k.bed_rest_synthesis_fraction,
        DisuseModel::Paralysis => k.paralysis_synthesis_fraction,
    }
}

fn ramp(target: f64, days: f64, onset: f64) -> f64 {
    1.0 - (1.0 - target) * (days / onset.max(1e-9)).clamp(0.0, 1.0)
}

/// The day's synthesis levels — the same for every unit in a given axon state — and the
/// neural-drive target (a pure function of the day's schedule: the event-driven stepper
/// compares them between days to find where they change).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Levels {
    /// Innervated units without a block: the disuse model's ramp (1 without disuse).
    active: f64,
    /// Progressive resistance exercise's boost of units with a working axon.
    boost: f64,
    /// Units behind a conduction block: paralysis ramp since the injury.
    blocked: f64,
    /// Target of the neural drive.
    neural_target: f64,
}

/// The levels of step day `day` under schedule `today`.
pub(crate) fn levels(c: &Core, day: u32, today: &crate::treatment::Today) -> Levels {
    let k = &c.coef;
    let active = match today.disuse {
        Some((model, since)) => ramp(synthesis_fraction(k, model), since, k.disuse_onset_days),
        None => 1.0,
    };
    let boost = if today.resistance {
        1.0 + k.resistance_synthesis_boost
    } else {
        1.0
    };
    let injury_day = c.injury.as_ref().map(|i| i.day.0).unwrap_or(0.0);
    let blocked = ramp(
        k.paralysis_synthesis_fraction,
        day as f64 - injury_day,
        k.disuse_onset_days,
    );
    let neural_target = if today.disuse.is_some() {
        1.0 - k.disuse_neural_drive_loss
    } else {
        1.0
    };
    Levels {
        active,
        boost,
        blocked,
        neural_target,
    }
}

/// Sets today's synthesis drive per unit and the neural drive.
pub(crate) fn step(c: &mut Core) {
    let l = levels(c, c.day, &c.today);
    for u in 0..c.units.len() {
        c.drives.unit_synthesis[u] = match c.units.axon[u] {
            AxonState::Blocked => l.blocked.min(l.active),
            AxonState::Intact | AxonState::Reconnected => l.active * l.boost,
            _ => l.active,
        } as f32;
    }
    relax_neural_drive(c, l.neural_target);
}

/// One day of the neural drive's relaxation toward `target` (rate `1 - exp(-1/τ)`).
pub(crate) fn relax_neural_drive(c: &mut Core, target: f64) {
    let a = c.cache.neural_rate;
    c.muscle.neural_drive += (target - c.muscle.neural_drive) * a;
}

/// The neural-drive target of the current day's schedule.
pub(crate) fn neural_target(c: &Core) -> f64 {
    levels(c, c.day, &c.today).neural_target
}
