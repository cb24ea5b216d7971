//! `zonecheck fix` through the real binary: protected land cut out of merged zones, fragments
//! removed, the fixed plan written as a GBK (or UTF-8) shapefile with a review pointing at it,
//! inputs never touched.
//!
//! Expected areas are worked out by hand from axis-aligned rectangles in EPSG:4549 (metres).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use support::*;
use zonecheck::io::shp_write::{FieldKind, FieldSpec};

fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> geo::MultiPolygon<f64> {
    let ring = geo::LineString::from(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]);
    geo::MultiPolygon(vec![geo::Polygon::new(ring, vec![])])
}

fn fields(names: &[&str]) -> Vec<FieldSpec> {
    names
        .iter()
        .map(|n| FieldSpec {
            name: n.to_string(),
            kind: FieldKind::Text(40),
        })
        .collect()
}

fn fix(args: &[&str]) -> Run {
    let mut all = vec!["fix"];
    all.extend_from_slice(args);
    run_zonecheck(all)
}

fn report(out: &Path) -> Value {
    serde_json::from_slice(&read(&out.join("report.json"))).unwrap()
}

/// Every finding's rule id in report.json, zones and plan.
fn rules_of(json: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for z in json["zones"].as_array().unwrap() {
        for f in z["findings"].as_array().unwrap() {
            out.push(f["rule"].as_str().unwrap().to_string());
        }
    }
    for f in json["plan"]["findings"].as_array().unwrap() {
        out.push(f["rule"].as_str().unwrap().to_string());
    }
    out
}

/// A plan in `dir/in`: zone M1 (萧山经济技术开发区) 0..1000 × 0..500 plus a 50 × 50 part
/// 300 m away; zone M2 (峃口园区) 2000..2500 × 0..500, clean. Red line R1 over x 800..1200
/// of M1. Coordinates from (X0, Y0).
fn plan(dir: &Path) -> PathBuf {
    let input = dir.join("in");
    std::fs::create_dir_all(&input).unwrap();
    let r = |x0: f64, y0: f64, x1: f64, y1: f64| rect(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1);
    let row = |id: &str, name: &str| vec![Some(id.to_string()), Some(name.to_string())];
    write_polygon_shp(
        &input.join("zones.shp"),
        &fields(&["ID", "MC"]),
        &[
            (r(0.0, 0.0, 1000.0, 500.0), row("M1", "萧山经济技术开发区")),
            (
                r(-350.0, 0.0, -300.0, 50.0),
                row("M1", "萧山经济技术开发区"),
            ),
            (r(2000.0, 0.0, 2500.0, 500.0), row("M2", "峃口园区")),
        ],
        Some(&esri_wkt(EPSG_GK_120E)),
    );
    write_polygon_shp(
        &input.join("redline.shp"),
        &fields(&["BSM"]),
        &[(r(800.0, -100.0, 1200.0, 600.0), vec![Some("R1".into())])],
        Some(&esri_wkt(EPSG_GK_120E)),
    );
    let review = input.join("review.toml");
    write(
        &review,
        "[layers]\nzones = \"zones.shp\"\nredline = \"redline.shp\"\n[fields]\nid = \"ID\"\nname = \"MC\"\n",
    );
    review
}

#[test]
fn cut_protected_and_drop_fragments_then_the_fixed_plan_passes() {
    let dir = tempfile::tempdir().unwrap();
    let review = plan(dir.path());
    let before = snapshot(&dir.path().join("in"));

    // The plan as given: M1 occupies 200 × 500 = 100,000 m² of red line, and its 2,500 m²
    // part is a fragment (under 10,000 m²).
    let out0 = dir.path().join("check0");
    let run = run_check(&review, &out0);
    assert_eq!(run.code, Some(1), "{run}");
    assert!(rules_of(&report(&out0)).contains(&"conflict.redline".to_string()));

    let fixed = dir.path().join("fixed");
    let run = fix(&[
        review.to_str().unwrap(),
        "--out",
        fixed.to_str().unwrap(),
        "--cut-protected",
        "--drop-fragments",
        "--lang",
        "en",
    ]);
    assert_eq!(run.code, Some(0), "{run}");
    assert!(run.stdout.contains("M1"), "{run}");
    // Inputs untouched.
    assert_same_files(&before, &snapshot(&dir.path().join("in")));

    // changes.csv: M1 only. Before 500,000 + 2,500 = 502,500 m²; cut 100,000; fragment 2,500;
    // after 400,000 m² = 600 亩.
    let csv = String::from_utf8(read(&fixed.join("changes.csv"))).unwrap();
    let rows: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(rows.len(), 2, "{csv}");
    let cols: Vec<&str> = rows[1].split(',').collect();
    assert_eq!(cols[0], "M1");
    assert_eq!(cols[1], "502500.00");
    assert_eq!(cols[2], "400000.00");
    assert_eq!(cols[3], "600.0000");
    assert_eq!(cols[4], "100000.00");
    assert_eq!(cols[6], "redline: 100000.00");
    assert_eq!(cols[8], "2500.00");
    assert_eq!(cols[12], "1");

    // The written layer: GBK with its .cpg and .prj; the names come back through a check.
    assert_eq!(read(&fixed.join("zones_fixed.cpg")), b"GBK");
    assert!(fixed.join("zones_fixed.prj").exists());
    let dbf = read(&fixed.join("zones_fixed.dbf"));
    let gbk = encoding_rs::GBK.encode("峃口园区").0.into_owned();
    assert!(dbf.windows(gbk.len()).any(|w| w == gbk.as_slice()));

    let out1 = dir.path().join("check1");
    let run = run_check(&fixed.join("review.toml"), &out1);
    assert_eq!(run.code, Some(0), "{run}");
    let json = report(&out1);
    let rules = rules_of(&json);
    assert!(
        !rules
            .iter()
            .any(|r| r.starts_with("conflict.") || r == "fragment"),
        "{rules:?}"
    );
    let zones = json["zones"].as_array().unwrap();
    assert_eq!(zones.len(), 2);
    assert_eq!(zones[0]["name"], "萧山经济技术开发区");
    assert_eq!(zones[1]["name"], "峃口园区");
    assert!((zones[0]["area_m2"].as_f64().unwrap() - 400_000.0).abs() < 1e-3);
    assert!((zones[1]["area_m2"].as_f64().unwrap() - 250_000.0).abs() < 1e-6);
}

#[test]
fn fix_on_the_sample_leaves_no_protected_land_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_maps");
    let before = snapshot(&sample);
    let fixed = dir.path().join("fixed");
    let run = fix(&[
        sample.join("review.toml").to_str().unwrap(),
        "--out",
        fixed.to_str().unwrap(),
        "--cut-protected",
        "--close-gaps",
    ]);
    assert_eq!(run.code, Some(0), "{run}");
    assert_same_files(&before, &snapshot(&sample));
    let out = dir.path().join("check");
    let run = run_check(&fixed.join("review.toml"), &out);
    assert!(run.code == Some(0) || run.code == Some(1), "{run}");
    let rules = rules_of(&report(&out));
    assert!(
        !rules.iter().any(|r| r.starts_with("conflict.")),
        "{rules:?}"
    );
    // The same number of zones, with their names.
    let json = report(&out);
    assert_eq!(json["zones"].as_array().unwrap().len(), 5);
    // The control line inside M003 (蓝绿空间, 30 000 m²) is delineated, never cut out; the
    // protected 自然保护地 inside it (20 000 m²) is.
    let m003 = json["zones"]
        .as_array()
        .unwrap()
        .iter()
        .find(|z| z["id"] == "M003")
        .unwrap();
    let cl = m003["control_lines"]["蓝绿空间"].as_f64().unwrap();
    assert!((cl - 30_000.0).abs() < 1e-3, "{m003}");
}

#[test]
fn only_the_named_zones_change_and_bad_requests_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let review = plan(dir.path());
    let r = review.to_str().unwrap();
    // Only M2 (which occupies nothing): no change at all.
    let out = dir.path().join("m2");
    let run = fix(&[
        r,
        "--out",
        out.to_str().unwrap(),
        "--cut-protected",
        "--zones",
        "M2",
    ]);
    assert_eq!(run.code, Some(0), "{run}");
    let csv = String::from_utf8(read(&out.join("changes.csv"))).unwrap();
    assert_eq!(csv.lines().count(), 1, "{csv}");
    // An unknown zone, no fix chosen, the output in the input folder: exit 2, one line.
    let out = dir.path().join("x");
    let run = fix(&[
        r,
        "--out",
        out.to_str().unwrap(),
        "--cut-protected",
        "--zones",
        "M9",
        "--lang",
        "en",
    ]);
    assert_eq!(run.code, Some(2), "{run}");
    assert!(run.stderr.contains("M9"), "{run}");
    let run = fix(&[r, "--out", out.to_str().unwrap(), "--lang", "en"]);
    assert_eq!(run.code, Some(2), "{run}");
    assert!(run.stderr.contains("--cut-protected"), "{run}");
    let before = snapshot(&dir.path().join("in"));
    let input = dir.path().join("in");
    let run = fix(&[r, "--out", input.to_str().unwrap(), "--cut-protected"]);
    assert_eq!(run.code, Some(2), "{run}");
    assert_same_files(&before, &snapshot(&input));
}

#[test]
fn a_name_gbk_cannot_hold_is_an_error_unless_utf8_is_chosen() {
    // 𠀀 (U+20000, CJK Extension B) is outside GBK: saving as GBK would turn it into `?`.
    let dir = tempfile::tempdir().unwrap();
    let review = plan(dir.path());
    let input = dir.path().join("in");
    write_polygon_shp(
        &input.join("zones.shp"),
        &fields(&["ID", "MC"]),
        &[(
            rect(X0, Y0, X0 + 1000.0, Y0 + 500.0),
            vec![Some("M1".into()), Some("𠀀园区".into())],
        )],
        Some(&esri_wkt(EPSG_GK_120E)),
    );
    let out = dir.path().join("gbk");
    let run = fix(&[
        review.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--cut-protected",
        "--lang",
        "en",
    ]);
    assert_eq!(run.code, Some(2), "{run}");
    assert!(
        run.stderr.contains("utf-8") && run.stderr.contains("MC"),
        "{run}"
    );
    let out = dir.path().join("utf8");
    let run = fix(&[
        review.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--cut-protected",
        "--encoding",
        "utf-8",
    ]);
    assert_eq!(run.code, Some(0), "{run}");
    assert_eq!(read(&out.join("zones_fixed.cpg")), b"UTF-8");
    let check = dir.path().join("check");
    run_check(&out.join("review.toml"), &check);
    assert_eq!(report(&check)["zones"][0]["name"], "𠀀园区");
}

#[test]
fn merging_originals_equals_the_geos_union() {
    // tests/fixtures/merge_originals_geos.json: 12 random star polygons (ids Y01–Y12) and 15
    // merges, each with the area of the union GEOS (shapely.unary_union) gives; how it was made
    // is in the file. zonecheck's merge must agree to 1e-7 relative.
    use zonecheck::fix::{merge_originals, NewZone};
    use zonecheck::model::fields::Fields;
    use zonecheck::model::plaques::PlaqueTable;
    use zonecheck::model::{Feature, Layer, LayerRole, SourceInfo};
    let doc: Value = serde_json::from_slice(&read(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/merge_originals_geos.json"),
    ))
    .unwrap();
    let polygons = doc["polygons"].as_object().unwrap();
    let original = Layer {
        name: "original".into(),
        role: LayerRole::Original,
        fields: vec!["ID".into(), "LEVEL".into()],
        features: polygons
            .iter()
            .enumerate()
            .map(|(index, (id, ring))| {
                let coords: Vec<(f64, f64)> = ring
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| (c[0].as_f64().unwrap(), c[1].as_f64().unwrap()))
                    .collect();
                let level = if index == 0 {
                    "国家级高新技术产业开发区"
                } else {
                    "省级经济开发区"
                };
                Feature {
                    index,
                    geometry: geo::MultiPolygon(vec![geo::Polygon::new(
                        geo::LineString::from(coords),
                        vec![],
                    )]),
                    attrs: vec![Some(id.clone()), Some(level.into())].into(),
                }
            })
            .collect(),
        source: SourceInfo::default(),
    };
    let plan = Layer {
        name: "zones".into(),
        role: LayerRole::Zones,
        fields: vec!["ID".into(), "MC".into(), "LEVEL".into(), "MEMBERS".into()],
        // One zone already there, so that its fields are recognised by their values too.
        features: vec![Feature {
            index: 0,
            geometry: rect(0.0, 0.0, 1.0, 1.0),
            attrs: vec![
                Some("M0".into()),
                Some("已有开发区".into()),
                Some("省级经济开发区".into()),
                Some("Y01".into()),
            ]
            .into(),
        }],
        source: SourceInfo::default(),
    };
    let plan_fields = Fields::resolve(&plan, &Default::default());
    let original_fields = Fields::resolve(&original, &Default::default());
    let table = PlaqueTable::default();
    for (k, m) in doc["merges"].as_array().unwrap().iter().enumerate() {
        let members: Vec<String> = m["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        let new = NewZone {
            id: format!("N{k}"),
            name: Some("新区".into()),
        };
        let edit = merge_originals(
            &plan,
            &plan_fields,
            &original,
            &original_fields,
            &members,
            &new,
            &table,
            None,
        )
        .unwrap();
        let zonecheck::model::edit::PlanEdit::Insert { feature, .. } = edit else {
            panic!("an insert");
        };
        use geo::Area;
        let area = feature.geometry.unsigned_area();
        let geos = m["area_m2"].as_f64().unwrap();
        assert!(
            ((area - geos) / geos).abs() < 1e-7,
            "{members:?}: {area} vs GEOS {geos}"
        );
        assert_eq!(
            feature.geometry.0.len() as u64,
            m["parts"].as_u64().unwrap()
        );
        assert_eq!(feature.attrs.get(3), Some(members.join("、").as_str()));
        // 牌子: Y01 is the only national member; otherwise the provincial plaque.
        let level = if members.contains(&"Y01".to_string()) {
            "国家级高新技术产业开发区"
        } else {
            "省级经济开发区"
        };
        assert_eq!(feature.attrs.get(2), Some(level));
    }
    // An id already in use, an unknown member: refused.
    let mut with_one = plan.clone();
    with_one.features.push(Feature {
        index: 0,
        geometry: geo::MultiPolygon(vec![]),
        attrs: vec![Some("N0".into()), None, None, None].into(),
    });
    let taken = NewZone {
        id: "N0".into(),
        name: None,
    };
    assert!(merge_originals(
        &with_one,
        &plan_fields,
        &original,
        &original_fields,
        &["Y01".into()],
        &taken,
        &table,
        None,
    )
    .is_err());
    let fresh = NewZone {
        id: "N1".into(),
        name: None,
    };
    let e = merge_originals(
        &plan,
        &plan_fields,
        &original,
        &original_fields,
        &["Y99".into()],
        &fresh,
        &table,
        None,
    )
    .unwrap_err();
    assert!(e.en.contains("Y99"), "{e:?}");
}

#[test]
fn the_fixed_plan_as_geojson_checks_the_same() {
    // The same fix as the shapefile case, written as GeoJSON: M1 400,000 m² and no conflict.
    let dir = tempfile::tempdir().unwrap();
    let review = plan(dir.path());
    let fixed = dir.path().join("fixed");
    let run = fix(&[
        review.to_str().unwrap(),
        "--out",
        fixed.to_str().unwrap(),
        "--cut-protected",
        "--drop-fragments",
        "--geojson",
    ]);
    assert_eq!(run.code, Some(0), "{run}");
    assert!(fixed.join("zones_fixed.geojson").exists());
    assert!(!fixed.join("zones_fixed.shp").exists());
    let out = dir.path().join("check");
    let run = run_check(&fixed.join("review.toml"), &out);
    assert_eq!(run.code, Some(0), "{run}");
    let json = report(&out);
    assert!(!rules_of(&json).iter().any(|r| r.starts_with("conflict.")));
    let zones = json["zones"].as_array().unwrap();
    assert_eq!(zones[0]["name"], "萧山经济技术开发区");
    assert!((zones[0]["area_m2"].as_f64().unwrap() - 400_000.0).abs() < 1e-3);
}
