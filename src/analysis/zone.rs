//! The checks of one merged zone: its features dissolved, its parts and clusters worked out,
//! then each rule of `analysis::rules` in turn.

use super::rules::{
    anchor, clusters, conflict, control_line, custody, designation, eliminated, enclave, expansion,
    fragments, industries, location, members, parts, per_mu, tbmj,
};
use super::{PartInfo, Prepared, ZoneResult};
use crate::model::settings::{AreaBasis, Rules};
use crate::model::settings::{ExtraRole, LayerPaths};
use crate::model::{mu_from_m2, Geom, Layer, LayerRole};
use crate::spatial::connect;
use crate::spatial::index::BoxIndex;
use crate::spatial::overlay::{area_m2, distance_m, find_root, union_local, PreparedArea};
use geo::{Area, BoundingRect, Intersects, Polygon};
use std::collections::BTreeMap;

pub use crate::model::zones::{ambiguous_id_warnings, group_zones, ZoneInput};

pub use super::rules::input::ambiguous_ids;

pub use super::rules::custody::CustodyCache;

/// What every zone check needs.
pub struct Context<'a> {
    pub rules: &'a Rules,
    /// Protected land (and `advisory` extra layers): conflicts.
    pub protection: &'a [Prepared<'a>],
    /// Extra layers of role `control_line`: their area inside the zone is reported.
    pub control_lines: &'a [Prepared<'a>],
    /// The review's layers (the role of each extra layer).
    pub layers: &'a LayerPaths,
    pub original: Option<&'a Prepared<'a>>,
    pub townships: Option<&'a Prepared<'a>>,
    /// Roads, rivers, railways: they bridge the gaps between a zone's parts.
    pub barriers: Option<&'a Prepared<'a>>,
    pub custody_cache: CustodyCache,
    /// The known designations (built-in table and the review's `[plaques]`).
    pub plaques: crate::model::plaques::PlaqueTable,
    /// Where the time of each kind of check is added up (for `--timings`).
    pub progress: &'a crate::progress::Progress,
    /// The working CRS, for the areas on the CGCS2000 ellipsoid reported beside the planar
    /// ones; `None`: no ellipsoidal areas (unit tests of single rules).
    pub working_crs: Option<&'a crate::crs::CrsDef>,
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

/// Runs every per-zone check; with `side_by_side` its three main parts (below) run in parallel,
/// for a zone that would otherwise leave a thread idle (one of the last to be checked).
pub fn check_zone(z: ZoneInput, ctx: &Context, side_by_side: bool) -> ZoneResult {
    let rules = ctx.rules;
    let geometry = ctx.progress.timed("dissolve", || {
        union_local(z.features.iter().map(|(g, _)| g.clone()).collect())
    });
    let zone_area = area_m2(&geometry);
    // The parts and clusters, the conflicts with each layer and the expansion beyond the
    // original zones; their findings come in this order either way. Side by side only for the
    // last zones: the zones' own parallelism keeps the threads busy before that (every zone's
    // parts side by side gained nothing more on the spread province, whose peaks were then
    // 545–569 MiB against 540–555 MiB in 7 alternated runs: nearer the 600 MiB target).
    let shape = || check_shape(&z, &geometry, ctx);
    let overlay = || check_conflicts(&z.id, &geometry, zone_area, ctx);
    let expand = || check_expansion(&z, &geometry, zone_area, ctx);
    let (shape, (overlaid, expanded)) = if side_by_side {
        rayon::join(shape, || rayon::join(overlay, expand))
    } else {
        (shape(), (overlay(), expand()))
    };
    let ShapeChecked {
        sub,
        zone_area_ellipsoid,
        enclaves,
        mut findings,
        ellipsoid_s: shape_ell_time,
    } = shape;
    let ConflictsChecked {
        conflicts,
        control_lines,
        findings: conflict_findings,
        ellipsoid_s: conflict_ell_time,
    } = overlaid;
    findings.extend(conflict_findings);
    let ell_time = shape_ell_time + conflict_ell_time;
    let (expansion_area_m2, expansion_area_ellipsoid_m2, expansion_findings) = expanded;
    findings.extend(expansion_findings);

    // Industries.
    findings.extend(industries::check(&z.id, &z.industries, rules));
    findings.extend(per_mu::check(&z, rules));

    // Custody of highly protected townships; where the zone lies against its attributes.
    match ctx.townships {
        Some(t) => {
            findings.extend(custody::check(&z, &geometry, t, ctx));
            findings.extend(location::check(
                &z.id,
                z.city.as_deref(),
                z.county.as_deref(),
                &geometry,
                t,
            ));
        }
        None => findings.extend(custody::without_townships(&z)),
    }

    ctx.progress.add_time("ellipsoidal areas", ell_time);
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
        area_ellipsoid_m2: zone_area_ellipsoid,
        part_count: sub.parts.len(),
        parts: sub.parts,
        enclaves,
        clusters: sub.clusters,
        cluster_gaps_m: sub.gaps,
        cluster_gaps_net_m: sub.net_gaps,
        cluster_gap_lines: sub.lines,
        expansion_area_m2,
        expansion_area_ellipsoid_m2,
        conflicts,
        control_lines,
        findings,
        pass: true,
        geometry,
    }
}

/// Areas on the CGCS2000 ellipsoid beside the planar ones, for what is reported only; one per
/// thread that needs it (PROJ objects stay where they are made; made again cheaply from the
/// cached transformation). `None` without a working CRS (unit tests of single rules).
fn ellipsoid(ctx: &Context) -> Option<crate::spatial::ellipsoid::EllipsoidArea> {
    ctx.working_crs
        .and_then(|crs| crate::spatial::ellipsoid::EllipsoidArea::new(crs).ok())
}

/// What [`check_shape`] finds: the sub-areas and clusters, the ellipsoidal area, the enclave
/// parts and their findings.
struct ShapeChecked {
    sub: SubAreas,
    zone_area_ellipsoid: Option<f64>,
    enclaves: Vec<super::EnclaveInfo>,
    findings: Vec<super::Finding>,
    /// Time spent on ellipsoidal areas, seconds.
    ellipsoid_s: f64,
}

/// The zone's sub-areas and clusters (barriers and protected land bridge the gaps they fill),
/// its parts' ellipsoidal areas, and the findings about its parts, fragments, enclaves and
/// clusters.
fn check_shape(z: &ZoneInput, geometry: &Geom, ctx: &Context) -> ShapeChecked {
    let rules = ctx.rules;
    let mut findings = Vec::new();
    let bridges: Vec<&Prepared> = ctx.protection.iter().chain(ctx.barriers).collect();
    let mut sub = ctx.progress.timed("contiguity", || {
        sub_areas(geometry, &z.features, rules, &bridges)
    });
    let ell = ellipsoid(ctx);
    let ell_start = std::time::Instant::now();
    let zone_area_ellipsoid = ell
        .as_ref()
        .and_then(|e| part_areas_ellipsoidal(&mut sub.parts, geometry, e, rules));
    let ellipsoid_s = ell_start.elapsed().as_secs_f64();
    findings.extend(parts::check(&z.id, geometry, rules));
    findings.extend(fragments::check(&z.id, geometry, &sub.parts, rules));
    let enclaves = enclave::enclave_parts(z, geometry, &sub.parts);
    findings.extend(enclave::check(
        &z.id,
        geometry,
        &enclaves,
        z.home_county.as_deref(),
    ));
    findings.extend(clusters::check(
        &z.id,
        geometry,
        &sub,
        ctx.barriers.is_some(),
        rules,
    ));
    ShapeChecked {
        sub,
        zone_area_ellipsoid,
        enclaves,
        findings,
        ellipsoid_s,
    }
}

/// What [`check_conflicts`] finds.
struct ConflictsChecked {
    conflicts: BTreeMap<String, super::LayerConflict>,
    control_lines: BTreeMap<String, f64>,
    findings: Vec<super::Finding>,
    /// Time spent on ellipsoidal areas, seconds.
    ellipsoid_s: f64,
}

/// The zone's conflicts with each protection layer (with their ellipsoidal areas and the
/// TBMJ check) and the area of each control line inside it, with their findings.
fn check_conflicts(id: &str, geometry: &Geom, zone_area: f64, ctx: &Context) -> ConflictsChecked {
    let rules = ctx.rules;
    let mut findings = Vec::new();
    let ell = ellipsoid(ctx);
    let mut ellipsoid_s = 0.0;
    let mut conflicts = BTreeMap::new();
    let overlay_start = std::time::Instant::now();
    let prepared_zone = PreparedArea::new(geometry);
    for p in ctx.protection {
        let mut c = conflict::conflict_with(
            &prepared_zone,
            zone_area,
            p,
            &super::sliver_tolerances(rules),
        );
        if let Some(e) = &ell {
            let start = std::time::Instant::now();
            let has_tbmj = conflict_areas_ellipsoidal(&mut c, p, e);
            ellipsoid_s += start.elapsed().as_secs_f64();
            if let Some(has_tbmj) = has_tbmj {
                findings.extend(tbmj::check(id, &c, has_tbmj, rules.tbmj_tolerance));
            }
        }
        let severity = if p.layer.role == LayerRole::Extra
            && ctx.layers.extra_role(&p.layer.name) == ExtraRole::Advisory
        {
            super::Severity::Warning
        } else {
            super::Severity::Blocking
        };
        findings.extend(conflict::check_as(id, p.layer, &c, rules, severity));
        conflicts.insert(p.layer.name.clone(), c);
    }
    // Control lines delineated inside the zone: their area, never a conflict.
    let mut control_lines = BTreeMap::new();
    for p in ctx.control_lines {
        let c = conflict::conflict_with(
            &prepared_zone,
            zone_area,
            p,
            &super::sliver_tolerances(rules),
        );
        findings.extend(control_line::check(id, p.layer, &c));
        control_lines.insert(p.layer.name.clone(), c.area_m2);
    }
    ctx.progress
        .add_time("overlay", overlay_start.elapsed().as_secs_f64());
    ConflictsChecked {
        conflicts,
        control_lines,
        findings,
        ellipsoid_s,
    }
}

/// The zone's expansion beyond the original zones it merges (its area, planar and on the
/// ellipsoid) and the findings about its members, their designations, anchors and the zones it
/// leaves out; no area and no findings without an original-zones layer.
fn check_expansion(
    z: &ZoneInput,
    geometry: &Geom,
    zone_area: f64,
    ctx: &Context,
) -> (Option<f64>, Option<f64>, Vec<super::Finding>) {
    let Some(orig) = ctx.original else {
        return (None, None, Vec::new());
    };
    let rules = ctx.rules;
    let ell = ellipsoid(ctx);
    let mut findings = Vec::new();
    let (member_geoms, unknown) = members::member_geometries(z, geometry, orig);
    findings.extend(members::check(&z.id, unknown));
    let (total, total_ellipsoid, found) =
        expansion::check(z, geometry, zone_area, member_geoms, rules, ell.as_ref());
    findings.extend(found);
    findings.extend(designation::check(z, orig, &ctx.plaques));
    let tol = super::sliver_tolerances(rules);
    findings.extend(anchor::check(z, geometry, orig, &ctx.plaques, &tol));
    findings.extend(eliminated::check(&z.id, geometry, orig, &tol));
    (Some(total), total_ellipsoid, findings)
}

/// Sets each part's area on the ellipsoid (part i is polygon i of the dissolved zone) and, when
/// `rules.area` is ellipsoidal, its fragment flag by that area; returns the zone's ellipsoidal
/// area, the sum of its parts' (`None` when a vertex could not be reprojected).
fn part_areas_ellipsoidal(
    parts: &mut [PartInfo],
    geometry: &Geom,
    ell: &crate::spatial::ellipsoid::EllipsoidArea,
    rules: &Rules,
) -> Option<f64> {
    let areas: Vec<Option<f64>> = geometry.0.iter().map(|p| ell.polygon_m2(p)).collect();
    if areas.len() == parts.len() {
        for (part, area) in parts.iter_mut().zip(&areas) {
            part.area_ellipsoid_m2 = *area;
            if let (AreaBasis::Ellipsoidal, Some(a)) = (rules.area, area) {
                part.fragment = *a < rules.min_part_area_m2;
            }
        }
    }
    areas.into_iter().sum()
}

/// Fills in the conflict's areas on the ellipsoid: the whole overlap's and each occupied
/// feature's; for the farmland layer also each occupied patch's whole area, its TBMJ and the
/// TBMJ-weighted occupied area. Returns, for the farmland layer, whether it has a TBMJ field
/// (`None` for other layers).
fn conflict_areas_ellipsoidal(
    c: &mut super::LayerConflict,
    p: &Prepared,
    ell: &crate::spatial::ellipsoid::EllipsoidArea,
) -> Option<bool> {
    let farmland = p.layer.role == LayerRole::Farmland;
    let tbmj_field = p.layer.field_index(TBMJ_FIELD).filter(|_| farmland);
    // Each piece's polygons' areas, kept for the union's polygons that are pieces unchanged.
    let mut piece_areas: Vec<Vec<Option<f64>>> = Vec::with_capacity(c.features.len());
    for o in &mut c.features {
        let areas: Vec<Option<f64>> = o.geometry.0.iter().map(|p| ell.polygon_m2(p)).collect();
        // The sum `area_m2` makes, in the same order.
        o.area_ellipsoid_m2 = areas.iter().copied().sum();
        piece_areas.push(areas);
        if !farmland {
            continue;
        }
        let Some(feature) = p.layer.features.get(o.feature) else {
            continue;
        };
        // A patch wholly inside the zone is its own occupied piece (the same polygons): its
        // area is the one just computed.
        o.patch_area_ellipsoid_m2 = if o.geometry == feature.geometry {
            o.area_ellipsoid_m2
        } else {
            ell.area_m2(&feature.geometry)
        };
        o.tbmj_m2 = p
            .layer
            .attr(feature, tbmj_field)
            .and_then(|v| v.parse::<f64>().ok())
            .filter(|v| v.is_finite());
        o.tbmj_occupied_m2 = match (o.tbmj_m2, o.area_ellipsoid_m2, o.patch_area_ellipsoid_m2) {
            (Some(t), Some(occupied), Some(whole)) if whole > 0.0 => {
                Some(t * (occupied / whole).min(1.0))
            }
            _ => None,
        };
    }
    // The conflict's area: its one piece's when the union is that piece; else the union's
    // polygons', a piece's when it is one unchanged.
    c.area_ellipsoid_m2 = match c.features.as_slice() {
        [only] if only.geometry == c.geometry => only.area_ellipsoid_m2,
        features => {
            let mut known = crate::spatial::ellipsoid::KnownAreas::default();
            for (o, areas) in features.iter().zip(&piece_areas) {
                for (polygon, area) in o.geometry.0.iter().zip(areas) {
                    known.insert(polygon, *area);
                }
            }
            ell.area_m2_with(&c.geometry, &known)
        }
    };
    farmland.then_some(tbmj_field.is_some())
}

/// The farmland patches' field of their surveyed area (图斑面积, m², ellipsoidal by the
/// 国土调查 method), matched case-insensitively.
pub const TBMJ_FIELD: &str = "TBMJ";

/// The nearest points of a gap between two clusters.
type GapLine = [geo::Coord<f64>; 2];

/// The parts of a zone and how they hang together.
pub struct SubAreas {
    pub parts: Vec<PartInfo>,
    pub clusters: usize,
    /// The gaps that would join the clusters (minimum spanning set), ascending.
    pub gaps: Vec<f64>,
    /// Each gap net of the barriers and protected land on its shortest line.
    pub net_gaps: Vec<f64>,
    /// The nearest points of each gap.
    pub lines: Vec<GapLine>,
    /// Parts that connections narrower than `rules.min_connection_width_m` split in pieces.
    pub narrow_parts: usize,
}

/// What parts of a zone are: enclaves, clusters, the gaps between clusters.
///
/// The units of contiguity are the non-enclave parts, except that a part which connections
/// narrower than `rules.min_connection_width_m` split ([`connect::pieces`]) counts as its
/// pieces: the narrow strips join nothing. Two units are one cluster when their distance is at
/// most `rules.contiguity_distance_m`, or when their gap is at most `rules.max_bridged_gap_m`
/// and its length net of `bridges` (barriers, protected land) along the gap's shortest line is
/// at most the contiguity distance.
pub fn sub_areas(
    geometry: &Geom,
    features: &[(Geom, bool)],
    rules: &Rules,
    bridges: &[&Prepared],
) -> SubAreas {
    let n = geometry.0.len();
    let mut has_enclave = vec![false; n];
    let mut has_normal = vec![false; n];
    let part_boxes: Vec<_> = geometry.0.iter().map(|p| p.bounding_rect()).collect();
    // Which parts are enclaves: only worth looking when some feature is one.
    let any_enclave = features.iter().any(|(_, enclave)| *enclave);
    for (g, enclave) in features.iter().filter(|_| any_enclave) {
        for poly in &g.0 {
            let Some(pt) = crate::spatial::sliver::inner_point(poly).map(geo::Point) else {
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
    // The units: each non-enclave part, or the pieces narrow connections cut it into.
    let mut units: Vec<Polygon<f64>> = Vec::new();
    let mut unit_part: Vec<usize> = Vec::new();
    let mut pieces = vec![0_usize; n];
    for i in (0..n).filter(|&i| !enclave[i]) {
        match connect::pieces(&geometry.0[i], rules.min_connection_width_m) {
            Some(cut) => {
                pieces[i] = cut.len();
                for q in cut {
                    units.push(q);
                    unit_part.push(i);
                }
            }
            None => {
                pieces[i] = 1;
                units.push(geometry.0[i].clone());
                unit_part.push(i);
            }
        }
    }
    let m = units.len();
    // Union-find over the units within the contiguity distance, or bridged.
    let d = rules.contiguity_distance_m;
    let bridge = Bridge {
        bridges,
        max_gap: rules.max_bridged_gap_m,
    };
    let reach = if bridge.active(d) {
        rules.max_bridged_gap_m
    } else {
        d
    };
    let boxes: Vec<Option<geo::Rect<f64>>> = units.iter().map(|p| p.bounding_rect()).collect();
    let index = BoxIndex::from_rects(boxes.iter().map(|b| {
        b.unwrap_or_else(|| {
            geo::Rect::new(geo::Coord { x: 0.0, y: 0.0 }, geo::Coord { x: 0.0, y: 0.0 })
        })
    }));
    let mut parent: Vec<usize> = (0..m).collect();
    for i in 0..m {
        let Some(bi) = boxes[i] else { continue };
        for j in index.query(bi, reach) {
            if j <= i || boxes[j].is_none() {
                continue;
            }
            if find_root(&mut parent, i) == find_root(&mut parent, j) {
                continue;
            }
            let raw = distance_m(&units[i], &units[j]);
            if raw <= d || bridge.net_gap(&units[i], &units[j], raw) <= d * (1.0 + 1e-9) + 1e-9 {
                let (a, b) = (find_root(&mut parent, i), find_root(&mut parent, j));
                parent[a] = b;
            }
        }
    }
    // Number clusters by total area, largest first.
    let unit_area: Vec<f64> = units.iter().map(|u| u.unsigned_area()).collect();
    let mut cluster_area: BTreeMap<usize, f64> = BTreeMap::new();
    for (u, area) in unit_area.iter().enumerate() {
        let root = find_root(&mut parent, u);
        *cluster_area.entry(root).or_default() += area;
    }
    let mut roots: Vec<(usize, f64)> = cluster_area.into_iter().collect();
    roots.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let number: BTreeMap<usize, usize> = roots
        .iter()
        .enumerate()
        .map(|(k, (r, _))| (*r, k))
        .collect();
    let unit_cluster: Vec<usize> = (0..m)
        .map(|u| number.get(&find_root(&mut parent, u)).copied().unwrap_or(0))
        .collect();
    // A part's cluster: its largest unit's.
    let mut largest: Vec<Option<usize>> = vec![None; n];
    for u in 0..m {
        let i = unit_part[u];
        if largest[i].is_none_or(|l| unit_area[u] > unit_area[l]) {
            largest[i] = Some(u);
        }
    }
    let parts: Vec<PartInfo> = (0..n)
        .map(|i| {
            let area = geometry.0[i].unsigned_area();
            PartInfo {
                area_m2: area,
                area_mu: mu_from_m2(area),
                area_ellipsoid_m2: None,
                fragment: area < rules.min_part_area_m2,
                enclave: enclave[i],
                cluster: largest[i].map(|u| unit_cluster[u]),
                pieces: pieces[i],
            }
        })
        .collect();
    let k = roots.len();
    let edges = cluster_gaps(&units, &unit_cluster, k);
    let gaps = edges.iter().map(|e| e.0).collect();
    let net_gaps = edges
        .iter()
        .map(|&(raw, i, j)| bridge.net_gap(&units[i], &units[j], raw).min(raw))
        .collect();
    let lines = edges
        .iter()
        .filter_map(|&(d, i, j)| nearest_points(units.get(i)?, units.get(j)?, d))
        .collect();
    SubAreas {
        parts,
        clusters: k,
        gaps,
        net_gaps,
        lines,
        narrow_parts: pieces.iter().filter(|&&p| p > 1).count(),
    }
}

/// The land that bridges a gap between two parts: barriers and protected land.
struct Bridge<'a> {
    bridges: &'a [&'a Prepared<'a>],
    /// Longest gap that can be bridged.
    max_gap: f64,
}

impl Bridge<'_> {
    /// True when some gap longer than `d` could be bridged.
    fn active(&self, d: f64) -> bool {
        !self.bridges.is_empty() && self.max_gap > d
    }

    /// The gap of length `raw` between `a` and `b` net of the bridging land on its shortest
    /// line; `raw` itself when the gap is too long to be bridged (or nothing bridges).
    fn net_gap(&self, a: &Polygon<f64>, b: &Polygon<f64>, raw: f64) -> f64 {
        if self.bridges.is_empty() || !(raw > 0.0 && raw <= self.max_gap) {
            return raw;
        }
        let Some([p, q]) = nearest_points(a, b, raw) else {
            return raw;
        };
        let seg = geo::Rect::new(p, q);
        let polys = self.bridges.iter().flat_map(|layer| {
            layer
                .index
                .query(seg, 0.0)
                .into_iter()
                .filter_map(|f| layer.layer.features.get(f))
                .flat_map(|f| f.geometry.0.iter())
        });
        raw * (1.0 - connect::covered_share(p, q, polys))
    }
}

/// The nearest points of two disjoint polygons `d` apart: the shortest distance between two
/// polygons is reached at a vertex of one of them, so only vertices within `d` of the other's
/// box and edges within `d` of the first's box are tried.
pub fn nearest_points(a: &Polygon<f64>, b: &Polygon<f64>, d: f64) -> Option<[geo::Coord<f64>; 2]> {
    use geo::Coord;
    if d <= 0.0 {
        // Touching or overlapping: nothing to draw.
        return None;
    }
    let (ba, bb) = (a.bounding_rect()?, b.bounding_rect()?);
    // Squared lengths throughout.
    let reach = d * (1.0 + 1e-9) + 1e-9;
    let reach2 = reach * reach;
    let near = |c: Coord<f64>, r: &geo::Rect<f64>| {
        let dx = (r.min().x - c.x).max(c.x - r.max().x).max(0.0);
        let dy = (r.min().y - c.y).max(c.y - r.max().y).max(0.0);
        dx * dx + dy * dy <= reach2
    };
    let edge_near = |p: Coord<f64>, q: Coord<f64>, r: &geo::Rect<f64>| {
        let e = geo::Rect::new(p, q);
        let dx = (r.min().x - e.max().x).max(e.min().x - r.max().x).max(0.0);
        let dy = (r.min().y - e.max().y).max(e.min().y - r.max().y).max(0.0);
        dx * dx + dy * dy <= reach2
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
                let dist = (v.x - c.x) * (v.x - c.x) + (v.y - c.y) * (v.y - c.y);
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

/// Minimum spanning set of gaps between clusters: (length, unit, unit), shortest first;
/// `cluster[u]` is the cluster of unit `u`.
fn cluster_gaps(units: &[Polygon<f64>], cluster: &[usize], k: usize) -> Vec<(f64, usize, usize)> {
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
    let boxes: Vec<Option<geo::Rect<f64>>> = units.iter().map(|p| p.bounding_rect()).collect();
    let box_gap = |a: &geo::Rect<f64>, b: &geo::Rect<f64>| {
        let dx = (a.min().x - b.max().x).max(b.min().x - a.max().x).max(0.0);
        let dy = (a.min().y - b.max().y).max(b.min().y - a.max().y).max(0.0);
        dx.hypot(dy)
    };
    let mut heap = BinaryHeap::new();
    for i in 0..units.len() {
        for j in (i + 1)..units.len() {
            if cluster[i] == cluster[j] {
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
        let (a, b) = (cluster[i], cluster[j]);
        let (ra, rb) = (find_root(&mut parent, a), find_root(&mut parent, b));
        if ra == rb {
            continue;
        }
        if !exact {
            heap.push(Reverse((Key(distance_m(&units[i], &units[j])), true, i, j)));
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use geo::{polygon, MultiPolygon};

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
                    area_ellipsoid_m2: None,
                    fragment: false,
                    enclave: false,
                    cluster: Some(cluster),
                    pieces: 1,
                });
            }
            let geometry = MultiPolygon(polys);
            let clusters: Vec<usize> = parts.iter().map(|p| p.cluster.unwrap_or(0)).collect();
            let edges = cluster_gaps(&geometry.0, &clusters, k);
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
    fn barriers_bridge_gaps_and_narrow_strips_join_nothing() {
        use crate::analysis::rules::testing::{layer, prepared, rect};
        use crate::model::LayerRole;
        // A (0..100) and B (120..220) 20 m apart; D two 100 m squares (1000..1100 and
        // 1400..1500) joined by a corridor 2 m wide and 300 m long (y 49..51).
        let d = polygon![
            (x: 1000.0, y: 0.0), (x: 1100.0, y: 0.0), (x: 1100.0, y: 49.0), (x: 1400.0, y: 49.0),
            (x: 1400.0, y: 0.0), (x: 1500.0, y: 0.0), (x: 1500.0, y: 100.0), (x: 1400.0, y: 100.0),
            (x: 1400.0, y: 51.0), (x: 1100.0, y: 51.0), (x: 1100.0, y: 100.0), (x: 1000.0, y: 100.0),
        ];
        let mut parts = rect(0.0, 0.0, 100.0, 100.0).0;
        parts.extend(rect(120.0, 0.0, 220.0, 100.0).0);
        parts.push(d);
        let geometry = MultiPolygon(parts);
        let features = [(geometry.clone(), false)];
        let rules = Rules::default();
        // Without bridges: A, B, and D's two pieces are 4 clusters; the gaps joining them are
        // A–B 20 m, D's pieces 300 m along the corridor, B–D 780 m.
        let sub = sub_areas(&geometry, &features, &rules, &[]);
        assert_eq!(sub.clusters, 4);
        assert_eq!(sub.narrow_parts, 1);
        let pieces: Vec<usize> = sub.parts.iter().map(|p| p.pieces).collect();
        assert_eq!(pieces, [1, 1, 2]);
        assert_eq!(sub.gaps.len(), 3);
        assert!((sub.gaps[0] - 20.0).abs() < 1e-9);
        assert!((sub.gaps[1] - 300.0).abs() < 0.1, "{:?}", sub.gaps);
        assert!((sub.gaps[2] - 780.0).abs() < 1e-9);
        assert_eq!(sub.net_gaps, sub.gaps);
        // A road filling A–B: 3 clusters; the other gaps are longer than 100 m: not bridged.
        let road = layer(
            "barriers",
            LayerRole::Barrier,
            &[],
            vec![(Vec::new(), rect(100.0, -10.0, 120.0, 110.0))],
        );
        let road = prepared(&road);
        let sub = sub_areas(&geometry, &features, &rules, &[&road]);
        assert_eq!(sub.clusters, 3);
        assert_eq!(sub.gaps.len(), 2);
        assert_eq!(sub.net_gaps, sub.gaps);
        // The width test off: D is one piece, 2 clusters.
        let off = Rules {
            min_connection_width_m: 0.0,
            ..Rules::default()
        };
        let sub = sub_areas(&geometry, &features, &off, &[&road]);
        assert_eq!(sub.clusters, 2);
        assert_eq!(sub.narrow_parts, 0);
        assert!((sub.gaps[0] - 780.0).abs() < 1e-9);
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
