//! 飞地: sub-areas marked as enclaves are exempt from contiguity (`enclave`).

use crate::analysis::findings::Finding;
use crate::analysis::rules::Rule;
use crate::analysis::PartInfo;
use crate::model::Geom;
use geo::MultiPolygon;

/// `enclave`: one notice counting the enclave parts of `geometry` (described by `parts`, in
/// the same order), with their geometry.
///
/// Example (the test below): two parts of which one is an enclave give one `enclave` finding
/// with `enclaves` = 1.
pub fn check(zone_id: &str, geometry: &Geom, parts: &[PartInfo]) -> Vec<Finding> {
    let zid = Some(zone_id);
    let mut findings = Vec::new();
    let enclaves = parts.iter().filter(|p| p.enclave).count();
    if enclaves > 0 {
        findings.push(
            Rule::Enclave.finding(zid)
                .msg(
                    format!("{enclaves} 个飞地分片区不计入连片检查，仍检查冲突"),
                    format!("{enclaves} enclave sub-area(s) exempt from the contiguity rule, still checked for conflicts"),
                )
                .num("enclaves", enclaves as f64)
                .geom(MultiPolygon(
                    geometry.0.iter().zip(parts).filter(|(_, p)| p.enclave).map(|(g, _)| g.clone()).collect(),
                )),
        );
    }
    findings
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::analysis::rules::testing::{part, rect};
    use crate::analysis::Severity;

    #[test]
    fn enclave_parts_are_one_notice() {
        let geometry = MultiPolygon(
            [rect(0.0, 0.0, 100.0, 100.0), rect(500.0, 0.0, 600.0, 100.0)]
                .into_iter()
                .flat_map(|g| g.0)
                .collect(),
        );
        let parts = [part(10_000.0, false, false), part(10_000.0, false, true)];
        let found = check("Z1", &geometry, &parts);
        assert_eq!(found.len(), 1);
        assert!(found[0].is(Rule::Enclave));
        assert_eq!(found[0].severity, Severity::Info);
        assert_eq!(found[0].numbers["enclaves"], 1.0);
        assert!(check("Z1", &geometry, &[parts[0].clone(), parts[0].clone()]).is_empty());
    }
}
