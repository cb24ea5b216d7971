//! The map: camera, level-of-detail render caches, hit-testing and the map widget that draws the
//! layers, conflicts, the selected finding, zone labels and a scale bar.

pub mod camera;
pub mod editing;
pub mod hit;
pub mod labels;
pub mod lod;
pub mod render;
pub mod tess;

use super::commands::AppCommand;
use super::i18n::S;
use super::state::{Derived, Document, Persisted, Tool, ViewState};
use super::theme;
use crate::model::{Geom, LayerRole};
use egui::{Align2, Color32, FontId, Mesh, Pos2, Rect, Sense, Shape, Stroke, Ui};
use geo::Coord;

/// Everything the map widget reads and may change for one frame.
pub struct MapArgs<'a> {
    pub doc: Option<&'a Document>,
    pub derived: &'a mut Derived,
    pub view: &'a mut ViewState,
    pub settings: &'a Persisted,
    pub cmds: &'a mut Vec<AppCommand>,
}

/// Pointer tolerance for identify, in UI points.
const PICK_TOLERANCE_PT: f64 = 4.0;

/// Draws the map into all of `ui`'s remaining space and handles pan, zoom and identify.
pub fn map_ui(ui: &mut Ui, args: MapArgs<'_>) {
    let MapArgs {
        doc,
        derived,
        view,
        settings,
        cmds,
    } = args;
    let lang = settings.lang;
    let (rect, response) = ui.allocate_exact_size(ui.available_size(), Sense::click_and_drag());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 0.0, theme::map_background(settings.dark));
    view.map_rect = Some(rect);
    let Some(doc) = doc else {
        painter.text(
            rect.center(),
            Align2::CENTER_CENTER,
            lang.t(S::NoReview),
            FontId::proportional(16.0),
            Color32::GRAY,
        );
        return;
    };
    if view.fit_pending {
        if let Some(extent) = derived.extent {
            view.camera.fit(extent, rect, 0.04);
        }
        view.fit_pending = false;
    }

    // Interaction: the editing tools first; a drag they do not take pans.
    let taken = view.tool.edits()
        && editing::interact(ui, &response, rect, view, doc, derived, settings, cmds);
    interact(ui, &response, rect, view, cmds, !taken);
    view.cursor_in_map = response
        .hover_pos()
        .map(|hover| view.camera.map_from_ui(hover, rect));

    // Layers: meshes and tiles from the render caches, built in the background.
    let cam = view.camera;
    let to_ui = |c: Coord<f64>| cam.ui_from_map(c, rect);
    let ds = &doc.dataset;
    if derived.render_worker.is_none() {
        let classes = derived
            .layers
            .iter()
            .map(|d| d.render.classes.clone())
            .collect();
        match render::RenderWorker::start(ds.clone(), classes, ui.ctx().clone()) {
            Ok(w) => derived.render_worker = Some(w),
            Err(e) => {
                painter.text(
                    rect.center(),
                    Align2::CENTER_CENTER,
                    e,
                    FontId::proportional(14.0),
                    Color32::RED,
                );
            }
        }
    }
    if let Some(worker) = derived.render_worker.as_mut() {
        let mut renders: Vec<&mut render::LayerRender> =
            derived.layers.iter_mut().map(|d| &mut d.render).collect();
        render::integrate(worker, &mut renders, ui.ctx());
        for li in hit::draw_order(ds, &settings.layer_order) {
            let (Some(layer), Some(d)) = (ds.layers.get(li), derived.layers.get_mut(li)) else {
                continue;
            };
            if !settings.layer_visible(&layer.name) {
                continue;
            }
            let style = theme::role_style(layer.role);
            let shapes = d.render.shapes(
                li,
                worker,
                cam,
                rect,
                settings.layer_opacity(&layer.name),
                style.stroke,
            );
            painter.extend(shapes);
        }
    }

    // Conflicts of the current check, on top.
    if let Some(check) = derived
        .check
        .as_mut()
        .filter(|c| c.revision == doc.revision)
    {
        let style = theme::conflict_style();
        let overlay = &mut check.conflicts;
        if overlay.worker.is_none() {
            let source: std::sync::Arc<dyn render::GeomSource> = overlay.geoms.clone();
            let classes = vec![overlay.render.classes.clone()];
            overlay.worker = render::RenderWorker::start(source, classes, ui.ctx().clone()).ok();
        }
        if let Some(worker) = overlay.worker.as_mut() {
            render::integrate(worker, &mut [&mut overlay.render], ui.ctx());
            painter.extend(
                overlay
                    .render
                    .shapes(0, worker, cam, rect, 1.0, style.stroke),
            );
        }
    }

    // The land the edits added to (green) and took out of (red) the zones, or the land a fix
    // shown for 应用 would.
    let preview = view.fix_preview.as_ref().map(|p| &p.changes);
    if settings.show_changes || preview.is_some() {
        if let Some(changes) = preview.or_else(|| {
            derived
                .check
                .as_ref()
                .filter(|c| c.revision == doc.revision)
                .and_then(|c| c.changes.as_ref())
        }) {
            for (mesh, geom, fill, line) in [
                (
                    &changes.removed_mesh,
                    &changes.removed,
                    Color32::from_rgba_unmultiplied(230, 40, 40, 70),
                    Color32::from_rgb(200, 20, 20),
                ),
                (
                    &changes.added_mesh,
                    &changes.added,
                    Color32::from_rgba_unmultiplied(40, 180, 60, 90),
                    Color32::from_rgb(20, 140, 40),
                ),
            ] {
                let mut m = Mesh::default();
                mesh.append_to(&mut m, cam.center, cam.points_per_m, rect.center(), fill);
                painter.add(Shape::mesh(m));
                let mut lines = Vec::new();
                outline_shapes(geom, Stroke::new(1.5, line), &to_ui, &mut lines);
                painter.extend(lines);
            }
        }
    }

    // The selected finding.
    if let (Some(key), Some(check)) = (&view.selected_finding, &derived.check) {
        if let Some(g) = check
            .position_of(key)
            .and_then(|p| check.finding_geometry(p))
        {
            let style = theme::highlight_style();
            let needs = derived.highlight.as_ref().is_none_or(|(k, _)| k != key);
            if needs {
                derived.highlight = Some((key.clone(), tess::TriMesh::from_geom(g)));
            }
            if let Some((_, m)) = &derived.highlight {
                let mut mesh = Mesh::default();
                m.append_to(
                    &mut mesh,
                    cam.center,
                    cam.points_per_m,
                    rect.center(),
                    style.fill,
                );
                painter.add(Shape::mesh(mesh));
            }
            let mut lines = Vec::new();
            outline_shapes(g, style.stroke, &to_ui, &mut lines);
            painter.extend(lines);
        }
    }

    // The gaps of a clusters finding: the nearest points of each gap joined, with the length
    // (the zone labels keep clear of these lengths).
    let mut gap_boxes: Vec<Rect> = Vec::new();
    if let (Some(key), Some(check)) = (&view.selected_finding, &derived.check) {
        let zone = check
            .position_of(key)
            .filter(|_| check.revision == doc.revision)
            .and_then(|p| {
                let f = check.finding(p)?;
                f.is(crate::analysis::Rule::Clusters).then_some(p.zone?)
            })
            .and_then(|z| check.analysis.zones.get(z));
        if let Some(z) = zone {
            gap_boxes = gap_shapes(
                &painter,
                &z.cluster_gap_lines,
                &z.cluster_gaps_m,
                &to_ui,
                settings.dark,
            );
        }
    }

    // The identified feature.
    if let Some(p) = view.picked {
        if let Some(f) = ds
            .layers
            .get(p.layer)
            .and_then(|l| l.features.get(p.feature))
        {
            let mut lines = Vec::new();
            outline_shapes(&f.geometry, theme::identify_stroke(), &to_ui, &mut lines);
            painter.extend(lines);
        }
    }

    // Zone labels.
    if settings.show_labels {
        if let Some((li, layer)) = ds
            .layers
            .iter()
            .enumerate()
            .find(|(_, l)| l.role == LayerRole::Zones)
        {
            if settings.layer_visible(&layer.name) {
                let color = theme::label_color(settings.dark);
                let halo = if settings.dark {
                    Color32::from_rgba_unmultiplied(0, 0, 0, 150)
                } else {
                    Color32::from_rgba_unmultiplied(255, 255, 255, 190)
                };
                // Every zone in view gets its id; a label that would hit one placed before
                // moves beside its anchor, shrinks to the id or goes out on a leader line.
                let all = derived
                    .layers
                    .get(li)
                    .map(|d| d.labels.as_slice())
                    .unwrap_or(&[]);
                let input: Vec<labels::LabelIn> = all
                    .iter()
                    .map(|(id, text, at)| labels::LabelIn {
                        id,
                        text,
                        anchor: to_ui(*at),
                    })
                    .collect();
                let placed =
                    labels::place_labels(&input, rect.shrink(2.0), &gap_boxes, |text, small| {
                        let size = if small { 11.0 } else { 13.0 };
                        let g = painter.layout_no_wrap(
                            text.to_string(),
                            FontId::proportional(size),
                            color,
                        );
                        (g.size(), g)
                    });
                for p in placed {
                    if p.leader {
                        let stroke = Stroke::new(1.0, color);
                        painter.circle_filled(p.anchor, 2.5, color);
                        painter
                            .line_segment([p.anchor, labels::leader_end(p.anchor, p.rect)], stroke);
                    }
                    painter.rect_filled(p.rect.expand(2.0), 3.0, halo);
                    painter.galley(p.rect.min, p.shape, color);
                }
            }
        }
    }

    // The originals chosen in the merge window.
    if let Some(merge) = &view.merge {
        if let Some(layer) = ds.layer(LayerRole::Original) {
            let f = crate::model::fields::Fields::of_layer(layer, &doc.review.file);
            let stroke = Stroke::new(3.0, Color32::from_rgb(255, 140, 0));
            let mut lines = Vec::new();
            for feature in &layer.features {
                if layer
                    .attr(feature, f.id.or(f.name))
                    .is_some_and(|id| merge.chosen.contains(id))
                {
                    outline_shapes(&feature.geometry, stroke, &to_ui, &mut lines);
                }
            }
            painter.extend(lines);
        }
    }
    if let (Some(from), Some(to)) = (view.select_box_from, response.interact_pointer_pos()) {
        let r = Rect::from_two_pos(from, to);
        painter.rect_filled(r, 0.0, Color32::from_rgba_unmultiplied(255, 140, 0, 40));
        painter.rect_stroke(
            r,
            0.0,
            Stroke::new(1.5, Color32::from_rgb(255, 140, 0)),
            egui::StrokeKind::Inside,
        );
    }

    if view.tool.edits() {
        editing::paint(
            &painter,
            rect,
            cam,
            view,
            doc,
            lang,
            response.hover_pos().or(response.interact_pointer_pos()),
        );
    }

    scale_bar(&painter, rect, cam.points_per_m, settings.dark);
    if let (Some(from), Some(to)) = (view.zoom_box_from, response.interact_pointer_pos()) {
        let r = Rect::from_two_pos(from, to);
        painter.rect_filled(r, 0.0, Color32::from_rgba_unmultiplied(0, 120, 215, 40));
        painter.rect_stroke(
            r,
            0.0,
            Stroke::new(1.5, Color32::from_rgb(0, 120, 215)),
            egui::StrokeKind::Inside,
        );
    }
    if response.hovered() {
        let cursor = match view.tool {
            Tool::Pan => egui::CursorIcon::Grab,
            Tool::Zoom => egui::CursorIcon::ZoomIn,
            Tool::ZoomBox => egui::CursorIcon::Crosshair,
            Tool::Identify => egui::CursorIcon::PointingHand,
            Tool::Vertex => egui::CursorIcon::Default,
            Tool::MovePart => egui::CursorIcon::Move,
            Tool::Draw(_) => egui::CursorIcon::Crosshair,
        };
        ui.ctx().set_cursor_icon(if view.zoom_box_from.is_some() {
            egui::CursorIcon::Crosshair
        } else if response.dragged() && view.edit.drag.is_none() {
            egui::CursorIcon::Grabbing
        } else {
            cursor
        });
    }
}

/// Smallest zoom box side (points); a smaller drag is taken as a click.
const MIN_ZOOM_BOX_PT: f32 = 4.0;

/// Pan (drag, two-finger move), zoom (wheel, pinch and ctrl+wheel at the pointer or the touch
/// centre), zoom box (drag with the box tool or with Shift), click tools.
fn interact(
    ui: &Ui,
    response: &egui::Response,
    rect: Rect,
    view: &mut ViewState,
    cmds: &mut Vec<AppCommand>,
    pan: bool,
) {
    let (touch, shift, ctrl, press_origin) = ui.input(|i| {
        (
            i.multi_touch(),
            i.modifiers.shift,
            i.modifiers.command,
            i.pointer.press_origin(),
        )
    });
    let merging = view.merge.is_some();
    if let Some(t) = touch.filter(|t| rect.contains(t.center_pos)) {
        // Two or more fingers: pan with their centre, zoom about it.
        view.camera.pinch(
            f64::from(t.zoom_delta),
            t.translation_delta,
            t.center_pos,
            rect,
        );
        view.zoom_box_from = None;
        return;
    }
    if pan && merging && ctrl && response.drag_started() {
        view.select_box_from = press_origin.or(response.interact_pointer_pos());
    }
    if let Some(from) = view.select_box_from {
        if response.drag_stopped() || !response.dragged() {
            if let Some(to) = response.interact_pointer_pos() {
                let (a, b) = (
                    view.camera.map_from_ui(from, rect),
                    view.camera.map_from_ui(to, rect),
                );
                cmds.push(AppCommand::MergeBox(geo::Rect::new(a, b)));
            }
            view.select_box_from = None;
        }
        return;
    }
    if pan && merging && response.clicked() {
        if let Some(pos) = response.interact_pointer_pos() {
            cmds.push(AppCommand::MergePick {
                at: view.camera.map_from_ui(pos, rect),
                toggle: shift || ctrl,
            });
        }
        return;
    }
    if pan && response.drag_started() && (view.tool == Tool::ZoomBox || shift) {
        view.zoom_box_from = press_origin.or(response.interact_pointer_pos());
    }
    if let Some(from) = view.zoom_box_from {
        if response.drag_stopped() || !response.dragged() {
            if let Some(to) = response.interact_pointer_pos() {
                let r = Rect::from_two_pos(from, to);
                if r.width() >= MIN_ZOOM_BOX_PT && r.height() >= MIN_ZOOM_BOX_PT {
                    view.camera.zoom_to_box(from, to, rect);
                }
            }
            view.zoom_box_from = None;
        }
    } else if pan && response.dragged() {
        view.camera.pan_by_ui(response.drag_delta());
    }
    if let Some(hover) = response.hover_pos() {
        let (scroll, zoom) = ui.input(|i| (i.smooth_scroll_delta.y, i.zoom_delta()));
        if scroll != 0.0 {
            view.camera
                .zoom_at((f64::from(scroll) * 0.004).exp(), hover, rect);
        }
        if zoom != 1.0 {
            view.camera.zoom_at(f64::from(zoom), hover, rect);
        }
    }
    if pan && response.clicked() {
        if let Some(pos) = response.interact_pointer_pos() {
            match view.tool {
                Tool::Zoom | Tool::ZoomBox => view.camera.zoom_at(2.0, pos, rect),
                Tool::Identify => {
                    let pos_in_map = view.camera.map_from_ui(pos, rect);
                    cmds.push(AppCommand::Identify(pos_in_map));
                }
                Tool::Pan | Tool::Vertex | Tool::MovePart | Tool::Draw(_) => {}
            }
        }
    }
    if response.secondary_clicked() && matches!(view.tool, Tool::Zoom | Tool::ZoomBox) {
        if let Some(pos) = response.interact_pointer_pos() {
            view.camera.zoom_at(0.5, pos, rect);
        }
    }
}

/// Identify tolerance in metres at the current zoom.
pub fn pick_tolerance_m(points_per_m: f64) -> f64 {
    PICK_TOLERANCE_PT / points_per_m.max(1e-12)
}

/// Closed outlines of every ring, with vertices closer than half a point merged.
fn outline_shapes(
    geom: &Geom,
    stroke: Stroke,
    to_ui: &dyn Fn(Coord<f64>) -> Pos2,
    out: &mut Vec<Shape>,
) {
    if stroke.width <= 0.0 || stroke.color.a() == 0 {
        return;
    }
    for poly in &geom.0 {
        for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
            let mut pts: Vec<Pos2> = Vec::with_capacity(ring.0.len());
            for c in &ring.0 {
                let p = to_ui(*c);
                if pts.last().is_none_or(|q: &Pos2| q.distance_sq(p) >= 0.25) {
                    pts.push(p);
                }
            }
            if pts.len() >= 3 {
                out.push(Shape::closed_line(pts, stroke));
            }
        }
    }
}

/// Each gap as a dashed line between its nearest points, with end marks and its length in
/// metres at the middle.
fn gap_shapes(
    painter: &egui::Painter,
    lines: &[[Coord<f64>; 2]],
    lengths: &[f64],
    to_ui: &dyn Fn(Coord<f64>) -> Pos2,
    dark: bool,
) -> Vec<Rect> {
    let mut boxes = Vec::new();
    let color = theme::highlight_style().stroke.color;
    let text_color = if dark { Color32::WHITE } else { Color32::BLACK };
    let halo = if dark {
        Color32::from_rgba_unmultiplied(0, 0, 0, 170)
    } else {
        Color32::from_rgba_unmultiplied(255, 255, 255, 210)
    };
    for (line, len) in lines.iter().zip(lengths) {
        let (a, b) = (to_ui(line[0]), to_ui(line[1]));
        let stroke = Stroke::new(2.5, color);
        painter.extend(Shape::dashed_line(&[a, b], stroke, 8.0, 5.0));
        painter.circle_filled(a, 3.5, color);
        painter.circle_filled(b, 3.5, color);
        let galley = painter.layout_no_wrap(
            format!("{len:.1} m"),
            FontId::proportional(13.0),
            text_color,
        );
        let r = Align2::CENTER_CENTER.anchor_size(a + (b - a) * 0.5, galley.size());
        painter.rect_filled(r.expand(2.0), 3.0, halo);
        painter.rect_stroke(
            r.expand(2.0),
            3.0,
            Stroke::new(1.0, color),
            egui::StrokeKind::Outside,
        );
        painter.galley(r.min, galley, text_color);
        boxes.push(r.expand(2.0));
    }
    boxes
}

/// A scale bar of a nice length in the lower left corner.
fn scale_bar(painter: &egui::Painter, rect: Rect, points_per_m: f64, dark: bool) {
    let len_m = camera::nice_length_m(120.0 / points_per_m);
    let len_pt = (len_m * points_per_m) as f32;
    let color = if dark { Color32::WHITE } else { Color32::BLACK };
    let left = Pos2::new(rect.left() + 16.0, rect.bottom() - 18.0);
    let right = left + egui::vec2(len_pt, 0.0);
    let bg = Rect::from_min_max(left - egui::vec2(8.0, 22.0), right + egui::vec2(8.0, 8.0));
    painter.rect_filled(
        bg,
        3.0,
        if dark {
            Color32::from_rgba_unmultiplied(0, 0, 0, 140)
        } else {
            Color32::from_rgba_unmultiplied(255, 255, 255, 200)
        },
    );
    let stroke = Stroke::new(2.0, color);
    painter.line_segment([left, right], stroke);
    painter.line_segment([left, left - egui::vec2(0.0, 6.0)], stroke);
    painter.line_segment([right, right - egui::vec2(0.0, 6.0)], stroke);
    let text = if len_m >= 1000.0 {
        format!("{} km", len_m / 1000.0)
    } else {
        format!("{len_m} m")
    };
    painter.text(
        Pos2::new((left.x + right.x) / 2.0, left.y - 8.0),
        Align2::CENTER_BOTTOM,
        text,
        FontId::proportional(12.0),
        color,
    );
}
