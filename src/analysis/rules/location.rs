//! Where a zone lies against what its attributes say (`location`): the township holding most of
//! the zone's largest part names its county and city (the townships layer's county / city
//! fields); a zone whose COUNTY or CITY attribute names another is a warning. Quotas are counted
//! by these attributes (二(二)), so they must say where the zone is: our inference (审查推定).
//! A zone of the city's own level (市本级) is compared by city only.

use crate::analysis::findings::{fmt_area_en, fmt_area_zh, Finding};
use crate::analysis::plan::is_city_level;
use crate::analysis::rules::Rule;
use crate::analysis::Prepared;
use crate::model::Geom;
use crate::spatial::overlay::{area_m2, PreparedArea};
use geo::{Area, BoundingRect, MultiPolygon};

/// True when two names of one division agree: equal, or equal without a trailing 市/县/区
/// ("萧山区" and "萧山").
pub fn same_place(a: &str, b: &str) -> bool {
    let strip = |s: &str| {
        let s = s.trim();
        s.strip_suffix(['市', '县', '区']).unwrap_or(s).to_string()
    };
    a.trim() == b.trim() || strip(a) == strip(b)
}

/// `location` when the township holding most of the zone's largest part lies in another county
/// (or city) than the zone's `county` (`city`) attribute; nothing when the townships layer has
/// neither a county nor a city field, when no township holds the part, or when the zone has
/// no such attribute.
///
/// Example (the test below): a zone whose COUNTY says 萧山区, its largest part 90 % in a
/// township of 滨江区, is one warning naming 滨江区.
pub fn check(
    zone_id: &str,
    city: Option<&str>,
    county: Option<&str>,
    geometry: &Geom,
    townships: &Prepared,
) -> Vec<Finding> {
    let fields = townships.fields;
    if fields.county.is_none() && fields.city.is_none() {
        return Vec::new();
    }
    let Some(part) = geometry
        .0
        .iter()
        .max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area()))
    else {
        return Vec::new();
    };
    let part = MultiPolygon(vec![part.clone()]);
    let part_area = area_m2(&part);
    let Some(bbox) = part.bounding_rect() else {
        return Vec::new();
    };
    let prepared = PreparedArea::new(&part);
    let layer = townships.layer;
    let mut best: Option<(usize, f64)> = None;
    for i in townships.index.query(bbox, 0.0) {
        let a = area_m2(&prepared.clip(&layer.features[i].geometry));
        if a > 0.0 && best.is_none_or(|(_, b)| a > b) {
            best = Some((i, a));
        }
    }
    let Some((i, inside)) = best else {
        return Vec::new();
    };
    let f = &layer.features[i];
    let t_county = layer.attr(f, fields.county);
    let t_city = layer.attr(f, fields.city);
    let t_name = layer
        .attr(f, fields.name)
        .map(str::to_string)
        .unwrap_or_else(|| townships.feature_id(i));
    let zone_county = county
        .filter(|_| !is_city_level(county, city))
        .map(str::trim);
    let county_differs = matches!((zone_county, t_county), (Some(z), Some(t)) if !same_place(z, t));
    let city_differs = matches!((city, t_city), (Some(z), Some(t)) if !same_place(z, t));
    if !county_differs && !city_differs {
        return Vec::new();
    }
    let said = [city, county]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let lies = [t_city, t_county]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    vec![Rule::Location
        .finding(Some(zone_id))
        .msg(
            format!(
                "最大分片区（{}）有 {} 位于 {lies} {t_name}，而开发区属性为 {said}",
                fmt_area_zh(part_area),
                fmt_area_zh(inside)
            ),
            format!(
                "the largest part ({}) lies in {t_name}, {lies} ({} of it), while the zone's attributes say {said}",
                fmt_area_en(part_area),
                fmt_area_en(inside)
            ),
        )
        .num("part_area_m2", part_area)
        .num("area_in_township_m2", inside)
        .refs(vec![townships.feature_id(i)])
        .about(lies)
        .geom(part)]
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::analysis::rules::testing::{layer, prepared, rect};
    use crate::analysis::Severity;
    use crate::model::LayerRole;

    #[test]
    fn the_largest_part_in_another_county_warns() {
        // Townships: 宁围街道 (萧山区) x 0–100, 浦沿街道 (滨江区) x 100–300. The zone's largest part
        // x 80–280, y 0–100 (20 000 m²) is 18 000 m² in 浦沿街道; its small part x 0–50
        // (5 000 m²) lies in 宁围街道 and does not count.
        let towns = layer(
            "townships",
            LayerRole::Townships,
            &["XZQMC", "CITY", "COUNTY"],
            vec![
                (
                    vec!["宁围街道", "杭州市", "萧山区"],
                    rect(0.0, 0.0, 100.0, 200.0),
                ),
                (
                    vec!["浦沿街道", "杭州市", "滨江区"],
                    rect(100.0, 0.0, 300.0, 200.0),
                ),
            ],
        );
        let p = prepared(&towns);
        let zone = MultiPolygon(vec![
            rect(80.0, 0.0, 280.0, 100.0).0[0].clone(),
            rect(0.0, 150.0, 50.0, 250.0).0[0].clone(),
        ]);
        let found = check("Z1", Some("杭州市"), Some("萧山区"), &zone, &p);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].rule, "location");
        assert_eq!(found[0].severity, Severity::Warning);
        assert!((found[0].numbers["area_in_township_m2"] - 18_000.0).abs() < 1e-6);
        assert!(found[0].message_zh.contains("滨江区"));
        // The same county written without its suffix agrees; 市本级 compares the city only.
        assert!(check("Z1", Some("杭州市"), Some("滨江"), &zone, &p).is_empty());
        assert!(check("Z1", Some("杭州市"), Some("市本级"), &zone, &p).is_empty());
        let found = check("Z1", Some("绍兴市"), Some("市本级"), &zone, &p);
        assert_eq!(found.len(), 1);
        // A townships layer without county and city fields: nothing to compare.
        let bare = layer(
            "townships",
            LayerRole::Townships,
            &["XZQMC"],
            vec![(vec!["浦沿街道"], rect(0.0, 0.0, 300.0, 200.0))],
        );
        assert!(check(
            "Z1",
            Some("绍兴市"),
            Some("萧山区"),
            &zone,
            &prepared(&bare)
        )
        .is_empty());
    }
}
