//! The Linux file dialog without a display: GTK 3 really loaded (dlopen) and initialised on its
//! thread, `gtk_init_check` failing for want of a display, and the answer an error the app shows
//! (not a hang, not a panic, not a silent cancel), which the app shows in its message list when
//! 打开 is clicked. Its own test binary: it clears `DISPLAY` and `WAYLAND_DISPLAY` for the whole
//! process before GTK's thread starts.
#![cfg(all(feature = "gui", unix, not(target_os = "macos")))]

use zonecheck::app::dialogs::{Ask, DialogError, Pick};
use zonecheck::app::gtk_dialog::show;
use zonecheck::app::ZonecheckApp;

#[test]
fn without_a_display_the_dialog_says_so() {
    // The only test in this binary: no other thread reads the environment meanwhile.
    std::env::remove_var("DISPLAY");
    std::env::remove_var("WAYLAND_DISPLAY");
    let ask = Ask {
        title: "打开审查".into(),
        start_dir: None,
        pick: Pick::File,
        filter: Some(("review (TOML)", &["toml"])),
        file_name: None,
    };
    match show(ask.clone()) {
        Err(DialogError::NoDisplay) => {}
        // A machine without GTK 3 at all: the loader's message names the library.
        Err(DialogError::NotInstalled(why)) => assert!(why.contains("libgtk-3"), "{why}"),
        Ok(answer) => panic!("a dialog without a display answered {answer:?}"),
    }
    // Asked again, the same answer at once (GTK is initialised once per process).
    assert!(show(ask).is_err());

    // The app: 打开 asks for the dialog on its worker thread; the answer becomes a message in
    // the UI language, and no dialog stays marked open.
    use egui_kittest::kittest::Queryable as _;
    let mut h = egui_kittest::Harness::builder()
        .with_size(egui::vec2(1500.0, 950.0))
        .build_ui_state(
            |ui, app: &mut ZonecheckApp| app.ui(ui),
            ZonecheckApp::new(None),
        );
    h.step();
    h.get_by_label("打开").click();
    let start = std::time::Instant::now();
    while h.state().messages.is_empty() {
        assert!(start.elapsed().as_secs() < 60, "no answer from the dialog");
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let app = h.state();
    assert!(app.dialog.is_none());
    let message = &app.messages[0];
    assert!(message.error);
    assert!(
        message.text == "无法显示文件对话框：GTK 无法连接到显示器。"
            || message
                .text
                .starts_with("无法显示文件对话框：未能加载 GTK 3"),
        "{}",
        message.text
    );
}
