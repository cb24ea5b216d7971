//! The desktop app (egui + eframe): open a review, see it on the map, run the checks in the
//! background, walk through the findings, record decisions, export the reports.
//!
//! State follows DESIGN.md §2: [`state::Document`] (saved), [`state::Derived`] (indexes, check
//! results, render caches), [`state::ViewState`] (camera, selection) and [`state::Persisted`]
//! (language, recent files, layout). Panels push [`commands::AppCommand`]s, applied once per frame.

pub mod commands;
pub mod decisions;
pub mod i18n;
pub mod jobs;
pub mod map;
pub mod panels;
pub mod state;
pub mod theme;

use commands::AppCommand;
use decisions::FindingKey;
use i18n::{Lang, S};
use jobs::{Job, JobKind, JobOutput};
use state::{CheckState, Derived, Document, Persisted, ViewState};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// Key of the persisted settings in eframe's storage.
const STORAGE_KEY: &str = "zonecheck-settings";

/// A message shown to the user until dismissed (errors) or replaced (info).
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    pub error: bool,
    pub text: String,
}

/// The short status line, rendered in the current language.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum StatusLine {
    #[default]
    Ready,
    Checking,
    Exporting,
    Cancelled,
    CheckDone {
        zones: usize,
        failing: usize,
    },
    Exported(PathBuf),
    Saved(PathBuf),
}

impl StatusLine {
    pub fn text(&self, lang: Lang) -> String {
        match self {
            StatusLine::Ready => lang.t(S::Ready).to_string(),
            StatusLine::Checking => lang.t(S::Checking).to_string(),
            StatusLine::Exporting => lang.t(S::Exporting).to_string(),
            StatusLine::Cancelled => lang.t(S::Cancelled).to_string(),
            StatusLine::CheckDone { zones, failing } => format!(
                "{}: {zones} {} · {failing} {}",
                lang.t(S::CheckDone),
                lang.t(S::ZonesSummary),
                lang.t(S::FailingSummary)
            ),
            StatusLine::Exported(dir) => format!("{} {}", lang.t(S::ExportDone), dir.display()),
            StatusLine::Saved(p) => format!("{} {}", lang.t(S::Saved), p.display()),
        }
    }
}

/// The whole app.
pub struct ZonecheckApp {
    pub doc: Option<Document>,
    pub derived: Derived,
    pub view: ViewState,
    pub settings: Persisted,
    pub job: Option<Job>,
    pub pending: Vec<AppCommand>,
    /// Errors (shown until dismissed).
    pub messages: Vec<Message>,
    /// Last short status line (check finished, saved, …).
    pub status: StatusLine,
    ctx: Option<egui::Context>,
    next_revision: u64,
    fonts_installed: bool,
    show_about: bool,
}

impl ZonecheckApp {
    /// A new app with remembered settings from `storage` (when there is one).
    pub fn new(storage: Option<&dyn eframe::Storage>) -> ZonecheckApp {
        let settings = storage
            .and_then(|s| eframe::get_value::<Persisted>(s, STORAGE_KEY))
            .unwrap_or_default();
        let view = ViewState {
            tool: settings.tool,
            ..ViewState::default()
        };
        ZonecheckApp {
            doc: None,
            derived: Derived::default(),
            view,
            settings,
            job: None,
            pending: Vec::new(),
            messages: Vec::new(),
            status: StatusLine::Ready,
            ctx: None,
            next_revision: 1,
            fonts_installed: false,
            show_about: false,
        }
    }

    /// Opens `path` (in the background).
    pub fn open(&mut self, path: PathBuf) {
        self.pending.push(AppCommand::Open(path));
    }

    /// True while a load, check or export runs.
    pub fn is_busy(&self) -> bool {
        self.job.is_some()
            || self.pending.iter().any(|c| {
                matches!(
                    c,
                    AppCommand::Open(_) | AppCommand::RunCheck | AppCommand::Export(_)
                )
            })
    }

    /// True while the map still builds meshes or tiles in the background for the current view.
    pub fn map_busy(&self) -> bool {
        self.derived.render_busy()
    }

    pub fn lang(&self) -> Lang {
        self.settings.lang
    }

    /// The current check result, when it matches the document.
    pub fn current_check(&self) -> Option<&CheckState> {
        let doc = self.doc.as_ref()?;
        self.derived
            .check
            .as_ref()
            .filter(|c| c.revision == doc.revision)
    }

    /// One frame of the whole window.
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        if !self.fonts_installed {
            theme::install_fonts(&ctx);
            theme::apply_visuals(&ctx, self.settings.dark);
            self.fonts_installed = true;
        }
        self.ctx = Some(ctx.clone());
        self.poll_job();
        self.shortcuts(&ctx);

        let lang = self.settings.lang;
        let busy = self.job.is_some();
        {
            let Self {
                doc,
                derived,
                view,
                settings,
                job,
                pending,
                status,
                show_about,
                ..
            } = self;
            egui::Panel::top("menu_bar").show(ui, |ui| {
                panels::menu::menu_bar_ui(ui, doc.as_ref(), settings, busy, show_about, pending);
            });
            egui::Panel::top("toolbar").show(ui, |ui| {
                panels::menu::toolbar_ui(ui, doc.as_ref(), view, settings, busy, pending);
            });
            egui::Panel::bottom("status_bar").show(ui, |ui| {
                panels::status::status_bar_ui(
                    ui,
                    doc.as_ref(),
                    derived,
                    view,
                    lang,
                    job.as_ref(),
                    status,
                    pending,
                );
            });
            if settings.show_attributes_panel {
                egui::Panel::bottom("attributes")
                    .resizable(true)
                    .default_size(150.0)
                    .min_size(60.0)
                    .show(ui, |ui| {
                        panels::attributes::attributes_panel_ui(ui, doc.as_ref(), view, lang);
                    });
            }
            if settings.show_layers_panel {
                egui::Panel::left("layers")
                    .resizable(true)
                    .default_size(240.0)
                    .min_size(160.0)
                    .show(ui, |ui| {
                        panels::layers::layers_panel_ui(
                            ui,
                            doc.as_ref(),
                            derived,
                            settings,
                            pending,
                        );
                    });
            }
            if settings.show_findings_panel {
                egui::Panel::right("findings")
                    .resizable(true)
                    .default_size(400.0)
                    .min_size(240.0)
                    .show(ui, |ui| {
                        panels::findings::findings_panel_ui(
                            ui,
                            doc.as_ref(),
                            derived,
                            view,
                            lang,
                            pending,
                        );
                    });
            }
            egui::CentralPanel::no_frame().show(ui, |ui| {
                map::map_ui(
                    ui,
                    map::MapArgs {
                        doc: doc.as_ref(),
                        derived,
                        view,
                        settings,
                        cmds: pending,
                    },
                );
            });
        }
        panels::messages_ui(&ctx, &self.messages, lang, &mut self.pending);
        if self.show_about {
            let mut open = true;
            egui::Window::new(lang.t(S::About))
                .open(&mut open)
                .collapsible(false)
                .show(&ctx, |ui| {
                    ui.label(lang.t(S::AboutText));
                    ui.separator();
                    ui.label(lang.t(S::Shortcuts));
                    ui.label(format!("zonecheck {}", env!("CARGO_PKG_VERSION")));
                });
            self.show_about = open;
        }

        let cmds = std::mem::take(&mut self.pending);
        for cmd in cmds {
            self.apply(cmd);
        }
        if self.job.is_some() {
            ctx.request_repaint_after(Duration::from_millis(100));
        }
    }

    fn shortcuts(&mut self, ctx: &egui::Context) {
        use egui::{Key, Modifiers};
        let typing = ctx.egui_wants_keyboard_input();
        let mut cmds = Vec::new();
        let mut pan = egui::Vec2::ZERO;
        let mut zoom = 1.0;
        ctx.input_mut(|i| {
            if i.consume_key(Modifiers::COMMAND, Key::O) {
                cmds.push(AppCommand::OpenDialog);
            }
            if i.consume_key(Modifiers::COMMAND, Key::S) {
                cmds.push(AppCommand::Save);
            }
            if i.consume_key(Modifiers::NONE, Key::F5) {
                cmds.push(AppCommand::RunCheck);
            }
            if typing {
                return;
            }
            if i.consume_key(Modifiers::NONE, Key::N) {
                cmds.push(AppCommand::NextFinding);
            }
            if i.consume_key(Modifiers::NONE, Key::P) {
                cmds.push(AppCommand::PrevFinding);
            }
            if i.consume_key(Modifiers::NONE, Key::Home) {
                cmds.push(AppCommand::ZoomFull);
            }
            for (key, d) in [
                (Key::ArrowLeft, egui::vec2(80.0, 0.0)),
                (Key::ArrowRight, egui::vec2(-80.0, 0.0)),
                (Key::ArrowUp, egui::vec2(0.0, 80.0)),
                (Key::ArrowDown, egui::vec2(0.0, -80.0)),
            ] {
                if i.consume_key(Modifiers::NONE, key) {
                    pan += d;
                }
            }
            if i.consume_key(Modifiers::NONE, Key::Plus)
                || i.consume_key(Modifiers::NONE, Key::Equals)
            {
                zoom *= 1.5;
            }
            if i.consume_key(Modifiers::NONE, Key::Minus) {
                zoom /= 1.5;
            }
        });
        if pan != egui::Vec2::ZERO {
            self.view.camera.pan_by_ui(pan);
        }
        if zoom != 1.0 {
            if let Some(rect) = self.view.map_rect {
                self.view.camera.zoom_at(zoom, rect.center(), rect);
            }
        }
        self.pending.extend(cmds);
    }

    /// Takes the result of a finished background job.
    fn poll_job(&mut self) {
        let Some(job) = &self.job else { return };
        let Some(result) = job.poll() else { return };
        self.job = None;
        match result {
            Err(e) => self.error(e),
            Ok(JobOutput::Loaded(Err(e))) => self.error(e),
            Ok(JobOutput::Loaded(Ok(loaded))) => self.take_loaded(*loaded),
            Ok(JobOutput::Checked { revision, result }) => {
                let Some(doc) = &self.doc else { return };
                if doc.revision != revision {
                    return; // stale: the document changed while checking
                }
                match result {
                    Ok(checked) => {
                        let checked = *checked;
                        let check = CheckState::new(revision, checked.analysis, checked.conflicts);
                        let failing = check.analysis.zones.iter().filter(|z| !z.pass).count();
                        self.status = StatusLine::CheckDone {
                            zones: check.analysis.zones.len(),
                            failing,
                        };
                        self.derived.check = Some(check);
                        self.derived.highlight = None;
                    }
                    Err(_) => self.status = StatusLine::Cancelled,
                }
            }
            Ok(JobOutput::Exported(result)) => match result {
                Ok(files) => {
                    let dir = files
                        .first()
                        .and_then(|f| f.parent())
                        .map(Path::to_path_buf)
                        .unwrap_or_default();
                    self.status = StatusLine::Exported(dir);
                }
                Err(e) if e == crate::progress::Cancelled.to_string() => {
                    self.status = StatusLine::Cancelled
                }
                Err(e) => self.error(e),
            },
        }
    }

    fn take_loaded(&mut self, loaded: jobs::Loaded) {
        let jobs::Loaded {
            review,
            dataset,
            layers,
            decisions,
            decisions_error,
        } = loaded;
        if let Some(e) = decisions_error {
            self.error(e);
        }
        let revision = self.next_revision;
        self.next_revision += 1;
        let extent = layers.iter().filter_map(|l| l.bbox).reduce(|a, b| {
            geo::Rect::new(
                geo::Coord {
                    x: a.min().x.min(b.min().x),
                    y: a.min().y.min(b.min().y),
                },
                geo::Coord {
                    x: a.max().x.max(b.max().x),
                    y: a.max().y.max(b.max().y),
                },
            )
        });
        let to_lon_lat = crate::crs::CrsDef::epsg(4490)
            .and_then(|ll| crate::crs::Reprojector::new(&dataset.working_crs, &ll))
            .ok();
        self.settings.add_recent(review.path.clone());
        self.derived = Derived {
            layers,
            extent,
            check: None,
            to_lon_lat,
            highlight: None,
            render_worker: None,
        };
        self.doc = Some(Document {
            review,
            dataset: Arc::new(dataset),
            decisions,
            revision,
            dirty: false,
        });
        self.view.fit_pending = true;
        self.view.selected_finding = None;
        self.view.picked = None;
        self.view.draft = None;
        self.status = StatusLine::Ready;
    }

    fn error(&mut self, text: String) {
        self.messages.push(Message { error: true, text });
    }

    fn spawn(
        &mut self,
        kind: JobKind,
        work: impl FnOnce(&crate::progress::Progress) -> JobOutput + Send + 'static,
    ) {
        match Job::spawn(kind, self.ctx.clone(), work) {
            Ok(job) => self.job = Some(job),
            Err(e) => self.error(e),
        }
    }

    /// Applies one command.
    pub fn apply(&mut self, cmd: AppCommand) {
        match cmd {
            AppCommand::OpenDialog => {
                if let Some(path) = pick_file(self.doc.as_ref().map(|d| d.review.base_dir())) {
                    self.apply(AppCommand::Open(path));
                }
            }
            AppCommand::Open(path) => {
                if self.job.is_some() {
                    return;
                }
                self.spawn(JobKind::Load, move |p| jobs::load_job(&path, p));
            }
            AppCommand::Save => self.save(None),
            AppCommand::SaveAsDialog => {
                if let Some(doc) = &self.doc {
                    if let Some(path) = rfd::FileDialog::new()
                        .add_filter("TOML", &["toml"])
                        .set_directory(doc.review.base_dir())
                        .set_file_name("review.toml")
                        .save_file()
                    {
                        self.save(Some(path));
                    }
                }
            }
            AppCommand::SaveAs(path) => self.save(Some(path)),
            AppCommand::RunCheck => {
                if self.job.is_some() {
                    return;
                }
                let Some(doc) = &self.doc else { return };
                let dataset = doc.dataset.clone();
                let review = doc.review.clone();
                let revision = doc.revision;
                self.status = StatusLine::Checking;
                self.spawn(JobKind::Check, move |p| {
                    jobs::check_job(&dataset, &review, revision, p)
                });
            }
            AppCommand::CancelJob => {
                if let Some(job) = &self.job {
                    job.progress.cancel();
                }
            }
            AppCommand::ExportDialog => {
                let start = self.doc.as_ref().map(|d| d.review.base_dir());
                let mut dialog = rfd::FileDialog::new();
                if let Some(dir) = start {
                    dialog = dialog.set_directory(dir);
                }
                if let Some(dir) = dialog.pick_folder() {
                    self.apply(AppCommand::Export(dir));
                }
            }
            AppCommand::Export(dir) => {
                if self.job.is_some() {
                    return;
                }
                let analysis = self.current_check().map(|c| c.analysis.clone());
                let Some(doc) = &self.doc else { return };
                let dataset = doc.dataset.clone();
                let review = doc.review.clone();
                self.status = StatusLine::Exporting;
                self.spawn(JobKind::Export, move |p| {
                    jobs::export_job(&dataset, &review, analysis, &dir, p)
                });
            }
            AppCommand::SelectFinding(key) => self.select_finding(key),
            AppCommand::NextFinding => self.step_finding(1),
            AppCommand::PrevFinding => self.step_finding(-1),
            AppCommand::ZoomFull => {
                if let Some(extent) = self.derived.extent {
                    let rect = self.map_rect();
                    self.view.camera.fit(extent, rect, 0.04);
                }
            }
            AppCommand::ZoomToLayer(li) => {
                if let Some(bbox) = self.derived.layers.get(li).and_then(|d| d.bbox) {
                    let rect = self.map_rect();
                    self.view.camera.fit(bbox, rect, 0.04);
                }
            }
            AppCommand::ZoomSelection => {
                let geom = self.selected_geometry();
                if let Some(g) = geom {
                    self.zoom_to(&g);
                }
            }
            AppCommand::SetLang(l) => self.settings.lang = l,
            AppCommand::SetDecision(key, decision) => {
                if let Some(doc) = &mut self.doc {
                    if doc.decisions.get(&key) != Some(&decision) {
                        doc.decisions.set(key, decision);
                        doc.dirty = true;
                    }
                }
            }
            AppCommand::Identify(pos_in_map) => {
                let Some(doc) = &self.doc else { return };
                let settings = &self.settings;
                let ds = &doc.dataset;
                let visible = |i: usize| {
                    ds.layers
                        .get(i)
                        .is_some_and(|l| settings.layer_visible(&l.name))
                };
                let tol = map::pick_tolerance_m(self.view.camera.points_per_m);
                self.view.picked = map::hit::hit_test(
                    ds,
                    &self.derived.layers,
                    &settings.layer_order,
                    &visible,
                    pos_in_map,
                    tol,
                );
                if self.view.picked.is_some() {
                    self.settings.show_attributes_panel = true;
                }
            }
            AppCommand::DismissMessage(i) => {
                if i < self.messages.len() {
                    self.messages.remove(i);
                }
            }
            AppCommand::Quit => {
                if let Some(ctx) = &self.ctx {
                    ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                }
            }
        }
    }

    fn map_rect(&self) -> egui::Rect {
        self.view.map_rect.unwrap_or(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(800.0, 600.0),
        ))
    }

    fn selected_geometry(&self) -> Option<crate::model::Geom> {
        if let (Some(key), Some(check)) = (&self.view.selected_finding, &self.derived.check) {
            if let Some(g) = check
                .position_of(key)
                .and_then(|p| check.finding_geometry(p))
            {
                return Some(g.clone());
            }
        }
        let p = self.view.picked?;
        let doc = self.doc.as_ref()?;
        Some(
            doc.dataset
                .layers
                .get(p.layer)?
                .features
                .get(p.feature)?
                .geometry
                .clone(),
        )
    }

    /// Fits the camera to a geometry, with room around it (at least 300 m across).
    fn zoom_to(&mut self, g: &crate::model::Geom) {
        use geo::BoundingRect;
        let Some(r) = g.bounding_rect() else { return };
        let c = r.center();
        let half_w = (r.width() * 0.5).max(150.0);
        let half_h = (r.height() * 0.5).max(150.0);
        let padded = geo::Rect::new(
            geo::Coord {
                x: c.x - half_w,
                y: c.y - half_h,
            },
            geo::Coord {
                x: c.x + half_w,
                y: c.y + half_h,
            },
        );
        let rect = self.map_rect();
        self.view.camera.fit(padded, rect, 0.15);
    }

    fn select_finding(&mut self, key: FindingKey) {
        let geom = self.derived.check.as_ref().and_then(|check| {
            check
                .position_of(&key)
                .and_then(|p| check.finding_geometry(p))
                .cloned()
        });
        if let Some(g) = geom {
            self.zoom_to(&g);
        }
        self.view.selected_finding = Some(key);
        self.view.scroll_to_selection = true;
    }

    /// Moves the selection `step` findings on (wrapping), among those the filter shows.
    fn step_finding(&mut self, step: isize) {
        let Some(check) = self.current_check() else {
            return;
        };
        let shown: Vec<FindingKey> = check
            .order
            .iter()
            .filter(|p| {
                check
                    .finding(p)
                    .is_some_and(|f| self.view.shows(f.severity))
            })
            .map(|p| p.key.clone())
            .collect();
        if shown.is_empty() {
            return;
        }
        let n = shown.len() as isize;
        let next = match self
            .view
            .selected_finding
            .as_ref()
            .and_then(|k| shown.iter().position(|s| s == k))
        {
            Some(i) => (i as isize + step).rem_euclid(n),
            None if step >= 0 => 0,
            None => n - 1,
        };
        if let Some(key) = shown.get(next as usize).cloned() {
            self.select_finding(key);
        }
    }

    /// Saves the decisions next to the review; with `to`, first writes the review there (layer
    /// paths rewritten relative to the new place).
    fn save(&mut self, to: Option<PathBuf>) {
        let Some(doc) = &mut self.doc else { return };
        if let Some(path) = to {
            let moved = rebase_review(&doc.review, &path);
            let text = match moved.to_toml() {
                Ok(t) => t,
                Err(e) => {
                    let msg = format!("cannot save review ({e}): {}", path.display());
                    self.error(msg);
                    return;
                }
            };
            if let Err(e) = crate::io::atomic::write_atomic(&path, text.as_bytes()) {
                let msg = format!("cannot save review ({e}): {}", path.display());
                self.error(msg);
                return;
            }
            doc.review = moved;
            self.settings.add_recent(path);
        }
        let Some(doc) = &mut self.doc else { return };
        match doc.decisions.save_for(&doc.review.path) {
            Ok(p) => {
                doc.dirty = false;
                self.status = StatusLine::Saved(p);
            }
            Err(e) => self.error(e),
        }
    }
}

/// The review with its layer paths made relative to `new_path`'s folder where possible, absolute
/// otherwise.
pub fn rebase_review(
    review: &crate::io::review::Review,
    new_path: &Path,
) -> crate::io::review::Review {
    let old_base = review.base_dir();
    let new_base = match new_path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let abs = |p: &Path| -> PathBuf {
        let joined = old_base.join(p);
        std::fs::canonicalize(&joined).unwrap_or(joined)
    };
    let new_base_abs = std::fs::canonicalize(&new_base).unwrap_or(new_base);
    let rel = |p: &Path| -> PathBuf {
        let a = abs(p);
        a.strip_prefix(&new_base_abs)
            .map(Path::to_path_buf)
            .unwrap_or(a)
    };
    let mut file = review.file.clone();
    let l = &mut file.layers;
    l.zones = rel(&l.zones);
    for p in [
        &mut l.original,
        &mut l.redline,
        &mut l.farmland,
        &mut l.water,
        &mut l.townships,
    ]
    .into_iter()
    .flatten()
    {
        *p = rel(p);
    }
    for p in l.extra.values_mut() {
        *p = rel(p);
    }
    crate::io::review::Review {
        file,
        path: new_path.to_path_buf(),
    }
}

fn pick_file(start: Option<PathBuf>) -> Option<PathBuf> {
    let mut dialog = rfd::FileDialog::new().add_filter("review (TOML)", &["toml"]);
    if let Some(dir) = start {
        dialog = dialog.set_directory(dir);
    }
    dialog.pick_file()
}

impl eframe::App for ZonecheckApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        ZonecheckApp::ui(self, ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        self.settings.tool = self.view.tool;
        eframe::set_value(storage, STORAGE_KEY, &self.settings);
    }
}

/// Where the bundled sample review is: beside the current folder, or in the source tree the
/// executable was built from (target/{debug,release}/zonecheck → ../../sample_maps).
pub fn find_sample_review() -> Option<PathBuf> {
    let rel = Path::new("sample_maps").join("review.toml");
    let mut candidates = Vec::new();
    if let Ok(cwd) = std::env::current_dir() {
        candidates.push(cwd.join(&rel));
    }
    if let Ok(exe) = std::env::current_exe() {
        for dir in exe.ancestors().skip(1).take(4) {
            candidates.push(dir.join(&rel));
        }
    }
    candidates.push(Path::new(env!("CARGO_MANIFEST_DIR")).join(&rel));
    candidates.into_iter().find(|p| p.is_file())
}

/// True when a window can be opened (a display server is reachable) on this platform.
pub fn display_available() -> bool {
    if cfg!(any(
        target_os = "linux",
        target_os = "freebsd",
        target_os = "openbsd",
        target_os = "netbsd"
    )) {
        std::env::var_os("DISPLAY").is_some_and(|v| !v.is_empty())
            || std::env::var_os("WAYLAND_DISPLAY").is_some_and(|v| !v.is_empty())
    } else {
        true
    }
}

/// Runs the app until its window closes, opening `review` first when given.
pub fn run(review: Option<PathBuf>) -> Result<(), String> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_inner_size([1400.0, 900.0])
            .with_min_inner_size([800.0, 500.0])
            .with_title("zonecheck"),
        persist_window: true,
        renderer: eframe::Renderer::Glow,
        ..Default::default()
    };
    eframe::run_native(
        "zonecheck",
        options,
        Box::new(move |cc| {
            let mut app = ZonecheckApp::new(cc.storage);
            if let Some(path) = review {
                app.open(path);
            }
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| e.to_string())
}
