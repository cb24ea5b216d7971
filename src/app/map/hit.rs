//! Hit-testing in map space: unproject the pointer, query the R-tree, then exact containment.

use super::super::state::{LayerDerived, Picked};
use crate::load::Dataset;
use crate::model::LayerRole;
use geo::{Coord, Intersects, Point};

/// Drawing order of the roles, bottom first.
pub fn role_rank(role: LayerRole) -> u8 {
    match role {
        LayerRole::Townships => 0,
        LayerRole::Barrier => 0,
        LayerRole::Original => 1,
        LayerRole::NewIndustrial => 1,
        LayerRole::Farmland => 2,
        LayerRole::Water => 3,
        LayerRole::Redline => 4,
        LayerRole::Extra => 5,
        LayerRole::Zones => 6,
    }
}

/// Layer indices bottom to top: the layers named in `user_order` (bottom first) in that order,
/// then the others by role.
pub fn draw_order(ds: &Dataset, user_order: &[String]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..ds.layers.len()).collect();
    order.sort_by_key(|&i| {
        let l = &ds.layers[i];
        let user = user_order.iter().position(|n| n == &l.name);
        (user.is_none(), user, role_rank(l.role), i)
    });
    order
}

/// The topmost visible feature containing `pos_in_map`; when none contains it, the topmost one
/// within `tolerance_m` of it.
pub fn hit_test(
    ds: &Dataset,
    derived: &[LayerDerived],
    user_order: &[String],
    visible: &dyn Fn(usize) -> bool,
    pos_in_map: Coord<f64>,
    tolerance_m: f64,
) -> Option<Picked> {
    let point = Point(pos_in_map);
    let probe = geo::Rect::new(pos_in_map, pos_in_map);
    let order: Vec<usize> = draw_order(ds, user_order)
        .into_iter()
        .rev()
        .filter(|&i| visible(i))
        .collect();
    for &li in &order {
        let (Some(layer), Some(d)) = (ds.layers.get(li), derived.get(li)) else {
            continue;
        };
        // Topmost within a layer: the last drawn, i.e. the highest index.
        for fi in d.render.classes.ids_in(probe, 0.0).into_iter().rev() {
            if layer.features[fi].geometry.intersects(&point) {
                return Some(Picked {
                    layer: li,
                    feature: fi,
                });
            }
        }
    }
    if tolerance_m > 0.0 {
        use geo::{Distance, Euclidean};
        for &li in &order {
            let (Some(layer), Some(d)) = (ds.layers.get(li), derived.get(li)) else {
                continue;
            };
            for fi in d
                .render
                .classes
                .ids_in(probe, tolerance_m)
                .into_iter()
                .rev()
            {
                let g = &layer.features[fi].geometry;
                if g.0
                    .iter()
                    .any(|p| Euclidean.distance(&point, p) <= tolerance_m)
                {
                    return Some(Picked {
                        layer: li,
                        feature: fi,
                    });
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::review::Review;
    use crate::model::{Feature, Layer, SourceInfo};
    use geo::{wkt, MultiPolygon};
    use std::path::Path;

    fn layer(name: &str, role: LayerRole, polys: Vec<geo::Polygon<f64>>) -> Layer {
        Layer {
            name: name.into(),
            role,
            fields: vec!["ID".into()],
            features: polys
                .into_iter()
                .enumerate()
                .map(|(i, p)| Feature {
                    index: i,
                    geometry: MultiPolygon(vec![p]),
                    attrs: vec![Some(format!("{name}{i}"))].into(),
                })
                .collect(),
            source: SourceInfo::default(),
        }
    }

    #[test]
    fn topmost_layer_wins_and_holes_are_empty() {
        let review = Review::parse("[layers]\nzones = \"z.shp\"\n", Path::new("r.toml")).unwrap();
        // A zone with a hole over a farmland square that fills the hole.
        let zones = layer(
            "zones",
            LayerRole::Zones,
            vec![
                wkt! { POLYGON((0.0 0.0, 100.0 0.0, 100.0 100.0, 0.0 100.0, 0.0 0.0), (40.0 40.0, 60.0 40.0, 60.0 60.0, 40.0 60.0, 40.0 40.0)) },
            ],
        );
        let farm = layer(
            "farmland",
            LayerRole::Farmland,
            vec![wkt! { POLYGON((30.0 30.0, 70.0 30.0, 70.0 70.0, 30.0 70.0, 30.0 30.0)) }],
        );
        let ds = Dataset {
            working_crs: crate::crs::CrsDef::epsg(4549).unwrap(),
            working_crs_reason: String::new(),
            layers: vec![zones, farm],
            loaded_near: None,
        };
        let derived: Vec<LayerDerived> = ds
            .layers
            .iter()
            .map(|l| LayerDerived::build(l, &review))
            .collect();
        let all = |_: usize| true;
        // Inside the zone ring but over farmland: the zone is drawn on top.
        assert_eq!(
            hit_test(&ds, &derived, &[], &all, Coord { x: 35.0, y: 35.0 }, 0.0),
            Some(Picked {
                layer: 0,
                feature: 0
            })
        );
        // In the hole: only farmland is there.
        assert_eq!(
            hit_test(&ds, &derived, &[], &all, Coord { x: 50.0, y: 50.0 }, 0.0),
            Some(Picked {
                layer: 1,
                feature: 0
            })
        );
        // Zones hidden: farmland.
        let no_zones = |i: usize| i != 0;
        assert_eq!(
            hit_test(
                &ds,
                &derived,
                &[],
                &no_zones,
                Coord { x: 35.0, y: 35.0 },
                0.0
            ),
            Some(Picked {
                layer: 1,
                feature: 0
            })
        );
        // Outside everything; within tolerance of the zone edge.
        assert_eq!(
            hit_test(&ds, &derived, &[], &all, Coord { x: 105.0, y: 50.0 }, 0.0),
            None
        );
        assert_eq!(
            hit_test(&ds, &derived, &[], &all, Coord { x: 105.0, y: 50.0 }, 6.0),
            Some(Picked {
                layer: 0,
                feature: 0
            })
        );
    }
}
