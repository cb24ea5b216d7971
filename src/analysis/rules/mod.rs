//! The rules of the guidance: the rule table ([`RULES`], keyed by [`Rule`], read through
//! [`RuleId`]) and one file per rule, each a pure function from the zone's (or the plan's)
//! context and the settings to findings.
//!
//! | file | rule ids |
//! |---|---|
//! | [`conflict`] | `conflict.<layer>`, `sliver.<layer>` |
//! | [`clusters`] | `clusters` |
//! | [`parts`] | `parts` |
//! | [`fragments`] | `fragment` |
//! | [`enclave`] | `enclave`, `enclave.no_basis`, `enclave.same_county` |
//! | [`expansion`] | `expansion` |
//! | [`overlap`] | `zone_overlap` |
//! | [`designation`] | `designation`, `designation.dropped`, `designation.unknown` |
//! | [`industries`] | `industries` |
//! | [`custody`] | `custody` |
//! | [`members`] | `members.unknown` |
//! | [`anchor`] | `members.no_national_or_provincial` |
//! | [`eliminated`] | `eliminated` |
//! | [`originals`] | `original.duplicate`, `original.unassigned`, `original.status` |
//! | [`quota`] | `quota.total`, `quota.city`, `quota.county`, `quota.unknown` |
//! | [`input`] | `input.incomplete`, `input.coverage`, `input.ambiguous_id` |
//! | [`validity`] | `zone.invalid_geometry` |
//! | [`control_line`] | `control_line.<layer>` |
//! | [`new_industrial`] | `new_industrial` |
//! | [`per_mu`] | `per_mu.below`, `per_mu.missing` |
//! | [`location`] | `location` |
//! | [`tbmj`] | `tbmj.mismatch` |

mod table;
pub use table::*;

pub mod anchor;
pub mod clusters;
pub mod conflict;
pub mod control_line;
pub mod custody;
pub mod designation;
pub mod eliminated;
pub mod enclave;
pub mod expansion;
pub mod fragments;
pub mod industries;
pub mod input;
pub mod location;
pub mod members;
pub mod new_industrial;
pub mod originals;
pub mod overlap;
pub mod parts;
pub mod per_mu;
pub mod quota;
pub mod tbmj;
pub mod validity;

/// Small inputs shared by the rules' tests.
#[cfg(test)]
pub(crate) mod testing {
    use crate::analysis::zone::ZoneInput;
    use crate::analysis::{PartInfo, Prepared};
    use crate::model::settings::ReviewFile;
    use crate::model::{Feature, Geom, Layer, LayerRole};
    use geo::polygon;

    /// An axis-aligned rectangle as a one-part geometry.
    pub fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Geom {
        geo::MultiPolygon(vec![
            polygon![(x: x0, y: y0), (x: x1, y: y0), (x: x1, y: y1), (x: x0, y: y1)],
        ])
    }

    pub fn part(area_m2: f64, fragment: bool, enclave: bool) -> PartInfo {
        PartInfo {
            area_m2,
            area_mu: crate::model::mu_from_m2(area_m2),
            area_ellipsoid_m2: None,
            fragment,
            enclave,
            cluster: (!enclave).then_some(0),
            pieces: usize::from(!enclave),
        }
    }

    /// A layer of `role` named `name` with the given fields and features (attributes, geometry).
    pub fn layer(
        name: &str,
        role: LayerRole,
        fields: &[&str],
        features: Vec<(Vec<&str>, Geom)>,
    ) -> Layer {
        Layer {
            name: name.to_string(),
            role,
            fields: fields.iter().map(|f| f.to_string()).collect(),
            features: features
                .into_iter()
                .enumerate()
                .map(|(index, (attrs, geometry))| Feature {
                    index,
                    geometry,
                    attrs: attrs.into_iter().map(|a| Some(a.to_string())).collect(),
                })
                .collect(),
            source: Default::default(),
        }
    }

    /// A zone's result with only an id and a geometry.
    pub fn result(id: &str, geometry: Geom) -> crate::analysis::ZoneResult {
        crate::analysis::ZoneResult {
            id: id.to_string(),
            name: None,
            level: None,
            city: None,
            county: None,
            members: Vec::new(),
            industries: Vec::new(),
            area_m2: 0.0,
            area_mu: 0.0,
            area_ellipsoid_m2: None,
            part_count: 0,
            parts: Vec::new(),
            enclaves: Vec::new(),
            clusters: 1,
            cluster_gaps_m: Vec::new(),
            cluster_gaps_net_m: Vec::new(),
            cluster_gap_lines: Vec::new(),
            expansion_area_m2: None,
            expansion_area_ellipsoid_m2: None,
            conflicts: Default::default(),
            control_lines: Default::default(),
            findings: Vec::new(),
            pass: true,
            geometry,
        }
    }

    /// A zone as read from the zones layer: id, members, level; no features.
    pub fn zone_input(id: &str, members: &[&str], level: Option<&str>) -> ZoneInput {
        ZoneInput {
            id: id.to_string(),
            name: None,
            level: level.map(str::to_string),
            city: None,
            county: None,
            members: members.iter().map(|m| m.to_string()).collect(),
            industries: Vec::new(),
            tax_per_mu: None,
            value_added_per_mu: None,
            features: Vec::new(),
            names: Vec::new(),
            records: Vec::new(),
            custody: Vec::new(),
            enclaves: Vec::new(),
            home_county: None,
        }
    }

    pub fn prepared(layer: &Layer) -> Prepared<'_> {
        Prepared::new(layer, &ReviewFile::default())
    }
}
