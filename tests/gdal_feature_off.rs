//! A build without the optional `gdal` feature (the default): a review naming a File
//! Geodatabase, a DXF or a `PG:` table is bad input in one line that says how to get a build
//! that reads it (issue 11 item 2). With the feature, tests/gdal.rs reads them.
#![cfg(not(feature = "gdal"))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::*;

#[test]
fn a_gdal_source_without_the_feature_says_how_to_enable_it() {
    let fx = Fixture::new();
    std::fs::create_dir(fx.path("plan.gdb")).unwrap();
    fx.set_review("[layers]\nzones = \"plan.gdb#merged_zones\"\nredline = \"redline.geojson\"\n");
    fx.run().assert_bad_input(
        "plan.gdb#merged_zones",
        &[
            "reading .gdb needs the gdal feature",
            "cargo build --release --features gdal",
        ],
    );
    write(&fx.path("drawing.dxf"), b"0\nEOF\n");
    fx.set_review("[layers]\nzones = \"zones.shp\"\nredline = \"drawing.dxf\"\n");
    fx.run()
        .assert_bad_input("drawing.dxf", &["reading .dxf needs the gdal feature"]);
    // A connection string is not a file of the review's folder: the same line, naming it.
    fx.set_review("[layers]\nzones = \"zones.shp\"\nredline = \"PG:dbname=plan#redline\"\n");
    fx.run().assert_bad_input(
        "PG:dbname=plan#redline",
        &["reading PostGIS (PG:) needs the gdal feature"],
    );
}
