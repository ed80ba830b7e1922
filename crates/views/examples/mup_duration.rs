//! The intact muscle's synthetic MUP duration and polyphasic share (day 0, the reference's 24
//! needle sites) with the embedded constants and with one geometry constant changed at a time:
//! the measurements behind docs/views.md, *Intact duration*.
//!
//! `cargo run --release -p views --example mup_duration [CASE.toml]` (default: the TA example);
//! `AREA_CV=0.4` overrides the twin's `fibre_area_cv`, `ONLY=word` runs the variants whose name
//! contains it. `DAY=58` instead steps the case to that day and measures every accepted MUP
//! (phase histogram) with the embedded constants, a doubled nascent terminal scatter and a 10 µV
//! edge (docs/views.md, *Nascent polyphasia*). The variants are measurements, not proposals:
//! none of them is sourced.
use views::Reference;
use views::adapter::from_simulation;
use views::params::Params;
use views::reference::Views;

/// A named change of the embedded constants.
type Variant = (&'static str, fn(&mut Params));

fn main() {
    let case = std::fs::read_to_string(
        std::env::args()
            .nth(1)
            .unwrap_or("examples/tibialis-anterior-axonotmesis.toml".into()),
    )
    .unwrap();
    let scenario = twin::Scenario::from_toml_str(&case).unwrap();
    let mut tp = twin::Parameters::for_species(scenario.species).unwrap();
    if let Ok(cv) = std::env::var("AREA_CV") {
        let mut o = std::collections::BTreeMap::new();
        o.insert("fibre_area_cv".to_string(), cv.parse::<f64>().unwrap());
        tp.apply_overrides(&o).unwrap();
    }
    let mut sim = twin::Simulation::new(&scenario, &tp, twin::Resolution::Fibre).unwrap();
    let s0 = from_simulation(&sim, &scenario.muscle).unwrap();
    let base = Params::embedded().unwrap();
    if let Ok(day) = std::env::var("DAY") {
        let day: u32 = day.parse().unwrap();
        sim.step_to(day);
        let s = from_simulation(&sim, &scenario.muscle).unwrap();
        let v0 = Views::new(base.clone()).unwrap();
        let r = Reference::from_state(&v0, &s0.view()).unwrap();
        let gain = r.mup_gain(&v0.params);
        let day_variants: [Variant; 3] = [
            ("now", |_| {}),
            ("nascent term 3", |p| {
                p.volume.nascent_terminal_delay_sd_ms = 3.0
            }),
            ("edge 10", |p| p.needle.mup_edge_uv.value = 10.0),
        ];
        for (name, f) in day_variants {
            let mut p = base.clone();
            f(&mut p);
            let v = Views::new(p).unwrap();
            let grid = views::needle_signal::FibreGrid::new(
                s.view().fibre_x_um,
                s.view().fibre_y_um,
                100.0,
            );
            let mups = views::needle::measured_mups(&v.params, &s.view(), &grid, &v.line, &r.sites);
            let st = views::needle::stats_of(&v.params, &mups, gain);
            let mut hist = [0usize; 12];
            for m in &mups {
                let (a, _, ph) = views::needle_signal::mup_metrics(
                    &m.samples,
                    v.params.volume.sample_rate_hz,
                    v.params.needle.mup_edge_uv.value / gain,
                );
                if a * gain >= v.params.needle.mup_min_amplitude_uv.value {
                    hist[ph.min(11)] += 1;
                }
            }
            println!(
                "day {day} {name:16} n {:4} nascent {:4} amp {:6.0} uV dur {:5.2} ms poly {:5.3} phases {:?}",
                st.n,
                st.nascent,
                st.amplitude_model_uv * gain,
                st.duration_model_ms,
                st.polyphasic_fraction,
                hist
            );
        }
        return;
    }
    let variants: [Variant; 6] = [
        ("now", |_| {}),
        ("ep sd 3", |p| p.volume.endplate_zone_sd_mm = 3.0),
        ("ep sd 5", |p| p.volume.endplate_zone_sd_mm = 5.0),
        ("L 40", |p| p.volume.endplate_to_tendon_mm = 40.0),
        ("needle 20", |p| p.volume.needle_to_endplate_mm = 20.0),
        ("term 0.6", |p| p.volume.terminal_delay_sd_ms = 0.6),
    ];
    let only = std::env::var("ONLY").ok();
    for (name, f) in variants {
        if only.as_deref().is_some_and(|o| !name.contains(o)) {
            continue;
        }
        let mut p = base.clone();
        f(&mut p);
        let v = Views::new(p).unwrap();
        let r = Reference::from_state(&v, &s0.view()).unwrap();
        println!(
            "{name:28} n {:4} duration {:5.2} ms polyphasic {:5.3} gain {:.2}",
            r.mup.n,
            r.mup.duration_model_ms,
            r.mup.polyphasic_fraction,
            r.mup_gain(&v.params)
        );
    }
}
