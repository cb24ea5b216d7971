//! Per-layer style controls in the layers panel: opacity, drawing order (up/down) and zoom to
//! the layer. Opacity and order are remembered in [`Persisted`]; the map applies them.

use super::super::commands::AppCommand;
use super::super::i18n::S;
use super::super::state::Persisted;
use crate::load::Dataset;
use egui::Ui;

/// Two compact rows under layer `li`: the opacity slider; 上移 / 下移, 缩放到图层.
pub fn layer_style_ui(
    ui: &mut Ui,
    ds: &Dataset,
    li: usize,
    settings: &mut Persisted,
    cmds: &mut Vec<AppCommand>,
) {
    let lang = settings.lang;
    let Some(layer) = ds.layers.get(li) else {
        return;
    };
    let name = layer.name.clone();
    ui.indent(("layer-style", li), |ui| {
        ui.horizontal(|ui| {
            let mut percent = (settings.layer_opacity(&name) * 100.0).round();
            let slider = egui::Slider::new(&mut percent, 0.0..=100.0)
                .step_by(5.0)
                .fixed_decimals(0)
                .suffix("%")
                .text(lang.t(S::Opacity));
            if ui.add(slider).changed() {
                settings.set_layer_opacity(&name, percent / 100.0);
            }
        });
        // The buttons on their own row: the panel is narrow, and a wrapped row splits them.
        ui.horizontal(|ui| {
            if ui
                .small_button(lang.t(S::MoveUp))
                .on_hover_text(lang.t(S::MoveUpHint))
                .clicked()
            {
                settings.move_layer(ds, li, true);
            }
            if ui
                .small_button(lang.t(S::MoveDown))
                .on_hover_text(lang.t(S::MoveDownHint))
                .clicked()
            {
                settings.move_layer(ds, li, false);
            }
            if ui.small_button(lang.t(S::ZoomToLayer)).clicked() {
                cmds.push(AppCommand::ZoomToLayer(li));
            }
        });
    });
}
