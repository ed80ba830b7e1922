//! Speed of the reasoner: loading and compiling the knowledge base, one posterior query, and a
//! full differential (posteriors, leave-one-out drivers, value of information of every test).

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use diagnosis::{Findings, Reasoner};

const FINDINGS: &str = r#"
[patient]
age_years = 48
[history]
onset = "acute"
duration_days = 24
[exam]
distribution = "myotomal"
side = "unilateral"
weakness = "mild"
reflexes = "reduced"
sensory = "dermatomal"
pain = "radicular"
[ncs]
snap = "normal"
"#;

fn bench(c: &mut Criterion) {
    c.bench_function("load and compile the knowledge base", |b| {
        b.iter(|| black_box(Reasoner::new().expect("valid")))
    });
    let r = Reasoner::new().expect("valid");
    let f = Findings::from_toml_str(FINDINGS).expect("valid");
    c.bench_function("level posterior (one junction-tree query)", |b| {
        b.iter(|| black_box(r.level_posterior(black_box(&f)).expect("runs")))
    });
    c.bench_function("full differential (drivers and next tests)", |b| {
        b.iter(|| black_box(r.diagnose(black_box(&f)).expect("runs")))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
