//! The loaders and the CRS of layers through the real binary (issue 8, items 2, 7, 8, 9):
//! CRS detection without a `.prj`, guesses that cannot be right, the `.cpg` that the bytes
//! contradict, non-regular files, input hashes and `zonecheck version`.

mod support;

use support::*;
use zonecheck::io::shp_write::{write_polygon_shapefile, OutEncoding};

fn report(fx: &Fixture) -> serde_json::Value {
    let text = std::fs::read_to_string(fx.out.join("report.json"))
        .unwrap_or_else(|e| panic!("report.json: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("report.json: {e}"))
}

fn zone<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["zones"]
        .as_array()
        .and_then(|zs| zs.iter().find(|z| z["id"] == id))
        .unwrap_or_else(|| panic!("no zone {id} in {report}"))
}

fn input<'a>(report: &'a serde_json::Value, layer: &str) -> &'a serde_json::Value {
    report["inputs"]
        .as_array()
        .and_then(|ls| ls.iter().find(|l| l["layer"] == layer))
        .unwrap_or_else(|| panic!("no input {layer}"))
}

/// The Why case: farmland in CGCS2000 3-degree zone 40 with the zone number before the easting
/// and no `.prj`, zones in EPSG:4549. EPSG:4528 (zone 40) and EPSG:4549 share the central
/// meridian 120°E and differ only in the false easting (40,500,000 m against 500,000 m), so
/// a polygon at x + 40,000,000 is the same place. Zone Z01 is the 500 m square at (X0, Y0);
/// patch A, 200 m square at (X0+100, Y0+100), lies inside it: 40,000 m²; patch B, 200 m square
/// at (X0+400, Y0+400), overlaps it by 100 m × 100 m = 10,000 m². Conflict: 50,000 m².
#[test]
fn zone_prefixed_farmland_without_prj_is_detected_and_its_conflicts_found() {
    let fx = Fixture::new();
    let shift = 40_000_000.0;
    let farm = fx.path("farmland.shp");
    write_polygon_shp(
        &farm,
        &zone_fields(),
        &[
            (
                square(X0 + shift + 100.0, Y0 + 100.0, 200.0),
                vec![Some("A".into()), None],
            ),
            (
                square(X0 + shift + 400.0, Y0 + 400.0, 200.0),
                vec![Some("B".into()), None],
            ),
        ],
        None,
    );
    fx.set_review(&format!("{FIXTURE_REVIEW}farmland = \"farmland.shp\"\n"));
    let run = fx.run();
    run.assert_checked();
    run.assert_warning("farmland.shp", &["detected EPSG:4528", "zone number 40"]);
    run.assert_warning(
        "farmland.shp",
        &["disagrees with the working CRS", "CM 120E"],
    );
    let r = report(&fx);
    let area = zone(&r, "Z01")["conflicts"]["farmland"]["area_m2"]
        .as_f64()
        .unwrap_or_else(|| panic!("no farmland conflict\n{run}"));
    assert!((area - 50_000.0).abs() < 1e-3, "{area}\n{run}");
    let crs = input(&r, "farmland")["crs"]["en"]
        .as_str()
        .unwrap_or_default();
    assert!(
        crs.contains("EPSG:4528") && crs.contains("detected"),
        "{crs}"
    );
}

/// Two detected layers in different zones (farmland zone 40, water zone 39): each that
/// disagrees with the working CRS (EPSG:4549) says so.
#[test]
fn layers_in_different_zone_prefixes_are_warned_about() {
    let fx = Fixture::new();
    let farm = fx.path("farmland.shp");
    write_polygon_shp(
        &farm,
        &zone_fields(),
        &[(
            square(40_500_000.0, Y0, 100.0),
            vec![Some("A".into()), None],
        )],
        None,
    );
    let water = fx.path("water.shp");
    write_polygon_shp(
        &water,
        &zone_fields(),
        &[(
            square(39_500_000.0, Y0, 100.0),
            vec![Some("W".into()), None],
        )],
        None,
    );
    fx.set_review(&format!(
        "{FIXTURE_REVIEW}farmland = \"farmland.shp\"\nwater = \"water.shp\"\n"
    ));
    let run = fx.run();
    run.assert_checked();
    run.assert_warning("farmland.shp", &["EPSG:4528", "disagrees"]);
    run.assert_warning("water.shp", &["detected EPSG:4527", "zone number 39"]);
    run.assert_warning("water.shp", &["EPSG:4527", "disagrees"]);
}

/// The Why case: a `.prj` saying WGS 84 geographic over coordinates around 512,000 /
/// 3,345,000 (the red line layer) is an error naming the `.prj`, not a silent "far from the
/// zones".
#[test]
fn geographic_prj_over_projected_coordinates_is_an_error_naming_the_prj() {
    let fx = Fixture::new();
    let red = fx.path("red.shp");
    write_polygon_shp(
        &red,
        &zone_fields(),
        &[(
            square(512_000.0, 3_345_000.0, 300.0),
            vec![Some("M001".into()), None],
        )],
        Some(&esri_wkt(4326)),
    );
    fx.set_review("[layers]\nzones = \"zones.shp\"\nredline = \"red.shp\"\n");
    fx.run()
        .assert_bad_input("red.prj", &["geographic CRS", "outside lon/lat ranges"]);
}

/// The Why case: local coordinates near 0,0 without a `.prj` are in lon/lat range but nowhere
/// near China: EPSG:4490 is not guessed, the error says to set crs_of.
#[test]
fn lon_lat_range_outside_china_is_not_guessed() {
    let fx = Fixture::new();
    write_polygon_shp(
        &fx.zones,
        &zone_fields(),
        &[(square(0.0, 0.0, 2.5), vec![Some("Z01".into()), None])],
        None,
    );
    assert!(!fx.zones.with_extension("prj").exists());
    fx.run().assert_bad_input(
        "zones.shp",
        &["far from CGCS2000's area of use", "crs_of.zones"],
    );
}

/// The Why case: a `.cpg` saying UTF-8 over GBK bytes. The bytes are not valid UTF-8 and
/// decode cleanly as GBK, so GBK is used with one warning naming the `.cpg`, and the Chinese
/// names come out right (no replacement characters, no per-field warnings).
#[test]
fn cpg_contradicted_by_the_bytes_loses() {
    let fx = Fixture::new();
    let features = vec![
        (
            square(X0, Y0, 500.0),
            vec![Some("Z01".to_string()), Some("萧山飞地".to_string())],
        ),
        (
            square(X0 + 2000.0, Y0, 500.0),
            vec![Some("Z02".to_string()), Some("开发区2".to_string())],
        ),
    ];
    write_polygon_shapefile(
        &fx.zones,
        &zone_fields(),
        &features,
        Some(&esri_wkt(EPSG_GK_120E)),
        OutEncoding::Gbk,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    write(&fx.zones.with_extension("cpg"), "UTF-8");
    let run = fx.run();
    run.assert_checked();
    let cpg_warnings: Vec<&str> = run
        .warnings()
        .into_iter()
        .filter(|w| w.contains(".cpg"))
        .collect();
    assert_eq!(cpg_warnings.len(), 1, "{run}");
    assert!(cpg_warnings[0].contains("decoded as GBK"), "{run}");
    assert!(
        !run.stderr.contains("replacement"),
        "no replacement-character warnings\n{run}"
    );
    let r = report(&fx);
    assert_eq!(zone(&r, "Z01")["name"], "萧山飞地", "{run}");
    let enc = input(&r, "zones")["encoding"]["en"]
        .as_str()
        .unwrap_or_default();
    assert!(enc.starts_with("GBK"), "{enc}");
}

#[test]
fn a_directory_as_layer_is_not_called_missing() {
    let fx = Fixture::new();
    std::fs::create_dir(fx.path("farm.shp")).unwrap_or_else(|e| panic!("{e}"));
    fx.set_review(&format!("{FIXTURE_REVIEW}farmland = \"farm.shp\"\n"));
    let run = fx.run();
    run.assert_bad_input("farm.shp", &["farmland", "directory"]);
    assert!(!run.stderr.contains("does not exist"), "{run}");
}

/// A FIFO as the review file or as a layer is refused from its metadata: the run ends at once
/// (a read would block forever; the test would hang).
#[cfg(unix)]
#[test]
fn a_fifo_is_refused_without_hanging() {
    let fx = Fixture::new();
    let fifo = fx.path("pipe.toml");
    let ok = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "mkfifo");
    run_check(&fifo, &fx.out).assert_bad_input("pipe.toml", &["not a regular file"]);
    let layer = fx.path("farm.shp");
    let ok = std::process::Command::new("mkfifo")
        .arg(&layer)
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "mkfifo");
    fx.set_review(&format!("{FIXTURE_REVIEW}farmland = \"farm.shp\"\n"));
    run_check(&fx.review, &fx.out).assert_bad_input("farm.shp", &["not a regular file"]);
}

/// Every file read is hashed: report.json lists the .shp, .shx, .dbf, .prj and .cpg of the
/// zones with their SHA-256 (computed here with sha2 on the bytes on disk), the GeoJSON, and the
/// review file. Editing a zone id in the .dbf changes the .dbf's hash and nothing else.
#[test]
fn every_file_read_is_hashed_and_a_dbf_edit_shows() {
    use sha2::{Digest, Sha256};
    let hex = |b: &[u8]| -> String {
        Sha256::digest(b)
            .iter()
            .map(|x| format!("{x:02x}"))
            .collect()
    };
    let fx = Fixture::new();
    fx.run().assert_checked();
    let before = report(&fx);
    let files = |r: &serde_json::Value| -> Vec<(String, String)> {
        input(r, "zones")["files"]
            .as_array()
            .unwrap_or_else(|| panic!("no files"))
            .iter()
            .map(|f| {
                (
                    f["file"].as_str().unwrap_or_default().to_string(),
                    f["sha256"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    };
    let names: Vec<String> = files(&before).into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "zones.shp",
            "zones.shx",
            "zones.dbf",
            "zones.prj",
            "zones.cpg"
        ]
    );
    for (name, hash) in files(&before) {
        assert_eq!(hash, hex(&read(&fx.path(&name))), "{name}");
    }
    assert_eq!(input(&before, "zones")["sha256"], hex(&read(&fx.zones)));
    let red = &input(&before, "redline")["files"][0];
    assert_eq!(red["file"], "redline.geojson");
    assert_eq!(red["sha256"], hex(&read(&fx.redline)));
    assert_eq!(before["review_sha256"], hex(&read(&fx.review)));

    // Z01 → Z09 in the .dbf.
    let dbf = fx.zones.with_extension("dbf");
    let mut bytes = read(&dbf);
    let at = bytes
        .windows(3)
        .position(|w| w == b"Z01")
        .unwrap_or_else(|| panic!("Z01 not in the .dbf"));
    bytes[at + 2] = b'9';
    write(&dbf, &bytes);
    fx.run().assert_checked();
    let after = report(&fx);
    let (b, a) = (files(&before), files(&after));
    for ((name, h0), (_, h1)) in b.iter().zip(&a) {
        assert_eq!(h0 != h1, name == "zones.dbf", "{name}");
    }
}

#[test]
fn version_names_the_commit_and_proj() {
    let run = run_zonecheck(["version"]);
    assert_eq!(run.code, Some(0), "{run}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines[0], format!("zonecheck {}", env!("CARGO_PKG_VERSION")));
    let commit = lines[1]
        .strip_prefix("commit ")
        .unwrap_or_else(|| panic!("{run}"));
    assert!(
        commit == "unknown"
            || (commit.len() == 12 && commit.bytes().all(|b| b.is_ascii_hexdigit())),
        "{commit}"
    );
    // PROJ bundled by proj-sys 0.27: 9.6.x.
    assert!(lines[2].starts_with("PROJ 9."), "{run}");
}

/// Issue 12 ("repair changes valid input"): a zone whose two parts are disjoint but whose boxes
/// overlap — triangles on either side of the diagonal of a 100 m square, the second one cut back
/// by 2 cm along each leg so the hypotenuses are 0.02/√2 ≈ 1.4 cm apart — is read as it is: no
/// repair note, no `zone.invalid_geometry`, two parts, and its area exactly the sum of the two
/// triangles' shoelace areas, 100²/2 + 99.98²/2 = 5,000 + 4,998.0002 = 9,998.0002 m² (the
/// corners sit off the metre grid, as real coordinates do, so a union's snapping would show).
/// A third part overlapping the first merges them, with the note and the finding.
#[test]
fn disjoint_parts_are_read_unchanged_and_overlapping_ones_merged() {
    let (x, y) = (X0 + 0.123_456_7, Y0 + 0.765_432_1);
    let tri_a = vec![[x, y], [x, y + 100.0], [x + 100.0, y], [x, y]];
    let tri_b = vec![
        [x + 100.0, y + 100.0],
        [x + 100.0, y + 0.02],
        [x + 0.02, y + 100.0],
        [x + 100.0, y + 100.0],
    ];
    let good = vec![tri_a.clone(), tri_b];
    // Record 1: triangle A plus a 50 m square from (x − 20, y − 20): it sticks out of A's box,
    // so it is a second shell, and overlaps A in [0, 30]² (inside A: 30 + 30 < 100), 900 m².
    let sq = vec![
        [x - 20.0, y - 20.0],
        [x - 20.0, y + 30.0],
        [x + 30.0, y + 30.0],
        [x + 30.0, y - 20.0],
        [x - 20.0, y - 20.0],
    ];
    let overlapping = vec![tri_a, sq];
    let fx = Fixture::new();
    write_raw_polygon_shp(
        &fx.zones,
        &[good, overlapping],
        Some(&esri_wkt(EPSG_GK_120E)),
    );
    let run = fx.run();
    run.assert_no_panic();
    let r = report(&fx);
    let z1 = zone(&r, "1");
    let area = z1["area_m2"].as_f64().unwrap_or(f64::NAN);
    assert!((area - 9_998.000_2).abs() < 1e-6, "{area}\n{run}");
    assert_eq!(z1["parts"].as_array().map(Vec::len), Some(2), "{run}");
    let rules = |z: &serde_json::Value| -> Vec<String> {
        z["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f["rule"].as_str().map(str::to_string))
            .collect()
    };
    assert!(
        !rules(z1).contains(&"zone.invalid_geometry".to_string()),
        "{run}"
    );
    let warnings = input(&r, "zones")["warnings"].to_string();
    assert!(!warnings.contains("record 0"), "{warnings}");
    // Record 1: A ∪ square = 5,000 + 2,500 − 900 = 6,600 m².
    let z2 = zone(&r, "2");
    let area = z2["area_m2"].as_f64().unwrap_or(f64::NAN);
    assert!((area - 6_600.0).abs() < 1e-3, "{area}\n{run}");
    assert!(
        rules(z2).contains(&"zone.invalid_geometry".to_string()),
        "{run}"
    );
    run.assert_warning("zones.shp", &["record 1", "overlapping parts merged"]);
}
