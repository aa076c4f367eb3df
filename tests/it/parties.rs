//! Matters with several parties (issue #19, items 1, 2, 5, 6), through a real server on both
//! engines: the ombuds adds parties in the console and the API, each with a receipt of its own
//! (shown once, on a printable invitation in the party's language) or none; each receipt opens
//! only its own party's thread; nothing one party wrote reaches another party's pages or API
//! answers; a party added to a closed case, or a message to a party a case does not have, is a
//! clear 404 that changes nothing.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Engine, Session, TestServer, contains, count, on_both_engines};

const CONCERN: &str = "CANARY-concern-5be1 The agent kept my deposit.";
const BY_SUBMITTER: &str = "CANARY-submitter-0a7c";
const TO_SUBMITTER: &str = "CANARY-to-submitter-91d2";
const BY_MEMBER: &str = "CANARY-member-44e0";
const TO_MEMBER: &str = "CANARY-to-member-b8f3";
const LOGGED_BROKER: &str = "CANARY-broker-call-7d15";
const MEMBER_NAME: &str = "CANARY-name-Pat-Member";
const MEMBER_CONTACT: &str = "CANARY-contact-555-0199";

/// Every canary, and which may be shown to whom.
const ALL: [&str; 8] = [
    CONCERN,
    BY_SUBMITTER,
    TO_SUBMITTER,
    BY_MEMBER,
    TO_MEMBER,
    LOGGED_BROKER,
    MEMBER_NAME,
    MEMBER_CONTACT,
];

async fn opened_case(server: &TestServer, ombuds: &Session) -> String {
    let cases: Value = server
        .as_staff(ombuds, Method::GET, "/api/v1/cases")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = cases[0]["id"].as_str().unwrap().to_owned();
    let opened = server
        .as_staff(ombuds, Method::POST, &format!("/api/v1/cases/{id}/open"))
        .send()
        .await
        .unwrap();
    assert_eq!(opened.status(), 200);
    id
}

async fn case_json(server: &TestServer, ombuds: &Session, id: &str) -> Value {
    server
        .as_staff(ombuds, Method::GET, &format!("/api/v1/cases/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn form(session: &Session, fields: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = fields
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    all.push(("csrf".into(), session.csrf.clone()));
    all
}

/// What a receipt opens, by the API (JSON as text) and by the page.
async fn seen_with(server: &TestServer, receipt: &str) -> (u16, String, String) {
    let api = server
        .client()
        .get(server.at("/api/v1/followup"))
        .header("authorization", format!("Receipt {receipt}"))
        .send()
        .await
        .unwrap();
    let status = api.status().as_u16();
    let api = api.text().await.unwrap();
    let page = server
        .client()
        .post(server.at("/followup"))
        .form(&[("receipt", receipt)])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    (status, api, page)
}

fn assert_shows_only(what: &str, text: &str, allowed: &[&str]) {
    for canary in ALL {
        if allowed.contains(&canary) {
            assert!(
                text.contains(canary),
                "{what} does not show {canary}:\n{text}"
            );
        } else {
            assert!(!text.contains(canary), "{what} shows {canary}:\n{text}");
        }
    }
}

on_both_engines!(each_party_reads_and_writes_only_its_own_thread);
async fn each_party_reads_and_writes_only_its_own_thread(engine: Engine) {
    let server = TestServer::start_on(engine);
    let admin = server.admin().await;
    let ombuds = server.staff(&admin, "olivia", "ombuds").await;
    let submitter = server.submit(CONCERN).await;
    let id = opened_case(&server, &ombuds).await;

    // Party 2, the member concerned, by the API: a receipt of its own, Spanish.
    let added = server
        .as_staff(
            &ombuds,
            Method::POST,
            &format!("/api/v1/cases/{id}/parties"),
        )
        .json(&json!({
            "role": "member_concerned",
            "name": MEMBER_NAME,
            "contact": MEMBER_CONTACT,
            "lang": "es",
            "receipt": true,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), 201);
    assert_eq!(added.headers()["cache-control"], "no-store");
    let added: Value = added.json().await.unwrap();
    assert_eq!(added["number"], 2);
    assert_eq!(added["lang"], "es");
    let member = added["receipt"].as_str().unwrap().to_owned();
    assert_eq!(member.split('-').count(), submitter.split('-').count());
    let member_id = added["id"].as_str().unwrap().to_owned();

    // Party 3, the broker, in the HTML console: no receipt (telephone).
    let broker = server
        .client()
        .post(server.at(&format!("/console/cases/{id}/parties")))
        .header("cookie", &ombuds.cookie)
        .form(&form(
            &ombuds,
            &[
                ("role", "designated_broker"),
                ("lang", "en"),
                ("channel", "none"),
            ],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(broker.status(), 303);
    let location = broker.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.contains("done=party"), "{location}");

    // Party 4, another party, in the HTML console with a receipt: the answer is the receipt,
    // once, above the printable invitation in the party's language.
    let invited = server
        .client()
        .post(server.at(&format!("/console/cases/{id}/parties")))
        .header("cookie", &ombuds.cookie)
        .form(&form(
            &ombuds,
            &[
                ("role", "other_party"),
                ("lang", "es"),
                ("channel", "receipt"),
            ],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(invited.status(), 201);
    assert_eq!(invited.headers()["cache-control"], "no-store");
    let invitation = invited.text().await.unwrap();
    assert!(invitation.contains("<html lang=\"es\""), "{invitation}");
    assert!(invitation.contains("Al ombuds le gustaría conocer su punto de vista"));
    assert!(invitation.contains("/followup?lang=es"), "{invitation}");
    assert!(invitation.contains("Invitation for party 4"));
    let other = invitation
        .split("<p class=\"receipt\" lang=\"en\"><code>")
        .nth(1)
        .and_then(|rest| rest.split("</code>").next())
        .unwrap()
        .to_owned();
    assert_eq!(
        other.split('-').count(),
        member.split('-').count(),
        "{other}"
    );
    assert_shows_only("the invitation", &invitation, &[]);

    // Everyone writes in their own thread.
    let write = |receipt: &str, text: &str| {
        server
            .client()
            .post(server.at("/api/v1/followup/messages"))
            .header("authorization", format!("Receipt {receipt}"))
            .json(&json!({ "text": text }))
            .send()
    };
    assert_eq!(write(&submitter, BY_SUBMITTER).await.unwrap().status(), 201);
    let by_form = server
        .client()
        .post(server.at("/followup/messages?lang=es"))
        .form(&[("receipt", member.as_str()), ("text", BY_MEMBER)])
        .send()
        .await
        .unwrap();
    assert_eq!(by_form.status(), 201);
    let page = by_form.text().await.unwrap();
    assert!(page.contains("Su conversación con el ombuds"), "{page}");
    assert_shows_only("the member's page after writing", &page, &[BY_MEMBER]);

    let staff_write = |path: String, text: &str| {
        server
            .as_staff(&ombuds, Method::POST, &path)
            .json(&json!({ "text": text }))
            .send()
    };
    let replied = staff_write(format!("/api/v1/cases/{id}/replies"), TO_SUBMITTER);
    assert_eq!(replied.await.unwrap().status(), 201);
    let to_member = staff_write(
        format!("/api/v1/cases/{id}/parties/{member_id}/messages"),
        TO_MEMBER,
    );
    assert_eq!(to_member.await.unwrap().status(), 201);
    let case = case_json(&server, &ombuds, &id).await;
    let parties = case["parties"].as_array().unwrap();
    assert_eq!(parties.len(), 3);
    assert_eq!(parties[0]["number"], 2);
    assert_eq!(parties[0]["role"], "member_concerned");
    assert_eq!(parties[0]["name"], MEMBER_NAME);
    assert_eq!(parties[0]["lang"], "es");
    assert_eq!(parties[0]["has_receipt"], true);
    assert_eq!(parties[1]["role"], "designated_broker");
    assert_eq!(parties[1]["has_receipt"], false);
    assert_eq!(parties[1]["name"], Value::Null);
    let broker_id = parties[1]["id"].as_str().unwrap().to_owned();
    // The broker's call is logged in its thread, from the HTML console.
    let logged = server
        .client()
        .post(server.at(&format!("/console/cases/{id}/parties/{broker_id}/messages")))
        .header("cookie", &ombuds.cookie)
        .form(&form(&ombuds, &[("text", LOGGED_BROKER)]))
        .send()
        .await
        .unwrap();
    assert_eq!(logged.status(), 303);

    // Each receipt opens its own thread only, by the API and by the page.
    let (status, api, page) = seen_with(&server, &submitter).await;
    assert_eq!(status, 200);
    assert_shows_only(
        "the submitter's answer",
        &api,
        &[CONCERN, BY_SUBMITTER, TO_SUBMITTER],
    );
    assert_shows_only(
        "the submitter's page",
        &page,
        &[CONCERN, BY_SUBMITTER, TO_SUBMITTER],
    );

    let (status, api, page) = seen_with(&server, &member).await;
    assert_eq!(status, 200);
    let answer: Value = serde_json::from_str(&api).unwrap();
    assert_eq!(answer["party"], 2);
    assert_eq!(answer["status"], "open");
    assert!(answer.get("concern").is_none() && answer.get("deadline").is_none());
    assert!(
        answer.get("first_contact").is_none(),
        "none of the complainant's dates"
    );
    assert_eq!(answer["messages"].as_array().unwrap().len(), 2);
    assert_shows_only("the member's answer", &api, &[BY_MEMBER, TO_MEMBER]);
    assert_shows_only("the member's page", &page, &[BY_MEMBER, TO_MEMBER]);

    let (status, api, page) = seen_with(&server, &other).await;
    assert_eq!(status, 200);
    assert_shows_only("party 4's answer", &api, &[]);
    assert_shows_only("party 4's page", &page, &[]);

    // The ombuds sees every thread side by side.
    let console = server
        .as_staff(&ombuds, Method::GET, &format!("/console/cases/{id}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_shows_only("the case page", &console, &ALL);
    assert!(console.contains("Party 2: Member the concern is about"));
    assert!(console.contains("Party 3: Their designated broker"));
    assert!(console.contains("No receipt: telephone, post or in person"));
    assert_shows_only(
        "the case's API answer",
        &case_json(&server, &ombuds, &id).await.to_string(),
        &[
            CONCERN,
            BY_SUBMITTER,
            TO_SUBMITTER,
            BY_MEMBER,
            TO_MEMBER,
            LOGGED_BROKER,
            MEMBER_NAME,
            MEMBER_CONTACT,
        ],
    );

    // Sealed: no party field is in the clear on disk; nothing was logged.
    let mut db = server.database().await;
    assert_eq!(count(&mut db, "parties").await, 3);
    for (path, bytes) in server.data_files() {
        for canary in [
            MEMBER_NAME,
            MEMBER_CONTACT,
            BY_MEMBER,
            TO_MEMBER,
            LOGGED_BROKER,
        ] {
            assert!(
                !contains(&bytes, canary),
                "{} holds {canary}",
                path.display()
            );
        }
    }
    let logs = server.logs();
    for canary in ALL {
        assert!(!logs.contains(canary), "the log holds {canary}");
    }
    assert!(
        !logs.contains(&member) && !logs.contains(&other),
        "a receipt is logged"
    );

    // Closing destroys the parties and their threads; their receipts open only their own
    // termination notice after, with nothing anyone wrote.
    let closed = server
        .as_staff(&ombuds, Method::POST, &format!("/api/v1/cases/{id}/close"))
        .json(&json!({ "outcome": "unsuccessfully_closed" }))
        .send()
        .await
        .unwrap();
    assert_eq!(closed.status(), 200);
    let mut db = server.database().await;
    for table in ["parties", "messages", "cases"] {
        assert_eq!(count(&mut db, table).await, 0, "{table} still holds rows");
    }
    let (status, api, page) = seen_with(&server, &member).await;
    assert_eq!(status, 200);
    assert!(api.contains("LA RESOLUCIÓN INFORMAL HA TERMINADO"), "{api}");
    assert_shows_only("the member's notice after closing", &api, &[MEMBER_NAME]);
    assert_shows_only("the member's page after closing", &page, &[MEMBER_NAME]);
}

on_both_engines!(parties_are_refused_on_closed_cases_and_across_cases);
async fn parties_are_refused_on_closed_cases_and_across_cases(engine: Engine) {
    let server = TestServer::start_on(engine);
    let admin = server.admin().await;
    let ombuds = server.staff(&admin, "olivia", "ombuds").await;
    server.submit("A first concern").await;
    let first = opened_case(&server, &ombuds).await;
    let add = |id: &str, body: Value| {
        server
            .as_staff(
                &ombuds,
                Method::POST,
                &format!("/api/v1/cases/{id}/parties"),
            )
            .json(&body)
            .send()
    };

    // Bad fields are named; nothing is added.
    let bad = add(
        &first,
        json!({ "role": "judge", "lang": "fr", "receipt": "yes" }),
    )
    .await
    .unwrap();
    assert_eq!(bad.status(), 422);
    let bad: Value = bad.json().await.unwrap();
    let fields: Vec<&str> = bad["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["receipt", "role", "lang"], "{bad}");
    let missing = add(&first, json!({ "role": "other" })).await.unwrap();
    assert_eq!(missing.status(), 422);
    let html = server
        .client()
        .post(server.at(&format!("/console/cases/{first}/parties")))
        .header("cookie", &ombuds.cookie)
        .form(&form(&ombuds, &[("lang", "en"), ("channel", "receipt")]))
        .send()
        .await
        .unwrap();
    assert_eq!(html.status(), 422);
    assert!(
        html.text()
            .await
            .unwrap()
            .contains("choose what the party is to the matter")
    );
    let mut db = server.database().await;
    assert_eq!(count(&mut db, "parties").await, 0);

    // A party of one case cannot be written to through another.
    let party = add(&first, json!({ "role": "other", "receipt": false }))
        .await
        .unwrap();
    assert_eq!(party.status(), 201);
    let party: Value = party.json().await.unwrap();
    let party_id = party["id"].as_str().unwrap().to_owned();
    server.submit("A second concern").await;
    let cases: Value = server
        .as_staff(&ombuds, Method::GET, "/api/v1/cases")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let second = cases
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .find(|c| *c != first)
        .unwrap();
    for (case, party) in [(&second, party_id.as_str()), (&first, "no-such-party")] {
        let across = server
            .as_staff(
                &ombuds,
                Method::POST,
                &format!("/api/v1/cases/{case}/parties/{party}/messages"),
            )
            .json(&json!({ "text": "CANARY-across" }))
            .send()
            .await
            .unwrap();
        assert_eq!(across.status(), 404);
        let answer: Value = across.json().await.unwrap();
        assert!(
            answer["error"].as_str().unwrap().contains("no such party"),
            "{answer}"
        );
    }
    assert_eq!(count(&mut db, "messages").await, 0);

    // Board and admin accounts never reach parties or plans.
    let board = server.staff(&admin, "bea", "board").await;
    for session in [&admin, &board] {
        for (method, path, body) in [
            (Method::GET, format!("/api/v1/cases/{first}"), None),
            (
                Method::POST,
                format!("/api/v1/cases/{first}/parties"),
                Some(json!({ "role": "other", "receipt": true })),
            ),
            (
                Method::POST,
                format!("/api/v1/cases/{first}/parties/{party_id}/messages"),
                Some(json!({ "text": "CANARY-staff" })),
            ),
            (
                Method::PUT,
                format!("/api/v1/cases/{first}/plan"),
                Some(json!({ "terms": "CANARY-staff" })),
            ),
        ] {
            let mut request = server.as_staff(session, method, &path);
            if let Some(body) = body {
                request = request.json(&body);
            }
            assert_eq!(request.send().await.unwrap().status(), 403, "{path}");
        }
        let page = server
            .as_staff(session, Method::GET, &format!("/console/cases/{first}"))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 403);
    }
    assert_eq!(count(&mut db, "parties").await, 1);
    assert_eq!(count(&mut db, "plans").await, 0);

    // Closed cases are destroyed: adding a party is a 404 that says so, by the API and the page.
    let closed = server
        .as_staff(
            &ombuds,
            Method::POST,
            &format!("/api/v1/cases/{first}/close"),
        )
        .json(&json!({ "outcome": "withdrawn" }))
        .send()
        .await
        .unwrap();
    assert_eq!(closed.status(), 200);
    let late = add(
        &first,
        json!({ "role": "member_concerned", "receipt": true }),
    )
    .await
    .unwrap();
    assert_eq!(late.status(), 404);
    let answer: Value = late.json().await.unwrap();
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("no party can be added"),
        "{answer}"
    );
    let late_page = server
        .client()
        .post(server.at(&format!("/console/cases/{first}/parties")))
        .header("cookie", &ombuds.cookie)
        .form(&form(
            &ombuds,
            &[("role", "other"), ("lang", "en"), ("channel", "receipt")],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(late_page.status(), 404);
    assert!(
        late_page
            .text()
            .await
            .unwrap()
            .contains("no party can be added")
    );
    assert_eq!(count(&mut db, "parties").await, 0);
}
