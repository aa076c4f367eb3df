//! The report's words: the plain-language summary (from published numbers only, about the
//! whole period only), the statement of method, and the text alternatives of the charts.

use super::view::{Heading, RowView};
use crate::domain::trends::{Cell, Dimension, OneWayTable, Period, Release};

/// The text alternative of a chart: every row and its values.
pub(super) fn describe(rows: &[&RowView], columns: &[Heading], single: bool) -> String {
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

fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The plain-language summary, from published numbers only and about the whole period only.
pub(super) fn summary(release: &Release) -> Vec<String> {
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
pub(super) fn method(release: &Release) -> Vec<String> {
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

/// A table's rows as (label, cell).
type Rows = Vec<(String, Cell)>;

fn rows_of<D: Dimension>(table: &OneWayTable<D>) -> Rows {
    table
        .rows
        .iter()
        .map(|r| (r.key.board_label().to_owned(), r.count))
        .collect()
}
