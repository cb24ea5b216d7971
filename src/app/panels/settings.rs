//! The settings window (设置/审查规则, 检查 → 规则设置…, Ctrl+,): the review's thresholds,
//! quotas, severities and, per layer, which field holds what. Values are typed as text and
//! checked on 应用 (no negative or non-numeric value reaches the review); applying writes the
//! review file (keeping the user's comments), reloads the layers and runs the check again.

use super::super::commands::AppCommand;
use super::super::i18n::{Lang, S};
use super::super::state::Document;
use crate::analysis::fields::{Fields, Role};
use crate::analysis::Severity;
use crate::model::settings::{FieldNames, ReviewFile};
use egui::{Color32, RichText, Ui};
use std::collections::BTreeMap;

/// One quota row as typed: name, minimum, maximum.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QuotaText {
    pub name: String,
    pub min: String,
    pub max: String,
}

/// The window's text, from the review when it opens; applied on 应用.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SettingsDraft {
    pub contiguity: String,
    pub max_bridged_gap: String,
    pub min_connection_width: String,
    pub max_parts: String,
    pub sliver: String,
    pub sliver_width: String,
    pub sliver_total: String,
    pub custody: String,
    pub custody_cover: String,
    pub tbmj_tolerance: String,
    /// `rules.area` is ellipsoidal.
    pub area_ellipsoidal: bool,
    /// 五(十六) targets, 万元/亩.
    pub tax_per_mu: String,
    pub value_added_per_mu: String,
    pub city_level: Vec<QuotaText>,
    pub county: Vec<QuotaText>,
    /// Per rule id: `None` is the rule's own severity.
    pub severity: BTreeMap<String, Option<Severity>>,
    /// Per layer key, per role: the field name, empty for "detect".
    pub fields: BTreeMap<String, BTreeMap<Role, String>>,
    /// Why the last 应用 was refused.
    pub error: Option<String>,
}

fn num(v: f64) -> String {
    format!("{v}")
}

fn quota_rows(map: &BTreeMap<String, [u32; 2]>) -> Vec<QuotaText> {
    map.iter()
        .map(|(name, [lo, hi])| QuotaText {
            name: name.clone(),
            min: lo.to_string(),
            max: hi.to_string(),
        })
        .collect()
}

impl SettingsDraft {
    /// The draft of a review's current settings.
    pub fn of(doc: &Document) -> SettingsDraft {
        let file = &doc.review.file;
        let r = &file.rules;
        let mut severity: BTreeMap<String, Option<Severity>> =
            crate::analysis::rules::severity_keys()
                .into_iter()
                .map(|k| (k.to_string(), None))
                .collect();
        for (k, s) in &r.severity {
            severity.insert(k.clone(), Some(*s));
        }
        let mut fields = BTreeMap::new();
        for layer in &doc.dataset.layers {
            let own = file.fields_of.get(&layer.name);
            let roles: BTreeMap<Role, String> = Role::used_by(layer.role)
                .iter()
                .map(|&role| {
                    let mut own = own.cloned().unwrap_or_default();
                    (role, role.slot(&mut own).clone().unwrap_or_default())
                })
                .collect();
            fields.insert(layer.name.clone(), roles);
        }
        SettingsDraft {
            contiguity: num(r.contiguity_distance_m),
            max_bridged_gap: num(r.max_bridged_gap_m),
            min_connection_width: num(r.min_connection_width_m),
            max_parts: r.max_parts.to_string(),
            sliver: num(r.sliver_area_m2),
            sliver_width: num(r.sliver_width_m),
            sliver_total: num(r.sliver_total_m2),
            custody: num(r.custody_protected_share),
            custody_cover: num(r.custody_min_cover_share),
            tbmj_tolerance: num(r.tbmj_tolerance),
            area_ellipsoidal: r.area == crate::model::settings::AreaBasis::Ellipsoidal,
            tax_per_mu: num(r.tax_per_mu_wan),
            value_added_per_mu: num(r.value_added_per_mu_wan),
            city_level: quota_rows(&file.quotas.city_level),
            county: quota_rows(&file.quotas.county),
            severity,
            fields,
            error: None,
        }
    }

    /// `file` with the draft's values, or what is wrong (in `lang`), naming the setting.
    pub fn apply_to(&self, file: &ReviewFile, lang: Lang) -> Result<ReviewFile, String> {
        let mut out = file.clone();
        let number = |text: &str, what: S| -> Result<f64, String> {
            let v: f64 = text.trim().parse().map_err(|_| {
                format!(
                    "{}: “{}” {}",
                    lang.t(what),
                    text.trim(),
                    lang.t(S::NotANumber)
                )
            })?;
            if !v.is_finite() || v < 0.0 {
                return Err(format!(
                    "{}: {v} {}",
                    lang.t(what),
                    lang.t(S::MustBeNonNegative)
                ));
            }
            Ok(v)
        };
        out.rules.contiguity_distance_m = number(&self.contiguity, S::ContiguityDistance)?;
        out.rules.max_bridged_gap_m = number(&self.max_bridged_gap, S::MaxBridgedGap)?;
        out.rules.min_connection_width_m =
            number(&self.min_connection_width, S::MinConnectionWidth)?;
        out.rules.max_parts = self.max_parts.trim().parse::<u32>().map_err(|_| {
            format!(
                "{}: “{}” {}",
                lang.t(S::MaxParts),
                self.max_parts.trim(),
                lang.t(S::NotACount)
            )
        })?;
        out.rules.sliver_area_m2 = number(&self.sliver, S::SliverTolerance)?;
        out.rules.sliver_width_m = number(&self.sliver_width, S::SliverWidth)?;
        out.rules.sliver_total_m2 = number(&self.sliver_total, S::SliverTotal)?;
        out.rules.custody_protected_share = number(&self.custody, S::CustodyShare)?;
        out.rules.custody_min_cover_share = number(&self.custody_cover, S::CustodyCover)?;
        out.rules.tbmj_tolerance = number(&self.tbmj_tolerance, S::TbmjTolerance)?;
        out.rules.area = if self.area_ellipsoidal {
            crate::model::settings::AreaBasis::Ellipsoidal
        } else {
            crate::model::settings::AreaBasis::Planar
        };
        out.rules.tax_per_mu_wan = number(&self.tax_per_mu, S::TaxPerMuTarget)?;
        out.rules.value_added_per_mu_wan =
            number(&self.value_added_per_mu, S::ValueAddedPerMuTarget)?;
        for (share, what) in [
            (out.rules.custody_protected_share, S::CustodyShare),
            (out.rules.custody_min_cover_share, S::CustodyCover),
            (out.rules.tbmj_tolerance, S::TbmjTolerance),
        ] {
            if share > 1.0 {
                return Err(format!(
                    "{}: {} {}",
                    lang.t(what),
                    share,
                    lang.t(S::ShareRange)
                ));
            }
        }
        let quotas = |rows: &[QuotaText], what: S| -> Result<BTreeMap<String, [u32; 2]>, String> {
            let mut map = BTreeMap::new();
            for q in rows {
                let name = q.name.trim();
                if name.is_empty() {
                    continue;
                }
                let bound = |t: &str| -> Result<u32, String> {
                    t.trim().parse::<u32>().map_err(|_| {
                        format!(
                            "{} {name}: “{}” {}",
                            lang.t(what),
                            t.trim(),
                            lang.t(S::NotACount)
                        )
                    })
                };
                let (lo, hi) = (bound(&q.min)?, bound(&q.max)?);
                if lo > hi {
                    return Err(format!(
                        "{} {name}: {lo} > {hi} {}",
                        lang.t(what),
                        lang.t(S::MinAboveMax)
                    ));
                }
                map.insert(name.to_string(), [lo, hi]);
            }
            Ok(map)
        };
        out.quotas.city_level = quotas(&self.city_level, S::QuotaCityLevel)?;
        out.quotas.county = quotas(&self.county, S::QuotaCounty)?;
        out.rules.severity = self
            .severity
            .iter()
            .filter_map(|(k, s)| s.map(|s| (k.clone(), s)))
            .collect();
        for (layer, roles) in &self.fields {
            let mut names = FieldNames::default();
            for (role, field) in roles {
                let field = field.trim();
                *role.slot(&mut names) = (!field.is_empty()).then(|| field.to_string());
            }
            if names.is_unset() {
                out.fields_of.remove(layer);
            } else {
                out.fields_of.insert(layer.clone(), names);
            }
        }
        crate::io::review::validate(&out).map_err(|t| t.get(lang.model()).to_string())?;
        Ok(out)
    }
}

fn severity_name(s: Option<Severity>, lang: Lang) -> &'static str {
    match s {
        None => lang.t(S::DefaultSeverity),
        Some(Severity::Blocking) => lang.pick("否决", "blocking"),
        Some(Severity::Warning) => lang.pick("警告", "warning"),
        Some(Severity::Info) => lang.pick("提示", "info"),
    }
}

/// A labelled single-line text field (the label names it for screen readers and tests).
fn text_row(ui: &mut Ui, label: String, text: &mut String, unit: &str) {
    let l = ui.label(label);
    ui.horizontal(|ui| {
        ui.add(egui::TextEdit::singleline(text).desired_width(90.0))
            .labelled_by(l.id);
        ui.label(unit);
    });
    ui.end_row();
}

fn quota_grid(ui: &mut Ui, id: &str, rows: &mut Vec<QuotaText>, lang: Lang) {
    let mut remove = None;
    egui::Grid::new(id).num_columns(4).show(ui, |ui| {
        // Each input is named by its column's header (for screen readers and tests).
        let name = ui.label(lang.t(S::QuotaName)).id;
        let min = ui.label(lang.t(S::Minimum)).id;
        let max = ui.label(lang.t(S::Maximum)).id;
        ui.label("");
        ui.end_row();
        for (i, q) in rows.iter_mut().enumerate() {
            ui.add(egui::TextEdit::singleline(&mut q.name).desired_width(90.0))
                .labelled_by(name);
            ui.add(egui::TextEdit::singleline(&mut q.min).desired_width(40.0))
                .labelled_by(min);
            ui.add(egui::TextEdit::singleline(&mut q.max).desired_width(40.0))
                .labelled_by(max);
            if ui
                .small_button("✕")
                .on_hover_text(lang.t(S::Remove))
                .clicked()
            {
                remove = Some(i);
            }
            ui.end_row();
        }
    });
    if let Some(i) = remove {
        rows.remove(i);
    }
    if ui.small_button(lang.t(S::AddRow)).clicked() {
        rows.push(QuotaText::default());
    }
}

/// The window's content. Returns false when it should close.
pub fn settings_ui(
    ui: &mut Ui,
    doc: &Document,
    draft: &mut SettingsDraft,
    lang: Lang,
    busy: bool,
    cmds: &mut Vec<AppCommand>,
) -> bool {
    let mut keep = true;
    egui::ScrollArea::vertical()
        .max_height(560.0)
        .show(ui, |ui| {
            ui.heading(lang.t(S::RulesHeading));
            egui::Grid::new("settings-rules")
                .num_columns(2)
                .show(ui, |ui| {
                    text_row(
                        ui,
                        format!("{}:", lang.t(S::ContiguityDistance)),
                        &mut draft.contiguity,
                        "m",
                    );
                    text_row(
                        ui,
                        format!("{}:", lang.t(S::MaxBridgedGap)),
                        &mut draft.max_bridged_gap,
                        "m",
                    );
                    text_row(
                        ui,
                        format!("{}:", lang.t(S::MinConnectionWidth)),
                        &mut draft.min_connection_width,
                        "m",
                    );
                    text_row(
                        ui,
                        format!("{}:", lang.t(S::MaxParts)),
                        &mut draft.max_parts,
                        "",
                    );
                    text_row(
                        ui,
                        format!("{}:", lang.t(S::SliverTolerance)),
                        &mut draft.sliver,
                        "m²",
                    );
                    text_row(
                        ui,
                        format!("{}:", lang.t(S::SliverWidth)),
                        &mut draft.sliver_width,
                        "m",
                    );
                    text_row(
                        ui,
                        format!("{}:", lang.t(S::SliverTotal)),
                        &mut draft.sliver_total,
                        "m²",
                    );
                    text_row(
                        ui,
                        format!("{}:", lang.t(S::CustodyShare)),
                        &mut draft.custody,
                        "0–1",
                    );
                    text_row(
                        ui,
                        format!("{}:", lang.t(S::CustodyCover)),
                        &mut draft.custody_cover,
                        "0–1",
                    );
                    text_row(
                        ui,
                        format!("{}:", lang.t(S::TbmjTolerance)),
                        &mut draft.tbmj_tolerance,
                        "0–1",
                    );
                    ui.label(format!("{}:", lang.t(S::AreaBasis)));
                    ui.checkbox(&mut draft.area_ellipsoidal, lang.t(S::AreaEllipsoidal));
                    ui.end_row();
                    text_row(
                        ui,
                        format!("{}:", lang.t(S::TaxPerMuTarget)),
                        &mut draft.tax_per_mu,
                        lang.t(S::WanPerMu),
                    );
                    text_row(
                        ui,
                        format!("{}:", lang.t(S::ValueAddedPerMuTarget)),
                        &mut draft.value_added_per_mu,
                        lang.t(S::WanPerMu),
                    );
                });
            ui.separator();
            ui.heading(lang.t(S::QuotasHeading));
            ui.label(lang.t(S::QuotaCityLevel));
            quota_grid(ui, "settings-quota-city", &mut draft.city_level, lang);
            ui.label(lang.t(S::QuotaCounty));
            quota_grid(ui, "settings-quota-county", &mut draft.county, lang);
            ui.separator();
            ui.heading(lang.t(S::SeverityHeading));
            egui::Grid::new("settings-severity")
                .num_columns(2)
                .show(ui, |ui| {
                    for (rule, sev) in draft.severity.iter_mut() {
                        let l = ui.label(rule.as_str());
                        egui::ComboBox::from_id_salt(("severity", rule.as_str()))
                            .selected_text(severity_name(*sev, lang))
                            .show_ui(ui, |ui| {
                                for s in [
                                    None,
                                    Some(Severity::Blocking),
                                    Some(Severity::Warning),
                                    Some(Severity::Info),
                                ] {
                                    ui.selectable_value(sev, s, severity_name(s, lang));
                                }
                            })
                            .response
                            .labelled_by(l.id);
                        ui.end_row();
                    }
                });
            ui.separator();
            ui.heading(lang.t(S::FieldsHeading));
            ui.label(RichText::new(lang.t(S::FieldsHint)).small());
            for layer in &doc.dataset.layers {
                let Some(roles) = draft.fields.get_mut(&layer.name) else {
                    continue;
                };
                let resolution = Fields::explain(layer, &doc.review.file);
                ui.label(RichText::new(&layer.name).strong());
                egui::Grid::new(("settings-fields", layer.name.as_str()))
                    .num_columns(3)
                    .show(ui, |ui| {
                        for choice in &resolution.choices {
                            let Some(value) = roles.get_mut(&choice.role) else {
                                continue;
                            };
                            let l =
                                ui.label(lang.pick(choice.role.name_zh(), choice.role.name_en()));
                            let shown = if value.is_empty() {
                                lang.t(S::Detect).to_string()
                            } else {
                                value.clone()
                            };
                            egui::ComboBox::from_id_salt((
                                "field",
                                layer.name.as_str(),
                                choice.role.key(),
                            ))
                            .selected_text(shown)
                            .show_ui(ui, |ui| {
                                if ui
                                    .selectable_label(value.is_empty(), lang.t(S::Detect))
                                    .clicked()
                                {
                                    value.clear();
                                }
                                for f in &layer.fields {
                                    if ui.selectable_label(value == f, f.as_str()).clicked() {
                                        *value = f.clone();
                                    }
                                }
                            })
                            .response
                            .labelled_by(l.id);
                            let described = choice.describe();
                            ui.label(RichText::new(described.get(lang.model())).small());
                            ui.end_row();
                        }
                    });
            }
        });
    if let Some(e) = &draft.error {
        ui.label(RichText::new(e).color(Color32::from_rgb(190, 20, 30)));
    }
    ui.horizontal(|ui| {
        if ui
            .add_enabled(!busy, egui::Button::new(lang.t(S::ApplySettings)))
            .clicked()
        {
            match draft.apply_to(&doc.review.file, lang) {
                Ok(file) => {
                    draft.error = None;
                    cmds.push(AppCommand::ApplySettings(Box::new(file)));
                }
                Err(e) => draft.error = Some(e),
            }
        }
        if ui.button(lang.t(S::Close)).clicked() {
            keep = false;
        }
    });
    keep
}
