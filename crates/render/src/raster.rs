//! SVG to PNG with resvg (tiny-skia underneath): no hand-written rasteriser.
//!
//! Text needs fonts; the render crate does no I/O, so the caller passes a font database (the CLI
//! loads the system fonts). Without fonts, shapes render and text is left out.

use std::sync::Arc;

pub use resvg::usvg::fontdb;

use crate::RenderError;

/// Rasterises an SVG document at `scale` (1 = the SVG's own pixel size); returns PNG bytes and
/// the image size.
pub fn svg_to_png(
    svg: &str,
    fonts: Option<Arc<fontdb::Database>>,
    scale: f32,
) -> Result<(Vec<u8>, u32, u32), RenderError> {
    let mut opt = resvg::usvg::Options::default();
    if let Some(db) = fonts {
        opt.fontdb = db;
    }
    let tree =
        resvg::usvg::Tree::from_str(svg, &opt).map_err(|e| RenderError::Raster(e.to_string()))?;
    let size = tree.size();
    let scale = if scale.is_finite() && scale > 0.0 {
        scale
    } else {
        1.0
    };
    let w = (size.width() * scale).round().max(1.0) as u32;
    let h = (size.height() * scale).round().max(1.0) as u32;
    let mut pixmap = resvg::tiny_skia::Pixmap::new(w, h)
        .ok_or_else(|| RenderError::Raster(format!("cannot allocate a {w}×{h} image")))?;
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    let png = pixmap
        .encode_png()
        .map_err(|e| RenderError::Raster(e.to_string()))?;
    Ok((png, w, h))
}

/// Points the generic font families (`sans-serif`, `serif`, `monospace`) of `db` at fonts it
/// actually holds (DejaVu, Liberation, Noto, Arial, Helvetica — the first present), so that
/// plots written with generic families render their text.
pub fn use_available_generic_families(db: &mut fontdb::Database) {
    let families: std::collections::BTreeSet<String> = db
        .faces()
        .flat_map(|f| f.families.iter().map(|(n, _)| n.clone()))
        .collect();
    let pick = |cands: &[&str]| {
        cands
            .iter()
            .find(|c| families.contains(**c))
            .map(|c| c.to_string())
    };
    if let Some(f) = pick(&[
        "DejaVu Sans",
        "Liberation Sans",
        "Noto Sans",
        "Arial",
        "Helvetica",
        "FreeSans",
    ]) {
        db.set_sans_serif_family(f);
    }
    if let Some(f) = pick(&[
        "DejaVu Serif",
        "Liberation Serif",
        "Noto Serif",
        "Times New Roman",
        "FreeSerif",
    ]) {
        db.set_serif_family(f);
    }
    if let Some(f) = pick(&[
        "DejaVu Sans Mono",
        "Liberation Mono",
        "Noto Sans Mono",
        "Courier New",
        "FreeMono",
    ]) {
        db.set_monospace_family(f);
    }
}
