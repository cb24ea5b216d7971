//! The native file dialogs (open review, add layers, save as, new review, export folder).
//!
//! rfd's blocking dialogs run on a named worker thread and hand their answer back over a channel
//! that the app polls every frame, so the window keeps drawing while a dialog is open. On Linux
//! rfd is built with its `gtk3` backend: GTK's own file chooser, run by rfd on a GTK thread of
//! its own (no desktop portal, no async runtime needed; works under Xvfb). On Windows it is the
//! Win32 common dialog, on macOS the system panel. One dialog at a time.

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

/// An open dialog; its answer arrives on the channel.
pub struct OpenDialog {
    pub kind: DialogKind,
    rx: Receiver<Option<AppCommand>>,
}

impl OpenDialog {
    /// `Some(answer)` once the dialog closed: the command to apply, or `None` when it was
    /// cancelled (or its thread died).
    pub fn poll(&self) -> Option<Option<AppCommand>> {
        match self.rx.try_recv() {
            Ok(answer) => Some(answer),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(None),
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

/// Shows the dialog and waits for it (never on the UI thread).
fn show_blocking(request: &DialogRequest) -> Option<AppCommand> {
    let mut dialog = rfd::FileDialog::new().set_title(&request.title);
    if let Some(dir) = request.start_dir.as_ref().filter(|d| d.is_dir()) {
        dialog = dialog.set_directory(dir);
    }
    match request.kind {
        DialogKind::OpenReview => dialog
            .add_filter("review (TOML)", &["toml"])
            .pick_file()
            .map(AppCommand::Open),
        DialogKind::AddLayers => dialog
            .add_filter(LAYER_FILTER, LAYER_EXTENSIONS)
            .pick_files()
            .map(AppCommand::AddLayers),
        DialogKind::SaveAs => dialog
            .add_filter("TOML", &["toml"])
            .set_file_name("review.toml")
            .save_file()
            .map(AppCommand::SaveAs),
        DialogKind::NewReview => Some(AppCommand::NewReview(
            dialog
                .add_filter(LAYER_FILTER, LAYER_EXTENSIONS)
                .pick_file(),
        )),
        DialogKind::ExportFolder => dialog.pick_folder().map(AppCommand::Export),
        DialogKind::SavePlan => dialog
            .add_filter("shapefile / GeoJSON", &["shp", "geojson"])
            .set_file_name("merged_zones_edited.shp")
            .save_file()
            .map(AppCommand::SavePlanPath),
    }
}
