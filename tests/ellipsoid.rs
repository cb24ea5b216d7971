//! Ellipsoidal areas beside planar ones (issue 11, items 5–6), through the real binary: a zone,
//! its expansion, its conflict with farmland and each occupied patch on the CGCS2000 ellipsoid,
//! within 1e-6 relative of pyproj's geodesic areas of the same polygons; report.json keeps its
//! planar `area_m2` keys and adds `area_ellipsoid_m2` (and 亩, 公顷) beside them; findings.csv
//! and report.html show both; the occupied patches' TBMJ reconciled.
//!
//! The reference numbers come from `tests/fixtures/ellipsoid/pyproj_areas.py` (the call is
//! there: each vertex EPSG:4549 → EPSG:4490 with pyproj, then
//! `Geod(a=6378137, f=1/298.257222101).geometry_area_perimeter`), recorded in
//! `tests/fixtures/ellipsoid/expected.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::Value;

include!("fixtures/ellipsoid/expected.rs");

/// (x0, y0, x1, y1) in EPSG:4549 metres as a GeoJSON ring.
fn ring(x0: f64, y0: f64, x1: f64, y1: f64) -> Value {
    serde_json::json!([[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]])
}

fn layer(features: &[(Value, Value)]) -> String {
    let features: Vec<Value> = features
        .iter()
        .map(|(props, rings)| {
            serde_json::json!({
                "type": "Feature",
                "properties": props,
                "geometry": {"type": "Polygon", "coordinates": rings},
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

/// The cells of one CSV line (RFC 4180 quoting; no line breaks inside cells here).
fn csv_cells(line: &str) -> Vec<String> {
    let mut cells = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                cells.last_mut().unwrap().push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => cells.push(String::new()),
            _ => cells.last_mut().unwrap().push(ch),
        }
    }
    cells
}

fn close(got: &Value, want: f64, what: &str) {
    let got = got
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: not a number: {got}"));
    assert!(
        ((got - want) / want).abs() < 1e-6,
        "{what}: {got} vs pyproj {want}"
    );
}

/// Zone Z1: 200 m × 200 m at (640,000 E, 3,350,000 N), 140 km east of the central meridian
/// where Gauss-Krüger enlarges areas by ~0.05 %: 40,000 m² planar, 39,980.64 m² on the
/// ellipsoid. The original zone Y1 is its south half: the expansion is the north half (20,000
/// m² planar). Farmland patch P1 (100 m × 100 m, TBMJ 9995.15 ≈ its ellipsoidal 9,995.154 m²)
/// lies half in the zone; P2 (100 m × 100 m, TBMJ 12,000: 20 % more than its 9,995.17 m²)
/// too. Conflict: 2 × 5,000 m² planar.
fn write_case(dir: &std::path::Path) {
    let w = |name: &str, text: String| std::fs::write(dir.join(name), text).unwrap();
    w(
        "zones.geojson",
        layer(&[(
            serde_json::json!({"ID": "Z1", "NAME": "椭球园区"}),
            ring(640_000.0, 3_350_000.0, 640_200.0, 3_350_200.0),
        )]),
    );
    w(
        "original.geojson",
        layer(&[(
            serde_json::json!({"ID": "Y1", "NAME": "原园区", "LEVEL": "省级"}),
            ring(640_000.0, 3_350_000.0, 640_200.0, 3_350_100.0),
        )]),
    );
    w(
        "farm.geojson",
        layer(&[
            (
                serde_json::json!({"BSM": "P1", "TBMJ": 9995.15}),
                ring(640_150.0, 3_350_050.0, 640_250.0, 3_350_150.0),
            ),
            (
                serde_json::json!({"BSM": "P2", "TBMJ": 12000.0}),
                ring(639_950.0, 3_350_100.0, 640_050.0, 3_350_200.0),
            ),
        ]),
    );
    w(
        "review.toml",
        "[layers]\nzones = \"zones.geojson\"\noriginal = \"original.geojson\"\nfarmland = \"farm.geojson\"\n"
            .to_string(),
    );
}

#[test]
fn every_reported_area_is_also_ellipsoidal_and_matches_pyproj() {
    let dir = tempfile::tempdir().unwrap();
    write_case(dir.path());
    let out = dir.path().join("out");
    let run = support::run_check(&dir.path().join("review.toml"), &out);
    run.assert_no_panic();
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let z = &json["zones"][0];
    assert_eq!(z["id"], "Z1");
    // The planar keys as they were.
    assert!((z["area_m2"].as_f64().unwrap() - 40_000.0).abs() < 1e-6);
    assert!((z["area_mu"].as_f64().unwrap() - 60.0).abs() < 1e-9);
    assert!((z["area_ha"].as_f64().unwrap() - 4.0).abs() < 1e-9);
    // Beside them, on the ellipsoid: m², 亩 (m² × 15 / 10,000), 公顷 (m² / 10,000).
    close(&z["area_ellipsoid_m2"], PYPROJ_CLI_ZONE_M2, "zone");
    close(
        &z["area_ellipsoid_mu"],
        PYPROJ_CLI_ZONE_M2 * 0.0015,
        "zone 亩",
    );
    close(
        &z["area_ellipsoid_ha"],
        PYPROJ_CLI_ZONE_M2 / 1e4,
        "zone 公顷",
    );
    // Its one sub-area (分片区) is the whole zone.
    close(
        &z["parts"][0]["area_ellipsoid_m2"],
        PYPROJ_CLI_ZONE_M2,
        "part",
    );
    assert!((z["expansion_area_m2"].as_f64().unwrap() - 20_000.0).abs() < 1e-6);
    close(
        &z["expansion_area_ellipsoid_m2"],
        PYPROJ_CLI_EXPANSION_M2,
        "expansion",
    );
    let c = &z["conflicts"]["farmland"];
    assert!((c["area_m2"].as_f64().unwrap() - 10_000.0).abs() < 1e-6);
    close(
        &c["area_ellipsoid_m2"],
        PYPROJ_CLI_P1_OCCUPIED_M2 + PYPROJ_CLI_P2_OCCUPIED_M2,
        "conflict",
    );
    let patches = c["features"].as_array().unwrap();
    assert_eq!(patches.len(), 2);
    let expected = [
        ("P1", 9995.15, PYPROJ_CLI_P1_M2, PYPROJ_CLI_P1_OCCUPIED_M2),
        ("P2", 12_000.0, PYPROJ_CLI_P2_M2, PYPROJ_CLI_P2_OCCUPIED_M2),
    ];
    for (p, (id, tbmj, whole, occupied)) in patches.iter().zip(expected) {
        assert_eq!(p["id"], id);
        assert!((p["area_m2"].as_f64().unwrap() - 5_000.0).abs() < 1e-6);
        close(&p["area_ellipsoid_m2"], occupied, id);
        close(&p["patch_area_ellipsoid_m2"], whole, id);
        assert_eq!(p["tbmj_m2"].as_f64(), Some(tbmj));
        // TBMJ × occupied share: P1 9,995.15 × ~0.5 ≈ 4,997.58; P2 12,000 × ~0.5 ≈ 6,000.
        close(&p["tbmj_occupied_m2"], tbmj * occupied / whole, id);
    }
    // The conflict finding carries the ellipsoidal area too (the checks still use the planar).
    let f = z["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "conflict.farmland")
        .unwrap();
    assert!((f["numbers"]["area_m2"].as_f64().unwrap() - 10_000.0).abs() < 1e-6);
    close(
        &f["numbers"]["area_ellipsoid_m2"],
        PYPROJ_CLI_P1_OCCUPIED_M2 + PYPROJ_CLI_P2_OCCUPIED_M2,
        "finding",
    );

    // findings.csv: planar and ellipsoidal, in m², 亩 and 公顷.
    let csv = std::fs::read_to_string(out.join("findings.csv")).unwrap();
    let header = csv_cells(csv.lines().next().unwrap());
    let row = csv_cells(
        csv.lines()
            .find(|l| l.contains("conflict.farmland"))
            .unwrap(),
    );
    let col = |name: &str| {
        let i = header
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == name);
        row[i.unwrap_or_else(|| panic!("{name} in {header:?}"))].clone()
    };
    assert_eq!(col("area_m2"), "10000.00");
    assert_eq!(col("area_mu"), "15.00");
    assert_eq!(col("area_ha"), "1.0000");
    let e = PYPROJ_CLI_P1_OCCUPIED_M2 + PYPROJ_CLI_P2_OCCUPIED_M2; // 9,995.16 m²
    assert_eq!(col("area_ellipsoid_m2"), format!("{e:.2}"));
    assert_eq!(col("area_ellipsoid_mu"), format!("{:.2}", e * 0.0015));
    assert_eq!(col("area_ellipsoid_ha"), format!("{:.4}", e / 1e4));

    // conflicts.shp and conflicts.geojson: per occupied patch, planar and ellipsoidal.
    let shp = zonecheck::load::read_raw(&out.join("conflicts.shp")).unwrap();
    let value = |r: usize, name: &str| {
        let k = shp.fields.iter().position(|f| f == name).unwrap();
        shp.records[r]
            .attrs
            .get(k)
            .map(str::to_string)
            .unwrap_or_default()
    };
    assert_eq!(shp.records.len(), 2);
    assert_eq!(value(0, "AREA_M2").parse::<f64>().unwrap(), 5000.0);
    assert_eq!(value(0, "AREA_HA").parse::<f64>().unwrap(), 0.5);
    let p1: f64 = value(0, "ELL_M2").parse().unwrap();
    assert!((p1 - PYPROJ_CLI_P1_OCCUPIED_M2).abs() <= 0.0005, "{p1}");
    let gj: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("conflicts.geojson")).unwrap())
            .unwrap();
    let props = &gj["features"][1]["properties"];
    assert_eq!(props["feature_id"], "P2");
    let p2 = props["area_ellipsoid_m2"].as_f64().unwrap();
    assert!((p2 - PYPROJ_CLI_P2_OCCUPIED_M2).abs() <= 0.0005, "{p2}");

    // report.html: both, with 公顷.
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("面积对照（平面 / 椭球）"));
    assert!(html.contains("<th>椭球面积</th><td>59.97 亩（39,980.64 m²，3.9981 公顷）</td>"));
    assert!(html.contains("<th>TBMJ（m²）</th>"));
}

/// TBMJ reconciliation: P2's TBMJ 12,000 m² is 20.06 % above its computed 9,995.17 m²
/// (> 1 %): one `tbmj.mismatch` note naming P2 only (P1's 9,995.15 is 0.0004 % off). With
/// `tbmj_tolerance = 0.25` nothing is noted. The note is info: it changes no verdict.
#[test]
fn occupied_patches_whose_tbmj_does_not_fit_are_a_data_quality_note() {
    let dir = tempfile::tempdir().unwrap();
    write_case(dir.path());
    let out = dir.path().join("out");
    let note = |json: &Value| -> Option<Value> {
        json["zones"][0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == "tbmj.mismatch")
            .cloned()
    };
    support::run_check(&dir.path().join("review.toml"), &out).assert_no_panic();
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let f = note(&json).expect("a tbmj.mismatch note");
    assert_eq!(f["severity"], "info");
    assert_eq!(f["refs"], serde_json::json!(["P2"]));
    assert_eq!(f["numbers"]["patches"], 1.0);
    let share = 12_000.0 / PYPROJ_CLI_P2_M2 - 1.0; // 0.2006
    assert!((f["numbers"]["max_difference_share"].as_f64().unwrap() - share).abs() < 1e-9);
    assert!(
        f["message_zh"]
            .as_str()
            .unwrap()
            .contains("P2：TBMJ 12000.00 m²，计算椭球面积 9995.17 m²（+20.06%）"),
        "{f}"
    );

    let review = std::fs::read_to_string(dir.path().join("review.toml")).unwrap();
    std::fs::write(
        dir.path().join("review.toml"),
        format!("{review}[rules]\ntbmj_tolerance = 0.25\n"),
    )
    .unwrap();
    let out2 = dir.path().join("out2");
    support::run_check(&dir.path().join("review.toml"), &out2).assert_no_panic();
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(out2.join("report.json")).unwrap()).unwrap();
    assert!(note(&json).is_none());
    // The reconciliation numbers stay in report.json whatever the tolerance.
    let p2 = &json["zones"][0]["conflicts"]["farmland"]["features"][1];
    assert_eq!(p2["tbmj_m2"], 12_000.0);
}

/// `[rules] area`: Z1 gets a second part of 100.03 m × 100 m = 10,003 m² planar, 9,998.14 m²
/// on the ellipsoid (pyproj), against the default minimum sub-area of 10,000 m².
/// `area = "planar"`: not a fragment. Ellipsoidal (the default, as land accounts are kept): a
/// fragment, its message giving the ellipsoidal area first; the conflict message too.
/// report.json's `area_m2` keys stay planar in both.
#[test]
fn the_area_setting_chooses_what_thresholds_and_messages_use() {
    let dir = tempfile::tempdir().unwrap();
    write_case(dir.path());
    std::fs::write(
        dir.path().join("zones.geojson"),
        layer(&[
            (
                serde_json::json!({"ID": "Z1", "NAME": "椭球园区"}),
                ring(640_000.0, 3_350_000.0, 640_200.0, 3_350_200.0),
            ),
            (
                serde_json::json!({"ID": "Z1", "NAME": "椭球园区"}),
                ring(640_300.0, 3_350_000.0, 640_400.03, 3_350_100.0),
            ),
        ]),
    )
    .unwrap();
    let review = std::fs::read_to_string(dir.path().join("review.toml")).unwrap();
    let run = |name: &str, extra: &str| -> Value {
        std::fs::write(dir.path().join("review.toml"), format!("{review}{extra}")).unwrap();
        let out = dir.path().join(name);
        support::run_check(&dir.path().join("review.toml"), &out).assert_no_panic();
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap()
    };
    let finding = |json: &Value, rule: &str| -> Option<Value> {
        json["zones"][0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == rule)
            .cloned()
    };

    let planar = run("out_planar", "[rules]\narea = \"planar\"\n");
    assert_eq!(planar["settings"]["rules"]["area"], "planar");
    let part_b = &planar["zones"][0]["parts"][1];
    assert!((part_b["area_m2"].as_f64().unwrap() - 10_003.0).abs() < 1e-6);
    close(&part_b["area_ellipsoid_m2"], PYPROJ_CLI_PART_B_M2, "part B");
    assert_eq!(part_b["fragment"], false);
    assert!(finding(&planar, "fragment").is_none());
    let conflict = finding(&planar, "conflict.farmland").unwrap();
    assert!(
        conflict["message_zh"]
            .as_str()
            .unwrap()
            .contains("占用永久基本农田 15.00 亩（10000.0 m²）"),
        "{conflict}"
    );

    let ellipsoidal = run("out_ellipsoidal", "");
    assert_eq!(ellipsoidal["settings"]["rules"]["area"], "ellipsoidal");
    let z = &ellipsoidal["zones"][0];
    assert_eq!(z["parts"][1]["fragment"], true);
    assert!((z["parts"][1]["area_m2"].as_f64().unwrap() - 10_003.0).abs() < 1e-6);
    let f = finding(&ellipsoidal, "fragment").expect("part B is a fragment on the ellipsoid");
    assert!((f["numbers"]["smallest_area_m2"].as_f64().unwrap() - 10_003.0).abs() < 1e-6);
    close(
        &f["numbers"]["smallest_area_ellipsoid_m2"],
        PYPROJ_CLI_PART_B_M2,
        "fragment",
    );
    // 9,998.14 m² = 14.997 亩.
    assert!(
        f["message_zh"]
            .as_str()
            .unwrap()
            .contains("最小 15.00 亩（9998.1 m²，椭球面积；平面 10003.0 m²）"),
        "{f}"
    );
    let conflict = finding(&ellipsoidal, "conflict.farmland").unwrap();
    // 9,995.16 m² = 14.99 亩 on the ellipsoid; the planar 10,000 m² second.
    assert!(
        conflict["message_zh"]
            .as_str()
            .unwrap()
            .contains("占用永久基本农田 14.99 亩（9995.2 m²，椭球面积；平面 10000.0 m²）"),
        "{conflict}"
    );
    assert_eq!(conflict["numbers"]["area_m2"], 10_000.0);
}
