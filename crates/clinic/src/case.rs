//! The patient case file (TOML or JSON): patient, injuries, treatments, follow-up observations,
//! listed plans and simulation settings.
//!
//! Days are counted from the first injury (day 0). Every date or day field accepts either a
//! `date = "YYYY-MM-DD"` (which needs the first injury's `date`) or a `day = N`. Parsing goes through
//! loose raw structs and then a validation pass whose errors name the field path, the value and
//! what was expected ([`CaseError`]).
//!
//! Findings vocabulary for EMG/NCS follow-up is that of the diagnosis findings format
//! (`emg.fibrillations` `0`/`present`/`1+`..`4+`, `emg.mup` `normal`/`neurogenic`/`nascent`/`none`/…,
//! `emg.recruitment`, `ncs.cmap` `normal`/`reduced`/`absent`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::atlas::{AffectedMuscle, Atlas, Sex};
use crate::error::{AtlasError, CaseError};

pub use vocabulary::Grade;

const GRADE_EXPECTED: &str = "`neurapraxia`, `axonotmesis`, `neurotmesis`, `sunderland_1`..`sunderland_5`, `avulsion` (plexus elements only), or `unknown` (with an optional `prior`)";

/// A known grade or a prior over grades.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum GradeSpec {
    /// Known.
    Known(Grade),
    /// Unknown: probabilities over grades (normalised, sum 1).
    Unknown(Vec<(Grade, f64)>),
}

/// Where an injury is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Location {
    /// Nerve and site from the atlas.
    Atlas {
        /// Nerve id.
        nerve: String,
        /// Site id.
        site: String,
    },
    /// An explicit distance to one muscle (experimental designs).
    Explicit {
        /// Muscle (twin name).
        muscle: String,
        /// Distance from the injury to the motor entry point, mm.
        distance_mm: f64,
    },
}

/// One injury.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Injury {
    /// Location.
    pub location: Location,
    /// Grade or prior (of the injury when its roots are not avulsed).
    pub grade: GradeSpec,
    /// Probability that the roots of this plexus element are avulsed from the cord
    /// (preganglionic): 1 when the grade is `avulsion`, the `avulsion` weight of the prior, else 0.
    /// An avulsed draw is simulated as a neurotmesis with no regrowth that no repair or graft can
    /// reach.
    pub avulsion: f64,
    /// The avulsion probability before the findings (the case's grade or prior weight).
    pub avulsion_prior: f64,
    /// Findings stated for the avulsion question (`[injury.findings]`), each with the likelihood
    /// ratio it contributed (`None`: no figure in the sources seen, so it moved nothing).
    /// `avulsion` is the prior updated by them.
    pub avulsion_findings: Vec<StatedFinding>,
    /// What the case states of the lesion's continuity, if anything.
    pub continuity: Option<Continuity>,
    /// Share of the nerve's axons injured (1 = complete; below 1 a partial lesion).
    pub extent: f64,
    /// Day of injury (0 for the first).
    pub day: u32,
    /// Axons cannot regrow without surgery (a gap, a ligated or resected nerve).
    pub regrowth_prevented: bool,
    /// Gap between the stumps, mm (for a graft length), if known.
    pub gap_mm: Option<f64>,
    /// Free-text mechanism.
    pub mechanism: Option<String>,
    /// Muscles affected with their distances (resolved against the atlas).
    pub muscles: Vec<AffectedMuscle>,
}

/// A finding stated for the root-avulsion question, with what it did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatedFinding {
    /// Finding id (`pseudomeningocele`, `snap`, `paraspinals`, `horner`).
    pub finding: String,
    /// The value stated.
    pub value: String,
    /// P(value | avulsed) / P(value | not avulsed); `None` when the sources give no figure.
    pub likelihood_ratio: Option<f64>,
    /// Where the figure comes from, or why there is none.
    pub source: String,
}

/// The continuity of a lesion as a surgeon or an imaging study states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Continuity {
    /// The nerve is in continuity (seen at exploration or on ultrasound): Sunderland I-IV, the
    /// grade prior keeps only those grades.
    InContinuity,
    /// The nerve is ruptured or divided: Sunderland V (neurotmesis).
    Ruptured,
}

impl Injury {
    /// The nerve id (or `explicit`).
    pub fn nerve(&self) -> &str {
        match &self.location {
            Location::Atlas { nerve, .. } => nerve,
            Location::Explicit { .. } => "explicit",
        }
    }
    /// A readable place.
    pub fn place(&self) -> String {
        match &self.location {
            Location::Atlas { nerve, site } => {
                format!("{nerve} nerve at {}", site.replace('_', " "))
            }
            Location::Explicit {
                muscle,
                distance_mm,
            } => {
                format!("{distance_mm:.0} mm from {}", muscle.replace('_', " "))
            }
        }
    }
}

/// How a nerve is repaired (primary suture, graft, transfer): the twin's one type, so a new
/// method is added in the twin only. A patient's transfer adds where its donor comes from and how
/// it is sutured ([`TransferSite`]); the twin needs only the donor axons.
pub use twin::RepairMethod;

/// The patient-level details of a nerve transfer that the twin does not need: the atlas transfer
/// (whose per-target distances the Monte Carlo resolves), an explicit coaptation distance, and
/// end-to-side coaptation. Empty on a primary repair or graft.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct TransferSite {
    /// Atlas transfer id, if from the atlas.
    pub atlas_id: Option<String>,
    /// Distance from the coaptation to the target's entry point (explicit), mm; atlas
    /// transfers compute it per target.
    pub distance_mm: Option<f64>,
    /// Supercharged end-to-side (SETS): the donor is sutured into a window in the recipient,
    /// which is not cut, so the recipient's own regrowth continues beside the donor axons
    /// (`[supercharge]` in `data/clinic/strategies.toml`). End-to-end (false, the default)
    /// divides the recipient: its targets get the donor axons only.
    pub end_to_side: bool,
    /// Whether an atlas transfer's donor axons are set per patient and target muscle by the
    /// donor–recipient size match where the atlas names counted nerves
    /// ([`crate::atlas::Transfer::nerves_for`]); false when the case gives `donor_axons`
    /// (which then apply as given) or the transfer is not from the atlas.
    pub size_match: bool,
}

/// A treatment of a patient: the twin's treatments ([`twin::Treatment`], the workspace's one
/// treatment type) tied to the injury they address, plus the patient-level parts the twin does not
/// model itself (an atlas transfer, brief stimulation at the repair, a drug what-if).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Treatment {
    /// Surgical repair of an injury.
    Repair {
        /// Index of the injury repaired.
        injury: usize,
        /// Day.
        day: u32,
        /// Technique, in the twin's type.
        method: RepairMethod,
        /// A transfer's donor and coaptation (empty otherwise).
        transfer: TransferSite,
        /// Brief electrical stimulation of the nerve at the repair (1 h, 20 Hz): the axons cross
        /// the suture line sooner (`[brief_stimulation]` in `data/clinic/strategies.toml`).
        brief_stimulation: bool,
    },
    /// A treatment of the muscles of an injury exactly as the twin models it: direct electrical
    /// stimulation, disuse (immobilization, unloading, bed rest, paralysis) or rehabilitation
    /// (range of motion, progressive resistance). Its days count from the first injury; the
    /// case's last day of a period is the twin's `end_day - 1`.
    Muscle {
        /// Index of the injury whose muscles it acts on.
        injury: usize,
        /// The treatment, in the twin's type (never a `Repair`: that is [`Treatment::Repair`]).
        treatment: twin::Treatment,
    },
    /// A pharmacological what-if (experimental; only from the case's `[what_if] drugs`): a
    /// drug of `data/clinic/strategies.toml` `[[drug]]`, acting on every injury's runs.
    Drug {
        /// Index of the injury (drugs act on every injury; kept for the plan bookkeeping).
        injury: usize,
        /// First day.
        day: u32,
        /// Drug id.
        id: String,
    },
}

impl Treatment {
    /// The (first) day it acts.
    pub fn day(&self) -> u32 {
        match self {
            Treatment::Repair { day, .. } | Treatment::Drug { day, .. } => *day,
            Treatment::Muscle { treatment, .. } => treatment.start_day().0 as u32,
        }
    }
    /// The injury it applies to.
    pub fn injury(&self) -> usize {
        match self {
            Treatment::Repair { injury, .. }
            | Treatment::Muscle { injury, .. }
            | Treatment::Drug { injury, .. } => *injury,
        }
    }
    /// Whether it is direct electrical stimulation of the muscles.
    pub fn is_stimulation(&self) -> bool {
        matches!(
            self,
            Treatment::Muscle {
                treatment: twin::Treatment::Stimulation { .. },
                ..
            }
        )
    }
    /// Whether it is a nerve transfer.
    pub fn is_transfer(&self) -> bool {
        matches!(
            self,
            Treatment::Repair {
                method: RepairMethod::Transfer { .. },
                ..
            }
        )
    }
}

/// The findings words of an observation (fibrillation grade, MUP type, CMAP and recruitment
/// level): the workspace's one definition, shared with the readout and the diagnosis.
pub use vocabulary::findings::{Fibrillations, Level, MupType};

/// A follow-up observation of one muscle on one day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Observation {
    /// Day since the first injury.
    pub day: u32,
    /// Muscle.
    pub muscle: String,
    /// MRC grade 0–5.
    pub mrc: Option<u8>,
    /// Fibrillations.
    pub fibrillations: Option<Fibrillations>,
    /// MUPs.
    pub mup: Option<MupType>,
    /// Recruitment.
    pub recruitment: Option<Level>,
    /// CMAP on stimulation distal to the injury.
    pub cmap: Option<Level>,
}

/// A sign of reinnervation that a clinician looks for in a muscle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sign {
    /// Voluntary contraction of at least this MRC grade.
    Mrc(u8),
    /// Voluntary (nascent or later) motor units on needle EMG.
    NascentUnits,
    /// A CMAP recordable on stimulation above the muscle (not absent).
    Cmap,
    /// Any of MRC ≥ 1 or voluntary motor units on needle EMG.
    Any,
}

impl Sign {
    /// Parses `mrc` (MRC ≥ 1), `mrc_3` (MRC ≥ 3; any grade 1–5), `nascent_units` (also `emg`),
    /// `cmap`, `any`.
    pub fn parse(s: &str) -> Option<Sign> {
        match s.trim() {
            "mrc" => Some(Sign::Mrc(1)),
            "nascent_units" | "emg" | "units" => Some(Sign::NascentUnits),
            "cmap" => Some(Sign::Cmap),
            "any" => Some(Sign::Any),
            t => t
                .strip_prefix("mrc_")
                .and_then(|n| n.parse::<u8>().ok())
                .filter(|n| (1..=5).contains(n))
                .map(Sign::Mrc),
        }
    }

    /// In words.
    pub fn words(&self) -> String {
        match self {
            Sign::Mrc(1) => "a flicker of contraction (MRC >= 1)".into(),
            Sign::Mrc(n) => format!("MRC >= {n}"),
            Sign::NascentUnits => "voluntary (nascent) motor units on needle EMG".into(),
            Sign::Cmap => "a recordable CMAP".into(),
            Sign::Any => "MRC >= 1 or voluntary motor units on EMG".into(),
        }
    }
}

/// The condition of a conditional strategy: the plan's treatments are done only in the draws in
/// which, while waiting, `muscle` shows no `sign` of reinnervation by `day`. Each draw is judged
/// on its own simulated course (the twin's state read as MRC, needle EMG or CMAP, without
/// measurement error).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trigger {
    /// The day of the examination that decides.
    pub day: u32,
    /// The muscle examined (an affected muscle); `None`: the most proximal affected muscle of the
    /// injury the treatments address, the first expected to recover.
    pub muscle: Option<String>,
    /// The sign looked for.
    pub sign: Sign,
}

/// A plan listed in the case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanSpec {
    /// Name.
    pub name: String,
    /// Treatments added to the case's own (already done) treatments.
    pub treatments: Vec<Treatment>,
    /// If given, the treatments are done only in the draws with no sign of reinnervation by the
    /// trigger's day (`[plan.if_no_sign]` in the case file).
    pub condition: Option<Trigger>,
}

/// The case's own values for the weights of the decision criterion (`[criterion]` in the case
/// file); `None` keeps the value of `data/clinic/plans.toml`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CriterionOverrides {
    /// Cost of an operation that waiting did not need.
    pub unneeded_operation: Option<f64>,
    /// Cost of an operation that brought no function that waiting would not have brought.
    pub failed_operation: Option<f64>,
    /// Cost of a year without a function, per unit weight of the function.
    pub time_without_function_per_year: Option<f64>,
    /// Weights of functions (`elbow_flexion = 3`), replacing those of the data file.
    pub weights: BTreeMap<String, f64>,
}

/// Simulation settings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Settings {
    /// Days simulated.
    pub horizon_days: u32,
    /// Monte Carlo draws.
    pub draws: usize,
    /// Seed.
    pub seed: u64,
    /// The day the question is asked (plans start no earlier); default: the last observation.
    pub decision_day: u32,
}

/// The patient.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Patient {
    /// Age at injury, years.
    pub age_years: f64,
    /// Sex.
    pub sex: Option<Sex>,
    /// Height, cm.
    pub height_cm: Option<f64>,
    /// Diabetes, smoking and protein supplementation (nutrition), in the twin's one type: passed
    /// to every simulated muscle unchanged.
    pub modifiers: twin::Modifiers,
}

/// A validated case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Case {
    /// Title.
    pub title: Option<String>,
    /// Patient.
    pub patient: Patient,
    /// Injuries.
    pub injuries: Vec<Injury>,
    /// Treatments already given or planned as part of the case.
    pub treatments: Vec<Treatment>,
    /// Follow-up observations, by day.
    pub observations: Vec<Observation>,
    /// Plans listed in the case.
    pub plans: Vec<PlanSpec>,
    /// The case's own weights of the decision criterion.
    pub criterion: CriterionOverrides,
    /// Pharmacological what-ifs asked for (`[what_if] drugs`, ids of `[[drug]]` in
    /// `data/clinic/strategies.toml`): experimental, none by default.
    pub what_if_drugs: Vec<String>,
    /// The movement an MRC grade is read on and which of its muscles still work
    /// (`[against_gravity]`: `movement`, `muscle`, `working`), checked by the twin's one rule
    /// (`twin::gravity::AgainstGravity::check`, as the scenario and calibration readers do).
    /// The affected muscle it names is simulated with the MRC 3 threshold of that movement's
    /// weight load (`twin::gravity`); the other muscles keep the generic threshold.
    pub against_gravity: Option<twin::gravity::AgainstGravity>,
    /// Settings.
    pub settings: Settings,
}

// ------------------------------------------------------------------ raw (as written)

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum StrOrNum {
    Num(f64),
    Str(String),
}

impl std::fmt::Display for StrOrNum {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StrOrNum::Num(n) => write!(f, "{n}"),
            StrOrNum::Str(s) => write!(f, "\"{s}\""),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCase {
    title: Option<String>,
    #[serde(default)]
    description: Option<String>,
    patient: Option<RawPatient>,
    #[serde(default, alias = "injuries")]
    injury: Vec<RawInjury>,
    #[serde(default, alias = "treatments")]
    treatment: Vec<RawTreatment>,
    #[serde(default, alias = "observations", alias = "followup")]
    observation: Vec<RawObservation>,
    #[serde(default, alias = "plans")]
    plan: Vec<RawPlan>,
    #[serde(default)]
    settings: Option<RawSettings>,
    #[serde(default)]
    criterion: Option<RawCriterion>,
    #[serde(default)]
    what_if: Option<RawWhatIf>,
    #[serde(default)]
    against_gravity: Option<twin::gravity::AgainstGravity>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWhatIf {
    #[serde(default)]
    drugs: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCriterion {
    unneeded_operation: Option<f64>,
    failed_operation: Option<f64>,
    time_without_function_per_year: Option<f64>,
    #[serde(default)]
    weights: BTreeMap<String, f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTrigger {
    muscle: Option<String>,
    sign: Option<String>,
    by_day: Option<f64>,
    by_date: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPatient {
    age_years: Option<f64>,
    sex: Option<String>,
    height_cm: Option<f64>,
    #[serde(default)]
    diabetes: bool,
    #[serde(default)]
    smoking: bool,
    #[serde(default)]
    protein_supplement: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInjury {
    nerve: Option<String>,
    site: Option<String>,
    muscle: Option<String>,
    distance_mm: Option<f64>,
    grade: Option<StrOrNum>,
    sunderland: Option<f64>,
    prior: Option<BTreeMap<String, f64>>,
    #[serde(alias = "fraction_of_axons")]
    extent: Option<StrOrNum>,
    date: Option<String>,
    day: Option<f64>,
    regrowth: Option<String>,
    gap_mm: Option<f64>,
    mechanism: Option<String>,
    side: Option<String>,
    continuity: Option<String>,
    findings: Option<BTreeMap<String, StrOrBool>>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum StrOrBool {
    Bool(bool),
    Str(String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTreatment {
    kind: Option<String>,
    method: Option<String>,
    nerve: Option<String>,
    day: Option<f64>,
    date: Option<String>,
    graft_length_mm: Option<f64>,
    transfer: Option<String>,
    donor_axons: Option<f64>,
    donor_axotomized_days: Option<f64>,
    distance_mm: Option<f64>,
    start_day: Option<f64>,
    start_date: Option<String>,
    end_day: Option<f64>,
    end_date: Option<String>,
    hours_per_day: Option<f64>,
    contractions_per_day: Option<f64>,
    brief_stimulation: Option<bool>,
    coaptation: Option<String>,
    model: Option<String>,
    #[serde(alias = "program")]
    programme: Option<String>,
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawObservation {
    day: Option<f64>,
    date: Option<String>,
    muscle: Option<String>,
    mrc: Option<f64>,
    emg: Option<RawEmg>,
    ncs: Option<RawNcs>,
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEmg {
    fibrillations: Option<StrOrNum>,
    mup: Option<String>,
    recruitment: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNcs {
    cmap: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    name: Option<String>,
    #[serde(default, alias = "treatments")]
    treatment: Vec<RawTreatment>,
    if_no_sign: Option<RawTrigger>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    horizon_days: Option<f64>,
    #[serde(alias = "samples")]
    draws: Option<f64>,
    seed: Option<u64>,
    decision_day: Option<f64>,
    decision_date: Option<String>,
}

/// Largest horizon accepted (10 years): bounded work per request ([`twin::limits`]).
pub const MAX_HORIZON_DAYS: u32 = twin::limits::MAX_PROGNOSIS_HORIZON_DAYS;
/// Largest number of draws accepted ([`twin::limits`]).
pub const MAX_DRAWS: usize = twin::limits::MAX_DRAWS;

impl Case {
    /// Parses a TOML case.
    pub fn from_toml(text: &str, atlas: &Atlas) -> Result<Case, CaseError> {
        let raw: RawCase = toml::from_str(text).map_err(|e| syntax(&e.to_string()))?;
        raw.validate(atlas)
    }

    /// Parses a JSON case.
    pub fn from_json(text: &str, atlas: &Atlas) -> Result<Case, CaseError> {
        let raw: RawCase = serde_json::from_str(text).map_err(|e| syntax(&e.to_string()))?;
        raw.validate(atlas)
    }

    /// Parses TOML or JSON (JSON if the first non-blank character is `{`).
    pub fn parse(text: &str, atlas: &Atlas) -> Result<Case, CaseError> {
        if text.trim_start().starts_with('{') {
            Self::from_json(text, atlas)
        } else {
            Self::from_toml(text, atlas)
        }
    }

    /// All affected muscles, in injury then branching order (a muscle hit by two injuries appears
    /// once, under the first).
    pub fn muscles(&self) -> Vec<(usize, &AffectedMuscle)> {
        let mut seen = std::collections::BTreeSet::new();
        let mut out = Vec::new();
        for (i, inj) in self.injuries.iter().enumerate() {
            for m in &inj.muscles {
                if seen.insert(m.muscle.clone()) {
                    out.push((i, m));
                }
            }
        }
        out
    }
}

struct DayCtx {
    origin: Option<time::Date>,
}

/// A syntax error of the case file, lines cut to [`twin::limits::ECHO_CHARS`], with a hint a
/// clinician can act on for the mistakes met in practice: an unquoted date (TOML reads it as a
/// date-time, which the format does not take), a grade or number written with `+`/`-` or in
/// quotes, and `[injury]` written for `[[injury]]`.
fn syntax(message: &str) -> CaseError {
    let mut out = twin::limits::echo_lines(message.trim());
    let quoted_line = message
        .lines()
        .find(|l| l.contains(" | ") && !l.trim_end().ends_with('|'))
        .unwrap_or("");
    let hint = if message.contains("invalid type: map, expected a string")
        && quoted_line.chars().filter(|c| *c == '-').count() >= 2
    {
        Some("dates are written in quotes, as text: date = \"2026-03-02\"".to_string())
    } else if let Some(rest) = message.split("invalid type: string \"").nth(1)
        && message.contains("expected f64")
    {
        let value = rest.split('"').next().unwrap_or("");
        Some(format!(
            "this field takes a plain number without quotes; \"{}\" is text{}",
            twin::limits::echo(value),
            if value.ends_with('+') || value.ends_with('-') {
                " (grades with + or - are not part of the format: give the whole grade, e.g. mrc = 4)"
            } else {
                ""
            }
        ))
    } else if message.contains("invalid type: map, expected a sequence") {
        let name = quoted_line
            .split('[')
            .nth(1)
            .and_then(|r| r.split(']').next())
            .unwrap_or("name")
            .trim()
            .to_string();
        Some(format!(
            "`[{name}]` is a single table but this field is a list: write `[[{name}]]` (double brackets) for each entry"
        ))
    } else {
        None
    };
    if let Some(h) = hint {
        out.push_str("\nhint: ");
        out.push_str(&h);
    }
    CaseError::Syntax(out)
}

fn parse_date(field: &str, s: &str) -> Result<time::Date, CaseError> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s.trim(), &fmt)
        .map_err(|_| CaseError::field(field, format!("\"{s}\""), "a date written YYYY-MM-DD"))
}

/// A day (days since the first injury) by the one day rule of every reader
/// ([`twin::treatment_keys::day`]: a whole number, `12.5` refused, not rounded).
fn check_day(field: &str, d: f64) -> Result<u32, CaseError> {
    twin::treatment_keys::day("day", d).map_err(|e| CaseError::field(field, e.value, e.expected))
}

impl DayCtx {
    fn day(
        &self,
        path: &str,
        day: Option<f64>,
        date: Option<&str>,
        key: &str,
    ) -> Result<Option<u32>, CaseError> {
        // The keys as written: `day` and `date`, or `<key>_day` and `<key>_date` (`start_day`).
        let (day_key, date_key) = if key == "day" {
            ("day".to_string(), "date".to_string())
        } else {
            (format!("{key}_day"), format!("{key}_date"))
        };
        match (day, date) {
            (Some(_), Some(_)) => Err(CaseError::field(
                format!("{path}.{date_key}"),
                "given together with a day",
                format!("either `{day_key}` or `{date_key}`, not both"),
            )),
            (Some(d), None) => check_day(&format!("{path}.{day_key}"), d).map(Some),
            (None, Some(s)) => {
                let f = format!("{path}.{date_key}");
                let date = parse_date(&f, s)?;
                let Some(origin) = self.origin else {
                    return Err(CaseError::field(
                        f,
                        format!("\"{s}\""),
                        "a day number, or a `date` on the first injury to count days from",
                    ));
                };
                let days = (date - origin).whole_days();
                if days < 0 {
                    return Err(CaseError::field(
                        f,
                        format!("\"{s}\""),
                        "a date on or after the first injury",
                    ));
                }
                check_day(&f, days as f64).map(Some)
            }
            (None, None) => Ok(None),
        }
    }
}

impl RawCase {
    fn validate(self, atlas: &Atlas) -> Result<Case, CaseError> {
        let _ = &self.description;
        let p = self.patient.ok_or_else(|| {
            CaseError::missing("patient", "a [patient] table with at least age_years")
        })?;
        let age = p
            .age_years
            .ok_or_else(|| CaseError::missing("patient.age_years", "the age in years (0-110)"))?;
        if !(age.is_finite() && (0.0..=110.0).contains(&age)) {
            return Err(CaseError::field(
                "patient.age_years",
                age,
                "an age in years between 0 and 110",
            ));
        }
        let sex = match p.sex.as_deref() {
            None => None,
            Some("male") => Some(Sex::Male),
            Some("female") => Some(Sex::Female),
            Some(other) => {
                return Err(CaseError::field(
                    "patient.sex",
                    format!("\"{other}\""),
                    "`female` or `male`",
                ));
            }
        };
        if let Some(h) = p.height_cm
            && !(h.is_finite() && (50.0..=250.0).contains(&h))
        {
            {
                return Err(CaseError::field(
                    "patient.height_cm",
                    h,
                    "a height in cm between 50 and 250",
                ));
            }
        }
        let patient = Patient {
            age_years: age,
            sex,
            height_cm: p.height_cm,
            modifiers: twin::Modifiers {
                diabetes: p.diabetes,
                smoking: p.smoking,
                protein_supplement: p.protein_supplement,
            },
        };

        if self.injury.is_empty() {
            return Err(CaseError::missing(
                "injury",
                "at least one [[injury]] with a nerve and site (or a muscle and distance_mm)",
            ));
        }
        let origin = match self.injury[0].date.as_deref() {
            Some(s) => Some(parse_date("injury[0].date", s)?),
            None => None,
        };
        let ctx = DayCtx { origin };
        let mut injuries = Vec::new();
        for (i, r) in self.injury.into_iter().enumerate() {
            injuries.push(validate_injury(i, r, atlas, &patient, &ctx)?);
        }
        let nerves: Vec<String> = injuries.iter().map(|i| i.nerve().to_string()).collect();

        let mut treatments = Vec::new();
        for (i, t) in self.treatment.into_iter().enumerate() {
            treatments.push(validate_treatment(
                &format!("treatment[{i}]"),
                t,
                atlas,
                &nerves,
                &injuries,
                &ctx,
            )?);
        }

        let known_muscles: Vec<String> = injuries
            .iter()
            .flat_map(|i| i.muscles.iter().map(|m| m.muscle.clone()))
            .collect();
        let mut observations = Vec::new();
        for (i, o) in self.observation.into_iter().enumerate() {
            observations.push(validate_observation(i, o, &known_muscles, &ctx)?);
        }
        observations.sort_by_key(|o| o.day);

        if let Some(g) = &self.against_gravity {
            g.check().map_err(|(field, value, expected)| {
                CaseError::field(format!("against_gravity.{field}"), value, expected)
            })?;
            if !known_muscles.contains(&g.muscle) {
                return Err(CaseError::field(
                    "against_gravity.muscle",
                    format!("\"{}\"", g.muscle),
                    format!(
                        "one of the case's affected muscles: {}",
                        known_muscles.join(", ")
                    ),
                ));
            }
        }

        let mut plans = Vec::new();
        for (i, pl) in self.plan.into_iter().enumerate() {
            let name = pl.name.ok_or_else(|| {
                CaseError::missing(format!("plan[{i}].name"), "a name for the plan")
            })?;
            let mut ts = Vec::new();
            for (j, t) in pl.treatment.into_iter().enumerate() {
                ts.push(validate_treatment(
                    &format!("plan[{i}].treatment[{j}]"),
                    t,
                    atlas,
                    &nerves,
                    &injuries,
                    &ctx,
                )?);
            }
            let condition = match pl.if_no_sign {
                None => None,
                Some(t) => Some(validate_trigger(
                    &format!("plan[{i}].if_no_sign"),
                    t,
                    &known_muscles,
                    &ts,
                    &ctx,
                )?),
            };
            plans.push(PlanSpec {
                name,
                treatments: ts,
                condition,
            });
        }
        let criterion = match self.criterion {
            None => CriterionOverrides::default(),
            Some(c) => validate_criterion(c, atlas)?,
        };

        let mut what_if_drugs: Vec<String> = Vec::new();
        if let Some(w) = self.what_if {
            let known = crate::data::ClinicData::embedded()
                .map_err(CaseError::Data)?
                .strategies
                .drugs
                .iter()
                .map(|d| d.id.as_str())
                .collect::<Vec<_>>();
            for (k, d) in w.drugs.iter().enumerate() {
                if !known.contains(&d.as_str()) {
                    return Err(CaseError::field(
                        format!("what_if.drugs[{k}]"),
                        format!("\"{d}\""),
                        format!(
                            "a drug of data/clinic/strategies.toml: {}",
                            known.join(", ")
                        ),
                    ));
                }
                if !what_if_drugs.contains(d) {
                    what_if_drugs.push(d.clone());
                }
            }
        }
        let s = self.settings.unwrap_or(RawSettings {
            horizon_days: None,
            draws: None,
            seed: None,
            decision_day: None,
            decision_date: None,
        });
        let limits = twin::limits::Limits::default();
        let horizon = match s.horizon_days {
            None => 730,
            Some(h) => limits.prognosis_horizon("settings.horizon_days", h, 30)?,
        };
        let draws = match s.draws {
            None => 500,
            Some(d) => limits.draws("settings.draws", d)?,
        };
        let last_obs = observations.iter().map(|o| o.day).max();
        let decision_day = ctx
            .day(
                "settings",
                s.decision_day,
                s.decision_date.as_deref(),
                "decision_day",
            )?
            .or(last_obs)
            .unwrap_or(0);
        if decision_day >= horizon {
            return Err(CaseError::field(
                "settings.decision_day",
                decision_day,
                format!("a day before the horizon ({horizon})"),
            ));
        }
        for o in &observations {
            if o.day >= horizon {
                return Err(CaseError::field(
                    "observation.day",
                    o.day,
                    format!("a day before the horizon ({horizon})"),
                ));
            }
        }
        Ok(Case {
            title: self.title,
            patient,
            injuries,
            treatments,
            observations,
            plans,
            criterion,
            what_if_drugs,
            against_gravity: self.against_gravity,
            settings: Settings {
                horizon_days: horizon,
                draws,
                seed: s.seed.unwrap_or(1),
                decision_day,
            },
        })
    }
}

/// `avulsion`, `root_avulsion` or `preganglionic`: a root avulsion (not a grade of the shared
/// vocabulary: a clinic-level state of a plexus element).
fn is_avulsion(s: &str) -> bool {
    matches!(
        s.trim().to_ascii_lowercase().as_str(),
        "avulsion" | "root_avulsion" | "preganglionic"
    )
}

fn validate_trigger(
    path: &str,
    t: RawTrigger,
    muscles: &[String],
    treatments: &[Treatment],
    ctx: &DayCtx,
) -> Result<Trigger, CaseError> {
    let day = ctx
        .day(path, t.by_day, t.by_date.as_deref(), "by")?
        .ok_or_else(|| {
            CaseError::missing(
                format!("{path}.by_day"),
                "the day (or `by_date`) of the examination that decides",
            )
        })?;
    let sign = match t.sign.as_deref() {
        None => Sign::Any,
        Some(s) => Sign::parse(s).ok_or_else(|| {
            CaseError::field(
                format!("{path}.sign"),
                format!("\"{s}\""),
                "`mrc` (MRC >= 1), `mrc_2`..`mrc_5`, `nascent_units`, `cmap` or `any`",
            )
        })?,
    };
    if let Some(m) = &t.muscle
        && !muscles.contains(m)
    {
        return Err(CaseError::field(
            format!("{path}.muscle"),
            format!("\"{m}\""),
            format!("a muscle affected by the injuries: {}", muscles.join(", ")),
        ));
    }
    if let Some(first) = treatments.iter().map(|x| x.day()).min()
        && first < day
    {
        return Err(CaseError::field(
            format!("{path}.by_day"),
            day,
            format!("a day on or before the plan's first treatment (day {first})"),
        ));
    }
    Ok(Trigger {
        day,
        muscle: t.muscle,
        sign,
    })
}

fn validate_criterion(c: RawCriterion, atlas: &Atlas) -> Result<CriterionOverrides, CaseError> {
    let functions: Vec<String> = crate::data::ClinicData::embedded()?
        .plans
        .functions
        .iter()
        .map(|f| f.id.clone())
        .collect();
    let cost = |field: &str, v: Option<f64>| -> Result<Option<f64>, CaseError> {
        match v {
            None => Ok(None),
            Some(x) if x.is_finite() && (0.0..=10.0).contains(&x) => Ok(Some(x)),
            Some(x) => Err(CaseError::field(
                format!("criterion.{field}"),
                x,
                "a cost between 0 and 10 (in units of one function's full recovery)",
            )),
        }
    };
    let mut weights = BTreeMap::new();
    for (k, w) in c.weights {
        if !functions.contains(&k) && atlas.muscle(&k).is_none() {
            return Err(CaseError::field(
                format!("criterion.weights.{k}"),
                format!("\"{k}\""),
                format!("a function ({}) or an atlas muscle", functions.join(", ")),
            ));
        }
        if !(w.is_finite() && (0.0..=100.0).contains(&w)) {
            return Err(CaseError::field(
                format!("criterion.weights.{k}"),
                w,
                "a weight between 0 and 100",
            ));
        }
        weights.insert(k, w);
    }
    Ok(CriterionOverrides {
        unneeded_operation: cost("unneeded_operation", c.unneeded_operation)?,
        failed_operation: cost("failed_operation", c.failed_operation)?,
        time_without_function_per_year: cost(
            "time_without_function_per_year",
            c.time_without_function_per_year,
        )?,
        weights,
    })
}

fn validate_injury(
    i: usize,
    r: RawInjury,
    atlas: &Atlas,
    patient: &Patient,
    ctx: &DayCtx,
) -> Result<Injury, CaseError> {
    let path = format!("injury[{i}]");
    let _ = &r.side;
    let day = ctx
        .day(&path, r.day, r.date.as_deref(), "day")?
        .unwrap_or(0);
    let extent = match r.extent {
        None => 1.0,
        Some(StrOrNum::Str(s)) if s == "complete" => 1.0,
        Some(StrOrNum::Num(x)) if x.is_finite() && x > 0.0 && x <= 1.0 => x,
        Some(other) => {
            return Err(CaseError::field(
                format!("{path}.extent"),
                other,
                "`complete` or the injured share of axons in (0, 1]",
            ));
        }
    };
    let mut avulsion = 0.0;
    let mut avulsion_weight = 0.0;
    let grade = match (&r.grade, r.sunderland) {
        (Some(_), Some(_)) => {
            return Err(CaseError::field(
                format!("{path}.sunderland"),
                "given together with grade",
                "either `grade` or `sunderland`",
            ));
        }
        (None, Some(n)) => {
            if n.fract() != 0.0 || !(1.0..=5.0).contains(&n) {
                return Err(CaseError::field(
                    format!("{path}.sunderland"),
                    n,
                    "a Sunderland grade 1 to 5",
                ));
            }
            GradeSpec::Known(Grade::Sunderland(n as u8))
        }
        (None, None) => return Err(CaseError::missing(format!("{path}.grade"), GRADE_EXPECTED)),
        (Some(StrOrNum::Str(s)), None) if s.trim() == "unknown" => {
            let prior = match &r.prior {
                // The default prior lives in data/clinic/unknown_grade.toml (an assumption, with
                // its reason there).
                None => crate::data::ClinicData::embedded()?
                    .unknown_grade_prior
                    .clone(),
                Some(map) => {
                    let mut v = Vec::new();
                    for (k, w) in map {
                        if is_avulsion(k) {
                            if !(w.is_finite() && *w >= 0.0) {
                                return Err(CaseError::field(
                                    format!("{path}.prior.{k}"),
                                    w,
                                    "a non-negative weight",
                                ));
                            }
                            avulsion_weight = *w;
                            continue;
                        }
                        let g = Grade::parse(k).ok_or_else(|| CaseError::field(format!("{path}.prior.{k}"), format!("\"{k}\""), "a grade name as key: neurapraxia, axonotmesis, neurotmesis, sunderland_1..sunderland_5, avulsion"))?;
                        if !(w.is_finite() && *w >= 0.0) {
                            return Err(CaseError::field(
                                format!("{path}.prior.{k}"),
                                w,
                                "a non-negative weight",
                            ));
                        }
                        if *w > 0.0 {
                            v.push((g, *w));
                        }
                    }
                    let total: f64 = v.iter().map(|x| x.1).sum();
                    if !total.is_finite() {
                        return Err(CaseError::field(
                            format!("{path}.prior"),
                            format!("weights summing to {total}"),
                            "weights whose sum is a finite number (they are normalised to 1)",
                        ));
                    }
                    if total + avulsion_weight <= 0.0 {
                        return Err(CaseError::field(
                            format!("{path}.prior"),
                            "all weights zero",
                            "at least one positive weight",
                        ));
                    }
                    avulsion = avulsion_weight / (total + avulsion_weight);
                    if total <= 0.0 {
                        vec![(Grade::Neurotmesis, 1.0)]
                    } else {
                        v.iter().map(|(g, w)| (*g, w / total)).collect()
                    }
                }
            };
            GradeSpec::Unknown(prior)
        }
        (Some(StrOrNum::Str(s)), None) if is_avulsion(s) => {
            if r.prior.is_some() {
                return Err(CaseError::field(
                    format!("{path}.prior"),
                    "given with a known grade",
                    "a prior only with grade = \"unknown\"",
                ));
            }
            avulsion = 1.0;
            GradeSpec::Known(Grade::Neurotmesis)
        }
        (Some(StrOrNum::Str(s)), None) => match Grade::parse(s) {
            Some(g) => {
                if r.prior.is_some() {
                    return Err(CaseError::field(
                        format!("{path}.prior"),
                        "given with a known grade",
                        "a prior only with grade = \"unknown\"",
                    ));
                }
                GradeSpec::Known(g)
            }
            None => {
                return Err(CaseError::field(
                    format!("{path}.grade"),
                    format!("\"{s}\""),
                    GRADE_EXPECTED,
                ));
            }
        },
        (Some(other @ StrOrNum::Num(_)), None) => {
            return Err(CaseError::field(
                format!("{path}.grade"),
                other,
                GRADE_EXPECTED,
            ));
        }
    };
    let regrowth_prevented = match r.regrowth.as_deref() {
        None | Some("allowed") => false,
        Some("prevented") => true,
        Some(other) => {
            return Err(CaseError::field(
                format!("{path}.regrowth"),
                format!("\"{other}\""),
                "`allowed` or `prevented`",
            ));
        }
    };
    if let Some(g) = r.gap_mm
        && !(g.is_finite() && (0.0..=300.0).contains(&g))
    {
        {
            return Err(CaseError::field(
                format!("{path}.gap_mm"),
                g,
                "a gap in mm between 0 and 300",
            ));
        }
    }
    let (location, muscles) = match (r.nerve, r.site, r.muscle, r.distance_mm) {
        (Some(nerve), Some(site), None, None) => {
            let ms = atlas
                .affected(&nerve, &site, patient.height_cm, patient.sex)
                .map_err(|e| CaseError::Atlas {
                    field: match e {
                        AtlasError::UnknownNerve { .. } => format!("{path}.nerve"),
                        _ => format!("{path}.site"),
                    },
                    error: e,
                })?;
            if ms.is_empty() {
                return Err(CaseError::field(
                    format!("{path}.site"),
                    format!("\"{site}\""),
                    format!("a site proximal to at least one muscle of the {nerve} nerve"),
                ));
            }
            (Location::Atlas { nerve, site }, ms)
        }
        (nerve, None, Some(muscle), Some(d)) => {
            // The one distance rule (`twin::treatment_keys::distance_mm`).
            let d = twin::treatment_keys::distance_mm("distance_mm", d).map_err(|e| {
                CaseError::field(format!("{path}.distance_mm"), e.value, e.expected)
            })?;
            if muscle.is_empty()
                || !muscle
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit())
            {
                return Err(CaseError::field(
                    format!("{path}.muscle"),
                    format!("\"{muscle}\""),
                    "a snake_case muscle name",
                ));
            }
            // A muscle given by distance must be one the twin can simulate (itself, or through
            // the atlas); a misspelling used to be simulated as the biceps with a note.
            let twin_params = twin::Parameters::for_species(twin::Species::Human)?;
            if atlas.muscle(&muscle).is_none() && !twin_params.has_muscle(&muscle) {
                let mut known: Vec<&str> = atlas.muscles.iter().map(|m| m.id.as_str()).collect();
                known.extend(twin_params.muscles().map(|m| m.name.as_str()));
                known.sort_unstable();
                known.dedup();
                return Err(CaseError::field(
                    format!("{path}.muscle"),
                    format!("\"{muscle}\""),
                    format!(
                        "a muscle of the atlas or the twin{}",
                        twin::limits::did_you_mean(&twin::limits::close_names(
                            &muscle,
                            &known,
                            &[]
                        ))
                    ),
                ));
            }
            let m = AffectedMuscle {
                muscle: muscle.clone(),
                nerve: nerve.unwrap_or_else(|| "explicit".into()),
                distance_mm: d,
                distance_sd_mm: 0.0,
                axon_share: 1.0,
                provenance: "given in the case".into(),
            };
            (
                Location::Explicit {
                    muscle,
                    distance_mm: d,
                },
                vec![m],
            )
        }
        (None, Some(_), None, None) => {
            return Err(CaseError::missing(
                format!("{path}.nerve"),
                "the injured nerve for the site",
            ));
        }
        (None, _, None, _) => {
            return Err(CaseError::missing(
                format!("{path}.nerve"),
                "a nerve and a site from the atlas, or a muscle and distance_mm",
            ));
        }
        (Some(_), None, None, _) => {
            return Err(CaseError::missing(
                format!("{path}.site"),
                "an atlas site for the nerve (or a muscle and distance_mm)",
            ));
        }
        (_, Some(_), Some(_), _) | (_, Some(_), None, Some(_)) => {
            return Err(CaseError::field(
                format!("{path}.site"),
                "given with muscle/distance_mm",
                "either nerve + site, or muscle + distance_mm",
            ));
        }
        (_, None, Some(_), None) => {
            return Err(CaseError::missing(
                format!("{path}.distance_mm"),
                "the distance in mm from the injury to the muscle's motor entry point",
            ));
        }
    };
    if avulsion > 0.0 {
        let root_level = match &location {
            Location::Atlas { nerve, site } => {
                site == "roots" || atlas.nerve(nerve).is_some_and(|n| n.kind == "plexus")
            }
            Location::Explicit { .. } => false,
        };
        if !root_level {
            return Err(CaseError::field(
                format!("{path}.grade"),
                "\"avulsion\"",
                "a root avulsion only on a brachial plexus element (trunk or cord) or at the `roots` site",
            ));
        }
    }
    let (grade, continuity) = apply_continuity(&path, grade, r.continuity.as_deref())?;
    let avulsion_prior = avulsion;
    let (avulsion, avulsion_findings) =
        apply_avulsion_findings(&path, avulsion, r.findings.as_ref())?;
    let muscles = muscles
        .into_iter()
        .map(|mut m| {
            m.axon_share *= extent;
            m
        })
        .collect();
    Ok(Injury {
        location,
        grade,
        avulsion,
        avulsion_prior,
        avulsion_findings,
        continuity,
        extent,
        day,
        regrowth_prevented,
        gap_mm: r.gap_mm,
        mechanism: r.mechanism,
        muscles,
    })
}

/// Restricts the grade to what the stated continuity allows: in continuity keeps Sunderland
/// I-IV (the prior renormalised over them), ruptured means neurotmesis. A known grade that
/// contradicts the statement is refused.
fn apply_continuity(
    path: &str,
    grade: GradeSpec,
    continuity: Option<&str>,
) -> Result<(GradeSpec, Option<Continuity>), CaseError> {
    let field = format!("{path}.continuity");
    let c = match continuity.map(str::trim) {
        None => return Ok((grade, None)),
        Some("in_continuity") => Continuity::InContinuity,
        Some("ruptured" | "divided" | "rupture") => Continuity::Ruptured,
        Some(other) => {
            return Err(CaseError::field(
                field,
                format!("\"{other}\""),
                "`in_continuity` (Sunderland I-IV) or `ruptured` (neurotmesis)",
            ));
        }
    };
    let cut = |g: &Grade| matches!(g, Grade::Neurotmesis | Grade::Sunderland(5));
    let grade = match (c, grade) {
        (Continuity::InContinuity, GradeSpec::Known(g)) if cut(&g) => {
            return Err(CaseError::field(
                field,
                "\"in_continuity\"",
                format!(
                    "no continuity statement with grade {}: a nerve in continuity is Sunderland I-IV",
                    g.label()
                ),
            ));
        }
        (Continuity::InContinuity, GradeSpec::Unknown(prior)) => {
            let kept: Vec<(Grade, f64)> = prior.into_iter().filter(|(g, _)| !cut(g)).collect();
            let total: f64 = kept.iter().map(|x| x.1).sum();
            if total <= 0.0 {
                return Err(CaseError::field(
                    field,
                    "\"in_continuity\"",
                    "a prior with some weight on Sunderland I-IV (it has weight only on neurotmesis)",
                ));
            }
            GradeSpec::Unknown(kept.into_iter().map(|(g, w)| (g, w / total)).collect())
        }
        (Continuity::Ruptured, GradeSpec::Known(g)) if !cut(&g) => {
            return Err(CaseError::field(
                field,
                "\"ruptured\"",
                format!(
                    "no rupture statement with grade {}: a ruptured nerve is a neurotmesis",
                    g.label()
                ),
            ));
        }
        (Continuity::Ruptured, _) => GradeSpec::Known(Grade::Neurotmesis),
        (_, g) => g,
    };
    Ok((grade, Some(c)))
}

/// Updates the avulsion probability with the stated findings (likelihood ratios from
/// `data/clinic/strategies.toml` `[[avulsion_finding]]`, taken as independent).
fn apply_avulsion_findings(
    path: &str,
    prior: f64,
    findings: Option<&BTreeMap<String, StrOrBool>>,
) -> Result<(f64, Vec<StatedFinding>), CaseError> {
    let Some(findings) = findings else {
        return Ok((prior, Vec::new()));
    };
    let data = crate::data::ClinicData::embedded()?;
    let known = &data.strategies.avulsion_findings;
    let ids: Vec<&str> = known.iter().map(|f| f.id.as_str()).collect();
    if !findings.is_empty() && prior <= 0.0 {
        return Err(CaseError::field(
            format!("{path}.findings"),
            "given with no avulsion weight",
            "an `avulsion` weight in the prior (grade = \"unknown\") for the findings to move, or no findings",
        ));
    }
    let mut odds = if prior >= 1.0 {
        f64::INFINITY
    } else {
        prior / (1.0 - prior)
    };
    let mut stated = Vec::new();
    for (k, v) in findings {
        let field = format!("{path}.findings.{k}");
        let f = known.iter().find(|f| &f.id == k).ok_or_else(|| {
            CaseError::field(
                &field,
                format!("\"{k}\""),
                format!("one of: {}", ids.join(", ")),
            )
        })?;
        let value = match v {
            StrOrBool::Str(s) => s.trim().to_string(),
            StrOrBool::Bool(true) => "present".into(),
            StrOrBool::Bool(false) => "absent".into(),
        };
        if f.values.is_empty() {
            if !matches!(value.as_str(), "present" | "absent") {
                return Err(CaseError::field(
                    &field,
                    format!("\"{value}\""),
                    "`true`/`present` or `false`/`absent`",
                ));
            }
            stated.push(StatedFinding {
                finding: k.clone(),
                value,
                likelihood_ratio: None,
                source: f.no_figure.clone().unwrap_or_default(),
            });
            continue;
        }
        let e = f.values.iter().find(|x| x.value == value).ok_or_else(|| {
            let vs: Vec<&str> = f.values.iter().map(|x| x.value.as_str()).collect();
            CaseError::field(
                &field,
                format!("\"{value}\""),
                format!("one of: {}", vs.join(", ")),
            )
        })?;
        let lr = e.p_if_avulsed / e.p_if_not;
        odds *= lr;
        stated.push(StatedFinding {
            finding: k.clone(),
            value,
            likelihood_ratio: Some(lr),
            source: e.source.clone(),
        });
    }
    let posterior = if odds.is_infinite() {
        1.0
    } else {
        odds / (1.0 + odds)
    };
    Ok((posterior, stated))
}

fn validate_treatment(
    path: &str,
    t: RawTreatment,
    atlas: &Atlas,
    nerves: &[String],
    injuries: &[Injury],
    ctx: &DayCtx,
) -> Result<Treatment, CaseError> {
    let _ = &t.note;
    let injury = match t.nerve.as_deref() {
        None => 0,
        Some(n) => nerves.iter().position(|x| x == n).ok_or_else(|| {
            CaseError::field(
                format!("{path}.nerve"),
                format!("\"{n}\""),
                format!("the nerve of one of the injuries: {}", nerves.join(", ")),
            )
        })?,
    };
    let kind = t
        .kind
        .as_deref()
        .ok_or_else(|| CaseError::missing(format!("{path}.kind"), TREATMENT_KINDS))?;
    match kind {
        "repair" => {
            let day = ctx
                .day(path, t.day, t.date.as_deref(), "day")?
                .ok_or_else(|| {
                    CaseError::missing(format!("{path}.day"), "the day (or date) of the repair")
                })?;
            if day < injuries[injury].day {
                return Err(CaseError::field(
                    format!("{path}.day"),
                    day,
                    format!(
                        "a day on or after the injury (day {})",
                        injuries[injury].day
                    ),
                ));
            }
            let mut transfer = TransferSite::default();
            // The method and which keys belong to it: the twin's rules
            // (`twin::treatment_keys::repair_method`: no method is a primary repair).
            let method_word = twin::treatment_keys::repair_method(t.method.as_deref())
                .map_err(|e| key_error(path, e))?;
            twin::treatment_keys::method_keys(&[method_word], &given_keys(&t))
                .map_err(|e| key_error(path, e))?;
            let distance_mm = t
                .distance_mm
                .map(|d| {
                    twin::treatment_keys::distance_mm("distance_mm", d)
                        .map_err(|e| key_error(path, e))
                })
                .transpose()?;
            let method = match method_word {
                "primary" => RepairMethod::Primary,
                // A graft's length: the twin's rule (`twin::treatment_keys::graft_length`),
                // the injury's gap standing in for a length not given.
                "graft" => RepairMethod::Graft {
                    length_mm: twin::Millimetres(
                        twin::treatment_keys::graft_length(
                            t.graft_length_mm.or(injuries[injury].gap_mm),
                        )
                        .map_err(|e| key_error(path, e))?,
                    ),
                },
                _ => {
                    let end_to_side = match t.coaptation.as_deref() {
                        None | Some("end_to_end") => false,
                        Some("end_to_side") => true,
                        Some(other) => {
                            return Err(CaseError::field(
                                format!("{path}.coaptation"),
                                format!("\"{other}\""),
                                "`end_to_end` (the recipient divided) or `end_to_side` (supercharged: the recipient kept)",
                            ));
                        }
                    };
                    let donor_axotomized_days = match t.donor_axotomized_days {
                        None => 0,
                        Some(d) => check_day(&format!("{path}.donor_axotomized_days"), d)?,
                    };
                    let (donor_axons, distance_mm) = match &t.transfer {
                        Some(id) => {
                            let tr =
                                atlas
                                    .transfers
                                    .iter()
                                    .find(|x| &x.id == id)
                                    .ok_or_else(|| {
                                        CaseError::field(
                                            format!("{path}.transfer"),
                                            format!("\"{id}\""),
                                            format!(
                                                "an atlas transfer: {}",
                                                atlas
                                                    .transfers
                                                    .iter()
                                                    .map(|x| x.id.as_str())
                                                    .collect::<Vec<_>>()
                                                    .join(", ")
                                            ),
                                        )
                                    })?;
                            let axons = match t.donor_axons {
                                Some(x) => twin::treatment_keys::donor_axons(x)
                                    .map_err(|e| key_error(path, e))?,
                                None => tr.donor_axons,
                            };
                            (axons, distance_mm)
                        }
                        None => {
                            let axons = t.donor_axons.ok_or_else(|| CaseError::missing(format!("{path}.donor_axons"), "the donor's motor axon count (or `transfer` = an atlas transfer id)"))?;
                            let axons = twin::treatment_keys::donor_axons(axons)
                                .map_err(|e| key_error(path, e))?;
                            let d = distance_mm.ok_or_else(|| {
                                CaseError::missing(
                                    format!("{path}.distance_mm"),
                                    "the distance from the coaptation to the motor entry point, mm",
                                )
                            })?;
                            (axons, Some(d))
                        }
                    };
                    transfer = TransferSite {
                        atlas_id: t.transfer.clone(),
                        distance_mm,
                        end_to_side,
                        size_match: t.transfer.is_some() && t.donor_axons.is_none(),
                    };
                    RepairMethod::Transfer {
                        donor_axons,
                        donor_axotomized_days: twin::Days(f64::from(donor_axotomized_days)),
                    }
                }
            };
            // Keys of a transfer only: a suture or a graft joins the nerve at its injury, whose
            // distance to each muscle the atlas gives, so a distance written on one would be
            // silently ignored; a coaptation is a transfer's.
            if !matches!(method, RepairMethod::Transfer { .. }) {
                let transfer_only = [
                    (
                        "distance_mm",
                        t.distance_mm.is_some(),
                        "distance_mm only on a nerve transfer (method = \"transfer\"): a suture or a graft regrows from the injury's own distance to each muscle",
                    ),
                    (
                        "coaptation",
                        t.coaptation.is_some(),
                        "coaptation only on a nerve transfer (method = \"transfer\")",
                    ),
                ];
                if let Some((key, _, expected)) = transfer_only.into_iter().find(|k| k.1) {
                    return Err(CaseError::field(
                        format!("{path}.{key}"),
                        format!(
                            "given with method = \"{}\"",
                            t.method.as_deref().unwrap_or("primary")
                        ),
                        expected,
                    ));
                }
            }
            only_keys_of(path, &t, kind)?;
            Ok(Treatment::Repair {
                injury,
                day,
                method,
                transfer,
                brief_stimulation: t.brief_stimulation.unwrap_or(false),
            })
        }
        "stimulation" | "disuse" | "rehabilitation" => {
            only_keys_of(path, &t, kind)?;
            let (start_day, end_day) = period(path, &t, ctx, kind)?;
            let treatment = match kind {
                "stimulation" => twin::Treatment::Stimulation {
                    start_day,
                    end_day,
                    dose: stimulation_dose(path, &t)?,
                },
                "disuse" => twin::Treatment::Disuse {
                    start_day,
                    end_day,
                    model: twin_word(path, "model", t.model.as_deref())?,
                },
                _ => twin::Treatment::Rehabilitation {
                    start_day,
                    end_day,
                    kind: twin_word(path, "programme", t.programme.as_deref())?,
                },
            };
            Ok(Treatment::Muscle { injury, treatment })
        }
        other => Err(CaseError::field(
            format!("{path}.kind"),
            format!("\"{other}\""),
            TREATMENT_KINDS,
        )),
    }
}

/// The treatment kinds a case names.
const TREATMENT_KINDS: &str = "`repair`, `stimulation`, `disuse` or `rehabilitation`";

/// An error naming the first key `t` gives that a treatment of `kind` does not have (`nerve` and
/// `note` belong to every kind).
fn only_keys_of(path: &str, t: &RawTreatment, kind: &str) -> Result<(), CaseError> {
    // A case may give a period's days as dates too.
    const DATES: [&str; 2] = ["start_date", "end_date"];
    // A repair's keys are the twin's ([`twin::treatment_keys::REPAIR_KEYS`]) and a case's own:
    // its date, an atlas transfer, the coaptation and brief stimulation at the operation.
    const CASE_REPAIR_KEYS: [&str; 4] = ["date", "transfer", "coaptation", "brief_stimulation"];
    let own: &[&str] = match kind {
        "repair" => &twin::treatment_keys::REPAIR_KEYS,
        // The period kinds' keys are the twin's ([`twin::treatment_keys::own_keys`]).
        other => twin::treatment_keys::own_keys(other).unwrap_or(&[]),
    };
    let repair = kind == "repair";
    let given = given_keys(t);
    let period = !repair;
    match given.iter().find(|k| {
        let allowed = own.contains(k)
            || (repair && CASE_REPAIR_KEYS.contains(k))
            || (period && (twin::treatment_keys::PERIOD_KEYS.contains(k) || DATES.contains(k)));
        !allowed
    }) {
        Some(key) => Err(CaseError::field(
            format!("{path}.{key}"),
            format!("given with kind = \"{kind}\""),
            format!("no `{key}` on a {kind} (see docs/prognosis.md, \"The case file\")"),
        )),
        None => Ok(()),
    }
}

/// The keys a treatment gives (besides `kind`, `nerve` and `note`), in the order of the format.
fn given_keys(t: &RawTreatment) -> Vec<&'static str> {
    let given = [
        ("day", t.day.is_some()),
        ("date", t.date.is_some()),
        ("method", t.method.is_some()),
        ("transfer", t.transfer.is_some()),
        ("graft_length_mm", t.graft_length_mm.is_some()),
        ("donor_axons", t.donor_axons.is_some()),
        ("donor_axotomized_days", t.donor_axotomized_days.is_some()),
        ("distance_mm", t.distance_mm.is_some()),
        ("coaptation", t.coaptation.is_some()),
        ("brief_stimulation", t.brief_stimulation.is_some()),
        ("hours_per_day", t.hours_per_day.is_some()),
        ("contractions_per_day", t.contractions_per_day.is_some()),
        ("model", t.model.is_some()),
        ("programme", t.programme.is_some()),
        ("start_day", t.start_day.is_some()),
        ("start_date", t.start_date.is_some()),
        ("end_day", t.end_day.is_some()),
        ("end_date", t.end_date.is_some()),
    ];
    given
        .into_iter()
        .filter(|(_, g)| *g)
        .map(|(k, _)| k)
        .collect()
}

/// A period's first and last day as written (`start_day`/`start_date`, `end_day`/`end_date`, the
/// last day included), as the twin's days: the twin applies a period on the days after
/// `start_day` up to `end_day`, so the case's last day is the twin's `end_day - 1`.
fn period(
    path: &str,
    t: &RawTreatment,
    ctx: &DayCtx,
    kind: &str,
) -> Result<(twin::Days, twin::Days), CaseError> {
    let start = ctx
        .day(path, t.start_day, t.start_date.as_deref(), "start")?
        .ok_or_else(|| {
            CaseError::missing(
                format!("{path}.start_day"),
                format!("the first day (or start_date) of the {kind}"),
            )
        })?;
    let end = ctx
        .day(path, t.end_day, t.end_date.as_deref(), "end")?
        .ok_or_else(|| {
            CaseError::missing(
                format!("{path}.end_day"),
                format!("the last day (or end_date) of the {kind}"),
            )
        })?;
    twin::treatment_keys::period_order(f64::from(start), f64::from(end))
        .map_err(|e| key_error(path, e))?;
    Ok((
        twin::Days(f64::from(start)),
        twin::Days(f64::from(end) + 1.0),
    ))
}

/// The daily dose of a stimulation, in the twin's one dose type, by the twin's one rule
/// ([`twin::treatment_keys::dose`]).
fn stimulation_dose(path: &str, t: &RawTreatment) -> Result<twin::StimulationDose, CaseError> {
    twin::treatment_keys::dose(t.contractions_per_day, t.hours_per_day)
        .map_err(|e| key_error(path, e))
}

/// A period key's error from the twin's reader ([`twin::treatment_keys`]) at `path`.
fn key_error(path: &str, e: twin::treatment_keys::KeyError) -> CaseError {
    CaseError::field(format!("{path}.{}", e.key), e.value, e.expected)
}

/// A word of one of the twin's treatment enums (a disuse model, a rehabilitation programme),
/// read by the twin's own names: the accepted words are listed from the twin's type.
fn twin_word<T: serde::de::DeserializeOwned>(
    path: &str,
    key: &str,
    word: Option<&str>,
) -> Result<T, CaseError> {
    use serde::de::value::{Error, StrDeserializer};
    // The words of the twin's enum, from serde's own message (`unknown variant ..., expected ...`).
    let expected = || {
        T::deserialize(StrDeserializer::<Error>::new("?"))
            .err()
            .map(|e| {
                let e = e.to_string();
                e.split_once("expected ")
                    .map_or(e.clone(), |(_, x)| x.to_string())
            })
            .unwrap_or_default()
    };
    let Some(w) = word else {
        return Err(CaseError::missing(format!("{path}.{key}"), expected()));
    };
    T::deserialize(StrDeserializer::<Error>::new(w))
        .map_err(|_| CaseError::field(format!("{path}.{key}"), format!("\"{w}\""), expected()))
}

fn validate_observation(
    i: usize,
    o: RawObservation,
    muscles: &[String],
    ctx: &DayCtx,
) -> Result<Observation, CaseError> {
    let path = format!("observation[{i}]");
    let _ = &o.note;
    let day = ctx
        .day(&path, o.day, o.date.as_deref(), "day")?
        .ok_or_else(|| {
            CaseError::missing(
                format!("{path}.day"),
                "the day (or date) of the observation",
            )
        })?;
    let muscle = o
        .muscle
        .ok_or_else(|| CaseError::missing(format!("{path}.muscle"), "the muscle examined"))?;
    if !muscles.contains(&muscle) {
        return Err(CaseError::field(
            format!("{path}.muscle"),
            format!("\"{muscle}\""),
            format!("a muscle affected by the injuries: {}", muscles.join(", ")),
        ));
    }
    let mrc = match o.mrc {
        None => None,
        Some(m) if m.fract() == 0.0 && (0.0..=5.0).contains(&m) => Some(m as u8),
        Some(m) => {
            return Err(CaseError::field(
                format!("{path}.mrc"),
                m,
                "an MRC grade 0, 1, 2, 3, 4 or 5",
            ));
        }
    };
    let (mut fib, mut mup, mut rec, mut cmap) = (None, None, None, None);
    if let Some(e) = o.emg {
        fib = match e.fibrillations {
            None => None,
            Some(StrOrNum::Num(0.0)) => Some(Fibrillations::Grade(0)),
            Some(StrOrNum::Str(s)) => Some(Fibrillations::parse(&s).ok_or_else(|| {
                CaseError::field(
                    format!("{path}.emg.fibrillations"),
                    format!("\"{s}\""),
                    "`0`, `present`, `1+`, `2+`, `3+` or `4+`",
                )
            })?),
            Some(other) => {
                return Err(CaseError::field(
                    format!("{path}.emg.fibrillations"),
                    other,
                    "`0`, `present`, `1+`, `2+`, `3+` or `4+`",
                ));
            }
        };
        mup = match e.mup.as_deref() {
            None => None,
            Some(s) if MupType::parse(s).is_some() => MupType::parse(s),
            Some(s) => {
                return Err(CaseError::field(
                    format!("{path}.emg.mup"),
                    format!("\"{s}\""),
                    "`none`, `nascent`, `neurogenic` or `normal` (myopathic/mixed MUPs are not modelled after a nerve injury)",
                ));
            }
        };
        rec = match e.recruitment.as_deref() {
            None => None,
            Some(s) if Level::parse_recruitment(s).is_some() => Level::parse_recruitment(s),
            Some(s) => {
                return Err(CaseError::field(
                    format!("{path}.emg.recruitment"),
                    format!("\"{s}\""),
                    "`none`, `reduced` or `normal`",
                ));
            }
        };
    }
    if let Some(n) = o.ncs {
        cmap = match n.cmap.as_deref() {
            None => None,
            Some(s) if Level::parse_cmap(s).is_some() => Level::parse_cmap(s),
            Some(s) => {
                return Err(CaseError::field(
                    format!("{path}.ncs.cmap"),
                    format!("\"{s}\""),
                    "`absent`, `reduced` or `normal`",
                ));
            }
        };
    }
    if mrc.is_none() && fib.is_none() && mup.is_none() && rec.is_none() && cmap.is_none() {
        return Err(CaseError::missing(
            format!("{path}.mrc"),
            "at least one finding: mrc, emg.fibrillations, emg.mup, emg.recruitment or ncs.cmap",
        ));
    }
    Ok(Observation {
        day,
        muscle,
        mrc,
        fibrillations: fib,
        mup,
        recruitment: rec,
        cmap,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn atlas() -> Atlas {
        Atlas::human().unwrap()
    }

    const GOOD: &str = r#"
title = "t"
[patient]
age_years = 35
sex = "male"
height_cm = 180
[[injury]]
nerve = "radial"
site = "mid_humerus"
grade = "unknown"
prior = { neurapraxia = 1, axonotmesis = 2, neurotmesis = 1 }
date = "2026-01-10"
[[treatment]]
kind = "stimulation"
start_date = "2026-01-20"
end_day = 100
hours_per_day = 1
[[observation]]
date = "2026-05-10"
muscle = "brachioradialis"
mrc = 0
emg = { fibrillations = "3+", mup = "none" }
[settings]
draws = 50
seed = 7
"#;

    #[test]
    fn parses_dates_days_and_prior() {
        let c = Case::from_toml(GOOD, &atlas()).unwrap();
        assert_eq!(c.treatments[0].day(), 10);
        assert_eq!(c.observations[0].day, 120);
        assert_eq!(c.settings.decision_day, 120);
        match &c.injuries[0].grade {
            GradeSpec::Unknown(p) => {
                assert!((p.iter().map(|x| x.1).sum::<f64>() - 1.0).abs() < 1e-12)
            }
            g => panic!("{g:?}"),
        }
    }

    #[test]
    fn a_stimulation_dose_is_the_twins_dose_type() {
        let c = Case::from_toml(GOOD, &atlas()).unwrap();
        assert!(matches!(
            c.treatments[0],
            Treatment::Muscle {
                treatment: twin::Treatment::Stimulation {
                    dose: twin::StimulationDose::HoursPerDay(h),
                    ..
                },
                ..
            } if h == 1.0
        ));
        // Given both ways: refused, by the twin's rule (`twin::treatment_keys::dose`).
        let both = GOOD.replace(
            "hours_per_day = 1",
            "hours_per_day = 1\ncontractions_per_day = 400",
        );
        let e = Case::from_toml(&both, &atlas()).unwrap_err().to_string();
        assert!(
            e.contains("treatment[0].contractions_per_day")
                && e.contains("given with hours_per_day")
                && e.contains("exactly one of"),
            "{e}"
        );
        let none = GOOD.replace("hours_per_day = 1\n", "");
        let e = Case::from_toml(&none, &atlas()).unwrap_err().to_string();
        assert!(
            e.contains("treatment[0].contractions_per_day") && e.contains("missing"),
            "{e}"
        );
    }

    #[test]
    fn json_is_accepted() {
        let j = r#"{"patient": {"age_years": 50}, "injury": [{"nerve": "ulnar", "site": "elbow", "grade": "neurotmesis"}]}"#;
        let c = Case::parse(j, &atlas()).unwrap();
        assert!(
            c.injuries[0]
                .muscles
                .iter()
                .any(|m| m.muscle == "first_dorsal_interosseous")
        );
    }

    fn err(text: &str) -> String {
        Case::from_toml(text, &atlas()).unwrap_err().to_string()
    }

    #[test]
    fn malformed_cases_name_field_value_and_expectation() {
        let base =
            "[patient]\nage_years = 40\n[[injury]]\nnerve = \"radial\"\nsite = \"mid_humerus\"\n";
        let e = err(&format!("{base}grade = \"bad\"\n"));
        assert!(
            e.contains("injury[0].grade") && e.contains("bad") && e.contains("neurapraxia"),
            "{e}"
        );
        let e = err(
            "[patient]\nage_years = -3\n[[injury]]\nnerve = \"radial\"\nsite = \"elbow\"\ngrade = \"neurotmesis\"\n",
        );
        assert!(e.contains("patient.age_years") && e.contains("-3"), "{e}");
        let e = err(&format!(
            "{base}grade = \"axonotmesis\"\n[[observation]]\nday = 100\nmuscle = \"deltoid\"\nmrc = 2\n"
        ));
        assert!(
            e.contains("observation[0].muscle")
                && e.contains("deltoid")
                && e.contains("brachioradialis"),
            "{e}"
        );
        let e = err(&format!(
            "{base}grade = \"axonotmesis\"\n[[observation]]\nday = 100\nmuscle = \"brachioradialis\"\nmrc = 7\n"
        ));
        assert!(e.contains("observation[0].mrc") && e.contains('7'), "{e}");
        let e = err(&format!(
            "{base}grade = \"axonotmesis\"\n[[treatment]]\nkind = \"repair\"\ndate = \"2026-02-01\"\n"
        ));
        assert!(
            e.contains("treatment[0].date") && e.contains("first injury"),
            "{e}"
        );
        let e = err(
            "[patient]\nage_years = 40\n[[injury]]\nnerve = \"radial\"\nsite = \"wrist_x\"\ngrade = \"neurotmesis\"\n",
        );
        assert!(e.contains("injury[0].site") && e.contains("wrist_x"), "{e}");
        let e = err(&format!(
            "{base}grade = \"axonotmesis\"\n[settings]\ndraws = 0\n"
        ));
        assert!(e.contains("settings.draws"), "{e}");
        let e = err(&format!("{base}grade = \"axonotmesis\"\ncolour = 3\n"));
        assert!(e.contains("colour"), "{e}");
        let e = err(&format!(
            "{base}grade = \"axonotmesis\"\n[[observation]]\nday = 90\nmuscle = \"brachioradialis\"\nemg = {{ fibrillations = \"5+\" }}\n"
        ));
        assert!(e.contains("emg.fibrillations") && e.contains("5+"), "{e}");
        assert!(err("not toml [").contains("not well formed"));
    }

    /// Issue 20: numbers that make no sense are refused with the field, the value and the
    /// limit — NaN, negative and huge donor axon counts (formerly taken as 1 or as given),
    /// draws and horizons over the limits.
    #[test]
    fn donor_axons_draws_and_horizons_go_through_the_limits() {
        let base = include_str!("../../../examples/case-ulnar-elbow-laceration.toml");
        let transfer = "transfer = \"ain_to_ulnar_motor\"\n";
        assert!(base.contains(transfer));
        for bad in ["nan", "-5.0", "1e9", "inf"] {
            let text = base.replacen(transfer, &format!("{transfer}donor_axons = {bad}\n"), 1);
            let e = err(&text);
            assert!(
                e.contains("plan[1].treatment[1].donor_axons") && e.contains("100000"),
                "{bad}: {e}"
            );
        }
        let ok = base.replacen(transfer, &format!("{transfer}donor_axons = 900\n"), 1);
        assert!(Case::from_toml(&ok, &atlas()).is_ok());
        for (line, field, bad) in [
            ("draws = 300", "draws", "1e9"),
            ("draws = 300", "draws", "nan"),
            ("draws = 300", "draws", "2.5"),
            ("horizon_days = 730", "horizon_days", "1e9"),
            ("horizon_days = 730", "horizon_days", "-inf"),
        ] {
            assert!(base.contains(line));
            let e = err(&base.replace(line, &format!("{field} = {bad}")));
            assert!(e.contains(&format!("settings.{field}")), "{bad}: {e}");
        }
    }

    /// Issue 20: errors a clinician can act on, each with its hint; a misspelled muscle given by
    /// distance is an error with close names (it was simulated as the biceps).
    #[test]
    fn errors_carry_hints_a_clinician_can_act_on() {
        let base = include_str!("../../../examples/case-radial-followup-month4.toml");
        let cases = [
            (
                base.replacen("date = \"2026-03-02\"", "date = 2026-03-02", 1),
                "dates are written in quotes",
            ),
            (
                base.replacen("mrc = 0", "mrc = \"4-\"", 1),
                "give the whole grade",
            ),
            (
                base.replacen("[[injury]]", "[injury]", 1),
                "write `[[injury]]`",
            ),
            (
                base.replacen("\"radial\"", "\"peroneal\"", 1),
                "did you mean `common_fibular`",
            ),
            (
                base.replacen("\"mid_humerus\"", "\"mid_humerous\"", 1),
                "did you mean `mid_humerus`",
            ),
        ];
        for (text, hint) in &cases {
            let e = err(text);
            assert!(e.contains(hint), "{hint}: {e}");
        }
        // The nerve is blamed for an unknown nerve, and said once.
        let e = err(&cases[3].0);
        assert!(e.contains("injury[0].nerve"), "{e}");
        assert_eq!(e.matches("is not in the atlas").count(), 1, "{e}");
        // A misspelled muscle given by distance.
        let e = err(
            "[patient]\nage_years = 40\n[[injury]]\nmuscle = \"bicep_brachii\"\ndistance_mm = 100\ngrade = \"axonotmesis\"\n",
        );
        assert!(
            e.contains("injury[0].muscle") && e.contains("did you mean `biceps_brachii`"),
            "{e}"
        );
        // Prior weights whose sum overflows (they became 0%).
        let e = err(&base.replacen(
            "prior = { neurapraxia = 0.35,",
            "prior = { neurapraxia = 1e308, sunderland_1 = 1e308,",
            1,
        ));
        assert!(e.contains("injury[0].prior") && e.contains("finite"), "{e}");
        // A 1 MB value is echoed cut.
        let long = "x".repeat(1_000_000);
        let e = err(&base.replacen("\"radial\"", &format!("\"{long}\""), 1));
        assert!(e.len() < 2_000, "{}", e.len());
    }
}
