//! Reviewer decisions stay on their finding when the data changes, and the plan verdict is in
//! every output: through the real binary (`zonecheck check`).
//!
//! The data: merged zones M1 (member Y1) and M3 (member Y3), 500 m squares 2 km apart in
//! EPSG:4549; original zones Y1 and Y3 with the same outlines; a red-line square of 100 m × 100 m
//! inside M1 (a blocking conflict of 10,000 m²). Y3 is marked 淘汰撤销 but merged into M3, so the
//! plan has an `original.status` finding about Y3 (refs Y3, M3).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::Value;
use std::path::Path;
use support::*;
use zonecheck::io::shp_write::{FieldKind, FieldSpec};

fn text_field(name: &str, width: u8) -> FieldSpec {
    FieldSpec {
        name: name.to_string(),
        kind: FieldKind::Text(width),
    }
}

/// Writes the inputs: `zones` as (id, member), `originals` as (id, status); outlines by index
/// of the member (Y1 → first square, Y3 → second).
fn write_inputs(dir: &Path, zones: &[(&str, &str)], originals: &[(&str, &str)]) {
    let prj = esri_wkt(EPSG_GK_120E);
    let place = |id: &str| if id == "Y1" { 0.0 } else { 2000.0 };
    let z: Vec<ShpFeature> = zones
        .iter()
        .map(|(id, member)| {
            (
                square(X0 + place(member), Y0, 500.0),
                vec![
                    Some(id.to_string()),
                    Some(format!("开发区{id}")),
                    Some(member.to_string()),
                ],
            )
        })
        .collect();
    write_polygon_shp(
        &dir.join("zones.shp"),
        &[
            text_field("ID", 10),
            text_field("NAME", 40),
            text_field("MEMBERS", 40),
        ],
        &z,
        Some(&prj),
    );
    let o: Vec<ShpFeature> = originals
        .iter()
        .map(|(id, status)| {
            (
                square(X0 + place(id), Y0, 500.0),
                vec![
                    Some(id.to_string()),
                    Some(format!("原开发区{id}")),
                    Some(status.to_string()),
                ],
            )
        })
        .collect();
    write_polygon_shp(
        &dir.join("original.shp"),
        &[
            text_field("ID", 10),
            text_field("NAME", 40),
            text_field("STATUS", 20),
        ],
        &o,
        Some(&prj),
    );
    write_polygon_shp(
        &dir.join("redline.shp"),
        &[text_field("ID", 10)],
        &[(
            square(X0 + 100.0, Y0 + 100.0, 100.0),
            vec![Some("R1".into())],
        )],
        Some(&prj),
    );
}

const LAYERS: &str =
    "[layers]\nzones = \"zones.shp\"\noriginal = \"original.shp\"\nredline = \"redline.shp\"\n";

/// Y3's finding fingerprint: no numbers, refs {M3, Y3} sorted and joined by U+001F after a `|`;
/// the first 6 bytes of its SHA-256 in hex. Worked out with Python:
/// `hashlib.sha256(('|' + 'M3\x1fY3').encode()).hexdigest()[:12]`.
const Y3_EVIDENCE: &str = "11ddd7d72f13";

/// A minimal CSV reader (RFC 4180 quoting), rows of cells.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let text = text.trim_start_matches('\u{feff}');
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(std::mem::take(&mut cell)),
            ('\r', false) => {}
            ('\n', false) => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (c, _) => cell.push(c),
        }
    }
    rows
}

struct Outputs {
    csv: Vec<Vec<String>>,
    json: Value,
    html: String,
    run: Run,
}

impl Outputs {
    fn col(&self, name: &str) -> usize {
        self.csv[0]
            .iter()
            .position(|c| c == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    }

    /// The CSV row of a finding: zone id (or `(plan)`), rule, and a ref it must list.
    fn row(&self, zone: &str, rule: &str, refs_has: &str) -> &Vec<String> {
        let (z, r, refs) = (self.col("zone_id"), self.col("rule"), self.col("refs"));
        let hits: Vec<&Vec<String>> = self.csv[1..]
            .iter()
            .filter(|row| {
                row[z] == zone
                    && row[r] == rule
                    && row[refs].split(' ').any(|x| x == refs_has)
                    && row[self.col("review_state")] != "orphaned"
            })
            .collect();
        assert_eq!(hits.len(), 1, "{zone} {rule} {refs_has}: {:?}", self.csv);
        hits[0]
    }

    fn cell(&self, row: &[String], name: &str) -> String {
        row[self.col(name)].clone()
    }

    /// The plan finding of `rule` about `about` in report.json.
    fn plan_finding(&self, rule: &str, about: &str) -> &Value {
        let all = self.json["plan"]["findings"]
            .as_array()
            .expect("plan findings");
        let hits: Vec<&Value> = all
            .iter()
            .filter(|f| f["rule"] == rule && f["about"] == about)
            .collect();
        assert_eq!(hits.len(), 1, "{rule} {about}: {all:?}");
        hits[0]
    }
}

fn check(dir: &Path, review: &str) -> Outputs {
    std::fs::write(dir.join("review.toml"), review).expect("write review");
    let out = dir.join("out");
    let run = run_check(&dir.join("review.toml"), &out);
    let csv = parse_csv(&std::fs::read_to_string(out.join("findings.csv")).expect("csv"));
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).expect("json"))
            .expect("report.json parses");
    let html = std::fs::read_to_string(out.join("report.html")).expect("html");
    Outputs {
        csv,
        json,
        html,
        run,
    }
}

/// The Why case: a decision on Y3's `original.status` finding stays on Y3 when Y1 gains the same
/// rule's finding (which sorts before Y3's); Y1's stays open. Then Y3's evidence changes (its
/// zone is renamed M3 → M4) and the decision is marked so; then the finding goes (Y3 no longer
/// marked 淘汰撤销) and the decision is orphaned, attached to nothing.
#[test]
fn decision_stays_on_its_finding_when_the_data_changes() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let review = format!(
        "{LAYERS}\n[[decision]]\nrule = \"original.status\"\nabout = \"Y3\"\nevidence = \"{Y3_EVIDENCE}\"\nstatus = \"accepted\"\nreason = \"Y3 淘汰撤销，范围并入 M3\"\n"
    );

    // 1. Only Y3 has the finding; the decision is on it, evidence unchanged.
    write_inputs(
        dir,
        &[("M1", "Y1"), ("M3", "Y3")],
        &[("Y1", "整合提升"), ("Y3", "淘汰撤销")],
    );
    let o = check(dir, &review);
    let y3 = o.row("(plan)", "original.status", "Y3");
    assert_eq!(o.cell(y3, "review_status"), "accepted", "{}", o.run);
    assert_eq!(o.cell(y3, "review_state"), "current");
    let f = o.plan_finding("original.status", "Y3");
    assert_eq!(f["decision"]["evidence_now"], Y3_EVIDENCE);
    assert_eq!(f["decision"]["evidence_changed"], false);

    // 2. Y1 gains the same rule's finding, before Y3's in report order.
    write_inputs(
        dir,
        &[("M1", "Y1"), ("M3", "Y3")],
        &[("Y1", "淘汰撤销"), ("Y3", "淘汰撤销")],
    );
    let o = check(dir, &review);
    let rules: Vec<String> = o.json["plan"]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "original.status")
        .map(|f| f["about"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(rules, ["Y1", "Y3"], "Y1's finding comes first");
    let y1 = o.row("(plan)", "original.status", "Y1");
    let y3 = o.row("(plan)", "original.status", "Y3");
    assert_eq!(o.cell(y3, "review_status"), "accepted");
    assert_eq!(o.cell(y3, "review_reason"), "Y3 淘汰撤销，范围并入 M3");
    assert_eq!(o.cell(y1, "review_status"), "", "Y1's finding stays open");
    assert!(o
        .plan_finding("original.status", "Y1")
        .get("decision")
        .is_none());
    assert_eq!(
        o.plan_finding("original.status", "Y3")["decision"]["status"],
        "accepted"
    );
    // In report.html the reason sits in Y3's row, not Y1's.
    let row_of = |id: &str| {
        o.html
            .split("<tr>")
            .find(|r| r.contains(&format!("原开发区 {id} 标为")))
            .unwrap_or_else(|| panic!("no html row for {id}"))
            .to_string()
    };
    assert!(
        row_of("Y3").contains("Y3 淘汰撤销，范围并入 M3"),
        "{}",
        row_of("Y3")
    );
    assert!(!row_of("Y1").contains("同意"), "{}", row_of("Y1"));
    assert!(o.json["review_result"]["orphaned_decisions"]
        .as_array()
        .expect("orphans")
        .is_empty());

    // 3. Y3's zone is renamed M3 → M4: same subject, other refs → evidence changed, everywhere.
    write_inputs(
        dir,
        &[("M1", "Y1"), ("M4", "Y3")],
        &[("Y1", "整合提升"), ("Y3", "淘汰撤销")],
    );
    let o = check(dir, &review);
    let y3 = o.row("(plan)", "original.status", "Y3");
    assert_eq!(o.cell(y3, "review_status"), "accepted");
    assert_eq!(o.cell(y3, "review_state"), "evidence_changed");
    let d = &o.plan_finding("original.status", "Y3")["decision"];
    assert_eq!(d["evidence_changed"], true);
    assert_eq!(d["evidence"], Y3_EVIDENCE);
    assert!(o.html.contains("证据已变化"), "html marks it");

    // 4. Y3 no longer marked 淘汰撤销: the finding is gone, the decision orphaned (attached to
    //    no other finding), listed in every output.
    write_inputs(
        dir,
        &[("M1", "Y1"), ("M3", "Y3")],
        &[("Y1", "淘汰撤销"), ("Y3", "整合提升")],
    );
    let o = check(dir, &review);
    let y1 = o.row("(plan)", "original.status", "Y1");
    assert_eq!(o.cell(y1, "review_status"), "", "not moved to Y1");
    let orphans: Vec<&Vec<String>> = o.csv[1..]
        .iter()
        .filter(|r| r[o.col("review_state")] == "orphaned")
        .collect();
    assert_eq!(orphans.len(), 1, "{:?}", o.csv);
    assert_eq!(o.cell(orphans[0], "rule"), "original.status");
    assert_eq!(o.cell(orphans[0], "refs"), "Y3");
    assert_eq!(o.cell(orphans[0], "review_status"), "accepted");
    let j = o.json["review_result"]["orphaned_decisions"]
        .as_array()
        .expect("orphans");
    assert_eq!(j.len(), 1);
    assert_eq!(j[0]["about"], "Y3");
    assert!(o.html.contains("已失效的审查意见"));
    assert!(
        o.run
            .stdout
            .contains("orphaned decision: plan · original.status · Y3"),
        "{}",
        o.run
    );
}

/// A review file of an earlier version (`index = 0`) loads: its decision goes to the 0-th
/// `original.status` finding of the plan, Y3's when Y3's is the only one.
#[test]
fn decision_by_index_of_earlier_versions_still_loads() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    write_inputs(
        dir,
        &[("M1", "Y1"), ("M3", "Y3")],
        &[("Y1", "整合提升"), ("Y3", "淘汰撤销")],
    );
    let o = check(
        dir,
        &format!("{LAYERS}\n[[decision]]\nrule = \"original.status\"\nindex = 0\nstatus = \"must_fix\"\n"),
    );
    let y3 = o.row("(plan)", "original.status", "Y3");
    assert_eq!(o.cell(y3, "review_status"), "must_fix", "{}", o.run);
    assert_eq!(o.cell(y3, "review_state"), "current");
}

/// Accepting M1's one blocking finding (the red-line conflict) makes M1 "passed by decision",
/// distinct from a clean pass, in every output; the exit code stays the engine's (1). A pass
/// verdict recorded while a blocking finding is open says so with their number.
#[test]
fn passed_by_decision_and_the_plan_verdict() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    write_inputs(
        dir,
        &[("M1", "Y1"), ("M3", "Y3")],
        &[("Y1", "整合提升"), ("Y3", "整合提升")],
    );
    let verdict = "\n[verdict]\ndecision = \"pass\"\nreviewer = \"张三\"\ndate = \"2026-12-02\"\ncomment = \"同意上报\"\n";

    // Nothing accepted: M1 fails; a pass verdict says 1 blocking finding is not accepted.
    let o = check(dir, &format!("{LAYERS}{verdict}"));
    assert_eq!(o.run.code, Some(1), "{}", o.run);
    let m1 = o.row("M1", "conflict.redline", "R1");
    assert_eq!(o.cell(m1, "zone_result"), "fail");
    let line =
        "审查结论：通过（仍有 1 项否决未处理）；审查人 张三；日期 2026-12-02；意见：同意上报";
    assert!(o.html.contains(line), "html top says it loudly");
    assert!(o.html.contains("class=\"verdict loud\""));
    let v = &o.json["review_result"]["verdict"];
    assert_eq!(
        (
            v["decision"].as_str(),
            v["reviewer"].as_str(),
            v["date"].as_str()
        ),
        (Some("pass"), Some("张三"), Some("2026-12-02"))
    );
    assert_eq!(v["blocking_not_accepted"], 1);
    let vrow = o.row("(plan)", "review.verdict", "");
    assert_eq!(o.cell(vrow, "message_zh"), line);
    assert!(
        o.run.stdout.contains(
            "Review verdict: pass (while 1 blocking finding(s) are not accepted); reviewer 张三"
        ),
        "{}",
        o.run
    );

    // M1's conflict accepted: M1 passed by decision, M3 a clean pass; exit code still 1.
    let o = check(
        dir,
        &format!("{LAYERS}{verdict}\n[[decision]]\nzone = \"M1\"\nrule = \"conflict.redline\"\nstatus = \"accepted\"\nreason = \"已调出红线\"\n"),
    );
    assert_eq!(o.run.code, Some(1), "exit code is the engine's: {}", o.run);
    let m1 = o.row("M1", "conflict.redline", "R1");
    assert_eq!(o.cell(m1, "zone_result"), "passed_by_decision");
    let zones = o.json["zones"].as_array().expect("zones");
    let result = |id: &str| {
        zones
            .iter()
            .find(|z| z["id"] == id)
            .map(|z| z["result"].as_str().unwrap_or("").to_string())
    };
    assert_eq!(result("M1").as_deref(), Some("passed_by_decision"));
    assert_eq!(result("M3").as_deref(), Some("pass"));
    assert_eq!(o.json["review_result"]["result"], "passed_by_decision");
    assert_eq!(
        o.json["review_result"]["verdict"]["blocking_not_accepted"],
        0
    );
    assert!(o
        .html
        .contains("<span class=\"badge decided\">经审查通过</span>"));
    assert!(o.html.contains("审查结论：通过；审查人 张三"));
    assert!(!o.html.contains("class=\"verdict loud\""));
    let m1_line = o
        .run
        .stdout
        .lines()
        .find(|l| l.starts_with("M1 "))
        .unwrap_or_default()
        .to_string();
    assert!(m1_line.contains("passed by decision"), "{}", o.run);
}
