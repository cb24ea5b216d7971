//! findings.csv: one row per finding, UTF-8 with a BOM so Excel shows the Chinese. Areas in m²,
//! 亩 and 公顷, planar (`area_*`, the working CRS, what the checks use) and on the CGCS2000
//! ellipsoid (`area_ellipsoid_*`).

use super::ReportInput;
use crate::analysis::Finding;

/// Quotes a CSV field when needed (RFC 4180).
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn number(f: &Finding, key: &str) -> String {
    f.numbers
        .get(key)
        .map(|&v| crate::model::num::fixed(v, 2))
        .unwrap_or_default()
}

/// A number of the finding converted (m² to 亩 or 公顷), to `digits` decimals; empty when the
/// finding does not have it.
fn converted(f: &Finding, key: &str, convert: fn(f64) -> f64, digits: usize) -> String {
    f.numbers
        .get(key)
        .map(|&v| crate::model::num::fixed(convert(v), digits))
        .unwrap_or_default()
}

/// The CSV text, BOM first. After the findings: a row per orphaned decision (review_state
/// `orphaned`) and a last row with the plan verdict (rule `review.verdict`).
pub fn findings_csv(input: &ReportInput) -> String {
    use crate::messages::decisions as msg;
    let mut out = String::from("\u{feff}");
    out.push_str("zone_id,zone_name,severity,severity_zh,rule,message_zh,message_en,area_m2,area_mu,area_ha,area_ellipsoid_m2,area_ellipsoid_mu,area_ellipsoid_ha,refs,clause,review_status,review_reason,review_comment,review_state,zone_result\r\n");
    let resolved = input.resolved();
    let analysis = input.analysis;
    let zones = &analysis.zones;
    let plan = &analysis.plan.findings;
    let plan_result = resolved.plan_result(analysis);
    let rows = zones
        .iter()
        .enumerate()
        .flat_map(|(zi, z)| {
            z.findings
                .iter()
                .enumerate()
                .map(move |(i, f)| (Some((zi, z)), i, f))
        })
        .chain(plan.iter().enumerate().map(|(i, f)| (None, i, f)));
    let mut push = |cells: &[String]| {
        let line: Vec<String> = cells.iter().map(|c| csv_field(c)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    };
    for (zone, i, f) in rows {
        let (a, result) = match zone {
            Some((zi, _)) => (resolved.get(zi, i), resolved.zone_result(analysis, zi)),
            None => (resolved.plan(i), plan_result),
        };
        let d = a.map(|a| &a.decision);
        let state = match a {
            None => "",
            Some(a) if a.evidence_changed => "evidence_changed",
            Some(_) => "current",
        };
        push(&[
            f.zone.clone().unwrap_or_else(|| "(plan)".to_string()),
            zone.and_then(|(_, z)| z.name.clone()).unwrap_or_default(),
            f.severity.name_en().to_string(),
            f.severity.name_zh().to_string(),
            f.rule.clone(),
            f.message_zh.clone(),
            f.message_en.clone(),
            number(f, "area_m2"),
            number(f, "area_mu"),
            converted(f, "area_m2", crate::spatial::ellipsoid::ha_from_m2, 4),
            number(f, "area_ellipsoid_m2"),
            converted(f, "area_ellipsoid_m2", crate::model::mu_from_m2, 2),
            converted(
                f,
                "area_ellipsoid_m2",
                crate::spatial::ellipsoid::ha_from_m2,
                4,
            ),
            f.refs.join(" "),
            f.clause.clone(),
            d.map(|d| d.status.id().to_string()).unwrap_or_default(),
            d.map(|d| d.reason.clone()).unwrap_or_default(),
            d.map(|d| d.comment.clone()).unwrap_or_default(),
            state.to_string(),
            result.id().to_string(),
        ]);
    }
    for row in &resolved.orphaned {
        let key = crate::decisions::FindingKey {
            zone: row.zone.clone(),
            rule: row.rule.clone(),
            about: row.about.clone(),
        };
        let note = msg::orphaned(&key, row.index);
        push(&[
            row.zone.clone().unwrap_or_else(|| "(plan)".to_string()),
            String::new(),
            String::new(),
            String::new(),
            row.rule.clone(),
            note.zh,
            note.en,
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            row.about.clone().unwrap_or_default(),
            String::new(),
            row.status.id().to_string(),
            row.reason.clone(),
            row.comment.clone(),
            "orphaned".to_string(),
            String::new(),
        ]);
    }
    let counts = resolved.counts(analysis);
    let v = &input.review.file.verdict;
    let line = msg::verdict_line(v, &counts);
    let overall = resolved.overall(analysis);
    push(&[
        "(plan)".to_string(),
        String::new(),
        String::new(),
        String::new(),
        "review.verdict".to_string(),
        line.zh,
        line.en,
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        v.decision.id().to_string(),
        [v.reviewer.trim(), v.date.trim()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" "),
        v.comment.clone(),
        "verdict".to_string(),
        overall.id().to_string(),
    ]);
    out
}
