//! The preview of a fix of the 编辑 menu (扣除保护用地, 扣除重叠, 连接间隙, 删除碎片): what it takes
//! out of the selected zone and adds to it, in m² and 亩, while the map shows the same land
//! (red: taken out, green: added); 应用 makes it one undoable edit, 取消 drops it.

use crate::app::commands::{AppCommand, FixKind};
use crate::app::i18n::{Lang, S};
use crate::app::state::FixPreview;
use egui::Ui;
use geo::Area;

fn m2_mu(m2: f64) -> String {
    format!(
        "{:.2} m²（{:.2} 亩）",
        crate::model::num::clean(m2),
        crate::model::num::clean(crate::model::mu_from_m2(m2))
    )
}

/// The window's content; false when it is to close.
pub fn fix_preview_ui(
    ui: &mut Ui,
    doc: Option<&crate::app::state::Document>,
    preview: &FixPreview,
    lang: Lang,
    busy: bool,
    cmds: &mut Vec<AppCommand>,
) -> bool {
    let what = match preview.kind {
        FixKind::CutProtected => S::FixCutProtected,
        FixKind::CutOverlaps => S::FixCutOverlaps,
        FixKind::CloseGaps => S::FixCloseGaps,
        FixKind::DropFragments => S::FixDropFragments,
    };
    ui.strong(format!("{} — {}", preview.zone, lang.t(what)));
    egui::Grid::new("fix-preview-grid")
        .num_columns(2)
        .show(ui, |ui| {
            if let Some(c) = &preview.change {
                ui.label(lang.t(S::FixAreaBeforeAfter));
                ui.label(format!(
                    "{} → {}",
                    m2_mu(c.area_before_m2),
                    m2_mu(c.area_after_m2)
                ));
                ui.end_row();
                for (layer, m2) in &c.cut_by_layer_m2 {
                    // The layer as the layers panel names it (生态保护红线, …).
                    let title = doc
                        .and_then(|d| d.dataset.layers.iter().find(|l| &l.name == layer))
                        .map(|l| super::layers::layer_title(l, lang))
                        .unwrap_or_else(|| layer.clone());
                    ui.label(format!("{} {title}", lang.t(S::FixCutFrom)));
                    ui.label(m2_mu(*m2));
                    ui.end_row();
                }
                if c.leftovers_m2 > 0.0 {
                    ui.label(lang.t(S::FixLeftovers));
                    ui.label(m2_mu(c.leftovers_m2));
                    ui.end_row();
                }
                if c.fragments_m2 > 0.0 {
                    ui.label(lang.t(S::FixFragments));
                    ui.label(m2_mu(c.fragments_m2));
                    ui.end_row();
                }
                if c.gaps_closed > 0 || c.gaps_left > 0 {
                    ui.label(lang.t(S::FixGaps));
                    ui.label(
                        lang.t(S::FixGapsCounts)
                            .replace("{closed}", &c.gaps_closed.to_string())
                            .replace("{left}", &c.gaps_left.to_string()),
                    );
                    ui.end_row();
                }
            }
            ui.label(lang.t(S::FixRemovedTotal));
            ui.colored_label(
                egui::Color32::from_rgb(200, 20, 20),
                m2_mu(preview.changes.removed.unsigned_area()),
            );
            ui.end_row();
            ui.label(lang.t(S::FixAddedTotal));
            ui.colored_label(
                egui::Color32::from_rgb(20, 140, 40),
                m2_mu(preview.changes.added.unsigned_area()),
            );
            ui.end_row();
        });
    ui.label(egui::RichText::new(lang.t(S::FixPreviewHint)).weak());
    let mut keep = true;
    ui.horizontal(|ui| {
        if ui
            .add_enabled(!busy, egui::Button::new(lang.t(S::ApplyFix)))
            .clicked()
        {
            cmds.push(AppCommand::ApplyFix(true));
            keep = false;
        }
        if ui.button(lang.t(S::Cancel)).clicked() {
            cmds.push(AppCommand::ApplyFix(false));
            keep = false;
        }
    });
    keep
}
