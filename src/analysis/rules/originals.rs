//! 淘汰撤销一批、转型提升一批、整合优化一批: the fate of every original zone
//! (`original.duplicate`, `original.unassigned`, `original.status`).

use crate::analysis::findings::Finding;
use crate::analysis::rules::Rule;
use crate::analysis::{Prepared, ZoneResult};
use std::collections::BTreeMap;

fn is_eliminated_or_transformed(status: &str) -> bool {
    let s = status.to_lowercase();
    ["淘汰", "撤销", "转型", "eliminat", "transform"]
        .iter()
        .any(|k| s.contains(k))
}

/// `original.*`: every original zone of the layer merged into exactly one zone, or marked
/// eliminated or transformed (淘汰撤销 / 转型提升) and merged into none.
///
/// Example (the test below): Y1 in zones A and B is `original.duplicate`; Y2 in none, with no
/// status, is `original.unassigned`; Y3 marked 淘汰撤销 but in A is `original.status`.
pub fn check(zones: &[ZoneResult], orig: &Prepared) -> Vec<Finding> {
    let mut findings = Vec::new();
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
                Rule::OriginalDuplicate
                    .finding(None)
                    .msg(
                        format!("原开发区 {id} 同时整合进 {}", targets.join("、")),
                        format!(
                            "original zone {id} is merged into more than one zone: {}",
                            targets.join(", ")
                        ),
                    )
                    .num("zones", targets.len() as f64)
                    .refs(std::iter::once(id.clone()).chain(targets).collect())
                    .about(id.clone()),
            );
        } else if targets.is_empty() && !exempt {
            findings.push(
                Rule::OriginalUnassigned.finding(None)
                    .msg(
                        format!("原开发区 {id} 未整合进任何开发区，也未标为淘汰撤销或转型提升（处置方式：{}）", if status_txt.is_empty() { "空" } else { &status_txt }),
                        format!("original zone {id} is in no merged zone and not marked eliminated or transformed (status: {})", if status_txt.is_empty() { "empty" } else { &status_txt }),
                    )
                    .refs(vec![id.clone()])
                    .about(id.clone()),
            );
        } else if !targets.is_empty() && exempt {
            findings.push(
                Rule::OriginalStatus
                    .finding(None)
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
                    .refs(std::iter::once(id.clone()).chain(targets).collect())
                    .about(id.clone()),
            );
        }
    }
    findings
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::analysis::rules::testing::{layer, prepared, rect};
    use crate::model::LayerRole;

    #[test]
    fn every_original_has_one_fate() {
        let orig = layer(
            "original",
            LayerRole::Original,
            &["id", "status"],
            vec![
                (vec!["Y1", "整合"], rect(0.0, 0.0, 1.0, 1.0)),
                (vec!["Y2", ""], rect(2.0, 0.0, 3.0, 1.0)),
                (vec!["Y3", "淘汰撤销"], rect(4.0, 0.0, 5.0, 1.0)),
                (vec!["Y4", "整合"], rect(6.0, 0.0, 7.0, 1.0)),
            ],
        );
        let p = prepared(&orig);
        let zone = |id: &str, members: &[&str]| {
            let mut z = crate::analysis::rules::testing::result(id, rect(0.0, 0.0, 1.0, 1.0));
            z.members = members.iter().map(|m| m.to_string()).collect();
            z
        };
        let zones = [zone("A", &["Y1", "Y3", "Y4"]), zone("B", &["Y1"])];
        let found = check(&zones, &p);
        let got: Vec<(&str, Option<&str>)> = found
            .iter()
            .map(|f| (f.rule.as_str(), f.about.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("original.duplicate", Some("Y1")),
                ("original.unassigned", Some("Y2")),
                ("original.status", Some("Y3")),
            ]
        );
    }
}
