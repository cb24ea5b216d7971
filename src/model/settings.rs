//! Review settings as plain data: layer keys and roles, attribute names, rule thresholds,
//! severities and quotas. The review file (`io::review`) parses them, the analysis reads them.

use super::decision::{DecisionRow, Verdict};
use super::LayerRole;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The fixed layer keys of a review file, in review order (any other key is an extra layer).
pub const FIXED_LAYER_KEYS: [&str; 8] = [
    "zones",
    "original",
    "redline",
    "farmland",
    "water",
    "townships",
    "barriers",
    "new_industrial",
];

/// The review as written in the file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewFile {
    /// Working projected CRS in metres, e.g. "EPSG:4549".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crs: Option<String>,
    pub layers: LayerPaths,
    /// CRS for a layer whose file carries none, by layer key.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub crs_of: BTreeMap<String, String>,
    /// Text encoding of a shapefile's attributes (`GBK`, `UTF-8`, …) by layer key; overrides
    /// the `.cpg` file and the DBF language driver. Absent: detected.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub encoding_of: BTreeMap<String, String>,
    /// Which attribute holds what; detected when absent.
    #[serde(default, skip_serializing_if = "FieldNames::is_unset")]
    pub fields: FieldNames,
    /// Attribute names for one layer, by layer key (`[fields_of.water] class = "FJ"`); they
    /// come before `[fields]`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields_of: BTreeMap<String, FieldNames>,
    #[serde(default)]
    pub rules: Rules,
    #[serde(default)]
    pub quotas: Quotas,
    /// Designations added to or overriding the built-in table (`[plaques]`
    /// `"某某园区" = "provincial"`), see [`crate::model::plaques`].
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub plaques: BTreeMap<String, super::plaques::PlaqueSetting>,
    /// The reviewer's decision per finding (see [`DecisionRow`]).
    #[serde(default, rename = "decision", skip_serializing_if = "Vec::is_empty")]
    pub decisions: Vec<DecisionRow>,
    /// The reviewer's overall decision on the plan.
    #[serde(default, skip_serializing_if = "Verdict::is_empty")]
    pub verdict: Verdict,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayerPaths {
    pub zones: PathBuf,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redline: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub farmland: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub water: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub townships: Option<PathBuf>,
    /// Roads, rivers and railways (polygons): a gap between two parts of a zone that they
    /// fill does not break contiguity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub barriers: Option<PathBuf>,
    /// New industrial construction land (新增工业建设用地): its parts outside every merged zone
    /// are a plan finding (五(十五)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_industrial: Option<PathBuf>,
    /// Further layers by name, e.g. `"蓝绿空间" = "bluegreen.shp"` (non-ASCII keys quoted);
    /// protected land unless `role` says otherwise.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, PathBuf>,
    /// What an extra layer is for (`[layers.role] "蓝绿空间" = "control_line"`); a layer not
    /// listed is `protected`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub role: BTreeMap<String, ExtraRole>,
}

impl LayerPaths {
    /// The role of extra layer `name` (`protected` when not set).
    pub fn extra_role(&self, name: &str) -> ExtraRole {
        self.role.get(name).copied().unwrap_or_default()
    }
}

/// What an extra layer of the review is for.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum ExtraRole {
    /// Protected land a zone must not occupy (四(十三)): overlaps are `conflict.<layer>`,
    /// blocking by default.
    #[default]
    Protected,
    /// Land to be aware of: overlaps are `conflict.<layer>` findings that warn.
    Advisory,
    /// A control line (蓝绿空间, public facilities) each zone delineates inside itself
    /// (四(十三) 划定…控制线): its area inside each zone is reported (`control_line.<layer>`,
    /// a notice), never a conflict.
    ControlLine,
}

impl ExtraRole {
    pub const ALL: [ExtraRole; 3] = [
        ExtraRole::Protected,
        ExtraRole::Advisory,
        ExtraRole::ControlLine,
    ];

    /// The role's key in the review file.
    pub fn key(self) -> &'static str {
        match self {
            ExtraRole::Protected => "protected",
            ExtraRole::Advisory => "advisory",
            ExtraRole::ControlLine => "control_line",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            ExtraRole::Protected => "保护区域（占用即冲突）",
            ExtraRole::Advisory => "提示图层（重叠为警告）",
            ExtraRole::ControlLine => "控制线（须在开发区内划定）",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            ExtraRole::Protected => "protected (overlap is a conflict)",
            ExtraRole::Advisory => "advisory (overlap warns)",
            ExtraRole::ControlLine => "control line (delineated inside zones)",
        }
    }
}

/// Role of a layer key of the review file.
pub fn role_of_key(key: &str) -> LayerRole {
    match key {
        "zones" => LayerRole::Zones,
        "original" => LayerRole::Original,
        "redline" => LayerRole::Redline,
        "farmland" => LayerRole::Farmland,
        "water" => LayerRole::Water,
        "townships" => LayerRole::Townships,
        "barriers" => LayerRole::Barrier,
        "new_industrial" => LayerRole::NewIndustrial,
        _ => LayerRole::Extra,
    }
}

/// Which area the findings and the area thresholds use (`[rules] area`): the planar area in the
/// working CRS, or the area on the CGCS2000 ellipsoid (as land accounts are kept). Every output
/// shows both either way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AreaBasis {
    Planar,
    #[default]
    Ellipsoidal,
}

impl AreaBasis {
    /// `planar` or `ellipsoidal`'s area as this basis has it: the ellipsoidal one when chosen
    /// and known, else the planar one.
    pub fn pick(self, planar: f64, ellipsoidal: Option<f64>) -> f64 {
        match (self, ellipsoidal) {
            (AreaBasis::Ellipsoidal, Some(e)) => e,
            _ => planar,
        }
    }
}

/// How much a finding weighs: a blocking finding fails its zone (and the plan).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
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

/// Attribute names; each `None` is detected from the usual names, case-insensitively.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldNames {
    pub id: Option<String>,
    pub name: Option<String>,
    pub level: Option<String>,
    pub city: Option<String>,
    pub county: Option<String>,
    pub members: Option<String>,
    pub industries: Option<String>,
    pub enclave: Option<String>,
    /// Zones: the basis of an enclave (approval document, partner county).
    pub enclave_basis: Option<String>,
    /// Zones: the townships the zone declares it takes over (a list).
    pub custody: Option<String>,
    /// Townships: the zone that takes the township over.
    pub custodian: Option<String>,
    pub class: Option<String>,
    pub status: Option<String>,
    /// 亩均税收 (万元/亩) of a merged zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_per_mu: Option<String>,
    /// 亩均增加值 (万元/亩) of a merged zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_added_per_mu: Option<String>,
    /// Protection layers: the attributes of an occupied patch carried into the patch tables
    /// (report.json `features[].fields`, report.html, occupied_patches.csv, report.xlsx,
    /// conflicts.shp/.gpkg), in this order; each where the layer has it. Absent: the farmland
    /// database's usual ones, [`DEFAULT_PATCH_FIELDS`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patch: Option<Vec<String>>,
}

/// The patch fields carried into the patch tables unless `[fields] patch` says otherwise:
/// 标识码 (or 永久基本农田图斑编号), 地类编码, 地类名称, 图斑面积, 坐落单位名称, 权属性质,
/// 质量等别 — each where the layer has it.
pub const DEFAULT_PATCH_FIELDS: [&str; 8] = [
    "BSM",
    "YJJBNTTBBH",
    "DLBM",
    "DLMC",
    "TBMJ",
    "ZLDWMC",
    "QSXZ",
    "ZLDJ",
];

/// Most fields `[fields] patch` may list.
pub const MAX_PATCH_FIELDS: usize = 30;

impl FieldNames {
    /// True when no attribute name is set (all detected).
    pub fn is_unset(&self) -> bool {
        *self == FieldNames::default()
    }
}

/// The thresholds the guidance leaves open.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Rules {
    /// Parts of a zone (net of barriers and protected land in the gap) no farther apart than
    /// this (m) are one cluster.
    pub contiguity_distance_m: f64,
    pub max_clusters: u32,
    /// Most parts (分片区) a zone may have; parts that touch are one part.
    pub max_parts: u32,
    /// A connection narrower than this (m) does not join: the pieces it links are separate
    /// clusters (0 turns the test off).
    pub min_connection_width_m: f64,
    /// A gap up to this long (m) is bridged by the barriers and protected land that fill it;
    /// a longer gap breaks contiguity whatever lies in it.
    pub max_bridged_gap_m: f64,
    pub min_part_area_m2: f64,
    /// Overlay pieces smaller than this (m²) are slivers whatever their shape.
    pub sliver_area_m2: f64,
    /// Overlay pieces no wider than this (m) are slivers (no disc wider fits in them); 0 turns
    /// the width test off.
    pub sliver_width_m: f64,
    /// When the slivers of one zone against one layer (or its members, or another zone)
    /// together exceed this (m²), they count as overlap.
    pub sliver_total_m2: f64,
    pub custody_protected_share: f64,
    /// Custody not declared in the data is inferred only where the zone covers at least this
    /// share (0–1) of the township.
    pub custody_min_cover_share: f64,
    pub expansion_blocks: bool,
    pub max_industries: u32,
    pub max_total_zones: u32,
    /// 五(十六) target of 亩均税收, 万元/亩 (the guidance's indicator for 2025: 30).
    pub tax_per_mu_wan: f64,
    /// 五(十六) target of 亩均增加值, 万元/亩 (the guidance's indicator for 2025: 120).
    pub value_added_per_mu_wan: f64,
    /// An occupied farmland patch whose TBMJ differs from its computed ellipsoidal area by more
    /// than this share (0–1) of that area is a data-quality note (`tbmj.mismatch`).
    pub tbmj_tolerance: f64,
    /// The area findings and the area thresholds (`min_part_area_m2`) use; default planar
    /// (see the README: the planar numbers are those the checks were specified in).
    pub area: AreaBasis,
    /// Severity per rule id, applied after the checks (`[rules.severity]`
    /// `expansion = "blocking"`); a key also covers the rule ids under it (`conflict` covers
    /// `conflict.redline`). `input.*` rules cannot be changed: incomplete input always blocks.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub severity: BTreeMap<String, Severity>,
    /// Severity of a protection layer's conflict per protection class, by layer key then class
    /// as the class field writes it (`[rules.severity_of_class.water] "准保护区" = "warning"`).
    /// A class not listed keeps the layer's severity; a conflict touching several classes
    /// beyond slivers takes the strictest (执行最严标准).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub severity_of_class: BTreeMap<String, BTreeMap<String, Severity>>,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            contiguity_distance_m: 0.0,
            max_clusters: 1,
            max_parts: 10,
            min_connection_width_m: 30.0,
            max_bridged_gap_m: 100.0,
            min_part_area_m2: 10_000.0,
            sliver_area_m2: 0.25,
            sliver_width_m: 0.5,
            sliver_total_m2: 200.0,
            custody_protected_share: 0.5,
            custody_min_cover_share: 0.5,
            expansion_blocks: false,
            max_industries: 3,
            max_total_zones: 150,
            tax_per_mu_wan: 30.0,
            value_added_per_mu_wan: 120.0,
            tbmj_tolerance: 0.01,
            area: AreaBasis::Ellipsoidal,
            severity: BTreeMap::new(),
            severity_of_class: BTreeMap::new(),
        }
    }
}

/// The rule ids whose severity `[rules.severity]` may not change: incomplete or unusable input
/// always blocks. The rule table (`analysis::rules::table`) marks the same rows as fixed; a test
/// there keeps the two equal.
pub const FIXED_SEVERITY_RULES: [&str; 4] = [
    "input.incomplete",
    "input.coverage",
    "input.ambiguous_id",
    "zone.invalid_geometry",
];

/// True when a `[rules.severity]` key covers a rule id: the id itself or a prefix of it
/// ending before a `.`.
pub fn key_covers(key: &str, id: &str) -> bool {
    id == key
        || id
            .strip_prefix(key)
            .is_some_and(|rest| rest.starts_with('.'))
}

/// True when `[rules.severity]` may not name `key`: a key covering a rule whose severity is
/// fixed (`input`, `input.incomplete`, …), or an empty key.
pub fn severity_key_is_fixed(key: &str) -> bool {
    key.trim().is_empty() || FIXED_SEVERITY_RULES.iter().any(|id| key_covers(key, id))
}

/// Allowed number of merged zones: `[min, max]` per city level and per county.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Quotas {
    /// Range for a city's own (市本级) zones, by city name; `default` for cities not listed.
    pub city_level: BTreeMap<String, [u32; 2]>,
    /// Range for each county (县/市/区), by county name; `default` for counties not listed.
    pub county: BTreeMap<String, [u32; 2]>,
}

impl Default for Quotas {
    fn default() -> Self {
        let mut city_level = BTreeMap::new();
        city_level.insert("default".to_string(), [1, 2]);
        city_level.insert("杭州市".to_string(), [2, 3]);
        city_level.insert("宁波市".to_string(), [2, 3]);
        let mut county = BTreeMap::new();
        county.insert("default".to_string(), [1, 2]);
        Quotas { city_level, county }
    }
}

impl Quotas {
    /// Range for a city's own zones.
    pub fn city_range(&self, city: &str) -> [u32; 2] {
        lookup(&self.city_level, city).unwrap_or([1, 2])
    }

    /// Range for a county's zones.
    pub fn county_range(&self, county: &str) -> [u32; 2] {
        lookup(&self.county, county).unwrap_or([1, 2])
    }
}

fn lookup(map: &BTreeMap<String, [u32; 2]>, key: &str) -> Option<[u32; 2]> {
    map.get(key)
        .or_else(|| {
            // "杭州" matches "杭州市" and the reverse.
            map.iter()
                .find(|(k, _)| {
                    k.as_str() != "default"
                        && (k.trim_end_matches('市') == key.trim_end_matches('市'))
                })
                .map(|(_, v)| v)
        })
        .or_else(|| map.get("default"))
        .copied()
}
