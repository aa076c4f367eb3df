//! Bad input changes nothing and says why: every refusal names its problem, keeps the security
//! headers, and leaves the database exactly as it was.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{
    Engine, TestServer, assert_security_headers, count, on_both_engines, valid_concern,
};

async fn assert_nothing_stored(server: &TestServer) {
    let mut db = server.database().await;
    assert_eq!(
        count(&mut db, "cases").await,
        0,
        "a refused request stored a concern"
    );
    let mut keys = server.key_store().await;
    assert_eq!(
        count(&mut keys, "content_keys").await,
        0,
        "a refused request stored a key"
    );
}

/// Sends a raw JSON body and returns the status and decoded answer.
async fn post_json(server: &TestServer, content_type: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let response = server
        .client()
        .post(server.at("/api/v1/concerns"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    assert_security_headers(response.headers(), &format!("JSON {status}"));
    let value = response.json().await.unwrap_or(Value::Null);
    (status, value)
}

fn with(field: &str, value: Value) -> Vec<u8> {
    let mut concern = valid_concern();
    concern[field] = value;
    serde_json::to_vec(&concern).unwrap()
}

fn field_errors(answer: &Value) -> Vec<(String, String)> {
    answer["fields"]
        .as_array()
        .map(|fields| {
            fields
                .iter()
                .map(|f| {
                    (
                        f["field"].as_str().unwrap().to_owned(),
                        f["message"].as_str().unwrap().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

on_both_engines!(malformed_json_is_a_400_that_names_the_problem);
async fn malformed_json_is_a_400_that_names_the_problem(engine: Engine) {
    let server = TestServer::start_on(engine);
    let json = "application/json";
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"{\"category\": ".to_vec(), "not valid JSON"),
        (b"not json at all".to_vec(), "not valid JSON"),
        (b"[1, 2, 3]".to_vec(), "must be a JSON object"),
        (b"".to_vec(), "not valid JSON"),
        (
            with("contakt", json!("me@example.org")),
            "Unknown field \"contakt\"",
        ),
        // One reader keeps the first of two values, another the last: refuse the ambiguity.
        (
            br#"{"category": "communication", "raised_by": "client", "description": "first",
                "accept_conditions": true, "description": "second"}"#
                .to_vec(),
            "The JSON field \"description\" was sent more than once.",
        ),
    ];
    for (body, expected) in cases {
        let (status, answer) = post_json(&server, json, body).await;
        assert_eq!(status, 400, "{answer}");
        let message = answer["error"].as_str().unwrap();
        assert!(
            message.contains(expected),
            "{message:?} should contain {expected:?}"
        );
    }
    assert_nothing_stored(&server).await;
}

on_both_engines!(invalid_fields_are_a_422_naming_each_field);
async fn invalid_fields_are_a_422_naming_each_field(engine: Engine) {
    let server = TestServer::start_on(engine);
    let long = "x".repeat(10_001);
    let cases: Vec<(Vec<u8>, &str, &str)> = vec![
        (
            with("category", json!("gossip")),
            "category",
            "unknown kind of concern",
        ),
        (with("category", json!(7)), "category", "must be a string"),
        (
            with("raised_by", json!("landlord")),
            "raised_by",
            "unknown role",
        ),
        (
            with("description", json!("   ")),
            "description",
            "describe your concern",
        ),
        (
            with("description", json!(long)),
            "description",
            "the limit is 10000",
        ),
        (
            with("concluded_on", json!("2026-02-30")),
            "concluded_on",
            "2026-02-30 is not a real calendar date",
        ),
        (
            with("discovered_on", json!("last spring")),
            "discovered_on",
            "YYYY-MM-DD",
        ),
        (
            with("concluded_on", json!("2026-03-03")),
            "concluded_on",
            "in the future",
        ),
        (
            with("accept_conditions", json!(false)),
            "accept_conditions",
            "must accept the conditions",
        ),
        (
            with("accept_conditions", json!("yes")),
            "accept_conditions",
            "must be true or false",
        ),
    ];
    for (body, field, expected) in cases {
        let (status, answer) = post_json(&server, "application/json", body).await;
        assert_eq!(status, 422, "{answer}");
        let errors = field_errors(&answer);
        assert_eq!(errors.len(), 1, "exactly one problem expected: {answer}");
        assert_eq!(errors[0].0, field, "{answer}");
        assert!(
            errors[0].1.contains(expected),
            "{:?} should contain {expected:?}",
            errors[0].1
        );
    }

    // Several problems at once are all reported, in the form's order.
    let body = serde_json::to_vec(&json!({"category": "x", "raised_by": "y"})).unwrap();
    let (status, answer) = post_json(&server, "application/json", body).await;
    assert_eq!(status, 422);
    let fields: Vec<String> = field_errors(&answer).into_iter().map(|e| e.0).collect();
    assert_eq!(
        fields,
        ["category", "raised_by", "description", "accept_conditions"]
    );
    assert_nothing_stored(&server).await;
}

on_both_engines!(wrong_type_and_oversized_bodies_are_refused);
async fn wrong_type_and_oversized_bodies_are_refused(engine: Engine) {
    let server = TestServer::start_on(engine);
    let (status, answer) = post_json(
        &server,
        "text/plain",
        serde_json::to_vec(&valid_concern()).unwrap(),
    )
    .await;
    assert_eq!(status, 415);
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("application/json")
    );

    let huge = with("description", json!("y".repeat(300 * 1024)));
    let (status, answer) = post_json(&server, "application/json", huge).await;
    assert_eq!(status, 413);
    assert!(
        answer["error"].as_str().unwrap().contains("KiB"),
        "{answer}"
    );

    let response = server
        .client()
        .post(server.at("/concerns"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("description={}", "z".repeat(300 * 1024)))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    assert_security_headers(response.headers(), "form 413");
    assert!(response.text().await.unwrap().contains("Too much text"));
    assert_nothing_stored(&server).await;
}

on_both_engines!(the_html_form_comes_back_filled_in_with_each_error_beside_its_field);
async fn the_html_form_comes_back_filled_in_with_each_error_beside_its_field(engine: Engine) {
    let server = TestServer::start_on(engine);
    let response = server
        .client()
        .post(server.at("/concerns"))
        .form(&[
            ("category", "conduct"),
            ("raised_by", ""),
            ("description", "They <b>shouted</b> at me & left."),
            ("contact", "555-0199"),
            ("concluded_on", "2026-02-30"),
            // Month first, as an English date control would show it: refused, not guessed.
            ("discovered_on", "09/15/2026"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    assert_security_headers(response.headers(), "form 422");
    let page = response.text().await.unwrap();
    assert!(
        page.contains("<title>Error: "),
        "the title announces the error"
    );
    assert!(
        page.contains("role=\"alert\""),
        "an error summary screen readers announce"
    );
    // The user's input is kept (escaped), and their choice stays selected.
    assert!(page.contains("They &#60;b&#62;shouted&#60;/b&#62; at me &#38; left.</textarea>"));
    assert!(page.contains("555-0199</textarea>"));
    assert!(page.contains("value=\"2026-02-30\""));
    assert!(page.contains("value=\"conduct\" checked"));
    // Each error sits by its field and is linked to it.
    for (field, message) in [
        ("raised_by", "say who is raising the concern"),
        ("concluded_on", "2026-02-30 is not a real calendar date"),
        (
            "discovered_on",
            "is not a date written year-month-day; write it like 2026-03-31, the year first",
        ),
        ("accept_conditions", "you must accept the conditions of use"),
    ] {
        let error_id = format!("id=\"{field}-error\"");
        let at = page
            .find(&error_id)
            .unwrap_or_else(|| panic!("no error beside {field}"));
        assert!(page[at..].starts_with(&error_id));
        assert!(page[at..at + 300].contains(message), "{field}: {message}");
        assert!(
            page.contains(&format!("href=\"#{field}\"")),
            "summary links to {field}"
        );
    }
    // The date boxes are text boxes described by the hint that says how to write a date, and
    // by their error.
    let input = page
        .split("<input type=\"text\" class=\"date\" id=\"concluded_on\"")
        .nth(1)
        .and_then(|rest| rest.split('>').next())
        .expect("the date box");
    assert!(
        input.contains("aria-describedby=\"dates-hint concluded_on-error\""),
        "{input}"
    );
    assert!(input.contains("aria-invalid=\"true\""), "{input}");
    assert!(page.contains("value=\"09/15/2026\""), "kept as typed");
    assert!(!page.contains("type=\"date\""));
    assert!(
        !page.contains("id=\"description-error\""),
        "no error on a good field"
    );
    assert_nothing_stored(&server).await;
}

on_both_engines!(malformed_and_cross_site_forms_are_refused);
async fn malformed_and_cross_site_forms_are_refused(engine: Engine) {
    let server = TestServer::start_on(engine);
    let client = server.client();
    let send = |body: &'static str, cross_site: bool| {
        let mut request = client
            .post(server.at("/concerns"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        if cross_site {
            request = request.header("sec-fetch-site", "cross-site");
        }
        request.send()
    };
    let good = "category=conduct&raised_by=client&description=hello&accept_conditions=yes";

    let response = send("description=%zz", false).await.unwrap();
    assert_eq!(response.status(), 400);
    assert!(response.text().await.unwrap().contains("percent-escape"));

    let response = send("category=conduct&category=commission", false)
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert!(response.text().await.unwrap().contains("more than once"));

    let response = send(good, true).await.unwrap();
    assert_eq!(response.status(), 403);
    assert_security_headers(response.headers(), "form 403");

    let response = client
        .post(server.at("/concerns"))
        .header("content-type", "multipart/form-data; boundary=x")
        .body("--x--")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 415);
    assert_nothing_stored(&server).await;

    // The same body from the site itself goes through, to the receipt page.
    assert_eq!(send(good, false).await.unwrap().status(), 303);
}

on_both_engines!(unknown_addresses_and_methods_get_clear_answers_with_headers);
async fn unknown_addresses_and_methods_get_clear_answers_with_headers(engine: Engine) {
    let server = TestServer::start_on(engine);
    let client = server.client();
    let page = client.get(server.at("/no/such/page")).send().await.unwrap();
    assert_eq!(page.status(), 404);
    assert_security_headers(page.headers(), "404 page");
    assert!(page.text().await.unwrap().contains("Page not found"));

    let api = client
        .get(server.at("/api/v1/nothing"))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 404);
    assert_security_headers(api.headers(), "404 api");
    let answer: Value = api.json().await.unwrap();
    assert!(answer["error"].is_string());

    let wrong = client.delete(server.at("/")).send().await.unwrap();
    assert_eq!(wrong.status(), 405);
    assert_security_headers(wrong.headers(), "405");
    assert!(wrong.headers().contains_key("allow"));
}

on_both_engines!(a_bad_commitments_window_is_a_422_naming_days);
async fn a_bad_commitments_window_is_a_422_naming_days(engine: Engine) {
    let server = TestServer::start_on(engine);
    let admin = server.admin().await;
    let ombuds = server.staff(&admin, "olga", "ombuds").await;
    for query in ["days=abc", "days=-1", "days=367", "days="] {
        let (status, refused) = server
            .api(
                &ombuds,
                reqwest::Method::GET,
                &format!("/api/v1/commitments?{query}"),
                None,
            )
            .await;
        assert_eq!(status, 422, "{query}: {refused}");
        assert_eq!(refused["fields"][0]["field"], "days", "{query}");
        assert_eq!(
            refused["fields"][0]["message"],
            "must be a whole number of days from 0 to 366"
        );
    }
    for query in ["", "?days=0", "?days=366"] {
        let (status, _) = server
            .api(
                &ombuds,
                reqwest::Method::GET,
                &format!("/api/v1/commitments{query}"),
                None,
            )
            .await;
        assert_eq!(status, 200, "{query}");
    }
}
