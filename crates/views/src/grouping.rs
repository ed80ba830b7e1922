//! Fibre-type grouping: how strongly fibres of one type cluster in the cross-section.
//!
//! In a normal muscle the motor-unit territories interleave, so type I and type II fibres form a
//! checkerboard-like mosaic. After denervation and collateral sprouting, surviving units adopt
//! orphaned neighbours and convert them to their own type, so types cluster (type grouping).
//!
//! Statistic (a definition, not a physiological number): for every viable fibre, its k = 6
//! nearest viable neighbours are found; the observed share of same-type neighbour pairs (type I
//! vs type II, as an ATPase stain separates them) is compared with the share expected under
//! random mixing of the same proportions, `p² + (1−p)²`:
//! `index = (observed − expected) / (1 − expected)`; 0 for a random mosaic, 1 when every fibre is
//! surrounded by its own type. Also reported: the fraction of "enclosed" fibres, whose six
//! neighbours are all of their own type (the criterion used in histochemistry to call a group).

use serde::Serialize;

use crate::needle_signal::FibreGrid;
use crate::state::{FibreState, MuscleState};

/// Neighbours per fibre.
pub const K_NEIGHBOURS: usize = 6;

/// Type-grouping statistics.
#[derive(Debug, Clone, Copy, Serialize, Default)]
pub struct Grouping {
    /// Normalised same-type neighbour excess (0 random, 1 complete segregation).
    pub index: f64,
    /// Fraction of fibres enclosed by their own type.
    pub enclosed_fraction: f64,
    /// Fraction of type I fibres among viable ones.
    pub type_i_fraction: f64,
}

/// Computes the grouping statistics (deterministic, O(n·k) with a grid).
pub fn grouping(state: &MuscleState<'_>) -> Grouping {
    let n = state.n_fibres();
    let viable: Vec<usize> = (0..n)
        .filter(|&i| state.fibre_state[i] != FibreState::Fat)
        .collect();
    if viable.len() < K_NEIGHBOURS + 1 {
        return Grouping::default();
    }
    let mean_csa: f64 = viable
        .iter()
        .map(|&i| f64::from(state.fibre_csa_um2[i]))
        .sum::<f64>()
        / viable.len() as f64;
    // Spacing from the positions (robust to atrophy): bounding-box area / count.
    let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
    for i in 0..n {
        x0 = x0.min(state.fibre_x_um[i]);
        y0 = y0.min(state.fibre_y_um[i]);
        x1 = x1.max(state.fibre_x_um[i]);
        y1 = y1.max(state.fibre_y_um[i]);
    }
    let spacing = (f64::from((x1 - x0) * (y1 - y0)) / n as f64)
        .sqrt()
        .max(mean_csa.sqrt() * 0.2)
        .max(1.0);
    let grid = FibreGrid::new(state.fibre_x_um, state.fibre_y_um, spacing as f32);
    let slow: Vec<bool> = state.fibre_type.iter().map(|t| t.is_slow()).collect();
    let p = viable.iter().filter(|&&i| slow[i]).count() as f64 / viable.len() as f64;
    let expected = p * p + (1.0 - p) * (1.0 - p);
    let (mut same, mut pairs, mut enclosed, mut counted) = (0usize, 0usize, 0usize, 0usize);
    let mut near: Vec<(f32, usize)> = Vec::with_capacity(64);
    for &i in &viable {
        let (px, py) = (state.fibre_x_um[i], state.fibre_y_um[i]);
        let mut radius = 1.6 * spacing as f32;
        loop {
            near.clear();
            grid.for_near(px, py, radius, |j| {
                if j != i && state.fibre_state[j] != FibreState::Fat {
                    let dx = state.fibre_x_um[j] - px;
                    let dy = state.fibre_y_um[j] - py;
                    near.push((dx * dx + dy * dy, j));
                }
            });
            if near.len() >= K_NEIGHBOURS || radius > 20.0 * spacing as f32 {
                break;
            }
            radius *= 1.5;
        }
        if near.len() < K_NEIGHBOURS {
            continue;
        }
        near.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let s = near[..K_NEIGHBOURS]
            .iter()
            .filter(|(_, j)| slow[*j] == slow[i])
            .count();
        same += s;
        pairs += K_NEIGHBOURS;
        counted += 1;
        if s == K_NEIGHBOURS {
            enclosed += 1;
        }
    }
    if pairs == 0 || expected >= 1.0 {
        return Grouping {
            index: 0.0,
            enclosed_fraction: 0.0,
            type_i_fraction: p,
        };
    }
    let observed = same as f64 / pairs as f64;
    Grouping {
        index: (observed - expected) / (1.0 - expected),
        enclosed_fraction: enclosed as f64 / counted.max(1) as f64,
        type_i_fraction: p,
    }
}
