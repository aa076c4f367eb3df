//! The whole service in a real browser: headless Chromium (Debian's `chromium`), driven by
//! `tests/browser/journeys.mjs` with `playwright-core`, against the real server. The journeys of
//! issue 10, in English and in Spanish:
//!
//! 1. two submitters with JavaScript off, at phone width, in a browser of their own language,
//!    file concerns and keep their receipts (the English one with the keyboard only, after
//!    sending the empty form and meeting the announced errors; the Spanish one after choosing
//!    Español with the header link). Each types a date as the page says and gets it back
//!    intact; the receipt page survives a reload, the language link and Back, and its
//!    "hide" button hides it; on a 390 px screen the link under the heading is on the first
//!    screen and takes the focus to the form (issue 21);
//! 2. weeks later an ombuds signs in with password and TOTP, opens each case, writes a note,
//!    replies, and records the termination date, which issues the notice;
//! 3. each submitter reads the reply and the notice with the receipt (typed and sent with the
//!    keyboard only in English), answers, opens the printable notice and checks its certificate
//!    on `/verify` (and sees a changed one refused);
//! 4. the ombuds closes the cases; the submitters still read the notice with the receipt;
//! 5. after the quarter, a board member opens its report and downloads the CSV;
//! 6. separately, with proof of work required, a submitter whose browser runs scripts gets
//!    through in both languages because the page's own script solves the puzzle.
//!
//! On every page the script runs axe-core (no serious or critical violation), checks that the
//! page fits a 320 px screen and asks nothing of another site, and saves screenshots at 320 and
//! 1280 px under `target/browser-screenshots/`.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use crate::support::{Engine, Options, PASSWORD, TestServer, on_both_engines};

const CHROMIUM: &str = "/usr/bin/chromium";

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// Where this run's screenshots go.
fn screenshots(engine: Engine) -> PathBuf {
    let name = match engine {
        Engine::Sqlite => "sqlite",
        Engine::Postgres => "postgres",
    };
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/browser-screenshots")
        .join(name)
}

/// Runs one phase of the browser script and returns its result.
fn journey(server: &TestServer, shots: &Path, phase: &str, input: &Value) -> Value {
    let dir = browser_dir();
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: install Debian's browser with \
         `sudo apt-get install chromium chromium-driver` (.ci/run does)"
    );
    assert!(
        dir.join("node_modules/playwright-core").exists()
            && dir.join("node_modules/axe-core").exists(),
        "the browser tests' npm packages are missing: run \
         `PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix tests/browser` (.ci/run does; it needs \
         Debian's `nodejs` and `npm`)"
    );
    let output = Command::new("node")
        .arg(dir.join("journeys.mjs"))
        .arg(phase)
        .env("OMBUDS_URL", &server.url)
        .env("OMBUDS_SHOTS", shots)
        .env("OMBUDS_INPUT", input.to_string())
        .env("OMBUDS_CHROMIUM", CHROMIUM)
        .current_dir(&dir)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run node ({e}): install it with `sudo apt-get install nodejs npm`")
        });
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "browser phase {phase} failed:\n{stderr}\n{stdout}\n--- server log ---\n{}",
        server
            .logs()
            .lines()
            .rev()
            .take(40)
            .collect::<Vec<_>>()
            .join("\n")
    );
    let result = stdout
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("RESULT "))
        .unwrap_or_else(|| panic!("browser phase {phase} printed no result:\n{stdout}\n{stderr}"));
    let result: Value = serde_json::from_str(result).unwrap();
    for audit in result["audits"].as_array().unwrap() {
        eprintln!("axe {phase}: {} {}", audit["page"], audit["violations"]);
    }
    result
}

/// A fresh TOTP step, and its code.
fn code(server: &TestServer, secret: &ombuds::crypto::totp::TotpSecret) -> String {
    server.advance(30);
    server.code(secret)
}

on_both_engines!(every_journey_in_a_real_browser_in_both_languages);
async fn every_journey_in_a_real_browser_in_both_languages(engine: Engine) {
    let started = std::time::Instant::now();
    let shots = screenshots(engine);
    let _ = std::fs::remove_dir_all(&shots);
    eprintln!("browser screenshots: {}", shots.display());
    // Monday 2 February 2026, 10:00 in Phoenix.
    let server = TestServer::start_with(Options {
        engine,
        now: "2026-02-02T17:00:00Z".into(),
        edit_config: Box::new(|c| {
            c.replace(
                "name = \"Example Association of REALTORS®\"",
                "name = \"Sonoran Valley Association of REALTORS®\"",
            )
            .replace(
                "# postal_address = \"123 Main Street, Phoenix, AZ 85001\"",
                "postal_address = \"123 Main Street, Phoenix, AZ 85001\"",
            )
        }),
        ..Options::default()
    });
    let admin = server.admin().await;
    let ombuds = server.enrol_staff(&admin, "olivia", "ombuds").await;
    let board = server.enrol_staff(&admin, "bea", "board").await;

    // 1. Two submitters, JavaScript off.
    // Each browser speaks its submitter's language. Both type a date as the page says, key by
    // key; the English one then removes it again (to send a concern without dates).
    let english = json!({
        "lang": "en", "keyboard": true, "locale": "en-US",
        // Not the first choice in either group, so the arrow keys are needed to reach them.
        "category": "conduct", "raised_by": "client",
        "description": "The buyer's agent will not tell me when the repairs are done.",
        "typed_date": "2026-01-20", "date_words": "year-month-day",
    });
    let spanish = json!({
        "lang": "es", "keyboard": false, "locale": "es-ES",
        "category": "commission", "raised_by": "client", "concluded_on": "2026-01-10",
        "description": "La comisión cambió después del cierre y nadie me explicó por qué.",
        "typed_date": "2026-01-10", "date_words": "año-mes-día",
    });
    let mut receipts = Vec::new();
    for submitter in [&english, &spanish] {
        let shots = shots.join(format!("1-submit-{}", submitter["lang"].as_str().unwrap()));
        let done = journey(&server, &shots, "submit", submitter);
        let (expected, not_found) = match submitter["lang"].as_str() {
            Some("es") => ("El ombuds recibió su inquietud", "Página no encontrada"),
            _ => ("The ombuds has your concern", "Page not found"),
        };
        assert_eq!(done["heading"], expected);
        assert_eq!(done["not_found"], not_found);
        assert_eq!(done["date_echo"], submitter["typed_date"]);
        receipts.push(done["receipt"].as_str().unwrap().to_owned());
    }

    // 2. On Friday 13 March 2026 the ombuds works both cases and ends informal resolution.
    server.set_clock("2026-03-13T17:00:00Z");
    let cases = json!([
        {"description": english["description"], "note": "Call the listing broker on Monday.",
         "reply": "Thank you. I have spoken with the agent; the repairs end on Friday."},
        {"description": spanish["description"], "note": "Ask the broker for the split sheet.",
         "reply": "Gracias. La oficina le enviará el desglose de la comisión esta semana."},
    ]);
    let worked = journey(
        &server,
        &shots.join("2-ombuds"),
        "ombuds",
        &json!({"username": "olivia", "password": PASSWORD, "code": code(&server, &ombuds),
                "cases": cases, "termination": "2026-03-13"}),
    );
    assert_eq!(worked["handled"].as_array().unwrap().len(), 2);

    // 3. Each submitter reads the reply and the notice, and verifies the certificate.
    for (index, (submitter, receipt)) in [&english, &spanish].iter().zip(&receipts).enumerate() {
        let lang = submitter["lang"].as_str().unwrap();
        let read = journey(
            &server,
            &shots.join(format!("3-followup-{lang}")),
            "followup",
            &json!({"lang": lang, "receipt": receipt, "reply": cases[index]["reply"],
                    "message": "Gracias / thank you.", "keyboard": lang == "en"}),
        );
        let certificate = read["certificate"].as_str().unwrap();
        assert!(
            certificate.contains("First-Contact: 2026-02-02"),
            "{certificate}"
        );
        assert!(
            certificate.contains("Termination: 2026-03-13"),
            "{certificate}"
        );
        assert!(certificate.contains("Days-Suspended: 40"), "{certificate}");
        let verified = read["verified"].as_str().unwrap();
        let says = match lang {
            "es" => {
                "empezó el lunes, 2 de febrero de 2026 y terminó el viernes, 13 de marzo de 2026"
            }
            _ => "began on Monday, 2 February 2026 and ended on Friday, 13 March 2026",
        };
        assert!(verified.contains(says), "{verified}");
        // The steps of the deadline in the page's language: the English submitter gave no
        // dates, so one sentence says how to work it out; the Spanish one gave the conclusion.
        let steps = read["steps"].as_array().unwrap();
        let first = steps[0].as_str().unwrap();
        match lang {
            "es" => {
                assert!(
                    first.starts_with("Los 180 días se cuentan a partir del sábado 2026-01-10"),
                    "{steps:?}"
                );
                assert_eq!(steps.len(), 7, "{steps:?}");
            }
            _ => assert!(
                first.starts_with("Without the date the transaction or event ended")
                    && first.contains("the 40 days from Monday 2026-02-02 to Friday 2026-03-13"),
                "{steps:?}"
            ),
        }
    }

    // 4. The ombuds closes both cases; the notice stays readable with the receipt.
    let closed = journey(
        &server,
        &shots.join("4-close"),
        "close",
        &json!({"username": "olivia", "password": PASSWORD, "code": code(&server, &ombuds),
                "cases": 2, "outcome": "successfully_closed"}),
    );
    assert_eq!(closed["closed"], 2);
    for (submitter, receipt) in [&english, &spanish].iter().zip(&receipts) {
        let lang = submitter["lang"].as_str().unwrap();
        let read = journey(
            &server,
            &shots.join(format!("5-closed-{lang}")),
            "followup",
            &json!({"lang": lang, "receipt": receipt, "closed": true}),
        );
        assert!(
            !read["main"]
                .as_str()
                .unwrap()
                .contains(submitter["description"].as_str().unwrap()),
            "the closed case still shows the concern"
        );
    }

    // 5. In April the first quarter is released; the board reads it and downloads the CSV.
    server.set_clock("2026-04-02T17:00:00Z");
    let report = journey(
        &server,
        &shots.join("6-board"),
        "board",
        &json!({"username": "bea", "password": PASSWORD, "code": code(&server, &board),
                "period": "2026Q1"}),
    );
    let csv = report["csv"].as_str().unwrap();
    assert!(
        csv.starts_with("table,row,row_label,column,column_label,value"),
        "{csv}"
    );
    assert!(csv.contains(",2026-03,March,"), "{csv}");
    assert!(
        report["filename"].as_str().unwrap().contains("2026Q1"),
        "{report}"
    );
    for secret in [&english["description"], &spanish["description"]] {
        assert!(!csv.contains(secret.as_str().unwrap()), "{csv}");
    }
    eprintln!(
        "browser journeys on {engine:?}: {:.1} s; screenshots in {}",
        started.elapsed().as_secs_f64(),
        shots.display()
    );
}

/// Issue 19 in a real browser, with no script: the ombuds adds the member concerned (Spanish,
/// with a receipt) and prints its invitation, writes the plan; the member opens its own thread
/// at phone width, writes, and accepts; the submitter accepts; the plan is agreed. Every page
/// passes axe and fits 320 px. One engine is enough: the other runs the same pages.
#[tokio::test]
async fn two_parties_and_their_plan_in_a_real_browser() {
    let shots = screenshots(Engine::Sqlite).with_file_name("parties");
    let _ = std::fs::remove_dir_all(&shots);
    let server = TestServer::start_with(Options {
        engine: Engine::Sqlite,
        now: "2026-03-02T17:00:00Z".into(),
        ..Options::default()
    });
    let admin = server.admin().await;
    let secret = server.enrol_staff(&admin, "olivia", "ombuds").await;
    let concern = "CANARY-browser-concern The agent kept the earnest money.";
    let staff = server.sign_in("olivia", &secret).await;
    let (id, submitter) = server.submitted_and_opened(&staff, concern).await;
    server.advance(30);
    let terms = "The agent returns the earnest money by Friday 6 March.";
    let added = journey(
        &server,
        &shots,
        "parties",
        &json!({"username": "olivia", "password": PASSWORD, "code": code(&server, &secret),
                "case": format!("/console/cases/{id}"), "name": "Pat Member", "terms": terms}),
    );
    let receipt = added["receipt"].as_str().unwrap().to_owned();
    let message = "Devolveré el dinero el viernes.";
    journey(
        &server,
        &shots,
        "member",
        &json!({"receipt": receipt, "terms": terms, "message": message,
                "hidden": [concern, "Pat Member"]}),
    );
    let accepted = server
        .client()
        .post(server.at("/api/v1/followup/plan"))
        .header("authorization", format!("Receipt {submitter}"))
        .json(&json!({"version": 1, "answer": "accepted"}))
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), 200);
    let accepted: Value = accepted.json().await.unwrap();
    assert_eq!(accepted["agreed_on"], "2026-03-02");
    let mine = server.followup(&submitter, "").await;
    assert!(!mine.to_string().contains(message), "{mine}");

    // Termination delivers a notice to each party, each in its language.
    server.advance(30);
    let delivered = journey(
        &server,
        &shots,
        "notices",
        &json!({"username": "olivia", "password": PASSWORD, "code": code(&server, &secret),
                "case": format!("/console/cases/{id}"), "name": "Pat Member",
                "member": receipt, "submitter": submitter,
                "hidden_from_member": [concern, "BEGIN OMBUDS"],
                "hidden_from_submitter": [message, "Pat Member"]}),
    );
    let listed = delivered["listed"].as_str().unwrap();
    assert!(
        !listed.contains("not opened yet"),
        "both read theirs: {listed}"
    );
}

/// Issue 21, item 8, in a real browser with no script: on a telephone contact's page the ombuds
/// records a period without membership (the deadline counts it) and issues the caller a receipt
/// whose printable Spanish page passes axe and fits 320 px; the receipt then opens the caller's
/// thread. One engine is enough.
#[tokio::test]
async fn a_caller_gets_a_receipt_and_a_period_without_membership_in_a_real_browser() {
    let shots = screenshots(Engine::Sqlite).with_file_name("caller");
    let _ = std::fs::remove_dir_all(&shots);
    let server = TestServer::start_on(Engine::Sqlite);
    let admin = server.admin().await;
    let secret = server.enrol_staff(&admin, "olivia", "ombuds").await;
    let staff = server.sign_in("olivia", &secret).await;
    let logged = server
        .as_staff(&staff, reqwest::Method::POST, "/api/v1/cases")
        .json(
            &json!({"channel": "phone", "category": "commission", "raised_by": "member",
                      "description": "The co-op broker will not pay the split.",
                      "first_contact": "2026-02-27", "concluded_on": "2026-01-10", "conditions_read": true}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(logged.status(), 201);
    let id = logged.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    server.advance(30);
    let done = journey(
        &server,
        &shots,
        "caller",
        &json!({"username": "olivia", "password": PASSWORD, "code": code(&server, &secret),
                "case": format!("/console/cases/{id}"), "from": "2026-01-20", "to": "2026-01-29"}),
    );
    // Informal resolution is still open, so the countdown is frozen, with the ten days counted.
    assert!(
        done["deadline"].as_str().unwrap().contains("paused"),
        "{done}"
    );
    let receipt = done["receipt"].as_str().unwrap();
    let thread = server.followup(receipt, "").await;
    assert_eq!(
        thread["concern"]["description"],
        "The co-op broker will not pay the split."
    );
}

/// Issue 21, item 10, in a real browser with no script: the enrolment page states the
/// password's rules before the first attempt, and finishing it lands on the account's home
/// page, signed in, with no second code. One engine is enough.
#[tokio::test]
async fn the_first_administrator_enrols_in_a_real_browser_and_is_signed_in() {
    let shots = screenshots(Engine::Sqlite).with_file_name("enrolment");
    let _ = std::fs::remove_dir_all(&shots);
    let server = TestServer::start_on(Engine::Sqlite);
    let token = server.setup_token();
    let shown: Value = server
        .client()
        .get(server.at(&format!("/api/v1/enrolments/{token}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret = ombuds::crypto::totp::TotpSecret::from_bytes(
        &data_encoding::BASE32_NOPAD
            .decode(shown["totp_secret"].as_str().unwrap().as_bytes())
            .unwrap(),
    )
    .unwrap();
    let done = journey(
        &server,
        &shots,
        "enrol",
        &json!({"token": token, "username": "ada", "password": PASSWORD,
                "code": server.code(&secret), "home": "/admin", "invitee": "olivia",
                "rules": ["be 12 to 256 characters long", "not contain your username",
                          "be typed the same twice"]}),
    );
    assert!(done["main"].as_str().unwrap().contains("ada"), "{done}");
}

/// With proof of work on and no room at all for unproven concerns, a submitter whose browser runs
/// scripts still gets through, in both languages: the page's `/static/pow.js` solves the puzzle
/// as the page opens, and the form carries the proof. One engine is enough: the puzzle never
/// reaches the database.
#[tokio::test]
async fn the_page_script_solves_the_proof_of_work_in_a_real_browser() {
    let shots = screenshots(Engine::Sqlite).with_file_name("proof-of-work");
    let _ = std::fs::remove_dir_all(&shots);
    let server = TestServer::start_with(Options {
        engine: Engine::Sqlite,
        edit_config: Box::new(|config| {
            format!(
                "{config}\n[limits]\nqueue_wait_ms = 0\n[limits.proof_of_work]\nenabled = true\n\
                 difficulty_bits = 12\n[limits.proof_of_work.unproven]\nconcurrent = 0\nqueue = 0\n"
            )
        }),
        ..Options::default()
    });
    // Without a proof the concern is turned away (that is what the settings above say), so a
    // receipt in the browser means the script's proof was made and accepted.
    let unproven = server
        .client()
        .post(server.at("/concerns"))
        .form(&[
            ("category", "conduct"),
            ("raised_by", "client"),
            ("description", "Sent without the puzzle solved."),
            ("accept_conditions", "yes"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(unproven.status(), 503);
    for (lang, description) in [
        ("en", "The listing photos hid water damage."),
        ("es", "Las fotos del anuncio ocultaban daños por agua."),
    ] {
        let result = journey(
            &server,
            &shots,
            "proof",
            &json!({
                "lang": lang, "category": "conduct", "raised_by": "client",
                "description": description,
            }),
        );
        let receipt = result["receipt"].as_str().unwrap();
        let thread = server.followup(receipt, "").await;
        assert_eq!(thread["concern"]["description"], description);
    }
}

/// Issue 20, items 1 and 7, in a real browser with no script: the ombuds reads the closing
/// form's table of what each party receives and closes one case per outcome on the case page;
/// each submitter then finds, with the receipt, the termination notice and the follow-up letter
/// of its outcome (in English, or in Spanish), with the `[letters]` agency among the formal
/// avenues of a public-trust close; the member concerned finds only its notice; a successful
/// close leaves nothing to open. One server, one engine: the other runs the same pages.
#[tokio::test]
async fn one_case_per_outcome_closed_and_each_letter_read_in_a_real_browser() {
    const AGENCY: &str = "Arizona Department of Real Estate";
    let started = std::time::Instant::now();
    let shots = screenshots(Engine::Sqlite).with_file_name("outcomes");
    let _ = std::fs::remove_dir_all(&shots);
    let server = TestServer::start_with(Options {
        engine: Engine::Sqlite,
        edit_config: Box::new(|c| {
            format!(
                "{c}\n[[letters.options]]\nname = \"Ethics mediation\"\nphone = \"555-0111\"\n\
                 [[letters.agencies]]\nname = \"{AGENCY}\"\nweb = \"https://azre.example.gov\"\n"
            )
        }),
        ..Options::default()
    });
    let admin = server.admin().await;
    let secret = server.enrol_staff(&admin, "olivia", "ombuds").await;
    let staff = server.sign_in("olivia", &secret).await;
    // (outcome, the submitter's language, the follow-up letter's title in it, the notice's).
    let notice_en = "Informal resolution has ended";
    let notice_es = "La resolución informal ha terminado";
    let outcomes = [
        (
            "unsuccessfully_closed",
            "en",
            "Informal resolution ended without a resolution",
            notice_en,
        ),
        (
            "dismissed",
            "es",
            "Su inquietud queda fuera del alcance del programa de ombuds",
            notice_es,
        ),
        (
            "declined",
            "en",
            "Other ways to pursue your concern",
            notice_en,
        ),
        ("withdrawn", "es", "Usted retiró su inquietud", notice_es),
        (
            "terminated_public_trust",
            "en",
            "The formal avenues open to you",
            notice_en,
        ),
        ("successfully_closed", "en", "", ""),
        // Resolved with a plan every party agreed: the signed resolution certificate.
        (
            "successfully_closed",
            "es",
            "Certificado de una resolución acordada",
            "",
        ),
    ];
    let titles: Vec<&str> = outcomes
        .iter()
        .map(|o| o.2)
        .filter(|t| !t.is_empty())
        .collect();
    let concern = "CANARY-browser-outcomes The agent kept the earnest money.";
    let mut cases = Vec::new();
    let mut readers = Vec::new();
    let mut resolved = None;
    for (index, (outcome, lang, title, notice)) in outcomes.iter().enumerate() {
        // Opened one by one: the newest in the inbox is the only new case there.
        let receipt = server.submit(concern).await;
        let (_, listed) = server
            .api(&staff, reqwest::Method::GET, "/api/v1/cases", None)
            .await;
        let new: Vec<&Value> = listed
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["status"] == "new")
            .collect();
        assert_eq!(new.len(), 1, "{listed}");
        let id = new[0]["id"].as_str().unwrap().to_owned();
        let (status, _) = server
            .api(
                &staff,
                reqwest::Method::POST,
                &format!("/api/v1/cases/{id}/open"),
                None,
            )
            .await;
        assert_eq!(status, 200);
        cases.push(json!({"case": format!("/console/cases/{id}"), "outcome": outcome}));
        if *outcome == "successfully_closed" && title.is_empty() {
            resolved = Some(receipt);
            continue;
        }
        if *outcome == "successfully_closed" {
            // The ombuds writes the plan and the person accepts it: it is agreed.
            let (status, _) = server
                .api(
                    &staff,
                    reqwest::Method::PUT,
                    &format!("/api/v1/cases/{id}/plan"),
                    Some(json!({"terms": "The broker refunds the deposit by Friday."})),
                )
                .await;
            assert_eq!(status, 200);
            let accepted = server
                .client()
                .post(server.at("/api/v1/followup/plan"))
                .header("authorization", format!("Receipt {receipt}"))
                .json(&json!({"version": 1, "answer": "accepted"}))
                .send()
                .await
                .unwrap();
            assert_eq!(accepted.status(), 200);
        }
        let mut shown = vec![*title, *notice];
        shown.retain(|s| !s.is_empty());
        if *outcome == "successfully_closed" {
            shown.push("BEGIN OMBUDS RESOLUTION CERTIFICATE");
        }
        if *outcome == "terminated_public_trust" {
            shown.push(AGENCY);
        }
        let hidden: Vec<&str> = titles
            .iter()
            .copied()
            .filter(|t| t != title)
            .chain([concern])
            .collect();
        readers.push(
            json!({"name": format!("{outcome}-{lang}"), "receipt": receipt, "lang": lang,
                            "shown": shown, "hidden": hidden, "inspect": index < 2}),
        );
        if index == 0 {
            // The first case has the member concerned too, with a receipt.
            let (status, added) = server
                .api(
                    &staff,
                    reqwest::Method::POST,
                    &format!("/api/v1/cases/{id}/parties"),
                    Some(json!({"role": "member_concerned", "lang": "en", "receipt": true})),
                )
                .await;
            assert_eq!(status, 201);
            let mut hidden = titles.clone();
            hidden.push(concern);
            readers.push(
                json!({"name": "member-en", "receipt": added["receipt"], "lang": "en",
                                "shown": [notice_en], "hidden": hidden, "inspect": true}),
            );
        }
    }
    server.advance(30);
    let done = journey(
        &server,
        &shots,
        "outcomes",
        &json!({"username": "olivia", "password": PASSWORD, "code": code(&server, &secret),
                "cases": cases, "readers": readers}),
    );
    let table = done["table"].as_array().unwrap();
    assert_eq!(
        table[0],
        json!([
            "Outcome",
            "Party 1: The person who raised it (on their follow-up page)",
            "Party 2: Member the concern is about (on their follow-up page)"
        ]),
        "{table:?}"
    );
    assert!(
        table.contains(&json!([
            "Unsuccessfully closed",
            "termination notice; follow-up letter: no resolution, the other options",
            "termination notice"
        ])),
        "{table:?}"
    );
    assert!(
        table.contains(&json!(["Successfully closed", "nothing", "nothing"])),
        "{table:?}"
    );
    assert_eq!(done["read"].as_array().unwrap().len(), 7, "{done}");
    // The resolved case kept nothing for its receipt to open.
    let answer = server
        .client()
        .get(server.at("/api/v1/followup"))
        .header("authorization", format!("Receipt {}", resolved.unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 404);
    eprintln!(
        "browser outcomes journey: {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
