//! The intake round trip through a real server: page, JSON and HTML submissions, what the
//! database holds afterwards, and which calendar day counts as first contact.

use serde_json::Value;

use crate::support::{
    Engine, TestServer, assert_security_headers, count, on_both_engines, receipt_on, valid_concern,
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
    let answer = server
        .send_form(
            "",
            &[
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
            ],
        )
        .await;
    let page = &answer.page;
    let receipt = answer.receipt();
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

on_both_engines!(
    the_receipt_page_survives_reloads_and_the_language_link_and_a_form_sent_twice_stores_one_case
);
/// Issue 21, item 2: the form is answered with a redirect (Post/Redirect/Get) to `/receipt`,
/// which shows the receipt from a sealed cookie for ten minutes: reloading it or switching its
/// language shows the same receipt and stores nothing. The same form sent again (a reload
/// that posts again, a double click) finds the first case. No address, header value or log
/// line carries the receipt.
async fn the_receipt_page_survives_reloads_and_the_language_link_and_a_form_sent_twice_stores_one_case(
    engine: Engine,
) {
    let server = TestServer::start_on(engine);
    let token = server.form_token("").await;
    let description = "The listing agent kept my deposit after the sale fell through.";
    let fields = [
        ("category", "conduct"),
        ("raised_by", "client"),
        ("description", description),
        ("concluded_on", "2026-02-20"),
        ("accept_conditions", "yes"),
        ("form_token", token.as_str()),
    ];
    let first = server.send_form("", &fields).await;
    let receipt = first.receipt();
    assert_eq!(first.location, "/receipt");
    // The cookie: for the receipt page only, never to a script or another site's request,
    // kept in the browser's memory only (no expiry date), and sealed.
    for part in ["; Path=/receipt", "; HttpOnly", "; SameSite=Strict"] {
        assert!(first.set_cookie.contains(part), "{}", first.set_cookie);
    }
    assert!(!first.set_cookie.contains("Max-Age") && !first.set_cookie.contains("Expires"));
    assert!(
        first.cookie.starts_with("ombuds_receipt="),
        "{}",
        first.cookie
    );
    for word in receipt.split('-') {
        assert!(
            !first.set_cookie.contains(word),
            "{} shows {word}",
            first.set_cookie
        );
    }
    let mut db = server.database().await;
    assert_eq!(count(&mut db, "cases").await, 1);

    // Reloaded twice: the same receipt, nothing more stored.
    for _ in 0..2 {
        let again = server.receipt_page("/receipt", &first.cookie).await;
        assert_eq!(receipt_on(&again).as_deref(), Some(receipt.as_str()));
    }
    assert_eq!(count(&mut db, "cases").await, 1);

    // The language link stays on the page, and the page keeps the receipt.
    assert!(
        first
            .page
            .contains("href=\"/receipt?lang=es\" lang=\"es\" hreflang=\"es\""),
        "{}",
        first.page
    );
    let spanish = server.receipt_page("/receipt?lang=es", &first.cookie).await;
    assert!(spanish.contains("<html lang=\"es\">"));
    assert!(spanish.contains("El ombuds recibió su inquietud"));
    assert!(spanish.contains("lunes, 2 de marzo de 2026"), "{spanish}");
    assert_eq!(receipt_on(&spanish).as_deref(), Some(receipt.as_str()));
    assert!(spanish.contains("href=\"/receipt\" lang=\"en\" hreflang=\"en\""));
    assert!(spanish.contains("action=\"/receipt?lang=es\""));
    assert_eq!(count(&mut db, "cases").await, 1);

    // The same form sent again (as a reload of the form's answer posts it): the same receipt,
    // still one case. Twice at once (a double click): the same.
    let again = server.send_form("", &fields).await;
    assert_eq!(again.receipt(), receipt);
    let (a, b) = tokio::join!(server.send_form("", &fields), server.send_form("", &fields));
    assert_eq!(
        (a.receipt(), b.receipt()),
        (receipt.clone(), receipt.clone())
    );
    assert_eq!(count(&mut db, "cases").await, 1);

    // The receipt opens the case.
    let thread = server.followup(&receipt, "").await;
    assert_eq!(thread["concern"]["description"], description);
    assert_eq!(thread["first_contact"], "2026-03-02");

    // The same form with other content is another concern; so is another form.
    let mut changed = fields;
    changed[2].1 = "A second, different concern from the same page.";
    let other = server.send_form("", &changed).await;
    assert_ne!(other.receipt(), receipt);
    let fresh = server.form_token("").await;
    let mut refilled = fields;
    refilled[5].1 = fresh.as_str();
    let another = server.send_form("", &refilled).await;
    assert_ne!(another.receipt(), receipt);
    assert_eq!(count(&mut db, "cases").await, 3);

    // "Hide the receipt": the cookie is removed and the intake page comes back.
    let hidden = server
        .client()
        .post(server.at("/receipt?lang=es"))
        .header("cookie", &first.cookie)
        .form(&Vec::<(&str, &str)>::new())
        .send()
        .await
        .unwrap();
    assert_eq!(hidden.status(), 303);
    assert_eq!(hidden.headers()["location"], "/?lang=es");
    let removed = hidden.headers()["set-cookie"].to_str().unwrap();
    assert!(
        removed.starts_with("ombuds_receipt=;") && removed.contains("Max-Age=0"),
        "{removed}"
    );

    // Ten minutes on, the page says there is no receipt to show, and removes the cookie.
    server.advance(10 * 60);
    let late = server
        .client()
        .get(server.at("/receipt"))
        .header("cookie", &first.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(late.status(), 404);
    assert!(
        late.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    let late = late.text().await.unwrap();
    assert!(late.contains("This page has no receipt to show"), "{late}");
    assert!(receipt_on(&late).is_none());
    // Without a cookie, the same page, in Spanish too.
    let none = server
        .client()
        .get(server.at("/receipt?lang=es"))
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), 404);
    assert!(none.headers().get("set-cookie").is_none());
    assert!(
        none.text()
            .await
            .unwrap()
            .contains("Esta página no tiene ningún recibo")
    );
    // The same form sent again later still finds its case, and shows the receipt afresh.
    let later = server.send_form("", &fields).await;
    assert_eq!(later.receipt(), receipt);
    assert_eq!(count(&mut db, "cases").await, 3);

    assert!(
        !server.logs().contains(&receipt),
        "the log shows the receipt"
    );
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

/// Issue 21, item 9: the page's words against the programme's own description (the services,
/// contacting the member concerned, arbitration with the professional standards contact, what
/// is held until closing), in both languages, and the link to the form right under the heading.
#[tokio::test]
async fn the_intake_page_names_every_route_and_what_is_held_until_closing() {
    let server = TestServer::start_with(crate::support::Options {
        engine: Engine::Sqlite,
        edit_config: Box::new(|c| {
            c.replace(
                "# [association.professional_standards]\n# name = \"Professional Standards Administrator\"\n# phone = \"555-0110\"",
                "[association.professional_standards]\nname = \"Pat <Standards> Admin\"\nnames = { es = \"Pat <Normas> Admin\" }\nphone = \"555-0110\"",
            )
        }),
        ..Default::default()
    });
    let get = |path: &'static str| {
        let server = &server;
        async move {
            let response = server.client().get(server.at(path)).send().await.unwrap();
            assert_eq!(response.status(), 200);
            response.text().await.unwrap()
        }
    };
    for ((path, says, said_before), contact) in [
        (
            "/",
            [
                "Go straight to the form",
                "tell you about the other ways to settle a complaint or have the rules enforced",
                "real estate regulator",
                "contact the REALTOR® member your concern is about",
                "without telling them who you are unless you agree",
                "A dispute over a commission",
                "can go to arbitration",
                "professional standards staff explain each of these routes",
                "your concern, your contact details and the messages you and the ombuds exchange",
                "is kept, encrypted, until the ombuds closes the matter, and is destroyed then",
            ],
            "keeps no records",
        ),
        (
            "/?lang=es",
            [
                "Ir directamente al formulario",
                "informarle de las otras vías para resolver una queja",
                "la autoridad reguladora inmobiliaria del estado",
                "comunicarse con el miembro REALTOR® al que se refiere su inquietud",
                "sin decirle quién es usted salvo que usted lo acepte",
                "Una disputa por una comisión",
                "puede ir a arbitraje",
                "personal de normas profesionales de la asociación explica",
                "su inquietud, sus datos de contacto y los mensajes",
                "se guarda cifrado hasta que el ombuds cierra el caso, y entonces se destruye",
            ],
            "no guarda registros",
        ),
    ]
    .into_iter()
    .zip([
        "Pat &#60;Standards&#62; Admin",
        "Pat &#60;Normas&#62; Admin",
    ]) {
        let page = get(path).await;
        for phrase in says {
            assert!(page.contains(phrase), "{path} does not say {phrase:?}");
        }
        assert!(
            !page.contains(said_before),
            "{path} still says {said_before:?}"
        );
        // The contact is configuration, escaped, named in the page's language where a name
        // is given for it; only what is configured is shown.
        assert!(page.contains(contact), "{path}");
        assert!(page.contains("href=\"tel:555-0110\""), "{path}");
        assert!(!page.contains("standards@example.org"), "{path}");
        // The link to the form is the first thing after the heading, and leads to it.
        let after_heading = page.split("</h1>").nth(1).unwrap().trim_start();
        assert!(
            after_heading.starts_with("<p class=\"jump\"><a href=\"#form-heading\">"),
            "{path}: {}",
            &after_heading[..after_heading.len().min(200)]
        );
        assert!(
            page.contains("<h2 id=\"form-heading\" tabindex=\"-1\">"),
            "{path}"
        );
    }

    // Without the setting, arbitration is still named, and no contact is made up.
    let plain = TestServer::start_on(Engine::Sqlite);
    let page = plain
        .client()
        .get(plain.at("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("can go to arbitration"));
    assert!(!page.contains("professional standards staff explain"));
    assert!(!page.contains("id=\"professional-standards\""));
}

on_both_engines!(the_page_without_a_receipt_points_to_contacts_only_when_there_are_some);
async fn the_page_without_a_receipt_points_to_contacts_only_when_there_are_some(engine: Engine) {
    let with = TestServer::start_on(engine);
    let page = gone_page(&with, "/receipt").await;
    assert!(page.contains("at the contacts below"), "{page}");
    assert!(page.contains("555-0100"), "the footer lists the telephone");
    drop(with);

    let without = TestServer::start_with(crate::support::Options {
        engine,
        edit_config: Box::new(|c| {
            c.replace("phone = \"555-0100\"\n", "")
                .replace("email = \"ombuds@example.org\"\n", "")
        }),
        ..Default::default()
    });
    for (path, says) in [
        ("/receipt", "send your concern again for a new receipt"),
        ("/receipt?lang=es", "envíe su inquietud de nuevo"),
    ] {
        let page = gone_page(&without, path).await;
        assert!(page.contains(says), "{path}: {page}");
        assert!(
            !page.contains("contacts below") && !page.contains("contacto de abajo"),
            "{path} points to contacts the footer does not have: {page}"
        );
        assert!(!page.contains("555-0100") && !page.contains("mailto:"));
    }
}

/// `GET {path}` without a receipt cookie: the 404 page saying there is no receipt to show.
async fn gone_page(server: &TestServer, path: &str) -> String {
    let answer = server.client().get(server.at(path)).send().await.unwrap();
    assert_eq!(answer.status(), 404, "{path}");
    answer.text().await.unwrap()
}
