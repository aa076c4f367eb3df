//! The report's sentences: the plain-language summary (from published numbers only, about the
//! whole period only), the statement of method, and the text alternatives of the charts. The
//! words are `[board.summary]`, `[board.method]` and `[board.chart]` of `translations/en.toml`.

use super::WORDS;
use super::view::{Heading, RowView};
use crate::domain::trends::{Cell, Dimension, OneWayTable, Period, Release};

/// The text alternative of a chart: every row and its values.
pub(super) fn describe(rows: &[&RowView], columns: &[Heading], single: bool) -> String {
    let parts: Vec<String> = rows
        .iter()
        .map(|r| {
            let values = if single {
                r.values.last().map_or("", |v| v.text.as_str()).to_owned()
            } else {
                let values: Vec<String> = columns
                    .iter()
                    .zip(&r.values)
                    .filter(|(c, _)| c.code != "total")
                    .map(|(c, v)| format!("{} {}", c.label, v.text))
                    .collect();
                values.join(", ")
            };
            WORDS.f(
                "board.chart.row",
                &[("label", &r.heading.label), ("values", &values)],
            )
        })
        .collect();
    WORDS.f("board.chart.description", &[("rows", &parts.join("; "))])
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
    WORDS.f(
        "board.summary.share",
        &[("part", &part), ("whole", &whole), ("percent", &percent)],
    )
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

/// The names of the leading rows, inside a sentence: "a, b and c".
fn and_list(items: &[String]) -> String {
    let items: Vec<String> = items.iter().map(|n| in_sentence(n)).collect();
    match items.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => WORDS.f(
            "board.summary.and",
            &[("list", &rest.join(", ")), ("last", last)],
        ),
    }
}

/// A published number as the summary states it: "about 12" when the release has noise.
struct Amounts {
    noisy: bool,
}

impl Amounts {
    fn of(&self, amount: impl ToString) -> String {
        let amount = amount.to_string();
        if self.noisy {
            WORDS.f("board.summary.about", &[("n", &amount)])
        } else {
            amount
        }
    }
}

/// The plain-language summary, from published numbers only and about the whole period only.
pub(super) fn summary(release: &Release) -> Vec<String> {
    let period = WORDS.period(release.period);
    let k = release.threshold;
    let noun = WORDS.period_noun(release.period);
    let about = Amounts {
        noisy: release.noise.is_some(),
    };
    let mut lines = Vec::new();
    let Cell::Count(total) = release.concerns.total else {
        lines.push(WORDS.f("board.summary.too_few", &[("k", &k), ("period", &period)]));
        return lines;
    };
    lines.push(crate::i18n::capitalize(&WORDS.f(
        "board.summary.closed",
        &[("total", &about.of(total)), ("period", &period)],
    )));
    let categories: Vec<(String, Cell)> = release
        .concerns
        .rows
        .iter()
        .map(|r| (WORDS.t(r.category.board_key()).to_owned(), r.total))
        .collect();
    if let Some(top) = lead(&categories) {
        let amount = about.of(share(top.count, total));
        let names = and_list(&top.names);
        let key = match (top.certain, top.names.len()) {
            (true, 1) => "board.summary.top_kind",
            (true, _) => "board.summary.top_kinds",
            (false, _) => "board.summary.top_shown",
        };
        lines.push(WORDS.f(
            key,
            &[
                ("noun", &noun),
                ("names", &names),
                ("amount", &amount),
                ("count", &about.of(top.count)),
                ("total", &total),
            ],
        ));
    }
    if categories.iter().all(|(_, c)| *c == Cell::NotShown) {
        lines.push(WORDS.f("board.summary.none_by_kind", &[("noun", &noun)]));
    }
    for (label, cell) in &categories {
        let key = match cell {
            Cell::Count(_) => "board.summary.kind_count",
            Cell::FewerThanK => "board.summary.kind_fewer",
            Cell::Withheld => "board.summary.kind_withheld",
            Cell::NotShown => continue,
        };
        let amount = cell.count().map(|n| about.of(share(n, total)));
        lines.push(WORDS.f(
            key,
            &[
                ("label", label),
                ("amount", &amount.unwrap_or_default()),
                ("k", &k),
            ],
        ));
    }
    let tables: [(Rows, Option<Cell>, &str); 5] = [
        (
            rows_of(&release.outcomes),
            release.outcomes.total,
            "board.summary.outcome",
        ),
        (
            rows_of(&release.time_to_close),
            release.time_to_close.total,
            "board.summary.time_to_close",
        ),
        (
            rows_of(&release.channels),
            release.channels.total,
            "board.summary.channel",
        ),
        (
            rows_of(&release.raised_by),
            release.raised_by.total,
            "board.summary.raised_by",
        ),
        (
            rows_of(&release.services),
            release.services.total,
            "board.summary.service",
        ),
    ];
    for (rows, table_total, key) in tables {
        let Some(top) = lead(&rows).filter(|top| top.certain) else {
            continue;
        };
        let amount = match table_total.and_then(Cell::count) {
            Some(table_total) => about.of(share(top.count, table_total)),
            None => WORDS.f(
                "board.summary.closed_concerns",
                &[("n", &about.of(top.count))],
            ),
        };
        lines.push(WORDS.f(
            key,
            &[("names", &and_list(&top.names)), ("amount", &amount)],
        ));
    }
    lines
}

/// The statement of method.
pub(super) fn method(release: &Release) -> Vec<String> {
    let k = release.threshold;
    let period = release.period;
    let by_kind_and_period = release
        .concerns
        .rows
        .iter()
        .any(|r| !r.by_period.is_empty());
    let breakdown = match (period, by_kind_and_period) {
        (Period::Month(_), _) => None,
        (Period::Quarter { .. }, true) => Some("board.method.kinds_by_month"),
        (Period::Year(_), true) => Some("board.method.kinds_by_quarter"),
        (Period::Quarter { .. }, false) => Some("board.method.counted_by_month"),
        (Period::Year(_), false) => Some("board.method.counted_by_quarter"),
    };
    let threshold = if release.format >= 2 {
        "board.method.threshold"
    } else {
        "board.method.threshold_format_1"
    };
    let noise = match release.noise {
        Some(noise) => WORDS.f(
            "board.method.noise",
            &[
                ("epsilon", &noise.epsilon),
                ("factor", &format!("{:.2}", noise.epsilon.exp())),
            ],
        ),
        None => WORDS.t("board.method.no_noise").to_owned(),
    };
    let learn: Vec<String> = [
        Some(WORDS.f(
            "board.method.can_learn",
            &[("noun", &WORDS.period_noun(period))],
        )),
        breakdown.map(|key| WORDS.t(key).to_owned()),
        Some(WORDS.t("board.method.cannot_learn").to_owned()),
    ]
    .into_iter()
    .flatten()
    .collect();
    vec![
        WORDS.f("board.method.counted", &[("period", &WORDS.period(period))]),
        WORDS.f(threshold, &[("k", &k), ("below", &k.saturating_sub(1))]),
        noise,
        learn.join(" "),
    ]
}

/// A table's rows as (label, cell).
type Rows = Vec<(String, Cell)>;

fn rows_of<D: Dimension>(table: &OneWayTable<D>) -> Rows {
    table
        .rows
        .iter()
        .map(|r| (WORDS.t(r.key.board_key()).to_owned(), r.count))
        .collect()
}
