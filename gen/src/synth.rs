//! Deterministic synthetic maps: the bundled sample review (`sample_maps/`) and the building
//! blocks it is made of (PRNG, organic rings, hand-keyed rings, polygons with holes, farmland
//! patch fields), parameterised by counts and extent so larger benchmark datasets can reuse them.
//!
//! Determinism: every layer draws from its own fixed-seed SplitMix64 stream (farmland: one stream
//! per grid cell), nothing iterates a hash map, nothing reads the clock, and the geometry uses only
//! IEEE-754 operations that are correctly rounded on every platform (`+ − × ÷ sqrt`, no libm
//! `sin`/`cos`). Shapes are drawn in a local frame in metres and snapped to whole millimetres when
//! moved into EPSG:4549, so the files are byte-identical on every run and platform. The one
//! exception is the lon/lat of `water.geojson`, which PROJ computes; it is rounded to 9 decimals
//! (about 0.1 mm), far coarser than any difference between libm implementations.

use geo::{
    Area, BoundingRect, Contains, Coord, Intersects, LineString, MultiPolygon, Point, Polygon, Rect,
};
use std::path::Path;
use zonecheck::crs::{CrsDef, Reprojector};
use zonecheck::io::atomic::write_atomic;
use zonecheck::io::shp_write::{FieldKind, FieldSpec, OutEncoding, ShapefileWriter};

// ------------------------------------------------------------------------------------------------
// Random numbers
// ------------------------------------------------------------------------------------------------

/// SplitMix64: tiny, well mixed, and the same sequence on every platform.
#[derive(Clone, Debug)]
pub struct Rng {
    state: u64,
}

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng { state: seed }
    }

    /// An independent stream for one cell of a grid (same `seed`, `col`, `row` → same stream),
    /// so a cell's content does not depend on how many numbers other cells drew.
    pub fn for_cell(seed: u64, col: u32, row: u32) -> Rng {
        let key = (u64::from(col) << 32) | u64::from(row);
        Rng::new(mix64(seed ^ mix64(key.wrapping_add(0x632B_E59B_D9B4_E019))))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix64(self.state)
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Uniform in `[lo, hi)`.
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// Uniform integer in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (self.next_u64() % n as u64) as usize
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

/// The SplitMix64 finaliser.
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

// ------------------------------------------------------------------------------------------------
// Shape building blocks (local frame, metres)
// ------------------------------------------------------------------------------------------------

fn c(x: f64, y: f64) -> Coord<f64> {
    Coord { x, y }
}

/// Unit direction for `t` in `[0, 1)` (wrapping): walks the perimeter of the square
/// `[-1, 1]²` counter-clockwise from +x and normalises, so the angle grows monotonically with
/// `t` (`t = 0.25` is exactly north, `0.5` west, `0.75` south). Only `+ − × ÷ sqrt`, hence
/// identical on every platform, unlike `sin`/`cos`.
pub fn direction(t: f64) -> Coord<f64> {
    let s = (t - t.floor()) * 8.0;
    let (x, y) = if s < 1.0 {
        (1.0, s)
    } else if s < 3.0 {
        (2.0 - s, 1.0)
    } else if s < 5.0 {
        (-1.0, 4.0 - s)
    } else if s < 7.0 {
        (s - 6.0, -1.0)
    } else {
        (1.0, s - 8.0)
    };
    let len = (x * x + y * y).sqrt();
    c(x / len, y / len)
}

/// The base shape a star-shaped ring follows.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Outline {
    Ellipse { rx_m: f64, ry_m: f64 },
    Rect { hx_m: f64, hy_m: f64 },
}

impl Outline {
    /// Distance from the centre to the outline along the unit direction `d`.
    pub fn radius_m(&self, d: Coord<f64>) -> f64 {
        match *self {
            Outline::Ellipse { rx_m, ry_m } => {
                let q = (d.x / rx_m) * (d.x / rx_m) + (d.y / ry_m) * (d.y / ry_m);
                1.0 / q.sqrt()
            }
            Outline::Rect { hx_m, hy_m } => {
                let along_x = if d.x != 0.0 {
                    hx_m / d.x.abs()
                } else {
                    f64::INFINITY
                };
                let along_y = if d.y != 0.0 {
                    hy_m / d.y.abs()
                } else {
                    f64::INFINITY
                };
                along_x.min(along_y)
            }
        }
    }

    /// The smallest distance from the centre to the outline.
    pub fn min_radius_m(&self) -> f64 {
        match *self {
            Outline::Ellipse { rx_m, ry_m } => rx_m.min(ry_m),
            Outline::Rect { hx_m, hy_m } => hx_m.min(hy_m),
        }
    }
}

/// `n` values in `[lo, hi]` that vary smoothly around a ring (uniform noise through a circular
/// 1-2-1 filter, twice).
fn smooth_noise(rng: &mut Rng, n: usize, lo: f64, hi: f64) -> Vec<f64> {
    let mut v: Vec<f64> = (0..n).map(|_| rng.unit()).collect();
    for _ in 0..2 {
        v = (0..n)
            .map(|i| (v[(i + n - 1) % n] + 2.0 * v[i] + v[(i + 1) % n]) / 4.0)
            .collect();
    }
    v.into_iter().map(|x| lo + (hi - lo) * x).collect()
}

fn closed(mut pts: Vec<Coord<f64>>) -> LineString<f64> {
    if let Some(&first) = pts.first() {
        pts.push(first);
    }
    LineString(pts)
}

fn reversed(ring: &LineString<f64>) -> LineString<f64> {
    LineString(ring.0.iter().rev().copied().collect())
}

/// A star-shaped ring around `center`, counter-clockwise and closed: `n` (≥ 3) vertices at
/// increasing, jittered angles, each at the outline's distance times a smoothly varying factor
/// within `scale` (e.g. `(0.8, 1.0)`). Every vertex sits on its own ray from the centre, so the
/// ring is simple whatever the noise.
pub fn star_ring(
    rng: &mut Rng,
    center: Coord<f64>,
    outline: Outline,
    n: usize,
    scale: (f64, f64),
) -> LineString<f64> {
    let n = n.max(3);
    let factors = smooth_noise(rng, n, scale.0, scale.1);
    let mut pts = Vec::with_capacity(n + 1);
    for (i, f) in factors.iter().enumerate() {
        let t = (i as f64 + rng.range(0.15, 0.85)) / n as f64;
        let d = direction(t);
        let r = outline.radius_m(d) * f;
        pts.push(c(center.x + d.x * r, center.y + d.y * r));
    }
    closed(pts)
}

/// An organic polygon (outer ring following `outline` at 75–100 % of its radius) with up to four
/// star-shaped holes, and, when `island` is set, an island inside the first hole, returned as a
/// second polygon. Holes lie within 53 % of the outline's smallest radius from the centre and
/// never touch each other, so the result is always valid.
pub fn polygon_with_holes(
    rng: &mut Rng,
    center: Coord<f64>,
    outline: Outline,
    n_vertices: usize,
    holes: usize,
    island: bool,
) -> MultiPolygon<f64> {
    let outer = star_ring(rng, center, outline, n_vertices, (0.75, 1.0));
    let holes = holes.min(4);
    let inner_m = outline.min_radius_m();
    let hole_r = 0.18 * inner_m;
    let mut rings = Vec::with_capacity(holes);
    let mut island_ring = None;
    for k in 0..holes {
        let d = direction((k as f64 + 0.5) / holes as f64);
        let hc = if holes == 1 {
            c(
                center.x + d.x * 0.2 * inner_m,
                center.y + d.y * 0.2 * inner_m,
            )
        } else {
            c(
                center.x + d.x * 0.35 * inner_m,
                center.y + d.y * 0.35 * inner_m,
            )
        };
        let hole = star_ring(
            rng,
            hc,
            Outline::Ellipse {
                rx_m: hole_r,
                ry_m: hole_r,
            },
            24,
            (0.7, 1.0),
        );
        if k == 0 && island {
            let r = 0.3 * hole_r;
            island_ring = Some(star_ring(
                rng,
                hc,
                Outline::Ellipse { rx_m: r, ry_m: r },
                12,
                (0.7, 1.0),
            ));
        }
        rings.push(reversed(&hole));
    }
    let mut out = vec![Polygon::new(outer, rings)];
    if let Some(ring) = island_ring {
        out.push(Polygon::new(ring, vec![]));
    }
    MultiPolygon(out)
}

/// Two polygons that together fill a star-shaped outline and share their dividing line exactly
/// (same vertices on both sides): the west half and the east half of a ring around `center`
/// that follows `outline` pulled in by `inset_m` (smoothly varying). The dividing line runs from
/// the southernmost to the northernmost vertex through the centre, its inner vertices every
/// `chord_step_m` moved east or west by up to `chord_jitter_m`. `n` is rounded up to a multiple
/// of 4 so due north and due south are vertices.
pub fn star_pair_sharing_edge(
    rng: &mut Rng,
    center: Coord<f64>,
    outline: Outline,
    n: usize,
    inset_m: (f64, f64),
    chord_step_m: f64,
    chord_jitter_m: f64,
) -> (Polygon<f64>, Polygon<f64>) {
    let n = n.max(8).div_ceil(4) * 4;
    let insets = smooth_noise(rng, n, inset_m.0, inset_m.1);
    let ring: Vec<Coord<f64>> = insets
        .iter()
        .enumerate()
        .map(|(i, inset)| {
            let d = direction(i as f64 / n as f64);
            let r = (outline.radius_m(d) - inset).max(1.0);
            c(center.x + d.x * r, center.y + d.y * r)
        })
        .collect();
    let (north, south) = (n / 4, 3 * n / 4);
    let top = ring[north];
    let bottom = ring[south];
    // Dividing line, south to north, without its end points.
    let mut chord = Vec::new();
    let mut y = bottom.y + chord_step_m;
    while y < top.y - chord_step_m * 0.5 {
        chord.push(c(center.x + rng.range(-chord_jitter_m, chord_jitter_m), y));
        y += chord_step_m;
    }
    // West: north → west → south (counter-clockwise), then back up the dividing line.
    let mut west: Vec<Coord<f64>> = ring[north..=south].to_vec();
    west.extend(chord.iter().copied());
    // East: south → east → north, then down the dividing line.
    let mut east: Vec<Coord<f64>> = ring[south..].to_vec();
    east.extend_from_slice(&ring[..=north]);
    east.extend(chord.iter().rev().copied());
    (
        Polygon::new(closed(west), vec![]),
        Polygon::new(closed(east), vec![]),
    )
}

/// A corner of a hand-keyed ring and how the edge leaving it is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Key {
    pub x: f64,
    pub y: f64,
    /// Wiggle the edge to the next key (else it stays exactly straight).
    pub wiggle: bool,
}

/// Key whose outgoing edge wiggles.
const fn w(x: f64, y: f64) -> Key {
    Key { x, y, wiggle: true }
}

/// Key whose outgoing edge stays straight.
const fn s(x: f64, y: f64) -> Key {
    Key {
        x,
        y,
        wiggle: false,
    }
}

/// Largest sideways displacement of a wiggled edge, in metres.
const WIGGLE_M: f64 = 45.0;

/// A ring through counter-clockwise `keys`: straight edges exactly as given; wiggled edges get
/// extra vertices every 90–150 m displaced towards the interior (the left) by at most
/// `amplitude_m` (and 8 % of the edge), tapering to zero at both ends. Every key is kept exactly
/// and the ring stays inside the key polygon. Returns the closed ring and each key's index in it.
pub fn keyed_ring(rng: &mut Rng, keys: &[Key], amplitude_m: f64) -> (LineString<f64>, Vec<usize>) {
    let mut pts = Vec::new();
    let mut at = Vec::with_capacity(keys.len());
    for (i, key) in keys.iter().enumerate() {
        at.push(pts.len());
        let a = c(key.x, key.y);
        pts.push(a);
        let next = keys[(i + 1) % keys.len()];
        if key.wiggle {
            pts.extend(wiggle_edge(rng, a, c(next.x, next.y), amplitude_m));
        }
    }
    (closed(pts), at)
}

/// Points strictly between `a` and `b`, pushed to the left of `a → b`.
fn wiggle_edge(rng: &mut Rng, a: Coord<f64>, b: Coord<f64>, amplitude_m: f64) -> Vec<Coord<f64>> {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len = (dx * dx + dy * dy).sqrt();
    let step = rng.range(90.0, 150.0);
    let m = (len / step).floor() as usize;
    if m < 2 {
        return Vec::new();
    }
    let amp = amplitude_m.min(0.08 * len);
    let (nx, ny) = (-dy / len, dx / len);
    let mut smooth = rng.unit();
    (1..m)
        .map(|k| {
            let t = k as f64 / m as f64;
            smooth = 0.5 * smooth + 0.5 * rng.unit();
            let off = amp * 4.0 * t * (1.0 - t) * (0.15 + 0.85 * smooth);
            c(a.x + t * dx + off * nx, a.y + t * dy + off * ny)
        })
        .collect()
}

/// The polygon of the keys themselves (straight edges, no wiggle).
pub fn key_polygon(keys: &[Key]) -> Polygon<f64> {
    Polygon::new(closed(keys.iter().map(|k| c(k.x, k.y)).collect()), vec![])
}

/// Axis-aligned rectangle as a counter-clockwise polygon.
pub fn rect_polygon(x0: f64, y0: f64, x1: f64, y1: f64) -> Polygon<f64> {
    Polygon::new(
        closed(vec![c(x0, y0), c(x1, y0), c(x1, y1), c(x0, y1)]),
        vec![],
    )
}

/// A band `half_width_m` either side of a gently curving centreline (a river or a greenway),
/// counter-clockwise. Vertices are offset along the averaged normal; the centreline must not
/// bend sharply within a half width.
pub fn band_along(centerline: &[Coord<f64>], half_width_m: f64) -> Polygon<f64> {
    let n = centerline.len();
    let mut right = Vec::with_capacity(n);
    let mut left = Vec::with_capacity(n);
    for i in 0..n {
        let a = centerline[i.saturating_sub(1)];
        let b = centerline[(i + 1).min(n - 1)];
        let (tx, ty) = (b.x - a.x, b.y - a.y);
        let len = (tx * tx + ty * ty).sqrt();
        if len == 0.0 {
            continue;
        }
        let (nx, ny) = (-ty / len * half_width_m, tx / len * half_width_m);
        let p = centerline[i];
        right.push(c(p.x - nx, p.y - ny));
        left.push(c(p.x + nx, p.y + ny));
    }
    right.extend(left.into_iter().rev());
    Polygon::new(closed(right), vec![])
}

/// One irregular farmland-like patch (5–30 vertices) inside `cell` shrunk by `margin_m`, between
/// 0.2 and 3 ha when the cell allows: a slightly rotated rectangle or ellipse with radii at
/// 85–100 %, and in three cases out of ten one or two vertices pulled in (concave).
pub fn farmland_patch(rng: &mut Rng, cell: &Rect<f64>, margin_m: f64) -> Polygon<f64> {
    let hw = (cell.width() / 2.0 - margin_m).max(1.0);
    let hh = (cell.height() / 2.0 - margin_m).max(1.0);
    let a = hw * rng.range(0.32, 0.97);
    let b = hh * rng.range(0.32, 0.97);
    let outline = if rng.chance(0.6) {
        Outline::Rect { hx_m: a, hy_m: b }
    } else {
        Outline::Ellipse {
            rx_m: a * 1.12,
            ry_m: b * 1.12,
        }
    };
    let n = 5 + rng.below(26);
    let mut ring = star_ring(rng, c(0.0, 0.0), outline, n, (0.85, 1.0)).0;
    ring.pop();
    if n >= 6 && rng.chance(0.3) {
        for _ in 0..1 + rng.below(2) {
            let i = rng.below(n);
            let f = rng.range(0.5, 0.7);
            ring[i] = c(ring[i].x * f, ring[i].y * f);
        }
    }
    // Rotate by a small angle given as a normalised vector (no trigonometry).
    let slope = rng.range(-0.35, 0.35);
    let norm = (1.0 + slope * slope).sqrt();
    let (cos, sin) = (1.0 / norm, slope / norm);
    for p in &mut ring {
        *p = c(p.x * cos - p.y * sin, p.x * sin + p.y * cos);
    }
    // Keep the area within 0.2–3 ha, then fit the cell.
    let area = Polygon::new(closed(ring.clone()), vec![]).unsigned_area();
    let mut k = 1.0;
    if area > 0.0 && area < 2_050.0 {
        k = (2_100.0 / area).sqrt();
    } else if area > 29_500.0 {
        k = (29_000.0 / area).sqrt();
    }
    let (mut ex, mut ey) = (0.0f64, 0.0f64);
    for p in &ring {
        ex = ex.max((p.x * k).abs());
        ey = ey.max((p.y * k).abs());
    }
    if ex > hw || ey > hh {
        k *= (hw / ex).min(hh / ey);
        ex = ex.min(hw);
        ey = ey.min(hh);
    }
    let center = cell.center();
    let cx = center.x + rng.range(-1.0, 1.0) * (hw - ex).max(0.0);
    let cy = center.y + rng.range(-1.0, 1.0) * (hh - ey).max(0.0);
    Polygon::new(
        closed(ring.iter().map(|p| c(cx + p.x * k, cy + p.y * k)).collect()),
        vec![],
    )
}

/// Visits non-overlapping patches on a grid of `cell_m` cells covering `extent`, rows south to
/// north and cells west to east: a cell holds one patch (see [`farmland_patch`]) when
/// `accept(cell, rng)` says so. Patches stay `margin_m` inside their cell, so any two are at
/// least `2 × margin_m` apart. Each cell draws from its own stream ([`Rng::for_cell`]), so the
/// patches do not change when `accept` changes elsewhere, and huge fields (10⁶ patches) can be
/// streamed to a writer without being held in memory.
pub fn for_each_patch(
    seed: u64,
    extent: &Rect<f64>,
    cell_m: f64,
    margin_m: f64,
    mut accept: impl FnMut(&Rect<f64>, &mut Rng) -> bool,
    mut emit: impl FnMut(Polygon<f64>),
) {
    if cell_m <= 0.0 || !cell_m.is_finite() {
        return;
    }
    let cols = (extent.width() / cell_m).floor() as u32;
    let rows = (extent.height() / cell_m).floor() as u32;
    for row in 0..rows {
        for col in 0..cols {
            let x0 = extent.min().x + f64::from(col) * cell_m;
            let y0 = extent.min().y + f64::from(row) * cell_m;
            let cell = Rect::new(c(x0, y0), c(x0 + cell_m, y0 + cell_m));
            let mut rng = Rng::for_cell(seed, col, row);
            if accept(&cell, &mut rng) {
                emit(farmland_patch(&mut rng, &cell, margin_m));
            }
        }
    }
}

/// [`for_each_patch`] collected into a vector.
pub fn patch_field(
    seed: u64,
    extent: &Rect<f64>,
    cell_m: f64,
    margin_m: f64,
    accept: impl FnMut(&Rect<f64>, &mut Rng) -> bool,
) -> Vec<Polygon<f64>> {
    let mut out = Vec::new();
    for_each_patch(seed, extent, cell_m, margin_m, accept, |p| out.push(p));
    out
}

/// True when `rect` grown by `margin_m` meets any of `polygons`.
fn near_any(rect: &Rect<f64>, margin_m: f64, polygons: &[(Rect<f64>, Polygon<f64>)]) -> bool {
    let grown = Rect::new(
        c(rect.min().x - margin_m, rect.min().y - margin_m),
        c(rect.max().x + margin_m, rect.max().y + margin_m),
    );
    let grown_poly = grown.to_polygon();
    polygons.iter().any(|(bbox, poly)| {
        bbox.min().x <= grown.max().x
            && grown.min().x <= bbox.max().x
            && bbox.min().y <= grown.max().y
            && grown.min().y <= bbox.max().y
            && poly.intersects(&grown_poly)
    })
}

// ------------------------------------------------------------------------------------------------
// Frame: local metres → output CRS
// ------------------------------------------------------------------------------------------------

/// A local frame: metres east and north of an origin in the output CRS. Coordinates are snapped
/// to whole millimetres on the way out, with integer arithmetic for the offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Frame {
    pub origin_x_mm: i64,
    pub origin_y_mm: i64,
}

impl Frame {
    pub fn to_world(&self, p: Coord<f64>) -> Coord<f64> {
        let x_mm = self.origin_x_mm + (p.x * 1000.0).round() as i64;
        let y_mm = self.origin_y_mm + (p.y * 1000.0).round() as i64;
        c(x_mm as f64 / 1000.0, y_mm as f64 / 1000.0)
    }

    fn ring(&self, r: &LineString<f64>) -> LineString<f64> {
        LineString(r.0.iter().map(|p| self.to_world(*p)).collect())
    }

    pub fn polygon(&self, p: &Polygon<f64>) -> Polygon<f64> {
        Polygon::new(
            self.ring(p.exterior()),
            p.interiors().iter().map(|r| self.ring(r)).collect(),
        )
    }

    pub fn multi(&self, m: &MultiPolygon<f64>) -> MultiPolygon<f64> {
        MultiPolygon(m.0.iter().map(|p| self.polygon(p)).collect())
    }
}

// ------------------------------------------------------------------------------------------------
// The sample review
// ------------------------------------------------------------------------------------------------

/// ESRI WKT1 of EPSG:4549, CGCS2000 / 3-degree Gauss-Kruger CM 120E, as ArcGIS writes it.
pub const PRJ_CGCS2000_GK_CM_120E: &str = "PROJCS[\"CGCS2000_3_Degree_GK_CM_120E\",GEOGCS[\"GCS_China_Geodetic_Coordinate_System_2000\",DATUM[\"D_China_2000\",SPHEROID[\"CGCS2000\",6378137.0,298.257222101]],PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0.0174532925199433]],PROJECTION[\"Gauss_Kruger\"],PARAMETER[\"False_Easting\",500000.0],PARAMETER[\"False_Northing\",0.0],PARAMETER[\"Central_Meridian\",120.0],PARAMETER[\"Scale_Factor\",1.0],PARAMETER[\"Latitude_Of_Origin\",0.0],UNIT[\"Meter\",1.0]]";

/// The review file of the sample, paths relative to it.
pub const SAMPLE_REVIEW_TOML: &str = r#"crs = "EPSG:4549"
[layers]
zones = "merged_zones.shp"
original = "original_zones.shp"
redline = "redline.shp"
farmland = "farmland.shp"
water = "water.geojson"
townships = "townships.shp"
new_industrial = "new_industrial.shp"
[layers.extra]
"蓝绿空间" = "bluegreen.shp"
"自然保护地" = "nature.shp"
[layers.role]
"蓝绿空间" = "control_line"
[fields]
id = "ID"
name = "MC"
[rules]
contiguity_distance_m = 50
max_clusters = 1
max_parts = 3
min_part_area_m2 = 10000
custody_protected_share = 0.5
expansion_blocks = false
max_industries = 3
max_total_zones = 150
tax_per_mu_wan = 30
value_added_per_mu_wan = 120
[rules.severity_of_class.water]
"准保护区" = "warning"
"#;

/// Seed of every sample stream (each layer xors in its own tag).
const SAMPLE_SEED: u64 = 0x5A0E_C4EC_2025_0001;

/// South-west corner of the sample area in EPSG:4549: E 500 000, N 3 330 000.
pub const SAMPLE_FRAME: Frame = Frame {
    origin_x_mm: 500_000_000,
    origin_y_mm: 3_330_000_000,
};

/// The sample area is `SAMPLE_SIZE_M` square.
pub const SAMPLE_SIZE_M: f64 = 30_000.0;

/// Date written into the `.dbf` headers (2025-01-01), so the files do not change with the day.
pub const DBF_DATE: (i32, u8, u8) = (2025, 1, 1);

/// Grid of the farmland patches and the gap kept from everything they must not touch.
const FARM_CELL_M: f64 = 200.0;
const FARM_MARGIN_M: f64 = 5.0;
const FARM_KEEP_OUT_M: f64 = 40.0;

/// dBASE column kind, kept here so layers can name their columns without `FieldSpec`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Col {
    Text(u8),
    Number(u8, u8),
}

/// One layer of the sample, in EPSG:4549 (the water layer too; it is reprojected on writing).
#[derive(Clone, Debug)]
pub struct SampleLayer {
    /// File name inside the sample folder.
    pub file_name: &'static str,
    fields: Vec<(&'static str, Col)>,
    pub features: Vec<(MultiPolygon<f64>, Vec<Option<String>>)>,
}

impl SampleLayer {
    fn new(file_name: &'static str, fields: &[(&'static str, Col)]) -> SampleLayer {
        SampleLayer {
            file_name,
            fields: fields.to_vec(),
            features: Vec::new(),
        }
    }

    /// Column names in file order.
    pub fn field_names(&self) -> Vec<&'static str> {
        self.fields.iter().map(|(n, _)| *n).collect()
    }

    /// Value of column `field` of feature `index`.
    pub fn value(&self, index: usize, field: &str) -> Option<&str> {
        let col = self.fields.iter().position(|(n, _)| *n == field)?;
        self.features.get(index)?.1.get(col)?.as_deref()
    }

    fn push(&mut self, frame: &Frame, geometry: &MultiPolygon<f64>, values: &[&str]) {
        let values = values
            .iter()
            .map(|v| {
                if v.is_empty() {
                    None
                } else {
                    Some((*v).to_string())
                }
            })
            .collect();
        self.features.push((frame.multi(geometry), values));
    }

    fn field_specs(&self) -> Vec<FieldSpec> {
        self.fields
            .iter()
            .map(|(name, col)| FieldSpec {
                name: (*name).to_string(),
                kind: match *col {
                    Col::Text(w) => FieldKind::Text(w),
                    Col::Number(width, decimals) => FieldKind::Number { width, decimals },
                },
            })
            .collect()
    }
}

/// The whole sample review, built in memory.
#[derive(Clone, Debug)]
pub struct Sample {
    /// merged_zones, original_zones, redline, farmland, water, bluegreen, townships, nature,
    /// new_industrial.
    pub layers: Vec<SampleLayer>,
}

impl Sample {
    /// The layer written to `file_name`.
    pub fn layer(&self, file_name: &str) -> Option<&SampleLayer> {
        self.layers.iter().find(|l| l.file_name == file_name)
    }
}

/// (Re)creates the sample review in `dir`: nine layers, `review.toml`. Existing files of the
/// same names are replaced; other files (such as the README) are left alone.
pub fn write_sample_maps(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("cannot create the sample folder ({e}): {}", dir.display()))?;
    let sample = build_sample();
    for layer in &sample.layers {
        let path = dir.join(layer.file_name);
        if layer.file_name.ends_with(".geojson") {
            let text = geojson_lon_lat(layer)?;
            write_atomic(&path, text.as_bytes())
                .map_err(|e| format!("cannot write sample layer ({e}): {}", path.display()))?;
        } else {
            write_shapefile(&path, layer)
                .map_err(|e| format!("cannot write sample layer ({e}): {}", path.display()))?;
        }
    }
    let review = dir.join("review.toml");
    write_atomic(&review, SAMPLE_REVIEW_TOML.as_bytes())
        .map_err(|e| format!("cannot write the review file ({e}): {}", review.display()))
}

/// Writes one layer as a GBK shapefile in EPSG:4549 with the fixed `.dbf` date.
fn write_shapefile(path: &Path, layer: &SampleLayer) -> std::io::Result<()> {
    let mut writer = ShapefileWriter::create(path, &layer.field_specs(), OutEncoding::Gbk)?;
    writer.set_dbf_date(DBF_DATE.0, DBF_DATE.1, DBF_DATE.2);
    for (geometry, values) in &layer.features {
        let values: Vec<&str> = values.iter().map(|v| v.as_deref().unwrap_or("")).collect();
        writer.push(geometry, &values)?;
    }
    writer.finish(Some(PRJ_CGCS2000_GK_CM_120E)).map(|_| ())
}

/// The layer as RFC 7946 GeoJSON: lon/lat on CGCS2000 (EPSG:4490), 9 decimals, one feature a
/// line, exteriors counter-clockwise and holes clockwise.
fn geojson_lon_lat(layer: &SampleLayer) -> Result<String, String> {
    let to_lon_lat = Reprojector::new(&CrsDef::epsg(4549)?, &CrsDef::epsg(4490)?)?;
    let mut out = String::from("{\"type\":\"FeatureCollection\",\"features\":[\n");
    for (i, (geometry, values)) in layer.features.iter().enumerate() {
        let mut props = Vec::new();
        for ((name, _), value) in layer.fields.iter().zip(values) {
            let v = match value {
                Some(v) => serde_json::to_string(v).map_err(|e| e.to_string())?,
                None => "null".to_string(),
            };
            props.push(format!("\"{name}\":{v}"));
        }
        let mut polys = Vec::new();
        for poly in &geometry.0 {
            let mut rings = Vec::new();
            for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                let mut pts = ring.0.clone();
                to_lon_lat.transform(&mut pts);
                let mut text = Vec::with_capacity(pts.len());
                for p in &pts {
                    if !p.x.is_finite() || !p.y.is_finite() {
                        return Err(format!(
                            "PROJ could not convert a vertex of water feature {i} to lon/lat"
                        ));
                    }
                    text.push(format!("[{:.9},{:.9}]", p.x, p.y));
                }
                rings.push(format!("[{}]", text.join(",")));
            }
            polys.push(format!("[{}]", rings.join(",")));
        }
        let geometry = match polys.as_slice() {
            [one] => format!("{{\"type\":\"Polygon\",\"coordinates\":{one}}}"),
            _ => format!(
                "{{\"type\":\"MultiPolygon\",\"coordinates\":[{}]}}",
                polys.join(",")
            ),
        };
        let sep = if i + 1 < layer.features.len() {
            ","
        } else {
            ""
        };
        out.push_str(&format!(
            "{{\"type\":\"Feature\",\"properties\":{{{}}},\"geometry\":{geometry}}}{sep}\n",
            props.join(",")
        ));
    }
    out.push_str("]}\n");
    Ok(out)
}

// --- the map, in local metres (x east, y north from E 500 000, N 3 330 000) -------------------

/// M001 main part A: 2.5 km × 2.2 km with a notch; south edge straight at x 10400–11000 (red-line
/// tongue), east edge straight at y 18500–18850 (overlap with M002), west edge straight at
/// y 19000–19500 (facing the fragment). A ⊂ {x ≥ 10000, y ≤ 20200}.
const M001_A: [Key; 13] = [
    w(10250.0, 18000.0),
    s(10400.0, 18000.0),
    w(11000.0, 18000.0),
    w(12500.0, 18000.0),
    s(12500.0, 18500.0),
    w(12500.0, 18850.0),
    w(12500.0, 19400.0),
    w(11800.0, 19400.0),
    w(11500.0, 20200.0),
    w(10000.0, 20200.0),
    s(10000.0, 19500.0),
    w(10000.0, 19000.0),
    w(10000.0, 18250.0),
];

/// M001 second cluster B (L-shaped, one corner cut); B ⊂ {x ≤ 9520, y ≥ 20840}: 800 m from A's corner (10000, 20200).
const M001_B: [Key; 7] = [
    w(8000.0, 20840.0),
    w(9520.0, 20840.0),
    w(9520.0, 21500.0),
    w(8900.0, 21500.0),
    w(8900.0, 22100.0),
    w(8300.0, 22100.0),
    w(8000.0, 21800.0),
];

/// M001 enclave E (U-shaped), in 进化镇, about 14 km from A.
const M001_E: [Key; 8] = [
    w(22000.0, 7000.0),
    w(23200.0, 7000.0),
    w(23200.0, 7900.0),
    w(22850.0, 7900.0),
    w(22850.0, 7400.0),
    w(22350.0, 7400.0),
    w(22350.0, 7900.0),
    w(22000.0, 7900.0),
];

/// M001 fragment F: 80 m × 100 m = 8 000 m², 30 m west of A.
const M001_F: [f64; 4] = [9890.0, 19200.0, 9970.0, 19300.0];

/// Y01 (original of A and F): A's key outline without the strip that belongs to Y05.
const Y01: [Key; 12] = [
    s(10000.0, 18000.0),
    s(12500.0, 18000.0),
    s(12500.0, 18450.0),
    s(12300.0, 18450.0),
    s(12300.0, 18900.0),
    s(12500.0, 18900.0),
    s(12500.0, 19400.0),
    s(11800.0, 19400.0),
    s(11800.0, 20200.0),
    s(10000.0, 20200.0),
    s(10000.0, 19500.0),
    s(10000.0, 19000.0),
];

/// Y05, the small park both M001 and M002 list: 300 m × 450 m across the gap between them.
const Y05: [f64; 4] = [12300.0, 18450.0, 12600.0, 18900.0];

/// M002: body = Y03 ∪ Y04 (with a tongue south into the water-source areas at x 13400–13600),
/// a tab west into Y05 that overlaps A by 100 m × 150 m, an expansion block 200 m × 300 m on the
/// north edge, east edge straight at y 18100–18300 (farmland sliver).
const M002: [Key; 22] = [
    w(12800.0, 17600.0),
    s(13400.0, 17600.0),
    s(13400.0, 17150.0),
    s(13600.0, 17150.0),
    w(13600.0, 17600.0),
    w(15000.0, 17600.0),
    s(15000.0, 18100.0),
    w(15000.0, 18300.0),
    w(15000.0, 18700.0),
    w(14800.0, 19000.0),
    w(14500.0, 19000.0),
    s(14500.0, 19800.0),
    s(14200.0, 19800.0),
    s(14200.0, 20100.0),
    s(14000.0, 20100.0),
    w(14000.0, 19800.0),
    w(12600.0, 19800.0),
    s(12600.0, 18750.0),
    s(12400.0, 18750.0),
    s(12400.0, 18600.0),
    w(12600.0, 18600.0),
    w(12600.0, 17800.0),
];

const Y03: [Key; 8] = [
    s(12600.0, 17600.0),
    s(13400.0, 17600.0),
    s(13400.0, 17150.0),
    s(13600.0, 17150.0),
    s(13600.0, 17600.0),
    s(14000.0, 17600.0),
    s(14000.0, 19800.0),
    s(12600.0, 19800.0),
];

const Y04: [Key; 6] = [
    s(14000.0, 17600.0),
    s(15000.0, 17600.0),
    s(15000.0, 19000.0),
    s(14500.0, 19000.0),
    s(14500.0, 19800.0),
    s(14000.0, 19800.0),
];

/// M003: 3 km × 2.6 km with a notch, dipping 0.7–1.1 km into 河上镇; north edge straight at
/// x 18400–19000 (green-corridor tongue).
const M003: [Key; 10] = [
    w(17400.0, 12900.0),
    w(19000.0, 12900.0),
    w(19000.0, 13600.0),
    w(20000.0, 13600.0),
    w(20000.0, 15500.0),
    s(19000.0, 15500.0),
    w(18400.0, 15500.0),
    w(17300.0, 15500.0),
    w(17000.0, 15100.0),
    w(17000.0, 13300.0),
];

const Y07: [Key; 4] = [
    s(17000.0, 12900.0),
    s(18400.0, 12900.0),
    s(18400.0, 15500.0),
    s(17000.0, 15500.0),
];

const Y08: [Key; 6] = [
    s(18400.0, 12900.0),
    s(19000.0, 12900.0),
    s(19000.0, 13600.0),
    s(20000.0, 13600.0),
    s(20000.0, 15500.0),
    s(18400.0, 15500.0),
];

/// M004, the passing zone: exactly Y09 ∪ Y10 (split along x = 24000 between keys 1 and 7); east
/// edge straight at y 19500–20500 (shared with red line R04); NE corner (26000, 21200) meets a
/// farmland patch.
const M004: [Key; 13] = [
    w(22300.0, 19000.0),
    w(24000.0, 19000.0),
    w(25400.0, 19000.0),
    w(25400.0, 19500.0),
    s(26000.0, 19500.0),
    w(26000.0, 20500.0),
    w(26000.0, 21200.0),
    w(24000.0, 21200.0),
    w(23200.0, 21200.0),
    w(23200.0, 21900.0),
    w(22400.0, 21900.0),
    w(22000.0, 21500.0),
    w(22000.0, 19300.0),
];
const M004_SPLIT: (usize, usize) = (1, 7);

const Y11: [Key; 6] = [
    s(3000.0, 22000.0),
    s(4200.0, 22000.0),
    s(4200.0, 22500.0),
    s(3700.0, 22500.0),
    s(3700.0, 23000.0),
    s(3000.0, 23000.0),
];
const Y12: [Key; 6] = [
    s(5000.0, 9000.0),
    s(6000.0, 9000.0),
    s(6000.0, 9800.0),
    s(5600.0, 9800.0),
    s(5600.0, 9400.0),
    s(5000.0, 9400.0),
];
const Y13: [Key; 4] = [
    s(26000.0, 9000.0),
    s(27000.0, 9000.0),
    s(27000.0, 10000.0),
    s(26000.0, 10000.0),
];

/// Red line R01: wetland south of A with a tongue 200 m wide reaching 150 m into A.
const R01: [Key; 10] = [
    w(9700.0, 16300.0),
    w(11500.0, 16200.0),
    w(11700.0, 17000.0),
    w(11200.0, 17600.0),
    s(10800.0, 17600.0),
    s(10800.0, 18150.0),
    s(10600.0, 18150.0),
    w(10600.0, 17600.0),
    w(10100.0, 17550.0),
    w(9600.0, 17000.0),
];

/// Red line R04: wetland east of M004, sharing M004's edge x = 26000, y 19500–20500.
const R04: [Key; 7] = [
    s(26000.0, 20500.0),
    w(26000.0, 19500.0),
    w(26700.0, 19100.0),
    w(27800.0, 19300.0),
    w(28200.0, 20200.0),
    w(27500.0, 20900.0),
    w(26600.0, 20800.0),
];

/// Outer ring of the 准保护区 of the reservoir (star-shaped around [`WATER_CENTER`]); its north
/// edge is straight at y 17400 for x 13300–13900. The 二级 and 一级 outer rings are this ring
/// scaled about the centre by 1200/1400 and 900/1400 (north edges at y 17200 and 16900).
const WATER_OUTER: [Key; 9] = [
    s(13900.0, 17400.0),
    w(13300.0, 17400.0),
    w(12500.0, 16900.0),
    w(12300.0, 16000.0),
    w(12600.0, 15100.0),
    w(13600.0, 14850.0),
    w(14700.0, 15000.0),
    w(15200.0, 15800.0),
    w(15000.0, 16700.0),
];
const WATER_CENTER: (f64, f64) = (13600.0, 16000.0);

/// Green corridor BG1: body north of M003 with a tongue 200 m wide reaching 150 m into it.
const BG1: [Key; 9] = [
    s(18600.0, 15350.0),
    s(18800.0, 15350.0),
    s(18800.0, 15900.0),
    w(19400.0, 15900.0),
    w(19600.0, 16700.0),
    w(18800.0, 17100.0),
    w(18000.0, 16600.0),
    s(18100.0, 15900.0),
    s(18600.0, 15900.0),
];

/// Farmland patches placed by hand: (BSM serial, polygon, DLBM).
fn deliberate_patches() -> Vec<(u32, Polygon<f64>, &'static str)> {
    // M002 sliver: 100 m × 100 m east of M002 plus a 0.5 m × 1 m nub across its edge.
    let sliver = Polygon::new(
        closed(vec![
            c(15000.0, 18150.0),
            c(15100.0, 18150.0),
            c(15100.0, 18250.0),
            c(15000.0, 18250.0),
            c(15000.0, 18201.0),
            c(14999.5, 18201.0),
            c(14999.5, 18200.0),
            c(15000.0, 18200.0),
        ]),
        vec![],
    );
    vec![
        // Two 100 m × 100 m patches inside A overlapping each other by 50 m × 100 m.
        (1, rect_polygon(11000.0, 19000.0, 11100.0, 19100.0), "0101"),
        (2, rect_polygon(11050.0, 19000.0, 11150.0, 19100.0), "0101"),
        (3, sliver, "0103"),
        // Meets M004 at its corner (26000, 21200) only.
        (4, rect_polygon(26000.0, 21200.0, 26080.0, 21280.0), "0102"),
    ]
}

/// Areas where farmland is dense (centre x, y, radii x, y in metres); elsewhere it is sparse.
const FARM_DISTRICTS: [(f64, f64, f64, f64); 6] = [
    (5000.0, 16500.0, 3500.0, 2000.0),
    (16000.0, 24000.0, 4000.0, 3000.0),
    (25000.0, 25500.0, 3500.0, 2500.0),
    (21500.0, 10000.0, 3000.0, 2800.0),
    (8000.0, 11500.0, 2500.0, 1500.0),
    (15000.0, 13200.0, 2600.0, 700.0),
];

struct Township {
    code: &'static str,
    name: &'static str,
    villages: [&'static str; 6],
}

const TOWNSHIPS: [Township; 6] = [
    Township {
        code: "330109002",
        name: "北干街道",
        villages: ["山北村", "长山村", "新华村", "东方村", "永兴村", "凤凰村"],
    },
    Township {
        code: "330109009",
        name: "宁围街道",
        villages: ["宁新村", "合丰村", "丰北村", "新安村", "宁牧村", "三围村"],
    },
    Township {
        code: "330109101",
        name: "瓜沥镇",
        villages: ["东恩村", "八里桥村", "明朗村", "党山村", "长巷村", "沿塘村"],
    },
    Township {
        code: "330109103",
        name: "义桥镇",
        villages: ["湘南村", "杨家村", "徐家村", "新坝村", "罗幕村", "许贤村"],
    },
    Township {
        code: "330109106",
        name: "河上镇",
        villages: ["大桥村", "众联村", "东山村", "紫霞村", "凤凰坞村", "云石村"],
    },
    Township {
        code: "330109109",
        name: "进化镇",
        villages: ["欢潭村", "岳驻村", "大汤坞村", "吉山村", "云峰村", "天堂村"],
    },
];

/// Six township polygons tiling the 30 km square exactly (shared vertices on every shared edge):
/// a wavy east–west boundary near y 14 km, split by wavy north–south boundaries at x 10 and
/// 20 km above it and x 12 and 18 km below it. Order as [`TOWNSHIPS`].
fn township_polygons(rng: &mut Rng) -> Vec<Polygon<f64>> {
    let size = SAMPLE_SIZE_M;
    // East–west boundary: a vertex every 500 m, a random walk within ±400 m of y = 14 000.
    let mut h = Vec::with_capacity(61);
    let mut off = 0.0f64;
    for i in 0..=60 {
        h.push(c(f64::from(i) * 500.0, 14_000.0 + off));
        off = (off + rng.range(-120.0, 120.0)).clamp(-400.0, 400.0);
    }
    // North–south boundary above the east–west one: straight up to y 14 600 (above its highest
    // point) from the junction, then a walk within ±300 m.
    let upper = |rng: &mut Rng, i: usize| -> Vec<Coord<f64>> {
        let x0 = h[i].x;
        let mut v = vec![h[i], c(x0, 14_600.0)];
        let mut off = 0.0f64;
        let mut y = 15_000.0;
        while y <= size {
            off = (off + rng.range(-100.0, 100.0)).clamp(-300.0, 300.0);
            v.push(c(x0 + off, y));
            y += 500.0;
        }
        v
    };
    // Below: a walk from the south edge up to y 13 400 (under its lowest point), then straight.
    let lower = |rng: &mut Rng, i: usize| -> Vec<Coord<f64>> {
        let x0 = h[i].x;
        let mut v = Vec::new();
        let mut off = 0.0f64;
        let mut y = 13_000.0;
        while y >= 0.0 {
            off = (off + rng.range(-100.0, 100.0)).clamp(-300.0, 300.0);
            v.push(c(x0 + off, y));
            y -= 500.0;
        }
        v.reverse();
        v.push(c(x0, 13_400.0));
        v.push(h[i]);
        v
    };
    let v1 = upper(rng, 20);
    let v2 = upper(rng, 40);
    let v3 = lower(rng, 24);
    let v4 = lower(rng, 36);
    let down = |v: &[Coord<f64>]| -> Vec<Coord<f64>> { v.iter().rev().copied().collect() };
    let inner = |v: &[Coord<f64>]| -> Vec<Coord<f64>> { v[1..v.len() - 1].to_vec() };

    let mut t1 = h[..=20].to_vec();
    t1.extend_from_slice(&v1[1..]);
    t1.push(c(0.0, size));

    let mut t2 = h[20..=40].to_vec();
    t2.extend_from_slice(&v2[1..]);
    t2.extend(down(&v1[1..]));

    let mut t3 = h[40..].to_vec();
    t3.push(c(size, size));
    t3.extend(down(&v2[1..]));

    let mut t4 = vec![c(0.0, 0.0)];
    t4.extend_from_slice(&v3);
    t4.extend(down(&h[..24]));

    let mut t5 = vec![v3[0]];
    t5.extend_from_slice(&v4);
    t5.extend(down(&h[24..36]));
    t5.extend(down(&inner(&v3)));

    let mut t6 = vec![v4[0], c(size, 0.0)];
    t6.extend(down(&h[36..]));
    t6.extend(down(&inner(&v4)));

    [t1, t2, t3, t4, t5, t6]
        .into_iter()
        .map(|r| Polygon::new(closed(r), vec![]))
        .collect()
}

/// `keys` scaled about `center` by `num / den` (exact where the input allows: a key at
/// `center.y + 1400` scaled by 1200/1400 lands on `center.y + 1200`).
fn keys_scaled(keys: &[Key], center: Coord<f64>, num: f64, den: f64) -> Vec<Key> {
    keys.iter()
        .map(|k| Key {
            x: center.x + (k.x - center.x) * num / den,
            y: center.y + (k.y - center.y) * num / den,
            wiggle: k.wiggle,
        })
        .collect()
}

fn mp(p: Polygon<f64>) -> MultiPolygon<f64> {
    MultiPolygon(vec![p])
}

fn rect_of(r: [f64; 4]) -> Polygon<f64> {
    rect_polygon(r[0], r[1], r[2], r[3])
}

/// Features of one layer in the local frame: geometry and one value per column ("" = empty).
type Rows = Vec<(MultiPolygon<f64>, Vec<&'static str>)>;

/// The stream of sample layer `tag`.
fn sample_rng(tag: u64) -> Rng {
    Rng::new(mix64(SAMPLE_SEED ^ tag))
}

const ZONE_FIELDS: [(&str, Col); 11] = [
    ("ID", Col::Text(10)),
    ("MC", Col::Text(60)),
    ("LEVEL", Col::Text(40)),
    ("CITY", Col::Text(20)),
    ("COUNTY", Col::Text(20)),
    ("MEMBERS", Col::Text(60)),
    ("INDUSTRIES", Col::Text(100)),
    ("ENCLAVE", Col::Text(4)),
    ("MJSS", Col::Number(10, 1)),
    ("MJZJZ", Col::Number(10, 1)),
    ("TGXZ", Col::Text(40)),
];

/// Merged zones (seven features, five zones), and the two originals M004 is split into.
fn zone_rows(rng: &mut Rng) -> (Rows, Polygon<f64>, Polygon<f64>) {
    let (a, _) = keyed_ring(rng, &M001_A, WIGGLE_M);
    let (b, _) = keyed_ring(rng, &M001_B, WIGGLE_M);
    let (e, _) = keyed_ring(rng, &M001_E, WIGGLE_M);
    let (m2, _) = keyed_ring(rng, &M002, WIGGLE_M);
    let (m3, _) = keyed_ring(rng, &M003, WIGGLE_M);
    let (m4, m4_keys) = keyed_ring(rng, &M004, WIGGLE_M);
    // Y09 and Y10: M004's own vertices on either side of the chord between keys 1 and 7.
    let m4_pts = &m4.0[..m4.0.len() - 1];
    let (k1, k7) = (m4_keys[M004_SPLIT.0], m4_keys[M004_SPLIT.1]);
    let y10 = Polygon::new(closed(m4_pts[k1..=k7].to_vec()), vec![]);
    let mut y09_pts = m4_pts[k7..].to_vec();
    y09_pts.extend_from_slice(&m4_pts[..=k1]);
    let y09 = Polygon::new(closed(y09_pts), vec![]);

    let m001 = |enclave: &'static str| {
        vec![
            "M001",
            "萧山经济技术开发区",
            "国家级经济技术开发区",
            "杭州市",
            "萧山区",
            "Y01,Y02,Y05,Y06",
            "高端装备、汽车及零部件、新材料",
            enclave,
            "45.2",
            "150.5",
            "",
        ]
    };
    let rows = vec![
        (
            MultiPolygon(vec![Polygon::new(a, vec![]), rect_of(M001_F)]),
            m001(""),
        ),
        (mp(Polygon::new(b, vec![])), m001("")),
        (mp(Polygon::new(e, vec![])), m001("是")),
        (
            mp(Polygon::new(m2, vec![])),
            vec![
                "M002",
                "萧山江东经济开发区",
                "省级经济开发区",
                // Not the city its townships lie in: the location finding.
                "绍兴市",
                "萧山区",
                "Y03,Y04,Y05",
                "航空物流、跨境电商、数字经济",
                "",
                // 亩均税收 below the target of 30.
                "28.6",
                "131.0",
                "",
            ],
        ),
        (
            mp(Polygon::new(m3, vec![])),
            vec![
                "M003",
                "杭州湘南未来产业园",
                "省级开发区",
                "杭州市",
                "市本级",
                "Y07,Y08",
                "智能制造、生物医药、新材料、数字经济、现代物流",
                "",
                // Neither indicator given: a notice.
                "",
                "",
                // Declared custody of 河上镇, which it covers only in part.
                "河上镇",
            ],
        ),
        (
            mp(Polygon::new(m4, vec![])),
            vec![
                "M004",
                "萧山瓜沥经济开发区",
                "省级经济开发区",
                "杭州市",
                "萧山区",
                "Y09,Y10",
                // Two industries whose names hold a space.
                "纺织 化纤、智能 家居",
                "",
                "36.0",
                "125.0",
                "",
            ],
        ),
        (
            // Drawn exactly on Y13, which is to be eliminated (淘汰撤销), and relying on it
            // alone (county level): the eliminated, no-national-or-provincial-member and
            // original-status findings. In 进化镇, which M001 and M003 already reach, so the
            // spatial filter still leaves 义桥镇's patches out.
            mp(key_polygon(&Y13)),
            vec![
                "M005",
                "萧山所前创新园",
                "县级工业园区",
                "杭州市",
                "萧山区",
                // Y14 is in no layer: members.unknown.
                "Y13,Y14",
                "智能制造",
                "",
                "31.0",
                "121.0",
                "",
            ],
        ),
    ];
    (rows, y09, y10)
}

/// The 13 original zones (straight-edged: the old boundaries).
fn original_rows(y09: Polygon<f64>, y10: Polygon<f64>) -> Rows {
    let row = |g: MultiPolygon<f64>, v: [&'static str; 4]| (g, v.to_vec());
    vec![
        row(
            MultiPolygon(vec![key_polygon(&Y01), rect_of(M001_F)]),
            [
                "Y01",
                "萧山经济技术开发区（原）",
                "国家级经济技术开发区",
                "整合优化",
            ],
        ),
        row(
            mp(key_polygon(&M001_B)),
            ["Y02", "萧山宁围工业园区", "省级开发区", "整合优化"],
        ),
        row(
            mp(key_polygon(&Y03)),
            [
                "Y03",
                "萧山临江高新技术产业开发区",
                "国家级高新技术产业开发区",
                "整合优化",
            ],
        ),
        row(
            mp(key_polygon(&Y04)),
            ["Y04", "萧山江东工业园区", "省级开发区", "整合优化"],
        ),
        row(
            mp(rect_of(Y05)),
            ["Y05", "萧山新街科技园", "市级工业园区", "整合优化"],
        ),
        row(
            mp(key_polygon(&M001_E)),
            ["Y06", "萧山进化飞地产业园", "县级工业园区", "整合优化"],
        ),
        row(
            mp(key_polygon(&Y07)),
            ["Y07", "杭州湘南科技园", "省级开发区", "整合优化"],
        ),
        row(
            mp(key_polygon(&Y08)),
            // A designation the table does not know: designation.unknown.
            ["Y08", "萧山河上工业功能区", "镇级工业功能区", "整合优化"],
        ),
        row(
            mp(y09),
            [
                "Y09",
                "萧山瓜沥经济开发区（原）",
                "省级经济开发区",
                "整合优化",
            ],
        ),
        row(
            mp(y10),
            ["Y10", "萧山党湾工业园区", "县级工业园区", "整合优化"],
        ),
        row(
            mp(key_polygon(&Y11)),
            ["Y11", "萧山北干小微企业园", "市级工业园区", "整合优化"],
        ),
        row(
            mp(key_polygon(&Y12)),
            ["Y12", "萧山义桥工业功能区", "县级工业园区", "淘汰撤销"],
        ),
        row(
            mp(key_polygon(&Y13)),
            ["Y13", "萧山所前工业园区", "县级工业园区", "淘汰撤销"],
        ),
    ]
}

/// Eight red-line polygons: R01 with its tongue into M001, the 河上镇 mountains as two halves
/// sharing their dividing line (three holes, an island in one), R04 sharing M004's edge, and four
/// organic ones elsewhere.
fn redline_rows(rng: &mut Rng) -> Rows {
    let ellipse = |rx_m: f64, ry_m: f64| Outline::Ellipse { rx_m, ry_m };
    let (r01, _) = keyed_ring(rng, &R01, WIGGLE_M);
    let (west, east) = star_pair_sharing_edge(
        rng,
        c(15_000.0, 6_300.0),
        Outline::Rect {
            hx_m: 3_000.0,
            hy_m: 6_300.0,
        },
        192,
        (50.0, 1_100.0),
        600.0,
        150.0,
    );
    let hole = |rng: &mut Rng, x: f64, y: f64, r: f64| {
        reversed(&star_ring(rng, c(x, y), ellipse(r, r), 28, (0.75, 1.0)))
    };
    let west_holes = vec![
        hole(rng, 13_500.0, 4_000.0, 420.0),
        hole(rng, 13_600.0, 9_500.0, 350.0),
    ];
    let east_hole = hole(rng, 16_500.0, 8_000.0, 600.0);
    let island = star_ring(
        rng,
        c(16_500.0, 8_000.0),
        ellipse(220.0, 220.0),
        16,
        (0.7, 1.0),
    );
    let (r04, _) = keyed_ring(rng, &R04, WIGGLE_M);
    let r05 = polygon_with_holes(
        rng,
        c(4_500.0, 5_500.0),
        ellipse(2_200.0, 1_600.0),
        90,
        1,
        false,
    );
    let r06 = polygon_with_holes(
        rng,
        c(26_000.0, 4_000.0),
        ellipse(2_500.0, 2_000.0),
        100,
        2,
        false,
    );
    let r07 = polygon_with_holes(
        rng,
        c(4_000.0, 26_500.0),
        ellipse(1_500.0, 1_000.0),
        60,
        0,
        false,
    );
    let r08 = polygon_with_holes(
        rng,
        c(27_000.0, 27_000.0),
        ellipse(1_200.0, 1_600.0),
        60,
        0,
        false,
    );
    let row = |g: MultiPolygon<f64>, v: [&'static str; 3]| (g, v.to_vec());
    vec![
        row(
            mp(Polygon::new(r01, vec![])),
            [
                "330109HX0001",
                "湘湖—白马湖湿地生态保护红线",
                "生物多样性维护",
            ],
        ),
        row(
            mp(Polygon::new(west.exterior().clone(), west_holes)),
            [
                "330109HX0002",
                "河上—戴村山地生态保护红线（西片）",
                "水源涵养",
            ],
        ),
        row(
            MultiPolygon(vec![
                Polygon::new(east.exterior().clone(), vec![east_hole]),
                Polygon::new(island, vec![]),
            ]),
            [
                "330109HX0003",
                "河上—楼塔山地生态保护红线（东片）",
                "水土保持",
            ],
        ),
        row(
            mp(Polygon::new(r04, vec![])),
            [
                "330109HX0004",
                "钱塘江（瓜沥段）湿地生态保护红线",
                "生物多样性维护",
            ],
        ),
        row(r05, ["330109HX0005", "义桥西山生态保护红线", "水土保持"]),
        row(
            r06,
            ["330109HX0006", "进化南部山地生态保护红线", "水源涵养"],
        ),
        row(
            r07,
            ["330109HX0007", "北干山生态保护红线", "生物多样性维护"],
        ),
        row(
            r08,
            ["330109HX0008", "党山湾湿地生态保护红线", "生物多样性维护"],
        ),
    ]
}

/// The reservoir's three protection classes as non-overlapping rings: 一级 is a plain polygon,
/// 二级 has 一级's outline as its hole, 准 has 二级's outline as its hole.
fn water_rows(rng: &mut Rng) -> Rows {
    let wc = c(WATER_CENTER.0, WATER_CENTER.1);
    let (w3, _) = keyed_ring(rng, &WATER_OUTER, WIGGLE_M);
    let (w2, _) = keyed_ring(
        rng,
        &keys_scaled(&WATER_OUTER, wc, 1_200.0, 1_400.0),
        WIGGLE_M,
    );
    let (w1, _) = keyed_ring(
        rng,
        &keys_scaled(&WATER_OUTER, wc, 900.0, 1_400.0),
        WIGGLE_M,
    );
    vec![
        (
            mp(Polygon::new(w1.clone(), vec![])),
            vec!["SY01-1", "南坞水库饮用水水源一级保护区", "一级保护区"],
        ),
        (
            mp(Polygon::new(w2.clone(), vec![reversed(&w1)])),
            vec!["SY01-2", "南坞水库饮用水水源二级保护区", "二级保护区"],
        ),
        (
            mp(Polygon::new(w3, vec![reversed(&w2)])),
            vec!["SY01-3", "南坞水库饮用水水源准保护区", "准保护区"],
        ),
    ]
}

/// 蓝绿空间: the green corridor reaching into M003, a river band, a lake.
fn bluegreen_rows(rng: &mut Rng) -> Rows {
    let (corridor, _) = keyed_ring(rng, &BG1, WIGGLE_M);
    let mut river = Vec::new();
    let mut meander = 0.0f64;
    let mut x = 50.0;
    while x <= 11_000.0 {
        river.push(c(x, 11_000.0 + 1_500.0 * x / 11_000.0 + meander));
        meander = (meander + rng.range(-60.0, 60.0)).clamp(-200.0, 200.0);
        x += 250.0;
    }
    let lake = star_ring(
        rng,
        c(6_000.0, 19_000.0),
        Outline::Ellipse {
            rx_m: 800.0,
            ry_m: 500.0,
        },
        40,
        (0.75, 1.0),
    );
    vec![
        (
            mp(Polygon::new(corridor, vec![])),
            vec!["330109LL0001", "北塘河城市绿廊"],
        ),
        (
            mp(band_along(&river, 40.0)),
            vec!["330109LL0002", "西小江蓝线"],
        ),
        (
            mp(Polygon::new(lake, vec![])),
            vec!["330109LL0003", "白马湖蓝线"],
        ),
    ]
}

/// 自然保护地 (an extra protected layer): NR01, 200 m × 100 m, lies wholly inside M003, 300 m
/// and more from its wiggled edges.
fn nature_rows() -> Rows {
    vec![(
        mp(rect_polygon(17600.0, 14800.0, 17800.0, 14900.0)),
        vec!["330109ZR0001", "湘南湿地自然公园", "自然公园"],
    )]
}

/// 新增工业建设用地: NI01 wholly inside M004; NI02 one plot inside M004 and one 200 m × 100 m
/// south of it (N 3 348 500–3 348 600, M004's south edge is at N 3 349 000 ± 45 m).
fn new_industrial_rows() -> Rows {
    vec![
        (
            mp(rect_polygon(23000.0, 19800.0, 23400.0, 20000.0)),
            vec!["330109GY0001", "瓜沥智能家居产业用地"],
        ),
        (
            MultiPolygon(vec![
                rect_polygon(24500.0, 20000.0, 24700.0, 20200.0),
                rect_polygon(24500.0, 18500.0, 24700.0, 18600.0),
            ]),
            vec!["330109GY0002", "瓜沥化纤产业用地"],
        ),
    ]
}

/// Farmland: the hand-placed patches first (BSM serials 1–4), then a patch field (serials from
/// 1001) that keeps [`FARM_KEEP_OUT_M`] away from every polygon in `keep_out`.
fn farmland_layer(
    frame: &Frame,
    towns: &[Polygon<f64>],
    keep_out: &[&MultiPolygon<f64>],
) -> SampleLayer {
    let deliberate = deliberate_patches();
    let mut boxed: Vec<(Rect<f64>, Polygon<f64>)> = Vec::new();
    let polygons = keep_out
        .iter()
        .flat_map(|g| g.0.iter().cloned())
        .chain(deliberate.iter().map(|(_, p, _)| p.clone()));
    for p in polygons {
        if let Some(r) = p.bounding_rect() {
            boxed.push((r, p));
        }
    }
    let extent = Rect::new(c(0.0, 0.0), c(SAMPLE_SIZE_M, SAMPLE_SIZE_M));
    let random = patch_field(
        mix64(SAMPLE_SEED ^ 6),
        &extent,
        FARM_CELL_M,
        FARM_MARGIN_M,
        |cell, rng| {
            let m = cell.center();
            let dense = FARM_DISTRICTS.iter().any(|&(x, y, rx, ry)| {
                let (dx, dy) = ((m.x - x) / rx, (m.y - y) / ry);
                dx * dx + dy * dy <= 1.0
            });
            rng.chance(if dense { 0.6 } else { 0.08 }) && !near_any(cell, FARM_KEEP_OUT_M, &boxed)
        },
    );
    let mut layer = SampleLayer::new(
        "farmland.shp",
        &[
            ("BSM", Col::Text(20)),
            ("DLBM", Col::Text(4)),
            ("DLMC", Col::Text(10)),
            ("TBMJ", Col::Number(15, 2)),
            ("XZQDM", Col::Text(12)),
            ("ZLDWMC", Col::Text(40)),
        ],
    );
    let mut rng = sample_rng(7);
    let all = deliberate
        .into_iter()
        .map(|(serial, p, dlbm)| (serial, p, Some(dlbm)))
        .chain(
            random
                .into_iter()
                .zip(1001u32..)
                .map(|(p, serial)| (serial, p, None)),
        );
    for (serial, patch, dlbm) in all {
        let dlbm = dlbm.unwrap_or_else(|| match rng.below(20) {
            0..=11 => "0101",
            12..=13 => "0102",
            _ => "0103",
        });
        let dlmc = match dlbm {
            "0101" => "水田",
            "0102" => "水浇地",
            _ => "旱地",
        };
        let world = frame.polygon(&patch);
        let tbmj = format!("{:.2}", world.unsigned_area());
        let center = patch.bounding_rect().map_or(c(0.0, 0.0), |r| r.center());
        let town = towns
            .iter()
            .position(|t| t.contains(&Point(center)))
            .unwrap_or(0);
        let t = &TOWNSHIPS[town];
        let cell =
            (center.x / 2_500.0).floor() as usize * 7 + (center.y / 2_500.0).floor() as usize * 13;
        let village = t.villages[cell % t.villages.len()];
        let bsm = format!("330109{serial:08}");
        let values = [bsm.as_str(), dlbm, dlmc, tbmj.as_str(), t.code, village];
        layer.features.push((
            MultiPolygon(vec![world]),
            values.iter().map(|v| Some((*v).to_string())).collect(),
        ));
    }
    layer
}

/// Builds every layer of the sample review (EPSG:4549). Pure and deterministic.
pub fn build_sample() -> Sample {
    let frame = SAMPLE_FRAME;
    let towns = township_polygons(&mut sample_rng(1));
    let (zones, y09, y10) = zone_rows(&mut sample_rng(2));
    let originals = original_rows(y09, y10);
    let redline = redline_rows(&mut sample_rng(3));
    let water = water_rows(&mut sample_rng(4));
    let bluegreen = bluegreen_rows(&mut sample_rng(5));
    let keep_out: Vec<&MultiPolygon<f64>> = [&zones, &originals, &redline, &water, &bluegreen]
        .into_iter()
        .flat_map(|rows| rows.iter().map(|(g, _)| g))
        .collect();
    let farmland = farmland_layer(&frame, &towns, &keep_out);
    let township_rows: Rows = towns
        .iter()
        .zip(&TOWNSHIPS)
        .map(|(p, t)| (mp(p.clone()), vec![t.code, t.name, "杭州市", "萧山区"]))
        .collect();

    let layer = |file_name, fields: &[(&'static str, Col)], rows: &Rows| {
        let mut l = SampleLayer::new(file_name, fields);
        for (g, values) in rows {
            l.push(&frame, g, values);
        }
        l
    };
    let id_name = |third: &'static str| {
        [
            ("ID", Col::Text(20)),
            ("MC", Col::Text(60)),
            (third, Col::Text(30)),
        ]
    };
    let bsm_mc = [("BSM", Col::Text(20)), ("MC", Col::Text(60))];
    let mut original_fields = id_name("LEVEL").to_vec();
    original_fields.push(("STATUS", Col::Text(20)));
    Sample {
        layers: vec![
            layer("merged_zones.shp", &ZONE_FIELDS, &zones),
            layer("original_zones.shp", &original_fields, &originals),
            layer(
                "redline.shp",
                &[bsm_mc[0], bsm_mc[1], ("HXLX", Col::Text(30))],
                &redline,
            ),
            farmland,
            layer("water.geojson", &id_name("CLASS"), &water),
            layer("bluegreen.shp", &bsm_mc, &bluegreen),
            layer(
                "townships.shp",
                &[
                    ("XZQDM", Col::Text(12)),
                    ("XZQMC", Col::Text(30)),
                    ("CITY", Col::Text(20)),
                    ("COUNTY", Col::Text(20)),
                ],
                &township_rows,
            ),
            layer(
                "nature.shp",
                &[bsm_mc[0], bsm_mc[1], ("LX", Col::Text(20))],
                &nature_rows(),
            ),
            layer("new_industrial.shp", &bsm_mc, &new_industrial_rows()),
        ],
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use geo::{BooleanOps, Distance, Euclidean, Validation};

    const FILES: [&str; 9] = [
        "merged_zones.shp",
        "original_zones.shp",
        "redline.shp",
        "farmland.shp",
        "water.geojson",
        "bluegreen.shp",
        "townships.shp",
        "nature.shp",
        "new_industrial.shp",
    ];

    fn layer<'a>(s: &'a Sample, name: &str) -> &'a SampleLayer {
        s.layer(name).unwrap()
    }

    /// All polygons of the features whose `field` is `value`.
    fn select(l: &SampleLayer, field: &str, value: &str) -> MultiPolygon<f64> {
        let polys: Vec<Polygon<f64>> = (0..l.features.len())
            .filter(|&i| l.value(i, field) == Some(value))
            .flat_map(|i| l.features[i].0 .0.clone())
            .collect();
        assert!(!polys.is_empty(), "no {field} = {value} in {}", l.file_name);
        MultiPolygon(polys)
    }

    fn union_of(l: &SampleLayer) -> MultiPolygon<f64> {
        geo::unary_union(l.features.iter().flat_map(|(g, _)| g.0.iter()))
    }

    fn overlap_m2(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> f64 {
        a.intersection(b).unsigned_area()
    }

    fn close(actual: f64, expected: f64, what: &str) {
        assert!(
            (actual - expected).abs() < 1e-3,
            "{what}: {actual} m², expected {expected} m²"
        );
    }

    #[test]
    fn output_is_byte_identical_every_time() {
        let (one, two) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        write_sample_maps(one.path()).unwrap();
        write_sample_maps(two.path()).unwrap();
        let mut names: Vec<String> = std::fs::read_dir(one.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names.len(), 8 * 5 + 2, "{names:?}");
        for name in &names {
            let a = std::fs::read(one.path().join(name)).unwrap();
            let b = std::fs::read(two.path().join(name)).unwrap();
            assert!(a == b, "{name} differs between two runs");
        }
    }

    #[test]
    fn files_exist_are_small_and_the_review_loads() {
        let dir = tempfile::tempdir().unwrap();
        write_sample_maps(dir.path()).unwrap();
        let mut total = 0;
        for name in FILES {
            let path = dir.path().join(name);
            let exts: &[&str] = if name.ends_with(".shp") {
                &["shp", "shx", "dbf", "cpg", "prj"]
            } else {
                &["geojson"]
            };
            for ext in exts {
                let p = path.with_extension(ext);
                total += std::fs::metadata(&p)
                    .unwrap_or_else(|_| panic!("missing {}", p.display()))
                    .len();
            }
            if name.ends_with(".shp") {
                assert_eq!(
                    std::fs::read_to_string(path.with_extension("cpg")).unwrap(),
                    "GBK"
                );
                assert_eq!(
                    std::fs::read_to_string(path.with_extension("prj")).unwrap(),
                    PRJ_CGCS2000_GK_CM_120E
                );
            }
        }
        assert!(total < 5_000_000, "sample is {total} bytes");
        let review = zonecheck::io::review::Review::load(&dir.path().join("review.toml")).unwrap();
        assert_eq!(review.file.crs.as_deref(), Some("EPSG:4549"));
        assert_eq!(review.layer_paths().len(), 9);
        assert_eq!(review.file.rules.contiguity_distance_m, 50.0);
    }

    #[test]
    fn prj_is_epsg_4549_to_proj() {
        let crs = CrsDef::parse(PRJ_CGCS2000_GK_CM_120E).unwrap();
        assert_eq!(crs.kind, zonecheck::crs::CrsKind::Projected);
        assert_eq!(crs.unit, "metre");
        let r = Reprojector::new(&crs, &CrsDef::epsg(4549).unwrap()).unwrap();
        let p = r.point(c(512_345.0, 3_345_678.0));
        assert!(
            (p.x - 512_345.0).abs() < 1e-6 && (p.y - 3_345_678.0).abs() < 1e-6,
            "{p:?}"
        );
    }

    #[test]
    fn shapefiles_read_back_as_built() {
        let dir = tempfile::tempdir().unwrap();
        write_sample_maps(dir.path()).unwrap();
        let sample = build_sample();
        for l in sample
            .layers
            .iter()
            .filter(|l| l.file_name.ends_with(".shp"))
        {
            let raw = zonecheck::io::shp::read_shapefile(&dir.path().join(l.file_name)).unwrap();
            assert_eq!(raw.fields, l.field_names(), "{}", l.file_name);
            assert_eq!(raw.records.len(), l.features.len(), "{}", l.file_name);
            for (rec, (geom, values)) in raw.records.iter().zip(&l.features) {
                assert_eq!(&rec.attrs, values, "{} record {}", l.file_name, rec.index);
                let n_in: usize = geom.0.iter().map(|p| 1 + p.interiors().len()).sum();
                assert_eq!(
                    rec.shape.rings().count(),
                    n_in,
                    "{} record {}",
                    l.file_name,
                    rec.index
                );
            }
        }
    }

    #[test]
    fn water_geojson_comes_back_within_a_millimetre() {
        let dir = tempfile::tempdir().unwrap();
        write_sample_maps(dir.path()).unwrap();
        let raw =
            zonecheck::io::geojson_in::read_geojson(&dir.path().join("water.geojson")).unwrap();
        let from = CrsDef::parse(
            raw.crs
                .as_deref()
                .unwrap_or(zonecheck::io::geojson_in::RFC7946_CRS),
        )
        .unwrap();
        let r = Reprojector::new(&from, &CrsDef::epsg(4549).unwrap()).unwrap();
        let sample = build_sample();
        let water = layer(&sample, "water.geojson");
        assert_eq!(raw.records.len(), 3);
        for (rec, (geom, values)) in raw.records.iter().zip(&water.features) {
            assert_eq!(&rec.attrs, values);
            let built: Vec<&LineString<f64>> = geom
                .0
                .iter()
                .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
                .collect();
            let read: Vec<&Vec<Coord<f64>>> = rec.shape.rings().collect();
            assert_eq!(built.len(), read.len());
            for (b, ring) in built.iter().zip(read) {
                let mut pts = ring.clone();
                assert!(pts
                    .iter()
                    .all(|p| (120.0..121.0).contains(&p.x) && (30.0..31.0).contains(&p.y)));
                r.transform(&mut pts);
                assert_eq!(b.0.len(), pts.len());
                for (p, q) in b.0.iter().zip(&pts) {
                    assert!(
                        (p.x - q.x).abs() < 1e-3 && (p.y - q.y).abs() < 1e-3,
                        "{p:?} came back as {q:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_polygon_is_valid_and_inside_the_area() {
        let sample = build_sample();
        let (x0, y0) = (500_000.0, 3_330_000.0);
        for l in &sample.layers {
            for (i, (g, _)) in l.features.iter().enumerate() {
                for p in &g.0 {
                    assert!(
                        p.is_valid(),
                        "{} feature {i}: {:?}",
                        l.file_name,
                        p.validation_errors()
                    );
                }
                assert!(g.is_valid(), "{} feature {i} (parts overlap)", l.file_name);
                let r = g.bounding_rect().unwrap();
                assert!(
                    r.min().x >= x0
                        && r.min().y >= y0
                        && r.max().x <= x0 + SAMPLE_SIZE_M
                        && r.max().y <= y0 + SAMPLE_SIZE_M,
                    "{} feature {i} leaves the area: {r:?}",
                    l.file_name
                );
            }
        }
    }

    #[test]
    fn conflicts_are_exactly_as_designed() {
        let s = build_sample();
        let zones = layer(&s, "merged_zones.shp");
        let red = union_of(layer(&s, "redline.shp"));
        let farm = union_of(layer(&s, "farmland.shp"));
        let green = union_of(layer(&s, "bluegreen.shp"));
        let nature = union_of(layer(&s, "nature.shp"));
        let water = layer(&s, "water.geojson");
        let class = |name: &str| select(water, "CLASS", name);
        // zone: red line, farmland, 一级, 二级, 准, 蓝绿空间 (a control line), 自然保护地
        let expected = [
            ("M001", [30_000.0, 15_000.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
            ("M002", [0.0, 0.5, 0.0, 10_000.0, 40_000.0, 0.0, 0.0]),
            ("M003", [0.0, 0.0, 0.0, 0.0, 0.0, 30_000.0, 20_000.0]),
            ("M004", [0.0; 7]),
        ];
        for (id, want) in expected {
            let z = select(zones, "ID", id);
            let got = [
                overlap_m2(&z, &red),
                overlap_m2(&z, &farm),
                overlap_m2(&z, &class("一级保护区")),
                overlap_m2(&z, &class("二级保护区")),
                overlap_m2(&z, &class("准保护区")),
                overlap_m2(&z, &green),
                overlap_m2(&z, &nature),
            ];
            for (k, (g, w)) in got.iter().zip(want).enumerate() {
                close(*g, w, &format!("{id} × layer {k}"));
            }
        }
        // M001's farmland: two patches of 10 000 m² each overlapping by 5 000 m².
        let farmland = layer(&s, "farmland.shp");
        let m001 = select(zones, "ID", "M001");
        let hit: Vec<usize> = (0..farmland.features.len())
            .filter(|&i| overlap_m2(&m001, &farmland.features[i].0) > 0.0)
            .collect();
        assert_eq!(hit, vec![0, 1]);
        let tbmj: f64 = hit
            .iter()
            .map(|&i| farmland.value(i, "TBMJ").unwrap().parse::<f64>().unwrap())
            .sum();
        close(tbmj, 20_000.0, "TBMJ of the pair");
    }

    #[test]
    fn new_industrial_land_outside_the_zones_is_one_plot() {
        // NI01 and NI02's first plot lie inside M004; NI02's second plot (200 m × 100 m) lies
        // outside every zone: 20 000 m² outside in all.
        let s = build_sample();
        let zones = union_of(layer(&s, "merged_zones.shp"));
        let land = layer(&s, "new_industrial.shp");
        let outside: Vec<f64> = land
            .features
            .iter()
            .map(|(g, _)| g.unsigned_area() - overlap_m2(g, &zones))
            .collect();
        close(outside[0], 0.0, "NI01 outside the zones");
        close(outside[1], 20_000.0, "NI02 outside the zones");
    }

    #[test]
    fn only_m001_and_m002_overlap() {
        let s = build_sample();
        let zones = layer(&s, "merged_zones.shp");
        let ids = ["M001", "M002", "M003", "M004"];
        for (i, a) in ids.iter().enumerate() {
            for b in &ids[i + 1..] {
                let want = if (*a, *b) == ("M001", "M002") {
                    15_000.0
                } else {
                    0.0
                };
                close(
                    overlap_m2(&select(zones, "ID", a), &select(zones, "ID", b)),
                    want,
                    &format!("{a} ∩ {b}"),
                );
            }
        }
    }

    #[test]
    fn m001_parts_clusters_fragment_and_enclave() {
        let s = build_sample();
        let zones = layer(&s, "merged_zones.shp");
        assert_eq!(zones.value(2, "ENCLAVE"), Some("是"));
        assert!(
            (0..zones.features.len())
                .filter(|&i| zones.value(i, "ENCLAVE").is_some())
                .count()
                == 1
        );
        let a = &zones.features[0].0 .0[0];
        let fragment = &zones.features[0].0 .0[1];
        let b = &zones.features[1].0 .0[0];
        let enclave = &zones.features[2].0 .0[0];
        close(fragment.unsigned_area(), 8_000.0, "fragment");
        assert!(
            a.unsigned_area() > 4.0e6
                && b.unsigned_area() > 1.0e6
                && enclave.unsigned_area() > 0.5e6
        );
        assert!((Euclidean.distance(fragment, a) - 30.0).abs() < 1e-9);
        assert!(
            (Euclidean.distance(a, b) - 800.0).abs() < 1e-9,
            "{}",
            Euclidean.distance(a, b)
        );
        assert!(Euclidean.distance(fragment, b) > 800.0);
        for p in [a, fragment, b] {
            assert!(Euclidean.distance(enclave, p) > 10_000.0);
        }
    }

    #[test]
    fn expansion_only_m002_by_the_block() {
        let s = build_sample();
        let zones = layer(&s, "merged_zones.shp");
        let originals = layer(&s, "original_zones.shp");
        for (id, want) in [
            ("M001", 0.0),
            ("M002", 60_000.0),
            ("M003", 0.0),
            ("M004", 0.0),
        ] {
            let i = (0..zones.features.len())
                .find(|&i| zones.value(i, "ID") == Some(id))
                .unwrap();
            let members: Vec<MultiPolygon<f64>> = zones
                .value(i, "MEMBERS")
                .unwrap()
                .split(',')
                .map(|m| select(originals, "ID", m))
                .collect();
            let union = geo::unary_union(members.iter().flat_map(|m| m.0.iter()));
            let outside = select(zones, "ID", id).difference(&union).unsigned_area();
            close(outside, want, &format!("{id} outside its members"));
        }
        // M004 is exactly Y09 ∪ Y10.
        let m004 = select(zones, "ID", "M004");
        let members = select(originals, "ID", "Y09").union(&select(originals, "ID", "Y10"));
        close(
            members.difference(&m004).unsigned_area(),
            0.0,
            "Y09 ∪ Y10 outside M004",
        );
        close(
            select(originals, "ID", "Y09").unsigned_area()
                + select(originals, "ID", "Y10").unsigned_area(),
            m004.unsigned_area(),
            "Y09 + Y10",
        );
    }

    #[test]
    fn passing_zone_only_touches() {
        let s = build_sample();
        let m004 = select(layer(&s, "merged_zones.shp"), "ID", "M004");
        let r04 = select(layer(&s, "redline.shp"), "BSM", "330109HX0004");
        let corner = select(layer(&s, "farmland.shp"), "BSM", "33010900000004");
        for (what, other) in [("red line R04", &r04), ("farmland patch 4", &corner)] {
            assert_eq!(Euclidean.distance(&m004.0[0], &other.0[0]), 0.0, "{what}");
            assert!(m004.intersects(other), "{what}");
            assert_eq!(overlap_m2(&m004, other), 0.0, "{what}");
        }
        // The red line shares the 1 km edge x = 526 000, N 3 349 500–3 350 500 with M004.
        let on_edge = |p: &Polygon<f64>| {
            let ring = &p.exterior().0;
            ring[..ring.len() - 1]
                .iter()
                .filter(|q| q.x == 526_000.0 && (3_349_500.0..=3_350_500.0).contains(&q.y))
                .count()
        };
        assert_eq!(on_edge(&m004.0[0]), 2);
        assert_eq!(on_edge(&r04.0[0]), 2);
        assert!(corner.0[0]
            .exterior()
            .0
            .contains(&c(526_000.0, 3_351_200.0)));
        assert!(m004.0[0].exterior().0.contains(&c(526_000.0, 3_351_200.0)));
    }

    #[test]
    fn townships_tile_the_area_and_only_hoshang_is_mostly_protected() {
        let s = build_sample();
        let towns = layer(&s, "townships.shp");
        let total: f64 = towns.features.iter().map(|(g, _)| g.unsigned_area()).sum();
        close(
            total,
            SAMPLE_SIZE_M * SAMPLE_SIZE_M,
            "sum of township areas",
        );
        close(
            union_of(towns).unsigned_area(),
            SAMPLE_SIZE_M * SAMPLE_SIZE_M,
            "union of townships",
        );
        for i in 0..towns.features.len() {
            for j in i + 1..towns.features.len() {
                close(
                    overlap_m2(&towns.features[i].0, &towns.features[j].0),
                    0.0,
                    "townships overlap",
                );
            }
        }
        // Upper bound of each township's protected share: the sum over protection features.
        let protection: Vec<&MultiPolygon<f64>> =
            ["redline.shp", "farmland.shp", "water.geojson", "nature.shp"]
                .iter()
                .flat_map(|n| layer(&s, n).features.iter().map(|(g, _)| g))
                .collect();
        let red = union_of(layer(&s, "redline.shp"));
        let zones = layer(&s, "merged_zones.shp");
        for (i, (t, _)) in towns.features.iter().enumerate() {
            let area = t.unsigned_area();
            let tb = t.bounding_rect().unwrap();
            let upper: f64 = protection
                .iter()
                .filter(|g| g.bounding_rect().is_some_and(|r| r.intersects(&tb)))
                .map(|g| overlap_m2(t, g))
                .sum();
            let red_share = overlap_m2(t, &red) / area;
            let name = towns.value(i, "XZQMC").unwrap();
            let in_town: Vec<&str> = ["M001", "M002", "M003", "M004"]
                .into_iter()
                .filter(|id| overlap_m2(t, &select(zones, "ID", id)) > 1.0)
                .collect();
            eprintln!("{name}: area {area:.0} m², red line {red_share:.4}, all protection ≤ {:.4}, zones {in_town:?}", upper / area);
            if name == "河上镇" {
                assert!(red_share > 0.6, "{name} red-line share {red_share}");
                assert_eq!(in_town, vec!["M003"]);
            } else {
                assert!(
                    upper / area < 0.3,
                    "{name} protected share up to {}",
                    upper / area
                );
            }
        }
    }

    /// The protected share of each township as sample_maps/README.md lists it (to 0.1 %): the
    /// union of red line, farmland, water and 自然保护地 (蓝绿空间 is a control line) in the
    /// township over its area.
    #[test]
    fn township_protected_shares_are_as_the_readme_lists() {
        let s = build_sample();
        let towns = layer(&s, "townships.shp");
        let parts: Vec<MultiPolygon<f64>> =
            ["redline.shp", "farmland.shp", "water.geojson", "nature.shp"]
                .iter()
                .map(|n| union_of(layer(&s, n)))
                .collect();
        let protected = geo::unary_union(parts.iter().flat_map(|g| g.0.iter()));
        let want = [
            ("北干街道", 0.068),
            ("宁围街道", 0.103),
            ("瓜沥镇", 0.088),
            ("义桥镇", 0.077),
            ("河上镇", 0.727),
            ("进化镇", 0.113),
        ];
        let mut bad = Vec::new();
        for (i, (name, share)) in want.iter().enumerate() {
            let (t, _) = &towns.features[i];
            assert_eq!(towns.value(i, "XZQMC"), Some(*name));
            let got = overlap_m2(t, &protected) / t.unsigned_area();
            eprintln!("{name}: {got:.4}");
            bad.extend(
                ((got - share).abs() >= 0.0005)
                    .then(|| format!("{name}: {got:.4}, README {share}")),
            );
        }
        assert!(bad.is_empty(), "{bad:?}");
    }

    #[test]
    fn farmland_patches_do_not_overlap_but_one_pair() {
        let s = build_sample();
        let farm = layer(&s, "farmland.shp");
        let n = farm.features.len();
        assert_eq!(n, 3130, "update sample_maps/README.md when this changes");
        let boxes: Vec<Rect<f64>> = farm
            .features
            .iter()
            .map(|(g, _)| g.bounding_rect().unwrap())
            .collect();
        let mut overlapping = Vec::new();
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&i, &j| boxes[i].min().x.total_cmp(&boxes[j].min().x));
        for (k, &i) in order.iter().enumerate() {
            for &j in &order[k + 1..] {
                if boxes[j].min().x > boxes[i].max().x {
                    break;
                }
                if boxes[i].intersects(&boxes[j])
                    && overlap_m2(&farm.features[i].0, &farm.features[j].0) > 0.0
                {
                    overlapping.push((i.min(j), i.max(j)));
                }
            }
        }
        assert_eq!(overlapping, vec![(0, 1)]);
        close(
            overlap_m2(&farm.features[0].0, &farm.features[1].0),
            5_000.0,
            "the pair",
        );
        let mut bsm: Vec<&str> = (0..n).map(|i| farm.value(i, "BSM").unwrap()).collect();
        bsm.sort();
        bsm.dedup();
        assert_eq!(bsm.len(), n);
        let codes: Vec<&str> = TOWNSHIPS.iter().map(|t| t.code).collect();
        for i in 0..n {
            let g = &farm.features[i].0;
            let tbmj: f64 = farm.value(i, "TBMJ").unwrap().parse().unwrap();
            assert!((tbmj - g.unsigned_area()).abs() <= 0.005);
            assert!(codes.contains(&farm.value(i, "XZQDM").unwrap()));
            let pair = (
                farm.value(i, "DLBM").unwrap(),
                farm.value(i, "DLMC").unwrap(),
            );
            assert!(
                [("0101", "水田"), ("0102", "水浇地"), ("0103", "旱地")].contains(&pair),
                "{pair:?}"
            );
            if i >= 4 {
                let vertices = g.0[0].exterior().0.len() - 1;
                assert!(
                    (5..=30).contains(&vertices),
                    "patch {i}: {vertices} vertices"
                );
                assert!((2_000.0..=30_000.0).contains(&tbmj), "patch {i}: {tbmj} m²");
            }
        }
    }

    #[test]
    fn red_line_shapes_holes_island_and_shared_edge() {
        let s = build_sample();
        let red = layer(&s, "redline.shp");
        let west = &red.features[1].0;
        let east = &red.features[2].0;
        assert_eq!(west.0[0].interiors().len(), 2);
        assert_eq!(east.0.len(), 2, "outer polygon and island");
        let hole = Polygon::new(east.0[0].interiors()[0].clone(), vec![]);
        assert!(hole.contains(&east.0[1]), "the island lies in the hole");
        assert_eq!(overlap_m2(west, east), 0.0);
        assert_eq!(Euclidean.distance(&west.0[0], &east.0[0]), 0.0);
        let shared = west.0[0]
            .exterior()
            .0
            .iter()
            .filter(|p| east.0[0].exterior().0.contains(p))
            .count();
        assert!(shared >= 20, "{shared} shared vertices");
        for i in 0..red.features.len() {
            for j in i + 1..red.features.len() {
                assert_eq!(
                    overlap_m2(&red.features[i].0, &red.features[j].0),
                    0.0,
                    "red lines {i} and {j}"
                );
            }
        }
    }

    #[test]
    fn water_classes_are_nested_rings() {
        let s = build_sample();
        let water = layer(&s, "water.geojson");
        let areas: Vec<f64> = water
            .features
            .iter()
            .map(|(g, _)| g.unsigned_area())
            .collect();
        for i in 0..3 {
            for j in i + 1..3 {
                close(
                    overlap_m2(&water.features[i].0, &water.features[j].0),
                    0.0,
                    "water classes overlap",
                );
            }
        }
        let outer = Polygon::new(water.features[2].0 .0[0].exterior().clone(), vec![]);
        close(
            union_of(water).unsigned_area(),
            outer.unsigned_area(),
            "rings fill the 准 outline",
        );
        close(
            areas.iter().sum::<f64>(),
            outer.unsigned_area(),
            "sum of rings",
        );
    }

    #[test]
    fn original_zones_do_not_overlap() {
        let s = build_sample();
        let o = layer(&s, "original_zones.shp");
        for i in 0..o.features.len() {
            for j in i + 1..o.features.len() {
                assert_eq!(
                    overlap_m2(&o.features[i].0, &o.features[j].0),
                    0.0,
                    "originals {i} and {j}"
                );
            }
        }
    }

    #[test]
    fn plan_attributes_produce_the_plan_findings() {
        let s = build_sample();
        let zones = layer(&s, "merged_zones.shp");
        let originals = layer(&s, "original_zones.shp");
        let mut ids: Vec<&str> = (0..zones.features.len())
            .map(|i| zones.value(i, "ID").unwrap())
            .collect();
        ids.dedup();
        assert_eq!(ids, vec!["M001", "M002", "M003", "M004", "M005"]);
        let first = |id: &str| {
            (0..zones.features.len())
                .find(|&i| zones.value(i, "ID") == Some(id))
                .unwrap()
        };
        let members_of = |id: &str| -> Vec<String> {
            zones
                .value(first(id), "MEMBERS")
                .unwrap()
                .split(',')
                .map(str::to_string)
                .collect()
        };
        let listed = |y: &str| {
            ids.iter()
                .filter(|id| members_of(id).iter().any(|m| m == y))
                .count()
        };
        for i in 0..originals.features.len() {
            let y = originals.value(i, "ID").unwrap();
            let status = originals.value(i, "STATUS").unwrap();
            let want = match y {
                "Y05" => 2,
                "Y11" | "Y12" => 0,
                _ => 1,
            };
            assert_eq!(listed(y), want, "{y}");
            let want_status = match y {
                "Y12" | "Y13" => "淘汰撤销",
                _ => "整合优化",
            };
            assert_eq!(status, want_status, "{y}");
        }
        let counties: Vec<&str> = ids
            .iter()
            .map(|id| zones.value(first(id), "COUNTY").unwrap())
            .collect();
        assert_eq!(
            counties,
            vec!["萧山区", "萧山区", "市本级", "萧山区", "萧山区"]
        );
        let industries = |id: &str| {
            zones
                .value(first(id), "INDUSTRIES")
                .unwrap()
                .split('、')
                .count()
        };
        assert_eq!(
            [
                industries("M001"),
                industries("M002"),
                industries("M003"),
                industries("M004"),
                industries("M005")
            ],
            [3, 3, 5, 2, 1]
        );
        // Known levels only (Y08's 镇级工业功能区 is deliberately unknown; M005's Y14 is in no
        // layer).
        let rank = |level: &str| {
            ["国家级", "省级", "市级", "县级"]
                .iter()
                .position(|p| level.starts_with(p))
        };
        for id in &ids {
            let best = members_of(id)
                .iter()
                .filter_map(|m| {
                    let i = (0..originals.features.len())
                        .find(|&i| originals.value(i, "ID") == Some(m))?;
                    rank(originals.value(i, "LEVEL").unwrap())
                })
                .min()
                .unwrap();
            let own = rank(zones.value(first(id), "LEVEL").unwrap()).unwrap();
            assert_eq!(
                own > best,
                *id == "M002",
                "{id}: level rank {own}, best member {best}"
            );
        }
    }
}
