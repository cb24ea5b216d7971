//! Slivers by shape and in total, and OGC validity, through the real binary. Every number is
//! worked out by hand in the test's comment.
//!
//! Defaults: a piece is a sliver when no disc wider than `sliver_width_m` = 0.5 m fits in it or
//! when it is under `sliver_area_m2` = 0.25 m²; the slivers of one zone and one layer count when
//! they total more than `sliver_total_m2` = 200 m².

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::Value;
use std::path::Path;
use support::{esri_wkt, run_check, write, write_raw_polygon_shp, Run, EPSG_GK_120E};

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

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

const REVIEW: &str = "[layers]\nzones = \"zones.geojson\"\noriginal = \"original.geojson\"\nredline = \"redline.geojson\"\n";

/// The original zone O1 (0..1000 × 0..500) and, south of it, the red line R1
/// (0..1000 × −100..0): they share the 1,000 m edge y = 0.
fn edge_case(zone: Vec<Ring>) -> Case {
    let c = Case::new();
    c.write(
        "original.geojson",
        &geojson(&[(id("O1"), vec![rect(0., 0., 1000., 500.)])]),
    );
    c.write(
        "redline.geojson",
        &geojson(&[(id("R1"), vec![rect(0., -100., 1000., 0.)])]),
    );
    c.write(
        "zones.geojson",
        &geojson(&[(serde_json::json!({"ID": "Z", "MEMBERS": "O1"}), zone)]),
    );
    c
}

/// The zone is O1 with its shared edge moved 0.1 m into the red line: 0..1000 × −0.1..500.
/// Zone ∩ red line = 1000 × 0.1 = 100 m², one piece 0.1 m wide (a sliver by width), and the
/// 100 m² total is under 200 m²: no conflict. Zone − O1 is the same strip: no expansion.
#[test]
fn a_shared_edge_moved_0_1_m_is_not_a_conflict_nor_an_expansion() {
    let c = edge_case(vec![rect(0., -0.1, 1000., 500.)]);
    let (run, json) = c.run(REVIEW);
    assert_eq!(run.code, Some(0), "{run}");
    let z = zone(&json, "Z");
    assert!(findings(z, "conflict.redline").is_empty(), "{z}");
    assert!(findings(z, "expansion").is_empty(), "{z}");
    let s = findings(z, "sliver.redline");
    assert_eq!(s.len(), 1, "{z}");
    assert_eq!(s[0]["severity"], "info");
    assert!(close(num(s[0], "area_m2"), 100.0, 1e-3), "{}", s[0]);
    assert!(close(num(s[0], "sliver_area_m2"), 100.0, 1e-3), "{}", s[0]);
    let c_red = &z["conflicts"]["redline"];
    assert_eq!(c_red["sliver_count"], 1);
    assert_eq!(c_red["slivers_counted"], false);
    // The expansion area is still reported as a number (the strip), with no finding.
    assert!(
        close(z["expansion_area_m2"].as_f64().unwrap(), 100.0, 1e-3),
        "{z}"
    );
    assert_eq!(z["pass"], true);
    // conflicts.geojson flags R1's piece as a sliver.
    let gj: Value =
        serde_json::from_str(&std::fs::read_to_string(c.path("out/conflicts.geojson")).unwrap())
            .unwrap();
    assert_eq!(gj["features"][0]["properties"]["sliver"], true, "{gj}");

    // With the total tolerance lowered to 50 m², the same 100 m² of slivers count: a blocking
    // conflict of 100 m² and an expansion of 100 m².
    let (run, json) = c.run(&format!("{REVIEW}[rules]\nsliver_total_m2 = 50\n"));
    assert_eq!(run.code, Some(1), "{run}");
    let z = zone(&json, "Z");
    let f = findings(z, "conflict.redline");
    assert_eq!(f.len(), 1, "{z}");
    assert_eq!(f[0]["severity"], "blocking");
    assert!(close(num(f[0], "area_m2"), 100.0, 1e-3));
    let e = findings(z, "expansion");
    assert_eq!(e.len(), 1, "{z}");
    assert!(close(num(e[0], "area_m2"), 100.0, 1e-3));
    let gj: Value =
        serde_json::from_str(&std::fs::read_to_string(c.path("out/conflicts.geojson")).unwrap())
            .unwrap();
    assert_eq!(gj["features"][0]["properties"]["sliver"], false, "{gj}");
}

/// The zone is O1 with 100 teeth 0.9 m wide and 1 m deep cut into the red line, one every
/// 10 m along the shared edge (x = 10k + 4.5 .. 10k + 5.4, y = −1 .. 0). Each tooth is 0.9 m²
/// and 0.9 m wide (not a sliver), so zone ∩ red line = 100 × 0.9 = 90 m² is a blocking
/// conflict, and zone − O1 = the same 90 m² in 100 pieces is an expansion.
#[test]
fn one_hundred_teeth_of_0_9_m2_are_a_conflict_and_an_expansion() {
    let mut ring: Ring = vec![(0., 0.)];
    for k in 0..100 {
        let x = 10.0 * k as f64 + 4.5;
        ring.extend([(x, 0.), (x, -1.), (x + 0.9, -1.), (x + 0.9, 0.)]);
    }
    ring.extend([(1000., 0.), (1000., 500.), (0., 500.), (0., 0.)]);
    let c = edge_case(vec![ring]);
    let (run, json) = c.run(REVIEW);
    assert_eq!(run.code, Some(1), "{run}");
    let z = zone(&json, "Z");
    // Zone area: 1000 × 500 + 90.
    assert!(
        close(z["area_m2"].as_f64().unwrap(), 500_090.0, 1e-3),
        "{z}"
    );
    let f = findings(z, "conflict.redline");
    assert_eq!(f.len(), 1, "{z}");
    assert_eq!(f[0]["severity"], "blocking");
    assert!(close(num(f[0], "area_m2"), 90.0, 1e-3), "{}", f[0]);
    assert!(close(num(f[0], "sliver_area_m2"), 0.0, 1e-9), "{}", f[0]);
    assert!(findings(z, "sliver.redline").is_empty());
    let e = findings(z, "expansion");
    assert_eq!(e.len(), 1, "{z}");
    assert_eq!(e[0]["severity"], "warning");
    assert!(close(num(e[0], "area_m2"), 90.0, 1e-3), "{}", e[0]);
    assert_eq!(num(e[0], "pieces"), 100.0);
    assert_eq!(z["pass"], false);
}

/// A realistic shared boundary: 400 vertices running north 40 km with steps of 60–140 m and an
/// east–west wander of ±80 m (a fixed pseudo-random sequence), as county boundaries do.
fn shared_boundary() -> Vec<(f64, f64)> {
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = || {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut pts = Vec::new();
    let (mut x, mut y) = (0.0f64, 0.0f64);
    for _ in 0..400 {
        pts.push((x, y));
        y += 60.0 + 80.0 * next();
        x = (x + 40.0 * (next() - 0.5)).clamp(-80.0, 80.0) + 1e-3 * next();
    }
    pts.push((x, y));
    pts
}

/// The west polygon (boundary as given) and the east polygon (boundary digitised again: each
/// vertex rounded to 0.1 mm, and a midpoint added on every segment, also rounded), each
/// reaching 3 km away from the boundary.
fn west_and_east(shift_east: f64) -> (Ring, Ring) {
    let b = shared_boundary();
    let top = b.last().unwrap().1;
    let mut west: Ring = b.clone();
    west.extend([(-3000., top), (-3000., 0.), b[0]]);
    let r4 = |v: f64| (v * 1e4).round() / 1e4;
    let mut east: Ring = Vec::new();
    for w in b.windows(2) {
        let (a, c) = (w[0], w[1]);
        east.push((r4(a.0) - shift_east, r4(a.1)));
        east.push((r4((a.0 + c.0) / 2.0) - shift_east, r4((a.1 + c.1) / 2.0)));
    }
    let last = *b.last().unwrap();
    east.push((r4(last.0) - shift_east, r4(last.1)));
    east.extend([(3000., top), (3000., 0.)]);
    east.push(east[0]);
    (west, east)
}

/// 宁海县 and 象山县: two zones sharing a 40 km boundary digitised twice (one copy with extra
/// midpoints and coordinates rounded to 0.1 mm) do not overlap, and the west zone checked
/// against the east polygon as a red line has no conflict: the two checks agree. Any piece
/// where the copies differ is at most 0.1 mm wide. Moved 2 m east → west (80,000 m² of real
/// overlap), both checks find it.
#[test]
fn a_shared_boundary_digitised_twice_is_neither_an_overlap_nor_a_conflict() {
    let c = Case::new();
    let (west, east) = west_and_east(0.0);
    c.write(
        "zones.geojson",
        &geojson(&[
            (id("宁海"), vec![west.clone()]),
            (id("象山"), vec![east.clone()]),
        ]),
    );
    c.write("west.geojson", &geojson(&[(id("宁海"), vec![west])]));
    c.write("east.geojson", &geojson(&[(id("R象山"), vec![east])]));
    let (run, json) = c.run("[layers]\nzones = \"zones.geojson\"\n");
    assert_eq!(run.code, Some(0), "{run}");
    for z in ["宁海", "象山"] {
        assert!(
            findings(zone(&json, z), "zone_overlap").is_empty(),
            "{json}"
        );
    }
    let (run, json) = c.run("[layers]\nzones = \"west.geojson\"\nredline = \"east.geojson\"\n");
    assert_eq!(run.code, Some(0), "{run}");
    let z = zone(&json, "宁海");
    assert!(findings(z, "conflict.redline").is_empty(), "{z}");
    // Whatever the overlay finds along the edge is slivers, far under 1 m².
    if let Some(a) = z["conflicts"]["redline"]["area_m2"].as_f64() {
        assert!(a < 1.0, "{z}");
        assert!(close(
            z["conflicts"]["redline"]["sliver_area_m2"]
                .as_f64()
                .unwrap(),
            a,
            1e-9
        ));
    }

    // The east copy moved 2 m west: a band 2 m wide along the boundary, whose area is 2 m times
    // the boundary's north–south extent (a horizontal shift of a boundary running north adds
    // 2 × Δy). Both checks report it.
    let (west, east) = west_and_east(2.0);
    let span = shared_boundary().last().unwrap().1;
    c.write(
        "zones.geojson",
        &geojson(&[
            (id("宁海"), vec![west.clone()]),
            (id("象山"), vec![east.clone()]),
        ]),
    );
    c.write("east.geojson", &geojson(&[(id("R象山"), vec![east])]));
    let (run, json) = c.run("[layers]\nzones = \"zones.geojson\"\n");
    assert_eq!(run.code, Some(1), "{run}");
    let o = findings(zone(&json, "宁海"), "zone_overlap");
    assert_eq!(o.len(), 1, "{json}");
    assert!(
        close(num(o[0], "area_m2"), 2.0 * span, 0.5),
        "{} vs {}",
        o[0],
        2.0 * span
    );
    let (run, json) = c.run("[layers]\nzones = \"west.geojson\"\nredline = \"east.geojson\"\n");
    assert_eq!(run.code, Some(1), "{run}");
    let f = findings(zone(&json, "宁海"), "conflict.redline");
    assert_eq!(f.len(), 1, "{json}");
    assert!(close(num(f[0], "area_m2"), 2.0 * span, 0.5), "{}", f[0]);
}

/// A polygon whose hole touches its shell at one point is valid (OGC), at every scale:
/// - shell 0..100 × 0..100, triangular hole (50,0) (40,20) (60,20) touching the shell's south
///   edge at (50,0): 100 × 100 − ½ × 20 × 20 = 9,800 m²; the same at 1 m: 0.98 m²;
/// - a triangle shell (0,0) (98.85…,16.23…) (25.60…,97.38…) with a hole touching its diagonal
///   edge at a point that is on the shell's side of that edge in exact arithmetic (as digitised
///   coordinates are, not on an integer grid); area = shell − hole by the cross-product formula.
///   The hole used to be taken for a ring outside the shell and filled (+2.0 %).
///
/// Each keeps its area, with no repair warning and no `zone.invalid_geometry`, as GeoJSON and
/// as a shapefile (shell clockwise, hole counter-clockwise, as the format says).
#[test]
fn a_hole_touching_its_shell_at_one_point_is_kept() {
    let cross = |a: (f64, f64), b: (f64, f64), c: (f64, f64)| {
        (b.0 - a.0) * (c.1 - a.1) - (b.1 - a.1) * (c.0 - a.0)
    };
    let mut cases: Vec<(Ring, Ring, f64)> = Vec::new();
    for scale in [100.0, 1.0] {
        let s = |p: (f64, f64)| (p.0 * scale / 100.0, p.1 * scale / 100.0);
        let shell: Ring = rect(0., 0., 100., 100.).into_iter().map(s).collect();
        let hole: Ring = vec![(50., 0.), (40., 20.), (60., 20.), (50., 0.)]
            .into_iter()
            .map(s)
            .collect();
        cases.push((shell, hole, 0.98 * scale * scale));
    }
    let (a, b, d) = (
        (0.0, 0.0),
        (500_098.850_357_453_4 - X0, 3_300_016.234_629_866 - Y0),
        (500_025.600_736_600_46 - X0, 3_300_097.384_528_096 - Y0),
    );
    let touch = (500_061.657_354_199_5 - X0, 3_300_057.439_053_776_7 - Y0);
    let h1 = (
        touch.0 + (a.0 - touch.0) * 0.3,
        touch.1 + (a.1 - touch.1) * 0.2,
    );
    let h2 = (
        touch.0 + (a.0 - touch.0) * 0.2,
        touch.1 + (a.1 - touch.1) * 0.3,
    );
    let expected = (cross(a, b, d).abs() - cross(touch, h1, h2).abs()) / 2.0;
    cases.push((vec![a, b, d, a], vec![touch, h1, h2, touch], expected));
    for (shell, hole, expected) in cases {
        let c = Case::new();
        c.write(
            "zones.geojson",
            &geojson(&[(id("Z"), vec![shell.clone(), hole.clone()])]),
        );
        let (run, json) = c.run("[layers]\nzones = \"zones.geojson\"\n");
        assert!(run.warnings().is_empty(), "{run}");
        let z = zone(&json, "Z");
        assert!(
            close(z["area_m2"].as_f64().unwrap(), expected, 1e-6 * expected),
            "{expected}: {z}"
        );
        assert!(findings(z, "zone.invalid_geometry").is_empty(), "{z}");

        let to_abs =
            |r: &Ring| -> Vec<[f64; 2]> { r.iter().map(|&(x, y)| [X0 + x, Y0 + y]).collect() };
        let mut cw = shell.clone();
        cw.reverse();
        write_raw_polygon_shp(
            &c.path("zones.shp"),
            &[vec![to_abs(&cw), to_abs(&hole)]],
            Some(&esri_wkt(EPSG_GK_120E)),
        );
        let (run, json) = c.run("[layers]\nzones = \"zones.shp\"\n");
        assert!(run.warnings().is_empty(), "{run}");
        let z = &json["zones"][0];
        assert!(
            close(z["area_m2"].as_f64().unwrap(), expected, 1e-6 * expected),
            "{expected}: {z}"
        );
        assert!(findings(z, "zone.invalid_geometry").is_empty(), "{z}");
    }
}
