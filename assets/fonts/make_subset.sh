#!/usr/bin/env bash
# Builds assets/fonts/DroidSansFallback-zonecheck.ttf, the CJK font embedded in the desktop app.
#
# Source: Debian package `fonts-droid-fallback` (Droid Sans Fallback, Apache License 2.0, see
# LICENSE and NOTICE beside this script):
#   apt-get install -y fonts-droid-fallback
#   pip install fonttools brotli
# Subset: every CJK Unified Ideograph of the BMP that Droid has (U+4E00–U+9FA5, which includes all
# of GB2312's and GBK's hanzi; place names such as 峃 浬 堃 喆 玥 are outside GB2312), every GB2312
# symbol, printable ASCII, CJK and full-width punctuation, and every non-ASCII character that
# appears in the sources (the i18n table in src/app/i18n.rs, the engine's Chinese messages) and in
# the sample data's attribute text. The ideographs Droid lacks (U+9FA6–U+9FFF, added in Unicode
# 4.1–14) come from two small fill fonts made at the end of this script.
# egui_kittest fails on a glyph the fonts lack, so a string missing from the subset shows up in
# `cargo test`: rerun this script after adding Chinese text.
set -euo pipefail
cd "$(dirname "$0")/../.."
SRC=${SRC:-/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf}
OUT=assets/fonts/DroidSansFallback-zonecheck.ttf
CHARS=$(mktemp)
trap 'rm -f "$CHARS"' EXIT
python3 - "$CHARS" <<'PY'
import glob, sys
chars = set(chr(c) for c in range(0x20, 0x7F))
# GB2312: rows 0xA1-0xF7, cells 0xA1-0xFE.
for hi in range(0xA1, 0xF8):
    for lo in range(0xA1, 0xFF):
        try:
            chars.update(bytes([hi, lo]).decode("gb2312"))
        except UnicodeDecodeError:
            pass
# Every CJK Unified Ideograph of the BMP (Droid has U+4E00–U+9FA5; pyftsubset skips the rest).
chars.update(chr(c) for c in range(0x4E00, 0xA000))
# CJK symbols and punctuation, full-width forms, general punctuation, arrows, geometric shapes.
for lo, hi in [(0x3000, 0x303F), (0xFF00, 0xFFEF), (0x2000, 0x206F), (0x00B0, 0x00BF),
               (0x2190, 0x21FF), (0x25A0, 0x25FF), (0x2460, 0x24FF),
               (0x2600, 0x26FF), (0x2700, 0x27BF)]:
    chars.update(chr(c) for c in range(lo, hi + 1))
# Every non-ASCII character in the sources and in the sample data's text files.
files = glob.glob("src/**/*.rs", recursive=True) + glob.glob("sample_maps/*.geojson")
for path in files:
    chars.update(c for c in open(path, encoding="utf-8").read() if ord(c) > 0x7F)
for path in glob.glob("sample_maps/*.dbf"):
    data = open(path, "rb").read()
    for enc in ("utf-8", "gbk"):
        chars.update(c for c in data.decode(enc, errors="ignore") if ord(c) > 0x7F)
chars = sorted(c for c in chars if c.isprintable() or c == " ")
open(sys.argv[1], "w", encoding="utf-8").write("".join(chars))
PY
pyftsubset "$SRC" --text-file="$CHARS" --output-file="$OUT" \
  --layout-features='*' --no-hinting --desubroutinize --name-IDs='*' --notdef-outline
ls -l "$OUT"

# Symbols the UI uses that Droid Sans Fallback and egui's own fonts lack (▶ ✓ ✗ ⚠ …), from DejaVu
# Sans (Debian package fonts-dejavu-core; Bitstream Vera / DejaVu licence, see LICENSE-DejaVu):
#   apt-get install -y fonts-dejavu-core
DEJAVU=${DEJAVU:-/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf}
pyftsubset "$DEJAVU" --output-file=assets/fonts/DejaVuSans-symbols.ttf \
  --unicodes='U+00B0-00B3,U+00B7,U+2190-21FF,U+2500-25FF,U+2600-26FF,U+2700-27BF' \
  --layout-features='*' --no-hinting --notdef-outline
ls -l assets/fonts/DejaVuSans-symbols.ttf

# The CJK Unified Ideographs of the BMP that Droid Sans Fallback lacks (U+9FA6–U+9FFF):
# U+9FA6–U+9FEF from Noto Sans CJK SC (Debian package fonts-noto-cjk, SIL Open Font License 1.1,
# see LICENSE-OFL), U+9FF0–U+9FFF (Unicode 14, which Noto Sans CJK 2.004 lacks too) from GNU
# Unifont (package fonts-unifont 15.0; dual-licensed, used here under the SIL OFL 1.1).
#   apt-get install -y fonts-noto-cjk fonts-unifont
NOTO=${NOTO:-/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc}
pyftsubset "$NOTO" --font-number=2 --output-file=assets/fonts/NotoSansCJKsc-fill.otf \
  --unicodes='U+9FA6-9FEF' --layout-features='*' --no-hinting --desubroutinize --name-IDs='*' \
  --notdef-outline
UNIFONT=${UNIFONT:-/usr/share/fonts/opentype/unifont/unifont.otf}
pyftsubset "$UNIFONT" --output-file=assets/fonts/unifont-fill.otf \
  --unicodes='U+9FF0-9FFF' --layout-features='*' --no-hinting --name-IDs='*' --notdef-outline
ls -l assets/fonts/NotoSansCJKsc-fill.otf assets/fonts/unifont-fill.otf

# Latin for report.pdf (Droid Sans Fallback has no ASCII; the app takes Latin from egui's own
# fonts, the PDF from this): printable ASCII, Latin-1, Latin Extended-A and the pinyin vowels of
# Extended-B, Greek, punctuation, super- and subscripts, number forms and mathematical operators,
# from DejaVu Sans (same package and licence as above).
pyftsubset "$DEJAVU" --output-file=assets/fonts/DejaVuSans-latin.ttf \
  --unicodes='U+0020-007E,U+00A0-017F,U+01CD-01DC,U+0370-03FF,U+2010-2027,U+2030-203A,U+2070-209F,U+20AC,U+2116,U+2122,U+2150-218F,U+2200-22FF' \
  --layout-features='kern,liga' --no-hinting --notdef-outline
