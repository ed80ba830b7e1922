//! Building a [`MuscleState`](crate::MuscleState) from a `twin` simulation.
//!
//! The twin's tables map onto the view's columns almost one to one:
//! fibre CSA = healthy CSA × size; `Reinnervated` fibres are shown as reinnervating (their unit
//! may still be nascent); `Dead` fibres as fat; the day of denervation is today minus the days
//! denervated. Unit axon states map by name (`Absent` → degenerated, `Regrowing` → regenerating,
//! `Donor` → lost for this muscle until transferred); the nascent flag is the twin's (reconnected
//! less than the maturation time ago); the fibrillation delay is the twin's own. Only fibre resolution has positions; at pooled resolution
//! the pictures and needle views are not available and [`from_simulation`] returns an error.

use crate::ViewError;
use crate::state::{AxonState, FibreState, FibreType, Lesion, NO_UNIT, OwnedMuscleState};

/// Copies the twin's state on its current day into an owned muscle state.
pub fn from_simulation(
    sim: &twin::Simulation,
    muscle: &str,
) -> Result<OwnedMuscleState, ViewError> {
    let f = sim.fibres();
    let u = sim.motor_units();
    let n = f.len();
    if f.x_um.len() != n || f.y_um.len() != n {
        return Err(ViewError::Value {
            field: "resolution",
            value: f.x_um.len() as f64,
            expected: "a fibre-resolution simulation (fibre positions for every row)",
        });
    }
    let day = f64::from(sim.day());
    let mut s = OwnedMuscleState {
        muscle: muscle.to_string(),
        day,
        lesion: match (sim.injury_day(), sim.lesion_distance_mm()) {
            (Some(d), Some(mm)) => Some(Lesion {
                injury_day: d,
                distance_mm: mm,
            }),
            _ => None,
        },
        fibre_x_um: f.x_um.to_vec(),
        fibre_y_um: f.y_um.to_vec(),
        fibre_csa_um2: (0..n).map(|i| f.csa_um2(i)).collect(),
        fibre_type: f
            .fibre_type
            .iter()
            .map(|t| match t {
                twin::FibreType::Slow => FibreType::I,
                twin::FibreType::Fast => FibreType::IIa,
            })
            .collect(),
        fibre_unit: f.unit.to_vec(),
        fibre_state: f
            .state
            .iter()
            .map(|s| match s {
                twin::FibreState::Innervated => FibreState::Innervated,
                twin::FibreState::Reinnervated => FibreState::Reinnervating,
                twin::FibreState::Denervated => FibreState::Denervated,
                twin::FibreState::Dead => FibreState::Fat,
            })
            .collect(),
        fibre_denervated_day: (0..n)
            .map(|i| {
                if f.state[i] == twin::FibreState::Denervated {
                    (day - f64::from(f.denervated_days[i])) as f32
                } else {
                    f32::NAN
                }
            })
            .collect(),
        fibre_tension: vec![1.0; n],
        unit_axon: u
            .axon
            .iter()
            .map(|a| match a {
                twin::AxonState::Intact => AxonState::Intact,
                twin::AxonState::Blocked => AxonState::Blocked,
                twin::AxonState::Degenerating => AxonState::Degenerating,
                twin::AxonState::Absent => AxonState::Degenerated,
                twin::AxonState::Regrowing => AxonState::Regenerating,
                twin::AxonState::Reconnected => AxonState::Reconnected,
                twin::AxonState::Lost | twin::AxonState::Donor => AxonState::Lost,
            })
            .collect(),
        unit_nascent: (0..u.len()).map(|k| u.nascent(k)).collect(),
        unit_reconnected_day: u
            .reconnected_day
            .iter()
            .map(|&d| if d >= 0.0 { d } else { f32::NAN })
            .collect(),
        unit_distal_conduction: u.conduction.to_vec(),
        neural_drive: 1.0,
        fat_fibrous_fraction: sim.fat_fibrous_fraction(),
        extracellular_fraction: sim.coefficients().extracellular_volume_fraction,
        fat_replacement_fraction: sim.coefficients().fat_replacement_fraction,
        healthy_fibre_csa_um2: if n > 0 {
            f.base_csa_um2.iter().map(|&b| f64::from(b)).sum::<f64>() / n as f64
        } else {
            0.0
        },
        fibrillation_delay_days: {
            let c = sim.coefficients();
            c.fibrillation_onset_days
                + c.fibrillation_onset_per_mm * sim.lesion_distance_mm().unwrap_or(0.0)
        },
    };
    // Fibres of a unit the twin no longer lists (should not happen) are shown as orphans.
    let nu = s.unit_axon.len() as u32;
    for k in s.fibre_unit.iter_mut() {
        if *k != NO_UNIT && *k >= nu {
            *k = NO_UNIT;
        }
    }
    Ok(s)
}
