//! Panels around the map: menu and toolbar, layers, findings, attributes, status bar, messages.
//! They read the document and push commands; they change view state only.

pub mod attributes;
pub mod findings;
pub mod fix_preview;
pub mod layer_style;
pub mod layers;
pub mod menu;
pub mod merge;
pub mod plan;
pub mod save_plan;
pub mod settings;
pub mod status;
pub mod table;

use super::commands::AppCommand;
use super::i18n::{Lang, S};
use super::Message;

/// Errors, each in a small window until dismissed.
pub fn messages_ui(
    ctx: &egui::Context,
    messages: &[Message],
    lang: Lang,
    cmds: &mut Vec<AppCommand>,
) {
    for (i, m) in messages.iter().enumerate() {
        egui::Window::new(format!("{} {}", lang.t(S::Error), i + 1))
            .id(egui::Id::unique(("zonecheck-message", i)))
            .collapsible(false)
            .resizable(false)
            .anchor(
                egui::Align2::CENTER_TOP,
                egui::vec2(0.0, 80.0 + 30.0 * i as f32),
            )
            .show(ctx, |ui| {
                ui.set_max_width(560.0);
                let color = if m.error {
                    egui::Color32::from_rgb(190, 20, 30)
                } else {
                    ui.visuals().text_color()
                };
                ui.label(egui::RichText::new(&m.text).color(color));
                if ui.button(lang.t(S::Dismiss)).clicked() {
                    cmds.push(AppCommand::DismissMessage(i));
                }
            });
    }
}

/// A small coloured square, as in a legend.
pub fn swatch(ui: &mut egui::Ui, fill: egui::Color32, stroke: egui::Stroke) {
    let (rect, _) = ui.allocate_exact_size(egui::vec2(16.0, 12.0), egui::Sense::hover());
    let painter = ui.painter();
    painter.rect_filled(rect, 1.0, ui.visuals().extreme_bg_color);
    painter.rect_filled(rect, 1.0, fill);
    painter.rect_stroke(rect, 1.0, stroke, egui::StrokeKind::Inside);
}
