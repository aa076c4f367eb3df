//! A flood on the intake, on both engines: far more concurrent clients than the intake's budget
//! submit concerns as fast as they can for several seconds. Meanwhile a signed-in ombuds loads
//! the console and a submitter opens the follow-up with a right receipt, every quarter second,
//! and each must answer 200 within [`ANSWER_BOUND`]. Shed submissions must be 503 with
//! Retry-After; the server's peak resident memory must grow by at most [`RSS_GROWTH_KIB`] over
//! its peak before the flood and stay under [`RSS_BOUND_KIB`] (a debug build); and every
//! concern acknowledged with a receipt during the flood must open afterwards.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::support::{Engine, Options, TestServer, valid_concern};
use crate::tally::Tally;

/// Concurrent flooding clients (each its own connection).
const FLOODERS: usize = 200;
/// How long the flood lasts.
const FLOOD: Duration = Duration::from_secs(5);
/// The intake's budget in this scenario: 4 at once, 8 waiting at most half a second.
const LIMITS: &str = "[limits]\nqueue_wait_ms = 500\nretry_after_seconds = 5\n\
                      [limits.intake]\nconcurrent = 4\nqueue = 8\n";
/// The longest the console or the follow-up may take to answer during the flood.
const ANSWER_BOUND: Duration = Duration::from_secs(2);
/// The most resident memory the server (a debug build) may have used at any moment (VmHWM),
/// in KiB: before the flood it is about 90 MiB, most of it from hashing staff passwords.
const RSS_BOUND_KIB: u64 = 192 * 1024;
/// How much the flood may add to the peak resident memory, in KiB.
const RSS_GROWTH_KIB: u64 = 64 * 1024;

pub async fn run(tally: &Tally) {
    for engine in [Engine::Sqlite, Engine::Postgres] {
        on(engine, tally).await;
    }
}

/// The peak resident memory of process `pid` (VmHWM), in KiB.
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/PID/status")
}

#[derive(Default)]
struct Flood {
    sent: AtomicU64,
    stored: AtomicU64,
    shed: AtomicU64,
}

async fn on(engine: Engine, tally: &Tally) {
    let server = TestServer::start_with(Options {
        engine,
        edit_config: Box::new(|config| format!("{config}\n{LIMITS}\n")),
        ..Options::default()
    });
    let admin = server.admin().await;
    let ombuds = server.staff(&admin, "olivia", "ombuds").await;
    let receipt = server.submit("A concern raised before the flood.").await;
    tally.requests(8);
    tally.acknowledged(1);
    let rss_before = peak_rss_kib(server.pid());

    let counts = Arc::new(Flood::default());
    let flooder = reqwest::Client::builder()
        .pool_max_idle_per_host(FLOODERS)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let url = server.at("/api/v1/concerns");
    let started = Instant::now();
    let tasks: Vec<_> = (0..FLOODERS)
        .map(|i| {
            let (client, url, counts) = (flooder.clone(), url.clone(), Arc::clone(&counts));
            tokio::spawn(async move {
                let mut receipts = Vec::new();
                let mut n = 0;
                while started.elapsed() < FLOOD {
                    let mut concern = valid_concern();
                    concern["description"] = format!("Flood {i}-{n}: spam spam spam").into();
                    n += 1;
                    counts.sent.fetch_add(1, Ordering::Relaxed);
                    let answer = client.post(&url).json(&concern).send().await.unwrap();
                    match answer.status() {
                        StatusCode::CREATED => {
                            let body: Value = answer.json().await.unwrap();
                            receipts.push(body["receipt"].as_str().unwrap().to_owned());
                            counts.stored.fetch_add(1, Ordering::Relaxed);
                        }
                        StatusCode::SERVICE_UNAVAILABLE => {
                            assert!(
                                answer.headers().contains_key("retry-after"),
                                "a shed answer without Retry-After"
                            );
                            counts.shed.fetch_add(1, Ordering::Relaxed);
                        }
                        other => panic!("a flooded intake answered {other}"),
                    }
                }
                receipts
            })
        })
        .collect();

    // While the flood runs: the console and the follow-up, every quarter second.
    let mut console = Vec::new();
    let mut followup = Vec::new();
    let probe = server.client();
    while started.elapsed() < FLOOD {
        let asked = Instant::now();
        let page = server
            .as_staff(&ombuds, Method::GET, "/console")
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200, "the console during the flood");
        page.bytes().await.unwrap();
        console.push(asked.elapsed());
        let asked = Instant::now();
        let opened = probe
            .get(server.at("/api/v1/followup"))
            .header("authorization", format!("Receipt {receipt}"))
            .send()
            .await
            .unwrap();
        assert_eq!(opened.status(), 200, "the follow-up during the flood");
        opened.bytes().await.unwrap();
        followup.push(asked.elapsed());
        tally.requests(2);
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let mut acknowledged = Vec::new();
    for task in tasks {
        acknowledged.extend(task.await.unwrap());
    }
    let elapsed = started.elapsed().as_secs_f64();
    let rss_peak = peak_rss_kib(server.pid());
    let (sent, stored, shed) = (
        counts.sent.load(Ordering::Relaxed),
        counts.stored.load(Ordering::Relaxed),
        counts.shed.load(Ordering::Relaxed),
    );
    tally.requests(sent);
    tally.acknowledged(acknowledged.len() as u64);

    // Every acknowledged concern opens afterwards.
    let checker = server.client();
    let mut lost = 0;
    for chunk in acknowledged.chunks(8) {
        let answers = futures_util::future::join_all(chunk.iter().map(|receipt| {
            checker
                .get(server.at("/api/v1/followup"))
                .header("authorization", format!("Receipt {receipt}"))
                .send()
        }))
        .await;
        for answer in answers {
            if answer.unwrap().status() != 200 {
                lost += 1;
            }
        }
    }
    tally.requests(acknowledged.len() as u64);
    tally.lost(lost);

    let worst = |times: &[Duration]| times.iter().max().copied().unwrap_or_default();
    let median = |times: &mut Vec<Duration>| {
        times.sort();
        times.get(times.len() / 2).copied().unwrap_or_default()
    };
    let (console_worst, followup_worst) = (worst(&console), worst(&followup));
    println!(
        "    flood on {engine:?}: {FLOODERS} clients for {elapsed:.1} s: {sent} submissions \
         ({:.0}/s), {stored} stored ({:.0}/s), {shed} shed with 503 + Retry-After, {lost} of \
         {} acknowledged lost",
        sent as f64 / elapsed,
        stored as f64 / elapsed,
        acknowledged.len()
    );
    println!(
        "    during it: console {} loads, median {} ms, worst {} ms; follow-up {} opens, median \
         {} ms, worst {} ms (bound {} ms); server peak RSS {} MiB (before the flood {} MiB; \
         bounds: +{} MiB, {} MiB)",
        console.len(),
        median(&mut console).as_millis(),
        console_worst.as_millis(),
        followup.len(),
        median(&mut followup).as_millis(),
        followup_worst.as_millis(),
        ANSWER_BOUND.as_millis(),
        rss_peak / 1024,
        rss_before / 1024,
        RSS_GROWTH_KIB / 1024,
        RSS_BOUND_KIB / 1024
    );
    assert!(shed > 0, "{FLOODERS} clients over a budget of 4 + 8: nothing was shed");
    assert!(stored > 0, "the intake took nothing during the flood");
    assert!(!console.is_empty() && !followup.is_empty());
    assert!(console_worst <= ANSWER_BOUND, "console took {console_worst:?}");
    assert!(followup_worst <= ANSWER_BOUND, "follow-up took {followup_worst:?}");
    assert!(rss_peak <= RSS_BOUND_KIB, "peak RSS {rss_peak} KiB");
    assert!(
        rss_peak <= rss_before + RSS_GROWTH_KIB,
        "the flood grew the peak RSS from {rss_before} to {rss_peak} KiB"
    );
    assert_eq!(lost, 0, "acknowledged concerns were lost");
}
