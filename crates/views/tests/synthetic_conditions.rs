//! The pictures' data on synthetic muscle states: MUPs measured on synthetic recordings, type
//! grouping, the drawn CMAP. (The clinical readings are the `readout` crate's, from the twin.)

use views::needle::recruitable_units;
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

fn healthy_cmap() -> readout::Cmap {
    let q = twin::Quantities {
        cmap_fraction: 1.0,
        proximal_cmap_fraction: 1.0,
        ..Default::default()
    };
    readout::reading::cmap(readout::Constants::embedded().unwrap(), "APB", &q)
}

#[test]
fn intact_muscle_is_normal() {
    let (v, s0, r) = setup();
    let d = day_views(&v, &s0.view(), &r, &healthy_cmap()).unwrap();
    let peak = d
        .conduction
        .distal
        .waveform
        .iter()
        .cloned()
        .fold(0.0_f64, f64::max);
    assert!((peak - 1.0).abs() < 1e-9, "drawn CMAP peak {peak}");
    assert!(d.conduction.distal.onset_ms.is_some());
    assert!(r.mup.n >= 20, "MUPs measured {}", r.mup.n);
    assert!((d.mup.amplitude_rel - 1.0).abs() < 1e-9);
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
    let d = day_views(&v, &s.view(), &r, &healthy_cmap()).unwrap();
    let (units, _) = recruitable_units(&s.view());
    let lost = 1.0 - units as f64 / r.units as f64;
    assert!(lost > 0.6, "lost {lost}");
    assert!(
        d.mup.amplitude_rel >= 1.5,
        "MUP amplitude {}",
        d.mup.amplitude_rel
    );
    assert!(d.grouping.index > r.grouping.index + 0.2);
    assert!(
        s.unit_axon
            .iter()
            .filter(|a| **a == AxonState::Lost)
            .count()
            > 40
    );
}
