//! Plots as SVG (plotters): time courses with an uncertainty band and the reinnervation window,
//! EMG traces and CMAP waveforms.
//!
//! [`band_plot_svg`] is the public entry point for any source of bands: several seeds now
//! ([`band_from_runs`]), Monte Carlo quantiles from the prognosis later — each series is a list of
//! `(day, p10, median, p90)` points.

use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use crate::RenderError;

/// One point of a band: the 10th, 50th and 90th percentiles on a day.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BandPoint {
    /// Day.
    pub day: f64,
    /// 10th percentile.
    pub p10: f64,
    /// Median.
    pub median: f64,
    /// 90th percentile.
    pub p90: f64,
}

/// A named series with its band.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BandSeries {
    /// Legend label.
    pub name: String,
    /// Points in day order.
    pub points: Vec<BandPoint>,
    /// Colour (RGB).
    pub rgb: (u8, u8, u8),
}

/// A marked interval of days (e.g. the reinnervation window, or when axons arrive).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DayWindow {
    /// First day.
    pub start_day: f64,
    /// Last day.
    pub end_day: f64,
    /// Label.
    pub label: String,
}

/// A time-course plot.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BandPlot {
    /// Title.
    pub title: String,
    /// Y-axis label.
    pub y_label: String,
    /// Y range (None: from the data).
    pub y_range: Option<(f64, f64)>,
    /// Series.
    pub series: Vec<BandSeries>,
    /// Marked windows.
    pub windows: Vec<DayWindow>,
    /// Size in px.
    pub size: (u32, u32),
}

/// Default palette.
pub const PALETTE: [(u8, u8, u8); 6] = [
    (31, 119, 180),
    (214, 39, 40),
    (44, 160, 44),
    (148, 103, 189),
    (255, 127, 14),
    (23, 190, 207),
];

/// Quantile bands across runs: `runs[k][j]` is run k's value on `days[j]`.
pub fn band_from_runs(days: &[f64], runs: &[Vec<f64>]) -> Vec<BandPoint> {
    days.iter()
        .enumerate()
        .map(|(j, &day)| {
            let mut v: Vec<f64> = runs
                .iter()
                .filter_map(|r| r.get(j).copied())
                .filter(|x| x.is_finite())
                .collect();
            v.sort_by(f64::total_cmp);
            let q = |p: f64| -> f64 {
                if v.is_empty() {
                    return f64::NAN;
                }
                let x = p * (v.len() - 1) as f64;
                let (i, f) = (x.floor() as usize, x - x.floor());
                if i + 1 < v.len() {
                    v[i] * (1.0 - f) + v[i + 1] * f
                } else {
                    v[i]
                }
            };
            BandPoint {
                day,
                p10: q(0.1),
                median: q(0.5),
                p90: q(0.9),
            }
        })
        .collect()
}

fn perr<E: std::fmt::Display>(plot: &'static str) -> impl Fn(E) -> RenderError {
    move |e| RenderError::Plot {
        plot,
        message: e.to_string(),
    }
}

/// Draws a time-course plot with bands and marked windows.
pub fn band_plot_svg(p: &BandPlot) -> Result<String, RenderError> {
    let e = perr("time course");
    let mut buf = String::new();
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for s in &p.series {
        for b in &s.points {
            for v in [b.p10, b.median, b.p90] {
                if v.is_finite() {
                    y0 = y0.min(v);
                    y1 = y1.max(v);
                }
            }
            x0 = x0.min(b.day);
            x1 = x1.max(b.day);
        }
    }
    if x0 > x1 {
        (x0, x1) = (0.0, 1.0);
    }
    if x1 <= x0 {
        x1 = x0 + 1.0;
    }
    let (y0, y1) = p.y_range.unwrap_or(if y0 > y1 {
        (0.0, 1.0)
    } else {
        (y0.min(0.0), y1 * 1.05 + 1e-9)
    });
    {
        let root = SVGBackend::with_string(&mut buf, p.size).into_drawing_area();
        root.fill(&WHITE).map_err(&e)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(&p.title, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(&e)?;
        chart
            .configure_mesh()
            .x_desc("days since injury")
            .y_desc(&p.y_label)
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(&e)?;
        for w in &p.windows {
            let (a, b) = (w.start_day.max(x0), w.end_day.min(x1));
            if b > a {
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(a, y0), (b, y1)],
                        RGBColor(255, 236, 179).mix(0.55).filled(),
                    )))
                    .map_err(&e)?
                    .label(&w.label)
                    .legend(|(x, y)| {
                        Rectangle::new(
                            [(x, y - 5), (x + 16, y + 5)],
                            RGBColor(255, 220, 140).filled(),
                        )
                    });
                chart
                    .draw_series([a, b].into_iter().filter(|d| *d > x0 && *d < x1).map(|d| {
                        PathElement::new(
                            vec![(d, y0), (d, y1)],
                            RGBColor(200, 140, 0).stroke_width(1),
                        )
                    }))
                    .map_err(&e)?;
            }
        }
        for s in &p.series {
            let c = RGBColor(s.rgb.0, s.rgb.1, s.rgb.2);
            let pts: Vec<&BandPoint> = s
                .points
                .iter()
                .filter(|b| b.p10.is_finite() && b.p90.is_finite())
                .collect();
            if pts.len() >= 2 {
                let mut poly: Vec<(f64, f64)> = pts.iter().map(|b| (b.day, b.p90)).collect();
                poly.extend(pts.iter().rev().map(|b| (b.day, b.p10)));
                chart
                    .draw_series(std::iter::once(Polygon::new(poly, c.mix(0.22).filled())))
                    .map_err(&e)?;
            }
            chart
                .draw_series(LineSeries::new(
                    s.points
                        .iter()
                        .filter(|b| b.median.is_finite())
                        .map(|b| (b.day, b.median)),
                    c.stroke_width(2),
                ))
                .map_err(&e)?
                .label(format!("{} (median, 10–90%)", s.name))
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], c.stroke_width(2))
                });
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(180, 180, 180))
            .position(SeriesLabelPosition::UpperRight)
            .draw()
            .map_err(&e)?;
        root.present().map_err(&e)?;
    }
    Ok(buf)
}

/// Draws an EMG trace (µV samples at `fs_hz`) with negativity upward, as on an EMG machine.
pub fn emg_trace_svg(
    samples: &[f64],
    fs_hz: f64,
    title: &str,
    size: (u32, u32),
) -> Result<String, RenderError> {
    let e = perr("EMG trace");
    let mut buf = String::new();
    let t_end = samples.len() as f64 * 1000.0 / fs_hz.max(1.0);
    let peak = samples.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    // Round the vertical range up to a sensitivity an EMG machine would offer.
    let steps = [
        50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0, 10000.0, 20000.0,
    ];
    let range = steps
        .iter()
        .copied()
        .find(|s| *s >= peak * 1.1)
        .unwrap_or(peak * 1.1);
    {
        let root = SVGBackend::with_string(&mut buf, size).into_drawing_area();
        root.fill(&WHITE).map_err(&e)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 17))
            .margin(10)
            .x_label_area_size(36)
            .y_label_area_size(64)
            .build_cartesian_2d(0.0..t_end.max(1.0), -range..range)
            .map_err(&e)?;
        chart
            .configure_mesh()
            .x_desc("time (ms)")
            .y_desc("µV (negative up)")
            .light_line_style(RGBColor(238, 238, 238))
            .draw()
            .map_err(&e)?;
        let dt = 1000.0 / fs_hz.max(1.0);
        // Negative up: plot -v.
        chart
            .draw_series(LineSeries::new(
                samples.iter().enumerate().map(|(i, v)| (i as f64 * dt, -v)),
                RGBColor(20, 20, 20).stroke_width(1),
            ))
            .map_err(&e)?;
        root.present().map_err(&e)?;
    }
    Ok(buf)
}

/// Draws CMAP waveforms (relative units, negative peak up) for several stimulation sites.
pub fn cmap_svg(
    traces: &[(&str, &[f64])],
    dt_ms: f64,
    amplitude_mv_per_unit: f64,
    title: &str,
    size: (u32, u32),
) -> Result<String, RenderError> {
    let e = perr("CMAP");
    let mut buf = String::new();
    let n = traces.iter().map(|t| t.1.len()).max().unwrap_or(1);
    let t_end = n as f64 * dt_ms;
    let mut lo: f64 = -0.5;
    let mut hi: f64 = 1.0;
    for (_, t) in traces {
        for v in t.iter() {
            lo = lo.min(v * amplitude_mv_per_unit);
            hi = hi.max(v * amplitude_mv_per_unit);
        }
    }
    {
        let root = SVGBackend::with_string(&mut buf, size).into_drawing_area();
        root.fill(&WHITE).map_err(&e)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 17))
            .margin(10)
            .x_label_area_size(36)
            .y_label_area_size(56)
            .build_cartesian_2d(0.0..t_end.max(1.0), (lo * 1.1)..(hi * 1.1))
            .map_err(&e)?;
        chart
            .configure_mesh()
            .x_desc("time after stimulus (ms)")
            .y_desc("mV (negative up)")
            .light_line_style(RGBColor(238, 238, 238))
            .draw()
            .map_err(&e)?;
        for (k, (name, t)) in traces.iter().enumerate() {
            let (r, g, b) = PALETTE[k % PALETTE.len()];
            let c = RGBColor(r, g, b);
            chart
                .draw_series(LineSeries::new(
                    t.iter()
                        .enumerate()
                        .map(|(i, v)| (i as f64 * dt_ms, v * amplitude_mv_per_unit)),
                    c.stroke_width(2),
                ))
                .map_err(&e)?
                .label(*name)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], c.stroke_width(2))
                });
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(180, 180, 180))
            .draw()
            .map_err(&e)?;
        root.present().map_err(&e)?;
    }
    Ok(buf)
}
