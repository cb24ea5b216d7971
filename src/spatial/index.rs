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

impl BoxIndex {
    /// Indexes `geoms`; the payload of each entry is its position in the slice.
    pub fn new<'a>(geoms: impl IntoIterator<Item = &'a Geom>) -> BoxIndex {
        let entries: Vec<Entry> = geoms
            .into_iter()
            .enumerate()
            .filter_map(|(i, g)| Some(entry(i, g.bounding_rect()?)))
            .collect();
        BoxIndex {
            tree: RTree::bulk_load(entries),
        }
    }

    /// Indexes boxes; the payload of each entry is its position.
    pub fn from_rects(rects: impl IntoIterator<Item = Rect<f64>>) -> BoxIndex {
        let entries: Vec<Entry> = rects
            .into_iter()
            .enumerate()
            .map(|(i, r)| entry(i, r))
            .collect();
        BoxIndex {
            tree: RTree::bulk_load(entries),
        }
    }

    /// Positions of the geometries whose box intersects `rect` grown by `margin` on each side,
    /// in ascending order.
    pub fn query(&self, rect: Rect<f64>, margin: f64) -> Vec<usize> {
        let env = AABB::from_corners(
            [rect.min().x - margin, rect.min().y - margin],
            [rect.max().x + margin, rect.max().y + margin],
        );
        let mut out: Vec<usize> = self
            .tree
            .locate_in_envelope_intersecting(&env)
            .map(|e| e.data)
            .collect();
        out.sort_unstable();
        out
    }

    /// As [`BoxIndex::query`], with each geometry's box (saves recomputing it from the
    /// vertices).
    pub fn query_boxes(&self, rect: Rect<f64>, margin: f64) -> Vec<(usize, Rect<f64>)> {
        let env = AABB::from_corners(
            [rect.min().x - margin, rect.min().y - margin],
            [rect.max().x + margin, rect.max().y + margin],
        );
        let mut out: Vec<(usize, Rect<f64>)> = self
            .tree
            .locate_in_envelope_intersecting(&env)
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

    pub fn len(&self) -> usize {
        self.tree.size()
    }

    pub fn is_empty(&self) -> bool {
        self.tree.size() == 0
    }
}
