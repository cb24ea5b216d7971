//! Messages of the io area (see the module above): the layer readers (.shp, .shx, .dbf, .cpg,
//! .prj, GeoJSON), regular-file checks and the CRS of a layer (declared, detected or refused).
//! Warnings about one record name it as 0-based "record N" (QGIS's FID); the caller adds the
//! file.

use super::Text;

fn t(zh: String, en: String) -> Text {
    Text::new(zh, en)
}

// ---------------------------------------------------------------------------------------------
// Files

pub fn does_not_exist() -> Text {
    Text::new("文件不存在", "the file does not exist")
}

pub fn is_a_directory() -> Text {
    Text::new(
        "这是一个文件夹，不是普通文件（未读取）",
        "this is a directory, not a regular file (not read)",
    )
}

pub fn not_a_regular_file() -> Text {
    Text::new(
        "不是普通文件（可能是管道或设备；未读取）",
        "not a regular file (a FIFO, socket or device; not read)",
    )
}

/// A layer path of the review that cannot be read: "layer `key`: the file does not exist".
pub fn layer_file_problem(key: &str, problem: &Text) -> Text {
    t(
        format!("图层 `{key}`：{}", problem.zh),
        format!("layer `{key}`: {}", problem.en),
    )
}

/// "cannot read review file (the file does not exist)".
pub fn cannot_read_what(what: &str, why: &Text) -> Text {
    let what_zh = if what == "review file" {
        "审查文件"
    } else {
        what
    };
    t(
        format!("无法读取{what_zh}（{}）", why.zh),
        format!("cannot read {what} ({})", why.en),
    )
}

pub fn not_utf8() -> Text {
    Text::new(
        "不是有效的 UTF-8 文本",
        "stream did not contain valid UTF-8",
    )
}

pub fn cannot_read(reason: &str) -> Text {
    t(
        format!("无法读取文件（{reason}）"),
        format!("cannot read the file ({reason})"),
    )
}

pub fn file_empty() -> Text {
    Text::new("文件为空（0 字节）", "file is empty (0 bytes)")
}

pub fn cannot_read_sibling(ext: &str, reason: &str) -> Text {
    t(
        format!("无法读取 .{ext} 文件（{reason}），已忽略"),
        format!("cannot read the .{ext} file ({reason}); ignored"),
    )
}

pub fn no_extension() -> Text {
    Text::new(
        "图层文件没有扩展名（应为 .shp、.geojson 或国土TXT .txt）",
        "layer file has no extension (expected .shp, .geojson or 国土TXT .txt)",
    )
}

pub fn unsupported_format(ext: &str) -> Text {
    t(
        format!("不支持的图层格式 .{ext}（应为 .shp、.geojson、.gpkg 或国土TXT .txt）"),
        format!("unsupported layer format .{ext} (expected .shp, .geojson, .gpkg or 国土TXT .txt)"),
    )
}

// ---------------------------------------------------------------------------------------------
// .shp / .shx headers

pub fn not_a_shapefile(code: i32, expected: i32) -> Text {
    t(
        format!("不是 shapefile（文件代码 {code}，应为 {expected}）"),
        format!("not a shapefile (bad file code {code}, expected {expected})"),
    )
}

pub fn truncated_shp_header(size: usize, header: usize) -> Text {
    t(
        format!("文件头被截断（{size} 字节；shapefile 文件头为 {header} 字节）"),
        format!("truncated header ({size} bytes; a shapefile header is {header})"),
    )
}

pub fn header_file_length(declared: u64, size: usize) -> Text {
    t(
        format!("文件头记载的文件长度为 {declared} 字节，实际为 {size} 字节；按 {size} 字节读取"),
        format!(
            "the header gives the file length as {declared} bytes but the file has {size}; reading {size}"
        ),
    )
}

pub fn unexpected_shp_version(version: i32, expected: i32) -> Text {
    t(
        format!("shapefile 版本号 {version} 异常（应为 {expected}）"),
        format!("unexpected shapefile version {version} (expected {expected})"),
    )
}

pub fn not_polygons(kind: &str) -> Text {
    t(
        format!("图层几何类型为 {kind}，要求为面（Polygon）"),
        format!("layer has {kind} geometry, polygons are required"),
    )
}

pub fn unknown_shape_type(code: i32) -> Text {
    t(
        format!("文件头中的几何类型 {code} 未知"),
        format!("unknown shape type {code} in the header"),
    )
}

pub fn missing_dbf() -> Text {
    Text::new(
        "缺少 .dbf 文件（shapefile 需要 .shp、.shx 和 .dbf）",
        "missing .dbf file (a shapefile needs .shp, .shx and .dbf)",
    )
}

pub fn no_shx() -> Text {
    Text::new(
        "没有 .shx 索引文件；已按顺序读取 .shp",
        "no .shx index file; the .shp was read in order",
    )
}

pub fn shx_unusable(why: &Text) -> Text {
    t(
        format!(".shx 文件不可用（{}），已忽略", why.zh),
        format!("the .shx file is not usable ({}); ignored", why.en),
    )
}

pub fn shx_count(entries: usize, records: usize) -> Text {
    t(
        format!(".shx 列出 {entries} 条记录，而 .shp 有 {records} 条；已按顺序读取 .shp"),
        format!(
            "the .shx lists {entries} records but the .shp has {records}; the .shp was read in order"
        ),
    )
}

pub fn shx_offset(record: usize, shx_at: i64, shp_at: u64) -> Text {
    t(
        format!(
            ".shx 记载第 {record} 条记录位于第 {shx_at} 字节，而它在 .shp 的第 {shp_at} 字节；已按顺序读取 .shp"
        ),
        format!(
            "the .shx puts record {record} at byte {shx_at} but it is at byte {shp_at} of the .shp; the .shp was read in order"
        ),
    )
}

pub fn header_length_fixed_by_shx(record: usize, header_bytes: i64, shx_bytes: u64) -> Text {
    t(
        format!(
            "第 {record} 条记录的记录头给出的长度为 {header_bytes} 字节，与 .shx 的 {shx_bytes} 字节不符；按 .shx 读取"
        ),
        format!(
            "record {record}: its header gives a length of {header_bytes} bytes, the .shx {shx_bytes}; read as the .shx says"
        ),
    )
}

pub fn trailing_bytes(n: usize) -> Text {
    t(
        format!("最后一条记录之后的 {n} 个多余字节已忽略"),
        format!("{n} trailing bytes after the last record ignored"),
    )
}

pub fn padding_bytes(n: usize) -> Text {
    t(
        format!("最后一条记录之后的 {n} 字节填充已忽略"),
        format!("{n} bytes of padding after the last record ignored"),
    )
}

pub fn rest_of_shp_unreadable(record: usize, remaining: usize) -> Text {
    t(
        format!("第 {record} 条记录起的其余 {remaining} 字节无法读取（记录头错误，且没有可用的 .shx）"),
        format!(
            "the rest of the file from record {record} ({remaining} bytes) cannot be read (bad record header and no usable .shx)"
        ),
    )
}

// ---------------------------------------------------------------------------------------------
// Unusable records (reasons; `record_warning` adds the record number)

/// "record N: reason".
pub fn record_warning(index: usize, reason: &Text) -> Text {
    t(
        format!("第 {index} 条记录：{}", reason.zh),
        format!("record {index}: {}", reason.en),
    )
}

pub fn negative_content_length() -> Text {
    Text::new(
        "记录头给出负的内容长度",
        "negative content length in the record header",
    )
}

pub fn record_cut_short(needed: u64, left: usize) -> Text {
    t(
        format!("记录不完整：需要 {needed} 字节，文件只剩 {left} 字节（文件被截断）"),
        format!("record cut short: it needs {needed} bytes, {left} are left (file truncated)"),
    )
}

pub fn content_too_short(len: usize) -> Text {
    t(
        format!("记录内容过短（{len} 字节）"),
        format!("content too short ({len} bytes)"),
    )
}

pub fn changed_while_read() -> Text {
    Text::new(
        "读取过程中文件被其他程序修改，该记录与先前读到的不一致",
        "the file was changed by another program while it was read: the record no longer reads as it did",
    )
}

pub fn null_shape() -> Text {
    Text::new("空几何（Null shape）", "null shape (no geometry)")
}

pub fn other_shape_type(kind: &str, layer: &str) -> Text {
    t(
        format!("{layer} 图层中出现 {kind} 类型的记录"),
        format!("shape type {kind} inside a {layer} layer"),
    )
}

pub fn polygon_record_too_short(len: usize) -> Text {
    t(
        format!("面记录过短（{len} 字节）"),
        format!("polygon record too short ({len} bytes)"),
    )
}

pub fn bad_part_count(n: i32) -> Text {
    t(
        format!("面的部件数为 {n}，不可能"),
        format!("polygon with {n} parts, which is impossible"),
    )
}

pub fn bad_point_count(n: i32) -> Text {
    t(
        format!("面的点数为 {n}，不可能"),
        format!("polygon with {n} points, which is impossible"),
    )
}

pub fn counts_do_not_fit(parts: usize, points: usize, needed: u64, len: usize) -> Text {
    t(
        format!("{parts} 个部件、{points} 个点需要 {needed} 字节，而记录只有 {len} 字节"),
        format!("{parts} parts and {points} points need {needed} bytes but the record has {len}"),
    )
}

pub fn first_part_not_zero(p: i32) -> Text {
    t(
        format!("第一个部件从第 {p} 个点开始，而不是 0"),
        format!("first part starts at point {p}, not 0"),
    )
}

pub fn part_not_increasing(k: usize, p: i32, points: usize) -> Text {
    t(
        format!(
            "部件 {k} 从第 {p} 个点开始，不在部件 {} 之后或不小于点数 {points}",
            k.saturating_sub(1)
        ),
        format!(
            "part {k} starts at point {p}, which is not after part {} and below {points}",
            k.saturating_sub(1)
        ),
    )
}

pub fn non_finite_vertex(point: usize, x: f64, y: f64) -> Text {
    t(
        format!("第 {point} 个顶点的坐标不是有限数（{x}, {y}）"),
        format!("vertex {point} has a non-finite coordinate ({x}, {y})"),
    )
}

pub fn ring_too_few_points(ring: usize, distinct: usize) -> Text {
    t(
        format!("环 {ring} 只有 {distinct} 个不同的点（至少需要 3 个）"),
        format!("ring {ring} has only {distinct} distinct points (a ring needs 3)"),
    )
}

pub fn deleted_in_dbf(index: usize) -> Text {
    t(
        format!("第 {index} 条记录在 .dbf 中标记为已删除，已跳过"),
        format!("record {index}: deleted in the .dbf, skipped"),
    )
}

pub fn shp_dbf_count(n_shp: usize, n_dbf: usize) -> Text {
    if n_shp > n_dbf {
        let last = n_shp.saturating_sub(1);
        t(
            format!(
                ".shp 有 {n_shp} 条记录而 .dbf 有 {n_dbf} 条；按记录号配对，第 {n_dbf} 至 {last} 条记录没有属性"
            ),
            format!(
                "the .shp has {n_shp} records but the .dbf has {n_dbf}; paired by record number, records {n_dbf} to {last} have no attributes"
            ),
        )
    } else {
        let extra = n_dbf - n_shp;
        t(
            format!(".shp 有 {n_shp} 条记录而 .dbf 有 {n_dbf} 条；按记录号配对，.dbf 最后 {extra} 条记录被忽略"),
            format!(
                "the .shp has {n_shp} records but the .dbf has {n_dbf}; paired by record number, the last {extra} .dbf records are ignored"
            ),
        )
    }
}

// ---------------------------------------------------------------------------------------------
// .dbf

pub fn cannot_read_dbf(reason: &str) -> Text {
    t(
        format!("无法读取 .dbf 文件（{reason}）"),
        format!("cannot read the .dbf file ({reason})"),
    )
}

pub fn truncated_dbf_header(len: usize, needed: usize) -> Text {
    t(
        format!("文件头被截断（{len} 字节；DBF 文件头至少 {needed} 字节）"),
        format!("truncated header ({len} bytes; a DBF header needs at least {needed})"),
    )
}

pub fn dbf_header_longer_than_file(header: usize, file: usize) -> Text {
    t(
        format!("文件头被截断（文件头声明 {header} 字节，文件只有 {file} 字节）"),
        format!("truncated header (the header says {header} bytes but the file has {file})"),
    )
}

pub fn dbase7_unsupported(version: u8) -> Text {
    t(
        format!("不支持 dBASE 7 表（版本字节 0x{version:02X}）"),
        format!("dBASE 7 tables are not supported (version byte 0x{version:02X})"),
    )
}

pub fn unusual_dbf_version(version: u8) -> Text {
    t(
        format!("DBF 版本字节 0x{version:02X} 少见；按 dBASE III 读取"),
        format!("unusual DBF version byte 0x{version:02X}; read as dBASE III"),
    )
}

/// "DBF header nonsense: …" with the detail in both languages.
pub fn dbf_nonsense(zh: String, en: String) -> Text {
    t(
        format!("DBF 文件头不合理：{zh}"),
        format!("DBF header nonsense: {en}"),
    )
}

pub fn zero_width_fields(count: usize, first: &str) -> Text {
    t(
        format!("{count} 个字段宽度为 0（第一个：{first}）；宽度为 0 的字段无法存放任何值，文件已损坏"),
        format!(
            "{count} fields of width 0 (the first: {first}); a field of width 0 cannot hold a value, the file is damaged"
        ),
    )
}

pub fn dbf_count_short(count: u64, complete: u64) -> Text {
    t(
        format!(".dbf 文件头声明 {count} 条记录，而文件只有 {complete} 条完整记录（文件被截断？）；读取 {complete} 条"),
        format!(
            "the .dbf header says {count} records but the file holds only {complete} complete records (file truncated?); reading {complete}"
        ),
    )
}

pub fn dbf_extra_records(extra: u64, count: u64) -> Text {
    t(
        format!(".dbf 在文件头记载的 {count} 条记录之后还有 {extra} 条记录，已忽略"),
        format!("the .dbf holds {extra} more records after the {count} its header counts; they are ignored"),
    )
}

pub fn dbf_field_without_name(n: usize) -> Text {
    t(
        format!(".dbf 第 {n} 个字段没有名称；命名为 FIELD{n}"),
        format!("the .dbf field {n} has no name; called FIELD{n}"),
    )
}

pub fn bad_text_values(field: &str, count: usize, encoding: &str, first: usize) -> Text {
    t(
        format!("字段 {field}：{count} 个值不是有效的 {encoding}；以替换字符显示（首个在第 {first} 条记录）"),
        format!(
            "field {field}: {count} {} not valid {encoding}; shown with replacement characters (first at record {first})",
            if count == 1 { "value is" } else { "values are" }
        ),
    )
}

pub fn cpg_empty() -> Text {
    Text::new(".cpg 文件为空，已忽略", "the .cpg file is empty; ignored")
}

pub fn cpg_unknown(label: &str) -> Text {
    t(
        format!(".cpg 文件中的代码页“{label}”未知，已忽略"),
        format!("unknown code page \"{label}\" in the .cpg file; ignored"),
    )
}

pub fn cpg_contradicted(label: &str, bad_values: usize, used: &str) -> Text {
    t(
        format!(
            ".cpg 文件声明编码为 {label}，但有 {bad_values} 个文本值不是有效的 {label}，而全部文本都是有效的 {used}；按 {used} 解码"
        ),
        format!(
            "the .cpg file says {label} but {bad_values} text values are not valid {label}, while all of them decode cleanly as {used}; decoded as {used}"
        ),
    )
}

pub fn ldid_unsupported(ldid: u8, code_page: u32) -> Text {
    t(
        format!("不支持 DBF 语言驱动 0x{ldid:02X}（代码页 {code_page}），已忽略"),
        format!(
            "DBF language driver 0x{ldid:02X} (code page {code_page}) is not supported; ignored"
        ),
    )
}

pub fn ldid_unknown(ldid: u8) -> Text {
    t(
        format!("未知的 DBF 语言驱动 0x{ldid:02X}，已忽略"),
        format!("unknown DBF language driver 0x{ldid:02X}; ignored"),
    )
}

/// How an attribute encoding was chosen, e.g. "GBK（.cpg）" / "GBK (.cpg)".
pub fn encoding_note(name: &str, how: EncodingReason) -> Text {
    let (zh, en) = match how {
        EncodingReason::Cpg => ("依据 .cpg".to_string(), ".cpg".to_string()),
        EncodingReason::CpgContradicted => (
            "字节与 .cpg 不符，按能无误解码的编码".to_string(),
            "the bytes contradict the .cpg".to_string(),
        ),
        EncodingReason::Review => ("依据 encoding_of".to_string(), "encoding_of".to_string()),
        EncodingReason::Ldid(b) => (
            format!("依据 DBF 语言驱动 0x{b:02X}"),
            format!("DBF language driver 0x{b:02X}"),
        ),
        EncodingReason::ValidUtf8 => ("内容是有效的 UTF-8".to_string(), "valid UTF-8".to_string()),
        EncodingReason::Fallback => (
            "不是有效的 UTF-8，按 GBK".to_string(),
            "fallback: not valid UTF-8".to_string(),
        ),
        EncodingReason::GeoJson => ("GeoJSON".to_string(), "GeoJSON".to_string()),
    };
    t(format!("{name}（{zh}）"), format!("{name} ({en})"))
}

/// Why an attribute encoding was chosen (see [`encoding_note`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EncodingReason {
    Cpg,
    CpgContradicted,
    Review,
    Ldid(u8),
    ValidUtf8,
    Fallback,
    GeoJson,
}

// ---------------------------------------------------------------------------------------------
// GeoJSON

pub fn geojson_not_utf8() -> Text {
    Text::new(
        "GeoJSON 必须是 UTF-8 文本（RFC 7946）",
        "GeoJSON must be UTF-8 text (RFC 7946)",
    )
}

pub fn geojson_invalid(detail: &str) -> Text {
    t(
        format!("不是有效的 GeoJSON（{detail}）"),
        format!("not valid GeoJSON ({detail})"),
    )
}

pub fn geojson_bad_crs_member() -> Text {
    Text::new(
        "不支持的 \"crs\" 成员（应为 {\"type\":\"name\",\"properties\":{\"name\":\"EPSG:…\"}}）",
        "unsupported \"crs\" member (expected {\"type\":\"name\",\"properties\":{\"name\":\"EPSG:…\"}})",
    )
}

pub fn null_geometry() -> Text {
    Text::new("几何为空（null）", "null geometry")
}

pub fn empty_geometry() -> Text {
    Text::new("几何为空（没有面）", "empty geometry (no polygon)")
}

pub fn non_polygon_geometry(kind: &str) -> Text {
    t(
        format!("{kind} 几何（要求为面）"),
        format!("{kind} geometry (polygons are required)"),
    )
}

/// "feature N: reason" (GeoJSON).
pub fn feature_warning(index: usize, reason: &Text) -> Text {
    t(
        format!("第 {index} 个要素：{}", reason.zh),
        format!("feature {index}: {}", reason.en),
    )
}

// ---------------------------------------------------------------------------------------------
// CRS of a layer

pub fn unknown_crs(what: &str, why: &str) -> Text {
    t(
        format!("无法识别的坐标系“{what}”：{why}"),
        format!("unknown CRS \"{what}\": {why}"),
    )
}

pub fn crs_of_invalid(key: &str, def: &str, why: &str) -> Text {
    t(
        format!("`crs_of.{key}` = \"{def}\"：{why}"),
        format!("`crs_of.{key}` = \"{def}\": {why}"),
    )
}

pub fn crs_overridden(key: &str, def: &str) -> Text {
    t(
        format!("文件自带的坐标系被 crs_of.{key} = {def} 覆盖"),
        format!("the file's own CRS is overridden by crs_of.{key} = {def}"),
    )
}

/// CRS note: "label (from crs_of.key)".
pub fn crs_note_crs_of(label: &str, key: &str) -> Text {
    t(
        format!("{label}（来自 crs_of.{key}）"),
        format!("{label} (from crs_of.{key})"),
    )
}

/// CRS note of a declared CRS: "label (.prj)" or "label (GeoJSON)".
pub fn crs_note_declared(label: &str, source: &str) -> Text {
    t(
        format!("{label}（来自 {source}）"),
        format!("{label} (from the {source})"),
    )
}

/// CRS note of a detected CRS (no `.prj`): what was detected and why.
pub fn crs_note_detected(label: &str, why: &Text) -> Text {
    t(
        format!("{label}（文件未声明坐标系，据坐标判断：{}）", why.zh),
        format!("{label} (detected: no CRS in the file; {})", why.en),
    )
}

/// The warning that goes with a detected CRS.
pub fn crs_detected(label: &str, why: &Text) -> Text {
    t(
        format!(
            "文件未声明坐标系（没有 .prj）；据坐标判断为 {label}：{}",
            why.zh
        ),
        format!("no CRS in the file (no .prj); detected {label}: {}", why.en),
    )
}

pub fn why_zone_prefix(zone: u32, min_x: f64, max_x: f64, min_y: f64, max_y: f64) -> Text {
    use crate::model::num::Num;
    let (min_x, max_x, min_y, max_y) = (Num(min_x), Num(max_x), Num(min_y), Num(max_y));
    t(
        format!(
            "东坐标为 8 位数（{min_x:.0}–{max_x:.0}），前两位为 3 度带带号 {zone}，北坐标 {min_y:.0}–{max_y:.0} 在中国范围内"
        ),
        format!(
            "eastings have 8 digits ({min_x:.0}–{max_x:.0}) whose first two are the 3-degree zone number {zone}, northings {min_y:.0}–{max_y:.0} lie in China"
        ),
    )
}

pub fn why_lon_lat(min_x: f64, max_x: f64, min_y: f64, max_y: f64) -> Text {
    use crate::model::num::Num;
    let (min_x, max_x, min_y, max_y) = (Num(min_x), Num(max_x), Num(min_y), Num(max_y));
    t(
        format!("坐标在中国境内的经纬度范围（经度 {min_x:.3}–{max_x:.3}，纬度 {min_y:.3}–{max_y:.3}），按 CGCS2000 经纬度"),
        format!(
            "coordinates are longitudes {min_x:.3}–{max_x:.3} and latitudes {min_y:.3}–{max_y:.3} inside China, read as CGCS2000 lon/lat"
        ),
    )
}

pub fn crs_note_working(label: &str) -> Text {
    t(
        format!("{label}（文件未声明坐标系，按审查的工作坐标系）"),
        format!("{label} (assumed: no CRS in the file, taken as the working CRS)"),
    )
}

pub fn crs_taken_as_working(label: &str) -> Text {
    t(
        format!("文件未声明坐标系；坐标按工作坐标系 {label} 处理"),
        format!("no CRS in the file; coordinates taken as the working CRS {label}"),
    )
}

pub fn no_crs_undetectable(key: &str, min_x: f64, max_x: f64, min_y: f64, max_y: f64) -> Text {
    use crate::model::num::Num;
    let (min_x, max_x, min_y, max_y) = (Num(min_x), Num(max_x), Num(min_y), Num(max_y));
    t(
        format!(
            "图层 `{key}` 没有坐标系（没有 .prj），其坐标（x {min_x:.3}–{max_x:.3}，y {min_y:.3}–{max_y:.3}）既不是中国境内的经纬度，也不是带带号的 CGCS2000 3 度带坐标；请在审查文件中设置 `crs_of.{key}` 或 `crs`"
        ),
        format!(
            "layer `{key}` has no CRS (no .prj) and its coordinates (x {min_x:.3}–{max_x:.3}, y {min_y:.3}–{max_y:.3}) are neither lon/lat inside China nor CGCS2000 3-degree zone coordinates with the zone prefix; set `crs_of.{key}` or `crs` in the review file"
        ),
    )
}

/// A layer without a CRS whose reader said why (`why`, e.g. a 国土TXT header without 带号).
pub fn no_crs_in_file(
    key: &str,
    why: &Text,
    min_x: f64,
    max_x: f64,
    min_y: f64,
    max_y: f64,
) -> Text {
    t(
        format!(
            "图层 `{key}` 没有坐标系：{}（坐标 x {min_x:.3}–{max_x:.3}，y {min_y:.3}–{max_y:.3}）",
            why.zh
        ),
        format!(
            "layer `{key}` has no CRS: {} (coordinates x {min_x:.3}–{max_x:.3}, y {min_y:.3}–{max_y:.3})",
            why.en
        ),
    )
}

pub fn no_crs_no_coordinates(key: &str) -> Text {
    t(
        format!("图层 `{key}` 没有坐标系（没有 .prj），也没有可用的坐标；请在审查文件中设置 `crs_of.{key}`"),
        format!("layer `{key}` has no CRS (no .prj) and no finite coordinates; set `crs_of.{key}` in the review file"),
    )
}

pub fn lon_lat_outside_china(key: &str, min_x: f64, max_x: f64, min_y: f64, max_y: f64) -> Text {
    use crate::model::num::Num;
    let (min_x, max_x, min_y, max_y) = (Num(min_x), Num(max_x), Num(min_y), Num(max_y));
    t(
        format!(
            "图层 `{key}` 没有坐标系（没有 .prj）；其坐标（x {min_x:.3}–{max_x:.3}，y {min_y:.3}–{max_y:.3}）虽在经纬度数值范围内，但远离 CGCS2000 的适用范围（中国），不能猜测为 EPSG:4490；请在审查文件中设置 `crs_of.{key}`"
        ),
        format!(
            "layer `{key}` has no CRS (no .prj); its coordinates (x {min_x:.3}–{max_x:.3}, y {min_y:.3}–{max_y:.3}) are in lon/lat range but far from CGCS2000's area of use (China), so EPSG:4490 is not guessed; set `crs_of.{key}` in the review file"
        ),
    )
}

/// A geographic CRS (declared in `source`) over coordinates that cannot be degrees.
pub fn geographic_out_of_range(
    label: &str,
    source: &str,
    min_x: f64,
    max_x: f64,
    min_y: f64,
    max_y: f64,
) -> Text {
    use crate::model::num::Num;
    let (min_x, max_x, min_y, max_y) = (Num(min_x), Num(max_x), Num(min_y), Num(max_y));
    t(
        format!(
            "{source} 声明的是地理坐标系 {label}（经纬度，单位为度），但坐标为 x {min_x:.3}–{max_x:.3}、y {min_y:.3}–{max_y:.3}，超出经纬度范围：{source} 与数据不符（投影坐标配了错误的 .prj？）"
        ),
        format!(
            "the {source} says the geographic CRS {label} (lon/lat in degrees) but the coordinates are x {min_x:.3}–{max_x:.3}, y {min_y:.3}–{max_y:.3}, outside lon/lat ranges: the {source} does not fit the data (projected coordinates with the wrong .prj?)"
        ),
    )
}

/// A layer whose CRS was detected is in another projected CRS than the working CRS (the
/// zones' own, or the review's `crs`): another zone, or the zone prefix against none.
pub fn crs_differs_from_working(key: &str, detected: &str, working: &str) -> Text {
    t(
        format!(
            "图层 `{key}` 的坐标（据坐标判断为 {detected}）与工作坐标系 {working}（开发区图层或审查文件的 crs）的投影带或带号前缀不同：已换算到工作坐标系，请确认图层的坐标系确实如此"
        ),
        format!(
            "layer `{key}` (detected as {detected}) disagrees with the working CRS {working} (the zones' or the review's `crs`) in zone or zone prefix: it is reprojected to the working CRS; check that the layer's CRS is right"
        ),
    )
}

// ---------------------------------------------------------------------------------------------
// 国土TXT (line numbers are 1-based, as an editor shows them)

pub fn gtxt_not_text() -> Text {
    Text::new(
        "国土TXT 既不是有效的 UTF-8 也不是有效的 GBK 文本",
        "the 国土TXT file is neither valid UTF-8 nor valid GBK text",
    )
}

pub fn gtxt_no_parcels() -> Text {
    Text::new(
        "国土TXT 中没有地块（缺少 [地块坐标] 或其中没有以 @ 结尾的地块行）",
        "no parcel in the 国土TXT file (no [地块坐标] section, or no parcel line ending in @ in it)",
    )
}

pub fn gtxt_outside_section(line: usize) -> Text {
    t(
        format!("第 {line} 行：在 [属性描述] 或 [地块坐标] 之前出现内容"),
        format!("line {line}: text before the [属性描述] or [地块坐标] section"),
    )
}

pub fn gtxt_bad_header_line(line: usize) -> Text {
    t(
        format!("第 {line} 行：[属性描述] 中的行应为“名称=值”"),
        format!("line {line}: a line of [属性描述] must be `name=value`"),
    )
}

pub fn gtxt_bad_header_value(line: usize, key: &str, value: &str) -> Text {
    t(
        format!("第 {line} 行：{key} 的值“{value}”无法识别"),
        format!("line {line}: {key} = \"{value}\" is not understood"),
    )
}

pub fn gtxt_bad_unit(line: usize, unit: &str) -> Text {
    t(
        format!("第 {line} 行：计量单位“{unit}”不受支持（坐标应以米为单位）"),
        format!(
            "line {line}: 计量单位 \"{unit}\" is not supported (coordinates must be in metres)"
        ),
    )
}

pub fn gtxt_bad_point_count(line: usize, value: &str) -> Text {
    t(
        format!("第 {line} 行：界址点数“{value}”不是整数"),
        format!("line {line}: the point count (界址点数) \"{value}\" is not a whole number"),
    )
}

pub fn gtxt_not_polygon(line: usize, kind: &str) -> Text {
    t(
        format!("第 {line} 行：地块的图形属性为“{kind}”，只能读取“面”"),
        format!(
            "line {line}: the parcel's shape type is \"{kind}\"; only 面 (polygon) can be read"
        ),
    )
}

pub fn gtxt_point_before_parcel(line: usize) -> Text {
    t(
        format!("第 {line} 行：坐标点出现在第一个地块行（以 @ 结尾）之前"),
        format!("line {line}: a point before the first parcel line (ending in @)"),
    )
}

pub fn gtxt_bad_point_line(line: usize, cells: usize) -> Text {
    t(
        format!("第 {line} 行：坐标行应为“点号,圈号,X,Y”四项，这里有 {cells} 项"),
        format!(
            "line {line}: a point line must be `点号,圈号,X,Y` (4 values), this one has {cells}"
        ),
    )
}

pub fn gtxt_bad_ring_number(line: usize, value: &str) -> Text {
    t(
        format!("第 {line} 行：圈号“{value}”不是正整数"),
        format!("line {line}: the ring number (圈号) \"{value}\" is not a positive whole number"),
    )
}

pub fn gtxt_bad_number(line: usize, axis: &str, value: &str) -> Text {
    t(
        format!("第 {line} 行：{axis} 坐标“{value}”不是有限的数"),
        format!("line {line}: the {axis} coordinate \"{value}\" is not a finite number"),
    )
}

pub fn gtxt_parcel_without_points(line: usize) -> Text {
    t(
        format!("第 {line} 行的地块没有坐标点"),
        format!("the parcel on line {line} has no points"),
    )
}

pub fn gtxt_point_count_mismatch(line: usize, declared: usize, found: usize) -> Text {
    t(
        format!("第 {line} 行的地块声明界址点数 {declared}，实际有 {found} 个坐标点（文件可能被截断或拼接）"),
        format!("the parcel on line {line} declares {declared} points (界址点数) but has {found} point lines (the file may be truncated or spliced)"),
    )
}

pub fn gtxt_ring_too_few_points(line: usize, distinct: usize) -> Text {
    t(
        format!("从第 {line} 行开始的圈只有 {distinct} 个不同的点（至少需要 3 个）"),
        format!(
            "the ring starting on line {line} has only {distinct} distinct points (a ring needs 3)"
        ),
    )
}

pub fn gtxt_ring_not_closed(line: usize) -> Text {
    t(
        format!("从第 {line} 行开始的圈没有以首点闭合，已自动闭合"),
        format!("the ring starting on line {line} does not repeat its first point; closed automatically"),
    )
}

pub fn gtxt_mixed_prefixes(line: usize, first_line: usize) -> Text {
    t(
        format!("第 {line} 行：Y 坐标的带号与第 {first_line} 行的不同（有的带带号、有的不带，或带号不同），无法确定坐标系"),
        format!("line {line}: the Y coordinate's zone number differs from line {first_line}'s (eastings with and without a zone number, or with different ones): no single CRS fits"),
    )
}

pub fn gtxt_axes_swapped(line: usize) -> Text {
    t(
        format!("第 {line} 行：Y 坐标是 7 位数，像北坐标；国土TXT 中 X 为北坐标、Y 为东坐标，X 与 Y 可能写反了"),
        format!("line {line}: the Y coordinate has 7 digits, like a northing; in 国土TXT X is the northing and Y the easting: X and Y look swapped"),
    )
}

pub fn gtxt_prefix_out_of_range(line: usize, prefix: u32) -> Text {
    t(
        format!("第 {line} 行：Y 坐标前的带号 {prefix} 不是中国范围内的 3 度带（25–45）或 6 度带（13–23）"),
        format!("line {line}: the zone number {prefix} before the Y coordinate is no 3-degree (25–45) or 6-degree (13–23) zone of China"),
    )
}

pub fn gtxt_zone_out_of_range(width: u32, zone: u32) -> Text {
    t(
        format!("[属性描述] 的带号 {zone} 不是中国范围内的 {width} 度带"),
        format!("带号 {zone} in [属性描述] is no {width}-degree zone of China"),
    )
}

fn header_summary(datum: Option<&str>, width: Option<u32>, zone: Option<u32>) -> (String, String) {
    let show = |v: Option<String>| v.unwrap_or_else(|| "—".to_string());
    let zh = format!(
        "坐标系={}，几度分带={}，带号={}",
        show(datum.map(str::to_string)),
        show(width.map(|w| w.to_string())),
        show(zone.map(|z| z.to_string()))
    );
    let en = format!(
        "坐标系={}, 几度分带={}, 带号={}",
        show(datum.map(str::to_string)),
        show(width.map(|w| w.to_string())),
        show(zone.map(|z| z.to_string()))
    );
    (zh, en)
}

/// The header lacks the CRS or contradicts the zone number before the Y coordinates.
pub fn gtxt_crs_from_coordinates(
    crs: &str,
    prefix: u32,
    datum: Option<&str>,
    width: Option<u32>,
    zone: Option<u32>,
) -> Text {
    let (zh, en) = header_summary(datum, width, zone);
    t(
        format!("[属性描述]（{zh}）缺少坐标系或与坐标不符；据 Y 坐标前的带号 {prefix} 判断为 {crs}"),
        format!("the header [属性描述] ({en}) lacks the CRS or contradicts the coordinates; {crs} taken from the zone number {prefix} before the Y coordinates"),
    )
}

/// The header gives 带号 but no 坐标系: CGCS2000 assumed.
pub fn gtxt_datum_assumed(crs: &str) -> Text {
    t(
        format!("[属性描述] 没有坐标系，按 2000国家大地坐标系 取为 {crs}"),
        format!("the header [属性描述] has no 坐标系: CGCS2000 assumed, {crs}"),
    )
}

/// Neither the header nor the coordinates give the CRS.
pub fn gtxt_no_crs(datum: Option<&str>, width: Option<u32>, zone: Option<u32>) -> Text {
    let (zh, en) = header_summary(datum, width, zone);
    t(
        format!("[属性描述]（{zh}）不足以确定坐标系，Y 坐标也不带带号；请在审查文件中用 crs_of 指定"),
        format!("the header [属性描述] ({en}) does not give the CRS and the Y coordinates carry no zone number; set it with crs_of in the review file"),
    )
}

// ---------------------------------------------------------------------------------------------
// Layers read through GDAL (io::gdal_in, the optional `gdal` feature). The caller adds the
// source (with `#layer` when a layer was named).

/// A .gdb/.dxf/.tab/.kml/… file or a `PG:` source in a build without the `gdal` feature: how to
/// get a build that reads it. `what` is ".gdb" or "PostGIS (PG:)".
pub fn gdal_feature_needed(what: &str) -> Text {
    t(
        format!("读取 {what} 需要启用 gdal 功能：cargo build --release --features gdal（需要系统的 GDAL，见 README 的“格式”一节）"),
        format!("reading {what} needs the gdal feature: cargo build --release --features gdal (with the system's GDAL, see the README's \"Formats\")"),
    )
}

pub fn gdal_gdb_not_a_directory() -> Text {
    Text::new(
        "File Geodatabase（.gdb）应为文件夹，这里却是一个文件",
        "a File Geodatabase (.gdb) is a folder, this is a file",
    )
}

pub fn gdal_cannot_open(why: &str) -> Text {
    t(
        format!("GDAL 无法打开此数据源（{why}）"),
        format!("GDAL cannot open this source ({why})"),
    )
}

pub fn gdal_several_layers(layers: &[String], source: &str) -> Text {
    let list = layers.join(", ");
    let first = layers.first().map(String::as_str).unwrap_or("LAYER");
    t(
        format!("数据源含有多个面图层：{list}；请在路径后用 # 指明其一，例如 \"{source}#{first}\""),
        format!("the source has several polygon layers: {list}; name one after # in the path, e.g. \"{source}#{first}\""),
    )
}

pub fn gdal_no_such_layer(layer: &str, layers: &[String]) -> Text {
    let list = if layers.is_empty() {
        "—".to_string()
    } else {
        layers.join(", ")
    };
    t(
        format!("数据源中没有图层 {layer}（现有：{list}）"),
        format!("the source has no layer {layer} (it has: {list})"),
    )
}

pub fn gdal_no_polygon_layer(layers: &[String]) -> Text {
    let list = if layers.is_empty() {
        "—".to_string()
    } else {
        layers.join(", ")
    };
    t(
        format!("数据源中没有面图层（现有图层：{list}）"),
        format!("the source has no polygon layer (its layers: {list})"),
    )
}

/// GDAL reported an error while the layer was read: the layer is refused (its records may not
/// all have been read).
pub fn gdal_read_failed(layer: &str, why: &str) -> Text {
    t(
        format!("GDAL 读取图层 {layer} 时报错，图层未使用（可能有记录未读出）：{why}"),
        format!("GDAL reported an error reading layer {layer}, so the layer is not used (records may be missing): {why}"),
    )
}

/// The driver's feature count and the features read disagree.
pub fn gdal_count_mismatch(layer: &str, read: usize, declared: u64) -> Text {
    t(
        format!("图层 {layer} 声明有 {declared} 个要素，实际读出 {read} 个，图层未使用"),
        format!("layer {layer} declares {declared} feature(s) but {read} were read, so the layer is not used"),
    )
}

/// A warning GDAL gave while reading (its own English text).
pub fn gdal_warning(what: &str) -> Text {
    t(
        format!("GDAL 警告：{what}"),
        format!("GDAL warning: {what}"),
    )
}

/// A geometry GDAL gave that cannot be read as polygons (a format detail in English).
pub fn gdal_bad_geometry(why: &str) -> Text {
    t(
        format!("几何数据无法读取：{why}"),
        format!("the geometry cannot be read: {why}"),
    )
}

/// Curved geometries (arcs) approximated by straight segments: `count` records, the first
/// `first`.
pub fn gdal_curves_linearized(count: usize, first: usize) -> Text {
    t(
        format!("{count} 个记录含有曲线（圆弧），已由 GDAL 以折线逼近（第一个为记录 {first}）；面积与原曲线略有差别"),
        format!("{count} record(s) have curves (arcs), approximated by GDAL with straight segments (the first is record {first}); areas differ slightly from the true curves"),
    )
}

/// The encoding note of a layer read through GDAL (which gives every text as UTF-8).
pub fn gdal_encoding(driver: &str) -> Text {
    t(
        format!("UTF-8（GDAL {driver} 驱动转换）"),
        format!("UTF-8 (converted by GDAL's {driver} driver)"),
    )
}
