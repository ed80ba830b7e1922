//! Bad input never panics: inconsistent or odd states give errors or sane numbers.

use proptest::prelude::*;
use views::reference::Views;
use views::state::{NO_UNIT, OwnedMuscleState};
use views::summary::day_views;
use views::{AxonState, FibreState, FibreType, Reference};

fn engine() -> &'static Views {
    static V: std::sync::OnceLock<Views> = std::sync::OnceLock::new();
    V.get_or_init(|| Views::embedded().unwrap())
}

fn arb_state() -> impl Strategy<Value = OwnedMuscleState> {
    (1usize..60, 0usize..8, any::<u64>(), -10.0f64..1000.0).prop_map(|(n, units, seed, day)| {
        let mut s = OwnedMuscleState {
            muscle: "whatever".into(),
            day,
            ..Default::default()
        };
        let mut x = seed;
        let mut next = || {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 33) as u32
        };
        for _ in 0..n {
            s.fibre_x_um.push((next() % 2000) as f32);
            s.fibre_y_um.push((next() % 2000) as f32);
            s.fibre_csa_um2.push((next() % 9000) as f32);
            s.fibre_type.push(if next() % 2 == 0 {
                FibreType::I
            } else {
                FibreType::IIx
            });
            let u = if units == 0 || next() % 5 == 0 {
                NO_UNIT
            } else {
                next() % units as u32
            };
            s.fibre_unit.push(u);
            s.fibre_state.push(match next() % 4 {
                0 => FibreState::Innervated,
                1 => FibreState::Denervated,
                2 => FibreState::Reinnervating,
                _ => FibreState::Fat,
            });
            s.fibre_denervated_day.push(if next() % 2 == 0 {
                f32::NAN
            } else {
                (next() % 300) as f32
            });
            s.fibre_tension.push(1.0);
        }
        let axons = [
            AxonState::Intact,
            AxonState::Blocked,
            AxonState::Degenerating,
            AxonState::Degenerated,
            AxonState::Regenerating,
            AxonState::Reconnected,
            AxonState::Lost,
        ];
        for _ in 0..units {
            s.unit_axon.push(axons[(next() % 7) as usize]);
            s.unit_nascent.push(next() % 2 == 0);
            s.unit_reconnected_day.push((next() % 400) as f32);
            s.unit_distal_conduction.push((next() % 100) as f32 / 100.0);
        }
        s.neural_drive = 1.0;
        s
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]
    #[test]
    fn arbitrary_states_give_finite_views_or_errors(s in arb_state(), cut in 0usize..3) {
        let v = engine();
        let mut s = s;
        // Sometimes break a column's length: must be an error, not a panic.
        if cut == 1 && !s.fibre_csa_um2.is_empty() {
            s.fibre_csa_um2.pop();
            prop_assert!(Reference::from_state(v, &s.view()).is_err());
            return Ok(());
        }
        let r = Reference::from_state(v, &s.view()).unwrap();
        let q = twin::Quantities {
            cmap_fraction: 0.7,
            proximal_cmap_fraction: 0.3,
            ..Default::default()
        };
        let cmap = readout::reading::cmap(readout::Constants::embedded().unwrap(), "APB", &q);
        let d = day_views(v, &s.view(), &r, &cmap).unwrap();
        let c = &d.conduction;
        prop_assert!(c.distal.waveform.iter().all(|x| x.is_finite()));
        prop_assert!(c.proximal.waveform.iter().all(|x| x.is_finite()));
        // The drawn CMAP peaks at the readout's amplitude, or is flat without excitable fibres.
        let peak = c.distal.waveform.iter().cloned().fold(0.0_f64, f64::max);
        prop_assert!((peak - 0.7).abs() < 1e-9 || peak == 0.0, "peak {}", peak);
    }
}

#[test]
fn bad_unit_index_is_an_error() {
    let mut s = views::synthetic::intact("APB", 5, 3, 1);
    s.fibre_unit[0] = 99;
    let v = engine();
    assert!(Reference::from_state(v, &s.view()).is_err());
    let mut s2 = views::synthetic::intact("APB", 5, 3, 1);
    s2.fibre_csa_um2[0] = f32::NAN;
    assert!(Reference::from_state(v, &s2.view()).is_err());
}
