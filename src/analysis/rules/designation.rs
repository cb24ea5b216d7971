//! 牌子就高: the designation of a merged zone against its members' (`designation`).

use crate::analysis::fields::level_rank;
use crate::analysis::findings::Finding;
use crate::analysis::rules::Rule;
use crate::analysis::zone::ZoneInput;
use crate::analysis::Prepared;

/// 牌子就高: the merged zone keeps the highest designation among its members, and adds none.
///
/// Example (the test below): a zone of level 省级 whose member is 国家级 gets a warning with
/// `level_rank` below `highest_member_rank`; a zone of the member's level gets nothing.
pub fn check(z: &ZoneInput, orig: &Prepared) -> Vec<Finding> {
    let mut findings = Vec::new();
    let Some(level) = &z.level else {
        return findings;
    };
    let Some(rank) = level_rank(level) else {
        return findings;
    };
    let mut best: Option<(u8, String, String)> = None;
    // Members' features in layer order (the first of equal levels is named).
    let mut indices: Vec<usize> = z
        .members
        .iter()
        .flat_map(|m| orig.features_with_id(m).iter().copied())
        .collect();
    indices.sort_unstable();
    indices.dedup();
    for i in indices {
        let f = &orig.layer.features[i];
        let id = orig.feature_id(i);
        if let Some(l) = orig.layer.attr(f, orig.fields.level) {
            if let Some(r) = level_rank(l) {
                if best.as_ref().is_none_or(|b| r > b.0) {
                    best = Some((r, l.to_string(), id));
                }
            }
        }
    }
    let Some((best_rank, best_level, best_id)) = best else {
        return findings;
    };
    let zid = Some(z.id.as_str());
    if rank < best_rank {
        findings.push(
            Rule::Designation.finding(zid)
                .msg(
                    format!("级别“{level}”低于成员 {best_id} 的“{best_level}”：应牌子就高"),
                    format!("designation \"{level}\" is lower than member {best_id}'s \"{best_level}\": the highest should be kept"),
                )
                .num("level_rank", rank as f64)
                .num("highest_member_rank", best_rank as f64)
                .refs(vec![best_id]),
        );
    } else if rank > best_rank {
        findings.push(
            Rule::Designation.finding(zid)
                .msg(
                    format!("级别“{level}”高于全部成员（最高“{best_level}”）：不增挂牌子"),
                    format!("designation \"{level}\" is higher than every member's (highest \"{best_level}\"): no new designation may be added"),
                )
                .num("level_rank", rank as f64)
                .num("highest_member_rank", best_rank as f64)
                .refs(vec![best_id]),
        );
    }
    findings
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::analysis::rules::testing::{layer, prepared, rect, zone_input};
    use crate::model::LayerRole;

    #[test]
    fn a_zone_below_its_highest_member_warns() {
        let orig = layer(
            "original",
            LayerRole::Original,
            &["id", "level"],
            vec![
                (
                    vec!["Y1", "国家级经济技术开发区"],
                    rect(0.0, 0.0, 10.0, 10.0),
                ),
                (vec!["Y2", "省级经济开发区"], rect(20.0, 0.0, 30.0, 10.0)),
            ],
        );
        let p = prepared(&orig);
        let found = check(&zone_input("Z1", &["Y1", "Y2"], Some("省级经济开发区")), &p);
        assert_eq!(found.len(), 1);
        assert!(found[0].is(Rule::Designation));
        assert_eq!(found[0].numbers["level_rank"], 3.0);
        assert_eq!(found[0].numbers["highest_member_rank"], 4.0);
        assert_eq!(found[0].refs, ["Y1"]);
        let same = zone_input("Z1", &["Y1", "Y2"], Some("国家级经济技术开发区"));
        assert!(check(&same, &p).is_empty());
    }
}
