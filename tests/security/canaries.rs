//! Canaries everywhere a person can type (concern, contact, follow-up message, working note, an
//! added party's name, contact and thread, the resolution plan's terms),
//! sent with identifying headers, on both engines; then every data file, WAL, log line and board
//! report download is searched for them in plaintext.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Engine, TestServer, contains};
use crate::staff;
use crate::tally::Tally;

const CONCERNS_PER_ENGINE: usize = 20;

pub async fn run(tally: &Tally) {
    for engine in [Engine::Sqlite, Engine::Postgres] {
        on(engine, tally).await;
    }
}

async fn on(engine: Engine, tally: &Tally) {
    let server = TestServer::start_on(engine);
    let client = server.client();
    let mut canaries = Vec::new();
    let mut receipts = Vec::new();
    for i in 0..CONCERNS_PER_ENGINE {
        let description = format!("CANARY-suite-description-{i:03}-q8v");
        let contact = format!("CANARY-suite-contact-{i:03}@example.net");
        let agent = format!("CANARY-suite-agent-{i:03}");
        let request = client
            .post(server.at(if i % 2 == 0 {
                "/api/v1/concerns"
            } else {
                "/concerns"
            }))
            .header("x-forwarded-for", format!("198.51.100.{i}"))
            .header("user-agent", &agent);
        let response = if i % 2 == 0 {
            request
                .json(&json!({
                    "category": "conduct",
                    "raised_by": "client",
                    "description": description,
                    "contact": contact,
                    "accept_conditions": true
                }))
                .send()
                .await
                .unwrap()
        } else {
            request
                .form(&[
                    ("category", "conduct"),
                    ("raised_by", "public"),
                    ("description", description.as_str()),
                    ("contact", contact.as_str()),
                    ("accept_conditions", "yes"),
                ])
                .send()
                .await
                .unwrap()
        };
        tally.requests(1);
        // The form is answered with a redirect to the receipt page.
        let status = response.status();
        assert!(status.is_success() || status == 303, "{status}");
        if i % 2 == 0 {
            let body: Value = response.json().await.unwrap();
            receipts.push(body["receipt"].as_str().unwrap().to_owned());
        }
        canaries.extend([description, contact, agent, format!("198.51.100.{i}")]);
    }
    for (i, receipt) in receipts.iter().enumerate() {
        let text = format!("CANARY-suite-followup-{i:03}-k2d");
        let sent = client
            .post(server.at("/api/v1/followup/messages"))
            .header("authorization", format!("Receipt {receipt}"))
            .json(&json!({ "text": text }))
            .send()
            .await
            .unwrap();
        tally.requests(1);
        assert_eq!(sent.status(), 201);
        canaries.push(text);
        // A receipt is a secret too: it must not be stored or logged as typed.
        canaries.push(receipt.clone());
    }
    tally.acknowledged(receipts.len() as u64);

    // Rejected input is neither stored nor logged either: conditions not accepted, an unknown
    // category, a description far too long.
    for (i, body) in [
        json!({ "category": "conduct", "raised_by": "client", "description": "CANARY-suite-rejected-0-z7", "accept_conditions": false }),
        json!({ "category": "CANARY-suite-rejected-1-z7", "raised_by": "client", "description": "x", "accept_conditions": true }),
        json!({ "category": "conduct", "raised_by": "client", "description": format!("CANARY-suite-rejected-2-z7 {}", "y".repeat(100_000)), "accept_conditions": true }),
    ]
    .into_iter()
    .enumerate()
    {
        let response = client
            .post(server.at("/api/v1/concerns"))
            .json(&body)
            .send()
            .await
            .unwrap();
        tally.requests(1);
        tally.bad_inputs(1);
        assert!(response.status().is_client_error(), "rejected input {i}: {}", response.status());
        canaries.push(format!("CANARY-suite-rejected-{i}-z7"));
    }

    let admin = server.admin().await;
    let ombuds = server.staff(&admin, "olivia", "ombuds").await;
    let board_secret = server.enrol_staff(&admin, "bea", "board").await;
    let cases: Value = server
        .as_staff(&ombuds, Method::GET, "/api/v1/cases")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    tally.requests(1);
    let cases = cases.as_array().unwrap();
    assert_eq!(cases.len(), CONCERNS_PER_ENGINE, "every concern arrived");
    for (i, case) in cases.iter().enumerate().take(5) {
        let id = case["id"].as_str().unwrap();
        let note = format!("CANARY-suite-note-{i:03}-m4p");
        // An added party's fields, its thread and the plan's terms are case content too.
        let party_name = format!("CANARY-suite-party-name-{i:03}-r5t");
        let party_contact = format!("CANARY-suite-party-contact-{i:03}-r5t");
        let party_message = format!("CANARY-suite-party-message-{i:03}-r5t");
        let terms = format!("CANARY-suite-plan-{i:03}-r5t");
        let steps = vec![
            (Method::POST, format!("/api/v1/cases/{id}/open"), None),
            (
                Method::POST,
                format!("/api/v1/cases/{id}/notes"),
                Some(json!({ "text": note })),
            ),
            (
                Method::POST,
                format!("/api/v1/cases/{id}/parties"),
                Some(json!({
                    "role": "member_concerned",
                    "name": party_name,
                    "contact": party_contact,
                    "lang": "es",
                    "receipt": i % 2 == 0,
                })),
            ),
            (
                Method::PUT,
                format!("/api/v1/cases/{id}/plan"),
                Some(json!({ "terms": terms })),
            ),
        ];
        staff::perform(&server, &ombuds, steps, tally).await;
        let case: Value = server
            .as_staff(&ombuds, Method::GET, &format!("/api/v1/cases/{id}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        tally.requests(1);
        let party = case["parties"][0]["id"].as_str().unwrap();
        let mut steps = vec![(
            Method::POST,
            format!("/api/v1/cases/{id}/parties/{party}/messages"),
            Some(json!({ "text": party_message })),
        )];
        steps.extend(staff::close(id));
        staff::perform(&server, &ombuds, steps, tally).await;
        canaries.extend([note, party_name, party_contact, party_message, terms]);
    }

    // Every acknowledged concern is still there, and its follow-up opens.
    for receipt in &receipts {
        let opened = client
            .get(server.at("/api/v1/followup"))
            .header("authorization", format!("Receipt {receipt}"))
            .send()
            .await
            .unwrap();
        tally.requests(1);
        if opened.status() != 200 {
            tally.lost(1);
        }
    }

    // Everything the board can download for the quarter, once it has ended.
    server.set_clock("2026-04-02T17:00:00Z");
    let board = server.sign_in("bea", &board_secret).await;
    let mut places: Vec<(String, Vec<u8>)> = Vec::new();
    for path in [
        "/board/reports/2026Q1",
        "/board/reports/2026Q1/csv",
        "/board/reports/2026Q1/json",
        "/api/v1/reports/2026Q1",
    ] {
        let response = server.as_staff(&board, Method::GET, path).send().await.unwrap();
        tally.requests(1);
        assert_eq!(response.status(), 200, "{path}");
        places.push((path.to_owned(), response.bytes().await.unwrap().to_vec()));
    }
    places.push(("server logs".into(), server.logs().into_bytes()));
    for (path, bytes) in server.data_files() {
        places.push((path.display().to_string(), bytes));
    }

    tally.canary_places(places.len() as u64);
    for (place, bytes) in &places {
        for canary in &canaries {
            if contains(bytes, canary) {
                eprintln!("{engine:?}: {place} holds {canary:?} in plaintext");
                tally.canaries_found(1);
            }
        }
    }
}
