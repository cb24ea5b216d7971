//! 划定开发区（园区）蓝绿空间、公共设施等控制线: an extra layer of role `control_line` is
//! delineated inside the zones, not land they must avoid. Its area inside each zone is
//! reported (`control_line.<layer>`, a notice), never a conflict.

use crate::analysis::findings::{fmt_area_en, fmt_area_zh, Finding};
use crate::analysis::rules::Rule;
use crate::analysis::zone::layer_label;
use crate::analysis::LayerConflict;
use crate::model::Layer;

/// `control_line.<layer>` (info) with the area of control line `layer` inside the zone, when
/// it is more than slivers; nothing otherwise (the zone's `control_lines` still has the area).
/// `c` is the zone's overlay with the layer, as [`conflict_with`](super::conflict::conflict_with)
/// measures it (features overlapping each other counted once).
///
/// Example (the test below): 20 000 m² of 蓝绿空间 in a 100 000 m² zone is one notice with
/// `area_m2` = 20 000 and `share` = 0.2.
pub fn check(zone_id: &str, layer: &Layer, c: &LayerConflict) -> Vec<Finding> {
    if !c.is_conflict() {
        return Vec::new();
    }
    let (name_zh, name_en) = layer_label(layer);
    vec![Rule::ControlLine
        .of_layer(&layer.name)
        .finding(Some(zone_id))
        .msg(
            format!(
                "开发区内划定{name_zh}控制线 {}，占开发区面积 {}%，涉及 {} 个图斑（控制线，不计为冲突）",
                fmt_area_zh(c.area_m2),
                crate::model::num::Fixed(c.share * 100.0, 2),
                c.features.len()
            ),
            format!(
                "{name_en} delineated inside the zone as a control line: {}, {}% of the zone, {} feature(s) (a control line, not a conflict)",
                fmt_area_en(c.area_m2),
                crate::model::num::Fixed(c.share * 100.0, 2),
                c.features.len()
            ),
        )
        .num("area_m2", c.area_m2)
        .num("area_mu", c.area_mu)
        .num("share", c.share)
        .num("features", c.features.len() as f64)
        .refs(c.features.iter().map(|f| f.id.clone()).collect())
        .geom(c.geometry.clone())]
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::analysis::rules::testing::{layer, prepared, rect};
    use crate::analysis::Severity;
    use crate::model::settings::Rules;
    use crate::model::LayerRole;
    use crate::spatial::overlay::PreparedArea;

    #[test]
    fn a_control_line_inside_the_zone_is_a_notice_with_its_area() {
        // Zone 500 m × 200 m = 100 000 m²; 蓝绿空间 x 100–300, y 50–150: 200 m × 100 m =
        // 20 000 m² inside, share 0.2.
        let green = layer(
            "蓝绿空间",
            LayerRole::Extra,
            &["BSM"],
            vec![(vec!["LL1"], rect(100.0, 50.0, 300.0, 150.0))],
        );
        let p = prepared(&green);
        let zone = rect(0.0, 0.0, 500.0, 200.0);
        let c = crate::analysis::rules::conflict::conflict_with(
            &PreparedArea::new(&zone),
            100_000.0,
            &p,
            &crate::analysis::sliver_tolerances(&Rules::default()),
        );
        let found = check("Z1", &green, &c);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].rule, "control_line.蓝绿空间");
        assert_eq!(found[0].severity, Severity::Info);
        assert!((found[0].numbers["area_m2"] - 20_000.0).abs() < 1e-6);
        assert!((found[0].numbers["share"] - 0.2).abs() < 1e-9);
        assert_eq!(found[0].refs, ["LL1"]);
        // A zone elsewhere holds none of it: no notice.
        let far = rect(1000.0, 0.0, 1100.0, 100.0);
        let c = crate::analysis::rules::conflict::conflict_with(
            &PreparedArea::new(&far),
            10_000.0,
            &p,
            &crate::analysis::sliver_tolerances(&Rules::default()),
        );
        assert!(check("Z2", &green, &c).is_empty());
    }
}
