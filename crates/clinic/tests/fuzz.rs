//! Structured fuzzing of the case-file reader (issue 20), on stable Rust with proptest: the
//! shipped example cases, in TOML and JSON, mutated — numbers replaced by extreme values,
//! strings by extreme strings, spans deleted or repeated, tokens inserted. Every mutant is read
//! to a case or refused with an error; never a panic, and an accepted case stays within the
//! documented limits. A small budget (64 mutants per property) keeps CI fast; `scripts/fuzz`
//! runs the long campaign through the binary.

use clinic::{Atlas, Case};
use proptest::prelude::*;

const SEEDS: &[&str] = &[
    include_str!("../../../examples/case-fibular-neck-compression.toml"),
    include_str!("../../../examples/case-radial-followup-month4.toml"),
    include_str!("../../../examples/case-ulnar-elbow-laceration.toml"),
    include_str!("../../../examples/case-upper-trunk-traction.toml"),
    include_str!("../../../examples/radial-mid-humerus.toml"),
];

#[path = "../../twin/tests/mutate/mod.rs"]
mod mutate;
use mutate::mutate;

/// The TOML seed as JSON (the case reader takes both).
fn to_json(text: &str) -> String {
    let v: toml::Value = toml::from_str(text).unwrap();
    serde_json::to_string(&v).unwrap()
}

fn check(case: Result<Case, clinic::CaseError>) {
    if let Ok(c) = case {
        let l = twin::limits::Limits::default();
        assert!((1..=l.max_draws).contains(&c.settings.draws));
        assert!(c.settings.horizon_days <= l.max_prognosis_horizon_days);
        assert!(c.patient.age_years.is_finite());
    }
}

/// The seeds themselves are read, in both formats: the mutants start from valid files.
#[test]
fn seeds_are_valid() {
    let atlas = Atlas::human().unwrap();
    for s in SEEDS {
        Case::from_toml(s, &atlas).unwrap();
        Case::parse(&to_json(s), &atlas).unwrap();
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn toml_cases_never_panic(
        seed in 0usize..SEEDS.len(),
        ops in proptest::collection::vec((any::<u8>(), any::<usize>(), any::<usize>()), 1..4),
    ) {
        let atlas = Atlas::human().unwrap();
        let mut text = SEEDS[seed].to_string();
        for (op, at, pick) in ops {
            text = mutate(&text, op, at, pick);
        }
        check(Case::from_toml(&text, &atlas));
    }

    #[test]
    fn json_cases_never_panic(
        seed in 0usize..SEEDS.len(),
        ops in proptest::collection::vec((any::<u8>(), any::<usize>(), any::<usize>()), 1..4),
    ) {
        let atlas = Atlas::human().unwrap();
        let mut text = to_json(SEEDS[seed]);
        for (op, at, pick) in ops {
            text = mutate(&text, op, at, pick);
        }
        check(Case::parse(&text, &atlas));
    }
}
