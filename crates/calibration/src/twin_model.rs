//! The twin as a [`Model`]: a concrete run's scenario (the twin's own case type) is simulated at
//! the chosen resolution with the species' parameter set, and its daily quantities (on the days
//! the runner reads, [`Model::simulate_days`], or every day, [`Model::simulate`]) and event days
//! are copied into a [`Trajectory`].
//!
//! Parameter sets are read once per species and shared by every run. A case the twin
//! cannot take (unknown muscle, a value outside what it accepts) comes back as the twin's
//! error message, which the runner reports beside each expectation of the experiment.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use twin::params::{ParamError, Parameters};
use twin::patient::Variation;
use twin::sim::Simulation;

use crate::case::Run;
use crate::error::ModelError;
use crate::experiment::Species;
use crate::quantity::DailyQuantity;
use crate::runner::{Model, Resolution, Trajectory};

/// The twin, with its parameter sets loaded on first use.
#[derive(Default)]
pub struct TwinModel {
    params: [OnceLock<Result<Parameters, ParamError>>; 3],
    human_variation: OnceLock<Result<Variation, ParamError>>,
    /// How each run advances ([`twin::Stepper::Event`] unless [`TwinModel::with_stepper`]).
    stepper: twin::Stepper,
    /// Whether every run records every day even when the runner reads fewer.
    every_day: bool,
}

impl TwinModel {
    /// A twin with the shipped parameter sets.
    pub fn new() -> TwinModel {
        TwinModel::default()
    }

    /// The same twin advanced by `stepper` (the day stepper is the reference the
    /// event-driven bookkeeping is checked against).
    pub fn with_stepper(mut self, stepper: twin::Stepper) -> TwinModel {
        self.stepper = stepper;
        self
    }

    /// The same twin recording every day of every run, as before the runner read only its days
    /// (the reference the read-day path is checked and timed against).
    pub fn recording_every_day(mut self) -> TwinModel {
        self.every_day = true;
        self
    }

    fn parameters(&self, species: Species) -> Result<&Parameters, ModelError> {
        let slot = match species {
            Species::Human => 0,
            Species::Rat => 1,
            Species::Mouse => 2,
        };
        self.params[slot]
            .get_or_init(|| Parameters::for_species(species))
            .as_ref()
            .map_err(|e| ModelError::Parameters {
                species: species.name(),
                source: e.clone(),
            })
    }
}

impl TwinModel {
    /// The simulation of `run` on day 0, as this model runs it: the species' parameters (a
    /// population member's drawn from the human spreads), the donor axons size-matched to the
    /// muscle, and this model's stepper.
    pub fn simulation(&self, run: &Run, resolution: Resolution) -> Result<Simulation, ModelError> {
        let scenario = &run.scenario;
        let seed = scenario.seed;
        let central = self.parameters(scenario.species)?;
        // Population members are patients who differ (twin::patient); the spreads are
        // human (data/atlas/prognosis_uncertainty.toml), so rodent members keep the
        // central values.
        let drawn;
        let params = if run.population_member && scenario.species == Species::Human {
            let v = self
                .human_variation
                .get_or_init(|| Variation::human(central))
                .as_ref()
                .map_err(|e| ModelError::Parameters {
                    species: Species::Human.name(),
                    source: e.clone(),
                })?;
            drawn = v.draw(central, seed);
            &drawn
        } else {
            central
        };
        let units = params
            .muscle(&scenario.muscle)
            .map(|m| m.motor_units)
            .unwrap_or(0);
        let scenario = run.size_matched(units);
        Ok(Simulation::new(&scenario, params, resolution)?.with_stepper(self.stepper))
    }
}

impl Model for TwinModel {
    fn simulate(&self, run: &Run, resolution: Resolution) -> Result<Trajectory, ModelError> {
        let horizon_days = run.scenario.horizon_days;
        let course = self.simulation(run, resolution)?.run(horizon_days);
        let mut t = Trajectory::new(horizon_days);
        for q in &course.days {
            record(&mut t, q);
        }
        set_events(&mut t, &course.events);
        Ok(t)
    }

    /// Steps from one read day to the next ([`Simulation::step_to`]: the same states, events
    /// and quantities on the read days as stepping every day, bit for bit), then to the
    /// horizon for the event days; the MRC 3 and 5 days are the twin's own.
    fn simulate_days(
        &self,
        run: &Run,
        resolution: Resolution,
        days: &BTreeSet<u32>,
    ) -> Result<Trajectory, ModelError> {
        if self.every_day {
            return self.simulate(run, resolution);
        }
        let horizon_days = run.scenario.horizon_days;
        let mut sim = self.simulation(run, resolution)?;
        let mut t = Trajectory::on_days(horizon_days, days);
        for &d in days.range(..=horizon_days) {
            sim.step_to(d);
            record(&mut t, &sim.quantities());
        }
        sim.step_to(horizon_days);
        set_events(&mut t, &sim.events());
        Ok(t)
    }
}

/// Copies one day's quantities into the trajectory.
fn record(t: &mut Trajectory, q: &twin::quantities::Quantities) {
    for dq in DailyQuantity::ALL {
        t.set(q.day, dq, daily(q, dq));
    }
}

/// Copies the twin's event days (MRC 3 and 5 included) into the trajectory.
fn set_events(t: &mut Trajectory, e: &twin::quantities::Events) {
    t.set_events(e.first_reinnervation_day, e.first_fibrillation_day);
    t.set_mrc_days(e.mrc_3_day, e.mrc_5_day);
}

/// One daily quantity of the calibration format. The clinical readings (size, strength, CMAP,
/// fibrillation and MRC grades) are read through the clinical readout (crate `readout`), so
/// calibration checks the readings `simulate`, `snapshot` and the report print.
fn daily(q: &twin::quantities::Quantities, dq: DailyQuantity) -> f64 {
    use readout::reading as r;
    match dq {
        DailyQuantity::MuscleMassFraction => r::size(q).muscle_mass_fraction,
        DailyQuantity::MuscleCsaFraction => r::size(q).muscle_csa_fraction,
        DailyQuantity::FiberCsaFraction => r::size(q).fibre_csa_fraction,
        DailyQuantity::FiberDiameterFraction => q.fiber_diameter_fraction,
        DailyQuantity::FatFibrousFraction => r::size(q).fat_fibrous_fraction,
        DailyQuantity::TetanicForceFraction => {
            r::strength(q).direct_muscle_stimulation_force_fraction
        }
        DailyQuantity::VoluntaryForceFraction => r::strength(q).voluntary_force_fraction,
        DailyQuantity::InnervatedFiberFraction => r::size(q).innervated_fibre_fraction,
        DailyQuantity::MotorUnitCount => q.motor_unit_count,
        DailyQuantity::MotorUnitCountFraction => q.motor_unit_count_fraction,
        DailyQuantity::MotorUnitSizeFraction => q.motor_unit_size_fraction,
        DailyQuantity::CmapFraction => r::cmap_fraction(q),
        DailyQuantity::FibrillationGrade => f64::from(r::fibrillation_grade(q)),
        DailyQuantity::MrcGrade => f64::from(r::strength(q).mrc),
    }
}
