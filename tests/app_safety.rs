//! No lost work in the app (egui_kittest): the unsaved-changes prompt before new, open, quit and
//! window close; the recovery file written on a decision and offered back after a "crash" (the
//! app dropped without saving); and every CJK ideograph of the BMP drawn with the embedded fonts
//! (kittest panics on a missing glyph). The real file dialogs and the panic hook are tested
//! through the binary under Xvfb in tests/dialogs.rs.
#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use egui_kittest::kittest::Queryable as _;
use egui_kittest::Harness;
use std::path::{Path, PathBuf};

use zonecheck::app::commands::AppCommand;
use zonecheck::app::decisions::{Decision, FindingKey, Status};
use zonecheck::app::ZonecheckApp;

mod app_support;
use app_support::{harness, sample_copy, settle, wait_until};

/// An app on `review` (recovery files in `recovery`, when given), loaded and checked.
fn open_checked(review: &Path, recovery: Option<&Path>) -> Harness<'static, ZonecheckApp> {
    let mut app = ZonecheckApp::new(None);
    app.recovery_dir = recovery.map(Path::to_path_buf);
    app.open(review.to_path_buf());
    let mut h = harness(app);
    wait_until(&mut h, "the review to load", |a| {
        a.doc.is_some() && !a.is_busy()
    });
    h.state_mut().pending.push(AppCommand::RunCheck);
    h.step();
    wait_until(&mut h, "the check", |a| {
        a.current_check().is_some() && !a.is_busy()
    });
    h
}

/// Records a decision on the first finding; returns its key.
fn decide(h: &mut Harness<'static, ZonecheckApp>, reason: &str) -> FindingKey {
    let key = h.state().current_check().unwrap().order[0].key.clone();
    h.state_mut().pending.push(AppCommand::SetDecision(
        key.clone(),
        Decision {
            status: Status::Accepted,
            reason: reason.into(),
            comment: String::new(),
            evidence: None,
        },
    ));
    settle(h);
    assert!(h.state().doc.as_ref().unwrap().dirty);
    key
}

fn viewport_commands(h: &Harness<'static, ZonecheckApp>) -> Vec<egui::ViewportCommand> {
    h.output()
        .viewport_output
        .get(&egui::ViewportId::ROOT)
        .map(|v| v.commands.clone())
        .unwrap_or_default()
}

/// Clicks the button `label` of a centred window (the prompt, the recovery offer): the lowest
/// of the buttons so labelled (the toolbar has its own 保存 at the top).
fn click_in_window(h: &Harness<'static, ZonecheckApp>, label: &str) {
    h.get_all_by_label(label)
        .max_by(|a, b| a.rect().min.y.total_cmp(&b.rect().min.y))
        .unwrap_or_else(|| panic!("no {label} button"))
        .click();
}

fn review_path(h: &Harness<'static, ZonecheckApp>) -> PathBuf {
    h.state().doc.as_ref().unwrap().review.path.clone()
}

#[test]
fn unsaved_decisions_prompt_before_new_open_and_quit() {
    let dir = sample_copy();
    let review = dir.path().join("review.toml");
    let mut h = open_checked(&review, None);
    let key = decide(&mut h, "已核实");

    // 新建空白审查 and 打开 (a recent file, and the open dialog) wait for the prompt; 取消 stays.
    let other = dir.path().join("other.toml");
    std::fs::copy(&review, &other).unwrap();
    for cmd in [
        AppCommand::NewReview(None),
        AppCommand::Open(other.clone()),
        AppCommand::OpenDialog,
        AppCommand::NewReviewDialog,
    ] {
        h.state_mut().pending.push(cmd.clone());
        settle(&mut h);
        assert_eq!(h.state().confirm.as_ref(), Some(&cmd));
        assert!(
            h.state().dialog.is_none(),
            "no file dialog before the answer"
        );
        h.get_by_label("未保存的更改");
        assert!(h.get_all_by_label("保存").count() >= 1);
        h.get_by_label("不保存");
        click_in_window(&h, "取消");
        settle(&mut h);
        assert!(h.state().confirm.is_none());
        assert!(!h.state().is_busy(), "{cmd:?} went ahead after 取消");
        let doc = h.state().doc.as_ref().unwrap();
        assert_eq!(doc.review.path, review);
        assert!(doc.dirty);
        assert_eq!(doc.decisions.get(&key).unwrap().reason, "已核实");
    }

    // 退出 → 取消: no close command; → 不保存: the window is told to close, nothing saved.
    h.state_mut().pending.push(AppCommand::Quit);
    settle(&mut h);
    click_in_window(&h, "取消");
    h.step();
    assert!(!viewport_commands(&h).contains(&egui::ViewportCommand::Close));
    h.state_mut().pending.push(AppCommand::Quit);
    settle(&mut h);
    click_in_window(&h, "不保存");
    h.step();
    assert!(viewport_commands(&h).contains(&egui::ViewportCommand::Close));
    let on_disk = zonecheck::io::review::Review::load(&review).unwrap();
    assert!(on_disk.file.decisions.is_empty(), "不保存 wrote the review");

    // 打开 another review → 不保存: it opens, the decision is given up.
    let mut h = open_checked(&review, None);
    decide(&mut h, "已核实");
    h.state_mut().pending.push(AppCommand::Open(other.clone()));
    settle(&mut h);
    click_in_window(&h, "不保存");
    h.step();
    wait_until(&mut h, "the other review", |a| {
        a.doc.as_ref().is_some_and(|d| d.review.path == other) && !a.is_busy()
    });
    assert!(!h.state().doc.as_ref().unwrap().dirty);
    assert!(h.state().confirm.is_none());
}

#[test]
fn window_close_with_unsaved_decisions_is_cancelled_and_save_then_closes() {
    let dir = sample_copy();
    let review = dir.path().join("review.toml");
    let mut h = open_checked(&review, None);
    let key = decide(&mut h, "红线已调出");

    // The window's close button: the close is cancelled and the prompt shown.
    h.input_mut()
        .viewports
        .entry(egui::ViewportId::ROOT)
        .or_default()
        .events
        .push(egui::ViewportEvent::Close);
    h.step();
    assert!(viewport_commands(&h).contains(&egui::ViewportCommand::CancelClose));
    assert_eq!(h.state().confirm, Some(AppCommand::Quit));
    settle(&mut h);
    // 保存: the review file gets the decision, then the window closes.
    click_in_window(&h, "保存");
    h.step();
    assert!(viewport_commands(&h).contains(&egui::ViewportCommand::Close));
    let saved = zonecheck::io::review::Review::load(&review).unwrap();
    let d = zonecheck::decisions::Decisions::from_rows(&saved.file.decisions);
    assert_eq!(d.get(&key).unwrap().reason, "红线已调出");
    assert!(!h.state().doc.as_ref().unwrap().dirty);

    // Without unsaved changes the close button closes at once (no CancelClose, no prompt).
    h.input_mut()
        .viewports
        .entry(egui::ViewportId::ROOT)
        .or_default()
        .events
        .push(egui::ViewportEvent::Close);
    h.step();
    assert!(!viewport_commands(&h).contains(&egui::ViewportCommand::CancelClose));
    assert!(h.state().confirm.is_none());
}

#[test]
fn a_decision_is_autosaved_and_offered_back_after_a_crash() {
    let dir = sample_copy();
    let recovery = tempfile::tempdir().unwrap();
    let review = dir.path().join("review.toml");
    let mut h = open_checked(&review, Some(recovery.path()));
    assert!(
        zonecheck::app::recovery::find(recovery.path()).is_empty(),
        "nothing unsaved yet"
    );
    let key = decide(&mut h, "淘汰撤销");
    // Written at once on the decision, under this review's path.
    let found = zonecheck::app::recovery::find(recovery.path());
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].snapshot.review_path, review);
    assert!(found[0].snapshot.review_toml.contains("淘汰撤销"));
    // The "crash": the app goes away without saving.
    drop(h);

    // The next start offers it back (恢复 / 放弃); 恢复 restores the decision, unsaved.
    let mut app = ZonecheckApp::new(None);
    app.recovery_dir = Some(recovery.path().to_path_buf());
    let mut h = harness(app);
    settle(&mut h);
    h.get_by_label("恢复未保存的审查");
    h.get_by_label(&review.display().to_string());
    h.get_by_label("放弃");
    click_in_window(&h, "恢复");
    h.step();
    wait_until(&mut h, "the recovered review", |a| {
        a.doc.is_some() && !a.is_busy()
    });
    {
        let doc = h.state().doc.as_ref().unwrap();
        assert_eq!(doc.review.path, review);
        assert!(doc.dirty, "recovered work is unsaved until saved");
        assert_eq!(doc.decisions.get(&key).unwrap().reason, "淘汰撤销");
        assert!(h.state().recovery_offers.is_empty());
    }
    assert_eq!(review_path(&h), review);
    // Saving writes it to the review and removes the recovery file.
    h.state_mut().pending.push(AppCommand::Save);
    settle(&mut h);
    let saved = zonecheck::io::review::Review::load(&review).unwrap();
    let d = zonecheck::decisions::Decisions::from_rows(&saved.file.decisions);
    assert_eq!(d.get(&key).unwrap().reason, "淘汰撤销");
    assert!(zonecheck::app::recovery::find(recovery.path()).is_empty());
}

#[test]
fn a_recovery_file_can_be_discarded() {
    let dir = sample_copy();
    let recovery = tempfile::tempdir().unwrap();
    let review = dir.path().join("review.toml");
    let mut h = open_checked(&review, Some(recovery.path()));
    decide(&mut h, "x");
    drop(h);
    let mut app = ZonecheckApp::new(None);
    app.recovery_dir = Some(recovery.path().to_path_buf());
    let mut h = harness(app);
    settle(&mut h);
    click_in_window(&h, "放弃");
    settle(&mut h);
    assert!(h.state().doc.is_none());
    assert!(h.state().recovery_offers.is_empty());
    assert!(zonecheck::app::recovery::find(recovery.path()).is_empty());
    let on_disk = zonecheck::io::review::Review::load(&review).unwrap();
    assert!(on_disk.file.decisions.is_empty());
}

/// Zhejiang place names outside GB2312 and the ends of the CJK Unified Ideographs block draw
/// with the embedded fonts: kittest's missing-glyph policy (Panic, the builder's default) fails
/// the test on any glyph no font has, and every label is found by its text.
#[test]
fn place_names_outside_gb2312_render() {
    let names = [
        "文成县峃口镇",
        "诸暨市浬浦镇",
        "堃",
        "喆",
        "玥",
        "\u{4E00}\u{9FA5}\u{9FA6}\u{9FEF}\u{9FF0}\u{9FFF}",
    ];
    // Every ideograph U+4E00–U+9FFF, 64 to a line.
    let all: Vec<String> = (0x4E00u32..=0x9FFF)
        .filter_map(char::from_u32)
        .collect::<Vec<char>>()
        .chunks(64)
        .map(|c| c.iter().collect())
        .collect();
    assert_eq!(all.len(), 20_992 / 64);
    let mut h = Harness::builder()
        .with_size(egui::vec2(1500.0, 950.0))
        .build_ui_state(
            move |ui, app: &mut ZonecheckApp| {
                app.ui(ui);
                egui::Window::new("names").show(ui.ctx(), |ui| {
                    for n in names {
                        ui.label(n);
                    }
                    egui::ScrollArea::vertical().show(ui, |ui| {
                        for line in &all {
                            // Laid out (and so glyph-checked) even when scrolled out of view.
                            let galley = ui.painter().layout_no_wrap(
                                line.clone(),
                                egui::FontId::proportional(14.0),
                                egui::Color32::BLACK,
                            );
                            ui.label(galley.text());
                        }
                    });
                });
            },
            ZonecheckApp::new(None),
        );
    settle(&mut h);
    for n in names {
        h.get_by_label(n);
    }
    // The policy really is on: a code point no embedded font has (U+0378, unassigned) panics,
    // naming it.
    let missing = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut h = Harness::builder().build_ui_state(
            |ui, installed: &mut bool| {
                if !*installed {
                    zonecheck::app::theme::install_fonts(ui.ctx());
                    *installed = true;
                }
                ui.label("\u{0378}");
            },
            false,
        );
        for _ in 0..3 {
            h.step();
        }
    }));
    let message = missing
        .as_ref()
        .err()
        .and_then(|p| p.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    assert!(message.contains("U+0378"), "{message}");
}

/// The M001 zone's area in the current check.
fn m001_area(h: &Harness<'static, ZonecheckApp>) -> f64 {
    let c = h.state().current_check().unwrap();
    c.analysis
        .zones
        .iter()
        .find(|z| z.id == "M001")
        .unwrap()
        .area_m2
}

#[test]
fn an_edited_plan_is_autosaved_and_comes_back_after_a_crash() {
    use zonecheck::app::commands::FixKind;
    let dir = sample_copy();
    let recovery = tempfile::tempdir().unwrap();
    let review = dir.path().join("review.toml");
    let mut h = open_checked(&review, Some(recovery.path()));
    let before = m001_area(&h);
    // Cut the protected land out of M001 (red line 30 000 m² and farmland 15 000 m²).
    h.state_mut()
        .pending
        .push(AppCommand::SelectFinding(FindingKey {
            zone: Some("M001".into()),
            rule: "conflict.redline".into(),
            about: None,
        }));
    h.state_mut()
        .pending
        .push(AppCommand::FixZone(FixKind::CutProtected));
    h.step();
    h.state_mut().pending.push(AppCommand::ApplyFix(true));
    h.step();
    wait_until(&mut h, "the re-check", |a| {
        a.current_check().is_some() && !a.is_busy()
    });
    let cut = m001_area(&h);
    assert!((before - cut - 45_000.0).abs() < 1e-3, "{before} → {cut}");
    // Written at once, with the plan.
    let found = zonecheck::app::recovery::find(recovery.path());
    assert_eq!(found.len(), 1);
    let plan = found[0]
        .snapshot
        .plan
        .as_ref()
        .expect("the plan in the recovery file");
    assert_eq!(plan.zones_path, dir.path().join("merged_zones.shp"));
    drop(h);

    // Restored: the edited plan, unsaved; 保存 writes it beside the original zones layer.
    let mut app = ZonecheckApp::new(None);
    app.recovery_dir = Some(recovery.path().to_path_buf());
    let mut h = harness(app);
    settle(&mut h);
    click_in_window(&h, "恢复");
    h.step();
    wait_until(&mut h, "the recovered review", |a| {
        a.doc.is_some() && !a.is_busy()
    });
    assert!(h.state().doc.as_ref().unwrap().plan.is_dirty());
    h.state_mut().pending.push(AppCommand::RunCheck);
    h.step();
    wait_until(&mut h, "the check", |a| {
        a.current_check().is_some() && !a.is_busy()
    });
    assert!((m001_area(&h) - cut).abs() < 1e-3);
    let original = std::fs::read(dir.path().join("merged_zones.shp")).unwrap();
    h.state_mut().pending.push(AppCommand::Save);
    settle(&mut h);
    assert!(
        dir.path().join("merged_zones_edited.shp").exists(),
        "{:?}",
        h.state().messages
    );
    assert_eq!(
        std::fs::read(dir.path().join("merged_zones.shp")).unwrap(),
        original
    );
    let saved = zonecheck::io::review::Review::load(&review).unwrap();
    assert_eq!(
        saved.file.layers.zones,
        std::path::PathBuf::from("merged_zones_edited.shp")
    );
    assert!(zonecheck::app::recovery::find(recovery.path()).is_empty());
    assert!(!h.state().doc.as_ref().unwrap().plan.is_dirty());
}
