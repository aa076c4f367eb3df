//! The view of a release: its tables of words and numbers (what every renderer prints), with
//! the summary and the statement of method from [`super::prose`]. Titles, headings and markers
//! are `[board.table]` and `[board.cell]` of `translations/en.toml`. It decides nothing about
//! what is hidden (that is `crate::domain::trends::disclosure`).

use serde::Serialize;

use super::WORDS;
use super::chart::{self, Chart, Group};
use super::prose::{describe, method, summary};
use crate::domain::trends::{
    CategoryTable, Cell, Dimension, OneWayTable, Period, Release, disclosure,
};

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
            Cell::FewerThanK => (
                WORDS.f("board.cell.fewer_than", &[("k", &k)]),
                CellKind::FewerThanK,
                None,
            ),
            Cell::Withheld => (
                WORDS.t("board.cell.withheld").to_owned(),
                CellKind::Withheld,
                None,
            ),
            Cell::NotShown => (
                WORDS.t("board.cell.not_shown").to_owned(),
                CellKind::NotShown,
                None,
            ),
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
    /// Fewer than k concerns were closed in the period: every number of every table is
    /// "fewer than k", so the page says so in a sentence and draws no table or chart (the CSV
    /// and JSON keep the tables, for whoever reads them by program). Whether it was none is
    /// not said: that is what "fewer than k" hides.
    pub too_few: bool,
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
            WORDS.t("board.table.outcomes"),
            WORDS.t("board.table.outcome"),
            &release.outcomes,
            release,
            None,
        ));
        tables.push(one_way_table(
            "time_to_close",
            WORDS.t("board.table.time_to_close"),
            WORDS.t("board.table.time"),
            &release.time_to_close,
            release,
            None,
        ));
        tables.push(one_way_table(
            "channels",
            WORDS.t("board.table.channels"),
            WORDS.t("board.table.channel"),
            &release.channels,
            release,
            None,
        ));
        tables.push(one_way_table(
            "raised_by",
            WORDS.t("board.table.raised_by"),
            WORDS.t("board.table.raised"),
            &release.raised_by,
            release,
            None,
        ));
        tables.push(one_way_table(
            "services",
            WORDS.t("board.table.services"),
            WORDS.t("board.table.service"),
            &release.services,
            release,
            Some(WORDS.t("board.table.services_note").to_owned()),
        ));
        Self {
            title: WORDS.f("board.table.title", &[("period", &WORDS.period(period))]),
            period_code: period.to_string(),
            period_label: WORDS.period(period),
            threshold: k,
            epsilon: release.noise.map(|n| n.epsilon),
            summary: summary(release),
            too_few: release.concerns.total.count().is_none(),
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
        let mut note = WORDS.t("board.table.not_shown").to_owned();
        if release.format >= 2 {
            let needed = disclosure::breakdown_threshold(body.len(), u64::from(release.threshold));
            note.push(' ');
            note.push_str(&WORDS.f(
                "board.table.needs",
                &[("rows", &body.len()), ("needed", &needed)],
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
        Period::Year(_) => ("board.table.by_quarter", "board.table.quarter"),
        _ => ("board.table.by_month", "board.table.month"),
    };
    let rows = table
        .columns
        .iter()
        .zip(&table.column_totals)
        .map(|(p, &cell)| {
            let heading = Heading {
                code: p.to_string(),
                label: WORDS.period_short(*p),
            };
            (heading, cell)
        })
        .collect();
    tables.push(counts_table(
        "sub_periods",
        WORDS.t(title),
        WORDS.t(row_heading),
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
    let whole = WORDS.f("board.table.whole", &[("noun", &WORDS.period_noun(period))]);
    let mut columns: Vec<Heading> = table
        .columns
        .iter()
        .map(|p| Heading {
            code: p.to_string(),
            label: WORDS.period_short(*p),
        })
        .collect();
    columns.push(total_heading("total", &whole));
    let mut rows: Vec<RowView> = table
        .rows
        .iter()
        .map(|row| RowView {
            heading: Heading {
                code: row.category.code().to_owned(),
                label: WORDS.t(row.category.board_key()).to_owned(),
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
        heading: total_heading("total", WORDS.t("board.table.all_kinds")),
        values: table
            .column_totals
            .iter()
            .chain(std::iter::once(&table.total))
            .map(|&c| CellView::new(c, k))
            .collect(),
        is_total: true,
    });
    let note = withheld_note(&rows, release);
    let title = WORDS.t(match (period, table.columns.is_empty()) {
        (_, true) => "board.table.concerns",
        (Period::Year(_), false) => "board.table.concerns_by_quarter",
        (_, false) => "board.table.concerns_by_month",
    });
    let chart_title = WORDS.f(
        "board.chart.title",
        &[("title", &title), ("period", &WORDS.period(period))],
    );
    let chart = note.is_none().then(|| {
        let series: Vec<String> = if table.columns.is_empty() {
            vec![whole.clone()]
        } else {
            table
                .columns
                .iter()
                .map(|&p| WORDS.period_short(p))
                .collect()
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
        id: "concerns",
        title: title.to_owned(),
        row_heading: WORDS.t("board.table.kind"),
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
                label: WORDS.t(row.key.board_key()).to_owned(),
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
    let closed = WORDS.t("board.table.closed_concerns");
    let columns = vec![total_heading("count", closed)];
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
            heading: total_heading("total", WORDS.t("board.table.all_closed")),
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
            &[closed.to_owned()],
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
