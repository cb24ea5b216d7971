//! Plan-level checks: zone quotas (province, city level, county) and the fate of every
//! original zone (merged exactly once, or eliminated / transformed).

use super::rules::{new_industrial, originals, quota, Rule};
use super::{PlanResult, Prepared, ZoneResult};
use crate::model::settings::ReviewFile;
use std::collections::BTreeMap;

/// True when a zone's county value means "the city's own level" (市本级).
pub fn is_city_level(county: Option<&str>, city: Option<&str>) -> bool {
    match county {
        None => true,
        Some(c) => {
            let c = c.trim();
            c.is_empty() || c.contains("本级") || Some(c) == city
        }
    }
}

pub use super::rules::quota::quota_verdict;

/// Runs the plan-level checks.
pub fn check_plan(
    zones: &[ZoneResult],
    original: Option<&Prepared>,
    review: &ReviewFile,
) -> PlanResult {
    check_plan_with(zones, original, None, review)
}

/// [`check_plan`] with the new-industrial-land layer (五(十五)), when the review has one.
pub fn check_plan_with(
    zones: &[ZoneResult],
    original: Option<&Prepared>,
    new_industrial: Option<&Prepared>,
    review: &ReviewFile,
) -> PlanResult {
    let rules = &review.rules;
    let quotas = &review.quotas;
    let mut findings = Vec::new();
    let zone_count = zones.len();
    findings.extend(quota::total(zone_count, rules));
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
    findings.extend(quota::unplaced(&unplaced));
    let mut city_level_counts = BTreeMap::new();
    for (city, ids) in &city_ids {
        let range = quotas.city_range(city);
        city_level_counts.insert(city.clone(), (ids.len(), range));
        quota::quota_finding(
            Rule::QuotaCity,
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
        quota::quota_finding(Rule::QuotaCounty, county, county, ids, range, &mut findings);
    }
    if let Some(orig) = original {
        findings.extend(originals::check(zones, orig));
    }
    if let Some(land) = new_industrial {
        findings.extend(new_industrial::check(
            zones,
            land,
            &super::sliver_tolerances(rules),
        ));
    }
    PlanResult {
        zone_count,
        max_total_zones: rules.max_total_zones,
        city_level_counts,
        county_counts,
        city_level_zones: city_ids,
        county_zones: county_ids,
        unplaced_zones: unplaced,
        findings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{QuotaRow, QuotaScope, Severity};

    fn zone(id: &str, city: Option<&str>, county: Option<&str>) -> ZoneResult {
        ZoneResult {
            id: id.to_string(),
            name: None,
            level: None,
            city: city.map(str::to_string),
            county: county.map(str::to_string),
            members: Vec::new(),
            industries: Vec::new(),
            area_m2: 0.0,
            area_mu: 0.0,
            area_ellipsoid_m2: None,
            part_count: 0,
            parts: Vec::new(),
            enclaves: Vec::new(),
            clusters: 1,
            cluster_gaps_m: Vec::new(),
            cluster_gaps_net_m: Vec::new(),
            cluster_gap_lines: Vec::new(),
            expansion_area_m2: None,
            expansion_area_ellipsoid_m2: None,
            conflicts: BTreeMap::new(),
            control_lines: BTreeMap::new(),
            findings: Vec::new(),
            pass: true,
            geometry: crate::model::Geom::new(Vec::new()),
        }
    }

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    /// Eight zones placed by hand: 杭州市 has one zone of its own (市本级) and three in 萧山区;
    /// 湖州市 has two of its own (no county, and the county named as the city); 安吉县 one (no
    /// city); H has neither. Default quotas: 杭州市本级 2–3, other cities 1–2, counties 1–2; the
    /// total is capped at 7.
    #[test]
    fn counts_ids_and_verdicts_per_quota() {
        let zones = vec![
            zone("A", Some("杭州市"), Some("市本级")),
            zone("B", Some("杭州市"), Some("萧山区")),
            zone("C", Some("杭州市"), Some("萧山区")),
            zone("D", Some("杭州市"), Some("萧山区")),
            zone("E", Some("湖州市"), None),
            zone("F", Some("湖州市"), Some("湖州市")),
            zone("G", None, Some("安吉县")),
            zone("H", None, None),
        ];
        let mut review = ReviewFile::default();
        review.rules.max_total_zones = 7;
        let plan = check_plan(&zones, None, &review);

        assert_eq!((plan.zone_count, plan.max_total_zones), (8, 7));
        assert_eq!(plan.city_level_counts["杭州市"], (1, [2, 3]));
        assert_eq!(plan.city_level_counts["湖州市"], (2, [1, 2]));
        assert_eq!(plan.city_level_counts.len(), 2);
        assert_eq!(plan.county_counts["萧山区"], (3, [1, 2]));
        assert_eq!(plan.county_counts["安吉县"], (1, [1, 2]));
        assert_eq!(plan.county_counts.len(), 2);
        assert_eq!(plan.city_level_zones["杭州市"], ids(&["A"]));
        assert_eq!(plan.city_level_zones["湖州市"], ids(&["E", "F"]));
        assert_eq!(plan.county_zones["萧山区"], ids(&["B", "C", "D"]));
        assert_eq!(plan.county_zones["安吉县"], ids(&["G"]));
        assert_eq!(plan.unplaced_zones, ids(&["H"]));

        let mut rules: Vec<&str> = plan.findings.iter().map(|f| f.rule.as_str()).collect();
        rules.sort_unstable();
        assert_eq!(
            rules,
            ["quota.city", "quota.county", "quota.total", "quota.unknown"]
        );

        let rows = plan.quota_rows();
        let expected = [
            (
                QuotaScope::Total,
                8,
                Some([0, 7]),
                vec![],
                Some(Severity::Blocking),
            ),
            (
                QuotaScope::CityLevel("杭州市"),
                1,
                Some([2, 3]),
                ids(&["A"]),
                Some(Severity::Warning),
            ),
            (
                QuotaScope::CityLevel("湖州市"),
                2,
                Some([1, 2]),
                ids(&["E", "F"]),
                None,
            ),
            (
                QuotaScope::County("安吉县"),
                1,
                Some([1, 2]),
                ids(&["G"]),
                None,
            ),
            (
                QuotaScope::County("萧山区"),
                3,
                Some([1, 2]),
                ids(&["B", "C", "D"]),
                Some(Severity::Blocking),
            ),
            (
                QuotaScope::Unplaced,
                1,
                None,
                ids(&["H"]),
                Some(Severity::Info),
            ),
        ];
        assert_eq!(rows.len(), expected.len());
        for (row, (scope, count, range, zones, verdict)) in rows.iter().zip(expected) {
            let want = QuotaRow {
                scope,
                count,
                range,
                zones: &zones,
                verdict,
            };
            assert_eq!(row, &want);
        }
    }

    /// Within every quota: the summary has no verdicts and no unplaced row; the total at its
    /// maximum passes.
    #[test]
    fn a_plan_within_its_quotas() {
        let zones = vec![
            zone("A", Some("杭州市"), Some("市本级")),
            zone("B", Some("杭州市"), Some("杭州市本级")),
            zone("C", Some("杭州市"), Some("萧山区")),
        ];
        let mut review = ReviewFile::default();
        review.rules.max_total_zones = 3;
        let plan = check_plan(&zones, None, &review);
        assert!(plan.findings.is_empty(), "{:?}", plan.findings);
        let rows = plan.quota_rows();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].count, 3);
        assert_eq!(rows[1].scope, QuotaScope::CityLevel("杭州市"));
        assert_eq!((rows[1].count, rows[1].range), (2, Some([2, 3])));
        assert_eq!(rows[2].scope, QuotaScope::County("萧山区"));
        assert!(rows.iter().all(|r| r.verdict.is_none()));
    }
}
