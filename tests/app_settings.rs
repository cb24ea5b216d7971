//! The settings window (设置/审查规则) through egui_kittest: open it from the 检查 menu, refuse a
//! negative distance, raise the contiguity distance past M001's cluster gap so its clusters
//! finding disappears, find the new value in the review file on disk (comments kept), reopen
//! the review and see it again (opened with the Ctrl+, shortcut).
//!
//! M001's gap is 800 m, worked out by hand in sample_maps/README.md (nearest corners
//! (510 000, 3 350 200) and (509 520, 3 350 840): 480 m by 640 m → 800 m): at 50 m (the
//! sample's setting) M001 has two clusters, at 801 m one.
#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use egui_kittest::kittest::Queryable as _;
use egui_kittest::Harness;
use std::path::{Path, PathBuf};

use zonecheck::app::ZonecheckApp;

mod app_support;
use app_support::{harness, sample_copy, settle, wait_until};

fn open(path: &Path) -> Harness<'static, ZonecheckApp> {
    let mut app = ZonecheckApp::new(None);
    app.open(path.to_path_buf());
    let mut h = harness(app);
    wait_until(&mut h, "the review to load", |a| {
        a.doc.is_some() && !a.is_busy()
    });
    h
}

/// The number of clusters of zone `id` and whether it has a `clusters` finding, in the current
/// check.
fn m001(app: &ZonecheckApp) -> (usize, bool) {
    let check = app.current_check().expect("a current check");
    let z = check
        .analysis
        .zones
        .iter()
        .find(|z| z.id == "M001")
        .unwrap();
    (z.clusters, z.findings.iter().any(|f| f.rule == "clusters"))
}

/// Replaces the text of the text field labelled `label` (select all, type).
fn retype(h: &mut Harness<'static, ZonecheckApp>, label: &str, text: &str) {
    h.get_by_label(label).click();
    settle(h);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by_label(label).type_text(text);
    settle(h);
}

#[test]
fn settings_change_the_contiguity_distance_save_it_and_recheck() {
    let dir = sample_copy();
    let review: PathBuf = dir.path().join("review.toml");
    let original = std::fs::read_to_string(&review).unwrap();
    std::fs::write(
        &review,
        format!("# 萧山区整合方案审查（保留此注释）\n{original}"),
    )
    .unwrap();
    let mut h = open(&review);
    h.get_by_label("运行检查 ▶").click();
    h.step();
    wait_until(&mut h, "the check", |a| {
        a.current_check().is_some() && !a.is_busy()
    });
    assert_eq!(m001(h.state()), (2, true));

    // 检查 → 规则设置…
    h.get_by_label("检查").hover();
    settle(&mut h);
    h.get_by_label("检查").click();
    settle(&mut h);
    h.get_by_label("规则设置… Ctrl+,").click();
    settle(&mut h);
    assert_eq!(h.get_by_label("连片距离:").value().as_deref(), Some("50"));
    // The field roles show how each was chosen.
    h.get_by_label("保护区分级：CLASS（按字段名识别）");

    // A negative distance is refused, naming the setting; nothing is saved.
    retype(&mut h, "连片距离:", "-5");
    h.get_by_label("应用并重新检查").click();
    settle(&mut h);
    h.get_by_label("连片距离: -5 不能为负数");
    assert!(!h.state().is_busy());
    assert_eq!(
        std::fs::read_to_string(&review).unwrap(),
        format!("# 萧山区整合方案审查（保留此注释）\n{original}")
    );

    // 801 m joins M001's two clusters (800 m apart): the finding disappears.
    retype(&mut h, "连片距离:", "801");
    h.get_by_label("应用并重新检查").click();
    h.step();
    wait_until(&mut h, "the re-check", |a| {
        a.current_check().is_some() && !a.is_busy()
    });
    assert_eq!(m001(h.state()), (1, false));
    let doc = h.state().doc.as_ref().unwrap();
    assert_eq!(doc.review.file.rules.contiguity_distance_m, 801.0);
    assert!(!doc.dirty, "saved with the settings");

    // On disk: the new value, the comment kept, the rest unchanged.
    let text = std::fs::read_to_string(&review).unwrap();
    assert!(
        text.starts_with("# 萧山区整合方案审查（保留此注释）\n"),
        "{text}"
    );
    let saved = zonecheck::io::review::Review::parse(&text, &review).unwrap();
    assert_eq!(saved.file.rules.contiguity_distance_m, 801.0);
    let before = zonecheck::io::review::Review::parse(&original, &review).unwrap();
    assert_eq!(saved.file.layers, before.file.layers);
    assert_eq!(saved.file.fields, before.file.fields);
    assert_eq!(saved.file.quotas, before.file.quotas);

    // Reopened: the window (Ctrl+,) shows the saved value; a check finds one cluster.
    drop(h);
    let mut h = open(&review);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Comma);
    settle(&mut h);
    assert_eq!(h.get_by_label("连片距离:").value().as_deref(), Some("801"));
}

/// The contiguity settings of the window: the sample's M001 has 4 parts (sample_maps/README.md:
/// main part A, fragment F, cluster B and the enclave E), over the sample's cap of 3. A cap that
/// is no number is refused naming the setting; a cap of 4 ends M001's `parts` warning and a cap
/// of 3 brings it back (4 > 3); the minimum connection width and the bridged gap are written to
/// the review file.
#[test]
fn settings_edit_the_parts_cap_and_the_connection_width() {
    let dir = sample_copy();
    let review: PathBuf = dir.path().join("review.toml");
    let mut h = open(&review);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Comma);
    settle(&mut h);
    assert_eq!(
        h.get_by_label("分片区数量上限:").value().as_deref(),
        Some("3")
    );
    assert_eq!(
        h.get_by_label("最小连接宽度（0 为不检查）:")
            .value()
            .as_deref(),
        Some("30")
    );
    assert_eq!(
        h.get_by_label("道路、河流与保护区域可弥合的最大间距:")
            .value()
            .as_deref(),
        Some("100")
    );
    retype(&mut h, "分片区数量上限:", "三");
    h.get_by_label("应用并重新检查").click();
    settle(&mut h);
    h.get_by_label("分片区数量上限: “三” 不是非负整数");
    assert!(!h.state().is_busy());

    retype(&mut h, "分片区数量上限:", "4");
    h.get_by_label("应用并重新检查").click();
    h.step();
    wait_until(&mut h, "the re-check", |a| {
        a.current_check().is_some() && !a.is_busy()
    });
    {
        let check = h.state().current_check().unwrap();
        let z = check
            .analysis
            .zones
            .iter()
            .find(|z| z.id == "M001")
            .unwrap();
        assert!(!z.findings.iter().any(|f| f.rule == "parts"));
    }
    retype(&mut h, "分片区数量上限:", "3");
    retype(&mut h, "最小连接宽度（0 为不检查）:", "12.5");
    retype(&mut h, "道路、河流与保护区域可弥合的最大间距:", "60");
    h.get_by_label("应用并重新检查").click();
    h.step();
    wait_until(&mut h, "the re-check", |a| {
        a.current_check().is_some() && !a.is_busy()
    });
    let check = h.state().current_check().unwrap();
    let z = check
        .analysis
        .zones
        .iter()
        .find(|z| z.id == "M001")
        .unwrap();
    assert_eq!(z.part_count, 4);
    let parts: Vec<_> = z.findings.iter().filter(|f| f.rule == "parts").collect();
    assert_eq!(parts.len(), 1);
    assert_eq!(parts[0].numbers["parts"], 4.0);
    assert_eq!(parts[0].numbers["max_parts"], 3.0);
    let saved =
        zonecheck::io::review::Review::parse(&std::fs::read_to_string(&review).unwrap(), &review)
            .unwrap();
    assert_eq!(saved.file.rules.max_parts, 3);
    assert_eq!(saved.file.rules.min_connection_width_m, 12.5);
    assert_eq!(saved.file.rules.max_bridged_gap_m, 60.0);
}

/// The area basis and the TBMJ tolerance in the settings window: the tolerance shows its
/// default 0.01, a negative one is refused naming it; the 面积口径 checkbox is ticked (the
/// ellipsoidal default: the sample's M001 reports its ellipsoidal area first in its conflict
/// message) and unticking it makes the review `area = "planar"`, saved and re-checked (the
/// message then gives the planar area alone).
#[test]
fn settings_choose_the_ellipsoidal_area_and_the_tbmj_tolerance() {
    let dir = sample_copy();
    let review: PathBuf = dir.path().join("review.toml");
    let mut h = open(&review);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Comma);
    settle(&mut h);
    assert_eq!(
        h.get_by_label("TBMJ 与椭球面积核对容差:")
            .value()
            .as_deref(),
        Some("0.01")
    );
    retype(&mut h, "TBMJ 与椭球面积核对容差:", "-1");
    h.get_by_label("应用并重新检查").click();
    settle(&mut h);
    h.get_by_label("TBMJ 与椭球面积核对容差: -1 不能为负数");
    retype(&mut h, "TBMJ 与椭球面积核对容差:", "0.02");
    let message = |h: &egui_kittest::Harness<'_, zonecheck::app::ZonecheckApp>| {
        let check = h.state().current_check().unwrap();
        let z = check
            .analysis
            .zones
            .iter()
            .find(|z| z.id == "M001")
            .unwrap();
        z.findings
            .iter()
            .find(|f| f.rule == "conflict.farmland")
            .unwrap()
            .message_zh
            .clone()
    };
    h.get_by_label("应用并重新检查").click();
    h.step();
    wait_until(&mut h, "the first re-check", |a| {
        a.current_check().is_some() && !a.is_busy()
    });
    let before = message(&h);
    assert!(before.contains("椭球面积；平面"), "{before}");
    if h.query_by_label("按 CGCS2000 椭球面积（否则按平面面积）")
        .is_none()
    {
        h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Comma);
        settle(&mut h);
    }
    h.get_by_label("按 CGCS2000 椭球面积（否则按平面面积）")
        .click();
    settle(&mut h);
    h.get_by_label("应用并重新检查").click();
    h.step();
    wait_until(&mut h, "the re-check", |a| {
        a.current_check().is_some() && !a.is_busy()
    });
    let saved =
        zonecheck::io::review::Review::parse(&std::fs::read_to_string(&review).unwrap(), &review)
            .unwrap();
    assert_eq!(
        saved.file.rules.area,
        zonecheck::model::settings::AreaBasis::Planar
    );
    assert_eq!(saved.file.rules.tbmj_tolerance, 0.02);
    let after = message(&h);
    assert!(
        !after.contains("椭球面积") && after.contains("亩（"),
        "{after}"
    );
}
