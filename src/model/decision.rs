//! Decision records as the review file holds them: a finding's subject ([`FindingKey`]), what
//! the reviewer decided ([`Status`], [`DecisionRow`]) and the verdict on the plan ([`Verdict`]).
//! Plain data: the review file (`io::review`) parses them, [`crate::decisions`] matches them to
//! the findings of a check.

use serde::{Deserialize, Serialize};

/// Identifies a finding across runs by its subject: zone id (None: plan level), rule id, and
/// what it is about (see `Finding::subject`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FindingKey {
    pub zone: Option<String>,
    pub rule: String,
    pub about: Option<String>,
}

impl FindingKey {
    /// "M001 · conflict.redline · Y3" (方案 / plan for a plan-level finding).
    pub fn label(&self, lang: super::Lang) -> String {
        let zone = match (&self.zone, lang) {
            (Some(z), _) => z.clone(),
            (None, super::Lang::Zh) => "方案".to_string(),
            (None, super::Lang::En) => "plan".to_string(),
        };
        let mut s = format!("{zone} · {}", self.rule);
        if let Some(a) = &self.about {
            s.push_str(" · ");
            s.push_str(a);
        }
        s
    }
}

/// What the reviewer decided about a finding.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    #[default]
    Open,
    Accepted,
    MustFix,
}

impl Status {
    /// The name written in files: open, accepted, must_fix.
    pub fn id(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Accepted => "accepted",
            Status::MustFix => "must_fix",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Status::Open => "待处理",
            Status::Accepted => "同意（说明理由）",
            Status::MustFix => "须修改",
        }
    }
}

/// One `[[decision]]` table: the finding's subject (zone, rule, about), the evidence
/// fingerprint when decided, and what was decided. `index` (n-th finding of the zone with that
/// rule) is how earlier versions named the finding; see [`crate::decisions`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionRow {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    pub rule: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub about: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    #[serde(default)]
    pub status: Status,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub comment: String,
}

/// The reviewer's overall decision on the plan (`[verdict]`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Verdict {
    /// none | pass (通过) | return (退回修改).
    #[serde(default)]
    pub decision: VerdictDecision,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reviewer: String,
    /// The date of the verdict, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub date: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub comment: String,
}

impl Verdict {
    pub fn is_empty(&self) -> bool {
        *self == Verdict::default()
    }
}

/// The overall decision of a verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerdictDecision {
    /// Not decided yet.
    #[default]
    None,
    /// 通过.
    Pass,
    /// 退回修改.
    Return,
}

impl VerdictDecision {
    pub fn id(self) -> &'static str {
        match self {
            VerdictDecision::None => "none",
            VerdictDecision::Pass => "pass",
            VerdictDecision::Return => "return",
        }
    }
}
