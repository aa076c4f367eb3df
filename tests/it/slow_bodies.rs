//! Slow senders cannot hold a turn: a request's body is read, within a time and rate bound,
//! before it takes one of its audience's turns. Two clients trickling a byte at a time used to
//! hold both of the intake's turns (the default budget) until the request timeout, and real
//! submitters were answered 503 meanwhile.
//!
//! Timing-sensitive: the bounds below leave seconds of slack, but a machine loaded far beyond
//! a CI runner could still be slow enough to miss them.

use std::time::{Duration, Instant};

use futures_util::future::join_all;

use crate::support::{Engine, TestServer, count, on_both_engines, trickle, valid_concern};

fn concern_json(description: &str) -> Vec<u8> {
    let mut concern = valid_concern();
    concern["description"] = description.into();
    serde_json::to_vec(&concern).unwrap()
}

on_both_engines!(slow_senders_hold_no_intake_turn_and_are_cut_off);
async fn slow_senders_hold_no_intake_turn_and_are_cut_off(engine: Engine) {
    // The default budget: two submissions at once, waiting at most 5 s for a turn.
    let server = TestServer::start_on(engine);
    let address = server.address();

    // Six slow senders, more than the intake's turns, on both intake addresses: two bytes a
    // second of a 4,000-byte body.
    let mut slow = Vec::new();
    for i in 0..6 {
        let (path, kind, body) = if i % 2 == 0 {
            let body = concern_json(&format!("slow {i} {}", "x".repeat(3_900)));
            ("/api/v1/concerns", "application/json", body)
        } else {
            let body = format!(
                "category=conduct&raised_by=client&accept_conditions=yes&description=slow{}",
                "x".repeat(3_900)
            );
            (
                "/concerns",
                "application/x-www-form-urlencoded",
                body.into_bytes(),
            )
        };
        slow.push(tokio::spawn(trickle(
            address.clone(),
            path,
            kind,
            body,
            1,
            Duration::from_millis(500),
        )));
    }
    tokio::time::sleep(Duration::from_secs(1)).await;

    // Real submissions meanwhile: all taken, none kept waiting for the slow senders' turns.
    let client = server.client();
    let started = Instant::now();
    let answers = join_all((0..8).map(|i| {
        client
            .post(server.at("/api/v1/concerns"))
            .json(&serde_json::json!({
                "category": "communication",
                "raised_by": "client",
                "description": format!("A real concern, number {i}."),
                "accept_conditions": true
            }))
            .send()
    }))
    .await;
    for answer in answers {
        assert_eq!(
            answer.unwrap().status(),
            201,
            "a real submission was refused"
        );
    }
    let form = client
        .post(server.at("/concerns"))
        .form(&[
            ("category", "conduct"),
            ("raised_by", "member"),
            ("description", "A real concern from the form."),
            ("accept_conditions", "yes"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 303, "the form's answer, to the receipt page");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "real submissions waited {:?} (a turn's wait is at most 5 s)",
        started.elapsed()
    );

    // A slow but honest sender (1,000 bytes a second) is within the bound and is taken.
    let honest = trickle(
        address.clone(),
        "/api/v1/concerns",
        "application/json",
        concern_json(&format!(
            "An honest phone on a bad line. {}",
            "y".repeat(2_900)
        )),
        100,
        Duration::from_millis(100),
    )
    .await;
    assert_eq!(honest.0, 201, "{honest:?}");

    // The trickling ones are answered 408 once they fall behind the rate, well before the
    // 30 s request timeout, and nothing of theirs is stored.
    for sender in slow {
        let (status, after) = sender.await.unwrap();
        assert_eq!(
            status, 408,
            "a slow sender was answered {status} after {after:?}"
        );
        assert!(
            after < Duration::from_secs(20),
            "cut off only after {after:?}"
        );
    }
    let mut db = server.database().await;
    assert_eq!(
        count(&mut db, "cases").await,
        10,
        "8 + the form + the honest one"
    );
}
