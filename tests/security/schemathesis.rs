//! schemathesis (PyPI) against a running server, driven by the OpenAPI document the server
//! serves (`/api/v1/openapi.json`): generated valid and invalid requests for every operation,
//! anonymously and then as a signed-in ombuds and administrator (session cookie and CSRF
//! token), with a real receipt for the follow-up operations. Every answer must be something
//! other than a 5xx, in a status and content type the document declares.
//!
//! The tool is found as `OMBUDS_SCHEMATHESIS`, else `.ci/venv/bin/schemathesis` (where
//! `.ci/run` installs it), else `schemathesis` on the PATH. `OMBUDS_SCHEMATHESIS_EXAMPLES`
//! changes the examples per operation (default 25).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use crate::support::{Engine, Session, TestServer};
use crate::tally::Tally;

/// The version `.ci/run` installs.
const VERSION: &str = "4.32.5";
const DEFAULT_EXAMPLES: u32 = 25;
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,\
                      response_schema_conformance";
/// Operations that end the session they are sent with: left out of the signed-in runs (the
/// anonymous run still sends them).
const ENDS_SESSION: &str = "^(signOut|signOutEverywhere)$";

fn tool() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let candidates = [
        std::env::var_os("OMBUDS_SCHEMATHESIS").map(PathBuf::from),
        Some(root.join(".ci/venv/bin/schemathesis")),
        Some(PathBuf::from("schemathesis")),
    ];
    for candidate in candidates.into_iter().flatten() {
        let works = Command::new(&candidate)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        if works {
            return candidate;
        }
    }
    panic!(
        "the schemathesis scenario needs schemathesis {VERSION} (PyPI). Install it as .ci/run \
         does: `python3 -m venv .ci/venv && .ci/venv/bin/pip install schemathesis=={VERSION}` \
         (Debian needs the python3-venv package), or set OMBUDS_SCHEMATHESIS to its path."
    )
}

/// What one run of schemathesis did.
#[derive(Debug, Default)]
struct Outcome {
    requests: u64,
    /// Requests schemathesis generated to break the document's rules (negative mode).
    invalid: u64,
    statuses: BTreeMap<u16, u64>,
    failures: Vec<String>,
}

/// Reads the NDJSON event stream: every recorded interaction is one request sent.
fn read_events(ndjson: &str) -> Outcome {
    let mut outcome = Outcome::default();
    for line in ndjson.lines().filter(|l| !l.trim().is_empty()) {
        let event: Value = serde_json::from_str(line).unwrap();
        let Some(finished) = event.get("ScenarioFinished") else {
            continue;
        };
        let recorder = &finished["recorder"];
        if let Some(interactions) = recorder["interactions"].as_object() {
            for (case, interaction) in interactions {
                outcome.requests += 1;
                let mode = &recorder["cases"][case]["value"]["meta"]["generation"]["mode"];
                if mode == "negative" {
                    outcome.invalid += 1;
                }
                if let Some(status) = interaction["response"]["status_code"].as_u64() {
                    *outcome.statuses.entry(status as u16).or_default() += 1;
                }
            }
        }
        if let Some(checks) = recorder["checks"].as_object() {
            for results in checks.values() {
                for check in results.as_array().into_iter().flatten() {
                    if check["status"] == "failure" {
                        outcome.failures.push(format!(
                            "{}: {} {}",
                            recorder["label"].as_str().unwrap_or("?"),
                            check["name"].as_str().unwrap_or("?"),
                            check["failure_info"]["failure"]["title"].as_str().unwrap_or(""),
                        ));
                    }
                }
            }
        }
    }
    outcome
}

/// Runs schemathesis with `config` (a schemathesis.toml) and `extra` arguments; once more if
/// schemathesis itself crashed (a Python error inside the tool, with no check failed and no 5xx
/// seen). It runs with one worker: with two, CPython 3.11 failed inside the tool ("AST
/// constructor recursion depth mismatch") in about one run in three.
fn run_once(server: &TestServer, label: &str, config: &str, extra: &[&str], tally: &Tally) {
    if !attempt(server, label, config, extra, tally, true) {
        println!("    schemathesis {label}: the tool itself crashed (Runtime Error); running again");
        attempt(server, label, config, extra, tally, false);
    }
}

/// One run; `false` if the tool crashed on its own and `may_retry` allowed another run.
fn attempt(
    server: &TestServer,
    label: &str,
    config: &str,
    extra: &[&str],
    tally: &Tally,
    may_retry: bool,
) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let config_path = dir.path().join("schemathesis.toml");
    std::fs::write(&config_path, config).unwrap();
    let examples = std::env::var("OMBUDS_SCHEMATHESIS_EXAMPLES")
        .ok()
        .and_then(|n| n.parse::<u32>().ok())
        .unwrap_or(DEFAULT_EXAMPLES)
        .to_string();
    let report = dir.path().join("report");
    let events = report.join("events.ndjson");
    let output = Command::new(tool())
        .current_dir(dir.path())
        .arg("--config-file")
        .arg(&config_path)
        .arg("run")
        .arg(server.at("/api/v1/openapi.json"))
        .args(["--checks", CHECKS, "--max-examples", &examples, "--seed", "7"])
        .args(["--workers", "1", "--request-timeout", "30", "--no-color"])
        .args(["--report", "ndjson", "--report-ndjson-path"])
        .arg(&events)
        .args(extra)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let ndjson = std::fs::read_to_string(&events)
        .unwrap_or_else(|e| panic!("schemathesis ({label}) wrote no event stream ({e}):\n{log}"));
    let outcome = read_events(&ndjson);
    let server_errors: u64 = outcome
        .statuses
        .iter()
        .filter(|(s, _)| **s >= 500)
        .map(|(_, n)| n)
        .sum();
    println!(
        "    schemathesis {label:<15} {} requests ({} invalid by the document), statuses {:?}",
        outcome.requests, outcome.invalid, outcome.statuses
    );
    tally.requests(outcome.requests);
    tally.bad_inputs(outcome.invalid);
    assert_eq!(
        server_errors, 0,
        "schemathesis ({label}) got 5xx answers:\n{log}\nend of the server log:\n{}",
        last_lines(&server.logs(), 80)
    );
    if may_retry
        && !output.status.success()
        && outcome.failures.is_empty()
        && log.contains("Runtime Error")
    {
        return false;
    }
    assert!(
        output.status.success() && outcome.failures.is_empty(),
        "schemathesis ({label}) failed: {:?}\n{log}",
        outcome.failures
    );
    assert!(outcome.requests > 0, "schemathesis ({label}) sent nothing:\n{log}");
    true
}

fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

fn signed_in_config(session: &Session, receipt: &str) -> String {
    let value = session.cookie.split_once('=').map_or("", |(_, v)| v);
    format!(
        "[auth.openapi.session]\napi_key = {}\n\n[auth.openapi.csrf]\napi_key = {}\n\n\
         [[operations]]\ninclude-path-regex = \"^/api/v1/followup\"\n\
         headers = {{ Authorization = {} }}\n",
        json!(value),
        json!(session.csrf),
        json!(format!("Receipt {receipt}")),
    )
}

pub async fn run(tally: &Tally) {
    tool();
    for engine in [Engine::Sqlite, Engine::Postgres] {
        on(engine, tally).await;
    }
}

/// The anonymous run once (it reaches no storage beyond the intake), the signed-in runs on
/// each engine.
async fn on(engine: Engine, tally: &Tally) {
    let server = TestServer::start_on(engine);
    let admin = server.admin().await;
    let ombuds = server.staff(&admin, "olga", "ombuds").await;
    let receipt = server.submit("A concern for schemathesis to follow up.").await;
    // A logged case, so that listings have something in them from the start.
    let created = server
        .as_staff(&ombuds, reqwest::Method::POST, "/api/v1/cases")
        .json(&json!({
            "channel": "phone", "conditions_read": true, "category": "conduct", "raised_by": "client",
            "description": "Logged by phone.", "first_contact": "2026-03-01",
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    tally.requests(1);

    let name = match engine {
        Engine::Sqlite => "sqlite",
        Engine::Postgres => "postgres",
    };
    let counts = tokio::task::spawn_blocking(move || {
        let tally = Tally::default();
        if engine == Engine::Sqlite {
            run_once(&server, "anonymous", "", &[], &tally);
        }
        run_once(
            &server,
            &format!("ombuds/{name}"),
            &signed_in_config(&ombuds, &receipt),
            &["--exclude-operation-id-regex", ENDS_SESSION],
            &tally,
        );
        run_once(
            &server,
            &format!("admin/{name}"),
            &signed_in_config(&admin, &receipt),
            &["--exclude-operation-id-regex", ENDS_SESSION, "--include-tag", "admin"],
            &tally,
        );
        tally.snapshot()
    })
    .await
    .unwrap();
    tally.requests(counts.requests);
    tally.bad_inputs(counts.bad_inputs);
}
