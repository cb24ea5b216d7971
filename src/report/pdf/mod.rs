//! report.pdf: report.html laid out on A4 pages, so the printed report has exactly the content of
//! the page (the verdict, the summary and quota tables, each zone's maps, findings, conflict
//! and patch tables, sub-areas, 界址点 and the reviewer's decisions), with the embedded fonts
//! (subset to the characters used, with their Unicode so the text can be searched and copied)
//! and page numbers.
//!
//! Written by hand on top of krilla (PDF objects, fonts, subsetting) and krilla-svg/usvg (the
//! maps, which are report.html's own SVG): the only HTML-to-PDF crate in pure Rust needs a
//! newer compiler than ours, and the markup here is our own and small — headings,
//! paragraphs, lists, tables, badges and SVG — so `layout` understands just that.

mod dom;
mod layout;
mod text;

use crate::model::Text;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::TextDirection;
use krilla_svg::{SurfaceExt, SvgSettings};
use layout::{Layout, Op, PAGE_H, PAGE_W};
use std::sync::Arc;

/// report.pdf for a check: report.html laid out on A4.
pub fn render(input: &super::ReportInput) -> Result<Vec<u8>, Text> {
    render_html(&super::html::render_html(input))
}

/// report.pdf from report.html's text (as [`super::html::render_html`] wrote it).
pub fn render_html(html: &str) -> Result<Vec<u8>, Text> {
    html_to_pdf(html).map_err(|e| crate::messages::report::pdf_failed(&e))
}

/// Lays out one of report.html's pages as a PDF.
pub fn html_to_pdf(html: &str) -> Result<Vec<u8>, String> {
    let mut laid = lay_out(html)?;
    draw(&laid.pages, &laid.svgs, &mut laid.fonts, &laid.title)
}

struct LaidOut {
    pages: Vec<Vec<Op>>,
    svgs: Vec<usvg::Tree>,
    fonts: text::Fonts,
    title: String,
}

fn lay_out(html: &str) -> Result<LaidOut, String> {
    let mut fonts = text::Fonts::embedded().ok_or("the embedded fonts cannot be read")?;
    let mut db = usvg::fontdb::Database::new();
    for data in fonts.data() {
        db.load_font_data(data.to_vec());
    }
    let family = db
        .faces()
        .next()
        .and_then(|f| f.families.first().map(|(name, _)| name.clone()))
        .unwrap_or_else(|| "sans-serif".into());
    let svg_opts = usvg::Options {
        font_family: family,
        fontdb: Arc::new(db),
        style_sheet: Some(svg_style_sheet(html)),
        ..usvg::Options::default()
    };
    let root = dom::parse(html);
    let title = html
        .find("<title>")
        .and_then(|a| {
            let rest = &html[a + 7..];
            rest.find("</title>")
                .map(|b| dom::decode_entities(&rest[..b]))
        })
        .filter(|t| !t.trim().is_empty())
        .or_else(|| root.find("h1").map(|h| h.text()))
        .unwrap_or_default();
    let mut lay = Layout::new(&mut fonts, svg_opts, shared_defs(html));
    lay.root(&root);
    let (pages, svgs) = lay.finish();
    Ok(LaidOut {
        pages,
        svgs,
        fonts,
        title,
    })
}

/// The page's CSS rules for SVG content (`svg .rl { … }` → `.rl { … }`), as usvg's user style
/// sheet.
fn svg_style_sheet(html: &str) -> String {
    let Some(start) = html.find("<style>") else {
        return String::new();
    };
    let css = &html[start + 7..];
    let css = &css[..css.find("</style>").unwrap_or(css.len())];
    css.lines()
        .filter_map(|l| l.trim().strip_prefix("svg "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The `<defs>` of the hidden SVG at the top of report.html (hatch patterns every map uses).
fn shared_defs(html: &str) -> String {
    let Some(at) = html.find("<svg width=\"0\"") else {
        return String::new();
    };
    let rest = &html[at..];
    match (rest.find("<defs>"), rest.find("</defs>")) {
        (Some(a), Some(b)) if a < b => rest[a..b + 7].to_string(),
        _ => String::new(),
    }
}

fn color(c: layout::Rgb) -> rgb::Color {
    rgb::Color::new(c[0], c[1], c[2])
}

fn draw(
    pages: &[Vec<Op>],
    svgs: &[usvg::Tree],
    fonts: &mut text::Fonts,
    title: &str,
) -> Result<Vec<u8>, String> {
    let mut doc = krilla::Document::new();
    doc.set_metadata(
        krilla::metadata::Metadata::new()
            .title(title.to_string())
            .language("zh-CN".into())
            .creator(format!("zonecheck {}", env!("CARGO_PKG_VERSION"))),
    );
    let n = pages.len();
    let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or("bad page size")?;
    for (i, ops) in pages.iter().enumerate() {
        let mut page = doc.start_page_with(settings.clone());
        let mut surface = page.surface();
        for op in ops {
            match op {
                Op::Text {
                    x,
                    y,
                    style,
                    font,
                    text,
                } => {
                    let Some(f) = fonts.krilla(*font) else {
                        continue;
                    };
                    surface.set_fill(Some(Fill {
                        paint: color(style.color).into(),
                        opacity: NormalizedF32::ONE,
                        rule: Default::default(),
                    }));
                    // Bold as the fill outlined in the same colour (the fonts have one weight).
                    surface.set_stroke(style.bold.then(|| Stroke {
                        paint: color(style.color).into(),
                        width: style.size * 0.045,
                        ..Stroke::default()
                    }));
                    surface.draw_text(
                        Point::from_xy(*x, *y),
                        f,
                        style.size,
                        text,
                        false,
                        TextDirection::Auto,
                    );
                    surface.set_stroke(None);
                }
                Op::Rect {
                    x,
                    y,
                    w,
                    h,
                    fill,
                    stroke,
                } => {
                    let mut pb = PathBuilder::new();
                    let Some(rect) = Rect::from_xywh(*x, *y, w.max(0.01), h.max(0.01)) else {
                        continue;
                    };
                    pb.push_rect(rect);
                    let Some(path) = pb.finish() else {
                        continue;
                    };
                    surface.set_fill(fill.map(|c| Fill {
                        paint: color(c).into(),
                        opacity: NormalizedF32::ONE,
                        rule: Default::default(),
                    }));
                    surface.set_stroke(stroke.map(|(c, width)| Stroke {
                        paint: color(c).into(),
                        width,
                        ..Stroke::default()
                    }));
                    surface.draw_path(&path);
                    surface.set_stroke(None);
                }
                Op::Svg { x, y, w, h, tree } => {
                    let (Some(tree), Some(size)) = (svgs.get(*tree), Size::from_wh(*w, *h)) else {
                        continue;
                    };
                    surface.push_transform(&Transform::from_translate(*x, *y));
                    surface.draw_svg(tree, size, SvgSettings::default());
                    surface.pop();
                }
            }
        }
        // Page number, centred in the bottom margin.
        let label = format!("第 {} 页，共 {} 页", i + 1, n);
        let size = 8.5;
        let mut x = (PAGE_W - fonts.width(&label, size)) / 2.0;
        surface.set_fill(Some(Fill {
            paint: color([0x5a, 0x62, 0x70]).into(),
            opacity: NormalizedF32::ONE,
            rule: Default::default(),
        }));
        for (font, run) in fonts.runs(&label) {
            if let Some(f) = fonts.krilla(font) {
                surface.draw_text(
                    Point::from_xy(x, PAGE_H - 22.0),
                    f,
                    size,
                    &run,
                    false,
                    TextDirection::Auto,
                );
            }
            x += fonts.width(&run, size);
        }
        surface.finish();
        page.finish();
    }
    doc.finish().map_err(|e| format!("{e:?}"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn style_sheet_and_defs_from_the_page() {
        let html = "<html><head><style>\nbody { x: 1; }\nsvg .rl { fill: red; }\nsvg text { font-size: 11px; }\n</style></head>\
                    <body><svg width=\"0\" height=\"0\"><defs><pattern id=\"p\"/></defs></svg></body></html>";
        assert_eq!(
            svg_style_sheet(html),
            ".rl { fill: red; }\ntext { font-size: 11px; }"
        );
        assert_eq!(shared_defs(html), "<defs><pattern id=\"p\"/></defs>");
    }

    #[test]
    fn a_long_table_breaks_over_pages_with_its_header() {
        let mut html = String::from(
            "<html><body><h1>表</h1><table><thead><tr><th>编号</th><th>名称</th></tr></thead><tbody>",
        );
        for i in 0..200 {
            html.push_str(&format!("<tr><td>{i}</td><td>开发区{i}</td></tr>"));
        }
        html.push_str("</tbody></table></body></html>");
        // 200 rows of 16.6 pt on pages of 757 pt under a heading: 5 pages, each beginning
        // with the header row.
        let laid = lay_out(&html).unwrap();
        assert_eq!(laid.pages.len(), 5);
        for page in &laid.pages {
            let first_text = page.iter().find_map(|op| match op {
                Op::Text { text, .. } if text != "表" => Some(text.as_str()),
                _ => None,
            });
            assert_eq!(first_text, Some("编号"));
        }
        let pdf = html_to_pdf(&html).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
    }
}
