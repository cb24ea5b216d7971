//! A finding: one rule's verdict on one zone (or on the plan), with its numbers and geometry.

use crate::model::Geom;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Blocking,
    Warning,
    Info,
}

impl Severity {
    pub fn name_zh(self) -> &'static str {
        match self {
            Severity::Blocking => "否决",
            Severity::Warning => "警告",
            Severity::Info => "提示",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Severity::Blocking => "blocking",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// Clauses of the guidance the rules enforce.
pub mod clause {
    pub const PROTECTED: &str =
        "三(十三) 禁止占用生态保护红线区、基本农田保护区、水源保护区等各类保护区域";
    pub const CONTIGUOUS: &str =
        "二(二) 开发区（园区）空间范围原则上要求相对集中连片，严格控制分片区数量";
    pub const EXPANSION: &str = "三(十三) 严禁任意扩大开发范围";
    pub const ENCLAVE: &str =
        "三(十三) 支持重点生态功能区县（市、区）在市本级或山海协作县共建“飞地”园区";
    pub const DESIGNATION: &str =
        "二(二) 按照牌子就高、政策叠加、范围适当的原则，保持原有国家级牌子不变";
    pub const QUOTA: &str = "二(二) 杭州、宁波两市本级允许各整合形成2-3个，其余设区市本级1-2个，县（市、区）1-2个，总量控制在150个以内";
    pub const INDUSTRIES: &str = "三(九) 每个开发区（园区）原则上不超过3个主导产业";
    pub const CUSTODY: &str =
        "三(十三) 各类保护面积占比较高的管辖乡镇，原则上不再隶属开发区（园区）托管";
    pub const MERGER: &str =
        "二(二) 整合优化一批、转型提升一批、淘汰撤销一批：每个原开发区（园区）去向唯一";
    pub const INPUT: &str = "审查完整性：每个保护要素都须参与检查，否则不能得出“通过”的结论";
    pub const VALID_BOUNDARY: &str =
        "二(二) 整合方案须提交四至范围明确的有效边界（无自相交、无重叠环）";
    pub const OVERLAP: &str =
        "二(二) 推进区域范围内各级开发区（园区）实质性整合：整合后开发区范围不得相互重叠";
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
            geometry: None,
        }
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

    pub fn geom(mut self, g: Geom) -> Finding {
        self.geometry = Some(g);
        self
    }
}

/// Formats an area for messages: "1.23 亩 (820.0 m²)".
pub fn fmt_area_zh(area_m2: f64) -> String {
    format!(
        "{:.2} 亩（{:.1} m²）",
        crate::model::mu_from_m2(area_m2),
        area_m2
    )
}

pub fn fmt_area_en(area_m2: f64) -> String {
    format!(
        "{:.2} mu ({:.1} m²)",
        crate::model::mu_from_m2(area_m2),
        area_m2
    )
}
