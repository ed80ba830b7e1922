//! One concrete run of an experiment: every distribution replaced by a value, giving the
//! workspace's one experimental case — a [`twin::Scenario`], the value an experimental case file
//! parses into and `engine::Case::Experiment` holds — so the calibration format is built on the
//! case every verb takes, not beside it. The format keeps only what a case file has no words
//! for: distributions over the case's fields ([`crate::experiment::Setup`]) and population size.
//!
//! A single experiment is realised at the central values of its distributions; a population
//! member by drawing each value, in the order the fields appear in the format (age, injury,
//! treatments in file order), from a generator that belongs to that member alone. Days and
//! counts drawn from a continuous distribution are rounded to the nearest whole number.

use rand::RngCore;

use twin::scenario::{
    Injury, Modifiers, RepairMethod as TwinRepair, Scenario, StimulationDose, Treatment,
};
use twin::units::{Days, Fraction, Millimetres};

use crate::distribution::{Categorical, Numeric};
use crate::error::FieldError;
use crate::experiment::{Dose, GradeSpec, RepairMethod, Setup, TreatmentSpec};

pub use vocabulary::Grade;

/// One concrete run: the twin's case (with the run's horizon and seed) and whether it is a
/// member of a population.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// The case, as the twin and every verb take it.
    pub scenario: Scenario,
    /// Whether this is a member of a population: members differ in their physiology as
    /// patients do (the model draws its between-patient parameters from the member's
    /// seed); a single experiment is the typical case, at the central values.
    pub population_member: bool,
    /// Size-matched transfers: (index in `scenario.treatments`, donor count, recipient
    /// count), this run's drawn myelinated axon counts. Their donor axons follow from the
    /// muscle's unit count, which the model knows ([`Run::size_matched`]).
    pub size_matches: Vec<(usize, f64, f64)>,
}

impl Run {
    /// The day of the injury (0 without one): the onset the runner reads recovery from.
    pub fn injury_day(&self) -> u32 {
        self.scenario
            .injury
            .as_ref()
            .map_or(0, |i| whole_day(i.day))
    }

    /// The scenario with each size-matched transfer's donor axons set from the muscle's
    /// `motor_units` ([`twin::repair::size_matched_donor_axons`]).
    pub fn size_matched(&self, motor_units: u32) -> Scenario {
        let mut s = self.scenario.clone();
        for &(i, donor, recipient) in &self.size_matches {
            if let Some(Treatment::Repair {
                method: TwinRepair::Transfer { donor_axons, .. },
                ..
            }) = s.treatments.get_mut(i)
            {
                *donor_axons =
                    twin::repair::size_matched_donor_axons(donor, recipient, motor_units);
            }
        }
        s
    }
}

/// A day the realisation wrote as a whole number, back as one.
fn whole_day(d: Days) -> u32 {
    d.0 as u32
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

fn day(d: u32) -> Days {
    Days(f64::from(d))
}

impl Setup {
    /// A concrete run of `horizon_days` days with `seed`: central values, or draws (see the
    /// module documentation). `experiment` and `member` label errors (a drawn period that ends
    /// before it starts). Without an age the case is the twin's default adult of the species
    /// (as for a case file); a repair's coaptation is at the injury's distance unless given.
    pub fn realize(
        &self,
        draw: &mut Draw<'_>,
        horizon_days: u32,
        seed: u64,
        experiment: &str,
        member: Option<usize>,
    ) -> Result<Run, FieldError> {
        let mut s = Scenario::healthy(self.species, &self.muscle, horizon_days);
        if let Some(a) = &self.age_years {
            s.age_years = draw.num(a);
        }
        s.seed = seed;
        s.modifiers = Modifiers::default();
        s.injury = self.injury.as_ref().map(|inj| {
            let grade = match &inj.grade {
                GradeSpec::Seddon(g) => draw.cat(g),
                GradeSpec::Sunderland(n) => {
                    Grade::Sunderland(draw.num(n).round().clamp(1.0, 5.0) as u8)
                }
            };
            Injury {
                grade,
                day: day(draw.days(&inj.day)),
                distance_mm: Millimetres(draw.num(&inj.distance_mm)),
                fraction_of_axons: Fraction(draw.num(&inj.fraction_of_axons).clamp(0.0, 1.0)),
                regrowth: draw.cat(&inj.regrowth),
                blocked_share: Fraction(draw.num(&inj.blocked_share).clamp(0.0, 1.0)),
            }
        });
        if let Some(inj) = &s.injury {
            // The twin's rule for a mixed lesion, on the drawn grade and share.
            twin::scenario::mixed_lesion_share(inj.grade, inj.blocked_share.0).map_err(
                |expected| {
                    let who = member.map_or(String::new(), |m| format!(" (population member {m})"));
                    FieldError {
                        experiment: experiment.to_string(),
                        field: "injury.blocked_share".into(),
                        value: format!(
                            "{} with grade {}{who}",
                            inj.blocked_share.0,
                            inj.grade.label()
                        ),
                        expected: expected.into(),
                    }
                },
            )?;
        }
        let injury_distance = s.injury.as_ref().map_or(0.0, |i| i.distance_mm.0);
        s.treatments = Vec::with_capacity(self.treatments.len());
        let mut size_matches = Vec::new();
        for (i, t) in self.treatments.iter().enumerate() {
            let treatment = match t {
                TreatmentSpec::Repair {
                    day: repair_day,
                    method,
                    graft_length_mm,
                    donor_axons,
                    size_match,
                    donor_axotomized_days,
                    distance_mm,
                } => {
                    // Drawn in the order the format lists the fields, whatever the method.
                    let repair_day = draw.days(repair_day);
                    let method = draw.cat(method);
                    let graft_length_mm = graft_length_mm.as_ref().map(|g| draw.num(g));
                    let donor_axons = donor_axons
                        .as_ref()
                        .map(|d| draw.num(d).round().max(1.0) as u32);
                    if let Some(m) = size_match {
                        let counts = (draw.num(&m.donor_count), draw.num(&m.recipient_count));
                        size_matches.push((i, counts.0, counts.1));
                    }
                    let donor_axotomized_days = draw.days(donor_axotomized_days);
                    let distance_mm = distance_mm
                        .as_ref()
                        .map_or(injury_distance, |d| draw.num(d));
                    Treatment::Repair {
                        day: day(repair_day),
                        method: match method {
                            RepairMethod::Primary => TwinRepair::Primary,
                            RepairMethod::Graft => TwinRepair::Graft {
                                length_mm: Millimetres(graft_length_mm.unwrap_or(0.0)),
                            },
                            RepairMethod::Transfer => TwinRepair::Transfer {
                                donor_axons: donor_axons.unwrap_or(0),
                                donor_axotomized_days: day(donor_axotomized_days),
                            },
                        },
                        distance_mm: Some(Millimetres(distance_mm)),
                    }
                }
                TreatmentSpec::Stimulation {
                    start_day,
                    end_day,
                    dose,
                } => {
                    let (start_day, end_day) =
                        period(draw, start_day, end_day, experiment, member, i)?;
                    let dose = match dose {
                        Dose::ContractionsPerDay(n) => {
                            StimulationDose::ContractionsPerDay(draw.num(n))
                        }
                        Dose::HoursPerDay(n) => StimulationDose::HoursPerDay(draw.num(n)),
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
                        kind: draw.cat(programme),
                    }
                }
            };
            s.treatments.push(treatment);
        }
        Ok(Run {
            scenario: s,
            population_member: member.is_some(),
            size_matches,
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
) -> Result<(Days, Days), FieldError> {
    let s = draw.days(start);
    let e = draw.days(end);
    // The twin's order rule (`twin::treatment_keys`), on the drawn days.
    twin::treatment_keys::period_order(f64::from(s), f64::from(e)).map_err(|k| {
        let who = member.map_or(String::new(), |m| format!(" (population member {m})"));
        FieldError {
            experiment: experiment.to_string(),
            field: format!("treatment[{index}].{}", k.key),
            value: format!("{}{who}", k.value),
            expected: k.expected,
        }
    })?;
    Ok((day(s), day(e)))
}
