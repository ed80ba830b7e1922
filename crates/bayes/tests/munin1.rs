//! MUNIN1 (186 variables; its junction tree holds about 2e8 states): after propagation every
//! variable's marginal agrees across all cliques that contain it. Needs ~2 GB and a few
//! seconds, so it is ignored by default: `cargo test -p bayes --release -- --ignored`.

use bayes::{CompileOptions, Evidence, compile};

#[test]
#[ignore = "needs about 2 GB of memory and several seconds"]
fn munin1_cliques_agree_after_propagation() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/bn/networks/munin1.bif.gz"
    );
    let Ok(bytes) = std::fs::read(path) else {
        eprintln!("skipping: shared/bn not present");
        return;
    };
    let net = bayes::bif::parse_gz(&bytes).unwrap();
    let jt = compile(&net, &CompileOptions::default()).unwrap();
    // Findings: first state of a few variables that have positive prior probability.
    let prior = jt.query(&Evidence::new()).unwrap();
    let mut ev = Evidence::new();
    for v in (0..net.len()).step_by(37) {
        let id = bayes::VarId(v);
        if let Some(s) = prior.of(id).iter().position(|&p| p > 0.05) {
            ev.set_state(id, s);
            if jt.query(&ev).is_err() {
                ev.remove(id);
            }
        }
    }
    assert!(!ev.findings().is_empty());
    let worst = jt.max_clique_disagreement(&ev).unwrap();
    eprintln!(
        "munin1: {} findings, largest disagreement {worst:.2e}",
        ev.findings().len()
    );
    assert!(worst < 1e-9, "{worst}");
}
