//! Editing the review document from the app: add and remove layers, assign their roles (with a
//! guess from the file name), set a layer's CRS and text encoding. Pure functions on
//! [`ReviewFile`]; the app reloads the layers afterwards.

use crate::messages::load as msg;
use crate::model::settings::{ExtraRole, ReviewFile};
use crate::model::{LayerRole, Text};
use std::path::{Path, PathBuf};

/// The fixed layer keys of a review file, in review order.
pub use crate::model::settings::FIXED_LAYER_KEYS as FIXED_KEYS;

/// Every role a layer can be given, in menu order.
pub const ROLES: [LayerRole; 9] = [
    LayerRole::Zones,
    LayerRole::Original,
    LayerRole::Redline,
    LayerRole::Farmland,
    LayerRole::Water,
    LayerRole::Townships,
    LayerRole::Barrier,
    LayerRole::NewIndustrial,
    LayerRole::Extra,
];

/// Review-file key of a fixed role (`None` for an extra protection layer).
pub fn key_of_role(role: LayerRole) -> Option<&'static str> {
    Some(match role {
        LayerRole::Zones => "zones",
        LayerRole::Original => "original",
        LayerRole::Redline => "redline",
        LayerRole::Farmland => "farmland",
        LayerRole::Water => "water",
        LayerRole::Townships => "townships",
        LayerRole::Barrier => "barriers",
        LayerRole::NewIndustrial => "new_industrial",
        LayerRole::Extra => return None,
    })
}

/// The role a file name suggests, from the words land-resources data usually carries
/// (Chinese names, pinyin initials, English); `None` when nothing matches.
///
/// ```
/// use zonecheck::app::review_edit::guess_role;
/// use zonecheck::model::LayerRole;
/// use std::path::Path;
/// assert_eq!(guess_role(Path::new("330100生态保护红线.shp")), Some(LayerRole::Redline));
/// assert_eq!(guess_role(Path::new("yjjbnt_2024.shp")), Some(LayerRole::Farmland));
/// assert_eq!(guess_role(Path::new("notes.shp")), None);
/// ```
pub fn guess_role(path: &Path) -> Option<LayerRole> {
    let stem = path.file_stem()?.to_string_lossy().to_lowercase();
    // Most specific first: "原开发区" before "开发区", "水源" before anything with "区".
    let table: [(LayerRole, &[&str]); 8] = [
        (
            LayerRole::NewIndustrial,
            &["新增工业", "工业用地", "new_industrial", "xzgy"],
        ),
        (
            LayerRole::Redline,
            &[
                "生态保护红线",
                "生态红线",
                "红线",
                "redline",
                "red_line",
                "sthx",
                "stbhhx",
            ],
        ),
        (
            LayerRole::Farmland,
            &[
                "永久基本农田",
                "基本农田",
                "农田",
                "yjjbnt",
                "jbnt",
                "farmland",
            ],
        ),
        (
            LayerRole::Water,
            &["水源", "饮用水", "sybh", "syd", "water"],
        ),
        (
            LayerRole::Townships,
            &["乡镇", "街道", "xzq", "township", "town"],
        ),
        (
            LayerRole::Barrier,
            &[
                "道路", "公路", "铁路", "河流", "河道", "水系", "road", "river", "rail", "barrier",
            ],
        ),
        (
            LayerRole::Original,
            &["原开发区", "原园区", "整合前", "original", "ykfq"],
        ),
        (
            LayerRole::Zones,
            &["整合后", "开发区", "园区", "merged", "zones", "kfq", "zone"],
        ),
    ];
    table
        .iter()
        .find(|(_, words)| words.iter().any(|w| stem.contains(w)))
        .map(|(role, _)| *role)
}

/// The path stored for a layer key, when the review has that layer.
pub fn layer_path<'a>(file: &'a ReviewFile, key: &str) -> Option<&'a PathBuf> {
    let l = &file.layers;
    match key {
        "zones" => Some(&l.zones).filter(|p| !p.as_os_str().is_empty()),
        "original" => l.original.as_ref(),
        "redline" => l.redline.as_ref(),
        "farmland" => l.farmland.as_ref(),
        "water" => l.water.as_ref(),
        "townships" => l.townships.as_ref(),
        "barriers" => l.barriers.as_ref(),
        "new_industrial" => l.new_industrial.as_ref(),
        extra => l.extra.get(extra),
    }
}

/// Sets (or, with `None`, removes) the path of a layer key.
fn set_layer_path(file: &mut ReviewFile, key: &str, path: Option<PathBuf>) {
    let l = &mut file.layers;
    match key {
        "zones" => l.zones = path.unwrap_or_default(),
        "original" => l.original = path,
        "redline" => l.redline = path,
        "farmland" => l.farmland = path,
        "water" => l.water = path,
        "townships" => l.townships = path,
        "barriers" => l.barriers = path,
        "new_industrial" => l.new_industrial = path,
        extra => match path {
            Some(p) => {
                l.extra.insert(extra.to_string(), p);
            }
            None => {
                l.extra.remove(extra);
            }
        },
    }
}

/// Every layer key the review has, fixed roles first, then extras.
pub fn layer_keys(file: &ReviewFile) -> Vec<String> {
    FIXED_KEYS
        .iter()
        .map(|k| k.to_string())
        .chain(file.layers.extra.keys().cloned())
        .filter(|k| layer_path(file, k).is_some())
        .collect()
}

/// A name for an extra layer that no other layer uses: `base`, `base 2`, `base 3`, …
fn unique_extra_name(file: &ReviewFile, base: &str) -> String {
    let base = base.trim();
    let base = if base.is_empty() || FIXED_KEYS.contains(&base) {
        format!("{base}图层")
    } else {
        base.to_string()
    };
    let mut name = base.clone();
    let mut n = 2;
    while file.layers.extra.contains_key(&name) {
        name = format!("{base} {n}");
        n += 1;
    }
    name
}

/// How a layer file is written into a review at `review_dir`: relative when it lies below that
/// folder, absolute otherwise.
pub fn stored_path(review_dir: &Path, file: &Path) -> PathBuf {
    // A GeoPackage table (`plan.gpkg#zones`) or GDAL layer (`plan.gdb#zones`): the file's
    // path, then `#table` again.
    let (file, table) = crate::io::split_layer_source(file);
    let abs = std::fs::canonicalize(&file).unwrap_or_else(|_| file.clone());
    let base = std::fs::canonicalize(review_dir).unwrap_or_else(|_| review_dir.to_path_buf());
    let stored = abs
        .strip_prefix(&base)
        .map(Path::to_path_buf)
        .unwrap_or(abs);
    match (table, stored.file_name()) {
        (Some(t), Some(name)) => {
            let name = format!("{}#{t}", name.to_string_lossy());
            stored.with_file_name(name)
        }
        _ => stored,
    }
}

/// Adds a layer file; its role is guessed from the name. A guessed role that another layer
/// already has, or no guess, makes it an extra protection layer named after the file. A file
/// the review already has is not added twice. Returns the layer's key.
pub fn add_layer(file: &mut ReviewFile, review_dir: &Path, path: &Path) -> String {
    let stored = stored_path(review_dir, path);
    let same = |p: &PathBuf| stored_path(review_dir, &review_dir.join(p)) == stored;
    if let Some(key) = layer_keys(file)
        .into_iter()
        .find(|k| layer_path(file, k).is_some_and(same))
    {
        return key;
    }
    // A GeoPackage table (or GDAL layer) is named by its table: `plan.gpkg#redline` reads as
    // `redline.gpkg`.
    let named = match crate::io::split_layer_source(path) {
        (_, Some(table)) => PathBuf::from(format!("{table}.gpkg")),
        (file, None) => file,
    };
    let path = named.as_path();
    let key = match guess_role(path).and_then(key_of_role) {
        Some(k) if layer_path(file, k).is_none() => k.to_string(),
        _ => {
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            unique_extra_name(file, &stem)
        }
    };
    if crate::model::settings::role_of_key(&key) == LayerRole::Extra {
        set_extra_role(file, &key, guess_extra_role(path));
    }
    set_layer_path(file, &key, Some(stored));
    key
}

/// Removes a layer and its CRS, encoding and role settings.
pub fn remove_layer(file: &mut ReviewFile, key: &str) {
    set_layer_path(file, key, None);
    file.crs_of.remove(key);
    file.encoding_of.remove(key);
    file.layers.role.remove(key);
}

/// Sets what extra layer `key` is for; `protected` (the default) is not written.
pub fn set_extra_role(file: &mut ReviewFile, key: &str, role: ExtraRole) {
    if role == ExtraRole::Protected {
        file.layers.role.remove(key);
    } else {
        file.layers.role.insert(key.to_string(), role);
    }
}

/// The role a file name suggests for an extra layer: a control line for blue-green space and
/// other control lines (蓝绿空间, 绿线, 蓝线, 控制线), else protected land.
///
/// ```
/// use zonecheck::app::review_edit::guess_extra_role;
/// use zonecheck::model::settings::ExtraRole;
/// use std::path::Path;
/// assert_eq!(guess_extra_role(Path::new("蓝绿空间.shp")), ExtraRole::ControlLine);
/// assert_eq!(guess_extra_role(Path::new("自然保护地.shp")), ExtraRole::Protected);
/// ```
pub fn guess_extra_role(path: &Path) -> ExtraRole {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let words = [
        "蓝绿",
        "绿线",
        "蓝线",
        "控制线",
        "bluegreen",
        "control_line",
    ];
    if words.iter().any(|w| stem.contains(w)) {
        ExtraRole::ControlLine
    } else {
        ExtraRole::Protected
    }
}

/// Moves layer `key` to `role` (for an extra layer, named `extra_name`). A layer already in the
/// target slot takes the moved layer's old key (the two swap). Returns the new key.
pub fn assign_role(
    file: &mut ReviewFile,
    key: &str,
    role: LayerRole,
    extra_name: &str,
) -> Result<String, Text> {
    let Some(path) = layer_path(file, key).cloned() else {
        return Err(msg::no_such_layer(key));
    };
    let target = match key_of_role(role) {
        Some(k) => k.to_string(),
        None => {
            let name = extra_name.trim();
            if name.is_empty() {
                return Err(msg::extra_layer_needs_name());
            }
            if FIXED_KEYS.contains(&name) {
                return Err(msg::name_is_fixed_key(name));
            }
            name.to_string()
        }
    };
    if target == key {
        return Ok(target);
    }
    let take = |file: &mut ReviewFile, k: &str| (file.crs_of.remove(k), file.encoding_of.remove(k));
    let moved_settings = take(file, key);
    let moved_role = file.layers.role.remove(key);
    let other = layer_path(file, &target).cloned();
    let other_settings = take(file, &target);
    let other_role = file.layers.role.remove(&target);
    set_layer_path(file, key, None);
    set_layer_path(file, &target, Some(path));
    let put = |file: &mut ReviewFile, k: &str, (crs, enc): (Option<String>, Option<String>)| {
        if let Some(c) = crs {
            file.crs_of.insert(k.to_string(), c);
        }
        if let Some(e) = enc {
            file.encoding_of.insert(k.to_string(), e);
        }
    };
    put(file, &target, moved_settings);
    // An extra layer's role goes with it to its new name; a fixed role has none.
    if let Some(r) = moved_role.filter(|_| key_of_role(role).is_none()) {
        file.layers.role.insert(target.clone(), r);
    }
    if let Some(other) = other {
        set_layer_path(file, key, Some(other));
        put(file, key, other_settings);
        if let Some(r) =
            other_role.filter(|_| crate::model::settings::role_of_key(key) == LayerRole::Extra)
        {
            file.layers.role.insert(key.to_string(), r);
        }
    }
    Ok(target)
}

/// Sets the CRS of a layer (EPSG code, `EPSG:n`, WKT or PROJ string), checked through PROJ;
/// an empty definition removes the setting.
pub fn set_crs(file: &mut ReviewFile, key: &str, definition: &str) -> Result<(), Text> {
    let def = definition.trim();
    if def.is_empty() {
        file.crs_of.remove(key);
        return Ok(());
    }
    let def = if def.bytes().all(|b| b.is_ascii_digit()) {
        format!("EPSG:{def}")
    } else {
        def.to_string()
    };
    crate::crs::CrsDef::parse(&def)
        .map_err(|e| crate::messages::io::crs_of_invalid(key, &def, &e))?;
    file.crs_of.insert(key.to_string(), def);
    Ok(())
}

/// Encodings offered for DBF text, as written into `encoding_of`.
pub const ENCODINGS: [&str; 5] = ["GBK", "GB18030", "UTF-8", "Big5", "windows-1252"];

/// Sets the text encoding of a layer's attributes (a label as a `.cpg` file has it: GBK, UTF-8,
/// 936, a WHATWG label, …); an empty label removes the setting (detect again).
pub fn set_encoding(file: &mut ReviewFile, key: &str, label: &str) -> Result<(), Text> {
    let label = label.trim();
    if label.is_empty() {
        file.encoding_of.remove(key);
        return Ok(());
    }
    if crate::io::dbf::encoding_for_cpg(label).is_none() {
        return Err(msg::unknown_encoding(key, label));
    }
    file.encoding_of.insert(key.to_string(), label.to_string());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extra_layer_roles_are_set_kept_on_rename_and_dropped_with_the_layer() {
        let mut f = ReviewFile::default();
        f.layers.zones = "z.shp".into();
        let dir = Path::new("/review");
        // A file named like blue-green space starts as a control line; others as protected.
        let key = add_layer(&mut f, dir, Path::new("/review/蓝绿空间.shp"));
        assert_eq!(f.layers.extra_role(&key), ExtraRole::ControlLine);
        let other = add_layer(&mut f, dir, Path::new("/review/自然保护地.shp"));
        assert_eq!(f.layers.extra_role(&other), ExtraRole::Protected);
        assert!(!f.layers.role.contains_key(&other));
        // Renaming keeps the role; protected is not written; removal drops it.
        let renamed = assign_role(&mut f, &key, LayerRole::Extra, "绿线").unwrap();
        assert_eq!(f.layers.extra_role(&renamed), ExtraRole::ControlLine);
        assert!(!f.layers.role.contains_key(&key));
        set_extra_role(&mut f, &other, ExtraRole::Advisory);
        assert_eq!(f.layers.extra_role(&other), ExtraRole::Advisory);
        set_extra_role(&mut f, &other, ExtraRole::Protected);
        assert!(!f.layers.role.contains_key(&other));
        remove_layer(&mut f, &renamed);
        assert!(f.layers.role.is_empty());
        // An extra layer given a fixed role leaves its extra role behind.
        set_extra_role(&mut f, &other, ExtraRole::Advisory);
        assert_eq!(
            assign_role(&mut f, &other, LayerRole::NewIndustrial, "").unwrap(),
            "new_industrial"
        );
        assert!(f.layers.role.is_empty());
        assert_eq!(
            layer_path(&f, "new_industrial").map(PathBuf::as_path),
            Some(Path::new("自然保护地.shp"))
        );
        assert_eq!(
            guess_role(Path::new("新增工业用地.shp")),
            Some(LayerRole::NewIndustrial)
        );
    }

    #[test]
    fn role_guess_from_file_names() {
        let g = |s: &str| guess_role(Path::new(s));
        assert_eq!(g("生态保护红线.shp"), Some(LayerRole::Redline));
        assert_eq!(g("浙江省_STHX_2023.shp"), Some(LayerRole::Redline));
        assert_eq!(g("redline.shp"), Some(LayerRole::Redline));
        assert_eq!(g("永久基本农田.shp"), Some(LayerRole::Farmland));
        assert_eq!(g("YJJBNT.SHP"), Some(LayerRole::Farmland));
        assert_eq!(g("farmland.shp"), Some(LayerRole::Farmland));
        assert_eq!(g("饮用水水源保护区.geojson"), Some(LayerRole::Water));
        assert_eq!(g("water.geojson"), Some(LayerRole::Water));
        assert_eq!(g("乡镇街道.shp"), Some(LayerRole::Townships));
        assert_eq!(g("道路.shp"), Some(LayerRole::Barrier));
        assert_eq!(g("县道路面.shp"), Some(LayerRole::Barrier));
        assert_eq!(g("河流水面.geojson"), Some(LayerRole::Barrier));
        assert_eq!(g("铁路用地.shp"), Some(LayerRole::Barrier));
        assert_eq!(g("roads_2023.shp"), Some(LayerRole::Barrier));
        assert_eq!(g("River.shp"), Some(LayerRole::Barrier));
        assert_eq!(g("railway.shp"), Some(LayerRole::Barrier));
        assert_eq!(g("原开发区.shp"), Some(LayerRole::Original));
        assert_eq!(g("original_zones.shp"), Some(LayerRole::Original));
        assert_eq!(g("整合后开发区.shp"), Some(LayerRole::Zones));
        assert_eq!(g("merged_zones.shp"), Some(LayerRole::Zones));
        assert_eq!(g("蓝绿空间.shp"), None);
        assert_eq!(g("bluegreen.shp"), None);
    }

    #[test]
    fn add_assign_swap_remove() {
        let mut f = ReviewFile::default();
        let dir = Path::new("/data/review");
        assert_eq!(
            add_layer(&mut f, dir, Path::new("/data/review/redline.shp")),
            "redline"
        );
        assert_eq!(f.layers.redline.as_deref(), Some(Path::new("redline.shp")));
        // A second red line file becomes an extra layer named after the file.
        assert_eq!(
            add_layer(&mut f, dir, Path::new("/elsewhere/sthx.shp")),
            "sthx"
        );
        assert_eq!(
            f.layers.extra.get("sthx").map(PathBuf::as_path),
            Some(Path::new("/elsewhere/sthx.shp"))
        );
        assert_eq!(add_layer(&mut f, dir, Path::new("/x/zones.shp")), "zones");
        // The same file again: not a second layer.
        assert_eq!(
            add_layer(&mut f, dir, Path::new("/elsewhere/sthx.shp")),
            "sthx"
        );
        assert_eq!(layer_keys(&f), ["zones", "redline", "sthx"]);

        set_crs(&mut f, "sthx", "4490").unwrap();
        assert_eq!(f.crs_of.get("sthx").map(String::as_str), Some("EPSG:4490"));
        assert!(set_crs(&mut f, "sthx", "not a crs").is_err());
        set_encoding(&mut f, "sthx", "GBK").unwrap();
        assert!(set_encoding(&mut f, "sthx", "klingon").is_err());

        // Giving the extra layer the red-line role swaps the two; settings move with the file.
        assert_eq!(
            assign_role(&mut f, "sthx", LayerRole::Redline, "").unwrap(),
            "redline"
        );
        assert_eq!(
            f.layers.redline.as_deref(),
            Some(Path::new("/elsewhere/sthx.shp"))
        );
        assert_eq!(
            f.layers.extra.get("sthx").map(PathBuf::as_path),
            Some(Path::new("redline.shp"))
        );
        assert_eq!(
            f.crs_of.get("redline").map(String::as_str),
            Some("EPSG:4490")
        );
        assert_eq!(
            f.encoding_of.get("redline").map(String::as_str),
            Some("GBK")
        );
        assert!(!f.crs_of.contains_key("sthx"));
        // Into an empty slot: a plain move.
        assert_eq!(
            assign_role(&mut f, "sthx", LayerRole::Farmland, "").unwrap(),
            "farmland"
        );
        assert!(f.layers.extra.is_empty());
        assert!(assign_role(&mut f, "farmland", LayerRole::Extra, " ").is_err());
        assert_eq!(
            assign_role(&mut f, "farmland", LayerRole::Extra, "蓝绿空间").unwrap(),
            "蓝绿空间"
        );
        remove_layer(&mut f, "redline");
        assert_eq!(layer_keys(&f), ["zones", "蓝绿空间"]);
        assert!(f.crs_of.is_empty() && f.encoding_of.is_empty());
        // The result is a review file the engine accepts.
        let text = toml::to_string_pretty(&f).unwrap();
        crate::io::review::Review::parse(&text, Path::new("r.toml")).unwrap();
    }
}
