//! The attributes panel (属性): the fields of the feature picked with the identify tool.

use super::super::i18n::{Lang, S};
use super::super::state::{Document, ViewState};
use super::layers::layer_title;
use egui::Ui;

/// The panel; returns the height its content needs (title, layer line and every field), so
/// that the panel can be sized to it.
pub fn attributes_panel_ui(
    ui: &mut Ui,
    doc: Option<&Document>,
    view: &ViewState,
    lang: Lang,
) -> f32 {
    let top = ui.cursor().top();
    ui.horizontal(|ui| {
        ui.strong(lang.t(S::Attributes));
    });
    let picked = doc.zip(view.picked).and_then(|(d, p)| {
        let layer = d.dataset.layers.get(p.layer)?;
        Some((layer, layer.features.get(p.feature)?))
    });
    let Some((layer, feature)) = picked else {
        ui.weak(lang.t(S::NoSelection));
        return ui.cursor().top() - top;
    };
    ui.label(format!(
        "{}: {} · {}: {}",
        lang.t(S::Layer),
        layer_title(layer, lang),
        lang.t(S::Record),
        feature.index
    ));
    let out = egui::ScrollArea::both()
        .id_salt("attributes-scroll")
        .show(ui, |ui| {
            egui::Grid::new("attributes-grid")
                .striped(true)
                .num_columns(2)
                .show(ui, |ui| {
                    ui.strong(lang.t(S::Field));
                    ui.strong(lang.t(S::Value));
                    ui.end_row();
                    for (name, value) in layer.fields.iter().zip(&feature.attrs) {
                        ui.label(name);
                        ui.label(value.as_deref().unwrap_or(""));
                        ui.end_row();
                    }
                });
        });
    out.inner_rect.top() - top + out.content_size.y
}
