//! The report as CSV: one line per number, with the page's markers.

use super::view::ReportView;
use crate::domain::trends::Release;

/// The report's tables as CSV: one line per number, with the same markers as the page.
/// Columns: `table,row,row_label,column,column_label,value`.
pub fn render_csv(release: &Release) -> String {
    let view = ReportView::new(release);
    let mut out = String::from("table,row,row_label,column,column_label,value\n");
    for table in &view.tables {
        for row in &table.rows {
            for (column, value) in table.columns.iter().zip(&row.values) {
                let fields = [
                    table.id,
                    &row.heading.code,
                    &row.heading.label,
                    &column.code,
                    &column.label,
                    &value.text,
                ];
                let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
                out.push_str(&line.join(","));
                out.push('\n');
            }
        }
    }
    out
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}
