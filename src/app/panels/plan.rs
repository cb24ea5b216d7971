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
    ui.separator();
    verdict_ui(ui, doc, check, lang, cmds);
}

/// The plan verdict form (审查结论): decision, reviewer, date, comment; saved with 保存. A pass
/// may be recorded while blocking findings are not accepted: the form and every report say so.
pub fn verdict_ui(
    ui: &mut Ui,
    doc: &Document,
    check: &CheckState,
    lang: Lang,
    cmds: &mut Vec<AppCommand>,
) {
    use crate::model::decision::VerdictDecision as D;
    ui.strong(lang.t(S::VerdictTitle));
    let before = &doc.review.file.verdict;
    let mut v = before.clone();
    let counts = check.resolve(&doc.decisions).counts(&check.analysis);
    ui.horizontal_wrapped(|ui| {
        ui.radio_value(&mut v.decision, D::None, lang.t(S::VerdictNone));
        ui.radio_value(&mut v.decision, D::Pass, lang.t(S::VerdictPass));
        ui.radio_value(&mut v.decision, D::Return, lang.t(S::VerdictReturn));
    });
    if v.decision == D::Pass && counts.blocking_open > 0 {
        ui.colored_label(
            theme::severity_color(Severity::Blocking),
            format!(
                "{} ({})",
                lang.t(S::VerdictOpenBlocking),
                counts.blocking_open
            ),
        );
    }
    egui::Grid::new("verdict-form")
        .num_columns(2)
        .spacing([8.0, 4.0])
        .show(ui, |ui| {
            let l = ui.label(format!("{}:", lang.t(S::Reviewer)));
            ui.add(egui::TextEdit::singleline(&mut v.reviewer).desired_width(200.0))
                .labelled_by(l.id);
            ui.end_row();
            let l = ui.label(format!("{}:", lang.t(S::VerdictDate)));
            ui.horizontal(|ui| {
                ui.add(
                    egui::TextEdit::singleline(&mut v.date)
                        .hint_text("YYYY-MM-DD")
                        .desired_width(100.0),
                )
                .labelled_by(l.id);
                if ui.button(lang.t(S::Today)).clicked() {
                    v.date = today_utc();
                }
            });
            ui.end_row();
            let l = ui.label(format!("{}:", lang.t(S::VerdictComment)));
            ui.add(
                egui::TextEdit::multiline(&mut v.comment)
                    .desired_rows(2)
                    .desired_width(260.0),
            )
            .labelled_by(l.id);
            ui.end_row();
        });
    if v != *before {
        cmds.push(AppCommand::SetVerdict(v));
    }
}

/// Today's date (UTC) as `YYYY-MM-DD`, from the system clock (days to civil date, after
/// H. Hinnant's algorithm).
pub fn today_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}
