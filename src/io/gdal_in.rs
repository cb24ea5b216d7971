//! Polygon layers read through GDAL: File Geodatabase (`.gdb` folders, OpenFileGDB), DXF,
//! MapInfo (`.tab`/`.mif`), KML/KMZ, FlatGeobuf and PostGIS tables (`PG:` connection strings).
//!
//! The path helpers here are always built, so that a build without the optional `gdal` feature
//! recognises these sources and says in one line how to get a build that reads them. The reader
//! itself ([`read_gdal`], [`polygon_layers`]) needs the feature and the system's libgdal.
//!
//! A layer is chosen as in a GeoPackage: after `#` in the path (`plan.gdb#merged_zones`,
//! `PG:dbname=plan#public.zones`), else the source's only polygon layer; several without a name
//! is an error listing them. The reader produces the same [`RawLayer`] as the other readers:
//! geometry as WKB from GDAL read by the GeoPackage reader's bounds-checked WKB parser (curves
//! are linearized by GDAL first, with a warning), attributes as text, every record that gives
//! no polygon listed as unusable, the CRS as `EPSG:CODE` or WKT, every file GDAL reports for
//! the source hashed. Any error GDAL reports while the layer is read refuses the layer (fail
//! closed: records may be missing); its warnings become the layer's warnings.

use super::LoadError;
use crate::messages::io as msg;
use crate::model::Text;
#[cfg(not(feature = "gdal"))]
use crate::model::{RawLayer, RecordFilter};
use std::path::{Path, PathBuf};

/// File extensions read through GDAL (a `.gdb` is a folder).
pub const EXTENSIONS: [&str; 7] = ["gdb", "dxf", "tab", "mif", "kml", "kmz", "fgb"];

/// The `PG:` connection string of `path`, when it is one (any case of `PG:`).
fn pg_source(path: &Path) -> Option<&str> {
    let s = path.to_str()?;
    s.get(..3)
        .is_some_and(|p| p.eq_ignore_ascii_case("PG:"))
        .then_some(s)
}

/// True when `text` (a layer path as a review gives it) is a PostGIS connection string
/// (`PG:dbname=…`), which is not resolved against the review's folder.
pub fn is_connection_string(text: &Path) -> bool {
    pg_source(text).is_some()
}

fn extension_of(name: &str) -> Option<String> {
    let (_, ext) = name.rsplit_once('.')?;
    let ext = ext.trim_end_matches(['/', '\\']).to_ascii_lowercase();
    EXTENSIONS.contains(&ext.as_str()).then_some(ext)
}

/// Splits a layer path into the source and the layer named after its last `#`: `a/plan.gdb#zones`
/// → (`a/plan.gdb`, `Some("zones")`), `PG:dbname=x#public.zones` → (`PG:dbname=x`,
/// `Some("public.zones")`). Any other path is returned as it is.
pub fn split_layer_path(path: &Path) -> (PathBuf, Option<String>) {
    if let Some(pg) = pg_source(path) {
        return match pg.rsplit_once('#') {
            Some((src, layer)) if !layer.is_empty() => {
                (PathBuf::from(src), Some(layer.to_string()))
            }
            _ => (path.to_path_buf(), None),
        };
    }
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return (path.to_path_buf(), None);
    };
    match name.rsplit_once('#') {
        Some((file, layer)) if extension_of(file).is_some() && !layer.is_empty() => {
            (path.with_file_name(file), Some(layer.to_string()))
        }
        _ => (path.to_path_buf(), None),
    }
}

/// True when `path` (after [`split_layer_path`]) is read through GDAL: a `PG:` string or a file
/// or folder with one of [`EXTENSIONS`].
pub fn is_gdal_path(path: &Path) -> bool {
    let (source, _) = split_layer_path(path);
    pg_source(&source).is_some()
        || source
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(extension_of)
            .is_some()
}

/// What the source is, for messages: ".gdb", ".dxf", … or "PostGIS (PG:)".
pub fn kind_of(path: &Path) -> String {
    let (source, _) = split_layer_path(path);
    if pg_source(&source).is_some() {
        return "PostGIS (PG:)".to_string();
    }
    source
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(extension_of)
        .map(|e| format!(".{e}"))
        .unwrap_or_else(|| source.display().to_string())
}

/// Why the source of `path` cannot be read, or `None` when it may be: a `PG:` string is not
/// checked (GDAL connects when it is read); a `.gdb` must be a folder; anything else a regular
/// file (see [`super::regular_file_problem`]).
pub fn source_problem(path: &Path) -> Option<Text> {
    let (source, _) = split_layer_path(path);
    if pg_source(&source).is_some() {
        return None;
    }
    let is_gdb = source
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(extension_of)
        .is_some_and(|e| e == "gdb");
    if !is_gdb {
        return super::regular_file_problem(&source);
    }
    match std::fs::metadata(&source) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some(msg::does_not_exist()),
        Err(e) => Some(msg::cannot_read(&e.to_string())),
        Ok(m) if m.is_dir() => None,
        Ok(_) => Some(msg::gdal_gdb_not_a_directory()),
    }
}

/// The `.gdb` folder a file lies in (a file dialog cannot pick a folder: picking any file of
/// the geodatabase means the geodatabase), or `None`.
pub fn gdb_folder_of(file: &Path) -> Option<PathBuf> {
    let parent = file.parent()?;
    let name = parent.file_name()?.to_str()?;
    (extension_of(name).as_deref() == Some("gdb")).then(|| parent.to_path_buf())
}

/// Without the `gdal` feature: the one-line error saying how to get a build that reads `path`.
#[cfg(not(feature = "gdal"))]
pub fn read_gdal(path: &Path, _keep: Option<RecordFilter<'_>>) -> Result<RawLayer, LoadError> {
    Err(LoadError::new(
        msg::gdal_feature_needed(&kind_of(path)),
        path,
    ))
}

/// Without the `gdal` feature: the one-line error saying how to get a build that reads `path`.
#[cfg(not(feature = "gdal"))]
pub fn polygon_layers(path: &Path) -> Result<Vec<String>, LoadError> {
    Err(LoadError::new(
        msg::gdal_feature_needed(&kind_of(path)),
        path,
    ))
}

#[cfg(feature = "gdal")]
pub use reader::{polygon_layers, read_gdal};

#[cfg(feature = "gdal")]
mod reader {
    use super::{msg, pg_source, source_problem, split_layer_path, LoadError};
    use crate::io::gpkg::{parse_wkb, BlobProblem};
    use crate::model::{RawLayer, RawRecord, RawRing, RawShape, RecordFilter, Text, Unusable};
    use gdal::vector::{geometry_type_flatten, Geometry, LayerAccess};
    use gdal::{Dataset, DatasetOptions, GdalOpenFlags};
    use gdal_sys::{CPLErr, OGRFieldType, OGRwkbGeometryType};
    use geo::Coord;
    use sha2::{Digest, Sha256};
    use std::cell::RefCell;
    use std::path::{Path, PathBuf};

    // -----------------------------------------------------------------------------------------
    // GDAL's errors and warnings, collected on this thread while a layer is read

    thread_local! {
        static CPL_MESSAGES: RefCell<Vec<(CPLErr::Type, String)>> = const { RefCell::new(Vec::new()) };
    }

    /// The error handler pushed while reading: keeps each message for the reader (nothing is
    /// printed). Must not unwind into C: a busy cell drops the message instead of panicking.
    unsafe extern "C" fn collect(
        class: CPLErr::Type,
        _number: gdal_sys::CPLErrorNum,
        text: *const std::ffi::c_char,
    ) {
        let text = if text.is_null() {
            String::new()
        } else {
            // SAFETY: GDAL passes a NUL-terminated message valid for the call.
            unsafe { std::ffi::CStr::from_ptr(text) }
                .to_string_lossy()
                .into_owned()
        };
        let _ = CPL_MESSAGES.try_with(|m| {
            if let Ok(mut m) = m.try_borrow_mut() {
                m.push((class, text));
            }
        });
    }

    /// GDAL's messages on this thread go to [`collect`] until dropped (GDAL's handler stack is
    /// per thread, so loaders reading other layers in parallel are not affected).
    struct Capture;

    impl Capture {
        fn start() -> Capture {
            CPL_MESSAGES.with(|m| m.borrow_mut().clear());
            // SAFETY: pushes a handler on this thread's stack; popped in `drop`.
            unsafe { gdal_sys::CPLPushErrorHandler(Some(collect)) };
            Capture
        }

        fn take(&self) -> Vec<(CPLErr::Type, String)> {
            CPL_MESSAGES.with(|m| std::mem::take(&mut *m.borrow_mut()))
        }
    }

    impl Drop for Capture {
        fn drop(&mut self) {
            // SAFETY: pops the handler `start` pushed on this thread.
            unsafe { gdal_sys::CPLPopErrorHandler() };
        }
    }

    /// A thread-local GDAL configuration option, cleared when dropped.
    struct ThreadOption(&'static str);

    impl ThreadOption {
        fn set(key: &'static str, value: &str) -> ThreadOption {
            let _ = gdal::config::set_thread_local_config_option(key, value);
            ThreadOption(key)
        }
    }

    impl Drop for ThreadOption {
        fn drop(&mut self) {
            let _ = gdal::config::clear_thread_local_config_option(self.0);
        }
    }

    fn error_text(e: &gdal::errors::GdalError) -> String {
        match e {
            gdal::errors::GdalError::NullPointer { msg, .. } if !msg.is_empty() => msg.clone(),
            other => other.to_string(),
        }
    }

    // -----------------------------------------------------------------------------------------
    // Opening and choosing the layer

    fn open(path: &Path) -> Result<(Dataset, Option<String>), LoadError> {
        let (source, wanted) = split_layer_path(path);
        if let Some(problem) = source_problem(path) {
            return Err(LoadError::new(problem, path));
        }
        let options = DatasetOptions {
            open_flags: GdalOpenFlags::GDAL_OF_VECTOR | GdalOpenFlags::GDAL_OF_READONLY,
            ..DatasetOptions::default()
        };
        let ds = Dataset::open_ex(&source, options)
            .map_err(|e| LoadError::new(msg::gdal_cannot_open(&error_text(&e)), path))?;
        Ok((ds, wanted))
    }

    /// Polygonal geometry types, and those that may hold polygons (unknown, collections: DXF
    /// and KML layers are typically "unknown").
    fn may_hold_polygons(ty: OGRwkbGeometryType::Type) -> bool {
        use OGRwkbGeometryType as T;
        matches!(
            geometry_type_flatten(ty),
            T::wkbPolygon
                | T::wkbMultiPolygon
                | T::wkbCurvePolygon
                | T::wkbMultiSurface
                | T::wkbUnknown
                | T::wkbGeometryCollection
        )
    }

    /// Every layer of the source: (index, name, geometry type).
    fn layers_of(ds: &Dataset) -> Vec<(usize, String, OGRwkbGeometryType::Type)> {
        ds.layers()
            .enumerate()
            .map(|(i, l)| (i, l.name(), l.defn().geometry_type()))
            .collect()
    }

    /// The layers of the source at `path` that may hold polygons, in the source's order (for the
    /// app's layer chooser).
    pub fn polygon_layers(path: &Path) -> Result<Vec<String>, LoadError> {
        let _capture = Capture::start();
        let (ds, _) = open(path)?;
        Ok(layers_of(&ds)
            .into_iter()
            .filter(|(_, _, ty)| may_hold_polygons(*ty))
            .map(|(_, name, _)| name)
            .collect())
    }

    fn choose_layer(
        layers: &[(usize, String, OGRwkbGeometryType::Type)],
        wanted: Option<&str>,
        source: &str,
    ) -> Result<usize, Text> {
        let candidates: Vec<String> = layers
            .iter()
            .filter(|(_, _, ty)| may_hold_polygons(*ty))
            .map(|(_, n, _)| n.clone())
            .collect();
        match wanted {
            Some(w) => {
                let found = layers
                    .iter()
                    .find(|(_, n, _)| n == w)
                    .or_else(|| layers.iter().find(|(_, n, _)| n.eq_ignore_ascii_case(w)));
                match found {
                    None => {
                        let all: Vec<String> = layers.iter().map(|(_, n, _)| n.clone()).collect();
                        Err(msg::gdal_no_such_layer(w, &all))
                    }
                    Some((_, _, ty)) if !may_hold_polygons(*ty) => {
                        Err(msg::not_polygons(&gdal::vector::geometry_type_to_name(*ty)))
                    }
                    Some((i, _, _)) => Ok(*i),
                }
            }
            None => match candidates.as_slice() {
                [] => {
                    let all: Vec<String> = layers.iter().map(|(_, n, _)| n.clone()).collect();
                    Err(msg::gdal_no_polygon_layer(&all))
                }
                [one] => layers
                    .iter()
                    .find(|(_, n, _)| n == one)
                    .map(|(i, _, _)| *i)
                    .ok_or_else(|| msg::gdal_no_polygon_layer(&candidates)),
                several => Err(msg::gdal_several_layers(several, source)),
            },
        }
    }

    /// The source as the several-layers message shows it: the file name, or the `PG:` string.
    fn source_label(path: &Path) -> String {
        let (source, _) = split_layer_path(path);
        if let Some(pg) = pg_source(&source) {
            return pg.to_string();
        }
        source
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| source.display().to_string())
    }

    // -----------------------------------------------------------------------------------------
    // Reading

    /// Reads a polygon layer through GDAL. `path` is the layer path as the review gives it
    /// (`plan.gdb`, `plan.gdb#zones`, `drawing.dxf`, `PG:dbname=x#zones`); errors name it.
    /// Records `keep` rejects (by their box in the source's CRS) are counted in `filtered_out`.
    /// A feature whose geometry is null, empty, not polygonal or unreadable is [`Unusable`]
    /// (its FID is the record number), with a warning; a layer of which no feature is a polygon
    /// is an error, and so is any error GDAL reports while reading.
    pub fn read_gdal(path: &Path, keep: Option<RecordFilter<'_>>) -> Result<RawLayer, LoadError> {
        let err = |m: Text| LoadError::new(m, path);
        let capture = Capture::start();
        // Closed polylines in DXF are how parcels are drawn in CAD: read them as polygons.
        let _dxf = ThreadOption::set("DXF_CLOSED_LINE_AS_POLYGON", "TRUE");
        let (ds, wanted) = open(path)?;
        let layers = layers_of(&ds);
        let index = choose_layer(&layers, wanted.as_deref(), &source_label(path)).map_err(err)?;
        let mut content = Sha256::new();
        let (name, mut raw, declared) = {
            let mut layer = ds
                .layer(index)
                .map_err(|e| err(msg::gdal_cannot_open(&error_text(&e))))?;
            let raw = read_layer(&mut layer, &mut content).map_err(err)?;
            (layer.name(), raw, layer.try_feature_count())
        };
        raw.encoding = Some(msg::gdal_encoding(&ds.driver().short_name()));
        let messages = capture.take();
        if let Some((_, why)) = messages
            .iter()
            .find(|(class, _)| *class == CPLErr::CE_Failure || *class == CPLErr::CE_Fatal)
        {
            return Err(err(msg::gdal_read_failed(&name, why)));
        }
        if let Some(declared) = declared {
            if declared != raw.records_in_file as u64 {
                return Err(err(msg::gdal_count_mismatch(
                    &name,
                    raw.records_in_file,
                    declared,
                )));
            }
        }
        let gdal_warnings: Vec<Text> = messages
            .iter()
            .filter(|(class, _)| *class == CPLErr::CE_Warning)
            .map(|(_, why)| msg::gdal_warning(why))
            .collect();
        raw.warnings.splice(0..0, gdal_warnings);
        // Hashes: every file GDAL reports for the source (a .gdb: all its files); a source
        // without files (PostGIS) is fingerprinted by the features read.
        let files = file_list(&ds);
        drop(ds);
        let mut hashes = Vec::with_capacity(files.len());
        for f in &files {
            hashes.push(hash_file(f).map_err(|e| LoadError::new(msg::cannot_read(&e), f))?);
        }
        raw.sha256 = Some(match hashes.as_slice() {
            [one] => one.sha256.clone(),
            [] => hex(&content.finalize()).into(),
            several => {
                let mut all = Sha256::new();
                for h in several {
                    all.update(format!("{}  {}\n", h.sha256, h.file));
                }
                hex(&all.finalize()).into()
            }
        });
        raw.files = hashes;
        if let Some(keep) = keep {
            let before = raw.records.len();
            raw.records
                .retain(|r| ring_box(r.shape.rings().flatten(), None).is_none_or(|b| keep(&b)));
            raw.filtered_out = before - raw.records.len();
        }
        Ok(raw)
    }

    fn hex(bytes: &[u8]) -> String {
        use std::fmt::Write;
        let mut s = String::with_capacity(bytes.len() * 2);
        for b in bytes {
            let _ = write!(s, "{b:02x}");
        }
        s
    }

    /// SHA-256 of a file, streamed, named by its path inside a `.gdb` folder's parent
    /// (`plan.gdb/a00000009.gdbtable`) or by its file name.
    fn hash_file(file: &Path) -> Result<crate::io::FileHash, String> {
        let mut f = std::fs::File::open(file).map_err(|e| e.to_string())?;
        let mut hasher = Sha256::new();
        std::io::copy(&mut f, &mut hasher).map_err(|e| e.to_string())?;
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| file.display().to_string());
        let name =
            match super::gdb_folder_of(file).and_then(|g| g.file_name().map(|n| n.to_owned())) {
                Some(gdb) => format!("{}/{name}", gdb.to_string_lossy()),
                None => name,
            };
        Ok(crate::io::FileHash {
            file: name,
            sha256: hex(&hasher.finalize()).into(),
        })
    }

    /// The files of the dataset (GDALGetFileList), sorted; none for a database.
    fn file_list(ds: &Dataset) -> Vec<PathBuf> {
        let mut out = Vec::new();
        // SAFETY: the list is NULL-terminated and owned by us (freed with CSLDestroy); each
        // entry is a NUL-terminated string.
        unsafe {
            let list = gdal_sys::GDALGetFileList(ds.c_dataset());
            if list.is_null() {
                return out;
            }
            let mut k = 0;
            loop {
                let entry = *list.add(k);
                if entry.is_null() {
                    break;
                }
                let s = std::ffi::CStr::from_ptr(entry)
                    .to_string_lossy()
                    .into_owned();
                out.push(PathBuf::from(s));
                k += 1;
            }
            gdal_sys::CSLDestroy(list);
        }
        out.retain(|p| p.is_file());
        out.sort();
        out.dedup();
        out
    }

    fn ring_box<'a>(
        coords: impl Iterator<Item = &'a Coord<f64>>,
        start: Option<geo::Rect<f64>>,
    ) -> Option<geo::Rect<f64>> {
        let mut b = start;
        crate::io::extend_extent(&mut b, coords);
        b
    }

    /// The CRS of the layer: `EPSG:CODE` when GDAL names an EPSG code, else its WKT; `None`
    /// when the layer has none (DXF).
    fn crs_of(layer: &gdal::vector::Layer<'_>) -> Option<String> {
        let srs = layer.spatial_ref()?;
        if srs
            .auth_name()
            .is_some_and(|a| a.eq_ignore_ascii_case("EPSG"))
        {
            if let Ok(code) = srs.auth_code() {
                if code > 0 {
                    return Some(format!("EPSG:{code}"));
                }
            }
        }
        srs.to_wkt().ok().filter(|w| !w.trim().is_empty())
    }

    /// An attribute as text: integers as such, reals in their shortest form, text trimmed
    /// (empty or NULL → none), anything else as GDAL writes it.
    fn attr_text(
        feature: &gdal::vector::Feature<'_>,
        k: usize,
        ty: OGRFieldType::Type,
    ) -> Option<String> {
        if ty == OGRFieldType::OFTReal {
            if let Ok(v) = feature.field_as_double(k) {
                return v.map(|v| v.to_string());
            }
        }
        let s = feature.field_as_string(k).ok()??;
        let t = s.trim();
        (!t.is_empty()).then(|| t.to_string())
    }

    /// Why a feature gives no polygons: a geometry of another type (its name), or another
    /// reason.
    enum NoPolygons {
        Other(String),
        Why(Text),
    }

    /// The polygons of a feature's geometry (linearized when it has curves; the flag says
    /// whether it had true arcs), or why it has none.
    fn polygons_of(g: &Geometry) -> Result<(Vec<Vec<RawRing>>, bool), NoPolygons> {
        // SAFETY: `c_geometry` is only compared with NULL here (a feature without geometry).
        if unsafe { g.c_geometry() }.is_null() {
            return Err(NoPolygons::Why(msg::null_geometry()));
        }
        if g.is_empty() {
            return Err(NoPolygons::Why(msg::empty_geometry()));
        }
        let (wkb, curved) = match linearized_wkb(g) {
            Some(linear) => linear,
            None => (
                g.iso_wkb()
                    .map_err(|e| NoPolygons::Why(msg::gdal_bad_geometry(&e.to_string())))?,
                false,
            ),
        };
        match parse_wkb(&wkb) {
            Ok(polys) if polys.is_empty() => Err(NoPolygons::Why(msg::empty_geometry())),
            Ok(polys) => Ok((polys, curved)),
            Err(BlobProblem::Empty) => Err(NoPolygons::Why(msg::empty_geometry())),
            Err(BlobProblem::NotPolygon(_)) => Err(NoPolygons::Other(g.geometry_name())),
            Err(BlobProblem::Bad(why)) => Err(NoPolygons::Why(msg::gdal_bad_geometry(&why))),
        }
    }

    /// For a geometry with curve types (CurvePolygon, MultiSurface, …): its linear
    /// approximation as ISO WKB (GDAL's default step), and whether it had true arcs. `None`
    /// for a linear geometry or when GDAL cannot linearize it (then its own WKB is read, and a
    /// curve type in it makes the record unusable).
    fn linearized_wkb(g: &Geometry) -> Option<(Vec<u8>, bool)> {
        // SAFETY: the handle is valid while `g` lives; the linear copy is ours and destroyed
        // here; the buffer has the size GDAL asks for.
        unsafe {
            let h = g.c_geometry();
            if gdal_sys::OGR_G_HasCurveGeometry(h, 0) == 0 {
                return None;
            }
            let arcs = gdal_sys::OGR_G_HasCurveGeometry(h, 1) != 0;
            let linear = gdal_sys::OGR_G_GetLinearGeometry(h, 0.0, std::ptr::null_mut());
            if linear.is_null() {
                return None;
            }
            let size = gdal_sys::OGR_G_WkbSizeEx(linear);
            let mut buf = vec![0u8; size];
            let rv = gdal_sys::OGR_G_ExportToIsoWkb(
                linear,
                gdal_sys::OGRwkbByteOrder::wkbNDR,
                buf.as_mut_ptr(),
            );
            gdal_sys::OGR_G_DestroyGeometry(linear);
            (rv == gdal_sys::OGRErr::OGRERR_NONE).then_some((buf, arcs))
        }
    }

    fn read_layer(
        layer: &mut gdal::vector::Layer<'_>,
        content: &mut Sha256,
    ) -> Result<RawLayer, Text> {
        let field_types: Vec<(String, OGRFieldType::Type)> = layer
            .defn()
            .fields()
            .map(|f| (f.name(), f.field_type()))
            .collect();
        let mut raw = RawLayer {
            fields: field_types.iter().map(|(n, _)| n.clone()).collect(),
            crs: crs_of(layer),
            ..RawLayer::default()
        };
        let mut non_polygon: Vec<String> = Vec::new();
        let mut failed: Vec<(usize, Option<String>, Text)> = Vec::new();
        let mut curved: Vec<usize> = Vec::new();
        let mut position = 0usize;
        for feature in layer.features() {
            let index = feature
                .fid()
                .and_then(|f| usize::try_from(f).ok())
                .unwrap_or(position);
            position += 1;
            let attrs: crate::model::Attrs = field_types
                .iter()
                .enumerate()
                .map(|(k, (_, ty))| attr_text(&feature, k, *ty))
                .collect();
            let id = crate::io::shp::record_id(&raw.fields, &attrs);
            content.update(index.to_le_bytes());
            for a in attrs.iter() {
                content.update(a.unwrap_or("\u{0}").as_bytes());
                content.update([0xff]);
            }
            let Some(g) = feature.geometry() else {
                failed.push((index, id, msg::null_geometry()));
                continue;
            };
            match polygons_of(g) {
                Ok((polys, arcs)) => {
                    for ring in polys.iter().flatten() {
                        for c in ring {
                            content.update(c.x.to_le_bytes());
                            content.update(c.y.to_le_bytes());
                        }
                    }
                    raw.extent = ring_box(polys.iter().flatten().flatten(), raw.extent);
                    if arcs {
                        curved.push(index);
                    }
                    match crate::io::geojson_in::ring_problem(&polys) {
                        Some(why) => failed.push((index, id, why)),
                        None => raw.records.push(RawRecord {
                            index,
                            shape: RawShape::Polygons(polys),
                            attrs,
                        }),
                    }
                }
                Err(NoPolygons::Other(kind)) => {
                    failed.push((index, id, msg::non_polygon_geometry(&kind)));
                    non_polygon.push(kind);
                }
                Err(NoPolygons::Why(why)) => failed.push((index, id, why)),
            }
        }
        raw.records_in_file = position;
        if raw.records.is_empty() && !non_polygon.is_empty() && non_polygon.len() == failed.len() {
            return Err(msg::not_polygons(&non_polygon[0]));
        }
        if let Some(&first) = curved.first() {
            raw.warnings
                .push(msg::gdal_curves_linearized(curved.len(), first));
        }
        for (index, id, reason) in failed {
            raw.warnings.push(msg::record_warning(index, &reason));
            raw.unusable.push(Unusable {
                index: Some(index),
                id,
                reason,
            });
        }
        Ok(raw)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn layer_paths_split_at_the_last_hash_after_a_gdal_extension() {
        let (f, l) = split_layer_path(Path::new("dir/plan.GDB#merged_zones"));
        assert_eq!(f, Path::new("dir/plan.GDB"));
        assert_eq!(l.as_deref(), Some("merged_zones"));
        let (f, l) = split_layer_path(Path::new("PG:dbname=plan host=/tmp#public.zones"));
        assert_eq!(f, Path::new("PG:dbname=plan host=/tmp"));
        assert_eq!(l.as_deref(), Some("public.zones"));
        let (f, l) = split_layer_path(Path::new("dir/a#b.shp"));
        assert_eq!(f, Path::new("dir/a#b.shp"));
        assert_eq!(l, None);
        for p in [
            "x.gdb", "x.gdb/", "x.dxf", "x.TAB#t", "x.mif", "x.kml", "x.kmz", "x.fgb",
        ] {
            assert!(is_gdal_path(Path::new(p)), "{p}");
        }
        assert!(is_gdal_path(Path::new("pg:dbname=x")));
        for p in ["x.shp", "x.gpkg#t", "x.geojson", "gdb", "x.txt"] {
            assert!(!is_gdal_path(Path::new(p)), "{p}");
        }
        assert_eq!(kind_of(Path::new("a/plan.gdb#zones")), ".gdb");
        assert_eq!(kind_of(Path::new("PG:dbname=x#t")), "PostGIS (PG:)");
    }

    #[test]
    fn a_gdb_must_be_a_folder_and_a_file_inside_one_means_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let gdb = dir.path().join("plan.gdb");
        assert!(source_problem(&gdb).unwrap().en.contains("does not exist"));
        std::fs::write(&gdb, b"x").unwrap();
        assert!(source_problem(&gdb).unwrap().en.contains("is a folder"));
        std::fs::remove_file(&gdb).unwrap();
        std::fs::create_dir(&gdb).unwrap();
        assert_eq!(source_problem(&gdb.with_file_name("plan.gdb#zones")), None);
        assert_eq!(source_problem(Path::new("PG:dbname=x#t")), None);
        let dxf = dir.path().join("d.dxf");
        assert!(source_problem(&dxf).unwrap().en.contains("does not exist"));
        assert_eq!(gdb_folder_of(&gdb.join("a00000001.gdbtable")), Some(gdb));
        assert_eq!(gdb_folder_of(&dir.path().join("x.shp")), None);
    }

    /// Without the feature, a GDAL source is refused in one line that says how to enable it.
    #[cfg(not(feature = "gdal"))]
    #[test]
    fn without_the_feature_a_gdal_source_says_how_to_enable_it() {
        let err = read_gdal(Path::new("plan.gdb#zones"), None).unwrap_err();
        assert_eq!(
            err.message.en,
            "reading .gdb needs the gdal feature: cargo build --release --features gdal (with the system's GDAL, see the README's \"Formats\")"
        );
        assert!(err.message.zh.starts_with("读取 .gdb 需要启用 gdal 功能"));
        assert!(!err.in_lang(crate::model::Lang::En).contains('\n'));
    }
}
