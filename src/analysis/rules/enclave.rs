//! 飞地: sub-areas marked as enclaves are exempt from contiguity (`enclave`); each carries its
//! basis (`enclave.no_basis` when it records none) and lies outside the zone's own county
//! (`enclave.same_county`).

use crate::analysis::findings::{fmt_area_en, fmt_area_zh, Finding};
use crate::analysis::rules::Rule;
use crate::analysis::zone::ZoneInput;
use crate::analysis::{EnclaveInfo, PartInfo};
use crate::model::{mu_from_m2, Geom};
use geo::{Intersects, MultiPolygon};

/// The enclave parts of `geometry` (described by `parts`, in the same order) with the basis and
/// county of the enclave features of `z` that lie in them (a feature lies in the part holding
/// an interior point of its polygons, as the parts were told apart).
pub fn enclave_parts(z: &ZoneInput, geometry: &Geom, parts: &[PartInfo]) -> Vec<EnclaveInfo> {
    let mut out = Vec::new();
    for (i, (part, info)) in geometry.0.iter().zip(parts).enumerate() {
        if !info.enclave {
            continue;
        }
        let mut bases: Vec<String> = Vec::new();
        let mut county = None;
        for r in &z.enclaves {
            let Some((g, _)) = z.features.get(r.feature) else {
                continue;
            };
            let inside =
                g.0.iter()
                    .filter_map(crate::spatial::sliver::inner_point)
                    .any(|pt| part.intersects(&pt));
            if !inside {
                continue;
            }
            if let Some(b) = &r.basis {
                if !bases.contains(b) {
                    bases.push(b.clone());
                }
            }
            county = county.or_else(|| r.county.clone());
        }
        out.push(EnclaveInfo {
            part: i + 1,
            area_m2: info.area_m2,
            area_mu: mu_from_m2(info.area_m2),
            basis: (!bases.is_empty()).then(|| bases.join("；")),
            county,
        });
    }
    out
}

fn part_geometry(geometry: &Geom, enclaves: &[&EnclaveInfo]) -> Geom {
    MultiPolygon(
        enclaves
            .iter()
            .filter_map(|e| geometry.0.get(e.part - 1).cloned())
            .collect(),
    )
}

/// `enclave`: one notice listing every enclave part with its basis; `enclave.no_basis`: one
/// warning for the enclave parts that record no basis; `enclave.same_county`: one warning for
/// the enclave parts whose county is `home_county`, the county of the zone's other features.
///
/// Example (the test below): two enclave parts, one with a basis, give an `enclave` notice with
/// `enclaves` = 2 and an `enclave.no_basis` warning with `enclaves_without_basis` = 1.
pub fn check(
    zone_id: &str,
    geometry: &Geom,
    enclaves: &[EnclaveInfo],
    home_county: Option<&str>,
) -> Vec<Finding> {
    let zid = Some(zone_id);
    let mut findings = Vec::new();
    if enclaves.is_empty() {
        return findings;
    }
    let list_zh: Vec<String> = enclaves
        .iter()
        .map(|e| {
            format!(
                "分片区 {}（{}）：{}",
                e.part,
                fmt_area_zh(e.area_m2),
                e.basis
                    .as_deref()
                    .map_or("未记录依据".to_string(), |b| format!("依据“{b}”"))
            )
        })
        .collect();
    let list_en: Vec<String> = enclaves
        .iter()
        .map(|e| {
            format!(
                "sub-area {} ({}): {}",
                e.part,
                fmt_area_en(e.area_m2),
                e.basis
                    .as_deref()
                    .map_or("no basis recorded".to_string(), |b| format!(
                        "basis \"{b}\""
                    ))
            )
        })
        .collect();
    let all: Vec<&EnclaveInfo> = enclaves.iter().collect();
    findings.push(
        Rule::Enclave
            .finding(zid)
            .msg(
                format!(
                    "{} 个飞地分片区不计入连片检查，仍检查冲突：{}",
                    enclaves.len(),
                    list_zh.join("；")
                ),
                format!(
                    "{} enclave sub-area(s) exempt from the contiguity rule, still checked for conflicts: {}",
                    enclaves.len(),
                    list_en.join("; ")
                ),
            )
            .num("enclaves", enclaves.len() as f64)
            .num(
                "enclaves_with_basis",
                enclaves.iter().filter(|e| e.basis.is_some()).count() as f64,
            )
            .refs(enclaves.iter().filter_map(|e| e.basis.clone()).collect())
            .geom(part_geometry(geometry, &all)),
    );
    let without: Vec<&EnclaveInfo> = enclaves.iter().filter(|e| e.basis.is_none()).collect();
    if !without.is_empty() {
        let parts: Vec<String> = without.iter().map(|e| e.part.to_string()).collect();
        let area: f64 = without.iter().map(|e| e.area_m2).sum();
        findings.push(
            Rule::EnclaveNoBasis
                .finding(zid)
                .msg(
                    format!(
                        "飞地分片区 {}（共 {}）未记录飞地依据（批复文件或共建县市），其免于连片检查无从核实",
                        parts.join("、"),
                        fmt_area_zh(area)
                    ),
                    format!(
                        "enclave sub-area(s) {} ({} in all) record no basis (approval or partner county): their exemption from contiguity cannot be verified",
                        parts.join(", "),
                        fmt_area_en(area)
                    ),
                )
                .num("enclaves_without_basis", without.len() as f64)
                .num("area_m2", area)
                .num("area_mu", mu_from_m2(area))
                .geom(part_geometry(geometry, &without)),
        );
    }
    if let Some(home) = home_county.map(str::trim).filter(|h| !h.is_empty()) {
        let same: Vec<&EnclaveInfo> = enclaves
            .iter()
            .filter(|e| e.county.as_deref().map(str::trim) == Some(home))
            .collect();
        if !same.is_empty() {
            let parts: Vec<String> = same.iter().map(|e| e.part.to_string()).collect();
            findings.push(
                Rule::EnclaveSameCounty
                    .finding(zid)
                    .msg(
                        format!(
                            "飞地分片区 {} 与开发区同属 {home}：飞地通常指在市本级或山海协作县共建的园区",
                            parts.join("、")
                        ),
                        format!(
                            "enclave sub-area(s) {} lie in {home}, the zone's own county: a 飞地 is normally built in the city level or a partner county",
                            parts.join(", ")
                        ),
                    )
                    .num("enclaves_in_own_county", same.len() as f64)
                    .refs(vec![home.to_string()])
                    .geom(part_geometry(geometry, &same)),
            );
        }
    }
    findings
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::analysis::rules::testing::{part, rect, zone_input};
    use crate::analysis::Severity;
    use crate::model::zones::EnclaveRecord;

    #[test]
    fn every_enclave_is_listed_with_its_basis() {
        // Parts: 0..100² (home), 500..600 × 0..100 (enclave with a basis), 900..1000 × 0..100
        // (enclave without, in the zone's own county 萧山区).
        let squares = [
            rect(0.0, 0.0, 100.0, 100.0),
            rect(500.0, 0.0, 600.0, 100.0),
            rect(900.0, 0.0, 1000.0, 100.0),
        ];
        let geometry = MultiPolygon(squares.iter().flat_map(|g| g.0.clone()).collect());
        let mut z = zone_input("Z1", &[], None);
        z.features = squares
            .iter()
            .enumerate()
            .map(|(i, g)| (g.clone(), i > 0))
            .collect();
        z.enclaves = vec![
            EnclaveRecord {
                feature: 1,
                basis: Some("浙政函〔2021〕1号".into()),
                county: Some("淳安县".into()),
            },
            EnclaveRecord {
                feature: 2,
                basis: None,
                county: Some("萧山区".into()),
            },
        ];
        let parts = [
            part(10_000.0, false, false),
            part(10_000.0, false, true),
            part(10_000.0, false, true),
        ];
        let enclaves = enclave_parts(&z, &geometry, &parts);
        assert_eq!(enclaves.len(), 2);
        assert_eq!(enclaves[0].part, 2);
        assert_eq!(enclaves[0].basis.as_deref(), Some("浙政函〔2021〕1号"));
        assert_eq!((enclaves[1].part, enclaves[1].basis.as_deref()), (3, None));
        let found = check("Z1", &geometry, &enclaves, Some("萧山区"));
        assert_eq!(found.len(), 3);
        assert!(found[0].is(Rule::Enclave));
        assert_eq!(found[0].severity, Severity::Info);
        assert_eq!(found[0].numbers["enclaves"], 2.0);
        assert!(found[1].is(Rule::EnclaveNoBasis));
        assert_eq!(found[1].severity, Severity::Warning);
        assert_eq!(found[1].numbers["enclaves_without_basis"], 1.0);
        assert_eq!(found[1].numbers["area_m2"], 10_000.0);
        assert!(found[2].is(Rule::EnclaveSameCounty));
        assert_eq!(found[2].refs, ["萧山区"]);
        // No enclave, no finding.
        assert!(check("Z1", &geometry, &[], Some("萧山区")).is_empty());
    }
}
