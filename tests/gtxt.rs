//! 国土TXT in and out and the 界址点 table (issue 11, items 3 and 4), through the real binary:
//! hand-written 国土TXT files as the zones layer of a check (GBK and UTF-8, with and without the
//! zone number before Y, more or fewer attribute fields, with and without a header), malformed
//! lines named by number, the zones written back as 国土TXT and read again, and
//! boundary_points.csv of a known square. Numbers are worked out by hand in the comments.

mod support;

use serde_json::Value;
use support::*;

fn json(path: &std::path::Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

const HEADER_40: &str = "[属性描述]\r\n格式版本号=1.01版本\r\n坐标系=2000国家大地坐标系\r\n几度分带=3\r\n投影类型=高斯克吕格\r\n计量单位=米\r\n带号=40\r\n精度=0.001\r\n";

/// Two parcels, X north and Y east with the zone number 40 before the easting (`prefix` =
/// "40") or without it (`prefix` = ""):
/// - A01 地块一: a 200 m (east) × 100 m (north) rectangle, east 500000–500200, north
///   3340000–3340100, with a 40 m × 20 m hole (圈号 2) at east 500080–500120, north
///   3340040–3340060: 20000 − 800 = 19200 m².
/// - A02 地块二: a right triangle with legs 300 m (east) and 200 m (north) from
///   (north 3340000, east 501000): 300 × 200 / 2 = 30000 m².
///
/// `fields` is the attribute part of each parcel line after 界址点数 (`{id}`, `{name}` replaced).
fn parcels(prefix: &str, fields: &str) -> String {
    let line = |n: usize, id: &str, name: &str| {
        format!(
            "{n},{}@\r\n",
            fields.replace("{id}", id).replace("{name}", name)
        )
    };
    let p = |label: &str, ring: u32, north: &str, east: &str| {
        format!("{label},{ring},{north},{prefix}{east}\r\n")
    };
    let mut s = String::from("[地块坐标]\r\n");
    s += &line(10, "A01", "地块一");
    s += &p("J1", 1, "3340100.000", "500000.000");
    s += &p("J2", 1, "3340100.000", "500200.000");
    s += &p("J3", 1, "3340000.000", "500200.000");
    s += &p("J4", 1, "3340000.000", "500000.000");
    s += &p("J1", 1, "3340100.000", "500000.000");
    s += &p("J5", 2, "3340060.000", "500080.000");
    s += &p("J6", 2, "3340040.000", "500080.000");
    s += &p("J7", 2, "3340040.000", "500120.000");
    s += &p("J8", 2, "3340060.000", "500120.000");
    s += &p("J5", 2, "3340060.000", "500080.000");
    s += &line(4, "A02", "地块二");
    s += &p("J1", 1, "3340000", "501000");
    s += &p("J2", 1, "3340000", "501300");
    s += &p("J3", 1, "3340200", "501000");
    s += &p("J1", 1, "3340000", "501000");
    s
}

/// The full attribute list: 地块面积 (公顷), 地块编号, 地块名称, 面, 图幅号, 地块用途, 地类编码.
const ALL_FIELDS: &str = "1.9200,{id},{name},面,H51G001001,工业用地,0601,";

fn gbk(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable);
    bytes.into_owned()
}

/// The zones' (id, name, area_m2) from report.json.
fn zones_of(report: &Value) -> Vec<(String, Option<String>, f64)> {
    report["zones"]
        .as_array()
        .unwrap_or_else(|| panic!("no zones\n{report:#}"))
        .iter()
        .map(|z| {
            (
                z["id"].as_str().unwrap_or_default().to_string(),
                z["name"].as_str().map(str::to_string),
                z["area_m2"].as_f64().unwrap_or(f64::NAN),
            )
        })
        .collect()
}

fn assert_areas(report: &Value, names: bool) {
    let zones = zones_of(report);
    assert_eq!(zones.len(), 2, "{zones:?}");
    assert_eq!(zones[0].0, "A01");
    assert_eq!(zones[1].0, "A02");
    if names {
        assert_eq!(zones[0].1.as_deref(), Some("地块一"));
        assert_eq!(zones[1].1.as_deref(), Some("地块二"));
    }
    assert!((zones[0].2 - 19_200.0).abs() < 1e-6, "{zones:?}");
    assert!((zones[1].2 - 30_000.0).abs() < 1e-6, "{zones:?}");
}

/// The zones layer's entry of report.json `inputs`.
fn zones_input(report: &Value) -> &Value {
    &report["inputs"][0]
}

/// Why case: a hand-written 国土TXT (GBK, CRLF, Y with the zone number 40, two parcels, one
/// with a hole) is the zones layer of a check: A01 19200 m², A02 30000 m² (see [`parcels`]),
/// ids and names from 地块编号/地块名称, CRS EPSG:4528 from the header (agreeing with the
/// prefix: no warning), the file's SHA-256 in `inputs`.
#[test]
fn a_gbk_plan_with_zone_prefixed_eastings_is_checked_as_the_zones_layer() {
    let fx = Fixture::new();
    let bytes = gbk(&format!("{HEADER_40}{}", parcels("40", ALL_FIELDS)));
    assert!(std::str::from_utf8(&bytes).is_err(), "the file must be GBK");
    write(&fx.path("plan.txt"), &bytes);
    fx.set_review("[layers]\nzones = \"plan.txt\"\n");
    let run = fx.run();
    run.assert_checked();
    assert!(
        !run.warnings().iter().any(|w| w.contains("plan.txt")),
        "{run}"
    );
    let report = json(&fx.out.join("report.json"));
    assert_areas(&report, true);
    let input = zones_input(&report);
    assert!(
        input["crs"]["en"]
            .as_str()
            .unwrap_or_default()
            .starts_with("EPSG:4528"),
        "{input:#}"
    );
    assert!(input["encoding"]["en"]
        .as_str()
        .unwrap_or_default()
        .starts_with("GBK"));
    let sha = zonecheck::io::sha256_hex(&bytes);
    assert_eq!(input["sha256"], sha.as_str());
    assert_eq!(input["files"][0]["file"], "plan.txt");
    let fields = input["fields"].as_array().cloned().unwrap_or_default();
    let role = |r: &str| {
        fields
            .iter()
            .find(|f| f["role"] == r)
            .map(|f| f["field"].clone())
    };
    assert_eq!(role("id"), Some(Value::from("地块编号")));
    assert_eq!(role("name"), Some(Value::from("地块名称")));
}

/// Variant: UTF-8 with a BOM, LF line ends, Y without the zone number, header 带号 40 →
/// EPSG:4549 (CM 120°E), and only 地块面积 and 地块编号 after 界址点数 (fewer attribute
/// fields: no name). Same areas: 19200 and 30000 m².
#[test]
fn utf8_without_prefix_and_with_fewer_fields_gives_the_same_areas() {
    let fx = Fixture::new();
    let text = format!("\u{feff}{HEADER_40}{}", parcels("", ",{id},")).replace("\r\n", "\n");
    write(&fx.path("plan.txt"), text);
    fx.set_review("[layers]\nzones = \"plan.txt\"\n");
    let run = fx.run();
    run.assert_checked();
    let report = json(&fx.out.join("report.json"));
    assert_areas(&report, false);
    let input = zones_input(&report);
    assert!(
        input["crs"]["en"]
            .as_str()
            .unwrap_or_default()
            .starts_with("EPSG:4549"),
        "{input:#}"
    );
    assert!(input["encoding"]["en"]
        .as_str()
        .unwrap_or_default()
        .starts_with("UTF-8"));
}

/// Variant: more attribute fields than the standard eight (two extra, kept as 属性9/属性10).
#[test]
fn extra_attribute_fields_are_kept() {
    let fx = Fixture::new();
    let text = format!(
        "{HEADER_40}{}",
        parcels("40", &format!("{ALL_FIELDS}备注,2024,"))
    );
    write(&fx.path("plan.txt"), gbk(&text));
    fx.set_review("[layers]\nzones = \"plan.txt\"\n");
    let run = fx.run();
    run.assert_checked();
    assert_areas(&json(&fx.out.join("report.json")), true);
    let raw = zonecheck::load::read_raw(&fx.path("plan.txt")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(raw.fields.len(), 10, "{:?}", raw.fields);
    assert_eq!(raw.fields[9], "属性10");
    assert_eq!(raw.records[0].attrs.get(8), Some("备注"));
}

/// Variant: no [属性描述] at all. The zone number 40 before every Y decides EPSG:4528, with a
/// warning naming the file and the zone number; the areas are unchanged.
#[test]
fn no_header_is_detected_from_the_prefix_with_a_warning() {
    let fx = Fixture::new();
    write(&fx.path("plan.txt"), gbk(&parcels("40", ALL_FIELDS)));
    fx.set_review("[layers]\nzones = \"plan.txt\"\n");
    let run = fx.run();
    run.assert_checked();
    run.assert_warning("plan.txt", &["EPSG:4528", "zone number 40"]);
    assert_areas(&json(&fx.out.join("report.json")), true);
}

/// A header saying zone 39 over eastings prefixed 40: the coordinates win (EPSG:4528), with a
/// warning quoting the header.
#[test]
fn a_header_contradicting_the_prefix_yields_with_a_warning() {
    let fx = Fixture::new();
    let text = format!(
        "{}{}",
        HEADER_40.replace("带号=40", "带号=39"),
        parcels("40", ALL_FIELDS)
    );
    write(&fx.path("plan.txt"), gbk(&text));
    fx.set_review("[layers]\nzones = \"plan.txt\"\n");
    let run = fx.run();
    run.assert_checked();
    run.assert_warning("plan.txt", &["EPSG:4528", "带号=39"]);
    assert_areas(&json(&fx.out.join("report.json")), true);
}

/// Neither header nor prefix: the CRS cannot be known; the check refuses the layer, naming the
/// file, unless the review says the CRS (`crs_of.zones`), which then gives the same areas.
#[test]
fn no_header_and_no_prefix_needs_crs_of() {
    let fx = Fixture::new();
    write(&fx.path("plan.txt"), gbk(&parcels("", ALL_FIELDS)));
    fx.set_review("[layers]\nzones = \"plan.txt\"\n");
    fx.run().assert_bad_input(
        "plan.txt",
        &["no CRS", "[属性描述]", "no zone number", "crs_of"],
    );
    fx.set_review("[layers]\nzones = \"plan.txt\"\n[crs_of]\nzones = \"EPSG:4549\"\n");
    let run = fx.run();
    run.assert_checked();
    assert_areas(&json(&fx.out.join("report.json")), true);
}

/// Malformed lines: each run is bad input, one `error:` line naming plan.txt and the line.
/// The header has 8 lines, [地块坐标] is line 9, A01's parcel line 10, its points 11–20
/// (J1 11, J2 12, J3 13, J4 14, J1 15, J5 16, J6 17, …).
#[test]
fn malformed_lines_name_the_file_and_the_line() {
    let fx = Fixture::new();
    fx.set_review("[layers]\nzones = \"plan.txt\"\n");
    let good = format!("{HEADER_40}{}", parcels("40", ALL_FIELDS));
    let cases: [(&str, &str, &str); 4] = [
        // Line 12 (J2): the northing is not a number.
        ("J2,1,3340100.000,", "J2,1,3340l00.000,", "line 12"),
        // Line 13 (J3): three values instead of four.
        (
            "J3,1,3340000.000,40500200.000",
            "J3,1,3340000.000",
            "line 13",
        ),
        // Line 10: 界址点数 not a number.
        ("10,1.9200,A01", "十,1.9200,A01", "line 10"),
        // Line 17 (J6): 圈号 0.
        ("J6,2,", "J6,0,", "line 17"),
    ];
    for (from, to, needle) in cases {
        assert!(good.contains(from), "{from}");
        write(&fx.path("plan.txt"), gbk(&good.replacen(from, to, 1)));
        let run = fx.run();
        run.assert_bad_input("plan.txt", &[needle]);
        assert!(!fx.out.join("report.json").exists(), "{run}");
    }
}

/// Fail closed: a parcel whose 界址点数 (10, line 10) disagrees with its 9 point lines (a
/// truncated or spliced file: J8 removed) cannot be used, and an unusable parcel in the zones
/// layer is bad input, as an unreadable shapefile record is; the error names the line.
#[test]
fn a_parcel_with_missing_points_in_the_zones_layer_is_bad_input() {
    let fx = Fixture::new();
    fx.set_review("[layers]\nzones = \"plan.txt\"\n");
    let text = format!("{HEADER_40}{}", parcels("40", ALL_FIELDS)).replacen(
        "J8,2,3340060.000,40500120.000\r\n",
        "",
        1,
    );
    write(&fx.path("plan.txt"), gbk(&text));
    let run = fx.run();
    run.assert_no_panic();
    assert_eq!(run.code, Some(2), "{run}");
    let err = run.stderr_lines().join("\n");
    assert!(err.contains("plan.txt") && err.contains("line 10"), "{run}");
}

/// Round trip: the check writes every zone as zones_gtxt.txt (GBK, header of the working CRS
/// EPSG:4528: 带号=40, Y prefixed); checking that file gives the same ids, names and areas,
/// and the same boundary points.
#[test]
fn zones_written_as_gtxt_read_back_the_same() {
    let fx = Fixture::new();
    write(
        &fx.path("plan.txt"),
        gbk(&format!("{HEADER_40}{}", parcels("40", ALL_FIELDS))),
    );
    fx.set_review("[layers]\nzones = \"plan.txt\"\n");
    fx.run().assert_checked();
    let written = read(&fx.out.join("zones_gtxt.txt"));
    let (text, _, bad) = encoding_rs::GBK.decode(&written);
    assert!(
        !bad && std::str::from_utf8(&written).is_err(),
        "GBK expected"
    );
    assert!(text.contains("带号=40") && text.contains("坐标系=2000国家大地坐标系"));
    // A01: 4 + 1 exterior and 4 + 1 hole lines; area 1.92 公顷.
    assert!(text.contains("10,1.9200,A01,地块一,面,,,,@\r\n"), "{text}");
    assert!(text.contains("J1,1,3340100.000,40500000.000\r\n"), "{text}");
    let again = fx.dir.path().join("again");
    std::fs::create_dir(&again).unwrap_or_else(|e| panic!("{e}"));
    write(&again.join("zones_gtxt.txt"), &written);
    write(
        &again.join("review.toml"),
        "[layers]\nzones = \"zones_gtxt.txt\"\n",
    );
    let out2 = fx.dir.path().join("out2");
    let run = run_check(&again.join("review.toml"), &out2);
    run.assert_checked();
    assert!(
        !run.warnings().iter().any(|w| w.contains("zones_gtxt.txt")),
        "{run}"
    );
    let first = json(&fx.out.join("report.json"));
    let second = json(&out2.join("report.json"));
    assert_eq!(zones_of(&first), zones_of(&second));
    assert_areas(&second, true);
    assert_eq!(
        read(&fx.out.join("boundary_points.csv")),
        read(&out2.join("boundary_points.csv"))
    );
    assert_eq!(written, read(&out2.join("zones_gtxt.txt")));
    // Checking it with the outputs going into its own folder would replace it: refused before
    // anything is written.
    let run = run_check(&again.join("review.toml"), &again);
    run.assert_bad_input("zones_gtxt.txt", &[]);
    assert_eq!(read(&again.join("zones_gtxt.txt")), written);
}

/// Round trip at the precision, off the grid: a zone whose corners have many decimals,
/// written with 3 decimals and read back, has every corner within 0.0005 m of the original,
/// and the written area 1.0000 公顷 … (the square is 100 m on a side).
#[test]
fn the_writer_rounds_to_the_precision_and_the_reader_gets_it_back() {
    use geo::{Area, MultiPolygon};
    use zonecheck::io::gtxt::{gtxt_text, parse_gtxt, ParcelOut};
    let (x, y) = (500_123.456_789, 3_340_987.654_321);
    let square = support::square(x, y, 100.0);
    let text = gtxt_text(
        &[ParcelOut {
            id: "Z1",
            name: Some("方块"),
            geometry: &square,
        }],
        Some(4549),
        "CGCS2000 / 3-degree Gauss-Kruger CM 120E",
        3,
    );
    assert!(text.contains("5,1.0000,Z1,方块,面,,,,@"), "{text}");
    let layer = parse_gtxt(&text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(layer.crs.as_deref(), Some("EPSG:4549"));
    assert_eq!(layer.records.len(), 1);
    assert_eq!(layer.records[0].attrs.get(2), Some("Z1"));
    assert_eq!(layer.records[0].attrs.get(3), Some("方块"));
    let ring: Vec<geo::Coord<f64>> = layer.records[0].shape.rings().flatten().copied().collect();
    assert_eq!(ring.len(), 5);
    for c in &square.0[0].exterior().0 {
        let nearest = ring
            .iter()
            .map(|r| (r.x - c.x).abs().max((r.y - c.y).abs()))
            .fold(f64::INFINITY, f64::min);
        assert!(nearest <= 0.0005 + 1e-9, "{c:?} {ring:?}");
    }
    let back = MultiPolygon(vec![geo::Polygon::new(ring.into(), vec![])]);
    assert!((back.unsigned_area() - 10_000.0).abs() < 0.2);
}

/// boundary_points.csv of a known square: the fixture's zone Z01 is the 500 m square east
/// 500000–500500, north 3340000–3340500 (EPSG:4549). J1 its north-west corner, then clockwise:
/// north-east, south-east, south-west, and J1 again closing the ring; X north, Y east, 3
/// decimals; then Z02 (2 km east) from J1 again.
#[test]
fn boundary_points_csv_of_a_known_square() {
    let fx = Fixture::new();
    fx.run().assert_checked();
    let bytes = read(&fx.out.join("boundary_points.csv"));
    assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "BOM");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "开发区编号,开发区名称,部件,圈号,点号,X坐标,Y坐标");
    assert_eq!(
        &lines[1..6],
        [
            "Z01,开发区1,1,1,J1,3340500.000,500000.000",
            "Z01,开发区1,1,1,J2,3340500.000,500500.000",
            "Z01,开发区1,1,1,J3,3340000.000,500500.000",
            "Z01,开发区1,1,1,J4,3340000.000,500000.000",
            "Z01,开发区1,1,1,J1,3340500.000,500000.000",
        ]
    );
    assert_eq!(lines[6], "Z02,开发区2,1,1,J1,3340500.000,502000.000");
    assert_eq!(lines.len(), 11);
    // report.html has the same table per zone, folded: 5 rows for each square.
    let html = std::fs::read_to_string(fx.out.join("report.html")).unwrap_or_default();
    assert_eq!(
        html.matches("界址点坐标表（5 行；EPSG:4549").count(),
        2,
        "{html}"
    );
    assert!(html.contains(
        "<tr><td>1</td><td>1</td><td>J2</td><td>3340500.000</td><td>500500.000</td></tr>"
    ));
    // --decimals 1: the same points with one decimal.
    let out = fx.dir.path().join("out1");
    let run = run_zonecheck([
        "check".as_ref(),
        fx.review.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--decimals".as_ref(),
        "1".as_ref(),
    ]);
    run.assert_checked();
    let text = std::fs::read_to_string(out.join("boundary_points.csv")).unwrap_or_default();
    assert!(
        text.contains("Z01,开发区1,1,1,J2,3340500.0,500500.0\r\n"),
        "{text}"
    );
}

/// 国土TXT as another layer than the zones: the original zones. Two parcels (header zone 40,
/// Y prefixed → EPSG:4528, reprojected into the zones' EPSG:4549, the same CM 120°E less the
/// 40,000,000 m prefix); the second declares 5 points but has 4 lines (line 16), so it cannot
/// be used: outside the zones layer that makes the check incomplete (one blocking
/// `input.incomplete` plan finding naming the layer and the line), never a silent pass.
#[test]
fn an_originals_layer_in_gtxt_fails_closed_on_an_unusable_parcel() {
    let fx = Fixture::new();
    // O1 covers zone Z01 (500000–500500 × 3340000–3340500); O2 is short of a point.
    let text = format!(
        "{HEADER_40}[地块坐标]\r\n\
         5,25.0000,O1,原开发区一,面,,,,@\r\n\
         J1,1,3340500,40500000\r\nJ2,1,3340500,40500500\r\nJ3,1,3340000,40500500\r\n\
         J4,1,3340000,40500000\r\nJ1,1,3340500,40500000\r\n\
         5,1.0000,O2,原开发区二,面,,,,@\r\n\
         J1,1,3340500,40502000\r\nJ2,1,3340500,40502100\r\nJ3,1,3340400,40502100\r\n\
         J1,1,3340500,40502000\r\n"
    );
    write(&fx.path("orig.txt"), gbk(&text));
    fx.set_review("[layers]\nzones = \"zones.shp\"\noriginal = \"orig.txt\"\n");
    let run = fx.run();
    run.assert_no_panic();
    assert_eq!(run.code, Some(1), "{run}");
    let report = json(&fx.out.join("report.json"));
    let orig = report["inputs"]
        .as_array()
        .and_then(|a| a.iter().find(|i| i["layer"] == "original"))
        .cloned()
        .unwrap_or_default();
    assert!(
        orig["crs"]["en"]
            .as_str()
            .unwrap_or_default()
            .starts_with("EPSG:4528"),
        "{orig:#}"
    );
    let incomplete: Vec<&Value> = report["plan"]["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|f| f["rule"] == "input.incomplete")
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(incomplete.len(), 1, "{report:#}");
    assert_eq!(incomplete[0]["severity"], "blocking");
    let en = incomplete[0]["message_en"].as_str().unwrap_or_default();
    for needle in ["original", "orig.txt", "line 16", "declares 5 points"] {
        assert!(en.contains(needle), "{needle:?} missing in {en}");
    }
}
