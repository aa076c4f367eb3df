//! The e-mail digest's rows on SQLite: the counts of what waits, the recipients' addresses, and
//! the one row that says which sending slot has run. Counts only: nothing of a case is read.

use async_trait::async_trait;
use sqlx::SqliteConnection;

use super::{Job, SqliteBackend};
use crate::domain::digest::Waiting;
use crate::store::StoreError;
use crate::store::backend::DigestRows;

/// New cases, and threads of open cases whose last message is from the person: the same
/// question on both engines (PostgreSQL spells the null-safe comparison of parties its own way).
const WAITING: &str = "SELECT \
       (SELECT count(*) FROM cases WHERE status = 'new'), \
       (SELECT count(*) FROM messages m JOIN cases c ON c.id = m.case_id \
        WHERE c.status = 'open' AND m.author = 'submitter' \
          AND m.seq = (SELECT max(l.seq) FROM messages l \
                       WHERE l.case_id = m.case_id AND l.party_id IS m.party_id))";

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

#[async_trait]
impl DigestRows for SqliteBackend {
    async fn waiting(&self) -> Result<Waiting, StoreError> {
        let (concerns, messages): (i64, i64) =
            sqlx::query_as(WAITING).fetch_one(&self.readers).await?;
        Ok(Waiting {
            concerns: count(concerns),
            messages: count(messages),
        })
    }

    async fn digest_recipients(&self) -> Result<Vec<(String, String)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT username, digest_address FROM users \
             WHERE role = 'ombuds' AND disabled = 0 AND case_access = 1 \
               AND digest_address IS NOT NULL ORDER BY username",
        )
        .fetch_all(&self.readers)
        .await?)
    }

    async fn digest_address(&self, user_id: &str) -> Result<Option<String>, StoreError> {
        let found: Option<Option<String>> =
            sqlx::query_scalar("SELECT digest_address FROM users WHERE id = ?")
                .bind(user_id)
                .fetch_optional(&self.readers)
                .await?;
        Ok(found.flatten())
    }

    async fn set_digest_address(
        &self,
        user_id: &str,
        address: Option<String>,
    ) -> Result<bool, StoreError> {
        let user_id = user_id.to_owned();
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, bool> {
                Box::pin(async move {
                    let changed = sqlx::query(
                        "UPDATE users SET digest_address = ? WHERE id = ? AND role = 'ombuds'",
                    )
                    .bind(&address)
                    .bind(&user_id)
                    .execute(&mut *conn)
                    .await?;
                    Ok(changed.rows_affected() == 1)
                })
            })
            .await
    }

    async fn claim_digest_slot(&self, slot: i64) -> Result<bool, StoreError> {
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, bool> {
                Box::pin(async move {
                    let claimed = sqlx::query(
                        "INSERT INTO digest_runs (id, last_slot) VALUES (1, ?1) \
                         ON CONFLICT (id) DO UPDATE SET last_slot = excluded.last_slot \
                         WHERE digest_runs.last_slot < excluded.last_slot",
                    )
                    .bind(slot)
                    .execute(&mut *conn)
                    .await?;
                    Ok(claimed.rows_affected() == 1)
                })
            })
            .await
    }
}
