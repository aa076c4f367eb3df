//! Floods on the intake, on both engines.
//!
//! 1. Without proof of work: far more concurrent clients than the intake's budget submit
//!    concerns as fast as they can for several seconds. Meanwhile a signed-in ombuds loads the
//!    console and a submitter opens the follow-up with a right receipt, every quarter second;
//!    each must answer 200 within [`ANSWER_BOUND`], and half of them within [`MEDIAN_BOUND`]
//!    (the flood and its generator share the two cores with the server, and PostgreSQL's own
//!    processes too, so single answers can wait a second or two). Shed submissions must be 503 with
//!    Retry-After; the server's peak resident memory must grow by at most [`RSS_GROWTH_KIB`]
//!    over its peak before the flood and stay under [`RSS_BOUND_KIB`] (a debug build).
//! 2. With proof of work on: the same flood sends no proofs (scripted spam), while a person
//!    whose browser solved the puzzle submits every quarter second. At least 90% of the
//!    person's concerns must be stored (201; all of them, in every run so far), each within
//!    [`PROVEN_BOUND`], and a far larger share of the flood's must be shed.
//!
//! In both, every concern acknowledged with a receipt must open afterwards.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::Value;
use tokio::task::JoinHandle;

use crate::support::{Engine, Options, TestServer, pow, valid_concern};
use crate::tally::Tally;

/// Concurrent flooding clients (each its own connection).
const FLOODERS: usize = 200;
/// How long each flood lasts.
const FLOOD: Duration = Duration::from_secs(5);
/// The intake's budget in this scenario: 2 at once (the default), 8 waiting at most half a
/// second.
const LIMITS: &str = "[limits]\nqueue_wait_ms = 500\nretry_after_seconds = 5\n\
                      [limits.intake]\nconcurrent = 2\nqueue = 8\n";
/// Proof of work for the second flood (12 bits: about 4,000 hashes per proof).
const PROOF_OF_WORK: &str = "[limits.proof_of_work]\nenabled = true\ndifficulty_bits = 12\n";
/// The longest the console or the follow-up may take during a flood (the worst seen: 2.4 s,
/// on PostgreSQL, in a CI-like run; usually well under half a second).
const ANSWER_BOUND: Duration = Duration::from_secs(5);
/// The longest the median console or follow-up answer may take during a flood.
const MEDIAN_BOUND: u128 = 500;
/// The longest a proven submission may take during a flood with proof of work on (reading the
/// body and checking the proof come before the budget, behind the flood's own requests).
const PROVEN_BOUND: Duration = Duration::from_secs(5);
/// The most resident memory the server (a debug build) may have used at any moment (VmHWM),
/// in KiB: before the flood it is about 90 MiB, most of it from hashing staff passwords.
const RSS_BOUND_KIB: u64 = 192 * 1024;
/// How much the flood may add to the peak resident memory, in KiB.
const RSS_GROWTH_KIB: u64 = 64 * 1024;

pub async fn run(tally: &Tally) {
    for engine in [Engine::Sqlite, Engine::Postgres] {
        without_proof_of_work(engine, tally).await;
        with_proof_of_work(engine, tally).await;
    }
}

/// What the flooders counted.
#[derive(Default)]
struct Counts {
    sent: AtomicU64,
    stored: AtomicU64,
    shed: AtomicU64,
}

/// A running flood: [`FLOODERS`] clients submitting without a proof until [`FLOOD`] is over.
struct Flood {
    counts: Arc<Counts>,
    tasks: Vec<JoinHandle<Vec<String>>>,
    started: Instant,
}

impl Flood {
    fn start(server: &TestServer) -> Self {
        let counts = Arc::new(Counts::default());
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(FLOODERS)
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        let url = server.at("/api/v1/concerns");
        let started = Instant::now();
        let tasks = (0..FLOODERS)
            .map(|i| {
                let (client, url, counts) = (client.clone(), url.clone(), Arc::clone(&counts));
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
        Self {
            counts,
            tasks,
            started,
        }
    }

    fn running(&self) -> bool {
        self.started.elapsed() < FLOOD
    }

    /// Waits for the flooders; returns the receipts they got, the seconds the flood took, and
    /// (sent, stored, shed).
    async fn finish(self, tally: &Tally) -> (Vec<String>, f64, [u64; 3]) {
        let mut receipts = Vec::new();
        for task in self.tasks {
            receipts.extend(task.await.unwrap());
        }
        let elapsed = self.started.elapsed().as_secs_f64();
        let counts = [
            self.counts.sent.load(Ordering::Relaxed),
            self.counts.stored.load(Ordering::Relaxed),
            self.counts.shed.load(Ordering::Relaxed),
        ];
        tally.requests(counts[0]);
        assert!(counts[2] > 0, "{FLOODERS} clients over a budget of 2 + 8: nothing shed");
        (receipts, elapsed, counts)
    }
}

/// Opens every receipt's follow-up (eight at a time); counts those acknowledged and those that
/// do not open.
async fn check_acknowledged(server: &TestServer, receipts: &[String], tally: &Tally) -> u64 {
    let client = server.client();
    let mut lost = 0;
    for chunk in receipts.chunks(8) {
        let answers = futures_util::future::join_all(chunk.iter().map(|receipt| {
            client
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
    tally.requests(receipts.len() as u64);
    tally.acknowledged(receipts.len() as u64);
    tally.lost(lost);
    lost
}

fn median(times: &mut [Duration]) -> u128 {
    times.sort();
    times.get(times.len() / 2).copied().unwrap_or_default().as_millis()
}

fn worst(times: &[Duration]) -> Duration {
    times.iter().max().copied().unwrap_or_default()
}

fn server(engine: Engine, extra: &'static str) -> TestServer {
    TestServer::start_with(Options {
        engine,
        edit_config: Box::new(move |config| format!("{config}\n{LIMITS}\n{extra}\n")),
        ..Options::default()
    })
}

async fn without_proof_of_work(engine: Engine, tally: &Tally) {
    let server = server(engine, "");
    let admin = server.admin().await;
    let ombuds = server.staff(&admin, "olivia", "ombuds").await;
    let receipt = server.submit("A concern raised before the flood.").await;
    tally.requests(8);
    let rss_before = server.peak_rss_kib();

    let flood = Flood::start(&server);
    // The probes run on a thread and runtime of their own: sharing the flooders' two worker
    // threads, their own waiting for a turn would be counted as the server's.
    let until = flood.started + FLOOD;
    let (console_url, followup_url) = (server.at("/console"), server.at("/api/v1/followup"));
    let (cookie, authorization) = (ombuds.cookie.clone(), format!("Receipt {receipt}"));
    let (staff, probe) = (server.client(), server.client());
    let probes = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let (mut console, mut followup) = (Vec::new(), Vec::new());
            // Each on a connection of its own, kept alive, as a browser keeps one.
            while Instant::now() < until {
                let asked = Instant::now();
                let page = staff
                    .get(&console_url)
                    .header("cookie", &cookie)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(page.status(), 200, "the console during the flood");
                page.bytes().await.unwrap();
                console.push(asked.elapsed());
                let asked = Instant::now();
                let opened = probe
                    .get(&followup_url)
                    .header("authorization", &authorization)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(opened.status(), 200, "the follow-up during the flood");
                opened.bytes().await.unwrap();
                followup.push(asked.elapsed());
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            (console, followup)
        })
    });
    let (mut receipts, elapsed, [sent, stored, shed]) = flood.finish(tally).await;
    let (mut console, mut followup) = probes.join().unwrap();
    tally.requests(2 * console.len() as u64);
    let rss_peak = server.peak_rss_kib();
    receipts.push(receipt);
    let lost = check_acknowledged(&server, &receipts, tally).await;

    let (console_worst, followup_worst) = (worst(&console), worst(&followup));
    let (console_median, followup_median) = (median(&mut console), median(&mut followup));
    println!(
        "    {engine:?}, no proof of work: {FLOODERS} clients for {elapsed:.1} s sent {sent} \
         submissions ({:.0}/s): {stored} stored ({:.0}/s), {shed} shed with 503 + Retry-After; \
         {lost} of {} acknowledged lost",
        sent as f64 / elapsed,
        stored as f64 / elapsed,
        receipts.len()
    );
    println!(
        "      during it: console {} loads, median {} ms, worst {} ms; follow-up {} opens, \
         median {} ms, worst {} ms (bound {} ms); server peak RSS {} MiB (before the flood {} \
         MiB; bounds: +{} MiB, {} MiB)",
        console.len(),
        console_median,
        console_worst.as_millis(),
        followup.len(),
        followup_median,
        followup_worst.as_millis(),
        ANSWER_BOUND.as_millis(),
        rss_peak / 1024,
        rss_before / 1024,
        RSS_GROWTH_KIB / 1024,
        RSS_BOUND_KIB / 1024
    );
    assert!(stored > 0, "the intake took nothing during the flood");
    assert!(!console.is_empty() && !followup.is_empty());
    assert!(console_worst <= ANSWER_BOUND, "console took {console_worst:?}");
    assert!(followup_worst <= ANSWER_BOUND, "follow-up took {followup_worst:?}");
    assert!(
        console_median <= MEDIAN_BOUND && followup_median <= MEDIAN_BOUND,
        "median answers: console {console_median} ms, follow-up {followup_median} ms"
    );
    assert!(rss_peak <= RSS_BOUND_KIB, "peak RSS {rss_peak} KiB");
    assert!(
        rss_peak <= rss_before + RSS_GROWTH_KIB,
        "the flood grew the peak RSS from {rss_before} to {rss_peak} KiB"
    );
}

async fn with_proof_of_work(engine: Engine, tally: &Tally) {
    let server = server(engine, PROOF_OF_WORK);
    let person = server.client();
    let flood = Flood::start(&server);
    let mut proven = Vec::new();
    let mut receipts = Vec::new();
    let mut person_shed = 0u64;
    while flood.running() {
        let page = person.get(server.at("/")).send().await.unwrap().text().await.unwrap();
        let challenge = pow::challenge_in(&page);
        let nonce = pow::solve(&challenge, 12);
        let mut concern = valid_concern();
        concern["description"] = "A person whose browser solved the puzzle.".into();
        concern["pow_challenge"] = challenge.into();
        concern["pow_nonce"] = nonce.into();
        let asked = Instant::now();
        let answer = person
            .post(server.at("/api/v1/concerns"))
            .json(&concern)
            .send()
            .await
            .unwrap();
        tally.requests(2);
        match answer.status() {
            StatusCode::CREATED => {
                let body: Value = answer.json().await.unwrap();
                proven.push(asked.elapsed());
                receipts.push(body["receipt"].as_str().unwrap().to_owned());
            }
            StatusCode::SERVICE_UNAVAILABLE => person_shed += 1,
            other => panic!("a proven submission during the flood answered {other}"),
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let (flooded, elapsed, [sent, stored, shed]) = flood.finish(tally).await;
    let people = receipts.len();
    receipts.extend(flooded);
    let lost = check_acknowledged(&server, &receipts, tally).await;
    let proven_worst = worst(&proven);
    println!(
        "    {engine:?}, proof of work on (12 bits): {FLOODERS} clients without proofs sent \
         {sent} ({:.0}/s): {stored} stored, {shed} shed; a person with proofs: {people} of \
         {} stored, median {} ms, worst {} ms (bound {} ms); {lost} of {} acknowledged lost",
        sent as f64 / elapsed,
        people as u64 + person_shed,
        median(&mut proven),
        proven_worst.as_millis(),
        PROVEN_BOUND.as_millis(),
        receipts.len()
    );
    let tried = people as f64 + person_shed as f64;
    assert!(
        people as f64 >= 0.9 * tried,
        "only {people} of {tried} proven submissions were stored"
    );
    assert!(
        (stored as f64) / (sent as f64) < 0.5 * people as f64 / tried,
        "the flood without proofs was not shed first"
    );
    assert!(proven_worst <= PROVEN_BOUND, "a proven submission took {proven_worst:?}");
}
