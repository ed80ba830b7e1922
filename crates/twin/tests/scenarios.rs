//! Case files: good ones parse, bad ones give errors naming field, value and
//! expectation; nothing panics.

use proptest::prelude::*;
use twin::{Grade, RepairMethod, Scenario, Treatment};

const GOOD: &str = r#"
species = "human"
muscle = "biceps_brachii"
age_years = 30
horizon_days = 400
seed = 7
[injury]
sunderland = 3
day = 2
distance_mm = 150
fraction_of_axons = 0.5
[[treatment]]
kind = "repair"
method = "graft"
graft_length_mm = 30
day = 20
[[treatment]]
kind = "stimulation"
start_day = 10
end_day = 60
hours_per_day = 1
[overrides]
regrowth_speed_mm_per_day = 1.2
"#;

#[test]
fn a_full_case_parses() {
    let s = Scenario::from_toml_str(GOOD).unwrap();
    let inj = s.injury.as_ref().unwrap();
    assert_eq!(inj.grade, Grade::Sunderland(3));
    assert_eq!(inj.fraction_of_axons.0, 0.5);
    assert!(matches!(
        s.treatments[0],
        Treatment::Repair {
            method: RepairMethod::Graft { .. },
            ..
        }
    ));
    assert_eq!(s.overrides["regrowth_speed_mm_per_day"], 1.2);
    // The serde path gives the same scenario.
    let via_serde: Scenario = toml::from_str(GOOD).unwrap();
    assert_eq!(via_serde, s);
}

fn err(text: &str) -> String {
    Scenario::from_toml_str(text).unwrap_err().to_string()
}

#[test]
fn errors_name_field_value_and_expectation() {
    let e = err(&GOOD.replace("sunderland = 3", "sunderland = 7"));
    assert!(
        e.contains("injury.sunderland") && e.contains('7') && e.contains("1 to 5"),
        "{e}"
    );
    let e = err(&GOOD.replace("distance_mm = 150", "distance_mm = -4"));
    assert!(e.contains("injury.distance_mm") && e.contains("-4"), "{e}");
    let e = err(&GOOD.replace("method = \"graft\"", "method = \"glue\""));
    assert!(
        e.contains("treatment[0].method") && e.contains("glue") && e.contains("primary"),
        "{e}"
    );
    let e = err(&GOOD.replace("species = \"human\"", "species = \"dog\""));
    assert!(e.contains("dog"), "{e}");
    let e = err(&GOOD.replace("end_day = 60", "end_day = 5"));
    assert!(e.contains("treatment[1].end_day"), "{e}");
    let e = err(&GOOD.replace("age_years = 30", "age_years = 300"));
    assert!(e.contains("age_years") && e.contains("300"), "{e}");
    let e = err(&GOOD.replace("seed = 7", "seed = 7\ncolour = 1"));
    assert!(e.contains("colour"), "{e}");
    let e = err(&GOOD.replace("graft_length_mm = 30\n", ""));
    assert!(e.contains("graft_length_mm"), "{e}");
}

#[test]
fn unknown_muscle_and_override_fail_at_simulation() {
    let s = Scenario::from_toml_str(&GOOD.replace("biceps_brachii", "bicepz")).unwrap();
    let e = twin::run_scenario(&s, twin::Resolution::Pooled)
        .unwrap_err()
        .to_string();
    assert!(e.contains("bicepz") && e.contains("biceps_brachii"), "{e}");
    let s = Scenario::from_toml_str(&GOOD.replace(
        "regrowth_speed_mm_per_day = 1.2",
        "regrowth_speed_mm_per_day = 99",
    ))
    .unwrap();
    let e = twin::run_scenario(&s, twin::Resolution::Pooled)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("regrowth_speed_mm_per_day") && e.contains("99"),
        "{e}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Arbitrary text never panics the parser.
    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,200}") {
        let _ = Scenario::from_toml_str(&s);
    }

    /// Mutating any number in a good case never panics parsing or building.
    #[test]
    fn mutated_numbers_never_panic(x in -1.0e6f64..1.0e6, which in 0usize..8) {
        let keys = ["age_years = 30", "distance_mm = 150", "day = 2", "graft_length_mm = 30",
                    "fraction_of_axons = 0.5", "hours_per_day = 1", "horizon_days = 400", "start_day = 10"];
        let k = keys[which];
        let name = k.split(" = ").next().unwrap();
        let text = GOOD.replacen(k, &format!("{name} = {x}"), 1);
        if let Ok(s) = Scenario::from_toml_str(&text) {
            let mut s = s;
            s.horizon_days = s.horizon_days.min(60);
            let _ = twin::run_scenario(&s, twin::Resolution::Pooled);
        }
    }
}

#[test]
fn a_mixed_lesion_reads_its_blocked_share_and_refuses_one_outside_grades_two_to_four() {
    let mixed = GOOD.replace("sunderland = 3", "sunderland = 3\nblocked_share = 0.4");
    let s = Scenario::from_toml_str(&mixed).unwrap();
    assert_eq!(s.injury.as_ref().unwrap().blocked_share.0, 0.4);
    assert_eq!(
        Scenario::from_toml_str(GOOD)
            .unwrap()
            .injury
            .unwrap()
            .blocked_share
            .0,
        0.0,
        "one grade by default"
    );
    let e = err(&GOOD.replace("sunderland = 3", "sunderland = 3\nblocked_share = 1.5"));
    assert!(
        e.contains("injury.blocked_share") && e.contains("1.5") && e.contains("[0, 1]"),
        "{e}"
    );
    for grade in ["sunderland = 1", "sunderland = 5"] {
        let e = err(&GOOD.replace("sunderland = 3", &format!("{grade}\nblocked_share = 0.4")));
        assert!(
            e.contains("injury.blocked_share") && e.contains("0.4") && e.contains("Sunderland 2-4"),
            "{grade}: {e}"
        );
    }
}
