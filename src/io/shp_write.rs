//! Writing polygon shapefiles (.shp, .shx, .dbf, .cpg, .prj) byte by byte, each file atomically.
//!
//! Rings are written in ESRI order (exterior clockwise, holes counter-clockwise) whatever their
//! orientation in the input; text is encoded as UTF-8 or GBK and cut to the field width on a
//! character boundary.

use super::atomic::write_atomic;
use super::dbf::civil_from_days;
use geo::{Coord, MultiPolygon};
use std::io::{Error, ErrorKind};
use std::path::Path;

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

/// Writes a polygon shapefile: `path_shp` and its `.shx`, `.dbf`, `.cpg` and (when `prj_wkt` is
/// given) `.prj`; a stale `.prj` of the same name is removed when `prj_wkt` is `None`.
///
/// Each feature is a geometry and one value per field (`None` is written blank); an empty
/// geometry becomes a null shape. Fails with `InvalidInput` when a feature has the wrong number
/// of values, a number does not fit its field, or the files would exceed the format's limits.
pub fn write_polygon_shapefile(
    path_shp: &Path,
    fields: &[FieldSpec],
    features: &[(MultiPolygon<f64>, Vec<Option<String>>)],
    prj_wkt: Option<&str>,
    encoding: OutEncoding,
) -> std::io::Result<()> {
    let (shp, shx) = shp_and_shx(features.iter().map(|(g, _)| g))?;
    let dbf = dbf_bytes(fields, features, encoding)?;
    write_atomic(&path_shp.with_extension("dbf"), &dbf)?;
    write_atomic(&path_shp.with_extension("shx"), &shx)?;
    write_atomic(&path_shp.with_extension("cpg"), encoding.cpg().as_bytes())?;
    let prj_path = path_shp.with_extension("prj");
    match prj_wkt {
        Some(wkt) => write_atomic(&prj_path, wkt.as_bytes())?,
        None => match std::fs::remove_file(&prj_path) {
            Err(e) if e.kind() != ErrorKind::NotFound => return Err(e),
            _ => {}
        },
    }
    write_atomic(path_shp, &shp)
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

/// A closed copy of `ring`, oriented clockwise (`clockwise`) or counter-clockwise.
fn oriented(ring: &[Coord<f64>], clockwise: bool) -> Vec<Coord<f64>> {
    let mut out = ring.to_vec();
    if let (Some(&first), Some(&last)) = (out.first(), out.last()) {
        if first != last {
            out.push(first);
        }
    }
    let area2 = signed_area2(&out);
    if (clockwise && area2 > 0.0) || (!clockwise && area2 < 0.0) {
        out.reverse();
    }
    out
}

/// Rings of one feature in ESRI order; empty when the geometry is empty.
fn esri_rings(geom: &MultiPolygon<f64>) -> Vec<Vec<Coord<f64>>> {
    let mut rings = Vec::new();
    for poly in &geom.0 {
        if poly.exterior().0.is_empty() {
            continue;
        }
        rings.push(oriented(&poly.exterior().0, true));
        for hole in poly.interiors() {
            if !hole.0.is_empty() {
                rings.push(oriented(&hole.0, false));
            }
        }
    }
    rings
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
    length_bytes: usize,
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

/// Bytes of the `.shp` and `.shx` for the given geometries.
fn shp_and_shx<'a>(
    geoms: impl ExactSizeIterator<Item = &'a MultiPolygon<f64>>,
) -> std::io::Result<(Vec<u8>, Vec<u8>)> {
    let n = geoms.len();
    let mut records = Vec::new();
    let mut index = Vec::with_capacity(n * 8);
    let mut layer_box: Option<[f64; 4]> = None;
    for (i, geom) in geoms.enumerate() {
        let rings = esri_rings(geom);
        let offset = 100 + records.len();
        let content_start = records.len() + 8;
        put_be_i32(&mut records, to_i32(i + 1, "records")?);
        put_be_i32(&mut records, 0); // content length, patched below
        if rings.is_empty() {
            put_le_i32(&mut records, 0);
        } else {
            let b = bbox(rings.iter().flatten());
            layer_box = Some(match layer_box {
                None => b,
                Some(l) => [
                    l[0].min(b[0]),
                    l[1].min(b[1]),
                    l[2].max(b[2]),
                    l[3].max(b[3]),
                ],
            });
            let n_points: usize = rings.iter().map(Vec::len).sum();
            put_le_i32(&mut records, 5);
            for v in b {
                put_le_f64(&mut records, v);
            }
            put_le_i32(&mut records, to_i32(rings.len(), "rings")?);
            put_le_i32(&mut records, to_i32(n_points, "points")?);
            let mut start = 0usize;
            for ring in &rings {
                put_le_i32(&mut records, to_i32(start, "points")?);
                start += ring.len();
            }
            for p in rings.iter().flatten() {
                put_le_f64(&mut records, p.x);
                put_le_f64(&mut records, p.y);
            }
        }
        let content_len = records.len() - content_start;
        let content_words = to_i32(content_len / 2, "points")?;
        if let Some(slot) = records.get_mut(content_start - 4..content_start) {
            slot.copy_from_slice(&content_words.to_be_bytes());
        }
        put_be_i32(&mut index, to_i32(offset / 2, "bytes")?);
        put_be_i32(&mut index, content_words);
    }
    let layer_box = layer_box.unwrap_or([0.0; 4]);
    let mut shp = Vec::with_capacity(100 + records.len());
    main_header(&mut shp, 100 + records.len(), 5, layer_box)?;
    shp.extend_from_slice(&records);
    let mut shx = Vec::with_capacity(100 + index.len());
    main_header(&mut shx, 100 + index.len(), 5, layer_box)?;
    shx.extend_from_slice(&index);
    Ok((shp, shx))
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
        return Ok(v.to_string());
    }
    let rounded = format!("{parsed:.decimals$}");
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

/// Bytes of the `.dbf` (dBASE III).
fn dbf_bytes(
    fields: &[FieldSpec],
    features: &[(MultiPolygon<f64>, Vec<Option<String>>)],
    encoding: OutEncoding,
) -> std::io::Result<Vec<u8>> {
    let widths: Vec<usize> = fields
        .iter()
        .map(|f| match f.kind {
            FieldKind::Text(w) => usize::from(w.max(1)),
            FieldKind::Number { width, .. } => usize::from(width.max(1)),
        })
        .collect();
    let header_len = 32 + 32 * fields.len() + 1;
    let record_len = 1 + widths.iter().sum::<usize>();
    let header_len_u16 = u16::try_from(header_len)
        .map_err(|_| invalid(format!("too many fields ({}) for a .dbf", fields.len())))?;
    let record_len_u16 = u16::try_from(record_len).map_err(|_| {
        invalid(format!(
            "records of {record_len} bytes are too long for a .dbf"
        ))
    })?;
    let count = u32::try_from(features.len())
        .map_err(|_| invalid(format!("too many records ({}) for a .dbf", features.len())))?;

    let mut out = Vec::with_capacity(header_len + record_len * features.len() + 1);
    out.push(0x03);
    out.extend_from_slice(&dbf_date());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&header_len_u16.to_le_bytes());
    out.extend_from_slice(&record_len_u16.to_le_bytes());
    out.extend_from_slice(&[0; 17]);
    out.push(encoding.ldid());
    out.extend_from_slice(&[0; 2]);
    for (field, &width) in fields.iter().zip(&widths) {
        let name = encode_cut(field.name.trim(), encoding, 10);
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
        descriptor[16] = width as u8; // ≤ 255: it came from a u8
        descriptor[17] = decimals;
        out.extend_from_slice(&descriptor);
    }
    out.push(0x0D);

    for (i, (_, values)) in features.iter().enumerate() {
        if values.len() != fields.len() {
            return Err(invalid(format!(
                "feature {i} has {} values for {} fields",
                values.len(),
                fields.len()
            )));
        }
        out.push(b' ');
        for ((field, &width), value) in fields.iter().zip(&widths).zip(values) {
            let value = value.as_deref().unwrap_or("");
            match field.kind {
                FieldKind::Text(_) => {
                    let bytes = encode_cut(value, encoding, width);
                    let pad = width - bytes.len();
                    out.extend_from_slice(&bytes);
                    out.resize(out.len() + pad, b' ');
                }
                FieldKind::Number { decimals, .. } => {
                    let text = number_text(value, width, usize::from(decimals))
                        .map_err(|m| invalid(format!("feature {i}, field {}: {m}", field.name)))?;
                    out.resize(out.len() + (width - text.len()), b' ');
                    out.extend_from_slice(text.as_bytes());
                }
            }
        }
    }
    out.push(0x1A);
    Ok(out)
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

    #[test]
    fn empty_layer_is_readable() {
        let dir = tempfile::tempdir().unwrap();
        let shp = dir.path().join("empty.shp");
        write_polygon_shapefile(&shp, &fields(), &[], None, OutEncoding::Utf8).unwrap();
        let layer = read_shapefile(&shp).unwrap();
        assert!(layer.records.is_empty());
        assert!(layer.warnings.is_empty(), "{:?}", layer.warnings);
        assert_eq!(shapefile::read_shapes(&shp).unwrap().len(), 0);
    }
}
