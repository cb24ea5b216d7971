//! report.json: every number of the check, sorted and deterministic.

use super::ReportInput;
use serde_json::{json, Value};

/// Writes the JSON report (pretty-printed, trailing newline) to `out`, one zone at a time: the
/// text is the same as the whole document's value pretty-printed, without the value of every
/// zone (a province's is ~100 MB) or the whole text held at once.
pub fn write_report_json(
    input: &ReportInput,
    out: &mut impl std::io::Write,
) -> std::io::Result<()> {
    let report = Report::new(input);
    serde_json::to_writer_pretty(&mut *out, &report)?;
    out.write_all(b"\n")
}

/// The document: small parts as values, the zones made one by one while they are written.
struct Report<'a> {
    input: &'a ReportInput<'a>,
    resolved: crate::decisions::Resolved,
    /// Every member but `zones`, in the document's order; `zones` goes after the fifth.
    head: Vec<(&'static str, Value)>,
    tail: Vec<(&'static str, Value)>,
}

impl<'a> Report<'a> {
    fn new(input: &'a ReportInput<'a>) -> Report<'a> {
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
        let mut plan = serde_json::to_value(&input.analysis.plan).unwrap_or(Value::Null);
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
        let mut head = vec![
            ("version", json!(input.meta.version)),
            ("review", json!(input.review.path.to_string_lossy())),
            // The review file as saved when the report was written (null when it cannot be
            // read).
            (
                "review_sha256",
                json!(crate::io::read_regular_file(&input.review.path)
                    .ok()
                    .map(|b| crate::io::sha256_hex(&b))),
            ),
            (
                "settings",
                json!({
                    "working_crs": ds.working_crs.label(),
                    "working_crs_reason": ds.working_crs_reason,
                    "rules": file.rules,
                    "quotas": file.quotas,
                    "fields": file.fields,
                    "fields_of": file.fields_of,
                }),
            ),
            ("inputs", Value::Array(inputs)),
        ];
        let mut tail = vec![
            ("plan", plan),
            // The review: overall result with the decisions, open / decided counts, the
            // verdict and the decisions whose finding no longer exists.
            ("review_result", review),
            // Every decision of the review file, as saved (also those whose finding is gone).
            (
                "decisions",
                serde_json::to_value(&input.review.file.decisions).unwrap_or(Value::Null),
            ),
        ];
        // No negative zero anywhere (an empty sum, a negated zero): written as 0.0.
        for (_, v) in head.iter_mut().chain(tail.iter_mut()) {
            crate::model::num::clean_json(v);
        }
        Report {
            input,
            resolved,
            head,
            tail,
        }
    }

    /// Zone `z` as report.json has it: its analysis with 亩 and 公顷 beside its areas, its
    /// result, and each finding with its subject and decision; no negative zero.
    fn zone(&self, z: usize, zone: &crate::analysis::ZoneResult) -> Value {
        let mut zv = serde_json::to_value(zone).unwrap_or(Value::Null);
        add_area_units(&mut zv);
        if let Some(o) = zv.as_object_mut() {
            let result = self.resolved.zone_result(self.input.analysis, z);
            o.insert("result".into(), json!(result.id()));
            o.insert("result_text".into(), json!(result.text()));
            for i in 0..zone.findings.len() {
                if let (Some(key), Some(f)) = (
                    self.resolved.keys.get(z).and_then(|k| k.get(i)),
                    o.get_mut("findings")
                        .and_then(|v| v.get_mut(i))
                        .and_then(Value::as_object_mut),
                ) {
                    finding_json(f, key, self.resolved.get(z, i));
                }
            }
        }
        crate::model::num::clean_json(&mut zv);
        zv
    }
}

impl serde::Serialize for Report<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        /// The zones, each made as it is written.
        struct Zones<'r, 'a>(&'r Report<'a>);
        impl serde::Serialize for Zones<'_, '_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let zones = &self.0.input.analysis.zones;
                let mut seq = s.serialize_seq(Some(zones.len()))?;
                for (z, zone) in zones.iter().enumerate() {
                    seq.serialize_element(&self.0.zone(z, zone))?;
                }
                seq.end()
            }
        }
        let mut map = s.serialize_map(Some(self.head.len() + 1 + self.tail.len()))?;
        for (k, v) in &self.head {
            map.serialize_entry(k, v)?;
        }
        map.serialize_entry("zones", &Zones(self))?;
        for (k, v) in &self.tail {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// Each finding carries its subject, its evidence fingerprint and the reviewer's decision,
/// when there is one.
fn finding_json(
    f: &mut serde_json::Map<String, Value>,
    key: &crate::decisions::FindingKey,
    a: Option<&crate::decisions::Attached>,
) {
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
