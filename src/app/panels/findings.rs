//! The findings panel (检查结果): zones with pass/fail and their findings, filterable by
//! severity and by rule; the selected finding's decision (status, reason, comment) below.

use super::super::commands::AppCommand;
use super::super::decisions::{Decision, Status};
use super::super::i18n::{Lang, S};
use super::super::state::{rule_family, CheckState, Derived, Document, ViewState};
use super::super::theme;
use crate::analysis::{Finding, Severity};
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
    let failing = check.analysis.zones.iter().filter(|z| !z.pass).count();
    ui.horizontal(|ui| {
        ui.label(format!(
            "{} {} · {} {}",
            check.analysis.zones.len(),
            lang.t(S::ZonesSummary),
            failing,
            lang.t(S::FailingSummary)
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
                .any(|f| f.rule.starts_with("input."));
            if plan_first {
                plan_findings_ui(ui, doc, check, view, lang, cmds, selected_zone);
            }
            for (z, zone) in check.analysis.zones.iter().enumerate() {
                if group_ids.is_some_and(|ids| !ids.contains(&zone.id)) {
                    continue;
                }
                let mark = if zone.pass { "✓" } else { "✗" };
                let verdict = lang.t(if zone.pass { S::Pass } else { S::Fail });
                let title = format!(
                    "{mark} {} {} — {verdict}",
                    zone.id,
                    zone.name.as_deref().unwrap_or("")
                );
                let mut header = egui::CollapsingHeader::new(
                    RichText::new(title)
                        .color(theme::pass_color(zone.pass))
                        .strong(),
                )
                .id_salt(("zone", z))
                .default_open(!zone.pass);
                if view.scroll_to_selection && selected_zone == Some(Some(z)) {
                    header = header.open(Some(true));
                }
                header.show(ui, |ui| {
                    findings_list_ui(ui, doc, check, Some(z), &zone.findings, view, lang, cmds);
                });
            }
            if !plan_first {
                plan_findings_ui(ui, doc, check, view, lang, cmds, selected_zone);
            }
        });
    view.scroll_to_selection = false;
}

/// The plan's findings under one header.
fn plan_findings_ui(
    ui: &mut Ui,
    doc: &Document,
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
                doc,
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

/// Name of a rule family for the filter, in the UI language (the id itself when unknown).
pub fn rule_family_label(family: &str, lang: Lang) -> String {
    let (zh, en) = match family {
        "conflict" => ("占用保护区", "protected land occupied"),
        "sliver" => ("碎片重叠（不计冲突）", "slivers (not conflicts)"),
        "clusters" => ("连片（组团）", "contiguity (clusters)"),
        "fragment" => ("过小分片区", "small sub-areas"),
        "enclave" => ("飞地", "enclaves"),
        "expansion" => ("扩区", "expansion"),
        "zone_overlap" => ("开发区重叠", "zone overlaps"),
        "designation" => ("级别", "designation"),
        "industries" => ("主导产业", "leading industries"),
        "custody" => ("托管乡镇", "custody of townships"),
        "members" => ("整合对象", "members"),
        "original" => ("原开发区去向", "original zones"),
        "quota" => ("名额", "quotas"),
        "input" => ("输入不完整", "incomplete input"),
        "zone" => ("开发区边界", "zone boundary"),
        other => return other.to_string(),
    };
    lang.pick(zh, en).to_string()
}

/// The rule filter: every rule family the check found, plus 全部.
fn rule_filter_ui(ui: &mut Ui, check: &CheckState, view: &mut ViewState, lang: Lang) {
    let mut families: Vec<&str> = check
        .analysis
        .zones
        .iter()
        .flat_map(|z| z.findings.iter())
        .chain(check.analysis.plan.findings.iter())
        .map(|f| rule_family(&f.rule))
        .collect();
    families.sort_unstable();
    families.dedup();
    // A family no longer found (after a re-check) is dropped from the filter.
    if view
        .rule_filter
        .as_deref()
        .is_some_and(|r| !families.contains(&r))
    {
        view.rule_filter = None;
    }
    let current = match view.rule_filter.as_deref() {
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
                    ui.selectable_value(
                        &mut view.rule_filter,
                        Some(f.to_string()),
                        rule_family_label(f, lang),
                    );
                }
            })
            .response
            .labelled_by(label.id);
    });
}

#[allow(clippy::too_many_arguments)]
fn findings_list_ui(
    ui: &mut Ui,
    doc: &Document,
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
        if let Some(d) = doc.decisions.get(&pos.key) {
            let s = match d.status {
                Status::Open => S::StatusOpen,
                Status::Accepted => S::StatusAccepted,
                Status::MustFix => S::StatusMustFix,
            };
            text.push_str(&format!(" 〔{}〕", lang.t(s)));
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
    if *draft != before {
        cmds.push(AppCommand::SetDecision(key, draft.clone()));
    }
}
