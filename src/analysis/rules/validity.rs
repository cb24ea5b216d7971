//! 有效边界 (our inference): a zone whose records had invalid boundaries
//! (`zone.invalid_geometry`). Always blocks.

use crate::analysis::findings::Finding;
use crate::analysis::rules::Rule;
use crate::analysis::zone::ZoneInput;
use std::collections::BTreeMap;

/// `zone.invalid_geometry` for every zone one of whose records had an invalid boundary
/// (checked on its repaired geometry), by zone id.
///
/// Example (the test below): zone Z1 made of records 0 and 1, record 1 repaired, gives one
/// finding on Z1 with `records` = 1 and refs `#1`; zone Z2 (record 2) gets none.
pub fn invalid_boundary_findings(
    zones_layer: &crate::model::Layer,
    zones: &[ZoneInput],
) -> BTreeMap<String, Finding> {
    let repairs = &zones_layer.source.boundary_repairs;
    let mut out = BTreeMap::new();
    if repairs.is_empty() {
        return out;
    }
    for z in zones {
        let records: Vec<(usize, Vec<crate::model::Text>)> = repairs
            .iter()
            .filter(|(i, _)| z.records.contains(i))
            .cloned()
            .collect();
        if records.is_empty() {
            continue;
        }
        let text = crate::messages::load::zone_invalid_geometry(&z.id, &records);
        let f = Rule::ZoneInvalidGeometry
            .finding(Some(&z.id))
            .msg(text.zh, text.en)
            .num("records", records.len() as f64)
            .refs(records.iter().map(|(i, _)| format!("#{i}")).collect());
        out.insert(z.id.clone(), f);
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::analysis::rules::testing::{layer, rect, zone_input};
    use crate::analysis::rules::Rule;
    use crate::model::{LayerRole, Text};

    #[test]
    fn a_repaired_record_marks_its_zone() {
        let mut zones = layer("zones", LayerRole::Zones, &[], Vec::new());
        zones.source.boundary_repairs = vec![(1, vec![Text::new("自相交", "self-intersection")])];
        let mut z1 = zone_input("Z1", &[], None);
        z1.records = vec![0, 1];
        z1.features = vec![(rect(0.0, 0.0, 1.0, 1.0), false); 2];
        let mut z2 = zone_input("Z2", &[], None);
        z2.records = vec![2];
        let found = invalid_boundary_findings(&zones, &[z1, z2]);
        assert_eq!(found.len(), 1);
        let f = &found["Z1"];
        assert!(f.is(Rule::ZoneInvalidGeometry));
        assert_eq!(f.numbers["records"], 1.0);
        assert_eq!(f.refs, ["#1"]);
    }
}
