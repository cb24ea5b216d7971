//! 由原开发区新建整合开发区: choose original zones (filterable list with check boxes), give the
//! new zone an id and a name; 创建 adds it to the plan as one undoable edit (its geometry the
//! union of the originals, members recorded, level proposed by the plaque rules).

use super::super::commands::AppCommand;
use super::super::i18n::{Lang, S};
use super::super::state::Document;
use egui::Ui;
use std::collections::BTreeSet;

/// The window's state while it is open.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MergeDraft {
    pub id: String,
    pub name: String,
    pub filter: String,
    pub chosen: BTreeSet<String>,
}

impl MergeDraft {
    /// A draft for `doc`: the next free zone id (`M` and three digits after the highest).
    pub fn new(doc: &Document) -> MergeDraft {
        let id = doc
            .dataset
            .layer(crate::model::LayerRole::Zones)
            .map(|plan| {
                let fields = crate::model::fields::Fields::of_layer(plan, &doc.review.file);
                crate::fix::next_zone_id(plan, &fields)
            })
            .unwrap_or_else(|| "M001".to_string());
        MergeDraft {
            id,
            ..MergeDraft::default()
        }
    }
}

/// The originals of `doc`: (id, name, level), in layer order, one row per id.
fn originals(doc: &Document) -> Vec<(String, String, String)> {
    let Some(layer) = doc.dataset.layer(crate::model::LayerRole::Original) else {
        return Vec::new();
    };
    let f = crate::model::fields::Fields::of_layer(layer, &doc.review.file);
    let mut out: Vec<(String, String, String)> = Vec::new();
    for feature in &layer.features {
        let Some(id) = layer.attr(feature, f.id.or(f.name)) else {
            continue;
        };
        if out.iter().any(|(i, _, _)| i == id) {
            continue;
        }
        let get = |c| layer.attr(feature, c).unwrap_or("").to_string();
        out.push((id.to_string(), get(f.name), get(f.level)));
    }
    out
}

/// The window's content; false when it should close.
pub fn merge_ui(
    ui: &mut Ui,
    doc: &Document,
    draft: &mut MergeDraft,
    lang: Lang,
    busy: bool,
    cmds: &mut Vec<AppCommand>,
) -> bool {
    let rows = originals(doc);
    if rows.is_empty() {
        ui.label(lang.t(S::NoOriginalLayer));
        return !ui.button(lang.t(S::Close)).clicked();
    }
    egui::Grid::new("merge-fields")
        .num_columns(2)
        .show(ui, |ui| {
            let l = ui.label(lang.t(S::NewZoneId));
            ui.text_edit_singleline(&mut draft.id).labelled_by(l.id);
            ui.end_row();
            let l = ui.label(lang.t(S::NewZoneName));
            ui.text_edit_singleline(&mut draft.name).labelled_by(l.id);
            ui.end_row();
            let l = ui.label(lang.t(S::Filter));
            ui.text_edit_singleline(&mut draft.filter).labelled_by(l.id);
            ui.end_row();
        });
    ui.label(egui::RichText::new(lang.t(S::MergeMapHint)).weak());
    ui.separator();
    let filter = draft.filter.trim().to_string();
    egui::ScrollArea::vertical()
        .id_salt("merge-originals")
        .max_height(320.0)
        .show(ui, |ui| {
            for (id, name, level) in &rows {
                let text = format!("{id} {name}（{level}）");
                if !filter.is_empty() && !text.contains(&filter) {
                    continue;
                }
                let mut on = draft.chosen.contains(id);
                if ui.checkbox(&mut on, text).changed() {
                    if on {
                        draft.chosen.insert(id.clone());
                    } else {
                        draft.chosen.remove(id);
                    }
                }
            }
        });
    ui.separator();
    let mut keep = true;
    ui.horizontal(|ui| {
        let ready = !busy && !draft.chosen.is_empty() && !draft.id.trim().is_empty();
        if ui
            .add_enabled(ready, egui::Button::new(lang.t(S::CreateZone)))
            .clicked()
        {
            cmds.push(AppCommand::MergeOriginals {
                members: draft.chosen.iter().cloned().collect(),
                id: draft.id.trim().to_string(),
                name: draft.name.trim().to_string(),
            });
            keep = false;
        }
        if ui.button(lang.t(S::Cancel)).clicked() {
            keep = false;
        }
    });
    keep
}
