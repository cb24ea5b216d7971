//! Shared helpers of the kittest app tests: a copy of the sample review, a harness around the
//! app, and waiting for background work. Use with `mod app_support;`.
#![allow(dead_code)]

use egui_kittest::Harness;
use std::path::Path;
use std::time::{Duration, Instant};
use zonecheck::app::ZonecheckApp;

pub fn sample_copy() -> tempfile::TempDir {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_maps");
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(src).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    dir
}

pub fn harness(app: ZonecheckApp) -> Harness<'static, ZonecheckApp> {
    Harness::builder()
        .with_size(egui::vec2(1500.0, 950.0))
        .build_ui_state(|ui, app: &mut ZonecheckApp| app.ui(ui), app)
}

pub fn settle(h: &mut Harness<'static, ZonecheckApp>) {
    let _ = h.try_run();
}

pub fn wait_until(
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
