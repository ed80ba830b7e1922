//! Dependence between findings: fibrillations, recruitment and MUPs are views of one motor-unit
//! process (the hidden `motor_unit_process`), so once two of them have established denervation the
//! third adds little — five views of one process are not five independent votes. With findings
//! independent given the disease (the knowledge base before the latent variable), the MUPs added
//! 2.7 and 3.4 natural-log units to the odds below after the other two; alone they add about 2.2
//! and 2.7.
//!
//! The same holds for the sensory family (the sensory examination and the SNAP, views of the
//! hidden sensory lesion site), for fasciculations on examination and on needle EMG (views of the
//! hidden `fasciculating_units`), and for the side of a single-nerve distribution (one nerve is in
//! one limb, whatever the disease).

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

/// Change in the log odds of `a` against `b` that `extra` adds to `given` (both JSON sections
/// merged at the top level).
fn added(r: &Reasoner, given: &str, with: &str, a: &str, b: &str) -> f64 {
    log_odds(r, with, a, b) - log_odds(r, given, a, b)
}

#[test]
fn normal_sensation_adds_little_once_a_normal_snap_has_shown_the_sensory_fibres_spared() {
    let r = Reasoner::new().expect("knowledge base");
    let base = r#"{"history": {"duration_days": 120}}"#;
    let sens = r#"{"history": {"duration_days": 120}, "exam": {"sensory": "none"}}"#;
    let snap = r#"{"history": {"duration_days": 120}, "ncs": {"snap": "normal"}}"#;
    let both = r#"{"history": {"duration_days": 120}, "exam": {"sensory": "none"},
                   "ncs": {"snap": "normal"}}"#;
    for (a, b) in [
        ("anterior_horn", "plexus"),
        ("anterior_horn", "polyneuropathy_axonal"),
    ] {
        let alone = added(&r, base, sens, a, b);
        let after = added(&r, snap, both, a, b);
        eprintln!("{a} vs {b}: normal sensation alone {alone:.2}, after a normal SNAP {after:.2}");
        assert!(
            alone > 1.0,
            "{a} vs {b}: normal sensation should favour {a}"
        );
        assert!(
            after < 0.5 * alone,
            "{a} vs {b}: normal sensation added {after:.2} after a normal SNAP, alone {alone:.2}"
        );
    }
}

#[test]
fn fasciculations_seen_add_little_after_fasciculation_potentials_on_emg() {
    let r = Reasoner::new().expect("knowledge base");
    let base = r#"{"history": {"duration_days": 120}}"#;
    let exam = r#"{"history": {"duration_days": 120}, "exam": {"fasciculations": true}}"#;
    let emg = r#"{"history": {"duration_days": 120}, "emg": {"fasciculation_potentials": true}}"#;
    let both = r#"{"history": {"duration_days": 120}, "exam": {"fasciculations": true},
                   "emg": {"fasciculation_potentials": true}}"#;
    for (a, b) in [("anterior_horn", "root"), ("anterior_horn", "muscle")] {
        let alone = added(&r, base, exam, a, b);
        let after = added(&r, emg, both, a, b);
        eprintln!("{a} vs {b}: fasciculations alone {alone:.2}, after EMG FPs {after:.2}");
        assert!(alone > 1.0, "{a} vs {b}: fasciculations should favour {a}");
        assert!(
            after < 0.5 * alone,
            "{a} vs {b}: fasciculations added {after:.2} after EMG FPs, alone {alone:.2}"
        );
    }
}

#[test]
fn the_side_of_a_single_nerve_distribution_is_not_a_second_vote() {
    let r = Reasoner::new().expect("knowledge base");
    let base = r#"{"history": {"duration_days": 120}}"#;
    let side = r#"{"history": {"duration_days": 120}, "exam": {"side": "unilateral"}}"#;
    let nerve = r#"{"history": {"duration_days": 120}, "exam": {"distribution": "single_nerve"}}"#;
    let both = r#"{"history": {"duration_days": 120},
                   "exam": {"distribution": "single_nerve", "side": "unilateral"}}"#;
    let (a, b) = ("peripheral_nerve", "polyneuropathy_demyelinating");
    let alone = added(&r, base, side, a, b);
    let after = added(&r, nerve, both, a, b);
    eprintln!(
        "{a} vs {b}: unilateral alone {alone:.2}, after a single-nerve distribution {after:.2}"
    );
    assert!(alone > 1.0, "a unilateral picture should favour {a}");
    assert!(
        after.abs() < 1e-9,
        "given a single-nerve distribution the side added {after}"
    );
}

#[test]
fn a_normal_cmap_adds_little_once_the_needle_has_shown_intact_motor_units() {
    // The CMAP is the summed response of the motor axons that still conduct: in a neurogenic
    // disease it is normal when no axon is lost [S56, S57]. A normal needle EMG (no fibrillations,
    // normal MUPs and recruitment) has already shown that, so a normal CMAP is then not a second
    // vote for a level that often spares the axons (root) against one that usually loses them.
    // With the CMAP a child of the disease alone (the former knowledge base), it added 1.10 to
    // root against plexus both alone and after the normal needle EMG.
    let r = Reasoner::new().expect("knowledge base");
    let base = r#"{"history": {"duration_days": 120}}"#;
    let cmap = r#"{"history": {"duration_days": 120}, "ncs": {"cmap": "normal"}}"#;
    let needle = r#"{"history": {"duration_days": 120},
                     "emg": {"fibrillations": "0", "mup": "normal", "recruitment": "normal"}}"#;
    let both = r#"{"history": {"duration_days": 120}, "ncs": {"cmap": "normal"},
                   "emg": {"fibrillations": "0", "mup": "normal", "recruitment": "normal"}}"#;
    for (a, b) in [("root", "plexus"), ("root", "anterior_horn")] {
        let alone = added(&r, base, cmap, a, b);
        let after = added(&r, needle, both, a, b);
        eprintln!("{a} vs {b}: normal CMAP alone {alone:.2}, after a normal needle EMG {after:.2}");
        assert!(alone > 0.7, "{a} vs {b}: a normal CMAP should favour {a}");
        assert!(
            after < 0.5 * alone,
            "{a} vs {b}: a normal CMAP added {after:.2} after a normal needle EMG, alone {alone:.2}"
        );
    }
}

#[test]
fn severe_weakness_adds_little_once_the_needle_has_found_no_voluntary_units() {
    // A muscle without voluntary motor units is paralysed [S57]: "no units" on the needle and
    // severe weakness on examination are one finding. With the former knowledge base, severe
    // weakness added 1.35 to peripheral nerve against root alone and 1.59 after "no units".
    let r = Reasoner::new().expect("knowledge base");
    let base = r#"{"history": {"duration_days": 30}}"#;
    let weak = r#"{"history": {"duration_days": 30}, "exam": {"weakness": "severe"}}"#;
    let none =
        r#"{"history": {"duration_days": 30}, "emg": {"recruitment": "none", "mup": "none"}}"#;
    let both = r#"{"history": {"duration_days": 30}, "exam": {"weakness": "severe"},
                   "emg": {"recruitment": "none", "mup": "none"}}"#;
    let (a, b) = ("peripheral_nerve", "root");
    let alone = added(&r, base, weak, a, b);
    let after = added(&r, none, both, a, b);
    eprintln!("{a} vs {b}: severe weakness alone {alone:.2}, after no voluntary units {after:.2}");
    assert!(alone > 0.7, "severe weakness should favour {a}");
    assert!(
        after < 0.5 * alone,
        "severe weakness added {after:.2} after no voluntary units, alone {alone:.2}"
    );
}

#[test]
fn the_cmap_wasting_and_weakness_keep_their_cited_marginals() {
    // Routing a finding through the motor-unit process must not change what the knowledge base
    // cites: for every disease P(finding | disease), summed over the process, is its row.
    let r = Reasoner::new().expect("knowledge base");
    let model = &r.engine().model;
    let kb = diagnosis::kb::KnowledgeBase::embedded().expect("kb");
    let process = kb
        .hidden
        .iter()
        .find(|h| h.key == "motor_unit_process")
        .expect("process");
    for key in ["ncs.cmap", "exam.wasting", "exam.weakness"] {
        let f = kb.findings.iter().find(|f| f.key == key).expect("finding");
        let v = &model.vars[model.single[key]];
        assert_eq!(v.parents[0], diagnosis::network::DISEASE, "{key}");
        let ns = model.vars[v.parents[1]].states.len();
        let nt = if v.parents.len() == 3 {
            model.vars[v.parents[2]].states.len()
        } else {
            1
        };
        let n = v.states.len();
        for (di, d) in kb.hypotheses.disease.iter().enumerate() {
            let prior = &kb.row_for(process, d).expect("row").p;
            let row = &kb.row_for(f, d).expect("row").p;
            // The last time bin: the gates are complete there.
            let t = nt - 1;
            for (x, want) in row.iter().enumerate() {
                let m: f64 = (0..ns)
                    .map(|s| prior[s] * v.cpt[((di * ns + s) * nt + t) * n + x])
                    .sum();
                assert!(
                    (m - want).abs() < 0.01,
                    "{key}, {}: marginal {m:.3} vs row {want:.3} (state {x})",
                    d.name
                );
            }
        }
    }
}
