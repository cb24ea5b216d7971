//! The menu bar (文件 编辑 视图 检查 导出 帮助) and the toolbar.

use super::super::commands::{AppCommand, FixKind};
use super::super::i18n::{Lang, S};
use super::super::state::{Document, Persisted, Tool, ViewState};
use egui::Ui;

/// The menu bar; every action is here, with its shortcut.
pub fn menu_bar_ui(
    ui: &mut Ui,
    doc: Option<&Document>,
    settings: &mut Persisted,
    busy: bool,
    show_about: &mut bool,
    cmds: &mut Vec<AppCommand>,
) {
    let lang = settings.lang;
    let has_doc = doc.is_some();
    egui::MenuBar::new().ui(ui, |ui| {
        ui.menu_button(lang.t(S::MenuFile), |ui| {
            if ui
                .add_enabled(!busy, egui::Button::new(lang.t(S::NewReview)))
                .clicked()
            {
                cmds.push(AppCommand::NewReviewDialog);
            }
            if ui
                .add_enabled(!busy, egui::Button::new(lang.t(S::NewEmptyReview)))
                .clicked()
            {
                cmds.push(AppCommand::NewReview(None));
            }
            if ui
                .add_enabled(!busy, egui::Button::new(lang.t(S::AddLayers)))
                .clicked()
            {
                cmds.push(AppCommand::AddLayersDialog);
            }
            ui.separator();
            if ui
                .add_enabled(
                    !busy,
                    egui::Button::new(lang.t(S::OpenReview)).shortcut_text("Ctrl+O"),
                )
                .clicked()
            {
                cmds.push(AppCommand::OpenDialog);
            }
            ui.menu_button(lang.t(S::Recent), |ui| {
                if settings.recent.is_empty() {
                    ui.label(lang.t(S::NoRecent));
                }
                for p in &settings.recent {
                    if ui
                        .add_enabled(!busy, egui::Button::new(p.display().to_string()))
                        .clicked()
                    {
                        cmds.push(AppCommand::Open(p.clone()));
                    }
                }
            });
            ui.separator();
            if ui
                .add_enabled(
                    has_doc,
                    egui::Button::new(lang.t(S::SaveReview)).shortcut_text("Ctrl+S"),
                )
                .clicked()
            {
                cmds.push(AppCommand::Save);
            }
            if ui
                .add_enabled(has_doc, egui::Button::new(lang.t(S::SaveAs)))
                .clicked()
            {
                cmds.push(AppCommand::SaveAsDialog);
            }
            if ui
                .add_enabled(
                    has_doc && !busy,
                    egui::Button::new(lang.t(S::SavePlanAs)).shortcut_text("Ctrl+Alt+S"),
                )
                .clicked()
            {
                cmds.push(AppCommand::OpenSavePlan);
            }
            if ui
                .add_enabled(
                    has_doc && !busy,
                    egui::Button::new(lang.t(S::ExportPlanGeojson)),
                )
                .clicked()
            {
                cmds.push(AppCommand::ExportPlanGeojson);
            }
            if ui
                .add_enabled(
                    has_doc && !busy,
                    egui::Button::new(lang.t(S::ExportPlanGtxt)),
                )
                .clicked()
            {
                cmds.push(AppCommand::ExportPlanGtxt);
            }
            if ui
                .add_enabled(
                    has_doc && !busy,
                    egui::Button::new(lang.t(S::ExportPlanComparison)),
                )
                .clicked()
            {
                cmds.push(AppCommand::ExportPlanComparison);
            }
            ui.separator();
            if ui.button(lang.t(S::Quit)).clicked() {
                cmds.push(AppCommand::Quit);
            }
        });
        ui.menu_button(lang.t(S::MenuEdit), |ui| {
            let (undo, redo) =
                doc.map_or((false, false), |d| (d.plan.can_undo(), d.plan.can_redo()));
            if ui
                .add_enabled(
                    !busy && undo,
                    egui::Button::new(lang.t(S::Undo)).shortcut_text("Ctrl+Z"),
                )
                .clicked()
            {
                cmds.push(AppCommand::Undo);
            }
            if ui
                .add_enabled(
                    !busy && redo,
                    egui::Button::new(lang.t(S::Redo)).shortcut_text("Ctrl+Shift+Z"),
                )
                .clicked()
            {
                cmds.push(AppCommand::Redo);
            }
            ui.separator();
            if ui
                .add_enabled(
                    !busy && has_doc,
                    egui::Button::new(lang.t(S::MergeOriginalsMenu)),
                )
                .clicked()
            {
                cmds.push(AppCommand::OpenMerge);
            }
            for (kind, label) in [
                (FixKind::CutProtected, S::FixCutProtected),
                (FixKind::CutOverlaps, S::FixCutOverlaps),
                (FixKind::CloseGaps, S::FixCloseGaps),
                (FixKind::DropFragments, S::FixDropFragments),
            ] {
                if ui
                    .add_enabled(!busy && has_doc, egui::Button::new(lang.t(label)))
                    .clicked()
                {
                    cmds.push(AppCommand::FixZone(kind));
                }
            }
            ui.separator();
            if ui
                .add(egui::Button::new(lang.t(S::NextFinding)).shortcut_text("N"))
                .clicked()
            {
                cmds.push(AppCommand::NextFinding);
            }
            if ui
                .add(egui::Button::new(lang.t(S::PrevFinding)).shortcut_text("P"))
                .clicked()
            {
                cmds.push(AppCommand::PrevFinding);
            }
        });
        ui.menu_button(lang.t(S::MenuView), |ui| {
            if ui
                .add(egui::Button::new(lang.t(S::ZoomFull)).shortcut_text("Home"))
                .clicked()
            {
                cmds.push(AppCommand::ZoomFull);
            }
            if ui.button(lang.t(S::ZoomSelection)).clicked() {
                cmds.push(AppCommand::ZoomSelection);
            }
            if let Some(doc) = doc {
                ui.menu_button(lang.t(S::ZoomToLayer), |ui| {
                    for (i, layer) in doc.dataset.layers.iter().enumerate() {
                        if ui.button(super::layers::layer_title(layer, lang)).clicked() {
                            cmds.push(AppCommand::ZoomToLayer(i));
                        }
                    }
                });
            }
            ui.separator();
            ui.checkbox(&mut settings.show_layers_panel, lang.t(S::ShowLayers));
            ui.checkbox(&mut settings.show_findings_panel, lang.t(S::ShowFindings));
            ui.checkbox(
                &mut settings.show_attributes_panel,
                lang.t(S::ShowAttributes),
            );
            ui.checkbox(&mut settings.show_labels, lang.t(S::ZoneLabels));
            ui.checkbox(&mut settings.show_changes, lang.t(S::ShowChanges));
            if ui
                .add(egui::Button::new(lang.t(S::PlanSummaryOpen)).shortcut_text("F6"))
                .clicked()
            {
                cmds.push(AppCommand::TogglePlanSummary);
            }
            if ui
                .add_enabled(
                    has_doc,
                    egui::Button::new(lang.t(S::AttributeTable)).shortcut_text("Ctrl+T"),
                )
                .clicked()
            {
                if let Some(l) = doc.and_then(|d| d.dataset.layers.first()) {
                    cmds.push(AppCommand::OpenTable(l.name.clone()));
                }
            }
            ui.separator();
            ui.menu_button(lang.t(S::Language), |ui| {
                for (l, s) in [(Lang::Zh, S::Chinese), (Lang::En, S::English)] {
                    if ui.radio(settings.lang == l, lang.t(s)).clicked() {
                        cmds.push(AppCommand::SetLang(l));
                    }
                }
            });
            let mut dark = settings.dark;
            ui.radio_value(&mut dark, false, lang.t(S::LightTheme));
            ui.radio_value(&mut dark, true, lang.t(S::DarkTheme));
            if dark != settings.dark {
                settings.dark = dark;
                super::super::theme::apply_visuals(ui.ctx(), dark);
            }
        });
        ui.menu_button(lang.t(S::MenuCheck), |ui| {
            if ui
                .add_enabled(
                    has_doc && !busy,
                    egui::Button::new(lang.t(S::RunCheck)).shortcut_text("F5"),
                )
                .clicked()
            {
                cmds.push(AppCommand::RunCheck);
            }
            if ui
                .add_enabled(busy, egui::Button::new(lang.t(S::Cancel)))
                .clicked()
            {
                cmds.push(AppCommand::CancelJob);
            }
            ui.checkbox(&mut settings.check_on_open, lang.t(S::CheckOnOpen));
            ui.separator();
            if ui
                .add_enabled(
                    has_doc,
                    egui::Button::new(lang.t(S::SettingsOpen)).shortcut_text("Ctrl+,"),
                )
                .clicked()
            {
                cmds.push(AppCommand::ToggleSettings);
            }
        });
        ui.menu_button(lang.t(S::MenuExport), |ui| {
            if ui
                .add_enabled(
                    has_doc && !busy,
                    egui::Button::new(lang.t(S::ExportReportTo)),
                )
                .clicked()
            {
                cmds.push(AppCommand::ExportDialog);
            }
            ui.checkbox(&mut settings.export_pdf, lang.t(S::ExportPdf));
        });
        ui.menu_button(lang.t(S::MenuHelp), |ui| {
            if ui.button(lang.t(S::About)).clicked() {
                *show_about = true;
            }
        });
    });
}

/// 打开 保存 | 平移 缩放 识别 | 运行检查 ▶ | 导出报告 … language switch on the right.
pub fn toolbar_ui(
    ui: &mut Ui,
    doc: Option<&Document>,
    view: &mut ViewState,
    settings: &mut Persisted,
    busy: bool,
    cmds: &mut Vec<AppCommand>,
) {
    let lang = settings.lang;
    let has_doc = doc.is_some();
    ui.horizontal(|ui| {
        if ui
            .add_enabled(!busy, egui::Button::new(lang.t(S::Open)))
            .on_hover_text("Ctrl+O")
            .clicked()
        {
            cmds.push(AppCommand::OpenDialog);
        }
        let dirty = doc.is_some_and(|d| d.dirty);
        let save = ui.add_enabled(has_doc, egui::Button::new(lang.t(S::Save)).selected(dirty));
        if save.on_hover_text("Ctrl+S").clicked() {
            cmds.push(AppCommand::Save);
        }
        ui.separator();
        for (tool, s) in [
            (Tool::Pan, S::Pan),
            (Tool::Zoom, S::Zoom),
            (Tool::ZoomBox, S::ZoomBox),
            (Tool::Identify, S::Identify),
        ] {
            if ui.selectable_label(view.tool == tool, lang.t(s)).clicked() {
                view.tool = tool;
            }
        }
        ui.separator();
        let run = egui::Button::new(egui::RichText::new(lang.t(S::RunCheck)).strong());
        if ui
            .add_enabled(has_doc && !busy, run)
            .on_hover_text("F5")
            .clicked()
        {
            cmds.push(AppCommand::RunCheck);
        }
        ui.separator();
        if ui
            .add_enabled(has_doc && !busy, egui::Button::new(lang.t(S::ExportReport)))
            .clicked()
        {
            cmds.push(AppCommand::ExportDialog);
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let other = match lang {
                Lang::Zh => Lang::En,
                Lang::En => Lang::Zh,
            };
            if ui
                .button(lang.t(S::LangSwitch))
                .on_hover_text(lang.t(S::Language))
                .clicked()
            {
                cmds.push(AppCommand::SetLang(other));
            }
        });
    });
    edit_tools_ui(ui, doc, view, settings, busy);
}

/// The editing tools' row: vertex and part tools, the drawing tools, snapping and tracing.
/// Shown when the review has a zones layer (the plan).
fn edit_tools_ui(
    ui: &mut Ui,
    doc: Option<&Document>,
    view: &mut ViewState,
    settings: &mut Persisted,
    busy: bool,
) {
    let lang = settings.lang;
    let has_plan = doc.is_some_and(|d| {
        d.dataset
            .layers
            .iter()
            .any(|l| l.role == crate::model::LayerRole::Zones)
    });
    if !has_plan {
        return;
    }
    ui.horizontal(|ui| {
        ui.label(egui::RichText::new(lang.t(S::EditTools)).weak());
        for (tool, s, key) in EDIT_TOOLS {
            let label = ui
                .add_enabled(
                    !busy,
                    egui::Button::selectable(view.tool == tool, lang.t(s)),
                )
                .on_hover_text(key);
            if label.clicked() {
                view.tool = tool;
                view.edit = Default::default();
            }
        }
        ui.separator();
        ui.checkbox(&mut settings.snap, lang.t(S::SnapToggle))
            .on_hover_text("S");
        ui.checkbox(&mut settings.trace, lang.t(S::TraceToggle))
            .on_hover_text("T");
    });
}

/// The editing tools with their keys.
pub const EDIT_TOOLS: [(Tool, S, &str); 6] = [
    (Tool::Vertex, S::ToolVertex, "V"),
    (Tool::MovePart, S::ToolMovePart, "G"),
    (
        Tool::Draw(crate::app::state::DrawKind::Zone),
        S::DrawZone,
        "D",
    ),
    (
        Tool::Draw(crate::app::state::DrawKind::Part),
        S::DrawPart,
        "A",
    ),
    (
        Tool::Draw(crate::app::state::DrawKind::Hole),
        S::DrawHole,
        "H",
    ),
    (
        Tool::Draw(crate::app::state::DrawKind::Split),
        S::DrawSplit,
        "K",
    ),
];
