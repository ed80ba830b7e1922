//! One concrete run of an experiment: every distribution replaced by a value.
//!
//! A single experiment is realised at the central values of its distributions; a population
//! member by drawing each value, in the order the fields appear in the format (age, injury,
//! treatments in file order), from a generator that belongs to that member alone. Days and
//! counts drawn from a continuous distribution are rounded to the nearest whole number.

use rand::RngCore;

use crate::distribution::{Categorical, Numeric};
use crate::error::FieldError;
use crate::experiment::{
    DisuseModel, Dose, GradeSpec, Regrowth, RehabKind, RepairMethod, Setup, Species, TreatmentSpec,
};

pub use vocabulary::Grade;

/// A concrete injury.
#[derive(Debug, Clone, PartialEq)]
pub struct Injury {
    /// The grade.
    pub grade: Grade,
    /// Day of injury.
    pub day: u32,
    /// Distance to the motor entry point, mm.
    pub distance_mm: f64,
    /// Share of the muscle's motor axons injured.
    pub fraction_of_axons: f64,
    /// Whether axons may regrow.
    pub regrowth: Regrowth,
}

/// A concrete stimulation dose.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DoseValue {
    /// Tetani per day.
    ContractionsPerDay(f64),
    /// Hours per day.
    HoursPerDay(f64),
}

/// A concrete treatment.
#[derive(Debug, Clone, PartialEq)]
pub enum Treatment {
    /// Nerve repair.
    Repair {
        /// Day of repair.
        day: u32,
        /// Method.
        method: RepairMethod,
        /// Graft length, mm (graft).
        graft_length_mm: Option<f64>,
        /// Donor motor axons (transfer).
        donor_axons: Option<u32>,
        /// Donor and recipient myelinated axon counts of a size-matched transfer (this
        /// patient's draw); the muscle's donor axons follow from them and its unit count.
        nerve_counts: Option<(f64, f64)>,
        /// Days the donor had been axotomised.
        donor_axotomized_days: u32,
        /// Coaptation to motor entry point, mm (the injury's distance if not given).
        distance_mm: f64,
    },
    /// Direct muscle stimulation.
    Stimulation {
        /// First day.
        start_day: u32,
        /// Last day.
        end_day: u32,
        /// Dose.
        dose: DoseValue,
    },
    /// Disuse.
    Disuse {
        /// First day.
        start_day: u32,
        /// Last day.
        end_day: u32,
        /// Model.
        model: DisuseModel,
    },
    /// Rehabilitation.
    Rehabilitation {
        /// First day.
        start_day: u32,
        /// Last day.
        end_day: u32,
        /// Programme.
        programme: RehabKind,
    },
}

/// One concrete run.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// Species.
    pub species: Species,
    /// Muscle name.
    pub muscle: String,
    /// Age, years (absent: the twin's default adult).
    pub age_years: Option<f64>,
    /// The injury, if any.
    pub injury: Option<Injury>,
    /// Treatments.
    pub treatments: Vec<Treatment>,
    /// Whether this is a member of a population: members differ in their physiology as
    /// patients do (the model draws its between-patient parameters from the member's
    /// seed); a single experiment is the typical case, at the central values.
    pub population_member: bool,
}

/// Where values come from: central values, or draws from a member's own generator.
pub enum Draw<'a> {
    /// Central values (single experiments).
    Central,
    /// Random draws.
    Random(&'a mut dyn RngCore),
}

impl Draw<'_> {
    fn num(&mut self, n: &Numeric) -> f64 {
        match self {
            Draw::Central => n.central(),
            Draw::Random(rng) => n.sample(rng),
        }
    }

    fn cat<T: Clone>(&mut self, c: &Categorical<T>) -> T {
        match self {
            Draw::Central => c.central(),
            Draw::Random(rng) => c.sample(rng),
        }
    }

    fn days(&mut self, n: &Numeric) -> u32 {
        let x = self.num(n).round();
        if x <= 0.0 {
            0
        } else {
            x.min(u32::MAX as f64) as u32
        }
    }
}

impl Setup {
    /// A concrete case: central values, or draws (see the module documentation).
    /// `experiment` and `member` label errors (a drawn period that ends before it starts).
    pub fn realize(
        &self,
        draw: &mut Draw<'_>,
        experiment: &str,
        member: Option<usize>,
    ) -> Result<Case, FieldError> {
        let age_years = self.age_years.as_ref().map(|a| draw.num(a));
        let injury = self.injury.as_ref().map(|inj| {
            let grade = match &inj.grade {
                GradeSpec::Seddon(g) => draw.cat(g),
                GradeSpec::Sunderland(n) => {
                    Grade::Sunderland(draw.num(n).round().clamp(1.0, 5.0) as u8)
                }
            };
            Injury {
                grade,
                day: draw.days(&inj.day),
                distance_mm: draw.num(&inj.distance_mm),
                fraction_of_axons: draw.num(&inj.fraction_of_axons).clamp(0.0, 1.0),
                regrowth: draw.cat(&inj.regrowth),
            }
        });
        let injury_distance = injury.as_ref().map_or(0.0, |i| i.distance_mm);
        let mut treatments = Vec::with_capacity(self.treatments.len());
        for (i, t) in self.treatments.iter().enumerate() {
            let treatment = match t {
                TreatmentSpec::Repair {
                    day,
                    method,
                    graft_length_mm,
                    donor_axons,
                    size_match,
                    donor_axotomized_days,
                    distance_mm,
                } => Treatment::Repair {
                    day: draw.days(day),
                    method: draw.cat(method),
                    graft_length_mm: graft_length_mm.as_ref().map(|g| draw.num(g)),
                    donor_axons: donor_axons
                        .as_ref()
                        .map(|d| draw.num(d).round().max(1.0) as u32),
                    nerve_counts: size_match
                        .as_ref()
                        .map(|m| (draw.num(&m.donor_count), draw.num(&m.recipient_count))),
                    donor_axotomized_days: draw.days(donor_axotomized_days),
                    distance_mm: distance_mm
                        .as_ref()
                        .map_or(injury_distance, |d| draw.num(d)),
                },
                TreatmentSpec::Stimulation {
                    start_day,
                    end_day,
                    dose,
                } => {
                    let (start_day, end_day) =
                        period(draw, start_day, end_day, experiment, member, i)?;
                    let dose = match dose {
                        Dose::ContractionsPerDay(n) => DoseValue::ContractionsPerDay(draw.num(n)),
                        Dose::HoursPerDay(n) => DoseValue::HoursPerDay(draw.num(n)),
                    };
                    Treatment::Stimulation {
                        start_day,
                        end_day,
                        dose,
                    }
                }
                TreatmentSpec::Disuse {
                    start_day,
                    end_day,
                    model,
                } => {
                    let (start_day, end_day) =
                        period(draw, start_day, end_day, experiment, member, i)?;
                    Treatment::Disuse {
                        start_day,
                        end_day,
                        model: draw.cat(model),
                    }
                }
                TreatmentSpec::Rehabilitation {
                    start_day,
                    end_day,
                    programme,
                } => {
                    let (start_day, end_day) =
                        period(draw, start_day, end_day, experiment, member, i)?;
                    Treatment::Rehabilitation {
                        start_day,
                        end_day,
                        programme: draw.cat(programme),
                    }
                }
            };
            treatments.push(treatment);
        }
        Ok(Case {
            species: self.species,
            muscle: self.muscle.clone(),
            age_years,
            injury,
            treatments,
            population_member: member.is_some(),
        })
    }
}

fn period(
    draw: &mut Draw<'_>,
    start: &Numeric,
    end: &Numeric,
    experiment: &str,
    member: Option<usize>,
    index: usize,
) -> Result<(u32, u32), FieldError> {
    let s = draw.days(start);
    let e = draw.days(end);
    if e < s {
        let who = member.map_or(String::new(), |m| format!(" (population member {m})"));
        return Err(FieldError {
            experiment: experiment.to_string(),
            field: format!("treatment[{index}].end_day"),
            value: format!("{e}{who}"),
            expected: format!("a day >= start_day ({s})"),
        });
    }
    Ok((s, e))
}
