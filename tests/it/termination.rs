//! Recording the dates of informal resolution through the real server, on the worked example of
//! docs/RULES.md: the deadline and days added on the case and follow-up pages, corrections with their
//! reasons, and the termination notice with a certificate that verifies, reaching the submitter.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Engine, Options, TestServer, on_both_engines};

async fn get(server: &TestServer, session: &crate::support::Session, path: &str) -> Value {
    server
        .as_staff(session, Method::GET, path)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

on_both_engines!(the_worked_example_from_first_contact_to_a_verified_notice);
async fn the_worked_example_from_first_contact_to_a_verified_notice(engine: Engine) {
    // First contact on 2 February 2026 (noon in Phoenix).
    let server = TestServer::start_with(Options {
        engine,
        now: "2026-02-02T19:00:00Z".into(),
        ..Options::default()
    });
    let admin = server.admin().await;
    let secret = server.enrol_staff(&admin, "olivia", "ombuds").await;
    let ombuds = server.sign_in("olivia", &secret).await;
    let submitted: Value = server
        .client()
        .post(server.at("/api/v1/concerns"))
        .json(&json!({
            "category": "commission",
            "raised_by": "client",
            "description": "The commission split was changed after closing.",
            "concluded_on": "2026-01-10",
            "accept_conditions": true
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(submitted["first_contact"], "2026-02-02");
    let receipt = submitted["receipt"].as_str().unwrap().to_owned();
    let cases = get(&server, &ombuds, "/api/v1/cases").await;
    let id = cases[0]["id"].as_str().unwrap().to_owned();

    // While informal resolution continues the countdown is frozen.
    let case = get(&server, &ombuds, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(case["deadline"]["status"], "suspended");
    assert_eq!(case["deadline"]["deadline"], Value::Null);

    // The termination on 13 March 2026, recorded that day (a blank date means today). Weeks
    // have passed, so the ombuds signs in again.
    server.set_clock("2026-03-13T20:00:00Z");
    let ombuds = server.sign_in("olivia", &secret).await;
    let recorded: Value = server
        .as_staff(
            &ombuds,
            Method::POST,
            &format!("/api/v1/cases/{id}/dates/termination"),
        )
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(recorded["date"], "2026-03-13");
    let certificate = recorded["certificate"].as_str().unwrap().to_owned();
    assert!(certificate.contains("First-Contact: 2026-02-02"));
    assert!(certificate.contains("Termination: 2026-03-13"));
    assert!(certificate.contains("Days-Suspended: 40"));

    // docs/RULES.md: 40 days added; the deadline moves from 2026-07-09 to 2026-08-18.
    let case = get(&server, &ombuds, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(case["termination_date"], "2026-03-13");
    assert_eq!(case["deadline"]["deadline"], "2026-08-18");
    assert_eq!(case["deadline"]["days_suspended"], 40);
    assert_eq!(
        case["deadline"]["status"], "suspended",
        "13 March itself is still suspended"
    );
    let page = server
        .as_staff(&ombuds, Method::GET, &format!("/console/cases/{id}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("2026-08-18"),
        "the case page shows the deadline"
    );
    assert!(page.contains("40 days were added"), "and the days added");

    // The submitter sees the notice and the deadline with the receipt.
    let thread = server.followup(&receipt, "").await;
    assert_eq!(thread["deadline"]["deadline"], "2026-08-18");
    let letters = thread["letters"].as_array().unwrap();
    assert_eq!(letters.len(), 1);
    let notice = letters[0]["text"].as_str().unwrap();
    assert!(
        notice.contains("2026-03-14"),
        "says the countdown resumes the next day:\n{notice}"
    );
    assert!(notice.contains("2026-08-18"), "and the new deadline");
    assert_eq!(
        letters[0]["kept_until"], "2026-09-09",
        "kept 180 days from its date"
    );
    let messages = thread["messages"].as_array().unwrap();
    assert!(
        messages.last().unwrap()["text"]
            .as_str()
            .unwrap()
            .contains("ended on 2026-03-13")
    );

    // The certificate in the notice verifies against the association's key, with no case data.
    let block = notice
        .find("-----BEGIN OMBUDS SUSPENSION CERTIFICATE-----")
        .map(|at| &notice[at..])
        .unwrap();
    let verified = server
        .client()
        .post(server.at("/api/v1/certificates/verify"))
        .json(&json!({ "certificate": block }))
        .send()
        .await
        .unwrap();
    assert_eq!(verified.status(), 200);
    let verified: Value = verified.json().await.unwrap();
    assert_eq!(verified["valid"], true);
    let tampered = block.replace("Termination: 2026-03-13", "Termination: 2026-04-13");
    let refused = server
        .client()
        .post(server.at("/api/v1/certificates/verify"))
        .json(&json!({ "certificate": tampered }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);

    // The printable notice, for the receipt that opens it.
    let letter_id = letters[0]["id"].as_str().unwrap();
    let printable = server
        .client()
        .post(server.at(&format!("/followup/letters/{letter_id}")))
        .form(&[("receipt", receipt.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(printable.status(), 200);
    assert!(printable.text().await.unwrap().contains("<!doctype html>"));
}

on_both_engines!(corrections_need_a_reason_that_is_kept_until_the_case_closes);
async fn corrections_need_a_reason_that_is_kept_until_the_case_closes(engine: Engine) {
    let server = TestServer::start_with(Options {
        engine,
        now: "2026-03-20T18:00:00Z".into(),
        ..Options::default()
    });
    let admin = server.admin().await;
    let ombuds = server.staff(&admin, "omar", "ombuds").await;
    let created: Value = server
        .as_staff(&ombuds, Method::POST, "/api/v1/cases")
        .json(&json!({ "channel": "phone", "conditions_read": true, "category": "conduct", "raised_by": "member", "description": "Rude at an open house", "first_contact": "2026-03-05" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    let post = |field: &str, body: Value| {
        server
            .as_staff(
                &ombuds,
                Method::POST,
                &format!("/api/v1/cases/{id}/dates/{field}"),
            )
            .json(&body)
            .send()
    };

    let no_reason = post("first_contact", json!({ "date": "2026-03-04" }))
        .await
        .unwrap();
    assert_eq!(no_reason.status(), 422);
    let body: Value = no_reason.json().await.unwrap();
    assert_eq!(body["fields"][0]["field"], "reason");
    let future = post("termination", json!({ "date": "2026-04-01" }))
        .await
        .unwrap();
    assert_eq!(future.status(), 422);
    let before = post("termination", json!({ "date": "2026-03-01" }))
        .await
        .unwrap();
    assert_eq!(before.status(), 422);
    let unknown = post("birthday", json!({ "date": "2026-03-01" }))
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);

    let corrected = post(
        "first_contact",
        json!({ "date": "2026-03-04", "reason": "The call came in on the 4th; logged late." }),
    )
    .await
    .unwrap();
    assert_eq!(corrected.status(), 200);
    // Earlier than today: it needs a reason, which the notices state.
    let unexplained = post("termination", json!({ "date": "2026-03-18" }))
        .await
        .unwrap();
    assert_eq!(unexplained.status(), 422);
    let terminated = post(
        "termination",
        json!({ "date": "2026-03-18", "reason": "The parties settled on the 18th." }),
    )
    .await
    .unwrap();
    assert_eq!(terminated.status(), 200);
    let case = get(&server, &ombuds, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(case["first_contact"], "2026-03-04");
    assert_eq!(case["termination_date"], "2026-03-18");
    let corrections = case["corrections"].as_array().unwrap();
    assert_eq!(
        corrections.len(),
        2,
        "the first-contact correction, and the reason for the earlier termination date"
    );
    assert_eq!(corrections[0]["old_date"], "2026-03-05");
    assert_eq!(corrections[1]["field"], "termination");
    assert_eq!(
        corrections[1]["old_date"],
        Value::Null,
        "recording the termination the first time corrects nothing; its reason is kept"
    );
    assert!(
        corrections[0]["reason"]
            .as_str()
            .unwrap()
            .contains("logged late")
    );
    assert_eq!(
        case["deadline"]["status"], "unknown",
        "no transaction date was given"
    );

    // The reason is sealed in the database, and goes when the case closes.
    let mut db = server.database().await;
    for (path, bytes) in server.data_files() {
        assert!(
            !crate::support::contains(&bytes, "logged late"),
            "{} holds the reason in the clear",
            path.display()
        );
    }
    let closed = server
        .as_staff(&ombuds, Method::POST, &format!("/api/v1/cases/{id}/close"))
        .json(&json!({ "outcome": "unsuccessfully_closed" }))
        .send()
        .await
        .unwrap();
    assert_eq!(closed.status(), 200);
    assert_eq!(crate::support::count(&mut db, "date_corrections").await, 0);
    // The notice outlives the case in the console's letters, for printing and posting, with
    // the follow-up letter an unsuccessful close sends.
    let letters = get(&server, &ombuds, "/api/v1/letters").await;
    let kinds: Vec<_> = letters
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["kind"].as_str().unwrap())
        .collect();
    // Newest first.
    assert_eq!(kinds, ["follow_up_letter", "termination_notice"]);
    let notice = &letters[1];
    assert_eq!(notice["case_id"], Value::Null);
    assert!(notice["text"].as_str().unwrap().contains("2026-03-04"));
}
