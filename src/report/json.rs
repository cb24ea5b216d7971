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
    let mut value = report_value_raw(input);
    // No negative zero anywhere (an empty sum, a negated zero): written as 0.0.
    crate::model::num::clean_json(&mut value);
    value
}

fn report_value_raw(input: &ReportInput) -> Value {
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
                // Both languages, like the warnings: {"zh": …, "en": …}.
                "crs": l.source.crs,
                "encoding": l.source.encoding,
                "features": l.source.features,
                "features_far_from_zones": l.source.far_from_zones,
                "warnings": l.source.warnings,
                // Per role: the field used and how it was chosen (analysis::fields).
                "fields": crate::analysis::fields::Fields::explain(l, file).choices,
            })
        })
        .collect();
    let resolved = input.resolved();
    let counts = resolved.counts(input.analysis);
    let mut zones = serde_json::to_value(&input.analysis.zones).unwrap_or(Value::Null);
    add_area_units(&mut zones);
    let mut plan = serde_json::to_value(&input.analysis.plan).unwrap_or(Value::Null);
    // Each finding carries its subject, its evidence fingerprint and the reviewer's decision,
    // when there is one; each zone its result with the decisions (pass / passed_by_decision /
    // fail).
    let finding_json = |f: &mut serde_json::Map<String, Value>,
                        key: &crate::decisions::FindingKey,
                        a: Option<&crate::decisions::Attached>| {
        f.insert("subject".into(), json!(key.label(crate::model::Lang::En)));
        if let Some(a) = a {
            let d = &a.decision;
            f.insert(
                "decision".into(),
                json!({
                    "status": d.status.id(),
                    "reason": d.reason,
                    "comment": d.comment,
                    "evidence": d.evidence,
                    "evidence_now": a.evidence_now,
                    "evidence_changed": a.evidence_changed,
                    "note": a.evidence_changed.then(crate::messages::decisions::evidence_changed),
                }),
            );
        }
    };
    for (z, zone) in input.analysis.zones.iter().enumerate() {
        let Some(zv) = zones.get_mut(z).and_then(Value::as_object_mut) else {
            continue;
        };
        let result = resolved.zone_result(input.analysis, z);
        zv.insert("result".into(), json!(result.id()));
        zv.insert("result_text".into(), json!(result.text()));
        for i in 0..zone.findings.len() {
            if let (Some(key), Some(f)) = (
                resolved.keys.get(z).and_then(|k| k.get(i)),
                zv.get_mut("findings")
                    .and_then(|v| v.get_mut(i))
                    .and_then(Value::as_object_mut),
            ) {
                finding_json(f, key, resolved.get(z, i));
            }
        }
    }
    let plan_findings = &input.analysis.plan.findings;
    for i in 0..plan_findings.len() {
        if let (Some(key), Some(f)) = (
            resolved.keys.last().and_then(|k| k.get(i)),
            plan.get_mut("findings")
                .and_then(|v| v.get_mut(i))
                .and_then(Value::as_object_mut),
        ) {
            finding_json(f, key, resolved.plan(i));
        }
    }
    if let Some(p) = plan.as_object_mut() {
        let result = resolved.plan_result(input.analysis);
        p.insert("result".into(), json!(result.id()));
        p.insert("result_text".into(), json!(result.text()));
    }
    let orphaned: Vec<Value> = resolved
        .orphaned
        .iter()
        .map(|row| {
            let key = crate::decisions::FindingKey {
                zone: row.zone.clone(),
                rule: row.rule.clone(),
                about: row.about.clone(),
            };
            let mut v = serde_json::to_value(row).unwrap_or(Value::Null);
            if let Some(o) = v.as_object_mut() {
                o.insert(
                    "note".into(),
                    json!(crate::messages::decisions::orphaned(&key, row.index)),
                );
            }
            v
        })
        .collect();
    let overall = resolved.overall(input.analysis);
    let verdict = &file.verdict;
    let review = json!({
        "result": overall.id(),
        "result_text": overall.text(),
        "counts": counts,
        "counts_text": crate::messages::decisions::counts_line(&counts),
        "verdict": {
            "decision": verdict.decision.id(),
            "reviewer": verdict.reviewer,
            "date": verdict.date,
            "comment": verdict.comment,
            "blocking_not_accepted": counts.blocking_open,
            "text": crate::messages::decisions::verdict_line(verdict, &counts),
        },
        "orphaned_decisions": orphaned,
    });
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
            "fields_of": file.fields_of,
        },
        "inputs": inputs,
        "zones": zones,
        "plan": plan,
        // The review: overall result with the decisions, open / decided counts, the verdict and
        // the decisions whose finding no longer exists.
        "review_result": review,
        // Every decision of the review file, as saved (also those whose finding is gone).
        "decisions": serde_json::to_value(&input.review.file.decisions).unwrap_or(Value::Null),
    })
}

/// The area keys of the analysis (m²) that get their 亩 and 公顷 beside them in report.json:
/// `area_m2` → `area_mu` (already there) and `area_ha`, `area_ellipsoid_m2` →
/// `area_ellipsoid_mu` and `area_ellipsoid_ha`, and so on. A finding's `numbers` are left as
/// the finding has them.
const AREA_KEYS: [&str; 7] = [
    "area_m2",
    "area_ellipsoid_m2",
    "expansion_area_m2",
    "expansion_area_ellipsoid_m2",
    "patch_area_ellipsoid_m2",
    "tbmj_m2",
    "tbmj_occupied_m2",
];

/// Adds the 亩 and 公顷 of every key of [`AREA_KEYS`] (null stays null), at every depth but
/// inside the findings.
fn add_area_units(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for key in AREA_KEYS {
                let Some(m2) = map.get(key).cloned() else {
                    continue;
                };
                let stem = key.trim_end_matches("_m2");
                let convert = |f: fn(f64) -> f64| match m2.as_f64() {
                    Some(a) => json!(f(a)),
                    None => Value::Null,
                };
                let mu = convert(crate::model::mu_from_m2);
                let ha = convert(crate::spatial::ellipsoid::ha_from_m2);
                map.entry(format!("{stem}_mu")).or_insert(mu);
                map.entry(format!("{stem}_ha")).or_insert(ha);
            }
            for (k, child) in map.iter_mut() {
                if k != "findings" && k != "numbers" {
                    add_area_units(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(add_area_units),
        _ => {}
    }
}
