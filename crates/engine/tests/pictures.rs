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

/// Each picture is of the muscle it names. A muscle the twin does not know runs with a stand-in's
/// motor-unit pool (the upper trunk's supraspinatus with the deltoid's), so picturing it would draw
/// the stand-in's fibres under the stand-in's name at the other muscle's distance: the default is
/// the first affected muscle with a pool of its own — its own scenario, named by it — and asking
/// for a stand-in muscle is refused with the field, the value and the muscles that can be pictured.
#[test]
fn every_picture_is_of_the_muscle_it_names() {
    let engine = Engine::load().expect("engine loads");
    for (name, text) in [
        (
            "case-upper-trunk-traction",
            include_str!("../../../examples/case-upper-trunk-traction.toml"),
        ),
        (
            "case-fibular-neck-compression",
            include_str!("../../../examples/case-fibular-neck-compression.toml"),
        ),
        (
            "case-radial-followup-month4",
            include_str!("../../../examples/case-radial-followup-month4.toml"),
        ),
        (
            "case-ulnar-elbow-laceration",
            include_str!("../../../examples/case-ulnar-elbow-laceration.toml"),
        ),
    ] {
        let case = engine.parse_case(text).expect("example parses");
        let pictured = engine.scenario(&case, None).expect("a muscle to picture");
        let scenarios = engine.scenarios(&case).expect("scenarios");
        assert!(
            scenarios
                .iter()
                .any(|(m, s)| *m == pictured.muscle && *s == pictured),
            "{name}: the pictured run (the {}'s pool, {:?}) is not the case's own run of the {}",
            pictured.muscle,
            pictured.injury.as_ref().map(|i| i.distance_mm.0),
            pictured.muscle
        );
    }

    let case = engine
        .parse_case(include_str!(
            "../../../examples/case-upper-trunk-traction.toml"
        ))
        .expect("example parses");
    let first = &engine.scenarios(&case).expect("scenarios")[0];
    assert_eq!(
        (first.0.as_str(), first.1.muscle.as_str()),
        ("supraspinatus", "deltoid"),
        "the case this test is about: the supraspinatus runs with the deltoid's pool"
    );
    match engine.scenario(&case, Some("supraspinatus")) {
        Err(engine::EngineError::OutOfRange {
            field,
            value,
            expected,
        }) => {
            assert_eq!(field, "muscle");
            assert_eq!(value, "supraspinatus");
            assert!(
                expected.contains("deltoid's pool") && expected.contains("biceps_brachii"),
                "the refusal names the stand-in and the muscles that can be pictured: {expected}"
            );
        }
        other => panic!("the supraspinatus was pictured or refused otherwise: {other:?}"),
    }

    // The pictures are titled by the muscle whose fibres they draw.
    let pictured = engine.scenario(&case, None).expect("a muscle to picture");
    let run = engine
        .pictures(&pictured, &[0], &[], &Control::new())
        .expect("pictures");
    let words = pictured.muscle.replace('_', " ");
    assert_eq!(run.muscle, pictured.muscle);
    assert!(
        run.days[0].cross_section.title.contains(&words),
        "{} does not name the {words}",
        run.days[0].cross_section.title
    );
}
