//! The attributes panel (属性): the fields of the feature picked with the identify tool. A
//! feature of the zones layer (the plan) can be edited here: each field is a text box whose
//! change becomes one undoable plan edit when the box loses focus or Enter is pressed, and the
//! feature can be deleted. An original zone's fate (处置方式) is chosen from a list.

use super::super::commands::AppCommand;
use super::super::i18n::{Lang, S};
use super::super::state::{Document, ViewState};
use super::layers::layer_title;
use egui::Ui;

/// The fates of an original zone the guidance names (二(二) 淘汰撤销一批、转型提升一批、整合优化一批).
pub const ORIGINAL_FATES: [&str; 3] = ["整合优化", "转型提升", "淘汰撤销"];

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
    // An original zone's fate (处置方式) is part of the plan: chosen from the three the
    // guidance names, one undoable edit.
    let status_col = doc
        .filter(|_| layer.role == crate::model::LayerRole::Original && !busy)
        .and_then(|d| crate::model::fields::Fields::of_layer(layer, &d.review.file).status);
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
                .map(|i| feature.attrs.get(i).map(str::to_string).unwrap_or_default())
                .collect(),
        ));
    }
    // How the rules will read a zone's level and members: a designation the table of plaques
    // does not know, or a member the original layer lacks, is said under the field as it is
    // typed (the rule findings say it too after the check).
    // Resolved once per frame, and only for the editable zones layer.
    let fields = doc
        .filter(|_| editable)
        .map(|d| crate::model::fields::Fields::of_layer(layer, &d.review.file));
    let hint = |i: usize, text: &str| -> Option<String> {
        if text.trim().is_empty() {
            return None;
        }
        let (d, fields) = (doc?, fields?);
        if fields.level == Some(i) {
            let table = crate::model::plaques::PlaqueTable::new(&d.review.file.plaques);
            let unknown = table.read(text).1;
            if !unknown.is_empty() {
                return Some(format!(
                    "⚠ {}: {}",
                    lang.t(S::UnknownPlaque),
                    unknown.join("、")
                ));
            }
        }
        if fields.members == Some(i) {
            let orig = d.dataset.layer(crate::model::LayerRole::Original)?;
            let of = crate::model::fields::Fields::of_layer(orig, &d.review.file);
            let key = of.id.or(of.name);
            let missing: Vec<String> = crate::model::fields::split_list(text)
                .into_iter()
                .filter(|m| {
                    !orig
                        .features
                        .iter()
                        .any(|f| orig.attr(f, key) == Some(m.as_str()))
                })
                .collect();
            if !missing.is_empty() {
                return Some(format!(
                    "⚠ {}: {}",
                    lang.t(S::UnknownMember),
                    missing.join("、")
                ));
            }
        }
        if fields.enclave == Some(i)
            && !crate::model::fields::is_yes(text)
            && !crate::model::fields::is_no(text)
        {
            return Some(format!("⚠ {}", lang.t(S::EnclaveFlagUnknown)));
        }
        if fields.industries == Some(i) {
            let n = crate::model::fields::split_list(text).len();
            let max = d.review.file.rules.max_industries as usize;
            if n > max {
                return Some(format!(
                    "⚠ {}",
                    lang.t(S::TooManyIndustries)
                        .replace("{n}", &n.to_string())
                        .replace("{max}", &max.to_string())
                ));
            }
        }
        if (fields.tax_per_mu == Some(i) || fields.value_added_per_mu == Some(i))
            && crate::model::fields::parse_number(text).is_none()
        {
            return Some(format!("⚠ {}", lang.t(S::PerMuNotANumber)));
        }
        // City and county as the townships layer names them (the location rule compares).
        if fields.city == Some(i) || fields.county == Some(i) {
            if let Some(towns) = d.dataset.layer(crate::model::LayerRole::Townships) {
                let tf = crate::model::fields::Fields::of_layer(towns, &d.review.file);
                let col = if fields.city == Some(i) {
                    tf.city
                } else {
                    tf.county
                };
                if col.is_some()
                    && !towns
                        .features
                        .iter()
                        .any(|f| towns.attr(f, col) == Some(text.trim()))
                {
                    return Some(format!("⚠ {}", lang.t(S::PlaceNotInTownships)));
                }
            }
        }
        None
    };
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
                        let value = feature.attrs.get(i).map(str::to_string);
                        let label = ui.label(name);
                        if status_col == Some(i) {
                            let current = value.clone().unwrap_or_default();
                            let mut chosen = current.clone();
                            egui::ComboBox::from_id_salt(("original-status", picked.feature))
                                .selected_text(&chosen)
                                .show_ui(ui, |ui| {
                                    for s in ORIGINAL_FATES {
                                        ui.selectable_value(&mut chosen, s.to_string(), s);
                                    }
                                })
                                .response
                                .labelled_by(label.id);
                            if chosen != current {
                                cmds.push(AppCommand::EditOriginal {
                                    feature: picked.feature,
                                    field: i,
                                    value: Some(chosen),
                                });
                            }
                            ui.end_row();
                            continue;
                        }
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
                                if let Some(h) = hint(i, text) {
                                    ui.end_row();
                                    ui.label("");
                                    ui.colored_label(
                                        crate::app::theme::severity_color(
                                            crate::analysis::Severity::Warning,
                                        ),
                                        h,
                                    );
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
