//! Virtual cohorts: a patient's case written with distributions, run for many draws.
//!
//! A cohort file is a patient's case (`[patient]`, `[[injury]]`, `[[treatment]]`, `[[plan]]`,
//! `[settings]`, the format of `docs/prognosis.md`) in which any value may be written as a
//! distribution in the calibration format's notation (`calibration::experiment::
//! template_distribution`): a truncated normal `{ mean, sd, min, max }`, a uniform
//! `{ uniform = [a, b] }`, or weighted choices `{ choices = [..], weights = [..] }` — numbers,
//! names (nerve, site, grade) or true/false (diabetes, smoking). A `[cohort]` table gives the
//! cohort's `seed` and its `size` (the default number of draws).
//!
//! **Draw `i`** takes its randomness from a ChaCha8 generator seeded from the cohort seed with
//! stream `i` (`twin::cohort::draw_rng`): every distribution is drawn in the order of its path (keys
//! alphabetically, list items in order), the drawn
//! values make one concrete patient's case, and that case runs one Monte Carlo draw (the twin's
//! uncertain parameters, unknown grades, distances) seeded from `twin::cohort::draw_seed(seed,
//! i)`, for the case's own treatments (plan `baseline`) and for every listed plan on the same
//! draw. A draw's result therefore depends only on the cohort file and `i`: whatever the chunking
//! and the thread count, the same rows come out.
//!
//! Every distribution is checked when the file is read: the case with every value at its
//! central value, and with each distribution at each end of its support (each choice), must be
//! a valid patient's case.

use std::ops::Range;

use calibration::experiment::{TemplateDistribution, template_distribution};
use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};
use thiserror::Error;
use toml::{Table, Value};

use crate::{EngineError, vocabulary::Control};

/// The largest cohort a file may ask for.
pub const MAX_COHORT_DRAWS: usize = 100_000_000;

/// A cohort file or a cohort run that cannot go on.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum CohortError {
    /// A field has a value the cohort format does not accept.
    #[error("cohort field `{field}`: {value} — expected {expected}")]
    Field {
        /// The field's path, e.g. `injury[0].site`.
        field: String,
        /// The value as written (or drawn).
        value: String,
        /// What was expected.
        expected: String,
    },
    /// One draw's case (the template with the draw's values) is not a valid patient's case.
    #[error("cohort draw {draw}: {source}")]
    DrawCase {
        /// The draw's index.
        draw: usize,
        /// The case's error (boxed: large and rare).
        #[source]
        source: Box<clinic::CaseError>,
    },
    /// One draw could not be run.
    #[error("cohort draw {draw}: {source}")]
    Draw {
        /// The draw's index.
        draw: usize,
        /// The prognosis engine's error (boxed: large and rare).
        #[source]
        source: Box<clinic::PrognosisError>,
    },
    /// A file of the output directory could not be read or written.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// A Parquet table could not be built, written or read.
    #[error(transparent)]
    Table(#[from] crate::table::TableError),
}

fn field(
    field: impl Into<String>,
    value: impl ToString,
    expected: impl Into<String>,
) -> CohortError {
    CohortError::Field {
        field: field.into(),
        value: value.to_string(),
        expected: expected.into(),
    }
}

/// One step of a path into the case template.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
}

/// A value of the template drawn from a distribution.
#[derive(Debug, Clone, PartialEq)]
struct Varied {
    path: Vec<Step>,
    field: String,
    distribution: TemplateDistribution,
}

/// The kind of a drawn column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DrawnKind {
    /// A number (Float64).
    Number,
    /// True or false (Boolean).
    Flag,
    /// A name (Utf8).
    Text,
}

/// A value drawn for one draw.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Drawn {
    /// A number.
    Number(f64),
    /// True or false.
    Flag(bool),
    /// A name.
    Text(String),
}

/// A cohort definition, read and checked.
#[derive(Debug, Clone)]
pub struct Cohort {
    /// Title.
    pub title: String,
    /// The cohort seed.
    pub seed: u64,
    /// The number of draws the file asks for.
    pub size: usize,
    /// SHA-256 of the file's text (hex).
    pub sha256: String,
    /// Warnings (unknown keys inside distributions).
    pub warnings: Vec<String>,
    template: Table,
    /// The distributions in drawing order (their paths' order).
    varied: Vec<Varied>,
    /// The drawn columns' order: indices into `varied`, by the case file's sections.
    columns: Vec<usize>,
}

/// One row of the summary table: one draw, one plan, one affected muscle.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CohortRow {
    /// The draw's index.
    pub draw: u64,
    /// The plan: `baseline` (the case's own treatments) or a listed plan's name.
    pub plan: String,
    /// The affected muscle (atlas name).
    pub muscle: String,
    /// The injured nerve (or the muscle, for an injury given by muscle and distance).
    pub nerve: String,
    /// The injury grade of this draw.
    pub grade: String,
    /// Regrowth distance to the muscle in this draw, mm.
    pub distance_mm: f64,
    /// First working contact of a regrowing axon (return of conduction for a block), day.
    pub first_reinnervation_day: Option<u32>,
    /// Day MRC ≥ 3 is first reached.
    pub mrc_3_day: Option<u32>,
    /// MRC grade at one year.
    pub mrc_365: u8,
    /// MRC grade at two years.
    pub mrc_730: u8,
    /// MRC grade at the horizon.
    pub mrc_end: u8,
    /// Whether axons arrived before the end-plate window closed.
    pub axons_before_window: bool,
    /// Whether the plan operated in this draw (a conditional operation may be skipped).
    pub operated: bool,
    /// The values drawn for this draw, in the order of [`Cohort::drawn_columns`].
    pub drawn: Vec<Drawn>,
}

/// The summary table's fixed columns, with their meaning.
pub const SUMMARY_COLUMNS: &[(&str, &str)] = &[
    ("draw", "the draw's index (0-based)"),
    (
        "plan",
        "`baseline` (the case's own treatments) or a listed plan's name",
    ),
    ("muscle", "the affected muscle (atlas name)"),
    ("nerve", "the injured nerve"),
    ("grade", "the injury grade of this draw"),
    ("distance_mm", "regrowth distance to the muscle, mm"),
    (
        "first_reinnervation_day",
        "first working contact of a regrowing axon (null: none within the horizon)",
    ),
    (
        "mrc_3_day",
        "day MRC >= 3 is first reached (null: not within the horizon)",
    ),
    ("mrc_365", "MRC grade at day 365"),
    ("mrc_730", "MRC grade at day 730"),
    ("mrc_end", "MRC grade at the horizon"),
    (
        "axons_before_window",
        "axons arrived before the end-plate window closed",
    ),
    ("operated", "the plan operated in this draw"),
];

fn step_field(base: &str, step: &Step) -> String {
    match step {
        Step::Key(k) if base.is_empty() => k.clone(),
        Step::Key(k) => format!("{base}.{k}"),
        Step::Index(i) => format!("{base}[{i}]"),
    }
}

/// Collects the distributions of `value` (at `path`), keys in their (sorted) table order.
fn collect(
    value: &Value,
    path: &mut Vec<Step>,
    name: &str,
    out: &mut Vec<Varied>,
    warnings: &mut Vec<String>,
) -> Result<(), CohortError> {
    match template_distribution(value, "cohort", name, warnings) {
        Err(e) => return Err(field(e.field, e.value, e.expected)),
        Ok(Some(d)) => {
            out.push(Varied {
                path: path.clone(),
                field: name.to_string(),
                distribution: d,
            });
            return Ok(());
        }
        Ok(None) => {}
    }
    match value {
        Value::Table(t) => {
            for (k, v) in t {
                let step = Step::Key(k.clone());
                let n = step_field(name, &step);
                path.push(step);
                collect(v, path, &n, out, warnings)?;
                path.pop();
            }
        }
        Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                let step = Step::Index(i);
                let n = step_field(name, &step);
                path.push(step);
                collect(v, path, &n, out, warnings)?;
                path.pop();
            }
        }
        _ => {}
    }
    Ok(())
}

fn set(table: &mut Table, path: &[Step], value: Value) {
    let Some((Step::Key(first), rest)) = path.split_first() else {
        return;
    };
    let Some(mut slot) = table.get_mut(first) else {
        return;
    };
    for step in rest {
        let next = match (step, slot) {
            (Step::Key(k), Value::Table(t)) => t.get_mut(k),
            (Step::Index(j), Value::Array(a)) => a.get_mut(*j),
            _ => None,
        };
        match next {
            Some(s) => slot = s,
            None => return,
        }
    }
    *slot = value;
}

fn number_value(x: f64) -> Value {
    Value::Float(x)
}

fn drawn_of(v: &Value) -> Drawn {
    match v {
        Value::Boolean(b) => Drawn::Flag(*b),
        Value::String(s) => Drawn::Text(s.clone()),
        Value::Integer(i) => Drawn::Number(*i as f64),
        Value::Float(f) => Drawn::Number(*f),
        other => Drawn::Text(other.to_string()),
    }
}

impl Varied {
    fn kind(&self) -> DrawnKind {
        match &self.distribution {
            TemplateDistribution::Numeric(_) => DrawnKind::Number,
            TemplateDistribution::Categorical(c) => {
                let s = c.support();
                if s.iter().all(|v| matches!(v, Value::Boolean(_))) {
                    DrawnKind::Flag
                } else {
                    DrawnKind::Text
                }
            }
        }
    }

    /// Values to check the case with: the central value, the ends of a number's support, every
    /// choice.
    fn checks(&self) -> Vec<(Value, &'static str)> {
        match &self.distribution {
            TemplateDistribution::Numeric(n) => {
                let (lo, hi) = n.support();
                vec![
                    (number_value(n.central()), "its central value"),
                    (number_value(lo), "the lower end of its distribution"),
                    (number_value(hi), "the upper end of its distribution"),
                ]
            }
            TemplateDistribution::Categorical(c) => c
                .support()
                .into_iter()
                .map(|v| (v, "one of its choices"))
                .collect(),
        }
    }

    fn central(&self) -> Value {
        match &self.distribution {
            TemplateDistribution::Numeric(n) => number_value(n.central()),
            TemplateDistribution::Categorical(c) => c.central(),
        }
    }

    fn sample<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> Value {
        match &self.distribution {
            TemplateDistribution::Numeric(n) => number_value(n.sample(rng)),
            TemplateDistribution::Categorical(c) => c.sample(rng),
        }
    }
}

/// The field a case error names, if any.
fn case_field(e: &clinic::CaseError) -> Option<String> {
    match e {
        clinic::CaseError::Field { field, .. }
        | clinic::CaseError::Missing { field, .. }
        | clinic::CaseError::Atlas { field, .. } => Some(field.clone()),
        _ => None,
    }
}

/// A plain (non-distribution) value check for `[cohort]` numbers.
fn whole(t: &Table, key: &str, max: f64) -> Result<Option<u64>, CohortError> {
    match t.get(key) {
        None => Ok(None),
        Some(Value::Integer(i)) if *i >= 0 && (*i as f64) <= max => Ok(Some(*i as u64)),
        Some(v) => Err(field(
            format!("cohort.{key}"),
            v,
            format!("a whole number from 0 to {max}"),
        )),
    }
}

impl Cohort {
    /// Reads a cohort file and checks every distribution against the case format.
    pub fn parse(text: &str, atlas: &clinic::Atlas) -> Result<Cohort, EngineError> {
        let mut template: Table = toml::from_str(text).map_err(|e| {
            field(
                "(file)",
                e.message().chars().take(200).collect::<String>(),
                "a TOML cohort file",
            )
        })?;
        let Some(Value::Table(head)) = template.remove("cohort") else {
            return Err(field(
                "cohort",
                "missing",
                "a [cohort] table with `seed` and `size`",
            )
            .into());
        };
        for k in head.keys() {
            if !["seed", "size"].contains(&k.as_str()) {
                return Err(
                    field(format!("cohort.{k}"), "present", "only `seed` and `size`").into(),
                );
            }
        }
        let seed = whole(&head, "seed", u64::MAX as f64)?.unwrap_or(0);
        let size = whole(&head, "size", MAX_COHORT_DRAWS as f64)?
            .ok_or_else(|| field("cohort.size", "missing", "the number of draws, 1 or more"))?
            as usize;
        if size == 0 {
            return Err(field("cohort.size", 0, "the number of draws, 1 or more").into());
        }
        if let Some(Value::Table(s)) = template.get("settings") {
            for k in ["seed", "draws", "samples"] {
                if s.contains_key(k) {
                    return Err(field(
                        format!("settings.{k}"),
                        "present",
                        "no seed or draws in [settings]: the cohort's [cohort] seed and size \
                         decide them",
                    )
                    .into());
                }
            }
        }
        let mut warnings = Vec::new();
        let mut varied = Vec::new();
        for (k, v) in &template {
            let mut path = vec![Step::Key(k.clone())];
            collect(v, &mut path, k, &mut varied, &mut warnings)?;
        }
        let title = template
            .get("title")
            .and_then(Value::as_str)
            .unwrap_or("cohort")
            .to_string();
        let columns = column_order(&varied);
        let cohort = Cohort {
            title,
            seed,
            size,
            sha256: format!("{:x}", Sha256::digest(text.as_bytes())),
            warnings,
            template,
            varied,
            columns,
        };
        // Every distribution at its central value, then each one at its ends or choices.
        let centre: Vec<Value> = cohort.varied.iter().map(Varied::central).collect();
        if let Err(e) = cohort.case_with(&centre, 0, atlas) {
            // Name the field the case format names, with the value it was given.
            let (name, value) = match case_field(&e).and_then(|f| {
                cohort
                    .varied
                    .iter()
                    .zip(&centre)
                    .find(|(v, _)| v.field == f)
            }) {
                Some((v, x)) => (v.field.clone(), format!("{x} (its central value)")),
                None => (
                    case_field(&e).unwrap_or_else(|| "(case)".into()),
                    "every distribution at its central value".into(),
                ),
            };
            return Err(field(name, value, format!("a value the case format accepts: {e}")).into());
        }
        for (j, v) in cohort.varied.iter().enumerate() {
            for (value, what) in v.checks() {
                let mut values = centre.clone();
                values[j] = value.clone();
                if let Err(e) = cohort.case_with(&values, 0, atlas) {
                    return Err(field(
                        v.field.clone(),
                        format!("{value} ({what})"),
                        format!("a value the case format accepts: {e}"),
                    )
                    .into());
                }
            }
        }
        Ok(cohort)
    }

    /// The drawn columns: the field path of every distribution and its kind, by the case
    /// file's sections (`patient`, `injury`, `treatment`, `plan`, `settings`, then any other),
    /// within a section by path (keys alphabetically, list items in order).
    pub fn drawn_columns(&self) -> Vec<(String, DrawnKind)> {
        self.columns
            .iter()
            .map(|&j| (self.varied[j].field.clone(), self.varied[j].kind()))
            .collect()
    }

    /// The names of the listed plans (after `baseline`).
    pub fn plan_names(&self) -> Vec<String> {
        match self
            .template
            .get("plan")
            .or_else(|| self.template.get("plans"))
        {
            Some(Value::Array(a)) => a
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    p.get("name")
                        .and_then(Value::as_str)
                        .map_or_else(|| format!("plan {}", i + 1), str::to_string)
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The concrete case of draw `index` with the given drawn values.
    fn case_with(
        &self,
        values: &[Value],
        index: usize,
        atlas: &clinic::Atlas,
    ) -> Result<clinic::Case, clinic::CaseError> {
        let mut t = self.template.clone();
        for (v, x) in self.varied.iter().zip(values) {
            set(&mut t, &v.path, x.clone());
        }
        let settings = t
            .entry("settings")
            .or_insert_with(|| Value::Table(Table::new()));
        if let Value::Table(s) = settings {
            // The seed is a u64; TOML integers are i64, so the case reads it from JSON below.
            s.insert("draws".into(), Value::Integer(1));
        }
        let mut json = serde_json::to_value(&t)
            .map_err(|e| clinic::CaseError::Syntax(format!("cohort template: {e}")))?;
        json["settings"]["seed"] = serde_json::json!(twin::cohort::draw_seed(self.seed, index));
        clinic::Case::from_json(&json.to_string(), atlas)
    }

    /// The concrete case of draw `index`.
    pub(crate) fn case_of(
        &self,
        index: usize,
        atlas: &clinic::Atlas,
    ) -> Result<clinic::Case, clinic::CaseError> {
        self.case_with(&self.draw_values(index), index, atlas)
    }

    /// The values drawn for draw `index`, in the order of [`Cohort::drawn_columns`].
    fn draw_values(&self, index: usize) -> Vec<Value> {
        let mut rng = twin::cohort::draw_rng(self.seed, index);
        self.varied.iter().map(|v| v.sample(&mut rng)).collect()
    }
}

/// The order of the drawn columns: by the case file's sections, then by path (stable).
fn column_order(varied: &[Varied]) -> Vec<usize> {
    const SECTIONS: &[&str] = &["patient", "injury", "treatment", "plan", "settings"];
    let rank = |v: &Varied| match v.path.first() {
        Some(Step::Key(k)) => SECTIONS
            .iter()
            .position(|s| k == s || k.strip_suffix('s') == Some(s))
            .unwrap_or(SECTIONS.len()),
        _ => SECTIONS.len(),
    };
    let mut order: Vec<usize> = (0..varied.len()).collect();
    order.sort_by_key(|&j| rank(&varied[j]));
    order
}

/// The time course of one draw, plan and affected muscle in a cohort run: the twin's quantities
/// every `step` days from day 0.
#[derive(Debug, Clone)]
pub struct CourseRun {
    /// The draw's index.
    pub draw: u64,
    /// The plan.
    pub plan: String,
    /// The affected muscle.
    pub muscle: String,
    /// The quantities on days 0, `step`, 2 `step` … up to the horizon.
    pub days: Vec<twin::Quantities>,
}

/// Runs one draw: every plan, every affected muscle; with `course_step` > 0 also the time
/// courses (every `course_step` days).
pub(crate) fn run_draw(
    montecarlo: &clinic::montecarlo::Engine,
    atlas: &clinic::Atlas,
    cohort: &Cohort,
    index: usize,
    course_step: u32,
) -> Result<(Vec<CohortRow>, Vec<CourseRun>), CohortError> {
    let values = cohort.draw_values(index);
    let case = cohort
        .case_with(&values, index, atlas)
        .map_err(|e| CohortError::DrawCase {
            draw: index,
            source: Box::new(e),
        })?;
    let base = clinic::montecarlo::case_treatments(&case, atlas);
    let mut names = vec!["baseline".to_string()];
    let mut lists = vec![base.clone()];
    for p in &case.plans {
        names.push(p.name.clone());
        lists.push(
            base.iter()
                .cloned()
                .chain(
                    p.treatments
                        .iter()
                        .map(|t| clinic::montecarlo::planned(&case, atlas, t.clone(), false)),
                )
                .collect(),
        );
    }
    let mut runs = clinic::montecarlo::run_plans_with_course(
        montecarlo,
        &case,
        &lists,
        1,
        course_step,
        &Control::new(),
    )
    .map_err(|e| CohortError::Draw {
        draw: index,
        source: Box::new(e),
    })?;
    let drawn: Vec<Drawn> = cohort
        .columns
        .iter()
        .map(|&j| drawn_of(&values[j]))
        .collect();
    let muscles = case.muscles();
    let grades = &runs.draws[0].grades;
    let mut rows = Vec::with_capacity(names.len() * muscles.len());
    let mut courses = Vec::new();
    for (p, name) in names.iter().enumerate() {
        for (k, (inj, m)) in muscles.iter().enumerate() {
            if course_step > 0 {
                courses.push(CourseRun {
                    draw: index as u64,
                    plan: name.clone(),
                    muscle: m.muscle.clone(),
                    days: std::mem::take(&mut runs.outcomes[p][k][0].course),
                });
            }
            let o = &runs.outcomes[p][k][0];
            rows.push(CohortRow {
                draw: index as u64,
                plan: name.clone(),
                muscle: m.muscle.clone(),
                nerve: case.injuries[*inj].nerve().to_string(),
                grade: grades[*inj].label(),
                distance_mm: o.distance_mm,
                first_reinnervation_day: o.first_reinnervation_day,
                mrc_3_day: o.mrc_3_day,
                mrc_365: o.mrc_365,
                mrc_730: o.mrc_730,
                mrc_end: o.mrc_end,
                axons_before_window: o.axons_before_window,
                operated: runs.operated[p][0],
                drawn: drawn.clone(),
            });
        }
    }
    Ok((rows, courses))
}

/// The rows of a range of draws, and their time courses as Arrow tables (one per draw, in draw
/// order; none unless asked for).
pub(crate) type RangeResult = (Vec<CohortRow>, Vec<crate::table::RecordBatch>);

/// Runs the draws `range` in parallel; rows in draw order. With `course_step` > 0 each draw's
/// time courses are turned into a table as soon as the draw is done (the quantities themselves
/// are not kept). Progress: one unit per draw.
pub(crate) fn run_range(
    montecarlo: &clinic::montecarlo::Engine,
    atlas: &clinic::Atlas,
    cohort: &Cohort,
    range: Range<usize>,
    course_step: u32,
    control: &Control,
) -> Result<RangeResult, EngineError> {
    type Draw = Result<(Vec<CohortRow>, Option<crate::table::RecordBatch>), EngineError>;
    let per_draw: Vec<Draw> = range
        .into_par_iter()
        .with_min_len(1)
        .map(|i| {
            control.check()?;
            let (rows, courses) = run_draw(montecarlo, atlas, cohort, i, course_step)?;
            let table = if course_step > 0 {
                Some(crate::table::course_batch(&courses, course_step)?)
            } else {
                None
            };
            control.advance(1);
            Ok((rows, table))
        })
        .collect();
    let mut rows = Vec::new();
    let mut tables = Vec::new();
    for r in per_draw {
        let (r, t) = r?;
        rows.extend(r);
        tables.extend(t);
    }
    Ok((rows, tables))
}

/// Checks the size of a run: `draws` from 1 to [`MAX_COHORT_DRAWS`], `chunk` 1 or more.
pub fn check_run(draws: usize, chunk: usize) -> Result<(), EngineError> {
    if draws == 0 || draws > MAX_COHORT_DRAWS {
        return Err(EngineError::OutOfRange {
            field: "draws".into(),
            value: draws.to_string(),
            expected: format!("between 1 and {MAX_COHORT_DRAWS}"),
        });
    }
    if chunk == 0 {
        return Err(EngineError::OutOfRange {
            field: "chunk".into(),
            value: "0".into(),
            expected: "1 or more draws per chunk".into(),
        });
    }
    Ok(())
}

/// The chunks `[start, end)` of `draws` draws in chunks of `chunk`.
pub fn chunks(draws: usize, chunk: usize) -> Vec<Range<usize>> {
    let chunk = chunk.max(1);
    (0..draws.div_ceil(chunk))
        .map(|c| c * chunk..((c + 1) * chunk).min(draws))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_every_draw_once() {
        assert_eq!(chunks(7, 3), vec![0..3, 3..6, 6..7]);
        assert_eq!(chunks(6, 3), vec![0..3, 3..6]);
        assert_eq!(chunks(2, 10), vec![0..2]);
        assert_eq!(chunks(3, 0), vec![0..1, 1..2, 2..3]);
    }
}
