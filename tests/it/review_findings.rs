//! What the outside security review (issue 23) found, checked again through the real server
//! so that each fix cannot quietly go away. Scenarios that need a flood or a race live in the
//! security suite (`tests/security`); the two-person rule has its own file.

use sqlx::Connection;

use crate::support::{Engine, Options, PASSWORD, TestServer, on_both_engines};

on_both_engines!(a_very_long_username_is_refused_naming_the_field_not_a_500);

/// A 2,500-character username went into the QR code drawn on the page that says it is wrong,
/// and the QR code could not hold it: a 500. It is bad input, named beside its field, and the
/// form says how long a username may be.
async fn a_very_long_username_is_refused_naming_the_field_not_a_500(engine: Engine) {
    let server = TestServer::start_on(engine);
    let token = server.setup_token();
    let form = server
        .client()
        .get(server.at(&format!("/enrol/{token}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(form.contains("2 to 40 characters"), "the limit is stated");
    assert!(
        form.contains("maxlength=\"40\""),
        "and the field holds no more"
    );

    let long = format!("a{}", "b".repeat(2_499));
    let refused = server
        .client()
        .post(server.at(&format!("/enrol/{token}")))
        .form(&[
            ("username", long.as_str()),
            ("password", crate::support::PASSWORD),
            ("confirmation", crate::support::PASSWORD),
            ("code", "000000"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.unwrap();
    assert!(
        page.contains("id=\"username-error\""),
        "named beside the field"
    );
    assert!(page.contains("2 to 40 characters"));
    assert!(page.contains("<svg"), "the QR code is still drawn");

    let refused = server
        .client()
        .post(server.at(&format!("/api/v1/enrolments/{token}")))
        .json(&serde_json::json!({
            "username": long, "password": crate::support::PASSWORD, "totp": "000000"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    let answer: serde_json::Value = refused.json().await.unwrap();
    assert!(
        answer["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["field"] == "username"
                && f["message"].as_str().unwrap().contains("2 to 40")),
        "{answer}"
    );

    // The link still works for a name that fits.
    server.enrol(&token, Some("ada")).await;
    assert!(
        !server.logs().contains("internal error"),
        "{}",
        server.logs()
    );
}

on_both_engines!(a_closed_standard_error_fails_no_request_and_stops_no_shutdown);

/// With standard error a closed pipe, every log line fails to be written. The logging library
/// then reported its own failure with `eprintln!`, which panics when standard error is gone:
/// any request that logged got an empty reply, and the `SIGTERM` handler (which logs) died
/// before it could start the shutdown.
async fn a_closed_standard_error_fails_no_request_and_stops_no_shutdown(engine: Engine) {
    let mut server = TestServer::start_with(Options {
        engine,
        closed_stderr: true,
        ..Options::default()
    });
    // Enrolment, sign-in, a refused sign-in and an account change all log security events.
    let admin = server.admin().await;
    let refused = server
        .client()
        .post(server.at("/api/v1/session"))
        .json(
            &serde_json::json!({"username": "ada", "password": "wrong password", "totp": "000000"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    server.staff(&admin, "olga", "ombuds").await;
    // A submission, and an internal error's reference is logged too: answered, not cut off.
    let receipt = server
        .submit("A concern sent while nobody reads the logs.")
        .await;
    let thread = server.followup(&receipt, "").await;
    assert!(thread["concern"].is_object(), "{thread}");

    let status = server.stop();
    assert!(status.success(), "stopped cleanly on SIGTERM: {status}");
}

on_both_engines!(an_empty_key_store_beside_a_populated_database_is_refused);

/// A missing key store was refused, but a zero-byte `keys.db`, a fresh one from `ombuds init`,
/// or a key store emptied of its keys started beside a database full of cases that could no
/// longer be read. Each is refused, naming `keys.store`; with the right key store back, the
/// service starts and the concern reads again.
async fn an_empty_key_store_beside_a_populated_database_is_refused(engine: Engine) {
    let mut server = TestServer::start_on(engine);
    let receipt = server
        .submit("A concern whose key must not go missing.")
        .await;
    server.stop();
    let data = server.data_dir();
    let config = data.join("ombuds.toml");

    let mut refusals = Vec::new();
    match engine {
        Engine::Sqlite => {
            let keys = data.join("keys.db");
            let saved = std::fs::read(&keys).unwrap();
            // A clean stop truncated the write-ahead log into the file: it holds every key.
            assert!(
                !data.join("keys.db-wal").exists() || {
                    std::fs::metadata(data.join("keys.db-wal")).unwrap().len() == 0
                }
            );
            std::fs::write(&keys, b"").unwrap();
            refusals.push(("a zero-byte keys.db", serve_refused(&config)));
            let fresh = tempfile::tempdir().unwrap();
            crate::support::init(&fresh.path().join("d"));
            std::fs::copy(fresh.path().join("d/keys.db"), &keys).unwrap();
            refusals.push(("a fresh keys.db from init", serve_refused(&config)));
            std::fs::write(&keys, saved).unwrap();
        }
        Engine::Postgres => {
            let databases = server.postgres().unwrap();
            let mut store = sqlx::PgConnection::connect(&databases.url(&databases.keys))
                .await
                .unwrap();
            let mut saved: Vec<(String, Vec<u8>)> =
                sqlx::query_as("SELECT id, wrapped FROM content_keys")
                    .fetch_all(&mut store)
                    .await
                    .unwrap();
            assert!(!saved.is_empty());
            sqlx::raw_sql("DELETE FROM content_keys; DELETE FROM day_keys")
                .execute(&mut store)
                .await
                .unwrap();
            refusals.push(("a key store emptied of its keys", serve_refused(&config)));
            for (id, wrapped) in saved.drain(..) {
                sqlx::query("INSERT INTO content_keys (id, wrapped) VALUES ($1, $2)")
                    .bind(id)
                    .bind(wrapped)
                    .execute(&mut store)
                    .await
                    .unwrap();
            }
        }
    }
    for (what, (code, err)) in refusals {
        assert!(
            matches!(code, Some(1 | 2)),
            "{what}: refused, not crashed: {err}"
        );
        assert!(
            err.contains("setting `keys.store`") && err.contains("holds no keys"),
            "{what}: {err}"
        );
    }
    server.restart();
    let thread = server.followup(&receipt, "").await;
    assert_eq!(
        thread["concern"]["description"], "A concern whose key must not go missing.",
        "{thread}"
    );
}

/// Runs `ombuds serve` on `config` and expects it to refuse to start: returns its exit code
/// and standard error. A server that starts instead is stopped, and the test fails.
fn serve_refused(config: &std::path::Path) -> (Option<i32>, String) {
    let mut child = std::process::Command::new(crate::support::BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--config"])
        .arg(config)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "the server started instead of refusing {}",
                config.display()
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Signs in through the JSON API; returns the status and the `Set-Cookie` values.
async fn sign_in_attempt(
    server: &TestServer,
    password: &str,
    code: &str,
    cookie: Option<&str>,
) -> (u16, Vec<String>) {
    let mut request = server
        .client()
        .post(server.at("/api/v1/session"))
        .json(&serde_json::json!({ "username": "ada", "password": password, "totp": code }));
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let answer = request.send().await.unwrap();
    let cookies = answer
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    (answer.status().as_u16(), cookies)
}

on_both_engines!(parallel_wrong_passwords_are_throttled_as_if_sent_one_after_another);

/// The failure count was read, the password checked, and the count written: ten wrong
/// passwords sent at once were all checked. Each attempt is now counted before it is checked,
/// under a lock, so exactly as many are checked as when they come one after another: five
/// free, the sixth (which starts the block), and no more.
async fn parallel_wrong_passwords_are_throttled_as_if_sent_one_after_another(engine: Engine) {
    let server = TestServer::start_with(Options {
        engine,
        // Room for all ten at once, so that only the throttle can hold them back.
        edit_config: Box::new(|c| format!("{c}\n[limits.sign_in]\nconcurrent = 10\nqueue = 10\n")),
        ..Options::default()
    });
    server.admin().await;
    let attempts = futures_util::future::join_all(
        (0..10).map(|_| sign_in_attempt(&server, "a wrong password, guessed", "123456", None)),
    )
    .await;
    let checked = attempts.iter().filter(|(status, _)| *status == 401).count();
    let throttled = attempts.iter().filter(|(status, _)| *status == 429).count();
    assert_eq!((checked, throttled), (6, 4), "{attempts:?}");
}

on_both_engines!(a_guesser_cannot_keep_the_owner_out_of_a_device_that_signed_in_before);

/// Anyone can keep an account's shared throttle blocked with one wrong guess per back-off.
/// A browser or client that signed in to the account before holds a device cookie, and its
/// attempts are counted apart: the owner signs in from it while the guesser stays blocked.
async fn a_guesser_cannot_keep_the_owner_out_of_a_device_that_signed_in_before(engine: Engine) {
    let server = TestServer::start_on(engine);
    // Enrolling gives a device cookie, and so does each sign-in.
    let token = server.setup_token();
    let shown: serde_json::Value = server
        .client()
        .get(server.at(&format!("/api/v1/enrolments/{token}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret = ombuds::crypto::totp::TotpSecret::from_bytes(
        &data_encoding::BASE32_NOPAD
            .decode(shown["totp_secret"].as_str().unwrap().as_bytes())
            .unwrap(),
    )
    .unwrap();
    let enrolled = server
        .client()
        .post(server.at(&format!("/api/v1/enrolments/{token}")))
        .json(&serde_json::json!({
            "username": "ada", "password": PASSWORD, "totp": server.code(&secret)
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(enrolled.status(), 201);
    let from_enrolment = enrolled
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|c| c.starts_with("ombuds_device=") && c.contains("Path=/api/v1/session"))
        .expect("a device cookie from the enrolment")
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    server.advance(30);
    let (status, cookies) = sign_in_attempt(&server, PASSWORD, &server.code(&secret), None).await;
    assert_eq!(status, 201);
    let device = cookies
        .iter()
        .find(|c| c.starts_with("ombuds_device="))
        .unwrap_or_else(|| panic!("no device cookie in {cookies:?}"));
    for part in [
        "Path=/api/v1/session",
        "HttpOnly",
        "SameSite=Strict",
        "Max-Age=15552000",
    ] {
        assert!(device.contains(part), "{device}");
    }
    let device = device.split(';').next().unwrap().to_owned();

    // The guesser: five free failures, a sixth that blocks, then refused unchecked.
    for _ in 0..6 {
        let (status, _) = sign_in_attempt(&server, "guess guess guess", "000000", None).await;
        assert_eq!(status, 401);
    }
    server.advance(30);
    let (status, _) = sign_in_attempt(&server, PASSWORD, &server.code(&secret), None).await;
    assert_eq!(
        status, 429,
        "without the device cookie, the owner waits too"
    );
    // With it, the right password and code are taken at once, while the guesser is blocked.
    let (status, _) =
        sign_in_attempt(&server, PASSWORD, &server.code(&secret), Some(&device)).await;
    assert_eq!(status, 201, "the owner's device signs in");
    let (status, _) = sign_in_attempt(&server, "guess again", "000000", None).await;
    assert_eq!(status, 429, "the guesser is still blocked");
    // A forged cookie counts as none.
    let (status, _) =
        sign_in_attempt(&server, "wrong", "000000", Some("ombuds_device=AAAA.BBBB")).await;
    assert_eq!(status, 429, "a forged cookie is the shared throttle's");
    // A code works once: the next one, a step later.
    server.advance(30);
    let (status, _) = sign_in_attempt(
        &server,
        PASSWORD,
        &server.code(&secret),
        Some(&from_enrolment),
    )
    .await;
    assert_eq!(status, 201, "so does the device that enrolled");

    // A device cookie is no way around the throttle: its own failures block it.
    for _ in 0..6 {
        let (status, _) = sign_in_attempt(&server, "wrong", "000000", Some(&device)).await;
        assert_eq!(status, 401);
    }
    let (status, _) = sign_in_attempt(&server, "wrong", "000000", Some(&device)).await;
    assert_eq!(status, 429);
}

on_both_engines!(text_direction_tricks_are_isolated_and_shown_to_staff);

/// U+202E and other direction-changing or invisible characters were stored and shown raw:
/// "invoice" U+202E "fdp.exe" reads as "invoiceexe.pdf". Staff now see each as a marker, and every
/// piece of user text is isolated so that it cannot reorder the page around it.
async fn text_direction_tricks_are_isolated_and_shown_to_staff(engine: Engine) {
    let server = TestServer::start_on(engine);
    let admin = server.admin().await;
    let ombuds = server.staff(&admin, "olga", "ombuds").await;
    let tricky = "Please open invoice\u{202E}fdp.exe from my agent\u{200B}.";
    let receipt = server.submit(tricky).await;
    let reply = server
        .client()
        .post(server.at("/api/v1/followup/messages"))
        .header("authorization", format!("Receipt {receipt}"))
        .json(&serde_json::json!({ "text": "More: \u{2067}reversed\u{2069} and مرحبا" }))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 201);

    let id = &only_case(&server, &ombuds).await;
    let page = server
        .as_staff(
            &ombuds,
            reqwest::Method::GET,
            &format!("/console/cases/{id}"),
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("invoice[U+202E]fdp.exe from my agent[U+200B]."),
        "the console marks what cannot be seen"
    );
    assert!(page.contains("More: [U+2067]reversed[U+2069] and مرحبا"));
    for hidden in ['\u{202E}', '\u{200B}', '\u{2067}', '\u{2069}'] {
        assert!(!page.contains(hidden), "{hidden:?} reached the console raw");
    }
    assert!(
        page.contains("<div class=\"text\" dir=\"auto\">Please open invoice"),
        "the concern is isolated"
    );

    // The submitter's own page shows their text as they sent it, isolated.
    let followup = server
        .client()
        .post(server.at("/followup"))
        .form(&[("receipt", receipt.as_str())])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(followup.contains(&format!("<div class=\"text\" dir=\"auto\">{tricky}</div>")));
    assert!(followup.contains("<div class=\"text\" dir=\"auto\">More: \u{2067}reversed"));
    // The stored text keeps what was sent: the API gives it back unchanged.
    let thread = server.followup(&receipt, "").await;
    assert_eq!(thread["concern"]["description"], tricky);
}

on_both_engines!(no_stored_or_sent_link_follows_the_host_a_request_names);

/// Without `public_url`, enrolment links and the address in termination notices came from the
/// request's Host header, which its sender writes: a stored notice could send a submitter to
/// any site. They now come from `public_url`, or else from the loopback address the service
/// listens on; start-up requires `public_url` wherever people reach the service from elsewhere.
async fn no_stored_or_sent_link_follows_the_host_a_request_names(engine: Engine) {
    let server = TestServer::start_on(engine);
    let admin = server.admin().await;
    let evil = "evil.example";
    let made: serde_json::Value = server
        .as_staff(&admin, reqwest::Method::POST, "/api/v1/users")
        .header("host", evil)
        .json(&serde_json::json!({"username": "olga", "role": "ombuds"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let link = made["enrolment_url"].as_str().unwrap();
    assert!(link.starts_with(&format!("{}enrol/", server.url)), "{link}");
    let token = link.rsplit('/').next().unwrap();
    let secret = server.enrol(token, None).await;
    let ombuds = server.sign_in("olga", &secret).await;

    let receipt = server
        .submit("A concern whose notice must name the real site.")
        .await;
    let id = &only_case(&server, &ombuds).await;
    let closed = server
        .as_staff(
            &ombuds,
            reqwest::Method::POST,
            &format!("/api/v1/cases/{id}/close"),
        )
        .header("host", evil)
        .json(&serde_json::json!({ "outcome": "unsuccessfully_closed" }))
        .send()
        .await
        .unwrap();
    assert_eq!(closed.status(), 200);
    let thread = server.followup(&receipt, "").await;
    let notice = thread["letters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["kind"] == "termination_notice")
        .unwrap()["text"]
        .as_str()
        .unwrap();
    assert!(
        notice.contains(&format!("{}verify", server.url)),
        "{notice}"
    );
    assert!(!notice.contains(evil));

    // Behind a proxy, or listening beyond loopback, there is no address to fall back on.
    let config = server.data_dir().join("ombuds.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text.replace("behind_tls_proxy = false", "behind_tls_proxy = true"),
    )
    .unwrap();
    let (code, err) = serve_refused(&config);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("setting `server.public_url`") && err.contains("TLS proxy"),
        "{err}"
    );
}

on_both_engines!(every_stored_column_is_one_security_md_lists);

/// SECURITY.md ("What is stored, and in what form") lists what each table keeps in the clear;
/// the review found columns it did not mention (a note's `written_on`, the dates of a
/// correction, the order of rows). Every column of the tables that hold a case's data, of the
/// staff accounts and of the digest's record is listed here, marked as SECURITY.md describes
/// it: a column added later fails this test until both are brought up to date.
async fn every_stored_column_is_one_security_md_lists(engine: Engine) {
    let server = TestServer::start_on(engine);
    let mut db = server.database().await;
    let expected: &[(&str, &[&str])] = &[
        (
            "cases",
            &[
                "id (random)",
                "status",
                "channel",
                "category",
                "raised_by",
                "first_contact",
                "opened_on",
                "termination_date",
                "services",
                "receipt_hash (HMAC)",
                "assigned_to (the assigned ombuds' username)",
                "intake_lang (en or es: the intake page's language)",
                "recipient (the case key's public half)",
                "key_id (random)",
                "sealed",
                "certificate_id (random)",
                "touched_on (the day an ombuds last did something on it)",
                "complaint_filed (yes/no: a formal complaint was already filed)",
            ],
        ),
        (
            "superseded_certificates",
            &["id (random)", "replaced_by (random)"],
        ),
        (
            "notes",
            &[
                "seq (order)",
                "id (random)",
                "case_id",
                "kind",
                "due_on",
                "expires_on",
                "written_on",
                "done",
                "sealed",
                "sealed_author",
            ],
        ),
        (
            "messages",
            &[
                "seq (order)",
                "case_id",
                "party_id (whose thread: an added party, or NULL for the submitter)",
                "author",
                "sent_on",
                "sealed",
                "sealed_author",
                "opened (yes/no: its reader has opened the page since)",
            ],
        ),
        (
            "parties",
            &[
                "id (random)",
                "case_id",
                "number (2, 3, ...)",
                "receipt_hash (HMAC)",
                "sealed",
            ],
        ),
        (
            "non_membership",
            &["id (random)", "case_id", "sealed (both dates)"],
        ),
        (
            "plans",
            &["case_id", "version", "written_on", "agreed_on", "sealed"],
        ),
        (
            "plan_answers",
            &[
                "case_id",
                "party",
                "version",
                "answer",
                "channel",
                "answered_on",
            ],
        ),
        (
            "date_corrections",
            &[
                "seq (order)",
                "case_id",
                "field",
                "old_date",
                "new_date",
                "corrected_on",
                "sealed_reason",
            ],
        ),
        (
            "letters",
            &[
                "seq (order; PostgreSQL only, SQLite's rowid elsewhere)",
                "id (random)",
                "case_id",
                "receipt_hash (HMAC)",
                "kind",
                "dated",
                "expires_on",
                "key_id (random)",
                "sealed_html",
                "sealed_text",
                "party_id",
                "sealed_label",
                "opened",
                "sent_on",
                "sent_by",
            ],
        ),
        (
            "users",
            &[
                "id (random)",
                "username",
                "role",
                "password_hash (argon2id)",
                "totp_sealed",
                "totp_last_step",
                "disabled",
                "case_access",
                "digest_address (staff data: where the digest goes)",
            ],
        ),
        ("digest_runs", &["id (always 1)", "last_slot"]),
    ];
    for (table, documented) in expected {
        let sql = match engine {
            Engine::Sqlite => format!("SELECT name FROM pragma_table_info('{table}')"),
            Engine::Postgres => format!(
                "SELECT column_name::text FROM information_schema.columns \
                 WHERE table_schema = 'public' AND table_name = '{table}'"
            ),
        };
        let mut columns: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_all(&mut db)
            .await
            .unwrap();
        columns.sort();
        let mut listed: Vec<String> = documented
            .iter()
            .map(|c| c.split(' ').next().unwrap().to_owned())
            .filter(|c| !(engine == Engine::Sqlite && *table == "letters" && c == "seq"))
            .collect();
        listed.sort();
        assert_eq!(columns, listed, "the columns of {table}");
    }
}

on_both_engines!(security_headers_are_exactly_what_security_md_says);

/// SECURITY.md promised "cross-origin isolation headers" (only COOP and CORP are sent) and
/// `Cache-Control: no-store` on every response (the static files are cached for a day). It now
/// names exactly what is sent; this checks each, on a page, an error, the API and both static
/// files.
async fn security_headers_are_exactly_what_security_md_says(engine: Engine) {
    let server = TestServer::start_with(Options {
        engine,
        // So that /static/pow.js is served.
        edit_config: Box::new(|c| format!("{c}\n[limits.proof_of_work]\nenabled = true\n")),
        ..Options::default()
    });
    let client = server.client();
    for (path, cache) in [
        ("/", "no-store"),
        ("/no-such-page", "no-store"),
        ("/api/v1/cases", "no-store"),
        ("/static/style.css", "public, max-age=86400"),
        ("/static/pow.js", "public, max-age=86400"),
    ] {
        let answer = client.get(server.at(path)).send().await.unwrap();
        let headers = answer.headers();
        let get = |name: &str| {
            headers
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default()
        };
        assert_eq!(get("cache-control"), cache, "{path}");
        assert_eq!(get("cross-origin-opener-policy"), "same-origin", "{path}");
        assert_eq!(get("cross-origin-resource-policy"), "same-origin", "{path}");
        assert!(
            headers.get("cross-origin-embedder-policy").is_none(),
            "{path}: SECURITY.md says no COEP is sent"
        );
        assert_eq!(
            get("permissions-policy"),
            "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
            "{path}"
        );
        assert_eq!(get("referrer-policy"), "no-referrer", "{path}");
        assert_eq!(get("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(get("x-frame-options"), "DENY", "{path}");
        assert!(
            get("content-security-policy").starts_with("default-src 'none'"),
            "{path}"
        );
        assert!(
            headers.get("strict-transport-security").is_none(),
            "plain loopback HTTP"
        );
    }
}

/// The identifier of the one case `ombuds` lists.
async fn only_case(server: &TestServer, ombuds: &crate::support::Session) -> String {
    let cases: serde_json::Value = server
        .as_staff(ombuds, reqwest::Method::GET, "/api/v1/cases")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    cases[0]["id"].as_str().unwrap().to_owned()
}
