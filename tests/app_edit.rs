//! Plan editing in the app (kittest, no display): a fix from the 编辑 menu is one undoable edit,
//! the check runs again by itself, undo and redo (menu and Ctrl+Z / Ctrl+Shift+Z) bring the
//! findings back and away, and 保存 writes the edited plan as a new GBK shapefile beside the
//! zones layer that the saved review points at; reopened, the geometry and the Chinese names
//! are there and the zone has no conflict.
#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod app_support;

use app_support::{harness, sample_copy, settle, wait_until};
use egui_kittest::kittest::Queryable;
use egui_kittest::Harness;
use std::path::Path;
use zonecheck::app::commands::AppCommand;
use zonecheck::app::ZonecheckApp;
use zonecheck::decisions::FindingKey;

fn open(path: &Path) -> Harness<'static, ZonecheckApp> {
    let mut app = ZonecheckApp::new(None);
    app.open(path.to_path_buf());
    let mut h = harness(app);
    wait_until(&mut h, "the review to load", |a| {
        a.doc.is_some() && !a.is_busy()
    });
    h
}

fn check_done(h: &mut Harness<'static, ZonecheckApp>) {
    wait_until(h, "the check", |a| {
        a.current_check().is_some() && !a.is_busy()
    });
}

/// The rule ids of zone `zone`'s findings in the current check.
fn rules_of(app: &ZonecheckApp, zone: &str) -> Vec<String> {
    let check = app.current_check().unwrap();
    let z = check.analysis.zones.iter().find(|z| z.id == zone).unwrap();
    z.findings.iter().map(|f| f.rule.to_string()).collect()
}

fn conflicts(app: &ZonecheckApp, zone: &str) -> usize {
    rules_of(app, zone)
        .iter()
        .filter(|r| r.starts_with("conflict."))
        .count()
}

fn menu(h: &mut Harness<'static, ZonecheckApp>, item: &str) {
    h.get_by_label("编辑").click();
    settle(h);
    h.get_by_label(item).click();
    h.step();
}

#[test]
fn cut_protected_land_undo_redo_save_and_reopen() {
    let dir = sample_copy();
    let review = dir.path().join("review.toml");
    let mut h = open(&review);
    h.state_mut().pending.push(AppCommand::RunCheck);
    h.step();
    check_done(&mut h);
    // M001 occupies red line and farmland in the sample.
    let before = conflicts(h.state(), "M001");
    assert!(before >= 2, "{:?}", rules_of(h.state(), "M001"));
    let area_before = {
        let c = h.state().current_check().unwrap();
        c.analysis
            .zones
            .iter()
            .find(|z| z.id == "M001")
            .unwrap()
            .area_m2
    };

    // Nothing selected: the fix asks for a zone and changes nothing.
    menu(&mut h, "扣除所选开发区占用的保护用地");
    settle(&mut h);
    assert!(!h.state().doc.as_ref().unwrap().plan.can_undo());
    assert!(!h.state().messages.is_empty());

    // Select one of M001's findings, then cut.
    let key = FindingKey {
        zone: Some("M001".into()),
        rule: "conflict.redline".into(),
        about: None,
    };
    h.state_mut().pending.push(AppCommand::SelectFinding(key));
    h.step();
    menu(&mut h, "扣除所选开发区占用的保护用地");
    settle(&mut h);
    // The preview says what goes: the 30,000 m² of red line and 15,000 m² of farmland M001
    // occupies (45 + 22.5 亩), red on the map; nothing is applied yet.
    assert!(h
        .query_by_label_contains("30000.00 m²（45.00 亩）")
        .is_some());
    assert!(h
        .query_by_label_contains("15000.00 m²（22.50 亩）")
        .is_some());
    assert!(h
        .query_by_label_contains("45000.00 m²（67.50 亩）")
        .is_some());
    assert!(!h.state().doc.as_ref().unwrap().plan.can_undo());
    h.get_by_label("应用").click();
    h.step();
    check_done(&mut h);
    assert_eq!(
        conflicts(h.state(), "M001"),
        0,
        "{:?}",
        rules_of(h.state(), "M001")
    );
    let area_cut = {
        let c = h.state().current_check().unwrap();
        c.analysis
            .zones
            .iter()
            .find(|z| z.id == "M001")
            .unwrap()
            .area_m2
    };
    assert!(area_cut < area_before);
    assert!(h.state().doc.as_ref().unwrap().plan.is_dirty());

    // The comparison with the plan as loaded: M001 lost exactly the 45 000 m² of red line
    // (30 000) and farmland (15 000) it occupied, gained nothing, and occupies none now; M002
    // is unchanged.
    h.get_by_label("文件").click();
    settle(&mut h);
    h.get_by_label("导出方案修改对比表").click();
    h.step();
    settle(&mut h);
    let csv = std::fs::read_to_string(dir.path().join("merged_zones_changes.csv")).unwrap();
    let row = |zone: &str| -> Vec<String> {
        csv.lines()
            .find(|l| l.starts_with(&format!("{zone},")))
            .unwrap_or_else(|| panic!("{zone} in {csv}"))
            .split(',')
            .map(str::to_string)
            .collect()
    };
    let m001 = row("M001");
    let num = |r: &[String], i: usize| r[i].parse::<f64>().unwrap();
    assert_eq!(m001[1], "changed");
    assert!((num(&m001, 6) - 45_000.0).abs() < 0.01, "{m001:?}");
    assert_eq!(num(&m001, 4), 0.0);
    assert!((num(&m001, 8) - 45_000.0).abs() < 0.01, "{m001:?}");
    assert_eq!(num(&m001, 9), 0.0);
    assert_eq!(row("M002")[1], "same_area");

    // Undo from the menu: the conflicts are back, with the area as loaded.
    menu(&mut h, "撤销 Ctrl+Z");
    check_done(&mut h);
    assert_eq!(conflicts(h.state(), "M001"), before);
    let area = |h: &Harness<'static, ZonecheckApp>| {
        let c = h.state().current_check().unwrap();
        c.analysis
            .zones
            .iter()
            .find(|z| z.id == "M001")
            .unwrap()
            .area_m2
    };
    assert_eq!(area(&h), area_before);
    // Redo by keyboard.
    h.key_press_modifiers(
        egui::Modifiers::COMMAND | egui::Modifiers::SHIFT,
        egui::Key::Z,
    );
    h.step();
    check_done(&mut h);
    assert_eq!(conflicts(h.state(), "M001"), 0);
    // Undo by keyboard, redo again.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.step();
    check_done(&mut h);
    assert_eq!(conflicts(h.state(), "M001"), before);
    menu(&mut h, "重做 Ctrl+Shift+Z");
    check_done(&mut h);
    assert_eq!(conflicts(h.state(), "M001"), 0);

    // Save: the plan goes to merged_zones_edited.shp (GBK), the review points at it, the
    // original zones layer is untouched.
    let original = std::fs::read(dir.path().join("merged_zones.shp")).unwrap();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    h.step();
    settle(&mut h);
    let edited = dir.path().join("merged_zones_edited.shp");
    assert!(edited.exists(), "messages: {:?}", h.state().messages);
    assert_eq!(
        std::fs::read(dir.path().join("merged_zones_edited.cpg")).unwrap(),
        b"GBK"
    );
    assert_eq!(
        std::fs::read(dir.path().join("merged_zones.shp")).unwrap(),
        original
    );
    assert!(!h.state().doc.as_ref().unwrap().plan.is_dirty());
    let text = std::fs::read_to_string(&review).unwrap();
    assert!(text.contains("merged_zones_edited.shp"), "{text}");

    // 导出方案为 GeoJSON: the same plan beside it, in EPSG:4549 named by a `crs` member.
    h.get_by_label("文件").click();
    settle(&mut h);
    h.get_by_label("导出方案为 GeoJSON").click();
    h.step();
    settle(&mut h);
    let gj: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("merged_zones_edited.geojson")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        gj["crs"]["properties"]["name"],
        "urn:ogc:def:crs:EPSG::4549"
    );
    let n = h.state().doc.as_ref().unwrap().dataset.layers[0]
        .features
        .len();
    assert_eq!(gj["features"].as_array().unwrap().len(), n);
    assert!(gj["features"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["properties"]["MC"] == "萧山经济技术开发区"));

    // 导出方案为国土TXT: one parcel per zone beside it, GBK, header of EPSG:4549 (带号 40, Y
    // without the zone number); read back, M001 has its name and its cut area (to the mm
    // rounding of the coordinates).
    h.get_by_label("文件").click();
    settle(&mut h);
    h.get_by_label("导出方案为国土TXT").click();
    h.step();
    settle(&mut h);
    let txt = dir.path().join("merged_zones_edited.txt");
    let bytes = std::fs::read(&txt).unwrap();
    assert!(std::str::from_utf8(&bytes).is_err(), "GBK expected");
    let raw = zonecheck::load::read_raw(&txt).unwrap();
    assert_eq!(raw.crs.as_deref(), Some("EPSG:4549"));
    let zones = h.state().current_check().unwrap().analysis.zones.len();
    assert_eq!(raw.records.len(), zones);
    let m001 = raw
        .records
        .iter()
        .find(|r| r.attrs.get(2) == Some("M001"))
        .unwrap();
    assert_eq!(m001.attrs.get(3), Some("萧山经济技术开发区"));
    let geom = zonecheck::spatial::repair::build_geometry(&m001.shape).unwrap();
    let area = geo::Area::unsigned_area(&geom.geometry);
    assert!((area - area_cut).abs() < 1.0, "{area} vs {area_cut}");

    // Reopened: M001 has no conflict and keeps its Chinese name and cut area.
    let mut h = open(&review);
    h.state_mut().pending.push(AppCommand::RunCheck);
    h.step();
    check_done(&mut h);
    assert_eq!(conflicts(h.state(), "M001"), 0);
    let c = h.state().current_check().unwrap();
    let z = c.analysis.zones.iter().find(|z| z.id == "M001").unwrap();
    assert_eq!(z.name.as_deref(), Some("萧山经济技术开发区"));
    assert!(
        (z.area_m2 - area_cut).abs() < 1e-3,
        "{} vs {area_cut}",
        z.area_m2
    );
}

/// Index of the zones layer and of the first feature of zone `id` in it.
fn zone_feature(app: &ZonecheckApp, id: &str) -> (usize, usize) {
    let ds = &app.doc.as_ref().unwrap().dataset;
    let zi = ds
        .layers
        .iter()
        .position(|l| l.role == zonecheck::model::LayerRole::Zones)
        .unwrap();
    let layer = &ds.layers[zi];
    let col = layer.fields.iter().position(|f| f == "ID").unwrap();
    let fi = layer
        .features
        .iter()
        .position(|f| f.attrs.get(col) == Some(id))
        .unwrap();
    (zi, fi)
}

fn zone_name(app: &ZonecheckApp, id: &str) -> Option<String> {
    let check = app.current_check().unwrap();
    check
        .analysis
        .zones
        .iter()
        .find(|z| z.id == id)
        .and_then(|z| z.name.clone())
}

#[test]
fn edit_a_name_delete_a_part_and_cut_an_overlap_each_undoable() {
    use zonecheck::app::state::Picked;
    let dir = sample_copy();
    let mut h = open(&dir.path().join("review.toml"));
    h.state_mut().pending.push(AppCommand::RunCheck);
    h.step();
    check_done(&mut h);
    assert_eq!(
        zone_name(h.state(), "M004").as_deref(),
        Some("萧山瓜沥经济开发区")
    );

    // Pick M004's feature: its fields are text boxes; rename it.
    let (zi, fi) = zone_feature(h.state(), "M004");
    h.state_mut()
        .pending
        .push(AppCommand::SelectFeature(Picked {
            layer: zi,
            feature: fi,
        }));
    h.step();
    settle(&mut h);
    h.get_by_role_and_label(egui::accesskit::Role::TextInput, "MC")
        .click();
    settle(&mut h);
    h.key_combination_modifiers(egui::Modifiers::COMMAND, &[egui::Key::A]);
    h.get_by_role_and_label(egui::accesskit::Role::TextInput, "MC")
        .type_text("瓜沥园区");
    settle(&mut h);
    h.key_press(egui::Key::Enter);
    h.step();
    check_done(&mut h);
    assert_eq!(zone_name(h.state(), "M004").as_deref(), Some("瓜沥园区"));
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.step();
    check_done(&mut h);
    assert_eq!(
        zone_name(h.state(), "M004").as_deref(),
        Some("萧山瓜沥经济开发区")
    );
    // The properties panel shows the name as undone, not as typed.
    settle(&mut h);
    assert_eq!(
        h.get_by_role_and_label(egui::accesskit::Role::TextInput, "MC")
            .value()
            .as_deref(),
        Some("萧山瓜沥经济开发区")
    );

    // Typing a member the original layer lacks is said under the field at once.
    h.get_by_role_and_label(egui::accesskit::Role::TextInput, "MEMBERS")
        .click();
    settle(&mut h);
    h.key_combination_modifiers(egui::Modifiers::COMMAND, &[egui::Key::A]);
    h.get_by_role_and_label(egui::accesskit::Role::TextInput, "MEMBERS")
        .type_text("Y09,Y99");
    settle(&mut h);
    h.get_by_label("⚠ 原开发区图层中没有: Y99");
    // Typed back as it was: leaving the box changes nothing (no edit, no hint).
    h.key_combination_modifiers(egui::Modifiers::COMMAND, &[egui::Key::A]);
    h.get_by_role_and_label(egui::accesskit::Role::TextInput, "MEMBERS")
        .type_text("Y09,Y10");
    settle(&mut h);
    assert!(h.query_by_label("⚠ 原开发区图层中没有: Y99").is_none());
    h.key_press(egui::Key::Enter);
    settle(&mut h);
    // No edit was made: the undone rename can still be redone.
    assert!(h.state().doc.as_ref().unwrap().plan.can_redo());

    // Delete one of M001's features: one feature fewer, undo brings it back.
    let features = |h: &Harness<'static, ZonecheckApp>| {
        h.state().doc.as_ref().unwrap().dataset.layers[zi]
            .features
            .len()
    };
    let n = features(&h);
    let (_, f1) = zone_feature(h.state(), "M001");
    h.state_mut()
        .pending
        .push(AppCommand::SelectFeature(Picked {
            layer: zi,
            feature: f1,
        }));
    h.step();
    settle(&mut h);
    h.get_by_label("删除要素").click();
    h.step();
    check_done(&mut h);
    assert_eq!(features(&h), n - 1);
    menu(&mut h, "撤销 Ctrl+Z");
    check_done(&mut h);
    assert_eq!(features(&h), n);

    // M001 and M002 overlap (22.50 亩 in the sample): cutting M002 out of M001 ends it.
    let overlaps = |h: &Harness<'static, ZonecheckApp>| {
        rules_of(h.state(), "M001")
            .iter()
            .filter(|r| *r == "zone_overlap")
            .count()
    };
    assert_eq!(overlaps(&h), 1);
    let key = FindingKey {
        zone: Some("M001".into()),
        rule: "zone_overlap".into(),
        about: Some("M002".into()),
    };
    h.state_mut().pending.push(AppCommand::SelectFinding(key));
    h.step();
    menu(&mut h, "扣除所选开发区与其他开发区的重叠");
    settle(&mut h);
    h.get_by_label("应用").click();
    h.step();
    check_done(&mut h);
    assert_eq!(overlaps(&h), 0, "{:?}", rules_of(h.state(), "M001"));
    assert!(!rules_of(h.state(), "M002")
        .iter()
        .any(|r| r == "zone_overlap"));
    menu(&mut h, "撤销 Ctrl+Z");
    check_done(&mut h);
    assert_eq!(overlaps(&h), 1);
}

#[test]
fn a_new_zone_from_original_zones_in_the_app() {
    // Y07 and Y08 (7,100,000 m² together: GEOS unary_union of the sample's polygons) become a
    // new zone M006 (the sample has M001–M005) with both as members and the only plaque the
    // table knows (省级开发区; Y08's 镇级工业功能区 is not in the table).
    let dir = sample_copy();
    let mut h = open(&dir.path().join("review.toml"));
    h.state_mut().pending.push(AppCommand::RunCheck);
    h.step();
    check_done(&mut h);
    menu(&mut h, "由原开发区新建整合开发区…");
    settle(&mut h);
    // The next free id is proposed.
    assert_eq!(
        h.get_by_role_and_label(egui::accesskit::Role::TextInput, "新开发区编号")
            .value()
            .as_deref(),
        Some("M006")
    );
    let name = "名称（空：取第一个成员的名称）";
    h.get_by_role_and_label(egui::accesskit::Role::TextInput, name)
        .click();
    settle(&mut h);
    h.get_by_role_and_label(egui::accesskit::Role::TextInput, name)
        .type_text("湘南河上产业园");
    settle(&mut h);
    h.get_by_label("Y07 杭州湘南科技园（省级开发区）").click();
    h.get_by_label("Y08 萧山河上工业功能区（镇级工业功能区）")
        .click();
    settle(&mut h);
    h.get_by_label("创建").click();
    h.step();
    check_done(&mut h);
    let check = h.state().current_check().unwrap();
    let z = check
        .analysis
        .zones
        .iter()
        .find(|z| z.id == "M006")
        .unwrap();
    assert_eq!(z.name.as_deref(), Some("湘南河上产业园"));
    assert_eq!(z.members, ["Y07", "Y08"]);
    assert_eq!(z.level.as_deref(), Some("省级开发区"));
    // City and county from the townships under it (every township there is 杭州市 萧山区).
    assert_eq!(z.city.as_deref(), Some("杭州市"));
    assert_eq!(z.county.as_deref(), Some("萧山区"));
    assert!(
        (z.area_m2 - 7_100_000.0).abs() < 1e-6 * 7_100_000.0,
        "{}",
        z.area_m2
    );
    // One undo removes it.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.step();
    check_done(&mut h);
    let check = h.state().current_check().unwrap();
    assert!(!check.analysis.zones.iter().any(|z| z.id == "M006"));
}
