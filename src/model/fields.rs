//! Which attribute of a layer holds what: the review's `[fields_of.<layer>]`, then `[fields]`,
//! else the usual names — skipping names that never fit a role (an administrative code is never
//! a zone id) and fields whose values do not fit it (a water `class` field holding 水库型 is not
//! a protection class). How each field was chosen is kept ([`FieldChoice`]) for the reports.

use super::settings::{FieldNames, ReviewFile};
use crate::messages::fields as msg;
use crate::model::{Layer, LayerRole, Text};
use serde::Serialize;

/// Field positions in one layer (`None`: the layer has no such field).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Fields {
    pub id: Option<usize>,
    pub name: Option<usize>,
    pub level: Option<usize>,
    pub city: Option<usize>,
    pub county: Option<usize>,
    pub members: Option<usize>,
    pub industries: Option<usize>,
    pub enclave: Option<usize>,
    pub enclave_basis: Option<usize>,
    pub custody: Option<usize>,
    pub custodian: Option<usize>,
    pub class: Option<usize>,
    pub status: Option<usize>,
    pub tax_per_mu: Option<usize>,
    pub value_added_per_mu: Option<usize>,
}

/// What an attribute is used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Id,
    Name,
    Level,
    City,
    County,
    Members,
    Industries,
    Enclave,
    EnclaveBasis,
    Custody,
    Custodian,
    Class,
    Status,
    TaxPerMu,
    ValueAddedPerMu,
}

impl Role {
    pub const ALL: [Role; 15] = [
        Role::Id,
        Role::Name,
        Role::Level,
        Role::City,
        Role::County,
        Role::Members,
        Role::Industries,
        Role::Enclave,
        Role::EnclaveBasis,
        Role::Custody,
        Role::Custodian,
        Role::Class,
        Role::Status,
        Role::TaxPerMu,
        Role::ValueAddedPerMu,
    ];

    /// The key of the role in `[fields]`.
    pub fn key(self) -> &'static str {
        match self {
            Role::Id => "id",
            Role::Name => "name",
            Role::Level => "level",
            Role::City => "city",
            Role::County => "county",
            Role::Members => "members",
            Role::Industries => "industries",
            Role::Enclave => "enclave",
            Role::EnclaveBasis => "enclave_basis",
            Role::Custody => "custody",
            Role::Custodian => "custodian",
            Role::Class => "class",
            Role::Status => "status",
            Role::TaxPerMu => "tax_per_mu",
            Role::ValueAddedPerMu => "value_added_per_mu",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Role::Id => "编号",
            Role::Name => "名称",
            Role::Level => "级别",
            Role::City => "设区市",
            Role::County => "县（市、区）",
            Role::Members => "整合对象",
            Role::Industries => "主导产业",
            Role::Enclave => "飞地",
            Role::EnclaveBasis => "飞地依据",
            Role::Custody => "托管乡镇",
            Role::Custodian => "托管开发区",
            Role::Class => "保护区分级",
            Role::Status => "处置方式",
            Role::TaxPerMu => "亩均税收（万元/亩）",
            Role::ValueAddedPerMu => "亩均增加值（万元/亩）",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Role::Id => "id",
            Role::Name => "name",
            Role::Level => "level",
            Role::City => "city",
            Role::County => "county",
            Role::Members => "members",
            Role::Industries => "industries",
            Role::Enclave => "enclave",
            Role::EnclaveBasis => "enclave basis",
            Role::Custody => "townships taken over",
            Role::Custodian => "zone taking over",
            Role::Class => "protection class",
            Role::Status => "status",
            Role::TaxPerMu => "tax per mu (10k yuan/mu)",
            Role::ValueAddedPerMu => "value added per mu (10k yuan/mu)",
        }
    }

    /// The roles the checks read from a layer of `layer` role, in [`Role::ALL`] order. Other
    /// roles are not resolved (a farmland `level` field is nobody's business).
    pub fn used_by(layer: LayerRole) -> &'static [Role] {
        match layer {
            LayerRole::Zones => &[
                Role::Id,
                Role::Name,
                Role::Level,
                Role::City,
                Role::County,
                Role::Members,
                Role::Industries,
                Role::Enclave,
                Role::EnclaveBasis,
                Role::Custody,
                Role::TaxPerMu,
                Role::ValueAddedPerMu,
            ],
            LayerRole::Original => &[Role::Id, Role::Name, Role::Level, Role::Status],
            LayerRole::Water => &[Role::Id, Role::Class],
            LayerRole::Townships => &[
                Role::Id,
                Role::Name,
                Role::City,
                Role::County,
                Role::Custodian,
            ],
            LayerRole::Redline
            | LayerRole::Farmland
            | LayerRole::Extra
            | LayerRole::Barrier
            | LayerRole::NewIndustrial => &[Role::Id],
        }
    }

    /// Usual names, most specific first, compared case-insensitively.
    fn usual_names(self) -> &'static [&'static str] {
        match self {
            Role::Id => &[
                "id",
                "zone_id",
                "zoneid",
                "编号",
                "地块编号",
                "kfqdm",
                "kfqbh",
                "yqdm",
                "bh",
                "bsm",
                "code",
                "dm",
                "xzqdm",
            ],
            Role::Name => &[
                "name",
                "mc",
                "名称",
                "地块名称",
                "zone_name",
                "kfqmc",
                "yqmc",
                "xzqmc",
                "zldwmc",
            ],
            Role::Level => &["level", "jb", "级别", "dj"],
            Role::City => &["city", "设区市", "sq", "ds", "市"],
            Role::County => &["county", "县市区", "区县", "xq", "县"],
            Role::Members => &["members", "整合对象", "member_ids", "members_id", "yyq"],
            Role::Industries => &["industries", "主导产业", "zdcy", "cy", "industry"],
            Role::Enclave => &["enclave", "飞地", "is_enclave", "fd"],
            Role::EnclaveBasis => &[
                "enclave_basis",
                "飞地依据",
                "fdyj",
                "飞地批文",
                "共建依据",
                "fd_basis",
            ],
            Role::Custody => &["custody", "托管乡镇", "tgxz", "托管街道", "托管"],
            Role::Custodian => &["custodian", "托管开发区", "tgkfq", "托管园区", "tgyq"],
            Role::Class => &["class", "分级", "保护级别", "bhjb", "jb", "level", "type"],
            Role::Status => &["status", "处置方式", "cz", "zt", "action"],
            Role::TaxPerMu => &["tax_per_mu", "亩均税收", "mjss", "mjss_wy"],
            Role::ValueAddedPerMu => &["value_added_per_mu", "亩均增加值", "mjzjz", "mjzjz_wy"],
        }
    }

    pub fn configured(self, names: &FieldNames) -> Option<&str> {
        match self {
            Role::Id => names.id.as_deref(),
            Role::Name => names.name.as_deref(),
            Role::Level => names.level.as_deref(),
            Role::City => names.city.as_deref(),
            Role::County => names.county.as_deref(),
            Role::Members => names.members.as_deref(),
            Role::Industries => names.industries.as_deref(),
            Role::Enclave => names.enclave.as_deref(),
            Role::EnclaveBasis => names.enclave_basis.as_deref(),
            Role::Custody => names.custody.as_deref(),
            Role::Custodian => names.custodian.as_deref(),
            Role::Class => names.class.as_deref(),
            Role::Status => names.status.as_deref(),
            Role::TaxPerMu => names.tax_per_mu.as_deref(),
            Role::ValueAddedPerMu => names.value_added_per_mu.as_deref(),
        }
        .map(str::trim)
        .filter(|s| !s.is_empty())
    }

    /// The `[fields]` entry of this role, to set or clear.
    pub fn slot(self, names: &mut FieldNames) -> &mut Option<String> {
        match self {
            Role::Id => &mut names.id,
            Role::Name => &mut names.name,
            Role::Level => &mut names.level,
            Role::City => &mut names.city,
            Role::County => &mut names.county,
            Role::Members => &mut names.members,
            Role::Industries => &mut names.industries,
            Role::Enclave => &mut names.enclave,
            Role::EnclaveBasis => &mut names.enclave_basis,
            Role::Custody => &mut names.custody,
            Role::Custodian => &mut names.custodian,
            Role::Class => &mut names.class,
            Role::Status => &mut names.status,
            Role::TaxPerMu => &mut names.tax_per_mu,
            Role::ValueAddedPerMu => &mut names.value_added_per_mu,
        }
    }

    fn set(self, fields: &mut Fields, index: Option<usize>) {
        match self {
            Role::Id => fields.id = index,
            Role::Name => fields.name = index,
            Role::Level => fields.level = index,
            Role::City => fields.city = index,
            Role::County => fields.county = index,
            Role::Members => fields.members = index,
            Role::Industries => fields.industries = index,
            Role::Enclave => fields.enclave = index,
            Role::EnclaveBasis => fields.enclave_basis = index,
            Role::Custody => fields.custody = index,
            Role::Custodian => fields.custodian = index,
            Role::Class => fields.class = index,
            Role::Status => fields.status = index,
            Role::TaxPerMu => fields.tax_per_mu = index,
            Role::ValueAddedPerMu => fields.value_added_per_mu = index,
        }
    }

    /// Whether one (non-empty) value is what this role holds; `None` for roles that hold any
    /// text (names, ids, lists).
    fn recognises(self, value: &str) -> Option<bool> {
        match self {
            Role::Level => Some(is_level(value)),
            Role::Enclave => Some(is_yes(value) || is_no(value)),
            Role::Class => Some(is_water_class(value)),
            Role::Status => Some(is_status(value)),
            Role::TaxPerMu | Role::ValueAddedPerMu => Some(parse_number(value).is_some()),
            _ => None,
        }
    }
}

/// The patch fields of `layer` ([`FieldNames::patch`]): `[fields_of.<layer>] patch`, else
/// `[fields] patch`, else [`crate::model::settings::DEFAULT_PATCH_FIELDS`]; each name the layer
/// has (matched case-insensitively), as configured, with its position. Names the layer lacks
/// are left out (a red-line layer has no 地类编码).
///
/// ```
/// use zonecheck::model::fields::patch_fields;
/// use zonecheck::model::settings::ReviewFile;
/// use zonecheck::model::{Layer, LayerRole, SourceInfo};
/// let layer = Layer {
///     name: "farmland".into(),
///     role: LayerRole::Farmland,
///     fields: vec!["bsm".into(), "DLBM".into(), "XZQDM".into()],
///     features: Vec::new(),
///     source: SourceInfo::default(),
/// };
/// let found = patch_fields(&layer, &ReviewFile::default());
/// assert_eq!(found, vec![("BSM".to_string(), 0), ("DLBM".to_string(), 1)]);
/// ```
pub fn patch_fields(layer: &Layer, review: &ReviewFile) -> Vec<(String, usize)> {
    let configured = review
        .fields_of
        .get(&layer.name)
        .and_then(|f| f.patch.as_ref())
        .or(review.fields.patch.as_ref());
    let names: Vec<&str> = match configured {
        Some(list) => list.iter().map(|s| s.trim()).collect(),
        None => crate::model::settings::DEFAULT_PATCH_FIELDS.to_vec(),
    };
    let mut out: Vec<(String, usize)> = Vec::new();
    for name in names {
        if let Some(i) = layer.field_index(name) {
            if !out.iter().any(|(_, j)| *j == i) {
                out.push((name.to_string(), i));
            }
        }
    }
    out
}

/// How the field of a role was chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum How {
    /// Named for this layer in `[fields_of.<layer>]`.
    SetForLayer,
    /// Named in `[fields]`.
    SetInReview,
    /// Found among the usual names.
    Detected,
    /// No field fits.
    None,
}

/// A field passed over while looking for a role's field, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub field: String,
    pub reason: SkipReason,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum SkipReason {
    /// An administrative division's code (XZQDM …): never a zone or feature id.
    AdminCode,
    /// An administrative division's name (XZQMC …): never a zone's name.
    AdminName,
    /// Every value is empty.
    Empty,
    /// Too few values fit the role; a few of them as examples.
    ValuesDoNotFit { examples: Vec<String> },
    /// Named in the review file (`for_layer`: in `[fields_of.<layer>]`) but the layer has no
    /// such field.
    NotInLayer { for_layer: bool },
}

/// The field used for one role of one layer and how it was chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChoice {
    pub role: Role,
    /// The field's name as the layer spells it.
    pub field: Option<String>,
    pub how: How,
    /// Fields tried before, in order, with the reason each was passed over.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<Skipped>,
    /// Set in the review file although its values do not fit (examples); used as set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doubtful: Option<Vec<String>>,
}

impl FieldChoice {
    /// One line for reports and tooltips: "编号：KFQDM（按字段名识别；跳过 XZQDM：行政区划代码）".
    pub fn describe(&self) -> Text {
        msg::choice(self)
    }

    /// The warnings this choice deserves: each field skipped for its values (not a name
    /// rule, not a global `[fields]` name missing here), a per-layer name missing, a doubtful
    /// set field.
    pub fn warnings(&self, layer: &Layer) -> Vec<Text> {
        let mut out = Vec::new();
        for s in &self.skipped {
            match &s.reason {
                SkipReason::ValuesDoNotFit { examples } => out.push(msg::values_do_not_fit(
                    &layer.name,
                    self.role,
                    &s.field,
                    examples,
                    self.field.as_deref(),
                )),
                SkipReason::Empty => out.push(msg::field_empty(
                    &layer.name,
                    self.role,
                    &s.field,
                    self.field.as_deref(),
                )),
                SkipReason::NotInLayer { for_layer: true } => {
                    out.push(msg::not_in_layer(&layer.name, self.role, &s.field))
                }
                _ => {}
            }
        }
        if let (Some(field), Some(examples)) = (&self.field, &self.doubtful) {
            out.push(msg::set_field_doubtful(
                &layer.name,
                self.role,
                field,
                examples,
            ));
        }
        out
    }
}

/// Every role of a layer resolved, with how.
#[derive(Debug, Clone, Default)]
pub struct Resolution {
    pub fields: Fields,
    /// One per role the layer's checks read ([`Role::used_by`]).
    pub choices: Vec<FieldChoice>,
}

impl Resolution {
    /// Every warning of the choices.
    pub fn warnings(&self, layer: &Layer) -> Vec<Text> {
        self.choices
            .iter()
            .flat_map(|c| c.warnings(layer))
            .collect()
    }
}

impl Fields {
    /// The fields of `layer` under `review`'s `[fields_of.<layer>]` and `[fields]`.
    pub fn of_layer(layer: &Layer, review: &ReviewFile) -> Fields {
        Fields::explain(layer, review).fields
    }

    /// The fields of `layer` with how each was chosen.
    pub fn explain(layer: &Layer, review: &ReviewFile) -> Resolution {
        resolve(layer, review.fields_of.get(&layer.name), &review.fields)
    }

    /// The fields of `layer` under one set of names (as `[fields]` gives them).
    pub fn resolve(layer: &Layer, names: &FieldNames) -> Fields {
        resolve(layer, None, names).fields
    }
}

fn resolve(layer: &Layer, own: Option<&FieldNames>, names: &FieldNames) -> Resolution {
    let mut out = Resolution::default();
    for &role in Role::used_by(layer.role) {
        let choice = choose(layer, role, own, names);
        let index = choice.field.as_deref().and_then(|f| layer.field_index(f));
        role.set(&mut out.fields, index);
        out.choices.push(choice);
    }
    out
}

/// How many values (at most) are looked at to judge a field: those of the layer's first
/// features (`SourceInfo::field_sample` when the loader let some of them go).
pub(crate) const SAMPLE: usize = 5000;

/// `Ok(())` when the values of field `index` fit `role`, else why not.
fn values_fit(layer: &Layer, index: usize, role: Role) -> Result<(), SkipReason> {
    let mut seen = 0usize;
    let mut fit = 0usize;
    let mut examples: Vec<String> = Vec::new();
    let sample: Box<dyn Iterator<Item = &crate::model::Attrs>> =
        if layer.source.field_sample.is_empty() {
            Box::new(layer.features.iter().map(|f| &f.attrs))
        } else {
            Box::new(layer.source.field_sample.iter())
        };
    for attrs in sample.take(SAMPLE) {
        let Some(v) = attrs.get(index).map(str::trim).filter(|v| !v.is_empty()) else {
            continue;
        };
        seen += 1;
        match role.recognises(v) {
            None | Some(true) => fit += 1,
            Some(false) => {
                if examples.len() < 3 && !examples.iter().any(|e| e == v) {
                    examples.push(v.to_string());
                }
            }
        }
    }
    if seen == 0 {
        Err(SkipReason::Empty)
    } else if fit * 2 < seen {
        // Fewer than half of the values are recognised: not this role's field.
        Err(SkipReason::ValuesDoNotFit { examples })
    } else {
        Ok(())
    }
}

fn choose(layer: &Layer, role: Role, own: Option<&FieldNames>, names: &FieldNames) -> FieldChoice {
    let mut skipped = Vec::new();
    for (set, how) in [
        (own.and_then(|n| role.configured(n)), How::SetForLayer),
        (role.configured(names), How::SetInReview),
    ] {
        let Some(name) = set else { continue };
        match layer.field_index(name) {
            Some(i) => {
                // A reviewer's explicit choice is used as set; values that do not fit are a
                // warning.
                let doubtful = match values_fit(layer, i, role) {
                    Err(SkipReason::ValuesDoNotFit { examples }) => Some(examples),
                    _ => None,
                };
                return FieldChoice {
                    role,
                    field: Some(layer.fields[i].clone()),
                    how,
                    skipped,
                    doubtful,
                };
            }
            None => skipped.push(Skipped {
                field: name.to_string(),
                reason: SkipReason::NotInLayer {
                    for_layer: how == How::SetForLayer,
                },
            }),
        }
    }
    let mut tried: Vec<usize> = Vec::new();
    for usual in role.usual_names() {
        let Some(i) = layer.field_index(usual) else {
            continue;
        };
        if tried.contains(&i) {
            continue;
        }
        tried.push(i);
        let field = layer.fields[i].clone();
        if let Some(reason) = name_rule(layer.role, role, &field) {
            skipped.push(Skipped { field, reason });
            continue;
        }
        match values_fit(layer, i, role) {
            Ok(()) => {
                return FieldChoice {
                    role,
                    field: Some(field),
                    how: How::Detected,
                    skipped,
                    doubtful: None,
                }
            }
            Err(reason) => skipped.push(Skipped { field, reason }),
        }
    }
    FieldChoice {
        role,
        field: None,
        how: How::None,
        skipped,
        doubtful: None,
    }
}

/// Why field `field` can never hold `role` in a layer of `layer` role (by its name alone).
/// Administrative codes are never ids, except of the townships themselves; administrative
/// names are never the name of a zone or an original zone.
fn name_rule(layer: LayerRole, role: Role, field: &str) -> Option<SkipReason> {
    match role {
        Role::Id if layer != LayerRole::Townships && is_admin_code(field) => {
            Some(SkipReason::AdminCode)
        }
        Role::Name
            if matches!(layer, LayerRole::Zones | LayerRole::Original) && is_admin_name(field) =>
        {
            Some(SkipReason::AdminName)
        }
        _ => None,
    }
}

/// Pinyin initials of administrative divisions, as they start the usual field names
/// (XZQ 行政区, XZQH 行政区划, S/SHENG 省, SQ/SHI/DS 设区市, X/XQ/QX/XIAN 县区, XZ/XZJD/Z
/// 乡镇街道, JD 街道, C/CUN 村, SQU 社区, QH 区划, ZLDW 坐落单位, QSDW 权属单位).
const ADMIN_PREFIXES: &[&str] = &[
    "xzq", "xzqh", "s", "sheng", "sf", "sq", "shi", "ds", "sj", "x", "xq", "qx", "xian", "xs",
    "xj", "xz", "xzjd", "z", "zhen", "xiang", "jd", "c", "cun", "cj", "squ", "qh", "zldw", "qsdw",
];

/// Chinese words of an administrative division.
const ADMIN_WORDS: &[&str] = &[
    "行政区",
    "区划",
    "省",
    "设区市",
    "市",
    "县",
    "区县",
    "乡",
    "镇",
    "街道",
    "村",
    "社区",
    "坐落",
    "权属",
];

/// True for the name of a field holding an administrative division's code: `XZQDM`, `XZQHDM`,
/// `XZDM`, `SQDM`, `QXDM`, `XDM`, `CUNDM`, `ZLDWDM`, …  (a division's pinyin initials + `DM`/
/// `BM`), `XZQH`, `ADCODE`, `行政区代码`, `县代码`, …  A zone's own code (`KFQDM` 开发区代码,
/// `YQDM` 园区代码, `DM`) is not one.
///
/// ```
/// use zonecheck::model::fields::is_admin_code;
/// for f in ["XZQDM", "xzdm", "SQDM", "QXDM", "ZLDWDM", "XZQ_DM", "xzqh", "adcode", "行政区代码", "县代码"] {
///     assert!(is_admin_code(f), "{f}");
/// }
/// for f in ["KFQDM", "YQDM", "DM", "ID", "BSM", "开发区代码", "编号"] {
///     assert!(!is_admin_code(f), "{f}");
/// }
/// ```
pub fn is_admin_code(field: &str) -> bool {
    let f = field.trim().to_lowercase();
    if matches!(
        f.as_str(),
        "xzq" | "xzqh" | "adcode" | "admin_code" | "adm_code" | "division_code" | "region_code"
    ) {
        return true;
    }
    for suffix in ["代码", "编码", "码"] {
        if let Some(stem) = f.strip_suffix(suffix) {
            return !stem.contains("开发区")
                && !stem.contains("园区")
                && ADMIN_WORDS.iter().any(|w| stem.contains(w));
        }
    }
    for suffix in ["dm", "bm"] {
        if let Some(stem) = f.strip_suffix(suffix) {
            let stem = stem.trim_end_matches(['_', '-']);
            return ADMIN_PREFIXES.contains(&stem);
        }
    }
    false
}

/// True for the name of a field holding an administrative division's name: `XZQMC`, `ZLDWMC`,
/// `XZMC`, `行政区名称`, …
pub fn is_admin_name(field: &str) -> bool {
    let f = field.trim().to_lowercase();
    if let Some(stem) = f.strip_suffix("mc") {
        return ADMIN_PREFIXES.contains(&stem.trim_end_matches(['_', '-']));
    }
    if let Some(stem) = f.strip_suffix("名称") {
        return !stem.contains("开发区")
            && !stem.contains("园区")
            && ADMIN_WORDS.iter().any(|w| stem.contains(w));
    }
    false
}

/// Splits a list attribute ("Y01,Y02；Y03、Y04") into trimmed, non-empty items.
///
/// ```
/// use zonecheck::model::fields::split_list;
/// assert_eq!(split_list("Y01, Y02；Y03、Y04"), vec!["Y01", "Y02", "Y03", "Y04"]);
/// ```
pub fn split_list(value: &str) -> Vec<String> {
    value
        .split(|c: char| {
            matches!(c, ',' | '，' | ';' | '；' | '、' | '|' | '/') || c.is_whitespace()
        })
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Splits a list of industries ("纺织 化纤、智能 家居") at list separators only: 、，,；;／/|
/// (full-width and half-width). A space belongs to an industry's name.
///
/// ```
/// use zonecheck::model::fields::split_industries;
/// assert_eq!(split_industries("纺织 化纤、智能 家居"), vec!["纺织 化纤", "智能 家居"]);
/// assert_eq!(split_industries("物流；电商/新材料，医药"), vec!["物流", "电商", "新材料", "医药"]);
/// ```
pub fn split_industries(value: &str) -> Vec<String> {
    value
        .split(|c: char| {
            matches!(
                c,
                ',' | '，' | ';' | '；' | '、' | '|' | '｜' | '/' | '／' | '\n' | '\r'
            )
        })
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// A number as an attribute writes it ("28.6", " 30 ", "１２０"), `None` for anything else.
///
/// ```
/// use zonecheck::model::fields::parse_number;
/// assert_eq!(parse_number(" 28.6 "), Some(28.6));
/// assert_eq!(parse_number("１２０"), Some(120.0));
/// assert_eq!(parse_number("暂无"), None);
/// ```
pub fn parse_number(value: &str) -> Option<f64> {
    let ascii: String = value
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '．' => '.',
            other => other,
        })
        .collect();
    ascii.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// True for the usual ways of writing "yes" in an enclave flag.
pub fn is_yes(value: &str) -> bool {
    let v = value.trim().to_lowercase();
    matches!(v.as_str(), "是" | "y" | "yes" | "true" | "1" | "t" | "飞地")
}

/// True for the usual ways of writing "no" in an enclave flag.
pub fn is_no(value: &str) -> bool {
    let v = value.trim().to_lowercase();
    matches!(
        v.as_str(),
        "否" | "n" | "no" | "false" | "0" | "f" | "非飞地" | "不是"
    )
}

/// True for a designation level (国家级 / 省级 / 市级 / 县级 …, or a designation of the built-in
/// plaque table such as 综合保税区). Used to recognise the field only, never to rank.
fn is_level(value: &str) -> bool {
    if level_rank(value).is_some() {
        return true;
    }
    let l = value.to_lowercase();
    [
        "国家",
        "省",
        "市",
        "县",
        "national",
        "provincial",
        "city",
        "county",
    ]
    .iter()
    .any(|w| l.contains(w))
}

/// True for a drinking-water protection class: 一级 / 二级 / 准保护区 (also 1/2/3, I/II/III).
///
/// ```
/// use zonecheck::model::fields::is_water_class;
/// assert!(is_water_class("一级保护区") && is_water_class("准保护区") && is_water_class("II"));
/// assert!(!is_water_class("水库型") && !is_water_class("河流型"));
/// ```
pub fn is_water_class(value: &str) -> bool {
    let v = value.trim();
    v.contains("一级")
        || v.contains("二级")
        || v.contains("准保护")
        || matches!(
            v.to_ascii_lowercase().as_str(),
            "1" | "2" | "3" | "i" | "ii" | "iii" | "Ⅰ" | "Ⅱ" | "Ⅲ" | "一" | "二" | "准"
        )
}

/// True for an original zone's fate: 淘汰撤销 / 转型提升 / 整合(优化) / 保留 …
fn is_status(value: &str) -> bool {
    let s = value.to_lowercase();
    [
        "淘汰",
        "撤销",
        "转型",
        "提升",
        "整合",
        "保留",
        "优化",
        "eliminat",
        "transform",
        "merge",
        "retain",
        "keep",
    ]
    .iter()
    .any(|w| s.contains(w))
}

/// Rank of a designation text by the built-in plaque table ([`crate::model::plaques`]):
/// 国家级 4 > 省级 3 > 市级 2 > 县级 1, the highest of the plaques it lists; `None` when the
/// table knows none of them. Nothing is guessed from the words the text contains.
///
/// ```
/// use zonecheck::model::fields::level_rank;
/// assert_eq!(level_rank("国家级经济技术开发区"), Some(4));
/// assert_eq!(level_rank("省级高新区"), Some(3));
/// assert_eq!(level_rank("县级工业园区"), Some(1));
/// assert_eq!(level_rank("综合保税区"), Some(4));
/// assert_eq!(level_rank("县级市工业园区"), Some(1));
/// assert_eq!(level_rank("某某区"), None);
/// ```
pub fn level_rank(level: &str) -> Option<u8> {
    let (known, _) = super::plaques::PlaqueTable::built_in().read(level);
    known.iter().map(|p| p.level.rank()).max()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Feature, SourceInfo};

    /// A layer of `role` with text fields `fields` and one feature per row (empty geometry:
    /// field detection reads attributes only).
    fn layer(role: LayerRole, fields: &[&str], rows: &[&[&str]]) -> Layer {
        Layer {
            name: "t".into(),
            role,
            fields: fields.iter().map(|f| f.to_string()).collect(),
            features: rows
                .iter()
                .enumerate()
                .map(|(index, r)| Feature {
                    index,
                    geometry: geo::MultiPolygon(Vec::new()),
                    attrs: r
                        .iter()
                        .map(|v| (!v.is_empty()).then(|| v.to_string()))
                        .collect(),
                })
                .collect(),
            source: SourceInfo::default(),
        }
    }

    fn field_of(l: &Layer, i: Option<usize>) -> Option<&str> {
        i.map(|i| l.fields[i].as_str())
    }

    #[test]
    fn fields_whose_values_do_not_fit_are_skipped_for_the_next_candidate() {
        // Level: LEVEL holds A/B (no level), JB holds 省级/国家级 → JB. Enclave: ENCLAVE holds
        // names, FD holds 是/否 → FD. Both skipped fields give one warning each.
        let l = layer(
            LayerRole::Zones,
            &["ID", "LEVEL", "JB", "ENCLAVE", "FD"],
            &[
                &["Z1", "A", "省级", "甲园区", "是"],
                &["Z2", "B", "国家级", "乙园区", "否"],
            ],
        );
        let r = Fields::explain(&l, &ReviewFile::default());
        assert_eq!(field_of(&l, r.fields.level), Some("JB"));
        assert_eq!(field_of(&l, r.fields.enclave), Some("FD"));
        let w = r.warnings(&l);
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w[0].en.contains("LEVEL") && w[0].en.contains("field JB is used instead"));
        assert!(w[1].zh.contains("ENCLAVE") && w[1].zh.contains("改用字段 FD"));
        // Status: STATUS holds years, CZ holds 淘汰撤销/整合 → CZ; an empty ZT is never tried.
        let l = layer(
            LayerRole::Original,
            &["ID", "STATUS", "CZ"],
            &[&["Y1", "2019", "淘汰撤销"], &["Y2", "2020", "整合"]],
        );
        let r = Fields::explain(&l, &ReviewFile::default());
        assert_eq!(field_of(&l, r.fields.status), Some("CZ"));
        // Nothing fits: no field, one warning saying so.
        let l = layer(LayerRole::Water, &["CLASS"], &[&["水库型"], &["河流型"]]);
        let r = Fields::explain(&l, &ReviewFile::default());
        assert_eq!(r.fields.class, None);
        assert!(r.warnings(&l)[0].en.contains("no other field fits"));
    }

    #[test]
    fn a_set_field_is_used_even_when_its_values_look_wrong_but_that_is_said() {
        let l = layer(LayerRole::Water, &["ID", "KIND"], &[&["W1", "水库型"]]);
        let mut review = ReviewFile::default();
        review.fields.class = Some("kind".into());
        let r = Fields::explain(&l, &review);
        assert_eq!(field_of(&l, r.fields.class), Some("KIND"));
        assert_eq!(r.choices[1].how, How::SetInReview);
        let w = r.warnings(&l);
        assert_eq!(w.len(), 1);
        assert!(w[0].en.contains("used as set") && w[0].en.contains("水库型"));
    }

    #[test]
    fn townships_keep_their_administrative_code_and_name() {
        // A township's own id is its XZQDM; zones never use XZQMC as their name.
        let t = layer(
            LayerRole::Townships,
            &["XZQDM", "XZQMC"],
            &[&["330109001", "城厢街道"]],
        );
        let r = Fields::explain(&t, &ReviewFile::default());
        assert_eq!(field_of(&t, r.fields.id), Some("XZQDM"));
        assert_eq!(field_of(&t, r.fields.name), Some("XZQMC"));
        let z = layer(
            LayerRole::Zones,
            &["XZQDM", "XZQMC"],
            &[&["330109", "萧山区"]],
        );
        let r = Fields::explain(&z, &ReviewFile::default());
        assert_eq!((r.fields.id, r.fields.name), (None, None));
        assert!(r.warnings(&z).is_empty(), "name rules are not warnings");
    }
}
