//! Domain types shared by every layer of zonecheck: layers, features, roles, findings.
//! geo-types only; nothing here knows about files, PROJ or egui. The review's settings
//! ([`settings`]), decision records ([`decision`]), which attribute holds what ([`fields`]) and
//! the grouping of zone features into merged zones ([`zones`]) live here too, so that `io`
//! parses them and `load`, `analysis` and the reports read them without importing each other.

pub mod attrs;
pub mod decision;
pub mod edit;
pub mod fields;
pub mod num;
pub mod plaques;
pub mod settings;
pub mod zones;

pub use attrs::{Attrs, AttrsBuilder};
use geo::{Coord, MultiPolygon};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Geometry of one feature after loading: valid polygons in the working CRS (metres).
pub type Geom = MultiPolygon<f64>;

/// One linear ring as read from a file: not yet validated, possibly unclosed.
pub type RawRing = Vec<Coord<f64>>;

/// 1 亩 = 10000/15 m².
pub const M2_PER_MU: f64 = 10000.0 / 15.0;

/// Converts square metres to 亩.
pub fn mu_from_m2(area_m2: f64) -> f64 {
    area_m2 / M2_PER_MU
}

/// A language a user reads: every user-visible text exists in both.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    #[default]
    Zh,
    En,
}

/// A user-visible text in Chinese and English (warnings, errors, notes). Made by the functions
/// of [`crate::messages`], the one language table of the engine; the UI, the CLI and the
/// reports show the language the user chose. `From<String>` wraps a text that has no
/// translation yet (both languages the same).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Text {
    pub zh: String,
    pub en: String,
}

impl Text {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Text {
        Text {
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// The text in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }

    /// True when both languages are empty.
    pub fn is_empty(&self) -> bool {
        self.zh.is_empty() && self.en.is_empty()
    }

    /// True when either language contains `needle` (for tests and filters).
    pub fn contains(&self, needle: &str) -> bool {
        self.zh.contains(needle) || self.en.contains(needle)
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text {
            zh: s.clone(),
            en: s,
        }
    }
}

/// Equal when either language is (tests compare with the English text).
impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        &self.zh == other || &self.en == other
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text::from(s.to_string())
    }
}

/// English, for logs and `Debug`-like contexts; user-facing code picks a language with
/// [`Text::get`].
impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.en)
    }
}

/// A record of a layer that could not be used, and why. Fail closed: in the zones layer it is
/// bad input; in any other layer it makes the check incomplete (`input.incomplete`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Unusable {
    /// 0-based record number in the file (the FID QGIS shows), when the record can be located.
    pub index: Option<usize>,
    /// The feature's id as its attributes give it, when they could be read.
    pub id: Option<String>,
    pub reason: Text,
}

/// What a layer is for in a review.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LayerRole {
    Zones,
    Original,
    Redline,
    Farmland,
    Water,
    Townships,
    /// Roads, rivers, railways: land that separates parts of a zone without breaking its
    /// contiguity.
    Barrier,
    Extra,
    /// New industrial construction land (五(十五)); not protected land.
    NewIndustrial,
}

impl LayerRole {
    /// True for the layers a merged zone must not occupy.
    pub fn is_protection(self) -> bool {
        matches!(
            self,
            LayerRole::Redline | LayerRole::Farmland | LayerRole::Water | LayerRole::Extra
        )
    }

    /// Chinese name of the role, as used in reports.
    pub fn name_zh(self) -> &'static str {
        match self {
            LayerRole::Zones => "整合后开发区",
            LayerRole::Original => "原开发区",
            LayerRole::Redline => "生态保护红线",
            LayerRole::Farmland => "永久基本农田",
            LayerRole::Water => "饮用水水源保护区",
            LayerRole::Townships => "乡镇/街道",
            LayerRole::Barrier => "道路、河流、铁路",
            LayerRole::Extra => "其他保护区域",
            LayerRole::NewIndustrial => "新增工业建设用地",
        }
    }

    /// English name of the role, as used in reports.
    pub fn name_en(self) -> &'static str {
        match self {
            LayerRole::Zones => "merged zones",
            LayerRole::Original => "original zones",
            LayerRole::Redline => "ecological red line",
            LayerRole::Farmland => "permanent basic farmland",
            LayerRole::Water => "drinking-water-source protection",
            LayerRole::Townships => "townships",
            LayerRole::Barrier => "roads, rivers, railways",
            LayerRole::Extra => "other protected area",
            LayerRole::NewIndustrial => "new industrial land",
        }
    }
}

/// The shape of one record as a reader found it, before reprojection and repair.
#[derive(Clone, Debug, PartialEq)]
pub enum RawShape {
    /// Rings whose roles are unknown (shapefile): holes are assigned by containment.
    Rings(Vec<RawRing>),
    /// Polygons with explicit rings, exterior first (GeoJSON).
    Polygons(Vec<Vec<RawRing>>),
}

impl RawShape {
    /// Applies `f` to every coordinate slice (one call per ring), e.g. for batch reprojection.
    pub fn rings_mut(&mut self) -> Box<dyn Iterator<Item = &mut RawRing> + '_> {
        match self {
            RawShape::Rings(rings) => Box::new(rings.iter_mut()),
            RawShape::Polygons(polys) => Box::new(polys.iter_mut().flatten()),
        }
    }

    /// Iterates over every ring.
    pub fn rings(&self) -> Box<dyn Iterator<Item = &RawRing> + '_> {
        match self {
            RawShape::Rings(rings) => Box::new(rings.iter()),
            RawShape::Polygons(polys) => Box::new(polys.iter().flatten()),
        }
    }
}

/// One record as a reader found it.
#[derive(Clone, Debug, PartialEq)]
pub struct RawRecord {
    /// 0-based record number in the file (the FID QGIS shows).
    pub index: usize,
    pub shape: RawShape,
    /// One value per field of the layer; `None` for an empty or NULL value.
    pub attrs: Attrs,
}

/// A layer as a reader found it: coordinates in the file's own CRS.
#[derive(Clone, Debug, Default)]
pub struct RawLayer {
    pub fields: Vec<String>,
    pub records: Vec<RawRecord>,
    /// The CRS the file declares: WKT from a `.prj`, or an `AUTHORITY:CODE` / WKT string from GeoJSON.
    pub crs: Option<String>,
    /// The text encoding used to decode attributes and how it was chosen, e.g. "GBK (.cpg)".
    pub encoding: Option<Text>,
    /// Number of records in the file, including skipped ones.
    pub records_in_file: usize,
    /// Problems found while reading that did not stop the layer (record number included).
    pub warnings: Vec<Text>,
    /// Records that could not be read at all (not in `records`); fail closed on them.
    pub unusable: Vec<Unusable>,
    /// Records left out by a [`RecordFilter`] (far from every zone): read and checked for
    /// structure, but neither decoded nor kept.
    pub filtered_out: usize,
    /// SHA-256 of the main file (hex), when the reader hashed the bytes it read.
    pub sha256: Option<crate::io::digest::Sha256Hex>,
    /// SHA-256 of every file the reader read (main file first: .shp, .shx, .dbf, .prj, .cpg;
    /// or the GeoJSON), by file name.
    pub files: Vec<crate::io::FileHash>,
    /// Box of every finite coordinate of every record read, including records left out by a
    /// [`RecordFilter`] (the CRS checks look at the whole file). `None` without any.
    pub extent: Option<geo::Rect<f64>>,
    /// Why the file itself gives no CRS, when the reader knows better than "no .prj" (a
    /// 国土TXT header without 坐标系/带号): said in the error when no CRS can be found.
    pub crs_missing: Option<Text>,
    /// The records' shapes left in the mapped file (a shapefile read with
    /// [`crate::io::shp::read_shapefile_deferred`]): each record's `shape` is then empty until
    /// it is taken from there.
    pub mapped: Option<crate::io::shp::MappedShapes>,
}

/// Decides from a record's bounding box (in the file's own coordinates) whether the record is
/// wanted. Records it rejects are not decoded or kept; records without a finite coordinate are
/// always kept (so that repair reports them).
pub type RecordFilter<'a> = &'a (dyn Fn(&geo::Rect<f64>) -> bool + Sync);

/// One feature in the working CRS.
#[derive(Clone, Debug, PartialEq)]
pub struct Feature {
    /// 0-based record number in the source file.
    pub index: usize,
    pub geometry: Geom,
    pub attrs: Attrs,
}

/// Where a layer came from and what loading it involved; reported in `inputs`.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SourceInfo {
    pub path: PathBuf,
    pub sha256: crate::io::digest::Sha256Hex,
    /// SHA-256 of every file read for the layer (.shp .shx .dbf .prj .cpg, or the GeoJSON).
    pub files: Vec<crate::io::FileHash>,
    /// Human-readable description of the source CRS and how it was decided.
    pub crs: Text,
    pub encoding: Option<Text>,
    /// Features read and used: loaded, or checked and let go (`released`).
    pub features: usize,
    /// Features read, reprojected and repaired whole, then let go because no check uses them
    /// and no map of the reports draws them (`LoadOptions::read_every_feature`); counted in
    /// `features`. 0 when every feature read is loaded.
    #[serde(skip_serializing_if = "crate::model::is_zero")]
    pub released: usize,
    /// The boxes of the `released` features that lie in the frame of a zone's overview map
    /// but that no such map draws: smaller than its step, or past its feature budget. The
    /// maps count them (too small to draw, or left out for the budget) as they would if they
    /// were loaded.
    #[serde(skip)]
    pub released_on_maps: Vec<geo::Rect<f64>>,
    /// When features were let go (`released`): the values of the layer's first features as
    /// loading everything would give them (up to `fields::SAMPLE`), from which its fields are
    /// judged (`model::fields`), as they would be without letting any go. Empty otherwise.
    #[serde(skip)]
    pub field_sample: Vec<crate::model::Attrs>,
    /// Features left out because they lie far from every merged zone (the check's spatial
    /// filter): they cannot change any result. 0 when everything was loaded.
    pub far_from_zones: usize,
    pub warnings: Vec<Text>,
    /// Every record that was not used, for any reason (unreadable, no usable geometry,
    /// failed reprojection or repair): the check is incomplete while this is not empty.
    pub unusable: Vec<Unusable>,
    /// Records kept on a repaired geometry whose own boundary was invalid (self-intersection,
    /// overlapping rings, a hole outside its shell), with what was repaired; trivial fixes
    /// (closing a ring, duplicate vertices) are not listed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub boundary_repairs: Vec<(usize, Vec<Text>)>,
    /// Box `[min x, min y, max x, max y]` of every record of the file in the working CRS,
    /// including those the spatial filter left out (`None`: no finite coordinate).
    pub extent: Option<[f64; 4]>,
    /// The same box in the layer's own CRS.
    pub extent_own: Option<[f64; 4]>,
}

/// Whether `n` is 0 (for `skip_serializing_if`).
pub fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// A layer loaded into the working CRS.
#[derive(Clone, Debug)]
pub struct Layer {
    /// Key in the review file: "zones", "redline", … or the name of an extra layer.
    pub name: String,
    pub role: LayerRole,
    pub fields: Vec<String>,
    pub features: Vec<Feature>,
    pub source: SourceInfo,
}

impl Layer {
    /// Index of a field, matched case-insensitively.
    pub fn field_index(&self, name: &str) -> Option<usize> {
        field_index(&self.fields, name)
    }

    /// Value of field `field` of feature `feature`, trimmed; `None` when missing or empty.
    pub fn attr<'a>(&self, feature: &'a Feature, field: Option<usize>) -> Option<&'a str> {
        let value = feature.attrs.get(field?)?.trim();
        (!value.is_empty()).then_some(value)
    }
}

/// Whether two field names are the same compared case-insensitively (Unicode-aware, as
/// `to_lowercase` compares them; ASCII names without allocating).
pub fn same_field_name(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        a.eq_ignore_ascii_case(b)
    } else {
        a.to_lowercase() == b.to_lowercase()
    }
}

/// Finds named fields in row after row of `(name, value)` pairs (the patch fields a conflict
/// carries): a row whose names are, in order, those of the row before (every row of a layer)
/// reuses its positions instead of comparing every name again.
#[derive(Default)]
pub struct FieldPositions<'a> {
    prev: Option<&'a [(String, Option<String>)]>,
    positions: Vec<Option<usize>>,
}

impl<'a> FieldPositions<'a> {
    /// For each of `names` (the same list at every call), the position in `fields` of the
    /// first field of that name ([`same_field_name`]), `None` when there is none.
    pub fn of(
        &mut self,
        fields: &'a [(String, Option<String>)],
        names: &[String],
    ) -> &[Option<usize>] {
        let same =
            self.prev.is_some_and(|p| same_names(p, fields)) && self.positions.len() == names.len();
        if !same {
            self.positions = names
                .iter()
                .map(|name| fields.iter().position(|(n, _)| same_field_name(n, name)))
                .collect();
            self.prev = Some(fields);
        }
        &self.positions
    }
}

/// Whether two rows of `(name, value)` pairs have the same names in the same order.
fn same_names(a: &[(String, Option<String>)], b: &[(String, Option<String>)]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.0 == y.0)
}

/// The field names of rows of `(name, value)` pairs, each once ([`same_field_name`]), in order
/// of first appearance; a row with the names of the row before is passed over.
pub fn union_field_names<'a>(
    rows: impl IntoIterator<Item = &'a [(String, Option<String>)]>,
) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut prev: Option<&[(String, Option<String>)]> = None;
    for fields in rows {
        if prev.is_some_and(|p| same_names(p, fields)) {
            continue;
        }
        prev = Some(fields);
        for (n, _) in fields {
            if !names.iter().any(|m| same_field_name(m, n)) {
                names.push(n.clone());
            }
        }
    }
    names
}

/// Index of `name` in `fields`, compared case-insensitively (Unicode-aware).
pub fn field_index(fields: &[String], name: &str) -> Option<usize> {
    let wanted = name.trim().to_lowercase();
    fields
        .iter()
        .position(|f| f.trim().to_lowercase() == wanted)
}

/// Every layer of a review in the working CRS.
#[derive(Debug, Clone)]
pub struct Dataset {
    pub working_crs: crate::crs::CrsDef,
    /// How the working CRS was chosen.
    pub working_crs_reason: String,
    /// Zones first, then the other layers in review order.
    pub layers: Vec<Layer>,
    /// With the check's spatial filter: the boxes protection features had to meet to be loaded
    /// (report maps shade what lies outside). `None`: everything was loaded.
    pub loaded_near: Option<crate::spatial::roi::Roi>,
}

impl Dataset {
    pub fn layer(&self, role: LayerRole) -> Option<&Layer> {
        self.layers.iter().find(|l| l.role == role)
    }

    pub fn protection_layers(&self) -> impl Iterator<Item = &Layer> {
        self.layers.iter().filter(|l| l.role.is_protection())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_compare_as_their_lowercase_does() {
        for (a, b) in [
            ("TBMJ", "tbmj"),
            ("Tbmj", "TBMJ"),
            ("DLBM", "DLMC"),
            ("面积", "面积"),
            ("面积", "面 积"),
            ("ÄRT", "ärt"),
            ("ΟΔΟΣ", "οδος"),
            ("ΟΔΟΣ", "οδοσ"),
            ("id", "ID "),
        ] {
            assert_eq!(
                same_field_name(a, b),
                a.to_lowercase() == b.to_lowercase(),
                "{a} {b}"
            );
        }
    }

    /// Positions found row after row are those a search of each row finds: rows of two layers
    /// (different names, one with a name twice in different case), alternating, and a row
    /// whose names differ from the row before only in case.
    #[test]
    fn field_positions_are_those_of_a_search_of_each_row() {
        let row = |names: &[&str]| -> Vec<(String, Option<String>)> {
            names
                .iter()
                .enumerate()
                .map(|(i, n)| (n.to_string(), Some(format!("v{i}"))))
                .collect()
        };
        let rows = [
            row(&["BSM", "TBMJ", "地类名称"]),
            row(&["BSM", "TBMJ", "地类名称"]),
            row(&["dlmc", "bsm", "BSM"]),
            row(&["BSM", "TBMJ", "地类名称"]),
            row(&["bsm", "tbmj", "地类名称"]),
            row(&[]),
            row(&["TBMJ"]),
        ];
        let names: Vec<String> = ["bsm", "TBMJ", "地类名称", "DLMC", "none"]
            .map(str::to_string)
            .to_vec();
        let mut positions = FieldPositions::default();
        for r in &rows {
            let searched: Vec<Option<usize>> = names
                .iter()
                .map(|name| {
                    r.iter()
                        .position(|(n, _)| n.to_lowercase() == name.to_lowercase())
                })
                .collect();
            assert_eq!(positions.of(r, &names), searched.as_slice(), "{r:?}");
        }
    }
}
