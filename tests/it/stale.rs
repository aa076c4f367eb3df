//! Open cases left untouched (#20 item 9, docs/RULES.md "What the ombuds is"): once an open
//! case has gone `[retention] stale_after_days` (180 by default) without an ombuds doing
//! anything on it, the console list, its count and filter, the case page and the API flag it,
//! until the ombuds closes it, records why it stays open (kept as a working note), or does
//! anything else on it. The clock is moved, never slept on.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Engine, Session, TestServer, on_both_engines};

const FLAG_180: &str = "Untouched for 180 days — close it or record why it stays open";

/// The server's today, in the association's time zone (America/Phoenix).
fn today(server: &TestServer) -> chrono::NaiveDate {
    server
        .now()
        .with_timezone(&chrono_tz::America::Phoenix)
        .date_naive()
}

/// Moves the clock `days` forward and signs `username` in again (sessions time out meanwhile).
async fn days_later(server: &TestServer, days: i64, (username, secret): &Ombuds) -> Session {
    server.advance(days * 86_400);
    server.sign_in(username, secret).await
}

/// An ombuds account's name and TOTP secret, to sign in again after the clock moves.
type Ombuds = (&'static str, ombuds::crypto::totp::TotpSecret);

/// An ombuds account, signed in.
async fn an_ombuds(server: &TestServer) -> (Ombuds, Session) {
    let admin = server.admin().await;
    let secret = server.enrol_staff(&admin, "olivia", "ombuds").await;
    let session = server.sign_in("olivia", &secret).await;
    (("olivia", secret), session)
}

async fn page(server: &TestServer, ombuds: &Session, path: &str) -> String {
    let response = server
        .as_staff(ombuds, Method::GET, path)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.text().await.unwrap()
}

async fn case(server: &TestServer, ombuds: &Session, id: &str) -> Value {
    let (status, case) = server
        .api(ombuds, Method::GET, &format!("/api/v1/cases/{id}"), None)
        .await;
    assert_eq!(status, 200);
    case
}

async fn listed(server: &TestServer, ombuds: &Session, query: &str) -> Vec<Value> {
    let (status, cases) = server
        .api(ombuds, Method::GET, &format!("/api/v1/cases{query}"), None)
        .await;
    assert_eq!(status, 200);
    cases.as_array().unwrap().clone()
}

on_both_engines!(
    an_open_case_untouched_for_long_is_flagged_until_the_ombuds_says_why_it_stays_open
);
async fn an_open_case_untouched_for_long_is_flagged_until_the_ombuds_says_why_it_stays_open(
    engine: Engine,
) {
    let server = TestServer::start_on(engine);
    let (account, mut ombuds) = an_ombuds(&server).await;
    let (id, _) = server
        .submitted_and_opened(&ombuds, "The listing agent stopped answering.")
        .await;
    let opened = today(&server);
    let fresh = case(&server, &ombuds, &id).await;
    assert_eq!(fresh["touched_on"], opened.to_string());
    assert_eq!(fresh["stale"], false);

    // 179 days later: one day short of the limit, nothing is flagged.
    ombuds = days_later(&server, 179, &account).await;
    assert_eq!(case(&server, &ombuds, &id).await["stale"], false);
    let home = page(&server, &ombuds, "/console").await;
    assert!(!home.contains("Untouched for 179 days"), "{home}");
    assert!(!home.contains("untouched-count"), "{home}");
    let case_page = page(&server, &ombuds, &format!("/console/cases/{id}")).await;
    assert!(!case_page.contains("Record why this case stays open"));

    // The 180th day: flagged in the list, its count and filter, on its page, in the API.
    ombuds = days_later(&server, 1, &account).await;
    let home = page(&server, &ombuds, "/console").await;
    assert!(home.contains(FLAG_180), "{home}");
    assert!(
        home.contains(
            "1 open case has gone untouched for 180 days or more: close it or record why it \
             stays open."
        ),
        "{home}"
    );
    assert!(home.contains("href=\"/console?show=stale\""));
    let only = page(&server, &ombuds, "/console?show=stale").await;
    assert!(only.contains("Open cases untouched for long (1)"), "{only}");
    assert!(only.contains(&format!("/console/cases/{id}")));
    let case_page = page(&server, &ombuds, &format!("/console/cases/{id}")).await;
    assert!(case_page.contains(FLAG_180), "{case_page}");
    assert!(case_page.contains("<label for=\"stay_open_reason\">Record why this case stays open"));
    let flagged = case(&server, &ombuds, &id).await;
    assert_eq!(flagged["stale"], true);
    assert_eq!(flagged["touched_on"], opened.to_string());
    let all = listed(&server, &ombuds, "").await;
    assert_eq!(all[0]["stale"], true);
    assert_eq!(listed(&server, &ombuds, "?stale=true").await.len(), 1);

    // 214 days: the count of days grows.
    ombuds = days_later(&server, 34, &account).await;
    let home = page(&server, &ombuds, "/console").await;
    assert!(
        home.contains("Untouched for 214 days — close it or record why it stays open"),
        "{home}"
    );

    // An empty reason is refused, naming the field, and changes nothing.
    let notes_before = case(&server, &ombuds, &id).await["notes"].clone();
    let (status, refused) = server
        .api(
            &ombuds,
            Method::POST,
            &format!("/api/v1/cases/{id}/stays-open"),
            Some(json!({ "reason": "   " })),
        )
        .await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["fields"][0]["field"], "reason", "{refused}");
    let refused_page = server
        .post_form(
            &ombuds,
            &format!("/console/cases/{id}/stays-open"),
            &[("stay_open_reason", "")],
        )
        .await;
    assert_eq!(refused_page.status(), 422);
    let refused_page = refused_page.text().await.unwrap();
    assert!(
        refused_page.contains("write why the case stays open"),
        "{refused_page}"
    );
    assert!(refused_page.contains("href=\"#stay_open_reason\""));
    let unchanged = case(&server, &ombuds, &id).await;
    assert_eq!(unchanged["stale"], true);
    assert_eq!(unchanged["notes"], notes_before);

    // The reason, recorded on the case page: the flag goes, and the reason reads as a note.
    let recorded = server
        .post_form(
            &ombuds,
            &format!("/console/cases/{id}/stays-open"),
            &[(
                "stay_open_reason",
                "The parties agreed to meet again after the court's ruling.",
            )],
        )
        .await;
    assert_eq!(recorded.status(), 303);
    let case_page = page(&server, &ombuds, &format!("/console/cases/{id}")).await;
    assert!(
        !case_page.contains("record why it stays open"),
        "{case_page}"
    );
    assert!(!case_page.contains("Record why this case stays open"));
    assert!(case_page.contains("Why it stays open"));
    assert!(case_page.contains("The parties agreed to meet again after the court"));
    let cleared = case(&server, &ombuds, &id).await;
    assert_eq!(cleared["stale"], false);
    assert_eq!(cleared["touched_on"], today(&server).to_string());
    let note = cleared["notes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "stays_open")
        .expect("the reason is kept as a note")
        .clone();
    assert_eq!(
        note["text"],
        "The parties agreed to meet again after the court's ruling."
    );
    assert_eq!(note["written_by"], "olivia");
    let home = page(&server, &ombuds, "/console").await;
    assert!(!home.contains("record why it stays open"), "{home}");
    assert!(listed(&server, &ombuds, "?stale=true").await.is_empty());

    // Another 180 days: flagged again; the API records a reason just as well.
    ombuds = days_later(&server, 180, &account).await;
    assert_eq!(case(&server, &ombuds, &id).await["stale"], true);
    let (status, answer) = server
        .api(
            &ombuds,
            Method::POST,
            &format!("/api/v1/cases/{id}/stays-open"),
            Some(json!({ "reason": "Still waiting for the ruling." })),
        )
        .await;
    assert_eq!(status, 201, "{answer}");
    assert!(answer["id"].is_string());
    assert_eq!(case(&server, &ombuds, &id).await["stale"], false);
}

on_both_engines!(anything_an_ombuds_does_on_a_case_clears_the_flag_and_a_party_writing_does_not);
async fn anything_an_ombuds_does_on_a_case_clears_the_flag_and_a_party_writing_does_not(
    engine: Engine,
) {
    let server = TestServer::start_on(engine);
    let (account, mut ombuds) = an_ombuds(&server).await;
    let (replied, receipt) = server
        .submitted_and_opened(&ombuds, "First: the deposit was not returned.")
        .await;
    let (corrected, _) = server
        .submitted_and_opened(&ombuds, "Second: the commission split.")
        .await;
    let opened = today(&server);
    ombuds = days_later(&server, 200, &account).await;
    assert_eq!(case(&server, &ombuds, &replied).await["stale"], true);
    assert_eq!(case(&server, &ombuds, &corrected).await["stale"], true);

    // The person writing in their thread is not the ombuds' work: still flagged.
    let written = server
        .client()
        .post(server.at("/api/v1/followup/messages"))
        .header("authorization", format!("Receipt {receipt}"))
        .json(&json!({ "text": "Is anyone still looking at this?" }))
        .send()
        .await
        .unwrap();
    assert_eq!(written.status(), 201);
    assert_eq!(case(&server, &ombuds, &replied).await["stale"], true);

    // A reply clears one case's flag...
    let (status, _) = server
        .api(
            &ombuds,
            Method::POST,
            &format!("/api/v1/cases/{replied}/replies"),
            Some(json!({ "text": "Yes: I will call the broker this week." })),
        )
        .await;
    assert_eq!(status, 201);
    // ...and a corrected first-contact date the other's.
    let earlier = opened - chrono::Days::new(2);
    let (status, answer) = server
        .api(
            &ombuds,
            Method::POST,
            &format!("/api/v1/cases/{corrected}/dates/first_contact"),
            Some(json!({ "date": earlier.to_string(), "reason": "The person first called two days before writing." })),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    let now = today(&server).to_string();
    for id in [&replied, &corrected] {
        let touched = case(&server, &ombuds, id).await;
        assert_eq!(touched["stale"], false, "{id}");
        assert_eq!(touched["touched_on"], now, "{id}");
    }
    let home = page(&server, &ombuds, "/console").await;
    assert!(!home.contains("record why it stays open"), "{home}");
}

on_both_engines!(a_shorter_setting_flags_sooner_and_a_new_concern_is_never_flagged);
async fn a_shorter_setting_flags_sooner_and_a_new_concern_is_never_flagged(engine: Engine) {
    let server = TestServer::start_with(crate::support::Options {
        engine,
        edit_config: Box::new(|c| c.replace("stale_after_days = 180", "stale_after_days = 30")),
        ..crate::support::Options::default()
    });
    let (account, mut ombuds) = an_ombuds(&server).await;
    let (id, _) = server
        .submitted_and_opened(&ombuds, "A case that will wait.")
        .await;
    server.submit("A concern nobody opens.").await;
    ombuds = days_later(&server, 29, &account).await;
    assert_eq!(case(&server, &ombuds, &id).await["stale"], false);
    ombuds = days_later(&server, 1, &account).await;
    let cases = listed(&server, &ombuds, "").await;
    let flagged: Vec<(&Value, &Value)> =
        cases.iter().map(|c| (&c["status"], &c["stale"])).collect();
    assert_eq!(flagged.len(), 2);
    for (status, stale) in flagged {
        assert_eq!(*stale, *status == "open", "{status}");
    }
    let home = page(&server, &ombuds, "/console").await;
    assert!(
        home.contains("Untouched for 30 days — close it or record why it stays open"),
        "{home}"
    );
}

#[test]
fn a_bad_stale_after_days_is_refused_naming_the_setting() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("d");
    crate::support::init(&dir);
    let config = dir.join("ombuds.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(text.contains("stale_after_days = 180"));
    for bad in ["29", "3651", "-1", "\"soon\""] {
        std::fs::write(
            &config,
            text.replace(
                "stale_after_days = 180",
                &format!("stale_after_days = {bad}"),
            ),
        )
        .unwrap();
        let config = config.to_str().unwrap();
        for args in [
            vec!["check", "--config", config],
            vec!["serve", "--config", config, "--listen", "127.0.0.1:0"],
        ] {
            let command = args[0];
            let out = crate::support::run(root.path(), &args);
            let said = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{command} {bad}: {said}");
            assert!(said.contains("stale_after_days"), "{command} {bad}: {said}");
        }
    }
}
