//! The PostgreSQL schema, as numbered migrations for the main database and for the key store:
//! one `.sql` file per step in `migrations/database/` and `migrations/key_store/`, listed here,
//! with the same tables, columns and version numbers as the SQLite schema
//! (`../sqlite/migrations/`), in PostgreSQL's types (`date`, `bytea`, `boolean`, identity
//! columns).
//!
//! Each database records what it is and its version in a one-row `schema_version` table
//! (SQLite uses `PRAGMA user_version`). Entry `i` of a list takes its database to version
//! `i + 1`. Migrations only ever append: a schema change is one new file per engine and its line
//! in each list; tests (`store/schema_parity.rs`) check that every file is listed in order, that
//! both engines number theirs alike, and that every SQLite table and column has its twin here. A
//! database newer than this program is refused. Several processes may start at once: each
//! migration runs in one transaction under an advisory lock.

use sqlx::PgPool;

use super::Kind;
use crate::config::PostgresUrl;
use crate::store::StoreError;

/// Migrations of the main database, in order.
pub(in crate::store) const DATABASE: &[&str] = &[
    include_str!("migrations/database/0001_initial.sql"),
    include_str!("migrations/database/0002_two_person_rule.sql"),
    include_str!("migrations/database/0003_parties.sql"),
    include_str!("migrations/database/0004_plans.sql"),
    include_str!("migrations/database/0005_notice_delivery.sql"),
    include_str!("migrations/database/0006_superseded_certificates.sql"),
    include_str!("migrations/database/0007_digest.sql"),
    include_str!("migrations/database/0008_console.sql"),
    include_str!("migrations/database/0009_touched.sql"),
    include_str!("migrations/database/0010_outcomes.sql"),
];

/// Migrations of the key store, in order.
pub(in crate::store) const KEY_STORE: &[&str] =
    &[include_str!("migrations/key_store/0001_initial.sql")];

/// The schema version of the main database this program writes (the same for both engines).
pub const DATABASE_VERSION: usize = DATABASE.len();
/// The schema version of the key store this program writes (the same for both engines).
pub const KEY_STORE_VERSION: usize = KEY_STORE.len();

/// Key of the advisory lock that serialises migrations between processes starting together.
const MIGRATION_LOCK: i64 = 0x6f6d_6275_6473_6d67; // "ombudsmg"

/// Checks that the two databases are what they should be and brings both schemas up to date.
///
/// Refuses a main database that is really a key store (or the other way round), and a key
/// store that holds no schema while the main database holds content: starting with a new,
/// empty key store would hide that every stored item has become unreadable.
pub async fn migrate(
    main: &PgPool,
    keys: &PgPool,
    database: &PostgresUrl,
    key_store: &PostgresUrl,
) -> Result<(), StoreError> {
    let main_role = recorded_role(main).await?;
    let key_role = recorded_role(keys).await?;
    if main_role.as_deref() == Some(Kind::KeyStore.code()) {
        return Err(StoreError::Setting {
            setting: Kind::Database.setting(),
            problem: format!("{database} is a key store, not the service's main database"),
        });
    }
    if key_role.as_deref() == Some(Kind::Database.code()) {
        return Err(StoreError::Setting {
            setting: Kind::KeyStore.setting(),
            problem: format!(
                "{key_store} is the service's main database, not its key store; the keys must \
                 live in a database of their own so that backups of the main database leave \
                 them out"
            ),
        });
    }
    // A key store without our schema, or with it but not one key (emptied, or a fresh one),
    // beside content that needs keys: starting would hide that the content is unreadable.
    if main_role.is_some()
        && holds_content(main).await?
        && (key_role.is_none() || !holds_keys(keys).await?)
    {
        return Err(StoreError::key_store_empty(key_store, database));
    }
    apply(main, Kind::Database, DATABASE).await?;
    apply(keys, Kind::KeyStore, KEY_STORE).await
}

/// What a database says it is, if it has our schema at all.
async fn recorded_role(pool: &PgPool) -> Result<Option<String>, StoreError> {
    let exists: bool = sqlx::query_scalar("SELECT to_regclass('schema_version') IS NOT NULL")
        .fetch_one(pool)
        .await?;
    if !exists {
        return Ok(None);
    }
    Ok(
        sqlx::query_scalar("SELECT role FROM schema_version LIMIT 1")
            .fetch_optional(pool)
            .await?,
    )
}

/// Whether the main database holds anything sealed to a key.
/// Whether the key store holds any key at all.
async fn holds_keys(keys: &PgPool) -> Result<bool, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM content_keys) OR EXISTS (SELECT 1 FROM day_keys)",
    )
    .fetch_one(keys)
    .await?)
}

async fn holds_content(main: &PgPool) -> Result<bool, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM cases) OR EXISTS (SELECT 1 FROM letters) \
         OR EXISTS (SELECT 1 FROM notes)",
    )
    .fetch_one(main)
    .await?)
}

/// Applies the missing `steps` to one database, in one transaction under the migration lock.
async fn apply(pool: &PgPool, kind: Kind, steps: &[&'static str]) -> Result<(), StoreError> {
    let what = match kind {
        Kind::Database => "the database",
        Kind::KeyStore => "the key store",
    };
    let failed = |version: usize, e: &dyn std::fmt::Display| {
        StoreError::Schema(format!("migrating {what} to version {version} failed: {e}"))
    };
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(MIGRATION_LOCK)
        .execute(&mut *tx)
        .await?;
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS schema_version (
             role TEXT NOT NULL,
             version BIGINT NOT NULL,
             only_row BOOLEAN PRIMARY KEY DEFAULT true CHECK (only_row)
         )",
    )
    .execute(&mut *tx)
    .await?;
    let recorded: Option<(String, i64)> =
        sqlx::query_as("SELECT role, version FROM schema_version")
            .fetch_optional(&mut *tx)
            .await?;
    let current = match recorded {
        Some((code, version)) if code == kind.code() => usize::try_from(version).unwrap_or(0),
        Some((code, _)) => {
            return Err(StoreError::Setting {
                setting: kind.setting(),
                problem: format!(
                    "this database is the service's {code}, not its {}",
                    kind.code()
                ),
            });
        }
        None => 0,
    };
    if current > steps.len() {
        return Err(StoreError::Schema(format!(
            "{what} is at schema version {current}, but this program knows only up to {}; run a \
             newer version of ombuds",
            steps.len()
        )));
    }
    for (index, step) in steps.iter().enumerate().skip(current) {
        sqlx::raw_sql(*step)
            .execute(&mut *tx)
            .await
            .map_err(|e| failed(index + 1, &e))?;
    }
    let version = i64::try_from(steps.len()).unwrap_or(i64::MAX);
    sqlx::query(
        "INSERT INTO schema_version (role, version) VALUES ($1, $2) \
         ON CONFLICT (only_row) DO UPDATE SET version = excluded.version",
    )
    .bind(kind.code())
    .bind(version)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}
