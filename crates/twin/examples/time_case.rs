//! Development helper: runs a case file at both resolutions and prints wall time
//! and a few quantities. `cargo run --release -p twin --example time_case -- CASE.toml`
use std::time::Instant;

use twin::{Parameters, Resolution, Scenario, Simulation};

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "examples/tibialis-anterior-axonotmesis.toml".into());
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let scenario = match Scenario::from_toml_str(&text) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let params = match Parameters::for_species(scenario.species) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    for res in [Resolution::Pooled, Resolution::Fibre] {
        let t0 = Instant::now();
        let sim = match Simulation::new(&scenario, &params, res) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(2);
            }
        };
        let t1 = Instant::now();
        let course = sim.run(scenario.horizon_days);
        let t2 = Instant::now();
        let q = course.at(scenario.horizon_days);
        println!(
            "{res:?}: setup {:.3} s, run {:.3} s; day {}: mass {:.3} vol {:.3} innerv {:.3} MUs {:.0} MRC {} events {:?}",
            (t1 - t0).as_secs_f64(),
            (t2 - t1).as_secs_f64(),
            q.day,
            q.muscle_mass_fraction,
            q.voluntary_force_fraction,
            q.innervated_fiber_fraction,
            q.motor_unit_count,
            q.mrc_grade,
            course.events
        );
    }
}
