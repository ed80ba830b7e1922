//! # cost — how long an operation will take, estimated from its inputs before it runs
//!
//! Every long operation is a number of twin runs. One run of a muscle for `D` days costs
//!
//! ```text
//! D × (per_day + per_row_day × rows)   seconds of one core
//! ```
//!
//! where `rows` is what the day loop walks: the motor-unit rows at pooled resolution (the
//! muscle's motor units plus any donor axons of a transfer) or the fibres at fibre resolution.
//! An operation's cost is the sum over its runs (draws × muscles for a prognosis; for a plan
//! comparison, draws × muscles with the days its plans are stepped when they share their past,
//! `clinic::montecarlo::planned_days` at the typical draw: the first plan to the horizon, every
//! plan with a new scenario from the day it parts; members × experiments for a calibration file,
//! draws × plans × muscles for a cohort). The wall
//! time divides the work spread over draws or population members by the threads of the pool;
//! a single run is counted on one thread.
//!
//! The four constants of [`CostModel::MEASURED`] are a **measurement of this program on the
//! development machine** (`cargo run --release -p engine --example cost`, figures and machine
//! in `docs/performance.md`), not physiological numbers: a faster or slower machine scales
//! every estimate by the same factor. A plan comparison's days count every conditional
//! treatment as done, the most work a draw can take (a condition that is false makes a plan
//! part later or repeat another; `clinic/tests/shared_past.rs` checks the days a run steps
//! against both counts).
//!
//! [`Engine::estimate`](crate::Engine::estimate) is the one home of the estimate: the CLI warns
//! on stderr before work estimated above [`LONG_SECONDS`] (and refuses it with `--max-seconds`),
//! the server answers `422` above its configured limit and reports the estimate in the job, and
//! the Python package exposes it as `estimate`.

use serde::Serialize;

use crate::{Case, Cohort, EngineError, Resolution};

/// Above this estimated wall time an interface announces the work before starting it (issue
/// 20: "warn before work estimated to take more than a minute").
pub const LONG_SECONDS: f64 = 60.0;

/// Seconds of one core per simulated day, per resolution (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CostModel {
    /// Pooled resolution: seconds per simulated day of one run, whatever its size.
    pub pooled_per_day: f64,
    /// Pooled resolution: seconds per motor-unit row and simulated day.
    pub pooled_per_row_day: f64,
    /// Fibre resolution: seconds per simulated day of one run, whatever its size.
    pub fibre_per_day: f64,
    /// Fibre resolution: seconds per fibre and simulated day.
    pub fibre_per_row_day: f64,
}

impl CostModel {
    /// The constants measured by `examples/cost.rs` on the development machine (2 cores, idle:
    /// load average about 1; one thread used; figures in `docs/performance.md`, 2026-12-05
    /// 09:20Z, after the event-driven bookkeeping): a measurement, not a physiological number.
    /// The fibre fit's free intercept was negative, so its per-day constant is 0 and its
    /// per-row-day one a fit through the origin.
    pub const MEASURED: CostModel = CostModel {
        pooled_per_day: 0.0,
        pooled_per_row_day: 6.493e-9,
        fibre_per_day: 0.0,
        fibre_per_row_day: 1.081e-8,
    };

    /// Seconds of one core for one run of `rows` rows over `days` days.
    pub fn run_seconds(&self, resolution: Resolution, rows: u64, days: u64) -> f64 {
        let (day, row_day) = match resolution {
            Resolution::Pooled => (self.pooled_per_day, self.pooled_per_row_day),
            Resolution::Fibre => (self.fibre_per_day, self.fibre_per_row_day),
        };
        days as f64 * (day + row_day * rows as f64)
    }
}

/// What to estimate: the operation and its inputs, as the facade's methods take them.
#[derive(Debug, Clone, Copy)]
pub enum Work<'a> {
    /// [`Engine::simulate`](crate::Engine::simulate), or a snapshot up to `days` (default: the
    /// case's horizon).
    Simulate {
        /// The case.
        case: &'a Case,
        /// The resolution.
        resolution: Resolution,
        /// Only this muscle (default: every affected muscle).
        muscle: Option<&'a str>,
        /// Days simulated, if not the case's horizon (a snapshot's day).
        days: Option<u32>,
    },
    /// [`Engine::prognosis`](crate::Engine::prognosis).
    Prognosis {
        /// The case.
        case: &'a Case,
        /// Draws (default: the case's `settings.draws`).
        draws: Option<usize>,
    },
    /// [`Engine::plans`](crate::Engine::plans).
    Plans {
        /// The case.
        case: &'a Case,
        /// Draws (default: the case's `settings.draws`).
        draws: Option<usize>,
    },
    /// [`Engine::calibrate`](crate::Engine::calibrate).
    Calibrate {
        /// The calibration file's text.
        text: &'a str,
        /// The run's options (resolutions).
        options: &'a calibration::Options,
    },
    /// [`Engine::cohort`](crate::Engine::cohort).
    Cohort {
        /// The cohort.
        cohort: &'a Cohort,
        /// Draws (default: the file's size).
        draws: Option<usize>,
    },
}

/// The estimated cost of an operation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cost {
    /// The operation (`prognosis`, `plans`, `simulate`, `calibrate`, `cohort`).
    pub operation: &'static str,
    /// Runs of the twin.
    pub runs: u64,
    /// Rows (motor-unit rows or fibres) × days simulated, summed over the runs.
    pub row_days: f64,
    /// Estimated seconds of one core.
    pub cpu_seconds: f64,
    /// Threads the parallel part is spread over.
    pub threads: usize,
    /// Estimated wall-clock seconds.
    pub seconds: f64,
    /// The inputs the estimate comes from, in words (`2,000 draws × 7 plans × …`).
    pub breakdown: String,
}

impl Cost {
    /// Whether the work is estimated to take more than [`LONG_SECONDS`].
    pub fn is_long(&self) -> bool {
        self.seconds > LONG_SECONDS
    }

    /// One line announcing the work: the operation, the estimate and what it comes from.
    pub fn announcement(&self) -> String {
        format!(
            "{} is estimated to take about {} on {} thread(s) ({}; {:.1e} row-days at the \
             speed measured on the development machine)",
            self.operation,
            duration(self.seconds),
            self.threads,
            self.breakdown,
            self.row_days,
        )
    }

    /// Refuses the work when its estimate is over `max_seconds` (an interface's configured
    /// limit); the error names the estimate, the limit and what it comes from.
    pub fn check(&self, max_seconds: f64) -> Result<(), EngineError> {
        if self.seconds > max_seconds {
            return Err(EngineError::TooCostly {
                operation: self.operation,
                seconds: self.seconds,
                limit: max_seconds,
                breakdown: self.breakdown.clone(),
            });
        }
        Ok(())
    }
}

/// A duration for people: `45 s`, `3.2 min`, `1.5 h`.
pub fn duration(seconds: f64) -> String {
    if seconds < 90.0 {
        format!("{seconds:.0} s")
    } else if seconds < 5400.0 {
        format!("{:.1} min", seconds / 60.0)
    } else {
        format!("{:.1} h", seconds / 3600.0)
    }
}

/// A count with thousands separators.
pub(crate) fn count(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Alike twin runs: `count` runs of `rows` rows over `days` days at `resolution`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Run {
    pub resolution: Resolution,
    pub rows: u64,
    pub days: u64,
    pub count: u64,
}

/// The twin runs of some work.
pub(crate) type Runs = Vec<Run>;

/// Sums runs repeated `times` (draws × plans, or 1) into a [`Cost`]; `parallel` is the number
/// of independent pieces (draws, members) spread over the thread pool, if any.
pub(crate) fn total(
    operation: &'static str,
    runs: &[Run],
    times: u64,
    parallel: Option<u64>,
    breakdown: String,
) -> Cost {
    let model = CostModel::MEASURED;
    let times_f = times as f64;
    let row_days = runs
        .iter()
        .map(|r| r.count as f64 * r.rows as f64 * r.days as f64)
        .sum::<f64>()
        * times_f;
    let cpu_seconds = runs
        .iter()
        .map(|r| r.count as f64 * model.run_seconds(r.resolution, r.rows, r.days))
        .sum::<f64>()
        * times_f;
    let n_runs = runs
        .iter()
        .map(|r| r.count)
        .fold(0u64, u64::saturating_add)
        .saturating_mul(times);
    let threads = match parallel {
        Some(pieces) => rayon::current_num_threads()
            .min(usize::try_from(pieces).unwrap_or(usize::MAX))
            .max(1),
        None => 1,
    };
    Cost {
        operation,
        runs: n_runs,
        row_days,
        cpu_seconds,
        threads,
        seconds: cpu_seconds / threads as f64,
        breakdown,
    }
}

/// `rows` in words: `1,234 motor-unit rows` or `1,234 fibres`.
pub(crate) fn rows_words(resolution: Resolution, rows: u64) -> String {
    match resolution {
        Resolution::Pooled => format!("{} motor-unit rows", count(rows)),
        Resolution::Fibre => format!("{} fibres", count(rows)),
    }
}

/// Rows the day loop walks for one run of `spec` with `donors` donor axons.
pub(crate) fn rows(spec: &twin::MuscleSpec, donors: u32, resolution: Resolution) -> u64 {
    match resolution {
        Resolution::Pooled => u64::from(spec.motor_units.max(1)) + u64::from(donors),
        Resolution::Fibre => u64::from(spec.fibres),
    }
}

/// Donor axons of a scenario's transfers.
pub(crate) fn donors(scenario: &twin::Scenario) -> u32 {
    scenario
        .treatments
        .iter()
        .map(|t| match t {
            twin::Treatment::Repair {
                method: twin::RepairMethod::Transfer { donor_axons, .. },
                ..
            } => *donor_axons,
            _ => 0,
        })
        .fold(0u32, u32::saturating_add)
}
