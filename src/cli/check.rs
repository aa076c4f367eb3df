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

use crate::config::{Config, Database, KeyStore, PostgresUrl};
use crate::crypto::MasterKey;
use crate::crypto::ReceiptKey;
use crate::crypto::certificate::SigningKey;
use crate::store::postgres::{DATABASE_VERSION, KEY_STORE_VERSION};

/// How long a database may take to answer before the check calls it unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// What one run found.
#[derive(Debug, Default)]
pub struct Report {
    /// What was checked and found usable, one line each.
    pub fine: Vec<String>,
    /// What is wrong, one line each, naming the setting.
    pub problems: Vec<String>,
}

impl Report {
    fn ok(&mut self, line: impl Into<String>) {
        self.fine.push(line.into());
    }

    fn problem(&mut self, setting: &str, text: impl std::fmt::Display) {
        self.problems.push(format!("setting `{setting}`: {text}"));
    }

    /// The report as text: what is fine, then what is wrong, then a verdict.
    pub fn text(&self, file: &Path) -> String {
        let mut out = String::new();
        for line in &self.fine {
            let _ = writeln!(out, "ok: {line}");
        }
        for line in &self.problems {
            let _ = writeln!(out, "error: {line}");
        }
        if self.problems.is_empty() {
            let _ = writeln!(out, "{}: all is well", file.display());
        } else {
            let _ = writeln!(
                out,
                "{}: {} problem(s) found; nothing was changed",
                file.display(),
                self.problems.len()
            );
        }
        out
    }
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
        Err(super::Failure::Usage(format!(
            "{}: {} problem(s) found",
            file.display(),
            report.problems.len()
        )))
    }
}

/// Checks the configuration in `file` and everything it names. `Err` is a configuration that
/// cannot be read at all; otherwise the report lists what was found.
pub async fn check(file: &Path) -> Result<Report, String> {
    let config = Config::load(file).map_err(|e| super::said(&e))?;
    let mut report = Report::default();
    report.ok(format!("configuration {} reads", file.display()));
    check_transport(&config, &mut report);
    check_tls(&config, &mut report);
    let master = check_keys(&config, &mut report);
    check_directories(&config, &mut report);
    match (&config.database, &config.keys.store) {
        (Database::Sqlite { path }, KeyStore::File(keys)) => {
            check_sqlite(path, keys, master.as_ref(), &mut report).await;
        }
        (Database::Postgres { url }, KeyStore::Postgres(keys)) => {
            check_postgres(url, keys, master.as_ref(), &mut report).await;
        }
        _ => report.problem(
            "keys.store",
            "the key store must use the same engine as database.url",
        ),
    }
    Ok(report)
}

fn check_transport(config: &Config, report: &mut Report) {
    match config.check_transport(config.server.listen) {
        Ok(()) => report.ok(format!("server.listen {}", config.server.listen)),
        Err(problem) => report.problem("server.listen", crate::i18n::Lang::En.say(&problem)),
    }
}

fn check_tls(config: &Config, report: &mut Report) {
    if let Some(files) = &config.server.tls {
        match crate::server::tls::server_config(files) {
            Ok(_) => report.ok(format!(
                "TLS certificate {} and key {}",
                files.certificate.display(),
                files.private_key.display()
            )),
            Err(e) => report.problem("server.tls_certificate", e),
        }
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
                        format!(
                            "{recipient} is not the public key of keys.identity ({})",
                            master.recipient()
                        ),
                    ),
                    _ => report.ok(format!("identity {}", path.display())),
                }
                Some(master)
            }
            Err(e) => {
                report.problem("keys.identity", e);
                None
            }
        },
        (None, Some(recipient)) => match MasterKey::public_only(recipient) {
            Ok(master) => {
                report.ok("public key only (this server takes concerns and reads nothing)");
                Some(master)
            }
            Err(e) => {
                report.problem("keys.recipient", e);
                None
            }
        },
        (None, None) => {
            report.problem(
                "keys.identity",
                "set keys.identity (or, for a server that only takes concerns, keys.recipient)",
            );
            None
        }
    };
    match ReceiptKey::load(&keys.receipt_secret) {
        Ok(_) => report.ok(format!("receipt key {}", keys.receipt_secret.display())),
        Err(e) => report.problem("keys.receipt_secret", e),
    }
    match SigningKey::load(&keys.signing_key) {
        Ok(_) => report.ok(format!("signing key {}", keys.signing_key.display())),
        Err(e) => report.problem("keys.signing_key", e),
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
                format!(
                    "the directory {} {problem}; SQLite writes {} and its journal there",
                    dir.display(),
                    file.display()
                ),
            ),
        }
    }
}

#[cfg(target_os = "linux")]
fn writable(dir: &Path) -> Result<(), String> {
    if !dir.is_dir() {
        return Err("does not exist".into());
    }
    rustix::fs::access(
        dir,
        rustix::fs::Access::WRITE_OK | rustix::fs::Access::EXEC_OK,
    )
    .map_err(|e| format!("is not writable by this user ({e})"))
}

#[cfg(not(target_os = "linux"))]
fn writable(dir: &Path) -> Result<(), String> {
    if dir.is_dir() {
        Ok(())
    } else {
        Err("does not exist".into())
    }
}

/// What one database says about itself.
struct Found {
    version: usize,
}

/// Compares a recorded schema version with this program's.
fn check_version(setting: &str, what: &str, found: &Found, known: usize, report: &mut Report) {
    if found.version > known {
        report.problem(
            setting,
            format!(
                "{what} is at schema version {}, but this program knows only up to {known}: it \
                 was written by a newer ombuds. Run that version (or newer), or restore a backup \
                 taken before the upgrade",
                found.version
            ),
        );
    } else if found.version < known {
        report.ok(format!(
            "{what}: schema version {} (the next start migrates it to {known}; back up first)",
            found.version
        ));
    } else {
        report.ok(format!("{what}: schema version {known}"));
    }
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
        Ok(_) => report.ok(format!("keys.identity opens the keys in {store}")),
        Err(_) => report.problem(
            "keys.identity",
            format!(
                "the identity does not open the keys in {store}: they were wrapped to another \
                 identity (was the wrong identity.key or key store restored?)"
            ),
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
            report.ok(format!(
                "{} does not exist yet: the first start creates it",
                database.display()
            ));
            return;
        }
        (true, false) => {
            report.problem(
                "keys.store",
                format!(
                    "the key store {} does not exist, but the database {} does. Restore the key \
                     store, or point keys.store at it; without it no stored content can be read",
                    key_store.display(),
                    database.display()
                ),
            );
            return;
        }
        _ => {}
    }
    let db = sqlite_read(database, "database.url", report).await;
    if let Some(found) = db {
        check_version(
            "database.url",
            &format!("database {}", database.display()),
            &found,
            DATABASE_VERSION,
            report,
        );
    }
    if !has(key_store) {
        report.ok(format!(
            "key store {} is empty: the next start creates its tables",
            key_store.display()
        ));
        return;
    }
    if let Some(found) = sqlite_read(key_store, "keys.store", report).await {
        check_version(
            "keys.store",
            &format!("key store {}", key_store.display()),
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
            report.problem(setting, format!("cannot open {}: {e}", path.display()));
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
                format!(
                    "{} is damaged (SQLite's integrity check says: {verdict}); restore it from \
                     a backup",
                    path.display()
                ),
            );
            None
        }
        Err(e) => {
            report.problem(
                setting,
                format!("{} is not an ombuds database: {e}", path.display()),
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
                format!("{url} is not a usable PostgreSQL URL: {e}"),
            );
            return None;
        }
    };
    let mut conn = match tokio::time::timeout(CONNECT_TIMEOUT, options.connect()).await {
        Ok(Ok(conn)) => conn,
        Ok(Err(e)) => {
            report.problem(
                setting,
                format!(
                    "cannot connect to PostgreSQL at {url}: {e}. Check that the server runs, \
                     that the database exists and that this role may connect to it"
                ),
            );
            return None;
        }
        Err(_) => {
            report.problem(
                setting,
                format!("PostgreSQL at {url} did not answer within 10 seconds"),
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
            report.problem(setting, format!("cannot read {url}: {e}"));
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
                format!("{database} is a key store, not the service's main database"),
            ),
            None => report.ok(format!(
                "database {database} answers and is empty: the first start creates its tables"
            )),
            Some(_) => check_version(
                "database.url",
                &format!("database {database}"),
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
                format!(
                    "{key_store} is the service's main database, not its key store; the keys \
                     must live in a database of their own"
                ),
            ),
            None if main.as_ref().is_some_and(|m| m.holds_content) => report.problem(
                "keys.store",
                format!(
                    "the key store {key_store} holds no keys, but the database {database} holds \
                     content. Restore the key store, or point keys.store at it; without it no \
                     stored content can be read"
                ),
            ),
            None => report.ok(format!(
                "key store {key_store} answers and is empty: the first start creates its tables"
            )),
            Some(_) => {
                check_version(
                    "keys.store",
                    &format!("key store {key_store}"),
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
