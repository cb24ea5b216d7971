//! Which attribute of a layer holds what: the review's `[fields]` first, else the usual names.

use crate::io::review::FieldNames;
use crate::model::Layer;

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
    pub class: Option<usize>,
    pub status: Option<usize>,
}

/// Usual names, most specific first, compared case-insensitively.
const ID: &[&str] = &[
    "id", "zone_id", "zoneid", "编号", "bh", "bsm", "code", "dm", "xzqdm",
];
const NAME: &[&str] = &[
    "name",
    "mc",
    "名称",
    "zone_name",
    "kfqmc",
    "xzqmc",
    "zldwmc",
];
const LEVEL: &[&str] = &["level", "jb", "级别", "dj"];
const CITY: &[&str] = &["city", "设区市", "sq", "ds", "市"];
const COUNTY: &[&str] = &["county", "县市区", "区县", "xq", "县"];
const MEMBERS: &[&str] = &["members", "整合对象", "member_ids", "members_id", "yyq"];
const INDUSTRIES: &[&str] = &["industries", "主导产业", "zdcy", "cy", "industry"];
const ENCLAVE: &[&str] = &["enclave", "飞地", "is_enclave", "fd"];
const CLASS: &[&str] = &["class", "分级", "保护级别", "bhjb", "jb", "level", "type"];
const STATUS: &[&str] = &["status", "处置方式", "cz", "zt", "action"];

impl Fields {
    /// Resolves every field of `layer`: the configured name if the layer has it, else the first
    /// usual name it has.
    pub fn resolve(layer: &Layer, names: &FieldNames) -> Fields {
        let pick = |configured: &Option<String>, usual: &[&str]| -> Option<usize> {
            if let Some(name) = configured {
                if let Some(i) = layer.field_index(name) {
                    return Some(i);
                }
            }
            usual.iter().find_map(|n| layer.field_index(n))
        };
        Fields {
            id: pick(&names.id, ID),
            name: pick(&names.name, NAME),
            level: pick(&names.level, LEVEL),
            city: pick(&names.city, CITY),
            county: pick(&names.county, COUNTY),
            members: pick(&names.members, MEMBERS),
            industries: pick(&names.industries, INDUSTRIES),
            enclave: pick(&names.enclave, ENCLAVE),
            class: pick(&names.class, CLASS),
            status: pick(&names.status, STATUS),
        }
    }
}

/// Splits a list attribute ("Y01,Y02；Y03、Y04") into trimmed, non-empty items.
///
/// ```
/// use zonecheck::analysis::fields::split_list;
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

/// True for the usual ways of writing "yes" in an enclave flag.
pub fn is_yes(value: &str) -> bool {
    let v = value.trim().to_lowercase();
    matches!(v.as_str(), "是" | "y" | "yes" | "true" | "1" | "t" | "飞地")
}

/// Rank of a designation: 国家级 4 > 省级 3 > 市级 2 > 县级 1; `None` when not recognised.
///
/// ```
/// use zonecheck::analysis::fields::level_rank;
/// assert_eq!(level_rank("国家级经济技术开发区"), Some(4));
/// assert_eq!(level_rank("省级高新区"), Some(3));
/// assert_eq!(level_rank("县级工业园区"), Some(1));
/// ```
pub fn level_rank(level: &str) -> Option<u8> {
    let l = level.to_lowercase();
    if l.contains("国家") || l.contains("national") {
        Some(4)
    } else if l.contains("省") || l.contains("provincial") {
        Some(3)
    } else if l.contains("市") || l.contains("city") {
        Some(2)
    } else if l.contains("县") || l.contains('区') || l.contains("county") {
        Some(1)
    } else {
        None
    }
}
