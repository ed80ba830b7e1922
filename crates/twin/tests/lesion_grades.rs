//! Spontaneous recovery by Sunderland grade (SPEC §2): grade IV left alone (a
//! neuroma in continuity) gives no useful recovery, grade III a partial one, grade II
//! a good one.

use twin::{Resolution, Scenario};

/// Highest MRC grade and final innervated fraction of an unrepaired human biceps
/// lesion of the given Sunderland grade over three years.
fn left_alone(grade: u8, seed: u64) -> (u8, f64) {
    let text = format!(
        "species = \"human\"\nmuscle = \"biceps_brachii\"\nage_years = 35\nhorizon_days = 1095\nseed = {seed}\n\
         [injury]\nsunderland = {grade}\ndistance_mm = 150\n"
    );
    let s = Scenario::from_toml_str(&text).unwrap();
    let c = twin::run_scenario(&s, Resolution::Pooled).unwrap();
    // After the first month (day 0 is the healthy muscle).
    let best = c
        .days
        .iter()
        .filter(|q| q.day >= 30)
        .map(|q| q.mrc_grade)
        .max()
        .unwrap_or(0);
    let last = c
        .days
        .last()
        .map(|q| q.innervated_fiber_fraction)
        .unwrap_or(0.0);
    (best, last)
}

#[test]
fn sunderland_four_left_alone_never_reaches_mrc_three() {
    for seed in 1..=6 {
        let (best, innervated) = left_alone(4, seed);
        assert!(best < 3, "seed {seed}: Sunderland IV reached MRC {best}");
        let (best3, innervated3) = left_alone(3, seed);
        let (best2, innervated2) = left_alone(2, seed);
        // Grade III partial, between grade IV and grade II.
        assert!(
            innervated < innervated3 && innervated3 < innervated2,
            "seed {seed}: innervated IV {innervated}, III {innervated3}, II {innervated2}"
        );
        assert!(
            best3 >= best && best2 >= best3,
            "MRC IV {best}, III {best3}, II {best2}"
        );
        assert!(best2 >= 4, "Sunderland II recovered only to MRC {best2}");
    }
}
