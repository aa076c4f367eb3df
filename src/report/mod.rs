//! The board trend report: a [`Release`] rendered as an HTML page with SVG charts, as CSV and
//! as JSON, all three showing exactly the same tables, numbers and markers.
//!
//! [`ReportView::new`] turns a release into tables of words and numbers, a plain-language
//! summary and a statement of method; the three renderers only print that view. The summary is
//! generated from the published numbers alone (never from a hidden one) and speaks of the whole
//! period only.
//!
//! This module presents; it must not decide what is hidden (that is
//! [`crate::domain::trends::disclosure`]), read counters, or add anything finer than a month.
//! Rendering needs no server: call [`render_html`], [`render_csv`] or [`render_json`].

pub mod chart;
#[cfg(test)]
mod tests;

use askama::Template;
use askama_web::WebTemplate;
use serde::Serialize;

use crate::domain::trends::{
    CategoryTable, Cell, Dimension, OneWayTable, Period, Release, disclosure,
};
use crate::http::views::Site;

use chart::{Chart, Group};

/// What a reader is told about one number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CellKind {
    /// The number is shown.
    Count,
    /// Below the threshold.
    FewerThanK,
    /// Hidden to protect a smaller number.
    Withheld,
    /// The whole table is withheld.
    NotShown,
}

/// One number as the report shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellView {
    /// The words shown: "12", "fewer than 5", "withheld", "not shown".
    pub text: String,
    /// Which of those it is.
    pub kind: CellKind,
    /// The count, if shown.
    pub count: Option<u64>,
}

impl CellView {
    fn new(cell: Cell, k: u32) -> Self {
        let (text, kind, count) = match cell {
            Cell::Count(n) => (n.to_string(), CellKind::Count, Some(n)),
            Cell::FewerThanK => (format!("fewer than {k}"), CellKind::FewerThanK, None),
            Cell::Withheld => ("withheld".to_owned(), CellKind::Withheld, None),
            Cell::NotShown => ("not shown".to_owned(), CellKind::NotShown, None),
        };
        Self { text, kind, count }
    }

    /// The CSS class of the table cell.
    pub fn class(&self) -> &'static str {
        match self.kind {
            CellKind::Count => "count",
            CellKind::FewerThanK => "count suppressed",
            CellKind::Withheld | CellKind::NotShown => "count withheld",
        }
    }
}

impl Serialize for CellView {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.count {
            Some(n) => s.serialize_u64(n),
            None => s.serialize_str(&self.text),
        }
    }
}

/// A row or column heading: a stable code and the words shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Heading {
    /// Stable code (`commission`, `2026-07`, `total`).
    pub code: String,
    /// Words shown.
    pub label: String,
}

/// One row of a table.
#[derive(Debug, Clone, Serialize)]
pub struct RowView {
    /// Code and label.
    #[serde(flatten)]
    pub heading: Heading,
    /// One value per column.
    pub values: Vec<CellView>,
    /// Whether this is the totals row.
    #[serde(skip)]
    pub is_total: bool,
}

/// One table of the report, with its chart.
#[derive(Debug, Clone, Serialize)]
pub struct TableView {
    /// Stable identifier (`outcomes`).
    pub id: &'static str,
    /// Title shown above the table.
    pub title: String,
    /// Heading of the row-label column.
    pub row_heading: &'static str,
    /// The value columns.
    pub columns: Vec<Heading>,
    /// The rows, the totals row last.
    pub rows: Vec<RowView>,
    /// A remark shown under the table.
    pub note: Option<String>,
    /// The chart drawn beside the table.
    #[serde(skip)]
    pub chart: Option<Chart>,
}

/// The whole report as words and numbers, shared by the three renderers.
#[derive(Debug, Clone)]
pub struct ReportView {
    /// The page title.
    pub title: String,
    /// The period's code (`2026Q3`).
    pub period_code: String,
    /// The period in words.
    pub period_label: String,
    /// The threshold k.
    pub threshold: u32,
    /// The configured epsilon, if noise was added.
    pub epsilon: Option<f64>,
    /// Plain-language summary, one sentence each.
    pub summary: Vec<String>,
    /// The tables.
    pub tables: Vec<TableView>,
    /// Statement of method, one paragraph each.
    pub method: Vec<String>,
}

impl ReportView {
    /// The view of `release`.
    pub fn new(release: &Release) -> Self {
        let period = release.period;
        let k = release.threshold;
        let mut tables = concerns_tables(release);
        tables.push(one_way_table(
            "outcomes",
            "How concerns ended",
            "Outcome",
            &release.outcomes,
            release,
            None,
        ));
        tables.push(one_way_table(
            "time_to_close",
            "Time from first contact to closing",
            "Time to close",
            &release.time_to_close,
            release,
            None,
        ));
        tables.push(one_way_table(
            "channels",
            "How concerns reached the ombuds",
            "Channel",
            &release.channels,
            release,
            None,
        ));
        tables.push(one_way_table(
            "raised_by",
            "Who raised concerns",
            "Raised by",
            &release.raised_by,
            release,
            None,
        ));
        tables.push(one_way_table(
            "services",
            "Services given",
            "Service",
            &release.services,
            release,
            Some(
                "A concern may receive several services, so these numbers do not add up to the \
                 number of concerns."
                    .to_owned(),
            ),
        ));
        Self {
            title: format!("Board trend report: {}", period.label()),
            period_code: period.to_string(),
            period_label: period.label(),
            threshold: k,
            epsilon: release.noise.map(|n| n.epsilon),
            summary: summary(release),
            tables,
            method: method(release),
        }
    }
}

fn total_heading(code: &str, label: &str) -> Heading {
    Heading {
        code: code.to_owned(),
        label: label.to_owned(),
    }
}

/// The note of a table whose body is withheld. Releases made under the current rule say how
/// many concerns a breakdown needs ([`crate::domain::trends::disclosure::breakdown_threshold`]),
/// which depends on the number of rows and `k` alone.
fn withheld_note(rows: &[RowView], release: &Release) -> Option<String> {
    let body: Vec<&RowView> = rows.iter().filter(|r| !r.is_total).collect();
    let withheld = body
        .iter()
        .flat_map(|r| r.values.iter())
        .all(|v| v.kind == CellKind::NotShown);
    withheld.then(|| {
        let mut note = "Not shown for this period: the numbers are too few to show any \
                        breakdown without revealing something about individual concerns."
            .to_owned();
        if release.format >= 2 {
            let needed = disclosure::breakdown_threshold(body.len(), u64::from(release.threshold));
            note.push_str(&format!(
                " A table of {} rows is broken down only from {needed} concerns.",
                body.len()
            ));
        }
        note
    })
}

/// The concerns tables: by kind (and by kind and sub-period when published), and for a quarter
/// or a year released without the kinds by sub-period, the sub-periods as a table of their own.
fn concerns_tables(release: &Release) -> Vec<TableView> {
    let table = &release.concerns;
    let period = release.period;
    let split = !table.columns.is_empty() && table.rows.iter().all(|r| r.by_period.is_empty());
    if !split {
        return vec![concerns_table(table, release)];
    }
    let kinds = CategoryTable {
        columns: Vec::new(),
        rows: table.rows.clone(),
        column_totals: Vec::new(),
        total: table.total,
    };
    let mut tables = vec![concerns_table(&kinds, release)];
    let (title, row_heading) = match period {
        Period::Year(_) => ("Concerns closed, by quarter", "Quarter"),
        _ => ("Concerns closed, by month", "Month"),
    };
    let rows = table
        .columns
        .iter()
        .zip(&table.column_totals)
        .map(|(p, &cell)| {
            let heading = Heading {
                code: p.to_string(),
                label: p.short_label(),
            };
            (heading, cell)
        })
        .collect();
    tables.push(counts_table(
        "sub_periods",
        title,
        row_heading,
        rows,
        Some(table.total),
        release,
        None,
    ));
    tables
}

fn concerns_table(table: &CategoryTable, release: &Release) -> TableView {
    let period = release.period;
    let k = release.threshold;
    let whole = format!("Whole {}", period.noun());
    let mut columns: Vec<Heading> = table
        .columns
        .iter()
        .map(|p| Heading {
            code: p.to_string(),
            label: p.short_label(),
        })
        .collect();
    columns.push(total_heading("total", &whole));
    let mut rows: Vec<RowView> = table
        .rows
        .iter()
        .map(|row| RowView {
            heading: Heading {
                code: row.category.code().to_owned(),
                label: row.category.board_label().to_owned(),
            },
            values: row
                .by_period
                .iter()
                .chain(std::iter::once(&row.total))
                .map(|&c| CellView::new(c, k))
                .collect(),
            is_total: false,
        })
        .collect();
    rows.push(RowView {
        heading: total_heading("total", "All kinds of concern"),
        values: table
            .column_totals
            .iter()
            .chain(std::iter::once(&table.total))
            .map(|&c| CellView::new(c, k))
            .collect(),
        is_total: true,
    });
    let note = withheld_note(&rows, release);
    let (id, title) = match (period, table.columns.is_empty()) {
        (_, true) => ("concerns", "Concerns closed, by kind".to_owned()),
        (Period::Year(_), false) => (
            "concerns",
            "Concerns closed, by kind and quarter".to_owned(),
        ),
        (_, false) => ("concerns", "Concerns closed, by kind and month".to_owned()),
    };
    let chart_title = format!("{title}, {}", period.label());
    let chart = note.is_none().then(|| {
        let series: Vec<String> = if table.columns.is_empty() {
            vec![whole.clone()]
        } else {
            table.columns.iter().map(|p| p.short_label()).collect()
        };
        let body: Vec<&RowView> = rows.iter().filter(|r| !r.is_total).collect();
        let groups: Vec<Group<'_>> = body
            .iter()
            .map(|r| Group {
                label: &r.heading.label,
                cells: if table.columns.is_empty() {
                    &r.values[..]
                } else {
                    &r.values[..r.values.len().saturating_sub(1)]
                },
            })
            .collect();
        let description = describe(&body, &columns, table.columns.is_empty());
        chart::bars(
            "chart-concerns",
            &chart_title,
            description,
            &series,
            &groups,
            k,
        )
    });
    TableView {
        id,
        title,
        row_heading: "Kind of concern",
        columns,
        rows,
        note,
        chart,
    }
}

fn one_way_table<D: Dimension>(
    id: &'static str,
    title: &str,
    row_heading: &'static str,
    table: &OneWayTable<D>,
    release: &Release,
    remark: Option<String>,
) -> TableView {
    let rows = table
        .rows
        .iter()
        .map(|row| {
            let heading = Heading {
                code: row.key.code().to_owned(),
                label: row.key.board_label().to_owned(),
            };
            (heading, row.count)
        })
        .collect();
    counts_table(id, title, row_heading, rows, table.total, release, remark)
}

/// A table of closed concerns with one column of counts, its total row (if any) last, and its
/// bar chart unless its rows are not shown.
fn counts_table(
    id: &'static str,
    title: &str,
    row_heading: &'static str,
    body: Vec<(Heading, Cell)>,
    total: Option<Cell>,
    release: &Release,
    remark: Option<String>,
) -> TableView {
    let k = release.threshold;
    let columns = vec![total_heading("count", "Closed concerns")];
    let mut rows: Vec<RowView> = body
        .into_iter()
        .map(|(heading, cell)| RowView {
            heading,
            values: vec![CellView::new(cell, k)],
            is_total: false,
        })
        .collect();
    if let Some(total) = total {
        rows.push(RowView {
            heading: total_heading("total", "All closed concerns"),
            values: vec![CellView::new(total, k)],
            is_total: true,
        });
    }
    let note = withheld_note(&rows, release).or(remark);
    let withheld = rows
        .iter()
        .filter(|r| !r.is_total)
        .all(|r| r.values.iter().all(|v| v.kind == CellKind::NotShown));
    let chart = (!withheld).then(|| {
        let body: Vec<&RowView> = rows.iter().filter(|r| !r.is_total).collect();
        let groups: Vec<Group<'_>> = body
            .iter()
            .map(|r| Group {
                label: &r.heading.label,
                cells: &r.values,
            })
            .collect();
        chart::bars(
            &format!("chart-{id}"),
            title,
            describe(&body, &columns, true),
            &["Closed concerns".to_owned()],
            &groups,
            k,
        )
    });
    TableView {
        id,
        title: title.to_owned(),
        row_heading,
        columns,
        rows,
        note,
        chart,
    }
}

/// The text alternative of a chart: every row and its values.
fn describe(rows: &[&RowView], columns: &[Heading], single: bool) -> String {
    let parts: Vec<String> = rows
        .iter()
        .map(|r| {
            if single {
                let value = r.values.last().map_or("", |v| v.text.as_str());
                format!("{}: {value}", r.heading.label)
            } else {
                let values: Vec<String> = columns
                    .iter()
                    .zip(&r.values)
                    .filter(|(c, _)| c.code != "total")
                    .map(|(c, v)| format!("{} {}", c.label, v.text))
                    .collect();
                format!("{}: {}", r.heading.label, values.join(", "))
            }
        })
        .collect();
    format!("Bar chart. {}.", parts.join("; "))
}

/// A label inside a sentence: "Successfully closed" → "successfully closed", but
/// "REALTOR® members" stays.
fn in_sentence(label: &str) -> String {
    let mut chars = label.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && second.is_lowercase() => {
            first.to_lowercase().chain(label.chars().skip(1)).collect()
        }
        _ => label.to_owned(),
    }
}

/// "12 of 40 (30%)".
fn share(part: u64, whole: u64) -> String {
    if whole == 0 {
        return part.to_string();
    }
    let percent = (part * 100 + whole / 2) / whole;
    format!("{part} of {whole} ({percent}%)")
}

/// The largest shown rows of a table, and whether they are certainly the largest: they are not
/// if another row is withheld or not shown (it could be larger). A shown count is always at
/// least k, so it is above every "fewer than k".
struct Lead {
    names: Vec<String>,
    count: u64,
    certain: bool,
}

fn lead(rows: &[(String, Cell)]) -> Option<Lead> {
    let count = rows.iter().filter_map(|(_, c)| c.count()).max()?;
    Some(Lead {
        names: rows
            .iter()
            .filter(|(_, c)| c.count() == Some(count))
            .map(|(label, _)| label.clone())
            .collect(),
        count,
        certain: !rows
            .iter()
            .any(|(_, c)| matches!(c, Cell::Withheld | Cell::NotShown)),
    })
}

/// A table's rows as (label, cell).
type Rows = Vec<(String, Cell)>;

fn rows_of<D: Dimension>(table: &OneWayTable<D>) -> Rows {
    table
        .rows
        .iter()
        .map(|r| (r.key.board_label().to_owned(), r.count))
        .collect()
}

fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The plain-language summary, from published numbers only and about the whole period only.
fn summary(release: &Release) -> Vec<String> {
    let period = release.period;
    let k = release.threshold;
    let noun = period.noun();
    let about = if release.noise.is_some() {
        "about "
    } else {
        ""
    };
    let mut lines = Vec::new();
    let Cell::Count(total) = release.concerns.total else {
        lines.push(format!(
            "Fewer than {k} concerns were closed in {}, too few to show any breakdown.",
            period.label()
        ));
        return lines;
    };
    lines.push(format!(
        "{}{total} concerns were closed in {}.",
        crate::i18n::capitalize(about),
        period.label()
    ));
    let categories: Vec<(String, Cell)> = release
        .concerns
        .rows
        .iter()
        .map(|r| (r.category.board_label().to_owned(), r.total))
        .collect();
    if let Some(top) = lead(&categories) {
        let amount = format!("{about}{}", share(top.count, total));
        let names: Vec<String> = top.names.iter().map(|n| in_sentence(n)).collect();
        lines.push(match (top.certain, top.names.len()) {
            (true, 1) => format!(
                "The most frequent kind of concern this {noun} was {}: {amount}.",
                and_list(&names)
            ),
            (true, _) => format!(
                "The most frequent kinds of concern this {noun} were {}, with {about}{} each \
                 of {total}.",
                and_list(&names),
                top.count
            ),
            (false, _) => format!(
                "Among the kinds of concern that can be shown, {} had the most this {noun}: \
                 {amount}.",
                and_list(&names)
            ),
        });
    }
    if categories.iter().all(|(_, c)| *c == Cell::NotShown) {
        lines.push(format!(
            "Too few concerns were closed this {noun} to show them by kind."
        ));
    }
    for (label, cell) in &categories {
        lines.push(match cell {
            Cell::Count(n) => format!("{label}: {about}{}.", share(*n, total)),
            Cell::FewerThanK => format!("{label}: fewer than {k}; the exact number is not shown."),
            Cell::Withheld => format!(
                "{label}: withheld, so that smaller numbers elsewhere cannot be worked out."
            ),
            Cell::NotShown => continue,
        });
    }
    let tables: [(Rows, Option<Cell>, &str); 5] = [
        (
            rows_of(&release.outcomes),
            release.outcomes.total,
            "The most common outcome was {names}: {amount}.",
        ),
        (
            rows_of(&release.time_to_close),
            release.time_to_close.total,
            "The most common time from first contact to closing was {names}: {amount}.",
        ),
        (
            rows_of(&release.channels),
            release.channels.total,
            "Most often, concerns reached the ombuds by {names}: {amount}.",
        ),
        (
            rows_of(&release.raised_by),
            release.raised_by.total,
            "Concerns were most often raised by {names}: {amount}.",
        ),
        (
            rows_of(&release.services),
            release.services.total,
            "The service given most often was {names}: {amount}.",
        ),
    ];
    for (rows, table_total, sentence) in tables {
        let Some(top) = lead(&rows).filter(|top| top.certain) else {
            continue;
        };
        let names: Vec<String> = top.names.iter().map(|n| in_sentence(n)).collect();
        let amount = match table_total.and_then(Cell::count) {
            Some(table_total) => format!("{about}{}", share(top.count, table_total)),
            None => format!("{about}{} closed concerns", top.count),
        };
        lines.push(
            sentence
                .replace("{names}", &and_list(&names))
                .replace("{amount}", &amount),
        );
    }
    lines
}

/// The statement of method.
fn method(release: &Release) -> Vec<String> {
    let k = release.threshold;
    let period = release.period;
    let by_kind_and_period = release
        .concerns
        .rows
        .iter()
        .any(|r| !r.by_period.is_empty());
    let breakdown = match (period, by_kind_and_period) {
        (Period::Month(_), _) => "",
        (Period::Quarter { .. }, true) => " Kinds of concern are also shown month by month.",
        (Period::Year(_), true) => " Kinds of concern are also shown quarter by quarter.",
        (Period::Quarter { .. }, false) => " Concerns are also counted month by month.",
        (Period::Year(_), false) => " Concerns are also counted quarter by quarter.",
    };
    let noun = period.noun();
    let threshold = if release.format >= 2 {
        format!(
            "Threshold: a number below {k} is shown as \u{201c}fewer than {k}\u{201d}. A table \
             is broken down only when its total is at least {k} times its number of rows, less \
             one; below that, only its total is shown and its rows read \u{201c}not \
             shown\u{201d}. Where the numbers below {k} in a table could otherwise be worked out \
             from its total, numbers of {k} or more are hidden as \u{201c}withheld\u{201d}, \
             taken from the bottom of the table up and never chosen by their size. Kinds of \
             concern are broken down by month or quarter only when no such number is below \
             {k}. These choices depend only on what is published, so knowing how they are made \
             tells a reader nothing more. Before a report is published it is checked together \
             with every earlier report: each hidden number must leave at least {k} possible \
             values, and each \u{201c}fewer than {k}\u{201d} every value from 0 to {}.",
            k.saturating_sub(1)
        )
    } else {
        format!(
            "Threshold: a number below {k} is shown as \u{201c}fewer than {k}\u{201d}. Where a \
             hidden number could otherwise be worked out by subtracting shown numbers from a \
             total (including totals that several tables share), further numbers are hidden as \
             \u{201c}withheld\u{201d}; each of those is {k} or more. A table marked \
             \u{201c}not shown\u{201d} has too few concerns to show any breakdown safely. Each \
             release is checked so that no hidden number can be worked out exactly from \
             everything it shows."
        )
    };
    let mut paragraphs = vec![
        format!(
            "What is counted: concerns closed in {}. When a concern is closed, one is added to \
             a few counters (the month, the kind of concern, who raised it, how it arrived, the \
             services given, how it ended and roughly how long it took); then the concern and \
             everything written about it are destroyed. The counters are all that remains. \
             Nothing is counted by respondent, brokerage or office, and no date finer than a \
             month is kept.",
            period.label()
        ),
        threshold,
    ];
    paragraphs.push(match release.noise {
        Some(noise) => format!(
            "Noise: random whole numbers (discrete Laplace noise) were added to every count \
             before the threshold was applied, with a privacy budget of \u{3b5} = {} for this \
             report, shared equally by its six tables. The unit protected is one closed \
             concern: adding or removing any single concern changes the chance of any result \
             of this report by a factor of at most {:.2}. Noisy counts below zero are shown as \
             0, and totals are the sums of the noisy counts, so tables may not agree exactly \
             with one another. A concern also counts in the reports of the month, quarter and \
             year it was closed in, and each of those reports spends its own budget.",
            noise.epsilon,
            noise.epsilon.exp()
        ),
        None => "Noise: none. Every number shown is exact.".to_owned(),
    });
    paragraphs.push(format!(
        "What the board can learn: for the {noun} as a whole, how many concerns were closed, \
         of what kinds, how they reached the ombuds, who raised them, the services given, how \
         they ended and how long they took.{breakdown} What it cannot learn: who raised any \
         concern, whom it was about, any brokerage or office, any date, or anything anyone \
         wrote."
    ));
    paragraphs
}

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
