//! Messages of the load area (see the module above): geometry repair notes, why a record was
//! dropped, the zones layer's bad records, and the `input.*` findings.

use super::Text;

// ---- Repair notes (a feature kept, something fixed) ---------------------------------------

pub fn unclosed_ring_closed() -> Text {
    Text::new("未闭合的环已闭合", "unclosed ring closed")
}

pub fn duplicate_vertices_removed() -> Text {
    Text::new("已删除重复节点", "duplicate vertices removed")
}

pub fn short_ring_dropped() -> Text {
    Text::new(
        "不足 4 个点的环已删除",
        "ring with fewer than 4 points dropped",
    )
}

pub fn hole_outside_shell_dropped() -> Text {
    Text::new("位于外环之外的内环已删除", "hole outside its shell dropped")
}

pub fn self_intersection_repaired() -> Text {
    Text::new("自相交或尖刺已修复", "self-intersection or spike repaired")
}

pub fn invalid_polygon_repaired(detail: &str) -> Text {
    Text::new(
        format!("无效多边形已修复（{detail}）"),
        format!("invalid polygon repaired ({detail})"),
    )
}

pub fn overlapping_parts_merged() -> Text {
    Text::new("相互重叠的部分已合并", "overlapping parts merged")
}

pub fn parts_sharing_edges_joined() -> Text {
    Text::new(
        "共用边界的相邻部分已合为一体（面积不变）",
        "parts sharing an edge joined (area unchanged)",
    )
}

// ---- Why a feature was dropped --------------------------------------------------------------

pub fn non_finite_coordinate() -> Text {
    Text::new(
        "坐标非有限数（NaN 或 Inf，或投影转换失败），要素无法使用",
        "non-finite coordinate (NaN or Inf, or a failed reprojection), feature dropped",
    )
}

pub fn degenerate_unhandled() -> Text {
    Text::new(
        "几何退化，有效性检查无法处理（如次正规数坐标），要素无法使用",
        "degenerate geometry the validity check cannot handle (e.g. subnormal coordinates), feature dropped",
    )
}

pub fn repair_failed(detail: &str) -> Text {
    Text::new(
        format!("几何无法修复（{detail}），要素无法使用"),
        format!("geometry could not be repaired ({detail}), feature dropped"),
    )
}

pub fn no_area_left() -> Text {
    Text::new(
        "修复后面积为零（几何退化），要素无法使用",
        "no area left after repair (degenerate geometry), feature dropped",
    )
}

/// A note or reason about one record: "record 3: …".
pub fn record_note(index: usize, note: &Text) -> Text {
    Text::new(
        format!("记录 {index}：{}", note.zh),
        format!("record {index}: {}", note.en),
    )
}

// ---- The zones layer ------------------------------------------------------------------------

/// A zones record that cannot be used: bad input (exit 2). `more`: further such records.
pub fn zones_record_unusable(
    index: Option<usize>,
    id: Option<&str>,
    reason: &Text,
    more: usize,
) -> Text {
    let (rec_zh, rec_en) = match index {
        Some(i) => (
            format!("记录 {i}（FID {i}）"),
            format!("record {i} (FID {i})"),
        ),
        None => ("一条记录".to_string(), "a record".to_string()),
    };
    let (id_zh, id_en) = match id {
        Some(id) => (format!("，开发区编号 {id}"), format!(", zone id {id}")),
        None => (String::new(), String::new()),
    };
    let (more_zh, more_en) = if more > 0 {
        (
            format!("；另有 {more} 条记录同样无法使用"),
            format!("; {more} more record(s) likewise"),
        )
    } else {
        (String::new(), String::new())
    };
    Text::new(
        format!(
            "整合后开发区图层的{rec_zh}{id_zh}无法使用：{}{more_zh}；方案的每项统计都依赖每个开发区，请修正该记录",
            reason.zh
        ),
        format!(
            "zones layer {rec_en}{id_en} cannot be used: {}{more_en}; every plan-level count depends on every zone, fix the record",
            reason.en
        ),
    )
}

/// The zones layer has no polygon record at all.
pub fn zones_layer_empty() -> Text {
    Text::new(
        "整合后开发区图层没有面要素",
        "zones layer has no polygon features",
    )
}

pub fn zones_layer_empty_after_repair() -> Text {
    Text::new(
        "整合后开发区图层没有可用的面要素",
        "zones layer has no usable polygon features",
    )
}

// ---- Findings about the input ---------------------------------------------------------------

/// `input.incomplete`: `count` features of layer `layer` (role names `role_zh`/`role_en`) in
/// `file` were not used; `examples` are the first few "record N: reason" lines.
pub fn input_incomplete(
    layer: &str,
    role: (&str, &str),
    file: &str,
    count: usize,
    examples: &[(Option<usize>, Text)],
    more: usize,
) -> Text {
    let list = |zh: bool| -> String {
        let mut parts: Vec<String> = examples
            .iter()
            .map(|(index, reason)| match (index, zh) {
                (Some(i), true) => format!("记录 {i}：{}", reason.zh),
                (Some(i), false) => format!("record {i}: {}", reason.en),
                (None, true) => reason.zh.clone(),
                (None, false) => reason.en.clone(),
            })
            .collect();
        if more > 0 {
            parts.push(if zh {
                format!("另 {more} 条")
            } else {
                format!("{more} more")
            });
        }
        parts.join(if zh { "；" } else { "; " })
    };
    Text::new(
        format!(
            "检查不完整：图层 {layer}（{}）的文件 {file} 中有 {count} 个要素未能使用，这些要素与开发区的冲突未被检查（{}）",
            role.0,
            list(true)
        ),
        format!(
            "check incomplete: {count} feature(s) of layer {layer} ({}) in {file} could not be used, so their conflicts with the zones were not checked ({})",
            role.1,
            list(false)
        ),
    )
}

/// `input.incomplete` for a layer that could not be loaded at all (the app).
pub fn layer_not_loaded(layer: &str, role: (&str, &str), file: &str, reason: &Text) -> Text {
    Text::new(
        format!(
            "检查不完整：图层 {layer}（{}）的文件 {file} 未能加载，未对其进行检查：{}",
            role.0, reason.zh
        ),
        format!(
            "check incomplete: layer {layer} ({}) could not be loaded from {file} and was not checked: {}",
            role.1, reason.en
        ),
    )
}

fn fmt_box(b: &[f64; 4]) -> String {
    use crate::model::num::Num;
    format!(
        "[{:.6}, {:.6}] – [{:.6}, {:.6}]",
        Num(b[0]),
        Num(b[1]),
        Num(b[2]),
        Num(b[3])
    )
}

/// What an `input.coverage` finding says: a protection layer nowhere near the zones.
pub struct Coverage<'a> {
    pub layer: &'a str,
    /// The role's names (Chinese, English).
    pub role: (&'a str, &'a str),
    pub file: &'a str,
    /// The layer's box in the working CRS, `[min x, min y, max x, max y]`.
    pub layer_box: [f64; 4],
    /// The same in the layer's own CRS.
    pub layer_box_own: Option<[f64; 4]>,
    pub own_crs: &'a Text,
    pub zones_box: [f64; 4],
    pub working_crs: &'a str,
    pub margin_m: f64,
    /// A barriers layer (roads, rivers, railways): it bridges gaps rather than conflicting.
    pub barrier: bool,
}

/// `input.coverage`: a protection layer nowhere near the zones.
pub fn input_coverage(c: &Coverage) -> Text {
    let own = c
        .layer_box_own
        .as_ref()
        .map(fmt_box)
        .unwrap_or_else(|| "-".into());
    let (layer, file, margin_m) = (c.layer, c.file, crate::model::num::Num(c.margin_m));
    let (working_crs, own_crs) = (c.working_crs, c.own_crs);
    let (what_zh, what_en) = if c.barrier {
        (
            "无法弥合分片区间距",
            "it cannot bridge the gaps between a zone's parts",
        )
    } else {
        ("其冲突无法检查", "its conflicts cannot be checked")
    };
    Text::new(
        format!(
            "坐标系错误？图层 {layer}（{}）的文件 {file} 的全部要素都远离开发区（距开发区范围超过 {margin_m:.0} 米），{what_zh}。图层范围：工作坐标系 {working_crs} 下 {}，图层自身坐标系 {} 下 {own}；开发区范围：{}",
            c.role.0,
            fmt_box(&c.layer_box),
            own_crs.zh,
            fmt_box(&c.zones_box)
        ),
        format!(
            "wrong CRS? every feature of layer {layer} ({}) in {file} lies nowhere near the zones (more than {margin_m:.0} m from the zones' extent), so {what_en}. Layer extent: {} in the working CRS {working_crs}, {own} in the layer's own CRS {}; zones' extent: {}",
            c.role.1,
            fmt_box(&c.layer_box),
            own_crs.en,
            fmt_box(&c.zones_box)
        ),
    )
}

/// `zone.invalid_geometry`: a zone's own boundary was invalid and checked repaired.
pub fn zone_invalid_geometry(zone: &str, records: &[(usize, Vec<Text>)]) -> Text {
    let list = |zh: bool| -> String {
        records
            .iter()
            .map(|(i, notes)| {
                let what: Vec<&str> = notes
                    .iter()
                    .map(|n| if zh { n.zh.as_str() } else { n.en.as_str() })
                    .collect();
                if zh {
                    format!("记录 {i}：{}", what.join("、"))
                } else {
                    format!("record {i}: {}", what.join(", "))
                }
            })
            .collect::<Vec<_>>()
            .join(if zh { "；" } else { "; " })
    };
    Text::new(
        format!(
            "开发区 {zone} 的边界本身无效，已按修复后的几何检查（{}）；方案须提交有效的边界",
            list(true)
        ),
        format!(
            "zone {zone}'s own boundary is invalid and was checked on its repaired geometry ({}); the plan must submit a valid boundary",
            list(false)
        ),
    )
}

// ---------------------------------------------------------------------------------------------
// Reviews without a layer's essentials, and layer settings edited in the app

pub fn review_has_no_zones() -> Text {
    Text::new(
        "审查文件没有开发区图层（[layers] zones = …）",
        "the review has no zones layer ([layers] zones = …)",
    )
}

pub fn layer_has_no_crs(key: &str) -> Text {
    Text::new(
        format!("图层 {key} 没有坐标系"),
        format!("layer {key} has no CRS"),
    )
}

pub fn no_such_layer(key: &str) -> Text {
    Text::new(
        format!("审查中没有图层 `{key}`"),
        format!("no layer `{key}` in the review"),
    )
}

pub fn extra_layer_needs_name() -> Text {
    Text::new(
        "其他保护图层需要一个名称",
        "an extra protection layer needs a name",
    )
}

pub fn name_is_fixed_key(name: &str) -> Text {
    Text::new(
        format!("`{name}` 是固定图层角色的键名，不能用作其他图层的名称"),
        format!("`{name}` is the key of a fixed layer role"),
    )
}

pub fn unknown_encoding(key: &str, label: &str) -> Text {
    Text::new(
        format!("`encoding_of.{key}`：未知的文字编码 \"{label}\""),
        format!("`encoding_of.{key}`: unknown text encoding \"{label}\""),
    )
}
