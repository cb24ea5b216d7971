//! The drawing and vertex tools in the app (kittest, no display), driven by pointer and key
//! events on the map as a planner would: a vertex dragged with snapping onto a red-line vertex
//! changes M004's findings without F5, and undo takes it back; a zone drawn with the mouse
//! gets the next id and its findings, a hole cut in it and a split along a line are each one
//! undoable edit with the areas worked out independently (shoelace on the clicked points).
#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod app_support;

use app_support::{harness, sample_copy, settle, wait_until};
use egui::{Key, Modifiers, Pos2};
use egui_kittest::kittest::{NodeT, Queryable};
use egui_kittest::Harness;
use geo::{coord, Coord};
use std::path::Path;
use zonecheck::app::commands::AppCommand;
use zonecheck::app::ZonecheckApp;

fn open(path: &Path) -> Harness<'static, ZonecheckApp> {
    let mut app = ZonecheckApp::new(None);
    app.open(path.to_path_buf());
    let mut h = harness(app);
    wait_until(&mut h, "the review to load", |a| {
        a.doc.is_some() && !a.is_busy()
    });
    h.state_mut().pending.push(AppCommand::RunCheck);
    h.step();
    check_done(&mut h);
    h
}

fn check_done(h: &mut Harness<'static, ZonecheckApp>) {
    wait_until(h, "the check", |a| {
        a.current_check().is_some() && !a.is_busy()
    });
}

fn zone<'a>(app: &'a ZonecheckApp, id: &str) -> Option<&'a zonecheck::analysis::ZoneResult> {
    let check = app.current_check()?;
    check.analysis.zones.iter().find(|z| z.id == id)
}

/// The red-line area M004 occupies in the current check (0 when none).
fn m004_redline_m2(app: &ZonecheckApp) -> f64 {
    zone(app, "M004")
        .unwrap()
        .conflicts
        .get("redline")
        .map_or(0.0, |c| if c.area_m2 > 0.0 { c.area_m2 } else { 0.0 })
}

/// Shows the map rectangle `min`–`max` (map metres) and returns the UI position of a map point.
fn look_at(h: &mut Harness<'static, ZonecheckApp>, min: Coord<f64>, max: Coord<f64>) {
    let rect = h.state().view.map_rect.unwrap();
    h.state_mut()
        .view
        .camera
        .fit(geo::Rect::new(min, max), rect, 0.0);
    h.step();
}

fn ui_of(h: &Harness<'static, ZonecheckApp>, c: Coord<f64>) -> Pos2 {
    let app = h.state();
    app.view.camera.ui_from_map(c, app.view.map_rect.unwrap())
}

fn map_of(h: &Harness<'static, ZonecheckApp>, p: Pos2) -> Coord<f64> {
    let app = h.state();
    app.view.camera.map_from_ui(p, app.view.map_rect.unwrap())
}

fn click(h: &mut Harness<'static, ZonecheckApp>, p: Pos2) {
    h.hover_at(p);
    h.step();
    h.drag_at(p);
    h.step();
    h.drop_at(p);
    h.step();
    h.step();
}

fn key(h: &mut Harness<'static, ZonecheckApp>, k: Key) {
    h.key_press(k);
    h.step();
    h.step();
}

fn zones_features(app: &ZonecheckApp) -> Vec<(String, geo::MultiPolygon<f64>)> {
    let doc = app.doc.as_ref().unwrap();
    let plan = doc
        .dataset
        .layer(zonecheck::model::LayerRole::Zones)
        .unwrap();
    let id = plan.field_index("ID").unwrap();
    plan.features
        .iter()
        .map(|f| {
            (
                f.attrs.get(id).map(str::to_string).unwrap_or_default(),
                f.geometry.clone(),
            )
        })
        .collect()
}

/// Shoelace area of a closed outline given by its vertices.
fn shoelace(pts: &[Coord<f64>]) -> f64 {
    let n = pts.len();
    let mut s = 0.0;
    for k in 0..n {
        let (a, b) = (pts[k], pts[(k + 1) % n]);
        s += a.x * b.y - b.x * a.y;
    }
    s.abs() / 2.0
}

#[test]
fn a_vertex_dragged_onto_a_snapped_red_line_vertex_changes_the_findings_live() {
    let dir = sample_copy();
    let mut h = open(&dir.path().join("review.toml"));
    // M004 passes the sample: no red line.
    assert_eq!(m004_redline_m2(h.state()), 0.0);
    assert!(zone(h.state(), "M004").unwrap().pass);

    // The vertex tool (V), M004 in view around its east edge x = 526 000, which it shares with
    // red line R04 between N 3 349 500 and 3 350 500.
    key(&mut h, Key::V);
    look_at(
        &mut h,
        coord! {x: 525_300.0, y: 3_349_200.0},
        coord! {x: 526_500.0, y: 3_350_800.0},
    );
    let (fi, m004) = zones_features(h.state())
        .into_iter()
        .enumerate()
        .find(|(_, (id, _))| id == "M004")
        .map(|(i, (_, g))| (i, g))
        .unwrap();
    let inside = coord! {x: 525_800.0, y: 3_350_000.0};
    assert!(geo::Intersects::intersects(&m004, &inside));
    let p = ui_of(&h, inside);
    click(&mut h, p);
    let picked = h.state().view.picked.unwrap();
    assert_eq!(picked.feature, fi, "the click selects M004");

    // Drag the midpoint handle of the shared edge, (526 000, 3 350 000), to 3 points beside
    // R04's vertex (526 145.051, 3 349 428.839): snapping puts the new vertex on it exactly.
    let from = ui_of(&h, coord! {x: 526_000.0, y: 3_350_000.0});
    let target = coord! {x: 526_145.051, y: 3_349_428.839};
    let near = ui_of(&h, target) + egui::vec2(3.0, -2.0);
    h.hover_at(from);
    h.step();
    h.drag_at(from);
    h.step();
    for k in 1..=6 {
        let t = k as f32 / 6.0;
        h.hover_at(from + (near - from) * t);
        h.step();
    }
    // While dragging, the snap target is R04's vertex.
    let snap = h.state().view.edit.snap.expect("a snap target is shown");
    assert!(snap.vertex);
    assert_eq!(snap.at, target);
    h.drop_at(near);
    h.step();
    check_done(&mut h);

    // The new vertex makes the triangle (526 000, 3 350 500), (526 145.051, 3 349 428.839),
    // (526 000, 3 349 500) east of x = 526 000, inside R04 (its last edge is R04's boundary):
    // ½ × 1 000 m × 145.051 m = 72 525.5 m² of red line, found without pressing F5.
    let occupied = m004_redline_m2(h.state());
    assert!((occupied - 72_525.5).abs() < 0.01, "{occupied}");
    assert!(!zone(h.state(), "M004").unwrap().pass);
    assert!(zone(h.state(), "M004")
        .unwrap()
        .findings
        .iter()
        .any(|f| f.rule == "conflict.redline"));

    // The map shows the change: the same triangle as land added, nothing taken out.
    {
        use geo::Area;
        let changes = h.state().current_check().unwrap().changes.as_ref().unwrap();
        assert!((changes.added.unsigned_area() - 72_525.5).abs() < 0.01);
        assert_eq!(changes.removed.unsigned_area(), 0.0);
    }

    // 导出报告 after an edit: the comparison table goes with the reports.
    let out = dir.path().join("export");
    h.state_mut().pending.push(AppCommand::Export(out.clone()));
    h.step();
    wait_until(&mut h, "the export", |a| !a.is_busy());
    let csv = std::fs::read_to_string(out.join("plan_changes.csv")).unwrap();
    let m004: Vec<&str> = csv
        .lines()
        .find(|l| l.starts_with("M004,"))
        .unwrap()
        .split(',')
        .collect();
    assert_eq!(m004[1], "changed", "{csv}");
    assert!(
        (m004[4].parse::<f64>().unwrap() - 72_525.5).abs() < 0.01,
        "{csv}"
    );
    assert_eq!(m004[6].parse::<f64>().unwrap(), 0.0, "{csv}");
    assert!(out.join("report.html").exists());

    // One drag, one undo step: Ctrl+Z gives M004 back as it was.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.step();
    check_done(&mut h);
    assert_eq!(m004_redline_m2(h.state()), 0.0);
    assert!(zone(h.state(), "M004").unwrap().pass);
    assert!(!h.state().doc.as_ref().unwrap().plan.can_undo());
    assert!(h.state().current_check().unwrap().changes.is_none());

    // A drag that would make the boundary touch itself is refused and changes nothing: M004's
    // vertex (526 000, 3 350 500) dropped on its own vertex (525 972.288, 3 350 850), two
    // vertices further along the ring (snapping puts it there exactly).
    let vertex = coord! {x: 526_000.0, y: 3_350_500.0};
    let own = coord! {x: 525_972.288, y: 3_350_850.0};
    let from = ui_of(&h, vertex);
    let far = ui_of(&h, own) + egui::vec2(2.0, 2.0);
    h.hover_at(from);
    h.step();
    h.drag_at(from);
    h.step();
    for k in 1..=6 {
        let t = k as f32 / 6.0;
        h.hover_at(from + (far - from) * t);
        h.step();
    }
    h.drop_at(far);
    h.step();
    settle(&mut h);
    assert!(!h.state().doc.as_ref().unwrap().plan.can_undo());
    assert!(h.state().view.edit.refused.is_some());
}

#[test]
fn drawing_a_zone_then_a_hole_and_a_split_each_undoable() {
    let dir = sample_copy();
    let mut h = open(&dir.path().join("review.toml"));
    let zones_before = zones_features(h.state()).len();

    // An empty stretch south-west of M004 (no zone there): draw with snapping off (S) so the
    // points are where the clicks are.
    key(&mut h, Key::S);
    assert!(!h.state().settings.snap);
    key(&mut h, Key::D);
    look_at(
        &mut h,
        coord! {x: 517_000.0, y: 3_341_000.0},
        coord! {x: 519_000.0, y: 3_343_000.0},
    );
    let corners_ui = [
        ui_of(&h, coord! {x: 517_400.0, y: 3_341_400.0}),
        ui_of(&h, coord! {x: 518_600.0, y: 3_341_400.0}),
        ui_of(&h, coord! {x: 518_600.0, y: 3_342_600.0}),
        ui_of(&h, coord! {x: 517_400.0, y: 3_342_600.0}),
    ];
    let corners: Vec<Coord<f64>> = corners_ui.iter().map(|p| map_of(&h, *p)).collect();
    for p in corners_ui {
        click(&mut h, p);
    }
    assert_eq!(h.state().view.edit.sketch.len(), 4);
    key(&mut h, Key::Enter);
    check_done(&mut h);

    // A new feature with the next free id, M006, checked like the others, its area that of the
    // clicked outline.
    let after = zones_features(h.state());
    assert_eq!(after.len(), zones_before + 1);
    assert_eq!(after.last().unwrap().0, "M006");
    let drawn = shoelace(&corners);
    let m006 = zone(h.state(), "M006").expect("the drawn zone is checked");
    assert!(
        (m006.area_m2 - drawn).abs() < 0.01,
        "{} vs {drawn}",
        m006.area_m2
    );
    // It is selected, for its attributes.
    assert_eq!(h.state().view.picked.unwrap().feature, after.len() - 1);

    // A hole (H) in the middle: the zone loses the hole's shoelace area.
    key(&mut h, Key::H);
    // (The properties panel opened for the new zone: the map is smaller, fit it again.)
    look_at(
        &mut h,
        coord! {x: 517_000.0, y: 3_341_000.0},
        coord! {x: 519_000.0, y: 3_343_000.0},
    );
    let hole_ui = [
        ui_of(&h, coord! {x: 517_800.0, y: 3_341_800.0}),
        ui_of(&h, coord! {x: 518_200.0, y: 3_341_800.0}),
        ui_of(&h, coord! {x: 518_200.0, y: 3_342_200.0}),
        ui_of(&h, coord! {x: 517_800.0, y: 3_342_200.0}),
    ];
    let hole: Vec<Coord<f64>> = hole_ui.iter().map(|p| map_of(&h, *p)).collect();
    for p in hole_ui {
        click(&mut h, p);
    }
    key(&mut h, Key::Enter);
    check_done(&mut h);
    let m006 = zone(h.state(), "M006").unwrap();
    let expected = drawn - shoelace(&hole);
    assert!(
        (m006.area_m2 - expected).abs() < 0.01,
        "{} vs {expected}",
        m006.area_m2
    );

    // A split (K) along a vertical line across the zone, west of the hole: two features of
    // M006 now, the areas adding up.
    key(&mut h, Key::K);
    look_at(
        &mut h,
        coord! {x: 517_000.0, y: 3_341_000.0},
        coord! {x: 519_000.0, y: 3_343_000.0},
    );
    let a = ui_of(&h, coord! {x: 517_600.0, y: 3_341_200.0});
    let b = ui_of(&h, coord! {x: 517_600.0, y: 3_342_800.0});
    click(&mut h, a);
    click(&mut h, b);
    assert_eq!(
        h.state().view.edit.sketch.len(),
        2,
        "{:?}",
        h.state().view.tool
    );
    key(&mut h, Key::Enter);
    check_done(&mut h);
    let feats = zones_features(h.state());
    assert_eq!(
        feats.len(),
        zones_before + 2,
        "{:?} {:?}",
        h.state().view.edit.refused,
        h.state().status
    );
    assert_eq!(
        feats.iter().filter(|(id, _)| id == "M006").count(),
        2,
        "the cut-off piece keeps the zone's attributes"
    );
    let m006 = zone(h.state(), "M006").unwrap();
    // The two pieces share the cut line: one 分片区 still (touching pieces are one sub-area).
    assert_eq!(m006.part_count, 1);
    assert!(
        (m006.area_m2 - expected).abs() < 0.01,
        "{} vs {expected}",
        m006.area_m2
    );

    // Three edits, three undos: the plan as loaded.
    for _ in 0..3 {
        h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
        h.step();
        check_done(&mut h);
    }
    assert_eq!(zones_features(h.state()).len(), zones_before);
    assert!(zone(h.state(), "M006").is_none());
    assert!(!h.state().doc.as_ref().unwrap().plan.can_undo());
}

/// Types `text` into the text box labelled `label` (replacing what it held).
fn type_into(h: &mut Harness<'static, ZonecheckApp>, label: &str, text: &str) {
    h.get_by_role_and_label(egui::accesskit::Role::TextInput, label)
        .click();
    settle(h);
    h.key_combination_modifiers(Modifiers::COMMAND, &[Key::A]);
    h.get_by_role_and_label(egui::accesskit::Role::TextInput, label)
        .type_text(text);
    settle(h);
}

fn save_plan_window(h: &mut Harness<'static, ZonecheckApp>) {
    h.get_by_label("文件").click();
    settle(h);
    h.get_by_label("保存方案为… Ctrl+Alt+S").click();
    h.step();
    settle(h);
}

#[test]
fn save_plan_as_geojson_and_utf8_shapefile_never_over_an_input_unasked() {
    let dir = sample_copy();
    let review = dir.path().join("review.toml");
    let mut h = open(&review);
    // An edit: M005 moved 100 m east (one undoable geometry edit).
    let (fi, m005) = zones_features(h.state())
        .into_iter()
        .enumerate()
        .find(|(_, (id, _))| id == "M005")
        .map(|(i, (_, g))| (i, g))
        .unwrap();
    let moved = zonecheck::spatial::edit::translate_part(&m005, 0, 100.0, 0.0).unwrap();
    h.state_mut().pending.push(AppCommand::EditGeometry {
        feature: fi,
        after: Box::new(moved.clone()),
    });
    h.step();
    check_done(&mut h);
    assert!(h.state().doc.as_ref().unwrap().plan.is_dirty());

    // The window proposes a new name beside the zones layer; the input itself is refused
    // until the box is ticked.
    save_plan_window(&mut h);
    let input = dir.path().join("merged_zones.shp");
    type_into(&mut h, "保存位置", &input.display().to_string());
    assert!(h.get_by_label("保存方案").accesskit_node().is_disabled());
    h.get_by_label("我确认替换该文件").click();
    settle(&mut h);
    assert!(!h.get_by_label("保存方案").accesskit_node().is_disabled());
    h.get_by_label("我确认替换该文件").click();
    settle(&mut h);

    // GeoJSON: the path follows the format.
    h.get_by_label("GeoJSON (.geojson)").click();
    settle(&mut h);
    let geojson = dir.path().join("merged_zones.geojson");
    assert_eq!(
        h.get_by_role_and_label(egui::accesskit::Role::TextInput, "保存位置")
            .value()
            .as_deref(),
        Some(geojson.display().to_string().as_str())
    );
    h.get_by_label("保存方案").click();
    h.step();
    settle(&mut h);
    assert!(geojson.exists(), "{:?}", h.state().messages);
    assert!(!h.state().doc.as_ref().unwrap().plan.is_dirty());
    // The input layer is as it was (same bytes as the sample's).
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_maps");
    for ext in ["shp", "dbf", "shx"] {
        assert_eq!(
            std::fs::read(dir.path().join(format!("merged_zones.{ext}"))).unwrap(),
            std::fs::read(sample.join(format!("merged_zones.{ext}"))).unwrap()
        );
    }
    // The saved review points at the GeoJSON; reopened, M005 is where it was moved to and the
    // Chinese names are there.
    let text = std::fs::read_to_string(&review).unwrap();
    assert!(text.contains("merged_zones.geojson"), "{text}");
    let mut h = open(&review);
    let feats = zones_features(h.state());
    let (_, m005_back) = feats.iter().find(|(id, _)| id == "M005").unwrap();
    assert_eq!(m005_back, &moved);
    assert_eq!(
        zone(h.state(), "M005").unwrap().name.as_deref(),
        Some("萧山所前创新园")
    );

    // UTF-8 shapefile under a new name: .cpg says UTF-8, reopened the same.
    save_plan_window(&mut h);
    h.get_by_label("Shapefile (.shp)").click();
    settle(&mut h);
    h.get_by_label("UTF-8").click();
    settle(&mut h);
    let shp = dir.path().join("方案_utf8.shp");
    type_into(&mut h, "保存位置", &shp.display().to_string());
    h.get_by_label("保存方案").click();
    h.step();
    settle(&mut h);
    assert!(shp.exists(), "{:?}", h.state().messages);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("方案_utf8.cpg"))
            .unwrap()
            .trim(),
        "UTF-8"
    );
    let h = open(&review);
    let (_, again) = zones_features(h.state())
        .into_iter()
        .find(|(id, _)| id == "M005")
        .unwrap();
    assert_eq!(again, moved);
    assert_eq!(
        zone(h.state(), "M005").unwrap().name.as_deref(),
        Some("萧山所前创新园")
    );
}

/// Clicks at `p` with `m` held.
fn click_with(h: &mut Harness<'static, ZonecheckApp>, p: Pos2, m: Modifiers) {
    h.event(egui::Event::ModifiersChanged(m));
    click(h, p);
    h.event(egui::Event::ModifiersChanged(Modifiers::NONE));
    h.step();
}

#[test]
fn originals_are_chosen_on_the_map_for_a_merge() {
    use std::collections::BTreeSet;
    let dir = sample_copy();
    let mut h = open(&dir.path().join("review.toml"));
    h.get_by_label("编辑").click();
    settle(&mut h);
    h.get_by_label("由原开发区新建整合开发区…").click();
    h.step();
    settle(&mut h);
    look_at(
        &mut h,
        coord! {x: 502_000.0, y: 3_341_000.0},
        coord! {x: 521_000.0, y: 3_354_000.0},
    );
    let chosen = |h: &Harness<'static, ZonecheckApp>| -> BTreeSet<String> {
        h.state().view.merge.as_ref().unwrap().chosen.clone()
    };
    let set = |ids: &[&str]| -> BTreeSet<String> { ids.iter().map(|s| s.to_string()).collect() };
    // Y07 is 517 000–518 400 × 3 342 900–3 345 500, Y08 east of it to 520 000, Y11 503 000–
    // 504 200 × 3 352 000–3 353 000 (original_zones.shp). M003 lies over Y07 and Y08: the
    // click chooses the original under it.
    let y07 = ui_of(&h, coord! {x: 517_700.0, y: 3_344_200.0});
    let y08 = ui_of(&h, coord! {x: 519_200.0, y: 3_344_200.0});
    click(&mut h, y07);
    assert_eq!(chosen(&h), set(&["Y07"]));
    click_with(&mut h, y08, Modifiers::SHIFT);
    assert_eq!(chosen(&h), set(&["Y07", "Y08"]));
    // Ctrl+drag a box over Y11 (and nothing else); the map does not pan with it.
    let center = h.state().view.camera.center;
    let a = ui_of(&h, coord! {x: 502_800.0, y: 3_351_800.0});
    let b = ui_of(&h, coord! {x: 504_400.0, y: 3_353_200.0});
    h.event(egui::Event::ModifiersChanged(Modifiers::COMMAND));
    h.hover_at(a);
    h.step();
    h.drag_at(a);
    h.step();
    for k in 1..=5 {
        h.hover_at(a + (b - a) * (k as f32 / 5.0));
        h.step();
    }
    h.drop_at(b);
    h.step();
    h.event(egui::Event::ModifiersChanged(Modifiers::NONE));
    h.step();
    assert_eq!(chosen(&h), set(&["Y07", "Y08", "Y11"]));
    assert_eq!(h.state().view.camera.center, center);
    // Shift+click on a chosen one takes it out; a plain click chooses only it.
    click_with(&mut h, y08, Modifiers::SHIFT);
    assert_eq!(chosen(&h), set(&["Y07", "Y11"]));
    click(&mut h, y08);
    assert_eq!(chosen(&h), set(&["Y08"]));
    // Y07 and Y08 become a new zone.
    click_with(&mut h, y07, Modifiers::SHIFT);
    h.get_by_label("创建").click();
    h.step();
    check_done(&mut h);
    let z = zone(h.state(), "M006").expect("the new zone is checked");
    assert_eq!(z.members, ["Y07", "Y08"]);
}

#[test]
fn attribute_fields_say_as_typed_how_the_rules_will_read_them() {
    let dir = sample_copy();
    let mut h = open(&dir.path().join("review.toml"));
    // A tall window: every field and hint of the properties panel in view.
    h.set_size(egui::vec2(1500.0, 1500.0));
    h.step();
    // Pick M004 on the map with the vertex tool.
    key(&mut h, Key::V);
    look_at(
        &mut h,
        coord! {x: 525_300.0, y: 3_349_200.0},
        coord! {x: 526_500.0, y: 3_350_800.0},
    );
    let p = ui_of(&h, coord! {x: 525_800.0, y: 3_350_000.0});
    click(&mut h, p);
    assert!(h.state().view.picked.is_some());
    // Leaving a box applies its value (one edit) and re-checks; the boxes are read-only while
    // the check runs, so wait for it before typing into the next.
    let typed = |h: &mut Harness<'static, ZonecheckApp>, field: &str, text: &str| {
        h.get_by_role_and_label(egui::accesskit::Role::TextInput, field)
            .click();
        settle(h);
        wait_until(h, "the check after the last box", |a| !a.is_busy());
        h.get_by_role_and_label(egui::accesskit::Role::TextInput, field)
            .click();
        settle(h);
        h.key_combination_modifiers(Modifiers::COMMAND, &[Key::A]);
        h.get_by_role_and_label(egui::accesskit::Role::TextInput, field)
            .type_text(text);
        settle(h);
    };
    // A county the townships layer does not name.
    typed(&mut h, "COUNTY", "萧山县");
    assert!(h
        .query_by_label_contains("乡镇图层中没有这个名称")
        .is_some());
    typed(&mut h, "COUNTY", "萧山区");
    assert!(h
        .query_by_label_contains("乡镇图层中没有这个名称")
        .is_none());
    // Four industries where three are allowed (rules.max_industries).
    typed(&mut h, "INDUSTRIES", "纺织、化纤、家居、物流");
    assert!(h
        .query_by_label_contains("主导产业 4 个，超过 3 个")
        .is_some());
    // The enclave flag: 也许 is neither yes nor no.
    typed(&mut h, "ENCLAVE", "也许");
    assert!(h.query_by_label_contains("不是可识别的飞地标记").is_some());
    typed(&mut h, "ENCLAVE", "否");
    assert!(h.query_by_label_contains("不是可识别的飞地标记").is_none());
    // 亩均税收 that is not a number.
    typed(&mut h, "MJSS", "暂无");
    assert!(h.query_by_label_contains("不是数字").is_some());
    // Each box left is an edit (a hint never stops one): undoable.
    assert!(h.state().doc.as_ref().unwrap().plan.can_undo());
}

/// The plan findings of rule `rule` about original `about`.
fn plan_finding(app: &ZonecheckApp, rule: &str, about: &str) -> bool {
    let a = &app.current_check().unwrap().analysis;
    a.plan
        .findings
        .iter()
        .any(|f| f.rule == rule && f.refs.iter().any(|r| r == about))
}

#[test]
fn the_fate_of_an_original_is_chosen_undone_and_saved_with_the_plan() {
    use zonecheck::app::state::Picked;
    let dir = sample_copy();
    let review = dir.path().join("review.toml");
    let mut h = open(&review);
    // Y11 is in no zone and marked 整合优化: original.unassigned.
    assert!(plan_finding(h.state(), "original.unassigned", "Y11"));
    let (oi, fi) = {
        let ds = &h.state().doc.as_ref().unwrap().dataset;
        let oi = ds
            .layers
            .iter()
            .position(|l| l.role == zonecheck::model::LayerRole::Original)
            .unwrap();
        let l = &ds.layers[oi];
        let id = l.field_index("ID").unwrap();
        let fi = l
            .features
            .iter()
            .position(|f| f.attrs.get(id) == Some("Y11"))
            .unwrap();
        (oi, fi)
    };
    h.state_mut()
        .pending
        .push(AppCommand::SelectFeature(Picked {
            layer: oi,
            feature: fi,
        }));
    h.step();
    settle(&mut h);
    // Its fate is a list of the three the guidance names: 转型提升.
    h.get_by_label("STATUS").click();
    settle(&mut h);
    h.get_by_label("转型提升").click();
    h.step();
    check_done(&mut h);
    assert!(!plan_finding(h.state(), "original.unassigned", "Y11"));
    assert!(h.state().doc.as_ref().unwrap().plan.is_dirty());
    // Undo brings the finding back, redo takes it away again.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.step();
    check_done(&mut h);
    assert!(plan_finding(h.state(), "original.unassigned", "Y11"));
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    h.step();
    check_done(&mut h);
    assert!(!plan_finding(h.state(), "original.unassigned", "Y11"));

    // Saved with the plan: the originals as original_zones_edited.shp, the review points at
    // it, the input untouched; reopened, Y11 is 转型提升 and the finding stays away.
    h.key_press_modifiers(Modifiers::COMMAND, Key::S);
    h.step();
    settle(&mut h);
    let edited = dir.path().join("original_zones_edited.shp");
    assert!(edited.exists(), "{:?}", h.state().messages);
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_maps");
    assert_eq!(
        std::fs::read(dir.path().join("original_zones.dbf")).unwrap(),
        std::fs::read(sample.join("original_zones.dbf")).unwrap()
    );
    let text = std::fs::read_to_string(&review).unwrap();
    assert!(text.contains("original_zones_edited.shp"), "{text}");
    let h = open(&review);
    assert!(!plan_finding(h.state(), "original.unassigned", "Y11"));
    assert!(!plan_finding(h.state(), "original.status", "Y11"));
}
