//! The reliability (calibration) diagram of a probabilistic classifier: one point per non-empty
//! confidence bin at (mean confidence, fraction right), its area proportional to the cases in it,
//! and the diagonal of perfect calibration. Drawn as plain SVG.

use std::fmt::Write;

use crate::cross_section::escape;

/// One non-empty confidence bin.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// Mean confidence of the bin's cases, in [0, 1].
    pub confidence: f64,
    /// Fraction of them right, in [0, 1].
    pub observed: f64,
    /// Cases in the bin.
    pub cases: usize,
    /// Tooltip text.
    pub label: String,
}

/// The diagram as an SVG string, with `title` and `disclaimer` above the plot.
pub fn reliability_svg(title: &str, disclaimer: &str, points: &[Point]) -> String {
    let (w, h, m) = (420.0, 440.0, 50.0);
    let side = w - 1.5 * m;
    let x = |p: f64| m + p * side;
    let y = |p: f64| m + (1.0 - p) * side;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" \
         font-family=\"sans-serif\" font-size=\"11\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    );
    let _ = writeln!(
        s,
        "<text x=\"{}\" y=\"18\" text-anchor=\"middle\" font-size=\"13\">{}</text>\
         <text x=\"{}\" y=\"34\" text-anchor=\"middle\" font-size=\"8\" fill=\"#666\">{}</text>",
        w / 2.0,
        escape(title),
        w / 2.0,
        escape(disclaimer)
    );
    grid(&mut s, &x, &y);
    let _ = writeln!(
        s,
        "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{side:.1}\" height=\"{side:.1}\" fill=\"none\" stroke=\"black\"/>\
         <line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#888\" stroke-dasharray=\"4 3\"/>",
        x(0.0),
        y(1.0),
        x(0.0),
        y(0.0),
        x(1.0),
        y(1.0)
    );
    let max = points.iter().map(|p| p.cases).max().unwrap_or(1).max(1) as f64;
    let mut path = String::new();
    for p in points {
        let r = 3.0 + 9.0 * (p.cases as f64 / max).sqrt();
        let _ = writeln!(
            s,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"{r:.1}\" fill=\"#1f77b4\" fill-opacity=\"0.6\" stroke=\"#1f77b4\">\
             <title>{}</title></circle>",
            x(p.confidence),
            y(p.observed),
            escape(&p.label)
        );
        path.push_str(if path.is_empty() { "M" } else { " L" });
        let _ = write!(path, "{:.1} {:.1}", x(p.confidence), y(p.observed));
    }
    if !path.is_empty() {
        let _ = writeln!(s, "<path d=\"{path}\" fill=\"none\" stroke=\"#1f77b4\"/>");
    }
    let _ = writeln!(
        s,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">probability given to the top-1 level (bin mean)</text>\
         <text transform=\"translate(14 {:.1}) rotate(-90)\" text-anchor=\"middle\">fraction right</text>\n</svg>",
        x(0.5),
        y(0.0) + 30.0,
        y(0.5)
    );
    s
}

/// Grid lines and tick labels every 0.1 on both axes.
fn grid(s: &mut String, x: &impl Fn(f64) -> f64, y: &impl Fn(f64) -> f64) {
    for k in 0..=10 {
        let p = k as f64 / 10.0;
        let _ = writeln!(
            s,
            "<line x1=\"{0:.1}\" y1=\"{1:.1}\" x2=\"{0:.1}\" y2=\"{2:.1}\" stroke=\"#eee\"/>\
             <line x1=\"{9:.1}\" y1=\"{3:.1}\" x2=\"{4:.1}\" y2=\"{3:.1}\" stroke=\"#eee\"/>\
             <text x=\"{0:.1}\" y=\"{5:.1}\" text-anchor=\"middle\">{6:.1}</text>\
             <text x=\"{7:.1}\" y=\"{8:.1}\" text-anchor=\"end\">{6:.1}</text>",
            x(p),
            y(0.0),
            y(1.0),
            y(p),
            x(1.0),
            y(0.0) + 14.0,
            p,
            x(0.0) - 4.0,
            y(p) + 4.0,
            x(0.0)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_circle_per_point_and_the_text_is_escaped() {
        let points = vec![
            Point {
                confidence: 0.3,
                observed: 0.2,
                cases: 4,
                label: "a < b".into(),
            },
            Point {
                confidence: 0.9,
                observed: 0.95,
                cases: 40,
                label: "c".into(),
            },
        ];
        let svg = reliability_svg("t & u", "not a medical device", &points);
        assert_eq!(svg.matches("<circle").count(), 2);
        assert!(svg.contains("a &lt; b") && svg.contains("t &amp; u"));
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert!(roxmltree::Document::parse(&svg).is_ok());
    }
}
