//! Enrolment links not used yet: the administrator sees them on `/admin` (whom for, the role,
//! whether it creates or resets the account, the day it stops working; never the link) and can
//! revoke one; the command line lists them (`ombuds user list`) and revokes them (`ombuds user
//! revoke`). An account has one link that works at most: a new link for the same name retires
//! the one before, which then answers like a link that never existed.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Engine, Session, TestServer, on_both_engines, run};

/// A token of the same shape as a real one that no link ever had.
const NEVER_ISSUED: &str = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

/// Has `admin` make an enrolment link through the API (`POST path` with `body`); its token.
async fn link(server: &TestServer, admin: &Session, path: &str, body: Value) -> String {
    let answer = server
        .as_staff(admin, Method::POST, path)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 201, "{path}");
    let body: Value = answer.json().await.unwrap();
    let url = body["enrolment_url"].as_str().unwrap();
    url.rsplit('/').next().unwrap().to_owned()
}

/// What the enrolment link with `token` answers, on its page and in the API: the two statuses
/// and the API's body.
async fn opens(server: &TestServer, token: &str) -> (u16, u16, Value) {
    let client = server.client();
    let page = client
        .get(server.at(&format!("/enrol/{token}")))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16();
    let api = client
        .get(server.at(&format!("/api/v1/enrolments/{token}")))
        .send()
        .await
        .unwrap();
    let status = api.status().as_u16();
    let body = api.json().await.unwrap_or(Value::Null);
    (page, status, body)
}

/// Asserts that the link with `token` answers exactly as a link never issued does.
async fn assert_refused(server: &TestServer, token: &str, what: &str) {
    let never = opens(server, NEVER_ISSUED).await;
    assert_eq!(never.0, 404, "a link never issued");
    assert_eq!(opens(server, token).await, never, "{what}");
}

/// The administrator's users page.
async fn admin_page(server: &TestServer, admin: &Session) -> String {
    let answer = server
        .as_staff(admin, Method::GET, "/admin")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    answer.text().await.unwrap()
}

/// The table row of the page's pending link for `name`, if it lists one.
fn invitation_row(page: &str, name: &str) -> Option<String> {
    let table = page.split("id=\"invitations\"").nth(1)?;
    let form = format!("/admin/invitations/{name}/revoke");
    table
        .split("<tr>")
        .find(|row| row.contains(&form))
        .map(str::to_owned)
}

/// Posts the revoke form for `name`, with `csrf` as its token.
async fn revoke(server: &TestServer, admin: &Session, name: &str, csrf: &str) -> u16 {
    server
        .client()
        .post(server.at(&format!("/admin/invitations/{name}/revoke")))
        .header("cookie", &admin.cookie)
        .form(&[("csrf", csrf)])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// The grants of case access `ombuds` sees for `username`: (state, decided_by), by state.
async fn grants_for(server: &TestServer, ombuds: &Session, username: &str) -> Vec<(Value, Value)> {
    let listed: Vec<Value> = server
        .as_staff(ombuds, Method::GET, "/api/v1/access-grants")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut found: Vec<(Value, Value)> = listed
        .iter()
        .filter(|g| g["username"] == username)
        .map(|g| (g["state"].clone(), g["decided_by"].clone()))
        .collect();
    found.sort_by_key(|(state, _)| state.to_string());
    found
}

on_both_engines!(the_administrator_sees_replaces_and_revokes_links_not_used_yet);
async fn the_administrator_sees_replaces_and_revokes_links_not_used_yet(engine: Engine) {
    let server = TestServer::start_on(engine);
    let admin = server.admin().await;
    let olga = server.staff(&admin, "olga", "ombuds").await;
    let page = admin_page(&server, &admin).await;
    assert!(
        page.contains("No enrolment link is waiting to be used."),
        "{page}"
    );

    let first = link(
        &server,
        &admin,
        "/api/v1/users",
        json!({"username": "carol", "role": "ombuds"}),
    )
    .await;
    let page = admin_page(&server, &admin).await;
    let row = invitation_row(&page, "carol").expect("carol's link is listed");
    assert!(row.contains("<td>carol</td>"), "{row}");
    assert!(row.contains("Ombuds"), "{row}");
    assert!(row.contains("Creates the account"), "{row}");
    // The link works for 72 hours; the day it stops is the association's (America/Phoenix,
    // UTC−7 all year).
    let until = (server.now() + chrono::Duration::hours(72 - 7)).date_naive();
    assert!(row.contains(&format!("<td>{until}</td>")), "{until}: {row}");
    assert!(!page.contains(&first), "the link is never shown again");
    // The account does not exist yet: the accounts list does not have it.
    let users: Value = server
        .as_staff(&admin, Method::GET, "/api/v1/users")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        !users
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["username"] == "carol"),
        "{users}"
    );

    // Adding the same name again gives a new link and retires the first.
    let second = link(
        &server,
        &admin,
        "/api/v1/users",
        json!({"username": "carol", "role": "ombuds"}),
    )
    .await;
    assert_ne!(first, second);
    assert_refused(&server, &first, "the first link, once a second was made").await;
    assert_eq!(
        opens(&server, &second).await.1,
        200,
        "the second link works"
    );
    let page = admin_page(&server, &admin).await;
    assert_eq!(
        page.matches("/admin/invitations/carol/revoke").count(),
        1,
        "one link per account"
    );
    // Every ombuds sees that the first grant will never take effect.
    assert_eq!(
        grants_for(&server, &olga, "carol").await,
        [
            (json!("awaiting_enrolment"), Value::Null),
            (json!("superseded"), Value::Null)
        ]
    );

    // A reset link of an existing account is listed as one, and retires the one before too.
    let reset = link(&server, &admin, "/api/v1/users/olga/reset", json!({})).await;
    let row = invitation_row(&admin_page(&server, &admin).await, "olga").unwrap();
    assert!(row.contains("Resets the account"), "{row}");
    let again = link(&server, &admin, "/api/v1/users/olga/reset", json!({})).await;
    assert_refused(&server, &reset, "a reset link, once another was made").await;
    assert_eq!(opens(&server, &again).await.1, 200);

    // Revoking takes the CSRF token, like every other change.
    assert_eq!(revoke(&server, &admin, "carol", "forged").await, 403);
    assert_eq!(opens(&server, &second).await.1, 200, "nothing changed");
    assert_eq!(revoke(&server, &admin, "carol", &admin.csrf).await, 303);
    assert_refused(&server, &second, "a revoked link").await;
    let page = admin_page(&server, &admin).await;
    assert!(invitation_row(&page, "carol").is_none(), "{page}");
    assert!(invitation_row(&page, "olga").is_some(), "only carol's went");
    assert_eq!(
        grants_for(&server, &olga, "carol").await,
        [
            (json!("superseded"), Value::Null),
            (json!("withdrawn"), json!("ada"))
        ]
    );
    // Nothing is left to revoke, and a name that never had a link has none either.
    assert_eq!(revoke(&server, &admin, "carol", &admin.csrf).await, 404);
    assert_eq!(revoke(&server, &admin, "nobody", &admin.csrf).await, 404);
    // An ombuds may not revoke links.
    assert_eq!(revoke(&server, &olga, "olga", &olga.csrf).await, 403);
    assert_eq!(opens(&server, &again).await.1, 200);
}

on_both_engines!(the_command_line_lists_replaces_and_revokes_links_not_used_yet);
async fn the_command_line_lists_replaces_and_revokes_links_not_used_yet(engine: Engine) {
    let server = TestServer::start_on(engine);
    let admin = server.admin().await;
    let config = server.data_dir().join("ombuds.toml");
    let config = config.to_str().unwrap();
    let ombuds = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--config", config]);
        run(server.root.path(), &all)
    };
    let token = |out: &std::process::Output| {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .last()
            .and_then(|l| l.rsplit("/enrol/").next())
            .unwrap()
            .trim()
            .to_owned()
    };
    let stdout = |out: &std::process::Output| String::from_utf8_lossy(&out.stdout).into_owned();

    let first = token(&ombuds(&["user", "add", "dave", "--role", "board"]));
    let listed = stdout(&ombuds(&["user", "list"]));
    assert!(listed.contains("ada\tadmin\n"), "{listed}");
    assert!(
        listed.contains("dave\tboard\tinvited (pending): its link works until 2"),
        "{listed}"
    );
    assert!(!listed.contains(&first), "the link is never printed again");
    // The administrator's page lists the same link.
    assert!(invitation_row(&admin_page(&server, &admin).await, "dave").is_some());

    let second = token(&ombuds(&["user", "add", "dave", "--role", "board"]));
    assert_refused(&server, &first, "the first link, once a second was made").await;
    assert_eq!(opens(&server, &second).await.1, 200);
    let listed = stdout(&ombuds(&["user", "list"]));
    assert_eq!(listed.matches("dave\t").count(), 1, "{listed}");

    // A reset link not used yet shows on the account's own line.
    token(&ombuds(&["user", "reset", "ada"]));
    let listed = stdout(&ombuds(&["user", "list"]));
    assert!(
        listed.contains("ada\tadmin\treset link not used yet: it works until 2"),
        "{listed}"
    );

    let revoked = ombuds(&["user", "revoke", "dave"]);
    assert!(
        revoked.status.success(),
        "{}",
        String::from_utf8_lossy(&revoked.stderr)
    );
    assert_eq!(
        stdout(&revoked),
        "The enrolment link for dave is revoked: it works no more.\n"
    );
    assert_refused(&server, &second, "a revoked link").await;
    assert!(!stdout(&ombuds(&["user", "list"])).contains("dave"));
    let again = ombuds(&["user", "revoke", "dave"]);
    assert_eq!(again.status.code(), Some(2));
    let said = String::from_utf8_lossy(&again.stderr);
    assert!(
        said.lines()
            .any(|l| l == "error: no enrolment link for \"dave\" is waiting to be used"),
        "{said}"
    );
}
