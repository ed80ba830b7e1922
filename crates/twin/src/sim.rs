//! The simulation: construction, the day loop, quantities and the time course.
//!
//! ## The day loop
//! Each call to [`Simulation::step`] advances one day, calling the mechanisms in
//! this order (each reads and writes its own slice of the state):
//!
//! 1. [`crate::treatment`] — today's schedule (stimulation dose, disuse, rehab); a
//!    [`crate::repair`] on its day reconnects cut or donor axons; [`crate::lesion`]
//!    applies the injury on its day.
//! 2. [`crate::conduction`] — neurapraxic blocks resolve.
//! 3. [`crate::wallerian`] — distal stumps of cut axons stop conducting; their
//!    fibres lose their axon.
//! 4. [`crate::regrowth`] — regrowing axons advance; arrivals reconnect;
//!    [`crate::maturation`] — reconnected units mature (terminals, junctions).
//! 5. [`crate::reinnervation`] — reconnected axons capture receptive fibres.
//! 6. [`crate::sprouting`] — intact units adopt nearby orphaned fibres, up to a cap.
//! 7. [`crate::disuse`] — synthesis drive of innervated fibres, neural drive.
//! 8. [`crate::stimulation`] — protection of mass and force by today's dose.
//! 9. One parallel pass over the fibre table applying, per fibre, in order:
//!    [`crate::end_plate`] (denervated fibres age: receptivity and regrowth capacity
//!    fall), [`crate::atrophy`] (size and specific tension), [`crate::fibrosis`]
//!    (long-denervated fibres die; fat and connective tissue) — and summing the
//!    columns the quantities need ([`crate::quantities`]).
//!
//! The per-fibre kernels are plain functions of their module; fusing them into one
//! pass touches each fibre once a day (memory traffic dominates the cost).
//!
//! ## Bookkeeping: the event-driven stepper and the reference
//! [`Stepper::Event`] (the default of every simulation, so of the CLI, the calibration
//! runner and the prognosis) runs the same mechanisms in the same order; it changes only how
//! rows are kept: at pooled resolution the rows a day's Wallerian degeneration leaves
//! denervated, all in the same state, are kept as one row
//! (`Core::merge_denervated_cohorts`); at fibre resolution the fibres are lazy
//! (`lazy_fibres`): fibres in the same state share one trajectory, advanced once a day
//! by the same per-row day, and a fibre gets work of its own only on its own events (end-plate
//! loss, death, a move by Wallerian degeneration or capture); the day's sums and the unit
//! recount come from the trajectories. [`Stepper::Day`] keeps every row as built and is the
//! reference the equivalence tests hold the event bookkeeping to (`tests/stepper.rs`, the
//! calibration and clinic tests): within 0.5 % or 1e-6, event days within a day.
//!
//! [`Simulation::step_to`] advances to a day that is read, with the event stepper at pooled
//! resolution skipping work that changes nothing, so that it gives the states and events of
//! stepping day by day **bit for bit** (whatever days it is asked to stop at: plans branched
//! from a shared past stay equal to fresh runs):
//! * the days in between are not summed: only the receptive-orphan sums the next day's capture
//!   reads, and the MRC and fibrillation grades while their event days are still to come, are
//!   summed, the same rows in the same order (`Core::light_day`);
//! * a unit mechanism none of whose units exists today (no block, no degenerating, regrowing or
//!   maturing axon) is not called;
//! * a stretch of **quiet days** (`Core::quiet_days`: the same schedule and drives, no axon
//!   changing state, capture unable to take a fibre) is advanced together (`Core::jump`): the
//!   regrowing fronts, maturing units and the neural drive by their own daily functions
//!   ([`crate::regrowth`]'s `grow`, [`crate::maturation`]'s `mature`,
//!   [`crate::disuse`]'s `relax_neural_drive`), each denervated or still-relaxing row by the
//!   one per-row day both steppers use (`RowDay::advance`), the innervated rows still relaxing
//!   toward their target from contiguous columns by the same daily map
//!   ([`crate::atrophy`]'s `relax_innervated`, `crate::quiet`), and every innervated row at a
//!   fixed point of its daily map (healthy rows, rows that have converged) not at all;
//! * a quiet day on which an MRC event is still to come is not summed either when a
//!   certificate proves its grade (`crate::quiet::Certificate`: the grades of lower and upper
//!   bounds of every relaxing row, maturity and the neural drive agree, and the day's state is
//!   checked to lie within them; f32 rounding is monotone, so the day's grade lies between).
//!
//! Closed forms over n days (e.g. `a + (s − a)·e^{−kn}` for an innervated row) were not used:
//! they round differently from n daily steps, so a run's numbers would depend on the days it
//! was stopped at and plans branched from a shared past would no longer equal fresh runs
//! bit for bit (`tests/branch.rs`, the clinic's `tests/shared_past.rs`).

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::params::{Coefficients, MuscleSpec, ParamError, Parameters};
use crate::quantities::{Events, Quantities, grade};
use crate::scenario::{Injury, RepairMethod, Scenario, Treatment};
use crate::state::{AxonState, FibreState, FibreType, Fibres, MotorUnits, Muscle, NO_UNIT};
use crate::treatment::Today;

/// Today's per-row daily map ([`RowDay`]) of a [`Core`]: one spelling of the call for the day
/// pass and the quiet stretches. A macro, not a method, because it borrows only the fields it
/// reads, so the fibre table stays free to be advanced with the map.
macro_rules! row_day_of {
    ($core:expr, $fibre_res:expr) => {
        row_day(
            &mut $core.tables,
            &mut $core.cache,
            &$core.coef,
            &$core.breakdown,
            &$core.drives,
            $core.synthesis_modifier,
            &$core.end_plate,
            $fibre_res,
        )
    };
}

pub use vocabulary::Resolution;

/// Errors building or running a simulation.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum TwinError {
    /// The scenario's species does not match the parameter set.
    #[error("scenario species `{scenario}` does not match parameters for `{parameters}`")]
    SpeciesMismatch {
        /// Species in the scenario.
        scenario: String,
        /// Species of the parameters.
        parameters: String,
    },
    /// A parameter problem (unknown muscle, bad override…).
    #[error(transparent)]
    Param(#[from] ParamError),
    /// A scenario value the model cannot use.
    #[error("field `{field}` = {value}: expected {expected}")]
    Invalid {
        /// Field.
        field: String,
        /// Value.
        value: String,
        /// What was expected.
        expected: String,
    },
}

/// The daily time course of one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimeCourse {
    /// Quantities for day 0 (healthy, before anything happens) to the horizon.
    pub days: Vec<Quantities>,
    /// Event days.
    pub events: Events,
}

impl TimeCourse {
    /// The quantities of a day (clamped to the horizon).
    pub fn at(&self, day: u32) -> &Quantities {
        let i = (day as usize).min(self.days.len().saturating_sub(1));
        &self.days[i]
    }

    /// A quantity by calibration name on a day.
    pub fn value(&self, name: &str, day: u32) -> Option<f64> {
        if self.days.is_empty() {
            return None;
        }
        self.at(day).get(name)
    }
}

/// How a simulation advances its row table. Both run the same mechanisms with the same
/// parameters; they differ only in bookkeeping (see `docs/performance.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stepper {
    /// The reference: every row of the table advanced and summed every day, as it was built.
    Day,
    /// Event-driven bookkeeping (the default): rows that follow the same curve are advanced
    /// once. At pooled resolution the denervated rows made on one day (every row a cut axon
    /// leaves behind is in the same state: denervated for 0 days, the same size, tension,
    /// capacity and receptive share) are kept as one row, so the daily pass, capture and
    /// the unit recount touch one row per cohort of denervation instead of one per unit. At
    /// fibre resolution the fibres are lazy (`lazy_fibres`): one trajectory per set
    /// of fibres in the same state, each fibre touched only on its own events.
    /// Agrees with [`Stepper::Day`] within rounding (`tests/stepper.rs`).
    #[default]
    Event,
}

/// Today's derived drives, shared by the mechanisms (scratch, reused each day).
#[derive(Debug, Clone, Default)]
pub(crate) struct Drives {
    /// Synthesis target of innervated fibres of each unit (1 = healthy).
    pub unit_synthesis: Vec<f32>,
    /// Protection of mass by stimulation (0–1).
    pub stim_mass: f32,
    /// Protection of force by stimulation, net of over-use (0–1).
    pub stim_force: f32,
}

/// The whole state and context of a running simulation.
#[derive(Debug, Clone)]
pub(crate) struct Core {
    pub coef: Coefficients,
    pub resolution: Resolution,
    pub stepper: Stepper,
    pub seed: u64,
    pub day: u32,
    pub units: MotorUnits,
    pub fibres: Fibres,
    pub muscle: Muscle,
    pub injury: Option<Injury>,
    pub treatments: Vec<Treatment>,
    pub age_years: f64,
    pub speed_modifier: f64,
    pub synthesis_modifier: f64,
    pub native_units: usize,
    /// Fibrillation delay after a fibre loses its axon, days.
    pub fibrillation_delay: f32,
    /// Pooled resolution: the reinnervated row of each unit (or `usize::MAX`).
    pub reinnervated_row: Vec<usize>,
    pub today: Today,
    pub drives: Drives,
    /// Fibres captured today by reconnected (regrown or transferred) axons.
    pub captured_by_regrowth_today: f64,
    pub events: Events,
    /// A repair done while some axons were still degenerating: applied to them when
    /// their degeneration completes.
    pub pending_repair: Option<crate::repair::Pending>,
    /// End-plate constants for this scenario.
    pub end_plate: crate::end_plate::EndPlateDay,
    /// Sums over the fibre table after the last daily pass (see [`Core::sums`]).
    pub sums: [f64; SUMS],
    /// Whether fibres changed owner today (units must be recounted).
    pub fibres_changed: bool,
    /// Whether capture (reinnervation or sprouting) took fibres today: the next day is then
    /// not quiet either, as a rule, so [`Core::quiet_days`] does not look.
    pub captured_today: bool,
    /// Early breakdown factor by day of denervation.
    pub breakdown: Vec<f32>,
    /// Atrophy lookup tables for today's stimulation level.
    pub tables: crate::atrophy::DenervationTables,
    /// Quantities of the current day (computed once per step, read many times).
    pub last: Quantities,
    /// Reusable buffers, allocated once per simulation (no allocation per step).
    pub scratch: Scratch,
    /// Per-day constants cached while their inputs are unchanged (see [`DayCache`]).
    pub cache: DayCache,
    mrc_fell_below: [bool; 2],
    /// Fibre resolution with [`Stepper::Event`]: the lazy fibre bookkeeping
    /// ([`crate::lazy_fibres`]), made on the first pass.
    pub lazy: Option<Box<crate::lazy_fibres::LazyFibres>>,
}

/// Per-day constants that depend only on coefficients or on today's stimulation
/// level: computed once and reused while their inputs are unchanged (the same
/// expressions, so the same numbers as computing them every day).
#[derive(Debug, Clone)]
pub(crate) struct DayCache {
    /// Daily rate of the neural-drive change in disuse, `1 - exp(-1/τ)`.
    pub neural_rate: f64,
    /// Contractions a day and the (mass, force) protection computed for them.
    pub stim: Option<(f64, f32, f32)>,
    /// Mass protection and the fibrosis constants computed for it.
    pub fibrosis: Option<(f32, crate::fibrosis::FibrosisDay)>,
}

/// Buffers reused from day to day so the step does not allocate.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scratch {
    /// Per-chunk partial sums of the parallel fibre pass.
    pub partial: Vec<([f32; SUMS], f64, f64)>,
    /// Per-unit eligibility for capture.
    pub eligible: Vec<bool>,
    /// Per-unit spare capacity during capture.
    pub spare: Vec<f32>,
    /// Cumulative spare capacity (fibre-resolution capture).
    pub cum: Vec<f64>,
    /// Fibres bucketed by position for the sprouting search (fibre resolution;
    /// built on first use).
    pub grid: crate::reinnervation::FibreGrid,
    /// Denervated rows of a quiet stretch (pooled resolution, `Core::jump`).
    pub quiet_denervated: Vec<usize>,
    /// Relaxing innervated rows of a quiet stretch (pooled resolution, `Core::jump`).
    pub quiet_relaxing: crate::quiet::Relaxing,
}

/// A simulation of one scenario at one resolution.
#[derive(Debug, Clone)]
pub struct Simulation {
    core: Core,
    spec: MuscleSpec,
    /// The scenario simulated (its treatments may have been replaced by [`Simulation::branch`]).
    scenario: Scenario,
}

/// First day whose step a treatment acts in: the step of day `d` applies a stimulation,
/// disuse or rehabilitation period with `d > start` ([`crate::treatment`]) and a repair on
/// day `r` with `d - 1 <= r < d` ([`crate::repair`]); both are day `⌊start⌋ + 1`.
fn first_effect_day(t: &Treatment) -> i64 {
    let start = match t {
        Treatment::Repair { day, .. } => day.0,
        Treatment::Stimulation { start_day, .. }
        | Treatment::Disuse { start_day, .. }
        | Treatment::Rehabilitation { start_day, .. } => start_day.0,
    };
    // NaN saturates to 0: such a treatment counts as acting from the start (no sharing).
    start.floor() as i64 + 1
}

/// Donor axons of a scenario's nerve transfers (appended after the native units).
fn donor_axons(treatments: &[Treatment]) -> u32 {
    treatments
        .iter()
        .map(|t| match t {
            Treatment::Repair {
                method: RepairMethod::Transfer { donor_axons, .. },
                ..
            } => *donor_axons,
            _ => 0,
        })
        .sum()
}

/// Whether range-of-motion exercise is prescribed at all (it lengthens the end-plate time
/// constant of the whole run).
fn range_of_motion(treatments: &[Treatment]) -> bool {
    treatments.iter().any(|t| {
        matches!(
            t,
            Treatment::Rehabilitation {
                kind: crate::scenario::RehabKind::RangeOfMotion,
                ..
            }
        )
    })
}

/// The last day through which a simulation of `a` and one of `b` go through the same states,
/// so that a simulation of `a` stepped to that day (or earlier) can be continued as `b` by
/// [`Simulation::branch`]; `None` when they differ from the set-up on.
///
/// The two must agree on everything but their treatments, on whether range-of-motion
/// exercise is prescribed (it sets the end-plate time constant at set-up), and `b` may not
/// have fewer donor axons than `a` (donor axons are inert until their transfer, so more can
/// be added later). Then they share their course up to the day before the first step in
/// which the treatments that have acted differ (the same list, in the same order).
pub fn shared_days(a: &Scenario, b: &Scenario) -> Option<u32> {
    let same_setup = a.species == b.species
        && a.muscle == b.muscle
        && a.age_years == b.age_years
        && a.injury == b.injury
        && a.horizon_days == b.horizon_days
        && a.seed == b.seed
        && a.overrides == b.overrides
        && a.modifiers == b.modifiers
        && range_of_motion(&a.treatments) == range_of_motion(&b.treatments)
        && donor_axons(&b.treatments) >= donor_axons(&a.treatments);
    if !same_setup {
        return None;
    }
    let mut days: Vec<i64> = a
        .treatments
        .iter()
        .chain(&b.treatments)
        .map(first_effect_day)
        .collect();
    days.sort_unstable();
    days.dedup();
    for f in days {
        let acted = |ts: &'_ [Treatment]| {
            ts.iter()
                .filter(move |t| first_effect_day(t) <= f)
                .cloned()
                .collect::<Vec<_>>()
        };
        if acted(&a.treatments) != acted(&b.treatments) {
            return u32::try_from(f - 1).ok();
        }
    }
    Some(a.horizon_days)
}

impl Simulation {
    /// Builds the healthy muscle of the scenario at day 0.
    ///
    /// `params` must be for the scenario's species; the scenario's overrides are
    /// applied on a copy.
    pub fn new(
        scenario: &Scenario,
        params: &Parameters,
        resolution: Resolution,
    ) -> Result<Simulation, TwinError> {
        if scenario.species != params.species() {
            return Err(TwinError::SpeciesMismatch {
                scenario: scenario.species.to_string(),
                parameters: params.species().to_string(),
            });
        }
        // Copy the parameters only when the scenario overrides some (cohorts build
        // thousands of simulations).
        let overridden;
        let params: &Parameters = if scenario.overrides.is_empty() {
            params
        } else {
            let mut p = params.clone();
            p.apply_overrides(&scenario.overrides)?;
            overridden = p;
            &overridden
        };
        let spec = params.muscle(&scenario.muscle)?.clone();
        let mut coef = params.coef.clone();
        if let Some(g) = &scenario.against_gravity {
            g.apply(&mut coef);
        }
        let donors = donor_axons(&scenario.treatments);
        let (units, fibres, muscle) =
            crate::motor_unit::build(&spec, &coef, scenario.seed, resolution, donors);
        let native_units = spec.motor_units.max(1) as usize;
        let lesion = scenario
            .injury
            .as_ref()
            .map(|i| i.distance_mm.0)
            .unwrap_or(0.0);
        let fibrillation_delay =
            (coef.fibrillation_onset_days + coef.fibrillation_onset_per_mm * lesion) as f32;
        let mut speed_modifier = 1.0;
        let mut synthesis_modifier = 1.0;
        if scenario.modifiers.diabetes {
            speed_modifier *= coef.diabetes_speed_factor;
        }
        if scenario.modifiers.smoking {
            speed_modifier *= coef.smoking_speed_factor;
        }
        if scenario.modifiers.protein_supplement {
            synthesis_modifier *= coef.protein_synthesis_factor;
        }
        let n_units = units.len();
        let rom = range_of_motion(&scenario.treatments);
        let ep_tau = coef.end_plate_tau_days
            * if rom {
                coef.range_of_motion_end_plate_factor
            } else {
                1.0
            };
        let end_plate = crate::end_plate::EndPlateDay::new(
            &coef,
            ep_tau,
            scenario.horizon_days,
            resolution == Resolution::Fibre,
        );
        let mut fibres = fibres;
        if resolution == Resolution::Fibre {
            let n = fibres.len();
            fibres.receptive_until = (0..n)
                .map(|i| {
                    let u = crate::rng::uniform(
                        scenario.seed,
                        crate::rng::Stream::Capture,
                        i as u64,
                        u64::MAX,
                    );
                    crate::end_plate::loss_day(&coef, ep_tau, u) as f32
                })
                .collect();
            fibres.death_threshold = (0..n)
                .map(|i| {
                    let u = crate::rng::uniform(
                        scenario.seed,
                        crate::rng::Stream::FibreDeath,
                        i as u64,
                        0,
                    );
                    -(1.0 - u).ln() as f32
                })
                .collect();
        }
        let mut core = Core {
            coef,
            resolution,
            stepper: Stepper::default(),
            seed: scenario.seed,
            day: 0,
            units,
            fibres,
            muscle,
            injury: scenario.injury.clone(),
            treatments: scenario.treatments.clone(),
            age_years: scenario.age_years,
            speed_modifier,
            synthesis_modifier,
            native_units,
            fibrillation_delay,
            reinnervated_row: vec![usize::MAX; n_units],
            today: Today::default(),
            drives: Drives {
                unit_synthesis: vec![1.0; n_units],
                stim_mass: 0.0,
                stim_force: 0.0,
            },
            captured_by_regrowth_today: 0.0,
            events: Events::default(),
            pending_repair: None,
            end_plate,
            sums: [0.0; SUMS],
            fibres_changed: false,
            captured_today: false,
            breakdown: crate::atrophy::breakdown_table(&params.coef, scenario.horizon_days),
            tables: Default::default(),
            last: Quantities::default(),
            scratch: Scratch {
                partial: Vec::new(),
                eligible: Vec::with_capacity(n_units),
                spare: Vec::with_capacity(n_units),
                cum: Vec::with_capacity(n_units),
                grid: Default::default(),
                quiet_denervated: Vec::new(),
                quiet_relaxing: Default::default(),
            },
            cache: DayCache {
                neural_rate: 1.0 - (-1.0 / params.coef.disuse_neural_tau_days).exp(),
                stim: None,
                fibrosis: None,
            },
            mrc_fell_below: [false; 2],
            lazy: None,
        };
        // Day 0 is the healthy state; an injury on day 0 acts in the first step.
        core.recount_units();
        core.day_zero();
        Ok(Simulation {
            core,
            spec,
            scenario: scenario.clone(),
        })
    }

    /// A copy of this simulation continued as `scenario` from today: the same state, with
    /// `scenario`'s treatments from tomorrow on (and its extra donor axons, inert until their
    /// transfer, appended). Stepping the copy gives exactly the numbers a fresh simulation of
    /// `scenario` gives from tomorrow on (plans that share their past simulate it once).
    ///
    /// An error when `scenario` would have gone differently by today ([`shared_days`] is
    /// earlier than [`Simulation::day`]), or when it adds donor axons at fibre resolution.
    pub fn branch(&self, scenario: &Scenario) -> Result<Simulation, TwinError> {
        let refuse = |expected: &str| TwinError::Invalid {
            field: "treatments".into(),
            value: format!("a branch on day {}", self.core.day),
            expected: expected.into(),
        };
        match shared_days(&self.scenario, scenario) {
            Some(d) if d >= self.core.day => {}
            _ => {
                return Err(refuse(
                    "a scenario that differs from the simulated one only in treatments acting after that day",
                ));
            }
        }
        let mut sim = self.clone();
        let have = sim.core.units.len() - sim.core.native_units;
        let want = donor_axons(&scenario.treatments) as usize;
        if want > have {
            if sim.core.resolution != Resolution::Pooled {
                return Err(refuse("no added donor axons at fibre resolution"));
            }
            // The set-up's unit table with the new donors: its donor rows are what a fresh
            // simulation of `scenario` holds until the transfer (they do not change before).
            let (units, _, _) = crate::motor_unit::build(
                &self.spec,
                &sim.core.coef,
                scenario.seed,
                Resolution::Pooled,
                want as u32,
            );
            let from = sim.core.native_units + have;
            sim.core.units.append_from(&units, from..units.len());
            let n = sim.core.units.len();
            sim.core.reinnervated_row.resize(n, usize::MAX);
            sim.core.drives.unit_synthesis.resize(n, 1.0);
        }
        sim.core.treatments = scenario.treatments.clone();
        sim.scenario = scenario.clone();
        Ok(sim)
    }

    /// Advances one day (see the module documentation for the order).
    pub fn step(&mut self) {
        self.core.advance_day(true);
    }

    /// Advances to day `day` (nothing when it is today or past): the same states and events
    /// as calling [`Simulation::step`] until then, bit for bit, but [`Simulation::quantities`]
    /// is computed for `day` only. With [`Stepper::Event`] at pooled resolution, the days in
    /// between are not summed (their quantities are never read; the grades the event days
    /// depend on are summed alone, and only while an event is still to come) and stretches
    /// of quiet days are advanced together ([`Core::quiet_days`]): every row at a fixed point
    /// of its daily map is left alone, the rest and the few units that still change are
    /// advanced by their daily functions.
    pub fn step_to(&mut self, day: u32) {
        let c = &mut self.core;
        if c.stepper == Stepper::Day || c.resolution != Resolution::Pooled {
            while c.day < day {
                c.advance_day(true);
            }
            return;
        }
        while c.day < day {
            let n = c.quiet_days(day - c.day);
            let full = c.day + n.max(1) == day;
            if n >= 2 {
                c.jump(n, full);
            } else {
                c.advance_day(full);
            }
        }
    }

    /// How many of the next days, up to `max`, [`Simulation::step_to`] advances together as
    /// a quiet stretch (0 when none, or with [`Stepper::Day`], or at fibre resolution).
    pub fn quiet_days_ahead(&self, max: u32) -> u32 {
        self.core.quiet_days(max)
    }

    /// How the row table is advanced from the next step on ([`Stepper::Event`] unless set).
    pub fn stepper(&self) -> Stepper {
        self.core.stepper
    }

    /// Chooses how the row table is advanced from the next step on ([`Stepper::Day`] is the
    /// reference the event-driven bookkeeping is tested against).
    pub fn set_stepper(&mut self, stepper: Stepper) {
        let changed = self.core.stepper != stepper;
        self.core.stepper = stepper;
        if changed && self.core.day == 0 {
            // Day 0 summed as the chosen stepper sums every later day.
            self.core.day_zero();
        }
    }

    /// The same simulation advanced by `stepper` (builder form of [`Simulation::set_stepper`]).
    pub fn with_stepper(mut self, stepper: Stepper) -> Simulation {
        self.set_stepper(stepper);
        self
    }

    /// Days simulated so far (0 = the healthy muscle before anything happens).
    pub fn day(&self) -> u32 {
        self.core.day
    }

    /// Today's quantities, derived from the state (computed once per step).
    pub fn quantities(&self) -> Quantities {
        self.core.last
    }

    /// Event days so far.
    pub fn events(&self) -> Events {
        self.core.events
    }

    /// Runs to `horizon_days`, recording every day's quantities (day 0 included).
    pub fn run(mut self, horizon_days: u32) -> TimeCourse {
        let mut days = Vec::with_capacity(horizon_days as usize + 1);
        days.push(self.quantities());
        while self.core.day < horizon_days {
            self.step();
            days.push(self.quantities());
        }
        TimeCourse {
            days,
            events: self.core.events,
        }
    }

    // ------------------------------------------------------------ read access

    /// The resolution.
    pub fn resolution(&self) -> Resolution {
        self.core.resolution
    }

    /// The muscle's specification (fibre and unit counts, type mix, fibre size).
    pub fn muscle_spec(&self) -> &MuscleSpec {
        &self.spec
    }

    /// The fibre table: at fibre resolution one row per fibre with positions; at
    /// pooled resolution one row per (unit, state) group and no positions.
    pub fn fibres(&self) -> FibreView<'_> {
        let f = &self.core.fibres;
        // With lazy fibres the sizes and days denervated are materialised when read.
        let (size, denervated_days) = match &self.core.lazy {
            Some(l) => {
                let v = l.view(f);
                (&v.size[..], &v.denervated_days[..])
            }
            None => (&f.size[..], &f.denervated_days[..]),
        };
        FibreView {
            count: &f.count,
            x_um: &f.x,
            y_um: &f.y,
            base_csa_um2: &f.base_csa,
            size,
            fibre_type: &f.ftype,
            unit: &f.unit,
            origin_unit: &f.origin,
            state: &f.state,
            denervated_days,
            reinnervated_day: &f.reinnervated_day,
        }
    }

    /// The motor-unit table (native axons first, then donor axons).
    pub fn motor_units(&self) -> MotorUnitView<'_> {
        let u = &self.core.units;
        MotorUnitView {
            axon: &u.axon,
            fibre_type: &u.ftype,
            fibres: &u.fibres,
            native_size: &u.native_size,
            conduction: &u.conduction,
            reconnected_day: &u.reconnected_day,
            donor: &u.donor,
            centre_x_um: &u.cx,
            centre_y_um: &u.cy,
            day: self.core.day,
            maturation_days: self.core.coef.maturation_days as f32,
            native_units: self.core.native_units,
        }
    }

    /// Radius of the muscle cross-section, µm.
    pub fn muscle_radius_um(&self) -> f64 {
        self.core.muscle.radius_um
    }

    /// Share of the muscle volume that is fat or connective tissue.
    pub fn fat_fibrous_fraction(&self) -> f64 {
        self.core.last.fat_fibrous_fraction
    }

    /// Distance from the lesion to the motor entry point, mm (`None` without injury).
    pub fn lesion_distance_mm(&self) -> Option<f64> {
        self.core.injury.as_ref().map(|i| i.distance_mm.0)
    }

    /// Day of injury (`None` without injury).
    pub fn injury_day(&self) -> Option<f64> {
        self.core.injury.as_ref().map(|i| i.day.0)
    }

    /// Fibrillation delay after a fibre loses its axon, days (depends on the lesion distance).
    pub fn fibrillation_delay_days(&self) -> f64 {
        self.core.fibrillation_delay as f64
    }

    /// Parameter coefficients in use (after overrides).
    pub fn coefficients(&self) -> &Coefficients {
        &self.core.coef
    }
}

/// Read-only struct-of-arrays view of the fibre table (same length slices, except
/// `x_um`/`y_um`, which are empty at pooled resolution).
#[derive(Debug, Clone, Copy)]
pub struct FibreView<'a> {
    /// Fibres each row stands for (1 at fibre resolution).
    pub count: &'a [f32],
    /// Centre x, µm.
    pub x_um: &'a [f32],
    /// Centre y, µm.
    pub y_um: &'a [f32],
    /// Healthy cross-sectional area, µm².
    pub base_csa_um2: &'a [f32],
    /// Current size relative to healthy (CSA = base × size).
    pub size: &'a [f32],
    /// Fibre type.
    pub fibre_type: &'a [FibreType],
    /// Current motor unit or [`NO_UNIT`].
    pub unit: &'a [u32],
    /// Last unit that innervated the fibre.
    pub origin_unit: &'a [u32],
    /// State (innervated, reinnervated, denervated, dead).
    pub state: &'a [FibreState],
    /// Days since the fibre lost its axon (0 while innervated).
    pub denervated_days: &'a [f32],
    /// Day of the last reinnervation (negative if never).
    pub reinnervated_day: &'a [f32],
}

impl FibreView<'_> {
    /// Current cross-sectional area of row `i`, µm².
    pub fn csa_um2(&self, i: usize) -> f32 {
        self.base_csa_um2[i] * self.size[i]
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.count.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.count.is_empty()
    }
}

/// Read-only view of the motor-unit table.
#[derive(Debug, Clone, Copy)]
pub struct MotorUnitView<'a> {
    /// Axon state (intact, blocked, degenerating, absent, regrowing, reconnected, lost, donor).
    pub axon: &'a [AxonState],
    /// Fibre type of the unit.
    pub fibre_type: &'a [FibreType],
    /// Innervated fibres now.
    pub fibres: &'a [f32],
    /// Fibres at the start (native units) or the mean unit size (donor axons).
    pub native_size: &'a [f32],
    /// Distal conduction (1 normal, 0 none).
    pub conduction: &'a [f32],
    /// Day the axon reconnected (negative if never).
    pub reconnected_day: &'a [f32],
    /// Whether the axon is a transferred donor axon.
    pub donor: &'a [bool],
    /// Territory centre x, µm.
    pub centre_x_um: &'a [f32],
    /// Territory centre y, µm.
    pub centre_y_um: &'a [f32],
    day: u32,
    maturation_days: f32,
    native_units: usize,
}

impl MotorUnitView<'_> {
    /// Number of units (native + donor).
    pub fn len(&self) -> usize {
        self.axon.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.axon.is_empty()
    }

    /// Number of the muscle's own units (the rest are donor axons).
    pub fn native_units(&self) -> usize {
        self.native_units
    }

    /// Whether unit `u` has a conduction block at the lesion.
    pub fn conduction_block(&self, u: usize) -> bool {
        self.axon[u] == AxonState::Blocked
    }

    /// Days since unit `u` reconnected (`None` if it never did).
    pub fn days_since_reinnervation(&self, u: usize) -> Option<f32> {
        let r = self.reconnected_day[u];
        (r >= 0.0).then_some(self.day as f32 - r)
    }

    /// Whether unit `u` is nascent: reconnected less than the maturation time ago.
    pub fn nascent(&self, u: usize) -> bool {
        self.days_since_reinnervation(u)
            .is_some_and(|d| d < self.maturation_days)
            && self.fibres[u] > 0.0
    }

    /// Whether unit `u` is regenerating (regrowing towards the muscle).
    pub fn regenerating(&self, u: usize) -> bool {
        self.axon[u] == AxonState::Regrowing
    }

    /// Enlargement of unit `u` relative to its native size.
    pub fn enlargement(&self, u: usize) -> f32 {
        self.fibres[u] / self.native_size[u].max(1.0)
    }
}

impl Core {
    /// Event-driven bookkeeping at pooled resolution: denervated rows whose every per-fibre
    /// column is equal (days denervated, size, tension, capacity, receptive share, hazard,
    /// healthy area, type, day of last reinnervation) are merged into the first of them,
    /// their counts added. Every later step applies the same equations to equal columns
    /// and takes the same share of each row's count (capture, death), so one row stands for
    /// them all; only the origin unit of the merged rows (not read at pooled resolution) is
    /// not kept. Rows keep their order; [`Core::reinnervated_row`] is renumbered.
    pub(crate) fn merge_denervated_cohorts(&mut self) {
        if self.resolution != Resolution::Pooled {
            return;
        }
        /// Representatives compared against (distinct cohorts are few: one per day of
        /// denervation); beyond this many a row is kept as it is.
        const MAX_COHORTS: usize = 64;
        let f = &mut self.fibres;
        let n = f.len();
        let same = |f: &Fibres, a: usize, b: usize| {
            f.denervated_days[a].to_bits() == f.denervated_days[b].to_bits()
                && f.size[a].to_bits() == f.size[b].to_bits()
                && f.tension[a].to_bits() == f.tension[b].to_bits()
                && f.capacity[a].to_bits() == f.capacity[b].to_bits()
                && f.receptive[a].to_bits() == f.receptive[b].to_bits()
                && f.hazard[a].to_bits() == f.hazard[b].to_bits()
                && f.base_csa[a].to_bits() == f.base_csa[b].to_bits()
                && f.reinnervated_day[a].to_bits() == f.reinnervated_day[b].to_bits()
                && f.ftype[a] == f.ftype[b]
        };
        let mut reps: Vec<usize> = Vec::new();
        // Where each row goes: itself, or the representative it is merged into.
        let mut into: Vec<usize> = (0..n).collect();
        let mut merged = false;
        // A unit cut again after it reinnervated fibres still names its (now denervated)
        // reinnervated row, into which a later capture of the unit merges: such rows stay.
        let mut named = vec![false; n];
        for &r in &self.reinnervated_row {
            if r < n {
                named[r] = true;
            }
        }
        for i in 0..n {
            if f.state[i] != FibreState::Denervated || named[i] {
                continue;
            }
            match reps.iter().find(|&&r| same(f, r, i)) {
                Some(&r) => {
                    f.count[r] += f.count[i];
                    into[i] = r;
                    merged = true;
                }
                None if reps.len() < MAX_COHORTS => reps.push(i),
                None => {}
            }
        }
        if !merged {
            return;
        }
        // New index of every kept row.
        let mut new_index = vec![usize::MAX; n];
        let mut k = 0;
        for i in 0..n {
            if into[i] == i {
                new_index[i] = k;
                k += 1;
            }
        }
        fn keep<T: Copy>(col: &mut Vec<T>, into: &[usize]) {
            if col.len() != into.len() {
                return; // a fibre-resolution-only column (empty here)
            }
            let mut k = 0;
            for i in 0..into.len() {
                if into[i] == i {
                    col[k] = col[i];
                    k += 1;
                }
            }
            col.truncate(k);
        }
        keep(&mut f.count, &into);
        keep(&mut f.x, &into);
        keep(&mut f.y, &into);
        keep(&mut f.base_csa, &into);
        keep(&mut f.size, &into);
        keep(&mut f.tension, &into);
        keep(&mut f.capacity, &into);
        keep(&mut f.denervated_days, &into);
        keep(&mut f.hazard, &into);
        keep(&mut f.receptive, &into);
        keep(&mut f.receptive_until, &into);
        keep(&mut f.death_threshold, &into);
        keep(&mut f.ftype, &into);
        keep(&mut f.unit, &into);
        keep(&mut f.origin, &into);
        keep(&mut f.state, &into);
        keep(&mut f.reinnervated_day, &into);
        for r in self.reinnervated_row.iter_mut() {
            if *r < n {
                // Rows named here are never merged away.
                *r = new_index[*r];
            }
        }
    }

    /// One day (see the module documentation for the order). With `full`, the day's sums and
    /// quantities are computed; otherwise only what a later day reads: the receptive-orphan
    /// sums capture starts from, and the grades of the event days still to come.
    pub(crate) fn advance_day(&mut self, full: bool) {
        let c = self;
        c.day += 1;
        crate::treatment::step(c);
        crate::repair::step(c);
        crate::lesion::step(c);
        // The unit mechanisms below change only units in their own states: with the event
        // stepper, a mechanism none of whose units exist today is not called (a no-op).
        let all = c.stepper == Stepper::Day;
        let census = if all { [1; 4] } else { c.unit_census() };
        if census[0] > 0 {
            crate::conduction::step(c);
        }
        if census[1] > 0 {
            crate::wallerian::step(c);
        }
        // Only Wallerian degeneration makes denervated rows; it marks the day's change.
        if c.fibres_changed && !all {
            c.merge_denervated_cohorts();
        }
        // Degeneration may launch regrowth, and regrowth reconnect (maturity starts at 0).
        if census[2] > 0 || census[1] > 0 {
            crate::regrowth::step(c);
        }
        if census[3] > 0 || census[2] > 0 || census[1] > 0 {
            crate::maturation::step(c);
        }
        if c.fibres_changed {
            c.recount_units();
            c.fibres_changed = false;
        }
        crate::reinnervation::step(c);
        crate::sprouting::step(c);
        // Only capture changes owners past the first recount.
        c.captured_today = c.fibres_changed;
        if c.fibres_changed {
            c.recount_units();
            c.fibres_changed = false;
        }
        crate::disuse::step(c);
        crate::stimulation::step(c);
        c.fibre_pass(full);
        if full {
            let q = c.quantities();
            c.update_events(&q);
            c.last = q;
        } else {
            c.light_day();
        }
    }

    /// What a day that is not summed still needs: the receptive-orphan sums (8 and 9, which
    /// the next day's capture reads) and the event grades while an event is to come, each
    /// summed exactly as the full sums are (the same rows, in the same order, in f32 chunks):
    /// the same numbers.
    fn light_day(&mut self) {
        let f = &self.fibres;
        let sprout_onset = self.coef.sprouting_onset_days as f32;
        let delay = self.fibrillation_delay;
        let (mrc_pending, fib_pending) = self.grades_pending();
        let mut s = [0.0f64; SUMS];
        let mut any_denervated = false;
        for start in (0..f.len()).step_by(CHUNK) {
            let mut c = [0.0f32; SUMS];
            for i in start..(start + CHUNK).min(f.len()) {
                let st = f.state[i];
                if st == FibreState::Dead {
                    continue;
                }
                if st == FibreState::Denervated {
                    any_denervated = true;
                    let n = f.count[i];
                    if f.denervated_days[i] >= delay {
                        c[7] += n;
                    }
                    c[8] += n * f.receptive[i];
                    if f.denervated_days[i] >= sprout_onset {
                        c[9] += n * f.receptive[i];
                    }
                } else if mrc_pending && f.unit[i] != NO_UNIT {
                    c[5] += voluntary_row(
                        f.count[i],
                        f.base_csa[i],
                        f.size[i],
                        f.tension[i],
                        &self.units,
                        f.unit[i] as usize,
                    );
                }
                if fib_pending {
                    c[0] += f.count[i];
                }
            }
            for k in [0, 5, 7, 8, 9] {
                s[k] += c[k] as f64;
            }
        }
        self.sums[8] = s[8];
        self.sums[9] = s[9];
        self.reinnervation_event();
        if mrc_pending || fib_pending {
            let mrc = if mrc_pending { self.mrc_from(s[5]) } else { 0 };
            // Without denervated rows nothing fibrillates (the share is 0).
            let fib = if fib_pending && any_denervated {
                self.fibrillation_from(s[7], s[0])
            } else {
                0
            };
            self.grade_events(mrc, fib);
        }
    }

    /// Units blocked, degenerating, regrowing and maturing (the states the day's conduction,
    /// Wallerian, regrowth and maturation steps change).
    fn unit_census(&self) -> [u32; 4] {
        let u = &self.units;
        let mut n = [0u32; 4];
        for k in 0..u.len() {
            match u.axon[k] {
                AxonState::Blocked => n[0] += 1,
                AxonState::Degenerating => n[1] += 1,
                AxonState::Regrowing => n[2] += 1,
                AxonState::Reconnected if u.maturity[k] != 1.0 => n[3] += 1,
                _ => {}
            }
        }
        n
    }

    /// Whether the MRC events and the first fibrillation are still to come.
    fn grades_pending(&self) -> (bool, bool) {
        (
            self.events.mrc_3_day.is_none() || self.events.mrc_5_day.is_none(),
            self.events.first_fibrillation_day.is_none(),
        )
    }

    /// How many of the next days, up to `max`, are quiet: the same treatments apply on each
    /// with the same drives, no axon changes state (no injury, repair, block resolution,
    /// degeneration or arrival), and capture cannot take a fibre (no adopter with spare
    /// capacity, or no receptive orphan). On such days every mechanism but the rows' own
    /// daily maps, the regrowing fronts, maturation and the neural drive leaves the state
    /// as it is. 0 when fewer than two (or not at pooled resolution with the event stepper).
    pub(crate) fn quiet_days(&self, max: u32) -> u32 {
        if max < 2
            || self.resolution != Resolution::Pooled
            || self.stepper != Stepper::Event
            || self.fibres.len() > CHUNK
            || self.fibres_changed
            || self.captured_today
        {
            return 0;
        }
        let d0 = self.day;
        let mut last = d0 as u64 + max as u64;
        let u = &self.units;
        let cap = self.coef.sprouting_cap as f32;
        let (mut spare_regrown, mut spare_sprouting) = (0.0f64, 0.0f64);
        for k in 0..u.len() {
            let spare = || (cap * u.native_size[k] - u.fibres[k]).max(0.0) as f64;
            match u.axon[k] {
                AxonState::Degenerating => return 0,
                AxonState::Blocked => {
                    spare_sprouting += spare();
                    // It resolves on the first step day `d` with `d >= block_until`.
                    let resolves = (u.block_until[k] as f64).ceil().max(0.0) as u64;
                    last = last.min(resolves.saturating_sub(1));
                }
                AxonState::Intact => spare_sprouting += spare(),
                AxonState::Reconnected => spare_regrown += spare(),
                AxonState::Regrowing => {
                    last = last.min(crate::regrowth::surely_away_until(self, k, d0) as u64);
                }
                _ => {}
            }
            if last < d0 as u64 + 2 {
                return 0;
            }
        }
        if spare_regrown >= 1e-6 || spare_sprouting >= 1e-6 {
            let f = &self.fibres;
            let mut orphans = 0.0f64;
            for i in 0..f.len() {
                if f.state[i] == FibreState::Denervated {
                    orphans += (f.count[i] * f.receptive[i]) as f64;
                }
            }
            if orphans >= 1e-6 {
                return 0;
            }
        }
        // The schedule and the drives: as today's on every day; no injury, no repair.
        let levels = crate::disuse::levels(self, d0, &self.today);
        let injury = self.injury.as_ref().map(|i| i.day.0);
        let acts_on = |r: f64, d: f64| d - 1.0 <= r && r < d;
        let mut d = d0 as u64 + 1;
        while d <= last {
            let t = crate::treatment::at(self, d as u32);
            let df = d as f64;
            let same = t.contractions == self.today.contractions
                && t.range_of_motion == self.today.range_of_motion
                && t.resistance == self.today.resistance
                && t.disuse.map(|x| x.0) == self.today.disuse.map(|x| x.0)
                && crate::disuse::levels(self, d as u32, &t) == levels;
            let event = injury.is_some_and(|i| acts_on(i, df))
                || self.treatments.iter().any(|tr| {
                    matches!(tr, crate::scenario::Treatment::Repair { day, .. } if acts_on(day.0, df))
                });
            if !same || event {
                break;
            }
            d += 1;
        }
        let n = (d - 1).saturating_sub(d0 as u64);
        if n < 2 { 0 } else { n as u32 }
    }

    /// Advances `n` quiet days ([`Core::quiet_days`]) at once; with `full`, the last day is
    /// summed. The same states and events as `n` calls of [`Core::advance_day`], bit for bit:
    /// each thing that changes is changed by its own daily function, in the same order
    /// within each day; only what the quiet days leave unchanged is not visited.
    #[inline(never)]
    pub(crate) fn jump(&mut self, n: u32, full: bool) {
        debug_assert!(n >= 1);
        let units = self.units.len();
        let regrowing: Vec<usize> = (0..units)
            .filter(|&u| self.units.axon[u] == AxonState::Regrowing)
            .collect();
        let maturing: Vec<usize> = (0..units)
            .filter(|&u| crate::maturation::maturing(self, u))
            .collect();
        let neural_target = crate::disuse::neural_target(self);
        // Rows the quiet days change: denervated rows, advanced by the per-row day, and
        // innervated rows not at a fixed point of their daily map, gathered into contiguous
        // columns (the day's constants do not change over quiet days).
        let mut denervated = std::mem::take(&mut self.scratch.quiet_denervated);
        let mut relaxing = std::mem::take(&mut self.scratch.quiet_relaxing);
        denervated.clear();
        relaxing.clear();
        let decays = {
            let rd = row_day_of!(self, false);
            let f = &self.fibres;
            for i in 0..f.len() {
                match f.state[i] {
                    FibreState::Dead => {}
                    FibreState::Denervated => denervated.push(i),
                    _ => {
                        let (size, tension, capacity, unit) =
                            (f.size[i], f.tension[i], f.capacity[i], f.unit[i]);
                        if !rd.innervated_fixed(size, tension, capacity, unit) {
                            let target = rd.at.innervated_target(capacity, rd.drive_of(unit));
                            relaxing.push(i, size, tension, target);
                        }
                    }
                }
            }
            rd.at.innervated_decays()
        };
        let fat_share = self.coef.fat_replacement_fraction;
        // A proof that the MRC grade cannot change over the next days (`crate::quiet`), tried
        // while an MRC event is still to come and the fibrillation one is not; `window` is how
        // many days the next try covers (halved after a failed try, doubled after a success).
        let mut certificate: Option<crate::quiet::Certificate> = None;
        let mut window = n;
        let mut next_try = 1;
        for k in 1..=n {
            let last = k == n;
            let pending = self.grades_pending();
            let certifiable = !last && pending.0 && !pending.1;
            if certifiable && certificate.is_none() && k >= next_try {
                let days = window.min(n - k);
                certificate = crate::quiet::Certificate::try_new(
                    self,
                    &relaxing,
                    &maturing,
                    neural_target,
                    decays,
                    days,
                );
                if certificate.is_some() {
                    window = window.saturating_mul(2);
                } else {
                    next_try = k + window.min(8);
                    window = (window / 2).max(8);
                }
            }
            self.day += 1;
            let day = self.day as f32;
            crate::treatment::step(self);
            for &u in &regrowing {
                crate::regrowth::grow(self, u, day);
            }
            for &u in &maturing {
                crate::maturation::mature(self, u, day);
            }
            // Nothing captures (no spare capacity or no receptive orphan).
            self.captured_by_regrowth_today = 0.0;
            self.captured_today = false;
            crate::disuse::relax_neural_drive(self, neural_target);
            relaxing.advance(decays.0, decays.1);
            let rd = row_day_of!(self, false);
            let f = &mut self.fibres;
            let (mut fat, mut dead_n) = (0.0f64, 0.0f64);
            for &i in &denervated {
                let died = rd.advance(
                    RowMut {
                        size: &mut f.size[i],
                        tension: &mut f.tension[i],
                        capacity: &mut f.capacity[i],
                        denervated_days: &mut f.denervated_days[i],
                        hazard: &mut f.hazard[i],
                        receptive: &mut f.receptive[i],
                        state: &mut f.state[i],
                        count: &mut f.count[i],
                    },
                    f32::INFINITY,
                    f32::INFINITY,
                    f.unit[i],
                );
                if died > 0.0 {
                    fat += died as f64 * f.base_csa[i] as f64 * f.size[i] as f64;
                    dead_n += died as f64;
                }
            }
            self.muscle.fat += fat * fat_share;
            self.muscle.dead_fibres += dead_n;
            let certified = match &certificate {
                Some(cert) if certifiable => {
                    if cert.holds(self, &relaxing) {
                        Some(cert.grade)
                    } else {
                        certificate = None;
                        None
                    }
                }
                _ => None,
            };
            if certificate.as_ref().is_some_and(|c| self.day >= c.last) {
                certificate = None;
            }
            if let Some(grade) = certified {
                // The day's grade is proven (no sums needed); the fibrillation event has
                // happened, and nothing reconnects (no reinnervation event).
                self.grade_events(grade, 0);
            } else if last && full {
                relaxing.scatter(&mut self.fibres.size, &mut self.fibres.tension);
                self.sums = self.scan();
                let q = self.quantities();
                self.update_events(&q);
                self.last = q;
            } else if last || pending != (false, false) {
                relaxing.scatter(&mut self.fibres.size, &mut self.fibres.tension);
                self.light_day();
            }
            // Otherwise the day needs no sums at all: no grade event is still to come, no axon
            // reconnects (so no reinnervation event), and the receptive-orphan sums are read
            // by capture only, which the stretch's last day gets them for.
        }
        relaxing.scatter(&mut self.fibres.size, &mut self.fibres.tension);
        self.scratch.quiet_denervated = denervated;
        self.scratch.quiet_relaxing = relaxing;
    }

    /// The healthy muscle's sums on day 0, by the same summation as every later day (the
    /// fibre table's f32 chunks, or at fibre resolution with [`Stepper::Event`] the lazy
    /// fibres' trajectories, made here), so rounding cannot put the day-0 mass fraction above 1.
    fn day_zero(&mut self) {
        self.lazy = (self.resolution == Resolution::Fibre && self.stepper == Stepper::Event)
            .then(|| Box::new(crate::lazy_fibres::LazyFibres::new(&self.fibres)));
        self.sums = match &self.lazy {
            Some(l) => l.sums(
                &self.units,
                self.fibrillation_delay,
                self.coef.sprouting_onset_days as f32,
            ),
            None => self.scan(),
        };
        self.muscle.healthy_contractile = self.sums[1];
        self.last = self.quantities();
    }

    /// Recounts each unit's innervated fibres.
    pub(crate) fn recount_units(&mut self) {
        if let Some(l) = self.lazy.as_mut() {
            // The same counts (whole fibres: exact in any order) from the trajectories.
            l.recount(&self.fibres, &mut self.units.fibres);
            return;
        }
        let u = &mut self.units;
        u.fibres.iter_mut().for_each(|f| *f = 0.0);
        let f = &self.fibres;
        for i in 0..f.len() {
            let unit = f.unit[i];
            if unit != NO_UNIT && f.state[i].is_innervated() {
                u.fibres[unit as usize] += f.count[i];
            }
        }
    }

    /// Sums the fibre table without changing it (day 0, and after set-up).
    pub(crate) fn scan(&self) -> [f64; SUMS] {
        let f = &self.fibres;
        let mut s = [0.0f64; SUMS];
        for start in (0..f.len()).step_by(CHUNK) {
            let mut c = [0.0f32; SUMS];
            for i in start..(start + CHUNK).min(f.len()) {
                accumulate(
                    &mut c,
                    f,
                    &self.units,
                    self.fibrillation_delay,
                    self.coef.sprouting_onset_days as f32,
                    i,
                );
            }
            for k in 0..SUMS {
                s[k] += c[k] as f64;
            }
        }
        s
    }

    /// The daily fused pass: end plate, atrophy, fibrosis per fibre, then (when `sum`) the
    /// sums the quantities are made of.
    pub(crate) fn fibre_pass(&mut self, sum: bool) {
        let fibre_res = self.resolution == Resolution::Fibre;
        if fibre_res && self.stepper == Stepper::Event {
            self.lazy_fibre_pass();
            return;
        }
        if let Some(l) = self.lazy.take() {
            // Back to the day stepper: the fibre table takes the lazy columns.
            l.materialise_into(&mut self.fibres);
        }
        let rd = row_day_of!(self, fibre_res);
        let units = &self.units;
        let delay = self.fibrillation_delay;
        let sprout_onset = self.coef.sprouting_onset_days as f32;
        let fat_share = self.coef.fat_replacement_fraction;
        let f = &mut self.fibres;
        let n = f.len();
        let nchunks = n.div_ceil(CHUNK);
        // Fibre-resolution-only columns are empty at pooled resolution.
        let until_all: &[f32] = &f.receptive_until;
        let thr_all: &[f32] = &f.death_threshold;
        let unit_col: &[u32] = &f.unit;
        let base_col: &[f32] = &f.base_csa;
        // One chunk of rows: advance each row a day and sum it. Chunk sums in f32
        // (16,384 rows), totals in f64, reduced in chunk order: the same numbers
        // whether chunks run in parallel or one after another.
        let kernel = |ci: usize, cols: ChunkCols<'_>| {
            let (size, tension, capacity, dd, hazard, receptive, state, count) = cols;
            let off = ci * CHUNK;
            let mut s = [0.0f32; SUMS];
            let mut fat = 0.0f64;
            let mut dead_n = 0.0f64;
            for j in 0..size.len() {
                let i = off + j;
                let until = if fibre_res {
                    until_all[i]
                } else {
                    f32::INFINITY
                };
                let thr = if fibre_res { thr_all[i] } else { f32::INFINITY };
                let died = rd.advance(
                    RowMut {
                        size: &mut size[j],
                        tension: &mut tension[j],
                        capacity: &mut capacity[j],
                        denervated_days: &mut dd[j],
                        hazard: &mut hazard[j],
                        receptive: &mut receptive[j],
                        state: &mut state[j],
                        count: &mut count[j],
                    },
                    until,
                    thr,
                    unit_col[i],
                );
                if died > 0.0 {
                    fat += died as f64 * base_col[i] as f64 * size[j] as f64;
                    dead_n += died as f64;
                }
                if sum {
                    accumulate_row(
                        &mut s,
                        state[j],
                        count[j],
                        base_col[i],
                        size[j],
                        tension[j],
                        dd[j],
                        receptive[j],
                        sprout_onset,
                        unit_col[i],
                        units,
                        delay,
                    );
                }
            }
            (s, fat, dead_n)
        };
        let mut s = [0.0f64; SUMS];
        if !fibre_res || nchunks <= 1 {
            // Pooled resolution (a few hundred rows) or a small muscle: one thread,
            // no parallel-iterator overhead; a cohort parallelises across draws.
            for ci in 0..nchunks {
                let r = ci * CHUNK..((ci + 1) * CHUNK).min(n);
                let (p, fat, dead) = kernel(
                    ci,
                    (
                        &mut f.size[r.clone()],
                        &mut f.tension[r.clone()],
                        &mut f.capacity[r.clone()],
                        &mut f.denervated_days[r.clone()],
                        &mut f.hazard[r.clone()],
                        &mut f.receptive[r.clone()],
                        &mut f.state[r.clone()],
                        &mut f.count[r],
                    ),
                );
                for k in 0..SUMS {
                    s[k] += p[k] as f64;
                }
                self.muscle.fat += fat * fat_share;
                self.muscle.dead_fibres += dead;
            }
        } else {
            let partial = &mut self.scratch.partial;
            (
                f.size.par_chunks_mut(CHUNK),
                f.tension.par_chunks_mut(CHUNK),
                f.capacity.par_chunks_mut(CHUNK),
                f.denervated_days.par_chunks_mut(CHUNK),
                f.hazard.par_chunks_mut(CHUNK),
                f.receptive.par_chunks_mut(CHUNK),
                f.state.par_chunks_mut(CHUNK),
                f.count.par_chunks_mut(CHUNK),
            )
                .into_par_iter()
                .enumerate()
                .map(|(ci, cols)| kernel(ci, cols))
                .collect_into_vec(partial);
            debug_assert_eq!(partial.len(), nchunks);
            for (p, fat, dead) in partial.iter() {
                for k in 0..SUMS {
                    s[k] += p[k] as f64;
                }
                self.muscle.fat += fat * fat_share;
                self.muscle.dead_fibres += dead;
            }
        }
        if sum {
            self.sums = s;
        }
    }

    /// The daily pass at fibre resolution with [`Stepper::Event`]: the lazy fibre bookkeeping
    /// ([`crate::lazy_fibres`]) advances each trajectory by the same per-row day and sums.
    fn lazy_fibre_pass(&mut self) {
        let lazy = self
            .lazy
            .get_or_insert_with(|| Box::new(crate::lazy_fibres::LazyFibres::new(&self.fibres)));
        let rd = row_day_of!(self, true);
        let (s, fat, dead) = lazy.pass(
            &rd,
            &mut self.fibres,
            &self.units,
            self.fibrillation_delay,
            self.coef.sprouting_onset_days as f32,
        );
        self.sums = s;
        self.muscle.fat += fat * self.coef.fat_replacement_fraction;
        self.muscle.dead_fibres += dead;
    }

    /// Today's quantities from the sums of the last pass and the unit table.
    pub(crate) fn quantities(&self) -> Quantities {
        let units = &self.units;
        let m = &self.muscle;
        let coef = &self.coef;
        let s = self.sums;
        let healthy_total = m.healthy_contractile + m.extracellular;
        let fat_fibrous = m.extracellular + m.fat;
        let total = s[1] + fat_fibrous;
        let alive = s[0];
        let mut mu_count = 0.0;
        let mut mu_fibres = 0.0;
        let mut connected = 0.0;
        let mut blocked = 0.0;
        let mut nascent = 0.0;
        let mut voluntary_units = 0.0;
        let mut native_functional = 0.0;
        let mut regenerated = 0.0;
        let mut oldest_reconnection: f64 = 0.0;
        let min_fibres = self.min_unit_fibres();
        for u in 0..units.len() {
            if units.connected(u) && units.fibres[u] >= min_fibres && units.conduction[u] >= 0.5 {
                mu_count += 1.0;
                mu_fibres += units.fibres[u] as f64;
                let r = units.reconnected_day[u];
                if r >= 0.0 && (self.day as f32 - r) < coef.maturation_days as f32 {
                    nascent += 1.0;
                }
                if units.drives(u) {
                    voluntary_units += 1.0;
                }
                if r >= 0.0 {
                    regenerated += 1.0;
                    oldest_reconnection = oldest_reconnection.max(self.day as f64 - r as f64);
                } else {
                    native_functional += 1.0;
                }
            }
            if units.connected(u) {
                connected += 1.0;
                if units.axon[u] == AxonState::Blocked {
                    blocked += 1.0;
                }
            }
        }
        let healthy_mu_size = m.healthy_fibres / m.healthy_units.max(1.0);
        let voluntary = s[5] / m.healthy_contractile * m.neural_drive;
        let fib_grade = self.fibrillation_from(s[7], alive);
        let mrc = mrc_grade(coef, mu_count >= 0.5, voluntary);
        let frac = |x: f64| {
            if x.is_finite() {
                x.clamp(0.0, 1.0)
            } else {
                0.0
            }
        };
        let pos = |x: f64| if x.is_finite() { x.max(0.0) } else { 0.0 };
        Quantities {
            day: self.day,
            muscle_mass_fraction: pos(total / healthy_total),
            muscle_csa_fraction: pos(total / healthy_total),
            fiber_csa_fraction: if alive > 0.0 {
                pos((s[1] / alive) / (m.healthy_contractile / m.healthy_fibres))
            } else {
                0.0
            },
            fiber_diameter_fraction: if alive > 0.0 {
                pos((s[2] / alive) / m.healthy_mean_diameter)
            } else {
                0.0
            },
            fat_fibrous_fraction: frac(fat_fibrous / total.max(f64::MIN_POSITIVE)),
            tetanic_force_fraction: pos(s[3] / m.healthy_contractile),
            nerve_stimulation_force_fraction: pos(s[10] / m.healthy_contractile),
            voluntary_force_fraction: pos(voluntary),
            innervated_fiber_fraction: if alive > 0.0 { frac(s[4] / alive) } else { 0.0 },
            motor_unit_count: mu_count,
            motor_unit_count_fraction: pos(mu_count / m.healthy_units),
            motor_unit_size_fraction: if mu_count > 0.0 {
                pos((mu_fibres / mu_count) / healthy_mu_size)
            } else {
                0.0
            },
            cmap_fraction: pos(s[6] / m.healthy_fibres),
            proximal_cmap_fraction: pos(s[11] / m.healthy_fibres),
            voluntary_unit_count: voluntary_units,
            voluntary_unit_count_fraction: pos(voluntary_units / m.healthy_units),
            native_unit_count_fraction: pos(native_functional / m.healthy_units),
            regenerated_unit_fraction: if mu_count > 0.0 {
                regenerated / mu_count
            } else {
                0.0
            },
            oldest_reconnection_days: oldest_reconnection,
            fibrillation_grade: fib_grade,
            mrc_grade: mrc,
            conduction_block_fraction: if connected > 0.0 {
                blocked / connected
            } else {
                0.0
            },
            nascent_unit_fraction: if mu_count > 0.0 {
                nascent / mu_count
            } else {
                0.0
            },
        }
    }

    /// Fibres a unit needs to count as a motor unit (detection threshold).
    fn min_unit_fibres(&self) -> f32 {
        let m = &self.muscle;
        (self.coef.motor_unit_detection_fraction * m.healthy_fibres / m.healthy_units.max(1.0))
            .max(0.5) as f32
    }

    /// The fibrillation grade from the sums of fibrillating (7) and living (0) fibres.
    fn fibrillation_from(&self, fibrillating: f64, alive: f64) -> u8 {
        let coef = &self.coef;
        let share = if alive > 0.0 {
            fibrillating / alive
        } else {
            0.0
        };
        grade(
            share,
            &[
                coef.fibrillation_grade1,
                coef.fibrillation_grade2,
                coef.fibrillation_grade3,
                coef.fibrillation_grade4,
            ],
        )
    }

    /// The MRC grade from the voluntary-force sum (5), as [`Core::quantities`] gives it.
    fn mrc_from(&self, voluntary_sum: f64) -> u8 {
        self.mrc_with(voluntary_sum, self.muscle.neural_drive)
    }

    /// [`Core::mrc_from`] with the neural drive given (the quiet stretches' grade bounds).
    pub(crate) fn mrc_with(&self, voluntary_sum: f64, neural_drive: f64) -> u8 {
        let m = &self.muscle;
        let voluntary = voluntary_sum / m.healthy_contractile * neural_drive;
        if voluntary <= 0.0 {
            return 0;
        }
        let min_fibres = self.min_unit_fibres();
        let u = &self.units;
        let any = (0..u.len())
            .any(|k| u.connected(k) && u.fibres[k] >= min_fibres && u.conduction[k] >= 0.5);
        mrc_grade(&self.coef, any, voluntary)
    }

    fn update_events(&mut self, q: &Quantities) {
        self.reinnervation_event();
        self.grade_events(q.mrc_grade, q.fibrillation_grade);
    }

    /// The first day fibres were captured by reconnected axons.
    fn reinnervation_event(&mut self) {
        if self.events.first_reinnervation_day.is_none() && self.captured_by_regrowth_today >= 0.5 {
            self.events.first_reinnervation_day = Some(self.day);
        }
    }

    /// The event days read from today's MRC and fibrillation grades.
    fn grade_events(&mut self, mrc_grade: u8, fibrillation_grade: u8) {
        let day = self.day;
        if self.events.first_fibrillation_day.is_none() && fibrillation_grade >= 1 {
            self.events.first_fibrillation_day = Some(day);
        }
        let injury_day = self.injury.as_ref().map(|i| i.day.0).unwrap_or(0.0);
        if (day as f64) < injury_day {
            return;
        }
        for (k, (threshold, slot)) in [(3u8, 0usize), (5u8, 1usize)].into_iter().enumerate() {
            let ev = if k == 0 {
                &mut self.events.mrc_3_day
            } else {
                &mut self.events.mrc_5_day
            };
            if ev.is_some() {
                continue;
            }
            if mrc_grade < threshold {
                self.mrc_fell_below[slot] = true;
            } else if self.mrc_fell_below[slot] {
                *ev = Some(day);
            } else if day as f64 >= injury_day + self.coef.mrc_event_settle_days {
                // Strength did not fall below the threshold within the settling time
                // (`mrc_event_settle_days`, a named assumption in data/params).
                *ev = Some(injury_day.ceil() as u32);
            }
        }
    }
}

/// One chunk of the fibre-pass columns: size, tension, capacity, days denervated,
/// hazard, receptive share, state, count.
type ChunkCols<'a> = (
    &'a mut [f32],
    &'a mut [f32],
    &'a mut [f32],
    &'a mut [f32],
    &'a mut [f32],
    &'a mut [f32],
    &'a mut [FibreState],
    &'a mut [f32],
);

/// Number of sums the daily pass collects.
pub(crate) const SUMS: usize = 12;
pub(crate) const CHUNK: usize = 16_384;

/// Adds row `i` of the fibre table to the sums.
fn accumulate(
    s: &mut [f32; SUMS],
    f: &Fibres,
    units: &MotorUnits,
    delay: f32,
    sprout_onset: f32,
    i: usize,
) {
    accumulate_row(
        s,
        f.state[i],
        f.count[i],
        f.base_csa[i],
        f.size[i],
        f.tension[i],
        f.denervated_days[i],
        f.receptive[i],
        sprout_onset,
        f.unit[i],
        units,
        delay,
    );
}

/// Sums: 0 living fibres, 1 contractile volume, 2 Σ diameters, 3 tetanic force,
/// 4 innervated fibres, 5 voluntary force, 6 CMAP, 7 fibrillating fibres,
/// 8 receptive denervated fibres, 9 of those denervated for at least the
/// sprouting onset, 10 force on nerve stimulation distal to the lesion,
/// 11 CMAP on nerve stimulation proximal to the lesion.
#[allow(clippy::too_many_arguments)]
#[inline]
fn accumulate_row(
    s: &mut [f32; SUMS],
    st: FibreState,
    count: f32,
    base: f32,
    size: f32,
    tension: f32,
    denervated_days: f32,
    receptive: f32,
    sprout_onset: f32,
    unit: u32,
    units: &MotorUnits,
    delay: f32,
) {
    if st == FibreState::Dead {
        return;
    }
    let n = count;
    let area = base * size;
    let vol = n * area;
    s[0] += n;
    s[1] += vol;
    s[2] += n * area.sqrt();
    s[3] += vol * tension;
    if st.is_innervated() && unit != NO_UNIT {
        let u = unit as usize;
        let gate = units.drives(u) as u32 as f32 * units.maturity[u];
        s[4] += n;
        s[5] += voluntary_row(n, base, size, tension, units, u);
        s[6] += n * size.sqrt() * units.conduction[u];
        s[10] += vol * tension * units.conduction[u];
        s[11] += n * size.sqrt() * units.conduction[u] * gate;
    } else if st == FibreState::Denervated {
        if denervated_days >= delay {
            s[7] += n;
        }
        s[8] += n * receptive;
        if denervated_days >= sprout_onset {
            s[9] += n * receptive;
        }
    }
}

/// The constants of one day's row kernel.
#[derive(Clone, Copy)]
pub(crate) struct RowDay<'a> {
    ep: &'a crate::end_plate::EndPlateDay,
    at: crate::atrophy::AtrophyDay<'a>,
    fb: crate::fibrosis::FibrosisDay,
    /// 1 − today's stimulation mass protection.
    keep: f32,
    /// Synthesis drive of each unit's innervated fibres.
    drive: &'a [f32],
    fibre_res: bool,
}

/// The mutable columns of one row.
pub(crate) struct RowMut<'r> {
    pub size: &'r mut f32,
    pub tension: &'r mut f32,
    pub capacity: &'r mut f32,
    pub denervated_days: &'r mut f32,
    pub hazard: &'r mut f32,
    pub receptive: &'r mut f32,
    pub state: &'r mut FibreState,
    pub count: &'r mut f32,
}

/// Today's row-kernel constants, the denervation tables first brought to today's
/// stimulation level and the fibrosis constants taken from the cache while it is unchanged.
#[allow(clippy::too_many_arguments)]
fn row_day<'a>(
    tables: &'a mut crate::atrophy::DenervationTables,
    cache: &mut DayCache,
    coef: &Coefficients,
    breakdown: &[f32],
    drives: &'a Drives,
    synthesis_modifier: f64,
    end_plate: &'a crate::end_plate::EndPlateDay,
    fibre_res: bool,
) -> RowDay<'a> {
    tables.update(coef, breakdown, drives.stim_mass);
    let tables: &'a crate::atrophy::DenervationTables = tables;
    let at = crate::atrophy::AtrophyDay::new(coef, drives, synthesis_modifier, tables);
    let fb = match cache.fibrosis {
        Some((m, fb)) if m == drives.stim_mass => fb,
        _ => {
            let fb = crate::fibrosis::FibrosisDay::new(coef, drives.stim_mass, fibre_res);
            cache.fibrosis = Some((drives.stim_mass, fb));
            fb
        }
    };
    RowDay {
        ep: end_plate,
        at,
        fb,
        keep: 1.0 - drives.stim_mass,
        drive: &drives.unit_synthesis,
        fibre_res,
    }
}

impl RowDay<'_> {
    /// One day of one row, in the order of the module documentation: a denervated row's end
    /// plate ages ([`crate::end_plate`]), it atrophies ([`crate::atrophy`]) and some of its
    /// fibres die ([`crate::fibrosis`]); an innervated row's size and tension relax toward
    /// its unit's drive. Returns the fibres that died (at fibre resolution a fibre that dies
    /// is marked dead). The one per-row day of both steppers.
    #[inline(always)]
    pub(crate) fn advance(
        &self,
        r: RowMut<'_>,
        receptive_until: f32,
        death_threshold: f32,
        unit: u32,
    ) -> f32 {
        match *r.state {
            FibreState::Dead => 0.0,
            FibreState::Denervated => {
                self.ep.age(
                    r.denervated_days,
                    r.receptive,
                    r.capacity,
                    receptive_until,
                    self.keep,
                );
                self.at
                    .denervated(r.size, r.tension, *r.capacity, *r.denervated_days);
                let died =
                    self.fb
                        .denervated(*r.denervated_days, r.hazard, r.count, death_threshold);
                if died > 0.0 && self.fibre_res {
                    *r.state = FibreState::Dead;
                }
                died
            }
            _ => {
                let d = if unit == NO_UNIT {
                    1.0
                } else {
                    self.drive[unit as usize]
                };
                self.at.innervated(r.size, r.tension, *r.capacity, d);
                0.0
            }
        }
    }

    /// Whether the death hazard accrues today for a row denervated for `denervated_days`
    /// ([`crate::fibrosis`]; the days on which a fibre's death threshold is checked).
    #[inline]
    pub(crate) fn death_accrues(&self, denervated_days: f32) -> bool {
        self.fb.accrues(denervated_days)
    }

    /// The synthesis drive of an innervated row's unit (1 without a unit).
    #[inline]
    fn drive_of(&self, unit: u32) -> f32 {
        if unit == NO_UNIT {
            1.0
        } else {
            self.drive[unit as usize]
        }
    }

    /// Whether an innervated row is at a fixed point of its daily map (its size and tension
    /// come out of a day bit for bit unchanged): it then stays unchanged on every day with
    /// the same constants, so the event-driven stepper need not touch it.
    #[inline]
    fn innervated_fixed(&self, size: f32, tension: f32, capacity: f32, unit: u32) -> bool {
        let d = if unit == NO_UNIT {
            1.0
        } else {
            self.drive[unit as usize]
        };
        let (mut s, mut q) = (size, tension);
        self.at.innervated(&mut s, &mut q, capacity, d);
        s.to_bits() == size.to_bits() && q.to_bits() == tension.to_bits()
    }
}

/// The MRC grade for a voluntary force (relative to health) when some motor unit counts.
fn mrc_grade(coef: &Coefficients, any_unit: bool, voluntary: f64) -> u8 {
    if !any_unit || voluntary <= 0.0 {
        0
    } else {
        1 + grade(
            voluntary,
            &[
                coef.mrc2_force,
                coef.mrc3_force,
                coef.mrc4_force,
                coef.mrc5_force,
            ],
        )
    }
}

/// A row's voluntary force (sum 5): volume × specific tension × the unit's gate
/// ([`MotorUnits::voluntary_gate`]: it drives its fibres through the nerve and is the
/// muscle's own, scaled by the maturity of its junctions).
#[inline]
fn voluntary_row(n: f32, base: f32, size: f32, tension: f32, units: &MotorUnits, u: usize) -> f32 {
    // Immature junctions of a reinnervating unit transmit only in part
    // ([`crate::maturation`]); native units have maturity 1. A foreign unit (another
    // muscle's motoneuron) gives none.
    voluntary_row_gated(
        n,
        base,
        size,
        tension,
        units.voluntary_gate(u, units.maturity[u]),
    )
}

/// [`voluntary_row`] with the unit's gate given (the quiet stretches' grade bounds).
#[inline]
pub(crate) fn voluntary_row_gated(n: f32, base: f32, size: f32, tension: f32, gate: f32) -> f32 {
    let vol = n * (base * size);
    vol * tension * gate
}

/// Runs a scenario to its horizon (a convenience over [`Simulation`]).
pub fn run(
    scenario: &Scenario,
    params: &Parameters,
    resolution: Resolution,
) -> Result<TimeCourse, TwinError> {
    let sim = Simulation::new(scenario, params, resolution)?;
    Ok(sim.run(scenario.horizon_days))
}

/// Loads the species' parameters and runs a scenario (convenience).
pub fn run_scenario(scenario: &Scenario, resolution: Resolution) -> Result<TimeCourse, TwinError> {
    let params = Parameters::for_species(scenario.species)?;
    run(scenario, &params, resolution)
}
