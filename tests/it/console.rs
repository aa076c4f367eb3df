//! The console journey through a real server: an ombuds opens a web concern, writes notes and
//! commitments that show their expiry, replies; the submitter reads the reply with the receipt
//! and answers; the ombuds closes the case and its content is gone from disk.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Engine, TestServer, contains, contains_bytes, count, on_both_engines};

const CANARY: &str = "CANARY-console-9d41b7";

on_both_engines!(an_ombuds_works_a_web_concern_from_inbox_to_closing);
async fn an_ombuds_works_a_web_concern_from_inbox_to_closing(engine: Engine) {
    let server = TestServer::start_on(engine);
    let admin = server.admin().await;
    let ombuds = server.staff(&admin, "olivia", "ombuds").await;
    let receipt = server
        .submit(&format!("The seller's agent keeps my deposit. {CANARY}"))
        .await;

    // The concern waits in the inbox.
    let cases: Value = server
        .as_staff(&ombuds, Method::GET, "/api/v1/cases")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(cases.as_array().unwrap().len(), 1);
    let id = cases[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(cases[0]["status"], "new");
    assert_eq!(cases[0]["channel"], "web");
    let page = server
        .as_staff(&ombuds, Method::GET, "/console")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("New web concerns (1)"), "{page}");

    // Open it; the concern reads as written.
    let opened = server
        .as_staff(&ombuds, Method::POST, &format!("/api/v1/cases/{id}/open"))
        .send()
        .await
        .unwrap();
    assert_eq!(opened.status(), 200);
    let case: Value = server
        .as_staff(&ombuds, Method::GET, &format!("/api/v1/cases/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(case["status"], "open");
    assert!(
        case["concern"]["description"]
            .as_str()
            .unwrap()
            .contains(CANARY)
    );

    // A note with the default expiry, and a commitment due in three days.
    let note = server
        .as_staff(&ombuds, Method::POST, &format!("/api/v1/cases/{id}/notes"))
        .json(&json!({ "text": format!("Called the broker. {CANARY}") }))
        .send()
        .await
        .unwrap();
    assert_eq!(note.status(), 201);
    let today = server
        .now()
        .with_timezone(&chrono_tz::America::Phoenix)
        .date_naive();
    let due = today + chrono::Days::new(3);
    let commitment = server
        .as_staff(&ombuds, Method::POST, &format!("/api/v1/cases/{id}/notes"))
        .json(&json!({ "kind": "commitment", "text": "Send the mediation leaflet", "due_on": due.to_string(), "expires_in_days": 14 }))
        .send()
        .await
        .unwrap();
    assert_eq!(commitment.status(), 201);
    let page = server
        .as_staff(&ombuds, Method::GET, &format!("/console/cases/{id}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("expires in 30 days"),
        "the note shows its expiry"
    );
    assert!(page.contains("expires in 14 days"));
    let home = server
        .as_staff(&ombuds, Method::GET, "/console")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        home.contains("Send the mediation leaflet"),
        "commitments coming due are listed"
    );
    assert!(home.contains(&due.to_string()));

    // Services given.
    let services = server
        .as_staff(
            &ombuds,
            Method::PUT,
            &format!("/api/v1/cases/{id}/services"),
        )
        .json(&json!({ "services": ["coaching", "answer_information"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(services.status(), 200);

    // A reply, read by the submitter with the receipt, who answers.
    let reply = server
        .as_staff(
            &ombuds,
            Method::POST,
            &format!("/api/v1/cases/{id}/replies"),
        )
        .json(&json!({ "text": "I have spoken with the broker; can we talk on Tuesday?" }))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 201);
    let thread = server
        .client()
        .post(server.at("/followup"))
        .form(&[("receipt", receipt.replace('-', " ").as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(thread.status(), 200);
    let thread = thread.text().await.unwrap();
    assert!(
        thread.contains("can we talk on Tuesday?"),
        "the submitter reads the reply"
    );
    assert!(thread.contains("An ombuds is working on it"));
    let answer = server
        .client()
        .post(server.at("/api/v1/followup/messages"))
        .header("authorization", format!("Receipt {receipt}"))
        .json(&json!({ "text": "Tuesday works for me." }))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 201);
    let cases: Value = server
        .as_staff(&ombuds, Method::GET, "/api/v1/cases")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(cases[0]["awaiting_reply"], true);
    let case: Value = server
        .as_staff(&ombuds, Method::GET, &format!("/api/v1/cases/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let messages = case["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[1]["author"], "submitter");
    assert_eq!(messages[1]["text"], "Tuesday works for me.");

    // What the database holds for this case, before closing.
    let mut db = server.database().await;
    let (sealed, key_id): (Vec<u8>, String) =
        sqlx::query_as("SELECT sealed, key_id FROM cases WHERE id = $1")
            .bind(&id)
            .fetch_one(&mut db)
            .await
            .unwrap();
    let notes: Vec<Vec<u8>> = sqlx::query_scalar("SELECT sealed FROM notes")
        .fetch_all(&mut db)
        .await
        .unwrap();
    let mut keys = server.key_store().await;
    let wrapped: Vec<u8> = sqlx::query_scalar("SELECT wrapped FROM content_keys WHERE id = $1")
        .bind(&key_id)
        .fetch_one(&mut keys)
        .await
        .unwrap();
    drop(db);
    drop(keys);

    // Close it: the submitter's last message is unanswered, so that must be acknowledged; then
    // everything is destroyed, on disk too.
    let (status, refused) = server
        .api(
            &ombuds,
            Method::POST,
            &format!("/api/v1/cases/{id}/close"),
            Some(json!({ "outcome": "unsuccessfully_closed" })),
        )
        .await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["fields"][0]["field"], "confirm_unanswered");
    let closed = server
        .as_staff(&ombuds, Method::POST, &format!("/api/v1/cases/{id}/close"))
        .json(&json!({ "outcome": "unsuccessfully_closed", "confirm_unanswered": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(closed.status(), 200);
    let gone = server
        .as_staff(&ombuds, Method::GET, &format!("/api/v1/cases/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 404);
    let mut db = server.database().await;
    for table in ["cases", "notes", "messages"] {
        assert_eq!(count(&mut db, table).await, 0, "{table} still holds rows");
    }
    let mut keys = server.key_store().await;
    let case_key: i64 = sqlx::query_scalar("SELECT count(*) FROM content_keys WHERE id = $1")
        .bind(&key_id)
        .fetch_one(&mut keys)
        .await
        .unwrap();
    assert_eq!(case_key, 0, "the case's key is destroyed");
    assert_eq!(
        count(&mut keys, "content_keys").await,
        2,
        "only the own keys of the termination notice and the follow-up letter remain"
    );
    let fragment = |bytes: &[u8]| {
        String::from_utf8_lossy(&bytes[bytes.len() / 2..bytes.len() / 2 + 48]).into_owned()
    };
    for (path, bytes) in server.data_files() {
        assert!(
            !contains(&bytes, CANARY),
            "{} holds the canary",
            path.display()
        );
        // SQLite overwrites deleted bytes and truncates its WAL at closing. PostgreSQL keeps
        // old row images until their space is reused (its write-ahead log holds every insert),
        // which is why its guarantee is the destroyed key checked above, not erasure.
        if engine == Engine::Postgres {
            continue;
        }
        for (what, blob) in [
            ("the sealed concern", &sealed),
            ("the wrapped key", &wrapped),
        ] {
            let middle = &blob[blob.len() / 2..blob.len() / 2 + 48];
            assert!(
                !contains_bytes(&bytes, middle),
                "{} still holds {what} after closing ({})",
                path.display(),
                fragment(blob)
            );
        }
        for note in &notes {
            let middle = &note[note.len() / 2..note.len() / 2 + 32];
            assert!(
                !contains_bytes(&bytes, middle),
                "{} still holds a note",
                path.display()
            );
        }
    }

    // Closing recorded the termination and issued the notice: the receipt now opens only that.
    let closed_answer = server
        .client()
        .post(server.at("/followup"))
        .form(&[("receipt", receipt.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(closed_answer.status(), 200);
    let page = closed_answer.text().await.unwrap();
    assert!(page.contains("Your case is closed"));
    assert!(page.contains("BEGIN OMBUDS SUSPENSION CERTIFICATE"));
    assert!(
        !page.contains(CANARY) && !page.contains("Tuesday works"),
        "no content survives"
    );

    // 180 days on, the notice is gone too, and the receipt opens nothing, exactly as a receipt
    // that never existed.
    server.advance(181 * 24 * 3600);
    let expired = server
        .client()
        .post(server.at("/followup"))
        .form(&[("receipt", receipt.as_str())])
        .send()
        .await
        .unwrap();
    let never = server
        .client()
        .post(server.at("/followup"))
        .form(&[(
            "receipt",
            "abandon ability able about above absent absorb abstract",
        )])
        .send()
        .await
        .unwrap();
    assert_eq!(expired.status(), 404);
    assert_eq!(never.status(), 404);
    assert_eq!(expired.text().await.unwrap(), never.text().await.unwrap());
}

on_both_engines!(an_ombuds_logs_a_phone_contact_and_uses_the_html_console);
async fn an_ombuds_logs_a_phone_contact_and_uses_the_html_console(engine: Engine) {
    let server = TestServer::start_on(engine);
    let admin = server.admin().await;
    let ombuds = server.staff(&admin, "omar", "ombuds").await;
    let form = |fields: &[(&str, &str)]| {
        let mut all: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        all.push(("csrf".into(), ombuds.csrf.clone()));
        all
    };
    let post = |path: &str, fields: Vec<(String, String)>| {
        server
            .client()
            .post(server.at(path))
            .header("cookie", &ombuds.cookie)
            .form(&fields)
            .send()
    };

    // A bad form comes back with the input kept and the errors named.
    let bad = post(
        "/console/cases",
        form(&[
            ("channel", "fax"),
            ("category", "conduct"),
            ("raised_by", "member"),
            ("description", "Shouting at a showing"),
            ("first_contact", "2999-01-01"),
        ]),
    )
    .await
    .unwrap();
    assert_eq!(bad.status(), 422);
    let page = bad.text().await.unwrap();
    assert!(page.contains("must be phone, email or walk_in"));
    assert!(page.contains("in the future"));
    assert!(page.contains("Shouting at a showing</textarea>"));
    // The form says what to read out, in each language, and refuses until it was read.
    assert!(page.contains("Before you log it: read this out"));
    assert!(page.contains("Talking with the ombuds does not count as giving notice"));
    assert!(
        page.contains("Hablar con el ombuds no equivale a notificar"),
        "{page}"
    );
    assert!(page.contains("read out the limits of confidentiality"));

    let unread = post(
        "/console/cases",
        form(&[
            ("channel", "phone"),
            ("category", "conduct"),
            ("raised_by", "member"),
            ("description", "Shouting at a showing"),
        ]),
    )
    .await
    .unwrap();
    assert_eq!(unread.status(), 422);
    let page = unread.text().await.unwrap();
    assert!(
        page.contains("read out the limits of confidentiality"),
        "{page}"
    );

    let logged = post(
        "/console/cases",
        form(&[
            ("conditions_read", "yes"),
            ("channel", "phone"),
            ("category", "conduct"),
            ("raised_by", "member"),
            ("description", "Shouting at a showing"),
            ("first_contact", "2026-02-27"),
        ]),
    )
    .await
    .unwrap();
    assert_eq!(logged.status(), 303);
    let location = logged.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("/console/cases/"));
    let id = location
        .trim_start_matches("/console/cases/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();

    let page = server
        .client()
        .get(server.at(&location))
        .header("cookie", &ombuds.cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Contact logged and case opened."));
    assert!(
        page.contains("2026-02-27"),
        "first-contact date recorded as given"
    );
    assert!(
        page.contains("there is no anonymous thread"),
        "phone contacts have no thread"
    );

    // A commitment due after its own expiry is refused beside the form.
    let refused = post(
        &format!("/console/cases/{id}/notes"),
        form(&[
            ("kind", "commitment"),
            ("text", "Call back"),
            ("due_on", "2026-12-31"),
            ("expires_in_days", "7"),
        ]),
    )
    .await
    .unwrap();
    assert_eq!(refused.status(), 422);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("is not before the note is destroyed on")
    );

    let saved = post(
        &format!("/console/cases/{id}/services"),
        form(&[("service_referral", "yes"), ("service_coaching", "yes")]),
    )
    .await
    .unwrap();
    assert_eq!(saved.status(), 303);

    // Closing needs an outcome and the confirmation box.
    let unconfirmed = post(
        &format!("/console/cases/{id}/close"),
        form(&[("outcome", "dismissed")]),
    )
    .await
    .unwrap();
    assert_eq!(unconfirmed.status(), 422);
    let closed = post(
        &format!("/console/cases/{id}/close"),
        form(&[("outcome", "dismissed"), ("confirm", "yes")]),
    )
    .await
    .unwrap();
    assert_eq!(closed.status(), 200);
    assert!(
        closed
            .text()
            .await
            .unwrap()
            .contains("Dismissed (outside the program&#39;s scope)")
    );
    let mut db = server.database().await;
    assert_eq!(count(&mut db, "cases").await, 0);
}
