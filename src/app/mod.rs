//! The desktop app (egui + eframe): open a review, see it on the map, run the checks in the
//! background, walk through the findings, record decisions, export the reports.
//!
//! State follows DESIGN.md §2: [`state::Document`] (saved), [`state::Derived`] (indexes, check
//! results, render caches), [`state::ViewState`] (camera, selection) and [`state::Persisted`]
//! (language, recent files, layout). Panels push [`commands::AppCommand`]s, applied once per frame.

pub mod commands;
pub mod decisions;
pub mod dialogs;
#[cfg(all(unix, not(target_os = "macos")))]
pub mod gtk_dialog;
pub mod i18n;
pub mod jobs;
pub mod map;
pub mod panels;
pub mod recovery;
pub mod review_edit;
pub mod state;
pub mod theme;

use commands::AppCommand;
use decisions::FindingKey;
use i18n::{Lang, S};
use jobs::{Job, JobKind, JobOutput};
use state::{CheckState, Derived, Document, Persisted, Tool, ViewState};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// The smallest map the side and bottom panels leave (points): panels stop growing there.
pub const MIN_MAP: egui::Vec2 = egui::vec2(320.0, 220.0);

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
    /// A check that ran on incomplete input (`input.*` findings): never "check finished".
    CheckIncomplete {
        zones: usize,
        failing: usize,
        problems: usize,
    },
    Exported(PathBuf),
    Saved(PathBuf),
    /// A short note in the UI language (plan edited, nothing to fix, …).
    Note(String),
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
            StatusLine::CheckIncomplete {
                zones,
                failing,
                problems,
            } => format!(
                "{}: {problems} {} · {zones} {} · {failing} {}",
                lang.t(S::CheckIncomplete),
                lang.t(S::InputProblems),
                lang.t(S::ZonesSummary),
                lang.t(S::FailingSummary)
            ),
            StatusLine::Exported(dir) => format!("{} {}", lang.t(S::ExportDone), dir.display()),
            StatusLine::Saved(p) => format!("{} {}", lang.t(S::Saved), p.display()),
            StatusLine::Note(t) => t.clone(),
        }
    }
}

/// Opens a file or folder outside the app (the operating system's default program); replaced in
/// tests.
pub type Launcher = Box<dyn Fn(&Path) -> Result<(), String>>;

/// Opens `path` with the operating system's default program (file manager for a folder, browser
/// for an HTML file).
pub fn open_with_system(path: &Path) -> Result<(), String> {
    opener::open(path).map_err(|e| e.to_string())
}

/// A finished export, offered to open.
#[derive(Clone, Debug, PartialEq)]
pub struct ExportDone {
    pub dir: PathBuf,
    /// `report.html`, when it was written.
    pub report: Option<PathBuf>,
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
    /// The last export, while its "open folder / open report" window is shown.
    pub export_done: Option<ExportDone>,
    /// GeoPackages with several feature tables being added: the first one's tables are shown
    /// in a chooser, the rest wait their turn.
    pub gpkg_choices: Vec<GpkgChoice>,
    /// How files and folders are opened outside the app ([`open_with_system`]).
    pub launcher: Launcher,
    ctx: Option<egui::Context>,
    next_revision: u64,
    fonts_installed: bool,
    show_about: bool,
    /// Run the check when the load in progress is done (settings were applied).
    check_after_load: bool,
    /// Run the check once the map of the review just loaded is drawn (打开后自动检查).
    check_when_drawn: bool,
    /// The review was saved before the load in progress: the reloaded document is clean.
    clean_after_load: bool,
    /// The file dialog that is open (one at a time).
    pub dialog: Option<dialogs::OpenDialog>,
    /// The unsaved-changes prompt (保存 / 不保存 / 取消), while shown: the command it guards.
    pub confirm: Option<AppCommand>,
    /// Applied after the next successful save (the prompt's 保存).
    after_save: Option<AppCommand>,
    /// The user chose 不保存: the next new / open / quit may discard the unsaved changes.
    discard_ok: bool,
    /// Folder of the recovery files ([`recovery`]); `None`: no autosave and no offer (the
    /// default of [`ZonecheckApp::new`]; [`run`] sets it).
    pub recovery_dir: Option<PathBuf>,
    /// The latest unsaved state, for the panic hook.
    pub recovery_shared: recovery::Shared,
    /// Recovery files found at start-up, offered one at a time (恢复 / 放弃).
    pub recovery_offers: Vec<recovery::Found>,
    recovery_scanned: bool,
    /// What the autosave has seen and written.
    autosave: Autosave,
    /// A recovered review is loading: it is marked unsaved when it arrives.
    restoring: bool,
    /// The files a recovered plan's layers came from, while the recovered review loads.
    restored_plan_origin: recovery::RecoveredOrigins,
    /// The window title last sent.
    window_title: String,
    /// What the state test hook wrote last (debug builds).
    #[cfg_attr(not(debug_assertions), allow(dead_code))]
    test_state_written: String,
    /// Debug builds: the lines of the `ZONECHECK_TEST_SCRIPT` file still to run.
    #[cfg(debug_assertions)]
    test_script: Option<std::collections::VecDeque<String>>,
    /// Debug builds: the screenshot the script waits for (its `.done` file).
    #[cfg(debug_assertions)]
    test_script_wait: Option<PathBuf>,
}

/// The autosave's memory: the state last seen (path, review, untitled), its snapshot, the
/// decisions last written, and when the pending write is due.
#[derive(Default)]
struct Autosave {
    /// Path, review, untitled, and the plan's revision while it has unsaved edits.
    seen: Option<(
        PathBuf,
        crate::model::settings::ReviewFile,
        bool,
        Option<u64>,
    )>,
    snapshot: Option<recovery::Snapshot>,
    written_decisions: Option<Vec<crate::model::decision::DecisionRow>>,
    due: Option<std::time::Instant>,
}

/// Seconds between autosaves of an unsaved review (decision changes are written at once);
/// `ZONECHECK_AUTOSAVE_SECS` overrides.
fn autosave_interval() -> Duration {
    let secs = std::env::var("ZONECHECK_AUTOSAVE_SECS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(30);
    Duration::from_secs(secs)
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
            export_done: None,
            gpkg_choices: Vec::new(),
            launcher: Box::new(open_with_system),
            ctx: None,
            next_revision: 1,
            fonts_installed: false,
            show_about: false,
            check_after_load: false,
            check_when_drawn: false,
            clean_after_load: false,
            dialog: None,
            confirm: None,
            after_save: None,
            discard_ok: false,
            recovery_dir: None,
            recovery_shared: Default::default(),
            recovery_offers: Vec::new(),
            recovery_scanned: false,
            autosave: Autosave::default(),
            restoring: false,
            restored_plan_origin: recovery::RecoveredOrigins::default(),
            window_title: String::new(),
            test_state_written: String::new(),
            #[cfg(debug_assertions)]
            test_script: None,
            #[cfg(debug_assertions)]
            test_script_wait: None,
        }
    }

    /// Opens `path` (in the background).
    pub fn open(&mut self, path: PathBuf) {
        self.pending.push(AppCommand::Open(path));
    }

    /// True while a load, check or export runs, or is about to (a command queued, the check
    /// after opening waiting for the map).
    pub fn is_busy(&self) -> bool {
        self.job.is_some()
            || self.check_when_drawn
            || self.pending.iter().any(|c| {
                matches!(
                    c,
                    AppCommand::Open(_)
                        | AppCommand::RunCheck
                        | AppCommand::Export(_)
                        | AppCommand::NewReview(_)
                        | AppCommand::AddLayers(_)
                        | AppCommand::Dropped(_)
                        | AppCommand::SetRole { .. }
                        | AppCommand::EditLayer(_)
                        | AppCommand::RemoveLayer(_)
                        | AppCommand::SetLayerCrs(..)
                        | AppCommand::SetLayerEncoding(..)
                        | AppCommand::ApplySettings(_)
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
        if !self.recovery_scanned {
            self.recovery_scanned = true;
            if let Some(dir) = &self.recovery_dir {
                self.recovery_offers = recovery::find(dir);
            }
        }
        self.poll_job();
        self.poll_dialog();
        if ctx.input(|i| i.viewport().close_requested()) && self.must_confirm_discard() {
            // The window's close button with unsaved changes: ask first.
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.confirm = Some(AppCommand::Quit);
        }
        self.shortcuts(&ctx);
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .collect()
        });
        if !dropped.is_empty() {
            self.pending.push(AppCommand::Dropped(dropped));
        }

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
            // Side panels first, so that they run the full height between the toolbar and the
            // status bar; the attribute table and the properties panel then share the middle
            // column with the map and never cover or squash the findings. Every panel's size is
            // capped so that the map keeps at least MIN_MAP.
            let avail = ui.available_rect_before_wrap().size();
            let side_room = (avail.x - MIN_MAP.x).max(0.0);
            if settings.show_findings_panel {
                let max = (side_room
                    - if settings.show_layers_panel {
                        160.0
                    } else {
                        0.0
                    })
                .max(200.0);
                let r = egui::Panel::right("findings")
                    .resizable(true)
                    .default_size((avail.x * 0.34).clamp(240.0, 400.0))
                    .size_range(200.0..=max)
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
                view.panel_rects.findings = Some(r.response.rect);
            } else {
                view.panel_rects.findings = None;
            }
            if settings.show_layers_panel {
                let used = view.panel_rects.findings.map_or(0.0, |r| r.width());
                let max = (avail.x - used - MIN_MAP.x).max(140.0);
                let r = egui::Panel::left("layers")
                    .resizable(true)
                    .default_size((avail.x * 0.22).clamp(160.0, 240.0))
                    .size_range(140.0..=max)
                    .show(ui, |ui| {
                        panels::layers::layers_panel_ui(
                            ui,
                            doc.as_ref(),
                            derived,
                            view,
                            settings,
                            busy,
                            pending,
                        );
                    });
                view.panel_rects.layers = Some(r.response.rect);
            } else {
                view.panel_rects.layers = None;
            }
            let middle_h = ui.available_rect_before_wrap().height();
            // The properties panel: as tall as its rows, at most a third of the column.
            view.panel_rects.attributes = None;
            if settings.show_attributes_panel {
                // Measured last frame; the panel's frame adds its margins.
                let margins = egui::Frame::side_top_panel(ui.style())
                    .total_margin()
                    .sum()
                    .y
                    + 2.0;
                let want = view.attributes_height + margins;
                let h = want.min(((middle_h - MIN_MAP.y) * 0.5).max(48.0));
                let r = egui::Panel::bottom("attributes")
                    .resizable(false)
                    .exact_size(h)
                    .show(ui, |ui| {
                        panels::attributes::attributes_panel_ui(
                            ui,
                            doc.as_ref(),
                            view,
                            lang,
                            busy,
                            pending,
                        )
                    });
                if (r.inner - view.attributes_height).abs() > 0.5 {
                    view.attributes_height = r.inner;
                    ui.ctx().request_repaint();
                }
                view.panel_rects.attributes = Some(r.response.rect);
            }
            let mut close_table = false;
            view.panel_rects.table = None;
            if let (Some(d), Some(table)) = (doc.as_ref(), view.table.as_mut()) {
                let picked = view.picked;
                let left = ui.available_rect_before_wrap().height();
                let max = (left - MIN_MAP.y).max(90.0);
                let r = egui::Panel::bottom("attribute-table")
                    .resizable(true)
                    .default_size(280.0_f32.min(max))
                    .size_range(90.0..=max)
                    .show(ui, |ui| {
                        close_table =
                            !panels::table::table_panel_ui(ui, d, table, picked, lang, pending);
                    });
                view.panel_rects.table = Some(r.response.rect);
            }
            if close_table {
                view.table = None;
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
        self.plan_summary_window(&ctx);
        self.settings_window(&ctx);
        self.merge_window(&ctx);
        self.fix_preview_window(&ctx);
        self.save_plan_window(&ctx);
        self.export_done_window(&ctx);
        self.gpkg_choice_window(&ctx);
        self.confirm_window(&ctx);
        self.recovery_window(&ctx);
        if ctx.input(|i| !i.raw.hovered_files.is_empty()) {
            // Files dragged over the window: say what dropping them does.
            let screen = ctx.content_rect();
            let painter = ctx.layer_painter(egui::LayerId::new(
                egui::Order::Foreground,
                egui::Id::unique("drop-hint"),
            ));
            painter.rect_filled(screen, 0.0, egui::Color32::from_black_alpha(110));
            painter.text(
                screen.center(),
                egui::Align2::CENTER_CENTER,
                lang.t(S::DropHint),
                egui::FontId::proportional(22.0),
                egui::Color32::WHITE,
            );
        }
        if self.show_about {
            let mut open = true;
            egui::Window::new(lang.t(S::About))
                .open(&mut open)
                .collapsible(false)
                .show(&ctx, |ui| {
                    ui.label(lang.t(S::AboutText));
                    ui.separator();
                    ui.label(lang.t(S::Shortcuts));
                    ui.label(lang.t(S::ShortcutsPlan));
                    ui.label(lang.t(S::ShortcutsSettings));
                    ui.label(format!("zonecheck {}", env!("CARGO_PKG_VERSION")));
                });
            self.show_about = open;
        }

        let cmds = std::mem::take(&mut self.pending);
        if !cmds.is_empty() {
            // The commands change what is shown: draw it now, not at the next input.
            ctx.request_repaint();
        }
        for cmd in cmds {
            self.apply(cmd);
        }
        self.check_when_drawn_if_ready();
        if self.job.is_some() {
            ctx.request_repaint_after(Duration::from_millis(100));
        }
        self.autosave(&ctx);
        self.update_title(&ctx);
        #[cfg(debug_assertions)]
        self.test_hooks();
    }

    /// Starts the check after opening (打开后自动检查) once the map has drawn what the first
    /// view asked for: on two cores the check would otherwise take the cores the first drawing
    /// needs. Waits for any other job; a review without a zones layer is not checked (nothing
    /// to check, and no error for the user who is still adding layers).
    fn check_when_drawn_if_ready(&mut self) {
        if !self.check_when_drawn || self.job.is_some() || self.map_busy() {
            return;
        }
        self.check_when_drawn = false;
        let Some(doc) = &self.doc else { return };
        if doc.dataset.layer(crate::model::LayerRole::Zones).is_none()
            || self.current_check().is_some()
        {
            return;
        }
        self.apply(AppCommand::RunCheck);
    }

    fn shortcuts(&mut self, ctx: &egui::Context) {
        use egui::{Key, Modifiers};
        let typing = ctx.egui_wants_keyboard_input();
        let mut cmds = Vec::new();
        let mut pan = egui::Vec2::ZERO;
        let mut zoom = 1.0;
        let mut table_key = false;
        let (mut new_tool, mut toggle_snap, mut toggle_trace) = (None, false, false);
        ctx.input_mut(|i| {
            if i.consume_key(Modifiers::COMMAND, Key::O) {
                cmds.push(AppCommand::OpenDialog);
            }
            // Before Ctrl+S: egui matches Ctrl+S on Ctrl+Alt+S and Ctrl+Shift+S too.
            if i.consume_key(Modifiers::COMMAND | Modifiers::ALT, Key::S) {
                cmds.push(AppCommand::OpenSavePlan);
                cmds.push(AppCommand::SavePlanBrowse);
            }
            if i.consume_key(Modifiers::COMMAND | Modifiers::SHIFT, Key::S) {
                cmds.push(AppCommand::SaveAsDialog);
            }
            if i.consume_key(Modifiers::COMMAND, Key::S) {
                cmds.push(AppCommand::Save);
            }
            // Before Ctrl+Z: egui matches Ctrl+Z on Ctrl+Shift+Z too.
            if i.consume_key(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z)
                || i.consume_key(Modifiers::COMMAND, Key::Y)
            {
                cmds.push(AppCommand::Redo);
            }
            if i.consume_key(Modifiers::COMMAND, Key::Z) {
                cmds.push(AppCommand::Undo);
            }
            if i.consume_key(Modifiers::COMMAND, Key::N) {
                cmds.push(AppCommand::NewReviewDialog);
            }
            if i.consume_key(Modifiers::COMMAND, Key::I) {
                cmds.push(AppCommand::AddLayersDialog);
            }
            if i.consume_key(Modifiers::COMMAND, Key::E) {
                cmds.push(AppCommand::ExportDialog);
            }
            if i.consume_key(Modifiers::COMMAND, Key::T) {
                table_key = true;
            }
            if i.consume_key(Modifiers::NONE, Key::F5) {
                cmds.push(AppCommand::RunCheck);
            }
            if i.consume_key(Modifiers::NONE, Key::F6) {
                cmds.push(AppCommand::TogglePlanSummary);
            }
            if i.consume_key(Modifiers::COMMAND, Key::Comma) {
                cmds.push(AppCommand::ToggleSettings);
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
            for (tool, key) in [
                (Tool::Vertex, Key::V),
                (Tool::MovePart, Key::G),
                (Tool::Draw(state::DrawKind::Zone), Key::D),
                (Tool::Draw(state::DrawKind::Part), Key::A),
                (Tool::Draw(state::DrawKind::Hole), Key::H),
                (Tool::Draw(state::DrawKind::Split), Key::K),
            ] {
                if i.consume_key(Modifiers::NONE, key) {
                    new_tool = Some(tool);
                }
            }
            if i.consume_key(Modifiers::NONE, Key::S) {
                toggle_snap = true;
            }
            if i.consume_key(Modifiers::NONE, Key::T) {
                toggle_trace = true;
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
        let has_plan = self.doc.as_ref().is_some_and(|d| {
            d.dataset
                .layers
                .iter()
                .any(|l| l.role == crate::model::LayerRole::Zones)
        });
        if let Some(tool) = new_tool.filter(|_| has_plan && self.job.is_none()) {
            self.view.tool = tool;
            self.view.edit = Default::default();
        }
        if toggle_snap {
            self.settings.snap = !self.settings.snap;
        }
        if toggle_trace {
            self.settings.trace = !self.settings.trace;
        }
        if zoom != 1.0 {
            if let Some(rect) = self.view.map_rect {
                self.view.camera.zoom_at(zoom, rect.center(), rect);
            }
        }
        if table_key {
            // The table of the identified feature's layer, else of the top layer.
            if let Some(doc) = &self.doc {
                let li = self.view.picked.map(|p| p.layer).unwrap_or(0);
                if let Some(l) = doc.dataset.layers.get(li) {
                    cmds.push(AppCommand::OpenTable(l.name.clone()));
                }
            }
        }
        self.pending.extend(cmds);
    }

    /// Takes the result of a finished background job.
    fn poll_job(&mut self) {
        let Some(job) = &self.job else { return };
        let Some(result) = job.poll() else { return };
        let cancelled = job.progress.is_cancelled();
        self.job = None;
        // Whatever ended, a later load must not inherit these.
        let check_after_load = std::mem::take(&mut self.check_after_load);
        let clean_after_load = std::mem::take(&mut self.clean_after_load);
        if !matches!(result, Ok(JobOutput::Loaded(Ok(_)))) || cancelled {
            self.restoring = false;
        }
        match result {
            Err(e) => self.error(e),
            // Cancelled while loading: whatever came back is dropped, the document stays.
            Ok(JobOutput::Loaded(_)) if cancelled => self.status = StatusLine::Cancelled,
            Ok(JobOutput::Loaded(Err(e))) => self.error(e),
            Ok(JobOutput::Loaded(Ok(loaded))) => {
                self.take_loaded(*loaded);
                if clean_after_load {
                    if let Some(doc) = &mut self.doc {
                        doc.dirty = false;
                    }
                }
                if check_after_load {
                    self.apply(AppCommand::RunCheck);
                } else {
                    self.check_when_drawn = self.settings.check_on_open;
                }
                let origin = std::mem::take(&mut self.restored_plan_origin);
                if std::mem::take(&mut self.restoring) {
                    // A recovered review is unsaved work until it is saved.
                    if let Some(doc) = &mut self.doc {
                        doc.dirty = true;
                        // A recovered plan too: 保存 writes it beside the zones layer it came
                        // from, not into the recovery folder.
                        if let Some(origin) = origin.zones {
                            doc.plan.mark_unsaved();
                            if let Some(z) = Arc::make_mut(&mut doc.dataset)
                                .layers
                                .iter_mut()
                                .find(|l| l.role == crate::model::LayerRole::Zones)
                            {
                                z.source.path = origin;
                            }
                        }
                        if let Some(origin) = origin.originals {
                            doc.plan.mark_unsaved();
                            doc.plan.mark_originals_recovered();
                            if let Some(o) = Arc::make_mut(&mut doc.dataset)
                                .layers
                                .iter_mut()
                                .find(|l| l.role == crate::model::LayerRole::Original)
                            {
                                o.source.path = origin;
                            }
                        }
                    }
                }
            }
            Ok(JobOutput::Checked { revision, result }) => {
                let Some(doc) = &self.doc else { return };
                if doc.revision != revision {
                    return; // stale: the document changed while checking
                }
                match result {
                    Ok(checked) => {
                        let checked = *checked;
                        let mut check =
                            CheckState::new(revision, checked.analysis, checked.conflicts);
                        check.changes = checked.changes.map(state::PlanChanges::new);
                        if let Some(doc) = &mut self.doc {
                            if doc.plan.done().is_empty() && !doc.plan.is_dirty() {
                                doc.baseline = Some(check.analysis.clone());
                            }
                        }
                        // Decisions of an earlier version's file (by position) go onto their
                        // findings' subjects once; the next save writes them so.
                        if let Some(doc) = &mut self.doc {
                            doc.decisions.migrate(&check.analysis);
                        }
                        let failing = check.analysis.zones.iter().filter(|z| !z.pass).count();
                        let incomplete = check
                            .analysis
                            .plan
                            .findings
                            .iter()
                            .filter(|f| f.is_about_input())
                            .count();
                        self.status = if incomplete > 0 {
                            StatusLine::CheckIncomplete {
                                zones: check.analysis.zones.len(),
                                failing,
                                problems: incomplete,
                            }
                        } else {
                            StatusLine::CheckDone {
                                zones: check.analysis.zones.len(),
                                failing,
                            }
                        };
                        self.derived.check = Some(check);
                        self.derived.highlight = None;
                    }
                    Err(_) => self.status = StatusLine::Cancelled,
                }
            }
            Ok(JobOutput::Exported { dir, result }) => match result {
                Ok(files) => {
                    let report = files
                        .iter()
                        .find(|f| f.file_name().is_some_and(|n| n == "report.html"))
                        .cloned();
                    self.export_done = Some(ExportDone {
                        dir: dir.clone(),
                        report,
                    });
                    self.status = StatusLine::Exported(dir);
                }
                Err(None) => self.status = StatusLine::Cancelled,
                Err(Some(e)) => self.error(e.get(self.lang().model()).to_string()),
            },
        }
    }

    fn take_loaded(&mut self, loaded: jobs::Loaded) {
        let jobs::Loaded {
            review,
            dataset,
            layers,
            failures,
            decisions,
            decisions_from_sidecar,
            notes,
            untitled,
        } = loaded;
        for n in notes {
            self.error(n);
        }
        if decisions.is_some() {
            // Another document replaces this one (its changes were saved or given up).
            self.forget_recovery();
        }
        // A reload (no decisions read) keeps the document's decisions and state.
        let previous = if decisions.is_none() {
            self.doc.take()
        } else {
            None
        };
        let lang = self.lang();
        for f in &failures {
            let known = previous.as_ref().is_some_and(|p| p.failures.contains(f));
            if !known {
                self.error(format!(
                    "{} ({}): {}",
                    lang.t(S::LayerLoadFailed),
                    f.key,
                    f.message
                ));
            }
        }
        let revision = self.next_revision;
        self.next_revision += 1;
        let extent = layers
            .iter()
            .filter_map(|l| l.bbox)
            .reduce(crate::spatial::overlay::box_union);
        let to_lon_lat = crate::crs::CrsDef::epsg(4490)
            .and_then(|ll| crate::crs::Reprojector::new(&dataset.working_crs, &ll))
            .ok();
        let had_extent = previous.is_some() && self.derived.extent.is_some();
        if previous.is_none() {
            // Another review: its own layers, no editor or table of the old one.
            self.view.layer_edit = None;
            self.view.table = None;
            self.view.plan.group = None;
        }
        self.derived = Derived {
            layers,
            extent,
            check: None,
            to_lon_lat,
            highlight: None,
            render_worker: None,
            protection_index: None,
            check_indexes: None,
        };
        let opened = decisions.is_some();
        let previous_plan = previous.as_ref().map(|p| p.plan.clone());
        let (decisions, dirty, untitled) = match (decisions, previous) {
            (Some(d), _) => (d, decisions_from_sidecar || untitled, untitled),
            (None, Some(p)) => (p.decisions, true, p.untitled || untitled),
            (None, None) => (Default::default(), true, untitled),
        };
        if opened && !untitled {
            self.settings.add_recent(review.path.clone());
        }
        // A reload keeps the plan's edits: they are applied again to the zones layer as read.
        let mut dataset = dataset;
        let plan = match &previous_plan {
            Some(history) if !history.done().is_empty() => {
                let mut kept = history.clone();
                if let Some(z) = dataset
                    .layers
                    .iter_mut()
                    .find(|l| l.role == crate::model::LayerRole::Zones)
                {
                    for e in history.done() {
                        if let Err(err) = crate::model::edit::apply(z, e) {
                            self.error(err.text().get(lang.model()).to_string());
                            kept = crate::model::edit::History::default();
                            break;
                        }
                    }
                }
                kept
            }
            _ => crate::model::edit::History::default(),
        };
        if !plan.done().is_empty() {
            if let Some(zi) = dataset
                .layers
                .iter()
                .position(|l| l.role == crate::model::LayerRole::Zones)
            {
                if let (Some(d), Some(l)) =
                    (self.derived.layers.get_mut(zi), dataset.layers.get(zi))
                {
                    *d = state::LayerDerived::build(l, &review);
                }
            }
        }
        let doc = Document {
            review,
            dataset: Arc::new(dataset),
            failures,
            decisions,
            untitled,
            revision,
            dirty,
            plan,
            baseline: None,
        };
        // Keep the table open on a layer that is still there.
        if let Some(t) = &self.view.table {
            if doc.layer_index(&t.layer_key).is_none() {
                self.view.table = None;
            }
        }
        self.doc = Some(doc);
        if !had_extent {
            self.view.fit_pending = true;
        }
        self.view.selected_finding = None;
        self.view.picked = None;
        self.view.draft = None;
        self.status = StatusLine::Ready;
    }

    /// Applies an edit to a copy of the review and reloads its layers in the background; the
    /// document changes when the load is done (and stays as it is when it is cancelled).
    fn edit_review(
        &mut self,
        edit: impl FnOnce(&mut crate::io::review::Review) -> Result<(), crate::model::Text>,
    ) {
        if self.job.is_some() {
            self.error(self.lang().t(S::Busy).to_string());
            return;
        }
        let Some(doc) = &self.doc else { return };
        let mut review = doc.review.clone();
        if let Err(e) = edit(&mut review) {
            self.error(e.get(self.lang().model()).to_string());
            return;
        }
        self.spawn(JobKind::Load, move |p| jobs::reload_job(review, p));
    }

    /// Adds layer files (role guessed from each name) and reloads; starts an empty review first
    /// when none is open.
    fn add_layers(&mut self, paths: Vec<PathBuf>) {
        let paths = self.choose_gpkg_tables(paths);
        if paths.is_empty() {
            return;
        }
        if self.doc.is_none() {
            let review = new_review(None);
            self.spawn(JobKind::Load, move |p| {
                let mut review = review;
                let dir = review.base_dir();
                for path in &paths {
                    review_edit::add_layer(&mut review.file, &dir, path);
                }
                jobs::new_review_job(review, p)
            });
            return;
        }
        self.edit_review(|review| {
            let dir = review.base_dir();
            for path in &paths {
                review_edit::add_layer(&mut review.file, &dir, path);
            }
            Ok(())
        });
    }

    /// `paths` with every GeoPackage that names no table resolved: one feature table → the file
    /// itself; several → a chooser ([`GpkgChoice`], the tables ticked are added later as
    /// `file.gpkg#table`); none, or a file that cannot be read → an error message.
    ///
    /// GDAL sources (`gdal` feature) the same way, with their polygon layers; a file picked
    /// inside a `.gdb` folder stands for the folder.
    fn choose_gpkg_tables(&mut self, paths: Vec<PathBuf>) -> Vec<PathBuf> {
        use crate::io::gdal_in;
        let lang = self.lang();
        let mut direct = Vec::with_capacity(paths.len());
        for p in paths {
            let p = gdal_in::gdb_folder_of(&p).unwrap_or(p);
            let gpkg = crate::io::gpkg::is_gpkg_path(&p);
            let gdal = gdal_in::is_gdal_path(&p);
            if !(gpkg || gdal) || crate::io::split_layer_source(&p).1.is_some() {
                direct.push(p);
                continue;
            }
            let tables = if gdal {
                gdal_in::polygon_layers(&p)
            } else {
                crate::io::gpkg::feature_tables(&p)
            };
            match tables {
                Err(e) => self.error(e.in_lang(lang.model())),
                Ok(tables) if tables.is_empty() => {
                    let why = if gdal {
                        crate::messages::io::gdal_no_polygon_layer(&[])
                    } else {
                        crate::messages::gpkg::no_feature_tables()
                    };
                    self.error(crate::io::LoadError::new(why, &p).in_lang(lang.model()))
                }
                Ok(tables) if tables.len() == 1 => direct.push(p),
                Ok(tables) => self.gpkg_choices.push(GpkgChoice {
                    file: p,
                    tables: tables.into_iter().map(|t| (t, false)).collect(),
                }),
            }
        }
        direct
    }

    /// The chooser of the first GeoPackage in [`App::gpkg_choices`]: a tick box per feature
    /// table; 添加所选 adds the ticked ones as `file.gpkg#table`.
    fn gpkg_choice_window(&mut self, ctx: &egui::Context) {
        let lang = self.lang();
        let Some(choice) = self.gpkg_choices.first_mut() else {
            return;
        };
        let mut open = true;
        let mut done = None;
        egui::Window::new(lang.t(S::GpkgTables))
            .id(egui::Id::unique("gpkg-choice-window"))
            .open(&mut open)
            .collapsible(false)
            .resizable(true)
            .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
            .show(ctx, |ui| {
                ui.label(lang.t(S::GpkgTablesHint));
                ui.monospace(choice.file.display().to_string());
                ui.add_space(4.0);
                egui::ScrollArea::vertical()
                    .max_height(320.0)
                    .show(ui, |ui| {
                        for (table, ticked) in &mut choice.tables {
                            ui.checkbox(ticked, table.as_str());
                        }
                    });
                ui.add_space(4.0);
                ui.horizontal(|ui| {
                    let any = choice.tables.iter().any(|(_, t)| *t);
                    if ui
                        .add_enabled(any, egui::Button::new(lang.t(S::AddChosen)))
                        .clicked()
                    {
                        done = Some(choice.chosen_paths());
                    }
                    if ui.button(lang.t(S::Cancel)).clicked() {
                        done = Some(Vec::new());
                    }
                });
            });
        if !open && done.is_none() {
            done = Some(Vec::new());
        }
        if let Some(paths) = done {
            self.gpkg_choices.remove(0);
            if !paths.is_empty() {
                self.pending.push(AppCommand::AddLayers(paths));
            }
        }
    }

    /// Files dropped on the window.
    fn dropped(&mut self, paths: Vec<PathBuf>) {
        let ext = |p: &Path| {
            p.extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase)
                .unwrap_or_default()
        };
        if let Some(review) = paths.iter().find(|p| ext(p) == "toml") {
            self.apply(AppCommand::Open(review.clone()));
            return;
        }
        let mut layers = Vec::new();
        for p in paths {
            match ext(&p).as_str() {
                "shp" | "geojson" | "json" | "txt" | "gpkg" => layers.push(p),
                // GDAL sources (a `.gdb` folder, or a file in one): without the `gdal` feature
                // the chooser says in one line how to get a build that reads them.
                _ if crate::io::gdal_in::is_gdal_path(&p)
                    || crate::io::gdal_in::gdb_folder_of(&p).is_some() =>
                {
                    layers.push(p)
                }
                _ => {
                    let msg = format!("{}: {}", self.lang().t(S::UnsupportedDrop), p.display());
                    self.error(msg);
                }
            }
        }
        self.add_layers(layers);
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
        match cmd.clone() {
            AppCommand::OpenDialog => {
                if self.ask_before_discarding(&cmd) {
                    return;
                }
                self.file_dialog(dialogs::DialogKind::OpenReview, S::OpenReview);
            }
            AppCommand::Open(path) => {
                if self.ask_before_discarding(&AppCommand::Open(path.clone())) {
                    return;
                }
                if self.job.is_some() {
                    self.error(self.lang().t(S::Busy).to_string());
                    return;
                }
                self.discard_ok = false;
                self.spawn(JobKind::Load, move |p| jobs::load_job(&path, p));
            }
            AppCommand::Save => self.save(None),
            AppCommand::SaveAsDialog => {
                if self.doc.is_some() {
                    self.file_dialog(dialogs::DialogKind::SaveAs, S::SaveReviewAs);
                }
            }
            AppCommand::SaveAs(path) => self.save(Some(path)),
            AppCommand::RunCheck => {
                if self.job.is_some() {
                    return;
                }
                let Some(doc) = &self.doc else { return };
                if doc.dataset.layer(crate::model::LayerRole::Zones).is_none() {
                    let msg = self.lang().t(S::NoZonesLayer).to_string();
                    self.error(msg);
                    return;
                }
                let dataset = doc.dataset.clone();
                let review = doc.review.clone();
                let failures = doc.failures.clone();
                let revision = doc.revision;
                let baseline = doc.baseline.clone().filter(|_| !doc.plan.done().is_empty());
                let indexes = self.derived.check_indexes(&doc.dataset);
                self.status = StatusLine::Checking;
                self.spawn(JobKind::Check, move |p| {
                    let out = jobs::check_job(&dataset, &review, &failures, revision, p, &indexes);
                    jobs::with_changes(out, baseline.as_deref())
                });
            }
            AppCommand::Undo => self.undo_redo(true),
            AppCommand::Redo => self.undo_redo(false),
            AppCommand::FixZone(kind) => self.fix_selected_zone(kind),
            AppCommand::ApplyFix(apply) => {
                if let Some(preview) = self.view.fix_preview.take() {
                    if apply {
                        self.edit_plan(crate::model::edit::PlanEdit::Group(preview.edits));
                    }
                }
            }
            AppCommand::EditAttribute {
                feature,
                field,
                value,
            } => {
                let Some(doc) = &self.doc else { return };
                let Some(plan) = doc.dataset.layer(crate::model::LayerRole::Zones) else {
                    return;
                };
                let Some(f) = plan.features.get(feature) else {
                    return;
                };
                let before = f.attrs.get(field).map(str::to_string);
                self.edit_plan(crate::model::edit::PlanEdit::Attribute {
                    feature,
                    field,
                    before,
                    after: value,
                });
            }
            AppCommand::ExportPlanGeojson => {
                let lang = self.lang();
                match self.export_plan_geojson() {
                    Ok(path) => {
                        self.status =
                            StatusLine::Note(format!("{} {}", lang.t(S::PlanSaved), path.display()))
                    }
                    Err(e) => self.error(e),
                }
            }
            AppCommand::ExportPlanGtxt => {
                let lang = self.lang();
                match self.export_plan_gtxt() {
                    Ok(path) => {
                        self.status =
                            StatusLine::Note(format!("{} {}", lang.t(S::PlanSaved), path.display()))
                    }
                    Err(e) => self.error(e),
                }
            }
            AppCommand::ExportPlanComparison => {
                let lang = self.lang();
                match self.export_plan_comparison() {
                    Ok(path) => {
                        self.status =
                            StatusLine::Note(format!("{} {}", lang.t(S::PlanSaved), path.display()))
                    }
                    Err(e) => self.error(e),
                }
            }
            AppCommand::OpenMerge => {
                if let Some(doc) = &self.doc {
                    self.view.merge = Some(panels::merge::MergeDraft::new(doc));
                }
            }
            AppCommand::MergeOriginals { members, id, name } => {
                let lang = self.lang();
                let Some(doc) = &self.doc else { return };
                let (Some(plan), Some(original)) = (
                    doc.dataset.layer(crate::model::LayerRole::Zones),
                    doc.dataset.layer(crate::model::LayerRole::Original),
                ) else {
                    return;
                };
                let pf = crate::model::fields::Fields::of_layer(plan, &doc.review.file);
                let of = crate::model::fields::Fields::of_layer(original, &doc.review.file);
                let table = crate::model::plaques::PlaqueTable::new(&doc.review.file.plaques);
                let new = crate::fix::NewZone {
                    id,
                    name: (!name.is_empty()).then_some(name),
                };
                let towns = doc.dataset.layer(crate::model::LayerRole::Townships);
                let tf = towns.map(|t| crate::model::fields::Fields::of_layer(t, &doc.review.file));
                let townships = towns.zip(tf.as_ref());
                match crate::fix::merge_originals(
                    plan, &pf, original, &of, &members, &new, &table, townships,
                ) {
                    Ok(edit) => self.edit_plan(edit),
                    Err(e) => self.error(e.get(lang.model()).to_string()),
                }
            }
            AppCommand::DeleteFeature(at) => {
                let Some(doc) = &self.doc else { return };
                let Some(plan) = doc.dataset.layer(crate::model::LayerRole::Zones) else {
                    return;
                };
                let Some(f) = plan.features.get(at) else {
                    return;
                };
                let edit = crate::model::edit::PlanEdit::Remove {
                    at,
                    feature: f.clone(),
                };
                self.view.picked = None;
                self.view.attr_draft = None;
                self.edit_plan(edit);
            }
            AppCommand::EditOriginal {
                feature,
                field,
                value,
            } => {
                let Some(doc) = &self.doc else { return };
                let Some(f) = doc
                    .dataset
                    .layer(crate::model::LayerRole::Original)
                    .and_then(|l| l.features.get(feature))
                else {
                    return;
                };
                let edit = crate::model::edit::PlanEdit::Originals(Box::new(
                    crate::model::edit::PlanEdit::Attribute {
                        feature,
                        field,
                        before: f.attrs.get(field).map(str::to_string),
                        after: value,
                    },
                ));
                self.edit_plan(edit);
            }
            AppCommand::EditGeometry { feature, after } => {
                let Some(doc) = &self.doc else { return };
                let Some(f) = doc
                    .dataset
                    .layer(crate::model::LayerRole::Zones)
                    .and_then(|plan| plan.features.get(feature))
                else {
                    return;
                };
                let edit = crate::model::edit::PlanEdit::Geometry {
                    feature,
                    before: f.geometry.clone(),
                    after: *after,
                };
                if !edit.is_noop() {
                    self.edit_plan(edit);
                }
            }
            AppCommand::Sketch {
                kind,
                target,
                points,
            } => self.finish_sketch(kind, target, &points),
            AppCommand::Note(text) => self.status = StatusLine::Note(text),
            AppCommand::MergePick { at, toggle } => {
                let tol = map::pick_tolerance_m(self.view.camera.points_per_m);
                let probe = geo::Rect::new(at, at);
                let hit = self.originals_meeting(probe, tol, true);
                if let Some(draft) = &mut self.view.merge {
                    match (hit.into_iter().next(), toggle) {
                        (Some(id), true) => {
                            if !draft.chosen.remove(&id) {
                                draft.chosen.insert(id);
                            }
                        }
                        (Some(id), false) => {
                            draft.chosen.clear();
                            draft.chosen.insert(id);
                        }
                        (None, false) => draft.chosen.clear(),
                        (None, true) => {}
                    }
                }
            }
            AppCommand::MergeBox(r) => {
                let hit = self.originals_meeting(r, 0.0, false);
                if let Some(draft) = &mut self.view.merge {
                    draft.chosen.extend(hit);
                }
            }
            AppCommand::OpenSavePlan => {
                if let Some(doc) = &self.doc {
                    self.view.save_plan = Some(panels::save_plan::SavePlanDraft::new(doc));
                }
            }
            AppCommand::SavePlanBrowse => {
                self.file_dialog(dialogs::DialogKind::SavePlan, S::SavePlanTitle);
            }
            AppCommand::SavePlanPath(path) => {
                let doc = self.doc.as_ref();
                let draft = self.view.save_plan.get_or_insert_with(|| {
                    doc.map(panels::save_plan::SavePlanDraft::new)
                        .unwrap_or_default()
                });
                draft.geojson = path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                    e.eq_ignore_ascii_case("geojson") || e.eq_ignore_ascii_case("json")
                });
                draft.path = path.display().to_string();
                draft.overwrite = false;
            }
            AppCommand::SavePlanAs(draft) => self.save_plan_as(&draft),
            AppCommand::CancelJob => {
                if let Some(job) = &self.job {
                    job.progress.cancel();
                }
            }
            AppCommand::ExportDialog => {
                self.file_dialog(dialogs::DialogKind::ExportFolder, S::ChooseExportFolder);
            }
            AppCommand::Export(dir) => {
                if self.job.is_some() {
                    return;
                }
                let analysis = self.current_check().map(|c| c.analysis.clone());
                let Some(doc) = &self.doc else { return };
                if doc.dataset.layer(crate::model::LayerRole::Zones).is_none() {
                    let msg = self.lang().t(S::NoZonesLayer).to_string();
                    self.error(msg);
                    return;
                }
                let dataset = doc.dataset.clone();
                // The exports show the decisions as they are now, saved or not.
                let review = doc.review_with_decisions();
                let baseline = doc.baseline.clone().filter(|_| !doc.plan.done().is_empty());
                self.status = StatusLine::Exporting;
                let pdf = self.settings.export_pdf;
                // The layers' indexes of the checks (the map's trees): the report's maps use them.
                let indexes = Some(self.derived.check_indexes(&doc.dataset));
                self.spawn(JobKind::Export, move |p| {
                    let out = jobs::ExportTo { dir: &dir, pdf };
                    jobs::export_job(&dataset, &review, analysis, baseline, indexes, out, p)
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
            AppCommand::SetDecision(key, mut decision) => {
                // The decision remembers the evidence of the finding it was made on.
                if let Some(f) = self
                    .derived
                    .check
                    .as_ref()
                    .and_then(|c| c.position_of(&key).and_then(|p| c.finding(p)))
                {
                    decision.evidence = Some(f.evidence());
                }
                if let Some(doc) = &mut self.doc {
                    if doc.decisions.get(&key) != Some(&decision) {
                        doc.decisions.set(key, decision);
                        doc.dirty = true;
                    }
                }
            }
            AppCommand::SetVerdict(verdict) => {
                if let Some(doc) = &mut self.doc {
                    if doc.review.file.verdict != verdict {
                        doc.review.file.verdict = verdict;
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
                if self.ask_before_discarding(&cmd) {
                    return;
                }
                if self.discard_ok {
                    // 不保存: the changes are given up, so is their recovery file.
                    self.forget_recovery();
                    self.recovery_dir = None;
                }
                if let Some(ctx) = &self.ctx {
                    ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                }
            }
            AppCommand::NewReviewDialog => {
                if self.ask_before_discarding(&cmd) {
                    return;
                }
                self.file_dialog(dialogs::DialogKind::NewReview, S::ChooseZonesLayer);
            }
            AppCommand::NewReview(zones) => {
                if self.ask_before_discarding(&AppCommand::NewReview(zones.clone())) {
                    return;
                }
                if self.job.is_some() {
                    self.error(self.lang().t(S::Busy).to_string());
                    return;
                }
                self.discard_ok = false;
                let review = new_review(zones.as_deref());
                self.spawn(JobKind::Load, move |p| jobs::new_review_job(review, p));
            }
            AppCommand::AddLayersDialog => {
                self.file_dialog(dialogs::DialogKind::AddLayers, S::AddLayers);
            }
            AppCommand::AddLayers(paths) => self.add_layers(paths),
            AppCommand::Dropped(paths) => self.dropped(paths),
            AppCommand::SetRole { key, role, name } => self.edit_review(|r| {
                review_edit::assign_role(&mut r.file, &key, role, &name).map(|_| ())
            }),
            AppCommand::EditLayer(mut edit) => {
                self.view.layer_edit = None;
                // An extra layer whose name was edited is renamed (its role stays).
                if edit.role.is_none()
                    && crate::model::settings::role_of_key(&edit.key)
                        == crate::model::LayerRole::Extra
                    && edit.extra_name.trim() != edit.key
                {
                    edit.role = Some(crate::model::LayerRole::Extra);
                }
                // An open table follows its layer to the new key.
                if let Some(role) = edit.role {
                    let new_key = review_edit::key_of_role(role)
                        .map(str::to_string)
                        .unwrap_or_else(|| edit.extra_name.trim().to_string());
                    if let Some(t) = self.view.table.as_mut().filter(|t| t.layer_key == edit.key) {
                        *t = panels::table::TableState::new(&new_key);
                    }
                }
                self.edit_review(|r| {
                    let mut key = edit.key.clone();
                    if let Some(role) = edit.role {
                        key = review_edit::assign_role(&mut r.file, &key, role, &edit.extra_name)?;
                    }
                    if crate::model::settings::role_of_key(&key) == crate::model::LayerRole::Extra {
                        review_edit::set_extra_role(&mut r.file, &key, edit.extra_role);
                    }
                    review_edit::set_crs(&mut r.file, &key, &edit.crs)?;
                    review_edit::set_encoding(&mut r.file, &key, &edit.encoding)
                })
            }
            AppCommand::RemoveLayer(key) => self.edit_review(|r| {
                review_edit::remove_layer(&mut r.file, &key);
                Ok(())
            }),
            AppCommand::SetLayerCrs(key, def) => {
                self.edit_review(|r| review_edit::set_crs(&mut r.file, &key, &def))
            }
            AppCommand::SetLayerEncoding(key, label) => {
                self.edit_review(|r| review_edit::set_encoding(&mut r.file, &key, &label))
            }
            AppCommand::OpenTable(key) => {
                if self.view.table.as_ref().is_none_or(|t| t.layer_key != key) {
                    self.view.table = Some(panels::table::TableState::new(&key));
                }
            }
            AppCommand::CloseTable => self.view.table = None,
            AppCommand::TogglePlanSummary => self.view.plan.open = !self.view.plan.open,
            AppCommand::ShowFindingsPanel => self.settings.show_findings_panel = true,
            AppCommand::OpenExternal(path) => self.open_external(&path),
            AppCommand::ToggleSettings => {
                self.view.settings = match (&self.view.settings, &self.doc) {
                    (None, Some(doc)) => Some(panels::settings::SettingsDraft::of(doc)),
                    _ => None,
                };
            }
            AppCommand::ApplySettings(file) => self.apply_settings(*file),
            AppCommand::Confirm(answer) => self.confirm_answer(answer),
            AppCommand::Recover(restore) => self.recover(restore),
            AppCommand::SelectFeature(p) => {
                let geom = self.feature_geometry(p);
                if let Some(g) = geom {
                    self.view.picked = Some(p);
                    self.settings.show_attributes_panel = true;
                    self.zoom_to(&g);
                }
            }
        }
    }

    /// Settings from the settings window: written into the review file (comments kept) unless
    /// the review has no file yet, then the layers reload and the check runs again.
    fn apply_settings(&mut self, file: crate::model::settings::ReviewFile) {
        if self.job.is_some() {
            self.error(self.lang().t(S::Busy).to_string());
            return;
        }
        let Some(doc) = &self.doc else { return };
        let mut review = doc.review.clone();
        review.file = crate::model::settings::ReviewFile {
            decisions: review.file.decisions,
            ..file
        };
        if !doc.untitled {
            let mut to_save = doc.review_with_decisions();
            to_save.file = crate::model::settings::ReviewFile {
                decisions: to_save.file.decisions,
                ..review.file.clone()
            };
            if let Err(e) = to_save.save() {
                self.error(e);
                return;
            }
            review.file.decisions = to_save.file.decisions;
            self.status = StatusLine::Saved(to_save.path.clone());
            self.clean_after_load = true;
        }
        self.check_after_load = true;
        self.spawn(JobKind::Load, move |p| jobs::reload_job(review, p));
    }

    /// The ids of the original zones meeting `r` grown by `tol` (`first`: only the topmost).
    fn originals_meeting(&self, r: geo::Rect<f64>, tol: f64, first: bool) -> Vec<String> {
        use geo::{Distance, Euclidean, Intersects};
        let Some(doc) = &self.doc else {
            return Vec::new();
        };
        let Some(oi) = doc
            .dataset
            .layers
            .iter()
            .position(|l| l.role == crate::model::LayerRole::Original)
        else {
            return Vec::new();
        };
        let layer = &doc.dataset.layers[oi];
        let f = crate::model::fields::Fields::of_layer(layer, &doc.review.file);
        let Some(d) = self.derived.layers.get(oi) else {
            return Vec::new();
        };
        let probe = r.to_polygon();
        let mut out: Vec<String> = Vec::new();
        for fi in d.render.classes.ids_in(r, tol).into_iter().rev() {
            let Some(feature) = layer.features.get(fi) else {
                continue;
            };
            let meets = feature.geometry.intersects(&probe)
                || (tol > 0.0
                    && feature
                        .geometry
                        .0
                        .iter()
                        .any(|p| Euclidean.distance(&probe, p) <= tol));
            if !meets {
                continue;
            }
            if let Some(id) = layer.attr(feature, f.id.or(f.name)) {
                if !out.iter().any(|o| o == id) {
                    out.push(id.to_string());
                }
            }
            if first && !out.is_empty() {
                break;
            }
        }
        out
    }

    /// The preview of a fix, while there is one.
    fn fix_preview_window(&mut self, ctx: &egui::Context) {
        if self.doc.is_none() {
            self.view.fix_preview = None;
        }
        let title = self.settings.lang.t(S::FixPreviewTitle);
        let (lang, busy) = (self.settings.lang, self.job.is_some());
        let doc = self.doc.as_ref();
        let keep = match self.view.fix_preview.as_ref() {
            Some(preview) => draft_window(ctx, title, "fix-preview-window", |ui| {
                panels::fix_preview::fix_preview_ui(ui, doc, preview, lang, busy, &mut self.pending)
            }),
            None => return,
        };
        if !keep
            && !self
                .pending
                .iter()
                .any(|c| matches!(c, AppCommand::ApplyFix(_)))
        {
            self.view.fix_preview = None;
        }
    }

    /// The 保存方案为 window, while it is open.
    fn save_plan_window(&mut self, ctx: &egui::Context) {
        if self.doc.is_none() {
            self.view.save_plan = None;
        }
        let title = self.settings.lang.t(S::SavePlanTitle);
        let (lang, busy) = (self.settings.lang, self.job.is_some());
        let keep = match (self.view.save_plan.as_mut(), self.doc.as_ref()) {
            (Some(draft), Some(doc)) => draft_window(ctx, title, "save-plan-window", |ui| {
                panels::save_plan::save_plan_ui(ui, doc, draft, lang, busy, &mut self.pending)
            }),
            _ => return,
        };
        if !keep {
            self.view.save_plan = None;
        }
    }

    /// Writes the plan where the 保存方案为 window says (refusing to replace a file unless its
    /// box was ticked), points the review at it and saves the review.
    fn save_plan_as(&mut self, draft: &panels::save_plan::SavePlanDraft) {
        let lang = self.lang();
        let Some(doc) = &self.doc else { return };
        let Some(plan) = doc.dataset.layer(crate::model::LayerRole::Zones) else {
            let msg = lang.t(S::NoZonesLayer).to_string();
            self.error(msg);
            return;
        };
        let path = draft.target();
        if (path.exists() || panels::save_plan::is_input(doc, &path)) && !draft.overwrite {
            let msg = format!("{}: {}", lang.t(S::SavePlanExists), path.display());
            self.error(msg);
            return;
        }
        let written = if draft.geojson {
            crate::fix::plan_geojson(plan, &doc.dataset.working_crs)
                .map_err(|t| t.get(lang.model()).to_string())
                .and_then(|text| {
                    crate::io::atomic::write_atomic(&path, text.as_bytes()).map_err(|e| {
                        crate::messages::fix::cannot_write(&path, &e)
                            .get(lang.model())
                            .to_string()
                    })
                })
        } else {
            let encoding = if draft.utf8 {
                crate::io::shp_write::OutEncoding::Utf8
            } else {
                crate::io::shp_write::OutEncoding::Gbk
            };
            crate::fix::write_plan(
                plan,
                &path,
                encoding,
                doc.dataset.working_crs.esri_wkt().as_deref(),
            )
            .map(|_| ())
            .map_err(|e| {
                crate::messages::fix::cannot_write(&path, &e)
                    .get(lang.model())
                    .to_string()
            })
        };
        if let Err(e) = written {
            self.error(e);
            return;
        }
        // The fate of originals edited with the plan is saved with it.
        let mut review = doc.review.clone();
        let originals = match self.write_originals(&mut review) {
            Ok(o) => o,
            Err(e) => {
                self.error(e);
                return;
            }
        };
        if let Some(o) = &originals {
            self.originals_saved_to(o);
        }
        let Some(doc) = &mut self.doc else { return };
        doc.review.file.layers.original = review.file.layers.original;
        doc.review.file.crs_of = review.file.crs_of;
        doc.review.file.encoding_of = review.file.encoding_of;
        let base = doc
            .review
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        doc.review.file.layers.zones = path
            .strip_prefix(&base)
            .map(Path::to_path_buf)
            .unwrap_or_else(|_| path.clone());
        doc.review.file.crs_of.remove("zones");
        doc.review.file.encoding_of.remove("zones");
        doc.plan.mark_saved();
        doc.dirty = true;
        if let Some(z) = Arc::make_mut(&mut doc.dataset)
            .layers
            .iter_mut()
            .find(|l| l.role == crate::model::LayerRole::Zones)
        {
            z.source.path = path.clone();
        }
        self.save(None);
        if matches!(self.status, StatusLine::Saved(_)) {
            self.status =
                StatusLine::Note(format!("{} {}", lang.t(S::PlanSavedTo), path.display()));
        }
    }

    /// The 由原开发区新建整合开发区 window, while it is open.
    fn merge_window(&mut self, ctx: &egui::Context) {
        if self.doc.is_none() {
            self.view.merge = None;
        }
        let title = self.settings.lang.t(S::MergeTitle);
        let (lang, busy) = (self.settings.lang, self.job.is_some());
        let keep = match (self.view.merge.as_mut(), self.doc.as_ref()) {
            (Some(draft), Some(doc)) => draft_window(ctx, title, "merge-window", |ui| {
                panels::merge::merge_ui(ui, doc, draft, lang, busy, &mut self.pending)
            }),
            _ => return,
        };
        if !keep {
            self.view.merge = None;
        }
    }

    /// The settings window (设置/审查规则), while it is open.
    fn settings_window(&mut self, ctx: &egui::Context) {
        if self.doc.is_none() {
            self.view.settings = None;
        }
        let title = self.settings.lang.t(S::SettingsTitle);
        let (lang, busy) = (self.settings.lang, self.job.is_some());
        let keep = match (self.view.settings.as_mut(), self.doc.as_ref()) {
            (Some(draft), Some(doc)) => draft_window(ctx, title, "settings-window", |ui| {
                panels::settings::settings_ui(ui, doc, draft, lang, busy, &mut self.pending)
            }),
            _ => return,
        };
        if !keep {
            self.view.settings = None;
        }
    }

    /// True when the review has unsaved changes that the user has not agreed to give up.
    pub fn must_confirm_discard(&self) -> bool {
        !self.discard_ok && self.doc.as_ref().is_some_and(has_unsaved_work)
    }

    /// Before `cmd` replaces or closes a review with unsaved changes: shows the prompt (保存 /
    /// 不保存 / 取消) and returns true (the command waits for the answer).
    fn ask_before_discarding(&mut self, cmd: &AppCommand) -> bool {
        if !self.must_confirm_discard() {
            return false;
        }
        self.confirm = Some(cmd.clone());
        true
    }

    /// The prompt's answer: save then go on, go on without saving, or stay.
    fn confirm_answer(&mut self, answer: commands::ConfirmAnswer) {
        let Some(cmd) = self.confirm.take() else {
            return;
        };
        match answer {
            commands::ConfirmAnswer::Save => {
                // Goes on once saved (a new review asks where first; cancelling stays).
                self.after_save = Some(cmd);
                self.save(None);
            }
            commands::ConfirmAnswer::DontSave => {
                self.discard_ok = true;
                self.apply(cmd);
            }
            commands::ConfirmAnswer::Cancel => {}
        }
    }

    /// Opens a file dialog of `kind` (titled `title`) unless one is open already.
    fn file_dialog(&mut self, kind: dialogs::DialogKind, title: S) {
        if self.dialog.is_some() {
            self.error(self.lang().t(S::DialogOpen).to_string());
            return;
        }
        let request = dialogs::DialogRequest {
            kind,
            start_dir: self.doc.as_ref().map(|d| d.review.base_dir()),
            title: self.lang().t(title).to_string(),
        };
        match dialogs::spawn(request, self.ctx.clone()) {
            Ok(d) => self.dialog = Some(d),
            Err(e) => self.error(e),
        }
    }

    /// Takes the answer of the open file dialog.
    fn poll_dialog(&mut self) {
        let Some(answer) = self.dialog.as_ref().and_then(|d| d.poll()) else {
            return;
        };
        self.dialog = None;
        let failed = match answer {
            Ok(Some(cmd)) => {
                self.pending.push(cmd);
                return;
            }
            Ok(None) => None,
            Err(e) => Some(e),
        };
        // Cancelled, or not shown: nothing is given up, nothing waits for a save.
        self.discard_ok = false;
        self.after_save = None;
        if let Some(e) = failed {
            let lang = self.lang();
            self.error(match e {
                dialogs::DialogError::NotInstalled(why) => {
                    format!("{} ({why})", lang.t(S::DialogLibraryMissing))
                }
                dialogs::DialogError::NoDisplay => lang.t(S::DialogNoDisplay).to_string(),
            });
        }
    }

    /// The unsaved-changes prompt, while a command waits for it.
    fn confirm_window(&mut self, ctx: &egui::Context) {
        if self.confirm.is_none() {
            return;
        }
        let lang = self.lang();
        let name = self
            .doc
            .as_ref()
            .map(|d| doc_name(d, lang))
            .unwrap_or_default();
        let mut answer = None;
        egui::Modal::new(egui::Id::unique("unsaved-changes")).show(ctx, |ui| {
            ui.heading(lang.t(S::UnsavedTitle));
            ui.label(lang.t(S::UnsavedText));
            ui.monospace(name);
            ui.add_space(6.0);
            ui.horizontal(|ui| {
                if ui.button(lang.t(S::Save)).clicked() {
                    answer = Some(commands::ConfirmAnswer::Save);
                }
                if ui.button(lang.t(S::DontSave)).clicked() {
                    answer = Some(commands::ConfirmAnswer::DontSave);
                }
                if ui.button(lang.t(S::Cancel)).clicked() {
                    answer = Some(commands::ConfirmAnswer::Cancel);
                }
            });
        });
        if let Some(a) = answer {
            self.pending.push(AppCommand::Confirm(a));
        }
    }

    /// The first recovery file found at start-up, offered back (恢复 / 放弃).
    fn recovery_window(&mut self, ctx: &egui::Context) {
        let Some(found) = self.recovery_offers.first() else {
            return;
        };
        if self.confirm.is_some() {
            return;
        }
        let lang = self.lang();
        let snap = &found.snapshot;
        let name = if snap.untitled {
            format!("{} ({})", lang.t(S::Untitled), snap.review_path.display())
        } else {
            snap.review_path.display().to_string()
        };
        let when = format!("{} {}", lang.t(S::RecoverWhen), utc_time(snap.saved_at));
        let mut answer = None;
        egui::Modal::new(egui::Id::unique("recover-review")).show(ctx, |ui| {
            ui.heading(lang.t(S::RecoverTitle));
            ui.label(lang.t(S::RecoverText));
            ui.monospace(name);
            ui.label(when);
            ui.add_space(6.0);
            ui.horizontal(|ui| {
                if ui.button(lang.t(S::Restore)).clicked() {
                    answer = Some(true);
                }
                if ui.button(lang.t(S::Discard)).clicked() {
                    answer = Some(false);
                }
            });
        });
        if let Some(a) = answer {
            self.pending.push(AppCommand::Recover(a));
        }
    }

    /// Restores (or discards) the first recovery file offered.
    fn recover(&mut self, restore: bool) {
        if restore && self.job.is_some() {
            self.error(self.lang().t(S::Busy).to_string());
            return;
        }
        if self.recovery_offers.is_empty() {
            return;
        }
        let found = self.recovery_offers.remove(0);
        if !restore {
            let _ = std::fs::remove_file(&found.file);
            return;
        }
        let dir = self
            .recovery_dir
            .clone()
            .or_else(|| found.file.parent().map(Path::to_path_buf))
            .unwrap_or_default();
        let review = match recovery::review_with_plan(&dir, &found.snapshot) {
            Ok((r, origin)) => {
                self.restored_plan_origin = origin;
                r
            }
            Err(e) => {
                let msg = format!(
                    "{}: {e}: {}",
                    self.lang().t(S::RecoveryFailed),
                    found.file.display()
                );
                self.error(msg);
                return;
            }
        };
        let untitled = found.snapshot.untitled;
        self.restoring = true;
        self.spawn(JobKind::Load, move |p| {
            let decisions = decisions::Decisions::from_rows(&review.file.decisions);
            JobOutput::Loaded(jobs::load_layers(review, p).map(|mut l| {
                l.decisions = Some(decisions);
                l.untitled = untitled;
                Box::new(l)
            }))
        });
    }

    /// Removes the current review's recovery file and forgets what was autosaved.
    fn forget_recovery(&mut self) {
        if let (Some(dir), Some(doc)) = (&self.recovery_dir, &self.doc) {
            recovery::remove(dir, &doc.review.path);
        }
        self.forget_autosave();
    }

    /// Keeps the panic hook's snapshot up to date and writes the recovery file of an unsaved
    /// review: at once when its decisions changed, other changes within
    /// [`autosave_interval`].
    fn autosave(&mut self, ctx: &egui::Context) {
        let Some(dir) = self.recovery_dir.clone() else {
            return;
        };
        let Some(doc) = self.doc.as_ref().filter(|d| has_unsaved_work(d)) else {
            self.forget_autosave();
            return;
        };
        let review = doc.review_with_decisions();
        let plan_revision = doc.plan.is_dirty().then(|| doc.plan.revision());
        let seen = (
            review.path.clone(),
            review.file.clone(),
            doc.untitled,
            plan_revision,
        );
        if self.autosave.seen.as_ref() != Some(&seen) {
            let Ok(toml) = review.to_toml() else { return };
            // An edited plan goes with it (as GeoJSON in the working CRS), written at once.
            let plan = plan_revision.and_then(|_| {
                let zones = doc.dataset.layer(crate::model::LayerRole::Zones)?;
                // Always written: a working CRS without an EPSG code goes by its definition.
                let crs = &doc.dataset.working_crs;
                let originals = doc
                    .dataset
                    .layer(crate::model::LayerRole::Original)
                    .filter(|_| doc.plan.originals_touched())
                    .map(|o| recovery::RecoveredLayer {
                        path: o.source.path.clone(),
                        geojson: crate::fix::plan_geojson_text(o, crs.epsg),
                    });
                Some(recovery::RecoveredPlan {
                    zones_path: zones.source.path.clone(),
                    geojson: crate::fix::plan_geojson_text(zones, crs.epsg),
                    crs: crs.definition.clone(),
                    originals,
                })
            });
            let plan_changed = self.autosave.seen.as_ref().map(|s| s.3) != Some(plan_revision)
                && plan_revision.is_some();
            let snapshot = recovery::Snapshot {
                review_path: review.path.clone(),
                untitled: doc.untitled,
                saved_at: recovery::now(),
                review_toml: toml,
                plan,
            };
            if let Ok(mut shared) = self.recovery_shared.lock() {
                *shared = Some((dir.clone(), snapshot.clone()));
            }
            let written = self
                .autosave
                .written_decisions
                .as_ref()
                .unwrap_or(&doc.review.file.decisions);
            if *written != review.file.decisions || plan_changed {
                self.autosave.due = Some(std::time::Instant::now());
            } else if self.autosave.due.is_none() {
                self.autosave.due = Some(std::time::Instant::now() + autosave_interval());
            }
            self.autosave.snapshot = Some(snapshot);
            self.autosave.seen = Some(seen);
        }
        let Some(due) = self.autosave.due else { return };
        let now = std::time::Instant::now();
        if now < due {
            ctx.request_repaint_after(due - now);
            return;
        }
        let Some(snapshot) = &self.autosave.snapshot else {
            return;
        };
        match recovery::write(&dir, snapshot) {
            Ok(_) => {
                self.autosave.due = None;
                self.autosave.written_decisions =
                    self.autosave.seen.as_ref().map(|s| s.1.decisions.clone());
            }
            Err(e) => {
                // Said once; autosave stops for this session.
                self.error(e);
                self.recovery_dir = None;
            }
        }
    }

    /// Forgets what was autosaved (the review was saved, discarded or replaced).
    fn forget_autosave(&mut self) {
        self.autosave = Autosave::default();
        if let Ok(mut shared) = self.recovery_shared.lock() {
            *shared = None;
        }
    }

    /// The window title: the review's file name, `*` while it has unsaved changes.
    fn update_title(&mut self, ctx: &egui::Context) {
        let lang = self.lang();
        let title = match &self.doc {
            Some(d) => format!(
                "{}{} — zonecheck",
                doc_name(d, lang),
                if d.dirty || d.plan.is_dirty() {
                    " *"
                } else {
                    ""
                }
            ),
            None => "zonecheck".to_string(),
        };
        if title != self.window_title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.window_title = title;
        }
    }

    /// Test hooks of the debug build, for tests/dialogs.rs: `ZONECHECK_TEST_STATE=<file>`
    /// writes what the app shows (review, layers, unsaved, prompts) whenever it changes;
    /// `ZONECHECK_TEST_PANIC=dirty` panics once a review has unsaved changes.
    #[cfg(debug_assertions)]
    fn test_hooks(&mut self) {
        if let Some(path) = std::env::var_os("ZONECHECK_TEST_STATE") {
            let doc = self.doc.as_ref();
            let state = serde_json::json!({
                "review": doc.map(|d| d.review.path.display().to_string()),
                "untitled": doc.map(|d| d.untitled),
                "dirty": doc.map(|d| d.dirty),
                "layers": doc.map(|d| d.dataset.layers.iter().map(|l| l.name.clone()).collect::<Vec<_>>()),
                "busy": self.is_busy(),
                "dialog_open": self.dialog.is_some(),
                "confirm_open": self.confirm.is_some(),
                "recovery_offers": self.recovery_offers.len(),
                "exported": self.export_done.as_ref().map(|e| e.dir.display().to_string()),
                "messages": self.messages.iter().map(|m| m.text.clone()).collect::<Vec<_>>(),
            })
            .to_string();
            if state != self.test_state_written {
                let _ = crate::io::atomic::write_atomic(Path::new(&path), state.as_bytes());
                self.test_state_written = state;
            }
        }
        self.test_script_step();
        if std::env::var("ZONECHECK_TEST_PANIC").is_ok_and(|v| v == "dirty")
            && self.doc.as_ref().is_some_and(|d| d.dirty)
            && !self.is_busy()
        {
            panic!("ZONECHECK_TEST_PANIC: test panic with unsaved changes");
        }
    }

    /// Debug builds: runs the next line of the `ZONECHECK_TEST_SCRIPT` file when the app is
    /// idle (docs/edit-flow.sh takes its screenshots so). Lines: `check`, `pick ZONE N` (select
    /// the N-th feature of zone ZONE and fit the map to it), `full`, `fix cut|overlaps|gaps|
    /// fragments` (its preview), `apply`, `delete`, `set FIELD VALUE`, `tool vertex|pan`, `save`, `shot NAME` (writes
    /// `NAME.ready` beside the script and waits for `NAME.done`), `quit`.
    #[cfg(debug_assertions)]
    fn test_script_step(&mut self) {
        let Some(path) = std::env::var_os("ZONECHECK_TEST_SCRIPT").map(PathBuf::from) else {
            return;
        };
        if self.test_script.is_none() {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            self.test_script = Some(
                text.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && !l.starts_with('#'))
                    .map(str::to_string)
                    .collect(),
            );
        }
        if let Some(done) = &self.test_script_wait {
            if !done.exists() {
                if let Some(ctx) = &self.ctx {
                    ctx.request_repaint_after(Duration::from_millis(100));
                }
                return;
            }
            self.test_script_wait = None;
        }
        if self.is_busy() || !self.pending.is_empty() || self.derived.render_busy() {
            if let Some(ctx) = &self.ctx {
                ctx.request_repaint_after(Duration::from_millis(50));
            }
            return;
        }
        let Some(line) = self.test_script.as_mut().and_then(|s| s.pop_front()) else {
            return;
        };
        if let Some(ctx) = &self.ctx {
            ctx.request_repaint_after(Duration::from_millis(300));
        }
        let words: Vec<&str> = line.splitn(3, ' ').collect();
        let zones = self.doc.as_ref().and_then(|d| {
            d.dataset
                .layers
                .iter()
                .position(|l| l.role == crate::model::LayerRole::Zones)
                .map(|zi| (zi, &d.dataset.layers[zi], &d.review.file))
        });
        match words.as_slice() {
            ["check"] => self.pending.push(AppCommand::RunCheck),
            ["full"] => self.pending.push(AppCommand::ZoomFull),
            ["save"] => self.pending.push(AppCommand::Save),
            ["apply"] => self.pending.push(AppCommand::ApplyFix(true)),
            ["quit"] => self.pending.push(AppCommand::Quit),
            ["tool", "vertex"] => self.view.tool = Tool::Vertex,
            ["tool", "pan"] => self.view.tool = Tool::Pan,
            ["fix", kind] => {
                let kind = match *kind {
                    "cut" => commands::FixKind::CutProtected,
                    "overlaps" => commands::FixKind::CutOverlaps,
                    "gaps" => commands::FixKind::CloseGaps,
                    _ => commands::FixKind::DropFragments,
                };
                self.view.selected_finding = None;
                self.pending.push(AppCommand::FixZone(kind));
            }
            ["pick", zone, n] => {
                let Some((zi, layer, file)) = zones else {
                    return;
                };
                let fields = crate::model::fields::Fields::of_layer(layer, file);
                let n: usize = n.parse().unwrap_or(0);
                let found = layer
                    .features
                    .iter()
                    .enumerate()
                    .filter(|(_, f)| layer.attr(f, fields.id.or(fields.name)) == Some(*zone))
                    .nth(n);
                if let Some((fi, f)) = found {
                    let bbox = geo::BoundingRect::bounding_rect(&f.geometry);
                    self.view.selected_finding = None;
                    self.view.picked = Some(state::Picked {
                        layer: zi,
                        feature: fi,
                    });
                    self.view.attr_draft = None;
                    self.settings.show_attributes_panel = true;
                    if let (Some(b), Some(rect)) = (bbox, self.view.map_rect) {
                        let grow = b.width().max(b.height()) * 0.6;
                        let r = geo::Rect::new(
                            geo::coord! {x: b.min().x - grow, y: b.min().y - grow},
                            geo::coord! {x: b.max().x + grow, y: b.max().y + grow},
                        );
                        self.view.camera.fit(r, rect, 0.0);
                    }
                }
            }
            ["delete"] => {
                if let Some(p) = self.view.picked {
                    self.pending.push(AppCommand::DeleteFeature(p.feature));
                }
            }
            ["set", field, value] => {
                let Some((_, layer, _)) = zones else { return };
                if let (Some(p), Some(col)) = (self.view.picked, layer.field_index(field)) {
                    self.view.attr_draft = None;
                    self.pending.push(AppCommand::EditAttribute {
                        feature: p.feature,
                        field: col,
                        value: Some(value.to_string()),
                    });
                }
            }
            ["shot", name] => {
                let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
                let _ = std::fs::write(dir.join(format!("{name}.ready")), b"");
                self.test_script_wait = Some(dir.join(format!("{name}.done")));
            }
            _ => {}
        }
    }

    /// The plan summary window (方案汇总), while it is open.
    fn plan_summary_window(&mut self, ctx: &egui::Context) {
        if !self.view.plan.open {
            return;
        }
        let lang = self.lang();
        let mut open = true;
        let Self {
            doc,
            derived,
            view,
            pending,
            ..
        } = self;
        egui::Window::new(lang.t(S::PlanSummary))
            .id(egui::Id::unique("plan-summary-window"))
            .open(&mut open)
            .resizable(false)
            .default_pos([280.0, 140.0])
            .show(ctx, |ui| {
                panels::plan::plan_summary_ui(
                    ui,
                    doc.as_ref(),
                    derived.check.as_ref(),
                    &mut view.plan.group,
                    lang,
                    pending,
                );
            });
        self.view.plan.open &= open;
    }

    /// After an export: where it went, with buttons to open the folder and the HTML report.
    fn export_done_window(&mut self, ctx: &egui::Context) {
        let Some(done) = &self.export_done else {
            return;
        };
        let lang = self.lang();
        let mut open = true;
        let mut cmds = Vec::new();
        egui::Window::new(lang.t(S::ExportFinished))
            .id(egui::Id::unique("export-done-window"))
            .open(&mut open)
            .collapsible(false)
            .resizable(false)
            .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
            .show(ctx, |ui| {
                ui.label(lang.t(S::ExportDone));
                ui.monospace(done.dir.display().to_string());
                ui.add_space(4.0);
                ui.horizontal(|ui| {
                    if ui.button(lang.t(S::OpenFolder)).clicked() {
                        cmds.push(AppCommand::OpenExternal(done.dir.clone()));
                    }
                    let report = ui.add_enabled(
                        done.report.is_some(),
                        egui::Button::new(lang.t(S::OpenReport)),
                    );
                    if let (true, Some(r)) = (report.clicked(), &done.report) {
                        cmds.push(AppCommand::OpenExternal(r.clone()));
                    }
                });
            });
        if !open {
            self.export_done = None;
        }
        self.pending.extend(cmds);
    }

    /// Opens a file or folder with the launcher; a missing path or a failure is a message
    /// naming the path.
    fn open_external(&mut self, path: &Path) {
        let lang = self.lang();
        if !path.exists() {
            self.error(format!(
                "{}: {}: {}",
                lang.t(S::OpenFailed),
                lang.t(S::NotFound),
                path.display()
            ));
            return;
        }
        if let Err(e) = (self.launcher)(path) {
            self.error(format!(
                "{} ({e}): {}",
                lang.t(S::OpenFailed),
                path.display()
            ));
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
        self.feature_geometry(self.view.picked?)
    }

    /// A copy of the geometry of feature `p`, if the document still has it.
    fn feature_geometry(&self, p: state::Picked) -> Option<crate::model::Geom> {
        let layer = self.doc.as_ref()?.dataset.layers.get(p.layer)?;
        Some(layer.features.get(p.feature)?.geometry.clone())
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
        // Within the plan-summary group the findings list is narrowed to (plan findings stay).
        let group_ids = self
            .view
            .plan
            .group
            .as_ref()
            .and_then(|g| g.zone_ids(&check.analysis.plan));
        let in_group = |zone: Option<usize>| match (group_ids, zone) {
            (Some(ids), Some(z)) => check
                .analysis
                .zones
                .get(z)
                .is_some_and(|zr| ids.contains(&zr.id)),
            _ => true,
        };
        let shown: Vec<FindingKey> = check
            .order
            .iter()
            .filter(|p| {
                in_group(p.zone) && check.finding(p).is_some_and(|f| self.view.shows_finding(f))
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

    /// Saves the review with its decisions (atomically, keeping the comments and layout of the
    /// parts of the file that did not change); with `to`, to that file, layer paths rewritten
    /// relative to it. A new review without a file asks where.
    /// The zone the edit commands act on: the selected finding's zone, else the zone of the
    /// feature picked on the zones layer.
    pub fn selected_zone(&self) -> Option<String> {
        if let Some(z) = self
            .view
            .selected_finding
            .as_ref()
            .and_then(|k| k.zone.clone())
        {
            return Some(z);
        }
        let doc = self.doc.as_ref()?;
        let picked = self.view.picked.as_ref()?;
        let layer = doc.dataset.layers.get(picked.layer)?;
        if layer.role != crate::model::LayerRole::Zones {
            return None;
        }
        let fields = crate::model::fields::Fields::of_layer(layer, &doc.review.file);
        let f = layer.features.get(picked.feature)?;
        layer
            .attr(f, fields.id.or(fields.name))
            .map(str::to_string)
            .or_else(|| Some(format!("#{}", f.index)))
    }

    /// Applies a fix to the selected zone as one edit.
    fn fix_selected_zone(&mut self, kind: commands::FixKind) {
        if self.job.is_some() {
            return;
        }
        let lang = self.lang();
        let Some(zone) = self.selected_zone() else {
            self.error(lang.t(S::FixNeedsZone).to_string());
            return;
        };
        let Some(doc) = &self.doc else { return };
        let Some(plan) = doc.dataset.layer(crate::model::LayerRole::Zones) else {
            return;
        };
        let fields = crate::model::fields::Fields::of_layer(plan, &doc.review.file);
        // Cutting overlaps: the other zones are what is cut out, taken as a protected layer.
        let others;
        let protected = if kind == commands::FixKind::CutOverlaps {
            others = crate::fix::other_zones(plan, &fields, &zone);
            crate::fix::Protected::new([&others])
        } else {
            let index = self.derived.protection_index.get_or_insert_with(|| {
                Arc::new(crate::fix::ProtectionIndex::build(
                    &doc.dataset.layers,
                    &doc.review.file.layers,
                ))
            });
            crate::fix::Protected::with_index(&doc.dataset.layers, index)
        };
        let options = crate::fix::FixOptions {
            cut_protected: matches!(
                kind,
                commands::FixKind::CutProtected | commands::FixKind::CutOverlaps
            ),
            close_gaps: kind == commands::FixKind::CloseGaps,
            drop_fragments: kind == commands::FixKind::DropFragments,
            zones: vec![zone],
            ..Default::default()
        };
        let (edits, changes) =
            crate::fix::fix_plan(plan, &fields, &protected, &doc.review.file.rules, &options);
        if edits.is_empty() {
            self.status = StatusLine::Note(lang.t(S::NothingToFix).to_string());
            return;
        }
        // Shown first (window and map), applied with 应用.
        let geometry = crate::fix::edits_change_geometry(&edits);
        let zone = options.zones.first().cloned().unwrap_or_default();
        self.view.fix_preview = Some(state::FixPreview {
            kind,
            change: changes.into_iter().find(|c| c.zone == zone),
            zone,
            edits,
            changes: state::PlanChanges::new((geometry.1, geometry.0)),
        });
    }

    /// A finished drawing of the drawing tools as one undoable edit: a new zone (then selected
    /// for its attributes), a part or hole of the selected zone, or its split along a line.
    fn finish_sketch(
        &mut self,
        kind: state::DrawKind,
        target: Option<usize>,
        points: &[geo::Coord<f64>],
    ) {
        use crate::model::edit::PlanEdit;
        use crate::spatial::edit as ge;
        use state::DrawKind;
        let lang = self.lang();
        let Some(doc) = &self.doc else { return };
        let Some(zi) = doc
            .dataset
            .layers
            .iter()
            .position(|l| l.role == crate::model::LayerRole::Zones)
        else {
            let msg = lang.t(S::NoZonesLayer).to_string();
            self.error(msg);
            return;
        };
        let plan = &doc.dataset.layers[zi];
        let text = |e: ge::GeomEditError| e.text().get(lang.model()).to_string();
        let result: Result<PlanEdit, String> = match kind {
            DrawKind::Zone => {
                let fields = crate::model::fields::Fields::of_layer(plan, &doc.review.file);
                ge::drawn_polygon(points).map_err(text).and_then(|g| {
                    crate::fix::drawn_zone(plan, &fields, g)
                        .map_err(|t| t.get(lang.model()).to_string())
                })
            }
            DrawKind::Part | DrawKind::Hole | DrawKind::Split => {
                let Some((t, f)) = target.and_then(|t| plan.features.get(t).map(|f| (t, f))) else {
                    self.status = StatusLine::Note(lang.t(S::HintSelectZone).to_string());
                    return;
                };
                let g = &f.geometry;
                let geometry = |after: crate::model::Geom| PlanEdit::Geometry {
                    feature: t,
                    before: g.clone(),
                    after,
                };
                match kind {
                    DrawKind::Part => ge::add_part(g, points).map(geometry).map_err(text),
                    DrawKind::Hole => ge::cut_hole(g, points).map(geometry).map_err(text),
                    _ => ge::split(g, points)
                        .map_err(text)
                        .and_then(|(pieces, whole)| {
                            crate::fix::split_edit(plan, t, pieces, whole)
                                .ok_or_else(|| text(ge::GeomEditError::NoSplit))
                        }),
                }
            }
        };
        let new_feature = plan.features.len();
        match result {
            Ok(edit) => {
                self.view.edit.refused = None;
                self.edit_plan(edit);
                if kind == DrawKind::Zone {
                    self.view.picked = Some(state::Picked {
                        layer: zi,
                        feature: new_feature,
                    });
                    self.view.attr_draft = None;
                    self.settings.show_attributes_panel = true;
                }
            }
            Err(msg) => {
                self.view.edit.refused = Some(msg.clone());
                self.status = StatusLine::Note(msg);
            }
        }
    }

    /// Applies `edit` to the plan (recorded for undo), then re-checks.
    fn edit_plan(&mut self, edit: crate::model::edit::PlanEdit) {
        let lang = self.lang();
        let Some(doc) = &mut self.doc else { return };
        let ds = Arc::make_mut(&mut doc.dataset);
        let Some(zi) = ds
            .layers
            .iter()
            .position(|l| l.role == crate::model::LayerRole::Zones)
        else {
            return;
        };
        let originals = edit.touches_originals();
        let before = ds.layers[zi].clone();
        if let Err(e) = doc.plan.apply_in(&mut ds.layers, edit) {
            self.error(e.text().get(lang.model()).to_string());
            return;
        }
        // An original's fate changes plan findings: the whole check runs again.
        let changed = if originals {
            None
        } else {
            crate::analysis::changed_zones(&before, &ds.layers[zi], &doc.review.file)
        };
        self.after_plan_change(zi, changed);
    }

    fn undo_redo(&mut self, undo: bool) {
        if self.job.is_some() {
            return;
        }
        let lang = self.lang();
        let Some(doc) = &mut self.doc else { return };
        if !(if undo {
            doc.plan.can_undo()
        } else {
            doc.plan.can_redo()
        }) {
            return;
        }
        let ds = Arc::make_mut(&mut doc.dataset);
        let Some(zi) = ds
            .layers
            .iter()
            .position(|l| l.role == crate::model::LayerRole::Zones)
        else {
            return;
        };
        let before = ds.layers[zi].clone();
        let done = if undo {
            doc.plan.undo_in(&mut ds.layers)
        } else {
            doc.plan.redo_in(&mut ds.layers)
        };
        let originals = match done {
            Err(e) => {
                self.error(e.text().get(lang.model()).to_string());
                return;
            }
            Ok(e) => e.is_some_and(|e| e.touches_originals()),
        };
        let changed = if originals {
            None
        } else {
            crate::analysis::changed_zones(&before, &ds.layers[zi], &doc.review.file)
        };
        self.after_plan_change(zi, changed);
    }

    /// After the zones layer (layer `zi`) changed: new revision, its labels, bounds and render
    /// caches rebuilt, the check run again.
    fn after_plan_change(
        &mut self,
        zi: usize,
        changed: Option<std::collections::BTreeSet<String>>,
    ) {
        // The check of the plan before the edit, when it is current: only the changed zones
        // need checking again (`analysis::recheck`).
        let previous = self.current_check().map(|c| c.analysis.clone());
        let note = self.lang().t(S::PlanEdited).to_string();
        let revision = self.next_revision;
        self.next_revision += 1;
        let Some(doc) = &mut self.doc else { return };
        doc.revision = revision;
        if let (Some(d), Some(l)) = (self.derived.layers.get_mut(zi), doc.dataset.layers.get(zi)) {
            *d = state::LayerDerived::build(l, &doc.review);
        }
        if doc.plan.originals_touched() {
            if let Some(oi) = doc
                .dataset
                .layers
                .iter()
                .position(|l| l.role == crate::model::LayerRole::Original)
            {
                if let (Some(d), Some(l)) =
                    (self.derived.layers.get_mut(oi), doc.dataset.layers.get(oi))
                {
                    *d = state::LayerDerived::build(l, &doc.review);
                }
                // The check's index of the original zones was of their features before.
                self.derived.check_indexes = None;
            }
        }
        self.derived.render_worker = None;
        self.derived.highlight = None;
        // The properties panel shows the values as they now are (after an undo too).
        self.view.attr_draft = None;
        self.status = StatusLine::Note(note);
        match (changed, previous) {
            (Some(changed), Some(previous)) if self.job.is_none() => {
                let indexes = self.derived.check_indexes(&doc.dataset);
                let dataset = doc.dataset.clone();
                let review = doc.review.clone();
                let failures = doc.failures.clone();
                let baseline = doc.baseline.clone().filter(|_| !doc.plan.done().is_empty());
                self.status = StatusLine::Checking;
                self.spawn(JobKind::Check, move |p| {
                    let out = jobs::recheck_job(
                        &dataset, &review, &failures, revision, p, &indexes, &previous, &changed,
                    );
                    jobs::with_changes(out, baseline.as_deref())
                });
            }
            _ => self.apply(AppCommand::RunCheck),
        }
    }

    /// Writes the comparison of the edited plan with the plan as loaded (per zone: area added
    /// and removed, protected land occupied, blocking findings and findings before and after) as
    /// `<stem>_changes.csv` beside the zones layer (a new name when taken).
    fn export_plan_comparison(&self) -> Result<PathBuf, String> {
        let lang = self.lang();
        let doc = self.doc.as_ref().ok_or_else(String::new)?;
        let (Some(before), Some(after)) = (&doc.baseline, self.current_check()) else {
            return Err(lang.t(S::CompareNeedsChecks).to_string());
        };
        let rows = crate::fix::compare_plans(before, &after.analysis);
        let plan = doc
            .dataset
            .layer(crate::model::LayerRole::Zones)
            .ok_or_else(|| lang.t(S::NoZonesLayer).to_string())?;
        let path = free_path_beside(&plan.source.path, "changes", "csv");
        crate::io::atomic::write_atomic(&path, crate::fix::comparison_csv(&rows).as_bytes())
            .map_err(|e| {
                crate::messages::fix::cannot_write(&path, &e)
                    .get(lang.model())
                    .to_string()
            })?;
        Ok(path)
    }

    /// Writes the plan as GeoJSON beside the zones layer (`<stem>_edited.geojson`, or
    /// `_edited_2`, … so that no existing file is replaced), in the working CRS.
    fn export_plan_geojson(&self) -> Result<PathBuf, String> {
        let lang = self.lang();
        let doc = self.doc.as_ref().ok_or_else(String::new)?;
        let plan = doc
            .dataset
            .layer(crate::model::LayerRole::Zones)
            .ok_or_else(|| lang.t(S::NoZonesLayer).to_string())?;
        let path = free_path_beside(&plan.source.path, "edited", "geojson");
        let text = crate::fix::plan_geojson(plan, &doc.dataset.working_crs)
            .map_err(|t| t.get(lang.model()).to_string())?;
        crate::io::atomic::write_atomic(&path, text.as_bytes()).map_err(|e| {
            crate::messages::fix::cannot_write(&path, &e)
                .get(lang.model())
                .to_string()
        })?;
        Ok(path)
    }

    /// Writes the plan as 国土TXT beside the zones layer (`<stem>_edited.txt`, or `_edited_2`,
    /// … so that no existing file is replaced): one parcel per zone, working CRS, 3 decimals,
    /// GBK (UTF-8 when a name has no GBK code).
    fn export_plan_gtxt(&self) -> Result<PathBuf, String> {
        let lang = self.lang();
        let doc = self.doc.as_ref().ok_or_else(String::new)?;
        let plan = doc
            .dataset
            .layer(crate::model::LayerRole::Zones)
            .ok_or_else(|| lang.t(S::NoZonesLayer).to_string())?;
        let path = free_path_beside(&plan.source.path, "edited", "txt");
        let bytes = crate::fix::plan_gtxt(
            plan,
            &doc.review.file,
            &doc.dataset.working_crs,
            crate::report::DEFAULT_COORD_DECIMALS,
        );
        crate::io::atomic::write_atomic(&path, &bytes).map_err(|e| {
            crate::messages::fix::cannot_write(&path, &e)
                .get(lang.model())
                .to_string()
        })?;
        Ok(path)
    }

    /// Writes the edited plan as a shapefile beside the zones layer (`<stem>_edited.shp`, or
    /// `_edited_2`, … when that name is taken by a file the plan was not saved to), GBK unless a
    /// value needs UTF-8, and points `review` at it. Returns the path written.
    fn write_plan(&self, review: &mut crate::io::review::Review) -> Result<PathBuf, String> {
        let lang = self.lang();
        let doc = self.doc.as_ref().ok_or_else(String::new)?;
        let plan = doc
            .dataset
            .layer(crate::model::LayerRole::Zones)
            .ok_or_else(|| lang.t(S::NoZonesLayer).to_string())?;
        let current = plan.source.path.clone();
        // Saving again writes over the plan's own earlier save, never over another file.
        let stem = current
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let path = if stem.ends_with("_edited") || stem.contains("_edited_") {
            current.clone()
        } else {
            free_path_beside(&current, "edited", "shp")
        };
        let gbk_ok = plan.features.iter().all(|f| {
            f.attrs
                .iter()
                .flatten()
                .all(|v| !encoding_rs::GBK.encode(v).2)
        });
        let encoding = if gbk_ok {
            crate::io::shp_write::OutEncoding::Gbk
        } else {
            crate::io::shp_write::OutEncoding::Utf8
        };
        crate::fix::write_plan(
            plan,
            &path,
            encoding,
            doc.dataset.working_crs.esri_wkt().as_deref(),
        )
        .map_err(|e| {
            crate::messages::fix::cannot_write(&path, &e)
                .get(lang.model())
                .to_string()
        })?;
        let base = review
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        review.file.layers.zones = path
            .strip_prefix(&base)
            .map(Path::to_path_buf)
            .unwrap_or_else(|_| path.clone());
        review.file.crs_of.remove("zones");
        review.file.encoding_of.remove("zones");
        Ok(path)
    }

    /// When the fate of an original was edited (done or undone), writes the original-zones
    /// layer as `<stem>_edited.shp` beside it (over its own earlier save, never over another
    /// file), GBK unless a value needs UTF-8, and points `review` at it. Returns the path
    /// written, if any.
    fn write_originals(
        &self,
        review: &mut crate::io::review::Review,
    ) -> Result<Option<PathBuf>, String> {
        let lang = self.lang();
        let Some(doc) = self.doc.as_ref() else {
            return Ok(None);
        };
        if !doc.plan.originals_touched() {
            return Ok(None);
        }
        let Some(layer) = doc.dataset.layer(crate::model::LayerRole::Original) else {
            return Ok(None);
        };
        let current = layer.source.path.clone();
        let stem = current
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let path = if stem.ends_with("_edited") || stem.contains("_edited_") {
            current.with_extension("shp")
        } else {
            free_path_beside(&current, "edited", "shp")
        };
        let encoding = if panels::save_plan::gbk_can_hold(layer) {
            crate::io::shp_write::OutEncoding::Gbk
        } else {
            crate::io::shp_write::OutEncoding::Utf8
        };
        crate::fix::write_plan(
            layer,
            &path,
            encoding,
            doc.dataset.working_crs.esri_wkt().as_deref(),
        )
        .map_err(|e| {
            crate::messages::fix::cannot_write(&path, &e)
                .get(lang.model())
                .to_string()
        })?;
        let base = review
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        review.file.layers.original = Some(
            path.strip_prefix(&base)
                .map(Path::to_path_buf)
                .unwrap_or_else(|_| path.clone()),
        );
        review.file.crs_of.remove("original");
        review.file.encoding_of.remove("original");
        Ok(Some(path))
    }

    /// Points the dataset's original-zones layer at the file it was saved to.
    fn originals_saved_to(&mut self, path: &Path) {
        if let Some(doc) = &mut self.doc {
            if let Some(o) = Arc::make_mut(&mut doc.dataset)
                .layers
                .iter_mut()
                .find(|l| l.role == crate::model::LayerRole::Original)
            {
                o.source.path = path.to_path_buf();
            }
        }
    }

    fn save(&mut self, to: Option<PathBuf>) {
        let Some(doc) = &self.doc else { return };
        if to.is_none() && doc.untitled {
            self.apply(AppCommand::SaveAsDialog);
            return;
        }
        let mut review = doc.review_with_decisions();
        if let Some(path) = &to {
            review = rebase_review(&review, path);
        }
        // An edited plan is written first, as a new layer beside the zones layer, and the
        // review points at it (no input is replaced).
        let mut plan_saved = None;
        let mut originals_saved = None;
        if doc.plan.is_dirty() {
            match self
                .write_plan(&mut review)
                .and_then(|p| Ok((p, self.write_originals(&mut review)?)))
            {
                Ok((p, o)) => {
                    plan_saved = Some(p);
                    originals_saved = o;
                }
                Err(e) => {
                    self.after_save = None;
                    self.error(e);
                    return;
                }
            }
        }
        if let Err(e) = review.save() {
            self.after_save = None;
            self.error(e);
            return;
        }
        let path = review.path.clone();
        // The saved state needs no recovery file (under the old name or the new).
        self.forget_recovery();
        if let Some(doc) = &mut self.doc {
            doc.review = review;
            doc.dirty = false;
            doc.untitled = false;
            if let Some(p) = &plan_saved {
                doc.plan.mark_saved();
                if let Some(z) = Arc::make_mut(&mut doc.dataset)
                    .layers
                    .iter_mut()
                    .find(|l| l.role == crate::model::LayerRole::Zones)
                {
                    z.source.path = p.clone();
                }
            }
        }
        self.forget_recovery();
        if let Some(o) = &originals_saved {
            self.originals_saved_to(o);
        }
        self.settings.add_recent(path.clone());
        self.status = StatusLine::Saved(path);
        if let Some(next) = self.after_save.take() {
            self.apply(next);
        }
    }
}

/// Unsaved changes worth keeping: a blank new review (no layer, no decision) has none.
fn has_unsaved_work(doc: &Document) -> bool {
    doc.plan.is_dirty()
        || doc.dirty
            && !(doc.untitled
                && doc.dataset.layers.is_empty()
                && doc.failures.is_empty()
                && doc.decisions.is_empty())
}

/// The review's name for the title and the prompt: its file name, or "untitled review".
fn doc_name(doc: &Document, lang: Lang) -> String {
    if doc.untitled {
        return lang.t(S::Untitled).to_string();
    }
    doc.review
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| doc.review.path.display().to_string())
}

/// `YYYY-MM-DD HH:MM UTC` of seconds since 1970 (civil-from-days, proleptic Gregorian).
pub fn utc_time(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rem / 3600,
        (rem % 3600) / 60
    )
}

/// A new review: with a zones layer, placed in that layer's folder; without, in the current
/// folder. It has no file until saved.
pub fn new_review(zones: Option<&Path>) -> crate::io::review::Review {
    // A file picked inside a `.gdb` folder stands for the geodatabase.
    let gdb = zones.and_then(crate::io::gdal_in::gdb_folder_of);
    let zones = gdb.as_deref().or(zones);
    let dir = zones
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .filter(|p| !p.as_os_str().is_empty())
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("."));
    let mut file = crate::model::settings::ReviewFile::default();
    if let Some(z) = zones {
        file.layers.zones = review_edit::stored_path(&dir, z);
    }
    crate::io::review::Review {
        file,
        path: dir.join("review.toml"),
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
    if !l.zones.as_os_str().is_empty() {
        l.zones = rel(&l.zones);
    }
    for p in [
        &mut l.original,
        &mut l.redline,
        &mut l.farmland,
        &mut l.water,
        &mut l.townships,
        &mut l.barriers,
        &mut l.new_industrial,
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

impl eframe::App for ZonecheckApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        ZonecheckApp::ui(self, ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        self.settings.tool = self.view.tool;
        eframe::set_value(storage, STORAGE_KEY, &self.settings);
    }
}

/// A GeoPackage with several feature tables being added: its tables, ticked or not.
#[derive(Clone, Debug, PartialEq)]
pub struct GpkgChoice {
    pub file: PathBuf,
    pub tables: Vec<(String, bool)>,
}

impl GpkgChoice {
    /// `file.gpkg#table` for every ticked table, in the file's order.
    pub fn chosen_paths(&self) -> Vec<PathBuf> {
        let name = self
            .file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.tables
            .iter()
            .filter(|(_, ticked)| *ticked)
            .map(|(t, _)| self.file.with_file_name(format!("{name}#{t}")))
            .collect()
    }
}

/// A window over a draft (settings, new zone from originals): `content` draws it and says
/// whether to keep it open; false also when the window's close button was pressed.
fn draft_window(
    ctx: &egui::Context,
    title: &str,
    id: &str,
    content: impl FnOnce(&mut egui::Ui) -> bool,
) -> bool {
    let mut open = true;
    let mut keep = true;
    egui::Window::new(title)
        .id(egui::Id::unique(id))
        .open(&mut open)
        .resizable(true)
        .default_pos([320.0, 90.0])
        .show(ctx, |ui| keep = content(ui));
    open && keep
}

/// The first free `<stem>_<suffix>.<ext>` (then `_<suffix>_2`, …) in the folder of `layer`, where
/// `<stem>` is the layer file's stem without an earlier `_edited`: a file the app writes beside
/// the zones layer never replaces an existing one.
pub(crate) fn free_path_beside(layer: &Path, suffix: &str, ext: &str) -> PathBuf {
    let dir = layer.parent().map(Path::to_path_buf).unwrap_or_default();
    let stem = layer
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "zones".to_string());
    let stem = stem.trim_end_matches("_edited");
    (1..)
        .map(|k| match k {
            1 => dir.join(format!("{stem}_{suffix}.{ext}")),
            k => dir.join(format!("{stem}_{suffix}_{k}.{ext}")),
        })
        .find(|p| !p.exists())
        .unwrap_or_else(|| dir.join(format!("{stem}_{suffix}.{ext}")))
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
    crate::platform::limit_heaps_to_processors();
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
            // Autosave, the recovery offer, and a panic hook that saves the unsaved review first.
            app.recovery_dir = recovery::default_dir();
            recovery::install_panic_hook(app.recovery_shared.clone());
            if let Some(path) = review {
                app.open(path);
            }
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| e.to_string())
}
