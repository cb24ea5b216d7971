//! Ellipsoidal areas: the area of a polygon on the CGCS2000 ellipsoid (a = 6378137 m,
//! f = 1/298.257222101), as land accounts are kept, beside the planar Gauss-Krüger area the
//! checks use.
//!
//! **What we compute.** Each vertex of the polygon (working CRS) is taken to longitude and
//! latitude in the working CRS's geographic base (CGCS2000, EPSG:4490, for the Gauss-Krüger
//! CRSs) through PROJ; the area is then the area on the ellipsoid of the polygon whose edges
//! are geodesics between those vertices, computed exactly (to round-off) by GeographicLib's
//! `PolygonArea` (Karney 2013, the algorithm of pyproj's `Geod.geometry_area_perimeter`):
//! exterior rings minus holes, summed over the parts.
//!
//! **How it relates to the 国土调查 method.** 国土调查办发〔2008〕32号《图幅理论面积与图斑椭球面积
//! 计算公式及要求》 (second land survey, kept by the third) computes a patch's 椭球面积 by taking
//! every boundary point from Gauss-Krüger x, y to B, L with the inverse projection (its series
//! formula (3), zone number removed from prefixed eastings), then summing the ellipsoidal
//! trapezoids between consecutive points (formula (2), a series in e² up to e⁸ with ΔL and
//! B₂ − B₁ of each edge). Both methods take the same vertices to the same ellipsoid; they
//! differ only in the shape given to an edge between two vertices (a geodesic here, the
//! trapezoid's side straight in B, L there) and in the survey's truncated series and rounding
//! (B, L to 0.0001″). Measured with the survey formula on CGCS2000 (the test
//! `the_survey_formula_agrees` below and `tests/fixtures/ellipsoid/survey_formula.py`): a
//! 200 m square differs by 4e-11 relative, a 1 km square by 7e-10, a quadrilateral with
//! 1.6–1.8 km sloping edges by 1.8e-6 — far below a patch's reported digits for edges of
//! survey length (tens to hundreds of metres). We do not reproduce the survey's series or its
//! rounding, so a TBMJ from a survey database may still differ from our figure in its last
//! digit. The 2008 text gives the Xi'an 1980 ellipsoid (a = 6378140 m); the third survey and
//! this module use CGCS2000.
//!
//! Cost: one reprojection per vertex, so it is done only for the areas reported (zones,
//! conflict pieces, expansion, occupied patches), not for every feature loaded.

use crate::crs::{CrsDef, Reprojector};
use crate::model::Geom;
use geo::{Coord, LineString, Polygon};
use geographiclib_rs::Geodesic;

/// Semi-major axis of the CGCS2000 ellipsoid, metres.
pub const CGCS2000_A: f64 = 6_378_137.0;
/// Flattening of the CGCS2000 ellipsoid.
pub const CGCS2000_F: f64 = 1.0 / 298.257_222_101;

/// Square metres per 公顷 (hectare).
pub const M2_PER_HA: f64 = 10_000.0;

/// Converts square metres to 公顷.
pub fn ha_from_m2(area_m2: f64) -> f64 {
    area_m2 / M2_PER_HA
}

/// Areas on the CGCS2000 ellipsoid of geometries in one working CRS. Not `Send` (PROJ objects
/// stay on their thread): make one per thread; the transformation is cached per thread, so
/// making one is cheap after the first.
pub struct EllipsoidArea {
    to_lon_lat: Reprojector,
    geodesic: Geodesic,
}

impl EllipsoidArea {
    /// For geometries in `working` (any CRS PROJ can take to its geographic base).
    pub fn new(working: &CrsDef) -> Result<EllipsoidArea, String> {
        let base = working.geographic_base()?;
        Ok(EllipsoidArea {
            to_lon_lat: Reprojector::new(working, &base)?,
            geodesic: Geodesic::new(CGCS2000_A, CGCS2000_F),
        })
    }

    /// Area enclosed by one ring, m² (unsigned, whatever its winding); `None` when a vertex
    /// cannot be taken to lon/lat.
    pub fn ring_m2(&self, ring: &LineString<f64>) -> Option<f64> {
        let mut pts: Vec<Coord<f64>> = ring.0.clone();
        // PolygonArea closes the ring itself.
        if pts.len() > 1 && pts.first() == pts.last() {
            pts.pop();
        }
        if pts.len() < 3 {
            return Some(0.0);
        }
        self.to_lon_lat.transform(&mut pts);
        if pts.iter().any(|c| !(c.x.is_finite() && c.y.is_finite())) {
            return None;
        }
        // Signed (a clockwise ring gives a negative area): rings are small, so the sign only
        // says the winding, never "more than half the earth".
        Some(polygon_area_signed(&self.geodesic, &pts).abs())
    }

    /// Area of a polygon, m²: its exterior minus its holes.
    pub fn polygon_m2(&self, p: &Polygon<f64>) -> Option<f64> {
        let mut a = self.ring_m2(p.exterior())?;
        for hole in p.interiors() {
            a -= self.ring_m2(hole)?;
        }
        Some(a.max(0.0))
    }

    /// Area of a geometry, m²: the sum over its polygons.
    pub fn area_m2(&self, g: &Geom) -> Option<f64> {
        g.0.iter().map(|p| self.polygon_m2(p)).sum()
    }

    /// As [`EllipsoidArea::area_m2`], a polygon found in `known` taking its area from there
    /// instead of computing it again (the same polygon, the same number: the result is the
    /// one `area_m2` gives).
    pub fn area_m2_with(&self, g: &Geom, known: &KnownAreas<'_>) -> Option<f64> {
        g.0.iter()
            .map(|p| known.get(p).unwrap_or_else(|| self.polygon_m2(p)))
            .sum()
    }
}

/// The signed area of the ring `lon_lat` (x longitude, y latitude, not closed) as
/// GeographicLib's `PolygonArea` (counter-clockwise positive) gives it with `compute(true)`:
/// the same geodesic edges, their areas summed in the same order, the same reduction. Only the
/// area: `PolygonArea` also works out every edge's length for the perimeter (~10 % of the
/// time of each edge here), which nothing uses. The test `same_areas_as_polygon_area` holds it
/// to `PolygonArea`'s bits.
fn polygon_area_signed(geodesic: &Geodesic, lon_lat: &[Coord<f64>]) -> f64 {
    use geographiclib_rs::capability as caps;
    const MASK: u64 = caps::LATITUDE | caps::LONGITUDE | caps::AREA | caps::LONG_UNROLL;
    let (Some(first), Some(last)) = (lon_lat.first(), lon_lat.last()) else {
        return 0.0;
    };
    let mut area = 0.0;
    let mut crossings = 0i64;
    let edges = lon_lat
        .windows(2)
        .map(|w| (w[0], w[1]))
        .chain(std::iter::once((*last, *first)));
    for (a, b) in edges {
        let (.., s12) = geodesic._gen_inverse(a.y, a.x, b.y, b.x, MASK);
        area += s12;
        crossings += transit(a.x, b.x);
    }
    // PolygonArea::reduce_area, signed, counter-clockwise.
    let whole = geodesic.area();
    let mut area = area % whole;
    if crossings % 2 != 0 {
        if area < 0.0 {
            area += whole / 2.0;
        } else {
            area -= whole / 2.0;
        }
    }
    area = -area;
    if area > whole / 2.0 {
        area -= whole;
    } else if area <= -whole / 2.0 {
        area += whole;
    }
    area
}

/// 1 or -1 when the edge from longitude `lon1` to `lon2` crosses the prime meridian going east
/// or west, else 0 (GeographicLib's `PolygonArea::transit`).
fn transit(lon1: f64, lon2: f64) -> i64 {
    let (lon12, _) = ang_diff(lon1, lon2);
    let lon1 = ang_normalize(lon1);
    let lon2 = ang_normalize(lon2);
    if lon12 > 0.0 && ((lon1 < 0.0 && lon2 >= 0.0) || (lon1 > 0.0 && lon2 == 0.0)) {
        1
    } else if lon12 < 0.0 && lon1 >= 0.0 && lon2 < 0.0 {
        -1
    } else {
        0
    }
}

/// An angle reduced to (-180, 180] (GeographicLib's `AngNormalize`).
fn ang_normalize(x: f64) -> f64 {
    let z = if x.is_finite() { x % 360.0 } else { f64::NAN };
    let z = if x == 0.0 { x } else { z };
    let y = if z < -180.0 {
        z + 360.0
    } else if z < 180.0 {
        z
    } else {
        z - 360.0
    };
    if y == -180.0 {
        180.0
    } else {
        y
    }
}

/// `y - x` reduced to [-180, 180], with its rounding error (GeographicLib's `AngDiff`).
fn ang_diff(x: f64, y: f64) -> (f64, f64) {
    let sum = |u: f64, v: f64| {
        let s = u + v;
        let up = s - v;
        let vpp = s - up;
        let up = up - u;
        let vpp = vpp - v;
        (s, -(up + vpp))
    };
    let (d, t) = sum(ang_normalize(-x), ang_normalize(y));
    let d = ang_normalize(d);
    if d == 180.0 && t > 0.0 {
        sum(-180.0, t)
    } else {
        sum(d, t)
    }
}

/// Areas of polygons already computed ([`EllipsoidArea::polygon_m2`]), found again by value:
/// a union's polygon that is one of its pieces unchanged (a piece touching no other) need not
/// be taken to the ellipsoid twice.
#[derive(Default)]
pub struct KnownAreas<'a> {
    /// By the exterior's first vertex (its bits) and length; equal polygons share the key.
    by_start: std::collections::HashMap<StartKey, Vec<Known<'a>>>,
}

/// A polygon and its area ([`EllipsoidArea::polygon_m2`]).
type Known<'a> = (&'a Polygon<f64>, Option<f64>);

/// A polygon's exterior's first vertex (x and y bits) and its number of vertices.
type StartKey = (u64, u64, usize);

impl<'a> KnownAreas<'a> {
    fn key(p: &Polygon<f64>) -> Option<StartKey> {
        let first = p.exterior().0.first()?;
        Some((first.x.to_bits(), first.y.to_bits(), p.exterior().0.len()))
    }

    /// Remembers `area`, what [`EllipsoidArea::polygon_m2`] gave for `p`.
    pub fn insert(&mut self, p: &'a Polygon<f64>, area: Option<f64>) {
        if let Some(key) = Self::key(p) {
            self.by_start.entry(key).or_default().push((p, area));
        }
    }

    /// The area remembered for a polygon equal to `p`, if any.
    fn get(&self, p: &Polygon<f64>) -> Option<Option<f64>> {
        self.by_start
            .get(&Self::key(p)?)?
            .iter()
            .find(|(known, _)| *known == p)
            .map(|&(_, area)| area)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use geo::{Area, MultiPolygon};

    // Reference areas from pyproj 3.x (PROJ's geodesic code is GeographicLib, like
    // geographiclib-rs), made by tests/fixtures/ellipsoid/pyproj_areas.py:
    //   Transformer.from_crs(<working>, "EPSG:4490", always_xy=True) on every vertex, then
    //   Geod(a=6378137, f=1/298.257222101).geometry_area_perimeter(shapely Polygon(lon/lat)).
    // The polygons are the ones built below.

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> LineString<f64> {
        LineString::from(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)])
    }

    include!("../../tests/fixtures/ellipsoid/expected.rs");

    /// The area-only sum is GeographicLib's PolygonArea to the bit: rings of 3 to 40 vertices
    /// in Zhejiang (one and a half degrees across, some very thin), either way round, rings
    /// around the prime meridian and the antimeridian, and a ring round a pole.
    #[test]
    fn same_areas_as_polygon_area() {
        use geographiclib_rs::{PolygonArea, Winding};
        let g = Geodesic::new(CGCS2000_A, CGCS2000_F);
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut rings: Vec<Vec<Coord<f64>>> = Vec::new();
        for k in 0..400 {
            let n = 3 + (next() * 38.0) as usize;
            let (cx, cy) = match k % 4 {
                0 | 1 => (118.0 + 4.0 * next(), 27.0 + 4.0 * next()),
                2 => (-0.01 + 0.02 * next(), 30.0),
                _ => (179.99 + 0.02 * next(), -40.0),
            };
            let r = if k % 8 == 1 { 1e-5 } else { 0.75 * next() };
            let mut ring: Vec<Coord<f64>> = (0..n)
                .map(|i| {
                    let t = std::f64::consts::TAU * i as f64 / n as f64;
                    let f = 0.3 + 0.7 * next();
                    Coord {
                        x: cx + r * f * t.cos(),
                        y: cy + 0.2 * r * f * t.sin(),
                    }
                })
                .collect();
            if k % 3 == 0 {
                ring.reverse();
            }
            rings.push(ring);
        }
        rings.push(
            (0..8)
                .map(|i| Coord {
                    x: -180.0 + 45.0 * f64::from(i),
                    y: 85.0,
                })
                .collect(),
        );
        for ring in &rings {
            let mut pa = PolygonArea::new(&g, Winding::CounterClockwise);
            for c in ring {
                pa.add_point(c.y, c.x);
            }
            let (_, expected, _) = pa.compute(true);
            let got = polygon_area_signed(&g, ring);
            assert_eq!(
                got.to_bits(),
                expected.to_bits(),
                "{got} {expected} {ring:?}"
            );
        }
    }

    /// A 1 km square at the central meridian, one 140 km east of it (EPSG:4549), the latter
    /// with a hole, and a prefixed-zone (EPSG:4528) copy of it: within 1e-6 relative of pyproj.
    #[test]
    fn areas_match_pyproj_geod() {
        let gk = CrsDef::epsg(4549).unwrap();
        let pre = CrsDef::epsg(4528).unwrap();
        let centre = Polygon::new(rect(499_500.0, 3_320_000.0, 500_500.0, 3_321_000.0), vec![]);
        let east = Polygon::new(
            rect(640_000.0, 3_350_000.0, 641_000.0, 3_351_000.0),
            vec![rect(640_200.0, 3_350_200.0, 640_500.0, 3_350_600.0)],
        );
        let tilted = Polygon::new(
            LineString::from(vec![
                (612_345.6, 3_280_010.2),
                (613_910.4, 3_280_501.9),
                (613_402.7, 3_282_230.5),
                (612_001.1, 3_281_700.0),
                (612_345.6, 3_280_010.2),
            ]),
            vec![],
        );
        let east_prefixed = Polygon::new(
            rect(40_640_000.0, 3_350_000.0, 40_641_000.0, 3_351_000.0),
            vec![rect(40_640_200.0, 3_350_200.0, 40_640_500.0, 3_350_600.0)],
        );
        let e = EllipsoidArea::new(&gk).unwrap();
        let cases = [
            ("centre", e.polygon_m2(&centre).unwrap(), PYPROJ_CENTRE_M2),
            ("east", e.polygon_m2(&east).unwrap(), PYPROJ_EAST_M2),
            ("tilted", e.polygon_m2(&tilted).unwrap(), PYPROJ_TILTED_M2),
            (
                "east_prefixed",
                EllipsoidArea::new(&pre)
                    .unwrap()
                    .polygon_m2(&east_prefixed)
                    .unwrap(),
                PYPROJ_EAST_M2,
            ),
            (
                "both",
                e.area_m2(&MultiPolygon(vec![centre.clone(), east.clone()]))
                    .unwrap(),
                PYPROJ_CENTRE_M2 + PYPROJ_EAST_M2,
            ),
        ];
        for (name, got, want) in cases {
            assert!(
                ((got - want) / want).abs() < 1e-6,
                "{name}: {got} vs pyproj {want}"
            );
        }
        // Gauss-Krüger keeps scale 1 on the central meridian: the 1 km square there is
        // 1,000,000 m² on the ellipsoid too (pyproj: 999,999.99999955). 140 km east the scale is
        // k ≈ 1 + y²/2R² (R ≈ 6,370 km), the planar area k² ≈ 1 + 4.9e-4 times the ellipsoidal:
        // 880,000 m² planar, 879,571.58 m² (-0.0487 %) on the ellipsoid.
        let planar_east = east.unsigned_area();
        assert!((planar_east - 880_000.0).abs() < 1e-6);
        let ratio = planar_east / PYPROJ_EAST_M2 - 1.0;
        assert!((ratio - 4.87e-4).abs() < 0.01e-4, "{ratio}");
        assert!((PYPROJ_CENTRE_M2 - 1e6).abs() < 1e-3);
    }

    /// The 国土调查 formula (国土调查办发〔2008〕32号, formula (2)) on CGCS2000, each vertex
    /// through PROJ's inverse projection: the sum over the edges of the ellipsoidal trapezoids
    /// between the edge and the central meridian.
    fn survey_formula_m2(ring: &LineString<f64>) -> f64 {
        let a = CGCS2000_A;
        let b = a * (1.0 - CGCS2000_F);
        let e2 = (a * a - b * b) / (a * a);
        let (e4, e6, e8) = (e2 * e2, e2 * e2 * e2, e2 * e2 * e2 * e2);
        let ca = 1.0 + 3.0 / 6.0 * e2 + 30.0 / 80.0 * e4 + 35.0 / 112.0 * e6 + 630.0 / 2304.0 * e8;
        let cb = 1.0 / 6.0 * e2 + 15.0 / 80.0 * e4 + 21.0 / 112.0 * e6 + 420.0 / 2304.0 * e8;
        let cc = 3.0 / 80.0 * e4 + 7.0 / 112.0 * e6 + 180.0 / 2304.0 * e8;
        let cd = 1.0 / 112.0 * e6 + 45.0 / 2304.0 * e8;
        let ce = 5.0 / 2304.0 * e8;
        let to_ll =
            Reprojector::new(&CrsDef::epsg(4549).unwrap(), &CrsDef::epsg(4490).unwrap()).unwrap();
        let mut ll = ring.0.clone();
        to_ll.transform(&mut ll);
        let l0 = 120f64.to_radians();
        let s: f64 = ll
            .windows(2)
            .map(|w| {
                let (l1, b1) = (w[0].x.to_radians(), w[0].y.to_radians());
                let (l2, b2) = (w[1].x.to_radians(), w[1].y.to_radians());
                let (dl, db, bm) = ((l1 + l2) / 2.0 - l0, b2 - b1, (b1 + b2) / 2.0);
                2.0 * b
                    * b
                    * dl
                    * (ca * (db / 2.0).sin() * bm.cos() - cb * (1.5 * db).sin() * (3.0 * bm).cos()
                        + cc * (2.5 * db).sin() * (5.0 * bm).cos()
                        - cd * (3.5 * db).sin() * (7.0 * bm).cos()
                        + ce * (4.5 * db).sin() * (9.0 * bm).cos())
            })
            .sum();
        s.abs()
    }

    /// Our geodesic area and the survey's trapezoid formula on the same vertices: 4e-11
    /// relative on a 200 m square 140 km east of the central meridian, 7e-10 on a 1 km
    /// square, 1.8e-6 on a quadrilateral with 1.6–1.8 km sloping edges (the numbers
    /// tests/fixtures/ellipsoid/survey_formula.py gives with pyproj).
    #[test]
    fn the_survey_formula_agrees() {
        let e = EllipsoidArea::new(&CrsDef::epsg(4549).unwrap()).unwrap();
        let tilted = LineString::from(vec![
            (612_345.6, 3_280_010.2),
            (613_910.4, 3_280_501.9),
            (613_402.7, 3_282_230.5),
            (612_001.1, 3_281_700.0),
            (612_345.6, 3_280_010.2),
        ]);
        for (ring, within) in [
            (rect(640_000.0, 3_350_000.0, 640_200.0, 3_350_200.0), 1e-10),
            (rect(640_000.0, 3_350_000.0, 641_000.0, 3_351_000.0), 1e-9),
            (tilted, 2e-6),
        ] {
            let ours = e.ring_m2(&ring).unwrap();
            let survey = survey_formula_m2(&ring);
            let d = (survey - ours) / ours;
            assert!(d.abs() < within, "{ours} vs survey {survey}: {d:e}");
        }
    }

    /// Winding does not matter: a clockwise ring gives the same area.
    #[test]
    fn winding_does_not_change_the_area() {
        let e = EllipsoidArea::new(&CrsDef::epsg(4549).unwrap()).unwrap();
        let ccw = rect(499_500.0, 3_320_000.0, 500_500.0, 3_321_000.0);
        let mut cw = ccw.clone();
        cw.0.reverse();
        let a = e.ring_m2(&ccw).unwrap();
        let b = e.ring_m2(&cw).unwrap();
        assert!((a - b).abs() < 1e-6 && a > 999_000.0, "{a} {b}");
    }

    /// A union's polygon that is one of the pieces unchanged takes the piece's area (the
    /// number `area_m2` gives, to the bit); one that only starts like a piece (same first
    /// vertex, same length) is computed.
    #[test]
    fn known_areas_are_taken_by_value_only() {
        let e = EllipsoidArea::new(&CrsDef::epsg(4549).unwrap()).unwrap();
        let piece = Polygon::new(rect(499_500.0, 3_320_000.0, 500_500.0, 3_321_000.0), vec![]);
        let twin_start = Polygon::new(rect(499_500.0, 3_320_000.0, 500_700.0, 3_321_000.0), vec![]);
        let other = Polygon::new(rect(600_000.0, 3_320_000.0, 600_100.0, 3_320_100.0), vec![]);
        let union = Geom::new(vec![other.clone(), piece.clone(), twin_start.clone()]);
        // The areas remembered are what polygon_m2 gives: the same total as area_m2.
        let mut known = KnownAreas::default();
        known.insert(&piece, e.polygon_m2(&piece));
        let with = e.area_m2_with(&union, &known).unwrap();
        assert_eq!(with.to_bits(), e.area_m2(&union).unwrap().to_bits());
        // Taken from the list: a marked area shows where it is used, and only for `piece`
        // (1 km² + 1.2 km² + 0.01 km², about; the mark adds 1 m² in place of `piece`'s).
        let mut marked = KnownAreas::default();
        marked.insert(&piece, Some(1.0));
        let got = e.area_m2_with(&union, &marked).unwrap();
        let want = e.polygon_m2(&other).unwrap() + 1.0 + e.polygon_m2(&twin_start).unwrap();
        assert_eq!(got.to_bits(), want.to_bits());
        // A piece that could not be reprojected makes the union's area unknown too.
        let mut unknown = KnownAreas::default();
        unknown.insert(&piece, None);
        assert_eq!(e.area_m2_with(&union, &unknown), None);
    }

    #[test]
    fn hectares() {
        assert_eq!(ha_from_m2(25_000.0), 2.5);
    }
}
