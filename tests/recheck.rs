//! The re-check after a plan edit (`analysis::recheck`: only the changed zones checked anew,
//! the indexes kept) gives exactly what a whole check of the edited plan gives, edit after edit
//! on the sample: a cut of protected land, a deleted part, a renamed zone, a zone merged into
//! another by its id, a new zone from originals, and their undoing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use zonecheck::analysis::{changed_zones, recheck, run_checks, CheckIndexes};
use zonecheck::fix::{fix_plan, merge_originals, FixOptions, NewZone, Protected};
use zonecheck::io::review::Review;
use zonecheck::model::edit::{apply, PlanEdit};
use zonecheck::model::fields::Fields;
use zonecheck::model::LayerRole;
use zonecheck::progress::Progress;

/// The bundled sample review, loaded.
fn sample() -> (Review, zonecheck::load::Dataset) {
    let review =
        Review::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_maps/review.toml"))
            .unwrap();
    let ds = zonecheck::load::load_review(&review, &Progress::new()).unwrap();
    (review, ds)
}

#[test]
fn recheck_equals_a_whole_check_edit_after_edit() {
    let (review, mut ds) = sample();
    let progress = Progress::new();
    let indexes = CheckIndexes::build(&ds);
    let mut previous = run_checks(&ds, &review.file, &progress).unwrap();
    let zi = ds
        .layers
        .iter()
        .position(|l| l.role == LayerRole::Zones)
        .unwrap();
    let oi = ds
        .layers
        .iter()
        .position(|l| l.role == LayerRole::Original)
        .unwrap();
    let fields = Fields::of_layer(&ds.layers[zi], &review.file);
    let col = |name: &str| ds.layers[zi].fields.iter().position(|f| f == name).unwrap();
    let (id_col, name_col) = (col("ID"), col("MC"));

    let mut done: Vec<PlanEdit> = Vec::new();
    for step in 0..6 {
        let plan = &ds.layers[zi];
        let edit = match step {
            // Cut M001's protected land.
            0 => {
                let protected = Protected::new(ds.layers.iter().filter(|l| l.name != "蓝绿空间"));
                let options = FixOptions {
                    cut_protected: true,
                    zones: vec!["M001".into()],
                    ..FixOptions::default()
                };
                PlanEdit::Group(fix_plan(plan, &fields, &protected, &review.file.rules, &options).0)
            }
            // Delete M004's only feature (the zone goes).
            1 => {
                let at = plan
                    .features
                    .iter()
                    .position(|f| f.attrs.get(id_col) == Some("M004"))
                    .unwrap();
                PlanEdit::Remove {
                    at,
                    feature: plan.features[at].clone(),
                }
            }
            // Rename M003.
            2 => {
                let at = plan
                    .features
                    .iter()
                    .position(|f| f.attrs.get(id_col) == Some("M003"))
                    .unwrap();
                PlanEdit::Attribute {
                    feature: at,
                    field: name_col,
                    before: plan.features[at].attrs.get(name_col).map(str::to_string),
                    after: Some("湘南园".into()),
                }
            }
            // M002 becomes part of M001 (its id changed): both zones change.
            3 => {
                let at = plan
                    .features
                    .iter()
                    .position(|f| f.attrs.get(id_col) == Some("M002"))
                    .unwrap();
                PlanEdit::Attribute {
                    feature: at,
                    field: id_col,
                    before: Some("M002".into()),
                    after: Some("M001".into()),
                }
            }
            // A new zone from Y09 and Y10.
            4 => {
                let of = Fields::of_layer(&ds.layers[oi], &review.file);
                merge_originals(
                    plan,
                    &fields,
                    &ds.layers[oi],
                    &of,
                    &["Y09".into(), "Y10".into()],
                    &NewZone {
                        id: "M009".into(),
                        name: None,
                    },
                    &zonecheck::model::plaques::PlaqueTable::default(),
                    None,
                )
                .unwrap()
            }
            // Undo everything at once.
            _ => PlanEdit::Group(done.iter().rev().map(|e| e.inverse()).collect()),
        };
        let before = ds.layers[zi].clone();
        apply(&mut ds.layers[zi], &edit).unwrap();
        done.push(edit);
        let changed = changed_zones(&before, &ds.layers[zi], &review.file).expect("same fields");
        assert!(!changed.is_empty(), "step {step} changed nothing");
        let fast = recheck(&ds, &review.file, &progress, &indexes, &previous, &changed).unwrap();
        let whole = run_checks(&ds, &review.file, &progress).unwrap();
        assert_eq!(
            serde_json::to_value(&fast).unwrap(),
            serde_json::to_value(&whole).unwrap(),
            "step {step}, changed {changed:?}"
        );
        previous = fast;
    }
}

/// A zone's own checks run side by side once fewer zones are left than threads
/// (`analysis::zone::check_zone`): the sample's 5 zones checked on 1 thread (only the last one
/// side by side) and on 8 (every one) give the same analysis, findings in the same order.
#[test]
fn zones_checked_side_by_side_give_the_same_analysis() {
    let (review, ds) = sample();
    let on = |threads: usize| -> String {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let analysis = pool.install(|| run_checks(&ds, &review.file, &Progress::new()).unwrap());
        serde_json::to_string(&analysis).unwrap()
    };
    let one = on(1);
    assert!(
        one.contains("\"findings\""),
        "{}",
        &one[..200.min(one.len())]
    );
    assert_eq!(on(8), one);
}
