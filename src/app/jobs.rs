//! Background jobs (load, check, export) on named threads. Each job has a [`Progress`] (stage,
//! counters, cancel) and sends one result over a channel; the worker asks egui to repaint.

use super::decisions::Decisions;
use super::state::{LayerDerived, Overlay};
use crate::analysis::Analysis;
use crate::io::review::Review;
use crate::load::{load_review, Dataset};
use crate::progress::{Cancelled, Progress};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver, TryRecvError};
use std::sync::Arc;

/// A layer of the review that could not be loaded; the others are.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerFailure {
    /// Layer key in the review file.
    pub key: String,
    pub path: PathBuf,
    /// The whole message, file last.
    pub message: String,
    /// The reason alone, in both languages.
    pub reason: crate::model::Text,
}

/// A loaded review, with everything built off the UI thread.
pub struct Loaded {
    pub review: Review,
    pub dataset: Dataset,
    pub layers: Vec<LayerDerived>,
    /// Layers that could not be loaded (the rest is usable).
    pub failures: Vec<LayerFailure>,
    /// Decisions read with the review; `None` on a reload (the document keeps its own).
    pub decisions: Option<Decisions>,
    /// The decisions came from the sidecar file of an earlier version (save to move them).
    pub decisions_from_sidecar: bool,
    /// Problems to show that did not stop loading.
    pub notes: Vec<String>,
    /// A new review without a file yet.
    pub untitled: bool,
}

/// A check result with its conflict overlay.
pub struct Checked {
    pub analysis: Analysis,
    pub conflicts: Overlay,
    /// Land added to and taken out of zones since the plan as loaded (when it was edited).
    pub changes: Option<(crate::model::Geom, crate::model::Geom)>,
}

/// Adds to a finished check where its plan differs from `baseline` (the plan as loaded).
pub fn with_changes(out: JobOutput, baseline: Option<&Analysis>) -> JobOutput {
    match (out, baseline) {
        (
            JobOutput::Checked {
                revision,
                result: Ok(mut checked),
            },
            Some(before),
        ) => {
            checked.changes = Some(crate::fix::plan_change_geometry(before, &checked.analysis));
            JobOutput::Checked {
                revision,
                result: Ok(checked),
            }
        }
        (out, _) => out,
    }
}

pub enum JobOutput {
    Loaded(Result<Box<Loaded>, String>),
    Checked {
        revision: u64,
        result: Result<Box<Checked>, Cancelled>,
    },
    Exported {
        /// The folder the reports were written into.
        dir: PathBuf,
        /// `Err(None)`: cancelled.
        result: Result<Vec<PathBuf>, Option<crate::model::Text>>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobKind {
    Load,
    Check,
    Export,
}

/// One running job.
pub struct Job {
    pub kind: JobKind,
    pub progress: Arc<Progress>,
    rx: Receiver<JobOutput>,
}

impl Job {
    /// Starts `work` on a thread named `zonecheck-<kind>`.
    pub fn spawn(
        kind: JobKind,
        ctx: Option<egui::Context>,
        work: impl FnOnce(&Progress) -> JobOutput + Send + 'static,
    ) -> Result<Job, String> {
        let progress = Arc::new(Progress::new());
        let (tx, rx) = channel();
        let p = progress.clone();
        let name = match kind {
            JobKind::Load => "zonecheck-load",
            JobKind::Check => "zonecheck-check",
            JobKind::Export => "zonecheck-export",
        };
        std::thread::Builder::new()
            .name(name.into())
            .spawn(move || {
                let out = work(&p);
                let _ = tx.send(out);
                if let Some(ctx) = ctx {
                    ctx.request_repaint();
                }
            })
            .map_err(|e| format!("cannot start a background thread: {e}"))?;
        Ok(Job { kind, progress, rx })
    }

    /// The result, once the job is done.
    pub fn poll(&self) -> Option<Result<JobOutput, String>> {
        match self.rx.try_recv() {
            Ok(out) => Some(Ok(out)),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => {
                Some(Err("background job stopped unexpectedly".into()))
            }
        }
    }

    /// 0..1 within the current stage.
    pub fn fraction(&self) -> f32 {
        let (_, done, total) = self.progress.snapshot();
        if total == 0 {
            0.0
        } else {
            (done as f32 / total as f32).clamp(0.0, 1.0)
        }
    }
}

/// Opens a review file: its layers (a layer that fails is reported, the others load), its
/// decisions (from the review, else from an earlier version's sidecar file).
pub fn load_job(path: &Path, progress: &Progress) -> JobOutput {
    let result = (|| {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read review file ({e}): {}", path.display()))?;
        let review = Review::parse(&text, path).map_err(|e| e.to_string())?;
        let mut notes = Vec::new();
        let mut decisions = Decisions::from_rows(&review.file.decisions);
        let mut from_sidecar = false;
        if decisions.is_empty() {
            match crate::decisions::load_sidecar(path) {
                Ok(Some(d)) if !d.is_empty() => {
                    decisions = d;
                    from_sidecar = true;
                }
                Ok(_) => {}
                Err(e) => notes.push(e),
            }
        }
        let mut loaded = load_layers(review, progress)?;
        loaded.decisions = Some(decisions);
        loaded.decisions_from_sidecar = from_sidecar;
        loaded.notes.extend(notes);
        Ok(Box::new(loaded))
    })();
    JobOutput::Loaded(result)
}

/// Loads the layers of an edited review again (after adding a layer, a role, CRS or encoding change).
pub fn reload_job(review: Review, progress: &Progress) -> JobOutput {
    JobOutput::Loaded(load_layers(review, progress).map(Box::new))
}

/// Starts a new review (no decisions, no file yet) with the layers it names.
pub fn new_review_job(review: Review, progress: &Progress) -> JobOutput {
    JobOutput::Loaded(load_layers(review, progress).map(|mut l| {
        l.decisions = Some(Decisions::default());
        l.untitled = true;
        Box::new(l)
    }))
}

/// Loads every layer that can be loaded: a layer whose file fails is set aside with its message
/// and the rest loaded again without it. Errors only for a cancel or a review-level problem.
pub fn load_layers(review: Review, progress: &Progress) -> Result<Loaded, String> {
    use super::review_edit::{layer_keys, layer_path, remove_layer};
    let mut sub = review.clone();
    let mut failures = Vec::new();
    let dataset = loop {
        progress.check().map_err(|e| e.to_string())?;
        if layer_keys(&sub.file).is_empty() {
            break empty_dataset(&sub)?;
        }
        match load_review(&sub, progress) {
            Ok(ds) => break ds,
            Err(e) => {
                progress.check().map_err(|c| c.to_string())?;
                // Which layer: the file named by the error (or its .dbf/.prj sibling), or the
                // layer whose crs_of setting is wrong.
                let resolved = sub.layer_paths();
                let same_file = |p: &Path| p.with_extension("") == e.path.with_extension("");
                let key = resolved
                    .iter()
                    .find(|(_, p)| *p == e.path)
                    .or_else(|| resolved.iter().find(|(_, p)| same_file(p)))
                    .map(|(k, _)| k.clone())
                    .or_else(|| {
                        layer_keys(&sub.file)
                            .into_iter()
                            .find(|k| e.message.contains(&format!("`crs_of.{k}`")))
                    });
                let Some(key) = key else {
                    return Err(e.to_string());
                };
                let path = layer_path(&sub.file, &key)
                    .map(|p| sub.base_dir().join(p))
                    .unwrap_or_else(|| e.path.clone());
                failures.push(LayerFailure {
                    key: key.clone(),
                    path,
                    message: e.to_string(),
                    reason: e.message.clone(),
                });
                remove_layer(&mut sub.file, &key);
            }
        }
    };
    // What reading and repairing freed, back to the system before the maps' trees are built.
    crate::platform::release_free_memory();
    progress.stage("index", dataset.layers.len() as u64);
    // The layers side by side.
    use rayon::prelude::*;
    let layers = dataset
        .layers
        .par_iter()
        .map(|l| {
            let d = LayerDerived::build(l, &review);
            progress.inc(1);
            d
        })
        .collect();
    crate::platform::release_free_memory();
    Ok(Loaded {
        review,
        dataset,
        layers,
        failures,
        decisions: None,
        decisions_from_sidecar: false,
        notes: Vec::new(),
        untitled: false,
    })
}

/// A dataset without layers (a new review): the review's working CRS, else EPSG:4549.
fn empty_dataset(review: &Review) -> Result<Dataset, String> {
    let (crs, reason) = match &review.file.crs {
        Some(def) => (
            crate::crs::CrsDef::parse(def)
                .map_err(|e| format!("`crs` = \"{def}\": {e}: {}", review.path.display()))?,
            "set by `crs` in the review file".to_string(),
        ),
        None => (
            crate::crs::CrsDef::epsg(4549)?,
            "no layers yet (CGCS2000 3-degree Gauss-Kruger CM 120°E until a zones layer is added)"
                .to_string(),
        ),
    };
    Ok(Dataset {
        working_crs: crs,
        working_crs_reason: reason,
        layers: Vec::new(),
        loaded_near: None,
    })
}

/// Runs every check and collects the conflict polygons. Every layer other than the zones that
/// failed to load makes the check incomplete: an `input.incomplete` plan finding, first.
pub fn check_job(
    dataset: &Dataset,
    review: &Review,
    failures: &[LayerFailure],
    revision: u64,
    progress: &Progress,
    indexes: &crate::analysis::CheckIndexes,
) -> JobOutput {
    finish_check(
        crate::analysis::run_checks_indexed(dataset, &review.file, progress, indexes),
        failures,
        revision,
    )
}

/// The check after a plan edit: the zones in `changed` anew, the others from `previous`, with
/// the indexes kept (`analysis::recheck`, equal to a whole check).
#[allow(clippy::too_many_arguments)]
pub fn recheck_job(
    dataset: &Dataset,
    review: &Review,
    failures: &[LayerFailure],
    revision: u64,
    progress: &Progress,
    indexes: &crate::analysis::CheckIndexes,
    previous: &Analysis,
    changed: &std::collections::BTreeSet<String>,
) -> JobOutput {
    let result =
        crate::analysis::recheck(dataset, &review.file, progress, indexes, previous, changed);
    finish_check(result, failures, revision)
}

fn finish_check(
    result: Result<Analysis, crate::progress::Cancelled>,
    failures: &[LayerFailure],
    revision: u64,
) -> JobOutput {
    // The check's working memory (overlays of every zone, on every thread) was freed: back to
    // the system before the map's conflict overlay and the findings panel are built from the
    // result (it would otherwise stay resident in the check threads' heaps, beside them).
    crate::platform::release_free_memory();
    let result = result.map(|mut analysis| {
        let not_loaded: Vec<crate::analysis::Finding> = failures
            .iter()
            .filter(|f| {
                crate::model::settings::role_of_key(&f.key) != crate::model::LayerRole::Zones
            })
            .map(layer_not_loaded_finding)
            .collect();
        analysis.plan.findings.splice(0..0, not_loaded);
        let geoms = conflict_geoms(&analysis);
        Box::new(Checked {
            conflicts: Overlay::new(geoms),
            analysis,
            changes: None,
        })
    });
    JobOutput::Checked { revision, result }
}

/// `input.incomplete` for a layer that could not be loaded.
fn layer_not_loaded_finding(f: &LayerFailure) -> crate::analysis::Finding {
    use crate::analysis::Rule;
    let role = crate::model::settings::role_of_key(&f.key);
    let text = crate::messages::load::layer_not_loaded(
        &f.key,
        (role.name_zh(), role.name_en()),
        &f.path.display().to_string(),
        &f.reason,
    );
    Rule::InputIncomplete
        .finding(None)
        .msg(text.zh, text.en)
        .refs(vec![f.key.clone()])
}

fn conflict_geoms(analysis: &Analysis) -> Vec<crate::model::Geom> {
    analysis
        .zones
        .iter()
        .flat_map(|z| z.conflicts.values())
        .filter(|c| !c.geometry.0.is_empty())
        .map(|c| c.geometry.clone())
        .collect()
}

/// Where an export goes: the folder, and whether report.pdf is written too.
pub struct ExportTo<'a> {
    pub dir: &'a Path,
    pub pdf: bool,
}

/// Writes the CLI's reports into `out.dir`, checking first when no current result is given.
/// `baseline`: the check of the plan as loaded, when the plan was edited since; the comparison
/// table (`plan_changes.csv`, as 导出方案修改对比表 writes it) then goes with the reports.
/// `indexes`: the layers' indexes the checks built, when there are (the check, if it runs, and
/// the report's maps use them instead of indexing every layer again).
pub fn export_job(
    dataset: &Dataset,
    review: &Review,
    analysis: Option<Arc<Analysis>>,
    baseline: Option<Arc<Analysis>>,
    indexes: Option<Arc<crate::analysis::CheckIndexes>>,
    out: ExportTo<'_>,
    progress: &Progress,
) -> JobOutput {
    let ExportTo { dir, pdf } = out;
    let indexes = indexes.unwrap_or_else(|| {
        progress.stage("index", 1);
        Arc::new(crate::analysis::CheckIndexes::build(dataset))
    });
    let analysis = match analysis {
        Some(a) => a,
        None => {
            match crate::analysis::run_checks_indexed(dataset, &review.file, progress, &indexes) {
                Ok(a) => Arc::new(a),
                Err(_) => {
                    return JobOutput::Exported {
                        dir: dir.to_path_buf(),
                        result: Err(None),
                    }
                }
            }
        }
    };
    progress.stage("write reports", 1);
    let input = crate::report::ReportInput {
        dataset,
        review,
        analysis: &analysis,
        meta: crate::report::ReportMeta {
            pdf,
            ..crate::report::ReportMeta::default()
        },
        indexes: Some(&indexes),
    };
    let mut result = crate::report::write_all(dir, &input).map_err(Some);
    if let (Ok(files), Some(before)) = (&mut result, baseline) {
        let path = dir.join("plan_changes.csv");
        let csv = crate::fix::comparison_csv(&crate::fix::compare_plans(&before, &analysis));
        match crate::io::atomic::write_atomic(&path, csv.as_bytes()) {
            Ok(()) => files.push(path),
            Err(e) => result = Err(Some(crate::messages::fix::cannot_write(&path, &e))),
        }
    }
    progress.inc(1);
    JobOutput::Exported {
        dir: dir.to_path_buf(),
        result,
    }
}
