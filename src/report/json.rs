//! report.json: every number of the check, sorted and deterministic.

use super::ReportInput;
use serde_json::{json, Value};

/// The JSON report as text (pretty-printed, trailing newline).
pub fn report_json(input: &ReportInput) -> String {
    let mut text = serde_json::to_string_pretty(&report_value(input))
        .unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    text.push('\n');
    text
}

/// The JSON report as a value.
pub fn report_value(input: &ReportInput) -> Value {
    let ds = input.dataset;
    let file = &input.review.file;
    let inputs: Vec<Value> = ds
        .layers
        .iter()
        .map(|l| {
            json!({
                "layer": l.name,
                "role": l.role,
                "path": l.source.path.to_string_lossy(),
                "sha256": l.source.sha256,
                "files": l.source.files,
                "crs": l.source.crs,
                "encoding": l.source.encoding,
                "features": l.source.features,
                "features_far_from_zones": l.source.far_from_zones,
                "warnings": l.source.warnings,
            })
        })
        .collect();
    let decisions = input.decisions();
    let mut zones = serde_json::to_value(&input.analysis.zones).unwrap_or(Value::Null);
    let mut plan = serde_json::to_value(&input.analysis.plan).unwrap_or(Value::Null);
    // Each finding carries the reviewer's decision, when there is one.
    let decision_json = |d: &crate::decisions::Decision| json!({"status": d.status.id(), "reason": d.reason, "comment": d.comment});
    for (z, zone) in input.analysis.zones.iter().enumerate() {
        for i in 0..zone.findings.len() {
            if let (Some(d), Some(f)) = (
                decisions.for_finding(Some(&zone.id), &zone.findings, i),
                zones
                    .get_mut(z)
                    .and_then(|v| v.get_mut("findings"))
                    .and_then(|v| v.get_mut(i))
                    .and_then(Value::as_object_mut),
            ) {
                f.insert("decision".into(), decision_json(d));
            }
        }
    }
    let plan_findings = &input.analysis.plan.findings;
    for i in 0..plan_findings.len() {
        if let (Some(d), Some(f)) = (
            decisions.for_finding(None, plan_findings, i),
            plan.get_mut("findings")
                .and_then(|v| v.get_mut(i))
                .and_then(Value::as_object_mut),
        ) {
            f.insert("decision".into(), decision_json(d));
        }
    }
    json!({
        "version": input.meta.version,
        "review": input.review.path.to_string_lossy(),
        // The review file as saved when the report was written (null when it cannot be read).
        "review_sha256": crate::io::read_regular_file(&input.review.path)
            .ok()
            .map(|b| crate::io::sha256_hex(&b)),
        "settings": {
            "working_crs": ds.working_crs.label(),
            "working_crs_reason": ds.working_crs_reason,
            "rules": file.rules,
            "quotas": file.quotas,
            "fields": file.fields,
        },
        "inputs": inputs,
        "zones": zones,
        "plan": plan,
        // Every decision of the review file, also those whose finding no longer exists.
        "decisions": serde_json::to_value(&input.review.file.decisions).unwrap_or(Value::Null),
    })
}
