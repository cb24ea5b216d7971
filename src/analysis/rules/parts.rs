//! 严格控制分片区数量: the number of sub-areas (`parts`). A sub-area is a polygon of the
//! dissolved zone, so parts that touch along an edge are one sub-area; enclaves and small parts
//! count like any other (the guidance controls the number of 分片区, not only the contiguous
//! ones).

use crate::analysis::findings::Finding;
use crate::analysis::rules::Rule;
use crate::model::settings::Rules;
use crate::model::Geom;

/// `parts`: a warning when the zone (its dissolved `geometry`) has more parts than
/// `rules.max_parts`, with the count and the cap.
///
/// Example (the test below): 12 separate squares against the default cap of 10 give
/// `parts` = 12 and `max_parts` = 10; 10 squares give nothing.
pub fn check(zone_id: &str, geometry: &Geom, rules: &Rules) -> Vec<Finding> {
    let count = geometry.0.len();
    if count <= rules.max_parts as usize {
        return Vec::new();
    }
    vec![Rule::Parts
        .finding(Some(zone_id))
        .msg(
            format!(
                "开发区由 {count} 个分片区组成，超过上限 {} 个（相接的地块合为一个分片区）",
                rules.max_parts
            ),
            format!(
                "the zone has {count} sub-areas, more than the limit of {} (parcels that touch are one sub-area)",
                rules.max_parts
            ),
        )
        .num("parts", count as f64)
        .num("max_parts", rules.max_parts as f64)
        .geom(geometry.clone())]
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::analysis::rules::testing::rect;
    use crate::analysis::Severity;
    use geo::MultiPolygon;

    /// `n` squares of 50 m, 100 m apart in a row.
    fn row(n: usize) -> Geom {
        MultiPolygon(
            (0..n)
                .flat_map(|i| {
                    let x = i as f64 * 150.0;
                    rect(x, 0.0, x + 50.0, 50.0).0
                })
                .collect(),
        )
    }

    #[test]
    fn more_parts_than_the_cap_warn() {
        let rules = Rules::default();
        let found = check("Z1", &row(12), &rules);
        assert_eq!(found.len(), 1);
        let f = &found[0];
        assert!(f.is(Rule::Parts));
        assert_eq!(f.severity, Severity::Warning);
        assert_eq!(f.clause, Rule::Parts.spec().clause);
        assert_eq!(f.numbers["parts"], 12.0);
        assert_eq!(f.numbers["max_parts"], 10.0);
        // At the cap: nothing; a lower cap counts again.
        assert!(check("Z1", &row(10), &rules).is_empty());
        let strict = Rules {
            max_parts: 3,
            ..Rules::default()
        };
        assert_eq!(check("Z1", &row(4), &strict)[0].numbers["parts"], 4.0);
    }
}
