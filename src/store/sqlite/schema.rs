//! The SQLite schema, as numbered migrations for the database and for the key store: one
//! `.sql` file per step in `migrations/database/` and `migrations/key_store/`, listed here.
//!
//! Each schema records its version in `PRAGMA user_version`. Migrations only ever append: a
//! schema change is one new file per engine (`NNNN_what.sql`, the next number, here and under
//! `../postgres/migrations/`) and its line in the list; a test checks that every file is listed
//! in order and that both engines number theirs alike. A database newer than this program is
//! refused rather than guessed at.

use sqlx::SqliteConnection;

use crate::store::StoreError;

/// Migrations of the main database, in order. Entry `i` takes the schema to version `i + 1`.
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

/// Migrations of the key store (attached as schema `keystore`), in order.
pub(in crate::store) const KEY_STORE: &[&str] =
    &[include_str!("migrations/key_store/0001_initial.sql")];

/// Whether the database holds content (a case, a note or a letter) while the key store holds
/// no key at all: a key store emptied, truncated to nothing or replaced by a fresh one. All
/// that content would be unreadable, and starting would hide it; the caller refuses. Asked
/// before either schema is migrated, so that nothing is written to such a key store.
pub async fn content_without_keys(conn: &mut SqliteConnection) -> Result<bool, StoreError> {
    let version = |schema: &'static str| {
        sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(format!("PRAGMA {schema}.user_version")))
    };
    if version("main").fetch_one(&mut *conn).await? == 0 {
        return Ok(false);
    }
    let content: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM main.cases) OR EXISTS (SELECT 1 FROM main.letters) \
         OR EXISTS (SELECT 1 FROM main.notes)",
    )
    .fetch_one(&mut *conn)
    .await?;
    if !content {
        return Ok(false);
    }
    if version("keystore").fetch_one(&mut *conn).await? == 0 {
        return Ok(true);
    }
    let keys: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM keystore.content_keys) \
         OR EXISTS (SELECT 1 FROM keystore.day_keys)",
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(!keys)
}

/// Brings both schemas up to date, each in its own transaction.
pub async fn migrate(conn: &mut SqliteConnection) -> Result<(), StoreError> {
    apply(conn, "main", "the database", DATABASE).await?;
    apply(conn, "keystore", "the key store", KEY_STORE).await
}

async fn apply(
    conn: &mut SqliteConnection,
    schema: &'static str,
    what: &str,
    steps: &[&'static str],
) -> Result<(), StoreError> {
    let version_sql = match schema {
        "main" => "PRAGMA main.user_version",
        _ => "PRAGMA keystore.user_version",
    };
    let current: i64 = sqlx::query_scalar(version_sql)
        .fetch_one(&mut *conn)
        .await?;
    let known = steps.len() as i64;
    if current > known {
        return Err(StoreError::Schema(format!(
            "{what} is at schema version {current}, but this program knows only up to {known}; \
             run a newer version of ombuds"
        )));
    }
    for (index, step) in steps
        .iter()
        .enumerate()
        .skip(usize::try_from(current).unwrap_or(0))
    {
        let version = index + 1;
        sqlx::raw_sql("BEGIN IMMEDIATE").execute(&mut *conn).await?;
        let applied = async {
            sqlx::raw_sql(*step).execute(&mut *conn).await?;
            let bump = format!("PRAGMA {schema}.user_version = {version}");
            sqlx::raw_sql(sqlx::AssertSqlSafe(bump))
                .execute(&mut *conn)
                .await?;
            sqlx::raw_sql("COMMIT").execute(&mut *conn).await
        }
        .await;
        if let Err(e) = applied {
            let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
            return Err(StoreError::Schema(format!(
                "migrating {what} to version {version} failed: {e}"
            )));
        }
    }
    Ok(())
}
