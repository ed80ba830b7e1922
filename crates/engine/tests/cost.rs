//! The cost estimate (`Engine::estimate`): computed from the inputs, checked as the operation
//! checks them, and a refusal that names the estimate, the limit and the inputs.

use engine::{Engine, EngineError, Resolution, Work};

const RADIAL: &str = include_str!("../../../examples/radial-mid-humerus.toml");
const FOLLOW_UP: &str = include_str!("../../../examples/case-radial-followup-month4.toml");
const TA: &str = include_str!("../../../examples/tibialis-anterior-axonotmesis.toml");
const COHORT: &str = include_str!("../../../examples/cohort-ulnar-laceration.toml");

/// One population experiment of `size` members on the biceps over `days` days.
fn population(size: u32, days: u32) -> String {
    format!(
        r#"[[experiment]]
id = "p"
source = "test"
species = "human"
muscle = "biceps_brachii"
horizon_days = {days}
[experiment.population]
size = {size}
[experiment.injury]
grade = "axonotmesis"
distance_mm = 100
[[experiment.expect]]
quantity = "fraction_mrc_ge_3"
day = {days}
min = 0
max = 1
"#
    )
}

#[test]
fn monte_carlo_cost_is_proportional_to_the_draws_and_plans_cost_more() {
    let e = Engine::load().unwrap();
    let case = e.parse_case(RADIAL).unwrap();
    let est = |draws| {
        e.estimate(&Work::Prognosis {
            case: &case,
            draws: Some(draws),
        })
        .unwrap()
    };
    let (a, b) = (est(100), est(10_000));
    assert!((b.cpu_seconds / a.cpu_seconds - 100.0).abs() < 1e-9);
    assert_eq!(b.runs, 100 * a.runs);
    assert!(b.breakdown.contains("10,000 draws"), "{}", b.breakdown);
    let plans = e
        .estimate(&Work::Plans {
            case: &case,
            draws: Some(100),
        })
        .unwrap();
    assert!(plans.cpu_seconds > a.cpu_seconds);
    // The largest accepted request is announced; a small one is not.
    assert!(est(100_000).is_long());
    assert!(!est(10).is_long());
}

#[test]
fn follow_up_observations_add_the_plan_comparison() {
    let e = Engine::load().unwrap();
    let case = e.parse_case(FOLLOW_UP).unwrap();
    let prognosis = e
        .estimate(&Work::Prognosis {
            case: &case,
            draws: Some(100),
        })
        .unwrap();
    let plans = e
        .estimate(&Work::Plans {
            case: &case,
            draws: Some(100),
        })
        .unwrap();
    // One set of runs gives both (`clinic::plans::compare_with_prognosis`).
    assert_eq!(prognosis.cpu_seconds, plans.cpu_seconds);
    assert!(
        prognosis.breakdown.contains("sharing their past"),
        "{}",
        prognosis.breakdown
    );
}

/// Plans share their past and reuse identical runs (`clinic::montecarlo::planned_days`): a
/// comparison of many plans costs less than that many prognoses, and more than one.
#[test]
fn plans_are_counted_with_their_shared_past() {
    let e = Engine::load().unwrap();
    // A case without follow-up observations (its prognosis runs one plan).
    let case = e.parse_case(RADIAL).unwrap();
    let est = |work| e.estimate(&work).unwrap();
    let one = est(Work::Prognosis {
        case: &case,
        draws: Some(100),
    });
    let plans = est(Work::Plans {
        case: &case,
        draws: Some(100),
    });
    let engine::Case::Patient { case: patient } = &case else {
        panic!("a patient case")
    };
    let atlas = engine::clinic::Atlas::human().unwrap();
    let n_plans = engine::clinic::plans::plan_treatment_lists(patient, &atlas)
        .unwrap()
        .len();
    assert!(n_plans > 3, "{n_plans} plans");
    assert!(
        plans.cpu_seconds > one.cpu_seconds,
        "{} s for {n_plans} plans, {} s for one",
        plans.cpu_seconds,
        one.cpu_seconds
    );
    assert!(
        plans.cpu_seconds < n_plans as f64 * one.cpu_seconds,
        "{} s for {n_plans} plans, {} s for one",
        plans.cpu_seconds,
        one.cpu_seconds
    );
}

#[test]
fn an_invalid_draw_count_is_the_error_the_run_gives() {
    let e = Engine::load().unwrap();
    let case = e.parse_case(RADIAL).unwrap();
    for draws in [0, 1_000_000_000, usize::MAX] {
        let err = e
            .estimate(&Work::Prognosis {
                case: &case,
                draws: Some(draws),
            })
            .unwrap_err();
        assert!(matches!(err, EngineError::Limit(_)), "{draws}: {err}");
    }
}

#[test]
fn fibre_resolution_and_longer_runs_cost_more() {
    let e = Engine::load().unwrap();
    let case = e.parse_case(TA).unwrap();
    let sim = |resolution, days| {
        e.estimate(&Work::Simulate {
            case: &case,
            resolution,
            muscle: None,
            days,
        })
        .unwrap()
    };
    assert!(sim(Resolution::Fibre, None).cpu_seconds > sim(Resolution::Pooled, None).cpu_seconds);
    assert!(
        sim(Resolution::Fibre, Some(36_500))
            .breakdown
            .contains("36,500 days")
    );
}

#[test]
fn a_large_population_is_announced_and_refused_over_a_limit() {
    let e = Engine::load().unwrap();
    let options = engine::calibration::Options::default();
    let cost = |size, days| {
        let text = population(size, days);
        e.estimate(&Work::Calibrate {
            text: &text,
            options: &options,
        })
        .unwrap()
    };
    let small = cost(1, 100);
    let large = cost(100_000, 3650);
    assert_eq!(large.runs, 100_000);
    assert!(large.is_long() && !small.is_long());
    let err = large.check(60.0).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, EngineError::TooCostly { .. }));
    assert!(
        text.contains("calibrate") && text.contains("100,000 twin run(s)") && text.contains("60 s"),
        "{text}"
    );
    assert!(small.check(60.0).is_ok());
}

#[test]
fn a_cohort_costs_its_draws() {
    let e = Engine::load().unwrap();
    let cohort = e.parse_cohort(COHORT).unwrap();
    let est = |draws| {
        e.estimate(&Work::Cohort {
            cohort: &cohort,
            draws: Some(draws),
        })
        .unwrap()
    };
    assert!((est(2000).cpu_seconds / est(20).cpu_seconds - 100.0).abs() < 1e-9);
}
