//! The real file dialogs of the desktop app, through the real binary under Xvfb, driven with
//! xdotool: each dialog (open review, add layers, save as, export folder, new review) is opened
//! with its keyboard shortcut, a path typed into GTK's own file chooser (Ctrl+L, the path,
//! Return), and the effect checked — the window title (`xdotool getwindowname`), the saved file,
//! the exported reports, and the app's state dump (`ZONECHECK_TEST_STATE`, a debug-build hook
//! that writes what the app shows). A second test panics the app (`ZONECHECK_TEST_PANIC`) with an
//! unsaved layer change and finds the recovery file the panic hook wrote, offered back at the
//! next start.
//!
//! Needs Xvfb and xdotool (.ci/setup-debian.sh installs them); skipped, with the reason printed,
//! only when Xvfb is not installed.
#![cfg(all(feature = "gui", target_os = "linux"))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// A child process killed when dropped.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// An Xvfb server on a free display number.
struct Xvfb {
    display: String,
    _server: Killed,
}

impl Xvfb {
    /// `None` (with the reason printed) when Xvfb is not installed.
    fn start() -> Option<Xvfb> {
        if !on_path("Xvfb") {
            assert!(
                std::env::var("CI").map_or(true, |v| v != "true"),
                "Xvfb is not installed, and CI must run this test (.ci/setup-debian.sh installs it)"
            );
            eprintln!("SKIPPED: Xvfb is not installed (apt-get install xvfb xdotool; .ci/setup-debian.sh does)");
            return None;
        }
        assert!(
            on_path("xdotool"),
            "Xvfb is installed but xdotool is not (apt-get install xdotool)"
        );
        // Xvfb picks a free display number itself and writes it to stdout once it accepts
        // connections (-displayfd): no race between tests (or test runs) choosing the same
        // number. Choosing the number here by looking for lock files let two tests of this file,
        // run in parallel, end up on one server; when the shorter test ended it killed the
        // server under the other test's app.
        let mut child = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1400x900x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("cannot start Xvfb");
        let stdout = child.stdout.take().expect("Xvfb's stdout");
        let server = Killed(child);
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            use std::io::BufRead;
            let mut line = String::new();
            let _ = std::io::BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("Xvfb did not report its display within 30 s");
        let n: u32 = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("Xvfb reported {line:?} instead of a display number"));
        Some(Xvfb {
            display: format!(":{n}"),
            _server: server,
        })
    }

    fn xdotool(&self, args: &[&str]) -> String {
        let out = Command::new("xdotool")
            .args(args)
            .env("DISPLAY", &self.display)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// The id of the first window whose name matches the regex `name`, waiting for it.
    fn window(&self, name: &str) -> String {
        let start = Instant::now();
        loop {
            if let Some(id) = self.find_window(name) {
                return id;
            }
            assert!(
                start.elapsed() < Duration::from_secs(120),
                "no window named /{name}/ after 120 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The first visible window whose name matches `name`: `^prefix` (regex-escaped, as made by
    /// `regex_escape`) or a plain substring. Names are compared here, in UTF-8, because
    /// xdotool's own `--name` regex does not match non-ASCII titles (— or Chinese) reliably.
    fn find_window(&self, name: &str) -> Option<String> {
        let ids = self.xdotool(&["search", "--onlyvisible", "--name", ""]);
        let (prefix, wanted) = match name.strip_prefix('^') {
            Some(rest) => (true, rest.replace('\\', "")),
            None => (false, name.to_string()),
        };
        ids.lines().filter(|l| !l.is_empty()).find_map(|id| {
            let title = self.xdotool(&["getwindowname", id]);
            let hit = if prefix {
                title.starts_with(&wanted)
            } else {
                title.contains(&wanted)
            };
            hit.then(|| id.to_string())
        })
    }

    /// Presses `keys` in the app's window until the file chooser named `title` shows (a key
    /// sent while the window is still settling can be lost; one dialog at a time, so a repeat
    /// does no harm).
    fn open_dialog(&self, app_window: &str, keys: &str, title: &str) {
        for _ in 0..10 {
            self.focus_and_key(app_window, keys);
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(10) {
                if self.find_window(title).is_some() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(200));
            }
        }
        panic!("no file chooser /{title}/ after pressing {keys} ten times");
    }

    fn focus_and_key(&self, window: &str, keys: &str) {
        self.xdotool(&["mousemove", "--window", window, "40", "40"]);
        self.xdotool(&["windowfocus", window]);
        std::thread::sleep(Duration::from_millis(200));
        self.xdotool(&["key", "--clearmodifiers", keys]);
    }

    /// In GTK's file chooser named `title`: Ctrl+L, select what the entry holds, type `path`,
    /// Return (again, a few times, while the chooser stays open: a folder chooser may first
    /// go into the folder typed).
    fn choose(&self, title: &str, path: &Path) {
        let dialog = self.window(title);
        std::thread::sleep(Duration::from_millis(500));
        self.focus_and_key(&dialog, "ctrl+l");
        std::thread::sleep(Duration::from_millis(300));
        self.xdotool(&["key", "ctrl+a"]);
        self.xdotool(&["type", "--delay", "15", &path.display().to_string()]);
        std::thread::sleep(Duration::from_millis(300));
        for _ in 0..4 {
            self.xdotool(&["key", "Return"]);
            std::thread::sleep(Duration::from_millis(1500));
            if self.find_window(title).is_none() {
                return;
            }
            self.xdotool(&["windowfocus", &dialog]);
        }
        panic!(
            "the file chooser /{title}/ stayed open after typing {}",
            path.display()
        );
    }

    fn screenshot(&self, to: &Path) {
        let _ = Command::new("import")
            .args(["-window", "root"])
            .arg(to)
            .env("DISPLAY", &self.display)
            .status();
    }
}

/// The app, started on `review` with its state dump, data folder and home in `home`.
struct App {
    child: Killed,
    state_file: PathBuf,
    window: String,
}

fn start_app(x: &Xvfb, home: &Path, review: &Path, extra_env: &[(&str, &str)]) -> App {
    let state_file = home.join("state.json");
    let _ = std::fs::remove_file(&state_file);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_zonecheck"));
    cmd.arg("open")
        .arg(review)
        .env("DISPLAY", &x.display)
        .env_remove("WAYLAND_DISPLAY")
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("share"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("ZONECHECK_DATA_DIR", home.join("data"))
        .env("ZONECHECK_TEST_STATE", &state_file)
        .env("NO_AT_BRIDGE", "1")
        .env("GTK_USE_PORTAL", "0")
        .env("LIBGL_ALWAYS_SOFTWARE", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::from(
            std::fs::File::create(home.join("stderr.txt")).unwrap(),
        ));
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let child = Killed(cmd.spawn().unwrap());
    let mut app = App {
        child,
        state_file,
        window: String::new(),
    };
    let name = review.file_name().unwrap().to_string_lossy().into_owned();
    app.wait_state("the review to load", |s| {
        s["review"].as_str() == Some(&review.display().to_string()) && s["busy"] == false
    });
    app.window = x.window(&format!("^{} — zonecheck", regex_escape(&name)));
    app
}

fn regex_escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' || !c.is_ascii() {
                vec![c]
            } else {
                vec!['\\', c]
            }
        })
        .collect()
}

impl App {
    fn state(&self) -> serde_json::Value {
        std::fs::read_to_string(&self.state_file)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or(serde_json::Value::Null)
    }

    fn wait_state(&mut self, what: &str, cond: impl Fn(&serde_json::Value) -> bool) {
        let start = Instant::now();
        loop {
            let s = self.state();
            if !s.is_null() && cond(&s) {
                return;
            }
            if let Ok(Some(status)) = self.child.0.try_wait() {
                let stderr = self
                    .state_file
                    .parent()
                    .map(|h| std::fs::read_to_string(h.join("stderr.txt")).unwrap_or_default())
                    .unwrap_or_default();
                panic!("the app exited ({status}) while waiting for {what}; state {s}\nstderr:\n{stderr}");
            }
            assert!(
                start.elapsed() < Duration::from_secs(180),
                "timed out waiting for {what}; state {s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

fn sample_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_maps")
}

/// Copies the shapefile `stem` of the sample to `dir/new_stem.*`.
fn copy_shapefile(dir: &Path, stem: &str, new_stem: &str) -> PathBuf {
    for ext in ["shp", "shx", "dbf", "prj", "cpg"] {
        std::fs::copy(
            sample_dir().join(format!("{stem}.{ext}")),
            dir.join(format!("{new_stem}.{ext}")),
        )
        .unwrap();
    }
    dir.join(format!("{new_stem}.shp"))
}

#[test]
fn every_file_dialog_works_through_gtk_under_xvfb() {
    let Some(x) = Xvfb::start() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    let (a, b) = (root.join("a"), root.join("b"));
    copy_dir(&sample_dir(), &a);
    copy_dir(&sample_dir(), &b);
    let home = root.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let mut app = start_app(&x, &home, &a.join("review.toml"), &[]);

    // 打开 (Ctrl+O): GTK's chooser, review b typed in; the title names it.
    let review_b = b.join("review.toml");
    x.open_dialog(&app.window, "ctrl+o", "打开审查文件");
    x.choose("打开审查文件", &review_b);
    app.wait_state("review b to open", |s| {
        s["review"].as_str() == Some(&review_b.display().to_string()) && s["busy"] == false
    });
    assert!(x
        .xdotool(&["getwindowname", &app.window])
        .starts_with("review.toml — zonecheck"));

    // 添加图层 (Ctrl+I): a layer from another folder; the review gains it, unsaved.
    let extra_dir = root.join("extra");
    std::fs::create_dir_all(&extra_dir).unwrap();
    let added = copy_shapefile(&extra_dir, "bluegreen", "wetlands");
    x.open_dialog(&app.window, "ctrl+i", "添加图层");
    x.choose("添加图层", &added);
    app.wait_state("the added layer", |s| {
        s["busy"] == false
            && s["layers"]
                .as_array()
                .is_some_and(|l| l.iter().any(|k| k == "wetlands"))
    });
    assert_eq!(app.state()["dirty"], true);
    assert_eq!(
        x.xdotool(&["getwindowname", &app.window]),
        "review.toml * — zonecheck"
    );

    // 另存为 (Ctrl+Shift+S): the new file holds the added layer, relative to its folder.
    let saved = root.join("c").join("saved.toml");
    std::fs::create_dir_all(saved.parent().unwrap()).unwrap();
    x.open_dialog(&app.window, "ctrl+shift+s", "审查另存为");
    x.choose("审查另存为", &saved);
    app.wait_state("the review saved as", |s| {
        s["review"].as_str() == Some(&saved.display().to_string()) && s["dirty"] == false
    });
    let text = std::fs::read_to_string(&saved).unwrap();
    // Layers outside the new file's folder are stored absolute (below it, relative): the saved
    // review still finds every layer.
    assert!(text.contains("extra/wetlands.shp"), "{text}");
    assert!(text.contains("b/merged_zones.shp"), "{text}");
    let reloaded = zonecheck::io::review::Review::load(&saved).unwrap();
    for (key, path) in reloaded.layer_paths() {
        assert!(path.is_file(), "{key}: {}", path.display());
    }
    assert_eq!(
        x.xdotool(&["getwindowname", &app.window]),
        "saved.toml — zonecheck"
    );

    // 保存方案为 (Ctrl+Alt+S): GTK's save chooser gives the path of the 保存方案为 window, Enter
    // saves: the plan as a GBK shapefile there, the review pointing at it.
    let plan_dir = root.join("plan");
    std::fs::create_dir_all(&plan_dir).unwrap();
    let plan = plan_dir.join("方案.shp");
    x.open_dialog(&app.window, "ctrl+alt+s", "保存方案为");
    x.choose("保存方案为", &plan);
    std::thread::sleep(Duration::from_millis(800));
    let start = Instant::now();
    while !plan.exists() && start.elapsed() < Duration::from_secs(30) {
        x.focus_and_key(&app.window, "Return");
        std::thread::sleep(Duration::from_millis(500));
    }
    assert!(plan.exists(), "{}", app.state());
    assert_eq!(std::fs::read(plan_dir.join("方案.cpg")).unwrap(), b"GBK");
    assert!(plan_dir.join("方案.prj").exists());
    app.wait_state("the review saved with the plan", |s| s["dirty"] == false);
    let text = std::fs::read_to_string(&saved).unwrap();
    assert!(text.contains("方案.shp"), "{text}");

    // 导出报告 (Ctrl+E): the reports are written into the folder typed in.
    let out = root.join("out");
    std::fs::create_dir_all(&out).unwrap();
    x.open_dialog(&app.window, "ctrl+e", "选择导出文件夹");
    x.choose("选择导出文件夹", &out);
    app.wait_state("the export", |s| {
        s["exported"].as_str() == Some(&out.display().to_string()) && s["busy"] == false
    });
    for f in ["report.html", "report.json", "findings.csv"] {
        assert!(out.join(f).is_file(), "{f} not exported");
    }

    // 新建审查 (Ctrl+N): the zones layer typed in; a new untitled review with it.
    let zones = a.join("merged_zones.shp");
    // GTK's chooser is up: take the one screenshot of this test run (target/dialog.png).
    let dialog_title = "选择开发区图层";
    x.open_dialog(&app.window, "ctrl+n", dialog_title);
    std::thread::sleep(Duration::from_millis(800));
    x.screenshot(&Path::new(env!("CARGO_TARGET_TMPDIR")).join("dialog.png"));
    x.choose(dialog_title, &zones);
    app.wait_state("the new review", |s| {
        s["untitled"] == true
            && s["busy"] == false
            && s["layers"]
                .as_array()
                .is_some_and(|l| l.len() == 1 && l[0] == "zones")
    });
    assert!(x
        .xdotool(&["getwindowname", &app.window])
        .starts_with("未命名审查"));
    let s = app.state();
    assert_eq!(s["messages"], serde_json::json!([]), "{s}");
}

#[test]
fn a_panic_writes_the_recovery_file_and_the_next_start_offers_it() {
    let Some(x) = Xvfb::start() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    let a = root.join("a");
    copy_dir(&sample_dir(), &a);
    let home = root.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let review = a.join("review.toml");
    let added = copy_shapefile(&a, "townships", "villages");
    // The autosave waits an hour for a change that is not a decision: only the panic hook can
    // write the recovery file within this test.
    let mut app = start_app(
        &x,
        &home,
        &review,
        &[
            ("ZONECHECK_TEST_PANIC", "dirty"),
            ("ZONECHECK_AUTOSAVE_SECS", "3600"),
        ],
    );
    let recovery = home.join("data").join("recovery");
    assert!(zonecheck::app::recovery::find(&recovery).is_empty());
    x.open_dialog(&app.window, "ctrl+i", "添加图层");
    x.choose("添加图层", &added);
    // The layer loads, the review is unsaved, the test hook panics.
    let start = Instant::now();
    let status = loop {
        if let Some(status) = app.child.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            start.elapsed() < Duration::from_secs(180),
            "the app did not panic; state {}",
            app.state()
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(!status.success());
    let stderr = std::fs::read_to_string(home.join("stderr.txt")).unwrap();
    assert!(stderr.contains("ZONECHECK_TEST_PANIC"), "{stderr}");
    assert!(stderr.contains("unsaved review written to"), "{stderr}");
    let found = zonecheck::app::recovery::find(&recovery);
    assert_eq!(found.len(), 1, "{stderr}");
    assert_eq!(found[0].snapshot.review_path, review);
    assert!(
        found[0].snapshot.review_toml.contains("villages.shp"),
        "{}",
        found[0].snapshot.review_toml
    );
    // The review file itself is as it was.
    assert!(!std::fs::read_to_string(&review)
        .unwrap()
        .contains("villages"));

    // The next start offers it back.
    let app = start_app(&x, &home, &review, &[]);
    assert_eq!(app.state()["recovery_offers"], 1);
}
