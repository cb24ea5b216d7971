//! Background jobs (load, check, export) on named threads. Each job has a [`Progress`] (stage,
//! counters, cancel) and sends one result over a channel; the worker asks egui to repaint.

use super::decisions::Decisions;
use super::state::{LayerDerived, Overlay};
use crate::analysis::{run_checks, Analysis};
use crate::io::review::Review;
use crate::load::{load_review, Dataset};
use crate::progress::{Cancelled, Progress};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver, TryRecvError};
use std::sync::Arc;

/// A loaded review, with everything built off the UI thread.
pub struct Loaded {
    pub review: Review,
    pub dataset: Dataset,
    pub layers: Vec<LayerDerived>,
    pub decisions: Decisions,
    /// The decisions sidecar could not be read (the review still opens).
    pub decisions_error: Option<String>,
}

/// A check result with its conflict overlay.
pub struct Checked {
    pub analysis: Analysis,
    pub conflicts: Overlay,
}

pub enum JobOutput {
    Loaded(Result<Box<Loaded>, String>),
    Checked {
        revision: u64,
        result: Result<Box<Checked>, Cancelled>,
    },
    Exported(Result<Vec<PathBuf>, String>),
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

/// Loads a review and builds indexes and labels for every layer.
pub fn load_job(path: &Path, progress: &Progress) -> JobOutput {
    let result = (|| {
        let review = Review::load(path).map_err(|e| e.to_string())?;
        let dataset = load_review(&review, progress).map_err(|e| e.to_string())?;
        progress.stage("index", dataset.layers.len() as u64);
        let layers = dataset
            .layers
            .iter()
            .map(|l| {
                let d = LayerDerived::build(l, &review);
                progress.inc(1);
                d
            })
            .collect();
        let (decisions, decisions_error) = match Decisions::load_for(&review.path) {
            Ok(d) => (d, None),
            Err(e) => (Decisions::default(), Some(e)),
        };
        Ok(Box::new(Loaded {
            review,
            dataset,
            layers,
            decisions,
            decisions_error,
        }))
    })();
    JobOutput::Loaded(result)
}

/// Runs every check and collects the conflict polygons.
pub fn check_job(
    dataset: &Dataset,
    review: &Review,
    revision: u64,
    progress: &Progress,
) -> JobOutput {
    let result = run_checks(dataset, &review.file, progress).map(|analysis| {
        let geoms = conflict_geoms(&analysis);
        Box::new(Checked {
            conflicts: Overlay::new(geoms),
            analysis,
        })
    });
    JobOutput::Checked { revision, result }
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

/// Writes the CLI's reports into `dir`, checking first when no current result is given.
pub fn export_job(
    dataset: &Dataset,
    review: &Review,
    analysis: Option<Arc<Analysis>>,
    dir: &Path,
    progress: &Progress,
) -> JobOutput {
    let analysis = match analysis {
        Some(a) => a,
        None => match run_checks(dataset, &review.file, progress) {
            Ok(a) => Arc::new(a),
            Err(e) => return JobOutput::Exported(Err(e.to_string())),
        },
    };
    progress.stage("write reports", 1);
    let input = crate::report::ReportInput {
        dataset,
        review,
        analysis: &analysis,
        meta: crate::report::ReportMeta::default(),
    };
    let result = crate::report::write_all(dir, &input);
    progress.inc(1);
    JobOutput::Exported(result)
}
