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
                "crs": l.source.crs,
                "encoding": l.source.encoding,
                "features": l.source.features,
                "features_far_from_zones": l.source.far_from_zones,
                "warnings": l.source.warnings,
            })
        })
        .collect();
    json!({
        "version": input.meta.version,
        "review": input.review.path.to_string_lossy(),
        "settings": {
            "working_crs": ds.working_crs.label(),
            "working_crs_reason": ds.working_crs_reason,
            "rules": file.rules,
            "quotas": file.quotas,
            "fields": file.fields,
        },
        "inputs": inputs,
        "zones": serde_json::to_value(&input.analysis.zones).unwrap_or(Value::Null),
        "plan": serde_json::to_value(&input.analysis.plan).unwrap_or(Value::Null),
    })
}
