//! App state: the document (what is saved), what is derived from it (indexes, check results,
//! render caches; never saved, keyed by revision) and the view (camera, selection, layout).

use super::decisions::{Decisions, FindingKey};
use super::i18n::Lang;
use super::map::camera::Camera;
use super::map::render::{Classes, LayerRender, RenderWorker};
use crate::analysis::fields::Fields;
use crate::analysis::{Analysis, Severity};
use crate::io::review::Review;
use crate::load::Dataset;
use crate::model::{Geom, LayerRole};
use geo::{BoundingRect, Coord};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// What is saved: the review, its loaded layers and the reviewer's decisions.
pub struct Document {
    /// The review as edited in the app (its `decisions` rows are refreshed from `decisions`
    /// when saved or exported: see [`Document::review_with_decisions`]).
    pub review: Review,
    pub dataset: Arc<Dataset>,
    /// Layers of the review that could not be loaded, with the reason.
    pub failures: Vec<super::jobs::LayerFailure>,
    pub decisions: Decisions,
    /// A new review that has no file yet (Save asks where).
    pub untitled: bool,
    /// Bumped on every change of what the checks read; check results carry the revision they
    /// were computed from.
    pub revision: u64,
    /// Unsaved decisions.
    pub dirty: bool,
    /// Edits of the plan (the zones layer), with undo and redo; dirty until the plan is saved.
    pub plan: crate::model::edit::History,
    /// The check of the plan as loaded (before any edit), to compare the edited plan with.
    pub baseline: Option<Arc<crate::analysis::Analysis>>,
}

impl Document {
    /// The review with the current decisions written into it: what Save writes and what the
    /// exports read.
    pub fn review_with_decisions(&self) -> Review {
        let mut review = self.review.clone();
        review.file.decisions = self.decisions.to_rows();
        review
    }

    /// Index in `dataset.layers` of the layer with review key `key`.
    pub fn layer_index(&self, key: &str) -> Option<usize> {
        self.dataset.layers.iter().position(|l| l.name == key)
    }
}

/// Per layer, built with the layer in the loading thread.
pub struct LayerDerived {
    pub bbox: Option<geo::Rect<f64>>,
    pub fields: Fields,
    /// Meshes and tiles of the layer at each level of detail (built in the background).
    pub render: LayerRender,
    /// Zones layer: one label per zone id (largest feature): the id, "id name", and an
    /// interior point; largest zones first (they are placed first on the map).
    pub labels: Vec<(String, String, Coord<f64>)>,
}

impl LayerDerived {
    pub fn build(layer: &crate::model::Layer, review: &Review) -> LayerDerived {
        let fields = Fields::of_layer(layer, &review.file);
        let mut labels = Vec::new();
        if layer.role == LayerRole::Zones {
            use geo::Area;
            let mut best: BTreeMap<String, (f64, String, Coord<f64>)> = BTreeMap::new();
            for f in &layer.features {
                let id = layer
                    .attr(f, fields.id)
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("#{}", f.index));
                let name = layer.attr(f, fields.name).unwrap_or("");
                let area = f.geometry.unsigned_area();
                // On the largest part, as geo's interior point of the whole would be, by one
                // scan of its edges (geo's intersects every pair of them).
                let largest = f
                    .geometry
                    .0
                    .iter()
                    .max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area()));
                let Some(p) = largest.and_then(crate::spatial::sliver::inner_point) else {
                    continue;
                };
                let text = if name.is_empty() {
                    id.clone()
                } else {
                    format!("{id} {name}")
                };
                let e = best
                    .entry(id)
                    .or_insert((f64::NEG_INFINITY, String::new(), p));
                if area > e.0 {
                    *e = (area, text, p);
                }
            }
            let mut sized: Vec<(f64, String, String, Coord<f64>)> = best
                .into_iter()
                .map(|(id, (a, t, p))| (a, id, t, p))
                .collect();
            sized.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
            labels = sized.into_iter().map(|(_, id, t, p)| (id, t, p)).collect();
        }
        let style = super::theme::role_style(layer.role);
        let classes = Classes::new(layer, |i| match (layer.role, layer.features.get(i)) {
            (LayerRole::Water, Some(f)) => {
                super::theme::water_style(layer.attr(f, fields.class)).fill
            }
            _ => style.fill,
        });
        LayerDerived {
            // The union of the features' boxes, from the trees (not a second pass over a
            // million features).
            bbox: classes.extent(),
            fields,
            render: LayerRender::new(classes),
            labels,
        }
    }
}

/// Bounding box of many geometries.
pub fn union_bbox<'a>(geoms: impl IntoIterator<Item = &'a Geom>) -> Option<geo::Rect<f64>> {
    geoms
        .into_iter()
        .filter_map(|g| g.bounding_rect())
        .reduce(crate::spatial::overlay::box_union)
}

/// Polygons drawn over the layers (conflicts), drawn like a layer (meshes and tiles built by a
/// render thread of their own), one polygon per feature so that each part is sized on its own,
/// and with presence tiles: every part too small for a mesh still shows as a dot.
pub struct Overlay {
    /// The parts (single polygons) of the geometries given.
    pub geoms: Arc<Vec<Geom>>,
    pub render: LayerRender,
    pub worker: Option<RenderWorker>,
}

impl Overlay {
    pub fn new(geoms: Vec<Geom>) -> Overlay {
        let fill = super::theme::conflict_style().fill;
        let parts: Vec<Geom> = geoms
            .into_iter()
            .flat_map(|g| g.0.into_iter().map(|p| geo::MultiPolygon(vec![p])))
            .collect();
        let mut classes = Classes::of_geoms(parts.iter(), |_| fill);
        classes.presence = true;
        Overlay {
            geoms: Arc::new(parts),
            render: LayerRender::new(classes),
            worker: None,
        }
    }
}

/// Where a finding sits in an analysis: zone index (None: plan) and finding index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FindingPos {
    pub zone: Option<usize>,
    pub index: usize,
    pub key: FindingKey,
}

/// The latest check result.
pub struct CheckState {
    pub revision: u64,
    pub analysis: Arc<Analysis>,
    pub conflicts: Overlay,
    /// Where the edited plan differs from the plan as loaded, for the map.
    pub changes: Option<PlanChanges>,
    /// Every finding in list order.
    pub order: Vec<FindingPos>,
    /// Where each zone's findings start in `order` (one entry per zone, then the plan's).
    starts: Vec<usize>,
    /// Subjects and evidence fingerprints of every finding, per zone then the plan.
    keys: Vec<Vec<FindingKey>>,
    evidence: Vec<Vec<String>>,
}

/// A fix computed but not applied yet: what it does, shown on the map and in a window until
/// 应用 (one undoable edit) or 取消.
pub struct FixPreview {
    pub kind: super::commands::FixKind,
    pub zone: String,
    pub edits: Vec<crate::model::edit::PlanEdit>,
    pub change: Option<crate::fix::ZoneChange>,
    /// The land the fix takes out of the zone and adds to it.
    pub changes: PlanChanges,
}

/// The land added to and taken out of zones by the edits, with their triangles for the map.
pub struct PlanChanges {
    pub added: crate::model::Geom,
    pub removed: crate::model::Geom,
    pub added_mesh: super::map::tess::TriMesh,
    pub removed_mesh: super::map::tess::TriMesh,
}

impl PlanChanges {
    pub fn new((added, removed): (crate::model::Geom, crate::model::Geom)) -> PlanChanges {
        PlanChanges {
            added_mesh: super::map::tess::TriMesh::from_geom(&added),
            removed_mesh: super::map::tess::TriMesh::from_geom(&removed),
            added,
            removed,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.added.0.is_empty() && self.removed.0.is_empty()
    }
}

impl CheckState {
    pub fn new(revision: u64, analysis: Analysis, conflicts: Overlay) -> CheckState {
        let keys = super::decisions::finding_keys(&analysis);
        let mut order = Vec::new();
        let mut starts = Vec::with_capacity(keys.len());
        for (z, zone_keys) in keys.iter().enumerate() {
            let zone = (z < analysis.zones.len()).then_some(z);
            starts.push(order.len());
            for (i, key) in zone_keys.iter().enumerate() {
                order.push(FindingPos {
                    zone,
                    index: i,
                    key: key.clone(),
                });
            }
        }
        let evidence = analysis
            .zones
            .iter()
            .map(|z| &z.findings)
            .chain(std::iter::once(&analysis.plan.findings))
            .map(|fs| fs.iter().map(|f| f.evidence()).collect())
            .collect();
        CheckState {
            revision,
            analysis: Arc::new(analysis),
            conflicts,
            changes: None,
            order,
            starts,
            keys,
            evidence,
        }
    }

    /// The position of finding `index` of zone `zone` (`None`: the plan), without a search.
    pub fn pos_at(&self, zone: Option<usize>, index: usize) -> Option<&FindingPos> {
        let list = zone.unwrap_or(self.analysis.zones.len());
        let pos = self.order.get(self.starts.get(list)? + index)?;
        (pos.zone == zone && pos.index == index).then_some(pos)
    }

    pub fn finding(&self, pos: &FindingPos) -> Option<&crate::analysis::Finding> {
        match pos.zone {
            Some(z) => self.analysis.zones.get(z)?.findings.get(pos.index),
            None => self.analysis.plan.findings.get(pos.index),
        }
    }

    pub fn position_of(&self, key: &FindingKey) -> Option<&FindingPos> {
        self.order.iter().find(|p| &p.key == key)
    }

    /// The decisions applied to this check (evidence changed, orphans, zone results, counts),
    /// from the subjects and fingerprints computed once with the check.
    pub fn resolve(&self, decisions: &super::decisions::Decisions) -> super::decisions::Resolved {
        decisions.resolve_keyed(&self.analysis, self.keys.clone(), &self.evidence)
    }

    /// Where to look for a finding: its own geometry, else its zone's.
    pub fn finding_geometry(&self, pos: &FindingPos) -> Option<&Geom> {
        let f = self.finding(pos)?;
        f.geometry.as_ref().filter(|g| !g.0.is_empty()).or_else(|| {
            pos.zone
                .and_then(|z| self.analysis.zones.get(z))
                .map(|z| &z.geometry)
        })
    }
}

/// Derived from the document; never saved.
#[derive(Default)]
pub struct Derived {
    /// Parallel to `Document::dataset.layers`.
    pub layers: Vec<LayerDerived>,
    pub extent: Option<geo::Rect<f64>>,
    pub check: Option<CheckState>,
    /// Working CRS → EPSG:4490 lon/lat, for the status bar (built on the UI thread).
    pub to_lon_lat: Option<crate::crs::Reprojector>,
    /// Triangles of the selected finding's geometry.
    pub highlight: Option<(FindingKey, super::map::tess::TriMesh)>,
    /// Builds layer meshes and tiles off the UI thread (started by the map on first draw).
    pub render_worker: Option<RenderWorker>,
    /// Box indexes of the protection layers for the fix tools, built on first use; plan edits
    /// leave the protection layers alone, a reload makes a new `Derived`.
    pub protection_index: Option<std::sync::Arc<crate::fix::ProtectionIndex>>,
    /// Box indexes of every layer but the zones, for re-checking after a plan edit; built on
    /// the first edit, dropped with `Derived` on a reload.
    pub check_indexes: Option<std::sync::Arc<crate::analysis::CheckIndexes>>,
}

impl Derived {
    /// The check's indexes of `ds`'s layers (the document's dataset, which `layers` is
    /// parallel to), made once of the map's trees: the same boxes, so a province's farmland is
    /// not indexed a second time (~70 MB). Kept until a layer other than the zones changes
    /// (plan edits leave them alone; an edit of the original zones drops them).
    pub fn check_indexes(
        &mut self,
        ds: &crate::load::Dataset,
    ) -> std::sync::Arc<crate::analysis::CheckIndexes> {
        let layers = &self.layers;
        self.check_indexes
            .get_or_insert_with(|| {
                use std::sync::Arc;
                // A layer's map trees serve when they were built for its features as they are
                // (one fill per feature; ids below 2^32, all the map indexes); otherwise, or
                // with the lists out of step, the check indexes the layer itself.
                let in_step = layers.len() == ds.layers.len();
                let index = |i: usize, l: &crate::model::Layer| {
                    let classes = layers.get(i).filter(|_| in_step).map(|d| &d.render.classes);
                    Arc::new(match classes {
                        Some(c)
                            if c.fills.len() == l.features.len()
                                && u32::try_from(l.features.len()).is_ok() =>
                        {
                            c.box_index()
                        }
                        _ => crate::spatial::index::BoxIndex::of_features(&l.features),
                    })
                };
                Arc::new(crate::analysis::CheckIndexes::from_indexes(
                    ds.layers
                        .iter()
                        .enumerate()
                        .map(|(i, l)| (l.role != LayerRole::Zones).then(|| index(i, l)))
                        .collect(),
                ))
            })
            .clone()
    }

    /// True while the render thread has requests not answered yet.
    pub fn render_busy(&self) -> bool {
        self.render_worker
            .as_ref()
            .is_some_and(|w| w.outstanding > 0)
    }
}

/// Map tools.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Tool {
    #[default]
    Pan,
    Zoom,
    /// Drag a box to zoom onto it (框选放大).
    ZoomBox,
    Identify,
    /// Move, insert and delete vertices of the selected zone (节点).
    Vertex,
    /// Move or delete a part of the selected zone (移动部件).
    MovePart,
    /// Draw an outline or a line on the map.
    Draw(DrawKind),
}

/// What a drawn outline or line becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum DrawKind {
    /// A new merged zone (绘制新区).
    Zone,
    /// A new part of the selected zone, joined to the parts it meets (绘制部件).
    Part,
    /// A hole cut out of the selected zone (挖洞).
    Hole,
    /// A line the selected zone is split along (分割).
    Split,
}

impl Tool {
    /// True for the tools that change the plan.
    pub fn edits(&self) -> bool {
        matches!(self, Tool::Vertex | Tool::MovePart | Tool::Draw(_))
    }
}

/// Where the pointer snaps: a vertex or a point on an edge of a visible feature.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Snap {
    pub at: Coord<f64>,
    /// True for a vertex, false for a point on an edge.
    pub vertex: bool,
    pub layer: usize,
    pub feature: usize,
    /// The edge (for a vertex: the edge starting at it) and the point, for tracing.
    pub on: crate::spatial::edit::OnBoundary,
}

/// A point of the outline or line being drawn, with the boundary it snapped to.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SketchPoint {
    pub at: Coord<f64>,
    pub snap: Option<Snap>,
    /// Points added by tracing (between two snapped clicks) rather than clicked.
    pub traced: bool,
}

/// A drag of the vertex and part tools, while it lasts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum EditDrag {
    /// Vertex `v` of zones feature `feature`.
    Vertex {
        feature: usize,
        v: crate::spatial::edit::VertexRef,
    },
    /// A new vertex on the edge starting at `edge` (dragged from its midpoint handle).
    Insert {
        feature: usize,
        edge: crate::spatial::edit::VertexRef,
    },
    /// Part `part` of `feature`, grabbed at `from`.
    Part {
        feature: usize,
        part: usize,
        from: Coord<f64>,
    },
}

/// The state of the editing tools between frames.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EditSession {
    pub drag: Option<EditDrag>,
    /// The outline or line being drawn.
    pub sketch: Vec<SketchPoint>,
    /// The snap target under the pointer, shown on the map.
    pub snap: Option<Snap>,
    /// What the last edit attempt said when it was refused (shown until the next edit).
    pub refused: Option<String>,
}

/// A feature picked on the map: layer index and feature index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Picked {
    pub layer: usize,
    pub feature: usize,
}

/// What the user looks at; the persisted part is in [`Persisted`].
pub struct ViewState {
    pub camera: Camera,
    pub tool: Tool,
    /// Where a zoom-box drag started (UI points), while it lasts.
    pub zoom_box_from: Option<egui::Pos2>,
    /// Where a selection-box drag (Ctrl+drag, choosing originals for a merge) started.
    pub select_box_from: Option<egui::Pos2>,
    /// Fit the camera to the data at the next frame (after loading).
    pub fit_pending: bool,
    /// Where the map was drawn last frame.
    pub map_rect: Option<egui::Rect>,
    /// Where the side and bottom panels were drawn last frame.
    pub panel_rects: PanelRects,
    /// Height the properties panel's content needed last frame (points).
    pub attributes_height: f32,
    pub cursor_in_map: Option<Coord<f64>>,
    pub selected_finding: Option<FindingKey>,
    pub picked: Option<Picked>,
    /// The attributes panel's text boxes for the picked feature (zones layer: editable).
    pub attr_draft: Option<(Picked, Vec<String>)>,
    /// The 由原开发区新建整合开发区 window, while open.
    pub merge: Option<super::panels::merge::MergeDraft>,
    /// Severity filter of the findings list.
    pub show_severity: [bool; 3],
    /// Only findings of this rule family (the rule id before its first `.`), e.g. `conflict`.
    pub rule_filter: Option<crate::analysis::Family>,
    /// Scroll the findings list to the selection at the next frame.
    pub scroll_to_selection: bool,
    /// The plan summary window and the zone group the findings list is narrowed to.
    pub plan: super::panels::plan::PlanSummaryView,
    /// The decision being edited for the selected finding.
    pub draft: Option<(FindingKey, super::decisions::Decision)>,
    /// The attribute table, when open.
    pub table: Option<super::panels::table::TableState>,
    /// The layer whose settings (role, CRS, encoding) are being edited, by key, with the text
    /// typed so far.
    pub layer_edit: Option<LayerEdit>,
    /// The settings window's text, while it is open.
    pub settings: Option<super::panels::settings::SettingsDraft>,
    /// The editing tools' drag, sketch and snap target.
    pub edit: EditSession,
    /// The 保存方案为 window, while open.
    pub save_plan: Option<super::panels::save_plan::SavePlanDraft>,
    /// A fix of the 编辑 menu waiting for 应用 or 取消.
    pub fix_preview: Option<FixPreview>,
}

/// Rectangles of the panels around the map (None: not shown).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PanelRects {
    pub layers: Option<egui::Rect>,
    pub findings: Option<egui::Rect>,
    pub table: Option<egui::Rect>,
    pub attributes: Option<egui::Rect>,
}

/// Text fields of the layer settings editor.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LayerEdit {
    pub key: String,
    pub role: Option<LayerRole>,
    pub extra_name: String,
    /// What an extra layer is for (protected, advisory, control line).
    pub extra_role: crate::model::settings::ExtraRole,
    pub crs: String,
    pub encoding: String,
}

impl Default for ViewState {
    fn default() -> Self {
        ViewState {
            camera: Camera::default(),
            tool: Tool::Pan,
            zoom_box_from: None,
            select_box_from: None,
            fit_pending: true,
            map_rect: None,
            panel_rects: PanelRects::default(),
            attributes_height: 48.0,
            cursor_in_map: None,
            selected_finding: None,
            picked: None,
            show_severity: [true; 3],
            rule_filter: None,
            scroll_to_selection: false,
            plan: Default::default(),
            draft: None,
            table: None,
            layer_edit: None,
            attr_draft: None,
            merge: None,
            settings: None,
            edit: EditSession::default(),
            save_plan: None,
            fix_preview: None,
        }
    }
}

impl ViewState {
    pub fn shows(&self, sev: Severity) -> bool {
        self.show_severity[sev as usize]
    }

    /// True when the severity and rule filters both let `f` through.
    pub fn shows_finding(&self, f: &crate::analysis::Finding) -> bool {
        self.shows(f.severity)
            && self
                .rule_filter
                .is_none_or(|family| f.family() == Some(family))
    }
}

/// Remembered between runs (eframe persistence).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Persisted {
    pub lang: Lang,
    pub dark: bool,
    pub recent: Vec<PathBuf>,
    /// Layer visibility by layer key.
    pub hidden_layers: Vec<String>,
    pub show_layers_panel: bool,
    pub show_findings_panel: bool,
    pub show_attributes_panel: bool,
    pub show_labels: bool,
    pub tool: Tool,
    /// Layer opacity (0–1) by layer key; 1 when absent.
    pub layer_opacity: BTreeMap<String, f32>,
    /// Drawing order set by the user, bottom first, by layer key; layers not listed are drawn
    /// above these in the default order of their roles.
    pub layer_order: Vec<String>,
    /// Snap drawn and moved points to vertices and edges of visible layers (捕捉).
    pub snap: bool,
    /// Snapping distance in screen points.
    pub snap_pt: f32,
    /// Trace along a boundary between two snapped clicks on it (追踪).
    pub trace: bool,
    /// Show on the map the land the edits added to (green) and took out of (red) the zones.
    pub show_changes: bool,
    /// 导出报告 also writes report.pdf (导出 → 同时生成 PDF 报告).
    pub export_pdf: bool,
    /// Run the check by itself once a review is opened (or reloaded) and its map drawn
    /// (检查 → 打开后自动检查).
    pub check_on_open: bool,
}

impl Default for Persisted {
    fn default() -> Self {
        Persisted {
            lang: Lang::Zh,
            dark: false,
            recent: Vec::new(),
            hidden_layers: Vec::new(),
            show_layers_panel: true,
            show_findings_panel: true,
            show_attributes_panel: true,
            show_labels: true,
            tool: Tool::Pan,
            layer_opacity: BTreeMap::new(),
            layer_order: Vec::new(),
            snap: true,
            snap_pt: 10.0,
            trace: true,
            show_changes: true,
            export_pdf: true,
            check_on_open: true,
        }
    }
}

impl Persisted {
    pub const MAX_RECENT: usize = 8;

    pub fn add_recent(&mut self, path: PathBuf) {
        self.recent.retain(|p| p != &path);
        self.recent.insert(0, path);
        self.recent.truncate(Self::MAX_RECENT);
    }

    pub fn layer_visible(&self, name: &str) -> bool {
        !self.hidden_layers.iter().any(|n| n == name)
    }

    pub fn layer_opacity(&self, name: &str) -> f32 {
        self.layer_opacity
            .get(name)
            .copied()
            .filter(|o| o.is_finite())
            .map_or(1.0, |o| o.clamp(0.0, 1.0))
    }

    pub fn set_layer_opacity(&mut self, name: &str, opacity: f32) {
        let o = if opacity.is_finite() {
            opacity.clamp(0.0, 1.0)
        } else {
            1.0
        };
        if o >= 1.0 {
            self.layer_opacity.remove(name);
        } else {
            self.layer_opacity.insert(name.to_string(), o);
        }
    }

    /// Moves layer `li` of `ds` one step up (towards the top) or down in the drawing order; the
    /// whole current order is remembered from then on.
    pub fn move_layer(&mut self, ds: &crate::load::Dataset, li: usize, up: bool) {
        let order = super::map::hit::draw_order(ds, &self.layer_order);
        let Some(pos) = order.iter().position(|&i| i == li) else {
            return;
        };
        let other = if up {
            pos + 1
        } else {
            match pos.checked_sub(1) {
                Some(p) => p,
                None => return,
            }
        };
        if other >= order.len() {
            return;
        }
        let mut names: Vec<String> = order
            .iter()
            .filter_map(|&i| ds.layers.get(i).map(|l| l.name.clone()))
            .collect();
        names.swap(pos, other);
        // Keep what is remembered of layers absent from this review, below.
        let mut kept: Vec<String> = self
            .layer_order
            .iter()
            .filter(|n| !names.contains(n))
            .cloned()
            .collect();
        kept.extend(names);
        self.layer_order = kept;
    }

    pub fn set_layer_visible(&mut self, name: &str, visible: bool) {
        self.hidden_layers.retain(|n| n != name);
        if !visible {
            self.hidden_layers.push(name.to_string());
            self.hidden_layers.sort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Feature, Layer, SourceInfo};
    use geo::{wkt, MultiPolygon};

    fn dataset() -> crate::load::Dataset {
        let layer = |name: &str, role: LayerRole| Layer {
            name: name.into(),
            role,
            fields: Vec::new(),
            features: vec![Feature {
                index: 0,
                geometry: MultiPolygon(vec![
                    wkt! { POLYGON((0.0 0.0, 1.0 0.0, 1.0 1.0, 0.0 0.0)) },
                ]),
                attrs: Default::default(),
            }],
            source: SourceInfo::default(),
        };
        crate::load::Dataset {
            working_crs: crate::crs::CrsDef::epsg(4549).unwrap(),
            working_crs_reason: String::new(),
            layers: vec![
                layer("zones", LayerRole::Zones),
                layer("farmland", LayerRole::Farmland),
                layer("redline", LayerRole::Redline),
            ],
            loaded_near: None,
        }
    }

    #[test]
    fn layer_order_moves_and_is_remembered_by_name() {
        use super::super::map::hit::draw_order;
        let ds = dataset();
        let mut s = Persisted::default();
        // By role, bottom first: farmland (1), red line (2), zones (0).
        assert_eq!(draw_order(&ds, &s.layer_order), vec![1, 2, 0]);
        s.move_layer(&ds, 1, true);
        assert_eq!(s.layer_order, vec!["redline", "farmland", "zones"]);
        assert_eq!(draw_order(&ds, &s.layer_order), vec![2, 1, 0]);
        // The top layer cannot go up, the bottom one cannot go down.
        s.move_layer(&ds, 0, true);
        s.move_layer(&ds, 2, false);
        assert_eq!(draw_order(&ds, &s.layer_order), vec![2, 1, 0]);
        s.move_layer(&ds, 0, false);
        assert_eq!(draw_order(&ds, &s.layer_order), vec![2, 0, 1]);
        // A layer the remembered order does not name goes on top; names of layers absent
        // from this review are kept.
        let order = vec!["water".to_string(), "zones".to_string()];
        assert_eq!(draw_order(&ds, &order), vec![0, 1, 2]);
        let mut s = Persisted {
            layer_order: order,
            ..Persisted::default()
        };
        s.move_layer(&ds, 2, false);
        assert_eq!(s.layer_order, vec!["water", "zones", "redline", "farmland"]);
    }

    #[test]
    fn opacity_is_clamped_and_full_opacity_is_not_stored() {
        let mut s = Persisted::default();
        assert_eq!(s.layer_opacity("farmland"), 1.0);
        s.set_layer_opacity("farmland", 0.35);
        assert_eq!(s.layer_opacity("farmland"), 0.35);
        s.set_layer_opacity("farmland", 7.0);
        assert!(s.layer_opacity.is_empty());
        s.set_layer_opacity("water", -1.0);
        assert_eq!(s.layer_opacity("water"), 0.0);
        s.set_layer_opacity("water", f32::NAN);
        assert_eq!(s.layer_opacity("water"), 1.0);
        // Remembered through the persisted form.
        s.set_layer_opacity("redline", 0.5);
        let text = serde_json::to_string(&s).unwrap();
        let back: Persisted = serde_json::from_str(&text).unwrap();
        assert_eq!(back.layer_opacity("redline"), 0.5);
    }
}
