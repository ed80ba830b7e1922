//! The biopsy cross-section as SVG: the packed mosaic of [`views::mosaic`] in one of the stains of
//! `data/views/stains.toml`, and a time strip of the same field on several days.
//!
//! The geometry is the mosaic's (fibres packed edge to edge in fascicles, each fibre of the twin's
//! area, separated by endomysium; perimysium between fascicles; adipocytes where fibres died);
//! this module only colours it as the chosen stain shows each fibre — by type, small angular
//! denervated fibres, target fibres in NADH-TR, nuclei and nuclear clumps in H&E — and adds a
//! scale bar and a legend. Deterministic: the same state gives the same picture.

use std::fmt::Write as _;

use views::grouping;
use views::mosaic::{CellKind, Mosaic, MosaicOptions, Point, centroid, inset_to_area, mosaic};
use views::params::{PictureParams, Stain};
use views::state::{FibreState, FibreType, MuscleState, NO_UNIT};

/// What to draw.
#[derive(Debug, Clone)]
pub struct CrossSectionOptions {
    /// Centre of the field of view in the twin's coordinates, µm (None: centre of the muscle).
    pub centre_um: Option<(f32, f32)>,
    /// Field width, µm.
    pub width_um: f32,
    /// Field height, µm.
    pub height_um: f32,
    /// Pixels per µm.
    pub px_per_um: f32,
    /// Title line.
    pub title: String,
    /// Mean healthy fibre cross-section, µm² (from the day-0 reference). Without it, the median
    /// innervated fibre (or the cited fallback) stands for the healthy size.
    pub healthy_csa_um2: Option<f32>,
    /// Picture constants (None: the embedded `[pictures]` of `data/views/electrodiagnosis.toml`).
    pub pictures: Option<PictureParams>,
    /// The stain (None: the first of `data/views/stains.toml`, ATPase pH 9.4).
    pub stain: Option<Stain>,
}

impl CrossSectionOptions {
    /// Default options with the picture constants of the given parameters.
    pub fn with_params(params: &views::Params) -> Self {
        CrossSectionOptions {
            pictures: Some(params.pictures.clone()),
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
            pictures: None,
            stain: None,
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

/// The stain of the options (or the embedded default), the picture constants and the healthy
/// size; checks the options.
struct Prepared {
    stain: Stain,
    pictures: PictureParams,
    mosaic: Mosaic,
}

fn prepare(
    state: &MuscleState<'_>,
    opts: &CrossSectionOptions,
) -> Result<Prepared, crate::RenderError> {
    state.validate()?;
    for (field, value) in [
        ("width_um", opts.width_um),
        ("height_um", opts.height_um),
        ("px_per_um", opts.px_per_um),
    ] {
        if !(value.is_finite() && value > 0.0 && value < 1e5) {
            return Err(crate::RenderError::Value {
                field,
                value: f64::from(value),
                expected: "a positive finite size",
            });
        }
    }
    let pictures = match &opts.pictures {
        Some(p) => p.clone(),
        None => views::params::embedded_fixtures()
            .map(|(p, _)| p.clone())
            .ok_or(crate::RenderError::Value {
                field: "pictures",
                value: f64::NAN,
                expected: "the embedded [pictures] constants",
            })?,
    };
    let stain = match &opts.stain {
        Some(s) => s.clone(),
        None => views::params::stains()?
            .into_iter()
            .next()
            .ok_or(crate::RenderError::Value {
                field: "stain",
                value: 0.0,
                expected: "at least one stain in data/views/stains.toml",
            })?,
    };
    let n = state.n_fibres();
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
    let healthy = match opts.healthy_csa_um2.filter(|c| c.is_finite() && *c > 0.0) {
        Some(h) => f64::from(h),
        None => {
            let mut sizes: Vec<f32> = (0..n)
                .filter(|&i| state.fibre_state[i] == FibreState::Innervated)
                .map(|i| state.fibre_csa_um2[i])
                .collect();
            sizes.sort_by(f32::total_cmp);
            if sizes.is_empty() {
                pictures.fallback_fibre_csa_um2.value
            } else {
                f64::from(sizes[sizes.len() / 2])
            }
        }
    };
    let mosaic = mosaic(
        state,
        &MosaicOptions {
            centre_um: (f64::from(cx), f64::from(cy)),
            width_um: f64::from(opts.width_um),
            height_um: f64::from(opts.height_um),
            healthy_csa_um2: healthy,
        },
        &pictures,
    )?;
    Ok(Prepared {
        stain,
        pictures,
        mosaic,
    })
}

/// A deterministic number in [0, 1) from a fibre index.
fn hash01(i: usize, k: u64) -> f64 {
    let mut h = (i as u64).wrapping_add(k.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^= h >> 33;
    (h >> 11) as f64 / (1u64 << 53) as f64
}

fn path(poly: &[Point], s: f64, dx: f64, dy: f64) -> String {
    let mut d = String::with_capacity(poly.len() * 14);
    for (j, p) in poly.iter().enumerate() {
        let _ = write!(
            d,
            "{}{:.1},{:.1}",
            if j == 0 { "M" } else { "L" },
            p[0] * s + dx,
            p[1] * s + dy
        );
    }
    d.push('Z');
    d
}

/// A rounded closed path through the edge midpoints (vertices as control points): adipocytes are
/// round in section.
fn rounded(poly: &[Point], s: f64, dx: f64, dy: f64) -> String {
    let k = poly.len();
    let mid = |j: usize| {
        let (a, b) = (poly[j % k], poly[(j + 1) % k]);
        [(a[0] + b[0]) / 2.0 * s + dx, (a[1] + b[1]) / 2.0 * s + dy]
    };
    let m0 = mid(0);
    let mut d = format!("M{:.1},{:.1}", m0[0], m0[1]);
    for j in 1..=k {
        let c = poly[j % k];
        let m = mid(j);
        let _ = write!(
            d,
            "Q{:.1},{:.1} {:.1},{:.1}",
            c[0] * s + dx,
            c[1] * s + dy,
            m[0],
            m[1]
        );
    }
    d.push('Z');
    d
}

/// Counts of what a field shows.
#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    fibres: usize,
    atrophic: usize,
    adipocytes: usize,
    targets: usize,
}

/// Draws the field of `p.mosaic` at offset (`dx`, `dy`) px, `s` px per µm, clipped to the field.
fn draw_field(
    out: &mut String,
    state: &MuscleState<'_>,
    p: &Prepared,
    s: f64,
    dx: f64,
    dy: f64,
    clip_id: &str,
) -> Counts {
    let m = &p.mosaic;
    let st = &p.stain;
    let (fw, fh) = (m.width_um * s, m.height_um * s);
    let _ = write!(
        out,
        r#"<defs><clipPath id="{clip_id}"><rect x="{dx}" y="{dy}" width="{fw}" height="{fh}"/></clipPath></defs><g id="field" clip-path="url(#{clip_id})"><rect id="perimysium" x="{dx}" y="{dy}" width="{fw}" height="{fh}" fill="{}"/>"#,
        st.perimysium
    );
    let _ = write!(out, r#"<g id="fascicles" fill="{}">"#, st.endomysium);
    for f in &m.fascicles {
        let _ = write!(out, r#"<path d="{}"/>"#, path(f, s, dx, dy));
    }
    out.push_str("</g>");
    let mut c = Counts::default();
    let mut fat_g = String::new();
    let mut fibre_g = String::new();
    let mut marks_g = String::new();
    let nuclei = st.nucleus.as_deref();
    for cell in &m.cells {
        let i = cell.fibre;
        if cell.kind == CellKind::Adipocyte {
            c.adipocytes += 1;
            let _ = write!(
                fat_g,
                r#"<path class="adipocyte" d="{}"/>"#,
                rounded(&cell.outline, s, dx, dy)
            );
            continue;
        }
        c.fibres += 1;
        let slow = state.fibre_type[i] == FibreType::I;
        let mut fill = if slow { &st.type_i } else { &st.type_ii };
        if cell.atrophic {
            c.atrophic += 1;
            if let Some(a) = &st.atrophic {
                fill = a;
            }
        }
        let class = if cell.atrophic { "angular" } else { "fibre" };
        let _ = write!(
            fibre_g,
            r#"<path class="{class}" fill="{fill}" d="{}"/>"#,
            path(&cell.outline, s, dx, dy)
        );
        // Target fibres (NADH-TR): a fixed share of the type 1 fibres of nascent units.
        if let (Some(core), Some(rim)) = (&st.target_core, &st.target_rim) {
            let u = state.fibre_unit[i];
            let nascent = u != NO_UNIT && state.unit_nascent[u as usize];
            let chosen = fibre_draw(i) < st.target_share.unwrap_or(1.0);
            if slow && nascent && chosen && state.fibre_state[i] == FibreState::Reinnervating {
                c.targets += 1;
                let rim_poly = inset_to_area(&cell.outline, 0.45 * cell.area_um2);
                let core_poly = inset_to_area(&cell.outline, 0.2 * cell.area_um2);
                let _ = write!(
                    marks_g,
                    r#"<path class="target" fill="{rim}" d="{}"/><path fill="{core}" d="{}"/>"#,
                    rounded(&rim_poly, s, dx, dy),
                    rounded(&core_poly, s, dx, dy)
                );
            }
        }
        // Nuclei (H&E): one or two at the periphery; a clump in long-denervated atrophic fibres.
        if let Some(colour) = nuclei {
            let k = cell.outline.len();
            if k >= 3 {
                let ctr = centroid(&cell.outline);
                let count = 1 + usize::from(hash01(i, 1) < 0.4);
                for n in 0..count {
                    let e = ((hash01(i, 2 + n as u64) * k as f64) as usize).min(k - 1);
                    let (a, b) = (cell.outline[e], cell.outline[(e + 1) % k]);
                    let mid = [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0];
                    let (vx, vy) = (ctr[0] - mid[0], ctr[1] - mid[1]);
                    let len = vx.hypot(vy).max(1e-6);
                    let inward = 2.5f64.min(0.4 * len);
                    let pos = [mid[0] + vx / len * inward, mid[1] + vy / len * inward];
                    let _ = write!(
                        marks_g,
                        r#"<circle class="nucleus" fill="{colour}" cx="{:.1}" cy="{:.1}" r="{:.1}"/>"#,
                        pos[0] * s + dx,
                        pos[1] * s + dy,
                        (1.8 * s).max(0.8)
                    );
                }
                let long = st.nuclear_clump_after_days.is_some_and(|t| {
                    let d0 = f64::from(state.fibre_denervated_day[i]);
                    d0.is_finite() && state.day - d0 >= t
                });
                if cell.atrophic && long {
                    for n in 0..5 {
                        let a = std::f64::consts::TAU * (n as f64 / 5.0 + hash01(i, 9));
                        let _ = write!(
                            marks_g,
                            r#"<circle class="clump" fill="{colour}" cx="{:.1}" cy="{:.1}" r="{:.1}"/>"#,
                            (ctr[0] + 2.0 * a.cos()) * s + dx,
                            (ctr[1] + 2.0 * a.sin()) * s + dy,
                            (1.5 * s).max(0.7)
                        );
                    }
                }
            }
        }
    }
    let _ = write!(
        out,
        r#"<g id="fat" fill="{}" stroke="{}" stroke-width="0.6">{fat_g}</g><g id="fibres" stroke="{}" stroke-width="0.4" stroke-linejoin="round">{fibre_g}</g><g id="marks">{marks_g}</g></g>"#,
        st.adipocyte, st.outline, st.outline
    );
    c
}

fn scale_bar(out: &mut String, s: f64, x: f64, y_bottom: f64) {
    let bar = 100.0 * s;
    let by = y_bottom - 22.0;
    let _ = write!(
        out,
        r##"<g id="scalebar"><rect x="{}" y="{}" width="{}" height="26" fill="white" fill-opacity="0.85"/><rect x="{}" y="{by}" width="{bar}" height="6" fill="black"/><text x="{}" y="{}" font-size="13" text-anchor="middle">100 µm</text></g>"##,
        x - 8.0,
        by - 16.0,
        bar + 16.0,
        x,
        x + bar / 2.0,
        by - 3.0
    );
}

/// Draws the cross-section in the options' stain; returns an SVG document (an error if the state
/// is inconsistent or the field is not a positive finite size).
pub fn cross_section_svg(
    state: &MuscleState<'_>,
    opts: &CrossSectionOptions,
) -> Result<String, crate::RenderError> {
    let p = prepare(state, opts)?;
    let (w_px, h_px) = picture_size(opts);
    let s = f64::from(opts.px_per_um);
    let field_w = p.mosaic.width_um * s;
    let field_h = p.mosaic.height_um * s;
    let mut out = String::with_capacity(128 * 1024);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w_px}" height="{h_px}" viewBox="0 0 {w_px} {h_px}" font-family="DejaVu Sans, Arial, sans-serif"><rect width="{w_px}" height="{h_px}" fill="white"/>"#
    );
    let c = draw_field(&mut out, state, &p, s, 0.0, 0.0, "fieldclip");
    let _ = write!(
        out,
        r##"<rect x="0.5" y="0.5" width="{}" height="{}" fill="none" stroke="#444" stroke-width="1"/>"##,
        field_w - 1.0,
        field_h - 1.0
    );
    scale_bar(&mut out, s, 20.0, field_h);
    // Legend.
    let st = &p.stain;
    let g = grouping::grouping(state);
    let lx = field_w + 14.0;
    let mut y = 26.0;
    let _ = write!(out, r#"<g id="legend" font-size="13">"#);
    let title = if opts.title.is_empty() {
        format!("{} — day {:.0}", state.muscle, state.day)
    } else {
        opts.title.clone()
    };
    // Long muscle names ("extensor digitorum longus — day 730") would run past the legend:
    // the title's font shrinks to fit (bold DejaVu Sans is about 0.65 em per character).
    let chars = title.chars().count().max(1) as f32;
    let title_px = (15.0f32).min((LEGEND_PX - 24.0) / (0.65 * chars)).max(8.0);
    let _ = write!(
        out,
        r#"<text x="{lx}" y="{y}" font-size="{title_px:.1}" font-weight="bold">{}</text>"#,
        escape(&title)
    );
    y += 20.0;
    let label = format!("{} (simulated)", st.label);
    let label_px = (11.0f32)
        .min((LEGEND_PX - 24.0) / (0.55 * label.chars().count().max(1) as f32))
        .max(7.0);
    let _ = write!(
        out,
        r##"<text x="{lx}" y="{y}" font-size="{label_px:.1}" fill="#555">{}</text>"##,
        escape(&label)
    );
    y += 26.0;
    let mut items: Vec<(String, String, &str)> = Vec::new();
    if st.type_i == st.type_ii {
        items.push((st.type_i.clone(), st.outline.clone(), "muscle fibre"));
    } else {
        items.push((st.type_i.clone(), st.outline.clone(), "type 1 fibre"));
        items.push((st.type_ii.clone(), st.outline.clone(), "type 2 fibre"));
    }
    items.push((
        "angular".into(),
        st.outline.clone(),
        "small angular (denervated)",
    ));
    if st.target_core.is_some() {
        items.push(("target".into(), st.outline.clone(), "target fibre"));
    }
    items.push((
        st.adipocyte.clone(),
        st.outline.clone(),
        "adipocyte (fibre lost)",
    ));
    items.push((st.endomysium.clone(), "#999".into(), "endomysium"));
    items.push((st.perimysium.clone(), "#999".into(), "perimysium"));
    for (fill, stroke, label) in items {
        match fill.as_str() {
            "angular" => {
                let a = st.atrophic.as_ref().unwrap_or(&st.type_ii);
                let _ = write!(
                    out,
                    r#"<path d="M{},{} L{},{} L{},{}Z" fill="{a}" stroke="{stroke}"/>"#,
                    lx + 4.0,
                    y - 1.0,
                    lx + 18.0,
                    y - 12.0,
                    lx + 14.0,
                    y + 2.0
                );
            }
            "target" => {
                let _ = write!(
                    out,
                    r#"<rect x="{lx}" y="{}" width="22" height="16" fill="{}" stroke="{stroke}"/><circle cx="{}" cy="{}" r="5" fill="{}"/><circle cx="{}" cy="{}" r="2.5" fill="{}"/>"#,
                    y - 12.0,
                    st.type_i,
                    lx + 11.0,
                    y - 4.0,
                    st.target_rim.as_deref().unwrap_or("#000"),
                    lx + 11.0,
                    y - 4.0,
                    st.target_core.as_deref().unwrap_or("#fff"),
                );
            }
            _ => {
                let _ = write!(
                    out,
                    r#"<rect x="{lx}" y="{}" width="22" height="16" fill="{fill}" stroke="{stroke}"/>"#,
                    y - 12.0
                );
            }
        }
        let _ = write!(out, r#"<text x="{}" y="{y}">{label}</text>"#, lx + 30.0);
        y += 22.0;
    }
    y += 8.0;
    let mut lines = vec![
        format!("fibres in view: {}", c.fibres),
        format!("small angular: {}", c.atrophic),
        format!("adipocytes: {}", c.adipocytes),
    ];
    if st.target_core.is_some() {
        lines.push(format!("target fibres: {}", c.targets));
    }
    lines.extend([
        format!("type 1: {:.0}%", 100.0 * g.type_i_fraction),
        format!("type grouping index: {:.2}", g.index),
        format!(
            "connective tissue: {:.0}%",
            100.0 * p.mosaic.connective_fraction
        ),
        format!("field {:.0} × {:.0} µm", opts.width_um, opts.height_um),
    ]);
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
    let _ = p.pictures;
    Ok(out)
}

/// The same field of the same muscle on several days, side by side in one stain: panels are
/// drawn as they are added (so a long run need not keep every day's state), each with the
/// options' field size (typically smaller than a full cross-section) around the options' centre
/// (the twin's fibres do not move, so the same centre shows the same fibres every day).
pub struct TimeStrip {
    opts: CrossSectionOptions,
    panels: usize,
    body: String,
    stain_label: String,
}

impl TimeStrip {
    /// A strip of `panels` panels.
    pub fn new(opts: &CrossSectionOptions, panels: usize) -> TimeStrip {
        TimeStrip {
            opts: opts.clone(),
            panels: panels.max(1),
            body: String::with_capacity(256 * 1024),
            stain_label: String::new(),
        }
    }

    fn geometry(&self) -> (f64, f64, f64, f64, f64, f64) {
        let s = f64::from(self.opts.px_per_um);
        let pw = f64::from(self.opts.width_um) * s;
        let ph = f64::from(self.opts.height_um) * s;
        (s, pw, ph, 12.0, 44.0, 40.0)
    }

    /// Draws the next panel (`label` above it, e.g. "day 90").
    pub fn add(&mut self, state: &MuscleState<'_>, label: &str) -> Result<(), crate::RenderError> {
        let k = self.body.matches("class=\"panel\"").count();
        if k >= self.panels {
            return Err(crate::RenderError::Value {
                field: "panels",
                value: (k + 1) as f64,
                expected: "no more panels than the strip was made for",
            });
        }
        let p = prepare(state, &self.opts)?;
        self.stain_label = p.stain.label.clone();
        let (s, pw, ph, gap, head, _) = self.geometry();
        let x = gap + k as f64 * (pw + gap);
        let out = &mut self.body;
        let _ = write!(
            out,
            r#"<g class="panel"><text x="{}" y="{}" font-size="15" font-weight="bold" text-anchor="middle">{}</text>"#,
            x + pw / 2.0,
            head - 10.0,
            escape(label)
        );
        let c = draw_field(out, state, &p, s, x, head, &format!("strip{k}"));
        let _ = write!(
            out,
            r##"<rect x="{x}" y="{head}" width="{pw}" height="{ph}" fill="none" stroke="#444" stroke-width="1"/><text x="{}" y="{}" font-size="11" fill="#444" text-anchor="middle">{} fibres, {} small angular, {} adipocytes</text>"##,
            x + pw / 2.0,
            head + ph + 16.0,
            c.fibres,
            c.atrophic,
            c.adipocytes
        );
        if k == 0 {
            scale_bar(out, s, x + 20.0, head + ph);
        }
        out.push_str("</g>");
        Ok(())
    }

    /// The SVG document.
    pub fn finish(self) -> String {
        let (_, pw, ph, gap, head, foot) = self.geometry();
        let w = (self.panels as f64 * (pw + gap) + gap).round();
        let h = (head + ph + foot).round();
        let title = if self.opts.title.is_empty() {
            "the same field over time".to_string()
        } else {
            self.opts.title.clone()
        };
        format!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="DejaVu Sans, Arial, sans-serif"><rect width="{w}" height="{h}" fill="white"/>{}<text x="{gap}" y="16" font-size="13" fill="#333">{} — {} (simulated). Simulation, not a patient biopsy.</text></svg>"##,
            self.body,
            escape(&title),
            escape(&self.stain_label)
        )
    }
}

/// Escapes text for SVG/HTML.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A fixed number in [0, 1) for fibre `i` (splitmix64 of its index), so the same fibre is
/// chosen on every day, in every stain and at every thread count.
fn fibre_draw(i: usize) -> f64 {
    let mut z = (i as u64).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}
