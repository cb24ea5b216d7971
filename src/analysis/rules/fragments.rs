//! 严格控制分片区数量: sub-areas smaller than the minimum sub-area (`fragment`).

use crate::analysis::findings::{fmt_area_by_en, fmt_area_by_zh, Finding};
use crate::analysis::rules::Rule;
use crate::analysis::PartInfo;
use crate::model::settings::Rules;
use crate::model::Geom;
use geo::{MultiPolygon, Polygon};

/// `fragment`: one warning listing the parts of `geometry` (described by `parts`, in the same
/// order) flagged as fragments (smaller than `rules.min_part_area_m2` by the area `rules.area`
/// chooses), with the smallest one's area.
///
/// Example (the test below): parts of 5 000 m² and 20 000 m² with the default minimum of
/// 10 000 m² give one fragment whose smallest area is 5 000 m².
pub fn check(zone_id: &str, geometry: &Geom, parts: &[PartInfo], rules: &Rules) -> Vec<Finding> {
    let zid = Some(zone_id);
    let mut findings = Vec::new();
    let fragments: Vec<&Polygon<f64>> = geometry
        .0
        .iter()
        .zip(parts)
        .filter(|(_, p)| p.fragment)
        .map(|(g, _)| g)
        .collect();
    if !fragments.is_empty() {
        let smallest = parts.iter().filter(|p| p.fragment).min_by(|a, b| {
            let by = |p: &PartInfo| rules.area.pick(p.area_m2, p.area_ellipsoid_m2);
            by(a).total_cmp(&by(b))
        });
        let (smallest, smallest_ellipsoid) =
            smallest.map_or((0.0, None), |p| (p.area_m2, p.area_ellipsoid_m2));
        findings.push(
            Rule::Fragment
                .finding(zid)
                .msg(
                    format!(
                        "{} 个分片区面积小于 {} m²（最小 {}）",
                        fragments.len(),
                        rules.min_part_area_m2,
                        fmt_area_by_zh(smallest, smallest_ellipsoid, rules.area)
                    ),
                    format!(
                        "{} sub-area(s) smaller than {} m² (smallest {})",
                        fragments.len(),
                        rules.min_part_area_m2,
                        fmt_area_by_en(smallest, smallest_ellipsoid, rules.area)
                    ),
                )
                .num("fragments", fragments.len() as f64)
                .num("smallest_area_m2", smallest)
                .geom(MultiPolygon(fragments.into_iter().cloned().collect())),
        );
    }
    if let (Some(f), Some(e)) = (findings.last_mut(), smallest_ellipsoid_of(parts, rules)) {
        f.numbers.insert("smallest_area_ellipsoid_m2".into(), e);
    }
    findings
}

/// The ellipsoidal area of the smallest fragment (by the area `rules.area` chooses), if known.
fn smallest_ellipsoid_of(parts: &[PartInfo], rules: &Rules) -> Option<f64> {
    parts
        .iter()
        .filter(|p| p.fragment)
        .min_by(|a, b| {
            let by = |p: &PartInfo| rules.area.pick(p.area_m2, p.area_ellipsoid_m2);
            by(a).total_cmp(&by(b))
        })
        .and_then(|p| p.area_ellipsoid_m2)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::analysis::rules::testing::{part, rect};

    #[test]
    fn the_parts_under_the_minimum_are_one_warning() {
        // Parts of 50 m × 100 m and 200 m × 100 m against the default 10 000 m².
        let geometry = MultiPolygon(
            [rect(0.0, 0.0, 50.0, 100.0), rect(100.0, 0.0, 300.0, 100.0)]
                .into_iter()
                .flat_map(|g| g.0)
                .collect(),
        );
        let parts = [part(5_000.0, true, false), part(20_000.0, false, false)];
        let found = check("Z1", &geometry, &parts, &Rules::default());
        assert_eq!(found.len(), 1);
        let f = &found[0];
        assert!(f.is(Rule::Fragment));
        assert_eq!(f.clause, Rule::Fragment.spec().clause);
        assert_eq!(f.numbers["fragments"], 1.0);
        assert_eq!(f.numbers["smallest_area_m2"], 5_000.0);
        assert_eq!(f.geometry.as_ref().map(|g| g.0.len()), Some(1));
        let parts = [part(20_000.0, false, false)];
        assert!(check(
            "Z1",
            &rect(0.0, 0.0, 200.0, 100.0),
            &parts,
            &Rules::default()
        )
        .is_empty());
    }
}
