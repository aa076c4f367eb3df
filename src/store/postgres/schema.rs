//! The PostgreSQL schema, as numbered migrations for the main database and for the key store:
//! the same tables, columns and versions as the SQLite schema (`../sqlite/schema.rs`), in
//! PostgreSQL's types (`date`, `bytea`, `boolean`, identity columns).
//!
//! Each database records what it is and its version in a one-row `schema_version` table
//! (SQLite uses `PRAGMA user_version`). Entry `i` of a list takes its database to version
//! `i + 1`; both engines must list the same number of steps, which a test checks. Migrations
//! only ever append; a database newer than this program is refused. Several processes may start
//! at once: each migration runs in one transaction under an advisory lock.

use sqlx::PgPool;

use super::Kind;
use crate::config::PostgresUrl;
use crate::store::StoreError;

/// Migrations of the main database, in order.
const DATABASE: &[&str] = &["
    -- A case: a concern from the web intake (status 'new' until an ombuds opens it) or a contact
    -- an ombuds logged by hand. Only these clear fields are readable without the case's key;
    -- everything a person wrote is in `sealed` (and in notes and messages), sealed to that key.
    -- A closed case is deleted outright; its key, in the key store, is destroyed right after.
    CREATE TABLE cases (
        id TEXT COLLATE \"C\" PRIMARY KEY,
        status TEXT NOT NULL,
        channel TEXT NOT NULL,
        category TEXT NOT NULL,
        raised_by TEXT NOT NULL,
        first_contact DATE NOT NULL,
        opened_on DATE,
        termination_date DATE,
        services TEXT NOT NULL DEFAULT '',
        receipt_hash BYTEA UNIQUE,
        recipient TEXT NOT NULL,
        key_id TEXT NOT NULL,
        sealed BYTEA NOT NULL
    );
    CREATE INDEX cases_by_status ON cases (status);
    CREATE INDEX cases_by_key ON cases (key_id);

    -- Working notes and commitments. `expires_on` is the day the note is destroyed; its text is
    -- sealed to the key of that day, and that to the case's key. `seq` keeps the order written.
    CREATE TABLE notes (
        seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
        id TEXT PRIMARY KEY,
        case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        due_on DATE,
        expires_on DATE NOT NULL,
        written_on DATE NOT NULL,
        done BOOLEAN NOT NULL DEFAULT false,
        sealed BYTEA NOT NULL
    );
    CREATE INDEX notes_by_case ON notes (case_id);
    CREATE INDEX notes_by_expiry ON notes (expires_on);

    -- The anonymous follow-up thread. `seq` orders it; only the date is kept, never the time.
    CREATE TABLE messages (
        seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
        author TEXT NOT NULL,
        sent_on DATE NOT NULL,
        sealed BYTEA NOT NULL
    );
    CREATE INDEX messages_by_case ON messages (case_id, seq);

    -- Corrections of a case's first-contact or termination date. The reason is sealed to the
    -- case's key and goes with the case.
    CREATE TABLE date_corrections (
        seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
        field TEXT NOT NULL,
        old_date DATE,
        new_date DATE NOT NULL,
        corrected_on DATE NOT NULL,
        sealed_reason BYTEA NOT NULL
    );
    CREATE INDEX date_corrections_by_case ON date_corrections (case_id);

    -- Letters (termination notices) outlive their case for 180 days from their date, under a
    -- key of their own; the submitter reads them with the receipt (its keyed hash is copied).
    CREATE TABLE letters (
        seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
        id TEXT PRIMARY KEY,
        case_id TEXT REFERENCES cases (id) ON DELETE SET NULL,
        receipt_hash BYTEA,
        kind TEXT NOT NULL,
        dated DATE NOT NULL,
        expires_on DATE NOT NULL,
        key_id TEXT NOT NULL,
        sealed_html BYTEA NOT NULL,
        sealed_text BYTEA NOT NULL
    );
    CREATE INDEX letters_by_receipt ON letters (receipt_hash);
    CREATE INDEX letters_by_case ON letters (case_id);
    CREATE INDEX letters_by_key ON letters (key_id);
    CREATE INDEX letters_by_expiry ON letters (expires_on);

    -- Board trend counters: the only thing that outlives a case. A key names a month and
    -- category-level dimensions only (see domain::trends::CounterKey); never a case or a day.
    -- Text compares byte by byte (COLLATE \"C\"), as in SQLite, so orderings agree.
    CREATE TABLE trend_counters (
        key TEXT COLLATE \"C\" PRIMARY KEY,
        month TEXT COLLATE \"C\" NOT NULL,
        count BIGINT NOT NULL
    );
    CREATE INDEX trend_counters_by_month ON trend_counters (month);

    -- Released reports, frozen at first release: a published period never changes.
    CREATE TABLE trend_releases (
        period TEXT COLLATE \"C\" PRIMARY KEY,
        release TEXT NOT NULL
    );

    -- Staff accounts. The TOTP secret is sealed to the association's master key.
    CREATE TABLE users (
        id TEXT PRIMARY KEY,
        username TEXT COLLATE \"C\" NOT NULL UNIQUE,
        role TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        totp_sealed BYTEA NOT NULL,
        totp_last_step BIGINT NOT NULL DEFAULT 0,
        disabled BOOLEAN NOT NULL DEFAULT false
    );

    -- One-time enrolment links, by the hash of their token. A NULL username lets the first
    -- administrator choose a name.
    CREATE TABLE enrolments (
        token_hash BYTEA PRIMARY KEY,
        username TEXT COLLATE \"C\",
        role TEXT NOT NULL,
        totp_sealed BYTEA NOT NULL,
        expires_at BIGINT NOT NULL
    );

    -- Staff sessions, by the hash of their cookie. Times are Unix seconds (staff only).
    CREATE TABLE sessions (
        token_hash BYTEA PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        created_at BIGINT NOT NULL,
        last_seen BIGINT NOT NULL
    );
    CREATE INDEX sessions_by_user ON sessions (user_id);

    -- Sign-in failures per username, by a keyed hash of what was typed (never the name itself),
    -- and never by network address.
    CREATE TABLE signin_throttle (
        key BYTEA PRIMARY KEY,
        failures BIGINT NOT NULL,
        window_start BIGINT NOT NULL,
        blocked_until BIGINT NOT NULL
    );
"];

/// Migrations of the key store, in order.
const KEY_STORE: &[&str] = &["
    -- One age identity per case and per letter, encrypted to the association's master key.
    -- `pending_on` is set (to the key store's date, never a time) while the content sealed to
    -- the key is being stored, and cleared once it is: the sweeper treats a key that no content
    -- uses as an orphan only when it is not pending, or has been pending since before yesterday
    -- (a write that was interrupted).
    CREATE TABLE content_keys (
        id TEXT PRIMARY KEY,
        wrapped BYTEA NOT NULL,
        pending_on DATE DEFAULT CURRENT_DATE
    );

    -- One age identity per expiry day, wrapped to the master key; the public half is kept in the
    -- clear so that sealing needs no secret. The sweeper destroys a day's key on that day.
    CREATE TABLE day_keys (
        day DATE PRIMARY KEY,
        recipient TEXT NOT NULL,
        wrapped BYTEA NOT NULL
    );
"];

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
    if main_role.is_some() && key_role.is_none() && holds_content(main).await? {
        return Err(StoreError::Setting {
            setting: Kind::KeyStore.setting(),
            problem: format!(
                "the key store {key_store} holds no keys, but the database {database} holds \
                 content. Restore the key store, or point keys.store at it; without it no stored \
                 content can be read"
            ),
        });
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Tables and columns named in SQL `text`, one `table t` / `column c` entry each.
    fn names(text: &str) -> Vec<String> {
        const TYPES: &[&str] = &[
            "TEXT", "INTEGER", "BLOB", "BIGINT", "BYTEA", "DATE", "BOOLEAN",
        ];
        let mut names: Vec<String> = text
            .lines()
            .map(str::trim)
            .filter_map(|line| {
                if let Some(table) = line.strip_prefix("CREATE TABLE ") {
                    let table = table.split_whitespace().next()?;
                    return Some(format!("table {}", table.trim_start_matches("keystore.")));
                }
                let mut words = line.split_whitespace();
                let column = words.next()?;
                TYPES
                    .contains(&words.next()?.trim_end_matches(','))
                    .then(|| format!("column {column}"))
            })
            // Ordering columns differ by engine (SQLite has its rowid), as does the key store's
            // pending mark, which only a two-database engine needs.
            .filter(|n| n != "column seq" && n != "column pending_on")
            .collect();
        names.sort();
        names
    }

    #[test]
    fn every_sqlite_table_and_column_has_a_postgres_twin() {
        let sqlite = include_str!("../sqlite/schema.rs");
        let postgres = format!("{}{}", DATABASE.concat(), KEY_STORE.concat());
        let (sqlite, postgres) = (names(sqlite), names(&postgres));
        assert!(sqlite.len() > 50, "{sqlite:?}");
        assert_eq!(sqlite, postgres);
    }
}
