//! The clinic's numbers, read from cited data files (`data/clinic/*.toml`, embedded with
//! `include_str!`): the follow-up measurement-error model (`follow_up.toml`), the default prior over the grade of an injury of unknown grade
//! (`unknown_grade.toml`), and the standard plans and ranking criterion (`plans.toml`).
//!
//! Every entry carries either its `source` (a reference of `/work/shared/reference`) or a named
//! `assumption` with its reason; the loader refuses an entry with neither (or with both empty),
//! and values outside their range. How the twin's state is read as a finding (MUP type,
//! recruitment, CMAP level) is not repeated here: it is the clinical readout's (crate `readout`,
//! `data/readout/readout.toml`), so that follow-up, `simulate`, `snapshot` and the report read the
//! same day alike.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::case::Grade;
use crate::error::DataError;

/// The embedded follow-up file.
pub const FOLLOW_UP_TOML: &str = include_str!("../../../data/clinic/follow_up.toml");
/// The embedded default-prior file.
pub const UNKNOWN_GRADE_TOML: &str = include_str!("../../../data/clinic/unknown_grade.toml");
/// The embedded plans file.
pub const PLANS_TOML: &str = include_str!("../../../data/clinic/plans.toml");
/// The embedded standard-strategies file.
pub const STRATEGIES_TOML: &str = include_str!("../../../data/clinic/strategies.toml");

/// A cited number of a clinic data file (the workspace's one definition).
type Entry = vocabulary::Cited;

/// The one provenance rule, on the two fields of an entry.
fn sourced(source: &Option<String>, assumption: &Option<String>) -> bool {
    vocabulary::cited::has_provenance(source.as_deref(), assumption.as_deref())
}

fn check(
    file: &'static str,
    field: &'static str,
    e: &Entry,
    lo: f64,
    hi: f64,
) -> Result<f64, DataError> {
    if !e.is_sourced() {
        return Err(DataError::Unsourced { file, field });
    }
    if !e.is_within(lo, hi) {
        return Err(DataError::Range {
            file,
            field,
            value: e.value,
            expected: format!("a number in [{lo}, {hi}]"),
        });
    }
    Ok(e.value)
}

fn day(
    file: &'static str,
    field: &'static str,
    e: &Entry,
    lo: f64,
    hi: f64,
) -> Result<u32, DataError> {
    let v = check(file, field, e, lo, hi)?;
    if v.fract() != 0.0 {
        return Err(DataError::Range {
            file,
            field,
            value: v,
            expected: "a whole number of days".into(),
        });
    }
    Ok(v as u32)
}

// ---- follow_up.toml ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FollowUpFile {
    mrc_grading: SdSection,
    fibrillation_grading: SdSection,
    categorical_reading: ErrorSection,
    reweighting: ReweightingSection,
}
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SdSection {
    sd_grades: Entry,
}
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ErrorSection {
    error: Entry,
}
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReweightingSection {
    min_effective_draws: Entry,
    implausible_best_fit: Entry,
}

/// The follow-up model: measurement errors and how the twin's state is read as findings.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUpModel {
    /// SD of MRC grading, grades (assumption).
    pub mrc_sd: f64,
    /// SD of fibrillation grading, grades (assumption).
    pub fib_sd: f64,
    /// Probability of misreading a categorical finding (assumption).
    pub categorical_error: f64,
    /// How the twin's state is read as findings (the clinical readout's constants).
    pub readout: readout::Constants,
    /// Flag the update below this effective number of draws.
    pub min_effective_draws: f64,
    /// Flag the update when the best draw's fit is below this share of a perfect fit.
    pub implausible_best_fit: f64,
}

impl FollowUpModel {
    /// Parses and validates a follow-up file; the findings are read with `readout`.
    pub fn from_toml(text: &str, readout: &readout::Constants) -> Result<Self, DataError> {
        const F: &str = "data/clinic/follow_up.toml";
        let f: FollowUpFile = toml::from_str(text).map_err(|e| DataError::Parse {
            file: F,
            message: e.to_string(),
        })?;
        let m = FollowUpModel {
            mrc_sd: check(
                F,
                "mrc_grading.sd_grades",
                &f.mrc_grading.sd_grades,
                0.05,
                3.0,
            )?,
            fib_sd: check(
                F,
                "fibrillation_grading.sd_grades",
                &f.fibrillation_grading.sd_grades,
                0.05,
                3.0,
            )?,
            categorical_error: check(
                F,
                "categorical_reading.error",
                &f.categorical_reading.error,
                0.0,
                0.5,
            )?,
            readout: readout.clone(),
            min_effective_draws: check(
                F,
                "reweighting.min_effective_draws",
                &f.reweighting.min_effective_draws,
                1.0,
                1e6,
            )?,
            implausible_best_fit: check(
                F,
                "reweighting.implausible_best_fit",
                &f.reweighting.implausible_best_fit,
                0.0,
                1.0,
            )?,
        };
        Ok(m)
    }
}

// ---- unknown_grade.toml ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PriorFile {
    grades: BTreeMap<String, PriorEntry>,
}
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PriorEntry {
    weight: f64,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    assumption: Option<String>,
}

/// Parses and validates a default-prior file: grade names as in the case file, weights ≥ 0 with a
/// positive sum, normalised; in the order neurapraxia, axonotmesis, Sunderland grades, neurotmesis.
pub fn prior_from_toml(text: &str) -> Result<Vec<(Grade, f64)>, DataError> {
    const F: &str = "data/clinic/unknown_grade.toml";
    let f: PriorFile = toml::from_str(text).map_err(|e| DataError::Parse {
        file: F,
        message: e.to_string(),
    })?;
    let mut out = Vec::new();
    for (name, e) in &f.grades {
        let g = Grade::parse(name).ok_or_else(|| DataError::Range {
            file: F,
            field: "grades",
            value: f64::NAN,
            expected: format!(
                "grade names (neurapraxia, axonotmesis, neurotmesis, sunderland_1..5), not `{name}`"
            ),
        })?;
        if !sourced(&e.source, &e.assumption) {
            return Err(DataError::Unsourced {
                file: F,
                field: "grades.*.weight",
            });
        }
        if !(e.weight.is_finite() && e.weight >= 0.0) {
            return Err(DataError::Range {
                file: F,
                field: "grades.*.weight",
                value: e.weight,
                expected: "a weight >= 0".into(),
            });
        }
        out.push((g, e.weight));
    }
    let total: f64 = out.iter().map(|x| x.1).sum();
    if total <= 0.0 {
        return Err(DataError::Range {
            file: F,
            field: "grades",
            value: total,
            expected: "weights with a positive sum".into(),
        });
    }
    for x in &mut out {
        x.1 /= total;
    }
    out.sort_by_key(|(g, _)| g.order());
    Ok(out)
}

// ---- plans.toml ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlansFile {
    exploration: ExplorationSection,
    stimulation: StimulationSection,
    ranking: RankingSection,
    priority: PrioritySection,
    #[serde(default)]
    functions: BTreeMap<String, FunctionEntry>,
}
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FunctionEntry {
    muscles: Vec<String>,
    weight: Entry,
}
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PrioritySection {
    default: Entry,
    #[serde(default)]
    muscles: BTreeMap<String, Entry>,
}
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExplorationSection {
    early_day: Entry,
    late_day: Entry,
    after_decision_days: Entry,
    primary_within_days: Entry,
    primary_max_gap_mm: Entry,
    default_graft_mm: Entry,
}
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StimulationSection {
    hours_per_day: Entry,
    start_after_injury_days: Entry,
    duration_days: Entry,
}
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RankingSection {
    tie: Entry,
    unneeded_operation_weight: Entry,
    failed_operation_weight: Entry,
    time_without_function_per_year: Entry,
    at_stake_share: Entry,
}

/// A functional goal: a movement, the muscles that provide it and its weight in the score.
#[derive(Debug, Clone, PartialEq)]
pub struct Function {
    /// Id (`elbow_flexion`).
    pub id: String,
    /// The muscles that provide it (atlas ids).
    pub muscles: Vec<String>,
    /// Weight in the score (value judgment).
    pub weight: f64,
}

/// The standard plans and the ranking criterion.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanRules {
    /// Day of the early exploration offered without follow-up.
    pub early_day: u32,
    /// Day of the conditional operation after waiting, without follow-up.
    pub late_day: u32,
    /// With follow-up: days from the decision day to the operation.
    pub after_decision_days: u32,
    /// Primary suture possible within this many days of the injury.
    pub primary_within_days: u32,
    /// A case gap up to this length is closed by primary suture, mm.
    pub primary_max_gap_mm: f64,
    /// Graft length of a delayed repair when the case gives no gap, mm.
    pub default_graft_mm: f64,
    /// Stimulation hours a day in the standard plan.
    pub stim_hours: f64,
    /// Stimulation starts no earlier than this many days after the injury.
    pub stim_start_after_injury_days: u32,
    /// Stimulation lasts this many days.
    pub stim_duration_days: u32,
    /// Score difference under which plans count as tied (value judgment).
    pub tie: f64,
    /// Weight of an operation that was not needed (value judgment).
    pub unneeded_operation_weight: f64,
    /// Weight of an operation that brought no function waiting would not have brought (value
    /// judgment).
    pub failed_operation_weight: f64,
    /// Cost of a year without a useful function, per unit function weight (value judgment).
    pub time_without_function_per_year: f64,
    /// A function is at stake only when each of its muscles has more than this share of its
    /// axons injured (assumption).
    pub at_stake_share: f64,
    /// Functional goals (value-judgment weights).
    pub functions: Vec<Function>,
    /// Weight in the score of a muscle not listed in `priority` (value judgment).
    pub default_priority: f64,
    /// Weight in the score of listed muscles (atlas muscle ids; value judgments).
    pub priority: BTreeMap<String, f64>,
}

impl PlanRules {
    /// The weight of a muscle in the plan score.
    pub fn priority_of(&self, muscle: &str) -> f64 {
        self.priority
            .get(muscle)
            .copied()
            .unwrap_or(self.default_priority)
    }
}

impl PlanRules {
    /// Parses and validates a plans file.
    pub fn from_toml(text: &str) -> Result<Self, DataError> {
        const F: &str = "data/clinic/plans.toml";
        let f: PlansFile = toml::from_str(text).map_err(|e| DataError::Parse {
            file: F,
            message: e.to_string(),
        })?;
        let x = &f.exploration;
        let s = &f.stimulation;
        let r = PlanRules {
            early_day: day(F, "exploration.early_day", &x.early_day, 0.0, 3650.0)?,
            late_day: day(F, "exploration.late_day", &x.late_day, 0.0, 3650.0)?,
            after_decision_days: day(
                F,
                "exploration.after_decision_days",
                &x.after_decision_days,
                0.0,
                365.0,
            )?,
            primary_within_days: day(
                F,
                "exploration.primary_within_days",
                &x.primary_within_days,
                0.0,
                365.0,
            )?,
            primary_max_gap_mm: check(
                F,
                "exploration.primary_max_gap_mm",
                &x.primary_max_gap_mm,
                0.0,
                100.0,
            )?,
            default_graft_mm: check(
                F,
                "exploration.default_graft_mm",
                &x.default_graft_mm,
                1.0,
                300.0,
            )?,
            stim_hours: check(F, "stimulation.hours_per_day", &s.hours_per_day, 0.0, 24.0)?,
            stim_start_after_injury_days: day(
                F,
                "stimulation.start_after_injury_days",
                &s.start_after_injury_days,
                0.0,
                365.0,
            )?,
            stim_duration_days: day(
                F,
                "stimulation.duration_days",
                &s.duration_days,
                1.0,
                3650.0,
            )?,
            tie: check(F, "ranking.tie", &f.ranking.tie, 0.0, 0.5)?,
            unneeded_operation_weight: check(
                F,
                "ranking.unneeded_operation_weight",
                &f.ranking.unneeded_operation_weight,
                0.0,
                1.0,
            )?,
            failed_operation_weight: check(
                F,
                "ranking.failed_operation_weight",
                &f.ranking.failed_operation_weight,
                0.0,
                1.0,
            )?,
            time_without_function_per_year: check(
                F,
                "ranking.time_without_function_per_year",
                &f.ranking.time_without_function_per_year,
                0.0,
                1.0,
            )?,
            at_stake_share: check(
                F,
                "ranking.at_stake_share",
                &f.ranking.at_stake_share,
                0.0,
                0.99,
            )?,
            functions: Vec::new(),
            default_priority: check(F, "priority.default", &f.priority.default, 0.01, 100.0)?,
            priority: BTreeMap::new(),
        };
        let mut r = r;
        for (m, e) in &f.priority.muscles {
            let w = check(F, "priority.muscles.*", e, 0.01, 100.0).map_err(|err| match err {
                DataError::Range { file, value, .. } => DataError::Range {
                    file,
                    field: "priority.muscles.*",
                    value,
                    expected: format!("a weight in [0.01, 100] for muscle `{m}`"),
                },
                other => other,
            })?;
            r.priority.insert(m.clone(), w);
        }
        for (id, fe) in &f.functions {
            let w = check(F, "functions.*.weight", &fe.weight, 0.0, 100.0).map_err(
                |err| match err {
                    DataError::Range { file, value, .. } => DataError::Range {
                        file,
                        field: "functions.*.weight",
                        value,
                        expected: format!("a weight in [0, 100] for function `{id}`"),
                    },
                    other => other,
                },
            )?;
            if fe.muscles.is_empty() {
                return Err(DataError::Range {
                    file: F,
                    field: "functions.*.muscles",
                    value: 0.0,
                    expected: format!("at least one muscle for function `{id}`"),
                });
            }
            r.functions.push(Function {
                id: id.clone(),
                muscles: fe.muscles.clone(),
                weight: w,
            });
        }
        if r.early_day >= r.late_day {
            return Err(DataError::Range {
                file: F,
                field: "exploration.early_day",
                value: r.early_day as f64,
                expected: format!("before exploration.late_day ({})", r.late_day),
            });
        }
        Ok(r)
    }
}

// ---- strategies.toml ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StrategiesFile {
    review: ReviewSection,
    #[serde(default)]
    nerve: Vec<NerveStrategiesEntry>,
    #[serde(default)]
    combined: Vec<CombinedEntry>,
    #[serde(default)]
    tendon_transfer: Vec<TendonEntry>,
    #[serde(default)]
    decompression: Vec<DecompressionEntry>,
    #[serde(default)]
    avulsion_finding: Vec<AvulsionFindingEntry>,
    #[serde(default)]
    orthosis: Vec<OrthosisEntry>,
    brief_stimulation: BriefStimulationEntry,
    end_to_side: EndToSideEntry,
    #[serde(default)]
    supercharge: Vec<SuperchargeEntry>,
    #[serde(default)]
    drug: Vec<DrugEntry>,
}
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EndToSideEntry {
    donor_share: Entry,
}
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SuperchargeEntry {
    transfer: String,
    name: String,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    assumption: Option<String>,
}
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DrugEntry {
    id: String,
    name: String,
    species: String,
    #[serde(default)]
    parameter: Option<String>,
    #[serde(default)]
    factor: Option<Entry>,
    #[serde(default)]
    no_figure: Option<String>,
}
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AvulsionFindingEntry {
    id: String,
    name: String,
    #[serde(default)]
    values: BTreeMap<String, AvulsionValueEntry>,
    #[serde(default)]
    no_figure: Option<String>,
}
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AvulsionValueEntry {
    p_if_avulsed: f64,
    p_if_not: f64,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    assumption: Option<String>,
}
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OrthosisEntry {
    id: String,
    name: String,
    functions: Vec<String>,
    worth_below_mrc3: Entry,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    assumption: Option<String>,
}
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BriefStimulationEntry {
    crossing_factor: Entry,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    assumption: Option<String>,
}
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReviewSection {
    interval_days: Entry,
    reviews: Entry,
    sign: TextEntry,
}
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TextEntry {
    value: String,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    assumption: Option<String>,
}
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NerveStrategiesEntry {
    nerves: Vec<String>,
    decision_days: Vec<u32>,
    operations: Vec<String>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    assumption: Option<String>,
}
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CombinedEntry {
    id: String,
    name: String,
    transfers: Vec<String>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    assumption: Option<String>,
}
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TendonEntry {
    id: String,
    name: String,
    nerves: Vec<String>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    assumption: Option<String>,
    useful_after_days: Entry,
    functions: BTreeMap<String, TendonFunctionEntry>,
}
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TendonFunctionEntry {
    p_ge_3: f64,
    p_ge_4: f64,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    assumption: Option<String>,
}
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DecompressionEntry {
    id: String,
    name: String,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    assumption: Option<String>,
}

/// An operation a standard strategy offers.
#[derive(Debug, Clone, PartialEq)]
pub enum Operation {
    /// Exploration: repair if divided or non-conducting, neurolysis otherwise.
    Explore,
    /// Each atlas transfer that bypasses the injury, one at a time.
    NerveTransfers,
    /// Several atlas transfers in one operation (id of a [`Combined`]).
    Combined(String),
    /// A tendon transfer (id of a [`TendonTransfer`]).
    Tendon(String),
    /// A decompression (id of a [`Decompression`]).
    Decompression(String),
    /// A supercharged end-to-side transfer (atlas transfer id of a [`Supercharge`]), alone or
    /// with the repair of a divided nerve.
    Supercharge(String),
}

/// The standard strategies for injuries of some nerves.
#[derive(Debug, Clone, PartialEq)]
pub struct NerveStrategies {
    /// Atlas nerve or plexus element ids.
    pub nerves: Vec<String>,
    /// Without follow-up: days of the examinations at which conditional strategies decide.
    pub decision_days: Vec<u32>,
    /// Operations offered.
    pub operations: Vec<Operation>,
    /// Where the days come from.
    pub source: String,
}

/// Several atlas transfers done in one operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Combined {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Atlas transfer ids.
    pub transfers: Vec<String>,
    /// Source.
    pub source: String,
}

/// A tendon transfer's published result for one function.
#[derive(Debug, Clone, PartialEq)]
pub struct TendonOutcome {
    /// Function id (as in `plans.toml` `[functions]`).
    pub function: String,
    /// Probability that the function reaches MRC ≥ 3.
    pub p_ge_3: f64,
    /// Probability that it reaches MRC ≥ 4.
    pub p_ge_4: f64,
    /// Source.
    pub source: String,
}

/// A tendon transfer, modelled by its published outcome rates.
#[derive(Debug, Clone, PartialEq)]
pub struct TendonTransfer {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Nerves whose palsy it treats.
    pub nerves: Vec<String>,
    /// Days from the operation to useful function.
    pub useful_after_days: u32,
    /// Outcome per function.
    pub outcomes: Vec<TendonOutcome>,
    /// Source.
    pub source: String,
}

/// A decompression (simulated as a neurolysis; published results shown).
#[derive(Debug, Clone, PartialEq)]
pub struct Decompression {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Source of the published results.
    pub source: String,
}

/// What one value of a root-avulsion finding says: its probability with and without avulsion.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AvulsionValue {
    /// The value as the case writes it (`present`, `normal`, …).
    pub value: String,
    /// P(value | roots avulsed).
    pub p_if_avulsed: f64,
    /// P(value | roots not avulsed).
    pub p_if_not: f64,
    /// Source or named assumption.
    pub source: String,
}

/// A finding that moves the probability of root avulsion.
#[derive(Debug, Clone, PartialEq)]
pub struct AvulsionFinding {
    /// Id, the key in the case's `[injury.findings]`.
    pub id: String,
    /// In words.
    pub name: String,
    /// The values with figures (empty when the sources give none).
    pub values: Vec<AvulsionValue>,
    /// Why the finding does not move the probability, when the sources give no figure.
    pub no_figure: Option<String>,
}

/// An orthosis: function without muscle recovery.
#[derive(Debug, Clone, PartialEq)]
pub struct Orthosis {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Function ids (as in `plans.toml` `[functions]`) it substitutes.
    pub functions: Vec<String>,
    /// Worth of the function while its muscles stay below MRC 3 (a value judgment).
    pub worth_below_mrc3: f64,
    /// Source or named assumption.
    pub source: String,
}

/// Brief electrical stimulation of the nerve at a repair (1 h, 20 Hz).
#[derive(Debug, Clone, PartialEq)]
pub struct BriefStimulation {
    /// Factor on the twin's `suture_crossing_days` in the runs of a plan that stimulates.
    pub crossing_factor: f64,
    /// Source of the human evidence.
    pub source: String,
}

/// A supercharged end-to-side (SETS) transfer: an atlas transfer whose donor is sutured into a
/// window of the recipient, which is not cut.
#[derive(Debug, Clone, PartialEq)]
pub struct Supercharge {
    /// Atlas transfer id.
    pub transfer: String,
    /// Name.
    pub name: String,
    /// Published outcomes.
    pub source: String,
}

/// A pharmacological what-if: experimental, off unless the case asks for it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Drug {
    /// Id (the case's `[what_if] drugs`).
    pub id: String,
    /// Name.
    pub name: String,
    /// Species of the evidence (`rat`, `mouse`, `human`), shown in every output.
    pub species: String,
    /// The twin parameter it scales and the factor, when a source gives a figure.
    pub effect: Option<DrugEffect>,
    /// Why it changes nothing, when no figure was found.
    pub no_figure: Option<String>,
}

/// The effect of a drug on one twin parameter.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DrugEffect {
    /// Twin parameter (`data/params/human.toml`).
    pub parameter: String,
    /// Factor on the draw's value.
    pub factor: f64,
    /// Source.
    pub source: String,
}

/// The standard strategies (`data/clinic/strategies.toml`).
#[derive(Debug, Clone, PartialEq)]
pub struct Strategies {
    /// With follow-up: days between reviews.
    pub review_interval_days: u32,
    /// With follow-up: number of reviews offered as decision points.
    pub reviews: u32,
    /// Sign looked for by default.
    pub sign: crate::case::Sign,
    /// Per nerve.
    pub nerves: Vec<NerveStrategies>,
    /// Combined operations.
    pub combined: Vec<Combined>,
    /// Tendon transfers.
    pub tendon_transfers: Vec<TendonTransfer>,
    /// Decompressions.
    pub decompressions: Vec<Decompression>,
    /// Findings that move the probability of root avulsion.
    pub avulsion_findings: Vec<AvulsionFinding>,
    /// Orthoses.
    pub orthoses: Vec<Orthosis>,
    /// Brief electrical stimulation at repair.
    pub brief_stimulation: BriefStimulation,
    /// Share of a transfer's donor axons that cross an end-to-side coaptation.
    pub end_to_side_share: f64,
    /// Supercharged end-to-side transfers.
    pub supercharges: Vec<Supercharge>,
    /// Pharmacological what-ifs.
    pub drugs: Vec<Drug>,
}

fn cited(
    file: &'static str,
    field: &'static str,
    source: &Option<String>,
    assumption: &Option<String>,
) -> Result<String, DataError> {
    vocabulary::cited::provenance(source.as_deref(), assumption.as_deref())
        .ok_or(DataError::Unsourced { file, field })
}

/// Probabilities of one entry (`entry`, e.g. `radial_tendon_transfers / wrist_extension`) in
/// `[0, 1]`, or `(0, 1]` when `zero_ok` is false, then the entry's provenance: the one shape of
/// the sections that carry published rates.
fn cited_probabilities(
    field: &'static str,
    entry: &str,
    ps: &[f64],
    zero_ok: bool,
    source: &Option<String>,
    assumption: &Option<String>,
) -> Result<String, DataError> {
    const F: &str = "data/clinic/strategies.toml";
    let ok = |p: f64| p.is_finite() && p <= 1.0 && (p > 0.0 || (zero_ok && p == 0.0));
    if let Some(&bad) = ps.iter().find(|&&p| !ok(p)) {
        return Err(DataError::Range {
            file: F,
            field,
            value: bad,
            expected: if zero_ok {
                format!("probabilities in [0, 1] for `{entry}`")
            } else {
                format!(
                    "probabilities in (0, 1] for `{entry}` (a zero would make one finding certain)"
                )
            },
        });
    }
    cited(F, field, source, assumption)
}

impl Strategies {
    /// Parses and validates a strategies file.
    pub fn from_toml(text: &str) -> Result<Self, DataError> {
        const F: &str = "data/clinic/strategies.toml";
        let f: StrategiesFile = toml::from_str(text).map_err(|e| DataError::Parse {
            file: F,
            message: e.to_string(),
        })?;
        let sign_text = &f.review.sign;
        cited(F, "review.sign", &sign_text.source, &sign_text.assumption)?;
        let sign = crate::case::Sign::parse(&sign_text.value).ok_or_else(|| DataError::Range {
            file: F,
            field: "review.sign",
            value: f64::NAN,
            expected: format!(
                "`mrc`, `mrc_2`..`mrc_5`, `nascent_units`, `cmap` or `any`, not `{}`",
                sign_text.value
            ),
        })?;
        let combined = f
            .combined
            .iter()
            .map(|c| {
                Ok(Combined {
                    id: c.id.clone(),
                    name: c.name.clone(),
                    transfers: c.transfers.clone(),
                    source: cited(F, "combined.source", &c.source, &c.assumption)?,
                })
            })
            .collect::<Result<Vec<_>, DataError>>()?;
        let tendon_transfers = f
            .tendon_transfer
            .iter()
            .map(|t| {
                let outcomes = t
                    .functions
                    .iter()
                    .map(|(func, o)| {
                        const FIELD: &str = "tendon_transfer.functions.*";
                        let entry = format!("{} / {func}", t.id);
                        let source = cited_probabilities(
                            FIELD,
                            &entry,
                            &[o.p_ge_3, o.p_ge_4],
                            true,
                            &o.source,
                            &o.assumption,
                        )?;
                        if o.p_ge_4 > o.p_ge_3 {
                            return Err(DataError::Range {
                                file: F,
                                field: FIELD,
                                value: o.p_ge_4,
                                expected: format!("p_ge_4 <= p_ge_3 ({}) for `{entry}`", o.p_ge_3),
                            });
                        }
                        Ok(TendonOutcome {
                            function: func.clone(),
                            p_ge_3: o.p_ge_3,
                            p_ge_4: o.p_ge_4,
                            source,
                        })
                    })
                    .collect::<Result<Vec<_>, DataError>>()?;
                Ok(TendonTransfer {
                    id: t.id.clone(),
                    name: t.name.clone(),
                    nerves: t.nerves.clone(),
                    useful_after_days: day(
                        F,
                        "tendon_transfer.useful_after_days",
                        &t.useful_after_days,
                        0.0,
                        730.0,
                    )?,
                    outcomes,
                    source: cited(F, "tendon_transfer.source", &t.source, &t.assumption)?,
                })
            })
            .collect::<Result<Vec<_>, DataError>>()?;
        let decompressions = f
            .decompression
            .iter()
            .map(|d| {
                Ok(Decompression {
                    id: d.id.clone(),
                    name: d.name.clone(),
                    source: cited(F, "decompression.source", &d.source, &d.assumption)?,
                })
            })
            .collect::<Result<Vec<_>, DataError>>()?;
        let avulsion_findings = f
            .avulsion_finding
            .iter()
            .map(|a| {
                let values = a
                    .values
                    .iter()
                    .map(|(v, e)| {
                        Ok(AvulsionValue {
                            value: v.clone(),
                            p_if_avulsed: e.p_if_avulsed,
                            p_if_not: e.p_if_not,
                            source: cited_probabilities(
                                "avulsion_finding.values.*",
                                &format!("{} = {v}", a.id),
                                &[e.p_if_avulsed, e.p_if_not],
                                false,
                                &e.source,
                                &e.assumption,
                            )?,
                        })
                    })
                    .collect::<Result<Vec<_>, DataError>>()?;
                let no_figure = a.no_figure.clone().filter(|t| !t.trim().is_empty());
                if values.is_empty() && no_figure.is_none() {
                    return Err(DataError::Unsourced {
                        file: F,
                        field: "avulsion_finding.no_figure",
                    });
                }
                Ok(AvulsionFinding {
                    id: a.id.clone(),
                    name: a.name.clone(),
                    values,
                    no_figure,
                })
            })
            .collect::<Result<Vec<_>, DataError>>()?;
        let orthoses = f
            .orthosis
            .iter()
            .map(|o| {
                Ok(Orthosis {
                    id: o.id.clone(),
                    name: o.name.clone(),
                    functions: o.functions.clone(),
                    worth_below_mrc3: check(
                        F,
                        "orthosis.worth_below_mrc3",
                        &o.worth_below_mrc3,
                        0.0,
                        0.5,
                    )?,
                    source: cited(F, "orthosis.source", &o.source, &o.assumption)?,
                })
            })
            .collect::<Result<Vec<_>, DataError>>()?;
        let b = &f.brief_stimulation;
        let brief_stimulation = BriefStimulation {
            crossing_factor: check(
                F,
                "brief_stimulation.crossing_factor",
                &b.crossing_factor,
                0.05,
                1.0,
            )?,
            source: cited(F, "brief_stimulation.source", &b.source, &b.assumption)?,
        };
        let end_to_side_share = check(
            F,
            "end_to_side.donor_share",
            &f.end_to_side.donor_share,
            0.01,
            1.0,
        )?;
        let supercharges = f
            .supercharge
            .iter()
            .map(|c| {
                Ok(Supercharge {
                    transfer: c.transfer.clone(),
                    name: c.name.clone(),
                    source: cited(F, "supercharge.source", &c.source, &c.assumption)?,
                })
            })
            .collect::<Result<Vec<_>, DataError>>()?;
        let drugs = f
            .drug
            .iter()
            .map(|d| {
                if !matches!(d.species.as_str(), "rat" | "mouse" | "rabbit" | "human") {
                    return Err(DataError::Range {
                        file: F,
                        field: "drug.species",
                        value: f64::NAN,
                        expected: format!(
                            "`rat`, `mouse`, `rabbit` or `human`, not `{}` (drug `{}`)",
                            d.species, d.id
                        ),
                    });
                }
                let effect = match (&d.parameter, &d.factor) {
                    (Some(p), Some(e)) => Some(DrugEffect {
                        parameter: p.clone(),
                        factor: check(F, "drug.factor", e, 0.1, 10.0)?,
                        source: cited(F, "drug.factor", &e.source, &e.assumption)?,
                    }),
                    (None, None) => None,
                    _ => {
                        return Err(DataError::Range {
                            file: F,
                            field: "drug.parameter",
                            value: f64::NAN,
                            expected: format!(
                                "both `parameter` and `factor`, or neither (drug `{}`)",
                                d.id
                            ),
                        });
                    }
                };
                let no_figure = d.no_figure.clone().filter(|t| !t.trim().is_empty());
                if effect.is_none() == no_figure.is_none() {
                    return Err(DataError::Unsourced {
                        file: F,
                        field: "drug.no_figure",
                    });
                }
                Ok(Drug {
                    id: d.id.clone(),
                    name: d.name.clone(),
                    species: d.species.clone(),
                    effect,
                    no_figure,
                })
            })
            .collect::<Result<Vec<_>, DataError>>()?;
        let mut nerves = Vec::new();
        for n in &f.nerve {
            let source = cited(F, "nerve.source", &n.source, &n.assumption)?;
            let mut operations = Vec::new();
            for o in &n.operations {
                let bad = |what: &str| DataError::Range {
                    file: F,
                    field: "nerve.operations",
                    value: f64::NAN,
                    expected: format!("{what}, not `{o}`"),
                };
                let op = match o.split_once(':') {
                    None if o == "explore" => Operation::Explore,
                    None if o == "nerve_transfers" => Operation::NerveTransfers,
                    Some(("combined", id)) if combined.iter().any(|c| c.id == id) => {
                        Operation::Combined(id.into())
                    }
                    Some(("tendon", id)) if tendon_transfers.iter().any(|c| c.id == id) => {
                        Operation::Tendon(id.into())
                    }
                    Some(("decompression", id)) if decompressions.iter().any(|c| c.id == id) => {
                        Operation::Decompression(id.into())
                    }
                    Some(("supercharge", id)) if supercharges.iter().any(|c| c.transfer == id) => {
                        Operation::Supercharge(id.into())
                    }
                    _ => {
                        return Err(bad(
                            "`explore`, `nerve_transfers`, or `combined:`/`tendon:`/`decompression:`/`supercharge:` with an id defined in the file",
                        ));
                    }
                };
                operations.push(op);
            }
            if n.decision_days.iter().any(|d| *d > 3650) {
                return Err(DataError::Range {
                    file: F,
                    field: "nerve.decision_days",
                    value: n.decision_days.iter().copied().max().unwrap_or(0) as f64,
                    expected: "days between 0 and 3650".into(),
                });
            }
            nerves.push(NerveStrategies {
                nerves: n.nerves.clone(),
                decision_days: n.decision_days.clone(),
                operations,
                source,
            });
        }
        Ok(Strategies {
            review_interval_days: day(
                F,
                "review.interval_days",
                &f.review.interval_days,
                7.0,
                365.0,
            )?,
            reviews: day(F, "review.reviews", &f.review.reviews, 0.0, 12.0)?,
            sign,
            nerves,
            combined,
            tendon_transfers,
            decompressions,
            avulsion_findings,
            orthoses,
            brief_stimulation,
            end_to_side_share,
            supercharges,
            drugs,
        })
    }

    /// The strategies for an injured nerve or plexus element.
    pub fn for_nerve(&self, nerve: &str) -> Option<&NerveStrategies> {
        self.nerves
            .iter()
            .find(|n| n.nerves.iter().any(|x| x == nerve))
    }
}

// ---- all together ----

/// All the clinic's data files, parsed and validated.
#[derive(Debug, Clone, PartialEq)]
pub struct ClinicData {
    /// Follow-up model.
    pub follow_up: FollowUpModel,
    /// Default prior over grades for an injury of unknown grade (normalised).
    pub unknown_grade_prior: Vec<(Grade, f64)>,
    /// Standard plans and ranking.
    pub plans: PlanRules,
    /// Standard strategies per nerve, combined and tendon transfers, decompressions.
    pub strategies: Strategies,
}

impl ClinicData {
    /// Parses the three files and the embedded strategies file; findings are read with the
    /// clinical readout's constants.
    pub fn from_toml(
        follow_up: &str,
        unknown_grade: &str,
        plans: &str,
        readout: &readout::Constants,
    ) -> Result<Self, DataError> {
        let plans = PlanRules::from_toml(plans)?;
        let strategies = Strategies::from_toml(STRATEGIES_TOML)?;
        for o in &strategies.orthoses {
            if let Some(bad) = o
                .functions
                .iter()
                .find(|f| !plans.functions.iter().any(|x| &x.id == *f))
            {
                return Err(DataError::Range {
                    file: "data/clinic/strategies.toml",
                    field: "orthosis.functions",
                    value: f64::NAN,
                    expected: format!(
                        "functions of plans.toml [functions], not `{bad}` (orthosis `{}`)",
                        o.id
                    ),
                });
            }
        }
        Ok(ClinicData {
            follow_up: FollowUpModel::from_toml(follow_up, readout)?,
            unknown_grade_prior: prior_from_toml(unknown_grade)?,
            plans,
            strategies,
        })
    }

    /// The embedded files with the embedded readout constants (parsed once).
    pub fn embedded() -> Result<&'static ClinicData, DataError> {
        static CELL: OnceLock<Result<ClinicData, DataError>> = OnceLock::new();
        CELL.get_or_init(|| {
            let readout = readout::Constants::embedded().map_err(|e| DataError::Parse {
                file: "data/readout/readout.toml",
                message: e.to_string(),
            })?;
            ClinicData::from_toml(FOLLOW_UP_TOML, UNKNOWN_GRADE_TOML, PLANS_TOML, readout)
        })
        .as_ref()
        .map_err(Clone::clone)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_files_load_and_validate() {
        let d = ClinicData::embedded().unwrap();
        assert!(d.follow_up.mrc_sd > 0.0);
        let s: f64 = d.unknown_grade_prior.iter().map(|x| x.1).sum();
        assert!((s - 1.0).abs() < 1e-12);
        assert!(d.plans.early_day < d.plans.late_day);
    }

    #[test]
    fn an_entry_without_source_or_assumption_is_refused() {
        let bad = PLANS_TOML.replace(
            "tie = { value = 0.02, assumption = \"value judgment: score differences under 0.02 are treated as ties, broken by invasiveness\" }",
            "tie = { value = 0.02 }",
        );
        assert_ne!(bad, PLANS_TOML, "the replacement must hit");
        let e = PlanRules::from_toml(&bad).unwrap_err();
        assert!(e.to_string().contains("ranking.tie"), "{e}");
    }

    #[test]
    fn strategies_need_sources_and_known_operations() {
        let s = Strategies::from_toml(STRATEGIES_TOML).unwrap();
        assert!(s.for_nerve("radial").is_some());
        let marker = "\nsource = \"16 patients with persistent drop foot";
        assert!(STRATEGIES_TOML.contains(marker));
        let bad = STRATEGIES_TOML.replace(
            marker,
            "\nassumption = \"\" # 16 patients with persistent drop foot",
        );
        assert!(Strategies::from_toml(&bad).is_err());
        let bad = STRATEGIES_TOML.replace(
            "\"tendon:radial_tendon_transfers\"",
            "\"tendon:nonexistent\"",
        );
        let e = Strategies::from_toml(&bad).unwrap_err();
        assert!(e.to_string().contains("nerve.operations"), "{e}");
        let bad =
            STRATEGIES_TOML.replace("p_ge_3 = 1.0, p_ge_4 = 0.88", "p_ge_3 = 0.5, p_ge_4 = 0.88");
        let e = Strategies::from_toml(&bad).unwrap_err();
        assert!(e.to_string().contains("p_ge_4 <= p_ge_3"), "{e}");
    }

    #[test]
    fn out_of_range_values_are_refused_with_the_field() {
        let bad =
            FOLLOW_UP_TOML.replace("sd_grades = { value = 0.6,", "sd_grades = { value = -1.0,");
        assert_ne!(bad, FOLLOW_UP_TOML);
        let readout = readout::Constants::embedded().unwrap();
        let e = FollowUpModel::from_toml(&bad, readout).unwrap_err();
        assert!(e.to_string().contains("mrc_grading.sd_grades"), "{e}");
        let bad = UNKNOWN_GRADE_TOML.replace("[grades.axonotmesis]", "[grades.fracture]");
        assert!(prior_from_toml(&bad).is_err());
    }
}
