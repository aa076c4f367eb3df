//! The anonymous follow-up through a real server: the receipt opens the thread by form or by
//! header, never by address; a wrong receipt gets one answer; guessing is throttled.

use serde_json::{Value, json};

use crate::support::{Engine, TestServer, on_both_engines};

on_both_engines!(the_receipt_opens_the_thread_and_adds_messages_by_form_and_by_header);
async fn the_receipt_opens_the_thread_and_adds_messages_by_form_and_by_header(engine: Engine) {
    let server = TestServer::start_on(engine);
    let receipt = server.submit("My agent never returned the keys.").await;

    // By header.
    let thread = server.followup(&receipt, "").await;
    assert_eq!(thread["status"], "new");
    assert_eq!(
        thread["concern"]["description"],
        "My agent never returned the keys."
    );
    assert_eq!(thread["messages"].as_array().unwrap().len(), 0);

    // By form, typed loosely: capitals and spaces, first four letters of each word.
    let typed: Vec<String> = receipt
        .split('-')
        .map(|w| w.chars().take(4).collect::<String>().to_uppercase())
        .collect();
    let page = server
        .client()
        .post(server.at("/followup"))
        .form(&[("receipt", typed.join("  ").as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("My agent never returned the keys."));
    assert!(html.contains("Waiting for an ombuds to read it"));
    assert!(!html.contains("set-cookie"));

    let sent = server
        .client()
        .post(server.at("/followup/messages"))
        .form(&[
            ("receipt", receipt.as_str()),
            ("text", "They were due on Friday."),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 201);
    assert!(
        sent.headers().get("set-cookie").is_none(),
        "the follow-up sets no cookie"
    );
    let html = sent.text().await.unwrap();
    assert!(html.contains("Your message was sent."));
    assert!(html.contains("They were due on Friday."));

    // An empty message is refused with the form kept.
    let empty = server
        .client()
        .post(server.at("/followup/messages"))
        .form(&[("receipt", receipt.as_str()), ("text", "   ")])
        .send()
        .await
        .unwrap();
    assert_eq!(empty.status(), 422);
}

on_both_engines!(wrong_receipts_get_one_answer_and_guessing_is_throttled);
async fn wrong_receipts_get_one_answer_and_guessing_is_throttled(engine: Engine) {
    let server = TestServer::start_on(engine);
    server.submit("A concern that exists").await;

    // Malformed receipts are told what is wrong.
    let short = server
        .client()
        .post(server.at("/followup"))
        .form(&[("receipt", "only three words")])
        .send()
        .await
        .unwrap();
    assert_eq!(short.status(), 422);
    assert!(
        short
            .text()
            .await
            .unwrap()
            .contains("a receipt has 8 words")
    );
    let no_header = server
        .client()
        .get(server.at("/api/v1/followup"))
        .send()
        .await
        .unwrap();
    assert_eq!(no_header.status(), 401);
    assert_eq!(no_header.headers()["www-authenticate"], "Receipt");

    // Well-formed receipts that open nothing get the same answer each time.
    let guess = |n: usize| {
        let words = [
            "abandon", "ability", "able", "about", "above", "absent", "absorb", "abstract",
            "absurd", "abuse",
        ];
        let receipt: Vec<&str> = (0..8).map(|i| words[(i + n) % words.len()]).collect();
        receipt.join("-")
    };
    let first = server
        .client()
        .post(server.at("/followup"))
        .form(&[("receipt", guess(0).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 404);
    let first_body = first.text().await.unwrap();
    let api = server
        .client()
        .get(server.at("/api/v1/followup"))
        .header("authorization", format!("Receipt {}", guess(1)))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 404);
    let mut statuses = Vec::new();
    for n in 2..40 {
        let response = server
            .client()
            .post(server.at("/followup"))
            .form(&[("receipt", guess(n).as_str())])
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        if status == 404 {
            assert_eq!(response.text().await.unwrap(), first_body);
        } else {
            assert!(response.headers().contains_key("retry-after"));
        }
        statuses.push(status);
    }
    assert!(
        statuses.contains(&429),
        "guessing is throttled: {statuses:?}"
    );
    assert!(statuses.iter().all(|s| *s == 404 || *s == 429));

    // A right receipt is never held back by the guessing of others.
    let receipt = server.submit("Another concern").await;
    let mine = server
        .client()
        .post(server.at("/api/v1/followup/messages"))
        .header("authorization", format!("Receipt {receipt}"))
        .json(&json!({ "text": "still there?" }))
        .send()
        .await
        .unwrap();
    assert_eq!(mine.status(), 201);
}

on_both_engines!(look_ups_that_arrive_together_each_get_their_own_thread);
/// On SQLite, look-ups arriving together are read by one statement (`store/sqlite/lookups.rs`);
/// each answer must still be its own receipt's, and wrong receipts mixed in must find nothing.
async fn look_ups_that_arrive_together_each_get_their_own_thread(engine: Engine) {
    let server = TestServer::start_on(engine);
    let mut receipts = Vec::new();
    for n in 0..32 {
        let description = format!("Concern number {n} of the batch.");
        receipts.push((Some(description.clone()), server.submit(&description).await));
    }
    for _ in 0..6 {
        let wrong = ombuds::crypto::Receipt::generate().unwrap();
        receipts.push((None, wrong.expose().to_owned()));
    }
    let client = server.client();
    let url = server.at("/api/v1/followup");
    let answers = futures_util::future::join_all(receipts.iter().map(|(_, receipt)| {
        client
            .get(&url)
            .header("authorization", format!("Receipt {receipt}"))
            .send()
    }))
    .await;
    for ((description, _), answer) in receipts.iter().zip(answers) {
        let answer = answer.unwrap();
        match description {
            Some(description) => {
                assert_eq!(answer.status(), 200);
                let thread: Value = answer.json().await.unwrap();
                assert_eq!(thread["concern"]["description"], description.as_str());
            }
            None => assert_eq!(answer.status(), 404),
        }
    }
}
