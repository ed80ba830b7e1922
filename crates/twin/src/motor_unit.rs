//! The motor-unit pool and the fibre cross-section at the start of a simulation.
//!
//! **Unit sizes.** Following the exponential organisation of Fuglevand, Winter &
//! Patla (1993, J Neurophysiol 70:2470-2488), unit *i* of *N* (smallest first) has a
//! size proportional to `exp(ln(RP) · i / (N-1))`, where `RP` (`unit_size_range`) is
//! the ratio of the largest to the smallest unit; sizes are scaled so that they add
//! up to the muscle's fibre count (from `data/params`). Many units are small and a
//! few are large.
//!
//! **Fibre types.** The smallest units are slow (type I), up to the muscle's type-I
//! share of fibres (size principle; Henneman-type ordering as in Fuglevand 1993).
//!
//! **Cross-section.** Fibres sit on a jittered square grid filling a disc whose area
//! is the fibres' area divided by the contractile share of the muscle. Each unit has
//! a circular territory holding `territory_overlap` times its own fibre count, so
//! about that many territories overlap at any point; every unit spreads its fibres
//! evenly over its territory (see `assign_territories`) and the fibres of different
//! units interleave (a near-random mosaic of types, as in healthy muscle). At pooled resolution there are no positions: each
//! unit is one row of the fibre table.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::params::{Coefficients, MuscleSpec};
use crate::rng::{self, Stream};
use crate::sim::Resolution;
use crate::state::{AxonState, FibreState, FibreType, Fibres, MotorUnits, Muscle, NO_UNIT};

/// Fibre counts of the native units, smallest first, summing to `fibres`
/// (proportional shares, largest remainders; every unit keeps at least one fibre).
pub fn unit_sizes(fibres: u32, units: u32, range: f64) -> Vec<u32> {
    let n = (units.max(1) as usize).min(fibres.max(1) as usize);
    let raw: Vec<f64> = (0..n)
        .map(|i| {
            let t = if n > 1 {
                i as f64 / (n - 1) as f64
            } else {
                0.0
            };
            (range.max(1.0).ln() * t).exp()
        })
        .collect();
    let total: f64 = raw.iter().sum();
    let mut sizes: Vec<u32> = Vec::with_capacity(n);
    let mut rema: Vec<(f64, usize)> = Vec::with_capacity(n);
    let mut assigned: i64 = 0;
    for (i, r) in raw.iter().enumerate() {
        let exact = r / total * fibres as f64;
        let fl = exact.floor();
        sizes.push(fl as u32);
        assigned += fl as i64;
        rema.push((exact - fl, i));
    }
    rema.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)));
    let left = (fibres as i64 - assigned).max(0) as usize;
    for &(_, i) in rema.iter().take(left) {
        sizes[i] += 1;
    }
    // Units rounded to zero take a fibre from the largest unit.
    for i in 0..n {
        if sizes[i] == 0 {
            let big = (0..n).max_by_key(|&j| sizes[j]).unwrap_or(0);
            if sizes[big] > 1 {
                sizes[big] -= 1;
                sizes[i] = 1;
            }
        }
    }
    sizes
}

/// Builds the pool, the fibre table and the muscle-wide state.
pub fn build(
    spec: &MuscleSpec,
    coef: &Coefficients,
    seed: u64,
    resolution: Resolution,
    donors: u32,
) -> (MotorUnits, Fibres, Muscle) {
    let sizes = unit_sizes(spec.fibres, spec.motor_units, coef.unit_size_range);
    let n_units = sizes.len();
    let total_fibres: u64 = sizes.iter().map(|&s| s as u64).sum();
    let mean_size = total_fibres as f64 / n_units as f64;

    // Fibre types: smallest units slow until the type-I share is reached.
    let mut types = Vec::with_capacity(n_units);
    let mut cum = 0u64;
    for &s in &sizes {
        let slow = (cum as f64 + 0.5 * s as f64) <= spec.type1_fraction * total_fibres as f64;
        types.push(if slow {
            FibreType::Slow
        } else {
            FibreType::Fast
        });
        cum += s as u64;
    }

    let fibre_area = spec.fibre_csa_um2;
    let contractile_share = 1.0 - coef.extracellular_volume_fraction;
    let muscle_area = total_fibres as f64 * fibre_area / contractile_share;
    let radius = (muscle_area / std::f64::consts::PI).sqrt();

    let mut units = MotorUnits::default();
    let mut urng = ChaCha8Rng::seed_from_u64(rng::hash(seed, Stream::UnitSetup, 0, 0));
    let n_all = n_units + donors as usize;
    for u in 0..n_all {
        let native = u < n_units;
        let size = if native {
            sizes[u] as f32
        } else {
            mean_size as f32
        };
        let ftype = if native {
            types[u]
        } else {
            // Donor units: type by the muscle's type-I share.
            if urng.gen_bool(spec.type1_fraction.clamp(0.0, 1.0)) {
                FibreType::Slow
            } else {
                FibreType::Fast
            }
        };
        // Territory centre uniformly in the part of the disc the territory fits in.
        let terr_r = (coef.territory_overlap * size as f64 * fibre_area
            / contractile_share
            / std::f64::consts::PI)
            .sqrt();
        let free_r = (radius - terr_r).max(0.0);
        let (cx, cy) = loop {
            let x: f64 = urng.gen_range(-1.0..=1.0);
            let y: f64 = urng.gen_range(-1.0..=1.0);
            if x * x + y * y <= 1.0 {
                break (x * free_r, y * free_r);
            }
        };
        units.axon.push(if native {
            AxonState::Intact
        } else {
            AxonState::Donor
        });
        units.ftype.push(ftype);
        units.native_size.push(size);
        units.fibres.push(if native { size } else { 0.0 });
        units.cut_day.push(-1.0);
        units.block_until.push(-1.0);
        units.conduction.push(if native { 1.0 } else { 0.0 });
        units.regrowth_start.push(f32::INFINITY);
        units.speed.push(0.0);
        units.front_mm.push(0.0);
        units.target_mm.push(0.0);
        units.reconnected_day.push(-1.0);
        units.cx.push(cx as f32);
        units.cy.push(cy as f32);
        units.donor.push(!native);
        units.maturity.push(if native { 1.0 } else { 0.0 });
        units.foreign.push(false);
    }

    let mut fibres = Fibres::default();
    let mut grid_row = 0usize;
    match resolution {
        Resolution::Pooled => {
            for (u, &s) in sizes.iter().enumerate() {
                fibres.push(
                    s as f32,
                    None,
                    fibre_area as f32,
                    types[u],
                    u as u32,
                    FibreState::Innervated,
                );
            }
        }
        Resolution::Fibre => {
            let (xy, row) = place_fibres(total_fibres as usize, radius, seed);
            grid_row = row;
            for &(x, y) in &xy {
                // Fibre areas scatter around the mean (`fibre_area_cv`, clipped at
                // ±`fibre_area_clip_sd`: named assumptions in data/params); mean
                // preserved.
                let i = fibres.len() as u64;
                let clip = coef.fibre_area_clip_sd.abs();
                let z = rng::normal(seed, Stream::FibreSetup, i, 7).clamp(-clip, clip);
                let base = fibre_area * (1.0 + coef.fibre_area_cv * z);
                fibres.push(
                    1.0,
                    Some((x, y)),
                    base as f32,
                    FibreType::Fast,
                    NO_UNIT,
                    FibreState::Innervated,
                );
            }
            // Rescale so the mean base area is exactly the muscle's mean.
            let mean: f64 =
                fibres.base_csa.iter().map(|&b| b as f64).sum::<f64>() / fibres.len().max(1) as f64;
            let k = (fibre_area / mean) as f32;
            for b in &mut fibres.base_csa {
                *b *= k;
            }
            assign_territories(
                &mut fibres,
                &units,
                &sizes,
                radius,
                fibre_area / contractile_share,
                coef.territory_overlap,
                seed,
            );
        }
    }

    let healthy_contractile: f64 = fibres
        .count
        .iter()
        .zip(&fibres.base_csa)
        .map(|(&c, &b)| c as f64 * b as f64)
        .sum();
    let healthy_fibres: f64 = fibres.count.iter().map(|&c| c as f64).sum();
    let healthy_mean_diameter: f64 = fibres
        .count
        .iter()
        .zip(&fibres.base_csa)
        .map(|(&c, &b)| c as f64 * (b as f64).sqrt())
        .sum::<f64>()
        / healthy_fibres.max(1.0);
    let muscle = Muscle {
        healthy_contractile,
        healthy_fibres,
        healthy_units: n_units as f64,
        healthy_mean_diameter,
        extracellular: healthy_contractile * coef.extracellular_volume_fraction / contractile_share,
        fat: 0.0,
        dead_fibres: 0.0,
        neural_drive: 1.0,
        radius_um: radius,
        grid_row,
    };
    (units, fibres, muscle)
}

/// Exactly `n` jittered grid points in a disc of `radius`, in row-major order.
fn place_fibres(n: usize, radius: f64, seed: u64) -> (Vec<(f32, f32)>, usize) {
    if n == 0 {
        return (Vec::new(), 0);
    }
    let area = std::f64::consts::PI * radius * radius;
    let mut spacing = (area / n as f64).sqrt() * 0.98;
    let mut pts: Vec<(f32, f32)>;
    loop {
        pts = Vec::new();
        let steps = (2.0 * radius / spacing).ceil() as i64;
        for r in 0..=steps {
            let y = -radius + r as f64 * spacing;
            for c in 0..=steps {
                let x = -radius + c as f64 * spacing;
                if x * x + y * y <= radius * radius {
                    pts.push((x as f32, y as f32));
                }
            }
        }
        if pts.len() >= n {
            break;
        }
        spacing *= 0.97;
    }
    let m = pts.len();
    let row = (2.0 * radius / spacing).ceil() as usize + 1;
    let mut out = Vec::with_capacity(n);
    for j in 0..n {
        let (x, y) = pts[(j as u128 * m as u128 / n as u128) as usize];
        let jx = (rng::uniform(seed, Stream::FibreSetup, j as u64, 1) - 0.5) * spacing * 0.4;
        let jy = (rng::uniform(seed, Stream::FibreSetup, j as u64, 2) - 0.5) * spacing * 0.4;
        out.push((x + jx as f32, y + jy as f32));
    }
    (out, row.max(1))
}

/// Gives each native unit exactly its fibres, spread evenly over its territory.
///
/// Each unit's territory is a disc holding `overlap` times its own fibre count, so
/// about `overlap` territories cover any point. Fibres are visited in random order
/// and each joins one of the units whose territory covers it and still needs fibres,
/// chosen with weight `need / free` (fibres still needed over unassigned fibres left
/// in the territory). Every unit thus keeps a uniform, low density of its fibres over
/// its whole territory and the units covering a point interleave: a near-random
/// mosaic of types, as in normal human muscle. A unit left short at the end takes
/// the unassigned fibres nearest its centre.
#[allow(clippy::needless_range_loop)] // unit index into several parallel columns
fn assign_territories(
    fibres: &mut Fibres,
    units: &MotorUnits,
    sizes: &[u32],
    radius: f64,
    area_per_fibre: f64,
    overlap: f64,
    seed: u64,
) {
    let n = fibres.len();
    let n_units = sizes.len();
    if n == 0 || n_units == 0 {
        return;
    }
    let cells = 64usize;
    let cell = (2.0 * radius / cells as f64).max(1e-6);
    let cell_index = |v: f64| -> usize {
        (((v + radius) / cell).floor() as isize).clamp(0, cells as isize - 1) as usize
    };
    let terr_r: Vec<f64> = sizes
        .iter()
        .map(|&s| {
            (overlap.max(1.0) * s as f64 * area_per_fibre / std::f64::consts::PI)
                .sqrt()
                .max(cell)
        })
        .collect();
    // Units whose territory's bounding box touches each cell.
    let mut cell_units: Vec<Vec<u32>> = vec![Vec::new(); cells * cells];
    for u in 0..n_units {
        let (ux, uy, r) = (units.cx[u] as f64, units.cy[u] as f64, terr_r[u]);
        for cy in cell_index(uy - r)..=cell_index(uy + r) {
            for cx in cell_index(ux - r)..=cell_index(ux + r) {
                cell_units[cy * cells + cx].push(u as u32);
            }
        }
    }
    let covers = |u: usize, x: f32, y: f32| -> bool {
        let dx = x as f64 - units.cx[u] as f64;
        let dy = y as f64 - units.cy[u] as f64;
        dx * dx + dy * dy <= terr_r[u] * terr_r[u]
    };
    // Unassigned fibres in each territory.
    let mut free = vec![0u32; n_units];
    for i in 0..n {
        let (x, y) = (fibres.x[i], fibres.y[i]);
        for &u in &cell_units[cell_index(y as f64) * cells + cell_index(x as f64)] {
            if covers(u as usize, x, y) {
                free[u as usize] += 1;
            }
        }
    }
    let mut need: Vec<u32> = sizes.to_vec();
    let mut order: Vec<u32> = (0..n as u32).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(rng::hash(seed, Stream::FibreSetup, 0, 99));
    order.shuffle(&mut rng);
    let mut cand: Vec<(u32, f64)> = Vec::new();
    for &i in &order {
        let i = i as usize;
        let (x, y) = (fibres.x[i], fibres.y[i]);
        cand.clear();
        let mut total = 0.0f64;
        for &u in &cell_units[cell_index(y as f64) * cells + cell_index(x as f64)] {
            let ui = u as usize;
            if covers(ui, x, y) {
                if need[ui] > 0 {
                    let w = need[ui] as f64 / free[ui].max(1) as f64;
                    total += w;
                    cand.push((u, w));
                }
                free[ui] = free[ui].saturating_sub(1);
            }
        }
        if cand.is_empty() {
            continue;
        }
        let mut x_pick = rng.gen_range(0.0..1.0) * total;
        let mut chosen = cand[cand.len() - 1].0;
        for &(u, w) in &cand {
            if x_pick < w {
                chosen = u;
                break;
            }
            x_pick -= w;
        }
        let u = chosen as usize;
        need[u] -= 1;
        fibres.unit[i] = chosen;
        fibres.origin[i] = chosen;
        fibres.ftype[i] = units.ftype[u];
    }
    // Units left short take the unassigned fibres nearest their centre.
    let mut left: Vec<u32> = (0..n as u32)
        .filter(|&i| fibres.unit[i as usize] == NO_UNIT)
        .collect();
    for u in 0..n_units {
        if need[u] == 0 || left.is_empty() {
            continue;
        }
        let (ux, uy) = (units.cx[u], units.cy[u]);
        let d2 = |i: u32| {
            let dx = fibres.x[i as usize] - ux;
            let dy = fibres.y[i as usize] - uy;
            dx * dx + dy * dy
        };
        let take = (need[u] as usize).min(left.len());
        // The `take` nearest (ties: lower index) to the front; a total order, so the same
        // fibres as a full sort, in linear time (their order does not matter).
        if take < left.len() {
            left.select_nth_unstable_by(take, |&a, &b| d2(a).total_cmp(&d2(b)).then(a.cmp(&b)));
        }
        for &i in &left[..take] {
            let i = i as usize;
            fibres.unit[i] = u as u32;
            fibres.origin[i] = u as u32;
            fibres.ftype[i] = units.ftype[u];
        }
        need[u] -= take as u32;
        left.drain(..take);
    }
    // Any fibre still left (rounding) joins the unit whose centre is nearest.
    for &i in &left {
        let i = i as usize;
        let mut best = 0usize;
        let mut bd = f64::INFINITY;
        for u in 0..n_units {
            let dx = fibres.x[i] as f64 - units.cx[u] as f64;
            let dy = fibres.y[i] as f64 - units.cy[u] as f64;
            let d = dx * dx + dy * dy;
            if d < bd {
                bd = d;
                best = u;
            }
        }
        fibres.unit[i] = best as u32;
        fibres.origin[i] = best as u32;
        fibres.ftype[i] = units.ftype[best];
    }
}
