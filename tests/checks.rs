//! Integration tests of the checks, with answers worked out by hand (see each test's comment).
//! Layers are written as files in a temp dir and run through the same path as the CLI.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use zonecheck::analysis::{Analysis, Severity, ZoneResult};
use zonecheck::io::shp_write::{write_polygon_shapefile, FieldKind, FieldSpec, OutEncoding};
use zonecheck::load::Dataset;
use zonecheck::progress::Progress;

/// Origin of the local test coordinates in EPSG:4549 (metres).
const X0: f64 = 500_000.0;
const Y0: f64 = 3_300_000.0;

type Ring = Vec<(f64, f64)>;
/// A polygon: exterior first, then holes, in local metres.
type Poly = Vec<Ring>;

fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Ring {
    vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]
}

fn ring_json(r: &Ring, offset: bool) -> String {
    let pts: Vec<String> = r
        .iter()
        .map(|&(x, y)| {
            if offset {
                format!("[{},{}]", X0 + x, Y0 + y)
            } else {
                format!("[{x},{y}]")
            }
        })
        .collect();
    format!("[{}]", pts.join(","))
}

/// A GeoJSON layer in EPSG:4549 (legacy crs member); each feature: (properties JSON, polygons).
fn geojson_4549(features: &[(&str, Vec<Poly>)]) -> String {
    geojson_with(features, Some("EPSG:4549"), true)
}

fn geojson_with(features: &[(&str, Vec<Poly>)], crs: Option<&str>, offset: bool) -> String {
    let feats: Vec<String> = features
        .iter()
        .map(|(props, polys)| {
            let polys: Vec<String> = polys
                .iter()
                .map(|p| {
                    let rings: Vec<String> = p.iter().map(|r| ring_json(r, offset)).collect();
                    format!("[{}]", rings.join(","))
                })
                .collect();
            format!(
                r#"{{"type":"Feature","properties":{props},"geometry":{{"type":"MultiPolygon","coordinates":[{}]}}}}"#,
                polys.join(",")
            )
        })
        .collect();
    let crs = crs
        .map(|c| format!(r#""crs":{{"type":"name","properties":{{"name":"{c}"}}}},"#))
        .unwrap_or_default();
    format!(
        r#"{{"type":"FeatureCollection",{crs}"features":[{}]}}"#,
        feats.join(",")
    )
}

struct Case {
    dir: tempfile::TempDir,
}

impl Case {
    fn new() -> Case {
        Case {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, text: &str) -> &Case {
        std::fs::write(self.path(name), text).unwrap();
        self
    }

    fn run(&self, review: &str) -> (Dataset, Analysis) {
        self.write("review.toml", review);
        let (ds, a) = zonecheck::cli::check_and_report(
            &self.path("review.toml"),
            &self.path("out"),
            &Progress::new(),
        )
        .unwrap_or_else(|e| panic!("check failed: {e}"));
        assert_findings_follow_the_rule_table(&a);
        (ds, a)
    }
}

/// Every finding of every case carries a rule id of the rule table, and that rule's clause.
fn assert_findings_follow_the_rule_table(a: &Analysis) {
    let findings = a.zones.iter().flat_map(|z| &z.findings);
    for f in findings.chain(&a.plan.findings) {
        let id = f
            .rule_id()
            .unwrap_or_else(|| panic!("{} is not a rule of the table", f.rule));
        assert_eq!(id.to_string(), f.rule);
        assert_eq!(f.clause, id.spec().clause, "{}", f.rule);
    }
}

fn zone<'a>(a: &'a Analysis, id: &str) -> &'a ZoneResult {
    a.zones
        .iter()
        .find(|z| z.id == id)
        .unwrap_or_else(|| panic!("no zone {id}"))
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

fn has_rule(z: &ZoneResult, rule: &str) -> bool {
    z.findings.iter().any(|f| f.rule == rule)
}

const M2_PER_MU: f64 = 10000.0 / 15.0;

#[test]
fn square_overlap_and_exact_touches() {
    // Zone 0..100 × 0..100 = 10,000 m². R1 50..150 × 0..100 overlaps 50 × 100 = 5,000 m²
    // (= 7.5 亩, half the zone). R2 touches along the edge x = 0, R3 only at the corner
    // (100,100): both give exactly 0 and are not listed.
    let c = Case::new();
    c.write(
        "zones.geojson",
        &geojson_4549(&[(r#"{"ID":"Z1"}"#, vec![vec![rect(0., 0., 100., 100.)]])]),
    );
    c.write(
        "red.geojson",
        &geojson_4549(&[
            (r#"{"BSM":"R1"}"#, vec![vec![rect(50., 0., 150., 100.)]]),
            (r#"{"BSM":"R2"}"#, vec![vec![rect(-100., 0., 0., 100.)]]),
            (r#"{"BSM":"R3"}"#, vec![vec![rect(100., 100., 200., 200.)]]),
        ]),
    );
    let (_, a) = c.run("[layers]\nzones = \"zones.geojson\"\nredline = \"red.geojson\"\n");
    let z = zone(&a, "Z1");
    let red = &z.conflicts["redline"];
    assert!(close(z.area_m2, 10_000.0, 1e-6));
    assert!(close(red.area_m2, 5_000.0, 1e-6), "{}", red.area_m2);
    assert!(close(red.area_mu, 7.5, 1e-9));
    assert!(close(red.share, 0.5, 1e-12));
    let ids: Vec<&str> = red.features.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, vec!["R1"]);
    assert!(!z.pass);
    assert!(z
        .findings
        .iter()
        .any(|f| f.rule == "conflict.redline" && f.severity == Severity::Blocking));
}

#[test]
fn touching_only_passes_with_zero_overlap() {
    let c = Case::new();
    c.write(
        "zones.geojson",
        &geojson_4549(&[(r#"{"ID":"Z1"}"#, vec![vec![rect(0., 0., 100., 100.)]])]),
    );
    c.write(
        "red.geojson",
        &geojson_4549(&[
            (r#"{"BSM":"R2"}"#, vec![vec![rect(-100., 0., 0., 100.)]]),
            (r#"{"BSM":"R3"}"#, vec![vec![rect(100., 100., 200., 200.)]]),
            (r#"{"BSM":"R4"}"#, vec![vec![rect(0., 100., 100., 180.)]]),
        ]),
    );
    let (_, a) = c.run("[layers]\nzones = \"zones.geojson\"\nredline = \"red.geojson\"\n");
    let z = zone(&a, "Z1");
    assert_eq!(z.conflicts["redline"].area_m2, 0.0);
    assert!(z.conflicts["redline"].features.is_empty());
    assert!(z.pass, "{:?}", z.findings);
    assert!(!a.has_blocking());
}

#[test]
fn l_shape_and_notch() {
    // L = 200×200 square minus the 100×100 notch at the top right: 30,000 m².
    // F1 50..150 × 50..150 (10,000) loses its notch quarter 100..150 × 100..150 (2,500): 7,500.
    // F2 150..250 × 150..250 lies in the notch and beyond: 0.
    let l: Ring = vec![
        (0., 0.),
        (200., 0.),
        (200., 100.),
        (100., 100.),
        (100., 200.),
        (0., 200.),
        (0., 0.),
    ];
    let c = Case::new();
    c.write(
        "zones.geojson",
        &geojson_4549(&[(r#"{"ID":"L"}"#, vec![vec![l]])]),
    );
    c.write(
        "farm.geojson",
        &geojson_4549(&[
            (r#"{"BSM":"F1"}"#, vec![vec![rect(50., 50., 150., 150.)]]),
            (r#"{"BSM":"F2"}"#, vec![vec![rect(150., 150., 250., 250.)]]),
        ]),
    );
    let (_, a) = c.run("[layers]\nzones = \"zones.geojson\"\nfarmland = \"farm.geojson\"\n");
    let z = zone(&a, "L");
    assert!(close(z.area_m2, 30_000.0, 1e-6));
    let f = &z.conflicts["farmland"];
    assert!(close(f.area_m2, 7_500.0, 1e-6), "{}", f.area_m2);
    assert!(close(f.area_mu, 7_500.0 / M2_PER_MU, 1e-9));
    assert_eq!(f.features.len(), 1);
}

#[test]
fn holes_islands_and_overlapping_protected_features_counted_once() {
    // Zone A: 0..300 square with hole 100..200, and an island 130..170 inside the hole:
    // 90,000 − 10,000 + 1,600 = 81,600 m².
    // R1 = exactly the hole 100..200 (shares its edges; contains the island 1,600).
    // R2 = 50..250 square (40,000) contains R1; zone ∩ (R1 ∪ R2) = zone ∩ R2
    //    = 40,000 − 10,000 (hole) + 1,600 (island) = 31,600, counted once although R1 and R2 overlap.
    let c = Case::new();
    c.write(
        "zones.geojson",
        &geojson_4549(&[(
            r#"{"ID":"A"}"#,
            vec![
                vec![rect(0., 0., 300., 300.), rect(100., 100., 200., 200.)],
                vec![rect(130., 130., 170., 170.)],
            ],
        )]),
    );
    c.write(
        "red.geojson",
        &geojson_4549(&[
            (r#"{"BSM":"R1"}"#, vec![vec![rect(100., 100., 200., 200.)]]),
            (r#"{"BSM":"R2"}"#, vec![vec![rect(50., 50., 250., 250.)]]),
        ]),
    );
    let (_, a) = c.run("[layers]\nzones = \"zones.geojson\"\nredline = \"red.geojson\"\n");
    let z = zone(&a, "A");
    assert!(close(z.area_m2, 81_600.0, 1e-6), "{}", z.area_m2);
    let red = &z.conflicts["redline"];
    assert!(close(red.area_m2, 31_600.0, 1e-6), "{}", red.area_m2);
    let per: Vec<(&str, f64)> = red
        .features
        .iter()
        .map(|f| (f.id.as_str(), f.area_m2))
        .collect();
    assert_eq!(per.len(), 2);
    assert!(
        per[0].0 == "R1" && close(per[0].1, 1_600.0, 1e-6),
        "{per:?}"
    );
    assert!(
        per[1].0 == "R2" && close(per[1].1, 31_600.0, 1e-6),
        "{per:?}"
    );
    // Two parts (ring with hole, island).
    assert_eq!(z.parts.len(), 2);
}

#[test]
fn overlapping_farmland_patches_are_counted_once() {
    // F1 10..60 × 10..60 and F2 40..90 × 10..60 (2,500 each) overlap by 20 × 50 = 1,000:
    // union 80 × 50 = 4,000 m², not 5,000.
    let c = Case::new();
    c.write(
        "zones.geojson",
        &geojson_4549(&[(r#"{"ID":"Z"}"#, vec![vec![rect(0., 0., 100., 100.)]])]),
    );
    c.write(
        "farm.geojson",
        &geojson_4549(&[
            (r#"{"BSM":"F1"}"#, vec![vec![rect(10., 10., 60., 60.)]]),
            (r#"{"BSM":"F2"}"#, vec![vec![rect(40., 10., 90., 60.)]]),
        ]),
    );
    let (_, a) = c.run("[layers]\nzones = \"zones.geojson\"\nfarmland = \"farm.geojson\"\n");
    let f = &zone(&a, "Z").conflicts["farmland"];
    assert!(close(f.area_m2, 4_000.0, 1e-6), "{}", f.area_m2);
    assert!(f.features.iter().all(|p| close(p.area_m2, 2_500.0, 1e-6)));
}

fn cluster_case(distance_m: f64) -> Analysis {
    // Parts: A 0..100², B 130..230 × 0..100 (30 m from A), E 0..50 × 130..150 (30 m above A,
    // 1,000 m²: a fragment), C 300..400 × 160..260 (nearest B at corners (230,100)–(300,160):
    // √(70² + 60²) = √8500 ≈ 92.195 m), D 2000..2100 × 0..100 marked enclave (飞地).
    let c = Case::new();
    c.write(
        "zones.geojson",
        &geojson_4549(&[
            (
                r#"{"ID":"Z","ENCLAVE":""}"#,
                vec![
                    vec![rect(0., 0., 100., 100.)],
                    vec![rect(130., 0., 230., 100.)],
                ],
            ),
            (r#"{"ID":"Z"}"#, vec![vec![rect(0., 130., 50., 150.)]]),
            (r#"{"ID":"Z"}"#, vec![vec![rect(300., 160., 400., 260.)]]),
            (
                r#"{"ID":"Z","ENCLAVE":"是"}"#,
                vec![vec![rect(2000., 0., 2100., 100.)]],
            ),
        ]),
    );
    // Planar areas: A, B, C and D are exactly 10,000 m² in the plane, the threshold, so not
    // fragments; on the ellipsoid (the default basis) they are a hair smaller.
    c.run(&format!(
        "[layers]\nzones = \"zones.geojson\"\n[rules]\ncontiguity_distance_m = {distance_m}\nmin_part_area_m2 = 10000\narea = \"planar\"\n"
    ))
    .1
}

#[test]
fn clusters_gaps_fragments_and_enclaves() {
    let a = cluster_case(50.0);
    let z = zone(&a, "Z");
    assert_eq!(z.parts.len(), 5);
    assert_eq!(z.parts.iter().filter(|p| p.enclave).count(), 1);
    assert_eq!(z.parts.iter().filter(|p| p.fragment).count(), 1);
    assert_eq!(z.clusters, 2, "{:?}", z.parts);
    assert_eq!(z.cluster_gaps_m.len(), 1);
    assert!(
        close(z.cluster_gaps_m[0], 8500f64.sqrt(), 1e-9),
        "{:?}",
        z.cluster_gaps_m
    );
    assert!(z
        .findings
        .iter()
        .any(|f| f.rule == "clusters" && f.severity == Severity::Blocking));
    assert!(has_rule(z, "fragment"));
    assert!(has_rule(z, "enclave"));
    assert!(!z.pass);

    // Within 100 m everything but the enclave is one cluster.
    let a = cluster_case(100.0);
    let z = zone(&a, "Z");
    assert_eq!(z.clusters, 1);
    assert!(!has_rule(z, "clusters"));
    assert!(z.pass);
}

#[test]
fn corner_touching_parts_are_one_cluster_at_distance_zero() {
    // Two squares meeting at one corner: two parts after union, distance 0 → one cluster.
    let c = Case::new();
    c.write(
        "zones.geojson",
        &geojson_4549(&[(
            r#"{"ID":"Z"}"#,
            vec![
                vec![rect(0., 0., 100., 100.)],
                vec![rect(100., 100., 200., 200.)],
            ],
        )]),
    );
    let (_, a) = c.run("[layers]\nzones = \"zones.geojson\"\n");
    let z = zone(&a, "Z");
    assert_eq!(z.clusters, 1);
    assert!(z.pass);
}

#[test]
fn lon_lat_geojson_is_reprojected() {
    // Red line square 50..150 × 50..150 (local EPSG:4549 metres), given in lon/lat (RFC 7946,
    // no crs member). Corners from pyproj 3.7.2:
    // Transformer.from_crs(4549, 4490, always_xy=True).transform(500050, 3300050) etc.
    // Overlap with the zone 0..100 square: 50 × 50 = 2,500 m².
    let corners = [
        (120.00051727230601, 29.8190055788397),
        (120.00155181691788, 29.819005570739826),
        (120.00155183085143, 29.819907695560577),
        (120.00051727695053, 29.819907703660743),
        (120.00051727230601, 29.8190055788397),
    ];
    let c = Case::new();
    c.write(
        "zones.geojson",
        &geojson_4549(&[(r#"{"ID":"Z"}"#, vec![vec![rect(0., 0., 100., 100.)]])]),
    );
    c.write(
        "red.geojson",
        &geojson_with(
            &[(r#"{"BSM":"R"}"#, vec![vec![corners.to_vec()]])],
            None,
            false,
        ),
    );
    let (ds, a) = c.run("[layers]\nzones = \"zones.geojson\"\nredline = \"red.geojson\"\n");
    assert_eq!(ds.working_crs.epsg, Some(4549));
    let red = &zone(&a, "Z").conflicts["redline"];
    assert!(close(red.area_m2, 2_500.0, 0.01), "{}", red.area_m2);
}

fn write_shp(
    path: &Path,
    polys: &[(&str, &str, Vec<Poly>)],
    prj: Option<&str>,
    scale: f64,
    enc: OutEncoding,
) {
    use geo::{LineString, MultiPolygon, Polygon};
    let fields = vec![
        FieldSpec {
            name: "ID".into(),
            kind: FieldKind::Text(20),
        },
        FieldSpec {
            name: "MC".into(),
            kind: FieldKind::Text(60),
        },
    ];
    let feats: Vec<(MultiPolygon<f64>, Vec<Option<String>>)> = polys
        .iter()
        .map(|(id, name, ps)| {
            let mp = MultiPolygon(
                ps.iter()
                    .map(|p| {
                        let ring = |r: &Ring| -> LineString<f64> {
                            r.iter()
                                .map(|&(x, y)| ((X0 + x) * scale, (Y0 + y) * scale))
                                .collect::<Vec<_>>()
                                .into()
                        };
                        Polygon::new(ring(&p[0]), p[1..].iter().map(ring).collect())
                    })
                    .collect(),
            );
            (mp, vec![Some(id.to_string()), Some(name.to_string())])
        })
        .collect();
    write_polygon_shapefile(path, &fields, &feats, prj, enc).unwrap();
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/prj")
            .join(name),
    )
    .unwrap()
}

#[test]
fn prj_in_every_wkt_flavour_gives_the_same_answer() {
    // Zones as a shapefile whose .prj is EPSG:4549 written as ESRI WKT1, OGC WKT1 and WKT2; the
    // working CRS is the zones' own CRS (no `crs` in the review). Overlap with 50..150 × 0..100
    // is 5,000 m² every time.
    for prj in [
        "epsg4549_esri.prj",
        "epsg4549_ogc_wkt1.prj",
        "epsg4549_wkt2.prj",
    ] {
        let c = Case::new();
        write_shp(
            &c.path("zones.shp"),
            &[("Z", "甲", vec![vec![rect(0., 0., 100., 100.)]])],
            Some(&fixture(prj)),
            1.0,
            OutEncoding::Utf8,
        );
        c.write(
            "red.geojson",
            &geojson_4549(&[(r#"{"BSM":"R1"}"#, vec![vec![rect(50., 0., 150., 100.)]])]),
        );
        let (ds, a) = c.run("[layers]\nzones = \"zones.shp\"\nredline = \"red.geojson\"\n");
        assert!(ds.working_crs.is_metric(), "{prj}");
        let red = &zone(&a, "Z").conflicts["redline"];
        assert!(close(red.area_m2, 5_000.0, 1e-4), "{prj}: {}", red.area_m2);
    }
}

#[test]
fn crs_in_feet_is_reported_in_square_metres() {
    // Farmland in the same transverse Mercator as EPSG:4549 but in international feet
    // (x_ft = x_m / 0.3048). 50..150 × 0..100 m overlaps the zone by 5,000 m² (≈ 53,819.6 ft²).
    // A second patch 50 km east is far from the zone: the check's spatial filter, mapped into
    // the file's feet, leaves it out (and counts it).
    let c = Case::new();
    c.write(
        "zones.geojson",
        &geojson_4549(&[(r#"{"ID":"Z"}"#, vec![vec![rect(0., 0., 100., 100.)]])]),
    );
    write_shp(
        &c.path("farm.shp"),
        &[
            ("F", "田", vec![vec![rect(50., 0., 150., 100.)]]),
            ("G", "远", vec![vec![rect(50_000., 0., 50_100., 100.)]]),
        ],
        Some(&fixture("tm120_feet.prj")),
        1.0 / 0.3048,
        OutEncoding::Utf8,
    );
    let (ds, a) = c
        .run("crs = \"EPSG:4549\"\n[layers]\nzones = \"zones.geojson\"\nfarmland = \"farm.shp\"\n");
    let f = &zone(&a, "Z").conflicts["farmland"];
    assert!(close(f.area_m2, 5_000.0, 1e-3), "{}", f.area_m2);
    let farmland = ds.layers.iter().find(|l| l.name == "farmland").unwrap();
    assert_eq!(farmland.features.len(), 1);
    assert_eq!(farmland.source.far_from_zones, 1);
}

#[test]
fn gbk_names_with_and_without_cpg() {
    let name = "萧山经济技术开发区";
    for variant in ["cpg", "ldid", "neither"] {
        let c = Case::new();
        write_shp(
            &c.path("zones.shp"),
            &[("Z", name, vec![vec![rect(0., 0., 100., 100.)]])],
            Some(&fixture("epsg4549_esri.prj")),
            1.0,
            OutEncoding::Gbk,
        );
        if variant != "cpg" {
            std::fs::remove_file(c.path("zones.cpg")).unwrap();
        }
        if variant == "neither" {
            // Clear the DBF language-driver byte: only the bytes themselves tell (not UTF-8 → GBK).
            let mut dbf = std::fs::read(c.path("zones.dbf")).unwrap();
            dbf[29] = 0;
            std::fs::write(c.path("zones.dbf"), dbf).unwrap();
        }
        let (ds, a) = c.run("[layers]\nzones = \"zones.shp\"\n");
        assert_eq!(zone(&a, "Z").name.as_deref(), Some(name), "{variant}");
        let enc = ds.layers[0].source.encoding.clone().unwrap_or_default().en;
        assert!(enc.contains("GBK"), "{variant}: {enc}");
    }
}

#[test]
fn expansion_designation_and_industries() {
    // Originals O1 0..100 × 0..100 (国家级) and O2 100..200 × 0..100 (省级). The merged zone
    // 0..250 × 0..100 lists both: 50 × 100 = 5,000 m² outside them (expansion, a warning by
    // default); it says 省级 although O1 is 国家级 (designation warning, and O1's national
    // designation is dropped: designation.dropped, blocking); 4 industries > 3.
    let c = Case::new();
    c.write(
        "zones.geojson",
        &geojson_4549(&[(
            r#"{"ID":"Z","LEVEL":"省级开发区","MEMBERS":"O1,O2","INDUSTRIES":"汽车、电子、医药、物流"}"#,
            vec![vec![rect(0., 0., 250., 100.)]],
        )]),
    );
    c.write(
        "orig.geojson",
        &geojson_4549(&[
            (
                r#"{"ID":"O1","LEVEL":"国家级经济技术开发区","STATUS":"整合优化"}"#,
                vec![vec![rect(0., 0., 100., 100.)]],
            ),
            (
                r#"{"ID":"O2","LEVEL":"省级开发区","STATUS":"整合优化"}"#,
                vec![vec![rect(100., 0., 200., 100.)]],
            ),
        ]),
    );
    let review = "[layers]\nzones = \"zones.geojson\"\noriginal = \"orig.geojson\"\n";
    let (_, a) = c.run(review);
    let z = zone(&a, "Z");
    assert!(close(z.expansion_area_m2.unwrap(), 5_000.0, 1e-6));
    let exp = z.findings.iter().find(|f| f.rule == "expansion").unwrap();
    assert_eq!(exp.severity, Severity::Warning);
    assert!(has_rule(z, "designation"));
    assert!(has_rule(z, "industries"));
    let dropped = z
        .findings
        .iter()
        .find(|f| f.rule == "designation.dropped")
        .unwrap();
    assert_eq!(dropped.severity, Severity::Blocking);
    assert_eq!(dropped.refs, ["O1"]);
    assert!(!z.pass);
    // With designation.dropped made a warning, the rest are warnings only …
    let relaxed = "[rules.severity]\n\"designation.dropped\" = \"warning\"\n";
    let (_, a) = c.run(&format!("{review}{relaxed}"));
    let z = zone(&a, "Z");
    assert!(z.pass, "warnings only: {:?}", z.findings);
    // … and expansion_blocks = true makes it blocking.
    let (_, a) = c.run(&format!(
        "{review}[rules]\nexpansion_blocks = true\n{relaxed}"
    ));
    assert!(!zone(&a, "Z").pass);
}

#[test]
fn no_original_layer_means_null_expansion() {
    let c = Case::new();
    c.write(
        "zones.geojson",
        &geojson_4549(&[(r#"{"ID":"Z"}"#, vec![vec![rect(0., 0., 100., 100.)]])]),
    );
    let (_, a) = c.run("[layers]\nzones = \"zones.geojson\"\n");
    assert_eq!(zone(&a, "Z").expansion_area_m2, None);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(c.path("out/report.json")).unwrap()).unwrap();
    assert!(json["zones"][0]["expansion_area_m2"].is_null());
    assert!(json["zones"][0]["conflicts"]
        .as_object()
        .unwrap()
        .is_empty());
}

#[test]
fn overlapping_merged_zones_block_both() {
    // Z1 0..100², Z2 50..150 × 0..100: 5,000 m² shared.
    let c = Case::new();
    c.write(
        "zones.geojson",
        &geojson_4549(&[
            (r#"{"ID":"Z1"}"#, vec![vec![rect(0., 0., 100., 100.)]]),
            (r#"{"ID":"Z2"}"#, vec![vec![rect(50., 0., 150., 100.)]]),
            (r#"{"ID":"Z3"}"#, vec![vec![rect(150., 0., 250., 100.)]]),
        ]),
    );
    let (_, a) = c.run("[layers]\nzones = \"zones.geojson\"\n");
    for id in ["Z1", "Z2"] {
        let f = zone(&a, id)
            .findings
            .iter()
            .find(|f| f.rule == "zone_overlap")
            .unwrap();
        assert!(close(f.numbers["area_m2"], 5_000.0, 1e-6));
        assert_eq!(f.severity, Severity::Blocking);
    }
    // Z3 only touches Z2 along an edge.
    assert!(zone(&a, "Z3").pass);
}

#[test]
fn custody_of_highly_protected_townships() {
    // T1 0..1000² (1,000,000 m²) is 60% red line (0..1000 × 0..600); T2 1000..2000 × 0..1000 is
    // 10% (1000..2000 × 0..100). Z1 lies in T1 above the red line and declares it taken over
    // (TGXZ); Z2 lies in T2 and declares it too. Z3, undeclared, covers 300..400 × 700..800 of
    // T1 (1 %): too little to infer custody (default 50 %).
    let c = Case::new();
    c.write(
        "zones.geojson",
        &geojson_4549(&[
            (
                r#"{"ID":"Z1","TGXZ":"甲街道"}"#,
                vec![vec![rect(100., 700., 200., 800.)]],
            ),
            (
                r#"{"ID":"Z2","TGXZ":"乙镇"}"#,
                vec![vec![rect(1100., 700., 1200., 800.)]],
            ),
            (r#"{"ID":"Z3"}"#, vec![vec![rect(300., 700., 400., 800.)]]),
        ]),
    );
    c.write(
        "red.geojson",
        &geojson_4549(&[
            (r#"{"BSM":"R1"}"#, vec![vec![rect(0., 0., 1000., 600.)]]),
            (r#"{"BSM":"R2"}"#, vec![vec![rect(1000., 0., 2000., 100.)]]),
        ]),
    );
    c.write(
        "towns.geojson",
        &geojson_4549(&[
            (
                r#"{"XZQDM":"330109001","XZQMC":"甲街道"}"#,
                vec![vec![rect(0., 0., 1000., 1000.)]],
            ),
            (
                r#"{"XZQDM":"330109002","XZQMC":"乙镇"}"#,
                vec![vec![rect(1000., 0., 2000., 1000.)]],
            ),
        ]),
    );
    let (_, a) = c.run("[layers]\nzones = \"zones.geojson\"\nredline = \"red.geojson\"\ntownships = \"towns.geojson\"\n");
    let f = zone(&a, "Z1")
        .findings
        .iter()
        .find(|f| f.rule == "custody")
        .unwrap();
    assert!(close(f.numbers["max_protected_share"], 0.6, 1e-12));
    assert_eq!(f.refs, vec!["甲街道".to_string()]);
    assert_eq!(f.numbers["declared"], 1.0);
    assert!(!has_rule(zone(&a, "Z2"), "custody"));
    assert!(!has_rule(zone(&a, "Z3"), "custody"));
}

#[test]
fn quotas_and_the_fate_of_originals() {
    // Three zones in 萧山区 (quota 1–2: blocking); one 杭州市 city-level zone (quota 2–3: fewer,
    // a warning). O3 is in two zones; O4 is in none and still 整合优化; O5 is in none and 淘汰撤销.
    let c = Case::new();
    c.write(
        "zones.geojson",
        &geojson_4549(&[
            (
                r#"{"ID":"Z1","CITY":"杭州市","COUNTY":"萧山区","MEMBERS":"O1,O3"}"#,
                vec![vec![rect(0., 0., 100., 100.)]],
            ),
            (
                r#"{"ID":"Z2","CITY":"杭州市","COUNTY":"萧山区","MEMBERS":"O2,O3"}"#,
                vec![vec![rect(200., 0., 300., 100.)]],
            ),
            (
                r#"{"ID":"Z3","CITY":"杭州市","COUNTY":"萧山区","MEMBERS":"O6"}"#,
                vec![vec![rect(400., 0., 500., 100.)]],
            ),
            (
                r#"{"ID":"Z4","CITY":"杭州市","COUNTY":"市本级","MEMBERS":"O7"}"#,
                vec![vec![rect(600., 0., 700., 100.)]],
            ),
        ]),
    );
    let orig: Vec<(String, Vec<Poly>)> = (1..=7)
        .map(|i| {
            let status = if i == 5 {
                "淘汰撤销"
            } else {
                "整合优化"
            };
            (
                format!(r#"{{"ID":"O{i}","STATUS":"{status}"}}"#),
                vec![vec![rect(
                    i as f64 * 1000.,
                    0.,
                    i as f64 * 1000. + 10.,
                    10.,
                )]],
            )
        })
        .collect();
    let orig_refs: Vec<(&str, Vec<Poly>)> =
        orig.iter().map(|(p, g)| (p.as_str(), g.clone())).collect();
    c.write("orig.geojson", &geojson_4549(&orig_refs));
    let (_, a) = c.run("[layers]\nzones = \"zones.geojson\"\noriginal = \"orig.geojson\"\n[rules]\nmax_total_zones = 3\n");
    let plan = &a.plan;
    assert_eq!(plan.zone_count, 4);
    let rule = |r: &str| {
        plan.findings
            .iter()
            .filter(|f| f.rule == r)
            .collect::<Vec<_>>()
    };
    assert_eq!(rule("quota.total")[0].severity, Severity::Blocking);
    let county = rule("quota.county");
    assert_eq!(county.len(), 1);
    assert_eq!(county[0].severity, Severity::Blocking);
    assert_eq!(county[0].numbers["zones"], 3.0);
    let city = rule("quota.city");
    assert_eq!(city[0].severity, Severity::Warning);
    assert_eq!(plan.city_level_counts["杭州市"], (1, [2, 3]));
    let dup = rule("original.duplicate");
    assert_eq!(dup.len(), 1);
    assert_eq!(dup[0].refs[0], "O3");
    let unassigned: Vec<&str> = rule("original.unassigned")
        .iter()
        .map(|f| f.refs[0].as_str())
        .collect();
    assert_eq!(unassigned, vec!["O4"]);
    assert!(a.has_blocking());
}

#[test]
fn slivers_are_info_not_conflicts() {
    // Farmland 99.5..150 × 0..1 overlaps the zone 0..100² by 0.5 × 1 = 0.5 m², a piece no wider
    // than the 0.5 m sliver width, 0.5 m² in all (under the 200 m² total): a sliver.
    let c = Case::new();
    c.write(
        "zones.geojson",
        &geojson_4549(&[(r#"{"ID":"Z"}"#, vec![vec![rect(0., 0., 100., 100.)]])]),
    );
    c.write(
        "farm.geojson",
        &geojson_4549(&[(r#"{"BSM":"F"}"#, vec![vec![rect(99.5, 0., 150., 1.)]])]),
    );
    let (_, a) = c.run("[layers]\nzones = \"zones.geojson\"\nfarmland = \"farm.geojson\"\n");
    let z = zone(&a, "Z");
    let f = &z.conflicts["farmland"];
    assert!(close(f.area_m2, 0.5, 1e-9));
    assert_eq!(f.sliver_count, 1);
    assert!(z.pass);
    assert!(z
        .findings
        .iter()
        .any(|f| f.rule == "sliver.farmland" && f.severity == Severity::Info));
}

#[test]
fn water_conflicts_split_by_class() {
    // 一级 50..150 × 0..100 → 5,000 m² in the zone; 二级 0..50 × 0..40 → 2,000 m².
    let c = Case::new();
    c.write(
        "zones.geojson",
        &geojson_4549(&[(r#"{"ID":"Z"}"#, vec![vec![rect(0., 0., 100., 100.)]])]),
    );
    c.write(
        "water.geojson",
        &geojson_4549(&[
            (
                r#"{"ID":"W1","CLASS":"一级保护区"}"#,
                vec![vec![rect(50., 0., 150., 100.)]],
            ),
            (
                r#"{"ID":"W2","CLASS":"二级保护区"}"#,
                vec![vec![rect(0., 0., 50., 40.)]],
            ),
        ]),
    );
    let (_, a) = c.run("[layers]\nzones = \"zones.geojson\"\nwater = \"water.geojson\"\n");
    let w = &zone(&a, "Z").conflicts["water"];
    assert!(close(w.area_m2, 7_000.0, 1e-6));
    assert!(close(w.by_class_m2["一级保护区"], 5_000.0, 1e-6));
    assert!(close(w.by_class_m2["二级保护区"], 2_000.0, 1e-6));
}

#[test]
fn binary_exit_codes_and_outputs() {
    let c = Case::new();
    c.write(
        "zones.geojson",
        &geojson_4549(&[(
            r#"{"ID":"Z1","MC":"甲园区"}"#,
            vec![vec![rect(0., 0., 100., 100.)]],
        )]),
    );
    c.write(
        "red.geojson",
        &geojson_4549(&[(r#"{"BSM":"R1"}"#, vec![vec![rect(50., 0., 150., 100.)]])]),
    );
    c.write("pass.toml", "[layers]\nzones = \"zones.geojson\"\n");
    c.write(
        "fail.toml",
        "[layers]\nzones = \"zones.geojson\"\nredline = \"red.geojson\"\n",
    );
    let bin = env!("CARGO_BIN_EXE_zonecheck");
    let run = |review: &str, out: &str, extra: &[&str]| {
        std::process::Command::new(bin)
            .arg("check")
            .arg(c.path(review))
            .arg("--out")
            .arg(c.path(out))
            .args(extra)
            .output()
            .unwrap()
    };
    let ok = run("pass.toml", "a/b/c", &[]);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let stdout = String::from_utf8_lossy(&ok.stdout);
    assert!(
        stdout.contains("通过") && stdout.contains("甲园区"),
        "{stdout}"
    );
    let fail = run("fail.toml", "out", &["--lang", "en"]);
    assert_eq!(fail.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&fail.stdout);
    assert!(
        stdout.contains("FAIL") && stdout.contains("7.50"),
        "{stdout}"
    );
    for f in [
        "report.json",
        "findings.csv",
        "conflicts.geojson",
        "conflicts.shp",
        "conflicts.shx",
        "conflicts.dbf",
        "conflicts.prj",
        "conflicts.cpg",
        "report.html",
    ] {
        assert!(c.path("out").join(f).is_file(), "missing {f}");
    }
    let csv = std::fs::read(c.path("out/findings.csv")).unwrap();
    assert!(csv.starts_with(&[0xEF, 0xBB, 0xBF]));
    let gj: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(c.path("out/conflicts.geojson")).unwrap())
            .unwrap();
    let feat = &gj["features"][0];
    assert_eq!(feat["properties"]["zone_id"], "Z1");
    assert_eq!(feat["properties"]["feature_id"], "R1");
    let lon = feat["geometry"]["coordinates"][0][0][0][0]
        .as_f64()
        .unwrap();
    assert!((119.9..120.1).contains(&lon), "{lon}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(c.path("out/report.json")).unwrap()).unwrap();
    let z = &json["zones"][0];
    for key in [
        "id",
        "name",
        "area_m2",
        "area_mu",
        "parts",
        "clusters",
        "expansion_area_m2",
        "conflicts",
        "findings",
        "pass",
    ] {
        assert!(z.get(key).is_some(), "report.json zone lacks {key}");
    }
    assert_eq!(z["conflicts"]["redline"]["features"][0]["id"], "R1");
    for key in ["zone_count", "findings"] {
        assert!(json["plan"].get(key).is_some());
    }
    let input = &json["inputs"][0];
    for key in ["path", "sha256", "crs", "encoding", "features", "warnings"] {
        assert!(input.get(key).is_some(), "inputs lacks {key}");
    }
    assert!(json.get("settings").is_some() && json.get("version").is_some());
    // Deterministic: a second run writes the same report.json.
    let again = run("fail.toml", "out2", &["--lang", "en"]);
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(
        std::fs::read(c.path("out/report.json")).unwrap().len(),
        std::fs::read(c.path("out2/report.json")).unwrap().len()
    );
    // Written zone by zone, the text is the whole document's value pretty-printed.
    let text = std::fs::read_to_string(c.path("out/report.json")).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(serde_json::to_string_pretty(&value).unwrap() + "\n", text);
    assert!(value["zones"].as_array().is_some_and(|z| !z.is_empty()));
}

#[test]
fn shapefile_hole_listed_after_another_shell() {
    // Rings in the file: shell A 0..100², shell B 200..300 × 0..100, then a hole h 40..60²
    // that lies inside A although it follows B. Assigned by containment: (10,000 − 400) + 10,000.
    let c = Case::new();
    write_shp(
        &c.path("zones.shp"),
        &[(
            "Z",
            "甲",
            vec![
                vec![rect(0., 0., 100., 100.)],
                vec![rect(200., 0., 300., 100.), rect(40., 40., 60., 60.)],
            ],
        )],
        Some(&fixture("epsg4549_esri.prj")),
        1.0,
        OutEncoding::Utf8,
    );
    let (_, a) = c.run("[layers]\nzones = \"zones.shp\"\n");
    let z = zone(&a, "Z");
    assert!(close(z.area_m2, 19_600.0, 1e-6), "{}", z.area_m2);
    assert_eq!(z.parts.len(), 2);
}

#[test]
fn decisions_in_the_review_file_appear_in_every_cli_export() {
    // Zone Z1 (0..100 × 0..100) overlaps red line R1 (50..150 × 0..100): one conflict finding
    // `conflict.redline`, the first of its rule in the zone (index 0).
    let c = Case::new();
    c.write(
        "zones.geojson",
        &geojson_4549(&[(
            r#"{"ID":"Z1","MC":"甲园区"}"#,
            vec![vec![rect(0., 0., 100., 100.)]],
        )]),
    );
    c.write(
        "red.geojson",
        &geojson_4549(&[(r#"{"BSM":"R1"}"#, vec![vec![rect(50., 0., 150., 100.)]])]),
    );
    c.write(
        "review.toml",
        "[layers]\nzones = \"zones.geojson\"\nredline = \"red.geojson\"\n\n\
         [[decision]]\nzone = \"Z1\"\nrule = \"conflict.redline\"\nindex = 0\n\
         status = \"accepted\"\nreason = \"已调出红线\"\ncomment = \"见附件 3\"\n\n\
         [[decision]]\nzone = \"Z9\"\nrule = \"clusters\"\nindex = 0\nstatus = \"must_fix\"\n",
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_zonecheck"))
        .arg("check")
        .arg(c.path("review.toml"))
        .arg("--out")
        .arg(c.path("out"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = std::fs::read_to_string(c.path("out/findings.csv")).unwrap();
    let header = csv.lines().next().unwrap();
    assert!(
        header.ends_with("review_status,review_reason,review_comment,review_state,zone_result"),
        "{header}"
    );
    let row = csv
        .lines()
        .find(|l| l.contains("conflict.redline"))
        .unwrap();
    // Z1's only blocking finding is accepted: Z1 passed by decision (the exit code stays 1).
    assert!(
        row.ends_with(",accepted,已调出红线,见附件 3,current,passed_by_decision"),
        "{row}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(c.path("out/report.json")).unwrap()).unwrap();
    let f = json["zones"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "conflict.redline")
        .unwrap();
    assert_eq!(f["decision"]["status"], "accepted");
    assert_eq!(f["decision"]["comment"], "见附件 3");
    // Both decisions are listed, also the one whose finding does not exist.
    assert_eq!(json["decisions"].as_array().unwrap().len(), 2);
    // Z9's has no finding: orphaned, attached to nothing.
    let orphans = json["review_result"]["orphaned_decisions"]
        .as_array()
        .unwrap();
    assert_eq!(orphans.len(), 1);
    assert_eq!(orphans[0]["zone"], "Z9");
    let gj: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(c.path("out/conflicts.geojson")).unwrap())
            .unwrap();
    let p = &gj["features"][0]["properties"];
    assert_eq!(p["review_status"], "accepted");
    assert_eq!(p["review_comment"], "已调出红线; 见附件 3");
    let html = std::fs::read_to_string(c.path("out/report.html")).unwrap();
    assert!(
        html.contains("<th>审查意见</th>") && html.contains("见附件 3"),
        "decision missing from report.html"
    );
    let shp = zonecheck::io::shp::read_shapefile(&c.path("out/conflicts.shp")).unwrap();
    let status = shp.fields.iter().position(|f| f == "STATUS").unwrap();
    assert_eq!(shp.records[0].attrs.get(status), Some("accepted"));
}
