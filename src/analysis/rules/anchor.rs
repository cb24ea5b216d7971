//! 依托现有国家级和省级开发区（园区）: a merged zone rests on at least one national or
//! provincial original zone (`members.no_national_or_provincial`).

use crate::analysis::findings::Finding;
use crate::analysis::rules::Rule;
use crate::analysis::zone::ZoneInput;
use crate::analysis::Prepared;
use crate::model::plaques::{Level, PlaqueTable};
use crate::model::Geom;
use crate::spatial::overlay::intersection;
use crate::spatial::sliver::{self, Tolerances};
use geo::BoundingRect;

/// `members.no_national_or_provincial`: a warning when none of the zone's members is national
/// or provincial by the table of designations. A zone listing no members is judged by the
/// original zones it overlaps beyond the sliver tolerance. Members whose level is missing or
/// not in the table are named: they cannot show the zone rests on a national or provincial zone.
///
/// Example (the test below): a zone of two 县级工业园区 members gets the warning with
/// `members` = 2; one with a 省级经济开发区 member gets nothing.
pub fn check(
    z: &ZoneInput,
    zone: &Geom,
    orig: &Prepared,
    table: &PlaqueTable,
    tol: &Tolerances,
) -> Vec<Finding> {
    let listed = !z.members.is_empty();
    let mut indices: Vec<usize> = if listed {
        z.members
            .iter()
            .flat_map(|m| orig.features_with_id(m).iter().copied())
            .collect()
    } else {
        let Some(zbox) = zone.bounding_rect() else {
            return Vec::new();
        };
        orig.index
            .query(zbox, 0.0)
            .into_iter()
            .filter(|&i| {
                sliver::split(&intersection(zone, &orig.layer.features[i].geometry), tol).counts()
            })
            .collect()
    };
    indices.sort_unstable();
    indices.dedup();
    let mut described: Vec<(String, String)> = Vec::new();
    let mut unknown_level = 0usize;
    for &i in &indices {
        let id = orig.feature_id(i);
        let text = orig.layer.attr(&orig.layer.features[i], orig.fields.level);
        let level = text.and_then(|t| table.read(t).0.iter().map(|p| p.level).max());
        if level.is_some_and(|l| l >= Level::Provincial) {
            return Vec::new();
        }
        if level.is_none() {
            unknown_level += 1;
        }
        if !described.iter().any(|(m, _)| *m == id) {
            described.push((id, text.unwrap_or("").to_string()));
        }
    }
    let list = |zh: bool| -> String {
        described
            .iter()
            .map(
                |(m, t)| match (t.is_empty(), table.read(t).0.is_empty(), zh) {
                    (true, _, true) => format!("{m}（级别空）"),
                    (true, _, false) => format!("{m} (level empty)"),
                    (false, true, true) => format!("{m}（{t}，不在牌子表中）"),
                    (false, true, false) => format!("{m} ({t}, not in the table)"),
                    (false, false, true) => format!("{m}（{t}）"),
                    (false, false, false) => format!("{m} ({t})"),
                },
            )
            .collect::<Vec<_>>()
            .join(if zh { "、" } else { ", " })
    };
    let (zh, en) = if described.is_empty() {
        if listed {
            (
                "所列整合对象均不在原开发区图层中".to_string(),
                "none of the listed members is in the original zones layer".to_string(),
            )
        } else {
            (
                "未列整合对象，其范围内也没有原开发区".to_string(),
                "lists no members and lies on no original zone".to_string(),
            )
        }
    } else {
        let source_zh = if listed {
            "整合对象"
        } else {
            "未列整合对象；与其重叠的原开发区"
        };
        let source_en = if listed {
            "members"
        } else {
            "no members listed; original zones under it"
        };
        (
            format!("{source_zh}：{}", list(true)),
            format!("{source_en}: {}", list(false)),
        )
    };
    vec![Rule::MembersNoAnchor
        .finding(Some(&z.id))
        .msg(
            format!("没有国家级或省级开发区（园区）作为依托——{zh}"),
            format!("no national or provincial zone to rest on — {en}"),
        )
        .num("members", described.len() as f64)
        .num("members_level_unknown", unknown_level as f64)
        .refs(described.into_iter().map(|(m, _)| m).collect())]
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::analysis::rules::testing::{layer, prepared, rect, zone_input};
    use crate::analysis::sliver_tolerances;
    use crate::model::settings::Rules;
    use crate::model::LayerRole;

    #[test]
    fn a_zone_of_county_parks_only_rests_on_nothing() {
        let orig = layer(
            "original",
            LayerRole::Original,
            &["id", "level"],
            vec![
                (vec!["Y1", "县级工业园区"], rect(0.0, 0.0, 100.0, 100.0)),
                (vec!["Y2", "县级工业园区"], rect(100.0, 0.0, 200.0, 100.0)),
                (vec!["Y3", "省级经济开发区"], rect(300.0, 0.0, 400.0, 100.0)),
            ],
        );
        let p = prepared(&orig);
        let t = PlaqueTable::default();
        let tol = sliver_tolerances(&Rules::default());
        let zone = rect(0.0, 0.0, 200.0, 100.0);
        let found = check(&zone_input("Z", &["Y1", "Y2"], None), &zone, &p, &t, &tol);
        assert_eq!(found.len(), 1);
        assert!(found[0].is(Rule::MembersNoAnchor));
        assert_eq!(found[0].numbers["members"], 2.0);
        assert_eq!(found[0].refs, ["Y1", "Y2"]);
        // With a provincial member: nothing.
        let with = zone_input("Z", &["Y1", "Y3"], None);
        assert!(check(&with, &zone, &p, &t, &tol).is_empty());
        // No members listed: the originals under the zone (Y1, Y2) decide.
        let none = zone_input("Z", &[], None);
        let found = check(&none, &zone, &p, &t, &tol);
        assert_eq!(found[0].refs, ["Y1", "Y2"]);
        assert!(check(&none, &rect(300.0, 0.0, 400.0, 100.0), &p, &t, &tol).is_empty());
    }
}
