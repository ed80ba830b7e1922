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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    value: f64,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    assumption: Option<String>,
}

fn has_text(s: &Option<String>) -> bool {
    s.as_deref().is_some_and(|t| !t.trim().is_empty())
}

fn check(
    file: &'static str,
    field: &'static str,
    e: &Entry,
    lo: f64,
    hi: f64,
) -> Result<f64, DataError> {
    if !has_text(&e.source) && !has_text(&e.assumption) {
        return Err(DataError::Unsourced { file, field });
    }
    if !(e.value.is_finite() && e.value >= lo && e.value <= hi) {
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
        if !has_text(&e.source) && !has_text(&e.assumption) {
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
}

impl ClinicData {
    /// Parses the three files; findings are read with the clinical readout's constants.
    pub fn from_toml(
        follow_up: &str,
        unknown_grade: &str,
        plans: &str,
        readout: &readout::Constants,
    ) -> Result<Self, DataError> {
        Ok(ClinicData {
            follow_up: FollowUpModel::from_toml(follow_up, readout)?,
            unknown_grade_prior: prior_from_toml(unknown_grade)?,
            plans: PlanRules::from_toml(plans)?,
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
