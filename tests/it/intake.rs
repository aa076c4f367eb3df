//! The intake round trip through a real server: page, JSON and HTML submissions, what the
//! database holds afterwards, and which calendar day counts as first contact.

use serde_json::Value;

use crate::support::{
    Engine, TestServer, assert_security_headers, count, on_both_engines, valid_concern,
};

on_both_engines!(json_submission_returns_a_receipt_and_stores_only_the_clear_fields);
async fn json_submission_returns_a_receipt_and_stores_only_the_clear_fields(engine: Engine) {
    let server = TestServer::start_on(engine);
    let response = server
        .client()
        .post(server.at("/api/v1/concerns"))
        .json(&serde_json::json!({
            "category": "commission",
            "raised_by": "member",
            "description": "We disagree about how the commission was split.",
            "contact": "call me after six",
            "concluded_on": "2026-01-10",
            "discovered_on": "2026-01-20",
            "accept_conditions": true
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    assert_security_headers(response.headers(), "201 JSON");
    let body: Value = response.json().await.unwrap();
    let receipt = body["receipt"].as_str().unwrap();
    let words: Vec<&str> = receipt.split('-').collect();
    assert_eq!(words.len(), 8, "{receipt}");
    assert!(
        words
            .iter()
            .all(|w| w.len() >= 3 && w.chars().all(|c| c.is_ascii_lowercase()))
    );
    // 17:00 UTC on 2 March is 10:00 in Phoenix, the same day.
    assert_eq!(body["first_contact"], "2026-03-02");

    let mut db = server.database().await;
    let row: (String, String, String, Vec<u8>, Vec<u8>, String) = sqlx::query_as(
        "SELECT category, raised_by, CAST(first_contact AS TEXT), receipt_hash, sealed, key_id \
         FROM cases",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(
        (row.0.as_str(), row.1.as_str(), row.2.as_str()),
        ("commission", "member", "2026-03-02")
    );
    assert_eq!(row.3.len(), 32, "a 256-bit keyed hash");
    assert!(!crate::support::contains(&row.3, receipt));
    assert!(
        row.4.starts_with(b"age-encryption.org/v1\n"),
        "sealed as an age file"
    );
    let mut keys = server.key_store().await;
    let wrapped: Vec<u8> = sqlx::query_scalar("SELECT wrapped FROM content_keys WHERE id = $1")
        .bind(&row.5)
        .fetch_one(&mut keys)
        .await
        .unwrap();
    assert!(
        wrapped.starts_with(b"age-encryption.org/v1\n"),
        "wrapped as an age file"
    );
}

on_both_engines!(html_form_submission_shows_the_receipt_and_the_first_contact_date);
async fn html_form_submission_shows_the_receipt_and_the_first_contact_date(engine: Engine) {
    let server = TestServer::start_on(engine);
    let response = server
        .client()
        .post(server.at("/concerns"))
        .form(&[
            ("category", "lost_contact"),
            ("raised_by", "public"),
            (
                "description",
                "Nobody from the brokerage has replied for three weeks.",
            ),
            ("contact", ""),
            ("concluded_on", ""),
            ("discovered_on", ""),
            ("accept_conditions", "yes"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    assert_security_headers(response.headers(), "receipt page");
    assert!(
        response.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("no-store"),
        "the receipt page must never be cached"
    );
    let page = response.text().await.unwrap();
    let receipt = page
        .split("<p class=\"receipt\" lang=\"en\"><code>")
        .nth(1)
        .and_then(|rest| rest.split("</code>").next())
        .expect("the page shows the receipt");
    assert_eq!(receipt.split('-').count(), 8, "{receipt}");
    assert!(
        page.contains("write it down"),
        "tells the user to write it down"
    );
    assert!(
        page.contains("Monday, 2 March 2026"),
        "states the first-contact date"
    );
    assert!(page.contains("datetime=\"2026-03-02\""));
    assert!(!page.contains("<script"), "no JavaScript");

    let mut db = server.database().await;
    assert_eq!(count(&mut db, "cases").await, 1);
    let mut keys = server.key_store().await;
    assert_eq!(count(&mut keys, "content_keys").await, 1);
}

on_both_engines!(first_contact_is_the_associations_local_date_not_the_utc_date);
async fn first_contact_is_the_associations_local_date_not_the_utc_date(engine: Engine) {
    let server = TestServer::start_on(engine);
    let submit = || async {
        let response = server
            .client()
            .post(server.at("/api/v1/concerns"))
            .json(&valid_concern())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        let body: Value = response.json().await.unwrap();
        body["first_contact"].as_str().unwrap().to_owned()
    };
    // 23:30 on 1 March in Phoenix (UTC-7) is already 2 March in UTC.
    server.set_clock("2026-03-02T06:30:00Z");
    assert_eq!(submit().await, "2026-03-01");
    // Half an hour after local midnight it is 2 March in Phoenix too.
    server.set_clock("2026-03-02T07:30:00Z");
    assert_eq!(submit().await, "2026-03-02");

    let mut db = server.database().await;
    let dates: Vec<String> =
        sqlx::query_scalar("SELECT CAST(first_contact AS TEXT) FROM cases ORDER BY first_contact")
            .fetch_all(&mut db)
            .await
            .unwrap();
    assert_eq!(dates, ["2026-03-01", "2026-03-02"]);
}

on_both_engines!(the_time_zone_is_configuration);
async fn the_time_zone_is_configuration(engine: Engine) {
    let server = TestServer::start_with(crate::support::Options {
        engine,
        edit_config: Box::new(|c| c.replace("America/Phoenix", "Pacific/Kiritimati")),
        // 11:00 UTC on 1 March is 01:00 on 2 March at UTC+14.
        now: "2026-03-01T11:00:00Z".into(),
        ..Default::default()
    });
    let response = server
        .client()
        .post(server.at("/api/v1/concerns"))
        .json(&valid_concern())
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["first_contact"], "2026-03-02");
}

on_both_engines!(the_intake_page_explains_the_service_and_labels_every_field);
async fn the_intake_page_explains_the_service_and_labels_every_field(engine: Engine) {
    let server = TestServer::start_with(crate::support::Options {
        engine,
        edit_config: Box::new(|c| {
            c.replace(
                "Example Association of REALTORS®",
                "Mesa Verde <Association> of REALTORS®",
            )
        }),
        ..Default::default()
    });
    let response = server.client().get(server.at("/")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_security_headers(response.headers(), "intake page");
    let page = response.text().await.unwrap();

    // The association's name is configuration, and escaped like everything else.
    assert!(page.contains("Mesa Verde &#60;Association&#62; of REALTORS®"));
    assert!(!page.contains("<Association>"));
    // What the user must be told before submitting.
    for phrase in [
        "The ombuds will not",
        "investigate",
        "imminent risk of serious harm",
        "the law requires it",
        "public trust violation",
        "willful discrimination",
        "Conditions of use",
        "never try to make the ombuds disclose",
        "any later administrative or legal proceeding",
        "does not count as giving notice to the association",
        "180 days",
        "suspended from the day you get in touch",
        "ethics mediation",
        "formal ethics complaint instead",
    ] {
        assert!(page.contains(phrase), "the page does not say {phrase:?}");
    }
    // No script of any kind, and nothing from another site.
    assert!(!page.contains("<script"));
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "no third-party assets"
    );
    // Every control has a label that points at it.
    for id in [
        "category-transaction_question",
        "category-communication",
        "category-lost_contact",
        "category-conduct",
        "category-commission",
        "raised_by-member",
        "raised_by-client",
        "raised_by-public",
        "description",
        "contact",
        "concluded_on",
        "discovered_on",
        "accept_conditions",
    ] {
        assert!(page.contains(&format!("id=\"{id}\"")), "no control {id}");
        assert!(
            page.contains(&format!("<label for=\"{id}\">")),
            "no label for {id}"
        );
    }
    assert!(page.contains("<form method=\"post\" action=\"/concerns\""));

    let css = server
        .client()
        .get(server.at("/static/style.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(css.status(), 200);
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    assert_security_headers(css.headers(), "stylesheet");
}
