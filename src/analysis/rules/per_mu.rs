//! 五(十六) 亩均税收、亩均增加值: where the zones carry these indicators (万元/亩), each is
//! compared with its target (`rules.tax_per_mu_wan` = 30, `rules.value_added_per_mu_wan` =
//! 120, the guidance's 2025 values). Below a target is `per_mu.below` (a warning); a zone that
//! leaves an indicator empty (or writes no number) while the layer has the field is
//! `per_mu.missing` (a notice). A zones layer without the field raises nothing: the guidance
//! sets the indicators as targets for the evaluation, not as attributes a plan must carry.

use crate::analysis::findings::Finding;
use crate::analysis::rules::Rule;
use crate::analysis::zone::ZoneInput;
use crate::model::fields::parse_number;
use crate::model::settings::Rules;

/// The per-mu findings of one zone.
///
/// Example (the test below): 亩均税收 28.6 against 30 and 亩均增加值 131 against 120 is one
/// `per_mu.below` warning naming 亩均税收 only, with `tax_per_mu_wan` = 28.6.
pub fn check(z: &ZoneInput, rules: &Rules) -> Vec<Finding> {
    let zid = Some(z.id.as_str());
    let mut below_zh = Vec::new();
    let mut below_en = Vec::new();
    let mut missing_zh = Vec::new();
    let mut missing_en = Vec::new();
    let mut below = Rule::PerMuBelow.finding(zid);
    for (value, target, key, zh, en) in [
        (
            &z.tax_per_mu,
            rules.tax_per_mu_wan,
            "tax_per_mu_wan",
            "亩均税收",
            "tax per mu",
        ),
        (
            &z.value_added_per_mu,
            rules.value_added_per_mu_wan,
            "value_added_per_mu_wan",
            "亩均增加值",
            "value added per mu",
        ),
    ] {
        let Some(value) = value else {
            continue;
        };
        match value.as_deref().map(|v| (v, parse_number(v))) {
            Some((_, Some(v))) => {
                if v < target {
                    below_zh.push(format!("{zh} {v} 万元/亩，低于目标 {target} 万元/亩"));
                    below_en.push(format!(
                        "{en} {v} (10k yuan/mu), below the target of {target}"
                    ));
                    below = below.num(key, v).num(&format!("{key}.target"), target);
                }
            }
            Some((text, None)) => {
                missing_zh.push(format!("{zh}（“{text}”不是数字）"));
                missing_en.push(format!("{en} (\"{text}\" is not a number)"));
            }
            None => {
                missing_zh.push(format!("{zh}（未填）"));
                missing_en.push(format!("{en} (empty)"));
            }
        }
    }
    let mut out = Vec::new();
    if !below_zh.is_empty() {
        out.push(below.msg(below_zh.join("；"), below_en.join("; ")));
    }
    if !missing_zh.is_empty() {
        out.push(Rule::PerMuMissing.finding(zid).msg(
            format!("无法与目标值比较：{}", missing_zh.join("，")),
            format!(
                "cannot be compared with the target: {}",
                missing_en.join(", ")
            ),
        ));
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::analysis::rules::testing::zone_input;
    use crate::analysis::Severity;

    fn zone(tax: Option<Option<&str>>, va: Option<Option<&str>>) -> ZoneInput {
        let mut z = zone_input("Z1", &[], None);
        z.tax_per_mu = tax.map(|v| v.map(str::to_string));
        z.value_added_per_mu = va.map(|v| v.map(str::to_string));
        z
    }

    #[test]
    fn below_a_target_warns_and_missing_values_are_noted() {
        let rules = Rules::default();
        // 28.6 < 30 warns; 131 ≥ 120 does not.
        let found = check(&zone(Some(Some("28.6")), Some(Some("131"))), &rules);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].rule, "per_mu.below");
        assert_eq!(found[0].severity, Severity::Warning);
        assert_eq!(found[0].numbers["tax_per_mu_wan"], 28.6);
        assert_eq!(found[0].numbers["tax_per_mu_wan.target"], 30.0);
        assert!(!found[0].numbers.contains_key("value_added_per_mu_wan"));
        // Exactly on the target passes (30 is not below 30).
        assert!(check(&zone(Some(Some("30")), Some(Some("120"))), &rules).is_empty());
        // Empty or not a number: a notice; no field at all: nothing.
        let found = check(&zone(Some(None), Some(Some("暂无"))), &rules);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].rule, "per_mu.missing");
        assert_eq!(found[0].severity, Severity::Info);
        assert!(
            found[0].message_zh.contains("暂无"),
            "{}",
            found[0].message_zh
        );
        assert!(check(&zone(None, None), &rules).is_empty());
    }
}
