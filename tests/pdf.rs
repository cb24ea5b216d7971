//! report.pdf (issue 11, item 9) through the real binary on the sample review, read back by
//! poppler (`pdfinfo`, `pdftotext`: another program's PDF reader, from Debian's poppler-utils,
//! which .ci/setup-debian.sh installs): A4 pages, page numbers that match the page count, the
//! Chinese text extractable (the fonts are embedded with their Unicode maps), every zone with
//! its name and result, the plan verdict, and the reviewer's decisions. Without `--pdf` no PDF
//! is written, and one left from an earlier check is removed with the rest of the old set.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn on_path(cmd: &str) -> bool {
    Command::new(cmd).arg("-v").output().is_ok()
}

/// `false` (with the reason printed) when poppler-utils is missing outside CI.
fn have_poppler() -> bool {
    if on_path("pdftotext") && on_path("pdfinfo") {
        return true;
    }
    assert!(
        std::env::var("CI").map_or(true, |v| v != "true"),
        "pdftotext/pdfinfo are not installed, and CI must run this test (.ci/setup-debian.sh installs poppler-utils)"
    );
    eprintln!("SKIPPED: poppler-utils is not installed (apt-get install poppler-utils)");
    false
}

/// The sample review copied into `dir` (the sample folder itself is never written to).
fn sample_copy(dir: &Path) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_maps");
    let dst = dir.join("sample");
    std::fs::create_dir_all(&dst).unwrap();
    for entry in std::fs::read_dir(&src).unwrap() {
        let p = entry.unwrap().path();
        if p.is_file() {
            std::fs::copy(&p, dst.join(p.file_name().unwrap())).unwrap();
        }
    }
    dst.join("review.toml")
}

fn check(review: &Path, out: &Path, pdf: bool) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_zonecheck"));
    cmd.arg("check").arg(review).arg("--out").arg(out).arg("-q");
    if pdf {
        cmd.arg("--pdf");
    }
    let o = cmd.output().unwrap();
    // 1: the sample has blocking findings; anything else is a failure.
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn run(cmd: &str, args: &[&std::ffi::OsStr]) -> String {
    let o = Command::new(cmd).args(args).output().unwrap();
    assert!(
        o.status.success(),
        "{cmd}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn the_sample_report_as_pdf_reads_back_with_its_chinese_text_and_page_numbers() {
    if !have_poppler() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let review = sample_copy(dir.path());
    // A decision recorded in the review shows in the PDF as in report.html.
    let text = std::fs::read_to_string(&review).unwrap();
    std::fs::write(
        &review,
        format!(
            "{text}\n[[decision]]\nzone = \"M001\"\nrule = \"conflict.redline\"\nstatus = \"must_fix\"\ncomment = \"按红线边界退让\"\n\n[verdict]\ndecision = \"return\"\nreviewer = \"张审查\"\ncomment = \"须修改后重新报审\"\n"
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    check(&review, &out, true);
    let pdf = out.join("report.pdf");
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));

    let info = run("pdfinfo", &[pdf.as_os_str()]);
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    // A4: 595.28 × 841.89 pt (pdfinfo rounds).
    assert!(
        info.lines()
            .any(|l| l.starts_with("Page size:") && l.contains("595.28 x 841.89")),
        "{info}"
    );
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let zones = report["zones"].as_array().unwrap();
    // Each zone's section starts a page, after at least one page of summary.
    assert!(
        pages > zones.len(),
        "{pages} pages for {} zones",
        zones.len()
    );

    let txt = run("pdftotext", &[pdf.as_os_str(), "-".as_ref()]);
    assert!(txt.contains("开发区整合方案冲突分析报告"), "{txt}");
    // Page numbers on every page, the last saying the count pdfinfo reads.
    for n in 1..=pages {
        assert!(
            txt.contains(&format!("第 {n} 页，共 {pages} 页")),
            "page {n} of {pages} not numbered"
        );
    }
    // Every zone with its id and name, as its section heading.
    for z in zones {
        let id = z["id"].as_str().unwrap();
        let name = z["name"].as_str().unwrap_or("");
        assert!(txt.contains(&format!("{id} {name}")), "{id} {name} missing");
    }
    // The overall result and the reviewer's verdict, as report.html words them.
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let verdict = html
        .split("<p class=\"verdict")
        .nth(1)
        .and_then(|s| s.split('>').nth(1))
        .and_then(|s| s.split('<').next())
        .unwrap();
    assert!(verdict.contains("张审查"), "{verdict}");
    let flat = |s: &str| s.split_whitespace().collect::<String>();
    assert!(
        flat(&txt).contains(&flat(verdict)),
        "verdict {verdict} missing"
    );
    assert!(txt.contains("总体结论"));
    // The reviewer's decision on M001's red-line conflict, in its findings table.
    assert!(
        flat(&txt).contains("按红线边界退让"),
        "decision comment missing"
    );
    // Section titles of each zone and the map legend's labels.
    for title in ["检查结果", "基本信息", "汇总", "分区详情"] {
        assert!(txt.contains(title), "{title} missing");
    }
    // The text of the maps' scale bars comes through the SVG too.
    assert!(txt.contains(" m"), "scale bar text");
}

#[test]
fn without_pdf_no_report_pdf_and_an_old_one_is_removed() {
    let dir = tempfile::tempdir().unwrap();
    let review = sample_copy(dir.path());
    let out = dir.path().join("out");
    check(&review, &out, true);
    assert!(out.join("report.pdf").is_file());
    // Checked again without --pdf: the old PDF would no longer match the other outputs.
    check(&review, &out, false);
    assert!(!out.join("report.pdf").exists());
    assert!(out.join("report.html").is_file());
}
