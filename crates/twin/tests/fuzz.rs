//! Structured fuzzing of the scenario reader (issue 20): the shipped simulation examples,
//! mutated; every mutant is read or refused with an error, never a panic, and an accepted
//! scenario stays within the documented limits. Small budget for CI; `scripts/fuzz` runs the
//! long campaign through the binary.

use proptest::prelude::*;
use twin::Scenario;

mod mutate;
use mutate::mutate;

const SEEDS: &[&str] = &[
    include_str!("../../../examples/simulate-biceps-nerve-transfer.toml"),
    include_str!("../../../examples/simulate-radial-neurapraxia.toml"),
    include_str!("../../../examples/simulate-rat-denervation-stimulation.toml"),
    include_str!("../../../examples/tibialis-anterior-axonotmesis.toml"),
];

/// The seeds themselves are read: the mutants start from valid files.
#[test]
fn seeds_are_valid() {
    for s in SEEDS {
        Scenario::from_toml_str(s).unwrap();
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn scenarios_never_panic(
        seed in 0usize..SEEDS.len(),
        ops in proptest::collection::vec((any::<u8>(), any::<usize>(), any::<usize>()), 1..4),
    ) {
        let mut text = SEEDS[seed].to_string();
        for (op, at, pick) in ops {
            text = mutate(&text, op, at, pick);
        }
        if let Ok(s) = Scenario::from_toml_str(&text) {
            prop_assert!(s.horizon_days <= twin::limits::MAX_DAYS);
        }
    }
}
