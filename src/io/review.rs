//! The review file (TOML): which layers, which CRS, which fields, which rules and quotas.
//! Paths in it are relative to the file. Unknown keys and bad values are errors naming the key.

use super::LoadError;
use crate::model::settings::{ReviewFile, FIXED_LAYER_KEYS};
use std::path::{Path, PathBuf};

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
            // `file.gpkg#table`: the file must be there (the table is looked up when read); a
            // `.gdb` is a folder and a `PG:` string no file (see io::gdal_in).
            if let Some(problem) = super::layer_source_problem(&layer) {
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
        // A `PG:` connection string (io::gdal_in) is no path: not resolved.
        let join = |p: &Path| -> PathBuf {
            if super::gdal_in::is_connection_string(p) {
                p.to_path_buf()
            } else {
                base.join(p)
            }
        };
        let l = &self.file.layers;
        let mut out = Vec::new();
        if !l.zones.as_os_str().is_empty() {
            out.push(("zones".to_string(), join(&l.zones)));
        }
        for (key, p) in [
            ("original", &l.original),
            ("redline", &l.redline),
            ("farmland", &l.farmland),
            ("water", &l.water),
            ("townships", &l.townships),
            ("barriers", &l.barriers),
            ("new_industrial", &l.new_industrial),
        ] {
            if let Some(p) = p {
                out.push((key.to_string(), join(p)));
            }
        }
        for (name, p) in &l.extra {
            out.push((name.clone(), join(p)));
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
/// A `patch` list of `[fields]` or `[fields_of.<layer>]` (named `key`): at most
/// [`MAX_PATCH_FIELDS`](crate::model::settings::MAX_PATCH_FIELDS) names, none empty, none with a
/// control character, no name twice (case-insensitively, as fields are matched).
fn check_patch_fields(key: &str, list: &[String]) -> Result<(), crate::model::Text> {
    use crate::messages::fields as m;
    if list.len() > crate::model::settings::MAX_PATCH_FIELDS {
        return Err(m::patch_fields_too_many(
            key,
            list.len(),
            crate::model::settings::MAX_PATCH_FIELDS,
        ));
    }
    let mut seen: Vec<String> = Vec::new();
    for name in list {
        let trimmed = name.trim();
        if trimmed.is_empty() || trimmed.chars().any(char::is_control) {
            return Err(m::patch_field_invalid(key, name));
        }
        let folded = trimmed.to_lowercase();
        if seen.contains(&folded) {
            return Err(m::patch_field_twice(key, trimmed));
        }
        seen.push(folded);
    }
    Ok(())
}

pub fn validate(file: &ReviewFile) -> Result<(), crate::model::Text> {
    use crate::messages::cli as m;
    let r = &file.rules;
    for (key, value) in [
        ("rules.contiguity_distance_m", r.contiguity_distance_m),
        ("rules.min_part_area_m2", r.min_part_area_m2),
        ("rules.min_connection_width_m", r.min_connection_width_m),
        ("rules.max_bridged_gap_m", r.max_bridged_gap_m),
        ("rules.sliver_area_m2", r.sliver_area_m2),
        ("rules.sliver_width_m", r.sliver_width_m),
        ("rules.sliver_total_m2", r.sliver_total_m2),
        ("rules.custody_protected_share", r.custody_protected_share),
        ("rules.custody_min_cover_share", r.custody_min_cover_share),
        ("rules.tax_per_mu_wan", r.tax_per_mu_wan),
        ("rules.value_added_per_mu_wan", r.value_added_per_mu_wan),
        ("rules.tbmj_tolerance", r.tbmj_tolerance),
    ] {
        if !value.is_finite() || value < 0.0 {
            return Err(m::review_negative(key, value));
        }
    }
    for (key, share) in [
        ("rules.custody_protected_share", r.custody_protected_share),
        ("rules.custody_min_cover_share", r.custody_min_cover_share),
        ("rules.tbmj_tolerance", r.tbmj_tolerance),
    ] {
        if share > 1.0 {
            return Err(m::review_share(key, share));
        }
    }
    for name in file.plaques.keys() {
        if crate::model::plaques::normalise(name).is_empty() {
            return Err(m::review_plaque_name(name));
        }
    }
    let date = file.verdict.date.trim();
    if !date.is_empty() && !is_iso_date(date) {
        return Err(crate::messages::decisions::bad_verdict_date(date));
    }
    if r.max_clusters == 0 {
        return Err(m::review_at_least_one("rules.max_clusters"));
    }
    if r.max_parts == 0 {
        return Err(m::review_at_least_one("rules.max_parts"));
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
        if crate::model::settings::severity_key_is_fixed(rule) {
            return Err(crate::messages::fields::severity_of_input_rule(rule));
        }
    }
    let fields_of_keys: Vec<&String> = file.fields_of.keys().collect();
    for key in fields_of_keys {
        if !known.contains(&key.as_str()) {
            return Err(crate::messages::fields::fields_of_unknown_layer(key));
        }
    }
    let patch_lists = std::iter::once(("fields.patch".to_string(), &file.fields.patch)).chain(
        file.fields_of
            .iter()
            .map(|(k, f)| (format!("fields_of.{k}.patch"), &f.patch)),
    );
    for (key, list) in patch_lists {
        let Some(list) = list else { continue };
        check_patch_fields(&key, list)?;
    }
    // A role is given to extra layers only: the fixed layers' roles are their keys.
    for key in file.layers.role.keys() {
        if !file.layers.extra.contains_key(key) {
            return Err(m::review_no_such_layer(&format!("layers.role.{key}")));
        }
    }
    for (layer, classes) in &file.rules.severity_of_class {
        if !known.contains(&layer.as_str()) {
            return Err(m::review_no_such_layer(&format!(
                "rules.severity_of_class.{layer}"
            )));
        }
        if classes.keys().any(|c| c.trim().is_empty()) {
            return Err(m::review_no_such_layer(&format!(
                "rules.severity_of_class.{layer}.\"\""
            )));
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
    use crate::model::decision::{DecisionRow, Status, VerdictDecision};
    use crate::model::settings::Rules;

    fn parse(text: &str) -> Result<Review, String> {
        Review::parse(text, Path::new("dir/review.toml")).map_err(|e| e.to_string())
    }

    #[test]
    fn plaques_and_the_custody_cover_share_are_read_and_checked() {
        let r = parse(
            "[layers]\nzones = \"z.shp\"\n[rules]\ncustody_min_cover_share = 0.3\n[plaques]\n\"甲园区\" = \"provincial\"\n\"乙园区\" = { level = \"县级\", kind = \"自设园区\" }\n",
        )
        .unwrap();
        assert_eq!(r.file.rules.custody_min_cover_share, 0.3);
        let t = crate::model::plaques::PlaqueTable::new(&r.file.plaques);
        use crate::model::plaques::Level;
        assert_eq!(t.lookup("甲园区").map(|p| p.level), Some(Level::Provincial));
        assert_eq!(t.lookup("乙园区").map(|p| p.level), Some(Level::County));
        for bad in [
            "[rules]\ncustody_min_cover_share = -0.1\n",
            "[rules]\ncustody_min_cover_share = nan\n",
            "[rules]\ncustody_min_cover_share = 2\n",
        ] {
            let e = parse(&format!("[layers]\nzones = \"z.shp\"\n{bad}")).unwrap_err();
            assert!(e.contains("rules.custody_min_cover_share"), "{e}");
        }
        let r = parse("[layers]\nzones = \"z.shp\"\n[rules]\narea = \"ellipsoidal\"\n").unwrap();
        assert_eq!(
            r.file.rules.area,
            crate::model::settings::AreaBasis::Ellipsoidal
        );
        let e = parse("[layers]\nzones = \"z.shp\"\n[rules]\narea = \"round\"\n").unwrap_err();
        assert!(e.contains("area") && e.contains("ellipsoidal"), "{e}");
        for bad in [
            "[rules]\ntbmj_tolerance = -0.01\n",
            "[rules]\ntbmj_tolerance = nan\n",
            "[rules]\ntbmj_tolerance = 1.5\n",
        ] {
            let e = parse(&format!("[layers]\nzones = \"z.shp\"\n{bad}")).unwrap_err();
            assert!(e.contains("rules.tbmj_tolerance"), "{e}");
        }
        let e = parse("[layers]\nzones = \"z.shp\"\n[plaques]\n\" \" = \"city\"\n").unwrap_err();
        assert!(e.contains("[plaques]"), "{e}");
        assert!(parse("[layers]\nzones = \"z.shp\"\n[plaques]\n\"丙\" = \"town\"\n").is_err());
    }

    #[test]
    fn patch_field_lists_are_read_and_checked() {
        let r = parse(
            "[layers]\nzones = \"z.shp\"\nfarmland = \"f.shp\"\n[fields]\npatch = [\"DLBM\", \"TBMJ\"]\n[fields_of.farmland]\npatch = []\n",
        )
        .unwrap();
        assert_eq!(
            r.file.fields.patch,
            Some(vec!["DLBM".to_string(), "TBMJ".to_string()])
        );
        assert_eq!(r.file.fields_of["farmland"].patch, Some(Vec::new()));
        for (bad, key) in [
            ("[fields]\npatch = [\"DLBM\", \"dlbm\"]\n", "`fields.patch`"),
            ("[fields]\npatch = [\" \"]\n", "`fields.patch`"),
            ("[fields]\npatch = [\"A\\tB\"]\n", "`fields.patch`"),
            (
                "[fields_of.farmland]\npatch = [\"TBMJ\", \"TBMJ\"]\n",
                "`fields_of.farmland.patch`",
            ),
        ] {
            let e = parse(&format!(
                "[layers]\nzones = \"z.shp\"\nfarmland = \"f.shp\"\n{bad}"
            ))
            .unwrap_err();
            assert!(e.contains(key), "{bad}: {e}");
        }
        let many: Vec<String> = (0..31).map(|i| format!("\"F{i}\"")).collect();
        let e = parse(&format!(
            "[layers]\nzones = \"z.shp\"\n[fields]\npatch = [{}]\n",
            many.join(", ")
        ))
        .unwrap_err();
        assert!(e.contains("`fields.patch`") && e.contains("31"), "{e}");
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
            status: Status::MustFix,
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
        let e = parse("[layers]\nzones = \"z.shp\"\n[rules]\nmin_connection_width_m = -1\n")
            .unwrap_err();
        assert!(e.contains("min_connection_width_m"), "{e}");
        let e =
            parse("[layers]\nzones = \"z.shp\"\n[rules]\nmax_bridged_gap_m = nan\n").unwrap_err();
        assert!(e.contains("max_bridged_gap_m"), "{e}");
        let e = parse("[layers]\nzones = \"z.shp\"\n[rules]\nmax_parts = 0\n").unwrap_err();
        assert!(e.contains("max_parts"), "{e}");
        let r = parse("[layers]\nzones = \"z.shp\"\nbarriers = \"roads.shp\"\n").unwrap();
        assert_eq!(
            r.layer_paths()[1],
            ("barriers".to_string(), Path::new("dir").join("roads.shp"))
        );
        let e =
            parse("[layers]\nzones = \"z.shp\"\n[rules]\nmax_clusters = \"two\"\n").unwrap_err();
        assert!(e.contains("max_clusters") || e.contains("line 4"), "{e}");
        let e = parse("[layers]\nredline = \"r.shp\"\n").unwrap_err();
        assert!(e.contains("zones"), "{e}");
        let e = parse("[layers]\nzones = \"z.shp\"\n[crs_of]\nfarm = \"EPSG:4490\"\n").unwrap_err();
        assert!(e.contains("crs_of.farm"), "{e}");
        let e = parse("[layers]\nzones = \"z.shp\"\n[rules]\ntax_per_mu_wan = -1\n").unwrap_err();
        assert!(e.contains("tax_per_mu_wan"), "{e}");
        let e = parse("[layers]\nzones = \"z.shp\"\n[rules]\nvalue_added_per_mu_wan = nan\n")
            .unwrap_err();
        assert!(e.contains("value_added_per_mu_wan"), "{e}");
        // A role for a layer that is not an extra layer; a class severity of an unknown layer.
        let e = parse("[layers]\nzones = \"z.shp\"\n[layers.role]\nredline = \"advisory\"\n")
            .unwrap_err();
        assert!(e.contains("layers.role.redline"), "{e}");
        let e = parse("[layers]\nzones = \"z.shp\"\n[layers.extra]\n\"蓝绿空间\" = \"b.shp\"\n[layers.role]\n\"蓝绿空间\" = \"fence\"\n")
            .unwrap_err();
        assert!(e.contains("fence") || e.contains("role"), "{e}");
        let e = parse("[layers]\nzones = \"z.shp\"\n[rules.severity_of_class.wtr]\n\"准保护区\" = \"warning\"\n")
            .unwrap_err();
        assert!(e.contains("severity_of_class.wtr"), "{e}");
    }

    #[test]
    fn extra_layer_roles_and_class_severities_read_back() {
        // A review without roles keeps every extra layer protected (the files of before).
        let r = parse("[layers]\nzones = \"z.shp\"\n[layers.extra]\n\"自然保护地\" = \"n.shp\"\n")
            .unwrap();
        assert_eq!(
            r.file.layers.extra_role("自然保护地"),
            crate::model::settings::ExtraRole::Protected
        );
        let text = "[layers]\nzones = \"z.shp\"\nwater = \"w.shp\"\nnew_industrial = \"ni.shp\"\n[layers.extra]\n\"蓝绿空间\" = \"b.shp\"\n\"农保\" = \"f.shp\"\n[layers.role]\n\"蓝绿空间\" = \"control_line\"\n\"农保\" = \"advisory\"\n[rules.severity_of_class.water]\n\"准保护区\" = \"warning\"\n";
        let r = parse(text).unwrap();
        use crate::model::settings::ExtraRole;
        assert_eq!(r.file.layers.extra_role("蓝绿空间"), ExtraRole::ControlLine);
        assert_eq!(r.file.layers.extra_role("农保"), ExtraRole::Advisory);
        assert_eq!(
            r.file.rules.severity_of_class["water"]["准保护区"],
            crate::model::settings::Severity::Warning
        );
        assert!(r
            .layer_paths()
            .iter()
            .any(|(k, p)| k == "new_industrial" && p.ends_with("ni.shp")));
        let back = parse(&r.to_toml().unwrap()).unwrap();
        assert_eq!(back.file, r.file);
    }
}
