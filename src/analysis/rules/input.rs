//! Findings about the input itself (`input.*`): layers not fully used, protection layers far
//! from the zones, zone ids given to differently named features. They always block.

use crate::analysis::findings::Finding;
use crate::analysis::rules::Rule;
use crate::analysis::zone::ZoneInput;
use crate::model::Dataset;
use crate::model::LayerRole;

/// One blocking plan finding (`input.ambiguous_id`) per zone id whose features carry
/// different names: the plan does not say whether they are one zone or two zones given the
/// same id, so the zone is kept as one (as its id says) and the plan cannot pass until the
/// id or the names are corrected.
///
/// Example (the test below): zone Z1 whose two features are named A and B gives one finding
/// with `features` = 2, `names` = 2 and refs Z1, A, B.
pub fn ambiguous_ids(zones: &[ZoneInput]) -> Vec<Finding> {
    zones
        .iter()
        .filter(|z| z.names.len() > 1)
        .map(|z| {
            let m = crate::messages::fields::ambiguous_id(&z.id, &z.names, z.features.len());
            let mut refs = vec![z.id.clone()];
            refs.extend(z.names.iter().cloned());
            Rule::InputAmbiguousId
                .finding(None)
                .msg(m.zh, m.en)
                .num("features", z.features.len() as f64)
                .num("names", z.names.len() as f64)
                .refs(refs)
        })
        .collect()
}

/// How far a protection layer may lie from the zones before it is taken for a CRS mistake:
/// the zones' box grown by max(this, the zones' box size) on every side.
pub const COVERAGE_MIN_MARGIN_M: f64 = 10_000.0;

/// How many dropped records an `input.incomplete` finding lists by number.
const INCOMPLETE_EXAMPLES: usize = 5;

/// Findings about the input: `input.incomplete` for every layer (other than the zones, where
/// an unusable record stops the run) with records that were not used, one per layer, and
/// `input.coverage` for every protection or barriers layer lying nowhere near the zones (a
/// barriers layer in a wrong CRS would bridge no gap, silently).
///
/// Example (the test below): a red line 200 km from a 1 km zone (margin max(10 km, 1 km) =
/// 10 km) gives one `input.coverage` with `margin_m` = 10 000.
pub fn input_findings(ds: &Dataset) -> Vec<Finding> {
    use crate::messages::load as msg;
    let mut out = Vec::new();
    for layer in ds.layers.iter().filter(|l| l.role != LayerRole::Zones) {
        let unusable = &layer.source.unusable;
        if unusable.is_empty() {
            continue;
        }
        let examples: Vec<(Option<usize>, crate::model::Text)> = unusable
            .iter()
            .take(INCOMPLETE_EXAMPLES)
            .map(|u| (u.index, u.reason.clone()))
            .collect();
        let text = msg::input_incomplete(
            &layer.name,
            (layer.role.name_zh(), layer.role.name_en()),
            &layer.source.path.display().to_string(),
            unusable.len(),
            &examples,
            unusable.len().saturating_sub(INCOMPLETE_EXAMPLES),
        );
        out.push(
            Rule::InputIncomplete
                .finding(None)
                .msg(text.zh, text.en)
                .num("features", unusable.len() as f64)
                .refs(vec![layer.name.clone()]),
        );
    }
    let zones_box = ds
        .layer(LayerRole::Zones)
        .and_then(|z| z.source.extent.or_else(|| features_box(&z.features)));
    if let Some(zb) = zones_box {
        let size = (zb[2] - zb[0]).max(zb[3] - zb[1]);
        let margin = COVERAGE_MIN_MARGIN_M.max(size);
        let grown = [
            zb[0] - margin,
            zb[1] - margin,
            zb[2] + margin,
            zb[3] + margin,
        ];
        let checked = ds
            .layers
            .iter()
            .filter(|l| l.role.is_protection() || l.role == LayerRole::Barrier);
        for layer in checked {
            let Some(lb) = layer.source.extent else {
                continue;
            };
            let meets =
                lb[0] <= grown[2] && grown[0] <= lb[2] && lb[1] <= grown[3] && grown[1] <= lb[3];
            if meets {
                continue;
            }
            let text = msg::input_coverage(&msg::Coverage {
                layer: &layer.name,
                role: (layer.role.name_zh(), layer.role.name_en()),
                file: &layer.source.path.display().to_string(),
                layer_box: lb,
                layer_box_own: layer.source.extent_own,
                own_crs: &layer.source.crs,
                zones_box: zb,
                working_crs: &ds.working_crs.label(),
                margin_m: margin,
                barrier: layer.role == LayerRole::Barrier,
            });
            out.push(
                Rule::InputCoverage
                    .finding(None)
                    .msg(text.zh, text.en)
                    .num("margin_m", margin)
                    .refs(vec![layer.name.clone()]),
            );
        }
    }
    out
}

/// Box of the features' geometry, `[min x, min y, max x, max y]`.
fn features_box(features: &[crate::model::Feature]) -> Option<[f64; 4]> {
    use geo::BoundingRect;
    features
        .iter()
        .filter_map(|f| f.geometry.bounding_rect())
        .map(|b| [b.min().x, b.min().y, b.max().x, b.max().y])
        .reduce(|a, b| {
            [
                a[0].min(b[0]),
                a[1].min(b[1]),
                a[2].max(b[2]),
                a[3].max(b[3]),
            ]
        })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::analysis::rules::testing::{layer, rect, zone_input};

    #[test]
    fn one_id_with_two_names_is_ambiguous() {
        let mut z = zone_input("Z1", &[], None);
        z.names = vec!["A".to_string(), "B".to_string()];
        z.features = vec![
            (rect(0.0, 0.0, 1.0, 1.0), false),
            (rect(2.0, 0.0, 3.0, 1.0), false),
        ];
        let found = ambiguous_ids(&[z, zone_input("Z2", &[], None)]);
        assert_eq!(found.len(), 1);
        assert!(found[0].is(Rule::InputAmbiguousId));
        assert_eq!(
            (found[0].numbers["features"], found[0].numbers["names"]),
            (2.0, 2.0)
        );
        assert_eq!(found[0].refs, ["Z1", "A", "B"]);
    }

    #[test]
    fn a_protection_layer_far_from_the_zones_is_a_coverage_finding() {
        // Zones 1 km wide: margin max(10 km, 1 km) = 10 km; the red line lies 200 km away.
        let mut zones = layer("zones", LayerRole::Zones, &[], Vec::new());
        zones.source.extent = Some([0.0, 0.0, 1_000.0, 1_000.0]);
        let mut redline = layer("redline", LayerRole::Redline, &[], Vec::new());
        redline.source.extent = Some([200_000.0, 0.0, 201_000.0, 1_000.0]);
        let mut ds = Dataset {
            working_crs: crate::crs::CrsDef::epsg(4549).unwrap(),
            working_crs_reason: String::new(),
            layers: vec![zones, redline],
            loaded_near: None,
        };
        let found = input_findings(&ds);
        assert_eq!(found.len(), 1);
        assert!(found[0].is(Rule::InputCoverage));
        assert_eq!(found[0].numbers["margin_m"], COVERAGE_MIN_MARGIN_M);
        // 5 km away: within the margin.
        ds.layers[1].source.extent = Some([6_000.0, 0.0, 7_000.0, 1_000.0]);
        assert!(input_findings(&ds).is_empty());
        // A barriers layer 200 km away bridges nothing: the same finding.
        let mut roads = layer("barriers", LayerRole::Barrier, &[], Vec::new());
        roads.source.extent = Some([200_000.0, 0.0, 201_000.0, 1_000.0]);
        ds.layers.push(roads);
        let found = input_findings(&ds);
        assert_eq!(found.len(), 1);
        assert!(found[0].is(Rule::InputCoverage));
        assert_eq!(found[0].refs, ["barriers"]);
        assert!(found[0].message_en.contains("cannot bridge the gaps"));
        assert!(found[0].message_zh.contains("无法弥合分片区间距"));
    }
}
