//! The review file (TOML): which layers, which CRS, which fields, which rules and quotas.
//! Paths in it are relative to the file. Unknown keys and bad values are errors naming the key.

use super::LoadError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The fixed layer keys of a review file, in review order (any other key is an extra layer).
pub const FIXED_LAYER_KEYS: [&str; 6] = [
    "zones",
    "original",
    "redline",
    "farmland",
    "water",
    "townships",
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
    /// The reviewer's decision per finding (see [`crate::decisions`]).
    #[serde(default, rename = "decision", skip_serializing_if = "Vec::is_empty")]
    pub decisions: Vec<DecisionRow>,
    /// The reviewer's overall decision on the plan.
    #[serde(default, skip_serializing_if = "Verdict::is_empty")]
    pub verdict: Verdict,
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
    pub status: crate::decisions::Status,
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
    /// Further protection layers by name, e.g. `"蓝绿空间" = "bluegreen.shp"` (non-ASCII keys quoted).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, PathBuf>,
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
    pub class: Option<String>,
    pub status: Option<String>,
}

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
    pub contiguity_distance_m: f64,
    pub max_clusters: u32,
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
    pub expansion_blocks: bool,
    pub max_industries: u32,
    pub max_total_zones: u32,
    /// Severity per rule id, applied after the checks (`[rules.severity]`
    /// `expansion = "blocking"`); a key also covers the rule ids under it (`conflict` covers
    /// `conflict.redline`). `input.*` rules cannot be changed: incomplete input always blocks.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub severity: BTreeMap<String, crate::analysis::Severity>,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            contiguity_distance_m: 0.0,
            max_clusters: 1,
            min_part_area_m2: 10_000.0,
            sliver_area_m2: 0.25,
            sliver_width_m: 0.5,
            sliver_total_m2: 200.0,
            custody_protected_share: 0.5,
            expansion_blocks: false,
            max_industries: 3,
            max_total_zones: 150,
            severity: BTreeMap::new(),
        }
    }
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

/// A review file with its location, ready to use.
#[derive(Debug, Clone)]
pub struct Review {
    pub file: ReviewFile,
    /// The review file itself.
    pub path: PathBuf,
}

impl Review {
    /// Reads and validates a review file.
    pub fn load(path: &Path) -> Result<Review, LoadError> {
        let text = super::read_regular_text(path, "review file")?;
        let review = Review::parse(&text, path)?;
        if review.file.layers.zones.as_os_str().is_empty() {
            return Err(LoadError::new(
                crate::messages::cli::review_without_zones(),
                path,
            ));
        }
        for (key, layer) in review.layer_paths() {
            if let Some(problem) = super::regular_file_problem(&layer) {
                return Err(LoadError::new(
                    crate::messages::io::layer_file_problem(&key, &problem),
                    layer,
                ));
            }
        }
        Ok(review)
    }

    /// Parses review text; `path` locates relative layer paths and names the file in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Review, LoadError> {
        // Spans from the TOML parser are byte offsets into the text it was given (BOM removed).
        let text = text.trim_start_matches('\u{feff}');
        let file: ReviewFile = toml::from_str(text).map_err(|e| {
            let msg = e.message().trim().to_string();
            let start = e.span().map(|s| s.start);
            let line = start
                .and_then(|s| text.get(..s))
                .map(|before| before.matches('\n').count() + 1);
            let key = start.and_then(|s| key_at(text, s));
            let wrong_type = msg
                .strip_prefix("invalid type: ")
                .and_then(|rest| rest.split_once(", expected "));
            let text = match (wrong_type, &key, line) {
                (Some((found, expected)), Some(key), Some(line)) => {
                    crate::messages::cli::review_wrong_type(key, expected, found, line)
                }
                _ => crate::messages::cli::review_invalid(&msg, key.as_deref(), line),
            };
            LoadError::new(text, path)
        })?;
        validate(&file).map_err(|m| LoadError::new(m, path))?;
        Ok(Review {
            file,
            path: path.to_path_buf(),
        })
    }

    /// Folder that relative paths are resolved against.
    pub fn base_dir(&self) -> PathBuf {
        match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        }
    }

    /// Every layer key with its resolved path, zones first, then the fixed roles, then extras.
    /// An empty zones path (a review the app is still assembling) is left out.
    pub fn layer_paths(&self) -> Vec<(String, PathBuf)> {
        let base = self.base_dir();
        let l = &self.file.layers;
        let mut out = Vec::new();
        if !l.zones.as_os_str().is_empty() {
            out.push(("zones".to_string(), base.join(&l.zones)));
        }
        for (key, p) in [
            ("original", &l.original),
            ("redline", &l.redline),
            ("farmland", &l.farmland),
            ("water", &l.water),
            ("townships", &l.townships),
        ] {
            if let Some(p) = p {
                out.push((key.to_string(), base.join(p)));
            }
        }
        for (name, p) in &l.extra {
            out.push((name.clone(), base.join(p)));
        }
        out
    }

    /// Serialises the review (for saving from the app).
    pub fn to_toml(&self) -> Result<String, String> {
        toml::to_string(&self.file).map_err(|e| e.to_string())
    }

    /// The review as text, keeping what `previous` (the file's current text) says in its own
    /// words: every top-level table whose content did not change keeps its comments and layout;
    /// changed ones are rewritten. Without usable previous text, plain [`Review::to_toml`].
    pub fn to_toml_preserving(&self, previous: Option<&str>) -> Result<String, String> {
        let fresh = self.to_toml()?;
        let Some(previous) = previous else {
            return Ok(fresh);
        };
        let previous = previous.trim_start_matches('\u{feff}');
        let (Ok(mut old_doc), Ok(new_doc)) = (
            previous.parse::<toml_edit::DocumentMut>(),
            fresh.parse::<toml_edit::DocumentMut>(),
        ) else {
            return Ok(fresh);
        };
        let Ok(old) = toml::from_str::<ReviewFile>(previous) else {
            return Ok(fresh);
        };
        let new = &self.file;
        let mut next_position = old_doc
            .iter()
            .filter_map(|(_, item)| item_position(item))
            .max()
            .unwrap_or(0)
            + 1000;
        // Keys whose meaning changed are rewritten; the others keep their text (or absence).
        for key in [
            "crs",
            "layers",
            "crs_of",
            "encoding_of",
            "fields",
            "fields_of",
            "rules",
            "quotas",
            "decision",
            "verdict",
        ] {
            let changed = match key {
                "crs" => old.crs != new.crs,
                "layers" => old.layers != new.layers,
                "crs_of" => old.crs_of != new.crs_of,
                "encoding_of" => old.encoding_of != new.encoding_of,
                "fields" => old.fields != new.fields,
                "fields_of" => old.fields_of != new.fields_of,
                "rules" => old.rules != new.rules,
                "quotas" => old.quotas != new.quotas,
                "verdict" => old.verdict != new.verdict,
                _ => old.decisions != new.decisions,
            };
            if !changed {
                continue;
            }
            match new_doc.get(key) {
                Some(item) => {
                    // In the old table's place; a new table after everything else.
                    let pos = old_doc.get(key).and_then(item_position).unwrap_or_else(|| {
                        next_position += 1;
                        next_position
                    });
                    let mut item = item.clone();
                    place_item(&mut item, pos);
                    old_doc.insert(key, item);
                }
                None => {
                    old_doc.remove(key);
                }
            }
        }
        let text = old_doc.to_string();
        // Never write something this program cannot read back as the same review.
        match toml::from_str::<ReviewFile>(&text) {
            Ok(back) if back == self.file => Ok(text),
            _ => Ok(fresh),
        }
    }

    /// Writes the review to `self.path` atomically, keeping the comments and layout of the
    /// parts of the existing file that did not change.
    pub fn save(&self) -> Result<(), String> {
        let previous = std::fs::read_to_string(&self.path).ok();
        let text = self.to_toml_preserving(previous.as_deref())?;
        crate::io::atomic::write_atomic(&self.path, text.as_bytes())
            .map_err(|e| format!("cannot save review ({e}): {}", self.path.display()))
    }
}

/// Where a top-level table (or the first of an array of tables) sits in its document.
fn item_position(item: &toml_edit::Item) -> Option<isize> {
    match item {
        toml_edit::Item::Table(t) => t.position(),
        toml_edit::Item::ArrayOfTables(a) => a.iter().next().and_then(|t| t.position()),
        _ => None,
    }
}

/// Moves a table taken from another document to position `pos` of this one (its sub-tables
/// right after it), separated from what precedes it by a blank line.
fn place_item(item: &mut toml_edit::Item, pos: isize) {
    match item {
        toml_edit::Item::Table(t) => {
            t.set_position(Some(pos));
            t.decor_mut().set_prefix("\n");
            for (_, sub) in t.iter_mut() {
                place_item(sub, pos);
            }
        }
        toml_edit::Item::ArrayOfTables(a) => {
            for t in a.iter_mut() {
                t.set_position(Some(pos));
                t.decor_mut().set_prefix("\n");
            }
        }
        _ => {}
    }
}

/// `YYYY-MM-DD` with a month 1–12 and a day 1–31.
fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|t| t.parse::<u32>().ok());
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && s.bytes()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && num(5..7).is_some_and(|m| (1..=12).contains(&m))
        && num(8..10).is_some_and(|d| (1..=31).contains(&d))
}

/// Checks the values of a review (also used by the app before it saves an edit).
pub fn validate(file: &ReviewFile) -> Result<(), crate::model::Text> {
    use crate::messages::cli as m;
    let r = &file.rules;
    for (key, value) in [
        ("rules.contiguity_distance_m", r.contiguity_distance_m),
        ("rules.min_part_area_m2", r.min_part_area_m2),
        ("rules.sliver_area_m2", r.sliver_area_m2),
        ("rules.sliver_width_m", r.sliver_width_m),
        ("rules.sliver_total_m2", r.sliver_total_m2),
        ("rules.custody_protected_share", r.custody_protected_share),
    ] {
        if !value.is_finite() || value < 0.0 {
            return Err(m::review_negative(key, value));
        }
    }
    if r.custody_protected_share > 1.0 {
        return Err(m::review_share(
            "rules.custody_protected_share",
            r.custody_protected_share,
        ));
    }
    let date = file.verdict.date.trim();
    if !date.is_empty() && !is_iso_date(date) {
        return Err(crate::messages::decisions::bad_verdict_date(date));
    }
    if r.max_clusters == 0 {
        return Err(m::review_at_least_one("rules.max_clusters"));
    }
    for (table, map) in [
        ("quotas.city_level", &file.quotas.city_level),
        ("quotas.county", &file.quotas.county),
    ] {
        for (key, [lo, hi]) in map {
            if lo > hi {
                return Err(m::review_quota_range(&format!("{table}.{key}"), *lo, *hi));
            }
        }
    }
    for name in file.layers.extra.keys() {
        if FIXED_LAYER_KEYS.contains(&name.as_str()) || name.trim().is_empty() {
            return Err(m::review_extra_name(name));
        }
    }
    let mut known: Vec<&str> = FIXED_LAYER_KEYS.to_vec();
    known.extend(file.layers.extra.keys().map(|k| k.as_str()));
    for (key, label) in &file.encoding_of {
        if super::dbf::encoding_for_cpg(label).is_none() {
            return Err(m::review_unknown_encoding(key, label));
        }
    }
    for rule in file.rules.severity.keys() {
        if crate::analysis::rules::severity_key_is_fixed(rule) {
            return Err(crate::messages::fields::severity_of_input_rule(rule));
        }
    }
    let fields_of_keys: Vec<&String> = file.fields_of.keys().collect();
    for key in fields_of_keys {
        if !known.contains(&key.as_str()) {
            return Err(crate::messages::fields::fields_of_unknown_layer(key));
        }
    }
    for (table, map) in [("crs_of", &file.crs_of), ("encoding_of", &file.encoding_of)] {
        for key in map.keys() {
            if !known.contains(&key.as_str()) {
                return Err(m::review_no_such_layer(&format!("{table}.{key}")));
            }
        }
    }
    Ok(())
}

/// The dotted key whose value is at byte `pos` of review text `text`: the `key = …` on that
/// line under the nearest `[table]` header above it (`None` when the line has no key).
fn key_at(text: &str, pos: usize) -> Option<String> {
    let before = text.get(..pos)?;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line_end = text
        .get(pos..)
        .and_then(|t| t.find('\n'))
        .map_or(text.len(), |i| pos + i);
    let line = text.get(line_start..line_end)?.trim();
    let clean = |k: &str| -> String {
        k.split('.')
            .map(|p| p.trim().trim_matches('"').trim_matches('\'').to_string())
            .collect::<Vec<_>>()
            .join(".")
    };
    let header_of = |l: &str| -> Option<String> {
        let l = l.trim();
        let inner = l
            .strip_prefix("[[")
            .and_then(|r| r.split("]]").next())
            .or_else(|| l.strip_prefix('[').and_then(|r| r.split(']').next()))?;
        Some(clean(inner))
    };
    if line.starts_with('[') {
        return header_of(line);
    }
    let (key, _) = line.split_once('=')?;
    let key = clean(key);
    let table = text
        .get(..line_start)?
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with('['))
        .and_then(header_of);
    Some(match table {
        Some(t) if !t.is_empty() => format!("{t}.{key}"),
        _ => key,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Review, String> {
        Review::parse(text, Path::new("dir/review.toml")).map_err(|e| e.to_string())
    }

    #[test]
    fn bom_and_multibyte_text_before_an_error_do_not_panic() {
        // Found by the fuzzer: the error span used to index the text with the BOM still on it.
        let text = "\u{feff}cers\u{e0}\u{c2} { zones = \"x\" }\n";
        let e = parse(text).unwrap_err();
        assert!(e.contains("review.toml"), "{e}");
        let e = parse("\u{feff}[layers]\nzones = \"z.shp\"\n名称 = 1\n").unwrap_err();
        assert!(e.contains("line 3"), "{e}");
    }

    #[test]
    fn saving_keeps_comments_of_unchanged_tables_and_rewrites_changed_ones() {
        let before = "# 审查：杭州市\ncrs = \"EPSG:4549\"  # working CRS\n\n[layers]\nzones = \"z.shp\"\n\n[rules]\n# 50 m, agreed with the city\ncontiguity_distance_m = 50\n";
        let mut r = parse(before).unwrap();
        // Unchanged: the very same text.
        assert_eq!(r.to_toml_preserving(Some(before)).unwrap(), before);
        r.file.layers.redline = Some("红线.shp".into());
        r.file.encoding_of.insert("redline".into(), "GBK".into());
        r.file.decisions.push(DecisionRow {
            zone: Some("M001".into()),
            rule: "clusters".into(),
            status: crate::decisions::Status::MustFix,
            comment: "合并".into(),
            ..Default::default()
        });
        r.file.verdict.decision = VerdictDecision::Return;
        r.file.verdict.reviewer = "张三".into();
        let text = r.to_toml_preserving(Some(before)).unwrap();
        assert!(text.starts_with("# 审查：杭州市\n"), "{text}");
        assert!(text.contains("# 50 m, agreed with the city"), "{text}");
        assert!(text.contains("[[decision]]"), "{text}");
        assert!(
            text.contains("[verdict]") && text.contains("decision = \"return\""),
            "{text}"
        );
        let back = Review::parse(&text, Path::new("dir/review.toml")).unwrap();
        assert_eq!(back.file, r.file);
        // Unparsable previous text: a plain rewrite.
        let text = r.to_toml_preserving(Some("not = [toml")).unwrap();
        assert_eq!(text, r.to_toml().unwrap());
        // encoding_of keys must name a layer.
        let e = parse("[layers]\nzones = \"z.shp\"\n[encoding_of]\nfarm = \"GBK\"\n").unwrap_err();
        assert!(e.contains("encoding_of.farm"), "{e}");
        let e =
            parse("[layers]\nzones = \"z.shp\"\n[encoding_of]\nzones = \"klingon\"\n").unwrap_err();
        assert!(
            e.contains("encoding_of.zones") && e.contains("klingon"),
            "{e}"
        );
        parse("[layers]\nzones = \"z.shp\"\n[encoding_of]\nzones = \"cp936\"\n").unwrap();
    }

    #[test]
    fn minimal_review_gets_defaults() {
        let r = parse("[layers]\nzones = \"z.shp\"\n").unwrap();
        assert_eq!(r.file.rules, Rules::default());
        assert_eq!(r.layer_paths()[0].1, Path::new("dir").join("z.shp"));
        assert_eq!(r.file.quotas.city_range("杭州市"), [2, 3]);
        assert_eq!(r.file.quotas.city_range("宁波"), [2, 3]);
        assert_eq!(r.file.quotas.city_range("湖州市"), [1, 2]);
    }

    #[test]
    fn errors_name_the_key_and_file() {
        let e = parse("[layers]\nzones = \"z.shp\"\nbogus = 1\n").unwrap_err();
        assert!(e.contains("bogus") && e.contains("review.toml"), "{e}");
        let e = parse("[layers]\nzones = \"z.shp\"\n[rules]\nmin_part_area_m2 = -5\n").unwrap_err();
        assert!(e.contains("min_part_area_m2"), "{e}");
        let e = parse("[layers]\nzones = \"z.shp\"\n[rules]\nsliver_area_m2 = nan\n").unwrap_err();
        assert!(e.contains("sliver_area_m2"), "{e}");
        let e = parse("[layers]\nzones = \"z.shp\"\n[rules]\nsliver_width_m = -0.5\n").unwrap_err();
        assert!(e.contains("sliver_width_m"), "{e}");
        let e = parse("[layers]\nzones = \"z.shp\"\n[rules]\nsliver_total_m2 = inf\n").unwrap_err();
        assert!(e.contains("sliver_total_m2"), "{e}");
        let e =
            parse("[layers]\nzones = \"z.shp\"\n[rules]\nmax_clusters = \"two\"\n").unwrap_err();
        assert!(e.contains("max_clusters") || e.contains("line 4"), "{e}");
        let e = parse("[layers]\nredline = \"r.shp\"\n").unwrap_err();
        assert!(e.contains("zones"), "{e}");
        let e = parse("[layers]\nzones = \"z.shp\"\n[crs_of]\nfarm = \"EPSG:4490\"\n").unwrap_err();
        assert!(e.contains("crs_of.farm"), "{e}");
    }
}
