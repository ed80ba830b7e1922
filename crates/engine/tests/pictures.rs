//! `Engine::pictures`: the readings it pictures are the ones `simulate` gives for the same day, and
//! its values are complete (every fibre column as long as the fibre count, the bytes decodable as
//! what they claim to be). Run in release mode (fibre resolution).

use engine::pictures::Fonts;
use engine::{Control, Engine, Resolution};

const CASE: &str = include_str!("../../../examples/tibialis-anterior-axonotmesis.toml");

#[test]
fn pictures_read_the_day_as_simulate_does_and_are_complete() {
    let engine = Engine::load().expect("engine loads");
    let case = engine.parse_case(CASE).expect("example parses");
    let (_, scenario) = engine
        .scenarios(&case)
        .expect("scenarios")
        .into_iter()
        .next()
        .expect("one muscle");
    let run = engine
        .pictures(&scenario, &[14], &[0, 14], &Control::new())
        .expect("pictures");
    assert_eq!(run.days.len(), 1);
    let day = &run.days[0];
    assert_eq!(day.day, 14);

    let sim = engine
        .simulate(&case, Resolution::Fibre, None, &Control::new())
        .expect("simulate");
    let reading = &sim.runs[0].readings[14];
    assert_eq!(
        serde_json::to_value(&day.readout).unwrap(),
        serde_json::to_value(reading).unwrap(),
        "the pictured day's readout differs from simulate's"
    );

    let f = &day.fibres;
    let n = f.x_um.len();
    assert!(n > 0, "no fibres");
    for (name, len) in [
        ("y_um", f.y_um.len()),
        ("csa_um2", f.csa_um2.len()),
        ("fibre_type", f.fibre_type.len()),
        ("state", f.state.len()),
        ("unit", f.unit.len()),
    ] {
        assert_eq!(len, n, "fibre column {name}");
    }

    for trace in [&day.emg_rest, &day.emg_effort] {
        let wav = trace.wav();
        assert_eq!(&wav[..4], b"RIFF");
        assert_eq!(
            wav.len(),
            44 + 2 * trace.samples_uv.len(),
            "16-bit mono WAV"
        );
        let expected = (engine::pictures::EMG_MS * trace.sample_rate_hz / 1000.0).round();
        assert_eq!(trace.samples_uv.len() as f64, expected, "2 s of samples");
    }
    assert!(!day.cmap.distal_mv.is_empty());
    let png = day.cross_section.png(&Fonts::none()).expect("png");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let names: Vec<&str> = run.strips.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["time_strip_atpase94", "time_strip_he"]);
    for strip in &run.strips {
        assert_eq!(
            strip.svg.matches("class=\"panel\"").count(),
            2,
            "two strip days"
        );
    }
    serde_json::to_string(&run).expect("the run serialises");
}
