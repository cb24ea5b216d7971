//! 整合后开发区范围不得相互重叠 (our inference): overlaps between merged zones
//! (`zone_overlap`).

use crate::analysis::findings::{fmt_area_en, fmt_area_zh};
use crate::analysis::rules::Rule;
use crate::analysis::ZoneResult;
use crate::model::{mu_from_m2, Geom};
use crate::spatial::index::BoxIndex;
use crate::spatial::overlay::{area_m2, intersection_local};
use crate::spatial::sliver;
use geo::BoundingRect;
use rayon::prelude::*;

/// Merged zones must not overlap each other: a blocking finding on both zones of each pair
/// whose overlap is more than slivers (see [`crate::spatial::sliver`]).
///
/// Example (the test below): two 10 m × 10 m zones shifted by 5 m overlap by 50 m²: both get a
/// `zone_overlap` about the other with `area_m2` = 50.
pub fn check_overlaps(zones: &mut [ZoneResult], tol: &sliver::Tolerances) {
    let index = BoxIndex::new(zones.iter().map(|z| &z.geometry));
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for (i, z) in zones.iter().enumerate() {
        let Some(bi) = z.geometry.bounding_rect() else {
            continue;
        };
        pairs.extend(
            index
                .query(bi, 0.0)
                .into_iter()
                .filter(|&j| j > i)
                .map(|j| (i, j)),
        );
    }
    pairs.sort_unstable();
    let found: Vec<(usize, usize, Geom, f64)> = pairs
        .into_par_iter()
        .filter_map(|(i, j)| {
            let g = intersection_local(&zones[i].geometry, &zones[j].geometry);
            let a = area_m2(&g);
            sliver::split(&g, tol).counts().then_some((i, j, g, a))
        })
        .collect();
    for (i, j, g, a) in found {
        for (me, other) in [(i, j), (j, i)] {
            let other_id = zones[other].id.clone();
            let f = Rule::ZoneOverlap
                .finding(Some(&zones[me].id))
                .msg(
                    format!("与整合后开发区 {other_id} 重叠 {}", fmt_area_zh(a)),
                    format!("overlaps merged zone {other_id} by {}", fmt_area_en(a)),
                )
                .num("area_m2", a)
                .num("area_mu", mu_from_m2(a))
                .refs(vec![other_id.clone()])
                .about(other_id)
                .geom(g.clone());
            zones[me].findings.push(f);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::analysis::rules::testing::{rect, result};

    #[test]
    fn both_zones_of_an_overlap_get_it() {
        let mut zones = [
            result("A", rect(0.0, 0.0, 10.0, 10.0)),
            result("B", rect(5.0, 0.0, 15.0, 10.0)),
            result("C", rect(100.0, 0.0, 110.0, 10.0)),
        ];
        check_overlaps(
            &mut zones,
            &crate::analysis::sliver_tolerances(&crate::model::settings::Rules::default()),
        );
        for (me, other) in [(0, "B"), (1, "A")] {
            let f = &zones[me].findings;
            assert_eq!(f.len(), 1);
            assert!(f[0].is(Rule::ZoneOverlap));
            assert_eq!(f[0].about.as_deref(), Some(other));
            assert!((f[0].numbers["area_m2"] - 50.0).abs() < 1e-6);
        }
        assert!(zones[2].findings.is_empty());
    }
}
