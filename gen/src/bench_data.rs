//! Deterministic benchmark reviews (issue 4): county-sized datasets (one county, or 4 or 16
//! county tiles side by side) and a province-sized one, in EPSG:4549, written as GBK shapefiles
//! with `.cpg` and `.prj` plus a `review.toml`; the farmland layer is streamed to disk, so the
//! province (10⁶ patches) never sits in memory.
//!
//! Determinism follows [`crate::synth`]: every stream is a fixed-seed SplitMix64 ([`Rng`]), the
//! farmland draws one stream per grid cell, nothing iterates a hash map or reads the clock, only
//! `+ − × ÷ sqrt` shape the geometry, and every coordinate is snapped to whole millimetres by a
//! [`Frame`]. The same scale gives byte-identical files on every run and platform.
//!
//! What a county holds (each county tile of ×4 and ×16 the same, with its own seed; tile 0 is
//! the county itself): a 40 km square, ~80 000 farmland patches (5–30 vertices, ~13 on average)
//! on a 120 m grid whose density follows a smooth field and drops inside zones, ~50 red-line
//! polygons (~2 500 vertices on average, concave lobes, many with holes, some with an island in a
//! hole, some pairs sharing their dividing line exactly), water-source zones (reservoirs as three
//! nested class rings sharing their boundaries, river bands), ~6 merged zones of 1–8 parts made
//! of ~30 original zones (a pair of zones touching exactly along a shared edge, fragments,
//! enclaves, holes, multi-polygon features, some zones growing beyond their originals).
//! The province: a 200 km square, ~10⁶ patches, ~3 000 red-line polygons (one of 20 000
//! vertices), ~400 water zones, ~1 000 originals merged into 150 zones of 1–17 parts.

use crate::synth::{direction, star_ring, Frame, Outline, Rng, DBF_DATE, PRJ_CGCS2000_GK_CM_120E};
use geo::{BoundingRect, Contains, Coord, LineString, MultiPolygon, Point, Polygon, Rect};
use std::path::{Path, PathBuf};
use zonecheck::io::atomic::write_atomic;
use zonecheck::io::shp_write::{FieldKind, FieldSpec, OutEncoding, ShapefileWriter};
use zonecheck::spatial::frame::map_view_rect;
use zonecheck::spatial::roi::Roi;

// ------------------------------------------------------------------------------------------------
// Public API
// ------------------------------------------------------------------------------------------------

/// Size of a benchmark dataset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scale {
    /// One county: ~80 000 farmland patches.
    County,
    /// 2 × 2 county tiles side by side: ~320 000 patches.
    CountyX4,
    /// 4 × 4 county tiles: ~1.3 M patches.
    CountyX16,
    /// One province: ~10⁶ patches, 3 000 red-line polygons, 150 zones.
    Province,
    /// The same province size with its zones spread as real plans are: members in several
    /// townships and counties, corridors, far-apart enclaves, so that about a quarter of the
    /// farmland lies near some zone (within the check's spatial filter).
    ProvinceSpread,
}

impl Scale {
    pub const ALL: [Scale; 5] = [
        Scale::County,
        Scale::CountyX4,
        Scale::CountyX16,
        Scale::Province,
        Scale::ProvinceSpread,
    ];

    /// The name used on the command line and for the data folder.
    pub fn name(self) -> &'static str {
        match self {
            Scale::County => "county",
            Scale::CountyX4 => "county-x4",
            Scale::CountyX16 => "county-x16",
            Scale::Province => "province",
            Scale::ProvinceSpread => "province-spread",
        }
    }

    /// The scale of a [`Scale::name`] (`county`, `county-x4`, `county-x16`, `province`,
    /// `province-spread`).
    pub fn from_name(name: &str) -> Option<Scale> {
        Scale::ALL.into_iter().find(|s| s.name() == name.trim())
    }
}

impl std::fmt::Display for Scale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Scale {
    type Err = String;

    fn from_str(s: &str) -> Result<Scale, String> {
        Scale::from_name(s).ok_or_else(|| {
            format!(
                "unknown scale \"{s}\" (expected county, county-x4, county-x16, province or province-spread)"
            )
        })
    }
}

/// Counts of one written layer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayerSummary {
    /// File name inside the dataset folder.
    pub file_name: &'static str,
    /// Records (features).
    pub features: u64,
    /// Polygons (outer rings) over all features.
    pub polygons: u64,
    /// Rings, outer and inner.
    pub rings: u64,
    /// Distinct vertices (each ring's closing point not counted).
    pub vertices: u64,
}

/// What [`write_bench_data`] wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BenchSummary {
    pub scale: Scale,
    /// Merged zones (distinct ids of the zones layer).
    pub merged_zones: u64,
    /// Farmland patches whose box meets the area the check's spatial filter keeps (a zone
    /// part's close-up map area, or its box grown by the default bridging reach), as the
    /// generator placed the parts; only for [`Scale::ProvinceSpread`], which is built to keep
    /// about a quarter of its farmland there.
    pub near_zone_patches: Option<u64>,
    /// merged_zones, original_zones, redline, farmland, water, in that order.
    pub layers: Vec<LayerSummary>,
}

impl BenchSummary {
    /// The summary of the layer written to `file_name`.
    pub fn layer(&self, file_name: &str) -> Option<&LayerSummary> {
        self.layers.iter().find(|l| l.file_name == file_name)
    }

    /// The summary as JSON (also written to `bench_summary.json` beside the data).
    pub fn to_json(&self) -> String {
        let layers: Vec<String> = self
            .layers
            .iter()
            .map(|l| {
                format!(
                    "    \"{}\": {{\"features\": {}, \"polygons\": {}, \"rings\": {}, \"vertices\": {}}}",
                    l.file_name.trim_end_matches(".shp"),
                    l.features,
                    l.polygons,
                    l.rings,
                    l.vertices
                )
            })
            .collect();
        let near = match self.near_zone_patches {
            Some(n) => format!("  \"near_zone_patches\": {n},\n"),
            None => String::new(),
        };
        format!(
            "{{\n  \"scale\": \"{}\",\n  \"merged_zones\": {},\n{near}  \"layers\": {{\n{}\n  }}\n}}\n",
            self.scale.name(),
            self.merged_zones,
            layers.join(",\n")
        )
    }
}

impl std::fmt::Display for BenchSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "scale {}: {} merged zones",
            self.scale.name(),
            self.merged_zones
        )?;
        writeln!(
            f,
            "{:<20} {:>10} {:>10} {:>10} {:>12}",
            "layer", "features", "polygons", "rings", "vertices"
        )?;
        for l in &self.layers {
            writeln!(
                f,
                "{:<20} {:>10} {:>10} {:>10} {:>12}",
                l.file_name, l.features, l.polygons, l.rings, l.vertices
            )?;
        }
        if let Some(near) = self.near_zone_patches {
            let all = self.layer("farmland.shp").map_or(0, |l| l.features);
            let share = if all > 0 {
                100.0 * near as f64 / all as f64
            } else {
                0.0
            };
            writeln!(
                f,
                "farmland patches near a zone part (the check's spatial filter): {near} of {all} ({share:.1} %)"
            )?;
        }
        Ok(())
    }
}

/// The review file of every benchmark dataset (rules at their defaults).
pub const BENCH_REVIEW_TOML: &str = r#"# Benchmark review written by `zonecheck-gen bench` (see benches/README.md).
crs = "EPSG:4549"

[layers]
zones = "merged_zones.shp"
original = "original_zones.shp"
redline = "redline.shp"
farmland = "farmland.shp"
water = "water.shp"

[fields]
id = "ID"
"#;

/// Writes the benchmark dataset of `scale` into `dir` (created with missing parents):
/// `merged_zones.shp`, `original_zones.shp`, `redline.shp`, `farmland.shp`, `water.shp` (each
/// with `.shx .dbf .cpg .prj`, GBK attributes, EPSG:4549), `review.toml` and
/// `bench_summary.json`. Deterministic: the same scale always gives the same bytes. Files of
/// the same names are replaced (each written to a temporary name, then renamed).
pub fn write_bench_data(dir: &Path, scale: Scale) -> Result<BenchSummary, String> {
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("cannot create the data folder ({e}): {}", dir.display()))?;
    let mut w = Writers::create(dir)?;
    let mut merged_zones = 0u64;
    let mut near_zone_patches = None;
    match scale {
        Scale::Province => {
            merged_zones += generate_region(&PROVINCE, &region_of(scale, 0), &mut w)?.zones;
        }
        Scale::ProvinceSpread => {
            let out = generate_region(&PROVINCE_SPREAD, &region_of(scale, 0), &mut w)?;
            merged_zones += out.zones;
            near_zone_patches = out.near_zone_patches;
        }
        _ => {
            let tiles = match scale {
                Scale::CountyX4 => 4,
                Scale::CountyX16 => 16,
                _ => 1,
            };
            for t in 0..tiles {
                merged_zones += generate_region(&COUNTY, &region_of(scale, t), &mut w)?.zones;
            }
        }
    }
    let layers = w.finish()?;
    let summary = BenchSummary {
        scale,
        merged_zones,
        near_zone_patches,
        layers,
    };
    let review = dir.join("review.toml");
    write_atomic(&review, BENCH_REVIEW_TOML.as_bytes())
        .map_err(|e| format!("cannot write the review file ({e}): {}", review.display()))?;
    let json = dir.join("bench_summary.json");
    write_atomic(&json, summary.to_json().as_bytes())
        .map_err(|e| format!("cannot write the summary ({e}): {}", json.display()))?;
    Ok(summary)
}

// ------------------------------------------------------------------------------------------------
// What a region holds
// ------------------------------------------------------------------------------------------------

/// Counts and sizes of one generated region (a county tile or the province).
struct RegionSpec {
    /// The region is a square of this side.
    size_m: f64,
    /// Merged zones, of which `touching_pairs` pairs share an edge.
    zones: usize,
    touching_pairs: usize,
    /// Parts per zone: 1 + ⌊max_parts · u^part_skew⌋ (at most `max_parts`); zone 0 has the most.
    max_parts: usize,
    part_skew: f64,
    /// Originals in no merged zone.
    unassigned_originals: usize,
    redlines: usize,
    /// The first red line gets this many vertices (0: drawn like the others).
    largest_redline_vertices: usize,
    reservoirs: usize,
    rivers: usize,
    /// Farmland acceptance per cell: `lo + (hi − lo) · field`, field smooth in [0, 1].
    farm_density: (f64, f64),
    /// Factor of the acceptance in cells outside zones but within the check's spatial filter
    /// (development zones are sited on the plains where the farmland is); used by
    /// [`Layout::Spread`] only, where it sets the share of farmland near zones.
    farm_near_zones: f64,
    /// Counties by 40 km block (province) or one county for the whole region (tile).
    county_blocks: bool,
    /// How a zone's parts lie.
    layout: Layout,
}

/// How the parts of a merged zone are laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layout {
    /// Around the zone's main part (within ~3 km), enclaves anywhere ≥ 8 km away.
    Clustered,
    /// As real plans are ([`plan_spread_zones`]): parts in other townships and counties
    /// (1–45 km away), corridors of 2–9.5 km, enclaves ≥ 40 km away.
    Spread,
}

const COUNTY: RegionSpec = RegionSpec {
    size_m: 40_000.0,
    zones: 6,
    touching_pairs: 1,
    max_parts: 8,
    part_skew: 1.5,
    unassigned_originals: 3,
    redlines: 50,
    largest_redline_vertices: 0,
    reservoirs: 4,
    rivers: 2,
    farm_density: (0.40, 1.08),
    farm_near_zones: 1.0,
    county_blocks: false,
    layout: Layout::Clustered,
};

const PROVINCE: RegionSpec = RegionSpec {
    size_m: 200_000.0,
    zones: 150,
    touching_pairs: 15,
    max_parts: 17,
    part_skew: 2.5,
    unassigned_originals: 60,
    redlines: 3_000,
    largest_redline_vertices: 20_000,
    reservoirs: 120,
    rivers: 40,
    farm_density: (-0.08, 0.80),
    farm_near_zones: 1.0,
    county_blocks: true,
    layout: Layout::Clustered,
};

/// The province with its zones spread (issue 12): the same square, 150 zones of 1–17 parts
/// (more of them with many parts), ~2 900 red-line polygons, ~380 water zones.
const PROVINCE_SPREAD: RegionSpec = RegionSpec {
    size_m: 200_000.0,
    zones: 150,
    touching_pairs: 15,
    max_parts: 17,
    part_skew: SPREAD_PART_SKEW,
    unassigned_originals: 60,
    redlines: 2_932,
    largest_redline_vertices: 20_000,
    reservoirs: 115,
    rivers: 36,
    farm_density: (-0.068, 0.789),
    farm_near_zones: 1.165,
    county_blocks: true,
    layout: Layout::Spread,
};
const SPREAD_PART_SKEW: f64 = 1.6;

/// Side of a county tile and of a county block of the province.
const COUNTY_SIZE_M: f64 = 40_000.0;

/// Where a region lies and how its ids are spelt.
struct Region {
    seed: u64,
    frame: Frame,
    /// County tile number (ids get it as a prefix), or `None` for the province.
    tile: Option<usize>,
}

/// Base seed of every benchmark stream.
const BENCH_SEED: u64 = 0xBE4C_2025_0004_0001;

fn region_of(scale: Scale, tile: usize) -> Region {
    match scale {
        Scale::ProvinceSpread => Region {
            seed: mix64(BENCH_SEED ^ 0x5350_5244),
            frame: Frame {
                origin_x_mm: 400_000_000,
                origin_y_mm: 3_050_000_000,
            },
            tile: None,
        },
        Scale::Province => Region {
            seed: mix64(BENCH_SEED ^ 0x5052_4F56),
            // E 400 000 – 600 000, N 3 050 000 – 3 250 000 (CM 120°E ± ~1°).
            frame: Frame {
                origin_x_mm: 400_000_000,
                origin_y_mm: 3_050_000_000,
            },
            tile: None,
        },
        _ => {
            let cols = match scale {
                Scale::CountyX16 => 4,
                Scale::CountyX4 => 2,
                _ => 1,
            };
            let (tx, ty) = ((tile % cols) as i64, (tile / cols) as i64);
            let side_mm = COUNTY_SIZE_M as i64 * 1000;
            Region {
                seed: mix64(BENCH_SEED ^ (tile as u64).wrapping_mul(0x9E37_79B9)),
                // Tile 0 at E 470 000, N 3 300 000; others east and north of it.
                frame: Frame {
                    origin_x_mm: 470_000_000 + tx * side_mm,
                    origin_y_mm: 3_300_000_000 + ty * side_mm,
                },
                tile: Some(tile),
            }
        }
    }
}

/// The SplitMix64 finaliser (as in `synth`).
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The stream of layer `tag` of a region.
fn stream(seed: u64, tag: u64) -> Rng {
    Rng::new(mix64(seed ^ mix64(tag)))
}

// ------------------------------------------------------------------------------------------------
// Names
// ------------------------------------------------------------------------------------------------

struct County {
    code: &'static str,
    name: &'static str,
    short: &'static str,
    city: &'static str,
}

const fn county(
    code: &'static str,
    name: &'static str,
    short: &'static str,
    city: &'static str,
) -> County {
    County {
        code,
        name,
        short,
        city,
    }
}

/// Zhejiang counties; county tile `t` is `COUNTIES[t]`, province block (col, row) is
/// `COUNTIES[row * 5 + col]`.
const COUNTIES: [County; 25] = [
    county("330109", "萧山区", "萧山", "杭州市"),
    county("330110", "余杭区", "余杭", "杭州市"),
    county("330111", "富阳区", "富阳", "杭州市"),
    county("330112", "临安区", "临安", "杭州市"),
    county("330122", "桐庐县", "桐庐", "杭州市"),
    county("330127", "淳安县", "淳安", "杭州市"),
    county("330182", "建德市", "建德", "杭州市"),
    county("330206", "北仑区", "北仑", "宁波市"),
    county("330211", "镇海区", "镇海", "宁波市"),
    county("330212", "鄞州区", "鄞州", "宁波市"),
    county("330281", "余姚市", "余姚", "宁波市"),
    county("330282", "慈溪市", "慈溪", "宁波市"),
    county("330302", "鹿城区", "鹿城", "温州市"),
    county("330381", "瑞安市", "瑞安", "温州市"),
    county("330382", "乐清市", "乐清", "温州市"),
    county("330402", "南湖区", "南湖", "嘉兴市"),
    county("330481", "海宁市", "海宁", "嘉兴市"),
    county("330502", "吴兴区", "吴兴", "湖州市"),
    county("330521", "德清县", "德清", "湖州市"),
    county("330602", "越城区", "越城", "绍兴市"),
    county("330681", "诸暨市", "诸暨", "绍兴市"),
    county("330702", "婺城区", "婺城", "金华市"),
    county("330782", "义乌市", "义乌", "金华市"),
    county("330802", "柯城区", "柯城", "衢州市"),
    county("331002", "椒江区", "椒江", "台州市"),
];

const NAME_FIRST: [&str; 24] = [
    "东", "西", "南", "北", "新", "临", "长", "清", "永", "安", "平", "宁", "金", "石", "青", "白",
    "黄", "龙", "凤", "高", "桃", "柳", "梅", "竹",
];
const NAME_SECOND: [&str; 16] = [
    "山", "浦", "塘", "桥", "溪", "湖", "江", "岭", "港", "埠", "沙", "田", "坑", "河", "岙", "坞",
];

/// A two-character place name from a number (stable, no randomness).
fn place_name(k: u64) -> String {
    let k = mix64(k);
    format!(
        "{}{}",
        NAME_FIRST[(k % NAME_FIRST.len() as u64) as usize],
        NAME_SECOND[((k >> 20) % NAME_SECOND.len() as u64) as usize]
    )
}

const ZONE_KINDS: [&str; 6] = [
    "经济技术开发区",
    "高新技术产业开发区",
    "经济开发区",
    "高新技术产业园区",
    "工业园区",
    "产业集聚区",
];

/// Designations, highest first (as `analysis::fields::level_rank` orders them).
const LEVELS: [&str; 6] = [
    "国家级经济技术开发区",
    "国家级高新技术产业开发区",
    "省级经济开发区",
    "省级高新技术产业园区",
    "市级工业园区",
    "县级工业园区",
];

const INDUSTRIES: [&str; 14] = [
    "高端装备",
    "汽车及零部件",
    "新材料",
    "数字经济",
    "生物医药",
    "智能制造",
    "现代物流",
    "纺织化纤",
    "智能家居",
    "节能环保",
    "电子信息",
    "新能源",
    "精细化工",
    "食品加工",
];

const REDLINE_TYPES: [&str; 4] = ["水源涵养", "生物多样性维护", "水土保持", "海岸生态稳定"];

// ------------------------------------------------------------------------------------------------
// Shapes (local frame, metres)
// ------------------------------------------------------------------------------------------------

fn c(x: f64, y: f64) -> Coord<f64> {
    Coord { x, y }
}

/// Octaves of the radius noise of an [`organic_ring`]: (fewest, most control points, amplitude).
/// Large lobes, then ever finer bays and capes, like a digitised natural boundary. An octave
/// with more control points than a third of the ring's vertices is left out (except the first).
const OCTAVES: [(usize, usize, f64); 4] = [
    (4, 9, 0.30),
    (12, 24, 0.10),
    (30, 60, 0.04),
    (80, 160, 0.015),
];
/// Per-vertex jitter of at most `JITTER_PER_N / n` of the radius (a fraction of the spacing).
const JITTER_PER_N: f64 = 1.6;
/// Smallest radius factor of an [`organic_ring`] of at least 12 vertices.
const F_MIN: f64 = 1.0 - 0.30 - 0.10 - 0.04 - 0.015 - JITTER_PER_N / 12.0;

/// Circular value noise: `ctrl` values around the ring, smoothstep-interpolated at `t` ∈ [0, 1).
fn ring_noise(ctrl: &[f64], t: f64) -> f64 {
    let m = ctrl.len();
    if m == 0 {
        return 0.0;
    }
    let s = (t - t.floor()) * m as f64;
    let k = (s.floor() as usize).min(m - 1);
    let w = s - k as f64;
    let w = w * w * (3.0 - 2.0 * w);
    ctrl[k] + (ctrl[(k + 1) % m] - ctrl[k]) * w
}

/// An organic, concave, star-shaped ring around `center` (open: no closing point,
/// counter-clockwise): `n` (≥ 12) vertices on their own rays at increasing angles (jittered, or
/// exactly at `i / n` when `exact`, so that with `n` a multiple of 4 vertex `n / 4` is due north
/// and `3n / 4` due south), at the outline's distance times a factor in `[F_MIN, 1]` made of
/// the [`OCTAVES`] of smooth noise and a little per-vertex jitter. Simple by construction.
fn organic_ring(
    rng: &mut Rng,
    center: Coord<f64>,
    outline: Outline,
    n: usize,
    exact: bool,
) -> Vec<Coord<f64>> {
    let n = n.max(12);
    let mut octaves: Vec<(Vec<f64>, f64)> = Vec::with_capacity(OCTAVES.len());
    for (k, &(lo, hi, amp)) in OCTAVES.iter().enumerate() {
        let m = lo + rng.below(hi - lo + 1);
        if k > 0 && m * 3 > n {
            break;
        }
        octaves.push(((0..m).map(|_| rng.unit()).collect(), amp));
    }
    let jitter = JITTER_PER_N / n as f64;
    (0..n)
        .map(|i| {
            let t = if exact {
                i as f64 / n as f64
            } else {
                (i as f64 + rng.range(0.1, 0.9)) / n as f64
            };
            let mut f = 1.0 - jitter * rng.unit();
            for (ctrl, amp) in &octaves {
                f -= amp * ring_noise(ctrl, t);
            }
            let d = direction(t);
            let r = outline.radius_m(d) * f;
            c(center.x + d.x * r, center.y + d.y * r)
        })
        .collect()
}

/// Smallest distance from `center` to the (closed) ring through `pts`: the disc of this radius
/// lies inside a ring that is star-shaped about `center`.
fn inner_radius_m(center: Coord<f64>, pts: &[Coord<f64>]) -> f64 {
    let n = pts.len();
    let mut best = f64::INFINITY;
    for i in 0..n {
        let (a, b) = (pts[i], pts[(i + 1) % n]);
        let (dx, dy) = (b.x - a.x, b.y - a.y);
        let len2 = dx * dx + dy * dy;
        let t = if len2 > 0.0 {
            (((center.x - a.x) * dx + (center.y - a.y) * dy) / len2).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let (px, py) = (a.x + t * dx - center.x, a.y + t * dy - center.y);
        best = best.min((px * px + py * py).sqrt());
    }
    if best.is_finite() {
        best
    } else {
        0.0
    }
}

/// Distance from the centre to the farthest point of the outline.
fn bound_m(outline: &Outline) -> f64 {
    match *outline {
        Outline::Ellipse { rx_m, ry_m } => rx_m.max(ry_m),
        Outline::Rect { hx_m, hy_m } => (hx_m * hx_m + hy_m * hy_m).sqrt(),
    }
}

fn closed(mut pts: Vec<Coord<f64>>) -> LineString<f64> {
    if let Some(&first) = pts.first() {
        pts.push(first);
    }
    LineString(pts)
}

/// `ring` scaled about `center` by `f` (inside the ring when `f < 1`: the ring is star-shaped
/// about its centre).
fn scaled(ring: &[Coord<f64>], center: Coord<f64>, f: f64) -> Vec<Coord<f64>> {
    ring.iter()
        .map(|p| {
            c(
                center.x + (p.x - center.x) * f,
                center.y + (p.y - center.y) * f,
            )
        })
        .collect()
}

fn reversed(mut ring: Vec<Coord<f64>>) -> Vec<Coord<f64>> {
    ring.reverse();
    ring
}

/// A small organic ring of radius `r_m` around `center` with `n` vertices.
fn blob(rng: &mut Rng, center: Coord<f64>, r_m: f64, n: usize) -> Vec<Coord<f64>> {
    organic_ring(
        rng,
        center,
        Outline::Ellipse {
            rx_m: r_m,
            ry_m: r_m,
        },
        n,
        false,
    )
}

/// An organic polygon with `holes` (0–8) organic holes of `hole_n` vertices inside the ring's
/// guaranteed interior, and, when `island` is set (and there is a hole), an island in the first
/// hole returned as a second polygon.
fn organic_with_holes(
    rng: &mut Rng,
    center: Coord<f64>,
    outline: Outline,
    n: usize,
    holes: usize,
    hole_n: usize,
    island: bool,
) -> Vec<Polygon<f64>> {
    let outer = organic_ring(rng, center, outline, n, false);
    let holes = holes.min(8);
    let inner = inner_radius_m(center, &outer);
    // Hole centres on a circle, far enough apart that holes of `hole_r` never meet (eight
    // directions of `direction` are at least 36.8° apart) and inside the inner disc.
    let (dist, hole_r) = match holes {
        0 => (0.0, 0.0),
        1 => (0.25 * inner, 0.45 * inner),
        2..=4 => (0.45 * inner, 0.28 * inner),
        _ => (0.6 * inner, 0.17 * inner),
    };
    let mut rings = Vec::with_capacity(holes);
    let mut island_ring = None;
    for k in 0..holes {
        let d = direction((k as f64 + 0.5) / holes as f64);
        let hc = c(center.x + d.x * dist, center.y + d.y * dist);
        let r = hole_r * rng.range(0.7, 1.0);
        let hole = blob(rng, hc, r, hole_n);
        if k == 0 && island {
            island_ring = Some(blob(rng, hc, 0.4 * F_MIN * hole_r, 12));
        }
        rings.push(closed(reversed(hole)));
    }
    let mut out = vec![Polygon::new(closed(outer), rings)];
    if let Some(ring) = island_ring {
        out.push(Polygon::new(closed(ring), vec![]));
    }
    out
}

/// Two polygons filling an organic ring and sharing their dividing line exactly (the same
/// vertices on both sides): (west, east). The line runs from the ring's southernmost to its
/// northernmost vertex, a vertex every `step_m`, wandering at most 3 % of the outline's
/// smallest radius from the centre line, tapering to zero at both ends. When `holes`, each
/// half gets one hole well clear of the line.
fn organic_pair(
    rng: &mut Rng,
    center: Coord<f64>,
    outline: Outline,
    n: usize,
    step_m: f64,
    holes: bool,
) -> (Polygon<f64>, Polygon<f64>) {
    let n = n.max(12).div_ceil(4) * 4;
    let ring = organic_ring(rng, center, outline, n, true);
    let (north, south) = (n / 4, 3 * n / 4);
    let (top, bottom) = (ring[north], ring[south]);
    let wander_m = 0.03 * outline.min_radius_m();
    let ctrl: Vec<f64> = (0..8).map(|_| rng.range(-1.0, 1.0)).collect();
    let len = top.y - bottom.y;
    let mut chord = Vec::new();
    let mut y = bottom.y + step_m;
    while y < top.y - step_m * 0.5 {
        let s = (y - bottom.y) / len;
        let x = center.x + wander_m * 4.0 * s * (1.0 - s) * ring_noise(&ctrl, s * 0.875);
        chord.push(c(x, y));
        y += step_m;
    }
    let mut west: Vec<Coord<f64>> = ring[north..=south].to_vec();
    west.extend(chord.iter().copied());
    let mut east: Vec<Coord<f64>> = ring[south..].to_vec();
    east.extend_from_slice(&ring[..=north]);
    east.extend(chord.iter().rev().copied());
    let inner = inner_radius_m(center, &ring);
    let mut hole = |side: f64| -> Vec<LineString<f64>> {
        if !holes {
            return Vec::new();
        }
        // Clear of the dividing line, which stays within 0.03 × min radius ≤ 0.08 × inner.
        let hc = c(center.x + side * 0.5 * inner, center.y);
        let r = 0.3 * inner * rng.range(0.7, 1.0);
        let n = 16 + rng.below(40);
        vec![closed(reversed(blob(rng, hc, r, n)))]
    };
    let west_holes = hole(-1.0);
    let east_holes = hole(1.0);
    (
        Polygon::new(closed(west), west_holes),
        Polygon::new(closed(east), east_holes),
    )
}

/// A farmland patch in `cell` shrunk by `margin_m`: 5–30 vertices (about 13 on average, most
/// patches being simple), a rotated rectangle- or ellipse-like star ring at 85–100 % of its
/// radius, concave in three cases out of ten; the same recipe as `synth::farmland_patch` with
/// fewer vertices and smaller cells.
fn bench_patch(rng: &mut Rng, cell: &Rect<f64>, margin_m: f64) -> Polygon<f64> {
    let hw = (cell.width() / 2.0 - margin_m).max(1.0);
    let hh = (cell.height() / 2.0 - margin_m).max(1.0);
    let a = hw * rng.range(0.7, 0.98);
    let b = hh * rng.range(0.7, 0.98);
    let outline = if rng.chance(0.6) {
        Outline::Rect { hx_m: a, hy_m: b }
    } else {
        Outline::Ellipse {
            rx_m: a * 1.12,
            ry_m: b * 1.12,
        }
    };
    let n = 5 + rng.below(26).min(rng.below(26));
    let mut ring = star_ring(rng, c(0.0, 0.0), outline, n, (0.85, 1.0)).0;
    ring.pop();
    if n >= 6 && rng.chance(0.3) {
        for _ in 0..1 + rng.below(2) {
            let i = rng.below(n);
            let f = rng.range(0.5, 0.7);
            ring[i] = c(ring[i].x * f, ring[i].y * f);
        }
    }
    let slope = rng.range(-0.35, 0.35);
    let norm = (1.0 + slope * slope).sqrt();
    let (cos, sin) = (1.0 / norm, slope / norm);
    let (mut ex, mut ey) = (0.0f64, 0.0f64);
    for p in &mut ring {
        *p = c(p.x * cos - p.y * sin, p.x * sin + p.y * cos);
        ex = ex.max(p.x.abs());
        ey = ey.max(p.y.abs());
    }
    let k = if ex > hw || ey > hh {
        (hw / ex).min(hh / ey)
    } else {
        1.0
    };
    let (ex, ey) = (ex * k, ey * k);
    let center = cell.center();
    let cx = center.x + rng.range(-1.0, 1.0) * (hw - ex).max(0.0);
    let cy = center.y + rng.range(-1.0, 1.0) * (hh - ey).max(0.0);
    Polygon::new(
        closed(ring.iter().map(|p| c(cx + p.x * k, cy + p.y * k)).collect()),
        vec![],
    )
}

/// A band `half_width_m` either side of a centreline that bends gently (as `synth::band_along`).
fn band(centerline: &[Coord<f64>], half_width_m: f64) -> Polygon<f64> {
    let n = centerline.len();
    let mut right = Vec::with_capacity(n);
    let mut left = Vec::with_capacity(n);
    for i in 0..n {
        let a = centerline[i.saturating_sub(1)];
        let b = centerline[(i + 1).min(n.saturating_sub(1))];
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

// ------------------------------------------------------------------------------------------------
// Placement
// ------------------------------------------------------------------------------------------------

/// Discs placed so far, bucketed on a grid for quick overlap tests.
struct Discs {
    cell_m: f64,
    cols: usize,
    rows: usize,
    buckets: Vec<Vec<usize>>,
    discs: Vec<(Coord<f64>, f64)>,
}

impl Discs {
    fn new(size_m: f64, cell_m: f64) -> Discs {
        let cols = (size_m / cell_m).ceil().max(1.0) as usize;
        Discs {
            cell_m,
            cols,
            rows: cols,
            buckets: vec![Vec::new(); cols * cols],
            discs: Vec::new(),
        }
    }

    fn span(&self, center: Coord<f64>, r: f64) -> (usize, usize, usize, usize) {
        let clamp =
            |v: f64, max: usize| (v / self.cell_m).floor().clamp(0.0, (max - 1) as f64) as usize;
        (
            clamp(center.x - r, self.cols),
            clamp(center.x + r, self.cols),
            clamp(center.y - r, self.rows),
            clamp(center.y + r, self.rows),
        )
    }

    /// True when a disc of radius `r` at `center` keeps `gap_m` from every placed disc.
    fn fits(&self, center: Coord<f64>, r: f64, gap_m: f64) -> bool {
        let (x0, x1, y0, y1) = self.span(center, r + gap_m);
        for row in y0..=y1 {
            for col in x0..=x1 {
                for &i in &self.buckets[row * self.cols + col] {
                    let (q, rq) = self.discs[i];
                    let (dx, dy) = (q.x - center.x, q.y - center.y);
                    let need = r + rq + gap_m;
                    if dx * dx + dy * dy < need * need {
                        return false;
                    }
                }
            }
        }
        true
    }

    fn insert(&mut self, center: Coord<f64>, r: f64) {
        let i = self.discs.len();
        self.discs.push((center, r));
        let (x0, x1, y0, y1) = self.span(center, r);
        for row in y0..=y1 {
            for col in x0..=x1 {
                self.buckets[row * self.cols + col].push(i);
            }
        }
    }
}

/// A random point at least `margin_m` inside the square of side `size_m`.
fn point_in(rng: &mut Rng, size_m: f64, margin_m: f64) -> Coord<f64> {
    let m = margin_m.min(size_m / 2.0 - 1.0).max(0.0);
    c(rng.range(m, size_m - m), rng.range(m, size_m - m))
}

/// A point at distance `dist_m` from `from` in a random direction.
fn point_around(rng: &mut Rng, from: Coord<f64>, dist_m: f64) -> Coord<f64> {
    let d = direction(rng.unit());
    c(from.x + d.x * dist_m, from.y + d.y * dist_m)
}

fn inside_square(p: Coord<f64>, r: f64, size_m: f64) -> bool {
    p.x - r >= 0.0 && p.y - r >= 0.0 && p.x + r <= size_m && p.y + r <= size_m
}

// ------------------------------------------------------------------------------------------------
// Zones and originals
// ------------------------------------------------------------------------------------------------

/// One part of a merged zone as planned.
struct PartPlan {
    /// The zone's feature polygons for this part (two for a part made of a pair).
    polygons: Vec<Polygon<f64>>,
    /// The originals of this part (one each).
    originals: Vec<Polygon<f64>>,
    enclave: bool,
    center: Coord<f64>,
    bound_m: f64,
}

struct ZonePlan {
    id: String,
    parts: Vec<PartPlan>,
    /// Put all plain secondary parts into one multi-polygon feature.
    group_secondaries: bool,
}

fn zone_outline(rng: &mut Rng, r_m: f64) -> Outline {
    if rng.chance(0.5) {
        Outline::Rect {
            hx_m: r_m * rng.range(0.7, 1.0),
            hy_m: r_m * rng.range(0.7, 1.0),
        }
    } else {
        Outline::Ellipse {
            rx_m: r_m * rng.range(0.75, 1.0),
            ry_m: r_m * rng.range(0.75, 1.0),
        }
    }
}

/// Vertices of a ring of radius `r_m` with vertices every 6–15 m (clamped).
fn ring_vertices(rng: &mut Rng, r_m: f64, lo: usize, hi: usize) -> usize {
    let spacing = rng.range(6.0, 15.0);
    ((2.0 * 3.0 * r_m / spacing) as usize).clamp(lo, hi)
}

/// A single (unsplit) part: its polygon (with holes sometimes) and its original, which is the
/// same outline or, one time in two, the outline shrunk by 1–10 % (the zone grew beyond it).
fn single_part(
    rng: &mut Rng,
    center: Coord<f64>,
    outline: Outline,
    n: usize,
    holes: usize,
    enclave: bool,
) -> PartPlan {
    let hole_n = 24 + rng.below(40);
    let polys = organic_with_holes(rng, center, outline, n, holes, hole_n, false);
    let outer: Vec<Coord<f64>> = polys[0].exterior().0.clone();
    let open = &outer[..outer.len().saturating_sub(1)];
    let f = if rng.chance(0.5) {
        1.0
    } else {
        rng.range(0.9, 0.99)
    };
    let original = Polygon::new(closed(scaled(open, center, f)), vec![]);
    PartPlan {
        polygons: polys,
        originals: vec![original],
        enclave,
        center,
        bound_m: bound_m(&outline),
    }
}

/// A part made of two originals sharing an edge; the zone lists both halves as features.
fn paired_part(rng: &mut Rng, center: Coord<f64>, outline: Outline, n: usize) -> PartPlan {
    let step = rng.range(15.0, 40.0);
    let (west, east) = organic_pair(rng, center, outline, n, step, false);
    PartPlan {
        polygons: vec![west.clone(), east.clone()],
        originals: vec![west, east],
        enclave: false,
        center,
        bound_m: bound_m(&outline),
    }
}

/// Places a zone's main part (`z`: the zone's number; the first zones of a region come in
/// touching pairs): its centre, its bound (m) and its part plan(s) — two for a touching pair,
/// whose halves share one split ring. `None` when no free place was found.
fn main_parts(
    spec: &RegionSpec,
    rng: &mut Rng,
    discs: &mut Discs,
    z: usize,
) -> Option<(Coord<f64>, f64, Vec<PartPlan>)> {
    let size = spec.size_m;
    let pair = z / 2 < spec.touching_pairs && z + 1 < spec.zones;
    let r_main = rng.range(700.0, 2_000.0);
    let outline = if pair {
        Outline::Ellipse {
            rx_m: r_main * rng.range(1.2, 1.5),
            ry_m: r_main,
        }
    } else {
        zone_outline(rng, r_main)
    };
    let bound = bound_m(&outline);
    let mut center = None;
    for _ in 0..500 {
        let p = point_in(rng, size, bound + 500.0);
        if discs.fits(p, bound, 300.0) {
            center = Some(p);
            break;
        }
    }
    let center = center?;
    discs.insert(center, bound);
    let n = ring_vertices(rng, bound, 64, 2_000);
    let mains: Vec<PartPlan> = if pair {
        let step = rng.range(10.0, 30.0);
        let (west, east) = organic_pair(rng, center, outline, n, step, false);
        [west, east]
            .into_iter()
            .map(|p| PartPlan {
                polygons: vec![p.clone()],
                originals: vec![p],
                enclave: false,
                center,
                bound_m: bound,
            })
            .collect()
    } else if rng.chance(0.2) {
        vec![paired_part(rng, center, outline, n)]
    } else {
        let holes = if rng.chance(0.2) { 1 + rng.below(2) } else { 0 };
        vec![single_part(rng, center, outline, n, holes, false)]
    };
    Some((center, bound, mains))
}

/// Where a zone's further part goes: around the main part (`center`, `bound` m) at a gap drawn
/// from `gap_m`, or, for an enclave, anywhere at least `enclave_min_m` from the centre.
struct Place {
    center: Coord<f64>,
    bound: f64,
    gap_m: (f64, f64),
    enclave_min_m: f64,
}

/// A further part of a zone (a satellite, a fragment or an enclave) of `outline` placed as
/// `place` says on free ground; `None` when 200 tries found none.
fn further_part(
    rng: &mut Rng,
    discs: &mut Discs,
    size: f64,
    place: &Place,
    outline: Outline,
    fragment: bool,
    enclave: bool,
) -> Option<PartPlan> {
    let b = bound_m(&outline);
    let center = place.center;
    let mut at = None;
    for _ in 0..200 {
        let p = if enclave {
            point_in(rng, size, b + 200.0)
        } else {
            let d = place.bound + b + rng.range(place.gap_m.0, place.gap_m.1);
            point_around(rng, center, d)
        };
        let far_enough = !enclave || {
            let (dx, dy) = (p.x - center.x, p.y - center.y);
            dx * dx + dy * dy > place.enclave_min_m * place.enclave_min_m
        };
        if far_enough && inside_square(p, b + 100.0, size) && discs.fits(p, b, 60.0) {
            at = Some(p);
            break;
        }
    }
    let p = at?;
    discs.insert(p, b);
    let n = if fragment {
        12 + rng.below(8)
    } else {
        ring_vertices(rng, b, 32, 1_200)
    };
    Some(if !fragment && !enclave && rng.chance(0.1) {
        paired_part(rng, p, outline, n)
    } else {
        single_part(rng, p, outline, n, 0, enclave)
    })
}

/// Plans every merged zone of a region: main parts placed without overlap (touching pairs
/// share one split ring), further parts around them, fragments, enclaves far away.
fn plan_zones(spec: &RegionSpec, rng: &mut Rng, discs: &mut Discs, ids: &Ids) -> Vec<ZonePlan> {
    let size = spec.size_m;
    let mut zones: Vec<ZonePlan> = Vec::new();
    let mut z = 0usize;
    while z < spec.zones {
        let Some((center, bound, mains)) = main_parts(spec, rng, discs, z) else {
            break;
        };
        for main in mains {
            let k = if z == 0 {
                spec.max_parts
            } else {
                (1 + (spec.max_parts as f64 * rng.unit().powf(spec.part_skew)) as usize)
                    .min(spec.max_parts)
            };
            let mut parts = vec![main];
            let mut fragment_done = false;
            for j in 1..k {
                let enclave = j == k - 1 && k >= 3 && rng.chance(0.3);
                let fragment = !enclave && !fragment_done && rng.chance(0.12);
                fragment_done |= fragment;
                let r = if fragment {
                    rng.range(40.0, 55.0)
                } else {
                    rng.range(150.0, 700.0)
                };
                let outline = if fragment {
                    Outline::Ellipse { rx_m: r, ry_m: r }
                } else {
                    zone_outline(rng, r)
                };
                let place = Place {
                    center,
                    bound,
                    gap_m: (80.0, 2_500.0),
                    enclave_min_m: 8_000.0,
                };
                let Some(part) = further_part(rng, discs, size, &place, outline, fragment, enclave)
                else {
                    continue;
                };
                parts.push(part);
            }
            zones.push(ZonePlan {
                id: ids.zone(z),
                parts,
                group_secondaries: rng.chance(0.3),
            });
            z += 1;
        }
    }
    zones
}

/// A corridor part (a road or canal strip a zone was given): a band `40–140` m either side of
/// a centreline of 2–9.5 km that starts 250–1 500 m from `(from, from_bound_m)` in a random
/// direction and bends smoothly, never more than ±0.08 of a turn from its first heading (so it
/// runs on and never crosses itself). `None` when no free strip was found.
fn corridor_part(
    rng: &mut Rng,
    discs: &mut Discs,
    size_m: f64,
    from: Coord<f64>,
    from_bound_m: f64,
) -> Option<PartPlan> {
    const STEP_M: f64 = 50.0;
    const GAP_M: f64 = 60.0;
    for _ in 0..20 {
        let half_width = rng.range(40.0, 140.0);
        let length = rng.range(2_000.0, 9_500.0);
        let heading = rng.unit();
        let gap = rng.range(250.0, 1_500.0);
        let start = point_around(rng, from, from_bound_m + gap);
        let steps = (length / STEP_M) as usize;
        let m = 3 + (length / 3_000.0) as usize;
        let ctrl: Vec<f64> = (0..m).map(|_| rng.range(-0.08, 0.08)).collect();
        let mut line = Vec::with_capacity(steps + 1);
        let mut p = start;
        line.push(p);
        for i in 0..steps {
            let s = i as f64 / steps as f64 * (m - 1) as f64 / m as f64;
            let d = direction(heading + ring_noise(&ctrl, s));
            p = c(p.x + d.x * STEP_M, p.y + d.y * STEP_M);
            line.push(p);
        }
        // Discs of radius half width + 50 m every 100 m cover the band.
        let r = half_width + STEP_M;
        let free = line
            .iter()
            .step_by(2)
            .all(|q| inside_square(*q, r + 200.0, size_m) && discs.fits(*q, r, GAP_M));
        if !free {
            continue;
        }
        for q in line.iter().step_by(2) {
            discs.insert(*q, r);
        }
        let poly = band(&line, half_width);
        let center = line[line.len() / 2];
        return Some(PartPlan {
            polygons: vec![poly.clone()],
            originals: vec![poly],
            enclave: false,
            center,
            bound_m: r,
        });
    }
    None
}

/// Plans the merged zones of a spread region, as real plans are: a main part (touching pairs
/// of zones share one split ring, as in [`plan_zones`]); then per further part an enclave
/// (the last of three or more, one time in three: ≥ 40 km away, mostly in another county), a
/// corridor ([`corridor_part`], three times in ten), a fragment under 1 ha near the main part,
/// or a satellite part 1–12 km away (another township) or, two times in five, 12–45 km away
/// (across its county or in the next).
fn plan_spread_zones(
    spec: &RegionSpec,
    rng: &mut Rng,
    discs: &mut Discs,
    ids: &Ids,
) -> Vec<ZonePlan> {
    let size = spec.size_m;
    let mut zones: Vec<ZonePlan> = Vec::new();
    let mut z = 0usize;
    while z < spec.zones {
        let Some((center, bound, mains)) = main_parts(spec, rng, discs, z) else {
            break;
        };
        for main in mains {
            let k = if z == 0 {
                spec.max_parts
            } else {
                (1 + (spec.max_parts as f64 * rng.unit().powf(spec.part_skew)) as usize)
                    .min(spec.max_parts)
            };
            let mut parts = vec![main];
            let mut fragment_done = false;
            for j in 1..k {
                let enclave = j == k - 1 && k >= 3 && rng.chance(0.35);
                if !enclave && rng.chance(0.3) {
                    if let Some(part) = corridor_part(rng, discs, size, center, bound) {
                        parts.push(part);
                    }
                    continue;
                }
                let fragment = !enclave && !fragment_done && rng.chance(0.12);
                fragment_done |= fragment;
                let r = if fragment {
                    rng.range(40.0, 55.0)
                } else {
                    rng.range(200.0, 900.0)
                };
                let outline = if fragment {
                    Outline::Ellipse { rx_m: r, ry_m: r }
                } else {
                    zone_outline(rng, r)
                };
                let (near_m, far_m) = if fragment {
                    (80.0, 600.0)
                } else if rng.chance(0.4) {
                    (12_000.0, 45_000.0)
                } else {
                    (1_000.0, 12_000.0)
                };
                let place = Place {
                    center,
                    bound,
                    gap_m: (near_m, far_m),
                    enclave_min_m: 40_000.0,
                };
                let Some(part) = further_part(rng, discs, size, &place, outline, fragment, enclave)
                else {
                    continue;
                };
                parts.push(part);
            }
            zones.push(ZonePlan {
                id: ids.zone(z),
                parts,
                group_secondaries: rng.chance(0.3),
            });
            z += 1;
        }
    }
    zones
}

/// Ids of a region's features: county tiles prefix their tile number.
struct Ids {
    tile: Option<usize>,
}

impl Ids {
    fn zone(&self, k: usize) -> String {
        match self.tile {
            Some(t) => format!("M{t:02}{:02}", k + 1),
            None => format!("M{:03}", k + 1),
        }
    }

    fn original(&self, k: usize) -> String {
        match self.tile {
            Some(t) => format!("Y{t:02}{:03}", k + 1),
            None => format!("Y{:04}", k + 1),
        }
    }
}

// ------------------------------------------------------------------------------------------------
// Writing a region
// ------------------------------------------------------------------------------------------------

/// Farmland grid: cell side and the gap kept inside each cell.
const FARM_CELL_M: f64 = 120.0;
const FARM_MARGIN_M: f64 = 3.0;
/// Density field grid and the density factor inside zones.
const DENSITY_CELL_M: f64 = 6_000.0;
const DENSITY_IN_ZONES: f64 = 0.3;

/// What [`generate_region`] made.
struct RegionOut {
    /// Merged zones.
    zones: u64,
    /// Farmland patches near a zone part (see [`BenchSummary::near_zone_patches`]); counted
    /// for [`Layout::Spread`] regions only.
    near_zone_patches: Option<u64>,
}

/// The default reach of the check's bridging (`rules.max_bridged_gap_m`, 100 m; the
/// contiguity distance is 0 by default): the spatial filter grows each part's box by it.
const DEFAULT_REACH_M: f64 = 100.0;

/// The area the check's spatial filter keeps around a zone part whose box (world coordinates)
/// is `b`: the close-up map's area, and the box grown by [`DEFAULT_REACH_M`].
fn filter_box(b: Rect<f64>) -> Rect<f64> {
    let n = map_view_rect(b);
    Rect::new(
        c(
            n.min().x.min(b.min().x - DEFAULT_REACH_M),
            n.min().y.min(b.min().y - DEFAULT_REACH_M),
        ),
        c(
            n.max().x.max(b.max().x + DEFAULT_REACH_M),
            n.max().y.max(b.max().y + DEFAULT_REACH_M),
        ),
    )
}

/// Generates one region into the writers.
fn generate_region(
    spec: &RegionSpec,
    region: &Region,
    w: &mut Writers,
) -> Result<RegionOut, String> {
    let frame = region.frame;
    let ids = Ids { tile: region.tile };
    let county_at = |p: Coord<f64>| -> &'static County {
        if spec.county_blocks {
            let col = ((p.x / COUNTY_SIZE_M).floor().max(0.0) as usize).min(4);
            let row = ((p.y / COUNTY_SIZE_M).floor().max(0.0) as usize).min(4);
            &COUNTIES[row * 5 + col]
        } else {
            &COUNTIES[region.tile.unwrap_or(0) % COUNTIES.len()]
        }
    };

    // Zones and their originals.
    let mut zone_discs = Discs::new(spec.size_m, 5_000.0);
    let mut rng = stream(region.seed, 1);
    let zones = match spec.layout {
        Layout::Clustered => plan_zones(spec, &mut rng, &mut zone_discs, &ids),
        Layout::Spread => plan_spread_zones(spec, &mut rng, &mut zone_discs, &ids),
    };
    // The filter's areas around every part (parts lie ≥ 60 m apart, so each is one part of
    // its dissolved zone; the two halves of a paired part make one).
    let near = (spec.layout == Layout::Spread).then(|| {
        let boxes: Vec<Rect<f64>> = zones
            .iter()
            .flat_map(|z| &z.parts)
            .filter_map(|part| {
                let world = frame.multi(&MultiPolygon(part.polygons.clone()));
                world.bounding_rect().map(filter_box)
            })
            .collect();
        Roi::new(boxes)
    });
    let mut attr_rng = stream(region.seed, 2);
    let mut original_serial = 0usize;
    // Plain part outlines (local), for the farmland density and for placing conflicts.
    let mut part_polys: Vec<Polygon<f64>> = Vec::new();
    let mut part_discs: Vec<(Coord<f64>, f64)> = Vec::new();
    for zone in &zones {
        let main_center = zone.parts.first().map_or(c(0.0, 0.0), |p| p.center);
        let home = county_at(main_center);
        let kind = ZONE_KINDS[attr_rng.below(ZONE_KINDS.len())];
        let name = format!("{}{}", home.short, kind);
        let mut members = Vec::new();
        let mut best_level = LEVELS.len() - 1;
        for part in &zone.parts {
            for orig in &part.originals {
                let id = ids.original(original_serial);
                original_serial += 1;
                let level = attr_rng.below(LEVELS.len());
                best_level = best_level.min(level);
                let oname = format!(
                    "{}{}",
                    place_name(attr_rng.next_u64()),
                    ZONE_KINDS[attr_rng.below(ZONE_KINDS.len())]
                );
                w.originals.push(
                    &frame.multi(&MultiPolygon(vec![orig.clone()])),
                    &[&id, &oname, LEVELS[level], "整合优化"],
                )?;
                members.push(id);
            }
            for p in &part.polygons {
                part_polys.push(Polygon::new(p.exterior().clone(), vec![]));
            }
            part_discs.push((part.center, part.bound_m));
        }
        let n_ind = 2 + attr_rng.below(3);
        let start = attr_rng.below(INDUSTRIES.len());
        let industries: Vec<&str> = (0..n_ind)
            .map(|i| INDUSTRIES[(start + i * 5) % INDUSTRIES.len()])
            .collect();
        let industries = industries.join("、");
        let members = members.join(",");
        let values = |enclave: bool| -> [String; 8] {
            [
                zone.id.clone(),
                name.clone(),
                LEVELS[best_level].to_string(),
                home.city.to_string(),
                home.name.to_string(),
                members.clone(),
                industries.clone(),
                if enclave { "是" } else { "" }.to_string(),
            ]
        };
        let mut grouped: Vec<Polygon<f64>> = Vec::new();
        for (j, part) in zone.parts.iter().enumerate() {
            let plain = j > 0 && !part.enclave && part.polygons.len() == 1;
            if zone.group_secondaries && plain {
                grouped.extend(part.polygons.iter().cloned());
                continue;
            }
            let v = values(part.enclave);
            let v: Vec<&str> = v.iter().map(String::as_str).collect();
            if part.polygons.len() == 2 {
                for p in &part.polygons {
                    w.zones
                        .push(&frame.multi(&MultiPolygon(vec![p.clone()])), &v)?;
                }
            } else {
                w.zones
                    .push(&frame.multi(&MultiPolygon(part.polygons.clone())), &v)?;
            }
        }
        if !grouped.is_empty() {
            let v = values(false);
            let v: Vec<&str> = v.iter().map(String::as_str).collect();
            w.zones.push(&frame.multi(&MultiPolygon(grouped)), &v)?;
        }
    }
    // Originals in no merged zone.
    for k in 0..spec.unassigned_originals {
        let r = rng.range(300.0, 900.0);
        let mut at = None;
        for _ in 0..300 {
            let p = point_in(&mut rng, spec.size_m, r + 200.0);
            if zone_discs.fits(p, r, 300.0) {
                at = Some(p);
                break;
            }
        }
        let Some(p) = at else { continue };
        zone_discs.insert(p, r);
        let n = ring_vertices(&mut rng, r, 32, 600);
        let ring = blob(&mut rng, p, r, n);
        let status = ["淘汰撤销", "转型提升", "整合优化"][k % 3];
        let id = ids.original(original_serial);
        original_serial += 1;
        let name = format!("{}工业功能区", place_name(attr_rng.next_u64()));
        let level = LEVELS[4 + attr_rng.below(2)];
        w.originals.push(
            &frame.multi(&MultiPolygon(vec![Polygon::new(closed(ring), vec![])])),
            &[&id, &name, level, status],
        )?;
    }

    write_redlines(spec, region, &part_discs, w, &county_at)?;
    write_water(spec, region, &part_discs, w, &county_at)?;
    let near_zone_patches =
        write_farmland(spec, region, &part_polys, near.as_ref(), w, &county_at)?;
    Ok(RegionOut {
        zones: zones.len() as u64,
        near_zone_patches: near.map(|_| near_zone_patches),
    })
}

/// Red-line vertex count: log-uniform 450–5 500 (96 %) or 5 500–20 000 (4 %).
fn redline_vertices(rng: &mut Rng) -> usize {
    let (lo, hi) = if rng.chance(0.96) {
        (450.0f64, 5_500.0f64)
    } else {
        (5_500.0, 20_000.0)
    };
    // lo · (hi/lo)^u without exp/ln: repeated square roots give the power exactly enough.
    let u = rng.unit();
    (lo * pow_frac(hi / lo, u)) as usize
}

/// `base^u` for `u` in [0, 1) by binary expansion of `u` with square roots (only `× sqrt`).
fn pow_frac(base: f64, u: f64) -> f64 {
    let mut out = 1.0;
    let mut root = base;
    let mut rest = u;
    for _ in 0..40 {
        root = root.sqrt();
        rest *= 2.0;
        if rest >= 1.0 {
            out *= root;
            rest -= 1.0;
        }
    }
    out
}

fn write_redlines(
    spec: &RegionSpec,
    region: &Region,
    part_discs: &[(Coord<f64>, f64)],
    w: &mut Writers,
    county_at: &dyn Fn(Coord<f64>) -> &'static County,
) -> Result<(), String> {
    let mut rng = stream(region.seed, 3);
    let mut discs = Discs::new(spec.size_m, 5_000.0);
    let mut written = 0usize;
    let mut serial = 0usize;
    let mut attempts = 0usize;
    while written < spec.redlines && attempts < spec.redlines * 50 {
        attempts += 1;
        let pair = written + 2 <= spec.redlines && rng.chance(0.15);
        let n = if written == 0 && spec.largest_redline_vertices > 0 {
            spec.largest_redline_vertices
        } else {
            redline_vertices(&mut rng)
        };
        let r = 30.0 * (n as f64).sqrt() * rng.range(0.8, 1.2);
        let outline = Outline::Ellipse {
            rx_m: r * rng.range(0.6, 1.0),
            ry_m: r * rng.range(0.6, 1.0),
        };
        let b = bound_m(&outline);
        // One in four near a zone part (so zones meet red lines), the rest anywhere.
        let mut at = None;
        let hot = !part_discs.is_empty() && rng.chance(0.25);
        for _ in 0..30 {
            let p = if hot {
                let (pc, pr) = part_discs[rng.below(part_discs.len())];
                let d = pr + b * rng.range(0.3, 0.9);
                point_around(&mut rng, pc, d)
            } else {
                point_in(&mut rng, spec.size_m, b)
            };
            if inside_square(p, b, spec.size_m) && discs.fits(p, b, 20.0) {
                at = Some(p);
                break;
            }
        }
        let Some(p) = at else { continue };
        discs.insert(p, b);
        let home = county_at(p);
        let kind = REDLINE_TYPES[rng.below(REDLINE_TYPES.len())];
        let mut emit = |polys: Vec<Polygon<f64>>, rng: &mut Rng, suffix: &str| {
            serial += 1;
            let bsm = format!("{}HX{serial:05}", home.code);
            let name = format!(
                "{}{}{}生态保护红线{suffix}",
                home.short,
                place_name(rng.next_u64()),
                ["山地", "湿地", "森林", "水库"][rng.below(4)]
            );
            w.redline.push(
                &region.frame.multi(&MultiPolygon(polys)),
                &[&bsm, &name, kind],
            )
        };
        if pair {
            let holes = rng.chance(0.5);
            let step = rng.range(5.0, 15.0);
            let (west, east) = organic_pair(&mut rng, p, outline, n, step, holes);
            emit(vec![west], &mut rng, "（西片）")?;
            emit(vec![east], &mut rng, "（东片）")?;
            written += 2;
        } else {
            let holes = if rng.chance(0.6) { 1 + rng.below(8) } else { 0 };
            let hole_n = (n / 12).clamp(16, 300);
            let island = holes > 0 && rng.chance(0.15);
            let polys = organic_with_holes(&mut rng, p, outline, n, holes, hole_n, island);
            emit(polys, &mut rng, "")?;
            written += 1;
        }
    }
    Ok(())
}

const WATER_CLASSES: [&str; 3] = ["一级保护区", "二级保护区", "准保护区"];

fn write_water(
    spec: &RegionSpec,
    region: &Region,
    part_discs: &[(Coord<f64>, f64)],
    w: &mut Writers,
    county_at: &dyn Fn(Coord<f64>) -> &'static County,
) -> Result<(), String> {
    let mut rng = stream(region.seed, 4);
    let size = spec.size_m;
    let mut serial = 0usize;
    // Rivers: roughly west to east, each in its own band of latitude, bending gently.
    let mut discs = Discs::new(size, 5_000.0);
    let step = 100.0;
    for k in 0..spec.rivers {
        let band_h = size / spec.rivers as f64;
        let y0 = (k as f64 + 0.5) * band_h;
        let half_width = rng.range(40.0, 120.0);
        let limit = (band_h / 2.0 - 800.0).max(200.0);
        let mut line = Vec::new();
        let (mut y, mut slope) = (y0 + rng.range(-0.3, 0.3) * limit, rng.range(-0.1, 0.1));
        let mut x = 0.0;
        while x <= size {
            line.push(c(x, y));
            slope = (slope + rng.range(-0.04, 0.04)).clamp(-0.3, 0.3);
            if (y - y0).abs() > limit {
                slope = if y > y0 { -0.1 } else { 0.1 };
            }
            y += slope * step;
            x += step;
        }
        for p in line.iter().step_by(5) {
            discs.insert(*p, half_width + 300.0);
        }
        let home = county_at(line[line.len() / 2]);
        serial += 1;
        let id = format!("{}SY{serial:04}", home.code);
        let name = format!("{}江饮用水水源保护区", place_name(rng.next_u64()));
        w.water.push(
            &region
                .frame
                .multi(&MultiPolygon(vec![band(&line, half_width)])),
            &[&id, &name, WATER_CLASSES[1]],
        )?;
    }
    // Reservoirs: three nested class rings sharing their boundaries.
    let mut placed = 0usize;
    let mut attempts = 0usize;
    while placed < spec.reservoirs && attempts < spec.reservoirs * 100 {
        attempts += 1;
        let r = rng.range(400.0, 2_200.0);
        let outline = Outline::Ellipse {
            rx_m: r * rng.range(0.6, 1.0),
            ry_m: r * rng.range(0.6, 1.0),
        };
        let b = bound_m(&outline);
        let hot = !part_discs.is_empty() && rng.chance(0.3);
        let p = if hot {
            let (pc, pr) = part_discs[rng.below(part_discs.len())];
            let d = pr + b * rng.range(0.4, 0.9);
            point_around(&mut rng, pc, d)
        } else {
            point_in(&mut rng, size, b)
        };
        if !inside_square(p, b, size) || !discs.fits(p, b, 100.0) {
            continue;
        }
        discs.insert(p, b);
        placed += 1;
        let n = ring_vertices(&mut rng, b, 60, 900);
        let outer = organic_ring(&mut rng, p, outline, n, false);
        let second = scaled(&outer, p, rng.range(0.72, 0.85));
        let first = scaled(&outer, p, rng.range(0.4, 0.6));
        let home = county_at(p);
        let lake = format!("{}水库", place_name(rng.next_u64()));
        let rings = [
            Polygon::new(closed(first.clone()), vec![]),
            Polygon::new(closed(second.clone()), vec![closed(reversed(first))]),
            Polygon::new(closed(outer), vec![closed(reversed(second))]),
        ];
        for (poly, class) in rings.into_iter().zip(WATER_CLASSES) {
            serial += 1;
            let id = format!("{}SY{serial:04}", home.code);
            let name = format!("{lake}饮用水水源{class}");
            w.water.push(
                &region.frame.multi(&MultiPolygon(vec![poly])),
                &[&id, &name, class],
            )?;
        }
    }
    Ok(())
}

/// Smooth density field in [0, 1]: value noise on a `DENSITY_CELL_M` grid.
fn density(seed: u64, p: Coord<f64>) -> f64 {
    let gx = p.x / DENSITY_CELL_M;
    let gy = p.y / DENSITY_CELL_M;
    let (ix, iy) = (gx.floor().max(0.0), gy.floor().max(0.0));
    let (fx, fy) = (gx - ix, gy - iy);
    let (ix, iy) = (ix as u32, iy as u32);
    let node = |x: u32, y: u32| Rng::for_cell(seed, x, y).unit();
    let s = |t: f64| t * t * (3.0 - 2.0 * t);
    let (sx, sy) = (s(fx), s(fy));
    let a = node(ix, iy) + (node(ix + 1, iy) - node(ix, iy)) * sx;
    let b = node(ix, iy + 1) + (node(ix + 1, iy + 1) - node(ix, iy + 1)) * sx;
    a + (b - a) * sy
}

/// Zone part outlines bucketed on a grid, for "is this point in a zone".
struct PolyGrid<'a> {
    cell_m: f64,
    cols: usize,
    buckets: Vec<Vec<usize>>,
    polys: &'a [Polygon<f64>],
}

impl<'a> PolyGrid<'a> {
    fn new(polys: &'a [Polygon<f64>], size_m: f64, cell_m: f64) -> PolyGrid<'a> {
        let cols = (size_m / cell_m).ceil().max(1.0) as usize;
        let mut buckets = vec![Vec::new(); cols * cols];
        let cell = |v: f64| (v / cell_m).floor().clamp(0.0, (cols - 1) as f64) as usize;
        for (i, p) in polys.iter().enumerate() {
            let Some(r) = p.bounding_rect() else { continue };
            for row in cell(r.min().y)..=cell(r.max().y) {
                for col in cell(r.min().x)..=cell(r.max().x) {
                    buckets[row * cols + col].push(i);
                }
            }
        }
        PolyGrid {
            cell_m,
            cols,
            buckets,
            polys,
        }
    }

    fn contains(&self, p: Coord<f64>) -> bool {
        let cell = |v: f64| (v / self.cell_m).floor().clamp(0.0, (self.cols - 1) as f64) as usize;
        self.buckets[cell(p.y) * self.cols + cell(p.x)]
            .iter()
            .any(|&i| self.polys[i].contains(&Point(p)))
    }
}

const FARM_TYPES: [(&str, &str); 3] = [("0101", "水田"), ("0102", "水浇地"), ("0103", "旱地")];

/// Writes the farmland; returns how many patches meet `near` (0 without it).
fn write_farmland(
    spec: &RegionSpec,
    region: &Region,
    zone_parts: &[Polygon<f64>],
    near: Option<&Roi>,
    w: &mut Writers,
    county_at: &dyn Fn(Coord<f64>) -> &'static County,
) -> Result<u64, String> {
    let seed = mix64(region.seed ^ 6);
    let density_seed = mix64(region.seed ^ 7);
    let in_zone = PolyGrid::new(zone_parts, spec.size_m, 1_000.0);
    let cells = (spec.size_m / FARM_CELL_M).floor() as u32;
    let (lo, hi) = spec.farm_density;
    let mut serial = 0u64;
    let mut near_count = 0u64;
    for row in 0..cells {
        for col in 0..cells {
            let x0 = f64::from(col) * FARM_CELL_M;
            let y0 = f64::from(row) * FARM_CELL_M;
            let cell = Rect::new(c(x0, y0), c(x0 + FARM_CELL_M, y0 + FARM_CELL_M));
            let mut rng = Rng::for_cell(seed, col, row);
            let center = cell.center();
            let mut p = lo + (hi - lo) * density(density_seed, center);
            if in_zone.contains(center) {
                p *= DENSITY_IN_ZONES;
            } else if let Some(roi) = near {
                let world = Rect::new(
                    region.frame.to_world(cell.min()),
                    region.frame.to_world(cell.max()),
                );
                if roi.meets(&world) {
                    p *= spec.farm_near_zones;
                }
            }
            if !rng.chance(p) {
                continue;
            }
            let patch = region
                .frame
                .polygon(&bench_patch(&mut rng, &cell, FARM_MARGIN_M));
            if let (Some(roi), Some(b)) = (near, patch.bounding_rect()) {
                near_count += u64::from(roi.meets(&b));
            }
            let home = county_at(center);
            // Townships on an 8 km grid within the county block, villages on 2 km.
            let (tx, ty) = (
                ((center.x % COUNTY_SIZE_M) / 8_000.0) as u64,
                ((center.y % COUNTY_SIZE_M) / 8_000.0) as u64,
            );
            let town_no = ty * 5 + tx;
            let (vx, vy) = ((center.x / 2_000.0) as u64, (center.y / 2_000.0) as u64);
            let county_key = home.code.parse::<u64>().unwrap_or(0);
            let town = place_name(county_key * 100 + town_no);
            let town_kind = if town_no % 4 == 0 { "街道" } else { "镇" };
            let village = place_name((county_key << 40) ^ (vx << 20) ^ vy ^ 0x5649);
            serial += 1;
            let bsm = format!("{}{:012}", home.code, serial);
            let (dlbm, dlmc) = FARM_TYPES[match rng.below(20) {
                0..=11 => 0,
                12..=13 => 1,
                _ => 2,
            }];
            let tbmj = format!("{:.2}", ring_area_m2(&patch.exterior().0));
            let xzqdm = format!("{}{:03}", home.code, 100 + town_no);
            let zldwmc = format!("{town}{town_kind}{village}村");
            w.farmland.push(
                &MultiPolygon(vec![patch]),
                &[&bsm, dlbm, dlmc, &tbmj, &xzqdm, &zldwmc],
            )?;
        }
    }
    Ok(near_count)
}

/// Area of a closed ring (shoelace relative to its first point, for precision).
fn ring_area_m2(ring: &[Coord<f64>]) -> f64 {
    let Some(o) = ring.first() else {
        return 0.0;
    };
    let s: f64 = ring
        .windows(2)
        .map(|w| (w[0].x - o.x) * (w[1].y - o.y) - (w[1].x - o.x) * (w[0].y - o.y))
        .sum();
    (s / 2.0).abs()
}

// ------------------------------------------------------------------------------------------------
// Streaming shapefile writer
// ------------------------------------------------------------------------------------------------

/// dBASE column kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Col {
    Text(u8),
    Number(u8, u8),
}

/// One layer written record by record through [`ShapefileWriter`]: GBK attributes, EPSG:4549
/// (`.prj`), the fixed `.dbf` date of the sample ([`DBF_DATE`]).
struct ShpStream {
    file_name: &'static str,
    path: PathBuf,
    writer: ShapefileWriter,
}

fn io_err(what: &str, path: &Path, e: impl std::fmt::Display) -> String {
    format!("cannot write {what} ({e}): {}", path.display())
}

impl ShpStream {
    fn create(
        dir: &Path,
        file_name: &'static str,
        fields: &[(&'static str, Col)],
    ) -> Result<ShpStream, String> {
        let path = dir.join(file_name);
        let specs: Vec<FieldSpec> = fields
            .iter()
            .map(|&(name, col)| FieldSpec {
                name: name.to_string(),
                kind: match col {
                    Col::Text(w) => FieldKind::Text(w),
                    Col::Number(width, decimals) => FieldKind::Number { width, decimals },
                },
            })
            .collect();
        let mut writer = ShapefileWriter::create(&path, &specs, OutEncoding::Gbk)
            .map_err(|e| io_err("a layer", &path, e))?;
        writer.set_dbf_date(DBF_DATE.0, DBF_DATE.1, DBF_DATE.2);
        Ok(ShpStream {
            file_name,
            path,
            writer,
        })
    }

    /// Appends one feature: its polygons (world coordinates) and one value per field.
    fn push(&mut self, geom: &MultiPolygon<f64>, values: &[&str]) -> Result<(), String> {
        self.writer
            .push(geom, values)
            .map_err(|e| format!("{}: {e}", self.file_name))
    }

    /// Completes the layer: headers, files renamed into place, `.cpg` and `.prj`.
    fn finish(self) -> Result<LayerSummary, String> {
        let counts = self
            .writer
            .finish(Some(PRJ_CGCS2000_GK_CM_120E))
            .map_err(|e| io_err("a layer", &self.path, e))?;
        Ok(LayerSummary {
            file_name: self.file_name,
            features: counts.records,
            polygons: counts.polygons,
            rings: counts.rings,
            // Each ring's closing point repeats its first.
            vertices: counts.points - counts.rings,
        })
    }
}

/// The five layers of a benchmark dataset.
struct Writers {
    zones: ShpStream,
    originals: ShpStream,
    redline: ShpStream,
    farmland: ShpStream,
    water: ShpStream,
}

impl Writers {
    fn create(dir: &Path) -> Result<Writers, String> {
        Ok(Writers {
            zones: ShpStream::create(
                dir,
                "merged_zones.shp",
                &[
                    ("ID", Col::Text(10)),
                    ("MC", Col::Text(60)),
                    ("LEVEL", Col::Text(40)),
                    ("CITY", Col::Text(20)),
                    ("COUNTY", Col::Text(20)),
                    ("MEMBERS", Col::Text(254)),
                    ("INDUSTRIES", Col::Text(100)),
                    ("ENCLAVE", Col::Text(4)),
                ],
            )?,
            originals: ShpStream::create(
                dir,
                "original_zones.shp",
                &[
                    ("ID", Col::Text(10)),
                    ("MC", Col::Text(60)),
                    ("LEVEL", Col::Text(40)),
                    ("STATUS", Col::Text(20)),
                ],
            )?,
            redline: ShpStream::create(
                dir,
                "redline.shp",
                &[
                    ("BSM", Col::Text(20)),
                    ("MC", Col::Text(80)),
                    ("HXLX", Col::Text(30)),
                ],
            )?,
            farmland: ShpStream::create(
                dir,
                "farmland.shp",
                &[
                    ("BSM", Col::Text(20)),
                    ("DLBM", Col::Text(4)),
                    ("DLMC", Col::Text(10)),
                    ("TBMJ", Col::Number(15, 2)),
                    ("XZQDM", Col::Text(12)),
                    ("ZLDWMC", Col::Text(40)),
                ],
            )?,
            water: ShpStream::create(
                dir,
                "water.shp",
                &[
                    ("ID", Col::Text(20)),
                    ("MC", Col::Text(80)),
                    ("CLASS", Col::Text(20)),
                ],
            )?,
        })
    }

    fn finish(self) -> Result<Vec<LayerSummary>, String> {
        Ok(vec![
            self.zones.finish()?,
            self.originals.finish()?,
            self.redline.finish()?,
            self.farmland.finish()?,
            self.water.finish()?,
        ])
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use zonecheck::io::shp::read_shapefile;
    use zonecheck::model::RawShape;

    #[test]
    fn scale_names_round_trip() {
        for s in Scale::ALL {
            assert_eq!(Scale::from_name(s.name()), Some(s));
            assert_eq!(s.name().parse::<Scale>().unwrap(), s);
        }
        assert!("city".parse::<Scale>().is_err());
    }

    #[test]
    fn pow_frac_matches_powf() {
        for u in [0.0, 0.1, 0.5, 0.9, 0.999] {
            let want = 12.5f64.powf(u);
            assert!((pow_frac(12.5, u) - want).abs() < 1e-9 * want, "{u}");
        }
    }

    #[test]
    fn pair_halves_share_their_line_and_fill_the_ring() {
        let mut rng = Rng::new(7);
        let outline = Outline::Ellipse {
            rx_m: 1_500.0,
            ry_m: 1_000.0,
        };
        let (w, e) = organic_pair(&mut rng, c(0.0, 0.0), outline, 400, 20.0, true);
        let shared = w
            .exterior()
            .0
            .iter()
            .filter(|p| e.exterior().0.contains(p))
            .count();
        assert!(shared > 50, "{shared}");
        use geo::{Area, BooleanOps};
        assert!(w.intersection(&e).unsigned_area() < 1e-6);
    }

    #[test]
    fn stream_writer_round_trips_rings_and_gbk_text() {
        let dir = tempfile::tempdir().unwrap();
        let fields = [
            ("BSM", Col::Text(12)),
            ("MC", Col::Text(7)),
            ("TBMJ", Col::Number(10, 2)),
        ];
        let mut w = ShpStream::create(dir.path(), "t.shp", &fields).unwrap();
        // Counter-clockwise exterior with a counter-clockwise hole; then two squares.
        let sq = |x: f64, y: f64, s: f64| vec![c(x, y), c(x + s, y), c(x + s, y + s), c(x, y + s)];
        let with_hole = Polygon::new(closed(sq(0.0, 0.0, 10.0)), vec![closed(sq(2.0, 2.0, 2.0))]);
        let two = MultiPolygon(vec![
            Polygon::new(closed(sq(20.0, 0.0, 1.0)), vec![]),
            Polygon::new(closed(sq(30.0, 0.0, 1.0)), vec![]),
        ]);
        w.push(
            &MultiPolygon(vec![with_hole]),
            &["A1", "萧山经济技术开发区", "96.00"],
        )
        .unwrap();
        w.push(&two, &["B2", "瓜沥", "2"]).unwrap();
        assert!(w.push(&two, &["C3", "x", "12345678901"]).is_err());
        let summary = w.finish().unwrap();
        assert_eq!(
            (summary.features, summary.polygons, summary.rings),
            (2, 3, 4)
        );
        assert_eq!(summary.vertices, 16);
        // Nothing but the five files of the layer is left in the folder.
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["t.cpg", "t.dbf", "t.prj", "t.shp", "t.shx"]);
        assert_eq!(std::fs::read(dir.path().join("t.cpg")).unwrap(), b"GBK");

        let layer = read_shapefile(&dir.path().join("t.shp")).unwrap();
        assert!(layer.warnings.is_empty(), "{:?}", layer.warnings);
        assert_eq!(layer.fields, vec!["BSM", "MC", "TBMJ"]);
        assert_eq!(
            layer.encoding.as_ref().map(|e| e.en.as_str()),
            Some("GBK (.cpg)")
        );
        let s = |v: &str| Some(v.to_string());
        // 7 bytes of GBK hold 3 characters, never half of one.
        assert_eq!(
            layer.records[0].attrs,
            vec![s("A1"), s("萧山经"), s("96.00")]
        );
        assert_eq!(layer.records[1].attrs, vec![s("B2"), s("瓜沥"), s("2")]);
        let RawShape::Rings(rings) = &layer.records[0].shape else {
            panic!("rings expected");
        };
        assert_eq!(rings.len(), 2);
        // ESRI order: exterior clockwise, hole counter-clockwise.
        let signed_area2 = |r: &[Coord<f64>]| -> f64 {
            r.windows(2)
                .map(|w| w[0].x * w[1].y - w[1].x * w[0].y)
                .sum()
        };
        assert!(signed_area2(&rings[0]) < 0.0);
        assert!(signed_area2(&rings[1]) > 0.0);
        // A third-party reader agrees.
        let shapes = shapefile::read_shapes(dir.path().join("t.shp")).unwrap();
        assert_eq!(shapes.len(), 2);
    }

    /// A small province-spread: 2 × 2 county blocks (80 km), zones in proportion to the area.
    const SMALL_SPREAD: RegionSpec = RegionSpec {
        size_m: 80_000.0,
        zones: 24,
        touching_pairs: 2,
        redlines: 40,
        largest_redline_vertices: 0,
        reservoirs: 5,
        rivers: 3,
        unassigned_originals: 6,
        ..PROVINCE_SPREAD
    };

    /// Writes [`SMALL_SPREAD`] into `dir` as `write_bench_data` writes a scale.
    fn write_small_spread(dir: &Path) -> BenchSummary {
        let mut w = Writers::create(dir).unwrap();
        let out =
            generate_region(&SMALL_SPREAD, &region_of(Scale::ProvinceSpread, 0), &mut w).unwrap();
        let summary = BenchSummary {
            scale: Scale::ProvinceSpread,
            merged_zones: out.zones,
            near_zone_patches: out.near_zone_patches,
            layers: w.finish().unwrap(),
        };
        std::fs::write(dir.join("review.toml"), BENCH_REVIEW_TOML).unwrap();
        summary
    }

    /// The 40 km county block and the 8 km township cell of a point (local metres).
    fn county_of(p: Coord<f64>) -> (i64, i64) {
        (
            (p.x / 40_000.0).floor() as i64,
            (p.y / 40_000.0).floor() as i64,
        )
    }
    fn township_of(p: Coord<f64>) -> (i64, i64) {
        (
            (p.x / 8_000.0).floor() as i64,
            (p.y / 8_000.0).floor() as i64,
        )
    }

    fn distance(a: Coord<f64>, b: Coord<f64>) -> f64 {
        ((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y)).sqrt()
    }

    /// The province-spread plan: 150 zones of 1–17 parts spread over townships and counties,
    /// with corridors and far enclaves.
    #[test]
    fn spread_zones_have_1_to_17_parts_across_townships_and_counties() {
        let region = region_of(Scale::ProvinceSpread, 0);
        let mut rng = stream(region.seed, 1);
        let mut discs = Discs::new(PROVINCE_SPREAD.size_m, 5_000.0);
        let zones = plan_spread_zones(&PROVINCE_SPREAD, &mut rng, &mut discs, &Ids { tile: None });
        assert_eq!(zones.len(), 150);
        let parts: Vec<usize> = zones.iter().map(|z| z.parts.len()).collect();
        assert!(parts.iter().all(|&k| (1..=17).contains(&k)), "{parts:?}");
        assert_eq!(parts.iter().max(), Some(&17), "{parts:?}");
        assert!(parts.iter().filter(|&&k| k == 1).count() >= 20, "{parts:?}");
        assert!(
            parts.iter().filter(|&&k| k >= 10).count() >= 20,
            "{parts:?}"
        );

        let (mut multi, mut townships, mut counties, mut corridors, mut enclaves) = (0, 0, 0, 0, 0);
        for z in &zones {
            let main = z.parts[0].center;
            let mut towns: Vec<(i64, i64)> =
                z.parts.iter().map(|p| township_of(p.center)).collect();
            towns.sort_unstable();
            towns.dedup();
            let mut cs: Vec<(i64, i64)> = z.parts.iter().map(|p| county_of(p.center)).collect();
            cs.sort_unstable();
            cs.dedup();
            if z.parts.len() > 1 {
                multi += 1;
                townships += usize::from(towns.len() > 1);
                counties += usize::from(cs.len() > 1);
            }
            for p in &z.parts {
                if p.enclave {
                    enclaves += 1;
                    assert!(distance(p.center, main) > 40_000.0, "{}", z.id);
                }
                // A corridor: one band ≥ 2 km long and at most 2 × 140 m wide (its area is at
                // most its width times the length of its longer side, halved).
                let b = p.polygons[0].bounding_rect().unwrap();
                let long = b.width().max(b.height());
                use geo::Area;
                let area = p.polygons[0].unsigned_area();
                if p.polygons.len() == 1 && long > 2_000.0 && area < 280.0 * long * 1.5 {
                    corridors += 1;
                }
            }
        }
        eprintln!(
            "{multi} multi-part zones: {townships} over several townships, {counties} over \
             several counties; {corridors} corridors, {enclaves} enclaves"
        );
        assert!(townships * 10 >= multi * 9, "{townships} of {multi}");
        assert!(counties * 2 >= multi, "{counties} of {multi}");
        assert!(corridors >= 100, "{corridors}");
        assert!(enclaves >= 20, "{enclaves}");
    }

    /// The small variant twice: the same bytes; about a quarter of its farmland near a zone
    /// part; and zonecheck's own spatial filter keeps exactly the patches the generator counted.
    #[test]
    fn small_spread_is_deterministic_and_a_quarter_of_its_farmland_is_near_zones() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let s = write_small_spread(a.path());
        assert_eq!(write_small_spread(b.path()), s);
        let mut names: Vec<_> = std::fs::read_dir(a.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        assert_eq!(names.len(), 5 * 5 + 1);
        for name in &names {
            let same = std::fs::read(a.path().join(name)).unwrap()
                == std::fs::read(b.path().join(name)).unwrap();
            assert!(same, "{name:?} differs between two runs");
        }
        eprintln!("{s}");
        let farm = s.layer("farmland.shp").unwrap().features;
        let near = s.near_zone_patches.unwrap();
        let share = near as f64 / farm as f64;
        assert!((0.15..0.35).contains(&share), "{near} of {farm}");

        use zonecheck::io::review::Review;
        use zonecheck::load::{load_review_with, LoadOptions};
        let review = Review::load(&a.path().join("review.toml")).unwrap();
        let options = LoadOptions {
            near_zones: Some(zonecheck::spatial::frame::map_view_rect),
            read_every_feature: false,
        };
        let progress = zonecheck::progress::Progress::new();
        let data = load_review_with(&review, &progress, options).unwrap();
        let farmland = data.layers.iter().find(|l| l.name == "farmland").unwrap();
        assert_eq!(
            farmland.features.len() + farmland.source.far_from_zones,
            farm as usize
        );
        assert_eq!(farmland.features.len() as u64, near);
    }

    /// Writes the county twice, compares the bytes, reads it back and checks its make-up.
    #[test]
    #[ignore = "writes 2 × 35 MB; run with --ignored"]
    fn county_is_deterministic_and_as_described() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let s = write_bench_data(a.path(), Scale::County).unwrap();
        assert_eq!(write_bench_data(b.path(), Scale::County).unwrap(), s);
        eprintln!("{s}");
        let mut names: Vec<_> = std::fs::read_dir(a.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        assert_eq!(names.len(), 5 * 5 + 2);
        for name in &names {
            let same = std::fs::read(a.path().join(name)).unwrap()
                == std::fs::read(b.path().join(name)).unwrap();
            assert!(same, "{name:?} differs between two runs");
        }
        let layer = |n: &str| s.layer(n).unwrap().clone();
        let farm = layer("farmland.shp");
        assert!((70_000..90_000).contains(&farm.features), "{farm:?}");
        assert!(farm.vertices > 10 * farm.features && farm.vertices < 16 * farm.features);
        let red = layer("redline.shp");
        assert_eq!(red.features, 50);
        assert!(red.rings > red.polygons, "some red lines have holes");
        assert!((60_000..200_000).contains(&red.vertices), "{red:?}");
        assert_eq!(s.merged_zones, 6);
        assert!((20..50).contains(&layer("original_zones.shp").features));

        let zones = read_shapefile(&a.path().join("merged_zones.shp")).unwrap();
        let farm_raw = read_shapefile(&a.path().join("farmland.shp")).unwrap();
        assert!(zones.warnings.is_empty() && farm_raw.warnings.is_empty());
        assert_eq!(farm_raw.records.len() as u64, farm.features);
        assert_eq!(
            farm_raw.fields,
            vec!["BSM", "DLBM", "DLMC", "TBMJ", "XZQDM", "ZLDWMC"]
        );
        let r = &farm_raw.records[0].attrs;
        assert!(r.get(4).unwrap().starts_with("330109"));
        assert!(r.get(5).unwrap().ends_with('村'));
        let enclaves = zones
            .records
            .iter()
            .filter(|r| r.attrs.get(7) == Some("是"))
            .count();
        eprintln!("{enclaves} enclave feature(s)");
    }
}
