//! Slivers: the pieces of an overlay that are drawing noise rather than land.
//!
//! Two boundaries digitised separately never coincide exactly, so an overlay of them leaves
//! pieces along the shared edge. Such a piece is long and thin, whatever its area: a shared edge
//! of 1,000 m moved 0.1 m leaves a 100 m² strip. A real overlap is wide, whatever its area: a
//! 0.9 m × 1 m tooth is 0.9 m² of land. So a piece is a sliver when it is **thin** or **tiny**:
//!
//! - thin: no disc wider than the width tolerance fits in it, i.e. the inward buffer by half the
//!   tolerance leaves no area. This is the width a reviewer measures with a ruler: a strip
//!   0.1 m × 1,000 m is 0.1 m wide, a 0.9 m square is 0.9 m wide. Twice the area over the
//!   perimeter, the cheaper measure, is the width of a long strip but half the width of a square
//!   (0.9 m × 1 m reads 0.47 m), so it would wave compact pieces through; it is used here only
//!   where it is a proof (see [`is_thin`]).
//! - tiny: smaller than the area floor, whatever its shape.
//!
//! Slivers are not waved through without limit: when the slivers of one zone and one layer
//! together exceed the total tolerance, they count as well (many small pieces of real overlap
//! add up to land).

use crate::model::Geom;
use geo::{
    Area, BoundingRect, Buffer, Coord, Distance, Euclidean, Intersects, Length, MultiPolygon,
    Polygon,
};

/// The sliver tolerances (from the review's `[rules]`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tolerances {
    /// A piece no wider than this (metres) is thin. 0 turns the width test off.
    pub width_m: f64,
    /// A piece smaller than this (m²) is a sliver whatever its shape.
    pub tiny_area_m2: f64,
    /// When the slivers of one zone and one layer together exceed this (m²), they count.
    pub total_m2: f64,
}

/// Pieces of an overlay split into kept pieces and slivers.
#[derive(Debug, Clone, Default)]
pub struct Split {
    /// Pieces that are neither thin nor tiny.
    pub kept: Vec<Polygon<f64>>,
    /// Thin or tiny pieces.
    pub slivers: Vec<Polygon<f64>>,
    pub kept_area_m2: f64,
    pub sliver_area_m2: f64,
    /// True when the slivers together exceed the total tolerance: they count as well.
    pub slivers_count: bool,
}

impl Split {
    /// True when the overlay is a finding: some piece is kept, or the slivers add up to more
    /// than the total tolerance.
    pub fn counts(&self) -> bool {
        !self.kept.is_empty() || self.slivers_count
    }

    /// The area that counts: the kept pieces, plus the slivers when they exceed the total.
    pub fn counted_area_m2(&self) -> f64 {
        if self.slivers_count {
            self.kept_area_m2 + self.sliver_area_m2
        } else {
            self.kept_area_m2
        }
    }

    /// The pieces that count (see [`Split::counted_area_m2`]).
    pub fn counted(&self) -> Geom {
        let mut out = self.kept.clone();
        if self.slivers_count {
            out.extend(self.slivers.iter().cloned());
        }
        MultiPolygon(out)
    }
}

/// Splits the pieces of one overlay (one zone against one layer, one zone against its members,
/// or one pair of zones) into kept pieces and slivers, and applies the total tolerance.
pub fn split(pieces: &Geom, tol: &Tolerances) -> Split {
    let mut out = Split::default();
    for p in &pieces.0 {
        let a = p.unsigned_area();
        if a <= 0.0 {
            continue;
        }
        if is_sliver(p, a, tol) {
            out.sliver_area_m2 += a;
            out.slivers.push(p.clone());
        } else {
            out.kept_area_m2 += a;
            out.kept.push(p.clone());
        }
    }
    out.slivers_count = out.sliver_area_m2 > tol.total_m2;
    out
}

/// True when the piece `p` (area `area_m2`) is tiny or thin.
fn is_sliver(p: &Polygon<f64>, area_m2: f64, tol: &Tolerances) -> bool {
    area_m2 < tol.tiny_area_m2 || is_thin(p, area_m2, tol.width_m)
}

/// True when no disc of diameter greater than `width_m` fits in `p` (area `area_m2`): the
/// inward buffer by `width_m / 2` leaves no area. Shortcuts that never change the answer:
/// - a disc of diameter `width_m` has area π·width²/4, so a smaller piece is thin;
/// - a point of `p` farther than `width_m / 2` from its boundary is the centre of a wider disc,
///   so the piece is not thin (tried at [`scan_point`], which is cheap);
/// - a piece whose buffer cannot be computed (geometry code failing on a degenerate piece) is
///   kept: a doubtful piece counts rather than being waved through.
pub fn is_thin(p: &Polygon<f64>, area_m2: f64, width_m: f64) -> bool {
    if width_m.is_nan() || width_m <= 0.0 {
        return false;
    }
    let r = width_m / 2.0;
    if area_m2 < std::f64::consts::PI * r * r {
        return true;
    }
    if let Some(c) = scan_point(p).filter(|c| p.intersects(c)) {
        let c = geo::Point(c);
        let to_boundary = std::iter::once(p.exterior())
            .chain(p.interiors())
            .map(|ring| Euclidean.distance(&c, ring))
            .fold(f64::INFINITY, f64::min);
        // Strictly wider (beyond rounding): a piece exactly `width_m` wide is thin.
        if to_boundary > r * (1.0 + 1e-9) {
            return false;
        }
    }
    // The inward buffer. What is left of a piece exactly `width_m` wide is a line (area 0, or
    // rounding noise around it): compare with a vanishing share of the piece.
    let eps = 1e-9 * area_m2.max(Euclidean.length(p.exterior()));
    crate::spatial::guard::catch(|| p.buffer(-r).unsigned_area() <= eps).unwrap_or(false)
}

/// A point of `p` (on it or inside it), as geo's `interior_point` gives one: [`scan_point`] when
/// it lies in `p` (nearly always), else geo's. For label positions and for telling which part a
/// polygon lies in.
pub fn inner_point(p: &Polygon<f64>) -> Option<Coord<f64>> {
    match scan_point(p).filter(|c| p.intersects(c)) {
        Some(c) => Some(c),
        None => geo::InteriorPoint::interior_point(p).map(|pt| pt.0),
    }
}

/// A point inside `p` far from its boundary when it has room: the middle of the widest stretch
/// of `p` along the horizontal line through the middle of its box (crossings counted by the
/// even-odd rule, the line moved off any vertex). `None` when the line meets no stretch.
///
/// geo's `interior_point` finds the same kind of point but intersects every pair of the
/// polygon's edges to get there (most of the sliver test's time on a province's conflicts);
/// this is one pass over the edges.
fn scan_point(p: &Polygon<f64>) -> Option<Coord<f64>> {
    let b = p.bounding_rect()?;
    let rings = || std::iter::once(p.exterior()).chain(p.interiors());
    let on_vertex = |y: f64| rings().flat_map(|r| r.0.iter()).any(|c| c.y == y);
    let mut y = (b.min().y + b.max().y) / 2.0;
    if on_vertex(y) {
        // Halfway to the nearest vertex height off the line.
        let nearest = rings()
            .flat_map(|r| r.0.iter())
            .map(|c| c.y)
            .filter(|&v| v != y)
            .min_by(|u, v| (u - y).abs().total_cmp(&(v - y).abs()))?;
        y = (y + nearest) / 2.0;
        if on_vertex(y) {
            return None;
        }
    }
    let mut xs: Vec<f64> = Vec::new();
    for ring in rings() {
        for w in ring.0.windows(2) {
            let (a, c) = (w[0], w[1]);
            if (a.y < y) != (c.y < y) {
                xs.push(a.x + (y - a.y) * (c.x - a.x) / (c.y - a.y));
            }
        }
    }
    xs.sort_by(f64::total_cmp);
    let widest = xs
        .chunks_exact(2)
        .max_by(|u, v| (u[1] - u[0]).total_cmp(&(v[1] - v[0])))?;
    Some(Coord {
        x: (widest[0] + widest[1]) / 2.0,
        y,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use geo::wkt;

    const TOL: Tolerances = Tolerances {
        width_m: 0.5,
        tiny_area_m2: 0.25,
        total_m2: 200.0,
    };

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Polygon<f64> {
        geo::Rect::new(geo::coord! {x: x0, y: y0}, geo::coord! {x: x1, y: y1}).to_polygon()
    }

    #[test]
    fn a_long_thin_strip_is_a_sliver_a_compact_piece_is_not() {
        // 0.1 m × 1,000 m: 0.1 m wide, thin. 0.9 m × 1 m: 0.9 m wide, kept.
        assert!(is_thin(&rect(0., 0., 1000., 0.1), 100., 0.5));
        assert!(!is_thin(&rect(0., 0., 0.9, 1.), 0.9, 0.5));
        // 0.4 m × 100 m: thin; 0.6 m × 100 m: not.
        assert!(is_thin(&rect(0., 0., 100., 0.4), 40., 0.5));
        assert!(!is_thin(&rect(0., 0., 100., 0.6), 60., 0.5));
        // Exactly 0.5 m wide: thin (no disc wider than 0.5 m fits), here and far from the origin.
        assert!(is_thin(&rect(0., 0., 0.5, 1.), 0.5, 0.5));
        assert!(is_thin(
            &rect(500_099.5, 3_300_000., 500_100., 3_300_001.),
            0.5,
            0.5
        ));
        // Width 0 turns the test off.
        assert!(!is_thin(&rect(0., 0., 1000., 0.1), 100., 0.0));
    }

    #[test]
    fn a_zigzag_strip_is_measured_across_not_along() {
        // A strip 0.2 m wide following a zig-zag of 50 teeth 10 m long and 10 m high: about
        // 2 × 50 × √200 ≈ 1,414 m long, ≈ 283 m², and no wider than 0.2 m anywhere.
        let mut lower = Vec::new();
        let mut upper = Vec::new();
        for i in 0..=100 {
            let x = 10.0 * i as f64;
            let y = if i % 2 == 0 { 0.0 } else { 10.0 };
            lower.push((x, y));
            upper.push((x, y + 0.2));
        }
        upper.reverse();
        let ring: Vec<(f64, f64)> = lower.into_iter().chain(upper).collect();
        let p = Polygon::new(geo::LineString::from(ring), vec![]);
        let a = p.unsigned_area();
        // 100 parallelograms of base 10 m (along x) and vertical thickness 0.2 m: 200 m².
        assert!((a - 200.0).abs() < 1e-6, "{a}");
        assert!(is_thin(&p, a, 0.5));
        assert!(!is_thin(&p, a, 0.1));
    }

    #[test]
    fn a_ring_shaped_piece_is_thin_when_its_band_is() {
        // A 100 m square with a 99.8 m square hole: a band 0.1 m wide, 39.96 m².
        let p: Polygon<f64> = wkt!(POLYGON((0. 0.,100. 0.,100. 100.,0. 100.,0. 0.),(0.1 0.1,0.1 99.9,99.9 99.9,99.9 0.1,0.1 0.1)));
        let a = p.unsigned_area();
        assert!((a - (10_000.0 - 99.8 * 99.8)).abs() < 1e-6);
        assert!(is_thin(&p, a, 0.5));
    }

    #[test]
    fn slivers_count_once_their_total_exceeds_the_tolerance() {
        // 100 teeth 0.4 m × 1 m (thin), 40 m² in all: under 200 m², waved through.
        let teeth = |w: f64, n: usize| -> Geom {
            MultiPolygon(
                (0..n)
                    .map(|i| rect(2.0 * i as f64, 0., 2.0 * i as f64 + w, 1.))
                    .collect(),
            )
        };
        let s = split(&teeth(0.4, 100), &TOL);
        assert_eq!((s.kept.len(), s.slivers.len()), (0, 100));
        assert!((s.sliver_area_m2 - 40.0).abs() < 1e-9);
        assert!(!s.counts());
        assert_eq!(s.counted_area_m2(), 0.0);
        // 600 of them: 240 m² > 200 m², they count.
        let s = split(&teeth(0.4, 600), &TOL);
        assert!(s.slivers_count && s.counts());
        assert!((s.counted_area_m2() - 240.0).abs() < 1e-9);
        assert_eq!(s.counted().0.len(), 600);
        // 100 teeth 0.9 m × 1 m are wide enough: kept, 90 m².
        let s = split(&teeth(0.9, 100), &TOL);
        assert_eq!((s.kept.len(), s.slivers.len()), (100, 0));
        assert!((s.counted_area_m2() - 90.0).abs() < 1e-9);
    }

    #[test]
    fn tiny_pieces_are_slivers_whatever_their_shape() {
        // 0.45 m square: 0.2025 m² < 0.25 m² (and too small for a 0.5 m disc).
        let s = split(&MultiPolygon(vec![rect(0., 0., 0.45, 0.45)]), &TOL);
        assert_eq!(s.slivers.len(), 1);
        // With the floor raised to 1 m², a 0.9 m square (0.81 m², 0.9 m wide) is a sliver too.
        let tol = Tolerances {
            tiny_area_m2: 1.0,
            ..TOL
        };
        let s = split(&MultiPolygon(vec![rect(0., 0., 0.9, 0.9)]), &tol);
        assert_eq!(s.slivers.len(), 1);
        let s = split(&MultiPolygon(vec![rect(0., 0., 0.9, 0.9)]), &TOL);
        assert_eq!(s.kept.len(), 1);
    }

    #[test]
    fn the_scan_point_lies_in_the_widest_stretch() {
        // A square: its centre.
        let sq = rect(0., 0., 10., 10.);
        assert_eq!(scan_point(&sq), Some(Coord { x: 5.0, y: 5.0 }));
        // A square with a hole across the middle line: the wider of the two stretches left.
        let holed: Polygon<f64> =
            wkt!(POLYGON((0. 0.,10. 0.,10. 10.,0. 10.,0. 0.),(2. 4.,6. 4.,6. 6.,2. 6.,2. 4.)));
        assert_eq!(scan_point(&holed), Some(Coord { x: 8.0, y: 5.0 }));
        // A U: two arms, the right one wider.
        let u: Polygon<f64> =
            wkt!(POLYGON((0. 0.,10. 0.,10. 10.,4. 10.,4. 2.,2. 2.,2. 10.,0. 10.,0. 0.)));
        assert_eq!(scan_point(&u), Some(Coord { x: 7.0, y: 5.0 }));
        // A vertex on the middle line (a diamond): the line moves off it, the point is inside.
        let diamond: Polygon<f64> = wkt!(POLYGON((5. 0.,10. 5.,5. 10.,0. 5.,5. 0.)));
        let c = scan_point(&diamond).unwrap();
        assert!(c.y != 5.0 && diamond.intersects(&c), "{c:?}");
        // The sliver test's answers do not depend on it: a wide diamond is not thin, a
        // narrow one is.
        assert!(!is_thin(&diamond, diamond.unsigned_area(), 0.5));
        let needle: Polygon<f64> = wkt!(POLYGON((0. 0.,100. 0.2,200. 0.,100. -0.2,0. 0.)));
        assert!(is_thin(&needle, needle.unsigned_area(), 0.5));
    }

    #[test]
    fn the_inner_point_lies_in_the_polygon() {
        let shapes: Vec<Polygon<f64>> = vec![
            rect(0., 0., 10., 10.),
            wkt!(POLYGON((0. 0.,10. 0.,10. 10.,0. 10.,0. 0.),(2. 4.,6. 4.,6. 6.,2. 6.,2. 4.))),
            wkt!(POLYGON((0. 0.,10. 0.,10. 10.,4. 10.,4. 2.,2. 2.,2. 10.,0. 10.,0. 0.))),
            wkt!(POLYGON((5. 0.,10. 5.,5. 10.,0. 5.,5. 0.))),
            rect(500_099.5, 3_300_000., 500_100., 3_300_001.),
        ];
        for p in &shapes {
            let c = inner_point(p).unwrap();
            assert!(p.intersects(&c), "{c:?} not in {p:?}");
        }
    }
}
