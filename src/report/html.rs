//! report.html: the printable Chinese conflict report (开发区整合方案冲突分析报告), one self-contained file with inline CSS and SVG maps, no scripts; same inputs, same bytes.

use super::ReportInput;
use crate::analysis::fields::Fields;
use crate::analysis::zone::layer_label;
use crate::analysis::{Finding, Severity, ZoneResult};
use crate::model::{mu_from_m2, Geom, Layer, LayerRole};
use crate::spatial::frame::{MapFrame, MAP_H_PX, MAP_W_PX};
use crate::spatial::index::BoxIndex;
use crate::spatial::overlay::boxes_intersect;
use crate::spatial::roi::Roi;
use geo::{Area, BoundingRect, Coord, LineString, Polygon, Rect};
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// Rings are clipped this far outside the viewBox, so clipped edges never show.
const CLIP_MARGIN_PX: f64 = 4.0;
/// Vertices closer than this to the previous kept one are dropped (zone layers).
const STEP_PX: f64 = 0.5;
// The same for background layers (protection, townships, original zones), BACKGROUND_STEP_PX:
// 1 px is 0.3 mm on the printed A4 map, and these layers are context. A background feature
// smaller than a step on both sides would thin to a point: it is counted as too small to draw,
// and takes no share of the map's feature budget.
use crate::spatial::frame::{BACKGROUND_STEP_PX, MAX_MAP_FEATURES};
/// Conflict pieces smaller than this also get a ring marker so they can be seen.
const MARKER_BELOW_PX: f64 = 6.0;
const MAX_MARKERS: usize = 200;
/// A marker closer than this (on both axes) to one already placed is not drawn again.
const MARKER_APART_PX: f64 = 5.0;
/// Close-up maps per zone at most, and the least zoom (versus the overview) worth one.
const MAX_DETAIL_MAPS: usize = 2;
const DETAIL_MIN_ZOOM: f64 = 2.0;
/// Part numbers written on a map at most.
const MAX_PART_LABELS: usize = 50;
// Background features drawn per map at most: MAX_MAP_FEATURES (in spatial/frame.rs, which the
// loader reads too), and the path text they may take (the conflicts and the zones themselves
// are always drawn in full).
/// The background's path text in the whole report, shared between the maps (about 2.5 per
/// zone), each map getting between the two bounds below: a county's plan draws its context
/// in full, a province's 150 zones stay a file of a few megabytes.
const REPORT_BACKGROUND_BYTES: usize = 2_000_000;
const MIN_MAP_BACKGROUND_BYTES: usize = 5_000;
const MAX_MAP_BACKGROUND_BYTES: usize = 150_000;
/// Rows of a long table shown at most.
const MAX_TABLE_ROWS: usize = 20;
/// Rows of a zone's 界址点 table shown at most (boundary_points.csv has them all).
const MAX_POINT_ROWS: usize = 50;
/// Import warnings listed per layer at most.
const MAX_WARNINGS: usize = 500;

/// Appends formatted text to a `String` (writing to a `String` cannot fail).
macro_rules! w {
    ($out:expr, $($arg:tt)*) => {{
        let _ = write!($out, $($arg)*);
    }};
}

/// Renders report.html.
pub fn render_html(input: &ReportInput) -> String {
    let mut out = String::with_capacity(1 << 16);
    let maps = MapLayers::new(input);
    let resolved = input.resolved();
    page_head(&mut out);
    out.push_str("<body>\n");
    svg_defs(&mut out);
    header(&mut out, input, &resolved);
    summary(&mut out, input, &resolved);
    area_comparison(&mut out, input);
    plan_block(&mut out, input, &resolved);
    if !input.analysis.zones.is_empty() {
        out.push_str("<h2 class=\"part-title\">分区详情</h2>\n");
    }
    // Zone sections are independent: render them in parallel, concatenate in order.
    let sections: Vec<String> = {
        use rayon::prelude::*;
        input
            .analysis
            .zones
            .par_iter()
            .enumerate()
            .map(|(i, z)| {
                let mut section = String::new();
                zone_section(&mut section, input, &maps, &resolved, i, z);
                section
            })
            .collect()
    };
    for section in sections {
        out.push_str(&section);
    }
    out.push_str("<footer class=\"note\">本报告由 zonecheck ");
    out.push_str(&esc(&input.meta.version));
    out.push_str(match input.review.file.rules.area {
        crate::model::settings::AreaBasis::Planar => " 生成。检查与阈值按工作坐标系平面面积计算",
        crate::model::settings::AreaBasis::Ellipsoidal => {
            " 生成。提示中的面积与分片区最小面积按椭球面积计算（rules.area = \"ellipsoidal\"），碎片容差按平面"
        }
    });
    out.push_str(
        "；椭球面积为 CGCS2000 椭球（a = 6378137 m，f = 1/298.257222101）上以测地线连接各界址点所围面积，与国土调查图斑椭球面积同一口径。1 亩 = 10000/15 m²，1 公顷 = 10000 m²。</footer>\n</body>\n</html>\n",
    );
    out
}

// ---------------------------------------------------------------------------------------------
// Text helpers

/// Escapes text for HTML element content and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A number with `decimals` decimals and thousands separators: 1234567.891 → "1,234,567.89".
fn fmt_num(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return "—".to_string();
    }
    let s = crate::model::num::fixed(v.abs(), decimals);
    let (int, frac) = match s.find('.') {
        Some(i) => (&s[..i], &s[i..]),
        None => (s.as_str(), ""),
    };
    let negative = v < 0.0 && s.bytes().any(|b| b.is_ascii_digit() && b != b'0');
    let mut out = String::with_capacity(s.len() + s.len() / 3 + 1);
    if negative {
        out.push('-');
    }
    let digits = int.len();
    for (k, ch) in int.chars().enumerate() {
        if k > 0 && (digits - k) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out.push_str(frac);
    out
}

/// A share 0–1 as a percentage with 2 decimals.
/// An area in 公顷 (hectares), 4 decimals.
fn fmt_ha(m2: f64) -> String {
    fmt_num(crate::spatial::ellipsoid::ha_from_m2(m2), 4)
}

/// "1.50 亩（1,000.00 m²，0.1000 公顷）".
fn fmt_area3(m2: f64) -> String {
    format!(
        "{} 亩（{} m²，{} 公顷）",
        fmt_num(mu_from_m2(m2), 2),
        fmt_num(m2, 2),
        fmt_ha(m2)
    )
}

/// Three cells: m², 亩 (4 decimals), 公顷; dashes when the area is unknown.
fn area_cells(m2: Option<f64>, class: &str) -> String {
    match m2 {
        Some(a) => format!(
            "<td class=\"{class}\">{}</td><td class=\"{class}\">{}</td><td class=\"{class}\">{}</td>",
            fmt_num(a, 2),
            fmt_num(mu_from_m2(a), 4),
            fmt_ha(a)
        ),
        None => "<td class=\"n zero\">—</td>".repeat(3),
    }
}

/// The planar and the ellipsoidal area of each zone side by side, with the difference.
fn area_comparison(out: &mut String, input: &ReportInput) {
    let zones = &input.analysis.zones;
    if zones.is_empty() {
        return;
    }
    out.push_str("<h3>面积对照（平面 / 椭球）</h3>\n<table>\n<thead><tr><th rowspan=\"2\" class=\"nw\">编号</th><th colspan=\"3\">平面面积</th><th colspan=\"3\">椭球面积（CGCS2000）</th><th rowspan=\"2\">椭球−平面</th></tr>\n<tr><th>m²</th><th>亩</th><th>公顷</th><th>m²</th><th>亩</th><th>公顷</th></tr></thead>\n<tbody>\n");
    for z in zones {
        let diff = match z.area_ellipsoid_m2 {
            Some(e) if z.area_m2 > 0.0 => format!(
                "{} m²（{}）",
                fmt_num(e - z.area_m2, 2),
                fmt_pct((e - z.area_m2) / z.area_m2)
            ),
            _ => "—".to_string(),
        };
        w!(
            out,
            "<tr><td class=\"c\">{}</td>{}{}<td class=\"n\">{}</td></tr>\n",
            esc(&z.id),
            area_cells(Some(z.area_m2), "n"),
            area_cells(z.area_ellipsoid_m2, "n"),
            diff
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

fn fmt_pct(share: f64) -> String {
    format!("{}%", fmt_num(share * 100.0, 2))
}

/// A plain number from a settings file: integers without decimals, others as written.
fn fmt_setting(v: f64) -> String {
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e15 {
        fmt_num(v, 0)
    } else {
        crate::model::num::plain(v)
    }
}

/// 通过 / 经审查通过 / 不通过.
fn result_badge(r: crate::decisions::ZoneResult) -> String {
    use crate::decisions::ZoneResult as R;
    let class = match r {
        R::Pass => "pass",
        R::PassedByDecision => "decided",
        R::Fail => "fail",
    };
    format!("<span class=\"badge {class}\">{}</span>", r.text().zh)
}

fn severity_class(s: Severity) -> &'static str {
    match s {
        Severity::Blocking => "sev-blocking",
        Severity::Warning => "sev-warning",
        Severity::Info => "sev-info",
    }
}

fn yes_dash(b: bool) -> &'static str {
    if b {
        "是"
    } else {
        "—"
    }
}

fn file_name(path: &std::path::Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_string_lossy().into_owned())
}

// ---------------------------------------------------------------------------------------------
// Page frame

const CSS: &str = r#"@page { size: A4; margin: 14mm 12mm; }
* { box-sizing: border-box; }
html { background: #fff; color: #1b1f24; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", "SimHei", "SimSun", sans-serif; font-size: 10.5pt; line-height: 1.5; max-width: 186mm; margin: 0 auto; padding: 8mm 0; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
h1 { font-size: 20pt; text-align: center; margin: 0 0 4mm; letter-spacing: 1px; }
h2 { font-size: 14pt; border-bottom: 2px solid #1f3a93; padding-bottom: 1mm; margin: 7mm 0 3mm; }
h2.part-title { break-before: page; border-bottom-width: 3px; }
h3 { font-size: 11.5pt; color: #1f3a93; margin: 4mm 0 1.5mm; break-after: avoid; }
p { margin: 1mm 0 2mm; }
table { border-collapse: collapse; width: 100%; margin: 1.5mm 0 3mm; font-size: 9pt; }
th, td { border: 1px solid #b8c2d0; padding: 0.8mm 1.5mm; vertical-align: top; text-align: left; }
th { background: #e8edf5; font-weight: 600; text-align: center; }
table.kv th { width: 30%; text-align: left; }
table.summary th { font-size: 8pt; padding: 0.6mm 1mm; }
table.summary td { font-size: 8.5pt; padding: 0.6mm 1mm; }
table.summary td.name { min-width: 22mm; }
th.nw { white-space: nowrap; }
td.n { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.c { text-align: center; white-space: nowrap; }
td.hit { color: #c62828; font-weight: 700; }
td.zero { color: #8a94a6; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
tr.sum td { font-weight: 700; background: #f3f5f9; }
.badge { display: inline-block; padding: 0 2mm; border-radius: 1mm; color: #fff; font-size: 9pt; font-weight: 700; white-space: nowrap; vertical-align: middle; }
.badge.pass { background: #2e7d32; }
.badge.fail { background: #c62828; }
.badge.decided { background: #1565c0; }
.verdict { text-align: center; font-weight: 700; }
.verdict.loud { color: #c62828; }
.changed { color: #c62828; font-weight: 700; }
h2 .badge { font-size: 10.5pt; margin-left: 2mm; }
.ok { color: #2e7d32; font-weight: 600; }
.bad { color: #c62828; font-weight: 700; }
.sev-blocking { color: #c62828; font-weight: 700; white-space: nowrap; }
.sev-warning { color: #b45f06; font-weight: 700; white-space: nowrap; }
.sev-info { color: #3d6fb6; white-space: nowrap; }
td.rule { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 8pt; white-space: nowrap; }
td.clause { font-size: 8pt; color: #4a5568; }
.note { color: #5a6270; font-size: 8.5pt; }
.zone { break-before: page; }
.zone:first-of-type { break-before: auto; }
.map-wrap { break-inside: avoid; margin: 2mm 0 3mm; }
svg.map { display: block; width: 100%; height: auto; border: 1px solid #8a94a6; background: #fcfcf9; }
ul.legend { display: flex; flex-wrap: wrap; gap: 0.5mm 4mm; list-style: none; padding: 0; margin: 1.5mm 0 0; font-size: 8.5pt; }
ul.legend li { white-space: nowrap; }
ul.legend svg { width: 22px; height: 12px; vertical-align: -2px; margin-right: 1mm; }
details summary { cursor: pointer; }
details ul { margin: 1mm 0; padding-left: 5mm; font-size: 8pt; }
footer { margin-top: 8mm; border-top: 1px solid #b8c2d0; padding-top: 2mm; }
svg .rl { fill: url(#zc-hatch-rl); stroke: #1b7a35; stroke-width: 0.6; }
svg .nl { fill: #e6e6e6; fill-opacity: 0.8; stroke: none; }
svg .fl { fill: #f3d23f; fill-opacity: 0.55; stroke: #b08f00; stroke-width: 0.4; }
svg .w1 { fill: #1c5fb8; fill-opacity: 0.55; stroke: #0d3f80; stroke-width: 0.5; }
svg .w2 { fill: #4a90e2; fill-opacity: 0.45; stroke: #1f5fa8; stroke-width: 0.5; }
svg .w3 { fill: #a3cdf4; fill-opacity: 0.5; stroke: #5b95cf; stroke-width: 0.5; }
svg .wt { fill: #5b9be0; fill-opacity: 0.45; stroke: #2d6cb0; stroke-width: 0.5; }
svg .ex { fill: #1aa39a; fill-opacity: 0.4; stroke: #0c7068; stroke-width: 0.5; }
svg .ni { fill: #aa5ac8; fill-opacity: 0.3; stroke: #7832a0; stroke-width: 0.5; }
svg .tw { fill: none; stroke: #8c8c8c; stroke-width: 0.7; }
svg .br { fill: #b5b5b5; fill-opacity: 0.5; stroke: #7a7a7a; stroke-width: 0.4; }
svg .og { fill: none; stroke: #6a3d9a; stroke-width: 1.4; stroke-dasharray: 6 3; }
svg .oz { fill: none; stroke: #1f3a93; stroke-width: 1; stroke-dasharray: 2 2; }
svg .zn { fill: #1f3a93; fill-opacity: 0.07; stroke: #1f3a93; stroke-width: 2.6; stroke-linejoin: round; }
svg .zo { fill: none; stroke: #1f3a93; stroke-width: 2.2; stroke-linejoin: round; }
svg .xp { fill: url(#zc-hatch-xp); stroke: #e67e22; stroke-width: 1.2; }
svg .cf { fill: #e0001b; fill-opacity: 0.85; stroke: #8b0000; stroke-width: 0.8; }
svg .cfp { fill: none; stroke: #e0001b; stroke-width: 1.5; }
svg .pl { font-size: 12px; font-weight: 700; fill: #1f3a93; paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }
.map-title { font-size: 9pt; font-weight: 600; color: #1f3a93; margin: 0 0 1mm; }
svg .frame { fill: none; stroke: #8a94a6; stroke-width: 1; }
svg .sb-box { fill: #fff; fill-opacity: 0.85; stroke: none; }
svg .sb-b { fill: #1b1f24; }
svg .sb-w { fill: #fff; stroke: #1b1f24; stroke-width: 0.8; }
svg text { font-size: 11px; fill: #1b1f24; }
svg .na { fill: #1b1f24; stroke: #fff; stroke-width: 0.8; }
@media screen { body { padding: 8mm 4mm; } }
@media print { body { max-width: none; padding: 0; } details:not([open]) > ul { display: none; } }
"#;

fn page_head(out: &mut String) {
    out.push_str("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str("<title>开发区整合方案冲突分析报告</title>\n<style>\n");
    out.push_str(CSS);
    out.push_str("</style>\n</head>\n");
}

/// Patterns shared by every map (one hidden SVG at the top of the body).
fn svg_defs(out: &mut String) {
    out.push_str(
        "<svg width=\"0\" height=\"0\" style=\"position:absolute\" aria-hidden=\"true\" focusable=\"false\"><defs>\
<pattern id=\"zc-hatch-rl\" patternUnits=\"userSpaceOnUse\" width=\"6\" height=\"6\" patternTransform=\"rotate(45)\">\
<rect width=\"6\" height=\"6\" fill=\"#6cc17e\" fill-opacity=\"0.35\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#1b7a35\" stroke-width=\"1.4\" stroke-opacity=\"0.8\"/></pattern>\
<pattern id=\"zc-hatch-xp\" patternUnits=\"userSpaceOnUse\" width=\"7\" height=\"7\" patternTransform=\"rotate(-45)\">\
<rect width=\"7\" height=\"7\" fill=\"#f5a623\" fill-opacity=\"0.15\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"7\" stroke=\"#e67e22\" stroke-width=\"2.2\"/></pattern>\
</defs></svg>\n",
    );
}

// ---------------------------------------------------------------------------------------------
// Header: review, tool, CRS, rules, inputs

fn header(out: &mut String, input: &ReportInput, resolved: &crate::decisions::Resolved) {
    use crate::decisions::ZoneResult as R;
    let ds = input.dataset;
    let rules = &input.review.file.rules;
    let analysis = input.analysis;
    out.push_str("<h1>开发区整合方案冲突分析报告</h1>\n");
    // The reviewer's verdict first; a pass recorded over blocking findings not accepted is
    // shown in red with their number.
    let counts = resolved.counts(analysis);
    let verdict = &input.review.file.verdict;
    let loud = verdict.decision == crate::model::decision::VerdictDecision::Pass
        && counts.blocking_open > 0;
    w!(
        out,
        "<p class=\"verdict{}\">{}</p>\n",
        if loud { " loud" } else { "" },
        esc(&crate::messages::decisions::verdict_line(verdict, &counts).zh)
    );
    let results: Vec<R> = (0..analysis.zones.len())
        .map(|z| resolved.zone_result(analysis, z))
        .collect();
    let n = |r: R| results.iter().filter(|x| **x == r).count();
    let by_decision = n(R::PassedByDecision);
    w!(
        out,
        "<p style=\"text-align:center\">总体结论：{} 共 {} 个整合后开发区，{} 个通过，{}{} 个不通过{}</p>\n",
        result_badge(resolved.overall(analysis)),
        analysis.zones.len(),
        n(R::Pass),
        if by_decision > 0 {
            format!("{by_decision} 个经审查通过，")
        } else {
            String::new()
        },
        n(R::Fail),
        match resolved.plan_result(analysis) {
            R::Fail => "；方案层面存在否决项",
            R::PassedByDecision => "；方案层面的否决项均经审查同意",
            R::Pass => "",
        }
    );
    // Findings about the input, above everything else: the verdict depends on them.
    let input_findings: Vec<&crate::analysis::Finding> = analysis
        .plan
        .findings
        .iter()
        .filter(|f| f.is_about_input())
        .collect();
    if !input_findings.is_empty() {
        out.push_str("<div class=\"input-alert\" style=\"border:2px solid #c0392b;padding:0.5em 1em;margin:1em 0\">\n<h2>输入不完整：检查结果不能作为通过的依据</h2>\n<ul>\n");
        for f in input_findings {
            w!(
                out,
                "<li><b>{}</b> {}</li>\n",
                esc(&f.rule),
                esc(&f.message_zh)
            );
        }
        out.push_str("</ul>\n</div>\n");
    }
    if !resolved.orphaned.is_empty() || counts.decided > 0 || counts.evidence_changed > 0 {
        w!(
            out,
            "<p style=\"text-align:center\">{}</p>\n",
            esc(&crate::messages::decisions::counts_line(&counts).zh)
        );
    }
    out.push_str("<h2>基本信息</h2>\n<table class=\"kv\">\n");
    w!(
        out,
        "<tr><th>审查文件</th><td>{}</td></tr>\n",
        esc(&input.review.path.to_string_lossy())
    );
    w!(
        out,
        "<tr><th>生成工具</th><td>zonecheck {}</td></tr>\n",
        esc(&input.meta.version)
    );
    w!(
        out,
        "<tr><th>工作坐标系</th><td>{}<br><span class=\"note\">{}</span></td></tr>\n",
        esc(&ds.working_crs.label()),
        esc(&ds.working_crs_reason)
    );
    out.push_str("</table>\n<h3>检查规则</h3>\n<table class=\"kv\">\n");
    let rows: [(&str, String); 12] = [
        (
            "连片距离",
            format!(
                "{} m（分片区间距扣除其间的道路、河流、铁路和保护区域后不超过此值视为连片）",
                fmt_setting(rules.contiguity_distance_m)
            ),
        ),
        (
            "可扣除的最大间距",
            format!(
                "{} m（更宽的间距即使被道路、河流、铁路或保护区域占满也不视为连片）",
                fmt_setting(rules.max_bridged_gap_m)
            ),
        ),
        (
            "最小连接宽度",
            format!(
                "{} m（窄于此宽度的狭长连接不算相连；0 为不检查）",
                fmt_setting(rules.min_connection_width_m)
            ),
        ),
        ("组团数上限", format!("{} 个", rules.max_clusters)),
        (
            "分片区数量上限",
            format!("{} 个（相接的地块合为一个分片区）", rules.max_parts),
        ),
        (
            "面积口径（rules.area）",
            match rules.area {
                crate::model::settings::AreaBasis::Planar => {
                    "平面面积（工作坐标系）：检查结论、提示中的面积与分片区最小面积按平面面积；椭球面积并列"
                        .to_string()
                }
                crate::model::settings::AreaBasis::Ellipsoidal => {
                    "椭球面积（CGCS2000）：提示中的面积与分片区最小面积按椭球面积；平面面积并列；碎片容差仍按平面"
                        .to_string()
                }
            },
        ),
        (
            "分片区最小面积",
            format!(
                "{} m²（{} 亩），小于此值记为碎片",
                fmt_setting(rules.min_part_area_m2),
                fmt_num(mu_from_m2(rules.min_part_area_m2), 2)
            ),
        ),
        (
            "碎片容差",
            format!(
                "宽不超过 {} m 或小于 {} m² 的重叠碎片视为绘制误差；每个开发区每个图层碎片合计超过 {} m² 时计为冲突",
                fmt_setting(rules.sliver_width_m),
                fmt_setting(rules.sliver_area_m2),
                fmt_setting(rules.sliver_total_m2)
            ),
        ),
        (
            "托管乡镇保护面积占比阈值",
            fmt_pct(rules.custody_protected_share),
        ),
        (
            "扩区",
            if rules.expansion_blocks {
                "超出原开发区范围为否决项".to_string()
            } else {
                "超出原开发区范围为警告，需说明理由".to_string()
            },
        ),
        ("主导产业上限", format!("{} 个", rules.max_industries)),
        ("开发区总量上限", format!("{} 个", rules.max_total_zones)),
    ];
    for (k, v) in rows {
        w!(out, "<tr><th>{}</th><td>{}</td></tr>\n", k, esc(&v));
    }
    if !rules.severity.is_empty() {
        let changed: Vec<String> = rules
            .severity
            .iter()
            .map(|(rule, s)| format!("{rule} → {}", s.name_zh()))
            .collect();
        w!(
            out,
            "<tr><th>调整的严重程度</th><td>{}</td></tr>\n",
            esc(&changed.join("；"))
        );
    }
    out.push_str("</table>\n");
    inputs_table(out, ds);
    fields_table(out, ds, &input.review.file);
}

/// Per layer, the field used for each role and how it was chosen (analysis::fields).
fn fields_table(
    out: &mut String,
    ds: &crate::load::Dataset,
    file: &crate::model::settings::ReviewFile,
) {
    out.push_str("<h3>字段识别</h3>\n<table>\n<thead><tr><th>图层</th><th>字段（用途：字段名，如何确定）</th></tr></thead>\n<tbody>\n");
    for l in &ds.layers {
        let lines: Vec<String> = Fields::explain(l, file)
            .choices
            .iter()
            .map(|c| esc(&c.describe().zh))
            .collect();
        w!(
            out,
            "<tr><td>{}</td><td>{}</td></tr>\n",
            esc(&l.name),
            lines.join("<br>")
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

fn inputs_table(out: &mut String, ds: &crate::load::Dataset) {
    out.push_str("<h3>输入图层</h3>\n<table>\n<thead><tr><th>图层</th><th>角色</th><th>文件</th><th>要素数</th><th>坐标系</th><th>编码</th><th>警告</th></tr></thead>\n<tbody>\n");
    for l in &ds.layers {
        let src = &l.source;
        w!(
            out,
            "<tr><td>{}</td><td>{}</td><td title=\"{}\">{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td><td class=\"c\">{}</td></tr>\n",
            esc(&l.name),
            l.role.name_zh(),
            esc(&src.path.to_string_lossy()),
            esc(&file_name(&src.path)),
            if src.far_from_zones > 0 {
                format!(
                    "{}<br><span class=\"note\">另 {} 个远离各开发区，未载入</span>",
                    fmt_num(src.features as f64, 0),
                    fmt_num(src.far_from_zones as f64, 0)
                )
            } else {
                fmt_num(src.features as f64, 0)
            },
            esc(&src.crs.zh),
            esc(src.encoding.as_ref().map_or("—", |e| e.zh.as_str())),
            src.warnings.len()
        );
    }
    out.push_str("</tbody>\n</table>\n");
    for l in ds.layers.iter().filter(|l| !l.source.warnings.is_empty()) {
        let warnings = &l.source.warnings;
        w!(
            out,
            "<details><summary>图层 {} 的导入警告（{} 条）</summary>\n<ul>\n",
            esc(&l.name),
            warnings.len()
        );
        for warning in warnings.iter().take(MAX_WARNINGS) {
            w!(out, "<li>{}</li>\n", esc(&warning.zh));
        }
        if warnings.len() > MAX_WARNINGS {
            w!(
                out,
                "<li>…共 {} 条，仅列出前 {} 条</li>\n",
                warnings.len(),
                MAX_WARNINGS
            );
        }
        out.push_str("</ul>\n</details>\n");
    }
}

// ---------------------------------------------------------------------------------------------
// Summary and plan

/// The layers whose overlap with a zone is a conflict: protection layers but control lines
/// (extra layers of role `control_line`, whose area the zones report in `control_lines`).
pub(super) fn conflict_layers<'a>(input: &'a ReportInput) -> Vec<&'a Layer> {
    input
        .dataset
        .protection_layers()
        .filter(|l| {
            !input
                .analysis
                .zones
                .iter()
                .any(|z| z.control_lines.contains_key(&l.name))
        })
        .collect()
}

fn summary(out: &mut String, input: &ReportInput, resolved: &crate::decisions::Resolved) {
    let protection: Vec<&Layer> = conflict_layers(input);
    let has_original = input.dataset.layer(LayerRole::Original).is_some();
    out.push_str("<h2>汇总</h2>\n<table class=\"summary\">\n<thead><tr><th rowspan=\"2\" class=\"nw\">编号</th><th rowspan=\"2\">名称</th><th colspan=\"2\">面积</th><th rowspan=\"2\">分片区数</th><th rowspan=\"2\">组团数</th>");
    if !protection.is_empty() {
        w!(
            out,
            "<th colspan=\"{}\">冲突面积（亩）</th>",
            protection.len()
        );
    }
    out.push_str("<th rowspan=\"2\">扩区面积（亩）</th><th rowspan=\"2\" class=\"nw\">结论</th></tr>\n<tr><th>亩</th><th>m²</th>");
    for l in &protection {
        w!(out, "<th>{}</th>", esc(&layer_label(l).0));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    let zones = &input.analysis.zones;
    let mut total_m2 = 0.0;
    let mut total_parts = 0usize;
    let mut conflict_totals = vec![0.0; protection.len()];
    let mut expansion_total = 0.0;
    for (i, z) in zones.iter().enumerate() {
        total_m2 += z.area_m2;
        total_parts += z.parts.len();
        w!(
            out,
            "<tr><td class=\"c\"><a href=\"#zone-{}\">{}</a></td><td class=\"name\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>",
            i + 1,
            esc(&z.id),
            esc(z.name.as_deref().unwrap_or("")),
            fmt_num(z.area_mu, 2),
            fmt_num(z.area_m2, 2),
            z.part_count,
            z.clusters
        );
        for (k, l) in protection.iter().enumerate() {
            match z.conflicts.get(&l.name) {
                Some(c) => {
                    conflict_totals[k] += c.area_m2;
                    let class = if c.is_conflict() { "n hit" } else { "n zero" };
                    w!(
                        out,
                        "<td class=\"{}\">{}</td>",
                        class,
                        fmt_num(c.area_mu, 2)
                    );
                }
                None => out.push_str("<td class=\"n zero\">—</td>"),
            }
        }
        match z.expansion_area_m2 {
            Some(a) => {
                expansion_total += a;
                w!(out, "<td class=\"n\">{}</td>", fmt_num(mu_from_m2(a), 2));
            }
            None => out.push_str("<td class=\"n zero\">—</td>"),
        }
        w!(
            out,
            "<td class=\"c\">{}</td></tr>\n",
            result_badge(resolved.zone_result(input.analysis, i))
        );
    }
    if zones.len() > 1 {
        w!(
            out,
            "<tr class=\"sum\"><td colspan=\"2\">合计 {} 个</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td></td>",
            zones.len(),
            fmt_num(mu_from_m2(total_m2), 2),
            fmt_num(total_m2, 2),
            total_parts
        );
        for t in &conflict_totals {
            w!(out, "<td class=\"n\">{}</td>", fmt_num(mu_from_m2(*t), 2));
        }
        if has_original {
            w!(
                out,
                "<td class=\"n\">{}</td>",
                fmt_num(mu_from_m2(expansion_total), 2)
            );
        } else {
            out.push_str("<td class=\"n zero\">—</td>");
        }
        w!(
            out,
            "<td class=\"c\">{} 个不通过</td></tr>\n",
            (0..zones.len())
                .filter(|&z| {
                    resolved.zone_result(input.analysis, z) == crate::decisions::ZoneResult::Fail
                })
                .count()
        );
    }
    if zones.is_empty() {
        w!(
            out,
            "<tr><td colspan=\"{}\">没有整合后开发区</td></tr>\n",
            8 + protection.len()
        );
    }
    out.push_str("</tbody>\n</table>\n");
    if !has_original {
        out.push_str("<p class=\"note\">未提供原开发区图层，未检查扩区（—）。</p>\n");
    }
}

fn plan_block(out: &mut String, input: &ReportInput, resolved: &crate::decisions::Resolved) {
    let plan = &input.analysis.plan;
    let max_total = input.review.file.rules.max_total_zones;
    out.push_str("<h3>方案层面</h3>\n<table class=\"kv\">\n");
    let ok = crate::analysis::plan::quota_verdict(plan.zone_count, [0, max_total]).is_none();
    w!(
        out,
        "<tr><th>整合后开发区数量</th><td><span class=\"{}\">{} 个</span>（总量上限 {} 个）</td></tr>\n</table>\n",
        if ok { "ok" } else { "bad" },
        plan.zone_count,
        max_total
    );
    quota_table(out, "设区市本级", &plan.city_level_counts);
    quota_table(out, "县（市、区）", &plan.county_counts);
    out.push_str("<h3>方案层面检查结果</h3>\n");
    findings_table(
        out,
        &plan.findings,
        resolved.attached.last(),
        with_review(input),
    );
    orphaned_list(out, resolved);
}

/// Whether the findings tables get a review column: the review has decisions or a verdict.
fn with_review(input: &ReportInput) -> bool {
    !input.review.file.decisions.is_empty() || !input.review.file.verdict.is_empty()
}

/// The decisions whose finding no longer exists (never attached to another finding).
fn orphaned_list(out: &mut String, resolved: &crate::decisions::Resolved) {
    if resolved.orphaned.is_empty() {
        return;
    }
    w!(
        out,
        "<h3>{}</h3>\n<table class=\"findings\">\n<thead><tr><th>检查结果</th><th>审查意见</th></tr></thead>\n<tbody>\n",
        crate::messages::decisions::orphaned_title().zh
    );
    for row in &resolved.orphaned {
        let key = crate::decisions::FindingKey {
            zone: row.zone.clone(),
            rule: row.rule.clone(),
            about: row.about.clone(),
        };
        let mut t = format!("<strong>{}</strong>", row.status.name_zh());
        for part in [&row.reason, &row.comment] {
            if !part.trim().is_empty() {
                t.push_str("<br>");
                t.push_str(&esc(part));
            }
        }
        w!(
            out,
            "<tr><td>{}</td><td class=\"review\">{}</td></tr>\n",
            esc(&crate::messages::decisions::orphaned(&key, row.index).zh),
            t
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

fn quota_table(
    out: &mut String,
    what: &str,
    counts: &std::collections::BTreeMap<String, (usize, [u32; 2])>,
) {
    if counts.is_empty() {
        return;
    }
    w!(
        out,
        "<table>\n<thead><tr><th>{}</th><th>开发区数量</th><th>允许范围</th><th>核对</th></tr></thead>\n<tbody>\n",
        what
    );
    for (name, (count, [min, max])) in counts {
        let status = match crate::analysis::plan::quota_verdict(*count, [*min, *max]) {
            Some(crate::analysis::Severity::Blocking) => "<span class=\"bad\">超过上限</span>",
            Some(_) => "<span class=\"bad\">少于下限</span>",
            None => "<span class=\"ok\">符合</span>",
        };
        w!(
            out,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"c\">{}–{}</td><td class=\"c\">{}</td></tr>\n",
            esc(name),
            count,
            min,
            max,
            status
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

/// The findings of a zone (or of the plan, `zone` None), with the reviewer's decision on each
/// in a last column when the review has any.
fn findings_table(
    out: &mut String,
    findings: &[Finding],
    decisions: Option<&Vec<Option<crate::decisions::Attached>>>,
    with_review: bool,
) {
    if findings.is_empty() {
        out.push_str("<p class=\"ok\">无检查发现。</p>\n");
        return;
    }
    out.push_str("<table class=\"findings\">\n<thead><tr><th>级别</th><th>规则</th><th>说明</th><th>条款</th>");
    if with_review {
        out.push_str("<th>审查意见</th>");
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for (i, f) in findings.iter().enumerate() {
        w!(
            out,
            "<tr><td class=\"{}\">{}</td><td class=\"rule\">{}</td><td>{}</td><td class=\"clause\">{}</td>",
            severity_class(f.severity),
            f.severity.name_zh(),
            rule_cell(f),
            esc(&f.message_zh),
            clause_cell(f)
        );
        if with_review {
            let text = decisions
                .and_then(|d| d.get(i))
                .and_then(Option::as_ref)
                .map(|a| {
                    let d = &a.decision;
                    let mut t = format!("<strong>{}</strong>", d.status.name_zh());
                    if a.evidence_changed {
                        t.push_str(&format!(
                            "<br><span class=\"changed\">{}</span>",
                            esc(&crate::messages::decisions::evidence_changed().zh)
                        ));
                    }
                    for part in [&d.reason, &d.comment] {
                        if !part.trim().is_empty() {
                            t.push_str("<br>");
                            t.push_str(&esc(part));
                        }
                    }
                    t
                })
                .unwrap_or_default();
            w!(out, "<td class=\"review\">{text}</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

// ---------------------------------------------------------------------------------------------
// Per zone

fn zone_section(
    out: &mut String,
    input: &ReportInput,
    maps: &MapLayers,
    resolved: &crate::decisions::Resolved,
    i: usize,
    z: &ZoneResult,
) {
    w!(out, "<section class=\"zone\" id=\"zone-{}\">\n", i + 1);
    w!(
        out,
        "<h2>{}{}{}{}</h2>\n",
        esc(&z.id),
        if z.name.is_some() { " " } else { "" },
        esc(z.name.as_deref().unwrap_or("")),
        result_badge(resolved.zone_result(input.analysis, i))
    );
    out.push_str("<table class=\"kv\">\n");
    let opt = |v: &Option<String>| esc(v.as_deref().unwrap_or("—"));
    let list = |v: &[String]| {
        if v.is_empty() {
            "—".to_string()
        } else {
            esc(&v.join("、"))
        }
    };
    w!(out, "<tr><th>级别</th><td>{}</td></tr>\n", opt(&z.level));
    w!(
        out,
        "<tr><th>设区市 / 县（市、区）</th><td>{} / {}</td></tr>\n",
        opt(&z.city),
        opt(&z.county)
    );
    w!(
        out,
        "<tr><th>整合对象</th><td>{}</td></tr>\n",
        list(&z.members)
    );
    w!(
        out,
        "<tr><th>主导产业</th><td>{}</td></tr>\n",
        list(&z.industries)
    );
    w!(
        out,
        "<tr><th>面积</th><td>{}</td></tr>\n",
        fmt_area3(z.area_m2)
    );
    w!(
        out,
        "<tr><th>椭球面积</th><td>{}</td></tr>\n",
        z.area_ellipsoid_m2
            .map_or_else(|| "—（未能计算）".to_string(), fmt_area3)
    );
    w!(
        out,
        "<tr><th>分片区 / 组团</th><td>{} 个分片区，{} 个组团</td></tr>\n",
        z.part_count,
        z.clusters
    );
    let expansion = match z.expansion_area_m2 {
        Some(a) => format!(
            "{}；椭球面积 {}",
            fmt_area3(a),
            z.expansion_area_ellipsoid_m2
                .map_or_else(|| "—".to_string(), fmt_area3)
        ),
        None => "—（未提供原开发区图层）".to_string(),
    };
    w!(out, "<tr><th>扩区面积</th><td>{}</td></tr>\n", expansion);
    out.push_str("</table>\n");

    zone_map(out, input, maps, i, z);

    out.push_str("<h3>检查结果</h3>\n");
    findings_table(
        out,
        &z.findings,
        resolved.attached.get(i),
        with_review(input),
    );
    conflict_tables(out, input, z);
    parts_table(out, z);
    enclaves_table(out, z);
    boundary_points_table(out, input, z);
    out.push_str("</section>\n");
}

/// The zone's 界址点 (boundary points) ring by ring, as boundary_points.csv lists them, folded
/// (`<details>`): at most [`MAX_POINT_ROWS`] rows, the rest in the CSV.
fn boundary_points_table(out: &mut String, input: &ReportInput, z: &ZoneResult) {
    let decimals = input.meta.coord_decimals;
    let points = crate::io::gtxt::boundary_points(&z.geometry, decimals);
    if points.is_empty() {
        return;
    }
    let crs = &input.dataset.working_crs;
    w!(
        out,
        "<details class=\"boundary-points\"><summary>界址点坐标表（{} 行；{}，X 为北坐标，Y 为东坐标，单位米）</summary>\n",
        points.len(),
        esc(&match crs.epsg_equivalent() {
            Some(code) => format!("EPSG:{code} ({})", crs.name),
            None => crs.label(),
        })
    );
    out.push_str("<table>\n<thead><tr><th>部件</th><th>圈号</th><th>点号</th><th>X坐标</th><th>Y坐标</th></tr></thead>\n<tbody>\n");
    for p in points.iter().take(MAX_POINT_ROWS) {
        w!(
            out,
            "<tr><td>{}</td><td>{}</td><td>J{}</td><td>{:.*}</td><td>{:.*}</td></tr>\n",
            p.part,
            p.ring_in_part,
            p.number,
            decimals,
            p.x_north,
            decimals,
            p.y_east
        );
    }
    if points.len() > MAX_POINT_ROWS {
        w!(
            out,
            "<tr><td colspan=\"5\" class=\"note\">…共 {} 行，仅列出前 {} 行；完整的界址点表见 report.xlsx 的“界址点”表和 boundary_points.csv</td></tr>\n",
            points.len(),
            MAX_POINT_ROWS
        );
    }
    out.push_str("</tbody>\n</table>\n</details>\n");
}

/// Every enclave part of the zone with its recorded basis.
fn enclaves_table(out: &mut String, z: &ZoneResult) {
    if z.enclaves.is_empty() {
        return;
    }
    w!(out, "<h3>飞地（{} 个）</h3>\n", z.enclaves.len());
    out.push_str("<table>\n<thead><tr><th>分片区序号</th><th>面积（m²）</th><th>面积（亩）</th><th>飞地依据</th><th>县（市、区）</th></tr></thead>\n<tbody>\n");
    for e in &z.enclaves {
        let basis = match &e.basis {
            Some(b) => format!("<td>{}</td>", esc(b)),
            None => "<td class=\"bad\">未记录依据</td>".to_string(),
        };
        w!(
            out,
            "<tr><td class=\"c\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>{}<td>{}</td></tr>\n",
            e.part,
            fmt_num(e.area_m2, 2),
            fmt_num(e.area_mu, 4),
            basis,
            esc(e.county.as_deref().unwrap_or("—"))
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

fn conflict_tables(out: &mut String, input: &ReportInput, z: &ZoneResult) {
    if !z.control_lines.is_empty() {
        out.push_str("<h3>控制线（开发区内划定，不计冲突）</h3>\n<table>\n<thead><tr><th>控制线图层</th><th>面积（m²）</th><th>面积（亩）</th><th>占开发区面积</th></tr></thead>\n<tbody>\n");
        for (name, a) in &z.control_lines {
            w!(
                out,
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
                esc(name),
                fmt_num(*a, 2),
                fmt_num(mu_from_m2(*a), 4),
                fmt_pct(if z.area_m2 > 0.0 { a / z.area_m2 } else { 0.0 })
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    let protection: Vec<&Layer> = conflict_layers(input);
    if protection.is_empty() {
        return;
    }
    out.push_str("<h3>保护图层冲突</h3>\n<table>\n<thead><tr><th>保护图层</th><th>冲突面积（m²）</th><th>冲突面积（亩）</th><th>冲突面积（公顷）</th><th>椭球面积（m²）</th><th>椭球面积（亩）</th><th>椭球面积（公顷）</th><th>占开发区面积</th><th>图斑数</th><th>碎片（不计冲突）</th></tr></thead>\n<tbody>\n");
    for l in &protection {
        let label = layer_label(l).0;
        match z.conflicts.get(&l.name) {
            Some(c) => {
                let hit = c.is_conflict();
                let class = if hit { "n hit" } else { "n" };
                w!(
                    out,
                    "<tr><td>{}</td>{}{}<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
                    esc(&label),
                    area_cells(Some(c.area_m2), class),
                    area_cells(c.area_ellipsoid_m2, class),
                    fmt_pct(c.share),
                    c.features.len(),
                    if c.sliver_count > 0 {
                        format!("{} 处，{} m²", c.sliver_count, fmt_num(c.sliver_area_m2, 3))
                    } else {
                        "—".to_string()
                    }
                );
                for (class_name, a) in &c.by_class_m2 {
                    w!(
                        out,
                        "<tr><td>　其中 {}</td>{}<td></td><td></td><td></td><td class=\"n\">{}</td><td></td><td></td></tr>\n",
                        esc(class_name),
                        area_cells(Some(*a), "n"),
                        fmt_pct(if z.area_m2 > 0.0 { a / z.area_m2 } else { 0.0 })
                    );
                }
            }
            None => w!(
                out,
                "<tr><td>{}</td><td colspan=\"9\" class=\"zero\">未检查</td></tr>\n",
                esc(&label)
            ),
        }
    }
    out.push_str("</tbody>\n</table>\n");

    for l in &protection {
        let Some(c) = z.conflicts.get(&l.name) else {
            continue;
        };
        if c.features.is_empty() {
            continue;
        }
        let label = layer_label(l).0;
        let with_class = c.features.iter().any(|f| f.class.is_some());
        // The farmland layer's patches with a TBMJ: the reconciliation columns.
        let with_tbmj = c.features.iter().any(|f| f.tbmj_m2.is_some());
        w!(
            out,
            "<h3>{} 冲突图斑（{} 个）</h3>\n<table>\n<thead><tr><th>序号</th><th>图斑编号</th>",
            esc(&label),
            c.features.len()
        );
        if with_class {
            out.push_str("<th>类别</th>");
        }
        // The patch fields of `[fields] patch` the layer has (the same for every feature).
        let patch_names: Vec<&str> = c
            .features
            .first()
            .map(|f| f.fields.iter().map(|(n, _)| n.as_str()).collect())
            .unwrap_or_default();
        for n in &patch_names {
            w!(out, "<th>{}</th>", esc(n));
        }
        out.push_str("<th>面积（m²）</th><th>面积（亩）</th><th>面积（公顷）</th><th>椭球面积（m²）</th><th>椭球面积（亩）</th><th>椭球面积（公顷）</th>");
        if with_tbmj {
            out.push_str("<th>TBMJ（m²）</th><th>图斑椭球面积（m²）</th><th>占用比例</th><th>按 TBMJ 折算占用面积（m²）</th>");
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        // A long table shows its largest rows (numbered as in report.xlsx and
        // occupied_patches.csv, which list every patch).
        let mut shown: Vec<usize> = (0..c.features.len()).collect();
        if shown.len() > MAX_TABLE_ROWS {
            shown.sort_by(|&a, &b| {
                c.features[b]
                    .area_m2
                    .total_cmp(&c.features[a].area_m2)
                    .then(a.cmp(&b))
            });
            shown.truncate(MAX_TABLE_ROWS);
            shown.sort_unstable();
        }
        for (k, f) in shown.iter().map(|&k| (k, &c.features[k])) {
            w!(
                out,
                "<tr><td class=\"c\">{}</td><td>{}</td>",
                k + 1,
                esc(&f.id)
            );
            if with_class {
                w!(out, "<td>{}</td>", esc(f.class.as_deref().unwrap_or("—")));
            }
            for (_, v) in &f.fields {
                w!(out, "<td>{}</td>", esc(v.as_deref().unwrap_or("—")));
            }
            out.push_str(&area_cells(Some(f.area_m2), "n"));
            out.push_str(&area_cells(f.area_ellipsoid_m2, "n"));
            if with_tbmj {
                let opt = |v: Option<f64>| v.map_or_else(|| "—".to_string(), |v| fmt_num(v, 2));
                let share = match (f.area_ellipsoid_m2, f.patch_area_ellipsoid_m2) {
                    (Some(o), Some(w)) if w > 0.0 => fmt_pct(o / w),
                    _ => "—".to_string(),
                };
                w!(
                    out,
                    "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>",
                    opt(f.tbmj_m2),
                    opt(f.patch_area_ellipsoid_m2),
                    share,
                    opt(f.tbmj_occupied_m2)
                );
            }
            out.push_str("</tr>\n");
        }
        if c.features.len() > MAX_TABLE_ROWS {
            w!(
                out,
                "<tr><td colspan=\"{}\" class=\"note\">…共 {} 个图斑，仅列出面积最大的 {} 个（序号为全部冲突图斑中的序号）；全部图斑见 report.xlsx 的“占用图斑”表和 occupied_patches.csv，合计含全部图斑</td></tr>\n",
                if with_class { 9 } else { 8 } + if with_tbmj { 4 } else { 0 } + patch_names.len(),
                c.features.len(),
                MAX_TABLE_ROWS
            );
        }
        let sum_m2: f64 = c.features.iter().map(|f| f.area_m2).sum();
        let sum_ellipsoid: Option<f64> = c.features.iter().map(|f| f.area_ellipsoid_m2).sum();
        w!(
            out,
            "<tr class=\"sum\"><td colspan=\"{}\">合计（逐图斑）</td>{}{}",
            if with_class { 3 } else { 2 } + patch_names.len(),
            area_cells(Some(sum_m2), "n"),
            area_cells(sum_ellipsoid, "n")
        );
        if with_tbmj {
            let tbmj: f64 = c.features.iter().filter_map(|f| f.tbmj_m2).sum();
            let weighted: f64 = c.features.iter().filter_map(|f| f.tbmj_occupied_m2).sum();
            w!(
                out,
                "<td class=\"n\">{}</td><td></td><td></td><td class=\"n\">{}</td>",
                fmt_num(tbmj, 2),
                fmt_num(weighted, 2)
            );
        }
        out.push_str("</tr>\n");
        out.push_str("</tbody>\n</table>\n");
        if (sum_m2 - c.area_m2).abs() > 0.005 {
            w!(
                out,
                "<p class=\"note\">图斑之间有重叠：逐图斑合计 {} m²，去重后冲突面积 {} m²。</p>\n",
                fmt_num(sum_m2, 2),
                fmt_num(c.area_m2, 2)
            );
        }
    }
}

fn parts_table(out: &mut String, z: &ZoneResult) {
    w!(
        out,
        "<h3>分片区（{} 个，{} 个组团）</h3>\n",
        z.part_count,
        z.clusters
    );
    if z.parts.is_empty() {
        out.push_str("<p class=\"note\">无分片区（几何为空）。</p>\n");
        return;
    }
    out.push_str("<table>\n<thead><tr><th>序号</th><th>面积（m²）</th><th>面积（亩）</th><th>面积（公顷）</th><th>椭球面积（m²）</th><th>椭球面积（亩）</th><th>椭球面积（公顷）</th><th>碎片</th><th>飞地</th><th>组团</th></tr></thead>\n<tbody>\n");
    for (k, p) in z.parts.iter().take(MAX_TABLE_ROWS).enumerate() {
        let cluster = match p.cluster {
            Some(c) if p.pieces > 1 => {
                format!("{}（窄于最小连接宽度的连接分为 {} 块）", c + 1, p.pieces)
            }
            Some(c) => (c + 1).to_string(),
            None => "—".to_string(),
        };
        w!(
            out,
            "<tr><td class=\"c\">{}</td>{}{}<td class=\"c{}\">{}</td><td class=\"c\">{}</td><td class=\"c\">{}</td></tr>\n",
            k + 1,
            area_cells(Some(p.area_m2), "n"),
            area_cells(p.area_ellipsoid_m2, "n"),
            if p.fragment { " bad" } else { "" },
            yes_dash(p.fragment),
            yes_dash(p.enclave),
            cluster
        );
    }
    if z.parts.len() > MAX_TABLE_ROWS {
        w!(
            out,
            "<tr><td colspan=\"10\" class=\"note\">…共 {} 个分片区，仅列出前 {} 个</td></tr>\n",
            z.parts.len(),
            MAX_TABLE_ROWS
        );
    }
    out.push_str("</tbody>\n</table>\n");
    if z.cluster_gaps_m.is_empty() {
        out.push_str("<p class=\"note\">组团间距：—（只有一个组团）</p>\n");
    } else {
        let gaps: Vec<String> = z.cluster_gaps_m.iter().map(|g| fmt_num(*g, 1)).collect();
        w!(
            out,
            "<p>组团间距（连通全部组团所需的最小间距）：{} m</p>\n",
            gaps.join("、")
        );
        if z.cluster_gaps_net_m != z.cluster_gaps_m {
            let net: Vec<String> = z
                .cluster_gaps_net_m
                .iter()
                .map(|g| fmt_num(*g, 1))
                .collect();
            w!(
                out,
                "<p>扣除其间的道路、河流、铁路和保护区域后：{} m</p>\n",
                net.join("、")
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Maps

/// A background layer prepared for map queries.
struct MapLayer<'a> {
    layer: &'a Layer,
    /// Each feature's bounding box (in the index's entries), computed once for all maps.
    index: std::sync::Arc<BoxIndex>,
    /// The boxes of features let go at loading because no overview map that shows their place
    /// would draw them (`SourceInfo::released_on_maps`): counted where they are in view, as
    /// too small to draw or as left out for the feature budget. `None` without any.
    released: Option<BoxIndex>,
    fields: Fields,
}

/// Everything drawn under the zones, indexed once for all maps.
struct MapLayers<'a> {
    protection: Vec<MapLayer<'a>>,
    townships: Option<MapLayer<'a>>,
    /// Roads, rivers, railways: they bridge gaps between a zone's parts.
    barriers: Option<MapLayer<'a>>,
    original: Option<MapLayer<'a>>,
    zones: BoxIndex,
    /// The box of each part of each zone (`None`: empty part), for the maps' neighbouring
    /// zones: a part out of a map's view is passed over without reading its vertices.
    zone_parts: Vec<Vec<Option<Rect<f64>>>>,
    /// Where protection features were loaded, when the check's spatial filter left some out:
    /// maps shade the rest, so that no one reads "no farmland here" where it was not loaded.
    loaded: Option<&'a Roi>,
    /// Path text each map may spend on background layers.
    background_bytes: usize,
}

impl<'a> MapLayers<'a> {
    fn new(input: &ReportInput<'a>) -> MapLayers<'a> {
        let file = &input.review.file;
        let prepare = |layer: &'a Layer| {
            // The check's index of the layer when it is at hand, else one built here.
            let index = input
                .indexes
                .and_then(|ix| ix.of(input.dataset, layer))
                .unwrap_or_else(|| std::sync::Arc::new(BoxIndex::of_features(&layer.features)));
            let released = &layer.source.released_on_maps;
            MapLayer {
                layer,
                index,
                released: (!released.is_empty())
                    .then(|| BoxIndex::from_rects(released.iter().copied())),
                fields: Fields::of_layer(layer, file),
            }
        };
        if input.analysis.zones.is_empty() {
            return MapLayers {
                protection: Vec::new(),
                townships: None,
                barriers: None,
                original: None,
                zones: BoxIndex::new(std::iter::empty()),
                zone_parts: Vec::new(),
                loaded: None,
                background_bytes: MAX_MAP_BACKGROUND_BYTES,
            };
        }
        MapLayers {
            protection: input.dataset.protection_layers().map(prepare).collect(),
            townships: input.dataset.layer(LayerRole::Townships).map(prepare),
            barriers: input.dataset.layer(LayerRole::Barrier).map(prepare),
            original: input.dataset.layer(LayerRole::Original).map(prepare),
            zones: BoxIndex::new(input.analysis.zones.iter().map(|z| &z.geometry)),
            zone_parts: input
                .analysis
                .zones
                .iter()
                .map(|z| z.geometry.0.iter().map(|p| p.bounding_rect()).collect())
                .collect(),
            // Only when the filter really left features out.
            loaded: input.dataset.loaded_near.as_ref().filter(|_| {
                input
                    .dataset
                    .layers
                    .iter()
                    .any(|l| l.source.far_from_zones > 0)
            }),
            background_bytes: (REPORT_BACKGROUND_BYTES * 2 / (5 * input.analysis.zones.len()))
                .clamp(MIN_MAP_BACKGROUND_BYTES, MAX_MAP_BACKGROUND_BYTES),
        }
    }
}

/// Shades the part of the map where protection features were not loaded (outside every
/// neighbourhood of `loaded`); returns whether anything was shaded.
fn shade_not_loaded(out: &mut String, loaded: &Roi, view: &View) -> bool {
    let vr = view.rect_in_map();
    let covers = |b: &Rect<f64>| {
        b.min().x <= vr.min().x
            && b.min().y <= vr.min().y
            && b.max().x >= vr.max().x
            && b.max().y >= vr.max().y
    };
    if loaded.boxes().iter().any(covers) {
        return false;
    }
    // A mask: white (shaded) everywhere, black (clear) over each loaded box in view.
    let id = format!(
        "nl{:x}",
        view.x0_m.to_bits()
            ^ view.y0_m.to_bits().rotate_left(21)
            ^ view.px_per_m.to_bits().rotate_left(42)
    );
    w!(
        out,
        "<mask id=\"{id}\"><rect width=\"{MAP_W_PX}\" height=\"{MAP_H_PX}\" fill=\"white\"/>"
    );
    // The clear boxes as one path of rectangles, grown to whole pixels (never shading a loaded
    // place).
    let mut d = String::new();
    for b in loaded.boxes().iter().filter(|b| boxes_intersect(b, &vr)) {
        let (x0, y1) = view.pos_in_svg(b.min());
        let (x1, y0) = view.pos_in_svg(b.max());
        let (x0, y0) = (x0.max(-1.0).floor(), y0.max(-1.0).floor());
        let (x1, y1) = (x1.min(MAP_W_PX + 1.0).ceil(), y1.min(MAP_H_PX + 1.0).ceil());
        if x1 > x0 && y1 > y0 {
            let _ = write!(
                d,
                "M{} {}h{}v{}h{}z",
                x0 as i64,
                y0 as i64,
                (x1 - x0) as i64,
                (y1 - y0) as i64,
                (x0 - x1) as i64
            );
        }
    }
    if !d.is_empty() {
        w!(out, "<path fill=\"black\" d=\"{d}\"/>");
    }
    w!(
        out,
        "</mask>\n<rect class=\"nl\" width=\"{MAP_W_PX}\" height=\"{MAP_H_PX}\" mask=\"url(#{id})\"/>\n"
    );
    true
}

/// Map space (working CRS, metres, y north) to SVG space (px, y down).
#[derive(Debug, Clone, Copy)]
struct View {
    /// Map coordinates of the viewBox's lower-left corner.
    x0_m: f64,
    y0_m: f64,
    /// Pixels per metre.
    px_per_m: f64,
}

impl View {
    /// A view showing `bbox` in the close-up frame ([`MapFrame::fit`]).
    fn fit(bbox: Rect<f64>) -> View {
        let MapFrame {
            x0_m,
            y0_m,
            px_per_m,
        } = MapFrame::fit(bbox);
        View {
            x0_m,
            y0_m,
            px_per_m,
        }
    }

    fn pos_in_svg(&self, pos_in_map: Coord<f64>) -> (f64, f64) {
        (
            (pos_in_map.x - self.x0_m) * self.px_per_m,
            MAP_H_PX - (pos_in_map.y - self.y0_m) * self.px_per_m,
        )
    }

    /// The map area the viewBox shows.
    fn rect_in_map(&self) -> Rect<f64> {
        MapFrame {
            x0_m: self.x0_m,
            y0_m: self.y0_m,
            px_per_m: self.px_per_m,
        }
        .rect_in_map()
    }

    fn size_px(&self, r: &Rect<f64>) -> (f64, f64) {
        (r.width() * self.px_per_m, r.height() * self.px_per_m)
    }
}

/// A coordinate in SVG space, rounded to 0.1 px: "12.3", "-4", "0".
fn fmt_px(v: f64) -> String {
    let mut s = String::new();
    push_px(&mut s, v);
    s
}

/// Appends [`fmt_px`]'s text of `v` to `out` with integer formatting only (no float
/// formatting: this runs for every vertex of every map).
fn push_px(out: &mut String, v: f64) {
    use std::fmt::Write;
    let tenths = (v * 10.0).round();
    if !tenths.is_finite() || tenths.abs() >= 1e15 {
        let r = tenths / 10.0 + 0.0;
        let _ = write!(out, "{r}");
        return;
    }
    let t = tenths as i64;
    if t < 0 {
        out.push('-');
    }
    let a = t.unsigned_abs();
    out.push_str(itoa::Buffer::new().format(a / 10));
    if a % 10 != 0 {
        out.push('.');
        out.push(char::from(b'0' + (a % 10) as u8));
    }
}

/// Clips a ring (SVG space, not closed) to the rectangle `[lo, hi]` (Sutherland–Hodgman). The
/// filled area of the result equals the ring's area inside the rectangle.
fn clip_ring(mut pts: Vec<(f64, f64)>, lo: (f64, f64), hi: (f64, f64)) -> Vec<(f64, f64)> {
    for edge in 0..4 {
        let Some(&last) = pts.last() else {
            break;
        };
        let inside = |p: (f64, f64)| match edge {
            0 => p.0 >= lo.0,
            1 => p.0 <= hi.0,
            2 => p.1 >= lo.1,
            _ => p.1 <= hi.1,
        };
        let cross = |a: (f64, f64), b: (f64, f64)| -> (f64, f64) {
            match edge {
                0 | 1 => {
                    let x = if edge == 0 { lo.0 } else { hi.0 };
                    let t = (x - a.0) / (b.0 - a.0);
                    (x, a.1 + t * (b.1 - a.1))
                }
                _ => {
                    let y = if edge == 2 { lo.1 } else { hi.1 };
                    let t = (y - a.1) / (b.1 - a.1);
                    (a.0 + t * (b.0 - a.0), y)
                }
            }
        };
        let mut clipped = Vec::with_capacity(pts.len() + 4);
        let mut prev = last;
        for &cur in &pts {
            match (inside(prev), inside(cur)) {
                (true, true) => clipped.push(cur),
                (false, true) => {
                    clipped.push(cross(prev, cur));
                    clipped.push(cur);
                }
                (true, false) => clipped.push(cross(prev, cur)),
                (false, false) => {}
            }
            prev = cur;
        }
        pts = clipped;
    }
    pts
}

/// Lists [`ring_d`] fills for each ring, kept between rings (the maps draw hundreds of
/// thousands of rings: a few lists each would otherwise be allocated and freed per ring).
#[derive(Default)]
struct RingScratch {
    pts: Vec<(f64, f64)>,
    kept: Vec<(f64, f64)>,
    simple: Vec<(f64, f64)>,
    keep: Vec<bool>,
    todo: Vec<(usize, usize)>,
    q: Vec<(i64, i64)>,
}

thread_local! {
    static RING_SCRATCH: std::cell::RefCell<RingScratch> = Default::default();
}

/// One ring as an SVG subpath ("M…Z"), clipped to the viewBox and thinned to `step_px`; `None`
/// when nothing of it is left.
///
/// `inside`: the ring is known to lie within the viewBox and its clipping margin (no box to
/// work out, nothing to clip: its points are projected and thinned in one pass).
fn ring_d(
    ring: &LineString<f64>,
    view: &View,
    step_px: f64,
    hole: bool,
    inside: bool,
) -> Option<String> {
    RING_SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
        Ok(mut scratch) => ring_d_with(&mut scratch, ring, view, step_px, hole, inside),
        Err(_) => ring_d_with(
            &mut RingScratch::default(),
            ring,
            view,
            step_px,
            hole,
            inside,
        ),
    })
}

/// [`ring_d`] with its lists in `s`.
fn ring_d_with(
    s: &mut RingScratch,
    ring: &LineString<f64>,
    view: &View,
    step_px: f64,
    hole: bool,
    inside: bool,
) -> Option<String> {
    let coords = &ring.0;
    let n = match (coords.first(), coords.last()) {
        (Some(a), Some(b)) if coords.len() > 1 && a == b => coords.len() - 1,
        _ => coords.len(),
    };
    if n < 3 {
        return None;
    }
    // Thin: keep a vertex only when it moved at least `step_px` from the last kept one.
    let thin = |kept: &mut Vec<(f64, f64)>, p: (f64, f64)| match kept.last() {
        Some(q) if (p.0 - q.0).abs() < step_px && (p.1 - q.1).abs() < step_px => {}
        _ => kept.push(p),
    };
    s.kept.clear();
    if inside {
        for c in &coords[..n] {
            thin(&mut s.kept, view.pos_in_svg(*c));
        }
    } else {
        let lo = (-CLIP_MARGIN_PX, -CLIP_MARGIN_PX);
        let hi = (MAP_W_PX + CLIP_MARGIN_PX, MAP_H_PX + CLIP_MARGIN_PX);
        let (mut min, mut max) = (
            (f64::INFINITY, f64::INFINITY),
            (f64::NEG_INFINITY, f64::NEG_INFINITY),
        );
        s.pts.clear();
        for c in &coords[..n] {
            let p = view.pos_in_svg(*c);
            min = (min.0.min(p.0), min.1.min(p.1));
            max = (max.0.max(p.0), max.1.max(p.1));
            s.pts.push(p);
        }
        if max.0 < lo.0 || max.1 < lo.1 || min.0 > hi.0 || min.1 > hi.1 {
            return None;
        }
        if min.0 < lo.0 || min.1 < lo.1 || max.0 > hi.0 || max.1 > hi.1 {
            s.pts = clip_ring(std::mem::take(&mut s.pts), lo, hi);
        }
        for &p in &s.pts {
            thin(&mut s.kept, p);
        }
    }
    let kept = &mut s.kept;
    while kept.len() > 3 {
        match (kept.first(), kept.last()) {
            (Some(a), Some(b)) if (a.0 - b.0).abs() < step_px && (a.1 - b.1).abs() < step_px => {
                kept.pop();
            }
            _ => break,
        }
    }
    if kept.len() < 3 {
        return None;
    }
    // Simplify (Douglas–Peucker, within half a step): no visible change at this zoom.
    let kept: &[(f64, f64)] = if kept.len() > 4 {
        use crate::spatial::simplify::{simplify_closed_into, LINE_MIN};
        simplify_closed_into(
            kept,
            step_px / 2.0,
            LINE_MIN,
            &mut s.keep,
            &mut s.todo,
            &mut s.simple,
        );
        if s.simple.len() < 3 {
            return None;
        }
        &s.simple
    } else {
        kept
    };
    // Whole pixels for the coarse layers, tenths otherwise; written as the first point and then
    // relative moves between the rounded points (so rounding never accumulates).
    let quantum: f64 = if step_px >= 1.0 { 1.0 } else { 10.0 };
    let q = &mut s.q;
    q.clear();
    for &(x, y) in kept {
        let p = (quantize(x, quantum)?, quantize(y, quantum)?);
        if q.last() != Some(&p) {
            q.push(p);
        }
    }
    while q.len() > 1 && q.first() == q.last() {
        q.pop();
    }
    // Twice the signed area: nothing left to fill at this zoom when zero. Exteriors run one
    // way and holes the other, so that many features can share one nonzero-filled path.
    let twice_area: i128 = q
        .iter()
        .zip(q.iter().cycle().skip(1))
        .map(|(a, b)| i128::from(a.0) * i128::from(b.1) - i128::from(b.0) * i128::from(a.1))
        .sum();
    if q.len() < 3 || twice_area == 0 {
        return None;
    }
    if (twice_area > 0) == hole {
        q[1..].reverse();
    }
    let mut d = String::with_capacity(q.len() * 6);
    d.push('M');
    push_q(&mut d, q[0].0, quantum);
    d.push(' ');
    push_q(&mut d, q[0].1, quantum);
    d.push('l');
    for (k, w) in q.windows(2).enumerate() {
        let (dx, dy) = (w[1].0 - w[0].0, w[1].1 - w[0].1);
        if k > 0 && dx >= 0 {
            d.push(' ');
        }
        push_q(&mut d, dx, quantum);
        if dy >= 0 {
            d.push(' ');
        }
        push_q(&mut d, dy, quantum);
    }
    d.push('z');
    Some(d)
}

/// `v` in units of 1/`quantum` px, rounded; `None` when not finite or absurdly far.
fn quantize(v: f64, quantum: f64) -> Option<i64> {
    let t = (v * quantum).round();
    (t.is_finite() && t.abs() < 1e15).then_some(t as i64)
}

/// Appends `t` units of 1/`quantum` px (`quantum` 1 or 10) as "12", "-4.5", "0".
fn push_q(out: &mut String, t: i64, quantum: f64) {
    if quantum == 1.0 {
        out.push_str(itoa::Buffer::new().format(t));
    } else {
        push_px(out, t as f64 / 10.0);
    }
}

/// One polygon, exterior and holes, as one path's `d`; `None` when its exterior vanishes.
/// Where a geometry whose box (of every vertex) is `b` falls on a map, decided as [`ring_d`]
/// decides it from the projected vertices (the projection keeps the order of coordinates, so
/// the projected corners bound every projected vertex).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placement {
    /// Smaller than `step_px` both ways: every ring thins to one point and vanishes.
    Vanishes,
    /// Wholly outside the viewBox and its clipping margin.
    Outside,
    /// Wholly inside the viewBox and its clipping margin: nothing to clip.
    Inside,
    /// Across the margin: rings are clipped.
    Across,
}

fn placement(b: &Rect<f64>, view: &View, step_px: f64) -> Placement {
    let (left, bottom) = view.pos_in_svg(b.min());
    let (right, top) = view.pos_in_svg(b.max());
    let (lo, hi) = (
        (-CLIP_MARGIN_PX, -CLIP_MARGIN_PX),
        (MAP_W_PX + CLIP_MARGIN_PX, MAP_H_PX + CLIP_MARGIN_PX),
    );
    if right < lo.0 || bottom < lo.1 || left > hi.0 || top > hi.1 {
        Placement::Outside
    } else if right - left < step_px && bottom - top < step_px {
        Placement::Vanishes
    } else if left >= lo.0 && top >= lo.1 && right <= hi.0 && bottom <= hi.1 {
        Placement::Inside
    } else {
        Placement::Across
    }
}

fn polygon_d(poly: &Polygon<f64>, view: &View, step_px: f64) -> Option<String> {
    polygon_d_placed(poly, view, step_px, false)
}

/// [`polygon_d`] of a polygon known to lie inside the viewBox and its clipping margin when
/// `inside` (see [`ring_d`]).
fn polygon_d_placed(
    poly: &Polygon<f64>,
    view: &View,
    step_px: f64,
    inside: bool,
) -> Option<String> {
    let mut d = ring_d(poly.exterior(), view, step_px, false, inside)?;
    for hole in poly.interiors() {
        if let Some(h) = ring_d(hole, view, step_px, true, inside) {
            d.push_str(&h);
        }
    }
    Some(d)
}

/// The box of every vertex of `g` (holes included), `None` when it has none.
fn coords_box(g: &Geom) -> Option<Rect<f64>> {
    let mut it = geo::CoordsIter::coords_iter(g);
    let first = it.next()?;
    let (mut x0, mut y0, mut x1, mut y1) = (first.x, first.y, first.x, first.y);
    for c in it {
        (x0, y0, x1, y1) = (x0.min(c.x), y0.min(c.y), x1.max(c.x), y1.max(c.y));
    }
    Some(Rect::new(Coord { x: x0, y: y0 }, Coord { x: x1, y: y1 }))
}

/// Appends every polygon of `geoms` as one nonzero-filled `<path>` (rings oriented by
/// `ring_d`); returns whether anything was drawn.
fn push_merged<'g>(
    out: &mut String,
    geoms: impl IntoIterator<Item = &'g Geom>,
    view: &View,
    class: &str,
    step_px: f64,
) -> bool {
    let mut d = String::new();
    for g in geoms {
        for poly in &g.0 {
            if let Some(p) = polygon_d(poly, view, step_px) {
                d.push_str(&p);
            }
        }
    }
    if d.is_empty() {
        return false;
    }
    w!(
        out,
        "<path class=\"{class}\" fill-rule=\"nonzero\" d=\"{d}\"/>\n"
    );
    true
}

/// Style class of a water feature by its protection class text.
fn water_class(class: Option<&str>) -> &'static str {
    let Some(c) = class.map(str::trim) else {
        return "wt";
    };
    if c.contains("一级") || c == "1" || c.eq_ignore_ascii_case("I") {
        "w1"
    } else if c.contains("二级") || c == "2" || c.eq_ignore_ascii_case("II") {
        "w2"
    } else if c.contains('准') || c == "3" || c.eq_ignore_ascii_case("III") {
        "w3"
    } else {
        "wt"
    }
}

fn role_class(role: LayerRole) -> &'static str {
    match role {
        LayerRole::Redline => "rl",
        LayerRole::Farmland => "fl",
        LayerRole::Water => "wt",
        LayerRole::Extra => "ex",
        LayerRole::NewIndustrial => "ni",
        LayerRole::Townships => "tw",
        LayerRole::Barrier => "br",
        LayerRole::Original => "og",
        LayerRole::Zones => "oz",
    }
}

/// Counts of what a map left out.
#[derive(Default)]
struct Skipped {
    small: usize,
    capped: usize,
}

/// Features of one background layer to draw on one map.
struct Candidates<'m, 'a> {
    ml: &'m MapLayer<'a>,
    /// Feature positions, ascending; those whose box meets the zone's box come first when the
    /// budget is short.
    near: Vec<usize>,
    far: Vec<usize>,
    /// Features in view and large enough but not loaded: the loader let them go because on
    /// every overview map showing them at least `MAX_MAP_FEATURES` of these candidates come
    /// before them, so they never are among those drawn. Counted only.
    released: usize,
}

impl Candidates<'_, '_> {
    fn len(&self) -> usize {
        self.near.len() + self.far.len() + self.released
    }
}

/// The features of `ml` in view that `keep` accepts and that are large enough to see.
fn candidates<'m, 'a>(
    ml: &'m MapLayer<'a>,
    view: &View,
    zone_box: &Rect<f64>,
    skipped: &mut Skipped,
    keep: &dyn Fn(usize) -> bool,
) -> Candidates<'m, 'a> {
    let mut c = Candidates {
        ml,
        near: Vec::new(),
        far: Vec::new(),
        released: 0,
    };
    // Smaller than a step both ways: it would thin to a point.
    let too_small = |b: &Rect<f64>| {
        let (w_px, h_px) = view.size_px(b);
        w_px < BACKGROUND_STEP_PX && h_px < BACKGROUND_STEP_PX
    };
    ml.index.for_each_in(view.rect_in_map(), |i, b| {
        if !keep(i) {
            return;
        }
        if too_small(&b) {
            skipped.small += 1;
        } else if boxes_intersect(&b, zone_box) {
            c.near.push(i);
        } else {
            c.far.push(i);
        }
    });
    if let Some(released) = &ml.released {
        // Not loaded because no overview map would draw them (and no close-up shows their
        // place): each is too small here, or past the budget (see `Candidates::released`).
        released.for_each_in(view.rect_in_map(), |_, b| {
            if too_small(&b) {
                skipped.small += 1;
            } else {
                c.released += 1;
            }
        });
    }
    let n = ml.layer.features.len();
    sort_positions(&mut c.near, n);
    sort_positions(&mut c.far, n);
    c
}

/// Sorts distinct positions below `n` ascending: through a bit set when they are many (an
/// overview map of a spread zone meets a good part of a province's patches), else by sorting.
fn sort_positions(v: &mut [usize], n: usize) {
    if v.len() < 64 || v.len() < n / 16 {
        v.sort_unstable();
        return;
    }
    let mut bits = vec![0u64; n.div_ceil(64)];
    for &i in v.iter() {
        if let Some(word) = bits.get_mut(i / 64) {
            *word |= 1 << (i % 64);
        }
    }
    let mut k = 0;
    for (w, &word) in bits.iter().enumerate() {
        let mut word = word;
        while word != 0 {
            if let Some(slot) = v.get_mut(k) {
                *slot = w * 64 + word.trailing_zeros() as usize;
            }
            k += 1;
            word &= word - 1;
        }
    }
}

/// Splits `total` between layers wanting `wants` features: small layers get all they want, the
/// rest share equally (the earlier layer gets the odd one).
fn share_budget(wants: &[usize], total: usize) -> Vec<usize> {
    let mut budget = vec![0; wants.len()];
    let mut left = total;
    let mut open: Vec<usize> = (0..wants.len()).filter(|&k| wants[k] > 0).collect();
    while !open.is_empty() && left > 0 {
        let share = (left / open.len()).max(1);
        let mut still_open = Vec::new();
        for &k in &open {
            let give = share.min(wants[k] - budget[k]).min(left);
            budget[k] += give;
            left -= give;
            if budget[k] < wants[k] {
                still_open.push(k);
            }
        }
        open = still_open;
    }
    budget
}

/// The path text (class, `d`) of up to `budget` features of `c`, near ones first, until the
/// text reaches `max_bytes` (no layer may draw more than the whole map's text budget, so the
/// rest would never be drawn); features that vanish at this zoom are left out.
fn background_paths(
    c: &Candidates,
    budget: usize,
    max_bytes: usize,
    view: &View,
    skipped: &mut Skipped,
) -> Vec<(&'static str, String)> {
    let ml = c.ml;
    let chosen: Vec<usize> = c.near.iter().chain(&c.far).copied().take(budget).collect();
    skipped.capped += c.len() - chosen.len();
    let mut out = Vec::with_capacity(chosen.len());
    let mut bytes = 0;
    let total = chosen.len();
    for (n, i) in chosen.into_iter().enumerate() {
        if bytes >= max_bytes {
            skipped.capped += total - n;
            break;
        }
        let Some(f) = ml.layer.features.get(i) else {
            continue;
        };
        let class = if ml.layer.role == LayerRole::Water {
            water_class(ml.layer.attr(f, ml.fields.class))
        } else {
            role_class(ml.layer.role)
        };
        // The feature's box in SVG space (the projection keeps the order of coordinates, so
        // it bounds every projected vertex): smaller than a step both ways, every ring thins
        // to one point and vanishes; inside the viewBox and its margin, nothing is clipped.
        let Some(b) = coords_box(&f.geometry) else {
            continue;
        };
        let inside = match placement(&b, view, BACKGROUND_STEP_PX) {
            Placement::Vanishes | Placement::Outside => continue,
            Placement::Inside => true,
            Placement::Across => false,
        };
        let d: String = f
            .geometry
            .0
            .iter()
            .filter_map(|poly| polygon_d_placed(poly, view, BACKGROUND_STEP_PX, inside))
            .collect();
        if !d.is_empty() {
            bytes += d.len();
            out.push((class, d));
        }
    }
    out
}

/// Draws the features of one background layer (from [`background_paths`], in that order)
/// until their text reaches `byte_budget` (the first one always); collects the style classes
/// used. One path per style class: exteriors and holes run opposite ways (see `ring_d`), so
/// the nonzero rule fills every feature and leaves its holes open, and overlapping features
/// fill once.
fn draw_background(
    out: &mut String,
    layer: &Layer,
    features: Vec<(&'static str, String)>,
    byte_budget: usize,
    skipped: &mut Skipped,
    used: &mut BTreeSet<&'static str>,
) {
    if features.is_empty() {
        return;
    }
    let mut paths: Vec<(&'static str, String)> = Vec::new();
    let mut bytes = 0;
    let total = features.len();
    for (n, (class, d)) in features.into_iter().enumerate() {
        if n > 0 && bytes + d.len() > byte_budget {
            skipped.capped += total - n;
            break;
        }
        bytes += d.len();
        match paths.iter_mut().find(|(c, _)| *c == class) {
            Some((_, all)) => all.push_str(&d),
            None => paths.push((class, d)),
        }
    }
    w!(out, "<g data-layer=\"{}\">\n", esc(&layer.name));
    for (class, d) in paths {
        w!(
            out,
            "<path class=\"{class}\" fill-rule=\"nonzero\" d=\"{d}\"/>\n"
        );
        used.insert(class);
    }
    out.push_str("</g>\n");
}

/// The id of feature `i` of `ml` as the analysis computes it: its id field, else "#record".
fn feature_id(ml: &MapLayer, i: usize) -> Option<String> {
    let f = ml.layer.features.get(i)?;
    Some(
        ml.layer
            .attr(f, ml.fields.id)
            .map(str::to_string)
            .unwrap_or_else(|| format!("#{}", f.index)),
    )
}

/// A round scale-bar length (1, 2 or 5 × 10ⁿ m) not longer than `max_m`.
fn nice_length_m(max_m: f64) -> f64 {
    if !(max_m.is_finite() && max_m > 0.0) {
        return 1.0;
    }
    let p = 10f64.powf(max_m.log10().floor());
    for m in [5.0, 2.0, 1.0] {
        if m * p <= max_m {
            return m * p;
        }
    }
    p
}

fn fmt_length(m: f64) -> String {
    if m >= 1000.0 {
        format!("{} km", fmt_setting(m / 1000.0))
    } else if m >= 1.0 {
        format!("{} m", fmt_setting(m))
    } else {
        format!("{} m", crate::model::num::plain(m))
    }
}

fn scale_bar_and_north(out: &mut String, view: &View) {
    let len_m = nice_length_m(MAP_W_PX * 0.25 / view.px_per_m);
    let len_px = len_m * view.px_per_m;
    let (x, y) = (14.0, MAP_H_PX - 18.0);
    let half = len_px / 2.0;
    w!(
        out,
        "<g class=\"scale\"><rect class=\"sb-box\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"30\" rx=\"2\"/>",
        fmt_px(x - 8.0),
        fmt_px(y - 20.0),
        fmt_px(len_px + 48.0)
    );
    w!(
        out,
        "<rect class=\"sb-b\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"5\"/><rect class=\"sb-w\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"5\"/>",
        fmt_px(x),
        fmt_px(y),
        fmt_px(half),
        fmt_px(x + half),
        fmt_px(y),
        fmt_px(half)
    );
    w!(
        out,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">0</text><text x=\"{}\" y=\"{}\">{}</text></g>\n",
        fmt_px(x),
        fmt_px(y - 4.0),
        fmt_px(x + len_px - 6.0),
        fmt_px(y - 4.0),
        esc(&fmt_length(len_m))
    );
    let (nx, ny) = (MAP_W_PX - 28.0, 18.0);
    w!(
        out,
        "<g class=\"north\" transform=\"translate({} {})\"><rect class=\"sb-box\" x=\"-14\" y=\"-10\" width=\"28\" height=\"46\" rx=\"2\"/><path class=\"na\" d=\"M0 0L8 26L0 20L-8 26Z\"/><text x=\"0\" y=\"34\" text-anchor=\"middle\" font-weight=\"700\">北</text></g>\n",
        fmt_px(nx),
        fmt_px(ny)
    );
}

fn legend_item(out: &mut String, class: &str, label: &str) {
    w!(
        out,
        "<li><svg viewBox=\"0 0 22 12\"><rect class=\"{}\" x=\"1\" y=\"1\" width=\"20\" height=\"10\"/></svg>{}</li>\n",
        class,
        esc(label)
    );
}

fn zone_map(out: &mut String, input: &ReportInput, maps: &MapLayers, i: usize, z: &ZoneResult) {
    let Some(bbox) = z.geometry.bounding_rect() else {
        out.push_str("<p class=\"note\">该开发区没有可绘制的几何。</p>\n");
        return;
    };
    let overview = View::fit(bbox);
    let title = if z.geometry.0.len() > 1 {
        "位置总图（全部分片区）"
    } else {
        "位置图"
    };
    // Where each part's number goes: computed once for all of the zone's maps (an interior
    // point of a large part costs more than drawing it).
    let labels: Vec<Option<Coord<f64>>> = if z.geometry.0.len() > 1 {
        z.geometry
            .0
            .iter()
            .map(crate::spatial::sliver::inner_point)
            .collect()
    } else {
        Vec::new()
    };
    map_figure(out, input, maps, i, z, &overview, &bbox, title, 0, &labels);
    let (details, left_out) = detail_parts(z, &overview);
    for part in &details {
        let Some(part_box) = z.geometry.0.get(*part).and_then(|p| p.bounding_rect()) else {
            continue;
        };
        let title = format!("局部图：分片区 {}", part + 1);
        map_figure(
            out,
            input,
            maps,
            i,
            z,
            &View::fit(part_box),
            &part_box,
            &title,
            part + 1,
            &labels,
        );
    }
    if left_out > 0 {
        w!(
            out,
            "<p class=\"note\">另有 {left_out} 个分片区有冲突或扩区，未单独出局部图，见总图。</p>\n"
        );
    }
}

/// Parts of a multi-part zone worth a close-up: those holding conflict or expansion pieces and
/// shown at least [`DETAIL_MIN_ZOOM`] times larger than on the overview; the largest (by conflict
/// and expansion area) first, at most [`MAX_DETAIL_MAPS`]. Also returns how many were left out.
fn detail_parts(z: &ZoneResult, overview: &View) -> (Vec<usize>, usize) {
    if z.geometry.0.len() < 2 {
        return (Vec::new(), 0);
    }
    let pieces: Vec<(Coord<f64>, f64)> = z
        .conflicts
        .values()
        .map(|c| &c.geometry)
        .chain(
            z.findings
                .iter()
                .filter(|f| f.is(crate::analysis::Rule::Expansion))
                .filter_map(|f| f.geometry.as_ref()),
        )
        .flat_map(|g| g.0.iter())
        .filter_map(|p| Some((p.bounding_rect()?.center(), p.unsigned_area())))
        .collect();
    let mut wanted: Vec<(usize, f64)> = Vec::new();
    for (k, part) in z.geometry.0.iter().enumerate() {
        let Some(b) = part.bounding_rect() else {
            continue;
        };
        let inside = |c: &Coord<f64>| {
            b.min().x <= c.x && c.x <= b.max().x && b.min().y <= c.y && c.y <= b.max().y
        };
        let area: f64 = pieces
            .iter()
            .filter(|(c, _)| inside(c))
            .map(|(_, a)| a)
            .sum();
        if area > 0.0 && View::fit(b).px_per_m >= DETAIL_MIN_ZOOM * overview.px_per_m {
            wanted.push((k, area));
        }
    }
    wanted.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let left_out = wanted.len().saturating_sub(MAX_DETAIL_MAPS);
    let mut parts: Vec<usize> = wanted
        .into_iter()
        .take(MAX_DETAIL_MAPS)
        .map(|(k, _)| k)
        .collect();
    parts.sort_unstable();
    (parts, left_out)
}

/// One map of zone `z` (position `i` in the analysis) through `view`, with its legend and notes.
#[allow(clippy::too_many_arguments)]
fn map_figure(
    out: &mut String,
    input: &ReportInput,
    maps: &MapLayers,
    i: usize,
    z: &ZoneResult,
    view: &View,
    bbox: &Rect<f64>,
    title: &str,
    map_no: usize,
    labels: &[Option<Coord<f64>>],
) {
    let view = *view;
    let bbox = *bbox;
    let view_rect = view.rect_in_map();
    let mut skipped = Skipped::default();
    let mut used: BTreeSet<&'static str> = BTreeSet::new();
    out.push_str("<div class=\"map-wrap\">\n");
    w!(out, "<p class=\"map-title\">{}</p>\n", esc(title));
    w!(
        out,
        "<svg class=\"map\" viewBox=\"0 0 {} {}\" preserveAspectRatio=\"xMidYMid meet\" role=\"img\" aria-label=\"{} {}\" xmlns=\"http://www.w3.org/2000/svg\">\n",
        MAP_W_PX,
        MAP_H_PX,
        esc(&z.id),
        esc(title)
    );

    // Protection layers, townships, original zones: the feature budget shared between them.
    let all = |_: usize| true;
    let mut layers: Vec<Candidates> = Vec::new();
    for ml in maps
        .barriers
        .iter()
        .chain(&maps.protection)
        .chain(&maps.townships)
    {
        layers.push(candidates(ml, &view, &bbox, &mut skipped, &all));
    }
    if let Some(ml) = &maps.original {
        let members: BTreeSet<&str> = z.members.iter().map(String::as_str).collect();
        let keep = |k: usize| {
            members.is_empty() || feature_id(ml, k).is_some_and(|id| members.contains(id.as_str()))
        };
        layers.push(candidates(ml, &view, &bbox, &mut skipped, &keep));
    }
    let wants: Vec<usize> = layers.iter().map(Candidates::len).collect();
    let budgets = share_budget(&wants, MAX_MAP_FEATURES);
    let rendered: Vec<Vec<(&'static str, String)>> = layers
        .iter()
        .zip(budgets)
        .map(|(c, budget)| background_paths(c, budget, maps.background_bytes, &view, &mut skipped))
        .collect();
    // The text budget shared the same way: a layer with little to draw draws all of it.
    let want_bytes: Vec<usize> = rendered
        .iter()
        .map(|r| r.iter().map(|(_, d)| d.len()).sum())
        .collect();
    let byte_budgets = share_budget(&want_bytes, maps.background_bytes);
    for ((c, features), bytes) in layers.iter().zip(rendered).zip(byte_budgets) {
        draw_background(out, c.ml.layer, features, bytes, &mut skipped, &mut used);
    }
    if let Some(loaded) = &maps.loaded {
        if shade_not_loaded(out, loaded, &view) {
            used.insert("nl");
        }
    }

    // Neighbouring merged zones (context, drawn as coarsely as the background), then this zone.
    // Their parts out of view (most, for zones spread over a county) are passed over by their
    // boxes: their vertices are not read.
    let mut neighbours_d = String::new();
    for k in maps.zones.query(view_rect, 0.0) {
        let (Some(other), Some(boxes)) = (input.analysis.zones.get(k), maps.zone_parts.get(k))
        else {
            continue;
        };
        if k == i {
            continue;
        }
        for (poly, b) in other.geometry.0.iter().zip(boxes) {
            let inside = match b.map(|b| placement(&b, &view, BACKGROUND_STEP_PX)) {
                None | Some(Placement::Vanishes) | Some(Placement::Outside) => continue,
                Some(Placement::Inside) => true,
                Some(Placement::Across) => false,
            };
            if let Some(p) = polygon_d_placed(poly, &view, BACKGROUND_STEP_PX, inside) {
                neighbours_d.push_str(&p);
            }
        }
    }
    if !neighbours_d.is_empty() {
        w!(
            out,
            "<path class=\"oz\" fill-rule=\"nonzero\" d=\"{neighbours_d}\"/>\n"
        );
        used.insert("oz");
    }
    // The zone's outline, defined once and drawn twice: filled under the conflicts, outlined
    // over them.
    let zone_d: String = z
        .geometry
        .0
        .iter()
        .filter_map(|poly| polygon_d(poly, &view, STEP_PX))
        .collect();
    let zone_ref = format!("zp{}-{}", i + 1, map_no);
    out.push_str("<g fill-rule=\"evenodd\">\n");
    if !zone_d.is_empty() {
        w!(
            out,
            "<defs><path id=\"{zone_ref}\" d=\"{zone_d}\"/></defs>\n<use href=\"#{zone_ref}\" class=\"zn\"/>\n"
        );
    }

    // Expansion, then conflicts on top.
    for f in z
        .findings
        .iter()
        .filter(|f| f.is(crate::analysis::Rule::Expansion))
    {
        if let Some(g) = &f.geometry {
            if push_merged(out, [g], &view, "xp", STEP_PX) {
                used.insert("xp");
            }
        }
    }
    let mut markers = Vec::new();
    for c in z.conflicts.values() {
        if push_merged(out, [&c.geometry], &view, "cf", STEP_PX) {
            used.insert("cf");
        }
        for poly in &c.geometry.0 {
            let Some(b) = poly.bounding_rect() else {
                continue;
            };
            let (w_px, h_px) = view.size_px(&b);
            if w_px < MARKER_BELOW_PX && h_px < MARKER_BELOW_PX && markers.len() < MAX_MARKERS {
                // One ring where several would overlap.
                let (x, y) = view.pos_in_svg(b.center());
                let apart = |m: &(f64, f64)| {
                    (m.0 - x).abs() >= MARKER_APART_PX || (m.1 - y).abs() >= MARKER_APART_PX
                };
                if markers.iter().all(apart) {
                    markers.push((x, y));
                }
            }
        }
    }
    if !zone_d.is_empty() {
        w!(out, "<use href=\"#{zone_ref}\" class=\"zo\"/>\n");
    }
    out.push_str("</g>\n");
    for (x, y) in &markers {
        w!(
            out,
            "<circle class=\"cfp\" cx=\"{}\" cy=\"{}\" r=\"7\"/>\n",
            fmt_px(*x),
            fmt_px(*y)
        );
    }
    if z.geometry.0.len() > 1 {
        part_labels(out, labels, &view);
    }
    scale_bar_and_north(out, &view);
    w!(
        out,
        "<rect class=\"frame\" x=\"0.5\" y=\"0.5\" width=\"{}\" height=\"{}\"/>\n</svg>\n",
        MAP_W_PX - 1.0,
        MAP_H_PX - 1.0
    );

    // Legend: only what the map shows.
    out.push_str("<ul class=\"legend\">\n");
    legend_item(out, "zn", "整合后开发区");
    for ml in &maps.protection {
        let label = layer_label(ml.layer).0;
        match ml.layer.role {
            LayerRole::Water => {
                for (class, what) in [
                    ("w1", "一级保护区"),
                    ("w2", "二级保护区"),
                    ("w3", "准保护区"),
                    ("wt", ""),
                ] {
                    if used.contains(class) {
                        let text = if what.is_empty() {
                            label.clone()
                        } else {
                            format!("{label}（{what}）")
                        };
                        legend_item(out, class, &text);
                    }
                }
            }
            role => {
                if used.contains(role_class(role)) {
                    legend_item(out, role_class(role), &label);
                }
            }
        }
    }
    if used.contains("tw") {
        legend_item(out, "tw", LayerRole::Townships.name_zh());
    }
    if used.contains("br") {
        legend_item(out, "br", LayerRole::Barrier.name_zh());
    }
    if used.contains("og") {
        legend_item(out, "og", "原开发区（整合对象）");
    }
    if used.contains("oz") {
        legend_item(out, "oz", "其他整合后开发区");
    }
    if used.contains("xp") {
        legend_item(out, "xp", "扩区（超出原开发区范围）");
    }
    if used.contains("cf") {
        legend_item(out, "cf", "冲突范围");
    }
    if used.contains("nl") {
        legend_item(out, "nl", "未载入保护图层（远离各开发区，不影响检查结果）");
    }
    out.push_str("</ul>\n");
    let mut notes = Vec::new();
    if skipped.small > 0 {
        notes.push(format!(
            "{} 个过小的要素（小于 {} 像素）未绘制",
            skipped.small, BACKGROUND_STEP_PX
        ));
    }
    if skipped.capped > 0 {
        notes.push(format!(
            "背景要素超过每图的绘制上限，另有 {} 个要素未绘制（与开发区范围不相交的先略去）",
            skipped.capped
        ));
    }
    if !markers.is_empty() {
        notes.push("红圈标出图上过小的冲突范围".to_string());
    }
    w!(
        out,
        "<p class=\"note\">比例约 1:{}（按 96 dpi 屏幕宽度 640 像素计）{}{}</p>\n",
        fmt_num(nice_ratio(view.px_per_m), 0),
        if notes.is_empty() { "" } else { "；" },
        esc(&notes.join("；"))
    );
    out.push_str("</div>\n");
}

/// Numbers the parts (as in the sub-areas table) at an interior point of each part in view.
fn part_labels(out: &mut String, labels: &[Option<Coord<f64>>], view: &View) {
    let mut n = 0;
    for (k, pt) in labels.iter().enumerate() {
        if n >= MAX_PART_LABELS {
            break;
        }
        let Some(pt) = pt else {
            continue;
        };
        let (x, y) = view.pos_in_svg(*pt);
        if !(0.0..=MAP_W_PX).contains(&x) || !(0.0..=MAP_H_PX).contains(&y) {
            continue;
        }
        w!(
            out,
            "<text class=\"pl\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" dominant-baseline=\"central\">{}</text>\n",
            fmt_px(x),
            fmt_px(y),
            k + 1
        );
        n += 1;
    }
}

/// Map scale denominator at 96 dpi (1 px = 0.2646 mm), rounded to 2 significant digits.
fn nice_ratio(px_per_m: f64) -> f64 {
    let ratio = 1.0 / (px_per_m * 0.0254 / 96.0);
    if !(ratio.is_finite() && ratio > 0.0) {
        return 0.0;
    }
    let p = 10f64.powf(ratio.log10().floor() - 1.0);
    (ratio / p).round() * p
}

/// The rule column of a finding: the rule's name from the rule table over its id.
fn rule_cell(f: &crate::analysis::Finding) -> String {
    match f.rule_id() {
        Some(r) => format!("{}<br>{}", esc(r.spec().label.zh), esc(&f.rule)),
        None => esc(&f.rule),
    }
}

/// The clause column of a finding: the clause cited and, for a rule that is our inference
/// whose clause does not say so already, the reason from the rule table.
fn clause_cell(f: &crate::analysis::Finding) -> String {
    let reason = f
        .rule_id()
        .and_then(|r| r.spec().inference)
        .filter(|_| !f.clause.contains("审查推定"));
    match reason {
        Some(r) => format!("{}（审查推定：{}）", esc(&f.clause), esc(r.zh)),
        None => esc(&f.clause),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::crs::{CrsDef, CrsKind};
    use crate::io::review::Review;
    use crate::load::Dataset;
    use crate::model::settings::{LayerPaths, ReviewFile};
    use crate::model::{Feature, SourceInfo};
    use crate::progress::Progress;
    use crate::report::ReportMeta;
    use geo::{wkt, MultiPolygon};

    #[test]
    fn positions_sorted_through_the_bit_set_as_by_sorting() {
        // Many positions (the bit set) and few (a sort), both against a plain sort.
        let n = 10_000;
        let many: Vec<usize> = (0..n).rev().filter(|i| i % 3 != 0).collect();
        let few: Vec<usize> = vec![9_999, 3, 512, 64, 63, 0, 7_000];
        for v in [many, few] {
            let mut got = v.clone();
            sort_positions(&mut got, n);
            let mut want = v;
            want.sort_unstable();
            assert_eq!(got, want);
        }
    }

    #[test]
    fn pixel_numbers_are_rounded_to_a_tenth_without_float_formatting() {
        for (v, text) in [
            (0.0, "0"),
            (-0.0, "0"),
            (-0.04, "0"),
            (12.34, "12.3"),
            (-4.0, "-4"),
            (-0.26, "-0.3"),
            (639.96, "640"),
            (1e20, "100000000000000000000"),
        ] {
            assert_eq!(fmt_px(v), text, "{v}");
        }
        // Same text as the shortest float formatting of the value rounded to 0.1 px.
        let mut x = -1234.5678;
        while x < 1234.0 {
            let r = (x * 10.0_f64).round() / 10.0 + 0.0;
            assert_eq!(fmt_px(x), format!("{r}"), "{x}");
            x += 0.0137;
        }
    }

    fn layer(name: &str, role: LayerRole, fields: &[&str], feats: Vec<(Geom, Vec<&str>)>) -> Layer {
        let features: Vec<Feature> = feats
            .into_iter()
            .enumerate()
            .map(|(index, (geometry, attrs))| Feature {
                index,
                geometry,
                attrs: attrs.into_iter().map(|a| Some(a.to_string())).collect(),
            })
            .collect();
        Layer {
            name: name.to_string(),
            role,
            fields: fields.iter().map(|f| f.to_string()).collect(),
            source: SourceInfo {
                path: format!("data/{name}.geojson").into(),
                crs: "EPSG:4549".into(),
                encoding: Some("UTF-8".into()),
                features: features.len(),
                warnings: vec!["record 3: ring <closed> & \"fixed\"".into()],
                unusable: Vec::new(),
                ..SourceInfo::default()
            },
            features,
        }
    }

    fn fixture() -> (Dataset, Review) {
        // Z1: 1000 m square with a 200 m hole; a farmland patch covers its south-east corner.
        let z1: Geom = wkt!(MULTIPOLYGON(((0. 0.,1000. 0.,1000. 1000.,0. 1000.,0. 0.),(400. 400.,400. 600.,600. 600.,600. 400.,400. 400.))));
        // Z2: far away, no conflict.
        let z2: Geom = wkt!(MULTIPOLYGON(((5000. 0.,5500. 0.,5500. 500.,5000. 500.,5000. 0.))));
        let farm: Geom =
            wkt!(MULTIPOLYGON(((900. -100.,1100. -100.,1100. 100.,900. 100.,900. -100.))));
        let far_farm: Geom =
            wkt!(MULTIPOLYGON(((9000. 9000.,9100. 9000.,9100. 9100.,9000. 9100.,9000. 9000.))));
        let zones = layer(
            "zones",
            LayerRole::Zones,
            &["id", "name"],
            vec![
                (z1, vec!["Z1", "A<&>B"]),
                (z2, vec!["Z2", "Quiet \"park\""]),
            ],
        );
        let farmland = layer(
            "farmland",
            LayerRole::Farmland,
            &["bsm"],
            vec![(farm, vec!["F-7"]), (far_farm, vec!["F-9"])],
        );
        let ds = Dataset {
            working_crs: CrsDef {
                definition: "EPSG:4549".into(),
                name: "CGCS2000 / 3-degree Gauss-Kruger CM 120E".into(),
                kind: CrsKind::Projected,
                epsg: Some(4549),
                unit: "metre".into(),
                fingerprint: String::new(),
                texts: Default::default(),
            },
            working_crs_reason: "set by `crs` in the review file".into(),
            layers: vec![zones, farmland],
            loaded_near: None,
        };
        let review = Review {
            file: ReviewFile {
                crs: Some("EPSG:4549".into()),
                layers: LayerPaths {
                    zones: "data/zones.geojson".into(),
                    farmland: Some("data/farmland.geojson".into()),
                    ..LayerPaths::default()
                },
                ..ReviewFile::default()
            },
            path: "review.toml".into(),
        };
        (ds, review)
    }

    fn render() -> String {
        let (ds, review) = fixture();
        let analysis = crate::analysis::run_checks(&ds, &review.file, &Progress::new()).unwrap();
        let input = ReportInput {
            indexes: None,
            dataset: &ds,
            review: &review,
            analysis: &analysis,
            meta: ReportMeta {
                version: "9.9.9-test".into(),
                ..ReportMeta::default()
            },
        };
        render_html(&input)
    }

    #[test]
    fn report_has_zones_verdicts_map_and_escaped_text() {
        let html = render();
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains("开发区整合方案冲突分析报告"));
        assert!(html.contains("zonecheck 9.9.9-test"));
        assert!(html.contains("Z1") && html.contains("Z2"));
        assert!(html.contains("A&lt;&amp;&gt;B"));
        assert!(!html.contains("A<&>B"));
        assert!(html.contains("Quiet &quot;park&quot;"));
        assert!(html.contains("ring &lt;closed&gt; &amp; &quot;fixed&quot;"));
        assert!(html.contains("<svg class=\"map\""));
        assert!(html.contains("fill-rule=\"evenodd\""));
        assert!(html.contains("冲突面积（亩）</th>") && html.contains("<th>永久基本农田</th>"));
        assert!(html.contains("F-7"));
        // Z1 conflicts with farmland (100 m × 100 m = 10000 m² = 15 亩); Z2 passes.
        let z1 = section(&html, 1);
        let z2 = section(&html, 2);
        assert!(z1.contains("不通过"), "{z1}");
        assert!(z1.contains("10,000.00") && z1.contains("15.0000"));
        assert!(z1.contains("class=\"cf\""));
        assert!(z2.contains("通过") && !z2.contains("不通过"));
        assert!(!z2.contains("class=\"cf\""));
        // The far-away farmland patch is not in either map.
        assert_eq!(
            html.matches("class=\"fl\"").count(),
            2,
            "one patch per map plus legend"
        );
        assert!(!html.contains("<script"));
    }

    fn section(html: &str, n: usize) -> &str {
        let start = html
            .find(&format!("<section class=\"zone\" id=\"zone-{n}\">"))
            .unwrap();
        let end = html[start..].find("</section>").unwrap() + start;
        &html[start..end]
    }

    fn square(x: f64, y: f64, w: f64, h: f64) -> Polygon<f64> {
        Polygon::new(
            LineString::from(vec![(x, y), (x + w, y), (x + w, y + h), (x, y + h), (x, y)]),
            vec![],
        )
    }

    /// A busier case: multi-part zone with a hole, expansion, clusters, thousands of farmland
    /// patches, red line, graded water protection, townships.
    fn rich_fixture() -> (Dataset, Review) {
        let (mut ds, mut review) = fixture();
        let mut main = square(0.0, 0.0, 2000.0, 1500.0);
        main.interiors_push(vec![
            (300.0, 300.0),
            (300.0, 450.0),
            (500.0, 450.0),
            (500.0, 300.0),
            (300.0, 300.0),
        ]);
        let z1 = MultiPolygon(vec![
            main,
            square(2600.0, 0.0, 400.0, 400.0),
            square(2200.0, 1400.0, 50.0, 50.0),
        ]);
        let z2 = MultiPolygon(vec![square(8000.0, 0.0, 600.0, 500.0)]);
        ds.layers[0] = layer(
            "zones",
            LayerRole::Zones,
            &["id", "name", "members"],
            vec![
                (z1, vec!["Z1", "萧山经开区<&>", "O1,O2"]),
                (z2, vec!["Z2", "临平园区", "O3"]),
            ],
        );
        let original = layer(
            "original",
            LayerRole::Original,
            &["id", "name"],
            vec![
                (
                    MultiPolygon(vec![square(0.0, 0.0, 1800.0, 1500.0)]),
                    vec!["O1", "甲"],
                ),
                (
                    MultiPolygon(vec![square(2600.0, 0.0, 400.0, 400.0)]),
                    vec!["O2", "乙"],
                ),
                (
                    MultiPolygon(vec![square(8000.0, 0.0, 600.0, 500.0)]),
                    vec!["O3", "丙"],
                ),
            ],
        );
        let mut patches = Vec::new();
        for i in 0..60 {
            for j in 0..60 {
                let (x, y) = (-500.0 + 45.0 * i as f64, -500.0 + 45.0 * j as f64);
                patches.push((
                    MultiPolygon(vec![square(x, y, 30.0, 30.0)]),
                    format!("NT{i:02}{j:02}"),
                ));
            }
        }
        let farmland = layer(
            "farmland",
            LayerRole::Farmland,
            &["bsm"],
            patches
                .iter()
                .map(|(g, id)| (g.clone(), vec![id.as_str()]))
                .collect(),
        );
        let circle: Vec<(f64, f64)> = (0..=720)
            .map(|k| {
                let a = k as f64 * std::f64::consts::PI / 360.0;
                (2200.0 + 500.0 * a.cos(), 1600.0 + 400.0 * a.sin())
            })
            .collect();
        let redline = layer(
            "redline",
            LayerRole::Redline,
            &["bsm"],
            vec![(
                MultiPolygon(vec![Polygon::new(LineString::from(circle), vec![])]),
                vec!["HX001"],
            )],
        );
        let water = layer(
            "water",
            LayerRole::Water,
            &["bsm", "bhjb"],
            vec![
                (
                    MultiPolygon(vec![square(2400.0, -300.0, 300.0, 300.0)]),
                    vec!["SY1", "一级保护区"],
                ),
                (
                    MultiPolygon(vec![square(2300.0, -400.0, 900.0, 900.0)]),
                    vec!["SY2", "二级保护区"],
                ),
            ],
        );
        let townships = layer(
            "townships",
            LayerRole::Townships,
            &["name"],
            vec![
                (
                    MultiPolygon(vec![square(-3000.0, -3000.0, 4000.0, 6000.0)]),
                    vec!["瓜沥镇"],
                ),
                (
                    MultiPolygon(vec![square(1000.0, -3000.0, 4000.0, 6000.0)]),
                    vec!["党湾镇"],
                ),
            ],
        );
        ds.layers = vec![
            ds.layers[0].clone(),
            original,
            redline,
            farmland,
            water,
            townships,
        ];
        review.file.layers.original = Some("data/original.geojson".into());
        review.file.layers.redline = Some("data/redline.geojson".into());
        review.file.layers.water = Some("data/water.geojson".into());
        review.file.layers.townships = Some("data/townships.geojson".into());
        review.file.rules.contiguity_distance_m = 100.0;
        (ds, review)
    }

    #[test]
    fn busy_map_is_capped_and_long_tables_are_cut() {
        let (ds, review) = rich_fixture();
        let analysis = crate::analysis::run_checks(&ds, &review.file, &Progress::new()).unwrap();
        let input = ReportInput {
            indexes: None,
            dataset: &ds,
            review: &review,
            analysis: &analysis,
            meta: ReportMeta::default(),
        };
        let html = render_html(&input);
        if let Some(path) = std::env::var_os("ZONECHECK_HTML_PREVIEW") {
            std::fs::write(path, &html).unwrap();
        }
        let z1 = section(&html, 1);
        assert!(z1.contains("萧山经开区&lt;&amp;&gt;"));
        assert!(z1.contains("绘制上限"), "feature cap noted");
        assert!(z1.contains("仅列出面积最大的 20 个"));
        assert!(z1.contains("class=\"xp\""), "expansion drawn");
        // Parts 2 (water conflict) and 3 (red-line sliver of a fragment) get close-ups; the
        // main part fills the overview already.
        assert_eq!(z1.matches("<svg class=\"map\"").count(), 3);
        assert!(z1.contains("局部图：分片区 2") && z1.contains("局部图：分片区 3"));
        assert!(
            z1.contains("<text class=\"pl\""),
            "parts numbered on the map"
        );
        assert!(z1.contains("class=\"w1\"") && z1.contains("class=\"w2\""));
        assert!(
            z1.contains("class=\"rl\"")
                && z1.contains("class=\"og\"")
                && z1.contains("class=\"tw\"")
        );
        assert!(z1.matches("<path class=\"fl\"").count() < MAX_MAP_FEATURES);
        assert!(
            html.len() < 3_000_000,
            "report stays small: {} bytes",
            html.len()
        );
    }

    #[test]
    fn barriers_are_drawn_and_net_gaps_listed() {
        // Z3: two 200 m squares 20 m apart (8000..8200 and 8220..8420); a 10 m road in the
        // middle of the gap (8205..8215) leaves 10 m of it open: two clusters, gap 20 m, net
        // 10 m.
        let (mut ds, mut review) = fixture();
        let z3: Geom = wkt!(MULTIPOLYGON(((8000. 0.,8200. 0.,8200. 200.,8000. 200.,8000. 0.)),((8220. 0.,8420. 0.,8420. 200.,8220. 200.,8220. 0.))));
        let road: Geom =
            wkt!(MULTIPOLYGON(((8205. -100.,8215. -100.,8215. 300.,8205. 300.,8205. -100.))));
        ds.layers[0].features.push(Feature {
            index: 2,
            geometry: z3,
            attrs: vec![Some("Z3".into()), Some("两片".into())].into(),
        });
        ds.layers.push(layer(
            "barriers",
            LayerRole::Barrier,
            &[],
            vec![(road, vec![])],
        ));
        review.file.layers.barriers = Some("data/barriers.geojson".into());
        let analysis = crate::analysis::run_checks(&ds, &review.file, &Progress::new()).unwrap();
        let z = analysis.zones.iter().find(|z| z.id == "Z3").unwrap();
        assert_eq!((z.part_count, z.clusters), (2, 2));
        assert_eq!(z.cluster_gaps_m, [20.0]);
        assert!((z.cluster_gaps_net_m[0] - 10.0).abs() < 1e-9);
        let input = ReportInput {
            indexes: None,
            dataset: &ds,
            review: &review,
            analysis: &analysis,
            meta: ReportMeta::default(),
        };
        let html = render_html(&input);
        let k = analysis.zones.iter().position(|z| z.id == "Z3").unwrap();
        let z3 = section(&html, k + 1);
        assert!(z3.contains("2 个分片区，2 个组团"), "{z3}");
        assert!(z3.contains("组团间距（连通全部组团所需的最小间距）：20.0 m"));
        assert!(z3.contains("扣除其间的道路、河流、铁路和保护区域后：10.0 m"));
        assert!(z3.contains("class=\"br\""), "the road is drawn");
        assert!(z3.contains("道路、河流、铁路</li>"), "and in the legend");
        assert!(html.contains("最小连接宽度") && html.contains("分片区数量上限"));
    }

    #[test]
    fn rendering_is_deterministic() {
        assert_eq!(render(), render());
    }

    /// The rings of a path's `d` as written by `ring_d` ("M x y l dx dy … z", repeated), in
    /// absolute SVG coordinates.
    fn parse_d(d: &str) -> Vec<Vec<(f64, f64)>> {
        let mut rings = Vec::new();
        for sub in d.split('M').filter(|s| !s.is_empty()) {
            let sub = sub.strip_suffix('z').expect("closed");
            let (start, moves) = sub.split_once('l').expect("relative moves");
            let num = |t: &str| -> Vec<f64> {
                // Numbers separated by spaces or by the sign of the next one.
                t.replace('-', " -")
                    .split_whitespace()
                    .map(|v| v.parse::<f64>().unwrap())
                    .collect()
            };
            let p0 = num(start);
            let mut pts = vec![(p0[0], p0[1])];
            for m in num(moves).chunks(2) {
                let (x, y) = *pts.last().unwrap();
                pts.push((x + m[0], y + m[1]));
            }
            rings.push(pts);
        }
        rings
    }

    fn signed_area(pts: &[(f64, f64)]) -> f64 {
        pts.iter()
            .zip(pts.iter().cycle().skip(1))
            .map(|(a, b)| a.0 * b.1 - b.0 * a.1)
            .sum::<f64>()
            / 2.0
    }

    #[test]
    fn hole_is_drawn_in_the_same_path() {
        let html = render();
        let z1 = section(&html, 1);
        let tag = "<defs><path id=\"zp1-0\" d=\"";
        let start = z1.find(tag).unwrap() + tag.len();
        let path = &z1[start..];
        let path = &path[..path.find("/>").unwrap()];
        assert!(path.matches('M').count() >= 2, "{path}");
        assert_eq!(path.matches('M').count(), path.matches('z').count());

        let poly: Polygon<f64> =
            wkt!(POLYGON((0. 0.,10. 0.,10. 10.,0. 10.,0. 0.),(4. 4.,4. 6.,6. 6.,6. 4.,4. 4.)));
        let view = View::fit(poly.bounding_rect().unwrap());
        let d = polygon_d(&poly, &view, STEP_PX).unwrap();
        let rings = parse_d(&d);
        assert_eq!(rings.len(), 2, "{d}");
        // Exterior and hole run opposite ways (nonzero fill leaves the hole open), with the
        // areas of a 10 m and a 2 m square at this zoom (to the 0.1 px rounding).
        let px2 = view.px_per_m * view.px_per_m;
        let (outer, hole) = (signed_area(&rings[0]), signed_area(&rings[1]));
        assert!(outer * hole < 0.0, "{d}");
        assert!(
            (outer.abs() - 100.0 * px2).abs() < 0.01 * 100.0 * px2,
            "{d}"
        );
        assert!((hole.abs() - 4.0 * px2).abs() < 0.05 * 4.0 * px2, "{d}");
        // The same orientation whatever the input's: a reversed copy gives the same signs.
        let reversed = Polygon::new(
            LineString(poly.exterior().0.iter().rev().copied().collect()),
            vec![LineString(
                poly.interiors()[0].0.iter().rev().copied().collect(),
            )],
        );
        let again = parse_d(&polygon_d(&reversed, &view, STEP_PX).unwrap());
        assert_eq!(signed_area(&again[0]).signum(), outer.signum());
        assert_eq!(signed_area(&again[1]).signum(), hole.signum());
    }

    #[test]
    fn paths_are_simplified_within_half_a_step_and_keep_their_shape() {
        // A 720-gon ellipse: every drawn point is one of its vertices (to the 0.1 px rounding),
        // far fewer are drawn, and the area is the polygon's to 0.5 %.
        let ring: LineString<f64> = (0..=720)
            .map(|k| {
                let a = k as f64 * std::f64::consts::PI / 360.0;
                Coord {
                    x: 500.0 * a.cos(),
                    y: 400.0 * a.sin(),
                }
            })
            .collect();
        let poly = Polygon::new(ring.clone(), vec![]);
        let view = View::fit(poly.bounding_rect().unwrap());
        let rings = parse_d(&polygon_d(&poly, &view, STEP_PX).unwrap());
        let pts = &rings[0];
        assert!(pts.len() < 300, "{} points", pts.len());
        let svg: Vec<(f64, f64)> = ring.0.iter().map(|c| view.pos_in_svg(*c)).collect();
        for p in pts {
            let near = svg
                .iter()
                .map(|q| (q.0 - p.0).abs().max((q.1 - p.1).abs()))
                .fold(f64::INFINITY, f64::min);
            assert!(near <= 0.05 + 1e-9, "{p:?} is {near} px from every vertex");
        }
        let want = poly.unsigned_area() * view.px_per_m * view.px_per_m;
        let got = signed_area(pts).abs();
        assert!((got - want).abs() < 0.005 * want, "{got} vs {want}");
    }

    #[test]
    fn view_flips_y_and_keeps_aspect() {
        let r = Rect::new(Coord { x: 0.0, y: 0.0 }, Coord { x: 100.0, y: 100.0 });
        let v = View::fit(r);
        let (x0, y0) = v.pos_in_svg(Coord { x: 0.0, y: 0.0 });
        let (x1, y1) = v.pos_in_svg(Coord { x: 100.0, y: 100.0 });
        assert!(y1 < y0, "north is up");
        assert!(
            ((x1 - x0) - (y0 - y1)).abs() < 1e-9,
            "same scale on both axes"
        );
        assert!(((x0 + x1) / 2.0 - MAP_W_PX / 2.0).abs() < 1e-9);
        assert!(((y0 + y1) / 2.0 - MAP_H_PX / 2.0).abs() < 1e-9);
    }

    #[test]
    fn clipping_a_big_polygon_keeps_only_the_view() {
        let huge: Polygon<f64> = wkt!(POLYGON((-1e6 -1e6,1e6 -1e6,1e6 1e6,-1e6 1e6,-1e6 -1e6)));
        let r = Rect::new(Coord { x: 0.0, y: 0.0 }, Coord { x: 100.0, y: 100.0 });
        let d = polygon_d(&huge, &View::fit(r), STEP_PX).unwrap();
        assert_eq!(d, "M-4 -4l648 0 0 488-648 0z");
    }

    #[test]
    fn feature_budget_is_shared_fairly() {
        assert_eq!(share_budget(&[3600, 2, 1], 3000), vec![2997, 2, 1]);
        assert_eq!(share_budget(&[5000, 5000], 3000), vec![1500, 1500]);
        assert_eq!(share_budget(&[10, 20], 3000), vec![10, 20]);
        assert_eq!(share_budget(&[], 3000), Vec::<usize>::new());
        assert_eq!(share_budget(&[2, 2, 2], 5).iter().sum::<usize>(), 5);
    }

    #[test]
    fn numbers_and_escaping() {
        assert_eq!(fmt_num(1234567.891, 2), "1,234,567.89");
        assert_eq!(fmt_num(999.999, 2), "1,000.00");
        assert_eq!(fmt_num(-0.001, 2), "0.00");
        assert_eq!(fmt_num(-1234.5, 1), "-1,234.5");
        assert_eq!(fmt_num(12.0, 0), "12");
        assert_eq!(fmt_px(-0.01), "0");
        assert_eq!(fmt_px(12.34), "12.3");
        assert_eq!(
            esc("<a href='x'>&\"</a>"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;"
        );
        assert_eq!(nice_length_m(730.0), 500.0);
        assert_eq!(nice_length_m(0.3), 0.2);
        assert_eq!(fmt_length(2000.0), "2 km");
    }
}
