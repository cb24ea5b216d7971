//! 分片区 and 集中连片 through the real binary: the number of parts, connections narrower than
//! the minimum width, gaps bridged by barriers (roads, rivers, railways) and by protected land.
//! Every number is worked out by hand in the test's comment.
//!
//! Defaults: `contiguity_distance_m` = 0, `max_clusters` = 1, `max_parts` = 10,
//! `min_connection_width_m` = 30, `max_bridged_gap_m` = 100, `min_part_area_m2` = 10 000.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::Value;
use std::path::Path;
use support::{run_check, write, Run};

/// Origin of the local coordinates in EPSG:4549 (metres).
const X0: f64 = 500_000.0;
const Y0: f64 = 3_300_000.0;

type Ring = Vec<(f64, f64)>;

fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Ring {
    vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]
}

/// A GeoJSON layer in EPSG:4549 (legacy `crs` member); each feature: properties and the rings
/// of one polygon (exterior first) in local metres.
fn geojson(features: &[(Value, Vec<Ring>)]) -> String {
    let feats: Vec<Value> = features
        .iter()
        .map(|(props, rings)| {
            let rings: Vec<Value> = rings
                .iter()
                .map(|r| {
                    r.iter()
                        .map(|&(x, y)| serde_json::json!([X0 + x, Y0 + y]))
                        .collect()
                })
                .collect();
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
        "features": feats,
    })
    .to_string()
}

fn id(s: &str) -> Value {
    serde_json::json!({ "ID": s })
}

/// One layer of one-polygon features, all with id `i`.
fn layer(i: &str, polys: Vec<Ring>) -> String {
    let feats: Vec<(Value, Vec<Ring>)> = polys.into_iter().map(|r| (id(i), vec![r])).collect();
    geojson(&feats)
}

struct Case {
    dir: tempfile::TempDir,
}

impl Case {
    fn new() -> Case {
        Case {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, name: &str) -> std::path::PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, text: &str) {
        write(&self.path(name), text);
    }

    /// Runs the binary on `review` (written as review.toml), returns the run and report.json.
    fn run(&self, review: &str) -> (Run, Value) {
        self.write("review.toml", review);
        let out = self.path("out");
        let run = run_check(&self.path("review.toml"), &out);
        run.assert_checked();
        let json = report(&out);
        (run, json)
    }
}

fn report(out: &Path) -> Value {
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

/// The findings of `zone` with rule `rule`.
fn findings<'a>(zone: &'a Value, rule: &str) -> Vec<&'a Value> {
    zone["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

fn num(f: &Value, key: &str) -> f64 {
    f["numbers"][key]
        .as_f64()
        .unwrap_or_else(|| panic!("no number {key} in {f}"))
}

fn nums(z: &Value, key: &str) -> Vec<f64> {
    z[key]
        .as_array()
        .unwrap_or_else(|| panic!("no {key} in {z}"))
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect()
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

const ZONES: &str = "[layers]\nzones = \"zones.geojson\"\n";

/// 42 squares of 110 m in 6 rows of 7, 150 m apart: each is 40 m from its neighbours in its
/// row and column (diagonal neighbours are √(40² + 40²) ≈ 56.6 m apart). Each is 12 100 m², over
/// the 10 000 m² minimum. With a 50 m contiguity distance they are one cluster, but 42 parts
/// are over the cap of 10: a `parts` warning with 42 and 10, and no `clusters` finding.
#[test]
fn forty_two_parts_40_m_apart_are_one_cluster_but_too_many_parts() {
    let c = Case::new();
    let mut squares = Vec::new();
    for row in 0..6 {
        for col in 0..7 {
            let (x, y) = (col as f64 * 150.0, row as f64 * 150.0);
            squares.push(rect(x, y, x + 110.0, y + 110.0));
        }
    }
    c.write("zones.geojson", &layer("Z", squares));
    let (run, json) = c.run(&format!("{ZONES}[rules]\ncontiguity_distance_m = 50\n"));
    // A warning does not fail the zone.
    assert_eq!(run.code, Some(0), "{run}");
    let z = zone(&json, "Z");
    assert_eq!(z["part_count"], 42, "{z}");
    assert_eq!(z["clusters"], 1, "{z}");
    assert!(findings(z, "clusters").is_empty(), "{z}");
    assert!(findings(z, "fragment").is_empty(), "{z}");
    let p = findings(z, "parts");
    assert_eq!(p.len(), 1, "{z}");
    assert_eq!(p[0]["severity"], "warning");
    assert_eq!(num(p[0], "parts"), 42.0);
    assert_eq!(num(p[0], "max_parts"), 10.0);
    assert!(p[0]["clause"]
        .as_str()
        .unwrap()
        .contains("严格控制分片区数量"));

    // The cap is a setting: at 42 the count passes; the severity is a setting too.
    let (_, json) = c.run(&format!(
        "{ZONES}[rules]\ncontiguity_distance_m = 50\nmax_parts = 42\n"
    ));
    assert!(findings(zone(&json, "Z"), "parts").is_empty());
    let (run, json) = c.run(&format!(
        "{ZONES}[rules]\ncontiguity_distance_m = 50\n[rules.severity]\nparts = \"blocking\"\n"
    ));
    assert_eq!(run.code, Some(1), "{run}");
    assert_eq!(
        findings(zone(&json, "Z"), "parts")[0]["severity"],
        "blocking"
    );
}

/// Two 200 m squares (0..200 and 1000..1200 × 0..200) joined by a corridor 2 m wide and 800 m
/// long (200..1000 × 99..101): one polygon, one part of 2 × 40 000 + 1 600 = 81 600 m². Under
/// the default minimum connection width of 30 m the corridor joins nothing: the squares are two
/// clusters, 800 m apart along the corridor (their facing edges x = 200 and x = 1000 stay
/// where they are after the opening), a blocking `clusters` finding that names the narrow strip.
/// With the width test off (0) the corridor joins them: one cluster, no finding.
#[test]
fn a_2_m_corridor_does_not_join_two_squares() {
    let c = Case::new();
    let dumbbell: Ring = vec![
        (0., 0.),
        (200., 0.),
        (200., 99.),
        (1000., 99.),
        (1000., 0.),
        (1200., 0.),
        (1200., 200.),
        (1000., 200.),
        (1000., 101.),
        (200., 101.),
        (200., 200.),
        (0., 200.),
        (0., 0.),
    ];
    c.write("zones.geojson", &layer("Z", vec![dumbbell]));
    let (run, json) = c.run(ZONES);
    assert_eq!(run.code, Some(1), "{run}");
    let z = zone(&json, "Z");
    assert_eq!(z["part_count"], 1, "{z}");
    assert!(close(z["area_m2"].as_f64().unwrap(), 81_600.0, 1e-6), "{z}");
    assert_eq!(z["clusters"], 2, "{z}");
    assert_eq!(z["parts"][0]["pieces"], 2, "{z}");
    let gaps = nums(z, "cluster_gaps_m");
    assert_eq!(gaps.len(), 1);
    // The opening draws its arcs with segments: a bump of a few centimetres of the shrunk
    // square at the corridor's mouth comes back as 0.03 m of corridor on each piece.
    assert!(close(gaps[0], 800.0, 0.1), "{gaps:?}");
    let f = findings(z, "clusters");
    assert_eq!(f.len(), 1, "{z}");
    assert_eq!(f[0]["severity"], "blocking");
    assert_eq!(num(f[0], "narrow_parts"), 1.0);
    assert_eq!(num(f[0], "min_connection_width_m"), 30.0);
    assert!(
        f[0]["message_en"]
            .as_str()
            .unwrap()
            .contains("narrower than 30 m"),
        "{}",
        f[0]
    );
    // One part: no `parts` finding.
    assert!(findings(z, "parts").is_empty());

    // The width test off: the corridor joins.
    let (run, json) = c.run(&format!("{ZONES}[rules]\nmin_connection_width_m = 0\n"));
    assert_eq!(run.code, Some(0), "{run}");
    let z = zone(&json, "Z");
    assert_eq!(z["clusters"], 1, "{z}");
    assert!(findings(z, "clusters").is_empty(), "{z}");
    // A 1 m minimum: the 2 m corridor is wide enough.
    let (_, json) = c.run(&format!("{ZONES}[rules]\nmin_connection_width_m = 1\n"));
    assert_eq!(zone(&json, "Z")["clusters"], 1);
}

/// Two 200 m squares 20 m apart (0..200 and 220..420 × 0..200) with a road 20 m wide between
/// them (200..220 × −100..300). Without a barriers layer, under the default contiguity distance
/// 0, they are two clusters 20 m apart (net 20 m: nothing lies in the gap), blocking. With the
/// road as the barriers layer the gap's shortest line (y fixed, x 200..220) lies wholly on the
/// road: net 0 m, one cluster. A road only 10 m wide (205..215) leaves 10 m of the gap open:
/// two clusters, gap 20 m, net 10 m.
#[test]
fn a_road_between_two_parts_does_not_break_contiguity() {
    let c = Case::new();
    c.write(
        "zones.geojson",
        &layer(
            "Z",
            vec![rect(0., 0., 200., 200.), rect(220., 0., 420., 200.)],
        ),
    );
    c.write(
        "road.geojson",
        &layer("R1", vec![rect(200., -100., 220., 300.)]),
    );
    c.write(
        "lane.geojson",
        &layer("R2", vec![rect(205., -100., 215., 300.)]),
    );

    let (run, json) = c.run(ZONES);
    assert_eq!(run.code, Some(1), "{run}");
    let z = zone(&json, "Z");
    assert_eq!(z["part_count"], 2, "{z}");
    assert_eq!(z["clusters"], 2, "{z}");
    assert_eq!(nums(z, "cluster_gaps_m"), [20.0]);
    assert_eq!(nums(z, "cluster_gaps_net_m"), [20.0]);
    assert_eq!(findings(z, "clusters").len(), 1);

    let (run, json) = c.run(&format!("{ZONES}barriers = \"road.geojson\"\n"));
    assert_eq!(run.code, Some(0), "{run}");
    let z = zone(&json, "Z");
    assert_eq!(z["clusters"], 1, "{z}");
    assert!(nums(z, "cluster_gaps_m").is_empty());
    assert!(findings(z, "clusters").is_empty(), "{z}");
    // The road is no protected land: no conflict with it.
    assert!(z["conflicts"].as_object().unwrap().is_empty(), "{z}");

    let (run, json) = c.run(&format!("{ZONES}barriers = \"lane.geojson\"\n"));
    assert_eq!(run.code, Some(1), "{run}");
    let z = zone(&json, "Z");
    assert_eq!(z["clusters"], 2, "{z}");
    assert_eq!(nums(z, "cluster_gaps_m"), [20.0]);
    let net = nums(z, "cluster_gaps_net_m");
    assert!(close(net[0], 10.0, 1e-9), "{net:?}");
    let f = findings(z, "clusters");
    assert!(
        close(num(f[0], "largest_net_gap_m"), 10.0, 1e-9),
        "{}",
        f[0]
    );
    assert!(f[0]["message_en"].as_str().unwrap().contains("net of"));
}

/// A 430 m × 200 m zone with the farmland strip 200..230 × −50..250 cut out of it, as the
/// guidance asks: two parts 0..200 and 230..430, 30 m apart. The farmland fills the gap (its
/// shortest line x 200..230 lies on it), so the parts are one cluster; the farmland only touches
/// the zone: no conflict. A farmland strip of 15 m (200..215) leaves 15 m open: two clusters,
/// net gap 15 m. A 150 m cut (200..350, parts 0..200 and 350..550) is longer than the 100 m a
/// gap may be bridged over: two clusters whatever fills it, net gap 150 m; raised to 200 m the
/// bridge holds.
#[test]
fn a_gap_left_by_cutting_out_farmland_does_not_break_contiguity() {
    let c = Case::new();
    let review = "[layers]\nzones = \"zones.geojson\"\nfarmland = \"farmland.geojson\"\n";
    c.write(
        "zones.geojson",
        &layer(
            "Z",
            vec![rect(0., 0., 200., 200.), rect(230., 0., 430., 200.)],
        ),
    );
    c.write(
        "farmland.geojson",
        &layer("F1", vec![rect(200., -50., 230., 250.)]),
    );
    let (run, json) = c.run(review);
    assert_eq!(run.code, Some(0), "{run}");
    let z = zone(&json, "Z");
    assert_eq!(z["part_count"], 2, "{z}");
    assert_eq!(z["clusters"], 1, "{z}");
    assert!(findings(z, "clusters").is_empty(), "{z}");
    assert!(findings(z, "conflict.farmland").is_empty(), "{z}");

    c.write(
        "farmland.geojson",
        &layer("F1", vec![rect(200., -50., 215., 250.)]),
    );
    let (run, json) = c.run(review);
    assert_eq!(run.code, Some(1), "{run}");
    let z = zone(&json, "Z");
    assert_eq!(z["clusters"], 2, "{z}");
    assert_eq!(nums(z, "cluster_gaps_m"), [30.0]);
    let net = nums(z, "cluster_gaps_net_m");
    assert!(close(net[0], 15.0, 1e-9), "{net:?}");

    c.write(
        "zones.geojson",
        &layer(
            "Z",
            vec![rect(0., 0., 200., 200.), rect(350., 0., 550., 200.)],
        ),
    );
    c.write(
        "farmland.geojson",
        &layer("F1", vec![rect(200., -50., 350., 250.)]),
    );
    let (run, json) = c.run(review);
    assert_eq!(run.code, Some(1), "{run}");
    let z = zone(&json, "Z");
    assert_eq!(z["clusters"], 2, "{z}");
    assert_eq!(nums(z, "cluster_gaps_m"), [150.0]);
    assert_eq!(nums(z, "cluster_gaps_net_m"), [150.0]);
    let (run, json) = c.run(&format!("{review}[rules]\nmax_bridged_gap_m = 200\n"));
    assert_eq!(run.code, Some(0), "{run}");
    assert_eq!(zone(&json, "Z")["clusters"], 1);
}
