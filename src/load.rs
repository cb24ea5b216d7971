//! Loading a review's layers into one working CRS: read each file, decide each layer's CRS,
//! choose the working CRS, reproject once, repair geometry. Problems that do not stop a layer
//! become warnings on it.

use crate::crs::{gauss_kruger_epsg_for_lon, looks_like_lon_lat, CrsDef, CrsKind, Reprojector};
use crate::io::review::Review;
use crate::io::{geojson_in, shp, LoadError};
use crate::model::{Feature, Layer, LayerRole, RawLayer, SourceInfo};
use crate::progress::Progress;
use crate::spatial::repair::build_geometry;
use geo::Coord;
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Every layer of a review in the working CRS.
#[derive(Debug, Clone)]
pub struct Dataset {
    pub working_crs: CrsDef,
    /// How the working CRS was chosen.
    pub working_crs_reason: String,
    /// Zones first, then the other layers in review order.
    pub layers: Vec<Layer>,
}

impl Dataset {
    pub fn layer(&self, role: LayerRole) -> Option<&Layer> {
        self.layers.iter().find(|l| l.role == role)
    }

    pub fn protection_layers(&self) -> impl Iterator<Item = &Layer> {
        self.layers.iter().filter(|l| l.role.is_protection())
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
        _ => LayerRole::Extra,
    }
}

/// Reads a layer file by its extension (.shp, .geojson/.json).
pub fn read_raw(path: &Path) -> Result<RawLayer, LoadError> {
    read_raw_with_encoding(path, None)
}

/// As [`read_raw`], with a shapefile's attribute encoding set by the review (`encoding_of`).
pub fn read_raw_with_encoding(path: &Path, encoding: Option<&str>) -> Result<RawLayer, LoadError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "shp" => shp::read_shapefile_with_encoding(path, encoding),
        "geojson" | "json" => geojson_in::read_geojson(path),
        "" => Err(LoadError::new(
            "layer file has no extension (expected .shp or .geojson)",
            path,
        )),
        other => Err(LoadError::new(
            format!("unsupported layer format .{other} (expected .shp or .geojson)"),
            path,
        )),
    }
}

fn sha256_of(path: &Path) -> Result<String, LoadError> {
    let bytes =
        std::fs::read(path).map_err(|e| LoadError::new(format!("cannot read file ({e})"), path))?;
    let digest = Sha256::digest(&bytes);
    Ok(digest.iter().map(|b| format!("{b:02x}")).collect())
}

fn raw_bbox(raw: &RawLayer) -> Option<(Coord<f64>, Coord<f64>)> {
    let mut min = Coord {
        x: f64::INFINITY,
        y: f64::INFINITY,
    };
    let mut max = Coord {
        x: f64::NEG_INFINITY,
        y: f64::NEG_INFINITY,
    };
    for c in raw.records.iter().flat_map(|r| r.shape.rings().flatten()) {
        if c.x.is_finite() && c.y.is_finite() {
            min.x = min.x.min(c.x);
            min.y = min.y.min(c.y);
            max.x = max.x.max(c.x);
            max.y = max.y.max(c.y);
        }
    }
    (min.x <= max.x).then_some((min, max))
}

/// A record after reprojection and repair: record number, geometry or reason it was dropped, attributes.
type BuiltRecord = (
    usize,
    Result<crate::spatial::repair::Repaired, String>,
    Vec<Option<String>>,
);

struct Pending {
    key: String,
    path: PathBuf,
    raw: RawLayer,
    crs: Option<CrsDef>,
    crs_note: String,
    warnings: Vec<String>,
}

/// Loads every layer of `review`. The first file that cannot be used is the error.
pub fn load_review(review: &Review, progress: &Progress) -> Result<Dataset, LoadError> {
    let paths = review.layer_paths();
    progress.stage("read", paths.len() as u64);
    // Read every file (in parallel: independent files).
    let raws: Vec<Result<(String, PathBuf, RawLayer), LoadError>> = paths
        .par_iter()
        .map(|(key, path)| {
            let raw =
                read_raw_with_encoding(path, review.file.encoding_of.get(key).map(String::as_str))?;
            progress.inc(1);
            Ok((key.clone(), path.clone(), raw))
        })
        .collect();
    let mut pending = Vec::new();
    for r in raws {
        let (key, path, raw) = r?;
        let mut warnings = raw.warnings.clone();
        let (crs, crs_note) = declared_crs(review, &key, &path, &raw, &mut warnings)?;
        pending.push(Pending {
            key,
            path,
            raw,
            crs,
            crs_note,
            warnings,
        });
    }
    if pending.first().is_some_and(|z| z.raw.records.is_empty()) {
        let z = &pending[0];
        return Err(LoadError::new(
            "zones layer has no polygon features",
            &z.path,
        ));
    }
    let (working, reason) = choose_working_crs(review, &pending)?;
    // Layers without a CRS: lon/lat range → CGCS2000; otherwise the working CRS if the review sets one.
    for p in &mut pending {
        if p.crs.is_some() {
            continue;
        }
        if looks_like_lon_lat(raw_bbox(&p.raw)) {
            p.crs = Some(CrsDef::epsg(4490).map_err(|e| LoadError::new(e, &p.path))?);
            p.crs_note =
                "EPSG:4490 (assumed: no CRS in the file, coordinates in lon/lat range)".into();
            p.warnings.push("no CRS in the file; coordinates are in lon/lat range, assumed EPSG:4490 (CGCS2000)".into());
        } else if review.file.crs.is_some() {
            p.crs = Some(working.clone());
            p.crs_note = format!(
                "{} (assumed: no CRS in the file, taken as the working CRS)",
                working.label()
            );
            p.warnings.push(format!(
                "no CRS in the file; coordinates taken as the working CRS {}",
                working.label()
            ));
        } else {
            return Err(LoadError::new(
                format!(
                    "layer `{}` has no CRS (no .prj) and its coordinates are not lon/lat; set `crs_of.{}` or `crs` in the review file",
                    p.key, p.key
                ),
                &p.path,
            ));
        }
    }
    let total: u64 = pending.iter().map(|p| p.raw.records.len() as u64).sum();
    progress.stage("reproject and repair", total);
    let mut layers = Vec::with_capacity(pending.len());
    for p in pending {
        layers.push(finish_layer(p, &working, progress)?);
    }
    Ok(Dataset {
        working_crs: working,
        working_crs_reason: reason,
        layers,
    })
}

fn declared_crs(
    review: &Review,
    key: &str,
    path: &Path,
    raw: &RawLayer,
    warnings: &mut Vec<String>,
) -> Result<(Option<CrsDef>, String), LoadError> {
    if let Some(def) = review.file.crs_of.get(key) {
        let crs = CrsDef::parse(def).map_err(|e| {
            LoadError::new(format!("`crs_of.{key}` = \"{def}\": {e}"), &review.path)
        })?;
        if raw.crs.is_some() {
            warnings.push(format!(
                "the file's own CRS is overridden by crs_of.{key} = {def}"
            ));
        }
        let note = format!("{} (from crs_of.{key})", crs.label());
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
                LoadError::new(format!("unknown CRS \"{what}\": {e}"), path)
            })?;
            let note = crs.label();
            Ok((Some(crs), note))
        }
        None => Ok((None, String::new())),
    }
}

fn choose_working_crs(review: &Review, pending: &[Pending]) -> Result<(CrsDef, String), LoadError> {
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
    let Some(zones) = pending.first() else {
        return Err(LoadError::new("review has no zones layer", &review.path));
    };
    if let Some(crs) = &zones.crs {
        if crs.is_metric() {
            return Ok((crs.clone(), "the zones layer's own projected CRS".into()));
        }
    }
    // Geographic (or non-metric) zones: the CGCS2000 3-degree zone nearest the data's centre.
    let bbox = raw_bbox(&zones.raw);
    let centre_lon = match (&zones.crs, bbox) {
        (Some(crs), Some((min, max))) => {
            let centre = Coord { x: (min.x + max.x) / 2.0, y: (min.y + max.y) / 2.0 };
            if crs.kind == CrsKind::Geographic {
                centre.x
            } else {
                let to_ll = CrsDef::epsg(4490).map_err(|e| LoadError::new(e, &zones.path))?;
                let r = Reprojector::new(crs, &to_ll).map_err(|e| LoadError::new(e, &zones.path))?;
                r.point(centre).x
            }
        }
        (None, Some((min, max))) if looks_like_lon_lat(bbox) => (min.x + max.x) / 2.0,
        _ => {
            return Err(LoadError::new(
                "zones layer has no CRS (no .prj) and its coordinates are not lon/lat; set `crs` or `crs_of.zones` in the review file",
                &zones.path,
            ))
        }
    };
    let code = gauss_kruger_epsg_for_lon(centre_lon);
    let crs = CrsDef::epsg(code).map_err(|e| LoadError::new(e, &zones.path))?;
    Ok((
        crs,
        format!(
            "CGCS2000 3-degree Gauss-Kruger zone nearest the zones' centre (lon {centre_lon:.3}°)"
        ),
    ))
}

fn finish_layer(p: Pending, working: &CrsDef, progress: &Progress) -> Result<Layer, LoadError> {
    let Pending {
        key,
        path,
        raw,
        crs,
        crs_note,
        mut warnings,
    } = p;
    let Some(crs) = crs else {
        return Err(LoadError::new("layer has no CRS", &path));
    };
    let sha256 = sha256_of(&path)?;
    let RawLayer {
        fields,
        records,
        encoding,
        ..
    } = raw;
    // Reproject in chunks, one PROJ object per worker thread (PROJ objects are not shareable).
    // Reproject (one PROJ object per worker: they are not shareable, and each costs a database
    // lookup, so the work is split into one chunk per thread), then repair in parallel.
    let reprojector = Reprojector::new(&crs, working).map_err(|e| LoadError::new(e, &path))?;
    let mut records = records;
    if !reprojector.is_identity() {
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
    let results: Vec<Result<Vec<BuiltRecord>, String>> = records
        .into_par_iter()
        .chunks(1024)
        .map(|recs| {
            let out: Vec<BuiltRecord> = recs
                .into_iter()
                .map(|rec| (rec.index, build_geometry(&rec.shape), rec.attrs))
                .collect();
            progress.inc(out.len() as u64);
            Ok(out)
        })
        .collect();
    let mut features = Vec::new();
    for chunk in results {
        let chunk = chunk.map_err(|e| LoadError::new(e, &path))?;
        for (index, built, attrs) in chunk {
            match built {
                Ok(rep) => {
                    for note in rep.notes {
                        warnings.push(format!("record {index}: {note}"));
                    }
                    features.push(Feature {
                        index,
                        geometry: rep.geometry,
                        attrs,
                    });
                }
                Err(reason) => warnings.push(format!("record {index}: {reason}")),
            }
        }
    }
    features.sort_by_key(|f| f.index);
    let role = role_of_key(&key);
    if role == LayerRole::Zones && features.is_empty() {
        return Err(LoadError::new(
            "zones layer has no usable polygon features",
            &path,
        ));
    }
    let reproj_note = if crs.same_as(working) || same_crs {
        crs_note
    } else {
        format!("{crs_note} → {}", working.label())
    };
    Ok(Layer {
        name: key,
        role,
        fields,
        source: SourceInfo {
            path,
            sha256,
            crs: reproj_note,
            encoding,
            features: features.len(),
            warnings,
        },
        features,
    })
}
