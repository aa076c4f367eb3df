//! Privacy as behaviour: canaries sent in a concern and in identifying headers must never be
//! found in plaintext in the database, its WAL, the key store or the logs; and what is stored
//! must open with the reference `age` tool and the association's identity file.

use std::process::Command;

use serde_json::Value;

use crate::support::{Engine, TestServer, contains, on_both_engines};

const DESCRIPTION_CANARY: &str = "CANARY-description-7f3a9c";
const CONTACT_CANARY: &str = "CANARY-contact-5b21e4@example.net";
const FORWARDED_CANARY: &str = "203.0.113.77";
const AGENT_CANARY: &str = "CANARY-agent-Mozilla/5.0";
const REFERER_CANARY: &str = "https://canary-referer.example/";
const COOKIE_CANARY: &str = "canary_cookie=c00k1e";

on_both_engines!(canaries_never_reach_the_disk_or_the_logs);
async fn canaries_never_reach_the_disk_or_the_logs(engine: Engine) {
    let mut server = TestServer::start_on(engine);
    let client = server.client();
    let mut receipts = Vec::new();
    // Once as JSON and once through the HTML form, with identifying headers on both.
    let json = client
        .post(server.at("/api/v1/concerns"))
        .header("x-forwarded-for", FORWARDED_CANARY)
        .header("x-real-ip", FORWARDED_CANARY)
        .header("user-agent", AGENT_CANARY)
        .header("referer", REFERER_CANARY)
        .header("cookie", COOKIE_CANARY)
        .json(&serde_json::json!({
            "category": "conduct",
            "raised_by": "client",
            "description": format!("My agent said {DESCRIPTION_CANARY} to me."),
            "contact": CONTACT_CANARY,
            "concluded_on": "2026-01-10",
            "accept_conditions": true
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(json.status(), 201);
    let body: Value = json.json().await.unwrap();
    receipts.push(body["receipt"].as_str().unwrap().to_owned());

    let description = format!("Form: {DESCRIPTION_CANARY}");
    let form = client
        .post(server.at("/concerns"))
        .header("x-forwarded-for", FORWARDED_CANARY)
        .header("user-agent", AGENT_CANARY)
        .header("referer", REFERER_CANARY)
        .form(&[
            ("category", "conduct"),
            ("raised_by", "public"),
            ("description", description.as_str()),
            ("contact", CONTACT_CANARY),
            ("accept_conditions", "yes"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 303);
    let cookie = form.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let page = server.receipt_page("/receipt", &cookie).await;
    receipts.push(crate::support::receipt_on(&page).unwrap());

    // A rejected submission must not leave its text behind either.
    let rejected = client
        .post(server.at("/api/v1/concerns"))
        .header("user-agent", AGENT_CANARY)
        .json(&serde_json::json!({
            "category": "nonsense",
            "raised_by": "client",
            "description": DESCRIPTION_CANARY,
            "accept_conditions": true
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(rejected.status(), 422);

    let mut canaries = vec![
        DESCRIPTION_CANARY.to_owned(),
        CONTACT_CANARY.to_owned(),
        FORWARDED_CANARY.to_owned(),
        AGENT_CANARY.to_owned(),
        REFERER_CANARY.to_owned(),
        "canary_cookie".to_owned(),
    ];
    canaries.extend(receipts.iter().cloned());

    // While the server runs, with the WAL still holding the writes (SQLite's beside the
    // database; PostgreSQL's segments, which also hold every row as it was written).
    let files = server.data_files();
    let wal = match engine {
        Engine::Sqlite => "ombuds.db-wal",
        Engine::Postgres => "pg_wal",
    };
    assert!(
        files
            .iter()
            .any(|(p, b)| p.to_string_lossy().contains(wal) && !b.is_empty()),
        "the WAL should hold the new rows while the server runs"
    );
    assert_clean(&files, &canaries, "while running");
    let logs = server.logs();
    for canary in &canaries {
        assert!(
            !logs.contains(canary.as_str()),
            "the logs contain {canary:?}:\n{logs}"
        );
    }
    // The only address printed is the server's own (in its start-up lines); a client's would
    // carry another port.
    let own = server
        .url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    for (at, _) in logs.match_indices("127.0.0.1") {
        assert!(
            logs[at..].starts_with(&own),
            "a client address in the logs:\n{logs}"
        );
    }

    // After a clean stop, which checkpoints the WAL into the database files.
    let status = server.stop();
    assert!(status.success(), "clean exit, got {status}");
    assert_clean(&server.data_files(), &canaries, "after stop");
    let logs = server.logs();
    for canary in &canaries {
        assert!(
            !logs.contains(canary.as_str()),
            "the logs contain {canary:?}"
        );
    }
}

fn assert_clean(files: &[(std::path::PathBuf, Vec<u8>)], canaries: &[String], when: &str) {
    assert!(
        files.len() >= 5,
        "expected the database, key store and their journals"
    );
    for (path, bytes) in files {
        for canary in canaries {
            assert!(
                !contains(bytes, canary),
                "{when}: {} contains {canary:?} in plaintext",
                path.display()
            );
        }
    }
}

on_both_engines!(stored_concerns_open_with_the_reference_age_tool_and_the_identity_file);
async fn stored_concerns_open_with_the_reference_age_tool_and_the_identity_file(engine: Engine) {
    let server = TestServer::start_on(engine);
    let response = server
        .client()
        .post(server.at("/api/v1/concerns"))
        .json(&serde_json::json!({
            "category": "transaction_question",
            "raised_by": "public",
            "description": format!("Is this normal? {DESCRIPTION_CANARY}"),
            "contact": CONTACT_CANARY,
            "concluded_on": "2026-01-10",
            "discovered_on": "2026-02-01",
            "accept_conditions": true
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);

    let mut db = server.database().await;
    let (key_id, sealed): (String, Vec<u8>) = sqlx::query_as("SELECT key_id, sealed FROM cases")
        .fetch_one(&mut db)
        .await
        .unwrap();
    let mut keys = server.key_store().await;
    let wrapped: Vec<u8> = sqlx::query_scalar("SELECT wrapped FROM content_keys WHERE id = $1")
        .bind(&key_id)
        .fetch_one(&mut keys)
        .await
        .unwrap();

    let work = tempfile::tempdir().unwrap();
    std::fs::write(work.path().join("wrapped.age"), &wrapped).unwrap();
    std::fs::write(work.path().join("sealed.age"), &sealed).unwrap();

    // Layer 1: the association's identity unwraps the concern's own key.
    let identity = server.data_dir().join("identity.key");
    let unwrapped = Command::new("age")
        .arg("--decrypt")
        .arg("--identity")
        .arg(&identity)
        .arg("--output")
        .arg(work.path().join("content.key"))
        .arg(work.path().join("wrapped.age"))
        .output()
        .expect("the reference `age` tool must be installed (Debian package `age`)");
    assert!(
        unwrapped.status.success(),
        "age could not unwrap the content key: {}",
        String::from_utf8_lossy(&unwrapped.stderr)
    );
    let content_key = std::fs::read_to_string(work.path().join("content.key")).unwrap();
    assert!(content_key.trim().starts_with("AGE-SECRET-KEY-1"));

    // Layer 2: that key opens the concern.
    let opened = Command::new("age")
        .arg("--decrypt")
        .arg("--identity")
        .arg(work.path().join("content.key"))
        .arg(work.path().join("sealed.age"))
        .output()
        .unwrap();
    assert!(
        opened.status.success(),
        "age could not open the concern: {}",
        String::from_utf8_lossy(&opened.stderr)
    );
    let content: Value = serde_json::from_slice(&opened.stdout).unwrap();
    assert_eq!(
        content["description"],
        format!("Is this normal? {DESCRIPTION_CANARY}")
    );
    assert_eq!(content["contact"], CONTACT_CANARY);
    assert_eq!(content["concluded_on"], "2026-01-10");
    assert_eq!(content["discovered_on"], "2026-02-01");

    // The identity alone does not open the concern: the per-concern key is needed.
    let direct = Command::new("age")
        .arg("--decrypt")
        .arg("--identity")
        .arg(&identity)
        .arg(work.path().join("sealed.age"))
        .output()
        .unwrap();
    assert!(!direct.status.success());
}
