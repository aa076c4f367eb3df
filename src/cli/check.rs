//! `ombuds check --config FILE`: reads a configuration and everything it names — key files, TLS
//! files, the data directory, both databases — and says what is wrong, or that all is well.
//!
//! It changes nothing: SQLite files are opened read-only and never created or migrated,
//! PostgreSQL is only queried, and no probe file is written. (SQLite itself may remove an
//! empty `-wal` file and its `-shm` index when the last connection to a database closes; they
//! hold no data.) Every problem found is reported
//! (not only the first), each naming its setting, so that one run tells an operator everything
//! to fix after an upgrade, a restore or an edit.

use std::fmt::Write as _;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::{ConnectOptions, Connection};

use super::say;
use crate::config::{Config, Database, KeyStore, PostgresUrl};
use crate::crypto::MasterKey;
use crate::crypto::ReceiptKey;
use crate::crypto::certificate::SigningKey;
use crate::domain::phrase::{Phrase, Said as _};
use crate::store::postgres::{DATABASE_VERSION, KEY_STORE_VERSION};

/// How long a database may take to answer before the check calls it unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// What one run found.
#[derive(Debug, Default)]
pub struct Report {
    /// What was checked and found usable, one line each.
    pub fine: Vec<Phrase>,
    /// What is wrong, one line each, naming the setting.
    pub problems: Vec<Phrase>,
}

impl Report {
    fn ok(&mut self, line: Phrase) {
        self.fine.push(line);
    }

    fn problem(&mut self, setting: &str, problem: Phrase) {
        self.problems.push(
            Phrase::new("cli.check.setting")
                .with("setting", setting)
                .with("problem", problem),
        );
    }

    /// The report as text: what is fine, then what is wrong, then a verdict.
    pub fn text(&self, file: &Path) -> String {
        let mut out = String::new();
        for line in &self.fine {
            let line = Phrase::new("cli.check.ok").with("line", line.clone());
            let _ = writeln!(out, "{}", say(&line));
        }
        for line in &self.problems {
            let line = Phrase::new("cli.error").with("message", line.clone());
            let _ = writeln!(out, "{}", say(&line));
        }
        let verdict = if self.problems.is_empty() {
            Phrase::new("cli.check.all_well")
        } else {
            Phrase::new("cli.check.problems_unchanged").with("n", self.problems.len())
        };
        let _ = writeln!(out, "{}", say(&verdict.with("file", shown(file))));
        out
    }
}

/// `path` as a line of the report shows it.
fn shown(path: &Path) -> String {
    path.display().to_string()
}

/// Text worded elsewhere (a library's error), as it is.
fn as_is(text: impl std::fmt::Display) -> Phrase {
    super::as_is(text)
}

/// `ombuds check`'s arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct CheckArgs {
    /// Configuration file (default ./ombuds-data/ombuds.toml).
    #[arg(long, value_name = "FILE")]
    pub config: Option<std::path::PathBuf>,
}

/// `ombuds check`: the report on standard output; exit status 2 when it found a problem.
pub async fn run(args: &CheckArgs) -> super::Outcome {
    let file = super::config_file(args.config.as_ref());
    let report = check(&file).await.map_err(super::Failure::Usage)?;
    let text = report.text(&file);
    if report.problems.is_empty() {
        Ok(text)
    } else {
        // The whole report, then the one-line verdict on standard error.
        print!("{text}");
        Err(super::Failure::Usage(
            Phrase::new("cli.check.problems")
                .with("file", shown(&file))
                .with("n", report.problems.len()),
        ))
    }
}

/// Checks the configuration in `file` and everything it names. `Err` is a configuration that
/// cannot be read at all; otherwise the report lists what was found.
pub async fn check(file: &Path) -> Result<Report, Phrase> {
    let config = Config::load(file).map_err(|e| e.phrase())?;
    let mut report = Report::default();
    report.ok(Phrase::new("cli.check.reads").with("file", shown(file)));
    check_transport(&config, &mut report);
    check_tls(&config, &mut report);
    let master = check_keys(&config, &mut report);
    check_directories(&config, &mut report);
    check_digest(&config, &mut report).await;
    match (&config.database, &config.keys.store) {
        (Database::Sqlite { path }, KeyStore::File(keys)) => {
            check_sqlite(path, keys, master.as_ref(), &mut report).await;
        }
        (Database::Postgres { url }, KeyStore::Postgres(keys)) => {
            check_postgres(url, keys, master.as_ref(), &mut report).await;
        }
        _ => report.problem("keys.store", Phrase::new("cli.check.engines")),
    }
    Ok(report)
}

fn check_transport(config: &Config, report: &mut Report) {
    match config.check_transport(config.server.listen) {
        Ok(()) => report
            .ok(Phrase::new("cli.check.listen").with("listen", config.server.listen.to_string())),
        Err(problem) => report.problem("server.listen", problem),
    }
}

fn check_tls(config: &Config, report: &mut Report) {
    if let Some(files) = &config.server.tls {
        match crate::server::tls::server_config(files) {
            Ok(_) => report.ok(Phrase::new("cli.check.tls")
                .with("certificate", shown(&files.certificate))
                .with("key", shown(&files.private_key))),
            Err(e) => report.problem("server.tls_certificate", as_is(e)),
        }
    }
}

/// The digest, when it is on: its password and CA files, and the relay, reached as a sending
/// would reach it (TLS and login included) and left without sending anything.
async fn check_digest(config: &Config, report: &mut Report) {
    let Some(digest) = &config.digest else {
        report.ok(Phrase::new("cli.check.digest_off"));
        return;
    };
    let mailer = match crate::mail::Mailer::new(digest) {
        Ok(mailer) => mailer,
        Err(e) => {
            report.problem(e.setting(), as_is(e));
            return;
        }
    };
    let relay = mailer.relay();
    match tokio::time::timeout(CONNECT_TIMEOUT, mailer.check()).await {
        Ok(Ok(())) => report.ok(Phrase::new("cli.check.digest").with("relay", relay).with(
            "schedule",
            crate::i18n::Lang::En.digest_schedule(digest.schedule),
        )),
        Ok(Err(e)) => report.problem(
            e.setting(),
            Phrase::new("cli.check.digest_relay")
                .with("relay", relay)
                .with("error", e.to_string()),
        ),
        Err(_) => report.problem(
            "digest.smtp_host",
            Phrase::new("cli.check.digest_silent")
                .with("relay", relay)
                .with("seconds", CONNECT_TIMEOUT.as_secs()),
        ),
    }
}

/// Loads every key file as the service would; returns the master key when it loads.
fn check_keys(config: &Config, report: &mut Report) -> Option<MasterKey> {
    let keys = &config.keys;
    let master = match (&keys.identity, &keys.recipient) {
        (Some(path), recipient) => match MasterKey::load(path) {
            Ok(master) => {
                match recipient {
                    Some(recipient) if *recipient != master.recipient() => report.problem(
                        "keys.recipient",
                        Phrase::new("cli.check.recipient")
                            .with("recipient", recipient.as_str())
                            .with("identity", master.recipient()),
                    ),
                    _ => report.ok(Phrase::new("cli.check.identity").with("file", shown(path))),
                }
                Some(master)
            }
            Err(e) => {
                report.problem("keys.identity", as_is(e));
                None
            }
        },
        (None, Some(recipient)) => match MasterKey::public_only(recipient) {
            Ok(master) => {
                report.ok(Phrase::new("cli.check.public_only"));
                Some(master)
            }
            Err(e) => {
                report.problem("keys.recipient", as_is(e));
                None
            }
        },
        (None, None) => {
            report.problem("keys.identity", Phrase::new("cli.check.no_identity"));
            None
        }
    };
    match ReceiptKey::load(&keys.receipt_secret) {
        Ok(_) => report
            .ok(Phrase::new("cli.check.receipt_key").with("file", shown(&keys.receipt_secret))),
        Err(e) => report.problem("keys.receipt_secret", as_is(e)),
    }
    match SigningKey::load(&keys.signing_key) {
        Ok(_) => {
            report.ok(Phrase::new("cli.check.signing_key").with("file", shown(&keys.signing_key)))
        }
        Err(e) => report.problem("keys.signing_key", as_is(e)),
    }
    master
}

/// The directories SQLite writes to must exist and be writable by this user; checked without
/// writing anything.
fn check_directories(config: &Config, report: &mut Report) {
    let mut dirs = Vec::new();
    if let Database::Sqlite { path } = &config.database {
        dirs.push(("database.url", path));
    }
    if let KeyStore::File(path) = &config.keys.store {
        dirs.push(("keys.store", path));
    }
    for (setting, file) in dirs {
        let dir = match file.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        match writable(dir) {
            Ok(()) => {}
            Err(problem) => report.problem(
                setting,
                Phrase::new("cli.check.directory")
                    .with("dir", shown(dir))
                    .with("problem", problem)
                    .with("file", shown(file)),
            ),
        }
    }
}

#[cfg(target_os = "linux")]
fn writable(dir: &Path) -> Result<(), Phrase> {
    if !dir.is_dir() {
        return Err(Phrase::new("cli.check.no_directory"));
    }
    rustix::fs::access(
        dir,
        rustix::fs::Access::WRITE_OK | rustix::fs::Access::EXEC_OK,
    )
    .map_err(|e| Phrase::new("cli.check.not_writable").with("error", e.to_string()))
}

#[cfg(not(target_os = "linux"))]
fn writable(dir: &Path) -> Result<(), Phrase> {
    if dir.is_dir() {
        Ok(())
    } else {
        Err(Phrase::new("cli.check.no_directory"))
    }
}

/// What one database says about itself.
struct Found {
    version: usize,
}

/// Compares a recorded schema version with this program's; `what` names the database.
fn check_version(setting: &str, what: Phrase, found: &Found, known: usize, report: &mut Report) {
    let said = |key: &'static str| {
        Phrase::new(key)
            .with("what", what.clone())
            .with("found", found.version)
            .with("known", known)
    };
    if found.version > known {
        report.problem(setting, said("cli.check.version_newer"));
    } else if found.version < known {
        report.ok(said("cli.check.version_older"));
    } else {
        report.ok(said("cli.check.version"));
    }
}

/// The database or key store at `place`, as the report names it.
fn database(place: impl std::fmt::Display) -> Phrase {
    Phrase::new("cli.check.database").with("place", place.to_string())
}

/// The key store at `place`, as the report names it.
fn key_store(place: impl std::fmt::Display) -> Phrase {
    Phrase::new("cli.check.key_store").with("place", place.to_string())
}

/// Whether `wrapped` (a key from the key store) opens with the identity.
fn check_identity_opens(
    master: Option<&MasterKey>,
    wrapped: Option<Vec<u8>>,
    store: &str,
    report: &mut Report,
) {
    let (Some(master), Some(wrapped)) = (master, wrapped) else {
        return;
    };
    if !master.can_decrypt() {
        return;
    }
    match master.unwrap_content_key(&wrapped) {
        Ok(_) => report.ok(Phrase::new("cli.check.identity_opens").with("store", store)),
        Err(_) => report.problem(
            "keys.identity",
            Phrase::new("cli.check.identity_does_not_open").with("store", store),
        ),
    }
}

async fn check_sqlite(
    database: &Path,
    key_store: &Path,
    master: Option<&MasterKey>,
    report: &mut Report,
) {
    let has = |path: &Path| std::fs::metadata(path).is_ok_and(|m| m.len() > 0);
    match (has(database), has(key_store) || key_store.exists()) {
        (false, _) if !database.exists() => {
            report.ok(Phrase::new("cli.check.not_yet").with("file", shown(database)));
            return;
        }
        (true, false) => {
            report.problem(
                "keys.store",
                Phrase::new("cli.check.key_store_missing")
                    .with("key_store", shown(key_store))
                    .with("database", shown(database)),
            );
            return;
        }
        _ => {}
    }
    let db = sqlite_read(database, "database.url", report).await;
    if let Some(found) = db {
        check_version(
            "database.url",
            self::database(database.display()),
            &found,
            DATABASE_VERSION,
            report,
        );
    }
    if !has(key_store) {
        report.ok(Phrase::new("cli.check.key_store_empty").with("file", shown(key_store)));
        return;
    }
    if let Some(found) = sqlite_read(key_store, "keys.store", report).await {
        check_version(
            "keys.store",
            self::key_store(key_store.display()),
            &found,
            KEY_STORE_VERSION,
            report,
        );
        let wrapped = sqlite_first_key(key_store).await;
        check_identity_opens(master, wrapped, &key_store.display().to_string(), report);
    }
}

/// Read-only options for an SQLite file that create nothing beside it. While a process has the
/// database open, its `-wal` and `-shm` files exist and a read-only connection shares them.
/// Without a `-wal` file nobody is writing and everything is in the file itself, so it is
/// opened as immutable: SQLite then makes no `-shm` file of its own.
pub fn sqlite_options(path: &Path) -> Result<sqlx::sqlite::SqliteConnectOptions, sqlx::Error> {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    Ok(sqlx::sqlite::SqliteConnectOptions::from_str("sqlite://")?
        .filename(path)
        .read_only(true)
        .immutable(!Path::new(&wal).exists())
        .create_if_missing(false)
        .log_statements(tracing::log::LevelFilter::Off))
}

/// Opens an SQLite file read-only, checks its integrity, and reads its schema version.
async fn sqlite_read(path: &Path, setting: &str, report: &mut Report) -> Option<Found> {
    let opened = match sqlite_options(path) {
        Ok(options) => options.connect().await,
        Err(e) => Err(e),
    };
    let mut conn = match opened {
        Ok(conn) => conn,
        Err(e) => {
            report.problem(
                setting,
                Phrase::new("cli.check.cannot_open")
                    .with("file", shown(path))
                    .with("error", e.to_string()),
            );
            return None;
        }
    };
    let checked: Result<(String, i64), sqlx::Error> = async {
        let verdict: String = sqlx::query_scalar("PRAGMA quick_check")
            .fetch_one(&mut conn)
            .await?;
        let version: i64 = sqlx::query_scalar("PRAGMA user_version")
            .fetch_one(&mut conn)
            .await?;
        Ok((verdict, version))
    }
    .await;
    let _ = conn.close().await;
    match checked {
        Ok((verdict, version)) if verdict == "ok" => Some(Found {
            version: usize::try_from(version).unwrap_or(0),
        }),
        Ok((verdict, _)) => {
            report.problem(
                setting,
                Phrase::new("cli.check.damaged")
                    .with("file", shown(path))
                    .with("verdict", verdict),
            );
            None
        }
        Err(e) => {
            report.problem(
                setting,
                Phrase::new("cli.check.not_ombuds")
                    .with("file", shown(path))
                    .with("error", e.to_string()),
            );
            None
        }
    }
}

async fn sqlite_first_key(key_store: &Path) -> Option<Vec<u8>> {
    let mut conn = sqlite_options(key_store).ok()?.connect().await.ok()?;
    let wrapped = sqlx::query_scalar("SELECT wrapped FROM content_keys LIMIT 1")
        .fetch_optional(&mut conn)
        .await
        .ok()
        .flatten();
    let _ = conn.close().await;
    wrapped
}

/// One PostgreSQL database: reachable, what it says it is, its version.
struct PgFound {
    role: Option<String>,
    version: usize,
    holds_content: bool,
    first_key: Option<Vec<u8>>,
}

async fn postgres_read(url: &PostgresUrl, setting: &str, report: &mut Report) -> Option<PgFound> {
    let options = match sqlx::postgres::PgConnectOptions::from_str(url.expose()) {
        Ok(options) => options
            .application_name("ombuds check")
            .log_statements(tracing::log::LevelFilter::Off),
        Err(e) => {
            report.problem(
                setting,
                Phrase::new("cli.check.postgres_url")
                    .with("url", url.to_string())
                    .with("error", e.to_string()),
            );
            return None;
        }
    };
    let mut conn = match tokio::time::timeout(CONNECT_TIMEOUT, options.connect()).await {
        Ok(Ok(conn)) => conn,
        Ok(Err(e)) => {
            report.problem(
                setting,
                Phrase::new("cli.check.postgres_connect")
                    .with("url", url.to_string())
                    .with("error", e.to_string()),
            );
            return None;
        }
        Err(_) => {
            report.problem(
                setting,
                Phrase::new("cli.check.postgres_silent")
                    .with("url", url.to_string())
                    .with("seconds", CONNECT_TIMEOUT.as_secs()),
            );
            return None;
        }
    };
    let read: Result<PgFound, sqlx::Error> = async {
        let exists: bool = sqlx::query_scalar("SELECT to_regclass('schema_version') IS NOT NULL")
            .fetch_one(&mut conn)
            .await?;
        if !exists {
            return Ok(PgFound {
                role: None,
                version: 0,
                holds_content: false,
                first_key: None,
            });
        }
        let row: Option<(String, i64)> =
            sqlx::query_as("SELECT role, version FROM schema_version LIMIT 1")
                .fetch_optional(&mut conn)
                .await?;
        let (role, version) = row.map_or((None, 0), |(r, v)| (Some(r), v));
        let holds_content = match role.as_deref() {
            Some("database") => {
                sqlx::query_scalar(
                    "SELECT EXISTS (SELECT 1 FROM cases) OR EXISTS (SELECT 1 FROM letters) \
                     OR EXISTS (SELECT 1 FROM notes)",
                )
                .fetch_one(&mut conn)
                .await?
            }
            _ => false,
        };
        let first_key = match role.as_deref() {
            Some("key store") => {
                sqlx::query_scalar("SELECT wrapped FROM content_keys LIMIT 1")
                    .fetch_optional(&mut conn)
                    .await?
            }
            _ => None,
        };
        Ok(PgFound {
            role,
            version: usize::try_from(version).unwrap_or(0),
            holds_content,
            first_key,
        })
    }
    .await;
    let _ = conn.close().await;
    match read {
        Ok(found) => Some(found),
        Err(e) => {
            report.problem(
                setting,
                Phrase::new("cli.check.postgres_read")
                    .with("url", url.to_string())
                    .with("error", e.to_string()),
            );
            None
        }
    }
}

async fn check_postgres(
    database: &PostgresUrl,
    key_store: &PostgresUrl,
    master: Option<&MasterKey>,
    report: &mut Report,
) {
    let main = postgres_read(database, "database.url", report).await;
    let keys = postgres_read(key_store, "keys.store", report).await;
    if let Some(main) = &main {
        match main.role.as_deref() {
            Some("key store") => report.problem(
                "database.url",
                Phrase::new("cli.check.is_key_store").with("url", database.to_string()),
            ),
            None => {
                report.ok(Phrase::new("cli.check.database_empty").with("url", database.to_string()))
            }
            Some(_) => check_version(
                "database.url",
                self::database(database),
                &Found {
                    version: main.version,
                },
                DATABASE_VERSION,
                report,
            ),
        }
    }
    if let Some(keys) = keys {
        match keys.role.as_deref() {
            Some("database") => report.problem(
                "keys.store",
                Phrase::new("cli.check.is_database").with("url", key_store.to_string()),
            ),
            None if main.as_ref().is_some_and(|m| m.holds_content) => report.problem(
                "keys.store",
                Phrase::new("cli.check.key_store_missing_keys")
                    .with("key_store", key_store.to_string())
                    .with("database", database.to_string()),
            ),
            None => report
                .ok(Phrase::new("cli.check.key_store_answers_empty")
                    .with("url", key_store.to_string())),
            Some(_) => {
                check_version(
                    "keys.store",
                    self::key_store(key_store),
                    &Found {
                        version: keys.version,
                    },
                    KEY_STORE_VERSION,
                    report,
                );
                check_identity_opens(master, keys.first_key, &key_store.to_string(), report);
            }
        }
    }
}
