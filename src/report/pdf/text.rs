//! The embedded fonts as a fallback chain: each character is drawn with the first font that
//! has it (DejaVu Sans: Latin; Droid Sans Fallback: CJK; the two fill fonts: the newest
//! ideographs; DejaVu: symbols), measured with skrifa.

use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};
use std::collections::HashMap;

pub struct Fonts {
    faces: Vec<Face>,
    cache: HashMap<char, (usize, f32)>,
}

struct Face {
    data: &'static [u8],
    pub krilla: krilla::text::Font,
}

impl Fonts {
    /// The embedded fonts; `None` if one cannot be read (a broken build).
    pub fn embedded() -> Option<Fonts> {
        let mut all: Vec<&'static [u8]> = vec![crate::fonts::LATIN_FONT, crate::fonts::CJK_FONT];
        all.extend(crate::fonts::CJK_FILL_FONTS.iter().map(|(_, d)| *d));
        all.push(crate::fonts::SYMBOL_FONT);
        let faces = all
            .into_iter()
            .map(|data| {
                FontRef::new(data).ok()?;
                let krilla = krilla::text::Font::new(data.to_vec().into(), 0)?;
                Some(Face { data, krilla })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Fonts {
            faces,
            cache: HashMap::new(),
        })
    }

    /// The font bytes, in chain order (for usvg's font database).
    pub fn data(&self) -> impl Iterator<Item = &'static [u8]> + '_ {
        self.faces.iter().map(|f| f.data)
    }

    pub fn krilla(&self, font: usize) -> Option<krilla::text::Font> {
        self.faces.get(font).map(|f| f.krilla.clone())
    }

    /// The font that draws `c` and its advance in em.
    pub fn glyph(&mut self, c: char) -> (usize, f32) {
        if let Some(hit) = self.cache.get(&c) {
            return *hit;
        }
        let c2 = if c == '\u{a0}' { ' ' } else { c };
        let mut found = None;
        for (i, face) in self.faces.iter().enumerate() {
            let Ok(font) = FontRef::new(face.data) else {
                continue;
            };
            if let Some(gid) = font.charmap().map(c2) {
                let adv = font
                    .glyph_metrics(Size::new(1.0), LocationRef::default())
                    .advance_width(gid)
                    .unwrap_or(0.5);
                found = Some((i, adv));
                break;
            }
        }
        // No font has it: Droid's .notdef box, one em wide.
        let hit = found.unwrap_or((1, 1.0));
        self.cache.insert(c, hit);
        hit
    }

    /// `s` cut into runs of one font each.
    pub fn runs(&mut self, s: &str) -> Vec<(usize, String)> {
        let mut out: Vec<(usize, String)> = Vec::new();
        for c in s.chars() {
            let font = self.glyph(c).0;
            match out.last_mut() {
                Some((f, run)) if *f == font => run.push(c),
                _ => out.push((font, c.to_string())),
            }
        }
        out
    }

    /// Width of `s` at `size` points.
    pub fn width(&mut self, s: &str, size: f32) -> f32 {
        s.chars().map(|c| self.glyph(c).1).sum::<f32>() * size
    }
}

/// CJK ideographs, kana, CJK punctuation and full-width forms: a line may break before or
/// after each (but see [`no_break_before`] and [`no_break_after`]).
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x2FFF | 0x3000..=0x303F | 0x3040..=0x30FF | 0x3100..=0x31FF | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF
        | 0x20000..=0x3FFFF)
}

/// Closing punctuation never starts a line.
pub fn no_break_before(c: char) -> bool {
    "，。、；：！？）】」』》〉”’,.;:!?)]}%％·…—～".contains(c)
}

/// Opening punctuation never ends a line.
pub fn no_break_after(c: char) -> bool {
    "（【「『《〈“‘([{".contains(c)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn chain_and_widths() {
        let mut f = Fonts::embedded().unwrap();
        // DejaVu draws Latin (its 'A' is 1401/2048 em), Droid the common ideographs (one em).
        let (font, adv) = f.glyph('A');
        assert_eq!(font, 0);
        assert!((adv - 1401.0 / 2048.0).abs() < 1e-6, "{adv}");
        assert_eq!(f.glyph('ǎ').0, 0);
        let (font, adv) = f.glyph('浙');
        assert_eq!(font, 1);
        assert!((adv - 1.0).abs() < 1e-6, "{adv}");
        // U+9FB4 is in the Noto fill font, U+9FF0 in Unifont's, ✓ in DejaVu's symbols.
        assert_eq!(f.glyph('\u{9FB4}').0, 2);
        assert_eq!(f.glyph('\u{9FF0}').0, 3);
        assert_eq!(f.glyph('✓').0, 4);
        assert!((f.width("浙江", 10.0) - 20.0).abs() < 1e-4);
    }
}
