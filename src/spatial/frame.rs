//! The close-up map frame: the area a report's map of a zone part shows. The check's spatial
//! filter loads protection features within these areas (see `LoadOptions::near_zones`), and the
//! reports draw their maps in the same frame, so what a map shows was loaded.

use geo::{Coord, Rect};

/// Size of a map's viewBox in SVG user units (≈ CSS px).
pub const MAP_W_PX: f64 = 640.0;
pub const MAP_H_PX: f64 = 480.0;
/// Share of the zone's extent added on each side of the map.
pub const MAP_MARGIN_SHARE: f64 = 0.10;
/// Smallest map extent, so that a tiny zone still gets a readable map.
pub const MIN_MAP_EXTENT_M: f64 = 50.0;
/// Step a map's background features are thinned to: a feature smaller than this both ways
/// would thin to a point, and is counted as too small to draw instead.
pub const BACKGROUND_STEP_PX: f64 = 1.0;
/// Background features a map draws at most (shared between its layers; those whose box meets
/// the zone's box first, then the others, each in record order): context for the zone, kept
/// small enough that the province's report stays a readable file.
pub const MAX_MAP_FEATURES: usize = 1500;

/// A [`MAP_W_PX`] × [`MAP_H_PX`] map frame placed over the working CRS.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MapFrame {
    /// Map coordinates of the frame's lower-left corner.
    pub x0_m: f64,
    pub y0_m: f64,
    /// Pixels per metre.
    pub px_per_m: f64,
}

impl MapFrame {
    /// A frame showing `bbox` grown by [`MAP_MARGIN_SHARE`], centred, aspect preserved.
    ///
    /// ```
    /// use geo::{Coord, Rect};
    /// use zonecheck::spatial::frame::MapFrame;
    /// // 100 m × 100 m grows to 120 m × 120 m; 480 px / 120 m = 4 px per metre, and the
    /// // 640 px wide frame then shows 160 m: 20 m more on each side.
    /// let f = MapFrame::fit(Rect::new(Coord { x: 0.0, y: 0.0 }, Coord { x: 100.0, y: 100.0 }));
    /// assert_eq!(f.px_per_m, 4.0);
    /// let r = f.rect_in_map();
    /// assert_eq!((r.min().x, r.min().y, r.max().x, r.max().y), (-30.0, -10.0, 130.0, 110.0));
    /// ```
    pub fn fit(bbox: Rect<f64>) -> MapFrame {
        let w = bbox.width().max(MIN_MAP_EXTENT_M) * (1.0 + 2.0 * MAP_MARGIN_SHARE);
        let h = bbox.height().max(MIN_MAP_EXTENT_M) * (1.0 + 2.0 * MAP_MARGIN_SHARE);
        let px_per_m = (MAP_W_PX / w).min(MAP_H_PX / h);
        let centre = bbox.center();
        MapFrame {
            x0_m: centre.x - MAP_W_PX / (2.0 * px_per_m),
            y0_m: centre.y - MAP_H_PX / (2.0 * px_per_m),
            px_per_m,
        }
    }

    /// The map area the frame shows.
    pub fn rect_in_map(&self) -> Rect<f64> {
        Rect::new(
            Coord {
                x: self.x0_m,
                y: self.y0_m,
            },
            Coord {
                x: self.x0_m + MAP_W_PX / self.px_per_m,
                y: self.y0_m + MAP_H_PX / self.px_per_m,
            },
        )
    }
}

/// The map area of a close-up of a zone part whose box is `part_box` (what the report's detail
/// maps show): the check loads protection features only within these areas.
pub fn map_view_rect(part_box: Rect<f64>) -> Rect<f64> {
    MapFrame::fit(part_box).rect_in_map()
}
