//! The resolution certificate (issue #20, item 2), through a real server on both engines: a
//! successful close of a case whose plan every party agreed issues a signed certificate of the
//! first-contact and agreement dates to the person who raised the concern, as a letter they read
//! with their receipt after the close; `/verify` (page and JSON) and `ombuds certificate verify`
//! explain it and refuse a changed copy; the letter and its key are destroyed after
//! `[letters] certificate_days`; a caller's certificate waits on the console's letters page to
//! be printed; a close without an agreed plan issues nothing; a bad `certificate_days` stops
//! the service naming the setting.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::cli::Cli;
use crate::support::{Engine, Options, Session, TestServer, count, on_both_engines, run};

const CONCERN: &str = "CANARY-resolution-concern-5b1d The agent kept my deposit.";
const TERMS: &str = "CANARY-resolution-terms-93ce The agent returns the deposit by Friday.";
const CALLER_ADDRESS: &str = "14 CANARY-resolution-street, Springfield";

/// A server on `engine` that sweeps every second and keeps a certificate's letter 3 days.
fn server(engine: Engine) -> TestServer {
    TestServer::start_with(Options {
        engine,
        edit_config: Box::new(|c| {
            c.replace("sweep_interval_seconds = 60", "sweep_interval_seconds = 1")
                .replace("certificate_days = 30", "certificate_days = 3")
        }),
        ..Options::default()
    })
}

/// The certificate block of a letter's text.
fn certificate_in(text: &str) -> String {
    let begin = text.find("-----BEGIN").unwrap();
    let end = text.find("-----END").unwrap();
    let end = end + text[end..].find('\n').unwrap_or(text.len() - end);
    format!("{}\n", &text[begin..end])
}

/// Writes the plan of case `id` as `ombuds`.
async fn write_plan(server: &TestServer, ombuds: &Session, id: &str) {
    let (status, written) = server
        .api(
            ombuds,
            Method::PUT,
            &format!("/api/v1/cases/{id}/plan"),
            Some(json!({ "terms": TERMS })),
        )
        .await;
    assert_eq!(status, 200, "{written}");
}

/// Records, as `ombuds`, that `party` accepted version 1 of the plan by telephone on `on`; the
/// agreement date the answer gives (`Null` while a party has not accepted).
async fn accepted_by_phone(
    server: &TestServer,
    ombuds: &Session,
    id: &str,
    party: u32,
    on: &str,
) -> Value {
    let (status, answered) = server
        .api(
            ombuds,
            Method::POST,
            &format!("/api/v1/cases/{id}/plan/answers"),
            Some(json!({
                "party": party, "version": 1, "answer": "accepted", "channel": "phone", "on": on
            })),
        )
        .await;
    assert_eq!(status, 200, "{answered}");
    answered["agreed_on"].clone()
}

async fn close(server: &TestServer, ombuds: &Session, id: &str, outcome: &str) -> (u16, Value) {
    server
        .api(
            ombuds,
            Method::POST,
            &format!("/api/v1/cases/{id}/close"),
            Some(json!({ "outcome": outcome })),
        )
        .await
}

/// The follow-up page a receipt opens, in `lang`: its status and text.
async fn followup_page(server: &TestServer, receipt: &str, lang: &str) -> (u16, String) {
    let answer = server
        .client()
        .post(server.at(&format!("/followup?lang={lang}")))
        .form(&[("receipt", receipt)])
        .send()
        .await
        .unwrap();
    (answer.status().as_u16(), answer.text().await.unwrap())
}

/// `/verify` in `lang` with `certificate` pasted: the status and the page.
async fn verify_page(server: &TestServer, certificate: &str, lang: &str) -> (u16, String) {
    let answer = server
        .client()
        .post(server.at(&format!("/verify?lang={lang}")))
        .form(&[("certificate", certificate)])
        .send()
        .await
        .unwrap();
    (answer.status().as_u16(), answer.text().await.unwrap())
}

/// `POST /api/v1/certificates/verify` with `certificate`: the status and the answer.
async fn verify_json(server: &TestServer, certificate: &str) -> (u16, Value) {
    let answer = server
        .client()
        .post(server.at("/api/v1/certificates/verify"))
        .json(&json!({ "certificate": certificate }))
        .send()
        .await
        .unwrap();
    (answer.status().as_u16(), answer.json().await.unwrap())
}

/// `ombuds certificate verify -` with the server's configuration, `certificate` on stdin.
fn verify_cli(server: &TestServer, certificate: &str) -> crate::support::cli::Run {
    let config = server.data_dir().join("ombuds.toml");
    Cli::new("certificate").run_with_input(
        &["verify", "-", "--config", config.to_str().unwrap()],
        certificate,
    )
}

on_both_engines!(an_agreed_resolution_gives_the_person_a_certificate_to_save_then_nothing);
async fn an_agreed_resolution_gives_the_person_a_certificate_to_save_then_nothing(engine: Engine) {
    let server = server(engine);
    // Monday 2 March 2026, 10:00 in Phoenix: the first contact.
    server.set_clock("2026-03-02T17:00:00Z");
    let admin = server.admin().await;
    let secret = server.enrol_staff(&admin, "olivia", "ombuds").await;
    let ombuds = server.sign_in("olivia", &secret).await;
    let (id, submitter) = server.submitted_and_opened(&ombuds, CONCERN).await;
    let (status, member) = server
        .api(
            &ombuds,
            Method::POST,
            &format!("/api/v1/cases/{id}/parties"),
            Some(json!({"role": "member_concerned", "lang": "en", "receipt": false})),
        )
        .await;
    assert_eq!(status, 201, "{member}");
    write_plan(&server, &ombuds, &id).await;

    // Tuesday 10 March: both parties accept; the plan is agreed that day.
    server.set_clock("2026-03-10T17:00:00Z");
    let ombuds = server.sign_in("olivia", &secret).await;
    let accepted = server
        .client()
        .post(server.at("/api/v1/followup/plan"))
        .header("authorization", format!("Receipt {submitter}"))
        .json(&json!({ "version": 1, "answer": "accepted" }))
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), 200);
    assert_eq!(
        accepted_by_phone(&server, &ombuds, &id, 2, "2026-03-10").await,
        "2026-03-10"
    );

    // Monday 16 March: the ombuds closes the case as resolved.
    server.set_clock("2026-03-16T17:00:00Z");
    let ombuds = server.sign_in("olivia", &secret).await;
    let (status, closed) = close(&server, &ombuds, &id, "successfully_closed").await;
    assert_eq!(status, 200, "{closed}");

    // One letter outlives the case: the certificate to party 1, in its thread, kept 3 days.
    let mut db = server.database().await;
    assert_eq!(count(&mut db, "cases").await, 0);
    assert_eq!(
        count(&mut db, "letters").await,
        1,
        "no notice, only the certificate"
    );
    let (status, letters) = server
        .api(&ombuds, Method::GET, "/api/v1/letters", None)
        .await;
    assert_eq!(status, 200);
    let letters = letters.as_array().unwrap();
    assert_eq!(letters.len(), 1, "{letters:?}");
    assert_eq!(letters[0]["kind"], "resolution_certificate");
    assert_eq!(letters[0]["party"], 1);
    assert_eq!(letters[0]["delivery"]["status"], "in_thread");
    assert_eq!(letters[0]["kept_until"], "2026-03-19");

    // The person reads it with the receipt, after the close, in English and Spanish.
    let (status, page) = followup_page(&server, &submitter, "en").await;
    assert_eq!(status, 200, "{page}");
    let page = page.replace('\u{a0}', " ");
    for needed in [
        "Your case is closed",
        "Resolution certificate of 2026-03-16",
        "Save or print this letter now",
        "destroyed on Thursday, 19 March 2026",
        "Destroyed, with its key, on 2026-03-19",
        "-----BEGIN OMBUDS RESOLUTION CERTIFICATE-----",
        "First-Contact: 2026-03-02",
        "Agreed: 2026-03-10",
    ] {
        assert!(page.contains(needed), "missing {needed:?} in:\n{page}");
    }
    assert!(
        !page.contains("CANARY-resolution-terms"),
        "no words of the plan"
    );
    assert!(!page.contains("Termination notice"), "{page}");
    assert!(
        !page.contains("The notice says"),
        "no notice to point to: {page}"
    );
    let (_, spanish) = followup_page(&server, &submitter, "es").await;
    assert!(
        spanish.contains("Guarde o imprima esta carta ahora"),
        "{spanish}"
    );
    let thread = server.followup(&submitter, "").await;
    let text = thread["letters"][0]["text"].as_str().unwrap().to_owned();
    assert_eq!(thread["letters"][0]["kind"], "resolution_certificate");
    let certificate = certificate_in(&text);
    assert!(
        !certificate.contains("CANARY"),
        "no names, no plan: {certificate}"
    );
    assert!(!certificate.contains(&id[..8]), "no case: {certificate}");

    // Pasted into /verify, it is explained in plain words.
    let (status, page) = verify_page(&server, &certificate, "en").await;
    assert_eq!(status, 200, "{page}");
    let flat = page.split_whitespace().collect::<Vec<_>>().join(" ");
    for needed in [
        "This certificate is genuine and unchanged",
        "Resolution certificate",
        "certifies that this matter was first brought to it on Monday, 2 March 2026 and that \
         the parties agreed a resolution on Tuesday, 10 March 2026.",
        "If the member fails to comply with the agreed resolution, the complaining party may \
         file an ethics complaint, and Monday, 2 March 2026 counts as its filing date.",
        "Whether a complaint is timely is for the association&#39;s grievance committee to \
         decide.",
    ] {
        assert!(flat.contains(needed), "missing {needed:?} in:\n{page}");
    }
    assert!(!flat.contains("was suspended"), "{page}");
    let (status, page) = verify_page(&server, &certificate, "es").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("cuenta como su fecha de presentación"),
        "{page}"
    );
    let (status, out) = verify_json(&server, &certificate).await;
    assert_eq!(status, 200, "{out}");
    assert_eq!(out["valid"], true);
    assert_eq!(out["kind"], "resolution");
    assert_eq!(out["first_contact"], "2026-03-02");
    assert_eq!(out["agreed"], "2026-03-10");
    assert_eq!(out["issued"], "2026-03-16");
    assert!(
        out["statement"]
            .as_str()
            .unwrap()
            .contains("counts as its filing date"),
        "{out}"
    );
    let cli = verify_cli(&server, &text).json();
    assert_eq!(cli, out, "the command answers as the API does");

    // A changed copy fails everywhere.
    let tampered = certificate.replace("Agreed: 2026-03-10", "Agreed: 2026-03-12");
    let (status, page) = verify_page(&server, &tampered, "en").await;
    assert_eq!(status, 422);
    assert!(page.contains("The signature does not match"), "{page}");
    let (status, out) = verify_json(&server, &tampered).await;
    assert_eq!(status, 422);
    assert_eq!(out["valid"], false);
    let line = verify_cli(&server, &tampered).failure(1);
    assert!(line.contains("the signature does not match"), "{line}");

    // Still there on the last day it is kept; gone, with its key, the day after.
    server.set_clock("2026-03-18T17:00:00Z");
    let (status, _) = followup_page(&server, &submitter, "en").await;
    assert_eq!(status, 200);
    server.set_clock("2026-03-19T17:00:00Z");
    let (status, page) = followup_page(&server, &submitter, "en").await;
    assert_eq!(status, 404, "nothing is kept to open:\n{page}");
    assert!(!page.contains("RESOLUTION CERTIFICATE"));
    server
        .eventually("the letter and its key are destroyed", || async {
            let mut db = server.database().await;
            let mut keys = server.key_store().await;
            count(&mut db, "letters").await == 0 && count(&mut keys, "content_keys").await == 0
        })
        .await;
    // The check still works on the copy the person saved: it needs nothing stored.
    let (status, _) = verify_json(&server, &certificate).await;
    assert_eq!(status, 200);
}

on_both_engines!(a_caller_s_certificate_waits_on_the_letters_page_to_be_printed);
async fn a_caller_s_certificate_waits_on_the_letters_page_to_be_printed(engine: Engine) {
    let server = server(engine);
    let admin = server.admin().await;
    let ombuds = server.staff(&admin, "olivia", "ombuds").await;
    let (status, logged) = server
        .api(
            &ombuds,
            Method::POST,
            "/api/v1/cases",
            Some(json!({
                "channel": "phone",
                "category": "commission",
                "raised_by": "member",
                "description": "The co-op broker will not pay the agreed split.",
                "contact": CALLER_ADDRESS,
                "first_contact": "2026-02-20",
                "conditions_read": true,
            })),
        )
        .await;
    assert_eq!(status, 201, "{logged}");
    let id = logged["id"].as_str().unwrap().to_owned();
    write_plan(&server, &ombuds, &id).await;
    assert_eq!(
        accepted_by_phone(&server, &ombuds, &id, 1, "2026-03-01").await,
        "2026-03-01"
    );
    let (status, closed) = close(&server, &ombuds, &id, "successfully_closed").await;
    assert_eq!(status, 200, "{closed}");

    // Listed to send, named by kind, party and matter.
    let page = server
        .as_staff(&ombuds, Method::GET, "/console/letters")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let reference = id[..8].to_ascii_uppercase();
    let named = format!(
        "Resolution certificate to party 1, the person who raised the concern — matter {}-{}, 2026-03-02",
        &reference[..4],
        &reference[4..]
    );
    assert!(page.contains(&named), "missing {named:?} in:\n{page}");
    assert!(page.contains("Still to send"), "{page}");
    assert!(
        page.contains("resolution certificates for 3 days"),
        "{page}"
    );
    let (_, letters) = server
        .api(&ombuds, Method::GET, "/api/v1/letters", None)
        .await;
    let letter = &letters[0];
    assert_eq!(letter["delivery"]["status"], "pending");
    let letter_id = letter["id"].as_str().unwrap();

    // Its printable page carries the address to post it to and the certificate, which verifies.
    let printable = server
        .as_staff(
            &ombuds,
            Method::GET,
            &format!("/console/letters/{letter_id}"),
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(printable.contains(CALLER_ADDRESS), "{printable}");
    assert!(
        printable.contains("First-Contact: 2026-02-20"),
        "{printable}"
    );
    assert!(printable.contains("Agreed: 2026-03-01"), "{printable}");
    let (status, out) =
        verify_json(&server, &certificate_in(letter["text"].as_str().unwrap())).await;
    assert_eq!(status, 200, "{out}");
    assert_eq!(out["kind"], "resolution");

    // The ombuds records posting it, as for a notice.
    let (status, sent) = server
        .api(
            &ombuds,
            Method::POST,
            &format!("/api/v1/letters/{letter_id}/sent"),
            Some(json!({ "sent_by": "post" })),
        )
        .await;
    assert_eq!(status, 200, "{sent}");
    assert_eq!(sent["delivery"]["status"], "sent");
}

on_both_engines!(a_successful_close_without_an_agreed_plan_issues_no_letter);
async fn a_successful_close_without_an_agreed_plan_issues_no_letter(engine: Engine) {
    let server = server(engine);
    let admin = server.admin().await;
    let ombuds = server.staff(&admin, "olivia", "ombuds").await;
    let (id, submitter) = server.submitted_and_opened(&ombuds, CONCERN).await;
    let (status, _) = server
        .api(
            &ombuds,
            Method::POST,
            &format!("/api/v1/cases/{id}/parties"),
            Some(json!({"role": "member_concerned", "lang": "en", "receipt": false})),
        )
        .await;
    assert_eq!(status, 201);
    write_plan(&server, &ombuds, &id).await;
    // Only the member accepts: the plan is not agreed.
    assert_eq!(
        accepted_by_phone(&server, &ombuds, &id, 2, "2026-03-02").await,
        Value::Null
    );
    let (status, closed) = close(&server, &ombuds, &id, "successfully_closed").await;
    assert_eq!(status, 200, "{closed}");
    let mut db = server.database().await;
    for table in ["cases", "letters"] {
        assert_eq!(count(&mut db, table).await, 0, "{table} keeps rows");
    }
    let (status, _) = followup_page(&server, &submitter, "en").await;
    assert_eq!(status, 404, "nothing is kept to open");
}

on_both_engines!(an_agreement_recorded_before_the_first_contact_is_not_certified);
async fn an_agreement_recorded_before_the_first_contact_is_not_certified(engine: Engine) {
    let server = server(engine);
    let admin = server.admin().await;
    let ombuds = server.staff(&admin, "olivia", "ombuds").await;
    let (id, _) = server.submitted_and_opened(&ombuds, CONCERN).await;
    write_plan(&server, &ombuds, &id).await;
    // An answer recorded with a date before the first contact (2026-03-02).
    assert_eq!(
        accepted_by_phone(&server, &ombuds, &id, 1, "2026-02-27").await,
        "2026-02-27"
    );
    let (status, refused) = close(&server, &ombuds, &id, "successfully_closed").await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["fields"][0]["field"], "outcome");
    let message = refused["fields"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("agreed on 2026-02-27, before the first-contact date 2026-03-02"),
        "{message}"
    );
    // Nothing changed: the case is still open, and no letter was issued.
    let mut db = server.database().await;
    assert_eq!(count(&mut db, "cases").await, 1);
    assert_eq!(count(&mut db, "letters").await, 0);
}

#[test]
fn certificate_days_out_of_range_stops_the_service_naming_the_setting() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("d");
    crate::support::init(&dir);
    let config = dir.join("ombuds.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(
        text.contains("certificate_days = 30"),
        "documented in the example"
    );
    for bad in ["certificate_days = 0", "certificate_days = 366"] {
        std::fs::write(&config, text.replace("certificate_days = 30", bad)).unwrap();
        let out = run(
            root.path(),
            &[
                "serve",
                "--config",
                config.to_str().unwrap(),
                "--listen",
                "127.0.0.1:0",
            ],
        );
        assert_eq!(out.status.code(), Some(2), "{bad}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("letters.certificate_days") && err.contains("1 to 365"),
            "{bad}: {err}"
        );
    }
}
