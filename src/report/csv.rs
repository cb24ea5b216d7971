//! findings.csv: one row per finding, UTF-8 with a BOM so Excel shows the Chinese.

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
        .map(|v| format!("{v:.2}"))
        .unwrap_or_default()
}

/// The CSV text, BOM first.
pub fn findings_csv(input: &ReportInput) -> String {
    let mut out = String::from("\u{feff}");
    out.push_str("zone_id,zone_name,severity,severity_zh,rule,message_zh,message_en,area_m2,area_mu,refs,clause,review_status,review_reason,review_comment\r\n");
    let decisions = input.decisions();
    let zones = &input.analysis.zones;
    let plan = &input.analysis.plan.findings;
    let rows = zones
        .iter()
        .flat_map(|z| {
            z.findings
                .iter()
                .enumerate()
                .map(move |(i, f)| (Some(z), i, f))
        })
        .chain(plan.iter().enumerate().map(|(i, f)| (None, i, f)));
    for (zone, i, f) in rows {
        let d = match zone {
            Some(z) => decisions.for_finding(Some(&z.id), &z.findings, i),
            None => decisions.for_finding(None, plan, i),
        };
        let cells = [
            f.zone.clone().unwrap_or_else(|| "(plan)".to_string()),
            zone.and_then(|z| z.name.clone()).unwrap_or_default(),
            f.severity.name_en().to_string(),
            f.severity.name_zh().to_string(),
            f.rule.clone(),
            f.message_zh.clone(),
            f.message_en.clone(),
            number(f, "area_m2"),
            number(f, "area_mu"),
            f.refs.join(" "),
            f.clause.clone(),
            d.map(|d| d.status.id().to_string()).unwrap_or_default(),
            d.map(|d| d.reason.clone()).unwrap_or_default(),
            d.map(|d| d.comment.clone()).unwrap_or_default(),
        ];
        let line: Vec<String> = cells.iter().map(|c| csv_field(c)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}
