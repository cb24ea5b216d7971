//! R-tree over feature bounding boxes, for candidate lookups by box.

use crate::model::Geom;
use geo::{BoundingRect, Rect};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, RTreeObject, AABB};

type Entry = GeomWithData<Rectangle<[f64; 2]>, usize>;

/// Bounding boxes of a list of geometries, bulk-loaded into an R-tree.
pub struct BoxIndex {
    tree: RTree<Entry>,
}

fn entry(i: usize, r: Rect<f64>) -> Entry {
    GeomWithData::new(
        Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
        i,
    )
}

/// `rect` grown by `margin` on each side.
fn envelope(rect: Rect<f64>, margin: f64) -> AABB<[f64; 2]> {
    AABB::from_corners(
        [rect.min().x - margin, rect.min().y - margin],
        [rect.max().x + margin, rect.max().y + margin],
    )
}

impl BoxIndex {
    /// Indexes `geoms`; the payload of each entry is its position in the slice.
    pub fn new<'a>(geoms: impl IntoIterator<Item = &'a Geom>) -> BoxIndex {
        let boxes: Vec<Option<Rect<f64>>> = geoms.into_iter().map(|g| g.bounding_rect()).collect();
        BoxIndex::from_boxes(&boxes)
    }

    /// Indexes the features of a layer, their boxes computed in parallel (a province layer has
    /// a million); the payload of each entry is the feature's position.
    pub fn of_features(features: &[crate::model::Feature]) -> BoxIndex {
        use rayon::prelude::*;
        let boxes: Vec<Option<Rect<f64>>> = features
            .par_iter()
            .map(|f| f.geometry.bounding_rect())
            .collect();
        BoxIndex::from_boxes(&boxes)
    }

    /// Indexes boxes computed beforehand (`None`: a geometry without one, not indexed); the
    /// payload of each entry is its position.
    pub fn from_boxes(boxes: &[Option<Rect<f64>>]) -> BoxIndex {
        let entries: Vec<Entry> = boxes
            .iter()
            .enumerate()
            .filter_map(|(i, b)| Some(entry(i, (*b)?)))
            .collect();
        BoxIndex {
            tree: RTree::bulk_load(entries),
        }
    }

    /// Indexes boxes; the payload of each entry is its position.
    pub fn from_rects(rects: impl IntoIterator<Item = Rect<f64>>) -> BoxIndex {
        let boxes: Vec<Option<Rect<f64>>> = rects.into_iter().map(Some).collect();
        BoxIndex::from_boxes(&boxes)
    }

    /// Positions of the geometries whose box intersects `rect` grown by `margin` on each side,
    /// in ascending order.
    pub fn query(&self, rect: Rect<f64>, margin: f64) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .tree
            .locate_in_envelope_intersecting(&envelope(rect, margin))
            .map(|e| e.data)
            .collect();
        out.sort_unstable();
        out
    }

    /// As [`BoxIndex::query`], with each geometry's box (saves recomputing it from the
    /// vertices).
    pub fn query_boxes(&self, rect: Rect<f64>, margin: f64) -> Vec<(usize, Rect<f64>)> {
        let mut out: Vec<(usize, Rect<f64>)> = self
            .tree
            .locate_in_envelope_intersecting(&envelope(rect, margin))
            .map(|e| {
                let env = e.geom().envelope();
                let (lo, hi) = (env.lower(), env.upper());
                (
                    e.data,
                    Rect::new(
                        geo::Coord { x: lo[0], y: lo[1] },
                        geo::Coord { x: hi[0], y: hi[1] },
                    ),
                )
            })
            .collect();
        out.sort_unstable_by_key(|(i, _)| *i);
        out
    }

    /// Calls `visit` with the position and box of every geometry whose box intersects `rect`,
    /// in the tree's order (not sorted: for callers that sort or count themselves).
    pub fn for_each_in(&self, rect: Rect<f64>, mut visit: impl FnMut(usize, Rect<f64>)) {
        for e in self
            .tree
            .locate_in_envelope_intersecting(&envelope(rect, 0.0))
        {
            let env = e.geom().envelope();
            let (lo, hi) = (env.lower(), env.upper());
            visit(
                e.data,
                Rect::new(
                    geo::Coord { x: lo[0], y: lo[1] },
                    geo::Coord { x: hi[0], y: hi[1] },
                ),
            );
        }
    }

    pub fn len(&self) -> usize {
        self.tree.size()
    }

    pub fn is_empty(&self) -> bool {
        self.tree.size() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Coord, MultiPolygon};

    fn square(x: f64, y: f64) -> Geom {
        let r = Rect::new(
            Coord { x, y },
            Coord {
                x: x + 1.0,
                y: y + 1.0,
            },
        );
        MultiPolygon(vec![r.to_polygon()])
    }

    #[test]
    fn boxes_computed_beforehand_index_as_the_geometries_do() {
        let geoms = [
            square(0.0, 0.0),
            MultiPolygon(vec![]),
            square(5.0, 5.0),
            square(1.0, 0.5),
        ];
        let boxes: Vec<Option<Rect<f64>>> = geoms.iter().map(|g| g.bounding_rect()).collect();
        assert_eq!(boxes[1], None);
        let a = BoxIndex::new(geoms.iter());
        let b = BoxIndex::from_boxes(&boxes);
        assert_eq!(a.len(), 3);
        assert_eq!(b.len(), 3);
        let q = Rect::new(Coord { x: 0.5, y: 0.5 }, Coord { x: 1.2, y: 1.2 });
        assert_eq!(a.query(q, 0.0), vec![0, 3]);
        assert_eq!(b.query(q, 0.0), vec![0, 3]);
        // Touching counts; the boxes come back exactly.
        let touch = Rect::new(Coord { x: 6.0, y: 6.0 }, Coord { x: 7.0, y: 7.0 });
        assert_eq!(b.query_boxes(touch, 0.0), vec![(2, boxes[2].unwrap())]);
        assert_eq!(a.query(touch, 0.0), vec![2]);
    }
}
