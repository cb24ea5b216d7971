//! 名额: merged zones per province, city level and county against their quotas
//! (`quota.total`, `quota.city`, `quota.county`; `quota.unknown` for zones without a place).

use crate::analysis::findings::{Finding, Severity};
use crate::analysis::rules::Rule;
use crate::model::settings::Rules;

/// The severity of a quota count: above the maximum blocks, below the minimum warns, within
/// `[min, max]` is `None`.
///
/// ```
/// use zonecheck::analysis::{rules::quota::quota_verdict, Severity};
/// assert_eq!(quota_verdict(3, [1, 2]), Some(Severity::Blocking));
/// assert_eq!(quota_verdict(1, [2, 3]), Some(Severity::Warning));
/// assert_eq!(quota_verdict(2, [1, 2]), None);
/// ```
pub fn quota_verdict(count: usize, [lo, hi]: [u32; 2]) -> Option<Severity> {
    if count > hi as usize {
        Some(Severity::Blocking)
    } else if count < lo as usize {
        Some(Severity::Warning)
    } else {
        None
    }
}

/// `quota.total`: blocking when the plan has more zones than `rules.max_total_zones`.
///
/// Example (the test below): 8 zones against a total of 7 is blocking with `zones` = 8,
/// `max` = 7; 7 zones give nothing.
pub fn total(zone_count: usize, rules: &Rules) -> Vec<Finding> {
    let mut findings = Vec::new();
    if quota_verdict(zone_count, [0, rules.max_total_zones]).is_some() {
        findings.push(
            Rule::QuotaTotal
                .finding(None)
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
    findings
}

/// `quota.unknown`: a notice listing the zones with neither a city nor a county.
///
/// Example (the test below): `["H"]` gives one notice with `zones` = 1.
pub fn unplaced(unplaced: &[String]) -> Vec<Finding> {
    let mut findings = Vec::new();
    if !unplaced.is_empty() {
        findings.push(
            Rule::QuotaUnknown.finding(None)
                .msg(
                    format!("{} 个开发区缺少设区市/县（市、区）属性，未计入名额核对", unplaced.len()),
                    format!("{} zone(s) have no city/county attribute and are not counted against quotas", unplaced.len()),
                )
                .num("zones", unplaced.len() as f64)
                .refs(unplaced.to_vec()),
        );
    }
    findings
}

/// `quota.city` / `quota.county` (`rule`) for one city level or county named `name_zh` /
/// `name_en` whose zones are `ids`, against its allowed range: above the maximum blocks, below
/// the minimum warns, within it nothing.
///
/// Example (the test below): 3 zones in 萧山区 against 1–2 is a blocking `quota.county` about
/// 萧山区 with `zones` = 3, `max` = 2.
pub fn quota_finding(
    rule: Rule,
    name_zh: &str,
    name_en: &str,
    ids: &[String],
    [lo, hi]: [u32; 2],
    findings: &mut Vec<Finding>,
) {
    let n = ids.len();
    let (severity, zh, en) = match quota_verdict(n, [lo, hi]) {
        Some(Severity::Blocking) => (
            Severity::Blocking,
            format!("{name_zh}整合形成 {n} 个开发区，超过允许的 {lo}-{hi} 个"),
            format!("{name_en}: {n} merged zones, more than the allowed {lo}-{hi}"),
        ),
        Some(severity) => (
            severity,
            format!("{name_zh}整合形成 {n} 个开发区，少于允许的 {lo}-{hi} 个"),
            format!("{name_en}: {n} merged zone(s), fewer than the allowed {lo}-{hi}"),
        ),
        None => return,
    };
    findings.push(
        rule.finding(None)
            .with_severity(severity)
            .msg(zh, en)
            .num("zones", n as f64)
            .num("min", lo as f64)
            .num("max", hi as f64)
            .refs(ids.to_vec())
            .about(name_zh),
    );
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn counts_against_their_quotas() {
        let rules = Rules {
            max_total_zones: 7,
            ..Rules::default()
        };
        let found = total(8, &rules);
        assert_eq!(found.len(), 1);
        assert!(found[0].is(Rule::QuotaTotal));
        assert_eq!(
            (found[0].numbers["zones"], found[0].numbers["max"]),
            (8.0, 7.0)
        );
        assert!(total(7, &rules).is_empty());

        let found = unplaced(&["H".to_string()]);
        assert!(found[0].is(Rule::QuotaUnknown));
        assert_eq!(found[0].numbers["zones"], 1.0);
        assert!(unplaced(&[]).is_empty());

        let ids: Vec<String> = ["B", "C", "D"].iter().map(|s| s.to_string()).collect();
        let mut found = Vec::new();
        quota_finding(
            Rule::QuotaCounty,
            "萧山区",
            "萧山区",
            &ids,
            [1, 2],
            &mut found,
        );
        assert_eq!(found[0].rule, "quota.county");
        assert_eq!(found[0].severity, Severity::Blocking);
        assert_eq!(found[0].about.as_deref(), Some("萧山区"));
        let mut found = Vec::new();
        quota_finding(
            Rule::QuotaCity,
            "杭州市本级",
            "杭州市",
            &ids[..1],
            [2, 3],
            &mut found,
        );
        assert_eq!(found[0].rule, "quota.city");
        assert_eq!(found[0].severity, Severity::Warning);
    }
}
