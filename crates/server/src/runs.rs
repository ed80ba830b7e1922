//! The engine behind the API: the one module that calls the library. It loads what the engine
//! needs once, checks case files, and runs an operation on a case to a typed result serialised
//! as the CLI's `--json` prints it (the same Rust types, no second schema).

use std::str::FromStr;

use engine::{clinic, twin};
use serde::Serialize;
use sha2::Digest;
use vocabulary::Control;

use crate::problem::ApiError;

/// An operation of the engine that runs as a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    /// Monte Carlo prognosis per muscle, updated by follow-up observations.
    Prognosis,
    /// Treatment plans compared on the same draws, ranked, with reasons.
    Plans,
}

impl Op {
    /// Every operation, in the order the docs list them.
    pub const ALL: [Op; 2] = [Op::Prognosis, Op::Plans];

    /// The name used in URLs and stored jobs.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Prognosis => "prognosis",
            Op::Plans => "plans",
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
                    format!("\"{s}\""),
                    format!("one of {}", Op::ALL.map(|o| o.as_str()).join(", ")),
                )
            })
    }
}

/// What the API needs to know of a case file before storing or running it.
#[derive(Debug, Clone)]
pub struct CaseInfo {
    /// The case's title (or `untitled case`).
    pub title: String,
    /// The seed its runs use.
    pub seed: u64,
    /// Monte Carlo draws the case asks for.
    pub draws: usize,
}

/// The loaded engine.
pub struct Runner {
    atlas: clinic::Atlas,
    montecarlo: clinic::montecarlo::Engine,
    params_version: String,
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

fn case_error(e: clinic::CaseError) -> ApiError {
    match e {
        clinic::CaseError::Field {
            field,
            value,
            expected,
        } => ApiError::field(field, value, expected),
        clinic::CaseError::Missing { field, expected } => {
            ApiError::field(field, "(missing)", expected)
        }
        clinic::CaseError::Syntax(msg) => ApiError::syntax(format!("case file: {msg}"), None),
        other => ApiError::field("case", "(the case file)", other.to_string()),
    }
}

fn run_error(e: clinic::PrognosisError) -> ApiError {
    match e {
        clinic::PrognosisError::Case(c) => case_error(c),
        clinic::PrognosisError::Empty(msg) => ApiError::field(
            "injury",
            "(the case's injuries)",
            format!("at least one affected muscle: {msg}"),
        ),
        other => ApiError::Internal(other.to_string()),
    }
}

impl Runner {
    /// Loads the embedded atlas, clinical data and parameters.
    pub fn load() -> Result<Runner, ApiError> {
        let atlas = clinic::Atlas::human().map_err(|e| ApiError::Internal(e.to_string()))?;
        let montecarlo =
            clinic::montecarlo::Engine::human().map_err(|e| ApiError::Internal(e.to_string()))?;
        let params = twin::Parameters::for_species(vocabulary::Species::Human)
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        let json = serde_json::to_vec(&params).map_err(|e| ApiError::Internal(e.to_string()))?;
        let digest = sha2::Sha256::digest(&json);
        let params_version = format!(
            "human-sha256:{}",
            digest[..8]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        );
        Ok(Runner {
            atlas,
            montecarlo,
            params_version,
        })
    }

    /// The version of the parameter set results are computed with (a digest of its values).
    pub fn params_version(&self) -> &str {
        &self.params_version
    }

    /// Checks a case file (TOML, or JSON starting with `{`) as the CLI would.
    pub fn check_case(&self, text: &str) -> Result<CaseInfo, ApiError> {
        let case = clinic::Case::parse(text, &self.atlas).map_err(case_error)?;
        Ok(CaseInfo {
            title: case.title.clone().unwrap_or_else(|| "untitled case".into()),
            seed: case.settings.seed,
            draws: case.settings.draws,
        })
    }

    /// Runs `op` on a case file with `draws` draws (the case's own when `None`), reporting
    /// progress through `control`, and returns the typed result as JSON.
    pub fn run(
        &self,
        op: Op,
        text: &str,
        draws: Option<usize>,
        control: &Control,
    ) -> Result<serde_json::Value, ApiError> {
        let case = clinic::Case::parse(text, &self.atlas).map_err(case_error)?;
        let n = draws.unwrap_or(case.settings.draws).max(1);
        // The Monte Carlo announces its draws and advances `control` itself (main's engine).
        let value = match op {
            Op::Prognosis => {
                let r = clinic::prognosis::prognose(
                    &self.montecarlo,
                    &self.atlas,
                    &case,
                    Some(n),
                    control,
                )
                .map_err(run_error)?;
                serde_json::to_value(Disclaimed::new(r))
            }
            Op::Plans => {
                let r = clinic::plans::compare(&self.montecarlo, &self.atlas, &case, n, control)
                    .map_err(run_error)?;
                serde_json::to_value(Disclaimed::new(r))
            }
        };
        value.map_err(|e| ApiError::Internal(format!("serialising the result: {e}")))
    }

    /// The anatomy atlas as the web form needs it: nerves with their sites and muscles in
    /// branching order, distances and sources.
    pub fn atlas(&self) -> serde_json::Value {
        let nerves: Vec<serde_json::Value> = self
            .atlas
            .nerves
            .iter()
            .map(|n| {
                serde_json::json!({
                    "nerve": n,
                    "sites": self.atlas.sites_for(&n.id),
                    "muscles": self.atlas.muscles_of(&n.id),
                })
            })
            .collect();
        serde_json::json!({ "nerves": nerves, "sites": self.atlas.sites, "disclaimer": vocabulary::DISCLAIMER })
    }

    /// A species' parameter set with its sources.
    pub fn parameters(&self, species: &str) -> Result<serde_json::Value, ApiError> {
        let sp: vocabulary::Species =
            serde_json::from_value(serde_json::Value::String(species.into())).map_err(|_| {
                ApiError::NotFound {
                    what: "species",
                    id: species.into(),
                }
            })?;
        let p = twin::Parameters::for_species(sp).map_err(|e| ApiError::Internal(e.to_string()))?;
        serde_json::to_value(&p).map_err(|e| ApiError::Internal(e.to_string()))
    }
}

/// A result with the statement every output carries.
#[derive(Serialize)]
struct Disclaimed<T: Serialize> {
    #[serde(flatten)]
    result: T,
    disclaimer: &'static str,
}

impl<T: Serialize> Disclaimed<T> {
    fn new(result: T) -> Self {
        Disclaimed {
            result,
            disclaimer: vocabulary::DISCLAIMER,
        }
    }
}
