//! Slow senders beside real users, on both engines. A hundred connections trickle their
//! bodies a byte every half second into the intake (JSON and form), the follow-up and sign-in,
//! far more than any of those audiences has turns (the defaults: 2 for the intake and for
//! sign-in, 8 for the follow-up). Meanwhile a person submits concerns, a submitter replies
//! with a receipt and an ombuds signs in, again and again: every one of them must succeed
//! within [`ANSWER_BOUND`], and every slow sender must be answered 408 within [`CUT_OFF`]
//! (the body bound is 10 s, then 1 KiB a second on average). Before bodies were read ahead of
//! the turn, two such connections closed the intake for the request timeout.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{Engine, TestServer, trickle, valid_concern};
use crate::tally::Tally;

/// Slow connections per audience address.
const SLOW: [(&str, &str, usize); 4] = [
    ("/api/v1/concerns", "application/json", 40),
    ("/concerns", "application/x-www-form-urlencoded", 20),
    ("/followup/messages", "application/x-www-form-urlencoded", 20),
    ("/api/v1/session", "application/json", 20),
];
/// How long the real users keep going.
const BESIDE: Duration = Duration::from_secs(8);
/// The longest a real request may take meanwhile.
const ANSWER_BOUND: Duration = Duration::from_secs(5);
/// By when every slow sender must have been answered 408.
const CUT_OFF: Duration = Duration::from_secs(20);

pub async fn run(tally: &Tally) {
    for engine in [Engine::Sqlite, Engine::Postgres] {
        beside_real_users(engine, tally).await;
    }
}

async fn beside_real_users(engine: Engine, tally: &Tally) {
    let server = TestServer::start_on(engine);
    let admin = server.admin().await;
    let secret = server.enrol_staff(&admin, "olga", "ombuds").await;
    let receipt = server.submit("The concern whose submitter replies during the trickle.").await;
    tally.requests(4);
    tally.acknowledged(1);

    let mut slow = Vec::new();
    for (path, kind, n) in SLOW {
        for i in 0..n {
            let body = format!("{{\"description\": \"slow sender {i} {}\"}}", "z".repeat(4_000));
            slow.push(tokio::spawn(trickle(
                server.address(),
                path,
                kind,
                body.into_bytes(),
                1,
                Duration::from_millis(500),
            )));
        }
    }
    let slow_count = slow.len() as u64;
    tally.requests(slow_count);
    tally.bad_inputs(slow_count);
    tokio::time::sleep(Duration::from_secs(1)).await;

    let client = server.client();
    let started = Instant::now();
    let mut receipts = Vec::new();
    let mut worst = Duration::ZERO;
    let mut round = 0;
    while started.elapsed() < BESIDE {
        round += 1;
        let timed = Instant::now();
        let mut concern = valid_concern();
        concern["description"] = format!("A real concern during the trickle, {round}.").into();
        let answer = client
            .post(server.at("/api/v1/concerns"))
            .json(&concern)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 201, "a real submission was refused");
        let body: Value = answer.json().await.unwrap();
        receipts.push(body["receipt"].as_str().unwrap().to_owned());

        let reply = client
            .post(server.at("/api/v1/followup/messages"))
            .header("authorization", format!("Receipt {receipt}"))
            .json(&serde_json::json!({ "text": format!("More detail, {round}.") }))
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status(), 201, "a real reply was refused");

        if round % 4 == 1 {
            server.sign_in("olga", &secret).await;
            tally.requests(1);
        }
        tally.requests(2);
        worst = worst.max(timed.elapsed());
        assert!(
            timed.elapsed() < ANSWER_BOUND,
            "a round of real requests took {:?}",
            timed.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tally.acknowledged(receipts.len() as u64);

    let mut latest = Duration::ZERO;
    for sender in slow {
        let (status, after) = sender.await.unwrap();
        assert_eq!(status, 408, "a slow sender was answered {status} after {after:?}");
        latest = latest.max(after);
    }
    assert!(latest < CUT_OFF, "the last slow sender was cut off after {latest:?}");

    for receipt in &receipts {
        let thread = server.followup(receipt, "").await;
        tally.requests(1);
        if !thread["concern"].is_object() {
            tally.lost(1);
        }
    }
    println!(
        "    {engine:?}: {slow_count} slow senders all cut off (408) within {:.1} s; {} real \
         submissions and as many replies, worst round {:.0} ms",
        latest.as_secs_f64(),
        receipts.len(),
        worst.as_secs_f64() * 1000.0
    );
}
