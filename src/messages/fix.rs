//! Messages of `zonecheck fix`.

use super::Text;
use std::path::Path;

pub fn no_zones_layer() -> Text {
    Text::new(
        "审查文件没有整合后开发区图层（layers.zones），无可修复",
        "the review has no merged-zones layer (layers.zones): nothing to fix",
    )
}

pub fn no_such_zone(id: &str) -> Text {
    Text::new(
        format!("--zones 中的开发区 {id} 不在整合后开发区图层中"),
        format!("zone {id} given in --zones is not in the merged-zones layer"),
    )
}

pub fn not_gbk(field: &str, value: &str) -> Text {
    Text::new(
        format!("字段 {field} 的值“{value}”含 GBK 无法表示的字符：请用 --encoding utf-8 保存"),
        format!("the value \"{value}\" of field {field} has characters GBK cannot hold: save with --encoding utf-8"),
    )
}

pub fn cannot_write(path: &Path, e: &std::io::Error) -> Text {
    Text::new(
        format!("无法写入 {}：{e}", path.display()),
        format!("cannot write {}: {e}", path.display()),
    )
}

pub fn nothing_chosen() -> Text {
    Text::new(
        "未选择修复内容：请给出 --cut-protected、--close-gaps 或 --drop-fragments",
        "no fix chosen: give --cut-protected, --close-gaps or --drop-fragments",
    )
}

pub fn no_id_field() -> Text {
    Text::new(
        "整合后开发区图层没有编号或名称字段，无法写入新开发区",
        "the merged-zones layer has no id or name field to write the new zone in",
    )
}

pub fn zone_id_taken(id: &str) -> Text {
    Text::new(
        format!("开发区编号“{id}”为空或已被使用"),
        format!("zone id \"{id}\" is empty or already used"),
    )
}

pub fn no_members() -> Text {
    Text::new("未选择原开发区", "no original zone chosen")
}

pub fn no_such_original(id: &str) -> Text {
    Text::new(
        format!("原开发区图层中没有 {id}"),
        format!("the original-zones layer has no {id}"),
    )
}

pub fn geojson_needs_epsg(crs: &str) -> Text {
    Text::new(
        format!("工作坐标系 {crs} 没有 EPSG 编号，GeoJSON 无法标明坐标系：请保存为 Shapefile"),
        format!("the working CRS {crs} has no EPSG code for GeoJSON to name: save as a shapefile"),
    )
}

pub fn cut_may_be_incomplete(layer: &str, records: usize) -> Text {
    Text::new(
        format!("图层 {layer} 有 {records} 条记录无法使用：扣除可能遗漏其中的保护用地，检查修改后的方案时将报告输入不完整"),
        format!("layer {layer} has {records} record(s) that could not be used: the cut may have missed protected land there, and a check of the fixed plan reports the input as incomplete"),
    )
}
