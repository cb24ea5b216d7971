//! What reviewers hit in the app (issue 8, item 12), driven through egui_kittest at the smallest
//! supported window, 1024 × 700: attribute table columns, hover and copy; panels that leave the
//! findings and the map alone; the status bar; zone labels; a conflict finding's patches; a
//! clusters finding's gap; the legend's layer names.
//!
//! Expected values come from the sample's README (built to exact sizes) and from the sample's
//! `.dbf` files read with Python (GBK), not from zonecheck.
#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use egui::{Pos2, Rect};
use egui_kittest::kittest::Queryable as _;
use egui_kittest::Harness;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use zonecheck::app::commands::AppCommand;
use zonecheck::app::state::Picked;
use zonecheck::app::ZonecheckApp;

type H = Harness<'static, ZonecheckApp>;

fn sample_review() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_maps/review.toml")
}

fn harness(app: ZonecheckApp, w: f32, h: f32) -> H {
    Harness::builder()
        .with_size(egui::vec2(w, h))
        .build_ui_state(|ui, app: &mut ZonecheckApp| app.ui(ui), app)
}

fn settle(h: &mut H) {
    let _ = h.try_run();
}

fn wait_until(h: &mut H, what: &str, cond: impl Fn(&ZonecheckApp) -> bool) {
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

fn open_at(w: f32, hgt: f32) -> H {
    let mut app = ZonecheckApp::new(None);
    app.open(sample_review());
    let mut h = harness(app, w, hgt);
    wait_until(&mut h, "the review to load", |a| {
        a.doc.is_some() && !a.is_busy()
    });
    h
}

fn check(h: &mut H) {
    h.state_mut().pending.push(AppCommand::RunCheck);
    h.step();
    wait_until(h, "the check", |a| {
        a.current_check().is_some() && !a.is_busy()
    });
}

/// Selects the finding of `rule` of zone `zone`.
fn select_finding(h: &mut H, zone: &str, rule: &str) {
    let key = {
        let check = h.state().current_check().unwrap();
        check
            .order
            .iter()
            .find(|p| {
                p.zone.is_some_and(|z| check.analysis.zones[z].id == zone)
                    && check.finding(p).unwrap().rule == rule
            })
            .unwrap_or_else(|| panic!("no {rule} finding of {zone}"))
            .key
            .clone()
    };
    h.state_mut().pending.push(AppCommand::SelectFinding(key));
    settle(h);
}

/// Every text painted last frame, with the rectangle it covers.
fn painted_texts(h: &H) -> Vec<(String, Rect)> {
    fn walk(shape: &egui::Shape, out: &mut Vec<(String, Rect)>) {
        match shape {
            egui::Shape::Text(t) => {
                out.push((t.galley.text().to_string(), t.visual_bounding_rect()))
            }
            egui::Shape::Vec(v) => v.iter().for_each(|s| walk(s, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for s in &h.output().shapes {
        walk(&s.shape, &mut out);
    }
    out
}

fn copied(h: &H) -> Vec<String> {
    h.output()
        .platform_output
        .commands
        .iter()
        .filter_map(|c| match c {
            egui::OutputCommand::CopyText(t) => Some(t.clone()),
            _ => None,
        })
        .collect()
}

fn drag(h: &mut H, from: Pos2, to: Pos2) {
    h.event(egui::Event::PointerMoved(from));
    h.event(egui::Event::PointerButton {
        pos: from,
        button: egui::PointerButton::Primary,
        pressed: true,
        modifiers: Default::default(),
    });
    h.step();
    for i in 1..=4 {
        let t = i as f32 / 4.0;
        h.event(egui::Event::PointerMoved(from + (to - from) * t));
        h.step();
    }
    h.event(egui::Event::PointerButton {
        pos: to,
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers: Default::default(),
    });
    settle(h);
}

#[test]
fn attribute_table_columns_resize_show_full_text_and_copy() {
    let mut h = open_at(1024.0, 700.0);
    h.state_mut()
        .pending
        .push(AppCommand::OpenTable("farmland".into()));
    settle(&mut h);
    // Column 1 is BSM (the farmland .dbf's first field).
    let width = |h: &H, col: usize| h.state().view.table.as_ref().unwrap().width(col).unwrap();
    let before = width(&h, 1);
    let handle = h.get_by_label("调整列宽: BSM").rect().center();
    // Narrower by 60 points: the column follows the drag exactly.
    drag(&mut h, handle, handle - egui::vec2(60.0, 0.0));
    let after = width(&h, 1);
    assert!(
        (after - (before - 60.0)).abs() < 0.5,
        "BSM width {before} → {after}, dragged by −60"
    );
    // Sorting keeps the width the user set.
    h.get_by_label("DLBM").click();
    settle(&mut h);
    h.get_by_label("DLBM ▲");
    assert_eq!(width(&h, 1), after);
    h.get_by_label("DLBM ▲").click();
    settle(&mut h);
    // Back to record order: record 0 is the hand-placed patch 33010900000001 (0101 水田,
    // TBMJ 10000.00, 330109009, 三围村 in farmland.dbf).
    h.get_by_label("DLBM ▼").click();
    settle(&mut h);
    h.get_by_label("记录号").click();
    settle(&mut h);
    let bsm = "33010900000001";
    // The narrowed column truncates the id; hovering shows it whole in a tooltip.
    assert_eq!(h.get_all_by_label(bsm).count(), 1);
    h.get_by_label(bsm).hover();
    for _ in 0..60 {
        h.step();
    }
    settle(&mut h);
    assert!(
        h.get_all_by_label(bsm).count() >= 2,
        "no tooltip with the full text"
    );
    // The tooltip goes with the pointer.
    h.hover_at(Pos2::new(500.0, 100.0));
    settle(&mut h);
    assert_eq!(h.get_all_by_label(bsm).count(), 1);
    // Right-click → 复制: the cell's text on the clipboard.
    h.get_by_label(bsm).click_secondary();
    settle(&mut h);
    h.get_by_label("复制").click();
    h.step();
    assert_eq!(copied(&h), [bsm]);
    settle(&mut h);
    // Select the row, Ctrl+C: the whole row, tab-separated (record number first).
    h.get_by_label(bsm).click();
    settle(&mut h);
    assert_eq!(
        h.state().view.picked.map(|p| p.feature),
        Some(0),
        "the row was not selected"
    );
    // Ctrl+C reaches egui as a Copy event from the window system (eframe/winit) or as the key
    // itself (one event per frame here: the harness keeps only the last frame's output).
    let row = "0\t33010900000001\t0101\t水田\t10000.00\t330109009\t三围村";
    h.event(egui::Event::Copy);
    h.step();
    assert_eq!(copied(&h), [row]);
    settle(&mut h);
    h.event(egui::Event::Key {
        key: egui::Key::C,
        physical_key: None,
        pressed: true,
        repeat: false,
        modifiers: egui::Modifiers::COMMAND,
    });
    h.step();
    assert_eq!(
        copied(&h),
        ["0\t33010900000001\t0101\t水田\t10000.00\t330109009\t三围村"]
    );
}

#[test]
fn at_1024_by_700_panels_leave_the_findings_and_the_map_alone() {
    let mut h = open_at(1024.0, 700.0);
    check(&mut h);
    // A zone identified (properties panel filled) and the attribute table open.
    h.state_mut()
        .pending
        .push(AppCommand::SelectFeature(Picked {
            layer: 0,
            feature: 0,
        }));
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::T);
    settle(&mut h);
    let app = h.state();
    let p = app.view.panel_rects;
    let (findings, layers, table, attrs) = (
        p.findings.unwrap(),
        p.layers.unwrap(),
        p.table.expect("table shown"),
        p.attributes.expect("properties shown"),
    );
    let map = app.view.map_rect.unwrap();
    // The findings panel keeps the full height beside the table and the properties.
    assert!(findings.top() <= table.top() && findings.bottom() >= attrs.bottom());
    assert!(findings.height() > 500.0, "findings {findings:?}");
    for (name, r) in [("table", table), ("properties", attrs)] {
        assert!(
            !r.intersects(findings.shrink(1.0)) && !r.intersects(layers.shrink(1.0)),
            "{name} {r:?} meets findings {findings:?} or layers {layers:?}"
        );
        assert!(
            !r.intersects(map.shrink(1.0)),
            "{name} {r:?} over the map {map:?}"
        );
    }
    assert!(!table.intersects(attrs.shrink(1.0)));
    // The map keeps at least the minimum area.
    let min = zonecheck::app::MIN_MAP;
    assert!(
        map.width() >= min.x - 1.0 && map.height() >= min.y - 1.0,
        "map {map:?} smaller than {min:?}"
    );
    // The window's width is shared without overflow.
    assert!(layers.right() <= map.left() + 1.0 && map.right() <= findings.left() + 1.0);
    assert!(findings.right() <= 1024.5);

    // Status bar: the check summary and the review file side by side, not overlapping, both
    // inside the window.
    let status = app.status.text(app.lang());
    let path = app.doc.as_ref().unwrap().review.path.display().to_string();
    let s = h.get_by_label(&status).rect();
    let f = h.get_by_label(&path).rect();
    assert!(
        !s.intersects(f),
        "status {s:?} overlaps the file name {f:?}"
    );
    assert!(s.right() <= 1024.5 && f.right() <= 1024.5 && s.left() >= 0.0);
}

#[test]
fn properties_panel_is_as_tall_as_its_fields() {
    let mut h = open_at(1500.0, 950.0);
    let empty = h.state().view.panel_rects.attributes.unwrap();
    h.state_mut()
        .pending
        .push(AppCommand::SelectFeature(Picked {
            layer: 0,
            feature: 0,
        }));
    settle(&mut h);
    let full = h.state().view.panel_rects.attributes.unwrap();
    assert!(empty.height() < 80.0, "empty properties {empty:?}");
    // The zones layer has 10 fields (ID … ENCLAVE, MJSS, MJZJZ): the last one is shown inside
    // the panel.
    let last = h.get_by_label("MJZJZ").rect();
    assert!(full.contains_rect(last), "MJZJZ {last:?} outside {full:?}");
    assert!(full.height() > empty.height() + 10.0 * 14.0);
    // Sized to the content: no more than two rows of slack below the last field.
    assert!(
        full.bottom() - last.bottom() < 2.0 * 24.0,
        "{} points below the last row",
        full.bottom() - last.bottom()
    );
}

#[test]
fn every_zone_is_labelled_at_overview_without_overlap() {
    let h = open_at(1024.0, 700.0);
    let map = h.state().view.map_rect.unwrap();
    let labels: Vec<(String, Rect)> = painted_texts(&h)
        .into_iter()
        .filter(|(t, r)| t.starts_with('M') && map.contains_rect(*r))
        .collect();
    // The sample has 4 zones, M001–M004 (README).
    for id in ["M001", "M002", "M003", "M004"] {
        assert_eq!(
            labels.iter().filter(|(t, _)| t.starts_with(id)).count(),
            1,
            "{id} in {labels:?}"
        );
    }
    for (i, (a, ra)) in labels.iter().enumerate() {
        for (b, rb) in &labels[i + 1..] {
            assert!(!ra.intersects(*rb), "{a} {ra:?} overlaps {b} {rb:?}");
        }
    }
}

#[test]
fn conflict_finding_lists_its_patches_and_a_click_zooms_to_one() {
    let mut h = open_at(1024.0, 700.0);
    check(&mut h);
    select_finding(&mut h, "M001", "conflict.farmland");
    // README: patches 01 (E 511 000–511 100) and 02 (E 511 050–511 150), N 3 349 000–3 349 100,
    // both wholly inside M001: 100 m × 100 m = 10 000 m² = 15 亩 each. DLBM of both is 0101
    // (farmland.dbf).
    h.get_by_label("DLBM");
    h.get_by_label("面积 (m²)");
    h.get_by_label("面积 (亩)");
    h.get_by_label("33010900000001");
    h.get_by_label("33010900000002");
    assert_eq!(h.get_all_by_label("0101").count(), 2);
    assert_eq!(h.get_all_by_label("10000.00").count(), 2);
    assert_eq!(h.get_all_by_label("15.00").count(), 2);
    h.get_by_label("33010900000002").click();
    settle(&mut h);
    let app = h.state();
    let picked = app.view.picked.expect("the patch is selected");
    let doc = app.doc.as_ref().unwrap();
    let layer = &doc.dataset.layers[picked.layer];
    assert_eq!(layer.name, "farmland");
    assert_eq!(
        layer.features[picked.feature].attrs.get(0),
        Some("33010900000002")
    );
    // The camera is centred on the patch: E 511 050–511 150, N 3 349 000–3 349 100.
    let [cx, cy] = app.view.camera.center;
    assert!((cx - 511_100.0).abs() < 1.0 && (cy - 3_349_050.0).abs() < 1.0);
}

#[test]
fn clusters_finding_draws_the_gap_with_its_length() {
    let mut h = open_at(1024.0, 700.0);
    check(&mut h);
    // README: M001's clusters A and B are nearest at the corners (510 000, 3 350 200) and
    // (509 520, 3 350 840): 480 m by 640 m, so 800 m.
    let (a, b) = {
        let check = h.state().current_check().unwrap();
        let z = check
            .analysis
            .zones
            .iter()
            .find(|z| z.id == "M001")
            .unwrap();
        assert_eq!(z.cluster_gap_lines.len(), 1);
        let [p, q] = z.cluster_gap_lines[0];
        ((p.x, p.y), (q.x, q.y))
    };
    let mut ends = [a, b];
    ends.sort_by(|x, y| x.0.total_cmp(&y.0));
    assert_eq!(ends, [(509_520.0, 3_350_840.0), (510_000.0, 3_350_200.0)]);
    select_finding(&mut h, "M001", "clusters");
    h.get_by_label("组团间距（地图上以虚线标出）: 800.0 m");
    let app = h.state();
    let map = app.view.map_rect.unwrap();
    let cam = app.view.camera;
    let mid = cam.ui_from_map(
        geo::Coord {
            x: (a.0 + b.0) / 2.0,
            y: (a.1 + b.1) / 2.0,
        },
        map,
    );
    let label = painted_texts(&h)
        .into_iter()
        .find(|(t, _)| t == "800.0 m")
        .expect("the gap's length on the map");
    assert!(
        label.1.center().distance(mid) < 2.0,
        "length label at {:?}, gap middle at {mid:?}",
        label.1.center()
    );
}

#[test]
fn legend_names_each_layer() {
    let h = open_at(1024.0, 700.0);
    for name in [
        "蓝绿空间 (bluegreen)",
        "永久基本农田 (farmland)",
        "整合后开发区 (merged_zones)",
        "饮用水水源保护区 (water)",
        "一级保护区",
        "准保护区",
    ] {
        h.get_by_label(name);
    }
    // The extra layer is no longer only its role's name.
    assert!(h.query_by_label("其他保护区域").is_none());
}

#[test]
fn the_legend_stays_in_view_whatever_the_window_size() {
    // The layer list scrolls; the working CRS and the legend keep the bottom of the panel, so
    // every legend entry is inside the window at a laptop size and at the smallest size.
    for (w, hgt) in [(1400.0, 900.0), (1024.0, 700.0)] {
        let h = open_at(w, hgt);
        for name in [
            "图例",
            "整合后开发区 (merged_zones)",
            "乡镇/街道 (townships)",
        ] {
            let r = h.get_by_label(name).rect();
            assert!(
                r.min.y >= 0.0 && r.max.y <= hgt && r.max.x <= w,
                "{name} at {r:?} in a {w}×{hgt} window"
            );
        }
    }
}
