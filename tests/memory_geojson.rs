//! GeoJSON in bounded memory (issue 12, item 4), through the real binary. Alone in its file:
//! the peak RSS is read with getrusage(RUSAGE_CHILDREN), the maximum over every child of this
//! test process, so no other test may spawn children beside it.

mod support;

use support::*;

/// A 60,000-feature red-line FeatureCollection (~15 MB of text, written without spaces; the
/// `crs` member after the features, as some tools write it): the check reads it feature by
/// feature. Parsed as one JSON tree first (as before), the whole check peaked at 302 MB for this
/// 14.6 MB file (20 times its size); read feature by feature, 72 MB (5 times: the file's bytes,
/// kept for its hash, and the layer). The bound is 6 times the file's size, and the layer is
/// complete (every feature read, the `crs` member found after the features).
#[test]
fn a_large_feature_collection_is_read_feature_by_feature() {
    let fx = Fixture::new();
    let n = 60_000usize;
    let mut text = String::from("{\"type\":\"FeatureCollection\",\"features\":[");
    for i in 0..n {
        // 20 m squares on a 30 m grid south of the zones (nowhere near them).
        let x = X0 + (i % 300) as f64 * 30.0;
        let y = Y0 - 20_000.0 - (i / 300) as f64 * 30.0;
        if i > 0 {
            text.push(',');
        }
        text.push_str(&format!(
            "{{\"type\":\"Feature\",\"properties\":{{\"BSM\":\"R{i:06}\",\"name\":\"红线{i}\"}},\"geometry\":{{\"type\":\"Polygon\",\"coordinates\":[[[{x:.3},{y:.3}],[{:.3},{y:.3}],[{:.3},{:.3}],[{x:.3},{:.3}],[{x:.3},{y:.3}]]]}}}}",
            x + 20.0,
            x + 20.0,
            y + 20.0,
            y + 20.0
        ));
    }
    text.push_str("],\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"EPSG:4549\"}}}");
    let bytes = text.len();
    assert!(bytes > 14_000_000, "{bytes}");
    write(&fx.redline, &text);
    let run = fx.run_with(&fx.review, &fx.out);
    run.assert_checked();
    let report: serde_json::Value =
        serde_json::from_slice(&read(&fx.out.join("report.json"))).unwrap();
    let redline = report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["layer"] == "redline")
        .unwrap_or_else(|| panic!("{}", report["inputs"]));
    // Every feature was read: those kept plus those far from the zones (left out of the check).
    let kept = redline["features"].as_u64().unwrap();
    let far = redline["features_far_from_zones"].as_u64().unwrap();
    assert_eq!(kept + far, n as u64, "{redline}");
    #[cfg(target_os = "linux")]
    {
        let peak_kb = children_peak_rss_kb();
        let limit_kb = (6 * bytes / 1024) as i64;
        assert!(
            peak_kb > 0 && peak_kb < limit_kb,
            "peak RSS {peak_kb} kB for {bytes} bytes of GeoJSON (limit {limit_kb} kB)"
        );
        eprintln!("peak RSS {peak_kb} kB for {bytes} bytes of GeoJSON");
    }
}
