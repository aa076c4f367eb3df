//! The two-person rule: an administrator cannot read cases by giving themselves an ombuds
//! account, or by resetting a real ombuds and using the link. Once an ombuds has case access,
//! a new ombuds account or a reset made through the web or the API reads no case until
//! another ombuds confirms it; every ombuds sees each grant; the command line on the server is
//! the recovery path.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{Engine, Session, TestServer, on_both_engines, run};

/// Has `admin` make an enrolment link through the API (`POST path` with `body`); returns its
/// token and what the answer says about case access.
async fn link(server: &TestServer, admin: &Session, path: &str, body: Value) -> (String, Value) {
    let answer = server
        .as_staff(admin, Method::POST, path)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 201, "{path}");
    let body: Value = answer.json().await.unwrap();
    let url = body["enrolment_url"].as_str().unwrap();
    (
        url.rsplit('/').next().unwrap().to_owned(),
        body["case_access"].clone(),
    )
}

/// The status of the case list for `session`, and its error message if refused.
async fn cases(server: &TestServer, session: &Session) -> (StatusCode, Value) {
    let answer = server
        .as_staff(session, Method::GET, "/api/v1/cases")
        .send()
        .await
        .unwrap();
    (answer.status(), answer.json().await.unwrap_or(Value::Null))
}

/// The status of a request without a body, as `session`.
async fn status_of(server: &TestServer, session: &Session, method: Method, path: &str) -> u16 {
    server
        .as_staff(session, method, path)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// A staff page as `session` sees it: its status and text.
async fn page(server: &TestServer, session: &Session, path: &str) -> (StatusCode, String) {
    let answer = server
        .as_staff(session, Method::GET, path)
        .send()
        .await
        .unwrap();
    (answer.status(), answer.text().await.unwrap())
}

/// The grants `ombuds` sees.
async fn grants(server: &TestServer, ombuds: &Session) -> Vec<Value> {
    let answer = server
        .as_staff(ombuds, Method::GET, "/api/v1/access-grants")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    answer.json::<Vec<Value>>().await.unwrap()
}

fn waiting_for<'a>(grants: &'a [Value], username: &str) -> &'a Value {
    grants
        .iter()
        .find(|g| g["username"] == username && g["state"] == "awaiting_confirmation")
        .unwrap_or_else(|| panic!("no grant for {username} waits: {grants:?}"))
}

on_both_engines!(an_administrator_cannot_read_cases_without_an_ombuds_confirming);
async fn an_administrator_cannot_read_cases_without_an_ombuds_confirming(engine: Engine) {
    let server = TestServer::start_on(engine);
    let admin = server.admin().await;
    // The first ombuds needs no confirmation: there is nobody to confirm it, and no case yet.
    let (token, access) = link(
        &server,
        &admin,
        "/api/v1/users",
        json!({"username": "olga", "role": "ombuds"}),
    )
    .await;
    assert_eq!(access, "with_the_link");
    let olga_secret = server.enrol(&token, None).await;
    let olga = server.sign_in("olga", &olga_secret).await;
    assert_eq!(cases(&server, &olga).await.0, 200);
    server
        .submit("A concern the administrator must not read.")
        .await;

    // The review's attack: the administrator makes an ombuds account and uses its link.
    let (token, access) = link(
        &server,
        &admin,
        "/api/v1/users",
        json!({"username": "mallory", "role": "ombuds"}),
    )
    .await;
    assert_eq!(access, "after_confirmation");
    // Before the link is used there is nothing to confirm.
    let early = waiting_for_link(&server, &olga, "mallory").await;
    assert_eq!(
        status_of(
            &server,
            &olga,
            Method::POST,
            &format!("/api/v1/access-grants/{early}/confirm")
        )
        .await,
        422,
        "no confirming an unused link"
    );
    let mallory_secret = server.enrol(&token, None).await;
    let mallory = server.sign_in("mallory", &mallory_secret).await;
    let (status, answer) = cases(&server, &mallory).await;
    assert_eq!(status, 403, "{answer}");
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("another ombuds must first confirm"),
        "{answer}"
    );
    for path in ["/console", "/console/access"] {
        let (status, html) = page(&server, &mallory, path).await;
        assert_eq!(status, 403, "{path}");
        assert!(!html.contains("must not read"), "{path} leaked the concern");
    }

    // Olga sees it, with who asked and the day (no time of day), and confirms it with the
    // console's form, without any script.
    let listed = grants(&server, &olga).await;
    let grant = waiting_for(&listed, "mallory");
    assert_eq!(grant["requested_by"], "ada");
    assert_eq!(grant["kind"], "new");
    assert_eq!(grant["requested_on"], "2026-03-02");
    assert_eq!(grant["enrolled_on"], "2026-03-02");
    assert!(
        listed
            .iter()
            .any(|g| g["username"] == "olga" && g["state"] == "granted"),
        "the first ombuds' grant is listed too: {listed:?}"
    );
    let id = grant["id"].as_str().unwrap().to_owned();
    let (_, list) = page(&server, &olga, "/console/access").await;
    assert!(list.contains(&format!("action=\"/console/access/{id}/confirm\"")));
    assert!(!list.contains("<script"));
    let (_, home) = page(&server, &olga, "/console").await;
    assert!(
        home.contains("1 account waits for an ombuds to confirm"),
        "{home}"
    );
    let confirmed = server
        .client()
        .post(server.at(&format!("/console/access/{id}/confirm")))
        .header("cookie", &olga.cookie)
        .form(&[("csrf", olga.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(confirmed.status(), 303);
    assert_eq!(cases(&server, &mallory).await.0, 200, "confirmed");
    assert_eq!(
        status_of(
            &server,
            &olga,
            Method::POST,
            &format!("/api/v1/access-grants/{id}/confirm")
        )
        .await,
        422,
        "decided once"
    );

    // The review's second attack: reset a real ombuds and use the link. Olga's own access
    // counts, so even resetting the only ombuds would wait.
    let (token, access) = link(&server, &admin, "/api/v1/users/olga/reset", json!({})).await;
    assert_eq!(access, "after_confirmation");
    let taken = server.enrol(&token, None).await;
    assert_eq!(cases(&server, &olga).await.0, 401, "olga's session ended");
    let impostor = server.sign_in("olga", &taken).await;
    assert_eq!(cases(&server, &impostor).await.0, 403);
    // Mallory, now an ombuds, refuses it: the account is disabled.
    let listed = grants(&server, &mallory).await;
    let id = waiting_for(&listed, "olga")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let refused = server
        .as_staff(
            &mallory,
            Method::POST,
            &format!("/api/v1/access-grants/{id}/refuse"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 200);
    let refused: Value = refused.json().await.unwrap();
    assert_eq!(refused["state"], "refused");
    assert_eq!(refused["decided_by"], "mallory");
    assert_eq!(cases(&server, &impostor).await.0, 401, "signed out");
    let users: Vec<Value> = server
        .as_staff(&admin, Method::GET, "/api/v1/users")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let olga_row = users.iter().find(|u| u["username"] == "olga").unwrap();
    assert_eq!(olga_row["disabled"], true);
    assert_eq!(olga_row["reads_cases"], false);

    // Enabling an ombuds again gives their own credentials access back: no confirmation, but
    // listed like every grant.
    for action in ["disable", "enable"] {
        let done = server
            .as_staff(
                &admin,
                Method::POST,
                &format!("/api/v1/users/mallory/{action}"),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(done.status(), 200, "{action}");
    }
    let mallory = server.sign_in("mallory", &mallory_secret).await;
    let listed = grants(&server, &mallory).await;
    let enabled = listed
        .iter()
        .find(|g| g["username"] == "mallory" && g["kind"] == "enabled")
        .unwrap_or_else(|| panic!("{listed:?}"));
    assert_eq!(enabled["state"], "granted");
    assert_eq!(enabled["requested_by"], "ada");

    // Disabling every ombuds does not reopen the way: a new one still waits.
    assert_eq!(
        status_of(
            &server,
            &admin,
            Method::POST,
            "/api/v1/users/mallory/disable"
        )
        .await,
        200
    );
    let (_, access) = link(
        &server,
        &admin,
        "/api/v1/users",
        json!({"username": "trent", "role": "ombuds"}),
    )
    .await;
    assert_eq!(access, "after_confirmation");

    // Nothing here logged a case's content, and each decision was logged with its ombuds.
    let logs = server.logs();
    assert!(!logs.contains("must not read"));
    assert!(logs.contains("case_access_decided"), "{logs}");
}

/// The id of `username`'s grant that waits for its link, as `ombuds` sees it.
async fn waiting_for_link(server: &TestServer, ombuds: &Session, username: &str) -> String {
    grants(server, ombuds)
        .await
        .iter()
        .find(|g| g["username"] == username && g["state"] == "awaiting_enrolment")
        .and_then(|g| g["id"].as_str())
        .unwrap()
        .to_owned()
}

on_both_engines!(a_later_link_supersedes_a_grant_still_waiting);

/// A grant is confirmed for the credentials of the link that was used. If the administrator
/// resets the account and uses the new link before anyone confirmed the first one, the first
/// grant is superseded: confirming it (on the word of the person who used the first link)
/// would give access to whoever used the second.
async fn a_later_link_supersedes_a_grant_still_waiting(engine: Engine) {
    let server = TestServer::start_on(engine);
    let admin = server.admin().await;
    let olga = server.staff(&admin, "olga", "ombuds").await;
    let (token, _) = link(
        &server,
        &admin,
        "/api/v1/users",
        json!({"username": "newbie", "role": "ombuds"}),
    )
    .await;
    server.enrol(&token, None).await;
    let first = waiting_for(&grants(&server, &olga).await, "newbie")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (token, _) = link(&server, &admin, "/api/v1/users/newbie/reset", json!({})).await;
    let taken = server.enrol(&token, None).await;
    let listed = grants(&server, &olga).await;
    let superseded = listed.iter().find(|g| g["id"] == first.as_str()).unwrap();
    assert_eq!(superseded["state"], "superseded");
    assert_eq!(
        status_of(
            &server,
            &olga,
            Method::POST,
            &format!("/api/v1/access-grants/{first}/confirm")
        )
        .await,
        422
    );
    let newbie = server.sign_in("newbie", &taken).await;
    assert_eq!(cases(&server, &newbie).await.0, 403);
    // Only the second waits now.
    assert_eq!(waiting_for(&listed, "newbie")["kind"], "reset");
}

on_both_engines!(the_command_line_on_the_server_is_the_recovery_path);

/// With the only ombuds locked out, nobody can confirm in the console: the command line on the
/// server can, and says so; its own grants need no confirmation and are listed for every
/// ombuds.
async fn the_command_line_on_the_server_is_the_recovery_path(engine: Engine) {
    let server = TestServer::start_on(engine);
    let admin = server.admin().await;
    server.staff(&admin, "olga", "ombuds").await;
    let config = server.data_dir().join("ombuds.toml");
    let config = config.to_str().unwrap();

    // A reset by the administrator of the only ombuds waits, and no one else can confirm it.
    let (token, access) = link(&server, &admin, "/api/v1/users/olga/reset", json!({})).await;
    assert_eq!(access, "after_confirmation");
    let secret = server.enrol(&token, None).await;
    let olga_again = server.sign_in("olga", &secret).await;
    assert_eq!(cases(&server, &olga_again).await.0, 403);
    // With no ombuds able to read cases, a new one still waits: only a service's very first
    // ombuds is granted without a confirmation (the security suite found this way round).
    let (_, access) = link(
        &server,
        &admin,
        "/api/v1/users",
        json!({"username": "trent", "role": "ombuds"}),
    )
    .await;
    assert_eq!(access, "after_confirmation");
    let listed = run(server.root.path(), &["user", "list", "--config", config]);
    assert!(
        String::from_utf8_lossy(&listed.stdout)
            .contains("olga\tombuds\twaiting for an ombuds to confirm"),
        "{}",
        String::from_utf8_lossy(&listed.stdout)
    );
    let confirmed = run(
        server.root.path(),
        &["user", "confirm", "olga", "--config", config],
    );
    assert!(
        confirmed.status.success(),
        "{}",
        String::from_utf8_lossy(&confirmed.stderr)
    );
    assert!(String::from_utf8_lossy(&confirmed.stdout).contains("command line on the server"));
    assert_eq!(cases(&server, &olga_again).await.0, 200);
    let nothing = run(
        server.root.path(),
        &["user", "confirm", "olga", "--config", config],
    );
    assert_eq!(nothing.status.code(), Some(2), "nothing waits any more");

    // The command line's own links need no confirmation, say why, and are listed.
    let added = run(
        server.root.path(),
        &[
            "user", "add", "maria", "--role", "ombuds", "--config", config,
        ],
    );
    let printed = String::from_utf8_lossy(&added.stdout);
    assert!(printed.contains("recovery path"), "{printed}");
    let token = printed
        .lines()
        .last()
        .and_then(|l| l.rsplit("/enrol/").next())
        .unwrap()
        .trim()
        .to_owned();
    let maria_secret = server.enrol(&token, None).await;
    let maria = server.sign_in("maria", &maria_secret).await;
    assert_eq!(cases(&server, &maria).await.0, 200);
    let listed = grants(&server, &olga_again).await;
    let maria_grant = listed.iter().find(|g| g["username"] == "maria").unwrap();
    assert_eq!(maria_grant["state"], "granted");
    assert_eq!(maria_grant["requested_by"], "command line");
    let olga_reset = listed
        .iter()
        .find(|g| g["username"] == "olga" && g["kind"] == "reset")
        .unwrap();
    assert_eq!(olga_reset["state"], "confirmed");
    assert_eq!(olga_reset["decided_by"], "command line");
    // An administrator's session neither lists nor decides grants.
    assert_eq!(
        status_of(&server, &admin, Method::GET, "/api/v1/access-grants").await,
        403
    );
}
