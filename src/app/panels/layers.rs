//! The layers panel (图层): a checkbox per layer, top layer first, with its role, source, CRS and
//! encoding on hover; and the legend (图例).

use super::super::commands::AppCommand;
use super::super::i18n::{Lang, S};
use super::super::map::hit::draw_order;
use super::super::state::{Derived, Document, Persisted};
use super::super::theme;
use super::swatch;
use crate::model::{Layer, LayerRole};
use egui::Ui;

/// Display name of a layer: its role, or its own name for an extra protection layer.
pub fn layer_title(layer: &Layer, lang: Lang) -> String {
    match (layer.role, lang) {
        (LayerRole::Extra, _) => layer.name.clone(),
        (role, Lang::Zh) => role.name_zh().to_string(),
        (role, Lang::En) => role.name_en().to_string(),
    }
}

pub fn layers_panel_ui(
    ui: &mut Ui,
    doc: Option<&Document>,
    derived: &Derived,
    settings: &mut Persisted,
    cmds: &mut Vec<AppCommand>,
) {
    let lang = settings.lang;
    ui.heading(lang.t(S::Layers));
    ui.separator();
    let Some(doc) = doc else {
        ui.weak(lang.t(S::NoReview));
        return;
    };
    let ds = &doc.dataset;
    egui::ScrollArea::vertical()
        .id_salt("layers-scroll")
        .show(ui, |ui| {
            for li in draw_order(ds, &settings.layer_order).into_iter().rev() {
                let Some(layer) = ds.layers.get(li) else {
                    continue;
                };
                let style = theme::role_style(layer.role);
                ui.horizontal(|ui| {
                    let mut visible = settings.layer_visible(&layer.name);
                    if ui
                        .checkbox(&mut visible, layer_title(layer, lang))
                        .changed()
                    {
                        settings.set_layer_visible(&layer.name, visible);
                    }
                    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                        swatch(ui, style.fill, style.stroke);
                    });
                });
                let src = &layer.source;
                let file = src
                    .path
                    .file_name()
                    .map(|f| f.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let mut badge = format!("{} · {} {}", file, src.features, lang.t(S::Features));
                if let Some(enc) = &src.encoding {
                    badge.push_str(&format!(" · {}", enc.split(' ').next().unwrap_or(enc)));
                }
                if !src.warnings.is_empty() {
                    badge.push_str(&format!(
                        " · ⚠ {} {}",
                        src.warnings.len(),
                        lang.t(S::Warnings)
                    ));
                }
                let hover = format!(
                    "{}\nCRS: {}\n{}: {}\n{}",
                    src.path.display(),
                    src.crs,
                    lang.t(S::Encoding),
                    src.encoding.as_deref().unwrap_or("-"),
                    src.warnings
                        .iter()
                        .take(10)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join("\n")
                );
                ui.indent(("layer-badge", li), |ui| {
                    ui.small(badge).on_hover_text(hover);
                });
                super::layer_style::layer_style_ui(ui, ds, li, settings, cmds);
            }
            ui.add_space(6.0);
            ui.separator();
            ui.small(format!(
                "{}: {}",
                lang.t(S::WorkingCrs),
                ds.working_crs.label()
            ))
            .on_hover_text(&ds.working_crs_reason);
            ui.add_space(8.0);
            legend_ui(ui, doc, derived, lang);
        });
}

/// The legend: one swatch per role present, water by class, conflicts and the selection.
fn legend_ui(ui: &mut Ui, doc: &Document, derived: &Derived, lang: Lang) {
    ui.strong(lang.t(S::Legend));
    let ds = &doc.dataset;
    let mut roles: Vec<LayerRole> = ds.layers.iter().map(|l| l.role).collect();
    roles.sort_by_key(|r| std::cmp::Reverse(super::super::map::hit::role_rank(*r)));
    roles.dedup();
    for role in roles {
        if role == LayerRole::Water {
            for (class, s) in [
                (Some("一级"), S::WaterClass1),
                (Some("二级"), S::WaterClass2),
                (Some("准保护区"), S::WaterClassPre),
            ] {
                let st = theme::water_style(class);
                ui.horizontal(|ui| {
                    swatch(ui, st.fill, st.stroke);
                    ui.label(format!("{} · {}", layer_role_name(role, lang), lang.t(s)));
                });
            }
            continue;
        }
        let st = theme::role_style(role);
        ui.horizontal(|ui| {
            swatch(ui, st.fill, st.stroke);
            ui.label(layer_role_name(role, lang));
        });
    }
    if derived.check.is_some() {
        let st = theme::conflict_style();
        ui.horizontal(|ui| {
            swatch(ui, st.fill, st.stroke);
            ui.label(lang.t(S::Conflicts));
        });
        let st = theme::highlight_style();
        ui.horizontal(|ui| {
            swatch(ui, st.fill, st.stroke);
            ui.label(lang.t(S::SelectedHighlight));
        });
    }
}

fn layer_role_name(role: LayerRole, lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => role.name_zh(),
        Lang::En => role.name_en(),
    }
}
