//! Turns raw rings into valid polygons: holes assigned by containment (ring order and
//! orientation in the file are not trusted), unclosed rings closed, duplicate vertices removed,
//! self-intersections and spikes repaired, overlapping parts merged. Every repair is noted.

use crate::messages::load as msg;
use crate::model::{Geom, RawRing, RawShape, Text};
use geo::coordinate_position::CoordPos;
use geo::dimensions::Dimensions;
use geo::orient::Direction;
use geo::{
    Area, BooleanOps, BoundingRect, Coord, LineString, MakeValid, MultiPolygon, Orient, Polygon,
    Rect, Relate, Validation,
};

/// A feature's geometry after repair, with what had to be done to it.
#[derive(Debug, Clone)]
pub struct Repaired {
    pub geometry: Geom,
    /// One line per kind of repair; empty when the input was already valid.
    pub notes: Vec<Text>,
    /// The notes that mean the boundary itself was invalid (self-intersection or spike,
    /// overlapping rings or parts, a hole outside or crossing its shell), as opposed to trivial
    /// fixes (closing a ring, removing duplicate vertices, dropping a ring of fewer than 4
    /// points). A zone with any of these gets `zone.invalid_geometry`.
    pub boundary: Vec<Text>,
}

/// Builds a valid geometry from what a reader found. `Err` means the feature must be dropped,
/// with the reason.
///
/// Valid input passes through bit-identical: a valid polygon, and a multipolygon whose parts do
/// not overlap (they may touch at points), keeps its coordinates, its ring order and its ring
/// orientation as read, closing points included, with no note. Only what is invalid is
/// repaired; the rings of a repaired polygon, and parts merged by a union, come out with
/// exteriors counter-clockwise. Consumers must therefore not rely on ring orientation (areas use
/// `unsigned_area`, overlays an even-odd rule or [`crate::spatial::overlay::union_all`], which
/// orients its input).
pub fn build_geometry(shape: &RawShape) -> Result<Repaired, Text> {
    build_geometry_owned(shape.clone())
}

/// [`build_geometry`] taking the rings over (a loaded layer's rings are moved into its
/// geometry, not copied).
pub fn build_geometry_owned(shape: RawShape) -> Result<Repaired, Text> {
    crate::spatial::guard::catch(move || build_geometry_unguarded(shape))
        .unwrap_or_else(|| Err(msg::degenerate_unhandled()))
}

/// Whether [`build_geometry`] gives the one ring `ring` back unchanged, as one polygon with no
/// note: every vertex finite, the ring closed with at least 4 points and no repeated
/// consecutive vertex, shown valid, with an area — the same tests in the same order as the
/// build's. A loader may then leave such a shape unbuilt while it decides whether to keep it,
/// knowing what building it would give. The ring is handed back (its storage reused by the
/// caller for the next record).
pub fn ring_passes_unchanged(ring: RawRing) -> (bool, RawRing) {
    let clean = ring.len() >= 4
        && ring.first() == ring.last()
        && ring.windows(2).all(|w| w[0] != w[1])
        && ring.iter().all(|c| c.x.is_finite() && c.y.is_finite());
    if !clean {
        return (false, ring);
    }
    let polygon = Polygon::new(LineString::new(ring), Vec::new());
    let passes = is_fast_valid(&polygon) && polygon.unsigned_area() > 0.0;
    let (exterior, _) = polygon.into_inner();
    (passes, exterior.0)
}

fn build_geometry_unguarded(shape: RawShape) -> Result<Repaired, Text> {
    if shape
        .rings()
        .flatten()
        .any(|c| !c.x.is_finite() || !c.y.is_finite())
    {
        return Err(msg::non_finite_coordinate());
    }
    let mut notes = Notes::default();
    let polygons = match shape {
        // One ring (most features): no nesting to work out.
        RawShape::Rings(mut rings) if rings.len() == 1 => {
            match rings.pop().and_then(|r| clean_ring(r, &mut notes)) {
                Some(r) => vec![Polygon::new(r, vec![])],
                None => Vec::new(),
            }
        }
        RawShape::Rings(rings) => {
            let rings: Vec<LineString<f64>> = rings
                .into_iter()
                .filter_map(|r| clean_ring(r, &mut notes))
                .collect();
            assign_by_containment(rings)
        }
        RawShape::Polygons(polys) => {
            let mut out = Vec::new();
            for poly in polys {
                let mut rings = poly.into_iter();
                let Some(exterior) = rings.next().and_then(|r| clean_ring(r, &mut notes)) else {
                    continue;
                };
                let mut holes = Vec::new();
                let cleaned: Vec<LineString<f64>> =
                    rings.filter_map(|r| clean_ring(r, &mut notes)).collect();
                for hole in cleaned {
                    if ring_inside(&hole, &exterior) {
                        holes.push(hole);
                    } else {
                        notes.boundary(msg::hole_outside_shell_dropped());
                    }
                }
                out.push(Polygon::new(exterior, holes));
            }
            out
        }
    };
    // Valid polygons (almost all) are kept in the list they came in.
    let mut parts: Vec<Polygon<f64>> = if polygons.iter().all(is_fast_valid) {
        polygons
    } else {
        repair_invalid(polygons, &mut notes)?
    };
    parts.retain(|p| p.unsigned_area() > 0.0);
    // The list is kept as the geometry: no spare capacity per feature.
    parts.shrink_to_fit();
    if parts.is_empty() {
        return Err(msg::no_area_left());
    }
    let geometry = match parts_meeting(&parts) {
        PartsMeet::No => MultiPolygon(parts),
        meet => {
            let before: f64 = parts.iter().map(|p| p.unsigned_area()).sum();
            let oriented: Vec<Polygon<f64>> = parts
                .into_iter()
                .map(|p| p.orient(Direction::Default))
                .collect();
            let merged = geo::unary_union(&oriented);
            let lost = before - merged.unsigned_area() > 1e-9 * before.max(1.0);
            match meet {
                PartsMeet::Overlap => notes.boundary(msg::overlapping_parts_merged()),
                PartsMeet::Unknown if lost => notes.boundary(msg::overlapping_parts_merged()),
                _ => notes.add(msg::parts_sharing_edges_joined()),
            }
            merged
        }
    };
    if geometry.0.is_empty() {
        return Err(msg::no_area_left());
    }
    Ok(Repaired {
        geometry,
        notes: notes.all,
        boundary: notes.boundary,
    })
}

/// The polygons as they are when valid, repaired (with a note) when not.
fn repair_invalid(
    polygons: Vec<Polygon<f64>>,
    notes: &mut Notes,
) -> Result<Vec<Polygon<f64>>, Text> {
    let mut parts: Vec<Polygon<f64>> = Vec::with_capacity(polygons.len());
    for polygon in polygons {
        let problems = if is_fast_valid(&polygon) {
            Vec::new()
        } else {
            polygon.validation_errors()
        };
        match problems.first() {
            // Valid: kept as read (ring order and orientation included).
            None => parts.push(polygon),
            Some(problem) => {
                let text = problem.to_string();
                let what = if text.contains("self-intersection") {
                    msg::self_intersection_repaired()
                } else {
                    msg::invalid_polygon_repaired(&text)
                };
                notes.boundary(what);
                match polygon.orient(Direction::Default).make_valid() {
                    Ok(fixed) => {
                        parts.extend(fixed.0.into_iter().map(|p| p.orient(Direction::Default)))
                    }
                    Err(e) => return Err(msg::repair_failed(&format!("{e:?}"))),
                }
            }
        }
    }
    Ok(parts)
}

/// How the parts of a multipolygon meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PartsMeet {
    /// Disjoint, or touching at points only: a valid multipolygon.
    No,
    /// Two parts share a stretch of boundary but no interior (invalid: they are one part).
    SharedEdge,
    /// The interiors of two parts overlap.
    Overlap,
    /// The exact test failed (a degenerate pair): merged, noted as overlapping when the union
    /// loses area.
    Unknown,
}

/// Parts beyond which candidate pairs come from an R-tree of their boxes rather than a sweep.
const INDEX_PARTS: usize = 64;

/// Whether any two of `parts` (each valid) overlap or share an edge, by exact predicates: the
/// pairs whose boxes meet (found by a sweep, or an R-tree for many parts) are related with
/// geo's robust DE-9IM; parts meeting at points only do not count.
fn parts_meeting(parts: &[Polygon<f64>]) -> PartsMeet {
    if parts.len() < 2 {
        return PartsMeet::No;
    }
    // Every part has an area, hence a box; should one not, the union decides.
    let Some(boxes) = parts
        .iter()
        .map(|p| p.bounding_rect())
        .collect::<Option<Vec<Rect<f64>>>>()
    else {
        return PartsMeet::Unknown;
    };
    let mut worst = PartsMeet::No;
    // True when there is nothing more to learn: the interiors overlap, or the test failed.
    let mut pair = |i: usize, j: usize| -> bool {
        // Boundaries that do not meet anywhere (exact test): the parts are apart, or one lies
        // in the other's interior, which one vertex tells. Most pairs whose boxes meet are so,
        // and geo's relate costs far more on large parts.
        if let Some(apart) = boundaries_apart(&parts[i], &parts[j]) {
            if apart {
                let inside = |a: &Polygon<f64>, b: &Polygon<f64>| {
                    a.exterior().0.first().is_some_and(|c| {
                        geo::CoordinatePosition::coordinate_position(b, c) == CoordPos::Inside
                    })
                };
                if inside(&parts[i], &parts[j]) || inside(&parts[j], &parts[i]) {
                    worst = PartsMeet::Overlap;
                    return true;
                }
                return false;
            }
        }
        // Should geo's relate fail on a degenerate pair, the parts are merged (as before exact
        // tests): the union decides, and says whether area was shared.
        let Some(m) = crate::spatial::guard::catch(|| parts[i].relate(&parts[j])) else {
            worst = PartsMeet::Unknown;
            return true;
        };
        if m.get(CoordPos::Inside, CoordPos::Inside) != Dimensions::Empty {
            worst = PartsMeet::Overlap;
            return true;
        }
        if m.get(CoordPos::OnBoundary, CoordPos::OnBoundary) == Dimensions::OneDimensional {
            worst = PartsMeet::SharedEdge;
        }
        false
    };
    if parts.len() > INDEX_PARTS {
        let index = crate::spatial::index::BoxIndex::from_rects(boxes.iter().copied());
        for (i, b) in boxes.iter().enumerate() {
            for j in index.query(*b, 0.0) {
                if j > i && pair(i, j) {
                    return worst;
                }
            }
        }
    } else {
        // Sort-and-sweep by x: boxes that meet (touching included) are related.
        let mut order: Vec<usize> = (0..parts.len()).collect();
        order.sort_by(|&a, &b| boxes[a].min().x.total_cmp(&boxes[b].min().x));
        let mut active: Vec<usize> = Vec::new();
        for &i in &order {
            let bi = boxes[i];
            active.retain(|&j| boxes[j].max().x >= bi.min().x);
            for &j in &active {
                if crate::spatial::overlay::boxes_intersect(&bi, &boxes[j])
                    && pair(j.min(i), j.max(i))
                {
                    return worst;
                }
            }
            active.push(i);
        }
    }
    worst
}

/// Whether no point of `a`'s boundary is on `b`'s (no two segments, one of each, touch or
/// cross; exact predicates): `Some(true)` apart, `Some(false)` meeting somewhere, `None` when
/// the sweep would take too long (the caller then relates them another way). Only segments
/// within the other polygon's box are swept.
fn boundaries_apart(a: &Polygon<f64>, b: &Polygon<f64>) -> Option<bool> {
    use geo::{Intersects, Line};
    /// A segment: x range, y range, which polygon, the segment.
    type Seg = (f64, f64, f64, f64, bool, Line<f64>);
    let (box_a, box_b) = (a.bounding_rect()?, b.bounding_rect()?);
    let mut segs: Vec<Seg> = Vec::new();
    for (which, p, other) in [(false, a, box_b), (true, b, box_a)] {
        for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
            for l in ring.lines() {
                let s: Seg = (
                    l.start.x.min(l.end.x),
                    l.start.x.max(l.end.x),
                    l.start.y.min(l.end.y),
                    l.start.y.max(l.end.y),
                    which,
                    l,
                );
                if s.0 <= other.max().x
                    && other.min().x <= s.1
                    && s.2 <= other.max().y
                    && other.min().y <= s.3
                {
                    segs.push(s);
                }
            }
        }
    }
    segs.sort_unstable_by(|p, q| p.0.total_cmp(&q.0));
    // Pairs looked at, beyond which the sweep gives up (shapes whose segments mostly overlap
    // in x; geo's relate is then as good).
    let mut budget = 64 * segs.len() + 1024;
    let mut active: Vec<usize> = Vec::new();
    for k in 0..segs.len() {
        let s = &segs[k];
        active.retain(|&j| segs[j].1 >= s.0);
        for &j in &active {
            let t = &segs[j];
            budget = budget.checked_sub(1)?;
            if t.4 != s.4 && t.2 <= s.3 && s.2 <= t.3 && t.5.intersects(&s.5) {
                return Some(false);
            }
        }
        active.push(k);
    }
    Some(true)
}

/// Segments up to which [`segments_valid`] tests all pairs instead of sorting and sweeping.
const SMALL_RING_SEGMENTS: usize = 32;

/// Fast validity test: true when every ring is simple, no two rings touch or cross, no ring has
/// a spike, and no hole lies inside another hole. A polygon without holes whose ring is star
/// shaped round its vertices' mean is shown valid in one pass ([`star_simple`]: most patches);
/// otherwise segments are swept by x (n log n for real shapes). `false` means "not shown
/// valid": geo's full validation then decides.
fn is_fast_valid(polygon: &Polygon<f64>) -> bool {
    (polygon.interiors().is_empty() && star_simple(&polygon.exterior().0))
        || segments_valid(polygon)
}

/// Whether the closed ring `pts` (first point repeated last) is simple because it is star
/// shaped: seen from a point `p` (the mean of its vertices), every edge turns strictly the same
/// way (exact orientation tests), and the ring goes round `p` exactly once (it crosses the ray
/// from `p` towards +x once, counted with exact comparisons). Then each edge covers its own
/// sector of directions from `p`, the sectors following each other once round the circle, so
/// two edges that are not consecutive lie in disjoint sectors and cannot meet, and consecutive
/// ones share only their common vertex: the ring is simple, with no spike, no repeated vertex
/// and a non-zero area. Which point `p` is does not matter to that argument (only to how often
/// the test succeeds), so its rounding does not either. `false` says nothing: the ring may
/// still be simple (an L-shaped patch seen from outside its kernel).
fn star_simple(pts: &[Coord<f64>]) -> bool {
    use geo::kernels::{Kernel, Orientation};
    let n = pts.len().saturating_sub(1);
    if n < 3 || pts.first() != pts.last() {
        return false;
    }
    let (mut sx, mut sy) = (0.0, 0.0);
    for c in &pts[..n] {
        sx += c.x;
        sy += c.y;
    }
    let p = Coord {
        x: sx / n as f64,
        y: sy / n as f64,
    };
    if !(p.x.is_finite() && p.y.is_finite()) {
        return false;
    }
    let orient = |a: Coord<f64>, b: Coord<f64>| <f64 as geo::GeoNum>::Ker::orient2d(p, a, b);
    let turn = orient(pts[0], pts[1]);
    if turn == Orientation::Collinear {
        return false;
    }
    let ccw = turn == Orientation::CounterClockwise;
    let mut crossings = 0u32;
    for w in pts.windows(2) {
        let (a, b) = (w[0], w[1]);
        // Going counter-clockwise round p, the ring passes the +x ray going up (below p, then
        // level or above); clockwise, going down.
        let crosses = if ccw {
            a.y < p.y && b.y >= p.y
        } else {
            a.y >= p.y && b.y < p.y
        };
        crossings += u32::from(crosses);
        if orient(a, b) != turn {
            return false;
        }
    }
    crossings == 1
}

/// [`is_fast_valid`] by the rings' segments: every pair whose boxes meet for small rings, a
/// sweep by x beyond.
fn segments_valid(polygon: &Polygon<f64>) -> bool {
    /// Segment = (x range, y range, ring, index); ring r's segment i runs pts[i] → pts[i + 1].
    type Seg = (f64, f64, f64, f64, u32, u32);
    /// The segments, the sweep's active list, and the sweep's order ((key, position) pairs).
    type Scratch = (Vec<Seg>, Vec<Active>, Vec<(u64, u32)>);
    /// A segment in the sweep: its greatest x, its y range and its position (the ranges
    /// copied, so that most segments are passed over without loading the segment).
    type Active = (f64, f64, f64, usize);
    thread_local! {
        /// The segment and active lists, kept between calls (a million patches would otherwise
        /// allocate and free two lists each).
        static SCRATCH: std::cell::RefCell<Scratch> = Default::default();
    }
    use geo::kernels::{Kernel, Orientation};
    let orient =
        |a: Coord<f64>, b: Coord<f64>, c: Coord<f64>| <f64 as geo::GeoNum>::Ker::orient2d(a, b, c);
    let ring = |r: u32| -> &[Coord<f64>] {
        match r {
            0 => &polygon.exterior().0,
            _ => &polygon.interiors()[r as usize - 1].0,
        }
    };
    let rings = 1 + polygon.interiors().len() as u32;
    let not_shown_valid = SCRATCH.with(|scratch| {
        let Ok(mut scratch) = scratch.try_borrow_mut() else {
            return true; // not re-entered; should it be, geo's validation decides
        };
        let (segs, active, order) = &mut *scratch;
        segs.clear();
        active.clear();
        order.clear();
        for r in 0..rings {
            let pts = ring(r);
            let n = pts.len().saturating_sub(1);
            if n < 3 || pts.first() != pts.last() {
                return true;
            }
            for i in 0..n {
                // The vertex after b: pts[n] is pts[0] (the ring is closed), so only the last
                // segment wraps round.
                let c = if i + 2 <= n { pts[i + 2] } else { pts[1] };
                let (a, b) = (pts[i], pts[i + 1]);
                if a == b {
                    return true;
                }
                // A spike: the ring turns straight back on itself (the turn's sign first: a
                // ring rarely turns by more than a right angle, and the exact orientation test
                // is the dearer one).
                if (b.x - a.x) * (c.x - b.x) + (b.y - a.y) * (c.y - b.y) <= 0.0
                    && orient(a, b, c) == Orientation::Collinear
                {
                    return true;
                }
                segs.push((
                    a.x.min(b.x),
                    a.x.max(b.x),
                    a.y.min(b.y),
                    a.y.max(b.y),
                    r,
                    i as u32,
                ));
            }
        }
        let seg = |r: u32, i: u32| -> (Coord<f64>, Coord<f64>) {
            let pts = ring(r);
            (pts[i as usize], pts[i as usize + 1])
        };
        // Whether segments k and j (their x ranges overlap) touch or cross.
        let meet = |segs: &[Seg], k: usize, j: usize| -> bool {
            let (_, _, ylo, yhi, r, i) = segs[k];
            let (_, _, ylo2, yhi2, r2, i2) = segs[j];
            // Apart in y (from the list, before loading either segment's points).
            if yhi < ylo2 || yhi2 < ylo {
                return false;
            }
            if r2 == r {
                let n = (ring(r).len() - 1) as u32;
                let adjacent = i2.abs_diff(i) == 1 || i2.abs_diff(i) == n - 1;
                if adjacent {
                    return false; // shares one endpoint; spikes were ruled out above
                }
            }
            let (a, b) = seg(r, i);
            let (c, d) = seg(r2, i2);
            let o1 = orient(a, b, c);
            let o2 = orient(a, b, d);
            if o1 == o2 && o1 != Orientation::Collinear {
                return false;
            }
            let o3 = orient(c, d, a);
            let o4 = orient(c, d, b);
            if o3 == o4 && o3 != Orientation::Collinear {
                return false;
            }
            if o1 == Orientation::Collinear && o2 == Orientation::Collinear {
                // Collinear: they meet only if their extents overlap.
                let (lo1, hi1) = (a.x.min(b.x), a.x.max(b.x));
                let (lo2, hi2) = (c.x.min(d.x), c.x.max(d.x));
                let (ylo1, yhi1) = (a.y.min(b.y), a.y.max(b.y));
                let (ylo2, yhi2) = (c.y.min(d.y), c.y.max(d.y));
                if hi1 < lo2 || hi2 < lo1 || yhi1 < ylo2 || yhi2 < ylo1 {
                    return false;
                }
            }
            true // touch or crossing
        };
        if segs.len() <= SMALL_RING_SEGMENTS {
            // Few segments (a typical patch): every pair whose boxes meet, no sort.
            // All four comparisons, without branches: most pairs fail one of them at random.
            let overlap =
                |k: &Seg, j: &Seg| (j.1 >= k.0) & (k.1 >= j.0) & (j.3 >= k.2) & (k.3 >= j.2);
            if rings == 1 {
                // One ring: segment k's neighbours are k - 1 and (for the last) 0, which share
                // an endpoint and cannot meet otherwise (spikes were ruled out above): only the
                // other pairs are tested.
                let n = segs.len();
                for k in 2..n {
                    let first = usize::from(k == n - 1);
                    let sk = &segs[k];
                    for j in first..k - 1 {
                        if overlap(sk, &segs[j]) && meet(segs, k, j) {
                            return true;
                        }
                    }
                }
                return false;
            }
            for k in 1..segs.len() {
                for j in 0..k {
                    if overlap(&segs[k], &segs[j]) && meet(segs, k, j) {
                        return true;
                    }
                }
            }
            return false;
        }
        // Sweep by x: the same pairs, found in n log n. The segments are taken in the order of
        // their least x, sorted as (key, position) pairs: an integer key ordered as the
        // (finite) floats are.
        let key = |x: f64| {
            let bits = x.to_bits();
            if bits >> 63 == 1 {
                !bits
            } else {
                bits | (1 << 63)
            }
        };
        order.extend(segs.iter().enumerate().map(|(k, s)| (key(s.0), k as u32)));
        order.sort_unstable();
        for &(_, k) in order.iter() {
            let k = k as usize;
            let (xmin, xmax, ylo, yhi, _, _) = segs[k];
            active.retain(|a| a.0 >= xmin);
            if active
                .iter()
                .any(|a| a.2 >= ylo && yhi >= a.1 && meet(segs, k, a.3))
            {
                return true;
            }
            active.push((xmax, ylo, yhi, k));
        }
        false
    });
    if not_shown_valid {
        return false;
    }
    // Rings do not meet; every hole must be inside the shell and outside the other holes.
    let holes = polygon.interiors();
    if holes.is_empty() {
        return true;
    }
    for h in holes {
        if point_in_ring(h.0[0], &polygon.exterior().0) != Position::Inside {
            return false;
        }
    }
    if holes.len() > 1 {
        let boxes: Vec<Option<Rect<f64>>> = holes.iter().map(|h| h.bounding_rect()).collect();
        for (i, h) in holes.iter().enumerate() {
            for (j, other) in holes.iter().enumerate() {
                if i != j
                    && matches!((boxes[i], boxes[j]), (Some(bi), Some(bj)) if rect_contains(&bj, &bi))
                    && point_in_ring(h.0[0], &other.0) == Position::Inside
                {
                    return false;
                }
            }
        }
    }
    true
}

#[derive(Default)]
struct Notes {
    all: Vec<Text>,
    boundary: Vec<Text>,
}

impl Notes {
    /// A trivial fix.
    fn add(&mut self, note: Text) {
        if !self.all.contains(&note) {
            self.all.push(note);
        }
    }

    /// A repair of an invalid boundary.
    fn boundary(&mut self, note: Text) {
        if !self.boundary.contains(&note) {
            self.boundary.push(note.clone());
        }
        self.add(note);
    }
}

/// Closes the ring, drops consecutive duplicate vertices; `None` when fewer than 3 distinct
/// vertices remain (a ring needs 4 points with the closing one).
fn clean_ring(ring: RawRing, notes: &mut Notes) -> Option<LineString<f64>> {
    // Closed, at least 4 points, no repeated consecutive vertex: kept as read.
    if ring.len() >= 4 && ring.first() == ring.last() && ring.windows(2).all(|w| w[0] != w[1]) {
        return Some(LineString::new(ring));
    }
    let mut coords: Vec<Coord<f64>> = Vec::with_capacity(ring.len() + 1);
    let mut duplicates = false;
    for &c in &ring {
        if coords.last() == Some(&c) {
            duplicates = true;
        } else {
            coords.push(c);
        }
    }
    let closed = coords.len() >= 2 && coords.first() == coords.last();
    if closed {
        coords.pop();
    } else if ring.len() >= 2 && ring.first() != ring.last() {
        notes.add(msg::unclosed_ring_closed());
    }
    if duplicates {
        notes.add(msg::duplicate_vertices_removed());
    }
    if coords.len() < 3 {
        notes.add(msg::short_ring_dropped());
        return None;
    }
    if let Some(&first) = coords.first() {
        coords.push(first);
    }
    // A ring whose signed area is zero may still be a bow-tie: validation and repair decide.
    Some(LineString::new(coords))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Position {
    Inside,
    Outside,
    Boundary,
}

/// Position of `p` relative to closed ring `ring`: crossing number with exact orientation
/// predicates, so a point on an edge is on the boundary and a point an ulp inside is inside at
/// every scale (float arithmetic put hole vertices touching a diagonal shell edge outside).
fn point_in_ring(p: Coord<f64>, ring: &[Coord<f64>]) -> Position {
    use geo::kernels::{Kernel, Orientation};
    let mut inside = false;
    for w in ring.windows(2) {
        let (a, b) = (w[0], w[1]);
        // Only an edge whose y range holds p's y can have p on it or cross its horizontal line:
        // the others are passed over before the (dearer) orientation test, which decides
        // nothing for them.
        let in_y_range = p.y >= a.y.min(b.y) && p.y <= a.y.max(b.y);
        let crosses = (a.y > p.y) != (b.y > p.y);
        if !in_y_range && !crosses {
            continue;
        }
        let o = <f64 as geo::GeoNum>::Ker::orient2d(a, b, p);
        if o == Orientation::Collinear && p.x >= a.x.min(b.x) && p.x <= a.x.max(b.x) && in_y_range {
            return Position::Boundary;
        }
        // The edge crosses the horizontal line through p to the right of p: p is left of an
        // upward edge or right of a downward one.
        if crosses {
            let upward = b.y > a.y;
            if (upward && o == Orientation::CounterClockwise)
                || (!upward && o == Orientation::Clockwise)
            {
                inside = !inside;
            }
        }
    }
    if inside {
        Position::Inside
    } else {
        Position::Outside
    }
}

/// True when ring `inner` lies inside ring `outer`, by the majority of its first three vertices
/// not on `outer`'s boundary (then of its edge midpoints): a vertex touching `outer` that lands
/// an ulp outside it (a touch on a diagonal edge is rarely representable) does not decide.
fn ring_inside(inner: &LineString<f64>, outer: &LineString<f64>) -> bool {
    let vote = |points: &mut dyn Iterator<Item = Coord<f64>>| -> Option<bool> {
        let (mut ins, mut outs) = (0, 0);
        for c in points {
            match point_in_ring(c, &outer.0) {
                Position::Inside => ins += 1,
                Position::Outside => outs += 1,
                Position::Boundary => {}
            }
            if ins == 2 || outs == 2 {
                break;
            }
        }
        (ins != outs).then_some(ins > outs)
    };
    let n = inner.0.len().saturating_sub(1);
    if let Some(v) = vote(&mut inner.0[..n].iter().copied()) {
        return v;
    }
    let mut mids = inner.0.windows(2).map(|w| Coord {
        x: (w[0].x + w[1].x) / 2.0,
        y: (w[0].y + w[1].y) / 2.0,
    });
    vote(&mut mids).unwrap_or(false)
}

/// Nesting by containment: a ring inside an even number of others is a shell, inside an odd
/// number a hole of the smallest ring containing it. Shells come out in the order they were
/// read, each with its holes in the order they were read; rings are not reoriented.
fn assign_by_containment(rings: Vec<LineString<f64>>) -> Vec<Polygon<f64>> {
    if rings.len() == 1 {
        return rings.into_iter().map(|r| Polygon::new(r, vec![])).collect();
    }
    // (area, box, position in the file); rings without a box (none: they have 4 points) last.
    let mut items: Vec<(f64, Rect<f64>, usize)> = rings
        .iter()
        .enumerate()
        .filter_map(|(k, r)| {
            let area = Polygon::new(r.clone(), vec![]).unsigned_area();
            Some((area, r.bounding_rect()?, k))
        })
        .collect();
    // Largest first, so a ring's container is always earlier in the list.
    items.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.2.cmp(&b.2)));
    let n = items.len();
    let mut parent: Vec<Option<usize>> = vec![None; n];
    let mut depth: Vec<usize> = vec![0; n];
    for i in 0..n {
        // Smallest container first: walk back from the ring just larger than this one.
        for j in (0..i).rev() {
            if rect_contains(&items[j].1, &items[i].1)
                && ring_inside(&rings[items[i].2], &rings[items[j].2])
            {
                parent[i] = Some(j);
                depth[i] = depth[j] + 1;
                break;
            }
        }
    }
    // Sorted positions in file order.
    let mut file_order: Vec<usize> = (0..n).collect();
    file_order.sort_by_key(|&i| items[i].2);
    let mut holes: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &i in &file_order {
        if depth[i] % 2 == 1 {
            if let Some(p) = parent[i] {
                holes[p].push(items[i].2);
            }
        }
    }
    let mut slots: Vec<Option<LineString<f64>>> = rings.into_iter().map(Some).collect();
    let mut take = |k: usize| slots[k].take().unwrap_or_else(|| LineString::new(vec![]));
    let mut out = Vec::new();
    for &i in &file_order {
        if depth[i] % 2 == 0 {
            let shell = take(items[i].2);
            let hs = holes[i].iter().map(|&k| take(k)).collect();
            out.push(Polygon::new(shell, hs));
        }
    }
    out
}

fn rect_contains(outer: &Rect<f64>, inner: &Rect<f64>) -> bool {
    outer.min().x <= inner.min().x
        && outer.min().y <= inner.min().y
        && outer.max().x >= inner.max().x
        && outer.max().y >= inner.max().y
}

/// Area of a geometry in square units of its CRS.
pub fn area_of(geom: &Geom) -> f64 {
    geom.unsigned_area()
}

/// Union of many valid polygons (of any ring orientation).
pub fn union_all(polygons: &[Polygon<f64>]) -> Geom {
    crate::spatial::overlay::union_all(&[MultiPolygon(polygons.to_vec())])
}

/// Intersection of two valid geometries.
pub fn intersection(a: &Geom, b: &Geom) -> Geom {
    a.intersection(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring(pts: &[(f64, f64)]) -> RawRing {
        pts.iter().map(|&(x, y)| Coord { x, y }).collect()
    }

    fn square(x0: f64, y0: f64, s: f64) -> RawRing {
        ring(&[
            (x0, y0),
            (x0 + s, y0),
            (x0 + s, y0 + s),
            (x0, y0 + s),
            (x0, y0),
        ])
    }

    /// The crossing-number test agrees with geo's `coordinate_position` on simple rings: star
    /// shapes on an integer grid (so that points lie exactly on edges and vertices), queried at
    /// every vertex, every grid point of their box and points between.
    #[test]
    fn point_in_ring_agrees_with_geo() {
        use geo::coordinate_position::{CoordPos, CoordinatePosition};
        let mut rnd = crate::test_rng::unit_sequence(0x9e37_79b9);
        for k in 0..40 {
            let n = 3 + k % 17;
            let mut pts: Vec<(f64, f64)> = (0..n)
                .map(|i| {
                    let t = (i as f64 + 0.3 * rnd()) / n as f64 * std::f64::consts::TAU;
                    let r = 3.0 + (7.0 * rnd()).round();
                    ((10.0 + r * t.cos()).round(), (10.0 + r * t.sin()).round())
                })
                .collect();
            pts.dedup();
            pts.push(pts[0]);
            let shell: Vec<Coord<f64>> = pts.iter().map(|&(x, y)| Coord { x, y }).collect();
            let polygon = Polygon::new(LineString::new(shell.clone()), vec![]);
            if !geo::Validation::is_valid(&polygon) {
                continue; // rounding folded the star: not a simple ring
            }
            let mut queries: Vec<Coord<f64>> = shell.clone();
            for x in 0..=20 {
                for y in 0..=20 {
                    queries.push(Coord {
                        x: x as f64,
                        y: y as f64,
                    });
                    queries.push(Coord {
                        x: x as f64 + rnd(),
                        y: y as f64 + 0.5,
                    });
                }
            }
            for q in queries {
                let want = match polygon.coordinate_position(&q) {
                    CoordPos::Inside => Position::Inside,
                    CoordPos::OnBoundary => Position::Boundary,
                    CoordPos::Outside => Position::Outside,
                };
                assert_eq!(point_in_ring(q, &shell), want, "{q:?} in {pts:?}");
            }
        }
    }

    #[test]
    fn hole_listed_after_another_shell_goes_to_its_container() {
        // Shell A 0..10, shell B 20..30, then a hole 2..4 inside A (listed last, wrong orientation).
        let shape = RawShape::Rings(vec![
            square(0., 0., 10.),
            square(20., 0., 10.),
            square(2., 2., 2.),
        ]);
        let r = build_geometry(&shape).unwrap();
        assert_eq!(r.geometry.0.len(), 2);
        assert!((r.geometry.unsigned_area() - (100. - 4. + 100.)).abs() < 1e-9);
        assert!(r.notes.is_empty(), "{:?}", r.notes);
    }

    #[test]
    fn island_in_hole_is_a_shell() {
        let shape = RawShape::Rings(vec![
            square(0., 0., 10.),
            square(2., 2., 6.),
            square(4., 4., 2.),
        ]);
        let r = build_geometry(&shape).unwrap();
        assert_eq!(r.geometry.0.len(), 2);
        assert!((r.geometry.unsigned_area() - (100. - 36. + 4.)).abs() < 1e-9);
    }

    #[test]
    fn bow_tie_becomes_two_triangles() {
        let shape = RawShape::Rings(vec![ring(&[
            (0., 0.),
            (10., 10.),
            (10., 0.),
            (0., 10.),
            (0., 0.),
        ])]);
        let r = build_geometry(&shape).unwrap();
        assert_eq!(r.geometry.0.len(), 2);
        // Two triangles of base 10 and height 5.
        assert!((r.geometry.unsigned_area() - 50.).abs() < 1e-9);
        assert!(!r.notes.is_empty());
    }

    #[test]
    fn unclosed_ring_with_duplicates_is_closed() {
        let shape = RawShape::Rings(vec![ring(&[
            (0., 0.),
            (4., 0.),
            (4., 0.),
            (4., 3.),
            (0., 3.),
        ])]);
        let r = build_geometry(&shape).unwrap();
        assert!((r.geometry.unsigned_area() - 12.).abs() < 1e-12);
        assert!(r.notes.iter().any(|n| n.contains("unclosed")));
        assert!(r.notes.iter().any(|n| n.contains("duplicate")));
    }

    #[test]
    fn nan_drops_feature_and_short_ring_is_dropped() {
        assert!(build_geometry(&RawShape::Rings(vec![ring(&[
            (0., 0.),
            (f64::NAN, 1.),
            (1., 1.),
            (0., 0.)
        ])]))
        .is_err());
        assert!(build_geometry(&RawShape::Rings(vec![ring(&[
            (0., 0.),
            (1., 1.),
            (0., 0.)
        ])]))
        .is_err());
    }

    #[test]
    fn spike_is_removed() {
        // Square 0..10 with a spike out to (15,5) and back along the same line.
        let shape = RawShape::Rings(vec![ring(&[
            (0., 0.),
            (10., 0.),
            (10., 5.),
            (15., 5.),
            (10., 5.),
            (10., 10.),
            (0., 10.),
            (0., 0.),
        ])]);
        let r = build_geometry(&shape).unwrap();
        assert!((r.geometry.unsigned_area() - 100.).abs() < 1e-9);
    }

    #[test]
    fn geojson_hole_outside_shell_is_dropped() {
        let shape = RawShape::Polygons(vec![vec![square(0., 0., 10.), square(20., 20., 2.)]]);
        let r = build_geometry(&shape).unwrap();
        assert!((r.geometry.unsigned_area() - 100.).abs() < 1e-12);
        assert!(r.notes.iter().any(|n| n.contains("outside")));
    }

    #[test]
    fn overlapping_shells_are_merged() {
        let shape = RawShape::Rings(vec![square(0., 0., 10.), square(5., 0., 10.)]);
        // Overlapping shells are not nested: both shells, union area 150.
        let r = build_geometry(&shape).unwrap();
        assert!((r.geometry.unsigned_area() - 150.).abs() < 1e-9);
        assert_eq!(r.boundary, vec![msg::overlapping_parts_merged()]);
    }
}

#[cfg(test)]
mod fast_valid_tests {
    use super::*;
    use geo::wkt;

    #[test]
    fn agrees_with_geo_validation() {
        let cases: Vec<(Polygon<f64>, bool)> = vec![
            (wkt!(POLYGON((0. 0.,10. 0.,10. 10.,0. 10.,0. 0.))), true),
            (
                wkt!(POLYGON((0. 0.,10. 0.,10. 10.,0. 10.,0. 0.),(2. 2.,2. 4.,4. 4.,4. 2.,2. 2.))),
                true,
            ),
            (wkt!(POLYGON((0. 0.,10. 10.,10. 0.,0. 10.,0. 0.))), false),
            (
                wkt!(POLYGON((0. 0.,10. 0.,10. 5.,15. 5.,10. 5.,10. 10.,0. 10.,0. 0.))),
                false,
            ),
            // Hole crossing the shell.
            (
                wkt!(POLYGON((0. 0.,10. 0.,10. 10.,0. 10.,0. 0.),(8. 2.,12. 2.,12. 4.,8. 4.,8. 2.))),
                false,
            ),
            // Hole inside another hole.
            (
                wkt!(POLYGON((0. 0.,10. 0.,10. 10.,0. 10.,0. 0.),(1. 1.,1. 9.,9. 9.,9. 1.,1. 1.),(3. 3.,3. 4.,4. 4.,4. 3.,3. 3.))),
                false,
            ),
            // Collinear consecutive vertices are fine.
            (
                wkt!(POLYGON((0. 0.,5. 0.,10. 0.,10. 10.,0. 10.,0. 0.))),
                true,
            ),
        ];
        for (p, expected) in cases {
            assert_eq!(is_fast_valid(&p), expected, "{p:?}");
            if expected {
                assert!(p.validation_errors().is_empty());
            }
        }
        // Valid per OGC (hole touches the shell at one point) but not shown valid by the fast
        // path: the full validation decides, which is the safe direction.
        let touching = wkt!(POLYGON((0. 0.,10. 0.,10. 10.,0. 10.,0. 0.),(0. 5.,3. 4.,3. 6.,0. 5.)));
        assert!(!is_fast_valid(&touching));
    }

    /// The star test shows convex and star-shaped rings simple either way round, and refuses
    /// what it cannot show: a pentagram (every edge turns the same way round the centre, but
    /// the ring goes round it twice: self-intersecting), an L whose vertices' mean is outside
    /// its kernel (simple: shown valid by the segments instead), a spike, a repeated vertex.
    #[test]
    fn star_test_shows_only_simple_rings() {
        let ring = |p: Polygon<f64>| p.exterior().0.clone();
        let reversed = |mut r: Vec<Coord<f64>>| {
            r.reverse();
            r
        };
        let square = ring(wkt!(POLYGON((0. 0.,10. 0.,10. 10.,0. 10.,0. 0.))));
        let star = ring(wkt!(POLYGON((0. 0.,4. 1.,8. 0.,7. 4.,8. 8.,4. 7.,0. 8.,1. 4.,0. 0.))));
        for r in [square, star] {
            assert!(star_simple(&r), "{r:?}");
            assert!(star_simple(&reversed(r.clone())), "{r:?}");
        }
        let pentagram: Vec<Coord<f64>> = (0..=5)
            .map(|k| {
                let t = std::f64::consts::TAU * f64::from(k * 2 % 5) / 5.0;
                Coord {
                    x: 500_000.0 + 100.0 * t.cos(),
                    y: 3_300_000.0 + 100.0 * t.sin(),
                }
            })
            .collect();
        assert!(!star_simple(&pentagram));
        assert!(!is_fast_valid(&Polygon::new(
            LineString::new(pentagram),
            vec![]
        )));
        // An L with a long thin arm: the mean of its vertices sees the inner corner's edges
        // from behind.
        let l = wkt!(POLYGON((0. 0.,100. 0.,100. 1.,1. 1.,1. 100.,0. 100.,0. 0.)));
        assert!(!star_simple(&l.exterior().0));
        assert!(is_fast_valid(&l));
        let spike = ring(wkt!(POLYGON((0. 0.,10. 0.,10. 5.,15. 5.,10. 5.,10. 10.,0. 10.,0. 0.))));
        let repeated = ring(wkt!(POLYGON((0. 0.,10. 0.,10. 0.,10. 10.,0. 10.,0. 0.))));
        assert!(!star_simple(&spike));
        assert!(!star_simple(&repeated));
    }
}

#[cfg(test)]
mod fuzz_regressions {
    use super::*;

    /// Inputs under fuzz/regressions/shapefile made geo's validation or repair panic; they must
    /// now load (or be dropped with a reason) without a panic.
    #[test]
    fn fuzz_regressions_do_not_panic() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions/shapefile");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return;
        };
        for e in entries.flatten() {
            let bytes = std::fs::read(e.path()).unwrap();
            // Layout: three little-endian u16 lengths (.shp, .shx, .dbf; 0xFFFF = absent), the files, then .cpg.
            if bytes.len() < 6 {
                continue;
            }
            let tmp = tempfile::tempdir().unwrap();
            let mut pos = 6;
            let mut present = [false; 3];
            for (k, ext) in ["shp", "shx", "dbf"].iter().enumerate() {
                let len = u16::from_le_bytes([bytes[2 * k], bytes[2 * k + 1]]);
                if len == 0xFFFF {
                    continue;
                }
                let end = (pos + len as usize).min(bytes.len());
                std::fs::write(tmp.path().join(format!("x.{ext}")), &bytes[pos..end]).unwrap();
                present[k] = true;
                pos = end;
            }
            if pos < bytes.len() {
                std::fs::write(tmp.path().join("x.cpg"), &bytes[pos..]).unwrap();
            }
            if let Ok(layer) = crate::io::shp::read_shapefile(&tmp.path().join("x.shp")) {
                for r in &layer.records {
                    let _ = build_geometry(&r.shape);
                }
            }
        }
    }
}

#[cfg(test)]
mod touching_hole_tests {
    use super::*;
    use geo::kernels::{Kernel, Orientation};

    /// Twice the signed area of triangle abc.
    fn cross(a: Coord<f64>, b: Coord<f64>, c: Coord<f64>) -> f64 {
        (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x)
    }

    /// A triangular shell with a triangular hole touching its diagonal edge at one point, at
    /// sizes from 1 cm to 1 km, 2,000 shapes each (a fixed pseudo-random sequence), far from
    /// the origin as projected coordinates are. Where the touching point is on the edge or
    /// inside the shell in exact arithmetic, the polygon is valid (OGC): it keeps its hole —
    /// area shell − hole — with no note, as GeoJSON rings and as shapefile rings. Where it is an
    /// ulp outside (the hole crosses the shell by ~1e-10 m), the hole is still not filled.
    #[test]
    fn a_hole_touching_the_shell_is_kept_at_every_scale() {
        let mut rnd = crate::test_rng::unit_sequence(12345);
        let (ox, oy) = (500_000.0, 3_300_000.0);
        let mut valid = 0;
        for l in [0.01, 1.0, 10.0, 100.0, 1000.0] {
            for _ in 0..2000 {
                let c = |x: f64, y: f64| Coord {
                    x: ox + x,
                    y: oy + y,
                };
                let a = c(0., 0.);
                let b = c(l * (0.8 + 0.4 * rnd()), l * 0.3 * rnd());
                let d = c(l * 0.3 * rnd(), l * (0.8 + 0.4 * rnd()));
                let t = 0.3 + 0.4 * rnd();
                let touch = Coord {
                    x: b.x + t * (d.x - b.x),
                    y: b.y + t * (d.y - b.y),
                };
                let h1 = Coord {
                    x: touch.x + (a.x - touch.x) * 0.3,
                    y: touch.y + (a.y - touch.y) * 0.2,
                };
                let h2 = Coord {
                    x: touch.x + (a.x - touch.x) * 0.2,
                    y: touch.y + (a.y - touch.y) * 0.3,
                };
                let expected = (cross(a, b, d).abs() - cross(touch, h1, h2).abs()) / 2.0;
                let exact_inside =
                    <f64 as geo::GeoNum>::Ker::orient2d(b, d, touch) != Orientation::Clockwise;
                for shape in [
                    RawShape::Polygons(vec![vec![vec![a, b, d, a], vec![touch, h1, h2, touch]]]),
                    RawShape::Rings(vec![vec![a, b, d, a], vec![touch, h1, h2, touch]]),
                ] {
                    let r = build_geometry(&shape).unwrap();
                    let area = r.geometry.unsigned_area();
                    assert!(
                        (area - expected).abs() <= 1e-6 * expected,
                        "{l}: {area} vs {expected} {shape:?}"
                    );
                    if exact_inside {
                        assert!(r.notes.is_empty(), "{:?} {shape:?}", r.notes);
                        valid += 1;
                    }
                }
            }
        }
        assert!(valid > 10_000, "{valid}");
    }
}

#[cfg(test)]
mod passthrough_tests {
    use super::*;
    use proptest::prelude::*;
    use std::f64::consts::TAU;

    /// Every coordinate of `got` has the bits of the matching one in `rings` (polygon by
    /// polygon, exterior first), and there are as many of each.
    fn assert_bit_identical(got: &Geom, polys: &[Vec<RawRing>]) {
        assert_eq!(got.0.len(), polys.len(), "{got:?}");
        for (p, rings) in got.0.iter().zip(polys) {
            let got_rings: Vec<&LineString<f64>> =
                std::iter::once(p.exterior()).chain(p.interiors()).collect();
            assert_eq!(got_rings.len(), rings.len());
            for (g, r) in got_rings.iter().zip(rings) {
                let bits = |c: &Coord<f64>| (c.x.to_bits(), c.y.to_bits());
                let g: Vec<(u64, u64)> = g.0.iter().map(bits).collect();
                let r: Vec<(u64, u64)> = r.iter().map(bits).collect();
                assert_eq!(g, r);
            }
        }
    }

    /// Both readings of `polys` (GeoJSON polygons; shapefile rings in the same order) come out
    /// bit-identical with no note.
    fn assert_passes_through(polys: &[Vec<RawRing>]) {
        for shape in [
            RawShape::Polygons(polys.to_vec()),
            RawShape::Rings(polys.iter().flatten().cloned().collect()),
        ] {
            let r = build_geometry(&shape).unwrap();
            assert!(r.notes.is_empty(), "{:?}", r.notes);
            assert!(r.boundary.is_empty());
            assert_bit_identical(&r.geometry, polys);
        }
    }

    /// A star-shaped ring around (cx, cy): vertex i at angle phase + i/n·τ and radius
    /// r·fracs[i]; closed; clockwise when `cw`.
    fn star(cx: f64, cy: f64, r: f64, fracs: &[f64], phase: f64, cw: bool) -> RawRing {
        let n = fracs.len() as f64;
        let mut pts: RawRing = fracs
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let t = phase + i as f64 / n * TAU;
                Coord {
                    x: cx + r * f * t.cos(),
                    y: cy + r * f * t.sin(),
                }
            })
            .collect();
        pts.push(pts[0]);
        if cw {
            pts.reverse();
        }
        pts
    }

    /// Shape of one random polygon: shell radii (8+ vertices, radii 0.5..1 of r, so the shell
    /// contains the disc of radius 0.5·r·cos(π/8) ≈ 0.46·r), up to 4 holes (radius ≤ 0.14·r,
    /// centres 0.28·r from the centre, one per quarter turn: they stay 0.11·r apart and within
    /// 0.42·r) with their orientations, and whether an island sits in the first hole.
    #[derive(Debug, Clone)]
    struct Shape {
        shell: Vec<f64>,
        shell_cw: bool,
        phase: f64,
        holes: Vec<(Vec<f64>, bool)>,
        island: Option<(Vec<f64>, bool)>,
    }

    fn shape() -> impl Strategy<Value = Shape> {
        (
            prop::collection::vec(0.5..1.0f64, 8..40),
            any::<bool>(),
            0.0..TAU,
            prop::collection::vec(
                (prop::collection::vec(0.5..1.0f64, 3..9), any::<bool>()),
                0..5,
            ),
            prop::option::of((prop::collection::vec(0.5..1.0f64, 3..9), any::<bool>())),
        )
            .prop_map(|(shell, shell_cw, phase, holes, island)| Shape {
                shell,
                shell_cw,
                phase,
                holes,
                island,
            })
    }

    /// The polygons of `s` at (cx, cy) with radius r: the polygon, then the island (a polygon
    /// of its own, inside the first hole) when there is one.
    fn polygons(s: &Shape, cx: f64, cy: f64, r: f64) -> Vec<Vec<RawRing>> {
        let mut rings = vec![star(cx, cy, r, &s.shell, s.phase, s.shell_cw)];
        let mut out = Vec::new();
        let mut island = None;
        for (k, (fracs, cw)) in s.holes.iter().enumerate() {
            let t = s.phase + k as f64 * TAU / 4.0;
            let (hx, hy) = (cx + 0.28 * r * t.cos(), cy + 0.28 * r * t.sin());
            rings.push(star(hx, hy, 0.14 * r, fracs, t, *cw));
            if k == 0 {
                // The hole contains the disc of radius 0.14·r·0.5·cos(π/3) = 0.035·r.
                island = s
                    .island
                    .as_ref()
                    .map(|(f, cw)| vec![star(hx, hy, 0.03 * r, f, 0.3, *cw)]);
            }
        }
        out.push(rings);
        out.extend(island);
        out
    }

    prop_compose! {
        /// The points (not closed) of a walk on a small grid: collinear runs, touches, spikes,
        /// repeated points, rings going round twice.
        fn grid_walk()(walk in prop::collection::vec((0..4i32, 0..4i32), 3..14)) -> Vec<Coord<f64>> {
            walk.iter()
                .map(|&(x, y)| Coord { x: f64::from(x), y: f64::from(y) })
                .collect()
        }
    }

    prop_compose! {
        /// A star ring (not closed) of radii 100 m × `fracs` going round its centre once or
        /// twice, one vertex moved along its ray (through the centre, or far outside).
        fn pulled_star()(
            fracs in prop::collection::vec(0.2..1.0f64, 3..30),
            pull in (0usize..30, -1.5..3.0f64),
            turns in 1..3u32,
        ) -> Vec<Coord<f64>> {
            let n = fracs.len();
            fracs
                .iter()
                .enumerate()
                .map(|(k, f)| {
                    let t = TAU * f64::from(turns) * k as f64 / n as f64;
                    let f = if k == pull.0 % n { pull.1 } else { *f };
                    Coord { x: 500_000.0 + 100.0 * f * t.cos(), y: 3_300_000.0 + 100.0 * f * t.sin() }
                })
                .collect()
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 300,
            rng_seed: proptest::test_runner::RngSeed::Fixed(0x000e_9a12),
            ..ProptestConfig::default()
        })]

        /// The fast validity test, on both of its paths (every pair for up to
        /// `SMALL_RING_SEGMENTS` segments, a sweep beyond): a simple star ring of 3 to 60
        /// vertices is shown valid, and a random walk on a 5 × 5 grid (crossings, touches,
        /// spikes, repeated points) is shown valid only when geo's validation finds nothing.
        #[test]
        fn fast_validity_on_both_paths(
            fracs in prop::collection::vec(0.5..1.0f64, 3..60),
            phase in 0.0..TAU,
            walk in prop::collection::vec((0..5i32, 0..5i32), 3..60),
        ) {
            let ring = star(500_000.0, 3_300_000.0, 100.0, &fracs, phase, false);
            let star_ring = Polygon::new(LineString::new(ring), vec![]);
            prop_assert!(is_fast_valid(&star_ring));
            // Also by the segments (the star test shows most of these valid on its own).
            prop_assert!(segments_valid(&star_ring));
            let mut pts: Vec<Coord<f64>> = walk
                .iter()
                .map(|&(x, y)| Coord { x: f64::from(x), y: f64::from(y) })
                .collect();
            pts.push(pts[0]);
            let p = Polygon::new(LineString::new(pts), vec![]);
            prop_assert!(!is_fast_valid(&p) || p.validation_errors().is_empty(), "{p:?}");
            prop_assert!(!segments_valid(&p) || p.validation_errors().is_empty(), "{p:?}");
        }

        /// A ring said to pass unchanged is what building it gives, bit for bit, with no note
        /// (grid walks: mostly invalid or with repeated points; star rings, some wound twice or
        /// with a vertex pulled through the centre; open rings).
        #[test]
        fn a_ring_passing_unchanged_is_what_the_build_gives(
            mut walked in grid_walk(),
            mut star in pulled_star(),
            close in any::<bool>(),
        ) {
            if close {
                walked.push(walked[0]);
                star.push(star[0]);
            }
            for ring in [walked, star] {
                let (passes, back) = ring_passes_unchanged(ring.clone());
                prop_assert_eq!(&back, &ring);
                let built = build_geometry(&RawShape::Rings(vec![ring.clone()]));
                if passes {
                    let rep = built.expect("built");
                    prop_assert!(rep.notes.is_empty() && rep.boundary.is_empty());
                    prop_assert_eq!(
                        rep.geometry,
                        MultiPolygon(vec![Polygon::new(LineString::new(ring), vec![])])
                    );
                }
            }
        }

        /// The star test never shows an invalid ring simple: random walks on small grids
        /// (collinear runs, touches, spikes, rings going round twice), and star rings with a
        /// vertex pulled through the centre or far outside, judged by geo's validation.
        #[test]
        fn star_test_is_sound(mut pts in grid_walk(), mut ring in pulled_star()) {
            pts.push(pts[0]);
            let p = Polygon::new(LineString::new(pts.clone()), vec![]);
            prop_assert!(!star_simple(&pts) || p.validation_errors().is_empty(), "{p:?}");
            ring.push(ring[0]);
            let q = Polygon::new(LineString::new(ring.clone()), vec![]);
            prop_assert!(!star_simple(&ring) || q.validation_errors().is_empty(), "{q:?}");
        }

        /// Two parts on a small grid — apart, touching at a corner, sharing an edge,
        /// overlapping, one inside the other or inside its hole, far from the origin — are
        /// judged as geo's DE-9IM judges them (the shortcut for boundaries that do not meet
        /// agrees with `relate` on every case).
        #[test]
        fn parts_meeting_agrees_with_relate(
            a in (0..6i32, 0..6i32, 1..7i32, 1..7i32),
            b in (0..6i32, 0..6i32, 1..7i32, 1..7i32),
            hole in any::<bool>(),
            notch in any::<bool>(),
            place in 0..4u8,
        ) {
            let (x0, y0) = (512_345.0, 3_301_234.0);
            let c = |x: f64, y: f64| Coord { x: x0 + x, y: y0 + y };
            // A rectangle, with a hole of a fifth of it in the middle, or with a notch cut into
            // its top edge (a concave part, whose box holds what lies in the notch).
            let part = |(x, y, w, h): (i32, i32, i32, i32), hole: bool, notch: bool| {
                let (x, y, w, h) = (f64::from(x), f64::from(y), f64::from(w), f64::from(h));
                let shell = if notch {
                    vec![
                        c(x, y), c(x + w, y), c(x + w, y + h), c(x + 0.75 * w, y + h),
                        c(x + 0.5 * w, y + 0.2 * h), c(x + 0.25 * w, y + h), c(x, y + h), c(x, y),
                    ]
                } else {
                    vec![c(x, y), c(x + w, y), c(x + w, y + h), c(x, y + h), c(x, y)]
                };
                let holes = if hole && !notch {
                    vec![LineString::new(vec![
                        c(x + 0.4 * w, y + 0.4 * h), c(x + 0.4 * w, y + 0.6 * h),
                        c(x + 0.6 * w, y + 0.6 * h), c(x + 0.6 * w, y + 0.4 * h),
                        c(x + 0.4 * w, y + 0.4 * h),
                    ])]
                } else {
                    Vec::new()
                };
                Polygon::new(LineString::new(shell), holes)
            };
            let pa = part(a, hole, false);
            let pb = part(b, false, notch);
            // Or b put inside a: into a's hole (when it has one), or into its interior near a
            // corner, touching nothing.
            let (x, y, w, h) = (f64::from(a.0), f64::from(a.1), f64::from(a.2), f64::from(a.3));
            let small = |fx: f64, fy: f64| {
                Polygon::new(
                    LineString::new(vec![
                        c(x + fx * w, y + fy * h), c(x + (fx + 0.1) * w, y + fy * h),
                        c(x + (fx + 0.1) * w, y + (fy + 0.1) * h), c(x + fx * w, y + (fy + 0.1) * h),
                        c(x + fx * w, y + fy * h),
                    ]),
                    vec![],
                )
            };
            let pb = match place {
                1 if hole => small(0.45, 0.45),
                1 | 2 => small(0.1, 0.1),
                _ => pb,
            };
            let m = pa.relate(&pb);
            let want = if m.get(CoordPos::Inside, CoordPos::Inside) != Dimensions::Empty {
                PartsMeet::Overlap
            } else if m.get(CoordPos::OnBoundary, CoordPos::OnBoundary) == Dimensions::OneDimensional {
                PartsMeet::SharedEdge
            } else {
                PartsMeet::No
            };
            let got = parts_meeting(&[pa.clone(), pb.clone()]);
            prop_assert_eq!(got, want, "{:?} {:?}", pa, pb);
            // Whenever the boundaries are said apart, no boundary point is shared.
            if boundaries_apart(&pa, &pb) == Some(true) {
                prop_assert_eq!(
                    m.get(CoordPos::OnBoundary, CoordPos::OnBoundary),
                    Dimensions::Empty
                );
            }
        }

        /// A valid polygon with holes (any orientation of any ring), at any size far from the
        /// origin, comes out bit-identical with no note.
        #[test]
        fn a_valid_polygon_passes_through_bit_identical(
            s in shape(),
            x in 300_000.0..700_000.0f64,
            y in 2_500_000.0..4_000_000.0f64,
            r in 0.05..5_000.0f64,
        ) {
            let polys = polygons(&Shape { island: None, ..s }, x, y, r);
            assert_passes_through(&polys);
        }

        /// Disjoint parts — side by side 2.2·r apart (gaps ≥ 0.2·r), islands inside holes
        /// (their boxes meet the polygon's), and two triangles across the diagonal of a square
        /// with a gap of a millionth of its side (boxes overlap) — come out bit-identical.
        #[test]
        fn disjoint_parts_pass_through_bit_identical(
            shapes in prop::collection::vec(shape(), 1..6),
            x in 300_000.0..700_000.0f64,
            y in 2_500_000.0..4_000_000.0f64,
            r in 0.05..5_000.0f64,
            diagonal in any::<bool>(),
        ) {
            let mut polys = Vec::new();
            for (i, s) in shapes.iter().enumerate() {
                let (cx, cy) = (x + (i % 3) as f64 * 2.2 * r, y + (i / 3) as f64 * 2.2 * r);
                polys.extend(polygons(s, cx, cy, r));
            }
            if diagonal {
                let (x0, y0) = (x - 4.0 * r, y);
                let c = |u: f64, v: f64| Coord { x: x0 + u * r, y: y0 + v * r };
                let g = 1e-6;
                polys.push(vec![vec![c(0., 0.), c(1., 0.), c(0., 1.), c(0., 0.)]]);
                polys.push(vec![vec![c(1., 1.), c(g, 1.), c(1., g), c(1., 1.)]]);
            }
            assert_passes_through(&polys);
        }

        /// Two parts whose centres are closer than half the radius overlap (each contains the
        /// other's centre): they are merged, with the boundary note, and the union's area is
        /// less than the sum of the parts'.
        #[test]
        fn overlapping_parts_are_still_merged_with_the_note(
            a in shape(),
            b in shape(),
            x in 300_000.0..700_000.0f64,
            y in 2_500_000.0..4_000_000.0f64,
            r in 0.05..5_000.0f64,
            d in 0.0..0.45f64,
            t in 0.0..TAU,
        ) {
            let a = Shape { holes: vec![], island: None, ..a };
            let b = Shape { holes: vec![], island: None, ..b };
            let mut polys = polygons(&a, x, y, r);
            polys.extend(polygons(&b, x + d * r * t.cos(), y + d * r * t.sin(), r));
            let sum: f64 = polys
                .iter()
                .map(|p| Polygon::new(LineString::new(p[0].clone()), vec![]).unsigned_area())
                .sum();
            // As shapefile rings, a ring inside the other's box may be read as its hole.
            let boxes: Vec<Rect<f64>> = polys
                .iter()
                .filter_map(|p| LineString::new(p[0].clone()).bounding_rect())
                .collect();
            let nested = rect_contains(&boxes[0], &boxes[1]) || rect_contains(&boxes[1], &boxes[0]);
            let mut shapes = vec![RawShape::Polygons(polys.clone())];
            if !nested {
                shapes.push(RawShape::Rings(polys.iter().flatten().cloned().collect()));
            }
            for shape in shapes {
                let rep = build_geometry(&shape).unwrap();
                let merged = msg::overlapping_parts_merged();
                prop_assert!(rep.notes.contains(&merged), "{:?}", rep.notes);
                prop_assert!(rep.boundary.contains(&merged));
                prop_assert!(rep.geometry.unsigned_area() < sum * (1.0 - 1e-6));
            }
        }
    }

    fn square(x0: f64, y0: f64, s: f64) -> RawRing {
        // Clockwise, as shapefiles store exteriors.
        [(0., 0.), (0., 1.), (1., 1.), (1., 0.), (0., 0.)]
            .iter()
            .map(|&(u, v)| Coord {
                x: x0 + u * s,
                y: y0 + v * s,
            })
            .collect()
    }

    #[test]
    fn parts_touching_at_a_corner_pass_through() {
        // 10 m squares meeting at (500010, 3300010) only: a valid multipolygon.
        let polys = vec![
            vec![square(500_000.0, 3_300_000.0, 10.0)],
            vec![square(500_010.0, 3_300_010.0, 10.0)],
        ];
        assert_passes_through(&polys);
    }

    #[test]
    fn parts_sharing_an_edge_are_joined_with_a_trivial_note() {
        // Two 10 m squares sharing the side x = 500010: joined into one 200 m² part; the note
        // says so but is no boundary repair (no area changed).
        let shape = RawShape::Rings(vec![
            square(500_000.0, 3_300_000.0, 10.0),
            square(500_010.0, 3_300_000.0, 10.0),
        ]);
        let r = build_geometry(&shape).unwrap();
        assert_eq!(r.geometry.0.len(), 1);
        assert!((r.geometry.unsigned_area() - 200.0).abs() < 1e-6);
        assert_eq!(r.notes, vec![msg::parts_sharing_edges_joined()]);
        assert!(r.boundary.is_empty());
    }

    /// 100 disjoint squares (more than [`INDEX_PARTS`]: the R-tree path) in a 10 × 10 grid,
    /// 1 m apart, pass through; moving one onto its neighbour by half a side merges them.
    #[test]
    fn many_parts_use_the_index_and_keep_the_exact_test() {
        let grid = |shift: f64| -> Vec<Vec<RawRing>> {
            (0..100)
                .map(|k| {
                    let (i, j) = ((k % 10) as f64, (k / 10) as f64);
                    let dx = if k == 55 { shift } else { 0.0 };
                    vec![square(
                        500_000.0 + 11.0 * i + dx,
                        3_300_000.0 + 11.0 * j,
                        10.0,
                    )]
                })
                .collect()
        };
        assert!(grid(0.0).len() > INDEX_PARTS);
        assert_passes_through(&grid(0.0));
        // Part 55 moved 6 m towards part 56 (1 m gap): they overlap by 5 m × 10 m = 50 m².
        let r = build_geometry(&RawShape::Polygons(grid(6.0))).unwrap();
        assert!(r.boundary.contains(&msg::overlapping_parts_merged()));
        assert!((r.geometry.unsigned_area() - (100.0 * 100.0 - 50.0)).abs() < 1e-6);
        assert_eq!(r.geometry.0.len(), 99);
    }
}
