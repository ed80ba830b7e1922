//! The twin as a [`Model`]: a concrete case becomes a `twin` scenario, run at the chosen
//! resolution with the species' parameter set, and its daily quantities and event days
//! are copied into a [`Trajectory`].
//!
//! Parameter sets are read once per species and shared by every run. A case the twin
//! cannot take (unknown muscle, a value outside what it accepts) comes back as the twin's
//! error message, which the runner reports beside each expectation of the experiment.

use std::sync::OnceLock;

use twin::params::{ParamError, Parameters};
use twin::patient::Variation;
use twin::scenario::{
    Injury as TwinInjury, Modifiers, RepairMethod as TwinRepair, Scenario, StimulationDose,
    Treatment as TwinTreatment,
};
use twin::sim::Simulation;
use twin::units::{Days, Fraction, Millimetres};

use crate::case::{Case, DoseValue, Treatment};
use crate::error::ModelError;
use crate::experiment::{RepairMethod, Species};
use crate::quantity::DailyQuantity;
use crate::runner::{Model, Resolution, Trajectory};

/// The twin, with its parameter sets loaded on first use.
#[derive(Default)]
pub struct TwinModel {
    params: [OnceLock<Result<Parameters, ParamError>>; 3],
    human_variation: OnceLock<Result<Variation, ParamError>>,
}

impl TwinModel {
    /// A twin with the shipped parameter sets.
    pub fn new() -> TwinModel {
        TwinModel::default()
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

/// The twin scenario of a case; `motor_units` is the muscle's unit count, which a
/// size-matched transfer needs ([`twin::repair::size_matched_donor_axons`]).
pub fn scenario(case: &Case, horizon_days: u32, seed: u64, motor_units: u32) -> Scenario {
    let species = case.species;
    // Without an age the twin's default adult of the species (as for a case file).
    let mut s = Scenario::healthy(species, &case.muscle, horizon_days);
    if let Some(age) = case.age_years {
        s.age_years = age;
    }
    s.seed = seed;
    s.modifiers = Modifiers::default();
    s.injury = case.injury.as_ref().map(|inj| TwinInjury {
        day: Days(f64::from(inj.day)),
        distance_mm: Millimetres(inj.distance_mm),
        grade: inj.grade,
        fraction_of_axons: Fraction(inj.fraction_of_axons),
        regrowth: inj.regrowth,
    });
    s.treatments = case
        .treatments
        .iter()
        .map(|t| match t {
            Treatment::Repair {
                day,
                method,
                graft_length_mm,
                donor_axons,
                nerve_counts,
                donor_axotomized_days,
                distance_mm,
            } => TwinTreatment::Repair {
                day: Days(f64::from(*day)),
                method: match method {
                    RepairMethod::Primary => TwinRepair::Primary,
                    RepairMethod::Graft => TwinRepair::Graft {
                        length_mm: Millimetres(graft_length_mm.unwrap_or(0.0)),
                    },
                    RepairMethod::Transfer => TwinRepair::Transfer {
                        donor_axons: match nerve_counts {
                            Some((donor, recipient)) => twin::repair::size_matched_donor_axons(
                                *donor,
                                *recipient,
                                motor_units,
                            ),
                            None => donor_axons.unwrap_or(0),
                        },
                        donor_axotomized_days: Days(f64::from(*donor_axotomized_days)),
                    },
                },
                distance_mm: Some(Millimetres(*distance_mm)),
            },
            Treatment::Stimulation {
                start_day,
                end_day,
                dose,
            } => TwinTreatment::Stimulation {
                start_day: Days(f64::from(*start_day)),
                end_day: Days(f64::from(*end_day)),
                dose: match dose {
                    DoseValue::ContractionsPerDay(c) => StimulationDose::ContractionsPerDay(*c),
                    DoseValue::HoursPerDay(h) => StimulationDose::HoursPerDay(*h),
                },
            },
            Treatment::Disuse {
                start_day,
                end_day,
                model,
            } => TwinTreatment::Disuse {
                start_day: Days(f64::from(*start_day)),
                end_day: Days(f64::from(*end_day)),
                model: *model,
            },
            Treatment::Rehabilitation {
                start_day,
                end_day,
                programme,
            } => TwinTreatment::Rehabilitation {
                start_day: Days(f64::from(*start_day)),
                end_day: Days(f64::from(*end_day)),
                kind: *programme,
            },
        })
        .collect();
    s
}

impl Model for TwinModel {
    fn simulate(
        &self,
        case: &Case,
        horizon_days: u32,
        seed: u64,
        resolution: Resolution,
    ) -> Result<Trajectory, ModelError> {
        let central = self.parameters(case.species)?;
        // Population members are patients who differ (twin::patient); the spreads are
        // human (data/atlas/prognosis_uncertainty.toml), so rodent members keep the
        // central values.
        let drawn;
        let params = if case.population_member && case.species == Species::Human {
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
            .muscle(&case.muscle)
            .map(|m| m.motor_units)
            .unwrap_or(0);
        let scenario = scenario(case, horizon_days, seed, units);
        let sim = Simulation::new(&scenario, params, resolution)?;
        let course = sim.run(horizon_days);
        let mut t = Trajectory::new(horizon_days);
        for q in &course.days {
            for dq in DailyQuantity::ALL {
                t.set(q.day, dq, daily(q, dq));
            }
        }
        let e = &course.events;
        t.set_events(e.first_reinnervation_day, e.first_fibrillation_day);
        t.set_mrc_days(e.mrc_3_day, e.mrc_5_day);
        Ok(t)
    }
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
