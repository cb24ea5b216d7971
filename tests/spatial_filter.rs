//! The check's spatial filter (protection features far from every zone are not loaded) must not
//! change any result: the sample review is checked with and without it and every zone and plan
//! result must be identical, while the filter really leaves features out.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use zonecheck::analysis::run_checks;
use zonecheck::io::review::Review;
use zonecheck::load::{load_review_with, LoadOptions};
use zonecheck::model::LayerRole;
use zonecheck::progress::Progress;

fn sample() -> Review {
    Review::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_maps/review.toml")).unwrap()
}

#[test]
fn filtered_load_gives_the_same_results_with_fewer_features() {
    let review = sample();
    let progress = Progress::new();
    let full = load_review_with(&review, &progress, LoadOptions::default()).unwrap();
    let near = LoadOptions {
        near_zones: Some(zonecheck::spatial::frame::map_view_rect),
        read_every_feature: false,
    };
    let filtered = load_review_with(&review, &progress, near).unwrap();

    // Same layers in the same order; protection layers lose features, others keep all.
    let names = |d: &zonecheck::load::Dataset| -> Vec<String> {
        d.layers.iter().map(|l| l.name.clone()).collect()
    };
    assert_eq!(names(&full), names(&filtered));
    let mut left_out = 0;
    for (a, b) in full.layers.iter().zip(&filtered.layers) {
        assert_eq!(a.source.far_from_zones, 0);
        assert_eq!(
            b.features.len() + b.source.far_from_zones,
            a.features.len(),
            "{}",
            a.name
        );
        if a.role.is_protection() {
            left_out += b.source.far_from_zones;
        } else {
            assert_eq!(b.source.far_from_zones, 0, "{}", a.name);
        }
        assert_eq!(a.source.sha256, b.source.sha256);
    }
    let farmland =
        |d: &zonecheck::load::Dataset| d.layer(LayerRole::Farmland).unwrap().features.len();
    assert!(
        farmland(&filtered) < farmland(&full),
        "the filter left no farmland patch out ({} of {})",
        farmland(&filtered),
        farmland(&full)
    );
    assert!(left_out > 0);

    let a = run_checks(&full, &review.file, &progress).unwrap();
    let b = run_checks(&filtered, &review.file, &progress).unwrap();
    // Results are `Serialize`, not `PartialEq`: compare their JSON (numbers exactly).
    let json = |v: &dyn erased_json::Json| v.json();
    assert_eq!(json(&a.zones), json(&b.zones));
    assert_eq!(json(&a.plan), json(&b.plan));
}

/// The same with the farmland as a GeoJSON layer whose `crs` member comes first: its features
/// are filtered while they are read (the filter made in the file's CRS from the member), and
/// the results are still those of the whole load.
#[test]
fn geojson_filtered_while_streaming_gives_the_same_results() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_maps");
    let dir = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(&sample).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.path().join(e.file_name())).unwrap();
    }
    let raw = zonecheck::load::read_raw(&sample.join("farmland.shp")).unwrap();
    let layer = zonecheck::model::Layer {
        name: "farmland".into(),
        role: LayerRole::Farmland,
        fields: raw.fields.clone(),
        features: raw
            .records
            .iter()
            .map(|r| zonecheck::model::Feature {
                index: r.index,
                geometry: zonecheck::spatial::repair::build_geometry(&r.shape)
                    .unwrap()
                    .geometry,
                attrs: r.attrs.clone(),
            })
            .collect(),
        source: Default::default(),
    };
    let text = zonecheck::fix::plan_geojson_text(&layer, Some(4549));
    assert!(text.find("\"crs\"").unwrap() < text.find("\"features\"").unwrap());
    std::fs::write(dir.path().join("farmland.geojson"), text).unwrap();
    let review_path = dir.path().join("review.toml");
    let toml = std::fs::read_to_string(&review_path).unwrap().replace(
        "farmland = \"farmland.shp\"",
        "farmland = \"farmland.geojson\"",
    );
    assert!(toml.contains("farmland.geojson"));
    std::fs::write(&review_path, toml).unwrap();
    let review = Review::load(&review_path).unwrap();
    let progress = Progress::new();
    let full = load_review_with(&review, &progress, LoadOptions::default()).unwrap();
    let near = LoadOptions {
        near_zones: Some(zonecheck::spatial::frame::map_view_rect),
        read_every_feature: false,
    };
    let filtered = load_review_with(&review, &progress, near).unwrap();
    let farmland = |d: &zonecheck::load::Dataset| d.layer(LayerRole::Farmland).unwrap().clone();
    let (a, b) = (farmland(&full), farmland(&filtered));
    assert!(b.source.far_from_zones > 0);
    assert_eq!(b.features.len() + b.source.far_from_zones, a.features.len());
    let a = run_checks(&full, &review.file, &progress).unwrap();
    let b = run_checks(&filtered, &review.file, &progress).unwrap();
    let json = |v: &dyn erased_json::Json| v.json();
    assert_eq!(json(&a.zones), json(&b.zones));
    assert_eq!(json(&a.plan), json(&b.plan));
}

mod erased_json {
    pub trait Json {
        fn json(&self) -> serde_json::Value;
    }
    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> serde_json::Value {
            serde_json::to_value(self).unwrap()
        }
    }
}

#[test]
fn maps_shade_where_features_were_not_loaded_unless_all_are_loaded() {
    let review = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_maps/review.toml");
    let dir = tempfile::tempdir().unwrap();
    let progress = Progress::new();
    let html = |out: &str, near_zones| {
        let out = dir.path().join(out);
        zonecheck::cli::check_and_report_with(
            &review,
            &out,
            &progress,
            LoadOptions {
                near_zones,
                read_every_feature: false,
            },
        )
        .unwrap();
        std::fs::read_to_string(out.join("report.html")).unwrap()
    };
    let filtered = html("filtered", Some(zonecheck::spatial::frame::map_view_rect));
    let all = html("all", None);
    // The overview of the first zone (parts kilometres apart) shows areas where nothing was loaded.
    assert!(filtered.contains("class=\"nl\""));
    assert!(filtered.contains("未载入保护图层"));
    assert!(filtered.contains("远离各开发区，未载入"));
    assert!(!all.contains("class=\"nl\""));
    assert!(!all.contains("未载入"));
}

#[test]
fn cli_all_features_flag_loads_every_protection_feature() {
    let review = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_maps/review.toml");
    let dir = tempfile::tempdir().unwrap();
    let far_counts = |out: &str, extra: &[&str]| -> Vec<u64> {
        let out = dir.path().join(out);
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_zonecheck"))
            .arg("check")
            .arg(&review)
            .arg("--out")
            .arg(&out)
            .arg("--quiet")
            .args(extra)
            .status()
            .unwrap();
        // The sample has blocking findings: exit 1.
        assert_eq!(status.code(), Some(1));
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap())
                .unwrap();
        json["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["features_far_from_zones"].as_u64().unwrap())
            .collect()
    };
    assert!(far_counts("filtered", &[]).iter().sum::<u64>() > 0);
    assert!(far_counts("all", &["--all-features"])
        .iter()
        .all(|&n| n == 0));
}

/// `--all-features` reads, reprojects and repairs every record, then lets go of the features
/// no check and no map uses: every output is byte for byte that of loading everything, while
/// features were really let go (the sample's farmland has patches far from every zone frame).
#[test]
fn reading_every_feature_and_keeping_the_used_ones_gives_the_outputs_of_the_whole_load() {
    let review_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_maps/review.toml");
    let dir = tempfile::tempdir().unwrap();
    let ((whole, whole_ds), (kept, kept_ds)) = whole_and_kept(&review_path, dir.path());
    let farmland = kept_ds.layer(LayerRole::Farmland).unwrap();
    let released = farmland.source.released;
    assert!(released > 0, "no farmland patch was let go");
    assert_eq!(farmland.features.len() + released, farmland.source.features);
    for (a, b) in whole_ds.layers.iter().zip(&kept_ds.layers) {
        assert_eq!(a.name, b.name);
        assert_eq!(a.source.features, b.source.features, "{}", a.name);
        assert_eq!(b.source.far_from_zones, 0, "{}", a.name);
        assert_eq!(a.source.warnings, b.source.warnings, "{}", a.name);
    }
    same_outputs(&whole, &kept);
    assert!(kept_ds.loaded_near.is_none());
}

/// The review at `review_path` checked with everything loaded (outputs in `dir/whole`) and
/// with every feature read and the unused ones let go (`dir/kept`): each run's output folder
/// and dataset.
fn whole_and_kept(
    review_path: &Path,
    dir: &Path,
) -> (
    (PathBuf, zonecheck::model::Dataset),
    (PathBuf, zonecheck::model::Dataset),
) {
    let progress = Progress::new();
    let run = |out: &str, options: LoadOptions| {
        let out = dir.join(out);
        let (ds, _) =
            zonecheck::cli::check_and_report_with(review_path, &out, &progress, options).unwrap();
        (out, ds)
    };
    let whole = run("whole", LoadOptions::default());
    let kept = run(
        "kept",
        LoadOptions {
            near_zones: Some(zonecheck::spatial::frame::map_view_rect),
            read_every_feature: true,
        },
    );
    (whole, kept)
}

/// A copy of the sample review in `dir` with one more protection layer, `name`, read from
/// the GeoJSON `text` (EPSG:4549); the copy's review file.
fn sample_with_extra_layer(dir: &Path, name: &str, text: &str) -> PathBuf {
    std::fs::write(dir.join("extra.geojson"), text).unwrap();
    sample_with_layer_file(dir, name, "extra.geojson")
}

/// A copy of the sample review in `dir` with one more protection layer, `name`, read from
/// `file` (already in `dir`); the copy's review file.
fn sample_with_layer_file(dir: &Path, name: &str, file: &str) -> PathBuf {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_maps");
    for e in std::fs::read_dir(&sample).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.join(e.file_name())).unwrap();
    }
    let review_path = dir.join("review.toml");
    let toml = std::fs::read_to_string(&review_path).unwrap().replace(
        "[layers.extra]",
        &format!("[layers.extra]\n\"{name}\" = \"{file}\""),
    );
    assert!(toml.contains(file), "{toml}");
    std::fs::write(&review_path, toml).unwrap();
    review_path
}

/// The sample's zones' box `[min x, min y, max x, max y]`, from a whole load.
fn sample_zones_box() -> [f64; 4] {
    let ds = load_review_with(&sample(), &Progress::new(), LoadOptions::default()).unwrap();
    ds.layer(LayerRole::Zones).unwrap().source.extent.unwrap()
}

/// The lower-left corners of squares every `step` metres over the box `b` grown by 3 km.
fn grid_over(b: [f64; 4], step: f64) -> Vec<(f64, f64)> {
    let mut corners = Vec::new();
    let mut y = b[1] - 3000.0;
    while y < b[3] + 3000.0 {
        let mut x = b[0] - 3000.0;
        while x < b[2] + 3000.0 {
            corners.push((x.round(), y.round()));
            x += step;
        }
        y += step;
    }
    corners
}

/// A GeoJSON feature: the square of side `size` from `(x0, y0)`, with `properties` (JSON).
fn square_feature(x0: f64, y0: f64, size: f64, properties: &str) -> String {
    let (x1, y1) = (x0 + size, y0 + size);
    format!(
        r#"{{"type":"Feature","properties":{properties},"geometry":{{"type":"Polygon","coordinates":[[[{x0},{y0}],[{x1},{y0}],[{x1},{y1}],[{x0},{y1}],[{x0},{y0}]]]}}}}"#
    )
}

/// A FeatureCollection of `features` in EPSG:4549 (declared before them).
fn collection_4549(features: &[String]) -> String {
    format!(
        r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"EPSG:4549"}}}},"features":[{}]}}"#,
        features.join(",\n")
    )
}

/// The layer `name` of `ds`.
fn layer_named(ds: &zonecheck::model::Dataset, name: &str) -> zonecheck::model::Layer {
    ds.layers.iter().find(|l| l.name == name).unwrap().clone()
}

/// Every file under `dir`, by name, compared byte for byte with the same name under `other`.
fn same_outputs(dir: &Path, other: &Path) {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    assert!(names.len() >= 10, "{names:?}");
    for name in &names {
        let a = std::fs::read(dir.join(name)).unwrap();
        let b = std::fs::read(other.join(name)).unwrap();
        assert!(a == b, "{name:?} differs");
    }
}

/// Features in the frame of a zone's overview map but smaller than a step of that map (and of
/// every other overview map showing their place), away from every zone part, are let go too:
/// the maps count them among the features too small to draw from their boxes, so that every
/// output is still that of loading everything.
#[test]
fn features_too_small_for_every_map_showing_them_are_let_go_and_still_counted() {
    let dir = tempfile::tempdir().unwrap();
    // Squares of 0.2 m every 150 m over the zones' box grown by 3 km: the sample's maps show at
    // most a few px per metre, so each is far under a step on every map.
    let features: Vec<String> = grid_over(sample_zones_box(), 150.0)
        .into_iter()
        .map(|(x, y)| square_feature(x, y, 0.2, r#"{"DLBM":"0101"}"#))
        .collect();
    let review_path = sample_with_extra_layer(dir.path(), "点状", &collection_4549(&features));
    let ((whole, whole_ds), (kept, kept_ds)) = whole_and_kept(&review_path, dir.path());
    let (all, some) = (
        layer_named(&whole_ds, "点状"),
        layer_named(&kept_ds, "点状"),
    );
    assert_eq!(all.features.len(), features.len());
    assert_eq!(all.source.released, 0);
    let small = some.source.released_on_maps.len();
    assert!(small > 0, "no dot counted as too small on a map");
    assert!(some.source.released > small, "every dot let go is on a map");
    assert!(!some.features.is_empty(), "no dot near a zone part");
    assert_eq!(some.features.len() + some.source.released, features.len());
    let html = std::fs::read_to_string(whole.join("report.html")).unwrap();
    assert!(html.contains("个过小的要素（小于 1 像素）未绘制"));
    same_outputs(&whole, &kept);
}

/// An overview map draws at most `MAX_MAP_FEATURES` background features (those meeting the
/// zone's box first, each group in record order): a feature away from every zone part that
/// cannot be among them on any overview map showing its place is let go too, and the maps
/// count it among the features left out for the budget, so that every output is still that of
/// loading everything.
#[test]
fn features_past_every_maps_budget_are_let_go_and_still_counted() {
    let dir = tempfile::tempdir().unwrap();
    let b = sample_zones_box();
    // Squares of 60 m every 200 m over the zones' box grown by 3 km: the largest zone (15 km)
    // has ~38 m to a px on its overview map, so every square is drawn where it is in view,
    // and that map has thousands of them in view, far past its budget of 1,500. Before them,
    // 100 squares 60 km away (outside every map, let go) are the only ones with a BSM: the
    // layer's id field is judged from its first features' values as if all were loaded.
    let far = (0..100).map(|k| {
        let (x0, y0) = (
            b[2].round() + 60_000.0 + 200.0 * f64::from(k),
            b[3].round() + 60_000.0,
        );
        square_feature(x0, y0, 60.0, &format!(r#"{{"BSM":"F{k}","DLBM":"0101"}}"#))
    });
    let grid = grid_over(b, 200.0)
        .into_iter()
        .map(|(x, y)| square_feature(x, y, 60.0, r#"{"BSM":null,"DLBM":"0101"}"#));
    let features: Vec<String> = far.chain(grid).collect();
    let review_path = sample_with_extra_layer(dir.path(), "方格", &collection_4549(&features));
    let ((whole, whole_ds), (kept, kept_ds)) = whole_and_kept(&review_path, dir.path());
    let (all, some) = (
        layer_named(&whole_ds, "方格"),
        layer_named(&kept_ds, "方格"),
    );
    assert_eq!(all.features.len(), features.len());
    assert_eq!(some.features.len() + some.source.released, features.len());
    // None is too small on any map: every box kept is one left out for a budget (662 of the
    // 12,000 squares here; most lie near the large zone's parts, and are kept).
    let counted = some.source.released_on_maps.len();
    assert!(
        counted > 300,
        "only {counted} squares counted past a budget"
    );
    let bsm = some.fields.iter().position(|f| f == "BSM").unwrap();
    assert!(
        some.features.iter().all(|f| f.attrs.get(bsm).is_none()),
        "a kept square has a BSM"
    );
    let html = std::fs::read_to_string(whole.join("report.html")).unwrap();
    assert!(html.contains("背景要素超过每图的绘制上限"));
    same_outputs(&whole, &kept);
}

/// A large shapefile kept near the zones leaves its coordinates in the mapped file until it is
/// repaired, a block at a time (reprojected there when its CRS is not the working one): the
/// outputs are still those of loading everything.
#[test]
fn a_large_shapefile_read_a_block_at_a_time_gives_the_same_outputs() {
    use geo::{Coord, MultiPolygon, Polygon};
    use zonecheck::crs::{CrsDef, Reprojector};
    use zonecheck::io::shp_write::{write_polygon_shapefile, FieldKind, FieldSpec, OutEncoding};
    let dir = tempfile::tempdir().unwrap();
    // Squares of 60 m every 200 m over the zones' box grown by 3 km (as above), in CGCS2000
    // longitude and latitude: 12,000 records, a .shp of 1.6 MB (files from 1 MiB are mapped).
    let working = CrsDef::parse("EPSG:4549").unwrap();
    let geographic = CrsDef::parse("EPSG:4490").unwrap();
    let to_degrees = Reprojector::new(&working, &geographic).unwrap();
    let features: Vec<(MultiPolygon<f64>, Vec<Option<String>>)> =
        grid_over(sample_zones_box(), 200.0)
            .into_iter()
            .enumerate()
            .map(|(n, (x0, y0))| {
                let corners = [
                    (0.0, 0.0),
                    (0.0, 60.0),
                    (60.0, 60.0),
                    (60.0, 0.0),
                    (0.0, 0.0),
                ];
                let mut ring: Vec<Coord<f64>> = corners
                    .iter()
                    .map(|&(dx, dy)| Coord {
                        x: x0 + dx,
                        y: y0 + dy,
                    })
                    .collect();
                to_degrees.transform(&mut ring);
                let square = MultiPolygon(vec![Polygon::new(ring.into(), vec![])]);
                (square, vec![Some(format!("{n}")), Some("0101".to_string())])
            })
            .collect();
    let fields = [
        FieldSpec {
            name: "BSM".to_string(),
            kind: FieldKind::Text(10),
        },
        FieldSpec {
            name: "DLBM".to_string(),
            kind: FieldKind::Text(10),
        },
    ];
    let shp = dir.path().join("方格.shp");
    let prj = geographic.esri_wkt().unwrap();
    write_polygon_shapefile(&shp, &fields, &features, Some(&prj), OutEncoding::Gbk).unwrap();
    assert!(std::fs::metadata(&shp).unwrap().len() > 1 << 20);
    let review_path = sample_with_layer_file(dir.path(), "方格", "方格.shp");
    let ((whole, whole_ds), (kept, kept_ds)) = whole_and_kept(&review_path, dir.path());
    let (all, some) = (
        layer_named(&whole_ds, "方格"),
        layer_named(&kept_ds, "方格"),
    );
    assert_eq!(all.features.len(), features.len());
    assert!(some.source.released > 0);
    assert_eq!(some.features.len() + some.source.released, features.len());
    // The kept squares are those of the whole load, vertex for vertex.
    for f in &some.features {
        let g = all.features.iter().find(|a| a.index == f.index).unwrap();
        assert_eq!(f.geometry, g.geometry, "record {}", f.index);
        assert_eq!(f.attrs, g.attrs);
    }
    same_outputs(&whole, &kept);
}

/// What reading every feature adds to the filter: a record far from every zone that cannot be
/// used (a ring of one point) is named and makes the check incomplete, where the filter only
/// counts it as far.
#[test]
fn an_unusable_record_far_from_every_zone_is_found_when_every_feature_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let text = r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:4549"}},"features":[
{"type":"Feature","properties":{"DLBM":"0101"},"geometry":{"type":"Polygon","coordinates":[[[100000,100000],[100000,100000],[100000,100000],[100000,100000]]]}}
]}"#;
    let review_path = sample_with_extra_layer(dir.path(), "远处", text);
    let review = Review::load(&review_path).unwrap();
    let progress = Progress::new();
    let load = |read_every_feature| {
        let options = LoadOptions {
            near_zones: Some(zonecheck::spatial::frame::map_view_rect),
            read_every_feature,
        };
        let ds = load_review_with(&review, &progress, options).unwrap();
        ds.layers.into_iter().find(|l| l.name == "远处").unwrap()
    };
    let filtered = load(false);
    assert_eq!(filtered.source.far_from_zones, 1);
    assert!(filtered.source.unusable.is_empty());
    let whole = load(true);
    assert_eq!(whole.source.far_from_zones, 0);
    assert_eq!(
        whole.source.unusable.len(),
        1,
        "{:?}",
        whole.source.unusable
    );
    assert!(whole.features.is_empty());
    let (_, analysis) = zonecheck::cli::check_and_report_with(
        &review_path,
        &dir.path().join("out"),
        &progress,
        LoadOptions {
            near_zones: Some(zonecheck::spatial::frame::map_view_rect),
            read_every_feature: true,
        },
    )
    .unwrap();
    let incomplete: Vec<_> = analysis
        .plan
        .findings
        .iter()
        .filter(|f| f.rule == "input.incomplete")
        .collect();
    assert_eq!(incomplete.len(), 1);
    assert_eq!(
        incomplete[0].severity,
        zonecheck::analysis::Severity::Blocking
    );
    assert!(
        incomplete[0].message_zh.contains("远处"),
        "{:?}",
        incomplete[0]
    );
}
