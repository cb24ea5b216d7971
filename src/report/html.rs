//! (being written)
use super::ReportInput;
/// Renders report.html.
pub fn render_html(_input: &ReportInput) -> String {
    String::new()
}
