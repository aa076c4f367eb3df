//! A complaint already filed and referred to the ombuds, logged as a contact (#20 item 7,
//! docs/RULES.md "A complaint already filed"): the log-contact form and the API mark it at once,
//! and the case then tells no deadline story, on the case page and in the case API.

use reqwest::Method;
use serde_json::json;

use crate::support::{Engine, TestServer, on_both_engines};

on_both_engines!(a_referred_complaint_is_marked_when_it_is_logged);

async fn a_referred_complaint_is_marked_when_it_is_logged(engine: Engine) {
    let server = TestServer::start_on(engine);
    let admin = server.admin().await;
    let ombuds = server.staff(&admin, "olga", "ombuds").await;

    // Through the API: the flag is kept, and no deadline is computed for the case.
    let contact = json!({
        "channel": "phone", "category": "conduct", "raised_by": "member",
        "description": "Referred by professional standards", "first_contact": "2026-02-27",
        "concluded_on": "2026-01-10", "conditions_read": true, "complaint_filed": true,
    });
    let (status, created) = server
        .api(
            &ombuds,
            Method::POST,
            "/api/v1/cases",
            Some(contact.clone()),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap();
    let (_, case) = server
        .api(&ombuds, Method::GET, &format!("/api/v1/cases/{id}"), None)
        .await;
    assert_eq!(case["complaint_filed"], true);
    assert!(case["deadline"].is_null(), "{}", case["deadline"]);

    // Not a boolean: refused, naming the field, and nothing is stored.
    let mut bad = contact.clone();
    bad["complaint_filed"] = json!("yes");
    let (status, refused) = server
        .api(&ombuds, Method::POST, "/api/v1/cases", Some(bad))
        .await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["fields"][0]["field"], "complaint_filed");
    let (_, cases) = server
        .api(&ombuds, Method::GET, "/api/v1/cases", None)
        .await;
    assert_eq!(cases.as_array().unwrap().len(), 1);

    // Through the form: the box marks it, and the case page says no deadline is suspended.
    let logged = server
        .post_form(
            &ombuds,
            "/console/cases",
            &[
                ("conditions_read", "yes"),
                ("channel", "walk_in"),
                ("category", "conduct"),
                ("raised_by", "client"),
                ("description", "Referred complaint, walk-in"),
                ("first_contact", "2026-02-27"),
                ("concluded_on", "2026-01-10"),
                ("complaint_filed", "yes"),
            ],
        )
        .await;
    assert_eq!(logged.status(), 303);
    let location = logged.headers()["location"].to_str().unwrap().to_owned();
    let page = server
        .client()
        .get(server.at(&location))
        .header("cookie", &ombuds.cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("A formal complaint was already filed: no filing deadline is suspended"),
        "{page}"
    );
    assert!(page.contains(r#"id="complaint_filed" name="complaint_filed" value="yes" checked"#));

    // A contact logged without the box is an ordinary case with a deadline.
    let mut plain = contact;
    plain["complaint_filed"] = json!(false);
    let (_, created) = server
        .api(&ombuds, Method::POST, "/api/v1/cases", Some(plain))
        .await;
    let (_, case) = server
        .api(
            &ombuds,
            Method::GET,
            &format!("/api/v1/cases/{}", created["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(case["complaint_filed"], false);
    assert!(case["deadline"].is_object());
}
