//! Reading polygon shapefiles (.shp + .dbf, optional .shx, .prj, .cpg) with every length checked.
//!
//! The `.shp` is walked record by record; no count or length in it is trusted before it is
//! checked against the file size. When the `.shx` is consistent with the file (every entry inside
//! it, in order, not overlapping), its offsets and lengths locate the records, so one record
//! header with a wrong length loses nothing; otherwise the `.shp` is walked in order from its
//! record headers. A record that cannot be read (cut short, impossible counts, a non-finite
//! vertex, a ring of fewer than 3 distinct points, a null or non-polygon shape) goes into
//! [`RawLayer::unusable`] with its 0-based number and the id its `.dbf` row gives (see
//! [`record_id`]); only a file that is not a polygon shapefile is an error.

use super::dbf::{parse_dbf_deferring, parse_dbf_releasing, DbfTable, DeferredValues, LabelFrom};
use super::digest::Sha256Hex;
use super::{map_regular_file, read_regular_file, sibling_file, FileHash, LoadError};
use crate::messages::io as msg;
use crate::model::{RawLayer, RawRecord, RawRing, RawShape, RecordFilter, Text, Unusable};
use crate::spatial::overlay::grow_box;
use geo::{Coord, Rect};
use rayon::prelude::*;
use std::path::Path;

const FILE_CODE: i32 = 9994;
const VERSION: i32 = 1000;
const SHP_HEADER_LEN: usize = 100;
const RECORD_HEADER_LEN: usize = 8;
/// Records parsed by one task when the `.shx` locates them.
const WALK_CHUNK: usize = 16_384;

/// Reads the polygon shapefile whose `.shp` is `path`, with its `.dbf` (required), `.shx`,
/// `.prj` and `.cpg` found beside it whatever the case of their extensions.
///
/// Records are paired with `.dbf` rows by position. Records that cannot be used are listed in
/// `unusable` (and warned about); rows deleted in the `.dbf` are skipped with a warning; warnings
/// name the record (0-based, like QGIS's FID) but not the file, which the caller adds.
///
/// Errors (naming the `.shp` or `.dbf`): unreadable, non-regular or empty file, not a shapefile,
/// truncated header, a layer that is not polygons, a missing `.dbf` or a `.dbf` whose header
/// makes no sense.
pub fn read_shapefile(path: &Path) -> Result<RawLayer, LoadError> {
    read_shapefile_with(path, None, None)
}

/// As [`read_shapefile`], with the attributes' text encoding set by the user (a label such as
/// "GBK" or "UTF-8", the review's `encoding_of`) in place of the `.cpg` file and detection.
pub fn read_shapefile_with_encoding(
    path: &Path,
    encoding: Option<&str>,
) -> Result<RawLayer, LoadError> {
    read_shapefile_with(path, None, encoding)
}

/// Like [`read_shapefile_with_encoding`]; records whose bounding box `keep` rejects are walked
/// and checked for structure (malformed ones are still unusable) but neither decoded nor kept,
/// and their `.dbf` rows are not decoded. Every file read is hashed (SHA-256) alongside.
pub fn read_shapefile_with(
    path: &Path,
    keep: Option<RecordFilter<'_>>,
    encoding: Option<&str>,
) -> Result<RawLayer, LoadError> {
    read_shapefile_inner(path, keep, encoding, false, None)
}

/// As [`read_shapefile_with`], the `.shp` and `.dbf` taken from `hashed` (mapped and hashed
/// beforehand, see [`hash_ahead`]) instead of mapped and hashed now.
pub fn read_shapefile_hashed(
    path: &Path,
    keep: Option<RecordFilter<'_>>,
    encoding: Option<&str>,
    hashed: HashedAhead,
) -> Result<RawLayer, LoadError> {
    read_shapefile_inner(path, keep, encoding, false, Some(hashed))
}

/// A shapefile's `.shp` and `.dbf`, mapped and hashed ahead of their reading: the loader
/// hashes the layers it reads through the spatial filter while it waits for PROJ and reads the
/// zones, and reads them once the zones are known. Both are the mappings the reading then
/// parses, so the hashes are of the bytes read (as when they are hashed beside the reading).
pub struct HashedAhead {
    shp: (crate::io::FileBytes, String),
    dbf: (crate::io::FileBytes, String),
}

/// Maps and hashes the `.shp` of `path` and its `.dbf` (each hash letting the pages go behind
/// it); `None` when either cannot be mapped (the reading then meets the problem and reports it
/// as usual).
pub fn hash_ahead(path: &Path) -> Option<HashedAhead> {
    let dbf_path = sibling_file(path, "dbf")?;
    let hashed = |p: &Path| -> Option<(crate::io::FileBytes, String)> {
        let bytes = map_regular_file(p).ok()?;
        let sha256 = bytes.sha256_hex_releasing();
        Some((bytes, sha256))
    };
    let (shp, dbf) = rayon::join(|| hashed(path), || hashed(&dbf_path));
    Some(HashedAhead {
        shp: shp?,
        dbf: dbf?,
    })
}

/// As [`read_shapefile_with_encoding`], except that the records' coordinates stay in the mapped
/// file: every record is walked and checked as usual (an unusable one is listed the same way)
/// but comes with an empty shape, taken later from [`RawLayer::mapped`]
/// ([`MappedShapes::shape`]), a run at a time. Its values stay in the `.dbf` too when they can
/// be decoded later exactly as now ([`crate::io::dbf::parse_dbf_deferring`]; a record that
/// cannot be used is named from its values at once): each record's `attrs` is then empty
/// until taken with [`MappedShapes::attrs`]. For a large layer whose features are mostly let go
/// once repaired: their coordinates are never all held at once, and the values of those let
/// go are never decoded. A file too small to be mapped is read as usual.
pub fn read_shapefile_deferred(path: &Path, encoding: Option<&str>) -> Result<RawLayer, LoadError> {
    read_shapefile_inner(path, None, encoding, true, None)
}

/// The coordinates of a shapefile's records, in the mapped `.shp`, and maybe their values, in
/// the `.dbf` ([`read_shapefile_deferred`]).
#[derive(Clone)]
pub struct MappedShapes {
    bytes: std::sync::Arc<crate::io::FileBytes>,
    shape_type: i32,
    /// Per record number: where its content is, `(start, length)` in bytes.
    spans: Vec<(usize, usize)>,
    /// The records' values, when they were left in the `.dbf` too
    /// ([`crate::io::dbf::parse_dbf_deferring`]): each record's `attrs` is then empty until
    /// taken from there ([`MappedShapes::attrs`]).
    values: Option<DeferredValues>,
}

impl std::fmt::Debug for MappedShapes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MappedShapes({} records)", self.spans.len())
    }
}

impl MappedShapes {
    /// The shape of record `index` (0-based record number), read as when the file was walked.
    /// An error only when the file changed under the mapping since (the record then cannot be
    /// used, and is reported so).
    pub fn shape(&self, index: usize) -> Result<RawShape, Text> {
        let content = self
            .spans
            .get(index)
            .and_then(|&(start, len)| self.bytes.get(start..start.checked_add(len)?));
        match content.map(|c| parse_polygon(c, self.shape_type, None).0) {
            Some(Ok(Some(rings))) => Ok(RawShape::Rings(rings)),
            Some(Err(reason)) => Err(reason),
            Some(Ok(None)) | None => Err(msg::changed_while_read()),
        }
    }

    /// The one ring of record `index` into `ring` (cleared first), as [`MappedShapes::shape`]
    /// would give it, when the record is a polygon of one part whose points are all finite and
    /// at least 3 of them distinct; `false` (and `ring` in any state) for any other record,
    /// whose shape [`MappedShapes::shape`] then reads, reporting what it finds.
    pub fn one_ring_into(&self, index: usize, ring: &mut Vec<Coord<f64>>) -> bool {
        ring.clear();
        let Some(c) = self
            .spans
            .get(index)
            .and_then(|&(start, len)| self.bytes.get(start..start.checked_add(len)?))
        else {
            return false;
        };
        if le_i32(c, 0) != Some(self.shape_type)
            || le_i32(c, 36) != Some(1)
            || le_i32(c, 44) != Some(0)
        {
            return false;
        }
        let Some(n) = le_i32(c, 40).and_then(|n| usize::try_from(n).ok()) else {
            return false;
        };
        let Some(points) = c.get(48..).and_then(|p| p.get(..n.checked_mul(16)?)) else {
            return false;
        };
        ring.reserve(n);
        for p in points.chunks_exact(16) {
            let (Some(x), Some(y)) = (le_f64(p, 0), le_f64(p, 8)) else {
                return false;
            };
            if !(x.is_finite() && y.is_finite()) {
                return false;
            }
            ring.push(Coord { x, y });
        }
        distinct_points(ring) >= 3
    }

    /// The values of record `index`: from the `.dbf` when they were left there, else
    /// `current` (the values read with the record).
    pub fn attrs(&self, index: usize, current: crate::model::Attrs) -> crate::model::Attrs {
        match &self.values {
            Some(values) => values.row(index).unwrap_or(current),
            None => current,
        }
    }

    /// Whether the records' values were left in the `.dbf` ([`MappedShapes::attrs`]).
    pub fn values_deferred(&self) -> bool {
        self.values.is_some()
    }

    /// Lets the system take back the `.dbf` pages of records `first..=last` (their values
    /// taken), when the values were left there.
    pub fn release_values(&self, first: usize, last: usize) {
        if let Some(values) = &self.values {
            values.release(first, last);
        }
    }

    /// Lets the system take back the pages of records `first..=last` (done with).
    pub fn release(&self, first: usize, last: usize) {
        if let (Some(&(start, _)), Some(&(end, len))) =
            (self.spans.get(first), self.spans.get(last))
        {
            if let Some(run) = self
                .bytes
                .get(start..end.saturating_add(len).min(self.bytes.len()))
            {
                self.bytes.release(run);
            }
        }
    }
}

/// A `.shp` walked: its records, the `.shx`'s entries (when usable), warnings, the `.shx`'s
/// hash.
type Walked = (Walk, Option<ShxEntries>, Vec<Text>, Vec<FileHash>);

fn read_shapefile_inner(
    path: &Path,
    keep: Option<RecordFilter<'_>>,
    encoding: Option<&str>,
    defer: bool,
    hashed: Option<HashedAhead>,
) -> Result<RawLayer, LoadError> {
    let (bytes, shp_sha256, mut dbf_hashed) = match hashed {
        Some(HashedAhead { shp, dbf }) => (shp.0, Some(shp.1), Some(dbf)),
        None => (map_regular_file(path)?, None, None),
    };
    let bytes = std::sync::Arc::new(bytes);
    // The .shp's hash: known (hashed ahead), or worked out in the background.
    let sha256 = match shp_sha256 {
        Some(hex) => Sha256Hex::known(hex),
        None => hash_of(&bytes),
    };
    // Deferred: every record is checked without being built (a filter that takes none), and
    // kept with its values.
    let defer = defer && matches!(*bytes, crate::io::FileBytes::Mapped(_));
    let take_none = |_: &Rect<f64>| false;
    let keep: Option<RecordFilter<'_>> = if defer { Some(&take_none) } else { keep };
    let header = parse_header(&bytes).map_err(|m| LoadError::new(m, path))?;
    let dbf_path =
        sibling_file(path, "dbf").ok_or_else(|| LoadError::new(msg::missing_dbf(), path))?;

    // The .prj and .cpg first (small): the .cpg names the .dbf's encoding.
    let mut sibling_warnings = Vec::new();
    let mut siblings = Vec::new();
    let crs =
        sibling_text(path, "prj", &mut sibling_warnings, &mut siblings).filter(|s| !s.is_empty());
    let cpg_file = sibling_text(path, "cpg", &mut sibling_warnings, &mut siblings);
    let label = match encoding {
        Some(label) => Some((label, LabelFrom::Review)),
        None => cpg_file.as_deref().map(|c| (c, LabelFrom::CpgFile)),
    };

    // The .shp walked, letting the system take back the pages behind it (a mapped file read
    // once).
    let release = |part: &[u8]| bytes.release(part);
    let shp_side = || -> Walked {
        let mut warnings = header.warnings.clone();
        let mut files = Vec::new();
        let shx = match sibling_file(path, "shx") {
            None => {
                warnings.push(msg::no_shx());
                None
            }
            Some(shx_path) => match read_regular_file(&shx_path) {
                Ok(shx) => {
                    files.push(FileHash::of(&shx_path, &shx));
                    Some(shx)
                }
                Err(e) => {
                    warnings.push(msg::cannot_read_sibling("shx", &e.message.en));
                    None
                }
            },
        };
        let index = shx.as_deref().and_then(|shx| shx_index(shx, bytes.len()));
        let walk = match &index {
            Some(index) => walk_indexed(&bytes, &header, index, keep, &release),
            None => {
                let walk = walk_records(&bytes, &header, keep);
                if let Some(shx) = &shx {
                    check_shx(shx, &walk.offsets, &mut warnings);
                }
                walk
            }
        };
        (walk, index, warnings, files)
    };
    // The .dbf: its hash (in the background when mapped) and its decoding; the rows wanted,
    // when a filter leaves records out, as the walk found them.
    type DbfRead = (FileHash, DbfTable, Option<DeferredValues>);
    let dbf_side = |walk: Option<&Walk>,
                    hashed: Option<(crate::io::FileBytes, String)>|
     -> Result<DbfRead, LoadError> {
        let (dbf, sha256) = match hashed {
            Some((dbf, sha256)) => (dbf, Some(sha256)),
            None => (map_regular_file(&dbf_path)?, None),
        };
        let dbf = std::sync::Arc::new(dbf);
        let dbf_hash = FileHash::named(
            &dbf_path,
            match sha256 {
                Some(hex) => Sha256Hex::known(hex),
                None => hash_of(&dbf),
            },
        );
        let decode = || {
            if defer {
                // Every row wanted, the values maybe left in the file with the shapes.
                return parse_dbf_deferring(&dbf, &dbf_path, label);
            }
            let wanted: Option<Vec<bool>> = walk.map(|walk| {
                walk.shapes
                    .iter()
                    // Unusable records' rows too: their id names them in messages.
                    .map(|s| !matches!(s, Ok(None)))
                    .collect()
            });
            parse_dbf_releasing(&dbf, &dbf_path, label, wanted.as_deref()).map(|t| (t, None))
        };
        let (table, values) = decode()?;
        Ok((dbf_hash, table, values))
    };
    let filtered = keep.is_some() && !defer;
    let (walked, dbf_read) = if filtered {
        // The walk says which rows to decode: the .dbf after it.
        let shp = shp_side();
        let dbf = dbf_side(Some(&shp.0), dbf_hashed.take());
        (shp, dbf)
    } else {
        // Every row wanted: both files side by side.
        rayon::join(shp_side, || dbf_side(None, dbf_hashed.take()))
    };
    let (walk, index, mut warnings, mut files) = walked;
    warnings.extend(sibling_warnings);
    let (dbf_hash, table, values) = dbf_read?;
    let mapped = if defer {
        // Where each record's content is: as the walk found it (the .shx's length when it
        // is consistent, else the record header's).
        let spans = match index {
            Some(index) => index
                .into_iter()
                .map(|(offset, len)| (offset + RECORD_HEADER_LEN, len))
                .collect(),
            None => walk
                .offsets
                .iter()
                .map(|&offset| {
                    let offset = offset as usize;
                    let words = be_i32(&bytes, offset + 4).and_then(|w| usize::try_from(w).ok());
                    (
                        offset + RECORD_HEADER_LEN,
                        words.unwrap_or(0).saturating_mul(2),
                    )
                })
                .collect(),
        };
        Some(MappedShapes {
            bytes,
            shape_type: header.shape_type,
            spans,
            values,
        })
    } else {
        drop(bytes);
        None
    };
    files.push(dbf_hash);
    files.extend(siblings);
    let mut layer = pair(
        walk,
        table,
        crs,
        warnings,
        mapped.is_some(),
        mapped.as_ref().and_then(|m| m.values.as_ref()),
    );
    layer.mapped = mapped;
    layer.files = std::iter::once(FileHash {
        file: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        sha256: sha256.clone(),
    })
    .chain(files)
    .collect();
    layer.sha256 = Some(sha256);
    Ok(layer)
}

/// The SHA-256 of a file's bytes: a mapped file's worked out in the background (a county's
/// farmland held its reading back ~17 ms, see [`crate::io::digest`]), bytes read into memory
/// (under 1 MiB) hashed now.
fn hash_of(bytes: &std::sync::Arc<crate::io::FileBytes>) -> Sha256Hex {
    match **bytes {
        crate::io::FileBytes::Mapped(_) => Sha256Hex::in_background(bytes.clone()),
        crate::io::FileBytes::Read(ref b) => Sha256Hex::of(b),
    }
}

/// Trimmed text of a sibling file (BOM removed, hashed into `files`), `None` when there is none.
fn sibling_text(
    path: &Path,
    ext: &str,
    warnings: &mut Vec<Text>,
    files: &mut Vec<FileHash>,
) -> Option<String> {
    let sibling = sibling_file(path, ext)?;
    match read_regular_file(&sibling) {
        Ok(b) => {
            files.push(FileHash::of(&sibling, &b));
            Some(
                String::from_utf8_lossy(&b)
                    .trim_start_matches('\u{feff}')
                    .trim()
                    .to_string(),
            )
        }
        Err(e) => {
            warnings.push(msg::cannot_read_sibling(ext, &e.message.en));
            None
        }
    }
}

/// The checked main-file header.
#[derive(Debug)]
struct Header {
    shape_type: i32,
    warnings: Vec<Text>,
    /// Where the header says the file ends (may differ from the real size).
    declared_len: u64,
}

fn be_i32(bytes: &[u8], at: usize) -> Option<i32> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

fn le_i32(bytes: &[u8], at: usize) -> Option<i32> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

fn le_f64(bytes: &[u8], at: usize) -> Option<f64> {
    let b = bytes.get(at..at.checked_add(8)?)?;
    Some(f64::from_le_bytes([
        b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
    ]))
}

/// Name of a shape type code, `None` if the code is not one.
fn shape_type_name(t: i32) -> Option<&'static str> {
    Some(match t {
        0 => "Null",
        1 => "Point",
        3 => "Polyline",
        5 => "Polygon",
        8 => "Multipoint",
        11 => "PointZ",
        13 => "PolylineZ",
        15 => "PolygonZ",
        18 => "MultipointZ",
        21 => "PointM",
        23 => "PolylineM",
        25 => "PolygonM",
        28 => "MultipointM",
        31 => "Multipatch",
        _ => return None,
    })
}

fn type_label(t: i32) -> String {
    shape_type_name(t).map_or_else(|| format!("{t} (unknown)"), str::to_string)
}

/// Checks the 100-byte header of a `.shp` (or `.shx`); the error is a message without the path.
fn parse_header(bytes: &[u8]) -> Result<Header, Text> {
    let size = bytes.len();
    if size == 0 {
        return Err(msg::file_empty());
    }
    if let Some(code) = be_i32(bytes, 0) {
        if code != FILE_CODE {
            return Err(msg::not_a_shapefile(code, FILE_CODE));
        }
    }
    let truncated = || msg::truncated_shp_header(size, SHP_HEADER_LEN);
    if size < SHP_HEADER_LEN {
        return Err(truncated());
    }
    let mut warnings = Vec::new();
    let length_words = be_i32(bytes, 24).ok_or_else(truncated)?;
    let version = le_i32(bytes, 28).ok_or_else(truncated)?;
    let shape_type = le_i32(bytes, 32).ok_or_else(truncated)?;

    let declared_len = u64::try_from(length_words).map_or(0, |w| w * 2);
    if declared_len != size as u64 {
        warnings.push(msg::header_file_length(declared_len, size));
    }
    if version != VERSION {
        warnings.push(msg::unexpected_shp_version(version, VERSION));
    }
    match shape_type {
        0 | 5 | 15 | 25 => {}
        t => {
            return Err(match shape_type_name(t) {
                Some(name) => msg::not_polygons(name),
                None => msg::unknown_shape_type(t),
            })
        }
    }
    Ok(Header {
        shape_type,
        warnings,
        declared_len,
    })
}

/// One record's result: its rings (`None`: left out by the filter), or why it cannot be used.
type Shape = Result<Option<Vec<RawRing>>, Text>;

/// The result of walking the `.shp`: one entry per record found.
struct Walk {
    shapes: Vec<Shape>,
    /// Byte offset of each record header, for checking the `.shx`.
    offsets: Vec<u64>,
    /// Warnings about the file after the last record (trailing bytes) or about record headers.
    tail_warnings: Vec<Text>,
    /// Box of every finite point of every record (filtered or not).
    extent: Option<Rect<f64>>,
}

impl Walk {
    fn new() -> Walk {
        Walk {
            shapes: Vec::new(),
            offsets: Vec::new(),
            tail_warnings: Vec::new(),
            extent: None,
        }
    }

    fn push(
        &mut self,
        offset: usize,
        content: &[u8],
        header: &Header,
        keep: Option<RecordFilter<'_>>,
    ) {
        let (shape, bbox) = parse_polygon(content, header.shape_type, keep);
        if let Some(b) = bbox {
            grow_box(&mut self.extent, b);
        }
        self.offsets.push(offset as u64);
        self.shapes.push(shape);
    }
}

/// Walks the records from offset 100 to the real end of the file, following record headers.
fn walk_records(bytes: &[u8], header: &Header, keep: Option<RecordFilter<'_>>) -> Walk {
    let end = bytes.len();
    let mut walk = Walk::new();
    let mut pos = SHP_HEADER_LEN;
    while pos < end {
        let index = walk.shapes.len();
        let remaining = end - pos;
        let beyond_declared = pos as u64 >= header.declared_len;
        let Some(record_header) = bytes.get(pos..pos + RECORD_HEADER_LEN) else {
            walk.tail_warnings.push(msg::trailing_bytes(remaining));
            break;
        };
        if beyond_declared && record_header.iter().all(|&b| b == 0) {
            walk.tail_warnings.push(msg::padding_bytes(remaining));
            break;
        }
        let Some(words) = be_i32(record_header, 4).and_then(|w| u64::try_from(w).ok()) else {
            // The record is there but cannot be located: it and the rest are unusable.
            walk.offsets.push(pos as u64);
            walk.shapes.push(Err(msg::negative_content_length()));
            walk.tail_warnings
                .push(msg::rest_of_shp_unreadable(index, remaining));
            break;
        };
        let content_len = words * 2;
        if RECORD_HEADER_LEN as u64 + content_len > remaining as u64 {
            walk.offsets.push(pos as u64);
            walk.shapes.push(Err(msg::record_cut_short(
                RECORD_HEADER_LEN as u64 + content_len,
                remaining,
            )));
            break;
        }
        // content_len < remaining ≤ usize::MAX, so the conversion cannot fail.
        let content_len = content_len as usize;
        let start = pos + RECORD_HEADER_LEN;
        let content = bytes.get(start..start + content_len).unwrap_or(&[]);
        walk.push(pos, content, header, keep);
        pos = start + content_len;
    }
    walk
}

/// A `.shx`'s entries: each record's (offset, content length) in bytes.
type ShxEntries = Vec<(usize, usize)>;

/// The `.shx` entries as (offset, content length) in bytes, when the index is consistent with a
/// `.shp` of `shp_len` bytes: a valid header, whole 8-byte entries, each record inside the file,
/// in order and not overlapping. `None` otherwise (the `.shp` is then walked in order).
fn shx_index(shx: &[u8], shp_len: usize) -> Option<ShxEntries> {
    parse_header(shx).ok()?;
    let body = shx.get(SHP_HEADER_LEN..)?;
    if body.len() % 8 != 0 || body.is_empty() {
        return None;
    }
    let mut entries = Vec::with_capacity(body.len() / 8);
    let mut end_of_previous = SHP_HEADER_LEN;
    for entry in body.chunks_exact(8) {
        let offset = usize::try_from(be_i32(entry, 0)?).ok()?.checked_mul(2)?;
        let len = usize::try_from(be_i32(entry, 4)?).ok()?.checked_mul(2)?;
        let end = offset.checked_add(RECORD_HEADER_LEN)?.checked_add(len)?;
        if offset < end_of_previous || end > shp_len {
            return None;
        }
        entries.push((offset, len));
        end_of_previous = end;
    }
    Some(entries)
}

/// Walks the records where the consistent `.shx` puts them; a record header whose length
/// disagrees with the `.shx` is a warning, the `.shx`'s length is used.
fn walk_indexed(
    bytes: &[u8],
    header: &Header,
    index: &[(usize, usize)],
    keep: Option<RecordFilter<'_>>,
    release: &(dyn Fn(&[u8]) + Sync),
) -> Walk {
    // The records are located by the index, so runs of them parse independently (in parallel),
    // each into a walk of its own, joined in file order.
    let chunks: Vec<Walk> = index
        .par_chunks(WALK_CHUNK)
        .enumerate()
        .map(|(c, entries)| {
            let mut walk = Walk::new();
            walk.shapes.reserve(entries.len());
            walk.offsets.reserve(entries.len());
            for (k, &(offset, len)) in entries.iter().enumerate() {
                let i = c * WALK_CHUNK + k;
                let header_len = be_i32(bytes, offset + 4).map_or(-1, |w| i64::from(w) * 2);
                if header_len != len as i64 {
                    walk.tail_warnings
                        .push(msg::header_length_fixed_by_shx(i, header_len, len as u64));
                }
                let start = offset + RECORD_HEADER_LEN;
                let content = bytes.get(start..start + len).unwrap_or(&[]);
                walk.push(offset, content, header, keep);
            }
            // The run's bytes are done with (records in file order: from the first's start to
            // the last's end).
            if let (Some(&(first, _)), Some(&(last, len))) = (entries.first(), entries.last()) {
                let end = last.saturating_add(RECORD_HEADER_LEN).saturating_add(len);
                if let Some(run) = bytes.get(first..end.min(bytes.len())) {
                    release(run);
                }
            }
            walk
        })
        .collect();
    let mut walk = Walk::new();
    walk.shapes.reserve(index.len());
    walk.offsets.reserve(index.len());
    for part in chunks {
        walk.shapes.extend(part.shapes);
        walk.offsets.extend(part.offsets);
        walk.tail_warnings.extend(part.tail_warnings);
        if let Some(b) = part.extent {
            grow_box(&mut walk.extent, b);
        }
    }
    // Anything after the last indexed record that is not padding.
    let last_end = index
        .last()
        .map_or(SHP_HEADER_LEN, |&(o, l)| o + RECORD_HEADER_LEN + l);
    let rest = bytes.get(last_end..).unwrap_or(&[]);
    if !rest.is_empty() {
        if rest.iter().all(|&b| b == 0) {
            walk.tail_warnings.push(msg::padding_bytes(rest.len()));
        } else {
            walk.tail_warnings.push(msg::trailing_bytes(rest.len()));
        }
    }
    walk
}

/// Reads one record's content as rings (one per part), checking every count against its length
/// and every ring for finite coordinates and 3 distinct points. Also returns the box of the
/// record's finite points, whatever the outcome.
fn parse_polygon(
    c: &[u8],
    layer_type: i32,
    keep: Option<RecordFilter<'_>>,
) -> (Shape, Option<Rect<f64>>) {
    let len = c.len();
    let Some(t) = le_i32(c, 0) else {
        return (Err(msg::content_too_short(len)), None);
    };
    if t == 0 {
        return (Err(msg::null_shape()), None);
    }
    if t != layer_type {
        return (
            Err(msg::other_shape_type(
                &type_label(t),
                &type_label(layer_type),
            )),
            None,
        );
    }
    let (Some(n_parts), Some(n_points)) = (le_i32(c, 36), le_i32(c, 40)) else {
        return (Err(msg::polygon_record_too_short(len)), None);
    };
    if n_parts < 1 {
        return (Err(msg::bad_part_count(n_parts)), None);
    }
    if n_points < 1 {
        return (Err(msg::bad_point_count(n_points)), None);
    }
    // Both are positive i32 here; sizes in u64 cannot overflow.
    let (n_parts, n_points) = (n_parts as usize, n_points as usize);
    let needed = 44 + 4 * n_parts as u64 + 16 * n_points as u64;
    if needed > len as u64 {
        return (
            Err(msg::counts_do_not_fit(n_parts, n_points, needed, len)),
            None,
        );
    }
    let points_at = 44 + 4 * n_parts;
    // The box of the points themselves (the record's own box field is not trusted).
    let all_points = || points_bbox(c.get(points_at..points_at + 16 * n_points).unwrap_or(&[]));
    // Part starts: 0 first, then increasing and inside the points (read where they are, no
    // list per record).
    let part = |k: usize| le_i32(c, 44 + 4 * k).unwrap_or(-1);
    for k in 0..n_parts {
        let p = part(k);
        let ok = match k {
            0 => p == 0,
            _ => p > part(k - 1) && (p as usize) < n_points,
        };
        if !ok {
            let why = if k == 0 {
                msg::first_part_not_zero(p)
            } else {
                msg::part_not_increasing(k, p, n_points)
            };
            return (Err(why), all_points());
        }
    }
    // Ring k's points: from its part start to the next one (the last to the end).
    let span = |k: usize| {
        let from = part(k) as usize;
        let to = if k + 1 < n_parts {
            part(k + 1) as usize
        } else {
            n_points
        };
        (from, to)
    };
    // Point i; `None` when past the end of the record or not finite (`point_error` says which:
    // the message is worked out only for a record that has one).
    let point = |i: usize| -> Option<Coord<f64>> {
        let at = points_at + 16 * i;
        let (x, y) = (le_f64(c, at)?, le_f64(c, at + 8)?);
        (x.is_finite() && y.is_finite()).then_some(Coord { x, y })
    };
    let point_error = |i: usize| -> Text {
        let at = points_at + 16 * i;
        match (le_f64(c, at), le_f64(c, at + 8)) {
            (Some(x), Some(y)) => msg::non_finite_vertex(i, x, y),
            _ => msg::content_too_short(len),
        }
    };
    // A record the filter may leave out is checked first without being built, so that one
    // left out costs no allocation and one that cannot be read is still reported. Its box is
    // made on the way (every point finite then, so the box of all its points).
    if let Some(keep) = keep {
        let mut bbox = PointsBox::default();
        for k in 0..n_parts {
            let (from, to) = span(k);
            let mut seen = Distinct::default();
            for i in from..to {
                match point(i) {
                    Some(p) => {
                        seen.add(p);
                        bbox.add(p);
                    }
                    None => return (Err(point_error(i)), all_points()),
                }
            }
            if seen.count() < 3 {
                return (Err(msg::ring_too_few_points(k, seen.count())), all_points());
            }
        }
        let bbox = bbox.rect();
        if let Some(b) = bbox {
            if !keep(&b) {
                return (Ok(None), bbox);
            }
        }
    }
    let mut rings = Vec::with_capacity(n_parts);
    let mut bbox = PointsBox::default();
    for k in 0..n_parts {
        let (from, to) = span(k);
        let mut ring: RawRing = Vec::with_capacity(to - from);
        for i in from..to {
            match point(i) {
                Some(p) => {
                    bbox.add(p);
                    ring.push(p);
                }
                None => return (Err(point_error(i)), all_points()),
            }
        }
        let distinct = distinct_points(&ring);
        if distinct < 3 {
            return (Err(msg::ring_too_few_points(k, distinct)), all_points());
        }
        rings.push(ring);
    }
    (Ok(Some(rings)), bbox.rect())
}

/// The box of points (all finite) added one at a time, as [`points_bbox`] makes it.
struct PointsBox {
    min: Coord<f64>,
    max: Coord<f64>,
}

impl Default for PointsBox {
    fn default() -> PointsBox {
        PointsBox {
            min: Coord {
                x: f64::INFINITY,
                y: f64::INFINITY,
            },
            max: Coord {
                x: f64::NEG_INFINITY,
                y: f64::NEG_INFINITY,
            },
        }
    }
}

impl PointsBox {
    fn add(&mut self, p: Coord<f64>) {
        self.min.x = self.min.x.min(p.x);
        self.min.y = self.min.y.min(p.y);
        self.max.x = self.max.x.max(p.x);
        self.max.y = self.max.y.max(p.y);
    }

    fn rect(&self) -> Option<Rect<f64>> {
        (self.min.x <= self.max.x && self.min.y <= self.max.y)
            .then(|| Rect::new(self.min, self.max))
    }
}

/// The distinct points of a ring seen so far, counted up to 3.
#[derive(Default)]
struct Distinct {
    seen: [Coord<f64>; 3],
    n: usize,
}

impl Distinct {
    fn add(&mut self, c: Coord<f64>) {
        if self.n < 3 && !self.seen[..self.n].contains(&c) {
            self.seen[self.n] = c;
            self.n += 1;
        }
    }

    fn count(&self) -> usize {
        self.n
    }
}

/// Number of distinct points of a ring, counted up to 3 (enough to tell a ring from a line).
pub(crate) fn distinct_points(ring: &[Coord<f64>]) -> usize {
    let mut seen = Distinct::default();
    for &c in ring {
        seen.add(c);
        if seen.count() == 3 {
            break;
        }
    }
    seen.count()
}

/// Bounding box of the finite points of a packed little-endian `x y` array; `None` without any.
fn points_bbox(points: &[u8]) -> Option<Rect<f64>> {
    let mut bbox = PointsBox::default();
    for p in points.chunks_exact(16) {
        if let (Some(x), Some(y)) = (le_f64(p, 0), le_f64(p, 8)) {
            if x.is_finite() && y.is_finite() {
                bbox.add(Coord { x, y });
            }
        }
    }
    bbox.rect()
}

/// Compares the `.shx` with the walk of the `.shp` (when the `.shx` was not consistent enough to
/// use); differences are warnings only.
fn check_shx(shx: &[u8], offsets: &[u64], warnings: &mut Vec<Text>) {
    if let Err(m) = parse_header(shx) {
        warnings.push(msg::shx_unusable(&m));
        return;
    }
    let body = shx.get(SHP_HEADER_LEN..).unwrap_or(&[]);
    let entries = body.len() / 8;
    if entries != offsets.len() {
        warnings.push(msg::shx_count(entries, offsets.len()));
    }
    let mismatch = body
        .chunks_exact(8)
        .zip(offsets)
        .enumerate()
        .find(|(_, (entry, &offset))| {
            be_i32(entry, 0).and_then(|w| u64::try_from(w).ok()) != Some(offset / 2)
        });
    if let Some((i, (entry, offset))) = mismatch {
        warnings.push(msg::shx_offset(
            i,
            be_i32(entry, 0).map_or(-1, |w| i64::from(w) * 2),
            *offset,
        ));
    }
}

/// Names of fields whose value identifies a record to a user, in order of preference
/// (case-insensitive): the first non-empty value among them is the id of an unusable record.
const ID_FIELDS: &[&str] = &[
    "id", "编号", "代码", "bsm", "kfqdm", "kfqbh", "zone_id", "zoneid", "code", "fid", "objectid",
];

/// The id of a record for messages: the first non-empty value of a field named like an id
/// ([`ID_FIELDS`], tried in that order), else `None`. Only the raw `.dbf` row is looked at (not
/// the review's `fields`), so it is a hint for finding the record, not the zone id the check
/// uses.
pub fn record_id(fields: &[String], row: &crate::model::Attrs) -> Option<String> {
    ID_FIELDS.iter().find_map(|want| {
        let i = fields
            .iter()
            .position(|f| f.trim().to_lowercase() == *want)?;
        row.get(i)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    })
}

/// Pairs record i of the `.shp` with record i of the `.dbf` and builds the layer.
/// With `deferred`, a record the walk checked but did not build ([`read_shapefile_deferred`]) is
/// kept with an empty shape.
fn pair(
    walk: Walk,
    table: DbfTable,
    crs: Option<String>,
    mut warnings: Vec<Text>,
    deferred: bool,
    values: Option<&DeferredValues>,
) -> RawLayer {
    let n_shp = walk.shapes.len();
    let n_dbf = table.records.len();
    let n_fields = table.fields.len();
    warnings.extend(table.warnings);
    if n_shp != n_dbf {
        warnings.push(msg::shp_dbf_count(n_shp, n_dbf));
    }
    let mut rows = table.records.into_iter();
    let mut records = Vec::with_capacity(n_shp);
    let mut unusable = Vec::new();
    let mut filtered_out = 0;
    for (index, shape) in walk.shapes.into_iter().enumerate() {
        let row = rows.next();
        let rings = match shape {
            Ok(Some(rings)) => rings,
            Ok(None) if deferred => Vec::new(),
            Ok(None) => {
                filtered_out += 1;
                continue;
            }
            Err(reason) => {
                let id = match &row {
                    Some(Some(read)) => {
                        // Values left in the .dbf: this record's, decoded to name it.
                        let decoded = values.and_then(|v| v.row(index));
                        record_id(&table.fields, decoded.as_ref().unwrap_or(read))
                    }
                    _ => None,
                };
                warnings.push(msg::record_warning(index, &reason));
                unusable.push(Unusable {
                    index: Some(index),
                    id,
                    reason,
                });
                continue;
            }
        };
        let attrs = match row {
            Some(Some(values)) => values,
            Some(None) => {
                warnings.push(msg::deleted_in_dbf(index));
                continue;
            }
            None => crate::model::Attrs::nulls(n_fields),
        };
        records.push(RawRecord {
            index,
            shape: RawShape::Rings(rings),
            attrs,
        });
    }
    warnings.extend(walk.tail_warnings);
    RawLayer {
        fields: table.fields,
        records,
        crs,
        encoding: Some(table.encoding),
        records_in_file: n_shp,
        warnings,
        unusable,
        filtered_out,
        sha256: None,
        files: Vec::new(),
        extent: walk.extent,
        crs_missing: None,
        mapped: None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::io::shp_write::{write_polygon_shapefile, FieldKind, FieldSpec, OutEncoding};
    use geo::{polygon, MultiPolygon};
    use std::path::PathBuf;

    /// A polygon record's content (shape type 5): one part per ring.
    fn record(rings: &[&[(f64, f64)]]) -> Vec<u8> {
        let n_points: usize = rings.iter().map(|r| r.len()).sum();
        let mut c = Vec::new();
        c.extend(5i32.to_le_bytes());
        c.extend([0u8; 32]); // the record's box, not trusted
        c.extend((rings.len() as i32).to_le_bytes());
        c.extend((n_points as i32).to_le_bytes());
        let mut start = 0i32;
        for r in rings {
            c.extend(start.to_le_bytes());
            start += r.len() as i32;
        }
        for r in rings {
            for &(x, y) in r.iter() {
                c.extend(x.to_le_bytes());
                c.extend(y.to_le_bytes());
            }
        }
        c
    }

    /// Under the spatial filter a record left out is still read in full first: one that cannot
    /// be read is reported (never dropped as "far"), one that can is left out; without the
    /// filter, or when the filter keeps it, it is built as before.
    #[test]
    fn a_record_the_filter_leaves_out_is_still_checked() {
        let square: &[(f64, f64)] = &[(0.0, 0.0), (0.0, 1.0), (1.0, 1.0), (1.0, 0.0), (0.0, 0.0)];
        let line: &[(f64, f64)] = &[(5.0, 5.0), (6.0, 6.0), (5.0, 5.0), (6.0, 6.0)];
        let nan: &[(f64, f64)] = &[(0.0, 0.0), (0.0, f64::NAN), (1.0, 1.0), (0.0, 0.0)];
        let leave_out = |_: &Rect<f64>| false;
        let take = |_: &Rect<f64>| true;
        let good = record(&[square]);
        assert!(matches!(
            parse_polygon(&good, 5, Some(&leave_out)).0,
            Ok(None)
        ));
        let built = parse_polygon(&good, 5, Some(&take)).0.unwrap().unwrap();
        assert_eq!(built, parse_polygon(&good, 5, None).0.unwrap().unwrap());
        assert_eq!(built[0].len(), 5);
        for bad in [record(&[square, line]), record(&[nan])] {
            let filtered = parse_polygon(&bad, 5, Some(&leave_out)).0.unwrap_err();
            let whole = parse_polygon(&bad, 5, None).0.unwrap_err();
            assert_eq!(filtered, whole);
        }
        // A part start out of order is reported whatever the filter says.
        let mut wrong = record(&[square, square]);
        wrong[48..52].copy_from_slice(&99i32.to_le_bytes());
        assert!(parse_polygon(&wrong, 5, Some(&leave_out)).0.is_err());
    }

    /// Writes a valid 3-record layer `<dir>/<name>.shp`: record 0 a square with a hole, record 1
    /// a two-square multipolygon, record 2 a triangle.
    fn write_sample(dir: &Path, name: &str, n: usize) -> PathBuf {
        let square = |x: f64| {
            polygon!(
                exterior: [(x: x, y: 0.0), (x: x, y: 10.0), (x: x + 10.0, y: 10.0), (x: x + 10.0, y: 0.0)],
                interiors: [[(x: x + 2.0, y: 2.0), (x: x + 4.0, y: 2.0), (x: x + 4.0, y: 4.0), (x: x + 2.0, y: 4.0)]],
            )
        };
        let all = [
            (
                MultiPolygon(vec![square(0.0)]),
                vec![
                    Some("萧山经济技术开发区".to_string()),
                    Some("1".to_string()),
                ],
            ),
            (
                MultiPolygon(vec![square(20.0), square(40.0)]),
                vec![Some("B".to_string()), Some("2".to_string())],
            ),
            (
                MultiPolygon(vec![
                    polygon![(x: 0.0, y: 20.0), (x: 1.0, y: 21.0), (x: 1.0, y: 20.0)],
                ]),
                vec![None, Some("3".to_string())],
            ),
        ];
        let fields = [
            FieldSpec {
                name: "NAME".to_string(),
                kind: FieldKind::Text(30),
            },
            FieldSpec {
                name: "ID".to_string(),
                kind: FieldKind::Number {
                    width: 5,
                    decimals: 0,
                },
            },
        ];
        let path = dir.join(format!("{name}.shp"));
        write_polygon_shapefile(
            &path,
            &fields,
            &all[..n],
            Some("PROJCS[]"),
            OutEncoding::Gbk,
        )
        .unwrap();
        path
    }

    /// Offset of record `i`'s header in the sample .shp, from its .shx.
    fn record_offset(shp: &Path, i: usize) -> usize {
        let shx = std::fs::read(shp.with_extension("shx")).unwrap();
        let at = 100 + 8 * i;
        i32::from_be_bytes(shx[at..at + 4].try_into().unwrap()) as usize * 2
    }

    fn patch(path: &Path, at: usize, bytes: &[u8]) {
        let mut b = std::fs::read(path).unwrap();
        b[at..at + bytes.len()].copy_from_slice(bytes);
        std::fs::write(path, b).unwrap();
    }

    fn assert_err(path: &Path, expected: &str, file: &str) {
        let err = read_shapefile(path).unwrap_err();
        assert!(
            err.message.contains(expected),
            "{err} should contain {expected:?}"
        );
        assert!(
            err.to_string().ends_with(file),
            "{err} should end with {file}"
        );
    }

    fn has_warning(layer: &RawLayer, expected: &str) -> bool {
        layer.warnings.iter().any(|w| w.contains(expected))
    }

    #[test]
    fn valid_sample_reads_cleanly() {
        let dir = tempfile::tempdir().unwrap();
        let shp = write_sample(dir.path(), "zones", 3);
        let layer = read_shapefile(&shp).unwrap();
        assert!(layer.warnings.is_empty(), "{:?}", layer.warnings);
        assert_eq!(layer.records.len(), 3);
        assert_eq!(layer.records[1].shape.rings().count(), 4);
        assert_eq!(layer.records[0].attrs.get(0), Some("萧山经济技术开发区"));
        assert_eq!(layer.crs.as_deref(), Some("PROJCS[]"));
    }

    /// The sample of three records with record 2 (the triangle at x 0..1) given a broken part
    /// index: still reported, filtered or not. `KEEP_RIGHT` leaves record 0 (x 0..10) out and
    /// keeps record 1 (x 20..50).
    fn sample_with_broken_record(dir: &Path) -> std::path::PathBuf {
        let shp = write_sample(dir, "zones", 3);
        let at = record_offset(&shp, 2) + 8 + 44;
        patch(&shp, at, &5_i32.to_le_bytes());
        shp
    }

    /// Keeps records whose box starts right of x = 15.
    fn keep_right(b: &Rect<f64>) -> bool {
        b.min().x >= 15.0
    }

    #[test]
    fn record_filter_keeps_only_wanted_records_with_their_own_attributes() {
        let dir = tempfile::tempdir().unwrap();
        let shp = sample_with_broken_record(dir.path());
        let keep = keep_right;
        let layer = read_shapefile_with(&shp, Some(&keep), None).unwrap();
        assert_eq!(layer.records.len(), 1);
        assert_eq!(layer.records[0].index, 1);
        assert_eq!(
            layer.records[0].attrs,
            vec![Some("B".to_string()), Some("2".to_string())]
        );
        assert_eq!(layer.records[0].shape.rings().count(), 4);
        assert_eq!(layer.filtered_out, 1);
        assert_eq!(layer.records_in_file, 3);
        assert!(
            layer
                .warnings
                .iter()
                .any(|w| w.contains("record 2: first part starts at point 5")),
            "{:?}",
            layer.warnings
        );
        // The hash is the file's, filter or not.
        let want = crate::io::sha256_hex(&std::fs::read(&shp).unwrap());
        assert_eq!(layer.sha256.as_deref(), Some(want.as_str()));
        assert_eq!(
            read_shapefile(&shp).unwrap().sha256.as_deref(),
            Some(want.as_str())
        );
    }

    /// Mapped and hashed ahead (the default mode's protection layers, while PROJ starts), a
    /// shapefile reads as it does when hashed beside its reading: the same records, warnings
    /// and file hashes, and the hashes are the files' (SHA-256 of their bytes).
    #[test]
    fn hashed_ahead_reads_as_hashed_beside() {
        let dir = tempfile::tempdir().unwrap();
        let shp = sample_with_broken_record(dir.path());
        let keep = keep_right;
        let usual = read_shapefile_with(&shp, Some(&keep), None).unwrap();
        let ahead = hash_ahead(&shp).expect("both files map");
        let hashed = read_shapefile_hashed(&shp, Some(&keep), None, ahead).unwrap();
        assert_eq!(hashed.records, usual.records);
        assert_eq!(hashed.warnings, usual.warnings);
        assert_eq!(hashed.filtered_out, usual.filtered_out);
        assert_eq!(hashed.unusable.len(), usual.unusable.len());
        assert_eq!(format!("{:?}", hashed.files), format!("{:?}", usual.files));
        assert_eq!(hashed.sha256, usual.sha256);
        let sha = |p: &Path| crate::io::sha256_hex(&std::fs::read(p).unwrap());
        assert_eq!(hashed.sha256.as_deref(), Some(sha(&shp).as_str()));
        let dbf = hashed
            .files
            .iter()
            .find(|f| f.file == "zones.dbf")
            .expect("the .dbf's hash");
        assert_eq!(dbf.sha256, sha(&shp.with_extension("dbf")));
        // Without a .dbf there is nothing to hash ahead: the reading reports it.
        std::fs::remove_file(shp.with_extension("dbf")).unwrap();
        assert!(hash_ahead(&shp).is_none());
    }

    #[test]
    fn zero_byte_shp() {
        let dir = tempfile::tempdir().unwrap();
        let shp = write_sample(dir.path(), "zones", 3);
        std::fs::write(&shp, b"").unwrap();
        assert_err(&shp, "file is empty (0 bytes)", "zones.shp");
    }

    #[test]
    fn wrong_magic_and_short_header() {
        let dir = tempfile::tempdir().unwrap();
        let shp = write_sample(dir.path(), "zones", 3);
        patch(&shp, 0, &1234i32.to_be_bytes());
        assert_err(
            &shp,
            "not a shapefile (bad file code 1234, expected 9994)",
            "zones.shp",
        );
        std::fs::write(&shp, 9994i32.to_be_bytes()).unwrap();
        assert_err(&shp, "truncated header", "zones.shp");
    }

    #[test]
    fn points_layer_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let shp = write_sample(dir.path(), "zones", 3);
        patch(&shp, 32, &1i32.to_le_bytes());
        assert_err(
            &shp,
            "layer has Point geometry, polygons are required",
            "zones.shp",
        );
        patch(&shp, 32, &13i32.to_le_bytes());
        assert_err(&shp, "layer has PolylineZ geometry", "zones.shp");
    }

    #[test]
    fn missing_dbf() {
        let dir = tempfile::tempdir().unwrap();
        let shp = write_sample(dir.path(), "zones", 3);
        std::fs::remove_file(shp.with_extension("dbf")).unwrap();
        assert_err(
            &shp,
            "missing .dbf file (a shapefile needs .shp, .shx and .dbf)",
            "zones.shp",
        );
    }

    #[test]
    fn dbf_errors_name_the_dbf() {
        let dir = tempfile::tempdir().unwrap();
        let shp = write_sample(dir.path(), "zones", 3);
        patch(&shp.with_extension("dbf"), 4, &u32::MAX.to_le_bytes());
        assert_err(&shp, "DBF header nonsense", "zones.dbf");
    }

    #[test]
    fn uppercase_extensions_are_found() {
        let dir = tempfile::tempdir().unwrap();
        let shp = write_sample(dir.path(), "zones", 3);
        for ext in ["shp", "shx", "dbf", "cpg", "prj"] {
            std::fs::rename(
                shp.with_extension(ext),
                dir.path().join(format!("ZONES.{}", ext.to_uppercase())),
            )
            .unwrap();
        }
        let layer = read_shapefile(&dir.path().join("ZONES.SHP")).unwrap();
        assert_eq!(layer.records.len(), 3);
        assert!(layer.warnings.is_empty(), "{:?}", layer.warnings);
        assert_eq!(
            layer.encoding.as_ref().map(|e| e.en.as_str()),
            Some("GBK (.cpg)")
        );
    }

    #[test]
    fn truncated_record_ends_the_walk() {
        let dir = tempfile::tempdir().unwrap();
        let shp = write_sample(dir.path(), "zones", 3);
        let mut bytes = std::fs::read(&shp).unwrap();
        bytes.truncate(bytes.len() - 10);
        std::fs::write(&shp, &bytes).unwrap();
        let layer = read_shapefile(&shp).unwrap();
        assert_eq!(layer.records.len(), 2);
        // Changed on purpose (issue 8): the record cut short counts, and is unusable.
        assert_eq!(layer.records_in_file, 3);
        assert_eq!(layer.unusable.len(), 1);
        assert_eq!(layer.unusable[0].index, Some(2));
        assert_eq!(layer.unusable[0].id.as_deref(), Some("3"));
        assert!(
            layer.unusable[0].reason.en.contains("record cut short"),
            "{:?}",
            layer.unusable
        );
        assert!(has_warning(&layer, "the header gives the file length"));
        // The .shx (3 records, the last beyond the end) is not used; it agrees on the count.
        assert!(!has_warning(&layer, ".shx lists"), "{:?}", layer.warnings);
    }

    #[test]
    fn record_length_bigger_than_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let shp = write_sample(dir.path(), "zones", 3);
        let at = record_offset(&shp, 1);
        patch(&shp, at + 4, &i32::MAX.to_be_bytes());
        // The .shx is consistent with the file: it locates every record (changed on purpose,
        // issue 8: the walk used to stop at record 1).
        let layer = read_shapefile(&shp).unwrap();
        assert_eq!(layer.records.len(), 3);
        assert!(layer.unusable.is_empty(), "{:?}", layer.unusable);
        assert!(
            has_warning(
                &layer,
                "record 1: its header gives a length of 4294967294 bytes"
            ),
            "{:?}",
            layer.warnings
        );
        assert!(!has_warning(&layer, ".shx lists"), "{:?}", layer.warnings);
        // Without the .shx the walk cannot go on after record 1: it and the rest are unusable.
        std::fs::remove_file(shp.with_extension("shx")).unwrap();
        let layer = read_shapefile(&shp).unwrap();
        assert_eq!(layer.records.len(), 1);
        assert_eq!(layer.unusable.len(), 1);
        assert_eq!(layer.unusable[0].index, Some(1));
        assert_eq!(layer.unusable[0].id.as_deref(), Some("2"));
    }

    #[test]
    fn zero_parts_is_skipped_not_fatal() {
        let dir = tempfile::tempdir().unwrap();
        let shp = write_sample(dir.path(), "zones", 3);
        let at = record_offset(&shp, 0) + 8;
        patch(&shp, at + 36, &0i32.to_le_bytes());
        let layer = read_shapefile(&shp).unwrap();
        assert_eq!(
            layer.records.iter().map(|r| r.index).collect::<Vec<_>>(),
            vec![1, 2]
        );
        assert!(
            has_warning(&layer, "record 0: polygon with 0 parts"),
            "{:?}",
            layer.warnings
        );
        assert_eq!(layer.unusable.len(), 1);
        assert_eq!(layer.unusable[0].index, Some(0));
        assert_eq!(layer.unusable[0].id.as_deref(), Some("1"));
        // Attributes stay with their shapes.
        assert_eq!(layer.records[0].attrs.get(1), Some("2"));
    }

    #[test]
    fn first_part_not_at_zero_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let shp = write_sample(dir.path(), "zones", 3);
        let at = record_offset(&shp, 1) + 8;
        patch(&shp, at + 44, &1i32.to_le_bytes());
        let layer = read_shapefile(&shp).unwrap();
        assert!(
            has_warning(&layer, "record 1: first part starts at point 1"),
            "{:?}",
            layer.warnings
        );
        assert_eq!(layer.records.len(), 2);
        // Parts not increasing.
        patch(&shp, at + 44, &0i32.to_le_bytes());
        patch(&shp, at + 48, &0i32.to_le_bytes());
        let layer = read_shapefile(&shp).unwrap();
        assert!(
            has_warning(&layer, "record 1: part 1 starts at point 0"),
            "{:?}",
            layer.warnings
        );
    }

    #[test]
    fn counts_that_do_not_fit_the_record_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let shp = write_sample(dir.path(), "zones", 3);
        let at = record_offset(&shp, 2) + 8;
        patch(&shp, at + 40, &i32::MAX.to_le_bytes());
        let layer = read_shapefile(&shp).unwrap();
        assert!(
            has_warning(&layer, "record 2: 1 parts and 2147483647 points need"),
            "{:?}",
            layer.warnings
        );
        assert_eq!(layer.records.len(), 2);
    }

    #[test]
    fn other_shape_type_and_null_records_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let shp = write_sample(dir.path(), "zones", 3);
        patch(&shp, record_offset(&shp, 0) + 8, &3i32.to_le_bytes());
        patch(&shp, record_offset(&shp, 2) + 8, &0i32.to_le_bytes());
        let layer = read_shapefile(&shp).unwrap();
        assert_eq!(
            layer.warnings,
            vec![
                "record 0: shape type Polyline inside a Polygon layer".to_string(),
                "record 2: null shape (no geometry)".to_string(),
            ]
        );
        let unusable: Vec<_> = layer
            .unusable
            .iter()
            .map(|u| (u.index, u.id.as_deref()))
            .collect();
        assert_eq!(unusable, vec![(Some(0), Some("1")), (Some(2), Some("3"))]);
        assert_eq!(layer.records.len(), 1);
        assert_eq!(layer.records_in_file, 3);
    }

    #[test]
    fn deleted_dbf_record_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let shp = write_sample(dir.path(), "zones", 3);
        let dbf = shp.with_extension("dbf");
        let header_len = 32 + 2 * 32 + 1;
        let record_len = 1 + 30 + 5;
        patch(&dbf, header_len + record_len, b"*");
        let layer = read_shapefile(&shp).unwrap();
        assert_eq!(
            layer.warnings,
            vec!["record 1: deleted in the .dbf, skipped".to_string()]
        );
        assert_eq!(
            layer.records.iter().map(|r| r.index).collect::<Vec<_>>(),
            vec![0, 2]
        );
        assert_eq!(layer.records[1].attrs.get(1), Some("3"));
    }

    #[test]
    fn dbf_with_fewer_records_than_shapes() {
        let dir = tempfile::tempdir().unwrap();
        let shp = write_sample(dir.path(), "zones", 3);
        let short = write_sample(dir.path(), "short", 2);
        std::fs::copy(short.with_extension("dbf"), shp.with_extension("dbf")).unwrap();
        let layer = read_shapefile(&shp).unwrap();
        assert!(
            has_warning(&layer, "the .shp has 3 records but the .dbf has 2"),
            "{:?}",
            layer.warnings
        );
        assert_eq!(layer.records.len(), 3);
        assert_eq!(layer.records[2].attrs, vec![None, None]);
        assert_eq!(layer.records[1].attrs.get(1), Some("2"));
    }

    #[test]
    fn shx_missing_or_wrong_is_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let shp = write_sample(dir.path(), "zones", 3);
        patch(&shp.with_extension("shx"), 108, &7i32.to_be_bytes());
        let layer = read_shapefile(&shp).unwrap();
        assert!(
            has_warning(&layer, "the .shx puts record 1 at byte 14"),
            "{:?}",
            layer.warnings
        );
        std::fs::remove_file(shp.with_extension("shx")).unwrap();
        let layer = read_shapefile(&shp).unwrap();
        assert_eq!(
            layer.warnings,
            vec!["no .shx index file; the .shp was read in order".to_string()]
        );
        assert_eq!(layer.records.len(), 3);
    }

    #[test]
    fn empty_prj_is_no_crs() {
        let dir = tempfile::tempdir().unwrap();
        let shp = write_sample(dir.path(), "zones", 3);
        std::fs::write(shp.with_extension("prj"), "\u{feff}  \n").unwrap();
        assert_eq!(read_shapefile(&shp).unwrap().crs, None);
    }

    /// The Why case: record 0's header gives a wrong (smaller) length while the .shx
    /// gives the right offset and length: both records are read, and there is no false
    /// ".shx lists 3 records but the .shp has …" warning.
    #[test]
    fn wrong_record_header_length_is_read_through_the_shx() {
        let dir = tempfile::tempdir().unwrap();
        let shp = write_sample(dir.path(), "zones", 3);
        let at = record_offset(&shp, 0);
        patch(&shp, at + 4, &4i32.to_be_bytes());
        let layer = read_shapefile(&shp).unwrap();
        assert_eq!(layer.records.len(), 3, "{:?}", layer.warnings);
        assert!(layer.unusable.is_empty());
        assert!(!has_warning(&layer, ".shx lists"), "{:?}", layer.warnings);
        assert!(has_warning(
            &layer,
            "record 0: its header gives a length of 8 bytes"
        ));
    }

    /// A NaN vertex, a ring of 2 distinct points: the record is unusable, with its id.
    #[test]
    fn non_finite_vertex_and_two_point_ring_are_unusable() {
        let dir = tempfile::tempdir().unwrap();
        let shp = write_sample(dir.path(), "zones", 3);
        // Record 2 is the triangle (one part, 4 points incl. closing): point 1's x → NaN.
        let r2 = record_offset(&shp, 2) + 8;
        patch(&shp, r2 + 44 + 4 + 16, &f64::NAN.to_le_bytes());
        // Record 0: the hole ring (part 1, points 5..9) collapsed onto 2 distinct points.
        let r0 = record_offset(&shp, 0) + 8;
        let pts = r0 + 44 + 8;
        for k in 5..10 {
            let (x, y) = if k % 2 == 0 { (2.0, 2.0) } else { (3.0, 3.0) };
            patch(&shp, pts + 16 * k, &f64::to_le_bytes(x));
            patch(&shp, pts + 16 * k + 8, &f64::to_le_bytes(y));
        }
        let layer = read_shapefile(&shp).unwrap();
        assert_eq!(
            layer.records.iter().map(|r| r.index).collect::<Vec<_>>(),
            vec![1]
        );
        assert_eq!(layer.unusable.len(), 2);
        assert_eq!(layer.unusable[0].index, Some(0));
        assert!(
            layer.unusable[0]
                .reason
                .en
                .contains("ring 1 has only 2 distinct points"),
            "{:?}",
            layer.unusable
        );
        assert_eq!(layer.unusable[1].index, Some(2));
        assert_eq!(layer.unusable[1].id.as_deref(), Some("3"));
        assert!(layer.unusable[1]
            .reason
            .en
            .contains("vertex 1 has a non-finite"));
        assert!(layer.unusable[1].reason.zh.contains("不是有限数"));
        // The extent still covers every finite point of every record.
        let e = layer.extent.unwrap();
        assert_eq!((e.min().x, e.max().x), (0.0, 50.0));
    }

    #[test]
    fn every_file_read_is_hashed() {
        use sha2::{Digest, Sha256};
        let dir = tempfile::tempdir().unwrap();
        let shp = write_sample(dir.path(), "zones", 3);
        let layer = read_shapefile(&shp).unwrap();
        let got: Vec<(&str, &str)> = layer
            .files
            .iter()
            .map(|f| (f.file.as_str(), f.sha256.as_str()))
            .collect();
        let want: Vec<(String, String)> = ["shp", "shx", "dbf", "prj", "cpg"]
            .iter()
            .map(|e| {
                let p = shp.with_extension(e);
                let h: String = Sha256::digest(std::fs::read(&p).unwrap())
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                (format!("zones.{e}"), h)
            })
            .collect();
        let want: Vec<(&str, &str)> = want.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        assert_eq!(got, want);
    }

    /// Deterministic mini-fuzz: thousands of mutants of a valid layer must never panic.
    #[test]
    fn mutants_never_panic() {
        let dir = tempfile::tempdir().unwrap();
        let shp = write_sample(dir.path(), "zones", 3);
        let originals: Vec<(PathBuf, Vec<u8>)> = ["shp", "shp", "shp", "dbf", "shx"]
            .iter()
            .map(|ext| {
                let p = shp.with_extension(ext);
                let b = std::fs::read(&p).unwrap();
                (p, b)
            })
            .collect();
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize
        };
        let extremes: [i32; 6] = [0, -1, 1, i32::MAX, i32::MIN, 0x4000_0000];
        let (mut ok, mut err) = (0, 0);
        for _ in 0..4000 {
            let (path, original) = &originals[next() % originals.len()];
            let mut bytes = original.clone();
            match next() % 5 {
                0 => bytes.truncate(next() % (bytes.len() + 1)),
                1 | 2 => {
                    for _ in 0..1 + next() % 4 {
                        let at = next() % bytes.len();
                        bytes[at] = next() as u8;
                    }
                }
                _ => {
                    let at = next() % bytes.len().saturating_sub(3).max(1);
                    let v = extremes[next() % extremes.len()];
                    let v = if next() % 2 == 0 {
                        v.to_le_bytes()
                    } else {
                        v.to_be_bytes()
                    };
                    let end = (at + 4).min(bytes.len());
                    bytes[at..end].copy_from_slice(&v[..end - at]);
                }
            }
            std::fs::write(path, &bytes).unwrap();
            match read_shapefile(&shp) {
                Ok(_) => ok += 1,
                Err(e) => {
                    assert!(!e.message.is_empty());
                    err += 1;
                }
            }
            std::fs::write(path, original).unwrap();
        }
        // Both outcomes occur: the mutants reach past the header checks.
        assert!(ok > 100 && err > 100, "ok {ok}, err {err}");
    }

    /// A shapefile read deferred gives what the usual read gives (records, values, unusable
    /// records, warnings, extent, hashes), its shapes then taken from the mapped file; a file
    /// too small to be mapped is read as usual.
    #[test]
    fn deferred_read_gives_the_usual_records_and_shapes() {
        let dir = tempfile::tempdir().unwrap();
        let square = |x: f64, y: f64| {
            polygon!(
                exterior: [(x: x, y: y), (x: x, y: y + 10.0), (x: x + 10.0, y: y + 10.0), (x: x + 10.0, y: y)],
                interiors: [[(x: x + 2.0, y: y + 2.0), (x: x + 4.0, y: y + 2.0), (x: x + 4.0, y: y + 4.0), (x: x + 2.0, y: y + 4.0)]],
            )
        };
        // 12,000 records of ~150-220 bytes: a .shp over the 1 MiB from which files are mapped;
        // a quarter of them (i % 4 == 1) one ring, without the hole.
        let features: Vec<(MultiPolygon<f64>, Vec<Option<String>>)> = (0..12_000)
            .map(|i| {
                let (x, y) = (f64::from(i % 100) * 20.0, f64::from(i / 100) * 20.0);
                let name = (i % 3 != 0).then(|| format!("图斑{i}"));
                let mut p = square(x, y);
                if i % 4 == 1 {
                    p = geo::Polygon::new(p.exterior().clone(), vec![]);
                }
                (MultiPolygon(vec![p]), vec![name])
            })
            .collect();
        // Named 编号: an id, so that an unusable record is named by its value.
        let fields = [FieldSpec {
            name: "编号".to_string(),
            kind: FieldKind::Text(20),
        }];
        let path = dir.path().join("big.shp");
        write_polygon_shapefile(
            &path,
            &fields,
            &features,
            Some("PROJCS[]"),
            OutEncoding::Gbk,
        )
        .unwrap();
        // Record 5 (one ring) gets a non-finite vertex (unusable), record 7 is deleted in the
        // .dbf.
        let at = record_offset(&path, 5) + 8 + 44 + 4;
        patch(&path, at, &f64::NAN.to_le_bytes());
        let dbf_path = path.with_extension("dbf");
        let dbf = std::fs::read(&dbf_path).unwrap();
        let header_len = u16::from_le_bytes([dbf[8], dbf[9]]) as usize;
        let record_len = u16::from_le_bytes([dbf[10], dbf[11]]) as usize;
        patch(&dbf_path, header_len + 7 * record_len, b"*");

        // Pages given back as a province's are (this file is under the size from which they
        // are), so that the reads below also read them again after that.
        crate::io::release_every_mapped_file();
        let usual = read_shapefile(&path).unwrap();
        let deferred = read_shapefile_deferred(&path, None).unwrap();
        let mapped = deferred.mapped.clone().expect("a large file is mapped");
        assert!(usual.mapped.is_none());
        assert_eq!(usual.records.len(), 12_000 - 2);
        assert_eq!(deferred.fields, usual.fields);
        assert_eq!(deferred.records_in_file, usual.records_in_file);
        assert_eq!(deferred.warnings, usual.warnings);
        assert_eq!(deferred.unusable, usual.unusable);
        assert_eq!(deferred.unusable.first().and_then(|u| u.index), Some(5));
        assert_eq!(deferred.filtered_out, 0);
        assert_eq!(deferred.extent, usual.extent);
        assert_eq!(deferred.files, usual.files);
        assert_eq!(deferred.encoding, usual.encoding);
        assert_eq!(deferred.records.len(), usual.records.len());
        // Clean GBK: the values stay in the .dbf too, each record's decoded there as the usual
        // read decodes it (and the unusable record 5 named from there, above).
        assert!(mapped.values_deferred());
        assert_eq!(usual.unusable[0].id.as_deref(), Some("图斑5"));
        for (d, u) in deferred.records.iter().zip(&usual.records) {
            assert_eq!(d.index, u.index);
            assert_eq!(d.attrs, crate::model::Attrs::default());
            assert_eq!(mapped.attrs(d.index, d.attrs.clone()), u.attrs);
            assert_eq!(d.shape, RawShape::Rings(Vec::new()));
            assert_eq!(
                mapped.shape(d.index).unwrap(),
                u.shape,
                "record {}",
                d.index
            );
            // A record of one ring also reads into a list kept by the caller: the same ring.
            let mut ring = vec![Coord { x: 1.0, y: 2.0 }];
            let one = mapped.one_ring_into(d.index, &mut ring);
            assert_eq!(one, d.index % 4 == 1, "record {}", d.index);
            if one {
                assert_eq!(RawShape::Rings(vec![ring]), u.shape, "record {}", d.index);
            }
        }
        // The unusable record of one ring does not read so either.
        assert!(!mapped.one_ring_into(5, &mut Vec::new()));
        // Taking shapes and values again after their pages were let go reads the same bytes.
        mapped.release(0, 11_999);
        mapped.release_values(0, 11_999);
        assert_eq!(mapped.shape(11_999).unwrap(), usual.records[11_997].shape);
        assert_eq!(
            mapped.attrs(11_999, crate::model::Attrs::default()),
            usual.records[11_997].attrs
        );
        // The deleted row has no values to give: the record's own stay.
        let own = crate::model::Attrs::nulls(1);
        assert_eq!(mapped.attrs(7, own.clone()), own);

        // A record changed under the mapping since the walk (written in place) no longer
        // reads: an error for it, which makes it unusable.
        {
            use std::io::{Seek, SeekFrom, Write};
            let mut f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
            f.seek(SeekFrom::Start((record_offset(&path, 3) + 8) as u64))
                .unwrap();
            f.write_all(&0i32.to_le_bytes()).unwrap();
        }
        assert_eq!(mapped.shape(3), Err(msg::null_shape()));
        assert!(!mapped.one_ring_into(3, &mut Vec::new()));
        assert!(mapped.one_ring_into(9, &mut Vec::new()));
        assert_eq!(mapped.shape(4).unwrap(), usual.records[4].shape);

        // Without the .shx the records are walked in order: the same.
        std::fs::remove_file(path.with_extension("shx")).unwrap();
        let usual = read_shapefile(&path).unwrap();
        let deferred = read_shapefile_deferred(&path, None).unwrap();
        let mapped = deferred.mapped.clone().expect("a large file is mapped");
        assert_eq!(deferred.warnings, usual.warnings);
        assert_eq!(deferred.unusable, usual.unusable);
        assert_eq!(deferred.records.len(), usual.records.len());
        for (d, u) in deferred.records.iter().zip(&usual.records) {
            assert_eq!(d.index, u.index);
            assert_eq!(mapped.attrs(d.index, d.attrs.clone()), u.attrs);
            assert_eq!(
                mapped.shape(d.index).unwrap(),
                u.shape,
                "record {}",
                d.index
            );
        }

        // A small file is read as usual.
        let small = write_sample(dir.path(), "small", 3);
        let read = read_shapefile_deferred(&small, None).unwrap();
        assert!(read.mapped.is_none());
        assert_eq!(read.records, read_shapefile(&small).unwrap().records);
    }
}
