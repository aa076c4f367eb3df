//! `ombuds report`, run as a real process: the board trend report on stdout as HTML, CSV or
//! JSON, its exit status, and its one-line errors on stderr.

use serde_json::Value;
use tempfile::NamedTempFile;

use crate::support::cli::{Cli, Run, file};

fn report_with(args: &[&str], clock: Option<&str>) -> Run {
    let report = Cli::new("report");
    match clock {
        Some(instant) => report.clock(instant).run(args),
        None => report.run(args),
    }
}

fn report(args: &[&str]) -> Run {
    report_with(args, None)
}

/// Runs, expects success with nothing on stderr, and returns stdout.
fn ok(args: &[&str]) -> String {
    Cli::new("report").ok(args)
}

/// Runs, expects bad-input failure, and returns the one line printed on stderr.
fn bad(args: &[&str]) -> String {
    Cli::new("report").bad(args)
}

/// Runs a CSV report of `period` from `counters` under the configuration `config`, as of
/// `as_of`, with `extra` arguments.
fn csv_with(
    counters: &NamedTempFile,
    config: &str,
    period: &str,
    as_of: &str,
    extra: &[&str],
) -> Run {
    let config = file(".toml", config);
    let mut args = vec![
        "--period",
        period,
        "--format",
        "csv",
        "--counters",
        counters.path().to_str().unwrap(),
        "--config",
        config.path().to_str().unwrap(),
        "--as-of",
        as_of,
    ];
    args.extend_from_slice(extra);
    report(&args)
}

/// Forty concerns closed in the third quarter of 2026, and some outside it.
fn counters() -> NamedTempFile {
    file(
        ".json",
        r#"{
  "case:2026-07:commission:client:web:successfully_closed:days_8_30": 6,
  "case:2026-08:commission:member:phone:successfully_closed:days_0_7": 5,
  "case:2026-09:commission:client:web:unsuccessfully_closed:days_31_90": 3,
  "case:2026-07:communication:public:web:successfully_closed:days_8_30": 7,
  "case:2026-08:communication:client:email:withdrawn:days_0_7": 2,
  "case:2026-09:communication:client:web:successfully_closed:days_8_30": 6,
  "case:2026-08:conduct:client:phone:terminated_public_trust:days_0_7": 1,
  "case:2026-09:conduct:member:web:declined:days_8_30": 2,
  "case:2026-07:transaction_question:public:web:successfully_closed:days_0_7": 5,
  "case:2026-09:lost_contact:public:walk_in:dismissed:days_over_90": 3,
  "case:2026-10:commission:client:web:successfully_closed:days_0_7": 50,
  "service:2026-07:answer_information": 12,
  "service:2026-08:coaching": 3,
  "service:2026-09:facilitated_discussion": 9
}"#,
    )
}

/// Whether `text` contains a calendar date written `YYYY-MM-DD`.
fn has_day(text: &str) -> bool {
    let b = text.as_bytes();
    b.windows(10).any(|w| {
        let d = |i: usize| w[i].is_ascii_digit();
        (0..4).all(d) && w[4] == b'-' && d(5) && d(6) && w[7] == b'-' && d(8) && d(9)
    })
}

#[test]
fn every_format_prints_the_quarter() {
    let counters = counters();
    let path = counters.path().to_str().unwrap();
    let args = |format| {
        vec![
            "--period",
            "2026Q3",
            "--format",
            format,
            "--counters",
            path,
            "--as-of",
            "2026-10-01",
        ]
    };
    let csv = ok(&args("csv"));
    assert!(csv.starts_with("table,row,row_label,column,column_label,value\n"));
    assert!(csv.contains("concerns,total,All kinds of concern,total,Whole quarter,40\n"));
    assert!(csv.contains(
        "outcomes,unsuccessfully_closed,Unsuccessfully closed,count,Closed concerns,fewer than 5\n"
    ));

    let json: Value = serde_json::from_str(&ok(&args("json"))).unwrap();
    assert_eq!(json["period"]["code"], "2026Q3");
    assert_eq!(json["threshold"], 5);
    assert_eq!(json["tables"][0]["rows"][5]["values"][0], 40);
    assert_eq!(json["tables"][1]["id"], "sub_periods");
    assert_eq!(json["association"], "Ombuds program");

    let html = ok(&args("html"));
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains("<h1>Board trend report: July to September 2026 (Q3)</h1>"));
    assert!(!html.contains("<script"));
    assert!(
        !html.contains("cookie"),
        "a file written by the command line says nothing about cookies"
    );
    for piece in html.split("<svg").skip(1) {
        let svg = format!("<svg{}</svg>", &piece[..piece.find("</svg>").unwrap()]);
        roxmltree::Document::parse(&svg).unwrap();
    }

    for output in [csv, html] {
        assert!(!has_day(&output), "a date finer than a month: {output}");
    }
}

#[test]
fn the_same_inputs_print_the_same_bytes() {
    let counters = counters();
    let config = file(".toml", "[reports]\nk = 5\nepsilon = 1.0\n");
    let seed = "0f".repeat(32);
    for format in ["html", "csv", "json"] {
        let args = [
            "--period",
            "2026Q3",
            "--format",
            format,
            "--counters",
            counters.path().to_str().unwrap(),
            "--config",
            config.path().to_str().unwrap(),
            "--noise-seed",
            &seed,
            "--as-of",
            "2027-02-01",
        ];
        let first = ok(&args);
        assert_eq!(first, ok(&args), "{format}");
        assert!(!has_day(&first));
        assert!(!first.contains(&seed), "the seed is never printed");
    }
}

#[test]
fn an_incomplete_period_is_refused_naming_period() {
    let counters = counters();
    let path = counters.path().to_str().unwrap();
    assert_eq!(
        bad(&[
            "--period",
            "2026Q3",
            "--format",
            "csv",
            "--counters",
            path,
            "--as-of",
            "2026-09-30"
        ]),
        "error: --period 2026Q3: the period is not over until the end of Wednesday, 30 September 2026; it can be reported from the day after"
    );
    assert!(
        bad(&[
            "--period",
            "2026",
            "--format",
            "json",
            "--as-of",
            "2026-12-31"
        ])
        .starts_with("error: --period 2026: the period is not over")
    );
    assert!(
        bad(&[
            "--period",
            "2026-07",
            "--format",
            "html",
            "--as-of",
            "2026-07-31"
        ])
        .starts_with("error: --period 2026-07: the period is not over")
    );
}

#[test]
fn today_is_the_associations_date() {
    // 06:30 UTC on 1 October is still 30 September in Phoenix: the quarter is not over there.
    let counters = counters();
    let phoenix = file(".toml", "[association]\ntime_zone = \"America/Phoenix\"\n");
    let utc = file(".toml", "[association]\ntime_zone = \"UTC\"\n");
    let run = |config: &NamedTempFile| {
        report_with(
            &[
                "--period",
                "2026Q3",
                "--format",
                "csv",
                "--counters",
                counters.path().to_str().unwrap(),
                "--config",
                config.path().to_str().unwrap(),
            ],
            Some("2026-10-01T06:30:00Z"),
        )
    };
    let there = run(&phoenix);
    assert_eq!(there.code, Some(2), "{}", there.stderr);
    assert!(there.stderr.contains("--period 2026Q3"));
    assert_eq!(run(&utc).code, Some(0));
}

#[test]
fn bad_arguments_are_named() {
    assert_eq!(
        bad(&["--period", "2026Q5", "--format", "csv"]),
        "error: --period \"2026Q5\": there is no quarter 5; quarters are Q1 to Q4"
    );
    assert_eq!(
        bad(&["--period", "2026-07-01", "--format", "csv"]),
        "error: --period \"2026-07-01\": must be a month (2026-07), a quarter (2026Q3) or a year (2026)"
    );
    assert_eq!(
        bad(&[
            "--period", "2026Q3", "--format", "csv", "--as-of", "tomorrow"
        ]),
        "error: --as-of \"tomorrow\": must be a date written YYYY-MM-DD, for example 2026-03-31"
    );
    let pdf = report(&["--period", "2026Q3", "--format", "pdf"]);
    assert_eq!(pdf.code, Some(2));
    assert!(pdf.stderr.contains("--format"), "{}", pdf.stderr);
    assert_eq!(
        bad(&[
            "--period",
            "2026Q3",
            "--format",
            "csv",
            "--as-of",
            "2026-10-01"
        ]),
        "error: cannot read the configuration file ombuds-data/ombuds.toml: No such file or directory (os error 2)",
        "without --counters the report comes from the database of the configured data directory"
    );
    let bogus = file(".json", r#"{"case:2026-07:brokerage": 3}"#);
    let line = bad(&[
        "--period",
        "2026Q3",
        "--format",
        "csv",
        "--as-of",
        "2026-10-01",
        "--counters",
        bogus.path().to_str().unwrap(),
    ]);
    assert!(line.starts_with("error: --counters \""), "{line}");
    assert!(line.contains("case:2026-07:brokerage"), "{line}");
}

#[test]
fn the_reports_table_sets_the_threshold_and_is_checked() {
    let counters = counters();
    let with = |config: &str| csv_with(&counters, config, "2026Q3", "2026-10-01", &[]);
    let k3 = with("[server]\nlisten = \"x\"\n\n[reports]\nk = 3\n");
    assert_eq!(k3.code, Some(0), "{}", k3.stderr);
    assert!(k3.stdout.contains(",fewer than 3\n"));
    assert!(!k3.stdout.contains("fewer than 5"));

    let run = with("[reports]\nk = 1\n");
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr
            .contains("setting `reports.k`: must be at least 2 (got 1)"),
        "{}",
        run.stderr
    );
    let run = with("[reports]\nepsilon = 0.0\n");
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("setting `reports.epsilon`"),
        "{}",
        run.stderr
    );
    let run = with("[reports]\nthreshold = 5\n");
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("line 2"), "{}", run.stderr);
    assert!(run.stderr.contains("threshold"), "{}", run.stderr);
}

#[test]
fn the_association_is_named_on_the_page() {
    let counters = counters();
    let config = file(
        ".toml",
        "[association]\nname = \"Desert Association of REALTORS®\"\nphone = \"555-0199\"\n\n\
         [reports]\nperiods = [\"year\"]\n",
    );
    let html = ok(&[
        "--period",
        "2026",
        "--format",
        "html",
        "--counters",
        counters.path().to_str().unwrap(),
        "--config",
        config.path().to_str().unwrap(),
        "--as-of",
        "2027-01-01",
    ]);
    assert!(html.contains("Desert Association of REALTORS®"));
    assert!(html.contains("Concerns closed, by quarter"));
}

#[test]
fn the_offline_renderer_follows_the_reports_table() {
    let counters = counters();
    let run = |config: &str, period: &str| csv_with(&counters, config, period, "2027-01-02", &[]);
    // Quarters by default: a month is refused, naming the setting, as the service refuses it.
    let month = run("", "2026-07");
    assert_eq!(month.code, Some(2));
    assert_eq!(
        month.stderr,
        "error: --period 2026-07: this association releases quarter reports only \
         (`[reports] periods`)\n"
    );
    assert_eq!(
        run("[reports]\nperiods = [\"month\"]\n", "2026-07").code,
        Some(0)
    );
    // Nested kinds without noise are refused as the service refuses them.
    let nested = run(
        "[reports]\nperiods = [\"month\", \"quarter\", \"year\"]\n",
        "2026Q3",
    );
    assert_eq!(nested.code, Some(2));
    assert!(
        nested.stderr.contains("setting `reports.periods`"),
        "{}",
        nested.stderr
    );
    assert!(
        nested.stderr.contains("set reports.epsilon"),
        "{}",
        nested.stderr
    );
    let noisy = run(
        "[reports]\nperiods = [\"month\", \"quarter\", \"year\"]\nepsilon = 1.0\n",
        "2026",
    );
    assert_eq!(noisy.code, Some(0), "{}", noisy.stderr);
    // A period beginning before the first day reports cover is refused.
    let before = run("[reports]\nstart = \"2026-08-01\"\n", "2026Q3");
    assert_eq!(before.code, Some(2));
    assert!(
        before.stderr.contains("`[reports] start`"),
        "{}",
        before.stderr
    );
    let bad = run("[reports]\nstart = \"soon\"\n", "2026Q3");
    assert_eq!(bad.code, Some(2));
    assert!(
        bad.stderr.contains("setting `reports.start`"),
        "{}",
        bad.stderr
    );
}

#[test]
fn a_noise_seed_is_bound_to_the_counters() {
    // The review gave one seed with two counters files one case apart, and subtracted: the noise
    // cancelled. Bound to a digest of the counters, the seed draws the same noise for the same
    // counters (however the file is laid out) and fresh noise for any others — even in a table
    // the extra case does not touch.
    let seed = "5a".repeat(32);
    let csv = |counters: &NamedTempFile| {
        let run = csv_with(
            counters,
            "[reports]\nk = 2\nepsilon = 2.0\n",
            "2026Q3",
            "2026-10-01",
            &["--noise-seed", &seed],
        );
        assert_eq!(run.code, Some(0), "{}", run.stderr);
        run.stdout
    };
    let original = counters();
    let text = std::fs::read_to_string(original.path()).unwrap();
    // The same counters, in another order and layout, and with a row of another quarter.
    let mut rows: Vec<&str> = text
        .lines()
        .filter(|l| l.contains(':'))
        .map(|l| l.trim().trim_end_matches(','))
        .collect();
    rows.reverse();
    rows.push("\"case:2027-01:commission:client:web:successfully_closed:days_0_7\": 9");
    let relaid = file(".json", &format!("{{{}}}", rows.join(",")));
    // One more case, with no service.
    let one_more = file(
        ".json",
        &text.replace(
            "\"case:2026-07:commission:client:web:successfully_closed:days_8_30\": 6",
            "\"case:2026-07:commission:client:web:successfully_closed:days_8_30\": 7",
        ),
    );
    let first = csv(&original);
    assert_eq!(csv(&relaid), first, "the same counters draw the same noise");
    let second = csv(&one_more);
    let services = |csv: &str| -> Vec<String> {
        csv.lines()
            .filter(|l| l.starts_with("services,"))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(services(&first).len(), 5);
    assert_ne!(
        services(&first),
        services(&second),
        "the services counters are the same in both files, yet their noise was drawn afresh"
    );
}

#[test]
fn noise_without_a_seed_says_it_cannot_be_reproduced() {
    let counters = counters();
    let config = file(".toml", "[reports]\nepsilon = 2.0\n");
    let run = report(&[
        "--period",
        "2026Q3",
        "--format",
        "json",
        "--counters",
        counters.path().to_str().unwrap(),
        "--config",
        config.path().to_str().unwrap(),
        "--as-of",
        "2026-10-01",
    ]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stderr
            .starts_with("note: the noise was drawn from a fresh random seed")
    );
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["epsilon"], 2.0);
}

#[test]
fn the_stand_in_options_are_hidden_from_help() {
    let run = report(&["--help"]);
    assert_eq!(run.code, Some(0));
    assert!(run.stdout.contains("--period"));
    assert!(run.stdout.contains("--format"));
    assert!(!run.stdout.contains("--counters"));
    assert!(!run.stdout.contains("--noise-seed"));
}
