//! What only PostgreSQL has: several `ombuds serve` processes on one database, the sweeper lock
//! passing from a dead process to a live one, start-up refusing settings that name the wrong
//! database, and both engines' schemas at the same version.

use std::collections::{HashMap, HashSet};
use std::process::Command;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::Connection;

use crate::support::{
    BIN, Engine, Options, PASSWORD, TestServer, count, postgres_admin, postgres_admin_url,
};

/// Which of `servers` logged that it leads sweeping.
fn leaders<'a>(servers: &[&'a TestServer]) -> Vec<&'a TestServer> {
    servers
        .iter()
        .copied()
        .filter(|s| s.logs().contains("now leads sweeping"))
        .collect()
}

/// Submits a concern through `url`; the receipt if it was acknowledged.
async fn submit_to(client: &reqwest::Client, url: &str, description: &str) -> Option<String> {
    let response = client
        .post(format!("{url}api/v1/concerns"))
        .json(&json!({
            "category": "communication",
            "raised_by": "client",
            "description": description,
            "accept_conditions": true
        }))
        .send()
        .await
        .ok()?;
    if response.status() != StatusCode::CREATED {
        return None;
    }
    let body: Value = response.json().await.ok()?;
    body["receipt"].as_str().map(str::to_owned)
}

/// What `receipt` opens through `server`: the concern's description, or `None` (404).
async fn description_for(server: &TestServer, receipt: &str) -> Option<String> {
    let response = server
        .client()
        .get(server.at("/api/v1/followup"))
        .header("authorization", format!("Receipt {receipt}"))
        .send()
        .await
        .unwrap();
    if response.status() == StatusCode::NOT_FOUND {
        return None;
    }
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    Some(body["concern"]["description"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn two_processes_share_one_database_and_the_survivor_takes_over_sweeping() {
    let mut a = TestServer::start_with(Options::sweeping_every(Engine::Postgres, 1));
    // Each start without an administrator prints a fresh setup link (replacing an unused one),
    // so the administrator enrols before the second process starts.
    let admin = a.admin().await;
    let secret = a.enrol_staff(&admin, "olivia", "ombuds").await;
    let b = a.another_process("b");
    assert_ne!(a.url, b.url);

    // One process sweeps, the other waits its turn.
    b.eventually("the second process has ticked", || async {
        b.logs().contains("another process leads sweeping")
    })
    .await;
    let leading = leaders(&[&a, &b]);
    assert_eq!(leading.len(), 1, "exactly one process leads sweeping");
    assert_eq!(leading[0].url, a.url, "the first process took the lock");

    // A session made through one process works through the other, and ends everywhere.
    let ombuds = a.sign_in("olivia", &secret).await;
    for server in [&a, &b] {
        let cases = server
            .as_staff(&ombuds, Method::GET, "/api/v1/cases")
            .send()
            .await
            .unwrap();
        assert_eq!(
            cases.status(),
            200,
            "the session works through {}",
            server.url
        );
    }
    let spare = b.sign_in("olivia", &secret).await;
    let ended = b
        .as_staff(&spare, Method::DELETE, "/api/v1/session")
        .send()
        .await
        .unwrap();
    assert_eq!(ended.status(), 204);
    let after = a
        .as_staff(&spare, Method::GET, "/api/v1/cases")
        .send()
        .await
        .unwrap();
    assert_eq!(
        after.status(),
        401,
        "signed out through B means signed out on A"
    );

    // Sign-in failures count together, whichever process receives them.
    for (i, server) in [&a, &b, &a, &b, &a, &b].into_iter().enumerate() {
        let failed = server
            .client()
            .post(server.at("/api/v1/session"))
            .json(&json!({ "username": "mallory", "password": "guess", "totp": "000000" }))
            .send()
            .await
            .unwrap();
        assert_eq!(failed.status(), 401, "failure {i}");
    }
    a.advance(30);
    for server in [&a, &b] {
        let blocked = server
            .client()
            .post(server.at("/api/v1/session"))
            .json(&json!({ "username": "mallory", "password": PASSWORD, "totp": "000000" }))
            .send()
            .await
            .unwrap();
        assert_eq!(
            blocked.status(),
            StatusCode::TOO_MANY_REQUESTS,
            "six failures spread over two processes block the name on both"
        );
    }

    // Concerns submitted through both at once: every receipt opens its own concern, through
    // either process.
    let client = reqwest::Client::new();
    let mut submissions = Vec::new();
    for i in 0..12 {
        let url = if i % 2 == 0 {
            a.url.clone()
        } else {
            b.url.clone()
        };
        let client = client.clone();
        submissions.push(tokio::spawn(async move {
            let description = format!("Concern number {i} through two processes");
            let receipt = submit_to(&client, &url, &description).await;
            (description, receipt.expect("acknowledged"))
        }));
    }
    let mut acknowledged: Vec<(String, String)> = Vec::new();
    for submission in submissions {
        acknowledged.push(submission.await.unwrap());
    }
    for (i, (description, receipt)) in acknowledged.iter().enumerate() {
        let other = if i % 2 == 0 { &b } else { &a };
        assert_eq!(
            description_for(other, receipt).await.as_deref(),
            Some(description.as_str())
        );
    }

    // Cases worked through both: opened on A, a note through B, a reply through A read by the
    // submitter through B.
    let ombuds = b.sign_in("olivia", &secret).await;
    let ids = a.case_ids(&ombuds).await;
    assert_eq!(ids.len(), 12);
    assert_eq!(
        ids.iter().collect::<HashSet<_>>().len(),
        12,
        "each case listed once"
    );
    let (first, second) = (&ids[0], &ids[1]);
    let opened = a
        .as_staff(
            &ombuds,
            Method::POST,
            &format!("/api/v1/cases/{first}/open"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(opened.status(), 200);
    for (days, text) in [
        (1, "Expires after one day"),
        (3, "Expires after three days"),
    ] {
        let note = b
            .as_staff(
                &ombuds,
                Method::POST,
                &format!("/api/v1/cases/{first}/notes"),
            )
            .json(&json!({ "text": text, "expires_in_days": days }))
            .send()
            .await
            .unwrap();
        assert_eq!(note.status(), 201);
    }
    let replied = a
        .as_staff(
            &ombuds,
            Method::POST,
            &format!("/api/v1/cases/{first}/replies"),
        )
        .json(&json!({ "text": "Answered through A" }))
        .send()
        .await
        .unwrap();
    assert_eq!(replied.status(), 201);
    let detail: Value = b
        .as_staff(&ombuds, Method::GET, &format!("/api/v1/cases/{first}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(detail["status"], "open");
    assert_eq!(detail["notes"].as_array().unwrap().len(), 2);
    assert_eq!(detail["messages"][0]["text"], "Answered through A");

    // The same case closed through both processes at once is closed, and counted, once.
    let closing: Value = a
        .as_staff(&ombuds, Method::GET, &format!("/api/v1/cases/{second}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let closed_description = closing["concern"]["description"]
        .as_str()
        .unwrap()
        .to_owned();
    let terminated = a
        .as_staff(
            &ombuds,
            Method::POST,
            &format!("/api/v1/cases/{second}/dates/termination"),
        )
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(terminated.status(), 200);
    let close = |server: &TestServer| {
        server
            .as_staff(
                &ombuds,
                Method::POST,
                &format!("/api/v1/cases/{second}/close"),
            )
            .json(&json!({ "outcome": "withdrawn" }))
            .send()
    };
    let (on_a, on_b) = tokio::join!(close(&a), close(&b));
    let mut statuses = [on_a.unwrap().status(), on_b.unwrap().status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::NOT_FOUND]);
    let mut db = a.database().await;
    let counted: i64 = sqlx::query_scalar(
        "SELECT CAST(sum(count) AS BIGINT) FROM trend_counters WHERE key LIKE 'case:%'",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(counted, 1, "one closed case, counted once");
    assert_eq!(count(&mut db, "cases").await, 11);

    // A day on, the leader (A) sweeps the first note; B does not sweep while A lives.
    a.advance(26 * 3600);
    a.eventually("A sweeps the note that expired", || async {
        let mut db = a.database().await;
        count(&mut db, "notes").await == 1
    })
    .await;
    a.eventually("A reports its sweep", || async {
        a.logs().contains("sweep destroyed expired items")
    })
    .await;
    assert!(!b.logs().contains("sweep destroyed expired items"));

    // A dies (SIGKILL) while concerns arrive through it: each acknowledged one is kept.
    let flood = {
        let (client, url) = (client.clone(), a.url.clone());
        tokio::spawn(async move {
            let mut acknowledged = Vec::new();
            for i in 0.. {
                let description = format!("Sent to A as it dies, number {i}");
                match submit_to(&client, &url, &description).await {
                    Some(receipt) => acknowledged.push((description, receipt)),
                    None if i > 3 => break,
                    None => {}
                }
            }
            acknowledged
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    a.kill9();
    let during = flood.await.unwrap();
    assert!(
        !during.is_empty(),
        "some concerns were acknowledged before the kill"
    );
    acknowledged.extend(during);

    // B takes the lock over within a tick or two of A's session ending, and sweeps the second
    // note when it expires.
    b.eventually("B takes over sweeping", || async {
        b.logs().contains("now leads sweeping")
    })
    .await;
    b.advance(2 * 24 * 3600);
    b.eventually("B sweeps the note that expired after A died", || async {
        let mut db = b.database().await;
        count(&mut db, "notes").await == 0
    })
    .await;
    b.eventually("B reports its sweep", || async {
        b.logs().contains("sweep destroyed expired items")
    })
    .await;

    // Nothing acknowledged was lost, and nothing is there twice: every receipt opens its own
    // concern through B, and every concern stored appears once.
    let ombuds = b.sign_in("olivia", &secret).await;
    for (description, receipt) in &acknowledged {
        if *description == closed_description {
            continue; // the case closed above
        }
        assert_eq!(
            description_for(&b, receipt).await.as_deref(),
            Some(description.as_str()),
            "an acknowledged concern was lost"
        );
    }
    let cases: Value = b
        .as_staff(&ombuds, Method::GET, "/api/v1/cases")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for case in cases.as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        let detail: Value = b
            .as_staff(&ombuds, Method::GET, &format!("/api/v1/cases/{id}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let description = detail["concern"]["description"]
            .as_str()
            .unwrap()
            .to_owned();
        *seen.entry(description).or_default() += 1;
    }
    assert!(
        seen.values().all(|n| *n == 1),
        "a concern stored twice: {seen:?}"
    );
    for (description, _) in &acknowledged {
        if *description != closed_description {
            assert!(seen.contains_key(description), "{description} is missing");
        }
    }
}

#[tokio::test]
async fn an_interrupted_write_leaves_at_worst_an_orphaned_key_which_the_sweeper_removes() {
    let server = TestServer::start_with(Options::sweeping_every(Engine::Postgres, 1));
    let receipts = [
        server.submit("Stays open").await,
        server.submit("Its closing is interrupted").await,
    ];
    let mut db = server.database().await;
    let mut keys = server.key_store().await;
    let cases: Vec<(String, String)> = sqlx::query_as("SELECT id, key_id FROM cases ORDER BY id")
        .fetch_all(&mut db)
        .await
        .unwrap();
    assert_eq!(cases.len(), 2);
    let pending: i64 =
        sqlx::query_scalar("SELECT count(*) FROM content_keys WHERE pending_on IS NOT NULL")
            .fetch_one(&mut keys)
            .await
            .unwrap();
    assert_eq!(pending, 0, "a stored case's key is settled");

    // As if a process died between the two commits of closing: the case is gone from the main
    // database, its key not yet from the key store.
    let (closed_id, closed_key) = &cases[1];
    sqlx::query("DELETE FROM cases WHERE id = $1")
        .bind(closed_id)
        .execute(&mut db)
        .await
        .unwrap();
    // As if processes died between storing a key and storing its content: yesterday's and
    // older, and one being written right now (pending since today) that must be left alone.
    for (id, pending_on) in [
        ("interrupted-long-ago", "CURRENT_DATE - 3"),
        ("being-written-now", "CURRENT_DATE"),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO content_keys (id, wrapped, pending_on) VALUES ($1, $2, {pending_on})"
        )))
        .bind(id)
        .bind(b"age-encryption.org/v1\n(test)".to_vec())
        .execute(&mut keys)
        .await
        .unwrap();
    }

    let exists = |id: String| {
        let server = &server;
        async move {
            let mut keys = server.key_store().await;
            sqlx::query_scalar::<_, i64>("SELECT count(*) FROM content_keys WHERE id = $1")
                .bind(id)
                .fetch_one(&mut keys)
                .await
                .unwrap()
                == 1
        }
    };
    server
        .eventually("the sweeper removes the orphaned keys", || async {
            !exists(closed_key.clone()).await && !exists("interrupted-long-ago".into()).await
        })
        .await;
    server
        .eventually("the sweep reports them", || async {
            server.logs().contains("orphan_keys=2")
        })
        .await;
    // A few sweeps later, the key in use and the key being written are still there.
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert!(
        exists(cases[0].1.clone()).await,
        "the open case keeps its key"
    );
    assert!(
        exists("being-written-now".into()).await,
        "a key being written is not an orphan"
    );
    let mut opened = 0;
    for receipt in &receipts {
        opened += usize::from(description_for(&server, receipt).await.is_some());
    }
    assert_eq!(
        opened, 1,
        "the open case still reads; the destroyed one does not"
    );
}

/// Issue 21, item 2, behind a proxy that sends each request to either of two processes: the
/// receipt page opens through the process that did not answer the form, and the same form sent
/// to both at the same moment is stored once.
#[tokio::test]
async fn a_form_answered_by_one_process_shows_its_receipt_through_the_other_and_is_stored_once() {
    let a = TestServer::start_on(Engine::Postgres);
    let b = a.another_process("b");
    let token = a.form_token("").await;
    let fields = [
        ("category", "conduct"),
        ("raised_by", "client"),
        (
            "description",
            "Sent through one process, read through the other.",
        ),
        ("accept_conditions", "yes"),
        ("form_token", token.as_str()),
    ];
    let first = a.send_form("", &fields).await;
    let receipt = first.receipt();
    let through_b = b.receipt_page("/receipt?lang=es", &first.cookie).await;
    assert_eq!(
        crate::support::receipt_on(&through_b),
        Some(receipt.clone())
    );
    assert_eq!(b.send_form("", &fields).await.receipt(), receipt);

    let token = b.form_token("").await;
    let mut twice = fields;
    twice[2].1 = "Sent to both processes at once.";
    twice[4].1 = token.as_str();
    let (one, other) = tokio::join!(a.send_form("", &twice), b.send_form("", &twice));
    assert_eq!(one.receipt(), other.receipt());
    let mut db = a.database().await;
    assert_eq!(count(&mut db, "cases").await, 2);
    a.eventually("no key is left without its case", || async {
        let mut keys = a.key_store().await;
        count(&mut keys, "content_keys").await == 2
    })
    .await;
}

#[tokio::test]
async fn the_sweeper_lock_is_released_at_a_clean_stop_too() {
    let mut a = TestServer::start_with(Options::sweeping_every(Engine::Postgres, 1));
    let b = a.another_process("b");
    b.eventually("B waits", || async {
        b.logs().contains("another process leads sweeping")
    })
    .await;
    assert!(a.stop().success());
    b.eventually("B takes over", || async {
        b.logs().contains("now leads sweeping")
    })
    .await;
}

/// Starts `serve` on a copy of a data directory whose configuration names `database` and
/// `keys`; returns its exit code and standard error.
fn serve_with(database: &str, keys: &str) -> (Option<i32>, String) {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("d");
    crate::support::init(&dir);
    let config = dir.join("ombuds.toml");
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace(
            "url = \"sqlite:ombuds.db\"",
            &format!("url = \"{database}\""),
        )
        .replace("store = \"keys.db\"", &format!("store = \"{keys}\""));
    std::fs::write(&config, text).unwrap();
    let out = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn start_up_names_the_postgres_setting_at_fault() {
    let server = TestServer::start_on(Engine::Postgres);
    server.submit("Content that needs its key").await;
    let databases = server.postgres().unwrap();
    let main = databases.url(&databases.main);
    let keys = databases.url(&databases.keys);
    let nowhere = "postgres://ombuds_test:secret-pw@127.0.0.1:1/ombuds";

    let (code, err) = serve_with(nowhere, &keys);
    assert_eq!(code, Some(1));
    assert!(
        err.contains("database.url") && err.contains("cannot connect"),
        "{err}"
    );
    assert!(
        !err.contains("secret-pw"),
        "the password is not printed: {err}"
    );

    let (_, err) = serve_with(&main, "postgres://ombuds_test:secret-pw@127.0.0.1:1/keys");
    assert!(
        err.contains("keys.store") && err.contains("cannot connect"),
        "{err}"
    );
    assert!(!err.contains("secret-pw"), "{err}");

    // The same database under another spelling is caught by what it holds.
    let (_, err) = serve_with(&main, &format!("{main}?application_name=keys"));
    assert!(
        err.contains("keys.store") && err.contains("main database"),
        "{err}"
    );
    let (_, err) = serve_with(&keys, &main);
    assert!(
        err.contains("database.url") && err.contains("key store"),
        "{err}"
    );

    // An empty key store beside a database with content is refused, and left empty.
    let empty = format!("{}_empty", databases.main);
    let mut admin = postgres_admin().await;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{empty}\"")))
        .execute(&mut admin)
        .await
        .unwrap();
    let (code, err) = serve_with(&main, &databases.url(&empty));
    let mut key_store = sqlx::PgConnection::connect(&databases.url(&empty))
        .await
        .unwrap();
    let tables: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
    )
    .fetch_one(&mut key_store)
    .await
    .unwrap();
    key_store.close().await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE \"{empty}\" WITH (FORCE)"
    )))
    .execute(&mut admin)
    .await
    .unwrap();
    assert_eq!(code, Some(1));
    assert!(
        err.contains("keys.store") && err.contains("holds no keys"),
        "{err}"
    );
    assert_eq!(tables, 0, "no empty key store schema was created");
}

#[tokio::test]
async fn both_engines_are_at_the_same_schema_version() {
    // SQLite records its versions in `PRAGMA user_version`; PostgreSQL in `schema_version`.
    let sqlite = TestServer::start_on(Engine::Sqlite);
    let postgres = TestServer::start_on(Engine::Postgres);
    let version = |sql: &'static str| {
        move |mut conn: sqlx::AnyConnection| async move {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(&mut conn)
                .await
                .unwrap()
        }
    };
    let sqlite_versions = (
        version("PRAGMA user_version")(sqlite.database().await).await,
        version("PRAGMA user_version")(sqlite.key_store().await).await,
    );
    let postgres_versions = (
        version("SELECT version FROM schema_version")(postgres.database().await).await,
        version("SELECT version FROM schema_version")(postgres.key_store().await).await,
    );
    assert_eq!(sqlite_versions, postgres_versions);
    assert_eq!(
        postgres_versions,
        (
            i64::try_from(ombuds::store::postgres::DATABASE_VERSION).unwrap(),
            i64::try_from(ombuds::store::postgres::KEY_STORE_VERSION).unwrap()
        )
    );
    let roles = (
        sqlx::query_scalar::<_, String>("SELECT role FROM schema_version")
            .fetch_one(&mut postgres.database().await)
            .await
            .unwrap(),
        sqlx::query_scalar::<_, String>("SELECT role FROM schema_version")
            .fetch_one(&mut postgres.key_store().await)
            .await
            .unwrap(),
    );
    assert_eq!(roles, ("database".to_owned(), "key store".to_owned()));
}

#[tokio::test]
async fn without_a_server_the_postgres_variants_fail_saying_how_to_start_one() {
    let unreachable = tokio::spawn(crate::support::postgres_admin_at(
        "postgres://nobody:pw@127.0.0.1:1/postgres".to_owned(),
    ))
    .await;
    let panic = unreachable
        .expect_err("no server answers on port 1")
        .into_panic();
    let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(message.contains(".ci/postgres start"), "{message}");
    assert!(message.contains("OMBUDS_TEST_POSTGRES"), "{message}");
    assert!(!message.contains("pw@"), "{message}");
    // The default the tests use when nothing is set.
    assert!(postgres_admin_url().starts_with("postgres://"));
}
