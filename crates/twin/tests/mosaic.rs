//! Fibre-type mosaic: an intact muscle is a near-random mosaic of types (interleaved
//! motor-unit territories), and collateral sprouting after partial denervation makes
//! adopted fibres cluster around the surviving units' own fibres (type grouping).

use twin::{FibreState, FibreType, Parameters, Resolution, Scenario, Simulation, Species};

/// Same-type excess among the 6 nearest viable neighbours: 0 for a random mosaic,
/// 1 for complete segregation (the definition the views crate uses).
fn grouping_index(sim: &Simulation) -> f64 {
    let f = sim.fibres();
    let viable: Vec<usize> = (0..f.len())
        .filter(|&i| f.state[i] != FibreState::Dead)
        .collect();
    let r = sim.muscle_radius_um() as f32;
    let cells = 100usize;
    let cell = 2.0 * r / cells as f32;
    let key = |v: f32| (((v + r) / cell) as usize).min(cells - 1);
    let mut grid = vec![Vec::new(); cells * cells];
    for &i in &viable {
        grid[key(f.y_um[i]) * cells + key(f.x_um[i])].push(i);
    }
    let slow = |i: usize| f.fibre_type[i] == FibreType::Slow;
    let p = viable.iter().filter(|&&i| slow(i)).count() as f64 / viable.len() as f64;
    let expected = p * p + (1.0 - p) * (1.0 - p);
    let (mut same, mut pairs) = (0usize, 0usize);
    for &i in &viable {
        let (cx, cy) = (key(f.x_um[i]), key(f.y_um[i]));
        let mut near: Vec<(f32, usize)> = Vec::new();
        for gy in cy.saturating_sub(2)..=(cy + 2).min(cells - 1) {
            for gx in cx.saturating_sub(2)..=(cx + 2).min(cells - 1) {
                for &j in &grid[gy * cells + gx] {
                    if j != i {
                        let dx = f.x_um[j] - f.x_um[i];
                        let dy = f.y_um[j] - f.y_um[i];
                        near.push((dx * dx + dy * dy, j));
                    }
                }
            }
        }
        if near.len() < 6 {
            continue;
        }
        near.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        same += near[..6]
            .iter()
            .filter(|(_, j)| slow(*j) == slow(i))
            .count();
        pairs += 6;
    }
    (same as f64 / pairs as f64 - expected) / (1.0 - expected)
}

const PARTIAL: &str = r#"
species = "human"
muscle = "abductor_pollicis_brevis"
age_years = 35
horizon_days = 365
seed = 5
[injury]
grade = "neurotmesis"
distance_mm = 100
fraction_of_axons = 0.8
regrowth = "prevented"
"#;

#[test]
fn intact_muscle_is_a_mosaic_and_sprouting_groups_types() {
    let s = Scenario::from_toml_str(PARTIAL).unwrap();
    let params = Parameters::for_species(Species::Human).unwrap();
    let mut sim = Simulation::new(&s, &params, Resolution::Fibre).unwrap();
    let intact = grouping_index(&sim);
    // Normal human muscle: interleaved territories, a near-random mosaic (the twin
    // gave 0.55, clearly grouped, before territories were spread evenly).
    assert!(intact.abs() < 0.2, "intact grouping index {intact}");
    // Every native unit keeps exactly its own fibre count.
    let u = sim.motor_units();
    let f = sim.fibres();
    let mut counts = vec![0u32; u.len()];
    for i in 0..f.len() {
        counts[f.unit[i] as usize] += 1;
    }
    for (k, &c) in counts.iter().enumerate() {
        assert_eq!(c as f32, u.fibres[k], "unit {k}");
    }
    for _ in 0..365 {
        sim.step();
    }
    let q = sim.quantities();
    assert!(q.innervated_fiber_fraction > 0.8, "{q:?}");
    let after = grouping_index(&sim);
    assert!(
        after > intact + 0.15,
        "grouping after sprouting {after} vs intact {intact}"
    );
}
