//! The report as JSON: the page's tables, summary and method.

use serde::Serialize;

use super::view::{Heading, ReportView, TableView};
use crate::domain::trends::Release;
use crate::i18n::Site;

/// The JSON form of the report.
#[derive(Serialize)]
struct JsonReport<'a> {
    report: &'static str,
    association: &'a str,
    period: Heading,
    threshold: u32,
    epsilon: Option<f64>,
    summary: &'a [String],
    tables: &'a [TableView],
    method: &'a [String],
}

/// The report as JSON: the same tables as the page, each value a number or the page's marker
/// ("fewer than 5", "withheld", "not shown"), with the summary and the method.
pub fn render_json(release: &Release, site: &Site) -> String {
    let view = ReportView::new(release);
    let json = JsonReport {
        report: "board trend report",
        association: &site.letterhead.name,
        period: Heading {
            code: view.period_code.clone(),
            label: view.period_label.clone(),
        },
        threshold: view.threshold,
        epsilon: view.epsilon,
        summary: &view.summary,
        tables: &view.tables,
        method: &view.method,
    };
    serde_json::to_string_pretty(&json).unwrap_or_else(|e| {
        tracing::error!("cannot render the board report as JSON: {e}");
        String::new()
    })
}
