//! Writing pictures and the HTML report to disk: the engine makes the readings and pictures
//! (`engine::pictures`: SVG text, PNG and WAV bytes, samples); this module arranges them and does
//! the I/O.
//!
//! * [`write_day`]: writes one day's pictures (SVG and PNG), raw EMG samples (CSV and WAV), the
//!   readout (`readout.json`) and the pictures' data (`views.json`) into a directory — used by
//!   `reinnervate snapshot` and by the report.
//! * [`write_report`]: runs a case (the case's own seed at fibre resolution — the run `simulate`
//!   and `snapshot` make — for the readings, events and pictures; several seeds at pooled
//!   resolution for the uncertainty bands) and writes `index.html` (self-contained: pictures
//!   inline, printable), the PNGs, `readings.json` and `time_course.csv`.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;
use engine::pictures::plot::{
    BandPlot, BandSeries, DayWindow, PALETTE, band_from_runs, band_plot_svg,
};
use engine::pictures::{DayPictures, DayViews, Fonts, Picture, escape, png};
use engine::readout::Readout;
use engine::twin;

use crate::simulate::grade_text;

/// Seeds used for the uncertainty bands of the report.
pub const BAND_SEEDS: u64 = 5;

/// Writes one day's pictures into `dir` with file names prefixed by `prefix`.
pub fn write_day(
    dir: &Path,
    prefix: &str,
    pics: &DayPictures,
    fonts: &Fonts,
) -> anyhow::Result<Vec<String>> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut written = Vec::new();
    for picture in pics.all() {
        written.extend(write_picture(dir, prefix, picture, fonts)?);
    }
    for trace in [&pics.emg_rest, &pics.emg_effort] {
        let name = &trace.picture.name;
        let path = dir.join(format!("{prefix}{name}.csv"));
        std::fs::write(&path, trace.csv())
            .with_context(|| format!("writing {}", path.display()))?;
        written.push(path.display().to_string());
        let path = dir.join(format!("{prefix}{name}.wav"));
        std::fs::write(&path, trace.wav())
            .with_context(|| format!("writing {}", path.display()))?;
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

/// Writes a picture as `<prefix><name>.svg` and `.png`; returns the paths.
pub fn write_picture(
    dir: &Path,
    prefix: &str,
    picture: &Picture,
    fonts: &Fonts,
) -> anyhow::Result<Vec<String>> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let svg_path = dir.join(format!("{prefix}{}.svg", picture.name));
    std::fs::write(&svg_path, &picture.svg)
        .with_context(|| format!("writing {}", svg_path.display()))?;
    let png_path = dir.join(format!("{prefix}{}.png", picture.name));
    std::fs::write(&png_path, picture.png(fonts)?)
        .with_context(|| format!("writing {}", png_path.display()))?;
    Ok(vec![
        svg_path.display().to_string(),
        png_path.display().to_string(),
    ])
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
/// `strip_days`: the days of the time strip (empty: the picture days).
pub fn write_report(
    engine: &engine::Engine,
    scenario: &twin::Scenario,
    case_name: &str,
    dir: &Path,
    strip_days: &[u32],
) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("creating report directory {}", dir.display()))?;
    let fonts = Fonts::system();
    let horizon = scenario.horizon_days;
    // Several seeds for the bands (pooled resolution: the same equations, faster).
    let courses = engine.band_courses(scenario, BAND_SEEDS, &engine::Control::new())?;
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
    // The window comes from the cited views data (`[report]`), in mean calendar months.
    let report_constants = engine::pictures::report_constants()?;
    let win = &report_constants.reinnervation_window_months;
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
        std::fs::write(dir.join(&file), png(&svg, &fonts)?)
            .with_context(|| format!("writing {file}"))?;
        let _ = write!(
            html,
            "<figure>{}<figcaption>{}</figcaption></figure>",
            strip_xml_decl(&svg),
            escape(label)
        );
    }
    // CSV of the time course (seed 0 of the bands = the case's own first draw, all quantities),
    // in the facade's one time-course format, keyed by the band seed.
    let csv = engine::table::keyed_courses_csv(
        "seed_index",
        courses
            .iter()
            .enumerate()
            .map(|(k, c)| (k, c.days.as_slice())),
    );
    std::fs::write(dir.join("time_course.csv"), csv).context("writing time_course.csv")?;
    // Pictures and readings at chosen days (fibre resolution, the case's own seed), run to the
    // horizon for the event days.
    let pdays = engine::pictures::picture_days(scenario);
    let mut sdays: Vec<u32> = if strip_days.is_empty() {
        pdays.clone()
    } else {
        strip_days.to_vec()
    };
    sdays.sort_unstable();
    sdays.dedup();
    let run = engine.pictures(scenario, &pdays, &sdays, &engine::Control::new())?;
    for pics in &run.days {
        write_day(dir, &format!("day{:04}_", pics.day), pics, &fonts)?;
    }
    for strip in &run.strips {
        write_picture(dir, "", strip, &fonts)?;
    }
    let ev = run.events;
    let sections = run.days;
    let strip_svgs = &run.strips;
    let readings: Vec<&Readout> = sections.iter().map(|p| &p.readout).collect();
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
    let _ = write!(
        html,
        "<h2>The same field over time</h2><p>The same 360 × 360 µm field of the muscle (around the needle site) on days {}: \
the packed mosaic of the twin's fibres (each of the twin's cross-section), in ATPase pH 9.4 (types) and H&amp;E. Files: time_strip_*.svg/.png.</p>",
        sdays
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    for strip in strip_svgs {
        let id = strip.name.trim_start_matches("time_strip_");
        let _ = write!(
            html,
            "<figure>{}<figcaption>Time strip, {id}.</figcaption></figure>",
            strip_xml_decl(&strip.svg)
        );
    }
    for pics in &sections {
        let day = pics.day;
        let _ = write!(
            html,
            "<section class=\"day\"><h2>Day {day}</h2>{}\
<figure>{}<figcaption>Cross-section, myosin ATPase pH 9.4 (simulated). Files: day{day:04}_cross_section.svg/.png; the other stains in day{day:04}_cross_section_&lt;stain&gt;.svg/.png</figcaption></figure>{}\
<figure>{}<figcaption>Compound muscle action potentials.</figcaption></figure>\
<figure>{}<figcaption>Synthetic concentric-needle EMG at rest ({:.0} kHz; first 200 ms; 2 s of raw samples in day{day:04}_emg_rest.csv and .wav).</figcaption></figure>\
<figure>{}<figcaption>Synthetic concentric-needle EMG at a weak effort (first 200 ms; 2 s in day{day:04}_emg_effort.csv and .wav).</figcaption></figure></section>",
            day_table(&pics.readout, &pics.views),
            strip_xml_decl(&pics.cross_section.svg),
            pics.stains
                .iter()
                .map(|p| format!(
                    "<figure>{}<figcaption>The same field, stain {} (simulated).</figcaption></figure>",
                    strip_xml_decl(&p.svg),
                    p.name.trim_start_matches("cross_section_")
                ))
                .collect::<String>(),
            strip_xml_decl(&pics.cmap.picture.svg),
            strip_xml_decl(&pics.emg_rest.picture.svg),
            pics.emg_rest.sample_rate_hz / 1000.0,
            strip_xml_decl(&pics.emg_effort.picture.svg),
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

fn findings_table(sections: &[DayPictures]) -> String {
    let mut t = String::from(
        "<table><tr><th>day</th><th>MRC</th><th>voluntary force</th><th>distal CMAP</th><th>proximal CMAP</th><th>block</th><th>CV</th>\
<th>fibs/PSW</th><th>MUP type</th><th>recruitment</th><th>firing rate</th><th>MUP amplitude</th><th>MUP duration</th><th>polyphasic</th><th>type grouping</th></tr>",
    );
    for p in sections {
        let day = p.day;
        let r = &p.readout;
        let v = &p.views;
        let c = &r.cmap;
        let _ = write!(
            t,
            "<tr><td>{day}</td><td>{}</td><td>{:.0}%</td><td>{:.1} mV ({:.0}%)</td><td>{:.1} mV</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} ({:.0} units)</td><td>{:.0} Hz</td><td>{}</td><td>{}</td><td>{:.0}%</td><td>{:.2}</td></tr>",
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
            r.needle.recruitment.firing_rate_hz,
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
