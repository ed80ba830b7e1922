//! Today's treatment schedule: which stimulation dose, disuse model and
//! rehabilitation programme apply on the current day. Repairs are events handled
//! by [`crate::repair`].

use crate::scenario::{DisuseModel, RehabKind, StimulationDose, Treatment};
use crate::sim::Core;

/// What applies today.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Today {
    /// Stimulated contractions today.
    pub contractions: f64,
    /// Active disuse model and days since it began.
    pub disuse: Option<(DisuseModel, f64)>,
    /// Range-of-motion exercise today.
    pub range_of_motion: bool,
    /// Progressive resistance exercise today.
    pub resistance: bool,
}

/// Builds today's schedule from the scenario's treatments.
pub(crate) fn step(c: &mut Core) {
    c.today = at(c, c.day);
}

/// The schedule of step day `day` (a pure function of the treatments: the event-driven
/// stepper reads it ahead to find the days on which it changes).
pub(crate) fn at(c: &Core, day: u32) -> Today {
    let d = day as f64;
    let mut t = Today::default();
    for tr in &c.treatments {
        match *tr {
            Treatment::Stimulation {
                start_day,
                end_day,
                dose,
            } if d > start_day.0 && d <= end_day.0 => {
                t.contractions += match dose {
                    StimulationDose::ContractionsPerDay(n) => n,
                    StimulationDose::HoursPerDay(h) => h * c.coef.contractions_per_hour,
                };
            }
            Treatment::Disuse {
                start_day,
                end_day,
                model,
            } if d > start_day.0 && d <= end_day.0 => {
                t.disuse = Some((model, d - start_day.0));
            }
            Treatment::Rehabilitation {
                start_day,
                end_day,
                kind,
            } if d > start_day.0 && d <= end_day.0 => match kind {
                RehabKind::RangeOfMotion => t.range_of_motion = true,
                RehabKind::ProgressiveResistance => t.resistance = true,
            },
            _ => {}
        }
    }
    t
}
