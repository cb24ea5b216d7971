//! Outputs of a check: report.json, findings.csv, conflicts.geojson, conflicts.shp, report.html.
//! Deterministic: same inputs, same bytes.

pub mod csv;
pub mod geo_out;
pub mod html;
pub mod json;

use crate::analysis::Analysis;
use crate::io::review::Review;
use crate::load::Dataset;
use std::path::{Path, PathBuf};

/// What a report says about the run itself.
#[derive(Debug, Clone)]
pub struct ReportMeta {
    pub version: String,
}

impl Default for ReportMeta {
    fn default() -> Self {
        ReportMeta {
            version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }
}

/// Everything a report is made from.
pub struct ReportInput<'a> {
    pub dataset: &'a Dataset,
    pub review: &'a Review,
    pub analysis: &'a Analysis,
    pub meta: ReportMeta,
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

/// Writes every output into `dir` (created with its parents). Returns the files written.
pub fn write_all(dir: &Path, input: &ReportInput) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("cannot create output folder ({e}): {}", dir.display()))?;
    let mut written = Vec::new();
    let mut put = |name: &str, bytes: Vec<u8>| -> Result<(), String> {
        let path = dir.join(name);
        crate::io::atomic::write_atomic(&path, &bytes)
            .map_err(|e| format!("cannot write ({e}): {}", path.display()))?;
        written.push(path);
        Ok(())
    };
    // Every output rendered at once (the HTML, the longest, is itself parallel per zone).
    let shp = dir.join("conflicts.shp");
    let ((json, csv), ((geojson, html), shp_result)) = rayon::join(
        || (json::report_json(input), csv::findings_csv(input)),
        || {
            rayon::join(
                || {
                    rayon::join(
                        || geo_out::conflicts_geojson(input),
                        || html::render_html(input),
                    )
                },
                || geo_out::conflicts_shapefile(&shp, input),
            )
        },
    );
    put("report.json", json.into_bytes())?;
    put("findings.csv", csv.into_bytes())?;
    put("conflicts.geojson", geojson?.into_bytes())?;
    put("report.html", html.into_bytes())?;
    shp_result?;
    for ext in ["shp", "shx", "dbf", "prj", "cpg"] {
        written.push(shp.with_extension(ext));
    }
    Ok(written)
}
