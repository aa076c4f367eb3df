//! Board trend reports through the real server: counters grow only when cases close, in the
//! same write that destroys them; a period is released only once it is over by the service's
//! clock and never changes after (a preview with `--as-of` freezes nothing); the page, its
//! downloads, the API and the command line all show the same numbers; the period list starts at
//! `[reports] start` whatever was counted; once one kind of period is released, another is
//! refused without noise; and nothing in them names a case, a day or anything anyone wrote.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::cli::{Cli, Run};
use crate::support::{Engine, Options, Session, TestServer, count, on_both_engines};

/// Runs `ombuds report ARGS --config <the server's>` on the server's clock.
fn report(server: &TestServer, args: &[&str]) -> Run {
    let config = server.data_dir().join("ombuds.toml");
    let mut args = args.to_vec();
    args.extend(["--config", config.to_str().unwrap()]);
    Cli::new("report")
        .in_dir(server.root.path())
        .clock_file(&server.root.path().join("clock"))
        .run(&args)
}

/// Rewrites the server's `[reports]` settings and restarts it.
fn reconfigure(server: &mut TestServer, reports: &str) {
    let path = server.data_dir().join("ombuds.toml");
    let config = std::fs::read_to_string(&path).unwrap();
    let start = config.find("[reports]").unwrap();
    let end = start + config[start..].find("\n\n").unwrap();
    let config = format!("{}[reports]\n{reports}{}", &config[..start], &config[end..]);
    std::fs::write(&path, config).unwrap();
    server.restart();
}

/// A server on `engine` whose clock reads `now` and whose reports cover from `start` on.
fn starting(engine: Engine, now: &str, start: &'static str) -> TestServer {
    TestServer::start_with(Options {
        engine,
        now: now.into(),
        edit_config: Box::new(move |c| {
            c.replace("start = \"2026-01-01\"", &format!("start = \"{start}\""))
        }),
        ..Options::default()
    })
}

/// A board member's GET of `path`.
async fn get(server: &TestServer, board: &Session, path: &str) -> reqwest::Response {
    server
        .as_staff(board, Method::GET, path)
        .send()
        .await
        .unwrap()
}

/// The periods of the stored frozen releases.
async fn frozen(server: &TestServer) -> Vec<String> {
    let mut db = server.database().await;
    sqlx::query_scalar("SELECT period FROM trend_releases ORDER BY period")
        .fetch_all(&mut db)
        .await
        .unwrap()
}

const CANARY: &str = "CANARY-board-6f0d13";

async fn close_one(server: &TestServer, ombuds: &Session, category: &str, outcome: &str) -> String {
    let mut concern = crate::support::valid_concern();
    concern["category"] = category.into();
    concern["description"] = format!("Details nobody on the board sees {CANARY}").into();
    let created = server
        .client()
        .post(server.at("/api/v1/concerns"))
        .json(&concern)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let cases: Value = server
        .as_staff(ombuds, Method::GET, "/api/v1/cases")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = cases
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["status"] == "new")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let services = server
        .as_staff(ombuds, Method::PUT, &format!("/api/v1/cases/{id}/services"))
        .json(&json!({ "services": ["answer_information"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(services.status(), 200);
    let closed = server
        .as_staff(ombuds, Method::POST, &format!("/api/v1/cases/{id}/close"))
        .json(&json!({ "outcome": outcome }))
        .send()
        .await
        .unwrap();
    assert_eq!(closed.status(), 200);
    id
}

on_both_engines!(a_quarter_is_released_once_complete_frozen_and_the_same_everywhere);
async fn a_quarter_is_released_once_complete_frozen_and_the_same_everywhere(engine: Engine) {
    let server = starting(engine, "2026-07-15T17:00:00Z", "2026-07-01");
    let admin = server.admin().await;
    let ombuds_secret = server.enrol_staff(&admin, "olivia", "ombuds").await;
    let board_secret = server.enrol_staff(&admin, "bea", "board").await;
    let ombuds = server.sign_in("olivia", &ombuds_secret).await;
    let mut ids = Vec::new();
    for _ in 0..6 {
        ids.push(close_one(&server, &ombuds, "commission", "successfully_closed").await);
    }
    ids.push(close_one(&server, &ombuds, "conduct", "dismissed").await);

    // Closing destroyed the cases and counted them, in the same write.
    let mut db = server.database().await;
    assert_eq!(count(&mut db, "cases").await, 0);
    let counted: i64 = sqlx::query_scalar(
        "SELECT CAST(sum(count) AS BIGINT) FROM trend_counters WHERE key LIKE 'case:%'",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(counted, 7);
    let months: Vec<String> = sqlx::query_scalar("SELECT DISTINCT month FROM trend_counters")
        .fetch_all(&mut db)
        .await
        .unwrap();
    assert_eq!(
        months,
        ["2026-07"],
        "counters know the month, never the day"
    );

    // While the quarter runs, nothing is released, before or after another closure.
    let board = server.sign_in("bea", &board_secret).await;
    let early = server
        .as_staff(&board, Method::GET, "/board/reports/2026Q3")
        .send()
        .await
        .unwrap();
    assert_eq!(early.status(), 404);
    let early_body = early.text().await.unwrap();
    let ombuds = server.sign_in("olivia", &ombuds_secret).await;
    ids.push(close_one(&server, &ombuds, "commission", "withdrawn").await);
    let board = server.sign_in("bea", &board_secret).await;
    let still = server
        .as_staff(&board, Method::GET, "/board/reports/2026Q3")
        .send()
        .await
        .unwrap();
    assert_eq!(still.status(), 404);
    assert_eq!(
        still.text().await.unwrap(),
        early_body,
        "an open period reads the same before and after a closure"
    );
    let home = server
        .as_staff(&board, Method::GET, "/board")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains("No report has been released yet."), "{home}");
    assert!(
        home.contains(
            "The next report, for July to September 2026 (Q3), will be released on Thursday, \
             1 October 2026."
        ),
        "{home}"
    );
    assert!(
        early_body.contains("not released yet") && early_body.contains("Thursday, 1 October 2026"),
        "{early_body}"
    );

    // The quarter is over: it is listed and released.
    server.set_clock("2026-10-02T17:00:00Z");
    let board = server.sign_in("bea", &board_secret).await;
    let home = server
        .as_staff(&board, Method::GET, "/board")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains("href=\"/board/reports/2026Q3\""), "{home}");
    let page = server
        .as_staff(&board, Method::GET, "/board/reports/2026Q3")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(!page.contains("<script"));
    // Eight concerns: the total is shown, and no table is broken down (a breakdown needs at
    // least k per row, less one).
    assert!(
        page.contains("8 concerns were closed in July to September 2026"),
        "{page}"
    );
    assert!(page.contains("Not shown for this period"), "{page}");
    assert!(!page.contains("<svg"), "nothing to chart");
    assert!(page.contains("href=\"/board/reports/2026Q3/csv\""));
    // A signed-in board member's page speaks of the staff session cookie, not the public
    // pages' receipt cookie.
    assert!(
        page.contains("Signing in sets one session cookie"),
        "{page}"
    );
    assert!(!page.contains("This site sets no cookies"));
    let csv = server
        .as_staff(&board, Method::GET, "/board/reports/2026Q3/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(
        csv.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let csv = csv.text().await.unwrap();
    let json = server
        .as_staff(&board, Method::GET, "/board/reports/2026Q3/json")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let api = server
        .as_staff(&board, Method::GET, "/api/v1/reports/2026Q3")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(json, api, "the download and the API are the same document");
    let parsed: Value = serde_json::from_str(&json).unwrap();
    assert!(parsed.is_object());

    // The command line prints the very same release from the database.
    let cli = |format: &str| {
        let out = report(&server, &["--period", "2026Q3", "--format", format]);
        assert_eq!(out.code, Some(0), "{}", out.stderr);
        out.stdout
    };
    assert_eq!(cli("csv"), csv);
    assert_eq!(cli("json").trim_end(), json.trim_end());

    // Nothing identifies a case, a day or anything written.
    for output in [&page, &csv, &json] {
        assert!(!output.contains(CANARY));
        for id in &ids {
            assert!(!output.contains(id.as_str()), "a case id leaked");
        }
        let has_day = output.as_bytes().windows(10).any(|w| {
            w[4] == b'-'
                && w[7] == b'-'
                && w.iter()
                    .enumerate()
                    .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit())
        });
        assert!(!has_day, "a date finer than a month appears");
    }

    // A released period never changes, whatever closes afterwards.
    let ombuds = server.sign_in("olivia", &ombuds_secret).await;
    close_one(&server, &ombuds, "commission", "successfully_closed").await;
    let board = server.sign_in("bea", &board_secret).await;
    let again = server
        .as_staff(&board, Method::GET, "/board/reports/2026Q3/csv")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(again, csv);

    // Only the configured kind of period is released.
    let month = server
        .as_staff(&board, Method::GET, "/board/reports/2026-07")
        .send()
        .await
        .unwrap();
    assert_eq!(month.status(), 404);
    let out = report(&server, &["--period", "2026-07", "--format", "csv"]);
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("`[reports] periods`"));
}

on_both_engines!(the_period_list_starts_at_the_configured_day_whatever_was_counted);
async fn the_period_list_starts_at_the_configured_day_whatever_was_counted(engine: Engine) {
    let server = starting(engine, "2026-10-02T17:00:00Z", "2026-04-01");
    let admin = server.admin().await;
    let board_secret = server.enrol_staff(&admin, "bea", "board").await;
    let board = server.sign_in("bea", &board_secret).await;
    let list: Value = get(&server, &board, "/api/v1/reports")
        .await
        .json()
        .await
        .unwrap();
    let periods: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["period"].as_str().unwrap())
        .collect();
    // Nothing was ever counted: the list is the configuration's and the clock's alone.
    assert_eq!(periods, ["2026Q3", "2026Q2"]);
    let before = get(&server, &board, "/board/reports/2026Q1").await;
    assert_eq!(before.status(), 404);
    let out = report(&server, &["--period", "2026Q1", "--format", "csv"]);
    assert_eq!(out.code, Some(2));
    let stderr = &out.stderr;
    assert!(stderr.contains("`[reports] start`"), "{stderr}");
    assert!(frozen(&server).await.is_empty());
}

on_both_engines!(a_period_with_no_report_says_why_and_an_empty_one_is_a_sentence);
/// Issue 21, item 4: an address with no report says which rule holds it back (and, when it is
/// a matter of time, the day it comes); the board's home says when the first report comes; a
/// period with fewer than k concerns is one sentence, with no table or chart of "fewer than 5"
/// everywhere.
async fn a_period_with_no_report_says_why_and_an_empty_one_is_a_sentence(engine: Engine) {
    let server = starting(engine, "2026-07-15T17:00:00Z", "2026-07-01");
    let admin = server.admin().await;
    let board_secret = server.enrol_staff(&admin, "bea", "board").await;
    let board = server.sign_in("bea", &board_secret).await;
    let home = get(&server, &board, "/board").await.text().await.unwrap();
    assert!(home.contains("No report has been released yet."), "{home}");
    assert!(
        home.contains(
            "for July to September 2026 (Q3), will be released on Thursday, 1 October 2026."
        ),
        "{home}"
    );

    for (path, says) in [
        (
            "/board/reports/1999Q4",
            "There is no report for 1999Q4: reports cover concerns from Wednesday, 1 July 2026 \
             on (`[reports] start`), and 1999Q4 begins before that.",
        ),
        (
            "/board/reports/2026Q3",
            "The report for 2026Q3 is not released yet: the period ends on Wednesday, 30 \
             September 2026, and its report is released the day after, on Thursday, 1 October \
             2026.",
        ),
        (
            "/board/reports/2026-07",
            "There is no report for 2026-07: it is a month, and this association releases \
             quarter reports only (`[reports] periods`).",
        ),
        (
            "/board/reports/2026Q5",
            "There is no report at “2026Q5”, which is not a report period: there is no quarter \
             5; quarters are Q1 to Q4.",
        ),
    ] {
        let answer = get(&server, &board, path).await;
        assert_eq!(answer.status(), 404, "{path}");
        let page = answer.text().await.unwrap();
        assert!(page.contains(says), "{path}: {page}");
        let api = get(
            &server,
            &board,
            &path.replace("/board/reports/", "/api/v1/reports/"),
        )
        .await;
        assert_eq!(api.status(), 404, "{path}");
        let body: Value = api.json().await.unwrap();
        assert_eq!(body["error"], says, "{path}");
    }
    assert!(frozen(&server).await.is_empty());

    // The quarter ends with nothing closed: its report is one sentence, no table, no chart.
    server.set_clock("2026-10-02T17:00:00Z");
    let board = server.sign_in("bea", &board_secret).await;
    let report = get(&server, &board, "/board/reports/2026Q3").await;
    assert_eq!(report.status(), 200);
    let page = report.text().await.unwrap();
    assert!(
        page.contains("Fewer than 5 concerns were closed in July to September 2026"),
        "{page}"
    );
    assert!(
        page.contains("No table or chart is drawn for so few concerns"),
        "{page}"
    );
    assert!(!page.contains("<svg") && !page.contains("<table"), "{page}");
    // The downloads keep their tables, each number marked.
    let csv = get(&server, &board, "/board/reports/2026Q3/csv")
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.contains("fewer than 5"), "{csv}");
    let home = get(&server, &board, "/board").await.text().await.unwrap();
    assert!(home.contains("href=\"/board/reports/2026Q3\""), "{home}");
    assert!(
        home.contains(
            "for October to December 2026 (Q4), will be released on Friday, 1 January 2027."
        ),
        "{home}"
    );
}

on_both_engines!(a_second_kind_of_period_is_refused_without_noise_once_one_is_released);
async fn a_second_kind_of_period_is_refused_without_noise_once_one_is_released(engine: Engine) {
    let mut server = starting(engine, "2026-07-15T17:00:00Z", "2026-07-01");
    let admin = server.admin().await;
    let ombuds_secret = server.enrol_staff(&admin, "olivia", "ombuds").await;
    let board_secret = server.enrol_staff(&admin, "bea", "board").await;
    let ombuds = server.sign_in("olivia", &ombuds_secret).await;
    for outcome in [
        "successfully_closed",
        "terminated_public_trust",
        "withdrawn",
    ] {
        close_one(&server, &ombuds, "conduct", outcome).await;
    }
    server.set_clock("2026-10-02T17:00:00Z");
    let board = server.sign_in("bea", &board_secret).await;
    let quarter = get(&server, &board, "/board/reports/2026Q3").await;
    assert_eq!(quarter.status(), 200);
    assert_eq!(frozen(&server).await, ["2026Q3"]);

    // The operator switches to months, without noise: a reader holding the quarter and its
    // months could subtract. Neither the board nor the command line releases a month.
    reconfigure(
        &mut server,
        "k = 5\nperiods = [\"month\"]\nstart = \"2026-07-01\"\n",
    );
    let board = server.sign_in("bea", &board_secret).await;
    let home = get(&server, &board, "/board").await.text().await.unwrap();
    assert!(!home.contains("/board/reports/2026-07"), "{home}");
    let month = get(&server, &board, "/board/reports/2026-07").await;
    assert_eq!(month.status(), 404);
    let body = month.text().await.unwrap();
    assert!(body.contains("`[reports] periods`"), "{body}");
    assert!(
        body.contains("quarter reports have been released"),
        "{body}"
    );
    let out = report(&server, &["--period", "2026-08", "--format", "csv"]);
    assert_eq!(out.code, Some(2));
    let stderr = &out.stderr;
    assert!(
        stderr
            .starts_with("error: --period 2026-08: month reports cannot be released without noise"),
        "{stderr}"
    );
    assert!(stderr.contains("`[reports] periods`"), "{stderr}");
    assert_eq!(frozen(&server).await, ["2026Q3"], "nothing else was frozen");

    // With noise, nested periods may be released: each spends its own budget.
    reconfigure(
        &mut server,
        "k = 5\nperiods = [\"month\"]\nstart = \"2026-07-01\"\nepsilon = 1.0\n",
    );
    let board = server.sign_in("bea", &board_secret).await;
    let month = get(&server, &board, "/board/reports/2026-07").await;
    assert_eq!(month.status(), 200);
    assert_eq!(frozen(&server).await, ["2026-07", "2026Q3"]);
}

on_both_engines!(a_preview_as_of_a_later_date_freezes_nothing);
async fn a_preview_as_of_a_later_date_freezes_nothing(engine: Engine) {
    // On 6 December, `--as-of 2027-01-10` may show what the quarter would look like, but the
    // quarter is not over by the service's clock: nothing is frozen, and closings after the
    // preview still count in the release.
    let server = TestServer::start_with(Options {
        engine,
        now: "2026-12-06T17:00:00Z".into(),
        ..Options::default()
    });
    let admin = server.admin().await;
    let ombuds_secret = server.enrol_staff(&admin, "olivia", "ombuds").await;
    let ombuds = server.sign_in("olivia", &ombuds_secret).await;
    for _ in 0..5 {
        close_one(&server, &ombuds, "commission", "successfully_closed").await;
    }
    let preview = report(
        &server,
        &[
            "--period",
            "2026Q4",
            "--format",
            "json",
            "--as-of",
            "2027-01-10",
        ],
    );
    assert_eq!(preview.code, Some(0), "{}", preview.stderr);
    assert!(preview.stderr.contains("nothing was released or frozen"));
    let shown: Value = serde_json::from_str(&preview.stdout).unwrap();
    assert_eq!(
        shown["summary"][0],
        "5 concerns were closed in October to December 2026 (Q4)."
    );
    assert!(
        frozen(&server).await.is_empty(),
        "a preview freezes nothing"
    );

    // Without --as-of, on the service's own date, the quarter is not over: refused.
    let early = report(&server, &["--period", "2026Q4", "--format", "csv"]);
    assert_eq!(early.code, Some(2));
    assert!(frozen(&server).await.is_empty());

    let ombuds = server.sign_in("olivia", &ombuds_secret).await;
    close_one(&server, &ombuds, "commission", "successfully_closed").await;
    server.set_clock("2027-01-02T17:00:00Z");
    let released = report(&server, &["--period", "2026Q4", "--format", "json"]);
    assert_eq!(released.code, Some(0));
    assert_eq!(frozen(&server).await, ["2026Q4"]);
    let shown: Value = serde_json::from_str(&released.stdout).unwrap();
    assert_eq!(
        shown["summary"][0], "6 concerns were closed in October to December 2026 (Q4).",
        "the closing after the preview is counted"
    );
}
