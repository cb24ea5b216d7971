//! Overlay helpers on valid geometries in a metric CRS: areas, intersections, unions and
//! distances, with fast paths that never change the numbers.

use crate::model::Geom;
use geo::{Area, BooleanOps, BoundingRect, Distance, Euclidean, MultiPolygon, Polygon, Rect};

/// Area in square metres (the working CRS is metric).
pub fn area_m2(g: &Geom) -> f64 {
    g.unsigned_area()
}

/// True when the two boxes share interior or boundary.
pub fn boxes_intersect(a: &Rect<f64>, b: &Rect<f64>) -> bool {
    a.min().x <= b.max().x
        && b.min().x <= a.max().x
        && a.min().y <= b.max().y
        && b.min().y <= a.max().y
}

/// Intersection of two valid geometries; empty when their boxes do not meet.
pub fn intersection(a: &Geom, b: &Geom) -> Geom {
    match (a.bounding_rect(), b.bounding_rect()) {
        (Some(ra), Some(rb)) if boxes_intersect(&ra, &rb) => a.intersection(b),
        _ => MultiPolygon(vec![]),
    }
}

/// `a` minus `b`.
pub fn difference(a: &Geom, b: &Geom) -> Geom {
    match (a.bounding_rect(), b.bounding_rect()) {
        (Some(ra), Some(rb)) if boxes_intersect(&ra, &rb) => a.difference(b),
        _ => a.clone(),
    }
}

/// Union of many geometries (each valid, exteriors counter-clockwise).
pub fn union_all<'a>(geoms: impl IntoIterator<Item = &'a Geom>) -> Geom {
    let polys: Vec<&Polygon<f64>> = geoms.into_iter().flat_map(|g| g.0.iter()).collect();
    match polys.len() {
        0 => MultiPolygon(vec![]),
        1 => MultiPolygon(vec![polys[0].clone()]),
        _ => geo::unary_union(polys),
    }
}

/// True minimum distance between two geometries (0 when they touch or overlap).
pub fn distance_m(a: &Polygon<f64>, b: &Polygon<f64>) -> f64 {
    Euclidean.distance(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::wkt;

    #[test]
    fn edge_and_corner_touch_give_zero_overlap() {
        let a: Geom = wkt!(MULTIPOLYGON(((0. 0.,10. 0.,10. 10.,0. 10.,0. 0.))));
        let edge: Geom = wkt!(MULTIPOLYGON(((10. 0.,20. 0.,20. 10.,10. 10.,10. 0.))));
        let corner: Geom = wkt!(MULTIPOLYGON(((10. 10.,20. 10.,20. 20.,10. 20.,10. 10.))));
        assert_eq!(area_m2(&intersection(&a, &edge)), 0.0);
        assert_eq!(area_m2(&intersection(&a, &corner)), 0.0);
    }

    #[test]
    fn diagonal_gap_distance() {
        let a: Polygon<f64> = wkt!(POLYGON((0. 0.,10. 0.,10. 10.,0. 10.,0. 0.)));
        let b: Polygon<f64> = wkt!(POLYGON((13. 14.,20. 14.,20. 20.,13. 20.,13. 14.)));
        // Nearest points (10,10) and (13,14): a 3-4-5 triangle.
        assert!((distance_m(&a, &b) - 5.0).abs() < 1e-12);
    }
}
