//! An administrator trying to read cases, on both engines. With a real ombuds at work and a
//! case open, the administrator tries every way the review found or that follows from them:
//! an ombuds account of their own, a reset of the real ombuds' account with its link used,
//! disabling every ombuds before making another, and deciding grants themselves. Every case
//! route is asked, as JSON and as a page, by every account the administrator controls: each
//! answer must be a refusal (401 or 403), and none may carry the case's text or identifier.
//! The real ombuds then sees every one of those grants waiting, and refuses them.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Engine, Session, TestServer, contains};
use crate::tally::Tally;

/// Text of the open case; no answer to the administrator's accounts may hold it.
const CANARY: &str = "ESCALATION-CANARY-the-administrator-must-not-read-this";

pub async fn run(tally: &Tally) {
    for engine in [Engine::Sqlite, Engine::Postgres] {
        escalation(engine, tally).await;
    }
}

/// An enrolment link the administrator makes through the API, used by the administrator.
async fn take(server: &TestServer, admin: &Session, path: &str, body: Value, as_name: &str) -> Session {
    let made = server
        .as_staff(admin, Method::POST, path)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(made.status(), 201, "{path}");
    let made: Value = made.json().await.unwrap();
    assert_eq!(made["case_access"], "after_confirmation", "{path}: {made}");
    let token = made["enrolment_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let secret = server.enrol(&token, None).await;
    server.sign_in(as_name, &secret).await
}

/// Asks every case route as `session`; every answer must be a refusal without case content.
async fn every_case_route(server: &TestServer, session: &Session, case: &str, tally: &Tally) -> u64 {
    let routes: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, "/api/v1/cases".into(), None),
        (Method::GET, format!("/api/v1/cases/{case}"), None),
        (Method::GET, "/api/v1/commitments".into(), None),
        (Method::GET, "/api/v1/letters".into(), None),
        (Method::GET, "/api/v1/access-grants".into(), None),
        (Method::POST, format!("/api/v1/cases/{case}/notes"), Some(json!({"kind": "note", "text": "x"}))),
        (Method::POST, format!("/api/v1/cases/{case}/replies"), Some(json!({"text": "x"}))),
        (Method::POST, format!("/api/v1/cases/{case}/close"), Some(json!({"outcome": "withdrawn"}))),
        // A receipt would open the case's thread for good: the one route that hands one out.
        (Method::POST, format!("/api/v1/cases/{case}/receipt"), None),
        (Method::GET, "/console".into(), None),
        (Method::GET, format!("/console/cases/{case}"), None),
        (Method::GET, "/console/letters".into(), None),
        (Method::GET, "/console/access".into(), None),
    ];
    let mut asked = 0;
    for (method, path, body) in routes {
        let mut request = server.as_staff(session, method.clone(), &path);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let answer = request.send().await.unwrap();
        let status = answer.status().as_u16();
        let text = answer.bytes().await.unwrap();
        assert!(
            matches!(status, 401 | 403),
            "{method} {path} answered {status} to an account of the administrator's"
        );
        assert!(!contains(&text, CANARY) && !contains(&text, case), "{method} {path} leaked");
        asked += 1;
    }
    tally.requests(asked);
    tally.canary_places(asked);
    asked
}

async fn escalation(engine: Engine, tally: &Tally) {
    let server = TestServer::start_on(engine);
    let admin = server.admin().await;
    let olga = server.staff(&admin, "olga", "ombuds").await;
    server.submit(CANARY).await;
    tally.acknowledged(1);
    let listed: Vec<Value> = server
        .as_staff(&olga, Method::GET, "/api/v1/cases")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let case = listed[0]["id"].as_str().unwrap().to_owned();
    tally.requests(6);

    let mut asked = 0;
    // 1. An ombuds account of the administrator's own.
    let own = take(&server, &admin, "/api/v1/users", json!({"username": "mallory", "role": "ombuds"}), "mallory").await;
    asked += every_case_route(&server, &own, &case, tally).await;
    // 2. The real ombuds' account, reset, with the link used by the administrator.
    let reset = take(&server, &admin, "/api/v1/users/olga/reset", json!({}), "olga").await;
    asked += every_case_route(&server, &reset, &case, tally).await;
    // 3. Every ombuds disabled, then another made.
    for name in ["olga", "mallory"] {
        let disabled = server
            .as_staff(&admin, Method::POST, &format!("/api/v1/users/{name}/disable"))
            .send()
            .await
            .unwrap();
        assert_eq!(disabled.status(), 200);
    }
    let later = take(&server, &admin, "/api/v1/users", json!({"username": "trent", "role": "ombuds"}), "trent").await;
    asked += every_case_route(&server, &later, &case, tally).await;
    // 4. The administrator deciding grants, with their own session.
    for decision in ["confirm", "refuse"] {
        let tried = server
            .as_staff(&admin, Method::POST, &format!("/api/v1/access-grants/x/{decision}"))
            .send()
            .await
            .unwrap();
        assert_eq!(tried.status(), 403);
        asked += 1;
    }
    asked += every_case_route(&server, &admin, &case, tally).await;
    tally.bad_inputs(asked);

    // The command line on the server brings the real ombuds back (the recovery path), and
    // she sees what was tried, and refuses it.
    let config = server.data_dir().join("ombuds.toml");
    let out = crate::support::run(
        server.root.path(),
        &["user", "reset", "olga", "--config", config.to_str().unwrap()],
    );
    assert!(out.status.success());
    let printed = String::from_utf8_lossy(&out.stdout);
    let token = printed.lines().last().and_then(|l| l.rsplit("/enrol/").next()).unwrap().trim().to_owned();
    let secret = server.enrol(&token, None).await;
    let olga = server.sign_in("olga", &secret).await;
    let grants: Vec<Value> = server
        .as_staff(&olga, Method::GET, "/api/v1/access-grants")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let waiting: Vec<&Value> = grants.iter().filter(|g| g["state"] == "awaiting_confirmation").collect();
    assert_eq!(waiting.len(), 2, "mallory's and trent's wait: {grants:?}");
    for grant in waiting {
        let refused = server
            .as_staff(&olga, Method::POST, &format!("/api/v1/access-grants/{}/refuse", grant["id"].as_str().unwrap()))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 200);
    }
    tally.requests(8);
    println!(
        "    {engine:?}: {asked} attempts by the administrator's accounts, every one refused; \
         3 grants made by the administrator, none gave case access; the real ombuds, restored \
         from the command line, refused the 2 still waiting"
    );
}
