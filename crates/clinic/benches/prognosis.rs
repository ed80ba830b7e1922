//! 1,000 draws for all muscles of one nerve over two years (the radial nerve from the mid humerus:
//! 10 muscles), pooled resolution. Target ≤ 0.5 s on the 2-core CI machine; figure in
//! docs/prognosis.md.

use clinic::montecarlo::{Engine, case_treatments, run_plans};
use clinic::{Atlas, Case};
use criterion::{Criterion, criterion_group, criterion_main};

const CASE: &str = r#"
[patient]
age_years = 34
[[injury]]
nerve = "radial"
site = "mid_humerus"
grade = "unknown"
[settings]
horizon_days = 730
seed = 1
"#;

fn bench(c: &mut Criterion) {
    let atlas = Atlas::human().unwrap();
    let case = Case::from_toml(CASE, &atlas).unwrap();
    let engine = Engine::human().unwrap();
    let base = vec![case_treatments(&case, &atlas)];
    let mut g = c.benchmark_group("prognosis");
    g.sample_size(10);
    g.bench_function("radial_mid_humerus_1000_draws_730_days", |b| {
        b.iter(|| run_plans(&engine, &case, &base, 1000, &vocabulary::Control::new()).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
