//! The fonts embedded in the binary: the app draws its text with them and report.pdf embeds
//! them (subset to the characters used), so Chinese shows the same on every machine.

/// Droid Sans Fallback: printable ASCII, every CJK Unified Ideograph it has (U+4E00–U+9FA5),
/// GB2312's symbols, punctuation and the program's strings (see assets/fonts/make_subset.sh).
pub const CJK_FONT: &[u8] = include_bytes!("../assets/fonts/DroidSansFallback-zonecheck.ttf");
/// The ideographs Droid lacks: U+9FA6–U+9FEF from Noto Sans CJK SC, U+9FF0–U+9FFF from Unifont.
pub const CJK_FILL_FONTS: [(&str, &[u8]); 2] = [
    (
        "noto-sans-cjk-sc-fill",
        include_bytes!("../assets/fonts/NotoSansCJKsc-fill.otf"),
    ),
    (
        "unifont-fill",
        include_bytes!("../assets/fonts/unifont-fill.otf"),
    ),
];
/// DejaVu Sans' Latin (ASCII, Latin-1, Latin Extended-A, pinyin vowels, punctuation): Droid has
/// no ASCII; the app takes Latin from egui's fonts, report.pdf from this.
pub const LATIN_FONT: &[u8] = include_bytes!("../assets/fonts/DejaVuSans-latin.ttf");
/// DejaVu Sans symbols (▶ ✓ ✗ ⚠ ° …) that Droid lacks.
pub const SYMBOL_FONT: &[u8] = include_bytes!("../assets/fonts/DejaVuSans-symbols.ttf");
