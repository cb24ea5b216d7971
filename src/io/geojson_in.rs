//! GeoJSON reader: Polygon/MultiPolygon features into a [`RawLayer`], with the legacy `crs`
//! member honoured and properties kept as text.

use super::LoadError;
use crate::model::{RawLayer, RawRecord, RawRing, RawShape};
use geo::Coord;
use geojson::{GeoJson, Geometry, Value as GValue};
use serde_json::{Map, Value};
use std::path::Path;

/// CRS definition for RFC 7946 GeoJSON: longitude/latitude on WGS 84 (CGCS2000 agrees to well
/// under a metre, and PROJ treats the two as the same datum).
pub const RFC7946_CRS: &str = "OGC:CRS84";

/// Reads a GeoJSON file (FeatureCollection, Feature or bare Geometry).
pub fn read_geojson(path: &Path) -> Result<RawLayer, LoadError> {
    let bytes =
        std::fs::read(path).map_err(|e| LoadError::new(format!("cannot read file ({e})"), path))?;
    if bytes.is_empty() {
        return Err(LoadError::new("file is empty (0 bytes)", path));
    }
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| LoadError::new("GeoJSON must be UTF-8 text (RFC 7946)", path))?;
    let text = text.trim_start_matches('\u{feff}');
    let geojson: GeoJson = text
        .parse()
        .map_err(|e| LoadError::new(format!("not valid GeoJSON ({e})"), path))?;
    let mut layer = parse_geojson(geojson).map_err(|m| LoadError::new(m, path))?;
    layer.sha256 = Some(super::sha256_hex(&bytes));
    Ok(layer)
}

fn parse_geojson(geojson: GeoJson) -> Result<RawLayer, String> {
    let (features, foreign) = match geojson {
        GeoJson::FeatureCollection(fc) => (fc.features, fc.foreign_members),
        GeoJson::Feature(f) => {
            let foreign = f.foreign_members.clone();
            (vec![f], foreign)
        }
        GeoJson::Geometry(g) => {
            let foreign = g.foreign_members.clone();
            (
                vec![geojson::Feature {
                    bbox: None,
                    geometry: Some(g),
                    id: None,
                    properties: None,
                    foreign_members: None,
                }],
                foreign,
            )
        }
    };
    let mut layer = RawLayer {
        crs: crs_member(foreign.as_ref())?,
        encoding: Some("UTF-8 (GeoJSON)".to_string()),
        records_in_file: features.len(),
        ..RawLayer::default()
    };
    let mut non_polygon: Vec<&'static str> = Vec::new();
    for (index, feature) in features.into_iter().enumerate() {
        let props = feature.properties.unwrap_or_default();
        for key in props.keys() {
            if !layer.fields.iter().any(|f| f == key) {
                layer.fields.push(key.clone());
            }
        }
        let attrs = attrs_in_order(&layer.fields, &props);
        let Some(geometry) = feature.geometry else {
            layer
                .warnings
                .push(format!("feature {index}: null geometry skipped").into());
            continue;
        };
        match polygons_of(&geometry) {
            Ok(polys) if polys.is_empty() => {
                layer
                    .warnings
                    .push(format!("feature {index}: empty geometry skipped").into());
            }
            Ok(polys) => layer.records.push(RawRecord {
                index,
                shape: RawShape::Polygons(polys),
                attrs,
            }),
            Err(kind) => {
                non_polygon.push(kind);
                layer.warnings.push(
                    format!("feature {index}: {kind} geometry skipped (polygons are required)")
                        .into(),
                );
            }
        }
    }
    // Properties first seen on later features: pad earlier records.
    let n = layer.fields.len();
    for r in &mut layer.records {
        r.attrs.resize(n, None);
    }
    if layer.records.is_empty() && !non_polygon.is_empty() {
        return Err(format!(
            "layer has {} geometry, polygons are required",
            non_polygon[0]
        ));
    }
    // If the layer declares no CRS, RFC 7946 says lon/lat — but only believe it when the
    // coordinates are in range; otherwise leave the CRS unknown for the caller to decide.
    if layer.crs.is_none() && coords_in_lon_lat_range(&layer) {
        layer.crs = Some(RFC7946_CRS.to_string());
    }
    Ok(layer)
}

fn coords_in_lon_lat_range(layer: &RawLayer) -> bool {
    layer.records.iter().all(|r| {
        r.shape.rings().flatten().all(|c| {
            !c.x.is_finite()
                || !c.y.is_finite()
                || ((-180.0..=180.0).contains(&c.x) && (-90.0..=90.0).contains(&c.y))
        })
    })
}

/// The legacy (2008) `crs` member: `{"type":"name","properties":{"name":"EPSG:4490"}}`
/// or a URN; `{"type":"EPSG","properties":{"code":4490}}` is accepted as well.
fn crs_member(foreign: Option<&Map<String, Value>>) -> Result<Option<String>, String> {
    let Some(crs) = foreign.and_then(|f| f.get("crs")) else {
        return Ok(None);
    };
    if crs.is_null() {
        return Ok(None);
    }
    let props = &crs["properties"];
    if let Some(name) = props["name"].as_str() {
        let upper = name.to_ascii_uppercase();
        if upper.contains("CRS84") {
            return Ok(Some(RFC7946_CRS.to_string()));
        }
        return Ok(Some(name.trim().to_string()));
    }
    if let Some(code) = props["code"].as_u64() {
        return Ok(Some(format!("EPSG:{code}")));
    }
    Err("unsupported \"crs\" member (expected {\"type\":\"name\",\"properties\":{\"name\":\"EPSG:…\"}})".into())
}

fn attrs_in_order(fields: &[String], props: &Map<String, Value>) -> Vec<Option<String>> {
    fields
        .iter()
        .map(|f| match props.get(f) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => {
                let t = s.trim();
                (!t.is_empty()).then(|| t.to_string())
            }
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(Value::Bool(b)) => Some(b.to_string()),
            Some(other) => Some(other.to_string()),
        })
        .collect()
}

/// Polygons of a geometry, or the name of its (non-polygonal) type.
fn polygons_of(geometry: &Geometry) -> Result<Vec<Vec<RawRing>>, &'static str> {
    match &geometry.value {
        GValue::Polygon(rings) => Ok(vec![rings_of(rings)]),
        GValue::MultiPolygon(polys) => Ok(polys.iter().map(|p| rings_of(p)).collect()),
        GValue::GeometryCollection(members) => {
            let mut out = Vec::new();
            for g in members {
                out.extend(polygons_of(g)?);
            }
            Ok(out)
        }
        GValue::Point(_) => Err("Point"),
        GValue::MultiPoint(_) => Err("MultiPoint"),
        GValue::LineString(_) => Err("LineString"),
        GValue::MultiLineString(_) => Err("MultiLineString"),
    }
}

fn rings_of(rings: &[Vec<Vec<f64>>]) -> Vec<RawRing> {
    rings
        .iter()
        .map(|ring| {
            ring.iter()
                .map(|p| Coord {
                    x: p.first().copied().unwrap_or(f64::NAN),
                    y: p.get(1).copied().unwrap_or(f64::NAN),
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<RawLayer, String> {
        parse_geojson(text.parse::<GeoJson>().map_err(|e| e.to_string())?)
    }

    #[test]
    fn reads_polygons_properties_and_crs_member() {
        let layer = parse(
            r#"{"type":"FeatureCollection",
            "crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4490"}},
            "features":[
              {"type":"Feature","properties":{"id":"A","名称":"萧山","n":3},
               "geometry":{"type":"Polygon","coordinates":[[[120,30],[121,30],[121,31],[120,30]]]}},
              {"type":"Feature","properties":{"id":"B","extra":true},
               "geometry":{"type":"Point","coordinates":[120,30]}}
            ]}"#,
        )
        .unwrap();
        assert_eq!(layer.crs.as_deref(), Some("urn:ogc:def:crs:EPSG::4490"));
        assert_eq!(layer.records.len(), 1);
        assert_eq!(layer.fields, vec!["id", "名称", "n", "extra"]);
        assert_eq!(layer.records[0].attrs[1].as_deref(), Some("萧山"));
        assert_eq!(layer.records[0].attrs.len(), 4);
        assert_eq!(layer.warnings.len(), 1);
    }

    #[test]
    fn points_only_is_an_error() {
        let err = parse(
            r#"{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1,2]}}"#,
        )
        .unwrap_err();
        assert!(err.contains("Point"), "{err}");
    }

    #[test]
    fn no_crs_member_means_crs84_only_within_range() {
        let lonlat =
            parse(r#"{"type":"Polygon","coordinates":[[[120,30],[121,30],[121,31],[120,30]]]}"#)
                .unwrap();
        assert_eq!(lonlat.crs.as_deref(), Some(RFC7946_CRS));
        let projected =
            parse(r#"{"type":"Polygon","coordinates":[[[500000,3300000],[500100,3300000],[500100,3300100],[500000,3300000]]]}"#)
                .unwrap();
        assert_eq!(projected.crs, None);
    }
}
