//! Operations through the real binary and server: `ombuds check` on good and broken
//! deployments (changing nothing), a newer schema stopping an older binary, `ombuds backup`
//! and the documented restore, the probes outside every budget, the metrics endpoint (with no
//! counter that moves when a concern arrives), JSON logs under the same content rules, the
//! generated manual pages, and the source link on every page.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;

use futures_util::future::join_all;
use reqwest::Method;
use serde_json::Value;
use sqlx::Connection;

use crate::support::{self, Engine, Options, TestServer, contains, on_both_engines};

fn config_file(server: &TestServer) -> String {
    server
        .data_dir()
        .join("ombuds.toml")
        .to_str()
        .unwrap()
        .to_owned()
}

fn check(server: &TestServer) -> Output {
    support::run(Path::new("."), &["check", "--config", &config_file(server)])
}

/// Asserts that `out` is a refusal (exit 2) naming `what`.
fn assert_refused(out: &Output, what: &str) {
    let said = text(out);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(said.contains(what), "no {what:?} in: {said}");
}

/// A staff member's `GET` of a console API path, as JSON.
async fn staff_get(server: &TestServer, session: &support::Session, path: &str) -> Value {
    server
        .as_staff(session, Method::GET, path)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The text of a page, as an anonymous visitor gets it.
async fn page_text(server: &TestServer, path: &str) -> String {
    server
        .client()
        .get(server.at(path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Every file in `dir`, with a digest of its bytes and its mode; SQLite's `-shm` files and
/// empty `-wal` files are left out. They hold no data: the `-shm` is a shared-memory index
/// every reader marks, even a read-only one, and the last connection to close removes both
/// when the WAL is empty.
fn snapshot(dir: &Path) -> Vec<(PathBuf, String, u32)> {
    use sha2::Digest;
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.to_string_lossy();
            !(name.ends_with("-shm")
                || (name.ends_with("-wal") && std::fs::metadata(p).unwrap().len() == 0))
        })
        .map(|p| {
            let mode = std::fs::metadata(&p).unwrap().permissions().mode();
            let digest =
                data_encoding::HEXLOWER.encode(&sha2::Sha256::digest(std::fs::read(&p).unwrap()));
            (p, digest, mode)
        })
        .collect();
    files.sort();
    files
}

/// The schema versions both databases record.
async fn schema_versions(server: &TestServer) -> (i64, i64) {
    match server.postgres() {
        Some(db) => {
            let mut versions = Vec::new();
            for name in [&db.main, &db.keys] {
                let mut conn = sqlx::PgConnection::connect(&db.url(name)).await.unwrap();
                versions.push(
                    sqlx::query_scalar::<_, i64>("SELECT version FROM schema_version")
                        .fetch_one(&mut conn)
                        .await
                        .unwrap(),
                );
            }
            (versions[0], versions[1])
        }
        None => {
            let mut db = server.database().await;
            let mut keys = server.key_store().await;
            let read = "PRAGMA user_version";
            let main: i64 = sqlx::query_scalar(read).fetch_one(&mut db).await.unwrap();
            let keys: i64 = sqlx::query_scalar(read).fetch_one(&mut keys).await.unwrap();
            (main, keys)
        }
    }
}

/// Records schema `version` in the main database, as a newer ombuds would have.
async fn set_schema_version(server: &TestServer, version: i64) {
    match server.postgres() {
        Some(db) => {
            let mut conn = sqlx::PgConnection::connect(&db.url(&db.main))
                .await
                .unwrap();
            sqlx::query("UPDATE schema_version SET version = $1")
                .bind(version)
                .execute(&mut conn)
                .await
                .unwrap();
        }
        None => {
            let path = server.data_dir().join("ombuds.db");
            let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
                .await
                .unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "PRAGMA user_version = {version}"
            )))
            .execute(&mut conn)
            .await
            .unwrap();
            conn.close().await.unwrap();
        }
    }
}

on_both_engines!(check_passes_a_working_deployment_and_changes_nothing);
async fn check_passes_a_working_deployment_and_changes_nothing(engine: Engine) {
    let mut server = TestServer::start_on(engine);
    server.submit("A concern stored before the check.").await;

    // Online: the service is running.
    let online = check(&server);
    assert!(online.status.success(), "{}", text(&online));

    server.stop();
    let files = snapshot(&server.data_dir());
    let versions = schema_versions(&server).await;
    let out = check(&server);
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("all is well"), "{said}");
    assert!(said.contains("opens the keys"), "{said}");
    assert!(said.contains("schema version"), "{said}");
    assert_eq!(snapshot(&server.data_dir()), files, "check changed a file");
    assert_eq!(schema_versions(&server).await, versions);
}

on_both_engines!(check_names_each_problem_and_exits_2);
async fn check_names_each_problem_and_exits_2(engine: Engine) {
    let mut server = TestServer::start_on(engine);
    server.submit("A concern stored before the breakage.").await;
    server.stop();
    let data = server.data_dir();

    // A key file others can read.
    let identity = data.join("identity.key");
    std::fs::set_permissions(&identity, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = check(&server);
    assert_refused(&out, "setting `keys.identity`");
    std::fs::set_permissions(&identity, std::fs::Permissions::from_mode(0o600)).unwrap();

    // A configuration that does not parse.
    let config = std::fs::read_to_string(data.join("ombuds.toml")).unwrap();
    std::fs::write(
        data.join("ombuds.toml"),
        config.replace(
            "time_zone = \"America/Phoenix\"",
            "time_zone = \"Mars/Olympus\"",
        ),
    )
    .unwrap();
    let out = check(&server);
    assert_refused(&out, "association.time_zone");

    // The key store missing, or pointed at the main database.
    let broken = match server.postgres() {
        Some(db) => config.replace(&db.url(&db.keys), &db.url(&format!("{}_gone", db.keys))),
        None => {
            std::fs::rename(data.join("keys.db"), data.join("keys.db.away")).unwrap();
            config.clone()
        }
    };
    std::fs::write(data.join("ombuds.toml"), &broken).unwrap();
    let out = check(&server);
    assert_refused(&out, "setting `keys.store`");
    assert!(text(&out).contains("nothing was changed"), "{}", text(&out));
    if engine == Engine::Sqlite {
        assert!(
            !data.join("keys.db").exists(),
            "check created the key store"
        );
    }
}

on_both_engines!(a_newer_schema_stops_an_older_binary_with_a_clear_message);
async fn a_newer_schema_stops_an_older_binary_with_a_clear_message(engine: Engine) {
    let mut server = TestServer::start_on(engine);
    server.stop();
    let (main, _) = schema_versions(&server).await;
    set_schema_version(&server, main + 1).await;

    let serve = support::run(
        Path::new("."),
        &[
            "serve",
            "--config",
            &config_file(&server),
            "--listen",
            "127.0.0.1:0",
        ],
    );
    let said = text(&serve);
    assert!(!serve.status.success(), "started on a newer schema: {said}");
    assert!(
        said.contains(&format!("schema version {}", main + 1))
            && said.contains(&format!("knows only up to {main}"))
            && said.contains("newer version of ombuds"),
        "{said}"
    );

    let out = check(&server);
    assert_refused(&out, "setting `database.url`");
    assert!(text(&out).contains("newer ombuds"), "{}", text(&out));
    assert_eq!(
        schema_versions(&server).await.0,
        main + 1,
        "nothing migrated"
    );
}

/// Copies each file of a backup set to where its MANIFEST says, as README's restore does.
fn restore(set: &Path) {
    let manifest = std::fs::read_to_string(set.join("MANIFEST")).unwrap();
    for line in manifest.lines().filter(|l| !l.starts_with('#')) {
        let (name, target) = line.split_once('\t').unwrap();
        std::fs::copy(set.join(name), target).unwrap();
        std::fs::set_permissions(target, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}

#[tokio::test]
async fn backup_while_serving_then_restore_reopens_every_open_case_with_its_receipt() {
    let mut server = TestServer::start_on(Engine::Sqlite);
    let admin = server.admin().await;
    let ombuds = server.staff(&admin, "olivia", "ombuds").await;
    let kept = [
        "The buyer's agent kept the earnest money receipt from me.",
        "Nobody returns my calls about the inspection report.",
    ];
    let mut receipts = Vec::new();
    for description in kept {
        receipts.push(server.submit(description).await);
    }
    // One of the two is opened by the ombuds before the backup.
    let cases = staff_get(&server, &ombuds, "/api/v1/cases").await;
    let id = cases[0]["id"].as_str().unwrap().to_owned();
    let opened = server
        .as_staff(&ombuds, Method::POST, &format!("/api/v1/cases/{id}/open"))
        .send()
        .await
        .unwrap();
    assert_eq!(opened.status(), 200);

    let sets = server.root.path().join("backups");
    let (main_set, key_set) = (sets.join("main"), sets.join("keys"));
    let config = config_file(&server);
    let args = |main: &Path, keys: &Path| {
        vec![
            "backup".to_owned(),
            "--config".into(),
            config.clone(),
            "--to".into(),
            main.to_str().unwrap().into(),
            "--keys-to".into(),
            keys.to_str().unwrap().into(),
        ]
    };
    let run = |args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        support::run(Path::new("."), &args)
    };
    // The identity never goes with the key store: the same directory, or one inside the
    // other, is refused before anything is written.
    let refused = run(args(&main_set, &main_set.join("keys")));
    assert_refused(&refused, "--keys-to");
    assert!(!main_set.exists());

    let taken = run(args(&main_set, &key_set));
    assert!(taken.status.success(), "{}", text(&taken));
    let names = |dir: &Path| -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    assert_eq!(
        names(&main_set),
        [
            "MANIFEST",
            "identity.key",
            "ombuds.db",
            "ombuds.toml",
            "receipt.key",
            "signing.key"
        ]
    );
    assert_eq!(names(&key_set), ["MANIFEST", "keys.db"]);
    for (path, _, mode) in snapshot(&main_set).into_iter().chain(snapshot(&key_set)) {
        assert_eq!(mode & 0o077, 0, "{} is readable by others", path.display());
    }
    // A second backup into the same place never overwrites.
    let again = run(args(&main_set, &sets.join("keys2")));
    assert_eq!(again.status.code(), Some(2), "{}", text(&again));

    // A concern after the backup is lost with the disaster, as it should be.
    let late = server.submit("Sent after the backup was taken.").await;
    server.stop();
    for (path, _, _) in snapshot(&server.data_dir()) {
        std::fs::remove_file(path).unwrap();
    }

    restore(&main_set);
    restore(&key_set);
    let checked = check(&server);
    assert!(checked.status.success(), "{}", text(&checked));
    server.restart();
    for (receipt, description) in receipts.iter().zip(kept) {
        let thread = server.followup(receipt, "").await;
        assert_eq!(thread["concern"]["description"], description, "{thread}");
    }
    let lost = server
        .client()
        .get(server.at("/api/v1/followup"))
        .header("authorization", format!("Receipt {late}"))
        .send()
        .await
        .unwrap();
    assert_ne!(
        lost.status(),
        200,
        "a concern newer than the backup came back"
    );
    // The ombuds' session was in the backup too; both cases are back, the opened one open.
    let cases = staff_get(&server, &ombuds, "/api/v1/cases").await;
    let mut statuses: Vec<&str> = cases
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["status"].as_str().unwrap())
        .collect();
    statuses.sort_unstable();
    assert_eq!(statuses, ["new", "open"], "{cases}");
}

#[tokio::test]
async fn postgres_backup_steps_restore_every_open_case_with_its_receipt() {
    let mut server = TestServer::start_on(Engine::Postgres);
    let kept = [
        "The seller's agent never sent the disclosure forms.",
        "My commission was split differently from what we agreed.",
    ];
    let mut receipts = Vec::new();
    for description in kept {
        receipts.push(server.submit(description).await);
    }
    let sets = server.root.path().join("backups");
    let (main_set, key_set) = (sets.join("main"), sets.join("keys"));
    let taken = support::run(
        Path::new("."),
        &[
            "backup",
            "--config",
            &config_file(&server),
            "--to",
            main_set.to_str().unwrap(),
            "--keys-to",
            key_set.to_str().unwrap(),
        ],
    );
    let said = text(&taken);
    assert!(taken.status.success(), "{said}");
    // The printed steps carry no password: the operator's own credentials are used.
    let admin = support::postgres_admin_url();
    let password = admin
        .split_once("://")
        .and_then(|(_, rest)| rest.split_once('@'))
        .and_then(|(user, _)| user.split_once(':'))
        .map(|(_, password)| password.to_owned())
        .unwrap();
    assert!(
        !said.contains(&format!(":{password}@")) && !said.contains("***"),
        "{said}"
    );
    let steps: Vec<&str> = said
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("pg_dump "))
        .collect();
    assert_eq!(steps.len(), 2, "{said}");
    for step in steps {
        let dumped = std::process::Command::new("sh")
            .args(["-c", step])
            .env("PGPASSWORD", &password)
            .output()
            .unwrap();
        assert!(dumped.status.success(), "{step}: {}", text(&dumped));
    }
    assert!(main_set.join("ombuds.pgdump").exists());
    assert!(key_set.join("keys.pgdump").exists());
    assert!(!key_set.join("identity.key").exists());

    let late = server.submit("Sent after the backup was taken.").await;
    server.stop();
    // The files as the manifest says, then the databases restored into two new, empty ones,
    // which the configuration is pointed at.
    restore(&main_set);
    let databases = server.postgres().unwrap();
    let restored = |name: &str| format!("{name}_restored");
    let mut config = std::fs::read_to_string(config_file(&server)).unwrap();
    for (name, dump) in [
        (&databases.main, main_set.join("ombuds.pgdump")),
        (&databases.keys, key_set.join("keys.pgdump")),
    ] {
        databases.create_another(&restored(name)).await;
        let url = databases.url(&restored(name));
        let loaded = std::process::Command::new("pg_restore")
            .args(["--no-owner", "--dbname", &url])
            .arg(&dump)
            .output()
            .unwrap();
        assert!(loaded.status.success(), "pg_restore: {}", text(&loaded));
        config = config.replace(&format!("{}\"", databases.url(name)), &format!("{url}\""));
    }
    std::fs::write(config_file(&server), config).unwrap();
    let checked = check(&server);
    assert!(checked.status.success(), "{}", text(&checked));
    server.restart();
    for (receipt, description) in receipts.iter().zip(kept) {
        let thread = server.followup(receipt, "").await;
        assert_eq!(thread["concern"]["description"], description, "{thread}");
    }
    let lost = server
        .client()
        .get(server.at("/api/v1/followup"))
        .header("authorization", format!("Receipt {late}"))
        .send()
        .await
        .unwrap();
    assert_ne!(
        lost.status(),
        200,
        "a concern newer than the backup came back"
    );
}

/// A server whose public pages may be served one at a time, with no queue.
fn one_public_page_at_a_time(engine: Engine) -> TestServer {
    TestServer::start_with(Options {
        engine,
        edit_config: Box::new(|config| {
            format!(
                "{config}\n[limits]\nqueue_wait_ms = 0\n[limits.public]\nconcurrent = 1\n\
                 queue = 0\n[limits.intake]\nconcurrent = 1\nqueue = 0\n\
                 [metrics]\nlisten = \"127.0.0.1:0\"\n"
            )
        }),
        ..Options::default()
    })
}

on_both_engines!(probes_answer_through_a_flood_of_public_pages);
async fn probes_answer_through_a_flood_of_public_pages(engine: Engine) {
    let server = one_public_page_at_a_time(engine);
    let client = server.client();
    let mut shed = 0;
    for _round in 0..5 {
        let flood = join_all((0..60).map(|_| client.get(server.at("/")).send()));
        let probes = join_all(
            (0..10)
                .flat_map(|_| ["/healthz", "/readyz"])
                .map(|path| client.get(server.at(path)).send()),
        );
        let (flood, probes) = tokio::join!(flood, probes);
        shed += flood
            .into_iter()
            .filter(|r| r.as_ref().unwrap().status() == 503)
            .count();
        for probe in probes {
            let probe = probe.unwrap();
            assert_eq!(
                probe.status(),
                200,
                "a probe was shed with the public pages"
            );
        }
    }
    assert!(
        shed > 0,
        "the flood never filled the public pages' budget, so it showed nothing"
    );
}

#[tokio::test]
async fn readyz_answers_503_while_the_key_store_does_not_answer() {
    let server = TestServer::start_on(Engine::Postgres);
    let client = server.client();
    let status = |path: &'static str| {
        let request = client.get(server.at(path));
        async move { request.send().await.unwrap().status() }
    };
    assert_eq!(status("/readyz").await, 200);
    let keys = server.postgres().unwrap().keys.clone();
    let mut admin = support::postgres_admin().await;
    let allow = |allowed: bool| {
        sqlx::AssertSqlSafe(format!(
            "ALTER DATABASE \"{keys}\" WITH ALLOW_CONNECTIONS {allowed}"
        ))
    };
    sqlx::raw_sql(allow(false))
        .execute(&mut admin)
        .await
        .unwrap();
    sqlx::query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1")
        .bind(&keys)
        .execute(&mut admin)
        .await
        .unwrap();
    server
        .eventually("readyz says 503", || async {
            status("/readyz").await == 503
        })
        .await;
    assert_eq!(
        status("/healthz").await,
        200,
        "the process itself still answers"
    );
    sqlx::raw_sql(allow(true))
        .execute(&mut admin)
        .await
        .unwrap();
    server
        .eventually("readyz says 200 again", || async {
            status("/readyz").await == 200
        })
        .await;
}

/// The metrics endpoint's address, as the server printed it.
fn metrics_url(server: &TestServer) -> String {
    let logs = server.logs();
    let rest = logs
        .split("ombuds serves metrics on ")
        .nth(1)
        .unwrap_or_else(|| panic!("no metrics address printed:\n{logs}"));
    rest.lines().next().unwrap().trim().to_owned()
}

/// The value of the sample `name` (with its labels, as written) in a scrape.
fn sample(scrape: &str, name: &str) -> f64 {
    scrape
        .lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("no {name} in:\n{scrape}"))
        .parse()
        .unwrap()
}

on_both_engines!(metrics_show_load_and_sweeps_and_nothing_moves_with_a_concern);
async fn metrics_show_load_and_sweeps_and_nothing_moves_with_a_concern(engine: Engine) {
    let server = one_public_page_at_a_time(engine);
    let url = metrics_url(&server);
    let client = server.client();
    let scrape = || {
        let request = client.get(&url);
        async move {
            let answer = request.send().await.unwrap();
            assert_eq!(answer.status(), 200);
            assert!(
                answer.headers()["content-type"]
                    .to_str()
                    .unwrap()
                    .starts_with("text/plain; version=0.0.4")
            );
            answer.text().await.unwrap()
        }
    };
    server
        .eventually("the start-up sweep is counted", || async {
            sample(&scrape().await, "ombuds_sweeps_total") >= 1.0
        })
        .await;
    let before = scrape().await;
    for family in [
        "ombuds_requests_shed_total{audience=\"intake\"}",
        "ombuds_requests_queued{audience=\"public\"}",
        "ombuds_swept_items_total{class=\"notes\"}",
        "ombuds_sweep_failures_total",
        "process_resident_memory_bytes",
    ] {
        sample(&before, family);
    }
    let pool = if engine == Engine::Sqlite {
        "readers"
    } else {
        "main"
    };
    assert!(
        sample(
            &before,
            &format!("ombuds_pool_max_connections{{pool=\"{pool}\"}}")
        ) >= 1.0
    );

    for n in 0..3 {
        server
            .submit(&format!("Concern number {n} for the scrape."))
            .await;
    }
    let after = scrape().await;
    // Only figures that move by themselves may differ: memory, the pools' idle or busy
    // connections, and the sweeper's counters. Nothing counts concerns.
    let moving = [
        "process_resident_memory_bytes",
        "ombuds_peak_resident_memory_bytes",
        "ombuds_pool_connections",
        "ombuds_sweeps_total",
        "ombuds_swept_items_total",
    ];
    for line in after.lines().filter(|l| !before.lines().any(|b| b == *l)) {
        assert!(
            moving.iter().any(|name| line.starts_with(name)),
            "{line:?} changed when concerns arrived"
        );
    }

    // A flood of submissions over the intake's budget is counted as shed.
    let floods = join_all((0..40).map(|_| {
        client
            .post(server.at("/api/v1/concerns"))
            .json(&support::valid_concern())
            .send()
    }))
    .await;
    let shed = floods
        .into_iter()
        .filter(|r| r.as_ref().unwrap().status() == 503)
        .count();
    let counted = sample(
        &scrape().await,
        "ombuds_requests_shed_total{audience=\"intake\"}",
    );
    assert!(
        (counted - shed as f64).abs() < 0.5,
        "{counted} counted, {shed} shed"
    );
    // The endpoint is not on the public site.
    let public = client.get(server.at("/metrics")).send().await.unwrap();
    assert_eq!(public.status(), 404);
}

on_both_engines!(json_logs_are_one_object_a_line_with_no_time_and_no_content);
async fn json_logs_are_one_object_a_line_with_no_time_and_no_content(engine: Engine) {
    let canary = "CANARY-json-7f3a9c the broker kept my deposit";
    let mut server = TestServer::start_with(Options {
        engine,
        env: vec![("OMBUDS_LOG_FORMAT", "json".to_owned())],
        ..Options::default()
    });
    server.submit(canary).await;
    let admin = server.admin().await;
    let ombuds = server.staff(&admin, "olivia", "ombuds").await;
    let cases = staff_get(&server, &ombuds, "/api/v1/cases").await;
    // The ombuds reads it: the service decrypts it, and must still log none of it.
    let id = cases[0]["id"].as_str().unwrap();
    let case = staff_get(&server, &ombuds, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(case["concern"]["description"], canary);
    server.stop();
    let stderr = std::fs::read(server.root.path().join("stderr.log")).unwrap();
    assert!(!contains(&stderr, "CANARY"), "the concern reached the log");
    let text = String::from_utf8(stderr).unwrap();
    let mut messages = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let object: Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
        assert!(object["level"].is_string(), "{line}");
        assert!(object.get("timestamp").is_none(), "a time of day: {line}");
        messages.push(object["message"].as_str().unwrap_or_default().to_owned());
    }
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("serving the ombuds program")),
        "{text}"
    );
    assert!(messages.iter().any(|m| m == "stopped"), "{text}");
}

#[test]
fn generated_manual_pages_and_completions_describe_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let out = support::run(
        Path::new("."),
        &["generate-docs", dir.path().to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", text(&out));
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
    let main = read("man/ombuds.1");
    for command in ["serve", "check", "backup", "deadline", "report"] {
        assert!(main.contains(command), "ombuds.1 lacks {command}");
        assert!(
            dir.path().join(format!("man/ombuds-{command}.1")).exists(),
            "no page for {command}"
        );
    }
    assert!(
        !main.contains("generate-docs"),
        "the hidden command is documented"
    );
    assert!(read("man/ombuds-backup.1").contains("keys\\-to"));
    assert!(read("completions/ombuds.bash").contains("backup"));
    assert!(read("completions/_ombuds").contains("check"));
    assert!(read("completions/ombuds.fish").contains("check"));
}

on_both_engines!(every_page_links_to_the_source_and_the_licence_is_served);
async fn every_page_links_to_the_source_and_the_licence_is_served(engine: Engine) {
    let server = TestServer::start_on(engine);
    let client = server.client();
    for path in [
        "/",
        "/followup?lang=es",
        "/verify",
        "/signin",
        "/no-such-page",
    ] {
        assert!(
            page_text(&server, path)
                .await
                .contains("<a href=\"/source\">"),
            "{path} has no source link"
        );
    }
    let licence = client.get(server.at("/source")).send().await.unwrap();
    assert_eq!(licence.status(), 200);
    assert!(
        licence.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let licence = licence.text().await.unwrap();
    assert!(licence.contains(&format!("ombuds {}", env!("CARGO_PKG_VERSION"))));
    assert!(licence.contains("GNU AFFERO GENERAL PUBLIC LICENSE"));
    assert!(licence.contains("13. Remote Network Interaction"));
    assert!(
        page_text(&server, "/source?lang=es")
            .await
            .contains("software libre")
    );

    let own = TestServer::start_with(Options {
        engine,
        edit_config: Box::new(|config| {
            config.replace(
                "[server]\n",
                "[server]\nsource_url = \"https://git.example.org/association/ombuds\"\n",
            )
        }),
        ..Options::default()
    });
    let page = page_text(&own, "/?lang=es").await;
    assert!(
        page.contains("<a href=\"https://git.example.org/association/ombuds\">"),
        "{page}"
    );
}

#[test]
fn the_licence_is_the_agpl_3_text() {
    let licence = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/LICENSE")).unwrap();
    assert!(licence.starts_with("                    GNU AFFERO GENERAL PUBLIC LICENSE"));
    assert!(licence.contains("Version 3, 19 November 2007"));
    assert_eq!(licence.lines().count(), 661);
    let manifest =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml")).unwrap();
    assert!(manifest.contains("license = \"AGPL-3.0-or-later\""));
    let fuzz =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/Cargo.toml")).unwrap();
    assert!(fuzz.contains("license = \"AGPL-3.0-or-later\""));
}

#[test]
fn init_for_a_configuration_creates_its_files_once_and_never_beside_old_data() {
    let root = tempfile::tempdir().unwrap();
    let made = root.path().join("made");
    support::init(&made);
    // A configuration of its own (as the package installs one), naming files that do not
    // exist yet.
    let dir = root.path().join("packaged");
    std::fs::create_dir(&dir).unwrap();
    std::fs::copy(made.join("ombuds.toml"), dir.join("ombuds.toml")).unwrap();
    let config = dir.join("ombuds.toml");
    let init = || {
        support::run(
            Path::new("."),
            &["init", "--config", config.to_str().unwrap()],
        )
    };

    let first = init();
    assert!(first.status.success(), "{}", text(&first));
    assert!(text(&first).contains("association public key: age1"));
    for name in [
        "identity.key",
        "receipt.key",
        "signing.key",
        "ombuds.db",
        "keys.db",
    ] {
        assert!(dir.join(name).exists(), "{name} was not created");
    }
    let identity = std::fs::read(dir.join("identity.key")).unwrap();
    let checked = support::run(
        Path::new("."),
        &["check", "--config", config.to_str().unwrap()],
    );
    assert!(checked.status.success(), "{}", text(&checked));

    let again = init();
    assert!(again.status.success(), "{}", text(&again));
    assert!(text(&again).contains("nothing to do"));
    assert_eq!(std::fs::read(dir.join("identity.key")).unwrap(), identity);

    // The identity lost beside a database: no new one is made.
    std::fs::remove_file(dir.join("identity.key")).unwrap();
    let refused = init();
    assert_refused(&refused, "identity.key");
    assert!(!dir.join("identity.key").exists());
}

#[tokio::test]
async fn serve_tells_systemd_when_it_is_ready_and_when_it_stops() {
    let socket_dir = tempfile::tempdir().unwrap();
    let path = socket_dir.path().join("notify");
    let socket = std::os::unix::net::UnixDatagram::bind(&path).unwrap();
    socket
        .set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    let mut server = TestServer::start_with(Options {
        env: vec![("NOTIFY_SOCKET", path.to_str().unwrap().to_owned())],
        ..Options::default()
    });
    let mut buffer = [0u8; 256];
    let read = socket.recv(&mut buffer).unwrap();
    assert_eq!(std::str::from_utf8(&buffer[..read]).unwrap(), "READY=1\n");
    // Ready means answering.
    let health = server
        .client()
        .get(server.at("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    assert!(server.stop().success());
    let read = socket.recv(&mut buffer).unwrap();
    assert_eq!(
        std::str::from_utf8(&buffer[..read]).unwrap(),
        "STOPPING=1\n"
    );
}
