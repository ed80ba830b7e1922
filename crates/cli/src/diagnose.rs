//! The `diagnose` verb: from a findings file to a ranked differential, the findings that drove
//! it and the next best tests; or, with `--evaluate`, the figures on a file of vignettes.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use engine::diagnosis::{Differential, Evaluation};

/// Arguments of `reinnervate diagnose`.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  reinnervate diagnose examples/findings-radiculopathy.toml\n  \
    reinnervate diagnose examples/findings-myasthenia.json --json\n  \
    reinnervate diagnose --evaluate ../shared/vignettes/cases.json --report out/diagnosis\n\n\
    Research and teaching software, not a medical device."
)]
pub struct Args {
    /// Findings file (TOML or JSON, the format of shared/vignettes/README.md).
    #[arg(required_unless_present = "evaluate", conflicts_with = "evaluate")]
    pub findings: Option<PathBuf>,
    /// Evaluate on a file of cases (the format of shared/vignettes/cases.json).
    #[arg(long, value_name = "CASES.json")]
    pub evaluate: Option<PathBuf>,
    /// With --evaluate: write the reliability diagram (reliability.svg) and the figures
    /// (evaluation.json) into this directory.
    #[arg(long, value_name = "DIR", requires = "evaluate")]
    pub report: Option<PathBuf>,
    /// With --evaluate: also simulate the sequential work-up (tests revealed in the reasoner's
    /// order, a fixed clinical order and at random).
    #[arg(long, requires = "evaluate")]
    pub workup: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Runs the verb.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let engine = crate::input::engine()?;
    if let Some(path) = &args.evaluate {
        let text = crate::input::read(path)?;
        let ev = engine
            .evaluate_vignettes(&text)
            .with_context(|| format!("in {}", path.display()))?;
        if let Some(dir) = &args.report {
            write_report(dir, &ev)?;
        }
        if args.workup {
            let w = engine
                .reasoner()?
                .simulate_workup(&text)
                .with_context(|| format!("in {}", path.display()))?;
            if args.json {
                let both = serde_json::json!({"evaluation": ev, "workup": w});
                println!("{}", serde_json::to_string_pretty(&both)?);
            } else {
                print_evaluation(&ev);
                print_workup(&w);
            }
            return Ok(ExitCode::SUCCESS);
        }
        if args.json {
            println!("{}", serde_json::to_string_pretty(&ev)?);
        } else {
            print_evaluation(&ev);
            if let Some(dir) = &args.report {
                println!(
                    "\nReliability diagram written to {}",
                    dir.join("reliability.svg").display()
                );
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let Some(path) = &args.findings else {
        anyhow::bail!("give a findings file, or --evaluate CASES.json");
    };
    let text = crate::input::read(path)?;
    let json = match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "json" => Some(true),
        "toml" => Some(false),
        _ => None,
    };
    let findings = engine
        .parse_findings(&text, json)
        .with_context(|| format!("in {}", path.display()))?;
    let d = engine.diagnose(&findings)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&d)?);
    } else {
        print_differential(&d.differential, d.no_findings);
    }
    Ok(ExitCode::SUCCESS)
}

fn bar(p: f64) -> String {
    let n = (p * 30.0).round().clamp(0.0, 30.0) as usize;
    "█".repeat(n)
}

fn print_differential(d: &Differential, empty: bool) {
    println!("{}", d.disclaimer);
    if empty {
        println!("(no findings given: these are the prior probabilities)");
    }
    println!("\nCategory");
    for c in &d.category {
        println!("  {:<12} {:>6.1}%  {}", c.name, 100.0 * c.p, bar(c.p));
    }
    println!("\nLesion level");
    for (i, l) in d.level.iter().enumerate() {
        println!(
            "  {}. {:<30} {:>6.1}%  {}",
            i + 1,
            l.name,
            100.0 * l.p,
            bar(l.p)
        );
    }
    println!("\nLeading diseases inside the levels");
    for x in d.disease.iter().take(3) {
        println!("  {:>6.1}%  {}", 100.0 * x.p, x.name);
    }
    if !d.drivers.is_empty() {
        println!(
            "\nWhat drove the leading levels (log likelihood ratio given the other findings, natural log)"
        );
        let mut current = "";
        for x in &d.drivers {
            if x.level != current {
                println!("  {}:", x.level);
                current = &x.level;
            }
            println!(
                "    {:+6.2} {:<8} {} = {}",
                x.log_lr, x.direction, x.finding, x.value
            );
        }
    }
    let settled = d
        .next_tests
        .first()
        .is_none_or(|t| t.expected_information_bits < 0.01);
    if settled {
        println!(
            "\nNext tests: no single test is expected to change the lesion level much (< 0.01 bits)."
        );
    } else {
        println!("\nNext tests (expected information about the lesion level)");
        for (i, t) in d.next_tests.iter().enumerate() {
            println!(
                "  {}. {} — {:.2} bits ({})",
                i + 1,
                t.test,
                t.expected_information_bits,
                t.finding
            );
        }
    }
    if !d.unused_findings.is_empty() {
        println!(
            "\nNot used by the knowledge base: {}",
            d.unused_findings.join(", ")
        );
    }
}

fn print_evaluation(ev: &Evaluation) {
    println!("{}", engine::diagnosis::DISCLAIMER);
    println!("\ncases            {}", ev.cases);
    println!("level top-1      {:.1}%", 100.0 * ev.level_top1);
    println!("level top-3      {:.1}%", 100.0 * ev.level_top3);
    println!("category         {:.1}%", 100.0 * ev.category);
    println!("Brier (levels)   {:.3}", ev.brier);
    println!(
        "Brier, acceptable levels merged with the answer   {:.3}",
        ev.brier_acceptable
    );
    println!("ECE (top-1)      {:.3}", ev.ece);
    println!("\nReliability (top-1 confidence against the fraction right)");
    println!(
        "  {:<12} {:>6} {:>12} {:>10}",
        "confidence", "cases", "mean conf.", "observed"
    );
    for b in &ev.reliability {
        let pct = |x: Option<f64>| x.map_or("—".to_string(), |v| format!("{:.1}%", 100.0 * v));
        println!(
            "  {:<12} {:>6} {:>12} {:>10}",
            format!("{:.0}–{:.0}%", 100.0 * b.from, 100.0 * b.to),
            b.cases,
            pct(b.mean_confidence),
            pct(b.observed)
        );
    }
    println!("\nConfusion (rows: answer level; columns: top-1 level)");
    let short: Vec<String> = ev
        .confusion
        .levels
        .iter()
        .map(|l| l.chars().take(6).collect())
        .collect();
    print!("  {:<30}", "");
    for s in &short {
        print!("{s:>7}");
    }
    println!();
    for (l, row) in ev.confusion.levels.iter().zip(&ev.confusion.counts) {
        print!("  {l:<30}");
        for c in row {
            print!("{c:>7}");
        }
        println!();
    }
    if !ev.warnings.is_empty() {
        println!("\nSkipped findings (not in the format; the rest of each case was used)");
        for w in &ev.warnings {
            println!("  {w}");
        }
    }
    let wrong: Vec<_> = ev.per_case.iter().filter(|c| !c.top1).collect();
    if !wrong.is_empty() {
        println!("\nMissed at top-1");
        for c in wrong {
            println!(
                "  {:<40} answer {:<28} got {} ({:.0}%)",
                c.id,
                c.answer,
                c.predicted,
                100.0 * c.p
            );
        }
    }
    // Where the Brier score comes from: the cases that cost it most (answer level).
    let mut costly: Vec<_> = ev.per_case.iter().filter(|c| c.brier >= 0.1).collect();
    costly.sort_by(|a, b| b.brier.total_cmp(&a.brier).then(a.id.cmp(&b.id)));
    if !costly.is_empty() {
        let total: f64 = ev.per_case.iter().map(|c| c.brier).sum();
        println!(
            "
Cases costing the Brier score most (each case's score; all {} sum to {total:.2})",
            ev.cases
        );
        for c in costly.iter().take(8) {
            println!(
                "  {:<40} {:.2}   answer level {:.0}%, top-1 {} ({:.0}%)",
                c.id,
                c.brier,
                100.0 * c.p_answer,
                c.predicted,
                100.0 * c.p
            );
        }
    }
}

fn print_workup(w: &engine::diagnosis::Workup) {
    println!(
        "\nWork-up simulation ({} cases; start from history and examination, {:.1} tests per case on average)",
        w.cases, w.mean_tests_available
    );
    println!(
        "  settled (true level first with p >= {}) before any test: {:.0}%",
        engine::diagnosis::workup::SETTLED_P,
        100.0 * w.settled_before_tests
    );
    println!(
        "  {:<10} {:>16} {:>9}   top-1 after 0, 1, 2, … tests",
        "order", "tests to settle", "settled"
    );
    for o in &w.orders {
        let steps: Vec<String> = o
            .top1_by_step
            .iter()
            .map(|x| format!("{:.0}", 100.0 * x))
            .collect();
        println!(
            "  {:<10} {:>16.2} {:>8.0}%   {}",
            o.order,
            o.mean_tests_to_settle,
            100.0 * o.settled,
            steps.join(" ")
        );
    }
}

/// Writes `reliability.svg` and `evaluation.json` into `dir`.
fn write_report(dir: &std::path::Path, ev: &Evaluation) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let svg = dir.join("reliability.svg");
    std::fs::write(&svg, reliability_svg(ev))
        .with_context(|| format!("writing {}", svg.display()))?;
    let json = dir.join("evaluation.json");
    std::fs::write(&json, serde_json::to_string_pretty(ev)?)
        .with_context(|| format!("writing {}", json.display()))?;
    Ok(())
}

/// The reliability diagram of an evaluation (drawn by `render`).
fn reliability_svg(ev: &Evaluation) -> String {
    let points: Vec<engine::pictures::reliability::Point> = ev
        .reliability
        .iter()
        .filter_map(|b| {
            Some(engine::pictures::reliability::Point {
                confidence: b.mean_confidence?,
                observed: b.observed?,
                cases: b.cases,
                label: format!(
                    "{:.0}–{:.0}%: {} cases, mean confidence {:.2}, right {:.2}",
                    100.0 * b.from,
                    100.0 * b.to,
                    b.cases,
                    b.mean_confidence?,
                    b.observed?
                ),
            })
        })
        .collect();
    let title = format!(
        "Reliability of the top-1 level ({} cases): ECE {:.3}, Brier {:.3}",
        ev.cases, ev.ece, ev.brier
    );
    engine::pictures::reliability::reliability_svg(&title, engine::DISCLAIMER, &points)
}

#[cfg(test)]
mod report_tests {
    #[test]
    fn the_reliability_diagram_has_one_point_per_nonempty_bin() {
        let reasoner = engine::diagnosis::Reasoner::new().expect("knowledge base");
        let cases = r#"[
          {"id": "a", "findings": {"labs": {"achr_antibodies": "positive"}, "exam": {"fatigable": true}},
           "answer": {"category": "nmj", "level": "nmj"}},
          {"id": "b", "findings": {"exam": {"distribution": "single_nerve"}},
           "answer": {"category": "neurogenic", "level": "peripheral_nerve"}}
        ]"#;
        let ev = engine::diagnosis::evaluate_cases(&reasoner, cases).expect("evaluation");
        let svg = super::reliability_svg(&ev);
        let points = ev.reliability.iter().filter(|b| b.cases > 0).count();
        assert_eq!(svg.matches("<circle").count(), points);
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains("not a medical device"));
    }
}

/// Round trip with the twin: simulate a lesion the twin can represent, turn what a clinician would
/// record (the clinical readout of the day, crate `readout` — the same readings `simulate`,
/// `snapshot` and the report print) into findings, and check that the reasoner puts the true level
/// first. The clinical framing a clinician would have from the history (acute onset, one limb, the
/// nerve's territory or the immobilization) is given; the electrodiagnostic findings come from the
/// simulation.
///
/// Mapping (named assumption A-rt unless cited): the CMAP, fibrillation grade, MUP type and
/// recruitment words are the readout's (`data/readout/readout.toml`); recruitment `full` is normal,
/// none is none, anything less is reduced; MRC 5 = no weakness, 4 = mild, 3 = moderate,
/// 0–2 = severe; wasting when the muscle cross-section is below 80% of healthy.
#[cfg(test)]
mod round_trip {
    use engine::diagnosis::{Findings, Reasoner};
    use serde_json::json;

    fn simulate_findings(scenario: &str, day: u32, clinical: serde_json::Value) -> Findings {
        let scenario = engine::twin::Scenario::from_toml_str(scenario).expect("scenario parses");
        let params = engine::twin::Parameters::for_species(scenario.species).expect("parameters");
        let mut sim =
            engine::twin::Simulation::new(&scenario, &params, engine::twin::Resolution::Fibre)
                .expect("simulation");
        sim.step_to(day);
        let constants = engine::readout::Constants::embedded().expect("readout constants");
        let r = engine::readout::read(constants, &scenario.muscle, &sim.quantities());
        let cmap = match r.cmap.level {
            engine::readout::Level::Absent => "absent",
            engine::readout::Level::Reduced => "reduced",
            engine::readout::Level::Normal => "normal",
        };
        let fibs = match r.needle.fibrillation_grade {
            0 => "0",
            1 => "1+",
            2 => "2+",
            3 => "3+",
            _ => "4+",
        };
        let mup = r.needle.mup.as_str();
        let recruitment = match r.needle.recruitment.level {
            engine::readout::Level::Normal => "normal",
            engine::readout::Level::Absent => "none",
            engine::readout::Level::Reduced => "reduced",
        };
        let weakness = match r.strength.mrc {
            5 => "none",
            4 => "mild",
            3 => "moderate",
            _ => "severe",
        };
        let mut f = clinical;
        f["history"]["duration_days"] = json!(day);
        f["exam"]["weakness"] = json!(weakness);
        f["exam"]["wasting"] = json!(r.size.muscle_csa_fraction < 0.8);
        f["ncs"]["cmap"] = json!(cmap);
        f["ncs"]["conduction_block"] = json!(r.cmap.block);
        f["emg"]["fibrillations"] = json!(fibs);
        f["emg"]["mup"] = json!(mup);
        f["emg"]["recruitment"] = json!(recruitment);
        eprintln!("day {day}: {f}");
        Findings::from_value(&f).expect("findings from the twin are valid")
    }

    fn top_level(f: &Findings) -> String {
        let d = Reasoner::new()
            .expect("knowledge base")
            .diagnose(f)
            .expect("diagnosis");
        eprintln!("  -> {} {:.2}", d.level[0].name, d.level[0].p);
        d.level[0].name.clone()
    }

    const NERVE: &str = "species = \"human\"\nmuscle = \"tibialis_anterior\"\nage_years = 35\nhorizon_days = 120\nseed = 1\n[injury]\ngrade = \"GRADE\"\nday = 0\ndistance_mm = 60\nfraction_of_axons = 1.0\nregrowth = \"allowed\"\n";

    fn nerve_framing() -> serde_json::Value {
        json!({
            "history": {"onset": "acute", "antecedents": ["trauma"]},
            "exam": {"distribution": "single_nerve", "side": "unilateral"}
        })
    }

    #[test]
    fn axonal_nerve_lesion_is_put_at_the_peripheral_nerve_on_several_days() {
        let scenario = NERVE.replace("GRADE", "axonotmesis");
        for day in [5, 21, 60] {
            let f = simulate_findings(&scenario, day, nerve_framing());
            assert_eq!(top_level(&f), "peripheral_nerve", "day {day}");
        }
    }

    #[test]
    fn neurapraxia_is_put_at_the_peripheral_nerve() {
        let scenario = NERVE.replace("GRADE", "neurapraxia");
        let f = simulate_findings(&scenario, 14, nerve_framing());
        assert_eq!(top_level(&f), "peripheral_nerve");
    }

    #[test]
    fn disuse_is_put_at_disuse() {
        let scenario = "species = \"human\"\nmuscle = \"tibialis_anterior\"\nage_years = 35\nhorizon_days = 120\nseed = 1\n[[treatment]]\nkind = \"disuse\"\nstart_day = 0\nend_day = 42\nmodel = \"immobilization\"\n";
        let framing = json!({
            "history": {"onset": "acute", "antecedents": ["immobilization"]},
            "exam": {"distribution": "focal_limb", "side": "unilateral"}
        });
        let f = simulate_findings(scenario, 42, framing);
        assert_eq!(top_level(&f), "disuse");
    }
}
