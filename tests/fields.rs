//! Field detection through the real binary (issue 8 item 3): an administrative code is never
//! the zone id, one id with two names is a blocking plan finding, a field whose values do not
//! fit its role is skipped for the next candidate, report.json says which field was used and
//! how, `[fields_of.<layer>]` and `[rules.severity]` in the review file.
//!
//! Every expected number is worked out by hand from axis-aligned squares in EPSG:4549 (metres):
//! a 500 m square is 250,000 m²; overlaps are rectangles whose sides are read off the
//! coordinates.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::Value;
use std::path::Path;
use support::*;
use zonecheck::io::shp_write::{FieldKind, FieldSpec};

fn text_fields(names: &[&str]) -> Vec<FieldSpec> {
    names
        .iter()
        .map(|n| FieldSpec {
            name: n.to_string(),
            kind: FieldKind::Text(40),
        })
        .collect()
}

fn row(values: &[&str]) -> Vec<Option<String>> {
    values.iter().map(|v| Some(v.to_string())).collect()
}

fn report(out: &Path) -> Value {
    serde_json::from_slice(&read(&out.join("report.json"))).unwrap()
}

fn input<'a>(json: &'a Value, layer: &str) -> &'a Value {
    json["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["layer"] == layer)
        .unwrap_or_else(|| panic!("no input {layer}"))
}

/// The field choice of `role` in layer `layer` of report.json.
fn choice<'a>(json: &'a Value, layer: &str, role: &str) -> &'a Value {
    input(json, layer)["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["role"] == role)
        .unwrap_or_else(|| panic!("no {role} choice in {layer}"))
}

fn zone_ids(json: &Value) -> Vec<String> {
    json["zones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|z| z["id"].as_str().unwrap().to_string())
        .collect()
}

fn plan_rules(json: &Value) -> Vec<String> {
    json["plan"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

fn zones_only(dir: &Path, fields: &[&str], features: &[ShpFeature]) -> std::path::PathBuf {
    write_polygon_shp(
        &dir.join("zones.shp"),
        &text_fields(fields),
        features,
        Some(&esri_wkt(EPSG_GK_120E)),
    );
    let review = dir.join("review.toml");
    write(&review, "[layers]\nzones = \"zones.shp\"\n");
    review
}

#[test]
fn a_fields_name_no_layer_has_is_a_warning_and_detection_takes_over() {
    // `[fields] id = "ZONEID"` while the zones layer has KFQDM: a typo. The zones are still
    // grouped by KFQDM (detected by name) and the warning names the key, the field and the
    // layer, on stderr and in report.json.
    let dir = tempfile::tempdir().unwrap();
    let features = vec![
        (square(X0, Y0, 500.0), row(&["KFQ01", "甲经济开发区"])),
        (square(X0 + 3000.0, Y0, 500.0), row(&["KFQ02", "乙高新区"])),
    ];
    let review = zones_only(dir.path(), &["KFQDM", "KFQMC"], &features);
    write(
        &review,
        "[layers]\nzones = \"zones.shp\"\n[fields]\nid = \"ZONEID\"\nname = \"KFQMC\"\n",
    );
    let out = dir.path().join("out");
    let run = run_check(&review, &out);
    assert_eq!(run.code, Some(0), "{run}");
    let json = report(&out);
    assert_eq!(zone_ids(&json), ["KFQ01", "KFQ02"]);
    assert_eq!(choice(&json, "zones", "id")["field"], "KFQDM");
    let warnings = input(&json, "zones")["warnings"].to_string();
    assert!(
        warnings.contains("[fields] id = \\\"ZONEID\\\"") && warnings.contains("zones"),
        "{warnings}"
    );
    assert!(run.stderr.contains("ZONEID"), "{run}");
    // A name that is there (KFQMC) is no warning.
    assert!(!warnings.contains("KFQMC"), "{warnings}");
}

#[test]
fn an_administrative_code_is_never_the_zone_id() {
    // Two zones of one county (same XZQDM), 500 m squares 2,500 m apart. Grouped by XZQDM they
    // were one zone with two clusters (a false blocking finding); grouped by KFQDM each is one
    // zone of one part: 250,000 m², one cluster, no finding; exit 0.
    let dir = tempfile::tempdir().unwrap();
    let features = vec![
        (
            square(X0, Y0, 500.0),
            row(&["KFQ01", "甲经济开发区", "330109"]),
        ),
        (
            square(X0 + 3000.0, Y0, 500.0),
            row(&["KFQ02", "乙高新区", "330109"]),
        ),
    ];
    let review = zones_only(dir.path(), &["KFQDM", "KFQMC", "XZQDM"], &features);
    let out = dir.path().join("out");
    let run = run_check(&review, &out);
    run.assert_checked();
    assert_eq!(run.code, Some(0), "{run}");
    let json = report(&out);
    assert_eq!(zone_ids(&json), ["KFQ01", "KFQ02"]);
    for z in json["zones"].as_array().unwrap() {
        assert_eq!(z["pass"], true, "{z}");
        assert_eq!(z["clusters"], 1, "{z}");
        assert!(
            (z["area_m2"].as_f64().unwrap() - 250_000.0).abs() < 1e-6,
            "{z}"
        );
    }
    let id = choice(&json, "zones", "id");
    assert_eq!(id["field"], "KFQDM");
    assert_eq!(id["how"], "detected");
    let name = choice(&json, "zones", "name");
    assert_eq!(name["field"], "KFQMC");

    // Without KFQDM: XZQDM is passed over (said in report.json) and the zones are grouped by
    // their names, still two zones that pass.
    let dir = tempfile::tempdir().unwrap();
    let features = vec![
        (square(X0, Y0, 500.0), row(&["甲经济开发区", "330109"])),
        (square(X0 + 3000.0, Y0, 500.0), row(&["乙高新区", "330109"])),
    ];
    let review = zones_only(dir.path(), &["KFQMC", "XZQDM"], &features);
    let out = dir.path().join("out");
    let run = run_check(&review, &out);
    assert_eq!(run.code, Some(0), "{run}");
    let json = report(&out);
    assert_eq!(zone_ids(&json), ["乙高新区", "甲经济开发区"]);
    let id = choice(&json, "zones", "id");
    assert_eq!(id["field"], Value::Null);
    assert_eq!(id["how"], "none");
    assert_eq!(id["skipped"][0]["field"], "XZQDM");
    assert_eq!(id["skipped"][0]["reason"]["kind"], "admin_code");
}

#[test]
fn one_id_with_two_names_is_a_blocking_plan_finding_naming_both() {
    // Z01 twice, side by side (500 m squares touching: one cluster of 500,000 m²), named
    // 甲园区 and 乙园区: kept as one zone, with a blocking plan finding `input.ambiguous_id`
    // naming the id and both names; exit 1.
    let dir = tempfile::tempdir().unwrap();
    let features = vec![
        (square(X0, Y0, 500.0), row(&["Z01", "甲园区"])),
        (square(X0 + 500.0, Y0, 500.0), row(&["Z01", "乙园区"])),
        (square(X0 + 5000.0, Y0, 500.0), row(&["Z02", "丙园区"])),
    ];
    let review = zones_only(dir.path(), &["ID", "NAME"], &features);
    let out = dir.path().join("out");
    let run = run_check(&review, &out);
    run.assert_checked();
    assert_eq!(run.code, Some(1), "{run}");
    let json = report(&out);
    assert_eq!(zone_ids(&json), ["Z01", "Z02"]);
    let z01 = &json["zones"][0];
    assert!((z01["area_m2"].as_f64().unwrap() - 500_000.0).abs() < 1e-6);
    assert_eq!(z01["clusters"], 1);
    let findings = json["plan"]["findings"].as_array().unwrap();
    let f = findings
        .iter()
        .find(|f| f["rule"] == "input.ambiguous_id")
        .unwrap_or_else(|| panic!("no input.ambiguous_id in {findings:?}"));
    assert_eq!(f["severity"], "blocking");
    assert_eq!(f["refs"], serde_json::json!(["Z01", "甲园区", "乙园区"]));
    assert_eq!(f["numbers"]["features"], 2.0);
    for text in [&f["message_zh"], &f["message_en"]] {
        let t = text.as_str().unwrap();
        assert!(
            t.contains("Z01") && t.contains("甲园区") && t.contains("乙园区"),
            "{t}"
        );
    }
    // Only one: Z02 has one name.
    assert_eq!(
        plan_rules(&json)
            .iter()
            .filter(|r| *r == "input.ambiguous_id")
            .count(),
        1
    );
    // A warning on stderr names the id and both names, and the zones file.
    run.assert_warning("zones.shp", &["Z01", "甲园区", "乙园区"]);
    let w = &input(&json, "zones")["warnings"];
    assert_eq!(w.as_array().unwrap().len(), 1, "{w}");
}

/// A water layer as GeoJSON with `ID`, `CLASS` and `BHJB` properties.
fn water_geojson(features: &[(geo::MultiPolygon<f64>, &str, &str, &str)]) -> String {
    let features: Vec<Value> = features
        .iter()
        .map(|(mp, id, class, bhjb)| {
            let polys: Vec<Value> =
                mp.0.iter()
                    .map(|p| {
                        Value::Array(vec![p
                            .exterior()
                            .0
                            .iter()
                            .map(|c| serde_json::json!([c.x, c.y]))
                            .collect()])
                    })
                    .collect();
            serde_json::json!({
                "type": "Feature",
                "properties": {"ID": id, "CLASS": class, "BHJB": bhjb},
                "geometry": {"type": "MultiPolygon", "coordinates": polys},
            })
        })
        .collect();
    serde_json::json!({
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "EPSG:4549"}},
        "features": features,
    })
    .to_string()
}

#[test]
fn a_class_field_without_protection_classes_is_skipped_for_the_next_candidate() {
    // Zone Z01: the 500 m square at (X0, Y0). Water W1 (一级) overlaps it in 100 m × 100 m =
    // 10,000 m², W2 (二级) in 200 m × 100 m = 20,000 m². Their CLASS says 水库型/河流型 (a
    // type of source, not a protection class): skipped with a warning, BHJB is used.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_zones_shp(&d.join("zones.shp"), &zone_features(1));
    write(
        &d.join("water.geojson"),
        water_geojson(&[
            (
                square(X0 + 400.0, Y0 + 400.0, 200.0),
                "W1",
                "水库型",
                "一级保护区",
            ),
            (
                geo::MultiPolygon(vec![geo::Rect::new(
                    geo::coord! { x: X0 - 100.0, y: Y0 - 50.0 },
                    geo::coord! { x: X0 + 200.0, y: Y0 + 100.0 },
                )
                .to_polygon()]),
                "W2",
                "河流型",
                "二级保护区",
            ),
        ]),
    );
    let review = d.join("review.toml");
    write(
        &review,
        "[layers]\nzones = \"zones.shp\"\nwater = \"water.geojson\"\n",
    );
    let out = d.join("out");
    let run = run_check(&review, &out);
    run.assert_checked();
    assert_eq!(run.code, Some(1), "water conflict blocks\n{run}");
    run.assert_warning("water.geojson", &["CLASS", "水库型", "BHJB"]);
    let json = report(&out);
    let class = choice(&json, "water", "class");
    assert_eq!(class["field"], "BHJB");
    assert_eq!(class["how"], "detected");
    assert_eq!(class["skipped"][0]["field"], "CLASS");
    assert_eq!(class["skipped"][0]["reason"]["kind"], "values_do_not_fit");
    assert_eq!(
        class["skipped"][0]["reason"]["examples"],
        serde_json::json!(["水库型", "河流型"])
    );
    // W1's overlap: x 400..500, y 400..500 → 10,000 m²; W2's: x 0..200, y 0..100 → 20,000 m².
    let by_class = &json["zones"][0]["conflicts"]["water"]["by_class_m2"];
    assert!(
        (by_class["一级保护区"].as_f64().unwrap() - 10_000.0).abs() < 1e-6,
        "{by_class}"
    );
    assert!(
        (by_class["二级保护区"].as_f64().unwrap() - 20_000.0).abs() < 1e-6,
        "{by_class}"
    );
    assert!(input(&json, "water")["warnings"][0]["en"]
        .as_str()
        .unwrap()
        .contains("field BHJB is used instead"));
}

#[test]
fn fields_set_per_layer_and_severities_set_per_rule() {
    // Zones with ID and ALT: by ID they are Z01 and Z02 (two 500 m squares 2 km apart); by ALT
    // both are A (one zone, two clusters 1,500 m apart → a blocking clusters finding).
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let features = vec![
        (square(X0, Y0, 500.0), row(&["Z01", "A"])),
        (square(X0 + 2000.0, Y0, 500.0), row(&["Z02", "A"])),
    ];
    let review = zones_only(d, &["ID", "ALT"], &features);
    let out = d.join("out");
    let run = run_check(&review, &out);
    assert_eq!(run.code, Some(0), "{run}");
    assert_eq!(zone_ids(&report(&out)), ["Z01", "Z02"]);

    write(
        &review,
        "[layers]\nzones = \"zones.shp\"\n[fields]\nid = \"ID\"\n[fields_of.zones]\nid = \"ALT\"\n",
    );
    let run = run_check(&review, &out);
    assert_eq!(run.code, Some(1), "{run}");
    let json = report(&out);
    assert_eq!(zone_ids(&json), ["A"]);
    assert_eq!(choice(&json, "zones", "id")["how"], "set_for_layer");
    let z = &json["zones"][0];
    assert_eq!(z["clusters"], 2);
    assert_eq!(z["cluster_gaps_m"][0], 1500.0);
    let clusters = |json: &Value| {
        json["zones"][0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == "clusters")
            .cloned()
            .unwrap()
    };
    assert_eq!(clusters(&json)["severity"], "blocking");

    // The same with clusters lowered to a warning: exit 0, the finding stays as a warning.
    write(
        &review,
        "[layers]\nzones = \"zones.shp\"\n[fields_of.zones]\nid = \"ALT\"\n[rules.severity]\nclusters = \"warning\"\n",
    );
    let run = run_check(&review, &out);
    assert_eq!(run.code, Some(0), "{run}");
    let json = report(&out);
    assert_eq!(clusters(&json)["severity"], "warning");
    assert_eq!(json["zones"][0]["pass"], true);
    assert_eq!(json["settings"]["rules"]["severity"]["clusters"], "warning");

    // A per-layer field the layer lacks is a warning naming the key; detection takes over.
    write(
        &review,
        "[layers]\nzones = \"zones.shp\"\n[fields_of.zones]\nid = \"NOPE\"\n",
    );
    let run = run_check(&review, &out);
    assert_eq!(run.code, Some(0), "{run}");
    run.assert_warning("zones.shp", &["fields_of.zones", "NOPE"]);
    assert_eq!(zone_ids(&report(&out)), ["Z01", "Z02"]);

    // Incomplete or ambiguous input always blocks: its severity cannot be set.
    write(
        &review,
        "[layers]\nzones = \"zones.shp\"\n[rules.severity]\n\"input.ambiguous_id\" = \"info\"\n",
    );
    run_check(&review, &out).assert_bad_input("review.toml", &["input.ambiguous_id"]);
    write(
        &review,
        "[layers]\nzones = \"zones.shp\"\n[rules.severity]\nclusters = \"fatal\"\n",
    );
    run_check(&review, &out).assert_bad_input("review.toml", &["fatal"]);
    write(
        &review,
        "[layers]\nzones = \"zones.shp\"\n[fields_of.farm]\nid = \"BSM\"\n",
    );
    run_check(&review, &out).assert_bad_input("review.toml", &["fields_of.farm"]);
}
