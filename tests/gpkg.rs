//! GeoPackage layers through the real binary (issue 11, item 1): zones and protection layers
//! read from .gpkg (`file.gpkg#table`), the same numbers as from shapefiles, unreadable geometry
//! blobs named by fid, conflicts.gpkg written beside conflicts.shp, `zonecheck fix --gpkg`.
//!
//! The GeoPackages are made here with rusqlite and hand-written blobs (big-endian ISO PolygonZ
//! with an xyz envelope, little-endian MultiPolygon without one), so the reader is tested on
//! other bytes than its own writer's; one more was made by GDAL (tests/fixtures/gpkg/, see its
//! README). Areas are worked out by hand from axis-aligned squares in EPSG:4549 (metres).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use geo::Area;
use rusqlite::Connection;
use serde_json::Value;
use std::path::Path;
use support::*;

fn report(out: &Path) -> Value {
    serde_json::from_slice(&read(&out.join("report.json"))).unwrap()
}

/// A big-endian GeoPackage blob: ISO PolygonZ (1003) of one square ring, z = 7, with an xyz
/// envelope (indicator 2, 48 bytes).
fn blob_polygon_z_be(x: f64, y: f64, s: f64) -> Vec<u8> {
    let mut b = b"GP".to_vec();
    b.push(0);
    b.push(0b0000_0100); // envelope xyz, big-endian header
    b.extend_from_slice(&4549i32.to_be_bytes());
    for v in [x, x + s, y, y + s, 7.0, 7.0] {
        b.extend_from_slice(&v.to_be_bytes());
    }
    b.push(0);
    b.extend_from_slice(&1003u32.to_be_bytes());
    b.extend_from_slice(&1u32.to_be_bytes());
    b.extend_from_slice(&5u32.to_be_bytes());
    for (px, py) in [(x, y), (x + s, y), (x + s, y + s), (x, y + s), (x, y)] {
        for v in [px, py, 7.0] {
            b.extend_from_slice(&v.to_be_bytes());
        }
    }
    b
}

/// A little-endian blob without envelope: MultiPolygon of one square polygon.
fn blob_multipolygon_le(x: f64, y: f64, s: f64) -> Vec<u8> {
    let mut b = b"GP".to_vec();
    b.push(0);
    b.push(0b0000_0001); // no envelope, little-endian header
    b.extend_from_slice(&4549i32.to_le_bytes());
    b.push(1);
    b.extend_from_slice(&6u32.to_le_bytes());
    b.extend_from_slice(&1u32.to_le_bytes());
    b.push(1);
    b.extend_from_slice(&3u32.to_le_bytes());
    b.extend_from_slice(&1u32.to_le_bytes());
    b.extend_from_slice(&5u32.to_le_bytes());
    for (px, py) in [(x, y), (x, y + s), (x + s, y + s), (x + s, y), (x, y)] {
        b.extend_from_slice(&px.to_le_bytes());
        b.extend_from_slice(&py.to_le_bytes());
    }
    b
}

/// One feature table: name, fid, blob (None: NULL geometry), ID and NAME.
type Table<'a> = (&'a str, Vec<(i64, Option<Vec<u8>>, &'a str, &'a str)>);

/// A GeoPackage written with plain SQL: srs 4549 given as organization EPSG (or, with
/// `wkt_only`, as organization NONE and the WKT definition only), each table with columns fid,
/// geom, ID, NAME.
fn write_gpkg(path: &Path, tables: &[Table<'_>], wkt_only: bool) {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(
        "PRAGMA application_id = 1196444487; PRAGMA user_version = 10300;
         CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY,
           organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL,
           definition TEXT NOT NULL, description TEXT);
         CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
           identifier TEXT, description TEXT, last_change TEXT, min_x DOUBLE, min_y DOUBLE,
           max_x DOUBLE, max_y DOUBLE, srs_id INTEGER);
         CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,
           geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT, m TINYINT);",
    )
    .unwrap();
    let wkt = zonecheck::crs::CrsDef::epsg(4549)
        .unwrap()
        .esri_wkt()
        .unwrap();
    let (org, code) = if wkt_only {
        ("NONE", 99)
    } else {
        ("EPSG", 4549)
    };
    conn.execute(
        "INSERT INTO gpkg_spatial_ref_sys VALUES ('CGCS2000 GK 120E', 99, ?1, ?2, ?3, '')",
        rusqlite::params![org, code, wkt],
    )
    .unwrap();
    for (name, rows) in tables {
        conn.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id)
             VALUES (?1, 'features', ?1, 99)",
            [name],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO gpkg_geometry_columns VALUES (?1, 'shape', 'GEOMETRY', 99, 1, 0)",
            [name],
        )
        .unwrap();
        conn.execute_batch(&format!(
            "CREATE TABLE \"{name}\" (fid INTEGER PRIMARY KEY AUTOINCREMENT, shape GEOMETRY,
             ID TEXT, NAME TEXT)"
        ))
        .unwrap();
        for (fid, blob, id, nm) in rows {
            conn.execute(
                &format!("INSERT INTO \"{name}\" VALUES (?1, ?2, ?3, ?4)"),
                rusqlite::params![fid, blob, id, nm],
            )
            .unwrap();
        }
    }
}

/// The fixture's two zones (Z01 at (X0, Y0), Z02 2 km east; 500 m squares) as table
/// `merged_zones`, Z01 a PolygonZ, Z02 a MultiPolygon; and a table `roads` beside it.
fn zones_tables(bad_z02: bool) -> Vec<Table<'static>> {
    let z02 = if bad_z02 {
        // Header fine, WKB cut short after the type: the ring count is missing.
        let mut b = blob_multipolygon_le(X0 + 2000.0, Y0, 500.0);
        b.truncate(8 + 1 + 4 + 4 + 1 + 4);
        b
    } else {
        blob_multipolygon_le(X0 + 2000.0, Y0, 500.0)
    };
    vec![
        (
            "merged_zones",
            vec![
                (1, Some(blob_polygon_z_be(X0, Y0, 500.0)), "Z01", "开发区1"),
                (2, Some(z02), "Z02", "开发区2"),
            ],
        ),
        (
            "roads",
            vec![(
                1,
                Some(blob_multipolygon_le(X0, Y0 - 100.0, 50.0)),
                "R",
                "路",
            )],
        ),
    ]
}

/// The red line of these tests: a 200 m square at (X0 + 400, Y0 + 100), over Z01's east edge:
/// it occupies x 400..500 × y 100..300 of Z01, 100 × 200 = 20 000 m² (30 亩).
fn redline_square() -> geo::MultiPolygon<f64> {
    square(X0 + 400.0, Y0 + 100.0, 200.0)
}

/// A zone's id, area_m2 and findings as (rule, numbers).
type ZoneNumbers = (String, f64, Vec<(String, Value)>);

/// (zone id, area_m2, [(rule, numbers)]) of every zone in report.json.
fn zone_numbers(report: &Value) -> Vec<ZoneNumbers> {
    report["zones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|z| {
            let findings = z["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| {
                    (
                        f["rule"].as_str().unwrap().to_string(),
                        f["numbers"].clone(),
                    )
                })
                .collect();
            (
                z["id"].as_str().unwrap().to_string(),
                z["area_m2"].as_f64().unwrap(),
                findings,
            )
        })
        .collect()
}

/// Why case: a plan delivered as a GeoPackage gives the same check as the same zones as a
/// shapefile. Z01 and Z02 are 500 m squares (250 000 m² each); the red line takes 20 000 m² of
/// Z01. Both runs: same zone areas, same findings with the same numbers, same exit code (1: the
/// red-line conflict blocks). The .gpkg is hashed into the report's inputs.
#[test]
fn zones_from_gpkg_give_the_same_check_as_from_shapefile() {
    let fx = Fixture::new();
    write(
        &fx.redline,
        geojson_polygons(&[(redline_square(), "红线")], Some("EPSG:4549")),
    );
    let shp_run = fx.run();
    shp_run.assert_checked();
    let from_shp = report(&fx.out);

    write_gpkg(&fx.path("plan.gpkg"), &zones_tables(false), false);
    fx.set_review("[layers]\nzones = \"plan.gpkg#merged_zones\"\nredline = \"redline.geojson\"\n");
    let out = fx.dir.path().join("out_gpkg");
    let run = fx.run_with(&fx.review, &out);
    run.assert_checked();
    assert_eq!(run.code, shp_run.code, "{run}");
    assert_eq!(run.code, Some(1), "{run}");
    let from_gpkg = report(&out);
    let (a, b) = (zone_numbers(&from_shp), zone_numbers(&from_gpkg));
    assert_eq!(a, b);
    assert_eq!(a.len(), 2);
    assert!((a[0].1 - 250_000.0).abs() < 1e-6, "{a:?}");
    let conflict = a[0]
        .2
        .iter()
        .find(|(rule, _)| rule.starts_with("conflict"))
        .unwrap_or_else(|| panic!("no conflict finding for Z01: {a:?}"));
    let area = conflict.1["area_m2"].as_f64().unwrap_or_default();
    assert!((area - 20_000.0).abs() < 1e-6, "{conflict:?}");
    // The inputs name and hash the GeoPackage.
    let inputs = from_gpkg["inputs"].to_string();
    let sha = zonecheck::io::sha256_hex(&read(&fx.path("plan.gpkg")));
    assert!(inputs.contains(&sha), "{inputs}");
    assert!(inputs.contains("plan.gpkg"), "{inputs}");
    // The same CRS: the .gpkg names it by its EPSG code, the shapefile's .prj by its WKT.
    let crs = from_gpkg["settings"]["working_crs"]
        .as_str()
        .unwrap_or_default();
    assert_eq!(crs, "EPSG:4549 (CGCS2000 / 3-degree Gauss-Kruger CM 120E)");
    assert_eq!(
        from_shp["settings"]["working_crs"],
        "CGCS2000 / 3-degree Gauss-Kruger CM 120E"
    );
}

/// The CRS may be given only as WKT in gpkg_spatial_ref_sys (organization NONE): the working
/// CRS is still CGCS2000 / 3-degree GK CM 120E, and the same areas come out.
#[test]
fn a_wkt_only_spatial_ref_sys_is_understood() {
    let fx = Fixture::new();
    write_gpkg(&fx.path("plan.gpkg"), &zones_tables(false)[..1], true);
    fx.set_review("[layers]\nzones = \"plan.gpkg\"\nredline = \"redline.geojson\"\n");
    let run = fx.run();
    run.assert_checked();
    let r = report(&fx.out);
    let label = r["settings"]["working_crs"].as_str().unwrap_or_default();
    assert!(label.contains("120E") || label.contains("4549"), "{label}");
    let zones = zone_numbers(&r);
    assert_eq!(zones.len(), 2);
    assert!(
        zones.iter().all(|z| (z.1 - 250_000.0).abs() < 1e-6),
        "{zones:?}"
    );
}

/// Without `#table`, a GeoPackage with two feature tables is bad input listing both.
#[test]
fn several_tables_without_a_name_is_an_error_listing_them() {
    let fx = Fixture::new();
    write_gpkg(&fx.path("plan.gpkg"), &zones_tables(false), false);
    fx.set_review("[layers]\nzones = \"plan.gpkg\"\nredline = \"redline.geojson\"\n");
    fx.run().assert_bad_input(
        "plan.gpkg",
        &["several feature tables", "merged_zones, roads", "#"],
    );
    // A table that is not there: the ones that are.
    fx.set_review("[layers]\nzones = \"plan.gpkg#zonez\"\nredline = \"redline.geojson\"\n");
    fx.run().assert_bad_input(
        "plan.gpkg#zonez",
        &["no feature table zonez", "merged_zones, roads"],
    );
}

/// Fail closed: Z02's blob in the zones table is cut short. The run is bad input (exit 2) naming
/// the file with its table and the fid (2).
#[test]
fn an_unreadable_blob_in_the_zones_table_is_an_error_naming_the_fid() {
    let fx = Fixture::new();
    write_gpkg(&fx.path("plan.gpkg"), &zones_tables(true), false);
    fx.set_review("[layers]\nzones = \"plan.gpkg#merged_zones\"\nredline = \"redline.geojson\"\n");
    fx.run().assert_bad_input(
        "plan.gpkg#merged_zones",
        &["fid 2", "table merged_zones", "truncated", "zone id Z02"],
    );
}

/// Fail closed: a red-line table of two features, fid 1 the square over Z01, fid 2 a blob that
/// is not a GeoPackage blob. The check runs but is incomplete (input.incomplete, blocking) and
/// the conflict of fid 1 (20 000 m²) is still found.
#[test]
fn an_unreadable_blob_in_a_protection_table_makes_the_check_incomplete() {
    let fx = Fixture::new();
    let conn_path = fx.path("redline.gpkg");
    write_gpkg(
        &conn_path,
        &[(
            "redline",
            vec![
                (
                    1,
                    Some(blob_multipolygon_le(X0 + 400.0, Y0 + 100.0, 200.0)),
                    "R1",
                    "红线",
                ),
                (2, Some(b"not a geometry".to_vec()), "R2", "红线"),
            ],
        )],
        false,
    );
    fx.set_review("[layers]\nzones = \"zones.shp\"\nredline = \"redline.gpkg\"\n");
    let run = fx.run();
    run.assert_no_panic();
    assert_eq!(run.code, Some(1), "{run}");
    assert!(run.stdout.contains("input.incomplete"), "{run}");
    let r = report(&fx.out);
    let incomplete: Vec<&Value> = r["plan"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "input.incomplete")
        .collect();
    assert_eq!(incomplete.len(), 1, "{r:#}");
    let en = incomplete[0]["message_en"].as_str().unwrap_or_default();
    assert!(en.contains("redline.gpkg") && en.contains("fid 2"), "{en}");
    let zones = zone_numbers(&r);
    let conflict = zones[0]
        .2
        .iter()
        .find(|(rule, _)| rule.starts_with("conflict"))
        .unwrap_or_else(|| panic!("{zones:?}"));
    assert!((conflict.1["area_m2"].as_f64().unwrap_or_default() - 20_000.0).abs() < 1e-6);
}

/// conflicts.gpkg is a GeoPackage 1.3 (application_id 'GPKG', user_version 10300) with table
/// `conflicts` in EPSG:4549, the same columns as conflicts.shp, and reads back (through
/// zonecheck's own reader) as one polygon of 20 000 m² for Z01 with AREA_M2 = 20000 and
/// AREA_MU = 30 (20 000 m² / 666.67).
#[test]
fn conflicts_gpkg_reads_back() {
    let fx = Fixture::new();
    write(
        &fx.redline,
        geojson_polygons(&[(redline_square(), "红线")], Some("EPSG:4549")),
    );
    fx.run().assert_checked();
    let path = fx.out.join("conflicts.gpkg");
    let conn = Connection::open(&path).unwrap();
    let app_id: i64 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .unwrap();
    assert_eq!(app_id, 0x4750_4B47);
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert!(version >= 10300);
    let (srs, org, def): (i64, String, String) = conn
        .query_row(
            "SELECT g.srs_id, s.organization, s.definition FROM gpkg_geometry_columns g
             JOIN gpkg_spatial_ref_sys s ON s.srs_id = g.srs_id WHERE g.table_name = 'conflicts'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((srs, org.as_str()), (4549, "EPSG"));
    assert!(
        def.contains("CGCS2000") && def.starts_with("PROJCS"),
        "{def}"
    );
    let (min_x, max_y): (f64, f64) = conn
        .query_row(
            "SELECT min_x, max_y FROM gpkg_contents WHERE table_name = 'conflicts'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((min_x, max_y), (X0 + 400.0, Y0 + 300.0));
    drop(conn);
    let layer = zonecheck::load::read_raw(&path).unwrap();
    let shp = zonecheck::load::read_raw(&fx.out.join("conflicts.shp")).unwrap();
    assert_eq!(layer.fields, shp.fields);
    assert_eq!(layer.crs.as_deref(), Some("EPSG:4549"));
    assert_eq!(layer.records.len(), 1);
    let rec = &layer.records[0];
    let polys = match &rec.shape {
        zonecheck::model::RawShape::Polygons(p) => p,
        other => panic!("{other:?}"),
    };
    let poly = geo::Polygon::new(geo::LineString::from(polys[0][0].clone()), vec![]);
    assert!((poly.unsigned_area() - 20_000.0).abs() < 1e-6);
    let value = |name: &str| {
        let k = layer.fields.iter().position(|f| f == name).unwrap();
        rec.attrs.get(k).map(str::to_string).unwrap_or_default()
    };
    assert_eq!(value("ZONE_ID"), "Z01");
    assert_eq!(value("AREA_M2"), "20000");
    assert_eq!(value("AREA_MU"), "30");
    assert_eq!(value("SLIVER"), "F");
}

/// `zonecheck fix --cut-protected --gpkg` writes zones_fixed.gpkg (table zones_fixed): Z01 loses
/// the red line's 20 000 m² (250 000 → 230 000 m²), Z02 stays 250 000 m²; the review written
/// beside it points at the .gpkg and checks clean of conflicts.
#[test]
fn fix_writes_the_fixed_plan_as_gpkg() {
    let fx = Fixture::new();
    write(
        &fx.redline,
        geojson_polygons(&[(redline_square(), "红线")], Some("EPSG:4549")),
    );
    let fixed = fx.dir.path().join("fixed");
    let run = run_zonecheck([
        "fix".as_ref(),
        fx.review.as_os_str(),
        "--out".as_ref(),
        fixed.as_os_str(),
        "--cut-protected".as_ref(),
        "--gpkg".as_ref(),
        "--lang".as_ref(),
        "en".as_ref(),
    ]);
    run.assert_no_panic();
    assert_eq!(run.code, Some(0), "{run}");
    let path = fixed.join("zones_fixed.gpkg");
    assert!(!fixed.join("zones_fixed.shp").exists());
    let layer = zonecheck::load::read_raw(&path).unwrap();
    assert_eq!(layer.fields, vec!["ID", "NAME"]);
    let area = |id: &str| -> f64 {
        layer
            .records
            .iter()
            .filter(|r| r.attrs.get(0) == Some(id))
            .map(|r| match &r.shape {
                zonecheck::model::RawShape::Polygons(polys) => polys
                    .iter()
                    .map(|p| {
                        let mut rings = p.iter().map(|r| geo::LineString::from(r.clone()));
                        let ext = rings.next().unwrap();
                        geo::Polygon::new(ext, rings.collect()).unsigned_area()
                    })
                    .sum::<f64>(),
                other => panic!("{other:?}"),
            })
            .sum()
    };
    assert!((area("Z01") - 230_000.0).abs() < 1e-3, "{}", area("Z01"));
    assert!((area("Z02") - 250_000.0).abs() < 1e-3);
    let review = std::fs::read_to_string(fixed.join("review.toml")).unwrap();
    assert!(review.contains("zones_fixed.gpkg"), "{review}");
    let again = run_check(&fixed.join("review.toml"), &fx.dir.path().join("out2"));
    again.assert_checked();
    let r = report(&fx.dir.path().join("out2"));
    let zones = zone_numbers(&r);
    assert!(
        zones
            .iter()
            .all(|z| z.2.iter().all(|(rule, _)| !rule.starts_with("conflict"))),
        "{zones:?}"
    );
}

/// A GeoPackage written by GDAL (tests/fixtures/gpkg/zones_gdal.gpkg, see the README there):
/// the fixture's two zones, same areas (250 000 m² each) and the same red-line conflict
/// (20 000 m²) as from the shapefile.
#[test]
fn a_gpkg_written_by_gdal_gives_the_same_numbers() {
    let fx = Fixture::new();
    write(
        &fx.redline,
        geojson_polygons(&[(redline_square(), "红线")], Some("EPSG:4549")),
    );
    let shp_run = fx.run();
    let from_shp = report(&fx.out);
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gpkg/zones_gdal.gpkg");
    std::fs::copy(&fixture, fx.path("zones_gdal.gpkg")).unwrap();
    fx.set_review("[layers]\nzones = \"zones_gdal.gpkg#zones\"\nredline = \"redline.geojson\"\n");
    let out = fx.dir.path().join("out_gdal");
    let run = fx.run_with(&fx.review, &out);
    run.assert_checked();
    assert_eq!(run.code, shp_run.code);
    assert_eq!(zone_numbers(&report(&out)), zone_numbers(&from_shp));
}

/// In the app, adding a GeoPackage with two feature tables shows a chooser listing them; the
/// table ticked (`roads`) is added as `plan.gpkg#roads`, its role guessed from the table name
/// (roads → barriers), and loads.
#[cfg(feature = "gui")]
#[test]
fn the_app_lists_the_tables_of_a_gpkg_to_choose_from() {
    use egui_kittest::kittest::Queryable as _;
    use std::time::{Duration, Instant};
    use zonecheck::app::commands::AppCommand;
    use zonecheck::app::ZonecheckApp;
    let fx = Fixture::new();
    let gpkg = fx.path("plan.gpkg");
    write_gpkg(&gpkg, &zones_tables(false), false);
    let mut h = egui_kittest::Harness::builder()
        .with_size(egui::vec2(1500.0, 950.0))
        .build_ui_state(
            |ui, app: &mut ZonecheckApp| app.ui(ui),
            ZonecheckApp::new(None),
        );
    let wait = |h: &mut egui_kittest::Harness<'static, ZonecheckApp>, what: &str| {
        let start = Instant::now();
        loop {
            h.step();
            if h.state().doc.is_some() && !h.state().is_busy() {
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(240),
                "timed out waiting for {what}: {:?}",
                h.state().messages
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = h.try_run();
    };
    h.state_mut()
        .pending
        .push(AppCommand::NewReview(Some(fx.zones.clone())));
    h.step();
    wait(&mut h, "the new review");
    h.state_mut()
        .pending
        .push(AppCommand::AddLayers(vec![gpkg.clone()]));
    h.step();
    let _ = h.try_run();
    assert_eq!(h.state().gpkg_choices.len(), 1);
    h.get_by_label("选择图层");
    h.get_by_role_and_label(egui::Role::CheckBox, "merged_zones");
    h.get_by_role_and_label(egui::Role::CheckBox, "roads")
        .click();
    let _ = h.try_run();
    h.get_by_label("添加所选").click();
    h.step();
    wait(&mut h, "the added table");
    assert!(h.state().gpkg_choices.is_empty());
    assert!(h.state().messages.is_empty(), "{:?}", h.state().messages);
    let doc = h.state().doc.as_ref().unwrap();
    assert_eq!(
        doc.review.file.layers.barriers.as_deref(),
        Some(Path::new("plan.gpkg#roads"))
    );
    let names: Vec<&str> = doc.dataset.layers.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["zones", "barriers"]);
    assert_eq!(doc.dataset.layers[1].features.len(), 1);
}

/// The sample review with every layer read from a GeoPackage copy made by GDAL's ogr2ogr
/// (tests/fixtures/gpkg/make.sh): the same exit code, and report.json the same as the shapefile
/// review's in everything but the inputs (zones, areas, findings with their numbers, the plan's
/// verdict).
#[test]
fn the_sample_review_from_a_gpkg_copy_gives_identical_results() {
    let dir = tempfile::tempdir().unwrap();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_maps");
    let shp_out = dir.path().join("out_shp");
    let shp_run = run_check(&sample.join("review.toml"), &shp_out);
    shp_run.assert_checked();
    let gpkg = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gpkg/sample.gpkg");
    let gpkg_out = dir.path().join("out_gpkg");
    let gpkg_run = run_check(&sample_review_from(dir.path(), &gpkg), &gpkg_out);
    gpkg_run.assert_checked();
    assert_eq!(gpkg_run.code, shp_run.code, "{gpkg_run}");
    assert_eq!(gpkg_run.code, Some(1), "the sample blocks: {gpkg_run}");
    let (from_shp, from_gpkg) = (report(&shp_out), report(&gpkg_out));
    assert!(from_gpkg["inputs"]
        .to_string()
        .contains("sample.gpkg#farmland"));
    let zones = from_shp["zones"].as_array().map(Vec::len).unwrap_or(0);
    assert!(zones >= 5, "the sample's zones: {zones}");
    assert_same_results(from_shp, from_gpkg);
}
