//! The letters each outcome sends (issue #20, items 1 and 7), through a real server on both
//! engines: closing sends the person who raised the concern a termination notice and a
//! follow-up letter with the outcome's own words, in English and Spanish, listing the
//! `[letters]` options (or, for a possible public trust violation, the formal avenues with the
//! agencies); an added party receives only its notice; a successful close sends nothing. A
//! complaint already filed tells no suspension story (no deadline, no certificate) and closing
//! tells every party whether it is dismissed or proceeds. The closing form's table says who
//! receives what, and the case page warns of an ombuds message its reader has not opened. The
//! letters carry none of the concern's words and are sealed at rest; a bad `[letters]` entry
//! stops start-up naming its list.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Engine, Options, Session, TestServer, contains, on_both_engines};

const CONCERN: &str = "CANARY-outcomes-concern-4e7b The agent kept my earnest money.";
const CANARY: &str = "CANARY-outcomes-concern-4e7b";
const OPTION: &str = "Ethics mediation, Sonoran Valley Association";
const AGENCY: &str = "Arizona Department of Real Estate";

/// The outcomes that end without a resolution: (code, the follow-up letter's English title,
/// its Spanish title).
const UNRESOLVED: [(&str, &str, &str); 5] = [
    (
        "dismissed",
        "Your concern is outside the ombuds program's scope",
        "Su inquietud queda fuera del alcance del programa de ombuds",
    ),
    (
        "unsuccessfully_closed",
        "Informal resolution ended without a resolution",
        "La resolución informal terminó sin una solución",
    ),
    (
        "declined",
        "Other ways to pursue your concern",
        "Otras formas de seguir con su inquietud",
    ),
    (
        "withdrawn",
        "You withdrew your concern",
        "Usted retiró su inquietud",
    ),
    (
        "terminated_public_trust",
        "The formal avenues open to you",
        "Las vías formales a su alcance",
    ),
];

const DISMISSED_EN: &str = "The complaint was resolved and will be dismissed";
const DISMISSED_ES: &str = "La queja se resolvió y será desestimada";
const PROCEEDS_EN: &str = "The complaint proceeds";
const REFERRED_EN: &str = "Informal resolution of the complaint has ended";
const REFERRED_ES: &str = "Ha terminado la resolución informal de la queja";

/// The configuration with one option and one agency for the follow-up letters.
fn with_letters(config: String) -> String {
    format!(
        "{config}\n[[letters.options]]\nname = \"{OPTION}\"\nphone = \"555-0111\"\n\
         [[letters.agencies]]\nname = \"{AGENCY}\"\nphone = \"602-771-7700\"\n\
         address = \"100 N 15th Avenue, Phoenix, AZ 85007\"\nweb = \"https://azre.example.gov\"\n"
    )
}

fn server_on(engine: Engine) -> TestServer {
    TestServer::start_with(Options {
        engine,
        edit_config: Box::new(with_letters),
        ..Options::default()
    })
}

/// The matter reference of case `id`, as letters name it ("ABCD-EFGH").
fn reference(id: &str) -> String {
    let head = id[..8].to_ascii_uppercase();
    format!("{}-{}", &head[..4], &head[4..])
}

/// Adds a party by the API; its id and receipt (if one was asked for).
async fn add_party(
    server: &TestServer,
    ombuds: &Session,
    id: &str,
    party: Value,
) -> (String, Option<String>) {
    let (status, added) = server
        .api(
            ombuds,
            Method::POST,
            &format!("/api/v1/cases/{id}/parties"),
            Some(party),
        )
        .await;
    assert_eq!(status, 201, "{added}");
    (
        added["id"].as_str().unwrap().to_owned(),
        added["receipt"].as_str().map(str::to_owned),
    )
}

/// Closes case `id` with `outcome` by the API.
async fn close(server: &TestServer, ombuds: &Session, id: &str, outcome: &str) {
    let (status, answer) = server
        .api(
            ombuds,
            Method::POST,
            &format!("/api/v1/cases/{id}/close"),
            Some(json!({ "outcome": outcome, "confirm_unanswered": true })),
        )
        .await;
    assert_eq!(status, 200, "closing {outcome}: {answer}");
}

/// The letters of the matter `reference` (also after its case is closed), as (party, kind,
/// text), by party and then kind.
async fn letters_of(
    server: &TestServer,
    ombuds: &Session,
    reference: &str,
) -> Vec<(u64, String, String)> {
    let (status, all) = server
        .api(ombuds, Method::GET, "/api/v1/letters", None)
        .await;
    assert_eq!(status, 200);
    let mut found: Vec<(u64, String, String)> = all
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["reference"] == reference)
        .map(|l| {
            (
                l["party"].as_u64().unwrap(),
                l["kind"].as_str().unwrap().to_owned(),
                l["text"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    found.sort();
    found
}

/// (party, kind) of `letters`.
fn kinds(letters: &[(u64, String, String)]) -> Vec<(u64, &str)> {
    letters.iter().map(|(p, k, _)| (*p, k.as_str())).collect()
}

/// The follow-up page `receipt` opens, in `lang`, its entities decoded.
async fn page(server: &TestServer, receipt: &str, lang: &str) -> String {
    let answer = server
        .client()
        .post(server.at(&format!("/followup?lang={lang}")))
        .form(&[("receipt", receipt)])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    decoded(&answer.text().await.unwrap())
}

/// A console page as `ombuds` sees it, its entities decoded.
async fn console_page(server: &TestServer, ombuds: &Session, path: &str) -> String {
    let answer = server
        .as_staff(ombuds, Method::GET, path)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    decoded(&answer.text().await.unwrap())
}

/// The case's JSON.
async fn case_json(server: &TestServer, ombuds: &Session, id: &str) -> Value {
    let (status, case) = server
        .api(ombuds, Method::GET, &format!("/api/v1/cases/{id}"), None)
        .await;
    assert_eq!(status, 200);
    case
}

/// `html` with the entities the templates write turned back into characters.
fn decoded(html: &str) -> String {
    html.replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The sections of a letter's plain text, by heading (a line underlined with dashes), each
/// body's words joined by single spaces (the text is wrapped).
fn sections(text: &str) -> Vec<(String, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found: Vec<(String, String)> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let underlined = lines.get(i + 1).is_some_and(|next| {
            !lines[i].trim().is_empty()
                && next.chars().all(|c| c == '-')
                && next.chars().count() == lines[i].chars().count()
        });
        if underlined {
            found.push((lines[i].to_owned(), String::new()));
            i += 2;
            continue;
        }
        if let Some((_, body)) = found.last_mut() {
            body.push(' ');
            body.push_str(lines[i]);
        }
        i += 1;
    }
    found
        .into_iter()
        .map(|(heading, body)| {
            (
                heading,
                body.split_whitespace().collect::<Vec<_>>().join(" "),
            )
        })
        .collect()
}

/// The body of section `heading` of `text`, if it has one.
fn section(text: &str, heading: &str) -> Option<String> {
    sections(text)
        .into_iter()
        .find(|(h, _)| h == heading)
        .map(|(_, body)| body)
}

/// The text of `html` without its tags, cell by cell: every `</th>` and `</td>` ends one.
fn cells(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        current.push_str(&rest[..open]);
        let close = rest[open..].find('>').map_or(rest.len(), |c| open + c + 1);
        let tag = &rest[open..close];
        if tag == "</th>" || tag == "</td>" {
            out.push(current.split_whitespace().collect::<Vec<_>>().join(" "));
            current.clear();
        }
        rest = &rest[close..];
    }
    out
}

/// The closing form's table: its rows, each a list of cells (the head row first).
fn closing_table(page: &str) -> Vec<Vec<String>> {
    let table = page
        .split("<table class=\"closing-letters\">")
        .nth(1)
        .and_then(|rest| rest.split("</table>").next())
        .expect("the case page shows the closing table");
    assert!(
        table.contains("What each party receives, by outcome"),
        "{table}"
    );
    table
        .split("<tr>")
        .skip(1)
        .map(cells)
        .filter(|row| !row.is_empty())
        .collect()
}

/// The parties the unread warning names, or `None` if the page shows no such warning.
fn unread_warning(page: &str) -> Option<String> {
    let warning = page.split("id=\"unread-warning\"").nth(1)?;
    let warning = warning.split("</div>").next().unwrap_or_default();
    assert!(
        warning.contains("Your last message has not been read"),
        "{warning}"
    );
    Some(cells(&warning.replace("</li>", "</td>")).join(" | "))
}

on_both_engines!(each_outcome_sends_its_own_follow_up_letter_and_a_party_only_its_notice);
async fn each_outcome_sends_its_own_follow_up_letter_and_a_party_only_its_notice(engine: Engine) {
    let server = server_on(engine);
    let admin = server.admin().await;
    let ombuds = server.staff(&admin, "olivia", "ombuds").await;
    let every_title: Vec<&str> = UNRESOLVED
        .iter()
        .flat_map(|(_, en, es)| [*en, *es])
        .collect();

    for (outcome, title_en, title_es) in UNRESOLVED {
        let (id, submitter) = server.submitted_and_opened(&ombuds, CONCERN).await;
        let (_, member) = add_party(
            &server,
            &ombuds,
            &id,
            json!({"role": "member_concerned", "lang": "en", "receipt": true}),
        )
        .await;
        let member = member.unwrap();
        close(&server, &ombuds, &id, outcome).await;

        let letters = letters_of(&server, &ombuds, &reference(&id)).await;
        assert_eq!(
            kinds(&letters),
            [
                (1, "follow_up_letter"),
                (1, "termination_notice"),
                (2, "termination_notice")
            ],
            "{outcome}"
        );
        let follow_up = &letters[0].2;
        assert!(
            follow_up.contains(&title_en.to_uppercase()),
            "{outcome}: {follow_up}"
        );
        for (_, _, text) in &letters {
            assert!(!text.contains(CANARY), "{outcome}: the concern in {text}");
        }

        // The submitter reads both with the receipt after closing, in either language.
        let en = page(&server, &submitter, "en").await;
        assert!(en.contains(title_en), "{outcome}: {en}");
        assert!(en.contains("Informal resolution has ended"), "{outcome}");
        assert!(!en.contains(title_es), "{outcome}");
        let es = page(&server, &submitter, "es").await;
        assert!(es.contains(title_es), "{outcome}: {es}");
        assert!(!es.contains(title_en), "{outcome}");
        for shown in [&en, &es] {
            assert!(!shown.contains(CANARY), "{outcome}: the concern is shown");
        }

        // Where else to go: the options, and the agencies apart, unless it is the formal
        // avenues (public trust), which name both.
        let thread = server.followup(&submitter, "").await;
        assert_eq!(thread["status"], "closed");
        let mine: Vec<&Value> = thread["letters"].as_array().unwrap().iter().collect();
        assert_eq!(mine.len(), 2, "{outcome}: {thread}");
        let text = mine
            .iter()
            .find(|l| l["kind"] == "follow_up_letter")
            .and_then(|l| l["text"].as_str())
            .unwrap();
        let thread_es = server.followup(&submitter, "?lang=es").await;
        let text_es = thread_es["letters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["kind"] == "follow_up_letter")
            .and_then(|l| l["text"].as_str())
            .unwrap();
        assert!(text_es.contains(&title_es.to_uppercase()), "{text_es}");
        if outcome == "terminated_public_trust" {
            let formal = section(text, "The formal avenues").unwrap_or_else(|| panic!("{text}"));
            assert!(
                formal.contains(AGENCY) && formal.contains(OPTION),
                "{formal}"
            );
            let formal_es = section(text_es, "Las vías formales").unwrap_or_default();
            assert!(formal_es.contains(AGENCY), "{text_es}");
            for absent in ["Other ways to resolve it", "Agencies that may help"] {
                assert!(section(text, absent).is_none(), "{absent} in {text}");
            }
        } else {
            let options =
                section(text, "Other ways to resolve it").unwrap_or_else(|| panic!("{text}"));
            assert!(options.contains(OPTION), "{outcome}: {options}");
            assert!(!options.contains(AGENCY), "{outcome}: {options}");
            let agencies = section(text, "Agencies that may help").unwrap_or_default();
            assert!(agencies.contains(AGENCY), "{outcome}: {text}");
            let options_es = section(text_es, "Otras formas de resolverlo").unwrap_or_default();
            assert!(options_es.contains(OPTION), "{outcome}: {text_es}");
            assert!(section(text, "The formal avenues").is_none(), "{text}");
        }

        // The member reads its notice, and no follow-up letter.
        let theirs = server.followup(&member, "").await;
        let theirs: Vec<&str> = theirs["letters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["kind"].as_str().unwrap())
            .collect();
        assert_eq!(theirs, ["termination_notice"], "{outcome}");
        let shown = page(&server, &member, "en").await;
        assert!(shown.contains("Informal resolution has ended"), "{outcome}");
        for title in &every_title {
            assert!(
                !shown.contains(title),
                "{outcome}: {title} on the member's page"
            );
        }
        for absent in ["Other ways to resolve it", OPTION, AGENCY, CANARY] {
            assert!(
                !shown.contains(absent),
                "{outcome}: {absent} on the member's page"
            );
        }
    }

    // Resolved, with no complaint filed: nothing at all is sent or kept.
    let (id, submitter) = server.submitted_and_opened(&ombuds, CONCERN).await;
    let (_, member) = add_party(
        &server,
        &ombuds,
        &id,
        json!({"role": "member_concerned", "lang": "en", "receipt": true}),
    )
    .await;
    close(&server, &ombuds, &id, "successfully_closed").await;
    assert!(
        letters_of(&server, &ombuds, &reference(&id))
            .await
            .is_empty()
    );
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

on_both_engines!(follow_up_letters_carry_no_words_of_the_concern_and_are_sealed_at_rest);
async fn follow_up_letters_carry_no_words_of_the_concern_and_are_sealed_at_rest(engine: Engine) {
    let server = server_on(engine);
    let admin = server.admin().await;
    let ombuds = server.staff(&admin, "olivia", "ombuds").await;
    let said = "CANARY-outcomes-message-93c1";
    let mut receipts = Vec::new();
    for outcome in ["declined", "terminated_public_trust"] {
        let (id, submitter) = server.submitted_and_opened(&ombuds, CONCERN).await;
        let written = server
            .client()
            .post(server.at("/api/v1/followup/messages"))
            .header("authorization", format!("Receipt {submitter}"))
            .json(&json!({ "text": said }))
            .send()
            .await
            .unwrap();
        assert_eq!(written.status(), 201);
        close(&server, &ombuds, &id, outcome).await;
        receipts.push(submitter);
    }
    let (status, all) = server
        .api(&ombuds, Method::GET, "/api/v1/letters", None)
        .await;
    assert_eq!(status, 200);
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 4, "a notice and a follow-up letter per case");
    for letter in all {
        let text = letter["text"].as_str().unwrap();
        for secret in [CANARY, said] {
            assert!(!text.contains(secret), "{secret} in a letter:\n{text}");
        }
    }
    for receipt in &receipts {
        for lang in ["en", "es"] {
            let shown = page(&server, receipt, lang).await;
            assert!(!shown.contains(CANARY) && !shown.contains(said), "{shown}");
        }
    }

    // The letters' words are nowhere in the clear: not in the database, its WAL or the key
    // store (the words of the titles and openings are the letters', not the configuration's).
    let clear = [
        "OTHER WAYS TO PURSUE YOUR CONCERN",
        "Other ways to pursue your concern",
        "OTRAS FORMAS DE SEGUIR CON SU INQUIETUD",
        "The formal avenues open to you",
        "THE FORMAL AVENUES OPEN TO YOU",
        "Las vías formales a su alcance",
        "would rather not continue with the ombuds",
        "Informal resolution has ended",
        CANARY,
        said,
    ];
    let files = server.data_files();
    assert!(files.len() >= 3, "{files:?}");
    for (path, bytes) in &files {
        for words in clear {
            assert!(
                !contains(bytes, words),
                "{} holds {words:?} in the clear",
                path.display()
            );
        }
    }
}

on_both_engines!(a_complaint_already_filed_is_dismissed_or_proceeds_and_every_party_is_told);
async fn a_complaint_already_filed_is_dismissed_or_proceeds_and_every_party_is_told(
    engine: Engine,
) {
    let server = server_on(engine);
    let admin = server.admin().await;
    let ombuds = server.staff(&admin, "olivia", "ombuds").await;

    // Case A, marked by the API: the member concerned reads Spanish.
    let (id, submitter) = server.submitted_and_opened(&ombuds, CONCERN).await;
    let (_, member) = add_party(
        &server,
        &ombuds,
        &id,
        json!({"role": "member_concerned", "lang": "es", "receipt": true}),
    )
    .await;
    let member = member.unwrap();
    assert_eq!(
        case_json(&server, &ombuds, &id).await["complaint_filed"],
        false
    );
    let path = format!("/api/v1/cases/{id}/complaint-filed");
    let (status, answer) = server
        .api(
            &ombuds,
            Method::PUT,
            &path,
            Some(json!({"complaint_filed": "yes"})),
        )
        .await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(answer["fields"][0]["field"], "complaint_filed", "{answer}");
    let (status, answer) = server
        .api(
            &ombuds,
            Method::PUT,
            &path,
            Some(json!({"complaint_filed": true})),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["complaint_filed"], true);
    let case = case_json(&server, &ombuds, &id).await;
    assert_eq!(case["complaint_filed"], true);

    // The console tells no suspension story, and the closing table says what closing sends.
    let console = console_page(&server, &ombuds, &format!("/console/cases/{id}")).await;
    let deadline = console
        .split("id=\"deadline-heading\"")
        .nth(1)
        .and_then(|rest| rest.split("</section>").next())
        .unwrap();
    assert!(
        deadline.contains("A formal complaint was already filed: no filing deadline is suspended"),
        "{deadline}"
    );
    assert!(
        deadline.contains(" checked"),
        "the box shows it: {deadline}"
    );
    let table = closing_table(&console);
    let row = |outcome: &str| {
        table
            .iter()
            .find(|r| r[0] == outcome)
            .cloned()
            .unwrap_or_else(|| panic!("no row {outcome}: {table:?}"))
    };
    assert_eq!(
        row("Successfully closed")[1..],
        [
            "letter: the complaint will be dismissed",
            "letter: the complaint will be dismissed"
        ]
    );
    assert_eq!(
        row("Unsuccessfully closed")[1..],
        [
            "termination notice; letter: the complaint proceeds",
            "termination notice; letter: the complaint proceeds"
        ]
    );

    // Recording the termination sends every party the referred notice: no deadline, no
    // certificate.
    let (status, recorded) = server
        .api(
            &ombuds,
            Method::POST,
            &format!("/api/v1/cases/{id}/dates/termination"),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 200, "{recorded}");
    assert!(recorded["letter_id"].is_string(), "{recorded}");
    assert!(recorded["certificate"].is_null(), "{recorded}");
    let letters = letters_of(&server, &ombuds, &reference(&id)).await;
    assert_eq!(
        kinds(&letters),
        [(1, "termination_notice"), (2, "termination_notice")]
    );
    assert!(
        letters[0].2.contains(&REFERRED_EN.to_uppercase()),
        "{}",
        letters[0].2
    );
    assert!(
        letters[1].2.contains(&REFERRED_ES.to_uppercase()),
        "{}",
        letters[1].2
    );
    for (_, _, text) in &letters {
        for absent in ["Certificate of these dates", "BEGIN OMBUDS", CANARY] {
            assert!(!text.contains(absent), "{absent:?} in\n{text}");
        }
    }
    let shown = page(&server, &submitter, "en").await;
    assert!(shown.contains(REFERRED_EN), "{shown}");
    assert!(!shown.contains("BEGIN OMBUDS"));
    assert!(page(&server, &member, "es").await.contains(REFERRED_ES));

    // Once the notices went out, whether a complaint was filed no longer changes.
    let (status, answer) = server
        .api(
            &ombuds,
            Method::PUT,
            &path,
            Some(json!({"complaint_filed": false})),
        )
        .await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(answer["fields"][0]["field"], "complaint_filed", "{answer}");
    let refused = server
        .post_form(
            &ombuds,
            &format!("/console/cases/{id}/complaint-filed"),
            &[],
        )
        .await;
    assert_eq!(refused.status(), 422);
    let refused = decoded(&refused.text().await.unwrap());
    assert!(
        refused.contains("whether a complaint was already filed can no longer be changed"),
        "{refused}"
    );
    assert_eq!(
        case_json(&server, &ombuds, &id).await["complaint_filed"],
        true
    );
    let after = letters_of(&server, &ombuds, &reference(&id)).await;
    assert_eq!(after, letters, "nothing was sent again");

    // Resolved: every party is told the complaint will be dismissed.
    close(&server, &ombuds, &id, "successfully_closed").await;
    let letters = letters_of(&server, &ombuds, &reference(&id)).await;
    assert_eq!(
        kinds(&letters),
        [
            (1, "follow_up_letter"),
            (1, "termination_notice"),
            (2, "follow_up_letter"),
            (2, "termination_notice")
        ]
    );
    assert!(
        letters[0].2.contains(&DISMISSED_EN.to_uppercase()),
        "{}",
        letters[0].2
    );
    assert!(
        letters[2].2.contains(&DISMISSED_ES.to_uppercase()),
        "{}",
        letters[2].2
    );
    for (_, _, text) in &letters {
        assert!(!text.contains(CANARY) && !text.contains("Other ways to resolve it"));
    }
    let shown = page(&server, &submitter, "en").await;
    assert!(shown.contains(DISMISSED_EN), "{shown}");
    let shown = page(&server, &member, "es").await;
    assert!(shown.contains(DISMISSED_ES), "{shown}");
    assert!(!shown.contains(CANARY));

    // Case B, marked with the console's form (and unmarked and marked again), closed without a
    // resolution: the complaint proceeds, every party is told.
    let (id, submitter) = server.submitted_and_opened(&ombuds, CONCERN).await;
    let (_, member) = add_party(
        &server,
        &ombuds,
        &id,
        json!({"role": "designated_broker", "lang": "en", "receipt": true}),
    )
    .await;
    let form = format!("/console/cases/{id}/complaint-filed");
    for (fields, filed) in [
        (&[("complaint_filed", "yes")][..], true),
        (&[][..], false),
        (&[("complaint_filed", "yes")][..], true),
    ] {
        let answer = server.post_form(&ombuds, &form, fields).await;
        assert_eq!(answer.status(), 303);
        assert_eq!(
            answer.headers()["location"],
            format!("/console/cases/{id}?done=complaint_filed#complaint-heading").as_str()
        );
        assert_eq!(
            case_json(&server, &ombuds, &id).await["complaint_filed"],
            filed
        );
    }
    close(&server, &ombuds, &id, "unsuccessfully_closed").await;
    let letters = letters_of(&server, &ombuds, &reference(&id)).await;
    assert_eq!(
        kinds(&letters),
        [
            (1, "follow_up_letter"),
            (1, "termination_notice"),
            (2, "follow_up_letter"),
            (2, "termination_notice")
        ]
    );
    for (_, kind, text) in &letters {
        let title = match kind.as_str() {
            "follow_up_letter" => PROCEEDS_EN,
            _ => REFERRED_EN,
        };
        assert!(text.contains(&title.to_uppercase()), "{text}");
        assert!(!text.contains("BEGIN OMBUDS") && !text.contains(CANARY));
    }
    for receipt in [submitter, member.unwrap()] {
        let shown = page(&server, &receipt, "en").await;
        assert!(shown.contains(PROCEEDS_EN), "{shown}");
        assert!(shown.contains(REFERRED_EN), "{shown}");
    }
}

on_both_engines!(the_closing_form_says_what_each_party_receives_and_warns_of_an_unread_message);
async fn the_closing_form_says_what_each_party_receives_and_warns_of_an_unread_message(
    engine: Engine,
) {
    let server = server_on(engine);
    let admin = server.admin().await;
    let ombuds = server.staff(&admin, "olivia", "ombuds").await;
    let (id, submitter) = server.submitted_and_opened(&ombuds, CONCERN).await;
    let (member_id, member) = add_party(
        &server,
        &ombuds,
        &id,
        json!({"role": "member_concerned", "lang": "en", "receipt": true}),
    )
    .await;
    let member = member.unwrap();
    let case_path = format!("/console/cases/{id}");

    let table = closing_table(&console_page(&server, &ombuds, &case_path).await);
    let expected: Vec<Vec<&str>> = vec![
        vec![
            "Outcome",
            "Party 1: The person who raised it (on their follow-up page)",
            "Party 2: Member the concern is about (on their follow-up page)",
        ],
        vec!["Successfully closed", "nothing", "nothing"],
        vec![
            "Unsuccessfully closed",
            "termination notice; follow-up letter: no resolution, the other options",
            "termination notice",
        ],
        vec![
            "Dismissed (outside the program's scope)",
            "termination notice; follow-up letter: outside the program's scope, the other options",
            "termination notice",
        ],
        vec![
            "Declined by the user (mediation or formal complaint)",
            "termination notice; follow-up letter: declined, the other options",
            "termination notice",
        ],
        vec![
            "Terminated: possible public trust violation",
            "termination notice; follow-up letter: the formal avenues",
            "termination notice",
        ],
        vec![
            "Withdrawn by the user",
            "termination notice; follow-up letter: withdrawn, the other options",
            "termination notice",
        ],
    ];
    let mut rows = table.clone();
    rows[1..].sort();
    let mut want = expected.clone();
    want[1..].sort();
    assert_eq!(rows, want, "{table:?}");

    // No message from the ombuds yet: no warning.
    let shown = console_page(&server, &ombuds, &case_path).await;
    assert_eq!(unread_warning(&shown), None);

    // A reply to the submitter, and one to the member, neither opened yet.
    let (status, _) = server
        .api(
            &ombuds,
            Method::POST,
            &format!("/api/v1/cases/{id}/replies"),
            Some(json!({"text": "I have called the listing broker."})),
        )
        .await;
    assert_eq!(status, 201);
    let warning = unread_warning(&console_page(&server, &ombuds, &case_path).await)
        .expect("a warning for the submitter's unread reply");
    assert!(
        warning.contains("Party 1: The person who raised it"),
        "{warning}"
    );
    assert!(!warning.contains("Party 2"), "{warning}");
    let (status, _) = server
        .api(
            &ombuds,
            Method::POST,
            &format!("/api/v1/cases/{id}/parties/{member_id}/messages"),
            Some(json!({"text": "Please call me about the deposit."})),
        )
        .await;
    assert_eq!(status, 201);

    // A party with no receipt, whose thread holds what the ombuds logged of a telephone call:
    // nobody can open it, so it is never unread.
    let (caller_id, none) = add_party(
        &server,
        &ombuds,
        &id,
        json!({"role": "other_party", "lang": "en", "receipt": false}),
    )
    .await;
    assert_eq!(none, None);
    let (status, _) = server
        .api(
            &ombuds,
            Method::POST,
            &format!("/api/v1/cases/{id}/parties/{caller_id}/messages"),
            Some(json!({"text": "Called them; they will send the addendum."})),
        )
        .await;
    assert_eq!(status, 201);
    let warning = unread_warning(&console_page(&server, &ombuds, &case_path).await).unwrap();
    assert!(
        warning.contains("Party 1: The person who raised it")
            && warning.contains("Party 2: Member the concern is about"),
        "{warning}"
    );
    assert!(
        !warning.contains("Party 3"),
        "a party without a receipt: {warning}"
    );

    // The submitter opens the follow-up page: party 1 is no longer named; then the member.
    page(&server, &submitter, "en").await;
    let warning = unread_warning(&console_page(&server, &ombuds, &case_path).await).unwrap();
    assert!(!warning.contains("Party 1"), "{warning}");
    assert!(
        warning.contains("Party 2: Member the concern is about"),
        "{warning}"
    );
    page(&server, &member, "es").await;
    let shown = console_page(&server, &ombuds, &case_path).await;
    assert_eq!(unread_warning(&shown), None);
    assert!(!shown.contains("Your last message has not been read"));
}

#[test]
fn a_bad_letters_entry_is_refused_naming_its_list() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("d");
    crate::support::init(&dir);
    let config = dir.join("ombuds.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    for (bad, setting, said) in [
        (
            "[[letters.options]]\nphone = \"555-0111\"\n",
            "letters.options",
            "every entry needs a name",
        ),
        (
            "[[letters.agencies]]\nname = \"State Department of Real Estate\"\n",
            "letters.agencies",
            "State Department of Real Estate: give at least one of phone",
        ),
        (
            "[[letters.agencies]]\nname = \"  \"\nweb = \"https://example.gov\"\n",
            "letters.agencies",
            "every entry needs a name",
        ),
    ] {
        std::fs::write(&config, format!("{text}\n{bad}")).unwrap();
        let config = config.to_str().unwrap();
        for args in [
            vec!["check", "--config", config],
            vec!["serve", "--config", config, "--listen", "127.0.0.1:0"],
        ] {
            let command = args[0];
            let out = crate::support::run(root.path(), &args);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{command} {bad}: {stderr}");
            assert!(stderr.contains(setting), "{command} {bad}: {stderr}");
            assert!(stderr.contains(said), "{command} {bad}: {stderr}");
        }
    }
    // The same entries, complete, are accepted.
    std::fs::write(&config, with_letters(text)).unwrap();
    let out = crate::support::run(
        root.path(),
        &["check", "--config", config.to_str().unwrap()],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

on_both_engines!(a_caller_s_follow_up_letter_waits_to_be_printed_and_sent);
async fn a_caller_s_follow_up_letter_waits_to_be_printed_and_sent(engine: Engine) {
    let server = TestServer::start_on(engine);
    let admin = server.admin().await;
    let ombuds = server.staff(&admin, "olga", "ombuds").await;
    // A caller without a receipt, who left a postal address.
    let (status, created) = server
        .api(
            &ombuds,
            Method::POST,
            "/api/v1/cases",
            Some(json!({
                "channel": "phone", "category": "conduct", "raised_by": "client",
                "description": CONCERN, "contact": "Sam Caller\n44 Desert Road\nTempe AZ",
                "first_contact": "2026-02-27", "conditions_read": true,
            })),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    let (status, _) = server
        .api(
            &ombuds,
            Method::POST,
            &format!("/api/v1/cases/{id}/close"),
            Some(json!({ "outcome": "withdrawn" })),
        )
        .await;
    assert_eq!(status, 200);
    let (_, letters) = server
        .api(&ombuds, Method::GET, "/api/v1/letters", None)
        .await;
    let follow_up = letters
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["kind"] == "follow_up_letter")
        .unwrap_or_else(|| panic!("no follow-up letter: {letters}"));
    // Addressed to where it must be posted, still to send, and printable from the console.
    assert_eq!(follow_up["delivery"]["status"], "pending", "{follow_up}");
    assert_eq!(follow_up["party"], 1);
    let text = follow_up["text"].as_str().unwrap();
    assert!(
        text.contains("Sam Caller\n44 Desert Road\nTempe AZ"),
        "{text}"
    );
    assert!(text.contains("You withdrew your concern".to_uppercase().as_str()));
    assert!(!text.contains(CANARY));
    let letter_id = follow_up["id"].as_str().unwrap();
    let printable = server
        .as_staff(
            &ombuds,
            Method::GET,
            &format!("/console/letters/{letter_id}"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(printable.status(), 200);
    assert!(
        printable
            .text()
            .await
            .unwrap()
            .contains("<h1>You withdrew your concern</h1>")
    );
    // The ombuds records posting it; the letter then says so.
    let (status, marked) = server
        .api(
            &ombuds,
            Method::POST,
            &format!("/api/v1/letters/{letter_id}/sent"),
            Some(json!({ "sent_by": "post" })),
        )
        .await;
    assert_eq!(status, 200, "{marked}");
    let (_, letters) = server
        .api(&ombuds, Method::GET, "/api/v1/letters", None)
        .await;
    let posted = letters
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == letter_id)
        .unwrap();
    assert_eq!(posted["delivery"]["sent_by"], "post", "{posted}");
}
