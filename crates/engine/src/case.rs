//! The one case every operation takes.
//!
//! A case is read from TOML or JSON text (JSON when the text starts with `{`). It is either a
//! **patient's case** — `[patient]` and `[[injury]]` with an atlas nerve and site (or an explicit
//! muscle and distance), treatments, follow-up observations, plans and settings, the format of
//! `docs/prognosis.md` — or an **experimental case** — one `species` and `muscle`, one `[injury]`
//! at an explicit distance and twin treatments (including disuse and rehabilitation), the format
//! of `docs/model.md`. Both shapes are one [`Case`] value: every operation accepts it and converts
//! what it needs, so a file runs with every verb that applies to it:
//!
//! * `simulate`/`snapshot` on a patient's case run the twin once per affected muscle with the
//!   case's *typical* draw (a stated grade, or the median of the grade prior updated by the
//!   case's observations; central parameters, atlas distances);
//! * `prognosis`/`plans` on a human experimental case treat it as a patient with an explicit
//!   muscle and distance; a rat or mouse experiment, or one with disuse or rehabilitation periods
//!   (which the patient format cannot state yet), gets an error that says so.

use serde::Serialize;
use thiserror::Error;

/// A case file that is neither shape, or not TOML/JSON at all.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum CaseFileError {
    /// Not valid TOML or JSON.
    #[error("the case is not valid {format}: {message}")]
    Syntax {
        /// `TOML` or `JSON`.
        format: &'static str,
        /// What the parser said.
        message: String,
    },
    /// Neither a patient's case nor an experimental case.
    #[error(
        "the case is neither a patient's case ([patient] and [[injury]] with `nerve` and `site`, \
         see examples/case-*.toml) nor an experimental case (`species`, `muscle` and one [injury] \
         with `distance_mm`, see examples/simulate-*.toml); found top-level keys: {keys}"
    )]
    Shape {
        /// The top-level keys found.
        keys: String,
    },
}

/// One case, whatever its shape.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Case {
    /// A patient's case (atlas nerves and sites, follow-up, plans).
    Patient {
        /// The validated case.
        case: clinic::Case,
    },
    /// An experimental case (one muscle of one species at an explicit distance).
    Experiment {
        /// The validated scenario.
        scenario: twin::Scenario,
    },
}

/// Which shape a text has, from its top-level keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Patient,
    Experiment,
}

fn top_level(text: &str) -> Result<serde_json::Map<String, serde_json::Value>, CaseFileError> {
    let value: serde_json::Value = if text.trim_start().starts_with('{') {
        serde_json::from_str(text).map_err(|e| CaseFileError::Syntax {
            format: "JSON",
            message: twin::limits::echo_lines(&e.to_string()),
        })?
    } else {
        let t: toml::Table = toml::from_str(text).map_err(|e| CaseFileError::Syntax {
            format: "TOML",
            message: twin::limits::echo_lines(&e.to_string()),
        })?;
        serde_json::to_value(t).map_err(|e| CaseFileError::Syntax {
            format: "TOML",
            message: twin::limits::echo_lines(&e.to_string()),
        })?
    };
    match value {
        serde_json::Value::Object(m) => Ok(m),
        other => Err(CaseFileError::Shape {
            keys: format!("(not a table: {})", truncate(&other.to_string())),
        }),
    }
}

fn truncate(s: &str) -> String {
    if s.chars().count() > 80 {
        format!("{}…", s.chars().take(80).collect::<String>())
    } else {
        s.to_string()
    }
}

fn shape(top: &serde_json::Map<String, serde_json::Value>) -> Result<Shape, CaseFileError> {
    let patient_keys = ["patient", "observation", "observations", "followup", "plan"];
    let injury_is_list = top
        .get("injury")
        .or_else(|| top.get("injuries"))
        .is_some_and(|v| v.is_array());
    if patient_keys.iter().any(|k| top.contains_key(*k)) || injury_is_list {
        return Ok(Shape::Patient);
    }
    if top.contains_key("muscle") || top.contains_key("species") {
        return Ok(Shape::Experiment);
    }
    Err(CaseFileError::Shape {
        keys: truncate(&top.keys().cloned().collect::<Vec<_>>().join(", ")),
    })
}

impl Case {
    /// Reads a case from TOML or JSON text, validating it against the atlas.
    pub fn parse(text: &str, atlas: &clinic::Atlas) -> Result<Case, crate::EngineError> {
        let top = top_level(text)?;
        Ok(match shape(&top)? {
            Shape::Patient => Case::Patient {
                case: clinic::Case::parse(text, atlas)?,
            },
            Shape::Experiment => {
                let scenario = if text.trim_start().starts_with('{') {
                    let t: toml::Table = serde_json::from_value(serde_json::Value::Object(top))
                        .map_err(|e| CaseFileError::Syntax {
                            format: "JSON",
                            message: twin::limits::echo_lines(&e.to_string()),
                        })?;
                    twin::Scenario::from_toml_str(&toml::to_string(&t).map_err(|e| {
                        CaseFileError::Syntax {
                            format: "JSON",
                            message: twin::limits::echo_lines(&e.to_string()),
                        }
                    })?)?
                } else {
                    twin::Scenario::from_toml_str(text)?
                };
                Case::Experiment { scenario }
            }
        })
    }

    /// The case's title, or a description.
    pub fn title(&self) -> String {
        match self {
            Case::Patient { case } => case.title.clone().unwrap_or_else(|| "case".into()),
            Case::Experiment { scenario } => format!(
                "{} {} (experimental case)",
                scenario.species,
                scenario.muscle.replace('_', " ")
            ),
        }
    }

    /// The case's seed.
    pub fn seed(&self) -> u64 {
        match self {
            Case::Patient { case } => case.settings.seed,
            Case::Experiment { scenario } => scenario.seed,
        }
    }

    /// The patient's case the Monte Carlo needs: the case itself, or a human experimental case
    /// restated as a patient with an explicit muscle and distance.
    pub fn as_patient(
        &self,
        atlas: &clinic::Atlas,
        operation: &'static str,
    ) -> Result<clinic::Case, crate::EngineError> {
        match self {
            Case::Patient { case } => Ok(case.clone()),
            Case::Experiment { scenario } => {
                let json = patient_json(scenario)
                    .map_err(|reason| crate::EngineError::NotApplicable { operation, reason })?;
                Ok(clinic::Case::from_json(&json.to_string(), atlas)?)
            }
        }
    }
}

/// A human experimental scenario as the JSON of a patient's case with an explicit muscle.
fn patient_json(s: &twin::Scenario) -> Result<serde_json::Value, String> {
    use serde_json::json;
    if s.species != vocabulary::Species::Human {
        return Err(format!(
            "the Monte Carlo prognosis is for human patients; this is a {} experiment (use \
             `simulate` or `calibrate`)",
            s.species
        ));
    }
    if !s.overrides.is_empty() {
        return Err(
            "parameter overrides are not part of a patient's case; remove `[overrides]`".into(),
        );
    }
    if let Some(g) = &s.against_gravity
        && g.muscle != s.muscle
    {
        return Err(format!(
            "against_gravity.muscle = \"{}\": a patient's case states the movement of an \
             affected muscle by its own name; this experiment runs the \"{}\" pool for it (a \
             stand-in); write `muscle = \"{}\"` in `against_gravity` for a prognosis",
            g.muscle, s.muscle, s.muscle
        ));
    }
    let Some(inj) = &s.injury else {
        return Err("the case has no injury: nothing to give a prognosis for".into());
    };
    if inj.blocked_share.0 > 0.0 {
        return Err(format!(
            "injury.blocked_share = {}: a mixed lesion in continuity is not part of a patient's \
             case (its grade is one grade, or unknown); use `simulate` or `calibrate`",
            inj.blocked_share.0
        ));
    }
    let mut treatments = Vec::new();
    for t in &s.treatments {
        treatments.push(match t {
            twin::Treatment::Repair {
                day,
                method,
                distance_mm,
            } => {
                let mut v = json!({"kind": "repair", "day": day.0});
                match method {
                    twin::RepairMethod::Primary => v["method"] = json!("primary"),
                    twin::RepairMethod::Graft { length_mm } => {
                        v["method"] = json!("graft");
                        v["graft_length_mm"] = json!(length_mm.0);
                    }
                    twin::RepairMethod::Transfer {
                        donor_axons,
                        donor_axotomized_days,
                    } => {
                        v["method"] = json!("transfer");
                        v["donor_axons"] = json!(donor_axons);
                        v["donor_axotomized_days"] = json!(donor_axotomized_days.0);
                    }
                }
                if let Some(d) = distance_mm {
                    v["distance_mm"] = json!(d.0);
                }
                v
            }
            twin::Treatment::Stimulation {
                start_day,
                end_day,
                dose,
            } => {
                let mut v = period_json("stimulation", *start_day, *end_day);
                match dose {
                    twin::StimulationDose::ContractionsPerDay(c) => {
                        v["contractions_per_day"] = json!(c)
                    }
                    twin::StimulationDose::HoursPerDay(h) => v["hours_per_day"] = json!(h),
                }
                v
            }
            twin::Treatment::Disuse {
                start_day,
                end_day,
                model,
            } => {
                let mut v = period_json("disuse", *start_day, *end_day);
                v["model"] = json!(model);
                v
            }
            twin::Treatment::Rehabilitation {
                start_day,
                end_day,
                kind,
            } => {
                let mut v = period_json("rehabilitation", *start_day, *end_day);
                v["programme"] = json!(kind);
                v
            }
        });
    }
    Ok(json!({
        "title": format!("{} (experimental case)", s.muscle.replace('_', " ")),
        "patient": {
            "age_years": s.age_years,
            "diabetes": s.modifiers.diabetes,
            "smoking": s.modifiers.smoking,
            "protein_supplement": s.modifiers.protein_supplement,
        },
        "injury": [{
            "muscle": s.muscle,
            "distance_mm": inj.distance_mm.0,
            "grade": inj.grade.label(),
            "extent": inj.fraction_of_axons.0,
            "day": inj.day.0,
            "regrowth": match inj.regrowth {
                twin::Regrowth::Allowed => "allowed",
                twin::Regrowth::Prevented => "prevented",
            },
        }],
        "treatment": treatments,
        "against_gravity": s.against_gravity,
        "settings": {"horizon_days": s.horizon_days, "seed": s.seed},
    }))
}

/// A period treatment as the patient's case writes it: its kind, its first day and its last day
/// (included: the twin's `end_day - 1`).
fn period_json(kind: &str, start: twin::Days, end: twin::Days) -> serde_json::Value {
    serde_json::json!({"kind": kind, "start_day": start.0, "end_day": (end.0 - 1.0).max(start.0)})
}
