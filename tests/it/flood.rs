//! Flood limits through a real server: an audience over its budget is answered 503 with
//! Retry-After while other audiences answer; the connection cap holds connections back until
//! one closes; per-client limits apply per hashed client, forget everyone at the next date and
//! leave no address in logs or files; proof of work is accepted once, refused when replayed,
//! expired or forged, and the form still works without JavaScript.

use std::io::Write;
use std::net::TcpStream;
use std::time::Duration;

use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{Engine, Options, TestServer, contains, on_both_engines, pow, valid_concern};

/// A server with `limits` appended to its configuration (a `[limits]` table and sub-tables).
fn with_limits(engine: Engine, limits: &'static str) -> TestServer {
    TestServer::start_with(Options {
        engine,
        edit_config: Box::new(move |config| format!("{config}\n{limits}\n")),
        ..Options::default()
    })
}

on_both_engines!(an_audience_over_its_budget_is_shed_with_retry_after_and_others_still_answer);
async fn an_audience_over_its_budget_is_shed_with_retry_after_and_others_still_answer(
    engine: Engine,
) {
    let server = with_limits(
        engine,
        "[limits]\nqueue_wait_ms = 0\nretry_after_seconds = 7\n\
         [limits.intake]\nconcurrent = 1\nqueue = 0\n",
    );
    let receipt = server
        .submit("My own concern, sent before the flood.")
        .await;
    let client = server.client();
    let mut shed_json = 0;
    let mut stored = 0;
    for _round in 0..10 {
        let answers = join_all((0..40).map(|i| {
            let request = client.post(server.at("/api/v1/concerns"));
            let mut concern = valid_concern();
            concern["description"] = format!("Flood concern {i}").into();
            async move { request.json(&concern).send().await.unwrap() }
        }))
        .await;
        for answer in answers {
            match answer.status() {
                StatusCode::CREATED => stored += 1,
                StatusCode::SERVICE_UNAVAILABLE => {
                    assert_eq!(answer.headers()["retry-after"], "7");
                    let body: Value = answer.json().await.unwrap();
                    assert!(
                        body["error"].as_str().unwrap().contains("very busy"),
                        "{body}"
                    );
                    shed_json += 1;
                }
                other => panic!("unexpected answer {other}"),
            }
        }
        if shed_json > 0 {
            break;
        }
    }
    assert!(
        shed_json > 0,
        "40 concurrent submissions over a budget of one: none shed"
    );
    assert!(stored > 0, "the intake still took some concerns");

    // The HTML form is shed with a page, and the same header.
    let mut shed_page = None;
    for _round in 0..10 {
        let answers = join_all((0..40).map(|_| {
            client
                .post(server.at("/concerns"))
                .form(&[
                    ("category", "conduct"),
                    ("raised_by", "public"),
                    ("description", "A form sent in a flood."),
                    ("accept_conditions", "yes"),
                ])
                .send()
        }))
        .await;
        for answer in answers {
            let answer = answer.unwrap();
            if answer.status() == StatusCode::SERVICE_UNAVAILABLE {
                assert_eq!(answer.headers()["retry-after"], "7");
                shed_page = Some(answer.text().await.unwrap());
            }
        }
        if shed_page.is_some() {
            break;
        }
    }
    let page = shed_page.expect("no form submission was shed");
    assert!(
        page.contains("Temporarily unavailable") && page.contains("very busy"),
        "{page}"
    );

    // While the intake is flooded, the follow-up (its own budget) answers.
    let flood = {
        let client = client.clone();
        let url = server.at("/api/v1/concerns");
        tokio::spawn(async move {
            for _ in 0..5 {
                join_all((0..40).map(|_| client.post(&url).json(&valid_concern()).send())).await;
            }
        })
    };
    for _ in 0..5 {
        let answer = client
            .get(server.at("/api/v1/followup"))
            .header("authorization", format!("Receipt {receipt}"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            answer.status(),
            200,
            "the follow-up answers during the flood"
        );
    }
    flood.await.unwrap();
    // The operator is told, with a count and nothing about the requests.
    let logs = server.logs();
    let line = logs
        .lines()
        .find(|line| line.contains("overloaded"))
        .expect("shedding is reported in the log");
    assert!(line.contains("audience=\"intake\""), "{line}");
    assert!(!line.contains("127.0.0.1"), "{line}");
    let peak = server.peak_rss_kib();
    assert!(peak < 256 * 1024, "peak RSS {peak} KiB");
}

on_both_engines!(connections_beyond_the_cap_wait_until_one_closes);
async fn connections_beyond_the_cap_wait_until_one_closes(engine: Engine) {
    let server = with_limits(engine, "[limits]\nmax_connections = 16\n");
    let address = server
        .url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    // Sixteen connections that say nothing hold every place.
    let idle: Vec<TcpStream> = (0..16)
        .map(|_| TcpStream::connect(&address).unwrap())
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let quick = reqwest::Client::builder()
        .timeout(Duration::from_millis(1500))
        .build()
        .unwrap();
    let waited = quick.get(server.at("/healthz")).send().await;
    assert!(
        waited.is_err(),
        "a seventeenth connection was served while sixteen were open: {waited:?}"
    );
    drop(idle);
    let served = quick.get(server.at("/healthz")).send().await.unwrap();
    assert_eq!(served.status(), 200, "served once the others closed");

    // A connection that never finishes its request is closed after the header time (10 s),
    // so idle connections cannot hold the places for ever.
    let mut slow = TcpStream::connect(&address).unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\n").unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    let started = std::time::Instant::now();
    let mut buffer = [0u8; 64];
    let read = std::io::Read::read(&mut slow, &mut buffer);
    assert!(
        matches!(read, Ok(0) | Err(_)) || started.elapsed() < Duration::from_secs(15),
        "{read:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(14),
        "a half-sent request held its connection for {:?}",
        started.elapsed()
    );
}

/// A client whose connections come from `address` (any 127.0.0.0/8 address is loopback).
fn client_from(address: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(Some(address.parse().unwrap()))
        .build()
        .unwrap()
}

on_both_engines!(per_client_limits_apply_per_hashed_client_and_leave_no_address_behind);
async fn per_client_limits_apply_per_hashed_client_and_leave_no_address_behind(engine: Engine) {
    let server = with_limits(
        engine,
        "[limits.per_client]\nenabled = true\nrequests_per_minute = 1\nburst = 10\n",
    );
    let (first, second) = ("127.0.0.23", "127.0.0.47");
    let send = |client: reqwest::Client| {
        let url = server.at("/api/v1/concerns");
        async move {
            client
                .post(url)
                .json(&valid_concern())
                .send()
                .await
                .unwrap()
        }
    };
    for i in 0..10 {
        let answer = send(client_from(first)).await;
        assert_eq!(answer.status(), 201, "request {i} within the burst");
    }
    let refused = send(client_from(first)).await;
    assert_eq!(refused.status(), 429);
    let wait: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "Retry-After {wait}");
    let page = client_from(first).get(server.at("/")).send().await.unwrap();
    assert_eq!(
        page.status(),
        429,
        "the limit covers the client's other public requests"
    );

    // Another client has a budget of its own.
    assert_eq!(send(client_from(second)).await.status(), 201);

    // Signed-in staff are not counted per client.
    let admin = server.admin().await;
    let ombuds = server.staff(&admin, "olivia", "ombuds").await;
    for _ in 0..5 {
        let cases = server
            .as_staff(&ombuds, reqwest::Method::GET, "/api/v1/cases")
            .send()
            .await
            .unwrap();
        assert_eq!(cases.status(), 200);
    }

    // At the next date the salt is replaced and every count forgotten.
    server.advance(24 * 3600);
    assert_eq!(send(client_from(first)).await.status(), 201);

    for (place, bytes) in std::iter::once(("server logs".into(), server.logs().into_bytes())).chain(
        server
            .data_files()
            .into_iter()
            .map(|(path, bytes)| (path.display().to_string(), bytes)),
    ) {
        for address in [first, second] {
            assert!(!contains(&bytes, address), "{place} holds {address}");
        }
    }
}

/// The challenge in the intake page's hidden field.
async fn challenge(server: &TestServer) -> String {
    let page = server.client().get(server.at("/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let policy = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        policy.contains("script-src 'self'") && policy.contains("default-src 'none'"),
        "{policy}"
    );
    let html = page.text().await.unwrap();
    assert!(html.contains("<script src=\"/static/pow.js\" defer></script>"));
    pow::challenge_in(&html)
}

on_both_engines!(proof_of_work_is_accepted_once_and_refused_replayed_expired_or_forged);
async fn proof_of_work_is_accepted_once_and_refused_replayed_expired_or_forged(engine: Engine) {
    // No room at all for unproven submissions, so that every verdict shows in the answer.
    let server = with_limits(
        engine,
        "[limits]\nqueue_wait_ms = 0\n[limits.proof_of_work]\nenabled = true\n\
         difficulty_bits = 10\nvalid_minutes = 5\n\
         [limits.proof_of_work.unproven]\nconcurrent = 0\nqueue = 0\n",
    );
    let client = server.client();
    let script = client
        .get(server.at("/static/pow.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(script.status(), 200);
    assert!(
        script.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    assert!(script.text().await.unwrap().contains("pow_nonce"));

    let submit = |challenge: Option<String>, nonce: Option<String>| {
        let mut concern = valid_concern();
        if let Some(challenge) = challenge {
            concern["pow_challenge"] = challenge.into();
        }
        if let Some(nonce) = nonce {
            concern["pow_nonce"] = nonce.into();
        }
        let request = client.post(server.at("/api/v1/concerns")).json(&concern);
        async move { request.send().await.unwrap() }
    };

    let fresh = challenge(&server).await;
    let nonce = pow::solve(&fresh, 10);
    let accepted = submit(Some(fresh.clone()), Some(nonce.clone())).await;
    assert_eq!(accepted.status(), 201, "a valid proof goes through");

    // The HTML form carries the same fields (filled in by /static/pow.js).
    let fresh_form = challenge(&server).await;
    let form_nonce = pow::solve(&fresh_form, 10);
    let form = client
        .post(server.at("/concerns"))
        .form(&[
            ("category", "conduct"),
            ("raised_by", "public"),
            ("description", "Sent with the puzzle solved."),
            ("accept_conditions", "yes"),
            ("pow_challenge", fresh_form.as_str()),
            ("pow_nonce", form_nonce.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 303, "a form with a valid proof goes through");

    let replayed = submit(Some(fresh.clone()), Some(nonce)).await;
    assert_eq!(replayed.status(), 503, "a used proof counts as none");
    assert!(replayed.headers().contains_key("retry-after"));

    let missing = submit(None, None).await;
    assert_eq!(missing.status(), 503);

    let other = challenge(&server).await;
    let nonce = pow::solve(&other, 10);
    let forged = other.replacen('.', "0.", 1);
    assert_eq!(
        submit(Some(forged), Some(nonce.clone())).await.status(),
        503
    );
    let wrong = (0u64..)
        .map(|n| format!("w{n}"))
        .find(|candidate| pow::zero_bits(&other, candidate) < 10)
        .unwrap();
    assert_eq!(submit(Some(other.clone()), Some(wrong)).await.status(), 503);

    // Five minutes later the challenge has expired, solved or not.
    server.advance(6 * 60);
    assert_eq!(submit(Some(other), Some(nonce)).await.status(), 503);
}

on_both_engines!(with_proof_of_work_on_the_form_still_works_without_javascript);
async fn with_proof_of_work_on_the_form_still_works_without_javascript(engine: Engine) {
    let server = with_limits(engine, "[limits.proof_of_work]\nenabled = true\n");
    let page = challenge(&server).await;
    assert!(!page.is_empty());
    let html = server
        .client()
        .get(server.at("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Without JavaScript the form works just the same"));
    // A browser without JavaScript sends the challenge and an empty nonce.
    let answer = server
        .client()
        .post(server.at("/concerns"))
        .form(&[
            ("category", "conduct"),
            ("raised_by", "public"),
            ("description", "Sent with JavaScript off."),
            ("accept_conditions", "yes"),
            ("pow_challenge", page.as_str()),
            ("pow_nonce", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        answer.status(),
        303,
        "the form's answer leads to the receipt page"
    );
    assert_eq!(answer.headers()["location"], "/receipt");
    // A form with a mistake comes back with a fresh puzzle.
    let again = server
        .client()
        .post(server.at("/concerns"))
        .form(&[("category", "conduct"), ("pow_challenge", page.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 422);
    let html = again.text().await.unwrap();
    assert!(html.contains("name=\"pow_challenge\"") && !html.contains(&page));

    // Malformed proof fields are a 422 naming the field, like any other field.
    let mut concern = valid_concern();
    concern["pow_nonce"] = 12.into();
    let answer = server
        .client()
        .post(server.at("/api/v1/concerns"))
        .json(&concern)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 422);
    assert!(answer.text().await.unwrap().contains("pow_nonce"));
}

on_both_engines!(behind_a_trusted_proxy_the_configured_header_names_the_client);
async fn behind_a_trusted_proxy_the_configured_header_names_the_client(engine: Engine) {
    let server = TestServer::start_with(Options {
        engine,
        edit_config: Box::new(|config| {
            config.replace(
                "behind_tls_proxy = false",
                "behind_tls_proxy = true\npublic_url = \"https://ombuds.example.org\"",
            ) + "\n[limits.per_client]\nenabled = true\nrequests_per_minute = 1\nburst = 2\n\
                   client_address_header = \"X-Forwarded-For\"\n"
        }),
        ..Options::default()
    });
    let client = server.client();
    let from = |forwarded: &'static str| {
        client
            .get(server.at("/verify"))
            .header("x-forwarded-for", forwarded)
            .send()
    };
    // The proxy appends the client's address: the last entry counts, whatever came before.
    assert_eq!(from("203.0.113.5, 192.0.2.77").await.unwrap().status(), 200);
    assert_eq!(
        from("198.51.100.1, 192.0.2.77").await.unwrap().status(),
        200
    );
    assert_eq!(from("192.0.2.77").await.unwrap().status(), 429);
    assert_eq!(from("192.0.2.78").await.unwrap().status(), 200);
    let logs = server.logs();
    for address in ["192.0.2.77", "192.0.2.78", "203.0.113.5"] {
        assert!(!logs.contains(address), "the log holds {address}");
    }
}

/// Runs the served `/static/pow.js` under Node.js against a stand-in for the page's three
/// elements, and returns the nonce it fills in (after checking it showed the page's "done"
/// wording).
fn run_script(script: &str, challenge: &str, bits: u8) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pow.js");
    std::fs::write(&path, script).unwrap();
    let harness = r#"
        const fields = {
          pow_challenge: { value: process.env.CHALLENGE, getAttribute: () => process.env.BITS },
          pow_nonce: { value: "" },
          pow_status: {
            textContent: "",
            getAttribute: (name) => ({ "data-working": "solving", "data-done": "solved" })[name],
          },
        };
        globalThis.document = { getElementById: (id) => fields[id] || null };
        require(process.env.SCRIPT);
        const started = Date.now();
        (function wait() {
          if (fields.pow_nonce.value) {
            // The page's own wording (its language) is what the script shows.
            if (fields.pow_status.textContent !== "solved") {
              console.error("status after solving: " + fields.pow_status.textContent);
              process.exit(1);
            }
            console.log(fields.pow_nonce.value);
            return;
          }
          if (Date.now() - started > 60000) { console.error("no nonce after 60 s"); process.exit(1); }
          setTimeout(wait, 5);
        })();
    "#;
    let output = std::process::Command::new("node")
        .args(["-e", harness])
        .env("CHALLENGE", challenge)
        .env("BITS", bits.to_string())
        .env("SCRIPT", &path)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "this test runs /static/pow.js under Node.js, which is not installed ({e}): \
                 install the Debian package `nodejs` (.ci/run does)"
            )
        });
    assert!(
        output.status.success(),
        "node: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

on_both_engines!(the_served_script_solves_the_puzzle_the_server_accepts);
async fn the_served_script_solves_the_puzzle_the_server_accepts(engine: Engine) {
    // No room for unproven submissions: only a valid proof gets a concern in.
    let server = with_limits(
        engine,
        "[limits]\nqueue_wait_ms = 0\n[limits.proof_of_work]\nenabled = true\n\
         difficulty_bits = 12\n[limits.proof_of_work.unproven]\nconcurrent = 0\nqueue = 0\n",
    );
    let script = server
        .client()
        .get(server.at("/static/pow.js"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for _ in 0..3 {
        let challenge = challenge(&server).await;
        let nonce = run_script(&script, &challenge, 12);
        assert!(
            pow::zero_bits(&challenge, &nonce) >= 12,
            "the script's nonce {nonce:?} does not give 12 zero bits"
        );
        let answer = server
            .client()
            .post(server.at("/concerns"))
            .form(&[
                ("category", "conduct"),
                ("raised_by", "public"),
                ("description", "Sent from a browser that ran the script."),
                ("accept_conditions", "yes"),
                ("pow_challenge", challenge.as_str()),
                ("pow_nonce", nonce.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 303);
    }
}
