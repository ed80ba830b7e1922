//! A patient's case states disuse, rehabilitation and nutrition as the twin models them: the
//! stated treatment reaches the twin scenario of every operation, and a stated period of disuse
//! changes the course the same way through `simulate` and `prognosis`.

use engine::{Control, Engine, Resolution};

/// A partial axonotmesis of the tibialis anterior (half the axons): innervated fibres remain, on
/// which disuse acts from the start.
const BASE: &str = r#"
title = "partial tibialis anterior lesion"
[patient]
age_years = 40
[[injury]]
muscle = "tibialis_anterior"
distance_mm = 120
grade = "axonotmesis"
extent = 0.5
[settings]
horizon_days = 120
draws = 24
seed = 5
"#;

const DISUSE: &str = r#"
[[treatment]]
kind = "disuse"
start_day = 0
end_day = 59
model = "immobilization"
"#;

const REHAB: &str = r#"
[[treatment]]
kind = "rehabilitation"
start_day = 60
end_day = 119
programme = "progressive_resistance"
"#;

fn case(e: &Engine, extra: &str) -> engine::Case {
    e.parse_case(&format!("{BASE}{extra}")).expect("case")
}

#[test]
fn stated_disuse_rehabilitation_and_nutrition_reach_the_twin_scenario() {
    let e = Engine::load().expect("engine");
    let c = e
        .parse_case(&format!("{BASE}{DISUSE}{REHAB}").replace(
            "age_years = 40\n",
            "age_years = 40\nprotein_supplement = true\n",
        ))
        .expect("case");
    let s = e.scenario(&c, None).expect("scenario");
    // The case's last day is included: the twin applies a period on the days after its start up
    // to its end_day, so the twin's end_day is one more than the case's.
    assert!(s.treatments.contains(&twin_disuse()), "{:?}", s.treatments);
    assert!(
        s.treatments
            .contains(&engine::twin::Treatment::Rehabilitation {
                start_day: engine::twin::Days(60.0),
                end_day: engine::twin::Days(120.0),
                kind: engine::twin::RehabKind::ProgressiveResistance,
            }),
        "{:?}",
        s.treatments
    );
    assert!(s.modifiers.protein_supplement);
}

fn twin_disuse() -> engine::twin::Treatment {
    engine::twin::Treatment::Disuse {
        start_day: engine::twin::Days(0.0),
        end_day: engine::twin::Days(60.0),
        model: engine::twin::DisuseModel::Immobilization,
    }
}

#[test]
fn stated_disuse_weakens_the_muscle_through_simulate_and_prognosis_alike() {
    let e = Engine::load().expect("engine");
    let (without, with) = (case(&e, ""), case(&e, DISUSE));
    let control = Control::new();
    let force = |c: &engine::Case| {
        let sim = e
            .simulate(c, Resolution::Pooled, None, &control)
            .expect("simulate");
        sim.runs[0]
            .days
            .iter()
            .map(|q| q.voluntary_force_fraction)
            .collect::<Vec<_>>()
    };
    let (f0, f1) = (force(&without), force(&with));
    // Immobilization lowers synthesis and neural drive of the innervated fibres (de Boer 2007,
    // Marusic 2021, data/params/human.toml): weaker by the end of the period, never stronger.
    assert!(
        f0.iter().zip(&f1).all(|(a, b)| b <= a),
        "disuse never strengthens"
    );
    assert!(
        f1[59] < f0[59],
        "day 59: {} with disuse vs {} without",
        f1[59],
        f0[59]
    );

    // The prognosis runs the same stated treatment in every draw: its MRC bands are never higher
    // with the disuse, and lower on some day of the period.
    let band = |c: &engine::Case| {
        let p = e.prognosis(c, None, &control).expect("prognosis");
        p.report.mrc_bands[0].clone()
    };
    let (b0, b1) = (band(&without), band(&with));
    assert_eq!(b0.len(), b1.len());
    let mut lower_in_period = false;
    for (a, b) in b0.iter().zip(&b1) {
        assert_eq!(a.day, b.day);
        assert!(
            b.p10 <= a.p10 && b.p50 <= a.p50 && b.p90 <= a.p90,
            "day {}: {b:?} with disuse vs {a:?} without",
            a.day
        );
        lower_in_period |= a.day <= 60 && (b.p10 < a.p10 || b.p50 < a.p50 || b.p90 < a.p90);
    }
    assert!(lower_in_period, "with {b1:?}\nwithout {b0:?}");
}

#[test]
fn a_bad_disuse_or_rehabilitation_names_the_field_the_value_and_the_choices() {
    let e = Engine::load().expect("engine");
    let err = |extra: &str| {
        e.parse_case(&format!("{BASE}{extra}"))
            .expect_err("refused")
            .to_string()
    };
    let m = err(&DISUSE.replace("immobilization", "plaster"));
    assert!(
        m.contains("treatment[0].model") && m.contains("plaster") && m.contains("bed_rest"),
        "{m}"
    );
    let m = err(&REHAB.replace("progressive_resistance", "yoga"));
    assert!(
        m.contains("treatment[0].programme") && m.contains("yoga") && m.contains("range_of_motion"),
        "{m}"
    );
    let m = err(&DISUSE.replace("end_day = 59", "end_day = 59\nhours_per_day = 2"));
    assert!(m.contains("treatment[0].hours_per_day"), "{m}");
    let m = err(&DISUSE.replace("model = \"immobilization\"\n", ""));
    assert!(
        m.contains("treatment[0].model") && m.contains("paralysis"),
        "{m}"
    );
}

#[test]
fn a_human_experiment_keeps_its_disuse_and_rehabilitation_in_a_prognosis() {
    let e = Engine::load().expect("engine");
    let experiment = e
        .parse_case(
            r#"
species = "human"
muscle = "tibialis_anterior"
horizon_days = 120
[injury]
grade = "axonotmesis"
distance_mm = 120
fraction_of_axons = 0.5
[[treatment]]
kind = "disuse"
start_day = 0
end_day = 60
model = "immobilization"
[[treatment]]
kind = "rehabilitation"
start_day = 60
end_day = 120
programme = "progressive_resistance"
"#,
        )
        .expect("experiment");
    let engine::Case::Experiment { scenario } = &experiment else {
        panic!("an experimental case");
    };
    let patient = e
        .patient_case(&experiment, "prognosis")
        .expect("a human experiment as a patient");
    let stated: Vec<&engine::twin::Treatment> = patient
        .treatments
        .iter()
        .filter_map(|t| match t {
            engine::clinic::case::Treatment::Muscle { treatment, .. } => Some(treatment),
            _ => None,
        })
        .collect();
    // The same twin treatments, days included, as the experiment states them.
    assert_eq!(stated, scenario.treatments.iter().collect::<Vec<_>>());
}
