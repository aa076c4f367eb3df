//! The role × route matrix: each role gets exactly its pages and API, and every other cell is
//! refused the same way whether or not the thing asked for exists.

use reqwest::{Method, StatusCode};

use crate::support::{Engine, Session, TestServer, on_both_engines};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
    Nobody,
    Admin,
    Ombuds,
    Board,
}

/// A route, who may use it, and how to call it harmlessly (bodies that fail validation, so
/// that an admitted call changes nothing but is answered by the handler itself).
struct Cell {
    method: Method,
    path: &'static str,
    allowed: &'static [Who],
    body: Option<&'static str>,
    form: bool,
}

const ALL_STAFF: &[Who] = &[Who::Admin, Who::Ombuds, Who::Board];

fn cells() -> Vec<Cell> {
    use Who::*;
    let page = |path, allowed| Cell {
        method: Method::GET,
        path,
        allowed,
        body: None,
        form: false,
    };
    let post_form = |path, allowed| Cell {
        method: Method::POST,
        path,
        allowed,
        body: Some(""),
        form: true,
    };
    let api = |method, path, allowed, body| Cell {
        method,
        path,
        allowed,
        body,
        form: false,
    };
    vec![
        page("/console", &[Ombuds]),
        page("/console/cases/new", &[Ombuds]),
        page("/console/cases/{id}", &[Ombuds]),
        page("/admin", &[Admin]),
        page("/board", &[Board]),
        page("/account", ALL_STAFF),
        page("/console/access", &[Ombuds]),
        post_form("/console/access/no-such-grant/confirm", &[Ombuds]),
        post_form("/console/cases", &[Ombuds]),
        post_form("/console/cases/{id}/notes", &[Ombuds]),
        post_form("/console/cases/{id}/replies", &[Ombuds]),
        post_form("/console/cases/{id}/close", &[Ombuds]),
        post_form("/console/cases/{id}/assignee", &[Ombuds]),
        post_form("/console/cases/{id}/receipt", &[Ombuds]),
        post_form("/console/cases/{id}/non-membership", &[Ombuds]),
        post_form("/admin/users", &[Admin]),
        post_form("/admin/users/nobody-here/frobnicate", &[Admin]),
        api(Method::GET, "/api/v1/cases", &[Ombuds], None),
        api(Method::GET, "/api/v1/cases/{id}", &[Ombuds], None),
        api(Method::GET, "/api/v1/commitments", &[Ombuds], None),
        api(Method::POST, "/api/v1/cases", &[Ombuds], Some("{}")),
        api(
            Method::POST,
            "/api/v1/cases/{id}/notes",
            &[Ombuds],
            Some("{}"),
        ),
        api(
            Method::PUT,
            "/api/v1/cases/{id}/services",
            &[Ombuds],
            Some("{}"),
        ),
        api(
            Method::PUT,
            "/api/v1/cases/{id}/notes/none/done",
            &[Ombuds],
            Some("{}"),
        ),
        api(
            Method::POST,
            "/api/v1/cases/{id}/replies",
            &[Ombuds],
            Some("{}"),
        ),
        api(
            Method::POST,
            "/api/v1/cases/{id}/close",
            &[Ombuds],
            Some("{}"),
        ),
        api(
            Method::PUT,
            "/api/v1/cases/{id}/assignee",
            &[Ombuds],
            Some("{}"),
        ),
        // The case is a web concern: it holds a receipt already, so an admitted call is refused.
        api(Method::POST, "/api/v1/cases/{id}/receipt", &[Ombuds], None),
        api(
            Method::POST,
            "/api/v1/cases/{id}/non-membership",
            &[Ombuds],
            Some("{}"),
        ),
        api(
            Method::DELETE,
            "/api/v1/cases/{id}/non-membership/none",
            &[Ombuds],
            None,
        ),
        api(Method::GET, "/api/v1/users", &[Admin], None),
        api(Method::POST, "/api/v1/users", &[Admin], Some("{}")),
        api(
            Method::POST,
            "/api/v1/users/nobody-here/frobnicate",
            &[Admin],
            None,
        ),
        api(Method::GET, "/api/v1/session", ALL_STAFF, None),
        post_form("/account/digest", &[Ombuds]),
        api(Method::GET, "/api/v1/account/digest", &[Ombuds], None),
        api(Method::PUT, "/api/v1/account/digest", &[Ombuds], Some("{}")),
        api(Method::GET, "/api/v1/access-grants", &[Ombuds], None),
        api(
            Method::POST,
            "/api/v1/access-grants/no-such-grant/refuse",
            &[Ombuds],
            None,
        ),
    ]
}

async fn call(
    server: &TestServer,
    who: Option<&Session>,
    cell: &Cell,
    case_id: &str,
) -> (StatusCode, String) {
    let path = cell.path.replace("{id}", case_id);
    let mut request = server
        .client()
        .request(cell.method.clone(), server.at(&path));
    if let Some(session) = who {
        request = request.header("cookie", &session.cookie);
        if !cell.form {
            request = request.header("x-csrf-token", &session.csrf);
        }
    }
    if let Some(body) = cell.body {
        request = if cell.form {
            let csrf = who.map(|s| s.csrf.clone()).unwrap_or_default();
            request
                .header("content-type", "application/x-www-form-urlencoded")
                .body(format!("csrf={csrf}{body}"))
        } else {
            request
                .header("content-type", "application/json")
                .body(body)
        };
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let location = response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (
        status,
        format!("{location}|{}", response.text().await.unwrap()),
    )
}

on_both_engines!(each_role_gets_exactly_its_routes_and_refusals_leak_nothing);
async fn each_role_gets_exactly_its_routes_and_refusals_leak_nothing(engine: Engine) {
    let server = TestServer::start_on(engine);
    let admin = server.admin().await;
    let ombuds = server.staff(&admin, "olga", "ombuds").await;
    let board = server.staff(&admin, "bert", "board").await;
    server.submit("Existing concern for the matrix").await;
    let mut db = server.database().await;
    let existing: String = sqlx::query_scalar("SELECT id FROM cases")
        .fetch_one(&mut db)
        .await
        .unwrap();
    let missing = "aaaaaaaaaaaaaaaaaaaaaaaaaa";

    let mut checked = 0;
    for cell in cells() {
        for (who, session) in [
            (Who::Nobody, None),
            (Who::Admin, Some(&admin)),
            (Who::Ombuds, Some(&ombuds)),
            (Who::Board, Some(&board)),
        ] {
            let (status, body) = call(&server, session, &cell, &existing).await;
            let what = format!("{:?} {} {} -> {status}", who, cell.method, cell.path);
            if cell.allowed.contains(&who) {
                assert!(
                    status != StatusCode::UNAUTHORIZED
                        && status != StatusCode::FORBIDDEN
                        && status != StatusCode::SEE_OTHER
                        || (status == StatusCode::SEE_OTHER && !body.starts_with("/signin")),
                    "{what} should be admitted: {body}"
                );
            } else {
                let api = cell.path.starts_with("/api/");
                match (who, api) {
                    (Who::Nobody, true) => assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}"),
                    (Who::Nobody, false) => {
                        assert_eq!(status, StatusCode::SEE_OTHER, "{what}");
                        assert!(body.starts_with("/signin|"), "{what}: sent to sign in");
                    }
                    _ => assert_eq!(status, StatusCode::FORBIDDEN, "{what}: {body}"),
                }
                assert!(!body.contains("Existing concern"), "{what} leaked content");
                if cell.path.contains("{id}") {
                    // The refusal is the same whether or not the case exists.
                    let (status_missing, body_missing) =
                        call(&server, session, &cell, missing).await;
                    assert_eq!(
                        (status, &body),
                        (status_missing, &body_missing),
                        "{what} differs for a missing case"
                    );
                }
            }
            checked += 1;
        }
    }
    assert_eq!(checked, cells().len() * 4);

    // The board sees no case at all, on any page it may open.
    for path in ["/board", "/account"] {
        let page = server
            .client()
            .get(server.at(path))
            .header("cookie", &board.cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            !page.contains("Existing concern") && !page.contains(&existing),
            "{path}"
        );
    }
    // An admitted ombuds asking for a missing case gets a plain 404.
    let missing_case = server
        .as_staff(&ombuds, Method::GET, &format!("/api/v1/cases/{missing}"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing_case.status(), 404);
}
