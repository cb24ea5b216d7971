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

/// An area prepared for clipping many small geometries against it: an R-tree of its boundary
/// segments lets a geometry whose box meets no boundary be classified wholly inside (it is its
/// own intersection, exactly) or wholly outside (empty) without an overlay; only geometries
/// crossing the boundary are overlaid, and then only with the parts near them.
pub struct PreparedArea<'a> {
    geom: &'a Geom,
    part_boxes: Vec<Option<Rect<f64>>>,
    edges: rstar::RTree<rstar::primitives::Rectangle<[f64; 2]>>,
}

impl<'a> PreparedArea<'a> {
    pub fn new(geom: &'a Geom) -> PreparedArea<'a> {
        let mut segs = Vec::new();
        for p in &geom.0 {
            for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
                for w in ring.0.windows(2) {
                    segs.push(rstar::primitives::Rectangle::from_corners(
                        [w[0].x.min(w[1].x), w[0].y.min(w[1].y)],
                        [w[0].x.max(w[1].x), w[0].y.max(w[1].y)],
                    ));
                }
            }
        }
        PreparedArea {
            geom,
            part_boxes: geom.0.iter().map(|p| p.bounding_rect()).collect(),
            edges: rstar::RTree::bulk_load(segs),
        }
    }

    /// The prepared geometry.
    pub fn geometry(&self) -> &Geom {
        self.geom
    }

    /// True when `p` is inside the area (`p` must not lie on its boundary).
    fn contains_point(&self, p: geo::Coord<f64>) -> bool {
        self.geom.0.iter().zip(&self.part_boxes).any(|(poly, b)| {
            b.is_some_and(|b| {
                b.min().x <= p.x && p.x <= b.max().x && b.min().y <= p.y && p.y <= b.max().y
            }) && crossing_inside(p, &poly.exterior().0)
                && !poly.interiors().iter().any(|h| crossing_inside(p, &h.0))
        })
    }

    /// Intersection of `other` (valid) with the area; equal to `intersection(area, other)`.
    pub fn clip(&self, other: &Geom) -> Geom {
        let Some(ob) = other.bounding_rect() else {
            return MultiPolygon(vec![]);
        };
        let env = rstar::AABB::from_corners([ob.min().x, ob.min().y], [ob.max().x, ob.max().y]);
        if self
            .edges
            .locate_in_envelope_intersecting(&env)
            .next()
            .is_none()
        {
            // No boundary within the box: wholly inside or wholly outside.
            let inside = other
                .0
                .first()
                .and_then(|p| p.exterior().0.first())
                .is_some_and(|&c| self.contains_point(c));
            return if inside {
                other.clone()
            } else {
                MultiPolygon(vec![])
            };
        }
        let local: Vec<Polygon<f64>> = self
            .geom
            .0
            .iter()
            .zip(&self.part_boxes)
            .filter(|(_, b)| b.is_some_and(|b| boxes_intersect(&b, &ob)))
            .map(|(p, _)| p.clone())
            .collect();
        if local.is_empty() {
            return MultiPolygon(vec![]);
        }
        MultiPolygon(local).intersection(other)
    }
}

/// Crossing-number test; the point is known not to be on the ring.
fn crossing_inside(p: geo::Coord<f64>, ring: &[geo::Coord<f64>]) -> bool {
    let mut inside = false;
    for w in ring.windows(2) {
        let (a, b) = (w[0], w[1]);
        if (a.y > p.y) != (b.y > p.y) {
            let x_at = a.x + (p.y - a.y) * (b.x - a.x) / (b.y - a.y);
            if p.x < x_at {
                inside = !inside;
            }
        }
    }
    inside
}

#[cfg(test)]
mod prepared_tests {
    use super::*;
    use geo::wkt;

    #[test]
    fn clip_matches_plain_intersection() {
        let zone: Geom = wkt!(MULTIPOLYGON(((0. 0.,100. 0.,100. 100.,0. 100.,0. 0.),(40. 40.,60. 40.,60. 60.,40. 60.,40. 40.)),((200. 0.,300. 0.,300. 100.,200. 100.,200. 0.))));
        let prepared = PreparedArea::new(&zone);
        let cases: Vec<Geom> = vec![
            wkt!(MULTIPOLYGON(((10. 10.,20. 10.,20. 20.,10. 20.,10. 10.)))), // inside
            wkt!(MULTIPOLYGON(((45. 45.,55. 45.,55. 55.,45. 55.,45. 45.)))), // in the hole
            wkt!(MULTIPOLYGON(((120. 10.,130. 10.,130. 20.,120. 20.,120. 10.)))), // between parts
            wkt!(MULTIPOLYGON(((90. 10.,110. 10.,110. 20.,90. 20.,90. 10.)))), // crossing
            wkt!(MULTIPOLYGON(((100. 10.,110. 10.,110. 20.,100. 20.,100. 10.)))), // touching
            wkt!(MULTIPOLYGON(((35. 35.,65. 35.,65. 65.,35. 65.,35. 35.)))), // around the hole
            wkt!(MULTIPOLYGON(((250. 50.,350. 50.,350. 150.,250. 150.,250. 50.)))), // second part
        ];
        for c in cases {
            let fast = prepared.clip(&c).unsigned_area();
            let slow = intersection(&zone, &c).unsigned_area();
            assert!((fast - slow).abs() < 1e-9, "{c:?}: {fast} vs {slow}");
        }
    }
}
