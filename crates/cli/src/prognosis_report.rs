//! The printable prognosis report: `reinnervate prognosis CASE --report DIR` (and `plans … --report
//! DIR`) writes `DIR/index.html` — self-contained (plots inline as SVG), printable — and
//! `DIR/prognosis_bands.csv`.
//!
//! Per affected muscle: the MRC grade and the innervated fibre fraction over time as Monte Carlo
//! bands (10th percentile, median, 90th percentile over the draws, follow-up weighted) with the
//! end-plate window of the median draw marked; the prognosis table; the follow-up update when the
//! case has observations; and the plan comparison with its reasons. The plots are drawn by the
//! render crate ([`engine::pictures::plot::band_plot_svg`]); this module only arranges them and does the I/O.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;
use engine::clinic::Case;
use engine::clinic::plans::PlansReport;
use engine::clinic::prognosis::{BandPoint, PrognosisReport, Quantiles};
use engine::pictures::escape;
use engine::pictures::plot::{BandPlot, BandSeries, DayWindow, PALETTE, band_plot_svg};

/// The statement every report carries (also checked by the integration test).
pub const STATEMENT: &str = engine::DISCLAIMER;

fn to_views(points: &[BandPoint]) -> Vec<engine::pictures::plot::BandPoint> {
    points
        .iter()
        .map(|b| engine::pictures::plot::BandPoint {
            day: b.day as f64,
            p10: b.p10,
            median: b.p50,
            p90: b.p90,
        })
        .collect()
}

fn window(case: &Case, report: &PrognosisReport) -> DayWindow {
    let start = case.injuries.first().map_or(0.0, |i| i.day as f64);
    DayWindow {
        start_day: start,
        end_day: report.window_day,
        label: format!(
            "end plates accept axons (median draw, to day {:.0})",
            report.window_day
        ),
    }
}

/// The two band plots (MRC, innervated fraction) of one muscle, as SVG strings.
pub fn muscle_plots(
    case: &Case,
    report: &PrognosisReport,
    muscle: &str,
) -> anyhow::Result<(String, String)> {
    let name = muscle.replace('_', " ");
    let mrc = report
        .mrc_band(muscle)
        .with_context(|| format!("no MRC band for muscle `{muscle}`"))?;
    let inn = report
        .innervated_band(muscle)
        .with_context(|| format!("no innervation band for muscle `{muscle}`"))?;
    let plot = |title: String, y_label: &str, y_range, points, rgb| BandPlot {
        title,
        y_label: y_label.to_string(),
        y_range: Some(y_range),
        series: vec![BandSeries {
            name: y_label.to_string(),
            points,
            rgb,
        }],
        windows: vec![window(case, report)],
        size: (640, 320),
    };
    let a = band_plot_svg(&plot(
        format!("{name}: MRC grade"),
        "MRC grade",
        (0.0, 5.2),
        to_views(mrc),
        PALETTE[0],
    ))?;
    let b = band_plot_svg(&plot(
        format!("{name}: innervated fibre fraction"),
        "innervated fraction",
        (0.0, 1.05),
        to_views(inn),
        PALETTE[2],
    ))?;
    Ok((a, b))
}

/// The bands as CSV: `muscle,quantity,day,p10,median,p90`.
pub fn bands_csv(report: &PrognosisReport) -> String {
    let mut out = String::from("muscle,quantity,day,p10,median,p90\n");
    for m in &report.muscles {
        for (what, band) in [
            ("mrc", report.mrc_band(&m.muscle)),
            ("innervated_fraction", report.innervated_band(&m.muscle)),
        ] {
            for b in band.unwrap_or(&[]) {
                let _ = writeln!(
                    out,
                    "{},{what},{},{},{},{}",
                    m.muscle, b.day, b.p10, b.p50, b.p90
                );
            }
        }
    }
    out
}

fn q(x: &Quantiles) -> String {
    let f = |v: Option<f64>| v.map_or_else(|| "never".to_string(), |v| format!("{v:.0}"));
    format!("{} ({}–{})", f(x.median), f(x.p10), f(x.p90))
}

fn pct(x: f64) -> String {
    format!("{:.0}%", 100.0 * x)
}

const STYLE: &str = "body{font-family:sans-serif;max-width:60em;margin:1em auto;color:#222}\
table{border-collapse:collapse;margin:0.5em 0}td,th{border:1px solid #bbb;padding:2px 6px;font-size:90%}\
th{background:#eee}.note{background:#fff3cd;border:1px solid #e0c060;padding:0.5em}\
.muscle{page-break-inside:avoid;break-inside:avoid}svg{max-width:100%;height:auto}\
@media print{body{max-width:none}.muscle{page-break-inside:avoid}}";

/// The HTML of the report.
pub fn report_html(
    case: &Case,
    report: &PrognosisReport,
    plans: Option<&PlansReport>,
) -> anyhow::Result<String> {
    let title = case.title.as_deref().unwrap_or("case");
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>reinnervate prognosis — {}</title><style>{STYLE}</style></head><body>",
        escape(title)
    );
    let _ = write!(
        h,
        "<h1>Prognosis — {}</h1><p class=\"note\"><strong>{}</strong></p>",
        escape(title),
        escape(STATEMENT)
    );
    let _ = write!(
        h,
        "<p>Patient: {:.0} years. {} Monte Carlo draw(s) on the twin's pooled resolution; horizon {} days. Bands: 10th percentile, median and 90th percentile over the draws{}; shaded: the end-plate window of the median draw (injury to day {:.0}).</p><ul>",
        case.patient.age_years,
        report.draws,
        case.settings.horizon_days,
        if report.follow_up.is_some() {
            ", weighted by the follow-up observations"
        } else {
            ""
        },
        report.window_day
    );
    for inj in &case.injuries {
        let g = match &inj.grade {
            engine::clinic::case::GradeSpec::Known(g) => g.label(),
            engine::clinic::case::GradeSpec::Unknown(p) => format!(
                "unknown ({})",
                p.iter()
                    .map(|(g, w)| format!("{} {}", g.label(), pct(*w)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let _ = write!(
            h,
            "<li>Injury: {} on day {}, grade {}.</li>",
            escape(&inj.place()),
            inj.day,
            escape(&g)
        );
    }
    h.push_str("</ul>");

    h.push_str("<h2>Prognosis per muscle</h2><table><tr><th>muscle</th><th>distance, mm</th><th>P(MRC ≥ 3)</th><th>P(MRC ≥ 4)</th><th>P(axons before the window)</th><th>first reinnervation, day</th><th>MRC ≥ 3, day</th><th>MRC at 1 y</th><th>MRC at 2 y</th><th>spread driven by</th></tr>");
    for (k, m) in report.muscles.iter().enumerate() {
        let drivers = report
            .drivers
            .get(k)
            .map(|d| {
                d.iter()
                    .take(3)
                    .map(|x| format!("{} {}", escape(&x.name.replace('_', " ")), pct(x.share)))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{:.0}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&m.muscle.replace('_', " ")),
            m.distance_mm,
            pct(m.p_mrc_ge_3),
            pct(m.p_mrc_ge_4),
            pct(m.p_axons_before_window),
            q(&m.first_reinnervation_day),
            q(&m.mrc_3_day),
            q(&m.mrc_at_365),
            q(&m.mrc_at_730),
            drivers
        );
    }
    h.push_str("</table><p>Median (10th–90th percentile); “never” = not reached within the horizon by that share of draws. Distances from the atlas, scaled to the patient. The bands include the model's parameter uncertainty (between-patient spreads of <code>data/atlas/prognosis_uncertainty.toml</code>); “spread driven by” ranks the drawn unknowns by their squared rank correlation with the recovery (mean weekly MRC) across the draws.</p>");

    if let Some(f) = &report.follow_up {
        let fmt = |v: &[(String, f64)]| {
            v.iter()
                .map(|(g, p)| format!("{} {}", escape(g), pct(*p)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = write!(
            h,
            "<h2>Follow-up update</h2><p>{} observation(s); {:.0} effective draws; the best draw explains them {:.2} as well as a perfect fit.</p><p>Injury grade before: {}.<br>Injury grade after: {}.</p>",
            f.observations,
            f.effective_draws,
            f.best_fit,
            fmt(&f.grade_prior),
            fmt(&f.grade_posterior)
        );
        if f.implausible {
            h.push_str("<p class=\"note\">The observations are unlikely under every simulated course; the update is not to be trusted.</p>");
        }
    }
    if let Some(a) = &report.answer {
        let _ = write!(h, "<p><strong>Wait or operate?</strong> {}</p>", escape(a));
    }

    if let Some(p) = plans {
        let _ = write!(
            h,
            "<h2>Plans</h2><p>{} draws, the same for every plan; decision day {}. Ranking: {}.</p><table><tr><th>rank</th><th>plan</th><th>score</th><th>what and why</th></tr>",
            p.draws,
            p.decision_day,
            escape(&p.criterion)
        );
        for r in &p.plans {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{:.2}</td><td>{}<ul>",
                r.rank,
                escape(&r.name),
                r.score,
                escape(&r.description)
            );
            for reason in &r.reasons {
                let _ = write!(h, "<li>{}</li>", escape(reason));
            }
            h.push_str("</ul></td></tr>");
        }
        let _ = write!(h, "</table><p>{}</p>", escape(&p.answer));
        decision_html(&mut h, &p.decision);
    }

    h.push_str("<h2>Time courses</h2>");
    for m in &report.muscles {
        let (a, b) = muscle_plots(case, report, &m.muscle)?;
        let _ = write!(
            h,
            "<div class=\"muscle\"><h3>{}</h3>{a}{b}</div>",
            escape(&m.muscle.replace('_', " "))
        );
    }
    let _ = write!(
        h,
        "<p>Band data: <code>prognosis_bands.csv</code>. Method: docs/prognosis.md.</p><p class=\"note\">{STATEMENT}</p></body></html>"
    );
    Ok(h)
}

/// The decision outputs: goals and costs, the conditional recovery curve, waiting a month, the next
/// examination, time to first useful function is in the plan reasons, and the sensitivity.
fn decision_html(h: &mut String, d: &engine::clinic::plans::Decision) {
    let name = |s: &str| escape(&s.replace('_', " "));
    h.push_str("<h2>Decision</h2><table><tr><th>goal at stake</th><th>muscles</th><th>weight</th><th>P(useful) waiting</th></tr>");
    for g in &d.goals {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            name(&g.id),
            g.muscles
                .iter()
                .map(|m| name(m))
                .collect::<Vec<_>>()
                .join(", "),
            g.weight,
            pct(g.p_useful_waiting)
        );
    }
    let _ = write!(
        h,
        "</table><p>Costs (units of one function's full recovery): unneeded operation {}, failed operation {}, a year without a function {}.</p>",
        d.costs.unneeded_operation,
        d.costs.failed_operation,
        d.costs.time_without_function_per_year
    );
    let _ = write!(
        h,
        "<p>P(useful recovery without surgery | no sign in the {} by month t):</p><table><tr><th>month</th>",
        name(&d.sentinel_muscle)
    );
    for p in &d.recovery_curve {
        let _ = write!(h, "<th>{:.0}</th>", p.month);
    }
    h.push_str("</tr><tr><td>P</td>");
    for p in &d.recovery_curve {
        let _ = write!(
            h,
            "<td>{}</td>",
            p.p_useful_without_surgery.map_or("–".to_string(), pct)
        );
    }
    h.push_str("</tr></table>");
    if let (Some(v), Some((later, now))) = (d.value_of_waiting_a_month, &d.waiting_a_month) {
        let _ = write!(
            h,
            "<p>Value of waiting one more month: {v:+.3} ({} against operating now: {}).</p>",
            escape(later),
            escape(now)
        );
    }
    if !d.next_observations.is_empty() {
        h.push_str("<p>Next examinations that would most change the decision:</p><ul>");
        for o in &d.next_observations {
            let _ = write!(
                h,
                "<li>{} in the {} on day {}: P {}, value {:+.3}; if seen: {}; if not: {}</li>",
                escape(&o.sign),
                name(&o.muscle),
                o.day,
                pct(o.p_sign),
                o.value,
                escape(&o.if_sign),
                escape(&o.if_no_sign)
            );
        }
        h.push_str("</ul>");
    }
    for a in &d.avulsion {
        let _ = write!(h, "<p>{}</p>", escape(&a.words()));
    }
    h.push_str("<p>Sensitivity (plan with the best score):</p><table><tr><th>weight</th><th>value</th><th>best plan</th><th>score</th></tr>");
    for r in &d.sensitivity {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{:.3}</td><td>{}</td><td>{:.2}</td></tr>",
            escape(&r.weight),
            r.value,
            escape(&r.best_plan),
            r.best_score
        );
    }
    h.push_str("</table>");
}

/// The `prognosis` and `plans` verbs with `--report DIR`: both results from one set of runs (the
/// plans' first plan is the prognosis's baseline), the report written into `dir`.
pub fn run_and_write(
    engine: &engine::Engine,
    case: &engine::Case,
    draws: Option<usize>,
    control: &engine::Control,
    dir: &std::path::Path,
    operation: &'static str,
) -> anyhow::Result<(engine::Prognosis, engine::Plans)> {
    let (prognosis, plans) = engine.prognosis_and_plans(case, draws, control)?;
    let patient = engine.patient_case(case, operation)?;
    write(dir, &patient, &prognosis.report, Some(&plans.report))?;
    Ok((prognosis, plans))
}

/// Writes `index.html` and `prognosis_bands.csv` into `dir` (created if missing).
pub fn write(
    dir: &Path,
    case: &Case,
    report: &PrognosisReport,
    plans: Option<&PlansReport>,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let html = report_html(case, report, plans)?;
    let index = dir.join("index.html");
    std::fs::write(&index, html).with_context(|| format!("writing {}", index.display()))?;
    let csv = dir.join("prognosis_bands.csv");
    std::fs::write(&csv, bands_csv(report))
        .with_context(|| format!("writing {}", csv.display()))?;
    Ok(())
}
