//! The pictures' data of twin simulations: MUPs measured on synthetic recordings and type grouping,
//! against what clinicians see. (The clinical readings of the same conditions are checked in
//! `crates/readout/tests/conditions.rs`.)

use views::Reference;
use views::adapter::from_simulation;
use views::reference::Views;
use views::summary::{DayOptions, DayViews, day_views_with};

/// Runs a case and returns the views on each requested day (ascending), and the reference.
fn run(case: &str, days: &[u32]) -> (Vec<DayViews>, Reference) {
    let scenario = twin::Scenario::from_toml_str(case).expect("case parses");
    let params = twin::Parameters::for_species(scenario.species).expect("parameters");
    let mut sim =
        twin::Simulation::new(&scenario, &params, twin::Resolution::Fibre).expect("simulation");
    let v = Views::embedded().expect("views parameters");
    let s0 = from_simulation(&sim, &scenario.muscle).expect("fibre resolution");
    let r = Reference::from_state(&v, &s0.view()).expect("reference");
    let c = readout::Constants::embedded().expect("readout constants");
    let mut out = Vec::new();
    for &d in days {
        while sim.day() < d {
            sim.step();
        }
        let s = from_simulation(&sim, &scenario.muscle).expect("fibre resolution");
        let reading = readout::read(c, &scenario.muscle, &sim.quantities());
        let opts = DayOptions::default();
        out.push(day_views_with(&v, &s.view(), &r, &reading.cmap, opts).expect("views"));
    }
    (out, r)
}

fn case(grade: &str, distance_mm: f64, extra: &str) -> String {
    format!(
        "species = \"human\"\nmuscle = \"abductor_pollicis_brevis\"\nage_years = 35\nhorizon_days = 720\nseed = 5\n\
[injury]\ngrade = \"{grade}\"\nday = 0\ndistance_mm = {distance_mm}\n{extra}"
    )
}

#[test]
fn chronic_partial_denervation_enlarges_mups_and_groups_types() {
    // 80% of axons cut, no regrowth: the survivors sprout (Brown & Ironton 1978).
    let (v, r) = run(
        &case(
            "neurotmesis",
            100.0,
            "fraction_of_axons = 0.8\nregrowth = \"prevented\"\n",
        ),
        &[365],
    );
    let d = &v[0];
    // Enlarged units: MUP amplitude >= 1.5x normal.
    assert!(
        d.mup.amplitude_rel >= 1.5,
        "MUP amplitude {}x",
        d.mup.amplitude_rel
    );
    // Type grouping clearly above the intact muscle.
    assert!(
        d.grouping.index > r.grouping.index + 0.1,
        "grouping {} vs intact {}",
        d.grouping.index,
        r.grouping.index
    );
}

#[test]
fn disuse_keeps_mups_within_normal_limits() {
    let case = "species = \"human\"\nmuscle = \"abductor_pollicis_brevis\"\nage_years = 35\nhorizon_days = 60\nseed = 5\n\
[[treatment]]\nkind = \"disuse\"\nstart_day = 0\nend_day = 42\nmodel = \"immobilization\"\n";
    let (v, _) = run(case, &[42]);
    // MUPs within normal limits (S52: 6-14% larger than the other side at most).
    let a = v[0].mup.amplitude_rel;
    assert!(a > 0.7 && a < 1.3, "MUP amplitude {a}");
    assert_eq!(v[0].mup.nascent_units, 0);
}

/// Type grouping is a sign of collateral sprouting, not of reinnervation as such: after a nerve
/// crush in the guinea pig the normal mosaic returned, while section and suture (abundant
/// collateral branching) gave marked type grouping ("'Type grouping' in skeletal muscles after
/// experimental reinnervation", scilit record, guinea-pig gastrocnemius and plantaris); in the cat
/// tibialis anterior six months after self-reinnervation fibre-type grouping was not evident within
/// the muscle (Bodine-Fowler SC, Unguez GA, Roy RR, Armstrong AN, Edgerton VR 1993, Muscle Nerve
/// 16:379-391); in the rat, clumping "is more indicative of sprouting after partial nerve injuries
/// than of muscle reinnervation after complete nerve injuries" (Exp Neurol 2016, 'Motor unit and
/// muscle fiber type grouping after peripheral nerve injury in the rat'). The margin 0.1 of the
/// index (and 0.02 of the enclosed share) is this test's own criterion of "clearly", not a figure
/// from those studies.
#[test]
fn type_grouping_follows_sprouting_not_regrowth_after_a_crush() {
    let crush = "species = \"human\"\nmuscle = \"abductor_pollicis_brevis\"\nage_years = 35\nhorizon_days = 720\nseed = 5\n\
[injury]\ngrade = \"axonotmesis\"\nday = 0\ndistance_mm = 60\nfraction_of_axons = 1.0\nregrowth = \"allowed\"\n";
    let (c, rc) = run(crush, &[365]);
    let (s, rs) = run(
        &case(
            "neurotmesis",
            100.0,
            "fraction_of_axons = 0.8\nregrowth = \"prevented\"\n",
        ),
        &[365],
    );
    let (c, s) = (&c[0].grouping, &s[0].grouping);
    eprintln!(
        "crush {c:?} (intact {:?}); sprouting {s:?} (intact {:?})",
        rc.grouping, rs.grouping
    );
    // After the crush every axon regrows: no grouping beyond the intact muscle's.
    assert!(
        c.index <= rc.grouping.index + 0.1,
        "crush {} vs intact {}",
        c.index,
        rc.grouping.index
    );
    // After sprouting: grouping above the intact muscle and above the crush, and more fibres
    // enclosed by their own type.
    assert!(
        s.index > rs.grouping.index + 0.1 && s.index > c.index + 0.1,
        "sprouting {} vs intact {} and crush {}",
        s.index,
        rs.grouping.index,
        c.index
    );
    assert!(
        s.enclosed_fraction > rs.grouping.enclosed_fraction + 0.02,
        "enclosed {} vs intact {}",
        s.enclosed_fraction,
        rs.grouping.enclosed_fraction
    );
}
