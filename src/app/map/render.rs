//! The layer renderer: per layer, features bucketed by size class (one R-tree each), meshes per
//! mesh level in flat arenas, coverage tiles as textures; all of it built on a background thread
//! ([`RenderWorker`]) and drawn when ready. Per frame only the visible tiles and the visible
//! features big enough to be meshes are touched; a frame whose inputs did not change is reused.

use super::camera::Camera;
use super::lod::{self, FeatureMesh, MeshArena, TileKey};
use crate::load::Dataset;
use crate::model::{Geom, Layer};
use crate::spatial::index::{bounds_of, grown, rect_of, Bounds, PackedTree};
use egui::epaint::{Vertex, WHITE_UV};
use egui::{Color32, Mesh, Pos2, Rect, Shape, Stroke};
use geo::BoundingRect;
use std::collections::{BTreeMap, HashMap};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Arc;

/// A feature's box and position (below 2^32: the map's ids are `u32`).
type Entry = (Bounds, usize);

/// Outlines are drawn for features at least this big on screen (points).
pub const OUTLINE_MIN_PT: f32 = 8.0;
/// At most this many tiles per layer are kept (least recently drawn go first).
const MAX_TILES: usize = 384;
/// Mesh levels tried, relative to the wanted one, while the wanted one is being built.
const FALLBACK_LEVELS: [i32; 6] = [-1, 1, -2, 2, -3, 3];
/// Time per frame spent taking the worker's results into the caches.
const INTEGRATE_BUDGET: std::time::Duration = std::time::Duration::from_millis(2);
/// Features per mesh request sent to the worker.
const MESH_BATCH: usize = 512;

/// The features of a layer by size class, and their fill colours; shared with the worker.
pub struct Classes {
    /// (size class, R-tree of the features of that class), ascending class. Shared with the
    /// check's index of the layer ([`Classes::box_index`]).
    pub trees: Vec<(i32, Arc<PackedTree>)>,
    /// Fill colour of each feature (role style, water by class).
    pub fills: Vec<Color32>,
    /// Tiles show every small feature in full colour (see [`lod::rasterize_tile`]), for
    /// overlays such as conflicts, instead of their coverage.
    pub presence: bool,
}

/// The size class and tree entry of geometry `i` (`None`: no box, or beyond `u32` ids).
fn class_entry(i: usize, g: &Geom) -> Option<(i32, Entry)> {
    let (Some(r), Ok(_)) = (g.bounding_rect(), u32::try_from(i)) else {
        return None;
    };
    let class = lod::size_class(r.width().max(r.height()));
    Some((class, (bounds_of(r), i)))
}

impl Classes {
    /// Buckets `layer`'s features; `fill` gives each feature's colour.
    pub fn new(layer: &Layer, fill: impl Fn(usize) -> Color32) -> Classes {
        use rayon::prelude::*;
        // A province layer has a million features: boxes and trees on every core.
        let entries: Vec<Option<(i32, Entry)>> = layer
            .features
            .par_iter()
            .enumerate()
            .map(|(i, f)| class_entry(i, &f.geometry))
            .collect();
        Classes::of_entries(entries, (0..layer.features.len()).map(fill).collect())
    }

    /// Buckets geometries; `fill` gives each one's colour.
    pub fn of_geoms<'a>(
        geoms: impl ExactSizeIterator<Item = &'a Geom>,
        fill: impl Fn(usize) -> Color32,
    ) -> Classes {
        let n = geoms.len();
        let entries = geoms.enumerate().map(|(i, g)| class_entry(i, g)).collect();
        Classes::of_entries(entries, (0..n).map(fill).collect())
    }

    /// The trees of feature `i`'s entry (`entries[i]`, `None`: not indexed), with `fills`.
    fn of_entries(entries: Vec<Option<(i32, Entry)>>, fills: Vec<Color32>) -> Classes {
        use rayon::prelude::*;
        // Every class's list sized exactly before the entries are sorted into it (no list
        // held twice, none doubling); each tree packs its list by parallel sorts.
        let mut counts: BTreeMap<i32, usize> = BTreeMap::new();
        for (class, _) in entries.iter().flatten() {
            *counts.entry(*class).or_default() += 1;
        }
        let mut lists: BTreeMap<i32, Vec<Entry>> = counts
            .into_iter()
            .map(|(class, n)| (class, Vec::with_capacity(n)))
            .collect();
        for (class, e) in entries.into_iter().flatten() {
            lists.entry(class).or_default().push(e);
        }
        // The largest first, so the longest packing starts at once.
        let mut classes: Vec<(i32, Vec<Entry>)> = lists.into_iter().collect();
        classes.sort_by_key(|(_, e)| std::cmp::Reverse(e.len()));
        let mut trees: Vec<(i32, Arc<PackedTree>)> = classes
            .into_par_iter()
            .with_max_len(1)
            .map(|(c, e)| (c, Arc::new(PackedTree::new(e))))
            .collect();
        trees.sort_by_key(|(c, _)| *c);
        Classes {
            trees,
            fills,
            presence: false,
        }
    }

    /// The same trees as the check's index of the layer (every feature with a box, by its
    /// position).
    pub fn box_index(&self) -> crate::spatial::index::BoxIndex {
        crate::spatial::index::BoxIndex::from_trees(self.trees.iter().map(|(_, t)| t.clone()))
    }

    /// The box of every indexed feature (the union of the trees' root boxes, which are exactly
    /// the union of their entries' boxes); `None` without any.
    pub fn extent(&self) -> Option<geo::Rect<f64>> {
        self.trees
            .iter()
            .filter_map(|(_, t)| t.envelope())
            .map(|e| rect_of(&e))
            .reduce(crate::spatial::overlay::box_union)
    }

    /// Features of the classes aggregated (`small`) or meshed (`!small`) at `level`, whose
    /// boxes meet `rect`.
    pub fn query(
        &self,
        level: i32,
        small: bool,
        rect: geo::Rect<f64>,
        mut f: impl FnMut(u32, &Bounds),
    ) {
        let query = bounds_of(rect);
        for (class, tree) in &self.trees {
            if lod::aggregated(*class, level) != small {
                continue;
            }
            // Below 2^32 (`class_entry`).
            tree.for_each_meeting(&query, |id, b| f(id as u32, b));
        }
    }

    /// Every feature whose box meets `rect` grown by `margin`, ascending (for hit-testing).
    pub fn ids_in(&self, rect: geo::Rect<f64>, margin: f64) -> Vec<usize> {
        let query = grown(rect, margin);
        let mut out: Vec<usize> = Vec::new();
        for (_, t) in &self.trees {
            t.for_each_meeting(&query, |id, _| out.push(id));
        }
        out.sort_unstable();
        out
    }

    /// True when some feature is aggregated at `level`.
    pub fn has_small(&self, level: i32) -> bool {
        self.trees
            .first()
            .is_some_and(|(c, _)| lod::aggregated(*c, level))
    }
}

/// Where the worker finds the geometries: layer `layer`, feature `id`.
pub trait GeomSource: Send + Sync + 'static {
    fn geom(&self, layer: usize, id: u32) -> Option<&Geom>;
}

impl GeomSource for Dataset {
    fn geom(&self, layer: usize, id: u32) -> Option<&Geom> {
        Some(&self.layers.get(layer)?.features.get(id as usize)?.geometry)
    }
}

/// A single layer of plain geometries (the conflicts overlay).
impl GeomSource for Vec<Geom> {
    fn geom(&self, layer: usize, id: u32) -> Option<&Geom> {
        if layer == 0 {
            self.get(id as usize)
        } else {
            None
        }
    }
}

/// What the worker is asked to build.
enum Request {
    Meshes {
        layer: usize,
        level: i32,
        ids: Vec<u32>,
    },
    Tile {
        layer: usize,
        key: TileKey,
    },
}

/// What it sends back.
enum Response {
    Meshes {
        layer: usize,
        level: i32,
        meshes: Vec<(u32, FeatureMesh)>,
    },
    Tile {
        layer: usize,
        key: TileKey,
        image: Option<egui::ColorImage>,
    },
}

/// The background thread building meshes and tiles for one dataset.
pub struct RenderWorker {
    tx: Sender<Request>,
    rx: Receiver<Response>,
    /// A response taken in part (the frame's time was up), to finish next frame.
    partial: Option<Response>,
    /// Requests sent and not answered (or not wholly taken in) yet.
    pub outstanding: usize,
}

impl RenderWorker {
    /// Starts the thread `zonecheck-render`; it ends when the worker is dropped.
    pub fn start(
        dataset: Arc<dyn GeomSource>,
        classes: Vec<Arc<Classes>>,
        ctx: egui::Context,
    ) -> Result<RenderWorker, String> {
        let (tx, requests) = channel::<Request>();
        let (responses, rx) = channel::<Response>();
        std::thread::Builder::new()
            .name("zonecheck-render".into())
            .spawn(move || worker_loop(&*dataset, &classes, &requests, &responses, &ctx))
            .map_err(|e| format!("cannot start the render thread: {e}"))?;
        Ok(RenderWorker {
            tx,
            rx,
            partial: None,
            outstanding: 0,
        })
    }

    fn send(&mut self, r: Request) {
        if self.tx.send(r).is_ok() {
            self.outstanding += 1;
        }
    }
}

fn worker_loop(
    ds: &dyn GeomSource,
    classes: &[Arc<Classes>],
    requests: &Receiver<Request>,
    responses: &Sender<Response>,
    ctx: &egui::Context,
) {
    use rayon::prelude::*;
    // Every core: a batch of tiles is short work, and the UI thread (which only paints what
    // is ready) and a running check still get their share of the cores from the system.
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("zonecheck-render-{i}"))
        .build()
        .ok();
    // A request taken while looking whether the queue was empty (see the end of the loop).
    let mut taken: Option<Request> = None;
    loop {
        let first = match taken.take() {
            Some(r) => r,
            None => match requests.recv() {
                Ok(r) => r,
                Err(_) => return,
            },
        };
        // Take everything queued, newest first: the latest view matters most.
        let mut batch = vec![first];
        batch.extend(requests.try_iter());
        batch.reverse();
        let build = |r: Request| match r {
            Request::Meshes { layer, level, ids } => {
                let meshes = ids
                    .iter()
                    .filter_map(|&id| {
                        let g = ds.geom(layer, id)?;
                        let origin = g.bounding_rect()?.min();
                        Some((
                            id,
                            FeatureMesh::build(g, [origin.x, origin.y], lod::tolerance_m(level)),
                        ))
                    })
                    .collect();
                Response::Meshes {
                    layer,
                    level,
                    meshes,
                }
            }
            Request::Tile { layer, key } => {
                let image = classes.get(layer).and_then(|c| {
                    let mut ids = Vec::new();
                    c.query(key.level, true, key.rect(), |id, _| ids.push(id));
                    ids.sort_unstable();
                    lod::rasterize_tile(
                        key,
                        ids.iter().filter_map(|&id| {
                            Some((ds.geom(layer, id)?, *c.fills.get(id as usize)?))
                        }),
                        c.presence,
                    )
                });
                Response::Tile { layer, key, image }
            }
        };
        // A panic in geometry code answers with nothing built rather than ending the thread.
        let guarded = |r: Request| {
            let nothing = match &r {
                Request::Meshes { layer, level, .. } => Response::Meshes {
                    layer: *layer,
                    level: *level,
                    meshes: Vec::new(),
                },
                Request::Tile { layer, key } => Response::Tile {
                    layer: *layer,
                    key: *key,
                    image: None,
                },
            };
            crate::spatial::guard::catch(|| build(r)).unwrap_or(nothing)
        };
        let out: Vec<Response> = match &pool {
            Some(pool) => pool.install(|| batch.into_par_iter().map(guarded).collect()),
            None => batch.into_iter().map(guarded).collect(),
        };
        for r in out {
            if responses.send(r).is_err() {
                return;
            }
        }
        ctx.request_repaint();
        match requests.try_recv() {
            Ok(r) => taken = Some(r),
            // Nothing more to draw for now: what the batch freed (its id lists and pixel
            // buffers, on every thread of the pool) back to the system.
            Err(std::sync::mpsc::TryRecvError::Empty) => crate::platform::release_free_memory(),
            Err(std::sync::mpsc::TryRecvError::Disconnected) => return,
        }
    }
}

/// A tile: being built, or built (empty or a texture).
enum TileState {
    Pending,
    Ready(Option<egui::TextureHandle>, u64),
}

/// The inputs of a layer's last frame; the same inputs give the same shapes.
#[derive(Clone, Copy, PartialEq)]
struct FrameKey {
    camera: Camera,
    rect: Rect,
    opacity: f32,
    stroke: Stroke,
    generation: u64,
}

/// Render caches of one layer.
pub struct LayerRender {
    pub classes: Arc<Classes>,
    /// One arena per mesh level (0 ..= LEVEL_MAX), created on first use.
    meshes: Vec<Option<MeshArena>>,
    tiles: HashMap<TileKey, TileState>,
    /// Bumped when something new arrives from the worker.
    generation: u64,
    frame: u64,
    last: Option<(FrameKey, Vec<Shape>)>,
    /// Vertex and index counts of the last frame's fill and outline meshes.
    sizes: [usize; 4],
}

impl LayerRender {
    pub fn new(classes: Classes) -> LayerRender {
        LayerRender {
            classes: Arc::new(classes),
            meshes: Vec::new(),
            tiles: HashMap::new(),
            generation: 0,
            frame: 0,
            last: None,
            sizes: [0; 4],
        }
    }

    /// Forgets everything built for feature `id` (its geometry changed).
    pub fn invalidate(&mut self, id: u32) {
        for arena in self.meshes.iter_mut().flatten() {
            arena.forget(id);
        }
        self.tiles.clear();
        self.generation += 1;
    }

    /// Number of feature meshes built, over all levels.
    pub fn meshes_built(&self) -> usize {
        self.meshes.iter().flatten().map(MeshArena::built).sum()
    }

    /// Bytes held by meshes (CPU side) and tiles (as RGBA).
    pub fn bytes(&self) -> usize {
        self.meshes
            .iter()
            .flatten()
            .map(MeshArena::bytes)
            .sum::<usize>()
            + self
                .tiles
                .values()
                .filter(|t| matches!(t, TileState::Ready(Some(_), _)))
                .count()
                * lod::TILE_CELLS
                * lod::TILE_CELLS
                * 4
    }

    /// The triangles of feature `id` at `mesh_level`, when built.
    pub fn arena(&self, mesh_level: i32) -> Option<&MeshArena> {
        self.meshes.get(usize::try_from(mesh_level).ok()?)?.as_ref()
    }

    fn arena_mut(&mut self, mesh_level: i32) -> Option<&mut MeshArena> {
        let i = usize::try_from(mesh_level).ok()?;
        if self.meshes.len() <= i {
            self.meshes.resize_with(i + 1, || None);
        }
        let n = self.classes.fills.len();
        Some(
            self.meshes
                .get_mut(i)?
                .get_or_insert_with(|| MeshArena::new(n)),
        )
    }

    /// Shapes of this layer for one frame; asks the worker for what is missing.
    pub fn shapes(
        &mut self,
        li: usize,
        worker: &mut RenderWorker,
        camera: Camera,
        rect: Rect,
        opacity: f32,
        stroke: Stroke,
    ) -> Vec<Shape> {
        self.frame += 1;
        let key = FrameKey {
            camera,
            rect,
            opacity,
            stroke,
            generation: self.generation,
        };
        if let Some((k, shapes)) = &self.last {
            if *k == key {
                let shapes = shapes.clone();
                self.touch_tiles(camera, rect);
                return shapes;
            }
        }
        let level = lod::level_for(camera.points_per_m);
        let visible = camera.visible_map_rect(rect);
        let mut shapes = Vec::new();
        let tint = Color32::from_white_alpha((opacity.clamp(0.0, 1.0) * 255.0).round() as u8);

        // Aggregated small features: tiles (the parent tile while a tile is being built).
        if self.classes.has_small(level) {
            let keys = TileKey::covering(level, visible, 400);
            for k in keys {
                let (tex, uv, at) = match self.tiles.get_mut(&k) {
                    Some(TileState::Ready(t, used)) => {
                        *used = self.frame;
                        (
                            t.as_ref().map(|t| t.id()),
                            Rect::from_min_max(Pos2::ZERO, egui::pos2(1.0, 1.0)),
                            k,
                        )
                    }
                    state => {
                        if state.is_none() {
                            self.tiles.insert(k, TileState::Pending);
                            worker.send(Request::Tile { layer: li, key: k });
                        }
                        match k.parent().and_then(|(p, uv)| match self.tiles.get(&p) {
                            Some(TileState::Ready(Some(t), _)) => Some((t.id(), uv)),
                            _ => None,
                        }) {
                            Some((t, uv)) => (Some(t), uv, k),
                            None => (None, Rect::NOTHING, k),
                        }
                    }
                };
                if let Some(tex) = tex {
                    let r = at.rect();
                    let a = camera.ui_from_map(
                        geo::Coord {
                            x: r.min().x,
                            y: r.max().y,
                        },
                        rect,
                    );
                    let b = camera.ui_from_map(
                        geo::Coord {
                            x: r.max().x,
                            y: r.min().y,
                        },
                        rect,
                    );
                    shapes.push(Shape::image(tex, Rect::from_min_max(a, b), uv, tint));
                }
            }
        }

        // Meshes of the features big enough at this level.
        let ml = lod::mesh_level(level);
        // Last frame's fill and outline buffers, when egui is done with them (no fresh pages to
        // fault in every frame), sized like last frame's: no regrowing while filling.
        let mut reuse = self
            .last
            .take()
            .map(|(_, shapes)| shapes)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|s| match s {
                Shape::Mesh(m) if m.texture_id == egui::TextureId::default() => {
                    Arc::try_unwrap(m).ok()
                }
                _ => None,
            });
        let mut fill = reuse.next().unwrap_or_default();
        let mut lines = reuse.next().unwrap_or_default();
        for m in [&mut fill, &mut lines] {
            m.vertices.clear();
            m.indices.clear();
        }
        fill.vertices.reserve(self.sizes[0]);
        fill.indices.reserve(self.sizes[1]);
        lines.vertices.reserve(self.sizes[2]);
        lines.indices.reserve(self.sizes[3]);
        let mut missing = Vec::new();
        let classes = self.classes.clone();
        // The wanted level's arena is taken out so the others can be read meanwhile.
        let mut wanted = self.arena_mut(ml).map(std::mem::take).unwrap_or_default();
        let meshes = &self.meshes;
        let ppm = camera.points_per_m;
        let c = rect.center();
        let stroke_color = stroke.color.gamma_multiply(opacity);
        let outline = stroke.width > 0.0 && stroke.color.a() > 0;
        let s = ppm as f32;
        let other = |l: i32, id: u32| {
            let a = meshes.get(usize::try_from(l).ok()?)?.as_ref()?;
            Some((a, a.get(id)?))
        };
        classes.query(level, false, visible, |id, bbox| {
            let found = match wanted.get(id) {
                Some(slot) => Some((&wanted, slot)),
                None => {
                    if wanted.mark_pending(id) {
                        missing.push(id);
                    }
                    // Meanwhile the nearest level already built, if any.
                    FALLBACK_LEVELS.iter().find_map(|d| other(ml + d, id))
                }
            };
            let Some((arena, slot)) = found else {
                return;
            };
            let color = classes
                .fills
                .get(id as usize)
                .map(|c| c.gamma_multiply(opacity))
                .unwrap_or(Color32::TRANSPARENT);
            let (v, idx, rings) = arena.parts(slot);
            // The feature's origin (its box corner) relative to the camera centre, in f64.
            let (ox, oy) = (bbox[0] - camera.center[0], bbox[1] - camera.center[1]);
            let to_ui = |p: &[f32; 2]| {
                Pos2::new(
                    c.x + ((f64::from(p[0]) + ox) * ppm) as f32,
                    c.y - ((f64::from(p[1]) + oy) * ppm) as f32,
                )
            };
            if color.a() > 0 {
                if let Ok(base) = u32::try_from(fill.vertices.len()) {
                    fill.vertices.extend(v.iter().map(|p| Vertex {
                        pos: to_ui(p),
                        uv: WHITE_UV,
                        color,
                    }));
                    fill.indices.extend(idx.iter().map(|i| base + i));
                }
            }
            let [w, h] = [bbox[2] - bbox[0], bbox[3] - bbox[1]];
            if outline && (w.max(h) * ppm) as f32 >= OUTLINE_MIN_PT {
                let mut start = 0usize;
                for &n in rings {
                    let n = n as usize;
                    if let Some(ring) = v.get(start..start + n) {
                        // Parts of a multi-part feature too small to show an outline: none.
                        if ring_size(ring) * s >= OUTLINE_MIN_PT {
                            ring_quads(&mut lines, ring, &to_ui, stroke.width, stroke_color);
                        }
                    }
                    start += n;
                }
            }
        });
        if let Some(slot) = self.arena_mut(ml) {
            *slot = wanted;
        }
        for ids in missing.chunks(MESH_BATCH) {
            worker.send(Request::Meshes {
                layer: li,
                level: ml,
                ids: ids.to_vec(),
            });
        }
        self.sizes = [
            fill.vertices.len(),
            fill.indices.len(),
            lines.vertices.len(),
            lines.indices.len(),
        ];
        if !fill.is_empty() {
            shapes.push(Shape::mesh(fill));
        }
        if !lines.is_empty() {
            shapes.push(Shape::mesh(lines));
        }
        self.evict_tiles();
        self.last = Some((key, shapes.clone()));
        shapes
    }

    fn touch_tiles(&mut self, camera: Camera, rect: Rect) {
        let level = lod::level_for(camera.points_per_m);
        for k in TileKey::covering(level, camera.visible_map_rect(rect), 400) {
            if let Some(TileState::Ready(_, used)) = self.tiles.get_mut(&k) {
                *used = self.frame;
            }
            if let Some((p, _)) = k.parent() {
                if let Some(TileState::Ready(_, used)) = self.tiles.get_mut(&p) {
                    *used = self.frame;
                }
            }
        }
    }

    /// Drops the least recently drawn tiles beyond [`MAX_TILES`].
    fn evict_tiles(&mut self) {
        if self.tiles.len() <= MAX_TILES {
            return;
        }
        let mut ready: Vec<(u64, TileKey)> = self
            .tiles
            .iter()
            .filter_map(|(k, t)| match t {
                TileState::Ready(_, used) => Some((*used, *k)),
                TileState::Pending => None,
            })
            .collect();
        ready.sort_unstable();
        let excess = self.tiles.len() - MAX_TILES;
        for (_, k) in ready.into_iter().take(excess) {
            self.tiles.remove(&k);
        }
    }
}

/// Takes what the worker finished into the layers' caches; true when anything arrived.
pub fn integrate(
    worker: &mut RenderWorker,
    layers: &mut [&mut LayerRender],
    ctx: &egui::Context,
) -> bool {
    let mut any = false;
    let start = std::time::Instant::now();
    loop {
        if start.elapsed() > INTEGRATE_BUDGET {
            // The rest next frame: keep frames short while a big view is being built.
            ctx.request_repaint();
            break;
        }
        let r = match worker.partial.take() {
            Some(r) => r,
            None => match worker.rx.try_recv() {
                Ok(r) => r,
                Err(std::sync::mpsc::TryRecvError::Empty) => break,
                Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                    // The thread is gone: nothing more will come.
                    worker.outstanding = 0;
                    break;
                }
            },
        };
        any = true;
        match r {
            Response::Meshes {
                layer,
                level,
                mut meshes,
            } => {
                let Some(lr) = layers.get_mut(layer) else {
                    worker.outstanding = worker.outstanding.saturating_sub(1);
                    continue;
                };
                let mut done = 0;
                if let Some(arena) = lr.arena_mut(level) {
                    for (id, m) in &meshes {
                        arena.insert(*id, m);
                        done += 1;
                        if done % 64 == 0 && start.elapsed() > INTEGRATE_BUDGET {
                            break;
                        }
                    }
                } else {
                    done = meshes.len();
                }
                lr.generation += 1;
                if done < meshes.len() {
                    // A batch of big meshes: the rest next frame.
                    meshes.drain(..done);
                    worker.partial = Some(Response::Meshes {
                        layer,
                        level,
                        meshes,
                    });
                } else {
                    worker.outstanding = worker.outstanding.saturating_sub(1);
                }
            }
            Response::Tile { layer, key, image } => {
                worker.outstanding = worker.outstanding.saturating_sub(1);
                let Some(lr) = layers.get_mut(layer) else {
                    continue;
                };
                let tex = image.map(|img| {
                    ctx.load_texture(
                        format!("map-tile-{layer}-{}-{}-{}", key.level, key.x, key.y),
                        img,
                        egui::TextureOptions::LINEAR,
                    )
                });
                lr.tiles.insert(key, TileState::Ready(tex, lr.frame));
                lr.generation += 1;
            }
        }
    }
    any
}

/// The larger side of a ring's bounding box.
fn ring_size(ring: &[[f32; 2]]) -> f32 {
    let mut lo = [f32::INFINITY; 2];
    let mut hi = [f32::NEG_INFINITY; 2];
    for p in ring {
        lo = [lo[0].min(p[0]), lo[1].min(p[1])];
        hi = [hi[0].max(p[0]), hi[1].max(p[1])];
    }
    (hi[0] - lo[0]).max(hi[1] - lo[1]).max(0.0)
}

/// Appends a closed ring as one quad per segment (no feathering: cheap for many thin outlines).
pub fn ring_quads(
    out: &mut Mesh,
    ring: &[[f32; 2]],
    to_ui: &dyn Fn(&[f32; 2]) -> Pos2,
    width: f32,
    color: Color32,
) {
    let n = ring.len();
    if n < 2 {
        return;
    }
    let half = width.max(1.0) * 0.5;
    for i in 0..n {
        let a = to_ui(&ring[i]);
        let b = to_ui(&ring[(i + 1) % n]);
        let d = b - a;
        // Not `length()`: hypot is several times slower, and overflow cannot happen here.
        let len = (d.x * d.x + d.y * d.y).sqrt();
        if len < 0.5 && i + 1 < n {
            continue;
        }
        let normal = if len > 0.0 {
            egui::vec2(-d.y, d.x) * (half / len)
        } else {
            egui::vec2(half, 0.0)
        };
        let Ok(base) = u32::try_from(out.vertices.len()) else {
            return;
        };
        for p in [a + normal, a - normal, b - normal, b + normal] {
            out.vertices.push(Vertex {
                pos: p,
                uv: WHITE_UV,
                color,
            });
        }
        out.indices
            .extend([base, base + 1, base + 2, base, base + 2, base + 3]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Feature, LayerRole, SourceInfo};
    use geo::{Coord, MultiPolygon, Rect as GeoRect};
    use std::time::{Duration, Instant};

    fn square(x: f64, y: f64, side: f64) -> Geom {
        MultiPolygon(vec![GeoRect::new(
            Coord { x, y },
            Coord {
                x: x + side,
                y: y + side,
            },
        )
        .to_polygon()])
    }

    /// The check's index made of the map's trees (`Classes::box_index`, what the app checks
    /// with) answers every query as the check's own index of the layer: the same positions
    /// and boxes, at every size class (one of more than 65,536 features), features without a
    /// box left out of both.
    #[test]
    fn the_map_trees_index_as_the_check_does() {
        let mut next = crate::test_rng::unit_sequence(12);
        let mut geoms = Vec::new();
        for i in 0..80_000 {
            if i % 997 == 0 {
                geoms.push(MultiPolygon(vec![])); // no box
                continue;
            }
            let (x, y) = (
                500_000.0 + next() * 20_000.0,
                3_300_000.0 + next() * 20_000.0,
            );
            // Mostly patches of a few metres, some of hundreds.
            let side = if i % 50 == 0 {
                100.0 + next() * 900.0
            } else {
                1.0 + next() * 9.0
            };
            geoms.push(square(x, y, side));
        }
        let l = layer_of(geoms);
        let classes = Classes::new(&l, |_| Color32::WHITE);
        assert!(
            classes.trees.len() > 3,
            "several size classes: {}",
            classes.trees.len()
        );
        let from_map = classes.box_index();
        let own = crate::spatial::index::BoxIndex::of_features(&l.features);
        assert_eq!(from_map.len(), own.len());
        assert_eq!(own.len(), 80_000 - 81);
        let mut hits = 0;
        for _ in 0..300 {
            let (x, y) = (
                499_000.0 + next() * 22_000.0,
                3_299_000.0 + next() * 22_000.0,
            );
            let (w, h) = (next() * 3_000.0, next() * 3_000.0);
            let r = GeoRect::new(Coord { x, y }, Coord { x: x + w, y: y + h });
            let margin = next() * 50.0;
            let got = from_map.query_boxes(r, margin);
            assert_eq!(got, own.query_boxes(r, margin));
            assert_eq!(from_map.query(r, margin), own.query(r, margin));
            hits += got.len();
        }
        assert!(hits > 10_000, "the queries found little: {hits}");
    }

    /// One 1000 m square and a hundred 10 m squares, at Gauss-Kruger coordinates.
    fn layer() -> Layer {
        let mut geoms = vec![square(500_000.0, 3_300_000.0, 1000.0)];
        for i in 0..100 {
            let (x, y) = ((i % 10) as f64 * 50.0, (i / 10) as f64 * 50.0);
            geoms.push(square(501_100.0 + x, 3_300_000.0 + y, 10.0));
        }
        layer_of(geoms)
    }

    /// A farmland layer of `geoms`, feature i being geometry i.
    fn layer_of(geoms: Vec<Geom>) -> Layer {
        Layer {
            name: "farmland".into(),
            role: LayerRole::Farmland,
            fields: Vec::new(),
            features: geoms
                .into_iter()
                .enumerate()
                .map(|(index, geometry)| Feature {
                    index,
                    geometry,
                    attrs: Default::default(),
                })
                .collect(),
            source: SourceInfo::default(),
        }
    }

    /// Each size class is one packed tree, and queries find exactly the features a scan of
    /// their boxes finds: 90,000 squares of two sizes (two classes, one of 80,000), three
    /// windows, and the hit-test list.
    #[test]
    fn a_large_class_answers_as_a_scan() {
        let l = layer_of(
            (0..90_000usize)
                .map(|i| {
                    let side = if i % 9 == 0 { 40.0 } else { 10.0 };
                    let (x, y) = ((i % 300) as f64 * 37.0, (i / 300) as f64 * 23.0);
                    square(500_000.0 + x, 3_300_000.0 + y, side)
                })
                .collect(),
        );
        let c = Classes::new(&l, |_| Color32::RED);
        let classes: Vec<i32> = c.trees.iter().map(|(k, _)| *k).collect();
        assert_eq!(classes.len(), 2, "{classes:?}");
        assert!(classes.windows(2).all(|w| w[0] < w[1]), "{classes:?}");
        assert_eq!(c.trees.iter().map(|(_, t)| t.len()).sum::<usize>(), 90_000);
        let boxes: Vec<GeoRect<f64>> = l
            .features
            .iter()
            .map(|f| f.geometry.bounding_rect().unwrap())
            .collect();
        for (x0, y0, x1, y1) in [
            (500_000.0, 3_300_000.0, 511_100.0, 3_306_900.0),
            (503_000.0, 3_301_000.0, 503_500.0, 3_302_000.0),
            (499_000.0, 3_299_000.0, 499_500.0, 3_299_500.0),
        ] {
            let window = GeoRect::new(Coord { x: x0, y: y0 }, Coord { x: x1, y: y1 });
            let mut found: Vec<usize> = Vec::new();
            for small in [true, false] {
                for level in [0, 20] {
                    c.query(level, small, window, |id, _| found.push(id as usize));
                }
            }
            found.sort_unstable();
            found.dedup();
            let scan: Vec<usize> = (0..boxes.len())
                .filter(|&i| crate::spatial::overlay::boxes_intersect(&boxes[i], &window))
                .collect();
            assert_eq!(found, scan);
            assert_eq!(c.ids_in(window, 0.0), scan);
        }
        // The layer's box from the trees: the features' boxes' union, exactly (east: column 299,
        // 299 * 37 m, holds only 10 m squares, as 300 k + 299 is never a multiple of 9; north:
        // row 299, 299 * 23 m, has 40 m squares).
        let expected = boxes
            .iter()
            .copied()
            .reduce(crate::spatial::overlay::box_union)
            .unwrap();
        assert_eq!(c.extent(), Some(expected));
        assert_eq!(
            expected.min(),
            Coord {
                x: 500_000.0,
                y: 3_300_000.0
            }
        );
        assert_eq!(
            expected.max(),
            Coord {
                x: 511_073.0,
                y: 3_306_917.0
            }
        );
        assert_eq!(
            Classes::of_geoms(std::iter::empty(), |_| Color32::RED).extent(),
            None
        );
    }

    fn triangles_area(mesh: &Mesh) -> f64 {
        mesh.indices
            .chunks_exact(3)
            .map(|t| {
                let [a, b, c] = [t[0], t[1], t[2]].map(|i| mesh.vertices[i as usize].pos);
                let [ax, ay, bx, by, cx, cy] = [a.x, a.y, b.x, b.y, c.x, c.y].map(f64::from);
                ((bx - ax) * (cy - ay) - (cx - ax) * (by - ay)).abs() / 2.0
            })
            .sum()
    }

    #[test]
    fn classes_split_small_and_big_features_by_level() {
        let l = layer();
        let c = Classes::new(&l, |_| Color32::RED);
        // 10 m squares are class 3, the 1000 m one class 9.
        let classes: Vec<i32> = c.trees.iter().map(|(k, _)| *k).collect();
        assert_eq!(classes, vec![3, 9]);
        let everywhere = GeoRect::new(
            Coord {
                x: 400_000.0,
                y: 3_200_000.0,
            },
            Coord {
                x: 600_000.0,
                y: 3_400_000.0,
            },
        );
        let count = |level: i32, small: bool| {
            let mut n = 0;
            c.query(level, small, everywhere, |_, _| n += 1);
            n
        };
        // Level 2 (4 m cells, meshes from 32 m): 100 aggregated, 1 mesh.
        assert_eq!((count(2, true), count(2, false)), (100, 1));
        // Level 0 (1 m cells, meshes from 8 m): everything is a mesh.
        assert_eq!((count(0, true), count(0, false)), (0, 101));
        assert!(c.has_small(2) && !c.has_small(0));
        assert_eq!(c.ids_in(everywhere, 0.0).len(), 101);
    }

    #[test]
    fn frames_draw_what_the_worker_built_and_reuse_unchanged_frames() {
        let l = layer();
        let classes = Classes::new(&l, |_| Color32::from_rgb(200, 150, 0));
        let ds = Arc::new(Dataset {
            working_crs: crate::crs::CrsDef::epsg(4549).unwrap(),
            working_crs_reason: String::new(),
            layers: vec![l],
            loaded_near: None,
        });
        let mut lr = LayerRender::new(classes);
        let ctx = egui::Context::default();
        let mut worker =
            RenderWorker::start(ds.clone(), vec![lr.classes.clone()], ctx.clone()).unwrap();
        // 4 m per point (level 2), the big square's centre in the middle of an 800 × 600 view.
        let camera = Camera {
            center: [500_500.0, 3_300_500.0],
            points_per_m: 0.25,
        };
        let view = Rect::from_min_size(Pos2::ZERO, egui::vec2(800.0, 600.0));
        let stroke = Stroke::new(1.0, Color32::BLACK);
        let first = lr.shapes(0, &mut worker, camera, view, 1.0, stroke);
        // Nothing is built yet: nothing drawn, one mesh request and the tiles asked for.
        assert!(first.is_empty());
        assert!(worker.outstanding >= 2);
        let start = Instant::now();
        while worker.outstanding > 0 {
            integrate(&mut worker, &mut [&mut lr], &ctx);
            assert!(start.elapsed() < Duration::from_secs(30));
            std::thread::sleep(Duration::from_millis(5));
        }
        let shapes = lr.shapes(0, &mut worker, camera, view, 0.5, stroke);
        let all: Vec<&Mesh> = shapes
            .iter()
            .filter_map(|s| match s {
                Shape::Mesh(m) => Some(&**m),
                _ => None,
            })
            .collect();
        // Tiles are textured quads: the small squares (y 0..460 m from the layer origin) fall
        // in two tile rows of 1024 m (rows 3222 and 3223 from the map origin).
        let (tiles, meshes): (Vec<&Mesh>, Vec<&Mesh>) = all
            .into_iter()
            .partition(|m| m.texture_id != egui::TextureId::default());
        assert_eq!(tiles.len(), 2, "{shapes:?}");
        assert!(tiles
            .iter()
            .all(|t| t.vertices[0].color == Color32::from_white_alpha(128)));
        // Fill: the 1000 m square is 250 × 250 points; outline: 4 segments of 4 vertices.
        assert_eq!(meshes.len(), 2);
        assert_eq!(meshes[0].vertices.len(), 4);
        assert!((triangles_area(meshes[0]) - 62_500.0).abs() < 1.0);
        assert_eq!(meshes[1].vertices.len(), 16);
        // Half opacity halves the premultiplied fill.
        let c = meshes[0].vertices[0].color;
        assert_eq!(c, Color32::from_rgb(200, 150, 0).gamma_multiply(0.5));
        // The square's lower left corner is 500 m left of and below the centre: 125 points.
        assert!(meshes[0]
            .vertices
            .iter()
            .any(|v| (v.pos - egui::pos2(275.0, 425.0)).length() < 1e-3));
        // Same inputs: the same shapes, nothing more asked.
        let again = lr.shapes(0, &mut worker, camera, view, 0.5, stroke);
        assert_eq!(again.len(), shapes.len());
        assert_eq!(worker.outstanding, 0);
        assert_eq!(lr.meshes_built(), 1);
    }
}

#[cfg(test)]
mod outline_tests {
    use super::*;
    use geo::{Coord, MultiPolygon, Rect as GeoRect};
    use std::time::{Duration, Instant};

    #[test]
    fn small_parts_of_a_big_feature_get_no_outline() {
        let square = |x: f64, side: f64| {
            GeoRect::new(
                Coord { x, y: 0.0 },
                Coord {
                    x: x + side,
                    y: side,
                },
            )
            .to_polygon()
        };
        // One feature: a 1000 m square and a 10 m square beside it.
        let geoms: Vec<Geom> = vec![MultiPolygon(vec![
            square(0.0, 1000.0),
            square(1100.0, 10.0),
        ])];
        let mut lr = LayerRender::new(Classes::of_geoms(geoms.iter(), |_| Color32::RED));
        let ctx = egui::Context::default();
        let source: Arc<dyn GeomSource> = Arc::new(geoms);
        let mut worker =
            RenderWorker::start(source, vec![lr.classes.clone()], ctx.clone()).unwrap();
        // 4 m per point: the 10 m part is 2.5 pt (< 8 pt), the big one 250 pt.
        let camera = Camera {
            center: [550.0, 500.0],
            points_per_m: 0.25,
        };
        let view = Rect::from_min_size(Pos2::ZERO, egui::vec2(800.0, 600.0));
        let stroke = Stroke::new(1.0, Color32::BLACK);
        let _ = lr.shapes(0, &mut worker, camera, view, 1.0, stroke);
        let start = Instant::now();
        while worker.outstanding > 0 {
            integrate(&mut worker, &mut [&mut lr], &ctx);
            assert!(start.elapsed() < Duration::from_secs(30));
            std::thread::sleep(Duration::from_millis(5));
        }
        let shapes = lr.shapes(0, &mut worker, camera, view, 1.0, stroke);
        let meshes: Vec<&Mesh> = shapes
            .iter()
            .filter_map(|s| match s {
                Shape::Mesh(m) => Some(&**m),
                _ => None,
            })
            .collect();
        // Fill: both parts (4 + 4 vertices); outline: the big square's 4 segments only.
        assert_eq!(meshes.len(), 2);
        assert_eq!(meshes[0].vertices.len(), 8);
        assert_eq!(meshes[1].vertices.len(), 16);
        assert_eq!(ring_size(&[[0.0, 0.0], [10.0, 2.0], [3.0, 4.0]]), 10.0);
    }
}
