//! 飞地 with a basis, custody declared or substantial, the table of designations, zones on
//! eliminated originals and zones without a national or provincial member — the cases of
//! issue 9 (items 5–8), through the real binary. Every number is worked out by hand in the
//! test's comment.
//!
//! Defaults used: contiguity distance 0 m and one cluster; minimum sub-area 10 000 m²; slivers
//! under 0.5 m wide or 0.25 m², counting when over 200 m² in total; custody flagged above a
//! 50 % protected share and inferred from 50 % coverage.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::{json, Value};
use std::path::Path;
use support::{run_check, write, Run};

/// Origin of the local coordinates in EPSG:4549 (metres).
const X0: f64 = 500_000.0;
const Y0: f64 = 3_300_000.0;

type Ring = Vec<(f64, f64)>;

fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Ring {
    vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]
}

/// A GeoJSON layer in EPSG:4549; each feature: properties and one rectangle in local metres.
fn geojson(features: &[(Value, Ring)]) -> String {
    let feats: Vec<Value> = features
        .iter()
        .map(|(props, ring)| {
            let ring: Vec<Value> = ring.iter().map(|&(x, y)| json!([X0 + x, Y0 + y])).collect();
            json!({
                "type": "Feature",
                "properties": props,
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            })
        })
        .collect();
    json!({
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "EPSG:4549"}},
        "features": feats,
    })
    .to_string()
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

    fn write(&self, name: &str, features: &[(Value, Ring)]) {
        write(&self.dir.path().join(name), geojson(features));
    }

    /// Runs the binary on `review` (written as review.toml); returns the run and report.json.
    fn run(&self, review: &str) -> (Run, Value) {
        let review_path = self.dir.path().join("review.toml");
        write(&review_path, review);
        let out = self.dir.path().join("out");
        let run = run_check(&review_path, &out);
        run.assert_checked();
        (run, report(&out))
    }

    fn html(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("out").join("report.html")).unwrap()
    }
}

fn report(out: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap()
}

fn zone<'a>(json: &'a Value, id: &str) -> &'a Value {
    json["zones"]
        .as_array()
        .unwrap()
        .iter()
        .find(|z| z["id"] == id)
        .unwrap_or_else(|| panic!("no zone {id}"))
}

fn findings<'a>(zone: &'a Value, rule: &str) -> Vec<&'a Value> {
    zone["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

/// The one finding of `rule` on `zone`.
fn one<'a>(zone: &'a Value, rule: &str) -> &'a Value {
    let found = findings(zone, rule);
    assert_eq!(found.len(), 1, "{rule} on {}: {found:?}", zone["id"]);
    found[0]
}

fn num(f: &Value, key: &str) -> f64 {
    f["numbers"][key]
        .as_f64()
        .unwrap_or_else(|| panic!("no number {key} in {f}"))
}

fn refs(f: &Value) -> Vec<&str> {
    f["refs"]
        .as_array()
        .map(|r| r.iter().map(|v| v.as_str().unwrap()).collect())
        .unwrap_or_default()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * b.abs().max(1.0)
}

/// "Setting ENCLAVE=是 on a cluster 800 m away in the same county removes the blocking finding,
/// with no basis recorded."
///
/// Zone Z: its home part 0..100 × 0..100 (10 000 m², 萧山区) and, 800 m east, 900..1000 ×
/// 0..120 (12 000 m²) marked ENCLAVE = 是 in 萧山区 with no basis. Zone Y: the same shapes 1 km
/// north, its enclave recording FDYJ "浙政办函〔2021〕12号" in 淳安县.
///
/// Z: the enclave is still exempt from contiguity (no `clusters`), but now `enclave.no_basis`
/// (1 part, 12 000 m²) and `enclave.same_county` (萧山区) warn, and report.json lists the
/// enclave with `basis` null. Y: only the `enclave` notice, its enclave listed with its basis.
#[test]
fn an_enclave_carries_its_basis_and_lies_in_another_county() {
    let c = Case::new();
    let z = |id: &str, county: &str, enclave: &str, basis: &str| json!({"ID": id, "COUNTY": county, "ENCLAVE": enclave, "FDYJ": basis});
    c.write(
        "zones.geojson",
        &[
            (z("Z", "萧山区", "否", ""), rect(0., 0., 100., 100.)),
            (z("Z", "萧山区", "是", ""), rect(900., 0., 1000., 120.)),
            (z("Y", "萧山区", "否", ""), rect(0., 1000., 100., 1100.)),
            (
                z("Y", "淳安县", "是", "浙政办函〔2021〕12号"),
                rect(900., 1000., 1000., 1120.),
            ),
        ],
    );
    let (_, a) = c.run("[layers]\nzones = \"zones.geojson\"\n");

    let zz = zone(&a, "Z");
    assert!(findings(zz, "clusters").is_empty());
    let notice = one(zz, "enclave");
    assert_eq!(notice["severity"], "info");
    assert_eq!(
        (num(notice, "enclaves"), num(notice, "enclaves_with_basis")),
        (1.0, 0.0)
    );
    let no_basis = one(zz, "enclave.no_basis");
    assert_eq!(no_basis["severity"], "warning");
    assert_eq!(num(no_basis, "enclaves_without_basis"), 1.0);
    assert!(close(num(no_basis, "area_m2"), 12_000.0));
    assert!(no_basis["clause"]
        .as_str()
        .unwrap()
        .starts_with("四(十三) 支持重点生态功能区县（市、区）在市本级或山海协作县共建“飞地”园区"));
    let same = one(zz, "enclave.same_county");
    assert_eq!(same["severity"], "warning");
    assert_eq!(refs(same), ["萧山区"]);
    // Warnings only: the zone passes, and the reviewer sees why it should not yet.
    assert_eq!(zz["pass"], true);
    // Listed in report.json: the enclave part with its area and (no) basis.
    let list = zz["enclaves"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert!(close(list[0]["area_m2"].as_f64().unwrap(), 12_000.0));
    assert!(list[0]["basis"].is_null());
    let part = list[0]["part"].as_u64().unwrap() as usize;
    assert_eq!(zz["parts"][part - 1]["enclave"], true);

    let y = zone(&a, "Y");
    assert!(findings(y, "clusters").is_empty());
    assert!(findings(y, "enclave.no_basis").is_empty());
    assert!(findings(y, "enclave.same_county").is_empty());
    assert_eq!(num(one(y, "enclave"), "enclaves_with_basis"), 1.0);
    let list = y["enclaves"].as_array().unwrap();
    assert_eq!(list[0]["basis"], "浙政办函〔2021〕12号");
    assert_eq!(list[0]["county"], "淳安县");
    // And in report.html, with its basis.
    let html = c.html();
    assert!(
        html.contains("浙政办函〔2021〕12号"),
        "report.html lists the basis"
    );
    assert!(html.contains("未记录依据"));
}

/// "A zone cut down to 2 m² inside 河上镇 is still 托管 河上镇 at 72.7 %; a declared custody of
/// a township the zone does not overlap cannot be expressed."
///
/// Townships: 河上镇 0..1000 × 0..1000 (1 000 000 m²) with the red line over 0..1000 × 0..727:
/// 727 000 m², 72.7 % protected; 乙镇 1000..2000 × 0..1000 with red line over 1000..2000 ×
/// 0..600: 60 % protected, its TGKFQ (custodian) field naming zone E.
/// - A: 0..1 × 800..802, 2 m² in 河上镇 (0.0002 % of it): not taken over, no `custody`.
/// - C: 0..1000 × 400..1000, 600 000 m² = 60 % of 河上镇 (≥ 50 %): inferred, 72.7 % > 50 %.
/// - D: 5000..5100 × 0..100, far from every township, TGXZ "河上镇、丙镇": 河上镇 declared
///   (72.7 %); 丙镇 is in no township: a second `custody` warning naming it.
/// - E: 5200..5300 × 0..100, named by 乙镇's TGKFQ: declared, 60 %.
#[test]
fn custody_is_declared_or_inferred_from_substantial_coverage() {
    let c = Case::new();
    c.write(
        "towns.geojson",
        &[
            (
                json!({"XZQDM": "330109106", "XZQMC": "河上镇", "TGKFQ": ""}),
                rect(0., 0., 1000., 1000.),
            ),
            (
                json!({"XZQDM": "330109107", "XZQMC": "乙镇", "TGKFQ": "E"}),
                rect(1000., 0., 2000., 1000.),
            ),
        ],
    );
    c.write(
        "red.geojson",
        &[
            (json!({"BSM": "R1"}), rect(0., 0., 1000., 727.)),
            (json!({"BSM": "R2"}), rect(1000., 0., 2000., 600.)),
        ],
    );
    let z = |id: &str, tgxz: &str| json!({"ID": id, "TGXZ": tgxz});
    c.write(
        "zones.geojson",
        &[
            (z("A", ""), rect(0., 800., 1., 802.)),
            (z("C", ""), rect(0., 400., 1000., 1000.)),
            (z("D", "河上镇、丙镇"), rect(5000., 0., 5100., 100.)),
            (z("E", ""), rect(5200., 0., 5300., 100.)),
        ],
    );
    let (_, a) = c.run(
        "[layers]\nzones = \"zones.geojson\"\nredline = \"red.geojson\"\ntownships = \"towns.geojson\"\n",
    );
    assert!(findings(zone(&a, "A"), "custody").is_empty());

    let f = one(zone(&a, "C"), "custody");
    assert!(close(num(f, "max_protected_share"), 0.727));
    assert_eq!((num(f, "declared"), num(f, "inferred")), (0.0, 1.0));
    assert_eq!(num(f, "min_cover_share"), 0.5);
    assert_eq!(refs(f), ["河上镇"]);
    assert!(f["message_zh"]
        .as_str()
        .unwrap()
        .contains("按覆盖推定托管：开发区覆盖其 60.0%"));
    assert!(f["message_en"].as_str().unwrap().contains("inferred"));

    let d = findings(zone(&a, "D"), "custody");
    assert_eq!(d.len(), 2, "{d:?}");
    let declared = d.iter().find(|f| f["about"].is_null()).unwrap();
    assert!(close(num(declared, "max_protected_share"), 0.727));
    assert_eq!(
        (num(declared, "declared"), num(declared, "inferred")),
        (1.0, 0.0)
    );
    assert!(declared["message_zh"]
        .as_str()
        .unwrap()
        .contains("河上镇（申报托管"));
    let missing = d
        .iter()
        .find(|f| f["about"] == "declared_not_found")
        .unwrap();
    assert_eq!(refs(missing), ["丙镇"]);

    let e = one(zone(&a, "E"), "custody");
    assert!(close(num(e, "max_protected_share"), 0.6));
    assert_eq!(num(e, "declared"), 1.0);
    assert_eq!(refs(e), ["乙镇"]);

    // A coverage setting of 0.0002 (2 m² of 1 000 000) takes A's 2 m² for custody again.
    let (_, a) = c.run(
        "[layers]\nzones = \"zones.geojson\"\nredline = \"red.geojson\"\ntownships = \"towns.geojson\"\n[rules]\ncustody_min_cover_share = 0.000002\n",
    );
    assert_eq!(num(one(zone(&a, "A"), "custody"), "inferred"), 1.0);
}

/// A declared custody with no townships layer is said, never a silent pass; a share out of
/// 0–1 is refused naming the key.
#[test]
fn declared_custody_without_townships_and_a_bad_cover_share() {
    let c = Case::new();
    c.write(
        "zones.geojson",
        &[(
            json!({"ID": "D", "TGXZ": "河上镇"}),
            rect(0., 0., 100., 100.),
        )],
    );
    let (_, a) = c.run("[layers]\nzones = \"zones.geojson\"\n");
    let f = one(zone(&a, "D"), "custody");
    assert_eq!(refs(f), ["河上镇"]);
    assert_eq!(f["about"], "declared_not_found");

    let review_path = c.dir.path().join("bad.toml");
    write(
        &review_path,
        "[layers]\nzones = \"zones.geojson\"\n[rules]\ncustody_min_cover_share = 1.5\n",
    );
    let run = run_check(&review_path, &c.dir.path().join("out2"));
    assert!(
        run.stderr.contains("rules.custody_min_cover_share"),
        "{}",
        run.stderr
    );
}

/// "牌子就高 uses one rank number": a zone relabelled 国家级经济技术开发区 while a member is a
/// 国家级高新技术产业开发区 gets no finding; any text containing 区 ranks as county level, so a
/// 综合保税区 member ranks below a 市级工业园区; 县级市 text ranks as city level.
///
/// - P1 国家级经济技术开发区 of O1 (国家级经济技术开发区) and O2 (国家级高新技术产业开发区):
///   same level, but O2's national plaque is dropped → blocking `designation.dropped`.
/// - P2 市级工业园区 of O3 (综合保税区, national) and O4 (市级工业园区): below its highest member
///   (rank 2 < 4) and 综合保税区 dropped.
/// - P3 市级工业园区 of O5 (县级市工业园区: county, rank 1): above every member (2 > 1).
/// - P4 市级工业园区 of O6 (某某工业区): not in the table → `designation.unknown`, listing the
///   known designations; no level is guessed, so no `designation`.
/// - P5 "国家级经济技术开发区、国家级高新区" of O7 (国家级经开区) and O8 (国家级高新技术产业
///   开发区): both kept, same level → no designation finding.
/// - P6 as P4 but with `[plaques] "某某工业区" = "city"` in the review: known, no finding.
#[test]
fn plaques_come_from_a_table_and_every_national_plaque_is_kept() {
    let c = Case::new();
    let o = |id: &str, level: &str| json!({"ID": id, "LEVEL": level, "STATUS": "整合优化"});
    c.write(
        "original.geojson",
        &[
            (o("O1", "国家级经济技术开发区"), rect(0., 0., 100., 100.)),
            (
                o("O2", "国家级高新技术产业开发区"),
                rect(100., 0., 200., 100.),
            ),
            (o("O3", "综合保税区"), rect(300., 0., 400., 100.)),
            (o("O4", "市级工业园区"), rect(400., 0., 500., 100.)),
            (o("O5", "县级市工业园区"), rect(600., 0., 700., 100.)),
            (o("O6", "某某工业区"), rect(900., 0., 1000., 100.)),
            (o("O7", "国家级经开区"), rect(1200., 0., 1300., 100.)),
            (
                o("O8", "国家级高新技术产业开发区"),
                rect(1300., 0., 1400., 100.),
            ),
        ],
    );
    let z = |id: &str, level: &str, members: &str| json!({"ID": id, "LEVEL": level, "MEMBERS": members});
    c.write(
        "zones.geojson",
        &[
            (
                z("P1", "国家级经济技术开发区", "O1,O2"),
                rect(0., 0., 200., 100.),
            ),
            (z("P2", "市级工业园区", "O3,O4"), rect(300., 0., 500., 100.)),
            (z("P3", "市级工业园区", "O5"), rect(600., 0., 700., 100.)),
            (z("P4", "市级工业园区", "O6"), rect(900., 0., 1000., 100.)),
            (
                z("P5", "国家级经济技术开发区、国家级高新区", "O7,O8"),
                rect(1200., 0., 1400., 100.),
            ),
        ],
    );
    let review = "[layers]\nzones = \"zones.geojson\"\noriginal = \"original.geojson\"\n";
    let (_, a) = c.run(review);
    let designation_rules = |id: &str| -> Vec<String> {
        zone(&a, id)["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["rule"].as_str())
            .filter(|r| r.starts_with("designation"))
            .map(str::to_string)
            .collect()
    };

    let p1 = zone(&a, "P1");
    let dropped = one(p1, "designation.dropped");
    assert_eq!(dropped["severity"], "blocking");
    assert_eq!(refs(dropped), ["O2"]);
    assert!(dropped["message_zh"]
        .as_str()
        .unwrap()
        .contains("国家级高新技术产业开发区（O2）"));
    assert!(dropped["clause"]
        .as_str()
        .unwrap()
        .contains("保持原有国家级牌子不变"));
    assert_eq!(designation_rules("P1"), ["designation.dropped"]);
    assert_eq!(p1["pass"], false);

    let p2 = zone(&a, "P2");
    let below = one(p2, "designation");
    assert_eq!(
        (num(below, "level_rank"), num(below, "highest_member_rank")),
        (2.0, 4.0)
    );
    assert_eq!(refs(below), ["O3"]);
    assert!(one(p2, "designation.dropped")["message_zh"]
        .as_str()
        .unwrap()
        .contains("综合保税区（O3）"));

    let above = one(zone(&a, "P3"), "designation");
    assert_eq!(
        (num(above, "level_rank"), num(above, "highest_member_rank")),
        (2.0, 1.0)
    );
    assert!(above["message_zh"]
        .as_str()
        .unwrap()
        .contains("高于全部成员"));

    let unknown = one(zone(&a, "P4"), "designation.unknown");
    assert_eq!(unknown["severity"], "warning");
    assert_eq!(refs(unknown), ["O6"]);
    let msg = unknown["message_zh"].as_str().unwrap();
    assert!(
        msg.contains("某某工业区")
            && msg.contains("国家级经济技术开发区")
            && msg.contains("综合保税区")
    );
    assert_eq!(designation_rules("P4"), ["designation.unknown"]);

    assert!(
        designation_rules("P5").is_empty(),
        "{:?}",
        designation_rules("P5")
    );

    // The review names 某某工业区 a city-level designation: known, same level as P4.
    let (_, a) = c.run(&format!("{review}[plaques]\n\"某某工业区\" = \"city\"\n"));
    assert!(zone(&a, "P4")["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| !f["rule"].as_str().unwrap().starts_with("designation")));
}

/// "淘汰撤销的开发区不再布局新的产业项目 is checked only through member lists: a new zone drawn
/// exactly on an eliminated original with no members passes silently." "依托现有国家级和省级开发区
/// is not checked: a zone built only from county-level parks passes."
///
/// - Q: drawn exactly on O10 (0..100 × 0..100, 淘汰撤销, 县级工业园区), no members: `eliminated`
///   with 10 000 m², refs O10; the original under it is county level → also
///   `members.no_national_or_provincial` (members 1).
/// - R: of O11 and O12 (县级工业园区 each): `members.no_national_or_provincial`, members 2.
/// - S: of O13 (省级经济开发区) and O14 (县级工业园区): rests on a provincial zone, no finding.
/// - T: 100..200 × 0..100, of O15 (省级开发区), shares only the edge x = 100 with O10: no
///   `eliminated` (overlap 0 m²).
#[test]
fn zones_on_eliminated_originals_and_without_a_national_or_provincial_member() {
    let c = Case::new();
    let o =
        |id: &str, level: &str, status: &str| json!({"ID": id, "LEVEL": level, "STATUS": status});
    c.write(
        "original.geojson",
        &[
            (
                o("O10", "县级工业园区", "淘汰撤销"),
                rect(0., 0., 100., 100.),
            ),
            (
                o("O11", "县级工业园区", "整合优化"),
                rect(1000., 0., 1100., 100.),
            ),
            (
                o("O12", "县级工业园区", "整合优化"),
                rect(1100., 0., 1200., 100.),
            ),
            (
                o("O13", "省级经济开发区", "整合优化"),
                rect(2000., 0., 2100., 100.),
            ),
            (
                o("O14", "县级工业园区", "整合优化"),
                rect(2100., 0., 2200., 100.),
            ),
            (
                o("O15", "省级开发区", "整合优化"),
                rect(100., 0., 200., 100.),
            ),
        ],
    );
    let z = |id: &str, members: &str| json!({"ID": id, "MEMBERS": members});
    c.write(
        "zones.geojson",
        &[
            (z("Q", ""), rect(0., 0., 100., 100.)),
            (z("R", "O11,O12"), rect(1000., 0., 1200., 100.)),
            (z("S", "O13,O14"), rect(2000., 0., 2200., 100.)),
            (z("T", "O15"), rect(100., 0., 200., 100.)),
        ],
    );
    let (_, a) = c.run("[layers]\nzones = \"zones.geojson\"\noriginal = \"original.geojson\"\n");

    let q = zone(&a, "Q");
    let e = one(q, "eliminated");
    assert!(close(num(e, "area_m2"), 10_000.0));
    assert_eq!(num(e, "eliminated_originals"), 1.0);
    assert_eq!(refs(e), ["O10"]);
    assert_eq!(e["severity"], "warning");
    assert_eq!(
        e["clause"],
        "四(十三) 淘汰撤销的开发区（园区）不再布局新的产业项目"
    );
    let anchor = one(q, "members.no_national_or_provincial");
    assert_eq!(refs(anchor), ["O10"]);

    let r = one(zone(&a, "R"), "members.no_national_or_provincial");
    assert_eq!(r["severity"], "warning");
    assert_eq!(num(r, "members"), 2.0);
    assert_eq!(refs(r), ["O11", "O12"]);
    assert!(r["clause"]
        .as_str()
        .unwrap()
        .starts_with("二(二) 依托现有国家级和省级开发区（园区）"));

    let s = zone(&a, "S");
    assert!(findings(s, "members.no_national_or_provincial").is_empty());
    assert!(findings(s, "eliminated").is_empty());
    // T shares only the edge x = 100 with the eliminated O10: no overlap, no finding.
    let t = zone(&a, "T");
    assert!(findings(t, "eliminated").is_empty());
    assert!(findings(t, "members.no_national_or_provincial").is_empty());
}
