//! The runner on a stand-in model with known answers: relative readings, events,
//! population summaries, unrepresentable experiments, and determinism of the draws.

use calibration::CalibrationFile;
use calibration::case::Run;
use calibration::quantity::DailyQuantity;
use calibration::runner::{Model, Options, Resolution, Silent, Trajectory, draw_member, run};

mod toy;
use toy::{FILE, Toy};

fn rows() -> calibration::Report {
    let file = CalibrationFile::parse_strict(FILE).unwrap();
    run(&file, &Toy, &Options::default(), &Silent)
}

fn sim<'a>(report: &'a calibration::Report, experiment: &str, n: usize) -> &'a calibration::Row {
    report
        .results
        .iter()
        .filter(|r| r.experiment == experiment)
        .nth(n)
        .unwrap()
}

#[test]
fn daily_relative_and_event_readings() {
    let r = rows();
    assert!((sim(&r, "base", 0).simulated.unwrap() - 0.7).abs() < 1e-12);
    assert!(sim(&r, "base", 0).pass);
    assert!((sim(&r, "base", 1).simulated.unwrap() - 0.7 / 0.9).abs() < 1e-12);
    assert!(sim(&r, "base", 1).pass);
    assert_eq!(sim(&r, "base", 2).simulated, Some(60.0));
    assert!(sim(&r, "base", 2).pass);
    let fib = sim(&r, "base", 3);
    assert_eq!(fib.simulated, Some(10.0));
    assert!(!fib.pass);
    assert!(fib.reason.as_ref().unwrap().contains("above max"));
}

#[test]
fn relative_to_other_experiment() {
    let r = rows();
    // later: injured day 10, read day 60 (50 days since) = 50; base day 20 (20 since) = 80.
    let first = sim(&r, "later", 0);
    assert!(
        (first.simulated.unwrap() - 50.0 / 80.0).abs() < 1e-12,
        "{first:?}"
    );
    assert!(first.pass);
    // Same day by default: both at the floor of 10 units.
    assert!((sim(&r, "later", 1).simulated.unwrap() - 1.0).abs() < 1e-12);
    // Never repaired: MRC 3 never reached, infinite, which is >= min.
    let never = sim(&r, "later", 2);
    assert_eq!(never.simulated, Some(f64::INFINITY));
    assert!(never.pass);
}

#[test]
fn an_unrepresentable_experiment_fails_with_a_reason_and_the_rest_runs() {
    let r = rows();
    let e = sim(&r, "elsewhere", 0);
    assert!(!e.pass);
    assert!(e.reason.as_ref().unwrap().contains("deltoid"));
    let d = sim(&r, "dangling", 0);
    assert!(!d.pass);
    assert!(d.reason.as_ref().unwrap().contains("nobody"));
    assert_eq!(r.total, 11);
}

#[test]
fn population_summaries() {
    let r = rows();
    // Age 0: MRC 3 on day repair + 90 (<= 100); age 30: on repair + 180. About half reach it.
    let f = sim(&r, "cohort", 0);
    assert!(f.pass, "{f:?}");
    // Median MRC-5 day: age 0 members reach it near day 150+repair, age 30 never, so the
    // median is infinite or large.
    let m = sim(&r, "cohort", 1);
    assert!(m.simulated.unwrap() > 150.0, "{m:?}");
}

#[test]
fn a_mean_recovery_day_is_the_members_mean_and_never_is_infinite() {
    use calibration::quantity::PopulationQuantity::{MeanMrcDay, MedianMrcDay};
    use calibration::runner::summarise;
    let member = |mrc_5: Option<u32>| {
        let mut t = Trajectory::new(400);
        t.set_mrc_days(Some(10), mrc_5);
        t
    };
    // A skewed population: the mean lies above the median, as with a published mean time.
    let skewed = [member(Some(40)), member(Some(60)), member(Some(140))];
    assert_eq!(summarise(&skewed, MedianMrcDay(5), None), 60.0);
    assert_eq!(summarise(&skewed, MeanMrcDay(5), None), 80.0);
    assert_eq!(summarise(&skewed, MeanMrcDay(3), None), 10.0);
    // One member who never reaches MRC 5 makes the mean infinite (the median need not be).
    let with_never = [
        member(Some(40)),
        member(Some(60)),
        member(Some(140)),
        member(Some(20)),
        member(None),
    ];
    assert_eq!(summarise(&with_never, MedianMrcDay(5), None), 60.0);
    assert_eq!(summarise(&with_never, MeanMrcDay(5), None), f64::INFINITY);
}

#[test]
fn json_shape() {
    let r = rows();
    let v = serde_json::to_value(&r).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["passed", "results", "total"]);
    let first = &v["results"][0];
    for k in [
        "experiment",
        "quantity",
        "day",
        "min",
        "max",
        "value",
        "simulated",
        "pass",
    ] {
        assert!(first.get(k).is_some(), "missing {k}");
    }
    assert!(first.get("reason").is_none());
    let failed = &v["results"][3];
    assert!(failed["reason"].is_string());
    // An event never reached is infinite: null in JSON.
    assert!(v["results"][6]["simulated"].is_null());
}

#[test]
fn population_draws_are_deterministic_and_order_free() {
    let file = CalibrationFile::parse_strict(FILE).unwrap();
    let spec = file.experiment("cohort").unwrap();
    let setup = spec.setup.as_ref().unwrap();
    let forward: Vec<_> = (0..50)
        .map(|m| draw_member(spec, setup, m, 7, 300).unwrap())
        .collect();
    let backward: Vec<_> = (0..50)
        .rev()
        .map(|m| draw_member(spec, setup, m, 7, 300).unwrap())
        .collect();
    for (m, f) in forward.iter().enumerate() {
        assert_eq!(f, &backward[49 - m]);
    }
    let other_seed: Vec<_> = (0..50)
        .map(|m| draw_member(spec, setup, m, 8, 300).unwrap())
        .collect();
    assert_ne!(forward, other_seed);
    // Members differ from one another in their drawn values (not only in their seeds).
    let drawn = |r: &Run| (r.scenario.age_years, r.scenario.treatments.clone());
    assert!(forward.windows(2).any(|w| drawn(&w[0]) != drawn(&w[1])));
    // Whole runs are identical with one thread and with several.
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(|| run(&file, &Toy, &Options::default(), &Silent));
    let four = rayon::ThreadPoolBuilder::new()
        .num_threads(4)
        .build()
        .unwrap()
        .install(|| run(&file, &Toy, &Options::default(), &Silent));
    assert_eq!(one, four);
}

#[test]
fn readings_across_kinds() {
    let text = r#"
[[experiment]]
id = "one"
source = "toy"
species = "rat"
muscle = "soleus"
age_years = 0
[experiment.injury]
grade = "neurotmesis"
distance_mm = 10
[[experiment.treatment]]
kind = "repair"
method = "primary"
day = 0
[[experiment.treatment]]
kind = "rehabilitation"
programme = "range_of_motion"
start_day = 0
end_day = 20
[[experiment.expect]]
quantity = "fraction_mrc_ge_3"
day = 90
value = 1
min = 1
[[experiment.expect]]
quantity = "fibre_csa_fraction"
day = 0
value = 1
min = 0

[[experiment]]
id = "many"
source = "toy"
species = "rat"
muscle = "soleus"
age_years = { choices = [0, 30] }
[experiment.population]
size = 200
seed = 5
[experiment.injury]
grade = "neurotmesis"
distance_mm = 10
[[experiment.treatment]]
kind = "repair"
method = "primary"
day = 0
[[experiment.expect]]
quantity = "mrc_grade"
day = 90
value = 2
min = 1.8
max = 2.2
[[experiment.expect]]
quantity = "first_reinnervation_day"
value = 10
min = 10
max = 10
"#;
    let file = CalibrationFile::parse_strict(text).unwrap();
    assert!(file.warnings.is_empty(), "{:?}", file.warnings);
    let r = run(&file, &Toy, &Options::default(), &Silent);
    // Single run, MRC 3 on day 90 (age 0: a grade every 30 days): a population of one.
    assert_eq!(sim(&r, "one", 0).simulated, Some(1.0));
    // The toy model does not set fibre CSA: reported, not invented.
    assert!(
        sim(&r, "one", 1)
            .reason
            .as_ref()
            .unwrap()
            .contains("does not compute")
    );
    // Mean MRC on day 90: age 0 gives 3, age 30 gives 1; about half each (2 +/- 0.07).
    let mean = sim(&r, "many", 0).simulated.unwrap();
    assert!((1.8..=2.2).contains(&mean), "{mean}");
    assert!(sim(&r, "many", 0).pass);
    // Median event day over members.
    assert_eq!(sim(&r, "many", 1).simulated, Some(10.0));
    // population.seed fixes the draws whatever the run's seed.
    let other = Options {
        seed: 99,
        ..Options::default()
    };
    let r2 = run(&file, &Toy, &other, &Silent);
    assert_eq!(sim(&r, "many", 0).simulated, sim(&r2, "many", 0).simulated);
}

#[test]
fn compacting_a_trajectory_keeps_its_readings_and_events() {
    let file = CalibrationFile::parse_strict(FILE).unwrap();
    let spec = file.experiment("cohort").unwrap();
    let setup = spec.setup.as_ref().unwrap();
    let run = draw_member(spec, setup, 3, 1, 300).unwrap();
    let full = Toy.simulate(&run, Resolution::Pooled).unwrap();
    let mut small = full.clone();
    small.compact(&[5, 100, 250, 999].into_iter().collect());
    for day in [5, 100, 250] {
        for q in DailyQuantity::ALL {
            let (a, b) = (full.get(q, day), small.get(q, day));
            assert!(a == b || (a.unwrap().is_nan() && b.unwrap().is_nan()));
        }
    }
    assert_eq!(small.get(DailyQuantity::MrcGrade, 6), None);
    for g in 0..=5 {
        assert_eq!(full.mrc_day(g), small.mrc_day(g));
    }
    assert_eq!(small.horizon_days(), 300);
}

/// Issue 20: an event expected at day 1e9 must not size a trajectory of 1e9 days: the watched
/// horizon stops at `twin::limits::MAX_DAYS`.
#[test]
fn a_huge_event_figure_does_not_size_the_horizon() {
    use std::sync::atomic::{AtomicU32, Ordering};
    struct Longest(AtomicU32);
    impl Model for Longest {
        fn simulate(
            &self,
            run: &Run,
            _resolution: Resolution,
        ) -> Result<Trajectory, calibration::error::ModelError> {
            let horizon = run.scenario.horizon_days;
            self.0.fetch_max(horizon, Ordering::Relaxed);
            Ok(Trajectory::new(0))
        }
    }
    let text = r#"
[[experiment]]
id = "late"
source = "toy"
species = "rat"
muscle = "soleus"
[experiment.injury]
grade = "neurotmesis"
distance_mm = 40
regrowth = "prevented"
[[experiment.expect]]
quantity = "first_reinnervation_day"
value = 1e9
min = 1e9
"#;
    let file = CalibrationFile::parse(text).unwrap();
    assert!(file.errors().is_empty());
    let model = Longest(AtomicU32::new(0));
    let _ = run(&file, &model, &Options::default(), &Silent);
    let h = model.0.load(Ordering::Relaxed);
    assert!(h > 0 && h <= twin::limits::MAX_DAYS, "{h}");
}

#[test]
fn a_blocked_share_on_a_drawn_transection_fails_its_experiment_with_the_twins_rule() {
    // A mixed lesion in continuity (`blocked_share`) is read for Sunderland 2-4 only; a member
    // drawn as a neurotmesis with a blocked share fails with the twin's reason, field and value.
    let text = r#"
[[experiment]]
id = "mixed"
source = "test"
species = "rat"
muscle = "soleus"
[experiment.injury]
grade = "neurotmesis"
distance_mm = 10
blocked_share = 0.3
[[experiment.expect]]
quantity = "mrc_grade"
day = 20
value = 0
max = 1
"#;
    let file = CalibrationFile::parse_strict(text).unwrap();
    let r = run(&file, &Toy, &Options::default(), &Silent);
    let row = &r.results[0];
    assert!(!row.pass);
    let reason = row.reason.as_ref().unwrap();
    assert!(
        reason.contains("injury.blocked_share")
            && reason.contains("0.3")
            && reason.contains("Sunderland 2-4"),
        "{reason}"
    );
}
