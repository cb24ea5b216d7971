//! 牌子就高: the designations of a merged zone against its members' (`designation`,
//! `designation.dropped`, `designation.unknown`), read through the table of known designations
//! ([`PlaqueTable`]); nothing is ranked from the words a text contains.

use crate::analysis::findings::Finding;
use crate::analysis::rules::Rule;
use crate::analysis::zone::ZoneInput;
use crate::analysis::Prepared;
use crate::model::plaques::{Level, Plaque, PlaqueTable};

/// The member features of `z` in layer order (a zone listing a member twice counts it once).
fn member_features(z: &ZoneInput, orig: &Prepared) -> Vec<usize> {
    let mut indices: Vec<usize> = z
        .members
        .iter()
        .flat_map(|m| orig.features_with_id(m).iter().copied())
        .collect();
    indices.sort_unstable();
    indices.dedup();
    indices
}

/// 牌子就高, 保持原有国家级牌子不变: the zone's level (its highest designation) is its highest
/// member's, no higher and no lower (`designation`); every national designation of a member is
/// among the zone's (`designation.dropped`); every designation of the zone and of its members
/// is in the table (`designation.unknown`, listing the known ones).
///
/// Example (the test below): a zone of 省级经济开发区 whose member is 国家级经济技术开发区 gets a
/// `designation` warning (`level_rank` 3 below `highest_member_rank` 4) and a blocking
/// `designation.dropped` naming 国家级经济技术开发区; a zone of the member's designation gets
/// nothing.
pub fn check(z: &ZoneInput, orig: &Prepared, table: &PlaqueTable) -> Vec<Finding> {
    let mut findings = Vec::new();
    let zid = Some(z.id.as_str());
    let (zone_plaques, zone_unknown) = table.read(z.level.as_deref().unwrap_or(""));
    // Each member's designations, in layer order.
    let mut members: Vec<(String, String, Vec<&Plaque>)> = Vec::new();
    let mut member_unknown: Vec<(String, String)> = Vec::new();
    for i in member_features(z, orig) {
        let f = &orig.layer.features[i];
        let Some(text) = orig.layer.attr(f, orig.fields.level) else {
            continue;
        };
        let id = orig.feature_id(i);
        let (known, unknown) = table.read(text);
        for u in unknown {
            if !member_unknown.iter().any(|(m, t)| *m == id && *t == u) {
                member_unknown.push((id.clone(), u));
            }
        }
        members.push((id, text.to_string(), known));
    }

    if !zone_unknown.is_empty() || !member_unknown.is_empty() {
        let mut zh: Vec<String> = Vec::new();
        let mut en: Vec<String> = Vec::new();
        if !zone_unknown.is_empty() {
            zh.push(format!("开发区“{}”", zone_unknown.join("、")));
            en.push(format!("the zone's \"{}\"", zone_unknown.join("\", \"")));
        }
        for (m, t) in &member_unknown {
            zh.push(format!("成员 {m}“{t}”"));
            en.push(format!("member {m}'s \"{t}\""));
        }
        let known = table.names().join("、");
        let mut refs: Vec<String> = member_unknown.iter().map(|(m, _)| m.clone()).collect();
        refs.dedup();
        findings.push(
            Rule::DesignationUnknown
                .finding(zid)
                .msg(
                    format!("牌子表中没有 {}，无法认定级别（不按文字猜测）。已知牌子：{known}；可在评审文件 [plaques] 中补充", zh.join("，")),
                    format!("{} not in the table of designations: no level can be given (none is guessed). Known: {known}; more can be added under [plaques] in the review file", en.join(", ")),
                )
                .num("unknown_designations", (zone_unknown.len() + member_unknown.len()) as f64)
                .refs(refs),
        );
    }

    // National designations of members the zone does not carry.
    let mut dropped: Vec<(&str, Vec<String>)> = Vec::new();
    for (id, _, known) in &members {
        for p in known.iter().filter(|p| p.level == Level::National) {
            if zone_plaques.iter().any(|z| z.name == p.name) {
                continue;
            }
            match dropped.iter_mut().find(|(n, _)| *n == p.name) {
                Some((_, ids)) => ids.push(id.clone()),
                None => dropped.push((p.name.as_str(), vec![id.clone()])),
            }
        }
    }
    if !dropped.is_empty() {
        let zone_text = z.level.as_deref().unwrap_or("");
        let zh: Vec<String> = dropped
            .iter()
            .map(|(n, ids)| format!("{n}（{}）", ids.join("、")))
            .collect();
        let en: Vec<String> = dropped
            .iter()
            .map(|(n, ids)| format!("{n} ({})", ids.join(", ")))
            .collect();
        let mut refs: Vec<String> = dropped.iter().flat_map(|(_, ids)| ids.clone()).collect();
        refs.sort_unstable();
        refs.dedup();
        findings.push(
            Rule::DesignationDropped
                .finding(zid)
                .msg(
                    format!(
                        "成员的国家级牌子未保留：{}；开发区级别为“{}”，应保持原有国家级牌子不变",
                        zh.join("，"),
                        if zone_text.is_empty() { "空" } else { zone_text }
                    ),
                    format!(
                        "national designation(s) of members not kept: {}; the zone's level reads \"{}\" (the original national designations must be kept)",
                        en.join(", "),
                        if zone_text.is_empty() { "empty" } else { zone_text }
                    ),
                )
                .num("dropped_plaques", dropped.len() as f64)
                .refs(refs),
        );
    }

    // The zone's level against its highest member's.
    let Some(level) = zone_plaques.iter().map(|p| p.level).max() else {
        return findings;
    };
    let mut best: Option<(Level, &str, &str)> = None;
    for (id, text, known) in &members {
        if let Some(l) = known.iter().map(|p| p.level).max() {
            if best.is_none_or(|b| l > b.0) {
                best = Some((l, text.as_str(), id.as_str()));
            }
        }
    }
    let Some((best_level, best_text, best_id)) = best else {
        return findings;
    };
    let text = z.level.as_deref().unwrap_or("");
    if level < best_level {
        findings.push(
            Rule::Designation.finding(zid)
                .msg(
                    format!("级别“{text}”（{}）低于成员 {best_id} 的“{best_text}”（{}）：应牌子就高", level.name_zh(), best_level.name_zh()),
                    format!("designation \"{text}\" ({}) is lower than member {best_id}'s \"{best_text}\" ({}): the highest should be kept", level.name_en(), best_level.name_en()),
                )
                .num("level_rank", level.rank() as f64)
                .num("highest_member_rank", best_level.rank() as f64)
                .refs(vec![best_id.to_string()]),
        );
    } else if level > best_level {
        findings.push(
            Rule::Designation.finding(zid)
                .msg(
                    format!("级别“{text}”（{}）高于全部成员（最高“{best_text}”，{}）：不增挂牌子", level.name_zh(), best_level.name_zh()),
                    format!("designation \"{text}\" ({}) is higher than every member's (highest \"{best_text}\", {}): no new designation may be added", level.name_en(), best_level.name_en()),
                )
                .num("level_rank", level.rank() as f64)
                .num("highest_member_rank", best_level.rank() as f64)
                .refs(vec![best_id.to_string()]),
        );
    }
    findings
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::analysis::rules::testing::{layer, prepared, rect, zone_input};
    use crate::analysis::Severity;
    use crate::model::LayerRole;

    fn originals() -> crate::model::Layer {
        layer(
            "original",
            LayerRole::Original,
            &["id", "level"],
            vec![
                (
                    vec!["Y1", "国家级经济技术开发区"],
                    rect(0.0, 0.0, 10.0, 10.0),
                ),
                (vec!["Y2", "省级经济开发区"], rect(20.0, 0.0, 30.0, 10.0)),
                (
                    vec!["Y3", "国家级高新技术产业开发区"],
                    rect(40.0, 0.0, 50.0, 10.0),
                ),
                (vec!["Y4", "综合保税区"], rect(60.0, 0.0, 70.0, 10.0)),
                (vec!["Y5", "市级工业园区"], rect(80.0, 0.0, 90.0, 10.0)),
                (vec!["Y6", "某某工业区"], rect(100.0, 0.0, 110.0, 10.0)),
            ],
        )
    }

    #[test]
    fn a_zone_below_its_highest_member_warns_and_drops_its_plaque() {
        let orig = originals();
        let p = prepared(&orig);
        let t = PlaqueTable::default();
        let found = check(
            &zone_input("Z1", &["Y1", "Y2"], Some("省级经济开发区")),
            &p,
            &t,
        );
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].is(Rule::DesignationDropped));
        assert_eq!(found[0].severity, Severity::Blocking);
        assert!(found[0].message_zh.contains("国家级经济技术开发区（Y1）"));
        assert_eq!(found[0].refs, ["Y1"]);
        assert!(found[1].is(Rule::Designation));
        assert_eq!(found[1].numbers["level_rank"], 3.0);
        assert_eq!(found[1].numbers["highest_member_rank"], 4.0);
        assert_eq!(found[1].refs, ["Y1"]);
        let same = zone_input("Z1", &["Y1", "Y2"], Some("国家级经济技术开发区"));
        assert!(check(&same, &p, &t).is_empty());
    }

    #[test]
    fn every_national_plaque_is_kept_and_unknown_text_is_never_ranked() {
        let orig = originals();
        let p = prepared(&orig);
        let t = PlaqueTable::default();
        // Relabelled 国家级经济技术开发区 while Y3 is a national 高新区: dropped, though the level
        // is the same.
        let found = check(
            &zone_input("Z", &["Y1", "Y3"], Some("国家级经济技术开发区")),
            &p,
            &t,
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].is(Rule::DesignationDropped));
        assert!(found[0]
            .message_zh
            .contains("未保留：国家级高新技术产业开发区（Y3）"));
        // Both kept: nothing.
        let both = zone_input(
            "Z",
            &["Y1", "Y3"],
            Some("国家级经济技术开发区、国家级高新区"),
        );
        assert!(check(&both, &p, &t).is_empty());
        // 综合保税区 is national: a 市级 zone is below it.
        let found = check(
            &zone_input("Z", &["Y4", "Y5"], Some("市级工业园区")),
            &p,
            &t,
        );
        let below = found.iter().find(|f| f.is(Rule::Designation)).unwrap();
        assert_eq!(below.numbers["highest_member_rank"], 4.0);
        // Unknown text: a warning listing the known designations, no rank.
        let found = check(&zone_input("Z", &["Y6"], Some("市级工业园区")), &p, &t);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].is(Rule::DesignationUnknown));
        assert!(found[0].message_zh.contains("某某工业区"));
        assert!(found[0].message_zh.contains("国家级经济技术开发区"));
        assert_eq!(found[0].refs, ["Y6"]);
    }
}
