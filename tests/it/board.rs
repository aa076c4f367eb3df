//! Board trend reports through the real server: counters grow only when cases close, in the
//! same write that destroys them; a period is released only once it is over and never changes
//! after; the page, its downloads, the API and the command line all show the same numbers; and
//! nothing in them names a case, a day or anything anyone wrote.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Engine, Options, Session, TestServer, count, on_both_engines, run};

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
    let server = TestServer::start_with(Options {
        engine,
        now: "2026-07-15T17:00:00Z".into(),
        ..Options::default()
    });
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
    assert!(home.contains("No report periods have been released yet"));

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
    assert!(page.contains("<svg") && !page.contains("<script"));
    assert!(page.contains("fewer than 5"), "small counts are hidden");
    assert!(page.contains("href=\"/board/reports/2026Q3/csv\""));
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
    let config = server.data_dir().join("ombuds.toml");
    let cli = |format: &str| {
        let out = run(
            server.root.path(),
            &[
                "report",
                "--period",
                "2026Q3",
                "--format",
                format,
                "--config",
                config.to_str().unwrap(),
            ],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
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
    let out = run(
        server.root.path(),
        &[
            "report",
            "--period",
            "2026-07",
            "--format",
            "csv",
            "--config",
            config.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("reports.periods"));
}
