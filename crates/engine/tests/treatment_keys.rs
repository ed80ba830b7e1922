//! One reader of a treatment's keys (`twin::treatment_keys`): the same malformed period or
//! repair gets the same error — field, value, expected — through a simulate (experimental) case,
//! a calibration experiment and a patient case; and each rule (whole days, a repair without a
//! method is primary, a key of another method refused, the graft's exclusive lower bound, the
//! distance range) gives every reader the same answer.

use engine::{Case, EngineError};

/// Field (inside the treatment's table), value and expected text of a refused period.
type Refusal = (String, String, String);

fn simulate_case(period: &str) -> Refusal {
    let text = format!(
        "species = \"rat\"\nmuscle = \"tibialis_anterior\"\n\
         [injury]\ngrade = \"axonotmesis\"\ndistance_mm = 20\n[[treatment]]\n{period}"
    );
    match Case::parse(&text, &atlas()) {
        Err(EngineError::Scenario(twin::ScenarioError::Invalid {
            field,
            value,
            expected,
        })) => (inside("treatment[0].", &field), value, expected),
        other => panic!("simulate case: {other:?}"),
    }
}

fn calibration_experiment(period: &str) -> Refusal {
    let text = format!(
        "[[experiment]]\nid = \"x\"\nsource = \"test\"\nspecies = \"rat\"\n\
         muscle = \"tibialis_anterior\"\n[experiment.injury]\nsunderland = 3\ndistance_mm = 20\n\
         [[experiment.treatment]]\n{period}\n[[experiment.expect]]\n\
         quantity = \"motor_unit_count\"\nday = 120\nmin = 0\n"
    );
    match calibration::CalibrationFile::parse_strict(&text) {
        Err(calibration::FileError::Field(e)) => {
            (inside("treatment[0].", &e.field), e.value, e.expected)
        }
        other => panic!("calibration experiment: {other:?}"),
    }
}

fn patient_case(period: &str) -> Refusal {
    let text = format!(
        "[patient]\nage_years = 40\n[[injury]]\nnerve = \"radial\"\nsite = \"mid_humerus\"\n\
         grade = \"axonotmesis\"\n[[treatment]]\n{period}"
    );
    match Case::parse(&text, &atlas()) {
        Err(EngineError::PatientCase(clinic::CaseError::Field {
            field,
            value,
            expected,
        })) => (inside("treatment[0].", &field), value, expected),
        Err(EngineError::PatientCase(clinic::CaseError::Missing { field, expected })) => (
            inside("treatment[0].", &field),
            "missing".to_string(),
            expected,
        ),
        other => panic!("patient case: {other:?}"),
    }
}

fn atlas() -> clinic::Atlas {
    clinic::Atlas::human().expect("atlas")
}

/// The part of `field` after `prefix` (each reader puts its own path before the treatment).
fn inside(prefix: &str, field: &str) -> String {
    field
        .split_once(prefix)
        .map_or_else(|| field.to_string(), |(_, k)| k.to_string())
}

#[test]
fn a_malformed_period_gets_one_error_from_every_reader() {
    let cases = [
        (
            "kind = \"stimulation\"\nstart_day = 10\nend_day = 9\ncontractions_per_day = 100\n",
            ("end_day", "9", "a day on or after start_day (10)"),
        ),
        (
            "kind = \"disuse\"\nmodel = \"immobilization\"\nstart_day = 30\nend_day = 2\n",
            ("end_day", "2", "a day on or after start_day (30)"),
        ),
        (
            "kind = \"stimulation\"\nstart_day = 0\nend_day = 9\n\
             contractions_per_day = 100\nhours_per_day = 1\n",
            (
                "contractions_per_day",
                "given with hours_per_day",
                "exactly one of contractions_per_day or hours_per_day",
            ),
        ),
        (
            "kind = \"stimulation\"\nstart_day = 0\nend_day = 9\nhours_per_day = 25\n",
            ("hours_per_day", "25", "hours between 0 and 24"),
        ),
        (
            "kind = \"stimulation\"\nstart_day = 0\nend_day = 9\ncontractions_per_day = -3\n",
            ("contractions_per_day", "-3", "a count between 0 and 100000"),
        ),
        (
            "kind = \"disuse\"\nmodel = \"immobilization\"\nstart_day = 12.5\nend_day = 20\n",
            (
                "start_day",
                "12.5",
                "a whole number of days from 0 to 36500",
            ),
        ),
        (
            "kind = \"rehabilitation\"\nprogramme = \"range_of_motion\"\nstart_day = 0\n\
             end_day = 40000\n",
            ("end_day", "40000", "a whole number of days from 0 to 36500"),
        ),
    ];
    for (period, (key, value, expected)) in cases {
        let want = (key.to_string(), value.to_string(), expected.to_string());
        assert_eq!(simulate_case(period), want, "simulate case:\n{period}");
        assert_eq!(
            calibration_experiment(period),
            want,
            "calibration experiment:\n{period}"
        );
        assert_eq!(patient_case(period), want, "patient case:\n{period}");
    }
}

#[test]
fn a_malformed_repair_gets_one_error_from_every_reader() {
    let cases = [
        (
            "kind = \"repair\"\nday = 10\nmethod = \"graft\"\ngraft_length_mm = 2500\n",
            (
                "graft_length_mm",
                "2500",
                "a graft length in mm greater than 0, at most 2000",
            ),
        ),
        (
            "kind = \"repair\"\nday = 10\nmethod = \"graft\"\ngraft_length_mm = 0\n",
            (
                "graft_length_mm",
                "0",
                "a graft length in mm greater than 0, at most 2000",
            ),
        ),
        (
            "kind = \"repair\"\nday = 12.5\nmethod = \"primary\"\n",
            ("day", "12.5", "a whole number of days from 0 to 36500"),
        ),
        (
            "kind = \"repair\"\nday = 10\nmethod = \"transfer\"\ndonor_axons = 300\n\
             donor_axotomized_days = 3.5\n",
            (
                "donor_axotomized_days",
                "3.5",
                "a whole number of days from 0 to 36500",
            ),
        ),
        (
            "kind = \"repair\"\nday = 10\ngraft_length_mm = 30\n",
            (
                "graft_length_mm",
                "given with method = primary",
                "`graft_length_mm` only on a graft (method = \"graft\")",
            ),
        ),
        (
            "kind = \"repair\"\nday = 10\nmethod = \"graft\"\ngraft_length_mm = 30\n\
             donor_axons = 300\n",
            (
                "donor_axons",
                "given with method = graft",
                "`donor_axons` only on a transfer (method = \"transfer\")",
            ),
        ),
        (
            "kind = \"repair\"\nday = 10\nmethod = \"suture\"\n",
            ("method", "suture", "primary, graft or transfer"),
        ),
        (
            "kind = \"repair\"\nday = 10\nmethod = \"primary\"\ndistance_mm = 2500\n",
            ("distance_mm", "2500", "a distance in mm between 0 and 2000"),
        ),
        (
            "kind = \"repair\"\nday = 10\nmethod = \"graft\"\n",
            (
                "graft_length_mm",
                "missing",
                "a graft length in mm greater than 0, at most 2000 (required for a graft)",
            ),
        ),
        (
            "kind = \"repair\"\nday = 10\nmethod = \"transfer\"\ndonor_axons = 0\n",
            ("donor_axons", "0", "a motor-axon count from 1 to 100000"),
        ),
        (
            "kind = \"repair\"\nday = 10\nmethod = \"transfer\"\ndonor_axons = -40\n",
            ("donor_axons", "-40", "a motor-axon count from 1 to 100000"),
        ),
    ];
    for (repair, (key, value, expected)) in cases {
        let want = (key.to_string(), value.to_string(), expected.to_string());
        assert_eq!(simulate_case(repair), want, "simulate case:\n{repair}");
        assert_eq!(
            calibration_experiment(repair),
            want,
            "calibration experiment:\n{repair}"
        );
        assert_eq!(patient_case(repair), want, "patient case:\n{repair}");
    }
}

#[test]
fn a_dose_of_zero_and_a_repair_without_a_method_are_accepted_by_every_reader() {
    for sham in [
        "kind = \"stimulation\"\nstart_day = 0\nend_day = 9\ncontractions_per_day = 0\n",
        // No method: a primary repair, in every reader.
        "kind = \"repair\"\nday = 10\n",
    ] {
        accepted_by_every_reader(sham);
    }
    // A distance on a suture: the twin's readers take it as the repair site's distance; a
    // patient's suture joins the nerve at its injury, whose distance the atlas gives per muscle,
    // so the patient reader refuses it rather than ignore it.
    let suture_at = "kind = \"repair\"\nday = 10\ndistance_mm = 0\n";
    let sim = format!(
        "species = \"rat\"\nmuscle = \"tibialis_anterior\"\n\
         [injury]\ngrade = \"axonotmesis\"\ndistance_mm = 20\n[[treatment]]\n{suture_at}"
    );
    assert!(Case::parse(&sim, &atlas()).is_ok(), "simulate case");
    assert_eq!(
        patient_case(suture_at),
        (
            "distance_mm".to_string(),
            "given with method = \"primary\"".to_string(),
            "distance_mm only on a nerve transfer (method = \"transfer\"): a suture or a graft \
             regrows from the injury's own distance to each muscle"
                .to_string()
        )
    );
    // The same case without a method and with method = "primary" is the same case.
    let with_method = |m: &str| {
        let text = format!(
            "species = \"rat\"\nmuscle = \"tibialis_anterior\"\n\
             [injury]\ngrade = \"neurotmesis\"\ndistance_mm = 20\n[[treatment]]\n\
             kind = \"repair\"\nday = 10\n{m}"
        );
        match Case::parse(&text, &atlas()).expect("a case") {
            Case::Experiment { scenario } => scenario,
            other => panic!("not an experiment: {other:?}"),
        }
    };
    assert_eq!(with_method(""), with_method("method = \"primary\"\n"));
    assert_ne!(
        with_method(""),
        with_method("method = \"graft\"\ngraft_length_mm = 30\n")
    );
}

fn accepted_by_every_reader(sham: &str) {
    let sim = format!(
        "species = \"rat\"\nmuscle = \"tibialis_anterior\"\n\
         [injury]\ngrade = \"axonotmesis\"\ndistance_mm = 20\n[[treatment]]\n{sham}"
    );
    assert!(
        Case::parse(&sim, &atlas()).is_ok(),
        "simulate case:\n{sham}"
    );
    let patient = format!(
        "[patient]\nage_years = 40\n[[injury]]\nnerve = \"radial\"\nsite = \"mid_humerus\"\n\
         grade = \"axonotmesis\"\n[[treatment]]\n{sham}"
    );
    assert!(
        Case::parse(&patient, &atlas()).is_ok(),
        "patient case:\n{sham}"
    );
    let experiment = format!(
        "[[experiment]]\nid = \"x\"\nsource = \"test\"\nspecies = \"rat\"\n\
         muscle = \"tibialis_anterior\"\n[experiment.injury]\nsunderland = 3\ndistance_mm = 20\n\
         [[experiment.treatment]]\n{sham}\n[[experiment.expect]]\n\
         quantity = \"motor_unit_count\"\nday = 120\nmin = 0\n"
    );
    assert!(
        calibration::CalibrationFile::parse_strict(&experiment).is_ok(),
        "calibration experiment:\n{sham}"
    );
}
