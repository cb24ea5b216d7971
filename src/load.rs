//! Loading a review's layers into one working CRS: read each file, decide each layer's CRS,
//! choose the working CRS, reproject once, repair geometry. Problems that do not stop a layer
//! become warnings on it.

use crate::crs::{
    detect_crs, gauss_kruger_epsg_for_lon, looks_like_lon_lat, CrsDef, CrsKind, Detected,
    Reprojector,
};
use crate::io::review::Review;
use crate::io::{geojson_in, gtxt, shp, LoadError};
use crate::messages::cli as msg_cli;
use crate::messages::load as msg;
use crate::model::fields::Fields;
use crate::model::settings::{role_of_key, FieldNames};
use crate::model::{Feature, Layer, LayerRole, RawLayer, RecordFilter, SourceInfo, Text, Unusable};
use crate::progress::Progress;
use crate::spatial::repair::build_geometry_owned;
use crate::spatial::roi::Roi;
use geo::Coord;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// Every layer of a review in the working CRS (see [`crate::model::Dataset`]).
pub use crate::model::Dataset;

/// Reads a layer file by its extension (.shp, .geojson/.json, .txt: 国土TXT, .gpkg with an
/// optional `#table`; .gdb folders, .dxf, .tab/.mif, .kml/.kmz, .fgb and `PG:` strings through
/// GDAL with the `gdal` feature, else an error saying how to enable it).
pub fn read_raw(path: &Path) -> Result<RawLayer, LoadError> {
    read_raw_with(path, None, None)
}

/// As [`read_raw`], with a shapefile's attribute encoding set by the review (`encoding_of`).
pub fn read_raw_with_encoding(path: &Path, encoding: Option<&str>) -> Result<RawLayer, LoadError> {
    read_raw_with(path, None, encoding)
}

/// Like [`read_raw_with_encoding`], with a record filter for shapefiles (see
/// [`shp::read_shapefile_with`]), GeoPackages and GDAL sources; GeoJSON gets its filter once its CRS is known
/// ([`geojson_in::read_geojson_with`], used by the loader), so this one reads it whole.
pub fn read_raw_with(
    path: &Path,
    keep: Option<RecordFilter<'_>>,
    encoding: Option<&str>,
) -> Result<RawLayer, LoadError> {
    if crate::io::gpkg::is_gpkg_path(path) {
        return crate::io::gpkg::read_gpkg(path, keep);
    }
    // Before the regular-file guard: a .gdb is a folder and a `PG:` string no file.
    if crate::io::gdal_in::is_gdal_path(path) {
        return crate::io::gdal_in::read_gdal(path, keep);
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .unwrap_or_default();
    if let Some(problem) = crate::io::regular_file_problem(path) {
        return Err(LoadError::new(problem, path));
    }
    match ext.as_str() {
        "shp" => shp::read_shapefile_with(path, keep, encoding),
        "geojson" | "json" => geojson_in::read_geojson(path),
        "txt" => gtxt::read_gtxt(path),
        "" => Err(LoadError::new(crate::messages::io::no_extension(), path)),
        other => Err(LoadError::new(
            crate::messages::io::unsupported_format(other),
            path,
        )),
    }
}

/// The indices of `paths` from the largest file to the smallest (a shapefile counted with its
/// `.dbf`; a file whose size cannot be had counts as empty), ties in review order.
fn largest_first(paths: &[(String, PathBuf)]) -> Vec<usize> {
    let size = |path: &Path| std::fs::metadata(path).map_or(0, |m| m.len());
    let sizes: Vec<u64> = paths
        .iter()
        .map(|(_, path)| {
            let dbf = has_extension(path, &["shp"])
                .then(|| crate::io::sibling_file(path, "dbf"))
                .flatten()
                .map_or(0, |dbf| size(&dbf));
            size(path).saturating_add(dbf)
        })
        .collect();
    let mut order: Vec<usize> = (0..paths.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(sizes[i]));
    order
}

/// Whether [`read_raw_with`] would read `path` as a shapefile (which can be read deferred,
/// [`shp::read_shapefile_deferred`]).
fn read_deferred(path: &Path) -> bool {
    !crate::io::gpkg::is_gpkg_path(path)
        && !crate::io::gdal_in::is_gdal_path(path)
        && has_extension(path, &["shp"])
}

fn sha256_of(path: &Path) -> Result<crate::io::digest::Sha256Hex, LoadError> {
    Ok(crate::io::digest::Sha256Hex::of(
        &crate::io::read_regular_file(path)?,
    ))
}

/// Box of the finite coordinates, `None` without any.
fn coords_bbox<'a>(coords: impl Iterator<Item = &'a Coord<f64>>) -> Option<geo::Rect<f64>> {
    let (mut min, mut max) = (
        Coord {
            x: f64::INFINITY,
            y: f64::INFINITY,
        },
        Coord {
            x: f64::NEG_INFINITY,
            y: f64::NEG_INFINITY,
        },
    );
    for c in coords.filter(|c| c.x.is_finite() && c.y.is_finite()) {
        min.x = min.x.min(c.x);
        min.y = min.y.min(c.y);
        max.x = max.x.max(c.x);
        max.y = max.y.max(c.y);
    }
    (min.x <= max.x).then(|| geo::Rect::new(min, max))
}

fn raw_bbox(raw: &RawLayer) -> Option<(Coord<f64>, Coord<f64>)> {
    coords_bbox(raw.records.iter().flat_map(|r| r.shape.rings().flatten()))
        .map(|b| (b.min(), b.max()))
}

/// A record after reprojection and repair: record number, geometry or reason it was dropped,
/// attributes, and whether it is kept (see [`LoadOptions::read_every_feature`]). Small: the
/// app holds one per record of its largest layer at once.
type BuiltRecord = (
    usize,
    Result<crate::spatial::repair::Repaired, Text>,
    crate::model::Attrs,
    bool,
);

/// A run of [`BuiltRecord`]s, the boxes of those let go that overview maps count
/// ([`Keep::CountedOnMaps`]), and how many more were let go without a note (not listed: most of
/// a province's farmland, whose records would otherwise all be held until the layer is done).
type BuiltRun = (Vec<BuiltRecord>, Vec<geo::Rect<f64>>, usize);

struct Pending {
    key: String,
    path: PathBuf,
    raw: RawLayer,
    crs: Option<CrsDef>,
    crs_note: Text,
    warnings: Vec<Text>,
}

/// What to load of a review.
#[derive(Clone, Copy, Debug, Default)]
pub struct LoadOptions {
    /// The check's spatial filter. When set, protection layers (red line, farmland, water,
    /// extra) keep only the features whose box meets the neighbourhood of a zone part, where
    /// the neighbourhood of a part is this function of the part's box (in the working CRS).
    /// The neighbourhood must contain the part's box: a conflict needs the feature to meet the
    /// part, so no result of the check changes. Features left out are counted in
    /// [`SourceInfo::far_from_zones`](crate::model::SourceInfo). `None` (the app): load all.
    pub near_zones: Option<fn(geo::Rect<f64>) -> geo::Rect<f64>>,
    /// With `near_zones`: the filtered layers are still read, reprojected and repaired whole
    /// (every record is checked: an unreadable or unrepairable one anywhere in the file makes
    /// the check incomplete, as without the filter), and a feature is then kept when its box
    /// meets a zone part's neighbourhood, or when a zone's overview map may draw it (large
    /// enough there, and within the map's budget of background features: `KeepNear`), so
    /// that every check and every map gives what the whole load gives. The features let go
    /// are counted in [`SourceInfo::features`](crate::model::SourceInfo) and
    /// [`SourceInfo::released`](crate::model::SourceInfo), not as far from the zones; those
    /// in a map's frame keep their box, for the map's count of features too small to draw or
    /// left out for its budget. A large shapefile among them is read with its coordinates left
    /// in the file until they are repaired ([`shp::read_shapefile_deferred`]).
    pub read_every_feature: bool,
}

/// Loads every layer of `review`. The first file that cannot be used is the error.
pub fn load_review(review: &Review, progress: &Progress) -> Result<Dataset, LoadError> {
    load_review_with(review, progress, LoadOptions::default())
}

/// Loads the layers of `review` as `options` say; stops with [`LoadError::cancelled`] once
/// `progress` is cancelled.
pub fn load_review_with(
    review: &Review,
    progress: &Progress,
    options: LoadOptions,
) -> Result<Dataset, LoadError> {
    let paths = review.layer_paths();
    // Barriers only matter near the zones too (they bridge gaps between a zone's parts).
    let near_only = |key: &str| {
        let role = role_of_key(key);
        options.near_zones.is_some() && (role.is_protection() || role == LayerRole::Barrier)
    };
    // Layers whose far features are not read at all, and those read whole but kept near.
    let filtered = |key: &str| near_only(key) && !options.read_every_feature;
    let kept_near = |key: &str| near_only(key) && options.read_every_feature;
    let encoding_of = |key: &str| review.file.encoding_of.get(key).map(String::as_str);
    progress.stage("read", paths.len() as u64);
    // Read every file not filtered by the zones (in parallel: independent files, the largest
    // first so that it does not start last and end alone). The results stay in review order.
    let read_first = || -> Vec<Result<Option<Pending>, LoadError>> {
        let read = |key: &str, path: &Path| -> Result<Option<Pending>, LoadError> {
            if filtered(key) {
                return Ok(None);
            }
            check_cancel(progress, path)?;
            // A shapefile kept near the zones leaves its coordinates in the file until it is
            // repaired, a block at a time, after the zones.
            let raw = if kept_near(key) && read_deferred(path) {
                shp::read_shapefile_deferred(path, encoding_of(key))?
            } else {
                read_raw_with_encoding(path, encoding_of(key))?
            };
            progress.inc(1);
            Ok(Some(pending(review, key, path, raw)?))
        };
        let mut results: Vec<(usize, Result<Option<Pending>, LoadError>)> = largest_first(&paths)
            .into_par_iter()
            .with_max_len(1)
            .map(|i| (i, read(&paths[i].0, &paths[i].1)))
            .collect();
        results.sort_unstable_by_key(|(i, _)| *i);
        results.into_iter().map(|(_, r)| r).collect()
    };
    // The shapefiles read through the spatial filter, mapped and hashed ahead (their hashes
    // need no zones), one per path.
    let hash_filtered = || -> Vec<Option<shp::HashedAhead>> {
        paths
            .par_iter()
            .with_max_len(1)
            .map(|(key, path)| {
                if filtered(key) && read_deferred(path) {
                    shp::hash_ahead(path)
                } else {
                    None
                }
            })
            .collect()
    };
    // One thread asks PROJ about the CRS texts the load will need; the other hashes the
    // filtered shapefiles meanwhile (it would otherwise wait for PROJ, as the zones' reading
    // does), then both read.
    let (_, (hashed_ahead, raws)) = rayon::join(
        || warm_crs(review, &paths),
        || rayon::join(hash_filtered, read_first),
    );
    let mut first = Vec::new();
    for r in raws {
        if let Some(p) = r? {
            first.push(p);
        }
    }
    let Some(zones) = first.first() else {
        return Err(LoadError::new(msg::review_has_no_zones(), &review.path));
    };
    // Fail closed: a zones record the reader could not use is bad input, named before anything
    // else (the plan's counts depend on every zone).
    if let Some(first) = zones.raw.unusable.first() {
        return Err(LoadError::new(
            crate::messages::load::zones_record_unusable(
                first.index,
                first.id.as_deref(),
                &first.reason,
                zones.raw.unusable.len() - 1,
            ),
            &zones.path,
        ));
    }
    if zones.raw.records.is_empty() {
        return Err(LoadError::new(
            crate::messages::load::zones_layer_empty(),
            &zones.path,
        ));
    }
    let (working, reason) = choose_working_crs(review, zones)?;
    for p in &mut first {
        assume_crs(p, review, &working)?;
    }
    let total: u64 = first.iter().map(|p| p.raw.records.len() as u64).sum();
    progress.stage("reproject and repair", total);
    let mut layers = Vec::with_capacity(paths.len());
    let (read_whole_kept_near, now): (Vec<Pending>, Vec<Pending>) =
        first.into_iter().partition(|p| kept_near(&p.key));
    // The layers side by side: each is repaired in parallel, but its last steps (its features
    // put in order, its notes) run on one thread, which the others fill. The first error in
    // review order is the one reported. Not when everything is loaded (the app, for its map):
    // there two large layers' lists at once would raise the peak the map must stay under.
    let finish = |p: Pending| -> Result<Layer, LoadError> {
        check_cancel(progress, &p.path)?;
        finish_layer(p, &working, progress, None, None, &review.file.fields)
    };
    let finished: Vec<Result<Layer, LoadError>> = if options.near_zones.is_some() {
        now.into_par_iter().map(finish).collect()
    } else {
        now.into_iter().map(finish).collect()
    };
    for f in finished {
        layers.push(f?);
    }
    // Read whole, then kept where a check or a map can use them: the zones (and townships)
    // are built by now, so the areas are known before these layers are repaired.
    if let (Some(near), false) = (options.near_zones, read_whole_kept_near.is_empty()) {
        // The zones dissolved as the check will (the same union of the same features): their
        // parts' neighbourhoods, and their boxes, to which report.html fits the overview maps.
        let dissolved = dissolved_zones(&layers, review);
        let keep = KeepNear::new(
            zone_neighbourhood_boxes(&layers, review, near, &dissolved),
            zone_map_frames(&dissolved),
        );
        // Side by side, as above.
        let finished: Vec<Result<(String, Layer), LoadError>> = read_whole_kept_near
            .into_par_iter()
            .map(|p| {
                check_cancel(progress, &p.path)?;
                let key = p.key.clone();
                let layer = finish_layer(
                    p,
                    &working,
                    progress,
                    None,
                    Some(&keep),
                    &review.file.fields,
                )?;
                Ok((key, layer))
            })
            .collect();
        let mut by_key: Vec<(String, Layer)> = Vec::new();
        for f in finished {
            by_key.push(f?);
        }
        layers = in_review_order(&paths, layers, by_key, &kept_near);
        // The records and features let go leave the heap with much free memory: given back
        // when there is a lot (the spread province: 158 MB free here, and ~100 MB less resident
        // through the check; its peak, reached in the reports, within the runs' spread either
        // way), kept for the check's and reports' allocations otherwise (a county: 22 MB free;
        // the trim and the faults of taking the pages again cost ~5 ms of its ~0.2 s).
        let _ = crate::platform::release_free_memory_over(64 << 20);
    }

    // Protection layers through the spatial filter, read in parallel.
    let mut loaded_near = None;
    if let (Some(near), false) = (options.near_zones, options.read_every_feature) {
        let roi = zone_neighbourhoods(&layers, review, near);
        progress.stage("read", paths.len() as u64);
        let read: Vec<Result<Option<Pending>, LoadError>> = paths
            .par_iter()
            .zip(hashed_ahead)
            .map(|((key, path), hashed)| {
                if !filtered(key) {
                    return Ok(None);
                }
                check_cancel(progress, path)?;
                let file_roi = roi_in_file_crs(review, key, path, &roi, &working);
                let keep = |b: &geo::Rect<f64>| file_roi.as_ref().is_none_or(|r| r.meets(b));
                let is_geojson = has_extension(path, &["geojson", "json"]);
                let raw = if is_geojson {
                    // Filtered while streaming, in the CRS `crs_of` or the file's `crs` member
                    // (when it comes before the features) declares; else after reprojection.
                    let roi_for = |declared: Option<&str>| -> Option<Roi> {
                        if file_roi.is_some() {
                            return file_roi.clone();
                        }
                        let crs = CrsDef::parse(declared?).ok()?;
                        if crs.same_as(&working) {
                            return Some(roi.clone());
                        }
                        let to_file = Reprojector::new(&working, &crs).ok()?;
                        roi.mapped(|c| to_file.point(c))
                    };
                    if let Some(problem) = crate::io::regular_file_problem(path) {
                        return Err(LoadError::new(problem, path));
                    }
                    geojson_in::read_geojson_with(path, Some(&roi_for))?
                } else if let Some(hashed) = hashed {
                    shp::read_shapefile_hashed(path, Some(&keep), encoding_of(key), hashed)?
                } else {
                    read_raw_with(path, Some(&keep), encoding_of(key))?
                };
                progress.inc(1);
                Ok(Some(pending(review, key, path, raw)?))
            })
            .collect();
        let mut second = Vec::new();
        for r in read {
            if let Some(mut p) = r? {
                assume_crs(&mut p, review, &working)?;
                second.push(p);
            }
        }
        // A GeoJSON layer's far features were parsed before the filter left them out, which
        // leaves the heap full of small free blocks that every later allocation searches (the
        // workbook's cells took 1.2 s of CPU instead of 0.75 s on the spread province): they go
        // back to the system once the layers are built. Not otherwise: the pages faulted in
        // again cost ~0.1 s where nothing was parsed and dropped.
        let parsed_and_left_out = second
            .iter()
            .any(|p| p.raw.filtered_out > 0 && has_extension(&p.path, &["geojson", "json"]));
        let total: u64 = second.iter().map(|p| p.raw.records.len() as u64).sum();
        progress.stage("reproject and repair", total);
        let mut by_key: Vec<(String, Layer)> = Vec::new();
        // Side by side, as above.
        let finished: Vec<Result<(String, Layer), LoadError>> = second
            .into_par_iter()
            .map(|p| {
                check_cancel(progress, &p.path)?;
                let key = p.key.clone();
                let layer =
                    finish_layer(p, &working, progress, Some(&roi), None, &review.file.fields)?;
                Ok((key, layer))
            })
            .collect();
        for f in finished {
            by_key.push(f?);
        }
        layers = in_review_order(&paths, layers, by_key, &filtered);
        loaded_near = Some(roi);
        if parsed_and_left_out {
            crate::platform::release_free_memory();
        }
    }
    // Fields found by name whose values do not fit their role (model::fields), and one
    // zone id with several names (model::zones::ambiguous_id_warnings).
    for layer in &mut layers {
        let resolution = Fields::explain(layer, &review.file);
        let mut warnings = resolution.warnings(layer);
        if layer.role == LayerRole::Zones {
            warnings.extend(crate::model::zones::ambiguous_id_warnings(
                layer,
                &resolution.fields,
            ));
        }
        layer.source.warnings.extend(warnings);
    }
    // A `[fields]` name that no layer reading the role has is most likely a typo: said on the
    // first layer that reads the role (the zones layer for the zones' roles), which then falls
    // back to detection.
    for &role in crate::model::fields::Role::ALL.iter() {
        let Some(name) = role.configured(&review.file.fields) else {
            continue;
        };
        let readers = || {
            layers
                .iter()
                .filter(|l| crate::model::fields::Role::used_by(l.role).contains(&role))
        };
        if readers().any(|l| l.field_index(name).is_some()) {
            continue;
        }
        let names: Vec<String> = readers().map(|l| l.name.clone()).collect();
        if let Some(first) = layers
            .iter_mut()
            .find(|l| crate::model::fields::Role::used_by(l.role).contains(&role))
        {
            first
                .source
                .warnings
                .push(crate::messages::fields::global_field_in_no_layer(
                    role, name, &names,
                ));
        }
    }
    // Patch fields named in the review file that are shown nowhere: a `[fields] patch` name no
    // protection layer has (said on the first), a `[fields_of.<layer>] patch` name the layer
    // lacks. The defaults are taken where present without a word.
    if let Some(list) = &review.file.fields.patch {
        for name in list {
            let protection = || {
                layers.iter().filter(|l| {
                    l.role.is_protection()
                        && review
                            .file
                            .fields_of
                            .get(&l.name)
                            .is_none_or(|f| f.patch.is_none())
                })
            };
            if protection().any(|l| l.field_index(name).is_some()) {
                continue;
            }
            let names: Vec<String> = protection().map(|l| l.name.clone()).collect();
            let first = names.first().cloned();
            if let Some(first) = first.and_then(|n| layers.iter_mut().find(|l| l.name == n)) {
                first
                    .source
                    .warnings
                    .push(crate::messages::fields::patch_field_in_no_layer(
                        name, &names,
                    ));
            }
        }
    }
    for layer in &mut layers {
        let Some(list) = review
            .file
            .fields_of
            .get(&layer.name)
            .and_then(|f| f.patch.as_ref())
        else {
            continue;
        };
        let missing: Vec<String> = list
            .iter()
            .filter(|n| layer.field_index(n).is_none())
            .cloned()
            .collect();
        if !missing.is_empty() {
            let w = crate::messages::fields::patch_field_not_in_layer(&layer.name, &missing);
            layer.source.warnings.push(w);
        }
    }
    for (key, warning) in same_file_warnings(&paths) {
        if let Some(l) = layers.iter_mut().find(|l| l.name == key) {
            l.source.warnings.insert(0, warning);
        }
    }
    Ok(Dataset {
        working_crs: working,
        working_crs_reason: reason,
        layers,
        loaded_near,
    })
}

/// A warning for every layer whose file is also given for an earlier key (compared
/// canonicalised, case-insensitively on Windows), by the later key.
fn same_file_warnings(paths: &[(String, PathBuf)]) -> Vec<(String, Text)> {
    let canon = |p: &Path| -> String {
        let c = p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
        let s = c.to_string_lossy().into_owned();
        if cfg!(windows) {
            s.to_lowercase()
        } else {
            s
        }
    };
    let keys: Vec<(String, &String)> = paths.iter().map(|(k, p)| (canon(p), k)).collect();
    let mut out = Vec::new();
    for (i, (c, key)) in keys.iter().enumerate() {
        if let Some((_, first)) = keys[..i].iter().find(|(c0, _)| c0 == c) {
            out.push(((*key).clone(), msg_cli::same_file_two_roles(first, key)));
        }
    }
    out
}

fn check_cancel(progress: &Progress, path: &Path) -> Result<(), LoadError> {
    if progress.is_cancelled() {
        Err(LoadError::cancelled(path))
    } else {
        Ok(())
    }
}

/// A layer read, with its CRS decided when the file declares one or its coordinates show it
/// (see [`detect_layer_crs`]).
fn pending(review: &Review, key: &str, path: &Path, raw: RawLayer) -> Result<Pending, LoadError> {
    let mut warnings = raw.warnings.clone();
    let (mut crs, mut crs_note) = declared_crs(review, key, path, &raw, &mut warnings)?;
    if crs.is_none() {
        if let Some((def, note, warning)) = detect_layer_crs(key, path, &raw)? {
            crs = Some(def);
            crs_note = note;
            warnings.push(warning);
        }
    }
    Ok(Pending {
        key: key.to_string(),
        path: path.to_path_buf(),
        raw,
        crs,
        crs_note,
        warnings,
    })
}

/// The box of every coordinate of the file (records left out by the filter included).
fn file_extent(raw: &RawLayer) -> Option<(Coord<f64>, Coord<f64>)> {
    raw.extent
        .map(|b| (b.min(), b.max()))
        .or_else(|| raw_bbox(raw))
}

/// The CRS of a layer whose file declares none, from its coordinates: 8-digit eastings with a
/// 3-degree zone prefix → EPSG:4513–4533; lon/lat inside China → EPSG:4490. Lon/lat-range
/// numbers outside China are an error (no CRS can be guessed for them); anything else is left
/// undecided (`None`) for [`assume_crs`]. Returns the CRS, its note and the warning saying what
/// was detected and why.
fn detect_layer_crs(
    key: &str,
    path: &Path,
    raw: &RawLayer,
) -> Result<Option<(CrsDef, Text, Text)>, LoadError> {
    use crate::messages::io as msg;
    let Some((min, max)) = file_extent(raw) else {
        return Ok(None);
    };
    let (code, why) = match detect_crs(min, max) {
        Detected::ZonePrefixed { zone, epsg } => {
            (epsg, msg::why_zone_prefix(zone, min.x, max.x, min.y, max.y))
        }
        Detected::LonLat => (4490, msg::why_lon_lat(min.x, max.x, min.y, max.y)),
        Detected::LonLatOutsideChina => {
            return Err(LoadError::new(
                msg::lon_lat_outside_china(key, min.x, max.x, min.y, max.y),
                path,
            ))
        }
        Detected::Unknown => return Ok(None),
    };
    let crs = CrsDef::epsg(code).map_err(|e| LoadError::new(e, path))?;
    let label = crs.label();
    Ok(Some((
        crs,
        msg::crs_note_detected(&label, &why),
        msg::crs_detected(&label, &why),
    )))
}

/// Layers whose CRS is still unknown (not declared, not detected): the working CRS if the review
/// sets one; otherwise an error naming the layer. A detected projected CRS other than the working
/// CRS (another zone, or zone prefix against none) is reprojected, with a warning saying the
/// layers disagree.
fn assume_crs(p: &mut Pending, review: &Review, working: &CrsDef) -> Result<(), LoadError> {
    use crate::messages::io as msg;
    if let Some(crs) = &p.crs {
        // The note of a detected CRS (messages::io::crs_note_detected) says so.
        let detected = p.crs_note.en.contains("(detected:");
        if detected && crs.kind == CrsKind::Projected && !crs.same_as(working) {
            p.warnings.push(msg::crs_differs_from_working(
                &p.key,
                &crs.label(),
                &working.label(),
            ));
        }
        return Ok(());
    }
    if review.file.crs.is_some() {
        p.crs = Some(working.clone());
        p.crs_note = msg::crs_note_working(&working.label());
        p.warnings.push(msg::crs_taken_as_working(&working.label()));
        return Ok(());
    }
    let message = match file_extent(&p.raw) {
        Some((min, max)) => match &p.raw.crs_missing {
            Some(why) => msg::no_crs_in_file(&p.key, why, min.x, max.x, min.y, max.y),
            None => msg::no_crs_undetectable(&p.key, min.x, max.x, min.y, max.y),
        },
        None => msg::no_crs_no_coordinates(&p.key),
    };
    Err(LoadError::new(message, &p.path))
}

/// The boxes protection features must meet to matter, in the working CRS: the neighbourhood of
/// every part of every merged zone (the zones layer, the first, dissolved by zone as the check
/// does), and the whole box of every township that meets a zone (the custody check needs the
/// protected share of the whole township).
fn zone_neighbourhoods(
    layers: &[Layer],
    review: &Review,
    near: fn(geo::Rect<f64>) -> geo::Rect<f64>,
) -> Roi {
    Roi::new(zone_neighbourhood_boxes(
        layers,
        review,
        near,
        &dissolved_zones(layers, review),
    ))
}

/// Each zone (the features of the zones layer sharing an id) dissolved as the check dissolves
/// it (`analysis::zone::check_zone`: the same union of the same features, in the same order).
fn dissolved_zones(layers: &[Layer], review: &Review) -> Vec<crate::model::Geom> {
    let Some(zones) = layers.first() else {
        return Vec::new();
    };
    let fields = Fields::of_layer(zones, &review.file);
    crate::model::zones::group_zones(zones, &fields)
        .into_par_iter()
        .map(|z| {
            crate::spatial::overlay::union_local(z.features.into_iter().map(|(g, _)| g).collect())
        })
        .collect()
}

/// The boxes of [`zone_neighbourhoods`].
fn zone_neighbourhood_boxes(
    layers: &[Layer],
    review: &Review,
    near: fn(geo::Rect<f64>) -> geo::Rect<f64>,
    dissolved: &[crate::model::Geom],
) -> Vec<geo::Rect<f64>> {
    use geo::{BoundingRect, Intersects};
    let parts: Vec<(&geo::Polygon<f64>, geo::Rect<f64>)> = dissolved
        .iter()
        .flat_map(|z| &z.0)
        .filter_map(|p| {
            let b = p.bounding_rect()?;
            Some((p, b))
        })
        .collect();
    // A gap between two parts is bridged by the barriers and protected land on it, and a gap
    // that can be bridged is no longer than the bridging reach: every point of it lies within
    // that reach of the part it starts from, so the neighbourhood takes in the reach as well.
    let rules = &review.file.rules;
    let reach = rules.max_bridged_gap_m.max(rules.contiguity_distance_m);
    let mut boxes: Vec<geo::Rect<f64>> = parts
        .iter()
        .map(|(_, b)| {
            let n = near(*b);
            if !(reach.is_finite() && reach > 0.0) {
                return n;
            }
            let (lo, hi) = (b.min(), b.max());
            geo::Rect::new(
                geo::Coord {
                    x: n.min().x.min(lo.x - reach),
                    y: n.min().y.min(lo.y - reach),
                },
                geo::Coord {
                    x: n.max().x.max(hi.x + reach),
                    y: n.max().y.max(hi.y + reach),
                },
            )
        })
        .collect();
    if let Some(towns) = layers.iter().find(|l| l.role == LayerRole::Townships) {
        let part_index = crate::spatial::index::BoxIndex::from_rects(parts.iter().map(|(_, b)| *b));
        let meeting: Vec<geo::Rect<f64>> = towns
            .features
            .par_iter()
            .filter_map(|t| {
                let tb = t.geometry.bounding_rect()?;
                let meets = part_index
                    .query(tb, 0.0)
                    .into_iter()
                    .any(|k| parts.get(k).is_some_and(|(p, _)| p.intersects(&t.geometry)));
                meets.then_some(tb)
            })
            .collect();
        boxes.extend(meeting);
    }
    boxes
}

/// The layers in review order (as without the filter): `first` holds, in review order, the
/// layers of the keys `later` does not take; `by_key` the others.
fn in_review_order(
    paths: &[(String, PathBuf)],
    first: Vec<Layer>,
    mut by_key: Vec<(String, Layer)>,
    later: &dyn Fn(&str) -> bool,
) -> Vec<Layer> {
    let mut ordered = Vec::with_capacity(paths.len());
    let mut first = first.into_iter();
    for (key, _) in paths {
        if later(key) {
            if let Some(k) = by_key.iter().position(|(k, _)| k == key) {
                ordered.push(by_key.swap_remove(k).1);
            }
        } else if let Some(l) = first.next() {
            ordered.push(l);
        }
    }
    ordered
}

/// Where the features of a layer read whole are kept ([`LoadOptions::read_every_feature`]).
///
/// A feature away from every zone part is shown only by the zones' overview maps, and an
/// overview map draws at most [`MAX_MAP_FEATURES`] background features: those whose box meets
/// the zone's box first, then the others, each in record order, leaving out those smaller than
/// a step both ways. A feature that cannot be among the first [`MAX_MAP_FEATURES`] on any map
/// showing its place is let go with its box kept, from which the maps count it (too small, or
/// past the budget) as they would if it were loaded. The frames here are fitted to the zones
/// dissolved as the check dissolves them, as the maps are; every test is still made both ways
/// with [`KeepNear::MARGIN_M`] (and [`KeepNear::SCALE_SLACK`] on sizes), keeping a feature
/// unless it is left out for sure.
///
/// [`MAX_MAP_FEATURES`]: crate::spatial::frame::MAX_MAP_FEATURES
struct KeepNear {
    /// The zone parts' (and protected townships') neighbourhoods: every check, and every
    /// close-up map, looks only there.
    near: Roi,
    /// The zones' overview maps: their frames grown by the margin...
    frames: Roi,
    /// ...and for each (by position in `frames`) what decides the order of its features.
    maps: Vec<Overview>,
}

/// One zone's overview map as [`KeepNear`] sees it.
#[derive(Debug, Clone, Copy)]
struct Overview {
    /// Pixels per metre.
    px_per_m: f64,
    /// The frame shrunk by the margin: a box meeting it is in view for sure (`None`: none is).
    frame_in: Option<geo::Rect<f64>>,
    /// The zone's box grown by the margin (a box missing it is drawn after those meeting the
    /// zone's box) and shrunk by it (a box meeting it is among those drawn first).
    zone_out: geo::Rect<f64>,
    zone_in: Option<geo::Rect<f64>>,
}

/// How a feature stands on one overview map ([`Placed::on`]).
mod on_map {
    /// Large enough to be drawn there, maybe.
    pub const MAYBE_DRAWN: u8 = 1;
    /// In view and large enough for sure: it takes a place in the map's order.
    pub const SURELY_DRAWN: u8 = 2;
    /// Its box maybe meets the zone's box.
    pub const MAYBE_FIRST: u8 = 4;
    /// Its box meets the zone's box for sure.
    pub const SURELY_FIRST: u8 = 8;
}

/// Where one feature lies for [`KeepNear`]: found in parallel, decided in record order.
#[derive(Debug, Default)]
struct Placed {
    /// Near a zone part (or without a box): kept.
    near: bool,
    /// The overview maps whose frame it maybe meets (their positions, each once, in no
    /// order), with the [`on_map`] flags: where they are in its run's list (one list per run
    /// rather than one per feature, a million small allocations for a province's farmland).
    on: std::ops::Range<usize>,
    /// Its box.
    bbox: Option<geo::Rect<f64>>,
}

/// Per overview map, the features surely in its order so far ([`KeepNear::decide`]).
#[derive(Debug, Clone, Copy, Default)]
struct MapCount {
    /// All of them (a feature drawn after those meeting the zone's box has at least these
    /// before it)...
    all: usize,
    /// ...and those among the ones drawn first (a feature drawn first has at least these).
    first: usize,
}

impl MapCount {
    /// Whether this map may draw a feature standing on it as `flags` say ([`on_map`]), with
    /// these counted before it: large enough, and fewer than the map's budget before it.
    fn may_draw(&self, flags: u8) -> bool {
        let before = if flags & on_map::MAYBE_FIRST != 0 {
            self.first
        } else {
            self.all
        };
        flags & on_map::MAYBE_DRAWN != 0 && before < crate::spatial::frame::MAX_MAP_FEATURES
    }
}

/// What [`KeepNear`] makes of a feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// A check or a map uses it.
    Used,
    /// Only overview maps show its place, and none of them draws it: too small on each, or
    /// past its feature budget. Its box is kept for them to count it.
    CountedOnMaps,
    /// Nothing shows it.
    Unused,
}

impl KeepNear {
    /// Room left on every box test against the maps' frames and zone boxes (computed here as
    /// report.html computes them, from the same dissolve): floating-point noise only.
    const MARGIN_M: f64 = 1.0;
    /// The same for a map's scale, relatively, on the sizes compared with its step.
    const SCALE_SLACK: f64 = 0.01;

    /// `frames`: each zone's box and its overview map's frame and scale ([`zone_map_frames`]).
    fn new(
        near: Vec<geo::Rect<f64>>,
        frames: Vec<(geo::Rect<f64>, geo::Rect<f64>, f64)>,
    ) -> KeepNear {
        use crate::spatial::index::{grown, rect_of};
        let grow = |b: geo::Rect<f64>| rect_of(&grown(b, Self::MARGIN_M));
        // `None` when nothing is left of it.
        let shrink = |b: geo::Rect<f64>| {
            let s = grown(b, -Self::MARGIN_M);
            (s[0] < s[2] && s[1] < s[3]).then(|| rect_of(&s))
        };
        // Positions in the filter are positions in `maps`: only the frames it takes.
        let frames: Vec<(geo::Rect<f64>, Overview)> = frames
            .into_iter()
            .map(|(zone, frame, px_per_m)| {
                let map = Overview {
                    px_per_m,
                    frame_in: shrink(frame),
                    zone_out: grow(zone),
                    zone_in: shrink(zone),
                };
                (grow(frame), map)
            })
            .filter(|(b, _)| Roi::takes(b))
            .collect();
        KeepNear {
            near: Roi::new(near.into_iter().map(grow).collect()),
            maps: frames.iter().map(|(_, m)| *m).collect(),
            frames: Roi::new(frames.into_iter().map(|(b, _)| b).collect()),
        }
    }

    /// Where the feature of box `b` lies (a feature without a box is kept).
    /// Its maps go at the end of `on_maps`.
    fn place(&self, b: Option<&geo::Rect<f64>>, on_maps: &mut Vec<(u32, u8)>) -> Placed {
        use crate::spatial::frame::BACKGROUND_STEP_PX as STEP;
        let Some(b) = b else {
            return Placed {
                near: true,
                ..Placed::default()
            };
        };
        let start = on_maps.len();
        // Every frame it meets, once (a frame in several cells of the filter is met once per
        // cell; a feature meets few frames).
        self.frames.meets_one(b, |k| {
            let k = k as u32;
            if !on_maps[start..].iter().any(|&(seen, _)| seen == k) {
                on_maps.push((k, 0));
            }
            false
        });
        let size = b.width().max(b.height());
        let meets = |r: &geo::Rect<f64>| crate::spatial::overlay::boxes_intersect(r, b);
        for (k, flags) in &mut on_maps[start..] {
            let Some(m) = self.maps.get(*k as usize) else {
                continue;
            };
            let px = size * m.px_per_m;
            if px >= STEP * (1.0 - Self::SCALE_SLACK) {
                *flags |= on_map::MAYBE_DRAWN;
            }
            if px >= STEP * (1.0 + Self::SCALE_SLACK) && m.frame_in.as_ref().is_some_and(meets) {
                *flags |= on_map::SURELY_DRAWN;
            }
            if meets(&m.zone_out) {
                *flags |= on_map::MAYBE_FIRST;
            }
            if m.zone_in.as_ref().is_some_and(meets) {
                *flags |= on_map::SURELY_FIRST;
            }
        }
        Placed {
            near: self.near.meets(b),
            on: start..on_maps.len(),
            bbox: Some(*b),
        }
    }

    /// What becomes of a feature placed `p`, the features before it in record order having
    /// been decided with the same `counts` (one per map, in `maps` order).
    /// `on_maps`: the list `p` was placed in.
    fn decide(&self, p: &Placed, on_maps: &[(u32, u8)], counts: &mut [MapCount]) -> Keep {
        let mut drawn = false;
        let on = on_maps.get(p.on.clone()).unwrap_or(&[]);
        for &(k, flags) in on {
            let Some(c) = counts.get_mut(k as usize) else {
                drawn = true;
                continue;
            };
            drawn |= c.may_draw(flags);
            if flags & on_map::SURELY_DRAWN != 0 {
                c.all += 1;
                if flags & on_map::SURELY_FIRST != 0 {
                    c.first += 1;
                }
            }
        }
        match (p.near || drawn, on.is_empty()) {
            (true, _) => Keep::Used,
            (false, false) => Keep::CountedOnMaps,
            (false, true) => Keep::Unused,
        }
    }

    /// Whether [`KeepNear::decide`] will let go of a feature placed `p` whatever the features
    /// between now and it: `counts` are counts from before them (the counts only grow, and a
    /// feature is let go when on every map it is too small or has too many before it).
    fn let_go_anyway(&self, p: &Placed, on_maps: &[(u32, u8)], counts: &[MapCount]) -> bool {
        !p.near
            && on_maps
                .get(p.on.clone())
                .unwrap_or(&[])
                .iter()
                .all(|&(k, flags)| counts.get(k as usize).is_some_and(|c| !c.may_draw(flags)))
    }

    /// A count per map for [`KeepNear::decide`].
    fn counts(&self) -> Vec<MapCount> {
        vec![MapCount::default(); self.maps.len()]
    }
}

/// Each zone's box (of its dissolved geometry, as report.html takes it), and the frame of its
/// overview map in the report (fitted as [`crate::spatial::frame::MapFrame::fit`]) with its
/// scale (px per metre): a part's close-ups are in [`zone_neighbourhood_boxes`].
fn zone_map_frames(dissolved: &[crate::model::Geom]) -> Vec<(geo::Rect<f64>, geo::Rect<f64>, f64)> {
    use geo::BoundingRect;
    dissolved
        .iter()
        .filter_map(|z| {
            let bbox = z.bounding_rect()?;
            let frame = crate::spatial::frame::MapFrame::fit(bbox);
            Some((bbox, frame.rect_in_map(), frame.px_per_m))
        })
        .collect()
}

/// Parses the CRS texts known before any layer is read — the review's `crs` and `crs_of`, the
/// shapefiles' `.prj` (as the reader will give them) — and the working CRS's geographic base,
/// so that they are in [`CrsDef::parse`]'s cache when needed. Opening PROJ's database and
/// parsing an ESRI `.prj` takes ~20 ms, which would otherwise stop every reading thread at
/// the same point. Only fills the cache: the load itself parses (and reports) every text.
fn warm_crs(review: &Review, paths: &[(String, PathBuf)]) {
    let mut texts: Vec<String> = review.file.crs.iter().cloned().collect();
    for (key, path) in paths {
        if let Some(def) = review.file.crs_of.get(key) {
            texts.push(def.clone());
            continue;
        }
        if let Some(text) = prj_text(path).filter(|t| !t.is_empty()) {
            texts.push(text);
        }
    }
    texts.sort();
    texts.dedup();
    for text in &texts {
        if let Ok(crs) = CrsDef::parse(text) {
            // The working CRS is one of them; the ellipsoidal areas ask for its base.
            let _ = crs.geographic_base();
        }
    }
}

/// Whether `path` ends in one of `extensions` (any case).
fn has_extension(path: &Path, extensions: &[&str]) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| extensions.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

/// The text of a shapefile's `.prj` as the shapefile reader gives it (no BOM, trimmed); `None`
/// for other files, or without a readable `.prj`.
fn prj_text(path: &Path) -> Option<String> {
    if !has_extension(path, &["shp"]) {
        return None;
    }
    let bytes = crate::io::read_regular_file(&crate::io::sibling_file(path, "prj")?).ok()?;
    Some(
        String::from_utf8_lossy(&bytes)
            .trim_start_matches('\u{feff}')
            .trim()
            .to_string(),
    )
}

/// The filter in the coordinates of the file at `path`, when its CRS can be known before
/// reading it (a shapefile's `.prj` or `crs_of`); `None` passes every record (the filter is
/// then applied after reprojection).
fn roi_in_file_crs(
    review: &Review,
    key: &str,
    path: &Path,
    roi: &Roi,
    working: &CrsDef,
) -> Option<Roi> {
    let def = match review.file.crs_of.get(key) {
        Some(def) => def.clone(),
        None => prj_text(path)?,
    };
    let crs = CrsDef::parse(&def).ok()?;
    if crs.same_as(working) {
        return Some(roi.clone());
    }
    let to_file = Reprojector::new(working, &crs).ok()?;
    roi.mapped(|c| to_file.point(c))
}

/// The CRS a layer declares: `crs_of.KEY` in the review, else the file's own (`.prj`, GeoJSON
/// `crs`). A geographic CRS over coordinates outside lon/lat ranges is an error naming where it
/// came from (the `.prj`, or the review file for `crs_of`).
fn declared_crs(
    review: &Review,
    key: &str,
    path: &Path,
    raw: &RawLayer,
    warnings: &mut Vec<Text>,
) -> Result<(Option<CrsDef>, Text), LoadError> {
    use crate::messages::io as msg;
    if let Some(def) = review.file.crs_of.get(key) {
        let crs = CrsDef::parse(def)
            .map_err(|e| LoadError::new(msg::crs_of_invalid(key, def, &e), &review.path))?;
        check_geographic_range(&crs, raw, &format!("crs_of.{key}"), &review.path)?;
        if raw.crs.is_some() {
            warnings.push(msg::crs_overridden(key, def));
        }
        let note = msg::crs_note_crs_of(&crs.label(), key);
        return Ok((Some(crs), note));
    }
    match &raw.crs {
        Some(def) => {
            let crs = CrsDef::parse(def).map_err(|e| {
                let what = if def.len() > 60 {
                    format!(
                        "{}…",
                        &def[..def
                            .char_indices()
                            .nth(60)
                            .map(|(i, _)| i)
                            .unwrap_or(def.len())]
                    )
                } else {
                    def.clone()
                };
                LoadError::new(msg::unknown_crs(&what, &e), path)
            })?;
            let is_shp = has_extension(path, &["shp"]);
            match crate::io::sibling_file(path, "prj").filter(|_| is_shp) {
                Some(prj) => check_geographic_range(&crs, raw, ".prj", &prj)?,
                None if crate::io::gpkg::is_gpkg_path(path) => {
                    check_geographic_range(&crs, raw, "gpkg_spatial_ref_sys", path)?
                }
                None => check_geographic_range(&crs, raw, "GeoJSON \"crs\"", path)?,
            }
            let label = crs.label();
            Ok((Some(crs), Text::new(label.clone(), label)))
        }
        None => Ok((None, Text::default())),
    }
}

/// A geographic CRS over coordinates outside lon/lat ranges cannot be right: an error naming
/// `source` (".prj", "crs_of.KEY") and the file `at`.
fn check_geographic_range(
    crs: &CrsDef,
    raw: &RawLayer,
    source: &str,
    at: &Path,
) -> Result<(), LoadError> {
    if crs.kind != CrsKind::Geographic {
        return Ok(());
    }
    match file_extent(raw) {
        Some((min, max)) if !looks_like_lon_lat(Some((min, max))) => Err(LoadError::new(
            crate::messages::io::geographic_out_of_range(
                &crs.label(),
                source,
                min.x,
                max.x,
                min.y,
                max.y,
            ),
            at,
        )),
        _ => Ok(()),
    }
}

fn choose_working_crs(review: &Review, zones: &Pending) -> Result<(CrsDef, String), LoadError> {
    if let Some(def) = &review.file.crs {
        let crs = CrsDef::parse(def)
            .map_err(|e| LoadError::new(format!("`crs` = \"{def}\": {e}"), &review.path))?;
        if !crs.is_metric() {
            return Err(LoadError::new(
                format!(
                    "`crs` = \"{def}\" must be a projected CRS in metres (it is {} in {})",
                    if crs.kind == CrsKind::Geographic {
                        "geographic"
                    } else {
                        "projected"
                    },
                    crs.unit
                ),
                &review.path,
            ));
        }
        return Ok((crs, "set by `crs` in the review file".into()));
    }
    if let Some(crs) = &zones.crs {
        if crs.is_metric() {
            return Ok((crs.clone(), "the zones layer's own projected CRS".into()));
        }
    }
    // Geographic (or non-metric) zones: the CGCS2000 3-degree zone nearest the data's centre.
    let bbox = raw_bbox(&zones.raw);
    let centre_lon = match (&zones.crs, bbox) {
        (Some(crs), Some((min, max))) => {
            let centre = Coord {
                x: (min.x + max.x) / 2.0,
                y: (min.y + max.y) / 2.0,
            };
            if crs.kind == CrsKind::Geographic {
                centre.x
            } else {
                let to_ll = CrsDef::epsg(4490).map_err(|e| LoadError::new(e, &zones.path))?;
                let r =
                    Reprojector::new(crs, &to_ll).map_err(|e| LoadError::new(e, &zones.path))?;
                r.point(centre).x
            }
        }
        // No CRS declared or detected (see `pending`).
        _ => {
            let message = match file_extent(&zones.raw) {
                Some((min, max)) => match &zones.raw.crs_missing {
                    Some(why) => crate::messages::io::no_crs_in_file(
                        &zones.key, why, min.x, max.x, min.y, max.y,
                    ),
                    None => crate::messages::io::no_crs_undetectable(
                        &zones.key, min.x, max.x, min.y, max.y,
                    ),
                },
                None => crate::messages::io::no_crs_no_coordinates(&zones.key),
            };
            return Err(LoadError::new(message, &zones.path));
        }
    };
    let code = gauss_kruger_epsg_for_lon(centre_lon);
    let crs = CrsDef::epsg(code).map_err(|e| LoadError::new(e, &zones.path))?;
    let centre_lon = crate::model::num::Num(centre_lon);
    Ok((
        crs,
        format!(
            "CGCS2000 3-degree Gauss-Kruger zone nearest the zones' centre (lon {centre_lon:.3}°)"
        ),
    ))
}

/// The box a shapefile's header declares for every record (bytes 36..68 of the `.shp`), in
/// the file's own CRS; `None` for other files or a header without a finite box.
fn shp_header_box(path: &Path) -> Option<geo::Rect<f64>> {
    use std::io::Read;
    if !has_extension(path, &["shp"]) {
        return None;
    }
    let mut head = [0u8; 68];
    std::fs::File::open(path).ok()?.read_exact(&mut head).ok()?;
    let at = |k: usize| -> Option<f64> {
        let bytes: [u8; 8] = head.get(k..k + 8)?.try_into().ok()?;
        Some(f64::from_le_bytes(bytes)).filter(|v| v.is_finite())
    };
    let (x0, y0, x1, y1) = (at(36)?, at(44)?, at(52)?, at(60)?);
    (x0 <= x1 && y0 <= y1).then(|| geo::Rect::new(Coord { x: x0, y: y0 }, Coord { x: x1, y: y1 }))
}

fn union_box(a: Option<geo::Rect<f64>>, b: Option<geo::Rect<f64>>) -> Option<geo::Rect<f64>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(crate::spatial::overlay::box_union(a, b)),
        (a, None) => a,
        (None, b) => b,
    }
}

fn box_array(b: geo::Rect<f64>) -> [f64; 4] {
    [b.min().x, b.min().y, b.max().x, b.max().y]
}

/// `b` mapped through `r`: the box of 16 points along each edge (points that do not map are
/// left out; `None` when none does).
fn map_box(b: geo::Rect<f64>, r: &Reprojector) -> Option<geo::Rect<f64>> {
    const STEPS: usize = 16;
    let (min, max) = (b.min(), b.max());
    let mut ring: Vec<Coord<f64>> = Vec::with_capacity(4 * STEPS);
    for k in 0..STEPS {
        let t = k as f64 / STEPS as f64;
        let x = min.x + (max.x - min.x) * t;
        let y = min.y + (max.y - min.y) * t;
        ring.push(Coord { x, y: min.y });
        ring.push(Coord { x: max.x, y });
        ring.push(Coord {
            x: max.x - (max.x - min.x) * t,
            y: max.y,
        });
        ring.push(Coord {
            x: min.x,
            y: max.y - (max.y - min.y) * t,
        });
    }
    r.transform(&mut ring);
    coords_bbox(ring.iter())
}

/// A record's shape: as read, or, for a layer read deferred, taken from the mapped file and
/// reprojected there (`reprojector`: the layer's CRS to the working one); an error when it no
/// longer reads (the record is then unusable, named like one that cannot be repaired).
fn record_shape(
    rec: &mut crate::model::RawRecord,
    mapped: Option<&crate::io::shp::MappedShapes>,
    reprojector: Option<&Reprojector>,
) -> Result<crate::model::RawShape, Text> {
    let Some(m) = mapped else {
        return Ok(std::mem::replace(
            &mut rec.shape,
            crate::model::RawShape::Rings(Vec::new()),
        ));
    };
    mapped_shape(m, rec.index, reprojector)
}

/// The shape of record `index` taken from the mapped file, reprojected with `reprojector`.
fn mapped_shape(
    m: &crate::io::shp::MappedShapes,
    index: usize,
    reprojector: Option<&Reprojector>,
) -> Result<crate::model::RawShape, Text> {
    let mut shape = m.shape(index)?;
    if let Some(r) = reprojector {
        for ring in shape.rings_mut() {
            r.transform(ring);
        }
    }
    Ok(shape)
}

/// The box of record `index` taken from the mapped file when building it would give its one
/// ring back unchanged ([`crate::spatial::repair::ring_passes_unchanged`]): the ring read (and
/// reprojected, as [`record_shape`] does) into `ring`, the caller's list. `None` for any other
/// record, which is then built.
fn plain_ring_box(
    m: &crate::io::shp::MappedShapes,
    index: usize,
    reprojector: Option<&Reprojector>,
    ring: &mut Vec<Coord<f64>>,
) -> Option<geo::Rect<f64>> {
    if !m.one_ring_into(index, ring) {
        return None;
    }
    if let Some(r) = reprojector {
        r.transform(ring);
    }
    let (passes, back) = crate::spatial::repair::ring_passes_unchanged(std::mem::take(ring));
    *ring = back;
    if passes {
        coords_bbox(ring.iter())
    } else {
        None
    }
}

/// A record as a block's worker leaves it ([`built_kept_near`]).
enum Worked {
    /// Built, or found unusable.
    Built(Result<crate::spatial::repair::Repaired, Text>),
    /// One ring in the mapped file that building gives back unchanged, with no note
    /// ([`plain_ring_box`]): not built while undecided (most of a layer's far features), built
    /// from the file if it is kept after all.
    Plain,
}

impl Worked {
    /// Whether the record can be used (built, or plain).
    fn usable(&self) -> bool {
        !matches!(self, Worked::Built(Err(_)))
    }
}

/// The values of record `index` read as `attrs`: taken from the mapped `.dbf` when they were
/// left there ([`crate::io::shp::MappedShapes::attrs`]).
fn record_attrs(
    mapped: Option<&crate::io::shp::MappedShapes>,
    index: usize,
    attrs: crate::model::Attrs,
) -> crate::model::Attrs {
    match mapped {
        Some(m) => m.attrs(index, attrs),
        None => attrs,
    }
}

/// The reprojector of a worker taking shapes from the mapped file ([`record_shape`]): made in
/// `slot` the first time, when there are such shapes and the layer's CRS is not the working
/// one (`reproject`: the two).
fn worker_reprojector<'a>(
    slot: &'a mut Option<Reprojector>,
    mapped: Option<&crate::io::shp::MappedShapes>,
    reproject: Option<(&CrsDef, &CrsDef)>,
) -> Result<Option<&'a Reprojector>, String> {
    if let (Some(_), Some((from, to)), None) = (mapped, reproject, &slot) {
        *slot = Some(Reprojector::new(from, to)?);
    }
    Ok(slot.as_ref())
}

/// Records repaired per parallel task: small enough that a layer of few large polygons (a red
/// line of 3,000 with thousands of vertices each) still spreads over every thread.
fn repair_chunk(records: usize) -> usize {
    (records / (rayon::current_num_threads().max(1) * 16)).clamp(1, 1024)
}

/// Repairs `records` and lets go of those `keep` finds no use for ([`KeepNear`]): in blocks
/// in record order, each repaired in parallel, then decided in order (a feature's place on
/// an overview map depends on those before it), so that no more than a block of the features
/// let go is held at once. Their geometry and values are freed, their notes kept
/// (`released`); the boxes of those the maps count come with each run. Also returns the
/// values of the first features built (up to `fields::SAMPLE`), let go or not: the sample the
/// layer's fields are judged from, as if every feature were loaded.
///
/// With `mapped`, each record's shape is taken from the mapped file as its block is repaired
/// (and reprojected from `reproject`'s first CRS to its second), the pages of each run of
/// records let go after it.
fn built_kept_near(
    mut records: Vec<crate::model::RawRecord>,
    keep: &KeepNear,
    mapped: Option<&crate::io::shp::MappedShapes>,
    reproject: Option<(&CrsDef, &CrsDef)>,
    progress: &Progress,
    path: &Path,
) -> (Vec<Result<BuiltRun, String>>, Vec<crate::model::Attrs>) {
    /// Records per block: enough to keep every thread busy.
    const BLOCK: usize = 1 << 16;
    if !records.is_sorted_by_key(|r| r.index) {
        records.sort_by_key(|r| r.index);
    }
    let chunk = repair_chunk(records.len().min(BLOCK));
    let mut counts = keep.counts();
    let mut runs = Vec::new();
    let mut field_sample = Vec::new();
    // Blocks taken from the end of the list reversed, which then shrinks behind them (a
    // province's list of records is itself tens of megabytes).
    records.reverse();
    while !records.is_empty() {
        let mut block = records.split_off(records.len().saturating_sub(BLOCK));
        records.shrink_to_fit();
        block.reverse();
        // The counts before the block: those before any of its features are at least these.
        let before = counts.clone();
        type PlacedRun = (
            Vec<((usize, Worked, crate::model::Attrs), Placed)>,
            Vec<(u32, u8)>,
        );
        let placed: Vec<Result<PlacedRun, String>> = block
            .into_par_iter()
            .chunks(chunk)
            .map_init(
                // One PROJ object per worker (see `finish_layer`), made only when a shape is
                // taken from the file and the layer's CRS is not the working one; and a list
                // the plain rings are read into.
                || (None, Vec::new()),
                |(reprojector, ring): &mut (Option<Reprojector>, Vec<Coord<f64>>), recs| {
                    if progress.is_cancelled() {
                        return Err(LoadError::cancelled(path).message.en);
                    }
                    let reprojector = worker_reprojector(reprojector, mapped, reproject)?;
                    let span = recs
                        .first()
                        .zip(recs.last())
                        .map(|(a, b)| (a.index, b.index));
                    let mut on_maps: Vec<(u32, u8)> = Vec::new();
                    let run: Vec<((usize, Worked, crate::model::Attrs), Placed)> = recs
                        .into_iter()
                        .map(|mut rec| {
                            let plain = mapped
                                .and_then(|m| plain_ring_box(m, rec.index, reprojector, ring));
                            if let Some(b) = plain {
                                let placed = keep.place(Some(&b), &mut on_maps);
                                // Near a zone: kept for sure, built now (from the ring read).
                                let worked = if placed.near {
                                    Worked::Built(build_geometry_owned(
                                        crate::model::RawShape::Rings(vec![ring.clone()]),
                                    ))
                                } else {
                                    Worked::Plain
                                };
                                return ((rec.index, worked, rec.attrs), placed);
                            }
                            let mut built = record_shape(&mut rec, mapped, reprojector)
                                .and_then(build_geometry_owned);
                            let attrs = rec.attrs;
                            let placed = match &mut built {
                                Ok(rep) => {
                                    let b = geo::BoundingRect::bounding_rect(&rep.geometry);
                                    let placed = keep.place(b.as_ref(), &mut on_maps);
                                    // Let go at once when the features before it cannot change
                                    // that (freed by the thread that made it, while it is fresh);
                                    // still decided in order below, for the counts. Its values
                                    // stay until then: the first features' are the sample the
                                    // layer's fields are judged from.
                                    if keep.let_go_anyway(&placed, &on_maps, &before) {
                                        rep.geometry = crate::model::Geom::new(Vec::new());
                                    }
                                    placed
                                }
                                // Reported as unusable, not kept.
                                Err(_) => Placed::default(),
                            };
                            ((rec.index, Worked::Built(built), attrs), placed)
                        })
                        .collect();
                    // The run's pages of the file are done with.
                    if let (Some(m), Some((first, last))) = (mapped, span) {
                        m.release(first, last);
                    }
                    Ok((run, on_maps))
                },
            )
            .collect();
        let mut chunks = Vec::with_capacity(placed.len());
        for run in placed {
            match run {
                Ok(run) => chunks.push(run),
                Err(e) => {
                    runs.push(Err(e));
                    return (runs, field_sample);
                }
            }
        }
        // Decided in record order (counts only), then applied in parallel: the features let
        // go are freed by the workers.
        let mut decisions: Vec<Vec<Keep>> = Vec::with_capacity(chunks.len());
        for (run, on_maps) in &chunks {
            let mut d = Vec::with_capacity(run.len());
            for ((index, worked, attrs), placed) in run {
                if worked.usable() && field_sample.len() < crate::model::fields::SAMPLE {
                    field_sample.push(record_attrs(mapped, *index, attrs.clone()));
                }
                d.push(if worked.usable() {
                    keep.decide(placed, on_maps, &mut counts)
                } else {
                    Keep::Used
                });
            }
            decisions.push(d);
        }
        let applied: Vec<Result<BuiltRun, String>> = chunks
            .into_par_iter()
            .zip(decisions)
            .map_init(
                || None,
                |reprojector: &mut Option<Reprojector>, ((run, _), decisions)| {
                    let reprojector = worker_reprojector(reprojector, mapped, reproject)?;
                    let mut out: Vec<BuiltRecord> = Vec::new();
                    let mut counted = Vec::new();
                    let mut quiet = 0;
                    let span = run.first().zip(run.last()).map(|(a, b)| (a.0 .0, b.0 .0));
                    // The values of a feature kept, or of a record that cannot be used (its
                    // id names it), taken from the .dbf when they were left there.
                    let values = |index, attrs| record_attrs(mapped, index, attrs);
                    let mut read_again = false;
                    for (((index, worked, attrs), placed), kept) in run.into_iter().zip(decisions) {
                        let mut built = match worked {
                            Worked::Built(built) => built,
                            // Kept after all: built from the file (what the test said).
                            Worked::Plain if kept == Keep::Used => {
                                read_again = true;
                                // Plain records come only from a mapped file.
                                mapped
                                    .ok_or_else(crate::messages::io::changed_while_read)
                                    .and_then(|m| mapped_shape(m, index, reprojector))
                                    .and_then(build_geometry_owned)
                            }
                            Worked::Plain => {
                                if kept == Keep::CountedOnMaps {
                                    counted.extend(placed.bbox);
                                }
                                quiet += 1;
                                continue;
                            }
                        };
                        let Ok(rep) = &mut built else {
                            out.push((index, built, values(index, attrs), true));
                            continue;
                        };
                        if kept == Keep::Used {
                            out.push((index, built, values(index, attrs), true));
                            continue;
                        }
                        if kept == Keep::CountedOnMaps {
                            counted.extend(placed.bbox);
                        }
                        if rep.notes.is_empty() && rep.boundary.is_empty() {
                            quiet += 1;
                            continue;
                        }
                        rep.geometry = crate::model::Geom::new(Vec::new());
                        drop(attrs);
                        out.push((index, built, crate::model::Attrs::default(), false));
                    }
                    // The run's rows of the .dbf are done with, and its records' pages of the
                    // .shp again when some were read again (scattered through a province's
                    // file, they would otherwise stay: +200 MiB at its peak).
                    if let (Some(m), Some((first, last))) = (mapped, span) {
                        m.release_values(first, last);
                        if read_again {
                            m.release(first, last);
                        }
                    }
                    Ok((out, counted, quiet))
                },
            )
            .collect();
        for run in applied {
            if let Ok(run) = &run {
                progress.inc((run.0.len() + run.2) as u64);
            }
            runs.push(run);
        }
    }
    (runs, field_sample)
}

/// Reprojects and repairs one layer; with `roi`, records whose box (in the working CRS) meets
/// no neighbourhood are left out before repair. Every record not used goes into
/// `SourceInfo.unusable`; in the zones layer any such record is bad input (the error names the
/// file, the record and its zone id).
fn finish_layer(
    p: Pending,
    working: &CrsDef,
    progress: &Progress,
    roi: Option<&Roi>,
    keep_near: Option<&KeepNear>,
    names: &FieldNames,
) -> Result<Layer, LoadError> {
    let Pending {
        key,
        path,
        raw,
        crs,
        crs_note,
        mut warnings,
    } = p;
    let Some(crs) = crs else {
        return Err(LoadError::new(msg::layer_has_no_crs(&key), &path));
    };
    let sha256 = match &raw.sha256 {
        Some(h) => h.clone(),
        None => sha256_of(&path)?,
    };
    // The whole file's extent in its own CRS: the records read, and the header's box (which
    // covers records a reader's filter left out).
    let header_box = if raw.records_in_file > 0 || !raw.records.is_empty() {
        shp_header_box(&path)
    } else {
        None // an empty file's header box is meaningless (often all zeros)
    };
    let extent_own = union_box(
        file_extent(&raw).map(|(a, b)| geo::Rect::new(a, b)),
        header_box,
    );
    let RawLayer {
        fields,
        records,
        encoding,
        mut filtered_out,
        mut unusable,
        files,
        mapped,
        ..
    } = raw;
    // Reproject (one PROJ object per worker: they are not shareable, and each costs a database
    // lookup, so the work is split into one chunk per thread), then repair in parallel.
    let reproject_start = std::time::Instant::now();
    let reprojector = Reprojector::new(&crs, working).map_err(|e| LoadError::new(e, &path))?;
    let extent = match extent_own {
        Some(b) if !reprojector.is_identity() => map_box(b, &reprojector),
        other => other,
    };
    let mut records = records;
    // Shapes left in the file are taken from it, and reprojected, as the layer is repaired.
    if !reprojector.is_identity() && mapped.is_none() {
        if records.len() < 20_000 {
            // Small layers on this thread: building a transformation costs more than the work.
            for rec in &mut records {
                for ring in rec.shape.rings_mut() {
                    reprojector.transform(ring);
                }
            }
        } else {
            let per_chunk = records
                .len()
                .div_ceil(rayon::current_num_threads().max(1))
                .max(1);
            let failed: Vec<String> = records
                .par_chunks_mut(per_chunk)
                .filter_map(|recs| {
                    let r = match Reprojector::new(&crs, working) {
                        Ok(r) => r,
                        Err(e) => return Some(e),
                    };
                    for rec in recs {
                        for ring in rec.shape.rings_mut() {
                            r.transform(ring);
                        }
                    }
                    None
                })
                .collect();
            if let Some(e) = failed.into_iter().next() {
                return Err(LoadError::new(e, &path));
            }
        }
    }
    let same_crs = reprojector.is_identity();
    drop(reprojector);
    progress.add_time("reproject", reproject_start.elapsed().as_secs_f64());
    let repair_start = std::time::Instant::now();
    if let Some(roi) = roi {
        let before = records.len();
        records.retain(|rec| match coords_bbox(rec.shape.rings().flatten()) {
            Some(b) => roi.meets(&b),
            None => true,
        });
        filtered_out += before - records.len();
    }
    let reproject = (!same_crs).then_some((&crs, working));
    let (results, field_sample): (Vec<Result<BuiltRun, String>>, _) = match keep_near {
        None => {
            let chunk = repair_chunk(records.len());
            let runs = records
                .into_par_iter()
                .chunks(chunk)
                .map_init(
                    || None,
                    |reprojector: &mut Option<Reprojector>, recs| {
                        if progress.is_cancelled() {
                            return Err(LoadError::cancelled(&path).message.en);
                        }
                        let reprojector =
                            worker_reprojector(reprojector, mapped.as_ref(), reproject)?;
                        let out: Vec<BuiltRecord> = recs
                            .into_iter()
                            .map(|mut rec| {
                                let built = record_shape(&mut rec, mapped.as_ref(), reprojector)
                                    .and_then(build_geometry_owned);
                                let attrs = record_attrs(mapped.as_ref(), rec.index, rec.attrs);
                                (rec.index, built, attrs, true)
                            })
                            .collect();
                        progress.inc(out.len() as u64);
                        Ok((out, Vec::new(), 0))
                    },
                )
                .collect();
            (runs, Vec::new())
        }
        Some(keep) => built_kept_near(records, keep, mapped.as_ref(), reproject, progress, &path),
    };
    progress.add_time("repair", repair_start.elapsed().as_secs_f64());
    let mut features = Vec::new();
    let mut dropped: Vec<(usize, Text, crate::model::Attrs)> = Vec::new();
    let mut boundary_repairs = Vec::new();
    let mut released = 0;
    let mut released_on_maps = Vec::new();
    for chunk in results {
        let (chunk, counted, quiet) = chunk.map_err(|e| LoadError::new(e, &path))?;
        released_on_maps.extend(counted);
        released += quiet;
        for (index, built, attrs, kept) in chunk {
            match built {
                Ok(rep) => {
                    for note in &rep.notes {
                        warnings.push(msg::record_note(index, note));
                    }
                    if !rep.boundary.is_empty() {
                        boundary_repairs.push((index, rep.boundary));
                    }
                    if !kept {
                        released += 1;
                        continue;
                    }
                    features.push(Feature {
                        index,
                        geometry: rep.geometry,
                        attrs,
                    });
                }
                Err(reason) => {
                    warnings.push(msg::record_note(index, &reason));
                    dropped.push((index, reason, attrs));
                }
            }
        }
    }
    features.sort_by_key(|f| f.index);
    boundary_repairs.sort_by_key(|(i, _)| *i);
    let role = role_of_key(&key);
    let reproj_note = if crs.same_as(working) || same_crs {
        crs_note
    } else {
        let to = working.label();
        Text::new(
            format!("{} → {to}", crs_note.zh),
            format!("{} → {to}", crs_note.en),
        )
    };
    let mut layer = Layer {
        name: key,
        role,
        fields,
        source: SourceInfo {
            path,
            sha256,
            files,
            crs: reproj_note,
            encoding,
            features: features.len() + released,
            released,
            released_on_maps,
            field_sample: if released > 0 {
                field_sample
            } else {
                Vec::new()
            },
            far_from_zones: filtered_out,
            warnings,
            unusable: Vec::new(),
            boundary_repairs,
            extent: extent.map(box_array),
            extent_own: extent_own.map(box_array),
        },
        features,
    };
    // Dropped records, named by their id where the attributes give one.
    let id_field = {
        let f = Fields::resolve(&layer, names);
        f.id.or(f.name)
    };
    for (index, reason, attrs) in dropped {
        let id = id_field
            .and_then(|k| attrs.get(k).map(str::to_string))
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty());
        unusable.push(Unusable {
            index: Some(index),
            id,
            reason,
        });
    }
    unusable.sort_by_key(|u| u.index);
    if role == LayerRole::Zones {
        if let Some(first) = unusable.first() {
            return Err(LoadError::new(
                msg::zones_record_unusable(
                    first.index,
                    first.id.as_deref(),
                    &first.reason,
                    unusable.len() - 1,
                ),
                &layer.source.path,
            ));
        }
        if layer.features.is_empty() {
            return Err(LoadError::new(
                msg::zones_layer_empty_after_repair(),
                &layer.source.path,
            ));
        }
    }
    layer.source.unusable = unusable;
    Ok(layer)
}
