//! Retention on SQLite: day keys, the sweep of what has expired (in batches, through the
//! writer, sparing keys whose cases are still on their way to it), the WAL checkpoint after it,
//! and what is held per retention class. It must not decide what has expired: the cut-offs come
//! from the store's caller.

use async_trait::async_trait;
use chrono::NaiveDate;
use sqlx::SqliteConnection;

use super::rows::day;
use super::{Job, SqliteBackend};
use crate::domain::retention::RetentionClass;
use crate::store::StoreError;
use crate::store::backend::{Holding, RetentionRows, SweepCutoffs, SweepReport};
use crate::store::rows::{holding_by_date, holding_by_time};

#[async_trait]
impl RetentionRows for SqliteBackend {
    async fn day_key(
        &self,
        for_day: NaiveDate,
        candidate: (String, Vec<u8>),
    ) -> Result<String, StoreError> {
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, String> {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO keystore.day_keys (day, recipient, wrapped) VALUES (?, ?, ?) \
                         ON CONFLICT (day) DO NOTHING",
                    )
                    .bind(day(for_day))
                    .bind(&candidate.0)
                    .bind(&candidate.1)
                    .execute(&mut *conn)
                    .await?;
                    sqlx::query_scalar("SELECT recipient FROM keystore.day_keys WHERE day = ?")
                        .bind(day(for_day))
                        .fetch_one(&mut *conn)
                        .await
                })
            })
            .await
    }

    async fn sweep_batch(&self, cut: SweepCutoffs) -> Result<SweepReport, StoreError> {
        let in_flight = self.writer.keys_in_flight();
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, SweepReport> {
                Box::pin(async move {
                    let today = day(cut.today);
                    let limit = i64::from(cut.batch);
                    let notes = sqlx::query(
                        "DELETE FROM notes WHERE rowid IN \
                         (SELECT rowid FROM notes WHERE expires_on <= ? LIMIT ?)",
                    )
                    .bind(&today)
                    .bind(limit)
                    .execute(&mut *conn)
                    .await?
                    .rows_affected();
                    // A day's key goes only once no note sealed to it is left.
                    let day_keys = sqlx::query(
                        "DELETE FROM keystore.day_keys WHERE day <= ? \
                         AND NOT EXISTS (SELECT 1 FROM notes WHERE expires_on = day)",
                    )
                    .bind(&today)
                    .execute(&mut *conn)
                    .await?
                    .rows_affected();
                    let letters: Vec<(String, String)> = sqlx::query_as(
                        "SELECT id, key_id FROM letters WHERE expires_on <= ? LIMIT ?",
                    )
                    .bind(&today)
                    .bind(limit)
                    .fetch_all(&mut *conn)
                    .await?;
                    for (id, key_id) in &letters {
                        sqlx::query("DELETE FROM letters WHERE id = ?")
                            .bind(id)
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("DELETE FROM keystore.content_keys WHERE id = ?")
                            .bind(key_id)
                            .execute(&mut *conn)
                            .await?;
                    }
                    let sessions = sqlx::query(
                        "DELETE FROM sessions WHERE last_seen <= ? OR created_at <= ?",
                    )
                    .bind(cut.idle_before)
                    .bind(cut.created_before)
                    .execute(&mut *conn)
                    .await?
                    .rows_affected();
                    let enrolments = sqlx::query("DELETE FROM enrolments WHERE expires_at <= ?")
                        .bind(cut.now)
                        .execute(&mut *conn)
                        .await?
                        .rows_affected();
                    let throttles = sqlx::query(
                        "DELETE FROM signin_throttle WHERE blocked_until <= ? AND window_start <= ?",
                    )
                    .bind(cut.now)
                    .bind(cut.window_before)
                    .execute(&mut *conn)
                    .await?
                    .rows_affected();
                    let grants = sqlx::query(
                        "DELETE FROM access_grants WHERE state <> ? \
                         AND coalesce(decided_on, enrolled_on, requested_on) < ?",
                    )
                    .bind(crate::domain::access::GrantState::AwaitingConfirmation.code())
                    .bind(day(cut.grants_before))
                    .execute(&mut *conn)
                    .await?
                    .rows_affected();
                    // Looking for orphans reads every key, so it waits for the batch that
                    // finishes the notes rather than repeating with each of a large backlog's.
                    let orphan_keys = if notes >= limit.unsigned_abs() {
                        0
                    } else {
                        sqlx::query(
                        "DELETE FROM keystore.content_keys WHERE id IN ( \
                           SELECT k.id FROM keystore.content_keys k \
                           WHERE NOT EXISTS (SELECT 1 FROM cases c WHERE c.key_id = k.id) \
                             AND NOT EXISTS (SELECT 1 FROM letters l WHERE l.key_id = k.id) \
                             AND k.id NOT IN (SELECT value FROM json_each(?)) \
                           LIMIT ?)",
                    )
                    .bind(in_flight.json())
                    .bind(limit)
                    .execute(&mut *conn)
                    .await?
                    .rows_affected()
                    };
                    Ok(SweepReport {
                        notes,
                        day_keys,
                        letters: letters.len() as u64,
                        sessions,
                        enrolments,
                        throttles,
                        grants,
                        orphan_keys,
                    })
                })
            })
            .await
    }

    async fn checkpoint(&self) -> Result<(), StoreError> {
        self.writer.checkpoint().await
    }

    async fn holdings(&self, now: i64) -> Result<Vec<(RetentionClass, Holding)>, StoreError> {
        let by_date = |sql: &'static str| async move {
            let row = sqlx::query(sql).fetch_one(&self.readers).await?;
            holding_by_date(&row)
        };
        let by_time = |sql: &'static str| async move {
            let row = sqlx::query(sql).bind(now).fetch_one(&self.readers).await?;
            holding_by_time(&row)
        };
        Ok(vec![
            (
                RetentionClass::Notes,
                by_date("SELECT count(*) AS n, min(expires_on) AS next, min(written_on) AS oldest FROM notes").await?,
            ),
            (
                RetentionClass::CaseContent,
                by_date("SELECT count(*) AS n, NULL AS next, min(first_contact) AS oldest FROM cases").await?,
            ),
            (
                RetentionClass::Threads,
                by_date("SELECT count(*) AS n, NULL AS next, min(sent_on) AS oldest FROM messages").await?,
            ),
            (
                RetentionClass::Letters,
                by_date("SELECT count(*) AS n, min(expires_on) AS next, min(dated) AS oldest FROM letters").await?,
            ),
            (
                RetentionClass::Sessions,
                by_time("SELECT count(*) AS n, NULL AS next, min(created_at) AS oldest FROM sessions WHERE ?1 IS NOT NULL").await?,
            ),
            (
                RetentionClass::Enrolments,
                by_time("SELECT count(*) AS n, min(expires_at) AS next, NULL AS oldest FROM enrolments WHERE ?1 IS NOT NULL").await?,
            ),
            (
                RetentionClass::Throttling,
                by_time("SELECT count(*) AS n, NULL AS next, min(window_start) AS oldest FROM signin_throttle WHERE ?1 IS NOT NULL").await?,
            ),
            (
                RetentionClass::AccessGrants,
                by_date("SELECT count(*) AS n, NULL AS next, min(requested_on) AS oldest FROM access_grants").await?,
            ),
        ])
    }
}
