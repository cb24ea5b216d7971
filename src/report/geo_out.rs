//! Conflict polygons for GIS: conflicts.geojson (lon/lat, RFC 7946) and conflicts.shp
//! (working CRS, with .prj and .cpg), and conflicts.gpkg (the same layer as a GeoPackage).

use super::ReportInput;
use crate::crs::{CrsDef, Reprojector};
use crate::io::atomic::Durability;
use crate::io::geojson_in::RFC7946_CRS;
use crate::io::shp_write::{write_polygon_shapefile_with, FieldKind, FieldSpec, OutEncoding};
use crate::model::Geom;
use geo::{Coord, Orient};
use serde_json::json;
use std::path::Path;

/// One row of the conflict outputs.
struct Row<'a> {
    zone_id: &'a str,
    zone_name: &'a str,
    layer: &'a str,
    feature_id: &'a str,
    class: &'a str,
    area_m2: f64,
    /// The same on the CGCS2000 ellipsoid (`None`: could not be computed).
    area_ellipsoid_m2: Option<f64>,
    /// Slivers only, not counted as conflict (see `FeatureOverlap::sliver`).
    sliver: bool,
    /// The patch fields (`FeatureOverlap::fields`).
    fields: &'a [(String, Option<String>)],
    geometry: &'a Geom,
    /// The reviewer's decision on this zone's conflict finding for the layer.
    status: &'static str,
    comment: String,
}

fn rows<'a>(input: &'a ReportInput) -> Vec<Row<'a>> {
    let resolved = input.resolved();
    let mut out = Vec::new();
    for (zi, z) in input.analysis.zones.iter().enumerate() {
        for (layer, c) in &z.conflicts {
            let rule = Some(crate::analysis::Rule::Conflict.of_layer(layer));
            let a = z
                .findings
                .iter()
                .position(|f| f.rule_id() == rule)
                .and_then(|i| resolved.get(zi, i));
            let d = a.map(|a| &a.decision);
            // A decision whose evidence changed says so first.
            let changed = a.filter(|a| a.evidence_changed).map(|_| {
                format!(
                    "[{}] ",
                    crate::messages::decisions::evidence_changed_short().zh
                )
            });
            for f in &c.features {
                out.push(Row {
                    zone_id: &z.id,
                    zone_name: z.name.as_deref().unwrap_or(""),
                    layer,
                    feature_id: &f.id,
                    class: f.class.as_deref().unwrap_or(""),
                    area_m2: f.area_m2,
                    area_ellipsoid_m2: f.area_ellipsoid_m2,
                    sliver: f.sliver,
                    fields: &f.fields,
                    geometry: &f.geometry,
                    status: d.map_or("", |d| d.status.id()),
                    comment: d
                        .map(|d| {
                            let text = match (d.reason.trim(), d.comment.trim()) {
                                ("", c) => c.to_string(),
                                (r, "") => r.to_string(),
                                (r, c) => format!("{r}; {c}"),
                            };
                            format!("{}{text}", changed.clone().unwrap_or_default())
                        })
                        .unwrap_or_default(),
                });
            }
        }
    }
    out
}

/// Lon/lat CRS for the GeoJSON output. For a CGCS2000 working CRS (EPSG:4491–4554) that is
/// CGCS2000 lon/lat (EPSG:4490): PROJ treats CGCS2000 and WGS 84 as the same datum (a null
/// "ballpark" shift), so the numbers equal RFC 7946's WGS 84, and the transformation is a plain
/// inverse projection that PROJ builds in 1 ms instead of an 80 ms datum search.
pub fn lonlat_crs_for(working: &CrsDef) -> &'static str {
    match working.epsg {
        Some(4491..=4554) => "EPSG:4490",
        _ => RFC7946_CRS,
    }
}

fn round9(v: f64) -> f64 {
    (v * 1e9).round() / 1e9
}

/// Appends a number as serde_json writes it (shortest round-trip text; `null` if not finite).
fn push_num(out: &mut String, v: f64) {
    if v.is_finite() {
        out.push_str(zmij::Buffer::new().format_finite(crate::model::num::clean(v)));
    } else {
        out.push_str("null");
    }
}

/// Appends one ring as a JSON array of `[lon,lat]`, rounded to 1e-9 degree.
fn push_ring(out: &mut String, ring: &geo::LineString<f64>, to_ll: &Reprojector) {
    let mut coords: Vec<Coord<f64>> = ring.0.clone();
    to_ll.transform(&mut coords);
    out.push('[');
    for (k, c) in coords.iter().enumerate() {
        if k > 0 {
            out.push(',');
        }
        out.push('[');
        push_num(out, round9(c.x));
        out.push(',');
        push_num(out, round9(c.y));
        out.push(']');
    }
    out.push(']');
}

/// One feature of conflicts.geojson, as compact JSON text.
fn feature_json(r: &Row, to_ll: &Reprojector) -> Result<String, String> {
    let properties = json!({
        "zone_id": r.zone_id,
        "zone_name": r.zone_name,
        "layer": r.layer,
        "feature_id": r.feature_id,
        "class": r.class,
        "area_m2": (r.area_m2 * 1000.0).round() / 1000.0,
        "area_mu": (crate::model::mu_from_m2(r.area_m2) * 10000.0).round() / 10000.0,
        "area_ha": (r.area_m2 / 10.0).round() / 1000.0,
        "area_ellipsoid_m2": r.area_ellipsoid_m2.map(|a| (a * 1000.0).round() / 1000.0),
        "area_ellipsoid_mu": r
            .area_ellipsoid_m2
            .map(|a| (crate::model::mu_from_m2(a) * 10000.0).round() / 10000.0),
        "area_ellipsoid_ha": r.area_ellipsoid_m2.map(|a| (a / 10.0).round() / 1000.0),
        "sliver": r.sliver,
        "review_status": r.status,
        "review_comment": r.comment,
    });
    let mut properties = properties;
    if !r.fields.is_empty() {
        let fields: serde_json::Map<String, serde_json::Value> = r
            .fields
            .iter()
            .map(|(n, v)| (n.clone(), json!(v)))
            .collect();
        properties["fields"] = serde_json::Value::Object(fields);
    }
    crate::model::num::clean_json(&mut properties);
    let mut out = String::from("{\"type\":\"Feature\",\"properties\":");
    out.push_str(&serde_json::to_string(&properties).map_err(|e| e.to_string())?);
    out.push_str(",\"geometry\":{\"type\":\"MultiPolygon\",\"coordinates\":[");
    for (k, p) in r.geometry.0.iter().enumerate() {
        if k > 0 {
            out.push(',');
        }
        let p = p.orient(geo::orient::Direction::Default);
        out.push('[');
        push_ring(&mut out, p.exterior(), to_ll);
        for h in p.interiors() {
            out.push(',');
            push_ring(&mut out, h, to_ll);
        }
        out.push(']');
    }
    out.push_str("]}}");
    Ok(out)
}

/// Fails when the working CRS has no transformation to longitude and latitude (checked once,
/// before [`write_conflicts_geojson`]).
pub fn conflicts_geojson_possible(input: &ReportInput) -> Result<(), String> {
    let working = &input.dataset.working_crs;
    let lonlat = CrsDef::parse(lonlat_crs_for(working))?;
    Reprojector::new(working, &lonlat).map(|_| ())
}

/// Writes conflicts.geojson into `out` as it is made: runs of features rendered in parallel,
/// each written in order before the next is made (a province's file is ~20 MB of text, held
/// whole three times over when joined).
pub fn write_conflicts_geojson(
    input: &ReportInput,
    out: &mut impl std::io::Write,
) -> std::io::Result<()> {
    use rayon::prelude::*;
    /// Features rendered at once.
    const RUN: usize = 4096;
    let working = &input.dataset.working_crs;
    let lonlat = CrsDef::parse(lonlat_crs_for(working)).map_err(std::io::Error::other)?;
    let rows = rows(input);
    out.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[")?;
    for (r, run) in rows.chunks(RUN).enumerate() {
        let features: Vec<String> = run
            .par_iter()
            .map_init(
                || Reprojector::new(working, &lonlat),
                |to_ll, r| match to_ll {
                    Ok(to_ll) => feature_json(r, to_ll),
                    Err(e) => Err(e.clone()),
                },
            )
            .collect::<Result<_, _>>()
            .map_err(std::io::Error::other)?;
        for (k, f) in features.iter().enumerate() {
            if r > 0 || k > 0 {
                out.write_all(b",")?;
            }
            out.write_all(f.as_bytes())?;
        }
    }
    out.write_all(b"]}\n")
}

/// The patch field names of `rows`, in order of first appearance (compared case-insensitively,
/// as fields are matched).
fn patch_names(rows: &[Row]) -> Vec<String> {
    crate::model::union_field_names(rows.iter().map(|r| r.fields))
}

/// The columns of conflicts.shp and conflicts.gpkg: the fixed ones, then one text column per
/// patch field of `patch` (`[fields] patch`), every name as the .dbf will have it (cut to 10
/// bytes, a repeat made unique with `_1`, …).
fn conflict_fields(patch: &[String]) -> Vec<FieldSpec> {
    let mut fields = fixed_conflict_fields();
    fields.extend(patch.iter().map(|n| FieldSpec {
        name: n.clone(),
        kind: FieldKind::Text(100),
    }));
    let names: Vec<String> = fields.iter().map(|f| f.name.clone()).collect();
    for (f, name) in fields.iter_mut().zip(crate::io::shp_write::dbf_field_names(
        &names,
        OutEncoding::Utf8,
    )) {
        f.name = name;
    }
    fields
}

/// The fixed columns of conflicts.shp and conflicts.gpkg.
fn fixed_conflict_fields() -> Vec<FieldSpec> {
    vec![
        FieldSpec {
            name: "ZONE_ID".into(),
            kind: FieldKind::Text(40),
        },
        FieldSpec {
            name: "ZONE_NAME".into(),
            kind: FieldKind::Text(120),
        },
        FieldSpec {
            name: "LAYER".into(),
            kind: FieldKind::Text(60),
        },
        FieldSpec {
            name: "FEAT_ID".into(),
            kind: FieldKind::Text(60),
        },
        FieldSpec {
            name: "CLASS".into(),
            kind: FieldKind::Text(40),
        },
        FieldSpec {
            name: "AREA_M2".into(),
            kind: FieldKind::Number {
                width: 18,
                decimals: 3,
            },
        },
        FieldSpec {
            name: "AREA_MU".into(),
            kind: FieldKind::Number {
                width: 18,
                decimals: 4,
            },
        },
        // The planar area in 公顷 and the area on the CGCS2000 ellipsoid (m², 亩, 公顷).
        FieldSpec {
            name: "AREA_HA".into(),
            kind: FieldKind::Number {
                width: 18,
                decimals: 4,
            },
        },
        FieldSpec {
            name: "ELL_M2".into(),
            kind: FieldKind::Number {
                width: 18,
                decimals: 3,
            },
        },
        FieldSpec {
            name: "ELL_MU".into(),
            kind: FieldKind::Number {
                width: 18,
                decimals: 4,
            },
        },
        FieldSpec {
            name: "ELL_HA".into(),
            kind: FieldKind::Number {
                width: 18,
                decimals: 4,
            },
        },
        FieldSpec {
            name: "SLIVER".into(),
            kind: FieldKind::Text(1),
        },
        FieldSpec {
            name: "STATUS".into(),
            kind: FieldKind::Text(12),
        },
        FieldSpec {
            name: "COMMENT".into(),
            kind: FieldKind::Text(254),
        },
    ]
}

/// A conflict polygon and its column values.
type ConflictFeature<'a> = (&'a Geom, Vec<Option<String>>);

/// The conflict layer of conflicts.shp and conflicts.gpkg: its columns and features, made once
/// for both by whichever writer starts first.
pub type ConflictLayer<'a> = std::sync::OnceLock<(Vec<FieldSpec>, Vec<ConflictFeature<'a>>)>;

/// The conflict rows as features with one text value per [`conflict_fields`] column, and
/// those columns.
fn conflict_features<'a>(input: &'a ReportInput) -> (Vec<FieldSpec>, Vec<ConflictFeature<'a>>) {
    let rows = rows(input);
    let patch = patch_names(&rows);
    let fields = conflict_fields(&patch);
    // As conflicts.geojson's `sliver`: slivers only, not counted as conflict.
    let mut positions = crate::model::FieldPositions::default();
    let features = rows
        .into_iter()
        .map(|r| {
            let mut values = vec![
                Some(r.zone_id.to_string()),
                Some(r.zone_name.to_string()),
                Some(r.layer.to_string()),
                Some(r.feature_id.to_string()),
                (!r.class.is_empty()).then(|| r.class.to_string()),
                Some(crate::model::num::fixed(r.area_m2, 3)),
                Some(crate::model::num::fixed(
                    crate::model::mu_from_m2(r.area_m2),
                    4,
                )),
                Some(crate::model::num::fixed(
                    crate::spatial::ellipsoid::ha_from_m2(r.area_m2),
                    4,
                )),
                r.area_ellipsoid_m2.map(|a| crate::model::num::fixed(a, 3)),
                r.area_ellipsoid_m2
                    .map(|a| crate::model::num::fixed(crate::model::mu_from_m2(a), 4)),
                r.area_ellipsoid_m2
                    .map(|a| crate::model::num::fixed(crate::spatial::ellipsoid::ha_from_m2(a), 4)),
                Some(if r.sliver { "T" } else { "F" }.to_string()),
                (!r.status.is_empty()).then(|| r.status.to_string()),
                (!r.comment.is_empty()).then(|| r.comment.clone()),
            ];
            let at = positions.of(r.fields, &patch);
            values.extend(
                at.iter()
                    .map(|k| k.and_then(|k| r.fields.get(k)).and_then(|(_, v)| v.clone())),
            );
            (r.geometry, values)
        })
        .collect();
    (fields, features)
}

/// Writes conflicts.shp (+ .shx, .dbf, .prj, .cpg) in the working CRS.
pub fn conflicts_shapefile<'a>(
    path: &Path,
    input: &'a ReportInput,
    layer: &ConflictLayer<'a>,
) -> Result<(), String> {
    let (fields, features) = layer.get_or_init(|| conflict_features(input));
    let prj = input.dataset.working_crs.esri_wkt();
    // In the report's folder, flushed with the whole set (`super::write_set`).
    write_polygon_shapefile_with(
        path,
        fields,
        features,
        prj.as_deref(),
        OutEncoding::Utf8,
        Durability::CallerSyncs,
    )
    .map_err(|e| format!("cannot write shapefile ({e}): {}", path.display()))
}

/// Writes conflicts.gpkg: the same layer as conflicts.shp (same columns, AREA_M2 and AREA_MU as
/// REAL), table `conflicts`, in the working CRS.
pub fn conflicts_gpkg<'a>(
    path: &Path,
    input: &'a ReportInput,
    layer: &ConflictLayer<'a>,
) -> Result<(), String> {
    use crate::io::gpkg::{write_polygon_gpkg, Column, ColumnKind};
    let (fields, features) = layer.get_or_init(|| conflict_features(input));
    let columns: Vec<Column> = fields
        .iter()
        .map(|f| Column {
            kind: match f.kind {
                FieldKind::Number { .. } => ColumnKind::Real,
                FieldKind::Text(_) => ColumnKind::Text,
            },
            name: f.name.clone(),
        })
        .collect();
    write_polygon_gpkg(
        path,
        "conflicts",
        &columns,
        features,
        &input.dataset.working_crs,
        Durability::CallerSyncs,
    )
    .map_err(|e| format!("cannot write GeoPackage ({e}): {}", path.display()))
}
