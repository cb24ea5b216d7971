//! 主导产业: no more dominant industries than allowed (`industries`).

use crate::analysis::findings::Finding;
use crate::analysis::rules::Rule;
use crate::model::settings::Rules;

/// `industries`: a warning when the zone lists more than `rules.max_industries` industries.
///
/// Example (the test below): 纺织、化纤、智能家居、物流 (4) against the default 3 gives one
/// warning with `industries` = 4; three give nothing.
pub fn check(zone_id: &str, industries: &[String], rules: &Rules) -> Vec<Finding> {
    let zid = Some(zone_id);
    let mut findings = Vec::new();
    if industries.len() > rules.max_industries as usize {
        findings.push(
            Rule::Industries
                .finding(zid)
                .msg(
                    format!(
                        "主导产业 {} 个（{}），超过 {} 个",
                        industries.len(),
                        industries.join("、"),
                        rules.max_industries
                    ),
                    format!(
                        "{} dominant industries ({}), more than {}",
                        industries.len(),
                        industries.join(", "),
                        rules.max_industries
                    ),
                )
                .num("industries", industries.len() as f64)
                .num("max_industries", rules.max_industries as f64),
        );
    }
    findings
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn more_than_three_industries_warn() {
        let list = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let found = check(
            "Z1",
            &list(&["纺织", "化纤", "智能家居", "物流"]),
            &Rules::default(),
        );
        assert_eq!(found.len(), 1);
        assert!(found[0].is(Rule::Industries));
        assert_eq!(found[0].numbers["industries"], 4.0);
        assert_eq!(found[0].numbers["max_industries"], 3.0);
        assert!(check("Z1", &list(&["纺织", "化纤", "物流"]), &Rules::default()).is_empty());
    }
}
