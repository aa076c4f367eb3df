//! Crash safety: a steady intake load from many concurrent clients, the server killed with
//! SIGKILL in the middle of it (several rounds), restarted on the same data; then every concern
//! whose receipt was returned must open with that receipt, content destroyed before the crash
//! (a closed case, a note past its expiry that the sweeper destroyed) must not come back, and
//! on SQLite both database files must pass `PRAGMA integrity_check`, as the crash left them and
//! after the restart.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{Engine, Options, TestServer, valid_concern};
use crate::staff;
use crate::tally::Tally;

/// Clients submitting at once.
const CLIENTS: usize = 16;
/// How long the load runs before each kill.
const LOAD_BEFORE_KILL: Duration = Duration::from_millis(1000);
/// The concern whose note expires before the first crash; it must survive the crashes.
const OPEN_DESCRIPTION: &str = "crash: a case with a note that expires";

pub async fn run(tally: &Tally) {
    for (engine, rounds) in [(Engine::Sqlite, 3), (Engine::Postgres, 2)] {
        on(engine, rounds, tally).await;
    }
}

async fn on(engine: Engine, rounds: usize, tally: &Tally) {
    let mut server = TestServer::start_with(Options::sweeping_every(engine, 1));
    let destroyed = destroy_before_crash(&server, tally).await;

    // (receipt, the description sent with it)
    let mut acknowledged: Vec<(String, String)> = vec![(
        destroyed.open_receipt.clone(),
        OPEN_DESCRIPTION.to_owned(),
    )];
    let mut lost: BTreeSet<String> = BTreeSet::new();
    let mut unanswered = 0;
    for round in 0..rounds {
        let (receipts, failed) = load_then_kill(&mut server, tally).await;
        tally.faults(1);
        unanswered += failed;
        assert!(
            !receipts.is_empty(),
            "{engine:?} round {round}: no concern was acknowledged before the kill"
        );
        if engine == Engine::Sqlite {
            integrity_of_crashed_files(&server.data_dir()).await;
        }
        server.restart();
        // This round's concerns now; every round's again after the last restart.
        let last = round + 1 == rounds;
        let start = if last { 0 } else { acknowledged.len() };
        acknowledged.extend(receipts);
        for receipt in missing(&server, &acknowledged[start..], tally).await {
            eprintln!("{engine:?} round {round}: an acknowledged concern is missing");
            lost.insert(receipt);
        }
    }
    tally.acknowledged(acknowledged.len() as u64);
    tally.lost(lost.len() as u64);
    println!(
        "    crash on {engine:?}: {rounds} kills, {} concerns acknowledged, each re-opened after \
         the restart that followed it and all after the last, {} lost, {unanswered} requests cut off unanswered",
        acknowledged.len(),
        lost.len()
    );

    destroyed.still_gone(&server, tally).await;
    every_case_has_its_key(&server, engine).await;
    if engine == Engine::Sqlite {
        for name in ["ombuds.db", "keys.db"] {
            let mut db = crate::support::open_sqlite_copy(&server.data_dir().join(name)).await;
            let check: String = sqlx::query_scalar("PRAGMA integrity_check")
                .fetch_one(&mut db)
                .await
                .unwrap();
            assert_eq!(check, "ok", "{name} after the restarts");
        }
    }
    assert!(server.stop().success());
}

/// Runs `CLIENTS` submitters until the server is killed under them; returns the receipts it
/// acknowledged and how many requests got no answer.
async fn load_then_kill(server: &mut TestServer, tally: &Tally) -> (Vec<(String, String)>, u64) {
    let receipts = Arc::new(Mutex::new(Vec::new()));
    let failed = Arc::new(AtomicU64::new(0));
    let killed = Arc::new(AtomicBool::new(false));
    let mut clients = Vec::new();
    for client_no in 0..CLIENTS {
        let (receipts, failed, killed) = (receipts.clone(), failed.clone(), killed.clone());
        let url = server.at("/api/v1/concerns");
        let client = server.client();
        clients.push(tokio::spawn(async move {
            let mut sent = 0u64;
            // Bounded: at most 2,000 requests per client, and it stops once the server is gone.
            for i in 0..2_000 {
                let mut concern = valid_concern();
                let description = format!("crash load {client_no}-{i}");
                concern["description"] = description.clone().into();
                sent += 1;
                match client.post(&url).json(&concern).send().await {
                    Ok(response) if response.status() == StatusCode::CREATED => {
                        match response.json::<Value>().await {
                            Ok(body) => receipts
                                .lock()
                                .unwrap()
                                .push((body["receipt"].as_str().unwrap().to_owned(), description)),
                            // The answer was cut off: the client never saw its receipt.
                            Err(_) => {
                                failed.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                    }
                    Ok(response) => panic!("intake answered {}", response.status()),
                    Err(_) => {
                        failed.fetch_add(1, Ordering::Relaxed);
                        if killed.load(Ordering::Relaxed) {
                            break;
                        }
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                }
                if killed.load(Ordering::Relaxed) {
                    break;
                }
            }
            sent
        }));
    }
    tokio::time::sleep(LOAD_BEFORE_KILL).await;
    server.kill9();
    killed.store(true, Ordering::Relaxed);
    for client in clients {
        tally.requests(client.await.unwrap());
    }
    let receipts = std::mem::take(&mut *receipts.lock().unwrap());
    (receipts, failed.load(Ordering::Relaxed))
}

/// What the follow-up shows for `receipt` (`None` if it is not found).
async fn followup(server: &TestServer, receipt: &str, tally: &Tally) -> Option<Value> {
    let response = server
        .client()
        .get(server.at("/api/v1/followup"))
        .header("authorization", format!("Receipt {receipt}"))
        .send()
        .await
        .unwrap();
    tally.requests(1);
    if response.status() != StatusCode::OK {
        return None;
    }
    response.json().await.ok()
}

/// The receipts of `acknowledged` whose concern does not open with them showing the description
/// sent (asked 16 at a time).
async fn missing(
    server: &TestServer,
    acknowledged: &[(String, String)],
    tally: &Tally,
) -> Vec<String> {
    let client = server.client();
    let url = server.at("/api/v1/followup");
    let checks = futures_util::stream::iter(acknowledged.iter().map(|(receipt, description)| {
        let request = client
            .get(&url)
            .header("authorization", format!("Receipt {receipt}"));
        async move {
            let shown = match request.send().await {
                Ok(response) if response.status() == StatusCode::OK => {
                    response.json::<Value>().await.ok()
                }
                _ => None,
            };
            let found = shown.is_some_and(|s| s["concern"]["description"] == **description);
            (!found).then(|| receipt.clone())
        }
    }))
    .buffer_unordered(16);
    let missing: Vec<Option<String>> = checks.collect().await;
    tally.requests(acknowledged.len() as u64);
    missing.into_iter().flatten().collect()
}

/// `PRAGMA integrity_check` on a copy of both database files as SIGKILL left them (with their
/// write-ahead logs, which the next open replays).
async fn integrity_of_crashed_files(data: &Path) {
    let copy = tempfile::tempdir().unwrap();
    for name in ["ombuds.db", "ombuds.db-wal", "keys.db", "keys.db-wal"] {
        if data.join(name).exists() {
            std::fs::copy(data.join(name), copy.path().join(name)).unwrap();
        }
    }
    for name in ["ombuds.db", "keys.db"] {
        let mut db = crate::support::open_sqlite_copy(&copy.path().join(name)).await;
        let check: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(&mut db)
            .await
            .unwrap();
        assert_eq!(check, "ok", "{name} as the crash left it");
    }
}

/// No crash left a case whose key is missing (a request cut off mid-write leaves all of its
/// case or none of it; a key left without its case is what the sweeper's orphan pass removes).
async fn every_case_has_its_key(server: &TestServer, engine: Engine) {
    let mut db = server.database().await;
    let mut keys = server.key_store().await;
    let case_keys: BTreeSet<String> = sqlx::query_scalar("SELECT key_id FROM cases")
        .fetch_all(&mut db)
        .await
        .unwrap()
        .into_iter()
        .collect();
    let stored: BTreeSet<String> = sqlx::query_scalar("SELECT id FROM content_keys")
        .fetch_all(&mut keys)
        .await
        .unwrap()
        .into_iter()
        .collect();
    println!(
        "    crash on {engine:?}: {} cases stored, {} keys stored just after the restarts",
        case_keys.len(),
        stored.len()
    );
    let without = case_keys.difference(&stored).count();
    assert_eq!(without, 0, "{engine:?}: cases whose key is missing after the crashes");
    // A key whose case was cut off by a kill is an orphan; the sweeper removes it (the others
    // belong to a case or to a letter). PostgreSQL keeps a key still pending for a day before
    // taking it for an orphan (its write may be under way from another server), so this is
    // checked on SQLite only.
    if engine == Engine::Postgres {
        return;
    }
    let letters = crate::support::count(&mut db, "letters").await;
    server
        .eventually("the sweeper removes keys left without a case", || async {
            let mut keys = server.key_store().await;
            crate::support::count(&mut keys, "content_keys").await
                == case_keys.len() as i64 + letters
        })
        .await;
}

/// What was destroyed before the first crash, and how to tell it stayed destroyed.
struct Destroyed {
    closed_receipt: String,
    closed_case: String,
    closed_key: String,
    note_id: String,
    note_day: String,
    open_receipt: String,
}

/// Closes one case (destroying its content and key at once) and lets the sweeper destroy an
/// expired note of another, before any crash.
async fn destroy_before_crash(server: &TestServer, tally: &Tally) -> Destroyed {
    let admin = server.admin().await;
    let ombuds = server.staff(&admin, "olivia", "ombuds").await;
    let case_ids = || async {
        let cases: Value = server
            .as_staff(&ombuds, Method::GET, "/api/v1/cases")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        cases
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect::<BTreeSet<_>>()
    };
    let closed_receipt = server.submit("crash: a case closed before the crash").await;
    let closed_case = case_ids().await.into_iter().next().unwrap();
    let open_receipt = server.submit(OPEN_DESCRIPTION).await;
    let open_case = case_ids()
        .await
        .into_iter()
        .find(|id| *id != closed_case)
        .unwrap();
    let mut db = server.database().await;
    let closed_key: String = sqlx::query_scalar("SELECT key_id FROM cases WHERE id = $1")
        .bind(&closed_case)
        .fetch_one(&mut db)
        .await
        .unwrap();
    let mut steps = vec![(
        Method::POST,
        format!("/api/v1/cases/{closed_case}/open"),
        None,
    )];
    steps.extend(staff::close(&closed_case));
    staff::perform(server, &ombuds, steps, tally).await;
    let note: Value = server
        .as_staff(&ombuds, Method::POST, &format!("/api/v1/cases/{open_case}/notes"))
        .json(&json!({ "text": "crash: expires tomorrow", "expires_in_days": 1 }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    tally.requests(6);
    let destroyed = Destroyed {
        closed_receipt,
        closed_case,
        closed_key,
        note_id: note["id"].as_str().unwrap().to_owned(),
        note_day: note["expires_on"].as_str().unwrap().to_owned(),
        open_receipt,
    };
    // Past the note's expiry: the sweeper (every second here) destroys it and its day's key.
    server.advance(2 * 24 * 3600);
    server
        .eventually("the sweeper destroys the expired note", || async {
            destroyed.gone(server).await
        })
        .await;
    destroyed
}

impl Destroyed {
    /// Whether every trace looked for is absent from the database and the key store.
    async fn gone(&self, server: &TestServer) -> bool {
        let mut db = server.database().await;
        let mut keys = server.key_store().await;
        let mut found = 0i64;
        for (sql, value) in [
            ("SELECT count(*) FROM cases WHERE id = $1", &self.closed_case),
            ("SELECT count(*) FROM notes WHERE id = $1", &self.note_id),
        ] {
            found += sqlx::query_scalar::<_, i64>(sql)
                .bind(value)
                .fetch_one(&mut db)
                .await
                .unwrap();
        }
        for (sql, value) in [
            ("SELECT count(*) FROM content_keys WHERE id = $1", &self.closed_key),
            (
                "SELECT count(*) FROM day_keys WHERE CAST(day AS TEXT) = $1",
                &self.note_day,
            ),
        ] {
            found += sqlx::query_scalar::<_, i64>(sql)
                .bind(value)
                .fetch_one(&mut keys)
                .await
                .unwrap();
        }
        found == 0
    }

    /// After the crashes and restarts: the closed case's receipt opens nothing, and neither the
    /// rows nor the keys came back.
    async fn still_gone(&self, server: &TestServer, tally: &Tally) {
        assert!(
            self.gone(server).await,
            "destroyed content or a destroyed key came back after a crash"
        );
        let shown = followup(server, &self.closed_receipt, tally).await;
        assert_eq!(
            shown.as_ref().map(|s| s["status"].clone()),
            Some(json!("closed")),
            "a closed case's receipt shows only that it closed: {shown:?}"
        );
        assert!(
            shown.is_some_and(|s| s.get("concern").is_none()),
            "and none of its content"
        );
    }
}
