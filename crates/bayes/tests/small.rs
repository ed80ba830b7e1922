//! Hand-checked answers on small networks, errors, pruning, value of information, and
//! property tests against brute-force enumeration on random networks.

// Variables index several parallel arrays (posteriors, enumeration results).
#![allow(clippy::needless_range_loop)]

use bayes::{BayesError, CompileOptions, Evidence, Network, VarId, compile, entropy_bits};
use proptest::prelude::*;

/// Rain → wet grass, sprinkler → wet grass (hand-computed below).
fn sprinkler() -> (Network, VarId, VarId, VarId) {
    let mut net = Network::new();
    let rain = net.add_variable("rain", &["yes", "no"]).unwrap();
    let spr = net.add_variable("sprinkler", &["on", "off"]).unwrap();
    let wet = net.add_variable("wet", &["yes", "no"]).unwrap();
    net.set_cpt(rain, &[], &[0.2, 0.8]).unwrap();
    net.set_cpt(spr, &[], &[0.1, 0.9]).unwrap();
    // P(wet | rain, sprinkler), rows (rain, sprinkler) = (y,on), (y,off), (n,on), (n,off)
    net.set_cpt(
        wet,
        &[rain, spr],
        &[0.99, 0.01, 0.8, 0.2, 0.9, 0.1, 0.0, 1.0],
    )
    .unwrap();
    (net, rain, spr, wet)
}

#[test]
fn sprinkler_by_hand() {
    let (net, rain, spr, wet) = sprinkler();
    let jt = compile(&net, &CompileOptions::default()).unwrap();
    let prior = jt.query(&Evidence::new()).unwrap();
    // P(wet) = .2*.1*.99 + .2*.9*.8 + .8*.1*.9 + 0 = .0198 + .144 + .072 = .2358
    assert!((prior.of(wet)[0] - 0.2358).abs() < 1e-12);
    assert!(prior.log_evidence.abs() < 1e-12);
    let mut ev = Evidence::new();
    ev.set_state(wet, 0);
    let p = jt.query(&ev).unwrap();
    assert!((p.of(rain)[0] - (0.0198 + 0.144) / 0.2358).abs() < 1e-12);
    assert!((p.of(spr)[0] - (0.0198 + 0.072) / 0.2358).abs() < 1e-12);
    assert!((p.log_evidence - 0.2358f64.ln()).abs() < 1e-12);
    assert_eq!(p.of(wet), &[1.0, 0.0]);
    // Explaining away: also the sprinkler was on.
    ev.set_state(spr, 0);
    let q = jt.query(&ev).unwrap();
    assert!((q.of(rain)[0] - 0.0198 / (0.0198 + 0.072)).abs() < 1e-12);
    // Soft evidence on wet: likelihood (0.8, 0.4) = a virtual child.
    let mut soft = Evidence::new();
    soft.set_likelihood(wet, vec![0.8, 0.4]);
    let s = jt.query(&soft).unwrap();
    let z = 0.8 * 0.2358 + 0.4 * (1.0 - 0.2358);
    assert!((s.of(wet)[0] - 0.8 * 0.2358 / z).abs() < 1e-12);
    assert!((s.log_evidence - z.ln()).abs() < 1e-12);
}

#[test]
fn errors_name_what_is_wrong() {
    let (mut net, rain, spr, wet) = sprinkler();
    let e = net.set_cpt(wet, &[rain], &[0.5, 0.5]).unwrap_err();
    assert!(
        e.to_string().contains("`wet`") && e.to_string().contains("expected 4"),
        "{e}"
    );
    let e = net.set_cpt(rain, &[], &[0.5, 0.6]).unwrap_err();
    assert!(
        e.to_string().contains("`rain`") && e.to_string().contains("sums to"),
        "{e}"
    );
    assert!(matches!(
        net.var("snow"),
        Err(BayesError::UnknownVariable { .. })
    ));
    assert!(matches!(
        net.state(rain, "maybe"),
        Err(BayesError::UnknownState { .. })
    ));
    let jt = compile(&net, &CompileOptions::default()).unwrap();
    // Impossible: wet = no with rain = yes is possible, but wet = yes given neither is not.
    let mut ev = Evidence::new();
    ev.set_state(rain, 1).set_state(spr, 1).set_state(wet, 0);
    assert!(matches!(
        jt.query(&ev),
        Err(BayesError::ImpossibleEvidence { .. })
    ));
    let mut bad = Evidence::new();
    bad.set_state(rain, 5);
    assert!(matches!(
        jt.query(&bad),
        Err(BayesError::BadEvidence { .. })
    ));
    bad = Evidence::new();
    bad.set_likelihood(rain, vec![0.0, 0.0]);
    assert!(matches!(
        jt.query(&bad),
        Err(BayesError::BadEvidence { .. })
    ));
    // A missing CPT and a cycle.
    let mut n2 = Network::new();
    let a = n2.add_variable("a", &["0", "1"]).unwrap();
    let b = n2.add_variable("b", &["0", "1"]).unwrap();
    assert!(matches!(
        compile(&n2, &CompileOptions::default()),
        Err(BayesError::MissingCpt { .. })
    ));
    n2.set_cpt(a, &[b], &[0.5, 0.5, 0.5, 0.5]).unwrap();
    n2.set_cpt(b, &[a], &[0.5, 0.5, 0.5, 0.5]).unwrap();
    assert!(matches!(
        compile(&n2, &CompileOptions::default()),
        Err(BayesError::Cycle { .. })
    ));
}

#[test]
fn memory_budget_names_the_clique() {
    let (net, ..) = sprinkler();
    // 100 bytes: room for the two 3 × 3-bit graphs of triangulation (48 bytes, checked first),
    // not for the query buffers.
    let opts = CompileOptions {
        memory_budget_bytes: 100,
        ..CompileOptions::default()
    };
    match compile(&net, &opts) {
        Err(BayesError::TooLarge {
            clique_states,
            clique_variables,
            ..
        }) => {
            assert_eq!((clique_states, clique_variables), (8, 3));
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
}

#[test]
fn value_of_information_is_mutual_information() {
    let (net, rain, spr, wet) = sprinkler();
    let jt = compile(&net, &CompileOptions::default()).unwrap();
    let voi = jt
        .value_of_information(&Evidence::new(), rain, &[wet, spr, rain])
        .unwrap();
    // I(rain; wet) by hand from the joint P(rain, wet).
    let pr = [0.2, 0.8];
    let pw_r = [[0.1 * 0.99 + 0.9 * 0.8, 0.0], [0.1 * 0.9, 0.0]];
    let pw = 0.2358;
    let mut expected = entropy_bits(&pr);
    for w in 0..2 {
        let joint: Vec<f64> = (0..2)
            .map(|r| pr[r] * if w == 0 { pw_r[r][0] } else { 1.0 - pw_r[r][0] })
            .collect();
        let pwv = if w == 0 { pw } else { 1.0 - pw };
        let cond: Vec<f64> = joint.iter().map(|x| x / pwv).collect();
        expected -= pwv * entropy_bits(&cond);
    }
    assert!(
        (voi[0].1 - expected).abs() < 1e-12,
        "{} vs {expected}",
        voi[0].1
    );
    assert!(
        voi[1].1.abs() < 1e-12,
        "rain and sprinkler are independent a priori"
    );
    assert_eq!(voi[2].1, 0.0);
    // Given wet grass, the sprinkler becomes informative (explaining away).
    let mut ev = Evidence::new();
    ev.set_state(wet, 0);
    let v2 = jt.value_of_information(&ev, rain, &[spr]).unwrap();
    assert!(v2[0].1 > 0.01);
}

/// A random network: `n` variables, each with up to 3 earlier parents, cards 2–3.
fn random_net(seed: &[u8], n: usize) -> Network {
    let mut it = seed.iter().cycle().copied();
    let mut next = move || it.next().unwrap_or(0) as usize;
    let mut net = Network::new();
    let mut cards = Vec::new();
    for v in 0..n {
        let k = 2 + next() % 2;
        let states: Vec<String> = (0..k).map(|s| format!("s{s}")).collect();
        net.add_variable(&format!("v{v}"), &states).unwrap();
        cards.push(k);
    }
    for v in 0..n {
        let mut parents: Vec<VarId> = Vec::new();
        for p in 0..v {
            if parents.len() < 3 && next() % 3 == 0 {
                parents.push(VarId(p));
            }
        }
        let rows: usize = parents.iter().map(|p| cards[p.0]).product();
        let mut values = Vec::new();
        for _ in 0..rows {
            let raw: Vec<f64> = (0..cards[v])
                .map(|_| (next() % 10) as f64 + if next() % 4 == 0 { 0.0 } else { 0.5 })
                .collect();
            let s: f64 = raw.iter().sum();
            if s == 0.0 {
                values.extend((0..cards[v]).map(|_| 1.0 / cards[v] as f64));
            } else {
                values.extend(raw.iter().map(|x| x / s));
            }
        }
        net.set_cpt(VarId(v), &parents, &values).unwrap();
    }
    net
}

/// Brute force: joint of every configuration consistent with `fixed`, marginals and P(e).
fn brute(net: &Network, fixed: &[(usize, usize)]) -> (Vec<Vec<f64>>, f64) {
    let n = net.len();
    let cards: Vec<usize> = (0..n).map(|v| net.cardinality(VarId(v))).collect();
    let mut marg: Vec<Vec<f64>> = cards.iter().map(|&k| vec![0.0; k]).collect();
    let mut total = 0.0;
    let mut x = vec![0usize; n];
    loop {
        if fixed.iter().all(|&(v, s)| x[v] == s) {
            let mut p = 1.0;
            for v in 0..n {
                let cpt = net.cpt(VarId(v)).unwrap();
                let mut row = 0;
                for q in &cpt.parents {
                    row = row * cards[q.0] + x[q.0];
                }
                p *= cpt.values[row * cards[v] + x[v]];
            }
            total += p;
            for v in 0..n {
                marg[v][x[v]] += p;
            }
        }
        let mut k = n;
        loop {
            if k == 0 {
                for m in &mut marg {
                    let s: f64 = m.iter().sum();
                    if s > 0.0 {
                        m.iter_mut().for_each(|y| *y /= s);
                    }
                }
                return (marg, total);
            }
            k -= 1;
            x[k] += 1;
            if x[k] < cards[k] {
                break;
            }
            x[k] = 0;
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn prior_marginals_equal_enumeration(seed in proptest::collection::vec(any::<u8>(), 1..64), n in 1usize..8) {
        let net = random_net(&seed, n);
        let jt = compile(&net, &CompileOptions::default()).unwrap();
        let post = jt.query(&Evidence::new()).unwrap();
        let (want, _) = brute(&net, &[]);
        for v in 0..n {
            let s: f64 = post.marginals[v].iter().sum();
            prop_assert!((s - 1.0).abs() < 1e-12);
            for (a, b) in post.marginals[v].iter().zip(&want[v]) {
                prop_assert!((a - b).abs() < 1e-12, "v{v}: {a} vs {b}");
            }
        }
        prop_assert!(jt.max_clique_disagreement(&Evidence::new()).unwrap() < 1e-12);
    }

    #[test]
    fn posteriors_with_evidence_equal_enumeration(
        seed in proptest::collection::vec(any::<u8>(), 1..64),
        n in 2usize..8,
        obs in proptest::collection::vec((0usize..8, 0usize..3), 1..4),
    ) {
        let net = random_net(&seed, n);
        let jt = compile(&net, &CompileOptions::default()).unwrap();
        let mut ev = Evidence::new();
        let mut fixed = Vec::new();
        for (v, s) in obs {
            let v = v % n;
            let s = s % net.cardinality(VarId(v));
            if fixed.iter().any(|&(u, _)| u == v) { continue; }
            ev.set_state(VarId(v), s);
            fixed.push((v, s));
        }
        let (want, pe) = brute(&net, &fixed);
        match jt.query(&ev) {
            Err(BayesError::ImpossibleEvidence { .. }) => prop_assert!(pe == 0.0),
            Err(e) => prop_assert!(false, "{e}"),
            Ok(post) => {
                prop_assert!(pe > 0.0);
                prop_assert!((post.log_evidence - pe.ln()).abs() < 1e-9);
                for v in 0..n {
                    let s: f64 = post.marginals[v].iter().sum();
                    prop_assert!((s - 1.0).abs() < 1e-12);
                    for (a, b) in post.marginals[v].iter().zip(&want[v]) {
                        prop_assert!((a - b).abs() < 1e-10, "v{v}: {a} vs {b}");
                    }
                }
                prop_assert!(jt.max_clique_disagreement(&ev).unwrap() < 1e-12);
                // Pruned queries agree on every target.
                let targets: Vec<VarId> = (0..n).filter(|v| !fixed.iter().any(|f| f.0 == *v)).map(VarId).take(2).collect();
                let pr = bayes::prune::posteriors_of(&net, &ev, &targets, &CompileOptions::default()).unwrap();
                for (t, p) in targets.iter().zip(&pr) {
                    for (a, b) in p.iter().zip(&want[t.0]) {
                        prop_assert!((a - b).abs() < 1e-10, "pruned v{}: {a} vs {b}", t.0);
                    }
                }
            }
        }
    }

    /// The BIF reader never panics, whatever the bytes.
    #[test]
    fn bif_reader_never_panics(text in "[a-z0-9 ,;|(){}\\[\\]\\.\\n/*\"-]{0,200}") {
        let _ = bayes::bif::parse_str(&text);
        let _ = bayes::bif::parse_gz(text.as_bytes());
    }

    /// Mutations of a valid file: errors or networks, never panics.
    #[test]
    fn bif_reader_survives_mutations(pos in 0usize..600, len in 0usize..20, junk in "[a-z0-9 ,;|(){}\\[\\]\\.]{0,10}") {
        let good = "network n { }\nvariable a { type discrete [ 2 ] { y, n }; }\n\
            variable b { type discrete [ 3 ] { p, q, r }; }\nprobability ( a ) { table 0.3, 0.7; }\n\
            probability ( b | a ) { (y) 0.2, 0.3, 0.5; (n) 0.1, 0.1, 0.8; }\n";
        let p = pos.min(good.len());
        let e = (p + len).min(good.len());
        let text = format!("{}{}{}", &good[..p], junk, &good[e..]);
        let _ = bayes::bif::parse_str(&text);
    }
}

/// A hub with five children, each with a child: the hub's clique has several small child
/// separators (grouped over their union inside the engine). Against enumeration.
#[test]
fn star_network_with_grouped_separators_matches_enumeration() {
    let mut net = Network::new();
    let hub = net.add_variable("hub", &["a", "b", "c"]).unwrap();
    net.set_cpt(hub, &[], &[0.2, 0.5, 0.3]).unwrap();
    let mut leaves = Vec::new();
    for i in 0..5 {
        let c = net.add_variable(&format!("c{i}"), &["x", "y"]).unwrap();
        let p = 0.1 + 0.15 * i as f64;
        net.set_cpt(c, &[hub], &[p, 1.0 - p, 0.5, 0.5, 1.0 - p, p])
            .unwrap();
        let d = net
            .add_variable(&format!("d{i}"), &["u", "v", "w"])
            .unwrap();
        net.set_cpt(d, &[c], &[0.6, 0.3, 0.1, 0.2, 0.3, 0.5])
            .unwrap();
        leaves.push(d);
    }
    let jt = compile(&net, &CompileOptions::default()).unwrap();
    let mut ev = Evidence::new();
    ev.set_state(leaves[0], 2).set_state(leaves[3], 0);
    ev.set_likelihood(leaves[1], vec![0.2, 1.0, 0.5]);
    let post = jt.query(&ev).unwrap();
    // Enumeration, each configuration weighted by the likelihood of d1.
    let (want, pe) = {
        let n = net.len();
        let cards: Vec<usize> = (0..n).map(|v| net.cardinality(VarId(v))).collect();
        let mut marg: Vec<Vec<f64>> = cards.iter().map(|&k| vec![0.0; k]).collect();
        let mut total = 0.0;
        let mut x = vec![0usize; n];
        'outer: loop {
            if x[leaves[0].0] == 2 && x[leaves[3].0] == 0 {
                let mut p = [0.2, 1.0, 0.5][x[leaves[1].0]];
                for v in 0..n {
                    let cpt = net.cpt(VarId(v)).unwrap();
                    let mut row = 0;
                    for q in &cpt.parents {
                        row = row * cards[q.0] + x[q.0];
                    }
                    p *= cpt.values[row * cards[v] + x[v]];
                }
                total += p;
                for v in 0..n {
                    marg[v][x[v]] += p;
                }
            }
            let mut k = n;
            loop {
                if k == 0 {
                    break 'outer;
                }
                k -= 1;
                x[k] += 1;
                if x[k] < cards[k] {
                    break;
                }
                x[k] = 0;
            }
        }
        for m in &mut marg {
            let s: f64 = m.iter().sum();
            m.iter_mut().for_each(|y| *y /= s);
        }
        (marg, total)
    };
    assert!((post.log_evidence - pe.ln()).abs() < 1e-12);
    for v in 0..net.len() {
        for (a, b) in post.marginals[v].iter().zip(&want[v]) {
            assert!(
                (a - b).abs() < 1e-12,
                "{}: {a} vs {b}",
                net.variable(VarId(v)).name
            );
        }
    }
    assert!(jt.max_clique_disagreement(&ev).unwrap() < 1e-12);
}
