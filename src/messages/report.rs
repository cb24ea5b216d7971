//! Messages of writing the output set (report.json, findings.csv, report.html, conflicts.*).

use super::Text;
use std::path::Path;

pub fn cannot_write(path: &Path, why: &str) -> Text {
    let p = path.display();
    Text::new(
        format!("无法写入输出文件（{why}）：{p}"),
        format!("cannot write ({why}): {p}"),
    )
}

pub fn cannot_create_folder(dir: &Path, why: &str) -> Text {
    let p = dir.display();
    Text::new(
        format!("无法创建输出文件夹（{why}）：{p}"),
        format!("cannot create output folder ({why}): {p}"),
    )
}

pub fn cannot_move_in(path: &Path, why: &str) -> Text {
    let p = path.display();
    Text::new(
        format!("无法将新的输出文件移入（{why}），原有输出文件未改动：{p}"),
        format!(
            "cannot move the new outputs into place ({why}); the previous outputs are unchanged: {p}"
        ),
    )
}

pub fn not_a_folder(dir: &Path) -> Text {
    let p = dir.display();
    Text::new(
        format!("输出位置不是文件夹：{p}"),
        format!("the output folder is not a folder: {p}"),
    )
}

pub fn cannot_replace_non_file(path: &Path) -> Text {
    let p = path.display();
    Text::new(
        format!("输出文件不能替换一个不是文件的对象，原有输出文件未改动：{p}"),
        format!(
            "an output cannot replace something that is not a file; the previous outputs are unchanged: {p}"
        ),
    )
}

/// An output that could not be made (e.g. the GeoJSON's reprojection to lon/lat failed).
pub fn cannot_render(file: &str, why: &str) -> Text {
    Text::new(
        format!("无法生成 {file}：{why}"),
        format!("cannot make {file}: {why}"),
    )
}

pub fn pdf_failed(why: &str) -> Text {
    Text::new(
        format!("无法生成 report.pdf（{why}）"),
        format!("cannot make report.pdf ({why})"),
    )
}
