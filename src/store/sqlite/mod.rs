//! The embedded SQLite engine: one database file, and a key store in a second file attached to
//! every connection as schema `keystore`.
//!
//! Durability: WAL journal with `synchronous = FULL`, so a commit is on disk before it is
//! acknowledged. Deleted bytes are overwritten (`secure_delete = ON`) in both files. All writes go
//! through one group-committing [`writer::Writer`]; reads use a small pool.
//!
//! This module owns opening the two files and the engine's own operations (ping, close). Each
//! section of the [`Backend`] interface has its file (`cases.rs`, `notes.rs`, `thread.rs`,
//! `letters.rs`, `trends.rs`, `accounts.rs`, `retention.rs`); rows are decoded in `rows.rs`.

mod accounts;
mod cases;
mod digest;
mod letters;
mod lookups;
mod notes;
mod plan;
mod retention;
mod rows;
pub(in crate::store) mod schema;
mod thread;
mod trends;
mod writer;

use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use futures_util::future::BoxFuture;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{ConnectOptions, SqliteConnection};

use super::StoreError;
use super::backend::Backend;
use writer::Writer;

/// A write for the writer: runs on its connection, inside its transaction.
type Job<'c, T> = BoxFuture<'c, Result<T, sqlx::Error>>;

/// The SQLite engine.
pub struct SqliteBackend {
    writer: Writer,
    readers: SqlitePool,
    lookups: lookups::Lookups,
}

impl SqliteBackend {
    /// Opens (creating if needed) the database at `database` and the key store at `key_store`,
    /// and brings both schemas up to date.
    pub async fn open(database: &Path, key_store: &Path) -> Result<Self, StoreError> {
        // A database without its key store holds content nobody can read any more; starting
        // with a new, empty key store would hide that. Refuse instead.
        let has_data = std::fs::metadata(database).is_ok_and(|m| m.len() > 0);
        if has_data && !key_store.exists() {
            return Err(StoreError::KeyStoreMissing {
                key_store: key_store.to_owned(),
                database: database.to_owned(),
            });
        }
        create_owner_only(database)?;
        create_owner_only(key_store)?;
        let options = SqliteConnectOptions::from_str("sqlite://")
            .map_err(StoreError::from)?
            .filename(database)
            .create_if_missing(false)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("secure_delete", "ON")
            .log_statements(tracing::log::LevelFilter::Off);

        let mut writing = options.connect().await?;
        attach_key_store(&mut writing, key_store.to_owned()).await?;
        if schema::content_without_keys(&mut writing).await? {
            return Err(StoreError::key_store_empty(
                &key_store.display(),
                &database.display(),
            ));
        }
        schema::migrate(&mut writing).await?;
        // The key writer's connection: the key store alone, as its main database.
        let writing_keys = options.clone().filename(key_store).connect().await?;
        let writer = Writer::start(writing, writing_keys);

        let key_store = key_store.to_owned();
        // A local file needs no liveness check before each use: each check is one more hop to the
        // connection's thread, which doubled the cost of a read.
        let readers = SqlitePoolOptions::new()
            .max_connections(2)
            .test_before_acquire(false)
            .after_connect(move |conn, _| {
                let key_store = key_store.clone();
                Box::pin(async move {
                    attach_key_store(conn, key_store)
                        .await
                        .map_err(|e| sqlx::Error::Configuration(e.to_string().into()))
                })
            })
            .connect_with(options.read_only(true))
            .await?;
        let lookups = lookups::Lookups::start(readers.clone());
        Ok(Self {
            writer,
            readers,
            lookups,
        })
    }
}

#[async_trait]
impl Backend for SqliteBackend {
    async fn ping(&self) -> Result<(), StoreError> {
        if self.writer.stopped() {
            return Err(StoreError::WriterStopped);
        }
        // Reads the schema of both files, so that each of them must answer.
        sqlx::query(
            "SELECT (SELECT count(*) FROM main.sqlite_schema) \
                  + (SELECT count(*) FROM keystore.sqlite_schema)",
        )
        .execute(&self.readers)
        .await?;
        Ok(())
    }

    fn pools(&self) -> Vec<crate::store::PoolUse> {
        let (queued, capacity) = self.writer.queued();
        vec![
            crate::store::PoolUse {
                name: "readers",
                size: self.readers.size(),
                idle: u32::try_from(self.readers.num_idle()).unwrap_or(u32::MAX),
                max: self.readers.options().get_max_connections(),
            },
            crate::store::PoolUse {
                name: "writer_queue",
                size: u32::try_from(queued).unwrap_or(u32::MAX),
                idle: 0,
                max: u32::try_from(capacity).unwrap_or(u32::MAX),
            },
        ]
    }

    async fn close(&self) {
        self.readers.close().await;
        self.writer.close().await;
    }
}

/// Creates an empty file with mode 0600 if it does not exist, so that SQLite (and the WAL and
/// shared-memory files it derives from it) never make the file readable by others.
fn create_owner_only(path: &Path) -> Result<(), StoreError> {
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(StoreError::Database(format!(
            "cannot create {}: {e}",
            path.display()
        ))),
    }
}

async fn attach_key_store(
    conn: &mut SqliteConnection,
    key_store: std::path::PathBuf,
) -> Result<(), StoreError> {
    let path = key_store.to_str().ok_or_else(|| {
        StoreError::Database(format!(
            "the key store path {} is not valid UTF-8",
            key_store.display()
        ))
    })?;
    sqlx::query("ATTACH DATABASE ? AS keystore")
        .bind(path.to_owned())
        .execute(&mut *conn)
        .await?;
    sqlx::raw_sql(
        "PRAGMA keystore.journal_mode = WAL;
         PRAGMA keystore.synchronous = FULL;
         PRAGMA keystore.secure_delete = ON;",
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::backend::{RetentionRows, SweepCutoffs};

    async fn keys(backend: &SqliteBackend) -> Vec<String> {
        sqlx::query_scalar("SELECT id FROM keystore.content_keys ORDER BY id")
            .fetch_all(&backend.readers)
            .await
            .unwrap()
    }

    /// A key the key writer has committed for a case still on its way to the writer is not an
    /// orphan: the sweeper leaves it until the case is committed, or has failed.
    #[tokio::test]
    async fn the_sweeper_leaves_keys_whose_cases_are_in_flight() {
        let dir = tempfile::tempdir().unwrap();
        let backend = SqliteBackend::open(&dir.path().join("o.db"), &dir.path().join("k.db"))
            .await
            .unwrap();
        for id in ["in-flight", "orphan"] {
            backend
                .writer
                .write(move |conn: &mut SqliteConnection| {
                    Box::pin(async move {
                        sqlx::query(
                            "INSERT INTO keystore.content_keys (id, wrapped) VALUES (?, x'00')",
                        )
                        .bind(id)
                        .execute(&mut *conn)
                        .await
                        .map(|_| ())
                    })
                })
                .await
                .unwrap();
        }
        let in_flight = backend.writer.keys_in_flight();
        in_flight.add(&["in-flight".to_owned()]);
        let cut = SweepCutoffs {
            today: chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
            now: 0,
            idle_before: 0,
            created_before: 0,
            window_before: 0,
            grants_before: chrono::NaiveDate::from_ymd_opt(2026, 8, 25).unwrap(),
            batch: 100,
        };
        let report = backend.sweep_batch(cut).await.unwrap();
        assert_eq!(report.orphan_keys, 1);
        assert_eq!(keys(&backend).await, ["in-flight"]);

        in_flight.remove(&["in-flight".to_owned()]);
        let report = backend.sweep_batch(cut).await.unwrap();
        assert_eq!(report.orphan_keys, 1);
        assert!(keys(&backend).await.is_empty());
        backend.close().await;
    }
}
