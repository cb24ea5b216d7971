//! Douglas–Peucker simplification as geo's `Simplify` does it, without its cost: squared
//! distances instead of `hypot`, and one list per thread instead of one per split. The maps
//! (report.html's and the app's) simplify millions of rings.

use geo::{Coord, LineString, Polygon, Simplify};

/// Douglas–Peucker simplification of the closed ring through `pts` (first point not repeated
/// at the end) within `epsilon`, as geo's `LineString::simplify` does it on the closed line
/// (same splits, same tie rule, same minimum of two points), but comparing squared distances
/// and without a list per split. Returns the kept points, the closing one left off.
#[cfg(test)]
fn simplify_closed(pts: &[(f64, f64)], epsilon: f64) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    simplify_closed_into(
        pts,
        epsilon,
        LINE_MIN,
        &mut Vec::new(),
        &mut Vec::new(),
        &mut out,
    );
    out
}

/// The fewest points geo's `LineString::simplify` keeps of a line, and its `Polygon::simplify`
/// of a ring (closing point included): [`simplify_closed_into`]'s `min`.
pub const LINE_MIN: usize = 2;
pub const RING_MIN: usize = 4;

/// [`simplify_closed`] into `out`, with its lists `keep` and `todo` (cleared first), keeping at
/// least `min` points of the closed line (closing point included, as geo counts them):
/// [`LINE_MIN`] or [`RING_MIN`].
pub fn simplify_closed_into(
    pts: &[(f64, f64)],
    epsilon: f64,
    min: usize,
    keep: &mut Vec<bool>,
    todo: &mut Vec<(usize, usize)>,
    out: &mut Vec<(f64, f64)>,
) {
    let n = pts.len();
    let at = |i: usize| if i == n { pts[0] } else { pts[i] };
    out.clear();
    if epsilon <= 0.0 || n < 2 {
        out.extend_from_slice(pts);
        return;
    }
    /// Squared distance from `p` to the segment `a`–`b` (geo's point–segment distance, squared).
    fn dist2(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
        let d2 = |u: (f64, f64), v: (f64, f64)| (u.0 - v.0).powi(2) + (u.1 - v.1).powi(2);
        if a == b {
            return d2(p, a);
        }
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let len2 = dx * dx + dy * dy;
        let r = ((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2;
        if r <= 0.0 {
            return d2(p, a);
        }
        if r >= 1.0 {
            return d2(p, b);
        }
        ((a.1 - p.1) * dx - (a.0 - p.0) * dy).powi(2) / len2
    }
    let eps2 = epsilon * epsilon;
    // Points of the closed line (n + 1, the last the first again) still in; a split's range is
    // [lo, hi] with both ends kept.
    let mut len = n + 1;
    keep.clear();
    keep.resize(n + 1, false);
    // Ranges to do, left before right (geo's order, which decides its minimum-length rule).
    todo.clear();
    todo.push((0, n));
    while let Some((lo, hi)) = todo.pop() {
        keep[lo] = true;
        keep[hi] = true;
        if hi - lo < 2 {
            continue;
        }
        let (a, b) = (at(lo), at(hi));
        let (mut far, mut far_d2) = (lo, 0.0);
        for i in lo + 1..hi {
            let d = dist2(at(i), a, b);
            if d >= far_d2 {
                (far, far_d2) = (i, d);
            }
        }
        if far_d2 > eps2 {
            todo.push((far, hi));
            todo.push((lo, far));
            continue;
        }
        let culled = hi - lo - 1;
        if len - culled < min {
            keep[lo + 1..hi].iter_mut().for_each(|k| *k = true);
        } else {
            len -= culled;
        }
    }
    out.extend((0..n).filter(|&i| keep[i]).map(|i| pts[i]));
}

/// `p` simplified within `epsilon` ring by ring: exactly geo's `Polygon::simplify` (each ring
/// simplified as a closed line, its first point kept), computed by [`simplify_closed_into`]. A
/// ring that is not closed, and a tolerance of zero or less, are left to geo.
pub fn simplify_polygon(p: &Polygon<f64>, epsilon: f64) -> Polygon<f64> {
    if epsilon <= 0.0 {
        return p.simplify(epsilon); // [`simplify_closed_into`] keeps everything there
    }
    /// The ring's points, the kept flags, the splits to do and the points kept.
    type Scratch = (
        Vec<(f64, f64)>,
        Vec<bool>,
        Vec<(usize, usize)>,
        Vec<(f64, f64)>,
    );
    thread_local! {
        static SCRATCH: std::cell::RefCell<Scratch> = Default::default();
    }
    let ring = |ls: &LineString<f64>| -> LineString<f64> {
        let closed = ls.0.len() >= 2 && ls.0.first() == ls.0.last();
        if !closed {
            return ls.simplify(epsilon);
        }
        SCRATCH.with(|scratch| {
            let Ok(mut scratch) = scratch.try_borrow_mut() else {
                return ls.simplify(epsilon);
            };
            let (pts, keep, todo, out) = &mut *scratch;
            pts.clear();
            pts.extend(ls.0[..ls.0.len() - 1].iter().map(|c| (c.x, c.y)));
            simplify_closed_into(pts, epsilon, RING_MIN, keep, todo, out);
            let mut kept: Vec<Coord<f64>> = Vec::with_capacity(out.len() + 1);
            kept.extend(out.iter().map(|&(x, y)| Coord { x, y }));
            kept.push(ls.0[0]);
            LineString(kept)
        })
    };
    Polygon::new(ring(p.exterior()), p.interiors().iter().map(ring).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The maps' ring simplification keeps exactly the points geo's `simplify` keeps on the
    /// closed ring: random wiggly rings of 5 to 400 points at several tolerances, rings of
    /// collinear and repeated points, and a ring that simplifies below its minimum.
    #[test]
    fn ring_simplification_keeps_what_geo_keeps() {
        use geo::Simplify;
        let geo_way = |pts: &[(f64, f64)], eps: f64| -> Vec<(f64, f64)> {
            let mut ring: LineString<f64> = pts.iter().map(|&(x, y)| Coord { x, y }).collect();
            ring.close();
            let mut kept: Vec<(f64, f64)> =
                ring.simplify(eps).0.iter().map(|c| (c.x, c.y)).collect();
            kept.pop();
            kept
        };
        let mut rnd = crate::test_rng::unit_sequence(0x5eed_1234);
        let mut rings: Vec<Vec<(f64, f64)>> = Vec::new();
        for k in 0..400 {
            let n = 5 + k;
            let ring = (0..n)
                .map(|i| {
                    let t = i as f64 / n as f64 * std::f64::consts::TAU;
                    let r = 100.0 + 20.0 * rnd();
                    // Some rings on whole and half pixels, as the maps' points often are.
                    let (x, y) = (400.0 + r * t.cos(), 300.0 + r * t.sin());
                    if k % 3 == 0 {
                        ((x * 2.0).round() / 2.0, (y * 2.0).round() / 2.0)
                    } else {
                        (x, y)
                    }
                })
                .collect();
            rings.push(ring);
        }
        rings.push(vec![
            (0.0, 0.0),
            (1.0, 0.0),
            (2.0, 0.0),
            (3.0, 0.0),
            (3.0, 0.0),
            (0.0, 0.0),
        ]);
        rings.push(vec![
            (0.0, 0.0),
            (0.1, 0.0),
            (0.1, 0.1),
            (0.0, 0.1),
            (0.05, 0.05),
        ]);
        for ring in &rings {
            for eps in [0.05, 0.25, 0.5, 2.0, 30.0, 1e6] {
                assert_eq!(
                    simplify_closed(ring, eps),
                    geo_way(ring, eps),
                    "{eps} {ring:?}"
                );
            }
        }
    }

    /// Polygons with holes, closed rings of 4 to 300 points at several tolerances: the same
    /// polygon as geo's, coordinate for coordinate.
    #[test]
    fn polygon_simplification_is_geos_polygon_simplify() {
        let mut rnd = crate::test_rng::unit_sequence(0x5eed_9876);
        let mut ring = |cx: f64, cy: f64, r0: f64, n: usize| -> LineString<f64> {
            let mut ls: LineString<f64> = (0..n)
                .map(|i| {
                    let t = i as f64 / n as f64 * std::f64::consts::TAU;
                    let r = r0 * (1.0 + 0.2 * rnd());
                    Coord {
                        x: cx + r * t.cos(),
                        y: cy + r * t.sin(),
                    }
                })
                .collect();
            ls.close();
            ls
        };
        let mut polygons = Vec::new();
        for k in 0..60 {
            let n = 3 + k * 5;
            let holes = (0..k % 4)
                .map(|h| ring(1000.0 + 60.0 * h as f64, 1000.0, 20.0, 3 + (k + h) % 40))
                .collect();
            polygons.push(Polygon::new(ring(1000.0, 1000.0, 400.0, n), holes));
        }
        // A ring left unclosed goes to geo as it is.
        polygons.push(Polygon::new(
            LineString::from(vec![(0.0, 0.0), (10.0, 0.0), (10.0, 10.0)]),
            vec![],
        ));
        for p in &polygons {
            for eps in [0.0, 0.5, 5.0, 40.0, 1e6] {
                assert_eq!(simplify_polygon(p, eps), p.simplify(eps), "{eps}");
            }
        }
    }
}
