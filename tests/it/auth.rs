//! Staff sign-in through the real server: enrolment with a one-time link, password and TOTP,
//! wrong and replayed codes, idle and absolute timeouts, CSRF, sign-out everywhere, throttling
//! by username, and what the security log says (and does not).

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::{Engine, PASSWORD, TestServer, on_both_engines, run};

on_both_engines!(the_first_administrator_enrols_through_the_printed_link_in_a_browser_form);
async fn the_first_administrator_enrols_through_the_printed_link_in_a_browser_form(engine: Engine) {
    let server = TestServer::start_on(engine);
    let token = server.setup_token();
    let page = server
        .client()
        .get(server.at(&format!("/enrol/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("otpauth://totp/"), "shows the otpauth URI");
    assert!(html.contains("<svg"), "shows a QR code");
    assert!(!html.contains("<script"));
    // Finishing signs the person in: the footer names the session cookie, not the receipt's.
    assert!(
        html.contains("Signing in sets one session cookie"),
        "{html}"
    );
    assert!(!html.contains("This site sets no cookies"));
    // The password's rules are there before the first attempt, tied to both password boxes.
    for rule in [
        "be 12 to 256 characters long",
        "not contain your username",
        "be typed the same twice",
    ] {
        assert!(
            html.contains(rule),
            "the page does not say {rule:?} before asking"
        );
    }
    assert_eq!(html.matches("aria-describedby=\"password-hint").count(), 2);
    let secret_text = html
        .split("Or enter this key by hand: <code class=\"secret\">")
        .nth(1)
        .and_then(|r| r.split("</code>").next())
        .unwrap();
    let secret = ombuds::crypto::totp::TotpSecret::from_bytes(
        &data_encoding::BASE32_NOPAD
            .decode(secret_text.as_bytes())
            .unwrap(),
    )
    .unwrap();

    // A wrong code and a short password are named beside their fields.
    let refused = server
        .client()
        .post(server.at(&format!("/enrol/{token}")))
        .form(&[
            ("username", "ada"),
            ("password", "short"),
            ("confirmation", "short"),
            ("code", "000000"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(html.contains("id=\"password-error\""));
    assert!(html.contains("id=\"code-error\""));

    let code = server.code(&secret);
    let done = server
        .client()
        .post(server.at(&format!("/enrol/{token}")))
        .form(&[
            ("username", "ada"),
            ("password", PASSWORD),
            ("confirmation", PASSWORD),
            ("code", &code),
        ])
        .send()
        .await
        .unwrap();
    // Enrolled and signed in, as a sign-in would do: the administrator's home page opens
    // with the new session at once, without a second code.
    assert_eq!(done.status(), 303);
    assert_eq!(done.headers()["location"], "/admin");
    let cookies: Vec<&str> = done
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|c| c.to_str().unwrap())
        .collect();
    let session = cookies
        .iter()
        .find(|c| c.starts_with("ombuds_session="))
        .expect("a session cookie");
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Strict"));
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("ombuds_device=") && c.contains("Path=/signin")),
        "{cookies:?}"
    );
    let home = server
        .client()
        .get(server.at("/admin"))
        .header("cookie", session.split(';').next().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(home.status(), 200);
    assert!(home.text().await.unwrap().contains("ada"));
    // The link worked once.
    let again = server
        .client()
        .get(server.at(&format!("/enrol/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 404);

    // Sign in with the HTML form; the cookie is HttpOnly and SameSite=Strict.
    server.advance(30);
    let signed = server
        .client()
        .post(server.at("/signin"))
        .form(&[
            ("username", "ada"),
            ("password", PASSWORD),
            ("code", &server.code(&secret)),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), 303);
    assert_eq!(signed.headers()["location"], "/admin");
    let cookie = signed.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("ombuds_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "no Secure flag over plain loopback HTTP"
    );
    let admin_page = server
        .client()
        .get(server.at("/admin"))
        .header("cookie", cookie.split(';').next().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(admin_page.status(), 200);
    assert!(admin_page.text().await.unwrap().contains("ada"));

    // With an administrator enrolled, a restart prints no setup link.
    let mut server = server;
    server.restart();
    let out = std::fs::read_to_string(server.root.path().join("stdout.log")).unwrap();
    assert!(!out.contains("/enrol/"), "{out}");
}

on_both_engines!(enrolling_through_the_api_signs_the_account_in_as_a_sign_in_does);
/// Issue 21, item 10: the code that proves the authenticator is used up by the enrolment, so a
/// sign-in right after it needed the next one. Enrolling now starts the session itself.
async fn enrolling_through_the_api_signs_the_account_in_as_a_sign_in_does(engine: Engine) {
    let server = TestServer::start_on(engine);
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
    let code = server.code(&secret);
    let enrolled = server
        .client()
        .post(server.at(&format!("/api/v1/enrolments/{token}")))
        .json(&json!({ "username": "ada", "password": PASSWORD, "totp": code }))
        .send()
        .await
        .unwrap();
    assert_eq!(enrolled.status(), 201);
    let cookie = enrolled
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|c| c.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("ombuds_session="))
        .expect("a session cookie")
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let body: serde_json::Value = enrolled.json().await.unwrap();
    assert_eq!(body["enrolled"], true);
    assert_eq!(body["username"], "ada");
    assert_eq!(body["role"], "admin");
    let csrf = body["csrf_token"].as_str().unwrap();
    // The session works at once, for reading and (with its CSRF token) for changing.
    let me: serde_json::Value = server
        .client()
        .get(server.at("/api/v1/session"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["username"], "ada");
    assert_eq!(me["csrf_token"], csrf);
    let created = server
        .client()
        .post(server.at("/api/v1/users"))
        .header("cookie", &cookie)
        .header("x-csrf-token", csrf)
        .json(&json!({ "username": "olivia", "role": "ombuds" }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    // The enrolment's code stays used up: a sign-in with it is refused.
    let replayed = server
        .client()
        .post(server.at("/api/v1/session"))
        .json(&json!({ "username": "ada", "password": PASSWORD, "totp": code }))
        .send()
        .await
        .unwrap();
    assert_eq!(replayed.status(), 401);
}

on_both_engines!(wrong_passwords_wrong_codes_and_replayed_codes_are_refused_alike);
async fn wrong_passwords_wrong_codes_and_replayed_codes_are_refused_alike(engine: Engine) {
    let server = TestServer::start_on(engine);
    let secret = server.enrol(&server.setup_token(), Some("ada")).await;
    let attempt = |username: &'static str, password: &'static str, code: String| {
        server
            .client()
            .post(server.at("/api/v1/session"))
            .json(&json!({ "username": username, "password": password, "totp": code }))
            .send()
    };
    server.advance(30);
    let wrong_password = attempt("ada", "not the password at all", server.code(&secret))
        .await
        .unwrap();
    assert_eq!(wrong_password.status(), 401);
    let message = wrong_password.text().await.unwrap();
    let wrong_code = attempt("ada", PASSWORD, "123456".into()).await.unwrap();
    assert_eq!(wrong_code.status(), 401);
    assert_eq!(
        wrong_code.text().await.unwrap(),
        message,
        "the same answer for every failure"
    );
    let unknown = attempt("nobody", PASSWORD, server.code(&secret))
        .await
        .unwrap();
    assert_eq!(unknown.status(), 401);
    assert_eq!(unknown.text().await.unwrap(), message);

    // A code works once: the same code at the same moment is refused the second time.
    server.advance(30);
    let code = server.code(&secret);
    assert_eq!(
        attempt("ada", PASSWORD, code.clone())
            .await
            .unwrap()
            .status(),
        201
    );
    assert_eq!(
        attempt("ada", PASSWORD, code).await.unwrap().status(),
        401,
        "a replayed code is refused"
    );

    // The log records the events, without the password, the code or any address.
    let logs = server.logs();
    assert!(
        logs.contains("signin_failed") && logs.contains("event=\"signin\"")
            || logs.contains("event=signin"),
        "{logs}"
    );
    assert!(logs.contains("totp_replay"));
    assert!(!logs.contains(PASSWORD) && !logs.contains("not the password at all"));
    assert!(
        !logs.contains("nobody"),
        "an unknown username typed is not logged"
    );
}

on_both_engines!(sessions_end_when_idle_when_old_and_everywhere_on_request);
async fn sessions_end_when_idle_when_old_and_everywhere_on_request(engine: Engine) {
    let server = TestServer::start_on(engine);
    let admin = server.admin().await;
    let secret = server.enrol_staff(&admin, "ivy", "ombuds").await;
    let whoami = |cookie: String| {
        server
            .client()
            .get(server.at("/api/v1/session"))
            .header("cookie", cookie)
            .send()
    };
    assert_eq!(whoami(admin.cookie.clone()).await.unwrap().status(), 200);

    // Idle for 31 minutes: gone, and the HTML console sends the browser to sign in.
    server.advance(31 * 60);
    assert_eq!(whoami(admin.cookie.clone()).await.unwrap().status(), 401);
    let page = server
        .client()
        .get(server.at("/admin"))
        .header("cookie", &admin.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 303);
    assert_eq!(page.headers()["location"], "/signin");

    // Active every 20 minutes, a session still ends 12 hours after sign-in.
    let session = server.sign_in("ivy", &secret).await;
    for _ in 0..35 {
        server.advance(20 * 60);
        assert_eq!(whoami(session.cookie.clone()).await.unwrap().status(), 200);
    }
    server.advance(20 * 60);
    assert_eq!(
        whoami(session.cookie.clone()).await.unwrap().status(),
        401,
        "12-hour absolute timeout"
    );

    // Sign out everywhere ends every session of the account.
    let first = server.sign_in("ivy", &secret).await;
    let second = server.sign_in("ivy", &secret).await;
    let ended = server
        .as_staff(&first, Method::POST, "/api/v1/session/revoke-all")
        .send()
        .await
        .unwrap();
    assert_eq!(ended.status(), 200);
    let body: serde_json::Value = ended.json().await.unwrap();
    // The two, and the session the enrolment started (long idle, not swept yet).
    assert_eq!(body["ended"], 3);
    assert_eq!(whoami(first.cookie.clone()).await.unwrap().status(), 401);
    assert_eq!(whoami(second.cookie.clone()).await.unwrap().status(), 401);
}

on_both_engines!(changes_need_the_csrf_token_and_a_same_site_request);
async fn changes_need_the_csrf_token_and_a_same_site_request(engine: Engine) {
    let server = TestServer::start_on(engine);
    let admin = server.admin().await;
    let without = server
        .client()
        .post(server.at("/api/v1/users"))
        .header("cookie", &admin.cookie)
        .json(&json!({ "username": "eve", "role": "admin" }))
        .send()
        .await
        .unwrap();
    assert_eq!(without.status(), 403);
    let wrong = server
        .client()
        .post(server.at("/api/v1/users"))
        .header("cookie", &admin.cookie)
        .header("x-csrf-token", "forged")
        .json(&json!({ "username": "eve", "role": "admin" }))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 403);
    let form_without = server
        .client()
        .post(server.at("/admin/users"))
        .header("cookie", &admin.cookie)
        .form(&[("username", "eve"), ("role", "admin")])
        .send()
        .await
        .unwrap();
    assert_eq!(form_without.status(), 403);
    let cross_site = server
        .client()
        .post(server.at("/admin/users"))
        .header("cookie", &admin.cookie)
        .header("sec-fetch-site", "cross-site")
        .form(&[
            ("username", "eve"),
            ("role", "admin"),
            ("csrf", admin.csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), 403);
    let users: serde_json::Value = server
        .as_staff(&admin, Method::GET, "/api/v1/users")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        users.as_array().unwrap().len(),
        1,
        "no account was created: {users}"
    );
}

on_both_engines!(repeated_failures_throttle_one_username_without_storing_addresses);
async fn repeated_failures_throttle_one_username_without_storing_addresses(engine: Engine) {
    let server = TestServer::start_on(engine);
    let secret = server.enrol(&server.setup_token(), Some("ada")).await;
    for _ in 0..5 {
        let failed = server
            .client()
            .post(server.at("/api/v1/session"))
            .json(&json!({ "username": "ada", "password": "guess guess guess", "totp": "000000" }))
            .send()
            .await
            .unwrap();
        assert_eq!(failed.status(), 401);
    }
    let sixth = server
        .client()
        .post(server.at("/api/v1/session"))
        .json(&json!({ "username": "ada", "password": "guess guess guess", "totp": "000000" }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        sixth.status(),
        401,
        "the sixth failure is still answered, and starts a block"
    );
    server.advance(30);
    let blocked = server
        .client()
        .post(server.at("/api/v1/session"))
        .json(&json!({ "username": "ada", "password": PASSWORD, "totp": server.code(&secret) }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        blocked.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    assert!(blocked.headers().contains_key("retry-after"));
    // Another username is not affected.
    let other = server
        .client()
        .post(server.at("/api/v1/session"))
        .json(&json!({ "username": "someone-else", "password": "x", "totp": "000000" }))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 401);
    // After the block, the right credentials work.
    server.advance(61);
    server.sign_in("ada", &secret).await;

    // The throttle table holds a keyed hash, not the name or an address.
    let mut db = server.database().await;
    let keys: Vec<Vec<u8>> = sqlx::query_scalar("SELECT key FROM signin_throttle")
        .fetch_all(&mut db)
        .await
        .unwrap();
    for key in keys {
        assert_eq!(key.len(), 32);
        assert!(!crate::support::contains(&key, "someone-else"));
    }
    for (path, bytes) in server.data_files() {
        if path.extension().is_some_and(|e| e == "toml") {
            continue; // the configuration names the listening address, nobody else's
        }
        assert!(
            !crate::support::contains(&bytes, "127.0.0.1"),
            "{} holds an address",
            path.display()
        );
    }
}

on_both_engines!(the_command_line_adds_users_while_the_server_runs);
async fn the_command_line_adds_users_while_the_server_runs(engine: Engine) {
    let server = TestServer::start_on(engine);
    let config = server.data_dir().join("ombuds.toml");
    let out = run(
        server.root.path(),
        &[
            "user",
            "add",
            "maria",
            "--role",
            "ombuds",
            "--config",
            config.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8_lossy(&out.stdout);
    let token = printed.rsplit("/enrol/").next().unwrap().trim().to_owned();
    let secret = server.enrol(&token, None).await;
    let session = server.sign_in("maria", &secret).await;
    let cases = server
        .as_staff(&session, Method::GET, "/api/v1/cases")
        .send()
        .await
        .unwrap();
    assert_eq!(cases.status(), 200);

    let bad_role = run(
        server.root.path(),
        &[
            "user",
            "add",
            "x1",
            "--role",
            "king",
            "--config",
            config.to_str().unwrap(),
        ],
    );
    assert_eq!(bad_role.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad_role.stderr).contains("--role"));
    let taken = run(
        server.root.path(),
        &[
            "user",
            "add",
            "maria",
            "--role",
            "board",
            "--config",
            config.to_str().unwrap(),
        ],
    );
    assert_eq!(taken.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&taken.stderr).contains("exists"));
    let list = run(
        server.root.path(),
        &["user", "list", "--config", config.to_str().unwrap()],
    );
    assert!(String::from_utf8_lossy(&list.stdout).contains("maria\tombuds"));
}
