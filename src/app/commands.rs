//! Commands the panels push; the app applies them once per frame, after drawing.

use super::decisions::{Decision, FindingKey};
use super::i18n::Lang;
use super::state::Picked;
use crate::model::LayerRole;
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
    /// Record the plan verdict (decision, reviewer, date, comment); saved with 保存.
    SetVerdict(crate::model::decision::Verdict),
    /// Identify the feature at a map position.
    Identify(Coord<f64>),
    DismissMessage(usize),
    Quit,
    /// Ask for a zones layer (cancel: an empty review), then start a new review.
    NewReviewDialog,
    /// Start a new review, with this zones layer or none.
    NewReview(Option<PathBuf>),
    /// Ask for layer files, then add them.
    AddLayersDialog,
    /// Add layer files to the review (role guessed from the name) and reload.
    AddLayers(Vec<PathBuf>),
    /// Files dropped on the window: a `.toml` opens that review, layer files are added.
    Dropped(Vec<PathBuf>),
    /// Give layer `key` a role (an extra protection layer is named `name`) and reload.
    SetRole {
        key: String,
        role: LayerRole,
        name: String,
    },
    /// Apply the layer settings editor: role (and extra name), CRS and encoding in one reload.
    EditLayer(crate::app::state::LayerEdit),
    RemoveLayer(String),
    /// Set a layer's CRS (EPSG code or definition; empty: none) and reload.
    SetLayerCrs(String, String),
    /// Set a layer's attribute encoding (GBK, UTF-8, …; empty: detect) and reload.
    SetLayerEncoding(String, String),
    /// Open the attribute table of layer `key`.
    OpenTable(String),
    CloseTable,
    /// Select a feature (as the identify tool does) and zoom to it.
    SelectFeature(Picked),
    /// Undo the last plan edit (Ctrl+Z).
    Undo,
    /// Redo the last undone plan edit (Ctrl+Shift+Z).
    Redo,
    /// Compute a fix of the selected zone and show it (window and map) for 应用 or 取消.
    FixZone(FixKind),
    /// Apply the fix shown (one undoable edit), then re-check; `false`: drop it.
    ApplyFix(bool),
    /// Set attribute `field` of zones-layer feature `feature` (empty: `None`), undoable.
    EditAttribute {
        feature: usize,
        field: usize,
        value: Option<String>,
    },
    /// Replace the geometry of zones-layer feature `feature` (a vertex or part tool's edit),
    /// undoable.
    EditGeometry {
        feature: usize,
        after: Box<crate::model::Geom>,
    },
    /// A finished drawing: a new zone, a part or hole of zones feature `target`, or a line to
    /// split it along; undoable.
    Sketch {
        kind: crate::app::state::DrawKind,
        target: Option<usize>,
        points: Vec<Coord<f64>>,
    },
    /// Show a short note in the status bar.
    Note(String),
    /// Set attribute `field` of original-zones feature `feature` (its fate), undoable.
    EditOriginal {
        feature: usize,
        field: usize,
        value: Option<String>,
    },
    /// Delete zones-layer feature `feature` (a part of a zone), undoable.
    DeleteFeature(usize),
    /// Open the 保存方案为 window.
    OpenSavePlan,
    /// Ask where to save the plan (the file dialog of the 保存方案为 window).
    SavePlanBrowse,
    /// The path the dialog gave, into the 保存方案为 window.
    SavePlanPath(PathBuf),
    /// Write the plan as the window says and point the review at it.
    SavePlanAs(Box<crate::app::panels::save_plan::SavePlanDraft>),
    /// Write the plan (as edited) as GeoJSON beside the zones layer.
    ExportPlanGeojson,
    /// Write the plan (as edited) as 国土TXT beside the zones layer, one parcel per zone.
    ExportPlanGtxt,
    /// Write the comparison of the edited plan with the plan as loaded (CSV).
    ExportPlanComparison,
    /// Open the 由原开发区新建整合开发区 window.
    OpenMerge,
    /// With the merge window open: the original zone at this map position becomes the choice
    /// (`toggle`: is added to it, or taken out when it was in).
    MergePick {
        at: Coord<f64>,
        toggle: bool,
    },
    /// With the merge window open: every original zone meeting this map box is added.
    MergeBox(geo::Rect<f64>),
    /// Add a merged zone built from these original zones (undoable).
    MergeOriginals {
        members: Vec<String>,
        id: String,
        name: String,
    },
    // app-plan
    /// Show or hide the plan summary window.
    TogglePlanSummary,
    /// Show the findings panel (a plan-summary group was chosen).
    ShowFindingsPanel,
    /// Open a file or folder with the operating system's default program.
    OpenExternal(PathBuf),
    /// Open (or close) the settings window.
    ToggleSettings,
    /// Settings from the settings window (validated): save them into the review file, reload
    /// the layers and run the check again.
    ApplySettings(Box<crate::model::settings::ReviewFile>),
    // app-safety
    /// The unsaved-changes prompt's answer.
    Confirm(ConfirmAnswer),
    /// The recovery file offered first: restore it (`true`) or discard it (`false`).
    Recover(bool),
}

/// The answers of the unsaved-changes prompt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfirmAnswer {
    /// 保存: save, then go on.
    Save,
    /// 不保存: go on without saving.
    DontSave,
    /// 取消: stay.
    Cancel,
}

/// The fixes of the 编辑 menu (see [`crate::fix`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixKind {
    CutProtected,
    /// Cut the other merged zones out of the selected one (zone_overlap).
    CutOverlaps,
    CloseGaps,
    DropFragments,
}
