//! The e-mail digest (issue 21, item 7) against a mail server of the test's own: a tiny SMTP
//! sink on 127.0.0.1 that speaks just enough of the protocol (EHLO, MAIL FROM, RCPT TO, DATA,
//! QUIT) and keeps what it is given. The server is configured for plain SMTP to it, which
//! `[digest]` allows to a loopback address only.
//!
//! What is shown: ombuds opt in on their account page (form and API) with an address, checked;
//! at the configured hour of the association's clock each opted-in ombuds with case access gets
//! one message, and no one else; the message has one subject and one length, the counts of new
//! concerns and unanswered conversations, and nothing of a case (no canary, receipt, case id,
//! date or time); nothing more goes in the same interval, across a restart too; a relay that is
//! down is logged without the message and tried again at the next interval; nothing goes when
//! nothing waits. On PostgreSQL, of two servers only one sends, and the other takes over when it
//! stops.

use std::sync::{Arc, Mutex};

use reqwest::Method;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::support::{Engine, Options, Session, TestServer, on_both_engines};

/// A message as the sink received it.
#[derive(Debug, Clone)]
struct Mail {
    from: String,
    to: Vec<String>,
    /// Headers and body, with `\n` line ends.
    data: String,
}

impl Mail {
    fn body(&self) -> &str {
        self.data.split_once("\n\n").map_or("", |(_, body)| body)
    }

    fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split_once("\n\n").map_or("", |(head, _)| head);
        head.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}: ")))
            .map(str::to_owned)
    }
}

/// The SMTP sink: a listener on `port` and the messages it kept.
struct Sink {
    port: u16,
    mail: Arc<Mutex<Vec<Mail>>>,
    task: JoinHandle<()>,
}

impl Sink {
    /// Listens on 127.0.0.1:`port` (0: any free port), keeping messages in `mail`.
    async fn start(port: u16, mail: Arc<Mutex<Vec<Mail>>>) -> Self {
        let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let kept = Arc::clone(&mail);
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                tokio::spawn(converse(stream, Arc::clone(&kept)));
            }
        });
        Self { port, mail, task }
    }

    /// Stops listening: connections are refused until it starts again.
    fn stop(self) -> (u16, Arc<Mutex<Vec<Mail>>>) {
        self.task.abort();
        (self.port, self.mail)
    }

    fn mail(&self) -> Vec<Mail> {
        self.mail.lock().unwrap().clone()
    }
}

/// One SMTP conversation, as little as a client needs.
async fn converse(stream: TcpStream, kept: Arc<Mutex<Vec<Mail>>>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    let say = async |write: &mut tokio::net::tcp::OwnedWriteHalf, text: &str| {
        let _ = write.write_all(text.as_bytes()).await;
    };
    say(&mut write, "220 sink ESMTP\r\n").await;
    let (mut from, mut to) = (String::new(), Vec::new());
    while let Ok(Some(line)) = lines.next_line().await {
        let upper = line.to_ascii_uppercase();
        let address = |line: &str| {
            line.split_once('<')
                .and_then(|(_, rest)| rest.split_once('>'))
                .map(|(address, _)| address.to_owned())
                .unwrap_or_default()
        };
        if upper.starts_with("EHLO") {
            say(&mut write, "250-sink\r\n250 8BITMIME\r\n").await;
        } else if upper.starts_with("HELO") || upper.starts_with("NOOP") {
            say(&mut write, "250 ok\r\n").await;
        } else if upper.starts_with("MAIL FROM:") {
            from = address(&line);
            to.clear();
            say(&mut write, "250 ok\r\n").await;
        } else if upper.starts_with("RCPT TO:") {
            to.push(address(&line));
            say(&mut write, "250 ok\r\n").await;
        } else if upper == "DATA" {
            say(&mut write, "354 go on\r\n").await;
            let mut data = Vec::new();
            while let Ok(Some(line)) = lines.next_line().await {
                if line == "." {
                    break;
                }
                data.push(line.strip_prefix('.').map_or(line.clone(), str::to_owned));
            }
            kept.lock().unwrap().push(Mail {
                from: from.clone(),
                to: std::mem::take(&mut to),
                data: data.join("\n") + "\n",
            });
            say(&mut write, "250 kept\r\n").await;
        } else if upper == "RSET" {
            to.clear();
            say(&mut write, "250 ok\r\n").await;
        } else if upper == "QUIT" {
            say(&mut write, "221 bye\r\n").await;
            return;
        } else {
            say(&mut write, "502 not here\r\n").await;
        }
    }
}

/// The configuration's `[digest]`, on and pointed at the sink on `port`, looking every second.
fn digest_on(port: u16) -> impl Fn(String) -> String {
    move |config: String| {
        let table = "[digest]\nenabled = false\n";
        assert!(config.contains(table), "the example has an off [digest]");
        config.replace(
            table,
            &format!(
                "[digest]\nenabled = true\nsmtp_host = \"127.0.0.1\"\nsmtp_port = {port}\n\
                 tls = \"none\"\nfrom = \"Ombuds service <digest@example.org>\"\n\
                 check_interval_seconds = 1\n"
            ),
        )
    }
}

/// How many digest rounds have looked at the schedule since the server started (the job's
/// trace line when the interval's round has already run).
fn looks(server: &TestServer) -> usize {
    server
        .logs()
        .matches("digest: this interval's round has run")
        .count()
}

/// Waits until the job has looked at least twice more: whatever it would send, it has.
async fn two_more_looks(server: &TestServer) {
    let before = looks(server);
    server
        .eventually("the digest job looks again", || async {
            looks(server) >= before + 2
        })
        .await;
}

/// `ombuds check` on `server`'s configuration (off the test's thread, which serves the sink):
/// its exit code and what it said.
async fn check(server: &TestServer) -> (Option<i32>, String) {
    let config = server.data_dir().join("ombuds.toml");
    tokio::task::spawn_blocking(move || {
        let out = crate::support::run(
            std::path::Path::new("."),
            &["check", "--config", config.to_str().unwrap()],
        );
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.code(), said)
    })
    .await
    .unwrap()
}

/// Confirms `username`'s case access as `by` (the two-person rule).
async fn confirm(server: &TestServer, by: &Session, username: &str) {
    let (_, grants) = server
        .api(by, Method::GET, "/api/v1/access-grants", None)
        .await;
    let id = grants
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["username"] == username && g["state"] == "awaiting_confirmation")
        .unwrap_or_else(|| panic!("no grant waits for {username}: {grants}"))["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, _) = server
        .api(
            by,
            Method::POST,
            &format!("/api/v1/access-grants/{id}/confirm"),
            None,
        )
        .await;
    assert_eq!(status, 200, "confirming {username}");
}

/// The digest as it must read, with the counts in their six places.
fn expected_body(concerns: u64, messages: u64) -> String {
    format!(
        "Waiting in the ombuds console as this message was sent:\n\n\
         {concerns:>6}  new concerns\n\
         {messages:>6}  conversations whose last message is the person's\n\n\
         Sign in to read them:\nhttp://127.0.0.1:8080/signin\n\n\
         This message says nothing of what waits or since when. It is sent only\n\
         when something waits, on this schedule:\n\
         once a day, at 8:00 the association's time.\n\
         To stop it, clear the address on your account page.\n"
    )
}

on_both_engines!(the_digest_tells_the_ombuds_who_asked_that_something_waits_and_nothing_else);
async fn the_digest_tells_the_ombuds_who_asked_that_something_waits_and_nothing_else(
    engine: Engine,
) {
    let kept = Arc::new(Mutex::new(Vec::new()));
    let sink = Sink::start(0, Arc::clone(&kept)).await;
    // Monday 2 March 2026, 07:00 in Phoenix: an hour before the digest's hour.
    let mut server = TestServer::start_with(Options {
        engine,
        now: "2026-03-02T14:00:00Z".into(),
        edit_config: Box::new(digest_on(sink.port)),
        ..Options::default()
    });
    let (code, said) = check(&server).await;
    assert_eq!(code, Some(0), "{said}");
    assert!(
        said.contains(&format!(
            "the e-mail digest: the mail relay 127.0.0.1:{} (tls = \"none\") answers",
            sink.port
        )),
        "{said}"
    );
    assert!(sink.mail().is_empty(), "the check sends nothing");
    let admin = server.admin().await;
    let olivia_key = server.enrol_staff(&admin, "olivia", "ombuds").await;
    let olivia = server.sign_in("olivia", &olivia_key).await;
    let oscar_key = server.enrol_staff(&admin, "oscar", "ombuds").await;
    let oscar = server.sign_in("oscar", &oscar_key).await;
    let tobias = server.staff(&admin, "tobias", "ombuds").await;
    let pia = server.staff(&admin, "pia", "ombuds").await;
    let bea = server.staff(&admin, "bea", "board").await;
    confirm(&server, &olivia, "oscar").await;
    confirm(&server, &olivia, "tobias").await;

    // Olivia asks for it through the API; what is not one address is refused, naming the field,
    // and changes nothing.
    let (status, setting) = server
        .api(
            &olivia,
            Method::PUT,
            "/api/v1/account/digest",
            Some(json!({"address": "olivia@example.org"})),
        )
        .await;
    assert_eq!(status, 200, "{setting}");
    assert_eq!(
        setting,
        json!({"address": "olivia@example.org", "sending": true, "hour": 8, "interval_hours": 24})
    );
    for (body, expected) in [
        (json!({"address": "Olivia <olivia@example.org>"}), 422),
        (
            json!({"address": "olivia@example.org\r\nBcc: x@example.org"}),
            422,
        ),
        (json!({"address": 7}), 422),
        (json!({}), 422),
        (
            json!({"address": "o@example.org", "cc": "x@example.org"}),
            400,
        ),
    ] {
        let (status, problem) = server
            .api(
                &olivia,
                Method::PUT,
                "/api/v1/account/digest",
                Some(body.clone()),
            )
            .await;
        assert_eq!(status, expected, "{body}: {problem}");
        if expected == 422 {
            assert!(problem.to_string().contains("address"), "{problem}");
        }
    }
    let (_, setting) = server
        .api(&olivia, Method::GET, "/api/v1/account/digest", None)
        .await;
    assert_eq!(setting["address"], "olivia@example.org", "nothing changed");

    // Oscar asks on his account page, with the form; a bad address comes back with its error
    // and the text typed.
    let page = server
        .as_staff(&oscar, Method::GET, "/account")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("action=\"/account/digest\""), "{page}");
    assert!(
        page.contains("once a day, at 8:00 the association&#39;s time"),
        "{page}"
    );
    let post = |address: &'static str| {
        server
            .client()
            .post(server.at("/account/digest"))
            .header("cookie", &oscar.cookie)
            .form(&[("csrf", oscar.csrf.as_str()), ("address", address)])
            .send()
    };
    let refused = post("oscar at example dot org").await.unwrap();
    assert_eq!(refused.status(), 422);
    let refused = refused.text().await.unwrap();
    assert!(refused.contains("is not one e-mail address"), "{refused}");
    assert!(
        refused.contains("value=\"oscar at example dot org\""),
        "{refused}"
    );
    let saved = post("oscar@example.org").await.unwrap();
    assert_eq!(saved.status(), 303);
    let location = saved.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(location, "/account?digest-saved#digest");
    let page = server
        .as_staff(&oscar, Method::GET, "/account?digest-saved")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Saved: the digest goes to oscar@example.org."),
        "{page}"
    );

    // Pia asks too, but reads no case until another ombuds confirms her: she gets none. Tobias
    // reads cases and asks for none. A board member and an administrator have no digest.
    let (status, _) = server
        .api(
            &pia,
            Method::PUT,
            "/api/v1/account/digest",
            Some(json!({"address": "pia@example.org"})),
        )
        .await;
    assert_eq!(status, 200);
    for session in [&bea, &admin] {
        let (status, _) = server
            .api(
                session,
                Method::PUT,
                "/api/v1/account/digest",
                Some(json!({"address": "x@example.org"})),
            )
            .await;
        assert_eq!(status, 403);
        let page = server
            .as_staff(session, Method::GET, "/account")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            !page.contains("/account/digest"),
            "no digest form for other roles"
        );
    }
    let _ = tobias;

    // Something waits: a concern the ombuds opened whose submitter wrote again, and a new one.
    let (case_id, receipt) = server
        .submitted_and_opened(&olivia, "CANARY-digest-first The agent never called back.")
        .await;
    let written = server
        .client()
        .post(server.at("/api/v1/followup/messages"))
        .header("authorization", format!("Receipt {receipt}"))
        .json(&json!({ "text": "CANARY-digest-message Still nothing." }))
        .send()
        .await
        .unwrap();
    assert_eq!(written.status(), 201);
    let second = server
        .submit("CANARY-digest-second The commission split changed.")
        .await;
    let (_, cases) = server
        .api(&olivia, Method::GET, "/api/v1/cases", None)
        .await;
    let ids: Vec<String> = cases
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    let new_id = cases
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["status"] == "new")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Before the hour nothing goes: this day's round ran at start-up (for the interval that
    // began yesterday at 8:00), when nothing waited.
    two_more_looks(&server).await;
    assert!(sink.mail().is_empty(), "{:?}", sink.mail());

    // At 8:00 in Phoenix each ombuds who asked and reads cases gets one message.
    server.set_clock("2026-03-02T15:00:00Z");
    server
        .eventually("two digests arrive", || async { sink.mail().len() >= 2 })
        .await;
    two_more_looks(&server).await;
    let first = sink.mail();
    let mut to: Vec<&str> = first
        .iter()
        .flat_map(|m| m.to.iter().map(String::as_str))
        .collect();
    to.sort_unstable();
    assert_eq!(to, ["olivia@example.org", "oscar@example.org"], "{first:?}");
    for mail in &first {
        assert_eq!(
            mail.to.len(),
            1,
            "one message per ombuds: no one sees another's address"
        );
        assert_eq!(mail.from, "digest@example.org");
        assert_eq!(
            mail.header("Subject").as_deref(),
            Some("Something waits in the ombuds console")
        );
        assert_eq!(
            mail.header("From").as_deref(),
            Some("\"Ombuds service\" <digest@example.org>")
        );
        assert!(
            mail.header("Date").is_some(),
            "a message has its date header"
        );
        assert_eq!(
            mail.header("Content-Transfer-Encoding").as_deref(),
            Some("7bit")
        );
        assert_eq!(mail.body(), expected_body(1, 1), "{}", mail.data);
        for secret in [
            "CANARY",
            receipt.as_str(),
            second.as_str(),
            case_id.as_str(),
            &case_id[..8],
            "2026-03",
        ] {
            assert!(!mail.data.contains(secret), "the digest carries {secret:?}");
        }
        for id in &ids {
            assert!(!mail.data.contains(&id[..8]), "the digest names a case");
        }
        assert!(!mail.body().contains("2026"), "no date in the text");
    }

    // Within the interval nothing more goes, also after a restart.
    server.set_clock("2026-03-02T16:30:00Z");
    server.restart();
    two_more_looks(&server).await;
    assert_eq!(sink.mail().len(), 2, "one digest per interval");

    // The relay is down at the next day's hour: `ombuds check` says so, naming the setting, and
    // each failure is logged, without the message.
    let (port, kept) = sink.stop();
    let (code, said) = check(&server).await;
    assert_eq!(code, Some(2), "{said}");
    assert!(
        said.contains("setting `digest.smtp_host`: cannot use the mail relay")
            && said.contains("could not be reached"),
        "{said}"
    );
    server.set_clock("2026-03-03T15:00:00Z");
    server
        .eventually("both failures are logged", || async {
            server
                .logs()
                .matches("digest: not sent to this account")
                .count()
                >= 2
        })
        .await;
    let logs = server.logs();
    let failures: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains("digest: not sent"))
        .collect();
    assert!(
        failures.iter().any(|l| l.contains("olivia")),
        "{failures:?}"
    );
    assert!(failures.iter().any(|l| l.contains("oscar")), "{failures:?}");
    for line in &failures {
        assert!(line.contains("could not be reached"), "{line}");
    }
    for secret in [
        "CANARY",
        "olivia@example.org",
        "oscar@example.org",
        "new concerns",
        "Something waits",
        receipt.as_str(),
        case_id.as_str(),
    ] {
        assert!(!logs.contains(secret), "the log shows {secret:?}");
    }
    // Back up within the same interval, it is not tried again before the next one...
    let sink = Sink::start(port, kept).await;
    two_more_looks(&server).await;
    assert_eq!(sink.mail().len(), 2);
    // ...which counts afresh: the ombuds opened the second concern meanwhile (signed in again:
    // a session lasts 12 hours at most).
    let olivia = server.sign_in("olivia", &olivia_key).await;
    let (status, _) = server
        .api(
            &olivia,
            Method::POST,
            &format!("/api/v1/cases/{new_id}/open"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    server.set_clock("2026-03-04T15:00:00Z");
    server
        .eventually("the next interval's digests arrive", || async {
            sink.mail().len() >= 4
        })
        .await;
    let later = &sink.mail()[2..];
    for mail in later {
        assert_eq!(mail.body(), expected_body(0, 1));
        assert_eq!(
            mail.body().len(),
            first[0].body().len(),
            "every digest has one length"
        );
    }

    // Nothing waits once the ombuds has answered: no digest.
    let olivia = server.sign_in("olivia", &olivia_key).await;
    let (status, _) = server
        .api(
            &olivia,
            Method::POST,
            &format!("/api/v1/cases/{case_id}/replies"),
            Some(json!({"text": "I called the agent."})),
        )
        .await;
    assert_eq!(status, 201);
    server.set_clock("2026-03-05T15:00:00Z");
    two_more_looks(&server).await;
    assert_eq!(sink.mail().len(), 4, "nothing waits, nothing is sent");
    // Stopping it: an empty address.
    let oscar = server.sign_in("oscar", &oscar_key).await;
    let (status, setting) = server
        .api(
            &oscar,
            Method::PUT,
            "/api/v1/account/digest",
            Some(json!({"address": ""})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(setting["address"], Value::Null);
}

/// Two servers over one PostgreSQL database, both with the digest on: one sends (the one that
/// leads the periodic jobs), once per interval; when it stops, the other sends the next one.
#[tokio::test]
async fn of_two_servers_one_sends_the_digest_and_the_other_takes_over() {
    let kept = Arc::new(Mutex::new(Vec::new()));
    let sink = Sink::start(0, Arc::clone(&kept)).await;
    let mut a = TestServer::start_with(Options {
        engine: Engine::Postgres,
        now: "2026-03-02T14:00:00Z".into(),
        edit_config: Box::new(digest_on(sink.port)),
        ..Options::default()
    });
    let admin = a.admin().await;
    let olivia = a.staff(&admin, "olivia", "ombuds").await;
    let (status, _) = a
        .api(
            &olivia,
            Method::PUT,
            "/api/v1/account/digest",
            Some(json!({"address": "olivia@example.org"})),
        )
        .await;
    assert_eq!(status, 200);
    a.submit("CANARY-two-servers A question about the contract.")
        .await;
    let b = a.another_process("b");
    b.eventually("the second process has looked", || async {
        b.logs().contains("another process leads sweeping")
    })
    .await;

    a.set_clock("2026-03-02T15:00:00Z");
    a.eventually("a digest arrives", || async { !sink.mail().is_empty() })
        .await;
    two_more_looks(&a).await;
    assert_eq!(sink.mail().len(), 1, "one server sent it, once");
    assert_eq!(looks(&b), 0, "the other never ran the job");

    a.stop();
    a.set_clock("2026-03-03T15:00:00Z");
    b.eventually("the other server sends the next one", || async {
        sink.mail().len() >= 2
    })
    .await;
    two_more_looks(&b).await;
    assert_eq!(sink.mail().len(), 2);
    assert_eq!(sink.mail()[1].body(), expected_body(1, 0));
}
