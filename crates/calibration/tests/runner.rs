//! The runner on a stand-in model with known answers: relative readings, events,
//! population summaries, unrepresentable experiments, and determinism of the draws.

use calibration::CalibrationFile;
use calibration::case::{Case, Treatment};
use calibration::experiment::Regrowth;
use calibration::quantity::DailyQuantity;
use calibration::runner::{Model, Options, Resolution, Silent, Trajectory, draw_member, run};

/// Mass falls by 1% a day after the injury, down to 0.2; MRC is 5 before the injury and
/// climbs from 0 by one grade every `30 + age` days after a repair. Fibrillations start
/// 10 days after the injury; first reinnervation on the repair day + distance/1 mm per day.
struct Toy;

impl Model for Toy {
    fn simulate(
        &self,
        case: &Case,
        horizon: u32,
        _seed: u64,
        _resolution: Resolution,
    ) -> Result<Trajectory, calibration::error::ModelError> {
        if case.muscle != "soleus" {
            return Err(calibration::error::ModelError::Unsupported(format!(
                "unknown muscle '{}'",
                case.muscle
            )));
        }
        let mut t = Trajectory::new(horizon);
        let injury_day = case.injury.as_ref().map(|i| i.day);
        let repair = case.treatments.iter().find_map(|t| match t {
            Treatment::Repair {
                day, distance_mm, ..
            } => Some((*day, *distance_mm)),
            _ => None,
        });
        let age = case.age_years.unwrap_or(0.0);
        for d in 0..=horizon {
            let since = injury_day.map_or(0, |i| d.saturating_sub(i));
            let injured = injury_day.is_some_and(|i| d >= i);
            let mass = if injured {
                (1.0 - 0.01 * since as f64).max(0.2)
            } else {
                1.0
            };
            t.set(d, DailyQuantity::MuscleMassFraction, mass);
            let mrc = match (injured, repair) {
                (false, _) => 5.0,
                (true, Some((r, _))) if d >= r => ((d - r) as f64 / (30.0 + age)).floor().min(5.0),
                _ => 0.0,
            };
            t.set(d, DailyQuantity::MrcGrade, mrc);
            t.set(
                d,
                DailyQuantity::MotorUnitCount,
                100.0 - f64::from(since.min(90)),
            );
        }
        let regrows = case
            .injury
            .as_ref()
            .is_some_and(|i| i.regrowth == Regrowth::Allowed);
        let first = repair
            .map(|(r, dist)| r + dist.round() as u32)
            .filter(|d| *d <= horizon && (regrows || repair.is_some()));
        t.set_events(first, injury_day.map(|i| i + 10).filter(|d| *d <= horizon));
        Ok(t)
    }
}

const FILE: &str = r#"
[[experiment]]
id = "base"
source = "toy"
species = "rat"
muscle = "soleus"
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
quantity = "muscle_mass_fraction"
day = 30
relative_to_day = 10
value = 0.777
min = 0.77
max = 0.78
[[experiment.expect]]
quantity = "first_reinnervation_day"
value = 60
min = 59
max = 61
[[experiment.expect]]
quantity = "first_fibrillation_day"
value = 10
max = 5

[[experiment]]
id = "later"
source = "toy"
species = "rat"
muscle = "soleus"
[experiment.injury]
grade = "neurotmesis"
distance_mm = 40
day = 10
[[experiment.expect]]
quantity = "motor_unit_count"
day = 60
relative_to = "base"
relative_to_at = 20
value = 0.625
min = 0.62
max = 0.63
[[experiment.expect]]
quantity = "motor_unit_count"
day = 500
relative_to = "base"
value = 1.0
min = 0.99
max = 1.01
[[experiment.expect]]
quantity = "mrc_3_day"
value = 100
min = 50

[[experiment]]
id = "elsewhere"
source = "toy"
species = "rat"
muscle = "deltoid"
[[experiment.expect]]
quantity = "muscle_mass_fraction"
day = 3
value = 1
min = 0.9

[[experiment]]
id = "dangling"
source = "toy"
species = "rat"
muscle = "soleus"
[[experiment.expect]]
quantity = "muscle_mass_fraction"
day = 3
relative_to = "nobody"
value = 1
min = 0.9

[[experiment]]
id = "cohort"
source = "toy"
species = "rat"
muscle = "soleus"
age_years = { choices = [0, 30], weights = [0.5, 0.5] }
[experiment.population]
size = 400
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
max = 0.6
[[experiment.expect]]
quantity = "median_mrc_5_day"
value = 200
min = 0
"#;

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
        .map(|m| draw_member(spec, setup, m, 7).unwrap())
        .collect();
    let backward: Vec<_> = (0..50)
        .rev()
        .map(|m| draw_member(spec, setup, m, 7).unwrap())
        .collect();
    for (m, f) in forward.iter().enumerate() {
        assert_eq!(f, &backward[49 - m]);
    }
    let other_seed: Vec<_> = (0..50)
        .map(|m| draw_member(spec, setup, m, 8).unwrap())
        .collect();
    assert_ne!(forward, other_seed);
    // Members differ from one another.
    assert!(forward.windows(2).any(|w| w[0].0 != w[1].0));
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
    let (case, seed) = draw_member(spec, setup, 3, 1).unwrap();
    let full = Toy.simulate(&case, 300, seed, Resolution::Pooled).unwrap();
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
            _case: &Case,
            horizon: u32,
            _seed: u64,
            _resolution: Resolution,
        ) -> Result<Trajectory, calibration::error::ModelError> {
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
