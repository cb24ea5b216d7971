//! Shared helpers for end-to-end tests: small valid inputs (polygon shapefiles in EPSG:4549 with
//! a `.prj`, GeoJSON with a legacy `crs` member, review files), byte-level patching, running the
//! real `zonecheck` binary, and checking that input folders are left untouched.
//!
//! Use from a test file with `mod support;`. Every helper panics with a message on failure
//! (tests only).

// Each test file uses a different subset of these helpers.
#![allow(dead_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use geo::{polygon, MultiPolygon};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use zonecheck::io::shp_write::{write_polygon_shapefile, FieldKind, FieldSpec, OutEncoding};

/// The projected working CRS of the fixtures: CGCS2000 / 3-degree Gauss-Kruger CM 120E.
pub const EPSG_GK_120E: u32 = 4549;
/// A point near Hangzhou in EPSG:4549 (false easting 500 km, ~30.2°N).
pub const X0: f64 = 500_000.0;
pub const Y0: f64 = 3_340_000.0;

/// One shapefile feature: geometry and one value per field.
pub type ShpFeature = (MultiPolygon<f64>, Vec<Option<String>>);

/// An axis-aligned square with its lower-left corner at (`x`, `y`), `size_m` on a side.
pub fn square(x: f64, y: f64, size_m: f64) -> MultiPolygon<f64> {
    MultiPolygon(vec![polygon![
        (x: x, y: y),
        (x: x + size_m, y: y),
        (x: x + size_m, y: y + size_m),
        (x: x, y: y + size_m),
    ]])
}

/// ESRI WKT1 of an EPSG CRS, as a `.prj` holds it.
pub fn esri_wkt(epsg: u32) -> String {
    let crs = zonecheck::crs::CrsDef::epsg(epsg).unwrap_or_else(|e| panic!("EPSG:{epsg}: {e}"));
    crs.esri_wkt()
        .unwrap_or_else(|| panic!("no ESRI WKT for EPSG:{epsg}"))
}

/// The attribute columns of [`zone_features`]: `ID` and `NAME`.
pub fn zone_fields() -> Vec<FieldSpec> {
    vec![
        FieldSpec {
            name: "ID".to_string(),
            kind: FieldKind::Text(10),
        },
        FieldSpec {
            name: "NAME".to_string(),
            kind: FieldKind::Text(40),
        },
    ]
}

/// `n` zones (`Z01`, `Z02`, …), 500 m squares 2 km apart along x from (`X0`, `Y0`).
pub fn zone_features(n: usize) -> Vec<ShpFeature> {
    (0..n)
        .map(|i| {
            (
                square(X0 + 2000.0 * i as f64, Y0, 500.0),
                vec![
                    Some(format!("Z{:02}", i + 1)),
                    Some(format!("开发区{}", i + 1)),
                ],
            )
        })
        .collect()
}

/// Writes a polygon shapefile (`.shp`, `.shx`, `.dbf`, `.cpg`, and `.prj` when `prj_wkt` is
/// given) with zonecheck's own writer.
pub fn write_polygon_shp(
    path: &Path,
    fields: &[FieldSpec],
    features: &[ShpFeature],
    prj_wkt: Option<&str>,
) {
    write_polygon_shapefile(path, fields, features, prj_wkt, OutEncoding::Utf8)
        .unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}

/// Writes a zones shapefile in EPSG:4549 with a `.prj`, fields from [`zone_fields`].
pub fn write_zones_shp(path: &Path, features: &[ShpFeature]) {
    write_polygon_shp(
        path,
        &zone_fields(),
        features,
        Some(&esri_wkt(EPSG_GK_120E)),
    );
}

/// Writes a Point shapefile (`.shp`, `.shx`, `.dbf`) with the `shapefile` crate.
pub fn write_point_shp(path: &Path, points: &[(f64, f64)]) {
    use shapefile::dbase::{FieldName, FieldValue, Record, TableWriterBuilder};
    let name = FieldName::try_from("NAME").unwrap_or_else(|e| panic!("field name: {e:?}"));
    let table = TableWriterBuilder::new().add_character_field(name, 20);
    let mut writer = shapefile::Writer::from_path(path, table)
        .unwrap_or_else(|e| panic!("creating {}: {e}", path.display()));
    for (i, &(x, y)) in points.iter().enumerate() {
        let mut record = Record::default();
        record.insert(
            "NAME".to_string(),
            FieldValue::Character(Some(format!("P{i}"))),
        );
        writer
            .write_shape_and_record(&shapefile::Point::new(x, y), &record)
            .unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    }
    // Dropping the writer finalises the headers of all three files.
}

/// Writes a Polygon shapefile byte by byte with every ring exactly as given (not closed, not
/// reoriented, coordinates untouched), a `.shx`, a `.dbf` with one text field `ID` ("1", "2", …)
/// and, when `prj_wkt` is given, a `.prj`. Each record is a list of rings of `[x, y]`.
pub fn write_raw_polygon_shp(path: &Path, records: &[Vec<Vec<[f64; 2]>>], prj_wkt: Option<&str>) {
    fn bbox<'a>(points: impl Iterator<Item = &'a [f64; 2]>) -> [f64; 4] {
        points.fold([f64::MAX, f64::MAX, f64::MIN, f64::MIN], |b, p| {
            [
                b[0].min(p[0]),
                b[1].min(p[1]),
                b[2].max(p[0]),
                b[3].max(p[1]),
            ]
        })
    }
    fn header(len_bytes: usize, bbox: [f64; 4]) -> Vec<u8> {
        let mut h = Vec::with_capacity(100);
        h.extend_from_slice(&9994i32.to_be_bytes());
        h.extend_from_slice(&[0; 20]);
        h.extend_from_slice(&(len_bytes as i32 / 2).to_be_bytes());
        h.extend_from_slice(&1000i32.to_le_bytes());
        h.extend_from_slice(&5i32.to_le_bytes());
        for v in bbox.into_iter().chain([0.0; 4]) {
            h.extend_from_slice(&v.to_le_bytes());
        }
        h
    }
    let all = records.iter().flatten().flatten();
    let (mut shp_body, mut shx_body) = (Vec::new(), Vec::new());
    for (i, rings) in records.iter().enumerate() {
        let mut content = Vec::new();
        content.extend_from_slice(&5i32.to_le_bytes());
        for v in bbox(rings.iter().flatten()) {
            content.extend_from_slice(&v.to_le_bytes());
        }
        let n_points: usize = rings.iter().map(Vec::len).sum();
        content.extend_from_slice(&(rings.len() as i32).to_le_bytes());
        content.extend_from_slice(&(n_points as i32).to_le_bytes());
        let mut start = 0;
        for ring in rings {
            content.extend_from_slice(&(start as i32).to_le_bytes());
            start += ring.len();
        }
        for p in rings.iter().flatten() {
            content.extend_from_slice(&p[0].to_le_bytes());
            content.extend_from_slice(&p[1].to_le_bytes());
        }
        let offset_words = (100 + shp_body.len()) as i32 / 2;
        let len_words = content.len() as i32 / 2;
        shx_body.extend_from_slice(&offset_words.to_be_bytes());
        shx_body.extend_from_slice(&len_words.to_be_bytes());
        shp_body.extend_from_slice(&(i as i32 + 1).to_be_bytes());
        shp_body.extend_from_slice(&len_words.to_be_bytes());
        shp_body.extend_from_slice(&content);
    }
    let mut shp = header(100 + shp_body.len(), bbox(all.clone()));
    shp.extend_from_slice(&shp_body);
    let mut shx = header(100 + shx_body.len(), bbox(all));
    shx.extend_from_slice(&shx_body);
    // dBASE III: 32-byte header, one descriptor, terminator, records, end-of-file marker.
    let width = 10u8;
    let mut dbf = vec![0x03, 124, 1, 1];
    dbf.extend_from_slice(&(records.len() as u32).to_le_bytes());
    dbf.extend_from_slice(&(32u16 + 32 + 1).to_le_bytes());
    dbf.extend_from_slice(&(1 + u16::from(width)).to_le_bytes());
    dbf.extend_from_slice(&[0; 20]);
    dbf.extend_from_slice(b"ID\0\0\0\0\0\0\0\0\0C\0\0\0\0");
    dbf.extend_from_slice(&[width, 0]);
    dbf.extend_from_slice(&[0; 14]);
    dbf.push(0x0D);
    for i in 0..records.len() {
        dbf.extend_from_slice(format!(" {:<w$}", i + 1, w = usize::from(width)).as_bytes());
    }
    dbf.push(0x1A);
    write(path, shp);
    write(&path.with_extension("shx"), shx);
    write(&path.with_extension("dbf"), dbf);
    if let Some(wkt) = prj_wkt {
        write(&path.with_extension("prj"), wkt);
    }
}

/// A GeoJSON FeatureCollection of polygons with a `name` property, and the legacy `crs` member
/// `{"type":"name","properties":{"name": crs}}` when `crs` is given.
pub fn geojson_polygons(features: &[(MultiPolygon<f64>, &str)], crs: Option<&str>) -> String {
    let features: Vec<serde_json::Value> = features
        .iter()
        .map(|(mp, name)| {
            let polys: Vec<serde_json::Value> =
                mp.0.iter()
                    .map(|p| {
                        let rings: Vec<serde_json::Value> = std::iter::once(p.exterior())
                            .chain(p.interiors())
                            .map(|r| r.0.iter().map(|c| serde_json::json!([c.x, c.y])).collect())
                            .collect();
                        serde_json::Value::Array(rings)
                    })
                    .collect();
            serde_json::json!({
                "type": "Feature",
                "properties": {"name": name},
                "geometry": {"type": "MultiPolygon", "coordinates": polys},
            })
        })
        .collect();
    let mut fc = serde_json::json!({"type": "FeatureCollection", "features": features});
    if let Some(crs) = crs {
        fc["crs"] = serde_json::json!({"type": "name", "properties": {"name": crs}});
    }
    fc.to_string()
}

/// Overwrites `bytes.len()` bytes of the file at `at`.
pub fn patch(path: &Path, at: usize, bytes: &[u8]) {
    let mut b = read(path);
    assert!(
        at + bytes.len() <= b.len(),
        "patch beyond the end of {}",
        path.display()
    );
    b[at..at + bytes.len()].copy_from_slice(bytes);
    write(path, &b);
}

/// Cuts the file to `len` bytes.
pub fn truncate(path: &Path, len: usize) {
    let mut b = read(path);
    b.truncate(len);
    write(path, &b);
}

pub fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

pub fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}

pub fn remove(path: &Path) {
    std::fs::remove_file(path).unwrap_or_else(|e| panic!("removing {}: {e}", path.display()));
}

/// Byte offset of record `i`'s header in a `.shp`, read from its `.shx`.
pub fn shp_record_offset(shp: &Path, i: usize) -> usize {
    let shx = read(&shp.with_extension("shx"));
    let at = 100 + 8 * i;
    let words = i32::from_be_bytes([shx[at], shx[at + 1], shx[at + 2], shx[at + 3]]);
    usize::try_from(words).unwrap_or_else(|_| panic!("negative offset in the .shx")) * 2
}

/// Byte offset of point `k` (its x; y follows) of record `i` in a Polygon `.shp`.
pub fn shp_point_offset(shp: &Path, i: usize, k: usize) -> usize {
    let content = shp_record_offset(shp, i) + 8;
    let b = read(shp);
    let n_parts = i32::from_le_bytes([
        b[content + 36],
        b[content + 37],
        b[content + 38],
        b[content + 39],
    ]);
    content + 44 + 4 * usize::try_from(n_parts).unwrap_or(0) + 16 * k
}

/// Every file under `dir` (recursively) with its bytes.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries =
            std::fs::read_dir(&d).unwrap_or_else(|e| panic!("listing {}: {e}", d.display()));
        for entry in entries {
            let path = entry
                .unwrap_or_else(|e| panic!("listing {}: {e}", d.display()))
                .path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = read(&path);
                out.insert(path, bytes);
            }
        }
    }
    out
}

/// Asserts two snapshots are equal, naming the first file that differs.
pub fn assert_same_files(before: &BTreeMap<PathBuf, Vec<u8>>, after: &BTreeMap<PathBuf, Vec<u8>>) {
    let names = |m: &BTreeMap<PathBuf, Vec<u8>>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(
        names(before),
        names(after),
        "files were added to or removed from the input folder"
    );
    for (path, bytes) in before {
        assert!(
            after.get(path) == Some(bytes),
            "input file modified: {}",
            path.display()
        );
    }
}

/// What a run of the binary did.
#[derive(Debug)]
pub struct Run {
    /// Exit code; `None` when killed by a signal.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Non-empty lines of stderr.
    pub fn stderr_lines(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect()
    }

    /// Lines of stderr starting with `warning:`.
    pub fn warnings(&self) -> Vec<&str> {
        self.stderr_lines()
            .into_iter()
            .filter(|l| l.starts_with("warning:"))
            .collect()
    }

    /// Panics when the output shows a panic (the default hook's text, or zonecheck's own
    /// "internal error" hook) or a crash by signal.
    pub fn assert_no_panic(&self) {
        assert!(self.code.is_some(), "killed by a signal\n{self}");
        assert_ne!(self.code, Some(101), "exit code 101 (panic)\n{self}");
        for needle in ["panicked", "RUST_BACKTRACE", "internal error"] {
            assert!(
                !self.stderr.contains(needle),
                "stderr mentions {needle:?}\n{self}"
            );
        }
    }

    /// Bad input: exit code 2 and exactly one non-empty stderr line, starting with `error:`,
    /// naming `file_name` and containing every one of `phrases`.
    pub fn assert_bad_input(&self, file_name: &str, phrases: &[&str]) {
        self.assert_no_panic();
        assert_eq!(self.code, Some(2), "expected exit code 2\n{self}");
        let lines = self.stderr_lines();
        assert_eq!(lines.len(), 1, "expected exactly one stderr line\n{self}");
        let line = lines[0];
        assert!(
            line.starts_with("error:"),
            "stderr line does not start with `error:`\n{self}"
        );
        assert!(
            line.contains(file_name),
            "error does not name {file_name}\n{self}"
        );
        for p in phrases {
            assert!(line.contains(p), "error does not contain {p:?}\n{self}");
        }
    }

    /// A completed check: exit code 0 (pass) or 1 (blocking finding), no `error:` line.
    pub fn assert_checked(&self) {
        self.assert_no_panic();
        assert!(
            matches!(self.code, Some(0 | 1)),
            "expected exit code 0 or 1\n{self}"
        );
        assert!(!self.stderr.contains("error:"), "unexpected error\n{self}");
    }

    /// Asserts some `warning:` line names `file_name` and contains every one of `phrases`.
    pub fn assert_warning(&self, file_name: &str, phrases: &[&str]) {
        let found = self
            .warnings()
            .iter()
            .any(|w| w.contains(file_name) && phrases.iter().all(|p| w.contains(p)));
        assert!(
            found,
            "no warning naming {file_name} with {phrases:?}\n{self}"
        );
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit code: {:?}\n--- stderr ---\n{}\n--- stdout ---\n{}",
            self.code, self.stderr, self.stdout
        )
    }
}

/// Runs the real binary with `args`.
pub fn run_zonecheck<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let output = Command::new(env!("CARGO_BIN_EXE_zonecheck"))
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE")
        .output()
        .unwrap_or_else(|e| panic!("cannot run zonecheck: {e}"));
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs `zonecheck check REVIEW --out OUT --lang en`.
pub fn run_check(review: &Path, out: &Path) -> Run {
    run_zonecheck([
        "check".as_ref(),
        review.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--lang".as_ref(),
        "en".as_ref(),
    ])
}

/// A small valid review in a temporary folder: `in/zones.shp` (two zones in EPSG:4549 with a
/// `.prj`), `in/redline.geojson` (one polygon, legacy `crs` member EPSG:4549, away from the
/// zones) and `in/review.toml`. Reports go to `out/`, outside the input folder.
pub struct Fixture {
    pub dir: tempfile::TempDir,
    /// The input folder; [`Fixture::run`] checks nothing in it changes.
    pub input: PathBuf,
    pub review: PathBuf,
    pub zones: PathBuf,
    pub redline: PathBuf,
    pub out: PathBuf,
}

/// The fixture's review file.
pub const FIXTURE_REVIEW: &str = "[layers]\nzones = \"zones.shp\"\nredline = \"redline.geojson\"\n";

impl Fixture {
    pub fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let input = dir.path().join("in");
        std::fs::create_dir(&input).unwrap_or_else(|e| panic!("mkdir: {e}"));
        let zones = input.join("zones.shp");
        write_zones_shp(&zones, &zone_features(2));
        let redline = input.join("redline.geojson");
        write(
            &redline,
            geojson_polygons(
                &[(square(X0 + 1000.0, Y0 + 3000.0, 200.0), "红线")],
                Some("EPSG:4549"),
            ),
        );
        let review = input.join("review.toml");
        write(&review, FIXTURE_REVIEW);
        let out = dir.path().join("out");
        Fixture {
            dir,
            input,
            review,
            zones,
            redline,
            out,
        }
    }

    /// A path in the input folder.
    pub fn path(&self, name: &str) -> PathBuf {
        self.input.join(name)
    }

    /// Replaces the review file's text.
    pub fn set_review(&self, text: &str) {
        write(&self.review, text);
    }

    /// Runs `zonecheck check` on the review and asserts no input file changed.
    pub fn run(&self) -> Run {
        self.run_with(&self.review, &self.out)
    }

    /// Runs `zonecheck check REVIEW --out OUT` and asserts no file in the input folder changed.
    pub fn run_with(&self, review: &Path, out: &Path) -> Run {
        let before = snapshot(&self.input);
        let run = run_check(review, out);
        let after = snapshot(&self.input);
        assert_same_files(&before, &after);
        run
    }
}

impl Default for Fixture {
    fn default() -> Self {
        Fixture::new()
    }
}

/// Peak resident set size of the largest waited-for child, in kB (Linux `ru_maxrss`).
#[cfg(target_os = "linux")]
pub fn children_peak_rss_kb() -> i64 {
    #[repr(C)]
    struct RUsage {
        utime: [i64; 2],
        stime: [i64; 2],
        maxrss: i64,
        rest: [i64; 13],
    }
    extern "C" {
        fn getrusage(who: i32, usage: *mut RUsage) -> i32;
    }
    const RUSAGE_CHILDREN: i32 = -1;
    let mut u = RUsage {
        utime: [0; 2],
        stime: [0; 2],
        maxrss: 0,
        rest: [0; 13],
    };
    // SAFETY: `u` is a valid, writable struct with Linux's `struct rusage` layout on 64-bit.
    let rc = unsafe { getrusage(RUSAGE_CHILDREN, &mut u) };
    assert_eq!(rc, 0);
    u.maxrss
}

/// report.json without what names or hashes the input files (the `inputs`, the review's hash
/// and path): what the check found. Attribute values that are numbers written as text are
/// compared as numbers: a DBF keeps a real's decimals as written (`TBMJ` "10000.00", N(…,2)), a
/// File Geodatabase or a GeoPackage stores the double and no precision ("10000").
pub fn report_results(mut r: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    fn numbers_as_numbers(v: &mut Value) {
        match v {
            Value::String(s) => {
                if let Some(n) = s
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|n| n.is_finite())
                    .and_then(serde_json::Number::from_f64)
                {
                    *v = Value::Number(n);
                }
            }
            Value::Array(a) => a.iter_mut().for_each(numbers_as_numbers),
            Value::Object(o) => o.values_mut().for_each(numbers_as_numbers),
            _ => {}
        }
    }
    if let Some(o) = r.as_object_mut() {
        for key in ["inputs", "review_sha256", "review"] {
            o.remove(key);
        }
    }
    numbers_as_numbers(&mut r);
    r
}

/// Asserts two report.json are the same in what the check found ([`report_results`]); on a
/// difference names the first differing line.
pub fn assert_same_results(a: serde_json::Value, b: serde_json::Value) {
    let (a, b) = (report_results(a), report_results(b));
    if a != b {
        let (a, b) = (
            serde_json::to_string_pretty(&a).unwrap(),
            serde_json::to_string_pretty(&b).unwrap(),
        );
        let first = a
            .lines()
            .zip(b.lines())
            .enumerate()
            .find(|(_, (x, y))| x != y)
            .map(|(i, (x, y))| format!("line {i}:\n  first: {x}\n  second: {y}"));
        panic!("report.json differs: {first:?}");
    }
}

/// The sample review (sample_maps/review.toml) written into `dir` with every layer read from
/// the container `source` (a GeoPackage or File Geodatabase holding the sample's layers under
/// their file stems): `x.shp` and `water.geojson` → `<source>#x`; everything else as the
/// sample's.
pub fn sample_review_from(dir: &Path, source: &Path) -> PathBuf {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_maps");
    let text = std::fs::read_to_string(sample.join("review.toml")).unwrap();
    let source = source.to_str().unwrap();
    let mut out = String::new();
    for line in text.lines() {
        let rewritten = match line.split_once(" = \"") {
            Some((key, rest)) if rest.ends_with(".shp\"") || rest.ends_with(".geojson\"") => {
                let file = rest.trim_end_matches('"');
                let stem = Path::new(file).file_stem().unwrap().to_str().unwrap();
                format!("{key} = \"{source}#{stem}\"")
            }
            _ => line.to_string(),
        };
        out.push_str(&rewritten);
        out.push('\n');
    }
    assert_eq!(
        out.matches('#').count() - text.matches('#').count(),
        9,
        "{out}"
    );
    let review = dir.join("review.toml");
    std::fs::write(&review, out).unwrap();
    review
}
