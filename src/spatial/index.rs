//! R-tree over feature bounding boxes, for candidate lookups by box.

use crate::model::Geom;
use geo::{BoundingRect, Rect};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{Envelope, RTree, RTreeObject, AABB};
use std::sync::Arc;

/// A box and its position in the indexed list.
pub type Entry = GeomWithData<Rectangle<[f64; 2]>, usize>;

/// Boxes beyond which the index is split into strips loaded side by side.
const STRIP_BOXES: usize = 65_536;

/// Bounding boxes of a list of geometries, bulk-loaded into R-trees: one for a small list; for
/// a large one (a province's farmland), one per vertical strip of the boxes ordered by centre,
/// the strips loaded in parallel (rstar's bulk load runs on one thread) and each query asking
/// only the strips its box meets.
pub struct BoxIndex {
    strips: Vec<Strip>,
    len: usize,
}

struct Strip {
    /// The union of the strip's boxes.
    envelope: AABB<[f64; 2]>,
    /// Shared with whoever built it (the app's map indexes the same boxes by size class).
    tree: Arc<RTree<Entry>>,
}

fn entry(i: usize, r: Rect<f64>) -> Entry {
    GeomWithData::new(
        Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
        i,
    )
}

impl Strip {
    fn of(tree: Arc<RTree<Entry>>) -> Strip {
        Strip {
            envelope: tree.root().envelope(),
            tree,
        }
    }
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
        BoxIndex::from_boxes(boxes)
    }

    /// Indexes the features of a layer, their boxes computed in parallel (a province layer has
    /// a million); the payload of each entry is the feature's position.
    pub fn of_features(features: &[crate::model::Feature]) -> BoxIndex {
        use rayon::prelude::*;
        let boxes: Vec<Option<Rect<f64>>> = features
            .par_iter()
            .map(|f| f.geometry.bounding_rect())
            .collect();
        BoxIndex::from_boxes(boxes)
    }

    /// Indexes boxes computed beforehand (`None`: a geometry without one, not indexed); the
    /// payload of each entry is its position.
    pub fn from_boxes(boxes: Vec<Option<Rect<f64>>>) -> BoxIndex {
        use rayon::prelude::*;
        // Sized exactly, and the boxes freed before the trees are built (a province layer's
        // lists are 40 MB each).
        let len = boxes.iter().filter(|b| b.is_some()).count();
        let mut entries: Vec<Entry> = Vec::with_capacity(len);
        entries.extend(
            boxes
                .iter()
                .enumerate()
                .filter_map(|(i, b)| Some(entry(i, (*b)?))),
        );
        drop(boxes);
        let strips = if len <= STRIP_BOXES {
            vec![entries]
        } else {
            let centre = |e: &Entry| {
                let env = e.geom().envelope();
                env.lower()[0] + env.upper()[0]
            };
            entries.par_sort_unstable_by(|a, b| centre(a).total_cmp(&centre(b)));
            let count = (rayon::current_num_threads() * 2).max(2);
            let size = len.div_ceil(count);
            let mut strips = Vec::with_capacity(count);
            while entries.len() > size {
                let rest = entries.split_off(entries.len() - size);
                // Give the moved tail back rather than hold the list twice.
                entries.shrink_to_fit();
                strips.push(rest);
            }
            strips.push(entries);
            strips
        };
        let strips: Vec<Strip> = strips
            .into_par_iter()
            .map(|entries| Arc::new(RTree::bulk_load(entries)))
            .collect::<Vec<_>>()
            .into_iter()
            .map(Strip::of)
            .collect();
        BoxIndex { strips, len }
    }

    /// An index made of trees built before, together holding each position once (the app's
    /// map has the boxes of a layer's features by size class: the check asks those instead of
    /// indexing the layer a second time).
    pub fn from_trees(trees: impl IntoIterator<Item = Arc<RTree<Entry>>>) -> BoxIndex {
        let strips: Vec<Strip> = trees
            .into_iter()
            .filter(|t| t.size() > 0)
            .map(Strip::of)
            .collect();
        let len = strips.iter().map(|s| s.tree.size()).sum();
        BoxIndex { strips, len }
    }

    /// The entries whose box intersects `env`, strip by strip.
    fn intersecting(&self, env: AABB<[f64; 2]>) -> impl Iterator<Item = &Entry> + '_ {
        self.strips
            .iter()
            .filter(move |s| s.envelope.intersects(&env))
            .flat_map(move |s| s.tree.locate_in_envelope_intersecting(&env))
    }

    /// Indexes boxes; the payload of each entry is its position.
    pub fn from_rects(rects: impl IntoIterator<Item = Rect<f64>>) -> BoxIndex {
        let boxes: Vec<Option<Rect<f64>>> = rects.into_iter().map(Some).collect();
        BoxIndex::from_boxes(boxes)
    }

    /// Positions of the geometries whose box intersects `rect` grown by `margin` on each side,
    /// in ascending order.
    pub fn query(&self, rect: Rect<f64>, margin: f64) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .intersecting(envelope(rect, margin))
            .map(|e| e.data)
            .collect();
        out.sort_unstable();
        out
    }

    /// As [`BoxIndex::query`], with each geometry's box (saves recomputing it from the
    /// vertices).
    pub fn query_boxes(&self, rect: Rect<f64>, margin: f64) -> Vec<(usize, Rect<f64>)> {
        let mut out: Vec<(usize, Rect<f64>)> = self
            .intersecting(envelope(rect, margin))
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
        for e in self.intersecting(envelope(rect, 0.0)) {
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
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
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
        let b = BoxIndex::from_boxes(boxes.clone());
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

    #[test]
    fn a_large_index_split_into_strips_finds_what_a_scan_finds() {
        // More boxes than STRIP_BOXES, scattered by a fixed linear congruential sequence.
        let mut next = crate::test_rng::unit_sequence(12_345);
        let n = STRIP_BOXES + 10_000;
        let boxes: Vec<Option<Rect<f64>>> = (0..n)
            .map(|i| {
                if i % 997 == 0 {
                    return None;
                }
                let (x, y) = (next() * 10_000.0, next() * 30_000.0);
                let (w, h) = (next() * 40.0, next() * 40.0);
                Some(Rect::new(Coord { x, y }, Coord { x: x + w, y: y + h }))
            })
            .collect();
        let index = BoxIndex::from_boxes(boxes.clone());
        assert!(index.strips.len() > 1);
        assert_eq!(index.len(), boxes.iter().flatten().count());
        for k in 0..200 {
            let (x, y) = (next() * 10_000.0, next() * 30_000.0);
            let side = if k % 10 == 0 { 3_000.0 } else { 60.0 };
            let q = Rect::new(
                Coord { x, y },
                Coord {
                    x: x + side,
                    y: y + side,
                },
            );
            let margin = if k % 2 == 0 { 0.0 } else { 5.0 };
            let grown = Rect::new(
                Coord {
                    x: x - margin,
                    y: y - margin,
                },
                Coord {
                    x: x + side + margin,
                    y: y + side + margin,
                },
            );
            let scan: Vec<usize> = boxes
                .iter()
                .enumerate()
                .filter(|(_, b)| {
                    b.is_some_and(|b| {
                        b.min().x <= grown.max().x
                            && grown.min().x <= b.max().x
                            && b.min().y <= grown.max().y
                            && grown.min().y <= b.max().y
                    })
                })
                .map(|(i, _)| i)
                .collect();
            assert_eq!(index.query(q, margin), scan, "query {k}");
            let with_boxes: Vec<(usize, Rect<f64>)> =
                scan.iter().map(|&i| (i, boxes[i].unwrap())).collect();
            assert_eq!(index.query_boxes(q, margin), with_boxes, "query {k}");
            if margin == 0.0 {
                let mut seen = Vec::new();
                index.for_each_in(q, |i, b| {
                    assert_eq!(Some(b), boxes[i]);
                    seen.push(i);
                });
                seen.sort_unstable();
                assert_eq!(seen, scan, "query {k}");
            }
        }
    }
}
