//! What a surgeon adds around the operation (issue 19): findings that move the probability of
//! root avulsion, the continuity of the lesion, brief electrical stimulation at repair and
//! orthoses. Each test asserts something the model could get wrong.

use clinic::montecarlo::{Engine, planned, run_plans};
use clinic::plans::compare;
use clinic::{Atlas, Case};

const TRUNK: &str = "[patient]\nage_years = 24\n[[injury]]\nnerve = \"upper_trunk\"\nsite = \"supraclavicular\"\ngrade = \"unknown\"\nprior = { sunderland_3 = 0.3, sunderland_4 = 0.3, neurotmesis = 0.3, avulsion = 0.1 }\n";

fn lr(finding: &str, value: &str) -> f64 {
    let data = clinic::data::ClinicData::embedded().unwrap();
    let f = data
        .strategies
        .avulsion_findings
        .iter()
        .find(|f| f.id == finding)
        .unwrap();
    let v = f.values.iter().find(|v| v.value == value).unwrap();
    v.p_if_avulsed / v.p_if_not
}

fn posterior(prior: f64, lrs: &[f64]) -> f64 {
    let odds = prior / (1.0 - prior) * lrs.iter().product::<f64>();
    odds / (1.0 + odds)
}

#[test]
fn avulsion_findings_move_the_probability_by_their_likelihood_ratios() {
    let atlas = Atlas::human().unwrap();
    let case = |findings: &str| {
        Case::from_toml(&format!("{TRUNK}[injury.findings]\n{findings}\n"), &atlas).unwrap()
    };
    // The prior weight 0.1 of 1.0 in all.
    let c = case("pseudomeningocele = \"empty_sac\"\nparaspinals = \"abnormal\"");
    let inj = &c.injuries[0];
    assert!((inj.avulsion_prior - 0.1).abs() < 1e-12);
    let want = posterior(
        0.1,
        &[
            lr("pseudomeningocele", "empty_sac"),
            lr("paraspinals", "abnormal"),
        ],
    );
    assert!(
        (inj.avulsion - want).abs() < 1e-12,
        "{} vs {want}",
        inj.avulsion
    );
    assert!(
        inj.avulsion > 0.5,
        "an empty sac and denervated paraspinals: {}",
        inj.avulsion
    );
    // A reduced SNAP in the anaesthetic territory (postganglionic) lowers it.
    let c = case("snap = \"absent\"");
    assert!(c.injuries[0].avulsion < 0.1, "{}", c.injuries[0].avulsion);
    // A preserved SNAP raises it.
    let c = case("snap = \"normal\"");
    assert!(c.injuries[0].avulsion > 0.1, "{}", c.injuries[0].avulsion);
    // Horner's sign has no figure in the sources: noted, moves nothing.
    let c = case("horner = true");
    assert!((c.injuries[0].avulsion - 0.1).abs() < 1e-12);
    assert_eq!(c.injuries[0].avulsion_findings[0].likelihood_ratio, None);
    assert_eq!(c.injuries[0].avulsion_findings[0].value, "present");
}

#[test]
fn the_draws_use_the_updated_avulsion_probability() {
    let atlas = Atlas::human().unwrap();
    let c = Case::from_toml(
        &format!("{TRUNK}[injury.findings]\npseudomeningocele = \"present\"\n"),
        &atlas,
    )
    .unwrap();
    let p = c.injuries[0].avulsion;
    let e = Engine::human().unwrap();
    let n = 4000;
    let k = (0..n).filter(|&i| e.draw(&c, i).avulsed[0]).count() as f64;
    let se = (p * (1.0 - p) / n as f64).sqrt();
    assert!(
        (k / n as f64 - p).abs() < 4.0 * se,
        "avulsed in {k} of {n} draws, posterior {p}"
    );
}

#[test]
fn bad_avulsion_findings_and_continuity_name_the_field() {
    let atlas = Atlas::human().unwrap();
    let err = |text: &str| Case::from_toml(text, &atlas).unwrap_err().to_string();
    let e = err(&format!("{TRUNK}[injury.findings]\nmyelogram = \"bad\"\n"));
    assert!(
        e.contains("injury[0].findings.myelogram") && e.contains("pseudomeningocele"),
        "{e}"
    );
    let e = err(&format!("{TRUNK}[injury.findings]\nsnap = \"low\"\n"));
    assert!(
        e.contains("injury[0].findings.snap") && e.contains("reduced"),
        "{e}"
    );
    // Findings with no avulsion weight to move (a radial nerve has no roots).
    let e = err(
        "[patient]\nage_years = 30\n[[injury]]\nnerve = \"radial\"\nsite = \"mid_humerus\"\ngrade = \"unknown\"\n[injury.findings]\nsnap = \"normal\"\n",
    );
    assert!(e.contains("injury[0].findings"), "{e}");
    let e = err(
        "[patient]\nage_years = 30\n[[injury]]\nnerve = \"radial\"\nsite = \"mid_humerus\"\ngrade = \"neurotmesis\"\ncontinuity = \"in_continuity\"\n",
    );
    assert!(e.contains("injury[0].continuity"), "{e}");
    let e = err(&format!("{TRUNK}continuity = \"frayed\"\n"));
    assert!(
        e.contains("injury[0].continuity") && e.contains("ruptured"),
        "{e}"
    );
}

#[test]
fn continuity_restricts_the_grade() {
    let atlas = Atlas::human().unwrap();
    let c = Case::from_toml(&format!("{TRUNK}continuity = \"in_continuity\"\n"), &atlas).unwrap();
    match &c.injuries[0].grade {
        clinic::case::GradeSpec::Unknown(p) => {
            assert!(p.iter().all(|(g, _)| !matches!(
                g,
                clinic::case::Grade::Neurotmesis | clinic::case::Grade::Sunderland(5)
            )));
            let s: f64 = p.iter().map(|x| x.1).sum();
            assert!((s - 1.0).abs() < 1e-12);
            // Sunderland III and IV kept their 1:1 ratio.
            assert_eq!(p.len(), 2);
            assert!((p[0].1 - p[1].1).abs() < 1e-12);
        }
        g => panic!("{g:?}"),
    }
    // The avulsion (preganglionic) probability is a separate question and is kept.
    assert!((c.injuries[0].avulsion - 0.1).abs() < 1e-12);
    let c = Case::from_toml(&format!("{TRUNK}continuity = \"ruptured\"\n"), &atlas).unwrap();
    assert_eq!(
        c.injuries[0].grade,
        clinic::case::GradeSpec::Known(clinic::case::Grade::Neurotmesis)
    );
}

#[test]
fn brief_stimulation_at_a_graft_brings_the_axons_no_later_in_any_draw_and_sooner_on_average() {
    let atlas = Atlas::human().unwrap();
    let text = "[patient]\nage_years = 40\n[[injury]]\nmuscle = \"biceps_brachii\"\ndistance_mm = 150\ngrade = \"neurotmesis\"\nregrowth = \"prevented\"\n";
    let c = Case::from_toml(text, &atlas).unwrap();
    let e = Engine::human().unwrap();
    let graft = |stim: bool| clinic::case::Treatment::Repair {
        injury: 0,
        day: 21,
        method: clinic::case::RepairMethod::Graft {
            length_mm: twin::Millimetres(30.0),
        },
        transfer: clinic::case::TransferSite::default(),
        brief_stimulation: stim,
    };
    let plans = vec![
        vec![],
        vec![planned(&c, &atlas, graft(false), false)],
        vec![planned(&c, &atlas, graft(true), false)],
    ];
    let r = run_plans(&e, &c, &plans, 16, &vocabulary::Control::new()).unwrap();
    let first = |pi: usize| -> Vec<u32> {
        r.outcomes[pi][0]
            .iter()
            .map(|o| o.first_reinnervation_day.expect("a graft reinnervates"))
            .collect()
    };
    let (plain, stim) = (first(1), first(2));
    for (a, b) in plain.iter().zip(&stim) {
        assert!(b <= a, "stimulated {b} after plain {a}");
    }
    let mean = |v: &[u32]| v.iter().map(|&x| f64::from(x)).sum::<f64>() / v.len() as f64;
    assert!(
        mean(&stim) < mean(&plain) - 1.0,
        "stimulated {} vs plain {}",
        mean(&stim),
        mean(&plain)
    );
    // Only on a repair.
    let e = Case::from_toml(
        &format!("{text}[[treatment]]\nkind = \"stimulation\"\nstart_day = 7\nend_day = 100\nhours_per_day = 1\nbrief_stimulation = true\n"),
        &atlas,
    )
    .unwrap_err();
    assert!(
        e.to_string().contains("treatment[0].brief_stimulation"),
        "{e}"
    );
}

#[test]
fn an_orthosis_adds_function_for_its_goal_only_and_operates_on_no_one() {
    let (e, a) = (Engine::human().unwrap(), Atlas::human().unwrap());
    let c = Case::from_toml(
        "[patient]\nage_years = 58\ndiabetes = true\n[[injury]]\nnerve = \"common_fibular\"\nsite = \"fibular_neck\"\ngrade = \"unknown\"\nprior = { sunderland_3 = 0.5, sunderland_4 = 0.5 }\n[settings]\nseed = 4\nhorizon_days = 540\n",
        &a,
    )
    .unwrap();
    let r = compare(&e, &a, &c, 12, &vocabulary::Control::new()).unwrap();
    let wait = r.plans.iter().find(|p| p.name == "wait").unwrap();
    let afo = r
        .plans
        .iter()
        .find(|p| p.name == "wait with ankle foot orthosis")
        .expect("an ankle-foot orthosis is offered for foot drop");
    assert_eq!(afo.p_operated, 0.0);
    // The muscle's course is waiting's: same P(MRC >= 3) per muscle.
    for (m, w) in afo.muscles.iter().zip(&wait.muscles) {
        assert_eq!(m.p_mrc_ge_3, w.p_mrc_ge_3);
    }
    // It adds function where the muscle stays below MRC 3, never more than its worth.
    let data = clinic::data::ClinicData::embedded().unwrap();
    let worth = data
        .strategies
        .orthoses
        .iter()
        .find(|o| o.id == "ankle_foot_orthosis")
        .unwrap()
        .worth_below_mrc3;
    assert!(
        afo.function_value > wait.function_value,
        "{} vs {}",
        afo.function_value,
        wait.function_value
    );
    assert!(afo.function_value <= wait.function_value + worth + 1e-12);
    // No wrist splint for a foot drop.
    assert!(!r.plans.iter().any(|p| p.name.contains("wrist")));
}
