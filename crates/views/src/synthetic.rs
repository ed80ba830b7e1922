//! Small synthetic muscles for tests, examples and pictures without a twin.
//!
//! A hexagonally packed cross-section of fibres with a normal-size spread, motor units with
//! exponentially distributed sizes and interleaved circular territories (Fuglevand-type pool),
//! types by unit (smaller units slow). The scenario functions change the state the way each
//! condition is described clinically; they exist to exercise the views, not to model physiology
//! (that is the twin's job). The mean fibre size (cited) and the fat/fibrous share (a named
//! assumption) are in `data/views/electrodiagnosis.toml` `[synthetic]`; the packing, the ±25% size
//! spread and the 30-fold unit-size range are fixture choices for tests, not physiology.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::state::{AxonState, FibreState, FibreType, Lesion, NO_UNIT, OwnedMuscleState};

/// Builds an intact muscle of about `side × side` fibres and `n_units` motor units.
pub fn intact(muscle: &str, side: usize, n_units: usize, seed: u64) -> OwnedMuscleState {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // From the embedded data (NaN, rejected by every view's validation, only if that file were
    // malformed).
    let fixtures = crate::params::embedded_fixtures().map(|(_, syn)| syn);
    let mean_csa = fixtures.map_or(f32::NAN, |f| f.mean_fibre_csa_um2.value as f32);
    let spacing = 2.0 * (mean_csa / std::f32::consts::PI).sqrt() * 1.06;
    let mut s = OwnedMuscleState {
        muscle: muscle.to_string(),
        neural_drive: 1.0,
        fat_fibrous_fraction: fixtures.map_or(f64::NAN, |f| f.fat_fibrous_fraction.value),
        fibrillation_delay_days: human_fibrillation_delay(0.0),
        extracellular_fraction: fixtures.map_or(f64::NAN, |f| f.fat_fibrous_fraction.value),
        fat_replacement_fraction: twin::Parameters::for_species(twin::Species::Human)
            .map_or(f64::NAN, |p| p.coef.fat_replacement_fraction),
        healthy_fibre_csa_um2: f64::from(mean_csa),
        ..Default::default()
    };
    for r in 0..side {
        for c in 0..side {
            let x = c as f32 * spacing + if r % 2 == 1 { spacing * 0.5 } else { 0.0 };
            let y = r as f32 * spacing * 0.866;
            s.fibre_x_um.push(x + rng.gen_range(-3.0..3.0));
            s.fibre_y_um.push(y + rng.gen_range(-3.0..3.0));
            s.fibre_csa_um2.push(mean_csa * rng.gen_range(0.75..1.25));
        }
    }
    let n = s.fibre_x_um.len();
    let width = side as f32 * spacing;
    // Unit sizes: exponential spread over a 30-fold range (Fuglevand-type pool).
    let sizes: Vec<f32> = (0..n_units)
        .map(|u| (30f32.ln() * u as f32 / (n_units.max(2) - 1) as f32).exp())
        .collect();
    let cx: Vec<f32> = (0..n_units).map(|_| rng.gen_range(0.0..width)).collect();
    let cy: Vec<f32> = (0..n_units)
        .map(|_| rng.gen_range(0.0..width * 0.866))
        .collect();
    let total: f32 = sizes.iter().sum();
    let area = width * width * 0.866;
    let rad: Vec<f32> = sizes
        .iter()
        .map(|sz| {
            ((sz / total) * area * 6.0 / std::f32::consts::PI)
                .sqrt()
                .max(3.0 * spacing)
        })
        .collect();
    for i in 0..n {
        let (x, y) = (s.fibre_x_um[i], s.fibre_y_um[i]);
        let mut weights = 0.0;
        let mut cand = Vec::new();
        for u in 0..n_units {
            let d = ((x - cx[u]).powi(2) + (y - cy[u]).powi(2)).sqrt();
            if d < rad[u] {
                cand.push(u);
                weights += sizes[u] / (rad[u] * rad[u]);
            }
        }
        let unit = if cand.is_empty() {
            (0..n_units)
                .min_by(|&a, &b| {
                    let da = (x - cx[a]).powi(2) + (y - cy[a]).powi(2);
                    let db = (x - cx[b]).powi(2) + (y - cy[b]).powi(2);
                    da.total_cmp(&db)
                })
                .unwrap_or(0)
        } else {
            let mut pick = rng.gen_range(0.0..weights);
            let mut chosen = cand[0];
            for &u in &cand {
                pick -= sizes[u] / (rad[u] * rad[u]);
                if pick <= 0.0 {
                    chosen = u;
                    break;
                }
            }
            chosen
        };
        s.fibre_unit.push(unit as u32);
        s.fibre_type.push(if unit < n_units / 2 {
            FibreType::I
        } else {
            FibreType::IIa
        });
        s.fibre_state.push(FibreState::Innervated);
        s.fibre_denervated_day.push(f32::NAN);
        s.fibre_tension.push(1.0);
    }
    s.unit_axon = vec![AxonState::Intact; n_units];
    s.unit_nascent = vec![false; n_units];
    s.unit_reconnected_day = vec![f32::NAN; n_units];
    s.unit_distal_conduction = vec![1.0; n_units];
    s
}

/// Denervates every fibre of units whose axon does not reach the muscle, from `day0`.
pub fn denervate_orphans(s: &mut OwnedMuscleState, day0: f32) {
    for i in 0..s.fibre_unit.len() {
        let u = s.fibre_unit[i];
        if u == NO_UNIT {
            continue;
        }
        let a = s.unit_axon[u as usize];
        if matches!(
            a,
            AxonState::Degenerated | AxonState::Regenerating | AxonState::Lost
        ) {
            s.fibre_state[i] = FibreState::Denervated;
            s.fibre_unit[i] = NO_UNIT;
            s.fibre_denervated_day[i] = day0;
        }
    }
}

/// Chronic partial denervation with collateral sprouting: `lost` of the units (every unit with
/// a deterministic draw below `lost`) die; each orphaned fibre is adopted by a surviving unit
/// that owns one of its nearest neighbours, taking that unit's type.
pub fn chronic_partial(s: &mut OwnedMuscleState, lost: f64, day: f64, seed: u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    for a in s.unit_axon.iter_mut() {
        if rng.gen_range(0.0..1.0) < lost {
            *a = AxonState::Lost;
        }
    }
    s.day = day;
    denervate_orphans(s, 0.0);
    let n = s.fibre_x_um.len();
    // Repeated sweeps: an orphan next to an innervated fibre of a surviving unit joins that unit.
    for _ in 0..60 {
        let mut changed = false;
        for i in 0..n {
            if s.fibre_state[i] != FibreState::Denervated {
                continue;
            }
            let (x, y) = (s.fibre_x_um[i], s.fibre_y_um[i]);
            let mut best: Option<(f32, usize)> = None;
            for j in 0..n {
                if s.fibre_unit[j] == NO_UNIT || j == i {
                    continue;
                }
                let d = (s.fibre_x_um[j] - x).powi(2) + (s.fibre_y_um[j] - y).powi(2);
                if d < 90.0 * 90.0 && best.is_none_or(|b| d < b.0) {
                    best = Some((d, j));
                }
            }
            if let Some((_, j)) = best {
                s.fibre_unit[i] = s.fibre_unit[j];
                s.fibre_type[i] = s.fibre_type[j];
                s.fibre_state[i] = FibreState::Reinnervating;
                s.fibre_denervated_day[i] = f32::NAN;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
}

/// The twin's human fibrillation delay for a lesion `distance_mm` from the muscle (NaN only if
/// the embedded twin parameters were malformed, which the twin's tests rule out).
fn human_fibrillation_delay(distance_mm: f64) -> f64 {
    twin::Parameters::for_species(twin::Species::Human).map_or(f64::NAN, |p| {
        p.coef.fibrillation_onset_days + p.coef.fibrillation_onset_per_mm * distance_mm
    })
}

/// Sets a lesion on the state (and the twin's human fibrillation delay for its distance).
pub fn set_lesion(s: &mut OwnedMuscleState, injury_day: f64, distance_mm: f64) {
    s.fibrillation_delay_days = human_fibrillation_delay(distance_mm);
    s.lesion = Some(Lesion {
        injury_day,
        distance_mm,
    });
}
