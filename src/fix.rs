//! Fixes that encode the guidance's rules, as plan edits ([`crate::model::edit::PlanEdit`]):
//! cut protected land out of merged zones (四(十三)), and remove fragments (parts under the
//! minimum part size). `zonecheck fix` runs them headless; the app applies the same edits.
//!
//! Both work per merged zone, on the features that make it up, so each feature keeps its
//! attributes; a feature left with no area is removed.
//!
//! - **Cut protected land.** The zone (its features dissolved) is intersected with each
//!   protection layer (control lines excepted: they are drawn inside zones), and the pieces are split by the same sliver rule as the conflict check
//!   ([`crate::spatial::sliver`]): the pieces that count as a conflict are cut out of every
//!   feature; slivers below the tolerance are left alone (they are not occupation). Pieces the
//!   cut leaves thinner than the sliver width or smaller than the sliver area are dropped with
//!   it. The check run again on the result therefore finds no conflict with the cut layers.
//! - **Close gaps.** Parts of a zone closer than `rules.contiguity_distance_m` (and not
//!   touching) are joined, nearest pair first (a minimum spanning forest over the parts): the
//!   bridge is the convex hull of both parts within a box of half-size `contiguity_distance_m`
//!   centred on the middle of their nearest points, minus the parts themselves, minus any
//!   protected land; only pieces that touch both parts are added. A gap whose bridge would
//!   have to cross protected land stays open and is counted (`gaps_left`).
//! - **Remove fragments.** Parts of the dissolved zone under `rules.min_part_area_m2` that are
//!   not enclaves (飞地) are removed from the features that make them up.

use crate::analysis::sliver_tolerances;
use crate::model::edit::PlanEdit;
use crate::model::fields::Fields;
use crate::model::settings::Rules;
use crate::model::zones::group_zones;
use crate::model::{Geom, Layer};
use crate::spatial::index::BoxIndex;
use crate::spatial::overlay::{area_m2, difference_local, union_local};
use crate::spatial::sliver::{is_thin, split, Tolerances};
use geo::{Area, BoundingRect, InteriorPoint, Intersects, MultiPolygon};

/// Which fixes to run, on which zones.
#[derive(Clone, Debug, Default)]
pub struct FixOptions {
    pub cut_protected: bool,
    pub close_gaps: bool,
    pub drop_fragments: bool,
    /// Only these zone ids (all zones when empty).
    pub zones: Vec<String>,
    /// Write the fixed plan as GeoJSON (working CRS, `crs` member) instead of a shapefile.
    pub geojson: bool,
    /// Write the fixed plan as a GeoPackage (`<zones>_fixed.gpkg`, table `<zones>_fixed`,
    /// working CRS) instead of a shapefile.
    pub gpkg: bool,
}

/// What the fixes changed in one merged zone (areas in m²).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ZoneChange {
    pub zone: String,
    pub area_before_m2: f64,
    pub area_after_m2: f64,
    /// Protected land cut out, by layer name (the counted overlap, before leftovers).
    pub cut_by_layer_m2: Vec<(String, f64)>,
    /// Thin or tiny leftovers the cut left, removed with it.
    pub leftovers_m2: f64,
    /// Fragments removed.
    pub fragments_m2: f64,
    /// Land added to join parts within the contiguity distance.
    pub added_m2: f64,
    pub gaps_closed: usize,
    /// Gaps within the contiguity distance that could not be closed without protected land.
    pub gaps_left: usize,
    /// Features removed because nothing of them was left.
    pub features_removed: usize,
}

/// Box indexes of a dataset's protection layers, by layer position (`None` for the others).
/// Built once per loaded dataset (plan edits do not change protection layers) and shared by
/// every fix, so that a fix on one zone does not index 80 000 farmland patches again.
pub struct ProtectionIndex {
    indexes: Vec<Option<BoxIndex>>,
}

impl ProtectionIndex {
    /// The indexes of the layers a cut removes: protection layers, less the extra layers the
    /// review makes control lines (they are delineated inside zones, never cut out).
    pub fn build(layers: &[Layer], paths: &crate::model::settings::LayerPaths) -> ProtectionIndex {
        use crate::model::settings::ExtraRole;
        ProtectionIndex {
            indexes: layers
                .iter()
                .map(|l| {
                    let control_line = l.role == crate::model::LayerRole::Extra
                        && paths.extra_role(&l.name) == ExtraRole::ControlLine;
                    (l.role.is_protection() && !control_line)
                        .then(|| BoxIndex::new(l.features.iter().map(|f| &f.geometry)))
                })
                .collect(),
        }
    }
}

/// An index the [`Protected`] layers own or borrow.
enum IndexRef<'a> {
    Owned(BoxIndex),
    Shared(&'a BoxIndex),
}

impl IndexRef<'_> {
    fn get(&self) -> &BoxIndex {
        match self {
            IndexRef::Owned(i) => i,
            IndexRef::Shared(i) => i,
        }
    }
}

/// The protection layers of a dataset with a box index of each.
pub struct Protected<'a> {
    layers: Vec<(&'a Layer, IndexRef<'a>)>,
}

impl<'a> Protected<'a> {
    /// The protection layers among `layers`, each indexed now.
    pub fn new(layers: impl IntoIterator<Item = &'a Layer>) -> Protected<'a> {
        Protected {
            layers: layers
                .into_iter()
                .filter(|l| l.role.is_protection())
                .map(|l| {
                    let index = BoxIndex::new(l.features.iter().map(|f| &f.geometry));
                    (l, IndexRef::Owned(index))
                })
                .collect(),
        }
    }

    /// The protection layers of `layers` with the indexes built before (`index` must have been
    /// built from these layers).
    pub fn with_index(layers: &'a [Layer], index: &'a ProtectionIndex) -> Protected<'a> {
        Protected {
            layers: layers
                .iter()
                .zip(&index.indexes)
                .filter_map(|(l, i)| Some((l, IndexRef::Shared(i.as_ref()?))))
                .collect(),
        }
    }

    /// All protected land whose box meets `rect` grown by `margin`, as one geometry.
    pub fn near(&self, rect: geo::Rect<f64>, margin: f64) -> Geom {
        let mut out = Vec::new();
        for (layer, index) in &self.layers {
            for i in index.get().query(rect, margin) {
                if let Some(f) = layer.features.get(i) {
                    out.push(f.geometry.clone());
                }
            }
        }
        union_local(out)
    }

    /// The protected land of each layer that counts as occupied by `zone` (the pieces the
    /// conflict check counts), by layer name; layers with none are left out.
    pub fn occupied(&self, zone: &Geom, tol: &Tolerances) -> Vec<(String, Geom)> {
        let Some(b) = zone.bounding_rect() else {
            return Vec::new();
        };
        // As the conflict check does it: each protected feature clipped by the prepared zone,
        // the pieces unioned (overlapping features counted once), then split into slivers.
        let prepared = crate::spatial::overlay::PreparedArea::new(zone);
        let mut out = Vec::new();
        for (layer, index) in &self.layers {
            let pieces: Vec<Geom> = index
                .get()
                .query(b, 0.0)
                .into_iter()
                .filter_map(|i| layer.features.get(i))
                .map(|f| prepared.clip(&f.geometry))
                .filter(|piece| !piece.0.is_empty())
                .collect();
            if pieces.is_empty() {
                continue;
            }
            let pieces = union_local(pieces);
            let s = split(&pieces, tol);
            if s.counts() {
                out.push((layer.name.clone(), s.counted()));
            }
        }
        out
    }
}

/// The zone a planner builds from original zones: its id and name (the rest is proposed).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NewZone {
    pub id: String,
    pub name: Option<String>,
}

/// The designation proposed for a zone merged from members whose level attributes are
/// `levels`: every national plaque among them (保持原有国家级牌子不变), else the highest plaque
/// (牌子就高, the first member's of equal levels); `None` when no member has a known one.
pub fn proposed_level(
    levels: &[&str],
    table: &crate::model::plaques::PlaqueTable,
) -> Option<String> {
    use crate::model::plaques::Level;
    let mut plaques: Vec<&crate::model::plaques::Plaque> = Vec::new();
    for l in levels {
        for p in table.read(l).0 {
            if !plaques.iter().any(|q| q.name == p.name) {
                plaques.push(p);
            }
        }
    }
    let national: Vec<&str> = plaques
        .iter()
        .filter(|p| p.level == Level::National)
        .map(|p| p.name.as_str())
        .collect();
    if !national.is_empty() {
        return Some(national.join("、"));
    }
    let best = plaques.iter().map(|p| p.level).max()?;
    plaques
        .iter()
        .find(|p| p.level == best)
        .map(|p| p.name.clone())
}

/// The edit that adds a merged zone built from the original zones `members` (ids of the
/// originals layer): its geometry is their union, its members recorded, its level proposed by
/// the plaque rules ([`proposed_level`]), its name the given one or the first member's, its
/// city and county the members' (when the original layer has them) or else those of the
/// township (`townships`: the layer and its fields) under the zone's interior point. Errors
/// (in both languages): an id already used, a member not found, no id field to write it in.
#[allow(clippy::too_many_arguments)]
pub fn merge_originals(
    plan: &Layer,
    plan_fields: &Fields,
    original: &Layer,
    original_fields: &Fields,
    members: &[String],
    new: &NewZone,
    table: &crate::model::plaques::PlaqueTable,
    townships: Option<(&Layer, &Fields)>,
) -> Result<PlanEdit, crate::model::Text> {
    use crate::messages::fix as msg;
    let Some(id_col) = plan_fields.id.or(plan_fields.name) else {
        return Err(msg::no_id_field());
    };
    let id = new.id.trim();
    if id.is_empty() || group_zones(plan, plan_fields).iter().any(|z| z.id == id) {
        return Err(msg::zone_id_taken(id));
    }
    if members.is_empty() {
        return Err(msg::no_members());
    }
    let key = original_fields.id.or(original_fields.name);
    let mut geoms = Vec::new();
    let mut levels = Vec::new();
    let mut first_name = None;
    for m in members {
        let found: Vec<&crate::model::Feature> = original
            .features
            .iter()
            .filter(|f| original.attr(f, key) == Some(m.as_str()))
            .collect();
        if found.is_empty() {
            return Err(msg::no_such_original(m));
        }
        for f in found {
            geoms.push(f.geometry.clone());
            if let Some(l) = original.attr(f, original_fields.level) {
                levels.push(l.to_string());
            }
            if first_name.is_none() {
                first_name = original.attr(f, original_fields.name).map(str::to_string);
            }
        }
    }
    let mut attrs: Vec<Option<String>> = vec![None; plan.fields.len()];
    let mut set = |col: Option<usize>, v: Option<String>| {
        if let (Some(c), Some(v)) = (col, v) {
            if let Some(slot) = attrs.get_mut(c) {
                *slot = Some(v);
            }
        }
    };
    set(Some(id_col), Some(id.to_string()));
    set(
        plan_fields.name.filter(|&c| c != id_col),
        new.name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .or(first_name),
    );
    set(plan_fields.members, Some(members.join("、")));
    let level_refs: Vec<&str> = levels.iter().map(String::as_str).collect();
    set(plan_fields.level, proposed_level(&level_refs, table));
    let geometry = union_local(geoms);
    // City and county: the members' own when the original layer has them, else those of the
    // township under the new zone's interior point (editable afterwards).
    let first = |col: Option<usize>| -> Option<String> {
        members.iter().find_map(|m| {
            original
                .features
                .iter()
                .filter(|f| original.attr(f, key) == Some(m.as_str()))
                .find_map(|f| original.attr(f, col).map(str::to_string))
        })
    };
    let (mut city, mut county) = (first(original_fields.city), first(original_fields.county));
    if let (Some((towns, tf)), Some(p)) = (townships, geometry.interior_point()) {
        if let Some(t) = towns.features.iter().find(|f| f.geometry.intersects(&p)) {
            city = city.or_else(|| towns.attr(t, tf.city).map(str::to_string));
            county = county.or_else(|| towns.attr(t, tf.county).map(str::to_string));
        }
    }
    set(plan_fields.city, city);
    set(plan_fields.county, county);
    let index = plan.features.iter().map(|f| f.index + 1).max().unwrap_or(0);
    Ok(PlanEdit::Insert {
        at: plan.features.len(),
        feature: crate::model::Feature {
            index,
            geometry,
            attrs: attrs.into(),
        },
    })
}

/// The land `edits` take out of the plan and add to it (for a preview on the map): per
/// geometry change the parts lost and gained, removed features whole, inserted ones whole.
pub fn edits_change_geometry(edits: &[PlanEdit]) -> (Geom, Geom) {
    let mut removed = Vec::new();
    let mut added = Vec::new();
    fn walk(
        e: &PlanEdit,
        removed: &mut Vec<geo::Polygon<f64>>,
        added: &mut Vec<geo::Polygon<f64>>,
    ) {
        match e {
            PlanEdit::Geometry { before, after, .. } => {
                removed.extend(difference_local(before, after).0);
                added.extend(difference_local(after, before).0);
            }
            PlanEdit::Remove { feature, .. } => removed.extend(feature.geometry.0.iter().cloned()),
            PlanEdit::Insert { feature, .. } => added.extend(feature.geometry.0.iter().cloned()),
            PlanEdit::Group(edits) => edits.iter().for_each(|e| walk(e, removed, added)),
            PlanEdit::Attribute { .. } | PlanEdit::Originals(_) => {}
        }
    }
    for e in edits {
        walk(e, &mut removed, &mut added);
    }
    (MultiPolygon(removed), MultiPolygon(added))
}

/// The next free zone id of `plan`: `M` and three digits after the highest `M` number.
pub fn next_zone_id(plan: &Layer, fields: &Fields) -> String {
    let mut next = 1;
    for z in group_zones(plan, fields) {
        if let Some(n) = z.id.strip_prefix('M').and_then(|d| d.parse::<u32>().ok()) {
            next = next.max(n + 1);
        }
    }
    format!("M{next:03}")
}

/// A zone drawn on the map: a new feature with `geometry` and the next free id (its name,
/// members and level are then set in the properties panel).
pub fn drawn_zone(
    plan: &Layer,
    plan_fields: &Fields,
    geometry: crate::model::Geom,
) -> Result<PlanEdit, crate::model::Text> {
    let Some(id_col) = plan_fields.id.or(plan_fields.name) else {
        return Err(crate::messages::fix::no_id_field());
    };
    let mut attrs: Vec<Option<String>> = vec![None; plan.fields.len()];
    if let Some(slot) = attrs.get_mut(id_col) {
        *slot = Some(next_zone_id(plan, plan_fields));
    }
    let index = plan.features.iter().map(|f| f.index + 1).max().unwrap_or(0);
    Ok(PlanEdit::Insert {
        at: plan.features.len(),
        feature: crate::model::Feature {
            index,
            geometry,
            attrs: attrs.into(),
        },
    })
}

/// Feature `feature` of `plan` split into `pieces` (from [`crate::spatial::edit::split`]): the
/// feature keeps the parts the line left whole and the largest piece; every other piece
/// becomes a new feature with the same attributes (so the zone gains parts, as in other GIS;
/// give a piece another id to make it a zone of its own).
pub fn split_edit(
    plan: &Layer,
    feature: usize,
    mut pieces: Vec<crate::model::Geom>,
    whole: crate::model::Geom,
) -> Option<PlanEdit> {
    use geo::Area;
    let f = plan.features.get(feature)?;
    pieces.sort_by(|a, b| b.unsigned_area().total_cmp(&a.unsigned_area()));
    let mut rest = pieces.into_iter();
    let largest = rest.next()?;
    let mut kept = whole;
    kept.0.extend(largest.0);
    let mut edits = vec![PlanEdit::Geometry {
        feature,
        before: f.geometry.clone(),
        after: kept,
    }];
    let first = plan.features.iter().map(|f| f.index + 1).max().unwrap_or(0);
    for (k, piece) in rest.enumerate() {
        edits.push(PlanEdit::Insert {
            at: plan.features.len() + k,
            feature: crate::model::Feature {
                index: first + k,
                geometry: piece,
                attrs: f.attrs.clone(),
            },
        });
    }
    Some(PlanEdit::Group(edits))
}

/// The features of every zone but `zone`, as a protection layer (for cutting zone overlaps out
/// of `zone` with the same sliver rule as the `zone_overlap` check).
pub fn other_zones(plan: &Layer, fields: &Fields, zone: &str) -> Layer {
    let mut out = plan.clone();
    out.role = crate::model::LayerRole::Redline;
    out.name = "zones".to_string();
    let key = fields.id.or(fields.name);
    out.features.retain(|f| {
        let id = plan
            .attr(f, key)
            .map(str::to_string)
            .unwrap_or_else(|| format!("#{}", f.index));
        id != zone
    });
    out
}

/// The edits that fix `plan` (the zones layer, as `fields` read it) under `rules`, one group
/// per changed zone, with what changed in each zone (zones that did not change are left out).
pub fn fix_plan(
    plan: &Layer,
    fields: &Fields,
    protected: &Protected,
    rules: &Rules,
    options: &FixOptions,
) -> (Vec<PlanEdit>, Vec<ZoneChange>) {
    let tol = sliver_tolerances(rules);
    let mut edits = Vec::new();
    let mut changes = Vec::new();
    // Positions of records in the layer (edits address positions).
    let position = |record: usize| plan.features.iter().position(|f| f.index == record);
    // Removals are collected over all zones and made last, from the highest position down, so
    // that the positions of the other edits stay right.
    let mut removals: Vec<usize> = Vec::new();
    for z in group_zones(plan, fields) {
        if !options.zones.is_empty() && !options.zones.contains(&z.id) {
            continue;
        }
        let positions: Vec<usize> = z.records.iter().filter_map(|&r| position(r)).collect();
        let mut geoms: Vec<Geom> = positions
            .iter()
            .map(|&p| plan.features[p].geometry.clone())
            .collect();
        let enclave: Vec<bool> = z.features.iter().map(|(_, e)| *e).collect();
        let dissolved = union_local(geoms.clone());
        let mut change = ZoneChange {
            zone: z.id.clone(),
            area_before_m2: area_m2(&dissolved),
            ..ZoneChange::default()
        };
        if options.cut_protected {
            let occupied = protected.occupied(&dissolved, &tol);
            if !occupied.is_empty() {
                change.cut_by_layer_m2 = occupied
                    .iter()
                    .map(|(name, g)| (name.clone(), area_m2(g)))
                    .collect();
                let cut = union_local(occupied.into_iter().map(|(_, g)| g).collect());
                for g in geoms.iter_mut() {
                    if !g.intersects(&cut) {
                        continue;
                    }
                    let rest = difference_local(g, &cut);
                    let (kept, dropped): (Vec<_>, Vec<_>) = rest.0.into_iter().partition(|p| {
                        let a = p.unsigned_area();
                        a >= tol.tiny_area_m2 && !is_thin(p, a, tol.width_m)
                    });
                    change.leftovers_m2 += dropped.iter().map(|p| p.unsigned_area()).sum::<f64>();
                    *g = MultiPolygon(kept);
                }
            }
        }
        if options.close_gaps {
            close_gaps(&mut geoms, &enclave, protected, rules, &mut change);
        }
        if options.drop_fragments {
            let parts = union_local(geoms.clone());
            let fragments: Vec<_> = parts
                .0
                .iter()
                .filter(|p| p.unsigned_area() < rules.min_part_area_m2)
                .collect();
            for (g, is_enclave) in geoms.iter_mut().zip(&enclave) {
                if *is_enclave || fragments.is_empty() {
                    continue;
                }
                let (gone, kept): (Vec<_>, Vec<_>) =
                    std::mem::take(&mut g.0).into_iter().partition(|poly| {
                        poly.interior_point()
                            .is_some_and(|pt| fragments.iter().any(|f| f.intersects(&pt)))
                    });
                change.fragments_m2 += gone.iter().map(|p| p.unsigned_area()).sum::<f64>();
                g.0 = kept;
            }
        }
        let mut group = Vec::new();
        for (&p, g) in positions.iter().zip(&geoms) {
            let before = &plan.features[p].geometry;
            if g == before {
                continue;
            }
            if g.0.is_empty() {
                removals.push(p);
                change.features_removed += 1;
            } else {
                group.push(PlanEdit::Geometry {
                    feature: p,
                    before: before.clone(),
                    after: g.clone(),
                });
            }
        }
        let changed = !group.is_empty() || change.features_removed > 0 || change.gaps_left > 0;
        if changed {
            change.area_after_m2 = area_m2(&union_local(
                geoms.into_iter().filter(|g| !g.0.is_empty()).collect(),
            ));
            if !group.is_empty() {
                edits.push(PlanEdit::Group(group));
            }
            changes.push(change);
        }
    }
    removals.sort_unstable();
    let remove: Vec<PlanEdit> = removals
        .into_iter()
        .rev()
        .map(|at| PlanEdit::Remove {
            at,
            feature: plan.features[at].clone(),
        })
        .collect();
    if !remove.is_empty() {
        edits.push(PlanEdit::Group(remove));
    }
    (edits, changes)
}

/// Joins the parts of a zone (its features `geoms`, `enclave` per feature) that lie within the
/// contiguity distance, as the module documentation says; the bridges are added to the first
/// feature touching them.
fn close_gaps(
    geoms: &mut [Geom],
    enclave: &[bool],
    protected: &Protected,
    rules: &Rules,
    change: &mut ZoneChange,
) {
    use crate::analysis::zone::nearest_points;
    use crate::spatial::overlay::{distance_m, find_root};
    let d = rules.contiguity_distance_m;
    if d.is_nan() || d <= 0.0 {
        return;
    }
    let parts = union_local(
        geoms
            .iter()
            .zip(enclave)
            .filter(|(_, e)| !**e)
            .map(|(g, _)| g.clone())
            .collect(),
    );
    let n = parts.0.len();
    if n < 2 {
        return;
    }
    // Part pairs within the distance, nearest first; Kruskal keeps one bridge per join.
    let index = BoxIndex::new(
        parts
            .0
            .iter()
            .map(|p| MultiPolygon(vec![p.clone()]))
            .collect::<Vec<_>>()
            .iter(),
    );
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for i in 0..n {
        let Some(b) = parts.0[i].bounding_rect() else {
            continue;
        };
        for j in index.query(b, d) {
            if j > i {
                let dist = distance_m(&parts.0[i], &parts.0[j]);
                if dist > 0.0 && dist <= d {
                    pairs.push((dist, i, j));
                }
            }
        }
    }
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut parent: Vec<usize> = (0..n).collect();
    for (dist, i, j) in pairs {
        let (ri, rj) = (find_root(&mut parent, i), find_root(&mut parent, j));
        if ri == rj {
            continue;
        }
        let Some([a, b]) = nearest_points(&parts.0[i], &parts.0[j], dist) else {
            continue;
        };
        let mid = geo::Coord {
            x: (a.x + b.x) / 2.0,
            y: (a.y + b.y) / 2.0,
        };
        let window = geo::Rect::new(
            geo::Coord {
                x: mid.x - d,
                y: mid.y - d,
            },
            geo::Coord {
                x: mid.x + d,
                y: mid.y + d,
            },
        );
        let pair = MultiPolygon(vec![parts.0[i].clone(), parts.0[j].clone()]);
        let near_pair = crate::spatial::overlay::clip_to_rect(&pair, &window);
        let hull: geo::Polygon<f64> = geo::ConvexHull::convex_hull(&near_pair);
        let mut fill = difference_local(&MultiPolygon(vec![hull]), &pair);
        let blocked = protected.near(window, 0.0);
        if !blocked.0.is_empty() {
            fill = difference_local(&fill, &blocked);
        }
        let (pi, pj) = (&parts.0[i], &parts.0[j]);
        let bridges: Vec<geo::Polygon<f64>> = fill
            .0
            .into_iter()
            .filter(|piece| {
                piece.unsigned_area() > 0.0 && piece.intersects(pi) && piece.intersects(pj)
            })
            .collect();
        if bridges.is_empty() {
            change.gaps_left += 1;
            continue;
        }
        let bridge = MultiPolygon(bridges);
        change.added_m2 += area_m2(&bridge);
        change.gaps_closed += 1;
        parent[ri] = rj;
        if let Some(g) = geoms
            .iter_mut()
            .zip(enclave)
            .find(|(g, e)| !**e && g.intersects(&bridge))
            .map(|(g, _)| g)
        {
            *g = union_local(vec![g.clone(), bridge]);
        }
    }
}

/// One zone of the plan compared between two checks (the plan as loaded and as edited).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ZoneComparison {
    pub zone: String,
    /// In the plan as loaded / as edited.
    pub before: bool,
    pub after: bool,
    pub area_before_m2: f64,
    pub area_after_m2: f64,
    /// Land the edits added to the zone and took from it.
    pub added_m2: f64,
    pub removed_m2: f64,
    /// Protected land the zone occupies (the conflicts' counted area, all layers).
    pub conflict_before_m2: f64,
    pub conflict_after_m2: f64,
    pub blocking_before: usize,
    pub blocking_after: usize,
    pub findings_before: usize,
    pub findings_after: usize,
}

/// Where the plan of `after` differs from the plan of `before`: the land added to some zone
/// and the land taken out of some zone (zone by zone, so land moved from one zone to another
/// shows in both). Zones whose geometry is the same are skipped without an overlay.
pub fn plan_change_geometry(
    before: &crate::analysis::Analysis,
    after: &crate::analysis::Analysis,
) -> (Geom, Geom) {
    let empty = MultiPolygon(vec![]);
    let mut added = Vec::new();
    let mut removed = Vec::new();
    let mut ids: Vec<&str> = before
        .zones
        .iter()
        .chain(&after.zones)
        .map(|z| z.id.as_str())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    for id in ids {
        let gb = before
            .zones
            .iter()
            .find(|z| z.id == id)
            .map_or(&empty, |z| &z.geometry);
        let ga = after
            .zones
            .iter()
            .find(|z| z.id == id)
            .map_or(&empty, |z| &z.geometry);
        if gb == ga {
            continue;
        }
        added.extend(difference_local(ga, gb).0);
        removed.extend(difference_local(gb, ga).0);
    }
    (MultiPolygon(added), MultiPolygon(removed))
}

/// Every zone of either check, compared (by zone id, sorted).
pub fn compare_plans(
    before: &crate::analysis::Analysis,
    after: &crate::analysis::Analysis,
) -> Vec<ZoneComparison> {
    use crate::analysis::{Severity, ZoneResult};
    let conflict = |z: &ZoneResult| -> f64 {
        z.conflicts
            .values()
            .filter(|c| c.is_conflict())
            .map(|c| {
                if c.slivers_counted {
                    c.area_m2
                } else {
                    c.area_m2 - c.sliver_area_m2
                }
            })
            .sum()
    };
    let blocking = |z: &ZoneResult| {
        z.findings
            .iter()
            .filter(|f| f.severity == Severity::Blocking)
            .count()
    };
    let mut ids: Vec<&str> = before
        .zones
        .iter()
        .chain(&after.zones)
        .map(|z| z.id.as_str())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids.into_iter()
        .map(|id| {
            let b = before.zones.iter().find(|z| z.id == id);
            let a = after.zones.iter().find(|z| z.id == id);
            let empty = MultiPolygon(vec![]);
            let (gb, ga) = (
                b.map_or(&empty, |z| &z.geometry),
                a.map_or(&empty, |z| &z.geometry),
            );
            ZoneComparison {
                zone: id.to_string(),
                before: b.is_some(),
                after: a.is_some(),
                area_before_m2: b.map_or(0.0, |z| z.area_m2),
                area_after_m2: a.map_or(0.0, |z| z.area_m2),
                added_m2: area_m2(&difference_local(ga, gb)),
                removed_m2: area_m2(&difference_local(gb, ga)),
                conflict_before_m2: b.map_or(0.0, conflict),
                conflict_after_m2: a.map_or(0.0, conflict),
                blocking_before: b.map_or(0, blocking),
                blocking_after: a.map_or(0, blocking),
                findings_before: b.map_or(0, |z| z.findings.len()),
                findings_after: a.map_or(0, |z| z.findings.len()),
            }
        })
        .collect()
}

/// The comparison as CSV (UTF-8 with a BOM), areas in m² and 亩.
pub fn comparison_csv(rows: &[ZoneComparison]) -> String {
    let mu = crate::model::mu_from_m2;
    let mut out = String::from("\u{feff}");
    out.push_str("zone,status,area_before_m2,area_after_m2,added_m2,added_mu,removed_m2,removed_mu,conflict_before_m2,conflict_after_m2,blocking_before,blocking_after,findings_before,findings_after\n");
    for r in rows {
        let status = match (r.before, r.after) {
            (true, true) => "changed",
            (false, true) => "new",
            (true, false) => "removed",
            (false, false) => "",
        };
        let status = if status == "changed" && r.added_m2 == 0.0 && r.removed_m2 == 0.0 {
            "same_area"
        } else {
            status
        };
        let zone = if r.zone.contains([',', '"', '\n']) {
            format!("\"{}\"", r.zone.replace('"', "\"\""))
        } else {
            r.zone.clone()
        };
        out.push_str(&format!(
            "{zone},{status},{},{},{},{},{},{},{},{},{},{},{},{}\n",
            crate::model::num::Fixed(r.area_before_m2, 2),
            crate::model::num::Fixed(r.area_after_m2, 2),
            crate::model::num::Fixed(r.added_m2, 2),
            crate::model::num::Fixed(mu(r.added_m2), 4),
            crate::model::num::Fixed(r.removed_m2, 2),
            crate::model::num::Fixed(mu(r.removed_m2), 4),
            crate::model::num::Fixed(r.conflict_before_m2, 2),
            crate::model::num::Fixed(r.conflict_after_m2, 2),
            r.blocking_before,
            r.blocking_after,
            r.findings_before,
            r.findings_after
        ));
    }
    out
}

/// The output of `zonecheck fix`: where the fixed plan and its review were written, and what
/// changed.
#[derive(Clone, Debug)]
pub struct FixOutput {
    pub zones_path: std::path::PathBuf,
    pub review_path: std::path::PathBuf,
    pub changes_path: std::path::PathBuf,
    pub changes: Vec<ZoneChange>,
    /// Protection layers with records that could not be used, and how many: the cut may have
    /// missed protected land there (a check of the fixed plan reports `input.incomplete`).
    pub incomplete: Vec<(String, usize)>,
}

/// `zonecheck fix`: loads the review as `zonecheck check` does, fixes the zones, and writes into
/// `out` the fixed zones layer (`<zones stem>_fixed.shp` in the working CRS, with `.prj` and
/// `.cpg`), `review.toml` (the review with every layer path absolute and `zones` pointing at the
/// fixed layer) and `changes.csv`. No input is ever replaced: an output folder holding an input
/// is refused. Errors in `lang`.
pub fn run(
    review_path: &std::path::Path,
    out: &std::path::Path,
    options: &FixOptions,
    encoding: crate::io::shp_write::OutEncoding,
    lang: crate::model::Lang,
) -> Result<FixOutput, String> {
    use crate::io::review::Review;
    use crate::load::{load_review_with, LoadOptions};
    use crate::messages::fix as msg;
    let review = Review::load(review_path).map_err(|e| e.in_lang(lang))?;
    if !options.cut_protected && !options.close_gaps && !options.drop_fragments {
        return Err(msg::nothing_chosen().get(lang).to_string());
    }
    // No output may replace an input: the fixed layer's files, review.toml and changes.csv.
    let stem = review
        .file
        .layers
        .zones
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "zones".to_string());
    let exts: &[&str] = if options.geojson {
        &["geojson"]
    } else if options.gpkg {
        &["gpkg"]
    } else {
        &["shp", "shx", "dbf", "cpg", "prj"]
    };
    let layer_files: Vec<String> = exts
        .iter()
        .map(|ext| format!("{stem}_fixed.{ext}"))
        .collect();
    let mut names: Vec<&str> = vec!["review.toml", "changes.csv"];
    names.extend(layer_files.iter().map(String::as_str));
    crate::report::refuse_files_over_inputs(out, &crate::cli::input_files(&review), &names)
        .map_err(|t| t.get(lang).to_string())?;
    let progress = crate::progress::Progress::new();
    let ds = load_review_with(
        &review,
        &progress,
        LoadOptions {
            near_zones: Some(crate::spatial::frame::map_view_rect),
            read_every_feature: false,
        },
    )
    .map_err(|e| e.in_lang(lang))?;
    let Some(zones) = ds
        .layers
        .iter()
        .find(|l| l.role == crate::model::LayerRole::Zones)
    else {
        return Err(msg::no_zones_layer().get(lang).to_string());
    };
    for id in &options.zones {
        let fields = Fields::of_layer(zones, &review.file);
        if !group_zones(zones, &fields).iter().any(|z| &z.id == id) {
            return Err(msg::no_such_zone(id).get(lang).to_string());
        }
    }
    let fields = Fields::of_layer(zones, &review.file);
    let index = ProtectionIndex::build(&ds.layers, &review.file.layers);
    let protected = Protected::with_index(&ds.layers, &index);
    let (edits, changes) = fix_plan(zones, &fields, &protected, &review.file.rules, options);
    let mut plan = zones.clone();
    for e in &edits {
        crate::model::edit::apply(&mut plan, e).map_err(|e| e.text().get(lang).to_string())?;
    }
    // Every value must survive the chosen encoding: a character GBK lacks is an error, never
    // a silent `?`.
    if !options.geojson && !options.gpkg && encoding == crate::io::shp_write::OutEncoding::Gbk {
        for f in &plan.features {
            for (name, v) in plan.fields.iter().zip(f.attrs.iter()) {
                if let Some(v) = v {
                    if encoding_rs::GBK.encode(v).2 {
                        return Err(msg::not_gbk(name, v).get(lang).to_string());
                    }
                }
            }
        }
    }
    std::fs::create_dir_all(out).map_err(|e| msg::cannot_write(out, &e).get(lang).to_string())?;
    let zones_path;
    if options.geojson {
        zones_path = out.join(format!("{stem}_fixed.geojson"));
        let text = plan_geojson(&plan, &ds.working_crs).map_err(|t| t.get(lang).to_string())?;
        crate::io::atomic::write_atomic(&zones_path, text.as_bytes())
            .map_err(|e| msg::cannot_write(&zones_path, &e).get(lang).to_string())?;
    } else if options.gpkg {
        zones_path = out.join(format!("{stem}_fixed.gpkg"));
        write_plan_gpkg(
            &plan,
            &zones_path,
            &format!("{stem}_fixed"),
            &ds.working_crs,
        )
        .map_err(|e| {
            msg::cannot_write(&zones_path, &std::io::Error::other(e))
                .get(lang)
                .to_string()
        })?;
    } else {
        zones_path = out.join(format!("{stem}_fixed.shp"));
        // Field names cut to the .dbf's 10 bytes are listed in <stem>_fixed_fields.csv.
        write_plan(
            &plan,
            &zones_path,
            encoding,
            ds.working_crs.esri_wkt().as_deref(),
        )
        .map_err(|e| msg::cannot_write(&zones_path, &e).get(lang).to_string())?;
    }
    let review_out = out.join("review.toml");
    let text = fixed_review(&review, &zones_path);
    crate::io::atomic::write_atomic(&review_out, text.as_bytes())
        .map_err(|e| msg::cannot_write(&review_out, &e).get(lang).to_string())?;
    let changes_path = out.join("changes.csv");
    crate::io::atomic::write_atomic(&changes_path, changes_csv(&changes).as_bytes())
        .map_err(|e| msg::cannot_write(&changes_path, &e).get(lang).to_string())?;
    let incomplete = ds
        .layers
        .iter()
        .filter(|l| l.role.is_protection() && !l.source.unusable.is_empty())
        .map(|l| (l.name.clone(), l.source.unusable.len()))
        .collect();
    Ok(FixOutput {
        zones_path,
        review_path: review_out,
        changes_path,
        changes,
        incomplete,
    })
}

/// Writes the plan as a polygon shapefile: its own fields as text columns as wide as their
/// longest value in the encoding (1–254 bytes), named within the `.dbf`'s 10 bytes by
/// [`crate::io::shp_write::dbf_field_names`]. Returns the fields whose names had to change
/// (name in the plan, name in the `.dbf`); when there are any, `<stem>_fields.csv` beside the
/// layer lists them (原字段名,DBF字段名).
pub fn write_plan(
    plan: &Layer,
    path: &std::path::Path,
    encoding: crate::io::shp_write::OutEncoding,
    prj: Option<&str>,
) -> std::io::Result<Vec<(String, String)>> {
    use crate::io::shp_write::{
        dbf_field_names, write_polygon_shapefile, FieldKind, FieldSpec, OutEncoding,
    };
    let bytes = |v: &str| match encoding {
        OutEncoding::Utf8 => v.len(),
        OutEncoding::Gbk => encoding_rs::GBK.encode(v).0.len(),
    };
    let names = dbf_field_names(&plan.fields, encoding);
    let fields: Vec<FieldSpec> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let widest = plan
                .features
                .iter()
                .filter_map(|f| f.attrs.get(i).map(str::to_string))
                .map(|v| bytes(&v))
                .max()
                .unwrap_or(1);
            FieldSpec {
                name: name.clone(),
                kind: FieldKind::Text(widest.clamp(1, 254) as u8),
            }
        })
        .collect();
    let features: Vec<(Geom, Vec<Option<String>>)> = plan
        .features
        .iter()
        .map(|f| {
            let mut attrs = f.attrs.to_vec();
            attrs.resize(plan.fields.len(), None);
            (f.geometry.clone(), attrs)
        })
        .collect();
    write_polygon_shapefile(path, &fields, &features, prj, encoding)?;
    let renamed: Vec<(String, String)> = plan
        .fields
        .iter()
        .zip(&names)
        .filter(|(a, b)| a.trim() != b.as_str())
        .map(|(a, b)| (a.clone(), b.clone()))
        .collect();
    if !renamed.is_empty() {
        let mut csv = String::from("原字段名,DBF字段名\n");
        for (a, b) in &renamed {
            csv.push_str(&format!("{},{}\n", csv_cell(a), csv_cell(b)));
        }
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let map_path = path.with_file_name(format!("{stem}_fields.csv"));
        crate::io::atomic::write_atomic(&map_path, csv.as_bytes())?;
    }
    Ok(renamed)
}

/// A CSV cell, quoted when it holds a comma, quote or line break.
fn csv_cell(v: &str) -> String {
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v.to_string()
    }
}

/// Writes the plan as a GeoPackage: one feature table `table` with the plan's fields as TEXT
/// columns, in `crs` (see [`crate::io::gpkg::write_polygon_gpkg`]).
pub fn write_plan_gpkg(
    plan: &Layer,
    path: &std::path::Path,
    table: &str,
    crs: &crate::crs::CrsDef,
) -> Result<(), String> {
    use crate::io::gpkg::{write_polygon_gpkg, Column, ColumnKind};
    let columns: Vec<Column> = plan
        .fields
        .iter()
        .map(|name| Column {
            name: name.clone(),
            kind: ColumnKind::Text,
        })
        .collect();
    let features: Vec<(Geom, Vec<Option<String>>)> = plan
        .features
        .iter()
        .map(|f| {
            let mut attrs = f.attrs.to_vec();
            attrs.resize(plan.fields.len(), None);
            (f.geometry.clone(), attrs)
        })
        .collect();
    write_polygon_gpkg(
        path,
        table,
        &columns,
        &features,
        crs,
        crate::io::atomic::Durability::Synced,
    )
}

/// The plan as GeoJSON in the working CRS (full precision, so nothing moves), with the legacy
/// `crs` member naming its EPSG code (QGIS and GDAL read it; zonecheck too): RFC 7946 would
/// want lon/lat, which would move every vertex by the rounding of a reprojection. Every
/// attribute is a string property under its field name. A working CRS without an EPSG code
/// cannot be named that way: an error.
pub fn plan_geojson(plan: &Layer, crs: &crate::crs::CrsDef) -> Result<String, crate::model::Text> {
    let Some(epsg) = crs.epsg_equivalent() else {
        return Err(crate::messages::fix::geojson_needs_epsg(&crs.label()));
    };
    Ok(plan_geojson_text(plan, Some(epsg)))
}

/// The plan as a 国土TXT file (see [`crate::io::gtxt::gtxt_text`]): one parcel per zone (its
/// features grouped by the zone id as the check does, and their union), in the working CRS with
/// the header from it, `decimals` decimals; GBK unless a name has no GBK code (then UTF-8).
pub fn plan_gtxt(
    plan: &Layer,
    review: &crate::model::settings::ReviewFile,
    crs: &crate::crs::CrsDef,
    decimals: usize,
) -> Vec<u8> {
    use crate::io::gtxt::{encode, gtxt_text, ParcelOut};
    let fields = Fields::of_layer(plan, review);
    let zones: Vec<(String, Option<String>, Geom)> = group_zones(plan, &fields)
        .into_iter()
        .map(|z| {
            let geom = crate::spatial::overlay::union_all(z.features.iter().map(|(g, _)| g));
            (z.id, z.name, geom)
        })
        .collect();
    let parcels: Vec<ParcelOut> = zones
        .iter()
        .map(|(id, name, geometry)| ParcelOut {
            id,
            name: name.as_deref(),
            geometry,
        })
        .collect();
    let text = gtxt_text(&parcels, crs.epsg_equivalent(), &crs.name, decimals);
    encode(&text, true).0
}

/// The plan as GeoJSON in the working CRS, with the `crs` member when `epsg` is known (the
/// recovery file keeps the CRS's definition beside it).
pub fn plan_geojson_text(plan: &Layer, epsg: Option<u32>) -> String {
    use serde_json::{json, Map, Value};
    let ring = |r: &geo::LineString<f64>| -> Value {
        Value::Array(r.0.iter().map(|c| json!([c.x, c.y])).collect())
    };
    let features: Vec<Value> = plan
        .features
        .iter()
        .map(|f| {
            let mut props = Map::new();
            for (i, name) in plan.fields.iter().enumerate() {
                let v = f.attrs.get(i).map(str::to_string);
                props.insert(name.clone(), v.map_or(Value::Null, Value::String));
            }
            let polys: Vec<Value> = f
                .geometry
                .0
                .iter()
                .map(|p| {
                    let mut rings = vec![ring(p.exterior())];
                    rings.extend(p.interiors().iter().map(ring));
                    Value::Array(rings)
                })
                .collect();
            json!({
                "type": "Feature",
                "properties": props,
                "geometry": {"type": "MultiPolygon", "coordinates": polys},
            })
        })
        .collect();
    // The `crs` member before the features, as GDAL writes it: a reader streaming the features
    // knows their CRS when they come (zonecheck filters them by it).
    let mut doc = json!({"type": "FeatureCollection"});
    if let Some(epsg) = epsg {
        doc["crs"] = json!({"type": "name", "properties": {"name": format!("urn:ogc:def:crs:EPSG::{epsg}")}});
    }
    doc["features"] = Value::Array(features);
    crate::model::num::clean_json(&mut doc);
    format!("{doc}\n")
}

/// The review file of the fixed plan: the same settings, decisions and verdict; every layer
/// path absolute; `zones` the fixed layer (its CRS and encoding are in its `.prj` and `.cpg`, so
/// `crs_of.zones` and `encoding_of.zones` go).
fn fixed_review(review: &crate::io::review::Review, zones_path: &std::path::Path) -> String {
    let mut file = review.file.clone();
    let base = review.path.parent().unwrap_or(std::path::Path::new("."));
    let abs = |p: &std::path::Path| {
        let joined = base.join(p);
        std::fs::canonicalize(&joined).unwrap_or(joined)
    };
    let l = &mut file.layers;
    l.zones = zones_path
        .file_name()
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| zones_path.to_path_buf());
    for p in [
        &mut l.original,
        &mut l.redline,
        &mut l.farmland,
        &mut l.water,
        &mut l.townships,
        &mut l.barriers,
        &mut l.new_industrial,
    ]
    .into_iter()
    .flatten()
    {
        *p = abs(p);
    }
    for p in l.extra.values_mut() {
        *p = abs(p);
    }
    file.crs_of.remove("zones");
    file.encoding_of.remove("zones");
    let body = toml::to_string(&file).unwrap_or_default();
    format!(
        "# The review of the plan fixed by `zonecheck fix` from {}.\n{body}",
        review.path.display()
    )
}

/// changes.csv: one row per changed zone (UTF-8 with a BOM, so spreadsheet programs show the
/// Chinese), areas in m² and 亩.
fn changes_csv(changes: &[ZoneChange]) -> String {
    let mut out = String::from("\u{feff}");
    out.push_str("zone,area_before_m2,area_after_m2,area_after_mu,protected_cut_m2,protected_cut_mu,cut_by_layer,leftovers_m2,fragments_m2,added_m2,gaps_closed,gaps_left,features_removed\n");
    let q = |s: &str| {
        if s.contains([',', '"', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    for c in changes {
        let cut: f64 = c.cut_by_layer_m2.iter().map(|(_, a)| a).sum();
        let by_layer: Vec<String> = c
            .cut_by_layer_m2
            .iter()
            .map(|(l, a)| format!("{l}: {}", crate::model::num::Fixed(*a, 2)))
            .collect();
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
            q(&c.zone),
            crate::model::num::Fixed(c.area_before_m2, 2),
            crate::model::num::Fixed(c.area_after_m2, 2),
            crate::model::num::Fixed(crate::model::mu_from_m2(c.area_after_m2), 4),
            crate::model::num::Fixed(cut, 2),
            crate::model::num::Fixed(crate::model::mu_from_m2(cut), 4),
            q(&by_layer.join("; ")),
            crate::model::num::Fixed(c.leftovers_m2, 2),
            crate::model::num::Fixed(c.fragments_m2, 2),
            crate::model::num::Fixed(c.added_m2, 2),
            c.gaps_closed,
            c.gaps_left,
            c.features_removed
        ));
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::model::edit::apply;
    use crate::model::{Feature, LayerRole, SourceInfo};
    use crate::spatial::overlay::intersection_local;
    use geo::polygon;

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Geom {
        MultiPolygon(vec![
            polygon![(x: x0, y: y0), (x: x1, y: y0), (x: x1, y: y1), (x: x0, y: y1)],
        ])
    }

    fn layer(name: &str, role: LayerRole, features: Vec<(&str, Geom)>) -> Layer {
        Layer {
            name: name.to_string(),
            role,
            fields: vec!["ID".to_string()],
            features: features
                .into_iter()
                .enumerate()
                .map(|(index, (id, geometry))| Feature {
                    index,
                    geometry,
                    attrs: vec![Some(id.to_string())].into(),
                })
                .collect(),
            source: SourceInfo::default(),
        }
    }

    #[test]
    fn cutting_removes_the_counted_overlap_and_leaves_slivers() {
        // Zone M1: 0..1000 × 0..500 (500,000 m²). Red line R1 covers x 800..1200 (overlap
        // 200 × 500 = 100,000 m²); farmland F1 reaches 0.2 m into the zone along y 0..100
        // (a 20 m² sliver: thin, under the 200 m² total) and stays.
        let mut plan = layer(
            "zones",
            LayerRole::Zones,
            vec![("M1", rect(0.0, 0.0, 1000.0, 500.0))],
        );
        let red = layer(
            "redline",
            LayerRole::Redline,
            vec![("R1", rect(800.0, -100.0, 1200.0, 600.0))],
        );
        let farm = layer(
            "farmland",
            LayerRole::Farmland,
            vec![("F1", rect(-50.0, 0.0, 0.2, 100.0))],
        );
        let protected = Protected::new([&red, &farm]);
        let fields = Fields::resolve(&plan, &Default::default());
        let options = FixOptions {
            cut_protected: true,
            ..FixOptions::default()
        };
        let (edits, changes) = fix_plan(&plan, &fields, &protected, &Rules::default(), &options);
        assert_eq!(changes.len(), 1);
        let c = &changes[0];
        assert_eq!(c.cut_by_layer_m2.len(), 1);
        assert_eq!(c.cut_by_layer_m2[0].0, "redline");
        assert!((c.cut_by_layer_m2[0].1 - 100_000.0).abs() < 1e-6);
        assert!((c.area_after_m2 - 400_000.0).abs() < 1e-6, "{c:?}");
        for e in &edits {
            apply(&mut plan, e).unwrap();
        }
        // Nothing of the red line is left inside; the farmland sliver still is (to the overlay's
        // snapping grid, ~1e-6 m over this extent: 1e-3 m² on a 100 m edge is ample).
        let zone = &plan.features[0].geometry;
        let red_left = area_m2(&intersection_local(zone, &red.features[0].geometry));
        assert!(red_left < 1e-3, "{red_left}");
        let farm_left = area_m2(&intersection_local(zone, &farm.features[0].geometry));
        assert!((farm_left - 20.0).abs() < 1e-3, "{farm_left}");
    }

    #[test]
    fn fragments_go_and_enclaves_and_big_parts_stay() {
        // M1: a 200 × 200 part (40,000 m²) and a 50 × 50 part (2,500 m², under 10,000 m²)
        // in one feature each; the small one goes, its feature with it.
        let plan = layer(
            "zones",
            LayerRole::Zones,
            vec![
                ("M1", rect(0.0, 0.0, 200.0, 200.0)),
                ("M1", rect(500.0, 0.0, 550.0, 50.0)),
            ],
        );
        let fields = Fields::resolve(&plan, &Default::default());
        let options = FixOptions {
            drop_fragments: true,
            ..FixOptions::default()
        };
        let (edits, changes) = fix_plan(
            &plan,
            &fields,
            &Protected::new([]),
            &Rules::default(),
            &options,
        );
        assert_eq!(changes[0].features_removed, 1);
        assert!((changes[0].fragments_m2 - 2_500.0).abs() < 1e-9);
        assert!((changes[0].area_after_m2 - 40_000.0).abs() < 1e-6);
        let mut p = plan.clone();
        for e in &edits {
            apply(&mut p, e).unwrap();
        }
        assert_eq!(p.features.len(), 1);
        // Undone, the plan is back as it was.
        for e in edits.iter().rev() {
            apply(&mut p, &e.inverse()).unwrap();
        }
        assert_eq!(p.features, plan.features);
    }

    #[test]
    fn a_gap_within_the_contiguity_distance_is_bridged_but_never_through_protected_land() {
        // Two 200 × 200 squares 20 m apart (x 0..200 and 220..420), contiguity 50 m. Their
        // nearest points are the corners (200,0) and (220,0); the box of half-size 50 around
        // (210,0) holds x 160..200 and 220..260 of the squares for y 0..50, whose hull less the
        // squares is the bridge 200..220 × 0..50: 1,000 m².
        let plan = layer(
            "zones",
            LayerRole::Zones,
            vec![
                ("M1", rect(0.0, 0.0, 200.0, 200.0)),
                ("M1", rect(220.0, 0.0, 420.0, 200.0)),
            ],
        );
        let fields = Fields::resolve(&plan, &Default::default());
        let rules = Rules {
            contiguity_distance_m: 50.0,
            ..Rules::default()
        };
        let options = FixOptions {
            close_gaps: true,
            ..FixOptions::default()
        };
        let (edits, changes) = fix_plan(&plan, &fields, &Protected::new([]), &rules, &options);
        let c = &changes[0];
        assert_eq!((c.gaps_closed, c.gaps_left), (1, 0));
        assert!((c.added_m2 - 1_000.0).abs() < 1e-6, "{c:?}");
        assert!((c.area_after_m2 - 81_000.0).abs() < 1e-6, "{c:?}");
        let mut p = plan.clone();
        for e in &edits {
            apply(&mut p, e).unwrap();
        }
        let dissolved = union_local(p.features.iter().map(|f| f.geometry.clone()).collect());
        assert_eq!(dissolved.0.len(), 1, "one part after the bridge");

        // A red-line strip across the whole gap (x 205..215): the bridge would cross it, so
        // the gap stays open and is counted; nothing is added.
        let red = layer(
            "redline",
            LayerRole::Redline,
            vec![("R1", rect(205.0, -100.0, 215.0, 300.0))],
        );
        let (edits, changes) = fix_plan(&plan, &fields, &Protected::new([&red]), &rules, &options);
        assert!(edits.is_empty());
        assert_eq!((changes[0].gaps_closed, changes[0].gaps_left), (0, 1));
        assert_eq!(changes[0].added_m2, 0.0);

        // Farther apart than the distance (60 m): nothing to close.
        let far = layer(
            "zones",
            LayerRole::Zones,
            vec![
                ("M1", rect(0.0, 0.0, 200.0, 200.0)),
                ("M1", rect(260.0, 0.0, 460.0, 200.0)),
            ],
        );
        let (edits, changes) = fix_plan(&far, &fields, &Protected::new([]), &rules, &options);
        assert!(edits.is_empty() && changes.is_empty());
    }
}
