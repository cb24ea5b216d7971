//! Overlay helpers on valid geometries in a metric CRS: areas, intersections, unions and
//! distances, with fast paths that never change the numbers.

use crate::model::Geom;
use geo::{Area, BooleanOps, BoundingRect, Coord, MultiPolygon, Polygon, Rect};

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

/// The smallest box holding both boxes.
pub fn box_union(a: Rect<f64>, b: Rect<f64>) -> Rect<f64> {
    Rect::new(
        geo::Coord {
            x: a.min().x.min(b.min().x),
            y: a.min().y.min(b.min().y),
        },
        geo::Coord {
            x: a.max().x.max(b.max().x),
            y: a.max().y.max(b.max().y),
        },
    )
}

/// Grows `extent` (none yet: nothing seen) to hold `b`.
pub fn grow_box(extent: &mut Option<Rect<f64>>, b: Rect<f64>) {
    *extent = Some(match *extent {
        None => b,
        Some(e) => box_union(e, b),
    });
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

/// Union of many geometries (each valid, rings of any orientation: valid input passes repair
/// as read, and geo's `unary_union` takes the fill side from the first ring's winding, so
/// polygons not wound exterior counter-clockwise / holes clockwise are reoriented first).
pub fn union_all<'a>(geoms: impl IntoIterator<Item = &'a Geom>) -> Geom {
    use geo::Winding;
    use std::borrow::Cow;
    let polys: Vec<Cow<'a, Polygon<f64>>> = geoms
        .into_iter()
        .flat_map(|g| g.0.iter())
        .map(|p| {
            if p.exterior().is_ccw() && p.interiors().iter().all(|h| h.is_cw()) {
                Cow::Borrowed(p)
            } else {
                Cow::Owned(geo::Orient::orient(p, geo::orient::Direction::Default))
            }
        })
        .collect();
    match polys.len() {
        0 => MultiPolygon(vec![]),
        1 => MultiPolygon(vec![polys[0].clone().into_owned()]),
        _ => geo::unary_union(polys.iter().map(|p| p.as_ref())),
    }
}

/// True minimum distance between two polygons (0 when they touch or overlap, or when one is
/// empty).
///
/// Two polygons apart are nearest between a vertex of one and an edge of the other, so the
/// distance is the least vertex-to-edge distance both ways: the vertices within the best
/// distance so far of the other polygon's box are swept by x against the edges whose x range
/// comes within that distance, in squared lengths (one square root at the end). The first
/// bound is the distance between the vertex of `a` nearest `b`'s box and the vertex of `b`
/// nearest that vertex.
pub fn distance_m(a: &Polygon<f64>, b: &Polygon<f64>) -> f64 {
    let (Some(ra), Some(rb)) = (a.bounding_rect(), b.bounding_rect()) else {
        return 0.0;
    };
    if boxes_intersect(&ra, &rb) && geo::Intersects::intersects(a, b) {
        return 0.0;
    }
    let vertices = |p: &'_ Polygon<f64>| {
        std::iter::once(p.exterior())
            .chain(p.interiors())
            .flat_map(|r| r.0.iter().copied())
            .collect::<Vec<Coord<f64>>>()
    };
    let (va, vb) = (vertices(a), vertices(b));
    let box_d2 = |c: Coord<f64>, r: &Rect<f64>| {
        let dx = (r.min().x - c.x).max(c.x - r.max().x).max(0.0);
        let dy = (r.min().y - c.y).max(c.y - r.max().y).max(0.0);
        dx * dx + dy * dy
    };
    let d2 = |p: Coord<f64>, q: Coord<f64>| (p.x - q.x) * (p.x - q.x) + (p.y - q.y) * (p.y - q.y);
    let Some(&start) = va
        .iter()
        .min_by(|p, q| box_d2(**p, &rb).total_cmp(&box_d2(**q, &rb)))
    else {
        return 0.0;
    };
    let mut best2 = vb
        .iter()
        .map(|&q| d2(start, q))
        .fold(f64::INFINITY, f64::min);
    best2 = vertex_edge_min2(&va, b, &ra, &rb, best2);
    best2 = vertex_edge_min2(&vb, a, &rb, &ra, best2);
    best2.sqrt()
}

/// The least of `best2` and the squared distances from `vertices` (of a polygon whose box is
/// `from_box`) to the edges of `to` (whose box is `to_box`): see [`distance_m`].
fn vertex_edge_min2(
    vertices: &[Coord<f64>],
    to: &Polygon<f64>,
    from_box: &Rect<f64>,
    to_box: &Rect<f64>,
    mut best2: f64,
) -> f64 {
    let within = |lo: f64, hi: f64, olo: f64, ohi: f64, d2: f64| {
        let gap = (lo - ohi).max(olo - hi).max(0.0);
        gap * gap <= d2
    };
    let near_box = |c: &Coord<f64>, r: &Rect<f64>, d2: f64| {
        let dx = (r.min().x - c.x).max(c.x - r.max().x).max(0.0);
        let dy = (r.min().y - c.y).max(c.y - r.max().y).max(0.0);
        dx * dx + dy * dy <= d2
    };
    let mut vs: Vec<Coord<f64>> = vertices
        .iter()
        .filter(|c| near_box(c, to_box, best2))
        .copied()
        .collect();
    if vs.is_empty() {
        return best2;
    }
    vs.sort_unstable_by(|p, q| p.x.total_cmp(&q.x));
    // Edges as (min x, max x, min y, max y, start, end), by min x.
    type Edge = (f64, f64, f64, f64, Coord<f64>, Coord<f64>);
    let mut edges: Vec<Edge> = std::iter::once(to.exterior())
        .chain(to.interiors())
        .flat_map(|r| r.0.windows(2).map(|w| (w[0], w[1])))
        .map(|(p, q)| (p.x.min(q.x), p.x.max(q.x), p.y.min(q.y), p.y.max(q.y), p, q))
        .filter(|e| {
            within(e.0, e.1, from_box.min().x, from_box.max().x, best2)
                && within(e.2, e.3, from_box.min().y, from_box.max().y, best2)
        })
        .collect();
    edges.sort_unstable_by(|p, q| p.0.total_cmp(&q.0));
    let mut next = 0;
    let mut active: Vec<usize> = Vec::new();
    for v in vs {
        // Edges starting within reach to the right come in; those ending out of reach to the
        // left go (the reach only shrinks and the vertices come by x).
        let reach = best2.sqrt();
        while next < edges.len() && edges[next].0 <= v.x + reach {
            active.push(next);
            next += 1;
        }
        active.retain(|&k| {
            let gap = v.x - edges[k].1;
            gap <= 0.0 || gap * gap <= best2
        });
        for &k in &active {
            let (_, _, ylo, yhi, p, q) = edges[k];
            if !within(ylo, yhi, v.y, v.y, best2) {
                continue;
            }
            best2 = best2.min(point_segment_d2(v, p, q));
        }
    }
    best2
}

/// Squared distance from `v` to the segment `p`–`q`.
fn point_segment_d2(v: Coord<f64>, p: Coord<f64>, q: Coord<f64>) -> f64 {
    let (dx, dy) = (q.x - p.x, q.y - p.y);
    let (ux, uy) = (v.x - p.x, v.y - p.y);
    let len2 = dx * dx + dy * dy;
    let t = ux * dx + uy * dy;
    if len2 <= 0.0 || t <= 0.0 {
        return ux * ux + uy * uy;
    }
    if t >= len2 {
        let (wx, wy) = (v.x - q.x, v.y - q.y);
        return wx * wx + wy * wy;
    }
    // Beside the segment: the perpendicular, cross² / len².
    let cross = ux * dy - uy * dx;
    (cross * cross / len2).max(0.0)
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

    /// A star-shaped ring of `n` vertices round `c` with radii in [r/2, r] (simple, any
    /// orientation), from `next`.
    pub(super) fn star(
        c: Coord<f64>,
        r: f64,
        n: usize,
        next: &mut impl FnMut() -> f64,
    ) -> Vec<Coord<f64>> {
        let mut pts: Vec<Coord<f64>> = (0..n)
            .map(|k| {
                let a = std::f64::consts::TAU * k as f64 / n as f64;
                let rr = r * (0.5 + 0.5 * next());
                Coord {
                    x: c.x + rr * a.cos(),
                    y: c.y + rr * a.sin(),
                }
            })
            .collect();
        pts.push(pts[0]);
        pts
    }

    /// The distance against geo's (`Euclidean`, an independent implementation with `hypot`):
    /// pairs of star polygons apart, with boxes apart or overlapping, interleaved, nested in a
    /// hole, overlapping or sharing an edge; within 1e-9 relative (the two round differently).
    #[test]
    fn distance_matches_geo_on_random_pairs() {
        use geo::{Distance, Euclidean, LineString};
        let mut next = crate::test_rng::unit_sequence(0xd157);
        let mut apart = 0;
        for case in 0..3000 {
            let n = 3 + (next() * 60.0) as usize;
            let m = 3 + (next() * 60.0) as usize;
            let r = 10.0 + next() * 500.0;
            let c1 = Coord {
                x: 500_000.0 + next() * 100.0,
                y: 3_300_000.0 + next() * 100.0,
            };
            let c2 = Coord {
                x: c1.x + (next() - 0.5) * 6.0 * r,
                y: c1.y + (next() - 0.5) * 6.0 * r,
            };
            let a = if case % 5 == 0 {
                // A hole that the other may sit in.
                let hole = star(c1, r * 0.45, 12, &mut next);
                Polygon::new(
                    LineString::new(super::tests::star(c1, r * 3.0, n, &mut next)),
                    vec![LineString::new(hole)],
                )
            } else {
                Polygon::new(
                    LineString::new(super::tests::star(c1, r, n, &mut next)),
                    vec![],
                )
            };
            let b = if case % 5 == 0 {
                Polygon::new(
                    LineString::new(super::tests::star(c1, r * 0.1, m, &mut next)),
                    vec![],
                )
            } else {
                Polygon::new(
                    LineString::new(super::tests::star(c2, r * (0.2 + next()), m, &mut next)),
                    vec![],
                )
            };
            let want = Euclidean.distance(&a, &b);
            let got = distance_m(&a, &b);
            assert!(
                (got - want).abs() <= 1e-9 * want.max(1.0),
                "case {case}: {got} vs geo {want}"
            );
            assert_eq!(got, distance_m(&b, &a));
            if want > 0.0 {
                apart += 1;
            }
        }
        assert!(apart > 1000, "{apart}");
        // Sharing an edge, and touching at a corner: 0.
        let sq = |x: f64, y: f64| -> Polygon<f64> {
            Polygon::new(
                LineString::from(vec![
                    (x, y),
                    (x + 1.0, y),
                    (x + 1.0, y + 1.0),
                    (x, y + 1.0),
                    (x, y),
                ]),
                vec![],
            )
        };
        assert_eq!(distance_m(&sq(0.0, 0.0), &sq(1.0, 0.0)), 0.0);
        assert_eq!(distance_m(&sq(0.0, 0.0), &sq(1.0, 1.0)), 0.0);
        assert_eq!(distance_m(&sq(0.0, 0.0), &sq(0.0, 3.0)), 2.0);
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
            }) && crossing_inside_polygon(p, poly)
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
        // i_overlay snaps both operands to a grid over their joint extent: a 200 km river band
        // against a 1 km zone part would be snapped at ~0.2 mm. Cut such an operand down to the
        // window of the other first (exact float clipping against a rectangle). A zone part
        // much larger than `other` is cut down to `other`'s window: the overlay then works on
        // the few edges near `other`, on a grid over that window.
        // Whole-metre corners: the overlay's grid is centred on its operands' box, so whole and
        // half metres keep their exact values through it (as with the part's own corners).
        let other_window = {
            let g = grown_rect(ob, 1.0 + 1e-3 * ob.width().max(ob.height()));
            Rect::new(
                Coord {
                    x: g.min().x.floor(),
                    y: g.min().y.floor(),
                },
                Coord {
                    x: g.max().x.ceil(),
                    y: g.max().y.ceil(),
                },
            )
        };
        let local: Vec<Polygon<f64>> = self
            .geom
            .0
            .iter()
            .zip(&self.part_boxes)
            .filter_map(|(p, b)| {
                let b = (*b).filter(|b| boxes_intersect(b, &ob))?;
                if b.width() > 2.0 * other_window.width()
                    || b.height() > 2.0 * other_window.height()
                {
                    clip_polygon_to_rect(p, &other_window)
                } else {
                    Some(p.clone())
                }
            })
            .collect();
        if local.is_empty() {
            return MultiPolygon(vec![]);
        }
        let window = local
            .iter()
            .filter_map(|p| p.bounding_rect())
            .reduce(box_union);
        let local = MultiPolygon(local);
        match window {
            Some(w) if ob.width() > 2.0 * w.width() || ob.height() > 2.0 * w.height() => {
                let w = grown_rect(w, 1.0 + 1e-3 * w.width().max(w.height()));
                local.intersection(&clip_to_rect(other, &w))
            }
            _ => local.intersection(other),
        }
    }
}

/// Clips every ring of `g` to the rectangle `r` (Sutherland–Hodgman, plain float arithmetic:
/// no snapping). Rings become possibly degenerate along the rectangle's sides, which the
/// overlay that follows resolves; the area inside `r` is unchanged.
pub fn clip_to_rect(g: &Geom, r: &Rect<f64>) -> Geom {
    MultiPolygon(
        g.0.iter()
            .filter_map(|p| clip_polygon_to_rect(p, r))
            .collect(),
    )
}

/// `r` grown by `margin` on every side.
fn grown_rect(r: Rect<f64>, margin: f64) -> Rect<f64> {
    Rect::new(
        Coord {
            x: r.min().x - margin,
            y: r.min().y - margin,
        },
        Coord {
            x: r.max().x + margin,
            y: r.max().y + margin,
        },
    )
}

/// One polygon of [`clip_to_rect`]; `None` when its exterior leaves nothing in `r`.
fn clip_polygon_to_rect(p: &Polygon<f64>, r: &Rect<f64>) -> Option<Polygon<f64>> {
    let clip_ring = |ring: &geo::LineString<f64>| -> Option<geo::LineString<f64>> {
        let mut pts: Vec<geo::Coord<f64>> = ring.0.clone();
        if pts.len() > 1 && pts.first() == pts.last() {
            pts.pop();
        }
        // (inside test, intersection with the boundary line) for the four sides.
        for side in 0..4 {
            if pts.is_empty() {
                return None;
            }
            let inside = |c: &geo::Coord<f64>| match side {
                0 => c.x >= r.min().x,
                1 => c.x <= r.max().x,
                2 => c.y >= r.min().y,
                _ => c.y <= r.max().y,
            };
            let cut = |a: geo::Coord<f64>, b: geo::Coord<f64>| -> geo::Coord<f64> {
                match side {
                    0 | 1 => {
                        let x = if side == 0 { r.min().x } else { r.max().x };
                        let t = (x - a.x) / (b.x - a.x);
                        geo::Coord {
                            x,
                            y: a.y + t * (b.y - a.y),
                        }
                    }
                    _ => {
                        let y = if side == 2 { r.min().y } else { r.max().y };
                        let t = (y - a.y) / (b.y - a.y);
                        geo::Coord {
                            x: a.x + t * (b.x - a.x),
                            y,
                        }
                    }
                }
            };
            let mut out = Vec::with_capacity(pts.len() + 4);
            for i in 0..pts.len() {
                let cur = pts[i];
                let prev = pts[(i + pts.len() - 1) % pts.len()];
                match (inside(&prev), inside(&cur)) {
                    (true, true) => out.push(cur),
                    (true, false) => out.push(cut(prev, cur)),
                    (false, true) => {
                        out.push(cut(prev, cur));
                        out.push(cur);
                    }
                    (false, false) => {}
                }
            }
            pts = out;
        }
        if pts.len() < 3 {
            return None;
        }
        let first = pts[0];
        pts.push(first);
        Some(geo::LineString::new(pts))
    };
    let ext = clip_ring(p.exterior())?;
    let holes = p.interiors().iter().filter_map(clip_ring).collect();
    Some(Polygon::new(ext, holes))
}

/// The parts of `b` (with boxes `b_boxes`) whose boxes meet `p`'s; `None` when `p` is empty.
fn parts_near(
    p: &Polygon<f64>,
    b: &Geom,
    b_boxes: &[Option<Rect<f64>>],
) -> Option<Vec<Polygon<f64>>> {
    let pb = p.bounding_rect()?;
    Some(
        b.0.iter()
            .zip(b_boxes)
            .filter(|(_, bb)| bb.is_some_and(|bb| boxes_intersect(&bb, &pb)))
            .map(|(q, _)| q.clone())
            .collect(),
    )
}

/// `a` minus `b`, part by part of `a` against only the parts of `b` near it, so each overlay
/// runs on a local extent (a finer i_overlay grid than the extent of both).
pub fn difference_local(a: &Geom, b: &Geom) -> Geom {
    let b_boxes: Vec<Option<Rect<f64>>> = b.0.iter().map(|p| p.bounding_rect()).collect();
    let mut out = Vec::new();
    for p in &a.0 {
        let Some(near) = parts_near(p, b, &b_boxes) else {
            continue;
        };
        if near.is_empty() {
            out.push(p.clone());
        } else {
            out.extend(
                MultiPolygon(vec![p.clone()])
                    .difference(&MultiPolygon(near))
                    .0,
            );
        }
    }
    MultiPolygon(out)
}

/// `a` ∩ `b`, part by part of `a` against only the parts of `b` whose boxes meet it: each overlay
/// runs on a local extent (a finer i_overlay grid, and far less work for big multi-part
/// geometries). The parts of a valid multipolygon do not overlap, so the pieces do not either.
pub fn intersection_local(a: &Geom, b: &Geom) -> Geom {
    let b_boxes: Vec<Option<Rect<f64>>> = b.0.iter().map(|p| p.bounding_rect()).collect();
    let mut out = Vec::new();
    for p in &a.0 {
        let Some(near) = parts_near(p, b, &b_boxes) else {
            continue;
        };
        if !near.is_empty() {
            out.extend(
                MultiPolygon(vec![p.clone()])
                    .intersection(&MultiPolygon(near))
                    .0,
            );
        }
    }
    MultiPolygon(out)
}

/// Union of many geometries, done per group of geometries whose boxes meet: a geometry that
/// meets no other passes through unchanged, and each group is overlaid on its own extent
/// (a finer i_overlay grid than the extent of everything).
pub fn union_local(geoms: Vec<Geom>) -> Geom {
    let geoms: Vec<Geom> = geoms.into_iter().filter(|g| !g.0.is_empty()).collect();
    if geoms.len() <= 1 {
        return geoms.into_iter().next().unwrap_or(MultiPolygon(vec![]));
    }
    let index = crate::spatial::index::BoxIndex::new(geoms.iter());
    let mut parent: Vec<usize> = (0..geoms.len()).collect();
    for (i, g) in geoms.iter().enumerate() {
        let Some(b) = g.bounding_rect() else { continue };
        for j in index.query(b, 0.0) {
            if j > i {
                let (a, c) = (find_root(&mut parent, i), find_root(&mut parent, j));
                if a != c {
                    parent[a] = c;
                }
            }
        }
    }
    let mut groups: std::collections::BTreeMap<usize, Vec<usize>> =
        std::collections::BTreeMap::new();
    for i in 0..geoms.len() {
        let root = find_root(&mut parent, i);
        groups.entry(root).or_default().push(i);
    }
    let mut out: Vec<Polygon<f64>> = Vec::new();
    for members in groups.into_values() {
        if members.len() == 1 {
            out.extend(geoms[members[0]].0.iter().cloned());
        } else {
            out.extend(union_all(members.iter().map(|&i| &geoms[i])).0);
        }
    }
    MultiPolygon(out)
}

/// Crossing-number test of a polygon: inside its exterior and outside its holes (a point on
/// the boundary may go either way).
pub(crate) fn crossing_inside_polygon(p: geo::Coord<f64>, poly: &Polygon<f64>) -> bool {
    crossing_inside(p, &poly.exterior().0)
        && !poly.interiors().iter().any(|h| crossing_inside(p, &h.0))
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
    fn union_local_equals_union() {
        let a: Geom = wkt!(MULTIPOLYGON(((0. 0.,10. 0.,10. 10.,0. 10.,0. 0.))));
        let b: Geom = wkt!(MULTIPOLYGON(((5. 0.,15. 0.,15. 10.,5. 10.,5. 0.))));
        let c: Geom = wkt!(MULTIPOLYGON(((100. 0.,110. 0.,110. 10.,100. 10.,100. 0.))));
        let u = union_local(vec![a, b, c]);
        // 15 × 10 + 10 × 10: the overlap of a and b counted once.
        assert!((u.unsigned_area() - 250.0).abs() < 1e-9);
    }

    #[test]
    fn rect_clip_keeps_the_area_inside() {
        // Square 0..100 with hole 40..60, clipped to 50..150 × −10..30: 50 × 30 = 1,500 m²
        // (the hole does not reach y < 40).
        let g: Geom = wkt!(MULTIPOLYGON(((0. 0.,100. 0.,100. 100.,0. 100.,0. 0.),(40. 40.,60. 40.,60. 60.,40. 60.,40. 40.))));
        let r = Rect::new(
            geo::Coord { x: 50., y: -10. },
            geo::Coord { x: 150., y: 30. },
        );
        assert!((clip_to_rect(&g, &r).unsigned_area() - 1500.0).abs() < 1e-9);
        // A window through the hole: 30..70 × 30..70 minus the 20 × 20 hole = 1,200 m².
        let r = Rect::new(geo::Coord { x: 30., y: 30. }, geo::Coord { x: 70., y: 70. });
        assert!((clip_to_rect(&g, &r).unsigned_area() - 1200.0).abs() < 1e-9);
    }

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

    /// Patches across the boundary of a zone part 100 times their size (a 2,000-vertex star
    /// with star holes), whose parts are cut down to each patch's window before the overlay:
    /// the same areas as the plain intersection (within its snapping on the part's extent), and
    /// inside plus outside make the patch.
    #[test]
    fn clip_of_a_large_part_to_the_window_keeps_the_areas() {
        use geo::LineString;
        let mut next = crate::test_rng::unit_sequence(0xc11b);
        let c = Coord {
            x: 500_000.0,
            y: 3_300_000.0,
        };
        let holes: Vec<LineString<f64>> = (0..6)
            .map(|k| {
                let a = k as f64;
                let hc = Coord {
                    x: c.x + 2_000.0 * a.cos(),
                    y: c.y + 2_000.0 * a.sin(),
                };
                LineString::new(super::tests::star(hc, 400.0, 300, &mut next))
            })
            .collect();
        let part = Polygon::new(
            LineString::new(super::tests::star(c, 6_000.0, 2_000, &mut next)),
            holes,
        );
        let zone = MultiPolygon(vec![part]);
        let prepared = PreparedArea::new(&zone);
        let mut crossing = 0;
        for _ in 0..150 {
            // On the exterior's band or round a hole.
            let (r, a) = (2_500.0 + next() * 4_000.0, next() * std::f64::consts::TAU);
            let pc = Coord {
                x: c.x + r * a.cos(),
                y: c.y + r * a.sin(),
            };
            let patch = MultiPolygon(vec![Polygon::new(
                LineString::new(super::tests::star(pc, 10.0 + next() * 90.0, 12, &mut next)),
                vec![],
            )]);
            let fast = prepared.clip(&patch).unsigned_area();
            let slow = intersection(&zone, &patch).unsigned_area();
            let whole = patch.unsigned_area();
            // The plain overlays snap to ~1e-5 m on the part's 12 km: up to ~5e-3 m² on a
            // patch's boundary of a few hundred metres.
            assert!((fast - slow).abs() < 1e-2, "{fast} vs {slow}");
            let outside = difference(&patch, &zone).unsigned_area();
            assert!(
                (fast + outside - whole).abs() < 1e-2,
                "{fast} + {outside} vs {whole}"
            );
            if fast > 0.0 && fast < whole - 1e-3 {
                crossing += 1;
            }
        }
        assert!(crossing > 20, "{crossing}");
    }
}

/// Root of `i` in a union-find forest stored as parent links (path halving).
pub fn find_root(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}
