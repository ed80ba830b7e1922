//! The one case: both shapes read through one entry point, in TOML and JSON, and convert to what
//! each operation needs.

use engine::{Case, Control, Engine, Resolution};

const EXPERIMENT: &str = r#"
species = "human"
muscle = "tibialis_anterior"
age_years = 35
horizon_days = 120
seed = 3
[injury]
grade = "axonotmesis"
distance_mm = 60
"#;

const PATIENT: &str = r#"
[patient]
age_years = 40
[[injury]]
nerve = "radial"
site = "mid_humerus"
grade = "sunderland_2"
[settings]
horizon_days = 200
draws = 8
seed = 4
"#;

#[test]
fn both_shapes_parse_in_toml_and_json() {
    let e = Engine::load().expect("engine");
    assert!(matches!(
        e.parse_case(EXPERIMENT),
        Ok(Case::Experiment { .. })
    ));
    assert!(matches!(e.parse_case(PATIENT), Ok(Case::Patient { .. })));
    let t: toml::Table = toml::from_str(PATIENT).expect("toml");
    let json = serde_json::to_string(&t).expect("json");
    assert!(matches!(e.parse_case(&json), Ok(Case::Patient { .. })));
    let t: toml::Table = toml::from_str(EXPERIMENT).expect("toml");
    let json = serde_json::to_string(&t).expect("json");
    assert!(matches!(e.parse_case(&json), Ok(Case::Experiment { .. })));
}

#[test]
fn a_patient_case_simulates_every_affected_muscle_and_an_experiment_gets_a_prognosis() {
    let e = Engine::load().expect("engine");
    let patient = e.parse_case(PATIENT).expect("patient");
    let sim = e
        .simulate(&patient, Resolution::Pooled, None, &Control::new())
        .expect("simulate");
    assert!(
        sim.runs.len() >= 3,
        "radial at mid-humerus affects several muscles"
    );
    assert!(
        sim.runs
            .iter()
            .all(|r| r.days.len() == r.scenario.horizon_days as usize + 1 && r.days.len() > 200)
    );
    let experiment = e.parse_case(EXPERIMENT).expect("experiment");
    let p = e
        .prognosis(&experiment, Some(6), &Control::new())
        .expect("prognosis");
    assert_eq!(p.report.muscles.len(), 1);
    assert_eq!(p.report.muscles[0].muscle, "tibialis_anterior");
}

#[test]
fn an_unknown_muscle_is_an_error_naming_the_choices() {
    let e = Engine::load().expect("engine");
    let patient = e.parse_case(PATIENT).expect("patient");
    let err = e
        .simulate(&patient, Resolution::Pooled, Some("bicep"), &Control::new())
        .expect_err("unknown muscle");
    let msg = err.to_string();
    assert!(
        msg.contains("bicep") && msg.contains("brachioradialis"),
        "{msg}"
    );
}

#[test]
fn cancellation_stops_a_prognosis() {
    let e = Engine::load().expect("engine");
    let patient = e.parse_case(PATIENT).expect("patient");
    let c = Control::new();
    c.cancel();
    let err = e.prognosis(&patient, Some(50), &c).expect_err("cancelled");
    assert!(matches!(
        err,
        engine::EngineError::Prognosis(engine::clinic::PrognosisError::Cancelled(_))
    ));
}

#[test]
fn progress_counts_every_draw() {
    let e = Engine::load().expect("engine");
    let patient = e.parse_case(PATIENT).expect("patient");
    let c = Control::new();
    let p = e.prognosis(&patient, Some(10), &c).expect("prognosis");
    assert_eq!(p.report.draws, 10);
    assert_eq!(c.done(), c.total());
    assert!(c.done() >= 10);
}

#[test]
fn an_experiment_with_a_mixed_lesion_simulates_but_is_refused_a_prognosis_naming_the_field() {
    let e = Engine::load().expect("engine");
    let mixed = EXPERIMENT.replace(
        "grade = \"axonotmesis\"",
        "grade = \"axonotmesis\"\nblocked_share = 0.4",
    );
    let case = e.parse_case(&mixed).expect("a mixed lesion reads");
    e.simulate(&case, Resolution::Pooled, None, &Control::new())
        .expect("a mixed lesion simulates");
    let err = e
        .prognosis(&case, Some(4), &Control::new())
        .expect_err("a patient's case cannot state a mixed lesion");
    let msg = err.to_string();
    assert!(
        msg.contains("injury.blocked_share") && msg.contains("0.4"),
        "{msg}"
    );
}

/// An experimental case that states the movement graded (`against_gravity`, twin::gravity)
/// simulates with it; a prognosis takes it to the patient's case when it names the simulated
/// muscle, and refuses rather than drops a statement made for a stand-in pool (a patient's
/// case names the affected muscle itself).
#[test]
fn a_stated_movement_simulates_and_reaches_a_prognosis_or_is_refused_not_dropped() {
    let e = Engine::load().expect("engine");
    let deltoid = EXPERIMENT.replace("tibialis_anterior", "deltoid");
    let stand_in = format!(
        "{deltoid}[against_gravity]\nmovement = \"shoulder_abduction\"\nmuscle = \"supraspinatus\"\n"
    );
    let case = e
        .parse_case(&stand_in)
        .expect("experiment with a stated movement");
    e.simulate(&case, Resolution::Pooled, None, &Control::new())
        .expect("simulate");
    let err = e
        .prognosis(&case, Some(2), &Control::new())
        .expect_err("prognosis refuses the stand-in statement");
    assert!(err.to_string().contains("against_gravity.muscle"), "{err}");
    let own = format!(
        "{deltoid}[against_gravity]\nmovement = \"shoulder_abduction\"\nmuscle = \"deltoid\"\n"
    );
    let case = e
        .parse_case(&own)
        .expect("experiment stating its own muscle");
    e.prognosis(&case, Some(2), &Control::new())
        .expect("prognosis with the statement");
}

/// A patient's case states the movement graded (`[against_gravity]`) in TOML and in JSON (the
/// server's, the web editor's and the Python package's form) and keeps it; the twin's rule
/// refuses a muscle that is not the movement's, naming the field.
#[test]
fn a_patient_case_states_the_movement_graded_in_toml_and_json() {
    let e = Engine::load().expect("engine");
    let text = format!(
        "{PATIENT}[against_gravity]\nmovement = \"elbow_flexion\"\nmuscle = \"brachioradialis\"\n"
    );
    let t: toml::Table = toml::from_str(&text).expect("toml");
    let json = serde_json::to_string(&t).expect("json");
    for input in [text.as_str(), json.as_str()] {
        match e.parse_case(input) {
            Ok(Case::Patient { case }) => {
                let g = case.against_gravity.expect("statement kept");
                assert_eq!(
                    (g.movement.as_str(), g.muscle.as_str()),
                    ("elbow_flexion", "brachioradialis")
                );
            }
            other => panic!("{other:?}"),
        }
    }
    let case = e.parse_case(&json).expect("json case");
    e.prognosis(&case, Some(2), &Control::new())
        .expect("prognosis with the statement");
    let bad = text.replace("\"brachioradialis\"", "\"deltoid\"");
    let err = e
        .parse_case(&bad)
        .expect_err("deltoid is not an elbow flexor");
    assert!(err.to_string().contains("against_gravity.muscle"), "{err}");
}
