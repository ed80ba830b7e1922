//! Measures the constants of the cost estimate (`engine::cost::CostModel`) on this machine, and
//! checks the estimate against timed runs of the facade.
//!
//! Run: `cargo run --release -p engine --example cost` (one thread; a few minutes). Prints the
//! per-day and per-row-day seconds of each resolution, fitted by least squares over the human
//! muscles (pooled) and the smaller human muscles (fibre) with the injury of
//! `examples/tibialis-anterior-axonotmesis.toml`, then the estimate against the measured time
//! of `prognosis`, `plans`, `simulate --resolution fibre` and `calibrate` on shipped files.
//! The figures go in `docs/performance.md`; the constants into `CostModel::MEASURED`. They are a
//! measurement of this program on this machine, not physiological numbers.

use std::time::Instant;

use engine::{Control, Engine, Resolution, Work, twin};

/// Least squares of `y = a + b x` with `a ≥ 0` (through the origin when the free fit's
/// intercept is negative: a negative cost per day has no meaning).
fn fit(points: &[(f64, f64)]) -> (f64, f64) {
    let (a, b) = free_fit(points);
    if a >= 0.0 {
        return (a, b);
    }
    let sxx: f64 = points.iter().map(|p| p.0 * p.0).sum();
    let sxy: f64 = points.iter().map(|p| p.0 * p.1).sum();
    (0.0, sxy / sxx)
}

fn free_fit(points: &[(f64, f64)]) -> (f64, f64) {
    let n = points.len() as f64;
    let sx: f64 = points.iter().map(|p| p.0).sum();
    let sy: f64 = points.iter().map(|p| p.1).sum();
    let sxx: f64 = points.iter().map(|p| p.0 * p.0).sum();
    let sxy: f64 = points.iter().map(|p| p.0 * p.1).sum();
    let b = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    let a = (sy - b * sx) / n;
    (a, b)
}

/// Seconds per simulated day of `scenario` on `muscle` at `resolution` over `days` days, and
/// the rows the day loop walks. The run is read weekly (`Simulation::step_to`), as the Monte
/// Carlo's recorder reads it.
fn per_day(
    base: &twin::Scenario,
    params: &twin::Parameters,
    spec: &twin::MuscleSpec,
    resolution: Resolution,
    days: u32,
) -> (f64, f64) {
    let mut s = base.clone();
    s.muscle = spec.name.clone();
    s.horizon_days = days;
    let t = Instant::now();
    let mut sim = twin::Simulation::new(&s, params, resolution).expect("a shipped muscle runs");
    for day in (7..days).step_by(7).chain([days]) {
        sim.step_to(day);
        std::hint::black_box(sim.quantities());
    }
    std::hint::black_box(sim.quantities());
    let rows = match resolution {
        Resolution::Pooled => spec.motor_units.max(1) as f64,
        Resolution::Fibre => spec.fibres as f64,
    };
    (rows, t.elapsed().as_secs_f64() / days as f64)
}

fn read(path: &str) -> String {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../");
    std::fs::read_to_string(format!("{root}{path}")).expect("a shipped file")
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build_global()?;
    let engine = Engine::load()?;
    let params = engine.parameters(engine::Species::Human)?;
    let base = twin::Scenario::from_toml_str(&read("examples/tibialis-anterior-axonotmesis.toml"))?;

    // `--check`: only the estimate against timed runs (after the constants are updated).
    let check_only = std::env::args().any(|a| a == "--check");
    let mut specs: Vec<&twin::MuscleSpec> = params.muscles().collect();
    specs.sort_by_key(|s| s.fibres);

    if !check_only {
        fit_constants(&base, params, &specs);
    }
    check(&engine)
}

/// Fits and prints the four constants.
fn fit_constants(base: &twin::Scenario, params: &twin::Parameters, specs: &[&twin::MuscleSpec]) {
    let pooled: Vec<(f64, f64)> = specs
        .iter()
        .map(|s| per_day(base, params, s, Resolution::Pooled, 730))
        .collect();
    let (pa, pb) = fit(&pooled);
    println!("pooled: {} muscles, 730 days each", pooled.len());
    for (spec, (rows, t)) in specs.iter().zip(&pooled) {
        println!(
            "  {:<28} {:>7.0} rows  {:>8.2} µs/day  (fit {:>8.2})",
            spec.name,
            rows,
            t * 1e6,
            (pa + pb * rows) * 1e6
        );
    }
    println!("  pooled_per_day = {pa:.3e} s, pooled_per_row_day = {pb:.3e} s");

    // Fibre resolution on the muscles up to 300,000 fibres (the larger ones take minutes).
    let fibre: Vec<(f64, f64)> = specs
        .iter()
        .filter(|s| s.fibres <= 300_000)
        .map(|s| per_day(base, params, s, Resolution::Fibre, 180))
        .collect();
    let (fa, fb) = fit(&fibre);
    println!("fibre: {} muscles, 180 days each", fibre.len());
    for (spec, (rows, t)) in specs.iter().zip(&fibre) {
        println!(
            "  {:<28} {:>7.0} fibres {:>8.1} µs/day  (fit {:>8.1})",
            spec.name,
            rows,
            t * 1e6,
            (fa + fb * rows) * 1e6
        );
    }
    println!("  fibre_per_day = {fa:.3e} s, fibre_per_row_day = {fb:.3e} s");
}

/// The estimate (with the constants compiled in) against timed runs of the facade.
fn check(engine: &Engine) -> Result<(), Box<dyn std::error::Error>> {
    println!("\nestimate (CostModel::MEASURED) against measured, one thread:");
    let control = Control::new();
    let radial = engine.parse_case(&read("examples/radial-mid-humerus.toml"))?;
    let trunk = engine.parse_case(&read("examples/case-upper-trunk-traction.toml"))?;
    let followup = engine.parse_case(&read("examples/case-radial-followup-month4.toml"))?;
    let ta = engine.parse_case(&read("examples/tibialis-anterior-axonotmesis.toml"))?;
    let calibration = read("data/calibration/human-series.toml");
    let pooled_options = engine::calibration::Options::with_resolution(Resolution::Pooled);
    let check = |name: &str, work: Work<'_>, run: &mut dyn FnMut()| {
        let est = engine.estimate(&work).expect("estimate");
        let t = Instant::now();
        run();
        let took = t.elapsed().as_secs_f64();
        println!(
            "  {name:<40} estimated {:>7.2} s  measured {:>7.2} s  ratio {:.2}",
            est.cpu_seconds,
            took,
            est.cpu_seconds / took
        );
    };
    check(
        "prognosis radial-mid-humerus, 100 draws",
        Work::Prognosis {
            case: &radial,
            draws: Some(100),
        },
        &mut || {
            engine
                .prognosis(&radial, Some(100), &control)
                .expect("runs");
        },
    );
    check(
        "plans radial-mid-humerus, 20 draws",
        Work::Plans {
            case: &radial,
            draws: Some(20),
        },
        &mut || {
            engine.plans(&radial, Some(20), &control).expect("runs");
        },
    );
    check(
        "plans case-upper-trunk-traction, 20 draws",
        Work::Plans {
            case: &trunk,
            draws: Some(20),
        },
        &mut || {
            engine.plans(&trunk, Some(20), &control).expect("runs");
        },
    );
    check(
        "prognosis case-radial-followup-month4, 20",
        Work::Prognosis {
            case: &followup,
            draws: Some(20),
        },
        &mut || {
            engine
                .prognosis(&followup, Some(20), &control)
                .expect("runs");
        },
    );
    check(
        "simulate tibialis-anterior, fibre",
        Work::Simulate {
            case: &ta,
            resolution: Resolution::Fibre,
            muscle: None,
            days: None,
        },
        &mut || {
            engine
                .simulate(&ta, Resolution::Fibre, None, &control)
                .expect("runs");
        },
    );
    check(
        "calibrate human-series, pooled",
        Work::Calibrate {
            text: &calibration,
            options: &pooled_options,
        },
        &mut || {
            engine
                .calibrate(&calibration, &pooled_options, &control)
                .expect("runs");
        },
    );
    Ok(())
}
