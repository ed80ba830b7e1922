//! The stand-in model with known answers and the calibration file the runner tests and the
//! fuzz tests share (`mod toy;` in each).

#![allow(dead_code)]

use calibration::case::Run;
use calibration::experiment::Regrowth;
use calibration::quantity::DailyQuantity;
use calibration::runner::{Model, Resolution, Trajectory};
use twin::scenario::Treatment;

/// Mass falls by 1% a day after the injury, down to 0.2; MRC is 5 before the injury and
/// climbs from 0 by one grade every `30 + age` days after a repair (age: the case's, the
/// species' default adult when the experiment gives none). Fibrillations start
/// 10 days after the injury; first reinnervation on the repair day + distance/1 mm per day.
pub struct Toy;

impl Model for Toy {
    fn simulate(
        &self,
        run: &Run,
        _resolution: Resolution,
    ) -> Result<Trajectory, calibration::error::ModelError> {
        let case = &run.scenario;
        let horizon = case.horizon_days;
        if case.muscle != "soleus" {
            return Err(calibration::error::ModelError::Unsupported(format!(
                "unknown muscle '{}'",
                case.muscle
            )));
        }
        let mut t = Trajectory::new(horizon);
        let injury_day = case.injury.as_ref().map(|i| i.day.0 as u32);
        let repair = case.treatments.iter().find_map(|t| match t {
            Treatment::Repair {
                day, distance_mm, ..
            } => Some((day.0 as u32, distance_mm.map_or(0.0, |d| d.0))),
            _ => None,
        });
        let age = case.age_years;
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

/// A file of single, relative, unrepresentable, dangling and population experiments: what the
/// runner tests read on [`Toy`], and the seed the fuzz tests mutate.
pub const FILE: &str = r#"
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
