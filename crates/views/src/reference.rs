//! The reference: the same muscle before the injury, against which every view is relative.
//!
//! Clinicians compare a muscle with its normal (the other side, or normative values). The MUP
//! measurements compare the state of a day with the state of the same simulated muscle at day 0,
//! measured with the same needle sites, and then express absolute values through cited normal
//! means. (The clinical readings are relative to the healthy muscle in the twin itself.)

use serde::Serialize;

use crate::line_source::LineSource;
use crate::needle::{MupStats, measured_mups, recruitable_units, stats_of};
use crate::needle_signal::{FibreGrid, NeedleSite, sample_sites};
use crate::params::Params;
use crate::state::FibreState;
use crate::state::MuscleState;
use crate::{ViewError, grouping};

/// Number of needle sites sampled for MUP statistics.
pub const N_SITES: usize = 24;
/// Seed of the needle-site draw (the sites are the same on every day).
pub const SITE_SEED: u64 = 0x5EED_517E;
/// Rounds of the gain's fixed-point iteration (the accepted MUPs depend on the gain).
const GAIN_ROUNDS: usize = 8;

/// Parameters plus the tabulated volume conductor: build once, use for every day.
#[derive(Debug, Clone)]
pub struct Views {
    /// Reference values and constants.
    pub params: Params,
    /// Line-source model table.
    pub line: LineSource,
}

impl Views {
    /// With the embedded, cited parameters.
    pub fn embedded() -> Result<Views, ViewError> {
        Views::new(Params::embedded()?)
    }
    /// With the given parameters.
    pub fn new(params: Params) -> Result<Views, ViewError> {
        let line = LineSource::new(&params.volume);
        Ok(Views { params, line })
    }
}

/// Pre-injury reference values of one muscle.
#[derive(Debug, Clone, Serialize)]
pub struct Reference {
    /// Mean viable-fibre cross-section, µm².
    pub mean_fibre_csa: f64,
    /// Viable fibres.
    pub viable_fibres: usize,
    /// Fat/fibrous fraction.
    pub fat_fibrous_fraction: f64,
    /// Recruitable motor units.
    pub units: usize,
    /// MUP statistics at the needle sites.
    pub mup: MupStats,
    /// Needle sites.
    #[serde(skip)]
    pub sites: Vec<NeedleSite>,
    /// Type grouping of the intact muscle.
    pub grouping: grouping::Grouping,
}

/// Spacing used for the needle grid, µm.
pub(crate) fn grid_for(state: &MuscleState<'_>) -> FibreGrid {
    FibreGrid::new(state.fibre_x_um, state.fibre_y_um, 100.0)
}

impl Reference {
    /// Gain from model microvolts to displayed microvolts: the intact muscle's mean synthetic MUP
    /// amplitude is set to the cited normal mean (healthy TA, 661.5 µV). The line-source model
    /// gives shapes and relative sizes; its absolute scale depends on needle geometry that the
    /// point-core approximation does not capture, hence this calibration (stated in the docs).
    pub fn mup_gain(&self, params: &Params) -> f64 {
        if self.mup.amplitude_model_uv > 0.0 {
            params.mup_normal.amplitude_uv.mean / self.mup.amplitude_model_uv
        } else {
            1.0
        }
    }

    /// Measures the reference from the pre-injury state.
    pub fn from_state(views: &Views, state: &MuscleState<'_>) -> Result<Reference, ViewError> {
        state.validate()?;
        let p = &views.params;
        let (mut viable_csa, mut viable) = (0.0, 0usize);
        for i in 0..state.n_fibres() {
            if state.fibre_state[i] != FibreState::Fat {
                viable += 1;
                viable_csa += f64::from(state.fibre_csa_um2[i]);
            }
        }
        let (units, _) = recruitable_units(state);
        let sites = sample_sites(state, N_SITES, SITE_SEED, p.volume.pickup_radius_um as f32);
        let grid = grid_for(state);
        // The gain sets the intact muscle's mean MUP to the cited normal, and the MUPs accepted
        // for that mean are those above the acceptance amplitude in displayed microvolts, which
        // depends on the gain: iterate to the fixed point (a few rounds; fixed count, so the
        // result is deterministic).
        let mups = measured_mups(p, state, &grid, &views.line, &sites);
        let mut gain = 1.0;
        let mut mup = stats_of(p, &mups, gain);
        for _ in 0..GAIN_ROUNDS {
            if mup.amplitude_model_uv <= 0.0 {
                break;
            }
            let next = p.mup_normal.amplitude_uv.mean / mup.amplitude_model_uv;
            if (next - gain).abs() <= 1e-9 * gain {
                break;
            }
            gain = next;
            mup = stats_of(p, &mups, gain);
        }
        Ok(Reference {
            mean_fibre_csa: if viable > 0 {
                viable_csa / viable as f64
            } else {
                0.0
            },
            viable_fibres: viable,
            fat_fibrous_fraction: state.fat_fibrous_fraction,
            units,
            mup,
            sites,
            grouping: grouping::grouping(state),
        })
    }
}
