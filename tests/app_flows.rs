//! Desktop app flows driven through egui_kittest (no GPU): open the sample review, run the check,
//! select a finding, record a decision, save, reopen, switch language, identify, bad input.
//! egui_kittest panics on a glyph the fonts lack, so these also prove the Chinese renders.
#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use egui_kittest::kittest::Queryable as _;
use egui_kittest::Harness;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use zonecheck::app::commands::AppCommand;
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
    // The decision is in the review file itself; the rest of the review is as it was.
    let text = std::fs::read_to_string(&review).unwrap();
    assert!(
        text.contains("[[decision]]") && text.contains("must_fix") && text.contains(comment),
        "{text}"
    );
    assert!(!dir.path().join("review.decisions.toml").exists());
    let original = std::fs::read_to_string(sample_dir().join("review.toml")).unwrap();
    let saved = zonecheck::io::review::Review::parse(&text, &review).unwrap();
    let mut before = zonecheck::io::review::Review::parse(&original, &review).unwrap();
    before.file.decisions = saved.file.decisions.clone();
    assert_eq!(saved.file, before.file);
    assert!(
        text.starts_with(original.lines().next().unwrap()),
        "unchanged parts keep their text: {text}"
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
        let (_, text, at) = zones.labels[0].clone();
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
    // The attributes panel shows the zone's id (a zones-layer feature: in an editable box).
    let zone_id = id.split(' ').next().unwrap().to_string();
    let id_box = h.get_by_role_and_label(egui::Role::TextInput, "ID");
    assert_eq!(id_box.value().as_deref(), Some(zone_id.as_str()));
    h.get_by_label("字段");
}

#[test]
fn bad_review_file_names_the_file_and_the_app_stays_usable() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("broken.toml");
    let red = sample_dir().join("redline.shp");
    std::fs::write(
        &bad,
        format!(
            "[layers]\nzones = \"missing.shp\"\nredline = {}\n",
            toml_string(&red)
        ),
    )
    .unwrap();
    let mut app = ZonecheckApp::new(None);
    app.open(bad.clone());
    let mut h = harness(app);
    wait_until(&mut h, "the error", |a| {
        !a.is_busy() && !a.messages.is_empty()
    });
    let msg = &h.state().messages[0].text;
    assert!(msg.contains("missing.shp"), "{msg}");
    // The review opens; its zones layer is listed as failed, with the reason.
    let doc = h.state().doc.as_ref().unwrap();
    assert_eq!(layer_keys(h.state()), ["redline"]);
    assert_eq!(doc.failures.len(), 1);
    assert_eq!(doc.failures[0].key, "zones");
    h.get_by_label("✗ 整合后开发区 — 加载失败");
    h.get_by_role_and_label(egui::Role::CheckBox, "生态保护红线");
    h.get_by_label("关闭").click();
    settle(&mut h);
    assert!(h.state().messages.is_empty());
    // A review file that is not TOML: nothing opens, the message names the file.
    let broken = dir.path().join("不是审查.toml");
    std::fs::write(&broken, "[layers\nzones = ").unwrap();
    h.state_mut().open(broken);
    wait_until(&mut h, "the error", |a| {
        !a.is_busy() && !a.messages.is_empty()
    });
    let msg = &h.state().messages[0].text;
    assert!(msg.contains("不是审查.toml"), "{msg}");
    h.get_by_label("关闭").click();
    settle(&mut h);
    // Still usable: open the sample afterwards.
    h.state_mut().open(sample_dir().join("review.toml"));
    wait_until(&mut h, "the sample to load", |a| {
        a.doc.is_some() && !a.is_busy()
    });
}

/// Opening a review checks it by itself (检查 → 打开后自动检查, on by default), after the
/// map has drawn its first view; unticked, opening leaves the check to the user.
#[test]
fn opening_checks_by_itself_once_the_map_is_drawn() {
    use zonecheck::app::jobs::JobKind;
    let mut app = ZonecheckApp::new(None);
    assert!(app.settings.check_on_open, "on by default");
    app.open(sample_dir().join("review.toml"));
    let mut h = harness(app);
    let start = Instant::now();
    loop {
        h.step();
        let a = h.state();
        if a.job.as_ref().is_some_and(|j| j.kind == JobKind::Check) {
            // Started by itself, after the map asked for its first view and got all of it.
            assert!(a.doc.is_some());
            assert!(
                a.derived.render_worker.is_some(),
                "before the map was drawn"
            );
            assert!(!a.map_busy());
            break;
        }
        assert!(
            a.current_check().is_none(),
            "a check result without a check job"
        );
        assert!(
            start.elapsed() < Duration::from_secs(240),
            "no check started by itself; messages {:?}",
            a.messages
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    wait_until(&mut h, "the check", |a| {
        a.current_check().is_some() && !a.is_busy()
    });
    let zones = h.state().current_check().unwrap().analysis.zones.len();
    assert_eq!(zones, 5, "the sample's five merged zones");
    assert!(matches!(
        h.state().status,
        zonecheck::app::StatusLine::CheckDone { zones: 5, .. }
            | zonecheck::app::StatusLine::CheckIncomplete { zones: 5, .. }
    ));

    // Unticked in the 检查 menu: opening again loads and draws, and checks nothing.
    h.get_by_label("检查").click();
    settle(&mut h);
    h.get_by_label("打开后自动检查").click();
    settle(&mut h);
    assert!(!h.state().settings.check_on_open);
    h.state_mut().open(sample_dir().join("review.toml"));
    wait_until(&mut h, "the second load and its map", |a| {
        a.doc.is_some() && !a.is_busy() && a.derived.render_worker.is_some() && !a.map_busy()
    });
    for _ in 0..20 {
        h.step();
    }
    assert!(h.state().job.is_none());
    assert!(h.state().current_check().is_none(), "checked by itself");
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
    // The whole output set of `zonecheck check`, report.xlsx, occupied_patches.csv and (on by
    // default) report.pdf included.
    assert!(zonecheck::report::OUTPUT_FILES.contains(&"report.xlsx"));
    assert!(h.state().settings.export_pdf);
    for f in zonecheck::report::OUTPUT_FILES {
        assert!(
            out.path().join(f).is_file(),
            "{f} missing; messages {:?}",
            h.state().messages
        );
    }
    let pdf = std::fs::read(out.path().join("report.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    // 导出 → 同时生成 PDF 报告 unticked: the next export writes no PDF and removes the old one.
    h.get_by_label("导出").click();
    settle(&mut h);
    h.get_by_label("同时生成 PDF 报告（report.pdf）").click();
    settle(&mut h);
    assert!(!h.state().settings.export_pdf);
    h.state_mut()
        .pending
        .push(zonecheck::app::commands::AppCommand::Export(
            out.path().to_path_buf(),
        ));
    h.step();
    wait_until(&mut h, "the second export", |a| !a.is_busy());
    assert!(out.path().join("report.html").is_file());
    assert!(!out.path().join("report.pdf").exists());
}

/// A path as a TOML basic string.
fn toml_string(p: &Path) -> String {
    toml::Value::String(p.to_string_lossy().into_owned()).to_string()
}

/// A file dropped on the window, as a platform integration hands it to egui.
#[derive(Debug)]
struct DroppedPath(PathBuf);

impl egui::DroppedFile for DroppedPath {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

/// Drops `paths` on the window (one frame of raw input) and waits for what that starts.
fn drop_files(h: &mut Harness<'static, ZonecheckApp>, paths: &[PathBuf]) {
    h.input_mut().dropped_files = paths
        .iter()
        .map(|p| Arc::new(DroppedPath(p.clone())) as egui::DroppedFileHandle)
        .collect();
    h.step();
    wait_until(h, "the dropped files to load", |a| !a.is_busy());
}

/// Among the widgets labelled `label`, the first one below the layer checkbox labelled `anchor`.
/// Scrolls the layer list until layer `anchor`'s check box is in view (the list scrolls above
/// the legend; with the sample's nine layers some are below the fold).
fn reveal(h: &mut Harness<'static, ZonecheckApp>, anchor: &str) {
    h.get_by_role_and_label(egui::Role::CheckBox, anchor)
        .scroll_to_me();
    settle(h);
}

fn below<'a>(
    h: &'a Harness<'static, ZonecheckApp>,
    anchor: &str,
    label: &'a str,
) -> egui_kittest::Node<'a> {
    let y = h
        .get_by_role_and_label(egui::Role::CheckBox, anchor)
        .rect()
        .min
        .y;
    h.get_all_by_label(label)
        .filter(|n| n.rect().min.y > y)
        .min_by(|a, b| a.rect().min.y.total_cmp(&b.rect().min.y))
        .unwrap_or_else(|| panic!("no `{label}` below `{anchor}`"))
}

/// Copies the shapefile `stem` of the sample into `dir` as `new_stem`, without the extensions in
/// `skip`.
fn copy_shapefile(dir: &Path, stem: &str, new_stem: &str, skip: &[&str]) -> PathBuf {
    for ext in ["shp", "shx", "dbf", "prj", "cpg"] {
        if skip.contains(&ext) {
            continue;
        }
        std::fs::copy(
            sample_dir().join(format!("{stem}.{ext}")),
            dir.join(format!("{new_stem}.{ext}")),
        )
        .unwrap();
    }
    dir.join(format!("{new_stem}.shp"))
}

fn layer_keys(app: &ZonecheckApp) -> Vec<String> {
    let doc = app.doc.as_ref().unwrap();
    doc.dataset.layers.iter().map(|l| l.name.clone()).collect()
}

#[test]
fn new_review_add_layers_by_dialog_command_and_drop_then_assign_a_role() {
    let dir = tempfile::tempdir().unwrap();
    let zones = copy_shapefile(dir.path(), "merged_zones", "整合后开发区", &[]);
    let red = copy_shapefile(dir.path(), "redline", "sthx_2023", &[]);
    let other = copy_shapefile(dir.path(), "bluegreen", "图层甲", &[]);

    let mut h = harness(ZonecheckApp::new(None));
    h.state_mut()
        .pending
        .push(AppCommand::NewReview(Some(zones)));
    h.step();
    wait_until(&mut h, "the new review", |a| {
        a.doc.is_some() && !a.is_busy()
    });
    assert!(h.state().doc.as_ref().unwrap().untitled);
    assert_eq!(layer_keys(h.state()), ["zones"]);
    h.get_by_role_and_label(egui::Role::CheckBox, "整合后开发区");

    // What the file dialog of 添加图层… triggers: the role is guessed from the name (sthx → red line).
    h.state_mut().pending.push(AppCommand::AddLayers(vec![red]));
    h.step();
    wait_until(&mut h, "the added layer", |a| !a.is_busy());
    assert_eq!(layer_keys(h.state()), ["zones", "redline"]);
    h.get_by_role_and_label(egui::Role::CheckBox, "生态保护红线");

    // Dropped on the window: no role in the name, so an extra protection layer named after it.
    drop_files(&mut h, std::slice::from_ref(&other));
    assert_eq!(layer_keys(h.state()), ["zones", "redline", "图层甲"]);
    h.get_by_role_and_label(egui::Role::CheckBox, "图层甲");
    assert!(h.state().messages.is_empty(), "{:?}", h.state().messages);

    // Rename it in its settings.
    reveal(&mut h, "图层甲");
    below(&h, "图层甲", "设置").click();
    settle(&mut h);
    h.get_by_label("名称:").click();
    settle(&mut h);
    h.key_combination_modifiers(egui::Modifiers::COMMAND, &[egui::Key::A]);
    h.get_by_label("名称:").type_text("蓝绿空间");
    settle(&mut h);
    h.get_by_label("应用").click();
    h.step();
    wait_until(&mut h, "the reload", |a| !a.is_busy());
    assert_eq!(layer_keys(h.state()), ["zones", "redline", "蓝绿空间"]);

    // Assign it the farmland role in its settings.
    reveal(&mut h, "蓝绿空间");
    below(&h, "蓝绿空间", "设置").click();
    settle(&mut h);
    let role = h.get_by_label("角色:");
    assert_eq!(role.value().as_deref(), Some("其他保护区域"));
    role.click();
    settle(&mut h);
    h.get_by_label("永久基本农田").click();
    settle(&mut h);
    h.get_by_label("应用").click();
    h.step();
    wait_until(&mut h, "the reload", |a| !a.is_busy());
    assert_eq!(layer_keys(h.state()), ["zones", "redline", "farmland"]);
    h.get_by_role_and_label(egui::Role::CheckBox, "永久基本农田");
    let doc = h.state().doc.as_ref().unwrap();
    assert!(doc.review.file.layers.extra.is_empty());
    assert_eq!(
        doc.review.file.layers.farmland.as_deref(),
        Some(Path::new("图层甲.shp"))
    );
    assert!(doc.dirty);

    // Save as: a review the command line reads, paths relative to it.
    let saved = dir.path().join("新审查.toml");
    h.state_mut()
        .pending
        .push(AppCommand::SaveAs(saved.clone()));
    h.step();
    settle(&mut h);
    assert!(!h.state().doc.as_ref().unwrap().dirty);
    let review = zonecheck::io::review::Review::load(&saved).unwrap();
    assert_eq!(review.file.layers.zones, Path::new("整合后开发区.shp"));
    assert_eq!(
        review.file.layers.redline.as_deref(),
        Some(Path::new("sthx_2023.shp"))
    );
}

#[test]
fn bad_dropped_file_is_named_and_a_guessed_crs_and_encoding_are_corrected() {
    let dir = sample_copy();
    let review = dir.path().join("review.toml");
    let mut h = open(&review);
    let before = layer_keys(h.state());

    // A file that is not a shapefile: the message names it, every other layer stays.
    let bad = dir.path().join("坏文件.shp");
    std::fs::write(&bad, b"this is not a shapefile").unwrap();
    std::fs::copy(
        dir.path().join("redline.dbf"),
        dir.path().join("坏文件.dbf"),
    )
    .unwrap();
    drop_files(&mut h, std::slice::from_ref(&bad));
    assert_eq!(h.state().messages.len(), 1);
    let msg = h.state().messages[0].text.clone();
    assert!(msg.contains("坏文件.shp"), "{msg}");
    assert_eq!(layer_keys(h.state()), before);
    for layer in ["整合后开发区", "生态保护红线", "永久基本农田", "蓝绿空间"]
    {
        h.get_by_role_and_label(egui::Role::CheckBox, layer);
    }
    h.get_by_label("✗ 坏文件 — 加载失败");
    h.get_by_label("关闭").click();
    settle(&mut h);
    // An unsupported type is named too.
    let txt = dir.path().join("说明.txt");
    std::fs::write(&txt, "x").unwrap();
    drop_files(&mut h, std::slice::from_ref(&txt));
    assert!(h.state().messages[0].text.contains("说明.txt"));
    h.get_by_label("关闭").click();
    settle(&mut h);

    // A red-line copy without .prj and .cpg and with no language driver: the review sets a
    // working CRS, so the CRS is assumed; the encoding is guessed from the bytes.
    let red = copy_shapefile(dir.path(), "redline", "红线副本", &["prj", "cpg"]);
    let dbf = red.with_extension("dbf");
    let mut bytes = std::fs::read(&dbf).unwrap();
    bytes[29] = 0;
    std::fs::write(&dbf, bytes).unwrap();
    drop_files(&mut h, std::slice::from_ref(&red));
    let key = "红线副本";
    let source = |h: &Harness<'static, ZonecheckApp>| {
        let doc = h.state().doc.as_ref().unwrap();
        let l = &doc.dataset.layers[doc.layer_index(key).unwrap()];
        (
            l.source.clone(),
            zonecheck::app::state::union_bbox(l.features.iter().map(|f| &f.geometry)).unwrap(),
        )
    };
    let (src, bbox_before) = source(&h);
    assert!(src.crs.en.contains("assumed"), "{}", src.crs.en);
    assert_eq!(
        src.encoding.as_ref().map(|e| e.en.as_str()),
        Some("GBK (fallback: not valid UTF-8)")
    );
    h.get_by_label("⚠ 坐标系为推测");
    h.get_by_label("⚠ 编码为推测");

    // Correct both: the file's coordinates are really in EPSG:4550 (CM 123°E); text is GBK.
    reveal(&mut h, key);
    below(&h, key, "设置").click();
    settle(&mut h);
    h.get_by_label("坐标系:").click();
    h.get_by_label("坐标系:").type_text("4550");
    settle(&mut h);
    let encoding = h.get_by_label("编码:");
    assert_eq!(encoding.value().as_deref(), Some("自动识别"));
    encoding.click();
    settle(&mut h);
    h.get_by_label("GBK").click();
    settle(&mut h);
    h.get_by_label("应用").click();
    h.step();
    wait_until(&mut h, "the reload", |a| !a.is_busy());
    let (src, bbox_after) = source(&h);
    assert!(src.crs.en.contains("crs_of"), "{}", src.crs.en);
    assert!(src.crs.zh.contains("crs_of"), "{}", src.crs.zh);
    assert_eq!(
        src.encoding.as_ref().map(|e| e.zh.as_str()),
        Some("GBK（依据 encoding_of）")
    );
    assert!(h.query_by_label("⚠ 坐标系为推测").is_none());
    assert!(h.query_by_label("⚠ 编码为推测").is_none());
    // CM 123°E vs 120°E at ~30°N: the same numbers lie ~290 km further east.
    let shift = bbox_after.center().x - bbox_before.center().x;
    assert!((250_000.0..330_000.0).contains(&shift), "moved {shift} m");
    let file = &h.state().doc.as_ref().unwrap().review.file;
    assert_eq!(file.crs_of.get(key).map(String::as_str), Some("EPSG:4550"));
    assert_eq!(file.encoding_of.get(key).map(String::as_str), Some("GBK"));
    // The Chinese names still decode: the first red-line record's name.
    let doc = h.state().doc.as_ref().unwrap();
    let l = &doc.dataset.layers[doc.layer_index(key).unwrap()];
    let mc = l.field_index("MC").unwrap();
    assert_eq!(
        l.features[0].attrs.get(mc),
        Some("湘湖—白马湖湿地生态保护红线")
    );
}

#[test]
fn attribute_table_filter_sort_and_select_a_row() {
    let mut h = open(&sample_dir().join("review.toml"));
    // Ctrl+T: the table of the top layer (nothing identified yet).
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::T);
    settle(&mut h);
    assert_eq!(
        h.state().view.table.as_ref().map(|t| t.layer_key.as_str()),
        Some("zones")
    );
    h.get_by_label("7 / 7 行");
    // The farmland layer's button (layers are listed top first; farmland's badge follows its name).
    reveal(&mut h, "永久基本农田");
    below(&h, "永久基本农田", "属性表").click();
    settle(&mut h);
    assert_eq!(
        h.state().view.table.as_ref().map(|t| t.layer_key.as_str()),
        Some("farmland")
    );
    h.get_by_label("筛选:").click();
    h.get_by_label("筛选:").type_text("DLMC=水浇地");
    settle(&mut h);
    // Counted from farmland.dbf with Python (GBK decoded): 311 patches are 水浇地.
    h.get_by_label("311 / 3130 行");
    // TBMJ twice: descending. From the .dbf, the largest 水浇地 patches are records 213
    // (23677.92), 2255 (22474.88) and 950 (22396.36).
    h.get_by_label("TBMJ").click();
    settle(&mut h);
    h.get_by_label("TBMJ ▲").click();
    settle(&mut h);
    h.get_by_label("TBMJ ▼");
    let first: Vec<usize> = {
        let app = h.state();
        let doc = app.doc.as_ref().unwrap();
        let l = &doc.dataset.layers[doc.layer_index("farmland").unwrap()];
        let t = app.view.table.as_ref().unwrap();
        t.rows()[..3].iter().map(|&i| l.features[i].index).collect()
    };
    assert_eq!(first, [213, 2255, 950]);
    let camera_before = h.state().view.camera;
    // Click the second row (its BSM cell): that feature is selected and the map moves onto it.
    h.get_by_label("33010900003252").click();
    settle(&mut h);
    let app = h.state();
    let picked = app.view.picked.expect("a selected feature");
    let doc = app.doc.as_ref().unwrap();
    let l = &doc.dataset.layers[picked.layer];
    assert_eq!(l.name, "farmland");
    assert_eq!(l.features[picked.feature].index, 2255);
    use geo::BoundingRect;
    let bbox = l.features[picked.feature].geometry.bounding_rect().unwrap();
    let cam = app.view.camera;
    assert_ne!(cam, camera_before);
    let [cx, cy] = cam.center;
    assert!(
        (bbox.min().x..=bbox.max().x).contains(&cx) && (bbox.min().y..=bbox.max().y).contains(&cy),
        "camera centre {cx},{cy} not on the feature {bbox:?}"
    );
    // The identify panel shows the same record.
    h.get_by_label("图层: 永久基本农田 · 记录号: 2255");
}

#[test]
fn cancelled_load_keeps_the_open_review() {
    let dir = sample_copy();
    let mut h = open(&sample_dir().join("review.toml"));
    let path_before = h.state().doc.as_ref().unwrap().review.path.clone();
    h.state_mut().pending.extend([
        AppCommand::Open(dir.path().join("review.toml")),
        AppCommand::CancelJob,
    ]);
    h.step();
    wait_until(&mut h, "the cancelled load", |a| !a.is_busy());
    assert_eq!(h.state().status, zonecheck::app::StatusLine::Cancelled);
    assert_eq!(h.state().doc.as_ref().unwrap().review.path, path_before);
    h.get_by_label("已取消");
    assert!(h.state().messages.is_empty(), "{:?}", h.state().messages);
}

#[test]
fn empty_review_cannot_be_checked_and_a_dropped_review_file_opens() {
    let mut h = harness(ZonecheckApp::new(None));
    h.state_mut().pending.push(AppCommand::NewReview(None));
    h.step();
    wait_until(&mut h, "the empty review", |a| {
        a.doc.is_some() && !a.is_busy()
    });
    assert!(h.state().doc.as_ref().unwrap().dataset.layers.is_empty());
    let hint = "尚无整合后开发区图层：请添加图层，并将其角色设为“整合后开发区”。";
    h.get_by_label(hint);
    h.key_press(egui::Key::F5);
    settle(&mut h);
    assert_eq!(h.state().messages.len(), 1);
    assert_eq!(h.state().messages[0].text, hint);
    assert!(h.state().current_check().is_none());
    h.get_by_label("关闭").click();
    settle(&mut h);
    // Dropping a review file opens it (in place of the empty review).
    let review = sample_dir().join("review.toml");
    drop_files(&mut h, std::slice::from_ref(&review));
    let doc = h.state().doc.as_ref().unwrap();
    assert_eq!(doc.review.path, review);
    assert!(!doc.untitled);
    // Nine layers: zones, original, red line, farmland, water, townships, new industrial land,
    // 蓝绿空间 and 自然保护地 (sample_maps/README.md).
    assert_eq!(doc.dataset.layers.len(), 9);
}

#[test]
fn sidecar_decisions_of_earlier_versions_move_into_the_review_and_exports_show_unsaved_ones() {
    use zonecheck::app::decisions::{Decision, FindingKey};
    let dir = sample_copy();
    let review = dir.path().join("review.toml");
    let sidecar = dir.path().join("review.decisions.toml");
    let sidecar_text = "version = 1\n[[decision]]\nzone = \"M001\"\nrule = \"clusters\"\nindex = 0\nstatus = \"must_fix\"\ncomment = \"两片须合并\"\n";
    std::fs::write(&sidecar, sidecar_text).unwrap();
    let mut h = open(&review);
    // The sidecar's decision is by position (`index`): it goes onto its finding's subject once
    // the check has run.
    run_check(&mut h, "运行检查 ▶");
    let key = FindingKey {
        zone: Some("M001".into()),
        rule: "clusters".into(),
        about: None,
    };
    {
        let doc = h.state().doc.as_ref().unwrap();
        assert_eq!(doc.decisions.get(&key).unwrap().comment, "两片须合并");
        assert!(
            doc.dirty,
            "read from the sidecar: not yet in the review file"
        );
    }
    // A decision made now, not saved, is in the export.
    let key2 = FindingKey {
        zone: Some("M002".into()),
        rule: "conflict.water".into(),
        about: None,
    };
    h.state_mut().pending.push(AppCommand::SetDecision(
        key2.clone(),
        Decision {
            status: zonecheck::app::decisions::Status::Accepted,
            reason: "准保护区可用".into(),
            comment: String::new(),
            evidence: None,
        },
    ));
    let out = tempfile::tempdir().unwrap();
    h.state_mut()
        .pending
        .push(AppCommand::Export(out.path().to_path_buf()));
    h.step();
    wait_until(&mut h, "the export", |a| !a.is_busy());
    let csv = std::fs::read_to_string(out.path().join("findings.csv")).unwrap();
    let row = |zone: &str, rule: &str| {
        csv.lines()
            .find(|l| l.starts_with(&format!("{zone},")) && l.contains(&format!(",{rule},")))
            .unwrap_or_else(|| panic!("no {zone} {rule} row in {csv}"))
            .to_string()
    };
    assert!(row("M001", "clusters").contains(",must_fix,,两片须合并,current,"));
    assert!(row("M002", "conflict.water").contains(",accepted,准保护区可用,,current,"));
    // Save: both are in the review file; the sidecar is left as it was.
    h.get_by_label("保存").click();
    settle(&mut h);
    let saved = zonecheck::io::review::Review::load(&review).unwrap();
    let d = zonecheck::decisions::Decisions::from_rows(&saved.file.decisions);
    assert_eq!(d.get(&key).unwrap().comment, "两片须合并");
    assert_eq!(d.get(&key2).unwrap().reason, "准保护区可用");
    assert_eq!(std::fs::read_to_string(&sidecar).unwrap(), sidecar_text);
    drop(h);
    // Reopened: from the review file, nothing unsaved.
    let h = open(&review);
    let doc = h.state().doc.as_ref().unwrap();
    assert!(!doc.dirty);
    assert_eq!(doc.decisions.map.len(), 2);
}

#[test]
fn layers_dropped_on_an_empty_window_start_a_new_review() {
    let mut h = harness(ZonecheckApp::new(None));
    drop_files(
        &mut h,
        &[
            sample_dir().join("merged_zones.shp"),
            sample_dir().join("farmland.shp"),
        ],
    );
    let doc = h.state().doc.as_ref().unwrap();
    assert!(doc.untitled);
    assert_eq!(layer_keys(h.state()), ["zones", "farmland"]);
    assert!(h.state().messages.is_empty(), "{:?}", h.state().messages);
    h.get_by_label("未命名审查 （未保存）");
}

/// The texts of the plan summary row whose name cell is `name`, left to right: the labelled
/// widgets on the row's line between the summary's first and last column headers.
fn plan_row(h: &Harness<'static, ZonecheckApp>, first_header: &str, name: &str) -> Vec<String> {
    use egui_kittest::kittest::{By, NodeT as _};
    // As kittest matches labels: a `Label` keeps its text in the value (its text runs, which
    // repeat it, are left out), other widgets in the label.
    let text = |n: &egui_kittest::kittest::AccessKitNode<'_>| match n.role() {
        egui::accesskit::Role::Label => n.value(),
        egui::accesskit::Role::TextRun => None,
        _ => n.label(),
    };
    let left = h.get_by_label(first_header).rect().min.x - 1.0;
    let cell = h
        .get_all_by_label(name)
        .find(|n| n.rect().min.x >= left)
        .unwrap_or_else(|| panic!("no plan summary row `{name}`"));
    let row = cell.rect();
    let last_header = h.get_by_label(if first_header == "层级" {
        "核对"
    } else {
        "Result"
    });
    let right = last_header.rect().max.x + 200.0;
    let mut cells: Vec<(f32, String)> = h
        .query_all(By::new().predicate(|n| text(n).is_some_and(|l| !l.is_empty())))
        .filter(|n| {
            let r = n.rect();
            r.center().y > row.min.y
                && r.center().y < row.max.y
                && r.min.x >= left
                && r.max.x <= right
        })
        .map(|n| {
            (
                n.rect().min.x,
                text(&n.accesskit_node()).unwrap_or_default(),
            )
        })
        .collect();
    cells.sort_by(|a, b| a.0.total_cmp(&b.0));
    cells.into_iter().map(|(_, t)| t).collect()
}

/// Ids of the zones whose header the findings list shows.
fn listed_zones(h: &Harness<'static, ZonecheckApp>) -> Vec<String> {
    let check = h.state().current_check().unwrap();
    check
        .analysis
        .zones
        .iter()
        .filter(|z| {
            let mark = if z.pass { "✓" } else { "✗" };
            h.query_by_label_contains(&format!("{mark} {} ", z.id))
                .is_some()
        })
        .map(|z| z.id.clone())
        .collect()
}

/// The sample's plan (sample_maps/README.md, "Plan-level findings"; review.toml sets
/// max_total_zones = 150 and no [quotas], so the default quotas hold: 杭州市本级 2–3, counties
/// 1–2): 4 zones in all; 杭州市本级 has M003 alone (below its minimum: a warning); 萧山区 has
/// M001, M002 and M004 (above its maximum: blocking). Every zone has a county, so none is
/// unplaced.
#[test]
fn plan_summary_counts_zones_against_the_quotas_and_narrows_the_findings() {
    use zonecheck::app::panels::plan::ZoneGroup;
    // With 打开后自动检查 unticked, so that the review stays unchecked until 运行检查.
    let mut app = ZonecheckApp::new(None);
    app.settings.check_on_open = false;
    app.open(sample_dir().join("review.toml"));
    let mut h = harness(app);
    wait_until(&mut h, "the review to load", |a| {
        a.doc.is_some() && !a.is_busy()
    });
    // Before a check the summary says so.
    h.key_press(egui::Key::F6);
    settle(&mut h);
    assert!(h.state().view.plan.open);
    h.get_by_label("方案汇总");
    // In the findings panel and in the summary.
    assert_eq!(
        h.get_all_by_label("尚未检查：点击 运行检查 ▶（F5）。")
            .count(),
        2
    );
    h.key_press(egui::Key::F6);
    settle(&mut h);
    assert!(h.query_by_label("方案汇总").is_none());

    run_check(&mut h, "运行检查 ▶");
    h.get_by_label("方案汇总…").click();
    settle(&mut h);
    h.get_by_label("方案汇总");
    assert_eq!(
        plan_row(&h, "层级", "层级"),
        ["层级", "名称", "开发区数", "允许范围", "核对"]
    );
    assert_eq!(
        plan_row(&h, "层级", "全省总量"),
        ["全省总量", "—", "5", "≤ 150", "✓ 符合"]
    );
    assert_eq!(
        plan_row(&h, "层级", "杭州市"),
        ["设区市本级", "杭州市", "1", "2–3", "⚠ 少于下限"]
    );
    assert_eq!(
        plan_row(&h, "层级", "萧山区"),
        ["县（市、区）", "萧山区", "4", "1–2", "✗ 超过上限"]
    );
    assert!(h.query_by_label("未计入名额").is_none());
    // No other group: one city level and one county in the level column.
    assert_eq!(
        h.get_all_by_label("设区市本级").count() + h.get_all_by_label("县（市、区）").count(),
        2
    );
    assert_eq!(listed_zones(&h), ["M001", "M002", "M003", "M004", "M005"]);

    // Click the county: the findings list shows its four zones only.
    h.get_by_label("萧山区").click();
    settle(&mut h);
    assert_eq!(
        h.state().view.plan.group,
        Some(ZoneGroup::County("萧山区".into()))
    );
    h.get_by_label("仅显示: 萧山区（县（市、区）） · 4 开发区");
    assert_eq!(listed_zones(&h), ["M001", "M002", "M004", "M005"]);
    // The city level: M003 alone, and N walks only its findings.
    h.get_by_label("杭州市").click();
    settle(&mut h);
    assert_eq!(listed_zones(&h), ["M003"]);
    h.key_press(egui::Key::N);
    settle(&mut h);
    let selected = h.state().view.selected_finding.clone().unwrap();
    assert_eq!(selected.zone.as_deref(), Some("M003"));
    // 显示全部 lists every zone again.
    h.get_by_label("显示全部").click();
    settle(&mut h);
    assert_eq!(h.state().view.plan.group, None);
    assert_eq!(listed_zones(&h), ["M001", "M002", "M003", "M004", "M005"]);

    // In English.
    h.get_by_label("English").click();
    settle(&mut h);
    h.get_by_label("Plan summary");
    assert_eq!(
        plan_row(&h, "Level", "Province total"),
        ["Province total", "—", "5", "≤ 150", "✓ within"]
    );
    assert_eq!(
        plan_row(&h, "Level", "萧山区"),
        ["county", "萧山区", "4", "1–2", "✗ above the maximum"]
    );
}

#[test]
fn export_offers_to_open_the_folder_and_the_report() {
    use std::sync::Mutex;
    let mut h = open(&sample_dir().join("review.toml"));
    // Record what would be opened instead of starting a program.
    let calls = Arc::new(Mutex::new(Vec::<PathBuf>::new()));
    let record = calls.clone();
    h.state_mut().launcher = Box::new(move |p: &Path| {
        record.lock().unwrap().push(p.to_path_buf());
        Ok(())
    });
    assert!(h.query_by_label("打开报告").is_none());
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("导出");
    h.state_mut().pending.push(AppCommand::Export(dir.clone()));
    h.step();
    wait_until(&mut h, "the export", |a| !a.is_busy());
    h.get_by_label("导出完成");
    h.get_by_label(&dir.display().to_string());
    // report.json carries the plan summary's groups (sample_maps/README.md: 萧山区 has M001,
    // M002, M004 and M005; 杭州市本级 has M003; every zone has a county).
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    let plan = &json["plan"];
    assert_eq!(plan["zone_count"], 5);
    assert_eq!(plan["max_total_zones"], 150);
    assert_eq!(
        plan["county_counts"]["萧山区"],
        serde_json::json!([4, [1, 2]])
    );
    assert_eq!(
        plan["county_zones"]["萧山区"],
        serde_json::json!(["M001", "M002", "M004", "M005"])
    );
    assert_eq!(
        plan["city_level_counts"]["杭州市"],
        serde_json::json!([1, [2, 3]])
    );
    assert_eq!(
        plan["city_level_zones"]["杭州市"],
        serde_json::json!(["M003"])
    );
    assert_eq!(plan["unplaced_zones"], serde_json::json!([]));

    h.get_by_label("打开报告").click();
    settle(&mut h);
    assert_eq!(*calls.lock().unwrap(), [dir.join("report.html")]);
    h.get_by_label("打开文件夹").click();
    settle(&mut h);
    assert_eq!(
        *calls.lock().unwrap(),
        [dir.join("report.html"), dir.clone()]
    );
    assert!(h.state().messages.is_empty(), "{:?}", h.state().messages);

    // The report is gone: a message naming it; nothing is launched.
    std::fs::remove_file(dir.join("report.html")).unwrap();
    h.get_by_label("打开报告").click();
    settle(&mut h);
    assert_eq!(calls.lock().unwrap().len(), 2);
    let msg = h.state().messages[0].text.clone();
    assert!(msg.starts_with("无法打开: 文件不存在: "), "{msg}");
    assert!(
        msg.ends_with(&dir.join("report.html").display().to_string()),
        "{msg}"
    );
    h.get_by_label("关闭").click();
    settle(&mut h);

    // No program to open it with: the launcher's error and the path.
    h.state_mut().launcher = Box::new(|_: &Path| Err("no default application".into()));
    h.get_by_label("打开文件夹").click();
    settle(&mut h);
    let msg = h.state().messages[0].text.clone();
    assert_eq!(
        msg,
        format!("无法打开 (no default application): {}", dir.display())
    );
    h.get_by_label("关闭").click();
    settle(&mut h);
    assert!(h.state().export_done.is_some());
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
    h.get_all_by_label("上移").nth(row).unwrap().scroll_to_me();
    settle(&mut h);
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

#[test]
fn findings_filter_by_rule_and_n_walks_only_those() {
    // The sample (sample_maps/README.md): M001 and M002 each occupy farmland or red line
    // (conflict.*), only M002 expands beyond its originals (one `expansion` warning).
    let mut h = open(&sample_dir().join("review.toml"));
    run_check(&mut h, "运行检查 ▶");
    assert!(h.query_all_by_label_contains("占用永久基本农田").count() >= 1);
    h.get_by_label("规则:").click();
    settle(&mut h);
    h.get_by_label("扩区").click();
    settle(&mut h);
    assert_eq!(
        h.state().view.rule_filter,
        Some(zonecheck::analysis::Family::Expansion)
    );
    assert_eq!(h.query_all_by_label_contains("占用永久基本农田").count(), 0);
    assert_eq!(
        h.query_all_by_label_contains("超出所整合原开发区范围")
            .count(),
        1
    );
    // N selects the expansion finding, and again (it is the only one shown).
    for _ in 0..2 {
        h.key_press(egui::Key::N);
        settle(&mut h);
        let key = h.state().view.selected_finding.clone().unwrap();
        assert_eq!(key.rule, "expansion");
        assert_eq!(key.zone.as_deref(), Some("M002"));
    }
    // Back to every rule.
    h.get_by_label("规则:").click();
    settle(&mut h);
    h.get_by_label("全部").click();
    settle(&mut h);
    assert_eq!(h.state().view.rule_filter, None);
    assert!(h.query_all_by_label_contains("占用永久基本农田").count() >= 1);
}

/// The subject-keyed decision of a finding that is about something (a county's quota, an
/// original zone): accept it in the UI, save, reopen, check: it is on the same finding, with
/// the finding's evidence fingerprint saved beside it.
#[test]
fn accepted_finding_stays_on_its_subject_after_save_and_reload() {
    let dir = sample_copy();
    let review = dir.path().join("review.toml");
    let mut h = open(&review);
    run_check(&mut h, "运行检查 ▶");
    let (key, message, evidence) = {
        let check = h.state().current_check().unwrap();
        let pos = check
            .order
            .iter()
            .find(|p| check.finding(p).is_some_and(|f| f.about.is_some()))
            .expect("a finding about something (quota, original zone, overlap)")
            .clone();
        let f = check.finding(&pos).unwrap();
        (
            pos.key.clone(),
            format!("[{}] {}", f.severity.name_zh(), f.message_zh),
            f.evidence(),
        )
    };
    assert!(key.about.is_some());
    h.get_by_label(&message).click();
    settle(&mut h);
    h.get_by_label("同意（说明理由）").click();
    settle(&mut h);
    h.get_by_label("理由:").click();
    settle(&mut h);
    h.get_by_label("理由:").type_text("已报省厅同意");
    settle(&mut h);
    h.get_by_label("保存").click();
    settle(&mut h);
    assert!(
        !h.state().doc.as_ref().unwrap().dirty,
        "{:?}",
        h.state().messages
    );
    let text = std::fs::read_to_string(&review).unwrap();
    let about = key.about.clone().unwrap();
    assert!(
        text.contains(&format!("about = \"{about}\""))
            && text.contains(&format!("evidence = \"{evidence}\""))
            && !text.contains("index ="),
        "{text}"
    );
    drop(h);

    let mut h = open(&review);
    run_check(&mut h, "运行检查 ▶");
    let d = h
        .state()
        .doc
        .as_ref()
        .unwrap()
        .decisions
        .get(&key)
        .cloned()
        .unwrap();
    assert_eq!(
        (d.status, d.reason.as_str(), d.evidence.as_deref()),
        (Status::Accepted, "已报省厅同意", Some(evidence.as_str()))
    );
    // Shown on that finding in the list, without "evidence changed".
    h.get_by_label(&format!("{message} 〔同意（说明理由）〕"));
}

/// The plan verdict: 通过 with reviewer, date and comment in the plan summary window, saved
/// with 保存 into `[verdict]`, there again after reopening. With blocking findings open the
/// form says so.
#[test]
fn plan_verdict_is_recorded_saved_and_reloaded() {
    use zonecheck::model::decision::VerdictDecision;
    let dir = sample_copy();
    let review = dir.path().join("review.toml");
    let mut h = open(&review);
    run_check(&mut h, "运行检查 ▶");
    h.get_by_label("方案汇总…").click();
    settle(&mut h);
    h.get_by_label("通过").click();
    settle(&mut h);
    // The sample has blocking findings nobody accepted: the form warns.
    assert!(h.query_by_label_contains("仍有否决项未经同意").is_some());
    for (label, text) in [
        ("审查人:", "李四"),
        ("日期:", "2026-12-02"),
        ("意见:", "边界已核"),
    ] {
        h.get_by_label(label).click();
        settle(&mut h);
        h.get_by_label(label).type_text(text);
        settle(&mut h);
    }
    {
        let doc = h.state().doc.as_ref().unwrap();
        assert!(doc.dirty);
        let v = &doc.review.file.verdict;
        assert_eq!(
            (
                v.decision,
                v.reviewer.as_str(),
                v.date.as_str(),
                v.comment.as_str()
            ),
            (VerdictDecision::Pass, "李四", "2026-12-02", "边界已核")
        );
    }
    h.get_by_label("保存").click();
    settle(&mut h);
    let text = std::fs::read_to_string(&review).unwrap();
    assert!(
        text.contains("[verdict]") && text.contains("decision = \"pass\"") && text.contains("李四"),
        "{text}"
    );
    drop(h);
    let h = open(&review);
    let v = &h.state().doc.as_ref().unwrap().review.file.verdict;
    assert_eq!(
        (
            v.decision,
            v.reviewer.as_str(),
            v.date.as_str(),
            v.comment.as_str()
        ),
        (VerdictDecision::Pass, "李四", "2026-12-02", "边界已核")
    );
}

/// A decision whose finding no longer exists is listed under 已失效的审查意见 in the findings
/// panel, and attached to no finding.
#[test]
fn orphaned_decision_is_listed_in_the_findings_panel() {
    let dir = sample_copy();
    let review = dir.path().join("review.toml");
    let mut text = std::fs::read_to_string(&review).unwrap();
    text.push_str("\n[[decision]]\nrule = \"original.status\"\nabout = \"Y99\"\nstatus = \"accepted\"\nreason = \"已撤销\"\n");
    std::fs::write(&review, text).unwrap();
    let mut h = open(&review);
    run_check(&mut h, "运行检查 ▶");
    h.get_by_label("已失效的审查意见 (1)");
    h.get_by_label("方案 · original.status · Y99 〔同意（说明理由）〕 — 已撤销");
    let check = h.state().current_check().unwrap();
    let doc = h.state().doc.as_ref().unwrap();
    let resolved = check.resolve(&doc.decisions);
    assert_eq!(resolved.orphaned.len(), 1);
    assert!(resolved.attached.iter().flatten().all(Option::is_none));
}

/// Issue 8 item 1: the farmland layer's `.dbf` is empty, so farmland fails to load. F5 must not
/// say 检查完成 as if complete: the check shows one `input.incomplete` finding naming farmland
/// and its file first (above every zone), the status says 检查不完整, and the plan cannot pass.
#[test]
fn a_protection_layer_that_failed_to_load_makes_the_check_incomplete() {
    let dir = sample_copy();
    std::fs::write(dir.path().join("farmland.dbf"), b"").unwrap();
    let mut h = open(&dir.path().join("review.toml"));
    assert!(h
        .state()
        .doc
        .as_ref()
        .unwrap()
        .failures
        .iter()
        .any(|f| f.key == "farmland"));
    h.key_press(egui::Key::F5);
    h.step();
    wait_until(&mut h, "the check", |a| {
        a.current_check().is_some() && !a.is_busy()
    });
    {
        let app = h.state();
        let check = app.current_check().unwrap();
        let first = &check.analysis.plan.findings[0];
        assert_eq!(first.rule, "input.incomplete");
        assert_eq!(first.severity, zonecheck::analysis::Severity::Blocking);
        assert!(
            first.message_zh.contains("farmland"),
            "{}",
            first.message_zh
        );
        assert!(
            first.message_zh.contains("farmland.shp"),
            "{}",
            first.message_zh
        );
        assert!(check.analysis.has_blocking());
        let status = app.status.text(zonecheck::app::i18n::Lang::Zh);
        assert!(status.starts_with("检查不完整"), "{status}");
        assert!(!status.contains("检查完成"), "{status}");
    }
    // At the top of the findings panel: the input finding is drawn above the first zone.
    let finding = h.get_by_label_contains("检查不完整：图层 farmland").rect();
    let first_zone = {
        let app = h.state();
        let check = app.current_check().unwrap();
        let z = &check.analysis.zones[0];
        format!("{} {} ", if z.pass { "✓" } else { "✗" }, z.id)
    };
    let zone_rect = h.get_by_label_contains(&first_zone).rect();
    assert!(
        finding.top() < zone_rect.top(),
        "{finding:?} below {zone_rect:?}"
    );
}
