//! The check's spatial filter: which features lie near a merged zone. A grid over the
//! neighbourhood boxes of the zones' parts answers "does this box meet one of them?" exactly, in
//! time independent of the number of zones for the small boxes of farmland patches.

use super::overlay::boxes_intersect as meet;
use geo::{Coord, Rect};

/// Boxes to test against, bucketed on a grid.
#[derive(Debug, Clone)]
pub struct Roi {
    boxes: Vec<Rect<f64>>,
    origin: Coord<f64>,
    cell: f64,
    nx: usize,
    ny: usize,
    /// Where each cell's box indices start in `ids` (row-major; one more entry than cells).
    cell_start: Vec<u32>,
    /// Box indices, cell after cell.
    ids: Vec<u32>,
    /// Boxes over more than [`MAX_CELLS_PER_BOX`] cells: tested by every query instead of
    /// listed in each of their cells.
    big: Vec<u32>,
}

/// Cells a box is listed in at most (see `Roi::big`): the lists stay within this many
/// entries per box.
const MAX_CELLS_PER_BOX: usize = 4096;

/// Grid cells per side at most.
const GRID: usize = 512;
/// Grid cells per side per square root of the number of boxes (fewer boxes, fewer cells: a
/// filter of a few zones is made and copied in no time).
const CELLS_PER_ROOT_BOX: f64 = 8.0;
/// A query box spanning more cells than this is tested against every box instead.
const MAX_CELLS_PER_QUERY: usize = 64;

impl Roi {
    /// A filter passing boxes that meet one of `boxes` (boxes with a non-finite corner are
    /// dropped).
    pub fn new(boxes: Vec<Rect<f64>>) -> Roi {
        let boxes: Vec<Rect<f64>> = boxes.into_iter().filter(Roi::takes).collect();
        let (mut x0, mut y0, mut x1, mut y1) = (
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        );
        for b in &boxes {
            x0 = x0.min(b.min().x);
            y0 = y0.min(b.min().y);
            x1 = x1.max(b.max().x);
            y1 = y1.max(b.max().y);
        }
        if boxes.is_empty() {
            return Roi {
                boxes,
                origin: Coord { x: 0.0, y: 0.0 },
                cell: 1.0,
                nx: 0,
                ny: 0,
                cell_start: Vec::new(),
                ids: Vec::new(),
                big: Vec::new(),
            };
        }
        let side = ((boxes.len() as f64).sqrt() * CELLS_PER_ROOT_BOX).ceil() as usize;
        let side = side.clamp(1, GRID);
        let extent = (x1 - x0).max(y1 - y0);
        let cell = if extent > 0.0 {
            extent / side as f64
        } else {
            1.0
        };
        let nx = (((x1 - x0) / cell) as usize + 1).min(side);
        let ny = (((y1 - y0) / cell) as usize + 1).min(side);
        let mut roi = Roi {
            boxes: Vec::new(),
            origin: Coord { x: x0, y: y0 },
            cell,
            nx,
            ny,
            cell_start: Vec::new(),
            ids: Vec::new(),
            big: Vec::new(),
        };
        // Count the boxes of each cell, then place them (one list for all cells).
        let mut count = vec![0u32; nx * ny + 1];
        let mut ranges: Vec<(usize, usize, usize, usize)> =
            boxes.iter().map(|b| roi.cell_range(b)).collect();
        for (k, r) in ranges.iter_mut().enumerate() {
            let (cx0, cy0, cx1, cy1) = *r;
            if (cx1 - cx0 + 1) * (cy1 - cy0 + 1) > MAX_CELLS_PER_BOX {
                roi.big.push(k as u32);
                // An empty range: listed in no cell.
                *r = (1, 1, 0, 0);
            }
        }
        for &(cx0, cy0, cx1, cy1) in &ranges {
            for cy in cy0..=cy1 {
                for cx in cx0..=cx1 {
                    if let Some(c) = count.get_mut(cy * nx + cx + 1) {
                        *c += 1;
                    }
                }
            }
        }
        for i in 1..count.len() {
            count[i] += count[i - 1];
        }
        let mut next = count.clone();
        let mut ids = vec![0u32; count.last().copied().unwrap_or(0) as usize];
        for (k, &(cx0, cy0, cx1, cy1)) in ranges.iter().enumerate() {
            for cy in cy0..=cy1 {
                for cx in cx0..=cx1 {
                    if let Some(at) = next.get_mut(cy * nx + cx) {
                        if let Some(slot) = ids.get_mut(*at as usize) {
                            *slot = k as u32;
                        }
                        *at += 1;
                    }
                }
            }
        }
        roi.cell_start = count;
        roi.ids = ids;
        roi.boxes = boxes;
        roi
    }

    /// The box indices of cell `c`.
    fn cell(&self, c: usize) -> &[u32] {
        match (self.cell_start.get(c), self.cell_start.get(c + 1)) {
            (Some(&a), Some(&b)) => self.ids.get(a as usize..b as usize).unwrap_or(&[]),
            _ => &[],
        }
    }

    /// The boxes this filter tests against.
    pub fn boxes(&self) -> &[Rect<f64>] {
        &self.boxes
    }

    /// Cells covered by `b`, clamped to the grid.
    fn cell_range(&self, b: &Rect<f64>) -> (usize, usize, usize, usize) {
        let clamp = |v: f64, n: usize| -> usize {
            if v <= 0.0 {
                0
            } else {
                (v as usize).min(n.saturating_sub(1))
            }
        };
        (
            clamp((b.min().x - self.origin.x) / self.cell, self.nx),
            clamp((b.min().y - self.origin.y) / self.cell, self.ny),
            clamp((b.max().x - self.origin.x) / self.cell, self.nx),
            clamp((b.max().y - self.origin.y) / self.cell, self.ny),
        )
    }

    /// Whether [`Roi::new`] keeps `b` (every corner finite).
    pub fn takes(b: &Rect<f64>) -> bool {
        [b.min().x, b.min().y, b.max().x, b.max().y]
            .iter()
            .all(|v| v.is_finite())
    }

    /// True when `b` meets (shares at least a point with) one of the boxes.
    pub fn meets(&self, b: &Rect<f64>) -> bool {
        self.meets_one(b, |_| true)
    }

    /// True when `b` meets one of the boxes for which `accept` (given the box's position in
    /// [`Roi::boxes`]) is true; `accept` is asked only of boxes `b` meets.
    pub fn meets_one(&self, b: &Rect<f64>, mut accept: impl FnMut(usize) -> bool) -> bool {
        if self.boxes.is_empty() {
            return false;
        }
        let mut hit = |k: usize| self.boxes.get(k).is_some_and(|r| meet(r, b)) && accept(k);
        let (cx0, cy0, cx1, cy1) = self.cell_range(b);
        if (cx1 - cx0 + 1) * (cy1 - cy0 + 1) > MAX_CELLS_PER_QUERY {
            return (0..self.boxes.len()).any(hit);
        }
        if self.big.iter().any(|&k| hit(k as usize)) {
            return true;
        }
        for cy in cy0..=cy1 {
            for cx in cx0..=cx1 {
                if self
                    .cell(cy * self.nx + cx)
                    .iter()
                    .any(|&k| hit(k as usize))
                {
                    return true;
                }
            }
        }
        false
    }

    /// The same neighbourhoods in another CRS: each box's envelope after `to` maps a 5 × 5 grid
    /// of its points, grown by 1 % of its size (curved edges bulge between the sample points).
    /// A box whose points cannot all be mapped makes the result pass everything (`None`).
    pub fn mapped(&self, to: impl Fn(Coord<f64>) -> Coord<f64>) -> Option<Roi> {
        let mut out = Vec::with_capacity(self.boxes.len());
        for b in &self.boxes {
            let (mut x0, mut y0, mut x1, mut y1) = (
                f64::INFINITY,
                f64::INFINITY,
                f64::NEG_INFINITY,
                f64::NEG_INFINITY,
            );
            for i in 0..5 {
                for j in 0..5 {
                    let p = to(Coord {
                        x: b.min().x + b.width() * f64::from(i) / 4.0,
                        y: b.min().y + b.height() * f64::from(j) / 4.0,
                    });
                    if !(p.x.is_finite() && p.y.is_finite()) {
                        return None;
                    }
                    x0 = x0.min(p.x);
                    y0 = y0.min(p.y);
                    x1 = x1.max(p.x);
                    y1 = y1.max(p.y);
                }
            }
            let pad_x = (x1 - x0) * 0.01;
            let pad_y = (y1 - y0) * 0.01;
            out.push(Rect::new(
                Coord {
                    x: x0 - pad_x,
                    y: y0 - pad_y,
                },
                Coord {
                    x: x1 + pad_x,
                    y: y1 + pad_y,
                },
            ));
        }
        Some(Roi::new(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(x0: f64, y0: f64, x1: f64, y1: f64) -> Rect<f64> {
        Rect::new(Coord { x: x0, y: y0 }, Coord { x: x1, y: y1 })
    }

    /// Many boxes of every size (some over the whole extent, listed apart from the cells),
    /// against random queries small and large: the grid answers as a scan does.
    #[test]
    fn many_boxes_with_big_ones_answer_like_a_scan() {
        let mut next = crate::test_rng::unit_sequence(0x0515);
        for n in [1usize, 3, 50, 2_000] {
            let boxes: Vec<Rect<f64>> = (0..n)
                .map(|k| {
                    let (x, y) = (next() * 200_000.0, next() * 200_000.0);
                    let size = if k % 97 == 5 {
                        150_000.0
                    } else {
                        next() * 3_000.0
                    };
                    r(x, y, x + size, y + size * (0.5 + next()))
                })
                .collect();
            let roi = Roi::new(boxes.clone());
            let mut hits = 0;
            for q in 0..4_000 {
                let (x, y) = (next() * 260_000.0 - 30_000.0, next() * 260_000.0 - 30_000.0);
                let size = if q % 50 == 0 {
                    80_000.0
                } else {
                    next() * 500.0
                };
                let b = r(x, y, x + size, y + size);
                let scan = boxes.iter().any(|c| meet(c, &b));
                assert_eq!(roi.meets(&b), scan, "{n} boxes, query {b:?}");
                hits += usize::from(scan);
                // Only the boxes a test accepts (by position): every third one.
                let third = boxes
                    .iter()
                    .enumerate()
                    .any(|(k, c)| k % 3 == 0 && meet(c, &b));
                assert_eq!(roi.meets_one(&b, |k| k % 3 == 0), third, "{n}, {b:?}");
            }
            assert!(hits > 0, "{n}");
        }
    }

    #[test]
    fn grid_answers_like_a_scan_of_every_box() {
        // Boxes of very different sizes, far apart; queries on a lattice, small and large.
        let boxes = vec![
            r(0.0, 0.0, 10.0, 10.0),
            r(1000.0, 1000.0, 1000.5, 1000.5),
            r(-5000.0, 300.0, -4000.0, 2000.0),
            r(20.0, 20.0, 20.0, 20.0),
        ];
        let roi = Roi::new(boxes.clone());
        let mut checked = 0;
        for i in -60..60 {
            for j in -10..30 {
                for size in [0.0, 0.3, 7.0, 400.0, 3000.0] {
                    let q = r(
                        f64::from(i) * 100.0 + 0.25,
                        f64::from(j) * 100.0 - 0.25,
                        f64::from(i) * 100.0 + 0.25 + size,
                        f64::from(j) * 100.0 - 0.25 + size,
                    );
                    let scan = boxes.iter().any(|b| meet(b, &q));
                    assert_eq!(roi.meets(&q), scan, "{q:?}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 20_000);
        // Touching counts as meeting (a shared edge can carry a zero-area conflict, harmless).
        assert!(roi.meets(&r(10.0, 5.0, 11.0, 6.0)));
        assert!(!roi.meets(&r(10.001, 5.0, 11.0, 6.0)));
        assert!(roi.meets(&r(20.0, 20.0, 21.0, 21.0)));
    }

    #[test]
    fn empty_filter_passes_nothing_and_mapping_moves_boxes() {
        assert!(!Roi::new(Vec::new()).meets(&r(0.0, 0.0, 1.0, 1.0)));
        let roi = Roi::new(vec![r(0.0, 0.0, 100.0, 100.0)]);
        let moved = roi
            .mapped(|c| Coord {
                x: c.x + 1000.0,
                y: c.y * 2.0,
            })
            .unwrap();
        // Envelope [1000, 1100] × [0, 200], grown by 1 %: [999, 1101] × [-2, 202].
        let b = moved.boxes()[0];
        assert!((b.min().x - 999.0).abs() < 1e-9 && (b.max().x - 1101.0).abs() < 1e-9);
        assert!((b.min().y + 2.0).abs() < 1e-9 && (b.max().y - 202.0).abs() < 1e-9);
        assert!(moved.meets(&r(1100.5, 201.0, 1200.0, 300.0)));
        assert!(!moved.meets(&r(0.0, 0.0, 100.0, 100.0)));
        assert!(roi
            .mapped(|_| Coord {
                x: f64::NAN,
                y: 0.0
            })
            .is_none());
    }
}
