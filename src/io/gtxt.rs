//! 国土TXT, the coordinate exchange format of 建设用地报批 (land-use approval) files: reading
//! it as a polygon layer, writing zones as parcels, and the 界址点 (boundary point) listing both
//! the writer and the `boundary_points.csv` table use.
//!
//! A file has two sections:
//!
//! ```text
//! [属性描述]
//! 坐标系=2000国家大地坐标系
//! 几度分带=3
//! 投影类型=高斯克吕格
//! 计量单位=米
//! 带号=40
//! [地块坐标]
//! 5,1.0000,D1,地块一,面,,建设用地,,@
//! J1,1,3340100.000,40500000.000
//! J2,1,3340100.000,40500100.000
//! …
//! ```
//!
//! Each parcel starts with `界址点数,地块面积,地块编号,地块名称,面,图幅号,地块用途,地类编码,@`
//! (more or fewer attribute fields occur), then one line `点号,圈号,X,Y` per point, X the
//! northing and Y the easting (with or without the zone number before it). A ring is closed by
//! repeating its first point; a new ring starts when a ring closes or the 圈号 changes. Rings
//! are handed on without roles (like a shapefile's): holes are assigned by containment, so a
//! parcel with several exteriors is read as it is drawn.
//!
//! The CRS comes from the header (坐标系, 几度分带, 带号) checked against the coordinates: a
//! zone number before the eastings decides when the header is missing or says otherwise (with
//! a warning).

use super::LoadError;
use crate::messages::io as msg;
use crate::model::{RawLayer, RawRecord, RawRing, RawShape, Text, Unusable};
use geo::{Coord, MultiPolygon};
use std::fmt::Write as _;
use std::path::Path;

/// The attribute names of a parcel line, in the order the format gives them; further fields
/// are named `属性9`, `属性10`, …
pub const PARCEL_FIELDS: [&str; 8] = [
    "界址点数",
    "地块面积",
    "地块编号",
    "地块名称",
    "图形属性",
    "图幅号",
    "地块用途",
    "地类编码",
];

/// The geodetic datum a header names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Datum {
    Cgcs2000,
    Xian80,
    Beijing54,
}

impl Datum {
    /// The header's 坐标系 value for the datum, as written.
    pub fn header_name(self) -> &'static str {
        match self {
            Datum::Cgcs2000 => "2000国家大地坐标系",
            Datum::Xian80 => "80西安坐标系",
            Datum::Beijing54 => "54北京坐标系",
        }
    }

    /// Recognises a 坐标系 value: "2000国家大地坐标系", "CGCS2000", "西安80", "北京54", …
    fn parse(value: &str) -> Option<Datum> {
        let v = value.to_uppercase();
        if v.contains("WGS") || v.contains("UTM") {
            None
        } else if v.contains("2000") {
            Some(Datum::Cgcs2000)
        } else if v.contains("西安") || v.contains("XIAN") || v.contains("80") {
            Some(Datum::Xian80)
        } else if v.contains("北京") || v.contains("BEIJING") || v.contains("54") {
            Some(Datum::Beijing54)
        } else {
            None
        }
    }
}

/// A Gauss-Krüger CRS as a 国土TXT header describes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GkZone {
    pub datum: Datum,
    /// Zone width in degrees: 3 or 6.
    pub width: u32,
    /// Zone number (3-degree: central meridian 3n; 6-degree: 6n − 3).
    pub zone: u32,
    /// True when eastings carry the zone number before them (40,500,000 for 500,000 in zone 40).
    pub prefixed: bool,
}

impl GkZone {
    /// Zone numbers a width has inside China: 3-degree 25–45, 6-degree 13–23.
    fn zones(width: u32) -> std::ops::RangeInclusive<u32> {
        if width == 6 {
            13..=23
        } else {
            25..=45
        }
    }

    /// The EPSG code of this CRS, `None` outside China's zones.
    ///
    /// CGCS2000: 3-degree 4513–4533 (zones 25–45, prefixed) and 4534–4554 (CM 75°E–135°E);
    /// 6-degree 4491–4501 (zones 13–23, prefixed) and 4502–4512 (CM). Xian 1980: 3-degree
    /// 2349–2369 / 2370–2390, 6-degree 2327–2337 / 2338–2348. Beijing 1954: 3-degree
    /// 2401–2421 / 2422–2442, 6-degree 21413–21423 / 21453–21463.
    ///
    /// ```
    /// use zonecheck::io::gtxt::{Datum, GkZone};
    /// let z = |zone, prefixed| GkZone { datum: Datum::Cgcs2000, width: 3, zone, prefixed };
    /// assert_eq!(z(40, true).epsg(), Some(4528));
    /// assert_eq!(z(40, false).epsg(), Some(4549));
    /// ```
    pub fn epsg(&self) -> Option<u32> {
        if !GkZone::zones(self.width).contains(&self.zone) {
            return None;
        }
        let (prefixed, plain, first) = match (self.datum, self.width) {
            (Datum::Cgcs2000, 3) => (4513, 4534, 25),
            (Datum::Cgcs2000, 6) => (4491, 4502, 13),
            (Datum::Xian80, 3) => (2349, 2370, 25),
            (Datum::Xian80, 6) => (2327, 2338, 13),
            (Datum::Beijing54, 3) => (2401, 2422, 25),
            (Datum::Beijing54, 6) => (21413, 21453, 13),
            _ => return None,
        };
        let base = if self.prefixed { prefixed } else { plain };
        Some(base + self.zone - first)
    }

    /// The zone an EPSG code of the families above stands for.
    pub fn of_epsg(code: u32) -> Option<GkZone> {
        let families: [(Datum, u32, u32, u32); 6] = [
            (Datum::Cgcs2000, 3, 4513, 4534),
            (Datum::Cgcs2000, 6, 4491, 4502),
            (Datum::Xian80, 3, 2349, 2370),
            (Datum::Xian80, 6, 2327, 2338),
            (Datum::Beijing54, 3, 2401, 2422),
            (Datum::Beijing54, 6, 21413, 21453),
        ];
        for (datum, width, prefixed, plain) in families {
            let zones = GkZone::zones(width);
            let n = zones.end() - zones.start();
            for (base, is_prefixed) in [(prefixed, true), (plain, false)] {
                if (base..=base + n).contains(&code) {
                    return Some(GkZone {
                        datum,
                        width,
                        zone: zones.start() + code - base,
                        prefixed: is_prefixed,
                    });
                }
            }
        }
        None
    }
}

/// What the [属性描述] section says.
#[derive(Clone, Debug, Default, PartialEq)]
struct Header {
    /// 坐标系 as written, and the datum recognised in it.
    datum_text: Option<String>,
    datum: Option<Datum>,
    width: Option<u32>,
    /// 带号 as a zone number (a central meridian given instead is converted).
    zone: Option<u32>,
    /// 计量单位 as written.
    unit: Option<(String, usize)>,
}

/// Decodes the bytes: UTF-8 (a BOM allowed) when valid, else GBK; bytes valid in neither are
/// an error. Returns the text and the encoding's name.
fn decode(bytes: &[u8]) -> Result<(String, &'static str), Text> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok((text.to_string(), "UTF-8"));
    }
    let (text, had_errors) = encoding_rs::GBK.decode_without_bom_handling(bytes);
    if had_errors {
        return Err(msg::gtxt_not_text());
    }
    Ok((text.into_owned(), "GBK"))
}

/// Reads a 国土TXT file as a polygon layer: one record per parcel, fields [`PARCEL_FIELDS`],
/// coordinates as easting (x) and northing (y), the CRS as `EPSG:NNNN` from the header and the
/// coordinates. A malformed line is an error naming its line number; a parcel whose rings
/// cannot be used is an [`Unusable`] record (the loader fails closed on it).
pub fn read_gtxt(path: &Path) -> Result<RawLayer, LoadError> {
    let bytes = super::read_regular_file(path)?;
    if bytes.is_empty() {
        return Err(LoadError::new(msg::file_empty(), path));
    }
    let (text, encoding) = decode(&bytes).map_err(|m| LoadError::new(m, path))?;
    let mut layer = parse_gtxt(&text).map_err(|m| LoadError::new(m, path))?;
    let reason = if encoding == "UTF-8" {
        msg::EncodingReason::ValidUtf8
    } else {
        msg::EncodingReason::Fallback
    };
    layer.encoding = Some(msg::encoding_note(encoding, reason));
    let hash = super::FileHash::of(path, &bytes);
    layer.sha256 = Some(hash.sha256.clone());
    layer.files = vec![hash];
    Ok(layer)
}

/// One parcel while it is read.
struct Parcel {
    /// Line number of the parcel line (1-based).
    line: usize,
    attrs: Vec<Option<String>>,
    declared_points: Option<usize>,
    /// Rings: (圈号, line of the first point, points).
    rings: Vec<(u32, usize, RawRing)>,
    /// The ring being read is closed (its last point repeats its first).
    closed: bool,
    points: usize,
    /// Lines of rings that ended without repeating their first point.
    unclosed: Vec<usize>,
}

impl Parcel {
    fn push(&mut self, ring_no: u32, line: usize, c: Coord<f64>) {
        self.points += 1;
        match self.rings.last_mut() {
            Some((no, _, ring)) if *no == ring_no && !self.closed => {
                ring.push(c);
                self.closed = ring.len() > 2 && ring.first() == Some(&c);
            }
            _ => {
                self.end_ring();
                self.rings.push((ring_no, line, vec![c]));
                self.closed = false;
            }
        }
    }

    fn end_ring(&mut self) {
        if let Some((_, line, _)) = self.rings.last() {
            if !self.closed {
                self.unclosed.push(*line);
            }
        }
    }
}

/// Parses the text of a 国土TXT file (see [`read_gtxt`]); errors name the line.
pub fn parse_gtxt(text: &str) -> Result<RawLayer, Text> {
    #[derive(PartialEq)]
    enum Section {
        None,
        Header,
        Coords,
        Other,
    }
    let mut section = Section::None;
    let mut header = Header::default();
    let mut parcels: Vec<Parcel> = Vec::new();
    let mut field_count = 0usize;
    // The zone number before the first point's Y and its line: every point must agree.
    let mut first_prefix: Option<(Option<u32>, usize)> = None;
    for (i, raw_line) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = raw_line.trim().trim_start_matches('\u{feff}').trim();
        if line.is_empty() {
            continue;
        }
        if line.starts_with('[') {
            let name = line.trim_start_matches('[').trim_end_matches(']').trim();
            section = match name {
                "属性描述" => Section::Header,
                "地块坐标" => Section::Coords,
                _ => Section::Other,
            };
            continue;
        }
        match section {
            Section::Header => read_header_line(&mut header, line, line_no)?,
            Section::Coords => {
                let mut cells: Vec<&str> = line.split([',', '，']).map(str::trim).collect();
                // A parcel line ends in `,@` (or, in some files, in `@` without the comma).
                if let Some(last) = cells.last_mut().filter(|c| c.ends_with('@')) {
                    *last = last.trim_end_matches('@').trim_end();
                    if last.is_empty() {
                        cells.pop();
                    }
                    if let Some(p) = parcels.last_mut() {
                        p.end_ring();
                    }
                    let attrs: Vec<Option<String>> = cells
                        .iter()
                        .map(|c| (!c.is_empty()).then(|| c.to_string()))
                        .collect();
                    let declared_points = match attrs.first() {
                        Some(Some(n)) => Some(
                            n.parse::<usize>()
                                .map_err(|_| msg::gtxt_bad_point_count(line_no, n))?,
                        ),
                        _ => None,
                    };
                    if let Some(Some(kind)) = attrs.get(4) {
                        if !matches!(kind.as_str(), "面" | "polygon" | "Polygon") {
                            return Err(msg::gtxt_not_polygon(line_no, kind));
                        }
                    }
                    field_count = field_count.max(attrs.len());
                    parcels.push(Parcel {
                        line: line_no,
                        attrs,
                        declared_points,
                        rings: Vec::new(),
                        closed: false,
                        points: 0,
                        unclosed: Vec::new(),
                    });
                    continue;
                }
                let Some(parcel) = parcels.last_mut() else {
                    return Err(msg::gtxt_point_before_parcel(line_no));
                };
                // A trailing comma (`J1,1,X,Y,`) adds nothing.
                while cells.len() > 4 && cells.last() == Some(&"") {
                    cells.pop();
                }
                let (ring_no, c) = read_point(&cells, line_no)?;
                let prefix = prefix_of(c.x);
                match first_prefix {
                    None => first_prefix = Some((prefix, line_no)),
                    Some((first, first_line)) if first != prefix => {
                        return Err(msg::gtxt_mixed_prefixes(line_no, first_line));
                    }
                    Some(_) => {}
                }
                parcel.push(ring_no, line_no, c);
            }
            Section::None => return Err(msg::gtxt_outside_section(line_no)),
            Section::Other => {}
        }
    }
    if let Some(p) = parcels.last_mut() {
        p.end_ring();
    }
    if parcels.is_empty() {
        return Err(msg::gtxt_no_parcels());
    }
    if let Some((unit, line)) = &header.unit {
        let u = unit.to_lowercase();
        if !matches!(u.as_str(), "米" | "m" | "metre" | "meter" | "公尺") {
            return Err(msg::gtxt_bad_unit(*line, unit));
        }
    }
    let mut layer = RawLayer {
        fields: field_names(field_count),
        records_in_file: parcels.len(),
        ..RawLayer::default()
    };
    for (index, parcel) in parcels.into_iter().enumerate() {
        let mut attrs = parcel.attrs;
        attrs.resize(field_count, None);
        let id = attrs.get(2).cloned().flatten();
        for line in &parcel.unclosed {
            layer.warnings.push(msg::feature_warning(
                index,
                &msg::gtxt_ring_not_closed(*line),
            ));
        }
        let closing = parcel.rings.len() - parcel.unclosed.len();
        let problem = parcel_problem(parcel.line, parcel.declared_points, parcel.points, closing)
            .or_else(|| {
                parcel.rings.iter().find_map(|(_, line, ring)| {
                    let distinct = super::shp::distinct_points(ring);
                    (distinct < 3).then(|| msg::gtxt_ring_too_few_points(*line, distinct))
                })
            });
        for (_, _, ring) in &parcel.rings {
            super::extend_extent(&mut layer.extent, ring.iter());
        }
        match problem {
            Some(reason) => {
                layer.warnings.push(msg::feature_warning(index, &reason));
                layer.unusable.push(Unusable {
                    index: Some(index),
                    id,
                    reason,
                });
            }
            None => layer.records.push(RawRecord {
                index,
                shape: RawShape::Rings(parcel.rings.into_iter().map(|(_, _, r)| r).collect()),
                attrs: attrs.into(),
            }),
        }
    }
    match decide_crs(&header, first_prefix)? {
        (Some(crs), warning) => {
            layer.crs = Some(crs);
            layer.warnings.extend(warning);
        }
        (None, why) => layer.crs_missing = why,
    }
    Ok(layer)
}

/// `界址点数`, `地块面积`, … for `n` attribute fields.
fn field_names(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| match PARCEL_FIELDS.get(i) {
            Some(name) => name.to_string(),
            None => format!("属性{}", i + 1),
        })
        .collect()
}

/// A parcel whose 界址点数 disagrees with its point lines (a truncated or spliced file), or
/// that has no point at all. 界址点数 counts every point line, or (in some files) every point
/// line but those closing a ring (`closing` of them).
fn parcel_problem(
    line: usize,
    declared: Option<usize>,
    found: usize,
    closing: usize,
) -> Option<Text> {
    if found == 0 {
        return Some(msg::gtxt_parcel_without_points(line));
    }
    match declared {
        Some(n) if n != found && n + closing != found => {
            Some(msg::gtxt_point_count_mismatch(line, n, found))
        }
        _ => None,
    }
}

/// `点号,圈号,X,Y` → (圈号, easting/northing). X is the northing, Y the easting.
fn read_point(cells: &[&str], line: usize) -> Result<(u32, Coord<f64>), Text> {
    let [_, ring, x, y] = cells else {
        return Err(msg::gtxt_bad_point_line(line, cells.len()));
    };
    let ring_no = ring
        .parse::<u32>()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| msg::gtxt_bad_ring_number(line, ring))?;
    let number = |s: &str| s.parse::<f64>().ok().filter(|v| v.is_finite());
    let north = number(x).ok_or_else(|| msg::gtxt_bad_number(line, "X", x))?;
    let east = number(y).ok_or_else(|| msg::gtxt_bad_number(line, "Y", y))?;
    Ok((ring_no, Coord { x: east, y: north }))
}

fn read_header_line(header: &mut Header, line: &str, line_no: usize) -> Result<(), Text> {
    let Some((key, value)) = line.split_once(['=', '＝']) else {
        return Err(msg::gtxt_bad_header_line(line_no));
    };
    let (key, value) = (key.trim(), value.trim());
    match key {
        "坐标系" if !value.is_empty() => {
            header.datum = Datum::parse(value);
            header.datum_text = Some(value.to_string());
        }
        "几度分带" | "分带" => {
            if value.is_empty() {
                return Ok(());
            }
            let width = value
                .trim_end_matches('度')
                .parse::<u32>()
                .ok()
                .filter(|w| *w == 3 || *w == 6)
                .ok_or_else(|| msg::gtxt_bad_header_value(line_no, key, value))?;
            header.width = Some(width);
        }
        "带号" => {
            if value.is_empty() {
                return Ok(());
            }
            let zone = value
                .parse::<u32>()
                .map_err(|_| msg::gtxt_bad_header_value(line_no, key, value))?;
            header.zone = Some(zone);
        }
        "计量单位" if !value.is_empty() => header.unit = Some((value.to_string(), line_no)),
        _ => {}
    }
    Ok(())
}

/// The zone number in front of an easting: 40 for 40,512,345.678; `None` for 512,345.678.
fn prefix_of(easting: f64) -> Option<u32> {
    (easting >= 1_000_000.0).then(|| (easting / 1_000_000.0).floor() as u32)
}

/// The CRS from the header and the zone number before every Y (`prefix`: that number, the same
/// for every point, and the first point's line): the header's zone, with the coordinates' zone
/// number deciding when the header lacks it or contradicts it (with a warning). Without a
/// usable header and without a prefix the CRS is left unknown (the review's `crs_of` or `crs`
/// decides, or the loader refuses the layer), with the reason for the loader's error.
fn decide_crs(
    header: &Header,
    prefix: Option<(Option<u32>, usize)>,
) -> Result<(Option<String>, Option<Text>), Text> {
    let first = prefix.and_then(|(p, _)| p);
    let prefix_line = prefix.map(|(_, line)| line);
    // Y of 7 digits (1,000,000–9,999,999) is no easting, with or without a zone number (zone
    // numbers are 13–45): it is a northing, so the columns are swapped.
    if let (Some(1..=9), Some((_, line))) = (first, prefix) {
        return Err(msg::gtxt_axes_swapped(line));
    }
    // A 带号 given as the central meridian (120 for zone 40).
    let width = header.width;
    let header_zone = header.zone.map(|z| match width {
        Some(6) if z > 60 && (z + 3) % 6 == 0 => (z + 3) / 6,
        _ if z > 60 && z % 3 == 0 => z / 3,
        _ => z,
    });
    let datum = header.datum;
    let code = |gk: GkZone| gk.epsg().map(|c| format!("EPSG:{c}"));
    match first {
        Some(prefix) => {
            // The coordinates say prefixed, in zone `prefix`; its width follows from the
            // number (3-degree zones are 25–45 in China, 6-degree 13–23).
            let coord_width = if GkZone::zones(6).contains(&prefix) {
                6
            } else {
                3
            };
            let gk = GkZone {
                datum: datum.unwrap_or(Datum::Cgcs2000),
                width: coord_width,
                zone: prefix,
                prefixed: true,
            };
            let Some(epsg) = code(gk) else {
                let line = prefix_line.unwrap_or(0);
                return Err(msg::gtxt_prefix_out_of_range(line, prefix));
            };
            let agrees = datum.is_some()
                && width == Some(coord_width)
                && header_zone.is_none_or(|z| z == prefix);
            let warning = (!agrees).then(|| {
                msg::gtxt_crs_from_coordinates(
                    &epsg,
                    prefix,
                    header.datum_text.as_deref(),
                    width,
                    header_zone,
                )
            });
            Ok((Some(epsg), warning))
        }
        None => {
            let no_crs = || {
                Ok((
                    None,
                    Some(msg::gtxt_no_crs(
                        header.datum_text.as_deref(),
                        width,
                        header_zone,
                    )),
                ))
            };
            let Some(zone) = header_zone else {
                return no_crs();
            };
            // 几度分带 missing: the zone number says it (3-degree 25–45, 6-degree 13–23).
            let width = match width {
                Some(w) => w,
                None if GkZone::zones(3).contains(&zone) => 3,
                None if GkZone::zones(6).contains(&zone) => 6,
                None => return Err(msg::gtxt_zone_out_of_range(3, zone)),
            };
            // 坐标系 missing: CGCS2000, as for zone-prefixed coordinates, with a warning; a
            // 坐标系 that names no datum known here is not guessed.
            let (datum, assumed) = match (datum, &header.datum_text) {
                (Some(d), _) => (d, false),
                (None, None) => (Datum::Cgcs2000, true),
                (None, Some(_)) => return no_crs(),
            };
            let gk = GkZone {
                datum,
                width,
                zone,
                prefixed: false,
            };
            match code(gk) {
                Some(epsg) => {
                    let warning = assumed.then(|| msg::gtxt_datum_assumed(&epsg));
                    Ok((Some(epsg), warning))
                }
                None => Err(msg::gtxt_zone_out_of_range(width, zone)),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 界址点 (boundary points)

/// One boundary point of a zone, as the 界址点 table and the 国土TXT writer list it.
#[derive(Clone, Debug, PartialEq)]
pub struct BoundaryPoint {
    /// 1-based part (polygon) of the zone.
    pub part: usize,
    /// 1-based ring within the part: 1 the exterior, 2… the holes.
    pub ring_in_part: usize,
    /// 1-based ring within the zone (every part's rings in turn), the 国土TXT 圈号.
    pub ring: usize,
    /// The point's number (its label is `J` and the number: J1, J2, …); the point closing a
    /// ring repeats its first number.
    pub number: usize,
    /// Northing (X in Chinese surveying).
    pub x_north: f64,
    /// Easting (Y), in the CRS's own convention (with the zone prefix in a prefixed CRS).
    pub y_east: f64,
}

impl BoundaryPoint {
    /// The point's label: `J` and its number.
    pub fn label(&self) -> String {
        format!("J{}", self.number)
    }
}

/// The boundary points of a zone, ring by ring: each part's exterior then its holes; points
/// numbered J1, J2, … across the zone, each ring starting at its north-westernmost point,
/// exteriors clockwise and holes counter-clockwise (as seen on the map), each ring closed by
/// repeating its first point (with its number). Coordinates are rounded to `decimals`, and a
/// point equal to the one before it after rounding is left out.
///
/// ```
/// use geo::{polygon, MultiPolygon};
/// let square = MultiPolygon(vec![polygon![(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 10.0), (x: 0.0, y: 10.0)]]);
/// let points = zonecheck::io::gtxt::boundary_points(&square, 3);
/// let labels: Vec<String> = points.iter().map(|p| p.label()).collect();
/// assert_eq!(labels, ["J1", "J2", "J3", "J4", "J1"]);
/// // J1 is the north-west corner, then clockwise: north-east, south-east, south-west.
/// assert_eq!((points[0].y_east, points[0].x_north), (0.0, 10.0));
/// assert_eq!((points[1].y_east, points[1].x_north), (10.0, 10.0));
/// ```
pub fn boundary_points(geom: &MultiPolygon<f64>, decimals: usize) -> Vec<BoundaryPoint> {
    let scale = 10f64.powi(decimals.min(12) as i32);
    let round = |v: f64| (v * scale).round() / scale;
    let mut out = Vec::new();
    let mut number = 0usize;
    let mut ring_in_zone = 0usize;
    for (pi, polygon) in geom.0.iter().enumerate() {
        let rings = std::iter::once((polygon.exterior(), true))
            .chain(polygon.interiors().iter().map(|r| (r, false)));
        for (ri, (ring, exterior)) in rings.enumerate() {
            let mut pts: Vec<Coord<f64>> = ring
                .0
                .iter()
                .map(|c| Coord {
                    x: round(c.x),
                    y: round(c.y),
                })
                .collect();
            pts.dedup();
            if pts.len() > 1 && pts.first() == pts.last() {
                pts.pop();
            }
            if pts.len() < 3 {
                continue;
            }
            let clockwise = signed_area(&pts) < 0.0;
            if clockwise != exterior {
                pts.reverse();
            }
            // North-west: the smallest easting − northing (the top-left corner of a square).
            let start = pts
                .iter()
                .enumerate()
                .min_by(|(_, a), (_, b)| {
                    (a.x - a.y)
                        .total_cmp(&(b.x - b.y))
                        .then(b.y.total_cmp(&a.y))
                })
                .map(|(i, _)| i)
                .unwrap_or(0);
            pts.rotate_left(start);
            ring_in_zone += 1;
            let first = number + 1;
            for c in &pts {
                number += 1;
                out.push(BoundaryPoint {
                    part: pi + 1,
                    ring_in_part: ri + 1,
                    ring: ring_in_zone,
                    number,
                    x_north: c.y,
                    y_east: c.x,
                });
            }
            out.push(BoundaryPoint {
                part: pi + 1,
                ring_in_part: ri + 1,
                ring: ring_in_zone,
                number: first,
                x_north: pts[0].y,
                y_east: pts[0].x,
            });
        }
    }
    out
}

/// Twice the signed area (shoelace) of an open ring: positive counter-clockwise.
fn signed_area(pts: &[Coord<f64>]) -> f64 {
    let n = pts.len();
    (0..n)
        .map(|i| {
            let (a, b) = (pts[i], pts[(i + 1) % n]);
            a.x * b.y - b.x * a.y
        })
        .sum()
}

// ---------------------------------------------------------------------------------------------
// Writing

/// One parcel to write: a zone of a layer or of the edited plan.
pub struct ParcelOut<'a> {
    pub id: &'a str,
    pub name: Option<&'a str>,
    pub geometry: &'a MultiPolygon<f64>,
}

/// The header lines of the [属性描述] section for a CRS given by its EPSG code and name: the
/// datum, zone width and zone number of a Gauss-Krüger CRS of [`GkZone::of_epsg`]; for any
/// other CRS its name as 坐标系 (a reader must then be told the CRS).
fn header_lines(epsg: Option<u32>, crs_name: &str, decimals: usize) -> Vec<String> {
    let gk = epsg.and_then(GkZone::of_epsg);
    let mut lines = vec![
        "[属性描述]".to_string(),
        "格式版本号=1.01版本".to_string(),
        "数据产生单位=zonecheck".to_string(),
        "数据产生日期=".to_string(),
    ];
    match gk {
        Some(gk) => {
            lines.push(format!("坐标系={}", gk.datum.header_name()));
            lines.push(format!("几度分带={}", gk.width));
            lines.push("投影类型=高斯克吕格".to_string());
            lines.push("计量单位=米".to_string());
            lines.push(format!("带号={}", gk.zone));
        }
        None => {
            lines.push(format!("坐标系={}", crs_name.replace(['\r', '\n'], " ")));
            lines.push("几度分带=".to_string());
            lines.push("投影类型=".to_string());
            lines.push("计量单位=米".to_string());
            lines.push("带号=".to_string());
        }
    }
    let precision = if decimals == 0 {
        "1".to_string()
    } else {
        format!("0.{}1", "0".repeat(decimals - 1))
    };
    lines.push(format!("精度={precision}"));
    lines.push("转换参数=,,,,,,".to_string());
    lines
}

/// A value of a parcel line: the format has no quoting, so commas become full-width ones.
fn cell(s: &str) -> String {
    s.replace(',', "，")
        .replace(['\r', '\n'], " ")
        .trim()
        .to_string()
}

/// The text of a 国土TXT file (CRLF line ends): the header for the CRS (`epsg`, `crs_name`),
/// then each parcel: `界址点数,地块面积(公顷),地块编号,地块名称,面,,,,@` and its points from
/// [`boundary_points`] as `J1,圈号,X,Y` with `decimals` decimals. The area is the planar area
/// of the geometry in hectares, 4 decimals. A parcel without a ring of 3 points is left out.
pub fn gtxt_text(
    parcels: &[ParcelOut<'_>],
    epsg: Option<u32>,
    crs_name: &str,
    decimals: usize,
) -> String {
    use geo::Area;
    let mut out = header_lines(epsg, crs_name, decimals).join("\r\n");
    out.push_str("\r\n[地块坐标]\r\n");
    for p in parcels {
        let points = boundary_points(p.geometry, decimals);
        if points.is_empty() {
            continue;
        }
        let hectares = p.geometry.unsigned_area() / 10_000.0;
        out.push_str(&format!(
            "{},{hectares:.4},{},{},面,,,,@\r\n",
            points.len(),
            cell(p.id),
            cell(p.name.unwrap_or_default())
        ));
        for pt in points {
            let _ = write!(
                out,
                "J{},{},{:.*},{:.*}\r\n",
                pt.number, pt.ring, decimals, pt.x_north, decimals, pt.y_east
            );
        }
    }
    out
}

/// Encodes a 国土TXT text: GBK when every character has a GBK code, else UTF-8 (which readers,
/// this one included, detect). Returns the bytes and the encoding's name.
pub fn encode(text: &str, gbk: bool) -> (Vec<u8>, &'static str) {
    if gbk {
        let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
        if !unmappable {
            return (bytes.into_owned(), "GBK");
        }
    }
    (text.as_bytes().to_vec(), "UTF-8")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use geo::polygon;

    const HEADER: &str = "[属性描述]\n坐标系=2000国家大地坐标系\n几度分带=3\n投影类型=高斯克吕格\n计量单位=米\n带号=40\n[地块坐标]\n";

    #[test]
    fn every_epsg_of_the_families_is_the_crs_proj_names() {
        // Checked against PROJ's database: the name of each code says datum, width and zone
        // (or central meridian), e.g. EPSG:4528 "CGCS2000 / 3-degree Gauss-Kruger zone 40",
        // EPSG:4549 "... CM 120E", EPSG:4491 "CGCS2000 / Gauss-Kruger zone 13".
        for datum in [Datum::Cgcs2000, Datum::Xian80, Datum::Beijing54] {
            for width in [3, 6] {
                for zone in GkZone::zones(width) {
                    for prefixed in [true, false] {
                        let gk = GkZone {
                            datum,
                            width,
                            zone,
                            prefixed,
                        };
                        let code = gk.epsg().unwrap();
                        assert_eq!(GkZone::of_epsg(code), Some(gk));
                        let crs = crate::crs::CrsDef::epsg(code).unwrap();
                        let name = crs.name;
                        let datum_word = match datum {
                            Datum::Cgcs2000 => "CGCS2000",
                            Datum::Xian80 => "Xian 1980",
                            Datum::Beijing54 => "Beijing 1954",
                        };
                        assert!(name.starts_with(datum_word), "EPSG:{code} {name}");
                        // PROJ names the 6-degree zones plain "Gauss-Kruger".
                        let width_ok = if width == 3 {
                            name.contains("3-degree Gauss-Kruger")
                        } else {
                            name.contains("/ Gauss-Kruger")
                        };
                        assert!(width_ok, "EPSG:{code} {name}");
                        let cm = if width == 3 { 3 * zone } else { 6 * zone - 3 };
                        let tail = if prefixed {
                            format!("zone {zone}")
                        } else {
                            format!("CM {cm}E")
                        };
                        assert!(name.ends_with(&tail), "EPSG:{code} {name}, want {tail}");
                    }
                }
            }
        }
    }

    #[test]
    fn header_and_prefixed_coordinates_give_4528() {
        let text = format!(
            "{HEADER}5,1.0,D1,地块,面,,,,@\nJ1,1,3340100,40500000\nJ2,1,3340100,40500100\nJ3,1,3340000,40500100\nJ4,1,3340000,40500000\nJ1,1,3340100,40500000\n"
        );
        let layer = parse_gtxt(&text).unwrap();
        assert_eq!(layer.crs.as_deref(), Some("EPSG:4528"));
        assert!(layer.warnings.is_empty(), "{:?}", layer.warnings);
        assert_eq!(layer.records.len(), 1);
        assert_eq!(layer.records[0].attrs.get(2), Some("D1"));
        assert_eq!(layer.fields.len(), 8);
    }

    #[test]
    fn header_zone_without_prefix_gives_4549() {
        let text = format!(
            "{HEADER}4,,D1,@\nJ1,1,3340100,500000\nJ2,1,3340100,500100\nJ3,1,3340000,500100\nJ1,1,3340100,500000\n"
        );
        let layer = parse_gtxt(&text).unwrap();
        assert_eq!(layer.crs.as_deref(), Some("EPSG:4549"));
        assert_eq!(layer.fields, vec!["界址点数", "地块面积", "地块编号"]);
    }

    #[test]
    fn a_contradicting_header_yields_to_the_prefix_with_a_warning() {
        let text = HEADER.replace("带号=40", "带号=39")
            + "4,,D1,@\nJ1,1,3340100,40500000\nJ2,1,3340100,40500100\nJ3,1,3340000,40500100\nJ1,1,3340100,40500000\n";
        let layer = parse_gtxt(&text).unwrap();
        assert_eq!(layer.crs.as_deref(), Some("EPSG:4528"));
        assert_eq!(layer.warnings.len(), 1);
        assert!(layer.warnings[0].en.contains("39"), "{:?}", layer.warnings);
    }

    #[test]
    fn a_header_without_datum_or_width_is_completed_from_the_zone_number() {
        let body = "4,,D1,@\nJ1,1,3340100,500000\nJ2,1,3340100,500100\nJ3,1,3340000,500100\nJ1,1,3340100,500000\n";
        // No 几度分带: zone 40 is a 3-degree zone (6-degree zones are 13–23); no warning.
        let text = HEADER.replace("几度分带=3\n", "") + body;
        let layer = parse_gtxt(&text).unwrap();
        assert_eq!(layer.crs.as_deref(), Some("EPSG:4549"));
        assert!(layer.warnings.is_empty(), "{:?}", layer.warnings);
        // No 坐标系: CGCS2000 assumed, with a warning.
        let text = HEADER.replace("坐标系=2000国家大地坐标系\n", "") + body;
        let layer = parse_gtxt(&text).unwrap();
        assert_eq!(layer.crs.as_deref(), Some("EPSG:4549"));
        assert_eq!(layer.warnings.len(), 1);
        // A 坐标系 naming an unknown datum is not guessed: no CRS, and the reason kept.
        let text = HEADER.replace("2000国家大地坐标系", "地方坐标系") + body;
        let layer = parse_gtxt(&text).unwrap();
        assert_eq!(layer.crs, None);
        assert!(layer.crs_missing.unwrap().zh.contains("地方坐标系"));
        // Xian 1980, 6-degree zone 20 (CM 117°E): EPSG:2345.
        let text = HEADER
            .replace("2000国家大地坐标系", "1980西安坐标系")
            .replace("几度分带=3", "几度分带=6")
            .replace("带号=40", "带号=20")
            + body;
        assert_eq!(parse_gtxt(&text).unwrap().crs.as_deref(), Some("EPSG:2345"));
    }

    #[test]
    fn malformed_lines_name_their_number() {
        let bad = |body: &str| parse_gtxt(&format!("{HEADER}{body}")).unwrap_err();
        // Line 8 is the first after the 7 header lines.
        let e = bad("J1,1,3340100,40500000\n");
        assert!(e.en.contains("line 8"), "{e}");
        let e = bad("4,,D1,@\nJ1,1,3340100,40500000\nJ2,1,abc,40500100\n");
        assert!(
            e.en.contains("line 10") && e.zh.contains("第 10 行"),
            "{e:?}"
        );
        let e = bad("4,,D1,@\nJ1,1,3340100\n");
        assert!(e.en.contains("line 9"), "{e}");
        let e = bad("x,,D1,@\n");
        assert!(e.en.contains("line 8"), "{e}");
        let e = bad("4,,D1,@\nJ1,0,3340100,40500000\n");
        assert!(e.en.contains("line 9"), "{e}");
        let e = bad("4,,D1,@\nJ1,1,NaN,40500000\n");
        assert!(e.en.contains("line 9"), "{e}");
        // Line 10 has no zone number before Y where line 9 has 40.
        let e = bad("4,,D1,@\nJ1,1,3340100,40500000\nJ2,1,3340100,500100\n");
        assert!(e.en.contains("line 10") && e.en.contains("line 9"), "{e}");
        // X and Y swapped: Y 3340100 (7 digits) is a northing.
        let e = bad("4,,D1,@\nJ1,1,40500000,3340100\n");
        assert!(e.en.contains("line 9") && e.en.contains("swapped"), "{e}");
    }

    #[test]
    fn a_short_parcel_is_unusable_naming_its_line() {
        let text = format!(
            "{HEADER}5,,D1,@\nJ1,1,3340100,40500000\nJ2,1,3340100,40500100\nJ1,1,3340100,40500000\n"
        );
        let layer = parse_gtxt(&text).unwrap();
        assert!(layer.records.is_empty());
        assert_eq!(layer.unusable.len(), 1);
        let reason = &layer.unusable[0].reason.en;
        assert!(
            reason.contains("line 8") && reason.contains('5'),
            "{reason}"
        );
        assert_eq!(layer.unusable[0].id.as_deref(), Some("D1"));
    }

    #[test]
    fn rings_are_assigned_by_containment_and_counts_may_leave_out_closing_points() {
        // One parcel: two 100 m squares side by side 200 m apart (圈号 1 and 2, both
        // exteriors), the second with a 20 m hole (圈号 3). 界址点数 12 counts the points
        // without the 3 closing ones (15 lines); a trailing comma on a point line is accepted.
        let text = format!(
            "{HEADER}12,,D1,@\n\
             J1,1,3340100,500000\nJ2,1,3340100,500100\nJ3,1,3340000,500100\nJ4,1,3340000,500000\nJ1,1,3340100,500000,\n\
             J5,2,3340100,500300\nJ6,2,3340100,500400\nJ7,2,3340000,500400\nJ8,2,3340000,500300\nJ5,2,3340100,500300\n\
             J9,3,3340060,500340\nJ10,3,3340040,500340\nJ11,3,3340040,500360\nJ12,3,3340060,500360\nJ9,3,3340060,500340\n"
        );
        let layer = parse_gtxt(&text).unwrap();
        assert!(layer.unusable.is_empty(), "{:?}", layer.unusable);
        assert!(layer.warnings.is_empty(), "{:?}", layer.warnings);
        let geom = crate::spatial::repair::build_geometry(&layer.records[0].shape)
            .unwrap()
            .geometry;
        assert_eq!(geom.0.len(), 2);
        // 10000 + (10000 − 400) m².
        assert!((geo::Area::unsigned_area(&geom) - 19_600.0).abs() < 1e-6);
        // 11 is neither 15 nor 15 − 3: unusable.
        let layer = parse_gtxt(&text.replacen("12,,D1,@", "11,,D1,@", 1)).unwrap();
        assert_eq!(layer.unusable.len(), 1);
    }

    #[test]
    fn a_parcel_line_may_end_in_at_without_a_comma() {
        let text = format!(
            "{HEADER}4,,D1,名称@\nJ1,1,3340100,500000\nJ2,1,3340100,500100\nJ3,1,3340000,500100\nJ1,1,3340100,500000\n"
        );
        let layer = parse_gtxt(&text).unwrap();
        assert_eq!(layer.records[0].attrs.get(3), Some("名称"));
        assert_eq!(layer.fields.len(), 4);
    }

    proptest::proptest! {
        // A fixed seed: the same cases on every run, so CI cannot flake.
        #![proptest_config(proptest::test_runner::Config {
            cases: 256,
            rng_seed: proptest::test_runner::RngSeed::Fixed(0x6774_7874),
            ..proptest::test_runner::Config::default()
        })]
        /// Any text, and any mix of well-formed and broken lines, parses or gives an error:
        /// never a panic. Any bytes decode or give an error.
        #[test]
        fn bad_input_never_panics(
            lines in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just("[属性描述]".to_string()),
                    proptest::strategy::Just("[地块坐标]".to_string()),
                    proptest::strategy::Just("带号=40".to_string()),
                    proptest::strategy::Just("几度分带=6".to_string()),
                    proptest::strategy::Just("坐标系=西安80".to_string()),
                    proptest::strategy::Just("4,,D1,面,@".to_string()),
                    proptest::strategy::Just("J1,1,3340100,40500000".to_string()),
                    proptest::strategy::Just("J2,2,3340100,500100".to_string()),
                    proptest::strategy::Just("J3,1,1e308,-1e308".to_string()),
                    "[0-9J,.@=\\[\\]-]{0,30}",
                    ".{0,20}",
                ],
                0..40,
            ),
            bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..200),
        ) {
            let _ = parse_gtxt(&lines.join("\n"));
            let _ = decode(&bytes).map(|(text, _)| parse_gtxt(&text));
        }
    }

    #[test]
    fn boundary_points_of_a_square_with_a_hole() {
        let p = polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 10.0), (x: 0.0, y: 10.0)],
            interiors: [[(x: 2.0, y: 2.0), (x: 2.0, y: 4.0), (x: 4.0, y: 4.0), (x: 4.0, y: 2.0)]],
        );
        let pts = boundary_points(&MultiPolygon(vec![p]), 3);
        let labels: Vec<String> = pts.iter().map(|p| p.label()).collect();
        assert_eq!(
            labels,
            ["J1", "J2", "J3", "J4", "J1", "J5", "J6", "J7", "J8", "J5"]
        );
        // The hole starts at its north-west corner (2, 4) and runs counter-clockwise: south.
        assert_eq!((pts[5].y_east, pts[5].x_north), (2.0, 4.0));
        assert_eq!((pts[6].y_east, pts[6].x_north), (2.0, 2.0));
        assert_eq!(pts[5].ring, 2);
        assert_eq!(pts[5].ring_in_part, 2);
    }
}
