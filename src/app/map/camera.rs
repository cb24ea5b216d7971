//! The map camera: which point of the working CRS is at the centre of the view, and how many UI
//! points one metre takes. Everything in f64; the view centre is subtracted before any f32 cast.

use egui::{Pos2, Rect, Vec2};
use geo::Coord;

/// Map camera in the working CRS (metres, y up). UI space is egui points (y down).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Camera {
    /// Map point shown at the centre of the view.
    pub center: [f64; 2],
    /// UI points per metre.
    pub points_per_m: f64,
}

impl Default for Camera {
    fn default() -> Self {
        Camera {
            center: [0.0, 0.0],
            points_per_m: 0.01,
        }
    }
}

/// Zoom limits: 1 point ≈ 100 km … 1 point ≈ 1 mm.
const MIN_POINTS_PER_M: f64 = 1e-5;
const MAX_POINTS_PER_M: f64 = 1e3;

impl Camera {
    /// UI position of a map position, for a view occupying `view_in_ui`.
    pub fn ui_from_map(&self, pos_in_map: Coord<f64>, view_in_ui: Rect) -> Pos2 {
        let dx = (pos_in_map.x - self.center[0]) * self.points_per_m;
        let dy = (pos_in_map.y - self.center[1]) * self.points_per_m;
        let c = view_in_ui.center();
        Pos2::new(c.x + dx as f32, c.y - dy as f32)
    }

    /// Map position under a UI position.
    pub fn map_from_ui(&self, pos_in_ui: Pos2, view_in_ui: Rect) -> Coord<f64> {
        let c = view_in_ui.center();
        let dx = f64::from(pos_in_ui.x - c.x) / self.points_per_m;
        let dy = f64::from(pos_in_ui.y - c.y) / self.points_per_m;
        Coord {
            x: self.center[0] + dx,
            y: self.center[1] - dy,
        }
    }

    /// The map rectangle the view shows.
    pub fn visible_map_rect(&self, view_in_ui: Rect) -> geo::Rect<f64> {
        let a = self.map_from_ui(view_in_ui.left_top(), view_in_ui);
        let b = self.map_from_ui(view_in_ui.right_bottom(), view_in_ui);
        geo::Rect::new(a, b)
    }

    /// Moves the view by a drag of `delta_in_ui` (the map follows the pointer).
    pub fn pan_by_ui(&mut self, delta_in_ui: Vec2) {
        self.center[0] -= f64::from(delta_in_ui.x) / self.points_per_m;
        self.center[1] += f64::from(delta_in_ui.y) / self.points_per_m;
    }

    /// Zooms by `factor` (> 1 zooms in) keeping the map point under `anchor_in_ui` in place.
    pub fn zoom_at(&mut self, factor: f64, anchor_in_ui: Pos2, view_in_ui: Rect) {
        if !factor.is_finite() || factor <= 0.0 {
            return;
        }
        let anchor_in_map = self.map_from_ui(anchor_in_ui, view_in_ui);
        let new_scale = (self.points_per_m * factor).clamp(MIN_POINTS_PER_M, MAX_POINTS_PER_M);
        let applied = new_scale / self.points_per_m;
        self.points_per_m = new_scale;
        // The anchor keeps its UI position: centre moves towards it by (1 - 1/applied).
        self.center[0] = anchor_in_map.x + (self.center[0] - anchor_in_map.x) / applied;
        self.center[1] = anchor_in_map.y + (self.center[1] - anchor_in_map.y) / applied;
    }

    /// Shows all of `rect_in_map` in the view, with a margin of `margin_frac` of the view.
    pub fn fit(&mut self, rect_in_map: geo::Rect<f64>, view_in_ui: Rect, margin_frac: f64) {
        let w = rect_in_map.width().max(1.0);
        let h = rect_in_map.height().max(1.0);
        let view_w = f64::from(view_in_ui.width()).max(10.0) * (1.0 - 2.0 * margin_frac);
        let view_h = f64::from(view_in_ui.height()).max(10.0) * (1.0 - 2.0 * margin_frac);
        let c = rect_in_map.center();
        self.center = [c.x, c.y];
        self.points_per_m = (view_w / w)
            .min(view_h / h)
            .clamp(MIN_POINTS_PER_M, MAX_POINTS_PER_M);
    }

    /// Fits the view to the map rectangle under a box dragged from `a_in_ui` to `b_in_ui`.
    pub fn zoom_to_box(&mut self, a_in_ui: Pos2, b_in_ui: Pos2, view_in_ui: Rect) {
        let a = self.map_from_ui(a_in_ui, view_in_ui);
        let b = self.map_from_ui(b_in_ui, view_in_ui);
        self.fit(geo::Rect::new(a, b), view_in_ui, 0.0);
    }

    /// A pinch frame: the fingers' centre moved by `translation_in_ui` to `center_in_ui` and
    /// their spread changed by `zoom`: the map point that was under the centre stays under it.
    pub fn pinch(
        &mut self,
        zoom: f64,
        translation_in_ui: Vec2,
        center_in_ui: Pos2,
        view_in_ui: Rect,
    ) {
        self.pan_by_ui(translation_in_ui);
        self.zoom_at(zoom, center_in_ui, view_in_ui);
    }

    /// Map scale denominator (1:N) assuming 96 dpi screens: one point is 0.2646 mm.
    pub fn scale_denominator(&self, pixels_per_point: f32) -> f64 {
        let metres_per_pixel = 1.0 / (self.points_per_m * f64::from(pixels_per_point.max(0.1)));
        metres_per_pixel / (0.0254 / 96.0)
    }
}

/// A "nice" scale-bar length (1, 2 or 5 × 10ⁿ metres) of at most `max_m`.
pub fn nice_length_m(max_m: f64) -> f64 {
    if !(max_m.is_finite() && max_m > 0.0) {
        return 1.0;
    }
    let pow = 10f64.powf(max_m.log10().floor());
    for step in [5.0, 2.0, 1.0] {
        if step * pow <= max_m {
            return step * pow;
        }
    }
    pow
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view() -> Rect {
        Rect::from_min_size(Pos2::new(100.0, 50.0), Vec2::new(800.0, 600.0))
    }

    #[test]
    fn round_trip_at_gauss_kruger_coordinates() {
        let cam = Camera {
            center: [512_034.25, 3_345_120.75],
            points_per_m: 0.37,
        };
        for (x, y) in [
            (512_034.25, 3_345_120.75),
            (511_000.0, 3_346_000.5),
            (513_500.125, 3_344_000.0),
        ] {
            let p = Coord { x, y };
            let back = cam.map_from_ui(cam.ui_from_map(p, view()), view());
            // f32 UI positions near the view (|d| < 1000 pt) keep ~1e-4 pt, i.e. < 1 mm here.
            assert!(
                (back.x - x).abs() < 1e-3 && (back.y - y).abs() < 1e-3,
                "{back:?}"
            );
        }
        assert_eq!(
            cam.ui_from_map(
                Coord {
                    x: 512_034.25,
                    y: 3_345_120.75
                },
                view()
            ),
            view().center()
        );
        // North is up.
        let north = cam.ui_from_map(
            Coord {
                x: 512_034.25,
                y: 3_345_130.75,
            },
            view(),
        );
        assert!(north.y < view().center().y);
    }

    #[test]
    fn zoom_keeps_the_anchor_and_pan_follows_the_pointer() {
        let mut cam = Camera {
            center: [500_000.0, 3_300_000.0],
            points_per_m: 0.1,
        };
        let anchor = Pos2::new(700.0, 200.0);
        let before = cam.map_from_ui(anchor, view());
        cam.zoom_at(2.5, anchor, view());
        let after = cam.map_from_ui(anchor, view());
        assert!((before.x - after.x).abs() < 1e-6 && (before.y - after.y).abs() < 1e-6);
        assert!((cam.points_per_m - 0.25).abs() < 1e-12);
        let p = Coord {
            x: 500_100.0,
            y: 3_300_050.0,
        };
        let ui_before = cam.ui_from_map(p, view());
        cam.pan_by_ui(Vec2::new(30.0, -20.0));
        let ui_after = cam.ui_from_map(p, view());
        assert!((ui_after - ui_before - Vec2::new(30.0, -20.0)).length() < 1e-3);
    }

    #[test]
    fn zoom_box_fits_the_box() {
        // View centre (500, 350); 10 m per point.
        let mut cam = Camera {
            center: [500_000.0, 3_300_000.0],
            points_per_m: 0.1,
        };
        // (300, 150) → x 500000 − 200/0.1 = 498000, y 3300000 + 200/0.1 = 3302000;
        // (500, 250) → x 500000, y 3300000 + 100/0.1 = 3301000. A 2000 × 1000 m box.
        cam.zoom_to_box(Pos2::new(500.0, 250.0), Pos2::new(300.0, 150.0), view());
        // 800 pt / 2000 m = 0.4, 600 pt / 1000 m = 0.6: the width decides.
        assert!((cam.points_per_m - 0.4).abs() < 1e-12, "{cam:?}");
        assert!((cam.center[0] - 499_000.0).abs() < 1e-6);
        assert!((cam.center[1] - 3_301_500.0).abs() < 1e-6);
        let shown = cam.visible_map_rect(view());
        assert!((shown.min().x - 498_000.0).abs() < 1e-6);
        assert!((shown.max().x - 500_000.0).abs() < 1e-6);
    }

    #[test]
    fn pinch_keeps_the_point_under_the_fingers() {
        let mut cam = Camera {
            center: [500_000.0, 3_300_000.0],
            points_per_m: 0.1,
        };
        // Under (600, 300): x 500000 + 100/0.1 = 501000, y 3300000 + 50/0.1 = 3300500.
        let before = cam.map_from_ui(Pos2::new(600.0, 300.0), view());
        assert_eq!(
            before,
            Coord {
                x: 501_000.0,
                y: 3_300_500.0
            }
        );
        // The fingers move by (20, 10) to (620, 310) and spread to twice their distance.
        cam.pinch(2.0, Vec2::new(20.0, 10.0), Pos2::new(620.0, 310.0), view());
        assert!((cam.points_per_m - 0.2).abs() < 1e-12);
        // (620, 310) is 120 pt right of and 40 pt above the view centre (500, 350); at 5 m per
        // point the centre is at x 501000 − 600 = 500400, y 3300500 − 200 = 3300300.
        assert!((cam.center[0] - 500_400.0).abs() < 1e-6, "{cam:?}");
        assert!((cam.center[1] - 3_300_300.0).abs() < 1e-6, "{cam:?}");
        let at = cam.ui_from_map(before, view());
        assert!((at - Pos2::new(620.0, 310.0)).length() < 1e-3, "{at:?}");
    }

    #[test]
    fn fit_shows_the_whole_rect() {
        let mut cam = Camera::default();
        let r = geo::Rect::new(
            Coord {
                x: 500_000.0,
                y: 3_330_000.0,
            },
            Coord {
                x: 530_000.0,
                y: 3_360_000.0,
            },
        );
        cam.fit(r, view(), 0.05);
        let shown = cam.visible_map_rect(view());
        assert!(shown.min().x <= r.min().x && shown.max().x >= r.max().x);
        assert!(shown.min().y <= r.min().y && shown.max().y >= r.max().y);
        assert_eq!(nice_length_m(740.0), 500.0);
        assert_eq!(nice_length_m(0.3), 0.2);
        assert_eq!(nice_length_m(1000.0), 1000.0);
    }
}
