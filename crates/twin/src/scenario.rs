//! The case to simulate: species, muscle, age, injury, treatments, horizon, seed.
//!
//! A [`Scenario`] deserialises from TOML (the CLI reads a case file into it):
//!
//! ```toml
//! species = "human"
//! muscle = "tibialis_anterior"
//! age_years = 35
//! horizon_days = 730
//! seed = 1
//! [injury]
//! grade = "axonotmesis"      # or sunderland = 1..5
//! day = 0
//! distance_mm = 120
//! fraction_of_axons = 1.0
//! regrowth = "allowed"       # or "prevented"
//! blocked_share = 0.0        # mixed lesion in continuity (Sunderland 2-4): share only blocked
//! [[treatment]]
//! kind = "repair"            # repair | stimulation | disuse | rehabilitation
//! day = 30
//! method = "primary"         # primary | graft (graft_length_mm) | transfer (donor_axons, donor_axotomized_days)
//!                            # a human transfer may give donor_nerve + recipient_nerve instead of
//!                            # donor_axons (ids of data/params/nerve-axon-counts.toml; mean counts)
//! [overrides]
//! regrowth_speed_mm_per_day = 1.2
//! ```
//!
//! Treatment keys follow `/work/shared/calibration/README.md`. Errors name the
//! field, the value and what was expected.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::params::Species;
use crate::units::{Days, Fraction, Millimetres};

/// A problem with a scenario (case file).
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ScenarioError {
    /// The text does not parse into a scenario (TOML error with the field path).
    #[error("{0}")]
    Parse(String),
    /// A field has an impossible value.
    #[error("field `{field}` = {value}: expected {expected}")]
    Invalid {
        /// Dotted field path (`injury.distance_mm`, `treatment[1].end_day`).
        field: String,
        /// The offending value, as written.
        value: String,
        /// What would have been accepted.
        expected: String,
    },
}

pub use vocabulary::Grade;

/// Whether cut axons may regrow to the muscle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Regrowth {
    /// Axons regrow (the default).
    #[default]
    Allowed,
    /// Ligation or a removed segment: no axon returns unless a repair reconnects.
    Prevented,
}

/// A nerve injury.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Injury {
    /// Day of injury.
    pub day: Days,
    /// Distance from the lesion to the muscle's motor entry point.
    pub distance_mm: Millimetres,
    /// Grade.
    pub grade: Grade,
    /// Share of the muscle's motor axons injured.
    pub fraction_of_axons: Fraction,
    /// Whether axons may regrow.
    pub regrowth: Regrowth,
    /// Share of the injured axons whose lesion is only a conduction block (neurapraxia), the
    /// rest degenerating as the grade says: a mixed lesion in continuity. 0 (the default) for
    /// a lesion of one grade; above 0 only for Sunderland 2-4 ([`crate::lesion`]).
    pub blocked_share: Fraction,
}

/// How a nerve is repaired.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum RepairMethod {
    /// End-to-end suture.
    Primary,
    /// Autologous graft of a length (two coaptations).
    Graft {
        /// Graft length.
        length_mm: Millimetres,
    },
    /// Nerve transfer: a donor nerve sutured to the distal stump.
    Transfer {
        /// Donor motor axons.
        donor_axons: u32,
        /// How long the donor axons were already cut before the transfer.
        donor_axotomized_days: Days,
    },
}

/// Dose of direct muscle stimulation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum StimulationDose {
    /// Stimulated tetani (~1 s each) per day.
    ContractionsPerDay(f64),
    /// Hours of stimulation per day.
    HoursPerDay(f64),
}

/// Disuse model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisuseModel {
    /// Cast immobilization.
    Immobilization,
    /// Limb suspension.
    Unloading,
    /// Bed rest.
    BedRest,
    /// Innervated but never voluntarily activated (below a spinal cord injury).
    Paralysis,
}

/// Rehabilitation programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RehabKind {
    /// Passive range of motion.
    RangeOfMotion,
    /// Progressive resistance exercise (acts on innervated fibres).
    ProgressiveResistance,
}

/// A treatment in a scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Treatment {
    /// Nerve repair on a day.
    Repair {
        /// Day of surgery.
        day: Days,
        /// Method.
        method: RepairMethod,
        /// From the coaptation to the motor entry point (default: the injury's distance).
        distance_mm: Option<Millimetres>,
    },
    /// Direct electrical stimulation of the muscle.
    Stimulation {
        /// Start: the period acts from this time on (step `start_day + 1`, the day that ends
        /// at `start_day + 1`, is its first).
        start_day: Days,
        /// End: the period acts up to this time (step `end_day` is its last); a case's days
        /// 0 to 59, the last included, are `start_day` 0 and `end_day` 60: 60 days.
        end_day: Days,
        /// Dose.
        dose: StimulationDose,
    },
    /// A period of disuse.
    Disuse {
        /// Start: the period acts from this time on (step `start_day + 1`, the day that ends
        /// at `start_day + 1`, is its first).
        start_day: Days,
        /// End: the period acts up to this time (step `end_day` is its last); a case's days
        /// 0 to 59, the last included, are `start_day` 0 and `end_day` 60: 60 days.
        end_day: Days,
        /// Model.
        model: DisuseModel,
    },
    /// Rehabilitation.
    Rehabilitation {
        /// Start: the period acts from this time on (step `start_day + 1`, the day that ends
        /// at `start_day + 1`, is its first).
        start_day: Days,
        /// End: the period acts up to this time (step `end_day` is its last); a case's days
        /// 0 to 59, the last included, are `start_day` 0 and `end_day` 60: 60 days.
        end_day: Days,
        /// Programme.
        kind: RehabKind,
    },
}

impl Treatment {
    /// The day it begins: a repair's day, or the start of a period.
    pub fn start_day(&self) -> Days {
        match self {
            Treatment::Repair { day, .. } => *day,
            Treatment::Stimulation { start_day, .. }
            | Treatment::Disuse { start_day, .. }
            | Treatment::Rehabilitation { start_day, .. } => *start_day,
        }
    }
}

/// Patient-level modifiers. Each is off by default; their effect sizes are named
/// assumptions in the parameter files (neutral unless overridden).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Modifiers {
    /// Diabetes mellitus.
    #[serde(default)]
    pub diabetes: bool,
    /// Current smoker.
    #[serde(default)]
    pub smoking: bool,
    /// Protein supplementation.
    #[serde(default)]
    pub protein_supplement: bool,
}

/// One case to simulate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scenario {
    /// Species.
    pub species: Species,
    /// snake_case muscle name.
    pub muscle: String,
    /// Age in years (affects regrowth speed); when the case gives none, the species'
    /// `age_reference_years` from `data/params`.
    pub age_years: f64,
    /// The injury, if any (none: intact muscle, e.g. disuse alone).
    pub injury: Option<Injury>,
    /// Treatments.
    pub treatments: Vec<Treatment>,
    /// Days to simulate.
    pub horizon_days: u32,
    /// Seed of all randomness.
    pub seed: u64,
    /// Parameter overrides by name.
    pub overrides: BTreeMap<String, f64>,
    /// Patient modifiers.
    pub modifiers: Modifiers,
}

// ------------------------------------------------------------------ raw serde forms

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    species: Species,
    muscle: String,
    #[serde(default)]
    age_years: Option<f64>,
    #[serde(default)]
    injury: Option<RawInjury>,
    #[serde(default, alias = "treatments")]
    treatment: Vec<RawTreatment>,
    #[serde(default)]
    horizon_days: Option<f64>,
    #[serde(default)]
    seed: Option<u64>,
    #[serde(default)]
    overrides: BTreeMap<String, f64>,
    #[serde(default)]
    modifiers: Modifiers,
    #[serde(default)]
    #[allow(dead_code)]
    note: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    title: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInjury {
    #[serde(default)]
    grade: Option<String>,
    #[serde(default)]
    sunderland: Option<i64>,
    #[serde(default)]
    day: Option<f64>,
    distance_mm: f64,
    #[serde(default)]
    fraction_of_axons: Option<f64>,
    #[serde(default)]
    regrowth: Regrowth,
    #[serde(default)]
    blocked_share: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum RawTreatment {
    Repair {
        day: f64,
        method: String,
        #[serde(default)]
        graft_length_mm: Option<f64>,
        #[serde(default)]
        donor_axons: Option<f64>,
        #[serde(default)]
        donor_nerve: Option<String>,
        #[serde(default)]
        recipient_nerve: Option<String>,
        #[serde(default)]
        donor_axotomized_days: Option<f64>,
        #[serde(default)]
        distance_mm: Option<f64>,
    },
    Stimulation {
        start_day: f64,
        end_day: f64,
        #[serde(default)]
        contractions_per_day: Option<f64>,
        #[serde(default)]
        hours_per_day: Option<f64>,
    },
    Disuse {
        start_day: f64,
        end_day: f64,
        model: DisuseModel,
    },
    Rehabilitation {
        start_day: f64,
        end_day: f64,
        #[serde(alias = "program")]
        programme: RehabKind,
    },
}

fn invalid(
    field: impl Into<String>,
    value: impl ToString,
    expected: impl ToString,
) -> ScenarioError {
    ScenarioError::Invalid {
        field: field.into(),
        value: crate::limits::echo(&value.to_string()),
        expected: expected.to_string(),
    }
}

fn day_field(field: &str, v: f64) -> Result<Days, ScenarioError> {
    let max = crate::limits::MAX_DAYS;
    if v.is_finite() && (0.0..=max as f64).contains(&v) {
        Ok(Days(v))
    } else {
        Err(invalid(
            field,
            v,
            format!("a day between 0 and {max} (twin::limits::Limits::max_days)"),
        ))
    }
}

fn distance_field(field: &str, v: f64) -> Result<Millimetres, ScenarioError> {
    if v.is_finite() && (0.0..=2000.0).contains(&v) {
        Ok(Millimetres(v))
    } else {
        Err(invalid(field, v, "a distance between 0 and 2000 mm"))
    }
}

/// Parses a grade name: `neurapraxia`, `axonotmesis`, `neurotmesis`.
pub fn parse_grade(name: &str) -> Option<Grade> {
    match name {
        "neurapraxia" => Some(Grade::Neurapraxia),
        "axonotmesis" => Some(Grade::Axonotmesis),
        "neurotmesis" => Some(Grade::Neurotmesis),
        _ => None,
    }
}

impl Injury {
    fn from_raw(r: RawInjury) -> Result<Injury, ScenarioError> {
        let grade = match (r.grade.as_deref(), r.sunderland) {
            (Some(_), Some(_)) => {
                return Err(invalid(
                    "injury.grade",
                    "both `grade` and `sunderland`",
                    "only one of them",
                ));
            }
            (Some(g), None) => parse_grade(g).ok_or_else(|| {
                invalid("injury.grade", g, "neurapraxia, axonotmesis or neurotmesis")
            })?,
            (None, Some(n)) => {
                if (1..=5).contains(&n) {
                    Grade::Sunderland(n as u8)
                } else {
                    return Err(invalid("injury.sunderland", n, "an integer 1 to 5"));
                }
            }
            (None, None) => {
                return Err(invalid(
                    "injury.grade",
                    "missing",
                    "`grade` or `sunderland`",
                ));
            }
        };
        let fraction = r.fraction_of_axons.unwrap_or(1.0);
        if !(fraction.is_finite() && fraction > 0.0 && fraction <= 1.0) {
            return Err(invalid(
                "injury.fraction_of_axons",
                fraction,
                "a fraction in (0, 1]",
            ));
        }
        let blocked = r.blocked_share.unwrap_or(0.0);
        mixed_lesion_share(grade, blocked)
            .map_err(|expected| invalid("injury.blocked_share", blocked, expected))?;
        Ok(Injury {
            day: day_field("injury.day", r.day.unwrap_or(0.0))?,
            distance_mm: distance_field("injury.distance_mm", r.distance_mm)?,
            grade,
            fraction_of_axons: Fraction(fraction),
            regrowth: r.regrowth,
            blocked_share: Fraction(blocked),
        })
    }
}

/// The one rule for a mixed lesion's blocked share, which every reader applies: a fraction in
/// [0, 1], above 0 only when the grade leaves the nerve in continuity with axon loss
/// (Sunderland 2-4; a neurapraxia is all block, a transection has none). `Err` holds what was
/// expected.
pub fn mixed_lesion_share(grade: Grade, blocked_share: f64) -> Result<(), &'static str> {
    if !(blocked_share.is_finite() && (0.0..=1.0).contains(&blocked_share)) {
        return Err("a fraction in [0, 1]");
    }
    if blocked_share > 0.0 && !(2..=4).contains(&grade.sunderland()) {
        return Err("0 unless the grade is Sunderland 2-4 (a mixed lesion in continuity)");
    }
    Ok(())
}

fn window(i: usize, start: f64, end: f64) -> Result<(Days, Days), ScenarioError> {
    let s = day_field(&format!("treatment[{i}].start_day"), start)?;
    let e = day_field(&format!("treatment[{i}].end_day"), end)?;
    crate::treatment_keys::period_order(start, end).map_err(|e| key_error(i, e))?;
    Ok((s, e))
}

/// A period key's error ([`crate::treatment_keys`]) at `treatment[i]`.
fn key_error(i: usize, e: crate::treatment_keys::KeyError) -> ScenarioError {
    ScenarioError::Invalid {
        field: format!("treatment[{i}].{}", e.key),
        value: e.value,
        expected: e.expected,
    }
}

impl Treatment {
    fn from_raw(
        i: usize,
        r: RawTreatment,
        species: Species,
        muscle: &str,
    ) -> Result<Treatment, ScenarioError> {
        Ok(match r {
            RawTreatment::Repair {
                day,
                method,
                graft_length_mm,
                donor_axons,
                donor_nerve,
                recipient_nerve,
                donor_axotomized_days,
                distance_mm,
            } => {
                use crate::treatment_keys as keys;
                let by_nerves = keys::donor_by_nerves(
                    donor_axons.is_some(),
                    donor_nerve.is_some(),
                    recipient_nerve.is_some(),
                )
                .map_err(|e| key_error(i, e))?;
                let donor_axons = match (donor_nerve, recipient_nerve) {
                    (Some(d), Some(r)) if by_nerves => {
                        Some(size_matched_central(i, species, muscle, &d, &r)?)
                    }
                    _ => donor_axons,
                };
                let method = match keys::repair_method(&method).map_err(|e| key_error(i, e))? {
                    "primary" => RepairMethod::Primary,
                    "graft" => RepairMethod::Graft {
                        length_mm: Millimetres(
                            keys::graft_length(graft_length_mm).map_err(|e| key_error(i, e))?,
                        ),
                    },
                    _ => {
                        let n = donor_axons.ok_or_else(|| {
                            invalid(
                                format!("treatment[{i}].donor_axons"),
                                "missing",
                                "a donor motor-axon count",
                            )
                        })?;
                        RepairMethod::Transfer {
                            donor_axons: keys::donor_axons(n).map_err(|e| key_error(i, e))?,
                            donor_axotomized_days: day_field(
                                &format!("treatment[{i}].donor_axotomized_days"),
                                donor_axotomized_days.unwrap_or(0.0),
                            )?,
                        }
                    }
                };
                Treatment::Repair {
                    day: day_field(&format!("treatment[{i}].day"), day)?,
                    method,
                    distance_mm: distance_mm
                        .map(|d| distance_field(&format!("treatment[{i}].distance_mm"), d))
                        .transpose()?,
                }
            }
            RawTreatment::Stimulation {
                start_day,
                end_day,
                contractions_per_day,
                hours_per_day,
            } => {
                let (start_day, end_day) = window(i, start_day, end_day)?;
                let dose = crate::treatment_keys::dose(contractions_per_day, hours_per_day)
                    .map_err(|e| key_error(i, e))?;
                Treatment::Stimulation {
                    start_day,
                    end_day,
                    dose,
                }
            }
            RawTreatment::Disuse {
                start_day,
                end_day,
                model,
            } => {
                let (start_day, end_day) = window(i, start_day, end_day)?;
                Treatment::Disuse {
                    start_day,
                    end_day,
                    model,
                }
            }
            RawTreatment::Rehabilitation {
                start_day,
                end_day,
                programme,
            } => {
                let (start_day, end_day) = window(i, start_day, end_day)?;
                Treatment::Rehabilitation {
                    start_day,
                    end_day,
                    kind: programme,
                }
            }
        })
    }
}

/// Donor axons of a human transfer named by its donor and recipient nerves, at their mean
/// counts (one case is the typical patient; populations draw the counts, see the calibration
/// format): [`crate::repair::size_matched_donor_axons`] with the muscle's unit count.
fn size_matched_central(
    i: usize,
    species: Species,
    muscle: &str,
    donor: &str,
    recipient: &str,
) -> Result<f64, ScenarioError> {
    if species != Species::Human {
        return Err(invalid(
            format!("treatment[{i}].donor_nerve"),
            donor,
            format!("donor_axons for a {species} case (nerve axon counts are human only)"),
        ));
    }
    let counts = crate::nerve_counts::NerveCounts::human()
        .map_err(|e| ScenarioError::Parse(format!("nerve axon counts: {e}")))?;
    let count = |key: &str, id: &str| {
        counts.get(id).map(|n| n.mean).ok_or_else(|| {
            invalid(
                format!("treatment[{i}].{key}"),
                id,
                format!(
                    "one of the nerves of data/params/nerve-axon-counts.toml: {}",
                    counts.ids().collect::<Vec<_>>().join(", ")
                ),
            )
        })
    };
    let d = count("donor_nerve", donor)?;
    let r = count("recipient_nerve", recipient)?;
    let units = crate::params::Parameters::for_species(species)
        .and_then(|p| p.muscle(muscle).map(|m| m.motor_units))
        .map_err(|e| invalid("muscle", muscle, e.to_string()))?;
    Ok(f64::from(crate::repair::size_matched_donor_axons(
        d, r, units,
    )))
}

/// Age of a case that gives none: the species' `age_reference_years` from its
/// parameter file (young adult; the age at which the mean regrowth speed applies).
fn default_age(species: Species) -> Result<f64, ScenarioError> {
    crate::params::Parameters::for_species(species)
        .map(|p| p.coef.age_reference_years)
        .map_err(|e| ScenarioError::Parse(format!("default age_years for {species}: {e}")))
}

impl Scenario {
    /// Parses and validates a case file's text.
    pub fn from_toml_str(text: &str) -> Result<Scenario, ScenarioError> {
        let raw: RawScenario = toml::from_str(text)
            .map_err(|e| ScenarioError::Parse(crate::limits::echo_lines(&e.to_string())))?;
        Scenario::from_raw(raw)
    }

    fn from_raw(raw: RawScenario) -> Result<Scenario, ScenarioError> {
        let age = match raw.age_years {
            Some(a) => a,
            None => default_age(raw.species)?,
        };
        if !(age.is_finite() && (0.0..=120.0).contains(&age)) {
            return Err(invalid("age_years", age, "an age between 0 and 120 years"));
        }
        let injury = raw.injury.map(Injury::from_raw).transpose()?;
        let treatments = raw
            .treatment
            .into_iter()
            .enumerate()
            .map(|(i, t)| Treatment::from_raw(i, t, raw.species, &raw.muscle))
            .collect::<Result<Vec<_>, _>>()?;
        let horizon = raw.horizon_days.unwrap_or(365.0);
        let max = crate::limits::MAX_DAYS;
        if !(horizon.is_finite() && (1.0..=max as f64).contains(&horizon)) {
            return Err(invalid(
                "horizon_days",
                horizon,
                format!("a number of days between 1 and {max} (twin::limits::Limits::max_days)"),
            ));
        }
        if raw.muscle.trim().is_empty() {
            return Err(invalid("muscle", "\"\"", "a snake_case muscle name"));
        }
        Ok(Scenario {
            species: raw.species,
            muscle: raw.muscle,
            age_years: age,
            injury,
            treatments,
            horizon_days: horizon.round() as u32,
            seed: raw.seed.unwrap_or(1),
            overrides: raw.overrides,
            modifiers: raw.modifiers,
        })
    }

    /// A scenario with no injury or treatment: the healthy muscle.
    pub fn healthy(species: Species, muscle: &str, horizon_days: u32) -> Scenario {
        Scenario {
            species,
            muscle: muscle.to_string(),
            // The embedded parameter files are validated by the tests; were one
            // unreadable, building a simulation from it would fail too, so the
            // fallback age is never simulated.
            age_years: default_age(species).unwrap_or_default(),
            injury: None,
            treatments: Vec::new(),
            horizon_days,
            seed: 1,
            overrides: BTreeMap::new(),
            modifiers: Modifiers::default(),
        }
    }
}

impl<'de> Deserialize<'de> for Scenario {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = RawScenario::deserialize(d)?;
        Scenario::from_raw(raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRANSFER: &str = r#"
species = "human"
muscle = "biceps_brachii"
[injury]
grade = "neurotmesis"
distance_mm = 250
regrowth = "prevented"
[[treatment]]
kind = "repair"
day = 120
method = "transfer"
distance_mm = 30
"#;

    fn donors(s: &Scenario) -> u32 {
        match &s.treatments[0] {
            Treatment::Repair {
                method: RepairMethod::Transfer { donor_axons, .. },
                ..
            } => *donor_axons,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_transfer_named_by_its_nerves_is_size_matched_at_the_mean_counts() {
        let named = format!(
            "{TRANSFER}donor_nerve = \"ulnar_fascicle\"\nrecipient_nerve = \"biceps_branch\"\n"
        );
        let s = Scenario::from_toml_str(&named).unwrap();
        // 113 biceps units x 1318 / 1826.
        assert_eq!(donors(&s), 82);
        let err = |extra: &str| Scenario::from_toml_str(&format!("{TRANSFER}{extra}")).unwrap_err();
        let e = err("donor_nerve = \"sciatic\"\nrecipient_nerve = \"biceps_branch\"\n");
        assert!(
            matches!(&e, ScenarioError::Invalid { field, expected, .. }
                if field == "treatment[0].donor_nerve" && expected.contains("ulnar_fascicle")),
            "{e}"
        );
        let e = err("donor_nerve = \"ulnar_fascicle\"\n");
        assert!(
            matches!(&e, ScenarioError::Invalid { field, .. } if field == "treatment[0].recipient_nerve"),
            "{e}"
        );
        let e = err(
            "donor_axons = 5\ndonor_nerve = \"ulnar_fascicle\"\nrecipient_nerve = \"biceps_branch\"\n",
        );
        assert!(
            matches!(&e, ScenarioError::Invalid { field, .. } if field == "treatment[0].donor_axons"),
            "{e}"
        );
        let rat = named
            .replace("\"human\"", "\"rat\"")
            .replace("biceps_brachii", "tibialis_anterior");
        let e = Scenario::from_toml_str(&rat).unwrap_err();
        assert!(e.to_string().contains("human only"), "{e}");
    }
}
