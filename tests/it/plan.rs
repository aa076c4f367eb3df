//! The resolution plan (issue #19, item 3), through a real server on both engines: the ombuds
//! writes the terms; each party sees the current version in its own thread and accepts or
//! declines it with its receipt; the ombuds records an answer given by telephone; the plan is
//! agreed, with its date, only when every party has accepted the same version; a revision
//! clears the answers; an answer to a superseded version, or any change to an agreed plan, is
//! refused naming the problem and changes nothing.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Engine, Session, TestServer, on_both_engines};

const TERMS_1: &str = "CANARY-plan-v1 The agent returns the deposit by Friday.";
const TERMS_2: &str =
    "CANARY-plan-v2 The agent returns the deposit by Monday, with a written apology.";

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

on_both_engines!(every_party_accepting_one_version_agrees_the_plan);
async fn every_party_accepting_one_version_agrees_the_plan(engine: Engine) {
    let server = TestServer::start_on(engine);
    server.set_clock("2026-03-02T17:00:00Z");
    let admin = server.admin().await;
    let ombuds = server.staff(&admin, "olivia", "ombuds").await;
    let (id, submitter) = server
        .submitted_and_opened(&ombuds, "A deposit kept by the agent.")
        .await;
    let add = |body: Value| {
        server
            .as_staff(
                &ombuds,
                Method::POST,
                &format!("/api/v1/cases/{id}/parties"),
            )
            .json(&body)
            .send()
    };
    let member: Value = add(json!({"role": "member_concerned", "lang": "es", "receipt": true}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let member = member["receipt"].as_str().unwrap().to_owned();
    let broker = add(json!({"role": "designated_broker", "receipt": false}))
        .await
        .unwrap();
    assert_eq!(broker.status(), 201);

    // Before there is a plan, an answer is refused.
    let answer = |receipt: &str, version: u32, answer: &str| {
        server
            .client()
            .post(server.at("/api/v1/followup/plan"))
            .header("authorization", format!("Receipt {receipt}"))
            .json(&json!({ "version": version, "answer": answer }))
            .send()
    };
    let early = answer(&member, 1, "accepted").await.unwrap();
    assert_eq!(early.status(), 422);

    // Version 1: the member accepts by receipt, the broker accepts by telephone.
    let write = |terms: &str| {
        server
            .as_staff(&ombuds, Method::PUT, &format!("/api/v1/cases/{id}/plan"))
            .json(&json!({ "terms": terms }))
            .send()
    };
    let written: Value = write(TERMS_1).await.unwrap().json().await.unwrap();
    assert_eq!(written["version"], 1);
    let seen = server.followup(&member, "").await;
    assert_eq!(seen["plan"]["version"], 1);
    assert_eq!(seen["plan"]["terms"], TERMS_1);
    assert_eq!(seen["plan"]["answer"], Value::Null);
    assert_eq!(answer(&member, 1, "accepted").await.unwrap().status(), 200);
    let record = |body: Value| {
        server
            .as_staff(
                &ombuds,
                Method::POST,
                &format!("/api/v1/cases/{id}/plan/answers"),
            )
            .json(&body)
            .send()
    };
    let by_phone = record(json!({
        "party": 3, "version": 1, "answer": "accepted", "channel": "phone", "on": "2026-03-01"
    }))
    .await
    .unwrap();
    assert_eq!(by_phone.status(), 200);
    let by_phone: Value = by_phone.json().await.unwrap();
    assert_eq!(
        by_phone["agreed_on"],
        Value::Null,
        "the submitter has not answered"
    );

    // A revision clears every answer; the old version can no longer be answered.
    let written: Value = write(TERMS_2).await.unwrap().json().await.unwrap();
    assert_eq!(written["version"], 2);
    let case = case_json(&server, &ombuds, &id).await;
    assert_eq!(case["plan"]["version"], 2);
    assert_eq!(case["plan"]["answers"], json!([]));
    let stale = answer(&submitter, 1, "accepted").await.unwrap();
    assert_eq!(stale.status(), 422);
    let stale: Value = stale.json().await.unwrap();
    assert!(
        stale["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("version 1 of the plan was replaced by version 2"),
        "{stale}"
    );
    assert_eq!(
        case_json(&server, &ombuds, &id).await["plan"]["answers"],
        json!([])
    );

    // Version 2: the submitter declines, then accepts; the member accepts by the page; the
    // broker's telephone acceptance completes the agreement.
    assert_eq!(
        answer(&submitter, 2, "declined").await.unwrap().status(),
        200
    );
    assert_eq!(
        server.followup(&submitter, "").await["plan"]["answer"],
        "declined"
    );
    assert_eq!(
        answer(&submitter, 2, "accepted").await.unwrap().status(),
        200
    );
    let page = server
        .client()
        .post(server.at("/followup/plan?lang=es"))
        .form(&[
            ("receipt", member.as_str()),
            ("version", "2"),
            ("answer", "accepted"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains("Su respuesta quedó registrada."), "{page}");
    assert!(page.contains("Usted aceptó esta versión."), "{page}");
    assert!(page.contains(TERMS_2));
    let agreed = record(json!({
        "party": 3, "version": 2, "answer": "accepted", "channel": "in_person"
    }))
    .await
    .unwrap();
    assert_eq!(agreed.status(), 200);
    let agreed: Value = agreed.json().await.unwrap();
    assert_eq!(
        agreed["agreed_on"], "2026-03-02",
        "the day of the last acceptance"
    );
    let case = case_json(&server, &ombuds, &id).await;
    assert_eq!(case["plan"]["agreed_on"], "2026-03-02");
    assert_eq!(case["plan"]["answers"].as_array().unwrap().len(), 3);
    assert_eq!(case["plan"]["answers"][2]["channel"], "in_person");
    let seen = server.followup(&member, "").await;
    assert_eq!(seen["plan"]["agreed_on"], "2026-03-02");

    // An agreed plan is final: no revision, no answer; nothing changes.
    let revise = write("CANARY-plan-v3").await.unwrap();
    assert_eq!(revise.status(), 422);
    let late = answer(&member, 2, "declined").await.unwrap();
    assert_eq!(late.status(), 422);
    let case = case_json(&server, &ombuds, &id).await;
    assert_eq!(case["plan"]["version"], 2);
    assert_eq!(case["plan"]["terms"], TERMS_2);
    assert!(
        case["plan"]["answers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["answer"] == "accepted")
    );

    // Answers to a party the case does not have, and recorded answers with bad fields, are
    // refused naming the field.
    let nobody = record(json!({
        "party": 9, "version": 2, "answer": "accepted", "channel": "phone"
    }))
    .await
    .unwrap();
    assert_eq!(nobody.status(), 422);
    let bad = record(json!({
        "party": 2, "version": 2, "answer": "maybe", "channel": "receipt", "on": "2999-01-01"
    }))
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
    assert_eq!(fields, ["channel", "on", "answer"], "{bad}");

    // The HTML console writes a plan and records an answer with plain forms.
    let second = server.submit("Another concern").await;
    let _ = second;
    let cases: Value = server
        .as_staff(&ombuds, Method::GET, "/api/v1/cases")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let other = cases
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .find(|c| *c != id)
        .unwrap();
    let post = |path: String, fields: &[(&str, &str)]| {
        let mut all: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        all.push(("csrf".into(), ombuds.csrf.clone()));
        server
            .client()
            .post(server.at(&path))
            .header("cookie", &ombuds.cookie)
            .form(&all)
            .send()
    };
    let written = post(
        format!("/console/cases/{other}/plan"),
        &[("terms", "CANARY-plan-html")],
    )
    .await
    .unwrap();
    assert_eq!(written.status(), 303);
    let empty = post(format!("/console/cases/{other}/plan"), &[("terms", " ")])
        .await
        .unwrap();
    assert_eq!(empty.status(), 422);
    assert!(empty.text().await.unwrap().contains("write the plan"));
    let recorded = post(
        format!("/console/cases/{other}/plan/answers"),
        &[
            ("party", "1"),
            ("version", "1"),
            ("answer", "accepted"),
            ("channel", "post"),
            ("on", "2026-03-01"),
        ],
    )
    .await
    .unwrap();
    assert_eq!(recorded.status(), 303);
    let location = recorded.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.contains("done=plan_agreed"),
        "the only party accepted: {location}"
    );
    let other_case = case_json(&server, &ombuds, &other).await;
    assert_eq!(other_case["plan"]["agreed_on"], "2026-03-01");
    assert_eq!(other_case["plan"]["answers"][0]["channel"], "post");

    // The console shows the plan, its answers and its agreement.
    let console = server
        .as_staff(&ombuds, Method::GET, &format!("/console/cases/{id}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(console.contains("agreed on 2026-03-02"), "{console}");
    assert!(console.contains(TERMS_2));
    assert!(console.contains("3: Their designated broker"));
}

on_both_engines!(a_refused_form_is_pointed_to_where_several_forms_share_field_names);
async fn a_refused_form_is_pointed_to_where_several_forms_share_field_names(engine: Engine) {
    let server = TestServer::start_on(engine);
    let admin = server.admin().await;
    let ombuds = server.staff(&admin, "olivia", "ombuds").await;
    let (id, _) = server
        .submitted_and_opened(&ombuds, "A deposit kept by the agent.")
        .await;
    let added = server
        .as_staff(
            &ombuds,
            Method::POST,
            &format!("/api/v1/cases/{id}/parties"),
        )
        .json(&json!({"role": "member_concerned", "receipt": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), 201);
    let party: Value = added.json().await.unwrap();
    let party = party["id"].as_str().unwrap().to_owned();
    let written = server
        .as_staff(&ombuds, Method::PUT, &format!("/api/v1/cases/{id}/plan"))
        .json(&json!({ "terms": TERMS_1 }))
        .send()
        .await
        .unwrap();
    assert_eq!(written.status(), 200);
    // The case page a refused form answers with (422).
    let refused = |path: String, fields: &'static [(&'static str, &'static str)]| {
        let (server, ombuds) = (&server, &ombuds);
        async move {
            let answer = server.post_form(ombuds, &path, fields).await;
            assert_eq!(answer.status(), 422, "{path}");
            answer.text().await.unwrap()
        }
    };

    // An empty message to party 2: the summary leads to party 2's box, not the note's, and
    // the message stands beside that box.
    let page = refused(
        format!("/console/cases/{id}/parties/{party}/messages"),
        &[("text", "")],
    )
    .await;
    assert!(page.contains("href=\"#party-2-text\""), "{page}");
    assert!(!page.contains("href=\"#text\""));
    let beside = page
        .find("id=\"party-2-error\"")
        .expect("an inline message");
    let field = page.find("id=\"party-2-text\"").unwrap();
    assert!(beside < field, "the message comes just before the box");
    assert!(page[field..].contains("aria-invalid=\"true\""));

    // An empty reply to the person: the summary leads to the reply box.
    let page = refused(format!("/console/cases/{id}/replies"), &[("text", "")]).await;
    assert!(page.contains("href=\"#reply\""), "{page}");
    assert!(page.contains("id=\"reply-error\""));
    assert!(!page.contains("id=\"party-2-error\""));

    // An answer recorded without saying how it was given: the summary leads to the answer
    // form's channel, and the add-party form (which has a channel too) shows no error.
    let page = refused(
        format!("/console/cases/{id}/plan/answers"),
        &[
            ("version", "1"),
            ("party", "2"),
            ("answer", "accepted"),
            ("on", "2026-03-02"),
        ],
    )
    .await;
    assert!(page.contains("href=\"#channel-given\""), "{page}");
    let given = page.find("id=\"channel-given\"").unwrap();
    let error = page.find("class=\"field-error\"").unwrap();
    assert!(
        error > given,
        "the only inline message is in the answer form"
    );
    assert_eq!(page.matches("class=\"field-error\"").count(), 1);
}
