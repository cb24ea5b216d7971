//! Progress and cancellation shared between a running job and whoever watches it (the CLI's
//! progress bar, the app's status bar). Lock-free counters; checking costs an atomic load.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

/// Shared progress of one job. Wrap in an `Arc` to share.
#[derive(Debug, Default)]
pub struct Progress {
    cancelled: AtomicBool,
    done: AtomicU64,
    total: AtomicU64,
    stage: Mutex<String>,
    /// (stage, when it started), in order, for the timing breakdown.
    history: Mutex<Vec<(String, std::time::Instant)>>,
    /// Time inside a stage spent on one kind of work (seconds, summed over threads).
    parts: Mutex<Vec<(&'static str, f64)>>,
}

/// Returned by work that noticed a cancel request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cancelled")]
pub struct Cancelled;

impl Progress {
    pub fn new() -> Progress {
        Progress::default()
    }

    /// Starts a new stage of `total` steps.
    pub fn stage(&self, name: &str, total: u64) {
        if let Ok(mut s) = self.stage.lock() {
            *s = name.to_string();
        }
        if let Ok(mut h) = self.history.lock() {
            h.push((name.to_string(), std::time::Instant::now()));
        }
        self.done.store(0, Ordering::Relaxed);
        self.total.store(total, Ordering::Relaxed);
    }

    pub fn inc(&self, n: u64) {
        self.done.fetch_add(n, Ordering::Relaxed);
    }

    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

    /// `Err(Cancelled)` once a cancel was requested.
    pub fn check(&self) -> Result<(), Cancelled> {
        if self.is_cancelled() {
            Err(Cancelled)
        } else {
            Ok(())
        }
    }

    /// Seconds spent in each stage so far (the last one up to now), in order of first start; a
    /// stage entered more than once adds up.
    pub fn timings(&self) -> Vec<(String, f64)> {
        let Ok(h) = self.history.lock() else {
            return Vec::new();
        };
        let now = std::time::Instant::now();
        let mut out: Vec<(String, f64)> = Vec::new();
        for (i, (name, start)) in h.iter().enumerate() {
            let end = h.get(i + 1).map_or(now, |n| n.1);
            let secs = end.duration_since(*start).as_secs_f64();
            match out.iter_mut().find(|(n, _)| n == name) {
                Some(slot) => slot.1 += secs,
                None => out.push((name.clone(), secs)),
            }
        }
        out
    }

    /// Adds `secs` to the time spent on `what` (a part of a stage: e.g. "overlay" inside
    /// "check zones"); parallel work adds each thread's time.
    pub fn add_time(&self, what: &'static str, secs: f64) {
        if let Ok(mut p) = self.parts.lock() {
            match p.iter_mut().find(|(n, _)| *n == what) {
                Some(slot) => slot.1 += secs,
                None => p.push((what, secs)),
            }
        }
    }

    /// Runs `f` and adds its wall time to `what` (see [`Progress::add_time`]).
    pub fn timed<T>(&self, what: &'static str, f: impl FnOnce() -> T) -> T {
        let start = std::time::Instant::now();
        let out = f();
        self.add_time(what, start.elapsed().as_secs_f64());
        out
    }

    /// The parts recorded with [`Progress::add_time`], in order of first use.
    pub fn part_timings(&self) -> Vec<(&'static str, f64)> {
        self.parts.lock().map(|p| p.clone()).unwrap_or_default()
    }

    /// (stage name, steps done, steps in stage).
    pub fn snapshot(&self) -> (String, u64, u64) {
        let stage = self.stage.lock().map(|s| s.clone()).unwrap_or_default();
        (
            stage,
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }
}
