//! Frame-building benchmark of the desktop app's map: opens a review in the real app
//! (`ZonecheckApp`, headless `egui::Context`), puts the camera on a few views and times whole
//! frames (`Context::run_ui` + `Context::tessellate`), i.e. the CPU work of one frame before the
//! GPU upload. Prints median / p95 per view and the peak resident memory.
//!
//! ```text
//! cargo bench --bench frame -- bench_data/county/review.toml
//! ```
//! Options after the review path: `--frames N` (default 60), `--size WxH` (window in points,
//! default 1400x900, the app's default window), `--check` (run the check first, so the
//! conflicts are drawn as well), `--engine-only` (just load the data with the engine and print
//! its memory, for comparison).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::time::{Duration, Instant};
use zonecheck::app::map::camera::Camera;
use zonecheck::app::ZonecheckApp;

struct Args {
    review: PathBuf,
    frames: usize,
    size: egui::Vec2,
    /// Run the check first, so conflicts are drawn too.
    check: bool,
    /// Only load the review with the engine (no app) and report memory: what the data itself
    /// takes, to compare with the app's figures.
    engine_only: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut review = None;
    let mut frames = 60;
    let mut size = egui::vec2(1400.0, 900.0);
    let mut check = false;
    let mut engine_only = false;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--bench" => {}
            "--check" => check = true,
            "--engine-only" => engine_only = true,
            "--frames" => {
                frames = it.next().and_then(|v| v.parse().ok()).ok_or("--frames N")?;
            }
            "--size" => {
                let v = it.next().ok_or("--size WxH")?;
                let (w, h) = v.split_once('x').ok_or("--size WxH")?;
                size = egui::vec2(
                    w.parse().map_err(|_| "--size WxH")?,
                    h.parse().map_err(|_| "--size WxH")?,
                );
            }
            _ if review.is_none() => review = Some(PathBuf::from(a)),
            other => return Err(format!("unexpected argument {other}")),
        }
    }
    let review = review
        .ok_or("usage: frame REVIEW.toml [--frames N] [--size WxH] [--check] [--engine-only]")?;
    Ok(Args {
        review,
        frames,
        size,
        check,
        engine_only,
    })
}

/// Peak and current resident memory in MiB, where the platform reports them (Linux /proc).
fn memory_mib() -> (Option<f64>, Option<f64>) {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return (None, None);
    };
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map(|kb| kb / 1024.0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

struct Bench {
    ctx: egui::Context,
    app: ZonecheckApp,
    size: egui::Vec2,
    time: f64,
}

impl Bench {
    /// One whole frame; returns its CPU time.
    fn frame(&mut self) -> Duration {
        self.time += 1.0 / 60.0;
        let input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, self.size)),
            time: Some(self.time),
            ..Default::default()
        };
        let start = Instant::now();
        let app = &mut self.app;
        let out = self.ctx.run_ui(input, |ui| app.ui(ui));
        let prims = self.ctx.tessellate(out.shapes, out.pixels_per_point);
        let t = start.elapsed();
        std::hint::black_box(prims);
        t
    }

    /// Bytes held by the map's meshes and tiles, in MiB.
    fn cache_mib(&self) -> f64 {
        let bytes: usize = self
            .app
            .derived
            .layers
            .iter()
            .map(|d| d.render.bytes())
            .sum();
        bytes as f64 / (1024.0 * 1024.0)
    }

    /// Frames until the map has nothing left to build in the background (at most `limit`).
    fn settle(&mut self, limit: Duration) -> (usize, Duration) {
        let start = Instant::now();
        let mut n = 0;
        loop {
            self.frame();
            n += 1;
            if !self.app.map_busy() || start.elapsed() > limit {
                return (n, start.elapsed());
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    if args.engine_only {
        let t0 = Instant::now();
        let review = zonecheck::io::review::Review::load(&args.review).expect("review");
        let ds = zonecheck::load::load_review(&review, &zonecheck::progress::Progress::new())
            .expect("load");
        let (hwm, rss) = memory_mib();
        println!(
            "engine only: {} layers loaded in {:.1} s; peak RSS {:.0} MiB, RSS {:.0} MiB",
            ds.layers.len(),
            t0.elapsed().as_secs_f64(),
            hwm.unwrap_or(f64::NAN),
            rss.unwrap_or(f64::NAN)
        );
        return;
    }
    let mut b = Bench {
        ctx: egui::Context::default(),
        app: ZonecheckApp::new(None),
        size: args.size,
        time: 0.0,
    };
    b.app.open(args.review.clone());
    let t0 = Instant::now();
    loop {
        b.frame();
        if b.app.doc.is_some() && !b.app.is_busy() {
            break;
        }
        if !b.app.messages.is_empty() {
            eprintln!("{:?}", b.app.messages);
            std::process::exit(2);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let (hwm, rss) = memory_mib();
    println!(
        "review {} loaded in {:.1} s; peak RSS {:.0} MiB, RSS {:.0} MiB",
        args.review.display(),
        t0.elapsed().as_secs_f64(),
        hwm.unwrap_or(f64::NAN),
        rss.unwrap_or(f64::NAN)
    );
    if args.check {
        let t = Instant::now();
        b.app
            .pending
            .push(zonecheck::app::commands::AppCommand::RunCheck);
        loop {
            b.frame();
            if b.app.current_check().is_some() && !b.app.is_busy() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let n = b.app.current_check().map_or(0, |c| c.conflicts.geoms.len());
        println!(
            "checked in {:.1} s; {n} conflict polygons (parts) drawn on top",
            t.elapsed().as_secs_f64()
        );
    }
    let Some(extent) = b.app.derived.extent else {
        eprintln!("the review has no extent");
        std::process::exit(2);
    };
    b.frame();
    let rect = b.app.view.map_rect.unwrap_or(egui::Rect::from_min_size(
        egui::Pos2::ZERO,
        egui::vec2(800.0, 600.0),
    ));
    let ppp = b.ctx.pixels_per_point();
    let mut full = Camera::default();
    full.fit(extent, rect, 0.04);
    // Places: the data centre, the first zone, a point a quarter of the way in.
    let c = extent.center();
    let zone = b
        .app
        .derived
        .layers
        .first()
        .and_then(|l| l.labels.first().map(|(_, _, p)| *p))
        .unwrap_or(c);
    let quarter = geo::Coord {
        x: extent.min().x + extent.width() * 0.25,
        y: extent.min().y + extent.height() * 0.25,
    };
    let at_scale = |p: geo::Coord<f64>, denominator: f64| Camera {
        center: [p.x, p.y],
        // 1:N at 96 dpi: one pixel is N · 0.0254/96 m.
        points_per_m: 1.0 / (denominator * 0.0254 / 96.0) / f64::from(ppp),
    };
    let views = [
        ("full extent", full),
        ("1:100,000 centre", at_scale(c, 100_000.0)),
        ("1:50,000 centre", at_scale(c, 50_000.0)),
        ("1:20,000 centre", at_scale(c, 20_000.0)),
        ("1:5,000 centre", at_scale(c, 5_000.0)),
        ("1:5,000 zone", at_scale(zone, 5_000.0)),
        ("1:5,000 quarter", at_scale(quarter, 5_000.0)),
    ];
    println!(
        "map {:.0}x{:.0} pt at {ppp} px/pt; {} frames per view; times are run_ui + tessellate",
        rect.width(),
        rect.height(),
        args.frames
    );
    println!(
        "{:<18} {:>9} {:>10} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "view", "first ms", "ready ms", "moving", "p95", "still", "p95", "RSS MiB", "cache MiB"
    );
    for (name, cam) in views {
        b.app.view.camera = cam;
        let first = b.frame();
        let (_, ready) = b.settle(Duration::from_secs(120));
        // Moving: the camera pans by one point every frame, so nothing of the last frame can be
        // reused as is.
        let mut moving = Vec::with_capacity(args.frames);
        for i in 0..args.frames {
            let d = if i % 2 == 0 { 1.0 } else { -1.0 };
            b.app.view.camera.pan_by_ui(egui::vec2(d, 0.0));
            moving.push(ms(b.frame()));
        }
        b.app.view.camera = cam;
        b.settle(Duration::from_secs(30));
        let mut still: Vec<f64> = (0..args.frames).map(|_| ms(b.frame())).collect();
        moving.sort_by(f64::total_cmp);
        still.sort_by(f64::total_cmp);
        let (_, rss) = memory_mib();
        println!(
            "{:<18} {:>9.1} {:>10.1} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>9.0} {:>9.1}",
            name,
            ms(first),
            ms(ready),
            percentile(&moving, 0.5),
            percentile(&moving, 0.95),
            percentile(&still, 0.5),
            percentile(&still, 0.95),
            rss.unwrap_or(f64::NAN),
            b.cache_mib()
        );
    }

    // A wheel zoom from the full extent to 1:5,000 at the zone, 10 % per frame, without waiting
    // for the background builds: what a user sees while zooming in on a cold area.
    b.app.view.camera = full;
    b.settle(Duration::from_secs(30));
    let target = at_scale(zone, 5_000.0);
    let anchor = b.app.view.camera.ui_from_map(zone, rect);
    let mut sweep = Vec::new();
    while b.app.view.camera.points_per_m < target.points_per_m {
        b.app.view.camera.zoom_at(1.1, anchor, rect);
        sweep.push(ms(b.frame()));
    }
    let max = sweep.iter().copied().fold(0.0, f64::max);
    sweep.sort_by(f64::total_cmp);
    println!(
        "zoom sweep full extent -> 1:5,000, {} frames: median {:.2} ms, p95 {:.2} ms, max {:.2} ms",
        sweep.len(),
        percentile(&sweep, 0.5),
        percentile(&sweep, 0.95),
        max
    );
    let (hwm, _) = memory_mib();
    println!("peak RSS {:.0} MiB", hwm.unwrap_or(f64::NAN));
}
