//! The attribute table (属性表) of one layer: every field, sortable by a click on a column
//! header (numeric columns by value), filtered by a text box (a substring of any value, or
//! `FIELD=value`), virtualised so 10⁵ rows scroll smoothly. A click on a row selects the
//! feature and zooms the map to it. Columns are resized by dragging the right edge of their
//! header; a cell shows its full text on hover and copies it from its right-click menu; Ctrl+C
//! copies the selected row (tab-separated).

use super::super::commands::AppCommand;
use super::super::i18n::{Lang, S};
use super::super::state::{Document, Picked};
use super::layers::layer_title;
use crate::model::Layer;
use egui::Ui;
use std::cmp::Ordering;

/// Sort and filter of the open table, with the row order computed for them.
#[derive(Clone, Debug, Default)]
pub struct TableState {
    /// Review key of the layer (it survives a reload that changes layer order).
    pub layer_key: String,
    /// Column to sort by (0 = record number, i + 1 = field i) and ascending or not.
    pub sort: Option<(usize, bool)>,
    pub filter: String,
    /// Feature indices in display order, for `cached_for`.
    rows: Vec<usize>,
    /// Column widths in points (record number first), kept while the layer stays the same.
    widths: Vec<f32>,
    /// Layer and revision `widths` were measured for.
    widths_for: Option<(u64, String)>,
    /// Per column: numbers (right-aligned).
    numeric: Vec<bool>,
    cached_for: Option<CacheKey>,
}

/// What the cached rows were computed for: revision, layer, sort, filter.
type CacheKey = (u64, String, Option<(usize, bool)>, String);

impl TableState {
    pub fn new(layer_key: &str) -> TableState {
        TableState {
            layer_key: layer_key.to_string(),
            ..TableState::default()
        }
    }

    /// Feature indices in display order (after [`TableState::refresh`]).
    pub fn rows(&self) -> &[usize] {
        &self.rows
    }

    /// Width of column `col` in points (0 = record number, i + 1 = field i).
    pub fn width(&self, col: usize) -> Option<f32> {
        self.widths.get(col).copied()
    }

    /// Recomputes the rows when the layer, sort or filter changed.
    pub fn refresh(&mut self, layer: &Layer, revision: u64) {
        let key = (
            revision,
            self.layer_key.clone(),
            self.sort,
            self.filter.clone(),
        );
        if self.cached_for.as_ref() == Some(&key) {
            return;
        }
        self.rows = table_rows(layer, self.sort, &self.filter);
        // A sort or a filter keeps the widths the user set; another layer is measured anew.
        let widths_key = (revision, self.layer_key.clone());
        if self.widths_for.as_ref() != Some(&widths_key) {
            self.widths = column_widths(layer);
            self.widths_for = Some(widths_key);
        }
        self.numeric = std::iter::once(true)
            .chain((0..layer.fields.len()).map(|i| {
                let values = || {
                    layer
                        .features
                        .iter()
                        .take(300)
                        .map(move |f| f.attrs.get(i).unwrap_or(""))
                        .map(str::trim)
                        .filter(|v| !v.is_empty())
                };
                values().next().is_some() && values().all(|v| v.parse::<f64>().is_ok())
            }))
            .collect();
        self.cached_for = Some(key);
    }
}

/// Text of column `col` for a feature: 0 is the record number, then the fields.
fn cell(layer: &Layer, feature: usize, col: usize) -> &str {
    let Some(f) = layer.features.get(feature) else {
        return "";
    };
    match col {
        0 => "",
        c => f.attrs.get(c - 1).unwrap_or(""),
    }
}

/// The features of `layer` (indices into `layer.features`) that pass `filter`, in `sort` order.
/// Filter: `FIELD=value` (field named case-insensitively, value equal after trimming, ASCII
/// case ignored) or text found in any value. Sort: numerically when every non-empty value of
/// the column is a number, else by text; empty values last; ties by record number.
pub fn table_rows(layer: &Layer, sort: Option<(usize, bool)>, filter: &str) -> Vec<usize> {
    let filter = filter.trim();
    let by_field = filter.split_once('=').and_then(|(name, value)| {
        layer
            .field_index(name)
            .map(|i| (i, value.trim().to_lowercase()))
    });
    let needle = filter.to_lowercase();
    let mut rows: Vec<usize> = (0..layer.features.len())
        .filter(|&i| {
            if filter.is_empty() {
                return true;
            }
            let f = &layer.features[i];
            match &by_field {
                Some((col, value)) => {
                    f.attrs.get(*col).unwrap_or("").trim().to_lowercase() == *value
                }
                None => {
                    f.index.to_string() == needle
                        || f.attrs
                            .iter()
                            .flatten()
                            .any(|v| v.to_lowercase().contains(&needle))
                }
            }
        })
        .collect();
    let Some((col, ascending)) = sort else {
        return rows;
    };
    let record = |i: usize| layer.features.get(i).map_or(0, |f| f.index);
    if col == 0 {
        rows.sort_by_key(|&i| record(i));
    } else {
        let numeric = layer
            .features
            .iter()
            .map(|f| f.attrs.get(col - 1).unwrap_or(""))
            .filter(|v| !v.trim().is_empty())
            .all(|v| v.trim().parse::<f64>().is_ok_and(f64::is_finite));
        if numeric {
            let value = |i: usize| cell(layer, i, col).trim().parse::<f64>().ok();
            let mut keyed: Vec<(Option<f64>, usize, usize)> =
                rows.iter().map(|&i| (value(i), record(i), i)).collect();
            keyed.sort_unstable_by(|a, b| {
                cmp_present(a.0, b.0, ascending, |x, y| x.total_cmp(y)).then(a.1.cmp(&b.1))
            });
            rows = keyed.into_iter().map(|k| k.2).collect();
        } else {
            let mut keyed: Vec<(Option<&str>, usize, usize)> = rows
                .iter()
                .map(|&i| {
                    let v = cell(layer, i, col).trim();
                    ((!v.is_empty()).then_some(v), record(i), i)
                })
                .collect();
            keyed.sort_unstable_by(|a, b| {
                cmp_present(a.0, b.0, ascending, |x, y| x.cmp(y)).then(a.1.cmp(&b.1))
            });
            rows = keyed.into_iter().map(|k| k.2).collect();
        }
    }
    rows
}

/// Compares two optional values, missing ones last whatever the direction.
fn cmp_present<T>(
    a: Option<T>,
    b: Option<T>,
    ascending: bool,
    cmp: impl Fn(&T, &T) -> Ordering,
) -> Ordering {
    match (a, b) {
        (Some(x), Some(y)) => {
            let o = cmp(&x, &y);
            if ascending {
                o
            } else {
                o.reverse()
            }
        }
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// Narrowest and widest a column can be dragged to (points).
const MIN_COL_W: f32 = 32.0;
const MAX_COL_W: f32 = 1200.0;

/// The text of a row as copied: record number and every field, tab-separated.
pub fn row_text(layer: &Layer, feature: usize) -> String {
    let Some(f) = layer.features.get(feature) else {
        return String::new();
    };
    std::iter::once(f.index.to_string())
        .chain((1..=layer.fields.len()).map(|c| cell(layer, feature, c).to_string()))
        .collect::<Vec<_>>()
        .join("\t")
}

/// Column widths in points from the header and the first rows' text.
fn column_widths(layer: &Layer) -> Vec<f32> {
    let chars = |s: &str| {
        s.chars()
            .map(|c| if c.is_ascii() { 1.0 } else { 1.9 })
            .sum::<f32>()
    };
    let mut widths = vec![64.0];
    for (i, name) in layer.fields.iter().enumerate() {
        let longest = layer
            .features
            .iter()
            .take(300)
            .map(|f| chars(f.attrs.get(i).unwrap_or("")))
            .fold(chars(name) + 2.0, f32::max);
        widths.push((longest * 7.5 + 16.0).clamp(56.0, 280.0));
    }
    widths
}

/// The table panel. `picked` is the selected feature (its row is highlighted).
pub fn table_panel_ui(
    ui: &mut Ui,
    doc: &Document,
    table: &mut TableState,
    picked: Option<Picked>,
    lang: Lang,
    cmds: &mut Vec<AppCommand>,
) -> bool {
    let mut keep_open = true;
    let Some(li) = doc.layer_index(&table.layer_key) else {
        ui.label(lang.t(S::NoLayer));
        if ui.button(lang.t(S::CloseTable)).clicked() {
            keep_open = false;
        }
        return keep_open;
    };
    let Some(layer) = doc.dataset.layers.get(li) else {
        return false;
    };
    table.refresh(layer, doc.revision);
    // Wrapped, so that a narrow middle column never pushes the panel under the findings.
    ui.horizontal_wrapped(|ui| {
        let label = ui.strong(format!("{}:", lang.t(S::AttributeTable)));
        // The layer shown; pick another.
        egui::ComboBox::from_id_salt("table-layer")
            .selected_text(layer_title(layer, lang))
            .show_ui(ui, |ui| {
                for l in &doc.dataset.layers {
                    if ui
                        .selectable_label(l.name == table.layer_key, layer_title(l, lang))
                        .clicked()
                    {
                        table.layer_key = l.name.clone();
                        table.sort = None;
                        table.filter.clear();
                    }
                }
            })
            .response
            .labelled_by(label.id);
        ui.label(format!(
            "{} / {} {}",
            table.rows().len(),
            layer.features.len(),
            lang.t(S::Rows)
        ));
        let l = ui.label(format!("{}:", lang.t(S::Filter)));
        ui.add(
            egui::TextEdit::singleline(&mut table.filter)
                .desired_width(180.0)
                .hint_text(lang.t(S::FilterHint)),
        )
        .labelled_by(l.id);
        if ui.button(lang.t(S::CloseTable)).clicked() {
            keep_open = false;
        }
    });
    let widths = table.widths.clone();
    let numeric = table.numeric.clone();
    let row_h = ui.spacing().interact_size.y;
    let selected = picked.filter(|p| p.layer == li).map(|p| p.feature);
    egui::ScrollArea::horizontal()
        .id_salt(("table-h", &table.layer_key))
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Truncate);
            // Header: click to sort, again to reverse; drag a header's right edge to resize.
            ui.horizontal(|ui| {
                let names = std::iter::once(lang.t(S::Record).to_string())
                    .chain(layer.fields.iter().cloned());
                let gap = ui.spacing().item_spacing.x;
                for (col, name) in names.enumerate() {
                    let arrow = match table.sort {
                        Some((c, true)) if c == col => " ▲",
                        Some((c, false)) if c == col => " ▼",
                        _ => "",
                    };
                    let w = widths.get(col).copied().unwrap_or(80.0);
                    let b =
                        egui::Button::new(egui::RichText::new(format!("{name}{arrow}")).strong())
                            .truncate()
                            .min_size(egui::vec2(w, row_h));
                    let r = ui.add_sized([w, row_h], b).on_hover_text(name.as_str());
                    if r.clicked() {
                        table.sort = match table.sort {
                            Some((c, true)) if c == col => Some((col, false)),
                            _ => Some((col, true)),
                        };
                    }
                    // The resize handle: the gap after the header button.
                    let x = r.rect.right() + gap * 0.5;
                    let handle = egui::Rect::from_x_y_ranges(
                        (x - 4.0)..=(x + 4.0),
                        r.rect.top()..=r.rect.bottom(),
                    );
                    let h = ui
                        .interact(
                            handle,
                            ui.make_persistent_id(("col-resize", col)),
                            egui::Sense::drag(),
                        )
                        .on_hover_cursor(egui::CursorIcon::ResizeColumn);
                    h.widget_info(|| {
                        egui::WidgetInfo::labeled(
                            egui::Role::Splitter,
                            true,
                            format!("{}: {name}", lang.t(S::ResizeColumn)),
                        )
                    });
                    if h.hovered() || h.dragged() {
                        ui.painter().vline(
                            x,
                            r.rect.y_range(),
                            ui.visuals().widgets.active.fg_stroke,
                        );
                    }
                    if h.dragged() {
                        if let Some(cw) = table.widths.get_mut(col) {
                            *cw = (*cw + h.drag_delta().x).clamp(MIN_COL_W, MAX_COL_W);
                        }
                    }
                }
            });
            ui.separator();
            let rows = std::mem::take(&mut table.rows);
            egui::ScrollArea::vertical()
                .id_salt(("table-v", &table.layer_key))
                .auto_shrink([false, false])
                .show_rows(ui, row_h, rows.len(), |ui, range| {
                    for &fi in rows.get(range).unwrap_or(&[]) {
                        let Some(f) = layer.features.get(fi) else {
                            continue;
                        };
                        let is_sel = selected == Some(fi);
                        let mut clicked = false;
                        ui.horizontal(|ui| {
                            for col in 0..=layer.fields.len() {
                                let w = widths.get(col).copied().unwrap_or(80.0);
                                let text = if col == 0 {
                                    f.index.to_string()
                                } else {
                                    cell(layer, fi, col).to_string()
                                };
                                // Numbers right-aligned, text left-aligned.
                                let atoms = if numeric.get(col).copied().unwrap_or(false) {
                                    (egui::Atom::grow(), egui::Atom::from(text.clone()))
                                } else {
                                    (egui::Atom::from(text.clone()), egui::Atom::grow())
                                };
                                let b = egui::Button::selectable(is_sel, atoms)
                                    .truncate()
                                    .min_size(egui::vec2(w, row_h));
                                let mut r = ui.add_sized([w, row_h], b);
                                if text.is_empty() {
                                    // An empty cell is still a named widget (field name).
                                    if let Some(name) =
                                        col.checked_sub(1).and_then(|c| layer.fields.get(c))
                                    {
                                        r = r.on_hover_text(name.as_str());
                                    }
                                } else {
                                    // The full text, however narrow the column.
                                    r = r.on_hover_text(text.as_str());
                                }
                                r.context_menu(|ui| {
                                    if ui.button(lang.t(S::Copy)).clicked() {
                                        ui.ctx().copy_text(text.clone());
                                        ui.close();
                                    }
                                    if ui.button(lang.t(S::CopyRow)).clicked() {
                                        ui.ctx().copy_text(row_text(layer, fi));
                                        ui.close();
                                    }
                                });
                                if r.clicked() {
                                    clicked = true;
                                }
                            }
                        });
                        if clicked {
                            cmds.push(AppCommand::SelectFeature(Picked {
                                layer: li,
                                feature: fi,
                            }));
                        }
                    }
                });
            table.rows = rows;
        });
    // Ctrl+C (the platform's copy) with a row selected and no text field focused: the row.
    if let Some(fi) = selected {
        let copy = !ui.ctx().text_edit_focused()
            && ui.input_mut(|i| {
                i.events.iter().any(|e| matches!(e, egui::Event::Copy))
                    || i.consume_key(egui::Modifiers::COMMAND, egui::Key::C)
            });
        if copy {
            ui.ctx().copy_text(row_text(layer, fi));
        }
    }
    keep_open
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::state::Document;
    use crate::model::{Feature, LayerRole, SourceInfo};

    fn layer(rows: &[(&str, &str)]) -> Layer {
        Layer {
            name: "farmland".into(),
            role: LayerRole::Farmland,
            fields: vec!["DLMC".into(), "TBMJ".into()],
            features: rows
                .iter()
                .enumerate()
                .map(|(i, (a, b))| Feature {
                    index: i,
                    geometry: geo::MultiPolygon(vec![]),
                    attrs: vec![
                        (!a.is_empty()).then(|| a.to_string()),
                        (!b.is_empty()).then(|| b.to_string()),
                    ]
                    .into(),
                })
                .collect(),
            source: SourceInfo::default(),
        }
    }

    #[test]
    fn sort_numeric_text_and_filter() {
        let l = layer(&[
            ("水田", "10.5"),
            ("旱地", "9"),
            ("水浇地", ""),
            ("水田", "100"),
        ]);
        // Numeric: 9 < 10.5 < 100 (text order would put "100" before "9"); empty last.
        assert_eq!(table_rows(&l, Some((2, true)), ""), [1, 0, 3, 2]);
        assert_eq!(table_rows(&l, Some((2, false)), ""), [3, 0, 1, 2]);
        // Text; ties by record number.
        assert_eq!(table_rows(&l, Some((1, true)), ""), [1, 2, 0, 3]);
        assert_eq!(table_rows(&l, Some((0, true)), ""), [0, 1, 2, 3]);
        assert_eq!(table_rows(&l, None, "水"), [0, 2, 3]);
        assert_eq!(table_rows(&l, None, "dlmc=水田"), [0, 3]);
        assert_eq!(table_rows(&l, Some((2, false)), "DLMC = 水田"), [3, 0]);
        assert_eq!(table_rows(&l, None, "nosuchfield=1"), Vec::<usize>::new());
        assert_eq!(table_rows(&l, None, "  "), [0, 1, 2, 3]);
    }

    /// Timing on a county-sized layer (80,000 patches, 6 fields): sort, filter, one frame.
    /// `cargo test --release --lib table_timing -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn table_timing_80k() {
        use crate::io::review::Review;
        use crate::load::Dataset;
        use std::time::Instant;
        let classes = ["水田", "旱地", "水浇地"];
        let n = 80_000;
        let layer = Layer {
            name: "farmland".into(),
            role: LayerRole::Farmland,
            fields: ["BSM", "DLBM", "DLMC", "TBMJ", "XZQDM", "ZLDWMC"]
                .map(String::from)
                .to_vec(),
            features: (0..n)
                .map(|i| Feature {
                    index: i,
                    geometry: geo::MultiPolygon(vec![]),
                    attrs: vec![
                        Some(format!("3301{i:010}")),
                        Some("0101".into()),
                        Some(classes[i % 3].into()),
                        Some(format!("{:.2}", (i * 7919 % 100_000) as f64 / 3.0)),
                        Some("330109009".into()),
                        Some(format!("第{}村", i % 97)),
                    ]
                    .into(),
                })
                .collect(),
            source: SourceInfo::default(),
        };
        let t = Instant::now();
        let rows = table_rows(&layer, Some((4, false)), "");
        println!(
            "sort by TBMJ (numeric): {:.1} ms",
            t.elapsed().as_secs_f64() * 1e3
        );
        assert_eq!(rows.len(), n);
        let t = Instant::now();
        table_rows(&layer, Some((6, true)), "");
        println!(
            "sort by ZLDWMC (text): {:.1} ms",
            t.elapsed().as_secs_f64() * 1e3
        );
        let t = Instant::now();
        let rows = table_rows(&layer, None, "DLMC=水浇地");
        println!(
            "filter DLMC=水浇地: {:.1} ms ({} rows)",
            t.elapsed().as_secs_f64() * 1e3,
            rows.len()
        );
        let t = Instant::now();
        table_rows(&layer, None, "村");
        println!(
            "filter substring: {:.1} ms",
            t.elapsed().as_secs_f64() * 1e3
        );

        let doc = Document {
            review: Review::parse(
                "[layers]\nzones = \"z.shp\"\nfarmland = \"f.shp\"\n",
                std::path::Path::new("r.toml"),
            )
            .unwrap(),
            dataset: std::sync::Arc::new(Dataset {
                working_crs: crate::crs::CrsDef::epsg(4549).unwrap(),
                working_crs_reason: String::new(),
                layers: vec![layer],
                loaded_near: None,
            }),
            failures: Vec::new(),
            decisions: Default::default(),
            untitled: false,
            revision: 1,
            dirty: false,
            plan: Default::default(),
            baseline: None,
        };
        let ctx = egui::Context::default();
        let mut table = TableState::new("farmland");
        table.sort = Some((4, true));
        let mut cmds = Vec::new();
        let input = || egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(
                egui::Pos2::ZERO,
                egui::vec2(1600.0, 400.0),
            )),
            ..Default::default()
        };
        let mut frame = |table: &mut TableState| {
            let t = Instant::now();
            let mut out = ctx.run_ui(input(), |ui| {
                table_panel_ui(ui, &doc, table, None, Lang::Zh, &mut cmds);
            });
            out.textures_delta.clear();
            t.elapsed().as_secs_f64() * 1e3
        };
        let first = frame(&mut table);
        let steady: Vec<f64> = (0..20).map(|_| frame(&mut table)).collect();
        let mean = steady.iter().sum::<f64>() / steady.len() as f64;
        println!("first frame (sort + layout): {first:.1} ms; next frames: {mean:.2} ms mean");
    }
}
