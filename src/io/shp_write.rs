//! Writing polygon shapefiles (.shp, .shx, .dbf, .cpg, .prj) byte by byte.
//!
//! [`ShapefileWriter`] streams a layer feature by feature: records go to temporary files beside
//! the target, and [`ShapefileWriter::finish`] completes the headers (lengths, bounding box,
//! record count) and renames the files into place, so a layer of millions of features never sits
//! in memory and readers never see half a layer. [`write_polygon_shapefile`] writes a whole layer
//! held in memory through it.
//!
//! Rings are written in ESRI order (exterior clockwise, holes counter-clockwise) whatever their
//! orientation in the input; text is encoded as UTF-8 or GBK and cut to the field width on a
//! character boundary.

use super::atomic::{temp_path, write_atomic_with, Durability};
use super::dbf::civil_from_days;
use geo::{Coord, MultiPolygon};
use std::fs::File;
use std::io::{BufWriter, Error, ErrorKind, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// One attribute column of the output table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldSpec {
    /// Column name; cut to 10 bytes in the output encoding.
    pub name: String,
    pub kind: FieldKind,
}

/// dBASE type and size of a column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// Character field (`C`) of the given width in bytes (0 is written as 1).
    Text(u8),
    /// Numeric field (`N`): values are decimal text, right-aligned.
    Number { width: u8, decimals: u8 },
}

impl FieldKind {
    /// Width in bytes of the column (at least 1).
    fn width(self) -> usize {
        match self {
            FieldKind::Text(w) | FieldKind::Number { width: w, .. } => usize::from(w.max(1)),
        }
    }
}

/// Text encoding of the `.dbf` (also written to the `.cpg`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutEncoding {
    Utf8,
    Gbk,
}

impl OutEncoding {
    fn cpg(self) -> &'static str {
        match self {
            OutEncoding::Utf8 => "UTF-8",
            OutEncoding::Gbk => "GBK",
        }
    }

    fn ldid(self) -> u8 {
        match self {
            OutEncoding::Utf8 => 0x00,
            OutEncoding::Gbk => 0x4D,
        }
    }
}

/// What a [`ShapefileWriter`] wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ShapefileCounts {
    /// Records (features), null shapes included.
    pub records: u64,
    /// Polygons (exterior rings).
    pub polygons: u64,
    /// Rings, exterior and holes.
    pub rings: u64,
    /// Points over all rings, each ring's closing point included.
    pub points: u64,
}

/// Writes a polygon shapefile: `path_shp` and its `.shx`, `.dbf`, `.cpg` and (when `prj_wkt` is
/// given) `.prj`; a stale `.prj` of the same name is removed when `prj_wkt` is `None`.
///
/// Each feature is a geometry and one value per field (`None` is written blank); an empty
/// geometry becomes a null shape. Fails with `InvalidInput` when a feature has the wrong number
/// of values, a number does not fit its field, or the files would exceed the format's limits;
/// then no file of the layer is replaced.
pub fn write_polygon_shapefile<G: std::borrow::Borrow<MultiPolygon<f64>>>(
    path_shp: &Path,
    fields: &[FieldSpec],
    features: &[(G, Vec<Option<String>>)],
    prj_wkt: Option<&str>,
    encoding: OutEncoding,
) -> std::io::Result<()> {
    write_polygon_shapefile_with(
        path_shp,
        fields,
        features,
        prj_wkt,
        encoding,
        Durability::Synced,
    )
}

/// [`write_polygon_shapefile`], its files flushed to the disk before they are renamed into
/// place only when `durability` says so.
pub fn write_polygon_shapefile_with<G: std::borrow::Borrow<MultiPolygon<f64>>>(
    path_shp: &Path,
    fields: &[FieldSpec],
    features: &[(G, Vec<Option<String>>)],
    prj_wkt: Option<&str>,
    encoding: OutEncoding,
    durability: Durability,
) -> std::io::Result<()> {
    let mut writer = ShapefileWriter::create(path_shp, fields, encoding)?;
    writer.durability = durability;
    let mut values: Vec<&str> = Vec::with_capacity(fields.len());
    for (geom, row) in features {
        values.clear();
        values.extend(row.iter().map(|v| v.as_deref().unwrap_or("")));
        writer.push(geom.borrow(), &values)?;
    }
    writer.finish(prj_wkt).map(|_| ())
}

/// The `.dbf` names of `names` in `encoding`: each cut to 10 bytes (never half a character); a
/// name that then repeats an earlier one ends in `_1`, `_2`, … instead (its stem cut further so
/// the whole stays within 10 bytes), as GDAL does. Returns the names as they will be written.
pub fn dbf_field_names(names: &[String], encoding: OutEncoding) -> Vec<String> {
    let decode = |bytes: &[u8]| -> String {
        match encoding {
            OutEncoding::Utf8 => String::from_utf8_lossy(bytes).into_owned(),
            OutEncoding::Gbk => encoding_rs::GBK.decode(bytes).0.into_owned(),
        }
    };
    let mut out: Vec<String> = Vec::with_capacity(names.len());
    for name in names {
        let cut = decode(&encode_cut(name.trim(), encoding, 10));
        let taken = |n: &str, out: &[String]| out.iter().any(|o| o.eq_ignore_ascii_case(n));
        if !taken(&cut, &out) {
            out.push(cut);
            continue;
        }
        let mut k = 1;
        loop {
            let suffix = format!("_{k}");
            let stem = decode(&encode_cut(name.trim(), encoding, 10 - suffix.len()));
            let candidate = format!("{stem}{suffix}");
            if !taken(&candidate, &out) {
                out.push(candidate);
                break;
            }
            k += 1;
        }
    }
    out
}

/// A polygon shapefile written feature by feature.
///
/// [`create`](Self::create) opens the `.shp`, `.shx` and `.dbf` under temporary names beside the
/// target (`.NAME.PID.tmp`); [`push`](Self::push) appends one record to each;
/// [`finish`](Self::finish) writes the headers, renames the three files into place and writes the
/// `.cpg` and `.prj`. A writer dropped without `finish` (or whose `finish` fails) removes its
/// temporary files and leaves any existing layer of the same name as it was.
pub struct ShapefileWriter {
    path: PathBuf,
    fields: Vec<FieldSpec>,
    encoding: OutEncoding,
    dbf_date: [u8; 3],
    /// Temporary `.shp`, `.shx`, `.dbf` (in that order) and their writers.
    tmp: [PathBuf; 3],
    files: Option<[BufWriter<File>; 3]>,
    /// Whether [`ShapefileWriter::finish`] flushes the files to the disk before renaming them
    /// into place ([`Durability::Synced`] unless set otherwise).
    pub durability: Durability,
    counts: ShapefileCounts,
    /// Length of the `.shp` so far, header included.
    shp_bytes: u64,
    bbox: Option<[f64; 4]>,
    /// Scratch buffers reused between records.
    record: Vec<u8>,
    row: Vec<u8>,
    points: Vec<Coord<f64>>,
    starts: Vec<usize>,
}

impl ShapefileWriter {
    /// Starts a layer at `path_shp` (its `.shx`, `.dbf`, `.cpg` and `.prj` beside it). Fails with
    /// `InvalidInput` when a field name is empty or the table header would be too large.
    pub fn create(
        path_shp: &Path,
        fields: &[FieldSpec],
        encoding: OutEncoding,
    ) -> std::io::Result<ShapefileWriter> {
        let path = path_shp.to_path_buf();
        let tmp = ["shp", "shx", "dbf"].map(|ext| temp_path(&path.with_extension(ext)));
        let mut writer = ShapefileWriter {
            path,
            fields: fields.to_vec(),
            encoding,
            dbf_date: dbf_date(),
            tmp,
            files: None,
            durability: Durability::Synced,
            counts: ShapefileCounts::default(),
            shp_bytes: 100,
            bbox: None,
            record: Vec::new(),
            row: Vec::new(),
            points: Vec::new(),
            starts: Vec::new(),
        };
        let dbf_header = writer.dbf_header()?;
        // The headers are placeholders until `finish`; a failure here drops `writer`, which
        // removes whatever temporary file was made.
        let open = |tmp: &Path, header: &[u8]| -> std::io::Result<BufWriter<File>> {
            let mut file = BufWriter::with_capacity(1 << 20, File::create(tmp)?);
            file.write_all(header)?;
            Ok(file)
        };
        let shp = open(&writer.tmp[0], &[0; 100])?;
        let shx = open(&writer.tmp[1], &[0; 100])?;
        let dbf = open(&writer.tmp[2], &dbf_header)?;
        writer.files = Some([shp, shx, dbf]);
        Ok(writer)
    }

    /// Sets the `.dbf` "last update" date (default: `SOURCE_DATE_EPOCH` when set, else
    /// 2000-01-01, so outputs are reproducible). Years outside 1900–2155 are clamped.
    pub fn set_dbf_date(&mut self, year: i32, month: u8, day: u8) {
        self.dbf_date = [
            u8::try_from((year - 1900).clamp(0, 255)).unwrap_or(0),
            month,
            day,
        ];
    }

    /// What has been written so far.
    pub fn counts(&self) -> ShapefileCounts {
        self.counts
    }

    /// Appends one feature: its geometry (an empty one is a null shape) and one value per field
    /// (empty text is blank). Fails with `InvalidInput`, leaving the layer as it was, when the
    /// number of values is wrong, a number does not fit its field or the layer would exceed the
    /// format's limits.
    pub fn push(&mut self, geom: &MultiPolygon<f64>, values: &[&str]) -> std::io::Result<()> {
        let index = self.counts.records;
        self.encode_row(index, values)?;
        let record_number = to_i32(usize::try_from(index + 1).unwrap_or(usize::MAX), "records")?;
        let (polygons, record_box) = self.encode_shape(record_number, geom)?;
        let content_words = i32::try_from((self.record.len() - 8) / 2)
            .map_err(|_| invalid("a record too large for a shapefile".to_string()))?;
        let offset_words = self.shp_bytes / 2;
        let shp_bytes = self.shp_bytes + self.record.len() as u64;
        if shp_bytes / 2 > i32::MAX as u64 {
            return Err(invalid(format!("shapefile too large ({shp_bytes} bytes)")));
        }
        let mut index_entry = [0u8; 8];
        index_entry[..4].copy_from_slice(&(offset_words as i32).to_be_bytes());
        index_entry[4..].copy_from_slice(&content_words.to_be_bytes());
        let Some([shp, shx, dbf]) = self.files.as_mut() else {
            return Err(Error::other("the shapefile writer is closed"));
        };
        shp.write_all(&self.record)?;
        shx.write_all(&index_entry)?;
        dbf.write_all(&self.row)?;
        self.shp_bytes = shp_bytes;
        self.counts.records += 1;
        self.counts.polygons += polygons;
        self.counts.rings += self.starts.len() as u64;
        self.counts.points += self.points.len() as u64;
        if let Some(b) = record_box {
            self.bbox = Some(match self.bbox {
                None => b,
                Some(l) => [
                    l[0].min(b[0]),
                    l[1].min(b[1]),
                    l[2].max(b[2]),
                    l[3].max(b[3]),
                ],
            });
        }
        Ok(())
    }

    /// Completes the headers, renames `.dbf`, `.shx` into place, writes the `.cpg`, the `.prj`
    /// (or removes a stale one when `prj_wkt` is `None`) and renames the `.shp` last.
    pub fn finish(mut self, prj_wkt: Option<&str>) -> std::io::Result<ShapefileCounts> {
        let layer_box = self.bbox.unwrap_or([0.0; 4]);
        let shx_bytes = 100 + 8 * self.counts.records;
        let mut shp_header = Vec::with_capacity(100);
        main_header(&mut shp_header, self.shp_bytes, 5, layer_box)?;
        let mut shx_header = Vec::with_capacity(100);
        main_header(&mut shx_header, shx_bytes, 5, layer_box)?;
        let dbf_header = self.dbf_header()?;
        let Some(mut files) = self.files.take() else {
            return Err(Error::other("the shapefile writer is closed"));
        };
        files[2].write_all(&[0x1A])?;
        for (file, header) in files.iter_mut().zip([shp_header, shx_header, dbf_header]) {
            file.seek(SeekFrom::Start(0))?;
            file.write_all(&header)?;
            file.flush()?;
            if self.durability == Durability::Synced {
                file.get_ref().sync_all()?;
            }
        }
        drop(files);
        std::fs::rename(&self.tmp[2], self.path.with_extension("dbf"))?;
        std::fs::rename(&self.tmp[1], self.path.with_extension("shx"))?;
        write_atomic_with(
            &self.path.with_extension("cpg"),
            self.encoding.cpg().as_bytes(),
            self.durability,
        )?;
        let prj_path = self.path.with_extension("prj");
        match prj_wkt {
            Some(wkt) => write_atomic_with(&prj_path, wkt.as_bytes(), self.durability)?,
            None => match std::fs::remove_file(&prj_path) {
                Err(e) if e.kind() != ErrorKind::NotFound => return Err(e),
                _ => {}
            },
        }
        std::fs::rename(&self.tmp[0], &self.path)?;
        Ok(self.counts)
    }

    /// The `.dbf` header for the records written so far.
    fn dbf_header(&self) -> std::io::Result<Vec<u8>> {
        let fields = &self.fields;
        let header_len = 32 + 32 * fields.len() + 1;
        let record_len = 1 + fields.iter().map(|f| f.kind.width()).sum::<usize>();
        let header_len_u16 = u16::try_from(header_len)
            .map_err(|_| invalid(format!("too many fields ({}) for a .dbf", fields.len())))?;
        let record_len_u16 = u16::try_from(record_len).map_err(|_| {
            invalid(format!(
                "records of {record_len} bytes are too long for a .dbf"
            ))
        })?;
        let count = u32::try_from(self.counts.records).map_err(|_| {
            invalid(format!(
                "too many records ({}) for a .dbf",
                self.counts.records
            ))
        })?;
        let mut out = Vec::with_capacity(header_len);
        out.push(0x03);
        out.extend_from_slice(&self.dbf_date);
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&header_len_u16.to_le_bytes());
        out.extend_from_slice(&record_len_u16.to_le_bytes());
        out.extend_from_slice(&[0; 17]);
        out.push(self.encoding.ldid());
        out.extend_from_slice(&[0; 2]);
        for field in fields {
            let name = encode_cut(field.name.trim(), self.encoding, 10);
            if name.is_empty() {
                return Err(invalid("a field has an empty name".to_string()));
            }
            let mut descriptor = [0u8; 32];
            if let Some(slot) = descriptor.get_mut(..name.len()) {
                slot.copy_from_slice(&name);
            }
            let (kind, decimals) = match field.kind {
                FieldKind::Text(_) => (b'C', 0),
                FieldKind::Number { decimals, .. } => (b'N', decimals),
            };
            descriptor[11] = kind;
            descriptor[16] = field.kind.width() as u8; // ≤ 255: it came from a u8
            descriptor[17] = decimals;
            out.extend_from_slice(&descriptor);
        }
        out.push(0x0D);
        Ok(out)
    }

    /// Encodes the attribute row of feature `index` into `self.row`.
    fn encode_row(&mut self, index: u64, values: &[&str]) -> std::io::Result<()> {
        if values.len() != self.fields.len() {
            return Err(invalid(format!(
                "feature {index} has {} values for {} fields",
                values.len(),
                self.fields.len()
            )));
        }
        let out = &mut self.row;
        out.clear();
        out.push(b' ');
        for (field, value) in self.fields.iter().zip(values) {
            let width = field.kind.width();
            match field.kind {
                FieldKind::Text(_) => {
                    let bytes = encode_cut(value, self.encoding, width);
                    let pad = width - bytes.len();
                    out.extend_from_slice(&bytes);
                    out.resize(out.len() + pad, b' ');
                }
                FieldKind::Number { decimals, .. } => {
                    let text = number_text(value, width, usize::from(decimals)).map_err(|m| {
                        invalid(format!("feature {index}, field {}: {m}", field.name))
                    })?;
                    out.resize(out.len() + (width - text.len()), b' ');
                    out.extend_from_slice(text.as_bytes());
                }
            }
        }
        Ok(())
    }

    /// Encodes the `.shp` record (header and content) of `geom` into `self.record`, its rings in
    /// ESRI order into `self.points`/`self.starts`. Returns the number of polygons and the
    /// record's box (`None` for a null shape).
    fn encode_shape(
        &mut self,
        number: i32,
        geom: &MultiPolygon<f64>,
    ) -> std::io::Result<(u64, Option<[f64; 4]>)> {
        let polygons = esri_rings(geom, &mut self.points, &mut self.starts);
        let out = &mut self.record;
        out.clear();
        put_be_i32(out, number);
        put_be_i32(out, 0); // content length, patched below
        let mut record_box = None;
        if self.starts.is_empty() {
            put_le_i32(out, 0);
        } else {
            let b = bbox(self.points.iter());
            record_box = Some(b);
            put_le_i32(out, 5);
            for v in b {
                put_le_f64(out, v);
            }
            put_le_i32(out, to_i32(self.starts.len(), "rings")?);
            put_le_i32(out, to_i32(self.points.len(), "points")?);
            for &start in &self.starts {
                put_le_i32(out, to_i32(start, "points")?);
            }
            for p in &self.points {
                put_le_f64(out, p.x);
                put_le_f64(out, p.y);
            }
        }
        let content_words = to_i32((out.len() - 8) / 2, "points")?;
        if let Some(slot) = out.get_mut(4..8) {
            slot.copy_from_slice(&content_words.to_be_bytes());
        }
        Ok((polygons, record_box))
    }
}

impl Drop for ShapefileWriter {
    /// Removes the temporary files a writer did not rename into place (none after a
    /// successful [`finish`](Self::finish)).
    fn drop(&mut self) {
        drop(self.files.take());
        for tmp in &self.tmp {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

fn invalid(message: String) -> Error {
    Error::new(ErrorKind::InvalidInput, message)
}

/// Min x, min y, max x, max y over `points` (zeros when there are none).
fn bbox<'a>(points: impl Iterator<Item = &'a Coord<f64>>) -> [f64; 4] {
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    let mut any = false;
    for p in points {
        any = true;
        b = [b[0].min(p.x), b[1].min(p.y), b[2].max(p.x), b[3].max(p.y)];
    }
    if any && b.iter().all(|v| v.is_finite()) {
        b
    } else if any {
        b.map(|v| if v.is_finite() { v } else { 0.0 })
    } else {
        [0.0; 4]
    }
}

/// Twice the signed area of a ring (positive when counter-clockwise), relative to its first point.
fn signed_area2(ring: &[Coord<f64>]) -> f64 {
    let Some(o) = ring.first() else {
        return 0.0;
    };
    ring.windows(2)
        .map(|w| (w[0].x - o.x) * (w[1].y - o.y) - (w[1].x - o.x) * (w[0].y - o.y))
        .sum()
}

/// Appends a closed copy of `ring` to `out`, oriented clockwise (`clockwise`) or
/// counter-clockwise.
fn push_oriented(out: &mut Vec<Coord<f64>>, ring: &[Coord<f64>], clockwise: bool) {
    let start = out.len();
    out.extend_from_slice(ring);
    if let (Some(&first), Some(&last)) = (ring.first(), ring.last()) {
        if first != last {
            out.push(first);
        }
    }
    let Some(added) = out.get_mut(start..) else {
        return;
    };
    let area2 = signed_area2(added);
    if (clockwise && area2 > 0.0) || (!clockwise && area2 < 0.0) {
        added.reverse();
    }
}

/// The rings of one feature in ESRI order, their points into `points` and each ring's first
/// index into `starts` (both emptied first; empty when the geometry is empty). Returns the
/// number of polygons (non-empty exteriors).
fn esri_rings(
    geom: &MultiPolygon<f64>,
    points: &mut Vec<Coord<f64>>,
    starts: &mut Vec<usize>,
) -> u64 {
    points.clear();
    starts.clear();
    let mut polygons = 0;
    for poly in &geom.0 {
        if poly.exterior().0.is_empty() {
            continue;
        }
        polygons += 1;
        starts.push(points.len());
        push_oriented(points, &poly.exterior().0, true);
        for hole in poly.interiors() {
            if !hole.0.is_empty() {
                starts.push(points.len());
                push_oriented(points, &hole.0, false);
            }
        }
    }
    polygons
}

fn put_be_i32(out: &mut Vec<u8>, v: i32) {
    out.extend_from_slice(&v.to_be_bytes());
}

fn put_le_i32(out: &mut Vec<u8>, v: i32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put_le_f64(out: &mut Vec<u8>, v: f64) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// The 100-byte header shared by `.shp` and `.shx`.
fn main_header(
    out: &mut Vec<u8>,
    length_bytes: u64,
    shape_type: i32,
    bbox: [f64; 4],
) -> std::io::Result<()> {
    let words = i32::try_from(length_bytes / 2)
        .map_err(|_| invalid(format!("shapefile too large ({length_bytes} bytes)")))?;
    put_be_i32(out, 9994);
    out.extend_from_slice(&[0; 20]);
    put_be_i32(out, words);
    put_le_i32(out, 1000);
    put_le_i32(out, shape_type);
    for v in bbox {
        put_le_f64(out, v);
    }
    out.extend_from_slice(&[0; 32]); // z and m ranges
    Ok(())
}

fn to_i32(n: usize, what: &str) -> std::io::Result<i32> {
    i32::try_from(n).map_err(|_| invalid(format!("too many {what} ({n}) for a shapefile")))
}

/// `text` encoded, cut to at most `max` bytes without splitting a character; characters the
/// encoding cannot represent become `?`.
fn encode_cut(text: &str, encoding: OutEncoding, max: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(max.min(text.len()));
    match encoding {
        OutEncoding::Utf8 => {
            for ch in text.chars() {
                if out.len() + ch.len_utf8() > max {
                    break;
                }
                let mut buf = [0u8; 4];
                out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
            }
        }
        OutEncoding::Gbk => {
            let mut encoder = encoding_rs::GBK.new_encoder();
            let mut buf = [0u8; 8];
            for ch in text.chars() {
                let mut s = [0u8; 4];
                let s = ch.encode_utf8(&mut s);
                let (result, _, written) =
                    encoder.encode_from_utf8_without_replacement(s, &mut buf, false);
                let bytes: &[u8] = match result {
                    encoding_rs::EncoderResult::InputEmpty => buf.get(..written).unwrap_or(b"?"),
                    _ => b"?",
                };
                if out.len() + bytes.len() > max {
                    break;
                }
                out.extend_from_slice(bytes);
            }
        }
    }
    out
}

/// The text written for a numeric value: the value as given when it fits, else rounded to the
/// field's decimals; blank for a missing or non-finite value.
fn number_text(value: &str, width: usize, decimals: usize) -> Result<String, String> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(String::new());
    }
    let parsed: f64 = v.parse().map_err(|_| format!("\"{v}\" is not a number"))?;
    if !parsed.is_finite() {
        return Ok(String::new());
    }
    if v.len() <= width && v.bytes().all(|b| b.is_ascii_digit() || b"+-.".contains(&b)) {
        // A negative zero ("-0.000") is written unsigned.
        return Ok(match v.strip_prefix('-') {
            Some(rest) if parsed == 0.0 => rest.to_string(),
            _ => v.to_string(),
        });
    }
    let rounded = crate::model::num::fixed(parsed, decimals);
    if rounded.len() <= width {
        Ok(rounded)
    } else {
        Err(format!("{v} does not fit in {width} characters"))
    }
}

/// The DBF "last update" date: `SOURCE_DATE_EPOCH` when set, else a fixed 2000-01-01, so that
/// every output zonecheck writes is byte-for-byte reproducible (reports and sample data are
/// compared across runs; no GIS tool relies on this date).
fn dbf_date() -> [u8; 3] {
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or(946_684_800);
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    [
        u8::try_from((y - 1900).clamp(0, 255)).unwrap_or(0),
        m as u8,
        d as u8,
    ]
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::io::shp::read_shapefile;
    use crate::model::RawShape;
    use geo::{coord, polygon, LineString, Polygon};

    const XIAOSHAN: &str = "萧山经济技术开发区";

    fn c(x: f64, y: f64) -> Coord<f64> {
        coord! { x: x, y: y }
    }

    fn fields() -> Vec<FieldSpec> {
        vec![
            FieldSpec {
                name: "NAME".to_string(),
                kind: FieldKind::Text(40),
            },
            FieldSpec {
                name: "名称".to_string(),
                kind: FieldKind::Text(10),
            },
            FieldSpec {
                name: "AREA_MU".to_string(),
                kind: FieldKind::Number {
                    width: 14,
                    decimals: 2,
                },
            },
        ]
    }

    /// A square with a hole, given in the "wrong" (OGC) orientation: exterior counter-clockwise,
    /// hole clockwise; a multipolygon of two squares; an empty geometry (a null shape).
    fn features() -> Vec<(MultiPolygon<f64>, Vec<Option<String>>)> {
        let with_hole = Polygon::new(
            LineString::from(vec![(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)]),
            vec![LineString::from(vec![
                (2.0, 2.0),
                (2.0, 4.0),
                (4.0, 4.0),
                (4.0, 2.0),
            ])],
        );
        let a = polygon![(x: 500_000.5, y: 3_300_000.25), (x: 500_000.5, y: 3_300_100.0), (x: 500_100.0, y: 3_300_100.0), (x: 500_100.0, y: 3_300_000.25)];
        let b =
            polygon![(x: 20.0, y: 0.0), (x: 20.0, y: 1.0), (x: 21.0, y: 1.0), (x: 20.0, y: 0.0)];
        vec![
            (
                MultiPolygon(vec![with_hole]),
                vec![
                    Some(XIAOSHAN.to_string()),
                    Some(XIAOSHAN.to_string()),
                    Some("1234.5".to_string()),
                ],
            ),
            (
                MultiPolygon(vec![a, b]),
                vec![Some("Zone B".to_string()), None, Some("0.125".to_string())],
            ),
            (
                MultiPolygon(vec![]),
                vec![None, Some("空".to_string()), None],
            ),
        ]
    }

    /// The rings we expect back, in ESRI order (worked out by hand from `features`).
    fn expected_rings() -> Vec<Vec<Vec<Coord<f64>>>> {
        vec![
            vec![
                vec![
                    c(0.0, 0.0),
                    c(0.0, 10.0),
                    c(10.0, 10.0),
                    c(10.0, 0.0),
                    c(0.0, 0.0),
                ],
                vec![
                    c(2.0, 2.0),
                    c(4.0, 2.0),
                    c(4.0, 4.0),
                    c(2.0, 4.0),
                    c(2.0, 2.0),
                ],
            ],
            vec![
                vec![
                    c(500_000.5, 3_300_000.25),
                    c(500_000.5, 3_300_100.0),
                    c(500_100.0, 3_300_100.0),
                    c(500_100.0, 3_300_000.25),
                    c(500_000.5, 3_300_000.25),
                ],
                vec![c(20.0, 0.0), c(20.0, 1.0), c(21.0, 1.0), c(20.0, 0.0)],
            ],
        ]
    }

    fn round_trip(encoding: OutEncoding, cut_name: &str) {
        let dir = tempfile::tempdir().unwrap();
        let shp = dir.path().join("conflicts.shp");
        let prj = "PROJCS[\"CGCS2000 / 3-degree Gauss-Kruger CM 120E\"]";
        write_polygon_shapefile(&shp, &fields(), &features(), Some(prj), encoding).unwrap();

        let layer = read_shapefile(&shp).unwrap();
        assert_eq!(layer.fields, vec!["NAME", "名称", "AREA_MU"]);
        assert_eq!(layer.crs.as_deref(), Some(prj));
        assert_eq!(
            layer.encoding.as_ref().map(|e| e.en.clone()),
            Some(format!("{} (.cpg)", encoding.cpg()))
        );
        assert_eq!(layer.records_in_file, 3);
        assert_eq!(
            layer.warnings,
            vec!["record 2: null shape (no geometry)".to_string()]
        );
        assert_eq!(layer.records.len(), 2);
        for (record, rings) in layer.records.iter().zip(expected_rings()) {
            assert_eq!(record.shape, RawShape::Rings(rings));
        }
        let s = |v: &str| Some(v.to_string());
        assert_eq!(
            layer.records[0].attrs,
            vec![s(XIAOSHAN), s(cut_name), s("1234.5")]
        );
        assert_eq!(layer.records[1].attrs, vec![s("Zone B"), None, s("0.125")]);

        // A third-party reader agrees on geometry, ring roles and attributes.
        let shapes = shapefile::read_shapes(&shp).unwrap();
        assert_eq!(shapes.len(), 3);
        for (shape, rings) in shapes.iter().zip(expected_rings()) {
            let shapefile::Shape::Polygon(poly) = shape else {
                panic!("expected a polygon, got {shape}");
            };
            let got: Vec<Vec<Coord<f64>>> = poly
                .rings()
                .iter()
                .map(|r| r.points().iter().map(|p| c(p.x, p.y)).collect())
                .collect();
            assert_eq!(got, rings);
        }
        let shapefile::Shape::Polygon(first) = &shapes[0] else {
            panic!("expected a polygon");
        };
        assert!(matches!(first.rings()[0], shapefile::PolygonRing::Outer(_)));
        assert!(matches!(first.rings()[1], shapefile::PolygonRing::Inner(_)));
        assert!(matches!(shapes[2], shapefile::Shape::NullShape));

        let mut reader = shapefile::Reader::from_path(&shp).unwrap();
        let rows: Vec<_> = reader
            .iter_shapes_and_records()
            .map(|r| r.unwrap().1)
            .collect();
        assert_eq!(rows.len(), 3);
        use shapefile::dbase::FieldValue;
        assert_eq!(
            rows[0].get("NAME"),
            Some(&FieldValue::Character(Some(XIAOSHAN.to_string())))
        );
        assert_eq!(
            rows[0].get("名称"),
            Some(&FieldValue::Character(Some(cut_name.to_string())))
        );
        assert_eq!(
            rows[1].get("AREA_MU"),
            Some(&FieldValue::Numeric(Some(0.125)))
        );
    }

    #[test]
    fn round_trip_gbk() {
        // 10 bytes of GBK hold 5 of the 9 characters.
        round_trip(OutEncoding::Gbk, "萧山经济技");
    }

    #[test]
    fn round_trip_utf8() {
        // 10 bytes of UTF-8 hold 3 of the 9 characters (9 bytes), never half a character.
        round_trip(OutEncoding::Utf8, "萧山经");
    }

    #[test]
    fn dbf_header_is_dbase3_with_language_driver() {
        let dir = tempfile::tempdir().unwrap();
        let shp = dir.path().join("a.shp");
        write_polygon_shapefile(&shp, &fields(), &features(), None, OutEncoding::Gbk).unwrap();
        let dbf = std::fs::read(dir.path().join("a.dbf")).unwrap();
        assert_eq!(dbf[0], 0x03);
        assert_eq!(dbf[29], 0x4D);
        assert_eq!(u32::from_le_bytes(dbf[4..8].try_into().unwrap()), 3);
        assert_eq!(*dbf.last().unwrap(), 0x1A);
        assert_eq!(
            std::fs::read_to_string(dir.path().join("a.cpg")).unwrap(),
            "GBK"
        );
        assert!(!dir.path().join("a.prj").exists());
        // Numbers are right-aligned in their 14 characters.
        let header_len = 32 + 3 * 32 + 1;
        let record = &dbf[header_len..header_len + 1 + 40 + 10 + 14];
        assert_eq!(&record[51..], b"        1234.5");
    }

    #[test]
    fn field_names_are_cut_on_character_boundaries() {
        assert_eq!(
            encode_cut("ABCDEFGHIJKL", OutEncoding::Utf8, 10),
            b"ABCDEFGHIJ"
        );
        assert_eq!(
            encode_cut("规划面积亩数合计", OutEncoding::Utf8, 10),
            "规划面".as_bytes()
        );
        let gbk = encoding_rs::GBK.encode("规划面积亩").0.into_owned();
        assert_eq!(encode_cut("规划面积亩数合计", OutEncoding::Gbk, 10), gbk);
        // Characters GBK cannot hold become '?'.
        assert_eq!(encode_cut("a😀b", OutEncoding::Gbk, 10), b"a?b");
    }

    #[test]
    fn numbers_that_do_not_fit_are_rounded_or_refused() {
        assert_eq!(number_text("12.345678", 8, 2).unwrap(), "12.35");
        assert_eq!(number_text(" 7 ", 3, 0).unwrap(), "7");
        assert_eq!(number_text("NaN", 5, 0).unwrap(), "");
        assert!(number_text("123456", 3, 0).is_err());
        assert!(number_text("abc", 10, 0).is_err());
        let dir = tempfile::tempdir().unwrap();
        let spec = [FieldSpec {
            name: "N".to_string(),
            kind: FieldKind::Number {
                width: 3,
                decimals: 0,
            },
        }];
        let feats = vec![(MultiPolygon(vec![]), vec![Some("123456".to_string())])];
        let err = write_polygon_shapefile(
            &dir.path().join("x.shp"),
            &spec,
            &feats,
            None,
            OutEncoding::Utf8,
        )
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(err.to_string().contains("feature 0, field N"), "{err}");
    }

    /// Lengths worked out by hand from `features()`: a polygon record is 8 bytes of record
    /// header + 4 (type) + 32 (box) + 4 (rings) + 4 (points) + 4 per ring + 16 per point; the
    /// first feature has 2 rings of 5 points (both given open, so closed on writing), the
    /// second 2 rings of 5 and 4 points (the triangle is given closed), the third is a null
    /// shape (8 + 4 bytes).
    #[test]
    fn streamed_layer_has_the_lengths_offsets_and_counts_worked_out_by_hand() {
        let dir = tempfile::tempdir().unwrap();
        let shp = dir.path().join("s.shp");
        let mut w = ShapefileWriter::create(&shp, &fields(), OutEncoding::Utf8).unwrap();
        w.set_dbf_date(2025, 1, 1);
        for (geom, values) in features() {
            let values: Vec<&str> = values.iter().map(|v| v.as_deref().unwrap_or("")).collect();
            w.push(&geom, &values).unwrap();
        }
        let counts = w.finish(None).unwrap();
        assert_eq!(
            counts,
            ShapefileCounts {
                records: 3,
                polygons: 3,
                rings: 4,
                points: 19
            }
        );
        let rec1 = 8 + 44 + 2 * 4 + 10 * 16; // 220
        let rec2 = 8 + 44 + 2 * 4 + 9 * 16; // 204
        let rec3 = 8 + 4; // 12
        let shp_bytes = std::fs::read(&shp).unwrap();
        assert_eq!(shp_bytes.len(), 100 + rec1 + rec2 + rec3);
        let be = |b: &[u8], at: usize| i32::from_be_bytes(b[at..at + 4].try_into().unwrap());
        assert_eq!(be(&shp_bytes, 24), (100 + rec1 + rec2 + rec3) as i32 / 2);
        let shx = std::fs::read(dir.path().join("s.shx")).unwrap();
        assert_eq!(shx.len(), 100 + 3 * 8);
        assert_eq!(be(&shx, 24), (100 + 3 * 8) / 2);
        let index: Vec<(i32, i32)> = (0..3)
            .map(|i| (be(&shx, 100 + 8 * i), be(&shx, 104 + 8 * i)))
            .collect();
        assert_eq!(
            index,
            vec![
                (50, (rec1 as i32 - 8) / 2),
                ((100 + rec1 as i32) / 2, (rec2 as i32 - 8) / 2),
                ((100 + rec1 as i32 + rec2 as i32) / 2, 2)
            ]
        );
        // Layer box: x from 0 to 500 100, y from 0 to 3 300 100.
        let le = |b: &[u8], at: usize| f64::from_le_bytes(b[at..at + 8].try_into().unwrap());
        assert_eq!(
            [le(&shx, 36), le(&shx, 44), le(&shx, 52), le(&shx, 60)],
            [0.0, 0.0, 500_100.0, 3_300_100.0]
        );
        let dbf = std::fs::read(dir.path().join("s.dbf")).unwrap();
        assert_eq!(&dbf[1..4], &[125, 1, 1]);
        assert_eq!(u32::from_le_bytes(dbf[4..8].try_into().unwrap()), 3);
        // Header 32 + 3 × 32 + 1, three records of 1 + 40 + 10 + 14 bytes, the end marker.
        assert_eq!(dbf.len(), 129 + 3 * 65 + 1);
        assert!(!dir.path().join("s.prj").exists());
    }

    /// File names in `dir`, sorted.
    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn an_unfinished_or_failed_layer_leaves_the_old_one_and_no_temporary_files() {
        let dir = tempfile::tempdir().unwrap();
        let shp = dir.path().join("c.shp");
        write_polygon_shapefile(&shp, &fields(), &features(), Some("WKT"), OutEncoding::Utf8)
            .unwrap();
        let before: Vec<Vec<u8>> = ["shp", "shx", "dbf", "cpg", "prj"]
            .iter()
            .map(|e| std::fs::read(shp.with_extension(e)).unwrap())
            .collect();
        let names = names_in(dir.path());
        assert_eq!(names, ["c.cpg", "c.dbf", "c.prj", "c.shp", "c.shx"]);

        // Dropped without `finish`.
        let mut w = ShapefileWriter::create(&shp, &fields(), OutEncoding::Gbk).unwrap();
        w.push(&MultiPolygon(vec![]), &["x", "y", "1"]).unwrap();
        assert_eq!(names_in(dir.path()).len(), 8, "three temporary files");
        drop(w);
        // A value that does not fit: the whole write fails.
        let mut bad = features();
        bad[2].1[2] = Some("123456789012345".to_string());
        let err =
            write_polygon_shapefile(&shp, &fields(), &bad, None, OutEncoding::Gbk).unwrap_err();
        assert!(
            err.to_string().contains("feature 2, field AREA_MU"),
            "{err}"
        );
        // A wrong number of values.
        let mut w = ShapefileWriter::create(&shp, &fields(), OutEncoding::Gbk).unwrap();
        let err = w.push(&MultiPolygon(vec![]), &["x"]).unwrap_err();
        assert_eq!(err.to_string(), "feature 0 has 1 values for 3 fields");
        drop(w);

        assert_eq!(names_in(dir.path()), names);
        for (e, old) in ["shp", "shx", "dbf", "cpg", "prj"].iter().zip(&before) {
            assert_eq!(&std::fs::read(shp.with_extension(e)).unwrap(), old, "{e}");
        }
    }

    #[test]
    fn empty_layer_is_readable() {
        let dir = tempfile::tempdir().unwrap();
        let shp = dir.path().join("empty.shp");
        write_polygon_shapefile::<MultiPolygon<f64>>(&shp, &fields(), &[], None, OutEncoding::Utf8)
            .unwrap();
        let layer = read_shapefile(&shp).unwrap();
        assert!(layer.records.is_empty());
        assert!(layer.warnings.is_empty(), "{:?}", layer.warnings);
        assert_eq!(shapefile::read_shapes(&shp).unwrap().len(), 0);
    }

    #[test]
    fn dbf_names_are_cut_to_ten_bytes_and_kept_apart() {
        let names: Vec<String> = [
            "开发区名称",
            "开发区名称代码",
            "ID",
            "DOMINANT_INDUSTRY",
            "DOMINANT_INDUSTRY_2",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // GBK: 开发区名称 is 10 bytes and stays; 开发区名称代码 cuts to the same 10 bytes, so it
        // becomes 8 bytes of stem (开发区名, 2 bytes a character) + "_1".
        let gbk = dbf_field_names(&names, OutEncoding::Gbk);
        assert_eq!(
            gbk,
            vec!["开发区名称", "开发区名_1", "ID", "DOMINANT_I", "DOMINANT_1"]
        );
        // UTF-8: 3 bytes a character: 开发区 (9 bytes), then 开发_1 (6 + 2).
        let utf8 = dbf_field_names(&names, OutEncoding::Utf8);
        assert_eq!(
            utf8,
            vec!["开发区", "开发_1", "ID", "DOMINANT_I", "DOMINANT_1"]
        );
        assert!(utf8.iter().all(|n| n.len() <= 10));
    }
}
