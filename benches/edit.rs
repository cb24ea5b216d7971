//! Edit-to-findings latency of plan editing: for every zone of a review, the time from a fix
//! (cut the protected land it occupies) to the updated findings, as the app does it: compute the
//! edit (`fix::fix_plan` for that zone), apply it to the plan (`model::edit::apply`) and find the
//! zones it changed, check those again (`analysis::recheck`, the other zones' results and the
//! indexes kept), then undo it. Prints the median and the worst over
//! the zones, each split into fix / apply / check.
//!
//! Then the same for vertex moves on a zone of 20,000 vertices (the largest zone's first part,
//! densified along its edges, area unchanged): the move as the vertex tool makes it
//! (`spatial::edit::move_vertex`, which refuses a crossing), the nearest-vertex search of a
//! pointer (snapping and handles), apply and re-check.
//!
//! ```text
//! cargo bench --bench edit -- bench_data/county/review.toml
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;
use zonecheck::fix::{fix_plan, FixOptions, Protected, ProtectionIndex};
use zonecheck::io::review::Review;
use zonecheck::model::edit::apply;
use zonecheck::model::fields::Fields;
use zonecheck::model::zones::group_zones;
use zonecheck::model::LayerRole;
use zonecheck::progress::Progress;

fn main() {
    let path = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .expect("usage: cargo bench --bench edit -- REVIEW.toml");
    let review = Review::load(std::path::Path::new(&path)).expect("review");
    let progress = Progress::new();
    let t = Instant::now();
    // Every feature, as the app loads it.
    let mut ds = zonecheck::load::load_review(&review, &progress).expect("load");
    println!("loaded in {:.0} ms", t.elapsed().as_secs_f64() * 1e3);
    let t = Instant::now();
    let first = zonecheck::analysis::run_checks(&ds, &review.file, &progress).expect("check");
    println!("first check {:.1} ms", t.elapsed().as_secs_f64() * 1e3);
    // The indexes of every layer but the zones, kept by the app after the first edit.
    let t = Instant::now();
    let check_indexes = zonecheck::analysis::CheckIndexes::build(&ds);
    println!(
        "check indexes (once) {:.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    let zi = ds
        .layers
        .iter()
        .position(|l| l.role == LayerRole::Zones)
        .unwrap();
    let fields = Fields::of_layer(&ds.layers[zi], &review.file);
    let ids: Vec<String> = group_zones(&ds.layers[zi], &fields)
        .into_iter()
        .map(|z| z.id)
        .collect();
    // Built once per loaded dataset, as the app keeps it (plan edits leave protection alone).
    let t = Instant::now();
    let index = ProtectionIndex::build(&ds.layers, &review.file.layers);
    println!(
        "protection index (once) {:.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    let mut rows: Vec<(String, f64, f64, f64)> = Vec::new();
    for id in &ids {
        let t0 = Instant::now();
        let (edits, _) = {
            let protected = Protected::with_index(&ds.layers, &index);
            let options = FixOptions {
                cut_protected: true,
                zones: vec![id.clone()],
                ..FixOptions::default()
            };
            fix_plan(
                &ds.layers[zi],
                &fields,
                &protected,
                &review.file.rules,
                &options,
            )
        };
        if edits.is_empty() {
            continue;
        }
        let t1 = Instant::now();
        let before = ds.layers[zi].clone();
        for e in &edits {
            apply(&mut ds.layers[zi], e).unwrap();
        }
        let changed =
            zonecheck::analysis::changed_zones(&before, &ds.layers[zi], &review.file).unwrap();
        let t2 = Instant::now();
        let analysis = zonecheck::analysis::recheck(
            &ds,
            &review.file,
            &progress,
            &check_indexes,
            &first,
            &changed,
        )
        .unwrap();
        let t3 = Instant::now();
        assert!(analysis.zones.iter().any(|z| &z.id == id));
        for e in edits.iter().rev() {
            apply(&mut ds.layers[zi], &e.inverse()).unwrap();
        }
        let ms = |a: Instant, b: Instant| (b - a).as_secs_f64() * 1e3;
        rows.push((id.clone(), ms(t0, t1), ms(t1, t2), ms(t2, t3)));
    }
    if rows.is_empty() {
        println!("no zone occupies protected land: nothing to measure");
        return;
    }
    let mut total: Vec<(f64, usize)> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.1 + r.2 + r.3, i))
        .collect();
    total.sort_by(|a, b| a.0.total_cmp(&b.0));
    let median = total[total.len() / 2];
    let worst = total[total.len() - 1];
    for (label, (ms, i)) in [("median", median), ("worst", worst)] {
        let r = &rows[i];
        println!(
            "{label}: {ms:.1} ms (zone {}: fix {:.1} ms, apply {:.2} ms, check {:.1} ms) over {} edited zones",
            r.0,
            r.1,
            r.2,
            r.3,
            rows.len()
        );
    }
    dense_zone(&mut ds, zi, &fields, &review, &check_indexes, &first);
}

/// Vertex moves on a zone of 20,000 vertices.
fn dense_zone(
    ds: &mut zonecheck::load::Dataset,
    zi: usize,
    fields: &Fields,
    review: &Review,
    check_indexes: &zonecheck::analysis::CheckIndexes,
    first: &zonecheck::analysis::Analysis,
) {
    use geo::{Area, Coord, LineString, Polygon};
    use zonecheck::model::edit::PlanEdit;
    use zonecheck::spatial::edit::{move_vertex, nearest_vertex, VertexRef};
    const N: usize = 20_000;
    let progress = Progress::new();
    // The feature with the largest area; its first part densified to N vertices.
    let (fi, _) = ds.layers[zi]
        .features
        .iter()
        .enumerate()
        .map(|(i, f)| (i, f.geometry.unsigned_area()))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap();
    let mut g = ds.layers[zi].features[fi].geometry.clone();
    let ring: Vec<Coord<f64>> = g.0[0].exterior().0.clone();
    let edges = ring.len() - 1;
    let per_edge = N.div_ceil(edges);
    let mut dense = Vec::with_capacity(per_edge * edges + 1);
    for w in ring.windows(2) {
        for k in 0..per_edge {
            let t = k as f64 / per_edge as f64;
            dense.push(Coord {
                x: w[0].x + t * (w[1].x - w[0].x),
                y: w[0].y + t * (w[1].y - w[0].y),
            });
        }
    }
    dense.push(dense[0]);
    let holes = g.0[0].interiors().to_vec();
    let area_before = g.unsigned_area();
    g.0[0] = Polygon::new(LineString(dense), holes);
    assert!((g.unsigned_area() - area_before).abs() < 1e-6 * area_before);
    let vertices = g.0[0].exterior().0.len() - 1;
    let id = ds.layers[zi]
        .attr(&ds.layers[zi].features[fi], fields.id.or(fields.name))
        .unwrap_or("")
        .to_string();
    let before = ds.layers[zi].features[fi].geometry.clone();
    apply(
        &mut ds.layers[zi],
        &PlanEdit::Geometry {
            feature: fi,
            before,
            after: g.clone(),
        },
    )
    .unwrap();
    let changed: std::collections::BTreeSet<String> = [id.clone()].into();
    let previous =
        zonecheck::analysis::recheck(ds, &review.file, &progress, check_indexes, first, &changed)
            .unwrap();
    // 25 moves of vertices spread along the ring, each 0.5 m outward along x then back.
    let mut rows: Vec<(f64, f64, f64, f64)> = Vec::new();
    for k in 0..25 {
        let index = k * vertices / 25;
        let v = VertexRef {
            part: 0,
            ring: 0,
            index,
        };
        let at = g.0[0].exterior().0[index];
        let to = Coord {
            x: at.x + 0.5,
            y: at.y,
        };
        let t0 = Instant::now();
        let hit = nearest_vertex(&g, at, 2.0);
        let t1 = Instant::now();
        assert!(hit.is_some());
        let Ok(after) = move_vertex(&g, v, to) else {
            continue;
        };
        let t2 = Instant::now();
        let edit = PlanEdit::Geometry {
            feature: fi,
            before: g.clone(),
            after,
        };
        apply(&mut ds.layers[zi], &edit).unwrap();
        let t3 = Instant::now();
        let analysis = zonecheck::analysis::recheck(
            ds,
            &review.file,
            &progress,
            check_indexes,
            &previous,
            &changed,
        )
        .unwrap();
        let t4 = Instant::now();
        assert!(analysis.zones.iter().any(|z| z.id == id));
        apply(&mut ds.layers[zi], &edit.inverse()).unwrap();
        let ms = |a: Instant, b: Instant| (b - a).as_secs_f64() * 1e3;
        rows.push((ms(t0, t1), ms(t1, t2), ms(t2, t3), ms(t3, t4)));
    }
    // Where the checks of the dense zone spent their time (summed over the moves).
    let parts: Vec<String> = progress
        .part_timings()
        .iter()
        .map(|(what, secs)| format!("{what} {:.0} ms", secs * 1e3 / rows.len().max(1) as f64))
        .collect();
    println!("per move, check parts: {}", parts.join(", "));
    let mut total: Vec<(f64, usize)> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.0 + r.1 + r.2 + r.3, i))
        .collect();
    total.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (label, (ms, i)) in [
        ("median", total[total.len() / 2]),
        ("worst", total[total.len() - 1]),
    ] {
        let r = rows[i];
        println!(
            "{vertices}-vertex zone {id}, vertex move {label}: {ms:.1} ms (nearest vertex {:.2} ms, move + crossing check {:.2} ms, apply {:.2} ms, check {:.1} ms) over {} moves",
            r.0,
            r.1,
            r.2,
            r.3,
            rows.len()
        );
    }
}
