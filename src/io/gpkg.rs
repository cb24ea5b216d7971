//! GeoPackage (.gpkg) polygon layers, read and written through SQLite (rusqlite, bundled SQLite,
//! no GDAL).
//!
//! A layer path may name its feature table after `#`: `plan.gpkg#merged_zones`. Without `#`, a
//! GeoPackage with one feature table uses it; one with several is an error listing them.
//!
//! Geometry blobs are the GeoPackage binary header (`GP`, version, flags, srs_id, envelope) and
//! then WKB. The WKB parser here is small and written by hand: only Polygon, MultiPolygon and
//! GeometryCollections of them are wanted, with Z/M (ISO 1000/2000/3000 codes or EWKB flag bits)
//! read past. The `wkb` and `geozero` crates cover every geometry type and bring geo-traits or a
//! stack of format features with them for about 150 lines of bounds-checked reading.

use super::atomic::Durability;
use super::LoadError;
use crate::messages::gpkg as msg;
use crate::messages::io as msg_io;
use crate::model::{RawLayer, RawRecord, RawRing, RecordFilter, Text, Unusable};
use geo::{Coord, MultiPolygon};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};

/// Splits a layer path into the file and the feature table named after `#`, when the part
/// before the last `#` of the file name ends in `.gpkg` (any case): `a/plan.gpkg#zones` →
/// (`a/plan.gpkg`, `Some("zones")`). Any other path is returned as it is.
pub fn split_layer_path(path: &Path) -> (PathBuf, Option<String>) {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return (path.to_path_buf(), None);
    };
    let Some((file, table)) = name.rsplit_once('#') else {
        return (path.to_path_buf(), None);
    };
    if !is_gpkg_name(file) {
        return (path.to_path_buf(), None);
    }
    (path.with_file_name(file), Some(table.to_string()))
}

fn is_gpkg_name(name: &str) -> bool {
    name.len() > 5 && name.is_char_boundary(name.len() - 5) && {
        let ext = &name[name.len() - 5..];
        ext.eq_ignore_ascii_case(".gpkg")
    }
}

/// True when `path` (after [`split_layer_path`]) is a `.gpkg` file name.
pub fn is_gpkg_path(path: &Path) -> bool {
    let (file, _) = split_layer_path(path);
    file.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(is_gpkg_name)
}

fn quote(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

fn open(file: &Path) -> Result<Connection, LoadError> {
    if let Some(problem) = super::regular_file_problem(file) {
        return Err(LoadError::new(problem, file));
    }
    let conn = Connection::open_with_flags(
        file,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| LoadError::new(msg::cannot_open(&e.to_string()), file))?;
    // SQLite reads the header at the first statement: a file that is no database fails here.
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })
    .map_err(|e| LoadError::new(msg::cannot_open(&e.to_string()), file))?;
    Ok(conn)
}

/// The feature tables of the GeoPackage at `file`, in name order.
pub fn feature_tables(file: &Path) -> Result<Vec<String>, LoadError> {
    let conn = open(file)?;
    tables_of(&conn).map_err(|m| LoadError::new(m, file))
}

fn tables_of(conn: &Connection) -> Result<Vec<String>, Text> {
    let mut stmt = conn
        .prepare(
            "SELECT table_name FROM gpkg_contents WHERE lower(data_type) = 'features' \
             ORDER BY table_name",
        )
        .map_err(|e| msg::not_a_geopackage(&e.to_string()))?;
    let rows = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .map_err(|e| msg::not_a_geopackage(&e.to_string()))?;
    rows.collect::<Result<Vec<_>, _>>()
        .map_err(|e| msg::not_a_geopackage(&e.to_string()))
}

/// SHA-256 of the file, streamed (a GeoPackage can be large).
fn hash_file(file: &Path) -> Result<super::FileHash, LoadError> {
    use sha2::{Digest, Sha256};
    let mut f = std::fs::File::open(file)
        .map_err(|e| LoadError::new(msg_io::cannot_read(&e.to_string()), file))?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut f, &mut hasher)
        .map_err(|e| LoadError::new(msg_io::cannot_read(&e.to_string()), file))?;
    let digest = hasher.finalize();
    let sha256: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    Ok(super::FileHash {
        file: file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| file.display().to_string()),
        sha256: sha256.into(),
    })
}

/// Reads a polygon layer from a GeoPackage. `path` is the layer path as the review gives it
/// (`file.gpkg` or `file.gpkg#table`); errors name it. Records `keep` rejects (by their box in
/// the file's CRS) are counted in `filtered_out`, not kept. A feature whose geometry is null,
/// empty, not polygonal or an unreadable blob is [`Unusable`] (its fid is the record number),
/// with a warning; a table of which no feature is a polygon is an error.
pub fn read_gpkg(path: &Path, keep: Option<RecordFilter<'_>>) -> Result<RawLayer, LoadError> {
    let (file, table) = split_layer_path(path);
    let conn = open(&file)?;
    let err = |m: Text| LoadError::new(m, path);
    let tables = tables_of(&conn).map_err(err)?;
    let table = match table {
        Some(t) => tables
            .iter()
            .find(|n| n.as_str() == t)
            .or_else(|| tables.iter().find(|n| n.eq_ignore_ascii_case(&t)))
            .cloned()
            .ok_or_else(|| err(msg::no_such_table(&t, &tables)))?,
        None => match tables.as_slice() {
            [] => return Err(err(msg::no_feature_tables())),
            [one] => one.clone(),
            several => return Err(err(msg::several_tables(several))),
        },
    };
    let hash = hash_file(&file)?;
    let mut layer = read_table(&conn, &table).map_err(err)?;
    layer.sha256 = Some(hash.sha256.clone());
    layer.files = vec![hash];
    if let Some(keep) = keep {
        let before = layer.records.len();
        layer.records.retain(|r| {
            let bbox = ring_box(r.shape.rings().flatten());
            bbox.is_none_or(|b| keep(&b))
        });
        layer.filtered_out = before - layer.records.len();
    }
    Ok(layer)
}

fn ring_box<'a>(coords: impl Iterator<Item = &'a Coord<f64>>) -> Option<geo::Rect<f64>> {
    let mut b: Option<geo::Rect<f64>> = None;
    for c in coords.filter(|c| c.x.is_finite() && c.y.is_finite()) {
        b = Some(match b {
            None => geo::Rect::new(*c, *c),
            Some(e) => geo::Rect::new(
                Coord {
                    x: e.min().x.min(c.x),
                    y: e.min().y.min(c.y),
                },
                Coord {
                    x: e.max().x.max(c.x),
                    y: e.max().y.max(c.y),
                },
            ),
        });
    }
    b
}

/// The CRS of a spatial reference system row: `EPSG:CODE` when the organisation is EPSG, else
/// its WKT definition; `None` for the undefined systems (srs_id 0 and -1, definition
/// `undefined`).
fn srs_definition(conn: &Connection, srs_id: i64) -> Result<Option<String>, Text> {
    let row = conn.query_row(
        "SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys \
         WHERE srs_id = ?1",
        [srs_id],
        |r| {
            Ok((
                r.get::<_, Option<String>>(0)?,
                r.get::<_, Option<i64>>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        },
    );
    let (org, code, def) = match row {
        Ok(row) => row,
        Err(rusqlite::Error::QueryReturnedNoRows) => return Err(msg::no_srs(srs_id)),
        Err(e) => return Err(msg::not_a_geopackage(&e.to_string())),
    };
    if let (Some(org), Some(code)) = (&org, code) {
        if org.trim().eq_ignore_ascii_case("EPSG") && code > 0 {
            return Ok(Some(format!("EPSG:{code}")));
        }
    }
    Ok(def
        .map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty() && !d.eq_ignore_ascii_case("undefined")))
}

fn read_table(conn: &Connection, table: &str) -> Result<RawLayer, Text> {
    let query_failed = |e: rusqlite::Error| msg::query_failed(table, &e.to_string());
    let (geom_col, srs_id) = conn
        .query_row(
            "SELECT column_name, srs_id FROM gpkg_geometry_columns WHERE table_name = ?1",
            [table],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)),
        )
        .map_err(query_failed)?;
    let crs = srs_definition(conn, srs_id)?;
    // Columns: the integer primary key is the fid; every other non-geometry column is an
    // attribute (the fid too unless it is called `fid`, GDAL's name for it, which no role reads).
    let mut columns: Vec<(String, String, bool)> = Vec::new();
    {
        let mut stmt = conn
            .prepare(&format!("PRAGMA table_info({})", quote(table)))
            .map_err(query_failed)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                    r.get::<_, i64>(5)? > 0,
                ))
            })
            .map_err(query_failed)?;
        for row in rows {
            columns.push(row.map_err(query_failed)?);
        }
    }
    let fid_col = columns
        .iter()
        .find(|(_, ty, pk)| *pk && ty.eq_ignore_ascii_case("INTEGER"))
        .map(|(name, _, _)| name.clone());
    let attr_cols: Vec<String> = columns
        .iter()
        .map(|(name, _, _)| name.clone())
        .filter(|name| !name.eq_ignore_ascii_case(&geom_col))
        .filter(|name| !(Some(name) == fid_col.as_ref() && name.eq_ignore_ascii_case("fid")))
        .collect();
    let fid_expr = fid_col.as_deref().map_or("rowid".to_string(), quote);
    let mut select = format!("SELECT {fid_expr}, {}", quote(&geom_col));
    for c in &attr_cols {
        select.push_str(", ");
        select.push_str(&quote(c));
    }
    select.push_str(&format!(" FROM {} ORDER BY {fid_expr}", quote(table)));
    let mut layer = RawLayer {
        fields: attr_cols.clone(),
        crs,
        encoding: Some(Text::new("UTF-8（GeoPackage）", "UTF-8 (GeoPackage)")),
        ..RawLayer::default()
    };
    let mut stmt = conn.prepare(&select).map_err(query_failed)?;
    let mut rows = stmt.query([]).map_err(query_failed)?;
    let mut non_polygon: Vec<&'static str> = Vec::new();
    let mut failed: Vec<(usize, Option<String>, Text)> = Vec::new();
    let mut position = 0usize;
    while let Some(row) = rows.next().map_err(query_failed)? {
        let fid: i64 = row.get(0).map_err(query_failed)?;
        let index = usize::try_from(fid).unwrap_or(position);
        position += 1;
        let mut attrs = crate::model::AttrsBuilder::default();
        for k in 0..attr_cols.len() {
            attrs.push(text_of(row.get_ref(k + 2).map_err(query_failed)?).as_deref());
        }
        let attrs = attrs.finish();
        let id = super::shp::record_id(&layer.fields, &attrs);
        let blob = match row.get_ref(1).map_err(query_failed)? {
            ValueRef::Null => {
                failed.push((index, id, msg_io::null_geometry()));
                continue;
            }
            ValueRef::Blob(b) => b,
            _ => {
                let why = msg::bad_blob(table, fid, "not a BLOB");
                failed.push((index, id, why));
                continue;
            }
        };
        match parse_blob(blob) {
            Ok(polys) if polys.is_empty() => failed.push((index, id, msg_io::empty_geometry())),
            Ok(polys) => {
                if let Some(b) = ring_box(polys.iter().flatten().flatten()) {
                    crate::spatial::overlay::grow_box(&mut layer.extent, b);
                }
                match super::geojson_in::ring_problem(&polys) {
                    Some(why) => failed.push((index, id, why)),
                    None => layer.records.push(RawRecord {
                        index,
                        shape: crate::model::RawShape::Polygons(polys),
                        attrs,
                    }),
                }
            }
            Err(BlobProblem::Empty) => failed.push((index, id, msg_io::empty_geometry())),
            Err(BlobProblem::NotPolygon(kind)) => {
                non_polygon.push(kind);
                failed.push((index, id, msg_io::non_polygon_geometry(kind)));
            }
            Err(BlobProblem::Bad(why)) => failed.push((index, id, msg::bad_blob(table, fid, &why))),
        }
    }
    layer.records_in_file = position;
    if layer.records.is_empty() && !non_polygon.is_empty() && non_polygon.len() == failed.len() {
        return Err(msg_io::not_polygons(non_polygon[0]));
    }
    for (index, id, reason) in failed {
        layer.warnings.push(msg_io::feature_warning(index, &reason));
        layer.unusable.push(Unusable {
            index: Some(index),
            id,
            reason,
        });
    }
    Ok(layer)
}

/// An attribute value as text: numbers in their shortest form, text trimmed (empty → none).
fn text_of(v: ValueRef<'_>) -> Option<String> {
    match v {
        ValueRef::Null => None,
        ValueRef::Integer(i) => Some(i.to_string()),
        ValueRef::Real(f) => Some(f.to_string()),
        ValueRef::Text(b) | ValueRef::Blob(b) => {
            let s = String::from_utf8_lossy(b);
            let t = s.trim();
            (!t.is_empty()).then(|| t.to_string())
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Geometry blobs

/// Why a geometry blob gives no polygons.
#[derive(Debug, Clone, PartialEq)]
pub enum BlobProblem {
    /// The empty flag is set, or the geometry has no polygon.
    Empty,
    /// A geometry of another type (its WKB name).
    NotPolygon(&'static str),
    /// The blob cannot be read (what is wrong, in English: a format detail).
    Bad(String),
}

struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], BlobProblem> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.b.len());
        let Some(end) = end else {
            return Err(BlobProblem::Bad(format!(
                "truncated: {n} more byte(s) wanted at byte {}, the blob has {}",
                self.pos,
                self.b.len()
            )));
        };
        let s = &self.b[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn left(&self) -> usize {
        self.b.len().saturating_sub(self.pos)
    }

    fn u8(&mut self) -> Result<u8, BlobProblem> {
        Ok(self.take(1)?[0])
    }

    fn u32(&mut self, le: bool) -> Result<u32, BlobProblem> {
        let s = self.take(4)?;
        let a = [s[0], s[1], s[2], s[3]];
        Ok(if le {
            u32::from_le_bytes(a)
        } else {
            u32::from_be_bytes(a)
        })
    }

    fn f64(&mut self, le: bool) -> Result<f64, BlobProblem> {
        let s = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(s);
        Ok(if le {
            f64::from_le_bytes(a)
        } else {
            f64::from_be_bytes(a)
        })
    }

    /// A count of items of at least `min_size` bytes each, checked against the bytes left.
    fn count(&mut self, le: bool, min_size: usize) -> Result<usize, BlobProblem> {
        let n = self.u32(le)? as usize;
        if n.saturating_mul(min_size) > self.left() {
            return Err(BlobProblem::Bad(format!(
                "count {n} at byte {} exceeds the {} byte(s) left",
                self.pos - 4,
                self.left()
            )));
        }
        Ok(n)
    }
}

/// The polygons of a GeoPackage geometry blob (each polygon its rings, exterior first). Z and M
/// values are read past.
pub fn parse_blob(blob: &[u8]) -> Result<Vec<Vec<RawRing>>, BlobProblem> {
    if blob.len() < 8 || &blob[..2] != b"GP" {
        return Err(BlobProblem::Bad(
            "no GeoPackage header (magic \"GP\")".into(),
        ));
    }
    let version = blob[2];
    if version != 0 {
        return Err(BlobProblem::Bad(format!(
            "unknown GeoPackage binary version {version}"
        )));
    }
    let flags = blob[3];
    if flags & 0x20 != 0 {
        return Err(BlobProblem::Bad(
            "extended GeoPackage geometry (flag X) is not supported".into(),
        ));
    }
    let envelope = match (flags >> 1) & 0x07 {
        0 => 0,
        1 => 32,
        2 | 3 => 48,
        4 => 64,
        e => return Err(BlobProblem::Bad(format!("invalid envelope indicator {e}"))),
    };
    if flags & 0x10 != 0 {
        return Err(BlobProblem::Empty);
    }
    let mut r = Reader { b: blob, pos: 8 };
    r.take(envelope)?;
    let mut out = Vec::new();
    wkb_geometry(&mut r, &mut out, 0)?;
    Ok(out)
}

/// The polygons of a plain (ISO or EWKB) WKB geometry, as [`parse_blob`] reads them after the
/// GeoPackage header; also used for the WKB GDAL gives (`io::gdal_in`). Bytes after the
/// geometry are an error.
pub fn parse_wkb(wkb: &[u8]) -> Result<Vec<Vec<RawRing>>, BlobProblem> {
    let mut r = Reader { b: wkb, pos: 0 };
    let mut out = Vec::new();
    wkb_geometry(&mut r, &mut out, 0)?;
    if r.left() > 0 {
        return Err(BlobProblem::Bad(format!(
            "{} byte(s) after the geometry",
            r.left()
        )));
    }
    Ok(out)
}

fn wkb_geometry(
    r: &mut Reader<'_>,
    out: &mut Vec<Vec<RawRing>>,
    depth: usize,
) -> Result<(), BlobProblem> {
    if depth > 16 {
        return Err(BlobProblem::Bad(
            "geometry collections nested too deep".into(),
        ));
    }
    let le = match r.u8()? {
        0 => false,
        1 => true,
        b => {
            return Err(BlobProblem::Bad(format!(
                "invalid WKB byte order {b} at byte {}",
                r.pos - 1
            )))
        }
    };
    let raw = r.u32(le)?;
    // EWKB flag bits, then ISO thousands.
    let mut z = raw & 0x8000_0000 != 0;
    let mut m = raw & 0x4000_0000 != 0;
    let srid = raw & 0x2000_0000 != 0;
    let code = raw & 0x0FFF_FFFF;
    match code / 1000 {
        0 => {}
        1 => z = true,
        2 => m = true,
        3 => {
            z = true;
            m = true;
        }
        _ => return Err(BlobProblem::Bad(format!("unknown WKB geometry type {raw}"))),
    }
    if srid {
        r.u32(le)?;
    }
    let dims = 2 + usize::from(z) + usize::from(m);
    match code % 1000 {
        3 => out.push(wkb_polygon(r, le, dims)?),
        6 | 7 => {
            let n = r.count(le, 5)?;
            for _ in 0..n {
                wkb_geometry(r, out, depth + 1)?;
            }
        }
        1 => return Err(BlobProblem::NotPolygon("Point")),
        2 => return Err(BlobProblem::NotPolygon("LineString")),
        4 => return Err(BlobProblem::NotPolygon("MultiPoint")),
        5 => return Err(BlobProblem::NotPolygon("MultiLineString")),
        8 => return Err(BlobProblem::NotPolygon("CircularString")),
        9 => return Err(BlobProblem::NotPolygon("CompoundCurve")),
        10 => return Err(BlobProblem::NotPolygon("CurvePolygon")),
        11 => return Err(BlobProblem::NotPolygon("MultiCurve")),
        12 => return Err(BlobProblem::NotPolygon("MultiSurface")),
        15 => return Err(BlobProblem::NotPolygon("PolyhedralSurface")),
        16 => return Err(BlobProblem::NotPolygon("TIN")),
        17 => return Err(BlobProblem::NotPolygon("Triangle")),
        _ => return Err(BlobProblem::Bad(format!("unknown WKB geometry type {raw}"))),
    }
    Ok(())
}

fn wkb_polygon(r: &mut Reader<'_>, le: bool, dims: usize) -> Result<Vec<RawRing>, BlobProblem> {
    let rings = r.count(le, 4)?;
    let mut out = Vec::with_capacity(rings);
    for _ in 0..rings {
        let n = r.count(le, 8 * dims)?;
        let mut ring = Vec::with_capacity(n);
        for _ in 0..n {
            let x = r.f64(le)?;
            let y = r.f64(le)?;
            for _ in 2..dims {
                r.f64(le)?;
            }
            ring.push(Coord { x, y });
        }
        out.push(ring);
    }
    Ok(out)
}

/// A GeoPackage geometry blob of `mp` as a MultiPolygon (little-endian, xy envelope; an empty
/// geometry has the empty flag and no envelope). Exterior rings counter-clockwise, holes
/// clockwise (as OGC simple features and GDAL write them).
pub fn multipolygon_blob(mp: &MultiPolygon<f64>, srs_id: i32) -> Vec<u8> {
    use geo::orient::{Direction, Orient};
    let mp = mp.orient(Direction::Default);
    let bbox = ring_box(mp.0.iter().flat_map(|p| p.exterior().0.iter()));
    let mut b = Vec::with_capacity(64);
    b.extend_from_slice(b"GP");
    b.push(0);
    match bbox {
        Some(_) => b.push(0x03), // little-endian header, xy envelope
        None => b.push(0x11),    // little-endian header, empty, no envelope
    }
    b.extend_from_slice(&srs_id.to_le_bytes());
    if let Some(bbox) = bbox {
        for v in [bbox.min().x, bbox.max().x, bbox.min().y, bbox.max().y] {
            b.extend_from_slice(&v.to_le_bytes());
        }
    }
    let polys: Vec<&geo::Polygon<f64>> = if bbox.is_some() {
        mp.0.iter().collect()
    } else {
        Vec::new()
    };
    b.push(1);
    b.extend_from_slice(&6u32.to_le_bytes());
    b.extend_from_slice(&(polys.len() as u32).to_le_bytes());
    for p in polys {
        b.push(1);
        b.extend_from_slice(&3u32.to_le_bytes());
        let rings: Vec<&geo::LineString<f64>> =
            std::iter::once(p.exterior()).chain(p.interiors()).collect();
        b.extend_from_slice(&(rings.len() as u32).to_le_bytes());
        for ring in rings {
            b.extend_from_slice(&(ring.0.len() as u32).to_le_bytes());
            for c in &ring.0 {
                b.extend_from_slice(&c.x.to_le_bytes());
                b.extend_from_slice(&c.y.to_le_bytes());
            }
        }
    }
    b
}

// ---------------------------------------------------------------------------------------------
// Writing

/// The SQLite type of an attribute column written to a GeoPackage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnKind {
    Text,
    /// REAL: values are parsed from their text (an unparsable value is an error).
    Real,
}

/// One attribute column of a written feature table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub kind: ColumnKind,
}

/// `last_change` of gpkg_contents: `SOURCE_DATE_EPOCH` when set, else 2000-01-01, so that the
/// file is the same bytes for the same inputs (as the shapefiles' .dbf date).
fn last_change() -> String {
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or(946_684_800);
    let (y, mo, d) = super::dbf::civil_from_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}.000Z",
        s / 3600,
        (s / 60) % 60,
        s % 60
    )
}

/// Writes a GeoPackage 1.3 holding one polygon feature table `table` (geometry column `geom`,
/// MULTIPOLYGON, fid `fid`) in `crs`: application_id `GPKG`, user_version 10300, the
/// spatial_ref_sys rows the standard requires (-1, 0, EPSG:4326) and `crs` (its EPSG code when it
/// has one, with WKT from PROJ), gpkg_contents with the layer's extent and
/// gpkg_geometry_columns. Written under a temporary name beside `path` and renamed over it, so
/// an existing file is replaced whole or not at all; flushed to the disk before the rename when
/// `durability` says so. No spatial index is written.
pub fn write_polygon_gpkg<G: std::borrow::Borrow<MultiPolygon<f64>>>(
    path: &Path,
    table: &str,
    columns: &[Column],
    features: &[(G, Vec<Option<String>>)],
    crs: &crate::crs::CrsDef,
    durability: Durability,
) -> Result<(), String> {
    let tmp = super::atomic::temp_path(path);
    let _ = std::fs::remove_file(&tmp);
    let result = write_to(&tmp, table, columns, features, crs, durability)
        .and_then(|()| std::fs::rename(&tmp, path).map_err(|e| e.to_string()));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// WKT (WKT1 as GDAL writes it, which GeoPackage 1.3's `definition` expects) of `crs`.
fn wkt_of(crs: &crate::crs::CrsDef) -> Result<String, String> {
    crs.gdal_wkt()
        .ok_or_else(|| format!("PROJ cannot write {} as WKT1", crs.label()))
}

fn write_to<G: std::borrow::Borrow<MultiPolygon<f64>>>(
    file: &Path,
    table: &str,
    columns: &[Column],
    features: &[(G, Vec<Option<String>>)],
    crs: &crate::crs::CrsDef,
    durability: Durability,
) -> Result<(), String> {
    let e = |e: rusqlite::Error| e.to_string();
    let mut conn = Connection::open(file).map_err(e)?;
    // A new file under a temporary name, removed if anything fails and renamed over the output
    // only once whole: no rollback journal and no syncing per statement (SQLite synced its
    // journal, the file and the folder 24 times for a county's conflicts, ~5 ms waiting on the
    // disk); the file is synced once, closed, before the rename. One transaction.
    conn.execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")
        .map_err(e)?;
    let tx = conn.transaction().map_err(e)?;
    tx.execute_batch(
        "PRAGMA application_id = 1196444487; PRAGMA user_version = 10300;
         CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY,
           organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL,
           definition TEXT NOT NULL, description TEXT);
         CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
           identifier TEXT UNIQUE, description TEXT DEFAULT '',
           last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
           min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
           CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
         CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,
           geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL,
           m TINYINT NOT NULL,
           CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
           CONSTRAINT uk_gc_table_name UNIQUE (table_name),
           CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
           CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));",
    )
    .map_err(e)?;
    let wgs84 = wkt_of(&crate::crs::CrsDef::epsg(4326)?)?;
    let mut srs = tx
        .prepare(
            "INSERT INTO gpkg_spatial_ref_sys (srs_name, srs_id, organization,
             organization_coordsys_id, definition, description) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .map_err(e)?;
    srs.execute(rusqlite::params![
        "Undefined cartesian SRS",
        -1,
        "NONE",
        -1,
        "undefined",
        "undefined cartesian coordinate reference system"
    ])
    .map_err(e)?;
    srs.execute(rusqlite::params![
        "Undefined geographic SRS",
        0,
        "NONE",
        0,
        "undefined",
        "undefined geographic coordinate reference system"
    ])
    .map_err(e)?;
    srs.execute(rusqlite::params![
        "WGS 84 geodetic",
        4326,
        "EPSG",
        4326,
        wgs84,
        "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid"
    ])
    .map_err(e)?;
    // The working CRS: its EPSG code as srs_id when it has one, else a private id.
    let srs_id: i32 = match crs.epsg_equivalent() {
        Some(4326) => 4326,
        Some(code) => {
            let code = i32::try_from(code).map_err(|_| format!("EPSG code {code} too large"))?;
            srs.execute(rusqlite::params![
                crs.name,
                code,
                "EPSG",
                code,
                wkt_of(crs)?,
                ""
            ])
            .map_err(e)?;
            code
        }
        None => {
            srs.execute(rusqlite::params![
                crs.name,
                100_000,
                "NONE",
                100_000,
                wkt_of(crs)?,
                ""
            ])
            .map_err(e)?;
            100_000
        }
    };
    drop(srs);
    let bbox = ring_box(
        features
            .iter()
            .flat_map(|(g, _)| g.borrow().0.iter().flat_map(|p| p.exterior().0.iter())),
    );
    let (min_x, min_y, max_x, max_y) = match bbox {
        Some(b) => (
            Some(b.min().x),
            Some(b.min().y),
            Some(b.max().x),
            Some(b.max().y),
        ),
        None => (None, None, None, None),
    };
    tx.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change,
         min_x, min_y, max_x, max_y, srs_id) VALUES (?1, 'features', ?1, '', ?2, ?3, ?4, ?5, ?6, ?7)",
        rusqlite::params![table, last_change(), min_x, min_y, max_x, max_y, srs_id],
    )
    .map_err(e)?;
    tx.execute(
        "INSERT INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name, srs_id,
         z, m) VALUES (?1, 'geom', 'MULTIPOLYGON', ?2, 0, 0)",
        rusqlite::params![table, srs_id],
    )
    .map_err(e)?;
    let mut create = format!(
        "CREATE TABLE {} (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom MULTIPOLYGON",
        quote(table)
    );
    for c in columns {
        let ty = match c.kind {
            ColumnKind::Text => "TEXT",
            ColumnKind::Real => "REAL",
        };
        create.push_str(&format!(", {} {ty}", quote(&c.name)));
    }
    create.push(')');
    tx.execute_batch(&create).map_err(e)?;
    let mut insert = format!("INSERT INTO {} (geom", quote(table));
    for c in columns {
        insert.push_str(", ");
        insert.push_str(&quote(&c.name));
    }
    insert.push_str(") VALUES (?1");
    for k in 0..columns.len() {
        insert.push_str(&format!(", ?{}", k + 2));
    }
    insert.push(')');
    {
        let mut stmt = tx.prepare(&insert).map_err(e)?;
        for (geom, values) in features {
            if values.len() != columns.len() {
                return Err(format!(
                    "{} value(s) for {} column(s)",
                    values.len(),
                    columns.len()
                ));
            }
            let mut params: Vec<rusqlite::types::Value> = Vec::with_capacity(columns.len() + 1);
            params.push(rusqlite::types::Value::Blob(multipolygon_blob(
                geom.borrow(),
                srs_id,
            )));
            for (c, v) in columns.iter().zip(values) {
                params.push(match (c.kind, v) {
                    (_, None) => rusqlite::types::Value::Null,
                    (ColumnKind::Text, Some(v)) => rusqlite::types::Value::Text(v.clone()),
                    (ColumnKind::Real, Some(v)) => rusqlite::types::Value::Real(
                        v.trim()
                            .parse::<f64>()
                            .map_err(|_| format!("{}: {v} is not a number", c.name))?,
                    ),
                });
            }
            stmt.execute(rusqlite::params_from_iter(params))
                .map_err(e)?;
        }
    }
    tx.commit().map_err(e)?;
    conn.close().map_err(|(_, err)| err.to_string())?;
    if durability == Durability::Synced {
        super::atomic::sync_file(file).map_err(|e| e.to_string())?;
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn layer_paths_split_at_the_last_hash_after_gpkg() {
        let (f, t) = split_layer_path(Path::new("dir/plan.GPKG#merged_zones"));
        assert_eq!(f, Path::new("dir/plan.GPKG"));
        assert_eq!(t.as_deref(), Some("merged_zones"));
        let (f, t) = split_layer_path(Path::new("dir/a#b.shp"));
        assert_eq!(f, Path::new("dir/a#b.shp"));
        assert_eq!(t, None);
        assert!(is_gpkg_path(Path::new("x.gpkg")));
        assert!(is_gpkg_path(Path::new("x.gpkg#t")));
        assert!(!is_gpkg_path(Path::new("x.shp")));
    }

    /// A little-endian polygon blob with a Z (ISO 1003) ring and an EWKB-flagged big-endian one.
    #[test]
    fn blobs_with_z_and_m_and_either_byte_order_are_read() {
        // GP header, no envelope, then ISO PolygonZ (1003), one ring of 4 points (x, y, z).
        let mut b = b"GP\x00\x01".to_vec();
        b.extend_from_slice(&4326i32.to_le_bytes());
        b.push(1);
        b.extend_from_slice(&1003u32.to_le_bytes());
        b.extend_from_slice(&1u32.to_le_bytes());
        b.extend_from_slice(&4u32.to_le_bytes());
        for (x, y) in [(0.0f64, 0.0f64), (1.0, 0.0), (0.0, 1.0), (0.0, 0.0)] {
            for v in [x, y, 9.0] {
                b.extend_from_slice(&v.to_le_bytes());
            }
        }
        let polys = parse_blob(&b).unwrap();
        assert_eq!(polys.len(), 1);
        assert_eq!(polys[0][0][1], Coord { x: 1.0, y: 0.0 });
        // Big-endian EWKB MultiPolygon with the M flag: points are (x, y, m).
        let mut b = b"GP\x00\x00".to_vec();
        b.extend_from_slice(&0i32.to_be_bytes());
        b.push(0);
        b.extend_from_slice(&(6u32 | 0x4000_0000).to_be_bytes());
        b.extend_from_slice(&1u32.to_be_bytes());
        b.push(0);
        b.extend_from_slice(&(3u32 | 0x4000_0000).to_be_bytes());
        b.extend_from_slice(&1u32.to_be_bytes());
        b.extend_from_slice(&4u32.to_be_bytes());
        for (x, y) in [(5.0f64, 5.0f64), (6.0, 5.0), (5.0, 7.0), (5.0, 5.0)] {
            for v in [x, y, 3.0] {
                b.extend_from_slice(&v.to_be_bytes());
            }
        }
        let polys = parse_blob(&b).unwrap();
        assert_eq!(polys[0][0][2], Coord { x: 5.0, y: 7.0 });
    }

    #[test]
    fn bad_and_non_polygon_blobs_say_why() {
        assert!(matches!(
            parse_blob(b"XX\x00\x01\0\0\0\0"),
            Err(BlobProblem::Bad(_))
        ));
        // Empty flag.
        assert_eq!(parse_blob(b"GP\x00\x11\0\0\0\0"), Err(BlobProblem::Empty));
        // A point.
        let mut b = b"GP\x00\x01\0\0\0\0\x01".to_vec();
        b.extend_from_slice(&1u32.to_le_bytes());
        b.extend_from_slice(&[0u8; 16]);
        assert_eq!(parse_blob(&b), Err(BlobProblem::NotPolygon("Point")));
        // A ring count far beyond the bytes: refused, not allocated.
        let mut b = b"GP\x00\x01\0\0\0\0\x01".to_vec();
        b.extend_from_slice(&3u32.to_le_bytes());
        b.extend_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(parse_blob(&b), Err(BlobProblem::Bad(w)) if w.contains("exceeds")));
    }

    proptest::proptest! {
        /// Any bytes, and any one byte of a valid blob changed or the blob cut anywhere: an
        /// answer (polygons or a reason), never a panic or a huge allocation.
        #[test]
        fn any_blob_gets_an_answer(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200),
            at in 0usize..200,
            byte in proptest::prelude::any::<u8>(),
            cut in 0usize..200,
        ) {
            let _ = parse_blob(&bytes);
            let mp: MultiPolygon<f64> = MultiPolygon(vec![geo::Polygon::new(
                geo::LineString::from(vec![(0.0, 0.0), (0.0, 2.0), (2.0, 2.0), (0.0, 0.0)]),
                vec![geo::LineString::from(vec![(0.1, 0.5), (0.2, 0.5), (0.1, 0.6), (0.1, 0.5)])],
            )]);
            let mut blob = multipolygon_blob(&mp, 4549);
            let k = at % blob.len();
            blob[k] = byte;
            let _ = parse_blob(&blob);
            blob.truncate(cut.min(blob.len()));
            let _ = parse_blob(&blob);
        }
    }

    #[test]
    fn written_blobs_read_back() {
        let mp: MultiPolygon<f64> = MultiPolygon(vec![geo::Polygon::new(
            geo::LineString::from(vec![
                (0.0, 0.0),
                (0.0, 2.0),
                (2.0, 2.0),
                (2.0, 0.0),
                (0.0, 0.0),
            ]),
            vec![],
        )]);
        let blob = multipolygon_blob(&mp, 4549);
        let polys = parse_blob(&blob).unwrap();
        assert_eq!(polys.len(), 1);
        assert_eq!(polys[0][0].len(), 5);
        // Envelope present: minx, maxx, miny, maxy after the srs_id.
        assert_eq!(blob[3], 0x03);
        assert_eq!(f64::from_le_bytes(blob[16..24].try_into().unwrap()), 2.0);
        let empty = multipolygon_blob(&MultiPolygon(vec![]), 4549);
        assert_eq!(parse_blob(&empty), Err(BlobProblem::Empty));
    }
}
