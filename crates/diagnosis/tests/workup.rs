//! The work-up simulation: the reasoner's order (expected information) needs no more tests than
//! the fixed clinical order (NCS, EMG, labs, imaging) on the textbook patterns and the per-nerve
//! criteria cases, and it is deterministic (the random orders come from a fixed seed).

use diagnosis::Reasoner;

fn figures(text: &str) -> diagnosis::Workup {
    Reasoner::new()
        .expect("knowledge base")
        .simulate_workup(text)
        .expect("simulation runs")
}

#[test]
fn the_reasoners_order_needs_no_more_tests_than_the_fixed_order() {
    for (name, text) in [
        ("patterns", include_str!("patterns.json")),
        ("nerve criteria", include_str!("nerve_criteria.json")),
    ] {
        let w = figures(text);
        let get = |o: &str| {
            w.orders
                .iter()
                .find(|x| x.order == o)
                .unwrap_or_else(|| panic!("order {o}"))
                .mean_tests_to_settle
        };
        eprintln!(
            "{name}: reasoner {:.2}, fixed {:.2}, random {:.2}",
            get("reasoner"),
            get("fixed"),
            get("random")
        );
        assert!(
            get("reasoner") <= get("fixed"),
            "{name}: reasoner {} > fixed {}",
            get("reasoner"),
            get("fixed")
        );
    }
}

#[test]
fn the_simulation_is_deterministic() {
    let text = include_str!("nerve_criteria.json");
    assert_eq!(figures(text), figures(text));
}
