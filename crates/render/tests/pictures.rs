//! Pictures parse (SVG) and decode (PNG) with the stated size; the SVG structure is snapshotted.

use std::sync::Arc;

use render::cross_section::{CrossSectionOptions, cross_section_svg, picture_size};
use render::plot::{BandPlot, BandSeries, DayWindow, band_from_runs, band_plot_svg, emg_trace_svg};
use render::raster::{fontdb, svg_to_png};
use views::needle::spontaneous_near;
use views::needle_signal::{sample_sites, synthesize};
use views::reference::Views;
use views::state::OwnedMuscleState;
use views::synthetic;
use views::{AxonState, FibreState};

fn fonts() -> Arc<fontdb::Database> {
    let mut db = fontdb::Database::new();
    db.load_system_fonts();
    render::raster::use_available_generic_families(&mut db);
    Arc::new(db)
}

fn denervated_state() -> OwnedMuscleState {
    let mut s = synthetic::intact("APB", 40, 60, 11);
    synthetic::set_lesion(&mut s, 0.0, 150.0);
    s.day = 120.0;
    // Most units cut; their fibres shrink, some die and become fat.
    for (u, a) in s.unit_axon.iter_mut().enumerate() {
        if u % 5 != 0 {
            *a = AxonState::Degenerated;
        }
    }
    synthetic::denervate_orphans(&mut s, 3.0);
    for i in 0..s.fibre_state.len() {
        if s.fibre_state[i] == FibreState::Denervated {
            s.fibre_csa_um2[i] *= 0.25;
            if i % 9 == 0 {
                s.fibre_state[i] = FibreState::Fat;
            }
        }
    }
    s.fat_fibrous_fraction = 0.2;
    s
}

fn decode(png_bytes: &[u8]) -> (u32, u32) {
    let dec = png::Decoder::new(png_bytes);
    let reader = dec.read_info().expect("PNG decodes");
    let info = reader.info();
    (info.width, info.height)
}

fn out_dir() -> std::path::PathBuf {
    let d = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("views-pictures");
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn cross_section_parses_decodes_and_keeps_its_structure() {
    let s = denervated_state();
    let opts = CrossSectionOptions::default();
    let svg = cross_section_svg(&s.view(), &opts).unwrap();
    let doc = roxmltree::Document::parse(&svg).expect("SVG parses");
    let root = doc.root_element();
    let (w, h) = picture_size(&opts);
    assert_eq!(root.attribute("width"), Some(w.to_string().as_str()));
    assert_eq!(root.attribute("height"), Some(h.to_string().as_str()));
    let count = |id: &str| {
        doc.descendants()
            .find(|n| n.attribute("id") == Some(id))
            .map(|n| n.children().filter(|c| c.is_element()).count())
    };
    let angular = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("angular"))
        .count();
    let normal = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("fibre"))
        .count();
    assert!(angular > 20, "angular fibres drawn: {angular}");
    assert!(normal > 20);
    let structure = format!(
        "root: {} {}x{}\ngroups: {:?}\nfat cells: {:?}\nfibres: {:?} (angular {angular}, normal {normal})\nlegend items: {:?}\nscalebar items: {:?}",
        root.tag_name().name(),
        w,
        h,
        doc.descendants()
            .filter(|n| n.tag_name().name() == "g")
            .filter_map(|n| n.attribute("id"))
            .collect::<Vec<_>>(),
        count("fat"),
        count("fibres"),
        count("legend"),
        count("scalebar"),
    );
    insta::assert_snapshot!("cross_section_structure", structure);
    let (png_bytes, pw, ph) = svg_to_png(&svg, Some(fonts()), 1.0).unwrap();
    assert_eq!((pw, ph), (w, h));
    assert_eq!(decode(&png_bytes), (w, h));
    std::fs::write(out_dir().join("cross_section_denervated.png"), &png_bytes).unwrap();
    let intact = synthetic::intact("APB", 40, 60, 11);
    let (png2, _, _) = svg_to_png(
        &cross_section_svg(&intact.view(), &opts).unwrap(),
        Some(fonts()),
        1.0,
    )
    .unwrap();
    std::fs::write(out_dir().join("cross_section_intact.png"), &png2).unwrap();
    let mut partial = synthetic::intact("APB", 40, 60, 11);
    synthetic::chronic_partial(&mut partial, 0.8, 400.0, 2);
    let (png3, _, _) = svg_to_png(
        &cross_section_svg(&partial.view(), &opts).unwrap(),
        Some(fonts()),
        1.0,
    )
    .unwrap();
    std::fs::write(out_dir().join("cross_section_partial.png"), &png3).unwrap();
}

#[test]
fn emg_trace_and_time_course_render() {
    let v = Views::embedded().unwrap();
    let s = denervated_state();
    let st = s.view();
    let grid = views::needle_signal::FibreGrid::new(&s.fibre_x_um, &s.fibre_y_um, 100.0);
    let site = sample_sites(&st, 1, 3, 500.0)[0];
    let spont = spontaneous_near(&v.params, &st, &grid, site, 250.0);
    let rec = synthesize(
        1.0, &st, &grid, &v.line, &v.params, site, &spont, 0, 10.0, 200.0, 1,
    );
    assert_eq!(
        rec.samples.len(),
        (200.0 * rec.sample_rate_hz / 1000.0) as usize
    );
    assert!(!spont.is_empty(), "fibrillating fibres near the needle");
    let svg = emg_trace_svg(
        &rec.samples,
        rec.sample_rate_hz,
        &format!("At rest, day 120: {}", rec.label),
        (900, 300),
    )
    .unwrap();
    roxmltree::Document::parse(&svg).expect("EMG SVG parses");
    let (png_bytes, w, h) = svg_to_png(&svg, Some(fonts()), 1.0).unwrap();
    assert_eq!(decode(&png_bytes), (w, h));
    assert_eq!((w, h), (900, 300));
    std::fs::write(out_dir().join("emg_rest.png"), &png_bytes).unwrap();

    let intact = synthetic::intact("APB", 40, 60, 11);
    let grid0 = views::needle_signal::FibreGrid::new(&intact.fibre_x_um, &intact.fibre_y_um, 100.0);
    let r0 = views::Reference::from_state(&v, &intact.view()).unwrap();
    let rec0 = synthesize(
        r0.mup_gain(&v.params),
        &intact.view(),
        &grid0,
        &v.line,
        &v.params,
        site,
        &[],
        3,
        10.0,
        200.0,
        1,
    );
    let svg0 = emg_trace_svg(
        &rec0.samples,
        rec0.sample_rate_hz,
        &format!("Weak effort, intact: {}", rec0.label),
        (900, 300),
    )
    .unwrap();
    let (png0, _, _) = svg_to_png(&svg0, Some(fonts()), 1.0).unwrap();
    std::fs::write(out_dir().join("emg_effort_intact.png"), &png0).unwrap();

    let days: Vec<f64> = (0..=100).map(|d| d as f64 * 7.0).collect();
    let runs: Vec<Vec<f64>> = (0..8)
        .map(|k| {
            days.iter()
                .map(|d| (1.0 - (-((d - 200.0 - 10.0 * k as f64).max(0.0)) / 150.0).exp()) * 0.8)
                .collect()
        })
        .collect();
    let plot = BandPlot {
        title: "Voluntary force".into(),
        y_label: "fraction of baseline".into(),
        y_range: Some((0.0, 1.05)),
        series: vec![BandSeries {
            name: "force".into(),
            points: band_from_runs(&days, &runs),
            rgb: (31, 119, 180),
        }],
        windows: vec![DayWindow {
            start_day: 365.0,
            end_day: 540.0,
            label: "window closing (12–18 months)".into(),
        }],
        size: (900, 420),
    };
    let svg = band_plot_svg(&plot).unwrap();
    roxmltree::Document::parse(&svg).expect("band SVG parses");
    let (png_bytes, w, h) = svg_to_png(&svg, Some(fonts()), 1.0).unwrap();
    assert_eq!((w, h), (900, 420));
    assert_eq!(decode(&png_bytes), (900, 420));
    std::fs::write(out_dir().join("time_course.png"), &png_bytes).unwrap();
}

/// A twin run drawn in every stain and as a time strip: the pictures parse, every stain labels
/// itself, atrophic fibres are drawn only once the twin has shrunken denervated fibres, and the
/// H&E picture shows nuclei.
#[test]
fn twin_biopsy_in_every_stain_and_over_time() {
    use render::cross_section::TimeStrip;
    let case = "species = \"human\"\nmuscle = \"abductor_pollicis_brevis\"\nage_years = 35\nhorizon_days = 800\nseed = 5\n\
[injury]\ngrade = \"neurotmesis\"\nday = 0\ndistance_mm = 100\nfraction_of_axons = 0.95\nregrowth = \"prevented\"\n";
    let scenario = twin::Scenario::from_toml_str(case).unwrap();
    let params = twin::Parameters::for_species(scenario.species).unwrap();
    let mut sim = twin::Simulation::new(&scenario, &params, twin::Resolution::Fibre).unwrap();
    let v = Views::embedded().unwrap();
    let s0 = views::adapter::from_simulation(&sim, &scenario.muscle).unwrap();
    let r = views::Reference::from_state(&v, &s0.view()).unwrap();
    let stains = views::params::stains().unwrap();
    let base = CrossSectionOptions {
        centre_um: Some((0.0, 0.0)),
        healthy_csa_um2: Some(r.mean_fibre_csa as f32),
        ..CrossSectionOptions::with_params(&v.params)
    };
    let strip_opts = CrossSectionOptions {
        width_um: 360.0,
        height_um: 360.0,
        px_per_um: 0.8,
        ..base.clone()
    };
    let mut strip = TimeStrip::new(&strip_opts, 3);
    let count = |svg: &str, class: &str| {
        let doc = roxmltree::Document::parse(svg).expect("SVG parses");
        doc.descendants()
            .filter(|n| n.attribute("class") == Some(class))
            .count()
    };
    for day in [0u32, 90, 270] {
        while sim.day() < day {
            sim.step();
        }
        let s = views::adapter::from_simulation(&sim, &scenario.muscle).unwrap();
        strip.add(&s.view(), &format!("day {day}")).unwrap();
        for st in &stains {
            let opts = CrossSectionOptions {
                stain: Some(st.clone()),
                ..base.clone()
            };
            let svg = cross_section_svg(&s.view(), &opts).unwrap();
            assert!(svg.contains(&render::cross_section::escape(&st.label)));
            let angular = count(&svg, "angular");
            if day == 0 {
                assert_eq!(angular, 0, "no atrophic fibre in the healthy muscle");
            }
            if day == 270 {
                assert!(angular > 50, "{} atrophic fibres on day 270", angular);
            }
            if st.nucleus.is_some() {
                assert!(count(&svg, "nucleus") > 100);
            }
            if day != 90 {
                let (png, _, _) = svg_to_png(&svg, Some(fonts()), 1.0).unwrap();
                std::fs::write(out_dir().join(format!("twin_day{day}_{}.png", st.id)), &png)
                    .unwrap();
            }
        }
    }
    let svg = strip.finish();
    let doc = roxmltree::Document::parse(&svg).expect("strip parses");
    let panels = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("panel"))
        .count();
    assert_eq!(panels, 3);
    let (png, _, _) = svg_to_png(&svg, Some(fonts()), 1.0).unwrap();
    std::fs::write(out_dir().join("twin_time_strip.png"), &png).unwrap();
}
