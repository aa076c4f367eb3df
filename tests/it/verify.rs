//! The public certificate check through a real server: the `/verify` page and form, and
//! `POST /api/v1/certificates/verify`, with their security headers.

use ombuds::crypto::certificate::SigningKey;
use serde_json::{Value, json};

use crate::support::{Engine, TestServer, assert_security_headers, on_both_engines};

fn date(text: &str) -> chrono::NaiveDate {
    ombuds::domain::dates::parse_iso_date(text).unwrap()
}

/// A certificate signed with the server's own key.
fn issue(server: &TestServer) -> String {
    let key = SigningKey::load(&server.data_dir().join("signing.key")).unwrap();
    key.issue(
        "Example Association of REALTORS®",
        date("2026-02-02"),
        date("2026-03-13"),
        date("2026-03-16"),
    )
    .unwrap()
    .armoured()
}

async fn post_form(server: &TestServer, certificate: &str) -> (u16, String) {
    post_form_to(server, "/verify", certificate).await
}

async fn post_form_to(server: &TestServer, path: &str, certificate: &str) -> (u16, String) {
    let response = server
        .client()
        .post(server.at(path))
        .form(&[("certificate", certificate)])
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    assert_security_headers(response.headers(), &format!("POST /verify {status}"));
    (status, response.text().await.unwrap())
}

async fn post_json(server: &TestServer, body: &Value) -> (u16, Value) {
    let response = server
        .client()
        .post(server.at("/api/v1/certificates/verify"))
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    assert_security_headers(response.headers(), &format!("JSON verify {status}"));
    (status, response.json().await.unwrap())
}

on_both_engines!(the_page_shows_a_labelled_form_without_script);
async fn the_page_shows_a_labelled_form_without_script(engine: Engine) {
    let server = TestServer::start_on(engine);
    let response = server
        .client()
        .get(server.at("/verify"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_security_headers(response.headers(), "GET /verify");
    let page = response.text().await.unwrap();
    assert!(page.contains("<form method=\"post\" action=\"/verify\">"));
    assert!(page.contains("<label for=\"certificate\">"));
    assert!(page.contains("<textarea id=\"certificate\" name=\"certificate\""));
    assert!(!page.contains("<script"));
    let key = SigningKey::load(&server.data_dir().join("signing.key")).unwrap();
    assert!(page.contains(&key.public_key().fingerprint().to_string()));
}

on_both_engines!(a_genuine_certificate_is_stated_in_plain_words);
async fn a_genuine_certificate_is_stated_in_plain_words(engine: Engine) {
    let server = TestServer::start_on(engine);
    let text = issue(&server);
    let pasted = format!(
        "From the ombuds:\r\n\r\n{}\r\n",
        text.replace('\n', "  \r\n")
    );
    let (status, page) = post_form(&server, &pasted).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("This certificate is genuine and unchanged"));
    assert!(
        page.contains(
            "The Example Association of REALTORS® certifies that informal resolution with its \
             ombuds began on Monday, 2 February 2026 and ended on Friday, 13 March 2026, 40 days \
             counting both dates. Any part of the 180-day filing period still running on those \
             days was suspended, and the countdown resumed on Saturday, 14 March 2026; which \
             days count is for the association&#39;s grievance committee to decide."
        ),
        "{page}"
    );
    assert!(page.contains("Monday, 16 March 2026"), "the issue date");
}

on_both_engines!(a_changed_certificate_is_refused_beside_the_field_with_the_text_kept);
async fn a_changed_certificate_is_refused_beside_the_field_with_the_text_kept(engine: Engine) {
    let server = TestServer::start_on(engine);
    let tampered = issue(&server).replace("Days-Suspended: 40", "Days-Suspended: 90");
    let (status, page) = post_form(&server, &tampered).await;
    assert_eq!(status, 422);
    assert!(page.contains("This certificate could not be confirmed"));
    assert!(page.contains(
        "<p class=\"field-error\" id=\"certificate-error\"><span class=\"visually-hidden\">Error:</span> The signature does not match"
    ), "{page}");
    assert!(page.contains("aria-invalid=\"true\""));
    assert!(
        page.contains("Days-Suspended: 90"),
        "the pasted text is kept"
    );

    let (status, page) = post_form(&server, "   ").await;
    assert_eq!(status, 422);
    assert!(page.contains("Paste the certificate here"), "{page}");

    let (status, page) = post_form(&server, "<script>alert(1)</script>").await;
    assert_eq!(status, 422);
    assert!(
        page.contains("This is not a certificate of the association"),
        "{page}"
    );
    assert!(!page.contains("<script>"), "the pasted text is escaped");
}

on_both_engines!(every_refusal_reads_in_spanish_on_the_spanish_page);
async fn every_refusal_reads_in_spanish_on_the_spanish_page(engine: Engine) {
    let server = TestServer::start_on(engine);
    let genuine = issue(&server);
    let other_key = SigningKey::generate().unwrap();
    let foreign = other_key
        .issue(
            "Example Association of REALTORS®",
            date("2026-02-02"),
            date("2026-03-13"),
            date("2026-03-16"),
        )
        .unwrap()
        .armoured();
    let cut_short = genuine[..genuine.find("-----END").unwrap()].to_owned();
    for (pasted, expected) in [
        (
            genuine.replace("Days-Suspended: 40", "Days-Suspended: 90"),
            "la firma no coincide: el certificado se modificó después de emitirse o no se copió exactamente.".to_owned(),
        ),
        (
            "Hola".to_owned(),
            "no es un certificado de la asociación: ninguna línea dice «-----BEGIN OMBUDS SUSPENSION CERTIFICATE-----» ni «-----BEGIN OMBUDS RESOLUTION CERTIFICATE-----».".to_owned(),
        ),
        (
            cut_short,
            "el certificado está incompleto: no hay una línea END después de su línea BEGIN".to_owned(),
        ),
        (
            format!("{genuine}\n{genuine}"),
            "el texto contiene más de un certificado; verifíquelos de uno en uno.".to_owned(),
        ),
        (
            foreign,
            format!(
                "este certificado se hizo con otra clave (huella {}), no con la que se usó para verificarlo",
                other_key.public_key().fingerprint()
            ),
        ),
    ] {
        let (status, page) = post_form_to(&server, "/verify?lang=es", &pasted).await;
        assert_eq!(status, 422);
        assert!(page.contains("<html lang=\"es\">"));
        let expected = format!(
            "Este texto no es un certificado auténtico y sin cambios de esta asociación: {expected}"
        );
        assert!(page.contains(&expected), "missing {expected:?} in:\n{page}");
        assert!(!page.contains("en inglés"), "{page}");
    }
}

on_both_engines!(the_json_check_answers_fields_or_the_reason);
async fn the_json_check_answers_fields_or_the_reason(engine: Engine) {
    let server = TestServer::start_on(engine);
    let text = issue(&server);

    let (status, out) = post_json(&server, &json!({ "certificate": text })).await;
    assert_eq!(status, 200, "{out}");
    assert_eq!(out["valid"], true);
    assert_eq!(out["kind"], "suspension");
    assert_eq!(out["first_contact"], "2026-02-02");
    assert_eq!(out["termination"], "2026-03-13");
    assert_eq!(out["days_suspended"], 40);
    assert_eq!(out["resumes_on"], "2026-03-14");
    assert_eq!(out["association"], "Example Association of REALTORS®");

    let tampered = text.replace("First-Contact: 2026-02-02", "First-Contact: 2026-01-02");
    let (status, out) = post_json(&server, &json!({ "certificate": tampered })).await;
    assert_eq!(status, 422);
    assert_eq!(out["valid"], false);
    let reason = out["error"].as_str().unwrap();
    assert!(
        reason.starts_with("The signature does not match"),
        "{reason}"
    );
    assert_eq!(out["fields"][0]["field"], "certificate");
    assert_eq!(out["fields"][0]["message"], reason);

    let foreign = SigningKey::generate()
        .unwrap()
        .issue(
            "Other",
            date("2026-02-02"),
            date("2026-02-03"),
            date("2026-02-03"),
        )
        .unwrap()
        .armoured();
    let (status, out) = post_json(&server, &json!({ "certificate": foreign })).await;
    assert_eq!(status, 422);
    assert!(
        out["error"]
            .as_str()
            .unwrap()
            .contains("made with a different key (fingerprint "),
        "{out}"
    );

    let (status, out) = post_json(&server, &json!({ "certificate": 5 })).await;
    assert_eq!(status, 422);
    assert_eq!(out["fields"][0]["field"], "certificate");
    let (status, out) = post_json(&server, &json!({})).await;
    assert_eq!(status, 422, "{out}");
    let (status, out) = post_json(&server, &json!({ "certificate": text, "extra": 1 })).await;
    assert_eq!(status, 400);
    assert!(out["error"].as_str().unwrap().contains("extra"));
}

on_both_engines!(the_json_check_refuses_other_content_types_and_huge_bodies);
async fn the_json_check_refuses_other_content_types_and_huge_bodies(engine: Engine) {
    let server = TestServer::start_on(engine);
    let response = server
        .client()
        .post(server.at("/api/v1/certificates/verify"))
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 415);
    assert_security_headers(response.headers(), "415");

    let huge = "x".repeat(100 * 1024);
    let response = server
        .client()
        .post(server.at("/api/v1/certificates/verify"))
        .json(&json!({ "certificate": huge }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
}
