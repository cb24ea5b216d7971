//! Layer roles, severity per protection class, 五(十五) new industrial land, 五(十六) output per
//! mu, location against the CITY/COUNTY attributes and the industries list, through the real
//! binary. Every number is worked out by hand in the test's comment (local metres, EPSG:4549).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::Value;
use support::{run_check, write};

const X0: f64 = 500_000.0;
const Y0: f64 = 3_300_000.0;

type Ring = Vec<(f64, f64)>;

fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Ring {
    vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]
}

/// A GeoJSON layer in EPSG:4549; each feature: properties and one polygon's exterior.
fn geojson(features: &[(Value, Ring)]) -> String {
    let feats: Vec<Value> = features
        .iter()
        .map(|(props, ring)| {
            let ring: Vec<Value> = ring
                .iter()
                .map(|&(x, y)| serde_json::json!([X0 + x, Y0 + y]))
                .collect();
            serde_json::json!({
                "type": "Feature",
                "properties": props,
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            })
        })
        .collect();
    serde_json::json!({
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "EPSG:4549"}},
        "features": feats,
    })
    .to_string()
}

/// Writes the layers, then `review` as review.toml; runs the binary; returns report.json.
fn check(layers: &[(&str, String)], review: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in layers {
        write(&dir.path().join(name), text);
    }
    write(&dir.path().join("review.toml"), review);
    let out = dir.path().join("out");
    let run = run_check(&dir.path().join("review.toml"), &out);
    run.assert_checked();
    serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap()
}

fn zone<'a>(json: &'a Value, id: &str) -> &'a Value {
    json["zones"]
        .as_array()
        .unwrap()
        .iter()
        .find(|z| z["id"] == id)
        .unwrap_or_else(|| panic!("no zone {id}"))
}

fn rules_of(zone: &Value) -> Vec<String> {
    zone["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

fn finding<'a>(findings: &'a Value, rule: &str) -> &'a Value {
    findings
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} in {findings}"))
}

/// Equal to 0.01 m² (the sample's water layer is lon/lat, read back within a millimetre).
fn close(a: &Value, b: f64) {
    let a = a.as_f64().unwrap_or_else(|| panic!("not a number: {a}"));
    assert!((a - b).abs() < 1e-2, "{a} ≠ {b}");
}

/// Zone Z: 1 000 m × 500 m = 500 000 m². 蓝绿空间 G1 spans x 100–300, y 400–600: 200 m × 100 m
/// = 20 000 m² inside Z (share 0.04).
fn green_case(role: Option<&str>) -> Value {
    let layers = [
        (
            "zones.geojson",
            geojson(&[(serde_json::json!({"ID": "Z"}), rect(0., 0., 1000., 500.))]),
        ),
        (
            "green.geojson",
            geojson(&[(
                serde_json::json!({"ID": "G1"}),
                rect(100., 400., 300., 600.),
            )]),
        ),
    ];
    let mut review = String::from(
        "[layers]\nzones = \"zones.geojson\"\n[layers.extra]\n\"蓝绿空间\" = \"green.geojson\"\n",
    );
    if let Some(role) = role {
        review.push_str(&format!("[layers.role]\n\"蓝绿空间\" = \"{role}\"\n"));
    }
    check(&layers, &review)
}

/// The sample's old mistake: 蓝绿空间 as protected land. A control line is delineated inside
/// the zone: its area is reported and the zone passes; an advisory layer warns; a review
/// without a role (every review written before roles) keeps the layer protected.
#[test]
fn a_control_line_inside_a_zone_is_reported_not_a_conflict() {
    let json = green_case(Some("control_line"));
    let z = zone(&json, "Z");
    assert_eq!(rules_of(z), ["control_line.蓝绿空间"]);
    let f = finding(&z["findings"], "control_line.蓝绿空间");
    assert_eq!(f["severity"], "info");
    close(&f["numbers"]["area_m2"], 20_000.0);
    close(&f["numbers"]["share"], 0.04);
    assert!(f["clause"]
        .as_str()
        .unwrap()
        .contains("划定开发区（园区）蓝绿空间、公共设施等控制线"));
    close(&z["control_lines"]["蓝绿空间"], 20_000.0);
    assert_eq!(z["pass"], true);
    assert!(z["conflicts"].get("蓝绿空间").is_none());

    let json = green_case(Some("advisory"));
    let z = zone(&json, "Z");
    let f = finding(&z["findings"], "conflict.蓝绿空间");
    assert_eq!(f["severity"], "warning");
    close(&f["numbers"]["area_m2"], 20_000.0);
    assert_eq!(z["pass"], true);

    let json = green_case(None);
    let z = zone(&json, "Z");
    let f = finding(&z["findings"], "conflict.蓝绿空间");
    assert_eq!(f["severity"], "blocking");
    assert_eq!(z["pass"], false);
    // No per-mu fields in this zones layer: no per-mu finding (nothing to compare).
    assert!(!rules_of(z).iter().any(|r| r.starts_with("per_mu")));
}

/// Water: 二级保护区 x 0–200 and 准保护区 x 200–1 000, both y 500–700. With 准保护区 set to a
/// warning: zone A (x 300–500, y 0–600) occupies 准 only, 200 m × 100 m = 20 000 m²: a warning,
/// A passes. Zone B (x 100–250, y 0–600) occupies 二级 100 m × 100 m = 10 000 m² and 准
/// 50 m × 100 m = 5 000 m²: the strictest class blocks (执行最严标准).
#[test]
fn severity_per_water_class_takes_the_strictest_class() {
    let layers = [
        (
            "zones.geojson",
            geojson(&[
                (serde_json::json!({"ID": "A"}), rect(300., 0., 500., 600.)),
                (serde_json::json!({"ID": "B"}), rect(100., 0., 250., 600.)),
            ]),
        ),
        (
            "water.geojson",
            geojson(&[
                (
                    serde_json::json!({"ID": "W2", "CLASS": "二级保护区"}),
                    rect(0., 500., 200., 700.),
                ),
                (
                    serde_json::json!({"ID": "W3", "CLASS": "准保护区"}),
                    rect(200., 500., 1000., 700.),
                ),
            ]),
        ),
    ];
    let review = "[layers]\nzones = \"zones.geojson\"\nwater = \"water.geojson\"\n[rules.severity_of_class.water]\n\"准保护区\" = \"warning\"\n";
    let json = check(&layers, review);
    let a = zone(&json, "A");
    let f = finding(&a["findings"], "conflict.water");
    assert_eq!(f["severity"], "warning");
    close(&f["numbers"]["area_m2"], 20_000.0);
    assert_eq!(a["pass"], true);
    let b = zone(&json, "B");
    let f = finding(&b["findings"], "conflict.water");
    assert_eq!(f["severity"], "blocking");
    close(&f["numbers"]["area_m2.二级保护区"], 10_000.0);
    close(&f["numbers"]["area_m2.准保护区"], 5_000.0);
    assert_eq!(b["pass"], false);
    // Without the class setting both block, as before.
    let json = check(
        &layers,
        "[layers]\nzones = \"zones.geojson\"\nwater = \"water.geojson\"\n",
    );
    assert_eq!(
        finding(&zone(&json, "A")["findings"], "conflict.water")["severity"],
        "blocking"
    );
}

/// Zone Z: x 0–1 000, y 0–500. New industrial land: N1 x 900–1 100, y 100–200 (100 m × 100 m
/// = 10 000 m² outside); N2 x 100–200, y 100–200 (inside); N3 x 1 000–1 000.3, y 300–400
/// (0.3 m wide, 30 m²: a sliver, under the 200 m² total). One plan warning: 10 000 m², N1.
#[test]
fn new_industrial_land_outside_every_zone_is_a_plan_finding() {
    let layers = [
        (
            "zones.geojson",
            geojson(&[(serde_json::json!({"ID": "Z"}), rect(0., 0., 1000., 500.))]),
        ),
        (
            "land.geojson",
            geojson(&[
                (
                    serde_json::json!({"ID": "N1"}),
                    rect(900., 100., 1100., 200.),
                ),
                (
                    serde_json::json!({"ID": "N2"}),
                    rect(100., 100., 200., 200.),
                ),
                (
                    serde_json::json!({"ID": "N3"}),
                    rect(1000., 300., 1000.3, 400.),
                ),
            ]),
        ),
    ];
    let json = check(
        &layers,
        "[layers]\nzones = \"zones.geojson\"\nnew_industrial = \"land.geojson\"\n",
    );
    let f = finding(&json["plan"]["findings"], "new_industrial");
    assert_eq!(f["severity"], "warning");
    assert_eq!(f["zone"], Value::Null);
    close(&f["numbers"]["area_m2"], 10_000.0);
    close(&f["numbers"]["area_mu"], 15.0);
    assert_eq!(f["refs"], serde_json::json!(["N1"]));
    assert!(f["clause"]
        .as_str()
        .unwrap()
        .contains("整合后的开发区（园区）以外原则上不再新增工业建设用地"));
    // New industrial land is not protected land: the zone passes.
    assert_eq!(zone(&json, "Z")["pass"], true);
}

/// 亩均税收 / 亩均增加值 against 30 and 120 万元/亩: Z1 28.6 and 131 (tax below); Z2 30 and 120
/// (on the targets: not below); Z3 leaves both empty (a notice). Each zone 100 m × 100 m.
#[test]
fn output_per_mu_is_compared_with_the_targets() {
    let layers = [(
        "zones.geojson",
        geojson(&[
            (
                serde_json::json!({"ID": "Z1", "MJSS": 28.6, "MJZJZ": 131}),
                rect(0., 0., 100., 100.),
            ),
            (
                serde_json::json!({"ID": "Z2", "MJSS": 30, "MJZJZ": 120}),
                rect(200., 0., 300., 100.),
            ),
            (
                serde_json::json!({"ID": "Z3", "MJSS": null, "MJZJZ": null}),
                rect(400., 0., 500., 100.),
            ),
        ]),
    )];
    let json = check(
        &layers,
        "[layers]\nzones = \"zones.geojson\"\n[rules]\nmin_part_area_m2 = 0\n",
    );
    let z1 = zone(&json, "Z1");
    assert_eq!(rules_of(z1), ["per_mu.below"]);
    let f = finding(&z1["findings"], "per_mu.below");
    assert_eq!(f["severity"], "warning");
    close(&f["numbers"]["tax_per_mu_wan"], 28.6);
    close(&f["numbers"]["tax_per_mu_wan.target"], 30.0);
    assert!(f["numbers"].get("value_added_per_mu_wan").is_none());
    assert!(rules_of(zone(&json, "Z2")).is_empty());
    let z3 = zone(&json, "Z3");
    assert_eq!(rules_of(z3), ["per_mu.missing"]);
    assert_eq!(
        finding(&z3["findings"], "per_mu.missing")["severity"],
        "info"
    );
    // A stricter target makes Z2 warn on both.
    let json = check(
        &layers,
        "[layers]\nzones = \"zones.geojson\"\n[rules]\nmin_part_area_m2 = 0\ntax_per_mu_wan = 31\nvalue_added_per_mu_wan = 121\n",
    );
    let f = finding(&zone(&json, "Z2")["findings"], "per_mu.below");
    close(&f["numbers"]["value_added_per_mu_wan"], 120.0);
    close(&f["numbers"]["tax_per_mu_wan"], 30.0);
}

/// Townships: T1 x 0–1 000 in 杭州市 萧山区, T2 x 1 000–2 000 in 杭州市 滨江区 (y 0–1 000). Z1
/// says 萧山区 but its largest part (x 1 100–1 900, y 100–500: 320 000 m²) lies in T2; its
/// small part (x 100–300, y 100–300: 40 000 m²) in T1 does not decide. Z2 (萧山区, in T1) and
/// Z3 (市本级 of 杭州市, in T2) agree.
#[test]
fn a_zone_whose_largest_part_lies_in_another_county_warns() {
    let attrs =
        |id: &str, county: &str| serde_json::json!({"ID": id, "CITY": "杭州市", "COUNTY": county});
    let layers = [
        (
            "zones.geojson",
            geojson(&[
                (attrs("Z1", "萧山区"), rect(1100., 100., 1900., 500.)),
                (attrs("Z1", "萧山区"), rect(100., 100., 300., 300.)),
                (attrs("Z2", "萧山区"), rect(100., 600., 900., 900.)),
                (attrs("Z3", "市本级"), rect(1100., 600., 1900., 900.)),
            ]),
        ),
        (
            "towns.geojson",
            geojson(&[
                (
                    serde_json::json!({"XZQMC": "宁围街道", "CITY": "杭州市", "COUNTY": "萧山区"}),
                    rect(0., 0., 1000., 1000.),
                ),
                (
                    serde_json::json!({"XZQMC": "浦沿街道", "CITY": "杭州市", "COUNTY": "滨江区"}),
                    rect(1000., 0., 2000., 1000.),
                ),
            ]),
        ),
    ];
    let review = "[layers]\nzones = \"zones.geojson\"\ntownships = \"towns.geojson\"\n[rules]\nmax_clusters = 5\n";
    let json = check(&layers, review);
    let z1 = zone(&json, "Z1");
    let f = finding(&z1["findings"], "location");
    assert_eq!(f["severity"], "warning");
    close(&f["numbers"]["part_area_m2"], 320_000.0);
    close(&f["numbers"]["area_in_township_m2"], 320_000.0);
    assert!(f["message_en"].as_str().unwrap().contains("滨江区"), "{f}");
    for id in ["Z2", "Z3"] {
        assert!(
            !rules_of(zone(&json, id)).contains(&"location".to_string()),
            "{id}"
        );
    }
}

/// "纺织 化纤、智能 家居" is two industries (a space is part of a name): no finding under the
/// cap of 3; "纺织 化纤、智能 家居；现代 物流/生物 医药" is four: a warning counting 4.
#[test]
fn industries_split_at_list_separators_not_spaces() {
    let layers = [(
        "zones.geojson",
        geojson(&[
            (
                serde_json::json!({"ID": "Z1", "INDUSTRIES": "纺织 化纤、智能 家居"}),
                rect(0., 0., 200., 100.),
            ),
            (
                serde_json::json!({"ID": "Z2", "INDUSTRIES": "纺织 化纤、智能 家居；现代 物流/生物 医药"}),
                rect(300., 0., 500., 100.),
            ),
        ]),
    )];
    let json = check(&layers, "[layers]\nzones = \"zones.geojson\"\n");
    assert!(!rules_of(zone(&json, "Z1")).contains(&"industries".to_string()));
    assert_eq!(
        zone(&json, "Z1")["industries"],
        serde_json::json!(["纺织 化纤", "智能 家居"])
    );
    let f = finding(&zone(&json, "Z2")["findings"], "industries");
    close(&f["numbers"]["industries"], 4.0);
}

/// The sample (sample_maps/README.md, worked out there): 蓝绿空间 is a control line inside M003
/// (200 m × 150 m = 30 000 m²), 自然保护地 NR01 a protected conflict in M003 (200 m × 100 m =
/// 20 000 m²); M002's water conflict is 准保护区 40 000 m² (set to warn) and 二级保护区
/// 10 000 m² (blocks: the strictest class); M002 says 绍兴市 but lies in 杭州市; its 亩均税收
/// 28.6 < 30; M003 gives no per-mu values; GY0002's southern plot (200 m × 100 m) is new
/// industrial land outside every zone; M004 passes with no finding.
#[test]
fn the_sample_shows_control_lines_classes_and_the_new_rules() {
    let review = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_maps/review.toml");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let run = run_check(&review, &out);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    for z in json["zones"].as_array().unwrap() {
        assert!(!rules_of(z).contains(&"conflict.蓝绿空间".to_string()));
    }
    let m003 = zone(&json, "M003");
    let f = finding(&m003["findings"], "conflict.自然保护地");
    assert_eq!(f["severity"], "blocking");
    close(&f["numbers"]["area_m2"], 20_000.0);
    let f = finding(&m003["findings"], "control_line.蓝绿空间");
    assert_eq!(f["severity"], "info");
    close(&f["numbers"]["area_m2"], 30_000.0);
    close(&m003["control_lines"]["蓝绿空间"], 30_000.0);
    assert_eq!(
        finding(&m003["findings"], "per_mu.missing")["severity"],
        "info"
    );

    let m002 = zone(&json, "M002");
    let f = finding(&m002["findings"], "conflict.water");
    assert_eq!(f["severity"], "blocking");
    close(&f["numbers"]["area_m2.准保护区"], 40_000.0);
    close(&f["numbers"]["area_m2.二级保护区"], 10_000.0);
    // Blocking as the layer is: no class changed it, so no class note in the message.
    assert!(!f["message_en"]
        .as_str()
        .unwrap()
        .contains("the strictest applies"));
    assert_eq!(
        finding(&m002["findings"], "location")["severity"],
        "warning"
    );
    close(
        &finding(&m002["findings"], "per_mu.below")["numbers"]["tax_per_mu_wan"],
        28.6,
    );

    let f = finding(&json["plan"]["findings"], "new_industrial");
    close(&f["numbers"]["area_m2"], 20_000.0);
    assert_eq!(f["refs"], serde_json::json!(["330109GY0002"]));

    let m004 = zone(&json, "M004");
    assert_eq!(m004["pass"], true);
    assert!(rules_of(m004).is_empty(), "{:?}", rules_of(m004));
    assert_eq!(
        m004["industries"],
        serde_json::json!(["纺织 化纤", "智能 家居"])
    );
    close(&m004["control_lines"]["蓝绿空间"], 0.0);
}
