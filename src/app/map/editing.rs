//! The editing tools on the map: the vertex tool (drag a vertex, drag an edge's midpoint to add
//! one, double-click an edge to add one, right-click or Delete to remove one), the part tool
//! (drag a part, right-click to delete it) and the drawing tools (new zone, new part, hole,
//! split line), with snapping to vertices and edges of the visible layers and tracing along a
//! boundary between two snapped clicks.
//!
//! Nothing changes the plan during a drag: the map shows a preview, and the release pushes one
//! [`AppCommand::EditGeometry`] (one undo step). The geometry work is in
//! [`crate::spatial::edit`].

use super::super::commands::AppCommand;
use super::super::i18n::{Lang, S};
use super::super::state::{
    Derived, Document, DrawKind, EditDrag, Persisted, Picked, SketchPoint, Snap, Tool, ViewState,
};
use super::camera::Camera;
use crate::model::{Geom, LayerRole};
use crate::spatial::edit::{self as ge, OnBoundary, VertexRef};
use egui::{Color32, Pos2, Rect, Shape, Stroke};
use geo::Coord;

/// How close (screen points) the pointer must be to a vertex or midpoint handle.
pub const HANDLE_PT: f64 = 7.0;
/// Vertex handles are drawn only when no more than this many are in view.
const MAX_HANDLES: usize = 3000;
/// Midpoint handles only on edges at least this long on screen (points).
const MIDPOINT_MIN_PT: f32 = 24.0;

/// Index of the zones layer (the plan) in the dataset.
pub fn zones_layer(doc: &Document) -> Option<usize> {
    doc.dataset
        .layers
        .iter()
        .position(|l| l.role == LayerRole::Zones)
}

/// The zones feature being edited: the picked feature, when it is one of the plan's.
pub fn target(view: &ViewState, doc: &Document) -> Option<usize> {
    let zi = zones_layer(doc)?;
    view.picked
        .filter(|p| p.layer == zi)
        .map(|p| p.feature)
        .filter(|&f| f < doc.dataset.layers[zi].features.len())
}

fn target_geom<'a>(view: &ViewState, doc: &'a Document) -> Option<(usize, &'a Geom)> {
    let zi = zones_layer(doc)?;
    let f = target(view, doc)?;
    Some((f, &doc.dataset.layers[zi].features[f].geometry))
}

/// The nearest vertex (preferred) or edge point of any visible feature within `tol_m` of `p`,
/// leaving out vertex `skip` of zones feature `skip.1` and the two edges at it (the vertex being
/// dragged).
pub fn find_snap(
    doc: &Document,
    derived: &Derived,
    settings: &Persisted,
    p: Coord<f64>,
    tol_m: f64,
    skip: Option<(usize, usize, VertexRef)>,
) -> Option<Snap> {
    let ds = &doc.dataset;
    let probe = geo::Rect::new(p, p);
    let mut best_vertex: Option<(Snap, f64)> = None;
    let mut best_edge: Option<(Snap, f64)> = None;
    for (li, layer) in ds.layers.iter().enumerate() {
        if !settings.layer_visible(&layer.name) {
            continue;
        }
        let Some(d) = derived.layers.get(li) else {
            continue;
        };
        for fi in d.render.classes.ids_in(probe, tol_m) {
            let Some(f) = layer.features.get(fi) else {
                continue;
            };
            let skipped = skip
                .filter(|(l, feat, _)| *l == li && *feat == fi)
                .map(|s| s.2);
            if let Some((v, dist)) = nearest_vertex_except(&f.geometry, p, tol_m, skipped) {
                if best_vertex.is_none_or(|(_, b)| dist < b) {
                    let Some(ring) = ge::ring_vertices(&f.geometry, v.part, v.ring) else {
                        continue;
                    };
                    let at = ring[v.index];
                    best_vertex = Some((
                        Snap {
                            at,
                            vertex: true,
                            layer: li,
                            feature: fi,
                            on: OnBoundary { edge: v, at },
                        },
                        dist,
                    ));
                }
            }
            if best_vertex.is_some() {
                continue;
            }
            if let Some((on, dist)) = nearest_edge_except(&f.geometry, p, tol_m, skipped) {
                if best_edge.is_none_or(|(_, b)| dist < b) {
                    best_edge = Some((
                        Snap {
                            at: on.at,
                            vertex: false,
                            layer: li,
                            feature: fi,
                            on,
                        },
                        dist,
                    ));
                }
            }
        }
    }
    best_vertex.or(best_edge).map(|(s, _)| s)
}

fn nearest_vertex_except(
    g: &Geom,
    p: Coord<f64>,
    tol: f64,
    skip: Option<VertexRef>,
) -> Option<(VertexRef, f64)> {
    let Some(skip) = skip else {
        return ge::nearest_vertex(g, p, tol);
    };
    let mut best: Option<(VertexRef, f64)> = None;
    for (pi, poly) in g.0.iter().enumerate() {
        for ri in 0..=poly.interiors().len() {
            let Some(ring) = ge::ring_vertices(g, pi, ri) else {
                continue;
            };
            for (k, c) in ring.iter().enumerate() {
                let v = VertexRef {
                    part: pi,
                    ring: ri,
                    index: k,
                };
                if v == skip {
                    continue;
                }
                let d = (c.x - p.x).hypot(c.y - p.y);
                if d <= tol && best.is_none_or(|(_, b)| d < b) {
                    best = Some((v, d));
                }
            }
        }
    }
    best
}

fn nearest_edge_except(
    g: &Geom,
    p: Coord<f64>,
    tol: f64,
    skip: Option<VertexRef>,
) -> Option<(OnBoundary, f64)> {
    let Some(skip) = skip else {
        return ge::nearest_edge(g, p, tol);
    };
    let mut best: Option<(OnBoundary, f64)> = None;
    for (pi, poly) in g.0.iter().enumerate() {
        for ri in 0..=poly.interiors().len() {
            let Some(ring) = ge::ring_vertices(g, pi, ri) else {
                continue;
            };
            let n = ring.len();
            for k in 0..n {
                if pi == skip.part
                    && ri == skip.ring
                    && (k == skip.index || (k + 1) % n == skip.index)
                {
                    continue;
                }
                let q = ge::closest_on_segment(ring[k], ring[(k + 1) % n], p);
                let d = (q.x - p.x).hypot(q.y - p.y);
                if d <= tol && best.is_none_or(|(_, b)| d < b) {
                    best = Some((
                        OnBoundary {
                            edge: VertexRef {
                                part: pi,
                                ring: ri,
                                index: k,
                            },
                            at: q,
                        },
                        d,
                    ));
                }
            }
        }
    }
    best
}

/// The midpoint handle of `g` within `tol` of `p`: the edge and its midpoint.
fn midpoint_at(g: &Geom, p: Coord<f64>, tol: f64) -> Option<(VertexRef, Coord<f64>)> {
    let mut best: Option<(VertexRef, Coord<f64>, f64)> = None;
    for (pi, poly) in g.0.iter().enumerate() {
        for ri in 0..=poly.interiors().len() {
            let Some(ring) = ge::ring_vertices(g, pi, ri) else {
                continue;
            };
            let n = ring.len();
            for k in 0..n {
                let (a, b) = (ring[k], ring[(k + 1) % n]);
                let m = Coord {
                    x: (a.x + b.x) / 2.0,
                    y: (a.y + b.y) / 2.0,
                };
                let d = (m.x - p.x).hypot(m.y - p.y);
                if d <= tol && best.is_none_or(|(_, _, e)| d < e) {
                    best = Some((
                        VertexRef {
                            part: pi,
                            ring: ri,
                            index: k,
                        },
                        m,
                        d,
                    ));
                }
            }
        }
    }
    best.map(|(e, m, _)| (e, m))
}

/// The zones feature under `p` (topmost), if any.
fn zone_at(
    doc: &Document,
    derived: &Derived,
    settings: &Persisted,
    p: Coord<f64>,
    tol: f64,
) -> Option<Picked> {
    let zi = zones_layer(doc)?;
    super::hit::hit_test(
        &doc.dataset,
        &derived.layers,
        &settings.layer_order,
        &|i| i == zi,
        p,
        tol,
    )
}

/// Where a drag or click lands: the snap target when there is one, else the pointer.
fn landing(view: &ViewState, p: Coord<f64>) -> Coord<f64> {
    view.edit.snap.map_or(p, |s| s.at)
}

/// The geometry a drag of the vertex or part tool would give if released at `to`.
pub fn drag_result(
    doc: &Document,
    drag: EditDrag,
    to: Coord<f64>,
) -> Option<(usize, Result<Geom, ge::GeomEditError>)> {
    let zi = zones_layer(doc)?;
    let layer = &doc.dataset.layers[zi];
    match drag {
        EditDrag::Vertex { feature, v } => {
            let g = &layer.features.get(feature)?.geometry;
            Some((feature, ge::move_vertex(g, v, to)))
        }
        EditDrag::Insert { feature, edge } => {
            let g = &layer.features.get(feature)?.geometry;
            Some((feature, ge::insert_vertex(g, edge, to)))
        }
        EditDrag::Part {
            feature,
            part,
            from,
        } => {
            let g = &layer.features.get(feature)?.geometry;
            Some((
                feature,
                ge::translate_part(g, part, to.x - from.x, to.y - from.y),
            ))
        }
    }
}

/// The map's input for the editing tools. Returns true when the input was the tool's (a drag
/// of a handle or part, a click that drew), so the map does not pan as well.
#[allow(clippy::too_many_arguments)]
pub fn interact(
    ui: &egui::Ui,
    response: &egui::Response,
    rect: Rect,
    view: &mut ViewState,
    doc: &Document,
    derived: &Derived,
    settings: &Persisted,
    cmds: &mut Vec<AppCommand>,
) -> bool {
    let cam = view.camera;
    let ppm = cam.points_per_m.max(1e-12);
    let handle_m = HANDLE_PT / ppm;
    let snap_m = f64::from(settings.snap_pt.max(1.0)) / ppm;
    if !matches!(view.tool, Tool::Draw(_)) {
        view.edit.sketch.clear();
    }
    let pointer = response
        .interact_pointer_pos()
        .or(response.hover_pos())
        .map(|p| cam.map_from_ui(p, rect));
    let lang = settings.lang;

    // The snap target under the pointer.
    view.edit.snap = None;
    if settings.snap {
        if let Some(p) = pointer {
            let skip = match view.edit.drag {
                Some(EditDrag::Vertex { feature, v }) => {
                    zones_layer(doc).map(|zi| (zi, feature, v))
                }
                _ => None,
            };
            let wants = match view.tool {
                Tool::Draw(_) => true,
                Tool::Vertex => view.edit.drag.is_some(),
                _ => false,
            };
            if wants {
                view.edit.snap = find_snap(doc, derived, settings, p, snap_m, skip);
            }
        }
    }

    let (enter, backspace, escape, delete) = if ui.ctx().egui_wants_keyboard_input() {
        (false, false, false, false)
    } else {
        ui.input_mut(|i| {
            (
                i.consume_key(egui::Modifiers::NONE, egui::Key::Enter),
                i.consume_key(egui::Modifiers::NONE, egui::Key::Backspace),
                i.consume_key(egui::Modifiers::NONE, egui::Key::Escape),
                i.consume_key(egui::Modifiers::NONE, egui::Key::Delete),
            )
        })
    };
    if escape {
        view.edit.drag = None;
        view.edit.sketch.clear();
    }

    match view.tool {
        Tool::Vertex => {
            let press = ui
                .input(|i| i.pointer.press_origin())
                .map(|p| cam.map_from_ui(p, rect));
            if response.drag_started() {
                if let (Some((feature, g)), Some(p)) = (target_geom(view, doc), press) {
                    if let Some((v, _)) = ge::nearest_vertex(g, p, handle_m) {
                        view.edit.drag = Some(EditDrag::Vertex { feature, v });
                    } else if let Some((edge, _)) = midpoint_at(g, p, handle_m) {
                        view.edit.drag = Some(EditDrag::Insert { feature, edge });
                    }
                }
            }
            if let Some(drag) = view.edit.drag {
                if response.drag_stopped() || !response.dragged() {
                    view.edit.drag = None;
                    if let Some(p) = pointer {
                        commit(doc, drag, landing(view, p), view, lang, cmds);
                    }
                }
                return true;
            }
            if response.double_clicked() {
                if let (Some((feature, g)), Some(p)) = (target_geom(view, doc), pointer) {
                    if ge::nearest_vertex(g, p, handle_m).is_none() {
                        if let Some((on, _)) = ge::nearest_edge(g, p, handle_m) {
                            let drag = EditDrag::Insert {
                                feature,
                                edge: on.edge,
                            };
                            commit(doc, drag, on.at, view, lang, cmds);
                            return true;
                        }
                    }
                }
            }
            let hovered_vertex = match (target_geom(view, doc), pointer) {
                (Some((feature, g)), Some(p)) => {
                    ge::nearest_vertex(g, p, handle_m).map(|(v, _)| (feature, g, v))
                }
                _ => None,
            };
            if response.secondary_clicked() || (delete && response.hovered()) {
                if let Some((feature, g, v)) = hovered_vertex {
                    push_or_refuse(feature, ge::delete_vertex(g, v), view, lang, cmds);
                    return true;
                }
            }
            if response.clicked() {
                if let Some(p) = pointer {
                    if hovered_vertex.is_none() {
                        view.picked = zone_at(doc, derived, settings, p, handle_m);
                    }
                }
                return true;
            }
            false
        }
        Tool::MovePart => {
            let press = ui
                .input(|i| i.pointer.press_origin())
                .map(|p| cam.map_from_ui(p, rect));
            if response.drag_started() {
                if let Some(p) = press {
                    if target_geom(view, doc)
                        .and_then(|(_, g)| ge::part_at(g, p))
                        .is_none()
                    {
                        view.picked = zone_at(doc, derived, settings, p, 0.0);
                    }
                    if let Some((feature, g)) = target_geom(view, doc) {
                        if let Some(part) = ge::part_at(g, p) {
                            view.edit.drag = Some(EditDrag::Part {
                                feature,
                                part,
                                from: p,
                            });
                        }
                    }
                }
            }
            if let Some(drag) = view.edit.drag {
                if response.drag_stopped() || !response.dragged() {
                    view.edit.drag = None;
                    if let Some(p) = pointer {
                        commit(doc, drag, p, view, lang, cmds);
                    }
                }
                return true;
            }
            if response.secondary_clicked() {
                if let (Some((feature, g)), Some(p)) = (target_geom(view, doc), pointer) {
                    if let Some(part) = ge::part_at(g, p) {
                        push_or_refuse(feature, ge::delete_part(g, part), view, lang, cmds);
                        return true;
                    }
                }
            }
            if response.clicked() {
                if let Some(p) = pointer {
                    view.picked = zone_at(doc, derived, settings, p, handle_m);
                }
                return true;
            }
            false
        }
        Tool::Draw(kind) => {
            if backspace {
                // The last clicked point, with the points traced up to it.
                while view.edit.sketch.pop().is_some_and(|p| p.traced) {}
            }
            let mut finish = enter;
            if response.clicked() {
                if let Some(p) = pointer {
                    let needs_target = kind != DrawKind::Zone;
                    if needs_target && view.edit.sketch.is_empty() && target(view, doc).is_none() {
                        // The first click picks the zone to draw on.
                        view.picked = zone_at(doc, derived, settings, p, handle_m);
                        return true;
                    }
                    add_point(doc, view, settings, landing(view, p));
                }
            }
            if response.double_clicked() {
                finish = true;
            }
            if finish && !view.edit.sketch.is_empty() {
                let points: Vec<Coord<f64>> = view.edit.sketch.iter().map(|s| s.at).collect();
                view.edit.sketch.clear();
                let target = target(view, doc);
                cmds.push(AppCommand::Sketch {
                    kind,
                    target,
                    points,
                });
            }
            response.clicked() || response.double_clicked()
        }
        _ => false,
    }
}

/// Adds a clicked point to the sketch; with tracing on, a click snapped to the same boundary
/// as the previous click first adds the boundary's vertices between them.
fn add_point(doc: &Document, view: &mut ViewState, settings: &Persisted, at: Coord<f64>) {
    let snap = view.edit.snap;
    if settings.trace {
        if let (Some(now), Some(prev)) = (snap, view.edit.sketch.last().and_then(|p| p.snap)) {
            let same = now.layer == prev.layer
                && now.feature == prev.feature
                && now.on.edge.part == prev.on.edge.part
                && now.on.edge.ring == prev.on.edge.ring;
            if same {
                let ring = doc
                    .dataset
                    .layers
                    .get(now.layer)
                    .and_then(|l| l.features.get(now.feature))
                    .and_then(|f| {
                        ge::ring_vertices(&f.geometry, now.on.edge.part, now.on.edge.ring)
                    });
                if let Some(ring) = ring {
                    for c in ge::trace(ring, prev.on, now.on) {
                        view.edit.sketch.push(SketchPoint {
                            at: c,
                            snap: None,
                            traced: true,
                        });
                    }
                }
            }
        }
    }
    view.edit.sketch.push(SketchPoint {
        at,
        snap,
        traced: false,
    });
}

fn commit(
    doc: &Document,
    drag: EditDrag,
    to: Coord<f64>,
    view: &mut ViewState,
    lang: Lang,
    cmds: &mut Vec<AppCommand>,
) {
    if let Some((feature, result)) = drag_result(doc, drag, to) {
        push_or_refuse(feature, result, view, lang, cmds);
    }
}

fn push_or_refuse(
    feature: usize,
    result: Result<Geom, ge::GeomEditError>,
    view: &mut ViewState,
    lang: Lang,
    cmds: &mut Vec<AppCommand>,
) {
    match result {
        Ok(after) => {
            view.edit.refused = None;
            cmds.push(AppCommand::EditGeometry {
                feature,
                after: Box::new(after),
            });
        }
        Err(e) => {
            let text = e.text().get(lang.model()).to_string();
            view.edit.refused = Some(text.clone());
            cmds.push(AppCommand::Note(text));
        }
    }
}

/// Colours of the editing overlays.
const EDIT_BLUE: Color32 = Color32::from_rgb(0, 110, 230);
const REFUSED_RED: Color32 = Color32::from_rgb(220, 30, 30);
const SNAP_MAGENTA: Color32 = Color32::from_rgb(230, 0, 200);

/// Draws the tool's handles, the drag preview, the sketch and the snap target, and the hint
/// line at the top of the map.
pub fn paint(
    painter: &egui::Painter,
    rect: Rect,
    cam: Camera,
    view: &ViewState,
    doc: &Document,
    lang: Lang,
    pointer_ui: Option<Pos2>,
) {
    let to_ui = |c: Coord<f64>| cam.ui_from_map(c, rect);
    let pointer = pointer_ui.map(|p| cam.map_from_ui(p, rect));
    let visible = cam.visible_map_rect(rect);

    // The preview of a drag.
    if let (Some(drag), Some(p)) = (view.edit.drag, pointer) {
        let to = match drag {
            EditDrag::Part { .. } => p,
            _ => landing(view, p),
        };
        if let Some((_, result)) = drag_result(doc, drag, to) {
            let (g, color) = match &result {
                Ok(g) => (Some(g), EDIT_BLUE),
                Err(_) => (None, REFUSED_RED),
            };
            if let Some(g) = g {
                let mut shapes = Vec::new();
                super::outline_shapes(g, Stroke::new(2.0, color), &to_ui, &mut shapes);
                painter.extend(shapes);
            } else if let EditDrag::Vertex { feature, v } | EditDrag::Insert { feature, edge: v } =
                drag
            {
                // Refused: the two edges at the pointer in red.
                if let Some(g) = zones_layer(doc)
                    .and_then(|zi| doc.dataset.layers[zi].features.get(feature))
                    .map(|f| &f.geometry)
                {
                    if let Some(ring) = ge::ring_vertices(g, v.part, v.ring) {
                        let n = ring.len();
                        let (a, b) = match drag {
                            EditDrag::Vertex { .. } => {
                                (ring[(v.index + n - 1) % n], ring[(v.index + 1) % n])
                            }
                            _ => (ring[v.index], ring[(v.index + 1) % n]),
                        };
                        painter.line_segment([to_ui(a), to_ui(to)], Stroke::new(2.0, color));
                        painter.line_segment([to_ui(to), to_ui(b)], Stroke::new(2.0, color));
                    }
                }
            }
        }
    }

    // Vertex and midpoint handles of the target.
    if view.tool == Tool::Vertex && view.edit.drag.is_none() {
        if let Some((_, g)) = target_geom(view, doc) {
            let mut in_view = Vec::new();
            for poly in &g.0 {
                for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                    for c in ring.0.iter().skip(1) {
                        if visible.min().x <= c.x
                            && c.x <= visible.max().x
                            && visible.min().y <= c.y
                            && c.y <= visible.max().y
                        {
                            in_view.push(*c);
                            if in_view.len() > MAX_HANDLES {
                                break;
                            }
                        }
                    }
                }
            }
            if in_view.len() <= MAX_HANDLES {
                let hover =
                    pointer.and_then(|p| ge::nearest_vertex(g, p, HANDLE_PT / cam.points_per_m));
                for poly in &g.0 {
                    for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                        for w in ring.0.windows(2) {
                            let (a, b) = (to_ui(w[0]), to_ui(w[1]));
                            if a.distance(b) >= MIDPOINT_MIN_PT
                                && (rect.contains(a) || rect.contains(b))
                            {
                                let m = a + (b - a) * 0.5;
                                painter.circle(m, 3.0, Color32::WHITE, Stroke::new(1.0, EDIT_BLUE));
                            }
                        }
                    }
                }
                // Handles closer than 5 points to the last one drawn are left out (zoom in
                // to reach them); the hovered one is always drawn.
                let mut last: Option<Pos2> = None;
                for c in &in_view {
                    let q = to_ui(*c);
                    if last.is_some_and(|l| l.distance(q) < 5.0) {
                        continue;
                    }
                    last = Some(q);
                    painter.rect(
                        Rect::from_center_size(q, egui::vec2(7.0, 7.0)),
                        0.0,
                        Color32::WHITE,
                        Stroke::new(1.5, EDIT_BLUE),
                        egui::StrokeKind::Middle,
                    );
                }
                if let Some((v, _)) = hover {
                    if let Some(ring) = ge::ring_vertices(g, v.part, v.ring) {
                        let q = to_ui(ring[v.index]);
                        painter.rect(
                            Rect::from_center_size(q, egui::vec2(11.0, 11.0)),
                            0.0,
                            EDIT_BLUE,
                            Stroke::new(1.5, Color32::WHITE),
                            egui::StrokeKind::Middle,
                        );
                    }
                }
            }
        }
    }

    // The sketch: clicked and traced points, the line to the pointer, the closing line.
    if let Tool::Draw(kind) = view.tool {
        let pts: Vec<Pos2> = view.edit.sketch.iter().map(|s| to_ui(s.at)).collect();
        let color = if kind == DrawKind::Hole {
            REFUSED_RED
        } else {
            EDIT_BLUE
        };
        let stroke = Stroke::new(2.0, color);
        if pts.len() >= 2 {
            painter.add(Shape::line(pts.clone(), stroke));
        }
        for (s, q) in view.edit.sketch.iter().zip(&pts) {
            if !s.traced {
                painter.circle(*q, 3.5, Color32::WHITE, Stroke::new(1.5, color));
            }
        }
        if let (Some(last), Some(p)) = (pts.last(), pointer) {
            let to = to_ui(landing(view, p));
            painter.extend(Shape::dashed_line(&[*last, to], stroke, 6.0, 4.0));
            if kind != DrawKind::Split {
                if let Some(first) = pts.first() {
                    painter.extend(Shape::dashed_line(
                        &[to, *first],
                        Stroke::new(1.0, color),
                        4.0,
                        4.0,
                    ));
                }
            }
        }
    }

    // The snap target.
    if let Some(s) = view.edit.snap {
        let q = to_ui(s.at);
        let stroke = Stroke::new(2.0, SNAP_MAGENTA);
        if s.vertex {
            painter.rect_stroke(
                Rect::from_center_size(q, egui::vec2(12.0, 12.0)),
                0.0,
                stroke,
                egui::StrokeKind::Middle,
            );
        } else {
            painter.circle_stroke(q, 6.0, stroke);
            painter.line_segment([q - egui::vec2(4.0, 4.0), q + egui::vec2(4.0, 4.0)], stroke);
            painter.line_segment(
                [q - egui::vec2(4.0, -4.0), q + egui::vec2(4.0, -4.0)],
                stroke,
            );
        }
    }

    // The hint: what the tool does and whether a zone is selected.
    if view.tool.edits() {
        let hint = match view.tool {
            Tool::Vertex => S::HintVertex,
            Tool::MovePart => S::HintMovePart,
            Tool::Draw(DrawKind::Zone) => S::HintDrawZone,
            Tool::Draw(DrawKind::Split) => S::HintSplit,
            _ => S::HintDrawPart,
        };
        let mut text = lang.t(hint).to_string();
        let needs_target = !matches!(view.tool, Tool::Draw(DrawKind::Zone));
        if needs_target && target(view, doc).is_none() {
            text = format!("{}　{}", lang.t(S::HintSelectZone), text);
        }
        if let Some(refused) = &view.edit.refused {
            text = format!("{text}\n{refused}");
        }
        let galley = painter.layout(
            text,
            egui::FontId::proportional(13.0),
            Color32::from_gray(20),
            rect.width() - 24.0,
        );
        let at = rect.left_top() + egui::vec2(12.0, 10.0);
        painter.rect_filled(
            Rect::from_min_size(at, galley.size()).expand(4.0),
            3.0,
            Color32::from_rgba_unmultiplied(255, 255, 255, 225),
        );
        painter.galley(at, galley, Color32::from_gray(20));
    }
}
