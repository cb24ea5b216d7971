//! 五(十五) 整合后的开发区（园区）以外原则上不再新增工业建设用地: the parts of the optional
//! new-industrial-land layer (`[layers] new_industrial`) outside every merged zone, beyond
//! slivers, are one plan finding (`new_industrial`, a warning: 原则上) with their area and
//! features.

use crate::analysis::findings::{fmt_area_en, fmt_area_zh, Finding};
use crate::analysis::rules::Rule;
use crate::analysis::{Prepared, ZoneResult};
use crate::model::{mu_from_m2, Geom};
use crate::spatial::index::BoxIndex;
use crate::spatial::overlay::{area_m2, difference_local, union_local};
use crate::spatial::sliver;
use geo::{BoundingRect, MultiPolygon};

/// `new_industrial` when some of `layer` lies outside every zone of `zones` by more than
/// slivers; nothing otherwise.
///
/// Example (the test below): a 200 m × 100 m plot half inside a zone leaves 10 000 m² outside:
/// one warning with `area_m2` = 10 000 naming the plot.
pub fn check(zones: &[ZoneResult], layer: &Prepared, tol: &sliver::Tolerances) -> Vec<Finding> {
    let index = BoxIndex::new(zones.iter().map(|z| &z.geometry));
    let mut outside_all: Vec<Geom> = Vec::new();
    let mut features: Vec<String> = Vec::new();
    for (i, f) in layer.layer.features.iter().enumerate() {
        let Some(fbox) = f.geometry.bounding_rect() else {
            continue;
        };
        let near: Vec<Geom> = index
            .query(fbox, 0.0)
            .into_iter()
            .map(|z| zones[z].geometry.clone())
            .collect();
        let outside = if near.is_empty() {
            f.geometry.clone()
        } else {
            difference_local(&f.geometry, &union_local(near))
        };
        if area_m2(&outside) <= 0.0 {
            continue;
        }
        if !sliver::split(&outside, tol).kept.is_empty() {
            features.push(layer.feature_id(i));
        }
        outside_all.push(outside);
    }
    let outside = union_local(outside_all);
    let pieces = sliver::split(&outside, tol);
    if !pieces.counts() {
        return Vec::new();
    }
    let area = pieces.counted_area_m2();
    vec![Rule::NewIndustrial
        .finding(None)
        .msg(
            format!(
                "整合后开发区以外有新增工业建设用地 {}，涉及 {} 个图斑：{}",
                fmt_area_zh(area),
                features.len(),
                features.join("，")
            ),
            format!(
                "new industrial land outside every merged zone: {}, {} feature(s): {}",
                fmt_area_en(area),
                features.len(),
                features.join(", ")
            ),
        )
        .num("area_m2", area)
        .num("area_mu", mu_from_m2(area))
        .num("features", features.len() as f64)
        .num("sliver_area_m2", pieces.sliver_area_m2)
        .refs(features)
        .geom(MultiPolygon(pieces.counted().0))]
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::analysis::rules::testing::{layer, prepared, rect, result};
    use crate::analysis::Severity;
    use crate::model::settings::Rules;
    use crate::model::LayerRole;

    #[test]
    fn new_industrial_land_outside_the_zones_is_a_plan_warning() {
        // Zone x 0–100, y 0–100. Plot NI1 x 50–250, y 0–50: 150 m × 50 m = 7 500 m² outside.
        // NI2 inside the zone; NI3 along the zone's edge, 0.2 m wide outside: a sliver.
        let zones = vec![result("Z1", rect(0.0, 0.0, 100.0, 100.0))];
        let plots = layer(
            "new_industrial",
            LayerRole::NewIndustrial,
            &["BSM"],
            vec![
                (vec!["NI1"], rect(50.0, 0.0, 250.0, 50.0)),
                (vec!["NI2"], rect(10.0, 60.0, 40.0, 90.0)),
                (vec!["NI3"], rect(60.0, 60.0, 100.2, 90.0)),
            ],
        );
        let tol = crate::analysis::sliver_tolerances(&Rules::default());
        let found = check(&zones, &prepared(&plots), &tol);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].rule, "new_industrial");
        assert_eq!(found[0].severity, Severity::Warning);
        assert_eq!(found[0].zone, None);
        assert!((found[0].numbers["area_m2"] - 7_500.0).abs() < 1e-6);
        assert_eq!(found[0].refs, ["NI1"]);
        // Only the plot inside: nothing.
        let inside = layer(
            "new_industrial",
            LayerRole::NewIndustrial,
            &["BSM"],
            vec![(vec!["NI2"], rect(10.0, 60.0, 40.0, 90.0))],
        );
        assert!(check(&zones, &prepared(&inside), &tol).is_empty());
    }
}
