//! The clinical readout of twin simulations of four conditions, against what clinicians see.
//!
//! These are the clinical assertions the views crate used to check on its own models; they now
//! check the one readout, computed from the twin's calibrated quantities. Each assertion names its
//! source; the figures are in `/work/shared/reference/` (literature.md §6–§7, clinical.md 1B, 1E).
//! Runs at fibre resolution, the default of `simulate` and `snapshot`.

use readout::{Constants, Level, MupType, Pattern, Readout, read_course};

fn run(case: &str) -> Vec<Readout> {
    let scenario = twin::Scenario::from_toml_str(case).expect("case parses");
    let params = twin::Parameters::for_species(scenario.species).expect("parameters");
    let course = twin::Simulation::new(&scenario, &params, twin::Resolution::Fibre)
        .expect("simulation")
        .run(scenario.horizon_days);
    read_course(Constants::embedded().unwrap(), &scenario.muscle, &course)
}

fn case(grade: &str, distance_mm: f64, horizon: u32, extra: &str) -> String {
    format!(
        "species = \"human\"\nmuscle = \"abductor_pollicis_brevis\"\nage_years = 35\nhorizon_days = {horizon}\nseed = 5\n\
[injury]\ngrade = \"{grade}\"\nday = 0\ndistance_mm = {distance_mm}\n{extra}"
    )
}

#[test]
fn neurapraxia_blocks_proximal_conduction_without_fibrillation_and_recovers_in_weeks() {
    let v = run(&case("neurapraxia", 100.0, 120, ""));
    let d14 = &v[14];
    // No Wallerian degeneration, no fibrillations (clinical.md 1B, mononeuropathy with CB).
    assert_eq!(
        d14.needle.fibrillation_grade, 0,
        "fibrillations in neurapraxia"
    );
    // Distal CMAP maintained (Campbell 2008: distal responses "maintained indefinitely").
    assert!(
        d14.cmap.distal_fraction > 0.8,
        "distal CMAP {}",
        d14.cmap.distal_fraction
    );
    // Proximal response blocked: >= 50% drop (EFNS/PNS 2010 conduction-block criterion).
    assert!(
        d14.cmap.block,
        "no block: proximal {}",
        d14.cmap.proximal_fraction
    );
    assert!(
        d14.strength.mrc <= 2,
        "MRC {} with a block",
        d14.strength.mrc
    );
    // Force on nerve stimulation below the lesion is kept; voluntary force is not.
    assert!(
        d14.strength.distal_nerve_stimulation_force_fraction
            > 2.0 * d14.strength.voluntary_force_fraction,
        "{:?}",
        d14.strength
    );
    // Recovery within weeks to a few months (Trojaborg 1970: normal within 6-8 weeks).
    let d120 = &v[120];
    assert!(!d120.cmap.block, "block persists at day 120");
    assert!(d120.cmap.proximal_fraction > 0.8);
    assert!(
        d120.strength.mrc >= 4,
        "MRC {} at day 120",
        d120.strength.mrc
    );
    assert_eq!(d120.needle.fibrillation_grade, 0);
}

#[test]
fn complete_axonal_lesion_of_a_distal_muscle() {
    // Forearm median lesion, 100 mm above the thenar motor point; axons regrow.
    let v = run(&case("axonotmesis", 100.0, 720, ""));
    // Distal CMAP < 10% of baseline by day 9-10: baboon CMAP lost in 4-5 days (Gilliatt & Hjorth
    // 1972); in humans low after about 6-10 days (clinical.md 1B, derived from S56/S57).
    assert!(
        v[10].cmap.distal_fraction < 0.10,
        "CMAP day 10 = {}",
        v[10].cmap.distal_fraction
    );
    assert!(
        v[1].cmap.distal_fraction > 0.9,
        "CMAP already lost on day 1"
    );
    // Fibrillations >= 2+ by weeks 3-4 (Willmott et al. 2012: 1-4 weeks; 3-6 weeks distally).
    assert!(
        v[28].needle.fibrillation_grade >= 2,
        "fib grade at day 28 = {}",
        v[28].needle.fibrillation_grade
    );
    // MRC 0 until a unit can be recruited again.
    let first_unit = v
        .iter()
        .skip(3)
        .find(|d| d.needle.recruitment.pattern != Pattern::None)
        .map(|d| d.day)
        .expect("reinnervation within two years of a 100 mm axonotmesis");
    for d in v.iter().filter(|d| d.day >= 3 && d.day < first_unit) {
        assert_eq!(d.strength.mrc, 0, "MRC {} on day {}", d.strength.mrc, d.day);
        assert_eq!(d.needle.mup, MupType::None);
    }
    // Nascent units appear before voluntary movement (MRC >= 2).
    let first_nascent = v
        .iter()
        .find(|d| d.needle.mup == MupType::Nascent)
        .map(|d| d.day)
        .expect("nascent units");
    if let Some(m) = v
        .iter()
        .find(|d| d.day > 3 && d.strength.mrc >= 2)
        .map(|d| d.day)
    {
        assert!(
            first_nascent <= m,
            "nascent on day {first_nascent}, movement on day {m}"
        );
    }
    // Regenerated axons conduct slowly (Buchthal & Kühl 1979: 10-25% of normal at first).
    let early = v
        .iter()
        .find(|d| d.cmap.velocity_m_s.is_some() && d.day > 28);
    if let Some(d) = early {
        let cv = d.cmap.velocity_m_s.unwrap();
        assert!(
            cv < 0.5 * 57.0,
            "CV {cv} m/s on day {} soon after reinnervation",
            d.day
        );
    }
}

#[test]
fn chronic_partial_denervation_with_sprouting_keeps_the_cmap() {
    // 80% of axons cut, no regrowth: the survivors sprout (up to about 5-8 fold; Brown & Ironton
    // 1978, Cashman et al. polio).
    let v = run(&case(
        "neurotmesis",
        100.0,
        365,
        "fraction_of_axons = 0.8\nregrowth = \"prevented\"\n",
    ));
    let d = &v[365];
    let lost = 1.0 - d.needle.recruitment.fraction;
    assert!(lost > 0.6, "units lost {lost}");
    assert_eq!(d.needle.mup, MupType::Neurogenic, "{:?}", d.needle);
    assert!(
        d.size.innervated_fibre_fraction > 0.8,
        "innervated {}",
        d.size.innervated_fibre_fraction
    );
    // Most units lost, CMAP in the normal range: ALS patients with an unaffected CMAP had lost
    // 31-54% of units (MUNE/MUNIX, literature.md s6); up to ~50% of anterior horn cells can be
    // lost before the CMAP falls (clinical.md 1E).
    assert!(
        d.cmap.distal_fraction > 0.7,
        "CMAP {}",
        d.cmap.distal_fraction
    );
}

#[test]
fn disuse_shrinks_fibres_with_normal_emg_and_cmap() {
    let case = "species = \"human\"\nmuscle = \"abductor_pollicis_brevis\"\nage_years = 35\nhorizon_days = 60\nseed = 5\n\
[[treatment]]\nkind = \"disuse\"\nstart_day = 0\nend_day = 42\nmodel = \"immobilization\"\n";
    let v = run(case);
    let d = &v[42];
    assert!(
        d.size.fibre_csa_fraction < 0.97,
        "fibres did not shrink: {}",
        d.size.fibre_csa_fraction
    );
    assert_eq!(d.needle.fibrillation_grade, 0, "fibrillations in disuse");
    // CMAP normal or modestly low (6 weeks in a cast: -19 to -29%, S54).
    assert!(
        d.cmap.distal_fraction > 0.65,
        "CMAP {}",
        d.cmap.distal_fraction
    );
    assert!(!d.cmap.block);
    assert_ne!(d.cmap.level, Level::Absent);
    assert_eq!(d.needle.mup, MupType::Normal);
    assert_eq!(d.needle.recruitment.pattern, Pattern::Full);
}
