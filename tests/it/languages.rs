//! The public pages in Spanish over plain HTTP: chosen only by `?lang=es`, carried in links and
//! form actions, with errors and receipts in the chosen language, and no cookie.

use crate::support::{Engine, TestServer, on_both_engines};

on_both_engines!(spanish_is_chosen_by_the_link_alone_and_carried_through_the_forms);
async fn spanish_is_chosen_by_the_link_alone_and_carried_through_the_forms(engine: Engine) {
    let server = TestServer::start_on(engine);
    let client = server.client();

    // The default is English, whatever the browser prefers; the header offers Spanish.
    let page = client
        .get(server.at("/"))
        .header("accept-language", "es-MX,es;q=0.9")
        .send()
        .await
        .unwrap();
    assert!(page.headers().get("set-cookie").is_none());
    let html = page.text().await.unwrap();
    assert!(html.contains("<html lang=\"en\">"), "{html}");
    assert!(html.contains("href=\"/?lang=es\" lang=\"es\" hreflang=\"es\">Español</a>"));

    // In Spanish, every link and form keeps the language.
    let html = client
        .get(server.at("/?lang=es"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<html lang=\"es\">"));
    assert!(html.contains("<h1>Presente su inquietud al ombuds</h1>"));
    assert!(html.contains("action=\"/concerns?lang=es\""));
    assert!(html.contains("href=\"/followup?lang=es\""));
    assert!(html.contains("Una disputa sobre una comisión"));
    assert!(html.contains("href=\"/\" lang=\"en\" hreflang=\"en\">English</a>"));

    // An incomplete form comes back in Spanish, with the errors announced and tied to fields.
    let response = client
        .post(server.at("/concerns?lang=es"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("description=")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("<title>Error: Presentar una inquietud"));
    assert!(html.contains("role=\"alert\""));
    assert!(html.contains("Su inquietud todavía no se ha enviado"));
    assert!(html.contains("Elija el tipo de inquietud."));
    assert!(html.contains("aria-invalid=\"true\""));
    assert!(html.contains("description-error"));

    // A complete one gives the receipt page in Spanish, dates in Spanish words.
    let response = client
        .post(server.at("/concerns?lang=es"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("category=commission&raised_by=client&description=La+comisi%C3%B3n+cambi%C3%B3&accept_conditions=yes")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    assert!(response.headers().get("set-cookie").is_none());
    let html = response.text().await.unwrap();
    assert!(html.contains("El ombuds recibió su inquietud"));
    assert!(html.contains("lunes, 2 de marzo de 2026"), "{html}");
    assert!(html.contains("href=\"/followup?lang=es\""));

    // Read back with the receipt: without the transaction's date, the deadline's one sentence
    // says how to work it out, in Spanish.
    let receipt = html
        .split("<p class=\"receipt\" lang=\"en\"><code>")
        .nth(1)
        .and_then(|rest| rest.split("</code>").next())
        .unwrap()
        .to_owned();
    let thread = server.followup(&receipt, "?lang=es").await;
    assert_eq!(thread["deadline"]["status"], "unknown");
    assert_eq!(
        thread["deadline"]["explanation"],
        serde_json::json!([
            "Sin la fecha en que terminó la transacción o el hecho, el plazo no se puede calcular aquí. Son 180 días a partir de la más tardía entre esa fecha y el día en que se pudieron conocer los hechos con una diligencia razonable, más los días de resolución informal transcurridos hasta ahora, del lunes 2026-03-02 al lunes 2026-03-02 (1 día; los días de esa fecha más tardía o anteriores no cuentan)."
        ])
    );

    // Any other value, or none, is English.
    for path in ["/followup?lang=fr", "/verify", "/verify?lang=EN"] {
        let html = client
            .get(server.at(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("<html lang=\"en\">"), "{path}");
    }
    let html = client
        .get(server.at("/verify?lang=es"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<h1>Verificar un certificado de suspensión</h1>"));
    assert!(html.contains("action=\"/verify?lang=es\""));
}
