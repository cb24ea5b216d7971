//! 整合对象: every member a zone lists is a zone of the original zones layer
//! (`members.unknown`).

use crate::analysis::findings::Finding;
use crate::analysis::rules::Rule;
use crate::analysis::zone::ZoneInput;
use crate::analysis::Prepared;
use crate::model::Geom;
use geo::BoundingRect;

/// `members.unknown`: one warning naming the listed members (`unknown`, from
/// [`member_geometries`]) the original zones layer does not have.
///
/// Example (the test below): `["Y9"]` unknown gives one finding with `unknown_members` = 1 and
/// refs `["Y9"]`; none unknown gives nothing.
pub fn check(zone_id: &str, unknown: Vec<String>) -> Vec<Finding> {
    let zid = Some(zone_id);
    let mut findings = Vec::new();
    if !unknown.is_empty() {
        findings.push(
            Rule::MembersUnknown
                .finding(zid)
                .msg(
                    format!("整合对象 {} 不在原开发区图层中", unknown.join("、")),
                    format!(
                        "member(s) {} not found in the original zones layer",
                        unknown.join(", ")
                    ),
                )
                .num("unknown_members", unknown.len() as f64)
                .refs(unknown),
        );
    }
    findings
}

/// Geometries of the zone's member originals (or of every original near the zone when the zone
/// lists no members), and the listed members the layer does not have.
pub fn member_geometries(z: &ZoneInput, zone: &Geom, orig: &Prepared) -> (Vec<Geom>, Vec<String>) {
    let layer = orig.layer;
    if z.members.is_empty() {
        let Some(zbox) = zone.bounding_rect() else {
            return (Vec::new(), Vec::new());
        };
        let geoms = orig
            .index
            .query(zbox, 0.0)
            .into_iter()
            .map(|i| layer.features[i].geometry.clone())
            .collect();
        return (geoms, Vec::new());
    }
    let mut geoms = Vec::new();
    let mut unknown = Vec::new();
    for m in &z.members {
        let found = orig.features_with_id(m);
        if found.is_empty() {
            unknown.push(m.clone());
        }
        geoms.extend(found.iter().map(|&i| layer.features[i].geometry.clone()));
    }
    (geoms, unknown)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn unknown_members_are_one_warning() {
        let found = check("Z1", vec!["Y9".to_string()]);
        assert_eq!(found.len(), 1);
        assert!(found[0].is(Rule::MembersUnknown));
        assert_eq!(found[0].numbers["unknown_members"], 1.0);
        assert_eq!(found[0].refs, ["Y9"]);
        assert!(check("Z1", Vec::new()).is_empty());
    }
}
