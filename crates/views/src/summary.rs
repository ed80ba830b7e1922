//! The views-as-data of one day: the drawn CMAPs, MUPs measured on synthetic recordings and
//! fibre-type grouping. The clinical readings of the day are the readout's
//! ([`readout::Readout`]); the CMAPs are drawn at the readout's amplitudes.

use serde::Serialize;

use crate::ViewError;
use crate::conduction::{self, Conduction};
use crate::grouping::{self, Grouping};
use crate::needle::{self, MupMeasurement};
use crate::reference::{Reference, Views, grid_for};
use crate::state::MuscleState;

/// What the pictures of one day show, as data.
#[derive(Debug, Clone, Serialize)]
pub struct DayViews {
    /// Day.
    pub day: f64,
    /// The drawn CMAPs (at the readout's amplitudes).
    pub conduction: Conduction,
    /// MUPs measured on the synthetic needle recordings.
    pub mup: MupMeasurement,
    /// Fibre-type grouping.
    pub grouping: Grouping,
}

/// Options controlling the more expensive views.
#[derive(Debug, Clone, Copy)]
pub struct DayOptions {
    /// Measure MUPs on synthetic recordings (costly on large muscles).
    pub mups: bool,
    /// Compute the grouping statistic.
    pub grouping: bool,
}

impl Default for DayOptions {
    fn default() -> Self {
        DayOptions {
            mups: true,
            grouping: true,
        }
    }
}

/// Derives the views of a day; the CMAPs are drawn at the readout's amplitudes `cmap`.
pub fn day_views(
    views: &Views,
    state: &MuscleState<'_>,
    reference: &Reference,
    cmap: &readout::Cmap,
) -> Result<DayViews, ViewError> {
    day_views_with(views, state, reference, cmap, DayOptions::default())
}

/// Derives the views of a day with options.
pub fn day_views_with(
    views: &Views,
    state: &MuscleState<'_>,
    reference: &Reference,
    cmap: &readout::Cmap,
    opts: DayOptions,
) -> Result<DayViews, ViewError> {
    state.validate()?;
    let p = &views.params;
    let (_, nascent_units) = needle::recruitable_units(state);
    let conduction = conduction::study(p, state, cmap.distal_fraction, cmap.proximal_fraction);
    let stats = if opts.mups {
        let grid = grid_for(state);
        needle::mup_stats(
            p,
            state,
            &grid,
            &views.line,
            &reference.sites,
            reference.mup_gain(p),
        )
    } else {
        needle::MupStats::default()
    };
    let rel = |a: f64, b: f64| if b > 0.0 && a > 0.0 { a / b } else { f64::NAN };
    let amp_rel = rel(stats.amplitude_model_uv, reference.mup.amplitude_model_uv);
    let dur_rel = rel(stats.duration_model_ms, reference.mup.duration_model_ms);
    let mup = MupMeasurement {
        amplitude_rel: amp_rel,
        duration_rel: dur_rel,
        amplitude_uv: amp_rel * p.mup_normal.amplitude_uv.mean,
        duration_ms: dur_rel * p.mup_normal.duration_ms.mean,
        polyphasic_fraction: stats.polyphasic_fraction,
        measured: stats.n,
        nascent_units,
    };
    let grouping = if opts.grouping {
        grouping::grouping(state)
    } else {
        Grouping::default()
    };
    Ok(DayViews {
        day: state.day,
        conduction,
        mup,
        grouping,
    })
}
