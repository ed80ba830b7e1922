//! Writing pictures and the HTML report to disk (the `readout` crate reads the day, `views` makes
//! the pictures' data, `render` draws them; this module does the I/O).
//!
//! * [`day_pictures`]: the clinical readout of one day, and the cross-section, needle EMG at rest
//!   and at a weak effort, and the CMAPs, as SVG strings plus raw EMG samples.
//! * [`write_day`]: writes one day's pictures (SVG and PNG), raw EMG samples (CSV), the readout
//!   (`readout.json`) and the pictures' data (`views.json`) into a directory — used by
//!   `reinnervate snapshot` and by the report.
//! * [`write_report`]: runs a case (the case's own seed at fibre resolution — the run `simulate`
//!   and `snapshot` make — for the readings, events and pictures; several seeds at pooled
//!   resolution for the uncertainty bands) and writes `index.html` (self-contained: pictures
//!   inline, printable), the PNGs, `readings.json` and `time_course.csv`.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use engine::readout::Readout;
use render::cross_section::{CrossSectionOptions, cross_section_svg, escape};
use render::plot::{
    BandPlot, BandSeries, DayWindow, PALETTE, band_from_runs, band_plot_svg, cmap_svg,
    emg_trace_svg,
};
use render::raster::{fontdb, svg_to_png, use_available_generic_families};
use views::Reference;
use views::needle::spontaneous_near;
use views::needle_signal::{FibreGrid, NeedleSite, synthesize};
use views::reference::Views;
use views::state::MuscleState;
use views::summary::{DayViews, day_views};

use crate::simulate::grade_text;

/// Duration of each synthetic EMG record (CSV and WAV), ms.
pub const EMG_MS: f64 = 2000.0;
/// Part of the record drawn in the EMG plots, ms (a 200 ms sweep).
pub const EMG_PLOT_MS: f64 = 200.0;
/// Seeds used for the uncertainty bands of the report.
pub const BAND_SEEDS: u64 = 5;

/// System fonts for rasterising text (empty database if none are found).
pub fn system_fonts() -> Arc<fontdb::Database> {
    let mut db = fontdb::Database::new();
    db.load_system_fonts();
    use_available_generic_families(&mut db);
    Arc::new(db)
}

/// One day's readings and pictures.
pub struct DayPictures {
    /// The clinical readout of the day.
    pub readout: Readout,
    /// The pictures' data of the day.
    pub views: DayViews,
    /// Cross-section SVG.
    pub cross_section: String,
    /// EMG at rest SVG.
    pub emg_rest: String,
    /// EMG at a weak effort SVG.
    pub emg_effort: String,
    /// CMAP SVG.
    pub cmap: String,
    /// Raw samples at rest, µV.
    pub rest_samples: Vec<f64>,
    /// Raw samples at a weak effort, µV.
    pub effort_samples: Vec<f64>,
    /// Sampling rate, Hz.
    pub sample_rate_hz: f64,
}

/// The needle site: the reference site nearest the centre of the muscle.
fn centre_site(state: &MuscleState<'_>, reference: &Reference) -> Option<NeedleSite> {
    let n = state.n_fibres() as f32;
    if n == 0.0 {
        return None;
    }
    let cx = state.fibre_x_um.iter().sum::<f32>() / n;
    let cy = state.fibre_y_um.iter().sum::<f32>() / n;
    reference
        .sites
        .iter()
        .copied()
        .min_by(|a, b| {
            let da = (a.x_um - cx).powi(2) + (a.y_um - cy).powi(2);
            let db = (b.x_um - cx).powi(2) + (b.y_um - cy).powi(2);
            da.total_cmp(&db)
        })
        .or(Some(NeedleSite { x_um: cx, y_um: cy }))
}

/// Makes the pictures of one day; `reading` is the day's clinical readout (the CMAPs are drawn at
/// its amplitudes, the effort trace recruits its units at its firing rate).
pub fn day_pictures(
    views: &Views,
    reference: &Reference,
    state: &MuscleState<'_>,
    reading: Readout,
) -> anyhow::Result<DayPictures> {
    let dv = day_views(views, state, reference, &reading.cmap)?;
    let p = &views.params;
    let site = centre_site(state, reference).context("the muscle has no fibres")?;
    let opts = CrossSectionOptions {
        centre_um: Some((site.x_um, site.y_um)),
        title: format!("{} — day {:.0}", state.muscle.replace('_', " "), state.day),
        healthy_csa_um2: Some(reference.mean_fibre_csa as f32),
        ..CrossSectionOptions::with_params(p)
    };
    let cross_section = cross_section_svg(state, &opts)?;
    let grid = FibreGrid::new(state.fibre_x_um, state.fibre_y_um, 100.0);
    let gain = reference.mup_gain(p);
    let spont = spontaneous_near(p, state, &grid, site, p.needle.rest_radius_um.value as f32);
    let seed = 0xE3 ^ (state.day as u64);
    let rest = synthesize(
        gain,
        state,
        &grid,
        &views.line,
        p,
        site,
        &spont,
        0,
        10.0,
        EMG_MS,
        seed,
    );
    let recruitment = &reading.needle.recruitment;
    let units = (recruitment.units.round() as usize).min(3);
    let effort = synthesize(
        gain,
        state,
        &grid,
        &views.line,
        p,
        site,
        &[],
        units,
        recruitment.firing_rate_hz.max(1.0),
        EMG_MS,
        seed + 1,
    );
    let day = state.day;
    let shown = ((EMG_PLOT_MS * rest.sample_rate_hz / 1000.0) as usize).min(rest.samples.len());
    let emg_rest = emg_trace_svg(
        &rest.samples[..shown],
        rest.sample_rate_hz,
        &format!("Needle EMG at rest, day {day:.0}: {}", rest.label),
        (900, 280),
    )?;
    let effort_label = if units == 0 {
        "no motor unit can be recruited".to_string()
    } else {
        effort.label.clone()
    };
    let emg_effort = emg_trace_svg(
        &effort.samples[..shown.min(effort.samples.len())],
        effort.sample_rate_hz,
        &format!("Weak voluntary effort, day {day:.0}: {effort_label}"),
        (900, 280),
    )?;
    let mv = p.ncs_for(state.muscle).cmap_mv.mean;
    let c = &dv.conduction;
    // Show the CMAP record up to 10 ms past the last response (at least 30 ms).
    let last = c
        .distal
        .waveform
        .iter()
        .rposition(|v| v.abs() > 1e-4)
        .max(c.proximal.waveform.iter().rposition(|v| v.abs() > 1e-4))
        .unwrap_or(0);
    let keep = ((last as f64 * views::conduction::CMAP_DT_MS + 10.0).max(30.0)
        / views::conduction::CMAP_DT_MS) as usize;
    let cmap = cmap_svg(
        &[
            (
                "distal stimulation",
                &c.distal.waveform[..keep.min(c.distal.waveform.len())],
            ),
            (
                "proximal to the lesion",
                &c.proximal.waveform[..keep.min(c.proximal.waveform.len())],
            ),
        ],
        views::conduction::CMAP_DT_MS,
        mv,
        &format!("CMAP, day {day:.0}"),
        (600, 300),
    )?;
    Ok(DayPictures {
        readout: reading,
        views: dv,
        cross_section,
        emg_rest,
        emg_effort,
        cmap,
        rest_samples: rest.samples,
        effort_samples: effort.samples,
        sample_rate_hz: rest.sample_rate_hz,
    })
}

fn samples_csv(samples: &[f64], fs: f64) -> String {
    let mut s = format!(
        "# synthetic concentric-needle EMG, sampling rate {fs} Hz, microvolts (physical sign)\ntime_ms,microvolts\n"
    );
    for (i, v) in samples.iter().enumerate() {
        let _ = writeln!(s, "{:.3},{:.2}", i as f64 * 1000.0 / fs, v);
    }
    s
}

/// Writes one day's pictures into `dir` with file names prefixed by `prefix`.
pub fn write_day(
    dir: &Path,
    prefix: &str,
    pics: &DayPictures,
    fonts: &Arc<fontdb::Database>,
) -> anyhow::Result<Vec<String>> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut written = Vec::new();
    for (name, svg) in [
        ("cross_section", &pics.cross_section),
        ("emg_rest", &pics.emg_rest),
        ("emg_effort", &pics.emg_effort),
        ("cmap", &pics.cmap),
    ] {
        let svg_path = dir.join(format!("{prefix}{name}.svg"));
        std::fs::write(&svg_path, svg)
            .with_context(|| format!("writing {}", svg_path.display()))?;
        let (png, _, _) = svg_to_png(svg, Some(fonts.clone()), 1.0)?;
        let png_path = dir.join(format!("{prefix}{name}.png"));
        std::fs::write(&png_path, png)
            .with_context(|| format!("writing {}", png_path.display()))?;
        written.push(svg_path.display().to_string());
        written.push(png_path.display().to_string());
    }
    for (name, samples) in [
        ("emg_rest", &pics.rest_samples),
        ("emg_effort", &pics.effort_samples),
    ] {
        let path = dir.join(format!("{prefix}{name}.csv"));
        std::fs::write(&path, samples_csv(samples, pics.sample_rate_hz))
            .with_context(|| format!("writing {}", path.display()))?;
        written.push(path.display().to_string());
        let path = dir.join(format!("{prefix}{name}.wav"));
        let wav = views::needle_signal::wav_bytes(samples, pics.sample_rate_hz, 2000.0);
        std::fs::write(&path, wav).with_context(|| format!("writing {}", path.display()))?;
        written.push(path.display().to_string());
    }
    for (name, json) in [
        ("readout", serde_json::to_string_pretty(&pics.readout)?),
        ("views", serde_json::to_string_pretty(&pics.views)?),
    ] {
        let path = dir.join(format!("{prefix}{name}.json"));
        std::fs::write(&path, json).with_context(|| format!("writing {}", path.display()))?;
        written.push(path.display().to_string());
    }
    Ok(written)
}

/// The embedded views data.
pub fn views_engine() -> anyhow::Result<Views> {
    Ok(Views::embedded()?)
}

/// Runs `scenario` at fibre resolution with its own seed (the run `simulate` makes by default) and
/// calls `at_day` on each of `days` with the simulation, the pre-injury reference and the day's
/// clinical readout; returns the event days of the run so far.
pub fn simulate_to(
    scenario: &twin::Scenario,
    days: &[u32],
    mut at_day: impl FnMut(&twin::Simulation, &Reference, Readout) -> anyhow::Result<()>,
) -> anyhow::Result<twin::Events> {
    let params = twin::Parameters::for_species(scenario.species)?;
    let mut sim = twin::Simulation::new(scenario, &params, twin::Resolution::Fibre)?;
    let constants = engine::readout::Constants::embedded()?;
    let views = views_engine()?;
    let s0 = views::adapter::from_simulation(&sim, &scenario.muscle)?;
    let reference = Reference::from_state(&views, &s0.view())?;
    let mut days = days.to_vec();
    days.sort_unstable();
    days.dedup();
    for d in days {
        while sim.day() < d {
            sim.step();
        }
        let reading = engine::readout::read(constants, &scenario.muscle, &sim.quantities());
        at_day(&sim, &reference, reading)?;
    }
    Ok(sim.events())
}

/// Days at which the report shows pictures.
pub fn picture_days(scenario: &twin::Scenario) -> Vec<u32> {
    let injury = scenario.injury.as_ref().map_or(0.0, |i| i.day.0) as u32;
    let mut d: Vec<u32> = [0, 21, 90, 180, 365, 730]
        .into_iter()
        .map(|x| if x == 0 { 0 } else { injury + x })
        .filter(|&x| x <= scenario.horizon_days)
        .collect();
    d.push(scenario.horizon_days);
    d.sort_unstable();
    d.dedup();
    d
}

const QUANTITIES: [(&str, &str, &str); 6] = [
    (
        "voluntary_force_fraction",
        "Voluntary force",
        "fraction of baseline",
    ),
    (
        "cmap_fraction",
        "CMAP amplitude (distal stimulation)",
        "fraction of baseline",
    ),
    (
        "motor_unit_count_fraction",
        "Functioning motor units",
        "fraction of baseline",
    ),
    (
        "fiber_csa_fraction",
        "Mean fibre cross-section",
        "fraction of baseline",
    ),
    (
        "fat_fibrous_fraction",
        "Fat and connective tissue",
        "share of the muscle",
    ),
    (
        "fibrillation_grade",
        "Fibrillations / positive sharp waves",
        "grade (0–4+)",
    ),
];

/// Writes the report directory: `index.html`, pictures and `time_course.csv`.
pub fn write_report(scenario: &twin::Scenario, case_name: &str, dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("creating report directory {}", dir.display()))?;
    let fonts = system_fonts();
    let params = twin::Parameters::for_species(scenario.species)?;
    let horizon = scenario.horizon_days;
    // Several seeds for the bands (pooled resolution: the same equations, faster).
    let mut courses = Vec::new();
    for k in 0..BAND_SEEDS {
        let mut s = scenario.clone();
        s.seed = twin::cohort::draw_seed(scenario.seed, k as usize);
        let sim = twin::Simulation::new(&s, &params, twin::Resolution::Pooled)?;
        courses.push(sim.run(horizon));
    }
    let days: Vec<f64> = (0..=horizon).map(f64::from).collect();
    let injury_day = scenario.injury.as_ref().map_or(0.0, |i| i.day.0);
    let mut html = String::new();
    let title = format!("reinnervate report — {}", case_name);
    let _ = write!(
        html,
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{}</title><style>
body{{font-family:"DejaVu Sans",Arial,sans-serif;max-width:1000px;margin:1.5em auto;color:#222;line-height:1.4}}
h1{{font-size:1.5em}} h2{{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.6em}}
.warn{{border:2px solid #b00;background:#fff4f4;padding:.6em 1em;font-weight:bold}}
table{{border-collapse:collapse;margin:.6em 0;font-size:.9em}} td,th{{border:1px solid #bbb;padding:.2em .5em;text-align:right}}
th{{background:#f0f0f0}} td:first-child,th:first-child{{text-align:left}}
figure{{margin:.8em 0;page-break-inside:avoid}} figcaption{{font-size:.85em;color:#555}}
svg{{max-width:100%;height:auto}} .day{{page-break-before:always}}
@media print{{body{{margin:0}} .day{{page-break-before:always}}}}
</style></head><body>"#,
        escape(&title)
    );
    let _ = write!(
        html,
        "<h1>{}</h1><p class=\"warn\">{}</p>",
        escape(&title),
        escape(engine::DISCLAIMER)
    );
    let _ = write!(
        html,
        "<h2>Case</h2><pre>{}</pre>",
        escape(&toml::to_string_pretty(scenario).unwrap_or_else(|_| format!("{scenario:?}")))
    );
    // Time courses.
    let views_engine = views_engine()?;
    // The window comes from the cited views data (`[report]`), in mean calendar months.
    let win = &views_engine.params.report.reinnervation_window_months;
    const DAYS_PER_MONTH: f64 = 365.25 / 12.0;
    let _ = write!(
        html,
        "<h2>Time course</h2><p>Median and 10th–90th percentile band over {BAND_SEEDS} further seeds of the twin (pooled resolution) — \
the spread of the course, not the case's own run; the readings, events and pictures below are the case's own seed at fibre resolution, \
the run <code>simulate</code> and <code>snapshot</code> make. \
The shaded interval marks {lo:.0}–{hi:.0} months of denervation after the injury, after which reinnervation is unlikely in humans \
(source: {src}; {asm}).</p>",
        lo = win.low,
        hi = win.high,
        src = escape(&win.source),
        asm = escape(win.assumption.as_deref().unwrap_or("")),
    );
    let window = DayWindow {
        start_day: injury_day + win.low * DAYS_PER_MONTH,
        end_day: injury_day + win.high * DAYS_PER_MONTH,
        label: format!(
            "{:.0}–{:.0} months denervated: window closing",
            win.low, win.high
        ),
    };
    for (k, (name, label, unit)) in QUANTITIES.iter().enumerate() {
        let runs: Vec<Vec<f64>> = courses
            .iter()
            .map(|c| {
                c.days
                    .iter()
                    .map(|q| q.get(name).unwrap_or(f64::NAN))
                    .collect()
            })
            .collect();
        let plot = BandPlot {
            title: (*label).into(),
            y_label: (*unit).into(),
            y_range: if *name == "fibrillation_grade" {
                Some((0.0, 4.2))
            } else {
                Some((0.0, 1.1))
            },
            series: vec![BandSeries {
                name: (*label).into(),
                points: band_from_runs(&days, &runs),
                rgb: PALETTE[k % PALETTE.len()],
            }],
            windows: if scenario.injury.is_some() {
                vec![window.clone()]
            } else {
                vec![]
            },
            size: (900, 340),
        };
        let svg = band_plot_svg(&plot)?;
        let file = format!("time_{name}.png");
        let (png, _, _) = svg_to_png(&svg, Some(fonts.clone()), 1.0)?;
        std::fs::write(dir.join(&file), png).with_context(|| format!("writing {file}"))?;
        let _ = write!(
            html,
            "<figure>{}<figcaption>{}</figcaption></figure>",
            strip_xml_decl(&svg),
            escape(label)
        );
    }
    // CSV of the time course (seed 0 of the bands = the case's own first draw, all quantities).
    let mut csv = String::from("seed_index,");
    csv.push_str(&twin::Quantities::NAMES.join(","));
    csv.push('\n');
    for (k, c) in courses.iter().enumerate() {
        for q in &c.days {
            let _ = write!(csv, "{k}");
            for n in twin::Quantities::NAMES {
                let _ = write!(
                    csv,
                    ",{}",
                    q.get(n).map_or(String::new(), |v| format!("{v}"))
                );
            }
            csv.push('\n');
        }
    }
    std::fs::write(dir.join("time_course.csv"), csv).context("writing time_course.csv")?;
    // Pictures and readings at chosen days (fibre resolution, the case's own seed), run to the
    // horizon for the event days.
    let pdays = picture_days(scenario);
    let mut sections = Vec::new();
    let ev = simulate_to(scenario, &pdays, |sim, reference, reading| {
        let s = views::adapter::from_simulation(sim, &scenario.muscle)?;
        let pics = day_pictures(&views_engine, reference, &s.view(), reading)?;
        write_day(dir, &format!("day{:04}_", sim.day()), &pics, &fonts)?;
        sections.push((sim.day(), pics));
        Ok(())
    })?;
    let readings: Vec<&Readout> = sections.iter().map(|(_, p)| &p.readout).collect();
    std::fs::write(
        dir.join("readings.json"),
        serde_json::to_string_pretty(&serde_json::json!({
            "seed": scenario.seed,
            "resolution": twin::Resolution::Fibre,
            "events": ev,
            "readings": readings,
        }))?,
    )
    .context("writing readings.json")?;
    let evs = |x: Option<u32>| x.map_or("not reached".to_string(), |d| format!("day {d}"));
    let _ = write!(
        html,
        "<h2>Key numbers (seed {}, fibre resolution)</h2><table><tr><th>event</th><th>day</th></tr>\
<tr><td>first reinnervation</td><td>{}</td></tr><tr><td>first fibrillations</td><td>{}</td></tr>\
<tr><td>MRC 3 reached</td><td>{}</td></tr><tr><td>MRC 5 reached</td><td>{}</td></tr></table>\
<p>The time course of every quantity for every band seed is in <code>time_course.csv</code>; the readings of the days below in <code>readings.json</code>.</p>",
        scenario.seed,
        evs(ev.first_reinnervation_day),
        evs(ev.first_fibrillation_day),
        evs(ev.mrc_3_day),
        evs(ev.mrc_5_day)
    );
    let _ = write!(
        html,
        "<h2>Findings by day</h2>{}",
        findings_table(&sections)
    );
    for (day, pics) in &sections {
        let _ = write!(
            html,
            "<section class=\"day\"><h2>Day {day}</h2>{}\
<figure>{}<figcaption>Cross-section (simulated ATPase-like stain). Files: day{day:04}_cross_section.svg/.png</figcaption></figure>\
<figure>{}<figcaption>Compound muscle action potentials.</figcaption></figure>\
<figure>{}<figcaption>Synthetic concentric-needle EMG at rest ({:.0} kHz; first 200 ms; 2 s of raw samples in day{day:04}_emg_rest.csv and .wav).</figcaption></figure>\
<figure>{}<figcaption>Synthetic concentric-needle EMG at a weak effort (first 200 ms; 2 s in day{day:04}_emg_effort.csv and .wav).</figcaption></figure></section>",
            day_table(&pics.readout, &pics.views),
            strip_xml_decl(&pics.cross_section),
            strip_xml_decl(&pics.cmap),
            strip_xml_decl(&pics.emg_rest),
            pics.sample_rate_hz / 1000.0,
            strip_xml_decl(&pics.emg_effort),
        );
    }
    let _ = write!(
        html,
        "<h2>How these were made</h2><p>Every reading (MRC, strength, size, CMAP, fibrillations, MUP type, recruitment) is the clinical readout \
(<code>readout</code> crate) of the twin's calibrated daily quantities — the same readings <code>simulate</code> and <code>snapshot</code> print; \
its constants are cited in <code>data/readout/readout.toml</code>, and assumptions are named there. Fractions are relative to the same muscle healthy; \
millivolts use cited normal means. The CMAPs are drawn at the readout's amplitudes; the MUP amplitude and duration are measured on the synthetic \
recordings (<code>views</code> crate, constants in <code>data/views/</code>), relative to the same muscle before the injury. \
The synthetic EMG uses a line-source volume-conductor model (Nandedkar &amp; Stålberg 1983) with the Rosenfalck (1969) action potential.</p>\
<p class=\"warn\">{}</p></body></html>",
        escape(engine::DISCLAIMER)
    );
    std::fs::write(dir.join("index.html"), html).context("writing index.html")?;
    Ok(())
}

fn strip_xml_decl(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    }
}

fn fmt_opt(x: Option<f64>, unit: &str) -> String {
    x.map_or("—".to_string(), |v| format!("{v:.1} {unit}"))
}

fn fmt_rel(x: f64) -> String {
    if x.is_finite() {
        format!("{:.2}×", x)
    } else {
        "—".into()
    }
}

fn findings_table(sections: &[(u32, DayPictures)]) -> String {
    let mut t = String::from(
        "<table><tr><th>day</th><th>MRC</th><th>voluntary force</th><th>distal CMAP</th><th>proximal CMAP</th><th>block</th><th>CV</th>\
<th>fibs/PSW</th><th>MUP type</th><th>recruitment</th><th>MUP amplitude</th><th>MUP duration</th><th>polyphasic</th><th>type grouping</th></tr>",
    );
    for (day, p) in sections {
        let r = &p.readout;
        let v = &p.views;
        let c = &r.cmap;
        let _ = write!(
            t,
            "<tr><td>{day}</td><td>{}</td><td>{:.0}%</td><td>{:.1} mV ({:.0}%)</td><td>{:.1} mV</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} ({:.0} units)</td><td>{}</td><td>{}</td><td>{:.0}%</td><td>{:.2}</td></tr>",
            r.strength.mrc,
            100.0 * r.strength.voluntary_force_fraction,
            c.distal_mv,
            100.0 * c.distal_fraction,
            c.proximal_mv,
            if c.block { "yes" } else { "no" },
            fmt_opt(c.velocity_m_s, "m/s"),
            grade_text(r.needle.fibrillation_grade),
            r.needle.mup.as_str(),
            r.needle.recruitment.pattern.as_str(),
            r.needle.recruitment.units,
            fmt_rel(v.mup.amplitude_rel),
            fmt_rel(v.mup.duration_rel),
            100.0 * v.mup.polyphasic_fraction,
            v.grouping.index,
        );
    }
    t.push_str("</table><p>MRC to recruitment: the clinical readout. MUP amplitude, duration and polyphasic share: measured on the synthetic needle recordings, relative to the same muscle before the injury. Type grouping: 0 random mosaic, 1 complete segregation.</p>");
    t
}

fn day_table(r: &Readout, v: &DayViews) -> String {
    let c = &r.cmap;
    let s = &r.strength;
    let z = &r.size;
    let n = &r.needle;
    format!(
        "<table><tr><th>Strength and size</th><th></th></tr>\
<tr><td>MRC grade</td><td>{}</td></tr><tr><td>voluntary force</td><td>{:.0}%</td></tr>\
<tr><td>force on direct muscle stimulation</td><td>{:.0}%</td></tr><tr><td>force on nerve stimulation distal to the lesion</td><td>{:.0}%</td></tr>\
<tr><td>muscle mass</td><td>{:.0}%</td></tr><tr><td>mean fibre cross-section</td><td>{:.0}%</td></tr><tr><td>innervated fibres</td><td>{:.0}%</td></tr>\
<tr><td>fat and connective tissue</td><td>{:.0}%</td></tr>\
<tr><th>Nerve conduction</th><th></th></tr>\
<tr><td>distal CMAP</td><td>{:.1} mV ({:.0}%, {}), latency {}</td></tr><tr><td>proximal CMAP</td><td>{:.1} mV ({:.0}%)</td></tr>\
<tr><td>conduction velocity</td><td>{}</td></tr><tr><td>conduction block</td><td>{}</td></tr>\
<tr><th>Needle EMG</th><th></th></tr>\
<tr><td>fibrillations, positive sharp waves</td><td>{}</td></tr><tr><td>MUP type</td><td>{}</td></tr>\
<tr><td>recruitment</td><td>{}, {:.0} units, first unit at {:.0} Hz</td></tr>\
<tr><td>synthetic MUP amplitude, duration</td><td>{:.0} µV, {:.1} ms ({}, {})</td></tr>\
<tr><td>polyphasic MUPs (synthetic)</td><td>{:.0}%</td></tr></table>",
        s.mrc,
        100.0 * s.voluntary_force_fraction,
        100.0 * s.direct_muscle_stimulation_force_fraction,
        100.0 * s.distal_nerve_stimulation_force_fraction,
        100.0 * z.muscle_mass_fraction,
        100.0 * z.fibre_csa_fraction,
        100.0 * z.innervated_fibre_fraction,
        100.0 * z.fat_fibrous_fraction,
        c.distal_mv,
        100.0 * c.distal_fraction,
        level_text(c.level),
        fmt_opt(c.distal_latency_ms, "ms"),
        c.proximal_mv,
        100.0 * c.proximal_fraction,
        fmt_opt(c.velocity_m_s, "m/s"),
        if c.block { "yes" } else { "no" },
        grade_text(n.fibrillation_grade),
        n.mup.as_str(),
        n.recruitment.pattern.as_str(),
        n.recruitment.units,
        n.recruitment.firing_rate_hz,
        if v.mup.amplitude_uv.is_finite() {
            v.mup.amplitude_uv
        } else {
            0.0
        },
        if v.mup.duration_ms.is_finite() {
            v.mup.duration_ms
        } else {
            0.0
        },
        fmt_rel(v.mup.amplitude_rel),
        fmt_rel(v.mup.duration_rel),
        100.0 * v.mup.polyphasic_fraction,
    )
}

fn level_text(l: engine::readout::Level) -> &'static str {
    match l {
        engine::readout::Level::Absent => "absent",
        engine::readout::Level::Reduced => "reduced",
        engine::readout::Level::Normal => "normal",
    }
}
