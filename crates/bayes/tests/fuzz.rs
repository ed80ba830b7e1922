//! Structured fuzzing of evidence (issue 20): hard findings with any state index and soft
//! findings with any likelihood vector (NaN, infinities, negatives, zeros, wrong lengths) on
//! any variable id, through compile-once/query-many and through pruned queries. Every query
//! answers with finite posteriors that sum to one, or an error; never a panic. Small budget for
//! CI; `scripts/fuzz` mutates JSON evidence files through `reinnervate bn query`.

use bayes::{CompileOptions, Evidence, Finding, VarId, compile};
use proptest::prelude::*;

const ASIA: &str = "network asia { }
variable asia { type discrete [ 2 ] { yes, no }; }
variable tub { type discrete [ 2 ] { yes, no }; }
variable smoke { type discrete [ 2 ] { yes, no }; }
variable lung { type discrete [ 2 ] { yes, no }; }
variable either { type discrete [ 2 ] { yes, no }; }
variable xray { type discrete [ 2 ] { yes, no }; }
variable bronc { type discrete [ 2 ] { yes, no }; }
variable dysp { type discrete [ 2 ] { yes, no }; }
probability ( asia ) { table 0.01, 0.99; }
probability ( tub | asia ) { (yes) 0.05, 0.95; (no) 0.01, 0.99; }
probability ( smoke ) { table 0.5, 0.5; }
probability ( lung | smoke ) { (yes) 0.1, 0.9; (no) 0.01, 0.99; }
probability ( bronc | smoke ) { (yes) 0.6, 0.4; (no) 0.3, 0.7; }
probability ( either | lung, tub ) { (yes, yes) 1.0, 0.0; (no, yes) 1.0, 0.0; (yes, no) 1.0, 0.0; (no, no) 0.0, 1.0; }
probability ( xray | either ) { (yes) 0.98, 0.02; (no) 0.05, 0.95; }
probability ( dysp | bronc, either ) { (yes, yes) 0.9, 0.1; (no, yes) 0.7, 0.3; (yes, no) 0.8, 0.2; (no, no) 0.1, 0.9; }
";

fn number() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(-1.0),
        Just(0.0),
        Just(1e308),
        Just(1e-308),
        0.0f64..2.0,
    ]
}

fn finding() -> impl Strategy<Value = (usize, Finding)> {
    prop_oneof![
        (0usize..10, 0usize..4).prop_map(|(v, s)| (v, Finding::State(s))),
        (0usize..10, proptest::collection::vec(number(), 0..4))
            .prop_map(|(v, l)| (v, Finding::Likelihood(l))),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn any_evidence_answers_or_errs(findings in proptest::collection::vec(finding(), 0..5)) {
        let net = bayes::bif::parse_str(ASIA).unwrap();
        let jt = compile(&net, &CompileOptions::default()).unwrap();
        let mut ev = Evidence::new();
        for (v, f) in findings.clone() {
            ev.set(VarId(v), f);
        }
        if let Ok(post) = jt.query(&ev) {
            prop_assert!(post.log_evidence.is_finite() || post.log_evidence == f64::NEG_INFINITY);
            for m in &post.marginals {
                prop_assert!(m.iter().all(|p| p.is_finite() && *p >= 0.0));
                prop_assert!((m.iter().sum::<f64>() - 1.0).abs() < 1e-9);
            }
        }
        let targets = [VarId(0), VarId(findings.len() % 8)];
        let _ = bayes::prune::posteriors_of(&net, &ev, &targets, &CompileOptions::default());
    }
}
