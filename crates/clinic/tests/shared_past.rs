//! Plans share their past: `run_plans` simulates each muscle once under the first plan and
//! continues the other plans from copies of that run (or reuses an earlier plan's identical
//! run). Its outcomes must be exactly — bit for bit, the arithmetic is the same — those of
//! simulating every plan of every draw from day 0 with `simulate_muscle`, on the shipped
//! patient examples with all their standard plans (conditional strategies included).

use clinic::data::ClinicData;
use clinic::montecarlo::{
    Engine, PlannedTreatment, case_treatments, planned_days, run_plans, simulate_muscle, triggered,
};
use clinic::plans::standard_plans;
use clinic::{Atlas, Case};

/// Checks an example; returns how many (plan, muscle, draw) courses differ from the first plan's.
fn check(example: &str, draws: usize) -> usize {
    let path = format!("{}/../../examples/{example}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let atlas = Atlas::human().unwrap();
    let case = Case::from_toml(&text, &atlas).unwrap();
    let engine = Engine::human().unwrap();
    let data = ClinicData::embedded().unwrap();
    let base = case_treatments(&case, &atlas);
    let lists: Vec<Vec<PlannedTreatment>> =
        standard_plans(&data.plans, &data.strategies, &case, &atlas)
            .iter()
            .map(|d| base.iter().chain(&d.treatments).cloned().collect())
            .collect();
    assert!(lists.len() > 3, "{example}: {} plans", lists.len());
    let runs = run_plans(&engine, &case, &lists, draws, &vocabulary::Control::new()).unwrap();
    let nm = case.muscles().len();
    let mut branched = 0;
    // The work model of the cost estimate: the days `run_plans` steps lie between the days of
    // the plans as they turned out (each conditional treatment as its condition decided) and
    // of the plans with every conditional treatment done.
    let (mut least, mut most) = (0u64, 0u64);
    for (i, draw) in runs.draws.iter().enumerate() {
        let first: Vec<_> = (0..nm)
            .map(|k| simulate_muscle(&engine, &case, draw, k, &lists[0], 0).unwrap())
            .collect();
        let mut effective_lists = Vec::with_capacity(lists.len());
        for (p, list) in lists.iter().enumerate() {
            let effective: Vec<PlannedTreatment> = list
                .iter()
                .filter(|t| match &t.condition {
                    Some(c) if p > 0 => triggered(&case, c, t.treatment.injury(), &|k| &first[k]),
                    _ => true,
                })
                .cloned()
                .collect();
            for (k, trunk) in first.iter().enumerate() {
                let want = simulate_muscle(&engine, &case, draw, k, &effective, 0).unwrap();
                let got = &runs.outcomes[p][k][i];
                assert_eq!(got, &want, "{example}: plan {p}, muscle {k}, draw {i}");
                if &want != trunk {
                    branched += 1;
                }
            }
            effective_lists.push(effective);
        }
        least += planned_days(&engine, &case, &effective_lists, draw)
            .iter()
            .sum::<u64>();
        most += planned_days(&engine, &case, &lists, draw)
            .iter()
            .sum::<u64>();
    }
    assert!(
        least <= runs.simulated_days && runs.simulated_days <= most,
        "{example}: {} days stepped, expected {least}–{most}",
        runs.simulated_days
    );
    // Sharing pays: fewer days than every plan of every muscle from day 0.
    let horizon = u64::from(clinic::montecarlo::run_days(&case));
    let fresh = horizon * (lists.len() * nm * draws) as u64;
    assert!(
        most < fresh,
        "{example}: {most} days planned, {fresh} without sharing"
    );
    branched
}

#[test]
fn shared_runs_equal_fresh_runs_upper_trunk() {
    // Some plans change some muscle's course (so the comparison covers continued runs).
    assert!(check("case-upper-trunk-traction.toml", 3) > 0);
}

#[test]
fn shared_runs_equal_fresh_runs_with_follow_up_and_laceration() {
    assert!(check("case-radial-followup-month4.toml", 2) > 0);
    assert!(check("case-ulnar-elbow-laceration.toml", 2) > 0);
    // A compression: its decompression (a neurolysis) may change no course in two draws.
    check("case-fibular-neck-compression.toml", 2);
}

/// The prognosis and the plans from one set of runs equal the two computed apart (each
/// simulating the case as treated), with follow-up observations (where the prognosis's answer
/// comes from the plans) and without.
#[test]
fn prognosis_and_plans_from_one_run_equal_the_two_apart() {
    for (example, draws) in [
        ("case-radial-followup-month4.toml", 6),
        ("case-ulnar-elbow-laceration.toml", 4),
    ] {
        let path = format!("{}/../../examples/{example}", env!("CARGO_MANIFEST_DIR"));
        let atlas = Atlas::human().unwrap();
        let case = Case::from_toml(&std::fs::read_to_string(&path).unwrap(), &atlas).unwrap();
        let engine = Engine::human().unwrap();
        let control = vocabulary::Control::new();
        let (p, q) =
            clinic::plans::compare_with_prognosis(&engine, &atlas, &case, draws, &control).unwrap();
        let p_apart =
            clinic::prognosis::prognose(&engine, &atlas, &case, Some(draws), &control).unwrap();
        let q_apart = clinic::plans::compare(&engine, &atlas, &case, draws, &control).unwrap();
        let json = serde_json::to_string;
        assert_eq!(
            json(&p).unwrap(),
            json(&p_apart).unwrap(),
            "{example}: prognosis"
        );
        assert_eq!(
            serde_json::to_string(&q).unwrap(),
            serde_json::to_string(&q_apart).unwrap(),
            "{example}: plans"
        );
    }
}
