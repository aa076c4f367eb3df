//! Parallel password guesses, on both engines (on PostgreSQL, split across two server
//! processes over the same database). A guesser sends rounds of [`AT_ONCE`] wrong passwords
//! for one account all at once, with sign-in's budget opened wide so that only the throttle can
//! hold them back: in each back-off window exactly as many may be checked as if they came one
//! after another (six in the first: five free, and the one that starts the block; one in each
//! later window). Meanwhile the account's owner, on a client that signed in before (it holds
//! the account's device cookie), must still get in with the right password and code.

use futures_util::future::join_all;

use crate::support::{Engine, Options, PASSWORD, TestServer};
use crate::tally::Tally;

/// Guesses sent at once in each round.
const AT_ONCE: usize = 40;
/// Rounds, each after the previous block has run out.
const ROUNDS: usize = 3;

pub async fn run(tally: &Tally) {
    for engine in [Engine::Sqlite, Engine::Postgres] {
        guesses(engine, tally).await;
    }
}

/// One sign-in attempt for "ada"; returns its status and the device cookie it set, if any.
async fn attempt(
    server: &TestServer,
    password: &str,
    code: &str,
    device: Option<&str>,
) -> (u16, Option<String>) {
    let mut request = server
        .client()
        .post(server.at("/api/v1/session"))
        .json(&serde_json::json!({ "username": "ada", "password": password, "totp": code }));
    if let Some(cookie) = device {
        request = request.header("cookie", cookie);
    }
    let answer = request.send().await.unwrap();
    let device = answer
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("ombuds_device="))
        .and_then(|c| c.split(';').next())
        .map(str::to_owned);
    (answer.status().as_u16(), device)
}

async fn guesses(engine: Engine, tally: &Tally) {
    let wide = "[limits.sign_in]\nconcurrent = 64\nqueue = 64\n";
    let server = TestServer::start_with(Options {
        engine,
        edit_config: Box::new(move |c| format!("{c}\n{wide}")),
        ..Options::default()
    });
    let secret = server.enrol(&server.setup_token(), Some("ada")).await;
    // On PostgreSQL, half the guesses go to a second process: the count is in the database.
    // (Started after the enrolment, as it would replace an unused setup link.)
    let other = (engine == Engine::Postgres).then(|| server.another_process("guesses"));
    let servers: Vec<&TestServer> = std::iter::once(&server).chain(other.as_ref()).collect();
    server.advance(30);
    let (status, device) = attempt(&server, PASSWORD, &server.code(&secret), None).await;
    assert_eq!(status, 201);
    let device = device.expect("a device cookie");
    tally.requests(3);

    let mut checked_per_round = Vec::new();
    for round in 0..ROUNDS {
        let answers = join_all((0..AT_ONCE).map(|i| {
            attempt(servers[i % servers.len()], "password1234", "000000", None)
        }))
        .await;
        tally.requests(AT_ONCE as u64);
        tally.bad_inputs(AT_ONCE as u64);
        let checked = answers.iter().filter(|(s, _)| *s == 401).count();
        let throttled = answers.iter().filter(|(s, _)| *s == 429).count();
        assert_eq!(checked + throttled, AT_ONCE, "{answers:?}");
        let allowed = if round == 0 { 6 } else { 1 };
        assert_eq!(checked, allowed, "round {round}: {checked} of {AT_ONCE} checked");
        checked_per_round.push(checked);

        // The owner's client gets in at once, the guesser's block notwithstanding.
        server.advance(30);
        let (status, _) =
            attempt(&server, PASSWORD, &server.code(&secret), Some(&device)).await;
        assert_eq!(status, 201, "round {round}: the owner was kept out");
        tally.requests(1);
        // The next round comes when this block has run out (1, 2, 4 … minutes).
        server.advance(60 << round);
    }
    println!(
        "    {engine:?} ({} process{}): {} guesses in {ROUNDS} rounds of {AT_ONCE} at once; \
         checked per round {checked_per_round:?}; the owner's device signed in every round",
        servers.len(),
        if servers.len() == 1 { "" } else { "es" },
        ROUNDS * AT_ONCE
    );
}
