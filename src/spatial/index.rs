//! R-tree over feature bounding boxes, for candidate lookups by box.

use crate::model::Geom;
use geo::{BoundingRect, Rect};
use std::sync::Arc;

/// A box as `[min x, min y, max x, max y]`.
pub type Bounds = [f64; 4];

/// Children per node of a [`PackedTree`].
const NODE: usize = 16;

/// A static R-tree packed into flat arrays (sort-tile-recursive order): the boxes and
/// positions of its entries, then the box of every node, level by level. 40 bytes per entry
/// and ~2.5 per node; rstar's tree of the same entries takes ~70 (a node's children in a `Vec`
/// each, every entry the size of a node). Built by two parallel sorts, queried without
/// allocating.
pub struct PackedTree {
    /// Entries' boxes, in tree order.
    boxes: Vec<Bounds>,
    /// Entries' positions (payloads), parallel to `boxes`.
    ids: Vec<usize>,
    /// Node boxes, the level just above the entries first, the root (one box) last.
    nodes: Vec<Bounds>,
    /// Where each level of `nodes` starts (and, last, `nodes.len()`).
    levels: Vec<usize>,
}

fn meets(a: &Bounds, b: &Bounds) -> bool {
    a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3]
}

fn union(boxes: &[Bounds]) -> Bounds {
    boxes.iter().fold(
        [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ],
        |u, b| {
            [
                u[0].min(b[0]),
                u[1].min(b[1]),
                u[2].max(b[2]),
                u[3].max(b[3]),
            ]
        },
    )
}

impl PackedTree {
    /// Packs `entries` (box, position); boxes must be finite with min ≤ max.
    pub fn new(mut entries: Vec<(Bounds, usize)>) -> PackedTree {
        use rayon::prelude::*;
        let n = entries.len();
        // Sort-tile-recursive: vertical slices of ⌈√(n / NODE)⌉ nodes' worth of entries by the
        // boxes' centres in x, each slice ordered by centre in y.
        let cx = |e: &(Bounds, usize)| e.0[0] + e.0[2];
        let cy = |e: &(Bounds, usize)| e.0[1] + e.0[3];
        entries.par_sort_unstable_by(|a, b| cx(a).total_cmp(&cx(b)).then(a.1.cmp(&b.1)));
        let leaves = n.div_ceil(NODE);
        let slices = (leaves as f64).sqrt().ceil().max(1.0) as usize;
        let per_slice = (leaves.div_ceil(slices) * NODE).max(1);
        entries
            .par_chunks_mut(per_slice)
            .for_each(|s| s.sort_unstable_by(|a, b| cy(a).total_cmp(&cy(b)).then(a.1.cmp(&b.1))));
        let mut boxes = Vec::with_capacity(n);
        let mut ids = Vec::with_capacity(n);
        for (b, id) in entries {
            boxes.push(b);
            ids.push(id);
        }
        let mut nodes: Vec<Bounds> = boxes.par_chunks(NODE).map(union).collect();
        let mut levels = vec![0];
        let mut start = 0;
        while nodes.len() - start > 1 {
            let level: Vec<Bounds> = nodes[start..].chunks(NODE).map(union).collect();
            start = nodes.len();
            levels.push(start);
            nodes.extend(level);
        }
        levels.push(nodes.len());
        PackedTree {
            boxes,
            ids,
            nodes,
            levels,
        }
    }

    pub fn len(&self) -> usize {
        self.boxes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.boxes.is_empty()
    }

    /// The union of every entry's box (`None`: no entries).
    pub fn envelope(&self) -> Option<Bounds> {
        self.nodes.last().copied()
    }

    /// Calls `visit` with the position and box of every entry whose box meets `query`
    /// (touching counts), in tree order.
    pub fn for_each_meeting(&self, query: &Bounds, mut visit: impl FnMut(usize, &Bounds)) {
        // The nodes of level `l` are nodes[levels[l]..levels[l + 1]]; level 0 is the one just
        // above the entries. Node k of level l covers items k·NODE .. (k+1)·NODE of the level
        // below (entries for l = 0).
        let Some(top) = self.levels.len().checked_sub(2) else {
            return;
        };
        let level_nodes = |l: usize| -> &[Bounds] {
            match (self.levels.get(l), self.levels.get(l + 1)) {
                (Some(&a), Some(&b)) => self.nodes.get(a..b).unwrap_or(&[]),
                _ => &[],
            }
        };
        let mut stack: Vec<(usize, usize)> =
            (0..level_nodes(top).len()).map(|k| (top, k)).collect();
        while let Some((level, k)) = stack.pop() {
            if !level_nodes(level).get(k).is_some_and(|b| meets(b, query)) {
                continue;
            }
            let first = k * NODE;
            if level == 0 {
                let last = (first + NODE).min(self.boxes.len());
                for i in first..last {
                    if let (Some(b), Some(&id)) = (self.boxes.get(i), self.ids.get(i)) {
                        if meets(b, query) {
                            visit(id, b);
                        }
                    }
                }
            } else {
                let last = (first + NODE).min(level_nodes(level - 1).len());
                stack.extend((first..last).rev().map(|c| (level - 1, c)));
            }
        }
    }

    /// Every entry (position and box), in tree order.
    #[cfg(test)]
    fn entries(&self) -> impl Iterator<Item = (usize, &Bounds)> + '_ {
        self.ids.iter().copied().zip(&self.boxes)
    }
}

/// Bounding boxes of a list of geometries in a [`PackedTree`] (or several built before, each
/// query asking only those whose box it meets).
pub struct BoxIndex {
    trees: Vec<Arc<PackedTree>>,
    len: usize,
}

/// `rect` grown by `margin` on each side.
pub fn grown(rect: Rect<f64>, margin: f64) -> Bounds {
    [
        rect.min().x - margin,
        rect.min().y - margin,
        rect.max().x + margin,
        rect.max().y + margin,
    ]
}

/// [`Bounds`] as a rectangle.
pub fn rect_of(b: &Bounds) -> Rect<f64> {
    Rect::new(
        geo::Coord { x: b[0], y: b[1] },
        geo::Coord { x: b[2], y: b[3] },
    )
}

/// A rectangle as [`Bounds`].
pub fn bounds_of(r: Rect<f64>) -> Bounds {
    grown(r, 0.0)
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
        // Sized exactly, and the boxes freed before the tree is built.
        let len = boxes.iter().filter(|b| b.is_some()).count();
        let mut entries: Vec<(Bounds, usize)> = Vec::with_capacity(len);
        entries.extend(
            boxes
                .iter()
                .enumerate()
                .filter_map(|(i, b)| Some((bounds_of((*b)?), i))),
        );
        drop(boxes);
        BoxIndex::from_trees([Arc::new(PackedTree::new(entries))])
    }

    /// An index made of trees built before, together holding each position once (the app's
    /// map has the boxes of a layer's features by size class: the check asks those instead of
    /// indexing the layer a second time).
    pub fn from_trees(trees: impl IntoIterator<Item = Arc<PackedTree>>) -> BoxIndex {
        let trees: Vec<Arc<PackedTree>> = trees.into_iter().filter(|t| !t.is_empty()).collect();
        let len = trees.iter().map(|t| t.len()).sum();
        BoxIndex { trees, len }
    }

    /// Calls `visit` for every entry whose box meets `query`, tree by tree.
    fn meeting(&self, query: &Bounds, mut visit: impl FnMut(usize, &Bounds)) {
        for t in &self.trees {
            if t.envelope().is_some_and(|e| meets(&e, query)) {
                t.for_each_meeting(query, &mut visit);
            }
        }
    }

    /// Indexes boxes; the payload of each entry is its position.
    pub fn from_rects(rects: impl IntoIterator<Item = Rect<f64>>) -> BoxIndex {
        let boxes: Vec<Option<Rect<f64>>> = rects.into_iter().map(Some).collect();
        BoxIndex::from_boxes(boxes)
    }

    /// Positions of the geometries whose box intersects `rect` grown by `margin` on each side,
    /// in ascending order.
    pub fn query(&self, rect: Rect<f64>, margin: f64) -> Vec<usize> {
        let mut out = Vec::new();
        self.meeting(&grown(rect, margin), |i, _| out.push(i));
        out.sort_unstable();
        out
    }

    /// As [`BoxIndex::query`], with each geometry's box (saves recomputing it from the
    /// vertices).
    pub fn query_boxes(&self, rect: Rect<f64>, margin: f64) -> Vec<(usize, Rect<f64>)> {
        let mut out = Vec::new();
        self.meeting(&grown(rect, margin), |i, b| out.push((i, rect_of(b))));
        out.sort_unstable_by_key(|(i, _)| *i);
        out
    }

    /// Calls `visit` with the position and box of every geometry whose box intersects `rect`,
    /// in the tree's order (not sorted: for callers that sort or count themselves).
    pub fn for_each_in(&self, rect: Rect<f64>, mut visit: impl FnMut(usize, Rect<f64>)) {
        self.meeting(&grown(rect, 0.0), |i, b| visit(i, rect_of(b)));
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

    /// Every entry a query's box meets (touching counts) and no other, for trees of 0, 1, a
    /// node's worth, one more, and several levels, with boxes that are points, lines and
    /// duplicates.
    #[test]
    fn a_packed_tree_finds_what_a_scan_finds() {
        let mut next = crate::test_rng::unit_sequence(7);
        for n in [
            0usize,
            1,
            2,
            NODE - 1,
            NODE,
            NODE + 1,
            NODE * NODE,
            NODE * NODE + 3,
            5_000,
        ] {
            let entries: Vec<(Bounds, usize)> = (0..n)
                .map(|i| {
                    let (x, y) = ((next() * 1_000.0).round(), (next() * 1_000.0).round());
                    let (w, h) = match i % 4 {
                        0 => (0.0, 0.0),                     // a point
                        1 => ((next() * 30.0).round(), 0.0), // a horizontal line
                        _ => ((next() * 30.0).round(), (next() * 30.0).round()),
                    };
                    ([x, y, x + w, y + h], i * 3 + 1)
                })
                .chain((0..n.min(3)).map(|i| ([5.0, 5.0, 6.0, 6.0], 100_000 + i)))
                .collect();
            let tree = PackedTree::new(entries.clone());
            assert_eq!(tree.len(), entries.len());
            assert_eq!(tree.envelope().is_none(), entries.is_empty());
            let mut all: Vec<(usize, Bounds)> = tree.entries().map(|(i, b)| (i, *b)).collect();
            all.sort_by_key(|(i, _)| *i);
            let mut want_all: Vec<(usize, Bounds)> =
                entries.iter().map(|(b, i)| (*i, *b)).collect();
            want_all.sort_by_key(|(i, _)| *i);
            assert_eq!(all, want_all, "n = {n}");
            for k in 0..60 {
                let (x, y) = (
                    (next() * 1_100.0).round() - 50.0,
                    (next() * 1_100.0).round() - 50.0,
                );
                let side = if k % 5 == 0 {
                    0.0
                } else {
                    (next() * 200.0).round()
                };
                let q = [x, y, x + side, y + side];
                let mut got = Vec::new();
                tree.for_each_meeting(&q, |i, b| got.push((i, *b)));
                got.sort_by_key(|(i, _)| *i);
                let mut scan: Vec<(usize, Bounds)> = entries
                    .iter()
                    .filter(|(b, _)| b[0] <= q[2] && q[0] <= b[2] && b[1] <= q[3] && q[1] <= b[3])
                    .map(|(b, i)| (*i, *b))
                    .collect();
                scan.sort_by_key(|(i, _)| *i);
                assert_eq!(got, scan, "n = {n}, query {k}");
            }
        }
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
    fn a_large_index_finds_what_a_scan_finds() {
        // Five levels of nodes, scattered by a fixed linear congruential sequence.
        let mut next = crate::test_rng::unit_sequence(12_345);
        let n = 75_536;
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
