//! The merged zones of a zones layer: its features grouped by zone id, with their attributes
//! as the fields name them.

use super::fields::{is_yes, split_industries, split_list, Fields};
use super::{Geom, Layer, Text};
use std::collections::BTreeMap;

/// A merged zone as read from the zones layer: its features and attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct ZoneInput {
    pub id: String,
    pub name: Option<String>,
    pub level: Option<String>,
    pub city: Option<String>,
    pub county: Option<String>,
    pub members: Vec<String>,
    pub industries: Vec<String>,
    /// 亩均税收 as the zone's first feature with a value writes it: `None` when the zones
    /// layer has no such field, `Some(None)` when the zone leaves it empty.
    pub tax_per_mu: Option<Option<String>>,
    /// 亩均增加值, as `tax_per_mu`.
    pub value_added_per_mu: Option<Option<String>>,
    /// Each feature's geometry and whether it is an approved enclave (飞地).
    pub features: Vec<(Geom, bool)>,
    /// Every distinct name its features carry, in record order (more than one: the id is
    /// ambiguous, see `analysis::zone::ambiguous_ids`).
    pub names: Vec<String>,
    /// The record number of each feature, in the order of `features`.
    pub records: Vec<usize>,
    /// The townships the zone declares it takes over (托管), from its custody field.
    pub custody: Vec<String>,
    /// Each feature marked as an enclave, with its basis and county.
    pub enclaves: Vec<EnclaveRecord>,
    /// The county of the zone's features that are not enclaves (the first that has one).
    pub home_county: Option<String>,
}

/// A feature of a zone marked as an enclave (飞地).
#[derive(Debug, Clone, PartialEq)]
pub struct EnclaveRecord {
    /// Position in the zone's `features`.
    pub feature: usize,
    /// The basis recorded for it (approval document, partner county); `None` when empty.
    pub basis: Option<String>,
    /// The feature's own county attribute.
    pub county: Option<String>,
}

/// Groups the zones layer's features by id (the id field, else the name field, else one zone
/// per feature), sorted by id. Attributes come from the first feature that has them.
pub fn group_zones(layer: &Layer, fields: &Fields) -> Vec<ZoneInput> {
    let key_field = fields.id.or(fields.name);
    let mut groups: BTreeMap<String, ZoneInput> = BTreeMap::new();
    for f in &layer.features {
        let id = layer
            .attr(f, key_field)
            .map(str::to_string)
            .unwrap_or_else(|| format!("#{}", f.index));
        let z = groups.entry(id.clone()).or_insert_with(|| ZoneInput {
            id,
            name: None,
            level: None,
            city: None,
            county: None,
            members: Vec::new(),
            industries: Vec::new(),
            tax_per_mu: fields.tax_per_mu.map(|_| None),
            value_added_per_mu: fields.value_added_per_mu.map(|_| None),
            features: Vec::new(),
            names: Vec::new(),
            records: Vec::new(),
            custody: Vec::new(),
            enclaves: Vec::new(),
            home_county: None,
        });
        let get = |field: Option<usize>| layer.attr(f, field).map(str::to_string);
        if let Some(name) = get(fields.name) {
            if !z.names.contains(&name) {
                z.names.push(name);
            }
        }
        z.name = z.name.take().or_else(|| get(fields.name));
        z.level = z.level.take().or_else(|| get(fields.level));
        z.city = z.city.take().or_else(|| get(fields.city));
        z.county = z.county.take().or_else(|| get(fields.county));
        for m in get(fields.members)
            .map(|v| split_list(&v))
            .unwrap_or_default()
        {
            if !z.members.contains(&m) {
                z.members.push(m);
            }
        }
        for (slot, field) in [
            (&mut z.tax_per_mu, fields.tax_per_mu),
            (&mut z.value_added_per_mu, fields.value_added_per_mu),
        ] {
            if let Some(value @ None) = slot {
                *value = get(field);
            }
        }
        for i in get(fields.industries)
            .map(|v| split_industries(&v))
            .unwrap_or_default()
        {
            if !z.industries.contains(&i) {
                z.industries.push(i);
            }
        }
        for t in get(fields.custody)
            .map(|v| split_list(&v))
            .unwrap_or_default()
        {
            if !z.custody.contains(&t) {
                z.custody.push(t);
            }
        }
        let enclave = get(fields.enclave).is_some_and(|v| is_yes(&v));
        if enclave {
            z.enclaves.push(EnclaveRecord {
                feature: z.features.len(),
                basis: get(fields.enclave_basis),
                county: get(fields.county),
            });
        } else if z.home_county.is_none() {
            z.home_county = get(fields.county);
        }
        z.features.push((f.geometry.clone(), enclave));
        z.records.push(f.index);
    }
    groups.into_values().collect()
}

/// The same as warnings of the zones layer (stderr, report.json inputs, the app's layer list).
pub fn ambiguous_id_warnings(layer: &Layer, fields: &Fields) -> Vec<Text> {
    if fields.name.is_none() {
        return Vec::new();
    }
    group_zones(layer, fields)
        .iter()
        .filter(|z| z.names.len() > 1)
        .map(|z| crate::messages::fields::ambiguous_id(&z.id, &z.names, z.features.len()))
        .collect()
}
