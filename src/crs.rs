//! Coordinate reference systems: reading a CRS definition through PROJ, choosing the working
//! CRS, and reprojecting coordinates in batches.

use geo::Coord;
use proj::Proj;
use serde_json::Value;

/// Stops PROJ from printing its own diagnostics on stderr (zonecheck reports every PROJ error
/// itself, once, naming the file). PROJ reads `PROJ_DEBUG` when a context is created; call this
/// at start-up, before any thread exists. An explicit `PROJ_DEBUG` set by the user is kept.
pub fn silence_proj_logging() {
    if std::env::var_os("PROJ_DEBUG").is_none() {
        std::env::set_var("PROJ_DEBUG", "0");
    }
}

/// Broad kind of a CRS, enough to decide how to treat its coordinates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CrsKind {
    Geographic,
    Projected,
    Other,
}

/// A CRS PROJ understood.
#[derive(Clone, Debug, PartialEq)]
pub struct CrsDef {
    /// A definition PROJ accepts: "EPSG:4549" or WKT.
    pub definition: String,
    /// The CRS's name as PROJ reports it.
    pub name: String,
    pub kind: CrsKind,
    /// The EPSG code when the definition carries one (or is an EPSG code).
    pub epsg: Option<u32>,
    /// Name of the unit of the first axis ("metre", "degree", "US survey foot", …).
    pub unit: String,
    /// PROJJSON of the CRS without identifiers or names: equal for two definitions of the same
    /// CRS (an ESRI `.prj` and `EPSG:4549`, say).
    pub fingerprint: String,
    /// Texts PROJ gave when the definition was parsed (empty for a CRS built by hand).
    pub texts: CrsTexts,
}

/// What the ellipsoidal areas need of a CRS, taken from PROJ's description while the
/// definition is parsed. The WKT1 texts the outputs need are asked for only when an output is
/// written ([`CrsDef::esri_wkt`], [`CrsDef::gdal_wkt`]): of the CRS texts a load parses (the
/// review's, each `.prj`, their geographic bases) only the working CRS is written, and its
/// exports took a fifth of PROJ's start, which every reading thread waits for.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct CrsTexts {
    /// The geographic base of a projected CRS: `EPSG:code` when it has one, else its PROJJSON.
    pub base: Option<String>,
}

impl CrsDef {
    /// Parses any definition PROJ accepts: `EPSG:4549`, `urn:ogc:def:crs:EPSG::4490`, `OGC:CRS84`,
    /// ESRI WKT1, OGC WKT1, WKT2.
    pub fn parse(definition: &str) -> Result<CrsDef, String> {
        // PROJ looks definitions up in its database, which is slow: parse each text once, also
        // when several threads ask for it at the same time (the others wait for the first).
        static CACHE: OnceCache = std::sync::OnceLock::new();
        once(&CACHE, definition, || CrsDef::parse_uncached(definition))
    }

    fn parse_uncached(definition: &str) -> Result<CrsDef, String> {
        let definition = definition.trim().trim_start_matches('\u{feff}').trim();
        if definition.is_empty() {
            return Err("empty CRS definition".into());
        }
        let described = pj::describe(definition, false)?;
        let value: Value =
            serde_json::from_str(&described.projjson).map_err(|e| format!("bad PROJJSON ({e})"))?;
        // A BoundCRS (WKT1 with TOWGS84) describes its source CRS.
        let crs = if value["type"] == "BoundCRS" {
            &value["source_crs"]
        } else {
            &value
        };
        let kind = match crs["type"].as_str().unwrap_or("") {
            "GeographicCRS" | "GeodeticCRS" => CrsKind::Geographic,
            "ProjectedCRS" => CrsKind::Projected,
            _ => CrsKind::Other,
        };
        if kind == CrsKind::Other {
            return Err(format!(
                "not a 2D geographic or projected CRS ({})",
                crs["type"].as_str().unwrap_or("unknown type")
            ));
        }
        let name = crs["name"].as_str().unwrap_or("unnamed").to_string();
        let epsg = epsg_of(crs).or_else(|| epsg_from_text(definition));
        let unit = unit_of(crs);
        let mut bare = crs.clone();
        strip_ids(&mut bare);
        let texts = CrsTexts {
            base: base_definition(crs),
        };
        Ok(CrsDef {
            definition: definition.to_string(),
            name,
            kind,
            epsg,
            unit,
            fingerprint: bare.to_string(),
            texts,
        })
    }

    /// An EPSG CRS.
    pub fn epsg(code: u32) -> Result<CrsDef, String> {
        CrsDef::parse(&format!("EPSG:{code}"))
    }

    /// True when the CRS's linear unit is the metre (projected CRSs only).
    pub fn is_metric(&self) -> bool {
        self.kind == CrsKind::Projected && matches!(self.unit.as_str(), "metre" | "meter" | "m")
    }

    /// Short label for reports: "EPSG:4549 (CGCS2000 / 3-degree Gauss-Kruger CM 120E)".
    pub fn label(&self) -> String {
        match self.epsg {
            Some(code) => format!("EPSG:{code} ({})", self.name),
            None => self.name.clone(),
        }
    }

    /// The CRS as ESRI WKT1, for a shapefile's `.prj`.
    pub fn esri_wkt(&self) -> Option<String> {
        self.wkt1()?.0
    }

    /// The CRS as WKT1 as GDAL writes it, for a GeoPackage's `definition`.
    pub fn gdal_wkt(&self) -> Option<String> {
        self.wkt1()?.1
    }

    /// PROJ's ESRI and GDAL WKT1 of the definition, asked for once per text (several outputs
    /// are written side by side, each wanting them); `None` when PROJ cannot describe it.
    fn wkt1(&self) -> Option<(Option<String>, Option<String>)> {
        static CACHE: OnceCache<Option<(Option<String>, Option<String>)>> =
            std::sync::OnceLock::new();
        once(&CACHE, &self.definition, || {
            pj::describe(&self.definition, true)
                .ok()
                .map(|d| (d.esri_wkt, d.gdal_wkt))
        })
    }

    /// True when both describe the same CRS (same EPSG code, or same definition text).
    pub fn same_as(&self, other: &CrsDef) -> bool {
        match (self.epsg, other.epsg) {
            (Some(a), Some(b)) if a == b => true,
            _ => self.definition == other.definition || self.fingerprint == other.fingerprint,
        }
    }

    /// The EPSG code of this CRS: its own, else the code of the CRS it is the same as among
    /// those Zhejiang's data come in (CGCS2000 geographic and 3-degree Gauss-Krüger with and
    /// without zone prefix, WGS 84 and its UTM zones 49–51N), compared by fingerprint (an ESRI
    /// `.prj` of EPSG:4549 gives 4549).
    pub fn epsg_equivalent(&self) -> Option<u32> {
        if self.epsg.is_some() {
            return self.epsg;
        }
        [4490, 4326]
            .into_iter()
            .chain(4513..=4554)
            .chain(32649..=32651)
            .find(|&code| CrsDef::epsg(code).is_ok_and(|c| c.fingerprint == self.fingerprint))
    }
}

/// Results kept per definition text, each worked out once (see [`once`]).
type OnceCache<T = Result<CrsDef, String>> = std::sync::OnceLock<
    std::sync::Mutex<std::collections::HashMap<String, std::sync::Arc<std::sync::OnceLock<T>>>>,
>;

/// The result for `key`, made by `make` the first time: a thread asking while another makes it
/// waits for that result instead of asking PROJ again (the layers of a review usually share
/// one `.prj` text and are read side by side).
fn once<T: Clone>(cache: &'static OnceCache<T>, key: &str, make: impl FnOnce() -> T) -> T {
    let cell = match cache.get_or_init(Default::default).lock() {
        Ok(mut map) => map.entry(key.to_string()).or_default().clone(),
        Err(_) => return make(),
    };
    cell.get_or_init(make).clone()
}

/// Reduces PROJJSON to what defines the coordinates: no identifiers, names or remarks, units
/// in one spelling, axes as an order-free list of units (transformations are normalised to
/// easting/northing and lon/lat order anyway).
fn strip_ids(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for key in [
                "id",
                "ids",
                "name",
                "remarks",
                "scope",
                "area",
                "bbox",
                "usages",
                "$schema",
                "abbreviation",
                "direction",
                "meridian",
            ] {
                map.remove(key);
            }
            if let Some(unit) = map.get_mut("unit") {
                *unit = Value::String(canonical_unit(unit));
            }
            if let Some(Value::Array(axes)) = map.get_mut("axis") {
                let mut units: Vec<String> = axes
                    .iter()
                    .map(|a| a.get("unit").map(canonical_unit).unwrap_or_default())
                    .collect();
                units.sort();
                *axes = units.into_iter().map(Value::String).collect();
            }
            for (_, child) in map.iter_mut() {
                strip_ids(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strip_ids),
        _ => {}
    }
}

fn canonical_unit(unit: &Value) -> String {
    match unit {
        Value::String(s) => s.clone(),
        Value::Object(o) => {
            let factor = o
                .get("conversion_factor")
                .and_then(Value::as_f64)
                .unwrap_or(f64::NAN);
            let kind = o.get("type").and_then(Value::as_str).unwrap_or("");
            if kind == "AngularUnit" && (factor - std::f64::consts::PI / 180.0).abs() < 1e-15 {
                "degree".into()
            } else if kind == "LinearUnit" && factor == 1.0 {
                "metre".into()
            } else if kind == "ScaleUnit" && factor == 1.0 {
                "unity".into()
            } else {
                format!("{kind}:{factor}")
            }
        }
        other => other.to_string(),
    }
}

/// The definition of a projected CRS's geographic base (PROJJSON `crs`): `EPSG:code` when the
/// base has one (PROJ builds that faster), else the base's PROJJSON; `None` without a base.
fn base_definition(crs: &Value) -> Option<String> {
    let base = &crs["base_crs"];
    base.is_object().then(|| match epsg_of(base) {
        Some(code) => format!("EPSG:{code}"),
        None => base.to_string(),
    })
}

fn epsg_of(crs: &Value) -> Option<u32> {
    let id = if crs["id"].is_object() {
        &crs["id"]
    } else {
        crs["ids"].as_array()?.first()?
    };
    if id["authority"].as_str()? != "EPSG" {
        return None;
    }
    match &id["code"] {
        Value::Number(n) => n.as_u64().and_then(|c| u32::try_from(c).ok()),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn epsg_from_text(definition: &str) -> Option<u32> {
    let upper = definition.to_ascii_uppercase();
    let rest = upper
        .strip_prefix("EPSG:")
        .or_else(|| upper.strip_prefix("URN:OGC:DEF:CRS:EPSG::"))
        .or_else(|| upper.strip_prefix("URN:OGC:DEF:CRS:EPSG:"))?;
    rest.trim().parse().ok()
}

fn unit_of(crs: &Value) -> String {
    let axis = &crs["coordinate_system"]["axis"][0];
    match &axis["unit"] {
        Value::String(s) => s.clone(),
        Value::Object(o) => o
            .get("name")
            .and_then(|n| n.as_str())
            .unwrap_or("unknown")
            .to_string(),
        _ => "unknown".to_string(),
    }
}

fn is_crs84(crs: &CrsDef) -> bool {
    let d = crs.definition.to_ascii_uppercase();
    d == "OGC:CRS84" || d.ends_with("OGC:1.3:CRS84") || d.ends_with(":CRS84")
}

/// The CGCS2000 3-degree Gauss-Kruger CRS (EPSG:4534–4554, no zone prefix) whose central
/// meridian is nearest `lon`.
///
/// ```
/// assert_eq!(zonecheck::crs::gauss_kruger_epsg_for_lon(120.3), 4549);
/// assert_eq!(zonecheck::crs::gauss_kruger_epsg_for_lon(118.4), 4548);
/// ```
pub fn gauss_kruger_epsg_for_lon(lon: f64) -> u32 {
    let zone = ((lon - 75.0) / 3.0).round();
    let zone = if zone.is_finite() {
        zone.clamp(0.0, 20.0) as u32
    } else {
        15
    };
    4534 + zone
}

/// True when every coordinate lies in the lon/lat range.
pub fn looks_like_lon_lat(bbox: Option<(Coord<f64>, Coord<f64>)>) -> bool {
    match bbox {
        Some((min, max)) => min.x >= -180.0 && max.x <= 180.0 && min.y >= -90.0 && max.y <= 90.0,
        None => false,
    }
}

/// What the coordinates of a layer without a declared CRS say about their CRS.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Detected {
    /// CGCS2000 3-degree Gauss-Krüger with the zone number before the easting (x ≈ 40,5xx,xxx
    /// in zone 40): EPSG:4513 (zone 25) to EPSG:4533 (zone 45).
    ZonePrefixed { zone: u32, epsg: u32 },
    /// Longitudes and latitudes inside CGCS2000's area of use (China): EPSG:4490.
    LonLat,
    /// Numbers in lon/lat range but far from China (local coordinates near 0,0, say): no CRS
    /// can be guessed.
    LonLatOutsideChina,
    /// Nothing recognisable.
    Unknown,
}

/// Longitudes and latitudes CGCS2000 is used for (EPSG's area of use for China, 73.62–134.77°E,
/// 16.7–53.56°N, widened to the South China Sea islands).
pub const CHINA_LON: (f64, f64) = (73.0, 136.0);
pub const CHINA_LAT: (f64, f64) = (3.0, 54.0);

/// Eastings (without the zone prefix) a 3-degree zone can hold inside China: the false easting
/// 500 km ± 1.5° of longitude (≤ 161 km at 16.7°N), with margin.
const GK_EASTING: (f64, f64) = (250_000.0, 750_000.0);
/// Northings of China in a Gauss-Krüger CRS (3°N ≈ 332 km, 54°N ≈ 5,985 km), with margin.
const GK_NORTHING: (f64, f64) = (300_000.0, 6_000_000.0);

/// Detects the CRS of coordinates whose file declares none, from the box of all of them.
///
/// ```
/// use geo::Coord;
/// use zonecheck::crs::{detect_crs, Detected};
/// let c = |x, y| Coord { x, y };
/// assert_eq!(
///     detect_crs(c(40_512_000.0, 3_340_000.0), c(40_530_000.0, 3_350_000.0)),
///     Detected::ZonePrefixed { zone: 40, epsg: 4528 }
/// );
/// assert_eq!(detect_crs(c(120.1, 30.1), c(120.3, 30.3)), Detected::LonLat);
/// assert_eq!(detect_crs(c(0.0, 0.0), c(2.5, 2.5)), Detected::LonLatOutsideChina);
/// assert_eq!(detect_crs(c(512_000.0, 3_340_000.0), c(530_000.0, 3_350_000.0)), Detected::Unknown);
/// ```
pub fn detect_crs(min: Coord<f64>, max: Coord<f64>) -> Detected {
    if ![min.x, min.y, max.x, max.y].iter().all(|v| v.is_finite()) {
        return Detected::Unknown;
    }
    if min.x >= -180.0 && max.x <= 180.0 && min.y >= -90.0 && max.y <= 90.0 {
        let inside = min.x >= CHINA_LON.0
            && max.x <= CHINA_LON.1
            && min.y >= CHINA_LAT.0
            && max.y <= CHINA_LAT.1;
        return if inside {
            Detected::LonLat
        } else {
            Detected::LonLatOutsideChina
        };
    }
    // 8-digit eastings: zone number × 1,000,000 + easting.
    let zone_lo = (min.x / 1_000_000.0).floor();
    let zone_hi = (max.x / 1_000_000.0).floor();
    if zone_lo != zone_hi || !(25.0..=45.0).contains(&zone_lo) {
        return Detected::Unknown;
    }
    let (e0, e1) = (min.x - zone_lo * 1_000_000.0, max.x - zone_lo * 1_000_000.0);
    let eastings_fit = e0 >= GK_EASTING.0 && e1 <= GK_EASTING.1;
    let northings_fit = min.y >= GK_NORTHING.0 && max.y <= GK_NORTHING.1;
    if !(eastings_fit && northings_fit) {
        return Detected::Unknown;
    }
    // zone_lo is an integer in 25..=45 here.
    let zone = zone_lo as u32;
    Detected::ZonePrefixed {
        zone,
        epsg: 4488 + zone,
    }
}

/// Reprojects coordinates from one CRS to another, lon/lat and easting/northing order on both
/// sides whatever the CRS's official axis order. Identity when both CRSs are the same.
pub struct Reprojector {
    proj: Option<std::rc::Rc<Proj>>,
}

type TransformCache =
    std::cell::RefCell<std::collections::HashMap<(String, String), Option<std::rc::Rc<Proj>>>>;

thread_local! {
    /// Transformations already made on this thread (PROJ objects cannot move between threads;
    /// each is made from the pipeline string searched for once, see `Reprojector::build`).
    static TRANSFORMS: TransformCache = Default::default();
}

impl Reprojector {
    pub fn new(from: &CrsDef, to: &CrsDef) -> Result<Reprojector, String> {
        if from.same_as(to) {
            return Ok(Reprojector { proj: None });
        }
        let key = (from.definition.clone(), to.definition.clone());
        if let Some(hit) = TRANSFORMS.with(|t| t.borrow().get(&key).cloned()) {
            return Ok(Reprojector { proj: hit });
        }
        let built = Reprojector::build(from, to)?.map(std::rc::Rc::new);
        TRANSFORMS.with(|t| t.borrow_mut().insert(key, built.clone()));
        Ok(Reprojector { proj: built })
    }

    /// The transformation, or `None` when it turns out to be a no-op.
    fn build(from: &CrsDef, to: &CrsDef) -> Result<Option<Proj>, String> {
        // WGS 84 lon/lat into a CGCS2000 projected CRS: PROJ's answer is a null "ballpark"
        // datum shift followed by the projection, numerically the same as starting from
        // CGCS2000 lon/lat (EPSG:4490) — which PROJ builds in 1 ms instead of an 80 ms search.
        let cgcs_target = matches!(to.epsg, Some(4491..=4554));
        if cgcs_target && (matches!(from.epsg, Some(4326)) || is_crs84(from)) {
            if let Ok(cgcs) = CrsDef::epsg(4490) {
                return Reprojector::build(&cgcs, to);
            }
        }
        // The operation is searched for once (on the shared context, whose database is open)
        // and each thread instantiates its pipeline string; PROJ's own answer otherwise.
        static PIPELINES: OnceCache<Option<String>> = std::sync::OnceLock::new();
        let key = format!("{}\n{}", from.definition, to.definition);
        let pipeline = once(&PIPELINES, &key, || {
            pj::pipeline(&from.definition, &to.definition)
                .ok()
                .flatten()
        });
        let proj = match pipeline.map(|p| Proj::new(&p)) {
            Some(Ok(proj)) => proj,
            _ => Proj::new_known_crs(&from.definition, &to.definition, None).map_err(|e| {
                format!(
                    "PROJ found no transformation from {} to {} ({e})",
                    from.label(),
                    to.label()
                )
            })?,
        };
        // Two definitions of the same CRS (an ESRI .prj and "EPSG:4549", say) give a no-op
        // transformation: detect it on probe points and skip the work entirely.
        let probes: &[(f64, f64)] = if from.kind == CrsKind::Geographic {
            &[(120.0, 30.0), (100.5, 20.25), (135.0, 45.5)]
        } else {
            &[
                (500_000.0, 3_300_000.0),
                (350_123.5, 2_900_000.25),
                (650_000.0, 4_000_321.0),
            ]
        };
        let identity = probes.iter().all(|&(x, y)| {
            proj.convert(Coord { x, y }).is_ok_and(|c: Coord<f64>| {
                (c.x - x).abs() <= 1e-9 * x.abs().max(1.0)
                    && (c.y - y).abs() <= 1e-9 * y.abs().max(1.0)
            })
        });
        Ok((!identity).then_some(proj))
    }

    pub fn is_identity(&self) -> bool {
        self.proj.is_none()
    }

    /// Transforms `coords` in place. Points PROJ cannot transform become NaN (callers drop the
    /// feature that holds them).
    pub fn transform(&self, coords: &mut [Coord<f64>]) {
        let Some(proj) = &self.proj else { return };
        if coords.is_empty() {
            return;
        }
        let backup: Vec<Coord<f64>> = coords.to_vec();
        if proj.convert_array(coords).is_ok() {
            return;
        }
        // Some point failed: redo point by point so the others keep their values.
        for (out, original) in coords.iter_mut().zip(backup) {
            *out = match proj.convert(original) {
                Ok(c) => c,
                Err(_) => Coord {
                    x: f64::NAN,
                    y: f64::NAN,
                },
            };
        }
    }

    /// Transforms one point.
    pub fn point(&self, c: Coord<f64>) -> Coord<f64> {
        let mut one = [c];
        self.transform(&mut one);
        one[0]
    }
}

/// CRS definitions parsed, exported and searched for operations on one PROJ context for the
/// process. A `proj::Proj` brings a context of its own, and every context opens its own copy of
/// PROJ's database the first time it needs it (its schema parsed: 5–15 ms); the shared context
/// opens it once, and the `Proj`s made from pipeline strings never do.
/// The thin unsafe layer over PROJ's C API that the `proj` crate does not offer.
mod pj {
    use proj_sys as sys;
    use std::ffi::{c_char, CStr, CString};

    /// The process's one context: PROJ's database is opened (its schema parsed, 5–15 ms) once
    /// for every definition, export and operation search, whichever thread asks.
    struct Context(*mut sys::PJ_CONTEXT);

    // SAFETY: a PROJ context may be used by any thread, one at a time: it is only reached
    // through CONTEXT's lock, and every object made on it is destroyed under that lock.
    unsafe impl Send for Context {}

    static CONTEXT: std::sync::Mutex<Option<Context>> = std::sync::Mutex::new(None);

    /// Runs `f` on the shared context (made on first use; never destroyed: it lives as long as
    /// the process).
    fn with_context<T>(
        f: impl FnOnce(*mut sys::PJ_CONTEXT) -> Result<T, String>,
    ) -> Result<T, String> {
        let mut guard = CONTEXT
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // SAFETY: proj_context_create has no preconditions; a null result is checked below.
        let context = guard.get_or_insert_with(|| Context(unsafe { sys::proj_context_create() }));
        if context.0.is_null() {
            return Err("PROJ could not start (no context)".to_string());
        }
        f(context.0)
    }

    /// PROJ's last error on `ctx`, copied.
    fn last_error(ctx: *mut sys::PJ_CONTEXT) -> String {
        // SAFETY: ctx is live; the message is copied before any other call.
        unsafe {
            owned(sys::proj_context_errno_string(
                ctx,
                sys::proj_context_errno(ctx),
            ))
        }
        .unwrap_or_else(|| "unknown error".to_string())
    }

    /// A PROJ object, destroyed when dropped.
    struct Object(*mut sys::PJ);

    impl Drop for Object {
        fn drop(&mut self) {
            // SAFETY: a non-null object from proj_create, destroyed once.
            unsafe { sys::proj_destroy(self.0) };
        }
    }

    /// Copies a string PROJ returned (owned by PROJ: valid until the next call on the object).
    fn owned(ptr: *const c_char) -> Option<String> {
        if ptr.is_null() {
            return None;
        }
        // SAFETY: PROJ returns a NUL-terminated string or null (checked).
        let text = unsafe { CStr::from_ptr(ptr) };
        text.to_str().ok().map(str::to_string)
    }

    /// What PROJ says of a definition: its PROJJSON (one line) and, when asked, its ESRI and
    /// GDAL WKT1.
    pub struct Described {
        pub projjson: String,
        pub esri_wkt: Option<String>,
        pub gdal_wkt: Option<String>,
    }

    pub fn describe(definition: &str, wkt1: bool) -> Result<Described, String> {
        let c_definition = CString::new(definition).map_err(|e| {
            format!(
                "PROJ does not understand the CRS (A nul byte was found in the PROJ string \
                 definition or CRS argument: {e})"
            )
        })?;
        with_context(|ctx| {
            // SAFETY: ctx is the live shared context (locked), c_definition a NUL-terminated
            // string.
            let obj = unsafe { sys::proj_create(ctx, c_definition.as_ptr()) };
            if obj.is_null() {
                let message = last_error(ctx);
                return Err(format!(
                    "PROJ does not understand the CRS (The underlying PROJ call failed: {message})"
                ));
            }
            let obj = Object(obj);
            let json_options = c"MULTILINE=NO";
            let json_options: [*const c_char; 2] = [json_options.as_ptr(), std::ptr::null()];
            // SAFETY: obj is live and made on ctx; the options are null-terminated lists of
            // NUL-terminated strings that outlive the calls; each result is copied at once.
            let projjson = owned(unsafe { sys::proj_as_projjson(ctx, obj.0, json_options.as_ptr()) })
                .ok_or_else(|| "PROJ could not describe the CRS (The definition could not be represented in the requested JSON format)".to_string())?;
            let wkt = |kind: sys::PJ_WKT_TYPE| {
                // SAFETY: as above; a null options pointer asks for PROJ's defaults.
                owned(unsafe { sys::proj_as_wkt(ctx, obj.0, kind, std::ptr::null()) })
            };
            let (esri_wkt, gdal_wkt) = if wkt1 {
                (
                    wkt(sys::PJ_WKT_TYPE_PJ_WKT1_ESRI),
                    wkt(sys::PJ_WKT_TYPE_PJ_WKT1_GDAL),
                )
            } else {
                (None, None)
            };
            Ok(Described {
                projjson,
                esri_wkt,
                gdal_wkt,
            })
        })
    }

    /// The operation `Proj::new_known_crs(from, to, None)` would build (PROJ's choice with no
    /// area of use, axes in lon/lat and easting/northing order), as the PROJ pipeline string
    /// PROJ itself instantiates an operation from; a `Proj` made from it needs no database.
    /// `Ok(None)` when no single string holds it: PROJ keeps several operations to pick from
    /// per point, or a definition carries a coordinate epoch (not kept by the string).
    pub fn pipeline(from: &str, to: &str) -> Result<Option<String>, String> {
        let has_epoch = |d: &str| d.contains('@') || d.to_ascii_uppercase().contains("EPOCH");
        if has_epoch(from) || has_epoch(to) {
            return Ok(None);
        }
        let from = CString::new(from).map_err(|e| e.to_string())?;
        let to = CString::new(to).map_err(|e| e.to_string())?;
        with_context(|ctx| {
            // SAFETY: ctx is the live shared context (locked), the definitions NUL-terminated
            // strings; a null area asks for no area of use. Each object made is destroyed
            // (Object's drop) before the lock is let go.
            let op = unsafe {
                sys::proj_create_crs_to_crs(ctx, from.as_ptr(), to.as_ptr(), std::ptr::null_mut())
            };
            if op.is_null() {
                return Err(last_error(ctx));
            }
            let op = Object(op);
            // SAFETY: as above; op is live.
            let normal = unsafe { sys::proj_normalize_for_visualization(ctx, op.0) };
            if normal.is_null() {
                return Err(last_error(ctx));
            }
            let normal = Object(normal);
            // SAFETY: as above; null options ask for PROJ's defaults; the text is copied.
            Ok(owned(unsafe {
                sys::proj_as_proj_string(
                    ctx,
                    normal.0,
                    sys::PJ_PROJ_STRING_TYPE_PJ_PROJ_5,
                    std::ptr::null(),
                )
            }))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_epsg_and_kind() {
        let gk = CrsDef::epsg(4549).unwrap();
        assert_eq!(gk.kind, CrsKind::Projected);
        assert_eq!(gk.epsg, Some(4549));
        assert!(gk.is_metric());
        let geo = CrsDef::epsg(4490).unwrap();
        assert_eq!(geo.kind, CrsKind::Geographic);
    }

    #[test]
    fn lon_lat_to_gauss_kruger_matches_pyproj() {
        // pyproj: Transformer.from_crs(4490, 4549, always_xy=True).transform(120.0, 30.0)
        // = (500000.0, 3320113.3978450196); (120.5, 30.25) -> (548122.0630623301, 3347932.8161993115).
        let r =
            Reprojector::new(&CrsDef::epsg(4490).unwrap(), &CrsDef::epsg(4549).unwrap()).unwrap();
        let c = r.point(Coord { x: 120.0, y: 30.0 });
        assert!((c.x - 500000.0).abs() < 1e-6, "{c:?}");
        assert!((c.y - 3_320_113.397_845_02).abs() < 1e-4, "{c:?}");
        let c = r.point(Coord { x: 120.5, y: 30.25 });
        assert!((c.x - 548_122.063_062_33).abs() < 1e-4, "{c:?}");
        assert!((c.y - 3_347_932.816_199_31).abs() < 1e-4, "{c:?}");
    }

    #[test]
    fn wkt1_texts_are_pyprojs() {
        // pyproj 3.7.2 (PROJ 9.5.1): CRS.from_epsg(4549).to_wkt("WKT1_ESRI") and
        // .to_wkt("WKT1_GDAL").
        let esri = r#"PROJCS["CGCS2000_3_Degree_GK_CM_120E",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",120.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;
        let gdal = r#"PROJCS["CGCS2000 / 3-degree Gauss-Kruger CM 120E",GEOGCS["China Geodetic Coordinate System 2000",DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101,AUTHORITY["EPSG","1024"]],AUTHORITY["EPSG","1043"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4490"]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",120],PARAMETER["scale_factor",1],PARAMETER["false_easting",500000],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AUTHORITY["EPSG","4549"]]"#;
        // PROJ writes GDAL's flavour on several lines, pyproj on one.
        let one_line =
            |w: String| -> String { w.lines().map(str::trim_start).collect::<Vec<_>>().concat() };
        let gk = CrsDef::epsg(4549).unwrap();
        assert_eq!(gk.esri_wkt().as_deref(), Some(esri));
        assert_eq!(gk.gdal_wkt().map(one_line).as_deref(), Some(gdal));
        // Asked again (the cache), and for a CRS parsed from the ESRI text itself (a `.prj`
        // as the working CRS): the same ESRI text.
        assert_eq!(gk.esri_wkt().as_deref(), Some(esri));
        let from_prj = CrsDef::parse(esri).unwrap();
        assert_eq!(from_prj.esri_wkt().as_deref(), Some(esri));
        // pyproj: CRS.from_wkt(esri).to_wkt("WKT1_GDAL").
        let gdal_of_esri = r#"PROJCS["CGCS2000 / 3-degree Gauss-Kruger CM 120E",GEOGCS["China Geodetic Coordinate System 2000",DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101],AUTHORITY["EPSG","1043"]],PRIMEM["Greenwich",0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",120],PARAMETER["scale_factor",1],PARAMETER["false_easting",500000],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",EAST],AXIS["Northing",NORTH]]"#;
        assert_eq!(
            from_prj.gdal_wkt().map(one_line).as_deref(),
            Some(gdal_of_esri)
        );
    }

    #[test]
    fn unknown_crs_is_an_error() {
        assert!(CrsDef::parse("EPSG:999999").is_err());
        assert!(CrsDef::parse("nonsense").is_err());
        assert!(CrsDef::parse("").is_err());
    }
}

#[cfg(test)]
mod detect_tests {
    use super::*;

    fn c(x: f64, y: f64) -> Coord<f64> {
        Coord { x, y }
    }

    #[test]
    fn zone_prefix_gives_the_4513_to_4533_family() {
        // EPSG:4513 is zone 25 (CM 75°E), EPSG:4533 zone 45 (CM 135°E): the zone number is
        // the CM / 3, the code 4488 + zone. Checked against PROJ's own definitions below.
        for (zone, code) in [(25, 4513), (39, 4527), (40, 4528), (45, 4533)] {
            let x = f64::from(zone) * 1e6;
            assert_eq!(
                detect_crs(c(x + 400_000.0, 3_000_000.0), c(x + 600_000.0, 3_100_000.0)),
                Detected::ZonePrefixed { zone, epsg: code }
            );
            let def = CrsDef::epsg(code).unwrap();
            assert!(def.name.contains(&format!("zone {zone}")), "{}", def.name);
        }
        // Two zones in one box, a zone outside 25..45, an easting outside the zone, a northing
        // south of China: not recognised.
        assert_eq!(
            detect_crs(c(39_900_000.0, 3e6), c(40_100_000.0, 3.1e6)),
            Detected::Unknown
        );
        assert_eq!(
            detect_crs(c(20_500_000.0, 3e6), c(20_600_000.0, 3.1e6)),
            Detected::Unknown
        );
        assert_eq!(
            detect_crs(c(40_900_000.0, 3e6), c(40_950_000.0, 3.1e6)),
            Detected::Unknown
        );
        assert_eq!(
            detect_crs(c(40_500_000.0, 10.0), c(40_600_000.0, 3.1e6)),
            Detected::Unknown
        );
    }

    #[test]
    fn prefixed_zone_40_is_the_cm_120_crs_shifted_by_40_million() {
        // EPSG:4528 and EPSG:4549 share CM 120°E; 4528's false easting is 40,500,000 m,
        // 4549's 500,000 m: the same place differs by exactly 40,000,000 m in x.
        let r =
            Reprojector::new(&CrsDef::epsg(4528).unwrap(), &CrsDef::epsg(4549).unwrap()).unwrap();
        let p = r.point(c(40_512_345.5, 3_345_678.25));
        assert!(
            (p.x - 512_345.5).abs() < 1e-6 && (p.y - 3_345_678.25).abs() < 1e-6,
            "{p:?}"
        );
    }

    #[test]
    fn lon_lat_only_inside_china() {
        assert_eq!(detect_crs(c(118.0, 28.0), c(122.0, 31.0)), Detected::LonLat);
        assert_eq!(
            detect_crs(c(-0.5, 0.0), c(0.5, 1.0)),
            Detected::LonLatOutsideChina
        );
        assert_eq!(
            detect_crs(c(2.0, 48.0), c(3.0, 49.0)),
            Detected::LonLatOutsideChina
        );
        assert_eq!(detect_crs(c(f64::NAN, 0.0), c(1.0, 1.0)), Detected::Unknown);
    }
}

#[cfg(test)]
mod identity_tests {
    use super::*;

    #[test]
    fn same_crs_written_differently_is_identity() {
        let wkt = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/prj/epsg4549_esri.prj"
        ))
        .unwrap();
        let esri = CrsDef::parse(&wkt).unwrap();
        let epsg = CrsDef::epsg(4549).unwrap();
        assert!(Reprojector::new(&esri, &epsg).unwrap().is_identity());
        let feet = CrsDef::parse(
            &std::fs::read_to_string(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/prj/tm120_feet.prj"
            ))
            .unwrap(),
        )
        .unwrap();
        assert!(!Reprojector::new(&feet, &epsg).unwrap().is_identity());
        let ll = CrsDef::epsg(4490).unwrap();
        assert!(!Reprojector::new(&ll, &epsg).unwrap().is_identity());
    }
}

#[cfg(test)]
mod fingerprint_tests {
    use super::*;

    #[test]
    fn every_wkt_flavour_of_4549_is_the_same_crs() {
        let epsg = CrsDef::epsg(4549).unwrap();
        for f in [
            "epsg4549_esri.prj",
            "epsg4549_ogc_wkt1.prj",
            "epsg4549_wkt2.prj",
        ] {
            let path = format!("{}/tests/fixtures/prj/{f}", env!("CARGO_MANIFEST_DIR"));
            let def = CrsDef::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
            assert!(
                def.same_as(&epsg),
                "{f}: {}\nvs\n{}",
                def.fingerprint,
                epsg.fingerprint
            );
        }
        assert!(!CrsDef::epsg(4548).unwrap().same_as(&epsg));
    }
}

#[cfg(test)]
mod shortcut_tests {
    use super::*;

    #[test]
    fn crs84_into_cgcs2000_matches_pyproj() {
        // pyproj 3.7.2: Transformer.from_crs("OGC:CRS84", "EPSG:4549", always_xy=True)
        // .transform(120.3, 30.2) = (528887.7313358246, 3342322.2664280334)
        let r = Reprojector::new(
            &CrsDef::parse("OGC:CRS84").unwrap(),
            &CrsDef::epsg(4549).unwrap(),
        )
        .unwrap();
        let c = r.point(Coord { x: 120.3, y: 30.2 });
        assert!(
            (c.x - 528_887.731_335_824_6).abs() < 1e-6
                && (c.y - 3_342_322.266_428_033).abs() < 1e-6,
            "{c:?}"
        );
    }
}

impl CrsDef {
    /// The geographic CRS (lon/lat) a CRS is based on: the base of a projected CRS, the CRS
    /// itself when it is geographic. For EPSG:4549 (and every CGCS2000 Gauss-Krüger CRS) that
    /// is CGCS2000, EPSG:4490.
    pub fn geographic_base(&self) -> Result<CrsDef, String> {
        static CACHE: OnceCache = std::sync::OnceLock::new();
        once(&CACHE, &self.definition, || self.geographic_base_uncached())
    }

    fn geographic_base_uncached(&self) -> Result<CrsDef, String> {
        if self.kind == CrsKind::Geographic {
            return Ok(self.clone());
        }
        if let Some(base) = &self.texts.base {
            return CrsDef::parse(base);
        }
        let described = pj::describe(&self.definition, false)?;
        let value: Value =
            serde_json::from_str(&described.projjson).map_err(|e| format!("bad PROJJSON ({e})"))?;
        let crs = if value["type"] == "BoundCRS" {
            &value["source_crs"]
        } else {
            &value
        };
        match base_definition(crs) {
            Some(base) => CrsDef::parse(&base),
            None => Err(format!("{} has no geographic base CRS", self.label())),
        }
    }
}

#[cfg(test)]
mod base_tests {
    use super::*;

    #[test]
    fn the_base_of_cgcs2000_gauss_kruger_is_cgcs2000() {
        for code in [4549, 4528, 4490] {
            let base = CrsDef::epsg(code).unwrap().geographic_base().unwrap();
            assert_eq!(base.epsg, Some(4490), "{code}: {}", base.label());
            assert_eq!(base.kind, CrsKind::Geographic);
        }
        let utm = CrsDef::epsg(32650).unwrap().geographic_base().unwrap();
        assert_eq!(utm.epsg, Some(4326));
    }
}
