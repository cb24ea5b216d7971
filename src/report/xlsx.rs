//! report.xlsx: the check as a workbook (rust_xlsxwriter) — 汇总 (one row per zone: result,
//! areas in m²/亩/公顷, planar and on the CGCS2000 ellipsoid side by side, conflict areas per
//! protection layer (both), parts, clusters, expansion (both),
//! decisions; then the plan's result and the reviewer's verdict), 问题清单 (every finding with
//! its decision), 占用图斑 (every occupied patch with the patch fields of `[fields] patch`) and
//! 界址点 (the rows of boundary_points.csv). Chinese headers in bold on a frozen first row,
//! areas as numbers formatted `0.00` (公顷 `0.0000`), columns as wide as their text (a CJK
//! character counts two). Deterministic: the document's creation time is fixed.

use super::ReportInput;
use crate::analysis::Finding;
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatBorder, Workbook, Worksheet, XlsxError,
};
use unicode_width::UnicodeWidthStr;

/// The sheet names, in order.
pub const SHEETS: [&str; 4] = ["汇总", "问题清单", "占用图斑", "界址点"];

/// m² per 公顷.
const M2_PER_HA: f64 = 10_000.0;

/// Widest column (characters) the widths rule gives.
const MAX_WIDTH: f64 = 60.0;

/// The formats of the workbook.
struct Formats {
    header: Format,
    area: Format,
    mu: Format,
    ha: Format,
    coord: Format,
}

impl Formats {
    fn new(coord_decimals: usize) -> Formats {
        let coord = if coord_decimals == 0 {
            "0".to_string()
        } else {
            format!("0.{}", "0".repeat(coord_decimals.min(12)))
        };
        Formats {
            header: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0x00DD_E4EE))
                .set_border_bottom(FormatBorder::Thin),
            area: Format::new().set_num_format("0.00"),
            // 亩 to two decimals as the area (the CSV's four are in the cell's value).
            mu: Format::new().set_num_format("0.00"),
            ha: Format::new().set_num_format("0.0000"),
            coord: Format::new().set_num_format(coord),
        }
    }
}

/// One sheet being written: the next row, and the widest text of each column so far.
struct Sheet<'w> {
    ws: &'w mut Worksheet,
    row: u32,
    widths: Vec<f64>,
}

/// A cell of a row.
enum Cell<'a> {
    Text(&'a str),
    Owned(String),
    Number(f64, &'a Format),
    /// A number in the format its column was given ([`Sheet::column_format`]): the same cell
    /// style as `Number` with that format, without looking the format up for every cell.
    ColumnNumber(f64),
    /// An integer count (general format).
    Count(usize),
    Empty,
}

impl<'w> Sheet<'w> {
    fn new(
        ws: &'w mut Worksheet,
        name: &str,
        header: &[String],
        f: &Formats,
        frozen_cols: u16,
    ) -> Result<Sheet<'w>, XlsxError> {
        ws.set_name(name)?;
        let mut sheet = Sheet {
            ws,
            row: 0,
            widths: Vec::new(),
        };
        for (c, h) in header.iter().enumerate() {
            let col = col_num(c)?;
            sheet
                .ws
                .write_string_with_format(0, col, h.as_str(), &f.header)?;
            sheet.fit(c, h);
        }
        sheet.ws.set_freeze_panes(1, frozen_cols)?;
        sheet.row = 1;
        Ok(sheet)
    }

    /// Gives column `c` the format its [`Cell::ColumnNumber`] cells are shown in.
    fn column_format(&mut self, c: usize, format: &Format) -> Result<(), XlsxError> {
        self.ws.set_column_format(col_num(c)?, format)?;
        Ok(())
    }

    fn fit(&mut self, c: usize, text: &str) {
        self.fit_width(c, text.width() as f64);
    }

    fn fit_width(&mut self, c: usize, w: f64) {
        if self.widths.len() <= c {
            self.widths.resize(c + 1, 0.0);
        }
        if w > self.widths[c] {
            self.widths[c] = w;
        }
    }

    fn push(&mut self, cells: &[Cell]) -> Result<(), XlsxError> {
        let row = self.row;
        for (c, cell) in cells.iter().enumerate() {
            let col = col_num(c)?;
            match cell {
                Cell::Text(s) => {
                    if !s.is_empty() {
                        self.ws.write_string(row, col, *s)?;
                    }
                    self.fit(c, s);
                }
                Cell::Owned(s) => {
                    if !s.is_empty() {
                        self.ws.write_string(row, col, s.as_str())?;
                    }
                    self.fit(c, s);
                }
                Cell::Number(v, format) => {
                    if v.is_finite() {
                        self.ws.write_number_with_format(row, col, *v, format)?;
                        // Shown with at most 4 decimals (12 for coordinates).
                        self.fit_width(c, number_width(*v));
                    }
                }
                Cell::ColumnNumber(v) => {
                    if v.is_finite() {
                        self.ws.write_number(row, col, *v)?;
                        self.fit_width(c, number_width(*v));
                    }
                }
                Cell::Count(n) => {
                    self.ws.write_number(row, col, *n as f64)?;
                    self.fit_width(c, integer_digits(*n as f64));
                }
                Cell::Empty => {}
            }
        }
        self.row += 1;
        Ok(())
    }

    /// Sets the column widths.
    fn finish(self) -> Result<(), XlsxError> {
        for (c, w) in self.widths.iter().enumerate() {
            self.ws
                .set_column_width(col_num(c)?, (w + 2.0).clamp(6.0, MAX_WIDTH))?;
        }
        Ok(())
    }
}

/// Characters of `format!("{:.4}", v)` (sign, integer digits, point, four decimals), counted
/// without formatting: this runs for every number cell of the workbook.
fn number_width(v: f64) -> f64 {
    let sign = if v < 0.0 { 1.0 } else { 0.0 };
    sign + integer_digits(v) + 5.0
}

/// Digits of the integer part of `|v|` (at least 1).
fn integer_digits(v: f64) -> f64 {
    let a = v.abs().trunc();
    let mut digits = 1.0;
    let mut bound = 10.0;
    while a >= bound && digits < 309.0 {
        digits += 1.0;
        bound *= 10.0;
    }
    digits
}

fn col_num(c: usize) -> Result<u16, XlsxError> {
    u16::try_from(c).map_err(|_| XlsxError::ParameterError(format!("column {c} out of range")))
}

/// A patch field holding an area (TBMJ and other …MJ fields): written as a number when it reads
/// as one; other fields (codes such as DLBM 0101) stay text.
fn is_area_field(name: &str) -> bool {
    name.to_uppercase().ends_with("MJ")
}

/// The workbook's bytes.
pub fn report_xlsx(input: &ReportInput) -> Result<Vec<u8>, String> {
    build(input).map_err(|e| e.to_string())
}

fn build(input: &ReportInput) -> Result<Vec<u8>, XlsxError> {
    let f = Formats::new(input.meta.coord_decimals);
    let mut wb = Workbook::new();
    // A fixed creation time: same inputs, same bytes.
    let created = ExcelDateTime::from_ymd(2000, 1, 1)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title("zonecheck 开发区整合审查报告")
            .set_creation_datetime(&created),
    );
    // The two short sheets built in parallel; the long ones (a province has hundreds of
    // thousands of 界址点 rows) in the workbook's low-memory mode, each row going to a
    // temporary file as it is written instead of staying in memory.
    let sheet = |build: fn(&ReportInput, &Formats, &mut Worksheet) -> Result<(), XlsxError>| {
        let mut ws = Worksheet::new();
        build(input, &f, &mut ws).map(|()| ws)
    };
    let (summary_ws, findings_ws) = rayon::join(|| sheet(summary), || sheet(findings));
    wb.push_worksheet(summary_ws?);
    wb.push_worksheet(findings_ws?);
    patches(input, &f, wb.add_worksheet_with_low_memory())?;
    boundary_points(input, &f, wb.add_worksheet_with_low_memory())?;
    wb.save_to_buffer()
}

fn summary(input: &ReportInput, f: &Formats, ws: &mut Worksheet) -> Result<(), XlsxError> {
    let resolved = input.resolved();
    let analysis = input.analysis;
    let layers = super::html::conflict_layers(input);
    let mut header: Vec<String> = [
        "开发区编号",
        "开发区名称",
        "结论",
        "面积（m²）",
        "面积（亩）",
        "面积（公顷）",
        "椭球面积（m²）",
        "椭球面积（亩）",
        "椭球面积（公顷）",
    ]
    .map(str::to_string)
    .to_vec();
    for l in &layers {
        let label = crate::analysis::zone::layer_label(l).0;
        for unit in ["m²", "亩", "公顷"] {
            header.push(format!("{label}冲突（{unit}）"));
        }
        for unit in ["m²", "亩", "公顷"] {
            header.push(format!("{label}冲突椭球面积（{unit}）"));
        }
    }
    header.extend(
        [
            "分片区数",
            "组团数",
            "扩区面积（m²）",
            "扩区面积（亩）",
            "扩区面积（公顷）",
            "扩区椭球面积（m²）",
            "扩区椭球面积（亩）",
            "扩区椭球面积（公顷）",
            "问题数",
            "阻断问题数",
            "已决定",
            "待处理",
        ]
        .map(str::to_string),
    );
    let mut sheet = Sheet::new(ws, SHEETS[0], &header, f, 2)?;
    for (zi, z) in analysis.zones.iter().enumerate() {
        let result = resolved.zone_result(analysis, zi).text().zh;
        let mut cells = vec![
            Cell::Text(&z.id),
            Cell::Text(z.name.as_deref().unwrap_or("")),
            Cell::Owned(result),
            Cell::Number(z.area_m2, &f.area),
            Cell::Number(z.area_mu, &f.mu),
            Cell::Number(z.area_m2 / M2_PER_HA, &f.ha),
        ];
        cells.extend(area_cells(z.area_ellipsoid_m2, f));
        for l in &layers {
            match z.conflicts.get(&l.name) {
                Some(c) => {
                    cells.extend(area_cells(Some(c.area_m2), f));
                    cells.extend(area_cells(c.area_ellipsoid_m2, f));
                }
                None => cells.extend([
                    Cell::Text("未检查"),
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Empty,
                ]),
            }
        }
        cells.extend([Cell::Count(z.part_count), Cell::Count(z.clusters)]);
        match z.expansion_area_m2 {
            Some(a) => {
                cells.extend(area_cells(Some(a), f));
                cells.extend(area_cells(z.expansion_area_ellipsoid_m2, f));
            }
            None => cells.extend([
                Cell::Text("无原开发区图层"),
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
            ]),
        }
        let blocking = z
            .findings
            .iter()
            .filter(|x| x.severity == crate::analysis::Severity::Blocking)
            .count();
        let decided = (0..z.findings.len())
            .filter(|&i| {
                resolved
                    .get(zi, i)
                    .is_some_and(crate::decisions::Attached::is_decided)
            })
            .count();
        cells.extend([
            Cell::Count(z.findings.len()),
            Cell::Count(blocking),
            Cell::Count(decided),
            Cell::Count(z.findings.len() - decided),
        ]);
        sheet.push(&cells)?;
    }
    // The plan: its own findings' result, the whole check's, and the reviewer's verdict.
    sheet.push(&[])?;
    let counts = resolved.counts(analysis);
    let verdict = crate::messages::decisions::verdict_line(&input.review.file.verdict, &counts);
    sheet.push(&[
        Cell::Text("（规划）"),
        Cell::Text("规划层面问题"),
        Cell::Owned(resolved.plan_result(analysis).text().zh),
    ])?;
    sheet.push(&[
        Cell::Text("（全部）"),
        Cell::Text("总体结论"),
        Cell::Owned(resolved.overall(analysis).text().zh),
    ])?;
    sheet.push(&[
        Cell::Text("（审查）"),
        Cell::Text("审查意见"),
        Cell::Owned(verdict.zh),
    ])?;
    sheet.finish()
}

fn findings(input: &ReportInput, f: &Formats, ws: &mut Worksheet) -> Result<(), XlsxError> {
    let resolved = input.resolved();
    let analysis = input.analysis;
    let header: Vec<String> = [
        "开发区编号",
        "开发区名称",
        "规则",
        "严重程度",
        "条款",
        "说明",
        "面积（m²）",
        "面积（亩）",
        "椭球面积（m²）",
        "椭球面积（亩）",
        "相关对象",
        "审查决定",
        "决定理由",
        "决定说明",
        "决定状态",
    ]
    .map(str::to_string)
    .to_vec();
    let mut sheet = Sheet::new(ws, SHEETS[1], &header, f, 0)?;
    let rows = analysis
        .zones
        .iter()
        .enumerate()
        .flat_map(|(zi, z)| {
            z.findings
                .iter()
                .enumerate()
                .map(move |(i, x)| (Some((zi, z)), i, x))
        })
        .chain(
            analysis
                .plan
                .findings
                .iter()
                .enumerate()
                .map(|(i, x)| (None, i, x)),
        );
    for (zone, i, x) in rows {
        let a = match zone {
            Some((zi, _)) => resolved.get(zi, i),
            None => resolved.plan(i),
        };
        let d = a.map(|a| &a.decision);
        let state = match a {
            None => "",
            Some(a) if a.evidence_changed => "证据已变化",
            Some(a) if a.is_decided() => "已决定",
            Some(_) => "待处理",
        };
        sheet.push(&[
            Cell::Owned(x.zone.clone().unwrap_or_else(|| "（规划）".to_string())),
            Cell::Text(zone.and_then(|(_, z)| z.name.as_deref()).unwrap_or("")),
            Cell::Text(&x.rule),
            Cell::Text(x.severity.name_zh()),
            Cell::Text(&x.clause),
            Cell::Text(&x.message_zh),
            number(x, "area_m2", &f.area),
            number(x, "area_mu", &f.mu),
            number(x, "area_ellipsoid_m2", &f.area),
            x.numbers
                .get("area_ellipsoid_m2")
                .map_or(Cell::Empty, |&v| {
                    Cell::Number(crate::model::mu_from_m2(v), &f.mu)
                }),
            Cell::Owned(x.refs.join(" ")),
            Cell::Text(d.map(|d| d.status.name_zh()).unwrap_or("")),
            Cell::Text(d.map(|d| d.reason.as_str()).unwrap_or("")),
            Cell::Text(d.map(|d| d.comment.as_str()).unwrap_or("")),
            Cell::Text(state),
        ])?;
    }
    sheet.finish()
}

/// An area in m², 亩 and 公顷 (three empty cells when it could not be computed).
fn area_cells(m2: Option<f64>, f: &Formats) -> [Cell<'_>; 3] {
    match m2 {
        Some(a) => [
            Cell::Number(a, &f.area),
            Cell::Number(crate::model::mu_from_m2(a), &f.mu),
            Cell::Number(a / M2_PER_HA, &f.ha),
        ],
        None => [Cell::Empty, Cell::Empty, Cell::Empty],
    }
}

fn number<'a>(x: &Finding, key: &str, format: &'a Format) -> Cell<'a> {
    x.numbers
        .get(key)
        .map_or(Cell::Empty, |&v| Cell::Number(v, format))
}

fn patches(input: &ReportInput, f: &Formats, ws: &mut Worksheet) -> Result<(), XlsxError> {
    let (names, rows) = super::patches::patch_rows(input);
    let mut header: Vec<String> = ["开发区编号", "开发区名称", "保护图层", "图斑编号", "类别"]
        .map(str::to_string)
        .to_vec();
    header.extend(names.iter().cloned());
    header.extend(
        [
            "占用面积（m²）",
            "占用面积（亩）",
            "占用面积（公顷）",
            "占用椭球面积（m²）",
            "占用椭球面积（亩）",
            "占用椭球面积（公顷）",
            "碎片（不计冲突）",
        ]
        .map(str::to_string),
    );
    let mut sheet = Sheet::new(ws, SHEETS[2], &header, f, 0)?;
    let mut positions = crate::model::FieldPositions::default();
    for r in &rows {
        let mut cells = vec![
            Cell::Text(r.zone_id),
            Cell::Text(r.zone_name),
            Cell::Text(&r.layer_zh),
            Cell::Text(r.patch_id),
            Cell::Text(r.class.unwrap_or("")),
        ];
        let at = positions.of(r.fields, &names);
        for (n, &k) in names.iter().zip(at) {
            let v = r.value_at(k);
            let as_number = v
                .filter(|_| is_area_field(n))
                .and_then(|v| v.parse::<f64>().ok())
                .filter(|v| v.is_finite());
            cells.push(match (as_number, v) {
                (Some(x), _) => Cell::Number(x, &f.area),
                (None, Some(v)) => Cell::Text(v),
                (None, None) => Cell::Empty,
            });
        }
        cells.extend(area_cells(Some(r.area_m2), f));
        cells.extend(area_cells(r.area_ellipsoid_m2, f));
        cells.push(Cell::Text(if r.sliver { "是" } else { "否" }));
        sheet.push(&cells)?;
    }
    sheet.finish()
}

fn boundary_points(input: &ReportInput, f: &Formats, ws: &mut Worksheet) -> Result<(), XlsxError> {
    let header: Vec<String> = super::gtxt::BOUNDARY_POINTS_HEADER
        .split(',')
        .map(str::to_string)
        .collect();
    let mut sheet = Sheet::new(ws, SHEETS[3], &header, f, 0)?;
    sheet.column_format(5, &f.coord)?;
    sheet.column_format(6, &f.coord)?;
    let decimals = input.meta.coord_decimals;
    for z in &input.analysis.zones {
        let name = z.name.as_deref().unwrap_or("");
        for p in crate::io::gtxt::boundary_points(&z.geometry, decimals) {
            sheet.push(&[
                Cell::Text(&z.id),
                Cell::Text(name),
                Cell::Count(p.part),
                Cell::Count(p.ring_in_part),
                Cell::Owned(p.label()),
                Cell::ColumnNumber(p.x_north),
                Cell::ColumnNumber(p.y_east),
            ])?;
        }
    }
    sheet.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_width_counts_the_characters_of_four_decimals() {
        for v in [
            0.0,
            0.5,
            1.0,
            9.9,
            10.0,
            99.0,
            12_345.678,
            -3.25,
            -120.0,
            3_055_063.465,
            1e15,
        ] {
            assert_eq!(
                number_width(v),
                format!("{v:.4}").chars().count() as f64,
                "{v}"
            );
        }
        assert_eq!(integer_digits(0.0), 1.0);
        assert_eq!(integer_digits(999.0), 3.0);
        assert_eq!(integer_digits(1000.0), 4.0);
    }
}
