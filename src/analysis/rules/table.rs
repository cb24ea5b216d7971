//! The rule table: every rule the checks can raise, with its family, the clause of the guidance
//! it enforces (verbatim), whether it is our inference (审查推定) and why, its default severity,
//! its labels in Chinese and English and the settings that tune it. The app, the reports and
//! the CLI read rule names, families and clauses from here, never by matching rule-id strings.

use crate::analysis::findings::{clause, Finding, Severity};
use std::fmt;

/// A pair of static texts, Chinese and English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Words {
    pub zh: &'static str,
    pub en: &'static str,
}

impl Words {
    /// The text in one language (`true`: Chinese).
    pub fn pick(self, zh: bool) -> &'static str {
        if zh {
            self.zh
        } else {
            self.en
        }
    }
}

const fn w(zh: &'static str, en: &'static str) -> Words {
    Words { zh, en }
}

/// What a rule is about; the app's rule filter and the reports group findings by it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    Conflict,
    Sliver,
    Contiguity,
    Fragments,
    Enclave,
    Expansion,
    Overlap,
    Designation,
    Industries,
    Custody,
    Merger,
    Quota,
    Input,
    ZoneValidity,
    ControlLine,
    NewIndustrial,
    PerMu,
    Location,
    DataQuality,
}

impl Family {
    pub const ALL: [Family; 19] = [
        Family::Conflict,
        Family::Sliver,
        Family::Contiguity,
        Family::Fragments,
        Family::Enclave,
        Family::Expansion,
        Family::Overlap,
        Family::Designation,
        Family::Industries,
        Family::Custody,
        Family::Merger,
        Family::Quota,
        Family::Input,
        Family::ZoneValidity,
        Family::ControlLine,
        Family::NewIndustrial,
        Family::PerMu,
        Family::Location,
        Family::DataQuality,
    ];

    /// The family's name for people.
    pub fn label(self) -> Words {
        match self {
            Family::Conflict => w("占用保护区", "protected land occupied"),
            Family::Sliver => w("碎片重叠（不计冲突）", "slivers (not conflicts)"),
            Family::Contiguity => w("连片（组团）", "contiguity (clusters)"),
            Family::Fragments => w("分片区数量与面积", "sub-areas: number and size"),
            Family::Enclave => w("飞地", "enclaves"),
            Family::Expansion => w("扩区", "expansion"),
            Family::Overlap => w("开发区重叠", "zone overlaps"),
            Family::Designation => w("级别", "designation"),
            Family::Industries => w("主导产业", "leading industries"),
            Family::Custody => w("托管乡镇", "custody of townships"),
            Family::Merger => w("整合对象与原开发区去向", "members and original zones"),
            Family::Quota => w("名额", "quotas"),
            Family::Input => w("输入不完整", "incomplete input"),
            Family::ZoneValidity => w("开发区边界", "zone boundary"),
            Family::ControlLine => w("控制线", "control lines"),
            Family::NewIndustrial => w("新增工业用地", "new industrial land"),
            Family::PerMu => w("亩均效益", "output per mu"),
            Family::Location => w("所在县市", "location"),
            Family::DataQuality => w("数据质量", "data quality"),
        }
    }
}

/// A rule of the table. Per-layer rules (`conflict.<layer>`, `sliver.<layer>`) are one rule
/// each; the layer is a parameter of their [`RuleId`].
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Rule {
    Conflict,
    Sliver,
    Clusters,
    Parts,
    Fragment,
    Enclave,
    EnclaveNoBasis,
    EnclaveSameCounty,
    Expansion,
    ZoneOverlap,
    Designation,
    DesignationDropped,
    DesignationUnknown,
    Industries,
    Custody,
    MembersUnknown,
    MembersNoAnchor,
    Eliminated,
    OriginalDuplicate,
    OriginalUnassigned,
    OriginalStatus,
    QuotaTotal,
    QuotaCity,
    QuotaCounty,
    QuotaUnknown,
    InputIncomplete,
    InputCoverage,
    InputAmbiguousId,
    ZoneInvalidGeometry,
    ControlLine,
    NewIndustrial,
    PerMuBelow,
    PerMuMissing,
    Location,
    TbmjMismatch,
}

/// One row of the rule table.
#[derive(Debug, Clone, Copy)]
pub struct RuleSpec {
    pub rule: Rule,
    /// The serialized id (review files' `[[decision]] rule`, report.json, findings.csv,
    /// `[rules.severity]` keys); for a per-layer rule the part before `.<layer>`.
    pub id: &'static str,
    /// The id takes a layer: `conflict.redline`, `sliver.water`.
    pub per_layer: bool,
    pub family: Family,
    /// The clause cited, by the guidance's numbering with its verbatim text
    /// (see [`clause`](crate::analysis::findings::clause)).
    pub clause: &'static str,
    /// `Some(reason)` when the rule is our inference (审查推定) rather than the guidance's text.
    pub inference: Option<Words>,
    pub severity: Severity,
    /// The severity cannot be changed by `[rules.severity]` (input that is incomplete, ambiguous
    /// or invalid always blocks).
    pub severity_fixed: bool,
    /// Short name of the rule.
    pub label: Words,
    /// What the rule checks, in a sentence.
    pub checks: Words,
    /// The review-file settings that tune it.
    pub settings: &'static [&'static str],
}

const NO_SETTINGS: &[&str] = &[];

/// The rule table, in the order of [`Rule`].
pub static RULES: [RuleSpec; 35] = [
    RuleSpec {
        rule: Rule::Conflict,
        id: "conflict",
        per_layer: true,
        family: Family::Conflict,
        clause: clause::PROTECTED,
        inference: None,
        severity: Severity::Blocking,
        severity_fixed: false,
        label: w("占用保护区", "protected land occupied"),
        checks: w(
            "开发区与保护图层（生态保护红线、永久基本农田、水源保护区及附加保护图层）重叠，扣除碎片后仍有面积",
            "the zone overlaps a protection layer (red line, farmland, water source, extra layers) beyond slivers",
        ),
        settings: &["rules.sliver_width_m", "rules.sliver_area_m2", "rules.sliver_total_m2", "rules.severity.conflict"],
    },
    RuleSpec {
        rule: Rule::Sliver,
        id: "sliver",
        per_layer: true,
        family: Family::Sliver,
        clause: clause::PROTECTED,
        inference: Some(w(
            "重叠部分全部小于碎片容差，视为边界数字化误差，不计为冲突",
            "every overlapping piece is below the sliver tolerance: taken for digitising noise, not a conflict",
        )),
        severity: Severity::Info,
        severity_fixed: false,
        label: w("碎片重叠", "sliver overlap"),
        checks: w(
            "开发区与保护图层仅有小于碎片容差的重叠",
            "the zone overlaps a protection layer only in pieces below the sliver tolerance",
        ),
        settings: &["rules.sliver_width_m", "rules.sliver_area_m2", "rules.sliver_total_m2", "rules.severity.sliver"],
    },
    RuleSpec {
        rule: Rule::Clusters,
        id: "clusters",
        per_layer: false,
        family: Family::Contiguity,
        clause: clause::CONTIGUOUS,
        inference: None,
        severity: Severity::Blocking,
        severity_fixed: false,
        label: w("不连片", "not contiguous"),
        checks: w(
            "分片区（飞地除外）按连片距离组成的组团数超过上限；间距扣除其间的道路、河流、铁路和保护区域，窄于最小连接宽度的连接不算相连",
            "the sub-areas (enclaves aside) form more clusters, at the contiguity distance, than allowed; gaps are net of the roads, rivers, railways and protected land in them, and a connection narrower than the minimum width does not join",
        ),
        settings: &[
            "rules.max_clusters",
            "rules.contiguity_distance_m",
            "rules.min_connection_width_m",
            "rules.max_bridged_gap_m",
            "layers.barriers",
        ],
    },
    RuleSpec {
        rule: Rule::Parts,
        id: "parts",
        per_layer: false,
        family: Family::Fragments,
        clause: clause::CONTIGUOUS,
        inference: None,
        severity: Severity::Warning,
        severity_fixed: false,
        label: w("分片区过多", "too many sub-areas"),
        checks: w(
            "分片区（相接的地块合为一个）数量超过上限",
            "the zone has more sub-areas (parcels that touch are one) than allowed",
        ),
        settings: &["rules.max_parts"],
    },
    RuleSpec {
        rule: Rule::Fragment,
        id: "fragment",
        per_layer: false,
        family: Family::Fragments,
        clause: clause::CONTIGUOUS,
        inference: None,
        severity: Severity::Warning,
        severity_fixed: false,
        label: w("过小分片区", "small sub-areas"),
        checks: w(
            "分片区面积小于最小分片区面积",
            "a sub-area is smaller than the minimum sub-area",
        ),
        settings: &["rules.min_part_area_m2"],
    },
    RuleSpec {
        rule: Rule::Enclave,
        id: "enclave",
        per_layer: false,
        family: Family::Enclave,
        clause: clause::ENCLAVE,
        inference: None,
        severity: Severity::Info,
        severity_fixed: false,
        label: w("飞地", "enclaves"),
        checks: w(
            "标为飞地的分片区不计入连片检查（仍检查冲突）",
            "sub-areas marked as enclaves are exempt from contiguity (still checked for conflicts)",
        ),
        settings: &["fields.enclave"],
    },
    RuleSpec {
        rule: Rule::EnclaveNoBasis,
        id: "enclave.no_basis",
        per_layer: false,
        family: Family::Enclave,
        clause: clause::ENCLAVE,
        inference: Some(w(
            "飞地须是指导意见支持共建的“飞地”园区；未记录依据（批复文件、共建县市）的飞地无法核实，不应自行免于连片检查",
            "an enclave is exempt only as a 飞地 park the guidance supports; without its basis (approval, partner county) recorded the exemption cannot be verified",
        )),
        severity: Severity::Warning,
        severity_fixed: false,
        label: w("飞地无依据", "enclave without basis"),
        checks: w(
            "标为飞地的分片区未记录飞地依据",
            "a sub-area marked as an enclave has no basis recorded",
        ),
        settings: &["fields.enclave", "fields.enclave_basis"],
    },
    RuleSpec {
        rule: Rule::EnclaveSameCounty,
        id: "enclave.same_county",
        per_layer: false,
        family: Family::Enclave,
        clause: clause::ENCLAVE,
        inference: Some(w(
            "飞地指在市本级或山海协作县共建的园区，位于开发区本县（市、区）的分片区通常不是飞地",
            "a 飞地 is built in the city level or a partner county; a sub-area in the zone's own county is normally not one",
        )),
        severity: Severity::Warning,
        severity_fixed: false,
        label: w("飞地在本县", "enclave in the zone's own county"),
        checks: w(
            "飞地分片区的县（市、区）属性与开发区相同",
            "an enclave's county attribute is the zone's own county",
        ),
        settings: &["fields.enclave", "fields.county"],
    },
    RuleSpec {
        rule: Rule::Expansion,
        id: "expansion",
        per_layer: false,
        family: Family::Expansion,
        clause: clause::EXPANSION,
        inference: None,
        severity: Severity::Warning,
        severity_fixed: false,
        label: w("扩区", "expansion"),
        checks: w(
            "开发区超出所整合原开发区（未列整合对象时为全部原开发区）的范围",
            "the zone extends beyond its member original zones (all original zones when it lists none)",
        ),
        settings: &["rules.expansion_blocks", "rules.sliver_width_m", "rules.sliver_area_m2", "rules.sliver_total_m2"],
    },
    RuleSpec {
        rule: Rule::ZoneOverlap,
        id: "zone_overlap",
        per_layer: false,
        family: Family::Overlap,
        clause: clause::OVERLAP,
        inference: Some(w(
            "整合后开发区范围不得相互重叠",
            "merged zones must not overlap each other",
        )),
        severity: Severity::Blocking,
        severity_fixed: false,
        label: w("开发区重叠", "zone overlap"),
        checks: w(
            "两个整合后开发区相互重叠，且重叠面积不小于碎片容差",
            "two merged zones overlap by at least the sliver tolerance",
        ),
        settings: &["rules.sliver_width_m", "rules.sliver_area_m2", "rules.sliver_total_m2"],
    },
    RuleSpec {
        rule: Rule::Designation,
        id: "designation",
        per_layer: false,
        family: Family::Designation,
        clause: clause::DESIGNATION,
        inference: None,
        severity: Severity::Warning,
        severity_fixed: false,
        label: w("牌子就高", "designation"),
        checks: w(
            "开发区级别（按牌子表）低于最高成员级别，或高于全部成员（不得增挂牌子）",
            "the zone's level (by the table of designations) is below its highest member's, or above every member's (no new designation)",
        ),
        settings: &["fields.level", "plaques"],
    },
    RuleSpec {
        rule: Rule::DesignationDropped,
        id: "designation.dropped",
        per_layer: false,
        family: Family::Designation,
        clause: clause::DESIGNATION,
        inference: None,
        severity: Severity::Blocking,
        severity_fixed: false,
        label: w("国家级牌子未保留", "national plaque dropped"),
        checks: w(
            "成员的国家级牌子未列入开发区的级别（牌子）",
            "a member's national designation is not among the zone's designations",
        ),
        settings: &["fields.level", "plaques"],
    },
    RuleSpec {
        rule: Rule::DesignationUnknown,
        id: "designation.unknown",
        per_layer: false,
        family: Family::Designation,
        clause: clause::DESIGNATION,
        inference: Some(w(
            "级别须按已知牌子表认定，不按文字猜测；未知牌子无法比较级别",
            "levels come from a table of known designations, never guessed from the words; an unknown one cannot be ranked",
        )),
        severity: Severity::Warning,
        severity_fixed: false,
        label: w("未知牌子", "unknown designation"),
        checks: w(
            "开发区或成员的级别（牌子）不在牌子表中",
            "a designation of the zone or of a member is not in the table of designations",
        ),
        settings: &["fields.level", "plaques"],
    },
    RuleSpec {
        rule: Rule::Industries,
        id: "industries",
        per_layer: false,
        family: Family::Industries,
        clause: clause::INDUSTRIES,
        inference: None,
        severity: Severity::Warning,
        severity_fixed: false,
        label: w("主导产业", "leading industries"),
        checks: w("主导产业超过上限", "more dominant industries than allowed"),
        settings: &["rules.max_industries"],
    },
    RuleSpec {
        rule: Rule::Custody,
        id: "custody",
        per_layer: false,
        family: Family::Custody,
        clause: clause::CUSTODY,
        inference: None,
        severity: Severity::Warning,
        severity_fixed: false,
        label: w("托管乡镇", "custody of townships"),
        checks: w(
            "开发区托管的乡镇（数据申报的，或按覆盖面积推定的）保护面积占比高于阈值",
            "a township the zone takes over (declared in the data, or inferred from substantial coverage) is more protected than the threshold",
        ),
        settings: &["rules.custody_protected_share", "rules.custody_min_cover_share", "fields.custody", "fields.custodian"],
    },
    RuleSpec {
        rule: Rule::MembersUnknown,
        id: "members.unknown",
        per_layer: false,
        family: Family::Merger,
        clause: clause::MERGER,
        inference: Some(w(
            "整合对象须是原开发区图层中的开发区，否则无法核对范围与去向",
            "members must be zones of the original zones layer, or extent and fate cannot be checked",
        )),
        severity: Severity::Warning,
        severity_fixed: false,
        label: w("整合对象不存在", "unknown member"),
        checks: w(
            "列出的整合对象不在原开发区图层中",
            "a listed member is not in the original zones layer",
        ),
        settings: &["fields.members"],
    },
    RuleSpec {
        rule: Rule::MembersNoAnchor,
        id: "members.no_national_or_provincial",
        per_layer: false,
        family: Family::Merger,
        clause: clause::ANCHOR,
        inference: None,
        severity: Severity::Warning,
        severity_fixed: false,
        label: w("无国家级或省级依托", "no national or provincial member"),
        checks: w(
            "开发区的整合对象（未列时为与其重叠的原开发区）中没有国家级或省级开发区",
            "none of the zone's members (the original zones it overlaps when it lists none) is national or provincial",
        ),
        settings: &["fields.members", "fields.level", "plaques"],
    },
    RuleSpec {
        rule: Rule::Eliminated,
        id: "eliminated",
        per_layer: false,
        family: Family::Merger,
        clause: clause::ELIMINATED,
        inference: Some(w(
            "整合后开发区范围内将布局产业项目，故开发区与淘汰撤销的原开发区重叠即视为在其上布局",
            "a merged zone hosts industrial projects, so a zone lying on an eliminated original zone is taken to lay them out there",
        )),
        severity: Severity::Warning,
        severity_fixed: false,
        label: w("位于淘汰撤销开发区", "on an eliminated zone"),
        checks: w(
            "开发区与标为淘汰撤销的原开发区重叠（扣除碎片），不论其整合对象",
            "the zone overlaps an original zone marked eliminated beyond the sliver tolerance, whatever its members",
        ),
        settings: &["fields.status", "rules.sliver_width_m", "rules.sliver_area_m2", "rules.sliver_total_m2"],
    },
    RuleSpec {
        rule: Rule::OriginalDuplicate,
        id: "original.duplicate",
        per_layer: false,
        family: Family::Merger,
        clause: clause::MERGER,
        inference: Some(w(
            "每个原开发区（园区）去向唯一",
            "every original zone has exactly one fate",
        )),
        severity: Severity::Blocking,
        severity_fixed: false,
        label: w("原开发区重复整合", "original merged twice"),
        checks: w(
            "一个原开发区整合进多个开发区",
            "an original zone is merged into more than one zone",
        ),
        settings: &["fields.members"],
    },
    RuleSpec {
        rule: Rule::OriginalUnassigned,
        id: "original.unassigned",
        per_layer: false,
        family: Family::Merger,
        clause: clause::MERGER,
        inference: Some(w(
            "每个原开发区（园区）去向唯一",
            "every original zone has exactly one fate",
        )),
        severity: Severity::Warning,
        severity_fixed: false,
        label: w("原开发区去向不明", "original without a fate"),
        checks: w(
            "原开发区未整合进任何开发区，也未标为淘汰撤销或转型提升",
            "an original zone is in no merged zone and not marked eliminated or transformed",
        ),
        settings: &["fields.status"],
    },
    RuleSpec {
        rule: Rule::OriginalStatus,
        id: "original.status",
        per_layer: false,
        family: Family::Merger,
        clause: clause::MERGER,
        inference: Some(w(
            "每个原开发区（园区）去向唯一",
            "every original zone has exactly one fate",
        )),
        severity: Severity::Warning,
        severity_fixed: false,
        label: w("原开发区去向矛盾", "original with two fates"),
        checks: w(
            "标为淘汰撤销或转型提升的原开发区却整合进开发区",
            "an original zone marked eliminated or transformed is merged into a zone",
        ),
        settings: &["fields.status"],
    },
    RuleSpec {
        rule: Rule::QuotaTotal,
        id: "quota.total",
        per_layer: false,
        family: Family::Quota,
        clause: clause::QUOTA,
        inference: None,
        severity: Severity::Blocking,
        severity_fixed: false,
        label: w("总量", "province total"),
        checks: w(
            "整合后开发区总数超过总量",
            "more merged zones than the province total",
        ),
        settings: &["rules.max_total_zones"],
    },
    RuleSpec {
        rule: Rule::QuotaCity,
        id: "quota.city",
        per_layer: false,
        family: Family::Quota,
        clause: clause::QUOTA,
        inference: None,
        severity: Severity::Blocking,
        severity_fixed: false,
        label: w("设区市本级名额", "city-level quota"),
        checks: w(
            "设区市本级开发区数多于名额（少于下限为警告）",
            "a city's own zones exceed its quota (fewer than the minimum warns)",
        ),
        settings: &["quotas"],
    },
    RuleSpec {
        rule: Rule::QuotaCounty,
        id: "quota.county",
        per_layer: false,
        family: Family::Quota,
        clause: clause::QUOTA,
        inference: None,
        severity: Severity::Blocking,
        severity_fixed: false,
        label: w("县（市、区）名额", "county quota"),
        checks: w(
            "县（市、区）开发区数多于名额（少于下限为警告）",
            "a county's zones exceed its quota (fewer than the minimum warns)",
        ),
        settings: &["quotas"],
    },
    RuleSpec {
        rule: Rule::QuotaUnknown,
        id: "quota.unknown",
        per_layer: false,
        family: Family::Quota,
        clause: clause::QUOTA,
        inference: Some(w(
            "缺少设区市/县属性的开发区无法归入名额",
            "a zone without a city or county cannot be counted against a quota",
        )),
        severity: Severity::Info,
        severity_fixed: false,
        label: w("未计入名额", "not counted against quotas"),
        checks: w(
            "开发区缺少设区市/县（市、区）属性",
            "zones without a city or county attribute",
        ),
        settings: &["fields.city", "fields.county"],
    },
    RuleSpec {
        rule: Rule::InputIncomplete,
        id: "input.incomplete",
        per_layer: false,
        family: Family::Input,
        clause: clause::INPUT,
        inference: Some(w(
            "每个保护要素都须参与检查，否则不能得出“通过”的结论",
            "every protected feature must take part in the check before a zone can pass",
        )),
        severity: Severity::Blocking,
        severity_fixed: true,
        label: w("图层要素未全部使用", "layer not fully used"),
        checks: w(
            "图层有未能使用的记录，或图层未能加载",
            "a layer has records that could not be used, or could not be loaded",
        ),
        settings: NO_SETTINGS,
    },
    RuleSpec {
        rule: Rule::InputCoverage,
        id: "input.coverage",
        per_layer: false,
        family: Family::Input,
        clause: clause::INPUT,
        inference: Some(w(
            "保护图层远离全部开发区，多为坐标系错误，检查不能当作通过",
            "a protection layer far from every zone is most likely in a wrong CRS; the check cannot pass",
        )),
        severity: Severity::Blocking,
        severity_fixed: true,
        label: w("保护图层不在开发区附近", "protection layer elsewhere"),
        checks: w(
            "保护图层（或道路、河流、铁路图层）的范围与开发区范围相距过远",
            "a protection (or barriers) layer's extent lies far from the zones' extent",
        ),
        settings: &["crs_of"],
    },
    RuleSpec {
        rule: Rule::InputAmbiguousId,
        id: "input.ambiguous_id",
        per_layer: false,
        family: Family::Input,
        clause: clause::MERGER,
        inference: Some(w(
            "一个编号下的要素名称不同，无法确定是一个开发区还是两个",
            "features under one id carry different names: one zone or two cannot be told",
        )),
        severity: Severity::Blocking,
        severity_fixed: true,
        label: w("开发区编号不唯一", "ambiguous zone id"),
        checks: w(
            "同一编号的要素名称不同",
            "features with one zone id carry different names",
        ),
        settings: &["fields.id", "fields.name"],
    },
    RuleSpec {
        rule: Rule::ZoneInvalidGeometry,
        id: "zone.invalid_geometry",
        per_layer: false,
        family: Family::ZoneValidity,
        clause: clause::VALID_BOUNDARY,
        inference: Some(w(
            "整合方案须提交有效边界，面积与冲突方可核算",
            "areas and conflicts can only be measured on valid boundaries",
        )),
        severity: Severity::Blocking,
        severity_fixed: true,
        label: w("边界无效", "invalid boundary"),
        checks: w(
            "开发区记录的边界无效（自相交、重叠环等），已修复后检查",
            "a zone record's boundary is invalid (self-intersection, overlapping rings, …); checked repaired",
        ),
        settings: NO_SETTINGS,
    },
    RuleSpec {
        rule: Rule::ControlLine,
        id: "control_line",
        per_layer: true,
        family: Family::ControlLine,
        clause: clause::CONTROL_LINE,
        inference: None,
        severity: Severity::Info,
        severity_fixed: false,
        label: w("控制线面积", "control line area"),
        checks: w(
            "开发区内划定的控制线（角色为 control_line 的附加图层，如蓝绿空间）的面积，不计为冲突",
            "the area of a control line (an extra layer of role control_line, e.g. blue-green space) inside the zone; never a conflict",
        ),
        settings: &["layers.role"],
    },
    RuleSpec {
        rule: Rule::NewIndustrial,
        id: "new_industrial",
        per_layer: false,
        family: Family::NewIndustrial,
        clause: clause::NEW_INDUSTRIAL,
        inference: None,
        severity: Severity::Warning,
        severity_fixed: false,
        label: w("开发区外新增工业用地", "new industrial land outside the zones"),
        checks: w(
            "新增工业建设用地图层在全部整合后开发区以外的部分（扣除碎片）",
            "the parts of the new-industrial-land layer outside every merged zone (beyond slivers)",
        ),
        settings: &["layers.new_industrial", "rules.sliver_width_m", "rules.sliver_area_m2", "rules.sliver_total_m2"],
    },
    RuleSpec {
        rule: Rule::PerMuBelow,
        id: "per_mu.below",
        per_layer: false,
        family: Family::PerMu,
        clause: clause::PER_MU,
        inference: None,
        severity: Severity::Warning,
        severity_fixed: false,
        label: w("亩均效益低于目标", "output per mu below target"),
        checks: w(
            "开发区的亩均税收或亩均增加值低于目标值",
            "the zone's tax or value added per mu is below the target",
        ),
        settings: &["rules.tax_per_mu_wan", "rules.value_added_per_mu_wan", "fields.tax_per_mu", "fields.value_added_per_mu"],
    },
    RuleSpec {
        rule: Rule::PerMuMissing,
        id: "per_mu.missing",
        per_layer: false,
        family: Family::PerMu,
        clause: clause::PER_MU,
        inference: Some(w(
            "开发区图层有亩均指标字段而该开发区未填或不是数字，无法与目标值比较",
            "the zones layer has the per-mu field but this zone leaves it empty or not a number: it cannot be compared",
        )),
        severity: Severity::Info,
        severity_fixed: false,
        label: w("亩均指标缺失", "output per mu missing"),
        checks: w(
            "开发区图层有亩均指标字段，但该开发区的值为空或不是数字",
            "the zones layer has a per-mu field but the zone's value is empty or not a number",
        ),
        settings: &["fields.tax_per_mu", "fields.value_added_per_mu"],
    },
    RuleSpec {
        rule: Rule::Location,
        id: "location",
        per_layer: false,
        family: Family::Location,
        clause: clause::QUOTA,
        inference: Some(w(
            "名额按开发区的设区市、县（市、区）属性计数，属性须与开发区主体所在地一致",
            "quotas count zones by their city and county attributes, which must name where the zone's main part lies",
        )),
        severity: Severity::Warning,
        severity_fixed: false,
        label: w("所在县市与属性不符", "location differs from attributes"),
        checks: w(
            "开发区最大分片区所在乡镇的县（市、区）或设区市与开发区属性不同",
            "the township holding the zone's largest part lies in another county or city than the zone's attributes say",
        ),
        settings: &["fields.city", "fields.county", "fields_of.townships"],
    },
    RuleSpec {
        rule: Rule::TbmjMismatch,
        id: "tbmj.mismatch",
        per_layer: false,
        family: Family::DataQuality,
        clause: clause::TBMJ,
        inference: Some(w(
            "占用永久基本农田的面积须能与农田数据库的图斑面积（TBMJ，国土调查椭球面积）核对；相差超过容差的图斑列为数据质量提示",
            "the farmland occupied must be checkable against the farmland database's patch areas (TBMJ, the survey's ellipsoidal area); patches differing beyond the tolerance are a data-quality note",
        )),
        severity: Severity::Info,
        severity_fixed: false,
        label: w("图斑面积（TBMJ）与计算面积不符", "TBMJ differs from the computed area"),
        checks: w(
            "被占用的永久基本农田图斑，其 TBMJ 与计算的 CGCS2000 椭球面积相差超过容差，或 TBMJ 无法读取",
            "an occupied farmland patch whose TBMJ differs from its computed CGCS2000 ellipsoidal area by more than the tolerance, or cannot be read",
        ),
        settings: &["rules.tbmj_tolerance"],
    },
];

impl Rule {
    /// Every rule, in table order.
    pub fn all() -> impl Iterator<Item = Rule> {
        RULES.iter().map(|s| s.rule)
    }

    /// The rule's row of the table.
    pub fn spec(self) -> &'static RuleSpec {
        // The table is in the order of the enum (checked by a test); the search is a fallback.
        let i = self as usize;
        match RULES.get(i) {
            Some(s) if s.rule == self => s,
            _ => RULES.iter().find(|s| s.rule == self).unwrap_or(&RULES[0]),
        }
    }

    /// The id of a rule without a layer parameter.
    pub fn id(self) -> RuleId {
        RuleId {
            rule: self,
            layer: None,
        }
    }

    /// The id of a per-layer rule for one layer.
    pub fn of_layer(self, layer: &str) -> RuleId {
        RuleId {
            rule: self,
            layer: Some(layer.to_string()),
        }
    }

    /// A finding of this rule (no layer) with the table's clause and default severity.
    pub fn finding(self, zone: Option<&str>) -> Finding {
        self.id().finding(zone)
    }
}

/// A finding's rule: a [`Rule`] and, for per-layer rules, the layer. Written as today's ids:
/// `clusters`, `quota.county`, `conflict.redline`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RuleId {
    rule: Rule,
    layer: Option<String>,
}

impl RuleId {
    /// Reads a serialized rule id; `None` for an id no rule has.
    pub fn parse(id: &str) -> Option<RuleId> {
        if let Some(s) = RULES.iter().find(|s| !s.per_layer && s.id == id) {
            return Some(s.rule.id());
        }
        let (prefix, layer) = id.split_once('.')?;
        let s = RULES.iter().find(|s| s.per_layer && s.id == prefix)?;
        (!layer.is_empty()).then(|| s.rule.of_layer(layer))
    }

    pub fn rule(&self) -> Rule {
        self.rule
    }

    /// The layer of a per-layer rule.
    pub fn layer(&self) -> Option<&str> {
        self.layer.as_deref()
    }

    pub fn spec(&self) -> &'static RuleSpec {
        self.rule.spec()
    }

    pub fn family(&self) -> Family {
        self.spec().family
    }

    /// A finding of this rule with the table's clause and default severity.
    pub fn finding(&self, zone: Option<&str>) -> Finding {
        let s = self.spec();
        Finding::new(self.to_string(), s.severity, zone, s.clause)
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.layer {
            Some(layer) => write!(f, "{}.{layer}", self.spec().id),
            None => f.write_str(self.spec().id),
        }
    }
}

pub use crate::model::settings::{key_covers, severity_key_is_fixed};

/// The `[rules.severity]` keys the settings window offers: the first part of every rule id
/// whose severity can be changed, in table order.
pub fn severity_keys() -> Vec<&'static str> {
    let mut keys: Vec<&'static str> = Vec::new();
    for s in RULES.iter().filter(|s| !s.severity_fixed) {
        let key = s.id.split('.').next().unwrap_or(s.id);
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys
}

/// The README's "## Rules" table, written from the rule table (a test keeps the two equal).
pub fn readme_table() -> String {
    let mut out = String::from(
        "| Rule id | What it checks | Clause cited | Our inference (审查推定) | Default | Tuned by |\n|---|---|---|---|---|---|\n",
    );
    for s in RULES.iter() {
        let id = if s.per_layer {
            format!("`{}.<layer>`", s.id)
        } else {
            format!("`{}`", s.id)
        };
        let inference = s.inference.map_or(String::from("—"), |r| r.en.to_string());
        let mut default = s.severity.name_en().to_string();
        if s.severity_fixed {
            default.push_str(" (fixed)");
        }
        let settings = if s.settings.is_empty() {
            String::from("—")
        } else {
            s.settings
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        out.push_str(&format!(
            "| {id} | {} | {} | {inference} | {default} | {settings} |\n",
            s.checks.en, s.clause
        ));
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn the_review_file_knows_the_same_fixed_severities_as_the_table() {
        let fixed: Vec<&str> = RULES
            .iter()
            .filter(|s| s.severity_fixed)
            .map(|s| s.id)
            .collect();
        assert_eq!(fixed, crate::model::settings::FIXED_SEVERITY_RULES);
        assert!(severity_key_is_fixed("input"));
        assert!(severity_key_is_fixed("zone.invalid_geometry"));
        assert!(!severity_key_is_fixed("zone_overlap"));
        assert!(!severity_key_is_fixed("conflict"));
    }

    #[test]
    fn the_table_is_in_rule_order_with_unique_ids() {
        for (i, s) in RULES.iter().enumerate() {
            assert_eq!(s.rule as usize, i, "{:?}", s.rule);
            assert!(std::ptr::eq(s.rule.spec(), s));
        }
        let mut ids: Vec<&str> = RULES.iter().map(|s| s.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), RULES.len());
    }

    #[test]
    fn every_rule_has_a_clause_a_family_labels_and_a_default() {
        for s in RULES.iter() {
            assert!(!s.clause.is_empty(), "{}", s.id);
            assert!(Family::ALL.contains(&s.family), "{}", s.id);
            for words in [s.label, s.checks, s.family.label()] {
                assert!(
                    !words.zh.trim().is_empty() && !words.en.trim().is_empty(),
                    "{}",
                    s.id
                );
                // The Chinese text is Chinese, the English text is not.
                assert!(words
                    .zh
                    .chars()
                    .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)));
                assert!(
                    words.en.chars().any(|c| c.is_ascii_alphabetic()),
                    "{}",
                    s.id
                );
            }
            // A clause that says it is our inference is flagged as one, with a reason.
            if s.clause.contains("审查推定") {
                assert!(s.inference.is_some(), "{}", s.id);
            }
            if let Some(r) = s.inference {
                assert!(!r.zh.is_empty() && !r.en.is_empty(), "{}", s.id);
            }
            // Incomplete input blocks and cannot be made to pass by a setting.
            if s.family == Family::Input {
                assert!(s.severity_fixed && s.severity == Severity::Blocking);
            }
        }
    }

    #[test]
    fn every_rule_id_reads_back() {
        for rule in Rule::all() {
            let ids = if rule.spec().per_layer {
                ["redline", "蓝绿空间", "a.b"]
                    .iter()
                    .map(|l| rule.of_layer(l))
                    .collect()
            } else {
                vec![rule.id()]
            };
            for id in ids {
                assert_eq!(RuleId::parse(&id.to_string()), Some(id.clone()), "{id}");
                let f = id.finding(Some("Z1"));
                assert_eq!(f.rule_id(), Some(id.clone()));
                assert_eq!(f.clause, rule.spec().clause);
                assert_eq!(f.severity, rule.spec().severity);
            }
        }
        // Today's serialized ids, as review files, report.json and findings.csv carry them.
        let conflict = RuleId::parse("conflict.redline").unwrap();
        assert_eq!(
            (conflict.rule(), conflict.layer()),
            (Rule::Conflict, Some("redline"))
        );
        assert_eq!(
            RuleId::parse("clusters").map(|r| r.rule()),
            Some(Rule::Clusters)
        );
        assert_eq!(
            RuleId::parse("quota.county").map(|r| r.rule()),
            Some(Rule::QuotaCounty)
        );
        assert_eq!(
            RuleId::parse("zone_overlap").map(|r| r.rule()),
            Some(Rule::ZoneOverlap)
        );
        assert_eq!(
            RuleId::parse("zone.invalid_geometry").map(|r| r.family()),
            Some(Family::ZoneValidity)
        );
        for not_a_rule in [
            "conflict",
            "conflict.",
            "sliver",
            "quota",
            "input",
            "nope",
            "",
        ] {
            assert_eq!(RuleId::parse(not_a_rule), None, "{not_a_rule}");
        }
    }

    #[test]
    fn severity_keys_and_fixed_rules() {
        assert_eq!(
            severity_keys(),
            [
                "conflict",
                "sliver",
                "clusters",
                "parts",
                "fragment",
                "enclave",
                "expansion",
                "zone_overlap",
                "designation",
                "industries",
                "custody",
                "members",
                "eliminated",
                "original",
                "quota",
                "control_line",
                "new_industrial",
                "per_mu",
                "location",
                "tbmj"
            ]
        );
        for fixed in [
            "input",
            "input.incomplete",
            "input.ambiguous_id",
            "zone",
            " ",
        ] {
            assert!(severity_key_is_fixed(fixed), "{fixed}");
        }
        for free in [
            "conflict",
            "conflict.redline",
            "zone_overlap",
            "inputs",
            "quota.city",
        ] {
            assert!(!severity_key_is_fixed(free), "{free}");
        }
    }

    #[test]
    fn the_readme_lists_every_rule_as_the_table_has_it() {
        let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
            .expect("README.md");
        let table = readme_table();
        assert!(
            readme.contains(&table),
            "README.md's \"## Rules\" table differs from the rule table; it should read:\n{table}"
        );
    }
}
