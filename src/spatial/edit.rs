//! Geometry changes of the drawing tools: move, insert and delete a vertex, move and delete a
//! part, add a drawn part, cut a drawn hole, split along a drawn line, trace along a boundary,
//! and the nearest vertex or edge under the pointer (for picking and snapping).
//!
//! Every function returns a new geometry (or the reason it cannot) and leaves its input alone;
//! the app wraps the result in a [`crate::model::edit::PlanEdit`]. A vertex change that would
//! make a ring cross itself, another ring or another part of the feature is refused, so an edit
//! never turns a valid zone into an invalid one. Drawn polygons go through the overlay (union
//! or difference), which resolves a drawn outline that crosses itself.

use crate::model::{Geom, Text};
use geo::line_intersection::{line_intersection, LineIntersection};
use geo::{Area, BooleanOps, BoundingRect, Coord, Line, LineString, MultiPolygon, Polygon};

/// A vertex (or the edge that starts at it) of a feature: part, ring (0 = exterior, k = hole
/// k − 1) and position in the ring (0 ≤ index < number of distinct vertices; the closing
/// coordinate repeats vertex 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct VertexRef {
    pub part: usize,
    pub ring: usize,
    pub index: usize,
}

/// Why a geometry change is refused; the geometry is then unchanged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GeomEditError {
    /// The part, ring or vertex is not in the geometry.
    NotFound,
    /// A ring would have fewer than three vertices.
    TooFewVertices,
    /// The change would make a boundary cross itself, another ring or another part.
    Crossing,
    /// The only part of a feature cannot be deleted (delete the feature instead).
    LastPart,
    /// A drawn outline needs at least three distinct points enclosing some area.
    DrawnTooSmall,
    /// The drawn line does not cut the feature into pieces.
    NoSplit,
    /// The hole would remove the whole feature, or nothing of it.
    HoleOutside,
    /// A moved part would overlap another part of the feature.
    PartsOverlap,
}

impl GeomEditError {
    /// The reason in both languages.
    pub fn text(&self) -> Text {
        let (zh, en) = match self {
            GeomEditError::NotFound => ("所选节点或部件已不存在", "the vertex or part is gone"),
            GeomEditError::TooFewVertices => (
                "环至少需要三个节点；要删除整个部件，请用“删除部件”",
                "a ring needs at least three vertices; use \"Delete part\" to remove the part",
            ),
            GeomEditError::Crossing => (
                "修改会使边界自相交或与其他环、部件相交，已取消",
                "the change would make the boundary cross itself or another ring or part; not applied",
            ),
            GeomEditError::LastPart => (
                "这是该要素唯一的部件；要删除整个要素，请在属性面板中删除要素",
                "this is the feature's only part; delete the feature in the properties panel",
            ),
            GeomEditError::DrawnTooSmall => (
                "绘制的图形至少需要三个不同的点并围成一定面积",
                "a drawn outline needs three distinct points enclosing some area",
            ),
            GeomEditError::NoSplit => (
                "分割线没有把要素分成两块以上：线须完整穿过要素",
                "the line does not cut the feature into pieces: it must cross it completely",
            ),
            GeomEditError::HoleOutside => (
                "绘制的洞与要素不相交，或覆盖了整个要素",
                "the drawn hole misses the feature or covers all of it",
            ),
            GeomEditError::PartsOverlap => (
                "移动后的部件会与该要素的其他部件重叠，已取消",
                "the moved part would overlap another part of the feature; not applied",
            ),
        };
        Text::new(zh, en)
    }
}

fn ring_of(p: &Polygon<f64>, ring: usize) -> Option<&LineString<f64>> {
    if ring == 0 {
        Some(p.exterior())
    } else {
        p.interiors().get(ring - 1)
    }
}

/// The distinct vertices of a closed ring (the closing coordinate left off).
fn distinct(ls: &LineString<f64>) -> &[Coord<f64>] {
    let c = &ls.0;
    if c.len() >= 2 && c.first() == c.last() {
        &c[..c.len() - 1]
    } else {
        c
    }
}

/// The distinct vertices of ring `ring` of part `part`.
pub fn ring_vertices(g: &Geom, part: usize, ring: usize) -> Option<&[Coord<f64>]> {
    g.0.get(part).and_then(|p| ring_of(p, ring)).map(distinct)
}

/// Rebuilds part `part` with ring `ring` replaced by `vertices` (closed here).
fn with_ring(g: &Geom, part: usize, ring: usize, vertices: Vec<Coord<f64>>) -> Geom {
    let mut out = g.clone();
    let p = &mut out.0[part];
    let mut closed = vertices;
    if let Some(&first) = closed.first() {
        closed.push(first);
    }
    let ls = LineString(closed);
    if ring == 0 {
        let holes = p.interiors().to_vec();
        *p = Polygon::new(ls, holes);
    } else {
        let mut holes = p.interiors().to_vec();
        holes[ring - 1] = ls;
        *p = Polygon::new(p.exterior().clone(), holes);
    }
    out
}

/// True when segment `s` meets any segment of `g` other than the ones in `skip` (which share an
/// end with it by construction) — a proper crossing, a touch or a collinear overlap all count.
fn crosses(g: &Geom, s: Line<f64>, skip: &[(usize, usize, usize)]) -> bool {
    let (lo_x, hi_x) = (s.start.x.min(s.end.x), s.start.x.max(s.end.x));
    let (lo_y, hi_y) = (s.start.y.min(s.end.y), s.start.y.max(s.end.y));
    for (pi, p) in g.0.iter().enumerate() {
        for (ri, ring) in std::iter::once(p.exterior())
            .chain(p.interiors())
            .enumerate()
        {
            for (k, w) in ring.0.windows(2).enumerate() {
                if skip.contains(&(pi, ri, k)) {
                    continue;
                }
                let (a, b) = (w[0], w[1]);
                if a.x.max(b.x) < lo_x
                    || a.x.min(b.x) > hi_x
                    || a.y.max(b.y) < lo_y
                    || a.y.min(b.y) > hi_y
                {
                    continue;
                }
                if line_intersection(s, Line::new(a, b)).is_some() {
                    return true;
                }
            }
        }
    }
    false
}

/// Segments `(part, ring, k)` of the ring around vertex `i` of `n` distinct vertices: the one
/// ending at it and the one starting at it.
fn around(v: VertexRef, n: usize) -> [(usize, usize, usize); 2] {
    [
        (v.part, v.ring, (v.index + n - 1) % n),
        (v.part, v.ring, v.index),
    ]
}

/// True when the new segments touch only where they must: each new segment may meet the old
/// ring only at the segments next to it, which share its ends.
fn new_segments_cross(after: &Geom, v: VertexRef, n_after: usize, segments: &[usize]) -> bool {
    let Some(ring) = after.0.get(v.part).and_then(|p| ring_of(p, v.ring)) else {
        return true;
    };
    for &k in segments {
        let s = Line::new(ring.0[k], ring.0[k + 1]);
        let prev = (v.part, v.ring, (k + n_after - 1) % n_after);
        let next = (v.part, v.ring, (k + 1) % n_after);
        if crosses_except_neighbours(after, s, (v.part, v.ring, k), prev, next) {
            return true;
        }
    }
    false
}

/// Like [`crosses`], but the neighbouring segments may share the segment's end points (and
/// only those: a neighbour folding back over it counts).
fn crosses_except_neighbours(
    g: &Geom,
    s: Line<f64>,
    itself: (usize, usize, usize),
    prev: (usize, usize, usize),
    next: (usize, usize, usize),
) -> bool {
    if crosses(g, s, &[itself, prev, next]) {
        return true;
    }
    for (seg, shared) in [(prev, s.start), (next, s.end)] {
        let Some(ring) = g.0.get(seg.0).and_then(|p| ring_of(p, seg.1)) else {
            continue;
        };
        let other = Line::new(ring.0[seg.2], ring.0[seg.2 + 1]);
        if other == s || (other.start == s.end && other.end == s.start) {
            return true;
        }
        match line_intersection(s, other) {
            Some(LineIntersection::SinglePoint { intersection, .. }) if intersection == shared => {}
            None => {}
            _ => return true,
        }
    }
    false
}

/// True when part `part` of `g` (whose boundaries cross nowhere, as checked before) still
/// nests as a polygon must: every hole inside its exterior and outside the other holes, and no
/// other part inside it or it inside another part. A vertex move can sweep an edge right over
/// a hole or a small part without any final crossing; this catches that.
fn nesting_ok(g: &Geom, part: usize) -> bool {
    use geo::coordinate_position::{CoordPos, CoordinatePosition};
    let Some(p) = g.0.get(part) else {
        return false;
    };
    let shell = Polygon::new(p.exterior().clone(), vec![]);
    let holes: Vec<Polygon<f64>> = p
        .interiors()
        .iter()
        .map(|h| Polygon::new(h.clone(), vec![]))
        .collect();
    for (i, h) in p.interiors().iter().enumerate() {
        let Some(c) = h.0.first() else { continue };
        if shell.coordinate_position(c) != CoordPos::Inside {
            return false;
        }
        if holes
            .iter()
            .enumerate()
            .any(|(j, other)| i != j && other.coordinate_position(c) == CoordPos::Inside)
        {
            return false;
        }
    }
    for (qi, q) in g.0.iter().enumerate() {
        if qi == part {
            continue;
        }
        if let Some(c) = q.exterior().0.first() {
            if p.coordinate_position(c) == CoordPos::Inside {
                return false;
            }
        }
        if let Some(c) = p.exterior().0.first() {
            if q.coordinate_position(c) == CoordPos::Inside {
                return false;
            }
        }
    }
    true
}

/// Vertex `v` moved to `to`.
pub fn move_vertex(g: &Geom, v: VertexRef, to: Coord<f64>) -> Result<Geom, GeomEditError> {
    let verts = ring_vertices(g, v.part, v.ring).ok_or(GeomEditError::NotFound)?;
    let n = verts.len();
    if v.index >= n || n < 3 {
        return Err(GeomEditError::NotFound);
    }
    if !(to.x.is_finite() && to.y.is_finite()) {
        return Err(GeomEditError::Crossing);
    }
    let (prev, next) = (verts[(v.index + n - 1) % n], verts[(v.index + 1) % n]);
    if to == prev || to == next {
        // Dropped onto a neighbour: the two become one.
        return delete_vertex(g, v);
    }
    let mut moved = verts.to_vec();
    moved[v.index] = to;
    let after = with_ring(g, v.part, v.ring, moved);
    let [a, b] = around(v, n);
    if new_segments_cross(&after, v, n, &[a.2, b.2]) || !nesting_ok(&after, v.part) {
        return Err(GeomEditError::Crossing);
    }
    Ok(after)
}

/// A new vertex at `at` on the edge that starts at vertex `edge` (it becomes vertex
/// `edge.index + 1`).
pub fn insert_vertex(g: &Geom, edge: VertexRef, at: Coord<f64>) -> Result<Geom, GeomEditError> {
    let verts = ring_vertices(g, edge.part, edge.ring).ok_or(GeomEditError::NotFound)?;
    let n = verts.len();
    if edge.index >= n || n < 3 {
        return Err(GeomEditError::NotFound);
    }
    if !(at.x.is_finite() && at.y.is_finite()) {
        return Err(GeomEditError::Crossing);
    }
    if at == verts[edge.index] || at == verts[(edge.index + 1) % n] {
        return Ok(g.clone());
    }
    let mut more = verts.to_vec();
    more.insert(edge.index + 1, at);
    let after = with_ring(g, edge.part, edge.ring, more);
    let v = VertexRef {
        index: edge.index + 1,
        ..edge
    };
    if new_segments_cross(&after, v, n + 1, &[edge.index, edge.index + 1])
        || !nesting_ok(&after, edge.part)
    {
        return Err(GeomEditError::Crossing);
    }
    Ok(after)
}

/// Vertex `v` removed (its neighbours joined).
pub fn delete_vertex(g: &Geom, v: VertexRef) -> Result<Geom, GeomEditError> {
    let verts = ring_vertices(g, v.part, v.ring).ok_or(GeomEditError::NotFound)?;
    let n = verts.len();
    if v.index >= n {
        return Err(GeomEditError::NotFound);
    }
    if n <= 3 {
        return Err(GeomEditError::TooFewVertices);
    }
    let mut fewer = verts.to_vec();
    fewer.remove(v.index);
    let after = with_ring(g, v.part, v.ring, fewer);
    let k = (v.index + n - 2) % (n - 1);
    let joined = VertexRef {
        index: (k + 1) % (n - 1),
        ..v
    };
    if new_segments_cross(&after, joined, n - 1, &[k]) || !nesting_ok(&after, v.part) {
        return Err(GeomEditError::Crossing);
    }
    if after.0[v.part].unsigned_area() <= 0.0 {
        return Err(GeomEditError::TooFewVertices);
    }
    Ok(after)
}

/// Part `part` moved by `(dx, dy)`; refused when it would then overlap another part.
pub fn translate_part(g: &Geom, part: usize, dx: f64, dy: f64) -> Result<Geom, GeomEditError> {
    use geo::{Intersects, Translate};
    let p = g.0.get(part).ok_or(GeomEditError::NotFound)?;
    if !(dx.is_finite() && dy.is_finite()) {
        return Err(GeomEditError::Crossing);
    }
    let moved = p.translate(dx, dy);
    for (i, q) in g.0.iter().enumerate() {
        if i != part && moved.intersects(q) {
            return Err(GeomEditError::PartsOverlap);
        }
    }
    let mut out = g.clone();
    out.0[part] = moved;
    Ok(out)
}

/// Part `part` removed; a feature's only part cannot be.
pub fn delete_part(g: &Geom, part: usize) -> Result<Geom, GeomEditError> {
    if part >= g.0.len() {
        return Err(GeomEditError::NotFound);
    }
    if g.0.len() == 1 {
        return Err(GeomEditError::LastPart);
    }
    let mut out = g.clone();
    out.0.remove(part);
    Ok(out)
}

/// A drawn outline as a valid geometry: consecutive repeats dropped, an outline that crosses
/// itself resolved by the overlay.
pub fn drawn_polygon(points: &[Coord<f64>]) -> Result<Geom, GeomEditError> {
    let mut pts: Vec<Coord<f64>> = Vec::with_capacity(points.len() + 1);
    for &p in points {
        if !(p.x.is_finite() && p.y.is_finite()) {
            return Err(GeomEditError::DrawnTooSmall);
        }
        if pts.last() != Some(&p) {
            pts.push(p);
        }
    }
    while pts.len() > 1 && pts.first() == pts.last() {
        pts.pop();
    }
    if pts.len() < 3 {
        return Err(GeomEditError::DrawnTooSmall);
    }
    // (A bow tie's signed area is zero: only the resolved outline's area tells.)
    let raw = Polygon::new(LineString(pts), vec![]);
    // The union with nothing resolves a self-crossing outline into its lobes.
    let clean = MultiPolygon(vec![raw]).union(&MultiPolygon::<f64>(vec![]));
    if clean.unsigned_area() <= 0.0 {
        return Err(GeomEditError::DrawnTooSmall);
    }
    Ok(clean)
}

/// `g` with the drawn outline added: a new part, or joined to the parts it meets.
pub fn add_part(g: &Geom, points: &[Coord<f64>]) -> Result<Geom, GeomEditError> {
    let drawn = drawn_polygon(points)?;
    Ok(g.union(&drawn))
}

/// `g` with the drawn outline cut out.
pub fn cut_hole(g: &Geom, points: &[Coord<f64>]) -> Result<Geom, GeomEditError> {
    let drawn = drawn_polygon(points)?;
    let before = g.unsigned_area();
    let after = g.difference(&drawn);
    let a = after.unsigned_area();
    if after.0.is_empty() || a <= 0.0 || (before - a).abs() <= before * 1e-12 {
        return Err(GeomEditError::HoleOutside);
    }
    Ok(after)
}

/// The parts of `g` crossed by `line`, cut along it. Returns the pieces of the crossed parts
/// (each a one-part geometry) and the parts the line leaves whole, or [`GeomEditError::NoSplit`]
/// when the line cuts nothing. The pieces and the whole parts together have the area of `g`.
pub fn split(g: &Geom, line: &[Coord<f64>]) -> Result<(Vec<Geom>, Geom), GeomEditError> {
    use i_overlay::core::fill_rule::FillRule;
    use i_overlay::float::slice::FloatSlice;
    if line.len() < 2 || line.iter().any(|c| !(c.x.is_finite() && c.y.is_finite())) {
        return Err(GeomEditError::NoSplit);
    }
    let mut pieces = Vec::new();
    let mut whole = Vec::new();
    for p in &g.0 {
        let Some(bb) = p.bounding_rect() else {
            continue;
        };
        // Local coordinates keep the overlay's integer grid fine.
        let o = bb.min();
        let local = |c: &Coord<f64>| [c.x - o.x, c.y - o.y];
        let contours: Vec<Vec<[f64; 2]>> = std::iter::once(p.exterior())
            .chain(p.interiors())
            .map(|r| distinct(r).iter().map(local).collect())
            .collect();
        let path: Vec<[f64; 2]> = line.iter().map(local).collect();
        let shapes = contours.slice_by(&path, FillRule::EvenOdd);
        if shapes.len() < 2 {
            whole.push(p.clone());
            continue;
        }
        for shape in shapes {
            let mut rings = shape.into_iter().map(|contour| {
                let mut pts: Vec<Coord<f64>> = contour
                    .iter()
                    .map(|q| Coord {
                        x: q[0] + o.x,
                        y: q[1] + o.y,
                    })
                    .collect();
                if let Some(&first) = pts.first() {
                    pts.push(first);
                }
                LineString(pts)
            });
            let Some(exterior) = rings.next() else {
                continue;
            };
            pieces.push(MultiPolygon(vec![Polygon::new(exterior, rings.collect())]));
        }
    }
    if pieces.is_empty() {
        return Err(GeomEditError::NoSplit);
    }
    Ok((pieces, MultiPolygon(whole)))
}

/// Where a boundary was met: ring, edge (the segment starting at vertex `edge.index`) and the
/// point on it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OnBoundary {
    pub edge: VertexRef,
    pub at: Coord<f64>,
}

/// The ring's vertices strictly between two points on it, along the shorter way round: what
/// tracing adds between two clicks on the same boundary.
pub fn trace(ring: &[Coord<f64>], from: OnBoundary, to: OnBoundary) -> Vec<Coord<f64>> {
    let n = ring.len();
    if n < 3 || from.edge.index >= n || to.edge.index >= n {
        return Vec::new();
    }
    let (i, j) = (from.edge.index, to.edge.index);
    let dist = |a: Coord<f64>, b: Coord<f64>| (a.x - b.x).hypot(a.y - b.y);
    let along = |k: usize, p: Coord<f64>| dist(ring[k], p);
    // Forward: from → ring[i+1] → … → ring[j] → to (none when on one edge, in order).
    let forward: Vec<Coord<f64>> = if i == j && along(i, from.at) <= along(i, to.at) {
        Vec::new()
    } else {
        let mut v = Vec::new();
        let mut k = (i + 1) % n;
        loop {
            v.push(ring[k]);
            if k == j {
                break;
            }
            k = (k + 1) % n;
        }
        v
    };
    // Backward: from → ring[i] → ring[i-1] → … → ring[j+1] → to.
    let backward: Vec<Coord<f64>> = if i == j && along(i, from.at) >= along(i, to.at) {
        Vec::new()
    } else {
        let mut v = Vec::new();
        let mut k = i;
        loop {
            v.push(ring[k]);
            if k == (j + 1) % n {
                break;
            }
            k = (k + n - 1) % n;
        }
        v
    };
    let length = |path: &[Coord<f64>]| {
        let mut len = 0.0;
        let mut last = from.at;
        for &p in path.iter().chain(std::iter::once(&to.at)) {
            len += dist(last, p);
            last = p;
        }
        len
    };
    let mut out = if length(&forward) <= length(&backward) {
        forward
    } else {
        backward
    };
    out.retain(|&p| p != from.at && p != to.at);
    out
}

/// The vertex of `g` nearest to `p` within `tol` (metres), with its distance.
pub fn nearest_vertex(g: &Geom, p: Coord<f64>, tol: f64) -> Option<(VertexRef, f64)> {
    let mut best: Option<(VertexRef, f64)> = None;
    for (pi, poly) in g.0.iter().enumerate() {
        for (ri, ring) in std::iter::once(poly.exterior())
            .chain(poly.interiors())
            .enumerate()
        {
            for (k, c) in distinct(ring).iter().enumerate() {
                let d = (c.x - p.x).hypot(c.y - p.y);
                if d <= tol && best.is_none_or(|(_, b)| d < b) {
                    best = Some((
                        VertexRef {
                            part: pi,
                            ring: ri,
                            index: k,
                        },
                        d,
                    ));
                }
            }
        }
    }
    best
}

/// The point on an edge of `g` nearest to `p` within `tol`, with its distance.
pub fn nearest_edge(g: &Geom, p: Coord<f64>, tol: f64) -> Option<(OnBoundary, f64)> {
    let mut best: Option<(OnBoundary, f64)> = None;
    for (pi, poly) in g.0.iter().enumerate() {
        for (ri, ring) in std::iter::once(poly.exterior())
            .chain(poly.interiors())
            .enumerate()
        {
            for (k, w) in ring.0.windows(2).enumerate() {
                let (a, b) = (w[0], w[1]);
                if a.x.min(b.x) - tol > p.x
                    || a.x.max(b.x) + tol < p.x
                    || a.y.min(b.y) - tol > p.y
                    || a.y.max(b.y) + tol < p.y
                {
                    continue;
                }
                let q = closest_on_segment(a, b, p);
                let d = (q.x - p.x).hypot(q.y - p.y);
                if d <= tol && best.is_none_or(|(_, e)| d < e) {
                    best = Some((
                        OnBoundary {
                            edge: VertexRef {
                                part: pi,
                                ring: ri,
                                index: k,
                            },
                            at: q,
                        },
                        d,
                    ));
                }
            }
        }
    }
    best
}

/// The point of segment `a`–`b` nearest to `p`.
pub fn closest_on_segment(a: Coord<f64>, b: Coord<f64>, p: Coord<f64>) -> Coord<f64> {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len2 = dx * dx + dy * dy;
    if len2 <= 0.0 {
        return a;
    }
    let t = (((p.x - a.x) * dx + (p.y - a.y) * dy) / len2).clamp(0.0, 1.0);
    Coord {
        x: a.x + t * dx,
        y: a.y + t * dy,
    }
}

/// The part of `g` containing `p`, if any.
pub fn part_at(g: &Geom, p: Coord<f64>) -> Option<usize> {
    g.0.iter()
        .position(|poly| geo::Intersects::intersects(poly, &p))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use geo::{coord, polygon, Area, Validation};

    fn square(x: f64, y: f64, s: f64) -> Polygon<f64> {
        polygon![(x: x, y: y), (x: x + s, y: y), (x: x + s, y: y + s), (x: x, y: y + s)]
    }

    fn v(part: usize, ring: usize, index: usize) -> VertexRef {
        VertexRef { part, ring, index }
    }

    #[test]
    fn moving_a_corner_changes_the_area_as_worked_by_hand() {
        // 100 m square; corner (100,100) moved to (150,100): a trapezoid (0,0),(100,0),
        // (150,100),(0,100) with parallel sides 100 and 150, height 100: 12,500 m².
        let g = MultiPolygon(vec![square(0.0, 0.0, 100.0)]);
        let after = move_vertex(&g, v(0, 0, 2), coord! {x: 150.0, y: 100.0}).unwrap();
        assert!((after.unsigned_area() - 12_500.0).abs() < 1e-9);
        assert!(after.is_valid());
        // Moving vertex 0 moves the closing coordinate too.
        let after = move_vertex(&g, v(0, 0, 0), coord! {x: -50.0, y: 0.0}).unwrap();
        let ext = &after.0[0].exterior().0;
        assert_eq!(ext.first(), ext.last());
        assert!((after.unsigned_area() - 12_500.0).abs() < 1e-9);
    }

    #[test]
    fn a_move_that_makes_the_ring_cross_itself_is_refused() {
        let g = MultiPolygon(vec![square(0.0, 0.0, 100.0)]);
        // (100,100) dragged to (-50, 50): edge (100,0)->(-50,50) crosses (0,100)->(0,0).
        assert_eq!(
            move_vertex(&g, v(0, 0, 2), coord! {x: -50.0, y: 50.0}),
            Err(GeomEditError::Crossing)
        );
        // A hole vertex dragged across the exterior.
        let with_hole = MultiPolygon(vec![Polygon::new(
            square(0.0, 0.0, 100.0).exterior().clone(),
            vec![square(40.0, 40.0, 20.0).exterior().clone()],
        )]);
        assert_eq!(
            move_vertex(&with_hole, v(0, 1, 0), coord! {x: -10.0, y: 40.0}),
            Err(GeomEditError::Crossing)
        );
        // Onto another part.
        let two = MultiPolygon(vec![square(0.0, 0.0, 100.0), square(200.0, 0.0, 100.0)]);
        assert_eq!(
            move_vertex(&two, v(0, 0, 1), coord! {x: 250.0, y: 50.0}),
            Err(GeomEditError::Crossing)
        );
        // Touching a non-adjacent vertex counts.
        assert_eq!(
            move_vertex(&g, v(0, 0, 2), coord! {x: 0.0, y: 0.0}),
            Err(GeomEditError::Crossing)
        );
    }

    #[test]
    fn insert_then_move_and_delete() {
        let g = MultiPolygon(vec![square(0.0, 0.0, 100.0)]);
        // A vertex on the bottom edge at (50,0), then pulled to (50,-30): a triangle of
        // 100 × 30 / 2 = 1,500 m² added.
        let ins = insert_vertex(&g, v(0, 0, 0), coord! {x: 50.0, y: 0.0}).unwrap();
        assert_eq!(ring_vertices(&ins, 0, 0).unwrap().len(), 5);
        assert!((ins.unsigned_area() - 10_000.0).abs() < 1e-9);
        let pulled = move_vertex(&ins, v(0, 0, 1), coord! {x: 50.0, y: -30.0}).unwrap();
        assert!((pulled.unsigned_area() - 11_500.0).abs() < 1e-9);
        let back = delete_vertex(&pulled, v(0, 0, 1)).unwrap();
        assert!((back.unsigned_area() - 10_000.0).abs() < 1e-9);
        // A triangle keeps its three vertices.
        let tri = MultiPolygon(vec![
            polygon![(x: 0., y: 0.), (x: 10., y: 0.), (x: 0., y: 10.)],
        ]);
        assert_eq!(
            delete_vertex(&tri, v(0, 0, 1)),
            Err(GeomEditError::TooFewVertices)
        );
        // A ring with a notch cut in from the top between x = 4 and x = 6 down to y = 3.
        let notch = MultiPolygon(vec![polygon![
            (x: 0., y: 0.), (x: 10., y: 0.), (x: 10., y: 10.), (x: 6., y: 10.),
            (x: 6., y: 3.), (x: 4., y: 3.), (x: 4., y: 10.), (x: 0., y: 10.)
        ]]);
        // Deleting (6,3): the new edge (6,10)-(4,3) meets (4,3)-(4,10) only at its end:
        // allowed. Deleting (10,10): the edge (10,0)-(6,10) passes x = 8.8 at y = 3: clear.
        assert!(delete_vertex(&notch, v(0, 0, 4)).is_ok());
        assert!(delete_vertex(&notch, v(0, 0, 2)).is_ok());
        // Deleting (0,0) joins (0,10) to (10,0): x + y = 10 crosses the wall x = 6 at y = 4.
        assert_eq!(
            delete_vertex(&notch, v(0, 0, 0)),
            Err(GeomEditError::Crossing)
        );
    }

    #[test]
    fn an_edge_swept_over_a_whole_hole_is_refused() {
        // A square with a small hole (70–80 × 40–50). The corner (100,100) pulled to (95,100)
        // keeps the hole inside; pulled to (20,60), the new edge from (100,0), y = 0.75 (100 − x),
        // passes under the hole (y 15–22.5 there) without touching it and leaves it outside.
        let g = MultiPolygon(vec![Polygon::new(
            square(0.0, 0.0, 100.0).exterior().clone(),
            vec![square(70.0, 40.0, 10.0).exterior().clone()],
        )]);
        assert!(move_vertex(&g, v(0, 0, 2), coord! {x: 95.0, y: 100.0}).is_ok());
        assert_eq!(
            move_vertex(&g, v(0, 0, 2), coord! {x: 20.0, y: 60.0}),
            Err(GeomEditError::Crossing)
        );
        // A part swallowed by another part's vertex move.
        let two = MultiPolygon(vec![square(0.0, 0.0, 100.0), square(120.0, 40.0, 10.0)]);
        assert_eq!(
            move_vertex(&two, v(0, 0, 2), coord! {x: 200.0, y: 100.0}),
            Err(GeomEditError::Crossing)
        );
    }

    #[test]
    fn parts_move_and_go_but_not_onto_each_other() {
        let two = MultiPolygon(vec![square(0.0, 0.0, 100.0), square(200.0, 0.0, 100.0)]);
        let moved = translate_part(&two, 1, 50.0, 0.0).unwrap();
        assert_eq!(moved.0[1].bounding_rect().unwrap().min().x, 250.0);
        assert_eq!(
            translate_part(&two, 1, -150.0, 0.0),
            Err(GeomEditError::PartsOverlap)
        );
        let one = delete_part(&two, 0).unwrap();
        assert_eq!(one.0.len(), 1);
        assert_eq!(delete_part(&one, 0), Err(GeomEditError::LastPart));
    }

    #[test]
    fn drawn_parts_and_holes_go_through_the_overlay() {
        let g = MultiPolygon(vec![square(0.0, 0.0, 100.0)]);
        // A 50 × 50 square overlapping the corner by 25 × 25: adds 2,500 − 625 = 1,875 m².
        let pts = [
            coord! {x: 75.0, y: 75.0},
            coord! {x: 125.0, y: 75.0},
            coord! {x: 125.0, y: 125.0},
            coord! {x: 75.0, y: 125.0},
        ];
        let added = add_part(&g, &pts).unwrap();
        assert!((added.unsigned_area() - 11_875.0).abs() < 1e-6);
        assert_eq!(added.0.len(), 1);
        let holed = cut_hole(&g, &pts).unwrap();
        assert!((holed.unsigned_area() - 9_375.0).abs() < 1e-6);
        // A hole fully inside: 20 × 20 = 400 m² removed, one interior ring.
        let inner = [
            coord! {x: 40.0, y: 40.0},
            coord! {x: 60.0, y: 40.0},
            coord! {x: 60.0, y: 60.0},
            coord! {x: 40.0, y: 60.0},
        ];
        let holed = cut_hole(&g, &inner).unwrap();
        assert!((holed.unsigned_area() - 9_600.0).abs() < 1e-6);
        assert_eq!(holed.0[0].interiors().len(), 1);
        // Outside the feature: refused.
        let far = [
            coord! {x: 500.0, y: 500.0},
            coord! {x: 510.0, y: 500.0},
            coord! {x: 510.0, y: 510.0},
        ];
        assert_eq!(cut_hole(&g, &far), Err(GeomEditError::HoleOutside));
        // A bow tie (crossing outline) becomes its two triangles: 2 × (10 × 5 / 2) = 50 m².
        let bow = drawn_polygon(&[
            coord! {x: 0.0, y: 0.0},
            coord! {x: 10.0, y: 10.0},
            coord! {x: 10.0, y: 0.0},
            coord! {x: 0.0, y: 10.0},
        ])
        .unwrap();
        assert!((bow.unsigned_area() - 50.0).abs() < 1e-9);
        assert!(bow.is_valid());
        assert_eq!(
            drawn_polygon(&[coord! {x: 0.0, y: 0.0}, coord! {x: 1.0, y: 1.0}]),
            Err(GeomEditError::DrawnTooSmall)
        );
    }

    #[test]
    fn a_line_across_splits_and_keeps_the_area() {
        // At Gauss-Krüger coordinates: a 100 m square cut by x = 40 into 4,000 + 6,000 m².
        let (x0, y0) = (40_512_000.0, 3_300_000.0);
        let g = MultiPolygon(vec![square(x0, y0, 100.0), square(x0 + 300.0, y0, 100.0)]);
        let line = [
            coord! {x: x0 + 40.0, y: y0 - 10.0},
            coord! {x: x0 + 40.0, y: y0 + 110.0},
        ];
        let (pieces, whole) = split(&g, &line).unwrap();
        assert_eq!(pieces.len(), 2);
        assert_eq!(whole.0.len(), 1);
        let mut areas: Vec<f64> = pieces.iter().map(|p| p.unsigned_area()).collect();
        areas.sort_by(f64::total_cmp);
        assert!((areas[0] - 4_000.0).abs() < 1e-3, "{areas:?}");
        assert!((areas[1] - 6_000.0).abs() < 1e-3, "{areas:?}");
        // A line that stops inside cuts nothing.
        let short = [
            coord! {x: x0 + 40.0, y: y0 - 10.0},
            coord! {x: x0 + 40.0, y: y0 + 50.0},
        ];
        assert_eq!(split(&g, &short), Err(GeomEditError::NoSplit));
    }

    #[test]
    fn tracing_takes_the_shorter_way_round() {
        let ring = [
            coord! {x: 0.0, y: 0.0},
            coord! {x: 100.0, y: 0.0},
            coord! {x: 100.0, y: 100.0},
            coord! {x: 0.0, y: 100.0},
        ];
        // From (50,0) on edge 0 to (100,50) on edge 1: forward passes (100,0) only.
        let from = OnBoundary {
            edge: v(0, 0, 0),
            at: coord! {x: 50.0, y: 0.0},
        };
        let to = OnBoundary {
            edge: v(0, 0, 1),
            at: coord! {x: 100.0, y: 50.0},
        };
        assert_eq!(trace(&ring, from, to), vec![coord! {x: 100.0, y: 0.0}]);
        // The other way: backward from (100,50) to (50,0) passes (100,0) too.
        assert_eq!(trace(&ring, to, from), vec![coord! {x: 100.0, y: 0.0}]);
        // From (50,0) to (0,50) on edge 3: backward via (0,0) is shorter than forward.
        let left = OnBoundary {
            edge: v(0, 0, 3),
            at: coord! {x: 0.0, y: 50.0},
        };
        assert_eq!(trace(&ring, from, left), vec![coord! {x: 0.0, y: 0.0}]);
        // Two points on one edge: nothing between.
        let near = OnBoundary {
            edge: v(0, 0, 0),
            at: coord! {x: 80.0, y: 0.0},
        };
        assert!(trace(&ring, from, near).is_empty());
    }

    #[test]
    fn nearest_vertex_and_edge_within_tolerance() {
        let g = MultiPolygon(vec![square(0.0, 0.0, 100.0)]);
        let (vr, d) = nearest_vertex(&g, coord! {x: 98.0, y: 101.0}, 5.0).unwrap();
        assert_eq!(vr, v(0, 0, 2));
        assert!((d - 5f64.sqrt()).abs() < 1e-12);
        assert!(nearest_vertex(&g, coord! {x: 50.0, y: 50.0}, 5.0).is_none());
        let (on, d) = nearest_edge(&g, coord! {x: 50.0, y: 103.0}, 5.0).unwrap();
        assert_eq!(on.edge, v(0, 0, 2));
        assert_eq!(on.at, coord! {x: 50.0, y: 100.0});
        assert!((d - 3.0).abs() < 1e-12);
        assert_eq!(part_at(&g, coord! {x: 50.0, y: 50.0}), Some(0));
        assert_eq!(part_at(&g, coord! {x: 150.0, y: 50.0}), None);
    }

    #[test]
    fn a_vertex_move_on_a_20000_vertex_zone_is_checked_in_linear_time() {
        // A circle of 20,000 vertices; moving one outward stays valid, moving it across the
        // centre crosses the ring.
        let n = 20_000;
        let ring: Vec<Coord<f64>> = (0..n)
            .map(|k| {
                let a = k as f64 / n as f64 * std::f64::consts::TAU;
                coord! {x: 1000.0 * a.cos(), y: 1000.0 * a.sin()}
            })
            .collect();
        let g = MultiPolygon(vec![Polygon::new(LineString(ring), vec![])]);
        assert!(move_vertex(&g, v(0, 0, 0), coord! {x: 1100.0, y: 0.0}).is_ok());
        assert_eq!(
            move_vertex(&g, v(0, 0, 0), coord! {x: -1100.0, y: 0.0}),
            Err(GeomEditError::Crossing)
        );
    }

    proptest::proptest! {
        /// Whatever vertex moves, inserts or deletes are tried on a star-shaped ring with a
        /// hole, an accepted result is valid (geo's validation: no self-crossing, hole inside)
        /// and keeps the other rings as they were.
        #[test]
        fn accepted_vertex_edits_keep_the_polygon_valid(
            radii in proptest::collection::vec(50.0f64..100.0, 5..12),
            pick in 0usize..100,
            dx in -150.0f64..150.0,
            dy in -150.0f64..150.0,
            op in 0u8..3,
        ) {
            let n = radii.len();
            let ring: Vec<Coord<f64>> = radii
                .iter()
                .enumerate()
                .map(|(k, r)| {
                    let a = k as f64 / n as f64 * std::f64::consts::TAU;
                    coord! {x: r * a.cos(), y: r * a.sin()}
                })
                .collect();
            let hole = square(-10.0, -10.0, 20.0).exterior().clone();
            let g = MultiPolygon(vec![Polygon::new(LineString(ring.clone()), vec![hole.clone()])]);
            proptest::prop_assert!(g.is_valid());
            let k = pick % n;
            let to = coord! {x: ring[k].x + dx, y: ring[k].y + dy};
            let result = match op {
                0 => move_vertex(&g, v(0, 0, k), to),
                1 => insert_vertex(&g, v(0, 0, k), to),
                _ => delete_vertex(&g, v(0, 0, k)),
            };
            if let Ok(after) = result {
                proptest::prop_assert!(after.is_valid(), "{:?}", after);
                proptest::prop_assert_eq!(&after.0[0].interiors()[0], &hole);
            }
        }
    }
}
