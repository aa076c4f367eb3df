//! The PostgreSQL engine, for associations that run several `ombuds serve` processes over one
//! shared database: a pool on the main database and a pool on the key store, which is a second
//! database so that the main one can be backed up without the keys.
//!
//! This module owns connecting (and naming the setting at fault when that fails), the checks
//! that the two URLs name two different databases of the right kind, the migrations, and the
//! engine's own operations (ping, close, who sweeps). It must hold no per-process state beyond
//! its connections (one of which carries the sweeper's lock): everything several processes
//! share lives in the databases. Writes that touch both databases cannot be atomic, so they are
//! ordered (see `keys.rs` and SECURITY.md): a key is stored before the content sealed to it and
//! destroyed after that content, so that an interruption leaves at worst an orphaned key, which
//! the sweeper removes.
//!
//! Each section of the [`Backend`] interface has its file (`cases.rs`, `notes.rs`, `thread.rs`,
//! `letters.rs`, `trends.rs`, `accounts.rs`, `retention.rs`); rows are decoded in `rows.rs`.

mod accounts;
mod cases;
mod digest;
mod keys;
mod letters;
mod notes;
mod plan;
mod retention;
mod rows;
pub(in crate::store) mod schema;
mod thread;
mod trends;

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{ConnectOptions, PgConnection};
use tokio::sync::Mutex;

use super::StoreError;
use super::backend::Backend;
use crate::config::PostgresUrl;

pub use schema::{DATABASE_VERSION, KEY_STORE_VERSION};

/// Connections to the main database per process.
const MAIN_CONNECTIONS: u32 = 8;
/// Connections to the key store per process.
const KEY_CONNECTIONS: u32 = 4;
/// How long a request waits for a free connection before failing.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(15);

/// Which of the two databases a connection is for; names the setting in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// The main database (`database.url`).
    Database,
    /// The key store (`keys.store`).
    KeyStore,
}

impl Kind {
    /// The configuration setting that names this database.
    fn setting(self) -> &'static str {
        match self {
            Self::Database => "database.url",
            Self::KeyStore => "keys.store",
        }
    }

    /// How the database records what it is, in its `schema_version` table.
    fn code(self) -> &'static str {
        match self {
            Self::Database => "database",
            Self::KeyStore => "key store",
        }
    }
}

/// The PostgreSQL engine.
pub struct PostgresBackend {
    /// The main database: cases, notes, letters, accounts, counters.
    main: PgPool,
    /// The key store: content keys and day keys, wrapped to the association's identity.
    keys: PgPool,
    /// How to open the sweeper's own connection to the main database.
    main_options: PgConnectOptions,
    /// The connection that holds the sweeper's advisory lock, while this process leads.
    leader: Mutex<retention::Leader>,
}

impl PostgresBackend {
    /// Connects to the main database at `database` and the key store at `key_store`, checks
    /// that each is what it should be, and brings both schemas up to date.
    pub async fn open(database: &PostgresUrl, key_store: &PostgresUrl) -> Result<Self, StoreError> {
        let main_options = options(database, Kind::Database)?;
        let key_options = options(key_store, Kind::KeyStore)?;
        let main = pool(
            main_options.clone(),
            MAIN_CONNECTIONS,
            database,
            Kind::Database,
        )
        .await?;
        let keys = pool(key_options, KEY_CONNECTIONS, key_store, Kind::KeyStore).await?;
        schema::migrate(&main, &keys, database, key_store).await?;
        Ok(Self {
            main,
            keys,
            main_options,
            leader: Mutex::new(retention::Leader::default()),
        })
    }
}

#[async_trait]
impl Backend for PostgresBackend {
    async fn lead_sweeping(&self) -> Result<bool, StoreError> {
        self.try_lead().await
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.main).await?;
        sqlx::query("SELECT 1").execute(&self.keys).await?;
        Ok(())
    }

    fn pools(&self) -> Vec<crate::store::PoolUse> {
        [("main", &self.main), ("keys", &self.keys)]
            .into_iter()
            .map(|(name, pool)| crate::store::PoolUse {
                name,
                size: pool.size(),
                idle: u32::try_from(pool.num_idle()).unwrap_or(u32::MAX),
                max: pool.options().get_max_connections(),
            })
            .collect()
    }

    async fn close(&self) {
        self.release_lead().await;
        self.main.close().await;
        self.keys.close().await;
    }
}

/// Connection options for `url`, with statement logging off (statements carry no content,
/// but their parameters are ciphertext and hashes that have no place in logs).
fn options(url: &PostgresUrl, kind: Kind) -> Result<PgConnectOptions, StoreError> {
    let options = PgConnectOptions::from_str(url.expose()).map_err(|e| StoreError::Setting {
        setting: kind.setting(),
        problem: format!("{url} is not a usable PostgreSQL URL: {e}"),
    })?;
    Ok(options
        .application_name("ombuds")
        .log_statements(tracing::log::LevelFilter::Off)
        .log_slow_statements(tracing::log::LevelFilter::Off, Duration::from_secs(3600)))
}

/// A pool on one database. One connection is made first, on its own, so that a database
/// that cannot be reached stops start-up at once (the pool would retry until its timeout).
async fn pool(
    options: PgConnectOptions,
    size: u32,
    url: &PostgresUrl,
    kind: Kind,
) -> Result<PgPool, StoreError> {
    let probe = options
        .connect()
        .await
        .map_err(|e| unreachable(url, kind, &e))?;
    let _ = sqlx::Connection::close(probe).await;
    // Connections are kept open, not made on demand: under load, making one (TCP, SCRAM) is what
    // a request would wait for.
    PgPoolOptions::new()
        .max_connections(size)
        .min_connections(size)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .after_connect(|conn, _| Box::pin(async move { durable_commits(conn).await }))
        .connect_with(options)
        .await
        .map_err(|e| unreachable(url, kind, &e))
}

/// A commit is acknowledged only once it is on disk: a server or role configured with
/// `synchronous_commit = off` is overridden for this service's sessions. Stronger settings
/// (`remote_write`, `remote_apply`) are kept.
async fn durable_commits(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    let setting: String = sqlx::query_scalar("SELECT current_setting('synchronous_commit')")
        .fetch_one(&mut *conn)
        .await?;
    if setting == "off" {
        sqlx::raw_sql("SET synchronous_commit TO on")
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The start-up error for a database that cannot be reached, naming its setting.
fn unreachable(url: &PostgresUrl, kind: Kind, error: &sqlx::Error) -> StoreError {
    StoreError::Setting {
        setting: kind.setting(),
        problem: format!(
            "cannot connect to PostgreSQL at {url}: {error}. Check that the server runs, that \
             the database exists and that this role may connect to it"
        ),
    }
}

/// Whether `error` is the PostgreSQL error with SQLSTATE `code`.
fn is_sqlstate(error: &sqlx::Error, code: &str) -> bool {
    error
        .as_database_error()
        .and_then(|db| db.code())
        .is_some_and(|c| c == code)
}

/// SQLSTATE of a foreign key violation: the case a row points to was destroyed meanwhile.
const FOREIGN_KEY_VIOLATION: &str = "23503";
/// SQLSTATE of a unique violation.
const UNIQUE_VIOLATION: &str = "23505";

/// A row insert that may find its case destroyed meanwhile: a foreign key violation then means
/// "no such case", as a missing row does.
fn inserted(
    result: Result<sqlx::postgres::PgQueryResult, sqlx::Error>,
) -> Result<bool, StoreError> {
    match result {
        Ok(done) => Ok(done.rows_affected() == 1),
        Err(e) if is_sqlstate(&e, FOREIGN_KEY_VIOLATION) => Ok(false),
        Err(e) => Err(e.into()),
    }
}
