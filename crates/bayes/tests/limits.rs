//! Regression tests for the inputs of issue 20: every size read from a BIF file or built in
//! code is checked before it is allocated, and refused with an error naming the size, the
//! limit and how to raise it — never an abort on a failed allocation or an index overflow.

use bayes::bif::{BifOptions, parse_str, parse_str_with};
use bayes::{BayesError, CompileOptions, Network, compile};

/// A BIF text with a binary child of `k` binary parents whose table is one `default` row.
fn many_parents(k: usize, extra_row: bool) -> String {
    let mut s = String::from("network n { }\n");
    for i in 0..=k {
        s.push_str(&format!(
            "variable v{i} {{ type discrete [ 2 ] {{ a, b }}; }}\n"
        ));
    }
    for i in 1..=k {
        s.push_str(&format!("probability ( v{i} ) {{ table 0.5, 0.5; }}\n"));
    }
    let parents: Vec<String> = (1..=k).map(|i| format!("v{i}")).collect();
    s.push_str(&format!("probability ( v0 | {} ) {{\n", parents.join(", ")));
    if extra_row {
        let key: Vec<&str> = (1..=k).map(|_| "b").collect();
        s.push_str(&format!("  ({}) 0.5, 0.5;\n", key.join(", ")));
    }
    s.push_str("  default 0.5, 0.5;\n}\n");
    s
}

fn assert_limit(e: BayesError, what: &str) {
    match &e {
        BayesError::Limit {
            what: w,
            value,
            limit,
            raise,
        } => {
            assert!(w.contains(what), "{e}");
            assert!(value > limit, "{e}");
            assert!(raise.contains("raise `"), "{e}");
        }
        other => panic!("expected a Limit error about {what}, got {other:?}"),
    }
}

#[test]
fn a_table_of_28_binary_parents_is_refused_before_allocation() {
    // 2^29 entries (8 GiB counted) against a 1 GiB budget.
    let opts = BifOptions {
        memory_budget_bytes: 1 << 30,
        ..Default::default()
    };
    let e = parse_str_with(&many_parents(28, false), &opts).unwrap_err();
    assert_limit(e.clone(), "the table of `v0`");
    assert!(e.to_string().contains("536870912"), "{e}");
}

#[test]
fn a_table_of_40_binary_parents_is_refused_with_the_default_budget() {
    // 2^41 entries: 32 TiB, over any machine's default budget (at most 12 GiB).
    let e = parse_str(&many_parents(40, false)).unwrap_err();
    assert_limit(e, "the table of `v0`");
}

#[test]
fn sixty_four_parents_and_one_row_do_not_overflow_the_row_index() {
    // 2^64 configurations overflow usize: the size saturates and is refused.
    let e = parse_str(&many_parents(64, true)).unwrap_err();
    assert_limit(e.clone(), "64 parents");
    // 2^64 rows × 2 states, counted in u128.
    assert!(e.to_string().contains("36893488147419103232"), "{e}");
}

#[test]
fn set_cpt_with_overflowing_parent_configurations_is_an_error() {
    let mut net = Network::new();
    let ids: Vec<_> = (0..65)
        .map(|i| net.add_variable(&format!("v{i}"), &["a", "b"]).unwrap())
        .collect();
    let e = net.set_cpt(ids[0], &ids[1..], &[0.5, 0.5]).unwrap_err();
    assert!(
        matches!(&e, BayesError::BadCpt { reason, .. } if reason.contains("overflows")),
        "{e:?}"
    );
}

#[test]
fn text_over_the_budget_is_refused_before_tokenizing() {
    let opts = BifOptions {
        memory_budget_bytes: 48 * 100,
        ..Default::default()
    };
    let e = parse_str_with(&many_parents(3, false), &opts).unwrap_err();
    assert_limit(e, "the BIF text");
}

#[test]
fn a_gzip_bomb_stops_at_the_limit() {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    // 64 MiB of spaces compress to ~64 KiB.
    let chunk = vec![b' '; 1 << 20];
    for _ in 0..64 {
        gz.write_all(&chunk).unwrap();
    }
    let bytes = gz.finish().unwrap();
    let opts = BifOptions {
        memory_budget_bytes: 48 << 20,
        ..Default::default()
    };
    let e = bayes::bif::parse_gz_with(&bytes, &opts).unwrap_err();
    assert_limit(e, "the BIF text");
}

#[test]
fn a_clique_of_30_binary_variables_is_refused_as_too_much_work() {
    // Thirty roots and one child per pair: small tables (2 parents each), but the moral graph
    // is complete on the roots, so one clique holds 2^30 states and more cliques besides.
    let mut net = Network::new();
    let roots: Vec<_> = (0..30)
        .map(|i| net.add_variable(&format!("r{i}"), &["a", "b"]).unwrap())
        .collect();
    for &r in &roots {
        net.set_cpt(r, &[], &[0.5, 0.5]).unwrap();
    }
    for i in 0..30 {
        for j in i + 1..30 {
            let c = net.add_variable(&format!("c{i}_{j}"), &["a", "b"]).unwrap();
            net.set_cpt(c, &[roots[i], roots[j]], &[0.5; 8]).unwrap();
        }
    }
    let e = compile(&net, &CompileOptions::default()).unwrap_err();
    assert_limit(e, "clique states in all");
}

#[test]
fn too_many_variables_are_refused_before_triangulation() {
    let mut net = Network::new();
    let opts = CompileOptions {
        max_variables: 100,
        ..Default::default()
    };
    for i in 0..101 {
        let v = net.add_variable(&format!("v{i}"), &["a"]).unwrap();
        net.set_cpt(v, &[], &[1.0]).unwrap();
    }
    assert_limit(compile(&net, &opts).unwrap_err(), "number of variables");
}

#[test]
fn columns_on_one_long_line_are_exact() {
    // The column count resumes from the previous token; check it against a fresh count far
    // along one long line.
    let mut s = String::new();
    for i in 0..2000 {
        s.push_str(&format!(
            "variable v{i} {{ type discrete [ 1 ] {{ a }}; }} "
        ));
    }
    let bad_at = s.chars().count() + 1;
    s.push_str("oops");
    match parse_str(&s).unwrap_err() {
        BayesError::Parse { line, column, .. } => assert_eq!((line, column), (1, bad_at)),
        other => panic!("{other:?}"),
    }
}
