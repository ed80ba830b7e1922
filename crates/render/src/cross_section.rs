//! A biopsy-like cross-section picture as SVG, drawn from the fibre-resolution state.
//!
//! Each fibre is drawn at its position as a polygon of its cross-sectional area, coloured as an
//! ATPase stain at pH 9.4 would show it (type I light, type II dark). Normal fibres are rounded
//! polygons (packed fibres are polygonal in section); denervated fibres that have shrunk are drawn
//! as small angular fibres with concave sides; dead fibres are drawn as fat cells (empty, thin
//! outline). The space between fibres — endomysium and, as fibres shrink or die, fibrosis — is the
//! pale connective-tissue background. A scale bar (100 µm) and a legend with the day, the counts
//! and the type-grouping index are added. The shapes' small irregularities are deterministic
//! (seeded by fibre index), so the same state always gives the same picture.

use std::fmt::Write as _;

use views::grouping;
use views::state::{FibreState, FibreType, MuscleState};

/// Colours of the stain and tissue.
pub mod colours {
    /// Type I at ATPase pH 9.4 (light).
    pub const TYPE_I: &str = "#f1e6d2";
    /// Type IIA (dark).
    pub const TYPE_IIA: &str = "#5e3b1f";
    /// Type IIX (dark, slightly lighter).
    pub const TYPE_IIX: &str = "#7a4e2b";
    /// Connective tissue between fibres.
    pub const CONNECTIVE: &str = "#d9c6b8";
    /// Fat cells.
    pub const FAT: &str = "#fcfcf8";
    /// Fibre outlines.
    pub const OUTLINE: &str = "#2e2117";
}

/// What to draw.
#[derive(Debug, Clone)]
pub struct CrossSectionOptions {
    /// Centre of the field of view, µm (None: centre of the muscle).
    pub centre_um: Option<(f32, f32)>,
    /// Field width, µm.
    pub width_um: f32,
    /// Field height, µm.
    pub height_um: f32,
    /// Pixels per µm.
    pub px_per_um: f32,
    /// Title line.
    pub title: String,
    /// Mean healthy fibre cross-section, µm² (from the reference). When given, fibre centres are
    /// drawn closer together so that healthy fibres would just touch (the simulation's positions
    /// include the healthy extracellular space); atrophy then shows as widened spaces.
    pub healthy_csa_um2: Option<f32>,
    /// A denervated fibre smaller than this fraction of the healthy size is drawn as a small
    /// angular fibre (named assumption, `data/views/electrodiagnosis.toml` `[pictures]`).
    pub atrophic_below: f32,
    /// Healthy fibre size used when neither `healthy_csa_um2` nor an innervated fibre gives one,
    /// µm² (cited, `[pictures]`).
    pub fallback_fibre_csa_um2: f32,
}

impl CrossSectionOptions {
    /// Default options with the picture constants of the given parameters.
    pub fn with_params(params: &views::Params) -> Self {
        CrossSectionOptions {
            atrophic_below: params.pictures.atrophic_below.value as f32,
            fallback_fibre_csa_um2: params.pictures.fallback_fibre_csa_um2.value as f32,
            ..Default::default()
        }
    }
}

impl Default for CrossSectionOptions {
    fn default() -> Self {
        CrossSectionOptions {
            centre_um: None,
            width_um: 900.0,
            height_um: 640.0,
            px_per_um: 1.0,
            title: String::new(),
            healthy_csa_um2: None,
            // From the embedded data; NaN (rejected by `cross_section_svg`, naming the field)
            // only if that file were malformed.
            atrophic_below: views::params::embedded_fixtures()
                .map_or(f32::NAN, |(p, _)| p.atrophic_below.value as f32),
            fallback_fibre_csa_um2: views::params::embedded_fixtures()
                .map_or(f32::NAN, |(p, _)| p.fallback_fibre_csa_um2.value as f32),
        }
    }
}

/// Width of the legend panel, px.
pub const LEGEND_PX: f32 = 250.0;

/// Size in pixels of the picture for these options.
pub fn picture_size(opts: &CrossSectionOptions) -> (u32, u32) {
    let w = (opts.width_um * opts.px_per_um + LEGEND_PX).round() as u32;
    let h = (opts.height_um * opts.px_per_um).round().max(420.0) as u32;
    (w, h)
}

fn hash01(i: usize, k: u64) -> f32 {
    let mut h = (i as u64).wrapping_add(k.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^= h >> 33;
    (h >> 40) as f32 / (1u64 << 24) as f32
}

/// Draws the cross-section; returns an SVG document (an error if the state is inconsistent or
/// the field is not a positive finite size).
pub fn cross_section_svg(
    state: &MuscleState<'_>,
    opts: &CrossSectionOptions,
) -> Result<String, crate::RenderError> {
    state.validate()?;
    for (field, value) in [
        ("width_um", opts.width_um),
        ("height_um", opts.height_um),
        ("px_per_um", opts.px_per_um),
        ("fallback_fibre_csa_um2", opts.fallback_fibre_csa_um2),
        ("atrophic_below", opts.atrophic_below),
    ] {
        if !(value.is_finite() && value > 0.0 && value < 1e5) {
            return Err(crate::RenderError::Value {
                field,
                value: f64::from(value),
                expected: "a positive finite size",
            });
        }
    }
    let n = state.n_fibres();
    let (w_px, h_px) = picture_size(opts);
    let s = opts.px_per_um;
    let (cx, cy) = opts.centre_um.unwrap_or_else(|| {
        if n == 0 {
            return (0.0, 0.0);
        }
        let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
        for i in 0..n {
            x0 = x0.min(state.fibre_x_um[i]);
            y0 = y0.min(state.fibre_y_um[i]);
            x1 = x1.max(state.fibre_x_um[i]);
            y1 = y1.max(state.fibre_y_um[i]);
        }
        ((x0 + x1) / 2.0, (y0 + y1) / 2.0)
    });
    let left = cx - opts.width_um / 2.0;
    let top = cy - opts.height_um / 2.0;
    let pack = packing(state, cx, cy, opts);
    // Typical healthy size (from the reference, else the median innervated fibre), to judge
    // atrophy in the picture.
    let mut sizes: Vec<f32> = (0..n)
        .filter(|&i| state.fibre_state[i] == FibreState::Innervated)
        .map(|i| state.fibre_csa_um2[i])
        .collect();
    sizes.sort_by(f32::total_cmp);
    let typical = match opts.healthy_csa_um2.filter(|c| c.is_finite() && *c > 0.0) {
        Some(h) => h,
        None if sizes.is_empty() => opts.fallback_fibre_csa_um2,
        None => sizes[sizes.len() / 2].max(500.0),
    };
    let field_w = opts.width_um * s;
    let field_h = opts.height_um * s;
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w_px}" height="{h_px}" viewBox="0 0 {w_px} {h_px}" font-family="DejaVu Sans, Arial, sans-serif">"#
    );
    let _ = write!(
        out,
        r#"<rect width="{w_px}" height="{h_px}" fill="white"/>"#
    );
    let _ = write!(
        out,
        r#"<defs><clipPath id="fieldclip"><rect x="0" y="0" width="{field_w}" height="{field_h}"/></clipPath></defs>"#
    );
    let _ = write!(
        out,
        r#"<g id="field" clip-path="url(#fieldclip)"><rect id="connective" x="0" y="0" width="{field_w}" height="{field_h}" fill="{}"/>"#,
        colours::CONNECTIVE
    );
    let (mut n_in, mut n_angular, mut n_fat) = (0usize, 0usize, 0usize);
    let mut fibres_g = String::new();
    let mut fat_g = String::new();
    for i in 0..n {
        let (x, y) = (
            cx + (state.fibre_x_um[i] - cx) * pack,
            cy + (state.fibre_y_um[i] - cy) * pack,
        );
        let r_um = (state.fibre_csa_um2[i].max(1.0) / std::f32::consts::PI).sqrt();
        let reach = r_um.max(40.0) * 1.3;
        if x + reach < left
            || x - reach > left + opts.width_um
            || y + reach < top
            || y - reach > top + opts.height_um
        {
            continue;
        }
        n_in += 1;
        let px = (x - left) * s;
        let py = (y - top) * s;
        let st = state.fibre_state[i];
        if st == FibreState::Fat {
            n_fat += 1;
            // A fat cell fills the space the fibre had: an irregular round polygon.
            let r = (typical / std::f32::consts::PI).sqrt() * 0.98 * s;
            let _ = write!(fat_g, r#"<path d="{}"/>"#, polygon(px, py, r, 9, i, 0.10));
            continue;
        }
        let fill = match state.fibre_type[i] {
            FibreType::I => colours::TYPE_I,
            FibreType::IIa => colours::TYPE_IIA,
            FibreType::IIx => colours::TYPE_IIX,
        };
        // Rounded polygons for healthy fibres; endomysium keeps them slightly apart.
        let r = r_um * s;
        let atrophic =
            st == FibreState::Denervated && state.fibre_csa_um2[i] < opts.atrophic_below * typical;
        let d = if atrophic {
            n_angular += 1;
            angular(px, py, r, i)
        } else {
            // Vertex radius of a k-gon with the fibre's area: A = (k/2) r² sin(2π/k).
            let k = 6 + (hash01(i, 1) * 3.0) as usize;
            let kf = k as f32;
            let circle_area = std::f32::consts::PI;
            let rk = r * (circle_area / (0.5 * kf * (std::f32::consts::TAU / kf).sin())).sqrt();
            polygon(px, py, rk, k, i, 0.07)
        };
        let class = if atrophic { "angular" } else { "fibre" };
        let _ = write!(fibres_g, r#"<path class="{class}" fill="{fill}" d="{d}"/>"#);
    }
    let _ = write!(
        out,
        r##"<g id="fat" fill="{}" stroke="#b8ab9c" stroke-width="0.8">{fat_g}</g>"##,
        colours::FAT
    );
    let _ = write!(
        out,
        r#"<g id="fibres" stroke="{}" stroke-width="0.7" stroke-linejoin="round">{fibres_g}</g></g>"#,
        colours::OUTLINE
    );
    // Field frame and scale bar (100 µm).
    let _ = write!(
        out,
        r##"<rect x="0.5" y="0.5" width="{}" height="{}" fill="none" stroke="#444" stroke-width="1"/>"##,
        field_w - 1.0,
        field_h - 1.0
    );
    let bar = 100.0 * s;
    let by = field_h - 22.0;
    let _ = write!(
        out,
        r##"<g id="scalebar"><rect x="{}" y="{}" width="{}" height="26" fill="white" fill-opacity="0.85"/><rect x="20" y="{by}" width="{bar}" height="6" fill="black"/><text x="{}" y="{}" font-size="13" text-anchor="middle">100 µm</text></g>"##,
        12.0,
        by - 16.0,
        bar + 16.0,
        20.0 + bar / 2.0,
        by - 3.0
    );
    // Legend.
    let g = grouping::grouping(state);
    let lx = field_w + 14.0;
    let mut y = 26.0;
    let _ = write!(out, r#"<g id="legend" font-size="13">"#);
    let title = if opts.title.is_empty() {
        format!("{} — day {:.0}", state.muscle, state.day)
    } else {
        opts.title.clone()
    };
    let _ = write!(
        out,
        r#"<text x="{lx}" y="{y}" font-size="15" font-weight="bold">{}</text>"#,
        escape(&title)
    );
    y += 20.0;
    let _ = write!(
        out,
        r##"<text x="{lx}" y="{y}" font-size="11" fill="#555">ATPase pH 9.4-like stain (simulated)</text>"##
    );
    y += 26.0;
    let items: [(&str, &str, &str); 5] = [
        (colours::TYPE_I, colours::OUTLINE, "type I fibre"),
        (colours::TYPE_IIA, colours::OUTLINE, "type II fibre"),
        (
            "angular",
            colours::OUTLINE,
            "small angular fibre (denervated)",
        ),
        (colours::FAT, "#b8ab9c", "fat (dead fibre replaced)"),
        (colours::CONNECTIVE, "#999", "connective tissue"),
    ];
    for (fill, stroke, label) in items {
        if fill == "angular" {
            let _ = write!(
                out,
                r#"<path d="{}" fill="{}" stroke="{stroke}"/>"#,
                angular(lx + 11.0, y - 4.0, 5.0, 3),
                colours::TYPE_IIA
            );
        } else {
            let _ = write!(
                out,
                r#"<rect x="{lx}" y="{}" width="22" height="16" fill="{fill}" stroke="{stroke}"/>"#,
                y - 12.0
            );
        }
        let _ = write!(out, r#"<text x="{}" y="{y}">{label}</text>"#, lx + 30.0);
        y += 24.0;
    }
    y += 10.0;
    let lines = [
        format!("fibres in view: {n_in}"),
        format!("angular atrophic: {n_angular}"),
        format!("fat cells: {n_fat}"),
        format!("type I: {:.0}%", 100.0 * g.type_i_fraction),
        format!("type grouping index: {:.2}", g.index),
        format!("enclosed fibres: {:.0}%", 100.0 * g.enclosed_fraction),
        format!("field {:.0} × {:.0} µm", opts.width_um, opts.height_um),
    ];
    for l in lines {
        let _ = write!(out, r#"<text x="{lx}" y="{y}">{}</text>"#, escape(&l));
        y += 19.0;
    }
    let _ = write!(
        out,
        r##"<text x="{lx}" y="{}" font-size="10" fill="#777">Simulation, not a patient biopsy.</text>"##,
        h_px as f32 - 12.0
    );
    out.push_str("</g></svg>");
    Ok(out)
}

/// Factor (≤ 1) by which centre distances are shrunk so that healthy fibres just touch.
fn packing(state: &MuscleState<'_>, cx: f32, cy: f32, opts: &CrossSectionOptions) -> f32 {
    let Some(healthy) = opts.healthy_csa_um2.filter(|c| c.is_finite() && *c > 0.0) else {
        return 1.0;
    };
    // Area per fibre within 300 µm of the centre → hexagonal centre spacing.
    let r = 300.0f32;
    let count = (0..state.n_fibres())
        .filter(|&i| {
            (state.fibre_x_um[i] - cx).powi(2) + (state.fibre_y_um[i] - cy).powi(2) < r * r
        })
        .count();
    if count < 10 {
        return 1.0;
    }
    let per = std::f32::consts::PI * r * r / count as f32;
    let spacing = (2.0 * per / 3f32.sqrt()).sqrt();
    // Hexagonal packing of healthy fibres (area per fibre = healthy area / 0.98): centre distance.
    let d = (2.0 * healthy / 3f32.sqrt()).sqrt() * 1.02;
    if spacing > d { d / spacing } else { 1.0 }
}

/// A closed polygon path with `k` vertices and radial irregularity `jitter`.
fn polygon(x: f32, y: f32, r: f32, k: usize, seed: usize, jitter: f32) -> String {
    let k = k.max(3);
    let phase = hash01(seed, 7) * std::f32::consts::TAU;
    let mut d = String::with_capacity(k * 16);
    for j in 0..k {
        let a = phase + std::f32::consts::TAU * j as f32 / k as f32;
        let rr = r * (1.0 + jitter * (2.0 * hash01(seed, 11 + j as u64) - 1.0));
        let (px, py) = (x + rr * a.cos(), y + rr * a.sin());
        let _ = write!(d, "{}{:.1},{:.1}", if j == 0 { "M" } else { "L" }, px, py);
    }
    d.push('Z');
    d
}

/// An angular fibre: 3–4 sharp corners joined by concave sides, of about the same area as a
/// circle of radius `r`.
fn angular(x: f32, y: f32, r: f32, seed: usize) -> String {
    let k = 3 + (hash01(seed, 3) * 3.0) as usize;
    let phase = hash01(seed, 5) * std::f32::consts::TAU;
    // Concave sides lose area; enlarge the corner radius to keep the fibre's area roughly right.
    let rc = r * if k == 3 { 1.5 } else { 1.3 };
    let corners: Vec<(f32, f32)> = (0..k)
        .map(|j| {
            let a = phase
                + std::f32::consts::TAU * (j as f32 + 0.25 * (hash01(seed, 20 + j as u64) - 0.5))
                    / k as f32;
            let rr = rc * (0.8 + 0.4 * hash01(seed, 40 + j as u64));
            (x + rr * a.cos(), y + rr * a.sin())
        })
        .collect();
    let mut d = String::new();
    for j in 0..k {
        let (ax, ay) = corners[j];
        let (bx, by) = corners[(j + 1) % k];
        if j == 0 {
            let _ = write!(d, "M{ax:.1},{ay:.1}");
        }
        // Control point pulled toward the centre: a concave side.
        let (mx, my) = ((ax + bx) / 2.0, (ay + by) / 2.0);
        let (qx, qy) = (x + (mx - x) * 0.8, y + (my - y) * 0.8);
        let _ = write!(d, "Q{qx:.1},{qy:.1} {bx:.1},{by:.1}");
    }
    d.push('Z');
    d
}

/// Escapes text for SVG/HTML.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
