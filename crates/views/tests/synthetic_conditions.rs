//! Views on synthetic muscle states: the mapping from state to findings.
//! (Time courses come from the twin; see `twin_conditions.rs`.)

use views::reference::Views;
use views::summary::day_views;
use views::synthetic;
use views::{AxonState, Reference};

fn setup() -> (Views, views::state::OwnedMuscleState, Reference) {
    let v = Views::embedded().unwrap();
    let s0 = synthetic::intact("APB", 60, 80, 7);
    let r = Reference::from_state(&v, &s0.view()).unwrap();
    (v, s0, r)
}

#[test]
fn intact_muscle_is_normal() {
    let (v, s0, r) = setup();
    let d = day_views(&v, &s0.view(), &r).unwrap();
    eprintln!("{:#?}", d.needle);
    eprintln!("{:?}", r.mup);
    assert!((d.conduction.distal.relative - 1.0).abs() < 1e-9);
    assert!((d.conduction.distal.amplitude_mv - 10.2).abs() < 1e-6);
    assert!(!d.conduction.block);
    let cv = d.conduction.cv_m_s.unwrap();
    assert!((cv - 57.0).abs() < 1.0, "cv {cv}");
    assert_eq!(d.strength.mrc, 5);
    assert_eq!(d.needle.spontaneous.grade, 0);
    assert!(r.mup.n >= 20, "MUPs measured {}", r.mup.n);
    assert!(
        d.grouping.index.abs() < 0.35,
        "grouping {}",
        d.grouping.index
    );
}

#[test]
fn chronic_partial_denervation_with_sprouting() {
    let (v, s0, r) = setup();
    let mut s = s0.clone();
    synthetic::chronic_partial(&mut s, 0.75, 400.0, 3);
    let d = day_views(&v, &s.view(), &r).unwrap();
    eprintln!("grouping intact {:?} partial {:?}", r.grouping, d.grouping);
    eprintln!("{:#?}", d.needle);
    eprintln!("cmap {}", d.conduction.distal.relative);
    let lost = 1.0 - d.needle.recruitment.fraction;
    assert!(lost > 0.6, "lost {lost}");
    assert!(
        d.needle.mup_amplitude_rel >= 1.5,
        "MUP amplitude {}",
        d.needle.mup_amplitude_rel
    );
    assert!(d.grouping.index > r.grouping.index + 0.2);
    // Most units lost, yet the CMAP within the normal range (McComas 1997; ALS MUNE vs CMAP).
    assert!(
        d.conduction.distal.relative > 0.8,
        "cmap {}",
        d.conduction.distal.relative
    );
    assert!(
        s.unit_axon
            .iter()
            .filter(|a| **a == AxonState::Lost)
            .count()
            > 40
    );
}
