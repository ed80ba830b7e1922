//! The knowledge base: hypotheses and, for each finding, how likely each value is under each
//! hypothesis. It is data (`data/diagnosis/*.toml`, embedded at build time), read and validated here.
//!
//! Hypotheses form three layers: the **level** (nine lesion levels, each in one **category**), a
//! **disease** inside each level (a few named diseases or mechanisms that sharpen the findings,
//! e.g. ALS vs SMA vs Hirayama inside the anterior horn) and the **time since onset** (five bins),
//! whose distribution depends on the disease's tempo. A finding's row is looked up most specific
//! first: the disease's own row, else its level's row, else the finding's default row. A finding may
//! instead depend on a *hidden* variable (the sensory lesion site relative to the dorsal root
//! ganglion), whose rows are given per level/disease in the same way. A finding may be *time-gated*:
//! before Wallerian degeneration or reinnervation has had time to happen, the finding looks as it does
//! in a normal nerve (the `before` row), mixed with the established row by a cited time curve.
//!
//! Validation (at load): every row has one probability per state, each in [0, 1], summing to one
//! within 1e-6; every row and every prior names a source or an assumption; every state of the input
//! format is a state of the variable or a declared coarse value (e.g. `labs.ck = "raised"`); every
//! disease belongs to a declared level, every level to a category.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::findings::{Kind, kind_of};

/// Tolerance for rows summing to one.
pub const SUM_TOLERANCE: f64 = 1e-6;

/// A knowledge-base error: the file, the place and what is wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum KbError {
    /// The TOML does not parse or does not match the schema.
    #[error("knowledge base {file}: {message}")]
    Parse {
        /// Which file.
        file: &'static str,
        /// The parser's message.
        message: String,
    },
    /// A semantic error found by validation.
    #[error("knowledge base: {place}: {message}")]
    Invalid {
        /// Where (e.g. `finding exam.reflexes, level root`).
        place: String,
        /// What is wrong.
        message: String,
    },
}

fn invalid(place: impl Into<String>, message: impl Into<String>) -> KbError {
    KbError::Invalid {
        place: place.into(),
        message: message.into(),
    }
}

/// A probability row with its source.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Row {
    /// One probability per state, in the order of the variable's states.
    pub p: Vec<f64>,
    /// The source (reference tag from `shared/reference/clinical.md`) or named assumption.
    pub src: String,
}

/// A row of a multi-valued finding: probability that each value is present.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MultiRow {
    /// P(value present) for named values.
    #[serde(default)]
    pub p: BTreeMap<String, f64>,
    /// P(value present) for values not named in `p`.
    pub other: f64,
    /// Source or named assumption.
    pub src: String,
}

/// A lesion level.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Level {
    /// Name (as in the vignette answers).
    pub name: String,
    /// Category: neurogenic, myogenic, nmj or disuse.
    pub category: String,
    /// Prior probability.
    pub prior: f64,
    /// Source or named assumption of the prior.
    pub src: String,
}

/// A disease or mechanism inside a level.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Disease {
    /// Name.
    pub name: String,
    /// A readable label.
    pub label: String,
    /// The level it belongs to.
    pub level: String,
    /// P(disease | level).
    pub p: f64,
    /// The tempo profile (a key of `time.profiles`).
    pub tempo: String,
    /// Source or named assumption of `p`.
    pub src: String,
}

/// The time-since-onset variable.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Time {
    /// Bin names.
    pub states: Vec<String>,
    /// Upper edges of all but the last bin, in days (a duration `d` falls in the first bin whose
    /// edge is greater than `d`).
    pub edges_days: Vec<f64>,
    /// P(time since onset at presentation | tempo profile).
    pub profiles: BTreeMap<String, Row>,
}

/// A time gate: the fraction of the established abnormality present at each time bin.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gate {
    /// Fraction per time bin, each in [0, 1].
    pub fraction: Vec<f64>,
    /// Levels to which the gate applies (others are not gated).
    pub levels: Vec<String>,
    /// Source.
    pub src: String,
}

/// Multipliers of each state in each time bin, with their source.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Feasibility {
    /// One row per time bin, one multiplier per state.
    pub by_time: Vec<Vec<f64>>,
    /// Source or named assumption.
    pub src: String,
}

/// The hypotheses file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hypotheses {
    /// Categories, in display order.
    pub categories: Vec<String>,
    /// Levels.
    pub level: Vec<Level>,
    /// Diseases.
    pub disease: Vec<Disease>,
    /// Time since onset.
    pub time: Time,
    /// Named time gates.
    pub gate: BTreeMap<String, Gate>,
}

/// A single-valued finding (or a hidden variable).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    /// The findings key (`exam.reflexes`) or, for hidden variables, a name.
    pub key: String,
    /// The variable's states.
    pub states: Vec<String>,
    /// Input values that are coarser than the states: value → the states it covers (soft evidence).
    #[serde(default)]
    pub coarse: BTreeMap<String, Vec<String>>,
    /// For numeric findings: upper edges of all but the last state.
    #[serde(default)]
    pub edges: Vec<f64>,
    /// A hidden parent (instead of disease); rows are then keyed by its states in `given`.
    #[serde(default)]
    pub parent: Option<String>,
    /// The test a clinician orders to observe this finding (for next-test suggestions).
    #[serde(default)]
    pub test: Option<String>,
    /// A time gate name and the row before the process has happened.
    #[serde(default)]
    pub gate: Option<String>,
    /// The row before the gated process (required with `gate`).
    #[serde(default)]
    pub before: Option<Row>,
    /// With a hidden `parent` and a `gate`: the parent states the gate applies to (empty = all).
    /// E.g. fibrillations need Wallerian degeneration when the motor-unit process is denervation,
    /// not when it is a myopathy.
    #[serde(default)]
    pub gate_states: Vec<String>,
    /// Feasibility of each state in each time bin (one row of multipliers per time bin, each in
    /// [0, 1]): the finding then also depends on `time`, its row being the disease's row times
    /// the multipliers, renormalised. For findings whose definition involves time since onset
    /// (a chronic onset needs more than 8 weeks to have passed).
    #[serde(default)]
    pub time_feasibility: Option<Feasibility>,
    /// The row for any level and disease without its own.
    #[serde(default)]
    pub default: Option<Row>,
    /// Rows by level.
    #[serde(default)]
    pub level: BTreeMap<String, Row>,
    /// Rows by disease.
    #[serde(default)]
    pub disease: BTreeMap<String, Row>,
    /// Rows by state of the hidden parent. When some parent states have no row, the finding
    /// depends on the disease too: those states use the disease's row (disease, level, default),
    /// which then means "given that state" (e.g. `exam.side` given that the distribution is not a
    /// single nerve).
    #[serde(default)]
    pub given: BTreeMap<String, Row>,
    /// With a hidden `parent`: the `given` rows hold for the diseases of this category only, and
    /// the disease's own row is read as the *marginal* over the parent. For such a disease the
    /// parent states without a `given` row take the residual, `(row − Σ P(s | disease) · given_s)
    /// / Σ P(other states | disease)` (floored at [`RESIDUAL_FLOOR`], renormalised), so that
    /// P(finding | disease) stays the cited row while the finding now depends on the parent (the
    /// CMAP is a view of the motor-unit process). Diseases of other categories use their row in
    /// every parent state. May be combined with a `gate` (applied by the disease's level).
    #[serde(default)]
    pub given_category: Option<String>,
}

/// The least probability a residual row (see [`Finding::given_category`]) gives any state.
pub const RESIDUAL_FLOOR: f64 = 0.005;

impl Finding {
    /// With `given_category`: P(finding | disease, parent state) for every parent state, the
    /// fixed `given` rows and the residual of the disease's row for the others (see
    /// [`Finding::given_category`]). `prior` is P(parent state | disease), `row` the disease's
    /// row, `applies` whether the disease is of the `given_category`.
    pub fn residual_rows(
        &self,
        parent_states: &[String],
        prior: &[f64],
        row: &[f64],
        applies: bool,
    ) -> Vec<Vec<f64>> {
        if !applies {
            return vec![row.to_vec(); parent_states.len()];
        }
        let mut rest = row.to_vec();
        let mut mass = 0.0;
        for (s, p) in parent_states.iter().zip(prior) {
            match self.given.get(s) {
                Some(g) => rest.iter_mut().zip(&g.p).for_each(|(r, x)| *r -= p * x),
                None => mass += p,
            }
        }
        let residual: Vec<f64> = if mass > 1e-12 {
            let raw: Vec<f64> = rest
                .iter()
                .map(|r| (r / mass).max(RESIDUAL_FLOOR))
                .collect();
            let z: f64 = raw.iter().sum();
            raw.iter().map(|x| x / z).collect()
        } else {
            row.to_vec()
        };
        parent_states
            .iter()
            .map(|s| match self.given.get(s) {
                Some(g) => g.p.clone(),
                None => residual.clone(),
            })
            .collect()
    }
}

impl Finding {
    /// With a hidden parent, whether some parent states take the disease's row instead of a
    /// `given` row (the finding then has both the disease and the hidden variable as parents).
    pub fn mixed(&self, parent_states: &[String]) -> bool {
        self.parent.is_some() && parent_states.iter().any(|s| !self.given.contains_key(s))
    }
}

/// A multi-valued finding: one binary variable per value.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Multi {
    /// The findings key.
    pub key: String,
    /// The test a clinician orders (informational; multi-valued findings are not VOI candidates).
    #[serde(default)]
    pub test: Option<String>,
    /// A hidden parent besides the disease (e.g. `sensory_lesion_site` for `exam.sensory`): the
    /// finding and the other children of that variable are then views of one process.
    #[serde(default)]
    pub parent: Option<String>,
    /// Rows by state of the hidden parent; a state without a row uses the disease's row (disease,
    /// level, default), which then means "given that state".
    #[serde(default)]
    pub given: BTreeMap<String, MultiRow>,
    /// Row for levels/diseases without their own.
    #[serde(default)]
    pub default: Option<MultiRow>,
    /// Rows by level.
    #[serde(default)]
    pub level: BTreeMap<String, MultiRow>,
    /// Rows by disease.
    #[serde(default)]
    pub disease: BTreeMap<String, MultiRow>,
}

/// The findings file(s).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FindingsKb {
    /// Hidden variables.
    #[serde(default)]
    pub hidden: Vec<Finding>,
    /// Single-valued findings.
    #[serde(default)]
    pub finding: Vec<Finding>,
    /// Multi-valued findings.
    #[serde(default)]
    pub multi: Vec<Multi>,
}

/// The whole knowledge base, validated.
#[derive(Debug, Clone)]
pub struct KnowledgeBase {
    /// Hypotheses.
    pub hypotheses: Hypotheses,
    /// Hidden variables.
    pub hidden: Vec<Finding>,
    /// Single-valued findings.
    pub findings: Vec<Finding>,
    /// Multi-valued findings.
    pub multi: Vec<Multi>,
    /// The nerve catalogue of per-nerve electrodiagnosis (`nerves.toml`).
    pub nerves: crate::nerve_conduction::Catalogue,
}

/// The embedded knowledge-base files: (name, text).
pub const EMBEDDED: &[(&str, &str)] = &[
    (
        "hypotheses.toml",
        include_str!("../../../data/diagnosis/hypotheses.toml"),
    ),
    (
        "clinical.toml",
        include_str!("../../../data/diagnosis/clinical.toml"),
    ),
    (
        "electrodiagnosis.toml",
        include_str!("../../../data/diagnosis/electrodiagnosis.toml"),
    ),
    (
        "labs.toml",
        include_str!("../../../data/diagnosis/labs.toml"),
    ),
    (
        "nerves.toml",
        include_str!("../../../data/diagnosis/nerves.toml"),
    ),
];

fn check_row(place: &str, row: &Row, n: usize) -> Result<(), KbError> {
    if row.p.len() != n {
        return Err(invalid(
            place,
            format!(
                "row has {} probabilities, the variable has {n} states",
                row.p.len()
            ),
        ));
    }
    if row.p.iter().any(|p| !(0.0..=1.0).contains(p)) {
        return Err(invalid(
            place,
            format!("probability outside [0, 1] in {:?}", row.p),
        ));
    }
    let sum: f64 = row.p.iter().sum();
    if (sum - 1.0).abs() > SUM_TOLERANCE {
        return Err(invalid(
            place,
            format!("row {:?} sums to {sum}, not 1", row.p),
        ));
    }
    if row.src.trim().is_empty() {
        return Err(invalid(
            place,
            "row has no source or named assumption (`src`)",
        ));
    }
    Ok(())
}

impl KnowledgeBase {
    /// Loads and validates the embedded knowledge base.
    pub fn embedded() -> Result<Self, KbError> {
        Self::from_texts(EMBEDDED)
    }

    /// Loads and validates a knowledge base from (file name, TOML text) pairs: one file named
    /// `hypotheses.toml`, one `nerves.toml` (the nerve catalogue), the others hold findings.
    pub fn from_texts(files: &[(&'static str, &str)]) -> Result<Self, KbError> {
        let mut hypotheses: Option<Hypotheses> = None;
        let mut hidden = Vec::new();
        let mut findings = Vec::new();
        let mut multi = Vec::new();
        let mut nerves = None;
        for (name, text) in files {
            if *name == "nerves.toml" {
                nerves = Some(crate::nerve_conduction::Catalogue::from_toml(name, text)?);
            } else if *name == "hypotheses.toml" {
                hypotheses = Some(toml::from_str(text).map_err(|e| KbError::Parse {
                    file: name,
                    message: e.to_string(),
                })?);
            } else {
                let f: FindingsKb = toml::from_str(text).map_err(|e| KbError::Parse {
                    file: name,
                    message: e.to_string(),
                })?;
                hidden.extend(f.hidden);
                findings.extend(f.finding);
                multi.extend(f.multi);
            }
        }
        let hypotheses = hypotheses.ok_or_else(|| invalid("files", "no hypotheses.toml"))?;
        let nerves = nerves.ok_or_else(|| invalid("files", "no nerves.toml"))?;
        let kb = KnowledgeBase {
            hypotheses,
            hidden,
            findings,
            multi,
            nerves,
        };
        kb.validate()?;
        Ok(kb)
    }

    /// The level of a disease (by index into `hypotheses.level`).
    pub fn level_of(&self, disease: &Disease) -> usize {
        self.hypotheses
            .level
            .iter()
            .position(|l| l.name == disease.level)
            .unwrap_or_else(|| {
                panic!(
                    "validated KB: disease {} has an unknown level",
                    disease.name
                )
            })
    }

    /// The row of a finding for one disease (disease row, else level row, else default).
    pub fn row_for<'a>(&self, f: &'a Finding, disease: &Disease) -> Option<&'a Row> {
        f.disease
            .get(&disease.name)
            .or_else(|| f.level.get(&disease.level))
            .or(f.default.as_ref())
    }

    /// The row of a multi-valued finding for one disease.
    pub fn multi_row_for<'a>(&self, m: &'a Multi, disease: &Disease) -> Option<&'a MultiRow> {
        m.disease
            .get(&disease.name)
            .or_else(|| m.level.get(&disease.level))
            .or(m.default.as_ref())
    }

    /// The states of a parent named by a finding: a hidden variable, or `key=value` of a
    /// multi-valued finding (states `absent`, `present`).
    pub fn parent_states(&self, parent: &str) -> Option<Vec<String>> {
        if let Some(h) = self.hidden.iter().find(|x| x.key == parent) {
            return Some(h.states.clone());
        }
        let (key, value) = parent.split_once('=')?;
        let values: &[&str] = match kind_of(key) {
            Some(Kind::OneOrList(v)) | Some(Kind::List(v)) => v,
            _ => return None,
        };
        (self.multi.iter().any(|m| m.key == key) && values.contains(&value))
            .then(|| vec!["absent".to_string(), "present".to_string()])
    }

    fn validate(&self) -> Result<(), KbError> {
        let h = &self.hypotheses;
        // Levels and categories.
        let mut prior_sum = 0.0;
        for l in &h.level {
            if !h.categories.contains(&l.category) {
                return Err(invalid(
                    format!("level {}", l.name),
                    format!("category `{}` is not one of {:?}", l.category, h.categories),
                ));
            }
            if !(0.0..=1.0).contains(&l.prior) || l.src.trim().is_empty() {
                return Err(invalid(
                    format!("level {}", l.name),
                    "prior outside [0, 1] or without source",
                ));
            }
            prior_sum += l.prior;
        }
        if (prior_sum - 1.0).abs() > SUM_TOLERANCE {
            return Err(invalid(
                "level priors",
                format!("sum to {prior_sum}, not 1"),
            ));
        }
        for c in &h.categories {
            if !h.level.iter().any(|l| &l.category == c) {
                return Err(invalid(format!("category {c}"), "has no level"));
            }
        }
        // Diseases.
        for l in &h.level {
            let ds: Vec<&Disease> = h.disease.iter().filter(|d| d.level == l.name).collect();
            if ds.is_empty() {
                return Err(invalid(format!("level {}", l.name), "has no disease"));
            }
            let s: f64 = ds.iter().map(|d| d.p).sum();
            if (s - 1.0).abs() > SUM_TOLERANCE {
                return Err(invalid(
                    format!("level {}", l.name),
                    format!("P(disease | level) sums to {s}, not 1"),
                ));
            }
        }
        for d in &h.disease {
            let place = format!("disease {}", d.name);
            if !h.level.iter().any(|l| l.name == d.level) {
                return Err(invalid(&place, format!("unknown level `{}`", d.level)));
            }
            if !(0.0..=1.0).contains(&d.p) || d.src.trim().is_empty() {
                return Err(invalid(&place, "p outside [0, 1] or without source"));
            }
            if !h.time.profiles.contains_key(&d.tempo) {
                return Err(invalid(
                    &place,
                    format!("unknown tempo profile `{}`", d.tempo),
                ));
            }
            if h.disease.iter().filter(|o| o.name == d.name).count() > 1 {
                return Err(invalid(&place, "declared twice"));
            }
        }
        // Time.
        let nt = h.time.states.len();
        if h.time.edges_days.len() + 1 != nt || h.time.edges_days.windows(2).any(|w| w[0] >= w[1]) {
            return Err(invalid(
                "time",
                "edges_days must be increasing, one fewer than the states",
            ));
        }
        for (name, row) in &h.time.profiles {
            check_row(&format!("time profile {name}"), row, nt)?;
        }
        for (name, g) in &h.gate {
            let place = format!("gate {name}");
            if g.fraction.len() != nt || g.fraction.iter().any(|x| !(0.0..=1.0).contains(x)) {
                return Err(invalid(&place, "needs one fraction in [0, 1] per time bin"));
            }
            if g.src.trim().is_empty() {
                return Err(invalid(&place, "no source"));
            }
            for l in &g.levels {
                if !h.level.iter().any(|x| &x.name == l) {
                    return Err(invalid(&place, format!("unknown level `{l}`")));
                }
            }
        }
        // Hidden variables and findings.
        for f in &self.hidden {
            self.validate_finding(f, true)?;
        }
        for f in &self.findings {
            self.validate_finding(f, false)?;
        }
        for m in &self.multi {
            self.validate_multi(m)?;
        }
        let mut keys: Vec<&str> = self.findings.iter().map(|f| f.key.as_str()).collect();
        keys.extend(self.multi.iter().map(|m| m.key.as_str()));
        keys.extend(self.hidden.iter().map(|m| m.key.as_str()));
        let n = keys.len();
        keys.sort_unstable();
        keys.dedup();
        if keys.len() != n {
            return Err(invalid("findings", "a key is declared twice"));
        }
        Ok(())
    }

    fn validate_finding(&self, f: &Finding, hidden: bool) -> Result<(), KbError> {
        let h = &self.hypotheses;
        let place = format!("finding {}", f.key);
        let n = f.states.len();
        if n < 2 {
            return Err(invalid(&place, "needs at least two states"));
        }
        if !hidden {
            // Every value of the input format is a state or a coarse value; nothing else.
            use crate::nerve_conduction::{
                DEMYELINATION, DEMYELINATION_KEY, PATTERN_KEY, PATTERNS,
            };
            let derived = match f.key.as_str() {
                PATTERN_KEY => Some(Kind::One(PATTERNS)),
                DEMYELINATION_KEY => Some(Kind::One(DEMYELINATION)),
                _ => None,
            };
            let allowed: Vec<&str> = match derived.or_else(|| kind_of(&f.key)) {
                Some(Kind::One(a)) => a.to_vec(),
                Some(Kind::Bool) => vec!["false", "true"],
                Some(Kind::Number) => Vec::new(),
                _ => {
                    return Err(invalid(
                        &place,
                        "not a single-valued key of the findings format",
                    ));
                }
            };
            if allowed.is_empty() {
                if f.edges.len() + 1 != n || f.edges.windows(2).any(|w| w[0] >= w[1]) {
                    return Err(invalid(
                        &place,
                        "numeric finding needs increasing edges, one fewer than states",
                    ));
                }
            } else {
                let mut covered: Vec<&str> = f.states.iter().map(String::as_str).collect();
                covered.extend(f.coarse.keys().map(String::as_str));
                covered.sort_unstable();
                let mut want = allowed.clone();
                want.sort_unstable();
                if covered != want {
                    return Err(invalid(
                        &place,
                        format!(
                            "states {:?} + coarse values must name exactly the format's values {allowed:?}",
                            f.states
                        ),
                    ));
                }
                for (c, targets) in &f.coarse {
                    if targets.is_empty() || targets.iter().any(|t| !f.states.contains(t)) {
                        return Err(invalid(
                            &place,
                            format!("coarse value `{c}` must cover existing states"),
                        ));
                    }
                }
            }
        }
        if let Some(parent) = &f.parent {
            let states = self.parent_states(parent).ok_or_else(|| {
                invalid(
                    &place,
                    format!("unknown parent `{parent}` (a hidden variable, or `key=value` of a multi-valued finding)"),
                )
            })?;
            for (s, row) in &f.given {
                check_row(&format!("{place}, given {s}"), row, n)?;
            }
            if let Some(c) = &f.given_category {
                if !h.categories.contains(c) {
                    return Err(invalid(
                        &place,
                        format!(
                            "given_category `{c}` is not a category ({:?})",
                            h.categories
                        ),
                    ));
                }
                if !self
                    .hidden
                    .iter()
                    .any(|x| &x.key == parent && x.parent.is_none())
                {
                    return Err(invalid(
                        &place,
                        "given_category needs a hidden parent that depends on the disease",
                    ));
                }
                self.validate_disease_rows(f, &place, n)?;
            } else if f.mixed(&states) {
                if f.gate.is_some() {
                    return Err(invalid(
                        &place,
                        "a finding with `given` rows for only some parent states cannot be gated",
                    ));
                }
                self.validate_disease_rows(f, &place, n)?;
            }
            if f.given.keys().any(|k| !states.contains(k)) {
                return Err(invalid(
                    &place,
                    "a `given` row names an unknown parent state",
                ));
            }
            if let Some(bad) = f.gate_states.iter().find(|g| !states.contains(g)) {
                return Err(invalid(
                    &place,
                    format!("gate_states names `{bad}`, not a state of `{parent}` ({states:?})"),
                ));
            }
        } else {
            self.validate_disease_rows(f, &place, n)?;
        }
        if let Some(feas) = &f.time_feasibility {
            let nt = h.time.states.len();
            let ok = feas.by_time.len() == nt
                && feas.by_time.iter().all(|r| {
                    r.len() == n
                        && r.iter().all(|x| (0.0..=1.0).contains(x))
                        && r.iter().any(|x| *x > 0.0)
                })
                && !feas.src.trim().is_empty();
            if !ok || f.parent.is_some() || f.gate.is_some() {
                return Err(invalid(
                    &place,
                    "time_feasibility needs one row per time bin, one multiplier in [0, 1] per state (not all 0), a source, and no parent or gate",
                ));
            }
        }
        if f.given_category.is_some() && f.parent.is_none() {
            return Err(invalid(&place, "`given_category` needs a hidden `parent`"));
        }
        if !f.gate_states.is_empty() && (f.gate.is_none() || f.parent.is_none()) {
            return Err(invalid(
                &place,
                "`gate_states` needs a hidden `parent` and a `gate`",
            ));
        }
        match (&f.gate, &f.before) {
            (Some(g), Some(before)) => {
                if !h.gate.contains_key(g) {
                    return Err(invalid(&place, format!("unknown gate `{g}`")));
                }
                check_row(&format!("{place}, before"), before, n)?;
            }
            (None, None) => {}
            _ => return Err(invalid(&place, "`gate` and `before` go together")),
        }
        Ok(())
    }

    fn validate_disease_rows(&self, f: &Finding, place: &str, n: usize) -> Result<(), KbError> {
        let h = &self.hypotheses;
        let place = place.to_string();
        for d in &h.disease {
            if self.row_for(f, d).is_none() {
                return Err(invalid(
                    &place,
                    format!(
                        "no row for disease {} (and no level or default row)",
                        d.name
                    ),
                ));
            }
        }
        for (l, row) in &f.level {
            if !h.level.iter().any(|x| &x.name == l) {
                return Err(invalid(&place, format!("unknown level `{l}`")));
            }
            check_row(&format!("{place}, level {l}"), row, n)?;
        }
        for (d, row) in &f.disease {
            if !h.disease.iter().any(|x| &x.name == d) {
                return Err(invalid(&place, format!("unknown disease `{d}`")));
            }
            check_row(&format!("{place}, disease {d}"), row, n)?;
        }
        if let Some(row) = &f.default {
            check_row(&format!("{place}, default"), row, n)?;
        }
        Ok(())
    }

    fn validate_multi(&self, m: &Multi) -> Result<(), KbError> {
        let place = format!("finding {}", m.key);
        let values: &[&str] = match kind_of(&m.key) {
            Some(Kind::OneOrList(v)) | Some(Kind::List(v)) => v,
            _ => {
                return Err(invalid(
                    &place,
                    "not a multi-valued key of the findings format",
                ));
            }
        };
        let check = |where_: String, r: &MultiRow| -> Result<(), KbError> {
            if r.src.trim().is_empty() {
                return Err(invalid(&where_, "no source or named assumption"));
            }
            if !(0.0..=1.0).contains(&r.other) {
                return Err(invalid(&where_, "`other` outside [0, 1]"));
            }
            for (v, p) in &r.p {
                if !values.contains(&v.as_str()) {
                    return Err(invalid(
                        &where_,
                        format!("unknown value `{v}`; allowed: {}", values.join(", ")),
                    ));
                }
                if !(0.0..=1.0).contains(p) {
                    return Err(invalid(&where_, format!("P({v} present) outside [0, 1]")));
                }
            }
            Ok(())
        };
        for d in &self.hypotheses.disease {
            if self.multi_row_for(m, d).is_none() {
                return Err(invalid(&place, format!("no row for disease {}", d.name)));
            }
        }
        for (l, r) in &m.level {
            if !self.hypotheses.level.iter().any(|x| &x.name == l) {
                return Err(invalid(&place, format!("unknown level `{l}`")));
            }
            check(format!("{place}, level {l}"), r)?;
        }
        for (d, r) in &m.disease {
            if !self.hypotheses.disease.iter().any(|x| &x.name == d) {
                return Err(invalid(&place, format!("unknown disease `{d}`")));
            }
            check(format!("{place}, disease {d}"), r)?;
        }
        if let Some(r) = &m.default {
            check(format!("{place}, default"), r)?;
        }
        match &m.parent {
            Some(parent) => {
                // A hidden variable that is itself a child of the disease (so that every finding
                // still depends on the core and at most one hidden variable).
                let h = self
                    .hidden
                    .iter()
                    .find(|x| &x.key == parent && x.parent.is_none())
                    .ok_or_else(|| {
                        invalid(
                            &place,
                            format!("parent `{parent}` is not a hidden variable with the disease as its parent"),
                        )
                    })?;
                for (s, r) in &m.given {
                    if !h.states.contains(s) {
                        return Err(invalid(
                            &place,
                            format!(
                                "a `given` row names `{s}`, not a state of `{parent}` ({:?})",
                                h.states
                            ),
                        ));
                    }
                    check(format!("{place}, given {s}"), r)?;
                }
            }
            None if !m.given.is_empty() => {
                return Err(invalid(&place, "`given` rows need a hidden `parent`"));
            }
            None => {}
        }
        Ok(())
    }
}
