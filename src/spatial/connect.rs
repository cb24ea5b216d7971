//! What joins the parts of a zone and what does not: connections narrower than a minimum width
//! ([`pieces`]), and the length of a gap that barriers or protected land fill
//! ([`covered_share`]).

use crate::spatial::guard;
use crate::spatial::overlay::{distance_m, find_root};
use geo::{
    Area, BooleanOps, BoundingRect, Buffer, ConvexHull, Coord, Intersects, MultiPolygon, Point,
    Polygon, Translate,
};

/// The pieces of `p` that stay apart once every connection narrower than `width_m` is cut, or
/// `None` when `p` stays one piece (or the cut cannot be computed).
///
/// The cut is the morphological opening: `p` shrunk by `width_m / 2`, then grown back. A
/// strip narrower than `width_m` vanishes in the shrinking and does not come back, so two wide
/// pieces it joined come back as two. Each piece returned is the grown piece clipped to `p`
/// (the strips themselves belong to no piece). Two shrunk pieces less than `width_m` apart grow
/// back into one (their discs overlap), so they are one piece.
///
/// Shortcuts that never change the answer: a polygon smaller than two discs of diameter
/// `width_m` cannot hold two pieces; a convex polygon without holes has no neck.
///
/// ```
/// use geo::polygon;
/// use zonecheck::spatial::connect::pieces;
/// // Two 200 m squares joined by a 2 m × 800 m corridor: cut at 30 m, two pieces.
/// let p = polygon![
///     (x: 0.0, y: 0.0), (x: 200.0, y: 0.0), (x: 200.0, y: 99.0), (x: 1000.0, y: 99.0),
///     (x: 1000.0, y: 0.0), (x: 1200.0, y: 0.0), (x: 1200.0, y: 200.0), (x: 1000.0, y: 200.0),
///     (x: 1000.0, y: 101.0), (x: 200.0, y: 101.0), (x: 200.0, y: 200.0), (x: 0.0, y: 200.0),
/// ];
/// assert_eq!(pieces(&p, 30.0).map(|v| v.len()), Some(2));
/// // At 1 m the corridor is wide enough: one piece.
/// assert!(pieces(&p, 1.0).is_none());
/// ```
pub fn pieces(p: &Polygon<f64>, width_m: f64) -> Option<Vec<Polygon<f64>>> {
    if !(width_m.is_finite() && width_m > 0.0) {
        return None;
    }
    let r = width_m / 2.0;
    let area = p.unsigned_area();
    if area < 2.0 * std::f64::consts::PI * r * r {
        return None;
    }
    if p.interiors().is_empty() && p.convex_hull().unsigned_area() <= area * (1.0 + 1e-9) {
        return None;
    }
    // Local coordinates: the overlay's grid is finer on a small extent.
    let origin = p.bounding_rect()?.min();
    let local = p.translate(-origin.x, -origin.y);
    let cut = guard::catch(|| {
        let eps = 1e-9 * area;
        let shrunk: Vec<Polygon<f64>> = local
            .buffer(-r)
            .0
            .into_iter()
            .filter(|q| q.unsigned_area() > eps)
            .collect();
        if shrunk.len() < 2 {
            return None;
        }
        // Shrunk pieces less than `width_m` apart grow back into one.
        let mut parent: Vec<usize> = (0..shrunk.len()).collect();
        for i in 0..shrunk.len() {
            for j in (i + 1)..shrunk.len() {
                if distance_m(&shrunk[i], &shrunk[j]) < width_m {
                    let (a, b) = (find_root(&mut parent, i), find_root(&mut parent, j));
                    parent[a] = b;
                }
            }
        }
        let mut groups: std::collections::BTreeMap<usize, Vec<Polygon<f64>>> =
            std::collections::BTreeMap::new();
        for (i, q) in shrunk.into_iter().enumerate() {
            groups.entry(find_root(&mut parent, i)).or_default().push(q);
        }
        if groups.len() < 2 {
            return None;
        }
        let whole = MultiPolygon(vec![local.clone()]);
        let out: Vec<Polygon<f64>> = groups
            .into_values()
            .filter_map(|g| {
                let grown = MultiPolygon(g).buffer(r).intersection(&whole);
                // One piece per group: the largest polygon of the clipped growth (clipping to
                // `p` can only leave crumbs of rounding beside it).
                grown
                    .0
                    .into_iter()
                    .max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area()))
            })
            .collect();
        (out.len() >= 2).then_some(out)
    })
    .flatten()?;
    Some(
        cut.into_iter()
            .map(|q| q.translate(origin.x, origin.y))
            .collect(),
    )
}

/// The share (0 to 1) of the segment `a`–`b` that lies in at least one of `polygons`
/// (boundaries included). Each polygon's stretch of the segment is found from the segment's
/// crossings with its rings, the stretches of all polygons are merged, so land covered twice
/// (a road on farmland) counts once.
///
/// ```
/// use geo::{polygon, Coord};
/// use zonecheck::spatial::connect::covered_share;
/// // A 20 m road across the middle of a 100 m gap, and farmland overlapping it: 30 m in all.
/// let road = polygon![(x: 40.0, y: -5.0), (x: 60.0, y: -5.0), (x: 60.0, y: 5.0), (x: 40.0, y: 5.0)];
/// let farm = polygon![(x: 50.0, y: -5.0), (x: 70.0, y: -5.0), (x: 70.0, y: 5.0), (x: 50.0, y: 5.0)];
/// let share = covered_share(Coord { x: 0.0, y: 0.0 }, Coord { x: 100.0, y: 0.0 }, [&road, &farm]);
/// assert!((share - 0.3).abs() < 1e-12);
/// ```
pub fn covered_share<'a>(
    a: Coord<f64>,
    b: Coord<f64>,
    polygons: impl IntoIterator<Item = &'a Polygon<f64>>,
) -> f64 {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len2 = dx * dx + dy * dy;
    if len2 <= 0.0 {
        return 0.0;
    }
    let seg_box = geo::Rect::new(a, b);
    let mut intervals: Vec<(f64, f64)> = Vec::new();
    for p in polygons {
        let Some(pb) = p.bounding_rect() else {
            continue;
        };
        if pb.max().x < seg_box.min().x
            || pb.min().x > seg_box.max().x
            || pb.max().y < seg_box.min().y
            || pb.min().y > seg_box.max().y
        {
            continue;
        }
        // Parameters where the segment meets a ring edge.
        let mut ts = vec![0.0, 1.0];
        for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
            for w in ring.0.windows(2) {
                let (p0, p1) = (w[0], w[1]);
                let (ex, ey) = (p1.x - p0.x, p1.y - p0.y);
                let denom = dx * ey - dy * ex;
                let (wx, wy) = (p0.x - a.x, p0.y - a.y);
                if denom.abs() <= 1e-15 * (len2.sqrt() * ex.hypot(ey)).max(1e-300) {
                    // Parallel: the edge's ends, projected, bound any shared stretch.
                    for c in [p0, p1] {
                        let t = ((c.x - a.x) * dx + (c.y - a.y) * dy) / len2;
                        if (0.0..=1.0).contains(&t) {
                            ts.push(t);
                        }
                    }
                    continue;
                }
                let t = (wx * ey - wy * ex) / denom;
                let u = (wx * dy - wy * dx) / denom;
                if (-1e-12..=1.0 + 1e-12).contains(&u) && (0.0..=1.0).contains(&t) {
                    ts.push(t);
                }
            }
        }
        ts.sort_by(f64::total_cmp);
        ts.dedup_by(|x, y| (*x - *y).abs() <= 1e-12);
        for w in ts.windows(2) {
            let (t0, t1) = (w[0], w[1]);
            let tm = 0.5 * (t0 + t1);
            let mid = Point::new(a.x + tm * dx, a.y + tm * dy);
            if p.intersects(&mid) {
                intervals.push((t0, t1));
            }
        }
    }
    intervals.sort_by(|x, y| x.0.total_cmp(&y.0));
    let mut covered = 0.0;
    let mut current: Option<(f64, f64)> = None;
    for (s, e) in intervals {
        match current {
            Some((cs, ce)) if s <= ce => current = Some((cs, ce.max(e))),
            Some((cs, ce)) => {
                covered += ce - cs;
                current = Some((s, e));
            }
            None => current = Some((s, e)),
        }
    }
    if let Some((cs, ce)) = current {
        covered += ce - cs;
    }
    covered.clamp(0.0, 1.0)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use geo::polygon;

    fn square(x: f64, y: f64, s: f64) -> Polygon<f64> {
        polygon![(x: x, y: y), (x: x + s, y: y), (x: x + s, y: y + s), (x: x, y: y + s)]
    }

    #[test]
    fn an_hourglass_splits_a_wide_waist_does_not() {
        // Two 100 m squares joined by a 10 m × 10 m neck: cut at 20 m, two pieces of about
        // 100 m × 100 m less the rounded corners (4 corners × (1 − π/4) × 10² ≈ 86 m² each).
        let p = polygon![
            (x: 0.0, y: 0.0), (x: 100.0, y: 0.0), (x: 100.0, y: 45.0), (x: 110.0, y: 45.0),
            (x: 110.0, y: 0.0), (x: 210.0, y: 0.0), (x: 210.0, y: 100.0), (x: 110.0, y: 100.0),
            (x: 110.0, y: 55.0), (x: 100.0, y: 55.0), (x: 100.0, y: 100.0), (x: 0.0, y: 100.0),
        ];
        let cut = pieces(&p, 20.0).unwrap();
        assert_eq!(cut.len(), 2);
        for q in &cut {
            let a = q.unsigned_area();
            assert!((a - (10_000.0 - 86.0)).abs() < 30.0, "{a}");
        }
        // Cut at 8 m the 10 m neck holds.
        assert!(pieces(&p, 8.0).is_none());
        // Off, convex, too small: one piece without any overlay.
        assert!(pieces(&p, 0.0).is_none());
        assert!(pieces(&square(0.0, 0.0, 100.0), 20.0).is_none());
        assert!(pieces(&square(0.0, 0.0, 10.0), 20.0).is_none());
    }

    #[test]
    fn big_coordinates_give_the_same_pieces() {
        let p = polygon![
            (x: 0.0, y: 0.0), (x: 100.0, y: 0.0), (x: 100.0, y: 49.0), (x: 300.0, y: 49.0),
            (x: 300.0, y: 0.0), (x: 400.0, y: 0.0), (x: 400.0, y: 100.0), (x: 300.0, y: 100.0),
            (x: 300.0, y: 51.0), (x: 100.0, y: 51.0), (x: 100.0, y: 100.0), (x: 0.0, y: 100.0),
        ];
        let far = p.translate(40_500_000.0, 3_300_000.0);
        let (a, b) = (pieces(&p, 30.0).unwrap(), pieces(&far, 30.0).unwrap());
        assert_eq!(a.len(), 2);
        assert_eq!(b.len(), 2);
        let total = |v: &[Polygon<f64>]| v.iter().map(|q| q.unsigned_area()).sum::<f64>();
        assert!((total(&a) - total(&b)).abs() < 1e-3);
    }

    #[test]
    fn covered_share_of_a_gap() {
        let (a, b) = (Coord { x: 0.0, y: 0.0 }, Coord { x: 20.0, y: 0.0 });
        // A road exactly filling the gap, one only touching it at its end, one beside it.
        let road = polygon![(x: 0.0, y: -50.0), (x: 20.0, y: -50.0), (x: 20.0, y: 50.0), (x: 0.0, y: 50.0)];
        assert!((covered_share(a, b, [&road]) - 1.0).abs() < 1e-12);
        let touching = square(20.0, -5.0, 10.0);
        assert_eq!(covered_share(a, b, [&touching]), 0.0);
        let beside = square(0.0, 1.0, 20.0);
        assert_eq!(covered_share(a, b, [&beside]), 0.0);
        // A hole in the land: 20 m of land with a 5 m hole is 15 m covered.
        let with_hole = Polygon::new(
            square(-1.0, -10.0, 22.0).exterior().clone(),
            vec![square(5.0, -2.0, 5.0).exterior().clone()],
        );
        assert!((covered_share(a, b, [&with_hole]) - 0.75).abs() < 1e-12);
        // Along an edge of the polygon (boundary included).
        let under = square(5.0, -10.0, 10.0);
        assert!((covered_share(a, b, [&under]) - 0.5).abs() < 1e-12);
    }
}
