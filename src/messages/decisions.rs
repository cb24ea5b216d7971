//! Messages of the decisions area: reviewer decisions on findings and the plan verdict.

use super::Text;
use crate::decisions::{Counts, FindingKey, ZoneResult};
use crate::model::decision::{Verdict, VerdictDecision};
use crate::model::Lang;

/// A zone's (or the whole check's) result.
pub fn zone_result(r: ZoneResult) -> Text {
    match r {
        ZoneResult::Pass => Text::new("通过", "pass"),
        ZoneResult::PassedByDecision => Text::new("经审查通过", "passed by decision"),
        ZoneResult::Fail => Text::new("不通过", "FAIL"),
    }
}

/// Marks a decision whose finding's numbers or ids changed after it was made.
pub fn evidence_changed() -> Text {
    Text::new(
        "证据已变化（决定后检查结果的数字或对象有变，请重新确认）",
        "evidence changed since the decision (confirm it again)",
    )
}

/// Heading of the list of decisions whose finding no longer exists.
pub fn orphaned_title() -> Text {
    Text::new("已失效的审查意见", "Orphaned decisions")
}

/// One decision whose finding no longer exists.
pub fn orphaned(key: &FindingKey, index: Option<u32>) -> Text {
    let at = |lang| match index {
        Some(i) => format!("{} #{}", key.label(lang), i + 1),
        None => key.label(lang),
    };
    Text::new(
        format!(
            "已失效的审查意见：{}（对应的检查结果已不存在，未转给其他结果）",
            at(Lang::Zh)
        ),
        format!(
            "orphaned decision: {} (its finding no longer exists; not moved to another finding)",
            at(Lang::En)
        ),
    )
}

/// The overall decision's name.
pub fn verdict_decision(d: VerdictDecision) -> Text {
    match d {
        VerdictDecision::None => Text::new("未下结论", "none yet"),
        VerdictDecision::Pass => Text::new("通过", "pass"),
        VerdictDecision::Return => Text::new("退回修改", "return for revision"),
    }
}

/// "审查结论：通过（仍有 2 项否决未处理）；审查人 张三，2026-12-02；意见：……". A pass recorded
/// while blocking findings are not accepted says so.
pub fn verdict_line(v: &Verdict, counts: &Counts) -> Text {
    let name = verdict_decision(v.decision);
    let mut zh = format!("审查结论：{}", name.zh);
    let mut en = format!("Review verdict: {}", name.en);
    if v.decision == VerdictDecision::Pass && counts.blocking_open > 0 {
        zh.push_str(&format!("（仍有 {} 项否决未处理）", counts.blocking_open));
        en.push_str(&format!(
            " (while {} blocking finding(s) are not accepted)",
            counts.blocking_open
        ));
    }
    if !v.reviewer.trim().is_empty() {
        zh.push_str(&format!("；审查人 {}", v.reviewer.trim()));
        en.push_str(&format!("; reviewer {}", v.reviewer.trim()));
    }
    if !v.date.trim().is_empty() {
        zh.push_str(&format!("；日期 {}", v.date.trim()));
        en.push_str(&format!("; date {}", v.date.trim()));
    }
    if !v.comment.trim().is_empty() {
        zh.push_str(&format!("；意见：{}", v.comment.trim()));
        en.push_str(&format!("; comment: {}", v.comment.trim()));
    }
    Text::new(zh, en)
}

/// "检查结果 12 项：已处理 5 项，待处理 7 项（否决未处理 2 项）".
pub fn counts_line(c: &Counts) -> Text {
    let mut zh = format!(
        "检查结果 {} 项：已处理 {} 项，待处理 {} 项（否决未处理 {} 项）",
        c.findings, c.decided, c.open, c.blocking_open
    );
    let mut en = format!(
        "{} finding(s): {} decided, {} open ({} blocking not accepted)",
        c.findings, c.decided, c.open, c.blocking_open
    );
    if c.evidence_changed > 0 {
        zh.push_str(&format!("；证据已变化 {} 项", c.evidence_changed));
        en.push_str(&format!("; evidence changed on {}", c.evidence_changed));
    }
    if c.orphaned > 0 {
        zh.push_str(&format!("；已失效的审查意见 {} 条", c.orphaned));
        en.push_str(&format!("; {} orphaned decision(s)", c.orphaned));
    }
    Text::new(zh, en)
}

/// A verdict date that is not `YYYY-MM-DD`.
pub fn bad_verdict_date(date: &str) -> Text {
    Text::new(
        format!("审查文件无效：`verdict.date` 应为 YYYY-MM-DD 形式的日期，实为 \"{date}\""),
        format!("invalid review file: `verdict.date` must be a date YYYY-MM-DD, got \"{date}\""),
    )
}

/// The short form of [`evidence_changed`], for narrow fields.
pub fn evidence_changed_short() -> Text {
    Text::new("证据已变化", "evidence changed")
}
