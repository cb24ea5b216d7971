//! 禁止占用各类保护区域: the zone's overlap with each protection layer (`conflict.<layer>`),
//! or only slivers of it below the tolerance (`sliver.<layer>`, not a conflict).

use crate::analysis::findings::{
    fmt_area_by_en, fmt_area_by_zh, fmt_area_en, fmt_area_zh, Finding, Severity,
};
use crate::analysis::rules::Rule;
use crate::analysis::zone::layer_label;
use crate::analysis::{FeatureOverlap, LayerConflict, Prepared};
use crate::model::settings::Rules;
use crate::model::{mu_from_m2, Geom, Layer, LayerRole};
use crate::spatial::overlay::{area_m2, union_local, PreparedArea};
use crate::spatial::sliver;
use geo::BoundingRect;
use std::collections::BTreeMap;

/// `conflict.<layer>` (blocking) when the zone's overlap `c` with `layer` is more than its
/// slivers, else `sliver.<layer>` (a notice) when there is any overlap; nothing without one.
///
/// Example (the test below): 10 m² of overlap of which 0.5 m² in slivers is `conflict.redline`
/// with `area_m2` = 10; 0.5 m² all in slivers is `sliver.redline`.
pub fn check(zone_id: &str, layer: &Layer, c: &LayerConflict, rules: &Rules) -> Vec<Finding> {
    check_as(zone_id, layer, c, rules, Severity::Blocking)
}

/// As [`check`], with the conflict's severity before `[rules.severity]`: blocking for protected
/// land, a warning for an `advisory` extra layer.
pub fn check_as(
    zone_id: &str,
    layer: &Layer,
    c: &LayerConflict,
    rules: &Rules,
    conflict_severity: Severity,
) -> Vec<Finding> {
    let zid = Some(zone_id);
    let mut findings = Vec::new();
    let (name_zh, name_en) = layer_label(layer);
    if c.area_m2 > 0.0 {
        let blocking = c.is_conflict();
        let mut zh = format!(
            "占用{name_zh} {}，占开发区面积 {}%，涉及 {} 个图斑",
            fmt_area_by_zh(c.area_m2, c.area_ellipsoid_m2, rules.area),
            crate::model::num::Fixed(c.share * 100.0, 2),
            c.features.len()
        );
        let mut en = format!(
            "occupies {name_en}: {}, {}% of the zone, {} protected feature(s)",
            fmt_area_by_en(c.area_m2, c.area_ellipsoid_m2, rules.area),
            crate::model::num::Fixed(c.share * 100.0, 2),
            c.features.len()
        );
        if !c.by_class_m2.is_empty() {
            let parts: Vec<String> = c
                .by_class_m2
                .iter()
                .map(|(k, v)| format!("{k} {}", fmt_area_zh(*v)))
                .collect();
            zh.push_str(&format!("（{}）", parts.join("，")));
            let parts: Vec<String> = c
                .by_class_m2
                .iter()
                .map(|(k, v)| format!("{k} {}", fmt_area_en(*v)))
                .collect();
            en.push_str(&format!(" ({})", parts.join(", ")));
        }
        if c.sliver_count > 0 {
            let (w, a, t) = (
                rules.sliver_width_m,
                rules.sliver_area_m2,
                rules.sliver_total_m2,
            );
            let (s_zh, s_en) = if c.slivers_counted {
                (
                    format!("合计超过 {t} m²，计为冲突"),
                    format!("together over {t} m², counted as conflict"),
                )
            } else {
                (
                    format!("合计不超过 {t} m²，不计为冲突"),
                    format!("together not over {t} m², not counted as conflict"),
                )
            };
            zh.push_str(&format!(
                "；其中 {} 处碎片（宽不超过 {w} m 或小于 {a} m²）共 {} m²，{s_zh}",
                c.sliver_count,
                crate::model::num::Fixed(c.sliver_area_m2, 3)
            ));
            en.push_str(&format!(
                "; {} sliver(s) (at most {w} m wide or under {a} m²) totalling {} m², {s_en}",
                c.sliver_count,
                crate::model::num::Fixed(c.sliver_area_m2, 3)
            ));
        }
        let rule = if blocking {
            Rule::Conflict
        } else {
            Rule::Sliver
        };
        let mut f = rule.of_layer(&layer.name).finding(zid);
        if blocking {
            f = f.with_severity(conflict_severity);
        }
        let mut f = f
            .msg(zh, en)
            .num("area_m2", c.area_m2)
            .num("area_mu", c.area_mu)
            .num("share", c.share)
            .num("sliver_area_m2", c.sliver_area_m2)
            .num("features", c.features.len() as f64)
            .refs(c.features.iter().map(|f| f.id.clone()).collect())
            .geom(c.geometry.clone());
        for (class, a) in &c.by_class_m2 {
            f = f.num(&format!("area_m2.{class}"), *a);
        }
        if let Some(e) = c.area_ellipsoid_m2 {
            f = f
                .num("area_ellipsoid_m2", e)
                .num("area_ellipsoid_mu", mu_from_m2(e));
        }
        findings.push(f);
    }
    findings
}

/// `[rules.severity_of_class]` applied to a zone's `conflict.<layer>` findings (after
/// `[rules.severity]`): each protection class the conflict occupies beyond slivers takes its
/// class's severity, or the finding's own when the class is not listed; the finding takes the
/// strictest of them (执行最严标准). Conflicts of layers without classes are left alone.
///
/// Example (the test below): 准保护区 set to a warning; a conflict in 准保护区 only warns, one
/// in 准保护区 and 二级保护区 still blocks.
pub fn apply_class_severity(
    findings: &mut [Finding],
    conflicts: &BTreeMap<String, LayerConflict>,
    by_class: &BTreeMap<String, BTreeMap<String, Severity>>,
) {
    for f in findings.iter_mut() {
        let Some(id) = f.rule_id() else { continue };
        if id.rule() != Rule::Conflict {
            continue;
        }
        let Some(layer) = id.layer() else { continue };
        let (Some(classes), Some(c)) = (by_class.get(layer), conflicts.get(layer)) else {
            continue;
        };
        let mut occupied: Vec<String> = c
            .features
            .iter()
            .filter(|o| !o.sliver)
            .map(|o| o.class.clone().unwrap_or_else(|| UNCLASSED.to_string()))
            .collect();
        occupied.sort();
        occupied.dedup();
        let Some(strictest) = occupied
            .iter()
            .map(|k| classes.get(k.trim()).copied().unwrap_or(f.severity))
            .min()
        else {
            continue;
        };
        if strictest != f.severity {
            f.severity = strictest;
            let list = occupied.join("、");
            f.message_zh.push_str(&format!(
                "；按保护分级定级（{list}，执行最严标准）：{}",
                strictest.name_zh()
            ));
            f.message_en.push_str(&format!(
                "; severity by protection class ({list}, the strictest applies): {}",
                strictest.name_en()
            ));
        }
    }
}

/// The class of a protected feature whose class field is empty.
const UNCLASSED: &str = "未分级";

/// Overlap of the zone with one protection layer.
pub fn conflict_with(
    prepared: &PreparedArea,
    zone_area: f64,
    p: &Prepared,
    tol: &sliver::Tolerances,
) -> LayerConflict {
    let zone = prepared.geometry();
    let mut features = Vec::new();
    let class_field = if p.layer.role == LayerRole::Water {
        p.fields.class
    } else {
        None
    };
    if let Some(zbox) = zone.bounding_rect() {
        let part_boxes: Vec<_> = zone.0.iter().filter_map(|q| q.bounding_rect()).collect();
        // The features whose box meets a part's box (a zone spread over a county would
        // otherwise walk every feature between its parts), once each, in layer order.
        let mut hits = if part_boxes.len() > 1 {
            part_boxes
                .iter()
                .flat_map(|b| p.index.query_boxes(*b, 0.0))
                .collect()
        } else {
            p.index.query_boxes(zbox, 0.0)
        };
        hits.sort_unstable_by_key(|(i, _)| *i);
        hits.dedup_by_key(|(i, _)| *i);
        for (i, _) in hits {
            let f = &p.layer.features[i];
            let piece = prepared.clip(&f.geometry);
            let a = area_m2(&piece);
            if a > 0.0 {
                features.push(FeatureOverlap {
                    id: p.feature_id(i),
                    feature: i,
                    area_m2: a,
                    area_mu: mu_from_m2(a),
                    area_ellipsoid_m2: None,
                    class: p.layer.attr(f, class_field).map(str::to_string),
                    patch_area_ellipsoid_m2: None,
                    tbmj_m2: None,
                    tbmj_occupied_m2: None,
                    sliver: false,
                    fields: p
                        .patch_fields
                        .iter()
                        .map(|(name, k)| {
                            (name.clone(), p.layer.attr(f, Some(*k)).map(str::to_string))
                        })
                        .collect(),
                    geometry: piece,
                });
            }
        }
    }
    features.sort_by(|a, b| a.id.cmp(&b.id).then(b.area_m2.total_cmp(&a.area_m2)));
    let geometry = union_local(features.iter().map(|f| f.geometry.clone()).collect());
    let area = area_m2(&geometry);
    let pieces = sliver::split(&geometry, tol);
    for f in &mut features {
        f.sliver = !pieces.slivers_count && sliver::split(&f.geometry, tol).kept.is_empty();
    }
    let mut by_class_m2 = BTreeMap::new();
    if class_field.is_some() {
        let mut classes: BTreeMap<String, Vec<&Geom>> = BTreeMap::new();
        for f in &features {
            let class = f.class.clone().unwrap_or_else(|| UNCLASSED.to_string());
            classes.entry(class).or_default().push(&f.geometry);
        }
        for (class, geoms) in classes {
            by_class_m2.insert(
                class,
                area_m2(&union_local(geoms.into_iter().cloned().collect())),
            );
        }
    }
    LayerConflict {
        role: p.layer.role,
        area_m2: area,
        area_mu: mu_from_m2(area),
        area_ellipsoid_m2: None,
        share: if zone_area > 0.0 {
            area / zone_area
        } else {
            0.0
        },
        sliver_area_m2: pieces.sliver_area_m2,
        sliver_count: pieces.slivers.len(),
        slivers_counted: pieces.slivers_count,
        by_class_m2,
        features,
        geometry,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::analysis::rules::testing::{layer, rect};

    fn conflict(area_m2: f64, sliver_area_m2: f64, sliver_count: usize) -> LayerConflict {
        LayerConflict {
            role: LayerRole::Redline,
            area_m2,
            area_mu: mu_from_m2(area_m2),
            area_ellipsoid_m2: None,
            share: area_m2 / 10_000.0,
            sliver_area_m2,
            sliver_count,
            slivers_counted: false,
            by_class_m2: BTreeMap::new(),
            features: Vec::new(),
            geometry: rect(0.0, 0.0, 1.0, area_m2),
        }
    }

    #[test]
    fn overlap_beyond_slivers_is_a_conflict_else_a_sliver() {
        let redline = layer("redline", LayerRole::Redline, &[], Vec::new());
        let rules = Rules::default();
        let found = check("Z1", &redline, &conflict(10.0, 0.5, 1), &rules);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].rule, "conflict.redline");
        assert_eq!(found[0].severity, Severity::Blocking);
        assert_eq!(found[0].numbers["area_m2"], 10.0);
        assert_eq!(found[0].rule_id().unwrap().layer(), Some("redline"));
        let found = check("Z1", &redline, &conflict(0.5, 0.5, 1), &rules);
        assert_eq!(found[0].rule, "sliver.redline");
        assert_eq!(found[0].severity, Severity::Info);
        assert!(check("Z1", &redline, &conflict(0.0, 0.0, 0), &rules).is_empty());
    }

    #[test]
    fn class_severities_take_the_strictest_class_occupied() {
        // Water: 二级 x 0–50, 准保护区 x 50–200 (y 0–100). Zone A x 100–150 lies in 准 only;
        // zone B x 40–150 in both (10 m × 100 m of 二级).
        let water = layer(
            "water",
            LayerRole::Water,
            &["CLASS"],
            vec![
                (vec!["二级保护区"], rect(0.0, 0.0, 50.0, 100.0)),
                (vec!["准保护区"], rect(50.0, 0.0, 200.0, 100.0)),
            ],
        );
        let mut p = crate::analysis::rules::testing::prepared(&water);
        p.fields.class = Some(0);
        let rules = Rules::default();
        let tol = crate::analysis::sliver_tolerances(&rules);
        let mut by_class = BTreeMap::new();
        by_class.insert(
            "water".to_string(),
            BTreeMap::from([("准保护区".to_string(), Severity::Warning)]),
        );
        for (x0, want) in [(100.0, Severity::Warning), (40.0, Severity::Blocking)] {
            let zone = rect(x0, 0.0, 150.0, 100.0);
            let c = conflict_with(&PreparedArea::new(&zone), (150.0 - x0) * 100.0, &p, &tol);
            let mut found = check("Z1", &water, &c, &rules);
            assert_eq!(found[0].severity, Severity::Blocking);
            let conflicts = BTreeMap::from([("water".to_string(), c)]);
            apply_class_severity(&mut found, &conflicts, &by_class);
            assert_eq!(found[0].severity, want, "zone from x {x0}");
        }
        // An advisory layer's conflict warns before any class.
        let zone = rect(100.0, 0.0, 150.0, 100.0);
        let c = conflict_with(&PreparedArea::new(&zone), 5_000.0, &p, &tol);
        let found = check_as("Z1", &water, &c, &rules, Severity::Warning);
        assert_eq!(
            (found[0].rule.as_str(), found[0].severity),
            ("conflict.water", Severity::Warning)
        );
    }

    #[test]
    fn a_zone_half_on_the_red_line_overlaps_it_by_half() {
        // Zone 100 m × 100 m; red line x from 50 to 200: 50 m × 100 m = 5 000 m², share 0.5.
        let redline = layer(
            "redline",
            LayerRole::Redline,
            &[],
            vec![(Vec::new(), rect(50.0, 0.0, 200.0, 100.0))],
        );
        let p = crate::analysis::rules::testing::prepared(&redline);
        let zone = rect(0.0, 0.0, 100.0, 100.0);
        let c = conflict_with(
            &PreparedArea::new(&zone),
            10_000.0,
            &p,
            &crate::analysis::sliver_tolerances(&Rules::default()),
        );
        assert!((c.area_m2 - 5_000.0).abs() < 1e-6);
        assert!((c.share - 0.5).abs() < 1e-9);
        assert_eq!((c.sliver_count, c.features.len()), (0, 1));
    }
}
