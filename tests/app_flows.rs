//! Desktop app flows driven through egui_kittest (no GPU): open the sample review, run the check,
//! select a finding, record a decision, save, reopen, switch language, identify, bad input.
//! egui_kittest panics on a glyph the fonts lack, so these also prove the Chinese renders.
#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use egui_kittest::kittest::Queryable as _;
use egui_kittest::Harness;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use zonecheck::app::decisions::Status;
use zonecheck::app::ZonecheckApp;

fn sample_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_maps")
}

/// A copy of the sample review in a temporary folder (the app writes next to it).
fn sample_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(sample_dir()).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    dir
}

fn harness(app: ZonecheckApp) -> Harness<'static, ZonecheckApp> {
    Harness::builder()
        .with_size(egui::vec2(1500.0, 950.0))
        .build_ui_state(|ui, app: &mut ZonecheckApp| app.ui(ui), app)
}

/// Lets the UI settle (background repaints make `run` loop; don't fail on that).
fn settle(h: &mut Harness<'static, ZonecheckApp>) {
    let _ = h.try_run();
}

fn wait_until(
    h: &mut Harness<'static, ZonecheckApp>,
    what: &str,
    cond: impl Fn(&ZonecheckApp) -> bool,
) {
    let start = Instant::now();
    loop {
        h.step();
        if cond(h.state()) {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(240),
            "timed out waiting for {what}; messages: {:?}",
            h.state().messages
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    settle(h);
}

fn open(path: &Path) -> Harness<'static, ZonecheckApp> {
    let mut app = ZonecheckApp::new(None);
    app.open(path.to_path_buf());
    let mut h = harness(app);
    wait_until(&mut h, "the review to load", |a| {
        a.doc.is_some() && !a.is_busy()
    });
    h
}

fn run_check(h: &mut Harness<'static, ZonecheckApp>, button: &str) {
    h.get_by_label(button).click();
    h.step();
    wait_until(h, "the check", |a| {
        a.current_check().is_some() && !a.is_busy()
    });
}

#[test]
fn open_check_select_decide_save_reopen() {
    let dir = sample_copy();
    let review = dir.path().join("review.toml");
    let mut h = open(&review);

    // Chinese UI with the embedded font: menus, toolbar, layer list.
    for label in [
        "文件",
        "编辑",
        "视图",
        "检查",
        "导出",
        "帮助",
        "打开",
        "平移",
        "识别",
        "导出报告",
    ] {
        h.get_by_label(label);
    }
    for layer in [
        "整合后开发区",
        "生态保护红线",
        "永久基本农田",
        "饮用水水源保护区",
        "蓝绿空间",
    ] {
        h.get_by_role_and_label(egui::Role::CheckBox, layer);
    }

    run_check(&mut h, "运行检查 ▶");
    let (key, message, bbox) = {
        let app = h.state();
        let check = app.current_check().unwrap();
        assert!(check.analysis.zones.iter().any(|z| !z.pass));
        // The first finding of the first zone that has a geometry of its own.
        let pos = check
            .order
            .iter()
            .find(|p| {
                p.zone == Some(0)
                    && check
                        .finding(p)
                        .is_some_and(|f| f.geometry.as_ref().is_some_and(|g| !g.0.is_empty()))
            })
            .expect("a finding with geometry in the first zone")
            .clone();
        let f = check.finding(&pos).unwrap();
        use geo::BoundingRect;
        let bbox = f.geometry.as_ref().unwrap().bounding_rect().unwrap();
        let sev = f.severity.name_zh();
        (pos.key.clone(), format!("[{sev}] {}", f.message_zh), bbox)
    };
    let camera_before = h.state().view.camera;

    // Click the finding in the list: it is selected, the camera moves onto it.
    h.get_by_label(&message).click();
    settle(&mut h);
    assert_eq!(h.state().view.selected_finding.as_ref(), Some(&key));
    let cam = h.state().view.camera;
    assert_ne!(cam, camera_before);
    let [cx, cy] = cam.center;
    assert!(
        cx >= bbox.min().x - 1.0
            && cx <= bbox.max().x + 1.0
            && cy >= bbox.min().y - 1.0
            && cy <= bbox.max().y + 1.0,
        "camera centre {cx},{cy} not on the finding {bbox:?}"
    );
    assert!(
        cam.points_per_m > camera_before.points_per_m,
        "zoomed in onto the finding"
    );

    // N and P walk through the findings.
    h.key_press(egui::Key::N);
    settle(&mut h);
    assert_ne!(h.state().view.selected_finding.as_ref(), Some(&key));
    h.key_press(egui::Key::P);
    settle(&mut h);
    assert_eq!(h.state().view.selected_finding.as_ref(), Some(&key));

    // Decide: must fix, with a comment.
    h.get_by_label("须修改").click();
    settle(&mut h);
    let comment = "红线冲突须调出，请修改边界";
    h.get_by_label("审查意见:").click();
    settle(&mut h);
    h.get_by_label("审查意见:").type_text(comment);
    settle(&mut h);
    {
        let d = h
            .state()
            .doc
            .as_ref()
            .unwrap()
            .decisions
            .get(&key)
            .cloned()
            .unwrap();
        assert_eq!(d.status, Status::MustFix);
        assert_eq!(d.comment, comment);
        assert!(h.state().doc.as_ref().unwrap().dirty);
    }
    h.get_by_label("保存").click();
    settle(&mut h);
    assert!(
        !h.state().doc.as_ref().unwrap().dirty,
        "{:?}",
        h.state().messages
    );
    let sidecar = dir.path().join("review.decisions.toml");
    let text = std::fs::read_to_string(&sidecar).unwrap();
    assert!(
        text.contains("must_fix") && text.contains(comment),
        "{text}"
    );
    // The review file itself is untouched.
    assert_eq!(
        std::fs::read(&review).unwrap(),
        std::fs::read(sample_dir().join("review.toml")).unwrap()
    );
    drop(h);

    // Reopen: the decision is there, shown in the list after the check.
    let mut h = open(&review);
    let d = h
        .state()
        .doc
        .as_ref()
        .unwrap()
        .decisions
        .get(&key)
        .cloned()
        .unwrap();
    assert_eq!((d.status, d.comment.as_str()), (Status::MustFix, comment));
    run_check(&mut h, "运行检查 ▶");
    h.get_by_label(&format!("{message} 〔须修改〕"));
}

#[test]
fn switch_to_english() {
    let mut h = open(&sample_dir().join("review.toml"));
    h.get_by_label("English").click();
    settle(&mut h);
    for label in [
        "File",
        "Edit",
        "View",
        "Check",
        "Export",
        "Help",
        "Open",
        "Save",
        "Pan",
        "Zoom",
        "Identify",
        "Run check ▶",
        "Export report",
    ] {
        h.get_by_label(label);
    }
    h.get_by_role_and_label(egui::Role::CheckBox, "ecological red line");
    run_check(&mut h, "Run check ▶");
    let app = h.state();
    let check = app.current_check().unwrap();
    let f = &check.analysis.zones[0].findings[0];
    let sev = f.severity.name_en();
    let wanted = format!("[{sev}] {}", f.message_en);
    h.get_by_label(&wanted);
    h.get_by_label("中文").click();
    settle(&mut h);
    h.get_by_label("文件");
}

#[test]
fn identify_shows_attributes() {
    let mut h = open(&sample_dir().join("review.toml"));
    h.get_by_label("识别").click();
    settle(&mut h);
    // The label point of the first zone is inside it.
    let (pos, id) = {
        let app = h.state();
        let zones = app.derived.layers.first().unwrap();
        let (text, at) = zones.labels[0].clone();
        let rect = app.view.map_rect.unwrap();
        (app.view.camera.ui_from_map(at, rect), text)
    };
    h.event(egui::Event::PointerMoved(pos));
    h.event(egui::Event::PointerButton {
        pos,
        button: egui::PointerButton::Primary,
        pressed: true,
        modifiers: Default::default(),
    });
    h.step();
    h.event(egui::Event::PointerButton {
        pos,
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers: Default::default(),
    });
    settle(&mut h);
    let picked = h.state().view.picked.expect("a feature under the click");
    assert_eq!(picked.layer, 0, "the zones layer is on top");
    // The attribute table shows the zone's id.
    let zone_id = id.split(' ').next().unwrap().to_string();
    h.get_by_label(&zone_id);
    h.get_by_label("字段");
}

#[test]
fn bad_review_file_names_the_file_and_the_app_stays_usable() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("broken.toml");
    std::fs::write(&bad, "[layers]\nzones = \"missing.shp\"\n").unwrap();
    let mut app = ZonecheckApp::new(None);
    app.open(bad.clone());
    let mut h = harness(app);
    wait_until(&mut h, "the error", |a| {
        !a.is_busy() && !a.messages.is_empty()
    });
    let msg = &h.state().messages[0].text;
    assert!(msg.contains("missing.shp"), "{msg}");
    assert!(h.state().doc.is_none());
    h.get_by_label("关闭").click();
    settle(&mut h);
    assert!(h.state().messages.is_empty());
    // Still usable: open the sample afterwards.
    h.state_mut().open(sample_dir().join("review.toml"));
    wait_until(&mut h, "the sample to load", |a| {
        a.doc.is_some() && !a.is_busy()
    });
}

#[test]
fn export_writes_the_cli_reports() {
    let mut h = open(&sample_dir().join("review.toml"));
    let out = tempfile::tempdir().unwrap();
    h.state_mut()
        .pending
        .push(zonecheck::app::commands::AppCommand::Export(
            out.path().to_path_buf(),
        ));
    h.step();
    wait_until(&mut h, "the export", |a| !a.is_busy());
    for f in [
        "report.json",
        "findings.csv",
        "conflicts.geojson",
        "report.html",
        "conflicts.shp",
    ] {
        assert!(
            out.path().join(f).is_file(),
            "{f} missing; messages {:?}",
            h.state().messages
        );
    }
}

/// A left-button drag from `from` to `to` over a few frames.
fn drag(h: &mut Harness<'static, ZonecheckApp>, from: egui::Pos2, to: egui::Pos2) {
    let button = |pos, pressed| egui::Event::PointerButton {
        pos,
        button: egui::PointerButton::Primary,
        pressed,
        modifiers: Default::default(),
    };
    h.event(egui::Event::PointerMoved(from));
    h.step();
    h.event(button(from, true));
    h.step();
    for i in 1..=6 {
        h.event(egui::Event::PointerMoved(
            from + (to - from) * (i as f32 / 6.0),
        ));
        h.step();
    }
    h.event(button(to, false));
    h.step();
    settle(h);
}

#[test]
fn zoom_box_tool_and_shift_drag_fit_the_box() {
    use zonecheck::app::state::Tool;
    let mut h = open(&sample_dir().join("review.toml"));
    h.get_by_label("框选放大").click();
    settle(&mut h);
    assert_eq!(h.state().view.tool, Tool::ZoomBox);
    let rect = h.state().view.map_rect.unwrap();
    let cam0 = h.state().view.camera;
    // A 200 × 100 point box left of and above the centre.
    let a = rect.center() + egui::vec2(-150.0, -80.0);
    let b = a + egui::vec2(200.0, 100.0);
    let (ma, mb) = (cam0.map_from_ui(a, rect), cam0.map_from_ui(b, rect));
    drag(&mut h, a, b);
    let cam = h.state().view.camera;
    // The box (200/ppm × 100/ppm metres) fills the view along its tighter side.
    let factor = f64::from((rect.width() / 200.0).min(rect.height() / 100.0));
    let want = cam0.points_per_m * factor;
    assert!(
        (cam.points_per_m / want - 1.0).abs() < 1e-4,
        "{} vs {want}",
        cam.points_per_m
    );
    let (cx, cy) = ((ma.x + mb.x) / 2.0, (ma.y + mb.y) / 2.0);
    let tol = 0.01 / cam0.points_per_m;
    assert!(
        (cam.center[0] - cx).abs() < tol && (cam.center[1] - cy).abs() < tol,
        "{:?} vs {cx},{cy}",
        cam.center
    );
    assert!(h.state().view.zoom_box_from.is_none());

    // With the pan tool a plain drag pans, a Shift drag zooms to the box.
    h.get_by_label("平移").click();
    settle(&mut h);
    let c1 = h.state().view.camera;
    drag(&mut h, a, b);
    let c2 = h.state().view.camera;
    assert_eq!(c2.points_per_m, c1.points_per_m, "a plain drag only pans");
    assert_ne!(c2.center, c1.center);
    h.event(egui::Event::ModifiersChanged(egui::Modifiers::SHIFT));
    drag(&mut h, a, b);
    h.event(egui::Event::ModifiersChanged(egui::Modifiers::NONE));
    settle(&mut h);
    let c3 = h.state().view.camera;
    assert!(
        (c3.points_per_m / (c2.points_per_m * factor) - 1.0).abs() < 1e-4,
        "{c3:?}"
    );
}

#[test]
fn pinch_zooms_about_the_fingers() {
    let mut h = open(&sample_dir().join("review.toml"));
    let rect = h.state().view.map_rect.unwrap();
    let cam0 = h.state().view.camera;
    let centre = rect.center() + egui::vec2(60.0, -40.0);
    let under = cam0.map_from_ui(centre, rect);
    let touch = |id: u64, pos: egui::Pos2, phase| egui::Event::Touch {
        device_id: egui::TouchDeviceId(1),
        id: egui::TouchId(id),
        phase,
        pos,
        force: None,
    };
    // Two fingers 40 pt either side of `centre` spread to 80 pt: a zoom of 2 about their
    // centre, not about the pointer (winit moves the pointer with the first finger; egui starts
    // a gesture only with a pointer position).
    h.event(egui::Event::PointerMoved(centre - egui::vec2(40.0, 0.0)));
    h.event(touch(
        1,
        centre - egui::vec2(40.0, 0.0),
        egui::TouchPhase::Start,
    ));
    h.event(touch(
        2,
        centre + egui::vec2(40.0, 0.0),
        egui::TouchPhase::Start,
    ));
    h.step();
    for d in [50.0, 60.0, 70.0, 80.0] {
        h.event(touch(
            1,
            centre - egui::vec2(d, 0.0),
            egui::TouchPhase::Move,
        ));
        h.event(touch(
            2,
            centre + egui::vec2(d, 0.0),
            egui::TouchPhase::Move,
        ));
        h.step();
    }
    h.event(touch(
        1,
        centre - egui::vec2(80.0, 0.0),
        egui::TouchPhase::End,
    ));
    h.event(touch(
        2,
        centre + egui::vec2(80.0, 0.0),
        egui::TouchPhase::End,
    ));
    settle(&mut h);
    let cam = h.state().view.camera;
    assert!(
        (cam.points_per_m / (2.0 * cam0.points_per_m) - 1.0).abs() < 1e-3,
        "{} vs {}",
        cam.points_per_m,
        cam0.points_per_m
    );
    let at = cam.ui_from_map(under, rect);
    assert!((at - centre).length() < 0.5, "{at:?} vs {centre:?}");
}

#[test]
fn layer_opacity_order_and_zoom_to_layer() {
    use zonecheck::app::map::hit::draw_order;
    let mut h = open(&sample_dir().join("review.toml"));
    let (farm, water, listed) = {
        let app = h.state();
        let ds = &app.doc.as_ref().unwrap().dataset;
        let farm = ds.layers.iter().position(|l| l.name == "farmland").unwrap();
        let water = ds.layers.iter().position(|l| l.name == "water").unwrap();
        // The panel lists the top layer first.
        let listed: Vec<usize> = draw_order(ds, &app.settings.layer_order)
            .into_iter()
            .rev()
            .collect();
        (farm, water, listed)
    };
    let row = listed.iter().position(|&i| i == farm).unwrap();
    // By role, water is drawn right above farmland.
    assert_eq!(listed[row - 1], water);

    // Opacity of farmland to 40 %.
    h.get_all_by_role_and_label(egui::accesskit::Role::Slider, "不透明度")
        .nth(row)
        .unwrap()
        .set_value_accesskit(40.0);
    settle(&mut h);
    assert_eq!(h.state().settings.layer_opacity("farmland"), 0.4);
    assert_eq!(h.state().settings.layer_opacity("water"), 1.0);

    // Farmland one step up: above water, in the map's order and in the panel.
    h.get_all_by_label("上移").nth(row).unwrap().click();
    settle(&mut h);
    let order = {
        let app = h.state();
        draw_order(
            &app.doc.as_ref().unwrap().dataset,
            &app.settings.layer_order,
        )
    };
    let pos = |i| order.iter().position(|&x| x == i).unwrap();
    assert_eq!(pos(farm), pos(water) + 1);
    let y = |label: &str| {
        h.get_by_role_and_label(egui::accesskit::Role::CheckBox, label)
            .rect()
            .min
            .y
    };
    assert!(y("永久基本农田") < y("饮用水水源保护区"));

    // Zoom to the water layer: the view shows its whole extent and little more.
    let bbox = h.state().derived.layers[water].bbox.unwrap();
    let listed_now = order.iter().rev().position(|&i| i == water).unwrap();
    h.get_all_by_label("缩放到图层")
        .nth(listed_now)
        .unwrap()
        .click();
    settle(&mut h);
    let app = h.state();
    let shown = app.view.camera.visible_map_rect(app.view.map_rect.unwrap());
    assert!(shown.min().x <= bbox.min().x && shown.max().x >= bbox.max().x);
    assert!(shown.min().y <= bbox.min().y && shown.max().y >= bbox.max().y);
    let fill = (bbox.width() / shown.width()).max(bbox.height() / shown.height());
    assert!(fill > 0.9, "{fill}");
}

#[test]
fn the_map_builds_its_layers_in_the_background_and_draws_them() {
    let mut h = open(&sample_dir().join("review.toml"));
    wait_until(&mut h, "the map's first builds", |a| !a.map_busy());
    let farm = {
        let app = h.state();
        let ds = &app.doc.as_ref().unwrap().dataset;
        ds.layers.iter().position(|l| l.name == "farmland").unwrap()
    };
    // At the full extent something of every layer is built (tiles or meshes).
    for (i, d) in h.state().derived.layers.iter().enumerate() {
        assert!(d.render.bytes() > 0, "layer {i} has nothing built");
    }
    // Zoomed onto a farmland patch at ~1:2,000, its mesh is built and drawn.
    let (center, before) = {
        let app = h.state();
        let ds = &app.doc.as_ref().unwrap().dataset;
        use geo::BoundingRect;
        let c = ds.layers[farm].features[0]
            .geometry
            .bounding_rect()
            .unwrap()
            .center();
        (c, app.derived.layers[farm].render.meshes_built())
    };
    h.state_mut().view.camera = zonecheck::app::map::camera::Camera {
        center: [center.x, center.y],
        points_per_m: 2.0,
    };
    h.step();
    wait_until(&mut h, "the patch's mesh", |a| !a.map_busy());
    assert!(h.state().derived.layers[farm].render.meshes_built() > before);
}
