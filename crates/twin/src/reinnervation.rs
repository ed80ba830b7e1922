//! Reinnervation: reconnected axons (regrown or transferred) capture denervated
//! fibres whose end plates are still receptive.
//!
//! Capture is the same process as collateral sprouting ([`crate::sprouting`]), run
//! by a different set of adopters: each day a receptive orphaned fibre is captured
//! with probability `1 - exp(-rate · min(1, S/O))`, where S is the adopters' spare
//! capacity (each may grow to `sprouting_cap` times its native size — Brown &
//! Ironton 1978 J Physiol 278:325, up to 5-fold; the same cap binds regenerated
//! units: 3–5-fold after delayed repair, Fu & Gordon 1995 J Neurosci 15:3886) and O
//! the receptive orphans. The captured fibre takes its new unit's type, so types
//! cluster (fibre-type grouping). Captured fibres are shared among adopters in
//! proportion to their spare capacity; at fibre resolution a sprouting unit is
//! preferred when it innervates an adjacent fibre of the grid (sprouts are local),
//! which gives spatial type grouping without changing how many fibres each class
//! of adopter takes.
//!
//! **Territories of regrown units** (fibre resolution). Regenerating motor axons
//! follow the major nerve branches back to their region and restore the normal
//! compartmentalisation, and a reinnervated unit's fibres lie within a discrete
//! territory of about the normal size (cat medial gastrocnemius: Rafuse & Gordon
//! 1996, J Neurophysiol, 'Self-reinnervated cat medial gastrocnemius muscles. II' (abstract
//! seen, volume not seen); cat tibialis anterior, fibres clustered within
//! the territory: Bodine-Fowler et al. 1993, Muscle Nerve 16:379-391). So a regrown
//! axon's captured fibres are placed inside its unit's territory — the disc of the
//! twin's native territory (`territory_overlap` × its native fibre count, as set up in
//! [`crate::motor_unit`]) around its territory centre — whenever the day's captures
//! allow (a fibre no territory with fibres left covers goes to the nearest). Which fibres
//! are captured each day and how many each unit takes (the proportional share of spare
//! capacity, as at pooled resolution) are unchanged, so every sum and unit size is;
//! only which of the day's captured fibres each unit gets moves, which sets where a
//! unit's fibres lie (the needle's MUPs) and the type mosaic.

use crate::params::Coefficients;
use crate::rng::{self, Stream};
use crate::sim::{Core, Resolution};
use crate::state::{AxonState, FibreState, MotorUnits, Muscle, NO_UNIT};

/// Captures receptive orphans for the units in `eligible`; returns fibres captured.
pub(crate) fn capture(
    c: &mut Core,
    eligible: &[bool],
    rate: f64,
    min_denervated_days: f32,
    class: u64,
) -> f64 {
    // Nothing to capture (yesterday's sums), unless fibres lost their axon today.
    let known = if min_denervated_days > 0.0 {
        c.sums[9]
    } else {
        c.sums[8]
    };
    if known < 1e-9 && !c.fibres_changed {
        return 0.0;
    }
    // Per-unit buffers are reused from day to day (no allocation per step).
    let mut spare = std::mem::take(&mut c.scratch.spare);
    let mut cum = std::mem::take(&mut c.scratch.cum);
    let mut grid = std::mem::take(&mut c.scratch.grid);
    if class == 2 && c.resolution == Resolution::Fibre && grid.is_empty() {
        grid = FibreGrid::new(&c.fibres, c.muscle.radius_um);
    }
    let captured = capture_with(
        c,
        eligible,
        &mut spare,
        &mut cum,
        &grid,
        rate,
        min_denervated_days,
        class,
    );
    c.scratch.spare = spare;
    c.scratch.cum = cum;
    c.scratch.grid = grid;
    captured
}

#[allow(clippy::too_many_arguments)]
fn capture_with(
    c: &mut Core,
    eligible: &[bool],
    spare: &mut Vec<f32>,
    cum: &mut Vec<f64>,
    grid: &FibreGrid,
    rate: f64,
    min_denervated_days: f32,
    class: u64,
) -> f64 {
    let cap = c.coef.sprouting_cap as f32;
    let n_units = c.units.len();
    spare.clear();
    spare.resize(n_units, 0.0);
    let mut total_spare = 0.0f64;
    for u in 0..n_units {
        if eligible[u] {
            spare[u] = (cap * c.units.native_size[u] - c.units.fibres[u]).max(0.0);
            total_spare += spare[u] as f64;
        }
    }
    if total_spare < 1e-6 {
        return 0.0;
    }
    // Lazy fibres (fibre resolution with the event stepper, `crate::lazy_fibres`): the
    // receptive orphans from the trajectories' sums — whole fibres, so the same count.
    let lazy_orphans = c
        .lazy
        .as_deref_mut()
        .map(|l| l.receptive_orphans(&c.fibres, min_denervated_days));
    let f = &mut c.fibres;
    // Days denervated: the fibre table's column, or the lazy fibres'.
    let lazy = c.lazy.as_deref();
    let days = |f: &crate::state::Fibres, i: usize| match lazy {
        Some(l) => l.denervated_days(f, i),
        None => f.denervated_days[i],
    };
    let orphans = match lazy_orphans {
        Some(o) => o,
        None => {
            let mut orphans = 0.0f64;
            for i in 0..f.len() {
                if f.state[i] == FibreState::Denervated
                    && f.denervated_days[i] >= min_denervated_days
                {
                    orphans += (f.count[i] * f.receptive[i]) as f64;
                }
            }
            orphans
        }
    };
    if orphans < 1e-6 {
        return 0.0;
    }
    let ratio = (total_spare / orphans).min(1.0);
    let p = 1.0 - (-rate * ratio).exp();
    let day = c.day;
    let seed = c.seed;
    let mut captured = 0.0f64;
    match c.resolution {
        Resolution::Fibre => {
            // Cumulative spare capacity for the global choice.
            cum.clear();
            let mut acc = 0.0f64;
            for &s in spare.iter() {
                acc += s as f64;
                cum.push(acc);
            }
            let phase = rng::uniform(seed, Stream::Adopter, u64::MAX, (day as u64) * 8 + class);
            let mut picks: u64 = 0;
            // Regrown axons (class 1) reinnervate within their territories (see
            // `territories`); built only on the days they capture.
            // Regrown axons' captures (class 1): fibre and unit, placed in the units'
            // territories after the day's choice (see `place_in_territories`).
            let mut regrown: Vec<(u32, u32)> = Vec::new();
            // Fibres given a unit today (for the lazy fibres, `crate::lazy_fibres`).
            let mut moved: Vec<u32> = Vec::new();
            let n = f.len();
            for i in 0..n {
                if f.state[i] != FibreState::Denervated
                    || (min_denervated_days > 0.0 && days(f, i) < min_denervated_days)
                    || f.receptive[i] <= 0.0
                {
                    continue;
                }
                let stream_day = (day as u64) * 8 + class;
                if rng::uniform(seed, Stream::Capture, i as u64, stream_day) >= p {
                    continue;
                }
                // Sprouting (class 2): the unit of the nearest innervated fibre
                // that can still grow (terminal and nodal sprouts reach the
                // orphans beside their own fibres, so adopted fibres cluster around
                // them). Regrown axons (class 1) are shared in proportion to spare
                // capacity, as at pooled resolution, and then placed in their
                // territories.
                let mut chosen = if class == 2 {
                    grid.nearest_adopter(f, i, eligible, spare)
                } else {
                    NO_UNIT
                };
                if chosen == NO_UNIT {
                    // Low-discrepancy (golden-ratio) sequence over the cumulative
                    // spare capacity: each adopter gets close to its proportional
                    // share every day, as at pooled resolution.
                    picks += 1;
                    let x = (phase + picks as f64 * 0.618_033_988_749_895).fract() * acc;
                    let mut u = cum.partition_point(|&v| v <= x).min(n_units - 1);
                    // Skip units that have filled up today.
                    let mut tries = 0;
                    while (spare[u] < 1.0 || !eligible[u]) && tries < n_units {
                        u = (u + 1) % n_units;
                        tries += 1;
                    }
                    if spare[u] < 1.0 || !eligible[u] {
                        continue;
                    }
                    chosen = u as u32;
                }
                spare[chosen as usize] -= 1.0;
                if class == 1 {
                    regrown.push((i as u32, chosen));
                    continue;
                }
                f.state[i] = FibreState::Reinnervated;
                f.unit[i] = chosen;
                f.origin[i] = chosen;
                f.ftype[i] = c.units.ftype[chosen as usize];
                f.denervated_days[i] = 0.0;
                f.hazard[i] = 0.0;
                f.reinnervated_day[i] = day as f32;
                moved.push(i as u32);
                captured += 1.0;
            }
            if !regrown.is_empty() {
                place_in_territories(&mut regrown, f, &c.units, &c.muscle, &c.coef, seed, day);
                for &(i, u) in &regrown {
                    let i = i as usize;
                    f.state[i] = FibreState::Reinnervated;
                    f.unit[i] = u;
                    f.origin[i] = u;
                    f.ftype[i] = c.units.ftype[u as usize];
                    f.denervated_days[i] = 0.0;
                    f.hazard[i] = 0.0;
                    f.reinnervated_day[i] = day as f32;
                    moved.push(i as u32);
                    captured += 1.0;
                }
            }
            if let Some(l) = c.lazy.as_deref_mut() {
                for i in moved {
                    l.note_move(i as usize);
                }
            }
        }
        Resolution::Pooled => {
            // Take from every orphan row, then share the pool among adopters.
            let mut pool = [0.0f64; 5]; // n, n·base, n·base·size, n·base·tension, n·base·capacity
            for i in 0..f.len() {
                if f.state[i] != FibreState::Denervated
                    || f.denervated_days[i] < min_denervated_days
                {
                    continue;
                }
                let n = f.count[i] as f64;
                let rec = f.receptive[i] as f64;
                let taken = n * rec * p;
                if taken <= 0.0 {
                    continue;
                }
                let b = f.base_csa[i] as f64;
                pool[0] += taken;
                pool[1] += taken * b;
                pool[2] += taken * b * f.size[i] as f64;
                pool[3] += taken * b * f.tension[i] as f64;
                pool[4] += taken * b * f.capacity[i] as f64;
                let left = n - taken;
                f.count[i] = left as f32;
                f.receptive[i] = if left > 1e-9 {
                    ((n * rec - taken) / left).clamp(0.0, 1.0) as f32
                } else {
                    0.0
                };
            }
            if pool[0] <= 0.0 {
                return 0.0;
            }
            let base = pool[1] / pool[0];
            let size = pool[2] / pool[1];
            let tension = pool[3] / pool[1];
            let capacity = pool[4] / pool[1];
            for u in 0..n_units {
                if !eligible[u] || spare[u] <= 0.0 {
                    continue;
                }
                let n = pool[0] * spare[u] as f64 / total_spare;
                merge_reinnervated(c, u, n, base, size, tension, capacity, day as f64);
                captured += n;
            }
        }
    }
    if captured > 0.0 {
        c.fibres_changed = true;
    }
    captured
}

/// Pooled resolution: adds `n` fibres with the given means to unit `u`'s
/// reinnervated row (count-weighted means; volume-weighted size and tension).
#[allow(clippy::too_many_arguments)]
pub(crate) fn merge_reinnervated(
    c: &mut Core,
    u: usize,
    n: f64,
    base: f64,
    size: f64,
    tension: f64,
    capacity: f64,
    day: f64,
) {
    let row = c.reinnervated_row[u];
    let f = &mut c.fibres;
    if row == usize::MAX || row >= f.len() {
        let r = f.push(
            n as f32,
            None,
            base as f32,
            c.units.ftype[u],
            u as u32,
            FibreState::Reinnervated,
        );
        f.size[r] = size as f32;
        f.tension[r] = tension as f32;
        f.capacity[r] = capacity as f32;
        f.reinnervated_day[r] = day as f32;
        c.reinnervated_row[u] = r;
        return;
    }
    let n0 = f.count[row] as f64;
    let b0 = f.base_csa[row] as f64;
    let tot = n0 + n;
    let vol0 = n0 * b0;
    let vol1 = n * base;
    let vol = (vol0 + vol1).max(1e-30);
    f.size[row] = ((vol0 * f.size[row] as f64 + vol1 * size) / vol) as f32;
    f.tension[row] = ((vol0 * f.tension[row] as f64 + vol1 * tension) / vol) as f32;
    f.capacity[row] = ((vol0 * f.capacity[row] as f64 + vol1 * capacity) / vol) as f32;
    f.reinnervated_day[row] = ((n0 * f.reinnervated_day[row] as f64 + n * day) / tot) as f32;
    f.base_csa[row] = (vol / tot) as f32;
    f.count[row] = tot as f32;
}

/// Fibre indices bucketed by position (fibre resolution; positions never change),
/// for the nearest-adopter search of sprouting.
#[derive(Debug, Clone, Default)]
pub(crate) struct FibreGrid {
    cells: usize,
    cell: f32,
    origin: f32,
    start: Vec<u32>,
    items: Vec<u32>,
}

impl FibreGrid {
    /// Buckets the fibres of a cross-section of `radius` (µm) into cells of about
    /// one fibre spacing.
    fn new(f: &crate::state::Fibres, radius: f64) -> Self {
        let n = f.len();
        if n == 0 || f.x.len() != n {
            return Self::default();
        }
        let spacing = (std::f64::consts::PI * radius * radius / n as f64).sqrt();
        let cells = ((2.0 * radius / spacing.max(1e-6)).ceil() as usize).clamp(1, 4096);
        let cell = (2.0 * radius / cells as f64).max(1e-6) as f32;
        let mut g = FibreGrid {
            cells,
            cell,
            origin: -radius as f32,
            start: vec![0; cells * cells + 1],
            items: vec![0; n],
        };
        for i in 0..n {
            let k = g.key(f.x[i], f.y[i]);
            g.start[k + 1] += 1;
        }
        for k in 0..cells * cells {
            g.start[k + 1] += g.start[k];
        }
        let mut fill = g.start.clone();
        for i in 0..n {
            let k = g.key(f.x[i], f.y[i]);
            g.items[fill[k] as usize] = i as u32;
            fill[k] += 1;
        }
        g
    }

    fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    fn coord(&self, v: f32) -> usize {
        (((v - self.origin) / self.cell).floor() as isize).clamp(0, self.cells as isize - 1)
            as usize
    }

    fn key(&self, x: f32, y: f32) -> usize {
        self.coord(y) * self.cells + self.coord(x)
    }

    /// The unit of the innervated fibre nearest fibre `i` among units that are
    /// eligible and have at least one fibre of spare capacity (ties: lower index);
    /// `NO_UNIT` when there is none.
    fn nearest_adopter(
        &self,
        f: &crate::state::Fibres,
        i: usize,
        eligible: &[bool],
        spare: &[f32],
    ) -> u32 {
        if self.items.is_empty() || i >= f.x.len() {
            return NO_UNIT;
        }
        let (px, py) = (f.x[i], f.y[i]);
        let (cx, cy) = (self.coord(px) as isize, self.coord(py) as isize);
        let mut best = (f32::INFINITY, usize::MAX, NO_UNIT);
        let last = self.cells as isize - 1;
        for d in 0..=self.cells as isize {
            if d >= 1 {
                let reach = (d - 1) as f32 * self.cell;
                if best.2 != NO_UNIT && best.0 <= reach * reach {
                    break;
                }
            }
            if cx - d < 0 && cy - d < 0 && cx + d > last && cy + d > last {
                break;
            }
            for gy in (cy - d).max(0)..=(cy + d).min(last) {
                let edge_row = gy == cy - d || gy == cy + d;
                let step = if edge_row { 1 } else { (2 * d).max(1) };
                let mut gx = cx - d;
                while gx <= cx + d {
                    if (0..=last).contains(&gx) {
                        let k = gy as usize * self.cells + gx as usize;
                        for &j in &self.items[self.start[k] as usize..self.start[k + 1] as usize] {
                            let j = j as usize;
                            if j == i || !f.state[j].is_innervated() {
                                continue;
                            }
                            let u = f.unit[j];
                            if u == NO_UNIT || !eligible[u as usize] || spare[u as usize] < 1.0 {
                                continue;
                            }
                            let dx = f.x[j] - px;
                            let dy = f.y[j] - py;
                            let d2 = dx * dx + dy * dy;
                            if d2 < best.0 || (d2 == best.0 && j < best.1) {
                                best = (d2, j, u);
                            }
                        }
                    }
                    gx += step;
                }
            }
        }
        best.2
    }
}

/// Reconnected axons capture receptive fibres.
pub(crate) fn step(c: &mut Core) {
    if !c.units.axon.contains(&AxonState::Reconnected) {
        c.captured_by_regrowth_today = 0.0;
        return;
    }
    let mut eligible = std::mem::take(&mut c.scratch.eligible);
    eligible.clear();
    eligible.extend(c.units.axon.iter().map(|&a| a == AxonState::Reconnected));
    let rate = c.coef.reinnervation_rate_per_day;
    c.captured_by_regrowth_today = capture(c, &eligible, rate, 0.0, 1);
    c.scratch.eligible = eligible;
}

/// Places the day's captures by regrown axons in their units' territories, keeping
/// how many fibres each unit takes today (`taken`: fibre, unit as chosen by spare
/// capacity; rewritten in place). Each unit's territory is the disc of its native
/// territory (`territory_overlap` × its native fibre count at the healthy packing,
/// around its centre, as [`crate::motor_unit`] set it up). Every captured fibre, in a
/// seeded random order, goes to a unit with fibres still to place today whose territory
/// covers it (in proportion to the fibres it still has to place); a fibre no such
/// territory covers goes to the unit with fibres left whose territory centre is
/// nearest. Sums and unit sizes are therefore those of the unplaced choice; only which
/// of the captured fibres each unit gets — where its fibres lie — changes.
fn place_in_territories(
    taken: &mut [(u32, u32)],
    f: &crate::state::Fibres,
    units: &MotorUnits,
    muscle: &Muscle,
    coef: &Coefficients,
    seed: u64,
    day: u32,
) {
    let fibre_area = muscle.healthy_contractile / muscle.healthy_fibres.max(1.0);
    let contractile_share = (1.0 - coef.extracellular_volume_fraction).max(1e-6);
    // Fibres each unit places today, and the territories of those units by centre x.
    let mut quota: std::collections::BTreeMap<u32, u32> = std::collections::BTreeMap::new();
    for &(_, u) in taken.iter() {
        *quota.entry(u).or_insert(0) += 1;
    }
    let mut discs: Vec<(f32, f32, f32, u32)> = quota
        .keys()
        .map(|&u| {
            let k = u as usize;
            let r2 = (coef.territory_overlap * f64::from(units.native_size[k]) * fibre_area
                / contractile_share
                / std::f64::consts::PI) as f32;
            (units.cx[k], units.cy[k], r2, u)
        })
        .collect();
    discs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.3.cmp(&b.3)));
    let r_max = discs.iter().fold(0.0f32, |m, d| m.max(d.2.sqrt()));
    // A seeded random order of the captured fibres (so no part of the grid is placed
    // first systematically).
    let key = |i: u32| rng::hash(seed, Stream::Adopter, u64::from(i), u64::from(day) * 8 + 5);
    taken.sort_by_key(|&(i, _)| (key(i), i));
    for t in taken.iter_mut() {
        let i = t.0 as usize;
        let (x, y) = (f.x[i], f.y[i]);
        let lo = discs.partition_point(|d| d.0 < x - r_max);
        let hi = discs.partition_point(|d| d.0 <= x + r_max);
        let left = |u: u32| quota.get(&u).copied().unwrap_or(0);
        let covers = |d: &(f32, f32, f32, u32)| {
            let (dx, dy) = (d.0 - x, d.1 - y);
            dx * dx + dy * dy <= d.2 && left(d.3) > 0
        };
        let total: u64 = discs[lo..hi]
            .iter()
            .filter(|d| covers(d))
            .map(|d| u64::from(left(d.3)))
            .sum();
        let chosen = if total > 0 {
            let draw = rng::uniform(seed, Stream::Adopter, i as u64, u64::from(day) * 8 + 6);
            let target = ((draw * total as f64) as u64).min(total - 1);
            let mut acc = 0u64;
            let mut pick = NO_UNIT;
            for d in discs[lo..hi].iter().filter(|d| covers(d)) {
                acc += u64::from(left(d.3));
                if acc > target {
                    pick = d.3;
                    break;
                }
            }
            pick
        } else {
            // Nearest territory centre among units with fibres left (ties: lower unit).
            let mut best = (f32::INFINITY, NO_UNIT);
            for d in &discs {
                if left(d.3) == 0 {
                    continue;
                }
                let (dx, dy) = (d.0 - x, d.1 - y);
                let e = dx * dx + dy * dy;
                if e < best.0 || (e == best.0 && d.3 < best.1) {
                    best = (e, d.3);
                }
            }
            best.1
        };
        if chosen != NO_UNIT {
            t.1 = chosen;
            if let Some(q) = quota.get_mut(&chosen) {
                *q -= 1;
            }
        }
    }
    taken.sort_by_key(|&(i, _)| i);
}
