//! Structured fuzzing of the findings reader and of the vignette (cases file) reader
//! (issue 20): the shipped findings examples and a small cases file built from them, mutated;
//! every mutant is read or refused with an error, never a panic. Small budget for CI;
//! `scripts/fuzz` runs the long campaign through the binary.

use diagnosis::findings::Findings;
use proptest::prelude::*;

#[path = "../../twin/tests/mutate/mod.rs"]
mod mutate;
use mutate::mutate;

const SEEDS: &[&str] = &[
    include_str!("../../../examples/findings-foot-drop-early.toml"),
    include_str!("../../../examples/findings-motor-neuron.toml"),
    include_str!("../../../examples/findings-myasthenia.json"),
    include_str!("../../../examples/findings-radiculopathy.toml"),
];

/// A cases file of two vignettes, in the format of `shared/vignettes/cases.json`.
fn cases_file() -> String {
    let f = include_str!("../../../examples/findings-myasthenia.json");
    format!(
        "[{{\"id\": \"a\", \"source\": \"test\", \"findings\": {f}, \
           \"answer\": {{\"level\": \"nmj\", \"category\": \"nmj\"}}}},\
          {{\"id\": \"b\", \"source\": \"test\", \"findings\": {f}, \
           \"answer\": {{\"level\": \"muscle\", \"category\": \"myogenic\"}}}}]"
    )
}

fn reasoner() -> &'static diagnosis::Reasoner {
    static R: std::sync::OnceLock<diagnosis::Reasoner> = std::sync::OnceLock::new();
    R.get_or_init(|| diagnosis::Reasoner::new().unwrap())
}

/// The seeds themselves are read: the mutants start from valid files.
#[test]
fn seeds_are_valid() {
    for s in SEEDS {
        Findings::from_str_guess(s).unwrap();
    }
    diagnosis::evaluate_cases(reasoner(), &cases_file()).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn findings_never_panic(
        seed in 0usize..SEEDS.len(),
        ops in proptest::collection::vec((any::<u8>(), any::<usize>(), any::<usize>()), 1..4),
    ) {
        let mut text = SEEDS[seed].to_string();
        for (op, at, pick) in ops {
            text = mutate(&text, op, at, pick);
        }
        if let Ok(f) = Findings::from_str_guess(&text) {
            for o in f.observed.values() {
                if let diagnosis::findings::Observation::Number(x) = o {
                    prop_assert!(x.is_finite());
                }
            }
        }
    }

    #[test]
    fn vignette_files_never_panic(
        ops in proptest::collection::vec((any::<u8>(), any::<usize>(), any::<usize>()), 1..4),
    ) {
        let mut text = cases_file();
        for (op, at, pick) in ops {
            text = mutate(&text, op, at, pick);
        }
        if let Ok(e) = diagnosis::evaluate_cases(reasoner(), &text) {
            prop_assert!(e.brier.is_finite());
        }
    }
}
