//! Edit-to-findings latency of plan editing: for every zone of a review, the time from a fix
//! (cut the protected land it occupies) to the updated findings, as the app does it: compute the
//! edit (`fix::fix_plan` for that zone), apply it to the plan (`model::edit::apply`) and find the
//! zones it changed, check those again (`analysis::recheck`, the other zones' results and the
//! indexes kept), then undo it. Prints the median and the worst over
//! the zones, each split into fix / apply / check.
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
}
