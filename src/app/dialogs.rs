//! The native file dialogs (open review, add layers, save as, new review, export folder).
//!
//! A dialog runs on a named worker thread and hands its answer back over a channel that the app
//! polls every frame, so the window keeps drawing while a dialog is open. On Linux (and the other
//! Unixes but macOS) it is GTK 3's own file chooser, loaded when the first dialog opens
//! ([`super::gtk_dialog`]: no GTK linked into the binary, no desktop portal or async runtime
//! needed; works under Xvfb). On Windows it is the Win32 common dialog and on macOS the system
//! panel, through rfd. One dialog at a time.

use super::commands::AppCommand;
use std::path::PathBuf;
use std::sync::mpsc::{channel, Receiver, TryRecvError};

/// Which dialog.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DialogKind {
    /// A review file (`.toml`) to open.
    OpenReview,
    /// Layer files to add.
    AddLayers,
    /// Where to save the review.
    SaveAs,
    /// The zones layer of a new review (cancel: an empty review).
    NewReview,
    /// The folder to export the reports into.
    ExportFolder,
    /// Where to save the plan (Shapefile or GeoJSON).
    SavePlan,
}

/// A dialog to show.
#[derive(Clone, Debug, PartialEq)]
pub struct DialogRequest {
    pub kind: DialogKind,
    /// The folder the dialog starts in.
    pub start_dir: Option<PathBuf>,
    /// The dialog's title, in the UI language.
    pub title: String,
}

/// Why a dialog could not be shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DialogError {
    /// The system's dialog library (GTK 3 on Linux) could not be loaded; the loader's message.
    NotInstalled(String),
    /// The dialog library could not open the display.
    NoDisplay,
}

/// What a closed dialog gives: the command to apply, `None` when it was cancelled (or its thread
/// died), or why it could not be shown.
pub type DialogAnswer = Result<Option<AppCommand>, DialogError>;

/// An open dialog; its answer arrives on the channel.
pub struct OpenDialog {
    pub kind: DialogKind,
    rx: Receiver<DialogAnswer>,
}

impl OpenDialog {
    /// `Some(answer)` once the dialog closed.
    pub fn poll(&self) -> Option<DialogAnswer> {
        match self.rx.try_recv() {
            Ok(answer) => Some(answer),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(Ok(None)),
        }
    }
}

/// Shows the dialog on a worker thread; the app repaints when it closes.
pub fn spawn(request: DialogRequest, ctx: Option<egui::Context>) -> Result<OpenDialog, String> {
    let (tx, rx) = channel();
    let kind = request.kind;
    std::thread::Builder::new()
        .name("zonecheck-dialog".into())
        .spawn(move || {
            let answer = show_blocking(&request);
            let _ = tx.send(answer);
            if let Some(ctx) = ctx {
                ctx.request_repaint();
            }
        })
        .map_err(|e| format!("cannot start the file dialog thread: {e}"))?;
    Ok(OpenDialog { kind, rx })
}

#[cfg(not(feature = "gdal"))]
const LAYER_EXTENSIONS: &[&str] = &["shp", "geojson", "json", "txt", "gpkg"];
/// With GDAL: also its file formats, and `gdbtable` (a dialog cannot pick the `.gdb` folder: a
/// table file picked inside it stands for the folder, see `io::gdal_in::gdb_folder_of`).
#[cfg(feature = "gdal")]
const LAYER_EXTENSIONS: &[&str] = &[
    "shp", "geojson", "json", "txt", "gpkg", "gdbtable", "dxf", "tab", "mif", "kml", "kmz", "fgb",
];
#[cfg(not(feature = "gdal"))]
const LAYER_FILTER: &str = "shapefile / GeoJSON / 国土TXT / GeoPackage";
#[cfg(feature = "gdal")]
const LAYER_FILTER: &str =
    "shapefile / GeoJSON / 国土TXT / GeoPackage / File Geodatabase / DXF / MapInfo / KML";

/// What the platform's dialog is asked for.
#[derive(Clone, Debug, PartialEq)]
pub struct Ask {
    pub title: String,
    /// The folder it starts in.
    pub start_dir: Option<PathBuf>,
    pub pick: Pick,
    /// One filter: its name and extensions (without the dot).
    pub filter: Option<(&'static str, &'static [&'static str])>,
    /// The proposed file name (`Pick::Save`).
    pub file_name: Option<&'static str>,
}

/// What the dialog picks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pick {
    /// An existing file.
    File,
    /// Existing files, one or more.
    Files,
    /// A file to write (the dialog asks before replacing one).
    Save,
    /// A folder.
    Folder,
}

/// The dialog for `request`.
fn ask_for(request: &DialogRequest) -> Ask {
    let (pick, filter, file_name): (_, Option<(&'static str, &'static [&'static str])>, _) =
        match request.kind {
            DialogKind::OpenReview => (Pick::File, Some(("review (TOML)", &["toml"])), None),
            DialogKind::AddLayers => (Pick::Files, Some((LAYER_FILTER, LAYER_EXTENSIONS)), None),
            DialogKind::SaveAs => (Pick::Save, Some(("TOML", &["toml"])), Some("review.toml")),
            DialogKind::NewReview => (Pick::File, Some((LAYER_FILTER, LAYER_EXTENSIONS)), None),
            DialogKind::ExportFolder => (Pick::Folder, None, None),
            DialogKind::SavePlan => (
                Pick::Save,
                Some(("shapefile / GeoJSON", &["shp", "geojson"])),
                Some("merged_zones_edited.shp"),
            ),
        };
    Ask {
        title: request.title.clone(),
        start_dir: request.start_dir.clone().filter(|d| d.is_dir()),
        pick,
        filter,
        file_name,
    }
}

/// Shows the dialog and waits for it (never on the UI thread).
fn show_blocking(request: &DialogRequest) -> DialogAnswer {
    let chosen = show_platform(ask_for(request))?;
    let first = chosen.as_ref().and_then(|paths| paths.first().cloned());
    Ok(match request.kind {
        DialogKind::OpenReview => first.map(AppCommand::Open),
        DialogKind::AddLayers => chosen
            .filter(|paths| !paths.is_empty())
            .map(AppCommand::AddLayers),
        DialogKind::SaveAs => first.map(AppCommand::SaveAs),
        DialogKind::NewReview => Some(AppCommand::NewReview(first)),
        DialogKind::ExportFolder => first.map(AppCommand::Export),
        DialogKind::SavePlan => first.map(AppCommand::SavePlanPath),
    })
}

/// GTK 3, loaded on first use.
#[cfg(all(unix, not(target_os = "macos")))]
fn show_platform(ask: Ask) -> Result<Option<Vec<PathBuf>>, DialogError> {
    super::gtk_dialog::show(ask)
}

/// rfd: the Win32 common dialog, the macOS panel.
#[cfg(not(all(unix, not(target_os = "macos"))))]
fn show_platform(ask: Ask) -> Result<Option<Vec<PathBuf>>, DialogError> {
    let mut dialog = rfd::FileDialog::new().set_title(&ask.title);
    if let Some(dir) = &ask.start_dir {
        dialog = dialog.set_directory(dir);
    }
    if let Some((name, extensions)) = ask.filter {
        dialog = dialog.add_filter(name, extensions);
    }
    if let Some(name) = ask.file_name {
        dialog = dialog.set_file_name(name);
    }
    Ok(match ask.pick {
        Pick::File => dialog.pick_file().map(|p| vec![p]),
        Pick::Files => dialog.pick_files(),
        Pick::Save => dialog.save_file().map(|p| vec![p]),
        Pick::Folder => dialog.pick_folder().map(|p| vec![p]),
    })
}
