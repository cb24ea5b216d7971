//! 相对集中连片: the zone's sub-areas (enclaves aside) form no more clusters than allowed
//! (`clusters`). The clusters and the gaps between them are worked out with the zone's parts
//! (`analysis::zone::sub_areas`): a gap filled by roads, rivers, railways or protected land
//! does not break contiguity, and a connection narrower than `rules.min_connection_width_m`
//! joins nothing. This rule judges the result.

use crate::analysis::findings::Finding;
use crate::analysis::rules::Rule;
use crate::analysis::zone::SubAreas;
use crate::model::settings::Rules;
use crate::model::Geom;

/// `clusters`: blocking when `sub.clusters` exceeds `rules.max_clusters`. Reports the gaps that
/// would join the clusters (metres) as measured and net of the barriers and protected land on
/// them, the largest of each, and how many parts a narrow connection split.
///
/// `barriers` says whether the review has a barriers layer: without one the finding says that
/// roads, rivers and railways could not bridge any gap (fail closed: no silent assumption).
///
/// Example (the test below): 3 clusters with gaps 80 m and 120 m (net 60 m and 120 m) against
/// the default limit of 1 give `clusters` = 3, `largest_gap_m` = 120, `largest_net_gap_m` = 120.
pub fn check(
    zone_id: &str,
    geometry: &Geom,
    sub: &SubAreas,
    barriers: bool,
    rules: &Rules,
) -> Vec<Finding> {
    let zid = Some(zone_id);
    let mut findings = Vec::new();
    let clusters = sub.clusters;
    if clusters > rules.max_clusters as usize {
        let largest_gap = sub.gaps.iter().copied().fold(0.0, f64::max);
        let largest_net = sub.net_gaps.iter().copied().fold(0.0, f64::max);
        let list = |v: &[f64], sep: &str| {
            v.iter()
                .map(|&g| crate::model::num::fixed(g, 1))
                .collect::<Vec<_>>()
                .join(sep)
        };
        let mut zh = format!(
            "分片区组成 {clusters} 个不连片的组团（上限 {}），组团间距 {} m",
            rules.max_clusters,
            list(&sub.gaps, "、")
        );
        let mut en = format!(
            "sub-areas form {clusters} separate clusters (limit {}), gaps {} m",
            rules.max_clusters,
            list(&sub.gaps, ", ")
        );
        if sub.net_gaps != sub.gaps {
            zh.push_str(&format!(
                "，扣除其间的道路、河流、铁路和保护区域后 {} m（{} m 以内的间距可扣除）",
                list(&sub.net_gaps, "、"),
                rules.max_bridged_gap_m
            ));
            en.push_str(&format!(
                ", {} m net of the roads, rivers, railways and protected land in them (gaps up to {} m are bridged)",
                list(&sub.net_gaps, ", "),
                rules.max_bridged_gap_m
            ));
        }
        if !barriers && rules.max_bridged_gap_m > rules.contiguity_distance_m {
            zh.push_str(
                "；未提供道路、河流、铁路图层（[layers] barriers），间距未扣除道路、河流、铁路",
            );
            en.push_str("; no barriers layer ([layers] barriers): roads, rivers and railways were not netted out of the gaps");
        }
        if sub.narrow_parts > 0 {
            zh.push_str(&format!(
                "；{} 个分片区的各部分仅由宽度小于 {} m 的狭长地带相连，不计为连片",
                sub.narrow_parts, rules.min_connection_width_m
            ));
            en.push_str(&format!(
                "; in {} sub-area(s) the pieces are joined only by a strip narrower than {} m, which does not join them",
                sub.narrow_parts, rules.min_connection_width_m
            ));
        }
        findings.push(
            Rule::Clusters
                .finding(zid)
                .msg(zh, en)
                .num("clusters", clusters as f64)
                .num("max_clusters", rules.max_clusters as f64)
                .num("largest_gap_m", largest_gap)
                .num("largest_net_gap_m", largest_net)
                .num("contiguity_distance_m", rules.contiguity_distance_m)
                .num("narrow_parts", sub.narrow_parts as f64)
                .num("min_connection_width_m", rules.min_connection_width_m)
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

    fn sub(clusters: usize, gaps: &[f64], net_gaps: &[f64], narrow_parts: usize) -> SubAreas {
        SubAreas {
            parts: Vec::new(),
            clusters,
            gaps: gaps.to_vec(),
            net_gaps: net_gaps.to_vec(),
            lines: Vec::new(),
            narrow_parts,
        }
    }

    #[test]
    fn more_clusters_than_allowed_block() {
        let g = rect(0.0, 0.0, 10.0, 10.0);
        let rules = Rules::default();
        let found = check(
            "Z1",
            &g,
            &sub(3, &[80.0, 120.0], &[60.0, 120.0], 0),
            true,
            &rules,
        );
        assert_eq!(found.len(), 1);
        let f = &found[0];
        assert_eq!(f.rule, "clusters");
        assert_eq!(f.severity, Severity::Blocking);
        assert_eq!(f.numbers["clusters"], 3.0);
        assert_eq!(f.numbers["max_clusters"], 1.0);
        assert_eq!(f.numbers["largest_gap_m"], 120.0);
        assert_eq!(f.numbers["largest_net_gap_m"], 120.0);
        assert_eq!(f.numbers["narrow_parts"], 0.0);
        assert!(
            f.message_en.contains("60.0, 120.0 m net"),
            "{}",
            f.message_en
        );
        // One cluster, the default limit: nothing.
        assert!(check("Z1", &g, &sub(1, &[], &[], 0), true, &rules).is_empty());
        assert!(!found[0].message_en.contains("no barriers layer"));
        // Without a barriers layer the finding says the gaps are not net of roads.
        let found = check(
            "Z1",
            &g,
            &sub(3, &[80.0, 120.0], &[80.0, 120.0], 0),
            false,
            &rules,
        );
        assert!(
            found[0].message_en.contains("no barriers layer"),
            "{}",
            found[0].message_en
        );
        assert!(found[0].message_zh.contains("未提供道路、河流、铁路图层"));
    }

    #[test]
    fn a_narrow_connection_is_named() {
        // Two pieces of one part 800 m apart along a 2 m strip: nothing bridges the strip.
        let g = rect(0.0, 0.0, 10.0, 10.0);
        let found = check(
            "Z1",
            &g,
            &sub(2, &[800.0], &[800.0], 1),
            true,
            &Rules::default(),
        );
        let f = &found[0];
        assert_eq!(f.numbers["narrow_parts"], 1.0);
        assert_eq!(f.numbers["min_connection_width_m"], 30.0);
        assert!(
            f.message_en.contains("narrower than 30 m") && !f.message_en.contains("net of"),
            "{}",
            f.message_en
        );
        assert!(f.message_zh.contains("宽度小于 30 m"), "{}", f.message_zh);
    }
}
