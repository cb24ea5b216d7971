//! The occupied patches of every zone, one row per (zone, protection layer, patch): the table
//! behind `occupied_patches.csv` and the workbook's 占用图斑 sheet, with the patch fields of
//! `[fields] patch` ([`crate::model::fields::patch_fields`]).

use super::csv::csv_field;
use super::ReportInput;
use crate::analysis::zone::layer_label;

/// One occupied patch of one zone.
pub struct PatchRow<'a> {
    pub zone_id: &'a str,
    pub zone_name: &'a str,
    /// The layer's key in the review file.
    pub layer: &'a str,
    /// The layer as the reports name it (保护图层 label, an extra layer by its key).
    pub layer_zh: String,
    pub patch_id: &'a str,
    pub class: Option<&'a str>,
    /// Slivers only, not counted as conflict.
    pub sliver: bool,
    /// The patch fields, as carried by the analysis (name, value).
    pub fields: &'a [(String, Option<String>)],
    pub area_m2: f64,
    /// The occupied part on the CGCS2000 ellipsoid (`None`: could not be computed).
    pub area_ellipsoid_m2: Option<f64>,
}

impl PatchRow<'_> {
    /// The value of the patch field at position `k` (from [`crate::model::FieldPositions`]);
    /// `None` for no position or an empty value.
    pub fn value_at(&self, k: Option<usize>) -> Option<&str> {
        k.and_then(|k| self.fields.get(k))
            .and_then(|(_, v)| v.as_deref())
    }
}

/// The rows, zone by zone, each zone's protection layers in review order (as `conflicts`),
/// each layer's patches by id; and the patch field names of every row, in order of first
/// appearance (one column each).
pub fn patch_rows<'a>(input: &ReportInput<'a>) -> (Vec<String>, Vec<PatchRow<'a>>) {
    let mut rows = Vec::new();
    for z in &input.analysis.zones {
        for (layer, c) in &z.conflicts {
            let layer_zh = input
                .dataset
                .layers
                .iter()
                .find(|l| &l.name == layer)
                .map(|l| layer_label(l).0)
                .unwrap_or_else(|| layer.clone());
            for f in &c.features {
                rows.push(PatchRow {
                    zone_id: &z.id,
                    zone_name: z.name.as_deref().unwrap_or(""),
                    layer,
                    layer_zh: layer_zh.clone(),
                    patch_id: &f.id,
                    class: f.class.as_deref(),
                    sliver: f.sliver,
                    fields: &f.fields,
                    area_m2: f.area_m2,
                    area_ellipsoid_m2: f.area_ellipsoid_m2,
                });
            }
        }
    }
    let names = crate::model::union_field_names(rows.iter().map(|r| r.fields));
    (names, rows)
}

/// `occupied_patches.csv`, UTF-8 with a BOM: 开发区编号, 开发区名称, 图层 (key), 保护图层,
/// 图斑编号, 类别, one column per patch field, 占用面积（m²）and（亩）to 2 and 4 decimals, the
/// same on the CGCS2000 ellipsoid (占用椭球面积, empty when it could not be computed), 碎片 (是:
/// slivers only, not counted as conflict).
pub fn occupied_patches_csv(input: &ReportInput) -> String {
    let (names, rows) = patch_rows(input);
    let mut out = String::from("\u{feff}");
    let mut header: Vec<String> = [
        "开发区编号",
        "开发区名称",
        "图层",
        "保护图层",
        "图斑编号",
        "类别",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    header.extend(names.iter().map(|n| csv_field(n)));
    header.extend(
        [
            "占用面积（m²）",
            "占用面积（亩）",
            "占用椭球面积（m²）",
            "占用椭球面积（亩）",
            "碎片",
        ]
        .map(str::to_string),
    );
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    let mut positions = crate::model::FieldPositions::default();
    for r in &rows {
        let mut cells = vec![
            csv_field(r.zone_id),
            csv_field(r.zone_name),
            csv_field(r.layer),
            csv_field(&r.layer_zh),
            csv_field(r.patch_id),
            csv_field(r.class.unwrap_or("")),
        ];
        cells.extend(
            positions
                .of(r.fields, &names)
                .iter()
                .map(|&k| csv_field(r.value_at(k).unwrap_or(""))),
        );
        cells.push(crate::model::num::fixed(r.area_m2, 2));
        cells.push(crate::model::num::fixed(
            crate::model::mu_from_m2(r.area_m2),
            4,
        ));
        match r.area_ellipsoid_m2 {
            Some(e) => {
                cells.push(crate::model::num::fixed(e, 2));
                cells.push(crate::model::num::fixed(crate::model::mu_from_m2(e), 4));
            }
            None => cells.extend([String::new(), String::new()]),
        }
        cells.push(if r.sliver { "是" } else { "否" }.to_string());
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}
