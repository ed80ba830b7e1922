//! Runs a calibration file on a model and compares every expectation.
//!
//! The runner is written against the small [`Model`] trait (one simulated case → its daily
//! quantities and event days), which the twin implements in [`crate::twin_model`]; tests can
//! use a stand-in model with known answers.
//!
//! How a file is run:
//! - Each experiment's horizon is the last day any expectation (its own, or another
//!   experiment's `relative_to` that reads it) needs, or `horizon_days` if longer. An event
//!   quantity (which takes no `day`: the reader refuses one) is watched up to `horizon_days` if
//!   given, otherwise up to 1.5 × the largest of its `min`, `max` and `value` (at least 30
//!   days, at most `twin::limits::MAX_DAYS` = 36,500; 1825 days for a relative event);
//!   an event not reached by then is infinite ("never").
//! - A run records the daily quantities of the days read from it only ([`Model::simulate_days`];
//!   the twin steps from one read day to the next, `twin::Simulation::step_to`, which gives the
//!   very numbers of stepping every day), or every day when an expectation derives a figure
//!   from the whole daily record (an MRC recovery day of a grade other than 3 and 5).
//! - A single experiment is run once, at the central values of its parameters and with the
//!   run's seed (the same for every experiment, so that `relative_to` compares like with like).
//! - A population experiment draws each member from its own generator, derived from the run's
//!   seed and the member's index, and runs it with its own derived seed, through
//!   `twin::cohort` (members run in parallel and come back in index order, so results do not
//!   depend on the thread count).
//! - `relative_to_day` divides by the same run on another day; `relative_to` divides by the
//!   other experiment's figure on `relative_to_at` (default: the same day).
//! - Across kinds: a per-muscle quantity in a population experiment is the members' mean (an
//!   event day, their median); a population summary of a single experiment treats it as a
//!   population of one.
//! - Population summaries: `fraction_mrc_ge_N` is the share of members with MRC ≥ N on the day;
//!   `median_mrc_N_day` the median (the mean of the two middle members for an even size) of the
//!   day MRC ≥ N is reached after the injury, infinite when never reached within the horizon;
//!   `mean_mrc_N_day` (beyond the format's table, for series that publish a mean) the mean of
//!   the same days, infinite when any member never reaches the grade.
//! - Event days are days of the experiment's timeline (days after day 0, like every `day`).
//!   `mrc_3_day` (and the population medians) is the first day, from the injury on, that the
//!   grade is back at the threshold after having fallen below it; if it never falls below, the
//!   injury day. A model may report `mrc_3_day` itself.
//! - An experiment the model cannot run (unknown muscle, a feature it lacks) or a malformed
//!   expectation fails with the reason; the rest of the file still runs.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;
use serde::Serialize;

use crate::case::{Draw, Run};
use crate::experiment::{CalibrationFile, Expectation, ExperimentSpec, Relative, Setup};
use crate::quantity::{DailyQuantity, EventQuantity, PopulationQuantity, Quantity};

pub use vocabulary::Resolution;

/// What one simulated case gives: the daily quantities (days `0..=horizon`) and event days.
#[derive(Debug, Clone, PartialEq)]
pub struct Trajectory {
    horizon: u32,
    readings: Vec<[f64; DailyQuantity::ALL.len()]>,
    /// After [`Trajectory::compact`]: the day of each kept reading (ascending).
    kept_days: Option<Vec<u32>>,
    /// After [`Trajectory::compact`]: the MRC recovery day of grades 0–5.
    mrc_cache: Option<[Option<u32>; 6]>,
    first_reinnervation_day: Option<u32>,
    first_fibrillation_day: Option<u32>,
    mrc_3_day: Option<Option<u32>>,
    mrc_5_day: Option<Option<u32>>,
    onset_day: u32,
}

impl Trajectory {
    /// A trajectory of `horizon + 1` days with every quantity NaN (not computed).
    pub fn new(horizon_days: u32) -> Trajectory {
        Trajectory {
            horizon: horizon_days,
            readings: vec![[f64::NAN; DailyQuantity::ALL.len()]; horizon_days as usize + 1],
            kept_days: None,
            mrc_cache: None,
            first_reinnervation_day: None,
            first_fibrillation_day: None,
            mrc_3_day: None,
            mrc_5_day: None,
            onset_day: 0,
        }
    }

    /// A trajectory that holds only the readings of `days` (those up to the horizon), every
    /// quantity NaN until set, for a model that records only the days the runner reads
    /// ([`Model::simulate_days`]). Its MRC recovery days of grades 3 and 5 must be set by the
    /// model ([`Trajectory::set_mrc_days`]): the runner derives no other grade's from it.
    pub fn on_days(horizon_days: u32, days: &BTreeSet<u32>) -> Trajectory {
        let kept: Vec<u32> = days.range(..=horizon_days).copied().collect();
        Trajectory {
            horizon: horizon_days,
            readings: vec![[f64::NAN; DailyQuantity::ALL.len()]; kept.len()],
            kept_days: Some(kept),
            ..Trajectory::new(0)
        }
    }

    /// Sets the day the injury (or the case's first insult) begins; event days that the
    /// runner derives from the daily record are searched from it. The runner sets it from the
    /// case.
    pub fn set_onset_day(&mut self, day: u32) {
        self.onset_day = day;
    }

    /// Sets the days MRC 3 and MRC 5 are reached after the injury as the model defines them
    /// (None: never within the horizon). Without them the runner derives the days from the
    /// daily MRC grades (see [`Trajectory::recovery_day`]).
    pub fn set_mrc_days(&mut self, mrc_3_day: Option<u32>, mrc_5_day: Option<u32>) {
        self.mrc_3_day = Some(mrc_3_day);
        self.mrc_5_day = Some(mrc_5_day);
    }

    /// The day MRC ≥ `grade` is reached after the injury: as the model reported it (grades 3
    /// and 5) or derived from the daily grades.
    pub fn mrc_day(&self, grade: u8) -> Option<u32> {
        if let Some(cache) = &self.mrc_cache {
            return cache.get(grade as usize).copied().flatten();
        }
        let reported = match grade {
            3 => self.mrc_3_day,
            5 => self.mrc_5_day,
            _ => None,
        };
        reported.unwrap_or_else(|| self.recovery_day(DailyQuantity::MrcGrade, f64::from(grade)))
    }

    /// The last day recorded.
    pub fn horizon_days(&self) -> u32 {
        self.horizon
    }

    /// Keeps only the readings of `days` (and the event and MRC recovery days), so that a
    /// large population does not hold every member's whole time course.
    pub fn compact(&mut self, days: &std::collections::BTreeSet<u32>) {
        if self.kept_days.is_some() {
            return;
        }
        let mut cache = [None; 6];
        for (g, slot) in cache.iter_mut().enumerate() {
            *slot = self.mrc_day(g as u8);
        }
        let kept: Vec<u32> = days
            .iter()
            .copied()
            .filter(|d| *d <= self.horizon)
            .collect();
        self.readings = kept.iter().map(|d| self.readings[*d as usize]).collect();
        self.kept_days = Some(kept);
        self.mrc_cache = Some(cache);
    }

    fn day_of(&self, i: usize) -> u32 {
        self.kept_days.as_ref().map_or(i as u32, |k| k[i])
    }

    /// Sets one quantity on one day (ignored past the horizon).
    pub fn set(&mut self, day: u32, quantity: DailyQuantity, value: f64) {
        let i = match &self.kept_days {
            None => day as usize,
            Some(k) => match k.binary_search(&day) {
                Ok(i) => i,
                Err(_) => return,
            },
        };
        if let Some(r) = self.readings.get_mut(i) {
            r[quantity.index()] = value;
        }
    }

    /// Sets the event days the model reports (None: not reached within the horizon).
    pub fn set_events(
        &mut self,
        first_reinnervation_day: Option<u32>,
        first_fibrillation_day: Option<u32>,
    ) {
        self.first_reinnervation_day = first_reinnervation_day;
        self.first_fibrillation_day = first_fibrillation_day;
    }

    /// One quantity on one day (None past the horizon).
    pub fn get(&self, quantity: DailyQuantity, day: u32) -> Option<f64> {
        let i = match &self.kept_days {
            None => day as usize,
            Some(k) => k.binary_search(&day).ok()?,
        };
        self.readings.get(i).map(|r| r[quantity.index()])
    }

    /// First day on which `quantity` ≥ `threshold`.
    pub fn first_day_at_least(&self, quantity: DailyQuantity, threshold: f64) -> Option<u32> {
        self.readings
            .iter()
            .position(|r| r[quantity.index()] >= threshold)
            .map(|i| self.day_of(i))
    }

    /// The day `quantity` is back at `threshold` or above after the onset: from the onset day,
    /// the first day below the threshold, then the first day at or above it again. If it never
    /// falls below the threshold, the onset day itself (nothing to recover); None if it has not
    /// recovered within the horizon.
    pub fn recovery_day(&self, quantity: DailyQuantity, threshold: f64) -> Option<u32> {
        let col = |r: &[f64; DailyQuantity::ALL.len()]| r[quantity.index()];
        let from = (0..self.readings.len())
            .find(|&i| self.day_of(i) >= self.onset_day)
            .unwrap_or(self.readings.len());
        let Some(fall) = self.readings[from..]
            .iter()
            .position(|r| col(r) < threshold)
            .map(|p| p + from)
        else {
            return Some(self.onset_day.min(self.horizon));
        };
        self.readings[fall..]
            .iter()
            .position(|r| col(r) >= threshold)
            .map(|p| self.day_of(p + fall))
    }

    /// An event day; infinite when not reached within the horizon.
    pub fn event(&self, event: EventQuantity) -> f64 {
        let day = match event {
            EventQuantity::FirstReinnervationDay => self.first_reinnervation_day,
            EventQuantity::FirstFibrillationDay => self.first_fibrillation_day,
            EventQuantity::Mrc3Day => self.mrc_day(3),
        };
        day.map_or(f64::INFINITY, f64::from)
    }
}

/// A simulator the runner can drive (the twin, or a stand-in in tests).
pub trait Model: Sync {
    /// Simulates one run (for its scenario's `horizon_days`, with its scenario's `seed`). The
    /// error says why the model cannot represent the case (unknown muscle, unsupported
    /// feature, invalid value).
    fn simulate(
        &self,
        run: &Run,
        resolution: Resolution,
    ) -> Result<Trajectory, crate::error::ModelError>;

    /// Simulates one run of which the runner reads the daily quantities of `days` only (and
    /// the event days, and the MRC 3 and 5 recovery days, which the model must then report,
    /// [`Trajectory::set_mrc_days`]; the runner asks for every day, [`Model::simulate`], when
    /// it needs another grade's). The default records every day.
    fn simulate_days(
        &self,
        run: &Run,
        resolution: Resolution,
        days: &BTreeSet<u32>,
    ) -> Result<Trajectory, crate::error::ModelError> {
        let _ = days;
        self.simulate(run, resolution)
    }
}

/// Receives progress (the CLI shows a bar; the library does no I/O).
pub trait Progress: Sync {
    /// Work is about to start: `total` cases to simulate.
    fn start(&self, _total: u64) {}
    /// `n` more cases are done.
    fn advance(&self, _n: u64) {}
    /// Whether the caller has asked the run to stop: experiments not yet started are then not
    /// run (their rows say so) and the caller discards the report.
    fn cancelled(&self) -> bool {
        false
    }
}

/// No progress reporting.
pub struct Silent;
impl Progress for Silent {}

/// How to run a file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// Resolution for single experiments (default fibre).
    pub single_resolution: Resolution,
    /// Resolution for population experiments (default pooled).
    pub population_resolution: Resolution,
    /// The run's seed.
    pub seed: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            single_resolution: Resolution::Fibre,
            population_resolution: Resolution::Pooled,
            seed: DEFAULT_SEED,
        }
    }
}

impl Options {
    /// The defaults with one resolution for every experiment.
    pub fn with_resolution(resolution: Resolution) -> Options {
        Options {
            single_resolution: resolution,
            population_resolution: resolution,
            ..Options::default()
        }
    }
}

/// The fixed seed of single experiments and the base seed of populations.
pub const DEFAULT_SEED: u64 = 1;

/// One expectation's outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// Experiment id.
    pub experiment: String,
    /// Quantity name.
    pub quantity: String,
    /// Day measured (absent for event quantities).
    pub day: Option<u32>,
    /// Lower bound of the accepted range.
    pub min: Option<f64>,
    /// Upper bound of the accepted range.
    pub max: Option<f64>,
    /// Published figure.
    pub value: Option<f64>,
    /// Simulated figure (infinite: an event never reached, shown as null in JSON; absent:
    /// not computed, see `reason`).
    pub simulated: Option<f64>,
    /// Whether the simulated figure is in the accepted range.
    pub pass: bool,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// How the figure is relative (`/ day 1460`, `/ other-id day 200`), for people.
    #[serde(skip)]
    pub relative: Option<String>,
}

/// The outcome of a whole file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Expectations passed.
    pub passed: usize,
    /// Expectations in all.
    pub total: usize,
    /// One row per expectation, in file order.
    pub results: Vec<Row>,
}

/// What one experiment's runs gave.
enum Outcome {
    Single(Trajectory),
    Population(Vec<Trajectory>),
}

/// Runs every experiment of `file` on `model` and evaluates every expectation.
pub fn run(
    file: &CalibrationFile,
    model: &dyn Model,
    options: &Options,
    progress: &dyn Progress,
) -> Report {
    let index = ids(file);
    let Plan {
        horizons,
        days,
        every_day,
    } = plan(file, &index);
    let empty = BTreeSet::new();
    // The days read from experiment `i`, or None when it must record every day.
    let reads = |i: usize| (!every_day.contains(&i)).then(|| days.get(&i).unwrap_or(&empty));

    let total: u64 = horizons
        .keys()
        .filter_map(|i| file.experiments[*i].setup.as_ref().ok())
        .map(|s| u64::from(s.population_size.unwrap_or(1)))
        .sum();
    progress.start(total);

    let singles: Vec<usize> = horizons
        .keys()
        .copied()
        .filter(|i| {
            file.experiments[*i]
                .setup
                .as_ref()
                .is_ok_and(|s| s.population_size.is_none())
        })
        .collect();
    let mut outcomes: HashMap<usize, Result<Outcome, String>> = singles
        .par_iter()
        .map(|&i| {
            if progress.cancelled() {
                return (i, Err("cancelled before it ran".to_string()));
            }
            let spec = &file.experiments[i];
            let out = run_single(spec, horizons[&i], reads(i), model, options);
            progress.advance(1);
            (i, out)
        })
        .collect::<Vec<_>>()
        .into_iter()
        .collect();
    for (&i, &horizon) in &horizons {
        let spec = &file.experiments[i];
        if let Ok(setup) = &spec.setup
            && let Some(size) = setup.population_size
        {
            if progress.cancelled() {
                outcomes.insert(i, Err("cancelled before it ran".to_string()));
                continue;
            }
            let read = days.get(&i).unwrap_or(&empty);
            let out = run_population(
                spec,
                setup,
                size,
                horizon,
                read,
                reads(i).is_some(),
                model,
                options,
                progress,
            );
            outcomes.insert(i, out);
        }
    }

    let mut results = Vec::new();
    for (i, spec) in file.experiments.iter().enumerate() {
        for x in &spec.expectations {
            let mut row = Row {
                experiment: spec.id.clone(),
                quantity: x.quantity.clone(),
                day: x.day,
                min: x.min,
                max: x.max,
                value: x.value,
                simulated: None,
                pass: false,
                reason: None,
                relative: None,
            };
            let evaluated = match (&spec.setup, &x.parsed) {
                (Err(e), _) => Err(format!("experiment not run: {e}")),
                (_, Err(e)) => Err(format!("expectation not understood: {e}")),
                (Ok(_), Ok(exp)) => {
                    row.relative = describe_relative(&exp.relative);
                    evaluate(i, exp, file, &index, &outcomes)
                }
            };
            match evaluated {
                Ok(sim) => {
                    let exp = x.parsed.as_ref().ok();
                    row.simulated = Some(sim);
                    row.pass = exp.is_some_and(|e| e.accepts(sim));
                    if !row.pass {
                        row.reason = Some(out_of_range(sim, x.min, x.max, horizons.get(&i)));
                    }
                }
                Err(reason) => row.reason = Some(reason),
            }
            results.push(row);
        }
    }
    Report {
        passed: results.iter().filter(|r| r.pass).count(),
        total: results.len(),
        results,
    }
}

/// One experiment's share of the work of [`run`]: what it will simulate (for a cost estimate
/// before the run; see the `engine` crate's `cost` module).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Workload {
    /// The experiment's id.
    pub id: String,
    /// Species of its twin.
    pub species: vocabulary::Species,
    /// Muscle simulated (as written; an unknown one fails the experiment when run).
    pub muscle: String,
    /// Runs of the twin: the population size, or 1.
    pub runs: u32,
    /// Days each run is simulated (the experiment's horizon as [`run`] sets it).
    pub days: u32,
    /// Resolution it runs at under `options`.
    pub resolution: Resolution,
}

/// What [`run`] will simulate for `file` under `options`: one entry per experiment that has
/// something to compute, with the same horizons the run uses.
pub fn workload(file: &CalibrationFile, options: &Options) -> Vec<Workload> {
    let index = ids(file);
    let Plan { horizons, .. } = plan(file, &index);
    horizons
        .iter()
        .filter_map(|(&i, &days)| {
            let spec = &file.experiments[i];
            let setup = spec.setup.as_ref().ok()?;
            Some(Workload {
                id: spec.id.clone(),
                species: setup.species,
                muscle: setup.muscle.clone(),
                runs: setup.population_size.unwrap_or(1),
                days,
                resolution: if setup.population_size.is_some() {
                    options.population_resolution
                } else {
                    options.single_resolution
                },
            })
        })
        .collect()
}

fn describe_relative(r: &Relative) -> Option<String> {
    match r {
        Relative::None => None,
        Relative::ToDay(d) => Some(format!("/ day {d}")),
        Relative::ToExperiment { id, at: Some(at) } => Some(format!("/ {id} day {at}")),
        Relative::ToExperiment { id, at: None } => Some(format!("/ {id}")),
    }
}

fn out_of_range(sim: f64, min: Option<f64>, max: Option<f64>, horizon: Option<&u32>) -> String {
    if sim.is_nan() {
        return "the model gave no value (NaN)".into();
    }
    if sim.is_infinite() {
        let by = horizon.map_or(String::new(), |h| format!(" by day {h}"));
        return format!("never reached{by}");
    }
    match (min, max) {
        (Some(lo), _) if sim < lo => format!("below min {lo} (simulated {sim:.4})"),
        (_, Some(hi)) if sim > hi => format!("above max {hi} (simulated {sim:.4})"),
        _ => "outside the accepted range".into(),
    }
}

// ------------------------------------------------------------------------------------------
// Horizons

const MIN_EVENT_HORIZON: u32 = 30;
const RELATIVE_EVENT_HORIZON: u32 = 1825;

fn event_horizon(setup: &Setup, exp: &Expectation) -> u32 {
    if let Some(h) = setup.horizon_days {
        return h;
    }
    if !matches!(exp.relative, Relative::None) {
        return RELATIVE_EVENT_HORIZON;
    }
    let largest = [exp.min, exp.max, exp.value]
        .into_iter()
        .flatten()
        .filter(|x| x.is_finite())
        .fold(0.0_f64, f64::max);
    // At most the latest simulated day of the limits: a figure of 1e9 days must not size a
    // trajectory of 1e9 days (the event is then simply not reached within the horizon).
    (1.5 * largest)
        .ceil()
        .clamp(MIN_EVENT_HORIZON as f64, twin::limits::MAX_DAYS as f64) as u32
}

/// What each experiment must be run for: its horizon and the days read from it.
struct Plan {
    horizons: BTreeMap<usize, u32>,
    days: BTreeMap<usize, BTreeSet<u32>>,
    /// Experiments of which some expectation derives a figure from every day's readings
    /// (an MRC recovery day of a grade other than 3 and 5): they record every day.
    every_day: BTreeSet<usize>,
}

/// Whether reading `quantity` needs every day's readings of the run (the MRC recovery day of a
/// grade the model does not report, [`Trajectory::mrc_day`]).
fn needs_every_day(quantity: Quantity) -> bool {
    match quantity {
        Quantity::Population(p) => p.recovery_grade().is_some_and(|g| g != 3 && g != 5),
        _ => false,
    }
}

/// The experiments that can run, by id.
fn ids(file: &CalibrationFile) -> HashMap<&str, usize> {
    file.experiments
        .iter()
        .enumerate()
        .filter(|(_, e)| e.setup.is_ok())
        .map(|(i, e)| (e.id.as_str(), i))
        .collect()
}

/// The horizon of every experiment that has something to compute, by index, and the days on
/// which it is read.
fn plan(file: &CalibrationFile, index: &HashMap<&str, usize>) -> Plan {
    let mut horizons: BTreeMap<usize, u32> = BTreeMap::new();
    let mut days: BTreeMap<usize, BTreeSet<u32>> = BTreeMap::new();
    let mut every_day = BTreeSet::new();
    let mut need = |i: usize, day: u32, read: bool| {
        let h = horizons.entry(i).or_insert(0);
        *h = (*h).max(day);
        let set = days.entry(i).or_default();
        if read {
            set.insert(day);
        }
    };
    for (i, spec) in file.experiments.iter().enumerate() {
        let Ok(setup) = &spec.setup else { continue };
        for x in &spec.expectations {
            let Ok(exp) = &x.parsed else { continue };
            if needs_every_day(exp.quantity) {
                every_day.insert(i);
            }
            need(i, setup.horizon_days.unwrap_or(0), false);
            let reading = if exp.quantity.needs_day() {
                exp.day.unwrap_or(0)
            } else {
                event_horizon(setup, exp)
            };
            need(i, reading, exp.quantity.needs_day());
            match &exp.relative {
                Relative::None => {}
                Relative::ToDay(d) => need(i, *d, true),
                Relative::ToExperiment { id, at } => {
                    if let Some(&j) = index.get(id.as_str()) {
                        let Ok(other) = &file.experiments[j].setup else {
                            continue;
                        };
                        if needs_every_day(exp.quantity) {
                            every_day.insert(j);
                        }
                        if exp.quantity.needs_day() {
                            need(j, at.or(exp.day).unwrap_or(0), true);
                        } else {
                            need(j, event_horizon(other, exp), false);
                        }
                        need(j, other.horizon_days.unwrap_or(0), false);
                    }
                }
            }
        }
    }
    for h in horizons.values_mut() {
        *h = (*h).max(1);
    }
    Plan {
        horizons,
        days,
        every_day,
    }
}

// ------------------------------------------------------------------------------------------
// Running

fn run_single(
    spec: &ExperimentSpec,
    horizon: u32,
    reads: Option<&BTreeSet<u32>>,
    model: &dyn Model,
    options: &Options,
) -> Result<Outcome, String> {
    let setup = spec.setup.as_ref().map_err(ToString::to_string)?;
    let run = setup
        .realize(&mut Draw::Central, horizon, options.seed, &spec.id, None)
        .map_err(|e| e.to_string())?;
    simulate(model, &run, options.single_resolution, reads).map(Outcome::Single)
}

/// One run, recording the days of `reads` ([`Model::simulate_days`]) or, without, every day.
fn simulate(
    model: &dyn Model,
    run: &Run,
    resolution: Resolution,
    reads: Option<&BTreeSet<u32>>,
) -> Result<Trajectory, String> {
    let t = match reads {
        Some(days) => model.simulate_days(run, resolution, days),
        None => model.simulate(run, resolution),
    };
    let mut t = t.map_err(|e| e.to_string())?;
    t.set_onset_day(run.injury_day());
    Ok(t)
}

/// Population member `member`'s concrete run of `horizon` days: the values are drawn from
/// `twin::cohort::draw_rng(seed, member)` and the member runs with
/// `twin::cohort::draw_seed(seed, member)`, so a member depends only on the seed and its index.
pub fn draw_member(
    spec: &ExperimentSpec,
    setup: &Setup,
    member: usize,
    seed: u64,
    horizon: u32,
) -> Result<Run, String> {
    let mut rng = twin::cohort::draw_rng(seed, member);
    setup
        .realize(
            &mut Draw::Random(&mut rng),
            horizon,
            twin::cohort::draw_seed(seed, member),
            &spec.id,
            Some(member),
        )
        .map_err(|e| e.to_string())
}

#[allow(clippy::too_many_arguments)]
fn run_population(
    spec: &ExperimentSpec,
    setup: &Setup,
    size: u32,
    horizon: u32,
    read_days: &BTreeSet<u32>,
    only_read_days: bool,
    model: &dyn Model,
    options: &Options,
    progress: &dyn Progress,
) -> Result<Outcome, String> {
    let reads = only_read_days.then_some(read_days);
    let base_seed = setup.population_seed.unwrap_or(options.seed);
    let runs: Vec<Result<Trajectory, String>> =
        twin::cohort::run(size as usize, base_seed, |m, _rng| {
            let r = draw_member(spec, setup, m, base_seed, horizon).and_then(|run| {
                let mut t = simulate(model, &run, options.population_resolution, reads)?;
                t.compact(read_days);
                Ok(t)
            });
            progress.advance(1);
            r.map_err(|e| format!("population member {m}: {e}"))
        });
    runs.into_iter()
        .collect::<Result<Vec<_>, _>>()
        .map(Outcome::Population)
}

// ------------------------------------------------------------------------------------------
// Evaluating

fn evaluate(
    i: usize,
    exp: &Expectation,
    file: &CalibrationFile,
    index: &HashMap<&str, usize>,
    outcomes: &HashMap<usize, Result<Outcome, String>>,
) -> Result<f64, String> {
    let here = read(i, exp.quantity, exp.day, outcomes)?;
    let (denominator, what) = match &exp.relative {
        Relative::None => return Ok(here),
        Relative::ToDay(d) => (
            read(i, exp.quantity, Some(*d), outcomes)?,
            format!("the same quantity on day {d}"),
        ),
        Relative::ToExperiment { id, at } => {
            let Some(&j) = index.get(id.as_str()) else {
                let why = if file.experiment(id).is_some() {
                    "which could not be read"
                } else {
                    "which is not an experiment of this file"
                };
                return Err(format!("relative_to names '{id}', {why}"));
            };
            let day = if exp.quantity.needs_day() {
                at.or(exp.day)
            } else {
                None
            };
            let there = read(j, exp.quantity, day, outcomes)
                .map_err(|e| format!("reference experiment '{id}': {e}"))?;
            (there, format!("'{id}'"))
        }
    };
    if denominator == 0.0 || !denominator.is_finite() {
        return Err(format!(
            "cannot divide by {what}: it is {denominator} (numerator {here})"
        ));
    }
    Ok(here / denominator)
}

fn read(
    i: usize,
    quantity: Quantity,
    day: Option<u32>,
    outcomes: &HashMap<usize, Result<Outcome, String>>,
) -> Result<f64, String> {
    let outcome = match outcomes.get(&i) {
        Some(Ok(o)) => o,
        Some(Err(e)) => return Err(e.clone()),
        None => return Err("experiment was not run".into()),
    };
    match (outcome, quantity) {
        (Outcome::Single(t), Quantity::Daily(q)) => {
            let day = day.unwrap_or(0);
            let v = t
                .get(q, day)
                .ok_or_else(|| format!("day {day} is past the simulated horizon"))?;
            if v.is_nan() {
                Err(format!("the model does not compute `{}`", quantity.name()))
            } else {
                Ok(v)
            }
        }
        (Outcome::Single(t), Quantity::Event(e)) => Ok(t.event(e)),
        (Outcome::Population(members), Quantity::Population(p)) => Ok(summarise(members, p, day)),
        // A single experiment is a population of one typical member.
        (Outcome::Single(t), Quantity::Population(p)) => {
            Ok(summarise(std::slice::from_ref(t), p, day))
        }
        // A per-muscle reading in a population: the members' mean.
        (Outcome::Population(members), Quantity::Daily(q)) => {
            let day = day.unwrap_or(0);
            let mut sum = 0.0;
            for t in members {
                let v = t
                    .get(q, day)
                    .ok_or_else(|| format!("day {day} is past the simulated horizon"))?;
                if v.is_nan() {
                    return Err(format!("the model does not compute `{}`", quantity.name()));
                }
                sum += v;
            }
            Ok(sum / members.len().max(1) as f64)
        }
        // An event in a population: the members' median day.
        (Outcome::Population(members), Quantity::Event(e)) => {
            let mut days: Vec<f64> = members.iter().map(|t| t.event(e)).collect();
            days.sort_by(f64::total_cmp);
            Ok(median_sorted(&days))
        }
    }
}

/// A population summary (see the module documentation).
pub fn summarise(members: &[Trajectory], quantity: PopulationQuantity, day: Option<u32>) -> f64 {
    if members.is_empty() {
        return f64::NAN;
    }
    match quantity {
        PopulationQuantity::FractionMrcAtLeast(g) => {
            let day = day.unwrap_or(0);
            let n = members
                .iter()
                .filter(|t| {
                    t.get(DailyQuantity::MrcGrade, day)
                        .is_some_and(|m| m >= f64::from(g))
                })
                .count();
            n as f64 / members.len() as f64
        }
        PopulationQuantity::MedianMrcDay(g) => {
            let mut days: Vec<f64> = members
                .iter()
                .map(|t| t.mrc_day(g).map_or(f64::INFINITY, f64::from))
                .collect();
            days.sort_by(f64::total_cmp);
            median_sorted(&days)
        }
        PopulationQuantity::MeanMrcDay(g) => {
            let days: Vec<f64> = members
                .iter()
                .map(|t| t.mrc_day(g).map_or(f64::INFINITY, f64::from))
                .collect();
            days.iter().sum::<f64>() / days.len() as f64
        }
    }
}

/// Median of sorted values (mean of the two middle ones for an even count; infinite if
/// either is).
pub fn median_sorted(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        let (a, b) = (sorted[n / 2 - 1], sorted[n / 2]);
        if a.is_infinite() || b.is_infinite() {
            f64::INFINITY
        } else {
            0.5 * (a + b)
        }
    }
}
