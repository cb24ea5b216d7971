//! The plan summary (方案汇总): zone counts against the quotas (province total, each city level,
//! each county) from the engine's [`PlanResult`], coloured like the plan findings; clicking a
//! group lists only its zones in the findings panel.

use super::super::commands::AppCommand;
use super::super::i18n::{Lang, S};
use super::super::state::{CheckState, Document};
use super::super::theme;
use crate::analysis::{PlanResult, QuotaRow, QuotaScope, Severity};
use egui::{Color32, RichText, Ui};

/// A group of zones the findings list can be narrowed to: one row of the plan summary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ZoneGroup {
    CityLevel(String),
    County(String),
    Unplaced,
}

impl ZoneGroup {
    fn of(scope: QuotaScope<'_>) -> Option<ZoneGroup> {
        match scope {
            QuotaScope::Total => None,
            QuotaScope::CityLevel(c) => Some(ZoneGroup::CityLevel(c.to_string())),
            QuotaScope::County(c) => Some(ZoneGroup::County(c.to_string())),
            QuotaScope::Unplaced => Some(ZoneGroup::Unplaced),
        }
    }

    /// The group's row in `plan`, when the plan has it.
    pub fn row<'a>(&self, plan: &'a PlanResult) -> Option<QuotaRow<'a>> {
        plan.quota_rows()
            .into_iter()
            .find(|r| ZoneGroup::of(r.scope).as_ref() == Some(self))
    }

    /// The ids of the group's zones in `plan` (`None`: the plan has no such group).
    pub fn zone_ids<'a>(&self, plan: &'a PlanResult) -> Option<&'a [String]> {
        self.row(plan).map(|r| r.zones)
    }

    /// "萧山区（县（市、区））".
    pub fn title(&self, lang: Lang) -> String {
        match self {
            ZoneGroup::CityLevel(c) => format!("{c}（{}）", lang.t(S::QuotaCityLevel)),
            ZoneGroup::County(c) => format!("{c}（{}）", lang.t(S::QuotaCounty)),
            ZoneGroup::Unplaced => lang.t(S::QuotaUnplaced).to_string(),
        }
    }
}

/// What the plan summary remembers between frames.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PlanSummaryView {
    /// The summary window is shown.
    pub open: bool,
    /// The findings list shows only this group's zones.
    pub group: Option<ZoneGroup>,
}

/// Colour of a row: the colour of the finding its count raises, or "pass".
pub fn verdict_color(verdict: Option<Severity>) -> Color32 {
    match verdict {
        Some(sev) => theme::severity_color(sev),
        None => theme::pass_color(true),
    }
}

/// "✓ 符合", "✗ 超过上限", "⚠ 少于下限", "仅计入总量".
pub fn verdict_text(row: &QuotaRow<'_>, lang: Lang) -> String {
    match (row.scope, row.verdict) {
        (QuotaScope::Unplaced, _) => lang.t(S::QuotaTotalOnly).to_string(),
        (_, None) => format!("✓ {}", lang.t(S::QuotaWithin)),
        (_, Some(Severity::Blocking)) => format!("✗ {}", lang.t(S::QuotaAbove)),
        (_, Some(_)) => format!("⚠ {}", lang.t(S::QuotaBelow)),
    }
}

/// "≤ 150" for the total, "2–3" for a group, "—" for the unplaced zones.
pub fn allowed_text(row: &QuotaRow<'_>) -> String {
    match (row.scope, row.range) {
        (QuotaScope::Total, Some([_, max])) => format!("≤ {max}"),
        (_, Some([min, max])) => format!("{min}–{max}"),
        (_, None) => "—".to_string(),
    }
}

/// The contents of the plan summary window.
pub fn plan_summary_ui(
    ui: &mut Ui,
    doc: Option<&Document>,
    check: Option<&CheckState>,
    group: &mut Option<ZoneGroup>,
    lang: Lang,
    cmds: &mut Vec<AppCommand>,
) {
    let Some(doc) = doc else {
        ui.weak(lang.t(S::NoReview));
        return;
    };
    let Some(check) = check else {
        ui.label(lang.t(S::NotChecked));
        return;
    };
    if check.revision != doc.revision {
        ui.colored_label(theme::severity_color(Severity::Warning), lang.t(S::Stale));
    }
    let plan = &check.analysis.plan;
    egui::Grid::new("plan-summary")
        .striped(true)
        .num_columns(5)
        .spacing([14.0, 6.0])
        .show(ui, |ui| {
            for s in [
                S::QuotaLevel,
                S::QuotaName,
                S::QuotaZones,
                S::QuotaAllowed,
                S::QuotaVerdict,
            ] {
                ui.strong(lang.t(s));
            }
            ui.end_row();
            for row in plan.quota_rows() {
                let color = verdict_color(row.verdict);
                let (level, name) = match row.scope {
                    QuotaScope::Total => (lang.t(S::QuotaProvince), "—".to_string()),
                    QuotaScope::CityLevel(c) => (lang.t(S::QuotaCityLevel), c.to_string()),
                    QuotaScope::County(c) => (lang.t(S::QuotaCounty), c.to_string()),
                    QuotaScope::Unplaced => (
                        lang.t(S::QuotaUnplaced),
                        lang.t(S::QuotaNoPlace).to_string(),
                    ),
                };
                ui.colored_label(color, level);
                let this = ZoneGroup::of(row.scope);
                let selected = this.is_some() && *group == this;
                let r = ui.selectable_label(selected, RichText::new(name).color(color));
                let r = if row.zones.is_empty() {
                    r
                } else {
                    r.on_hover_text(row.zones.join(", "))
                };
                if r.clicked() {
                    // The total (or the selected group again) shows every zone.
                    *group = if selected { None } else { this };
                    if group.is_some() {
                        cmds.push(AppCommand::ShowFindingsPanel);
                    }
                }
                ui.colored_label(color, row.count.to_string());
                ui.colored_label(color, allowed_text(&row));
                ui.colored_label(color, verdict_text(&row, lang));
                ui.end_row();
            }
        });
    ui.add_space(4.0);
    ui.weak(lang.t(S::QuotaHint));
}
