//! The planner's whole job on the sample, in the app (kittest, no display): the failing plan
//! (three zones with blocking findings, a county over its quota, an original in two zones)
//! becomes one without a single blocking finding, by clicks on the map, the 编辑 menu and the
//! properties panel only; it is saved as a GBK shapefile and as GeoJSON, and `zonecheck check`
//! on each saved plan finds no conflict and nothing blocking.
//!
//! The steps, as a planner would take them:
//! 1. M001, M002 and M003 occupy red line, farmland, water-source land and a nature reserve:
//!    编辑 → 扣除所选开发区占用的保护用地 on each.
//! 2. M001's second group of parts lies 800 m from the first (two clusters, one allowed): its
//!    feature is deleted.
//! 3. M005 sits on Y13, an original marked 淘汰撤销: the zone is deleted.
//! 4. 萧山区 still has three zones (M001, M002, M004; at most two): M002, which overlaps M001
//!    and shares its member Y05 with it, joins M001 (its ID and name become M001's).
//! 5. M001 now holds Y03, a national high-tech zone: its designations become
//!    国家级经济技术开发区、国家级高新技术产业开发区 (保持原有国家级牌子不变).
#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod app_support;

use app_support::{harness, sample_copy, settle, wait_until};
use egui::{Key, Modifiers};
use egui_kittest::kittest::Queryable;
use egui_kittest::Harness;
use geo::{BoundingRect, Coord, InteriorPoint};
use std::path::Path;
use zonecheck::analysis::Severity;
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

/// Every blocking finding of the current check, as `zone rule` (the plan's as `plan rule`).
fn blocking(app: &ZonecheckApp) -> Vec<String> {
    let a = &app.current_check().unwrap().analysis;
    let mut out: Vec<String> = a
        .zones
        .iter()
        .flat_map(|z| {
            z.findings
                .iter()
                .filter(|f| f.severity == Severity::Blocking)
                .map(move |f| format!("{} {}", z.id, f.rule))
        })
        .collect();
    out.extend(
        a.plan
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Blocking)
            .map(|f| format!("plan {}", f.rule)),
    );
    out
}

/// The zones-layer features of zone `id`, by position.
fn features_of(app: &ZonecheckApp, id: &str) -> Vec<(usize, geo::MultiPolygon<f64>)> {
    let doc = app.doc.as_ref().unwrap();
    let plan = doc
        .dataset
        .layer(zonecheck::model::LayerRole::Zones)
        .unwrap();
    let col = plan.field_index("ID").unwrap();
    plan.features
        .iter()
        .enumerate()
        .filter(|(_, f)| f.attrs.get(col) == Some(id))
        .map(|(i, f)| (i, f.geometry.clone()))
        .collect()
}

/// Clicks zone feature `(fi, g)` on the map with the vertex tool, after fitting the map to it.
fn select_on_map(h: &mut Harness<'static, ZonecheckApp>, fi: usize, g: &geo::MultiPolygon<f64>) {
    if h.state().view.tool != zonecheck::app::state::Tool::Vertex {
        h.key_press(Key::V);
        h.step();
    }
    // No finding selected: the fixes then act on the zone picked on the map.
    h.state_mut().view.selected_finding = None;
    let b = g.bounding_rect().unwrap();
    let grow = (b.width().max(b.height())) * 0.3;
    let rect = h.state().view.map_rect.unwrap();
    h.state_mut().view.camera.fit(
        geo::Rect::new(
            Coord {
                x: b.min().x - grow,
                y: b.min().y - grow,
            },
            Coord {
                x: b.max().x + grow,
                y: b.max().y + grow,
            },
        ),
        rect,
        0.0,
    );
    h.step();
    let inside = g.interior_point().unwrap().0;
    let app = h.state();
    let p = app
        .view
        .camera
        .ui_from_map(inside, app.view.map_rect.unwrap());
    h.hover_at(p);
    h.step();
    h.drag_at(p);
    h.step();
    h.drop_at(p);
    h.step();
    settle(h);
    assert_eq!(
        h.state().view.picked.map(|p| p.feature),
        Some(fi),
        "the click picks the feature"
    );
}

fn menu(h: &mut Harness<'static, ZonecheckApp>, item: &str) {
    h.get_by_label("编辑").click();
    settle(h);
    h.get_by_label(item).click();
    h.step();
}

/// Sets attribute `field` of the picked feature in the properties panel.
fn set_attribute(h: &mut Harness<'static, ZonecheckApp>, field: &str, value: &str) {
    h.get_by_role_and_label(egui::accesskit::Role::TextInput, field)
        .click();
    settle(h);
    h.key_combination_modifiers(Modifiers::COMMAND, &[Key::A]);
    h.get_by_role_and_label(egui::accesskit::Role::TextInput, field)
        .type_text(value);
    settle(h);
    h.key_press(Key::Enter);
    h.step();
    check_done(h);
}

/// Runs `zonecheck check` on `review` and returns the report.
fn check_with_the_binary(review: &Path, out: &Path) -> serde_json::Value {
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_zonecheck"))
        .arg("check")
        .arg(review)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    let report = out.join("report.json");
    assert!(
        report.exists(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    serde_json::from_slice(&std::fs::read(report).unwrap()).unwrap()
}

/// The rules of every conflict or blocking finding in a report.
fn conflicts_and_blocking(report: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    for z in report["zones"].as_array().unwrap() {
        for f in z["findings"].as_array().unwrap() {
            let rule = f["rule"].as_str().unwrap();
            if rule.starts_with("conflict.") || f["severity"] == "blocking" {
                out.push(format!("{} {rule}", z["id"].as_str().unwrap()));
            }
        }
    }
    for f in report["plan"]["findings"].as_array().unwrap() {
        if f["severity"] == "blocking" {
            out.push(format!("plan {}", f["rule"].as_str().unwrap()));
        }
    }
    out
}

#[test]
fn the_sample_plan_is_made_to_pass_entirely_in_the_app() {
    let dir = sample_copy();
    let review = dir.path().join("review.toml");
    let mut h = open(&review);
    let mut before = blocking(h.state());
    before.sort();
    assert_eq!(
        before,
        [
            "M001 clusters",
            "M001 conflict.farmland",
            "M001 conflict.redline",
            "M001 zone_overlap",
            "M002 conflict.water",
            "M002 designation.dropped",
            "M002 zone_overlap",
            "M003 conflict.自然保护地",
            "plan original.duplicate",
            "plan quota.county",
        ]
    );

    // 1. Cut the protected land out of M001, M002 and M003.
    for id in ["M001", "M002", "M003"] {
        let (fi, g) = features_of(h.state(), id).remove(0);
        select_on_map(&mut h, fi, &g);
        menu(&mut h, "扣除所选开发区占用的保护用地");
        settle(&mut h);
        h.get_by_label("应用").click();
        h.step();
        check_done(&mut h);
    }
    let left = blocking(h.state());
    assert!(!left.iter().any(|b| b.contains("conflict.")), "{left:?}");

    // 2. M001's second group (its feature in the north-west, 800 m away) goes.
    let (fi, g) = features_of(h.state(), "M001")
        .into_iter()
        .find(|(_, g)| g.bounding_rect().unwrap().min().x < 509_000.0)
        .unwrap();
    select_on_map(&mut h, fi, &g);
    h.get_by_label("删除要素").click();
    h.step();
    check_done(&mut h);

    // 3. M005 (on the eliminated Y13) goes.
    let (fi, g) = features_of(h.state(), "M005").remove(0);
    select_on_map(&mut h, fi, &g);
    h.get_by_label("删除要素").click();
    h.step();
    check_done(&mut h);
    assert!(features_of(h.state(), "M005").is_empty());

    // 4. M002 joins M001.
    let (fi, g) = features_of(h.state(), "M002").remove(0);
    select_on_map(&mut h, fi, &g);
    set_attribute(&mut h, "ID", "M001");
    assert!(features_of(h.state(), "M002").is_empty());
    // One id with two names is ambiguous (blocking) until the name follows.
    assert!(blocking(h.state()).contains(&"plan input.ambiguous_id".to_string()));
    set_attribute(&mut h, "MC", "萧山经济技术开发区");

    // 5. M001 keeps both national designations of its members.
    let (fi, g) = features_of(h.state(), "M001").remove(0);
    select_on_map(&mut h, fi, &g);
    set_attribute(
        &mut h,
        "LEVEL",
        "国家级经济技术开发区、国家级高新技术产业开发区",
    );

    // Nothing blocks any more: every zone passes, the plan has no blocking finding.
    assert_eq!(blocking(h.state()), Vec::<String>::new());
    let a = &h.state().current_check().unwrap().analysis;
    assert!(a.zones.iter().all(|z| z.pass));
    let ids: Vec<&str> = a.zones.iter().map(|z| z.id.as_str()).collect();
    assert_eq!(ids, ["M001", "M003", "M004"]);

    // Saved (Ctrl+S) as a GBK shapefile beside the sample, and through 保存方案为 as GeoJSON.
    h.key_press_modifiers(Modifiers::COMMAND, Key::S);
    h.step();
    settle(&mut h);
    // The history survives the save: every step can still be undone.
    assert!(h.state().doc.as_ref().unwrap().plan.can_undo());
    assert!(!h.state().doc.as_ref().unwrap().plan.is_dirty());
    let shp = dir.path().join("merged_zones_edited.shp");
    assert!(
        shp.exists(),
        "{:?} {:?} {:?}",
        h.state().messages,
        h.state().status,
        std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect::<Vec<_>>()
    );
    assert_eq!(
        std::fs::read(dir.path().join("merged_zones_edited.cpg")).unwrap(),
        b"GBK"
    );
    let shp_review = dir.path().join("review_shp.toml");
    std::fs::copy(&review, &shp_review).unwrap();

    h.get_by_label("文件").click();
    settle(&mut h);
    h.get_by_label("保存方案为… Ctrl+Alt+S").click();
    h.step();
    settle(&mut h);
    h.get_by_label("GeoJSON (.geojson)").click();
    settle(&mut h);
    // A new name beside the layer (merged_zones_edited.shp is taken by the save above).
    let geojson = std::path::PathBuf::from(
        h.get_by_role_and_label(egui::accesskit::Role::TextInput, "保存位置")
            .value()
            .unwrap(),
    );
    assert_eq!(geojson, dir.path().join("merged_zones_edited_2.geojson"));
    h.get_by_label("保存方案").click();
    h.step();
    settle(&mut h);
    assert!(geojson.exists(), "{:?}", h.state().messages);
    let text = std::fs::read_to_string(&review).unwrap();
    assert!(text.contains("merged_zones_edited_2.geojson"), "{text}");

    // `zonecheck check` on each saved plan: no conflict, nothing blocking, the same zones.
    for (r, out) in [(&shp_review, "out_shp"), (&review, "out_geojson")] {
        let report = check_with_the_binary(r, &dir.path().join(out));
        assert_eq!(
            conflicts_and_blocking(&report),
            Vec::<String>::new(),
            "{}",
            r.display()
        );
        let ids: Vec<&str> = report["zones"]
            .as_array()
            .unwrap()
            .iter()
            .map(|z| z["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["M001", "M003", "M004"]);
        // The Chinese names and designations came back.
        let m001 = &report["zones"][0];
        assert_eq!(m001["name"], "萧山经济技术开发区");
        assert_eq!(
            m001["level"],
            "国家级经济技术开发区、国家级高新技术产业开发区"
        );
    }

    // Reopened in the app: the same, with nothing blocking.
    let h = open(&review);
    assert_eq!(blocking(h.state()), Vec::<String>::new());
}
