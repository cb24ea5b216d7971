//! 相对集中连片: the zone's sub-areas (enclaves aside) form no more clusters than allowed
//! (`clusters`). The clusters and the gaps between them are worked out with the zone's parts
//! (`analysis::zone`); this rule judges them.

use crate::analysis::findings::Finding;
use crate::analysis::rules::Rule;
use crate::model::settings::Rules;
use crate::model::Geom;

/// `clusters`: blocking when `clusters` exceeds `rules.max_clusters`; `gaps` are the gaps that
/// would join the clusters (metres), the largest is reported.
///
/// Example (the test below): 3 clusters with gaps 120 m and 80 m against the default limit of 1
/// give `clusters` = 3 and `largest_gap_m` = 120.
pub fn check(
    zone_id: &str,
    geometry: &Geom,
    clusters: usize,
    gaps: &[f64],
    rules: &Rules,
) -> Vec<Finding> {
    let zid = Some(zone_id);
    let mut findings = Vec::new();
    if clusters > rules.max_clusters as usize {
        let largest_gap = gaps.iter().copied().fold(0.0, f64::max);
        let gap_list: Vec<String> = gaps.iter().map(|g| format!("{g:.1}")).collect();
        findings.push(
            Rule::Clusters
                .finding(zid)
                .msg(
                    format!(
                        "分片区组成 {clusters} 个不连片的组团（上限 {}），组团间距 {} m",
                        rules.max_clusters,
                        gap_list.join("、")
                    ),
                    format!(
                        "sub-areas form {clusters} separate clusters (limit {}), gaps {} m",
                        rules.max_clusters,
                        gap_list.join(", ")
                    ),
                )
                .num("clusters", clusters as f64)
                .num("max_clusters", rules.max_clusters as f64)
                .num("largest_gap_m", largest_gap)
                .num("contiguity_distance_m", rules.contiguity_distance_m)
                .geom(geometry.clone()),
        );
    }
    findings
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::analysis::rules::testing::rect;
    use crate::analysis::Severity;

    #[test]
    fn more_clusters_than_allowed_block() {
        let g = rect(0.0, 0.0, 10.0, 10.0);
        let found = check("Z1", &g, 3, &[80.0, 120.0], &Rules::default());
        assert_eq!(found.len(), 1);
        let f = &found[0];
        assert_eq!(f.rule, "clusters");
        assert_eq!(f.severity, Severity::Blocking);
        assert_eq!(f.numbers["clusters"], 3.0);
        assert_eq!(f.numbers["max_clusters"], 1.0);
        assert_eq!(f.numbers["largest_gap_m"], 120.0);
        // One cluster, the default limit: nothing.
        assert!(check("Z1", &g, 1, &[], &Rules::default()).is_empty());
    }
}
