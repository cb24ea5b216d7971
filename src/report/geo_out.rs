//! Conflict polygons for GIS: conflicts.geojson (lon/lat, RFC 7946) and conflicts.shp
//! (working CRS, with .prj and .cpg).

use super::ReportInput;
use crate::crs::{CrsDef, Reprojector};
use crate::io::geojson_in::RFC7946_CRS;
use crate::io::shp_write::{write_polygon_shapefile, FieldKind, FieldSpec, OutEncoding};
use crate::model::Geom;
use geo::{Coord, Orient};
use serde_json::{json, Value};
use std::path::Path;

/// One row of the conflict outputs.
struct Row<'a> {
    zone_id: &'a str,
    zone_name: &'a str,
    layer: &'a str,
    feature_id: &'a str,
    class: &'a str,
    area_m2: f64,
    geometry: &'a Geom,
    /// The reviewer's decision on this zone's conflict finding for the layer.
    status: &'static str,
    comment: String,
}

fn rows<'a>(input: &'a ReportInput) -> Vec<Row<'a>> {
    let decisions = input.decisions();
    let mut out = Vec::new();
    for z in &input.analysis.zones {
        for (layer, c) in &z.conflicts {
            let rule = format!("conflict.{layer}");
            let d = z
                .findings
                .iter()
                .position(|f| f.rule == rule)
                .and_then(|i| decisions.for_finding(Some(&z.id), &z.findings, i));
            for f in &c.features {
                out.push(Row {
                    zone_id: &z.id,
                    zone_name: z.name.as_deref().unwrap_or(""),
                    layer,
                    feature_id: &f.id,
                    class: f.class.as_deref().unwrap_or(""),
                    area_m2: f.area_m2,
                    geometry: &f.geometry,
                    status: d.map_or("", |d| d.status.id()),
                    comment: d
                        .map(|d| match (d.reason.trim(), d.comment.trim()) {
                            ("", c) => c.to_string(),
                            (r, "") => r.to_string(),
                            (r, c) => format!("{r}; {c}"),
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

fn ring_json(ring: &geo::LineString<f64>, to_ll: &Reprojector) -> Value {
    let mut coords: Vec<Coord<f64>> = ring.0.clone();
    to_ll.transform(&mut coords);
    Value::Array(
        coords
            .iter()
            .map(|c| json!([round9(c.x), round9(c.y)]))
            .collect(),
    )
}

/// conflicts.geojson text.
pub fn conflicts_geojson(input: &ReportInput) -> Result<String, String> {
    let lonlat = CrsDef::parse(lonlat_crs_for(&input.dataset.working_crs))?;
    let to_ll = Reprojector::new(&input.dataset.working_crs, &lonlat)?;
    let sliver = input.review.file.rules.sliver_area_m2;
    let features: Vec<Value> = rows(input)
        .into_iter()
        .map(|r| {
            let polys: Vec<Value> = r
                .geometry
                .0
                .iter()
                .map(|p| {
                    let p = p.orient(geo::orient::Direction::Default);
                    let mut rings = vec![ring_json(p.exterior(), &to_ll)];
                    rings.extend(p.interiors().iter().map(|h| ring_json(h, &to_ll)));
                    Value::Array(rings)
                })
                .collect();
            json!({
                "type": "Feature",
                "properties": {
                    "zone_id": r.zone_id,
                    "zone_name": r.zone_name,
                    "layer": r.layer,
                    "feature_id": r.feature_id,
                    "class": r.class,
                    "area_m2": (r.area_m2 * 1000.0).round() / 1000.0,
                    "area_mu": (crate::model::mu_from_m2(r.area_m2) * 10000.0).round() / 10000.0,
                    "sliver": r.area_m2 < sliver,
                    "review_status": r.status,
                    "review_comment": r.comment,
                },
                "geometry": {"type": "MultiPolygon", "coordinates": polys},
            })
        })
        .collect();
    let fc = json!({"type": "FeatureCollection", "features": features});
    let mut text = serde_json::to_string(&fc).map_err(|e| e.to_string())?;
    text.push('\n');
    Ok(text)
}

/// Writes conflicts.shp (+ .shx, .dbf, .prj, .cpg) in the working CRS.
pub fn conflicts_shapefile(path: &Path, input: &ReportInput) -> Result<(), String> {
    let fields = vec![
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
        FieldSpec {
            name: "STATUS".into(),
            kind: FieldKind::Text(12),
        },
        FieldSpec {
            name: "COMMENT".into(),
            kind: FieldKind::Text(254),
        },
    ];
    let features: Vec<(Geom, Vec<Option<String>>)> = rows(input)
        .into_iter()
        .map(|r| {
            (
                r.geometry.clone(),
                vec![
                    Some(r.zone_id.to_string()),
                    Some(r.zone_name.to_string()),
                    Some(r.layer.to_string()),
                    Some(r.feature_id.to_string()),
                    (!r.class.is_empty()).then(|| r.class.to_string()),
                    Some(format!("{:.3}", r.area_m2)),
                    Some(format!("{:.4}", crate::model::mu_from_m2(r.area_m2))),
                    (!r.status.is_empty()).then(|| r.status.to_string()),
                    (!r.comment.is_empty()).then(|| r.comment.clone()),
                ],
            )
        })
        .collect();
    let prj = input.dataset.working_crs.esri_wkt();
    write_polygon_shapefile(path, &fields, &features, prj.as_deref(), OutEncoding::Utf8)
        .map_err(|e| format!("cannot write shapefile ({e}): {}", path.display()))
}
