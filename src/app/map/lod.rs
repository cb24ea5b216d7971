//! Level of detail: at a zoom, which features are drawn as triangle meshes and which are
//! aggregated into coverage tiles; simplified per-feature meshes in f32 coordinates relative to
//! a layer origin; rasterising small features into a tile.
//!
//! Levels are powers of two: at level `k` one tile cell is `2^k` m, chosen so that a cell is
//! between half a point and one point on screen. Features smaller than [`AGGREGATE_CELLS`]
//! cells are aggregated into tiles of `TILE_CELLS × TILE_CELLS` cells; bigger ones are drawn as
//! meshes simplified to half a cell, each stored in f32 relative to its own bounding-box corner
//! (so f32 keeps millimetres whatever the coordinates).

use crate::model::Geom;
use egui::Color32;
use geo::{Area, BoundingRect, TriangulateEarcut};

/// Finest and coarsest levels (1/16 m … 1024 km per cell).
pub const LEVEL_MIN: i32 = -4;
pub const LEVEL_MAX: i32 = 20;
/// Size classes beyond the levels, so every class compares with every level.
pub const CLASS_MIN: i32 = LEVEL_MIN - 4;
pub const CLASS_MAX: i32 = LEVEL_MAX + 4;
/// Cells per tile side.
pub const TILE_CELLS: usize = 256;
/// Features under `2^AGGREGATE_LOG2` cells (8 cells, i.e. 4 to 8 points) are aggregated.
pub const AGGREGATE_LOG2: i32 = 3;

/// The level for a zoom: the largest `k` with `2^k` m ≤ one point.
pub fn level_for(points_per_m: f64) -> i32 {
    if !(points_per_m.is_finite() && points_per_m > 0.0) {
        return LEVEL_MAX;
    }
    let m_per_pt = 1.0 / points_per_m;
    (m_per_pt.log2().floor() as i32).clamp(LEVEL_MIN, LEVEL_MAX)
}

/// Side of one cell at `level`, in metres.
pub fn cell_m(level: i32) -> f64 {
    2f64.powi(level)
}

/// Side of one tile at `level`, in metres.
pub fn tile_m(level: i32) -> f64 {
    cell_m(level) * TILE_CELLS as f64
}

/// Size class of a feature from its largest bounding-box side: `floor(log2(size_m))`.
pub fn size_class(size_m: f64) -> i32 {
    if !(size_m.is_finite() && size_m > 0.0) {
        return CLASS_MIN;
    }
    (size_m.log2().floor() as i32).clamp(CLASS_MIN, CLASS_MAX)
}

/// True when features of `class` are aggregated into tiles at `level` (all of them are under
/// `2^AGGREGATE_LOG2` cells); false when they are drawn as meshes (all at least that).
pub fn aggregated(class: i32, level: i32) -> bool {
    class < level + AGGREGATE_LOG2
}

/// Mesh level used at a view level: full detail up to 1 m per point, then one per level.
pub fn mesh_level(level: i32) -> i32 {
    level.max(0)
}

/// Simplification tolerance of a mesh level (half a cell; none at level 0).
pub fn tolerance_m(mesh_level: i32) -> f64 {
    if mesh_level <= 0 {
        0.0
    } else {
        0.5 * cell_m(mesh_level)
    }
}

/// A tile of the aggregate raster: level and column/row of tiles from the map origin.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileKey {
    pub level: i32,
    pub x: i64,
    pub y: i64,
}

impl TileKey {
    /// The map rectangle of this tile.
    pub fn rect(&self) -> geo::Rect<f64> {
        let t = tile_m(self.level);
        geo::Rect::new(
            geo::Coord {
                x: self.x as f64 * t,
                y: self.y as f64 * t,
            },
            geo::Coord {
                x: (self.x + 1) as f64 * t,
                y: (self.y + 1) as f64 * t,
            },
        )
    }

    /// Tiles of `level` covering `rect` (empty when more than `max` would be needed).
    pub fn covering(level: i32, rect: geo::Rect<f64>, max: usize) -> Vec<TileKey> {
        let t = tile_m(level);
        let x0 = (rect.min().x / t).floor() as i64;
        let x1 = (rect.max().x / t).floor() as i64;
        let y0 = (rect.min().y / t).floor() as i64;
        let y1 = (rect.max().y / t).floor() as i64;
        let n = (x1 - x0 + 1).max(0) as u128 * (y1 - y0 + 1).max(0) as u128;
        if n > max as u128 {
            return Vec::new();
        }
        let mut out = Vec::with_capacity(n as usize);
        for y in y0..=y1 {
            for x in x0..=x1 {
                out.push(TileKey { level, x, y });
            }
        }
        out
    }

    /// The tile one level up that contains this one, and where this one sits in it (uv rect).
    pub fn parent(&self) -> Option<(TileKey, egui::Rect)> {
        if self.level >= LEVEL_MAX {
            return None;
        }
        let p = TileKey {
            level: self.level + 1,
            x: self.x.div_euclid(2),
            y: self.y.div_euclid(2),
        };
        let u0 = self.x.rem_euclid(2) as f32 * 0.5;
        // Image rows run from the top (north) down.
        let v0 = (1 - self.y.rem_euclid(2)) as f32 * 0.5;
        Some((
            p,
            egui::Rect::from_min_size(egui::pos2(u0, v0), egui::vec2(0.5, 0.5)),
        ))
    }
}

/// Which of the four points (xs[c], ys[r]) (index 2·r + c) lie inside `poly`: crossing numbers
/// (not geo's `intersects`, which works out the polygon's box again for every point), the
/// exterior's parity without any hole's, each ring read once for all four. A point on a
/// boundary may go either way, which no one sees at a cell's size.
fn samples_inside_polygon(poly: &geo::Polygon<f64>, xs: [f64; 2], ys: [f64; 2]) -> [bool; 4] {
    let ring_parity = |ring: &[geo::Coord<f64>]| -> [bool; 4] {
        let mut inside = [false; 4];
        for w in ring.windows(2) {
            let (a, b) = (w[0], w[1]);
            for (r, &y) in ys.iter().enumerate() {
                if (a.y > y) != (b.y > y) {
                    let x_at = a.x + (y - a.y) * (b.x - a.x) / (b.y - a.y);
                    for (c, &x) in xs.iter().enumerate() {
                        if x < x_at {
                            inside[2 * r + c] = !inside[2 * r + c];
                        }
                    }
                }
            }
        }
        inside
    };
    let mut inside = ring_parity(&poly.exterior().0);
    for hole in poly.interiors() {
        if !inside.iter().any(|&i| i) {
            break;
        }
        let h = ring_parity(&hole.0);
        for (i, h) in inside.iter_mut().zip(h) {
            *i &= !h;
        }
    }
    inside
}

/// Rasterises features into a tile: each cell gets the share of its 2×2 samples inside a
/// feature, coloured by the features' fills; a feature that hits no sample (smaller than a
/// cell) adds its area to the cell of its centre instead, so nothing small disappears. `None`
/// when the tile stays empty.
///
/// With `presence` (overlays whose every feature must stay visible, e.g. conflicts) a cell any
/// feature touches gets the full fill colour, and so do its eight neighbours: each small feature
/// shows as a dot of at least 3 × 3 cells.
pub fn rasterize_tile<'a>(
    key: TileKey,
    features: impl IntoIterator<Item = (&'a Geom, Color32)>,
    presence: bool,
) -> Option<egui::ColorImage> {
    let n = TILE_CELLS;
    let cell = cell_m(key.level);
    let tile = key.rect();
    let (ox, oy) = (tile.min().x, tile.min().y);
    // Per cell: coverage weight, then r, g, b, a weighted by coverage.
    let mut acc = vec![[0f32; 5]; n * n];
    let mut any = false;
    let mut add = |cx: usize, cy: usize, w: f32, c: Color32| {
        let [r, g, b, a] = c.to_srgba_unmultiplied();
        let slot = &mut acc[cy * n + cx];
        slot[0] += w;
        slot[1] += w * f32::from(r);
        slot[2] += w * f32::from(g);
        slot[3] += w * f32::from(b);
        slot[4] += w * f32::from(a);
    };
    let to_cell = |v: f64, o: f64| ((v - o) / cell).floor();
    for (geom, color) in features {
        let Some(bb) = geom.bounding_rect() else {
            continue;
        };
        let cx0 = to_cell(bb.min().x, ox).max(0.0);
        let cy0 = to_cell(bb.min().y, oy).max(0.0);
        let cx1 = to_cell(bb.max().x, ox).min(n as f64 - 1.0);
        let cy1 = to_cell(bb.max().y, oy).min(n as f64 - 1.0);
        let mut hit = false;
        if cx0 <= cx1 && cy0 <= cy1 {
            for cy in cy0 as usize..=cy1 as usize {
                for cx in cx0 as usize..=cx1 as usize {
                    // Four samples at the cell's quarter points, all four in one pass over the
                    // edges.
                    let xs = [
                        ox + (cx as f64 + 0.25) * cell,
                        ox + (cx as f64 + 0.75) * cell,
                    ];
                    let ys = [
                        oy + (cy as f64 + 0.25) * cell,
                        oy + (cy as f64 + 0.75) * cell,
                    ];
                    let mut hits = [false; 4];
                    for poly in &geom.0 {
                        let h = samples_inside_polygon(poly, xs, ys);
                        for (hit, h) in hits.iter_mut().zip(h) {
                            *hit |= h;
                        }
                    }
                    let inside = hits.iter().filter(|&&h| h).count() as u8;
                    if inside > 0 {
                        add(cx, cy, f32::from(inside) / 4.0, color);
                        hit = true;
                    }
                }
            }
        }
        if !hit {
            let c = bb.center();
            let (cx, cy) = (to_cell(c.x, ox), to_cell(c.y, oy));
            if (0.0..n as f64).contains(&cx) && (0.0..n as f64).contains(&cy) {
                let w = (geom.unsigned_area() / (cell * cell)).min(1.0) as f32;
                if w > 0.0 {
                    add(cx as usize, cy as usize, w, color);
                    hit = true;
                }
            }
        }
        any |= hit;
    }
    if !any {
        return None;
    }
    let mut pixels = vec![Color32::TRANSPARENT; n * n];
    for cy in 0..n {
        for cx in 0..n {
            let [w, r, g, b, a] = acc[cy * n + cx];
            if w <= 0.0 {
                continue;
            }
            let alpha = if presence {
                a / w
            } else {
                (a / w) * w.min(1.0)
            };
            pixels[(n - 1 - cy) * n + cx] = Color32::from_rgba_unmultiplied(
                (r / w).round() as u8,
                (g / w).round() as u8,
                (b / w).round() as u8,
                alpha.round().clamp(0.0, 255.0) as u8,
            );
        }
    }
    if presence {
        let covered = pixels.clone();
        for y in 0..n {
            for x in 0..n {
                if covered[y * n + x] != Color32::TRANSPARENT {
                    continue;
                }
                let near = (y.saturating_sub(1)..=(y + 1).min(n - 1))
                    .flat_map(|ny| {
                        (x.saturating_sub(1)..=(x + 1).min(n - 1)).map(move |nx| (nx, ny))
                    })
                    .map(|(nx, ny)| covered[ny * n + nx])
                    .find(|c| *c != Color32::TRANSPARENT);
                if let Some(c) = near {
                    pixels[y * n + x] = c;
                }
            }
        }
    }
    Some(egui::ColorImage::new([n, n], pixels))
}

/// Triangles and ring outlines of one feature at one mesh level, f32 relative to an origin
/// (the feature's bounding-box corner).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FeatureMesh {
    pub vertices: Vec<[f32; 2]>,
    /// Three indices into `vertices` per triangle.
    pub indices: Vec<u32>,
    /// Vertex count of each ring, in order: the rings are consecutive runs of `vertices`.
    pub rings: Vec<u32>,
}

impl FeatureMesh {
    /// Simplifies (tolerance `tolerance_m`, 0 for none) and triangulates every polygon of
    /// `geom`, holes left empty. Where earcut fails (it can panic on a degenerate ring, e.g. one
    /// simplification folded) the unsimplified polygon is tried, then only its outline is kept.
    pub fn build(geom: &Geom, origin: [f64; 2], tolerance_m: f64) -> FeatureMesh {
        let mut out = FeatureMesh::default();
        for original in &geom.0 {
            let simplified = (tolerance_m > 0.0)
                .then(|| crate::spatial::simplify::simplify_polygon(original, tolerance_m))
                .filter(|p| p.exterior().0.len() >= 4);
            let triangulate =
                |p: &geo::Polygon<f64>| crate::spatial::guard::catch(|| p.earcut_triangles_raw());
            let (poly, triangles) = match simplified
                .as_ref()
                .and_then(|p| Some((p, triangulate(p)?.triangle_indices)))
            {
                Some(done) => done,
                None => (
                    original,
                    triangulate(original)
                        .map(|r| r.triangle_indices)
                        .unwrap_or_default(),
                ),
            };
            let Ok(base) = u32::try_from(out.vertices.len()) else {
                break;
            };
            // Ring by ring without the closing point: the vertex order earcut indexes.
            for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                let Some(open) = ring.0.split_last().map(|(_, open)| open) else {
                    continue;
                };
                out.rings.push(open.len() as u32);
                out.vertices.extend(
                    open.iter()
                        .map(|c| [(c.x - origin[0]) as f32, (c.y - origin[1]) as f32]),
                );
            }
            let n = out.vertices.len() - base as usize;
            for t in triangles.chunks_exact(3) {
                if let [Ok(a), Ok(b), Ok(c)] = [t[0], t[1], t[2]].map(|i| {
                    u32::try_from(i)
                        .ok()
                        .filter(|&i| (i as usize) < n)
                        .ok_or(())
                }) {
                    out.indices.extend([base + a, base + b, base + c]);
                }
            }
        }
        out
    }
}

/// Where one feature's mesh sits in a [`MeshArena`]: a chunk and ranges in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot {
    pub chunk: u32,
    pub vertex: u32,
    pub vertices: u32,
    pub index: u32,
    pub indices: u32,
    pub ring: u32,
    pub rings: u32,
}

/// Vertices per arena chunk: growing an arena never copies more than one chunk.
const CHUNK_VERTICES: usize = 1 << 16;

/// A run of meshes stored together.
#[derive(Debug, Default)]
pub struct Chunk {
    pub vertices: Vec<[f32; 2]>,
    pub indices: Vec<u32>,
    pub rings: Vec<u32>,
}

/// The meshes of many features of a layer at one mesh level, in fixed-size chunks of flat arrays
/// (no heap allocation per feature, and no large copy when it grows); indices are local to each
/// feature. `by_feature` maps a feature to its slot (or to "not built" / "being built"): 4 bytes
/// per feature, in pages of [`PAGE`] features allocated when first touched (a new level of a
/// 10⁶-feature layer costs nothing up front).
#[derive(Debug, Default)]
pub struct MeshArena {
    pub chunks: Vec<Chunk>,
    pub slots: Vec<Slot>,
    by_feature: Vec<Option<Box<[u32]>>>,
    features: usize,
}

const NOT_BUILT: u32 = u32::MAX;
const PENDING: u32 = u32::MAX - 1;
/// Features per page of `MeshArena::by_feature`.
const PAGE: usize = 4096;

impl MeshArena {
    /// An empty arena for a layer of `features` features.
    pub fn new(features: usize) -> MeshArena {
        MeshArena {
            by_feature: vec![None; features.div_ceil(PAGE)],
            features,
            ..MeshArena::default()
        }
    }

    fn entry(&self, id: u32) -> u32 {
        let id = id as usize;
        self.by_feature
            .get(id / PAGE)
            .and_then(|p| p.as_ref()?.get(id % PAGE).copied())
            .unwrap_or(NOT_BUILT)
    }

    fn entry_mut(&mut self, id: u32) -> Option<&mut u32> {
        let id = id as usize;
        if id >= self.features {
            return None;
        }
        let page = self.by_feature.get_mut(id / PAGE)?;
        page.get_or_insert_with(|| vec![NOT_BUILT; PAGE].into_boxed_slice())
            .get_mut(id % PAGE)
    }

    /// Stores the mesh of feature `id` (replacing an older one; its space is not reused).
    pub fn insert(&mut self, id: u32, mesh: &FeatureMesh) {
        let Ok(slot) = u32::try_from(self.slots.len()) else {
            return;
        };
        if slot >= PENDING || id as usize >= self.features {
            return;
        }
        let n = mesh.vertices.len();
        let fits = self
            .chunks
            .last()
            .is_some_and(|c| c.vertices.len() + n <= c.vertices.capacity());
        if !fits {
            self.chunks.push(Chunk {
                vertices: Vec::with_capacity(n.max(CHUNK_VERTICES)),
                indices: Vec::with_capacity(n.max(CHUNK_VERTICES) * 3),
                rings: Vec::new(),
            });
        }
        let chunk_no = self.chunks.len() - 1;
        let Some(chunk) = self.chunks.last_mut() else {
            return;
        };
        let (Ok(chunk_no), Ok(vertex), Ok(index), Ok(ring)) = (
            u32::try_from(chunk_no),
            u32::try_from(chunk.vertices.len()),
            u32::try_from(chunk.indices.len()),
            u32::try_from(chunk.rings.len()),
        ) else {
            return;
        };
        chunk.vertices.extend_from_slice(&mesh.vertices);
        chunk.indices.extend_from_slice(&mesh.indices);
        chunk.rings.extend_from_slice(&mesh.rings);
        self.slots.push(Slot {
            chunk: chunk_no,
            vertex,
            vertices: n as u32,
            index,
            indices: mesh.indices.len() as u32,
            ring,
            rings: mesh.rings.len() as u32,
        });
        if let Some(entry) = self.entry_mut(id) {
            *entry = slot;
        }
    }

    pub fn get(&self, id: u32) -> Option<Slot> {
        let k = self.entry(id);
        if k >= PENDING {
            return None;
        }
        self.slots.get(k as usize).copied()
    }

    /// Marks feature `id` as being built; true when it was neither built nor being built.
    pub fn mark_pending(&mut self, id: u32) -> bool {
        if self.entry(id) != NOT_BUILT {
            return false;
        }
        match self.entry_mut(id) {
            Some(k) => {
                *k = PENDING;
                true
            }
            None => false,
        }
    }

    /// Forgets feature `id` (its geometry changed).
    pub fn forget(&mut self, id: u32) {
        if self.entry(id) != NOT_BUILT {
            if let Some(k) = self.entry_mut(id) {
                *k = NOT_BUILT;
            }
        }
    }

    /// Number of features with a mesh here.
    pub fn built(&self) -> usize {
        self.by_feature
            .iter()
            .flatten()
            .map(|p| p.iter().filter(|&&k| k < PENDING).count())
            .sum()
    }

    /// The vertices, local indices and ring lengths of a slot.
    pub fn parts(&self, s: Slot) -> (&[[f32; 2]], &[u32], &[u32]) {
        let Some(c) = self.chunks.get(s.chunk as usize) else {
            return (&[], &[], &[]);
        };
        let v = c
            .vertices
            .get(s.vertex as usize..(s.vertex + s.vertices) as usize)
            .unwrap_or(&[]);
        let i = c
            .indices
            .get(s.index as usize..(s.index + s.indices) as usize)
            .unwrap_or(&[]);
        let r = c
            .rings
            .get(s.ring as usize..(s.ring + s.rings) as usize)
            .unwrap_or(&[]);
        (v, i, r)
    }

    /// Sum of the areas of a slot's triangles (m²).
    pub fn area_m2(&self, s: Slot) -> f64 {
        let (v, i, _) = self.parts(s);
        i.chunks_exact(3)
            .filter_map(|t| {
                let a = v.get(t[0] as usize)?;
                let b = v.get(t[1] as usize)?;
                let c = v.get(t[2] as usize)?;
                let [ax, ay, bx, by, cx, cy] = [a[0], a[1], b[0], b[1], c[0], c[1]].map(f64::from);
                Some(((bx - ax) * (cy - ay) - (cx - ax) * (by - ay)).abs() / 2.0)
            })
            .sum()
    }

    /// Bytes held (for the memory report).
    pub fn bytes(&self) -> usize {
        self.chunks
            .iter()
            .map(|c| c.vertices.capacity() * 8 + c.indices.capacity() * 4 + c.rings.capacity() * 4)
            .sum::<usize>()
            + self.slots.capacity() * std::mem::size_of::<Slot>()
            + self.by_feature.iter().flatten().count() * PAGE * 4
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{wkt, MultiPolygon};

    /// The four samples read in one pass are what the crossing test of each point gives: star
    /// polygons with and without holes, at points all over and around them (grid points on
    /// vertex heights included).
    #[test]
    fn four_samples_in_one_pass_as_one_by_one() {
        use crate::spatial::overlay::crossing_inside_polygon;
        let star = |cx: f64, cy: f64, r: f64, n: usize, k: f64| -> geo::LineString<f64> {
            let mut pts: Vec<geo::Coord<f64>> = (0..n)
                .map(|i| {
                    let t = i as f64 / n as f64 * std::f64::consts::TAU;
                    let rr = r * (1.0 + 0.4 * (k * t).sin());
                    geo::Coord {
                        x: (cx + rr * t.cos()).round(),
                        y: (cy + rr * t.sin()).round(),
                    }
                })
                .collect();
            pts.push(pts[0]);
            geo::LineString::new(pts)
        };
        let polys = [
            geo::Polygon::new(star(50.0, 50.0, 40.0, 23, 3.0), vec![]),
            geo::Polygon::new(
                star(50.0, 50.0, 40.0, 31, 5.0),
                vec![star(40.0, 45.0, 8.0, 7, 2.0), star(62.0, 55.0, 6.0, 9, 1.0)],
            ),
        ];
        for poly in &polys {
            for i in 0..60 {
                for j in 0..60 {
                    let xs = [f64::from(i) * 2.0 - 10.0, f64::from(i) * 2.0 - 9.0];
                    let ys = [f64::from(j) * 2.0 - 10.0, f64::from(j) * 2.0 - 8.5];
                    let got = samples_inside_polygon(poly, xs, ys);
                    for r in 0..2 {
                        for c in 0..2 {
                            let p = geo::Coord { x: xs[c], y: ys[r] };
                            assert_eq!(got[2 * r + c], crossing_inside_polygon(p, poly), "{p:?}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn level_is_the_power_of_two_cell_under_one_point() {
        // 1 point = 40 m: 32 m cells (2^5).
        assert_eq!(level_for(1.0 / 40.0), 5);
        // Exactly 32 m per point is level 5; just under is level 4.
        assert_eq!(level_for(1.0 / 32.0), 5);
        assert_eq!(level_for(1.0 / 31.9), 4);
        // 1:5,000 at 96 dpi: 1.3229 m per point → 1 m cells.
        assert_eq!(level_for(1.0 / 1.3229), 0);
        // 0.3 m per point → 0.25 m cells.
        assert_eq!(level_for(1.0 / 0.3), -2);
        assert_eq!(level_for(f64::NAN), LEVEL_MAX);
        assert_eq!(level_for(1e9), LEVEL_MIN);
    }

    #[test]
    fn small_features_are_aggregated_big_ones_meshed() {
        // A 120 m patch is class 6 (64 ≤ 120 < 128).
        assert_eq!(size_class(120.0), 6);
        assert_eq!(size_class(128.0), 7);
        assert_eq!(size_class(0.0), CLASS_MIN);
        // At 32 m cells (level 5) 120 m is under 8 cells (256 m): aggregated.
        assert!(aggregated(6, 5));
        // At 8 m cells (level 3) it is 15 cells: a mesh.
        assert!(!aggregated(6, 3));
        // The boundary: class 7 (128–256 m) at level 4 (16 m cells, 8 cells = 128 m): a mesh.
        assert!(!aggregated(7, 4));
        assert!(aggregated(6, 4));
        assert_eq!(mesh_level(-3), 0);
        assert_eq!(tolerance_m(0), 0.0);
        assert_eq!(tolerance_m(4), 8.0);
    }

    #[test]
    fn tiles_cover_a_rect_and_know_their_parent() {
        // Level 0: 256 m tiles. x 500 → column 1, 700 → column 2; y −10 → row −1, 10 → row 0.
        let r = geo::Rect::new(
            geo::Coord { x: 500.0, y: -10.0 },
            geo::Coord { x: 700.0, y: 10.0 },
        );
        let keys = TileKey::covering(0, r, 100);
        let xy: Vec<(i64, i64)> = keys.iter().map(|k| (k.x, k.y)).collect();
        assert_eq!(xy, vec![(1, -1), (2, -1), (1, 0), (2, 0)]);
        assert!(TileKey::covering(0, r, 3).is_empty());
        // Tile (1, −1) sits in parent (0, −1) of level 1, right half, top half (odd row −1).
        let (p, uv) = keys[0].parent().unwrap();
        assert_eq!((p.level, p.x, p.y), (1, 0, -1));
        assert_eq!(uv.min, egui::pos2(0.5, 0.0));
        assert_eq!(
            keys[0].rect().min(),
            geo::Coord {
                x: 256.0,
                y: -256.0
            }
        );
    }

    #[test]
    fn arena_mesh_area_equals_polygon_area_with_holes() {
        // The U-shaped polygon with a hole of tess.rs: 300×300 − 100×200 − 40×40 = 68 400 m².
        let geom = MultiPolygon(vec![
            wkt! { POLYGON((500000.0 3300000.0, 500300.0 3300000.0, 500300.0 3300300.0, 500200.0 3300300.0, 500200.0 3300100.0, 500100.0 3300100.0, 500100.0 3300300.0, 500000.0 3300300.0, 500000.0 3300000.0), (500020.0 3300020.0, 500060.0 3300020.0, 500060.0 3300060.0, 500020.0 3300060.0, 500020.0 3300020.0)) },
            // A second part: a 10 × 20 rectangle, 200 m².
            wkt! { POLYGON((500400.0 3300000.0, 500410.0 3300000.0, 500410.0 3300020.0, 500400.0 3300020.0, 500400.0 3300000.0)) },
        ]);
        let origin = [500_000.0, 3_300_000.0];
        let mesh = FeatureMesh::build(&geom, origin, 0.0);
        // Rings: 8 + 4 vertices, then 4 (closing points dropped).
        assert_eq!(mesh.rings, vec![8, 4, 4]);
        assert_eq!(mesh.vertices.len(), 16);
        let mut arena = MeshArena::new(10);
        assert!(arena.mark_pending(7));
        assert!(!arena.mark_pending(7));
        assert!(arena.get(7).is_none());
        arena.insert(7, &FeatureMesh::default());
        arena.insert(3, &mesh);
        let slot = arena.get(3).unwrap();
        assert_eq!(slot.vertex, 0);
        assert!(
            (arena.area_m2(slot) - 68_600.0).abs() < 1e-3,
            "{}",
            arena.area_m2(slot)
        );
        // Vertices are relative to the origin: the first one is (0, 0).
        assert_eq!(arena.parts(slot).0[0], [0.0, 0.0]);
        // Simplifying by 5 m keeps every corner here (none is within 5 m of a chord).
        let simple = FeatureMesh::build(&geom, origin, 5.0);
        assert_eq!(simple.rings, vec![8, 4, 4]);
        assert!(arena.get(9).is_none());
        assert_eq!(arena.built(), 2);
        arena.forget(3);
        assert!(arena.get(3).is_none());
        // Out of range: ignored.
        arena.insert(10, &mesh);
        assert_eq!(arena.built(), 1);
    }

    #[test]
    fn arena_grows_by_chunks_and_keeps_each_mesh_in_one() {
        let mesh = |n: usize, x: f32| FeatureMesh {
            vertices: vec![[x, 0.0]; n],
            indices: vec![0, 1, 2],
            rings: vec![n as u32],
        };
        let mut arena = MeshArena::new(3);
        // 40 000 + 40 000 vertices exceed one chunk of 65 536: the second mesh starts a chunk;
        // a 70 000-vertex mesh gets a chunk of its own size.
        arena.insert(0, &mesh(40_000, 1.0));
        arena.insert(1, &mesh(40_000, 2.0));
        arena.insert(2, &mesh(70_000, 3.0));
        let slots: Vec<Slot> = (0..3).map(|i| arena.get(i).unwrap()).collect();
        assert_eq!(
            slots
                .iter()
                .map(|s| (s.chunk, s.vertex))
                .collect::<Vec<_>>(),
            vec![(0, 0), (1, 0), (2, 0)]
        );
        for (s, (n, x)) in slots
            .iter()
            .zip([(40_000, 1.0), (40_000, 2.0), (70_000, 3.0)])
        {
            let (v, i, r) = arena.parts(*s);
            assert_eq!((v.len(), i, r), (n, &[0, 1, 2][..], &[n as u32][..]));
            assert!(v.iter().all(|p| p[0] == x));
        }
        // Feature ids far into a big layer: only their page exists.
        let mut big = MeshArena::new(10_000);
        assert!(big.mark_pending(9_000));
        assert!(!big.mark_pending(10_000), "out of range");
        big.insert(9_000, &mesh(10, 4.0));
        assert_eq!(big.get(9_000).map(|s| s.vertices), Some(10));
        assert!(big.get(8_999).is_none() && big.get(100).is_none());
        assert_eq!(big.built(), 1);
        assert_eq!(big.by_feature.iter().flatten().count(), 1);
        // Small meshes fill the current chunk.
        let mut small = MeshArena::new(2);
        small.insert(0, &mesh(10, 1.0));
        small.insert(1, &mesh(10, 2.0));
        assert_eq!(
            small.get(1).map(|s| (s.chunk, s.vertex, s.index)),
            Some((0, 10, 3))
        );
    }

    #[test]
    fn simplification_drops_vertices_within_tolerance() {
        // A 100 m square with a 1 m bump on its south edge: 5 distinct corners + the bump.
        let geom = MultiPolygon(vec![
            wkt! { POLYGON((0.0 0.0, 50.0 -1.0, 100.0 0.0, 100.0 100.0, 0.0 100.0, 0.0 0.0)) },
        ]);
        let full = FeatureMesh::build(&geom, [0.0, 0.0], 0.0);
        assert_eq!(full.rings, vec![5]);
        let coarse = FeatureMesh::build(&geom, [0.0, 0.0], 2.0);
        assert_eq!(coarse.rings, vec![4]);
        // Two triangles of the 100 × 100 square.
        assert_eq!(coarse.indices.len(), 6);
    }

    #[test]
    fn raster_covers_features_by_samples_and_keeps_tiny_ones() {
        // Level 0 (1 m cells), tile (0, 0) spans 0..256 m.
        let key = TileKey {
            level: 0,
            x: 0,
            y: 0,
        };
        let red = Color32::from_rgba_unmultiplied(200, 0, 0, 100);
        // Covers cells x 10..12, y 20..21 fully (2 × 1 cells); all 4 samples inside each.
        let a = MultiPolygon(vec![
            wkt! { POLYGON((10.0 20.0, 12.0 20.0, 12.0 21.0, 10.0 21.0, 10.0 20.0)) },
        ]);
        // A 0.2 × 0.2 m speck inside cell (100, 100), between the samples.
        let speck = MultiPolygon(vec![
            wkt! { POLYGON((100.3 100.3, 100.5 100.3, 100.5 100.5, 100.3 100.5, 100.3 100.3)) },
        ]);
        let img = rasterize_tile(key, [(&a, red), (&speck, red)], false).unwrap();
        let px = |cx: usize, cy: usize| img.pixels[(255 - cy) * 256 + cx];
        let full = Color32::from_rgba_unmultiplied(200, 0, 0, 100);
        assert_eq!(px(10, 20), full);
        assert_eq!(px(11, 20), full);
        assert_eq!(px(12, 20), Color32::TRANSPARENT);
        assert_eq!(px(10, 21), Color32::TRANSPARENT);
        // The speck: area 0.04 of a 1 m² cell → alpha 100 × 0.04 = 4.
        assert_eq!(px(100, 100), Color32::from_rgba_unmultiplied(200, 0, 0, 4));
        // Nothing in the tile: no image.
        let far = MultiPolygon(vec![
            wkt! { POLYGON((1000.0 0.0, 1001.0 0.0, 1001.0 1.0, 1000.0 0.0)) },
        ]);
        assert!(rasterize_tile(key, [(&far, red)], false).is_none());
        // Presence: the speck shows in full colour, with its eight neighbours.
        let img = rasterize_tile(key, [(&speck, red)], true).unwrap();
        let px = |cx: usize, cy: usize| img.pixels[(255 - cy) * 256 + cx];
        for (cx, cy) in [(99, 99), (100, 100), (101, 101), (99, 101)] {
            assert_eq!(px(cx, cy), full, "{cx},{cy}");
        }
        assert_eq!(px(102, 100), Color32::TRANSPARENT);
        assert_eq!(px(100, 98), Color32::TRANSPARENT);
    }
}

#[cfg(test)]
mod earcut_guard_tests {
    use super::*;
    use geo::{Coord, LineString, MultiPolygon, Polygon};

    #[test]
    fn a_ring_earcut_panics_on_keeps_its_outline() {
        // A 100 m square with 25 vertices per side (over earcut's 80-vertex threshold, where it
        // hashes vertices on a z-order curve) and one NaN vertex: its z-order is no integer and
        // earcut panics (unwrap on None). The mesh keeps the outline and drops the triangles.
        let mut ext: Vec<Coord<f64>> = Vec::new();
        for i in 0..25 {
            ext.push(Coord {
                x: i as f64 * 4.0,
                y: 0.0,
            });
        }
        for i in 0..25 {
            ext.push(Coord {
                x: 100.0,
                y: i as f64 * 4.0,
            });
        }
        for i in 0..25 {
            ext.push(Coord {
                x: 100.0 - i as f64 * 4.0,
                y: 100.0,
            });
        }
        for i in 0..25 {
            ext.push(Coord {
                x: 0.0,
                y: 100.0 - i as f64 * 4.0,
            });
        }
        ext[60].x = f64::NAN;
        let poly = Polygon::new(LineString::from(ext), vec![]);
        assert!(
            crate::spatial::guard::catch(|| poly.earcut_triangles_raw()).is_none(),
            "this input is meant to make earcut panic"
        );
        let geom = MultiPolygon(vec![poly]);
        let mesh = FeatureMesh::build(&geom, [0.0, 0.0], 0.0);
        assert_eq!(mesh.rings, vec![100]);
        assert_eq!(mesh.vertices.len(), 100);
        assert!(mesh.indices.is_empty());
    }
}
