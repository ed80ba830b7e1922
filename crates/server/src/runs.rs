//! The engine behind the API: the one module that calls the library, through the engine facade
//! (`engine::Engine`, loaded once). It checks case files and runs an operation on a case to the
//! facade's typed result, serialised exactly as the CLI's `--json` prints it (the same Rust
//! types, no second schema).

use std::str::FromStr;

use engine::{Control, Engine, EngineError, Resolution};
use serde::Serialize;
use sha2::Digest;

use crate::problem::ApiError;

/// An operation of the engine that runs as a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    /// Monte Carlo prognosis per muscle, updated by follow-up observations.
    Prognosis,
    /// Treatment plans compared on the same draws, ranked, with reasons.
    Plans,
    /// The twin day by day for every affected muscle (pooled resolution unless asked).
    Simulate,
    /// The pictures of one muscle on chosen days (cross-section in every stain, needle EMG at
    /// rest and at effort, CMAP) and time strips, from the case's own seed at fibre resolution:
    /// a JSON result of readings and links, the pictures and traces stored beside it.
    Snapshot,
    /// A file of published experiments (the shared calibration format) run on the twin and
    /// compared with the published figures; runs only on a file sent to `/v1/runs/calibrate`.
    Calibrate,
}

impl Op {
    /// Every operation, in the order the docs list them.
    pub const ALL: [Op; 5] = [
        Op::Prognosis,
        Op::Plans,
        Op::Simulate,
        Op::Snapshot,
        Op::Calibrate,
    ];

    /// The name used in URLs and stored jobs.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Prognosis => "prognosis",
            Op::Plans => "plans",
            Op::Simulate => "simulate",
            Op::Snapshot => "snapshot",
            Op::Calibrate => "calibrate",
        }
    }
}

impl FromStr for Op {
    type Err = ApiError;
    fn from_str(s: &str) -> Result<Op, ApiError> {
        Op::ALL
            .into_iter()
            .find(|op| op.as_str() == s)
            .ok_or_else(|| {
                ApiError::field(
                    "op",
                    format!("\"{}\"", s.chars().take(40).collect::<String>()),
                    format!("one of {}", Op::ALL.map(|o| o.as_str()).join(", ")),
                )
            })
    }
}

/// What the API needs to know of a case file before storing or running it.
#[derive(Debug, Clone)]
pub struct CaseInfo {
    /// The case's title.
    pub title: String,
    /// The seed its runs use.
    pub seed: u64,
    /// Monte Carlo draws the case asks for (an experimental case: 1).
    pub draws: usize,
}

/// Most days a snapshot pictures (and most days of its time strip): bounded work per job.
pub const MAX_SNAPSHOT_DAYS: usize = 12;

/// What a snapshot pictures: the days, the muscle, the days of the time strip.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct SnapshotSpec {
    /// Days to picture (default [`engine::pictures::picture_days`]).
    pub days: Option<Vec<u32>>,
    /// The muscle (default: the case's first affected muscle with a motor-unit pool of its own in
    /// the twin, `engine::Engine::scenario`).
    pub muscle: Option<String>,
    /// Days of the time strip (default: none).
    pub strip: Option<Vec<u32>>,
}

/// What a run gives: its JSON result and the files stored beside it (pictures, traces).
#[derive(Debug)]
pub struct Output {
    /// The JSON result.
    pub result: serde_json::Value,
    /// Files (a snapshot's pictures and traces).
    pub files: Vec<store::JobFile>,
}

/// The loaded engine.
pub struct Runner {
    engine: Engine,
    params_version: String,
    fonts: engine::pictures::Fonts,
}

impl std::fmt::Debug for Runner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runner")
            .field("params_version", &self.params_version)
            .finish_non_exhaustive()
    }
}

/// The engine's version, stored with every result.
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");

fn limit_error(e: engine::twin::limits::LimitError) -> ApiError {
    use engine::twin::limits::LimitError;
    let expected = e.expected();
    match e {
        LimitError::Exceeded { field, value, .. } | LimitError::Invalid { field, value, .. } => {
            ApiError::field(field, value, expected)
        }
    }
}

fn atlas_error(field: String, e: engine::clinic::AtlasError) -> ApiError {
    use engine::clinic::AtlasError;
    match e {
        AtlasError::UnknownNerve { value, expected }
        | AtlasError::UnknownSite { value, expected } => {
            ApiError::field(field, format!("\"{value}\""), format!("one of {expected}"))
        }
        AtlasError::SiteNotOnNerve {
            site,
            nerve,
            expected,
        } => ApiError::field(
            field,
            format!("\"{site}\""),
            format!("a site on the {nerve} nerve: one of {expected}"),
        ),
        other => ApiError::Internal(other.to_string()),
    }
}

fn case_error(e: engine::clinic::CaseError) -> ApiError {
    use engine::clinic::CaseError;
    match e {
        CaseError::Field {
            field,
            value,
            expected,
        } => ApiError::field(field, value, expected),
        CaseError::Missing { field, expected } => ApiError::field(field, "(missing)", expected),
        CaseError::Syntax(msg) => ApiError::syntax(format!("case file: {msg}"), None),
        CaseError::Limit(l) => limit_error(l),
        CaseError::Atlas { field, error } => atlas_error(field, error),
        other => ApiError::Internal(other.to_string()),
    }
}

fn calibration_error(e: engine::calibration::FileError) -> ApiError {
    use engine::calibration::FileError;
    match e {
        FileError::Syntax(_) => ApiError::syntax(e.to_string(), None),
        FileError::Structure {
            field,
            value,
            expected,
        } => ApiError::field(field, value, expected),
        FileError::Field(f) => ApiError::field(
            format!("experiment '{}'.{}", f.experiment, f.field),
            f.value,
            f.expected,
        ),
    }
}

fn findings_error(e: engine::diagnosis::FindingsError) -> ApiError {
    use engine::diagnosis::FindingsError;
    match e {
        FindingsError::Syntax { .. } => ApiError::syntax(e.to_string(), None),
        FindingsError::NotATable { allowed, found } => ApiError::field(
            "(top level)",
            found,
            format!("a table of sections ({allowed})"),
        ),
        FindingsError::UnknownSection { section, allowed } => ApiError::field(
            section.clone(),
            format!("\"{section}\""),
            format!("one of the sections {allowed}"),
        ),
        FindingsError::UnknownKey { key, allowed } => ApiError::field(
            key.clone(),
            format!("\"{key}\""),
            format!("one of the keys {allowed}"),
        ),
        FindingsError::UnknownValue {
            key,
            value,
            allowed,
        } => ApiError::field(key, value, format!("one of {allowed}")),
        FindingsError::WrongType {
            key,
            value,
            expected,
        } => ApiError::field(key, value, expected),
    }
}

/// Turns an engine error into a problem: what the caller gave wrong is a 4xx naming the field.
fn engine_error(e: EngineError) -> ApiError {
    use engine::CaseFileError;
    match e {
        EngineError::PatientCase(c) => case_error(c),
        EngineError::Prognosis(engine::clinic::PrognosisError::Case(c)) => case_error(c),
        EngineError::Case(CaseFileError::Syntax { format, message }) => {
            ApiError::syntax(format!("the case is not valid {format}: {message}"), None)
        }
        EngineError::Case(shape @ CaseFileError::Shape { .. }) => {
            ApiError::field("case", "(its top-level keys)", shape.to_string())
        }
        EngineError::Scenario(engine::twin::ScenarioError::Invalid {
            field,
            value,
            expected,
        }) => ApiError::field(field, value, expected),
        EngineError::Scenario(engine::twin::ScenarioError::Parse(msg)) => {
            ApiError::syntax(format!("case file: {msg}"), None)
        }
        EngineError::OutOfRange {
            field,
            value,
            expected,
        } => ApiError::field(field, value, expected),
        EngineError::Limit(l) => limit_error(l),
        EngineError::Findings(f) => findings_error(f),
        EngineError::Calibration(c) => calibration_error(c),
        EngineError::NotApplicable { operation, reason } => ApiError::field(
            "op",
            format!("\"{operation}\""),
            format!("an operation that applies to this case: {reason}"),
        ),
        EngineError::Cancelled(_) => ApiError::Unsupported("cancelled".into()),
        e @ EngineError::TooCostly { seconds, limit, .. } => ApiError::Invalid {
            status: axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            detail: e.to_string(),
            field: Some("draws".into()),
            value: Some(format!("work estimated at {seconds:.0} s")),
            expected: Some(format!(
                "work estimated at most {limit:.0} s (the server's job time)"
            )),
        },
        other => ApiError::Internal(other.to_string()),
    }
}

/// The answer of a case check (validate-as-you-type): `ok`, what the case is, or the errors.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CaseCheck {
    /// Whether the case file is valid: every verb that applies to it would start.
    pub ok: bool,
    /// `patient` or `experiment` (when valid).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The case's title (when valid).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The seed its runs use (when valid).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Monte Carlo draws the case asks for (when valid; an experimental case: 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub draws: Option<usize>,
    /// What is wrong, each naming the field, the value and what was expected, as the command
    /// line reports them (empty when valid; the engine stops at the first error).
    pub errors: Vec<crate::problem::Problem>,
}

impl Runner {
    /// Loads the engine (atlas, clinical data, parameters) once.
    pub fn load() -> Result<Runner, ApiError> {
        let engine = Engine::load().map_err(|e| ApiError::Internal(e.to_string()))?;
        let params = engine
            .parameters(engine::Species::Human)
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        let json = serde_json::to_vec(params).map_err(|e| ApiError::Internal(e.to_string()))?;
        let digest = sha2::Sha256::digest(&json);
        let params_version = format!(
            "human-sha256:{}",
            digest[..8]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        );
        Ok(Runner {
            engine,
            params_version,
            fonts: engine::pictures::Fonts::system(),
        })
    }

    /// The version of the parameter set results are computed with (a digest of its values).
    pub fn params_version(&self) -> &str {
        &self.params_version
    }

    /// Checks a case file (TOML, or JSON starting with `{`) as the CLI would.
    pub fn check_case(&self, text: &str) -> Result<CaseInfo, ApiError> {
        let case = self.engine.parse_case(text).map_err(engine_error)?;
        let draws = match &case {
            engine::Case::Patient { case } => case.settings.draws,
            engine::Case::Experiment { .. } => 1,
        };
        Ok(CaseInfo {
            title: case.title(),
            seed: case.seed(),
            draws,
        })
    }

    /// Checks a calibration file (the shared calibration format) before it is run: a file that
    /// is not TOML or holds no experiments is refused; field errors inside an experiment are
    /// reported with the result, as the command line does.
    pub fn check_calibration(&self, text: &str) -> Result<CaseInfo, ApiError> {
        let file = engine::calibration::CalibrationFile::parse(text).map_err(calibration_error)?;
        Ok(CaseInfo {
            title: format!("calibration: {} experiment(s)", file.experiments.len()),
            seed: engine::calibration::runner::DEFAULT_SEED,
            draws: 1,
        })
    }

    /// Checks a case file without running it: `ok`, or the errors as problems (a broken case is
    /// an answer here, not a failed request).
    pub fn validate_case(&self, text: &str) -> Result<CaseCheck, ApiError> {
        let case = match self.engine.parse_case(text).map_err(engine_error) {
            Ok(c) => c,
            Err(ApiError::Internal(msg)) => return Err(ApiError::Internal(msg)),
            Err(e) => {
                return Ok(CaseCheck {
                    ok: false,
                    kind: None,
                    title: None,
                    seed: None,
                    draws: None,
                    errors: vec![e.problem()],
                });
            }
        };
        let (kind, draws) = match &case {
            engine::Case::Patient { case } => ("patient", case.settings.draws),
            engine::Case::Experiment { .. } => ("experiment", 1),
        };
        Ok(CaseCheck {
            ok: true,
            kind: Some(kind.into()),
            title: Some(case.title()),
            seed: Some(case.seed()),
            draws: Some(draws),
            errors: Vec::new(),
        })
    }

    /// The differential of a set of findings (TOML or JSON text; `json` says which when the
    /// caller knows), as `reinnervate diagnose --json` prints it.
    pub fn diagnose(
        &self,
        text: &str,
        json_text: Option<bool>,
    ) -> Result<serde_json::Value, ApiError> {
        let findings = self
            .engine
            .parse_findings(text, json_text)
            .map_err(engine_error)?;
        let d = self.engine.diagnose(&findings).map_err(engine_error)?;
        json(&d)
    }

    /// The estimated cost of running `op` on a case file ([`engine::Engine::estimate`]), refused
    /// with a 422 when it is over `max_seconds` (the server's job time: a job estimated to run
    /// longer would be stopped anyway).
    pub fn estimate(
        &self,
        op: Op,
        text: &str,
        draws: Option<usize>,
        resolution: Option<Resolution>,
        max_seconds: f64,
    ) -> Result<engine::Cost, ApiError> {
        let options = match resolution {
            None => engine::calibration::Options::default(),
            Some(r) => engine::calibration::Options::with_resolution(r),
        };
        // A calibration file is not a case: only the other operations parse one.
        let case = match op {
            Op::Calibrate => None,
            _ => Some(self.engine.parse_case(text).map_err(engine_error)?),
        };
        let work = match (op, &case) {
            (Op::Prognosis, Some(case)) => engine::Work::Prognosis { case, draws },
            (Op::Plans, Some(case)) => engine::Work::Plans { case, draws },
            (Op::Snapshot, Some(case)) => engine::Work::Simulate {
                case,
                resolution: Resolution::Fibre,
                muscle: None,
                days: None,
            },
            (Op::Simulate, Some(case)) => engine::Work::Simulate {
                case,
                resolution: resolution.unwrap_or(Resolution::Pooled),
                muscle: None,
                days: None,
            },
            _ => engine::Work::Calibrate {
                text,
                options: &options,
            },
        };
        let cost = self.engine.estimate(&work).map_err(engine_error)?;
        cost.check(max_seconds).map_err(engine_error)?;
        Ok(cost)
    }

    /// Runs a submitted job's operation on its case file (`draws` draws, the case's own when
    /// `None`), reporting progress and taking cancellation through `control`; returns the
    /// facade's typed result as JSON (the CLI's `--json`) and, for a snapshot, the pictures and
    /// traces linked under `base` (the job's URL).
    pub fn run(
        &self,
        s: &crate::jobs::Submit,
        control: &Control,
        base: &str,
    ) -> Result<Output, ApiError> {
        let case = || self.engine.parse_case(&s.text).map_err(engine_error);
        let (draws, resolution) = (s.draws, s.resolution);
        let result = match s.op {
            Op::Prognosis => self
                .engine
                .prognosis(&case()?, draws, control)
                .map_err(engine_error)
                .and_then(|r| json(&r)),
            Op::Plans => self
                .engine
                .plans(&case()?, draws, control)
                .map_err(engine_error)
                .and_then(|r| json(&r)),
            Op::Simulate => self
                .engine
                .simulate(
                    &case()?,
                    resolution.unwrap_or(Resolution::Pooled),
                    None,
                    control,
                )
                .map_err(engine_error)
                .and_then(|r| json(&r)),
            Op::Snapshot => return self.snapshot(&s.text, &s.snapshot, control, base),
            Op::Calibrate => {
                let options = match resolution {
                    None => engine::calibration::Options::default(),
                    Some(r) => engine::calibration::Options::with_resolution(r),
                };
                self.engine
                    .calibrate(&s.text, &options, control)
                    .map_err(engine_error)
                    .and_then(|r| json(&r))
            }
        }?;
        Ok(Output {
            result,
            files: Vec::new(),
        })
    }

    /// Checks what a snapshot asks for before it is queued: the muscle is one of the case's, at
    /// most [`MAX_SNAPSHOT_DAYS`] days each of picture and strip, each within the case's
    /// horizon. Returns the days it will run to (for the cost estimate).
    pub fn check_snapshot(&self, text: &str, spec: &SnapshotSpec) -> Result<u32, ApiError> {
        let case = self.engine.parse_case(text).map_err(engine_error)?;
        let scenario = self
            .engine
            .scenario(&case, spec.muscle.as_deref())
            .map_err(engine_error)?;
        let horizon = scenario.horizon_days;
        let mut last = 0;
        for (field, days) in [("days", &spec.days), ("strip", &spec.strip)] {
            let Some(days) = days else { continue };
            if days.len() > MAX_SNAPSHOT_DAYS || (field == "days" && days.is_empty()) {
                return Err(ApiError::field(
                    field,
                    format!("{} days", days.len()),
                    format!("1 to {MAX_SNAPSHOT_DAYS} days"),
                ));
            }
            for (i, &d) in days.iter().enumerate() {
                if d > horizon {
                    return Err(ApiError::field(
                        format!("{field}[{i}]"),
                        d.to_string(),
                        format!("a day from 0 to the case's horizon, {horizon}"),
                    ));
                }
                last = last.max(d);
            }
        }
        if spec.days.is_none() {
            last = last.max(
                engine::pictures::picture_days(&scenario)
                    .into_iter()
                    .max()
                    .unwrap_or(0),
            );
        }
        Ok(last)
    }

    /// The estimated cost of a snapshot run to `last_day` (see [`Runner::estimate`]).
    pub fn estimate_snapshot(
        &self,
        text: &str,
        spec: &SnapshotSpec,
        last_day: u32,
        max_seconds: f64,
    ) -> Result<engine::Cost, ApiError> {
        let case = self.engine.parse_case(text).map_err(engine_error)?;
        let cost = self
            .engine
            .estimate(&engine::Work::Simulate {
                case: &case,
                resolution: Resolution::Fibre,
                muscle: spec.muscle.as_deref(),
                days: Some(last_day),
            })
            .map_err(engine_error)?;
        cost.check(max_seconds).map_err(engine_error)?;
        Ok(cost)
    }

    /// Pictures a case ([`Engine::pictures`]): the JSON result holds the readings of each day and
    /// the links (under `base`, the job's URL) of its pictures and traces; the pictures (SVG)
    /// and traces (the facade's `EmgTrace` and `Cmaps` as JSON) are the files stored beside it.
    pub fn snapshot(
        &self,
        text: &str,
        spec: &SnapshotSpec,
        control: &Control,
        base: &str,
    ) -> Result<Output, ApiError> {
        let case = self.engine.parse_case(text).map_err(engine_error)?;
        let scenario = self
            .engine
            .scenario(&case, spec.muscle.as_deref())
            .map_err(engine_error)?;
        let days = spec
            .days
            .clone()
            .unwrap_or_else(|| engine::pictures::picture_days(&scenario));
        let strip = spec.strip.clone().unwrap_or_default();
        let run = self
            .engine
            .pictures(&scenario, &days, &strip, control)
            .map_err(engine_error)?;
        let mut files = Vec::new();
        let link = |name: &str, title: &str, d: Option<u32>| {
            let dir = match d {
                Some(d) => format!("{base}/pictures/{d}"),
                None => format!("{base}/strips"),
            };
            serde_json::json!({
                "name": name,
                "title": title,
                "svg": format!("{dir}/{name}.svg"),
                "png": format!("{dir}/{name}.png"),
            })
        };
        let mut out_days = Vec::new();
        for p in &run.days {
            let d = p.day;
            let mut pictures = Vec::new();
            for pic in std::iter::once(&p.cross_section).chain(&p.stains) {
                files.push(store::JobFile {
                    name: format!("day/{d}/{}.svg", pic.name),
                    body: pic.svg.clone(),
                });
                pictures.push(link(&pic.name, &pic.title, Some(d)));
            }
            let mut traces = Vec::new();
            for t in [&p.emg_rest, &p.emg_effort] {
                let name = &t.picture.name;
                files.push(store::JobFile {
                    name: format!("day/{d}/{name}.json"),
                    body: serde_json::to_string(t)
                        .map_err(|e| ApiError::Internal(e.to_string()))?,
                });
                pictures.push(link(name, &t.picture.title, Some(d)));
                traces.push(serde_json::json!({
                    "name": name,
                    "label": t.label,
                    "sample_rate_hz": t.sample_rate_hz,
                    "wav": format!("{base}/traces/{d}/{name}.wav"),
                    "csv": format!("{base}/traces/{d}/{name}.csv"),
                }));
            }
            files.push(store::JobFile {
                name: format!("day/{d}/cmap.json"),
                body: serde_json::to_string(&p.cmap)
                    .map_err(|e| ApiError::Internal(e.to_string()))?,
            });
            pictures.push(link("cmap", &p.cmap.picture.title, Some(d)));
            traces.push(serde_json::json!({
                "name": "cmap",
                "label": "CMAP waveforms, distal and proximal stimulation (mV)",
                "dt_ms": p.cmap.dt_ms,
                "csv": format!("{base}/traces/{d}/cmap.csv"),
            }));
            out_days.push(serde_json::json!({
                "day": d,
                "readout": p.readout,
                "views": p.views,
                "pictures": pictures,
                "traces": traces,
            }));
        }
        let mut strips = Vec::new();
        for s in &run.strips {
            files.push(store::JobFile {
                name: format!("strip/{}.svg", s.name),
                body: s.svg.clone(),
            });
            strips.push(link(&s.name, &s.title, None));
        }
        let result = serde_json::json!({
            "muscle": run.muscle,
            "seed": run.seed,
            "resolution": Resolution::Fibre,
            "events": run.events,
            "days": out_days,
            "strip_days": strip,
            "strips": strips,
            "disclaimer": engine::DISCLAIMER,
        });
        Ok(Output { result, files })
    }

    /// An SVG document as PNG, rasterised at its own size with the machine's fonts.
    pub fn png(&self, svg: &str) -> Result<Vec<u8>, ApiError> {
        engine::pictures::png(svg, &self.fonts).map_err(|e| ApiError::Internal(e.to_string()))
    }

    /// The anatomy atlas as the web form needs it: nerves with their sites and muscles in
    /// branching order, distances and sources.
    pub fn atlas(&self) -> serde_json::Value {
        let atlas = self.engine.atlas();
        let nerves: Vec<serde_json::Value> = atlas
            .nerves
            .iter()
            .map(|n| {
                serde_json::json!({
                    "nerve": n,
                    "sites": atlas.sites_for(&n.id),
                    "muscles": atlas.muscles_of(&n.id),
                })
            })
            .collect();
        serde_json::json!({
            "version": atlas.version,
            "nerves": nerves,
            "sites": atlas.sites,
            "sources": atlas.sources,
            "disclaimer": engine::DISCLAIMER,
        })
    }

    /// A species' parameter set with its sources.
    pub fn parameters(&self, species: &str) -> Result<serde_json::Value, ApiError> {
        let sp: engine::Species = serde_json::from_value(serde_json::Value::String(species.into()))
            .map_err(|_| ApiError::NotFound {
                what: "species",
                id: species.chars().take(40).collect(),
            })?;
        let p = self
            .engine
            .parameters(sp)
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        json(p)
    }
}

fn json<T: Serialize>(v: &T) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(v).map_err(|e| ApiError::Internal(format!("serialising the result: {e}")))
}
