//! Plan-level checks: zone quotas (province, city level, county) and the fate of every
//! original zone (merged exactly once, or eliminated / transformed).

use super::findings::{clause, Finding, Severity};
use super::{PlanResult, Prepared, ZoneResult};
use crate::io::review::ReviewFile;
use std::collections::BTreeMap;

/// True when a zone's county value means "the city's own level" (市本级).
fn is_city_level(county: Option<&str>, city: Option<&str>) -> bool {
    match county {
        None => true,
        Some(c) => {
            let c = c.trim();
            c.is_empty() || c.contains("本级") || Some(c) == city
        }
    }
}

fn is_eliminated_or_transformed(status: &str) -> bool {
    let s = status.to_lowercase();
    ["淘汰", "撤销", "转型", "eliminat", "transform"]
        .iter()
        .any(|k| s.contains(k))
}

/// Runs the plan-level checks.
pub fn check_plan(
    zones: &[ZoneResult],
    original: Option<&Prepared>,
    review: &ReviewFile,
) -> PlanResult {
    let rules = &review.rules;
    let quotas = &review.quotas;
    let mut findings = Vec::new();
    let zone_count = zones.len();
    if zone_count > rules.max_total_zones as usize {
        findings.push(
            Finding::new("quota.total", Severity::Blocking, None, clause::QUOTA)
                .msg(
                    format!(
                        "整合后开发区共 {zone_count} 个，超过总量 {} 个",
                        rules.max_total_zones
                    ),
                    format!(
                        "{zone_count} merged zones, more than the total of {}",
                        rules.max_total_zones
                    ),
                )
                .num("zones", zone_count as f64)
                .num("max", rules.max_total_zones as f64),
        );
    }
    let mut city_ids: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut county_ids: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut unplaced = Vec::new();
    for z in zones {
        match (&z.city, &z.county) {
            (None, None) => unplaced.push(z.id.clone()),
            (city, county) if is_city_level(county.as_deref(), city.as_deref()) => {
                let key = city.clone().unwrap_or_else(|| "（未填设区市）".to_string());
                city_ids.entry(key).or_default().push(z.id.clone());
            }
            (_, Some(county)) => county_ids
                .entry(county.clone())
                .or_default()
                .push(z.id.clone()),
            (_, None) => unplaced.push(z.id.clone()),
        }
    }
    if !unplaced.is_empty() {
        findings.push(
            Finding::new("quota.unknown", Severity::Info, None, clause::QUOTA)
                .msg(
                    format!("{} 个开发区缺少设区市/县（市、区）属性，未计入名额核对", unplaced.len()),
                    format!("{} zone(s) have no city/county attribute and are not counted against quotas", unplaced.len()),
                )
                .num("zones", unplaced.len() as f64)
                .refs(unplaced),
        );
    }
    let mut city_level_counts = BTreeMap::new();
    for (city, ids) in &city_ids {
        let range = quotas.city_range(city);
        city_level_counts.insert(city.clone(), (ids.len(), range));
        quota_finding(
            "quota.city",
            &format!("{city}本级"),
            &format!("{city} (city level)"),
            ids,
            range,
            &mut findings,
        );
    }
    let mut county_counts = BTreeMap::new();
    for (county, ids) in &county_ids {
        let range = quotas.county_range(county);
        county_counts.insert(county.clone(), (ids.len(), range));
        quota_finding("quota.county", county, county, ids, range, &mut findings);
    }
    if let Some(orig) = original {
        originals(zones, orig, &mut findings);
    }
    PlanResult {
        zone_count,
        city_level_counts,
        county_counts,
        findings,
    }
}

fn quota_finding(
    rule: &str,
    name_zh: &str,
    name_en: &str,
    ids: &[String],
    [lo, hi]: [u32; 2],
    findings: &mut Vec<Finding>,
) {
    let n = ids.len();
    let (severity, zh, en) = if n > hi as usize {
        (
            Severity::Blocking,
            format!("{name_zh}整合形成 {n} 个开发区，超过允许的 {lo}-{hi} 个"),
            format!("{name_en}: {n} merged zones, more than the allowed {lo}-{hi}"),
        )
    } else if n < lo as usize {
        (
            Severity::Warning,
            format!("{name_zh}整合形成 {n} 个开发区，少于允许的 {lo}-{hi} 个"),
            format!("{name_en}: {n} merged zone(s), fewer than the allowed {lo}-{hi}"),
        )
    } else {
        return;
    };
    findings.push(
        Finding::new(rule, severity, None, clause::QUOTA)
            .msg(zh, en)
            .num("zones", n as f64)
            .num("min", lo as f64)
            .num("max", hi as f64)
            .refs(ids.to_vec()),
    );
}

fn originals(zones: &[ZoneResult], orig: &Prepared, findings: &mut Vec<Finding>) {
    let mut merged_into: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for z in zones {
        for m in &z.members {
            merged_into.entry(m.clone()).or_default().push(z.id.clone());
        }
    }
    let mut seen: BTreeMap<String, Option<String>> = BTreeMap::new();
    for (i, f) in orig.layer.features.iter().enumerate() {
        let id = orig.feature_id(i);
        let status = orig.layer.attr(f, orig.fields.status).map(str::to_string);
        seen.entry(id).or_insert(status);
    }
    for (id, status) in &seen {
        let targets = merged_into.get(id).cloned().unwrap_or_default();
        let exempt = status.as_deref().is_some_and(is_eliminated_or_transformed);
        let status_txt = status.clone().unwrap_or_default();
        if targets.len() > 1 {
            findings.push(
                Finding::new(
                    "original.duplicate",
                    Severity::Blocking,
                    None,
                    clause::MERGER,
                )
                .msg(
                    format!("原开发区 {id} 同时整合进 {}", targets.join("、")),
                    format!(
                        "original zone {id} is merged into more than one zone: {}",
                        targets.join(", ")
                    ),
                )
                .num("zones", targets.len() as f64)
                .refs(std::iter::once(id.clone()).chain(targets).collect()),
            );
        } else if targets.is_empty() && !exempt {
            findings.push(
                Finding::new("original.unassigned", Severity::Warning, None, clause::MERGER)
                    .msg(
                        format!("原开发区 {id} 未整合进任何开发区，也未标为淘汰撤销或转型提升（处置方式：{}）", if status_txt.is_empty() { "空" } else { &status_txt }),
                        format!("original zone {id} is in no merged zone and not marked eliminated or transformed (status: {})", if status_txt.is_empty() { "empty" } else { &status_txt }),
                    )
                    .refs(vec![id.clone()]),
            );
        } else if !targets.is_empty() && exempt {
            findings.push(
                Finding::new("original.status", Severity::Warning, None, clause::MERGER)
                    .msg(
                        format!(
                            "原开发区 {id} 标为“{status_txt}”，却整合进 {}",
                            targets.join("、")
                        ),
                        format!(
                            "original zone {id} is marked \"{status_txt}\" but merged into {}",
                            targets.join(", ")
                        ),
                    )
                    .refs(std::iter::once(id.clone()).chain(targets).collect()),
            );
        }
    }
}
