//! Behaviour of the prognosis, plans and follow-up on the twin (pooled resolution).
//! Each test asserts something the model could get wrong.

use clinic::montecarlo::{Engine, case_treatments, planned, run_plans};
use clinic::prognosis::prognose;
use clinic::{Atlas, Case};

fn setup(text: &str) -> (Engine, Atlas, Case) {
    let atlas = Atlas::human().unwrap();
    let case = Case::from_toml(text, &atlas).unwrap();
    (Engine::human().unwrap(), atlas, case)
}

fn explicit(distance: f64, grade: &str, extra: &str) -> String {
    format!(
        "[patient]\nage_years = 35\n[[injury]]\nmuscle = \"tibialis_anterior\"\ndistance_mm = {distance}\ngrade = \"{grade}\"\n{extra}\n[settings]\nseed = 11\nhorizon_days = 730\n"
    )
}

#[test]
fn longer_distance_never_improves_recovery_on_the_same_draws() {
    let n = 40;
    let mut prev_first: Option<Vec<Option<u32>>> = None;
    let mut prev_median = 0.0;
    for d in [40.0, 120.0, 250.0] {
        let (e, a, c) = setup(&explicit(d, "axonotmesis", ""));
        let o = run_plans(
            &e,
            &c,
            &[case_treatments(&c, &a)],
            n,
            &vocabulary::Control::new(),
        )
        .unwrap()
        .outcomes;
        let first: Vec<Option<u32>> = o[0][0].iter().map(|x| x.first_reinnervation_day).collect();
        if let Some(p) = &prev_first {
            for (i, (a, b)) in p.iter().zip(&first).enumerate() {
                let a = a.map(|x| x as f64).unwrap_or(f64::INFINITY);
                let b = b.map(|x| x as f64).unwrap_or(f64::INFINITY);
                assert!(
                    b >= a,
                    "draw {i}: first reinnervation {b} at {d} mm earlier than {a} at a shorter distance"
                );
            }
        }
        let r = prognose(&e, &a, &c, Some(n), &vocabulary::Control::new()).unwrap();
        let med = r.muscles[0].mrc_3_day.median.unwrap_or(f64::INFINITY);
        assert!(
            med >= prev_median,
            "median MRC-3 day {med} at {d} mm is earlier than {prev_median}"
        );
        prev_median = med;
        prev_first = Some(first);
    }
    assert!(
        prev_median > 100.0,
        "250 mm of regrowth should take months, got {prev_median}"
    );
}

#[test]
fn later_repair_never_improves_recovery_on_the_same_draws() {
    let n = 40;
    let mut prev = 0.0;
    for day in [7, 90, 270] {
        let extra = format!(
            "regrowth = \"prevented\"\n[[treatment]]\nkind = \"repair\"\nmethod = \"primary\"\nday = {day}\n"
        );
        let (e, a, c) = setup(&explicit(80.0, "neurotmesis", &extra));
        let r = prognose(&e, &a, &c, Some(n), &vocabulary::Control::new()).unwrap();
        let m = &r.muscles[0];
        let med = m.mrc_3_day.median.unwrap_or(f64::INFINITY);
        assert!(
            med >= prev,
            "repair on day {day}: median MRC-3 day {med} earlier than {prev} after an earlier repair"
        );
        prev = med;
    }
}

#[test]
fn neurapraxia_recovers_in_weeks() {
    let (e, a, c) = setup(
        "[patient]\nage_years = 30\n[[injury]]\nnerve = \"radial\"\nsite = \"mid_humerus\"\ngrade = \"neurapraxia\"\n[settings]\nseed = 3\n",
    );
    let r = prognose(&e, &a, &c, Some(30), &vocabulary::Control::new()).unwrap();
    for m in &r.muscles {
        assert!(
            m.p_mrc_ge_4 > 0.9,
            "{}: P(MRC>=4) {}",
            m.muscle,
            m.p_mrc_ge_4
        );
        let med = m.mrc_3_day.median.expect("neurapraxia reaches MRC 3");
        assert!(
            med <= 120.0,
            "{}: median MRC-3 day {med}, expected weeks to a few months",
            m.muscle
        );
    }
}

#[test]
fn proximal_neurotmesis_left_alone_does_not_recover() {
    let (e, a, c) = setup(
        "[patient]\nage_years = 40\n[[injury]]\nnerve = \"ulnar\"\nsite = \"axilla\"\ngrade = \"neurotmesis\"\n[settings]\nseed = 5\n",
    );
    let r = prognose(&e, &a, &c, Some(30), &vocabulary::Control::new()).unwrap();
    let fdi = r
        .muscles
        .iter()
        .find(|m| m.muscle == "first_dorsal_interosseous")
        .unwrap();
    assert!(fdi.p_mrc_ge_3 < 0.05, "FDI P(MRC>=3) {}", fdi.p_mrc_ge_3);
}

#[test]
fn distal_transfer_beats_a_late_proximal_graft_for_a_distal_target() {
    let (e, a, c) = setup(
        "[patient]\nage_years = 40\n[[injury]]\nnerve = \"ulnar\"\nsite = \"elbow\"\ngrade = \"neurotmesis\"\nregrowth = \"prevented\"\n[settings]\nseed = 9\n",
    );
    let graft = clinic::case::Treatment::Repair {
        injury: 0,
        day: 240,
        method: clinic::case::RepairMethod::Graft {
            length_mm: twin::Millimetres(30.0),
        },
        transfer: clinic::case::TransferSite::default(),
        brief_stimulation: false,
    };
    let transfer = clinic::case::Treatment::Repair {
        injury: 0,
        day: 240,
        method: clinic::case::RepairMethod::Transfer {
            donor_axons: 300,
            donor_axotomized_days: twin::Days(0.0),
        },
        transfer: clinic::case::TransferSite {
            atlas_id: Some("ain_to_ulnar_motor".into()),
            size_match: true,
            ..Default::default()
        },
        brief_stimulation: false,
    };
    let plans = vec![
        vec![],
        vec![planned(&c, &a, graft, false)],
        vec![planned(&c, &a, transfer, false)],
    ];
    let o = run_plans(&e, &c, &plans, 40, &vocabulary::Control::new())
        .unwrap()
        .outcomes;
    let k = c
        .muscles()
        .iter()
        .position(|m| m.1.muscle == "first_dorsal_interosseous")
        .unwrap();
    let p3 = |p: usize| o[p][k].iter().filter(|x| x.mrc_end >= 3).count();
    let reinn = |p: usize| {
        o[p][k]
            .iter()
            .filter(|x| x.first_reinnervation_day.is_some())
            .count()
    };
    assert!(
        p3(2) > p3(1) || (p3(2) == p3(1) && reinn(2) > reinn(1)),
        "transfer: {} draws MRC>=3, {} reinnervated; graft: {} and {}",
        p3(2),
        reinn(2),
        p3(1),
        reinn(1)
    );
    assert!(
        p3(2) > 0,
        "the distal transfer should give useful recovery in some draws"
    );
}

const RADIAL: &str = "[patient]\nage_years = 34\n[[injury]]\nnerve = \"radial\"\nsite = \"mid_humerus\"\ngrade = \"unknown\"\nprior = { neurapraxia = 0.35, sunderland_2 = 0.25, sunderland_3 = 0.2, sunderland_4 = 0.1, neurotmesis = 0.1 }\n[settings]\nseed = 2\n";

#[test]
fn mrc_0_and_no_units_at_month_4_lowers_spontaneous_recovery() {
    let n = 120;
    let (e, a, before) = setup(RADIAL);
    let obs = "[[observation]]\nday = 120\nmuscle = \"brachioradialis\"\nmrc = 0\nemg = { mup = \"none\" }\n";
    let (_, _, after) = setup(&format!("{RADIAL}{obs}"));
    let rb = prognose(&e, &a, &before, Some(n), &vocabulary::Control::new()).unwrap();
    let ra = prognose(&e, &a, &after, Some(n), &vocabulary::Control::new()).unwrap();
    let mean = |r: &clinic::prognosis::PrognosisReport| {
        r.muscles.iter().map(|m| m.p_mrc_ge_3).sum::<f64>() / r.muscles.len() as f64
    };
    assert!(
        mean(&ra) < mean(&rb) - 0.05,
        "P(MRC>=3) before {} after {}",
        mean(&rb),
        mean(&ra)
    );
    let f = ra.follow_up.as_ref().unwrap();
    let p_np = |v: &[(String, f64)]| {
        v.iter()
            .find(|x| x.0 == "neurapraxia")
            .map(|x| x.1)
            .unwrap_or(0.0)
    };
    assert!(p_np(&f.grade_posterior) < p_np(&f.grade_prior));
    assert!(ra.answer.is_some());
}

#[test]
fn impossible_observations_are_flagged() {
    let (e, a, c) = setup(&format!(
        "{RADIAL}[[observation]]\nday = 10\nmuscle = \"extensor_indicis\"\nmrc = 5\nemg = {{ mup = \"neurogenic\", fibrillations = \"4+\" }}\n[[observation]]\nday = 11\nmuscle = \"extensor_indicis\"\nmrc = 0\nemg = {{ mup = \"normal\", fibrillations = \"0\" }}\nncs = {{ cmap = \"normal\" }}\n"
    ));
    let r = prognose(&e, &a, &c, Some(40), &vocabulary::Control::new()).unwrap();
    let f = r.follow_up.unwrap();
    assert!(
        f.implausible,
        "best fit {} ess {}",
        f.best_fit, f.effective_draws
    );
    assert!(r.answer.unwrap().starts_with("No confident answer"));
}

#[test]
fn same_answer_on_one_and_two_threads() {
    let (e, a, c) = setup(RADIAL);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let r = prognose(&e, &a, &c, Some(24), &vocabulary::Control::new()).unwrap();
            serde_json::to_string(&r).unwrap()
        })
    };
    assert_eq!(run(1), run(2));
}

#[test]
fn plans_rank_and_explain() {
    let (e, a, c) = setup(RADIAL);
    let r = clinic::plans::compare(&e, &a, &c, 30, &vocabulary::Control::new()).unwrap();
    assert!(r.plans.iter().any(|p| p.name == "wait"));
    assert!(
        r.plans
            .iter()
            .any(|p| p.name.starts_with("transfer median_to_radial"))
    );
    assert!(r.plans.iter().any(|p| p.name.starts_with("explore")));
    for (i, p) in r.plans.iter().enumerate() {
        assert_eq!(p.rank, i + 1);
        assert!(
            !p.reasons.is_empty()
                && p.reasons
                    .iter()
                    .all(|s| s.chars().any(|c| c.is_ascii_digit()))
        );
    }
    for w in r.plans.windows(2) {
        assert!(
            w[0].score >= w[1].score - clinic::data::ClinicData::embedded().unwrap().plans.tie,
            "{} {}",
            w[0].score,
            w[1].score
        );
    }
}

/// Issue 20: `--draws 1000000000` aborted on a 792 GB allocation and `usize::MAX` panicked with
/// "capacity overflow". The library checks the draws against the engine's limits before
/// allocating anything, whichever way the number came in.
#[test]
fn draws_over_the_limit_are_refused_before_allocation() {
    let (e, a, c) = setup(&explicit(60.0, "axonotmesis", ""));
    for n in [1_000_000_000usize, usize::MAX, 0] {
        let Err(err) = run_plans(
            &e,
            &c,
            &[case_treatments(&c, &a)],
            n,
            &vocabulary::Control::new(),
        ) else {
            panic!("{n} draws accepted");
        };
        assert!(
            matches!(err, clinic::PrognosisError::Limit(_)),
            "{n}: {err}"
        );
        assert!(prognose(&e, &a, &c, Some(n), &vocabulary::Control::new()).is_err());
    }
    let raised = Engine::human().unwrap().with_limits(twin::limits::Limits {
        max_draws: 200_000,
        ..Default::default()
    });
    assert_eq!(raised.limits().max_draws, 200_000);
}

#[test]
fn band_drivers_name_the_unknown_grade_when_it_decides_the_outcome() {
    // A closed injury of unknown grade at 120 mm: whether the axons are cut (neurotmesis, no
    // recovery without surgery) or not decides the outcome far more than any twin parameter.
    let (e, a, c) = setup(&explicit(120.0, "unknown", ""));
    let r = prognose(&e, &a, &c, Some(40), &vocabulary::Control::new()).unwrap();
    let d = &r.drivers[0];
    assert_eq!(d[0].name, "injury grade", "drivers: {d:?}");
    assert!(
        d[0].rank_correlation < 0.0,
        "a higher grade recovers less: {d:?}"
    );
    let total: f64 = d.iter().map(|x| x.share).sum();
    assert!((total - 1.0).abs() < 1e-9, "shares sum to 1: {total}");
}

#[test]
fn band_drivers_of_a_known_long_axonotmesis_are_model_parameters() {
    // Grade known, 250 mm of regrowth: the spread is the model's parameter uncertainty and
    // the distance, and regrowth speed (the time to arrive before the end plates close) should
    // lead, with a positive correlation (faster axons, better recovery).
    let (e, a, c) = setup(&explicit(250.0, "axonotmesis", ""));
    let r = prognose(&e, &a, &c, Some(40), &vocabulary::Control::new()).unwrap();
    let d = &r.drivers[0];
    assert!(!d.iter().any(|x| x.name == "injury grade"), "{d:?}");
    let speed = d
        .iter()
        .find(|x| x.name == "regrowth_speed_mm_per_day")
        .expect("regrowth speed is a candidate");
    assert!(speed.rank_correlation > 0.3, "{d:?}");
    assert!(
        d[0].name == "regrowth_speed_mm_per_day" || d[0].name == "distance",
        "{d:?}"
    );
}

/// The event-driven bookkeeping of the twin (the default) against the reference day stepper
/// on every shipped patient example under its own treatments: every daily quantity of every
/// muscle and draw within 0.5 % relative (or 1e-6 absolute) — a count or grade may instead
/// take the reference's value of the day before or after (a threshold crossed a day apart) —
/// and the reinnervation and MRC 3 days within one day.
#[test]
fn event_bookkeeping_gives_the_day_steppers_outcomes() {
    use clinic::montecarlo::run_plans_with_course;
    use twin::equivalence::{Agreement, course_disagreements};
    let close = Agreement::Close;
    let dir = format!("{}/../../examples", env!("CARGO_MANIFEST_DIR"));
    let mut examples = 0;
    let mut bad = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !(name.starts_with("case-") || name == "radial-mid-humerus.toml") {
            continue;
        }
        examples += 1;
        let (e, a, c) = setup(&std::fs::read_to_string(&path).unwrap());
        let plans = [case_treatments(&c, &a)];
        let ctl = vocabulary::Control::new();
        let runs = |engine: &Engine| {
            run_plans_with_course(engine, &c, &plans, 8, 1, &ctl)
                .unwrap()
                .outcomes
        };
        let event = runs(&e.clone().with_stepper(twin::Stepper::Event));
        let day = runs(&e.with_stepper(twin::Stepper::Day));
        for (k, (em, dm)) in event[0].iter().zip(&day[0]).enumerate() {
            for (i, (eo, d)) in em.iter().zip(dm).enumerate() {
                let at = format!("{name} muscle {k} draw {i}");
                if !close.days(eo.first_reinnervation_day, d.first_reinnervation_day)
                    || !close.days(eo.mrc_3_day, d.mrc_3_day)
                {
                    bad.push(format!("{at}: event days {eo:?} against {d:?}"));
                }
                assert_eq!(eo.course.len(), d.course.len());
                bad.extend(course_disagreements(&at, &eo.course, &d.course, close));
            }
        }
    }
    assert!(examples >= 5, "patient examples found: {examples}");
    assert!(
        bad.is_empty(),
        "{} disagreements:\n{}",
        bad.len(),
        bad.join("\n")
    );
}
