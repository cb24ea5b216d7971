//! Commands the panels push; the app applies them once per frame, after drawing.

use super::decisions::{Decision, FindingKey};
use super::i18n::Lang;
use geo::Coord;
use std::path::PathBuf;

#[derive(Clone, Debug, PartialEq)]
pub enum AppCommand {
    /// Ask for a review file, then open it.
    OpenDialog,
    Open(PathBuf),
    /// Save the decisions (and the review file when it changed).
    Save,
    SaveAsDialog,
    SaveAs(PathBuf),
    RunCheck,
    /// Cancel the running background job.
    CancelJob,
    ExportDialog,
    Export(PathBuf),
    SelectFinding(FindingKey),
    NextFinding,
    PrevFinding,
    ZoomFull,
    ZoomSelection,
    /// Fit the view to layer `i` of the dataset.
    ZoomToLayer(usize),
    SetLang(Lang),
    SetDecision(FindingKey, Decision),
    /// Identify the feature at a map position.
    Identify(Coord<f64>),
    DismissMessage(usize),
    Quit,
}
