//! The checks of the guidance, as pure functions from loaded layers to results and findings.
//!
//! Entry point: [`run_checks`]. Per zone: conflicts with each protection layer, sub-areas and
//! clusters, expansion beyond the member zones, designation, industries, custody; across zones:
//! overlaps; per plan: quotas and the fate of every original zone.

pub use crate::model::fields;
pub mod findings;
pub mod plan;
pub mod rules;
pub mod zone;

use crate::model::settings::ReviewFile;
use crate::model::Dataset;
use crate::model::{Geom, LayerRole};
use crate::progress::{Cancelled, Progress};
use crate::spatial::index::BoxIndex;
use fields::Fields;
pub use findings::{Finding, Severity};
pub use rules::{Family, Rule, RuleId};
use serde::Serialize;
use std::collections::BTreeMap;

/// Overlap of one zone with one protected feature.
#[derive(Debug, Clone, Serialize)]
pub struct FeatureOverlap {
    /// The protected feature's id (its id field, else its record number).
    pub id: String,
    /// Its index in the layer's `features`.
    #[serde(skip)]
    pub feature: usize,
    pub area_m2: f64,
    pub area_mu: f64,
    /// The overlap on the CGCS2000 ellipsoid (see [`crate::spatial::ellipsoid`]); `None` when
    /// it could not be computed (a vertex PROJ could not take to lon/lat).
    pub area_ellipsoid_m2: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    /// The whole protected feature's area on the ellipsoid, for the occupied patches of the
    /// farmland layer (TBMJ reconciliation); `None` elsewhere.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patch_area_ellipsoid_m2: Option<f64>,
    /// The patch's TBMJ (图斑面积, m²) as its farmland record gives it, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tbmj_m2: Option<f64>,
    /// The TBMJ-weighted occupied area: TBMJ × the occupied share of the patch
    /// (`area_ellipsoid_m2 / patch_area_ellipsoid_m2`), the figure a reviewer adding up the
    /// farmland database's areas gets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tbmj_occupied_m2: Option<f64>,
    /// True when this feature's overlap is slivers only and the layer's slivers do not count.
    pub sliver: bool,
    /// The patch's attributes named by `[fields] patch` (see
    /// [`crate::model::fields::patch_fields`]), in that order: (name, value; `None` when empty).
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        serialize_with = "serialize_patch_fields"
    )]
    pub fields: Vec<(String, Option<String>)>,
    /// The overlap polygons (working CRS).
    #[serde(skip)]
    pub geometry: Geom,
}

/// Patch fields as a JSON object in their configured order.
fn serialize_patch_fields<S: serde::Serializer>(
    fields: &[(String, Option<String>)],
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = s.serialize_map(Some(fields.len()))?;
    for (k, v) in fields {
        map.serialize_entry(k, v)?;
    }
    map.end()
}

/// Conflict of one zone with one protection layer.
#[derive(Debug, Clone, Serialize)]
pub struct LayerConflict {
    pub role: LayerRole,
    /// Area of zone ∩ union(layer): overlapping protected features are counted once.
    pub area_m2: f64,
    pub area_mu: f64,
    /// The same on the CGCS2000 ellipsoid (`None`: could not be computed).
    pub area_ellipsoid_m2: Option<f64>,
    /// Share of the zone's area.
    pub share: f64,
    /// Part of `area_m2` in slivers (pieces thin or tiny by the sliver tolerances).
    pub sliver_area_m2: f64,
    pub sliver_count: usize,
    /// True when the slivers together exceed `rules.sliver_total_m2` and count as conflict.
    pub slivers_counted: bool,
    /// Area per protection class (water layer with a class field).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub by_class_m2: BTreeMap<String, f64>,
    /// Per protected feature, sorted by id.
    pub features: Vec<FeatureOverlap>,
    #[serde(skip)]
    pub geometry: Geom,
}

impl LayerConflict {
    /// True when the overlap is a conflict: some piece is not a sliver, or the slivers together
    /// exceed the total tolerance.
    pub fn is_conflict(&self) -> bool {
        self.area_m2 - self.sliver_area_m2 > 0.0 || self.slivers_counted
    }
}

/// The sliver tolerances of `rules` (see [`crate::spatial::sliver`]).
pub fn sliver_tolerances(
    rules: &crate::model::settings::Rules,
) -> crate::spatial::sliver::Tolerances {
    crate::spatial::sliver::Tolerances {
        width_m: rules.sliver_width_m,
        tiny_area_m2: rules.sliver_area_m2,
        total_m2: rules.sliver_total_m2,
    }
}

/// One sub-area (part) of a merged zone.
#[derive(Debug, Clone, Serialize)]
pub struct PartInfo {
    pub area_m2: f64,
    pub area_mu: f64,
    /// The part's area on the CGCS2000 ellipsoid (`None`: not computed).
    pub area_ellipsoid_m2: Option<f64>,
    pub fragment: bool,
    pub enclave: bool,
    /// Cluster number (0-based, largest cluster first) of the part, or of its largest piece
    /// when connections narrower than `rules.min_connection_width_m` split it; `None` for
    /// enclaves.
    pub cluster: Option<usize>,
    /// The pieces connections narrower than `rules.min_connection_width_m` split the part
    /// into (1: none; 0 for enclaves, which take no part in contiguity).
    pub pieces: usize,
}

/// An enclave sub-area (飞地) of a merged zone, with its recorded basis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnclaveInfo {
    /// The sub-area's number, 1-based, as in the sub-areas table (`parts[part - 1]`).
    pub part: usize,
    pub area_m2: f64,
    pub area_mu: f64,
    /// The basis its features record (approval document, partner county), several joined by
    /// "；"; `None` when none is recorded.
    pub basis: Option<String>,
    /// The county its features give, when they give one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub county: Option<String>,
}

/// Everything computed for one merged zone.
#[derive(Debug, Clone, Serialize)]
pub struct ZoneResult {
    pub id: String,
    pub name: Option<String>,
    pub level: Option<String>,
    pub city: Option<String>,
    pub county: Option<String>,
    pub members: Vec<String>,
    pub industries: Vec<String>,
    /// Planar area in the working CRS: the one findings and thresholds use.
    pub area_m2: f64,
    pub area_mu: f64,
    /// Area on the CGCS2000 ellipsoid (see [`crate::spatial::ellipsoid`]); `None` when it
    /// could not be computed.
    pub area_ellipsoid_m2: Option<f64>,
    /// Number of parts (分片区): polygons of the dissolved zone, so parts that touch are one;
    /// enclaves and small parts count.
    pub part_count: usize,
    pub parts: Vec<PartInfo>,
    /// The enclave sub-areas, with their basis, in part order.
    pub enclaves: Vec<EnclaveInfo>,
    pub clusters: usize,
    /// Gaps that would join the clusters (minimum spanning set), metres, ascending.
    pub cluster_gaps_m: Vec<f64>,
    /// Each gap of `cluster_gaps_m` (same order) net of the barriers and protected land on it
    /// (measured along the gap's shortest line; a gap longer than `rules.max_bridged_gap_m` is
    /// not bridged and keeps its length).
    pub cluster_gaps_net_m: Vec<f64>,
    /// The nearest points of each gap of `cluster_gaps_m` (same order), working CRS.
    #[serde(skip)]
    pub cluster_gap_lines: Vec<[geo::Coord<f64>; 2]>,
    /// `None` without an original-zones layer.
    pub expansion_area_m2: Option<f64>,
    /// The expansion on the CGCS2000 ellipsoid.
    pub expansion_area_ellipsoid_m2: Option<f64>,
    pub conflicts: BTreeMap<String, LayerConflict>,
    /// Area (m²) of each control-line layer (extra layers of role `control_line`, e.g.
    /// 蓝绿空间) inside the zone, 0 included; never a conflict.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub control_lines: BTreeMap<String, f64>,
    pub findings: Vec<Finding>,
    pub pass: bool,
    #[serde(skip)]
    pub geometry: Geom,
}

/// The plan as a whole.
#[derive(Debug, Clone, Serialize)]
pub struct PlanResult {
    pub zone_count: usize,
    /// The province's maximum number of merged zones (`rules.max_total_zones`).
    pub max_total_zones: u32,
    /// Zones per city level (市本级) and per county: (count, [min, max]).
    pub city_level_counts: BTreeMap<String, (usize, [u32; 2])>,
    pub county_counts: BTreeMap<String, (usize, [u32; 2])>,
    /// The zone ids behind each count of `city_level_counts` / `county_counts`, in zone order.
    pub city_level_zones: BTreeMap<String, Vec<String>>,
    pub county_zones: BTreeMap<String, Vec<String>>,
    /// Zones with neither a city nor a county: counted in the total only.
    pub unplaced_zones: Vec<String>,
    pub findings: Vec<Finding>,
}

/// Which quota a row of the plan summary counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuotaScope<'a> {
    /// The province total (`rules.max_total_zones`).
    Total,
    /// A city's own (市本级) zones.
    CityLevel(&'a str),
    County(&'a str),
    /// Zones without a city or county: in the total, in no other quota.
    Unplaced,
}

/// One row of the plan summary: a group of zones, its count and its allowed range.
#[derive(Debug, Clone, PartialEq)]
pub struct QuotaRow<'a> {
    pub scope: QuotaScope<'a>,
    pub count: usize,
    /// `[min, max]`; the total has `[0, max_total_zones]`; `None` for the unplaced zones.
    pub range: Option<[u32; 2]>,
    /// The zones counted (empty for the total: every zone).
    pub zones: &'a [String],
    /// The severity of the finding the count raises (`None`: within the quota), as the plan
    /// findings have it: above the maximum blocks, below the minimum warns, unplaced informs.
    pub verdict: Option<Severity>,
}

impl PlanResult {
    /// The plan summary: the province total, then each city level and each county (by name),
    /// then the unplaced zones when there are any.
    pub fn quota_rows(&self) -> Vec<QuotaRow<'_>> {
        let total_range = [0, self.max_total_zones];
        let mut rows = vec![QuotaRow {
            scope: QuotaScope::Total,
            count: self.zone_count,
            range: Some(total_range),
            zones: &[],
            verdict: plan::quota_verdict(self.zone_count, total_range),
        }];
        rows.extend(group_rows(
            &self.city_level_counts,
            &self.city_level_zones,
            QuotaScope::CityLevel,
        ));
        rows.extend(group_rows(
            &self.county_counts,
            &self.county_zones,
            QuotaScope::County,
        ));
        if !self.unplaced_zones.is_empty() {
            rows.push(QuotaRow {
                scope: QuotaScope::Unplaced,
                count: self.unplaced_zones.len(),
                range: None,
                zones: &self.unplaced_zones,
                verdict: Some(Severity::Info),
            });
        }
        rows
    }
}

/// The rows of one kind of quota (city levels or counties), by name.
fn group_rows<'a>(
    counts: &'a BTreeMap<String, (usize, [u32; 2])>,
    zones: &'a BTreeMap<String, Vec<String>>,
    scope: fn(&'a str) -> QuotaScope<'a>,
) -> impl Iterator<Item = QuotaRow<'a>> {
    counts.iter().map(move |(name, &(count, range))| QuotaRow {
        scope: scope(name),
        count,
        range: Some(range),
        zones: zones.get(name).map(Vec::as_slice).unwrap_or(&[]),
        verdict: plan::quota_verdict(count, range),
    })
}

/// The result of a whole check.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    pub zones: Vec<ZoneResult>,
    pub plan: PlanResult,
}

impl Analysis {
    /// True when some zone or the plan has a blocking finding.
    pub fn has_blocking(&self) -> bool {
        self.zones.iter().any(|z| !z.pass)
            || self
                .plan
                .findings
                .iter()
                .any(|f| f.severity == Severity::Blocking)
    }
}

/// A protection layer prepared for queries.
pub struct Prepared<'a> {
    pub layer: &'a crate::model::Layer,
    pub fields: Fields,
    /// The patch fields carried into conflict tables: (name as configured, position).
    pub patch_fields: Vec<(String, usize)>,
    pub index: std::sync::Arc<BoxIndex>,
    /// Feature positions by id, built on first use (member lookups).
    by_id: std::sync::OnceLock<BTreeMap<String, Vec<usize>>>,
}

impl<'a> Prepared<'a> {
    pub(crate) fn new(layer: &'a crate::model::Layer, review: &ReviewFile) -> Prepared<'a> {
        Prepared {
            layer,
            fields: Fields::of_layer(layer, review),
            patch_fields: fields::patch_fields(layer, review),
            index: std::sync::Arc::new(BoxIndex::of_features(&layer.features)),
            by_id: std::sync::OnceLock::new(),
        }
    }

    /// The same with an index built before for this layer (see [`CheckIndexes`]).
    pub(crate) fn with_index(
        layer: &'a crate::model::Layer,
        review: &ReviewFile,
        index: std::sync::Arc<BoxIndex>,
    ) -> Prepared<'a> {
        Prepared {
            layer,
            fields: Fields::of_layer(layer, review),
            patch_fields: fields::patch_fields(layer, review),
            index,
            by_id: std::sync::OnceLock::new(),
        }
    }

    /// Positions of the features whose id is `id`.
    pub fn features_with_id(&self, id: &str) -> &[usize] {
        let map = self.by_id.get_or_init(|| {
            let mut m: BTreeMap<String, Vec<usize>> = BTreeMap::new();
            for i in 0..self.layer.features.len() {
                m.entry(self.feature_id(i)).or_default().push(i);
            }
            m
        });
        map.get(id).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The id shown for feature `i`: its id field, else its record number.
    pub fn feature_id(&self, i: usize) -> String {
        let f = &self.layer.features[i];
        self.layer
            .attr(f, self.fields.id)
            .map(str::to_string)
            .unwrap_or_else(|| format!("#{}", f.index))
    }
}

/// The review's `[rules.severity]` applied to findings: the most specific key wins (the rule
/// id itself, else its longest prefix ending before a `.`); findings of a rule whose severity
/// the table fixes (`input.*`: incomplete input always blocks) are never changed.
pub fn apply_severity(findings: &mut [Finding], overrides: &BTreeMap<String, Severity>) {
    if overrides.is_empty() {
        return;
    }
    for f in findings {
        if f.rule_id().is_some_and(|r| r.spec().severity_fixed) {
            continue;
        }
        let mut key = f.rule.as_str();
        loop {
            if let Some(s) = overrides.get(key) {
                f.severity = *s;
                break;
            }
            match key.rfind('.') {
                Some(i) => key = &key[..i],
                None => break,
            }
        }
    }
}

/// Runs every check of the review on a loaded dataset.
pub fn run_checks(
    ds: &Dataset,
    review: &ReviewFile,
    progress: &Progress,
) -> Result<Analysis, Cancelled> {
    progress.stage("index", 1);
    run_checks_indexed(ds, review, progress, &CheckIndexes::build(ds))
}

/// Box indexes of every layer but the zones, by layer position: a plan edit changes only the
/// zones, so a re-check after it ([`recheck`]) does not index the other layers again.
#[derive(Default)]
pub struct CheckIndexes {
    by_layer: Vec<Option<std::sync::Arc<BoxIndex>>>,
}

impl CheckIndexes {
    /// Indexes every layer but the zones, the layers side by side.
    pub fn build(ds: &Dataset) -> CheckIndexes {
        use rayon::prelude::*;
        CheckIndexes {
            by_layer: ds
                .layers
                .par_iter()
                .map(|l| {
                    (l.role != LayerRole::Zones)
                        .then(|| std::sync::Arc::new(BoxIndex::of_features(&l.features)))
                })
                .collect(),
        }
    }

    /// Indexes made beforehand, one per layer of the dataset in its order (`None` for the
    /// zones layer): the app's map has every feature's box by size class already
    /// ([`BoxIndex::from_trees`]), so the check does not index a province's farmland twice.
    pub fn from_indexes(by_layer: Vec<Option<std::sync::Arc<BoxIndex>>>) -> CheckIndexes {
        CheckIndexes { by_layer }
    }

    /// The index of `layer`, a layer of `ds` (the dataset these indexes were built from).
    pub fn of(
        &self,
        ds: &Dataset,
        layer: &crate::model::Layer,
    ) -> Option<std::sync::Arc<BoxIndex>> {
        let i = ds.layers.iter().position(|x| std::ptr::eq(x, layer))?;
        self.by_layer.get(i)?.clone()
    }
}

/// As [`run_checks`], with the layers' indexes built beforehand (shared with the reports' maps).
pub fn run_checks_indexed(
    ds: &Dataset,
    review: &ReviewFile,
    progress: &Progress,
    indexes: &CheckIndexes,
) -> Result<Analysis, Cancelled> {
    run_checks_with(ds, review, progress, Some(indexes), None)
}

/// The merged zones whose input differs between two versions of the zones layer (geometry,
/// enclave flags or any attribute a rule reads), by id, both versions' ids included; `None`
/// when the field resolution itself changed (then every zone must be checked again).
pub fn changed_zones(
    before: &crate::model::Layer,
    after: &crate::model::Layer,
    review: &ReviewFile,
) -> Option<std::collections::BTreeSet<String>> {
    let (fb, fa) = (
        Fields::of_layer(before, review),
        Fields::of_layer(after, review),
    );
    if fb != fa {
        return None;
    }
    let b: BTreeMap<String, zone::ZoneInput> = zone::group_zones(before, &fb)
        .into_iter()
        .map(|z| (z.id.clone(), z))
        .collect();
    let a: BTreeMap<String, zone::ZoneInput> = zone::group_zones(after, &fa)
        .into_iter()
        .map(|z| (z.id.clone(), z))
        .collect();
    let mut changed = std::collections::BTreeSet::new();
    for id in b.keys().chain(a.keys()) {
        if b.get(id) != a.get(id) {
            changed.insert(id.clone());
        }
    }
    Some(changed)
}

/// The checks again after a plan edit: the zones in `changed` are checked anew, every other
/// zone's result is taken from `previous` (its overlaps with other zones and the plan-level
/// findings are worked out again for all zones), with the indexes built before. Gives the same
/// result as [`run_checks`] on the edited dataset (tested), faster.
pub fn recheck(
    ds: &Dataset,
    review: &ReviewFile,
    progress: &Progress,
    indexes: &CheckIndexes,
    previous: &Analysis,
    changed: &std::collections::BTreeSet<String>,
) -> Result<Analysis, Cancelled> {
    run_checks_with(
        ds,
        review,
        progress,
        Some(indexes),
        Some((previous, changed)),
    )
}

fn run_checks_with(
    ds: &Dataset,
    review: &ReviewFile,
    progress: &Progress,
    indexes: Option<&CheckIndexes>,
    reuse: Option<(&Analysis, &std::collections::BTreeSet<String>)>,
) -> Result<Analysis, Cancelled> {
    let zones_layer = ds.layer(LayerRole::Zones).ok_or(Cancelled)?;
    progress.stage("index", 1);
    let is_control_line = |l: &crate::model::Layer| {
        l.role == LayerRole::Extra
            && review.layers.extra_role(&l.name) == crate::model::settings::ExtraRole::ControlLine
    };
    // A layer's index built before, when there is one (found by the layer's position).
    let built =
        |l: &crate::model::Layer| -> Option<std::sync::Arc<BoxIndex>> { indexes?.of(ds, l) };
    let prepare = |l| match built(l) {
        Some(index) => Prepared::with_index(l, review, index),
        None => Prepared::new(l, review),
    };
    let prepared: Vec<Prepared> = ds
        .protection_layers()
        .filter(|l| !is_control_line(l))
        .map(prepare)
        .collect();
    let control_lines: Vec<Prepared> = ds
        .protection_layers()
        .filter(|l| is_control_line(l))
        .map(prepare)
        .collect();
    let new_industrial = ds.layer(LayerRole::NewIndustrial).map(prepare);
    let original = ds.layer(LayerRole::Original).map(prepare);
    let townships = ds.layer(LayerRole::Townships).map(prepare);
    let barriers = ds.layer(LayerRole::Barrier).map(prepare);
    let ctx = zone::Context {
        rules: &review.rules,
        protection: &prepared,
        control_lines: &control_lines,
        layers: &review.layers,
        original: original.as_ref(),
        townships: townships.as_ref(),
        barriers: barriers.as_ref(),
        custody_cache: zone::CustodyCache::new(
            townships.as_ref().map_or(0, |t| t.layer.features.len()),
        ),
        plaques: crate::model::plaques::PlaqueTable::new(&review.plaques),
        progress,
        working_crs: Some(&ds.working_crs),
    };
    let mut zones = zone::group_zones(zones_layer, &Fields::of_layer(zones_layer, review));
    let ambiguous = zone::ambiguous_ids(&zones);
    let invalid_boundaries = rules::validity::invalid_boundary_findings(zones_layer, &zones);
    progress.stage("check zones", zones.len() as u64);
    // A zone whose input did not change keeps its earlier result, less what the steps below
    // add again (overlaps with other zones, the invalid-boundary finding).
    let kept = |z: &zone::ZoneInput| -> Option<ZoneResult> {
        let (previous, changed) = reuse?;
        if changed.contains(&z.id) {
            return None;
        }
        let mut r = previous.zones.iter().find(|r| r.id == z.id)?.clone();
        r.findings
            .retain(|f| !f.is(Rule::ZoneOverlap) && !f.is(Rule::ZoneInvalidGeometry));
        Some(r)
    };
    // The zones with the most vertices first, one zone a task, so that the last to finish are
    // small ones (on two cores a large zone begun last kept one core idle at the end); the
    // results come back in the zones' order.
    let mut order: Vec<(usize, zone::ZoneInput)> = zones.drain(..).enumerate().collect();
    order.sort_by_cached_key(|(_, z)| {
        let vertices: usize = z
            .features
            .iter()
            .map(|(g, _)| geo::CoordsIter::coords_count(g))
            .sum();
        std::cmp::Reverse(vertices)
    });
    // The zones not yet begun: once fewer than the threads, a zone's own checks run side by
    // side (`check_zone`), so that the last zones do not leave threads idle.
    let not_begun = std::sync::atomic::AtomicUsize::new(order.len());
    let threads = rayon::current_num_threads();
    let results: Result<Vec<(usize, ZoneResult)>, Cancelled> = {
        use rayon::prelude::*;
        order
            .into_par_iter()
            .with_max_len(1)
            .map(|(i, z)| {
                progress.check()?;
                let left = not_begun.fetch_sub(1, std::sync::atomic::Ordering::Relaxed) - 1;
                let r = match kept(&z) {
                    Some(r) => r,
                    None => zone::check_zone(z, &ctx, left < threads),
                };
                progress.inc(1);
                Ok((i, r))
            })
            .collect()
    };
    let mut results = results?;
    results.sort_by_key(|(i, _)| *i);
    let mut results: Vec<ZoneResult> = results.into_iter().map(|(_, r)| r).collect();
    progress.timed("zone overlaps", || {
        rules::overlap::check_overlaps(&mut results, &sliver_tolerances(&review.rules))
    });
    for z in &mut results {
        apply_severity(&mut z.findings, &review.rules.severity);
        rules::conflict::apply_class_severity(
            &mut z.findings,
            &z.conflicts,
            &review.rules.severity_of_class,
        );
        // An invalid boundary is not subject to `[rules.severity]`: it always blocks.
        if let Some(f) = invalid_boundaries.get(&z.id) {
            z.findings.push(f.clone());
        }
        z.findings
            .sort_by(|a, b| a.severity.cmp(&b.severity).then(a.rule.cmp(&b.rule)));
        z.pass = !z.findings.iter().any(|f| f.severity == Severity::Blocking);
    }
    let mut plan =
        plan::check_plan_with(&results, original.as_ref(), new_industrial.as_ref(), review);
    apply_severity(&mut plan.findings, &review.rules.severity);
    // Findings about the input itself come first: the rest of the report depends on them.
    // They are not subject to `[rules.severity]`: incomplete or ambiguous input always blocks.
    let mut input = input_findings(ds);
    input.extend(ambiguous);
    plan.findings.splice(0..0, input);
    Ok(Analysis {
        zones: results,
        plan,
    })
}

pub use rules::input::{input_findings, COVERAGE_MIN_MARGIN_M};
