//! What the scenarios ask of a signed-in ombuds, shared: a case carried through steps of the
//! JSON API, each counted and required to succeed.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Session, TestServer};
use crate::tally::Tally;

/// Sends each step (method, path, JSON body) as `session`; every answer must be a success.
pub async fn perform(
    server: &TestServer,
    session: &Session,
    steps: Vec<(Method, String, Option<Value>)>,
    tally: &Tally,
) {
    for (method, path, body) in steps {
        let mut request = server.as_staff(session, method, &path);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        tally.requests(1);
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
    }
}

/// The steps that give case `id` a service and close it as unsuccessfully closed, which issues
/// its notices first (a successful close keeps nothing), confirming that the person's and
/// parties' last messages were seen.
pub fn close(id: &str) -> [(Method, String, Option<Value>); 2] {
    [
        (
            Method::PUT,
            format!("/api/v1/cases/{id}/services"),
            Some(json!({ "services": ["answer_information"] })),
        ),
        (
            Method::POST,
            format!("/api/v1/cases/{id}/close"),
            Some(json!({ "outcome": "unsuccessfully_closed", "confirm_unanswered": true })),
        ),
    ]
}
