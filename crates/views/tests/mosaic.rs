//! The packed mosaic of twin simulations: fibres tile their fascicles without overlap, healthy
//! fibres touch their neighbours across a thin endomysium, the picture's fibre areas are the
//! twin's, the connective tissue is the twin's, and atrophic fibres appear only where the twin has
//! shrunken denervated fibres.

use views::mosaic::{CellKind, Mosaic, MosaicOptions, Point, area, mosaic};
use views::{FibreState, Params, Reference};

struct Day {
    mosaic: Mosaic,
    state: views::state::OwnedMuscleState,
    fat_fibrous: f64,
}

fn run(extra: &str, day: u32) -> Day {
    let case = format!(
        "species = \"human\"\nmuscle = \"abductor_pollicis_brevis\"\nage_years = 35\nhorizon_days = 800\nseed = 5\n{extra}"
    );
    let scenario = twin::Scenario::from_toml_str(&case).expect("case parses");
    let params = twin::Parameters::for_species(scenario.species).expect("parameters");
    let mut sim =
        twin::Simulation::new(&scenario, &params, twin::Resolution::Fibre).expect("simulation");
    let v = views::reference::Views::embedded().expect("views");
    let s0 = views::adapter::from_simulation(&sim, &scenario.muscle).expect("fibre resolution");
    let r = Reference::from_state(&v, &s0.view()).expect("reference");
    while sim.day() < day {
        sim.step();
    }
    let s = views::adapter::from_simulation(&sim, &scenario.muscle).expect("fibre resolution");
    let p = Params::embedded().unwrap();
    let opts = MosaicOptions {
        centre_um: (0.0, 0.0),
        width_um: 900.0,
        height_um: 640.0,
        healthy_csa_um2: r.mean_fibre_csa,
    };
    let m = mosaic(&s.view(), &opts, &p.pictures).expect("mosaic");
    Day {
        mosaic: m,
        state: s,
        fat_fibrous: sim.fat_fibrous_fraction(),
    }
}

/// Two convex polygons overlap by more than `tol` µm along every axis of their edges (separating
/// axis theorem): a shared edge is not an overlap.
fn overlap(a: &[Point], b: &[Point], tol: f64) -> bool {
    for poly in [a, b] {
        for e in 0..poly.len() {
            let (p, q) = (poly[e], poly[(e + 1) % poly.len()]);
            let (nx, ny) = (q[1] - p[1], p[0] - q[0]);
            let len = nx.hypot(ny);
            if len == 0.0 {
                continue;
            }
            let proj = |s: &[Point]| {
                s.iter()
                    .map(|v| (nx * v[0] + ny * v[1]) / len)
                    .fold((f64::MAX, f64::MIN), |(lo, hi), x| (lo.min(x), hi.max(x)))
            };
            let (a0, a1) = proj(a);
            let (b0, b1) = proj(b);
            if a1 <= b0 + tol || b1 <= a0 + tol {
                return false;
            }
        }
    }
    true
}

fn dist_to_boundary(p: Point, poly: &[Point]) -> f64 {
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
        .fold(f64::MAX, f64::min)
}

/// The checks every mosaic must pass.
fn common(d: &Day) {
    let m = &d.mosaic;
    let interior: Vec<_> = m.cells.iter().filter(|c| c.interior).collect();
    assert!(
        interior.len() > 100,
        "fibres in the field: {}",
        interior.len()
    );
    // No two cells (and therefore no two fibres, which lie inside their cells) overlap by more
    // than 0.01 µm.
    for (i, a) in m.cells.iter().enumerate() {
        for b in &m.cells[i + 1..] {
            assert!(
                !overlap(&a.cell, &b.cell, 0.01),
                "cells of fibres {} and {} overlap",
                a.fibre,
                b.fibre
            );
        }
    }
    // The picture's areas are the twin's: a fibre is its cell inset by a uniform endomysium, found
    // by bisection to 50 halvings, so its area is exact (to the f32 resolution of the twin's CSA)
    // whenever its cell holds at least the fibre; this fails if a cell falls short by more than
    // its endomysium.
    for c in &interior {
        let twin = match c.kind {
            CellKind::Fibre => f64::from(d.state.fibre_csa_um2[c.fibre]),
            CellKind::Adipocyte => c.target_um2,
        };
        assert!(
            (c.area_um2 / twin - 1.0).abs() < 1e-4,
            "fibre {} drawn {} µm² for the twin's {} µm²",
            c.fibre,
            c.area_um2,
            twin
        );
    }
    // Connective tissue and fat fill the picture in the twin's share. The field's fibres are a
    // sample of the muscle's: their mean content differs from the muscle's by at most 3 standard
    // errors (CV of the fibre areas / sqrt(n)), which bounds the difference of the shares.
    let areas: Vec<f64> = interior.iter().map(|c| c.area_um2).collect();
    let mean = areas.iter().sum::<f64>() / areas.len() as f64;
    let sd = (areas.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / areas.len() as f64).sqrt();
    let tol = 3.0 * sd / mean / (areas.len() as f64).sqrt();
    let picture = m.connective_fraction + m.fat_fraction;
    assert!(
        (picture - d.fat_fibrous).abs() <= tol * (1.0 - d.fat_fibrous) + 1e-3,
        "connective + fat: picture {picture:.3}, twin {:.3} (tolerance {tol:.3})",
        d.fat_fibrous
    );
}

#[test]
fn healthy_muscle_is_a_packed_mosaic_without_atrophy() {
    let d = run("", 0);
    common(&d);
    let interior: Vec<_> = d.mosaic.cells.iter().filter(|c| c.interior).collect();
    assert!(
        interior
            .iter()
            .all(|c| !c.atrophic && c.kind == CellKind::Fibre)
    );
    // Healthy fibres touch their neighbours across a thin endomysium: the space between a fibre
    // and its cell's edge is at most 5% of the fibre's diameter (so two neighbours are at most
    // 10% of a diameter apart), and the fibre fills most of its cell.
    for c in &interior {
        let diameter = 2.0 * (c.area_um2 / std::f64::consts::PI).sqrt();
        let gap = c
            .outline
            .iter()
            .map(|&p| dist_to_boundary(p, &c.cell))
            .fold(f64::MAX, f64::min);
        assert!(
            gap <= 0.05 * diameter,
            "fibre {}: endomysium {gap:.2} µm for a {diameter:.0} µm fibre",
            c.fibre
        );
        assert!(c.area_um2 / area(&c.cell) > 0.8);
    }
    // Several fascicles in a 900 × 640 µm field.
    assert!(
        d.mosaic.fascicles.len() >= 2,
        "{}",
        d.mosaic.fascicles.len()
    );
}

#[test]
fn denervated_fibres_become_small_and_angular_between_normal_ones() {
    // 95% of the axons cut, no regrowth: after 9 months the survivors have sprouted as far as
    // they can (each adopts up to `sprouting_cap` times its fibres) and the fibres left orphaned
    // are small atrophic fibres between the normal-sized ones of the enlarged units.
    let d = run(
        "[injury]\ngrade = \"neurotmesis\"\nday = 0\ndistance_mm = 100\nfraction_of_axons = 0.95\nregrowth = \"prevented\"\n",
        270,
    );
    common(&d);
    let interior: Vec<_> = d
        .mosaic
        .cells
        .iter()
        .filter(|c| c.interior && c.kind == CellKind::Fibre)
        .collect();
    let atrophic: Vec<_> = interior.iter().filter(|c| c.atrophic).collect();
    let normal: Vec<_> = interior
        .iter()
        .filter(|c| d.state.fibre_state[c.fibre] != FibreState::Denervated)
        .collect();
    assert!(
        atrophic.len() >= 10 && normal.len() >= 10,
        "{} atrophic, {} normal",
        atrophic.len(),
        normal.len()
    );
    // Atrophic means denervated in the twin.
    assert!(
        atrophic
            .iter()
            .all(|c| d.state.fibre_state[c.fibre] == FibreState::Denervated)
    );
    // Angular: the isoperimetric quotient 4πA/P² (1 for a circle, 0.91 for a regular hexagon,
    // 0.60 for an equilateral triangle) of the atrophic fibres is lower than that of the normal
    // fibres around them.
    let quotient = |p: &[Point]| {
        let per: f64 = (0..p.len())
            .map(|e| {
                let (a, b) = (p[e], p[(e + 1) % p.len()]);
                (b[0] - a[0]).hypot(b[1] - a[1])
            })
            .sum();
        4.0 * std::f64::consts::PI * area(p) / (per * per)
    };
    let mean_q = |v: &[&&views::mosaic::MosaicCell]| {
        v.iter().map(|c| quotient(&c.outline)).sum::<f64>() / v.len() as f64
    };
    let (qa, qn) = (mean_q(&atrophic), mean_q(&normal));
    assert!(qa < qn, "angularity: atrophic {qa:.3}, normal {qn:.3}");
}

#[test]
fn fat_of_long_denervated_muscle_lies_at_the_fascicle_edges() {
    // Every axon cut, no regrowth: after two years fibres have died and the twin has put fat in
    // their slots. Biopsies of long-denervated muscle show the fat in clusters along the
    // perimysium, between fascicles (Dubowitz, Sewry & Oldfors 2020), not an even honeycomb of
    // one adipocyte per dead fibre's slot; the mosaic moves the fat to the fascicles' edges.
    let d = run(
        "[injury]\ngrade = \"neurotmesis\"\nday = 0\ndistance_mm = 100\nfraction_of_axons = 1.0\nregrowth = \"prevented\"\n",
        730,
    );
    common(&d);
    let m = &d.mosaic;
    let depth = |c: &views::mosaic::MosaicCell| {
        dist_to_boundary(views::mosaic::centroid(&c.cell), &m.fascicles[c.fascicle])
    };
    let mean_depth = |kind: CellKind| {
        let v: Vec<f64> = m
            .cells
            .iter()
            .filter(|c| c.interior && c.kind == kind)
            .map(depth)
            .collect();
        (v.iter().sum::<f64>() / v.len().max(1) as f64, v.len())
    };
    let (fat_depth, n_fat) = mean_depth(CellKind::Adipocyte);
    let (fibre_depth, n_fibre) = mean_depth(CellKind::Fibre);
    assert!(
        n_fat >= 10 && n_fibre >= 10,
        "{n_fat} adipocytes, {n_fibre} fibres in the field"
    );
    // Drawn in the dead fibres' own slots, adipocytes lie as deep in their fascicles as the
    // fibres do (the dead fibres are the twin's, spread over the fascicle); at the edges, clearly
    // less deep: at most half the fibres' mean distance to the perimysium (the test's own
    // criterion of "clearly").
    eprintln!(
        "mean distance to the perimysium: adipocytes {fat_depth:.1} µm, fibres {fibre_depth:.1} µm ({n_fat} adipocytes, {n_fibre} fibres)"
    );
    assert!(
        fat_depth < 0.5 * fibre_depth,
        "mean distance to the perimysium: adipocytes {fat_depth:.1} µm, fibres {fibre_depth:.1} µm"
    );
}
