//! No `-0` in any output (issue 12, item 6): `zonecheck check` on the sample (default mode and
//! `--all-features`) and on a case built to give zeros, and `zonecheck fix` on it. report.json and
//! conflicts.geojson are parsed and every number that is zero must be +0; findings.csv,
//! report.html, the conflicts.dbf attributes, the fix tables and the printed summaries must hold
//! no number written `-0`, `-0.0`, `-0.00`, ….

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;
use support::run_zonecheck;
use zonecheck::model::num::has_negative_zero;

/// Paths (JSON pointers) of the negative zeros in `v`.
fn negative_zeros(v: &serde_json::Value, at: &str, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Number(n)
            if n.as_f64().is_some_and(|x| x == 0.0 && x.is_sign_negative()) =>
        {
            out.push(at.to_string());
        }
        serde_json::Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                negative_zeros(x, &format!("{at}/{i}"), out);
            }
        }
        serde_json::Value::Object(map) => {
            for (k, x) in map {
                negative_zeros(x, &format!("{at}/{k}"), out);
            }
        }
        _ => {}
    }
}

fn assert_json_clean(path: &Path) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut found = Vec::new();
    negative_zeros(&v, "", &mut found);
    assert!(found.is_empty(), "{}: -0 at {found:?}", path.display());
}

fn assert_text_clean(path: &Path) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let text = String::from_utf8_lossy(&bytes);
    if has_negative_zero(&text) {
        let lines: Vec<&str> = text.lines().filter(|l| has_negative_zero(l)).collect();
        panic!("{}: a -0 in {lines:?}", path.display());
    }
}

/// Every output of a check in `out` is free of negative zeros.
fn assert_check_outputs_clean(out: &Path) {
    assert_json_clean(&out.join("report.json"));
    assert_json_clean(&out.join("conflicts.geojson"));
    for f in ["findings.csv", "report.html", "conflicts.dbf"] {
        assert_text_clean(&out.join(f));
    }
}

#[test]
fn the_sample_outputs_hold_no_negative_zero() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_maps/review.toml");
    let tmp = tempfile::tempdir().unwrap();
    for (mode, extra) in [("default", None), ("all", Some("--all-features"))] {
        let out = tmp.path().join(mode);
        let mut args = vec![
            "check".into(),
            sample.to_string_lossy().into_owned(),
            "--out".into(),
            out.to_string_lossy().into_owned(),
        ];
        args.extend(extra.map(String::from));
        let run = run_zonecheck(&args);
        assert!(matches!(run.code, Some(0 | 1)), "{run}");
        assert!(!has_negative_zero(&run.stdout), "{run}");
        assert_check_outputs_clean(&out);
    }
}

const X0: f64 = 500_000.0;
const Y0: f64 = 3_300_000.0;

fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> String {
    let p = |x: f64, y: f64| format!("[{},{}]", X0 + x, Y0 + y);
    format!(
        "[[{},{},{},{},{}]]",
        p(x0, y0),
        p(x1, y0),
        p(x1, y1),
        p(x0, y1),
        p(x0, y0)
    )
}

/// A GeoJSON layer in EPSG:4549: (properties, polygons).
fn layer(features: &[(&str, Vec<String>)]) -> String {
    let feats: Vec<String> = features
        .iter()
        .map(|(props, polys)| {
            format!(
                r#"{{"type":"Feature","properties":{props},"geometry":{{"type":"MultiPolygon","coordinates":[{}]}}}}"#,
                polys.join(",")
            )
        })
        .collect();
    format!(
        r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"EPSG:4549"}}}},"features":[{}]}}"#,
        feats.join(",")
    )
}

/// Zeros everywhere, and two places that wrote `-0` before: Z1 is a 100 m square and a 5 m
/// square 200 m away (25 m² < min_part_area_m2 = 100: a fragment), Z2 a 100 m square; each equals
/// its original zone (expansion 0 m²). The red line touches Z1 along its east edge and at its
/// south-west corner, a farmland patch touches its north-east corner and another Z2's east edge
/// (every overlap 0 m²); Z2 takes over 甲街道, which holds no protected land (share 0). The
/// review sets `sliver_width_m = -0.0` (a negated zero: it was echoed as -0.0 in report.json's
/// settings). `zonecheck fix --drop-fragments` removes Z1's 25 m² and cuts nothing: the cut is
/// the sum over no layer, which Rust makes -0.0 (it was written "-0.00" in changes.csv and in
/// the printed summary).
#[test]
fn a_case_of_zeros_writes_no_negative_zero() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    std::fs::create_dir(&dir).unwrap();
    let put = |name: &str, text: String| std::fs::write(dir.join(name), text).unwrap();
    put(
        "zones.geojson",
        layer(&[
            (
                r#"{"ID":"Z1","MEMBERS":"O1","LEVEL":"省级开发区"}"#,
                vec![rect(0., 0., 100., 100.), rect(300., 0., 305., 5.)],
            ),
            (
                r#"{"ID":"Z2","MEMBERS":"O2","TGXZ":"甲街道","LEVEL":"省级开发区"}"#,
                vec![rect(1000., 0., 1100., 100.)],
            ),
        ]),
    );
    put(
        "orig.geojson",
        layer(&[
            (
                r#"{"ID":"O1","LEVEL":"省级开发区","STATUS":"整合优化"}"#,
                vec![rect(0., 0., 100., 100.), rect(300., 0., 305., 5.)],
            ),
            (
                r#"{"ID":"O2","LEVEL":"省级开发区","STATUS":"整合优化"}"#,
                vec![rect(1000., 0., 1100., 100.)],
            ),
        ]),
    );
    put(
        "red.geojson",
        layer(&[
            (r#"{"BSM":"R1"}"#, vec![rect(100., 0., 200., 100.)]),
            (r#"{"BSM":"R2"}"#, vec![rect(-100., -100., 0., 0.)]),
        ]),
    );
    put(
        "farm.geojson",
        layer(&[
            (r#"{"BSM":"F1"}"#, vec![rect(100., 100., 150., 150.)]),
            (r#"{"BSM":"F2"}"#, vec![rect(1100., 0., 1200., 50.)]),
        ]),
    );
    put(
        "towns.geojson",
        layer(&[(
            r#"{"XZQDM":"330109001","XZQMC":"甲街道"}"#,
            vec![rect(900., -100., 1300., 300.)],
        )]),
    );
    put(
        "review.toml",
        "[layers]\nzones = \"zones.geojson\"\noriginal = \"orig.geojson\"\nredline = \"red.geojson\"\n\
         farmland = \"farm.geojson\"\ntownships = \"towns.geojson\"\n\
         [rules]\nmin_part_area_m2 = 100.0\nsliver_width_m = -0.0\n"
            .to_string(),
    );
    let review = dir.join("review.toml");
    let out = tmp.path().join("out");
    for lang in ["zh", "en"] {
        let run = run_zonecheck([
            "check".as_ref(),
            review.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
            "--lang".as_ref(),
            lang.as_ref(),
        ]);
        assert!(matches!(run.code, Some(0 | 1)), "{run}");
        assert!(!has_negative_zero(&run.stdout), "{run}");
        assert_check_outputs_clean(&out);
    }
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    // The setting is there, as +0.
    let w = &report["settings"]["rules"]["sliver_width_m"];
    assert!(w.as_f64().is_some_and(|w| w == 0.0), "{w}");
    let fixed = tmp.path().join("fixed");
    for lang in ["zh", "en"] {
        let run = run_zonecheck([
            "fix".as_ref(),
            review.as_os_str(),
            "--drop-fragments".as_ref(),
            "--out".as_ref(),
            fixed.as_os_str(),
            "--lang".as_ref(),
            lang.as_ref(),
        ]);
        assert_eq!(run.code, Some(0), "{run}");
        // Z1: 10,025 → 10,000 m², 25 m² of fragments, nothing cut.
        assert!(run.stdout.contains("10025.00"), "{run}");
        assert!(!has_negative_zero(&run.stdout), "{run}");
        let changes = fixed.join("changes.csv");
        assert_text_clean(&changes);
        let text = std::fs::read_to_string(&changes).unwrap();
        assert!(
            text.contains("Z1,10025.00,10000.00,15.0000,0.00,0.0000,"),
            "{text}"
        );
        std::fs::remove_dir_all(&fixed).unwrap();
    }
}
