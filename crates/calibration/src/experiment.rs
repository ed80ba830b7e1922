//! The calibration file format, read into typed and validated structs.
//!
//! The format (one `[[experiment]]` table per published experiment, with an optional
//! `[experiment.injury]`, any number of `[[experiment.treatment]]`, one or more
//! `[[experiment.expect]]`, and `[experiment.population]` for cohorts) is described in the
//! project's shared `calibration/README.md`; this module is its reader.
//!
//! Reading is done per experiment and per expectation, so that one malformed or
//! unrepresentable experiment does not stop the others from running: a [`CalibrationFile`]
//! holds, for each experiment, either its validated [`Setup`] or the [`FieldError`] that names
//! the first bad field, and for each expectation either a validated [`Expectation`] or its
//! error. [`CalibrationFile::strict`] turns the first such error into a failure, for callers
//! that want all-or-nothing. Keys the format does not know are kept as warnings (they are
//! most likely typos, but a description key a future file adds must not fail a run).

use std::collections::HashSet;
use std::fmt::Display;

use toml::{Table, Value};

use crate::distribution::{Categorical, Choices, Numeric};
use crate::error::{FieldError, FileError};
use crate::quantity::Quantity;

pub use vocabulary::{Grade, Species};

/// An injury grade as written: Seddon's name or a Sunderland number (either may vary).
#[derive(Debug, Clone, PartialEq)]
pub enum GradeSpec {
    /// `grade = "..."`.
    Seddon(Categorical<Grade>),
    /// `sunderland = 1..5`.
    Sunderland(Numeric),
}

/// Whether axons may regrow, the disuse models and the rehabilitation programmes: the twin's
/// own words (one definition for the twin and the calibration format).
pub use twin::scenario::{DisuseModel, Regrowth, RehabKind};

/// `[experiment.injury]`.
#[derive(Debug, Clone, PartialEq)]
pub struct InjurySpec {
    /// The grade.
    pub grade: GradeSpec,
    /// Day of injury (default 0).
    pub day: Numeric,
    /// Distance from the injury to the motor entry point, mm.
    pub distance_mm: Numeric,
    /// Share of the muscle's motor axons injured (default 1).
    pub fraction_of_axons: Numeric,
    /// Whether regrowth is allowed.
    pub regrowth: Categorical<Regrowth>,
    /// Share of the injured axons only blocked in a mixed lesion in continuity (default 0;
    /// `twin::Injury::blocked_share`).
    pub blocked_share: Numeric,
}

/// Repair methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RepairMethod {
    /// End-to-end suture.
    Primary,
    /// Interposed graft.
    Graft,
    /// Nerve transfer from a healthy donor.
    Transfer,
}

/// A stimulation dose.
#[derive(Debug, Clone, PartialEq)]
pub enum Dose {
    /// Stimulated tetani (~1 s each) per day.
    ContractionsPerDay(Numeric),
    /// Hours of stimulation per day.
    HoursPerDay(Numeric),
}

/// A transfer given by its donor and recipient nerves (`donor_nerve`, `recipient_nerve`, ids of
/// `data/params/nerve-axon-counts.toml`): each patient's myelinated counts are drawn from the
/// file's mean and between-person SD (within its range, or ±3 SD), and the muscle receives
/// [`twin::repair::size_matched_donor_axons`] donor motor axons.
#[derive(Debug, Clone, PartialEq)]
pub struct SizeMatch {
    /// Donor nerve id.
    pub donor_nerve: String,
    /// Recipient nerve id.
    pub recipient_nerve: String,
    /// Donor myelinated axon count.
    pub donor_count: Numeric,
    /// Recipient myelinated axon count.
    pub recipient_count: Numeric,
}

/// `[[experiment.treatment]]`.
#[derive(Debug, Clone, PartialEq)]
pub enum TreatmentSpec {
    /// `kind = "repair"`.
    Repair {
        /// Day of repair.
        day: Numeric,
        /// Method.
        method: Categorical<RepairMethod>,
        /// Graft length, mm (graft only).
        graft_length_mm: Option<Numeric>,
        /// Donor motor axons (transfer only).
        donor_axons: Option<Numeric>,
        /// Donor and recipient nerves by name (transfer only, instead of `donor_axons`).
        size_match: Option<Box<SizeMatch>>,
        /// Days the donor axons had been cut before the transfer (default 0).
        donor_axotomized_days: Numeric,
        /// Coaptation to motor entry point, mm (default: the injury's distance).
        distance_mm: Option<Numeric>,
    },
    /// `kind = "stimulation"`.
    Stimulation {
        /// First day.
        start_day: Numeric,
        /// Last day.
        end_day: Numeric,
        /// Daily dose.
        dose: Dose,
    },
    /// `kind = "disuse"`.
    Disuse {
        /// First day.
        start_day: Numeric,
        /// Last day.
        end_day: Numeric,
        /// Model.
        model: Categorical<DisuseModel>,
    },
    /// `kind = "rehabilitation"`.
    Rehabilitation {
        /// First day.
        start_day: Numeric,
        /// Last day.
        end_day: Numeric,
        /// Programme.
        programme: Categorical<RehabKind>,
    },
}

/// What an experiment does to the muscle: everything but the expectations.
#[derive(Debug, Clone, PartialEq)]
pub struct Setup {
    /// Species.
    pub species: Species,
    /// Muscle name (snake_case), checked by the twin.
    pub muscle: String,
    /// Age in years (absent: the twin's default adult).
    pub age_years: Option<Numeric>,
    /// Requested horizon, days.
    pub horizon_days: Option<u32>,
    /// The injury, if any.
    pub injury: Option<InjurySpec>,
    /// Treatments in the order written.
    pub treatments: Vec<TreatmentSpec>,
    /// Population size, for a population experiment.
    pub population_size: Option<u32>,
    /// `population.seed`, if given: the population's base seed instead of the run's.
    pub population_seed: Option<u64>,
    /// `against_gravity`, if given: the movement an MRC grade is read on and which of its
    /// muscles still work (`twin::gravity`), passed to the case as written.
    pub against_gravity: Option<twin::gravity::AgainstGravity>,
}

impl Setup {
    /// Whether any number written in the setup is a distribution.
    pub fn has_distributions(&self) -> bool {
        let mut any = self
            .age_years
            .as_ref()
            .is_some_and(Numeric::is_distribution);
        if let Some(inj) = &self.injury {
            any |= match &inj.grade {
                GradeSpec::Seddon(g) => g.is_distribution(),
                GradeSpec::Sunderland(n) => n.is_distribution(),
            };
            any |= inj.day.is_distribution()
                || inj.distance_mm.is_distribution()
                || inj.fraction_of_axons.is_distribution()
                || inj.regrowth.is_distribution()
                || inj.blocked_share.is_distribution();
        }
        for t in &self.treatments {
            any |= match t {
                TreatmentSpec::Repair {
                    day,
                    method,
                    graft_length_mm,
                    donor_axons,
                    donor_axotomized_days,
                    distance_mm,
                    // The nerve counts of a size match come from the data file, not from the
                    // experiment: a single experiment runs them at their means without a warning.
                    size_match: _,
                } => {
                    day.is_distribution()
                        || method.is_distribution()
                        || graft_length_mm
                            .as_ref()
                            .is_some_and(Numeric::is_distribution)
                        || donor_axons.as_ref().is_some_and(Numeric::is_distribution)
                        || donor_axotomized_days.is_distribution()
                        || distance_mm.as_ref().is_some_and(Numeric::is_distribution)
                }
                TreatmentSpec::Stimulation {
                    start_day,
                    end_day,
                    dose,
                } => {
                    start_day.is_distribution()
                        || end_day.is_distribution()
                        || match dose {
                            Dose::ContractionsPerDay(n) | Dose::HoursPerDay(n) => {
                                n.is_distribution()
                            }
                        }
                }
                TreatmentSpec::Disuse {
                    start_day,
                    end_day,
                    model,
                } => {
                    start_day.is_distribution()
                        || end_day.is_distribution()
                        || model.is_distribution()
                }
                TreatmentSpec::Rehabilitation {
                    start_day,
                    end_day,
                    programme,
                } => {
                    start_day.is_distribution()
                        || end_day.is_distribution()
                        || programme.is_distribution()
                }
            };
        }
        any
    }
}

/// How an expectation is made relative.
#[derive(Debug, Clone, PartialEq)]
pub enum Relative {
    /// An absolute reading.
    None,
    /// Divided by the same quantity of the same run on another day.
    ToDay(u32),
    /// Divided by the same quantity in another experiment, read on `at` (default: same day).
    ToExperiment {
        /// The other experiment's id.
        id: String,
        /// Day at which the other experiment is read.
        at: Option<u32>,
    },
}

/// A validated expectation.
#[derive(Debug, Clone, PartialEq)]
pub struct Expectation {
    /// What is measured.
    pub quantity: Quantity,
    /// When (absent for event quantities and population medians and means).
    pub day: Option<u32>,
    /// The published figure.
    pub value: Option<f64>,
    /// Lower bound of the accepted range.
    pub min: Option<f64>,
    /// Upper bound of the accepted range.
    pub max: Option<f64>,
    /// Relative reading, if any.
    pub relative: Relative,
}

impl Expectation {
    /// Whether a simulated figure falls in the accepted range (NaN never does).
    pub fn accepts(&self, simulated: f64) -> bool {
        !simulated.is_nan()
            && self.min.is_none_or(|m| simulated >= m)
            && self.max.is_none_or(|m| simulated <= m)
    }
}

/// One `[[experiment.expect]]`: what could be read of it for reporting, and the validated form.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpectationSpec {
    /// The quantity's name as written.
    pub quantity: String,
    /// The day as written (if a whole number).
    pub day: Option<u32>,
    /// The published value as written.
    pub value: Option<f64>,
    /// The lower bound as written.
    pub min: Option<f64>,
    /// The upper bound as written.
    pub max: Option<f64>,
    /// The validated expectation, or what is wrong with it.
    pub parsed: Result<Expectation, FieldError>,
}

/// One `[[experiment]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct ExperimentSpec {
    /// The id (or `experiment #n` if it has none).
    pub id: String,
    /// The source as written.
    pub source: String,
    /// The note as written.
    pub note: String,
    /// The setup, or what is wrong with it.
    pub setup: Result<Setup, FieldError>,
    /// The expectations.
    pub expectations: Vec<ExpectationSpec>,
}

/// A whole calibration file.
#[derive(Debug, Clone, PartialEq)]
pub struct CalibrationFile {
    /// The experiments in file order.
    pub experiments: Vec<ExperimentSpec>,
    /// Unknown keys and other non-fatal remarks.
    pub warnings: Vec<String>,
}

impl CalibrationFile {
    /// Every problem kept beside an experiment or an expectation, in file order: a file with
    /// any is malformed (the runner still reports what it can).
    pub fn errors(&self) -> Vec<&FieldError> {
        let mut out = Vec::new();
        for e in &self.experiments {
            if let Err(err) = &e.setup {
                out.push(err);
            }
            for x in &e.expectations {
                if let Err(err) = &x.parsed {
                    out.push(err);
                }
            }
        }
        out
    }

    /// Reads a calibration file. Fails only when the text is not TOML or holds no
    /// experiments; problems inside an experiment are kept beside it.
    pub fn parse(text: &str) -> Result<CalibrationFile, FileError> {
        let root: Table = text
            .parse::<Table>()
            .map_err(|e| FileError::Syntax(twin::limits::echo_lines(e.to_string().trim())))?;
        let mut warnings = Vec::new();
        for key in root.keys() {
            if key != "experiment" {
                warnings.push(format!("top level: unknown key `{key}` ignored"));
            }
        }
        let list = match root.get("experiment") {
            Some(Value::Array(list)) if !list.is_empty() => list,
            other => {
                return Err(FileError::Structure {
                    field: "experiment".into(),
                    value: other.map_or("missing".to_string(), short),
                    expected: "one or more [[experiment]] tables".into(),
                });
            }
        };
        let mut seen = HashSet::new();
        let mut experiments = Vec::with_capacity(list.len());
        for (i, item) in list.iter().enumerate() {
            let mut spec = parse_experiment(i, item, &mut warnings);
            if spec.setup.is_ok() && !seen.insert(spec.id.clone()) {
                spec.setup = Err(FieldError {
                    experiment: spec.id.clone(),
                    field: "id".into(),
                    value: format!("\"{}\"", spec.id),
                    expected: "an id not used by an earlier experiment".into(),
                });
            }
            experiments.push(spec);
        }
        Ok(CalibrationFile {
            experiments,
            warnings,
        })
    }

    /// Reads a calibration file and fails on the first malformed experiment or expectation.
    pub fn parse_strict(text: &str) -> Result<CalibrationFile, FileError> {
        let file = Self::parse(text)?;
        file.strict()?;
        Ok(file)
    }

    /// The first error of any experiment or expectation, in file order.
    pub fn strict(&self) -> Result<(), FieldError> {
        for e in &self.experiments {
            if let Err(err) = &e.setup {
                return Err(err.clone());
            }
            for x in &e.expectations {
                if let Err(err) = &x.parsed {
                    return Err(err.clone());
                }
            }
        }
        Ok(())
    }

    /// The experiment with this id.
    pub fn experiment(&self, id: &str) -> Option<&ExperimentSpec> {
        self.experiments.iter().find(|e| e.id == id)
    }
}

// ------------------------------------------------------------------------------------------
// Reading helpers

/// A value as written, shortened for messages.
fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 80 {
        let cut: String = s.chars().take(77).collect();
        format!("{cut}...")
    } else {
        s
    }
}

struct Ctx<'a> {
    id: &'a str,
    warnings: &'a mut Vec<String>,
}

impl Ctx<'_> {
    fn err(&self, field: &str, value: impl Display, expected: impl Display) -> FieldError {
        FieldError {
            experiment: twin::limits::echo(self.id),
            field: field.to_string(),
            value: twin::limits::echo(&value.to_string()),
            expected: expected.to_string(),
        }
    }

    /// A refused number ([`twin::limits`]) as a field error of this experiment.
    fn limit(&self, e: twin::limits::LimitError) -> FieldError {
        use twin::limits::LimitError;
        let expected = e.expected();
        match e {
            LimitError::Exceeded { field, value, .. }
            | LimitError::Invalid { field, value, .. } => self.err(&field, value, expected),
        }
    }

    fn warn_unknown(&mut self, table: &Table, path: &str, known: &[&str]) {
        for key in table.keys() {
            if !known.contains(&key.as_str()) {
                let at = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                self.warnings.push(format!(
                    "experiment '{}': unknown key `{at}` ignored (known here: {})",
                    self.id,
                    known.join(", ")
                ));
            }
        }
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// The range of values a numeric field may take.
#[derive(Clone, Copy)]
struct Domain {
    lo: f64,
    hi: f64,
    lo_open: bool,
    integer: bool,
    what: &'static str,
}

/// A day is the twin's one day rule ([`twin::treatment_keys::DAY`]: whole days).
const DAYS: Domain = range_domain(twin::treatment_keys::DAY);
/// A distance is the twin's ([`twin::treatment_keys::DISTANCE_MM`]).
const DISTANCE: Domain = range_domain(twin::treatment_keys::DISTANCE_MM);
const FRACTION: Domain = Domain {
    lo: 0.0,
    hi: 1.0,
    lo_open: true,
    integer: false,
    what: "a fraction > 0 and <= 1",
};
const SHARE: Domain = Domain {
    lo: 0.0,
    hi: 1.0,
    lo_open: false,
    integer: false,
    what: "a fraction from 0 to 1",
};
const AGE: Domain = Domain {
    lo: 0.0,
    hi: 120.0,
    lo_open: false,
    integer: false,
    what: "an age in years, 0 to 120",
};
const SUNDERLAND: Domain = Domain {
    lo: 1.0,
    hi: 5.0,
    lo_open: false,
    integer: true,
    what: "a Sunderland grade, a whole number 1 to 5",
};
/// A transfer's donor axons: the twin's count rule ([`twin::treatment_keys::donor_axons`],
/// 1 to the default `max_axons`, rounded), here as a domain a distribution is checked against.
const AXONS: Domain = Domain {
    lo: 1.0,
    hi: twin::limits::MAX_AXONS as f64,
    lo_open: false,
    integer: false,
    what: "a motor-axon count from 1 to 100000",
};
/// The dose ranges are the twin's ([`twin::treatment_keys`]), here as domains a
/// distribution is checked against.
const CONTRACTIONS: Domain = range_domain(twin::treatment_keys::CONTRACTIONS_PER_DAY);
const HOURS: Domain = range_domain(twin::treatment_keys::HOURS_PER_DAY);
/// A graft's length is the twin's ([`twin::treatment_keys::GRAFT_LENGTH_MM`]: more than 0 mm).
const GRAFT_LENGTH: Domain = range_domain(twin::treatment_keys::GRAFT_LENGTH_MM);

/// The twin's range of a key ([`twin::treatment_keys::KeyRange`]) as a domain a distribution is
/// checked against (the same bounds, openness and whole-number rule).
const fn range_domain(r: twin::treatment_keys::KeyRange) -> Domain {
    Domain {
        lo: r.lo,
        hi: r.hi,
        lo_open: r.lo_open,
        integer: r.whole,
        what: r.what,
    }
}

impl Domain {
    fn contains(&self, x: f64) -> bool {
        twin::treatment_keys::within(x, self.lo, self.lo_open, self.hi, self.integer)
    }
}

const DIST_HELP: &str = "or a distribution: { mean, sd, min, max } (truncated normal), \
{ uniform = [a, b] } or { choices = [..], weights = [..] }";

fn as_number(v: &Value) -> Option<f64> {
    match v {
        Value::Integer(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

/// A plain number (no distribution allowed), checked against `domain`.
fn plain_number(
    ctx: &Ctx,
    table: &Table,
    path: &str,
    key: &str,
    domain: Domain,
) -> Result<Option<f64>, FieldError> {
    let field = join(path, key);
    match table.get(key) {
        None => Ok(None),
        Some(v) => match as_number(v) {
            Some(x) if domain.contains(x) => Ok(Some(x)),
            _ => Err(ctx.err(&field, short(v), domain.what)),
        },
    }
}

fn plain_days(ctx: &Ctx, table: &Table, path: &str, key: &str) -> Result<Option<u32>, FieldError> {
    Ok(plain_number(ctx, table, path, key, DAYS)?.map(|d| d as u32))
}

/// Any finite number (bounds and published values).
fn any_number(ctx: &Ctx, table: &Table, path: &str, key: &str) -> Result<Option<f64>, FieldError> {
    match table.get(key) {
        None => Ok(None),
        Some(v) => match as_number(v) {
            Some(x) if x.is_finite() => Ok(Some(x)),
            // An infinite bound is a one-sided range written explicitly.
            Some(x) if x.is_infinite() && key != "value" => Ok(Some(x)),
            _ => Err(ctx.err(&join(path, key), short(v), "a finite number")),
        },
    }
}

/// A number or a distribution, with its support checked against `domain`. A truncated normal
/// without a bound is truncated at the domain's bound.
fn numeric(
    ctx: &mut Ctx,
    table: &Table,
    path: &str,
    key: &str,
    domain: Domain,
) -> Result<Option<Numeric>, FieldError> {
    let field = join(path, key);
    let Some(v) = table.get(key) else {
        return Ok(None);
    };
    let expected = || format!("{}, {DIST_HELP}", domain.what);
    let parsed = match v {
        Value::Integer(_) | Value::Float(_) => {
            let x = as_number(v).unwrap_or(f64::NAN);
            if !domain.contains(x) {
                return Err(ctx.err(&field, short(v), domain.what));
            }
            Numeric::Fixed(x)
        }
        Value::Table(t) => distribution(ctx, t, &field, domain)?,
        _ => return Err(ctx.err(&field, short(v), expected())),
    };
    Ok(Some(parsed))
}

fn distribution(
    ctx: &mut Ctx,
    t: &Table,
    field: &str,
    domain: Domain,
) -> Result<Numeric, FieldError> {
    let whole = short(&Value::Table(t.clone()));
    let number_in = |ctx: &Ctx, k: &str| -> Result<Option<f64>, FieldError> {
        match t.get(k) {
            None => Ok(None),
            Some(v) => match as_number(v) {
                Some(x) if x.is_finite() => Ok(Some(x)),
                _ => Err(ctx.err(&format!("{field}.{k}"), short(v), "a finite number")),
            },
        }
    };
    if t.contains_key("uniform") {
        ctx.warn_unknown(t, field, &["uniform"]);
        let v = &t["uniform"];
        let pair = match v {
            Value::Array(a) if a.len() == 2 => (as_number(&a[0]), as_number(&a[1])),
            _ => (None, None),
        };
        let (Some(low), Some(high)) = pair else {
            return Err(ctx.err(
                &format!("{field}.uniform"),
                short(v),
                "two numbers [a, b] with a <= b",
            ));
        };
        if low > high {
            return Err(ctx.err(
                &format!("{field}.uniform"),
                short(v),
                "two numbers [a, b] with a <= b",
            ));
        }
        if !in_span(domain, low, high) {
            return Err(ctx.err(
                field,
                whole,
                format!("a distribution within the field's range: {}", domain.what),
            ));
        }
        return Ok(Numeric::Uniform { low, high });
    }
    if t.contains_key("choices") {
        ctx.warn_unknown(t, field, &["choices", "weights"]);
        let options = match &t["choices"] {
            Value::Array(a) => a.iter().map(as_number).collect::<Option<Vec<f64>>>(),
            _ => None,
        };
        let Some(options) = options.filter(|o| o.iter().all(|x| domain.contains(*x))) else {
            return Err(ctx.err(
                &format!("{field}.choices"),
                short(&t["choices"]),
                format!("a non-empty list, each {}", domain.what),
            ));
        };
        let weights = weights(ctx, t, field)?;
        return Choices::new(options, weights)
            .map(Numeric::Choices)
            .ok_or_else(|| {
                ctx.err(
                    &format!("{field}.weights"),
                    t.get("weights").map_or("missing".into(), short),
                    "one non-negative weight per choice, not all zero",
                )
            });
    }
    if t.contains_key("mean") || t.contains_key("sd") {
        ctx.warn_unknown(t, field, &["mean", "sd", "min", "max"]);
        let mean = number_in(ctx, "mean")?
            .ok_or_else(|| ctx.err(&format!("{field}.mean"), "missing", "a number"))?;
        let sd = number_in(ctx, "sd")?
            .ok_or_else(|| ctx.err(&format!("{field}.sd"), "missing", "a number >= 0"))?;
        if sd < 0.0 {
            return Err(ctx.err(&format!("{field}.sd"), sd, "a number >= 0"));
        }
        let min = number_in(ctx, "min")?.unwrap_or(domain.lo);
        let max = number_in(ctx, "max")?.unwrap_or(domain.hi);
        if min > max {
            return Err(ctx.err(field, whole, "min <= max"));
        }
        if !in_span(domain, min, max) {
            return Err(ctx.err(
                field,
                whole,
                format!("min and max within the field's range: {}", domain.what),
            ));
        }
        return Ok(Numeric::Normal { mean, sd, min, max });
    }
    Err(ctx.err(field, whole, format!("{}, {DIST_HELP}", domain.what)))
}

/// A value of a template (a cohort file) written in this format's distribution notation.
#[derive(Debug, Clone, PartialEq)]
pub enum TemplateDistribution {
    /// A number: truncated normal `{ mean, sd, min, max }`, `{ uniform = [a, b] }` or numeric
    /// `{ choices = [..], weights = [..] }`.
    Numeric(Numeric),
    /// A text or true/false value: `{ choices = [..], weights = [..] }`.
    Categorical(Categorical<Value>),
}

/// Any finite number: the fields of a template are checked by the format that reads the drawn
/// values, not here. A truncated normal written without bounds is truncated at ±1e12.
const ANY: Domain = Domain {
    lo: -1.0e12,
    hi: 1.0e12,
    lo_open: false,
    integer: false,
    what: "a number",
};

/// Reads `value` as a distribution in this format's notation if it is one — a table with
/// `mean` and `sd`, with `uniform`, or with `choices` — and `Ok(None)` for anything else (a plain
/// value or an ordinary table). `owner` names the file in errors (in place of an experiment id),
/// `field` the value's path; unknown keys inside a distribution are added to `warnings`.
pub fn template_distribution(
    value: &Value,
    owner: &str,
    field: &str,
    warnings: &mut Vec<String>,
) -> Result<Option<TemplateDistribution>, FieldError> {
    let Value::Table(t) = value else {
        return Ok(None);
    };
    let mut ctx = Ctx {
        id: owner,
        warnings,
    };
    if let Some(choices) = t.get("choices") {
        let Value::Array(options) = choices else {
            return Err(ctx.err(
                &format!("{field}.choices"),
                short(choices),
                "a non-empty list of values",
            ));
        };
        if options.iter().all(|o| as_number(o).is_some()) {
            return distribution(&mut ctx, t, field, ANY)
                .map(|n| Some(TemplateDistribution::Numeric(n)));
        }
        ctx.warn_unknown(t, field, &["choices", "weights"]);
        let w = weights(&ctx, t, field)?;
        return Choices::new(options.clone(), w)
            .map(|c| Some(TemplateDistribution::Categorical(Categorical::Choices(c))))
            .ok_or_else(|| {
                ctx.err(
                    &format!("{field}.weights"),
                    t.get("weights").map_or("missing".into(), short),
                    "one non-negative weight per choice, not all zero",
                )
            });
    }
    if t.contains_key("uniform") || t.contains_key("mean") || t.contains_key("sd") {
        return distribution(&mut ctx, t, field, ANY)
            .map(|n| Some(TemplateDistribution::Numeric(n)));
    }
    Ok(None)
}

fn in_span(domain: Domain, low: f64, high: f64) -> bool {
    let lo_ok = if domain.lo_open {
        low > domain.lo
    } else {
        low >= domain.lo
    };
    lo_ok && high <= domain.hi && low.is_finite() && high.is_finite()
}

fn weights(ctx: &Ctx, t: &Table, field: &str) -> Result<Option<Vec<f64>>, FieldError> {
    match t.get("weights") {
        None => Ok(None),
        Some(Value::Array(a)) => a
            .iter()
            .map(as_number)
            .collect::<Option<Vec<f64>>>()
            .map(Some)
            .ok_or_else(|| {
                ctx.err(
                    &format!("{field}.weights"),
                    short(&t["weights"]),
                    "a list of numbers",
                )
            }),
        Some(v) => Err(ctx.err(&format!("{field}.weights"), short(v), "a list of numbers")),
    }
}

/// A categorical value or weighted choices among them.
fn categorical<T: Clone>(
    ctx: &mut Ctx,
    table: &Table,
    path: &str,
    key: &str,
    names: &[(&str, T)],
) -> Result<Option<Categorical<T>>, FieldError> {
    let field = join(path, key);
    let listed = names
        .iter()
        .map(|(n, _)| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let lookup = |v: &Value| -> Option<T> {
        let s = v.as_str()?.trim().to_ascii_lowercase();
        names.iter().find(|(n, _)| *n == s).map(|(_, t)| t.clone())
    };
    let Some(v) = table.get(key) else {
        return Ok(None);
    };
    match v {
        Value::String(_) => lookup(v)
            .map(|t| Some(Categorical::Fixed(t)))
            .ok_or_else(|| ctx.err(&field, short(v), format!("one of {listed}"))),
        Value::Table(t) if t.contains_key("choices") => {
            ctx.warn_unknown(t, &field, &["choices", "weights"]);
            let options = match &t["choices"] {
                Value::Array(a) => a.iter().map(lookup).collect::<Option<Vec<T>>>(),
                _ => None,
            };
            let Some(options) = options else {
                return Err(ctx.err(
                    &format!("{field}.choices"),
                    short(&t["choices"]),
                    format!("a non-empty list, each one of {listed}"),
                ));
            };
            let w = weights(ctx, t, &field)?;
            Choices::new(options, w)
                .map(|c| Some(Categorical::Choices(c)))
                .ok_or_else(|| {
                    ctx.err(
                        &format!("{field}.weights"),
                        t.get("weights").map_or("missing".into(), short),
                        "one non-negative weight per choice, not all zero",
                    )
                })
        }
        _ => Err(ctx.err(
            &field,
            short(v),
            format!("one of {listed}, or {{ choices = [..], weights = [..] }}"),
        )),
    }
}

fn required<T>(ctx: &Ctx, v: Option<T>, field: &str, expected: &str) -> Result<T, FieldError> {
    v.ok_or_else(|| ctx.err(field, "missing", expected))
}

fn text(table: &Table, key: &str) -> String {
    table
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

// ------------------------------------------------------------------------------------------
// Experiments

const EXPERIMENT_KEYS: &[&str] = &[
    "id",
    "source",
    "note",
    "species",
    "muscle",
    "age_years",
    "horizon_days",
    "injury",
    "treatment",
    "expect",
    "population",
    "against_gravity",
];

fn parse_experiment(index: usize, item: &Value, warnings: &mut Vec<String>) -> ExperimentSpec {
    let fallback = format!("experiment #{}", index + 1);
    let Value::Table(table) = item else {
        return ExperimentSpec {
            id: fallback.clone(),
            source: String::new(),
            note: String::new(),
            setup: Err(FieldError {
                experiment: fallback,
                field: "experiment".into(),
                value: short(item),
                expected: "a table ([[experiment]])".into(),
            }),
            expectations: Vec::new(),
        };
    };
    let id_value = table.get("id");
    let id = id_value
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    let label = id.clone().unwrap_or_else(|| fallback.clone());
    let mut ctx = Ctx {
        id: &label,
        warnings,
    };
    ctx.warn_unknown(table, "", EXPERIMENT_KEYS);
    if let Some(id) = &id {
        let kebab = id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
        if !kebab {
            ctx.warnings
                .push(format!("experiment '{id}': id is not kebab-case"));
        }
    }
    let expectations = parse_expectations(&mut ctx, table);
    let setup = if id.is_none() {
        Err(ctx.err(
            "id",
            id_value.map_or("missing".into(), short),
            "a non-empty string, unique in the file",
        ))
    } else {
        parse_setup(&mut ctx, table)
    };
    ExperimentSpec {
        id: label.clone(),
        source: text(table, "source"),
        note: text(table, "note"),
        setup,
        expectations,
    }
}

fn parse_setup(ctx: &mut Ctx, table: &Table) -> Result<Setup, FieldError> {
    for key in ["source", "note"] {
        if let Some(v) = table.get(key)
            && !v.is_str()
        {
            return Err(ctx.err(key, short(v), "a string"));
        }
    }
    let species = match table.get("species") {
        Some(Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "human" => Species::Human,
            "rat" => Species::Rat,
            "mouse" => Species::Mouse,
            _ => {
                return Err(ctx.err(
                    "species",
                    format!("\"{s}\""),
                    "one of \"human\", \"rat\", \"mouse\"",
                ));
            }
        },
        other => {
            return Err(ctx.err(
                "species",
                other.map_or("missing".into(), short),
                "one of \"human\", \"rat\", \"mouse\"",
            ));
        }
    };
    let muscle = match table.get("muscle") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
        other => {
            return Err(ctx.err(
                "muscle",
                other.map_or("missing".into(), short),
                "a snake_case muscle name such as \"tibialis_anterior\"",
            ));
        }
    };
    let age_years = numeric(ctx, table, "", "age_years", AGE)?;
    let horizon_days = plain_days(ctx, table, "", "horizon_days")?;
    let mut population_seed = None;
    let population_size = match table.get("population") {
        None => None,
        Some(Value::Table(p)) => {
            ctx.warn_unknown(p, "population", &["size", "seed"]);
            population_seed = match p.get("seed") {
                None => None,
                Some(Value::Integer(n)) if *n >= 0 => Some(*n as u64),
                Some(v) => {
                    return Err(ctx.err("population.seed", short(v), "a whole number >= 0"));
                }
            };
            let limits = twin::limits::Limits::default();
            let size = match p.get("size").map(|v| (v, as_number(v))) {
                Some((_, Some(n))) => limits
                    .population("population.size", n)
                    .map_err(|e| ctx.limit(e))? as u32,
                other => {
                    return Err(ctx.err(
                        "population.size",
                        other.map_or("missing".into(), |(v, _)| short(v)),
                        format!("a whole number of members, 1 to {}", limits.max_population),
                    ));
                }
            };
            Some(size)
        }
        Some(v) => {
            return Err(ctx.err("population", short(v), "a table [experiment.population]"));
        }
    };
    let injury = match table.get("injury") {
        None => None,
        Some(Value::Table(t)) => Some(parse_injury(ctx, t)?),
        Some(v) => return Err(ctx.err("injury", short(v), "a table [experiment.injury]")),
    };
    let mut treatments = Vec::new();
    match table.get("treatment") {
        None => {}
        Some(Value::Array(list)) => {
            for (i, t) in list.iter().enumerate() {
                let path = format!("treatment[{i}]");
                let Value::Table(t) = t else {
                    return Err(ctx.err(&path, short(t), "a table [[experiment.treatment]]"));
                };
                treatments.push(parse_treatment(ctx, t, &path, injury.is_some(), species)?);
            }
        }
        Some(v) => {
            return Err(ctx.err(
                "treatment",
                short(v),
                "an array of tables [[experiment.treatment]]",
            ));
        }
    }
    let against_gravity = match table.get("against_gravity") {
        None => None,
        Some(Value::Table(t)) => Some(parse_against_gravity(ctx, t)?),
        Some(v) => {
            return Err(ctx.err(
                "against_gravity",
                short(v),
                "a table [experiment.against_gravity]",
            ));
        }
    };
    let setup = Setup {
        species,
        muscle,
        age_years,
        horizon_days,
        injury,
        treatments,
        population_size,
        population_seed,
        against_gravity,
    };
    if population_size.is_none() && setup.has_distributions() {
        ctx.warnings.push(format!(
            "experiment '{}': distributions in a single experiment are run at their central values",
            ctx.id
        ));
    }
    Ok(setup)
}

/// `[experiment.against_gravity]`: `movement`, `muscle` (strings) and `working` (an array of
/// strings, default empty), checked against the twin's movements (`twin::gravity`).
fn parse_against_gravity(
    ctx: &mut Ctx,
    t: &Table,
) -> Result<twin::gravity::AgainstGravity, FieldError> {
    let p = "against_gravity";
    ctx.warn_unknown(t, p, &["movement", "muscle", "working"]);
    let string = |ctx: &Ctx, key: &str| match t.get(key) {
        Some(Value::String(s)) => Ok(s.trim().to_string()),
        other => Err(ctx.err(
            &format!("{p}.{key}"),
            other.map_or("missing".into(), short),
            "a string",
        )),
    };
    let movement = string(ctx, "movement")?;
    let muscle = string(ctx, "muscle")?;
    let working = match t.get("working") {
        None => Vec::new(),
        Some(Value::Array(list)) => list
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::String(s) => Ok(s.trim().to_string()),
                other => Err(ctx.err(&format!("{p}.working[{i}]"), short(other), "a string")),
            })
            .collect::<Result<Vec<_>, _>>()?,
        Some(v) => {
            return Err(ctx.err(
                &format!("{p}.working"),
                short(v),
                "an array of muscle names",
            ));
        }
    };
    let g = twin::gravity::AgainstGravity {
        movement,
        muscle,
        working,
    };
    g.check()
        .map_err(|(field, value, expected)| ctx.err(&format!("{p}.{field}"), value, expected))?;
    Ok(g)
}

fn parse_injury(ctx: &mut Ctx, t: &Table) -> Result<InjurySpec, FieldError> {
    let p = "injury";
    ctx.warn_unknown(
        t,
        p,
        &[
            "grade",
            "sunderland",
            "day",
            "distance_mm",
            "fraction_of_axons",
            "regrowth",
            "blocked_share",
        ],
    );
    let seddon = categorical(
        ctx,
        t,
        p,
        "grade",
        &[
            ("neurapraxia", Grade::Neurapraxia),
            ("axonotmesis", Grade::Axonotmesis),
            ("neurotmesis", Grade::Neurotmesis),
        ],
    )?;
    let sunderland = numeric(ctx, t, p, "sunderland", SUNDERLAND)?;
    let grade = match (seddon, sunderland) {
        (Some(g), None) => GradeSpec::Seddon(g),
        (None, Some(s)) => GradeSpec::Sunderland(s),
        (Some(_), Some(_)) => {
            return Err(ctx.err(
                "injury.grade",
                "both `grade` and `sunderland`",
                "one of `grade` or `sunderland`, not both",
            ));
        }
        (None, None) => {
            return Err(ctx.err(
                "injury.grade",
                "missing",
                "`grade` (\"neurapraxia\", \"axonotmesis\", \"neurotmesis\") or `sunderland` (1 to 5)",
            ));
        }
    };
    let day = numeric(ctx, t, p, "day", DAYS)?.unwrap_or(Numeric::Fixed(0.0));
    let distance_mm = numeric(ctx, t, p, "distance_mm", DISTANCE)?;
    let distance_mm = required(ctx, distance_mm, "injury.distance_mm", DISTANCE.what)?;
    let fraction_of_axons =
        numeric(ctx, t, p, "fraction_of_axons", FRACTION)?.unwrap_or(Numeric::Fixed(1.0));
    let regrowth = categorical(
        ctx,
        t,
        p,
        "regrowth",
        &[
            ("allowed", Regrowth::Allowed),
            ("prevented", Regrowth::Prevented),
        ],
    )?
    .unwrap_or(Categorical::Fixed(Regrowth::Allowed));
    let blocked_share = numeric(ctx, t, p, "blocked_share", SHARE)?.unwrap_or(Numeric::Fixed(0.0));
    Ok(InjurySpec {
        grade,
        day,
        distance_mm,
        fraction_of_axons,
        regrowth,
        blocked_share,
    })
}

/// `donor_nerve` and `recipient_nerve` of a transfer: both or neither, human only, ids of
/// `data/params/nerve-axon-counts.toml`.
fn size_match(
    ctx: &mut Ctx,
    t: &Table,
    path: &str,
    species: Species,
) -> Result<Option<Box<SizeMatch>>, FieldError> {
    let name = |ctx: &mut Ctx, key: &str| -> Result<Option<String>, FieldError> {
        match t.get(key) {
            None => Ok(None),
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.trim().to_string())),
            Some(v) => Err(ctx.err(
                &join(path, key),
                short(v),
                "the id of a nerve of data/params/nerve-axon-counts.toml",
            )),
        }
    };
    let donor = name(ctx, "donor_nerve")?;
    let recipient = name(ctx, "recipient_nerve")?;
    // Which of the two are given together is the twin's rule, checked by the caller
    // (`twin::treatment_keys::donor_by_nerves`).
    let (Some(donor), Some(recipient)) = (donor, recipient) else {
        return Ok(None);
    };
    if species != Species::Human {
        return Err(ctx.err(
            &join(path, "donor_nerve"),
            &donor,
            format!(
                "donor_axons for a {} experiment (nerve axon counts are human only)",
                species.name()
            ),
        ));
    }
    let counts = twin::nerve_counts::NerveCounts::human().map_err(|e| {
        ctx.err(
            &join(path, "donor_nerve"),
            &donor,
            format!("a readable nerve axon count file ({e})"),
        )
    })?;
    let count = |ctx: &mut Ctx, key: &str, id: &str| -> Result<Numeric, FieldError> {
        let Some(n) = counts.get(id) else {
            return Err(ctx.err(
                &join(path, key),
                id,
                format!(
                    "one of the nerves of data/params/nerve-axon-counts.toml: {}",
                    counts.ids().collect::<Vec<_>>().join(", ")
                ),
            ));
        };
        let (min, max) = n.bounds();
        Ok(Numeric::Normal {
            mean: n.mean,
            sd: n.sd,
            min,
            max,
        })
    };
    let donor_count = count(ctx, "donor_nerve", &donor)?;
    let recipient_count = count(ctx, "recipient_nerve", &recipient)?;
    Ok(Some(Box::new(SizeMatch {
        donor_nerve: donor,
        recipient_nerve: recipient,
        donor_count,
        recipient_count,
    })))
}

fn parse_treatment(
    ctx: &mut Ctx,
    t: &Table,
    path: &str,
    has_injury: bool,
    species: Species,
) -> Result<TreatmentSpec, FieldError> {
    let kind_field = join(path, "kind");
    let kind = match t.get("kind") {
        Some(Value::String(s)) => s.trim().to_ascii_lowercase(),
        other => {
            return Err(ctx.err(
                &kind_field,
                other.map_or("missing".into(), short),
                "one of \"repair\", \"stimulation\", \"disuse\" (or \"rehabilitation\")",
            ));
        }
    };
    match kind.as_str() {
        "repair" => {
            // The twin's repair keys ([`twin::treatment_keys::REPAIR_KEYS`]) and its donor
            // named by two nerves.
            let keys: Vec<&str> = ["kind", "donor_nerve", "recipient_nerve"]
                .into_iter()
                .chain(twin::treatment_keys::REPAIR_KEYS)
                .collect();
            ctx.warn_unknown(t, path, &keys);
            if !has_injury {
                return Err(ctx.err(
                    &kind_field,
                    "\"repair\"",
                    "an [experiment.injury] to repair (this experiment has none)",
                ));
            }
            let day = numeric(ctx, t, path, "day", DAYS)?;
            let day = required(ctx, day, &join(path, "day"), DAYS.what)?;
            use twin::treatment_keys as keys;
            // A method written as one word is read by the twin's rule (its words, the error);
            // no method is a primary repair (`twin::treatment_keys::repair_method`).
            if let Some(Value::String(w)) = t.get("method") {
                keys::repair_method(Some(w)).map_err(|e| key_error(ctx, path, e))?;
            }
            let method = categorical(
                ctx,
                t,
                path,
                "method",
                // The method words are the twin's (`twin::treatment_keys::REPAIR_METHODS`).
                &[
                    (
                        twin::treatment_keys::REPAIR_METHODS[0],
                        RepairMethod::Primary,
                    ),
                    (twin::treatment_keys::REPAIR_METHODS[1], RepairMethod::Graft),
                    (
                        twin::treatment_keys::REPAIR_METHODS[2],
                        RepairMethod::Transfer,
                    ),
                ],
            )?;
            let method = method.unwrap_or(Categorical::Fixed(RepairMethod::Primary));
            let methods = method.support();
            // The twin's repair rules (`twin::treatment_keys`): a key of another method is
            // refused, the graft length's range and that a graft needs one, a donor count's
            // range, donor_axons or the two nerves.
            let words: Vec<&str> = methods
                .iter()
                .map(|m| match m {
                    RepairMethod::Primary => keys::REPAIR_METHODS[0],
                    RepairMethod::Graft => keys::REPAIR_METHODS[1],
                    RepairMethod::Transfer => keys::REPAIR_METHODS[2],
                })
                .collect();
            let given: Vec<&str> = t.keys().map(String::as_str).collect();
            keys::method_keys(&words, &given).map_err(|e| key_error(ctx, path, e))?;
            let graft_length_mm = numeric(ctx, t, path, keys::GRAFT_LENGTH_MM.key, GRAFT_LENGTH)?;
            if methods.contains(&RepairMethod::Graft) && graft_length_mm.is_none() {
                return Err(key_error(ctx, path, keys::graft_length(None).unwrap_err()));
            }
            if let Some(x) = t.get(keys::DONOR_AXONS).and_then(as_number) {
                keys::donor_axons(x).map_err(|e| key_error(ctx, path, e))?;
            }
            let donor_axons = numeric(ctx, t, path, keys::DONOR_AXONS, AXONS)?;
            keys::donor_by_nerves(
                t.contains_key(keys::DONOR_AXONS),
                t.contains_key("donor_nerve"),
                t.contains_key("recipient_nerve"),
            )
            .map_err(|e| key_error(ctx, path, e))?;
            let size_match = size_match(ctx, t, path, species)?;
            if methods.contains(&RepairMethod::Transfer)
                && donor_axons.is_none()
                && size_match.is_none()
            {
                return Err(ctx.err(
                    &join(path, "donor_axons"),
                    "missing",
                    format!(
                        "{} (required for a transfer), or donor_nerve and recipient_nerve",
                        AXONS.what
                    ),
                ));
            }
            let donor_axotomized_days = numeric(ctx, t, path, "donor_axotomized_days", DAYS)?
                .unwrap_or(Numeric::Fixed(0.0));
            let distance_mm = numeric(ctx, t, path, "distance_mm", DISTANCE)?;
            Ok(TreatmentSpec::Repair {
                day,
                method,
                graft_length_mm,
                donor_axons,
                size_match,
                donor_axotomized_days,
                distance_mm,
            })
        }
        "stimulation" => {
            ctx.warn_unknown(t, path, &period_keys("stimulation"));
            let (start_day, end_day) = period(ctx, t, path)?;
            // Which dose key, then its range: the twin's rule (`twin::treatment_keys::dose`).
            use twin::treatment_keys::{CONTRACTIONS_PER_DAY, HOURS_PER_DAY};
            let key = twin::treatment_keys::dose_key(
                t.contains_key(CONTRACTIONS_PER_DAY.key),
                t.contains_key(HOURS_PER_DAY.key),
            )
            .map_err(|e| key_error(ctx, path, e))?;
            let contractions = key == CONTRACTIONS_PER_DAY;
            let domain = if contractions { CONTRACTIONS } else { HOURS };
            let n = numeric(ctx, t, path, key.key, domain)?;
            let n = required(ctx, n, &join(path, key.key), domain.what)?;
            let dose = if contractions {
                Dose::ContractionsPerDay(n)
            } else {
                Dose::HoursPerDay(n)
            };
            Ok(TreatmentSpec::Stimulation {
                start_day,
                end_day,
                dose,
            })
        }
        "disuse" => {
            ctx.warn_unknown(t, path, &period_keys("disuse"));
            let (start_day, end_day) = period(ctx, t, path)?;
            let model = categorical(
                ctx,
                t,
                path,
                "model",
                &[
                    ("immobilization", DisuseModel::Immobilization),
                    ("unloading", DisuseModel::Unloading),
                    ("bed_rest", DisuseModel::BedRest),
                    ("paralysis", DisuseModel::Paralysis),
                ],
            )?;
            let model = required(
                ctx,
                model,
                &join(path, "model"),
                "one of \"immobilization\", \"unloading\", \"bed_rest\", \"paralysis\"",
            )?;
            Ok(TreatmentSpec::Disuse {
                start_day,
                end_day,
                model,
            })
        }
        "rehabilitation" => {
            ctx.warn_unknown(t, path, &period_keys("rehabilitation"));
            let (start_day, end_day) = period(ctx, t, path)?;
            let key = if t.contains_key(twin::treatment_keys::PROGRAMME_ALIAS)
                && !t.contains_key("programme")
            {
                twin::treatment_keys::PROGRAMME_ALIAS
            } else {
                "programme"
            };
            let programme = categorical(
                ctx,
                t,
                path,
                key,
                &[
                    ("range_of_motion", RehabKind::RangeOfMotion),
                    ("progressive_resistance", RehabKind::ProgressiveResistance),
                ],
            )?;
            let programme = required(
                ctx,
                programme,
                &join(path, "programme"),
                "one of \"range_of_motion\", \"progressive_resistance\"",
            )?;
            Ok(TreatmentSpec::Rehabilitation {
                start_day,
                end_day,
                programme,
            })
        }
        _ => Err(ctx.err(
            &kind_field,
            format!("\"{kind}\""),
            "one of \"repair\", \"stimulation\", \"disuse\" (or \"rehabilitation\")",
        )),
    }
}

fn period(ctx: &mut Ctx, t: &Table, path: &str) -> Result<(Numeric, Numeric), FieldError> {
    let start = numeric(ctx, t, path, "start_day", DAYS)?;
    let start = required(ctx, start, &join(path, "start_day"), DAYS.what)?;
    let end = numeric(ctx, t, path, "end_day", DAYS)?;
    let end = required(ctx, end, &join(path, "end_day"), DAYS.what)?;
    if let (Numeric::Fixed(s), Numeric::Fixed(e)) = (&start, &end) {
        twin::treatment_keys::period_order(*s, *e).map_err(|e| key_error(ctx, path, e))?;
    }
    Ok((start, end))
}

/// The keys of a period treatment of `kind` (the twin's, [`twin::treatment_keys`]), with
/// `kind` and, on a rehabilitation, the `program` spelling.
fn period_keys(kind: &str) -> Vec<&'static str> {
    let mut keys = vec!["kind"];
    keys.extend(twin::treatment_keys::PERIOD_KEYS);
    keys.extend(twin::treatment_keys::own_keys(kind).unwrap_or(&[]));
    if kind == "rehabilitation" {
        keys.push(twin::treatment_keys::PROGRAMME_ALIAS);
    }
    keys
}

/// A period key's error from the twin's reader at `path`, as this experiment's field error.
fn key_error(ctx: &Ctx, path: &str, e: twin::treatment_keys::KeyError) -> FieldError {
    ctx.err(&join(path, e.key), e.value, e.expected)
}

// ------------------------------------------------------------------------------------------
// Expectations

const EXPECT_KEYS: &[&str] = &[
    "quantity",
    "day",
    "value",
    "min",
    "max",
    "relative_to_day",
    "relative_to",
    "relative_to_at",
    "note",
];

fn parse_expectations(ctx: &mut Ctx, table: &Table) -> Vec<ExpectationSpec> {
    match table.get("expect") {
        Some(Value::Array(list)) if !list.is_empty() => list
            .iter()
            .enumerate()
            .map(|(i, item)| parse_expectation(ctx, i, item))
            .collect(),
        other => vec![ExpectationSpec {
            quantity: String::new(),
            day: None,
            value: None,
            min: None,
            max: None,
            parsed: Err(ctx.err(
                "expect",
                other.map_or("missing".into(), short),
                "one or more [[experiment.expect]] tables",
            )),
        }],
    }
}

fn parse_expectation(ctx: &mut Ctx, i: usize, item: &Value) -> ExpectationSpec {
    let path = format!("expect[{i}]");
    let Value::Table(t) = item else {
        return ExpectationSpec {
            quantity: String::new(),
            day: None,
            value: None,
            min: None,
            max: None,
            parsed: Err(ctx.err(&path, short(item), "a table [[experiment.expect]]")),
        };
    };
    ctx.warn_unknown(t, &path, EXPECT_KEYS);
    // What can be read for the report, whatever else is wrong.
    let number = |k: &str| t.get(k).and_then(as_number).filter(|x| !x.is_nan());
    let day = number("day")
        .filter(|d| DAYS.contains(*d))
        .map(|d| d as u32);
    let spec = |parsed| ExpectationSpec {
        quantity: t
            .get("quantity")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        day,
        value: number("value"),
        min: number("min"),
        max: number("max"),
        parsed,
    };
    spec(validate_expectation(ctx, t, &path))
}

fn validate_expectation(ctx: &Ctx, t: &Table, path: &str) -> Result<Expectation, FieldError> {
    let qfield = join(path, "quantity");
    let quantity = match t.get("quantity") {
        Some(Value::String(s)) => Quantity::from_name(s.trim()).ok_or_else(|| {
            ctx.err(
                &qfield,
                format!("\"{s}\""),
                format!("one of {}", Quantity::all_names()),
            )
        })?,
        other => {
            return Err(ctx.err(
                &qfield,
                other.map_or("missing".into(), short),
                format!("one of {}", Quantity::all_names()),
            ));
        }
    };
    let day = plain_days(ctx, t, path, "day")?;
    if quantity.needs_day() && day.is_none() {
        return Err(ctx.err(
            &join(path, "day"),
            "missing",
            format!("{} (`{}` is read on a day)", DAYS.what, quantity.name()),
        ));
    }
    // An event or a population's recovery day is watched to a horizon, not read on a day: a
    // `day` there would say something the runner does not do.
    not_on_a_day(ctx, path, "day", day, quantity)?;
    let value = any_number(ctx, t, path, "value")?;
    let min = any_number(ctx, t, path, "min")?;
    let max = any_number(ctx, t, path, "max")?;
    match (min, max) {
        (None, None) => {
            return Err(ctx.err(
                &join(path, "min"),
                "missing (and `max` missing)",
                "an accepted range: `min`, `max` or both",
            ));
        }
        (Some(lo), Some(hi)) if lo > hi => {
            return Err(ctx.err(&join(path, "max"), hi, format!("a number >= min ({lo})")));
        }
        _ => {}
    }
    let relative_to_day = plain_days(ctx, t, path, "relative_to_day")?;
    let relative_to = match t.get("relative_to") {
        None => None,
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Some(v) => {
            return Err(ctx.err(
                &join(path, "relative_to"),
                short(v),
                "the id of another experiment of this file",
            ));
        }
    };
    let relative_to_at = plain_days(ctx, t, path, "relative_to_at")?;
    let relative = match (relative_to_day, relative_to, relative_to_at) {
        (None, None, None) => Relative::None,
        (Some(d), None, None) => {
            not_on_a_day(ctx, path, "relative_to_day", Some(d), quantity)?;
            Relative::ToDay(d)
        }
        (None, Some(id), at) => {
            if id == ctx.id {
                return Err(ctx.err(
                    &join(path, "relative_to"),
                    format!("\"{id}\""),
                    "the id of another experiment (not this one)",
                ));
            }
            not_on_a_day(ctx, path, "relative_to_at", at, quantity)?;
            Relative::ToExperiment { id, at }
        }
        (_, None, Some(at)) => {
            return Err(ctx.err(
                &join(path, "relative_to_at"),
                at,
                "`relative_to_at` only together with `relative_to`",
            ));
        }
        (Some(d), Some(_), _) => {
            return Err(ctx.err(
                &join(path, "relative_to_day"),
                d,
                "either `relative_to_day` or `relative_to`, not both",
            ));
        }
    };
    // A population's median or mean event day is computed against its own horizon.
    if let Quantity::Population(p) = quantity
        && p.recovery_grade().is_some()
        && !matches!(relative, Relative::None | Relative::ToExperiment { .. })
    {
        return Err(ctx.err(path, "relative_to_day", "an absolute median or mean day"));
    }
    Ok(Expectation {
        quantity,
        day,
        value,
        min,
        max,
        relative,
    })
}

/// The one rule for the day keys of an expectation (`day`, `relative_to_day`,
/// `relative_to_at`): a quantity that is not read on a day (an event day, a population's median
/// or mean recovery day) takes none of them.
fn not_on_a_day(
    ctx: &Ctx,
    path: &str,
    key: &str,
    value: Option<u32>,
    quantity: Quantity,
) -> Result<(), FieldError> {
    match value {
        Some(d) if !quantity.needs_day() => Err(ctx.err(
            &join(path, key),
            d,
            format!(
                "no `{key}` for `{}`, which is not read on a day (it is watched to the \
                 experiment's `horizon_days`, or to 1.5 × its largest figure)",
                quantity.name()
            ),
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_rejects_fractional_days() {
        assert!(DAYS.contains(3.0));
        assert!(!DAYS.contains(3.5));
        assert!(!DAYS.contains(-1.0));
        assert!(!FRACTION.contains(0.0));
        assert!(!AXONS.contains(twin::limits::MAX_AXONS as f64 + 1.0));
    }
}
