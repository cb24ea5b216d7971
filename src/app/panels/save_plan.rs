//! The 保存方案为 window: where to write the plan (as edited), as Shapefile (GBK or UTF-8) or
//! GeoJSON. A file of the review's inputs, or any existing file, is replaced only when the user
//! ticks the box that says so. 保存 writes the layer and points the review at it.

use crate::app::commands::AppCommand;
use crate::app::i18n::{Lang, S};
use crate::app::state::Document;
use egui::Ui;
use std::path::{Path, PathBuf};

/// The window's choices.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SavePlanDraft {
    pub path: String,
    pub geojson: bool,
    pub utf8: bool,
    /// The user agrees to replace the file at `path` (an input or not).
    pub overwrite: bool,
}

impl SavePlanDraft {
    /// A draft for `doc`: a new name beside the zones layer, GBK unless a value needs UTF-8.
    pub fn new(doc: &Document) -> SavePlanDraft {
        let plan = doc.dataset.layer(crate::model::LayerRole::Zones);
        let path = plan
            .map(|p| crate::app::free_path_beside(&p.source.path, "edited", "shp"))
            .unwrap_or_else(|| PathBuf::from("plan_edited.shp"));
        SavePlanDraft {
            path: path.display().to_string(),
            geojson: false,
            utf8: !plan.is_none_or(gbk_can_hold),
            overwrite: false,
        }
    }

    /// The path with the extension of the chosen format.
    pub fn target(&self) -> PathBuf {
        let p = PathBuf::from(self.path.trim());
        let ext = if self.geojson { "geojson" } else { "shp" };
        let has = p
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case(ext) || (self.geojson && e == "json"));
        if has {
            p
        } else {
            p.with_extension(ext)
        }
    }
}

/// True when every value of `plan` can be written in GBK.
pub fn gbk_can_hold(plan: &crate::model::Layer) -> bool {
    plan.features.iter().all(|f| {
        f.attrs
            .iter()
            .flatten()
            .all(|v| !encoding_rs::GBK.encode(v).2)
    })
}

/// True when writing `target` would replace one of the review's input files (a shapefile's
/// sidecar files count as the layer).
pub fn is_input(doc: &Document, target: &Path) -> bool {
    let same = |a: &Path, b: &Path| {
        let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        canon(a) == canon(b)
    };
    let stem_of = |p: &Path| p.with_extension("");
    doc.dataset.layers.iter().any(|l| {
        same(&l.source.path, target) || {
            let is_shp = |p: &Path| {
                p.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| e.eq_ignore_ascii_case("shp"))
            };
            is_shp(&l.source.path)
                && is_shp(target)
                && same(
                    &stem_of(&l.source.path).with_extension("dbf"),
                    &stem_of(target).with_extension("dbf"),
                )
        }
    }) || same(&doc.review.path, target)
}

/// The window's content; returns false when it is to close.
pub fn save_plan_ui(
    ui: &mut Ui,
    doc: &Document,
    draft: &mut SavePlanDraft,
    lang: Lang,
    busy: bool,
    cmds: &mut Vec<AppCommand>,
) -> bool {
    let Some(plan) = doc.dataset.layer(crate::model::LayerRole::Zones) else {
        ui.label(lang.t(S::NoZonesLayer));
        return !ui.button(lang.t(S::Close)).clicked();
    };
    egui::Grid::new("save-plan-grid")
        .num_columns(2)
        .show(ui, |ui| {
            let l = ui.label(lang.t(S::SavePlanPath));
            ui.horizontal(|ui| {
                ui.add(egui::TextEdit::singleline(&mut draft.path).desired_width(420.0))
                    .labelled_by(l.id);
                if ui.button(lang.t(S::Browse)).clicked() {
                    cmds.push(AppCommand::SavePlanBrowse);
                }
            });
            ui.end_row();
            ui.label(lang.t(S::SavePlanFormat));
            ui.horizontal(|ui| {
                let before = draft.geojson;
                ui.radio_value(&mut draft.geojson, false, "Shapefile (.shp)");
                ui.radio_value(&mut draft.geojson, true, "GeoJSON (.geojson)");
                if before != draft.geojson {
                    draft.path = draft.target().display().to_string();
                }
            });
            ui.end_row();
            if !draft.geojson {
                ui.label(lang.t(S::SavePlanEncoding));
                ui.horizontal(|ui| {
                    ui.radio_value(&mut draft.utf8, false, lang.t(S::EncodingGbk));
                    ui.radio_value(&mut draft.utf8, true, "UTF-8");
                });
                ui.end_row();
            }
        });
    let target = draft.target();
    let gbk_fails = !draft.geojson && !draft.utf8 && !gbk_can_hold(plan);
    if gbk_fails {
        ui.colored_label(ui.visuals().error_fg_color, lang.t(S::GbkCannotHold));
    }
    if !draft.geojson {
        ui.label(egui::RichText::new(lang.t(S::DbfNamesNote)).weak());
    }
    let input = is_input(doc, &target);
    let exists = target.exists();
    if input {
        ui.colored_label(ui.visuals().warn_fg_color, lang.t(S::SavePlanIsInput));
    } else if exists {
        ui.label(lang.t(S::SavePlanExists));
    }
    if input || exists {
        ui.checkbox(&mut draft.overwrite, lang.t(S::SavePlanOverwrite));
    }
    let mut keep = true;
    ui.horizontal(|ui| {
        let ready = !busy
            && !draft.path.trim().is_empty()
            && !gbk_fails
            && (!(input || exists) || draft.overwrite);
        // Enter saves, as the default button of a dialog.
        let enter = ready && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if ui
            .add_enabled(ready, egui::Button::new(lang.t(S::SavePlanButton)))
            .clicked()
            || enter
        {
            cmds.push(AppCommand::SavePlanAs(Box::new(draft.clone())));
            keep = false;
        }
        if ui.button(lang.t(S::Cancel)).clicked() {
            keep = false;
        }
    });
    keep
}
