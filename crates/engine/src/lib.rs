//! # engine — the one facade of reinnervate
//!
//! One [`Engine`] value holds what is loaded once — the twin's parameter sets, the anatomy atlas,
//! the clinical data and the prognosis engine, the diagnosis knowledge base — and offers every
//! operation from typed input to a typed, `Serialize` result:
//!
//! | operation | input | result |
//! |---|---|---|
//! | [`Engine::simulate`] | a [`Case`] | [`Simulation`]: per muscle, the daily quantities, the daily clinical readout ([`readout`]) and events |
//! | [`Engine::prognosis`] | a [`Case`] | [`Prognosis`] (Monte Carlo per muscle, follow-up) |
//! | [`Engine::plans`] | a [`Case`] | [`Plans`] (plans on the same draws, ranked) |
//! | [`Engine::diagnose`] | [`diagnosis::Findings`] | [`Diagnosis`] |
//! | [`Engine::evaluate_vignettes`] | vignette text | [`diagnosis::Evaluation`] |
//! | [`Engine::calibrate`] | calibration text | [`Calibration`] |
//! | [`Engine::cohort`] | a [`Cohort`] and an output directory | Parquet tables, [`CohortMetadata`] |
//! | [`Engine::pictures`] | a case's scenario, days | [`pictures::PictureRun`]: per day the readout, the cross-section, needle EMG and CMAP pictures (SVG; PNG/WAV bytes on request) and their numbers; time strips |
//!
//! [`Engine::estimate`] gives the cost of any of the long operations from its inputs before it
//! runs (see [`cost`]): the CLI warns on it, the server refuses or reports it, Python exposes it.
//!
//! Long operations take a [`Control`]: progress through its listener, cancellation through
//! [`Control::cancel`]. The CLI, the server and the Python bindings call this crate and nothing
//! else of the workspace; each converts types around it.
//!
//! ```no_run
//! use engine::{Case, Engine, Control};
//! let engine = Engine::load().unwrap();
//! let case = engine.parse_case(&std::fs::read_to_string("examples/radial-mid-humerus.toml").unwrap()).unwrap();
//! let p = engine.prognosis(&case, Some(100), &Control::new()).unwrap();
//! println!("{}", serde_json::to_string(&p).unwrap());
//! ```
#![deny(missing_docs)]

pub mod case;
pub mod cohort;
pub mod cost;
pub mod error;
pub mod network;
pub mod pictures;
pub mod table;

use std::sync::OnceLock;

use serde::Serialize;

pub use bayes;
pub use calibration;
pub use case::{Case, CaseFileError};
pub use clinic;
pub use cohort::{Cohort, CohortError, CohortRow};
pub use cost::{Cost, LONG_SECONDS, Work};
pub use diagnosis;
pub use error::EngineError;
pub use readout;
pub use table::CohortMetadata;
pub use twin;
pub use vocabulary::{self, Cancelled, Control, DISCLAIMER, Grade, Resolution, Species};

/// The known gaps of the model against the shared calibration set, with reasons.
const KNOWN_GAPS: &str = include_str!("../../../data/calibration/known-gaps.toml");

/// Everything loaded once, and every operation.
pub struct Engine {
    atlas: clinic::Atlas,
    montecarlo: clinic::montecarlo::Engine,
    parameters: [OnceLock<twin::Parameters>; 3],
    reasoner: OnceLock<diagnosis::Reasoner>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").finish_non_exhaustive()
    }
}

/// One muscle's simulated time course.
#[derive(Debug, Clone, Serialize)]
pub struct MuscleRun {
    /// The muscle (atlas name for a patient's case).
    pub muscle: String,
    /// The twin scenario that was run (its `muscle` names the motor-unit pool used).
    pub scenario: twin::Scenario,
    /// Event days.
    pub events: twin::Events,
    /// Quantities for day 0 to the horizon.
    pub days: Vec<twin::Quantities>,
    /// The clinical readout of each day (day 0 to the horizon): what a clinician would record —
    /// the same readings `snapshot` and the report give for the same case, seed and day.
    pub readings: Vec<readout::Readout>,
}

impl MuscleRun {
    /// The run as the twin's time course.
    pub fn course(&self) -> twin::TimeCourse {
        twin::TimeCourse {
            days: self.days.clone(),
            events: self.events,
        }
    }
}

/// The result of [`Engine::simulate`].
#[derive(Debug, Clone, Serialize)]
pub struct Simulation {
    /// The case's title.
    pub title: String,
    /// The resolution used.
    pub resolution: Resolution,
    /// One run per muscle.
    pub runs: Vec<MuscleRun>,
    /// The statement every output carries.
    pub disclaimer: &'static str,
}

/// The result of [`Engine::prognosis`].
#[derive(Debug, Clone, Serialize)]
pub struct Prognosis {
    /// The case's title.
    pub title: String,
    /// The prognosis per muscle, with follow-up.
    #[serde(flatten)]
    pub report: clinic::prognosis::PrognosisReport,
    /// The statement every output carries.
    pub disclaimer: &'static str,
}

/// The result of [`Engine::plans`].
#[derive(Debug, Clone, Serialize)]
pub struct Plans {
    /// The case's title.
    pub title: String,
    /// The plans, ranked.
    #[serde(flatten)]
    pub report: clinic::plans::PlansReport,
    /// The statement every output carries.
    pub disclaimer: &'static str,
}

/// The result of [`Engine::diagnose`].
#[derive(Debug, Clone, Serialize)]
pub struct Diagnosis {
    /// The differential.
    #[serde(flatten)]
    pub differential: diagnosis::Differential,
    /// Whether no finding was given (the differential is the prior).
    pub no_findings: bool,
}

/// The result of [`Engine::calibrate`].
#[derive(Debug, Clone, Serialize)]
pub struct Calibration {
    /// One row per expectation and the count passed.
    #[serde(flatten)]
    pub report: calibration::Report,
    /// Warnings about the file (unknown quantities skipped and the like).
    pub warnings: Vec<String>,
    /// Field errors of the file (an experiment or expectation that could not be read and was
    /// not run): a file with any is malformed, whatever the report says.
    pub errors: Vec<String>,
    /// The statement every output carries.
    pub disclaimer: &'static str,
}

/// The Parquet bytes of one chunk of a cohort run ([`Engine::cohort_chunk`]).
#[derive(Debug, Clone)]
pub struct CohortChunk {
    /// The summary rows.
    pub summary: Vec<u8>,
    /// The time courses, when asked for.
    pub courses: Option<Vec<u8>>,
}

/// The largest number of Monte Carlo draws one request may ask for by default
/// ([`twin::limits::Limits::max_draws`]).
pub const MAX_DRAWS: usize = twin::limits::MAX_DRAWS;

impl Engine {
    /// Loads the embedded data (atlas, clinical data, human parameters). Other parameter sets
    /// and the diagnosis knowledge base load on first use.
    pub fn load() -> Result<Engine, EngineError> {
        Ok(Engine {
            atlas: clinic::Atlas::human()?,
            montecarlo: clinic::montecarlo::Engine::human()?,
            parameters: Default::default(),
            reasoner: OnceLock::new(),
        })
    }

    /// The anatomy atlas.
    pub fn atlas(&self) -> &clinic::Atlas {
        &self.atlas
    }

    /// The twin's parameter set of a species (loaded once).
    pub fn parameters(&self, species: Species) -> Result<&twin::Parameters, EngineError> {
        let slot = &self.parameters[species as usize];
        if let Some(p) = slot.get() {
            return Ok(p);
        }
        let p = twin::Parameters::for_species(species)?;
        Ok(slot.get_or_init(|| p))
    }

    /// The diagnosis reasoner (compiled once).
    pub fn reasoner(&self) -> Result<&diagnosis::Reasoner, EngineError> {
        if let Some(r) = self.reasoner.get() {
            return Ok(r);
        }
        let r = diagnosis::Reasoner::new()?;
        Ok(self.reasoner.get_or_init(|| r))
    }

    /// Reads a case (TOML or JSON text, either shape).
    pub fn parse_case(&self, text: &str) -> Result<Case, EngineError> {
        Case::parse(text, &self.atlas)
    }

    /// The patient's case the Monte Carlo runs for `case` (see [`Case::as_patient`]).
    pub fn patient_case(
        &self,
        case: &Case,
        operation: &'static str,
    ) -> Result<clinic::Case, EngineError> {
        case.as_patient(&self.atlas, operation)
    }

    /// The twin scenarios of a case: one per affected muscle (a patient's case at its central
    /// draw), or the experimental case itself. `(muscle, scenario)` pairs in branching order.
    pub fn scenarios(&self, case: &Case) -> Result<Vec<(String, twin::Scenario)>, EngineError> {
        match case {
            Case::Experiment { scenario } => Ok(vec![(scenario.muscle.clone(), scenario.clone())]),
            Case::Patient { case } => self.patient_scenarios(case),
        }
    }

    /// The twin scenarios of a patient's case at its typical draw
    /// (`clinic::montecarlo::Engine::typical_draw`: central parameters, each uncertain grade at
    /// the median of its prior updated by the case's observations), one per affected muscle.
    fn patient_scenarios(
        &self,
        case: &clinic::Case,
    ) -> Result<Vec<(String, twin::Scenario)>, EngineError> {
        let treatments = clinic::montecarlo::case_treatments(case, &self.atlas);
        let draw = self.montecarlo.typical_draw(case, &treatments)?;
        Ok(case
            .muscles()
            .iter()
            .enumerate()
            .map(|(k, (_, m))| {
                let s =
                    clinic::montecarlo::scenario_for(&self.montecarlo, case, &draw, k, &treatments);
                (m.muscle.clone(), s)
            })
            .collect())
    }

    /// The twin runs of one draw of a patient's case under one plan (pooled, as the Monte
    /// Carlo runs), and the muscles in words.
    fn draw_runs(&self, case: &clinic::Case) -> Result<(cost::Runs, String), EngineError> {
        let days = u64::from(clinic::montecarlo::run_days(case));
        let mut runs = cost::Runs::new();
        let mut words = Vec::new();
        for (_, s) in self.patient_scenarios(case)? {
            let spec = self.parameters(s.species)?.muscle(&s.muscle)?;
            let rows = cost::rows(spec, cost::donors(&s), Resolution::Pooled);
            runs.push(cost::Run {
                resolution: Resolution::Pooled,
                rows,
                days,
                count: 1,
            });
            words.push(rows);
        }
        let rows = words.iter().sum::<u64>() / (words.len().max(1) as u64);
        let text = format!(
            "{} muscle(s) × {} days × about {} each",
            runs.len(),
            cost::count(days),
            cost::rows_words(Resolution::Pooled, rows)
        );
        Ok((runs, text))
    }

    /// The estimated cost of an operation, from its inputs, before it runs (see [`cost`]).
    /// The inputs are checked as the operation would check them (an invalid draw count is the
    /// same error).
    pub fn estimate(&self, work: &Work<'_>) -> Result<Cost, EngineError> {
        match *work {
            Work::Simulate {
                case,
                resolution,
                muscle,
                days,
            } => {
                let mut runs = cost::Runs::new();
                let mut words = Vec::new();
                for (name, s) in self.scenarios(case)? {
                    if muscle.is_some_and(|m| m != name) {
                        continue;
                    }
                    let spec = self.parameters(s.species)?.muscle(&s.muscle)?;
                    let rows = cost::rows(spec, cost::donors(&s), resolution);
                    let d = u64::from(days.unwrap_or(s.horizon_days));
                    runs.push(cost::Run {
                        resolution,
                        rows,
                        days: d,
                        count: 1,
                    });
                    words.push(format!(
                        "{name}: {} days × {}",
                        cost::count(d),
                        cost::rows_words(resolution, rows)
                    ));
                }
                Ok(cost::total("simulate", &runs, 1, None, words.join("; ")))
            }
            Work::Prognosis { case, draws } => {
                let patient = case.as_patient(&self.atlas, "prognosis")?;
                let n = self.draws(&patient, draws)?;
                // Follow-up observations also compare the plans on the same draws (one set of
                // runs: `clinic::plans::compare_with_prognosis`).
                let plans = if patient.observations.is_empty() {
                    None
                } else {
                    Some(clinic::plans::plan_treatment_lists(&patient, &self.atlas)?)
                };
                self.monte_carlo("prognosis", &patient, n, plans.as_deref())
            }
            Work::Plans { case, draws } => {
                let patient = case.as_patient(&self.atlas, "plans")?;
                let n = self.draws(&patient, draws)?;
                let plans = clinic::plans::plan_treatment_lists(&patient, &self.atlas)?;
                self.monte_carlo("plans", &patient, n, Some(&plans))
            }
            Work::Calibrate { text, options } => {
                let file = calibration::CalibrationFile::parse(text)?;
                let mut runs = cost::Runs::new();
                let mut longest = 0u64;
                for w in calibration::runner::workload(&file, options) {
                    // An unknown muscle fails its experiment when run: no work.
                    let Ok(spec) = self.parameters(w.species)?.muscle(&w.muscle) else {
                        continue;
                    };
                    longest = longest.max(u64::from(w.days));
                    runs.push(cost::Run {
                        resolution: w.resolution,
                        rows: cost::rows(spec, 0, w.resolution),
                        days: u64::from(w.days),
                        count: u64::from(w.runs),
                    });
                }
                let members: u64 = runs.iter().map(|r| r.count).sum();
                let breakdown = format!(
                    "{} experiment(s), {} twin run(s) in all, the longest {} days",
                    runs.len(),
                    cost::count(members),
                    cost::count(longest)
                );
                Ok(cost::total("calibrate", &runs, 1, Some(members), breakdown))
            }
            Work::Cohort { cohort, draws } => {
                let n = draws.unwrap_or(cohort.size);
                let case =
                    cohort
                        .case_of(0, &self.atlas)
                        .map_err(|e| cohort::CohortError::DrawCase {
                            draw: 0,
                            source: Box::new(e),
                        })?;
                let plans = 1 + case.plans.len() as u64;
                let (runs, words) = self.draw_runs(&case)?;
                let breakdown = format!(
                    "{} draws × {plans} plan(s) × {words} (draw 0's case)",
                    cost::count(n as u64)
                );
                Ok(cost::total(
                    "cohort",
                    &runs,
                    n as u64 * plans,
                    Some(n as u64),
                    breakdown,
                ))
            }
        }
    }

    /// The cost of `n` Monte Carlo draws of `plans` plans.
    fn monte_carlo(
        &self,
        operation: &'static str,
        case: &clinic::Case,
        n: usize,
        plans: Option<&[Vec<clinic::montecarlo::PlannedTreatment>]>,
    ) -> Result<Cost, EngineError> {
        let (mut runs, words) = self.draw_runs(case)?;
        let plan_words = match plans {
            // Plans share their past: each muscle's days as `run_plans` steps them at the
            // typical draw (the trunk, then each new scenario from the day it parts).
            Some(lists) => {
                let treatments = clinic::montecarlo::case_treatments(case, &self.atlas);
                let draw = self.montecarlo.typical_draw(case, &treatments)?;
                let days = clinic::montecarlo::planned_days(&self.montecarlo, case, lists, &draw);
                let (one, all): (u64, u64) =
                    (runs.iter().map(|r| r.days).sum(), days.iter().sum::<u64>());
                for (r, d) in runs.iter_mut().zip(days) {
                    r.days = d;
                }
                format!(
                    "{} plan(s) sharing their past: {:.1} plans' worth of days",
                    lists.len(),
                    all as f64 / one.max(1) as f64
                )
            }
            None => "1 plan".into(),
        };
        let breakdown = format!("{} draws × {plan_words} × {words}", cost::count(n as u64));
        Ok(cost::total(
            operation,
            &runs,
            n as u64,
            Some(n as u64),
            breakdown,
        ))
    }

    /// The scenarios of a case's affected muscles ([`Engine::scenarios`]), or of only `muscle`
    /// (an error naming the case's muscles when it is not one of them).
    fn muscle_scenarios(
        &self,
        case: &Case,
        muscle: Option<&str>,
    ) -> Result<Vec<(String, twin::Scenario)>, EngineError> {
        let mut scenarios = self.scenarios(case)?;
        if let Some(name) = muscle {
            let names: Vec<String> = scenarios.iter().map(|(m, _)| m.clone()).collect();
            scenarios.retain(|(m, _)| m == name);
            if scenarios.is_empty() {
                return Err(EngineError::OutOfRange {
                    field: "muscle".into(),
                    value: name.chars().take(80).collect(),
                    expected: format!("one of the case's muscles: {}", names.join(", ")),
                });
            }
        }
        Ok(scenarios)
    }

    /// The twin scenario of the muscle `snapshot`, the report and the pictures picture: `muscle`,
    /// or the first affected muscle that the twin simulates with a motor-unit pool of its own.
    ///
    /// A muscle the twin does not know runs in a prognosis with a stand-in's pool (the supraspinatus
    /// with the deltoid's, `clinic::montecarlo::Engine::twin_muscle`); its fibres, needle and CMAP
    /// would be the stand-in's, so such a muscle is never pictured under its own name: it is
    /// skipped by default and refused when asked for, with the muscles that can be pictured.
    pub fn scenario(
        &self,
        case: &Case,
        muscle: Option<&str>,
    ) -> Result<twin::Scenario, EngineError> {
        let scenarios = self.muscle_scenarios(case, muscle)?;
        let own = |(m, s): &(String, twin::Scenario)| *m == s.muscle;
        if let Some((name, s)) = scenarios.iter().find(|p| !own(p))
            && muscle.is_some()
        {
            let own_names: Vec<String> = self
                .muscle_scenarios(case, None)?
                .into_iter()
                .filter(own)
                .map(|(m, _)| m)
                .collect();
            return Err(EngineError::OutOfRange {
                field: "muscle".into(),
                value: name.clone(),
                expected: format!(
                    "a muscle the twin has a motor-unit pool of (the {name} is simulated with the \
                     {}'s pool, so its pictures would be the {}'s): one of the case's {}",
                    s.muscle,
                    s.muscle,
                    if own_names.is_empty() {
                        "muscles — none has a pool of its own".to_string()
                    } else {
                        format!("muscles {}", own_names.join(", "))
                    }
                ),
            });
        }
        let stand_ins: Vec<String> = scenarios
            .iter()
            .map(|(m, s)| format!("{m} (the {}'s pool)", s.muscle))
            .collect();
        scenarios
            .into_iter()
            .find(own)
            .map(|(_, s)| s)
            .ok_or_else(|| EngineError::NotApplicable {
                operation: "pictures",
                reason: if stand_ins.is_empty() {
                    "the case affects no muscle".into()
                } else {
                    format!(
                        "no affected muscle has a motor-unit pool of its own in the twin, so none \
                         can be pictured under its name: {}",
                        stand_ins.join(", ")
                    )
                },
            })
    }

    /// Simulates a case day by day: every affected muscle, or only `muscle`.
    pub fn simulate(
        &self,
        case: &Case,
        resolution: Resolution,
        muscle: Option<&str>,
        control: &Control,
    ) -> Result<Simulation, EngineError> {
        let scenarios = self.muscle_scenarios(case, muscle)?;
        control.add_total(
            scenarios
                .iter()
                .map(|(_, s)| u64::from(s.horizon_days))
                .sum(),
        );
        let mut runs = Vec::with_capacity(scenarios.len());
        for (name, scenario) in scenarios {
            control.check()?;
            let params = self.parameters(scenario.species)?;
            let mut sim = twin::Simulation::new(&scenario, params, resolution)?;
            let mut days = Vec::with_capacity(scenario.horizon_days as usize + 1);
            days.push(sim.quantities());
            for day in 1..=scenario.horizon_days {
                sim.step();
                days.push(sim.quantities());
                if day % 30 == 0 {
                    control.check()?;
                    control.advance(30);
                }
            }
            control.advance(u64::from(scenario.horizon_days % 30));
            let constants = readout::Constants::embedded()?;
            let readings = days
                .iter()
                .map(|q| readout::read(constants, &scenario.muscle, q))
                .collect();
            runs.push(MuscleRun {
                muscle: name,
                events: sim.events(),
                scenario,
                days,
                readings,
            });
        }
        Ok(Simulation {
            title: case.title(),
            resolution,
            runs,
            disclaimer: DISCLAIMER,
        })
    }

    fn draws(&self, case: &clinic::Case, draws: Option<usize>) -> Result<usize, EngineError> {
        // The one validation path of twin::limits, with this engine's limits.
        let n = draws.unwrap_or(case.settings.draws);
        Ok(self.montecarlo.limits().draws_count("draws", n)?)
    }

    /// The Monte Carlo prognosis of every affected muscle, updated by the case's follow-up.
    pub fn prognosis(
        &self,
        case: &Case,
        draws: Option<usize>,
        control: &Control,
    ) -> Result<Prognosis, EngineError> {
        let patient = case.as_patient(&self.atlas, "prognosis")?;
        let n = self.draws(&patient, draws)?;
        let report =
            clinic::prognosis::prognose(&self.montecarlo, &self.atlas, &patient, Some(n), control)?;
        Ok(Prognosis {
            title: case.title(),
            report,
            disclaimer: DISCLAIMER,
        })
    }

    /// The treatment plans of a case, simulated on the same draws and ranked.
    pub fn plans(
        &self,
        case: &Case,
        draws: Option<usize>,
        control: &Control,
    ) -> Result<Plans, EngineError> {
        let patient = case.as_patient(&self.atlas, "plans")?;
        let n = self.draws(&patient, draws)?;
        let report = clinic::plans::compare(&self.montecarlo, &self.atlas, &patient, n, control)?;
        Ok(Plans {
            title: case.title(),
            report,
            disclaimer: DISCLAIMER,
        })
    }

    /// The prognosis and the plan comparison of a case on the same draws, the case as treated
    /// simulated once for both (what a report with both needs).
    pub fn prognosis_and_plans(
        &self,
        case: &Case,
        draws: Option<usize>,
        control: &Control,
    ) -> Result<(Prognosis, Plans), EngineError> {
        let patient = case.as_patient(&self.atlas, "plans")?;
        let n = self.draws(&patient, draws)?;
        let (prognosis, plans) = clinic::plans::compare_with_prognosis(
            &self.montecarlo,
            &self.atlas,
            &patient,
            n,
            control,
        )?;
        Ok((
            Prognosis {
                title: case.title(),
                report: prognosis,
                disclaimer: DISCLAIMER,
            },
            Plans {
                title: case.title(),
                report: plans,
                disclaimer: DISCLAIMER,
            },
        ))
    }

    /// Reads findings (TOML or JSON text; `json` says which when known).
    pub fn parse_findings(
        &self,
        text: &str,
        json: Option<bool>,
    ) -> Result<diagnosis::Findings, EngineError> {
        Ok(match json {
            Some(true) => diagnosis::Findings::from_json_str(text),
            Some(false) => diagnosis::Findings::from_toml_str(text),
            None => diagnosis::Findings::from_str_guess(text),
        }?)
    }

    /// The differential of a set of findings.
    pub fn diagnose(&self, findings: &diagnosis::Findings) -> Result<Diagnosis, EngineError> {
        Ok(Diagnosis {
            differential: self.reasoner()?.diagnose(findings)?,
            no_findings: findings.is_empty(),
        })
    }

    /// The reasoner's figures on a file of vignettes (the shared vignette format).
    pub fn evaluate_vignettes(&self, text: &str) -> Result<diagnosis::Evaluation, EngineError> {
        Ok(diagnosis::evaluate_cases(self.reasoner()?, text)?)
    }

    /// Runs a file of published experiments on the twin and compares with the published figures.
    pub fn calibrate(
        &self,
        text: &str,
        options: &calibration::Options,
        control: &Control,
    ) -> Result<Calibration, EngineError> {
        let file = calibration::CalibrationFile::parse(text)?;
        let model = calibration::twin_model::TwinModel::new();
        control.check()?;
        let report = calibration::run(&file, &model, options, &ControlProgress(control));
        control.check()?;
        Ok(Calibration {
            report,
            warnings: file.warnings.iter().map(|w| w.to_string()).collect(),
            errors: file.errors().iter().map(|e| e.to_string()).collect(),
            disclaimer: DISCLAIMER,
        })
    }

    /// Reads a cohort file (see [`cohort`]), checking every distribution against the case format.
    pub fn parse_cohort(&self, text: &str) -> Result<Cohort, EngineError> {
        Cohort::parse(text, &self.atlas)
    }

    /// The rows of the cohort's draws `range`, in draw order (parallel; progress one unit per
    /// draw).
    pub fn cohort_rows(
        &self,
        cohort: &Cohort,
        range: std::ops::Range<usize>,
        control: &Control,
    ) -> Result<Vec<CohortRow>, EngineError> {
        Ok(cohort::run_range(&self.montecarlo, &self.atlas, cohort, range, 0, control)?.0)
    }

    /// The cohort's draws `range` as Parquet bytes (the chunk files of a run; what a Dask worker
    /// returns): the summary rows, and with `course_step` > 0 the time courses every
    /// `course_step` days.
    pub fn cohort_chunk(
        &self,
        cohort: &Cohort,
        range: std::ops::Range<usize>,
        course_step: u32,
        control: &Control,
    ) -> Result<CohortChunk, EngineError> {
        let (rows, courses) = cohort::run_range(
            &self.montecarlo,
            &self.atlas,
            cohort,
            range,
            course_step,
            control,
        )?;
        let summary = table::to_parquet(&table::summary_batch(cohort, &rows)?)?;
        let courses = if course_step > 0 {
            let schema = table::course_schema();
            let all = arrow_select::concat::concat_batches(&schema, &courses)
                .map_err(|e| table::TableError(e.to_string()))?;
            Some(table::to_parquet(&all)?)
        } else {
            None
        };
        Ok(CohortChunk { summary, courses })
    }

    /// Runs a cohort into `dir` (see [`table`]): `draws` draws (default: the file's size) in
    /// chunks of `chunk`, skipping chunks an earlier run finished, then writes
    /// `summary.parquet`, with `course_step` > 0 the time courses `courses.parquet` (every
    /// `course_step` days), and `metadata.json`. Progress: one unit per draw still to run.
    pub fn cohort(
        &self,
        cohort: &Cohort,
        dir: &std::path::Path,
        draws: Option<usize>,
        chunk: usize,
        course_step: u32,
        control: &Control,
    ) -> Result<CohortMetadata, EngineError> {
        let draws = draws.unwrap_or(cohort.size);
        cohort::check_run(draws, chunk)?;
        let todo = table::prepare(cohort, dir, draws, chunk, course_step)?;
        control.add_total(todo.iter().map(|r| r.len() as u64).sum());
        for r in todo {
            control.check()?;
            let tables = self.cohort_chunk(cohort, r.clone(), course_step, control)?;
            if let Some(c) = &tables.courses {
                table::store_courses(dir, &r, course_step, c)?;
            }
            table::store_chunk(dir, &r, &tables.summary)?;
        }
        Ok(table::finish(cohort, dir, draws, chunk, course_step)?)
    }

    /// The known gaps of the model against the shared calibration set.
    pub fn known_gaps(&self) -> Result<calibration::gaps::KnownGaps, EngineError> {
        Ok(calibration::gaps::KnownGaps::parse(KNOWN_GAPS)?)
    }
}

/// The calibration runner's progress, reported through a [`Control`].
struct ControlProgress<'a>(&'a Control);

impl calibration::runner::Progress for ControlProgress<'_> {
    fn start(&self, total: u64) {
        self.0.add_total(total);
    }
    fn advance(&self, n: u64) {
        self.0.advance(n);
    }
    fn cancelled(&self) -> bool {
        self.0.is_cancelled()
    }
}
