//! 保护面积占比较高的管辖乡镇不再托管: townships the zone takes over whose protected share is
//! above the threshold (`custody`).

use crate::analysis::findings::Finding;
use crate::analysis::rules::Rule;
use crate::analysis::sliver_tolerances;
use crate::analysis::zone::{Context, ZoneInput};
use crate::analysis::Prepared;
use crate::model::fields::split_list;
use crate::model::Geom;
use crate::spatial::overlay::{area_m2, intersection, union_local, PreparedArea};
use crate::spatial::sliver;
use geo::{BoundingRect, MultiPolygon};
use std::sync::OnceLock;

/// Protected share of each township, computed once on first use (thread-safe).
pub struct CustodyCache {
    pub(super) cells: Vec<OnceLock<f64>>,
}

impl CustodyCache {
    pub fn new(n: usize) -> CustodyCache {
        CustodyCache {
            cells: (0..n).map(|_| OnceLock::new()).collect(),
        }
    }
}

/// Protected share of township `i`: area covered by any protection layer / township area.
fn protected_share(i: usize, t: &Prepared, ctx: &Context) -> f64 {
    *ctx.custody_cache.cells[i].get_or_init(|| {
        let town = &t.layer.features[i].geometry;
        let town_area = area_m2(town);
        if town_area <= 0.0 {
            return 0.0;
        }
        let Some(tbox) = town.bounding_rect() else {
            return 0.0;
        };
        let prepared = PreparedArea::new(town);
        let mut pieces = Vec::new();
        for p in ctx.protection {
            for j in p.index.query(tbox, 0.0) {
                let piece = prepared.clip(&p.layer.features[j].geometry);
                if !piece.0.is_empty() {
                    pieces.push(piece);
                }
            }
        }
        area_m2(&union_local(pieces)) / town_area
    })
}

/// How the zone came to take a township over.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Basis {
    /// Named in the zone's custody field or naming the zone in the township's custodian field.
    Declared,
    /// Not declared; the zone covers this share (0–1) of the township.
    Inferred(f64),
}

/// The townships `z` takes over: those declared in the data (the zone's custody field naming a
/// township by name or id, or a township's custodian field naming the zone by id or name),
/// whether or not the zone overlaps them, and, inferred, those not declared of which the zone
/// covers at least `rules.custody_min_cover_share` (beyond the sliver tolerance). Also the
/// declared names no township has.
fn taken_over(
    z: &ZoneInput,
    zone: &Geom,
    t: &Prepared,
    ctx: &Context,
) -> (Vec<(usize, Basis)>, Vec<String>) {
    let layer = t.layer;
    let n = layer.features.len();
    let mut taken: Vec<(usize, Basis)> = Vec::new();
    let mut unmatched = Vec::new();
    for d in &z.custody {
        let found: Vec<usize> = (0..n)
            .filter(|&i| {
                layer.attr(&layer.features[i], t.fields.name) == Some(d.as_str())
                    || t.feature_id(i) == *d
            })
            .collect();
        if found.is_empty() {
            unmatched.push(d.clone());
        }
        for i in found {
            if !taken.iter().any(|(j, _)| *j == i) {
                taken.push((i, Basis::Declared));
            }
        }
    }
    if t.fields.custodian.is_some() {
        for i in 0..n {
            let Some(v) = layer.attr(&layer.features[i], t.fields.custodian) else {
                continue;
            };
            let names_zone = split_list(v)
                .iter()
                .any(|c| *c == z.id || Some(c.as_str()) == z.name.as_deref());
            if names_zone && !taken.iter().any(|(j, _)| *j == i) {
                taken.push((i, Basis::Declared));
            }
        }
    }
    if let Some(zbox) = zone.bounding_rect() {
        for i in t.index.query(zbox, 0.0) {
            if taken.iter().any(|(j, _)| *j == i) {
                continue;
            }
            let town = &layer.features[i].geometry;
            let town_area = area_m2(town);
            let inter = intersection(zone, town);
            if town_area <= 0.0 || !sliver::split(&inter, &sliver_tolerances(ctx.rules)).counts() {
                continue;
            }
            let cover = area_m2(&inter) / town_area;
            if cover >= ctx.rules.custody_min_cover_share {
                taken.push((i, Basis::Inferred(cover)));
            }
        }
    }
    taken.sort_by_key(|(i, _)| *i);
    (taken, unmatched)
}

/// `custody`: the townships the zone takes over (see [`taken_over`]: declared, or inferred from
/// substantial coverage) whose protected share is above `rules.custody_protected_share`, each
/// said to be declared or inferred; and a warning naming declared townships the townships layer
/// does not have (their share cannot be computed).
///
/// Example (the test below): a zone covering 80 % of a township of which 60 % is protected, with
/// the default thresholds (take-over inferred from 50 % coverage, protected share above 50 %),
/// gets a warning naming the township, `max_protected_share` = 0.6, `inferred` = 1; a zone
/// covering 20 % of it gets nothing unless it declares the township.
pub fn check(z: &ZoneInput, zone: &Geom, t: &Prepared, ctx: &Context) -> Vec<Finding> {
    let zid = Some(z.id.as_str());
    let mut findings = Vec::new();
    let (taken, unmatched) = taken_over(z, zone, t, ctx);
    let mut flagged: Vec<(String, f64, Basis, Geom)> = Vec::new();
    for (i, basis) in taken {
        let share = protected_share(i, t, ctx);
        if share > ctx.rules.custody_protected_share {
            let name = t
                .layer
                .attr(&t.layer.features[i], t.fields.name)
                .map(str::to_string)
                .unwrap_or_else(|| t.feature_id(i));
            flagged.push((name, share, basis, t.layer.features[i].geometry.clone()));
        }
    }
    if !flagged.is_empty() {
        let list_zh: Vec<String> = flagged
            .iter()
            .map(|(n, s, b, _)| match b {
                Basis::Declared => format!(
                    "{n}（申报托管；保护面积占 {}%）",
                    crate::model::num::Fixed(s * 100.0, 1)
                ),
                Basis::Inferred(c) => format!(
                    "{n}（按覆盖推定托管：开发区覆盖其 {}%；保护面积占 {}%）",
                    crate::model::num::Fixed(c * 100.0, 1),
                    crate::model::num::Fixed(s * 100.0, 1)
                ),
            })
            .collect();
        let list_en: Vec<String> = flagged
            .iter()
            .map(|(n, s, b, _)| match b {
                Basis::Declared => format!(
                    "{n} (declared; {}% protected)",
                    crate::model::num::Fixed(s * 100.0, 1)
                ),
                Basis::Inferred(c) => format!(
                    "{n} (inferred: the zone covers {}% of it; {}% protected)",
                    crate::model::num::Fixed(c * 100.0, 1),
                    crate::model::num::Fixed(s * 100.0, 1)
                ),
            })
            .collect();
        let max_share = flagged.iter().map(|f| f.1).fold(0.0, f64::max);
        let declared = flagged.iter().filter(|f| f.2 == Basis::Declared).count();
        findings.push(
            Rule::Custody
                .finding(zid)
                .msg(
                    format!(
                        "托管的乡镇保护面积占比高于 {}%：{}",
                        crate::model::num::Fixed(ctx.rules.custody_protected_share * 100.0, 0),
                        list_zh.join("，")
                    ),
                    format!(
                        "takes over township(s) more than {}% protected: {}",
                        crate::model::num::Fixed(ctx.rules.custody_protected_share * 100.0, 0),
                        list_en.join(", ")
                    ),
                )
                .num("townships", flagged.len() as f64)
                .num("declared", declared as f64)
                .num("inferred", (flagged.len() - declared) as f64)
                .num("max_protected_share", max_share)
                .num("threshold", ctx.rules.custody_protected_share)
                .num("min_cover_share", ctx.rules.custody_min_cover_share)
                .refs(flagged.iter().map(|f| f.0.clone()).collect())
                .geom(MultiPolygon(
                    flagged.into_iter().flat_map(|f| f.3 .0).collect(),
                )),
        );
    }
    if !unmatched.is_empty() {
        findings.push(
            Rule::Custody
                .finding(zid)
                .msg(
                    format!(
                        "申报托管的乡镇 {} 不在乡镇图层中，无法核算其保护面积占比",
                        unmatched.join("、")
                    ),
                    format!(
                        "declared township(s) {} not in the townships layer: their protected share cannot be computed",
                        unmatched.join(", ")
                    ),
                )
                .num("declared_not_found", unmatched.len() as f64)
                .refs(unmatched)
                .about("declared_not_found"),
        );
    }
    findings
}

/// `custody` without a townships layer: a zone declaring custody gets a warning that the
/// declared townships cannot be checked (never a silent pass).
pub fn without_townships(z: &ZoneInput) -> Vec<Finding> {
    if z.custody.is_empty() {
        return Vec::new();
    }
    vec![Rule::Custody
        .finding(Some(&z.id))
        .msg(
            format!(
                "申报托管乡镇 {}，但评审未提供乡镇图层，无法核算保护面积占比",
                z.custody.join("、")
            ),
            format!(
                "declares custody of {}, but the review has no townships layer: the protected share cannot be computed",
                z.custody.join(", ")
            ),
        )
        .num("declared_not_found", z.custody.len() as f64)
        .refs(z.custody.clone())
        .about("declared_not_found")]
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::analysis::rules::testing::{layer, prepared, rect, zone_input};
    use crate::model::settings::Rules;
    use crate::model::LayerRole;

    #[test]
    fn a_township_taken_over_and_more_than_half_protected_is_named() {
        // Township 100 m × 100 m, red line over x 0–60: 60 % protected (> 50 %).
        let towns = layer(
            "townships",
            LayerRole::Townships,
            &["name", "custodian"],
            vec![(vec!["河上镇", ""], rect(0.0, 0.0, 100.0, 100.0))],
        );
        let redline = layer(
            "redline",
            LayerRole::Redline,
            &[],
            vec![(Vec::new(), rect(0.0, 0.0, 60.0, 100.0))],
        );
        let (t, r) = (prepared(&towns), prepared(&redline));
        let rules = Rules::default();
        let progress = crate::progress::Progress::new();
        let protection = [r];
        let ctx = Context {
            rules: &rules,
            protection: &protection,
            control_lines: &[],
            layers: &Default::default(),
            original: None,
            townships: Some(&t),
            barriers: None,
            custody_cache: CustodyCache::new(1),
            plaques: Default::default(),
            progress: &progress,
            working_crs: None,
        };
        // The zone covers x 20–100: 80 % of the township (≥ 50 %): inferred.
        let z = zone_input("Z1", &[], None);
        let found = check(&z, &rect(20.0, 0.0, 100.0, 100.0), &t, &ctx);
        assert_eq!(found.len(), 1);
        let f = &found[0];
        assert!(f.is(Rule::Custody));
        assert_eq!(f.refs, ["河上镇"]);
        assert!((f.numbers["max_protected_share"] - 0.6).abs() < 1e-9);
        assert_eq!((f.numbers["declared"], f.numbers["inferred"]), (0.0, 1.0));
        // Covering x 80–100 (20 %) is not taking it over …
        assert!(check(&z, &rect(80.0, 0.0, 100.0, 100.0), &t, &ctx).is_empty());
        // … unless declared, even far away; a declared name no township has is a warning.
        let mut d = zone_input("Z1", &[], None);
        d.custody = vec!["河上镇".into(), "无此镇".into()];
        let found = check(&d, &rect(500.0, 0.0, 600.0, 100.0), &t, &ctx);
        assert_eq!(found.len(), 2);
        assert_eq!(
            (found[0].numbers["declared"], found[0].numbers["inferred"]),
            (1.0, 0.0)
        );
        assert_eq!(found[1].refs, ["无此镇"]);
        assert_eq!(found[1].about.as_deref(), Some("declared_not_found"));
    }
}
