//! Dependence between findings: fibrillations, recruitment and MUPs are views of one motor-unit
//! process (the hidden `motor_unit_process`), so once two of them have established denervation the
//! third adds little — five views of one process are not five independent votes. With findings
//! independent given the disease (the knowledge base before the latent variable), the MUPs added
//! 2.7 and 3.4 natural-log units to the odds below after the other two; alone they add about 2.2
//! and 2.7.

use diagnosis::{Findings, Reasoner};

fn log_odds(r: &Reasoner, json: &str, a: &str, b: &str) -> f64 {
    let f = Findings::from_json_str(json).expect("findings");
    let p = r.level_posterior(&f).expect("posterior");
    let states = &r.engine().model.vars[diagnosis::network::LEVEL].states;
    let i = |n: &str| states.iter().position(|s| s == n).expect("level");
    (p[i(a)] / p[i(b)]).ln()
}

#[test]
fn a_third_view_of_denervation_adds_much_less_than_it_does_alone() {
    let r = Reasoner::new().expect("knowledge base");
    let base = r#"{"history": {"duration_days": 120}}"#;
    let mup = r#"{"history": {"duration_days": 120}, "emg": {"mup": "neurogenic"}}"#;
    let two = r#"{"history": {"duration_days": 120},
                  "emg": {"fibrillations": "present", "recruitment": "reduced"}}"#;
    let three = r#"{"history": {"duration_days": 120},
                    "emg": {"fibrillations": "present", "recruitment": "reduced", "mup": "neurogenic"}}"#;
    for (a, b) in [
        ("anterior_horn", "muscle"),
        ("polyneuropathy_axonal", "nmj"),
    ] {
        let alone = log_odds(&r, mup, a, b) - log_odds(&r, base, a, b);
        let after = log_odds(&r, three, a, b) - log_odds(&r, two, a, b);
        eprintln!("{a} vs {b}: MUP alone {alone:.2}, after two views {after:.2}");
        assert!(
            alone > 1.0,
            "{a} vs {b}: neurogenic MUPs alone should favour {a}"
        );
        assert!(
            after < 0.5 * alone,
            "{a} vs {b}: the third view added {after:.2}, alone {alone:.2}"
        );
    }
}

#[test]
fn fibrillations_in_a_myopathy_need_no_wallerian_delay() {
    // The fibrillation time gate applies to the denervation states, not to an irritable
    // myopathy: on day 3 fibrillations still separate myositis from steroid myopathy.
    let r = Reasoner::new().expect("knowledge base");
    let model = &r.engine().model;
    let fib = model.single["emg.fibrillations"];
    let v = &model.vars[fib];
    assert_eq!(
        v.parents.len(),
        2,
        "fibrillations depend on the process and time"
    );
    let process = &model.vars[v.parents[0]].states;
    let nt = model.vars[v.parents[1]].states.len();
    let row = |state: &str, t: usize| {
        let s = process.iter().position(|x| x == state).expect("state");
        v.cpt[(s * nt + t) * 2 + 1]
    };
    assert!(row("myopathic_irritable", 0) > 0.8);
    assert!(row("denervation_active", 0) < 0.2);
    assert!(row("denervation_active", 3) > 0.8);
}
