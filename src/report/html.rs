//! The report as a complete HTML page: no script, charts as inline SVG.

use askama::Template;
use askama_web::WebTemplate;

use super::WORDS;
use super::chart::Chart;
use super::view::ReportView;
use crate::domain::trends::Release;
use crate::i18n::Site;

/// The board report page.
#[derive(Template, WebTemplate)]
#[template(path = "board/report.html")]
pub struct BoardReportPage {
    /// Association details.
    pub site: Site,
    /// The report.
    pub report: ReportView,
    /// Where the page's CSV and JSON can be downloaded (`…/csv`, `…/json`), when served.
    pub downloads: Option<String>,
}

impl BoardReportPage {
    /// The paragraph under the title: whose board, which period, and that no one is identified.
    pub fn lead(&self) -> String {
        WORDS.f(
            "board.page.lead",
            &[
                ("name", &self.site.letterhead.name),
                ("period", &self.report.period_label),
            ],
        )
    }

    /// A chart's caption: its title, and what its hatched boxes mean.
    pub fn hatched(&self, chart: &Chart) -> String {
        WORDS.f(
            "board.page.hatched",
            &[("title", &chart.title), ("k", &self.report.threshold)],
        )
    }
}

/// The report as a complete HTML page (no script; charts are inline SVG).
pub fn render_html(release: &Release, site: &Site) -> String {
    render_page(release, site, None)
}

/// The page as the board's site serves it: with links to its CSV and JSON under `base`.
pub fn render_html_served(release: &Release, site: &Site, base: &str) -> String {
    render_page(release, site, Some(base.to_owned()))
}

fn render_page(release: &Release, site: &Site, downloads: Option<String>) -> String {
    let page = BoardReportPage {
        site: site.clone(),
        report: ReportView::new(release),
        downloads,
    };
    page.render().unwrap_or_else(|e| {
        tracing::error!("cannot render the board report: {e}");
        String::new()
    })
}
