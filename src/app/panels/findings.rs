//! The findings panel (检查结果): zones with pass/fail and their findings, filterable by
//! severity and by rule; the selected finding's decision (status, reason, comment) below.

use super::super::commands::AppCommand;
use super::super::decisions::{Decision, FindingKey, Resolved, Status, ZoneResult};
use super::super::i18n::{Lang, S};
use super::super::state::{CheckState, Derived, Document, FindingPos, ViewState};
use super::super::theme;
use crate::analysis::{Family, Finding, Rule, Severity};
use egui::{RichText, Ui};

const SEVERITIES: [(Severity, S); 3] = [
    (Severity::Blocking, S::Blocking),
    (Severity::Warning, S::Warning),
    (Severity::Info, S::Info),
];

pub fn findings_panel_ui(
    ui: &mut Ui,
    doc: Option<&Document>,
    derived: &Derived,
    view: &mut ViewState,
    lang: Lang,
    cmds: &mut Vec<AppCommand>,
) {
    ui.heading(lang.t(S::Findings));
    ui.horizontal(|ui| {
        ui.label(format!("{}:", lang.t(S::Severity)));
        for (sev, s) in SEVERITIES {
            ui.checkbox(
                &mut view.show_severity[sev as usize],
                RichText::new(lang.t(s)).color(theme::severity_color(sev)),
            );
        }
    });
    let Some(doc) = doc else {
        ui.separator();
        ui.weak(lang.t(S::NoReview));
        return;
    };
    let Some(check) = &derived.check else {
        ui.separator();
        ui.label(lang.t(S::NotChecked));
        return;
    };
    rule_filter_ui(ui, check, view, lang);
    ui.separator();
    if check.revision != doc.revision {
        ui.colored_label(theme::severity_color(Severity::Warning), lang.t(S::Stale));
    }
    let resolved = check.resolve(&doc.decisions);
    let results: Vec<ZoneResult> = (0..check.analysis.zones.len())
        .map(|z| resolved.zone_result(&check.analysis, z))
        .collect();
    let failing = results.iter().filter(|r| **r == ZoneResult::Fail).count();
    let by_decision = results
        .iter()
        .filter(|r| **r == ZoneResult::PassedByDecision)
        .count();
    let counts = resolved.counts(&check.analysis);
    ui.horizontal_wrapped(|ui| {
        let mut text = format!(
            "{} {} · {} {}",
            check.analysis.zones.len(),
            lang.t(S::ZonesSummary),
            failing,
            lang.t(S::FailingSummary)
        );
        if by_decision > 0 {
            text.push_str(&format!(" · {by_decision} {}", lang.t(S::PassedByDecision)));
        }
        ui.label(text);
        ui.label(format!(
            "· {} {} · {} {}",
            counts.open,
            lang.t(S::OpenCount),
            counts.decided,
            lang.t(S::DecidedCount)
        ));
        if ui
            .button(lang.t(S::PlanSummaryOpen))
            .on_hover_text("F6")
            .clicked()
        {
            cmds.push(AppCommand::TogglePlanSummary);
        }
    });
    // Narrowed to one group of the plan summary (a group the plan no longer has is dropped).
    let group_ids = match &view.plan.group {
        Some(g) => match g.zone_ids(&check.analysis.plan) {
            Some(ids) => {
                let title = g.title(lang);
                ui.horizontal(|ui| {
                    ui.label(format!(
                        "{}: {title} · {} {}",
                        lang.t(S::ShowingOnly),
                        ids.len(),
                        lang.t(S::ZonesSummary)
                    ));
                    if ui.button(lang.t(S::ShowAll)).clicked() {
                        view.plan.group = None;
                    }
                });
                view.plan.group.is_some().then_some(ids)
            }
            None => {
                view.plan.group = None;
                None
            }
        },
        None => None,
    };

    if view.selected_finding.is_some() {
        egui::Panel::bottom("finding-detail")
            .resizable(true)
            .default_size(260.0)
            .min_size(200.0)
            .show(ui, |ui| detail_ui(ui, doc, check, view, lang, cmds));
    }

    let selected_zone = view
        .selected_finding
        .as_ref()
        .and_then(|k| check.position_of(k))
        .map(|p| p.zone);
    egui::ScrollArea::vertical()
        .id_salt("findings-scroll")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Wrap);
            // A check on incomplete input says so first (`input.*` plan findings).
            let plan_first = check
                .analysis
                .plan
                .findings
                .iter()
                .any(Finding::is_about_input);
            if plan_first {
                plan_findings_ui(ui, &resolved, check, view, lang, cmds, selected_zone);
            }
            for (z, zone) in check.analysis.zones.iter().enumerate() {
                if group_ids.is_some_and(|ids| !ids.contains(&zone.id)) {
                    continue;
                }
                let result = results.get(z).copied().unwrap_or(ZoneResult::Fail);
                let (mark, verdict) = match result {
                    ZoneResult::Pass => ("✓", lang.t(S::Pass)),
                    ZoneResult::PassedByDecision => ("✓", lang.t(S::PassedByDecision)),
                    ZoneResult::Fail => ("✗", lang.t(S::Fail)),
                };
                let title = format!(
                    "{mark} {} {} — {verdict}",
                    zone.id,
                    zone.name.as_deref().unwrap_or("")
                );
                let mut header = egui::CollapsingHeader::new(
                    RichText::new(title)
                        .color(theme::pass_color(result != ZoneResult::Fail))
                        .strong(),
                )
                .id_salt(("zone", z))
                .default_open(!zone.pass);
                if view.scroll_to_selection && selected_zone == Some(Some(z)) {
                    header = header.open(Some(true));
                }
                let laid_out = view.scroll_to_selection && selected_zone == Some(Some(z));
                header.show(ui, |ui| {
                    // A zone's findings out of sight take the height they had when last shown
                    // (an estimate before that) instead of being laid out: a province's plan
                    // has 150 zones open with a thousand findings, whose text would otherwise
                    // be laid out (and its glyph layouts kept, ~17 MB) on every frame.
                    let key = egui::Id::unique((
                        "findings-body-height",
                        &zone.id,
                        ui.available_width().to_bits(),
                    ));
                    let known: Option<f32> = ui.data(|d| d.get_temp(key));
                    let top = ui.cursor().top();
                    let clip = ui.clip_rect();
                    let guess = known.unwrap_or_else(|| {
                        let row = ui.text_style_height(&egui::TextStyle::Body)
                            + ui.spacing().item_spacing.y;
                        row * (1.0 + 2.5 * zone.findings.len() as f32)
                    });
                    if !laid_out && (top > clip.bottom() || top + guess < clip.top()) {
                        ui.add_space(guess);
                        return;
                    }
                    // Planar (what the checks use), then on the CGCS2000 ellipsoid.
                    let ellipsoid = zone
                        .area_ellipsoid_m2
                        .map(|a| {
                            format!(
                                " ({} {:.2} {})",
                                lang.pick("椭球", "ellipsoidal"),
                                crate::model::mu_from_m2(a),
                                lang.pick("亩", "mu")
                            )
                        })
                        .unwrap_or_default();
                    ui.label(
                        RichText::new(format!(
                            "{:.2} {}{ellipsoid} · {} {} · {} {}",
                            zone.area_mu,
                            lang.pick("亩", "mu"),
                            zone.part_count,
                            lang.t(S::ZoneParts),
                            zone.clusters,
                            lang.t(S::ZoneClusters)
                        ))
                        .weak(),
                    );
                    findings_list_ui(
                        ui,
                        &resolved,
                        check,
                        Some(z),
                        &zone.findings,
                        view,
                        lang,
                        cmds,
                    );
                    enclaves_ui(ui, zone, lang);
                    let height = ui.cursor().top() - top;
                    ui.data_mut(|d| d.insert_temp(key, height));
                });
            }
            if !plan_first {
                plan_findings_ui(ui, &resolved, check, view, lang, cmds, selected_zone);
            }
            orphaned_ui(ui, &resolved, lang);
        });
    view.scroll_to_selection = false;
}

/// The zone's enclave parts (飞地), each with its recorded basis.
fn enclaves_ui(ui: &mut Ui, zone: &crate::analysis::ZoneResult, lang: Lang) {
    for e in &zone.enclaves {
        let basis = match &e.basis {
            Some(b) => format!("{}{b}", lang.pick("依据：", "basis: ")),
            None => lang.pick("未记录依据", "no basis recorded").to_string(),
        };
        let text = format!(
            "{} {} — {:.2} m² ({:.2} {}) — {basis}",
            lang.pick("飞地 分片区", "Enclave sub-area"),
            e.part,
            e.area_m2,
            e.area_mu,
            lang.pick("亩", "mu"),
        );
        let color = if e.basis.is_some() {
            ui.visuals().text_color()
        } else {
            ui.visuals().warn_fg_color
        };
        ui.label(RichText::new(text).color(color));
    }
}

/// The decisions whose finding no longer exists (已失效的审查意见), never moved to another one.
fn orphaned_ui(ui: &mut Ui, resolved: &Resolved, lang: Lang) {
    if resolved.orphaned.is_empty() {
        return;
    }
    let title = format!(
        "{} ({})",
        lang.t(S::OrphanedDecisions),
        resolved.orphaned.len()
    );
    egui::CollapsingHeader::new(
        RichText::new(title)
            .color(theme::severity_color(Severity::Warning))
            .strong(),
    )
    .id_salt("orphaned-decisions")
    .default_open(true)
    .show(ui, |ui| {
        ui.weak(lang.t(S::OrphanedHint));
        for row in &resolved.orphaned {
            let key = FindingKey {
                zone: row.zone.clone(),
                rule: row.rule.clone(),
                about: row.about.clone(),
            };
            let mut text = format!(
                "{} 〔{}〕",
                key.label(lang.model()),
                status_text(row.status, lang)
            );
            if let Some(i) = row.index {
                text.push_str(&format!(" #{}", i + 1));
            }
            for part in [&row.reason, &row.comment] {
                if !part.trim().is_empty() {
                    text.push_str(" — ");
                    text.push_str(part.trim());
                }
            }
            ui.label(text);
        }
    });
}

fn status_text(s: Status, lang: Lang) -> &'static str {
    lang.t(match s {
        Status::Open => S::StatusOpen,
        Status::Accepted => S::StatusAccepted,
        Status::MustFix => S::StatusMustFix,
    })
}

/// The plan's findings under one header.
fn plan_findings_ui(
    ui: &mut Ui,
    resolved: &Resolved,
    check: &CheckState,
    view: &ViewState,
    lang: Lang,
    cmds: &mut Vec<AppCommand>,
    selected_zone: Option<Option<usize>>,
) {
    if !check.analysis.plan.findings.is_empty() {
        let mut header = egui::CollapsingHeader::new(RichText::new(lang.t(S::Plan)).strong())
            .id_salt("plan")
            .default_open(true);
        if view.scroll_to_selection && selected_zone == Some(None) {
            header = header.open(Some(true));
        }
        header.show(ui, |ui| {
            findings_list_ui(
                ui,
                resolved,
                check,
                None,
                &check.analysis.plan.findings,
                view,
                lang,
                cmds,
            );
        });
    }
}

/// Name of a rule family for the filter, in the UI language (from the rule table).
pub fn rule_family_label(family: Family, lang: Lang) -> String {
    let label = family.label();
    lang.pick(label.zh, label.en).to_string()
}

/// The rule filter: every rule family the check found, plus 全部.
fn rule_filter_ui(ui: &mut Ui, check: &CheckState, view: &mut ViewState, lang: Lang) {
    let mut families: Vec<Family> = check
        .analysis
        .zones
        .iter()
        .flat_map(|z| z.findings.iter())
        .chain(check.analysis.plan.findings.iter())
        .filter_map(Finding::family)
        .collect();
    families.sort_unstable();
    families.dedup();
    // A family no longer found (after a re-check) is dropped from the filter.
    if view.rule_filter.is_some_and(|r| !families.contains(&r)) {
        view.rule_filter = None;
    }
    let current = match view.rule_filter {
        Some(f) => rule_family_label(f, lang),
        None => lang.t(S::AllRules).to_string(),
    };
    ui.horizontal(|ui| {
        let label = ui.label(format!("{}:", lang.t(S::Rule)));
        egui::ComboBox::from_id_salt("rule-filter")
            .selected_text(current)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut view.rule_filter, None, lang.t(S::AllRules));
                for f in families {
                    ui.selectable_value(&mut view.rule_filter, Some(f), rule_family_label(f, lang));
                }
            })
            .response
            .labelled_by(label.id);
    });
}

#[allow(clippy::too_many_arguments)]
fn findings_list_ui(
    ui: &mut Ui,
    resolved: &Resolved,
    check: &CheckState,
    zone: Option<usize>,
    findings: &[Finding],
    view: &ViewState,
    lang: Lang,
    cmds: &mut Vec<AppCommand>,
) {
    if findings.is_empty() {
        ui.weak(lang.t(S::NoFindings));
    }
    for (i, f) in findings.iter().enumerate() {
        if !view.shows_finding(f) {
            continue;
        }
        let Some(pos) = check.pos_at(zone, i) else {
            continue;
        };
        let selected = view.selected_finding.as_ref() == Some(&pos.key);
        let sev = lang.pick(f.severity.name_zh(), f.severity.name_en());
        let mut text = format!("[{sev}] {}", lang.pick(&f.message_zh, &f.message_en));
        let group = zone.unwrap_or(check.analysis.zones.len());
        if let Some(a) = resolved.get(group, i) {
            text.push_str(&format!(" 〔{}〕", status_text(a.decision.status, lang)));
            if a.evidence_changed {
                text.push_str(&format!(" ⚠ {}", lang.t(S::EvidenceChanged)));
            }
        }
        let r = ui.selectable_label(
            selected,
            RichText::new(text).color(theme::severity_color(f.severity)),
        );
        if r.clicked() {
            cmds.push(AppCommand::SelectFinding(pos.key.clone()));
        }
        if selected && view.scroll_to_selection {
            r.scroll_to_me(Some(egui::Align::Center));
        }
    }
}

/// What a finding rests on, listed under its message: the protected features a conflict (or
/// sliver) finding concerns, each with its id, land-class code, and the area inside the zone in
/// m² and 亩, a click on the id zooming to the feature; the gaps of a clusters finding.
fn evidence_ui(
    ui: &mut Ui,
    doc: &Document,
    check: &CheckState,
    pos: &FindingPos,
    f: &Finding,
    lang: Lang,
    cmds: &mut Vec<AppCommand>,
) {
    let Some(zone) = pos.zone.and_then(|z| check.analysis.zones.get(z)) else {
        return;
    };
    if f.is(Rule::Clusters) && !zone.cluster_gaps_m.is_empty() {
        let gaps: Vec<String> = zone
            .cluster_gaps_m
            .iter()
            .map(|g| format!("{g:.1} m"))
            .collect();
        ui.label(format!(
            "{}: {}",
            lang.t(S::ClusterGaps),
            gaps.join(lang.pick("、", ", "))
        ));
        if zone.cluster_gaps_net_m != zone.cluster_gaps_m {
            let net: Vec<String> = zone
                .cluster_gaps_net_m
                .iter()
                .map(|g| format!("{g:.1} m"))
                .collect();
            ui.label(format!(
                "{}: {}",
                lang.t(S::ClusterGapsNet),
                net.join(lang.pick("、", ", "))
            ));
        }
        return;
    }
    // A per-layer finding (`conflict.<layer>`, `sliver.<layer>`) lists its layer's features.
    let Some(rule) = f.rule_id() else {
        return;
    };
    let Some(key) = rule.layer() else {
        return;
    };
    let Some(conflict) = zone.conflicts.get(key) else {
        return;
    };
    // Feature indices are only valid for the data the check ran on.
    let layer = (check.revision == doc.revision)
        .then(|| doc.layer_index(key))
        .flatten()
        .and_then(|li| Some((li, doc.dataset.layers.get(li)?)));
    let fields =
        layer.map(|(_, l)| crate::analysis::fields::Fields::resolve(l, &doc.review.file.fields));
    let id_header = layer
        .zip(fields)
        .and_then(|((_, l), fl)| l.fields.get(fl.id?).cloned())
        .unwrap_or_else(|| "ID".to_string());
    // The land-class code (地类编码) of farmland-like layers, else the protection class.
    let code_col = layer.and_then(|(_, l)| l.field_index("DLBM"));
    let class_header = match (code_col, layer, fields) {
        (Some(c), Some((_, l)), _) => l.fields.get(c).cloned(),
        (None, Some((_, l)), Some(fl)) if conflict.features.iter().any(|o| o.class.is_some()) => {
            fl.class.and_then(|c| l.fields.get(c).cloned())
        }
        _ => None,
    };
    ui.add_space(2.0);
    ui.label(lang.t(S::Patches));
    let row_h = ui.spacing().interact_size.y;
    // Shares of the panel's width: id, code, m², 亩.
    let room = (ui.available_width() - 3.0 * ui.spacing().item_spacing.x).max(200.0);
    let widths = [room * 0.36, room * 0.16, room * 0.26, room * 0.22];
    let header = |ui: &mut Ui, i: usize, text: &str| {
        ui.add_sized(
            [widths[i], row_h],
            egui::Label::new(RichText::new(text).strong()),
        );
    };
    ui.horizontal(|ui| {
        header(ui, 0, &id_header);
        if let Some(h) = &class_header {
            header(ui, 1, h);
        }
        header(ui, 2, lang.t(S::AreaM2));
        header(ui, 3, lang.t(S::AreaMu));
    });
    egui::ScrollArea::vertical()
        .id_salt("finding-patches")
        .max_height(180.0)
        .show_rows(ui, row_h, conflict.features.len(), |ui, range| {
            for o in conflict.features.get(range).unwrap_or(&[]) {
                ui.horizontal(|ui| {
                    let id = ui.add_enabled_ui(layer.is_some(), |ui| {
                        ui.add_sized(
                            [widths[0], row_h],
                            egui::Button::new(o.id.as_str()).truncate(),
                        )
                    });
                    if let (true, Some((li, _))) = (id.inner.clicked(), layer) {
                        cmds.push(AppCommand::SelectFeature(super::super::state::Picked {
                            layer: li,
                            feature: o.feature,
                        }));
                    }
                    if class_header.is_some() {
                        let code = match (code_col, layer) {
                            (Some(c), Some((_, l))) => l
                                .features
                                .get(o.feature)
                                .and_then(|feat| feat.attrs.get(c))
                                .map(str::to_string),
                            _ => o.class.clone(),
                        };
                        ui.add_sized(
                            [widths[1], row_h],
                            egui::Label::new(code.unwrap_or_default()).truncate(),
                        );
                    }
                    ui.add_sized(
                        [widths[2], row_h],
                        egui::Label::new(format!("{:.2}", o.area_m2)),
                    );
                    ui.add_sized(
                        [widths[3], row_h],
                        egui::Label::new(format!("{:.2}", o.area_mu)),
                    );
                });
            }
        });
}

/// Status, reason and comment of the selected finding.
fn detail_ui(
    ui: &mut Ui,
    doc: &Document,
    check: &CheckState,
    view: &mut ViewState,
    lang: Lang,
    cmds: &mut Vec<AppCommand>,
) {
    let Some(key) = view.selected_finding.clone() else {
        return;
    };
    let Some(pos) = check.position_of(&key) else {
        return;
    };
    let Some(f) = check.finding(pos) else { return };
    if view.draft.as_ref().is_none_or(|(k, _)| k != &key) {
        let d = doc.decisions.get(&key).cloned().unwrap_or_default();
        view.draft = Some((key.clone(), d));
    }
    let Some((_, draft)) = view.draft.as_mut() else {
        return;
    };
    let before: Decision = draft.clone();
    let mut confirm = false;
    egui::ScrollArea::vertical()
        .id_salt("finding-detail-scroll")
        .show(ui, |ui| {
            ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Wrap);
            ui.add_space(4.0);
            ui.strong(format!(
                "{} · {} · {}",
                lang.t(S::SelectedFinding),
                key.zone.as_deref().unwrap_or(lang.t(S::Plan)),
                key.rule
            ));
            ui.label(
                RichText::new(lang.pick(&f.message_zh, &f.message_en))
                    .color(theme::severity_color(f.severity)),
            );
            ui.small(format!("{}: {}", lang.t(S::Clause), f.clause));
            // The rule's name and, for a rule that is our inference, why (from the rule table).
            if let Some(spec) = f.rule_id().map(|r| r.spec()) {
                let mut text = lang.pick(spec.label.zh, spec.label.en).to_string();
                if let Some(reason) = spec.inference {
                    text.push_str(lang.pick("（审查推定：", " (our inference: "));
                    text.push_str(lang.pick(reason.zh, reason.en));
                    text.push_str(lang.pick("）", ")"));
                }
                ui.small(text);
            }
            if draft.evidence.as_ref().is_some_and(|e| *e != f.evidence()) {
                ui.horizontal_wrapped(|ui| {
                    ui.colored_label(
                        theme::severity_color(Severity::Blocking),
                        lang.t(S::EvidenceChanged),
                    );
                    if ui.button(lang.t(S::ConfirmAgain)).clicked() {
                        confirm = true;
                    }
                });
            }
            evidence_ui(ui, doc, check, pos, f, lang, cmds);
            ui.horizontal_wrapped(|ui| {
                ui.label(format!("{}:", lang.t(S::Status)));
                ui.radio_value(&mut draft.status, Status::Open, lang.t(S::StatusOpen));
                ui.radio_value(
                    &mut draft.status,
                    Status::Accepted,
                    lang.t(S::StatusAccepted),
                );
                ui.radio_value(&mut draft.status, Status::MustFix, lang.t(S::StatusMustFix));
            });
            if draft.status == Status::Accepted {
                ui.horizontal(|ui| {
                    let l = ui.label(format!("{}:", lang.t(S::Reason)));
                    ui.add(
                        egui::TextEdit::singleline(&mut draft.reason).desired_width(f32::INFINITY),
                    )
                    .labelled_by(l.id);
                });
            }
            let l = ui.label(format!("{}:", lang.t(S::Comment)));
            ui.add(
                egui::TextEdit::multiline(&mut draft.comment)
                    .desired_rows(3)
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(l.id);
        });
    if *draft != before || confirm {
        // The command stores the finding's current evidence with the decision.
        cmds.push(AppCommand::SetDecision(key, draft.clone()));
    }
}
