//! Per-nerve electrodiagnosis: each nerve of `ncs.nerves` is classified by the published
//! demyelination criteria (AAN 1991 research criteria [S17]; EFNS/PNS 2010, revised EAN/PNS 2021
//! [S18]) as normal, axonal, demyelinating, equivocal (abnormal, no criterion met) or not
//! assessable (no CMAP, so no velocity or block can be measured); then the pattern over nerves is
//! read: normal, single nerve, multifocal, length-dependent, sural-sparing, upper limb only or
//! diffuse. Both enter the network as derived findings (`ncs.nerves.pattern`,
//! `ncs.nerves.demyelination`), whose likelihoods are in `data/diagnosis/electrodiagnosis.toml`.
//! How the categorical values of the findings format map onto the criteria, and the nerve
//! catalogue (limb, fibres), are in `data/diagnosis/nerves.toml`.
//!
//! No double counting: the pattern says *where* the abnormal nerves are, which no summary key
//! says; the number of nerves meeting a demyelination criterion says *what* the lesion is, which
//! the summary keys `ncs.conduction_velocity` and `ncs.conduction_block` also say. So when those
//! summary keys were not stated but only filled from the nerves, they are left out of the evidence
//! and the criteria count is used instead; when they were stated, the count is left out.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::findings::{NerveResult, Observation};
use crate::kb::KbError;

/// The states of the derived finding `ncs.nerves.pattern`, in order.
pub const PATTERNS: &[&str] = &[
    "normal",
    "single_nerve",
    "multifocal",
    "length_dependent",
    "sural_sparing",
    "upper_limb_only",
    "diffuse",
];

/// The states of the derived finding `ncs.nerves.demyelination`: how many nerves meet a
/// demyelination criterion (EFNS/PNS "definite" needs two or more).
pub const DEMYELINATION: &[&str] = &["none", "one_nerve", "two_or_more"];

/// Key of the derived pattern finding.
pub const PATTERN_KEY: &str = "ncs.nerves.pattern";
/// Key of the derived demyelination-criteria finding.
pub const DEMYELINATION_KEY: &str = "ncs.nerves.demyelination";

/// Where a nerve runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Limb {
    /// Arm.
    Upper,
    /// Leg.
    Lower,
}

/// The fibres a nerve carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Fibres {
    /// Motor only.
    Motor,
    /// Sensory only.
    Sensory,
    /// Both.
    Mixed,
}

/// One nerve of the catalogue.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NerveInfo {
    /// Canonical name (lower case, underscores).
    pub name: String,
    /// Limb.
    pub limb: Limb,
    /// Fibres.
    pub fibres: Fibres,
    /// Other names.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Source.
    pub src: String,
}

/// The nerve catalogue and the criteria's source (`data/diagnosis/nerves.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    /// The sources of the criteria.
    pub criteria_src: String,
    /// Nerves.
    pub nerve: Vec<NerveInfo>,
}

impl Catalogue {
    /// Parses and validates the catalogue.
    pub fn from_toml(file: &'static str, text: &str) -> Result<Self, KbError> {
        let c: Catalogue = toml::from_str(text).map_err(|e| KbError::Parse {
            file,
            message: e.to_string(),
        })?;
        if c.criteria_src.trim().is_empty() {
            return Err(KbError::Invalid {
                place: format!("{file}: criteria_src"),
                message: "the criteria need a source".into(),
            });
        }
        for n in &c.nerve {
            if n.src.trim().is_empty() || n.name != normalise(&n.name) {
                return Err(KbError::Invalid {
                    place: format!("{file}: nerve {}", n.name),
                    message: "needs a source and a lower-case name with underscores".into(),
                });
            }
        }
        Ok(c)
    }

    /// The catalogue entry of a nerve name as given (longest name or alias that it starts with).
    pub fn lookup(&self, given: &str) -> Option<&NerveInfo> {
        let g = normalise(given);
        let mut best: Option<(&NerveInfo, usize)> = None;
        for n in &self.nerve {
            for name in std::iter::once(&n.name).chain(&n.aliases) {
                let hit = g == *name || g.starts_with(&format!("{name}_"));
                if hit && best.is_none_or(|(_, len)| name.len() > len) {
                    best = Some((n, name.len()));
                }
            }
        }
        best.map(|(n, _)| n)
    }
}

fn normalise(name: &str) -> String {
    name.trim()
        .to_lowercase()
        .chars()
        .map(|c| if c == ' ' || c == '-' { '_' } else { c })
        .collect()
}

/// The class of one nerve's study.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NerveClass {
    /// Every given value normal.
    Normal,
    /// Amplitude loss without a demyelination criterion.
    Axonal,
    /// A demyelination criterion met (velocity in the demyelinating range, or conduction block),
    /// with a CMAP to measure it on.
    Demyelinating,
    /// Abnormal, but no criterion met (prolonged latency, slowing of unstated or mild degree with
    /// normal amplitudes).
    Equivocal,
    /// No CMAP: velocity and block cannot be measured.
    NotAssessable,
}

fn one<'a>(n: &'a NerveResult, key: &str) -> Option<&'a str> {
    match n.values.get(key) {
        Some(Observation::One(v)) => Some(v),
        _ => None,
    }
}

fn low(v: Option<&str>) -> bool {
    matches!(v, Some("reduced") | Some("absent"))
}

/// Classifies one nerve by the criteria (see the module doc and `nerves.toml`).
pub fn classify(n: &NerveResult) -> NerveClass {
    let cmap = one(n, "cmap");
    let snap = one(n, "snap");
    let cv = one(n, "conduction_velocity");
    let dl = one(n, "distal_latency");
    let block = matches!(
        n.values.get("conduction_block"),
        Some(Observation::Bool(true))
    );
    if cmap == Some("absent") {
        return NerveClass::NotAssessable;
    }
    if cv == Some("demyelinating") || block {
        return NerveClass::Demyelinating;
    }
    if low(cmap) || low(snap) {
        return NerveClass::Axonal;
    }
    if matches!(cv, Some("slowed") | Some("mildly_slowed")) || dl == Some("prolonged") {
        return NerveClass::Equivocal;
    }
    NerveClass::Normal
}

/// What the nerves say: the pattern and the number of nerves meeting a demyelination criterion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NerveSummary {
    /// Each nerve's class, in the order given.
    pub classes: Vec<NerveClass>,
    /// The pattern (a state of [`PATTERNS`]), when two or more nerves were studied or one was.
    pub pattern: Option<&'static str>,
    /// The criteria count (a state of [`DEMYELINATION`]), when at least one nerve was assessable.
    pub demyelination: Option<&'static str>,
}

/// Reads the pattern over the nerves.
///
/// Rules, first match wins (`A` = abnormal nerves, i.e. any class but normal):
/// 1. no nerve abnormal → `normal`;
/// 2. fewer than two nerves studied → no pattern (one abnormal nerve alone says nothing of the
///    others);
/// 3. a sural SNAP normal while an upper-limb SNAP is reduced or absent → `sural_sparing` [S23];
/// 4. one abnormal nerve → `single_nerve`;
/// 5. the same nerve abnormal on one side and normal on the other, or a nerve not in the
///    catalogue (limb unknown) → `multifocal`;
/// 6. every abnormal nerve in the arms, a leg nerve studied and normal → `upper_limb_only`;
/// 7. an abnormal leg nerve and no arm nerve abnormal → `length_dependent` (the longest axons
///    first, 1B);
/// 8. every studied nerve abnormal, in arms and legs → `diffuse`;
/// 9. an abnormal leg nerve, arm nerves partly abnormal and no leg nerve normal →
///    `length_dependent` (the legs worse or equal: spread upwards);
/// 10. otherwise (an arm nerve abnormal while a leg nerve is normal) → `multifocal`.
pub fn summarise(nerves: &[NerveResult], cat: &Catalogue) -> Option<NerveSummary> {
    if nerves.is_empty() {
        return None;
    }
    let classes: Vec<NerveClass> = nerves.iter().map(classify).collect();
    let limb = |n: &NerveResult| {
        n.nerve
            .as_deref()
            .and_then(|g| cat.lookup(g))
            .map(|i| i.limb)
    };
    let name = |n: &NerveResult| {
        n.nerve.as_deref().map(|g| {
            cat.lookup(g)
                .map_or_else(|| normalise(g), |i| i.name.clone())
        })
    };
    let abnormal: Vec<bool> = classes.iter().map(|c| *c != NerveClass::Normal).collect();
    let n_abn = abnormal.iter().filter(|a| **a).count();
    let pattern = if n_abn == 0 {
        Some("normal")
    } else if nerves.len() < 2 {
        None
    } else {
        let sural_normal = nerves
            .iter()
            .any(|n| name(n).as_deref() == Some("sural") && one(n, "snap") == Some("normal"));
        let arm_snap_low = nerves
            .iter()
            .any(|n| limb(n) == Some(Limb::Upper) && low(one(n, "snap")));
        // Same nerve, different sides, one abnormal and one normal.
        let mut by_nerve_side: BTreeMap<String, (bool, bool)> = BTreeMap::new();
        for (n, a) in nerves.iter().zip(&abnormal) {
            let side = match n.values.get("side") {
                Some(Observation::One(s)) => *s,
                _ => continue,
            };
            if let Some(nm) = name(n) {
                let e = by_nerve_side.entry(format!("{nm}/{side}")).or_default();
                if *a { e.0 = true } else { e.1 = true }
            }
        }
        let asymmetric = by_nerve_side.iter().any(|(k, (abn, _))| {
            let (nm, side) = k.split_once('/').unwrap_or((k, ""));
            let other = if side == "left" { "right" } else { "left" };
            by_nerve_side
                .get(&format!("{nm}/{other}"))
                .is_some_and(|(oa, on)| *abn && !*oa && *on)
        });
        let count = |l: Limb, abn: bool| {
            nerves
                .iter()
                .zip(&abnormal)
                .filter(|(n, a)| limb(n) == Some(l) && **a == abn)
                .count()
        };
        let (arm_abn, arm_norm) = (count(Limb::Upper, true), count(Limb::Upper, false));
        let (leg_abn, leg_norm) = (count(Limb::Lower, true), count(Limb::Lower, false));
        let unknown_limb = nerves.iter().any(|n| limb(n).is_none());
        Some(if sural_normal && arm_snap_low {
            "sural_sparing"
        } else if n_abn == 1 {
            "single_nerve"
        } else if asymmetric || unknown_limb {
            "multifocal"
        } else if leg_abn == 0 && leg_norm > 0 {
            "upper_limb_only"
        } else if leg_abn > 0 && arm_abn == 0 {
            "length_dependent"
        } else if n_abn == nerves.len() && arm_abn > 0 && leg_abn > 0 {
            "diffuse"
        } else if leg_abn > 0 && leg_norm == 0 && arm_norm > 0 {
            "length_dependent"
        } else {
            "multifocal"
        })
    };
    let assessable = classes
        .iter()
        .filter(|c| **c != NerveClass::NotAssessable)
        .count();
    let demyelinating = classes
        .iter()
        .filter(|c| **c == NerveClass::Demyelinating)
        .count();
    let demyelination = (assessable > 0).then_some(match demyelinating {
        0 => "none",
        1 => "one_nerve",
        _ => "two_or_more",
    });
    Some(NerveSummary {
        classes,
        pattern,
        demyelination,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::Findings;

    fn cat() -> Catalogue {
        Catalogue::from_toml(
            "nerves.toml",
            include_str!("../../../data/diagnosis/nerves.toml"),
        )
        .expect("catalogue")
    }

    fn nerves(json: &str) -> Vec<NerveResult> {
        Findings::from_json_str(&format!(r#"{{"ncs": {{"nerves": {json}}}}}"#))
            .expect("valid nerves")
            .nerves
    }

    fn class(json: &str) -> NerveClass {
        classify(&nerves(&format!("[{json}]"))[0])
    }

    #[test]
    fn names_are_matched_by_name_alias_and_prefix() {
        let c = cat();
        assert_eq!(
            c.lookup("Peroneal").map(|n| n.name.as_str()),
            Some("fibular")
        );
        assert_eq!(
            c.lookup("superficial peroneal").map(|n| n.name.as_str()),
            Some("superficial_fibular")
        );
        assert_eq!(
            c.lookup("median_motor").map(|n| n.name.as_str()),
            Some("median")
        );
        assert!(c.lookup("medianus").is_none());
        assert_eq!(c.lookup("sural").map(|n| n.limb), Some(Limb::Lower));
    }

    #[test]
    fn velocity_in_the_demyelinating_range_or_a_block_is_demyelinating() {
        // AAN [S17] / EFNS-PNS [S18]: CV below 70-80% of LLN; block = EFNS/PNS item.
        assert_eq!(
            class(
                r#"{"nerve": "median", "cmap": "reduced", "conduction_velocity": "demyelinating"}"#
            ),
            NerveClass::Demyelinating
        );
        assert_eq!(
            class(r#"{"nerve": "ulnar", "cmap": "normal", "conduction_block": true}"#),
            NerveClass::Demyelinating
        );
    }

    #[test]
    fn an_absent_cmap_is_not_assessable_whatever_the_velocity_says() {
        // EFNS/PNS: block counts only with a distal CMAP >= 20% of LLN; no CMAP, no velocity.
        assert_eq!(
            class(
                r#"{"nerve": "fibular", "cmap": "absent", "conduction_velocity": "demyelinating"}"#
            ),
            NerveClass::NotAssessable
        );
    }

    #[test]
    fn low_amplitude_with_mild_slowing_is_axonal() {
        // AAN: with CMAP < 80% of LLN, slowing must reach < 70% of LLN to count.
        assert_eq!(
            class(
                r#"{"nerve": "tibial", "cmap": "reduced", "conduction_velocity": "mildly_slowed"}"#
            ),
            NerveClass::Axonal
        );
        assert_eq!(
            class(r#"{"nerve": "sural", "snap": "absent"}"#),
            NerveClass::Axonal
        );
    }

    #[test]
    fn abnormal_without_a_criterion_is_equivocal_and_normal_is_normal() {
        assert_eq!(
            class(r#"{"nerve": "median", "distal_latency": "prolonged", "cmap": "normal"}"#),
            NerveClass::Equivocal
        );
        assert_eq!(
            class(r#"{"nerve": "median", "snap": "normal", "cmap": "normal"}"#),
            NerveClass::Normal
        );
    }

    fn pattern(json: &str) -> Option<&'static str> {
        summarise(&nerves(json), &cat()).and_then(|s| s.pattern)
    }

    #[test]
    fn sural_sparing_is_a_normal_sural_with_low_arm_snaps() {
        // [S23]: median/ulnar SNAPs low while the sural is spared (50% of GBS).
        assert_eq!(
            pattern(
                r#"[{"nerve": "median", "snap": "reduced"}, {"nerve": "ulnar", "snap": "absent"},
                    {"nerve": "sural", "snap": "normal"}]"#
            ),
            Some("sural_sparing")
        );
    }

    #[test]
    fn legs_abnormal_with_arms_normal_is_length_dependent() {
        assert_eq!(
            pattern(
                r#"[{"nerve": "sural", "snap": "absent"}, {"nerve": "fibular", "cmap": "reduced"},
                    {"nerve": "median", "snap": "normal", "cmap": "normal"}]"#
            ),
            Some("length_dependent")
        );
    }

    #[test]
    fn one_side_abnormal_and_the_other_normal_is_multifocal() {
        assert_eq!(
            pattern(
                r#"[{"nerve": "ulnar", "side": "left", "conduction_block": true},
                    {"nerve": "ulnar", "side": "right", "cmap": "normal", "conduction_block": false},
                    {"nerve": "median", "side": "right", "conduction_block": true}]"#
            ),
            Some("multifocal")
        );
    }

    #[test]
    fn arms_abnormal_with_legs_normal_is_upper_limb_only_and_all_abnormal_is_diffuse() {
        assert_eq!(
            pattern(
                r#"[{"nerve": "median", "cmap": "reduced"}, {"nerve": "ulnar", "snap": "reduced"},
                    {"nerve": "fibular", "cmap": "normal"}]"#
            ),
            Some("upper_limb_only")
        );
        assert_eq!(
            pattern(
                r#"[{"nerve": "median", "conduction_velocity": "demyelinating", "cmap": "reduced"},
                    {"nerve": "tibial", "conduction_velocity": "demyelinating", "cmap": "reduced"},
                    {"nerve": "sural", "snap": "absent"}]"#
            ),
            Some("diffuse")
        );
    }

    #[test]
    fn one_abnormal_nerve_among_normal_ones_is_a_single_nerve_and_one_study_alone_has_no_pattern() {
        assert_eq!(
            pattern(
                r#"[{"nerve": "fibular", "cmap": "reduced", "conduction_block": true},
                    {"nerve": "tibial", "cmap": "normal"}, {"nerve": "sural", "snap": "normal"}]"#
            ),
            Some("single_nerve")
        );
        assert_eq!(
            pattern(r#"[{"nerve": "fibular", "cmap": "reduced"}]"#),
            None
        );
    }

    #[test]
    fn the_criteria_count_needs_an_assessable_nerve() {
        let s = summarise(
            &nerves(
                r#"[{"nerve": "median", "conduction_velocity": "demyelinating", "cmap": "reduced"},
                    {"nerve": "ulnar", "conduction_velocity": "demyelinating", "cmap": "normal"}]"#,
            ),
            &cat(),
        )
        .expect("summary");
        assert_eq!(s.demyelination, Some("two_or_more"));
        let s = summarise(
            &nerves(
                r#"[{"nerve": "fibular", "cmap": "absent", "conduction_velocity": "demyelinating"},
                    {"nerve": "tibial", "cmap": "absent"}]"#,
            ),
            &cat(),
        )
        .expect("summary");
        assert_eq!(s.demyelination, None);
        assert_eq!(s.pattern, Some("length_dependent"));
    }
}
