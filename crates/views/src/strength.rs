//! Strength and size: voluntary and tetanic force relative to baseline, the MRC grade, muscle
//! size and the fat/fibrous fraction.
//!
//! Force is taken proportional to the summed cross-sectional area × specific tension (from the
//! twin) of the fibres a command can fire; voluntary force is further scaled by the neural drive
//! (lower in disuse). *Voluntary* force
//! counts fibres whose unit's axon conducts across the lesion; *tetanic* force (supramaximal nerve
//! stimulation below the lesion) also counts units blocked by neurapraxia and distal stumps that
//! are still excitable. The MRC grade is 0 when no unit can be recruited, otherwise set by the
//! voluntary force fraction against the thresholds in `data/views/electrodiagnosis.toml` (a named
//! assumption; the scale is ordinal — MRC 1943/1976).

use serde::Serialize;

use crate::params::Params;
use crate::state::{FibreState, MuscleState};

/// Strength and size of a day.
#[derive(Debug, Clone, Serialize)]
pub struct Strength {
    /// Voluntary maximal force relative to baseline.
    pub voluntary_rel: f64,
    /// Tetanic force on nerve stimulation below the lesion, relative to baseline.
    pub tetanic_rel: f64,
    /// MRC grade 0–5.
    pub mrc: u8,
    /// Contractile cross-section (all viable fibres) relative to baseline.
    pub contractile_csa_rel: f64,
    /// Mean viable-fibre cross-section relative to baseline.
    pub mean_fibre_csa_rel: f64,
    /// Mean viable-fibre cross-section, µm².
    pub mean_fibre_csa_um2: f64,
    /// Viable fibres.
    pub viable_fibres: usize,
    /// Fraction of viable fibres that are innervated or reinnervating.
    pub innervated_fraction: f64,
    /// Fat and connective-tissue fraction of the cross-section.
    pub fat_fibrous_fraction: f64,
    /// Muscle size (contractile area plus fat/fibrous tissue) relative to baseline.
    pub size_rel: f64,
}

/// MRC grade from voluntary force fraction and whether any unit is recruitable.
pub fn mrc_grade(params: &Params, voluntary_rel: f64, recruitable_units: usize) -> u8 {
    if recruitable_units == 0 || voluntary_rel <= 0.0 {
        return 0;
    }
    1 + params
        .mrc
        .thresholds
        .iter()
        .filter(|&&t| voluntary_rel >= t)
        .count() as u8
}

/// Summed driven cross-section × specific tension for voluntary and tetanic activation, the
/// viable cross-section, viable fibres and innervated fibres.
pub fn force_csa(state: &MuscleState<'_>) -> (f64, f64, f64, usize, usize) {
    let (mut vol, mut tet, mut viable_csa) = (0.0, 0.0, 0.0);
    let (mut viable, mut innervated) = (0usize, 0usize);
    for i in 0..state.n_fibres() {
        let c = f64::from(state.fibre_csa_um2[i]);
        if state.fibre_state[i] != FibreState::Fat {
            viable += 1;
            viable_csa += c;
        }
        if matches!(
            state.fibre_state[i],
            FibreState::Innervated | FibreState::Reinnervating
        ) {
            innervated += 1;
        }
        let f = c * f64::from(state.fibre_tension[i]);
        if state.fibre_driven(i, |a| a.conducts_proximal()) {
            vol += f;
        }
        if state.fibre_driven(i, |a| a.conducts_distal()) {
            let u = state.fibre_unit[i] as usize;
            tet += f * f64::from(state.unit_distal_conduction[u]).clamp(0.0, 1.0);
        }
    }
    (vol, tet, viable_csa, viable, innervated)
}

/// Strength and size against the reference totals.
pub fn strength(
    params: &Params,
    state: &MuscleState<'_>,
    reference: &crate::Reference,
    recruitable_units: usize,
) -> Strength {
    let (vol, tet, viable_csa, viable, innervated) = force_csa(state);
    let rf = reference.force_csa.max(1e-9);
    let voluntary_rel = vol * state.neural_drive.clamp(0.0, 1.0) / rf;
    let mean = if viable > 0 {
        viable_csa / viable as f64
    } else {
        0.0
    };
    let fat = state.fat_fibrous_fraction.clamp(0.0, 0.999);
    let contractile_csa_rel = viable_csa / reference.viable_csa.max(1e-9);
    // Fat/fibrous tissue occupies `fat` of the current cross-section.
    let size_rel = contractile_csa_rel / (1.0 - fat) * (1.0 - reference.fat_fibrous_fraction);
    Strength {
        voluntary_rel,
        tetanic_rel: tet / rf,
        mrc: mrc_grade(params, voluntary_rel, recruitable_units),
        contractile_csa_rel,
        mean_fibre_csa_rel: mean / reference.mean_fibre_csa.max(1e-9),
        mean_fibre_csa_um2: mean,
        viable_fibres: viable,
        innervated_fraction: if viable > 0 {
            innervated as f64 / viable as f64
        } else {
            0.0
        },
        fat_fibrous_fraction: fat,
        size_rel,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mrc_follows_the_thresholds_and_needs_a_unit() {
        let p = Params::embedded().unwrap();
        assert_eq!(mrc_grade(&p, 0.5, 0), 0);
        assert_eq!(mrc_grade(&p, 0.0, 10), 0);
        assert_eq!(mrc_grade(&p, 0.01, 1), 1);
        assert_eq!(mrc_grade(&p, 0.05, 1), 2);
        assert_eq!(mrc_grade(&p, 0.15, 1), 3);
        assert_eq!(mrc_grade(&p, 0.5, 1), 4);
        assert_eq!(mrc_grade(&p, 0.95, 1), 5);
    }
}
