//! Tests of the board report renderers: snapshots of the CSV and JSON of one crafted release,
//! well-formed SVG, no date finer than a month, the three forms agreeing, byte-identical output.

use chrono::NaiveDate;

use super::*;
use crate::domain::case::{Channel, Outcome, Service};
use crate::domain::concern::{Category, RaisedBy};
use crate::domain::trends::{
    CaseCell, CounterKey, DaysBucket, NoiseSeed, Release, ServiceCell, TrendSettings, build_release,
};
use crate::i18n::Site;

fn site() -> Site {
    Site {
        letterhead: crate::config::Letterhead {
            name: "Example Association of REALTORS®".to_owned(),
            phone: Some("555-0100".to_owned()),
            email: None,
            postal_address: None,
        },
        lang: crate::i18n::Lang::En,
        switch_path: None,
    }
}

fn key(
    month: &str,
    category: Category,
    outcome: Outcome,
    channel: Channel,
    raised_by: RaisedBy,
    days_to_close: DaysBucket,
) -> CounterKey {
    CounterKey::Case(CaseCell {
        month: month.parse().unwrap(),
        category,
        raised_by,
        channel,
        outcome,
        days_to_close,
    })
}

fn service(month: &str, service: Service) -> CounterKey {
    CounterKey::Service(ServiceCell {
        month: month.parse().unwrap(),
        service,
    })
}

/// Forty concerns closed in the third quarter of 2026.
fn counters() -> Vec<(CounterKey, u64)> {
    use Category::*;
    use Channel::*;
    use DaysBucket::*;
    use Outcome::*;
    use RaisedBy::*;
    vec![
        (
            key(
                "2026-07",
                Commission,
                SuccessfullyClosed,
                Web,
                Client,
                UpTo30,
            ),
            6,
        ),
        (
            key(
                "2026-08",
                Commission,
                SuccessfullyClosed,
                Phone,
                Member,
                UpTo7,
            ),
            5,
        ),
        (
            key(
                "2026-09",
                Commission,
                UnsuccessfullyClosed,
                Web,
                Client,
                UpTo90,
            ),
            3,
        ),
        (
            key(
                "2026-07",
                Communication,
                SuccessfullyClosed,
                Web,
                Public,
                UpTo30,
            ),
            7,
        ),
        (
            key("2026-08", Communication, Withdrawn, Email, Client, UpTo7),
            2,
        ),
        (
            key(
                "2026-09",
                Communication,
                SuccessfullyClosed,
                Web,
                Client,
                UpTo30,
            ),
            6,
        ),
        (
            key(
                "2026-08",
                Conduct,
                TerminatedPublicTrust,
                Phone,
                Client,
                UpTo7,
            ),
            1,
        ),
        (key("2026-09", Conduct, Declined, Web, Member, UpTo30), 2),
        (
            key(
                "2026-07",
                TransactionQuestion,
                SuccessfullyClosed,
                Web,
                Public,
                UpTo7,
            ),
            5,
        ),
        (
            key("2026-09", LostContact, Dismissed, WalkIn, Public, Over90),
            3,
        ),
        (service("2026-07", Service::AnswerInformation), 12),
        (service("2026-08", Service::Coaching), 3),
        (service("2026-09", Service::FacilitatedDiscussion), 9),
    ]
}

fn release(period: &str, epsilon: Option<f64>) -> Release {
    let seed = NoiseSeed::from_bytes([42; 32]);
    build_release(
        period.parse().unwrap(),
        &counters(),
        &TrendSettings { k: 5, epsilon },
        Some(&seed),
        NaiveDate::from_ymd_opt(2027, 1, 4).unwrap(),
    )
    .unwrap()
}

/// Whether `text` contains a calendar date written `YYYY-MM-DD`.
fn has_day(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(9)).find_map(|i| {
        let w = &bytes[i..i + 10];
        let digit = |j: usize| w[j].is_ascii_digit();
        let shaped = (0..4).all(digit)
            && w[4] == b'-'
            && digit(5)
            && digit(6)
            && w[7] == b'-'
            && digit(8)
            && digit(9);
        shaped.then(|| &text[i..i + 10])
    })
}

fn every_output(release: &Release) -> [String; 3] {
    [
        render_html(release, &site()),
        render_csv(release),
        render_json(release, &site()),
    ]
}

#[test]
fn csv_snapshot() {
    insta::assert_snapshot!(render_csv(&release("2026Q3", None)));
}

#[test]
fn json_snapshot() {
    insta::assert_snapshot!(render_json(&release("2026Q3", None), &site()));
}

#[test]
fn noisy_json_snapshot() {
    insta::assert_snapshot!(render_json(&release("2026Q3", Some(2.0)), &site()));
}

#[test]
fn the_same_release_renders_byte_for_byte_the_same() {
    for epsilon in [None, Some(1.0)] {
        let first = every_output(&release("2026Q3", epsilon));
        let second = every_output(&release("2026Q3", epsilon));
        assert_eq!(first, second);
    }
}

#[test]
fn nothing_finer_than_a_month_is_ever_output() {
    for period in ["2026-07", "2026-08", "2026Q3", "2026"] {
        for epsilon in [None, Some(1.0)] {
            for output in every_output(&release(period, epsilon)) {
                assert_eq!(has_day(&output), None, "{period}: {output}");
            }
        }
    }
    assert_eq!(has_day("closed on 2026-07-03."), Some("2026-07-03"));
    assert_eq!(has_day("2026-07 and 2026Q3"), None);
}

#[test]
fn every_chart_is_well_formed_svg_with_a_text_alternative() {
    for period in ["2026-07", "2026Q3", "2026"] {
        let html = render_html(&release(period, None), &site());
        assert!(!html.contains("<script"), "no script");
        assert!(
            !html.contains(" style="),
            "no inline style (the CSP forbids it)"
        );
        let mut charts = 0;
        for piece in html.split("<svg").skip(1) {
            let end = piece.find("</svg>").expect("closed svg");
            let svg = format!("<svg{}</svg>", &piece[..end]);
            let doc =
                roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{period}: {e}\n{svg}"));
            let root = doc.root_element();
            assert_eq!(root.attribute("role"), Some("img"));
            let labelled_by = root.attribute("aria-labelledby").unwrap();
            for id in labelled_by.split(' ') {
                let node = doc
                    .descendants()
                    .find(|n| n.attribute("id") == Some(id))
                    .unwrap_or_else(|| panic!("no element {id}"));
                assert!(matches!(node.tag_name().name(), "title" | "desc"));
                assert!(!node.text().unwrap_or_default().is_empty());
            }
            charts += 1;
        }
        let view = ReportView::new(&release(period, None));
        let expected = view.tables.iter().filter(|t| t.chart.is_some()).count();
        assert_eq!(
            charts, expected,
            "{period}: one chart per table broken down"
        );
        // A table that is not broken down says so instead of drawing a chart.
        for table in &view.tables {
            assert_eq!(
                table.chart.is_none(),
                table
                    .note
                    .as_deref()
                    .is_some_and(|n| n.starts_with("Not shown for this period")),
                "{period} {}",
                table.id
            );
        }
        if period == "2026Q3" {
            assert_eq!(charts, 7, "every table of the quarter is broken down");
        }
    }
}

#[test]
fn suppressed_cells_are_drawn_and_labelled_distinctly() {
    let release = release("2026Q3", None);
    let html = render_html(&release, &site());
    assert!(html.contains("fill=\"url(#chart-concerns-hatch)\""));
    assert!(html.contains("stroke-dasharray"));
    assert!(html.contains("<td class=\"count suppressed\">fewer than 5</td>"));
    assert!(html.contains("<td class=\"count withheld\">withheld</td>"));
    assert!(html.contains(">fewer than 5</text>"));
    // The text alternative of the concerns chart names the hidden cells the same way.
    assert!(html.contains(
        "Breakdown or loss of contact: fewer than 5; Unprofessional or possibly unethical \
         conduct: fewer than 5; Commission disputes: withheld."
    ));
    // The months of the quarter are a table of their own.
    assert!(html.contains("Bar chart. July: 18; August: 8; September: 14."));
}

#[test]
fn html_csv_and_json_show_the_same_numbers() {
    for period in ["2026-07", "2026Q3", "2026"] {
        let release = release(period, None);
        let csv = render_csv(&release);
        let json: serde_json::Value =
            serde_json::from_str(&render_json(&release, &site())).unwrap();
        let mut from_json = Vec::new();
        for table in json["tables"].as_array().unwrap() {
            for row in table["rows"].as_array().unwrap() {
                for (column, value) in table["columns"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .zip(row["values"].as_array().unwrap())
                {
                    let value = match value {
                        serde_json::Value::Number(n) => n.to_string(),
                        other => other.as_str().unwrap().to_owned(),
                    };
                    from_json.push(format!(
                        "{},{},{},{}",
                        table["id"].as_str().unwrap(),
                        row["code"].as_str().unwrap(),
                        column["code"].as_str().unwrap(),
                        value
                    ));
                }
            }
        }
        let from_csv: Vec<String> = csv
            .lines()
            .skip(1)
            .map(|line| {
                let fields: Vec<&str> = line.split(',').collect();
                format!(
                    "{},{},{},{}",
                    fields[0],
                    fields[1],
                    fields[3],
                    fields[fields.len() - 1]
                )
            })
            .collect();
        assert_eq!(from_json, from_csv, "{period}");
        let html = render_html(&release, &site());
        let html_cells: Vec<&str> = html
            .split("<td class=\"")
            .skip(1)
            .map(|piece| {
                let start = piece.find('>').unwrap() + 1;
                &piece[start..piece.find("</td>").unwrap()]
            })
            .collect();
        let csv_values: Vec<&str> = from_csv
            .iter()
            .map(|l| l.rsplit(',').next().unwrap())
            .collect();
        assert_eq!(html_cells, csv_values, "{period}");
    }
}

#[test]
fn the_summary_uses_shown_numbers_and_the_whole_period_only() {
    let release = release("2026Q3", None);
    let view = ReportView::new(&release);
    assert_eq!(
        view.summary[0],
        "40 concerns were closed in July to September 2026 (Q3)."
    );
    for line in &view.summary {
        assert!(!line.contains("August"), "{line}");
    }
    let text = view.summary.join("\n");
    assert!(
        text.contains(
            "Among the kinds of concern that can be shown, disagreements or communication \
             problems had the most this quarter: 15 of 40 (38%)."
        ),
        "{text}"
    );
    assert!(text.contains(
        "Unprofessional or possibly unethical conduct: fewer than 5; the exact number is not shown."
    ));
    assert!(text.contains("The most common outcome was successfully closed: 29 of 40 (73%)."));
    assert!(
        text.contains(
            "The service given most often was answer or information: 12 closed concerns."
        )
    );
}

#[test]
fn a_withheld_table_says_so_and_has_no_chart() {
    // Five concerns, all with the same outcome, in one month.
    let counters: Vec<_> = [Category::Commission, Category::Conduct]
        .into_iter()
        .zip([3, 2])
        .map(|(category, n)| {
            (
                key(
                    "2026-07",
                    category,
                    Outcome::SuccessfullyClosed,
                    Channel::Web,
                    RaisedBy::Client,
                    DaysBucket::UpTo7,
                ),
                n,
            )
        })
        .collect();
    let release = build_release(
        "2026-07".parse().unwrap(),
        &counters,
        &TrendSettings::default(),
        None,
        NaiveDate::from_ymd_opt(2026, 8, 1).unwrap(),
    )
    .unwrap();
    let html = render_html(&release, &site());
    assert!(html.contains("Not shown for this period"));
    assert!(!html.contains("id=\"chart-outcomes-title\""));
    assert!(
        render_csv(&release)
            .contains("outcomes,withdrawn,Withdrawn by the user,count,Closed concerns,not shown")
    );
}

#[test]
fn the_method_states_threshold_and_noise() {
    let exact = ReportView::new(&release("2026", None)).method.join("\n");
    assert!(exact.contains("a number below 5 is shown as “fewer than 5”"));
    assert!(exact.contains("Noise: none."));
    let noisy = ReportView::new(&release("2026", Some(1.0)))
        .method
        .join("\n");
    assert!(noisy.contains("ε = 1 for this report"), "{noisy}");
    assert!(noisy.contains("The unit protected is one closed concern"));
    assert!(noisy.contains("at most 2.72"));
    assert!(noisy.contains("shown as 0"));
}

#[test]
fn a_period_with_too_few_concerns_says_only_that() {
    let release = build_release(
        "2026-08".parse().unwrap(),
        &counters(),
        &TrendSettings {
            k: 20,
            epsilon: None,
        },
        None,
        NaiveDate::from_ymd_opt(2026, 9, 1).unwrap(),
    )
    .unwrap();
    let view = ReportView::new(&release);
    assert_eq!(
        view.summary,
        ["Fewer than 20 concerns were closed in August 2026, too few to show any breakdown."]
    );
}

#[test]
fn a_period_too_small_to_break_down_says_so_once() {
    // August: eight concerns, below the 24 a breakdown by kind needs at k = 5.
    let release = release("2026-08", None);
    let view = ReportView::new(&release);
    assert_eq!(
        view.summary,
        [
            "8 concerns were closed in August 2026.",
            "Too few concerns were closed this month to show them by kind."
        ]
    );
    let note = view.tables[0].note.as_deref().unwrap();
    assert!(
        note.ends_with("A table of 5 rows is broken down only from 24 concerns."),
        "{note}"
    );
}
