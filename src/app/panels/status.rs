//! The status bar: X/Y in the working CRS · lon/lat · scale · progress and cancel.

use super::super::commands::AppCommand;
use super::super::i18n::{Lang, S};
use super::super::jobs::{Job, JobKind};
use super::super::state::{Derived, Document, ViewState};
use egui::Ui;

#[allow(clippy::too_many_arguments)]
pub fn status_bar_ui(
    ui: &mut Ui,
    doc: Option<&Document>,
    derived: &Derived,
    view: &ViewState,
    lang: Lang,
    job: Option<&Job>,
    status: &super::super::StatusLine,
    cmds: &mut Vec<AppCommand>,
) {
    ui.horizontal(|ui| {
        let crs = doc
            .map(|d| {
                let c = &d.dataset.working_crs;
                c.epsg
                    .map(|e| format!("EPSG:{e}"))
                    .unwrap_or_else(|| c.label())
            })
            .unwrap_or_default();
        match view.cursor_in_map {
            Some(c) => {
                ui.monospace(format!("X {:.1}  Y {:.1}  ({crs})", c.x, c.y));
                if let Some(r) = &derived.to_lon_lat {
                    let ll = r.point(c);
                    if ll.x.is_finite() && ll.y.is_finite() {
                        ui.separator();
                        ui.monospace(format!(
                            "{:.5}°{}  {:.5}°{}",
                            ll.x.abs(),
                            if ll.x >= 0.0 { "E" } else { "W" },
                            ll.y.abs(),
                            if ll.y >= 0.0 { "N" } else { "S" }
                        ));
                    }
                }
            }
            None => {
                ui.monospace(format!("X –  Y –  ({crs})"));
            }
        }
        if doc.is_some() {
            ui.separator();
            let n = view.camera.scale_denominator(ui.ctx().pixels_per_point());
            ui.monospace(format!(
                "{} 1:{}",
                lang.t(S::Scale),
                group_thousands(n.round() as u64)
            ));
        }
        ui.separator();
        match job {
            Some(job) => {
                let what = match job.kind {
                    JobKind::Load => S::Loading,
                    JobKind::Check => S::Checking,
                    JobKind::Export => S::Exporting,
                };
                let (stage, done, total) = job.progress.snapshot();
                let stage = stage_text(&stage, lang);
                let text = format!("{} · {stage} {done}/{total}", lang.t(what));
                // Room for the bar and the button after it; the text is cut short first.
                let room = (ui.available_width() - 260.0).max(60.0);
                ui.scope(|ui| {
                    ui.set_max_width(room);
                    ui.add(egui::Label::new(&text).truncate())
                        .on_hover_text(&text);
                });
                ui.add(
                    egui::ProgressBar::new(job.fraction())
                        .desired_width(160.0)
                        .show_percentage(),
                );
                if ui.button(lang.t(S::Cancel)).clicked() {
                    cmds.push(AppCommand::CancelJob);
                }
            }
            None => {
                // The status, and after it the review file: when the bar is too narrow for
                // both, each is cut short with "…" (full text on hover) instead of running into
                // the other. The status keeps at least half of what is left.
                let text = status.text(lang);
                let room = ui.available_width();
                let doc_name = doc.map(|d| review_name(d, lang));
                let status_w = match &doc_name {
                    Some(_) => room * 0.5,
                    None => room,
                };
                ui.scope(|ui| {
                    ui.set_max_width(status_w.max(0.0));
                    ui.add(egui::Label::new(&text).truncate())
                        .on_hover_text(&text);
                });
            }
        }
        if let Some(doc) = doc {
            let name = review_name(doc, lang);
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.add(egui::Label::new(&name).truncate())
                    .on_hover_text(&name);
            });
        }
    });
}

/// The review file shown at the right end of the bar, marked when unsaved.
fn review_name(doc: &Document, lang: Lang) -> String {
    let mut name = if doc.untitled {
        lang.t(S::Untitled).to_string()
    } else {
        doc.review.path.display().to_string()
    };
    if doc.dirty {
        name.push(' ');
        name.push_str(lang.t(S::Unsaved));
    }
    name
}

/// 25000 → "25,000".
pub fn group_thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A job stage's name (as `Progress::stage` was given it) in the UI's language; a name not
/// known here is shown as it is.
pub fn stage_text(stage: &str, lang: Lang) -> String {
    let s = match stage {
        "read" => S::StageRead,
        "reproject and repair" => S::StageRepair,
        "index" => S::StageIndex,
        "check zones" => S::StageCheckZones,
        "write reports" => S::StageReports,
        other => return other.to_string(),
    };
    lang.t(s).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every stage a job reports (each literal name given to `Progress::stage` in the sources)
    /// is shown in Chinese in the Chinese UI, and in English in the English one; an unknown
    /// name is shown as it is.
    #[test]
    fn every_job_stage_is_shown_in_the_ui_language() {
        let mut names = Vec::new();
        let mut dirs = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
        while let Some(dir) = dirs.pop() {
            for e in std::fs::read_dir(&dir).unwrap() {
                let path = e.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|x| x == "rs") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    for part in text.split("stage(\"").skip(1) {
                        if let Some(end) = part.find('"') {
                            names.push(part[..end].to_string());
                        }
                    }
                }
            }
        }
        names.sort();
        names.dedup();
        assert!(names.len() >= 5, "{names:?}");
        for name in &names {
            let zh = stage_text(name, Lang::Zh);
            assert!(
                !zh.chars().any(|c| c.is_ascii_alphabetic()),
                "stage {name:?} shown as {zh:?} in the Chinese UI"
            );
            assert!(stage_text(name, Lang::En).is_ascii());
        }
        assert_eq!(stage_text("something new", Lang::Zh), "something new");
    }

    #[test]
    fn thousands() {
        assert_eq!(super::group_thousands(25_000), "25,000");
        assert_eq!(super::group_thousands(999), "999");
        assert_eq!(super::group_thousands(1_234_567), "1,234,567");
    }
}
