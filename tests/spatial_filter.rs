//! The check's spatial filter (protection features far from every zone are not loaded) must not
//! change any result: the sample review is checked with and without it and every zone and plan
//! result must be identical, while the filter really leaves features out.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
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
        zonecheck::cli::check_and_report_with(&review, &out, &progress, LoadOptions { near_zones })
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
