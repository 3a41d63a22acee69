//! SVG to PDF (svg2pdf: vector, the font subset embedded) and to PNG
//! (resvg), both with DejaVu Sans from the binary: the same text on a
//! laptop and in a container without fonts.

use std::sync::{Arc, OnceLock};

use resvg::usvg;

/// The renderers' fonts: DejaVu Sans regular and bold, nothing else.
fn options() -> usvg::Options<'static> {
    static FONTS: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    let fonts = FONTS.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_font_data(dejavu::sans::regular().to_vec());
        db.load_font_data(dejavu::sans::bold().to_vec());
        db.set_sans_serif_family("DejaVu Sans");
        Arc::new(db)
    });
    usvg::Options {
        font_family: "DejaVu Sans".into(),
        fontdb: fonts.clone(),
        ..usvg::Options::default()
    }
}

fn tree(svg: &str) -> anyhow::Result<usvg::Tree> {
    usvg::Tree::from_str(svg, &options()).map_err(|e| anyhow::anyhow!("the report's SVG: {e}"))
}

/// A one-page PDF of `svg`, its size in points.
pub fn pdf(svg: &str) -> anyhow::Result<Vec<u8>> {
    let tree = tree(svg)?;
    svg2pdf::to_pdf(
        &tree,
        svg2pdf::ConversionOptions::default(),
        svg2pdf::PageOptions::default(),
    )
    .map_err(|e| anyhow::anyhow!("the report's PDF: {e}"))
}

/// A PNG of `svg` at `scale` (2: sharp on a phone's screen).
pub fn png(svg: &str, scale: f32) -> anyhow::Result<Vec<u8>> {
    let tree = tree(svg)?;
    let size = tree
        .size()
        .to_int_size()
        .scale_by(scale)
        .ok_or_else(|| anyhow::anyhow!("an empty chart"))?;
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or_else(|| anyhow::anyhow!("an empty chart"))?;
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| anyhow::anyhow!("the chart's PNG: {e}"))
}
