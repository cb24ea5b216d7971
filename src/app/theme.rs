//! Colours and symbols per layer role, the light/dark look, and the embedded CJK font. All styling
//! of the app lives here; the data knows nothing about it.

use crate::model::LayerRole;
use egui::{Color32, FontData, FontDefinitions, FontFamily, Stroke};
use std::sync::Arc;

use crate::fonts::SYMBOL_FONT;
pub use crate::fonts::{CJK_FILL_FONTS, CJK_FONT};
const CJK_FONT_NAME: &str = "droid-sans-fallback-zonecheck";
const SYMBOL_FONT_NAME: &str = "dejavu-sans-symbols";

/// Adds the CJK and symbol fonts after egui's own (Latin from egui, Chinese from Droid and the
/// two fill fonts, symbols from DejaVu).
pub fn install_fonts(ctx: &egui::Context) {
    let mut fonts = FontDefinitions::default();
    fonts.font_data.insert(
        CJK_FONT_NAME.to_owned(),
        Arc::new(FontData::from_static(CJK_FONT)),
    );
    fonts.font_data.insert(
        SYMBOL_FONT_NAME.to_owned(),
        Arc::new(FontData::from_static(SYMBOL_FONT)),
    );
    for (name, data) in CJK_FILL_FONTS {
        fonts
            .font_data
            .insert(name.to_owned(), Arc::new(FontData::from_static(data)));
    }
    for family in [FontFamily::Proportional, FontFamily::Monospace] {
        let list = fonts.families.entry(family).or_default();
        list.push(CJK_FONT_NAME.to_owned());
        list.extend(CJK_FILL_FONTS.iter().map(|(name, _)| (*name).to_owned()));
        list.push(SYMBOL_FONT_NAME.to_owned());
    }
    ctx.set_fonts(fonts);
}

/// Applies the light (default) or dark look.
pub fn apply_visuals(ctx: &egui::Context, dark: bool) {
    ctx.set_theme(if dark {
        egui::Theme::Dark
    } else {
        egui::Theme::Light
    });
}

/// How one polygon layer is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PolygonStyle {
    pub fill: Color32,
    pub stroke: Stroke,
}

/// Style of a layer by its role. Water is further split by class, see [`water_style`].
pub fn role_style(role: LayerRole) -> PolygonStyle {
    let (fill, stroke_color, width) = match role {
        LayerRole::Townships => (Color32::TRANSPARENT, Color32::from_rgb(150, 150, 150), 0.8),
        LayerRole::Barrier => (
            Color32::from_rgba_unmultiplied(160, 160, 160, 70),
            Color32::from_rgb(120, 120, 120),
            0.6,
        ),
        LayerRole::Original => (
            Color32::from_rgba_unmultiplied(120, 120, 220, 40),
            Color32::from_rgb(90, 90, 200),
            1.0,
        ),
        LayerRole::Farmland => (
            Color32::from_rgba_unmultiplied(240, 200, 60, 120),
            Color32::from_rgb(190, 150, 20),
            0.6,
        ),
        LayerRole::Water => (
            Color32::from_rgba_unmultiplied(70, 150, 230, 110),
            Color32::from_rgb(30, 100, 190),
            0.8,
        ),
        LayerRole::Redline => (
            Color32::from_rgba_unmultiplied(60, 160, 80, 120),
            Color32::from_rgb(30, 110, 50),
            0.8,
        ),
        LayerRole::Extra => (
            Color32::from_rgba_unmultiplied(80, 190, 180, 90),
            Color32::from_rgb(30, 130, 120),
            0.8,
        ),
        LayerRole::NewIndustrial => (
            Color32::from_rgba_unmultiplied(170, 90, 200, 70),
            Color32::from_rgb(120, 50, 160),
            1.0,
        ),
        LayerRole::Zones => (
            Color32::from_rgba_unmultiplied(255, 140, 0, 45),
            Color32::from_rgb(200, 80, 0),
            2.0,
        ),
    };
    PolygonStyle {
        fill,
        stroke: Stroke::new(width, stroke_color),
    }
}

/// Water-source protection zones by class: 一级 darkest, 准保护区 lightest.
pub fn water_style(class: Option<&str>) -> PolygonStyle {
    let base = role_style(LayerRole::Water);
    let alpha = match water_class(class) {
        Some(1) => 170,
        Some(2) => 110,
        Some(3) => 60,
        _ => 110,
    };
    let [r, g, b, _] = base.fill.to_srgba_unmultiplied();
    PolygonStyle {
        fill: Color32::from_rgba_unmultiplied(r, g, b, alpha),
        stroke: base.stroke,
    }
}

/// 1 for 一级, 2 for 二级, 3 for 准保护区 (from the class attribute text).
pub fn water_class(class: Option<&str>) -> Option<u8> {
    let c = class?;
    if c.contains('准') {
        Some(3)
    } else if c.contains('一') || c.contains('1') || c.contains('Ⅰ') {
        Some(1)
    } else if c.contains('二') || c.contains('2') || c.contains('Ⅱ') {
        Some(2)
    } else {
        None
    }
}

/// Conflict patches (zone ∩ protection layer), drawn on top of everything.
pub fn conflict_style() -> PolygonStyle {
    PolygonStyle {
        fill: Color32::from_rgba_unmultiplied(230, 0, 60, 170),
        stroke: Stroke::new(1.2, Color32::from_rgb(170, 0, 40)),
    }
}

/// The selected finding's geometry.
pub fn highlight_style() -> PolygonStyle {
    PolygonStyle {
        fill: Color32::from_rgba_unmultiplied(0, 220, 255, 60),
        stroke: Stroke::new(3.0, Color32::from_rgb(0, 150, 230)),
    }
}

/// The feature picked with the identify tool.
pub fn identify_stroke() -> Stroke {
    Stroke::new(2.5, Color32::from_rgb(255, 0, 255))
}

/// Zone labels on the map.
pub fn label_color(dark: bool) -> Color32 {
    if dark {
        Color32::from_rgb(255, 210, 160)
    } else {
        Color32::from_rgb(120, 40, 0)
    }
}

/// Map background.
pub fn map_background(dark: bool) -> Color32 {
    if dark {
        Color32::from_rgb(30, 32, 36)
    } else {
        Color32::from_rgb(250, 250, 246)
    }
}

/// Colour of a severity badge.
pub fn severity_color(sev: crate::analysis::Severity) -> Color32 {
    match sev {
        crate::analysis::Severity::Blocking => Color32::from_rgb(200, 20, 40),
        crate::analysis::Severity::Warning => Color32::from_rgb(200, 120, 0),
        crate::analysis::Severity::Info => Color32::from_rgb(60, 110, 200),
    }
}

pub fn pass_color(pass: bool) -> Color32 {
    if pass {
        Color32::from_rgb(20, 140, 60)
    } else {
        Color32::from_rgb(200, 20, 40)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use skrifa::MetadataProvider;

    /// Every CJK Unified Ideograph of the BMP (U+4E00–U+9FFF, 20,992 code points) is in the cmap
    /// of one of the embedded CJK fonts, read with skrifa (the font parser egui itself uses).
    /// Place names outside GB2312 (峃 浬 堃 喆 玥) are among them.
    #[test]
    fn embedded_fonts_cover_every_bmp_cjk_ideograph() {
        let mut fonts = vec![CJK_FONT];
        fonts.extend(CJK_FILL_FONTS.iter().map(|(_, d)| *d));
        let charmaps: Vec<_> = fonts
            .iter()
            .map(|d| skrifa::FontRef::new(d).map(|f| f.charmap()))
            .collect::<Result<_, _>>()
            .unwrap();
        let missing: Vec<String> = (0x4E00u32..=0x9FFF)
            .filter(|&c| charmaps.iter().all(|m| m.map(c).is_none()))
            .map(|c| format!("U+{c:04X}"))
            .collect();
        assert_eq!((0x4E00u32..=0x9FFF).count(), 20_992);
        assert!(missing.is_empty(), "{} missing: {missing:?}", missing.len());
        for ch in ['峃', '浬', '堃', '喆', '玥', '\u{9FA6}', '\u{9FFF}'] {
            assert!(charmaps.iter().any(|m| m.map(ch).is_some()), "{ch}");
        }
    }
}
