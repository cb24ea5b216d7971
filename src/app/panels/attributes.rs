//! The attributes panel (属性): the fields of the feature picked with the identify tool. A
//! feature of the zones layer (the plan) can be edited here: each field is a text box whose
//! change becomes one undoable plan edit when the box loses focus or Enter is pressed, and the
//! feature can be deleted.

use super::super::commands::AppCommand;
use super::super::i18n::{Lang, S};
use super::super::state::{Document, ViewState};
use super::layers::layer_title;
use egui::Ui;

/// The panel; returns the height its content needs (title, layer line and every field), so
/// that the panel can be sized to it.
pub fn attributes_panel_ui(
    ui: &mut Ui,
    doc: Option<&Document>,
    view: &mut ViewState,
    lang: Lang,
    busy: bool,
    cmds: &mut Vec<AppCommand>,
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
    let editable = layer.role == crate::model::LayerRole::Zones && !busy;
    let Some(picked) = view.picked else {
        return ui.cursor().top() - top;
    };
    ui.horizontal(|ui| {
        ui.label(format!(
            "{}: {} · {}: {}",
            lang.t(S::Layer),
            layer_title(layer, lang),
            lang.t(S::Record),
            feature.index
        ));
        if editable && ui.small_button(lang.t(S::DeleteFeature)).clicked() {
            cmds.push(AppCommand::DeleteFeature(picked.feature));
        }
    });
    // The text being typed, per field, for the picked feature.
    if view
        .attr_draft
        .as_ref()
        .is_none_or(|(p, values)| *p != picked || values.len() != layer.fields.len())
    {
        view.attr_draft = Some((
            picked,
            (0..layer.fields.len())
                .map(|i| feature.attrs.get(i).cloned().flatten().unwrap_or_default())
                .collect(),
        ));
    }
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
                    for (i, name) in layer.fields.iter().enumerate() {
                        let value = feature.attrs.get(i).cloned().flatten();
                        let label = ui.label(name);
                        match view.attr_draft.as_mut().and_then(|(_, d)| d.get_mut(i)) {
                            Some(text) if editable => {
                                let r = ui
                                    .add(
                                        egui::TextEdit::singleline(text)
                                            .desired_width(260.0)
                                            .id_salt(("attr", picked.feature, i)),
                                    )
                                    .labelled_by(label.id);
                                let now = (!text.is_empty()).then(|| text.clone());
                                if r.lost_focus() && now != value {
                                    cmds.push(AppCommand::EditAttribute {
                                        feature: picked.feature,
                                        field: i,
                                        value: now,
                                    });
                                }
                            }
                            _ => {
                                ui.label(value.as_deref().unwrap_or(""));
                            }
                        }
                        ui.end_row();
                    }
                });
        });
    out.inner_rect.top() - top + out.content_size.y
}
