//! Outputs of a check: report.json, findings.csv, occupied_patches.csv, conflicts.geojson,
//! conflicts.shp, conflicts.gpkg, report.html, report.xlsx, boundary_points.csv (界址点),
//! zones_gtxt.txt (国土TXT) and, when asked for, report.pdf.
//! Deterministic: same inputs, same bytes.

pub mod csv;
pub mod geo_out;
pub mod gtxt;
pub mod html;
pub mod json;
pub mod patches;
pub mod pdf;
pub mod xlsx;

use crate::analysis::Analysis;
use crate::io::review::Review;
use crate::load::Dataset;
use crate::messages::report as msg;
use crate::model::Text;
use std::path::{Path, PathBuf};

/// What a report says about the run itself.
#[derive(Debug, Clone)]
pub struct ReportMeta {
    pub version: String,
    /// Decimals of the coordinates in boundary_points.csv and zones_gtxt.txt.
    pub coord_decimals: usize,
    /// Write zones_gtxt.txt in UTF-8 instead of GBK.
    pub gtxt_utf8: bool,
    /// Also write report.pdf (report.html laid out on A4).
    pub pdf: bool,
}

/// Decimals of written coordinates unless asked otherwise: millimetres (the CLI's `--decimals`
/// default says the same).
pub const DEFAULT_COORD_DECIMALS: usize = 3;

impl Default for ReportMeta {
    fn default() -> Self {
        ReportMeta {
            version: env!("CARGO_PKG_VERSION").to_string(),
            coord_decimals: DEFAULT_COORD_DECIMALS,
            gtxt_utf8: false,
            pdf: false,
        }
    }
}

/// Everything a report is made from.
pub struct ReportInput<'a> {
    pub dataset: &'a Dataset,
    pub review: &'a Review,
    pub analysis: &'a Analysis,
    pub meta: ReportMeta,
    /// The check's layer indexes, when the caller kept them (the maps then use them instead of
    /// indexing every layer again).
    pub indexes: Option<&'a crate::analysis::CheckIndexes>,
}

impl ReportInput<'_> {
    /// The reviewer's decisions saved in the review file (shown in every output).
    pub fn decisions(&self) -> crate::decisions::Decisions {
        crate::decisions::Decisions::from_rows(&self.review.file.decisions)
    }

    /// The decisions applied to this check: per finding (with "evidence changed"), orphans,
    /// zone results (pass / passed by decision / fail) and counts.
    pub fn resolved(&self) -> crate::decisions::Resolved {
        self.decisions().resolve(self.analysis)
    }
}

/// The files of an output set, in the order they are written (report.pdf only when asked for;
/// a report.pdf left from an earlier check is removed with the rest of the old set, so it never
/// stands beside outputs it does not match).
pub const OUTPUT_FILES: [&str; 15] = [
    "report.json",
    "findings.csv",
    "occupied_patches.csv",
    "boundary_points.csv",
    "zones_gtxt.txt",
    "conflicts.geojson",
    "report.html",
    "report.xlsx",
    "report.pdf",
    "conflicts.shp",
    "conflicts.shx",
    "conflicts.dbf",
    "conflicts.prj",
    "conflicts.cpg",
    "conflicts.gpkg",
];

/// Writes every output into `dir` (created with its parents), whole or not at all: the set is
/// written into a temporary folder beside `dir` and then moved in; when anything fails, the
/// files already in `dir` are left as they were and the temporary folder is removed. Returns
/// the files written.
pub fn write_all(dir: &Path, input: &ReportInput) -> Result<Vec<PathBuf>, Text> {
    write_all_timed(dir, input, &crate::progress::Progress::new())
}

/// [`write_all`], adding the time each output took to `progress` (its part timings).
pub fn write_all_timed(
    dir: &Path,
    input: &ReportInput,
    progress: &crate::progress::Progress,
) -> Result<Vec<PathBuf>, Text> {
    let cannot = |e: std::io::Error, p: &Path| msg::cannot_write(p, &e.to_string());
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(|e| msg::cannot_create_folder(dir, &e.to_string()))?;
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let tmp = parent.join(format!(".{name}.zonecheck-{}.tmp", std::process::id()));
    if tmp.exists() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    std::fs::create_dir(&tmp).map_err(|e| cannot(e, &tmp))?;
    let result = write_set(&tmp, input, progress).and_then(|()| move_in(&tmp, dir));
    let _ = std::fs::remove_dir_all(&tmp);
    result?;
    Ok(OUTPUT_FILES
        .iter()
        .filter(|f| input.meta.pdf || **f != "report.pdf")
        .map(|f| dir.join(f))
        .collect())
}

/// Asks PROJ ahead for what the areas and outputs want of the working CRS — the
/// transformations to its geographic base (ellipsoidal areas) and to longitude and latitude
/// (conflicts.geojson), its WKT1 texts (conflicts.prj, the GeoPackage's srs) and WGS 84's (the
/// GeoPackage's required srs) — so that the check and the reports find them in PROJ's caches
/// ([`crate::crs`]). Errors are left for those to report. `zonecheck check` hands it to the
/// thread pool as the check begins, to be taken by a thread with nothing else to do; the
/// reports otherwise waited for these (~5 ms of a county's write stage).
pub fn warm_output_crs(working: &crate::crs::CrsDef) {
    use crate::crs::{CrsDef, Reprojector};
    let _ = crate::spatial::ellipsoid::EllipsoidArea::new(working);
    if let Ok(lonlat) = CrsDef::parse(geo_out::lonlat_crs_for(working)) {
        let _ = Reprojector::new(working, &lonlat);
    }
    let _ = working.esri_wkt();
    let _ = working.gdal_wkt();
    if let Ok(wgs84) = CrsDef::epsg(4326) {
        let _ = wgs84.gdal_wkt();
    }
}

/// One output: its file name (also its timing name) and the work, which returns the file's
/// bytes, or `None` when it wrote its file(s) itself.
type Job<'a> = (
    &'static str,
    Box<dyn FnOnce() -> Result<Option<Vec<u8>>, Text> + Send + 'a>,
);

/// Writes the file at `path` through a buffer as `write` makes its text, for an output too
/// large to hold whole beside the others; the job's result (`None`: written).
fn streamed(
    path: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> Result<Option<Vec<u8>>, Text> {
    let written = std::fs::File::create(path).and_then(|file| {
        let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
        write(&mut out)?;
        std::io::Write::flush(&mut out)
    });
    written
        .map(|()| None)
        .map_err(|e| msg::cannot_write(path, &e.to_string()))
}

/// Renders and writes every output into the (new, empty) folder `dir`: every output at once,
/// each written to its file as soon as it is rendered (the HTML and the workbook are
/// themselves parallel inside). The first failure in [`OUTPUT_FILES`] order is returned.
fn write_set(
    dir: &Path,
    input: &ReportInput,
    progress: &crate::progress::Progress,
) -> Result<(), Text> {
    use rayon::prelude::*;
    let put = |name: &str, bytes: &[u8]| -> Result<(), Text> {
        let path = dir.join(name);
        std::fs::write(&path, bytes).map_err(|e| msg::cannot_write(&path, &e.to_string()))
    };
    let text = |s: String| Ok(Some(s.into_bytes()));
    let shp = dir.join("conflicts.shp");
    let gpkg = dir.join("conflicts.gpkg");
    let conflict_layer = geo_out::ConflictLayer::new();
    // The workbook first (see below), then the longest first.
    let mut jobs: Vec<Job> = vec![
        (
            "report.xlsx",
            Box::new(|| {
                xlsx::report_xlsx(input)
                    .map(Some)
                    .map_err(|e| msg::cannot_render("report.xlsx", &e))
            }),
        ),
        (
            "report.html",
            Box::new(|| {
                let html = html::render_html(input);
                if input.meta.pdf {
                    put("report.pdf", &pdf::render_html(&html)?)?;
                }
                text(html)
            }),
        ),
        (
            "conflicts.gpkg",
            Box::new(|| {
                geo_out::conflicts_gpkg(&gpkg, input, &conflict_layer)
                    .map(|()| None)
                    .map_err(|e| msg::cannot_render("conflicts.gpkg", &e))
            }),
        ),
        (
            "conflicts.shp",
            Box::new(|| {
                geo_out::conflicts_shapefile(&shp, input, &conflict_layer)
                    .map(|()| None)
                    .map_err(|e| msg::cannot_render("conflicts.shp", &e))
            }),
        ),
        (
            "conflicts.geojson",
            // Written as it is made (a province's is ~20 MB).
            Box::new(|| {
                geo_out::conflicts_geojson_possible(input)
                    .map_err(|e| msg::cannot_render("conflicts.geojson", &e))?;
                streamed(&dir.join("conflicts.geojson"), |out| {
                    geo_out::write_conflicts_geojson(input, out)
                })
            }),
        ),
        (
            "report.json",
            // Written as it is made (a province's document is ~18 MB of text).
            Box::new(|| {
                streamed(&dir.join("report.json"), |out| {
                    json::write_report_json(input, out)
                })
            }),
        ),
        (
            "boundary_points.csv",
            // Written as it is made (a province's is ~23 MB).
            Box::new(|| {
                streamed(&dir.join("boundary_points.csv"), |out| {
                    gtxt::write_boundary_points_csv(input, out)
                })
            }),
        ),
        (
            "zones_gtxt.txt",
            Box::new(|| Ok(Some(gtxt::zones_gtxt(input)))),
        ),
        (
            "occupied_patches.csv",
            Box::new(|| text(patches::occupied_patches_csv(input))),
        ),
        ("findings.csv", Box::new(|| text(csv::findings_csv(input)))),
    ];
    debug_assert!(jobs.iter().map(|j| j.0).eq(JOB_NAMES));
    // Each output's files are flushed to the disk as soon as it is done, on a thread of their
    // own (waiting on the disk there, not on a worker the other outputs need), and all of
    // them before the set is moved in.
    let pdf = input.meta.pdf;
    let results = std::thread::scope(|scope| {
        let flushes = std::sync::Mutex::new(Vec::new());
        let run = |(name, job): Job| {
            let done = progress.timed(name, || match job()? {
                Some(bytes) => put(name, &bytes),
                None => Ok(()),
            });
            let files = output_files_of(name, pdf);
            let done = done.and_then(|()| {
                match std::thread::Builder::new()
                    .name("flush".into())
                    .spawn_scoped(scope, move || sync_outputs(dir, files))
                {
                    Ok(handle) => {
                        flushes
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .push((name, handle));
                        Ok(())
                    }
                    // No thread to be had: flushed here.
                    Err(_) => sync_outputs(dir, files),
                }
            });
            (name, done)
        };
        // The workbook (the longest, and compressed on one thread) starts at once on one
        // thread; the rest, longest first, go on beside it.
        let first = jobs.remove(0);
        let (first, rest) = rayon::join(
            || run(first),
            || {
                jobs.into_par_iter()
                    .with_max_len(1)
                    .map(run)
                    .collect::<Vec<_>>()
            },
        );
        let mut results: Vec<(&'static str, Result<(), Text>)> =
            std::iter::once(first).chain(rest).collect();
        let flushes = flushes
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for (name, handle) in flushes {
            let flushed = handle.join().unwrap_or_else(|_| {
                Err(msg::cannot_write(
                    &dir.join(name),
                    "the flush to the disk failed",
                ))
            });
            if flushed.is_err() {
                results.push((name, flushed));
            }
        }
        results
    });
    // Report the first failure in the order the files are listed.
    let rank = |name: &str| {
        OUTPUT_FILES
            .iter()
            .position(|f| *f == name)
            .unwrap_or(OUTPUT_FILES.len())
    };
    let mut failures: Vec<(usize, Text)> = results
        .into_iter()
        .filter_map(|(name, r)| r.err().map(|e| (rank(name), e)))
        .collect();
    failures.sort_by_key(|(k, _)| *k);
    match failures.into_iter().next() {
        Some((_, e)) => Err(e),
        None => Ok(()),
    }
}

/// The outputs of [`write_set`], by the name of their job, in its order.
const JOB_NAMES: [&str; 10] = [
    "report.xlsx",
    "report.html",
    "conflicts.gpkg",
    "conflicts.shp",
    "conflicts.geojson",
    "report.json",
    "boundary_points.csv",
    "zones_gtxt.txt",
    "occupied_patches.csv",
    "findings.csv",
];

/// The files the output `name` of [`write_set`] writes (`pdf`: report.html's job writes
/// report.pdf too).
fn output_files_of(name: &'static str, pdf: bool) -> &'static [&'static str] {
    match name {
        "report.html" if pdf => &["report.html", "report.pdf"],
        "conflicts.shp" => &[
            "conflicts.shp",
            "conflicts.shx",
            "conflicts.dbf",
            "conflicts.prj",
            "conflicts.cpg",
        ],
        _ => match OUTPUT_FILES.iter().find(|f| **f == name) {
            Some(f) => std::slice::from_ref(f),
            None => &[],
        },
    }
}

/// Flushes `files` of `dir` to the disk; conflicts.prj may be missing (a working CRS without
/// an ESRI text has none).
fn sync_outputs(dir: &Path, files: &[&str]) -> Result<(), Text> {
    for f in files {
        let path = dir.join(f);
        match crate::io::atomic::sync_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && *f == "conflicts.prj" => {}
            Err(e) => return Err(msg::cannot_write(&path, &e.to_string())),
        }
    }
    Ok(())
}

/// Moves the output set in `tmp` into `dir`: a rename of the folder when `dir` does not exist;
/// otherwise the previous outputs are moved aside, the new ones moved in, and on any failure
/// the previous ones put back. Other files in `dir` are not touched.
fn move_in(tmp: &Path, dir: &Path) -> Result<(), Text> {
    let failed = |e: std::io::Error, p: &Path| msg::cannot_move_in(p, &e.to_string());
    if !dir.exists() {
        return std::fs::rename(tmp, dir).map_err(|e| failed(e, dir));
    }
    if !dir.is_dir() {
        return Err(msg::not_a_folder(dir));
    }
    for f in OUTPUT_FILES {
        let target = dir.join(f);
        if target.exists() && !target.is_file() {
            return Err(msg::cannot_replace_non_file(&target));
        }
    }
    let aside = tmp.join(".previous");
    std::fs::create_dir(&aside).map_err(|e| failed(e, &aside))?;
    let mut moved_aside: Vec<&str> = Vec::new();
    let mut moved_in: Vec<&str> = Vec::new();
    let mut result = Ok(());
    for f in OUTPUT_FILES {
        let target = dir.join(f);
        if target.is_file() {
            if let Err(e) = std::fs::rename(&target, aside.join(f)) {
                result = Err(failed(e, &target));
                break;
            }
            moved_aside.push(f);
        }
    }
    if result.is_ok() {
        for f in OUTPUT_FILES {
            let target = dir.join(f);
            if !tmp.join(f).exists() {
                // Not part of this set (report.pdf when not asked for).
                continue;
            }
            if let Err(e) = std::fs::rename(tmp.join(f), &target) {
                result = Err(failed(e, &target));
                break;
            }
            moved_in.push(f);
        }
    }
    if result.is_err() {
        for f in moved_in {
            let _ = std::fs::remove_file(dir.join(f));
        }
        for f in moved_aside {
            let _ = std::fs::rename(aside.join(f), dir.join(f));
        }
    }
    result
}

/// Refuses an output folder where an output file would replace an input file (`inputs`: every
/// file a check reads). Paths are compared canonicalised (case-insensitively on Windows).
pub fn refuse_outputs_over_inputs(
    dir: &Path,
    inputs: &[PathBuf],
) -> Result<(), crate::model::Text> {
    refuse_files_over_inputs(dir, inputs, &OUTPUT_FILES)
}

/// Refuses an output folder where one of the files `names` would replace an input file (for
/// commands whose outputs are named otherwise, e.g. `zonecheck fix`).
pub fn refuse_files_over_inputs(
    dir: &Path,
    inputs: &[PathBuf],
    names: &[&str],
) -> Result<(), crate::model::Text> {
    // The output folder as it will be: its nearest existing ancestor canonicalised, the rest
    // appended.
    let mut existing = dir.to_path_buf();
    let mut rest: Vec<std::ffi::OsString> = Vec::new();
    let base = loop {
        match existing.canonicalize() {
            Ok(c) => break c,
            Err(_) => {
                let Some(name) = existing.file_name() else {
                    return Ok(());
                };
                rest.push(name.to_os_string());
                if !existing.pop() || existing.as_os_str().is_empty() {
                    existing = PathBuf::from(".");
                }
            }
        }
    };
    let mut out_dir = base;
    for part in rest.into_iter().rev() {
        out_dir.push(part);
    }
    let key = |p: &Path| -> String {
        let s = p.to_string_lossy().into_owned();
        if cfg!(windows) {
            s.to_lowercase()
        } else {
            s
        }
    };
    let inputs: Vec<(String, &PathBuf)> = inputs
        .iter()
        .filter_map(|p| p.canonicalize().ok().map(|c| (key(&c), p)))
        .collect();
    for &f in names {
        let out = key(&out_dir.join(f));
        if let Some((_, input)) = inputs.iter().find(|(k, _)| *k == out) {
            return Err(crate::messages::cli::output_is_input(
                &input.display().to_string(),
                f,
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn every_output_file_is_flushed_by_the_job_that_writes_it() {
        let flushed: BTreeSet<&str> = JOB_NAMES
            .iter()
            .flat_map(|j| output_files_of(j, true))
            .copied()
            .collect();
        let listed: BTreeSet<&str> = OUTPUT_FILES.iter().copied().collect();
        assert_eq!(flushed, listed);
        // The sample's set as written: every file of the folder is one its job flushed.
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        crate::cli::check_and_report(
            Path::new("sample_maps/review.toml"),
            &out,
            &crate::progress::Progress::new(),
        )
        .unwrap();
        let written: Vec<String> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert!(written.len() >= 14, "{written:?}");
        for name in &written {
            assert!(flushed.contains(name.as_str()), "{name} is not flushed");
        }
        // The real flush of the written shapefile; a file missing when its job is flushed is
        // an error naming it (conflicts.prj aside).
        assert!(sync_outputs(&out, output_files_of("conflicts.shp", false)).is_ok());
        let missing = sync_outputs(dir.path(), &["report.json"]).unwrap_err();
        assert!(missing.en.contains("report.json"), "{}", missing.en);
        assert!(sync_outputs(dir.path(), &["conflicts.prj"]).is_ok());
    }
}
