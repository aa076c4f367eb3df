//! The termination notice in English and in Spanish through the real server: recorded once,
//! read through the follow-up with the receipt in the language the reader's link asks for
//! (`?lang=es`), with the same dates and the same signed certificate in both.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Engine, Options, TestServer, on_both_engines};

/// The certificate block of a notice, from its BEGIN line to the end of its END line.
fn certificate_block(text: &str) -> String {
    let start = text
        .find("-----BEGIN OMBUDS SUSPENSION CERTIFICATE-----")
        .unwrap_or_else(|| panic!("no certificate in:\n{text}"));
    let end_marker = "-----END OMBUDS SUSPENSION CERTIFICATE-----";
    let end = text.find(end_marker).unwrap() + end_marker.len();
    text[start..end].to_owned()
}

/// Words joined by single spaces, so that wrapped lines compare as sentences.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

on_both_engines!(the_notice_reads_in_spanish_with_the_same_dates_and_certificate);
async fn the_notice_reads_in_spanish_with_the_same_dates_and_certificate(engine: Engine) {
    // the worked example of docs/RULES.md: first contact 2 February 2026, termination 13 March 2026.
    let server = TestServer::start_with(Options {
        engine,
        now: "2026-02-02T19:00:00Z".into(),
        ..Options::default()
    });
    let admin = server.admin().await;
    let secret = server.enrol_staff(&admin, "olivia", "ombuds").await;
    let submitted: Value = server
        .client()
        .post(server.at("/api/v1/concerns"))
        .json(&json!({
            "category": "commission",
            "raised_by": "client",
            "description": "La comisión cambió después del cierre.",
            "concluded_on": "2026-01-10",
            "accept_conditions": true
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let receipt = submitted["receipt"].as_str().unwrap().to_owned();
    server.set_clock("2026-03-13T20:00:00Z");
    let ombuds = server.sign_in("olivia", &secret).await;
    let cases: Value = server
        .as_staff(&ombuds, Method::GET, "/api/v1/cases")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = cases[0]["id"].as_str().unwrap().to_owned();
    let recorded: Value = server
        .as_staff(
            &ombuds,
            Method::POST,
            &format!("/api/v1/cases/{id}/dates/termination"),
        )
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(recorded["date"], "2026-03-13");
    let issued = recorded["certificate"].as_str().unwrap().to_owned();

    // The API gives the version the link asks for; English without one.
    let thread = |query: &'static str| {
        let server = &server;
        let receipt = receipt.clone();
        async move {
            let thread = server.followup(&receipt, query).await;
            let letters = thread["letters"].as_array().unwrap();
            assert_eq!(letters.len(), 1, "{thread}");
            let said = thread["messages"].as_array().unwrap().last().unwrap()["text"]
                .as_str()
                .unwrap()
                .to_owned();
            (
                letters[0].clone(),
                said,
                thread["deadline"]["explanation"].clone(),
            )
        }
    };
    let (english, said_en, steps_en) = thread("").await;
    let (spanish, said_es, steps_es) = thread("?lang=es").await;

    // The deadline's steps in the reader's language, the same number of them.
    assert_eq!(
        steps_en[0],
        "The 180 days count from Saturday 2026-01-10, the date the transaction or event concluded (no later date of discovery was given); day 1 is Sunday 2026-01-11."
    );
    assert_eq!(
        steps_es[0],
        "Los 180 días se cuentan a partir del sábado 2026-01-10, la fecha en que terminó la transacción o el hecho (no se indicó una fecha posterior en que se conocieran los hechos); el día 1 es el domingo 2026-01-11."
    );
    assert_eq!(
        steps_es.as_array().map(Vec::len),
        steps_en.as_array().map(Vec::len)
    );

    // The service's reply announcing the notice reads in the same language as the page, and in
    // English on the console.
    assert!(said_en.starts_with("Informal resolution with the ombuds ended on 2026-03-13."));
    assert!(
        said_es.starts_with("La resolución informal con el ombuds terminó el 2026-03-13."),
        "{said_es}"
    );
    assert!(!said_es.contains("ombuds-letter-languages"));
    let case: Value = server
        .as_staff(&ombuds, Method::GET, &format!("/api/v1/cases/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let console_said = case["messages"].as_array().unwrap().last().unwrap()["text"]
        .as_str()
        .unwrap();
    assert!(console_said.starts_with("Informal resolution with the ombuds ended"));
    assert_eq!(english["lang"], "en");
    assert_eq!(spanish["lang"], "es");
    assert_eq!(english["id"], spanish["id"], "one letter, two versions");
    assert_eq!(spanish["dated"], "2026-03-13");
    assert_eq!(spanish["kept_until"], english["kept_until"]);
    let english_text = english["text"].as_str().unwrap();
    let spanish_text = spanish["text"].as_str().unwrap();
    let (en, es) = (flat(english_text), flat(spanish_text));
    for needed in [
        "INFORMAL RESOLUTION HAS ENDED",
        "First contact with the ombuds: Monday, 2 February 2026",
        "Informal resolution ended: Friday, 13 March 2026",
        "about this matter is Tuesday, 18 August 2026.",
    ] {
        assert!(
            en.contains(needed),
            "missing {needed:?} in:\n{english_text}"
        );
    }
    for needed in [
        "Programa de ombuds",
        "Fecha de este aviso: viernes, 13 de marzo de 2026",
        "LA RESOLUCIÓN INFORMAL HA TERMINADO",
        "Primer contacto con el ombuds: lunes, 2 de febrero de 2026",
        "Fin de la resolución informal: viernes, 13 de marzo de 2026",
        "Duración de la resolución informal: 40 (ambas fechas incluidas)",
        "Reanudación de la cuenta: sábado, 14 de marzo de 2026",
        "Se suman a los 180 todos los días de la suspensión (40 días).",
        "queja ética formal o una solicitud de arbitraje sobre este asunto vence el martes, 18 de agosto de 2026.",
        "quedarán 158 días, contando ese día.",
        "mediación ética",
        "Certificado de estas fechas",
    ] {
        assert!(
            es.contains(needed),
            "missing {needed:?} in:\n{spanish_text}"
        );
    }
    assert!(!spanish_text.contains("Your choices now"), "{spanish_text}");
    assert!(!spanish_text.contains("(missing text)"), "{spanish_text}");

    // The same certificate, byte for byte, in both; it is the one issued, and it verifies.
    let block = certificate_block(spanish_text);
    assert_eq!(block, certificate_block(english_text));
    assert_eq!(block.trim_end(), issued.trim_end());
    let verified = server
        .client()
        .post(server.at("/api/v1/certificates/verify"))
        .json(&json!({ "certificate": spanish_text }))
        .send()
        .await
        .unwrap();
    assert_eq!(verified.status(), 200);
    let verified: Value = verified.json().await.unwrap();
    assert_eq!(verified["valid"], true, "{verified}");

    // The follow-up page shows the Spanish notice, marked as Spanish, with no "English only" note.
    let page = server
        .client()
        .post(server.at("/followup?lang=es"))
        .form(&[("receipt", receipt.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("<pre class=\"letter-text\" lang=\"es\">"),
        "{html}"
    );
    assert!(html.contains("LA RESOLUCIÓN INFORMAL HA TERMINADO"));
    assert!(html.contains("Days-Suspended: 40"));
    assert!(!html.contains("solo está en inglés"), "{html}");
    // The page's own deadline section explains itself in Spanish too.
    assert!(
        html.contains("<summary id=\"deadline-how\">Cómo se calculó</summary>"),
        "{html}"
    );
    assert!(
        html.contains(
            "<ol id=\"deadline-steps\"><li>Los 180 días se cuentan a partir del sábado 2026-01-10,"
        ),
        "{html}"
    );
    let html = server
        .client()
        .post(server.at("/followup"))
        .form(&[("receipt", receipt.as_str())])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<pre class=\"letter-text\" lang=\"en\">"));
    assert!(html.contains("INFORMAL RESOLUTION HAS ENDED"));

    // The printable page in each language.
    let letter_id = spanish["id"].as_str().unwrap();
    let printable = |query: &'static str| {
        let server = &server;
        let receipt = receipt.clone();
        async move {
            let response = server
                .client()
                .post(server.at(&format!("/followup/letters/{letter_id}{query}")))
                .form(&[("receipt", receipt.as_str())])
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            response.text().await.unwrap()
        }
    };
    let es_page = printable("?lang=es").await;
    assert!(es_page.contains("<html lang=\"es\">"), "{es_page}");
    assert!(es_page.contains("<h1>La resolución informal ha terminado</h1>"));
    assert!(es_page.contains("<time datetime=\"2026-03-13\">viernes,\u{a0}13\u{a0}de\u{a0}marzo\u{a0}de\u{a0}2026</time>"), "{es_page}");
    assert!(
        !es_page.contains("<ol lang=\"en\">"),
        "no step is left in English"
    );
    assert!(
        es_page.contains("<li>Los 180 días se cuentan a partir del sábado\u{a0}2026-01-10,"),
        "{es_page}"
    );
    assert!(es_page.contains("Days-Suspended: 40"));
    let en_page = printable("").await;
    assert!(en_page.contains("<html lang=\"en\">"));
    assert!(en_page.contains("<h1>Informal resolution has ended</h1>"));

    // Staff see the English version, never the stored bundle: in the answer to recording the
    // termination and on the console's printable page.
    assert!(!recorded.to_string().contains("ombuds-letter-languages"));
    let console = server
        .as_staff(
            &ombuds,
            Method::GET,
            &format!("/console/letters/{letter_id}"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(console.status(), 200);
    let console = console.text().await.unwrap();
    assert!(console.contains("<html lang=\"en\">"), "{console}");
    assert!(!console.contains("ombuds-letter-languages"));
    // With ?lang=es the ombuds prints the Spanish version (issue #19: it printed English).
    let console_es = server
        .as_staff(
            &ombuds,
            Method::GET,
            &format!("/console/letters/{letter_id}?lang=es"),
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(console_es.contains("<html lang=\"es\">"), "{console_es}");
}
