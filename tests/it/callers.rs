//! Callers are no longer second-class (#21, item 8), through a real server on both engines: the
//! ombuds issues a receipt to a person who telephoned, wrote or walked in (shown once, to read
//! out or print; only its keyed hash stored; never a second one), after which replies and
//! notices reach that person's thread as for a web concern; and the ombuds records periods in
//! which the respondent held no REALTOR® membership on the case page and in the API, which the
//! case's deadline counts.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Engine, Session, TestServer, count, on_both_engines};

/// Posts a console form as `session`: the status, the `Cache-Control` header, and the
/// `Location` or the page.
async fn post_form(
    server: &TestServer,
    session: &Session,
    path: &str,
    fields: &[(&str, &str)],
) -> (u16, String, String) {
    let answer = server.post_form(session, path, fields).await;
    let status = answer.status().as_u16();
    let header = |name: &str| {
        answer
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let cache = header("cache-control").unwrap_or_default();
    let location = header("location");
    let text = answer.text().await.unwrap();
    (status, cache, location.unwrap_or(text))
}

/// A telephone contact logged by `ombuds` through the API; its id.
async fn phone_contact(server: &TestServer, ombuds: &Session, first_contact: &str) -> String {
    let (status, logged) = server
        .api(
            ombuds,
            Method::POST,
            "/api/v1/cases",
            Some(json!({
                "channel": "phone",
                "category": "commission",
                "raised_by": "member",
                "description": "The co-op broker will not pay the agreed split.",
                "first_contact": first_contact,
                "concluded_on": "2026-01-10",
                "conditions_read": true,
            })),
        )
        .await;
    assert_eq!(status, 201, "{logged}");
    logged["id"].as_str().unwrap().to_owned()
}

/// The receipt on a receipt page (`<p class="receipt" …><code>…</code>`).
fn receipt_on(page: &str) -> String {
    page.split("<p class=\"receipt\" lang=\"en\"><code>")
        .nth(1)
        .and_then(|rest| rest.split("</code>").next())
        .expect("the page shows a receipt")
        .to_owned()
}

on_both_engines!(a_caller_is_issued_one_receipt_and_reads_replies_and_notices_with_it);
async fn a_caller_is_issued_one_receipt_and_reads_replies_and_notices_with_it(engine: Engine) {
    let server = TestServer::start_on(engine);
    let admin = server.admin().await;
    let ombuds = server.staff(&admin, "olivia", "ombuds").await;
    let id = phone_contact(&server, &ombuds, "2026-02-27").await;

    // Without a receipt there is no thread; the case page offers one.
    let (status, _) = server
        .api(
            &ombuds,
            Method::POST,
            &format!("/api/v1/cases/{id}/replies"),
            Some(json!({"text": "Before the receipt"})),
        )
        .await;
    assert_eq!(status, 422);
    let page = server
        .as_staff(&ombuds, Method::GET, &format!("/console/cases/{id}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!("action=\"/console/cases/{id}/receipt\"")));
    assert!(page.contains("Issue a receipt"));

    // A language the service does not speak is refused beside its field; nothing is issued.
    let (status, _, refused) = post_form(
        &server,
        &ombuds,
        &format!("/console/cases/{id}/receipt"),
        &[("lang", "fr")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(refused.contains("href=\"#receipt_lang\""), "{refused}");
    let (_, case) = server
        .api(&ombuds, Method::GET, &format!("/api/v1/cases/{id}"), None)
        .await;
    assert_eq!(case["has_receipt"], false);

    // Issued from the case page, in Spanish: shown once, not cached, with its words one by one
    // for reading out and the printable page in the person's language.
    let (status, cache, shown) = post_form(
        &server,
        &ombuds,
        &format!("/console/cases/{id}/receipt"),
        &[("lang", "es")],
    )
    .await;
    assert_eq!(status, 201, "{shown}");
    assert_eq!(cache, "no-store");
    let receipt = receipt_on(&shown);
    let words: Vec<&str> = receipt.split('-').collect();
    assert_eq!(words.len(), 8, "{receipt}");
    for word in &words {
        assert!(
            shown.contains(&format!("<li><code>{word}</code></li>")),
            "{word}"
        );
    }
    assert!(shown.contains("Read it out word by word"));
    assert!(shown.contains("Su recibo para el ombuds"), "{shown}");
    assert!(
        shown.contains("27 de febrero de 2026"),
        "the first contact, in words"
    );
    assert!(shown.contains("/followup?lang=es"));
    assert!(shown.contains("<html lang=\"es\">"));

    // Never a second one, from the page or the API; nothing changes.
    let (status, _, refused) = post_form(
        &server,
        &ombuds,
        &format!("/console/cases/{id}/receipt"),
        &[("lang", "en")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        refused.contains("This case already has a receipt"),
        "{refused}"
    );
    let (status, answer) = server
        .api(
            &ombuds,
            Method::POST,
            &format!("/api/v1/cases/{id}/receipt"),
            None,
        )
        .await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(answer["fields"][0]["field"], "receipt");
    let (status, _) = server
        .api(
            &ombuds,
            Method::POST,
            "/api/v1/cases/no-such-case/receipt",
            None,
        )
        .await;
    assert_eq!(status, 404);

    // The case now has a thread like a web case: a reply reaches the person, who answers.
    let (_, case) = server
        .api(&ombuds, Method::GET, &format!("/api/v1/cases/{id}"), None)
        .await;
    assert_eq!(case["has_receipt"], true);
    assert_eq!(case["channel"], "phone");
    let (status, _) = server
        .api(
            &ombuds,
            Method::POST,
            &format!("/api/v1/cases/{id}/replies"),
            Some(json!({"text": "I called the co-op broker."})),
        )
        .await;
    assert_eq!(status, 201);
    let thread = server.followup(&receipt, "").await;
    assert_eq!(thread["messages"][0]["text"], "I called the co-op broker.");
    let written = server
        .client()
        .post(server.at("/api/v1/followup/messages"))
        .header("authorization", format!("Receipt {receipt}"))
        .json(&json!({"text": "Thank you, I will wait."}))
        .send()
        .await
        .unwrap();
    assert_eq!(written.status(), 201);
    let (_, cases) = server
        .api(&ombuds, Method::GET, "/api/v1/cases", None)
        .await;
    assert_eq!(cases[0]["awaiting_reply"], true);

    // The termination notice reaches the thread, as for a web concern.
    let (status, _) = server
        .api(
            &ombuds,
            Method::POST,
            &format!("/api/v1/cases/{id}/dates/termination"),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 200);
    let (_, case) = server
        .api(&ombuds, Method::GET, &format!("/api/v1/cases/{id}"), None)
        .await;
    assert_eq!(case["letters"][0]["delivery"]["status"], "in_thread");
    let thread = server.followup(&receipt, "").await;
    assert_eq!(thread["letters"].as_array().unwrap().len(), 1, "{thread}");

    // Only the receipt's keyed hash is stored; the receipt is nowhere on disk or in the log.
    let mut db = server.database().await;
    let hash: Vec<u8> = sqlx::query_scalar("SELECT receipt_hash FROM cases WHERE id = $1")
        .bind(&id)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(hash.len(), 32);
    for (path, bytes) in server.data_files() {
        assert!(
            !crate::support::contains(&bytes, &receipt),
            "{} holds the receipt",
            path.display()
        );
    }
    assert!(!server.logs().contains(&receipt));

    // A web concern has its receipt already.
    let (web, _) = server.submitted_and_opened(&ombuds, "A web concern.").await;
    let (status, answer) = server
        .api(
            &ombuds,
            Method::POST,
            &format!("/api/v1/cases/{web}/receipt"),
            None,
        )
        .await;
    assert_eq!(status, 422, "{answer}");
}

on_both_engines!(a_notice_still_to_send_reaches_a_receipt_issued_after_it);
async fn a_notice_still_to_send_reaches_a_receipt_issued_after_it(engine: Engine) {
    let server = TestServer::start_on(engine);
    let admin = server.admin().await;
    let ombuds = server.staff(&admin, "olivia", "ombuds").await;
    let id = phone_contact(&server, &ombuds, "2026-02-27").await;
    let (status, _) = server
        .api(
            &ombuds,
            Method::POST,
            &format!("/api/v1/cases/{id}/dates/termination"),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 200);
    let (_, case) = server
        .api(&ombuds, Method::GET, &format!("/api/v1/cases/{id}"), None)
        .await;
    assert_eq!(case["letters"][0]["delivery"]["status"], "pending");

    let (status, issued) = server
        .api(
            &ombuds,
            Method::POST,
            &format!("/api/v1/cases/{id}/receipt"),
            None,
        )
        .await;
    assert_eq!(status, 201, "{issued}");
    assert_eq!(issued["first_contact"], "2026-02-27");
    let receipt = issued["receipt"].as_str().unwrap();
    let thread = server.followup(receipt, "").await;
    assert_eq!(thread["letters"].as_array().unwrap().len(), 1, "{thread}");
    let (_, case) = server
        .api(&ombuds, Method::GET, &format!("/api/v1/cases/{id}"), None)
        .await;
    assert_eq!(case["letters"][0]["delivery"]["status"], "opened");
}

on_both_engines!(periods_without_membership_count_in_the_case_s_deadline);
async fn periods_without_membership_count_in_the_case_s_deadline(engine: Engine) {
    let server = TestServer::start_on(engine);
    let admin = server.admin().await;
    let ombuds = server.staff(&admin, "olivia", "ombuds").await;
    // A web concern about a transaction that concluded on 2026-01-10, raised today (Monday
    // 2026-03-02), whose informal resolution ends today: one day suspended, so the deadline is
    // 2026-07-09 + 1 = Friday 2026-07-10.
    let mut concern = crate::support::valid_concern();
    concern["concluded_on"] = "2026-01-10".into();
    let sent = server
        .client()
        .post(server.at("/api/v1/concerns"))
        .json(&concern)
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 201);
    let receipt = sent.json::<Value>().await.unwrap()["receipt"]
        .as_str()
        .unwrap()
        .to_owned();
    let id = server.opened_case(&ombuds).await;
    let (status, _) = server
        .api(
            &ombuds,
            Method::POST,
            &format!("/api/v1/cases/{id}/dates/termination"),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 200);
    let deadline = |case: &Value| {
        (
            case["deadline"]["deadline"].as_str().unwrap().to_owned(),
            case["deadline"]["days_suspended"].as_u64().unwrap(),
        )
    };
    let (_, case) = server
        .api(&ombuds, Method::GET, &format!("/api/v1/cases/{id}"), None)
        .await;
    assert_eq!(deadline(&case), ("2026-07-10".to_owned(), 1));
    assert_eq!(case["non_membership"], json!([]));

    // Bad periods are refused naming the field, on the page and in the API; nothing is stored.
    let path = format!("/console/cases/{id}/non-membership");
    for (fields, says) in [
        (
            vec![("from", "2026-01-29"), ("to", "2026-01-20")],
            "The last day without membership, 2026-01-20, is before the first, 2026-01-29",
        ),
        (
            vec![("from", "2026-01-20"), ("to", "2026-03-03")],
            "Last day without membership (To): 2026-03-03 is in the future",
        ),
        (
            vec![("from", ""), ("to", "2026-01-29")],
            "Give the first day without membership (From).",
        ),
    ] {
        let (status, _, page) = post_form(&server, &ombuds, &path, &fields).await;
        assert_eq!(status, 422);
        assert!(page.contains(says), "{says}: {page}");
    }
    let (status, answer) = server
        .api(
            &ombuds,
            Method::POST,
            &format!("/api/v1/cases/{id}/non-membership"),
            Some(json!({"from": "2026-13-01"})),
        )
        .await;
    assert_eq!(status, 422, "{answer}");
    let fields: Vec<&str> = answer["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["from", "to"]);
    let mut db = server.database().await;
    assert_eq!(count(&mut db, "non_membership").await, 0);

    // A period of ten days after the trigger: eleven days suspended, Monday 2026-07-20.
    let (status, _, to) = post_form(
        &server,
        &ombuds,
        &path,
        &[("from", "2026-01-20"), ("to", "2026-01-29")],
    )
    .await;
    assert_eq!(status, 303, "{to}");
    let page = server
        .as_staff(&ombuds, Method::GET, &to)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Period without membership recorded"));
    assert!(page.contains("From 2026-01-20 to 2026-01-29"), "{page}");
    assert!(
        page.contains("2026-07-20"),
        "the deadline on the page counts it"
    );
    let (_, case) = server
        .api(&ombuds, Method::GET, &format!("/api/v1/cases/{id}"), None)
        .await;
    assert_eq!(deadline(&case), ("2026-07-20".to_owned(), 11));
    let periods = case["non_membership"].as_array().unwrap();
    assert_eq!(periods.len(), 1);
    assert_eq!(
        (&periods[0]["from"], &periods[0]["to"]),
        (&json!("2026-01-20"), &json!("2026-01-29"))
    );
    let explained = case["deadline"]["explanation"].to_string();
    assert!(explained.contains("membership"), "{explained}");

    // Sealed with the case: the dates are not in the clear.
    let sealed: Vec<u8> = sqlx::query_scalar("SELECT sealed FROM non_membership")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert!(sealed.starts_with(b"age-encryption.org/v1\n"));
    assert!(!crate::support::contains(&sealed, "2026-01-20"));

    // The person's follow-up page counts informal resolution only.
    let thread = server.followup(&receipt, "").await;
    assert_eq!(thread["deadline"]["days_suspended"], 1, "{thread}");

    // The API records one too, and removes it.
    let (status, added) = server
        .api(
            &ombuds,
            Method::POST,
            &format!("/api/v1/cases/{id}/non-membership"),
            Some(json!({"from": "2026-02-10", "to": "2026-02-11"})),
        )
        .await;
    assert_eq!(status, 201, "{added}");
    let (_, case) = server
        .api(&ombuds, Method::GET, &format!("/api/v1/cases/{id}"), None)
        .await;
    assert_eq!(deadline(&case).1, 13);
    // The page removes the one it shows; the API removes by id.
    let first = periods[0]["id"].as_str().unwrap();
    let (status, _, to) = post_form(
        &server,
        &ombuds,
        &format!("/console/cases/{id}/non-membership/{first}/remove"),
        &[],
    )
    .await;
    assert_eq!(status, 303, "{to}");
    let period = added["id"].as_str().unwrap();
    let remove = format!("/api/v1/cases/{id}/non-membership/{period}");
    let (status, removed) = server.api(&ombuds, Method::DELETE, &remove, None).await;
    assert_eq!((status, removed), (200, json!({"removed": true})));
    let (status, _) = server.api(&ombuds, Method::DELETE, &remove, None).await;
    assert_eq!(status, 404);
    let (_, case) = server
        .api(&ombuds, Method::GET, &format!("/api/v1/cases/{id}"), None)
        .await;
    assert_eq!(deadline(&case), ("2026-07-10".to_owned(), 1));
    assert_eq!(count(&mut db, "non_membership").await, 0);

    // Closing destroys them with the case.
    let (status, _) = server
        .api(
            &ombuds,
            Method::POST,
            &format!("/api/v1/cases/{id}/non-membership"),
            Some(json!({"from": "2026-02-10", "to": "2026-02-11"})),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(count(&mut db, "non_membership").await, 1);
    let (status, _) = server
        .api(
            &ombuds,
            Method::POST,
            &format!("/api/v1/cases/{id}/close"),
            Some(json!({"outcome": "withdrawn"})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(count(&mut db, "non_membership").await, 0);
}
