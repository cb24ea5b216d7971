//! Checks of one merged zone: conflicts, sub-areas and clusters, expansion, designation,
//! industries, custody; and overlaps between zones.

use super::fields::level_rank;
use super::findings::{clause, fmt_area_en, fmt_area_zh, Finding, Severity};
use super::{FeatureOverlap, LayerConflict, PartInfo, Prepared, ZoneResult};
use crate::model::settings::Rules;
pub use crate::model::zones::{group_zones, ZoneInput};
use crate::model::{mu_from_m2, Geom, Layer, LayerRole};
use crate::spatial::index::BoxIndex;
use crate::spatial::overlay::{
    area_m2, boxes_intersect, difference_local, distance_m, find_root, intersection,
    intersection_local, union_local, PreparedArea,
};
use geo::{Area, BoundingRect, InteriorPoint, Intersects, MultiPolygon, Polygon};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// One blocking plan finding (`input.ambiguous_id`) per zone id whose features carry
/// different names: the plan does not say whether they are one zone or two zones given the
/// same id, so the zone is kept as one (as its id says) and the plan cannot pass until the
/// id or the names are corrected.
pub fn ambiguous_ids(zones: &[ZoneInput]) -> Vec<Finding> {
    zones
        .iter()
        .filter(|z| z.names.len() > 1)
        .map(|z| {
            let m = crate::messages::fields::ambiguous_id(&z.id, &z.names, z.features.len());
            let mut refs = vec![z.id.clone()];
            refs.extend(z.names.iter().cloned());
            Finding::new(
                "input.ambiguous_id",
                Severity::Blocking,
                None,
                clause::MERGER,
            )
            .msg(m.zh, m.en)
            .num("features", z.features.len() as f64)
            .num("names", z.names.len() as f64)
            .refs(refs)
        })
        .collect()
}

/// Protected share of each township, computed once on first use (thread-safe).
pub struct CustodyCache {
    cells: Vec<OnceLock<f64>>,
}

impl CustodyCache {
    pub fn new(n: usize) -> CustodyCache {
        CustodyCache {
            cells: (0..n).map(|_| OnceLock::new()).collect(),
        }
    }
}

/// What every zone check needs.
pub struct Context<'a> {
    pub rules: &'a Rules,
    pub protection: &'a [Prepared<'a>],
    pub original: Option<&'a Prepared<'a>>,
    pub townships: Option<&'a Prepared<'a>>,
    pub custody_cache: CustodyCache,
    /// Where the time of each kind of check is added up (for `--timings`).
    pub progress: &'a crate::progress::Progress,
}

/// Display name of a layer: the role's name, or the extra layer's own name.
pub fn layer_label(layer: &Layer) -> (String, String) {
    if layer.role == LayerRole::Extra {
        (layer.name.clone(), layer.name.clone())
    } else {
        (
            layer.role.name_zh().to_string(),
            layer.role.name_en().to_string(),
        )
    }
}

/// Runs every per-zone check.
pub fn check_zone(z: ZoneInput, ctx: &Context) -> ZoneResult {
    let rules = ctx.rules;
    let geometry = ctx.progress.timed("dissolve", || {
        union_local(z.features.iter().map(|(g, _)| g.clone()).collect())
    });
    let zone_area = area_m2(&geometry);
    let mut findings = Vec::new();
    let zid = Some(z.id.as_str());

    // Sub-areas and clusters.
    let (parts, clusters, gaps, gap_lines) = ctx
        .progress
        .timed("contiguity", || sub_areas(&geometry, &z.features, rules));
    let fragments: Vec<&Polygon<f64>> = geometry
        .0
        .iter()
        .zip(&parts)
        .filter(|(_, p)| p.fragment)
        .map(|(g, _)| g)
        .collect();
    if !fragments.is_empty() {
        let smallest = parts
            .iter()
            .filter(|p| p.fragment)
            .map(|p| p.area_m2)
            .fold(f64::INFINITY, f64::min);
        findings.push(
            Finding::new("fragment", Severity::Warning, zid, clause::CONTIGUOUS)
                .msg(
                    format!(
                        "{} 个分片区面积小于 {} m²（最小 {}）",
                        fragments.len(),
                        rules.min_part_area_m2,
                        fmt_area_zh(smallest)
                    ),
                    format!(
                        "{} sub-area(s) smaller than {} m² (smallest {})",
                        fragments.len(),
                        rules.min_part_area_m2,
                        fmt_area_en(smallest)
                    ),
                )
                .num("fragments", fragments.len() as f64)
                .num("smallest_area_m2", smallest)
                .geom(MultiPolygon(fragments.into_iter().cloned().collect())),
        );
    }
    let enclaves = parts.iter().filter(|p| p.enclave).count();
    if enclaves > 0 {
        findings.push(
            Finding::new("enclave", Severity::Info, zid, clause::ENCLAVE)
                .msg(
                    format!("{enclaves} 个飞地分片区不计入连片检查，仍检查冲突"),
                    format!("{enclaves} enclave sub-area(s) exempt from the contiguity rule, still checked for conflicts"),
                )
                .num("enclaves", enclaves as f64)
                .geom(MultiPolygon(
                    geometry.0.iter().zip(&parts).filter(|(_, p)| p.enclave).map(|(g, _)| g.clone()).collect(),
                )),
        );
    }
    if clusters > rules.max_clusters as usize {
        let largest_gap = gaps.iter().copied().fold(0.0, f64::max);
        let gap_list: Vec<String> = gaps.iter().map(|g| format!("{g:.1}")).collect();
        findings.push(
            Finding::new("clusters", Severity::Blocking, zid, clause::CONTIGUOUS)
                .msg(
                    format!(
                        "分片区组成 {clusters} 个不连片的组团（上限 {}），组团间距 {} m",
                        rules.max_clusters,
                        gap_list.join("、")
                    ),
                    format!(
                        "sub-areas form {clusters} separate clusters (limit {}), gaps {} m",
                        rules.max_clusters,
                        gap_list.join(", ")
                    ),
                )
                .num("clusters", clusters as f64)
                .num("max_clusters", rules.max_clusters as f64)
                .num("largest_gap_m", largest_gap)
                .num("contiguity_distance_m", rules.contiguity_distance_m)
                .geom(geometry.clone()),
        );
    }

    // Conflicts with each protection layer.
    let mut conflicts = BTreeMap::new();
    let overlay_start = std::time::Instant::now();
    let prepared_zone = PreparedArea::new(&geometry);
    for p in ctx.protection {
        let c = conflict_with(&prepared_zone, zone_area, p, rules.sliver_area_m2);
        let (name_zh, name_en) = layer_label(p.layer);
        if c.area_m2 > 0.0 {
            let blocking = c.area_m2 - c.sliver_area_m2 > 0.0;
            let mut zh = format!(
                "占用{name_zh} {}，占开发区面积 {:.2}%，涉及 {} 个图斑",
                fmt_area_zh(c.area_m2),
                c.share * 100.0,
                c.features.len()
            );
            let mut en = format!(
                "occupies {name_en}: {}, {:.2}% of the zone, {} protected feature(s)",
                fmt_area_en(c.area_m2),
                c.share * 100.0,
                c.features.len()
            );
            if !c.by_class_m2.is_empty() {
                let parts: Vec<String> = c
                    .by_class_m2
                    .iter()
                    .map(|(k, v)| format!("{k} {}", fmt_area_zh(*v)))
                    .collect();
                zh.push_str(&format!("（{}）", parts.join("，")));
                let parts: Vec<String> = c
                    .by_class_m2
                    .iter()
                    .map(|(k, v)| format!("{k} {}", fmt_area_en(*v)))
                    .collect();
                en.push_str(&format!(" ({})", parts.join(", ")));
            }
            if c.sliver_count > 0 {
                zh.push_str(&format!(
                    "；其中 {} 处碎片（< {} m²）共 {:.3} m²，不计为冲突",
                    c.sliver_count, rules.sliver_area_m2, c.sliver_area_m2
                ));
                en.push_str(&format!(
                    "; {} sliver(s) under {} m² totalling {:.3} m² do not count as conflicts",
                    c.sliver_count, rules.sliver_area_m2, c.sliver_area_m2
                ));
            }
            let severity = if blocking {
                Severity::Blocking
            } else {
                Severity::Info
            };
            let rule = if blocking {
                format!("conflict.{}", p.layer.name)
            } else {
                format!("sliver.{}", p.layer.name)
            };
            let mut f = Finding::new(rule, severity, zid, clause::PROTECTED)
                .msg(zh, en)
                .num("area_m2", c.area_m2)
                .num("area_mu", c.area_mu)
                .num("share", c.share)
                .num("sliver_area_m2", c.sliver_area_m2)
                .num("features", c.features.len() as f64)
                .refs(c.features.iter().map(|f| f.id.clone()).collect())
                .geom(c.geometry.clone());
            for (class, a) in &c.by_class_m2 {
                f = f.num(&format!("area_m2.{class}"), *a);
            }
            findings.push(f);
        }
        conflicts.insert(p.layer.name.clone(), c);
    }
    ctx.progress
        .add_time("overlay", overlay_start.elapsed().as_secs_f64());

    // Expansion beyond the member original zones.
    let mut expansion_area_m2 = None;
    if let Some(orig) = ctx.original {
        let (member_geoms, unknown) = member_geometries(&z, &geometry, orig);
        if !unknown.is_empty() {
            findings.push(
                Finding::new("members.unknown", Severity::Warning, zid, clause::MERGER)
                    .msg(
                        format!("整合对象 {} 不在原开发区图层中", unknown.join("、")),
                        format!(
                            "member(s) {} not found in the original zones layer",
                            unknown.join(", ")
                        ),
                    )
                    .num("unknown_members", unknown.len() as f64)
                    .refs(unknown),
            );
        }
        let members_union = union_local(member_geoms);
        let outside = difference_local(&geometry, &members_union);
        let total = area_m2(&outside);
        let real: Vec<Polygon<f64>> = outside
            .0
            .iter()
            .filter(|p| p.unsigned_area() >= rules.sliver_area_m2)
            .cloned()
            .collect();
        let real_area: f64 = real.iter().map(|p| p.unsigned_area()).sum();
        expansion_area_m2 = Some(total);
        if real_area > 0.0 {
            let severity = if rules.expansion_blocks {
                Severity::Blocking
            } else {
                Severity::Warning
            };
            let share = if zone_area > 0.0 {
                total / zone_area
            } else {
                0.0
            };
            let basis_zh = if z.members.is_empty() {
                "全部原开发区"
            } else {
                "所整合原开发区"
            };
            let basis_en = if z.members.is_empty() {
                "all original zones"
            } else {
                "its member original zones"
            };
            findings.push(
                Finding::new("expansion", severity, zid, clause::EXPANSION)
                    .msg(
                        format!("超出{basis_zh}范围 {}，占开发区面积 {:.2}%，需说明理由", fmt_area_zh(total), share * 100.0),
                        format!("extends beyond {basis_en} by {}, {:.2}% of the zone; needs a justification", fmt_area_en(total), share * 100.0),
                    )
                    .num("area_m2", total)
                    .num("area_mu", mu_from_m2(total))
                    .num("share", share)
                    .num("pieces", real.len() as f64)
                    .geom(MultiPolygon(real)),
            );
        }
        designation(&z, orig, &mut findings);
    }

    // Industries.
    if z.industries.len() > rules.max_industries as usize {
        findings.push(
            Finding::new("industries", Severity::Warning, zid, clause::INDUSTRIES)
                .msg(
                    format!(
                        "主导产业 {} 个（{}），超过 {} 个",
                        z.industries.len(),
                        z.industries.join("、"),
                        rules.max_industries
                    ),
                    format!(
                        "{} dominant industries ({}), more than {}",
                        z.industries.len(),
                        z.industries.join(", "),
                        rules.max_industries
                    ),
                )
                .num("industries", z.industries.len() as f64)
                .num("max_industries", rules.max_industries as f64),
        );
    }

    // Custody of highly protected townships.
    if let Some(t) = ctx.townships {
        if let Some(f) = custody(&z.id, &geometry, t, ctx) {
            findings.push(f);
        }
    }

    ZoneResult {
        id: z.id,
        name: z.name,
        level: z.level,
        city: z.city,
        county: z.county,
        members: z.members,
        industries: z.industries,
        area_m2: zone_area,
        area_mu: mu_from_m2(zone_area),
        parts,
        clusters,
        cluster_gaps_m: gaps,
        cluster_gap_lines: gap_lines,
        expansion_area_m2,
        conflicts,
        findings,
        pass: true,
        geometry,
    }
}

/// The nearest points of a gap between two clusters.
type GapLine = [geo::Coord<f64>; 2];

/// Parts of the zone (largest first), which are enclaves, clusters and the gaps between them
/// (lengths ascending, with the nearest points of each gap).
fn sub_areas(
    geometry: &Geom,
    features: &[(Geom, bool)],
    rules: &Rules,
) -> (Vec<PartInfo>, usize, Vec<f64>, Vec<GapLine>) {
    let n = geometry.0.len();
    let mut has_enclave = vec![false; n];
    let mut has_normal = vec![false; n];
    let part_boxes: Vec<_> = geometry.0.iter().map(|p| p.bounding_rect()).collect();
    // Which parts are enclaves: only worth looking when some feature is one.
    let any_enclave = features.iter().any(|(_, enclave)| *enclave);
    for (g, enclave) in features.iter().filter(|_| any_enclave) {
        for poly in &g.0 {
            let Some(pt) = poly.interior_point() else {
                continue;
            };
            for (i, part) in geometry.0.iter().enumerate() {
                let inside_box = part_boxes[i].is_some_and(|b| {
                    b.min().x <= pt.x()
                        && pt.x() <= b.max().x
                        && b.min().y <= pt.y()
                        && pt.y() <= b.max().y
                });
                if inside_box && part.intersects(&pt) {
                    if *enclave {
                        has_enclave[i] = true;
                    } else {
                        has_normal[i] = true;
                    }
                    break;
                }
            }
        }
    }
    let enclave: Vec<bool> = (0..n).map(|i| has_enclave[i] && !has_normal[i]).collect();
    // Union-find over non-enclave parts within the contiguity distance.
    let d = rules.contiguity_distance_m;
    let mut parent: Vec<usize> = (0..n).collect();
    let singles: Vec<Geom> = geometry
        .0
        .iter()
        .map(|p| MultiPolygon(vec![p.clone()]))
        .collect();
    let index = BoxIndex::new(singles.iter());
    for i in 0..n {
        if enclave[i] {
            continue;
        }
        let Some(bi) = part_boxes[i] else { continue };
        for j in index.query(bi, d) {
            if j <= i || enclave[j] {
                continue;
            }
            if find_root(&mut parent, i) == find_root(&mut parent, j) {
                continue;
            }
            if distance_m(&geometry.0[i], &geometry.0[j]) <= d {
                let (a, b) = (find_root(&mut parent, i), find_root(&mut parent, j));
                parent[a] = b;
            }
        }
    }
    // Number clusters by total area, largest first.
    let mut cluster_area: BTreeMap<usize, f64> = BTreeMap::new();
    for i in (0..n).filter(|&i| !enclave[i]) {
        let root = find_root(&mut parent, i);
        *cluster_area.entry(root).or_default() += geometry.0[i].unsigned_area();
    }
    let mut roots: Vec<(usize, f64)> = cluster_area.into_iter().collect();
    roots.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let number: BTreeMap<usize, usize> = roots
        .iter()
        .enumerate()
        .map(|(k, (r, _))| (*r, k))
        .collect();
    let parts: Vec<PartInfo> = (0..n)
        .map(|i| {
            let area = geometry.0[i].unsigned_area();
            PartInfo {
                area_m2: area,
                area_mu: mu_from_m2(area),
                fragment: area < rules.min_part_area_m2,
                enclave: enclave[i],
                cluster: if enclave[i] {
                    None
                } else {
                    number.get(&find_root(&mut parent, i)).copied()
                },
            }
        })
        .collect();
    let k = roots.len();
    let edges = cluster_gaps(geometry, &parts, k);
    let gaps = edges.iter().map(|e| e.0).collect();
    let lines = edges
        .iter()
        .filter_map(|&(d, i, j)| nearest_points(geometry.0.get(i)?, geometry.0.get(j)?, d))
        .collect();
    (parts, k, gaps, lines)
}

/// The nearest points of two disjoint polygons `d` apart: the shortest distance between two
/// polygons is reached at a vertex of one of them, so only vertices within `d` of the other's
/// box and edges within `d` of the first's box are tried.
fn nearest_points(a: &Polygon<f64>, b: &Polygon<f64>, d: f64) -> Option<[geo::Coord<f64>; 2]> {
    use geo::Coord;
    if d <= 0.0 {
        // Touching or overlapping: nothing to draw.
        return None;
    }
    let (ba, bb) = (a.bounding_rect()?, b.bounding_rect()?);
    let reach = d * (1.0 + 1e-9) + 1e-9;
    let near = |c: Coord<f64>, r: &geo::Rect<f64>| {
        let dx = (r.min().x - c.x).max(c.x - r.max().x).max(0.0);
        let dy = (r.min().y - c.y).max(c.y - r.max().y).max(0.0);
        dx.hypot(dy) <= reach
    };
    let edge_near = |p: Coord<f64>, q: Coord<f64>, r: &geo::Rect<f64>| {
        let e = geo::Rect::new(p, q);
        let dx = (r.min().x - e.max().x).max(e.min().x - r.max().x).max(0.0);
        let dy = (r.min().y - e.max().y).max(e.min().y - r.max().y).max(0.0);
        dx.hypot(dy) <= reach
    };
    let rings = |p: &Polygon<f64>| -> Vec<Vec<Coord<f64>>> {
        std::iter::once(p.exterior())
            .chain(p.interiors())
            .map(|r| r.0.clone())
            .collect()
    };
    let (ra, rb) = (rings(a), rings(b));
    let mut best: Option<(f64, [Coord<f64>; 2])> = None;
    // Vertices of `from` against edges of `to`; `flip` keeps the pair in (a, b) order.
    let mut search = |from: &[Vec<Coord<f64>>],
                      to: &[Vec<Coord<f64>>],
                      from_box: &geo::Rect<f64>,
                      to_box: &geo::Rect<f64>,
                      flip: bool| {
        let edges: Vec<(Coord<f64>, Coord<f64>)> = to
            .iter()
            .flat_map(|r| r.windows(2).map(|w| (w[0], w[1])))
            .filter(|&(p, q)| edge_near(p, q, from_box))
            .collect();
        for &v in from.iter().flatten().filter(|&&v| near(v, to_box)) {
            for &(p, q) in &edges {
                let c = closest_on_segment(v, p, q);
                let dist = (v.x - c.x).hypot(v.y - c.y);
                if best.is_none_or(|(bd, _)| dist < bd) {
                    best = Some((dist, if flip { [c, v] } else { [v, c] }));
                }
            }
        }
    };
    search(&ra, &rb, &ba, &bb, false);
    search(&rb, &ra, &bb, &ba, true);
    best.map(|(_, pts)| pts)
}

/// The point of segment `p`–`q` nearest to `v`.
fn closest_on_segment(
    v: geo::Coord<f64>,
    p: geo::Coord<f64>,
    q: geo::Coord<f64>,
) -> geo::Coord<f64> {
    let (dx, dy) = (q.x - p.x, q.y - p.y);
    let len2 = dx * dx + dy * dy;
    if len2 <= 0.0 {
        return p;
    }
    let t = (((v.x - p.x) * dx + (v.y - p.y) * dy) / len2).clamp(0.0, 1.0);
    geo::Coord {
        x: p.x + t * dx,
        y: p.y + t * dy,
    }
}

/// Minimum spanning set of gaps between clusters: (length, part, part), shortest first.
fn cluster_gaps(geometry: &Geom, parts: &[PartInfo], k: usize) -> Vec<(f64, usize, usize)> {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    if k < 2 {
        return Vec::new();
    }
    // Kruskal over part pairs of different clusters, with lazy distances: an edge enters the
    // heap keyed by the distance between the parts' boxes (a lower bound) and gets its true
    // distance only when it reaches the top. An edge popped with its true distance is then no
    // longer than any other edge, so the edges are taken in the order of true distances.
    #[derive(PartialEq)]
    struct Key(f64);
    impl Eq for Key {}
    impl PartialOrd for Key {
        fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
            Some(self.cmp(other))
        }
    }
    impl Ord for Key {
        fn cmp(&self, other: &Self) -> std::cmp::Ordering {
            self.0.total_cmp(&other.0)
        }
    }
    let boxes: Vec<Option<geo::Rect<f64>>> = geometry.0.iter().map(|p| p.bounding_rect()).collect();
    let box_gap = |a: &geo::Rect<f64>, b: &geo::Rect<f64>| {
        let dx = (a.min().x - b.max().x).max(b.min().x - a.max().x).max(0.0);
        let dy = (a.min().y - b.max().y).max(b.min().y - a.max().y).max(0.0);
        dx.hypot(dy)
    };
    let mut heap = BinaryHeap::new();
    for i in 0..parts.len() {
        for j in (i + 1)..parts.len() {
            let (Some(a), Some(b)) = (parts[i].cluster, parts[j].cluster) else {
                continue;
            };
            if a == b {
                continue;
            }
            let lower = match (
                boxes.get(i).copied().flatten(),
                boxes.get(j).copied().flatten(),
            ) {
                (Some(bi), Some(bj)) => box_gap(&bi, &bj),
                _ => 0.0,
            };
            heap.push(Reverse((Key(lower), false, i, j)));
        }
    }
    let mut parent: Vec<usize> = (0..k).collect();
    let mut gaps = Vec::new();
    while let Some(Reverse((Key(d), exact, i, j))) = heap.pop() {
        let (Some(a), Some(b)) = (parts[i].cluster, parts[j].cluster) else {
            continue;
        };
        let (ra, rb) = (find_root(&mut parent, a), find_root(&mut parent, b));
        if ra == rb {
            continue;
        }
        if !exact {
            heap.push(Reverse((
                Key(distance_m(&geometry.0[i], &geometry.0[j])),
                true,
                i,
                j,
            )));
            continue;
        }
        parent[ra] = rb;
        gaps.push((d, i, j));
        if gaps.len() + 1 == k {
            break;
        }
    }
    gaps.sort_by(|a, b| a.0.total_cmp(&b.0));
    gaps
}

/// Overlap of the zone with one protection layer.
fn conflict_with(
    prepared: &PreparedArea,
    zone_area: f64,
    p: &Prepared,
    sliver_m2: f64,
) -> LayerConflict {
    let zone = prepared.geometry();
    let mut features = Vec::new();
    let class_field = if p.layer.role == LayerRole::Water {
        p.fields.class
    } else {
        None
    };
    if let Some(zbox) = zone.bounding_rect() {
        let part_boxes: Vec<_> = zone.0.iter().filter_map(|q| q.bounding_rect()).collect();
        for i in p.index.query(zbox, 0.0) {
            let f = &p.layer.features[i];
            let Some(fbox) = f.geometry.bounding_rect() else {
                continue;
            };
            if !part_boxes.iter().any(|b| boxes_intersect(b, &fbox)) {
                continue;
            }
            let piece = prepared.clip(&f.geometry);
            let a = area_m2(&piece);
            if a > 0.0 {
                features.push(FeatureOverlap {
                    id: p.feature_id(i),
                    feature: i,
                    area_m2: a,
                    area_mu: mu_from_m2(a),
                    class: p.layer.attr(f, class_field).map(str::to_string),
                    geometry: piece,
                });
            }
        }
    }
    features.sort_by(|a, b| a.id.cmp(&b.id).then(b.area_m2.total_cmp(&a.area_m2)));
    let geometry = union_local(features.iter().map(|f| f.geometry.clone()).collect());
    let area = area_m2(&geometry);
    let slivers: Vec<f64> = geometry
        .0
        .iter()
        .map(|q| q.unsigned_area())
        .filter(|&a| a < sliver_m2)
        .collect();
    let mut by_class_m2 = BTreeMap::new();
    if class_field.is_some() {
        let mut classes: BTreeMap<String, Vec<&Geom>> = BTreeMap::new();
        for f in &features {
            let class = f.class.clone().unwrap_or_else(|| "未分级".to_string());
            classes.entry(class).or_default().push(&f.geometry);
        }
        for (class, geoms) in classes {
            by_class_m2.insert(
                class,
                area_m2(&union_local(geoms.into_iter().cloned().collect())),
            );
        }
    }
    LayerConflict {
        role: p.layer.role,
        area_m2: area,
        area_mu: mu_from_m2(area),
        share: if zone_area > 0.0 {
            area / zone_area
        } else {
            0.0
        },
        sliver_area_m2: slivers.iter().sum(),
        sliver_count: slivers.len(),
        by_class_m2,
        features,
        geometry,
    }
}

/// Geometries of the zone's member originals (or of every original near the zone when the zone
/// lists no members), and the listed members the layer does not have.
fn member_geometries(z: &ZoneInput, zone: &Geom, orig: &Prepared) -> (Vec<Geom>, Vec<String>) {
    let layer = orig.layer;
    if z.members.is_empty() {
        let Some(zbox) = zone.bounding_rect() else {
            return (Vec::new(), Vec::new());
        };
        let geoms = orig
            .index
            .query(zbox, 0.0)
            .into_iter()
            .map(|i| layer.features[i].geometry.clone())
            .collect();
        return (geoms, Vec::new());
    }
    let mut geoms = Vec::new();
    let mut unknown = Vec::new();
    for m in &z.members {
        let found = orig.features_with_id(m);
        if found.is_empty() {
            unknown.push(m.clone());
        }
        geoms.extend(found.iter().map(|&i| layer.features[i].geometry.clone()));
    }
    (geoms, unknown)
}

/// 牌子就高: the merged zone keeps the highest designation among its members, and adds none.
fn designation(z: &ZoneInput, orig: &Prepared, findings: &mut Vec<Finding>) {
    let Some(level) = &z.level else { return };
    let Some(rank) = level_rank(level) else {
        return;
    };
    let mut best: Option<(u8, String, String)> = None;
    // Members' features in layer order (the first of equal levels is named).
    let mut indices: Vec<usize> = z
        .members
        .iter()
        .flat_map(|m| orig.features_with_id(m).iter().copied())
        .collect();
    indices.sort_unstable();
    indices.dedup();
    for i in indices {
        let f = &orig.layer.features[i];
        let id = orig.feature_id(i);
        if let Some(l) = orig.layer.attr(f, orig.fields.level) {
            if let Some(r) = level_rank(l) {
                if best.as_ref().is_none_or(|b| r > b.0) {
                    best = Some((r, l.to_string(), id));
                }
            }
        }
    }
    let Some((best_rank, best_level, best_id)) = best else {
        return;
    };
    let zid = Some(z.id.as_str());
    if rank < best_rank {
        findings.push(
            Finding::new("designation", Severity::Warning, zid, clause::DESIGNATION)
                .msg(
                    format!("级别“{level}”低于成员 {best_id} 的“{best_level}”：应牌子就高"),
                    format!("designation \"{level}\" is lower than member {best_id}'s \"{best_level}\": the highest should be kept"),
                )
                .num("level_rank", rank as f64)
                .num("highest_member_rank", best_rank as f64)
                .refs(vec![best_id]),
        );
    } else if rank > best_rank {
        findings.push(
            Finding::new("designation", Severity::Warning, zid, clause::DESIGNATION)
                .msg(
                    format!("级别“{level}”高于全部成员（最高“{best_level}”）：不增挂牌子"),
                    format!("designation \"{level}\" is higher than every member's (highest \"{best_level}\"): no new designation may be added"),
                )
                .num("level_rank", rank as f64)
                .num("highest_member_rank", best_rank as f64)
                .refs(vec![best_id]),
        );
    }
}

/// Protected share of township `i`: area covered by any protection layer / township area.
fn protected_share(i: usize, t: &Prepared, ctx: &Context) -> f64 {
    *ctx.custody_cache.cells[i].get_or_init(|| {
        let town = &t.layer.features[i].geometry;
        let town_area = area_m2(town);
        if town_area <= 0.0 {
            return 0.0;
        }
        let Some(tbox) = town.bounding_rect() else {
            return 0.0;
        };
        let prepared = PreparedArea::new(town);
        let mut pieces = Vec::new();
        for p in ctx.protection {
            for j in p.index.query(tbox, 0.0) {
                let piece = prepared.clip(&p.layer.features[j].geometry);
                if !piece.0.is_empty() {
                    pieces.push(piece);
                }
            }
        }
        area_m2(&union_local(pieces)) / town_area
    })
}

fn custody(zone_id: &str, zone: &Geom, t: &Prepared, ctx: &Context) -> Option<Finding> {
    let zbox = zone.bounding_rect()?;
    let mut flagged: Vec<(String, f64, Geom)> = Vec::new();
    for i in t.index.query(zbox, 0.0) {
        let town = &t.layer.features[i].geometry;
        if area_m2(&intersection(zone, town)) <= ctx.rules.sliver_area_m2 {
            continue;
        }
        let share = protected_share(i, t, ctx);
        if share > ctx.rules.custody_protected_share {
            let name = t
                .layer
                .attr(&t.layer.features[i], t.fields.name)
                .map(str::to_string)
                .unwrap_or_else(|| t.feature_id(i));
            flagged.push((name, share, town.clone()));
        }
    }
    if flagged.is_empty() {
        return None;
    }
    let list_zh: Vec<String> = flagged
        .iter()
        .map(|(n, s, _)| format!("{n}（保护面积占 {:.1}%）", s * 100.0))
        .collect();
    let list_en: Vec<String> = flagged
        .iter()
        .map(|(n, s, _)| format!("{n} ({:.1}% protected)", s * 100.0))
        .collect();
    let max_share = flagged.iter().map(|f| f.1).fold(0.0, f64::max);
    Some(
        Finding::new("custody", Severity::Warning, Some(zone_id), clause::CUSTODY)
            .msg(
                format!(
                    "托管的乡镇保护面积占比高于 {:.0}%：{}",
                    ctx.rules.custody_protected_share * 100.0,
                    list_zh.join("，")
                ),
                format!(
                    "takes over township(s) more than {:.0}% protected: {}",
                    ctx.rules.custody_protected_share * 100.0,
                    list_en.join(", ")
                ),
            )
            .num("townships", flagged.len() as f64)
            .num("max_protected_share", max_share)
            .num("threshold", ctx.rules.custody_protected_share)
            .refs(flagged.iter().map(|f| f.0.clone()).collect())
            .geom(MultiPolygon(
                flagged.into_iter().flat_map(|f| f.2 .0).collect(),
            )),
    )
}

/// Merged zones must not overlap each other: a blocking finding on both zones of each pair.
pub fn check_overlaps(zones: &mut [ZoneResult], sliver_m2: f64) {
    let index = BoxIndex::new(zones.iter().map(|z| &z.geometry));
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for (i, z) in zones.iter().enumerate() {
        let Some(bi) = z.geometry.bounding_rect() else {
            continue;
        };
        pairs.extend(
            index
                .query(bi, 0.0)
                .into_iter()
                .filter(|&j| j > i)
                .map(|j| (i, j)),
        );
    }
    pairs.sort_unstable();
    let found: Vec<(usize, usize, Geom, f64)> = pairs
        .into_par_iter()
        .filter_map(|(i, j)| {
            let g = intersection_local(&zones[i].geometry, &zones[j].geometry);
            let a = area_m2(&g);
            (a >= sliver_m2 && a > 0.0).then_some((i, j, g, a))
        })
        .collect();
    for (i, j, g, a) in found {
        for (me, other) in [(i, j), (j, i)] {
            let other_id = zones[other].id.clone();
            let f = Finding::new(
                "zone_overlap",
                Severity::Blocking,
                Some(&zones[me].id),
                clause::OVERLAP,
            )
            .msg(
                format!("与整合后开发区 {other_id} 重叠 {}", fmt_area_zh(a)),
                format!("overlaps merged zone {other_id} by {}", fmt_area_en(a)),
            )
            .num("area_m2", a)
            .num("area_mu", mu_from_m2(a))
            .refs(vec![other_id.clone()])
            .about(other_id)
            .geom(g.clone());
            zones[me].findings.push(f);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use geo::polygon;

    /// The gaps of a minimum spanning tree over clusters, by Prim on the full matrix of
    /// cluster-to-cluster distances (every part pair measured).
    fn gaps_by_prim(geometry: &Geom, parts: &[PartInfo], k: usize) -> Vec<f64> {
        let mut dist = vec![vec![f64::INFINITY; k]; k];
        for i in 0..parts.len() {
            for j in 0..parts.len() {
                let (Some(a), Some(b)) = (parts[i].cluster, parts[j].cluster) else {
                    continue;
                };
                if a != b {
                    let d = distance_m(&geometry.0[i], &geometry.0[j]);
                    dist[a][b] = dist[a][b].min(d);
                }
            }
        }
        let mut in_tree = vec![false; k];
        in_tree[0] = true;
        let mut gaps = Vec::new();
        for _ in 1..k {
            let (mut best, mut at) = (f64::INFINITY, 0);
            for a in (0..k).filter(|&a| in_tree[a]) {
                for b in (0..k).filter(|&b| !in_tree[b]) {
                    if dist[a][b] < best {
                        (best, at) = (dist[a][b], b);
                    }
                }
            }
            in_tree[at] = true;
            gaps.push(best);
        }
        gaps.sort_by(f64::total_cmp);
        gaps
    }

    #[test]
    fn lazy_kruskal_gaps_equal_prim_on_every_distance() {
        // Pseudo-random layouts of squares and L-shapes (an L's box overlaps its neighbour's
        // box while the shapes stay apart, so box distances really are only lower bounds).
        let mut seed = 12345_u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as f64 / (1u64 << 31) as f64
        };
        for _ in 0..200 {
            let n = 2 + (next() * 9.0) as usize;
            let mut polys = Vec::new();
            let mut parts = Vec::new();
            let k = 1 + (next() * n as f64) as usize;
            for p in 0..n {
                let (x, y) = (next() * 1000.0, next() * 1000.0);
                let s = 5.0 + next() * 60.0;
                let poly = if next() < 0.5 {
                    polygon![(x: x, y: y), (x: x + s, y: y), (x: x + s, y: y + s), (x: x, y: y + s)]
                } else {
                    polygon![(x: x, y: y), (x: x + 3.0 * s, y: y), (x: x + 3.0 * s, y: y + s),
                        (x: x + s, y: y + s), (x: x + s, y: y + 3.0 * s), (x: x, y: y + 3.0 * s)]
                };
                polys.push(poly);
                // Every cluster gets a part; the rest are spread at random.
                let cluster = if p < k {
                    p
                } else {
                    (next() * k as f64) as usize
                };
                parts.push(PartInfo {
                    area_m2: 0.0,
                    area_mu: 0.0,
                    fragment: false,
                    enclave: false,
                    cluster: Some(cluster),
                });
            }
            let geometry = MultiPolygon(polys);
            let edges = cluster_gaps(&geometry, &parts, k);
            let lazy: Vec<f64> = edges.iter().map(|e| e.0).collect();
            let prim = gaps_by_prim(&geometry, &parts, k);
            assert_eq!(lazy.len(), k - 1);
            assert_eq!(lazy, prim);
            // The nearest points of each gap are as far apart as geo's polygon distance says,
            // and lie on the two parts' boundaries. (Clusters are assigned at random here, so
            // two of them may overlap: distance 0, no gap to draw; real clusters are farther
            // apart than the contiguity distance.)
            for &(d, i, j) in edges.iter().filter(|e| e.0 > 0.0) {
                let [a, b] = nearest_points(&geometry.0[i], &geometry.0[j], d).unwrap();
                assert!(((a.x - b.x).hypot(a.y - b.y) - d).abs() < 1e-9 * d.max(1.0));
                let on = |c: geo::Coord<f64>, p: &Polygon<f64>| {
                    use geo::Distance as _;
                    geo::Euclidean.distance(&geo::Point(c), p.exterior()) < 1e-9
                };
                assert!(on(a, &geometry.0[i]) && on(b, &geometry.0[j]));
            }
        }
    }

    #[test]
    fn nearest_points_of_a_diagonal_gap() {
        // Worked by hand: the corner (10,10) of a and the corner (13,14) of b, 5 apart
        // (a 3-4-5 triangle); b's nearer edge from (13,14) runs away from a.
        let a =
            polygon![(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 10.0), (x: 0.0, y: 10.0)];
        let b = polygon![(x: 13.0, y: 14.0), (x: 20.0, y: 14.0), (x: 20.0, y: 20.0), (x: 13.0, y: 20.0)];
        let [p, q] = nearest_points(&a, &b, 5.0).unwrap();
        assert_eq!((p.x, p.y, q.x, q.y), (10.0, 10.0, 13.0, 14.0));
        // A vertex of b facing the middle of a's edge: (20,5) is 10 from (10,5).
        let c = polygon![(x: 20.0, y: 5.0), (x: 30.0, y: 0.0), (x: 30.0, y: 10.0)];
        let [p, q] = nearest_points(&a, &c, 10.0).unwrap();
        assert_eq!((p.x, p.y, q.x, q.y), (10.0, 5.0, 20.0, 5.0));
    }
}
