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

const SEED: &str = r#"
[[experiment]]
id = "base"
source = "test"
species = "rat"
muscle = "soleus"
horizon_days = 120
[experiment.injury]
grade = "neurotmesis"
distance_mm = 40
regrowth = "prevented"
[[experiment.treatment]]
kind = "repair"
method = "primary"
day = 20
[[experiment.expect]]
quantity = "muscle_mass_fraction"
day = 30
value = 0.7
min = 0.65
max = 0.75
[[experiment.expect]]
quantity = "first_reinnervation_day"
value = 60
min = 59
max = 61

[[experiment]]
id = "cohort"
source = "test"
species = "rat"
muscle = "soleus"
age_years = { choices = [0, 30], weights = [0.5, 0.5] }
[experiment.population]
size = 400
seed = 5
[experiment.injury]
grade = "neurotmesis"
distance_mm = 10
[[experiment.treatment]]
kind = "repair"
method = "primary"
day = { uniform = [0, 10] }
[[experiment.expect]]
quantity = "fraction_mrc_ge_3"
day = 100
value = 0.5
min = 0.4
[[experiment.expect]]
quantity = "motor_unit_count"
day = 60
relative_to = "base"
relative_to_at = 20
value = 0.6
min = 0.5
"#;

#[test]
fn the_seed_is_valid() {
    let f = CalibrationFile::parse(SEED).unwrap();
    let errors: Vec<String> = f.errors().iter().map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn calibration_files_never_panic(
        ops in proptest::collection::vec((any::<u8>(), any::<usize>(), any::<usize>()), 1..4),
    ) {
        let mut text = SEED.to_string();
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
