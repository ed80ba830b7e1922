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

use crate::rng::{self, Stream};
use crate::sim::{Core, Resolution};
use crate::state::{AxonState, FibreState, NO_UNIT};

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
    let f = &mut c.fibres;
    let mut orphans = 0.0f64;
    for i in 0..f.len() {
        if f.state[i] == FibreState::Denervated && f.denervated_days[i] >= min_denervated_days {
            orphans += (f.count[i] * f.receptive[i]) as f64;
        }
    }
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
            let n = f.len();
            for i in 0..n {
                if f.state[i] != FibreState::Denervated
                    || f.denervated_days[i] < min_denervated_days
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
                // capacity, as at pooled resolution.
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
                f.state[i] = FibreState::Reinnervated;
                f.unit[i] = chosen;
                f.origin[i] = chosen;
                f.ftype[i] = c.units.ftype[chosen as usize];
                f.denervated_days[i] = 0.0;
                f.hazard[i] = 0.0;
                f.reinnervated_day[i] = day as f32;
                captured += 1.0;
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
