//! The Linux file dialog without a display: GTK 3 really loaded (dlopen) and initialised on its
//! thread, `gtk_init_check` failing for want of a display, and the answer an error the app shows
//! (not a hang, not a panic, not a silent cancel). Its own test binary: it clears `DISPLAY` and
//! `WAYLAND_DISPLAY` for the whole process before GTK's thread starts.
#![cfg(all(feature = "gui", unix, not(target_os = "macos")))]

use zonecheck::app::gtk_dialog::{show, Action, Spec, Unavailable};

#[test]
fn without_a_display_the_dialog_says_so() {
    // The only test in this binary: no other thread reads the environment meanwhile.
    std::env::remove_var("DISPLAY");
    std::env::remove_var("WAYLAND_DISPLAY");
    let spec = Spec {
        title: "打开审查".into(),
        action: Action::Open,
        start_dir: None,
        filter: Some(("review (TOML)".into(), vec!["toml".into()])),
        multiple: false,
        file_name: None,
    };
    match show(spec.clone()) {
        Err(Unavailable::NoDisplay) => {}
        // A machine without GTK 3 at all: the loader's message names the library.
        Err(Unavailable::NotInstalled(why)) => assert!(why.contains("libgtk-3"), "{why}"),
        Ok(answer) => panic!("a dialog without a display answered {answer:?}"),
    }
    // Asked again, the same answer at once (GTK is initialised once per process).
    assert!(show(spec).is_err());
}
