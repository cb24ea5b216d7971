//! Fail closed (issue 8 items 1 and 7): incomplete input is a blocking finding, a bad zone is
//! bad input, outputs never replace inputs and are written whole. Every case runs the real
//! binary; the numbers are worked out by hand in each test's comments.

mod support;

use geo::polygon;
use serde_json::Value;
use support::*;

fn json(path: &std::path::Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The plan findings of report.json with rule `rule`.
fn plan_findings(report: &Value, rule: &str) -> Vec<Value> {
    report["plan"]["findings"]
        .as_array()
        .map(|a| a.iter().filter(|f| f["rule"] == rule).cloned().collect())
        .unwrap_or_default()
}

/// A red-line shapefile in EPSG:4549: record 0 a 200 m square over zone Z01 (500000..500500,
/// 3340000..3340500) whose vertex 1 is then set to NaN, record 1 a ring of two points, record 2
/// a valid 100 m square 3 km north of the zones (no conflict).
fn write_broken_redline(path: &std::path::Path) {
    let (x, y) = (X0 + 100.0, Y0 + 100.0);
    let square =
        |x: f64, y: f64, s: f64| vec![vec![[x, y], [x, y + s], [x + s, y + s], [x + s, y], [x, y]]];
    write_raw_polygon_shp(
        path,
        &[
            square(x, y, 200.0),
            vec![vec![[x, y], [x + 100.0, y + 100.0]]],
            square(X0, Y0 + 3000.0, 100.0),
        ],
        Some(&esri_wkt(EPSG_GK_120E)),
    );
    patch(path, shp_point_offset(path, 0, 1), &f64::NAN.to_le_bytes());
}

/// Why case: a red-line polygon with a NaN vertex lies over zone Z01. Dropping it used to leave
/// Z01 passing with exit 0; now the run is incomplete: one blocking `input.incomplete` plan
/// finding for the layer (2 features: record 0 non-finite, record 1 a ring of two points), exit
/// 1, in stdout, report.json, findings.csv and at the top of report.html.
#[test]
fn dropped_protection_features_make_the_check_incomplete() {
    let fx = Fixture::new();
    let redline = fx.path("redline.shp");
    write_broken_redline(&redline);
    fx.set_review("[layers]\nzones = \"zones.shp\"\nredline = \"redline.shp\"\n");
    let run = fx.run();
    run.assert_no_panic();
    assert_eq!(run.code, Some(1), "{run}");
    assert!(run.stdout.contains("input.incomplete"), "{run}");
    assert!(run.stdout.contains("incomplete input"), "{run}");
    let report = json(&fx.out.join("report.json"));
    let found = plan_findings(&report, "input.incomplete");
    assert_eq!(found.len(), 1, "one finding per layer\n{report:#}");
    let f = &found[0];
    assert_eq!(f["severity"], "blocking");
    assert_eq!(f["numbers"]["features"], 2.0);
    let en = f["message_en"].as_str().unwrap_or_default();
    for needle in [
        "redline",
        "redline.shp",
        "2 feature",
        "record 0",
        "non-finite",
        "record 1",
    ] {
        assert!(en.contains(needle), "{needle:?} missing in {en}");
    }
    let zh = f["message_zh"].as_str().unwrap_or_default();
    assert!(zh.contains("检查不完整") && zh.contains("记录 0"), "{zh}");
    // The first plan finding: input problems come first.
    assert_eq!(report["plan"]["findings"][0]["rule"], "input.incomplete");
    let csv = std::fs::read_to_string(fx.out.join("findings.csv")).unwrap_or_default();
    assert!(csv.contains("input.incomplete"), "{csv}");
    let html = std::fs::read_to_string(fx.out.join("report.html")).unwrap_or_default();
    let alert = html.find("input-alert").unwrap_or(usize::MAX);
    let basics = html.find("基本信息").unwrap_or(0);
    assert!(
        alert < basics,
        "the input alert must come before the report body"
    );
    assert!(
        html.contains("总体结论：<span class=\"badge fail\">不通过</span>"),
        "must not pass"
    );
}

/// The same run in Chinese prints the finding in Chinese on stdout.
#[test]
fn incomplete_input_is_printed_in_chinese_by_default() {
    let fx = Fixture::new();
    write_broken_redline(&fx.path("redline.shp"));
    fx.set_review("[layers]\nzones = \"zones.shp\"\nredline = \"redline.shp\"\n");
    let run = run_zonecheck([
        "check".as_ref(),
        fx.review.as_os_str(),
        "--out".as_ref(),
        fx.out.as_os_str(),
    ]);
    assert_eq!(run.code, Some(1), "{run}");
    assert!(run.stdout.contains("输入不完整"), "{run}");
    assert!(run.stdout.contains("检查不完整"), "{run}");
}

/// A zone record with a NaN vertex is bad input: exit 2, one line naming the file, the record
/// (FID 0) and its zone id Z01. (It used to be dropped: the plan lost a zone.)
#[test]
fn unusable_zone_record_is_bad_input_naming_the_record_and_zone() {
    let fx = Fixture::new();
    patch(
        &fx.zones,
        shp_point_offset(&fx.zones, 0, 1),
        &f64::NAN.to_le_bytes(),
    );
    fx.run().assert_bad_input(
        "zones.shp",
        &["record 0", "FID 0", "zone id Z01", "non-finite"],
    );
}

/// A zone whose ring has two points: bad input naming record 1 and zone id 2.
#[test]
fn zone_with_a_two_point_ring_is_bad_input() {
    let fx = Fixture::new();
    let (x, y) = (X0, Y0);
    write_raw_polygon_shp(
        &fx.zones,
        &[
            vec![vec![
                [x, y],
                [x, y + 500.0],
                [x + 500.0, y + 500.0],
                [x + 500.0, y],
                [x, y],
            ]],
            vec![vec![[x + 2000.0, y], [x + 2500.0, y + 500.0]]],
        ],
        Some(&esri_wkt(EPSG_GK_120E)),
    );
    fx.run()
        .assert_bad_input("zones.shp", &["record 1", "zone id 2"]);
}

/// Zone 1 is a bow-tie (0,0)-(500,500)-(500,0)-(0,500) from (X0, Y0): its own boundary
/// self-intersects, so it is checked on the repair (two triangles of base 500 and height 250:
/// 2 × 62,500 = 125,000 m²) and gets a blocking `zone.invalid_geometry`. Zone 2 is an unclosed
/// square: closing a ring is a trivial fix, no finding.
#[test]
fn zone_with_an_invalid_boundary_is_checked_repaired_and_blocked() {
    let fx = Fixture::new();
    let (x, y) = (X0, Y0);
    let x2 = X0 + 2000.0;
    write_raw_polygon_shp(
        &fx.zones,
        &[
            vec![vec![
                [x, y],
                [x + 500.0, y + 500.0],
                [x + 500.0, y],
                [x, y + 500.0],
                [x, y],
            ]],
            vec![vec![
                [x2, y],
                [x2, y + 500.0],
                [x2 + 500.0, y + 500.0],
                [x2 + 500.0, y],
            ]],
        ],
        Some(&esri_wkt(EPSG_GK_120E)),
    );
    let run = fx.run();
    run.assert_checked();
    assert_eq!(run.code, Some(1), "{run}");
    let report = json(&fx.out.join("report.json"));
    let zones = report["zones"].as_array().cloned().unwrap_or_default();
    let z1 = zones
        .iter()
        .find(|z| z["id"] == "1")
        .cloned()
        .unwrap_or_default();
    let z2 = zones
        .iter()
        .find(|z| z["id"] == "2")
        .cloned()
        .unwrap_or_default();
    let area = z1["area_m2"].as_f64().unwrap_or_default();
    assert!((area - 125_000.0).abs() < 1e-6, "area {area}");
    let rules = |z: &Value| -> Vec<String> {
        z["findings"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|f| f["rule"].as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    assert!(
        rules(&z1).contains(&"zone.invalid_geometry".to_string()),
        "{z1:#}"
    );
    assert!(
        !rules(&z2).contains(&"zone.invalid_geometry".to_string()),
        "{z2:#}"
    );
    assert_eq!(z1["pass"], false);
    let f = z1["findings"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|f| f["rule"] == "zone.invalid_geometry")
                .cloned()
        })
        .unwrap_or_default();
    let en = f["message_en"].as_str().unwrap_or_default();
    assert!(
        en.contains("self-intersection") && en.contains("valid boundary"),
        "{en}"
    );
    assert_eq!(f["severity"], "blocking");
}

/// A farmland layer whose `.prj` says EPSG:4549 but whose coordinates are 200 km east of the
/// zones (a CRS mix-up): every feature is far from the zones, so the spatial filter loads
/// none. Zones' box 500000..502500 × 3340000..3340500 (size 2500 m) grown by max(10 km, 2500 m)
/// = 10 km does not reach x = 700000: blocking `input.coverage` saying "wrong CRS?" with both
/// extents. A layer 9 km east of the zones' box (x = 511500) is within the margin: no finding.
#[test]
fn protection_layer_nowhere_near_the_zones_is_a_coverage_finding() {
    let fx = Fixture::new();
    let farm = fx.path("farmland.shp");
    write_polygon_shp(
        &farm,
        &zone_fields(),
        &[(
            square(X0 + 200_000.0, Y0, 100.0),
            vec![Some("F1".into()), None],
        )],
        Some(&esri_wkt(EPSG_GK_120E)),
    );
    let near = fx.path("water.shp");
    write_polygon_shp(
        &near,
        &zone_fields(),
        &[(
            square(X0 + 11_500.0, Y0, 100.0),
            vec![Some("W1".into()), None],
        )],
        Some(&esri_wkt(EPSG_GK_120E)),
    );
    fx.set_review(
        "[layers]\nzones = \"zones.shp\"\nfarmland = \"farmland.shp\"\nwater = \"water.shp\"\n",
    );
    let run = fx.run();
    run.assert_checked();
    assert_eq!(run.code, Some(1), "{run}");
    let report = json(&fx.out.join("report.json"));
    let found = plan_findings(&report, "input.coverage");
    assert_eq!(found.len(), 1, "{report:#}");
    let en = found[0]["message_en"].as_str().unwrap_or_default();
    for needle in [
        "wrong CRS?",
        "farmland.shp",
        "[700000.000000, 3340000.000000] – [700100.000000, 3340100.000000]",
        "[500000.000000, 3340000.000000] – [502500.000000, 3340500.000000]",
        "10000 m",
    ] {
        assert!(en.contains(needle), "{needle:?} missing in {en}");
    }
    assert_eq!(found[0]["numbers"]["margin_m"], 10_000.0);
    assert!(run.stdout.contains("input.coverage"), "{run}");
}

/// The fixture (a clean review) has no `input.*` finding and passes.
#[test]
fn clean_review_has_no_input_finding() {
    let fx = Fixture::new();
    let run = fx.run();
    assert_eq!(run.code, Some(0), "{run}");
    let report = json(&fx.out.join("report.json"));
    let rules: Vec<String> = report["plan"]["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|f| f["rule"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    assert!(!rules.iter().any(|r| r.starts_with("input.")), "{rules:?}");
}

/// `--out` set to the input folder, where the zones layer is named conflicts.shp: refused with
/// exit 2 naming the file; nothing in the folder changes (Fixture::run_with checks that).
#[test]
fn output_folder_holding_an_input_named_like_an_output_is_refused() {
    let fx = Fixture::new();
    for ext in ["shp", "shx", "dbf", "prj", "cpg"] {
        let from = fx.zones.with_extension(ext);
        if from.exists() {
            write(&fx.path(&format!("conflicts.{ext}")), read(&from));
        }
    }
    fx.set_review("[layers]\nzones = \"conflicts.shp\"\n");
    fx.run_with(&fx.review, &fx.input)
        .assert_bad_input("conflicts.shp", &["would overwrite an input"]);
}

/// A failure while the new set is moved in leaves the previous set intact and no partial or
/// temporary files: after a first run, conflicts.cpg is replaced by a folder (an output that
/// cannot be replaced); the second run (another rule, so other bytes) fails with exit 2 and
/// every previous output is byte for byte as it was.
#[test]
fn a_failed_write_leaves_the_previous_output_set_intact() {
    let fx = Fixture::new();
    fx.run().assert_checked();
    let cpg = fx.out.join("conflicts.cpg");
    std::fs::remove_file(&cpg).unwrap_or_else(|e| panic!("{e}"));
    std::fs::create_dir(&cpg).unwrap_or_else(|e| panic!("{e}"));
    let before = snapshot(&fx.out);
    fx.set_review(&format!("{FIXTURE_REVIEW}[rules]\nsliver_area_m2 = 2.5\n"));
    fx.run().assert_bad_input("conflicts.cpg", &[]);
    assert_same_files(&before, &snapshot(&fx.out));
    let leftovers: Vec<String> = std::fs::read_dir(fx.dir.path())
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.contains("zonecheck") || n.ends_with(".tmp"))
                .collect()
        })
        .unwrap_or_default();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// conflicts.shp carries the sliver flag, as conflicts.geojson does: red line over Z01 by
/// 200 × 200 = 40,000 m² (no sliver: F) and over Z02 by a 0.5 m × 1 m = 0.5 m² strip (no wider
/// than the 0.5 m sliver width, and under the 200 m² total: T).
#[test]
fn conflicts_shapefile_has_the_sliver_flag() {
    let fx = Fixture::new();
    write(
        &fx.redline,
        geojson_polygons(
            &[
                (square(X0 + 100.0, Y0 + 100.0, 200.0), "R1"),
                (
                    geo::MultiPolygon(vec![polygon![
                        (x: X0 + 2000.0 - 0.5, y: Y0 + 100.0),
                        (x: X0 + 2000.0 + 0.5, y: Y0 + 100.0),
                        (x: X0 + 2000.0 + 0.5, y: Y0 + 101.0),
                        (x: X0 + 2000.0 - 0.5, y: Y0 + 101.0),
                    ]]),
                    "R2",
                ),
            ],
            Some("EPSG:4549"),
        ),
    );
    let run = fx.run();
    assert_eq!(run.code, Some(1), "{run}");
    let layer =
        zonecheck::load::read_raw(&fx.out.join("conflicts.shp")).unwrap_or_else(|e| panic!("{e}"));
    let sliver = layer
        .fields
        .iter()
        .position(|f| f == "SLIVER")
        .unwrap_or_else(|| panic!("no SLIVER field: {:?}", layer.fields));
    let area = layer
        .fields
        .iter()
        .position(|f| f == "AREA_M2")
        .unwrap_or(0);
    let mut rows: Vec<(f64, String)> = layer
        .records
        .iter()
        .map(|r| {
            (
                r.attrs
                    .get(area)
                    .unwrap_or("")
                    .trim()
                    .parse()
                    .unwrap_or(-1.0),
                r.attrs.get(sliver).map(str::to_string).unwrap_or_default(),
            )
        })
        .collect();
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(
        (rows[0].0 - 0.5).abs() < 1e-3 && rows[0].1 == "T",
        "{rows:?}"
    );
    assert!(
        (rows[1].0 - 40_000.0).abs() < 1e-3 && rows[1].1 == "F",
        "{rows:?}"
    );
}

/// `zonecheck check R.toml` without `--out` names the missing argument in plain words, in
/// Chinese by default and in English with `--lang en`.
#[test]
fn missing_out_names_the_argument() {
    let fx = Fixture::new();
    let zh = run_zonecheck(["check".as_ref(), fx.review.as_os_str()]);
    assert_eq!(zh.code, Some(2), "{zh}");
    assert_eq!(zh.stderr_lines().len(), 1, "{zh}");
    assert!(zh.stderr.contains("缺少必需的参数 --out DIR"), "{zh}");
    let en = run_zonecheck([
        "check".as_ref(),
        fx.review.as_os_str(),
        "--lang".as_ref(),
        "en".as_ref(),
    ]);
    assert_eq!(en.code, Some(2), "{en}");
    assert!(
        en.stderr
            .contains("missing required argument --out DIR (the output folder)"),
        "{en}"
    );
}

/// A wrong type in the review file names the key and what was expected in plain words.
#[test]
fn wrong_type_in_the_review_names_the_key() {
    let fx = Fixture::new();
    fx.set_review(&format!(
        "{FIXTURE_REVIEW}\n[rules]\nsliver_area_m2 = \"abc\"\n"
    ));
    fx.run().assert_bad_input(
        "review.toml",
        &["`rules.sliver_area_m2` must be a number, found text \"abc\" (line 6)"],
    );
    let zh = run_zonecheck([
        "check".as_ref(),
        fx.review.as_os_str(),
        "--out".as_ref(),
        fx.out.as_os_str(),
    ]);
    zh.assert_bad_input(
        "review.toml",
        &["`rules.sliver_area_m2` 应为数字，实际是文本 \"abc\""],
    );
}

/// The same file for zones and farmland: a warning naming both keys.
#[test]
fn same_file_in_two_roles_is_a_warning() {
    let fx = Fixture::new();
    fx.set_review("[layers]\nzones = \"zones.shp\"\nfarmland = \"zones.shp\"\n");
    let run = fx.run();
    run.assert_checked();
    run.assert_warning("zones.shp", &["layers.zones", "layers.farmland"]);
}

/// A layer path that is a folder is called what it is, not "a file that does not exist".
#[test]
fn layer_path_that_is_a_folder_is_named_as_such() {
    let fx = Fixture::new();
    std::fs::create_dir(fx.path("farm.shp")).unwrap_or_else(|e| panic!("{e}"));
    fx.set_review(&format!("{FIXTURE_REVIEW}farmland = \"farm.shp\"\n"));
    let run = fx.run();
    run.assert_bad_input("farm.shp", &["`farmland`", "not a regular file"]);
    assert!(!run.stderr.contains("does not exist"), "{run}");
}

/// A FIFO given as the review file is refused without reading it (reading would hang).
#[cfg(unix)]
#[test]
fn review_file_that_is_a_fifo_is_refused_without_hanging() {
    let fx = Fixture::new();
    let fifo = fx.path("review-fifo.toml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !made {
        return; // no mkfifo on this system
    }
    let run = run_check(&fifo, &fx.out);
    run.assert_bad_input("review-fifo.toml", &["not a regular file"]);
}

#[test]
fn fix_with_unusable_protection_records_warns_and_the_recheck_stays_incomplete() {
    // The same broken red line (records 0 and 1 unusable): `zonecheck fix` cuts what it can,
    // says the cut may have missed protected land, and the fixed plan's check is still
    // `input.incomplete` (exit 1), never a pass.
    let fx = Fixture::new();
    let redline = fx.path("redline.shp");
    write_broken_redline(&redline);
    fx.set_review("[layers]\nzones = \"zones.shp\"\nredline = \"redline.shp\"\n");
    let fixed = fx.dir.path().join("fixed");
    let run = run_zonecheck([
        "fix".as_ref(),
        fx.review.as_os_str(),
        "--out".as_ref(),
        fixed.as_os_str(),
        "--cut-protected".as_ref(),
        "--lang".as_ref(),
        "en".as_ref(),
    ]);
    assert_eq!(run.code, Some(0), "{run}");
    assert!(
        run.stderr.contains("redline") && run.stderr.contains("2 record(s)"),
        "{run}"
    );
    let out = fx.dir.path().join("check");
    let run = run_check(&fixed.join("review.toml"), &out);
    assert_eq!(run.code, Some(1), "{run}");
    let report = json(&out.join("report.json"));
    assert_eq!(plan_findings(&report, "input.incomplete").len(), 1);
}
