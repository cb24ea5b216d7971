//! GeoJSON reader: Polygon/MultiPolygon features into a [`RawLayer`], with the legacy `crs`
//! member honoured and properties kept as text.

use super::LoadError;
use crate::messages::io as msg;
use crate::model::{Attrs, RawLayer, RawRecord, RawRing, RawShape, Text, Unusable};
use geo::Coord;
use geojson::{GeoJson, Geometry, Value as GValue};
use serde_json::{Map, Value};
use std::path::Path;

mod par;

/// CRS definition for RFC 7946 GeoJSON: longitude/latitude on WGS 84 (CGCS2000 agrees to well
/// under a metre, and PROJ treats the two as the same datum).
pub const RFC7946_CRS: &str = "OGC:CRS84";

/// The spatial filter of a GeoJSON layer, made once the layer's CRS is known: given the
/// definition its `crs` member declares (`None`: none before the features), the region of
/// interest in the file's coordinates, or `None` to keep every feature.
pub type RoiFor<'a> = &'a (dyn Fn(Option<&str>) -> Option<crate::spatial::roi::Roi> + Sync);

/// Reads a GeoJSON file (FeatureCollection, Feature or bare Geometry).
pub fn read_geojson(path: &Path) -> Result<RawLayer, LoadError> {
    read_geojson_with(path, None)
}

/// As [`read_geojson`]; a FeatureCollection's features whose box misses the region `roi_for`
/// gives are counted (`filtered_out`) and their extent kept, but not stored — while streaming.
pub fn read_geojson_with(path: &Path, roi_for: Option<RoiFor<'_>>) -> Result<RawLayer, LoadError> {
    let bytes = super::map_regular_file(path)?;
    if bytes.is_empty() {
        return Err(LoadError::new(msg::file_empty(), path));
    }
    // The hash runs beside the parse (it reads the whole file too). Both, and the check of
    // the text's UTF-8, let the system take back the mapped pages behind them.
    let release = |part: &[u8]| bytes.release(part);
    let (hash, layer) = rayon::join(
        || super::FileHash::named(path, bytes.sha256_hex_releasing()),
        || -> Result<RawLayer, LoadError> {
            let text = utf8_releasing(&bytes, &release)
                .ok_or_else(|| LoadError::new(msg::geojson_not_utf8(), path))?;
            let text = text.trim_start_matches('\u{feff}');
            // A large FeatureCollection is read with its features parsed on every thread; a
            // smaller one (or one the parallel reader leaves) feature by feature; anything else
            // whole.
            if let Some(read) = par::read(text, roi_for, &release) {
                return read.map_err(|m| LoadError::new(m, path));
            }
            match parse_feature_collection_stream(text, roi_for) {
                Ok(Some(layer)) => Ok(layer),
                Ok(None) => {
                    let geojson: GeoJson = text.parse().map_err(|e: geojson::Error| {
                        LoadError::new(msg::geojson_invalid(&e.to_string()), path)
                    })?;
                    parse_geojson(geojson).map_err(|m| LoadError::new(m, path))
                }
                Err(m) => Err(LoadError::new(m, path)),
            }
        },
    );
    let mut layer = layer?;
    layer.sha256 = Some(hash.sha256.clone());
    layer.files = vec![hash];
    Ok(layer)
}

/// `bytes` as text when they are UTF-8 (`None` otherwise), checked in blocks, each given to
/// `release` once checked (a large mapped file is not all held in memory by the check).
fn utf8_releasing<'a>(bytes: &'a [u8], release: &dyn Fn(&[u8])) -> Option<&'a str> {
    const BLOCK: usize = 4 << 20;
    let mut at = 0;
    while at < bytes.len() {
        let end = at.saturating_add(BLOCK).min(bytes.len());
        let block = bytes.get(at..end)?;
        let valid = match std::str::from_utf8(block) {
            Ok(_) => end,
            // A character cut by the block's end: checked with the next block.
            Err(e) if e.error_len().is_none() && end < bytes.len() && e.valid_up_to() > 0 => {
                at + e.valid_up_to()
            }
            Err(_) => return None,
        };
        release(bytes.get(at..valid)?);
        at = valid;
    }
    // SAFETY: every byte was checked above, block by block, each block ending on a character
    // boundary (a block is cut only where `from_utf8` found the valid text to end).
    Some(unsafe { std::str::from_utf8_unchecked(bytes) })
}

fn parse_geojson(geojson: GeoJson) -> Result<RawLayer, Text> {
    let (features, foreign) = match geojson {
        GeoJson::FeatureCollection(fc) => (fc.features, fc.foreign_members),
        GeoJson::Feature(f) => {
            let foreign = f.foreign_members.clone();
            (vec![f], foreign)
        }
        GeoJson::Geometry(g) => {
            let foreign = g.foreign_members.clone();
            (
                vec![geojson::Feature {
                    bbox: None,
                    geometry: Some(g),
                    id: None,
                    properties: None,
                    foreign_members: None,
                }],
                foreign,
            )
        }
    };
    let mut collector = Collector::default();
    for feature in features {
        collector.feature(feature);
    }
    collector.finish(crs_member(foreign.as_ref())?)
}

/// A FeatureCollection read feature by feature (each feature's own JSON tree only, never the
/// whole document's): memory grows with the layer read, not with the text. `Ok(None)` when the
/// document is not a FeatureCollection (a single Feature or Geometry: read whole instead).
fn parse_feature_collection_stream(
    text: &str,
    roi_for: Option<RoiFor<'_>>,
) -> Result<Option<RawLayer>, Text> {
    use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
    struct Top<'a, 'r>(&'a mut Collector<'r>);
    /// What the top level said besides its features: its type, its `crs` member, whether it
    /// had a `features` array.
    type TopOut = (Option<String>, Option<Value>, bool);
    impl<'de> Visitor<'de> for Top<'_, '_> {
        type Value = TopOut;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a GeoJSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TopOut, A::Error> {
            let (mut kind, mut crs, mut had) = (None, None, false);
            while let Some(key) = map.next_key::<String>()? {
                match key.as_str() {
                    "type" => kind = Some(map.next_value::<String>()?),
                    "crs" => {
                        let value = map.next_value::<Value>()?;
                        self.0.crs_declared(&value);
                        crs = Some(value);
                    }
                    "features" => {
                        map.next_value_seed(Features(&mut *self.0))?;
                        had = true;
                    }
                    _ => {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
            Ok((kind, crs, had))
        }
    }
    struct Features<'a, 'r>(&'a mut Collector<'r>);
    impl<'de> DeserializeSeed<'de> for Features<'_, '_> {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_seq(self)
        }
    }
    impl<'de> Visitor<'de> for Features<'_, '_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an array of GeoJSON features")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            // Each feature parsed straight into rings (no JSON tree for its coordinates).
            while let Some(feature) = seq.next_element::<FeatureIn>()? {
                let first = self.0.count;
                let parsed = feature
                    .into_parsed()
                    .map_err(|e| serde::de::Error::custom(format!("feature {first}: {e}")))?;
                self.0.parsed(parsed);
            }
            Ok(())
        }
    }
    let mut collector = Collector {
        roi_for,
        ..Collector::default()
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let (kind, crs, had) = de
        .deserialize_map(Top(&mut collector))
        .and_then(|out| de.end().map(|()| out))
        .map_err(|e| msg::geojson_invalid(&e.to_string()))?;
    if !had || kind.as_deref() != Some("FeatureCollection") {
        return Ok(None);
    }
    collector.finish_collection(crs).map(Some)
}

/// Turns features into records one at a time (see [`parse_geojson`] and
/// [`parse_feature_collection_stream`]).
#[derive(Default)]
struct Collector<'r> {
    layer: RawLayer,
    non_polygon: Vec<&'static str>,
    /// Features that cannot be used: position, why, and the id that names them.
    failed: Vec<(usize, Text, Option<String>)>,
    count: usize,
    /// The CRS the `crs` member declared, when it came before the features.
    crs_seen: Option<String>,
    /// Makes the filter at the first feature.
    roi_for: Option<RoiFor<'r>>,
    /// The filter, once made (`Some(None)`: keep everything).
    roi: Option<Option<crate::spatial::roi::Roi>>,
    /// The layer's fields (moved to `layer.fields` at the end).
    fields: FieldMap,
}

/// Fields in order of first appearance, and the mapping of a feature's properties onto them.
#[derive(Default)]
struct FieldMap {
    names: Vec<String>,
    /// The position of each name (kept up to date when a feature's keys are not the names in
    /// order).
    index: std::collections::HashMap<String, usize>,
    /// Per field, the position of its value among the current feature's properties.
    slots: Vec<Option<usize>>,
}

impl FieldMap {
    /// The position of field `name`, added when new.
    fn position(&mut self, name: &str) -> usize {
        if self.index.len() < self.names.len() {
            // The names so far were all met in place: index them first.
            for (f, n) in self.names.iter().enumerate() {
                self.index.entry(n.clone()).or_insert(f);
            }
        }
        if let Some(&f) = self.index.get(name) {
            return f;
        }
        let f = self.names.len();
        self.index.insert(name.to_string(), f);
        self.names.push(name.to_string());
        f
    }

    /// A feature's properties as attribute values in field order, fields new to the map
    /// added (the common case — the keys of every feature, in the same order — by comparing
    /// names in place).
    fn attrs(&mut self, props: &Props) -> Attrs {
        let in_place = props.0.len() <= self.names.len()
            && props.0.iter().zip(&self.names).all(|((k, _), f)| k == f);
        let mut slots = std::mem::take(&mut self.slots);
        slots.clear();
        for (p, (key, _)) in props.0.iter().enumerate() {
            let field = if in_place { p } else { self.position(key) };
            if slots.len() <= field {
                slots.resize(field + 1, None);
            }
            if let Some(slot) = slots.get_mut(field) {
                *slot = Some(p);
            }
        }
        if slots.len() < self.names.len() {
            slots.resize(self.names.len(), None);
        }
        let attrs: Attrs = slots
            .iter()
            .map(|slot| {
                slot.and_then(|p| props.0.get(p))
                    .and_then(|(_, v)| value_text(v))
            })
            .collect();
        self.slots = slots;
        attrs
    }
}

impl Collector<'_> {
    fn feature(&mut self, feature: geojson::Feature) {
        let id = match &feature.id {
            Some(geojson::feature::Id::String(s)) => Some(s.clone()),
            Some(geojson::feature::Id::Number(n)) => Some(n.to_string()),
            None => None,
        };
        self.parsed(Parsed {
            properties: Props(feature.properties.unwrap_or_default().into_iter().collect()),
            id,
            geometry: feature.geometry.as_ref().map(polygons_of),
        });
    }

    /// The collection's `crs` member, met before the features: the filter can use it.
    fn crs_declared(&mut self, value: &Value) {
        let mut m = Map::new();
        m.insert("crs".into(), value.clone());
        self.crs_seen = crs_member(Some(&m)).ok().flatten();
    }

    /// The layer of a FeatureCollection whose `crs` member (if any) was `crs`.
    fn finish_collection(self, crs: Option<Value>) -> Result<RawLayer, Text> {
        let mut foreign = Map::new();
        if let Some(crs) = crs {
            foreign.insert("crs".into(), crs);
        }
        self.finish(crs_member(Some(&foreign))?)
    }

    fn parsed(&mut self, feature: Parsed) {
        let attrs = self.fields.attrs(&feature.properties);
        self.take(attrs, feature.id, feature.geometry);
    }

    /// Takes the next feature, its properties already as values in the order of
    /// `self.fields` (shorter when later fields are new).
    fn take(&mut self, attrs: Attrs, given_id: Option<String>, geometry: Option<FeatureGeometry>) {
        if self.roi.is_none() {
            let roi = self.roi_for.and_then(|f| f(self.crs_seen.as_deref()));
            self.roi = Some(roi);
        }
        let index = self.count;
        self.count += 1;
        let layer = &mut self.layer;
        let fields = &self.fields.names;
        // The id naming a feature that cannot be used (only those need one).
        let id = |attrs: &Attrs| {
            given_id
                .clone()
                .or_else(|| super::shp::record_id(fields, attrs))
        };
        let Some(geometry) = geometry else {
            let id = id(&attrs);
            self.failed.push((index, msg::null_geometry(), id));
            return;
        };
        match geometry {
            Ok(polys) if polys.is_empty() => {
                let id = id(&attrs);
                self.failed.push((index, msg::empty_geometry(), id))
            }
            Ok(polys) => {
                super::extend_extent(&mut layer.extent, polys.iter().flatten().flatten());
                // Far from every zone: counted, not kept (records without a finite coordinate
                // are kept, for repair to report).
                if let Some(Some(roi)) = &self.roi {
                    let mut bbox = None;
                    super::extend_extent(&mut bbox, polys.iter().flatten().flatten());
                    if bbox.is_some_and(|b| !roi.meets(&b)) {
                        layer.filtered_out += 1;
                        return;
                    }
                }
                match ring_problem(&polys) {
                    Some(why) => {
                        let id = id(&attrs);
                        self.failed.push((index, why, id))
                    }
                    None => layer.records.push(RawRecord {
                        index,
                        shape: RawShape::Polygons(polys),
                        attrs,
                    }),
                }
            }
            Err(kind) => {
                self.non_polygon.push(kind);
                let id = id(&attrs);
                self.failed
                    .push((index, msg::non_polygon_geometry(kind), id));
            }
        }
    }

    fn finish(self, crs: Option<String>) -> Result<RawLayer, Text> {
        let Collector {
            mut layer,
            non_polygon,
            failed,
            count,
            fields,
            ..
        } = self;
        layer.fields = fields.names;
        layer.crs = crs;
        layer.encoding = Some(msg::encoding_note("UTF-8", msg::EncodingReason::GeoJson));
        layer.records_in_file = count;
        // Properties first seen on later features: pad earlier records.
        let n = layer.fields.len();
        for r in &mut layer.records {
            r.attrs.resize(n);
        }
        if layer.records.is_empty() && !non_polygon.is_empty() {
            return Err(msg::not_polygons(non_polygon[0]));
        }
        for (index, reason, id) in failed {
            layer.warnings.push(msg::feature_warning(index, &reason));
            layer.unusable.push(Unusable {
                index: Some(index),
                id,
                reason,
            });
        }
        // If the layer declares no CRS, RFC 7946 says lon/lat — but only believe it when the
        // coordinates are in range; otherwise leave the CRS unknown for the caller to decide.
        if layer.crs.is_none() && coords_in_lon_lat_range(&layer) {
            layer.crs = Some(RFC7946_CRS.to_string());
        }
        Ok(layer)
    }
}

/// Why a feature's rings cannot be used: a non-finite coordinate or a ring of fewer than 3
/// distinct points. `None` when every ring is usable.
pub(super) fn ring_problem(polys: &[Vec<RawRing>]) -> Option<Text> {
    for (ring_no, ring) in polys.iter().flatten().enumerate() {
        if let Some((i, c)) = ring
            .iter()
            .enumerate()
            .find(|(_, c)| !c.x.is_finite() || !c.y.is_finite())
        {
            return Some(msg::non_finite_vertex(i, c.x, c.y));
        }
        let distinct = super::shp::distinct_points(ring);
        if distinct < 3 {
            return Some(msg::ring_too_few_points(ring_no, distinct));
        }
    }
    None
}

fn coords_in_lon_lat_range(layer: &RawLayer) -> bool {
    layer.records.iter().all(|r| {
        r.shape.rings().flatten().all(|c| {
            !c.x.is_finite()
                || !c.y.is_finite()
                || ((-180.0..=180.0).contains(&c.x) && (-90.0..=90.0).contains(&c.y))
        })
    })
}

/// The legacy (2008) `crs` member: `{"type":"name","properties":{"name":"EPSG:4490"}}`
/// or a URN; `{"type":"EPSG","properties":{"code":4490}}` is accepted as well.
fn crs_member(foreign: Option<&Map<String, Value>>) -> Result<Option<String>, Text> {
    let Some(crs) = foreign.and_then(|f| f.get("crs")) else {
        return Ok(None);
    };
    if crs.is_null() {
        return Ok(None);
    }
    let props = &crs["properties"];
    if let Some(name) = props["name"].as_str() {
        let upper = name.to_ascii_uppercase();
        if upper.contains("CRS84") {
            return Ok(Some(RFC7946_CRS.to_string()));
        }
        return Ok(Some(name.trim().to_string()));
    }
    if let Some(code) = props["code"].as_u64() {
        return Ok(Some(format!("EPSG:{code}")));
    }
    Err(msg::geojson_bad_crs_member())
}

/// A property's value as attribute text: strings trimmed (empty: `None`), numbers and booleans
/// as written, arrays and objects as JSON, null as `None`.
fn value_text(v: &Value) -> Option<std::borrow::Cow<'_, str>> {
    match v {
        Value::Null => None,
        Value::String(s) => {
            let t = s.trim();
            (!t.is_empty()).then_some(std::borrow::Cow::Borrowed(t))
        }
        Value::Number(n) => Some(n.to_string().into()),
        Value::Bool(b) => Some(b.to_string().into()),
        other => Some(other.to_string().into()),
    }
}

/// A feature's properties in the file's order. A key given twice keeps its first place and
/// its last value, as a JSON object read into serde_json's map does; unlike the map, nothing
/// is hashed per feature.
#[derive(Default)]
struct Props(Vec<(String, Value)>);

impl<'de> serde::Deserialize<'de> for Props {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Props, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Props;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Props, A::Error> {
                let mut out: Vec<(String, Value)> = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Value>()? {
                    match out.iter_mut().find(|(key, _)| *key == k) {
                        Some(slot) => slot.1 = v,
                        None => out.push((k, v)),
                    }
                }
                Ok(Props(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// One feature as the collector takes it: its properties, its id (string or number, as text)
/// and its polygons (`None`: a null geometry; `Err`: the name of a non-polygonal type).
struct Parsed {
    properties: Props,
    id: Option<String>,
    geometry: Option<FeatureGeometry>,
}

/// A feature's polygons, or the name of its non-polygonal type.
type FeatureGeometry = Result<Vec<Vec<RawRing>>, &'static str>;

/// A feature as read from a FeatureCollection, its coordinates straight into rings (no JSON
/// tree for them), checked by the rules of the `geojson` crate's `Feature` in
/// [`FeatureIn::into_parsed`].
#[derive(serde::Deserialize)]
struct FeatureIn {
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    geometry: Option<GeomIn>,
    #[serde(default)]
    properties: Option<Props>,
    #[serde(default)]
    id: Option<Value>,
}

impl FeatureIn {
    /// `type` must be "Feature", `properties` an object or null, `id` a string or a number,
    /// `geometry` null or a geometry object.
    fn into_parsed(self) -> Result<Parsed, String> {
        match self.kind.as_deref() {
            Some("Feature") => {}
            Some(other) => return Err(format!("expected type \"Feature\", found \"{other}\"")),
            None => return Err("a feature without \"type\"".to_string()),
        }
        let id = match self.id {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s),
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(_) => return Err("\"id\" must be a string or a number".to_string()),
        };
        let geometry = match self.geometry {
            None => None,
            Some(g) => Some(g.polygons()?),
        };
        Ok(Parsed {
            properties: self.properties.unwrap_or_default(),
            id,
            geometry,
        })
    }
}

/// A geometry object: its type, its coordinates (whatever their nesting) and, for a
/// collection, its members.
#[derive(serde::Deserialize)]
struct GeomIn {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    coordinates: Option<Coordinates>,
    #[serde(default)]
    geometries: Option<Vec<GeomIn>>,
}

impl GeomIn {
    /// The polygons (see [`polygons_of`]), or the name of a non-polygonal type; an error for
    /// coordinates that do not fit the type.
    fn polygons(self) -> Result<Result<Vec<Vec<RawRing>>, &'static str>, String> {
        let wrong = |kind: &str| format!("the coordinates of a {kind} are not nested as one");
        Ok(match self.kind.as_str() {
            "Polygon" => match self.coordinates.map(|c| c.0) {
                Some(Nested::Rings(rings)) => Ok(vec![rings]),
                Some(Nested::Empty) => Ok(vec![Vec::new()]),
                _ => return Err(wrong("Polygon")),
            },
            "MultiPolygon" => match self.coordinates.map(|c| c.0) {
                Some(Nested::Polygons(polys)) => Ok(polys),
                Some(Nested::Empty) => Ok(Vec::new()),
                // `[[], []]`: polygons without rings.
                Some(Nested::Rings(rings)) if rings.iter().all(Vec::is_empty) => {
                    Ok(vec![Vec::new(); rings.len()])
                }
                _ => return Err(wrong("MultiPolygon")),
            },
            "GeometryCollection" => {
                let mut out = Vec::new();
                for member in self.geometries.unwrap_or_default() {
                    match member.polygons()? {
                        Ok(polys) => out.extend(polys),
                        Err(kind) => return Ok(Err(kind)),
                    }
                }
                Ok(out)
            }
            "Point" => Err("Point"),
            "MultiPoint" => Err("MultiPoint"),
            "LineString" => Err("LineString"),
            "MultiLineString" => Err("MultiLineString"),
            other => return Err(format!("unknown geometry type \"{other}\"")),
        })
    }
}

/// A geometry's `coordinates`, read from their JSON text by [`CoordinatesText`] into the same
/// [`Nested`] as serde's route through [`Nested::deserialize`] gives (a visitor call and an
/// enum per number made that route most of a large file's read). The text is borrowed from
/// the document, which serde_json has already checked as JSON while passing over it.
struct Coordinates(Nested);

impl<'de> serde::Deserialize<'de> for Coordinates {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Coordinates, D::Error> {
        let raw = <&'de serde_json::value::RawValue>::deserialize(d)?;
        CoordinatesText::new(raw.get())
            .read()
            .map(Coordinates)
            .map_err(<D::Error as serde::de::Error>::custom)
    }
}

/// A reader of JSON text already known to be valid JSON (one value), for [`Coordinates`]: a
/// ring's positions are read straight into it, anything less plain by the general rules.
struct CoordinatesText<'a> {
    text: &'a str,
    b: &'a [u8],
    pos: usize,
    /// Arrays open at `pos`.
    depth: usize,
}

/// Arrays nested deeper than this are an error at once (read into [`Nested`], anything deeper
/// than five is one anyway), so that no text can exhaust the stack.
const MAX_COORDINATES_DEPTH: usize = 6;

/// What the elements of an array so far make (see [`CoordinatesText::array`]).
enum So {
    Nothing,
    /// A position's first number.
    X(f64),
    /// A position (more numbers are ignored).
    Position(Coord<f64>),
    Ring(Vec<Coord<f64>>),
    /// Rings or polygons, judged when all are read.
    Lists(Vec<Nested>),
}

/// Powers of ten exactly representable as `f64`.
const EXACT_POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

impl<'a> CoordinatesText<'a> {
    fn new(text: &'a str) -> Self {
        CoordinatesText {
            text,
            b: text.as_bytes(),
            pos: 0,
            depth: 0,
        }
    }

    fn skip_ws(&mut self) {
        while matches!(self.b.get(self.pos), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.pos += 1;
        }
    }

    fn at_number(&self) -> bool {
        matches!(self.b.get(self.pos), Some(b'-' | b'0'..=b'9'))
    }

    /// The whole text as coordinates.
    fn read(mut self) -> Result<Nested, String> {
        self.value()
    }

    /// One value: a number, or an array read as [`Nested::deserialize`]'s `visit_seq` reads it.
    fn value(&mut self) -> Result<Nested, String> {
        self.skip_ws();
        let expected = "expected GeoJSON coordinates (nested arrays of numbers)";
        match self.b.get(self.pos) {
            Some(b'[') => {
                if self.depth >= MAX_COORDINATES_DEPTH {
                    return Err("coordinates nested too deep".to_string());
                }
                self.pos += 1;
                self.depth += 1;
                let array = self.array();
                self.depth -= 1;
                array
            }
            Some(b'-' | b'0'..=b'9') => self.number().map(Nested::Number),
            Some(b'"') => Err(format!("invalid type: string, {expected}")),
            Some(b'{') => Err(format!("invalid type: map, {expected}")),
            Some(b'n') => Err(format!("invalid type: null, {expected}")),
            Some(b't' | b'f') => Err(format!("invalid type: boolean, {expected}")),
            _ => Err(format!("unexpected end of coordinates, {expected}")),
        }
    }

    /// A number, correctly rounded as serde_json (`float_roundtrip`) reads it. Up to 19
    /// digits making at most 2^53 with at most 22 decimals and no exponent (every coordinate
    /// in practice): the digits as an integer divided by the power of ten, both exact, so the
    /// one rounding of the division is the correct one (Clinger's fast path); else the
    /// standard library's parse, correctly rounded too. `-0` is `-0.0`, as in serde_json.
    fn number(&mut self) -> Result<f64, String> {
        let start = self.pos;
        let b = self.b;
        let mut i = start;
        let negative = b.get(i) == Some(&b'-');
        if negative {
            i += 1;
        }
        let mut m: u64 = 0;
        let mut digits = 0usize;
        let mut decimals = 0usize;
        while let Some(&d @ b'0'..=b'9') = b.get(i) {
            m = m.wrapping_mul(10).wrapping_add(u64::from(d - b'0'));
            digits += 1;
            i += 1;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            while let Some(&d @ b'0'..=b'9') = b.get(i) {
                m = m.wrapping_mul(10).wrapping_add(u64::from(d - b'0'));
                digits += 1;
                decimals += 1;
                i += 1;
            }
        }
        if !matches!(b.get(i), Some(b'e' | b'E'))
            && (1..=19).contains(&digits)
            && m <= 1 << 53
            && decimals < EXACT_POWERS_OF_TEN.len()
        {
            self.pos = i;
            let v = m as f64 / EXACT_POWERS_OF_TEN[decimals];
            return Ok(if negative { -v } else { v });
        }
        while matches!(
            b.get(i),
            Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
        ) {
            i += 1;
        }
        self.pos = i;
        let text = self.text.get(start..i).unwrap_or("");
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            Ok(_) => Err("number out of range".to_string()),
            Err(e) => Err(format!("invalid number {text:?} ({e})")),
        }
    }

    /// A plain position `[x, y, more numbers…]` at the `[` at `pos`: its first two numbers and
    /// `pos` past its `]`; `None`, with `pos` unchanged, for anything else.
    fn position(&mut self) -> Option<Coord<f64>> {
        let start = self.pos;
        let found = self.position_from_bracket();
        if found.is_none() {
            self.pos = start;
        }
        found
    }

    fn position_from_bracket(&mut self) -> Option<Coord<f64>> {
        self.pos += 1;
        self.skip_ws();
        if !self.at_number() {
            return None;
        }
        let x = self.number().ok()?;
        self.skip_ws();
        if self.b.get(self.pos) != Some(&b',') {
            return None;
        }
        self.pos += 1;
        self.skip_ws();
        if !self.at_number() {
            return None;
        }
        let y = self.number().ok()?;
        loop {
            self.skip_ws();
            match self.b.get(self.pos) {
                Some(b']') => {
                    self.pos += 1;
                    return Some(Coord { x, y });
                }
                Some(b',') => {
                    self.pos += 1;
                    self.skip_ws();
                    if !self.at_number() {
                        return None;
                    }
                    self.number().ok()?;
                }
                _ => return None,
            }
        }
    }

    /// An array (its `[` just passed), by the rules of [`Nested::deserialize`], stopping at the
    /// first element that breaks them as its visitor does.
    fn array(&mut self) -> Result<Nested, String> {
        let mixed = || "coordinates that mix depths".to_string();
        self.skip_ws();
        if self.b.get(self.pos) == Some(&b']') {
            self.pos += 1;
            return Ok(Nested::Empty);
        }
        let mut so = So::Nothing;
        loop {
            self.skip_ws();
            let plain = match so {
                So::Nothing | So::Ring(_) if self.b.get(self.pos) == Some(&b'[') => self.position(),
                _ => None,
            };
            so = match (so, plain) {
                (So::Nothing, Some(c)) => So::Ring(vec![c]),
                (So::Ring(mut ring), Some(c)) => {
                    ring.push(c);
                    So::Ring(ring)
                }
                (so, _) => match (so, self.value()?) {
                    (So::Nothing, Nested::Number(x)) => So::X(x),
                    (So::Nothing, Nested::Position(c)) => So::Ring(vec![c]),
                    (So::Nothing, Nested::Polygons(_)) => {
                        return Err("coordinates nested too deep".to_string())
                    }
                    (So::Nothing, first) => So::Lists(vec![first]),
                    (So::X(x), Nested::Number(y)) => So::Position(Coord { x, y }),
                    (So::Position(c), Nested::Number(_)) => So::Position(c),
                    (So::Ring(mut ring), Nested::Position(c)) => {
                        ring.push(c);
                        So::Ring(ring)
                    }
                    (So::Lists(mut items), next) => {
                        items.push(next);
                        So::Lists(items)
                    }
                    _ => return Err(mixed()),
                },
            };
            self.skip_ws();
            match self.b.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    break;
                }
                _ => return Err("expected `,` or `]` in coordinates".to_string()),
            }
        }
        match so {
            So::Nothing => Ok(Nested::Empty),
            So::X(_) => Err("a position must have two or more numbers".to_string()),
            So::Position(c) => Ok(Nested::Position(c)),
            So::Ring(mut ring) => {
                // Kept for the whole check: no spare capacity.
                ring.shrink_to_fit();
                Ok(Nested::Ring(ring))
            }
            So::Lists(items) => lists_of(items).map_err(|()| mixed()),
        }
    }
}

/// A list of rings or of polygons (`[]` an empty one): the first element that is not empty
/// says which (as [`Nested::deserialize`] decides).
fn lists_of(items: Vec<Nested>) -> Result<Nested, ()> {
    /// Every item as `take` reads it, an empty one as an empty list.
    fn each<T>(items: Vec<Nested>, take: fn(Nested) -> Option<Vec<T>>) -> Result<Vec<Vec<T>>, ()> {
        items
            .into_iter()
            .map(|n| match n {
                Nested::Empty => Ok(Vec::new()),
                n => take(n).ok_or(()),
            })
            .collect()
    }
    match items.iter().find(|n| !matches!(n, Nested::Empty)) {
        None | Some(Nested::Ring(_)) => each(items, |n| match n {
            Nested::Ring(r) => Some(r),
            _ => None,
        })
        .map(Nested::Rings),
        Some(Nested::Rings(_)) => each(items, |n| match n {
            Nested::Rings(r) => Some(r),
            _ => None,
        })
        .map(Nested::Polygons),
        Some(_) => Err(()),
    }
}

/// GeoJSON coordinates of any nesting, read in one pass whatever the order of the geometry's
/// keys: a position keeps its first two numbers (more are ignored; fewer are an error, as in
/// the `geojson` crate).
#[derive(Debug, PartialEq)]
enum Nested {
    Number(f64),
    Position(Coord<f64>),
    Ring(Vec<Coord<f64>>),
    Rings(Vec<RawRing>),
    Polygons(Vec<Vec<RawRing>>),
    /// `[]`: nothing to say about its depth.
    Empty,
}

/// serde's route to [`Nested`], visitor by visitor: the reference [`CoordinatesText`] is
/// tested against (it was the reader until the text reader took over).
#[cfg(test)]
impl<'de> serde::Deserialize<'de> for Nested {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Nested, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Nested;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("GeoJSON coordinates (nested arrays of numbers)")
            }
            fn visit_f64<E>(self, v: f64) -> Result<Nested, E> {
                Ok(Nested::Number(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Nested, E> {
                Ok(Nested::Number(v as f64))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Nested, E> {
                Ok(Nested::Number(v as f64))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Nested, A::Error> {
                use serde::de::Error;
                let mixed = || A::Error::custom("coordinates that mix depths");
                let Some(first) = seq.next_element::<Nested>()? else {
                    return Ok(Nested::Empty);
                };
                Ok(match first {
                    Nested::Number(x) => {
                        let y = match seq.next_element::<Nested>()? {
                            None => {
                                return Err(A::Error::custom(
                                    "a position must have two or more numbers",
                                ))
                            }
                            Some(Nested::Number(y)) => y,
                            Some(_) => return Err(mixed()),
                        };
                        while let Some(more) = seq.next_element::<Nested>()? {
                            if !matches!(more, Nested::Number(_)) {
                                return Err(mixed());
                            }
                        }
                        Nested::Position(Coord { x, y })
                    }
                    Nested::Position(c) => {
                        let mut ring = vec![c];
                        while let Some(next) = seq.next_element::<Nested>()? {
                            match next {
                                Nested::Position(c) => ring.push(c),
                                _ => return Err(mixed()),
                            }
                        }
                        // Kept for the whole check: no spare capacity.
                        ring.shrink_to_fit();
                        Nested::Ring(ring)
                    }
                    Nested::Polygons(_) => {
                        return Err(A::Error::custom("coordinates nested too deep"))
                    }
                    // A list of rings or of polygons (`[]` an empty one): the first element
                    // that is not empty says which.
                    first => {
                        let mut items = vec![first];
                        while let Some(next) = seq.next_element::<Nested>()? {
                            items.push(next);
                        }
                        let depth = items.iter().find(|n| !matches!(n, Nested::Empty));
                        match depth {
                            None | Some(Nested::Ring(_)) => Nested::Rings(
                                items
                                    .into_iter()
                                    .map(|n| match n {
                                        Nested::Ring(r) => Ok(r),
                                        Nested::Empty => Ok(Vec::new()),
                                        _ => Err(mixed()),
                                    })
                                    .collect::<Result<_, _>>()?,
                            ),
                            Some(Nested::Rings(_)) => Nested::Polygons(
                                items
                                    .into_iter()
                                    .map(|n| match n {
                                        Nested::Rings(r) => Ok(r),
                                        Nested::Empty => Ok(Vec::new()),
                                        _ => Err(mixed()),
                                    })
                                    .collect::<Result<_, _>>()?,
                            ),
                            Some(_) => return Err(mixed()),
                        }
                    }
                })
            }
        }
        d.deserialize_any(V)
    }
}

/// Polygons of a geometry, or the name of its (non-polygonal) type.
fn polygons_of(geometry: &Geometry) -> Result<Vec<Vec<RawRing>>, &'static str> {
    match &geometry.value {
        GValue::Polygon(rings) => Ok(vec![rings_of(rings)]),
        GValue::MultiPolygon(polys) => Ok(polys.iter().map(|p| rings_of(p)).collect()),
        GValue::GeometryCollection(members) => {
            let mut out = Vec::new();
            for g in members {
                out.extend(polygons_of(g)?);
            }
            Ok(out)
        }
        GValue::Point(_) => Err("Point"),
        GValue::MultiPoint(_) => Err("MultiPoint"),
        GValue::LineString(_) => Err("LineString"),
        GValue::MultiLineString(_) => Err("MultiLineString"),
    }
}

fn rings_of(rings: &[Vec<Vec<f64>>]) -> Vec<RawRing> {
    rings
        .iter()
        .map(|ring| {
            ring.iter()
                .map(|p| Coord {
                    x: p.first().copied().unwrap_or(f64::NAN),
                    y: p.get(1).copied().unwrap_or(f64::NAN),
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_is_checked_in_blocks_across_cut_characters() {
        // 3-byte characters over several 4 MiB blocks: every block boundary but a few cuts
        // one; the released blocks are the whole text, in order, each on a character boundary.
        let text = "浙江省杭州市".repeat(700_000) + "a";
        let released = std::sync::Mutex::new(Vec::new());
        let got = utf8_releasing(text.as_bytes(), &|part| {
            released.lock().unwrap().push(part.to_vec());
        });
        assert_eq!(got, Some(text.as_str()));
        let released = released.into_inner().unwrap();
        assert_eq!(
            released.len(),
            text.len().div_ceil(4 << 20),
            "{}",
            released.len()
        );
        assert!(released.iter().all(|p| std::str::from_utf8(p).is_ok()));
        assert_eq!(released.concat(), text.as_bytes());
        // Not UTF-8: a stray byte deep in the text, or a character cut at its very end.
        let mut bad = text.clone().into_bytes();
        bad[5 << 20] = 0xFF;
        assert_eq!(utf8_releasing(&bad, &|_| {}), None);
        let cut = &text.as_bytes()[..text.len() - 2];
        assert_eq!(utf8_releasing(cut, &|_| {}), None);
        assert_eq!(utf8_releasing(b"", &|_| {}), Some(""));
    }

    fn parse(text: &str) -> Result<RawLayer, Text> {
        parse_geojson(
            text.parse::<GeoJson>()
                .map_err(|e| Text::from(e.to_string()))?,
        )
    }

    #[test]
    fn reads_polygons_properties_and_crs_member() {
        let layer = parse(
            r#"{"type":"FeatureCollection",
            "crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4490"}},
            "features":[
              {"type":"Feature","properties":{"id":"A","名称":"萧山","n":3},
               "geometry":{"type":"Polygon","coordinates":[[[120,30],[121,30],[121,31],[120,30]]]}},
              {"type":"Feature","properties":{"id":"B","extra":true},
               "geometry":{"type":"Point","coordinates":[120,30]}}
            ]}"#,
        )
        .unwrap();
        assert_eq!(layer.crs.as_deref(), Some("urn:ogc:def:crs:EPSG::4490"));
        assert_eq!(layer.records.len(), 1);
        assert_eq!(layer.fields, vec!["id", "名称", "n", "extra"]);
        assert_eq!(layer.records[0].attrs.get(1), Some("萧山"));
        assert_eq!(layer.records[0].attrs.len(), 4);
        assert_eq!(layer.warnings.len(), 1);
    }

    #[test]
    fn points_only_is_an_error() {
        let err = parse(
            r#"{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1,2]}}"#,
        )
        .unwrap_err();
        assert!(err.contains("Point"), "{err}");
    }

    #[test]
    fn no_crs_member_means_crs84_only_within_range() {
        let lonlat =
            parse(r#"{"type":"Polygon","coordinates":[[[120,30],[121,30],[121,31],[120,30]]]}"#)
                .unwrap();
        assert_eq!(lonlat.crs.as_deref(), Some(RFC7946_CRS));
        let projected =
            parse(r#"{"type":"Polygon","coordinates":[[[500000,3300000],[500100,3300000],[500100,3300100],[500000,3300000]]]}"#)
                .unwrap();
        assert_eq!(projected.crs, None);
    }

    #[test]
    fn coordinates_of_every_nesting_read_as_the_geojson_crate_reads_them() {
        // Coordinates before `type`, a third number (ignored), a ring of two distinct points
        // (unusable), integers and decimals, a hole, a MultiPolygon of two, a
        // GeometryCollection of polygons, a LineString, an empty Polygon, stray members.
        let text = r#"{"type":"FeatureCollection","features":[
            {"geometry":{"coordinates":[[[0,0,5],[10,0,5],[10,10,5],[0,0,5]],[[1,1],[2,1],[2,2],[1,1]]],"type":"Polygon","bbox":[0,0,10,10]},"type":"Feature","properties":{"A":1}},
            {"type":"Feature","properties":{"A":2},"geometry":{"type":"MultiPolygon","coordinates":[[[[0.5,0.25],[3,0],[3,3],[0.5,0.25]]],[[[20,20],[30,20],[30,30],[20,20]]]]}},
            {"type":"Feature","properties":{"A":3},"geometry":{"type":"GeometryCollection","geometries":[{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]},{"coordinates":[[[[5,5],[6,5],[6,6],[5,5]]]],"type":"MultiPolygon"}]}},
            {"type":"Feature","properties":{"A":4},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}},
            {"type":"Feature","properties":{"A":5},"geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}},
            {"type":"Feature","properties":{"A":6},"geometry":{"type":"Polygon","coordinates":[]}},
            {"type":"Feature","properties":{"A":7},"geometry":{"type":"MultiPolygon","coordinates":[[],[[[0,0],[1,0],[1,1],[0,0]]]]}},
            {"type":"Feature","id":"x","foo":{"bar":[1,2]},"properties":null,"geometry":{"type":"Polygon","coordinates":[[[0,0],[1e1,0],[10,1.5e1],[0,0]]]}}
        ]}"#;
        let streamed = parse_feature_collection_stream(text, None)
            .unwrap()
            .unwrap();
        let whole = parse(text).unwrap();
        let shapes = |l: &RawLayer| {
            l.records
                .iter()
                .map(|r| (r.index, format!("{:?}", r.shape), r.attrs.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(shapes(&streamed), shapes(&whole));
        let unusable = |l: &RawLayer| {
            l.unusable
                .iter()
                .map(|u| (u.index, u.id.clone(), u.reason.en.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(unusable(&streamed), unusable(&whole));
        assert_eq!(streamed.extent, whole.extent);
        assert_eq!(streamed.records.len(), 6, "{:?}", unusable(&streamed));
        // Coordinates that do not nest as their type says, or a feature that is not one:
        // errors, as with the geojson crate.
        for bad in [
            r#"{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[0,0],[1,0],[1,1],[0,0]]}}"#,
            r#"{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[[1,0]],[1,1],[0,0]]]}}"#,
            r#"{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[["a",0],[1,0],[1,1],[0,0]]]}}"#,
            r#"{"type":"Feature","properties":{},"geometry":{"type":"Hexagon","coordinates":[]}}"#,
            r#"{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0],[1,0],[1,1],[0,0]]]}}"#,
            r#"{"type":"Feature","properties":{},"id":[1],"geometry":null}"#,
            r#"{"type":"Feeture","properties":{},"geometry":null}"#,
            r#"{"properties":{},"geometry":null}"#,
        ] {
            let text = format!(r#"{{"type":"FeatureCollection","features":[{bad}]}}"#);
            assert!(
                parse_feature_collection_stream(&text, None).is_err(),
                "streamed: {bad}"
            );
            assert!(parse(&text).is_err(), "whole: {bad}");
        }
    }

    #[test]
    fn a_streamed_feature_collection_reads_as_the_whole_tree_does() {
        // Keys in any order: the features before `type`, the `crs` member last, a foreign
        // member and a feature without geometry in between.
        let text = r#"{"features":[
            {"type":"Feature","id":7,"properties":{"BSM":"R1","MJ":1.5},"geometry":{"type":"Polygon","coordinates":[[[500000,3340000],[500010,3340000],[500010,3340010],[500000,3340000]]]}},
            {"type":"Feature","properties":{"BSM":"R2","NOTE":"后加字段"},"geometry":null},
            {"type":"Feature","properties":{"BSM":"R3"},"geometry":{"type":"MultiPolygon","coordinates":[[[[500020,3340000],[500030,3340000],[500030,3340010],[500020,3340000]]]]}}
        ],"name":"redline","type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:4549"}}}"#;
        let streamed = parse_feature_collection_stream(text, None)
            .unwrap()
            .unwrap();
        let whole = parse(text).unwrap();
        assert_eq!(streamed.crs.as_deref(), Some("EPSG:4549"));
        assert_eq!(streamed.crs, whole.crs);
        assert_eq!(streamed.fields, whole.fields);
        assert_eq!(streamed.fields, ["BSM", "MJ", "NOTE"]);
        assert_eq!(streamed.records_in_file, 3);
        assert_eq!(streamed.records.len(), 2);
        assert_eq!(
            streamed
                .records
                .iter()
                .map(|r| (r.index, r.attrs.clone()))
                .collect::<Vec<_>>(),
            whole
                .records
                .iter()
                .map(|r| (r.index, r.attrs.clone()))
                .collect::<Vec<_>>()
        );
        assert_eq!(streamed.unusable.len(), 1);
        assert_eq!(streamed.unusable[0].index, Some(1));
        assert_eq!(streamed.extent, whole.extent);
        // A single Feature or a bare Geometry is not streamed (read whole instead).
        let feature = r#"{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}"#;
        assert!(parse_feature_collection_stream(feature, None)
            .unwrap()
            .is_none());
        // Broken JSON is an error either way.
        assert!(parse_feature_collection_stream(
            r#"{"type":"FeatureCollection","features":[{"#,
            None
        )
        .is_err());
    }

    #[test]
    fn features_far_from_the_region_are_counted_not_kept_while_streaming() {
        // Three squares at x = 0, 100, 1000 (m); the region covers the first two. With the
        // `crs` member before the features the filter is made from it at the first feature.
        let text = r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:4549"}},"features":[
            {"type":"Feature","properties":{"BSM":"A"},"geometry":{"type":"Polygon","coordinates":[[[500000,3340000],[500010,3340000],[500010,3340010],[500000,3340000]]]}},
            {"type":"Feature","properties":{"BSM":"B"},"geometry":{"type":"Polygon","coordinates":[[[500100,3340000],[500110,3340000],[500110,3340010],[500100,3340000]]]}},
            {"type":"Feature","properties":{"BSM":"C"},"geometry":{"type":"Polygon","coordinates":[[[501000,3340000],[501010,3340000],[501010,3340010],[501000,3340000]]]}}
        ]}"#;
        let seen = std::sync::Mutex::new(None);
        let roi_for = |declared: Option<&str>| {
            *seen.lock().unwrap() = Some(declared.map(str::to_string));
            Some(crate::spatial::roi::Roi::new(vec![geo::Rect::new(
                Coord {
                    x: 499_990.0,
                    y: 3_339_990.0,
                },
                Coord {
                    x: 500_200.0,
                    y: 3_340_020.0,
                },
            )]))
        };
        let layer = parse_feature_collection_stream(text, Some(&roi_for))
            .unwrap()
            .unwrap();
        assert_eq!(*seen.lock().unwrap(), Some(Some("EPSG:4549".to_string())));
        assert_eq!(layer.records.len(), 2);
        assert_eq!(layer.filtered_out, 1);
        assert_eq!(layer.records_in_file, 3);
        // The extent still covers the feature left out (the CRS checks look at the whole file).
        assert_eq!(layer.extent.unwrap().max().x, 501_010.0);
        // The crs member after the features: the filter is made without it.
        let late = text
            .replace(
                r#""crs":{"type":"name","properties":{"name":"EPSG:4549"}},"#,
                "",
            )
            .replace(
                "]}",
                r#"],"crs":{"type":"name","properties":{"name":"EPSG:4549"}}}"#,
            );
        let _ = parse_feature_collection_stream(&late, Some(&roi_for))
            .unwrap()
            .unwrap();
        assert_eq!(*seen.lock().unwrap(), Some(None));
    }

    #[test]
    fn properties_in_any_order_new_or_repeated_land_in_their_fields() {
        let square = r#""geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}"#;
        let text = format!(
            r#"{{"type":"FeatureCollection","features":[
              {{"type":"Feature","properties":{{"a":1,"b":"x"}},{square}}},
              {{"type":"Feature","properties":{{"b":"y","a":2}},{square}}},
              {{"type":"Feature","properties":{{"c":" 丙 ","a":3}},{square}}},
              {{"type":"Feature","properties":{{"a":4,"b":"z","c":null}},{square}}},
              {{"type":"Feature","properties":{{"a":5,"a":6}},{square}}},
              {{"type":"Feature","properties":null,{square}}}
            ]}}"#
        );
        let s = |v: &str| Some(v.to_string());
        let expected = [
            vec![s("1"), s("x"), None],
            vec![s("2"), s("y"), None],
            vec![s("3"), None, s("丙")],
            vec![s("4"), s("z"), None],
            vec![s("6"), None, None],
            vec![None, None, None],
        ];
        // The streamed reader and the whole-document reader agree.
        let streamed = parse_feature_collection_stream(&text, None)
            .unwrap()
            .unwrap();
        let whole = parse(&text).unwrap();
        for layer in [&streamed, &whole] {
            assert_eq!(layer.fields, vec!["a", "b", "c"]);
            let got: Vec<Vec<Option<String>>> =
                layer.records.iter().map(|r| r.attrs.to_vec()).collect();
            assert_eq!(got, expected);
        }
    }

    #[test]
    fn numbers_read_as_the_standard_library_rounds_them() {
        // Decimal texts of 1-21 digits with 0-23 of them decimals (both sides of the fast
        // path's limits: 19 digits, 2^53, 22 decimals), signs, exponents: the same bits as
        // str::parse, which rounds correctly.
        let mut next = crate::test_rng::unit_sequence(11);
        let mut texts: Vec<String> = [
            "0",
            "-0",
            "-0.0",
            "0.1",
            "0.3",
            "3050061.585",
            "401434.91",
            "9007199254740992",
            "9007199254740993",
            "-9007199254740993",
            "18446744073709551615",
            "18446744073709551616",
            "123456789012345678901234",
            "0.0000000000000000000001",
            "1.00000000000000000000001",
            "1e22",
            "1E-7",
            "-2.5e+3",
            "4.9e-324",
            "1.7976931348623157e308",
        ]
        .iter()
        .map(|t| t.to_string())
        .collect();
        for _ in 0..20_000 {
            let digits = 1 + (next() * 21.0) as usize;
            let decimals = ((next() * 24.0) as usize).min(digits.saturating_sub(1));
            let mut t = String::new();
            if next() < 0.3 {
                t.push('-');
            }
            for d in 0..digits {
                let lead = d == 0 && digits - decimals > 1;
                let c = if lead {
                    1 + (next() * 9.0) as u32
                } else {
                    (next() * 10.0) as u32
                };
                if d == digits - decimals && decimals > 0 {
                    if d == 0 {
                        t.push('0');
                    }
                    t.push('.');
                }
                t.push(char::from_digit(c.min(9), 10).unwrap());
            }
            if next() < 0.05 {
                t.push_str(&format!("e{}", (next() * 40.0) as i32 - 20));
            }
            texts.push(t);
        }
        for t in &texts {
            let want: f64 = t.parse().unwrap();
            let got = CoordinatesText::new(t).number().unwrap();
            assert_eq!(got.to_bits(), want.to_bits(), "{t}");
        }
        assert!(CoordinatesText::new("1e400").number().is_err());
    }

    #[test]
    fn coordinates_read_from_their_text_as_serde_reads_them() {
        // Every nesting, irregular members (strings, null, a lone number, empty arrays, too
        // few numbers, mixed depths, too deep), spacing: the text reader gives what serde's
        // visitor gives (the same values, bit for bit), or fails where it fails.
        let mut next = crate::test_rng::unit_sequence(5);
        fn pick<'a>(next: &mut impl FnMut() -> f64, from: &[&'a str]) -> &'a str {
            from[((next() * from.len() as f64) as usize).min(from.len() - 1)]
        }
        fn value(next: &mut impl FnMut() -> f64, depth: usize) -> String {
            let ws = pick(next, &["", "", " ", "\n  "]);
            if depth == 0 || next() < 0.08 {
                return match (next() * 12.0) as usize {
                    0 => "\"a\"".into(),
                    1 => "null".into(),
                    2 => "[]".into(),
                    3 => "-0".into(),
                    4 => "1e3".into(),
                    _ => format!("{}", (next() * 2e6 - 1e6).round() / 1e3),
                };
            }
            let n = match depth {
                1 => [2, 2, 2, 3, 1, 0][((next() * 6.0) as usize).min(5)],
                _ => (next() * 5.0) as usize,
            };
            let inner: Vec<String> = (0..n)
                .map(|_| {
                    let d = if next() < 0.9 {
                        depth - 1
                    } else {
                        depth.saturating_sub(2)
                    };
                    value(next, d)
                })
                .collect();
            format!("[{ws}{}{ws}]", inner.join(&format!(",{ws}")))
        }
        let mut oks = 0;
        for i in 0..5_000 {
            let text = value(&mut next, 1 + i % 5);
            let by_serde = serde_json::from_str::<Nested>(&text);
            let by_text = CoordinatesText::new(&text).read();
            match (&by_serde, &by_text) {
                (Ok(a), Ok(b)) => {
                    oks += 1;
                    assert_eq!(format!("{a:?}"), format!("{b:?}"), "{text}");
                }
                (Err(_), Err(_)) => {}
                _ => panic!("{text}: serde {by_serde:?}, text {by_text:?}"),
            }
        }
        assert!(oks > 1_000, "{oks} of 5000 read");
        // Deeper than serde_json's recursion limit: an error, not a stack overflow.
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(CoordinatesText::new(&deep).read().is_err());
        for depth in 1..=8 {
            let text = format!("{}1,2{}", "[".repeat(depth), "]".repeat(depth));
            let by_serde = serde_json::from_str::<Nested>(&text).map_err(|_| ());
            let by_text = CoordinatesText::new(&text).read().map_err(|_| ());
            assert_eq!(format!("{by_serde:?}"), format!("{by_text:?}"), "{text}");
        }
    }

    #[test]
    fn coordinates_of_seventeen_digits_are_read_as_written() {
        // Shortest round-trip output (Python's json, 17 significant digits) must come back as
        // the same f64, as Rust's own parser rounds it.
        let mut next = crate::test_rng::unit_sequence(7);
        let mut texts = Vec::new();
        for _ in 0..2_000 {
            let x = 400_000.0 + next() * 200_000.0;
            let y = 3_000_000.0 + next() * 400_000.0;
            texts.push((format!("{x:.10}"), format!("{y:.10}")));
        }
        let ring: Vec<String> = texts
            .iter()
            .map(|(x, y)| format!("[{x},{y}]"))
            .chain(std::iter::once(format!("[{},{}]", texts[0].0, texts[0].1)))
            .collect();
        let text = format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{}},"geometry":{{"type":"Polygon","coordinates":[[{}]]}}}}]}}"#,
            ring.join(",")
        );
        let layer = parse_feature_collection_stream(&text, None)
            .unwrap()
            .unwrap();
        let RawShape::Polygons(polys) = &layer.records[0].shape else {
            panic!("polygons");
        };
        for (c, (x, y)) in polys[0][0].iter().zip(&texts) {
            assert_eq!(c.x, x.parse::<f64>().unwrap(), "{x}");
            assert_eq!(c.y, y.parse::<f64>().unwrap(), "{y}");
        }
    }
}
