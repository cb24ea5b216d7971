//! Triangulated polygons (earcut, holes included) in map coordinates (f64), for single geometries
//! such as the selected finding; turned into egui meshes per frame after subtracting the view
//! centre in f64. Layers and overlays go through `render` and `lod` instead.

use crate::model::Geom;
use egui::{Color32, Mesh, Pos2};
use geo::TriangulateEarcut;

/// Triangles of one feature, in map coordinates (f64).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TriMesh {
    pub vertices: Vec<[f64; 2]>,
    /// Three indices into `vertices` per triangle.
    pub indices: Vec<u32>,
}

impl TriMesh {
    /// Triangulates every polygon of `geom` (holes stay empty).
    pub fn from_geom(geom: &Geom) -> TriMesh {
        let mut mesh = TriMesh::default();
        for poly in &geom.0 {
            let raw = poly.earcut_triangles_raw();
            let base = mesh.vertices.len();
            let Ok(base32) = u32::try_from(base) else {
                break;
            };
            mesh.vertices.extend(raw.vertices.iter().copied());
            for i in raw.triangle_indices {
                match u32::try_from(i) {
                    Ok(i) => mesh.indices.push(base32 + i),
                    Err(_) => {
                        mesh.indices
                            .truncate(mesh.indices.len() - mesh.indices.len() % 3);
                        break;
                    }
                }
            }
        }
        mesh
    }

    /// Sum of the triangles' areas (m²): equals the polygon area, holes excluded.
    pub fn area_m2(&self) -> f64 {
        self.indices
            .chunks_exact(3)
            .map(|t| {
                let [a, b, c] = [t[0], t[1], t[2]].map(|i| self.vertices[i as usize]);
                ((b[0] - a[0]) * (c[1] - a[1]) - (c[0] - a[0]) * (b[1] - a[1])).abs() / 2.0
            })
            .sum()
    }

    /// Appends this mesh to `out` in UI coordinates for a camera `center`/`points_per_m` and a
    /// view centred at `view_center_in_ui`.
    pub fn append_to(
        &self,
        out: &mut Mesh,
        center: [f64; 2],
        points_per_m: f64,
        view_center_in_ui: Pos2,
        color: Color32,
    ) {
        let Ok(base) = u32::try_from(out.vertices.len()) else {
            return;
        };
        out.vertices.extend(self.vertices.iter().map(|v| {
            // Subtract the centre in f64, then cast: keeps precision at 3,000,000 m northings.
            let dx = (v[0] - center[0]) * points_per_m;
            let dy = (v[1] - center[1]) * points_per_m;
            egui::epaint::Vertex {
                pos: Pos2::new(
                    view_center_in_ui.x + dx as f32,
                    view_center_in_ui.y - dy as f32,
                ),
                uv: egui::epaint::WHITE_UV,
                color,
            }
        }));
        out.indices.extend(self.indices.iter().map(|i| base + i));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{wkt, Area, MultiPolygon};

    #[test]
    fn mesh_area_equals_polygon_area_with_holes() {
        // A concave (U-shaped) polygon with a hole, at Gauss-Kruger coordinates.
        let poly = wkt! { POLYGON((500000.0 3300000.0, 500300.0 3300000.0, 500300.0 3300300.0, 500200.0 3300300.0, 500200.0 3300100.0, 500100.0 3300100.0, 500100.0 3300300.0, 500000.0 3300300.0, 500000.0 3300000.0), (500020.0 3300020.0, 500060.0 3300020.0, 500060.0 3300060.0, 500020.0 3300060.0, 500020.0 3300020.0)) };
        // By hand: 300×300 − 100×200 (the notch) − 40×40 (the hole) = 90000 − 20000 − 1600.
        let expected: f64 = 68_400.0;
        assert!((poly.unsigned_area() - expected).abs() < 1e-6);
        let geom = MultiPolygon(vec![poly]);
        let mesh = TriMesh::from_geom(&geom);
        assert!(
            (mesh.area_m2() - expected).abs() < 1e-6,
            "{}",
            mesh.area_m2()
        );
        assert_eq!(mesh.indices.len() % 3, 0);
    }

    #[test]
    fn ui_vertices_are_relative_to_the_view_centre() {
        let geom: Geom = MultiPolygon(vec![
            wkt! { POLYGON((512000.0 3345000.0, 512010.0 3345000.0, 512010.0 3345010.0, 512000.0 3345000.0)) },
        ]);
        let mesh = TriMesh::from_geom(&geom);
        let mut out = Mesh::default();
        mesh.append_to(
            &mut out,
            [512_000.0, 3_345_000.0],
            2.0,
            Pos2::new(400.0, 300.0),
            Color32::RED,
        );
        let xs: Vec<f32> = out.vertices.iter().map(|v| v.pos.x).collect();
        assert!(xs.contains(&400.0) && xs.contains(&420.0));
        let ys: Vec<f32> = out.vertices.iter().map(|v| v.pos.y).collect();
        assert!(ys.contains(&300.0) && ys.contains(&280.0));
    }
}
