//! Messages of the GeoPackage reader and writer (io::gpkg). The caller adds the file (with
//! `#table` when a table was named).

use super::Text;

fn t(zh: String, en: String) -> Text {
    Text::new(zh, en)
}

pub fn cannot_open(why: &str) -> Text {
    t(
        format!("无法作为 GeoPackage（SQLite）打开（{why}）"),
        format!("cannot open as a GeoPackage (SQLite) ({why})"),
    )
}

pub fn not_a_geopackage(why: &str) -> Text {
    t(
        format!("不是有效的 GeoPackage：{why}"),
        format!("not a valid GeoPackage: {why}"),
    )
}

pub fn no_feature_tables() -> Text {
    Text::new(
        "GeoPackage 中没有要素表（gpkg_contents 中无 data_type = 'features' 的表）",
        "the GeoPackage has no feature table (no data_type = 'features' in gpkg_contents)",
    )
}

pub fn several_tables(tables: &[String]) -> Text {
    let list = tables.join(", ");
    let first = tables.first().map(String::as_str).unwrap_or("TABLE");
    t(
        format!("GeoPackage 含有多个要素表：{list}；请在路径后用 # 指明其一，例如 \"文件.gpkg#{first}\""),
        format!("the GeoPackage has several feature tables: {list}; name one after # in the path, e.g. \"file.gpkg#{first}\""),
    )
}

pub fn no_such_table(table: &str, tables: &[String]) -> Text {
    let list = if tables.is_empty() {
        "—".to_string()
    } else {
        tables.join(", ")
    };
    t(
        format!("GeoPackage 中没有要素表 {table}（现有：{list}）"),
        format!("the GeoPackage has no feature table {table} (it has: {list})"),
    )
}

pub fn query_failed(table: &str, why: &str) -> Text {
    t(
        format!("读取要素表 {table} 失败（{why}）"),
        format!("reading feature table {table} failed ({why})"),
    )
}

pub fn no_srs(srs_id: i64) -> Text {
    t(
        format!("gpkg_spatial_ref_sys 中没有 srs_id = {srs_id}"),
        format!("gpkg_spatial_ref_sys has no srs_id = {srs_id}"),
    )
}

/// A geometry blob that cannot be read, naming the table and the feature's fid.
pub fn bad_blob(table: &str, fid: i64, why: &str) -> Text {
    t(
        format!("要素表 {table} 中 fid {fid} 的几何数据无法读取：{why}"),
        format!("the geometry blob of fid {fid} in table {table} cannot be read: {why}"),
    )
}
