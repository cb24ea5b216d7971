//! Layers read through GDAL (the `gdal` feature, issue 11 item 2), on files made by GDAL's own
//! ogr2ogr (tests/fixtures/gdal/make.sh says how): the sample review from a File Geodatabase copy
//! gives the shapefile review's results; a DXF's polygons have the shapefile's areas; the layer
//! chooser's errors; broken, non-polygon and curved records.
//!
//! Expected areas come from ogrinfo (GDAL's SQLite dialect, `ST_Area`) on the source
//! shapefile, or by hand (squares and a regular 90-gon).
#![cfg(feature = "gdal")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use geo::Area;
use serde_json::Value;
use std::path::{Path, PathBuf};
use support::*;
use zonecheck::model::RawShape;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gdal")
}

fn sample_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_maps")
}

fn report(out: &Path) -> Value {
    serde_json::from_slice(&read(&out.join("report.json"))).unwrap()
}

/// The review of the sample with every layer read from `sample.gdb`.
fn gdb_review(dir: &Path) -> PathBuf {
    sample_review_from(dir, &fixtures().join("sample.gdb"))
}

/// The sample review from the File Geodatabase copy: the same exit code, and report.json the
/// same as the shapefile review's in everything but the inputs (zones, areas, findings with
/// their numbers, plan verdict). The .gdb's files are hashed in the inputs.
#[test]
fn the_sample_review_from_a_gdb_copy_gives_identical_results() {
    let dir = tempfile::tempdir().unwrap();
    let shp_out = dir.path().join("out_shp");
    let shp_run = run_check(&sample_dir().join("review.toml"), &shp_out);
    shp_run.assert_checked();
    let gdb_out = dir.path().join("out_gdb");
    let gdb_run = run_check(&gdb_review(dir.path()), &gdb_out);
    gdb_run.assert_checked();
    assert_eq!(gdb_run.code, shp_run.code, "{gdb_run}");
    assert_eq!(gdb_run.code, Some(1), "the sample blocks: {gdb_run}");
    let (from_shp, from_gdb) = (report(&shp_out), report(&gdb_out));
    let inputs = from_gdb["inputs"].to_string();
    assert!(inputs.contains("\"sample.gdb/a00000009.gdbtable\""));
    assert!(inputs.contains("sample.gdb#farmland"));
    let zones = from_shp["zones"].as_array().map(Vec::len).unwrap_or(0);
    assert!(zones >= 5, "the sample's zones: {zones}");
    assert_same_results(from_shp, from_gdb);
}

/// The planar area of every polygon of a raw layer, in record order (a multipolygon record
/// gives several).
fn polygon_areas(raw: &zonecheck::model::RawLayer) -> Vec<f64> {
    let mut out = Vec::new();
    for r in &raw.records {
        let RawShape::Polygons(polys) = &r.shape else {
            panic!("GDAL records are polygons with explicit rings");
        };
        for p in polys {
            let ring = |c: &Vec<geo::Coord<f64>>| geo::LineString::from(c.clone());
            let poly = geo::Polygon::new(ring(&p[0]), p[1..].iter().map(ring).collect());
            out.push(poly.unsigned_area());
        }
    }
    out
}

/// The red line as DXF HATCH entities (made by ogr2ogr from redline.shp): 9 polygons from 8
/// records (the multipolygon record is split), holes kept, no CRS (DXF has none). Each area is
/// ogrinfo's ST_Area of the shapefile's polygon, and our own shapefile reader's.
#[test]
fn a_dxf_layer_has_the_areas_of_the_source_shapefile() {
    let raw = zonecheck::load::read_raw(&fixtures().join("redline.dxf")).unwrap();
    assert_eq!(raw.crs, None);
    assert!(raw.unusable.is_empty(), "{:?}", raw.unusable);
    let areas = polygon_areas(&raw);
    // ogrinfo sample_maps/redline.shp -dialect sqlite -sql "SELECT ST_Area(geometry) …", and
    // the same on the DXF (the second record's parts: 29757159.8970841 + 100748.390163464 =
    // 29857908.2872476).
    let ogr = [
        2415863.61516088,
        28592184.3079943,
        29757159.8970841,
        100748.390163464,
        2909931.12749305,
        7933311.38193335,
        11639659.0507987,
        3530137.85096242,
        4488905.66147263,
    ];
    assert_eq!(areas.len(), ogr.len(), "{areas:?}");
    for (a, e) in areas.iter().zip(ogr) {
        assert!((a - e).abs() < 1e-6, "{a} against {e}");
    }
    let rings: usize = raw.records.iter().map(|r| r.shape.rings().count()).sum();
    assert_eq!(rings, 15);
    // Our shapefile reader's polygons of the same file, areas with holes assigned.
    let shp = zonecheck::load::read_raw(&sample_dir().join("redline.shp")).unwrap();
    let from_shp: f64 = shp
        .records
        .iter()
        .map(|r| {
            let RawShape::Rings(rings) = &r.shape else {
                panic!("shapefile records are rings")
            };
            // Signed shoelace of every ring: exteriors clockwise (negative), holes
            // counter-clockwise, so minus the sum is the area.
            -rings
                .iter()
                .map(|c| geo::LineString::from(c.clone()))
                .map(|l| geo::Polygon::new(l, vec![]).signed_area())
                .sum::<f64>()
        })
        .sum();
    let total: f64 = areas.iter().sum();
    assert!(
        (from_shp - total).abs() < 1e-6,
        "{from_shp} against {total}"
    );
}

/// Without `#layer`, a source with several polygon layers is bad input listing them (the line
/// layer is not offered); a layer that is not there lists every layer; a line layer named after
/// `#` is refused as not polygons.
#[test]
fn the_layer_is_chosen_after_hash_or_the_error_lists_the_layers() {
    let fx = Fixture::new();
    let extra = fixtures().join("extra.gdb");
    let extra = extra.to_str().unwrap();
    fx.set_review(&format!(
        "[layers]\nzones = \"zones.shp\"\nredline = \"{extra}\"\n"
    ));
    fx.run().assert_bad_input(
        "extra.gdb",
        &["several polygon layers", "broken, curved", "#"],
    );
    assert!(!fx.run().stderr.contains("lines"));
    fx.set_review(&format!(
        "[layers]\nzones = \"zones.shp\"\nredline = \"{extra}#nope\"\n"
    ));
    fx.run().assert_bad_input(
        "extra.gdb#nope",
        &["no layer nope", "broken, curved, lines"],
    );
    fx.set_review(&format!(
        "[layers]\nzones = \"zones.shp\"\nredline = \"{extra}#lines\"\n"
    ));
    fx.run()
        .assert_bad_input("extra.gdb#lines", &["polygons are required"]);
}

/// Fail closed: in `extra.gdb#broken`, B1 is a 100 m square, B2 has no geometry and B3 a ring
/// of two distinct points. B2 and B3 are unusable, named by their FID (OBJECTID 2 and 3) and
/// ID; as the zones layer that is bad input naming the first; as a protection layer the check
/// is incomplete.
#[test]
fn broken_records_are_bad_records() {
    let raw = zonecheck::load::read_raw(&fixtures().join("extra.gdb#broken")).unwrap();
    assert_eq!(raw.records_in_file, 3);
    assert_eq!(raw.records.len(), 1);
    assert_eq!(raw.records[0].attrs, vec![Some("B1".to_string())]);
    assert_eq!(polygon_areas(&raw), vec![10_000.0]);
    let bad: Vec<(Option<usize>, Option<&str>)> = raw
        .unusable
        .iter()
        .map(|u| (u.index, u.id.as_deref()))
        .collect();
    assert_eq!(bad, vec![(Some(2), Some("B2")), (Some(3), Some("B3"))]);
    assert!(raw.unusable[0].reason.en.contains("null geometry"));
    assert!(
        raw.unusable[1].reason.en.contains("distinct"),
        "{:?}",
        raw.unusable[1]
    );
    assert_eq!(raw.crs.as_deref(), Some("EPSG:4549"));

    let fx = Fixture::new();
    let extra = fixtures().join("extra.gdb");
    let extra = extra.to_str().unwrap();
    fx.set_review(&format!(
        "[layers]\nzones = \"{extra}#broken\"\nredline = \"redline.geojson\"\n"
    ));
    fx.run()
        .assert_bad_input("extra.gdb#broken", &["record 2", "B2", "null geometry"]);
    fx.set_review(&format!(
        "[layers]\nzones = \"zones.shp\"\nredline = \"{extra}#broken\"\n"
    ));
    let run = fx.run();
    run.assert_checked();
    assert_eq!(run.code, Some(1), "input.incomplete blocks\n{run}");
    let r = report(&fx.out);
    assert!(r.to_string().contains("input.incomplete"), "{r}");
}

/// A CURVEPOLYGON (a full circle of radius 100 m) is linearized by GDAL with a warning: GDAL's
/// default step of 4° makes a regular 90-gon, area 45 × 100² × sin 4° = 31 390.38 m² (π × 100²
/// = 31 415.93 for the true circle); the square beside it is 10 000 m².
#[test]
fn curved_geometries_are_linearized_with_a_warning() {
    let raw = zonecheck::load::read_raw(&fixtures().join("extra.gdb#curved")).unwrap();
    assert!(raw.unusable.is_empty(), "{:?}", raw.unusable);
    let areas = polygon_areas(&raw);
    let ninety_gon = 45.0 * 100.0f64.powi(2) * 4.0f64.to_radians().sin();
    assert_eq!(areas.len(), 2);
    // GDAL computes the vertices from the arc's centre (510000, 3348000) in floating point: the
    // area agrees to 1e-5 m² (3e-10 relative).
    assert!(
        (areas[0] - ninety_gon).abs() < 1e-5,
        "{areas:?} against {ninety_gon}"
    );
    assert_eq!(areas[1], 10_000.0);
    let warning = raw
        .warnings
        .iter()
        .find(|w| w.en.contains("curves"))
        .unwrap();
    assert!(warning.en.starts_with("1 record(s)"), "{warning:?}");
    assert!(warning.en.contains("record 1"), "{warning:?}");
}

/// A `.gdb` that is a file is refused naming it; a folder that is no geodatabase is GDAL's
/// "cannot open".
#[test]
fn a_gdb_that_is_a_file_or_not_a_geodatabase_is_refused() {
    let fx = Fixture::new();
    write(&fx.path("plan.gdb"), b"not a folder");
    fx.set_review("[layers]\nzones = \"plan.gdb#zones\"\nredline = \"redline.geojson\"\n");
    fx.run()
        .assert_bad_input("plan.gdb", &["a File Geodatabase (.gdb) is a folder"]);
    let fx = Fixture::new();
    std::fs::create_dir(fx.path("plan.gdb")).unwrap();
    write(&fx.path("plan.gdb/readme.txt"), b"empty");
    fx.set_review("[layers]\nzones = \"plan.gdb#zones\"\nredline = \"redline.geojson\"\n");
    fx.run()
        .assert_bad_input("plan.gdb", &["GDAL cannot open this source"]);
}
