//! The written notice to every party (issue #19, items 4 and 6), through a real server on both
//! engines: recording the termination issues one notice per party, addressed to it, in its
//! language; the member concerned's notice carries nothing of the complainant's words, dates
//! or deadline; a receipt holder finds its notice in its own thread (and the case page then
//! says it was opened); the ombuds records sending the others (post, e-mail, in person), with
//! bad input refused and nothing changed; the letters are named by matter reference and party;
//! a party can be removed until it accepts the plan or is sent its notice, and none can be
//! added to a case whose informal resolution has ended. After closing, each receipt still opens
//! its own notice, and only its own.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Engine, Session, TestServer, count, on_both_engines};

const CONCERN: &str = "CANARY-notice-concern-2c8e The agent kept my deposit.";
const BY_SUBMITTER: &str = "CANARY-notice-submitter-61af";
const BY_MEMBER: &str = "CANARY-notice-member-0d93";
const MEMBER_NAME: &str = "Pat CANARY-notice-name";
const OTHER_ADDRESS: &str = "12 CANARY-notice-street, Springfield";

/// Adds a party by the API; its id and receipt (if one was asked for).
async fn add_party(
    server: &TestServer,
    ombuds: &Session,
    id: &str,
    party: Value,
) -> (u16, String, Option<String>) {
    let (status, added) = server
        .api(
            ombuds,
            Method::POST,
            &format!("/api/v1/cases/{id}/parties"),
            Some(party),
        )
        .await;
    (
        status,
        added["id"].as_str().unwrap_or_default().to_owned(),
        added["receipt"].as_str().map(str::to_owned),
    )
}

/// The unexpired letters of case `id`, by party number.
async fn letters_of(server: &TestServer, ombuds: &Session, id: &str) -> Vec<Value> {
    let (status, all) = server
        .api(ombuds, Method::GET, "/api/v1/letters", None)
        .await;
    assert_eq!(status, 200);
    let mut mine: Vec<Value> = all
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["case_id"] == id)
        .cloned()
        .collect();
    mine.sort_by_key(|l| l["party"].as_u64());
    mine
}

/// The follow-up page a receipt opens, in `lang`.
async fn page(server: &TestServer, receipt: &str, lang: &str) -> String {
    let answer = server
        .client()
        .post(server.at(&format!("/followup?lang={lang}")))
        .form(&[("receipt", receipt)])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    answer.text().await.unwrap()
}

on_both_engines!(every_party_receives_its_own_notice_in_its_language);
async fn every_party_receives_its_own_notice_in_its_language(engine: Engine) {
    let server = TestServer::start_on(engine);
    let admin = server.admin().await;
    let ombuds = server.staff(&admin, "olivia", "ombuds").await;
    let (id, submitter) = server.submitted_and_opened(&ombuds, CONCERN).await;
    let reference = id[..8].to_ascii_uppercase();
    let reference = format!("{}-{}", &reference[..4], &reference[4..]);

    // Party 2, the member concerned, Spanish, with a receipt; party 3, another party to the
    // transaction, English, reached by post.
    let (status, member_id, member) = add_party(
        &server,
        &ombuds,
        &id,
        json!({"role": "member_concerned", "name": MEMBER_NAME, "lang": "es", "receipt": true}),
    )
    .await;
    assert_eq!(status, 201);
    let member = member.unwrap();
    let (status, other_id, _) = add_party(
        &server,
        &ombuds,
        &id,
        json!({"role": "other_party", "contact": OTHER_ADDRESS, "lang": "en", "receipt": false}),
    )
    .await;
    assert_eq!(status, 201);
    for (receipt, text) in [(&submitter, BY_SUBMITTER), (&member, BY_MEMBER)] {
        let written = server
            .client()
            .post(server.at("/api/v1/followup/messages"))
            .header("authorization", format!("Receipt {receipt}"))
            .json(&json!({ "text": text }))
            .send()
            .await
            .unwrap();
        assert_eq!(written.status(), 201);
    }

    // Recording the termination issues three notices.
    let (status, _) = server
        .api(
            &ombuds,
            Method::POST,
            &format!("/api/v1/cases/{id}/dates/termination"),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 200);
    let letters = letters_of(&server, &ombuds, &id).await;
    assert_eq!(letters.len(), 3, "{letters:#?}");
    for (letter, (party, role, status)) in letters.iter().zip([
        (1, Value::Null, "in_thread"),
        (2, json!("member_concerned"), "in_thread"),
        (3, json!("other_party"), "pending"),
    ]) {
        assert_eq!(letter["party"], party);
        assert_eq!(letter["role"], role);
        assert_eq!(letter["reference"], reference.as_str());
        assert_eq!(letter["delivery"]["status"], status, "{letter:#?}");
    }

    // The member's notice: Spanish, addressed to the member, none of the complainant's words.
    let member_letter = &letters[1];
    let text = member_letter["text"].as_str().unwrap();
    assert!(
        text.contains("LA RESOLUCIÓN INFORMAL HA TERMINADO"),
        "{text}"
    );
    assert!(text.contains(&format!("Para: {MEMBER_NAME}")), "{text}");
    assert!(text.contains(&format!("Referencia del asunto: {reference}")));
    for absent in [CONCERN, BY_SUBMITTER, "BEGIN OMBUDS", "Primer contacto"] {
        assert!(
            !text.contains(absent),
            "{absent:?} in the member's notice:\n{text}"
        );
    }
    // The other party's notice carries the address it is posted to; the submitter's (who holds
    // a receipt) carries none, and is the one with the deadline and the certificate.
    assert!(letters[2]["text"].as_str().unwrap().contains(OTHER_ADDRESS));
    let first = letters[0]["text"].as_str().unwrap();
    assert!(
        first.contains("To: the person who raised the concern"),
        "{first}"
    );
    assert!(first.contains("BEGIN OMBUDS"), "{first}");
    assert!(!first.contains(MEMBER_NAME) && !first.contains(BY_MEMBER));

    // The member finds it in its own thread, in Spanish, and nothing of the others'.
    let seen = page(&server, &member, "es").await;
    assert!(
        seen.contains("LA RESOLUCIÓN INFORMAL HA TERMINADO"),
        "{seen}"
    );
    assert!(
        seen.contains("Su aviso escrito aparece en esta página"),
        "{seen}"
    );
    for absent in [CONCERN, BY_SUBMITTER, OTHER_ADDRESS, "BEGIN OMBUDS"] {
        assert!(!seen.contains(absent), "{absent:?} on the member's page");
    }
    // The follow-up API gives the member the same notice, and only its own.
    let api = server.followup(&member, "?lang=es").await;
    let letters = api["letters"].as_array().unwrap();
    assert_eq!(letters.len(), 1, "{api}");
    assert_eq!(letters[0]["kind"], "termination_notice");
    assert!(
        letters[0]["text"]
            .as_str()
            .unwrap()
            .contains("LA RESOLUCIÓN INFORMAL HA TERMINADO")
    );
    // Read in English, the page says why the notice is in Spanish.
    let in_english = page(&server, &member, "en").await;
    assert!(in_english.contains("the language the ombuds has on record for you"));
    // Now the case page says the member opened it; the submitter has not yet.
    let letters = letters_of(&server, &ombuds, &id).await;
    assert_eq!(letters[1]["delivery"]["status"], "opened");
    assert_eq!(letters[0]["delivery"]["status"], "in_thread");
    let case_page = server
        .client()
        .get(server.at(&format!("/console/cases/{id}")))
        .header("cookie", &ombuds.cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        case_page.contains("Delivered to the party&#39;s thread and opened."),
        "{case_page}"
    );
    assert!(case_page.contains("Still to send: this party holds no receipt."));
    assert!(case_page.contains("to party 2, Member the concern is about"));

    // Recording the posted notice: bad input first, each refused and nothing changed.
    let other_letter = letters[2]["id"].as_str().unwrap().to_owned();
    // Through the console form, on the case page and on the letters page: the message stands
    // in that letter's form, which the error summary links to.
    for case in [Some(id.as_str()), None] {
        let mut fields = vec![("sent_on", "2026-12-07"), ("sent_by", "fax")];
        fields.extend(case.map(|c| ("case", c)));
        let answer = server
            .post_form(
                &ombuds,
                &format!("/console/letters/{other_letter}/sent"),
                &fields,
            )
            .await;
        assert_eq!(answer.status(), 422, "{case:?}");
        let page = answer.text().await.unwrap();
        assert!(page.contains("href=\"#sent_by\""), "{page}");
        let form = page
            .split(&format!("id=\"letter-{other_letter}\""))
            .nth(1)
            .expect("the letter is listed");
        let form = form.split("</form>").next().unwrap();
        assert!(form.contains("id=\"sent_by\""), "{form}");
        assert!(form.contains("class=\"field-error\""), "{form}");
    }
    let sent = |body: Value| {
        let path = format!("/api/v1/letters/{other_letter}/sent");
        let server = &server;
        let ombuds = &ombuds;
        async move { server.api(ombuds, Method::POST, &path, Some(body)).await }
    };
    let (status, problem) = sent(json!({"sent_by": "fax"})).await;
    assert_eq!(status, 422, "{problem}");
    assert!(
        problem.to_string().contains("post, email or in_person"),
        "{problem}"
    );
    let (status, problem) = sent(json!({"sent_on": "2999-01-01", "sent_by": "post"})).await;
    assert_eq!(status, 422, "{problem}");
    let (status, problem) = sent(json!({"sent_on": "2020-01-01", "sent_by": "post"})).await;
    assert_eq!(status, 422, "{problem}");
    assert!(
        problem.to_string().contains("before the notice was issued"),
        "{problem}"
    );
    let (status, _) = sent(json!({"sent_by": "post", "extra": 1})).await;
    assert_eq!(status, 400);
    assert_eq!(
        letters_of(&server, &ombuds, &id).await[2]["delivery"]["status"],
        "pending"
    );
    let member_letter_id = letters[1]["id"].as_str().unwrap();
    let (status, problem) = server
        .api(
            &ombuds,
            Method::POST,
            &format!("/api/v1/letters/{member_letter_id}/sent"),
            Some(json!({"sent_by": "post"})),
        )
        .await;
    assert_eq!(status, 422, "a notice in a thread is not posted: {problem}");
    let (status, marked) = sent(json!({"sent_by": "post"})).await;
    assert_eq!(status, 200, "{marked}");
    assert_eq!(marked["delivery"]["status"], "sent");
    assert_eq!(marked["delivery"]["sent_by"], "post");
    let (status, problem) = sent(json!({"sent_by": "email"})).await;
    assert_eq!(status, 422, "already sent: {problem}");
    assert!(problem.to_string().contains("already recorded as sent"));

    // The letters page names each letter by matter and party.
    let letters_page = server
        .client()
        .get(server.at("/console/letters"))
        .header("cookie", &ombuds.cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for needed in [
        format!("to party 1, the person who raised the concern — matter {reference}"),
        format!("to party 2, Member the concern is about ({MEMBER_NAME}) — matter {reference}"),
        format!("to party 3, Other party to the transaction — matter {reference}"),
    ] {
        assert!(
            letters_page.contains(&needed),
            "{needed:?} not in:\n{letters_page}"
        );
    }

    // After termination no party joins and none leaves.
    let (status, problem) = server
        .api(
            &ombuds,
            Method::DELETE,
            &format!("/api/v1/cases/{id}/parties/{other_id}"),
            None,
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    assert!(problem.to_string().contains("sent its notice"), "{problem}");
    let (status, _, _) = add_party(
        &server,
        &ombuds,
        &id,
        json!({"role": "other", "lang": "en", "receipt": false}),
    )
    .await;
    assert_eq!(status, 422);
    let mut db = server.database().await;
    assert_eq!(count(&mut db, "parties").await, 2);

    // Closing destroys the case; each receipt still opens its own notice, and only its own.
    let (status, _) = server
        .api(
            &ombuds,
            Method::POST,
            &format!("/api/v1/cases/{id}/close"),
            Some(json!({"outcome": "unsuccessfully_closed"})),
        )
        .await;
    assert_eq!(status, 200);
    let seen = page(&server, &member, "es").await;
    assert!(
        seen.contains("LA RESOLUCIÓN INFORMAL HA TERMINADO"),
        "{seen}"
    );
    assert!(!seen.contains("BEGIN OMBUDS") && !seen.contains(CONCERN));
    let seen = page(&server, &submitter, "en").await;
    assert!(seen.contains("BEGIN OMBUDS"), "{seen}");
    assert!(!seen.contains(MEMBER_NAME));
    assert_eq!(count(&mut db, "parties").await, 0);
    let _ = member_id;
}

on_both_engines!(a_party_leaves_until_it_accepts_and_joins_only_an_opened_case);
async fn a_party_leaves_until_it_accepts_and_joins_only_an_opened_case(engine: Engine) {
    let server = TestServer::start_on(engine);
    let admin = server.admin().await;
    let ombuds = server.staff(&admin, "olivia", "ombuds").await;

    // A concern still in the inbox takes no party.
    server.submit(CONCERN).await;
    let (_, cases) = server
        .api(&ombuds, Method::GET, "/api/v1/cases", None)
        .await;
    let new = cases[0]["id"].as_str().unwrap().to_owned();
    let (status, _, _) = add_party(
        &server,
        &ombuds,
        &new,
        json!({"role": "other", "lang": "en", "receipt": false}),
    )
    .await;
    assert_eq!(status, 422);
    let mut db = server.database().await;
    assert_eq!(count(&mut db, "parties").await, 0);

    let id = server.opened_case(&ombuds).await;
    assert_eq!(id, new);
    let (_, member_id, _) = add_party(
        &server,
        &ombuds,
        &id,
        json!({"role": "member_concerned", "lang": "en", "receipt": false}),
    )
    .await;
    let (_, broker_id, _) = add_party(
        &server,
        &ombuds,
        &id,
        json!({"role": "designated_broker", "lang": "en", "receipt": false}),
    )
    .await;
    assert_eq!(count(&mut db, "parties").await, 2);

    // A plan; the member accepts it (by telephone); the submitter accepts.
    let (status, _) = server
        .api(
            &ombuds,
            Method::PUT,
            &format!("/api/v1/cases/{id}/plan"),
            Some(json!({"terms": "Both parties meet on Friday."})),
        )
        .await;
    assert_eq!(status, 200);
    for party in [1, 2] {
        let (status, answer) = server
            .api(
                &ombuds,
                Method::POST,
                &format!("/api/v1/cases/{id}/plan/answers"),
                Some(
                    json!({"party": party, "version": 1, "answer": "accepted", "channel": "phone"}),
                ),
            )
            .await;
        assert_eq!(status, 200, "{answer}");
    }

    // The member accepted: it stays. Through the console too, with the reason on the page.
    let (status, problem) = server
        .api(
            &ombuds,
            Method::DELETE,
            &format!("/api/v1/cases/{id}/parties/{member_id}"),
            None,
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    assert!(problem.to_string().contains("accepted the current plan"));
    let refused = server
        .post_form(
            &ombuds,
            &format!("/console/cases/{id}/parties/{member_id}/remove"),
            &[],
        )
        .await;
    assert_eq!(refused.status(), 422);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("accepted the current plan")
    );
    assert_eq!(count(&mut db, "parties").await, 2);

    // The broker has not answered: removing it leaves everyone else accepting, so the plan is
    // agreed.
    let removed = server
        .post_form(
            &ombuds,
            &format!("/console/cases/{id}/parties/{broker_id}/remove"),
            &[],
        )
        .await;
    assert_eq!(removed.status(), 303);
    assert_eq!(count(&mut db, "parties").await, 1);
    let (_, case) = server
        .api(&ombuds, Method::GET, &format!("/api/v1/cases/{id}"), None)
        .await;
    assert!(case["plan"]["agreed_on"].is_string(), "{case:#}");

    // An agreed plan takes no new party; another case's party is not this case's.
    let (status, _, _) = add_party(
        &server,
        &ombuds,
        &id,
        json!({"role": "other", "lang": "en", "receipt": false}),
    )
    .await;
    assert_eq!(status, 422);
    let (status, _) = server
        .api(
            &ombuds,
            Method::DELETE,
            &format!("/api/v1/cases/{id}/parties/{broker_id}"),
            None,
        )
        .await;
    assert_eq!(status, 404);
    assert_eq!(count(&mut db, "parties").await, 1);
}

on_both_engines!(an_earlier_termination_date_needs_a_reason_that_every_notice_states);
async fn an_earlier_termination_date_needs_a_reason_that_every_notice_states(engine: Engine) {
    let server = TestServer::start_on(engine);
    server.set_clock("2026-03-02T17:00:00Z");
    let admin = server.admin().await;
    let ombuds = server.staff(&admin, "olivia", "ombuds").await;
    // A telephone call of last Thursday, logged on Monday.
    let (status, logged) = server
        .api(
            &ombuds,
            Method::POST,
            "/api/v1/cases",
            Some(
                json!({"channel": "phone", "conditions_read": true, "category": "commission", "raised_by": "member",
                        "description": CONCERN, "first_contact": "2026-02-26"}),
            ),
        )
        .await;
    assert_eq!(status, 201, "{logged}");
    let id = logged["id"].as_str().unwrap().to_owned();
    let (status, _, _) = add_party(
        &server,
        &ombuds,
        &id,
        json!({"role": "member_concerned", "lang": "es", "receipt": true}),
    )
    .await;
    assert_eq!(status, 201);
    let path = format!("/api/v1/cases/{id}/dates/termination");
    let (status, problem) = server
        .api(
            &ombuds,
            Method::POST,
            &path,
            Some(json!({"date": "2026-02-27"})),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["fields"][0]["field"], "reason", "{problem}");
    assert!(
        problem
            .to_string()
            .contains("every party's notice states it")
    );
    assert!(letters_of(&server, &ombuds, &id).await.is_empty());
    let (_, case) = server
        .api(&ombuds, Method::GET, &format!("/api/v1/cases/{id}"), None)
        .await;
    assert_eq!(case["termination_date"], Value::Null, "nothing changed");

    let because = "The parties settled by telephone on Wednesday.";
    let (status, answer) = server
        .api(
            &ombuds,
            Method::POST,
            &path,
            Some(json!({"date": "2026-02-27", "reason": because})),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    let letters = letters_of(&server, &ombuds, &id).await;
    assert_eq!(letters.len(), 2);
    for letter in &letters {
        let text = letter["text"].as_str().unwrap();
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains(because), "{flat}");
    }
    // A termination recorded today needs none.
    let (other, _) = server.submitted_and_opened(&ombuds, CONCERN).await;
    let (status, _) = server
        .api(
            &ombuds,
            Method::POST,
            &format!("/api/v1/cases/{other}/dates/termination"),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 200);
}

/// The certificate block of a letter's text.
fn certificate_in(text: &str) -> String {
    let begin = text.find("-----BEGIN").unwrap();
    let end = text.find("-----END").unwrap();
    let end = end + text[end..].find('\n').unwrap_or(text.len() - end);
    text[begin..end].to_owned()
}

on_both_engines!(a_corrected_termination_supersedes_the_certificate_it_replaces);
async fn a_corrected_termination_supersedes_the_certificate_it_replaces(engine: Engine) {
    let server = TestServer::start_on(engine);
    server.set_clock("2026-03-02T17:00:00Z");
    let admin = server.admin().await;
    let secret = server.enrol_staff(&admin, "olivia", "ombuds").await;
    let ombuds = server.sign_in("olivia", &secret).await;
    let (id, _) = server.submitted_and_opened(&ombuds, CONCERN).await;
    let path = format!("/api/v1/cases/{id}/dates/termination");
    let (status, _) = server
        .api(&ombuds, Method::POST, &path, Some(json!({})))
        .await;
    assert_eq!(status, 200);
    let first = certificate_in(
        letters_of(&server, &ombuds, &id).await[0]["text"]
            .as_str()
            .unwrap(),
    );
    // A second correction after the first: the chain ends at the last certificate.
    server.set_clock("2026-03-04T17:00:00Z");
    let ombuds = server.sign_in("olivia", &secret).await;
    for date in ["2026-03-03", "2026-03-04"] {
        let (status, answer) = server
            .api(
                &ombuds,
                Method::POST,
                &path,
                Some(json!({"date": date, "reason": "The parties met again."})),
            )
            .await;
        assert_eq!(status, 200, "{answer}");
    }
    let letters = letters_of(&server, &ombuds, &id).await;
    assert_eq!(letters.len(), 3);
    let newest = letters
        .iter()
        .map(|l| certificate_in(l["text"].as_str().unwrap()))
        .find(|c| c.contains("Termination: 2026-03-04"))
        .unwrap();
    let newest_id = newest
        .lines()
        .find_map(|l| l.strip_prefix("Certificate-Id: "))
        .unwrap()
        .to_owned();

    let verify = |certificate: String| {
        let server = &server;
        async move {
            let answer = server
                .client()
                .post(server.at("/api/v1/certificates/verify"))
                .json(&json!({ "certificate": certificate }))
                .send()
                .await
                .unwrap();
            let status = answer.status().as_u16();
            (status, answer.json::<Value>().await.unwrap())
        }
    };
    let (status, answer) = verify(first.clone()).await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(answer["valid"], false);
    assert_eq!(answer["superseded_by"], newest_id.as_str());
    assert!(answer["error"].as_str().unwrap().contains("replaced it"));
    let (status, answer) = verify(newest).await;
    assert_eq!(status, 200, "{answer}");
    // The page says the same, in Spanish too.
    let page = server
        .client()
        .post(server.at("/verify?lang=es"))
        .form(&[("certificate", first.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 422);
    let page = page.text().await.unwrap();
    assert!(page.contains("ya no es válido"), "{page}");
    assert!(page.contains(&newest_id));
    // The register holds identifiers only, and outlives the case.
    let (status, _) = server
        .api(
            &ombuds,
            Method::POST,
            &format!("/api/v1/cases/{id}/close"),
            Some(json!({"outcome": "unsuccessfully_closed"})),
        )
        .await;
    assert_eq!(status, 200);
    let mut db = server.database().await;
    assert_eq!(count(&mut db, "superseded_certificates").await, 2);
    let (status, answer) = verify(first).await;
    assert_eq!(status, 422, "{answer}");
}

on_both_engines!(a_successful_close_issues_no_notice_and_keeps_nothing);
async fn a_successful_close_issues_no_notice_and_keeps_nothing(engine: Engine) {
    let server = TestServer::start_on(engine);
    let admin = server.admin().await;
    let ombuds = server.staff(&admin, "olivia", "ombuds").await;
    let (id, submitter) = server.submitted_and_opened(&ombuds, CONCERN).await;
    let (_, _, member) = add_party(
        &server,
        &ombuds,
        &id,
        json!({"role": "member_concerned", "lang": "en", "receipt": true}),
    )
    .await;
    let (status, _) = server
        .api(
            &ombuds,
            Method::POST,
            &format!("/api/v1/cases/{id}/close"),
            Some(json!({"outcome": "successfully_closed"})),
        )
        .await;
    assert_eq!(status, 200);
    let mut db = server.database().await;
    for table in ["cases", "parties", "messages", "letters"] {
        assert_eq!(count(&mut db, table).await, 0, "{table} keeps rows");
    }
    for receipt in [submitter, member.unwrap()] {
        let answer = server
            .client()
            .get(server.at("/api/v1/followup"))
            .header("authorization", format!("Receipt {receipt}"))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 404, "nothing is kept to open");
    }
}
