//! The public pages in Spanish over plain HTTP: chosen only by `?lang=es`, carried in links and
//! form actions, with errors and receipts in the chosen language, and no cookie but the receipt
//! page's own.

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

    // A complete one leads to the receipt page in Spanish, dates in Spanish words. Its one
    // cookie is the receipt page's own.
    let answer = server
        .send_form(
            "?lang=es",
            &[
                ("category", "commission"),
                ("raised_by", "client"),
                ("description", "La comisión cambió"),
                ("accept_conditions", "yes"),
            ],
        )
        .await;
    assert!(
        answer.set_cookie.contains("Path=/receipt;"),
        "{}",
        answer.set_cookie
    );
    let html = &answer.page;
    assert!(html.contains("El ombuds recibió su inquietud"));
    assert!(html.contains("lunes, 2 de marzo de 2026"), "{html}");
    assert!(html.contains("href=\"/followup?lang=es\""));

    // Read back with the receipt: without the transaction's date, the deadline's one sentence
    // says how to work it out, in Spanish.
    let receipt = answer.receipt();
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
    assert!(html.contains("<h1>Verificar un certificado</h1>"));
    assert!(html.contains("action=\"/verify?lang=es\""));
}

/// Text as the pages write it (askama escapes these five).
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

on_both_engines!(every_language_words_the_pages_and_their_refusals_from_its_own_file);
async fn every_language_words_the_pages_and_their_refusals_from_its_own_file(engine: Engine) {
    use ombuds::domain::phrase::{Arg, Phrase};
    use ombuds::i18n::Lang;

    // 2026-02-30 is refused naming its month, in the reader's language.
    let february_30 = || {
        Phrase::new("problem.date_no_such_day")
            .with("text", "2026-02-30")
            .with("month", Arg::Month(2))
            .with("year", 2026)
            .with("days", 28u32)
    };
    let server = TestServer::start_on(engine);
    let client = server.client();
    let get = |path: String| {
        let client = client.clone();
        let url = server.at(&path);
        async move {
            let response = client.get(url).send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    for lang in Lang::ALL {
        let q = lang.query();
        for path in ["/", "/followup", "/verify"] {
            let (status, html) = get(format!("{path}{q}")).await;
            assert_eq!(status, 200, "{path}{q}");
            assert!(html.contains(&format!("<html lang=\"{}\">", lang.code())));
            assert!(html.contains(&escaped(lang.t("base.skip"))), "{path}{q}");
            assert!(!html.contains("(missing text)"), "{path}{q}");
        }

        // Every problem with the form, each in this language as its file words it; a month's
        // name in the language's own word.
        let response = client
            .post(server.at(&format!("/concerns{q}")))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("category=gossip&description=&concluded_on=2026-02-30")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422);
        let html = response.text().await.unwrap();
        let codes = "transaction_question, communication, lost_contact, conduct, commission";
        for problem in [
            Phrase::new("problem.unknown_category").with("codes", codes),
            Phrase::new("problem.choose_raised_by"),
            Phrase::new("problem.describe_concern"),
            february_30(),
            Phrase::new("problem.accept_conditions"),
        ] {
            let said = lang.say(&problem);
            assert!(!said.contains('{') && !said.contains("(missing"), "{said}");
            assert!(html.contains(&escaped(&said)), "{lang:?}: {said}\n{html}");
        }
        assert!(html.contains(&escaped(&lang.f("intake.errors_many", &[("n", &5)]))));
        assert!(!html.contains("(missing text)"));

        // A receipt of the wrong length, and an address with nothing at it.
        let response = client
            .post(server.at(&format!("/followup{q}")))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("receipt=only+two")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422);
        let html = response.text().await.unwrap();
        let said = lang.say(
            &Phrase::new("followup.receipt_word_count")
                .with("words", 8u32)
                .with("count", 2u32),
        );
        assert!(html.contains(&escaped(&said)), "{lang:?}: {said}");
        let (status, html) = get(format!("/nowhere{q}")).await;
        assert_eq!(status, 404);
        assert!(html.contains(&escaped(lang.t("error.heading.not_found"))));
        assert!(html.contains(&escaped(lang.t("error.not_found"))));
        assert!(html.contains(&format!("<html lang=\"{}\">", lang.code())));
    }

    // The same checks, with the words written out: English as before the wording moved, and
    // Spanish.
    let (_, english) = get("/nowhere".into()).await;
    assert!(english.contains("There is nothing at this address."));
    let (_, spanish) = get("/nowhere?lang=es".into()).await;
    assert!(spanish.contains("No hay ninguna página en esta dirección."));
    assert_eq!(
        Lang::En.say(&february_30()),
        "2026-02-30 is not a real calendar date: February 2026 has 28 days"
    );
    assert_eq!(
        Lang::Es.say(&february_30()),
        "2026-02-30 no es una fecha real del calendario: febrero de 2026 tiene 28 días."
    );
}
