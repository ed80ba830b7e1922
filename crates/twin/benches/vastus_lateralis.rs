//! A whole human vastus lateralis (478,000 fibres, Lexell et al. 1983) over three
//! simulated years after an axonotmesis 300 mm from the muscle, at fibre and at
//! pooled resolution, each with the event-driven bookkeeping and with the reference day
//! stepper. Figures are recorded in `docs/performance.md`.

use criterion::{Criterion, criterion_group, criterion_main};
use twin::{Parameters, Resolution, Scenario, Simulation, Species, Stepper};

const CASE: &str = r#"
species = "human"
muscle = "vastus_lateralis"
age_years = 40
horizon_days = 1095
seed = 3
[injury]
grade = "axonotmesis"
distance_mm = 300
"#;

fn bench(c: &mut Criterion) {
    let scenario = Scenario::from_toml_str(CASE).expect("bench case parses");
    let params = Parameters::for_species(Species::Human).expect("human parameters");
    let mut g = c.benchmark_group("vastus_lateralis_3y");
    g.sample_size(10);
    // Each resolution with the event-driven bookkeeping (the default) and with the reference
    // day stepper, side by side.
    for (res, name) in [(Resolution::Pooled, "pooled"), (Resolution::Fibre, "fibre")] {
        for (stepper, tag) in [(Stepper::Event, ""), (Stepper::Day, "/day")] {
            g.bench_function(format!("{name}{tag}"), |b| {
                b.iter(|| {
                    let sim = Simulation::new(&scenario, &params, res)
                        .expect("sim")
                        .with_stepper(stepper);
                    sim.run(1095)
                })
            });
        }
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
