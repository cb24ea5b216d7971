//! A finding: one rule's verdict on one zone (or on the plan), with its numbers and geometry.

pub use crate::model::settings::Severity;
use crate::model::Geom;
use serde::Serialize;
use std::collections::BTreeMap;

/// Clauses of the guidance the rules enforce, by the guidance's own numbering (chapter 二 holds
/// (一)(二), 三 holds (三)–(七), 四 holds (八)–(十三), 五 holds (十四)–(十七)) with the verbatim
/// text. A rule that is our inference rather than the text says so: 审查推定 (review inference).
pub mod clause {
    pub const PROTECTED: &str =
        "四(十三) 禁止占用生态保护红线区、基本农田保护区、水源保护区等各类保护区域";
    pub const CONTIGUOUS: &str =
        "二(二) 开发区（园区）空间范围原则上要求相对集中连片，严格控制分片区数量";
    pub const EXPANSION: &str = "四(十三) 严禁任意扩大开发范围";
    pub const ENCLAVE: &str =
        "四(十三) 支持重点生态功能区县（市、区）在市本级或山海协作县共建“飞地”园区";
    pub const DESIGNATION: &str =
        "二(二) 依托现有国家级和省级开发区（园区），按照牌子就高、政策叠加、范围适当的原则，保持原有国家级牌子不变，视情保留省级平台牌子";
    /// The whole sentence the designation clause belongs to, for the rule that a merged zone
    /// rests on a national or provincial zone.
    pub const ANCHOR: &str =
        "二(二) 依托现有国家级和省级开发区（园区），按照牌子就高、政策叠加、范围适当的原则，保持原有国家级牌子不变，视情保留省级平台牌子，推进区域范围内各级开发区（园区）实质性整合";
    pub const ELIMINATED: &str = "四(十三) 淘汰撤销的开发区（园区）不再布局新的产业项目";
    pub const QUOTA: &str = "二(二) 杭州、宁波两市本级允许各整合形成2-3个开发区（园区），其余设区市本级允许各整合形成1-2个开发区（园区），县（市、区）允许各整合形成1-2个开发区（园区），总量控制在150个以内";
    pub const INDUSTRIES: &str = "四(九) 每个开发区（园区）原则上不超过3个主导产业";
    pub const CUSTODY: &str =
        "四(十三) 各类保护面积占比较高的管辖乡镇，原则上不再隶属开发区（园区）托管";
    pub const MERGER: &str =
        "二(二) 淘汰撤销一批、转型提升一批、整合优化一批（审查推定：每个原开发区（园区）去向唯一）";
    pub const INPUT: &str =
        "审查推定：每个保护要素都须参与检查，否则不能得出“通过”的结论（四(十三) 禁止占用…各类保护区域）";
    pub const VALID_BOUNDARY: &str =
        "审查推定：整合方案须提交有效边界（无自相交、无重叠环），面积与冲突方可核算";
    pub const CONTROL_LINE: &str = "四(十三) 划定开发区（园区）蓝绿空间、公共设施等控制线";
    pub const NEW_INDUSTRIAL: &str =
        "五(十五) 整合后的开发区（园区）以外原则上不再新增工业建设用地";
    pub const PER_MU: &str = "五(十六) 重点对亩均税收、亩均增加值……等方面指标进行综合评价；二(一) 全省开发区（园区）整合提升主要指标表：亩均税收（万元/亩）2025年目标值30，亩均增加值（万元/亩）2025年目标值120";
    pub const TBMJ: &str =
        "审查推定：占用面积须能与农田数据库图斑面积（TBMJ）核对（四(十三) 禁止占用生态保护红线区、基本农田保护区、水源保护区等各类保护区域）";
    pub const OVERLAP: &str =
        "二(二) 推进区域范围内各级开发区（园区）实质性整合（审查推定：整合后开发区范围不得相互重叠）";
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// Rule id, e.g. "conflict.redline", "clusters", "quota.county".
    pub rule: String,
    pub severity: Severity,
    /// The merged zone, or `None` for a plan-level finding.
    pub zone: Option<String>,
    pub message_zh: String,
    pub message_en: String,
    pub clause: String,
    /// The numbers behind the finding (areas in m², shares 0–1, distances in m, counts).
    pub numbers: BTreeMap<String, f64>,
    /// Related ids (protected features, townships, original zones, other zones).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refs: Vec<String>,
    /// What the finding is about beyond its zone and rule, when a zone (or the plan) can have
    /// several findings of one rule: the other zone of an overlap, the county or city of a quota,
    /// the original zone of an `original.*` finding. Part of the finding's subject, which keys
    /// the reviewer's decision (see [`Finding::subject`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub about: Option<String>,
    /// Where it is, in the working CRS.
    #[serde(skip)]
    pub geometry: Option<Geom>,
}

impl Finding {
    pub fn new(
        rule: impl Into<String>,
        severity: Severity,
        zone: Option<&str>,
        clause: &str,
    ) -> Finding {
        Finding {
            rule: rule.into(),
            severity,
            zone: zone.map(str::to_string),
            message_zh: String::new(),
            message_en: String::new(),
            clause: clause.to_string(),
            numbers: BTreeMap::new(),
            refs: Vec::new(),
            about: None,
            geometry: None,
        }
    }

    /// Sets the severity (a rule whose severity depends on the case, e.g. `expansion` with
    /// `rules.expansion_blocks`, a quota count below its minimum).
    pub fn with_severity(mut self, severity: Severity) -> Finding {
        self.severity = severity;
        self
    }

    /// The finding's rule, read from its id; `None` for an id no rule of the table has.
    pub fn rule_id(&self) -> Option<crate::analysis::rules::RuleId> {
        crate::analysis::rules::RuleId::parse(&self.rule)
    }

    /// The family of the finding's rule.
    pub fn family(&self) -> Option<crate::analysis::rules::Family> {
        self.rule_id().map(|r| r.family())
    }

    /// True when the finding is of `rule` (any layer of a per-layer rule).
    pub fn is(&self, rule: crate::analysis::rules::Rule) -> bool {
        self.rule_id().is_some_and(|r| r.rule() == rule)
    }

    /// True for a finding about the input itself (`input.*`): the verdict rests on it and
    /// reports show it first.
    pub fn is_about_input(&self) -> bool {
        self.family() == Some(crate::analysis::rules::Family::Input)
    }

    pub fn msg(mut self, zh: impl Into<String>, en: impl Into<String>) -> Finding {
        self.message_zh = zh.into();
        self.message_en = en.into();
        self
    }

    pub fn num(mut self, key: &str, value: f64) -> Finding {
        self.numbers.insert(key.to_string(), value);
        self
    }

    pub fn refs(mut self, refs: Vec<String>) -> Finding {
        self.refs = refs;
        self
    }

    /// Sets what the finding is about (see [`Finding::about`](Finding#structfield.about)).
    pub fn about(mut self, about: impl Into<String>) -> Finding {
        self.about = Some(about.into());
        self
    }

    /// The finding's subject: zone, rule and what it is about. It stays the same when other
    /// findings come or go, so a decision keyed by it stays on this finding.
    pub fn subject(&self) -> crate::model::decision::FindingKey {
        crate::model::decision::FindingKey {
            zone: self.zone.clone(),
            rule: self.rule.clone(),
            about: self.about.clone(),
        }
    }

    /// A short fingerprint of the finding's evidence: its numbers (rounded to 0.01: areas to
    /// 0.01 m², counts, distances, thresholds; the derived `area_mu*`, `area_ellipsoid*` and
    /// `share` left out) and
    /// its sorted refs. A decision remembers it; when it differs, the evidence has changed.
    pub fn evidence(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut text = String::new();
        for (k, v) in &self.numbers {
            if k.starts_with("area_mu") || k.contains("area_ellipsoid") || k == "share" {
                continue;
            }
            let r = (v * 100.0).round() / 100.0;
            let r = if r == 0.0 { 0.0 } else { r };
            text.push_str(&format!("{k}={r:.2};"));
        }
        let mut refs: Vec<&str> = self.refs.iter().map(String::as_str).collect();
        refs.sort_unstable();
        text.push('|');
        text.push_str(&refs.join("\u{1f}"));
        let hash = Sha256::digest(text.as_bytes());
        hash.iter().take(6).map(|b| format!("{b:02x}")).collect()
    }

    pub fn geom(mut self, g: Geom) -> Finding {
        self.geometry = Some(g);
        self
    }
}

/// Formats an area for messages: "1.23 亩 (820.0 m²)".
pub fn fmt_area_zh(area_m2: f64) -> String {
    format!(
        "{} 亩（{} m²）",
        crate::model::num::Fixed(crate::model::mu_from_m2(area_m2), 2),
        crate::model::num::Fixed(area_m2, 1)
    )
}

/// An area for messages on the review's basis (`[rules] area`): as [`fmt_area_zh`] for the
/// planar basis (or when the ellipsoidal area is unknown); "1.23 亩（820.0 m²，椭球面积；平面
/// 820.4 m²）" for the ellipsoidal one.
pub fn fmt_area_by_zh(
    planar: f64,
    ellipsoidal: Option<f64>,
    basis: crate::model::settings::AreaBasis,
) -> String {
    match (basis, ellipsoidal) {
        (crate::model::settings::AreaBasis::Ellipsoidal, Some(e)) => format!(
            "{} 亩（{} m²，椭球面积；平面 {} m²）",
            crate::model::num::Fixed(crate::model::mu_from_m2(e), 2),
            crate::model::num::Fixed(e, 1),
            crate::model::num::Fixed(planar, 1)
        ),
        _ => fmt_area_zh(planar),
    }
}

/// As [`fmt_area_by_zh`], in English.
pub fn fmt_area_by_en(
    planar: f64,
    ellipsoidal: Option<f64>,
    basis: crate::model::settings::AreaBasis,
) -> String {
    match (basis, ellipsoidal) {
        (crate::model::settings::AreaBasis::Ellipsoidal, Some(e)) => format!(
            "{} mu ({} m² ellipsoidal; planar {} m²)",
            crate::model::num::Fixed(crate::model::mu_from_m2(e), 2),
            crate::model::num::Fixed(e, 1),
            crate::model::num::Fixed(planar, 1)
        ),
        _ => fmt_area_en(planar),
    }
}

pub fn fmt_area_en(area_m2: f64) -> String {
    format!(
        "{} mu ({} m²)",
        crate::model::num::Fixed(crate::model::mu_from_m2(area_m2), 2),
        crate::model::num::Fixed(area_m2, 1)
    )
}

#[cfg(test)]
mod tests {
    use super::clause;

    /// The guidance's chapters: 二 holds (一)(二), 三 holds (三)–(七), 四 holds (八)–(十三),
    /// 五 holds (十四)–(十七). Every citation's chapter must be the one holding its section.
    fn chapter_of(section: &str) -> Option<&'static str> {
        Some(match section {
            "一" | "二" => "二",
            "三" | "四" | "五" | "六" | "七" => "三",
            "八" | "九" | "十" | "十一" | "十二" | "十三" => "四",
            "十四" | "十五" | "十六" | "十七" => "五",
            _ => return None,
        })
    }

    #[test]
    fn every_clause_cites_the_chapter_that_holds_its_section() {
        let all = [
            clause::PROTECTED,
            clause::CONTIGUOUS,
            clause::EXPANSION,
            clause::ENCLAVE,
            clause::DESIGNATION,
            clause::QUOTA,
            clause::INDUSTRIES,
            clause::CUSTODY,
            clause::MERGER,
            clause::OVERLAP,
            clause::ANCHOR,
            clause::ELIMINATED,
        ];
        for c in all {
            let (chapter, rest) = c.split_once('(').unwrap_or(("", ""));
            let (section, _) = rest.split_once(')').unwrap_or(("", ""));
            assert_eq!(chapter_of(section), Some(chapter), "{c}");
        }
        // Every clause of the rule table cites its chapter too (our inferences about the input
        // open with 审查推定 and cite a clause inside their text).
        for s in crate::analysis::rules::RULES.iter() {
            let c = s.clause;
            let at = if c.starts_with("审查推定") {
                ["二(", "三(", "四(", "五("]
                    .iter()
                    .filter_map(|p| c.find(p))
                    .min()
            } else {
                Some(0)
            };
            let Some(at) = at else {
                assert!(s.inference.is_some(), "{}", s.id);
                continue;
            };
            let (chapter, rest) = c[at..].split_once('(').unwrap_or(("", ""));
            let (section, _) = rest.split_once(')').unwrap_or(("", ""));
            assert_eq!(chapter_of(section), Some(chapter), "{}: {c}", s.id);
        }
        assert!(clause::PROTECTED.starts_with("四(十三)"));
        assert!(clause::INDUSTRIES.starts_with("四(九)"));
        // Our inferences are marked as such, not printed as guidance text.
        assert!(clause::MERGER.contains("审查推定"));
        assert!(clause::OVERLAP.contains("审查推定"));
    }
}
