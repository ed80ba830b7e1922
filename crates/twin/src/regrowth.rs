//! Axon regrowth from the lesion (or coaptation) to the muscle.
//!
//! After a start-up delay (crush: `regrowth_delay_crush_days`, suture:
//! `regrowth_delay_repair_days`; rabbit toe-spreading latent periods of 18.2 d after
//! crush and 27.7 d after suture, from a scilit abstract whose authors and year are not
//! shown (literature.md §4); Gutmann, Guttmann, Medawar & Young 1942 J Exp Biol 19:14
//! give about 20 and 36 d), each axon advances at its own speed: the species' mean
//! (`regrowth_speed_mm_per_day`; human 1.4 mm/day after axonotmesis, Seddon et al.)
//! times an age factor `1 - age_speed_decline_per_year * (age - age_reference_years)`
//! held within [`regrowth_age_factor_min`, `regrowth_age_factor_max`] (named
//! assumptions; slower regeneration with age, Verdú et al. 1995 Brain Res 696:76),
//! times `1 + cv·z` with z a standard normal draw per axon clipped to
//! ±`regrowth_speed_clip_sd` (`regrowth_speed_cv`; named assumption), so arrivals are
//! staggered. An axon that will not reach the
//! muscle (lost, or misdirected into another muscle; shares by Sunderland grade) is
//! marked lost at launch. Axons that must cross suture lines (repairs, transfers)
//! start after an extra per-axon delay, uniform in \[0, `suture_crossing_days`\] per
//! line (staggered regeneration; named assumption). On arrival the axon reconnects and can capture fibres
//! ([`crate::reinnervation`]).

use crate::rng::{self, Stream};
use crate::sim::Core;
use crate::state::AxonState;

/// Share of cut axons that reach the muscle after a spontaneous (unrepaired) lesion.
pub(crate) fn grade_success(c: &Core) -> f64 {
    let g = c.injury.as_ref().map(|i| i.grade.sunderland()).unwrap_or(2);
    match g {
        0..=2 => c.coef.sunderland2_axon_success,
        3 => c.coef.sunderland3_axon_success,
        4 => c.coef.sunderland4_axon_success,
        _ => 0.0,
    }
}

/// Extra delay, in days, before axon `u` has crossed `lines` suture lines: each line
/// adds a uniform share of `suture_crossing_days` (staggered regeneration: axons cross
/// a coaptation over weeks, not together). A pure function of (seed, unit, line).
pub fn crossing_delay(seed: u64, u: usize, lines: u32, suture_crossing_days: f64) -> f64 {
    (0..lines)
        .map(|k| rng::uniform(seed, Stream::SutureCrossing, u as u64, k as u64))
        .sum::<f64>()
        * suture_crossing_days.max(0.0)
}

/// Sets unit `u` regrowing from day `start` over `distance_mm` (or lost: of the
/// axons launched together, a share `1 - success`); `speed_factor` scales the mean
/// speed (repairs); `lines` is the number of suture lines the axon must cross first
/// (0 for a lesion in continuity, 1 for a direct suture or a transfer, 2 for a graft),
/// each adding its own staggered delay ([`crossing_delay`]). Of the axons that reach
/// the muscle, the share `own_share` is the muscle's own motoneurons' and the rest
/// foreign (another muscle's motoneurons that entered its tubes at a mixed-nerve repair,
/// [`crate::repair::right_target_share`]; 1 for a lesion in continuity or a transfer).
#[allow(clippy::too_many_arguments)]
pub(crate) fn launch(
    c: &mut Core,
    u: usize,
    success: f64,
    own_share: f64,
    start: f64,
    distance_mm: f64,
    speed_factor: f64,
    lines: u32,
) {
    let k = &c.coef;
    // Stratified fates: of axons launched together with the same success share,
    // the number that reach the muscle is the expected number (±1), and which ones
    // do is set by a seeded phase (no extra binomial noise between runs).
    let phase = rng::uniform(c.seed, Stream::AxonFate, u64::MAX, start.to_bits());
    let p = success.clamp(0.0, 1.0);
    let reaches = ((u as f64 + 1.0) * p + phase).floor() > (u as f64 * p + phase).floor();
    if !reaches {
        c.units.axon[u] = AxonState::Lost;
        c.units.foreign[u] = false;
        return;
    }
    // Which of the arriving axons are foreign, stratified the same way over the arriving
    // ones (their rank among the launched axons that reach), with a phase of its own: of
    // `n` arriving axons, `n · (1 - own_share)` (±1) are foreign.
    let rank = ((u as f64 + 1.0) * p + phase).floor() - phase.floor() - 1.0;
    let q = own_share.clamp(0.0, 1.0);
    let own_phase = rng::uniform(c.seed, Stream::AxonFate, u64::MAX - 1, start.to_bits());
    let own = ((rank + 1.0) * q + own_phase).floor() > (rank * q + own_phase).floor();
    c.units.foreign[u] = !own;
    // The data ranges keep min < max and the clip positive; the guards below keep
    // `clamp` from panicking whatever an override file holds.
    let lo = k.regrowth_age_factor_min;
    let hi = k.regrowth_age_factor_max.max(lo);
    let age_factor =
        (1.0 - k.age_speed_decline_per_year * (c.age_years - k.age_reference_years)).clamp(lo, hi);
    let clip = k.regrowth_speed_clip_sd.abs();
    let z = rng::normal(c.seed, Stream::AxonFate, u as u64, 1).clamp(-clip, clip);
    let speed = k.regrowth_speed_mm_per_day
        * age_factor
        * speed_factor
        * c.speed_modifier
        * (1.0 + k.regrowth_speed_cv * z);
    let start = start + crossing_delay(c.seed, u, lines, k.suture_crossing_days);
    c.units.axon[u] = AxonState::Regrowing;
    c.units.regrowth_start[u] = start as f32;
    c.units.speed[u] = speed.max(0.01) as f32;
    c.units.front_mm[u] = 0.0;
    c.units.target_mm[u] = distance_mm as f32;
}

/// Advances regrowing axons; reconnects those that arrive.
pub(crate) fn step(c: &mut Core) {
    let d = c.day as f32;
    for u in 0..c.units.len() {
        grow(c, u, d);
    }
}

/// One day (step day `d`) of axon `u`'s regrowth: the front advances by the axon's speed
/// once regrowth has started; on arrival the axon reconnects. The event-driven stepper
/// calls it for the regrowing axons only, over days on which none can arrive.
#[inline]
pub(crate) fn grow(c: &mut Core, u: usize, d: f32) {
    if c.units.axon[u] != AxonState::Regrowing || d < c.units.regrowth_start[u] {
        return;
    }
    c.units.front_mm[u] += c.units.speed[u];
    if c.units.front_mm[u] >= c.units.target_mm[u] {
        c.units.axon[u] = AxonState::Reconnected;
        c.units.reconnected_day[u] = d;
        c.units.maturity[u] = 0.0;
        c.units.conduction[u] = 1.0;
    }
}

/// The last step day on which regrowing axon `u` surely has not yet arrived, seen from day
/// `day` (a lower bound, with a margin for the running f32 sum of the front; `u32::MAX` for
/// an axon that is not regrowing).
pub(crate) fn surely_away_until(c: &Core, u: usize, day: u32) -> u32 {
    if c.units.axon[u] != AxonState::Regrowing {
        return u32::MAX;
    }
    let speed = c.units.speed[u] as f64;
    let target = c.units.target_mm[u] as f64;
    let left = target - c.units.front_mm[u] as f64;
    // Growth days: the first step day on or after the start, then every day.
    let first = (day as f64 + 1.0).max((c.units.regrowth_start[u] as f64).ceil());
    let est = left / speed;
    // Rounding of the front's running f32 sum: at most half an ulp of the target a day.
    let margin = 2.0 + est * target.abs() * 1.2e-7 / speed;
    let safe_growths = (est - margin).floor();
    let last = if safe_growths < 1.0 {
        first - 1.0
    } else {
        first + safe_growths - 1.0
    };
    last.clamp(0.0, u32::MAX as f64) as u32
}
