//! All views of one day, in one record (what the report and the CLI print).

use serde::Serialize;

use crate::ViewError;
use crate::conduction::{self, Conduction};
use crate::grouping::{self, Grouping};
use crate::needle::{self, NeedleFindings};
use crate::reference::{Reference, Views, grid_for};
use crate::state::MuscleState;
use crate::strength::{self, Strength};

/// Everything a clinician would see on one day.
#[derive(Debug, Clone, Serialize)]
pub struct DayViews {
    /// Day.
    pub day: f64,
    /// Strength and size.
    pub strength: Strength,
    /// Nerve conduction.
    pub conduction: Conduction,
    /// Needle EMG.
    pub needle: NeedleFindings,
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

/// Derives all views of a day.
pub fn day_views(
    views: &Views,
    state: &MuscleState<'_>,
    reference: &Reference,
) -> Result<DayViews, ViewError> {
    day_views_with(views, state, reference, DayOptions::default())
}

/// Derives the views of a day with options.
pub fn day_views_with(
    views: &Views,
    state: &MuscleState<'_>,
    reference: &Reference,
    opts: DayOptions,
) -> Result<DayViews, ViewError> {
    state.validate()?;
    let p = &views.params;
    let (units, nascent_units) = needle::recruitable_units(state);
    let strength = strength::strength(p, state, reference, units);
    let conduction = conduction::study(p, state, reference.cmap_peak);
    let spontaneous = needle::spontaneous(p, state);
    let mup = if opts.mups {
        let grid = grid_for(state);
        needle::mup_stats(p, state, &grid, &views.line, &reference.sites)
    } else {
        needle::MupStats::default()
    };
    let rel = |a: f64, b: f64| if b > 0.0 && a > 0.0 { a / b } else { f64::NAN };
    let amp_rel = rel(mup.amplitude_model_uv, reference.mup.amplitude_model_uv);
    let dur_rel = rel(mup.duration_model_ms, reference.mup.duration_model_ms);
    let needle = NeedleFindings {
        spontaneous,
        mup_amplitude_rel: amp_rel,
        mup_duration_rel: dur_rel,
        mup_amplitude_uv: amp_rel * p.mup_normal.amplitude_uv.mean,
        mup_duration_ms: dur_rel * p.mup_normal.duration_ms.mean,
        polyphasic_fraction: mup.polyphasic_fraction,
        mups_measured: mup.n,
        nascent_units,
        recruitment: needle::recruitment(p, units, reference.units),
    };
    let grouping = if opts.grouping {
        grouping::grouping(state)
    } else {
        Grouping::default()
    };
    Ok(DayViews {
        day: state.day,
        strength,
        conduction,
        needle,
        grouping,
    })
}
