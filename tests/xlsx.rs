//! report.xlsx (issue 11, item 8) and the patch fields of the occupied-patch tables (item 7),
//! through the real binary: the workbook is opened with calamine and its numbers compared with
//! report.json's; the frozen header rows and the column widths are read from the sheet XML.
//! Numbers are worked out by hand in the comments.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use calamine::{open_workbook, Data, Range, Reader, Xlsx};
use serde_json::{json, Value};
use std::io::Read;
use std::path::Path;
use support::{run_check, write};

/// Origin of the local coordinates in EPSG:4549 (metres).
const X0: f64 = 500_000.0;
const Y0: f64 = 3_300_000.0;

/// A GeoJSON layer in EPSG:4549 of rectangles `[x0, y0, x1, y1]` (local metres).
fn geojson(features: &[(Value, [f64; 4])]) -> String {
    let feats: Vec<Value> = features
        .iter()
        .map(|(props, [x0, y0, x1, y1])| {
            let ring: Vec<Value> = [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]
                .iter()
                .map(|(x, y)| json!([X0 + **x, Y0 + **y]))
                .collect();
            json!({
                "type": "Feature",
                "properties": props,
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            })
        })
        .collect();
    json!({
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "EPSG:4549"}},
        "features": feats,
    })
    .to_string()
}

/// The layers of both tests:
/// - zones: Z1 东湖开发区 x 0–200, y 0–100 (20 000 m² = 30 亩 = 2 公顷); Z2 西山园区
///   x 1000–1100, y 0–100 (10 000 m² = 15 亩 = 1 公顷).
/// - farmland: F001 x 150–250, y 0–100 (Z1 occupies x 150–200: 5 000 m²); F002 x −50–20,
///   y 0–40 (Z1 occupies x 0–20: 800 m²): Z1's farmland conflict 5 800 m² = 8.7 亩 =
///   0.58 公顷. Attributes BSM, DLBM (codes with a leading zero), DLMC, TBMJ, ZLDWMC, XZQDM.
/// - redline: R1 x 1050–1200, y 50–150: Z2 occupies x 1050–1100, y 50–100: 2 500 m².
fn write_layers(dir: &Path) {
    write(
        &dir.join("zones.geojson"),
        geojson(&[
            (
                json!({"ID": "Z1", "NAME": "东湖开发区"}),
                [0.0, 0.0, 200.0, 100.0],
            ),
            (
                json!({"ID": "Z2", "NAME": "西山园区"}),
                [1000.0, 0.0, 1100.0, 100.0],
            ),
        ]),
    );
    write(
        &dir.join("farmland.geojson"),
        geojson(&[
            (
                json!({"BSM": "F001", "DLBM": "0103", "DLMC": "旱地", "TBMJ": "10000.00",
                       "ZLDWMC": "东湖村", "XZQDM": "320101"}),
                [150.0, 0.0, 250.0, 100.0],
            ),
            (
                json!({"BSM": "F002", "DLBM": "0101", "DLMC": "水田", "TBMJ": "2800",
                       "ZLDWMC": "西湖村", "XZQDM": "320101"}),
                [-50.0, 0.0, 20.0, 40.0],
            ),
        ]),
    );
    write(
        &dir.join("redline.geojson"),
        geojson(&[(json!({"ID": "R1"}), [1050.0, 50.0, 1200.0, 150.0])]),
    );
}

const LAYERS: &str = "crs = \"EPSG:4549\"\n[layers]\nzones = \"zones.geojson\"\nfarmland = \"farmland.geojson\"\nredline = \"redline.geojson\"\n";

/// Writes the layers and `review` (review.toml), runs `zonecheck check`, returns the output
/// folder and report.json.
fn check(dir: &Path, review: &str) -> (std::path::PathBuf, Value) {
    write_layers(dir);
    write(&dir.join("review.toml"), review);
    let out = dir.join("out");
    let run = run_check(&dir.join("review.toml"), &out);
    run.assert_checked();
    let text = std::fs::read_to_string(out.join("report.json")).unwrap();
    (out, serde_json::from_str(&text).unwrap())
}

fn sheet(out: &Path, name: &str) -> Range<Data> {
    let mut wb: Xlsx<_> = open_workbook(out.join("report.xlsx")).unwrap();
    wb.worksheet_range(name).unwrap()
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => panic!("not text: {other:?}"),
    }
}

fn num(d: &Data) -> f64 {
    match d {
        Data::Float(v) => *v,
        Data::Int(v) => *v as f64,
        other => panic!("not a number: {other:?}"),
    }
}

fn header(r: &Range<Data>) -> Vec<String> {
    r.rows().next().unwrap().iter().map(text).collect()
}

fn col(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
}

/// The row whose first cell is `id`.
fn row<'a>(r: &'a Range<Data>, id: &str) -> &'a [Data] {
    r.rows()
        .find(|row| matches!(&row[0], Data::String(s) if s == id))
        .unwrap_or_else(|| panic!("no row {id}"))
}

/// A file of the workbook's zip, as text.
fn part(out: &Path, name: &str) -> String {
    let file = std::fs::File::open(out.join("report.xlsx")).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut s = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

fn zone<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["zones"]
        .as_array()
        .unwrap()
        .iter()
        .find(|z| z["id"] == id)
        .unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9 * b.abs().max(1.0)
}

#[test]
fn the_workbook_has_four_sheets_with_report_json_numbers_and_frozen_headers() {
    let dir = tempfile::tempdir().unwrap();
    let (out, report) = check(dir.path(), LAYERS);
    let wb: Xlsx<_> = open_workbook(out.join("report.xlsx")).unwrap();
    assert_eq!(wb.sheet_names(), ["汇总", "问题清单", "占用图斑", "界址点"]);

    // 汇总: one row per zone; Z1's numbers are report.json's (and the hand-worked ones).
    let s = sheet(&out, "汇总");
    let h = header(&s);
    assert_eq!(
        &h[..6],
        [
            "开发区编号",
            "开发区名称",
            "结论",
            "面积（m²）",
            "面积（亩）",
            "面积（公顷）"
        ]
    );
    let z1 = row(&s, "Z1");
    let j1 = zone(&report, "Z1");
    assert_eq!(text(&z1[1]), "东湖开发区", "CJK round trip");
    assert_eq!(text(&z1[col(&h, "结论")]), "不通过");
    let area = j1["area_m2"].as_f64().unwrap();
    assert!(close(area, 20_000.0));
    assert!(close(num(&z1[3]), area));
    assert!(close(num(&z1[4]), j1["area_mu"].as_f64().unwrap()));
    assert!(close(num(&z1[5]), 2.0));
    let farm = &j1["conflicts"]["farmland"];
    assert!(close(farm["area_m2"].as_f64().unwrap(), 5_800.0));
    assert!(close(
        num(&z1[col(&h, "永久基本农田冲突（m²）")]),
        farm["area_m2"].as_f64().unwrap()
    ));
    assert!(close(
        num(&z1[col(&h, "永久基本农田冲突（亩）")]),
        farm["area_mu"].as_f64().unwrap()
    ));
    assert!(close(num(&z1[col(&h, "永久基本农田冲突（公顷）")]), 0.58));
    // The same areas on the CGCS2000 ellipsoid beside them: report.json's (whose agreement with
    // pyproj's geodesic areas tests/ellipsoid.rs checks); this close to the central meridian
    // they differ from the planar ones by well under 0.1 %, but they differ.
    let ell = j1["area_ellipsoid_m2"].as_f64().unwrap();
    assert!(
        ell != area && (ell / area - 1.0).abs() < 1e-3,
        "{ell} vs {area}"
    );
    assert!(close(num(&z1[col(&h, "椭球面积（m²）")]), ell));
    assert!(close(
        num(&z1[col(&h, "椭球面积（亩）")]),
        ell * 15.0 / 10_000.0
    ));
    assert!(close(num(&z1[col(&h, "椭球面积（公顷）")]), ell / 10_000.0));
    let farm_ell = farm["area_ellipsoid_m2"].as_f64().unwrap();
    assert!((farm_ell / 5_800.0 - 1.0).abs() < 1e-3);
    assert!(close(
        num(&z1[col(&h, "永久基本农田冲突椭球面积（m²）")]),
        farm_ell
    ));
    assert!(close(num(&z1[col(&h, "生态保护红线冲突（m²）")]), 0.0));
    let z2 = row(&s, "Z2");
    assert_eq!(text(&z2[1]), "西山园区");
    assert!(close(num(&z2[col(&h, "生态保护红线冲突（m²）")]), 2_500.0));
    assert_eq!(
        num(&z1[col(&h, "分片区数")]),
        j1["part_count"].as_f64().unwrap()
    );
    assert_eq!(
        num(&z1[col(&h, "组团数")]),
        j1["clusters"].as_f64().unwrap()
    );
    let findings = j1["findings"].as_array().unwrap().len();
    assert_eq!(num(&z1[col(&h, "问题数")]), findings as f64);
    assert_eq!(num(&z1[col(&h, "待处理")]), findings as f64, "no decisions");

    // 问题清单: every finding of the zones and the plan.
    let f = sheet(&out, "问题清单");
    let plan = report["plan"]["findings"].as_array().unwrap().len();
    let all: usize = report["zones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|z| z["findings"].as_array().unwrap().len())
        .sum::<usize>()
        + plan;
    assert_eq!(f.rows().count(), all + 1);
    let fh = header(&f);
    let conflict = f
        .rows()
        .find(|r| matches!(&r[col(&fh, "规则")], Data::String(s) if s == "conflict.farmland"))
        .expect("the farmland conflict");
    assert_eq!(text(&conflict[0]), "Z1");
    assert_eq!(text(&conflict[col(&fh, "严重程度")]), "否决");
    assert!(text(&conflict[col(&fh, "说明")]).contains("占用永久基本农田"));
    assert!(close(num(&conflict[col(&fh, "面积（m²）")]), 5_800.0));

    // 占用图斑: the default patch fields the farmland has (not XZQDM), then the areas.
    let p = sheet(&out, "占用图斑");
    let ph = header(&p);
    assert_eq!(
        ph,
        [
            "开发区编号",
            "开发区名称",
            "保护图层",
            "图斑编号",
            "类别",
            "BSM",
            "DLBM",
            "DLMC",
            "TBMJ",
            "ZLDWMC",
            "占用面积（m²）",
            "占用面积（亩）",
            "占用面积（公顷）",
            "占用椭球面积（m²）",
            "占用椭球面积（亩）",
            "占用椭球面积（公顷）",
            "碎片（不计冲突）"
        ]
    );
    assert_eq!(p.rows().count(), 1 + 3, "F001, F002 for Z1; R1 for Z2");

    // 界址点: the rows of boundary_points.csv, cell for cell.
    let csv = std::fs::read_to_string(out.join("boundary_points.csv")).unwrap();
    let csv_rows: Vec<Vec<&str>> = csv
        .trim_start_matches('\u{feff}')
        .lines()
        .map(|l| l.split(',').collect())
        .collect();
    let b = sheet(&out, "界址点");
    let b_rows: Vec<&[Data]> = b.rows().collect();
    assert_eq!(b_rows.len(), csv_rows.len());
    // Z1's square ring: J1…J4 and J1 again; Z2 the same: 10 points and the header.
    assert_eq!(b_rows.len(), 11);
    assert_eq!(header(&b), csv_rows[0]);
    for (x, c) in b_rows.iter().zip(&csv_rows).skip(1) {
        assert_eq!(text(&x[0]), c[0]);
        assert_eq!(text(&x[1]), c[1]);
        assert_eq!(num(&x[2]), c[2].parse::<f64>().unwrap());
        assert_eq!(num(&x[3]), c[3].parse::<f64>().unwrap());
        assert_eq!(text(&x[4]), c[4]);
        assert!(close(num(&x[5]), c[5].parse().unwrap()));
        assert!(close(num(&x[6]), c[6].parse().unwrap()));
    }

    // Frozen header rows (and the id and name columns of 汇总), areas formatted 0.00 and
    // 公顷 0.0000, the name column wide enough for 东湖开发区 (5 CJK characters: 10 columns).
    let sheet1 = part(&out, "xl/worksheets/sheet1.xml");
    assert!(
        sheet1.contains(r#"<pane xSplit="2" ySplit="1" topLeftCell="C2""#)
            && sheet1.contains(r#"state="frozen""#),
        "{sheet1}"
    );
    for n in 2..=4 {
        let xml = part(&out, &format!("xl/worksheets/sheet{n}.xml"));
        assert!(
            xml.contains(
                r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#
            ),
            "sheet{n}: {xml}"
        );
    }
    // `<col min="M" max="N" width="W" …/>`: the one whose range holds column 2.
    let attr = |c: &str, name: &str| -> f64 {
        c.split(&format!("{name}=\""))
            .nth(1)
            .and_then(|v| v.split('"').next())
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    };
    let width_of_b = sheet1
        .split("<col ")
        .skip(1)
        .find(|c| attr(c, "min") <= 2.0 && 2.0 <= attr(c, "max"))
        .map(|c| attr(c, "width"))
        .expect("a width for column B");
    assert!(width_of_b >= 12.0, "column B {width_of_b}");
    let styles = part(&out, "xl/styles.xml");
    assert!(styles.contains(r#"formatCode="0.00""#), "{styles}");
    assert!(styles.contains(r#"formatCode="0.0000""#), "{styles}");
    // The 界址点 coordinates (columns F and G) shown with the review's three decimals: the
    // cell's style is a cellXfs entry whose number format is 0.000.
    let sheet4 = part(&out, "xl/worksheets/sheet4.xml");
    let xfs = styles
        .split("<cellXfs")
        .nth(1)
        .and_then(|x| x.split("</cellXfs>").next())
        .expect("cellXfs");
    let xf_list: Vec<&str> = xfs.split("<xf ").skip(1).collect();
    for cell in ["F2", "G2", "F11", "G11"] {
        let style = sheet4
            .split(&format!("<c r=\"{cell}\""))
            .nth(1)
            .map(|c| attr(c.split('>').next().unwrap_or(""), "s"))
            .expect("the cell");
        let xf = xf_list[style as usize];
        let fmt_id = attr(xf, "numFmtId");
        assert!(
            styles.contains(&format!(
                r#"<numFmt numFmtId="{fmt_id}" formatCode="0.000"/>"#
            )),
            "{cell}: style {style}, {xf}, {styles}"
        );
    }
}

#[test]
fn configured_patch_fields_arrive_in_the_csv_the_workbook_and_the_geopackage() {
    let dir = tempfile::tempdir().unwrap();
    let review = format!("{LAYERS}[fields]\npatch = [\"DLBM\", \"tbmj\", \"ZLDWMC\"]\n");
    let (out, report) = check(dir.path(), &review);

    // report.json: each occupied patch carries its fields, in the configured order and
    // spelling; the red line has none of them.
    let farm = &zone(&report, "Z1")["conflicts"]["farmland"]["features"];
    assert_eq!(
        farm[0]["fields"],
        json!({"DLBM": "0103", "tbmj": "10000.00", "ZLDWMC": "东湖村"})
    );
    let red = &zone(&report, "Z2")["conflicts"]["redline"]["features"][0];
    assert!(red.get("fields").is_none(), "{red}");

    // occupied_patches.csv: the listed fields only (no DLMC), F001's values, its 5 000 m²
    // (7.5 亩) occupied.
    let csv = std::fs::read_to_string(out.join("occupied_patches.csv")).unwrap();
    let mut lines = csv.trim_start_matches('\u{feff}').lines();
    assert_eq!(
        lines.next().unwrap(),
        "开发区编号,开发区名称,图层,保护图层,图斑编号,类别,DLBM,tbmj,ZLDWMC,占用面积（m²）,占用面积（亩）,占用椭球面积（m²）,占用椭球面积（亩）,碎片"
    );
    let rows: Vec<&str> = lines.collect();
    // The planar columns as worked out by hand; the ellipsoidal ones (11, 12) are report.json's
    // to 2 and 4 decimals.
    let ell = |zone_id: &str, layer: &str, i: usize| {
        zone(&report, zone_id)["conflicts"][layer]["features"][i]["area_ellipsoid_m2"]
            .as_f64()
            .unwrap()
    };
    let expected = [
        (
            "Z1,东湖开发区,farmland,永久基本农田,F001,,0103,10000.00,东湖村,5000.00,7.5000",
            ell("Z1", "farmland", 0),
        ),
        (
            "Z1,东湖开发区,farmland,永久基本农田,F002,,0101,2800,西湖村,800.00,1.2000",
            ell("Z1", "farmland", 1),
        ),
        (
            "Z2,西山园区,redline,生态保护红线,R1,,,,,2500.00,3.7500",
            ell("Z2", "redline", 0),
        ),
    ];
    for (e, planar) in expected.iter().map(|x| x.1).zip([5_000.0, 800.0, 2_500.0]) {
        assert!(
            (e / planar - 1.0).abs() < 1e-3 && e != planar,
            "{e} vs {planar}"
        );
    }
    assert_eq!(rows.len(), expected.len(), "{rows:?}");
    for (row, (planar, e)) in rows.iter().zip(expected) {
        assert_eq!(
            *row,
            format!("{planar},{e:.2},{:.4},否", e * 15.0 / 10_000.0),
        );
    }

    // report.xlsx: DLBM stays text with its leading zero, TBMJ (an area) is a number.
    let p = sheet(&out, "占用图斑");
    let h = header(&p);
    let f001 = p
        .rows()
        .find(|r| matches!(&r[3], Data::String(s) if s == "F001"))
        .unwrap();
    assert_eq!(f001[col(&h, "DLBM")], Data::String("0103".into()));
    assert_eq!(num(&f001[col(&h, "tbmj")]), 10_000.0);
    assert_eq!(text(&f001[col(&h, "ZLDWMC")]), "东湖村");
    assert_eq!(text(&f001[2]), "永久基本农田");
    assert!(close(num(&f001[col(&h, "占用面积（m²）")]), 5_000.0));
    assert!(close(num(&f001[col(&h, "占用面积（亩）")]), 7.5));

    // report.html: the farmland patch table has the columns and values.
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("<th>DLBM</th><th>tbmj</th><th>ZLDWMC</th>"),
        "no patch field columns in report.html"
    );
    assert!(html.contains("<td>0103</td><td>10000.00</td><td>东湖村</td>"));

    // conflicts.gpkg (the same columns as conflicts.shp): the patch fields as columns.
    let db = rusqlite::Connection::open(out.join("conflicts.gpkg")).unwrap();
    let (dlbm, tbmj, zl): (String, String, String) = db
        .query_row(
            "SELECT DLBM, tbmj, ZLDWMC FROM conflicts WHERE FEAT_ID = 'F002'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        (dlbm.as_str(), tbmj.as_str(), zl.as_str()),
        ("0101", "2800", "西湖村")
    );
    let red: Option<String> = db
        .query_row("SELECT DLBM FROM conflicts WHERE FEAT_ID = 'R1'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(red, None);
}

#[test]
fn the_workbook_is_the_same_bytes_for_the_same_inputs() {
    // The document's creation time is fixed; everything else follows the inputs.
    let dir = tempfile::tempdir().unwrap();
    let (out, _) = check(dir.path(), LAYERS);
    let first = std::fs::read(out.join("report.xlsx")).unwrap();
    let again = dir.path().join("again");
    run_check(&dir.path().join("review.toml"), &again).assert_checked();
    assert_eq!(first, std::fs::read(again.join("report.xlsx")).unwrap());
    assert!(part(&out, "docProps/core.xml").contains("2000-01-01T00:00:00Z"));
}

#[test]
fn a_patch_field_no_protection_layer_has_is_a_warning() {
    // DLBMM (a typo) is on neither protection layer: said once, on the first of them; DLBM is
    // carried as usual. `[fields_of.redline] patch` names a field the red line lacks.
    let dir = tempfile::tempdir().unwrap();
    write_layers(dir.path());
    let review = format!(
        "{LAYERS}[fields]\npatch = [\"DLBM\", \"DLBMM\"]\n[fields_of.redline]\npatch = [\"HXMC\"]\n"
    );
    write(&dir.path().join("review.toml"), review);
    let out = dir.path().join("out");
    let run = run_check(&dir.path().join("review.toml"), &out);
    run.assert_checked();
    run.assert_warning("farmland.geojson", &["DLBMM", "a typo"]);
    run.assert_warning("redline.geojson", &["[fields_of.redline] patch", "HXMC"]);
    assert!(!run.warnings().iter().any(|w| w.contains("DLBM,")), "{run}");
    let csv = std::fs::read_to_string(out.join("occupied_patches.csv")).unwrap();
    assert!(csv.contains(",类别,DLBM,占用面积"), "{csv}");
}
