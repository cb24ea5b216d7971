//! Bad input through the real binary: every corrupted or missing file and every broken review
//! file ends in exit code 2 with one `error:` line naming the file, or, where the design says the
//! problem is partial, in a normal run with a `warning:` naming the file. Never a panic, and
//! never a changed input file ([`Fixture::run`] checks that on every run).

mod support;

use support::*;

/// Size of a `.shp` main-file header.
const SHP_HEADER: usize = 100;

// ---------------------------------------------------------------------------------------------
// The baseline

#[test]
fn valid_review_runs_and_writes_reports_into_a_nested_new_folder() {
    let fx = Fixture::new();
    let out = fx.dir.path().join("out").join("a").join("b").join("c");
    assert!(!fx.dir.path().join("out").exists());
    let run = fx.run_with(&fx.review, &out);
    run.assert_checked();
    assert!(
        run.warnings().is_empty(),
        "a clean review gives no warnings\n{run}"
    );
    for name in [
        "report.json",
        "findings.csv",
        "conflicts.geojson",
        "report.html",
    ] {
        assert!(out.join(name).is_file(), "{name} not written\n{run}");
    }
    assert!(
        run.stdout.contains("Z01") && run.stdout.contains("Z02"),
        "{run}"
    );
}

// ---------------------------------------------------------------------------------------------
// The .shp

#[test]
fn shp_cut_inside_the_header() {
    let fx = Fixture::new();
    truncate(&fx.zones, 50);
    fx.run()
        .assert_bad_input("zones.shp", &["truncated header"]);
}

#[test]
fn shp_cut_in_the_middle_of_its_only_usable_record() {
    let fx = Fixture::new();
    // Two records of 136 bytes from byte 100: cut inside the first, so no record is left.
    truncate(&fx.zones, SHP_HEADER + 50);
    fx.run()
        .assert_bad_input("zones.shp", &["record 0", "Z01", "cut short"]);
}

#[test]
fn shp_cut_in_the_middle_of_a_later_zone_record_is_bad_input() {
    let fx = Fixture::new();
    let second = shp_record_offset(&fx.zones, 1);
    truncate(&fx.zones, second + 20);
    // Issue 8: a zones record that cannot be read is bad input naming the record and its zone
    // id (every plan-level count depends on every zone), not a zone silently left out.
    fx.run()
        .assert_bad_input("zones.shp", &["record 1", "Z02", "cut short"]);
}

#[test]
fn zero_byte_shp() {
    let fx = Fixture::new();
    write(&fx.zones, b"");
    fx.run().assert_bad_input("zones.shp", &["empty"]);
}

#[test]
fn shp_with_wrong_magic() {
    let fx = Fixture::new();
    patch(&fx.zones, 0, &1234i32.to_be_bytes());
    fx.run().assert_bad_input("zones.shp", &["not a shapefile"]);
}

#[test]
fn shp_record_length_bigger_than_the_file() {
    let fx = Fixture::new();
    let first = shp_record_offset(&fx.zones, 0);
    patch(&fx.zones, first + 4, &i32::MAX.to_be_bytes());
    // Changed on purpose (issue 8): the .shx is consistent with the file, so it locates the
    // record and both zones are read, with a warning about the header.
    let run = fx.run();
    run.assert_checked();
    run.assert_warning("zones.shp", &["record 0: its header gives a length"]);
    assert!(
        run.stdout.contains("Z01") && run.stdout.contains("Z02"),
        "{run}"
    );
}

#[test]
fn shp_record_length_lying_on_a_later_record_is_a_warning() {
    let fx = Fixture::new();
    let second = shp_record_offset(&fx.zones, 1);
    patch(&fx.zones, second + 4, &0x0100_0000i32.to_be_bytes());
    let run = fx.run();
    run.assert_checked();
    // Changed on purpose (issue 8): read where the consistent .shx puts it.
    run.assert_warning("zones.shp", &["record 1: its header gives a length"]);
    assert!(run.stdout.contains("Z02"), "{run}");
}

/// A zone record with a NaN vertex is bad input (fail closed: every plan count depends on
/// every zone), naming the record and its zone id.
#[test]
fn nan_coordinate_in_a_zone_is_bad_input() {
    let fx = Fixture::new();
    patch(
        &fx.zones,
        shp_point_offset(&fx.zones, 0, 1),
        &f64::NAN.to_le_bytes(),
    );
    fx.run()
        .assert_bad_input("zones.shp", &["record 0", "Z01", "non-finite"]);
}

#[test]
fn nan_coordinate_in_the_only_zone_is_an_error() {
    let fx = Fixture::new();
    write_zones_shp(&fx.zones, &zone_features(1));
    patch(
        &fx.zones,
        shp_point_offset(&fx.zones, 0, 2),
        &f64::NAN.to_le_bytes(),
    );
    // Issue 8: the reader lists the record as unusable, so no polygon record is left at all.
    fx.run()
        .assert_bad_input("zones.shp", &["record 0", "non-finite"]);
}

// Found by `cargo fuzz run shapefile` (reproducers in fuzz/regressions/shapefile/): rings that
// made geo's `debug_assert!`s fire inside `build_geometry`, so debug builds printed `error:
// internal error …` naming no file. The record must be repaired (the zone then checked, with
// `zone.invalid_geometry` when its boundary was invalid) or, when nothing usable is left, be
// bad input naming the record — never a panic.

/// Record 0 of the zones was either repaired (a warning names it, the check completes) or is
/// bad input naming it; never a panic.
fn assert_repaired_or_refused(run: &Run) {
    run.assert_no_panic();
    if run.code == Some(2) {
        run.assert_bad_input("zones.shp", &["record 0"]);
    } else {
        run.assert_checked();
        run.assert_warning("zones.shp", &["record 0"]);
    }
}

/// A second zone, valid, so that the run can go on without record 0.
fn good_zone() -> Vec<Vec<[f64; 2]>> {
    let (x, y) = (X0 + 2000.0, Y0);
    vec![vec![
        [x, y],
        [x, y + 500.0],
        [x + 500.0, y + 500.0],
        [x + 500.0, y],
        [x, y],
    ]]
}

#[test]
fn rings_with_subnormal_coordinates_do_not_panic() {
    let fx = Fixture::new();
    let tiny = 5e-324;
    let bad = vec![
        vec![[1.0, 0.0], [0.0, 1.0], [0.0, tiny], [0.0, 0.0]],
        vec![[tiny, 1.0], [tiny, 0.0], [0.0, 0.0]],
    ];
    write_raw_polygon_shp(
        &fx.zones,
        &[bad, good_zone()],
        Some(&esri_wkt(EPSG_GK_120E)),
    );
    assert_repaired_or_refused(&fx.run());
}

#[test]
fn ring_with_negative_zero_does_not_panic() {
    let fx = Fixture::new();
    let bad = vec![vec![
        [0.0, 0.0],
        [-0.0, 1.0],
        [1.0, 0.0],
        [0.0, 0.0],
        [0.0, 1.0],
    ]];
    write_raw_polygon_shp(
        &fx.zones,
        &[bad, good_zone()],
        Some(&esri_wkt(EPSG_GK_120E)),
    );
    assert_repaired_or_refused(&fx.run());
}

#[test]
fn empty_zones_layer() {
    let fx = Fixture::new();
    write_zones_shp(&fx.zones, &[]);
    fx.run()
        .assert_bad_input("zones.shp", &["zones layer has no polygon features"]);
}

#[test]
fn points_shapefile_as_zones() {
    let fx = Fixture::new();
    for ext in ["shp", "shx", "dbf", "cpg", "prj"] {
        remove(&fx.zones.with_extension(ext));
    }
    write_point_shp(&fx.zones, &[(X0, Y0), (X0 + 100.0, Y0 + 100.0)]);
    fx.run()
        .assert_bad_input("zones.shp", &["Point", "polygons are required"]);
}

#[test]
fn zones_layer_with_an_unsupported_extension() {
    let fx = Fixture::new();
    write(&fx.path("zones.csv"), "not a layer");
    fx.set_review("[layers]\nzones = \"zones.csv\"\n");
    fx.run()
        .assert_bad_input("zones.csv", &["unsupported layer format"]);
}

// ---------------------------------------------------------------------------------------------
// The siblings: .shx, .dbf, .prj

#[test]
fn missing_shx_is_a_warning() {
    let fx = Fixture::new();
    remove(&fx.zones.with_extension("shx"));
    let run = fx.run();
    run.assert_checked();
    run.assert_warning("zones.shp", &[".shx"]);
    assert!(
        run.stdout.contains("Z01") && run.stdout.contains("Z02"),
        "{run}"
    );
}

/// An empty `.shx` is treated like a missing one: the `.shp` is walked on its own.
#[test]
fn zero_byte_shx_is_a_warning() {
    let fx = Fixture::new();
    write(&fx.zones.with_extension("shx"), b"");
    let run = fx.run();
    run.assert_checked();
    run.assert_warning("zones.shp", &[".shx"]);
}

#[test]
fn missing_dbf() {
    let fx = Fixture::new();
    remove(&fx.zones.with_extension("dbf"));
    fx.run().assert_bad_input("zones.shp", &["missing .dbf"]);
}

/// Of two layers that cannot be read, the error names the first in the review's order of
/// layers (zones, original zones, red line, farmland, …), whichever is the larger (the files
/// are read largest first, side by side).
#[test]
fn of_two_unreadable_layers_the_first_in_the_review_is_named() {
    let fx = Fixture::new();
    let small = fx.path("small_red.shp");
    write_zones_shp(&small, &zone_features(1));
    let large = fx.path("large_farm.shp");
    write_zones_shp(&large, &zone_features(400));
    assert!(
        std::fs::metadata(&large).map(|m| m.len()).unwrap_or(0)
            > 100
                * std::fs::metadata(&small)
                    .map(|m| m.len())
                    .unwrap_or(u64::MAX)
    );
    remove(&small.with_extension("dbf"));
    remove(&large.with_extension("dbf"));
    fx.set_review(
        "[layers]\nzones = \"zones.shp\"\nredline = \"small_red.shp\"\nfarmland = \"large_farm.shp\"\n",
    );
    // Every feature read: both layers in the first read, where the larger starts first.
    let every = |fx: &Fixture| {
        run_zonecheck([
            "check".as_ref(),
            fx.review.as_os_str(),
            "--out".as_ref(),
            fx.out.as_os_str(),
            "--lang".as_ref(),
            "en".as_ref(),
            "--all-features".as_ref(),
        ])
    };
    every(&fx).assert_bad_input("small_red.shp", &["missing .dbf"]);
    fx.run()
        .assert_bad_input("small_red.shp", &["missing .dbf"]);
    // The large file as the red line (before the farmland in the review's order of layers):
    // it is named.
    fx.set_review(
        "[layers]\nzones = \"zones.shp\"\nfarmland = \"small_red.shp\"\nredline = \"large_farm.shp\"\n",
    );
    every(&fx).assert_bad_input("large_farm.shp", &["missing .dbf"]);
}

#[test]
fn zero_byte_dbf() {
    let fx = Fixture::new();
    write(&fx.zones.with_extension("dbf"), b"");
    fx.run().assert_bad_input("zones.dbf", &["empty"]);
}

#[test]
fn dbf_record_count_lying() {
    let fx = Fixture::new();
    patch(
        &fx.zones.with_extension("dbf"),
        4,
        &0x7FFF_FFFFu32.to_le_bytes(),
    );
    fx.run()
        .assert_bad_input("zones.dbf", &["2147483647 records"]);
}

// PROJ used to print its own diagnostics ("proj_create: …", "tmerc: Invalid latitude") to stderr
// beside the error line; these three cases caught that (fixed in 6e004ad).

#[test]
fn garbage_wkt_in_the_prj() {
    let fx = Fixture::new();
    write(
        &fx.zones.with_extension("prj"),
        "PROJCS[\"garbage\",GEOGCS[nonsense",
    );
    fx.run().assert_bad_input("zones.shp", &["unknown CRS"]);
}

/// A `.prj` saying CGCS2000 lon/lat on coordinates like 500000, 3340000 (a classic mix-up when
/// a projected layer gets the wrong `.prj`). It must not crash, and must not pass: no lon/lat
/// reading of these numbers is meaningful. The right outcome is an error naming the file.
#[test]
fn geographic_prj_on_projected_coordinates() {
    let fx = Fixture::new();
    write(&fx.zones.with_extension("prj"), esri_wkt(4490));
    let run = fx.run();
    run.assert_no_panic();
    assert_ne!(
        run.code,
        Some(0),
        "out-of-range lon/lat must not pass\n{run}"
    );
    // Issue 8: the error names the .prj.
    run.assert_bad_input("zones.prj", &["outside lon/lat ranges"]);
}

// ---------------------------------------------------------------------------------------------
// GeoJSON

#[test]
fn deeply_nested_geojson() {
    let fx = Fixture::new();
    let depth = 100_000;
    let text = format!(
        "{{\"type\":\"FeatureCollection\",\"features\":[{{\"type\":\"Feature\",\"properties\":{{}},\"geometry\":{{\"type\":\"Polygon\",\"coordinates\":{}{}}}}}]}}",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    write(&fx.redline, text);
    fx.run()
        .assert_bad_input("redline.geojson", &["not valid GeoJSON"]);
}

#[test]
fn truncated_geojson() {
    let fx = Fixture::new();
    let bytes = read(&fx.redline);
    truncate(&fx.redline, bytes.len() / 2);
    fx.run()
        .assert_bad_input("redline.geojson", &["not valid GeoJSON"]);
}

#[test]
fn zero_byte_geojson() {
    let fx = Fixture::new();
    write(&fx.redline, b"");
    fx.run().assert_bad_input("redline.geojson", &["empty"]);
}

#[test]
fn geojson_that_is_not_utf8() {
    let fx = Fixture::new();
    // "红线" in GBK inside an otherwise valid file.
    let mut bytes = b"{\"type\":\"FeatureCollection\",\"features\":[],\"name\":\"".to_vec();
    bytes.extend_from_slice(&[0xBA, 0xEC, 0xCF, 0xDF]);
    bytes.extend_from_slice(b"\"}");
    write(&fx.redline, bytes);
    fx.run().assert_bad_input("redline.geojson", &["UTF-8"]);
}

#[test]
fn geojson_with_only_points() {
    let fx = Fixture::new();
    write(
        &fx.redline,
        format!(
            "{{\"type\":\"FeatureCollection\",\"crs\":{{\"type\":\"name\",\"properties\":{{\"name\":\"EPSG:4549\"}}}},\"features\":[{{\"type\":\"Feature\",\"properties\":{{}},\"geometry\":{{\"type\":\"Point\",\"coordinates\":[{X0},{Y0}]}}}}]}}"
        ),
    );
    fx.run()
        .assert_bad_input("redline.geojson", &["Point", "polygons are required"]);
}

/// An empty protection layer is not an error (nothing to conflict with); an empty zones layer is.
#[test]
fn empty_protection_layer_is_not_an_error() {
    let fx = Fixture::new();
    write(&fx.redline, geojson_polygons(&[], Some("EPSG:4549")));
    fx.run().assert_checked();
}

#[test]
fn empty_zones_geojson() {
    let fx = Fixture::new();
    write(
        &fx.path("zones.geojson"),
        geojson_polygons(&[], Some("EPSG:4549")),
    );
    fx.set_review("[layers]\nzones = \"zones.geojson\"\n");
    fx.run()
        .assert_bad_input("zones.geojson", &["no polygon features"]);
}

// ---------------------------------------------------------------------------------------------
// The review file

fn assert_review_error(review_text: &str, phrases: &[&str]) {
    let fx = Fixture::new();
    fx.set_review(review_text);
    fx.run().assert_bad_input("review.toml", phrases);
}

#[test]
fn review_with_an_unknown_key() {
    assert_review_error(&format!("{FIXTURE_REVIEW}bogus = 1\n"), &["bogus"]);
}

#[test]
fn review_with_an_unknown_table() {
    assert_review_error(
        &format!("{FIXTURE_REVIEW}[rulez]\nmax_clusters = 2\n"),
        &["rulez"],
    );
}

#[test]
fn review_with_a_wrong_type() {
    assert_review_error(
        &format!("{FIXTURE_REVIEW}[rules]\nmax_clusters = \"two\"\n"),
        &["line 5"],
    );
}

#[test]
fn review_with_a_negative_number() {
    assert_review_error(
        &format!("{FIXTURE_REVIEW}[rules]\nmin_part_area_m2 = -5.0\n"),
        &["min_part_area_m2"],
    );
}

#[test]
fn review_with_a_negative_count() {
    assert_review_error(
        &format!("{FIXTURE_REVIEW}[rules]\nmax_clusters = -1\n"),
        &["line 5"],
    );
}

#[test]
fn review_with_nan() {
    assert_review_error(
        &format!("{FIXTURE_REVIEW}[rules]\nsliver_area_m2 = nan\n"),
        &["sliver_area_m2"],
    );
}

#[test]
fn review_without_layers() {
    assert_review_error("[rules]\nmax_clusters = 2\n", &["layers"]);
}

#[test]
fn review_without_zones() {
    assert_review_error("[layers]\nredline = \"redline.geojson\"\n", &["zones"]);
}

#[test]
fn review_that_is_not_toml() {
    assert_review_error(
        "this is = = not [toml\n\u{0}\u{1}",
        &["invalid review file"],
    );
}

#[test]
fn review_that_is_not_utf8() {
    let fx = Fixture::new();
    write(&fx.review, [0xFF, 0xFE, 0x00, b'[', 0xC3]);
    fx.run().assert_bad_input("review.toml", &[]);
}

/// Found by `cargo fuzz run review` (fuzz/regressions/review/): the error span was measured in
/// the text without its BOM but sliced the text with it, 3 bytes off, and could panic. Notepad
/// saves UTF-8 with a BOM; a Chinese comment just before a mistake was enough.
#[test]
fn review_with_a_bom_and_a_chinese_comment_before_an_error() {
    let fx = Fixture::new();
    fx.set_review(&format!("\u{feff}{FIXTURE_REVIEW}# 规则\nbogus = 1\n"));
    fx.run()
        .assert_bad_input("review.toml", &["bogus", "line 5"]);
}

#[test]
fn review_with_a_bom_and_an_error_on_the_first_line() {
    let fx = Fixture::new();
    fx.set_review("\u{feff}c\n");
    fx.run()
        .assert_bad_input("review.toml", &["invalid review file", "line 1"]);
}

#[test]
fn review_with_a_bom_is_read() {
    let fx = Fixture::new();
    fx.set_review(&format!("\u{feff}{FIXTURE_REVIEW}"));
    fx.run().assert_checked();
}

#[test]
fn review_naming_a_layer_file_that_does_not_exist() {
    let fx = Fixture::new();
    fx.set_review("[layers]\nzones = \"zones.shp\"\nredline = \"nowhere/redline.shp\"\n");
    fx.run()
        .assert_bad_input("redline.shp", &["redline", "does not exist"]);
}

#[test]
fn review_file_missing() {
    let fx = Fixture::new();
    fx.run_with(&fx.path("missing.toml"), &fx.out)
        .assert_bad_input("missing.toml", &["review file"]);
}

#[test]
fn review_with_an_unknown_working_crs() {
    assert_review_error(
        &format!("crs = \"EPSG:999999\"\n{FIXTURE_REVIEW}"),
        &["EPSG:999999"],
    );
}
