//! Placement of zone labels without collisions: every label whose anchor is in view is placed,
//! each in a box that meets no box placed before it.
//!
//! Per label, in order: the full text ("id name") on its anchor or just beside it (above, below,
//! right, left); else the id alone in a smaller font at the same spots; else the small id
//! further out on rings around the anchor, joined to it by a leader line. Only when no spot on
//! any ring is free (hundreds of zones crowded into a few pixels) is the small id put on its
//! anchor anyway, so that every zone in view keeps its id on the map.

use egui::{Pos2, Rect, Vec2};

/// One label to place: the zone id, the full text and where it belongs (UI points).
pub struct LabelIn<'a> {
    pub id: &'a str,
    pub text: &'a str,
    pub anchor: Pos2,
}

/// A placed label.
#[derive(Clone, Debug, PartialEq)]
pub struct Placed<G> {
    /// The text shown: the full text, or the id alone when `small`.
    pub text: String,
    pub rect: Rect,
    pub anchor: Pos2,
    pub small: bool,
    /// Drawn away from its anchor, with a line back to it.
    pub leader: bool,
    /// What `layout` returned for the text (a galley when drawing).
    pub shape: G,
}

/// Space kept free around every placed box (points).
pub const MARGIN: f32 = 3.0;

/// Places `labels` inside `bounds`, clear of `taken` (boxes drawn already, e.g. gap lengths).
/// `layout(text, small)` measures a text (and returns what draws it). Labels whose anchor is
/// outside `bounds` are left out.
pub fn place_labels<G>(
    labels: &[LabelIn<'_>],
    bounds: Rect,
    taken: &[Rect],
    mut layout: impl FnMut(&str, bool) -> (Vec2, G),
) -> Vec<Placed<G>> {
    let mut placed: Vec<Placed<G>> = Vec::new();
    let free = |r: Rect, placed: &[Placed<G>]| {
        bounds.contains_rect(r)
            && !placed.iter().any(|p| p.rect.expand(MARGIN).intersects(r))
            && !taken.iter().any(|t| t.expand(MARGIN).intersects(r))
    };
    for l in labels {
        if !bounds.contains(l.anchor) {
            continue;
        }
        let mut done = false;
        for small in [false, true] {
            let text = if small { l.id } else { l.text };
            let (size, shape) = layout(text, small);
            let found = beside(l.anchor, size).find(|r| free(*r, &placed));
            if let Some(rect) = found {
                placed.push(Placed {
                    text: text.to_string(),
                    rect,
                    anchor: l.anchor,
                    small,
                    leader: false,
                    shape,
                });
                done = true;
                break;
            }
        }
        if done {
            continue;
        }
        let (size, shape) = layout(l.id, true);
        let ring = rings(l.anchor, size).find(|r| free(*r, &placed));
        let (rect, leader) = match ring {
            Some(r) => (r, true),
            None => (
                egui::Align2::CENTER_CENTER.anchor_size(l.anchor, size),
                false,
            ),
        };
        placed.push(Placed {
            text: l.id.to_string(),
            rect,
            anchor: l.anchor,
            small: true,
            leader,
            shape,
        });
    }
    placed
}

/// Boxes on the anchor, then just above, below, right and left of it.
fn beside(anchor: Pos2, size: Vec2) -> impl Iterator<Item = Rect> {
    let (dx, dy) = (size.x * 0.5 + 4.0, size.y * 0.5 + 3.0);
    [
        Vec2::ZERO,
        Vec2::new(0.0, -2.0 * dy),
        Vec2::new(0.0, 2.0 * dy),
        Vec2::new(dx * 2.0, 0.0),
        Vec2::new(-dx * 2.0, 0.0),
    ]
    .into_iter()
    .map(move |d| egui::Align2::CENTER_CENTER.anchor_size(anchor + d, size))
}

/// Boxes centred on rings around the anchor, 16 spots a ring, rings 14 points apart, out to
/// 280 points.
fn rings(anchor: Pos2, size: Vec2) -> impl Iterator<Item = Rect> {
    let base = size.length() * 0.5 + 10.0;
    (0..20).flat_map(move |k| {
        let r = base + 14.0 * k as f32;
        (0..16).map(move |a| {
            // Start straight up and alternate sides, so nearby spots come first.
            let step = (a as f32 / 2.0).ceil() * if a % 2 == 0 { 1.0 } else { -1.0 };
            let angle = -std::f32::consts::FRAC_PI_2 + step * std::f32::consts::TAU / 16.0;
            let c = anchor + Vec2::angled(angle) * r;
            egui::Align2::CENTER_CENTER.anchor_size(c, size)
        })
    })
}

/// Where a leader line from `anchor` meets the edge of `rect`.
pub fn leader_end(anchor: Pos2, rect: Rect) -> Pos2 {
    let c = rect.center();
    let d = anchor - c;
    if d.x == 0.0 && d.y == 0.0 {
        return c;
    }
    let h = rect.size() * 0.5;
    let t = (h.x / d.x.abs().max(1e-6))
        .min(h.y / d.y.abs().max(1e-6))
        .min(1.0);
    c + d * t
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fixed-size text: 7 points a character, 16 high (10 and 12 when small).
    fn measure(text: &str, small: bool) -> (Vec2, ()) {
        let n = text.chars().count() as f32;
        if small {
            (Vec2::new(6.0 * n, 12.0), ())
        } else {
            (Vec2::new(7.0 * n, 16.0), ())
        }
    }

    fn bounds() -> Rect {
        Rect::from_min_size(Pos2::ZERO, Vec2::new(800.0, 600.0))
    }

    fn disjoint(p: &[Placed<()>]) -> bool {
        p.iter().enumerate().all(|(i, a)| {
            p[i + 1..]
                .iter()
                .all(|b| !a.rect.expand(MARGIN).intersects(b.rect))
        })
    }

    #[test]
    fn far_apart_labels_stay_on_their_anchors_in_full() {
        let l = [
            LabelIn {
                id: "M001",
                text: "M001 萧山",
                anchor: Pos2::new(100.0, 100.0),
            },
            LabelIn {
                id: "M002",
                text: "M002 江东",
                anchor: Pos2::new(400.0, 300.0),
            },
        ];
        let p = place_labels(&l, bounds(), &[], measure);
        assert_eq!(p.len(), 2);
        for (placed, input) in p.iter().zip(&l) {
            assert_eq!(placed.text, input.text);
            assert_eq!(placed.rect.center(), input.anchor);
            assert!(!placed.small && !placed.leader);
        }
    }

    #[test]
    fn crowded_labels_are_all_placed_without_overlap() {
        // Five zones on one point: the first in full on it; then beside it (above, below,
        // right, left: four spots), so all five fit without leaders: "Mxxx name" is 9 chars,
        // 63 × 16 points; the spots are 22 points above/below and 71 right/left, all clear
        // of each other (by 6 and 7 points, more than the 3-point margin).
        let names: Vec<(String, String)> = (1..=5)
            .map(|i| (format!("M00{i}"), format!("M00{i} 开发区名")))
            .collect();
        let at = Pos2::new(400.0, 300.0);
        let l: Vec<LabelIn> = names
            .iter()
            .map(|(id, t)| LabelIn {
                id,
                text: t,
                anchor: at,
            })
            .collect();
        let p = place_labels(&l, bounds(), &[], measure);
        assert_eq!(p.len(), 5);
        assert!(disjoint(&p));
        assert!(p.iter().all(|x| !x.small && !x.leader));
        // Twenty: every id appears, the boxes stay disjoint, the later ones small or led.
        let names: Vec<(String, String)> = (1..=20)
            .map(|i| (format!("Z{i:03}"), format!("Z{i:03} 很长的开发区名称")))
            .collect();
        let l: Vec<LabelIn> = names
            .iter()
            .map(|(id, t)| LabelIn {
                id,
                text: t,
                anchor: at,
            })
            .collect();
        let p = place_labels(&l, bounds(), &[], measure);
        assert_eq!(p.len(), 20);
        assert!(disjoint(&p));
        for (i, (id, _)) in names.iter().enumerate() {
            assert!(p[i].text.starts_with(id.as_str()));
        }
        assert!(p.iter().any(|x| x.leader));
        assert!(p.iter().filter(|x| x.leader).all(|x| x.small));
    }

    #[test]
    fn labels_out_of_view_are_left_out_and_boxes_stay_inside() {
        let l = [
            LabelIn {
                id: "A",
                text: "A 很长的名字很长的名字",
                anchor: Pos2::new(2.0, 2.0),
            },
            LabelIn {
                id: "B",
                text: "B",
                anchor: Pos2::new(-50.0, 10.0),
            },
        ];
        let p = place_labels(&l, bounds(), &[], measure);
        assert_eq!(p.len(), 1);
        assert!(bounds().contains_rect(p[0].rect));
        assert_eq!(p[0].text, "A");
    }

    #[test]
    fn labels_keep_clear_of_boxes_taken_before() {
        // A gap length drawn on the anchor: the label moves to the first spot beside it that
        // misses the box (above: 22 points up, the box reaches 10 up plus the 3-point margin).
        let at = Pos2::new(400.0, 300.0);
        let taken = [Rect::from_center_size(at, Vec2::new(40.0, 20.0))];
        let l = [LabelIn {
            id: "M001",
            text: "M001",
            anchor: at,
        }];
        let p = place_labels(&l, bounds(), &taken, measure);
        assert_eq!(p.len(), 1);
        assert!(!p[0].rect.intersects(taken[0].expand(MARGIN)));
        assert_eq!(p[0].rect.center(), Pos2::new(400.0, 278.0));
    }

    #[test]
    fn leader_meets_the_box_edge() {
        let r = Rect::from_center_size(Pos2::new(100.0, 0.0), Vec2::new(20.0, 10.0));
        // From the left, level with the centre: the left edge's middle.
        assert_eq!(leader_end(Pos2::new(0.0, 0.0), r), Pos2::new(90.0, 0.0));
        // From straight below: the bottom edge's middle.
        assert_eq!(leader_end(Pos2::new(100.0, 50.0), r), Pos2::new(100.0, 5.0));
    }
}
