//! Findings: the input of the reasoner, exactly in the format of the shared vignettes
//! (`shared/vignettes/README.md`), read from TOML or JSON.
//!
//! Every section and key is optional; an absent finding is *unknown*, not normal. An unknown
//! section, key or value is an error that names it and lists what is allowed. Values are checked
//! against a fixed schema (the findings format is an interface, not knowledge: the knowledge of
//! what each value means for each lesion level lives in `data/diagnosis/`).
//!
//! Two values seen in the shared vignette file but missing from the README's table are accepted as
//! synonyms: `exam.distribution = "proximal_symmetric"` / `"distal_symmetric"` mean `proximal` /
//! `distal` together with `exam.side = "bilateral_symmetric"` (unless a side is given).
//!
//! Per-nerve results (`ncs.nerves`) are validated; where the matching summary key is absent, the
//! summary is taken as the most abnormal value over the nerves (the README says the summary keys say
//! what holds overall; absent a summary, any abnormal nerve makes the study abnormal).

use std::collections::BTreeMap;

use serde_json::Value;

/// What kind of value a key takes.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// A non-negative number.
    Number,
    /// `true` or `false`.
    Bool,
    /// Exactly one of the listed values.
    One(&'static [&'static str]),
    /// One of the listed values, or a list of them.
    OneOrList(&'static [&'static str]),
    /// A list of the listed values (a single string is accepted as a list of one).
    List(&'static [&'static str]),
    /// The per-nerve list of `ncs.nerves`.
    Nerves,
}

const SNAP: &[&str] = vocabulary::findings::Level::CMAP_WORDS;
const CV: &[&str] = &["normal", "slowed", "mildly_slowed", "demyelinating"];
const DL: &[&str] = &["normal", "prolonged"];
const FH: &[&str] = &["normal", "prolonged", "absent"];
const POSNEG: &[&str] = &["positive", "negative"];

/// The findings schema: `(section, key, kind)`, in the README's order.
pub const SCHEMA: &[(&str, &str, Kind)] = &[
    ("patient", "age_years", Kind::Number),
    ("patient", "sex", Kind::One(&["female", "male"])),
    (
        "history",
        "onset",
        Kind::One(&["acute", "subacute", "chronic"]),
    ),
    ("history", "duration_days", Kind::Number),
    (
        "history",
        "course",
        Kind::One(&[
            "progressive",
            "static",
            "improving",
            "fluctuating",
            "relapsing",
        ]),
    ),
    (
        "history",
        "antecedents",
        Kind::List(&[
            "trauma",
            "compression",
            "immobilization",
            "infection",
            "fever",
            "diarrhea",
            "surgery",
            "vaccination",
            "cancer",
            "toxin",
            "drug",
            "chemotherapy",
            "statin",
            "radiation",
            "critical_illness",
            "diabetes",
            "exercise",
        ]),
    ),
    ("history", "family_history", Kind::Bool),
    (
        "exam",
        "distribution",
        Kind::OneOrList(&[
            "single_nerve",
            "multiple_nerves",
            "myotomal",
            "segmental",
            "plexus",
            "focal_limb",
            "proximal",
            "distal",
            "proximal_and_distal",
            "generalized",
            "hands",
            "legs",
            "axial",
            "hemibody",
            "bulbar",
            "ocular",
            "facial",
        ]),
    ),
    (
        "exam",
        "side",
        Kind::One(&["unilateral", "bilateral_symmetric", "bilateral_asymmetric"]),
    ),
    (
        "exam",
        "weakness",
        Kind::One(&["none", "mild", "moderate", "severe"]),
    ),
    ("exam", "wasting", Kind::Bool),
    ("exam", "fasciculations", Kind::Bool),
    (
        "exam",
        "reflexes",
        Kind::One(&["normal", "reduced", "absent", "brisk"]),
    ),
    ("exam", "umn_signs", Kind::Bool),
    (
        "exam",
        "sensory",
        Kind::OneOrList(&[
            "none",
            "nerve_territory",
            "dermatomal",
            "stocking_glove",
            "patchy",
            "symptoms_only",
        ]),
    ),
    (
        "exam",
        "pain",
        Kind::One(&[
            "none",
            "present",
            "radicular",
            "neuropathic",
            "local",
            "myalgia",
            "severe_shoulder",
        ]),
    ),
    ("exam", "fatigable", Kind::Bool),
    ("exam", "ptosis", Kind::Bool),
    ("exam", "diplopia", Kind::Bool),
    ("exam", "facial_weakness", Kind::Bool),
    ("exam", "bulbar", Kind::Bool),
    ("exam", "respiratory", Kind::Bool),
    ("exam", "myotonia", Kind::Bool),
    ("exam", "autonomic", Kind::Bool),
    ("exam", "hypotonia", Kind::Bool),
    ("exam", "winging", Kind::Bool),
    ("exam", "hypertrophy", Kind::Bool),
    ("ncs", "snap", Kind::One(SNAP)),
    ("ncs", "cmap", Kind::One(SNAP)),
    ("ncs", "conduction_velocity", Kind::One(CV)),
    ("ncs", "distal_latency", Kind::One(DL)),
    ("ncs", "conduction_block", Kind::Bool),
    ("ncs", "temporal_dispersion", Kind::Bool),
    ("ncs", "post_exercise_facilitation", Kind::Bool),
    ("ncs", "f_waves", Kind::One(FH)),
    ("ncs", "h_reflex", Kind::One(FH)),
    (
        "ncs",
        "rns",
        Kind::One(&["normal", "decrement", "increment"]),
    ),
    ("ncs", "nerves", Kind::Nerves),
    (
        "emg",
        "fibrillations",
        Kind::One(vocabulary::findings::Fibrillations::WORDS),
    ),
    ("emg", "fasciculation_potentials", Kind::Bool),
    ("emg", "myotonic_discharges", Kind::Bool),
    (
        "emg",
        "other_discharges",
        Kind::List(&["myokymic", "complex_repetitive", "neuromyotonic"]),
    ),
    (
        "emg",
        "mup",
        Kind::One(&[
            "normal",
            "neurogenic",
            "myopathic",
            "nascent",
            "mixed",
            "none",
        ]),
    ),
    (
        "emg",
        "recruitment",
        Kind::One(&["normal", "reduced", "early", "none"]),
    ),
    ("emg", "paraspinals", Kind::One(&["normal", "abnormal"])),
    (
        "emg",
        "pattern",
        Kind::One(&[
            "single_nerve",
            "multiple_nerves",
            "myotomal",
            "plexus",
            "length_dependent",
            "diffuse",
            "proximal",
        ]),
    ),
    ("emg", "jitter", Kind::One(&["normal", "increased"])),
    (
        "labs",
        "ck",
        Kind::One(&["normal", "raised", "mildly_raised", "markedly_raised"]),
    ),
    ("labs", "achr_antibodies", Kind::One(POSNEG)),
    ("labs", "musk_antibodies", Kind::One(POSNEG)),
    ("labs", "vgcc_antibodies", Kind::One(POSNEG)),
    ("labs", "gm1_antibodies", Kind::One(POSNEG)),
    (
        "labs",
        "other_antibodies",
        Kind::List(&["hmgcr", "srp", "anca", "gq1b", "ganglioside_other", "other"]),
    ),
    (
        "labs",
        "csf",
        Kind::One(&[
            "normal",
            "albuminocytologic_dissociation",
            "pleocytosis",
            "raised_protein",
        ]),
    ),
    ("labs", "diabetes", Kind::Bool),
    ("labs", "potassium", Kind::One(&["low", "normal", "high"])),
    (
        "labs",
        "thyroid",
        Kind::One(&["hyperthyroid", "normal", "hypothyroid"]),
    ),
    (
        "labs",
        "genetic",
        Kind::One(&[
            "smn1_deletion",
            "ar_cag_expansion",
            "pmp22_duplication",
            "pmp22_deletion",
            "dmpk_expansion",
            "d4z4_contraction",
            "dystrophin",
            "other_positive",
            "negative",
        ]),
    ),
    (
        "labs",
        "biopsy",
        Kind::One(&[
            "normal",
            "neurogenic",
            "myopathic",
            "inflammatory",
            "vacuoles",
            "dystrophic",
            "type2_atrophy",
        ]),
    ),
    (
        "imaging",
        "mri",
        Kind::OneOrList(&[
            "normal",
            "root_compression",
            "plexus_abnormality",
            "nerve_lesion",
            "nerve_enlargement",
            "mass",
            "anterior_horn_signal",
            "cord_flattening",
            "cord_atrophy",
            "muscle_edema",
            "fatty_replacement",
            "muscle_atrophy",
        ]),
    ),
    (
        "imaging",
        "ultrasound",
        Kind::OneOrList(&[
            "normal",
            "nerve_enlargement",
            "nerve_lesion",
            "mass",
            "muscle_atrophy",
            "fasciculations",
        ]),
    ),
];

/// Keys of one entry of `ncs.nerves`, with their kinds.
const NERVE_KEYS: &[(&str, Kind)] = &[
    ("nerve", Kind::Number), // placeholder kind: `nerve` is free text, checked separately
    ("side", Kind::One(&["left", "right"])),
    ("snap", Kind::One(SNAP)),
    ("cmap", Kind::One(SNAP)),
    ("conduction_velocity", Kind::One(CV)),
    ("distal_latency", Kind::One(DL)),
    ("conduction_block", Kind::Bool),
];

/// Accepted synonyms of `exam.distribution` seen in the shared vignettes: value → (meaning, side).
const DISTRIBUTION_SYNONYMS: &[(&str, &str, &str)] = &[
    ("proximal_symmetric", "proximal", "bilateral_symmetric"),
    ("distal_symmetric", "distal", "bilateral_symmetric"),
    ("proximal_asymmetric", "proximal", "bilateral_asymmetric"),
    ("distal_asymmetric", "distal", "bilateral_asymmetric"),
];

/// An error in a findings file. Each names the key, the value and what was expected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FindingsError {
    /// The text is not valid TOML or JSON.
    #[error("findings are not valid {format}: {message}")]
    Syntax {
        /// `TOML` or `JSON`.
        format: &'static str,
        /// The parser's message.
        message: String,
    },
    /// The top level is not a table of sections.
    #[error("findings must be a table of sections ({allowed}), found {found}")]
    NotATable {
        /// Allowed sections.
        allowed: String,
        /// What was found.
        found: String,
    },
    /// A section that the format does not have.
    #[error("unknown section `{section}`; allowed sections: {allowed}")]
    UnknownSection {
        /// The section given.
        section: String,
        /// Allowed sections.
        allowed: String,
    },
    /// A key that the section does not have.
    #[error("unknown key `{key}`; allowed keys: {allowed}")]
    UnknownKey {
        /// The full key given (`section.key`).
        key: String,
        /// Allowed keys in that section.
        allowed: String,
    },
    /// A value outside the allowed set.
    #[error("`{key}` = {value} is not allowed; allowed values: {allowed}")]
    UnknownValue {
        /// The full key.
        key: String,
        /// The value given.
        value: String,
        /// The allowed values.
        allowed: String,
    },
    /// A value of the wrong type.
    #[error("`{key}` = {value}: expected {expected}")]
    WrongType {
        /// The full key.
        key: String,
        /// The value given.
        value: String,
        /// What was expected.
        expected: String,
    },
}

/// One observed finding.
#[derive(Debug, Clone, PartialEq)]
pub enum Observation {
    /// A number (age, duration).
    Number(f64),
    /// A yes/no finding.
    Bool(bool),
    /// One value of an enumerated finding.
    One(&'static str),
    /// The values present of a multi-valued finding (distribution, antecedents, MRI, …).
    Many(Vec<&'static str>),
}

/// One nerve of `ncs.nerves`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NerveResult {
    /// The nerve's name as given (free text, e.g. `median`).
    pub nerve: Option<String>,
    /// Observed keys of this nerve (`snap`, `cmap`, …), with their values.
    pub values: BTreeMap<&'static str, Observation>,
}

/// A patient's findings: every key optional; absent = unknown.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Findings {
    /// Observed findings by full key (`exam.reflexes`), after synonyms and nerve summaries.
    pub observed: BTreeMap<&'static str, Observation>,
    /// Per-nerve results, as given.
    pub nerves: Vec<NerveResult>,
    /// Summary keys that were not stated but filled from `ncs.nerves` (most abnormal value).
    pub from_nerves: Vec<&'static str>,
}

/// The full key names (`section.key`) of the schema, interned.
fn full_key(section: &str, key: &str) -> Option<&'static str> {
    FULL_KEYS
        .iter()
        .find(|k| {
            k.len() == section.len() + 1 + key.len()
                && k.starts_with(section)
                && k[section.len()..].starts_with('.')
                && k.ends_with(key)
        })
        .copied()
}

/// All full keys, in schema order.
pub const FULL_KEYS: &[&str] = &[
    "patient.age_years",
    "patient.sex",
    "history.onset",
    "history.duration_days",
    "history.course",
    "history.antecedents",
    "history.family_history",
    "exam.distribution",
    "exam.side",
    "exam.weakness",
    "exam.wasting",
    "exam.fasciculations",
    "exam.reflexes",
    "exam.umn_signs",
    "exam.sensory",
    "exam.pain",
    "exam.fatigable",
    "exam.ptosis",
    "exam.diplopia",
    "exam.facial_weakness",
    "exam.bulbar",
    "exam.respiratory",
    "exam.myotonia",
    "exam.autonomic",
    "exam.hypotonia",
    "exam.winging",
    "exam.hypertrophy",
    "ncs.snap",
    "ncs.cmap",
    "ncs.conduction_velocity",
    "ncs.distal_latency",
    "ncs.conduction_block",
    "ncs.temporal_dispersion",
    "ncs.post_exercise_facilitation",
    "ncs.f_waves",
    "ncs.h_reflex",
    "ncs.rns",
    "ncs.nerves",
    "emg.fibrillations",
    "emg.fasciculation_potentials",
    "emg.myotonic_discharges",
    "emg.other_discharges",
    "emg.mup",
    "emg.recruitment",
    "emg.paraspinals",
    "emg.pattern",
    "emg.jitter",
    "labs.ck",
    "labs.achr_antibodies",
    "labs.musk_antibodies",
    "labs.vgcc_antibodies",
    "labs.gm1_antibodies",
    "labs.other_antibodies",
    "labs.csf",
    "labs.diabetes",
    "labs.potassium",
    "labs.thyroid",
    "labs.genetic",
    "labs.biopsy",
    "imaging.mri",
    "imaging.ultrasound",
];

/// The kind of a full key, if the schema has it.
pub fn kind_of(key: &str) -> Option<Kind> {
    SCHEMA
        .iter()
        .find(|(s, k, _)| {
            key.len() == s.len() + 1 + k.len() && key.starts_with(s) && key.ends_with(k)
        })
        .map(|(_, _, kind)| *kind)
}

fn describe(v: &Value) -> String {
    cut(&v.to_string())
}

/// A name or value as echoed in an error: at most 60 characters (a 1 MB key must not make a
/// 1 MB message).
fn cut(s: &str) -> String {
    if s.chars().count() > 60 {
        let head: String = s.chars().take(57).collect();
        format!("{head}...")
    } else {
        s.to_string()
    }
}

/// The first NaN or infinite number of a TOML document, with its key path: converted to JSON
/// it would become `null`, which the format reads as "not stated" — a silent change of the
/// findings.
fn non_finite(v: &toml::Value, path: &str) -> Option<(String, f64)> {
    match v {
        toml::Value::Float(x) if !x.is_finite() => Some((path.to_string(), *x)),
        toml::Value::Table(t) => t.iter().find_map(|(k, x)| {
            let p = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            non_finite(x, &p)
        }),
        toml::Value::Array(a) => a
            .iter()
            .enumerate()
            .find_map(|(i, x)| non_finite(x, &format!("{path}[{i}]"))),
        _ => None,
    }
}

fn sections() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for (s, _, _) in SCHEMA {
        if !out.contains(s) {
            out.push(s);
        }
    }
    out
}

fn intern(
    key: &str,
    value: &Value,
    allowed: &'static [&'static str],
) -> Result<&'static str, FindingsError> {
    let text = match value {
        Value::String(s) => s.as_str(),
        other => {
            return Err(FindingsError::WrongType {
                key: key.to_string(),
                value: describe(other),
                expected: format!("a string, one of: {}", allowed.join(", ")),
            });
        }
    };
    allowed
        .iter()
        .find(|a| **a == text)
        .copied()
        .ok_or_else(|| FindingsError::UnknownValue {
            key: key.to_string(),
            value: describe(value),
            allowed: allowed.join(", "),
        })
}

fn parse_value(key: &str, kind: Kind, value: &Value) -> Result<Observation, FindingsError> {
    match kind {
        Kind::Number => match value.as_f64() {
            Some(x) if x.is_finite() && x >= 0.0 => Ok(Observation::Number(x)),
            _ => Err(FindingsError::WrongType {
                key: key.to_string(),
                value: describe(value),
                expected: "a finite number, zero or more".to_string(),
            }),
        },
        Kind::Bool => match value {
            Value::Bool(b) => Ok(Observation::Bool(*b)),
            other => Err(FindingsError::WrongType {
                key: key.to_string(),
                value: describe(other),
                expected: "true or false".to_string(),
            }),
        },
        Kind::One(allowed) => {
            // `emg.fibrillations = 0` is natural as a number in TOML/JSON.
            // Fibrillation grades given as numbers (0 to 4) are natural in TOML/JSON.
            let grade = value
                .as_f64()
                .filter(|g| allowed.contains(&"0") && g.fract() == 0.0 && *g >= 0.0)
                .and_then(|g| ["0", "1+", "2+", "3+", "4+"].get(g as usize));
            if let Some(v) = grade {
                return Ok(Observation::One(v));
            }
            intern(key, value, allowed).map(Observation::One)
        }
        Kind::OneOrList(allowed) | Kind::List(allowed) => {
            let items: Vec<&Value> = match value {
                Value::Array(items) => items.iter().collect(),
                Value::String(_) => vec![value],
                other => {
                    return Err(FindingsError::WrongType {
                        key: key.to_string(),
                        value: describe(other),
                        expected: format!(
                            "a string or a list of strings, from: {}",
                            allowed.join(", ")
                        ),
                    });
                }
            };
            let mut out: Vec<&'static str> = Vec::new();
            for item in items {
                let v = if key == "exam.distribution" {
                    match item
                        .as_str()
                        .and_then(|s| DISTRIBUTION_SYNONYMS.iter().find(|(syn, _, _)| *syn == s))
                    {
                        Some((_, meaning, _)) => meaning,
                        None => intern(key, item, allowed).map_err(|e| match e {
                            FindingsError::UnknownValue {
                                key,
                                value,
                                allowed,
                            } => FindingsError::UnknownValue {
                                key,
                                value,
                                allowed: format!(
                                    "{allowed} (also accepted: {})",
                                    DISTRIBUTION_SYNONYMS
                                        .iter()
                                        .map(|(syn, _, _)| *syn)
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                ),
                            },
                            other => other,
                        })?,
                    }
                } else {
                    intern(key, item, allowed)?
                };
                if !out.contains(&v) {
                    out.push(v);
                }
            }
            Ok(Observation::Many(out))
        }
        Kind::Nerves => Err(FindingsError::WrongType {
            key: key.to_string(),
            value: describe(value),
            expected: "a list of nerve tables".to_string(),
        }),
    }
}

fn parse_nerves(value: &Value) -> Result<Vec<NerveResult>, FindingsError> {
    let items = match value {
        Value::Array(items) => items,
        other => {
            return Err(FindingsError::WrongType {
                key: "ncs.nerves".to_string(),
                value: describe(other),
                expected: "a list of tables like { nerve = \"median\", side = \"left\", snap = \"reduced\" }"
                    .to_string(),
            });
        }
    };
    let allowed_keys = NERVE_KEYS
        .iter()
        .map(|(k, _)| *k)
        .collect::<Vec<_>>()
        .join(", ");
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let table = item.as_object().ok_or_else(|| FindingsError::WrongType {
            key: format!("ncs.nerves[{i}]"),
            value: describe(item),
            expected: format!("a table with keys from: {allowed_keys}"),
        })?;
        let mut nerve = NerveResult::default();
        for (k, v) in table {
            let full = format!("ncs.nerves[{i}].{k}");
            let Some((name, kind)) = NERVE_KEYS.iter().find(|(n, _)| *n == k.as_str()) else {
                return Err(FindingsError::UnknownKey {
                    key: full,
                    allowed: allowed_keys.clone(),
                });
            };
            if *name == "nerve" {
                match v {
                    Value::String(s) => nerve.nerve = Some(s.clone()),
                    other => {
                        return Err(FindingsError::WrongType {
                            key: full,
                            value: describe(other),
                            expected: "the nerve's name as a string".to_string(),
                        });
                    }
                }
            } else {
                nerve.values.insert(name, parse_value(&full, *kind, v)?);
            }
        }
        out.push(nerve);
    }
    Ok(out)
}

/// The severity rank of a value within its allowed list (list order is normal → most abnormal),
/// with `slowed` (degree not stated) ranked between mild and demyelinating.
fn severity(key: &str, value: &str) -> usize {
    let order: &[&str] = match key {
        "ncs.conduction_velocity" => &["normal", "mildly_slowed", "slowed", "demyelinating"],
        _ => match kind_of(key) {
            Some(Kind::One(allowed)) => allowed,
            _ => &[],
        },
    };
    order.iter().position(|v| *v == value).unwrap_or(0)
}

impl Findings {
    /// Reads findings from TOML text.
    pub fn from_toml_str(text: &str) -> Result<Self, FindingsError> {
        let value: toml::Value = toml::from_str(text).map_err(|e| FindingsError::Syntax {
            format: "TOML",
            // The parser quotes the offending line: cut it.
            message: e
                .to_string()
                .trim()
                .lines()
                .take(20)
                .map(cut)
                .collect::<Vec<_>>()
                .join("\n"),
        })?;
        if let Some((key, x)) = non_finite(&value, "") {
            return Err(FindingsError::WrongType {
                key: cut(&key),
                value: x.to_string(),
                expected: "a finite number (NaN and infinity are not findings; leave the key \
                           out if it is unknown)"
                    .to_string(),
            });
        }
        let json = serde_json::to_value(value).map_err(|e| FindingsError::Syntax {
            format: "TOML",
            message: e.to_string(),
        })?;
        Self::from_value(&json)
    }

    /// Reads findings from JSON text.
    pub fn from_json_str(text: &str) -> Result<Self, FindingsError> {
        let value: Value = serde_json::from_str(text).map_err(|e| FindingsError::Syntax {
            format: "JSON",
            message: e.to_string(),
        })?;
        Self::from_value(&value)
    }

    /// Reads findings from text, as JSON if it starts with `{` and as TOML otherwise.
    pub fn from_str_guess(text: &str) -> Result<Self, FindingsError> {
        if text.trim_start().starts_with('{') {
            Self::from_json_str(text)
        } else {
            Self::from_toml_str(text)
        }
    }

    /// Reads findings from a parsed JSON value (as in the `findings` of a vignette).
    pub fn from_value(value: &Value) -> Result<Self, FindingsError> {
        Self::from_value_impl(value, None)
    }

    /// Reads findings leniently: a key or list item that is not in the format is skipped and its
    /// error returned beside the findings, instead of failing the whole file. For evaluating files
    /// of cases, where one unexpected value should not stop the run; `diagnose` stays strict.
    pub fn from_value_lenient(value: &Value) -> Result<(Self, Vec<FindingsError>), FindingsError> {
        let mut skipped = Vec::new();
        let f = Self::from_value_impl(value, Some(&mut skipped))?;
        Ok((f, skipped))
    }

    fn from_value_impl(
        value: &Value,
        mut lenient: Option<&mut Vec<FindingsError>>,
    ) -> Result<Self, FindingsError> {
        // In lenient mode, record the error and go on; in strict mode, fail.
        macro_rules! fail {
            ($e:expr) => {{
                let e = $e;
                match lenient.as_deref_mut() {
                    Some(list) => {
                        list.push(e);
                        continue;
                    }
                    None => return Err(e),
                }
            }};
        }
        let allowed_sections = sections();
        let top = value.as_object().ok_or_else(|| FindingsError::NotATable {
            allowed: allowed_sections.join(", "),
            found: describe(value),
        })?;
        let mut findings = Findings::default();
        let mut implied_side: Option<&'static str> = None;
        for (section, body) in top {
            if body.is_null() {
                continue;
            }
            if !allowed_sections.contains(&section.as_str()) {
                fail!(FindingsError::UnknownSection {
                    section: cut(section),
                    allowed: allowed_sections.join(", "),
                });
            }
            let keys: Vec<&str> = SCHEMA
                .iter()
                .filter(|(s, _, _)| *s == section.as_str())
                .map(|(_, k, _)| *k)
                .collect();
            let Some(table) = body.as_object() else {
                fail!(FindingsError::WrongType {
                    key: section.clone(),
                    value: describe(body),
                    expected: format!("a table with keys from: {}", keys.join(", ")),
                });
            };
            for (key, v) in table {
                // JSON null = not stated = unknown, like an absent key.
                if v.is_null() {
                    continue;
                }
                let Some(full) = full_key(section, key) else {
                    fail!(FindingsError::UnknownKey {
                        key: cut(&format!("{section}.{key}")),
                        allowed: keys.join(", "),
                    });
                };
                let Some(kind) = kind_of(full) else {
                    fail!(FindingsError::UnknownKey {
                        key: full.to_string(),
                        allowed: keys.join(", "),
                    });
                };
                if let Kind::Nerves = kind {
                    match parse_nerves(v) {
                        Ok(n) => findings.nerves = n,
                        Err(e) => fail!(e),
                    }
                    continue;
                }
                if full == "exam.distribution" {
                    let given: Vec<&str> = match v {
                        Value::Array(a) => a.iter().filter_map(|x| x.as_str()).collect(),
                        Value::String(s) => vec![s.as_str()],
                        _ => Vec::new(),
                    };
                    for g in given {
                        if let Some((_, _, side)) =
                            DISTRIBUTION_SYNONYMS.iter().find(|(syn, _, _)| *syn == g)
                        {
                            implied_side = Some(side);
                        }
                    }
                }
                let obs = match (parse_value(full, kind, v), v, lenient.as_deref_mut()) {
                    (Ok(obs), _, _) => obs,
                    // Lenient lists: keep the items that are in the format.
                    (Err(_), Value::Array(items), Some(list)) => {
                        let mut kept: Vec<&'static str> = Vec::new();
                        for item in items {
                            match parse_value(full, kind, item) {
                                Ok(Observation::Many(vs)) => {
                                    for x in vs {
                                        if !kept.contains(&x) {
                                            kept.push(x);
                                        }
                                    }
                                }
                                Ok(_) => {}
                                Err(e) => list.push(e),
                            }
                        }
                        if kept.is_empty() {
                            continue;
                        }
                        Observation::Many(kept)
                    }
                    (Err(e), _, _) => fail!(e),
                };
                findings.observed.insert(full, obs);
            }
        }
        if let Some(side) = implied_side {
            findings
                .observed
                .entry("exam.side")
                .or_insert(Observation::One(side));
        }
        findings.summarise_nerves();
        Ok(findings)
    }

    /// Fills absent summary keys from the per-nerve results (most abnormal value wins).
    fn summarise_nerves(&mut self) {
        for nerve_key in [
            "snap",
            "cmap",
            "conduction_velocity",
            "distal_latency",
            "conduction_block",
        ] {
            let full = match full_key("ncs", nerve_key) {
                Some(f) => f,
                None => continue,
            };
            if self.observed.contains_key(full) {
                continue;
            }
            let mut worst: Option<Observation> = None;
            for nerve in &self.nerves {
                let Some(obs) = nerve.values.get(nerve_key) else {
                    continue;
                };
                worst = match (worst, obs) {
                    (None, o) => Some(o.clone()),
                    (Some(Observation::Bool(a)), Observation::Bool(b)) => {
                        Some(Observation::Bool(a || *b))
                    }
                    (Some(Observation::One(a)), Observation::One(b)) => {
                        if severity(full, b) > severity(full, a) {
                            Some(Observation::One(b))
                        } else {
                            Some(Observation::One(a))
                        }
                    }
                    (Some(w), _) => Some(w),
                };
            }
            if let Some(w) = worst {
                self.observed.insert(full, w);
                self.from_nerves.push(full);
            }
        }
    }

    /// True when nothing at all was observed.
    pub fn is_empty(&self) -> bool {
        self.observed.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_schema_key_has_a_full_key() {
        for (s, k, _) in SCHEMA {
            let f = full_key(s, k)
                .unwrap_or_else(|| panic!("schema key {s}.{k} missing from FULL_KEYS"));
            assert_eq!(f, format!("{s}.{k}"));
        }
        assert_eq!(SCHEMA.len(), FULL_KEYS.len());
    }

    #[test]
    fn toml_and_json_agree() {
        let t = Findings::from_toml_str(
            "[exam]\nreflexes = \"absent\"\ndistribution = [\"distal\", \"proximal\"]\n[emg]\nfibrillations = \"2+\"\n",
        )
        .unwrap();
        let j = Findings::from_json_str(
            r#"{"exam": {"reflexes": "absent", "distribution": ["distal", "proximal"]}, "emg": {"fibrillations": "2+"}}"#,
        )
        .unwrap();
        assert_eq!(t, j);
        assert_eq!(t.observed["exam.reflexes"], Observation::One("absent"));
    }

    #[test]
    fn unknown_key_names_it_and_lists_allowed() {
        let e = Findings::from_toml_str("[exam]\nreflex = \"absent\"\n").unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("exam.reflex"), "{msg}");
        assert!(
            msg.contains("reflexes") && msg.contains("fasciculations"),
            "{msg}"
        );
    }

    #[test]
    fn unknown_value_names_it_and_lists_allowed() {
        let e = Findings::from_json_str(r#"{"ncs": {"snap": "low"}}"#).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("ncs.snap") && msg.contains("\"low\""), "{msg}");
        assert!(msg.contains("normal, reduced, absent"), "{msg}");
    }

    #[test]
    fn unknown_section_and_wrong_types_are_errors() {
        assert!(matches!(
            Findings::from_toml_str("[blood]\nck = 1\n"),
            Err(FindingsError::UnknownSection { .. })
        ));
        assert!(matches!(
            Findings::from_toml_str("[exam]\nwasting = \"yes\"\n"),
            Err(FindingsError::WrongType { .. })
        ));
        assert!(matches!(
            Findings::from_json_str(r#"{"patient": {"age_years": -3}}"#),
            Err(FindingsError::WrongType { .. })
        ));
        assert!(matches!(
            Findings::from_json_str("[1,2]"),
            Err(FindingsError::NotATable { .. })
        ));
        assert!(matches!(
            Findings::from_toml_str("exam = ["),
            Err(FindingsError::Syntax { .. })
        ));
    }

    #[test]
    fn synonyms_and_nerve_summaries() {
        let f = Findings::from_json_str(
            r#"{"exam": {"distribution": "proximal_symmetric"},
                "ncs": {"nerves": [{"nerve": "median", "side": "left", "snap": "reduced"},
                                   {"nerve": "sural", "snap": "absent", "conduction_block": true}]}}"#,
        )
        .unwrap();
        assert_eq!(
            f.observed["exam.distribution"],
            Observation::Many(vec!["proximal"])
        );
        assert_eq!(
            f.observed["exam.side"],
            Observation::One("bilateral_symmetric")
        );
        assert_eq!(f.observed["ncs.snap"], Observation::One("absent"));
        assert_eq!(f.observed["ncs.conduction_block"], Observation::Bool(true));
        let e = Findings::from_json_str(
            r#"{"ncs": {"nerves": [{"nerve": "median", "amplitude": 3}]}}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("ncs.nerves[0].amplitude"), "{e}");
    }

    #[test]
    fn lenient_reading_skips_only_what_is_not_in_the_format() {
        let v: Value = serde_json::from_str(
            r#"{"exam": {"distribution": ["proximal", "everywhere"], "reflex": "absent", "wasting": true},
                "blood": {"x": 1}, "ncs": {"snap": "low", "cmap": "reduced"}}"#,
        )
        .unwrap();
        assert!(Findings::from_value(&v).is_err());
        let (f, skipped) = Findings::from_value_lenient(&v).unwrap();
        assert_eq!(skipped.len(), 4, "{skipped:?}");
        assert_eq!(
            f.observed["exam.distribution"],
            Observation::Many(vec!["proximal"])
        );
        assert_eq!(f.observed["exam.wasting"], Observation::Bool(true));
        assert_eq!(f.observed["ncs.cmap"], Observation::One("reduced"));
        assert!(!f.observed.contains_key("ncs.snap"));
    }

    #[test]
    fn null_is_unknown_and_numeric_fibrillation_grades_are_read() {
        let f = Findings::from_json_str(
            r#"{"exam": {"wasting": null}, "labs": null, "emg": {"fibrillations": 3}}"#,
        )
        .unwrap();
        assert!(!f.observed.contains_key("exam.wasting"));
        assert_eq!(f.observed["emg.fibrillations"], Observation::One("3+"));
        assert!(Findings::from_json_str(r#"{"emg": {"fibrillations": 7}}"#).is_err());
        assert!(Findings::from_json_str(r#"{"emg": {"fibrillations": -1}}"#).is_err());
        assert!(Findings::from_json_str(r#"{"emg": {"fibrillations": 1.5}}"#).is_err());
    }

    #[test]
    fn empty_findings_are_valid() {
        assert!(Findings::from_toml_str("").unwrap().is_empty());
        assert!(Findings::from_json_str("{}").unwrap().is_empty());
    }

    /// Issue 20: NaN or infinity in TOML became JSON `null`, read as "not stated".
    #[test]
    fn non_finite_numbers_in_toml_are_refused() {
        for bad in ["nan", "inf", "-inf", "+nan"] {
            let e = Findings::from_toml_str(&format!("[patient]\nage_years = {bad}\n"))
                .unwrap_err()
                .to_string();
            assert!(
                e.contains("patient.age_years") && e.contains("finite"),
                "{bad}: {e}"
            );
        }
        let e = Findings::from_toml_str("[ncs]\nnerves = [{ nerve = \"median\", x = nan }]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("ncs.nerves[0].x"), "{e}");
    }

    #[test]
    fn long_keys_are_cut_in_errors() {
        let key = "k".repeat(100_000);
        let e = Findings::from_toml_str(&format!("[{key}]\na = 1\n"))
            .unwrap_err()
            .to_string();
        assert!(e.len() < 1000, "{}", e.len());
    }
}
