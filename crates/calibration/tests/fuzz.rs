//! Structured fuzzing of the calibration-file reader (issue 20): a file with single and
//! population experiments, distributions, treatments and relative expectations, mutated; every
//! mutant is read or refused (a file-level error, or field errors kept beside the experiment),
//! never a panic, and whatever is accepted stays within the documented limits. Small budget for
//! CI; `scripts/fuzz` runs the long campaign through the binary.

use calibration::CalibrationFile;
use proptest::prelude::*;

#[path = "../../twin/tests/mutate/mod.rs"]
mod mutate;
use mutate::mutate;

mod toy;

/// What the runner tests' file lacks: a horizon and a population seed, so that their numbers
/// are mutated too.
const EXTRA: &str = r#"
[[experiment]]
id = "seeded"
source = "test"
species = "rat"
muscle = "soleus"
horizon_days = 120
[experiment.population]
size = 40
seed = 5
[experiment.injury]
grade = "neurotmesis"
distance_mm = 10
[[experiment.expect]]
quantity = "fraction_mrc_ge_3"
day = 100
min = 0.4
"#;

/// The seed: the runner tests' file and [`EXTRA`].
fn seed() -> String {
    format!("{}{EXTRA}", toy::FILE)
}

#[test]
fn the_seed_is_valid() {
    let f = CalibrationFile::parse(&seed()).unwrap();
    let errors: Vec<String> = f.errors().iter().map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn calibration_files_never_panic(
        ops in proptest::collection::vec((any::<u8>(), any::<usize>(), any::<usize>()), 1..4),
    ) {
        let mut text = seed();
        for (op, at, pick) in ops {
            text = mutate(&text, op, at, pick);
        }
        if let Ok(f) = CalibrationFile::parse(&text) {
            let limits = twin::limits::Limits::default();
            for e in &f.experiments {
                if let Ok(s) = &e.setup {
                    prop_assert!(s.population_size.unwrap_or(1) as usize <= limits.max_population);
                    prop_assert!(s.horizon_days.unwrap_or(0) <= limits.max_days);
                }
            }
        }
    }
}
