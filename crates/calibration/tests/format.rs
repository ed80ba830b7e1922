//! The reader of the calibration format: the shared file reads cleanly, and malformed
//! inputs give errors that name the experiment, the field, the value and what was expected.

use calibration::distribution::Numeric;
use calibration::experiment::{GradeSpec, Relative, Setup, TreatmentSpec};
use calibration::quantity::{PopulationQuantity, Quantity};
use calibration::{CalibrationFile, FieldError, FileError};

const SHARED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/calibration/experiments.toml"
);

fn shared_text() -> Option<String> {
    std::fs::read_to_string(SHARED).ok()
}

#[test]
fn the_shared_file_reads_without_errors_or_warnings() {
    let Some(text) = shared_text() else {
        eprintln!("skipped: {SHARED} not present");
        return;
    };
    let file = CalibrationFile::parse_strict(&text).expect("shared file reads");
    assert!(file.warnings.is_empty(), "{:?}", file.warnings);
    assert!(file.experiments.len() >= 20);
    let cohort = file.experiment("hicks2025-transfer-cohort").unwrap();
    let setup = cohort.setup.as_ref().unwrap();
    assert_eq!(setup.population_size, Some(1000));
    assert!(matches!(setup.age_years, Some(Numeric::Normal { .. })));
    let delayed = file.experiment("fu-gordon1995-delayed").unwrap();
    let first = delayed.expectations[0].parsed.as_ref().unwrap();
    assert_eq!(
        first.relative,
        Relative::ToExperiment {
            id: "fu-gordon1995-immediate".into(),
            at: Some(200)
        }
    );
}

/// A minimal valid experiment, with `extra` appended to the experiment table and
/// `expect` as the expectation.
fn one(extra: &str, expect: &str) -> String {
    format!(
        r#"
[[experiment]]
id = "x-1"
source = "test"
species = "rat"
muscle = "soleus"
{extra}
[[experiment.expect]]
{expect}
"#
    )
}

fn setup_error(text: &str) -> FieldError {
    let file = CalibrationFile::parse(text).expect("file-level read");
    match &file.experiments[0].setup {
        Err(e) => e.clone(),
        Ok(s) => panic!("expected an error, got {s:?}"),
    }
}

fn expect_error(text: &str) -> FieldError {
    let file = CalibrationFile::parse(text).expect("file-level read");
    file.experiments[0].setup.as_ref().expect("setup reads");
    match &file.experiments[0].expectations[0].parsed {
        Err(e) => e.clone(),
        Ok(x) => panic!("expected an error, got {x:?}"),
    }
}

const OK_EXPECT: &str = "quantity = \"muscle_mass_fraction\"\nday = 10\nvalue = 0.5\nmin = 0.4";

#[test]
fn invalid_toml_is_a_syntax_error() {
    let err = CalibrationFile::parse("[[experiment]\nid = ").unwrap_err();
    assert!(matches!(err, FileError::Syntax(_)), "{err}");
}

#[test]
fn a_file_without_experiments_says_so() {
    let err = CalibrationFile::parse("title = \"nothing\"").unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("experiment") && msg.contains("missing"),
        "{msg}"
    );
    let err = CalibrationFile::parse("experiment = 3").unwrap_err();
    assert!(err.to_string().contains('3'), "{err}");
}

#[test]
fn unknown_species_names_field_value_and_choices() {
    let text = one("", OK_EXPECT).replace("\"rat\"", "\"dog\"");
    let e = setup_error(&text);
    assert_eq!(e.experiment, "x-1");
    assert_eq!(e.field, "species");
    assert!(e.value.contains("dog"));
    assert!(e.expected.contains("human"));
}

#[test]
fn missing_distance_is_named() {
    let e = setup_error(&one(
        "[experiment.injury]\ngrade = \"neurotmesis\"",
        OK_EXPECT,
    ));
    assert_eq!(e.field, "injury.distance_mm");
    assert_eq!(e.value, "missing");
}

#[test]
fn a_string_where_a_number_belongs() {
    let e = setup_error(&one(
        "[experiment.injury]\ngrade = \"neurotmesis\"\ndistance_mm = \"far\"",
        OK_EXPECT,
    ));
    assert_eq!(e.field, "injury.distance_mm");
    assert!(e.value.contains("far"));
    assert!(e.expected.contains("mm"));
}

#[test]
fn unknown_grade_and_both_grades() {
    let e = setup_error(&one(
        "[experiment.injury]\ngrade = \"crush\"\ndistance_mm = 5",
        OK_EXPECT,
    ));
    assert_eq!(e.field, "injury.grade");
    assert!(e.value.contains("crush") && e.expected.contains("axonotmesis"));
    let e = setup_error(&one(
        "[experiment.injury]\ngrade = \"neurotmesis\"\nsunderland = 3\ndistance_mm = 5",
        OK_EXPECT,
    ));
    assert_eq!(e.field, "injury.grade");
    let e = setup_error(&one(
        "[experiment.injury]\nsunderland = 6\ndistance_mm = 5",
        OK_EXPECT,
    ));
    assert_eq!(e.field, "injury.sunderland");
    assert_eq!(e.value, "6");
}

#[test]
fn fractional_or_negative_days_are_rejected() {
    let e = setup_error(&one(
        "[experiment.injury]\ngrade = \"neurotmesis\"\ndistance_mm = 5\nday = -3",
        OK_EXPECT,
    ));
    assert_eq!(e.field, "injury.day");
    assert_eq!(e.value, "-3");
    let e = expect_error(&one("", "quantity = \"mrc_grade\"\nday = 2.5\nmin = 3"));
    assert_eq!(e.field, "expect[0].day");
    assert_eq!(e.value, "2.5");
}

#[test]
fn treatment_errors_name_their_index_and_key() {
    let inj = "[experiment.injury]\ngrade = \"neurotmesis\"\ndistance_mm = 5\n";
    let e = setup_error(&one(
        &format!("{inj}[[experiment.treatment]]\nkind = \"massage\"\nday = 3"),
        OK_EXPECT,
    ));
    assert_eq!(e.field, "treatment[0].kind");
    assert!(e.value.contains("massage") && e.expected.contains("stimulation"));
    let e = setup_error(&one(
        &format!(
            "{inj}[[experiment.treatment]]\nkind = \"disuse\"\nmodel = \"bed_rest\"\nstart_day = 0\nend_day = 5\n\
             [[experiment.treatment]]\nkind = \"repair\"\nday = 3\nmethod = \"graft\""
        ),
        OK_EXPECT,
    ));
    assert_eq!(e.field, "treatment[1].graft_length_mm");
    assert_eq!(e.value, "missing");
    let e = setup_error(&one(
        &format!(
            "{inj}[[experiment.treatment]]\nkind = \"repair\"\nday = 3\nmethod = \"transfer\""
        ),
        OK_EXPECT,
    ));
    assert_eq!(e.field, "treatment[0].donor_axons");
    let e = setup_error(&one(
        &format!(
            "{inj}[[experiment.treatment]]\nkind = \"stimulation\"\nstart_day = 9\nend_day = 3\nhours_per_day = 1"
        ),
        OK_EXPECT,
    ));
    assert_eq!(e.field, "treatment[0].end_day");
    assert!(e.expected.contains("start_day"));
    let e = setup_error(&one(
        &format!(
            "{inj}[[experiment.treatment]]\nkind = \"stimulation\"\nstart_day = 0\nend_day = 3"
        ),
        OK_EXPECT,
    ));
    assert_eq!(e.field, "treatment[0].contractions_per_day");
    assert!(e.expected.contains("hours_per_day"));
    let e = setup_error(&one(
        &format!(
            "{inj}[[experiment.treatment]]\nkind = \"stimulation\"\nstart_day = 0\nend_day = 3\nhours_per_day = 30"
        ),
        OK_EXPECT,
    ));
    assert_eq!(e.field, "treatment[0].hours_per_day");
    assert_eq!(e.value, "30");
}

#[test]
fn repair_without_injury_is_rejected() {
    let e = setup_error(&one(
        "[[experiment.treatment]]\nkind = \"repair\"\nday = 3\nmethod = \"primary\"",
        OK_EXPECT,
    ));
    assert_eq!(e.field, "treatment[0].kind");
    assert!(e.expected.contains("injury"));
}

#[test]
fn malformed_distributions_name_the_inner_field() {
    let e = setup_error(&one("age_years = { mean = 30 }", OK_EXPECT));
    assert_eq!(e.field, "age_years.sd");
    assert_eq!(e.value, "missing");
    let e = setup_error(&one("age_years = { mean = 30, sd = -1 }", OK_EXPECT));
    assert_eq!(e.field, "age_years.sd");
    let e = setup_error(&one("age_years = { uniform = [40, 20] }", OK_EXPECT));
    assert_eq!(e.field, "age_years.uniform");
    let e = setup_error(&one("age_years = { uniform = [-5, 20] }", OK_EXPECT));
    assert_eq!(e.field, "age_years");
    assert!(e.expected.contains("age"));
    let e = setup_error(&one(
        "age_years = { choices = [20, 30], weights = [1] }",
        OK_EXPECT,
    ));
    assert_eq!(e.field, "age_years.weights");
    let e = setup_error(&one("age_years = { median = 30 }", OK_EXPECT));
    assert_eq!(e.field, "age_years");
    assert!(e.expected.contains("uniform"));
    let e = setup_error(&one(
        "[experiment.injury]\ngrade = { choices = [\"neurotmesis\", \"crush\"] }\ndistance_mm = 5",
        OK_EXPECT,
    ));
    assert_eq!(e.field, "injury.grade.choices");
    assert!(e.value.contains("crush"));
}

#[test]
fn categorical_and_numeric_distributions_read() {
    let file = CalibrationFile::parse_strict(&one(
        "[experiment.population]\nsize = 10\n[experiment.injury]\n\
         grade = { choices = [\"axonotmesis\", \"neurapraxia\"], weights = [0.6, 0.4] }\n\
         distance_mm = { uniform = [50, 150] }\n\
         [[experiment.treatment]]\nkind = \"repair\"\nday = { mean = 100, sd = 20, min = 30, max = 300 }\nmethod = \"primary\"",
        "quantity = \"median_mrc_3_day\"\nmax = 400",
    ))
    .unwrap();
    let s: &Setup = file.experiments[0].setup.as_ref().unwrap();
    assert!(matches!(
        s.injury.as_ref().unwrap().grade,
        GradeSpec::Seddon(_)
    ));
    assert!(matches!(
        s.treatments[0],
        TreatmentSpec::Repair {
            day: Numeric::Normal { .. },
            ..
        }
    ));
    let x = file.experiments[0].expectations[0].parsed.as_ref().unwrap();
    assert_eq!(
        x.quantity,
        Quantity::Population(PopulationQuantity::MedianMrcDay(3))
    );
}

#[test]
fn expectation_errors_are_per_expectation() {
    let text = format!(
        "{}\n[[experiment.expect]]\nquantity = \"muscle_mass\"\nday = 3\nmin = 1",
        one("", OK_EXPECT)
    );
    let file = CalibrationFile::parse(&text).unwrap();
    let ex = &file.experiments[0];
    assert!(ex.expectations[0].parsed.is_ok());
    let e = ex.expectations[1].parsed.as_ref().unwrap_err();
    assert_eq!(e.field, "expect[1].quantity");
    assert!(e.value.contains("muscle_mass") && e.expected.contains("muscle_mass_fraction"));
    assert!(CalibrationFile::parse_strict(&text).is_err());
}

#[test]
fn expectation_rules() {
    let e = expect_error(&one("", "quantity = \"mrc_grade\"\nday = 3"));
    assert_eq!(e.field, "expect[0].min");
    assert!(e.expected.contains("range"));
    let e = expect_error(&one(
        "",
        "quantity = \"mrc_grade\"\nday = 3\nmin = 4\nmax = 2",
    ));
    assert_eq!(e.field, "expect[0].max");
    let e = expect_error(&one("", "quantity = \"mrc_grade\"\nmin = 4"));
    assert_eq!(e.field, "expect[0].day");
    // A population summary needs its day too (a single experiment counts as a population of one).
    let e = expect_error(&one("", "quantity = \"fraction_mrc_ge_3\"\nmin = 0.5"));
    assert_eq!(e.field, "expect[0].day");
    let e = expect_error(&one(
        "",
        "quantity = \"mrc_grade\"\nday = 3\nmin = 4\nrelative_to_at = 5",
    ));
    assert_eq!(e.field, "expect[0].relative_to_at");
    let e = expect_error(&one(
        "",
        "quantity = \"mrc_grade\"\nday = 3\nmin = 4\nrelative_to = \"x-1\"",
    ));
    assert_eq!(e.field, "expect[0].relative_to");
    let e = expect_error(&one(
        "",
        "quantity = \"first_reinnervation_day\"\nmin = 4\nrelative_to_day = 3",
    ));
    assert_eq!(e.field, "expect[0].relative_to_day");
    // A population's mean recovery day, like its median, is an absolute day.
    let e = expect_error(&one(
        "",
        "quantity = \"mean_mrc_5_day\"\nmin = 4\nrelative_to_day = 3",
    ));
    assert_eq!(e.field, "expect[0].relative_to_day");
    assert!(e.expected.contains("mean"), "{e:?}");
}

#[test]
fn a_day_on_a_quantity_not_read_on_a_day_is_refused() {
    // An event day or a population's recovery day is watched to a horizon; a `day` written on
    // it used to be taken silently (as a horizon nobody asked for). Now it is the field's error,
    // by the same rule as `relative_to_day`.
    for q in [
        "first_reinnervation_day",
        "first_fibrillation_day",
        "mrc_3_day",
        "median_mrc_3_day",
        "median_mrc_5_day",
        "mean_mrc_3_day",
        "mean_mrc_5_day",
    ] {
        let text = format!(
            "{}\n[[experiment.expect]]\nquantity = \"{q}\"\nday = 90\nmin = 4",
            one("", OK_EXPECT)
        );
        let file = CalibrationFile::parse(&text).expect("file-level read");
        let ex = &file.experiments[0];
        assert!(ex.expectations[0].parsed.is_ok(), "{q}");
        let e = ex.expectations[1].parsed.as_ref().unwrap_err();
        assert_eq!(e.field, "expect[1].day", "{q}");
        assert_eq!(e.value, "90", "{q}");
        assert!(
            e.expected.contains(q) && e.expected.contains("not read on a day"),
            "{q}: {e:?}"
        );
        let shown = e.to_string();
        assert!(
            shown.contains("x-1") && shown.contains("expect[1].day"),
            "{shown}"
        );
        assert!(CalibrationFile::parse_strict(&text).is_err(), "{q}");
        // Without the day the same expectation reads.
        let ok = text.replace("day = 90\n", "");
        assert!(CalibrationFile::parse_strict(&ok).is_ok(), "{q}");
    }
    // A quantity read on a day keeps its day.
    assert!(
        CalibrationFile::parse_strict(&one("", "quantity = \"mrc_grade\"\nday = 90\nmin = 4"))
            .is_ok()
    );
}

#[test]
fn a_mean_recovery_day_reads_as_its_own_quantity_without_a_day() {
    let file = CalibrationFile::parse_strict(&one(
        "[experiment.population]\nsize = 10",
        "quantity = \"mean_mrc_5_day\"\nvalue = 103\nmin = 77\nmax = 129",
    ))
    .unwrap();
    let x = file.experiments[0].expectations[0].parsed.as_ref().unwrap();
    assert_eq!(
        x.quantity,
        Quantity::Population(PopulationQuantity::MeanMrcDay(5))
    );
    assert_eq!(x.day, None);
    assert_eq!(
        Quantity::from_name("mean_mrc_3_day").unwrap().name(),
        "mean_mrc_3_day"
    );
}

#[test]
fn missing_id_expectations_and_duplicates() {
    let text = one("", OK_EXPECT).replace("id = \"x-1\"", "");
    let e = setup_error(&text);
    assert_eq!(e.field, "id");
    assert_eq!(e.experiment, "experiment #1");
    let text = "[[experiment]]\nid = \"a\"\nspecies = \"rat\"\nmuscle = \"soleus\"";
    let file = CalibrationFile::parse(text).unwrap();
    let e = file.experiments[0].expectations[0]
        .parsed
        .as_ref()
        .unwrap_err();
    assert_eq!(e.field, "expect");
    let twice = format!("{}{}", one("", OK_EXPECT), one("", OK_EXPECT));
    let file = CalibrationFile::parse(&twice).unwrap();
    assert!(file.experiments[0].setup.is_ok());
    assert_eq!(file.experiments[1].setup.as_ref().unwrap_err().field, "id");
}

#[test]
fn unknown_keys_are_warnings() {
    let file = CalibrationFile::parse(&one("colour = \"red\"", OK_EXPECT)).unwrap();
    assert!(file.experiments[0].setup.is_ok());
    assert!(
        file.warnings.iter().any(|w| w.contains("colour")),
        "{:?}",
        file.warnings
    );
}

#[test]
fn population_size_must_be_a_positive_whole_number() {
    let e = setup_error(&one(
        "[experiment.population]\nsize = 0",
        "quantity = \"fraction_mrc_ge_3\"\nday = 3\nmin = 0.5",
    ));
    assert_eq!(e.field, "population.size");
    assert_eq!(e.value, "0");
}

/// Arbitrary bytes and mangled versions of the shared file never panic.
#[test]
fn malformed_text_never_panics() {
    let base = shared_text().unwrap_or_else(|| one("", OK_EXPECT));
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    for _ in 0..300 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let bytes = base.as_bytes();
        let cut = (state as usize) % bytes.len();
        let mut mangled = bytes[..cut].to_vec();
        mangled.extend_from_slice(b" = { mean = \"x\", sd = [] }\n");
        mangled.extend_from_slice(&bytes[cut..]);
        let text = String::from_utf8_lossy(&mangled);
        let _ = CalibrationFile::parse(&text);
        let _ = CalibrationFile::parse(&text[..cut.min(text.len())]);
    }
}

mod never_panics {
    use calibration::CalibrationFile;
    use proptest::prelude::*;

    /// Values of every TOML type, including distributions written wrong.
    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<i64>().prop_map(|v| v.to_string()),
            any::<f64>().prop_map(|v| format!("{v:?}").replace("inf", "1e999")),
            "[a-z_ ]{0,12}".prop_map(|s| format!("\"{s}\"")),
            Just("{ mean = 1, sd = -2 }".to_string()),
            Just("{ uniform = [5] }".to_string()),
            Just("{ choices = [], weights = [] }".to_string()),
            Just("{ choices = [\"neurotmesis\", 3] }".to_string()),
            Just("[1, \"x\"]".to_string()),
            Just("true".to_string()),
        ]
    }

    const KEYS: &[&str] = &[
        "age_years",
        "horizon_days",
        "species",
        "muscle",
        "id",
        "grade",
        "sunderland",
        "day",
        "distance_mm",
        "fraction_of_axons",
        "regrowth",
        "kind",
        "method",
        "quantity",
        "min",
        "max",
        "relative_to",
        "relative_to_day",
        "size",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// Any value in any position of a well-formed skeleton reads without a panic.
        #[test]
        fn any_value_anywhere(table in 0usize..5, key in 0..KEYS.len(), v in value()) {
            let tables = ["", "[experiment.injury]\n", "[[experiment.treatment]]\n",
                          "[[experiment.expect]]\n", "[experiment.population]\n"];
            let text = format!(
                "[[experiment]]\nid = \"p\"\nspecies = \"rat\"\nmuscle = \"soleus\"\n{}{} = {}\n\
                 [[experiment.expect]]\nquantity = \"mrc_grade\"\nday = 3\nmin = 1\n",
                tables[table], KEYS[key], v
            );
            let _ = CalibrationFile::parse(&text);
        }

        /// Arbitrary text never panics.
        #[test]
        fn arbitrary_text(text in "\\PC{0,200}") {
            let _ = CalibrationFile::parse(&text);
        }
    }
}

/// Issue 20: sizes taken from the file go through `twin::limits` and are refused with the field,
/// the value and the limit; `errors()` lists them so the CLI can exit 2 (malformed) instead of 1.
#[test]
fn sizes_over_the_limits_are_field_errors() {
    for (extra, field) in [
        ("[experiment.population]\nsize = 1e9", "population.size"),
        (
            "[experiment.population]\nsize = 1000000000",
            "population.size",
        ),
        ("[experiment.population]\nsize = nan", "population.size"),
        ("[experiment.population]\nsize = -5", "population.size"),
        ("horizon_days = 1e9", "horizon_days"),
        ("horizon_days = inf", "horizon_days"),
    ] {
        let text = one(extra, OK_EXPECT);
        let e = setup_error(&text);
        assert_eq!(e.field, field, "{extra}: {e}");
        let file = CalibrationFile::parse(&text).unwrap();
        assert_eq!(file.errors().len(), 1, "{extra}");
    }
    let e = setup_error(&one("[experiment.population]\nsize = 1e9", OK_EXPECT));
    assert!(
        e.expected.contains("100000") && e.expected.contains("max_population"),
        "{e}"
    );
}

#[test]
fn a_size_matched_transfer_reads_its_nerve_counts_and_refuses_bad_names() {
    let inj = "[experiment.injury]\ngrade = \"neurotmesis\"\ndistance_mm = 250\nregrowth = \"prevented\"\n";
    let transfer = |keys: &str| {
        one(
            &format!("{inj}[[experiment.treatment]]\nkind = \"repair\"\nday = 90\nmethod = \"transfer\"\n{keys}"),
            OK_EXPECT,
        )
        .replace("\"rat\"", "\"human\"")
        .replace("\"soleus\"", "\"biceps_brachii\"")
    };
    let text = transfer("donor_nerve = \"intercostal_x3\"\nrecipient_nerve = \"biceps_branch\"");
    let file = CalibrationFile::parse(&text).unwrap();
    assert!(file.warnings.is_empty(), "{:?}", file.warnings);
    let s: &Setup = file.experiments[0].setup.as_ref().unwrap();
    let TreatmentSpec::Repair {
        size_match: Some(m),
        donor_axons: None,
        ..
    } = &s.treatments[0]
    else {
        panic!("{:?}", s.treatments[0]);
    };
    assert_eq!(m.donor_nerve, "intercostal_x3");
    assert!(matches!(m.donor_count, Numeric::Normal { mean, .. } if (mean - 1063.0).abs() < 1e-9));
    assert!(
        matches!(m.recipient_count, Numeric::Normal { mean, .. } if (mean - 1826.0).abs() < 1e-9)
    );

    let e = setup_error(&transfer(
        "donor_nerve = \"sciatic\"\nrecipient_nerve = \"biceps_branch\"",
    ));
    assert_eq!(e.field, "treatment[0].donor_nerve");
    assert!(
        e.value.contains("sciatic") && e.expected.contains("intercostal_x3"),
        "{e:?}"
    );
    let e = setup_error(&transfer("donor_nerve = \"intercostal_x3\""));
    assert_eq!(e.field, "treatment[0].recipient_nerve");
    assert_eq!(e.value, "missing");
    let e = setup_error(&transfer(
        "donor_axons = 300\ndonor_nerve = \"intercostal_x3\"\nrecipient_nerve = \"biceps_branch\"",
    ));
    assert_eq!(e.field, "treatment[0].donor_axons");
    // Counts are human: a rat experiment may not name nerves.
    let rat = transfer("donor_nerve = \"intercostal_x3\"\nrecipient_nerve = \"biceps_branch\"")
        .replace("\"human\"", "\"rat\"")
        .replace("\"biceps_brachii\"", "\"tibialis_anterior\"");
    let e = setup_error(&rat);
    assert_eq!(e.field, "treatment[0].donor_nerve");
    assert!(e.expected.contains("human only"), "{e:?}");
}

/// `against_gravity` (the movement an MRC grade is read on and its working muscles) reads
/// into the setup, and a muscle that is not the movement's is refused with its field.
#[test]
fn against_gravity_reads_and_names_a_wrong_muscle() {
    let stated = "against_gravity = { movement = \"shoulder_abduction\", muscle = \"supraspinatus\", working = [\"deltoid\"] }";
    let file = CalibrationFile::parse_strict(&one(stated, OK_EXPECT)).unwrap();
    let g = file.experiments[0]
        .setup
        .as_ref()
        .unwrap()
        .against_gravity
        .clone()
        .expect("stated");
    assert_eq!((g.muscle.as_str(), g.working.len()), ("supraspinatus", 1));
    let e = setup_error(&one(
        &stated.replace("\"deltoid\"]", "\"soleus\"]"),
        OK_EXPECT,
    ));
    assert_eq!(e.field, "against_gravity.working[0]");
    assert!(
        e.value.contains("soleus") && e.expected.contains("deltoid"),
        "{e:?}"
    );
    // Elbow flexion is a movement of its own: the biceps reads, a shoulder muscle is refused.
    let elbow = "against_gravity = { movement = \"elbow_flexion\", muscle = \"biceps_brachii\" }";
    let file = CalibrationFile::parse_strict(&one(elbow, OK_EXPECT)).unwrap();
    assert!(
        file.experiments[0]
            .setup
            .as_ref()
            .unwrap()
            .against_gravity
            .is_some()
    );
    let e = setup_error(&one(&elbow.replace("biceps_brachii", "deltoid"), OK_EXPECT));
    assert_eq!(e.field, "against_gravity.muscle");
    assert!(e.expected.contains("brachioradialis"), "{e:?}");
    let e = setup_error(&one(
        "against_gravity = { movement = \"knee_extension\", muscle = \"biceps_brachii\" }",
        OK_EXPECT,
    ));
    assert_eq!(e.field, "against_gravity.movement");
    assert!(
        e.expected.contains("shoulder_abduction") && e.expected.contains("elbow_flexion"),
        "{e:?}"
    );
}
