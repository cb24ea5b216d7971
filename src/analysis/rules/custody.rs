//! 保护面积占比较高的管辖乡镇不再托管: townships the zone takes over whose protected share is
//! above the threshold (`custody`).

use crate::analysis::findings::Finding;
use crate::analysis::rules::Rule;
use crate::analysis::sliver_tolerances;
use crate::analysis::zone::Context;
use crate::analysis::Prepared;
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

///
/// Example (the test below): a zone overlapping a township of which 60 % is protected, with the
/// default threshold of 50 %, gets a warning naming the township, `max_protected_share` = 0.6.
pub fn check(zone_id: &str, zone: &Geom, t: &Prepared, ctx: &Context) -> Option<Finding> {
    let zbox = zone.bounding_rect()?;
    let mut flagged: Vec<(String, f64, Geom)> = Vec::new();
    for i in t.index.query(zbox, 0.0) {
        let town = &t.layer.features[i].geometry;
        if !sliver::split(&intersection(zone, town), &sliver_tolerances(ctx.rules)).counts() {
            continue;
        }
        let share = protected_share(i, t, ctx);
        if share > ctx.rules.custody_protected_share {
            let name = t
                .layer
                .attr(&t.layer.features[i], t.fields.name)
                .map(str::to_string)
                .unwrap_or_else(|| t.feature_id(i));
            flagged.push((name, share, town.clone()));
        }
    }
    if flagged.is_empty() {
        return None;
    }
    let list_zh: Vec<String> = flagged
        .iter()
        .map(|(n, s, _)| format!("{n}（保护面积占 {:.1}%）", s * 100.0))
        .collect();
    let list_en: Vec<String> = flagged
        .iter()
        .map(|(n, s, _)| format!("{n} ({:.1}% protected)", s * 100.0))
        .collect();
    let max_share = flagged.iter().map(|f| f.1).fold(0.0, f64::max);
    Some(
        Rule::Custody
            .finding(Some(zone_id))
            .msg(
                format!(
                    "托管的乡镇保护面积占比高于 {:.0}%：{}",
                    ctx.rules.custody_protected_share * 100.0,
                    list_zh.join("，")
                ),
                format!(
                    "takes over township(s) more than {:.0}% protected: {}",
                    ctx.rules.custody_protected_share * 100.0,
                    list_en.join(", ")
                ),
            )
            .num("townships", flagged.len() as f64)
            .num("max_protected_share", max_share)
            .num("threshold", ctx.rules.custody_protected_share)
            .refs(flagged.iter().map(|f| f.0.clone()).collect())
            .geom(MultiPolygon(
                flagged.into_iter().flat_map(|f| f.2 .0).collect(),
            )),
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::analysis::rules::testing::{layer, prepared, rect};
    use crate::model::settings::Rules;
    use crate::model::LayerRole;

    #[test]
    fn a_township_more_than_half_protected_is_named() {
        // Township 100 m × 100 m, red line over x 0–60: 60 % protected (> 50 %). The zone
        // covers x 80–100 of it (2 000 m² > the sliver tolerance).
        let towns = layer(
            "townships",
            LayerRole::Townships,
            &["name"],
            vec![(vec!["河上镇"], rect(0.0, 0.0, 100.0, 100.0))],
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
            custody_cache: CustodyCache::new(1),
            progress: &progress,
        };
        let f = check("Z1", &rect(80.0, 0.0, 100.0, 100.0), &t, &ctx).unwrap();
        assert!(f.is(Rule::Custody));
        assert_eq!(f.refs, ["河上镇"]);
        assert!((f.numbers["max_protected_share"] - 0.6).abs() < 1e-9);
        // A zone outside the township takes over nothing.
        assert!(check("Z1", &rect(200.0, 0.0, 300.0, 100.0), &t, &ctx).is_none());
    }
}
