//! Minimal retention you can prove, on the real files: expired notes and letters are destroyed
//! with their keys so that a copy taken before expiry cannot be read with what remains; nothing
//! expired is served between sweeps; nothing unexpired is lost to a restart or a crash.

use std::process::Command;

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Engine, Options, TestServer, contains, count, on_both_engines, run};

const CANARY: &str = "CANARY-note-41c9e2";

/// Decrypts `file` with the age identity in `key`; true if age succeeds.
fn age_opens(key: &std::path::Path, file: &std::path::Path, out: &std::path::Path) -> bool {
    Command::new("age")
        .arg("--decrypt")
        .arg("--identity")
        .arg(key)
        .arg("--output")
        .arg(out)
        .arg(file)
        .output()
        .expect("the reference `age` tool must be installed")
        .status
        .success()
}

on_both_engines!(an_expired_note_cannot_be_read_even_from_a_copy_taken_before_it_expired);
async fn an_expired_note_cannot_be_read_even_from_a_copy_taken_before_it_expired(engine: Engine) {
    let server = TestServer::start_with(Options::sweeping_every(engine, 1));
    let admin = server.admin().await;
    let secret = server.enrol_staff(&admin, "olivia", "ombuds").await;
    let ombuds = server.sign_in("olivia", &secret).await;
    server.submit("A concern that stays open").await;
    let cases: Value = server
        .as_staff(&ombuds, Method::GET, "/api/v1/cases")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = cases[0]["id"].as_str().unwrap().to_owned();
    let note = server
        .as_staff(&ombuds, Method::POST, &format!("/api/v1/cases/{id}/notes"))
        .json(&json!({ "text": format!("Short-lived: {CANARY}"), "expires_in_days": 1 }))
        .send()
        .await
        .unwrap();
    assert_eq!(note.status(), 201);
    let keep = server
        .as_staff(&ombuds, Method::POST, &format!("/api/v1/cases/{id}/notes"))
        .json(&json!({ "text": "Keep me for a month" }))
        .send()
        .await
        .unwrap();
    assert_eq!(keep.status(), 201);

    // A backup taken now, before expiry: the database files with their WAL (SQLite), or a
    // dump of the main database (PostgreSQL), read back as a backup would be.
    let backup = tempfile::tempdir().unwrap();
    let mut copy = match engine {
        Engine::Sqlite => {
            for name in ["ombuds.db", "ombuds.db-wal"] {
                std::fs::copy(server.data_dir().join(name), backup.path().join(name)).unwrap();
            }
            crate::support::open_sqlite_copy(&backup.path().join("ombuds.db")).await
        }
        Engine::Postgres => crate::support::postgres_backup(&server).await,
    };
    let (sealed, expires_on): (Vec<u8>, String) = sqlx::query_as(
        "SELECT sealed, CAST(expires_on AS TEXT) FROM notes \
         WHERE expires_on = (SELECT min(expires_on) FROM notes)",
    )
    .fetch_one(&mut copy)
    .await
    .unwrap();
    let (case_key_id,): (String,) = sqlx::query_as("SELECT key_id FROM cases")
        .fetch_one(&mut copy)
        .await
        .unwrap();

    // A day later the note has expired: the sweeper deletes it and destroys its day's key.
    server.advance(26 * 3600);
    let mut keys = server.key_store().await;
    server
        .eventually("the day key is destroyed", || async {
            let mut keys = server.key_store().await;
            let n: i64 =
                sqlx::query_scalar("SELECT count(*) FROM day_keys WHERE CAST(day AS TEXT) = $1")
                    .bind(&expires_on)
                    .fetch_one(&mut keys)
                    .await
                    .unwrap();
            n == 0
        })
        .await;
    let mut db = server.database().await;
    assert_eq!(count(&mut db, "notes").await, 1, "the unexpired note stays");
    let middle = &sealed[sealed.len() / 2..sealed.len() / 2 + 48];
    if engine == Engine::Sqlite {
        // SQLite overwrites deleted cells and truncates its WAL: no copy of the note is left.
        // PostgreSQL keeps old row images in free space and its write-ahead log until they are
        // reused, so there the proof is the one below: no key that remains opens the note.
        server
            .eventually("the WAL is truncated after the sweep", || async {
                std::fs::metadata(server.data_dir().join("ombuds.db-wal"))
                    .map(|m| m.len())
                    .unwrap_or(0)
                    == 0
            })
            .await;
    }
    for (path, bytes) in server.data_files() {
        assert!(
            !contains(&bytes, CANARY),
            "{} holds the canary",
            path.display()
        );
        if engine == Engine::Sqlite {
            assert!(
                !crate::support::contains_bytes(&bytes, middle),
                "{} still holds the note's ciphertext",
                path.display()
            );
        }
    }

    // From the old copy: the case's key (still alive) opens the outer layer, but no key that
    // remains opens what is inside.
    let work = tempfile::tempdir().unwrap();
    let identity = server.data_dir().join("identity.key");
    let wrapped_case: Vec<u8> =
        sqlx::query_scalar("SELECT wrapped FROM content_keys WHERE id = $1")
            .bind(&case_key_id)
            .fetch_one(&mut keys)
            .await
            .unwrap();
    std::fs::write(work.path().join("case.wrapped"), &wrapped_case).unwrap();
    assert!(age_opens(
        &identity,
        &work.path().join("case.wrapped"),
        &work.path().join("case.key")
    ));
    std::fs::write(work.path().join("note.age"), &sealed).unwrap();
    assert!(
        age_opens(
            &work.path().join("case.key"),
            &work.path().join("note.age"),
            &work.path().join("inner.age")
        ),
        "the outer layer opens with the case key"
    );
    let inner = std::fs::read(work.path().join("inner.age")).unwrap();
    assert!(
        inner.starts_with(b"age-encryption.org/v1\n"),
        "inside is a second age layer"
    );
    assert!(!contains(&inner, CANARY));
    let mut remaining: Vec<Vec<u8>> = sqlx::query_scalar("SELECT wrapped FROM content_keys")
        .fetch_all(&mut keys)
        .await
        .unwrap();
    remaining.extend(
        sqlx::query_scalar::<_, Vec<u8>>("SELECT wrapped FROM day_keys")
            .fetch_all(&mut keys)
            .await
            .unwrap(),
    );
    assert!(
        remaining.len() >= 2,
        "the case key and the other note's day key remain"
    );
    for (i, wrapped) in remaining.iter().enumerate() {
        let wrapped_path = work.path().join(format!("k{i}.wrapped"));
        let key_path = work.path().join(format!("k{i}.key"));
        std::fs::write(&wrapped_path, wrapped).unwrap();
        assert!(age_opens(&identity, &wrapped_path, &key_path));
        assert!(
            !age_opens(
                &key_path,
                &work.path().join("inner.age"),
                &work.path().join(format!("plain{i}"))
            ),
            "a remaining key opened the expired note"
        );
    }
    assert!(!age_opens(
        &identity,
        &work.path().join("inner.age"),
        &work.path().join("plain-id")
    ));

    // The console no longer shows it; the other note is still there.
    let ombuds = server.sign_in("olivia", &secret).await;
    let case: Value = server
        .as_staff(&ombuds, Method::GET, &format!("/api/v1/cases/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let notes = case["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["text"], "Keep me for a month");
}

on_both_engines!(nothing_expired_is_served_between_sweeps_and_a_restart_catches_up);
async fn nothing_expired_is_served_between_sweeps_and_a_restart_catches_up(engine: Engine) {
    let mut server = TestServer::start_with(Options::sweeping_every(engine, 3600));
    let admin = server.admin().await;
    let secret = server.enrol_staff(&admin, "omar", "ombuds").await;
    let ombuds = server.sign_in("omar", &secret).await;
    server.submit("Open concern").await;
    let cases: Value = server
        .as_staff(&ombuds, Method::GET, "/api/v1/cases")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = cases[0]["id"].as_str().unwrap().to_owned();
    let today = server
        .now()
        .with_timezone(&chrono_tz::America::Phoenix)
        .date_naive();
    let added = server
        .as_staff(&ombuds, Method::POST, &format!("/api/v1/cases/{id}/notes"))
        .json(&json!({ "kind": "commitment", "text": "Due tomorrow, gone the day after", "due_on": (today + chrono::Days::new(1)).to_string(), "expires_in_days": 2 }))
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), 201);

    // Two days on, before any sweep: not shown, not listed, though still in the database.
    server.advance(2 * 24 * 3600 + 60);
    let ombuds = server.sign_in("omar", &secret).await;
    let case: Value = server
        .as_staff(&ombuds, Method::GET, &format!("/api/v1/cases/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        case["notes"].as_array().unwrap().len(),
        0,
        "an expired note is never served"
    );
    let due: Value = server
        .as_staff(&ombuds, Method::GET, "/api/v1/commitments?days=30")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(due.as_array().unwrap().len(), 0);
    let page = server
        .as_staff(&ombuds, Method::GET, "/console")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("Due tomorrow"));
    let mut db = server.database().await;
    assert_eq!(
        count(&mut db, "notes").await,
        1,
        "the sweeper has not run yet"
    );
    drop(db);

    // A restart sweeps at once, catching up.
    server.restart();
    server
        .eventually("the start-up sweep deletes the note", || async {
            let mut db = server.database().await;
            count(&mut db, "notes").await == 0
        })
        .await;
    // The key store is a second file: SQLite commits it a moment after the database.
    server
        .eventually("the start-up sweep destroys the day key", || async {
            let mut keys = server.key_store().await;
            count(&mut keys, "day_keys").await == 0
        })
        .await;
    // The sweep reports once it has finished (on PostgreSQL, after its other deletions and a
    // VACUUM), a moment after the note's row is gone.
    server
        .eventually("the sweep reports what it destroyed", || async {
            server.logs().contains("sweep destroyed expired items")
        })
        .await;
}

on_both_engines!(unexpired_content_survives_a_crash_and_a_restart);
async fn unexpired_content_survives_a_crash_and_a_restart(engine: Engine) {
    let mut server = TestServer::start_with(Options::sweeping_every(engine, 3600));
    let admin = server.admin().await;
    let secret = server.enrol_staff(&admin, "ines", "ombuds").await;
    let ombuds = server.sign_in("ines", &secret).await;
    let receipt = server.submit("Survives a crash").await;
    let cases: Value = server
        .as_staff(&ombuds, Method::GET, "/api/v1/cases")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = cases[0]["id"].as_str().unwrap().to_owned();
    let added = server
        .as_staff(&ombuds, Method::POST, &format!("/api/v1/cases/{id}/notes"))
        .json(&json!({ "text": "Acknowledged, so durable" }))
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), 201);

    server.kill9();
    server.restart();
    if engine == Engine::Sqlite {
        let mut db = server.database().await;
        let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(&mut db)
            .await
            .unwrap();
        assert_eq!(integrity, "ok");
    }
    let ombuds = server.sign_in("ines", &secret).await;
    let case: Value = server
        .as_staff(&ombuds, Method::GET, &format!("/api/v1/cases/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(case["concern"]["description"], "Survives a crash");
    assert_eq!(case["notes"][0]["text"], "Acknowledged, so durable");
    let thread = server
        .client()
        .get(server.at("/api/v1/followup"))
        .header("authorization", format!("Receipt {receipt}"))
        .send()
        .await
        .unwrap();
    assert_eq!(thread.status(), 200);
}

on_both_engines!(sessions_and_letters_are_swept_when_they_expire);
async fn sessions_and_letters_are_swept_when_they_expire(engine: Engine) {
    let server = TestServer::start_with(Options::sweeping_every(engine, 1));
    let admin = server.admin().await;
    let ombuds = server.staff(&admin, "olga", "ombuds").await;
    server.submit("Will be closed").await;
    let cases: Value = server
        .as_staff(&ombuds, Method::GET, "/api/v1/cases")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = cases[0]["id"].as_str().unwrap().to_owned();
    let closed = server
        .as_staff(&ombuds, Method::POST, &format!("/api/v1/cases/{id}/close"))
        .json(&json!({ "outcome": "withdrawn" }))
        .send()
        .await
        .unwrap();
    assert_eq!(closed.status(), 200);
    let mut db = server.database().await;
    // The termination notice and the follow-up letter of a withdrawn concern.
    assert_eq!(count(&mut db, "letters").await, 2);
    let mut keys = server.key_store().await;
    assert_eq!(
        count(&mut keys, "content_keys").await,
        2,
        "only the letters' keys"
    );

    server.advance(181 * 24 * 3600);
    server
        .eventually(
            "letters, their keys and old sessions are destroyed",
            || async {
                let mut db = server.database().await;
                let mut keys = server.key_store().await;
                count(&mut db, "letters").await == 0
                    && count(&mut keys, "content_keys").await == 0
                    && count(&mut db, "sessions").await == 0
            },
        )
        .await;
}

on_both_engines!(the_retention_command_prints_the_policy_and_counts_only);
async fn the_retention_command_prints_the_policy_and_counts_only(engine: Engine) {
    let server = TestServer::start_on(engine);
    server
        .submit(&format!("Counted, not shown: {CANARY}"))
        .await;
    let config = server.data_dir().join("ombuds.toml");
    let policy = run(
        server.root.path(),
        &[
            "retention",
            "--policy",
            "--config",
            config.to_str().unwrap(),
        ],
    );
    assert!(policy.status.success());
    let text = String::from_utf8_lossy(&policy.stdout);
    for class in [
        "Working notes and commitments",
        "Case content",
        "Follow-up threads",
        "Termination notices and letters",
        "Staff sessions",
    ] {
        assert!(text.contains(class), "{class} missing from:\n{text}");
    }
    assert!(text.contains("180 days"));
    let held = run(
        server.root.path(),
        &["retention", "--config", config.to_str().unwrap()],
    );
    assert!(
        held.status.success(),
        "{}",
        String::from_utf8_lossy(&held.stderr)
    );
    let text = String::from_utf8_lossy(&held.stdout);
    let case_line = text
        .lines()
        .find(|l| l.starts_with("Case content"))
        .unwrap();
    assert!(case_line.contains(" 1 "), "{case_line}");
    assert!(!text.contains(CANARY));

    let admin = server.admin().await;
    let page = server
        .as_staff(&admin, Method::GET, "/admin/retention")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains("Case content") && !page.contains(CANARY));
}

#[test]
fn bad_retention_and_key_settings_refuse_to_start_naming_the_setting() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("d");
    crate::support::init(&dir);
    let config = dir.join("ombuds.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    let serve = |root: &std::path::Path| {
        run(
            root,
            &[
                "serve",
                "--config",
                config.to_str().unwrap(),
                "--listen",
                "127.0.0.1:0",
            ],
        )
    };
    for (from, to, named) in [
        ("note_days = 30", "note_days = 0", "retention.note_days"),
        ("note_days = 30", "note_days = 200", "retention.note_days"),
        ("note_max_days = 90", "note_max_days = -3", "note_max_days"),
        (
            "sweep_interval_seconds = 60",
            "sweep_interval_seconds = 0",
            "retention.sweep_interval_seconds",
        ),
    ] {
        std::fs::write(&config, text.replace(from, to)).unwrap();
        let out = serve(root.path());
        assert_eq!(out.status.code(), Some(2), "{named}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(named),
            "{named}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // A database whose key store is missing is refused, not silently given a new key store.
    std::fs::write(&config, &text).unwrap();
    std::fs::rename(dir.join("keys.db"), dir.join("keys.db.moved")).unwrap();
    let out = serve(root.path());
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("keys.store") && err.contains("does not exist"),
        "{err}"
    );
    assert!(
        !dir.join("keys.db").exists(),
        "no empty key store was created"
    );
}

on_both_engines!(an_intake_server_with_only_the_public_key_takes_concerns_and_reads_nothing);
async fn an_intake_server_with_only_the_public_key_takes_concerns_and_reads_nothing(
    engine: Engine,
) {
    // The full data directory stays with the association; the intake server gets the public key.
    let staff_dir = tempfile::tempdir().unwrap();
    crate::support::init(&staff_dir.path().join("d"));
    let identity_text = std::fs::read_to_string(staff_dir.path().join("d/identity.key")).unwrap();
    let recipient = identity_text
        .lines()
        .find_map(|l| l.strip_prefix("# public key: "))
        .unwrap()
        .to_owned();
    let server = TestServer::start_with(Options {
        engine,
        edit_config: Box::new(move |c| {
            c.replace(
                "identity = \"identity.key\"",
                &format!("recipient = \"{recipient}\""),
            )
        }),
        ..Options::default()
    });
    std::fs::remove_file(server.data_dir().join("identity.key")).unwrap();
    let receipt = server.submit("Sealed for the other server").await;
    let read = server
        .client()
        .get(server.at("/api/v1/followup"))
        .header("authorization", format!("Receipt {receipt}"))
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 503, "this server cannot read");
    let body: Value = read.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("public key"));
    assert!(
        !server.logs().contains("/enrol/"),
        "no setup link on an intake-only server"
    );

    // The association's identity opens what the intake server sealed.
    let mut db = server.database().await;
    let (sealed, key_id): (Vec<u8>, String) = sqlx::query_as("SELECT sealed, key_id FROM cases")
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
    std::fs::write(work.path().join("w"), wrapped).unwrap();
    std::fs::write(work.path().join("s"), sealed).unwrap();
    assert!(age_opens(
        &staff_dir.path().join("d/identity.key"),
        &work.path().join("w"),
        &work.path().join("k")
    ));
    assert!(age_opens(
        &work.path().join("k"),
        &work.path().join("s"),
        &work.path().join("plain")
    ));
    let plain = std::fs::read_to_string(work.path().join("plain")).unwrap();
    assert!(plain.contains("Sealed for the other server"));
}

on_both_engines!(a_note_is_destroyed_at_once_when_the_ombuds_asks);
/// A mediation note ends with the meeting: the ombuds destroys it at once, in the console or
/// the API; on SQLite no copy of its ciphertext is left in the database or its WAL.
async fn a_note_is_destroyed_at_once_when_the_ombuds_asks(engine: Engine) {
    let server = TestServer::start_on(engine);
    let admin = server.admin().await;
    let ombuds = server.staff(&admin, "olivia", "ombuds").await;
    let (id, _) = server
        .submitted_and_opened(&ombuds, "A deposit kept.")
        .await;
    let mut ids = Vec::new();
    for text in ["CANARY-mediation-note-1-q8w", "CANARY-mediation-note-2-q8w"] {
        let (status, note) = server
            .api(
                &ombuds,
                reqwest::Method::POST,
                &format!("/api/v1/cases/{id}/notes"),
                Some(serde_json::json!({ "text": text })),
            )
            .await;
        assert_eq!(status, 201, "{note}");
        ids.push(note["id"].as_str().unwrap().to_owned());
    }
    let mut db = server.database().await;
    let sealed: Vec<u8> = sqlx::query_scalar("SELECT sealed FROM notes WHERE id = $1")
        .bind(&ids[0])
        .fetch_one(&mut db)
        .await
        .unwrap();

    // The console's button.
    let destroyed = server
        .post_form(
            &ombuds,
            &format!("/console/cases/{id}/notes/{}/destroy", ids[0]),
            &[],
        )
        .await;
    assert_eq!(destroyed.status(), 303);
    assert_eq!(count(&mut db, "notes").await, 1);
    if engine == Engine::Sqlite {
        let middle = &sealed[sealed.len() / 2..sealed.len() / 2 + 48];
        for (path, bytes) in server.data_files() {
            assert!(
                !crate::support::contains_bytes(&bytes, middle),
                "{} still holds the destroyed note's ciphertext",
                path.display()
            );
        }
    }
    // The API; then a note that is gone, or of another case, is a 404 that changes nothing.
    let path = format!("/api/v1/cases/{id}/notes/{}", ids[1]);
    let (status, _) = server
        .api(&ombuds, reqwest::Method::DELETE, &path, None)
        .await;
    assert_eq!(status, 200);
    let (status, _) = server
        .api(&ombuds, reqwest::Method::DELETE, &path, None)
        .await;
    assert_eq!(status, 404);
    assert_eq!(count(&mut db, "notes").await, 0);
    let (_, case) = server
        .api(
            &ombuds,
            reqwest::Method::GET,
            &format!("/api/v1/cases/{id}"),
            None,
        )
        .await;
    assert_eq!(case["notes"], serde_json::json!([]));
}
