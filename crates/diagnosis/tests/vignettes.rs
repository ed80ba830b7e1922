//! Runs the shared development vignettes and guards the figures recorded in docs/diagnosis.md.
//! The floors below are the figures recorded in docs/diagnosis.md: a change that lowers them must
//! be explained there, not hidden by lowering the floor.

use diagnosis::{Evaluation, Reasoner, evaluate_cases};

/// Prints each case, the figures and the reliability table (`--nocapture`), so that the tables
/// of docs/diagnosis.md can be re-measured from the tests.
fn print_figures(set: &str, ev: &Evaluation) {
    for c in &ev.per_case {
        eprintln!(
            "{:40} answer {:30} top1 {:30} p={:.2} p_answer={:.3} brier={:.3} {}{}{}",
            c.id,
            c.answer,
            c.predicted,
            c.p,
            c.p_answer,
            c.brier,
            if c.top1 { "1" } else { "-" },
            if c.top3 { "3" } else { "-" },
            if c.category { "c" } else { "-" }
        );
    }
    for b in ev.reliability.iter().filter(|b| b.cases > 0) {
        eprintln!(
            "{set} bin {:.1}-{:.1}: {} cases, mean confidence {:.3}, right {:.3}",
            b.from,
            b.to,
            b.cases,
            b.mean_confidence.unwrap_or(f64::NAN),
            b.observed.unwrap_or(f64::NAN)
        );
    }
    eprintln!(
        "{set}: cases {} top1 {:.4} top3 {:.4} category {:.4} brier {:.5} brier_acceptable {:.5} ece {:.5}",
        ev.cases, ev.level_top1, ev.level_top3, ev.category, ev.brier, ev.brier_acceptable, ev.ece
    );
}

const CASES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/vignettes/cases.json"
);

#[test]
fn shared_vignettes_stay_at_recorded_figures() {
    let Ok(text) = std::fs::read_to_string(CASES) else {
        eprintln!("skipping: {CASES} not present (the project builds without /work/shared)");
        return;
    };
    let reasoner = Reasoner::new().expect("embedded knowledge base loads");
    let ev = evaluate_cases(&reasoner, &text).expect("every shared case runs");
    print_figures("development", &ev);
    assert_eq!(ev.cases, 40);
    // The per-case Brier scores are the parts of the mean.
    let summed: f64 = ev.per_case.iter().map(|c| c.brier).sum();
    assert!(
        (summed / 40.0 - ev.brier).abs() < 1e-12,
        "{summed} / 40 vs {}",
        ev.brier
    );
    assert!(ev.per_case.iter().all(|c| (0.0..=2.0).contains(&c.brier)));
    // Floors: the figures recorded in docs/diagnosis.md ("Evaluation on the development
    // vignettes"); the reasoner is deterministic, so they are checked as recorded.
    const EPS: f64 = 1e-9;
    assert!(
        ev.level_top1 >= 0.900 - EPS,
        "level top-1 fell to {}",
        ev.level_top1
    );
    assert!(
        ev.level_top3 >= 1.000 - EPS,
        "level top-3 fell to {}",
        ev.level_top3
    );
    assert!(
        ev.category >= 0.950 - EPS,
        "category accuracy fell to {}",
        ev.category
    );
    assert!(ev.brier <= 0.14659, "Brier score rose to {}", ev.brier);
    // The ECE record moved from 0.0831 to 0.0942 when HNPP became a disease of its own and
    // the CMT1 rows that had cited the development HNPP vignette were removed (a fit to a
    // test case, not allowed): the old figure was measured on that fit. A bootstrap over the
    // 40 cases puts the ECE between 0.064 and 0.163 (90%), docs/diagnosis.md. With periodic
    // paralysis a disease of its own (December 2026) the figures improved to category 95%,
    // Brier 0.1488 and ECE 0.0863, and the floors moved with them. With ocular myasthenia a
    // disease of its own and the length-dependent neuropathy's own distribution row (December
    // 2026, both from published figures and definitions) and LEMS's autonomic row from a
    // published series they improved to Brier 0.14666 and ECE 0.07912. With CMT2 a disease of
    // its own (December 2026, from published criteria) they are Brier 0.14659 and ECE 0.07898 (floor 0.07899, the figure rounded up).
    assert!(
        ev.ece <= 0.07899,
        "expected calibration error rose to {}",
        ev.ece
    );
}

#[test]
fn every_shared_case_gets_a_full_differential() {
    let Ok(text) = std::fs::read_to_string(CASES) else {
        return;
    };
    let reasoner = Reasoner::new().expect("embedded knowledge base loads");
    let cases: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    for case in cases.as_array().expect("a list") {
        let f = diagnosis::Findings::from_value(&case["findings"]).expect("findings parse");
        let d = reasoner.diagnose(&f).expect("diagnosis runs");
        assert_eq!(d.level.len(), 9);
        assert_eq!(d.category.len(), 4);
        assert!(!d.drivers.is_empty(), "{}: no drivers", case["id"]);
        assert!(d.disclaimer.contains("teaching"));
    }
}

/// The validation vignettes (`data/diagnosis/validation/cases.json`): whole published cases kept
/// aside from development. Their figures are recorded in docs/diagnosis.md but deliberately not
/// guarded here (no floor to tune towards); this checks that each case is whole, names its
/// source and a level the reasoner knows, and runs.
#[test]
fn validation_cases_are_sourced_and_run() {
    let text = include_str!("../../../data/diagnosis/validation/cases.json");
    let reasoner = Reasoner::new().expect("embedded knowledge base loads");
    let cases: serde_json::Value = serde_json::from_str(text).expect("valid JSON");
    let levels = &reasoner.engine().model.vars[diagnosis::network::LEVEL].states;
    let cases = cases.as_array().expect("a list");
    assert!(cases.len() >= 15, "{} validation cases", cases.len());
    for case in cases {
        let id = case["id"].as_str().expect("id");
        let source = case["source"].as_str().unwrap_or("");
        assert!(source.len() > 40, "{id}: no source");
        let level = case["answer"]["level"].as_str().expect("answer level");
        assert!(levels.iter().any(|l| l == level), "{id}: level {level}");
        diagnosis::Findings::from_value(&case["findings"]).expect("findings in the format");
    }
    let ev = evaluate_cases(&reasoner, text).expect("every validation case runs");
    print_figures("validation", &ev);
    assert_eq!(ev.cases, cases.len());
    assert!(ev.warnings.is_empty(), "{:?}", ev.warnings);
}

/// The project's development vignettes (`data/diagnosis/development/cases.json`, item 5 of issue
/// 14): published case reports and textbook cases, each reduced to the findings its source
/// states. Their figures are recorded in docs/diagnosis.md; like the validation cases they get no
/// floor here (a floor would invite tuning to them). This checks that every case is whole, names
/// its source and a level the reasoner knows, is read without skipped findings, and runs.
#[test]
fn development_cases_are_sourced_and_run() {
    let text = include_str!("../../../data/diagnosis/development/cases.json");
    let reasoner = Reasoner::new().expect("embedded knowledge base loads");
    let cases: serde_json::Value = serde_json::from_str(text).expect("valid JSON");
    let levels = &reasoner.engine().model.vars[diagnosis::network::LEVEL].states;
    let cases = cases.as_array().expect("a list");
    assert!(!cases.is_empty());
    let mut ids = std::collections::BTreeSet::new();
    for case in cases {
        let id = case["id"].as_str().expect("id");
        assert!(ids.insert(id), "{id} twice");
        let source = case["source"].as_str().unwrap_or("");
        assert!(source.len() > 40, "{id}: no source");
        let level = case["answer"]["level"].as_str().expect("answer level");
        assert!(levels.iter().any(|l| l == level), "{id}: level {level}");
        diagnosis::Findings::from_value(&case["findings"]).expect("findings in the format");
    }
    let ev = evaluate_cases(&reasoner, text).expect("every development case runs");
    print_figures("development (project)", &ev);
    assert_eq!(ev.cases, cases.len());
    assert!(ev.warnings.is_empty(), "{:?}", ev.warnings);
}
