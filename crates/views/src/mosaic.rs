//! The packed biopsy mosaic: fibre outlines of a field of view, as a pathologist sees them.
//!
//! Real muscle in cross-section is a mosaic: polygonal fibres packed edge to edge, separated by
//! thin endomysium and grouped in fascicles by perimysium. This module turns the twin's fibre
//! positions and cross-sections into such a mosaic (data only; `render` draws it):
//!
//! 1. **Scale.** The twin places fibres on a jittered grid at the healthy spacing and does not move
//!    them when they shrink. Every fibre slot holds its fibre (the twin's CSA) or, for a dead
//!    fibre, the fat that replaced it (`fat_replacement_fraction` × its size when it died, the
//!    twin's rule), plus its share of the twin's extracellular tissue, which stays constant in absolute
//!    terms (`healthy × e/(1−e)` per fibre, `e` the twin's `extracellular_volume_fraction`). The
//!    picture shrinks the twin's coordinates by one factor `k` so that the field holds exactly
//!    that tissue: an atrophic muscle shows more, smaller fibres per field.
//! 2. **Fascicles.** Fascicle centres lie on a jittered hexagonal lattice anchored at the muscle's
//!    origin (so the same field shows the same fascicles on every day), spaced so that a fascicle
//!    holds `fascicle_fibres` healthy fibre slots; each fibre belongs to its nearest centre. A
//!    fascicle's outline is its Voronoi cell, clipped to the muscle, inset by half the perimysium.
//! 3. **Cells.** Inside each fascicle, a power (weighted Voronoi) diagram of the fibre centres is
//!    computed by clipping each cell with the half-planes of its neighbours (from a spatial grid).
//!    The weights are iterated (a Newton step per fibre on `∂A/∂w = Σ edge/(2·distance)`) so
//!    every cell gets its capacity — the fibre's area plus an equal share of the fascicle's
//!    endomysium — and the centres are moved to their cells' centroids between rounds (a
//!    capacity-constrained power diagram, after Balzer, Schlömer & Deussen 2009, SIGGRAPH
//!    "Capacity-constrained point distributions"). Neighbouring cells share edges: the cells tile
//!    the fascicle without overlap.
//! 4. **Fibres.** Each fibre's outline is its cell inset by the uniform endomysium thickness that
//!    leaves exactly the twin's fibre area (found by bisection). Healthy fibres are thus polygons
//!    touching their neighbours across a thin, even endomysium; a shrunken denervated fibre gets a
//!    small cell squeezed between its neighbours — the small angular fibre. The fat the twin put
//!    in a dead fibre's slot is drawn as an adipocyte, moved to the fascicle's edge by trading
//!    slots with living fibres (`perimysial_fat`), so fat gathers in clusters along the
//!    perimysium as in biopsies of long-denervated muscle.
//!
//! The result is deterministic (no random numbers; fixed iteration order). Only the fibres of
//! fascicles that reach the field are computed, so a 478,000-fibre vastus lateralis costs the
//! same as a small muscle.

use serde::Serialize;

use crate::ViewError;
use crate::params::PictureParams;
use crate::state::{FibreState, MuscleState};

/// A point in the picture, µm from the field's top-left corner.
pub type Point = [f64; 2];

/// What occupies a cell of the mosaic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CellKind {
    /// A living muscle fibre.
    Fibre,
    /// An adipocyte in the place of a dead fibre.
    Adipocyte,
}

/// One cell of the mosaic.
#[derive(Debug, Clone, Serialize)]
pub struct MosaicCell {
    /// Index of the fibre in the [`MuscleState`].
    pub fibre: usize,
    /// Fibre or adipocyte.
    pub kind: CellKind,
    /// Index into [`Mosaic::fascicles`].
    pub fascicle: usize,
    /// The fibre's (or adipocyte's) outline, counter-clockwise, µm in the picture.
    pub outline: Vec<Point>,
    /// The whole cell (fibre plus its endomysium), counter-clockwise.
    pub cell: Vec<Point>,
    /// Area of the outline, µm².
    pub area_um2: f64,
    /// Area the outline should have: the twin's fibre CSA, or the adipocyte's fat area, µm².
    pub target_um2: f64,
    /// A denervated fibre below `atrophic_below` of the healthy size (drawn as atrophic).
    pub atrophic: bool,
    /// The whole cell lies inside the field (not cut by its edge).
    pub interior: bool,
}

/// The packed mosaic of one field of view.
#[derive(Debug, Clone, Serialize)]
pub struct Mosaic {
    /// Field width, µm.
    pub width_um: f64,
    /// Field height, µm.
    pub height_um: f64,
    /// Picture length per twin length (≤ 1 when the muscle has shrunk).
    pub scale: f64,
    /// Fascicle outlines inside the perimysium, counter-clockwise.
    pub fascicles: Vec<Vec<Point>>,
    /// Cells that reach the field.
    pub cells: Vec<MosaicCell>,
    /// Connective tissue (endomysium and perimysium) as a share of the mosaic's area, and fat
    /// (adipocytes) as a share; over all computed fascicles, not only the field.
    pub connective_fraction: f64,
    /// Adipocyte share of the mosaic's area.
    pub fat_fraction: f64,
    /// Largest relative shortfall of a cell's area below its capacity after the iteration (0 when
    /// every cell reached its capacity).
    pub worst_capacity_shortfall: f64,
}

/// Where and how large the field is, in the twin's coordinates.
#[derive(Debug, Clone, Copy)]
pub struct MosaicOptions {
    /// Centre of the field in the twin's coordinates, µm.
    pub centre_um: (f64, f64),
    /// Field width in the picture, µm.
    pub width_um: f64,
    /// Field height in the picture, µm.
    pub height_um: f64,
    /// The muscle's healthy mean fibre cross-section, µm² (from the day-0 reference).
    pub healthy_csa_um2: f64,
}

const OUTER_ROUNDS: usize = 6;
const WEIGHT_STEPS: usize = 12;

/// Builds the mosaic of the field.
pub fn mosaic(
    state: &MuscleState<'_>,
    opts: &MosaicOptions,
    pictures: &PictureParams,
) -> Result<Mosaic, ViewError> {
    state.validate()?;
    let check = |field: &'static str, v: f64, lo: f64, hi: f64, expected: &'static str| {
        if v.is_finite() && v > lo && v < hi {
            Ok(v)
        } else {
            Err(ViewError::Value {
                field,
                value: v,
                expected,
            })
        }
    };
    let w = check(
        "width_um",
        opts.width_um,
        0.0,
        1e5,
        "a field width in (0, 1e5) µm",
    )?;
    let h = check(
        "height_um",
        opts.height_um,
        0.0,
        1e5,
        "a field height in (0, 1e5) µm",
    )?;
    let healthy = check(
        "healthy_csa_um2",
        opts.healthy_csa_um2,
        0.0,
        1e6,
        "a healthy fibre area in (0, 1e6) µm²",
    )?;
    let e = check(
        "extracellular_fraction",
        state.extracellular_fraction,
        -1e-12,
        0.9,
        "a share in [0, 0.9)",
    )?;
    let fat_share = check(
        "fat_replacement_fraction",
        state.fat_replacement_fraction,
        -1e-12,
        2.0,
        "a share in [0, 2)",
    )?;
    let n_fasc = check(
        "pictures.fascicle_fibres",
        pictures.fascicle_fibres.value,
        3.0,
        1e6,
        "more than 3 fibres per fascicle",
    )?;
    let perimysium = check(
        "pictures.perimysium_um",
        pictures.perimysium_um.value,
        -1e-12,
        1e3,
        "a thickness in [0, 1000) µm",
    )?;
    let (cx, cy) = opts.centre_um;
    if !(cx.is_finite() && cy.is_finite()) {
        return Err(ViewError::Value {
            field: "centre_um",
            value: if cx.is_finite() { cy } else { cx },
            expected: "a finite position",
        });
    }
    let n = state.n_fibres();
    let empty = Mosaic {
        width_um: w,
        height_um: h,
        scale: 1.0,
        fascicles: Vec::new(),
        cells: Vec::new(),
        connective_fraction: 1.0,
        fat_fraction: 0.0,
        worst_capacity_shortfall: 0.0,
    };
    if n == 0 {
        return Ok(empty);
    }
    // What each fibre slot holds (µm²) and the extracellular share per slot.
    let endo = healthy * e / (1.0 - e);
    let content = |i: usize| -> f64 {
        if state.fibre_state[i] == FibreState::Fat {
            // A dead fibre keeps the area it had when it died (the twin's rule).
            fat_share * f64::from(state.fibre_csa_um2[i])
        } else {
            f64::from(state.fibre_csa_um2[i])
        }
    };
    let slot_twin = healthy / (1.0 - e); // twin area per fibre slot
    // Scale from the fibres around the centre (twin coordinates).
    let r_sample = 0.5 * (w * w + h * h).sqrt();
    let (mut sum, mut cnt) = (0.0, 0usize);
    for i in 0..n {
        let (dx, dy) = (
            f64::from(state.fibre_x_um[i]) - cx,
            f64::from(state.fibre_y_um[i]) - cy,
        );
        if dx * dx + dy * dy <= r_sample * r_sample {
            sum += content(i) + endo;
            cnt += 1;
        }
    }
    if cnt == 0 {
        return Ok(empty);
    }
    // Muscle outline: a disc around the fibres' centroid (the twin's muscle is a disc).
    let (mut mx, mut my) = (0.0, 0.0);
    for i in 0..n {
        mx += f64::from(state.fibre_x_um[i]);
        my += f64::from(state.fibre_y_um[i]);
    }
    mx /= n as f64;
    my /= n as f64;
    let mut r_muscle: f64 = 0.0;
    for i in 0..n {
        let d = (f64::from(state.fibre_x_um[i]) - mx).hypot(f64::from(state.fibre_y_um[i]) - my);
        r_muscle = r_muscle.max(d);
    }
    r_muscle += 0.5 * slot_twin.sqrt();
    // The twin's area per fibre slot: measured around the centre when the sample disc lies inside
    // the muscle (the twin places fibres at healthy / (1 − e) each; other layouts, such as the
    // synthetic test muscles, have their own spacing), else the twin's rule.
    let slot_twin = if (cx - mx).hypot(cy - my) + r_sample <= r_muscle && cnt >= 20 {
        std::f64::consts::PI * r_sample * r_sample / cnt as f64
    } else {
        slot_twin
    };
    let k = (sum / cnt as f64 / slot_twin).sqrt().clamp(0.05, 2.0);
    // Twin → picture.
    let to_pic = |x: f64, y: f64| -> Point { [(x - cx) * k + w / 2.0, (y - cy) * k + h / 2.0] };
    // Fascicle lattice (twin coordinates), hexagonal, jittered by a hash of the lattice index.
    let a = (2.0 * n_fasc * slot_twin / 3f64.sqrt()).sqrt();
    let row_h = a * 3f64.sqrt() / 2.0;
    let lattice = |r: i64, c: i64| -> [f64; 2] {
        let jx = (hash01(r, c, 1) - 0.5) * 0.4 * a;
        let jy = (hash01(r, c, 2) - 0.5) * 0.4 * a;
        let off = if r.rem_euclid(2) == 1 { 0.5 * a } else { 0.0 };
        [c as f64 * a + off + jx + mx, r as f64 * row_h + jy + my]
    };
    // Fascicles whose centre lies within the field grown by one lattice spacing (picture).
    let half_w = w / 2.0 / k + 1.5 * a;
    let half_h = h / 2.0 / k + 1.5 * a;
    let r0 = ((cy - half_h - my) / row_h).floor() as i64 - 1;
    let r1 = ((cy + half_h - my) / row_h).ceil() as i64 + 1;
    let c0 = ((cx - half_w - mx) / a).floor() as i64 - 1;
    let c1 = ((cx + half_w - mx) / a).ceil() as i64 + 1;
    let mut keys: Vec<(i64, i64)> = Vec::new();
    for r in r0..=r1 {
        for c in c0..=c1 {
            let p = lattice(r, c);
            if (p[0] - cx).abs() <= half_w - 0.5 * a && (p[1] - cy).abs() <= half_h - 0.5 * a {
                keys.push((r, c));
            }
        }
    }
    let nearest_fascicle = |x: f64, y: f64| -> (i64, i64) {
        let r = ((y - my) / row_h).round() as i64;
        let c = ((x - mx) / a).round() as i64;
        let mut best = (r, c);
        let mut bd = f64::INFINITY;
        for rr in r - 2..=r + 2 {
            for cc in c - 2..=c + 2 {
                let p = lattice(rr, cc);
                let d = (p[0] - x).powi(2) + (p[1] - y).powi(2);
                if d < bd {
                    bd = d;
                    best = (rr, cc);
                }
            }
        }
        best
    };
    // Muscle boundary polygon (picture coordinates).
    let centre_pic = to_pic(mx, my);
    let muscle_poly: Vec<Point> = (0..96)
        .map(|j| {
            let t = std::f64::consts::TAU * j as f64 / 96.0;
            [
                centre_pic[0] + r_muscle * k * t.cos(),
                centre_pic[1] + r_muscle * k * t.sin(),
            ]
        })
        .collect();
    // A fascicle's Voronoi cell among its lattice neighbours, clipped to the muscle, each side
    // moved inward by half the perimysium.
    let fascicle_poly = |r: i64, c: i64, perimysium: f64| -> Vec<Point> {
        let pc = lattice(r, c);
        let p = to_pic(pc[0], pc[1]);
        let mut poly = muscle_poly.clone();
        for rr in r - 2..=r + 2 {
            for cc in c - 2..=c + 2 {
                if (rr, cc) == (r, c) {
                    continue;
                }
                let q = lattice(rr, cc);
                let q = to_pic(q[0], q[1]);
                let (nx, ny) = (q[0] - p[0], q[1] - p[1]);
                let len = nx.hypot(ny);
                if len <= 0.0 {
                    continue;
                }
                let mid = [(p[0] + q[0]) / 2.0, (p[1] + q[1]) / 2.0];
                poly = clip(
                    &poly,
                    nx,
                    ny,
                    nx * mid[0] + ny * mid[1] - 0.5 * perimysium * len,
                );
            }
        }
        poly
    };
    // Fibres by fascicle.
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); keys.len()];
    let reach_x = half_w + 1.0 * a;
    let reach_y = half_h + 1.0 * a;
    for i in 0..n {
        let (x, y) = (
            f64::from(state.fibre_x_um[i]),
            f64::from(state.fibre_y_um[i]),
        );
        if (x - cx).abs() > reach_x || (y - cy).abs() > reach_y {
            continue;
        }
        let f = nearest_fascicle(x, y);
        if let Ok(j) = keys.binary_search(&f) {
            members[j].push(i);
        }
    }
    let healthy_size = healthy;
    let atrophic_below = pictures.atrophic_below.value;
    let mut fascicles = Vec::new();
    let mut cells = Vec::new();
    let (mut fibre_total, mut fat_total) = (0.0, 0.0);
    let mut worst: f64 = 0.0;
    for (fi, &(r, c)) in keys.iter().enumerate() {
        if members[fi].is_empty() {
            continue;
        }
        let poly = fascicle_poly(r, c, perimysium);
        let a_fasc = area(&poly);
        if a_fasc <= 0.0 {
            continue;
        }
        let id = fascicles.len();
        let sites_idx = &perimysial_fat(&members[fi], &to_pic, &poly, state);
        let m = sites_idx.len();
        let contents: Vec<f64> = sites_idx.iter().map(|&i| content(i)).collect();
        let sum_content: f64 = contents.iter().sum();
        let endo_here = ((a_fasc - sum_content) / m as f64).max(0.0);
        let caps: Vec<f64> = contents.iter().map(|c| c + endo_here).collect();
        // The slots stay where the twin put them; `sites_idx` says which fibre occupies each.
        let mut sites: Vec<Point> = members[fi]
            .iter()
            .map(|&i| {
                to_pic(
                    f64::from(state.fibre_x_um[i]),
                    f64::from(state.fibre_y_um[i]),
                )
            })
            .collect();
        let (polys, shortfall) = capacity_power_diagram(&mut sites, &caps, &poly);
        worst = worst.max(shortfall);
        for (j, cell) in polys.into_iter().enumerate() {
            let i = sites_idx[j];
            let dead = state.fibre_state[i] == FibreState::Fat;
            let target = contents[j];
            let outline = inset_to_area(&cell, target);
            let a_out = area(&outline);
            if dead {
                fat_total += a_out;
            } else {
                fibre_total += a_out;
            }
            let (bx0, by0, bx1, by1) = bbox(&cell);
            if bx1 < 0.0 || by1 < 0.0 || bx0 > w || by0 > h || cell.len() < 3 {
                continue;
            }
            cells.push(MosaicCell {
                fibre: i,
                kind: if dead {
                    CellKind::Adipocyte
                } else {
                    CellKind::Fibre
                },
                fascicle: id,
                interior: bx0 >= 0.0 && by0 >= 0.0 && bx1 <= w && by1 <= h,
                atrophic: state.fibre_state[i] == FibreState::Denervated
                    && f64::from(state.fibre_csa_um2[i]) < atrophic_below * healthy_size,
                area_um2: a_out,
                target_um2: target,
                outline,
                cell,
            });
        }
        fascicles.push(poly);
    }
    // The fascicles' Voronoi cells without the perimysium: the mosaic's whole area.
    let gross: f64 = keys
        .iter()
        .enumerate()
        .filter(|(fi, _)| !members[*fi].is_empty())
        .map(|(_, &(r, c))| area(&fascicle_poly(r, c, 0.0)))
        .sum();
    let gross = gross.max(f64::MIN_POSITIVE);
    Ok(Mosaic {
        width_um: w,
        height_um: h,
        scale: k,
        fascicles,
        cells,
        connective_fraction: ((gross - fibre_total - fat_total) / gross).clamp(0.0, 1.0),
        fat_fraction: (fat_total / gross).clamp(0.0, 1.0),
        worst_capacity_shortfall: worst,
    })
}

/// A deterministic number in [0, 1) from a lattice index.
fn hash01(r: i64, c: i64, k: u64) -> f64 {
    let mut h = (r as u64)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add((c as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F))
        .wrapping_add(k.wrapping_mul(0x1656_67B1_9E37_79F9));
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^= h >> 33;
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// Which fibre occupies which slot of a fascicle, with the fat moved to the fascicle's edge.
///
/// The twin leaves a dead fibre's fat in the dead fibre's own slot, which drawn as is gives an
/// even honeycomb of adipocytes, one per dead fibre. In biopsies of long-denervated muscle the
/// fat lies in clusters and in the perimysium, between fascicles (Dubowitz, Sewry & Oldfors,
/// *Muscle Biopsy: A Practical Approach*, 5th ed. 2020, chronic denervation and end-stage
/// muscle; see `data/views/stains.toml`). So the slots are kept where the twin put them and only
/// their occupants are exchanged: an adipocyte repeatedly trades places with the living fibre of
/// a neighbouring slot (the nearest 6, a hexagonal mosaic's neighbours) that lies nearest the
/// fascicle's outline, when that slot is nearer the outline than its own, until no such trade is
/// left. Each trade moves a fibre one slot inward, so fibres stay near where the twin put them
/// (their type arrangement is kept), and fat gathers at the fascicle's edge on the side where
/// fibres died, thickest where most died. Areas are unchanged (the occupants only swap slots).
/// Deterministic: fixed order, ties broken by index.
fn perimysial_fat(
    members: &[usize],
    to_pic: &impl Fn(f64, f64) -> Point,
    fascicle: &[Point],
    state: &MuscleState<'_>,
) -> Vec<usize> {
    let mut occupant = members.to_vec();
    let m = occupant.len();
    let dead = |i: usize| state.fibre_state[i] == FibreState::Fat;
    if m < 2 || !occupant.iter().any(|&i| dead(i)) {
        return occupant;
    }
    let pos: Vec<Point> = members
        .iter()
        .map(|&i| {
            to_pic(
                f64::from(state.fibre_x_um[i]),
                f64::from(state.fibre_y_um[i]),
            )
        })
        .collect();
    let depth: Vec<f64> = pos
        .iter()
        .map(|&p| distance_to_outline(p, fascicle))
        .collect();
    // The six nearest slots of each slot.
    let neighbours: Vec<Vec<usize>> = (0..m)
        .map(|j| {
            let mut by_distance: Vec<(f64, usize)> = (0..m)
                .filter(|&k| k != j)
                .map(|k| {
                    (
                        (pos[k][0] - pos[j][0]).powi(2) + (pos[k][1] - pos[j][1]).powi(2),
                        k,
                    )
                })
                .collect();
            by_distance.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            by_distance.into_iter().take(6).map(|(_, k)| k).collect()
        })
        .collect();
    // Every trade lowers the summed depth of the adipocytes, so this ends; the bound only guards.
    for _ in 0..4 * m {
        let mut traded = false;
        for j in 0..m {
            if !dead(occupant[j]) {
                continue;
            }
            let mut best: Option<usize> = None;
            for &k in &neighbours[j] {
                if !dead(occupant[k])
                    && depth[k] < depth[j]
                    && best.is_none_or(|b| depth[k] < depth[b] || (depth[k] == depth[b] && k < b))
                {
                    best = Some(k);
                }
            }
            if let Some(k) = best {
                occupant.swap(j, k);
                traded = true;
            }
        }
        if !traded {
            break;
        }
    }
    occupant
}

/// Distance from `p` to the nearest edge of the closed polygon `poly`.
pub fn distance_to_outline(p: Point, poly: &[Point]) -> f64 {
    (0..poly.len())
        .map(|e| {
            let (a, b) = (poly[e], poly[(e + 1) % poly.len()]);
            let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
            let l2 = dx * dx + dy * dy;
            let t = if l2 > 0.0 {
                (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / l2).clamp(0.0, 1.0)
            } else {
                0.0
            };
            (p[0] - a[0] - t * dx).hypot(p[1] - a[1] - t * dy)
        })
        .fold(f64::INFINITY, f64::min)
}

/// Cells of a capacity-constrained power diagram of `sites` inside the convex `region`; moves the
/// sites to their cells' centroids between rounds. Returns the cells and the largest relative
/// shortfall of a cell's area below its capacity.
fn capacity_power_diagram(
    sites: &mut [Point],
    caps: &[f64],
    region: &[Point],
) -> (Vec<Vec<Point>>, f64) {
    let m = sites.len();
    let mean_cap = caps.iter().sum::<f64>() / m.max(1) as f64;
    let spacing = mean_cap.max(1e-6).sqrt();
    let mut weights: Vec<f64> = vec![0.0; m];
    let mut cells: Vec<Vec<Point>> = vec![Vec::new(); m];
    let mut deriv = vec![0.0; m];
    for round in 0..=OUTER_ROUNDS {
        let grid = Grid::new(sites, spacing);
        let steps = if round == OUTER_ROUNDS {
            WEIGHT_STEPS * 2
        } else {
            WEIGHT_STEPS
        };
        for _ in 0..steps {
            for i in 0..m {
                let (cell, d) = power_cell(i, sites, &weights, region, &grid, spacing);
                cells[i] = cell;
                deriv[i] = d;
            }
            for i in 0..m {
                let a = area(&cells[i]);
                let step = if a <= 0.0 || deriv[i] <= 0.0 {
                    0.25 * mean_cap
                } else {
                    (0.8 * (caps[i] - a) / deriv[i]).clamp(-mean_cap, mean_cap)
                };
                weights[i] += step;
            }
        }
        for (i, cell) in cells.iter_mut().enumerate() {
            *cell = power_cell(i, sites, &weights, region, &grid, spacing).0;
        }
        if round < OUTER_ROUNDS {
            for (site, cell) in sites.iter_mut().zip(&cells) {
                if area(cell) > 0.0 {
                    *site = centroid(cell);
                }
            }
        }
    }
    let worst = (0..m)
        .map(|i| ((caps[i] - area(&cells[i])) / caps[i].max(1e-9)).max(0.0))
        .fold(0.0, f64::max);
    (cells, worst)
}

/// The power cell of site `i` clipped to `region`, and `∂area/∂weight`.
fn power_cell(
    i: usize,
    sites: &[Point],
    weights: &[f64],
    region: &[Point],
    grid: &Grid,
    spacing: f64,
) -> (Vec<Point>, f64) {
    let p = sites[i];
    let mut poly = region.to_vec();
    let mut neigh: Vec<usize> = Vec::with_capacity(48);
    grid.near(p, 3.5 * spacing, |j| {
        if j != i {
            neigh.push(j);
        }
    });
    // Nearest first: the cell shrinks fast and later clips are cheap.
    neigh.sort_by(|&a, &b| {
        let da = (sites[a][0] - p[0]).powi(2) + (sites[a][1] - p[1]).powi(2);
        let db = (sites[b][0] - p[0]).powi(2) + (sites[b][1] - p[1]).powi(2);
        da.total_cmp(&db).then(a.cmp(&b))
    });
    for &j in &neigh {
        let q = sites[j];
        let (nx, ny) = (q[0] - p[0], q[1] - p[1]);
        if nx == 0.0 && ny == 0.0 {
            continue;
        }
        let c = 0.5
            * ((q[0] * q[0] + q[1] * q[1]) - (p[0] * p[0] + p[1] * p[1]) - weights[j] + weights[i]);
        poly = clip(&poly, nx, ny, c);
        if poly.is_empty() {
            return (poly, 0.0);
        }
    }
    // ∂A/∂w_i: each edge shared with neighbour j moves by 1/(2·d_ij) per unit of weight.
    let mut d = 0.0;
    let k = poly.len();
    for e in 0..k {
        let (a, b) = (poly[e], poly[(e + 1) % k]);
        let mid = [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0];
        let len = (b[0] - a[0]).hypot(b[1] - a[1]);
        // Which neighbour's bisector holds this edge: the one whose power equals ours at `mid`.
        let own = (mid[0] - p[0]).powi(2) + (mid[1] - p[1]).powi(2) - weights[i];
        let mut best: Option<(f64, usize)> = None;
        for &j in &neigh {
            let q = sites[j];
            let pw = (mid[0] - q[0]).powi(2) + (mid[1] - q[1]).powi(2) - weights[j];
            let gap = (pw - own).abs();
            if best.is_none_or(|(g, _)| gap < g) {
                best = Some((gap, j));
            }
        }
        if let Some((gap, j)) = best {
            let dist = (sites[j][0] - p[0]).hypot(sites[j][1] - p[1]);
            if gap <= 1e-6 * (spacing * spacing).max(1.0) + 1e-3 * len * dist {
                d += len / (2.0 * dist);
            }
        }
    }
    (poly, d)
}

/// A uniform grid of sites for neighbour queries.
struct Grid {
    x0: f64,
    y0: f64,
    cell: f64,
    nx: usize,
    ny: usize,
    buckets: Vec<Vec<usize>>,
}

impl Grid {
    fn new(sites: &[Point], cell: f64) -> Grid {
        let (x0, y0, x1, y1) = bbox(sites);
        let cell = cell.max(1e-6);
        let nx = (((x1 - x0) / cell) as usize + 1).min(4096);
        let ny = (((y1 - y0) / cell) as usize + 1).min(4096);
        let mut buckets = vec![Vec::new(); nx * ny];
        for (i, p) in sites.iter().enumerate() {
            let gx = (((p[0] - x0) / cell) as usize).min(nx - 1);
            let gy = (((p[1] - y0) / cell) as usize).min(ny - 1);
            buckets[gy * nx + gx].push(i);
        }
        Grid {
            x0,
            y0,
            cell,
            nx,
            ny,
            buckets,
        }
    }

    fn near(&self, p: Point, r: f64, mut f: impl FnMut(usize)) {
        let lo = |v: f64, o: f64, n: usize| {
            (((v - r - o) / self.cell).floor().max(0.0) as usize).min(n - 1)
        };
        let hi = |v: f64, o: f64, n: usize| {
            (((v + r - o) / self.cell).floor().max(0.0) as usize).min(n - 1)
        };
        for gy in lo(p[1], self.y0, self.ny)..=hi(p[1], self.y0, self.ny) {
            for gx in lo(p[0], self.x0, self.nx)..=hi(p[0], self.x0, self.nx) {
                for &j in &self.buckets[gy * self.nx + gx] {
                    f(j);
                }
            }
        }
    }
}

/// Keeps the part of a convex polygon where `nx·x + ny·y ≤ c` (Sutherland–Hodgman).
pub fn clip(poly: &[Point], nx: f64, ny: f64, c: f64) -> Vec<Point> {
    let k = poly.len();
    if k == 0 {
        return Vec::new();
    }
    let side = |p: &Point| nx * p[0] + ny * p[1] - c;
    if poly.iter().all(|p| side(p) <= 0.0) {
        return poly.to_vec();
    }
    let mut out = Vec::with_capacity(k + 1);
    for e in 0..k {
        let (a, b) = (poly[e], poly[(e + 1) % k]);
        let (sa, sb) = (side(&a), side(&b));
        if sa <= 0.0 {
            out.push(a);
        }
        if (sa <= 0.0) != (sb <= 0.0) {
            let t = sa / (sa - sb);
            out.push([a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]);
        }
    }
    if out.len() < 3 { Vec::new() } else { out }
}

/// Signed area (positive for counter-clockwise in x-right, y-down picture coordinates as well as
/// in y-up coordinates: the absolute value is returned).
pub fn area(poly: &[Point]) -> f64 {
    let k = poly.len();
    if k < 3 {
        return 0.0;
    }
    let mut s = 0.0;
    for e in 0..k {
        let (a, b) = (poly[e], poly[(e + 1) % k]);
        s += a[0] * b[1] - b[0] * a[1];
    }
    (s / 2.0).abs()
}

/// Centroid of a polygon.
pub fn centroid(poly: &[Point]) -> Point {
    let k = poly.len();
    let (mut cx, mut cy, mut s) = (0.0, 0.0, 0.0);
    for e in 0..k {
        let (a, b) = (poly[e], poly[(e + 1) % k]);
        let cr = a[0] * b[1] - b[0] * a[1];
        s += cr;
        cx += (a[0] + b[0]) * cr;
        cy += (a[1] + b[1]) * cr;
    }
    if s.abs() < 1e-12 {
        let n = k.max(1) as f64;
        return [
            poly.iter().map(|p| p[0]).sum::<f64>() / n,
            poly.iter().map(|p| p[1]).sum::<f64>() / n,
        ];
    }
    [cx / (3.0 * s), cy / (3.0 * s)]
}

fn bbox(pts: &[Point]) -> (f64, f64, f64, f64) {
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for p in pts {
        x0 = x0.min(p[0]);
        y0 = y0.min(p[1]);
        x1 = x1.max(p[0]);
        y1 = y1.max(p[1]);
    }
    (x0, y0, x1, y1)
}

/// The convex polygon moved inward by `t` on every edge.
pub fn inset(poly: &[Point], t: f64) -> Vec<Point> {
    let k = poly.len();
    if k < 3 {
        return Vec::new();
    }
    let c = centroid(poly);
    let mut out = poly.to_vec();
    for e in 0..k {
        let (a, b) = (poly[e], poly[(e + 1) % k]);
        // Outward normal: the side away from the centroid.
        let (mut nx, mut ny) = (b[1] - a[1], a[0] - b[0]);
        let len = nx.hypot(ny);
        if len <= 0.0 {
            continue;
        }
        nx /= len;
        ny /= len;
        if nx * (c[0] - a[0]) + ny * (c[1] - a[1]) > 0.0 {
            nx = -nx;
            ny = -ny;
        }
        out = clip(&out, nx, ny, nx * a[0] + ny * a[1] - t);
        if out.is_empty() {
            break;
        }
    }
    out
}

/// The convex polygon inset by the uniform thickness that leaves `target` area (the polygon itself
/// when it is not larger than `target`).
pub fn inset_to_area(poly: &[Point], target: f64) -> Vec<Point> {
    let a0 = area(poly);
    if a0 <= target || poly.len() < 3 {
        return poly.to_vec();
    }
    if target <= 0.0 {
        return Vec::new();
    }
    let per: f64 = (0..poly.len())
        .map(|e| {
            let (a, b) = (poly[e], poly[(e + 1) % poly.len()]);
            (b[0] - a[0]).hypot(b[1] - a[1])
        })
        .sum();
    let (mut lo, mut hi) = (0.0, 2.0 * a0 / per.max(1e-12));
    for _ in 0..50 {
        let mid = 0.5 * (lo + hi);
        if area(&inset(poly, mid)) > target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    inset(poly, lo)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inset_of_a_square_reaches_the_target_area() {
        let sq = vec![[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0]];
        let s = inset_to_area(&sq, 64.0);
        assert!((area(&s) - 64.0).abs() < 1e-6, "{}", area(&s));
        // A uniform inset of 1 on every side.
        assert!((s[0][0] - 1.0).abs() < 1e-6 && (s[0][1] - 1.0).abs() < 1e-6);
    }

    #[test]
    fn equal_capacities_tile_the_region() {
        let region = vec![[0.0, 0.0], [100.0, 0.0], [100.0, 100.0], [0.0, 100.0]];
        let mut sites: Vec<Point> = (0..25)
            .map(|i| {
                let (r, c) = (i / 5, i % 5);
                [
                    10.0 + 20.0 * c as f64 + hash01(r, c, 3) * 6.0,
                    10.0 + 20.0 * r as f64 + hash01(r, c, 4) * 6.0,
                ]
            })
            .collect();
        let mut caps = vec![400.0; 25];
        caps[12] = 150.0;
        caps[13] = 650.0;
        let (cells, worst) = capacity_power_diagram(&mut sites, &caps, &region);
        let total: f64 = cells.iter().map(|c| area(c)).sum();
        assert!((total - 10_000.0).abs() < 1e-6 * 10_000.0, "{total}");
        assert!(worst < 0.01, "shortfall {worst}");
        assert!((area(&cells[12]) - 150.0).abs() < 3.0);
    }
}
