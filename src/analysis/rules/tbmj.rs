//! TBMJ reconciliation (issue 11, item 6): a farmland patch's TBMJ (图斑面积) is its area on
//! the CGCS2000 ellipsoid by the 国土调查 method; zonecheck computes the same area from the
//! patch's geometry ([`crate::spatial::ellipsoid`]). An occupied patch whose TBMJ differs from
//! the computed area by more than `rules.tbmj_tolerance` (a share of the computed area), or
//! whose TBMJ cannot be read, is listed in a data-quality note (`tbmj.mismatch`, info): a
//! reviewer adding up TBMJ × occupied share should know which patches' figures do not fit
//! their shapes.

use crate::analysis::findings::Finding;
use crate::analysis::rules::Rule;
use crate::analysis::LayerConflict;
use crate::model::num::Fixed;

/// Most patches a note names in its message (all are in its refs).
const MAX_LISTED: usize = 10;

/// `tbmj.mismatch` for the occupied patches of the farmland layer `c` (with their TBMJ and
/// computed ellipsoidal area filled in) when the layer has a TBMJ field (`has_field`); nothing
/// when it has none or every patch agrees within `tolerance`.
///
/// Example (the test below): TBMJ 12,000 m² on a patch computed at 10,000 m² differs by 20 %
/// (> 1 %): noted; TBMJ 10,050 m² (0.5 %) is not.
pub fn check(zone_id: &str, c: &LayerConflict, has_field: bool, tolerance: f64) -> Vec<Finding> {
    if !has_field {
        return Vec::new();
    }
    let mut off = Vec::new();
    let mut unreadable = Vec::new();
    let mut worst: f64 = 0.0;
    for o in &c.features {
        match (o.tbmj_m2, o.patch_area_ellipsoid_m2) {
            (Some(t), Some(a)) if a > 0.0 => {
                let d = (t - a) / a;
                if d.abs() > tolerance {
                    worst = worst.max(d.abs());
                    off.push((o.id.as_str(), t, a, d));
                }
            }
            (None, _) => unreadable.push(o.id.as_str()),
            _ => {}
        }
    }
    if off.is_empty() && unreadable.is_empty() {
        return Vec::new();
    }
    let pct = Fixed(tolerance * 100.0, 2);
    let list = |zh: bool| -> String {
        let mut parts: Vec<String> = off
            .iter()
            .take(MAX_LISTED)
            .map(|(id, t, a, d)| {
                let sign = if *d >= 0.0 { "+" } else { "" };
                let d = Fixed(d * 100.0, 2);
                if zh {
                    format!(
                        "{id}：TBMJ {} m²，计算椭球面积 {} m²（{sign}{d}%）",
                        Fixed(*t, 2),
                        Fixed(*a, 2),
                    )
                } else {
                    format!(
                        "{id}: TBMJ {} m², computed ellipsoidal {} m² ({sign}{d}%)",
                        Fixed(*t, 2),
                        Fixed(*a, 2),
                    )
                }
            })
            .collect();
        if off.len() > MAX_LISTED {
            parts.push(if zh {
                format!("等共 {} 个", off.len())
            } else {
                format!("… {} in all", off.len())
            });
        }
        parts.join(if zh { "；" } else { "; " })
    };
    let mut zh = String::new();
    let mut en = String::new();
    if !off.is_empty() {
        zh.push_str(&format!(
            "{} 个被占用的永久基本农田图斑 TBMJ 与计算的椭球面积相差超过 {pct}%（{}）",
            off.len(),
            list(true)
        ));
        en.push_str(&format!(
            "{} occupied farmland patch(es) whose TBMJ differs from the computed ellipsoidal area by more than {pct}% ({})",
            off.len(),
            list(false)
        ));
    }
    if !unreadable.is_empty() {
        let shown: Vec<&str> = unreadable.iter().take(MAX_LISTED).copied().collect();
        if !zh.is_empty() {
            zh.push('；');
            en.push_str("; ");
        }
        zh.push_str(&format!(
            "{} 个被占用图斑的 TBMJ 为空或不是数字，无法核对（{}）",
            unreadable.len(),
            shown.join("、")
        ));
        en.push_str(&format!(
            "{} occupied patch(es) with an empty or non-numeric TBMJ, not reconciled ({})",
            unreadable.len(),
            shown.join(", ")
        ));
    }
    zh.push_str("。数据质量提示，不影响审查结论。");
    en.push_str(". A data-quality note; it does not change the verdict.");
    let refs = off
        .iter()
        .map(|(id, ..)| id.to_string())
        .chain(unreadable.iter().map(|id| id.to_string()))
        .collect();
    vec![Rule::TbmjMismatch
        .finding(Some(zone_id))
        .msg(zh, en)
        .num("patches", off.len() as f64)
        .num("unreadable", unreadable.len() as f64)
        .num("tolerance", tolerance)
        .num("max_difference_share", worst)
        .refs(refs)]
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::analysis::rules::testing::rect;
    use crate::analysis::{FeatureOverlap, Severity};
    use crate::model::LayerRole;
    use std::collections::BTreeMap;

    fn patch(id: &str, tbmj: Option<f64>, computed: f64) -> FeatureOverlap {
        FeatureOverlap {
            id: id.to_string(),
            feature: 0,
            area_m2: computed / 2.0,
            area_mu: 0.0,
            area_ellipsoid_m2: Some(computed / 2.0),
            class: None,
            sliver: false,
            patch_area_ellipsoid_m2: Some(computed),
            tbmj_m2: tbmj,
            tbmj_occupied_m2: tbmj.map(|t| t / 2.0),
            fields: Vec::new(),
            geometry: rect(0.0, 0.0, 1.0, 1.0),
        }
    }

    fn farmland(features: Vec<FeatureOverlap>) -> LayerConflict {
        LayerConflict {
            role: LayerRole::Farmland,
            area_m2: 1.0,
            area_mu: 0.0,
            area_ellipsoid_m2: Some(1.0),
            share: 0.0,
            sliver_area_m2: 0.0,
            sliver_count: 0,
            slivers_counted: false,
            by_class_m2: BTreeMap::new(),
            features,
            geometry: rect(0.0, 0.0, 1.0, 1.0),
        }
    }

    #[test]
    fn a_patch_whose_tbmj_is_off_by_more_than_the_tolerance_is_noted() {
        // P1: 12,000 vs 10,000 m² = +20 % > 1 %: noted. P2: 10,050 vs 10,000 = +0.5 %: not.
        let c = farmland(vec![
            patch("P1", Some(12_000.0), 10_000.0),
            patch("P2", Some(10_050.0), 10_000.0),
        ]);
        let found = check("Z1", &c, true, 0.01);
        assert_eq!(found.len(), 1);
        let f = &found[0];
        assert!(f.is(Rule::TbmjMismatch));
        assert_eq!(f.severity, Severity::Info);
        assert_eq!(f.refs, vec!["P1".to_string()]);
        assert_eq!(f.numbers["patches"], 1.0);
        assert!((f.numbers["max_difference_share"] - 0.2).abs() < 1e-12);
        assert!(f
            .message_zh
            .contains("P1：TBMJ 12000.00 m²，计算椭球面积 10000.00 m²（+20.00%）"));
        // A 0.4 % tolerance takes P2 in too.
        assert_eq!(check("Z1", &c, true, 0.004)[0].refs.len(), 2);
        // Within 25 %: nothing.
        assert!(check("Z1", &c, true, 0.25).is_empty());
    }

    #[test]
    fn an_unreadable_tbmj_is_noted_and_no_field_means_no_note() {
        let c = farmland(vec![patch("P3", None, 10_000.0)]);
        let found = check("Z1", &c, true, 0.01);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].numbers["unreadable"], 1.0);
        assert!(found[0].message_en.contains("not reconciled (P3)"));
        // The layer has no TBMJ field: nothing to reconcile.
        assert!(check("Z1", &c, false, 0.01).is_empty());
    }
}
