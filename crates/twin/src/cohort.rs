//! Cohorts: many independent draws of a case, in parallel and deterministic.
//!
//! Draw `i` gets its own seed from the case seed and its index
//! ([`crate::rng::draw_seed`]) and its own ChaCha8 generator (stream = index), so
//! its result does not depend on the thread count or on the other draws. Results
//! come back in index order.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::params::Parameters;
use crate::scenario::Scenario;
use crate::sim::{Resolution, TimeCourse, TwinError};

/// Seed of draw `index` of a cohort with case seed `seed`.
pub fn draw_seed(seed: u64, index: usize) -> u64 {
    crate::rng::draw_seed(seed, index as u64)
}

/// The generator of draw `index`: ChaCha8 seeded from the case seed, stream = index.
pub fn draw_rng(seed: u64, index: usize) -> ChaCha8Rng {
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    r.set_stream(index as u64);
    r
}

/// Runs `n` draws of `f(index, rng)` in parallel; results in index order.
pub fn run<T, F>(n: usize, seed: u64, f: F) -> Vec<T>
where
    T: Send,
    F: Fn(usize, &mut ChaCha8Rng) -> T + Sync + Send,
{
    (0..n)
        .into_par_iter()
        .map(|i| {
            let mut rng = draw_rng(seed, i);
            f(i, &mut rng)
        })
        .collect()
}

/// Runs every scenario (each with its own seed) in parallel; results in order.
pub fn run_scenarios(
    scenarios: &[Scenario],
    params: &Parameters,
    resolution: Resolution,
) -> Vec<Result<TimeCourse, TwinError>> {
    scenarios
        .par_iter()
        .map(|s| crate::sim::run(s, params, resolution))
        .collect()
}

/// Runs `n` copies of a scenario, draw `i` with seed [`draw_seed`]`(scenario.seed, i)`.
pub fn replicate(
    scenario: &Scenario,
    params: &Parameters,
    resolution: Resolution,
    n: usize,
) -> Vec<Result<TimeCourse, TwinError>> {
    (0..n)
        .into_par_iter()
        .map(|i| {
            let mut s = scenario.clone();
            s.seed = draw_seed(scenario.seed, i);
            crate::sim::run(&s, params, resolution)
        })
        .collect()
}
