//! 严禁任意扩大开发范围: the zone's area outside its member original zones (`expansion`).

use crate::analysis::findings::{fmt_area_by_en, fmt_area_by_zh, Finding, Severity};
use crate::analysis::rules::Rule;
use crate::analysis::sliver_tolerances;
use crate::analysis::zone::ZoneInput;
use crate::model::settings::Rules;
use crate::model::{mu_from_m2, Geom};
use crate::spatial::overlay::{area_m2, difference_local, union_local};
use crate::spatial::sliver;
use geo::MultiPolygon;

/// The area of `geometry` (of area `zone_area`) outside `member_geoms` (the members' original
/// zones, see [`members::member_geometries`](super::members::member_geometries)), and an
/// `expansion` finding when it is more than slivers (thin or tiny pieces, see
/// [`crate::spatial::sliver`]) or its slivers together exceed `rules.sliver_total_m2` (blocking with `rules.expansion_blocks`, else a warning).
///
/// With `ellipsoid` the area is also given on the CGCS2000 ellipsoid (returned second, and in
/// the finding's `area_ellipsoid_m2`); the message gives the area `rules.area` chooses.
///
/// Example (the test below): a 100 m × 100 m zone on a 100 m × 50 m member extends beyond it by
/// 5 000 m², half the zone.
pub fn check(
    z: &ZoneInput,
    geometry: &Geom,
    zone_area: f64,
    member_geoms: Vec<Geom>,
    rules: &Rules,
    ellipsoid: Option<&crate::spatial::ellipsoid::EllipsoidArea>,
) -> (f64, Option<f64>, Vec<Finding>) {
    let zid = Some(z.id.as_str());
    let mut findings = Vec::new();
    let members_union = union_local(member_geoms);
    let outside = difference_local(geometry, &members_union);
    let total = area_m2(&outside);
    let total_ellipsoid = ellipsoid.and_then(|e| e.area_m2(&outside));
    let pieces = sliver::split(&outside, &sliver_tolerances(rules));
    let real = pieces.counted().0;
    if pieces.counts() {
        let severity = if rules.expansion_blocks {
            Severity::Blocking
        } else {
            Severity::Warning
        };
        let share = if zone_area > 0.0 {
            total / zone_area
        } else {
            0.0
        };
        let basis_zh = if z.members.is_empty() {
            "全部原开发区"
        } else {
            "所整合原开发区"
        };
        let basis_en = if z.members.is_empty() {
            "all original zones"
        } else {
            "its member original zones"
        };
        findings.push(
            Rule::Expansion
                .finding(zid)
                .with_severity(severity)
                .msg(
                    format!(
                        "超出{basis_zh}范围 {}，占开发区面积 {}%，需说明理由",
                        fmt_area_by_zh(total, total_ellipsoid, rules.area),
                        crate::model::num::Fixed(share * 100.0, 2)
                    ),
                    format!(
                        "extends beyond {basis_en} by {}, {}% of the zone; needs a justification",
                        fmt_area_by_en(total, total_ellipsoid, rules.area),
                        crate::model::num::Fixed(share * 100.0, 2)
                    ),
                )
                .num("area_m2", total)
                .num("area_mu", mu_from_m2(total))
                .num("share", share)
                .num("pieces", real.len() as f64)
                .geom(MultiPolygon(real)),
        );
    }
    if let (Some(f), Some(e)) = (findings.last_mut(), total_ellipsoid) {
        f.numbers.insert("area_ellipsoid_m2".into(), e);
        f.numbers.insert("area_ellipsoid_mu".into(), mu_from_m2(e));
    }
    (total, total_ellipsoid, findings)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::analysis::rules::testing::{rect, zone_input};

    #[test]
    fn the_area_outside_the_members_is_the_expansion() {
        // 100 m × 100 m zone, member 100 m × 50 m: 5 000 m² outside, half the zone.
        let z = zone_input("Z1", &["Y1"], None);
        let zone = rect(0.0, 0.0, 100.0, 100.0);
        let member = rect(0.0, 0.0, 100.0, 50.0);
        let mut rules = Rules::default();
        let (total, ellipsoidal, found) =
            check(&z, &zone, 10_000.0, vec![member.clone()], &rules, None);
        assert_eq!(ellipsoidal, None);
        assert!((total - 5_000.0).abs() < 1e-6);
        assert_eq!(found.len(), 1);
        assert!(found[0].is(Rule::Expansion));
        assert_eq!(found[0].severity, Severity::Warning);
        assert!((found[0].numbers["share"] - 0.5).abs() < 1e-9);
        rules.expansion_blocks = true;
        let (_, _, found) = check(&z, &zone, 10_000.0, vec![member], &rules, None);
        assert_eq!(found[0].severity, Severity::Blocking);
        // Inside its member: no finding, nothing outside.
        let (total, _, found) = check(&z, &zone, 10_000.0, vec![zone.clone()], &rules, None);
        assert_eq!((total, found.len()), (0.0, 0));
    }
}
