//! 牌子: the designations a development zone can carry, each with its level (国家级 / 省级 /
//! 市级 / 县级) and its kind, from a known table that the review file may extend or override
//! (`[plaques]`). A level attribute may hold several plaques ("国家级经济技术开发区、综合保税区").
//! Text the table does not know is reported, never guessed from the words it contains.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The level of a designation, lowest first (so `National` is the greatest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    #[serde(alias = "县级")]
    County,
    #[serde(alias = "市级")]
    City,
    #[serde(alias = "省级")]
    Provincial,
    #[serde(alias = "国家级")]
    National,
}

impl Level {
    /// 1 (county) to 4 (national), as report numbers give it.
    pub fn rank(self) -> u8 {
        self as u8 + 1
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Level::County => "县级",
            Level::City => "市级",
            Level::Provincial => "省级",
            Level::National => "国家级",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Level::County => "county",
            Level::City => "city",
            Level::Provincial => "provincial",
            Level::National => "national",
        }
    }
}

/// A `[plaques]` entry: `"某某园区" = "provincial"` or
/// `"某某园区" = { level = "provincial", kind = "特色小镇" }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PlaqueSetting {
    Level(Level),
    Full(PlaqueEntry),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlaqueEntry {
    pub level: Level,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// One known designation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plaque {
    /// The designation's name as the table spells it (aliases read as this name).
    pub name: String,
    pub level: Level,
    /// What kind of platform it is (经开区, 高新区, 海关特殊监管区, …).
    pub kind: String,
}

/// The built-in table: name, other spellings, level, kind. Sources: the State Council's
/// categories of national development zones (经济技术开发区, 高新技术产业开发区, 海关特殊监管区域
/// and their six forms), the national and provincial tourist resorts, Zhejiang's provincial
/// platforms (经济开发区, 高新技术产业园区, 产业集聚区, 特色小镇) and the parks cities and counties
/// set up themselves (市级/县级 自设园区). A 县级市 is a county-level city: its parks are county
/// level.
const BUILT_IN: &[(&str, &[&str], Level, &str)] = &[
    (
        "国家级经济技术开发区",
        &["国家级经开区", "国家经济技术开发区", "国家级经济开发区"],
        Level::National,
        "经济技术开发区",
    ),
    (
        "国家级高新技术产业开发区",
        &[
            "国家级高新区",
            "国家高新技术产业开发区",
            "国家级高新技术开发区",
        ],
        Level::National,
        "高新技术产业开发区",
    ),
    ("综合保税区", &[], Level::National, "海关特殊监管区域"),
    ("保税区", &[], Level::National, "海关特殊监管区域"),
    ("保税港区", &[], Level::National, "海关特殊监管区域"),
    ("出口加工区", &[], Level::National, "海关特殊监管区域"),
    ("保税物流园区", &[], Level::National, "海关特殊监管区域"),
    ("跨境工业区", &[], Level::National, "海关特殊监管区域"),
    ("国家级新区", &[], Level::National, "国家级新区"),
    ("国家级旅游度假区", &[], Level::National, "旅游度假区"),
    (
        "国家级开发区",
        &["国家级开发区（园区）"],
        Level::National,
        "开发区（未细分）",
    ),
    (
        "省级经济开发区",
        &["省级经开区", "省级经济技术开发区"],
        Level::Provincial,
        "经济开发区",
    ),
    (
        "省级高新技术产业园区",
        &["省级高新区", "省级高新技术产业开发区", "省级高新园区"],
        Level::Provincial,
        "高新技术产业园区",
    ),
    ("省级产业集聚区", &[], Level::Provincial, "产业集聚区"),
    ("省级特色小镇", &[], Level::Provincial, "特色小镇"),
    ("省级旅游度假区", &[], Level::Provincial, "旅游度假区"),
    (
        "省级开发区",
        &["省级开发区（园区）"],
        Level::Provincial,
        "开发区（未细分）",
    ),
    (
        "市级工业园区",
        &["市级园区", "市级开发区", "市级自设园区"],
        Level::City,
        "自设园区",
    ),
    (
        "县级工业园区",
        &[
            "县级园区",
            "县级开发区",
            "县级自设园区",
            "县级市工业园区",
            "县（市、区）级工业园区",
        ],
        Level::County,
        "自设园区",
    ),
];

/// The designations known to a review: the built-in table with the review's `[plaques]`.
#[derive(Debug, Clone)]
pub struct PlaqueTable {
    /// Canonical plaques in table order (built-in first, then the review's new ones).
    plaques: Vec<Plaque>,
    /// Normalised spelling → position in `plaques`.
    by_name: BTreeMap<String, usize>,
}

/// Normalises a designation's spelling: no white space, full-width brackets.
pub fn normalise(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '(' => '（',
            ')' => '）',
            c => c,
        })
        .collect()
}

/// Splits a level attribute into its designations, on list separators only (、，,；;/|), never on
/// spaces ("国家级 经济技术开发区" is one designation).
pub fn split_plaques(value: &str) -> Vec<String> {
    value
        .split(['、', '，', ',', '；', ';', '/', '|', '\n'])
        .map(normalise)
        .filter(|s| !s.is_empty())
        .collect()
}

impl Default for PlaqueTable {
    fn default() -> Self {
        PlaqueTable::new(&BTreeMap::new())
    }
}

impl PlaqueTable {
    /// The built-in table alone, built once.
    pub fn built_in() -> &'static PlaqueTable {
        static TABLE: std::sync::OnceLock<PlaqueTable> = std::sync::OnceLock::new();
        TABLE.get_or_init(PlaqueTable::default)
    }

    /// The built-in table with `extra` added; an entry of `extra` whose name the table knows
    /// (by name or alias) replaces it.
    pub fn new(extra: &BTreeMap<String, PlaqueSetting>) -> PlaqueTable {
        let mut t = PlaqueTable {
            plaques: Vec::new(),
            by_name: BTreeMap::new(),
        };
        for (name, aliases, level, kind) in BUILT_IN {
            let i = t.plaques.len();
            t.plaques.push(Plaque {
                name: name.to_string(),
                level: *level,
                kind: kind.to_string(),
            });
            for n in std::iter::once(name).chain(aliases.iter()) {
                t.by_name.insert(normalise(n), i);
            }
        }
        for (name, setting) in extra {
            let key = normalise(name);
            if key.is_empty() {
                continue;
            }
            let (level, kind) = match setting {
                PlaqueSetting::Level(l) => (*l, None),
                PlaqueSetting::Full(e) => (e.level, e.kind.clone()),
            };
            match t.by_name.get(&key) {
                Some(&i) => {
                    // Overriding a known spelling overrides its plaque (and its aliases).
                    let p = &mut t.plaques[i];
                    p.level = level;
                    if let Some(k) = kind {
                        p.kind = k;
                    }
                }
                None => {
                    let i = t.plaques.len();
                    t.plaques.push(Plaque {
                        name: key.clone(),
                        level,
                        kind: kind.unwrap_or_else(|| "评审文件补充".to_string()),
                    });
                    t.by_name.insert(key, i);
                }
            }
        }
        t
    }

    /// The plaque one designation text names, by name or alias; `None` when unknown.
    pub fn lookup(&self, text: &str) -> Option<&Plaque> {
        self.by_name
            .get(&normalise(text))
            .and_then(|&i| self.plaques.get(i))
    }

    /// The plaques of a level attribute and the items the table does not know (in order,
    /// without repeats).
    pub fn read(&self, value: &str) -> (Vec<&Plaque>, Vec<String>) {
        let mut known: Vec<&Plaque> = Vec::new();
        let mut unknown: Vec<String> = Vec::new();
        for item in split_plaques(value) {
            match self.lookup(&item) {
                Some(p) => {
                    if !known.iter().any(|k| k.name == p.name) {
                        known.push(p);
                    }
                }
                None => {
                    if !unknown.contains(&item) {
                        unknown.push(item)
                    }
                }
            }
        }
        (known, unknown)
    }

    /// Every known designation's name, in table order.
    pub fn names(&self) -> Vec<&str> {
        self.plaques.iter().map(|p| p.name.as_str()).collect()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn known_designations_and_their_levels() {
        let t = PlaqueTable::default();
        let level = |s: &str| t.lookup(s).map(|p| p.level);
        assert_eq!(level("国家级经济技术开发区"), Some(Level::National));
        assert_eq!(level("国家级高新区"), Some(Level::National));
        // A customs special supervision zone is national: it ranks above a city park.
        assert_eq!(level("综合保税区"), Some(Level::National));
        assert!(level("综合保税区") > level("市级工业园区"));
        assert_eq!(level(" 省级 经济开发区 "), Some(Level::Provincial));
        assert_eq!(level("省级开发区(园区)"), Some(Level::Provincial));
        // 县级市 is a county-level city: its park is county level, not city level.
        assert_eq!(level("县级市工业园区"), Some(Level::County));
        // Nothing is guessed from the words: unknown text is unknown.
        for s in ["某某区", "县级市", "工业区", "市级", "高新区"] {
            assert_eq!(level(s), None, "{s}");
        }
    }

    #[test]
    fn a_level_attribute_holds_several_plaques_and_the_review_adds_more() {
        let t = PlaqueTable::default();
        let (known, unknown) = t.read("国家级经济技术开发区、综合保税区；某某新区");
        let names: Vec<&str> = known.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["国家级经济技术开发区", "综合保税区"]);
        assert_eq!(unknown, ["某某新区"]);
        let mut extra = BTreeMap::new();
        extra.insert(
            "某某新区".to_string(),
            PlaqueSetting::Level(Level::Provincial),
        );
        extra.insert(
            "省级特色小镇".to_string(),
            PlaqueSetting::Full(PlaqueEntry {
                level: Level::City,
                kind: None,
            }),
        );
        let t = PlaqueTable::new(&extra);
        assert_eq!(
            t.lookup("某某新区").map(|p| p.level),
            Some(Level::Provincial)
        );
        assert_eq!(t.lookup("省级特色小镇").map(|p| p.level), Some(Level::City));
        assert!(t.names().contains(&"某某新区"));
    }
}
