//! The layers panel (图层): a checkbox per layer, top layer first, with its role, source, CRS and
//! encoding on hover, a warning when the CRS or encoding was guessed, buttons for its attribute
//! table and settings (role, CRS, encoding); layers that failed to load with the reason; the
//! legend (图例).

use super::super::commands::AppCommand;
use super::super::i18n::{Lang, S};
use super::super::map::hit::draw_order;
use super::super::review_edit::{ENCODINGS, ROLES};
use super::super::state::{Derived, Document, LayerEdit, Persisted, ViewState};
use super::super::theme;
use super::swatch;
use crate::model::{Layer, LayerRole, SourceInfo, Text};
use egui::Ui;

/// Display name of a layer: its role, or its own name for an extra protection layer.
pub fn layer_title(layer: &Layer, lang: Lang) -> String {
    match (layer.role, lang) {
        (LayerRole::Extra, _) => layer.name.clone(),
        (role, Lang::Zh) => role.name_zh().to_string(),
        (role, Lang::En) => role.name_en().to_string(),
    }
}

/// Why a layer's CRS counts as guessed (no .prj and no `crs_of`: assumed at load).
pub fn crs_guess(src: &SourceInfo) -> Option<&Text> {
    src.crs.en.contains("assumed").then_some(&src.crs)
}

/// Why a layer's text encoding counts as guessed (no .cpg, no DBF language driver, no
/// `encoding_of`: decided from the bytes).
pub fn encoding_guess(src: &SourceInfo) -> Option<&Text> {
    src.encoding
        .as_ref()
        .filter(|e| e.en.contains("(valid UTF-8)") || e.en.contains("(fallback"))
}

#[allow(clippy::too_many_arguments)]
pub fn layers_panel_ui(
    ui: &mut Ui,
    doc: Option<&Document>,
    derived: &Derived,
    view: &mut ViewState,
    settings: &mut Persisted,
    busy: bool,
    cmds: &mut Vec<AppCommand>,
) {
    let lang = settings.lang;
    ui.horizontal(|ui| {
        ui.heading(lang.t(S::Layers));
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui
                .add_enabled(!busy, egui::Button::new(lang.t(S::AddLayers)))
                .clicked()
            {
                cmds.push(AppCommand::AddLayersDialog);
            }
        });
    });
    ui.separator();
    let Some(doc) = doc else {
        ui.weak(lang.t(S::NoReview));
        return;
    };
    let ds = &doc.dataset;
    // The working CRS and the legend stay in view at the bottom of the panel (their own
    // scroll area, resizable) whatever the number of layers; the layer list scrolls above.
    egui::Panel::bottom("legend-panel")
        .resizable(true)
        .default_size(legend_height(ui, doc).min(ui.available_height() * 0.6))
        .show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt("legend-scroll")
                .show(ui, |ui| {
                    ui.add_space(4.0);
                    ui.small(format!(
                        "{}: {}",
                        lang.t(S::WorkingCrs),
                        ds.working_crs.label()
                    ))
                    .on_hover_text(&ds.working_crs_reason);
                    ui.add_space(6.0);
                    legend_ui(ui, doc, derived, lang);
                });
        });
    egui::ScrollArea::vertical()
        .id_salt("layers-scroll")
        .show(ui, |ui| {
            if ds.layers.is_empty() && doc.failures.is_empty() {
                ui.weak(lang.t(S::NoZonesLayer));
            }
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
                    let enc = enc.en.as_str();
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
                    src.crs.get(lang.model()),
                    lang.t(S::Encoding),
                    src.encoding.as_ref().map_or("-", |e| e.get(lang.model())),
                    src.warnings
                        .iter()
                        .take(10)
                        .map(|w| w.get(lang.model()).to_string())
                        .collect::<Vec<_>>()
                        .join("\n")
                );
                ui.indent(("layer-badge", li), |ui| {
                    ui.small(badge).on_hover_text(hover);
                    if layer.role == LayerRole::Extra {
                        let r = doc.review.file.layers.extra_role(&layer.name);
                        ui.small(format!(
                            "{}: {}",
                            lang.t(S::ExtraUse),
                            extra_role_name(r, lang)
                        ));
                    }
                    let warn = theme::severity_color(crate::analysis::Severity::Warning);
                    if let Some(why) = crs_guess(src) {
                        ui.colored_label(warn, format!("⚠ {}", lang.t(S::CrsGuessed)))
                            .on_hover_text(why.get(lang.model()));
                    }
                    if let Some(why) = encoding_guess(src) {
                        ui.colored_label(warn, format!("⚠ {}", lang.t(S::EncodingGuessed)))
                            .on_hover_text(why.get(lang.model()));
                    }
                    ui.horizontal(|ui| {
                        if ui
                            .small_button(lang.t(S::AttributeTable))
                            .on_hover_text(lang.t(S::TableShortcut))
                            .clicked()
                        {
                            cmds.push(AppCommand::OpenTable(layer.name.clone()));
                        }
                        settings_button(ui, doc, &layer.name, view, lang, busy);
                    });
                    layer_editor_ui(ui, doc, &layer.name, &src.path, view, lang, busy, cmds);
                });
                super::layer_style::layer_style_ui(ui, ds, li, settings, cmds);
            }
            for f in &doc.failures {
                let role = crate::model::settings::role_of_key(&f.key);
                let title = if role == LayerRole::Extra {
                    f.key.clone()
                } else {
                    layer_role_name(role, lang).to_string()
                };
                let red = theme::severity_color(crate::analysis::Severity::Blocking);
                ui.colored_label(red, format!("✗ {title} — {}", lang.t(S::LoadFailed)));
                ui.indent(("failed-layer", &f.key), |ui| {
                    ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Wrap);
                    ui.small(egui::RichText::new(&f.message).color(red));
                    settings_button(ui, doc, &f.key, view, lang, busy);
                    layer_editor_ui(ui, doc, &f.key, &f.path, view, lang, busy, cmds);
                });
            }
        });
}

/// The 设置 button: opens (or closes) the settings editor of layer `key`.
fn settings_button(
    ui: &mut Ui,
    doc: &Document,
    key: &str,
    view: &mut ViewState,
    lang: Lang,
    busy: bool,
) {
    let open = view.layer_edit.as_ref().is_some_and(|e| e.key == key);
    if ui
        .add_enabled(
            !busy,
            egui::Button::new(lang.t(S::LayerSettings))
                .small()
                .selected(open),
        )
        .clicked()
    {
        view.layer_edit = if open {
            None
        } else {
            let file = &doc.review.file;
            Some(LayerEdit {
                key: key.to_string(),
                role: None,
                extra_name: if crate::model::settings::role_of_key(key) == LayerRole::Extra {
                    key.to_string()
                } else {
                    String::new()
                },
                extra_role: file.layers.extra_role(key),
                crs: file.crs_of.get(key).cloned().unwrap_or_default(),
                encoding: file.encoding_of.get(key).cloned().unwrap_or_default(),
            })
        };
    }
}

/// Role, CRS and encoding of one layer, applied together (one reload), and removal.
#[allow(clippy::too_many_arguments)]
fn layer_editor_ui(
    ui: &mut Ui,
    doc: &Document,
    key: &str,
    path: &std::path::Path,
    view: &mut ViewState,
    lang: Lang,
    busy: bool,
    cmds: &mut Vec<AppCommand>,
) {
    let Some(edit) = view.layer_edit.as_mut().filter(|e| e.key == key) else {
        return;
    };
    let current = crate::model::settings::role_of_key(key);
    egui::Frame::group(ui.style()).show(ui, |ui| {
        egui::Grid::new(("layer-editor", key))
            .num_columns(2)
            .show(ui, |ui| {
                let label = ui.label(format!("{}:", lang.t(S::Role)));
                let role = edit.role.unwrap_or(current);
                egui::ComboBox::from_id_salt(("role", key))
                    .selected_text(layer_role_name(role, lang))
                    .show_ui(ui, |ui| {
                        for r in ROLES {
                            if ui
                                .selectable_label(role == r, layer_role_name(r, lang))
                                .clicked()
                            {
                                edit.role = (r != current || r == LayerRole::Extra).then_some(r);
                                if r == LayerRole::Extra && edit.extra_name.is_empty() {
                                    edit.extra_name = path
                                        .file_stem()
                                        .map(|s| s.to_string_lossy().into_owned())
                                        .unwrap_or_default();
                                }
                            }
                        }
                    })
                    .response
                    .labelled_by(label.id);
                ui.end_row();
                if role == LayerRole::Extra {
                    let l = ui.label(format!("{}:", lang.t(S::ExtraName)));
                    ui.add(egui::TextEdit::singleline(&mut edit.extra_name).desired_width(140.0))
                        .labelled_by(l.id);
                    ui.end_row();
                    let l = ui.label(format!("{}:", lang.t(S::ExtraUse)));
                    egui::ComboBox::from_id_salt(("extra-role", key))
                        .selected_text(extra_role_name(edit.extra_role, lang))
                        .show_ui(ui, |ui| {
                            for r in crate::model::settings::ExtraRole::ALL {
                                if ui
                                    .selectable_label(
                                        edit.extra_role == r,
                                        extra_role_name(r, lang),
                                    )
                                    .clicked()
                                {
                                    edit.extra_role = r;
                                }
                            }
                        })
                        .response
                        .labelled_by(l.id);
                    ui.end_row();
                }
                let l = ui.label(format!("{}:", lang.t(S::Crs)));
                ui.add(
                    egui::TextEdit::singleline(&mut edit.crs)
                        .desired_width(140.0)
                        .hint_text("EPSG:4549"),
                )
                .labelled_by(l.id);
                ui.end_row();
                let is_shp = path
                    .extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| e.eq_ignore_ascii_case("shp"));
                if is_shp {
                    let label = ui.label(format!("{}:", lang.t(S::Encoding)));
                    let shown = if edit.encoding.is_empty() {
                        lang.t(S::Detect).to_string()
                    } else {
                        edit.encoding.clone()
                    };
                    egui::ComboBox::from_id_salt(("encoding", key))
                        .selected_text(shown)
                        .show_ui(ui, |ui| {
                            if ui
                                .selectable_label(edit.encoding.is_empty(), lang.t(S::Detect))
                                .clicked()
                            {
                                edit.encoding.clear();
                            }
                            for e in ENCODINGS {
                                if ui.selectable_label(edit.encoding == e, e).clicked() {
                                    edit.encoding = e.to_string();
                                }
                            }
                        })
                        .response
                        .labelled_by(label.id);
                    ui.end_row();
                }
            });
        ui.horizontal(|ui| {
            if ui
                .add_enabled(!busy, egui::Button::new(lang.t(S::Apply)))
                .clicked()
            {
                cmds.push(AppCommand::EditLayer(edit.clone()));
            }
            if ui
                .add_enabled(!busy, egui::Button::new(lang.t(S::RemoveLayer)))
                .clicked()
            {
                cmds.push(AppCommand::RemoveLayer(key.to_string()));
            }
        });
    });
    let _ = doc;
}

/// The height the working CRS line and the whole legend need: one row per layer, three more
/// for water classes, two for conflicts and the selection, the heading and the CRS lines.
fn legend_height(ui: &Ui, doc: &Document) -> f32 {
    let layers = &doc.dataset.layers;
    let water = layers.iter().filter(|l| l.role == LayerRole::Water).count();
    let rows = layers.len() + 3 * water + 2 + 4;
    let row = ui.spacing().interact_size.y + ui.spacing().item_spacing.y;
    rows as f32 * row + 16.0
}

/// The legend: one entry per layer, top first, under the layer's own name (its role's name,
/// or the name of an extra layer, e.g. 蓝绿空间) with its file's stem; water by class; then
/// conflicts and the selection.
fn legend_ui(ui: &mut Ui, doc: &Document, derived: &Derived, lang: Lang) {
    ui.strong(lang.t(S::Legend));
    let ds = &doc.dataset;
    for li in draw_order(ds, &[]).into_iter().rev() {
        let Some(layer) = ds.layers.get(li) else {
            continue;
        };
        let name = legend_name(layer, lang);
        if layer.role == LayerRole::Water {
            // By class, under the layer's name (as a categorised legend).
            ui.label(name);
            ui.indent(("legend-water", li), |ui| {
                for (class, s) in [
                    (Some("一级"), S::WaterClass1),
                    (Some("二级"), S::WaterClass2),
                    (Some("准保护区"), S::WaterClassPre),
                ] {
                    let st = theme::water_style(class);
                    ui.horizontal(|ui| {
                        swatch(ui, st.fill, st.stroke);
                        ui.label(lang.t(s));
                    });
                }
            });
            continue;
        }
        let st = theme::role_style(layer.role);
        ui.horizontal(|ui| {
            swatch(ui, st.fill, st.stroke);
            ui.label(name);
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

/// A layer's name in the legend: [`layer_title`], then the stem of its file when that says
/// something more ("永久基本农田 (farmland)", "蓝绿空间 (bluegreen)").
pub fn legend_name(layer: &Layer, lang: Lang) -> String {
    let title = layer_title(layer, lang);
    match layer.source.path.file_stem().map(|s| s.to_string_lossy()) {
        Some(stem) if !stem.is_empty() && stem != title.as_str() => format!("{title} ({stem})"),
        _ => title,
    }
}

/// What an extra layer is for, in `lang`.
fn extra_role_name(role: crate::model::settings::ExtraRole, lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => role.name_zh(),
        Lang::En => role.name_en(),
    }
}

fn layer_role_name(role: LayerRole, lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => role.name_zh(),
        Lang::En => role.name_en(),
    }
}
