//! An administrator's account actions through the JSON API (`POST /api/v1/users/{name}/
//! {action}`): disable, enable and reset, each answered with the account's state or a new
//! enrolment link; an unknown action or account is 404 and changes nothing; the last
//! administrator who can sign in cannot be disabled.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Engine, Session, TestServer, on_both_engines};

/// `method path` as `admin`: the status and the JSON body (`null` if there is none).
async fn call(server: &TestServer, admin: &Session, method: Method, path: &str) -> (u16, Value) {
    let response = server.as_staff(admin, method, path).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// `POST /api/v1/users/{name}/{action}` as `admin`.
async fn act(server: &TestServer, admin: &Session, name: &str, action: &str) -> (u16, Value) {
    let path = format!("/api/v1/users/{name}/{action}");
    call(server, admin, Method::POST, &path).await
}

/// Whether `name` is disabled, as `GET /api/v1/users` lists it.
async fn disabled(server: &TestServer, admin: &Session, name: &str) -> bool {
    let (status, users) = call(server, admin, Method::GET, "/api/v1/users").await;
    assert_eq!(status, 200, "{users}");
    let user = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == name)
        .unwrap_or_else(|| panic!("{name} is not listed: {users}"));
    user["disabled"].as_bool().unwrap()
}

on_both_engines!(an_administrator_disables_enables_and_resets_an_account);
async fn an_administrator_disables_enables_and_resets_an_account(engine: Engine) {
    let server = TestServer::start_on(engine);
    let admin = server.admin().await;
    server.staff(&admin, "omar", "ombuds").await;
    assert!(!disabled(&server, &admin, "omar").await);

    let (status, body) = act(&server, &admin, "omar", "disable").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({ "username": "omar", "state": "disabled" }));
    assert!(disabled(&server, &admin, "omar").await);

    let (status, body) = act(&server, &admin, "omar", "enable").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({ "username": "omar", "state": "enabled" }));
    assert!(!disabled(&server, &admin, "omar").await);

    let (status, body) = act(&server, &admin, "omar", "reset").await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["username"], "omar");
    let link = body["enrolment_url"].as_str().unwrap();
    assert!(link.starts_with(&server.at("/enrol/")), "{link}");

    // An action that is not one, or an account that does not exist: 404, and nothing changes.
    for (name, action) in [
        ("omar", "frobnicate"),
        ("omar", "Disable"),
        ("nobody", "disable"),
    ] {
        let (status, _) = act(&server, &admin, name, action).await;
        assert_eq!(status, 404, "{action} {name}");
    }
    assert!(!disabled(&server, &admin, "omar").await);

    // The only administrator who can sign in cannot be disabled, and is told why.
    let (status, body) = act(&server, &admin, "ada", "disable").await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["fields"][0]["field"], "username");
    assert!(!disabled(&server, &admin, "ada").await);
}
