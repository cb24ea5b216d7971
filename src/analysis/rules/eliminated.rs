//! 淘汰撤销的开发区（园区）不再布局新的产业项目: a merged zone lying on an original zone
//! marked 淘汰撤销, by geometry, whatever its member list says (`eliminated`).

use crate::analysis::findings::{fmt_area_en, fmt_area_zh, Finding};
use crate::analysis::rules::Rule;
use crate::analysis::Prepared;
use crate::model::{mu_from_m2, Geom};
use crate::spatial::overlay::intersection;
use crate::spatial::sliver::{self, Tolerances};
use geo::{BoundingRect, MultiPolygon};

/// True for the status of an original zone to be eliminated (淘汰撤销), not one transformed.
pub fn is_eliminated(status: &str) -> bool {
    let s = status.to_lowercase();
    ["淘汰", "撤销", "eliminat"].iter().any(|k| s.contains(k))
}

/// `eliminated`: one finding naming every original zone marked 淘汰撤销 that `zone` overlaps
/// beyond the sliver tolerance, with the area on each.
///
/// Example (the test below): a zone drawn exactly on an eliminated original of 10 000 m² gets
/// one finding with `area_m2` = 10 000 and refs that original; a zone only touching it gets none.
pub fn check(zone_id: &str, zone: &Geom, orig: &Prepared, tol: &Tolerances) -> Vec<Finding> {
    let Some(zbox) = zone.bounding_rect() else {
        return Vec::new();
    };
    // Per eliminated original id: the area and pieces that count.
    let mut hits: Vec<(String, f64, Geom)> = Vec::new();
    let mut candidates = orig.index.query(zbox, 0.0);
    candidates.sort_unstable();
    for i in candidates {
        let f = &orig.layer.features[i];
        if !orig
            .layer
            .attr(f, orig.fields.status)
            .is_some_and(is_eliminated)
        {
            continue;
        }
        let split = sliver::split(&intersection(zone, &f.geometry), tol);
        if !split.counts() {
            continue;
        }
        let id = orig.feature_id(i);
        let area = split.counted_area_m2();
        let pieces = split.counted();
        match hits.iter_mut().find(|h| h.0 == id) {
            Some(h) => {
                h.1 += area;
                h.2 .0.extend(pieces.0);
            }
            None => hits.push((id, area, pieces)),
        }
    }
    if hits.is_empty() {
        return Vec::new();
    }
    let total: f64 = hits.iter().map(|h| h.1).sum();
    let zh: Vec<String> = hits
        .iter()
        .map(|(id, a, _)| format!("{id}（{}）", fmt_area_zh(*a)))
        .collect();
    let en: Vec<String> = hits
        .iter()
        .map(|(id, a, _)| format!("{id} ({})", fmt_area_en(*a)))
        .collect();
    vec![Rule::Eliminated
        .finding(Some(zone_id))
        .msg(
            format!(
                "开发区位于标为淘汰撤销的原开发区上：{}；淘汰撤销的开发区不再布局新的产业项目",
                zh.join("，")
            ),
            format!(
                "the zone lies on original zone(s) marked eliminated: {}; no new industrial projects may be laid out there",
                en.join(", ")
            ),
        )
        .num("eliminated_originals", hits.len() as f64)
        .num("area_m2", total)
        .num("area_mu", mu_from_m2(total))
        .refs(hits.iter().map(|h| h.0.clone()).collect())
        .geom(MultiPolygon(
            hits.into_iter().flat_map(|h| h.2 .0).collect(),
        ))]
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::analysis::rules::testing::{layer, prepared, rect};
    use crate::analysis::sliver_tolerances;
    use crate::model::settings::Rules;
    use crate::model::LayerRole;

    #[test]
    fn a_zone_on_an_eliminated_original_is_found_by_geometry() {
        let orig = layer(
            "original",
            LayerRole::Original,
            &["id", "status"],
            vec![
                (vec!["Y1", "淘汰撤销"], rect(0.0, 0.0, 100.0, 100.0)),
                (vec!["Y2", "转型提升"], rect(200.0, 0.0, 300.0, 100.0)),
            ],
        );
        let p = prepared(&orig);
        let tol = sliver_tolerances(&Rules::default());
        let found = check("Z", &rect(0.0, 0.0, 100.0, 100.0), &p, &tol);
        assert_eq!(found.len(), 1);
        assert!(found[0].is(Rule::Eliminated));
        assert!((found[0].numbers["area_m2"] - 10_000.0).abs() < 1e-6);
        assert_eq!(found[0].refs, ["Y1"]);
        // Touching only, or on a transformed original: nothing.
        assert!(check("Z", &rect(100.0, 0.0, 200.0, 100.0), &p, &tol).is_empty());
        assert!(check("Z", &rect(200.0, 0.0, 300.0, 100.0), &p, &tol).is_empty());
        assert!(is_eliminated("淘汰撤销") && !is_eliminated("转型提升"));
    }
}
