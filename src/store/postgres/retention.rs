//! Retention on PostgreSQL: day keys, the sweep across the two databases, the `VACUUM` that
//! follows it, what is held per retention class, and the session-level advisory lock that lets
//! one process at a time sweep.
//!
//! Deletion order is the same as for writes that touch both databases: content first, then its
//! key, so that an interruption leaves at worst an orphaned key, which a later sweep removes.
//! This module must not decide what has expired: the cut-offs come from the store's caller.

use std::collections::HashSet;

use async_trait::async_trait;
use chrono::NaiveDate;
use sqlx::{ConnectOptions, Connection, PgConnection};

use super::PostgresBackend;
use crate::domain::retention::RetentionClass;
use crate::store::StoreError;
use crate::store::backend::{Holding, RetentionRows, SweepCutoffs, SweepReport};
use crate::store::rows::{holding_by_date, holding_by_time};

/// Key of the session-level advisory lock held by the process that sweeps.
const SWEEPER_LOCK: i64 = 0x6f6d_6275_6473_7377; // "ombudssw"

/// Tables a sweep deletes from, vacuumed after a sweep that deleted something.
const SWEPT_TABLES: &str = "notes, letters, sessions, enrolments, signin_throttle";
/// Key store tables a sweep deletes from.
const SWEPT_KEY_TABLES: &str = "content_keys, day_keys";

/// The sweeper's own connection to the main database, kept for the life of the process so
/// that the session-level lock it takes lasts as long as the process (and ends with it).
#[derive(Default)]
pub struct Leader {
    conn: Option<PgConnection>,
    holding: bool,
}

impl PostgresBackend {
    /// True while this process holds the sweeper's lock; takes it if nobody holds it. A
    /// process that dies (or loses its connection) ends its session, which releases the lock
    /// for the next process that asks.
    pub(super) async fn try_lead(&self) -> Result<bool, StoreError> {
        let mut leader = self.leader.lock().await;
        if leader.holding {
            if let Some(conn) = leader.conn.as_mut()
                && conn.ping().await.is_ok()
            {
                return Ok(true);
            }
            tracing::warn!("the sweeper's database session ended; this process stops sweeping");
            *leader = Leader::default();
        }
        let mut conn = match leader.conn.take() {
            Some(conn) => conn,
            None => self.main_options.connect().await?,
        };
        let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(SWEEPER_LOCK)
            .fetch_one(&mut conn)
            .await?;
        leader.conn = Some(conn);
        if got {
            leader.holding = true;
            tracing::info!("this process now leads sweeping (it holds the sweeper lock)");
        }
        Ok(got)
    }

    /// Ends the sweeper's session, releasing the lock, at a clean stop.
    pub(super) async fn release_lead(&self) {
        let mut leader = self.leader.lock().await;
        if let Some(conn) = leader.conn.take() {
            let _ = conn.close().await;
        }
        leader.holding = false;
    }

    /// Destroys one batch of each kind of expired item.
    pub(super) async fn sweep(&self, cut: SweepCutoffs) -> Result<SweepReport, StoreError> {
        let limit = i64::from(cut.batch);
        let notes = sqlx::query(
            "DELETE FROM notes WHERE id IN \
             (SELECT id FROM notes WHERE expires_on <= $1 LIMIT $2)",
        )
        .bind(cut.today)
        .bind(limit)
        .execute(&self.main)
        .await?
        .rows_affected();

        // A day's key goes only once no note sealed to it is left.
        let due: Vec<NaiveDate> = sqlx::query_scalar("SELECT day FROM day_keys WHERE day <= $1")
            .bind(cut.today)
            .fetch_all(&self.keys)
            .await?;
        let day_keys = if due.is_empty() {
            0
        } else {
            let used: Vec<NaiveDate> = sqlx::query_scalar(
                "SELECT DISTINCT expires_on FROM notes WHERE expires_on = ANY($1)",
            )
            .bind(&due)
            .fetch_all(&self.main)
            .await?;
            let unused: Vec<NaiveDate> = due.into_iter().filter(|d| !used.contains(d)).collect();
            sqlx::query("DELETE FROM day_keys WHERE day = ANY($1)")
                .bind(&unused)
                .execute(&self.keys)
                .await?
                .rows_affected()
        };

        // Letters, then their keys.
        let letter_keys: Vec<String> = sqlx::query_scalar(
            "DELETE FROM letters WHERE id IN \
             (SELECT id FROM letters WHERE expires_on <= $1 LIMIT $2) RETURNING key_id",
        )
        .bind(cut.today)
        .bind(limit)
        .fetch_all(&self.main)
        .await?;
        self.destroy_keys(&letter_keys).await?;

        let sessions =
            sqlx::query("DELETE FROM sessions WHERE last_seen <= $1 OR created_at <= $2")
                .bind(cut.idle_before)
                .bind(cut.created_before)
                .execute(&self.main)
                .await?
                .rows_affected();
        let enrolments = sqlx::query("DELETE FROM enrolments WHERE expires_at <= $1")
            .bind(cut.now)
            .execute(&self.main)
            .await?
            .rows_affected();
        let throttles = sqlx::query(
            "DELETE FROM signin_throttle WHERE blocked_until <= $1 AND window_start <= $2",
        )
        .bind(cut.now)
        .bind(cut.window_before)
        .execute(&self.main)
        .await?
        .rows_affected();
        let grants = sqlx::query(
            "DELETE FROM access_grants WHERE state <> $1 \
             AND coalesce(decided_on, enrolled_on, requested_on) < $2",
        )
        .bind(crate::domain::access::GrantState::AwaitingConfirmation.code())
        .bind(cut.grants_before)
        .execute(&self.main)
        .await?
        .rows_affected();
        // Looking for orphans reads every key, so it waits for the batch that finishes the
        // notes rather than repeating with each of a large backlog's.
        let orphan_keys = if notes >= limit.unsigned_abs() {
            0
        } else {
            self.sweep_orphan_keys(limit).await?
        };
        Ok(SweepReport {
            notes,
            day_keys,
            letters: letter_keys.len() as u64,
            sessions,
            enrolments,
            throttles,
            grants,
            orphan_keys,
        })
    }

    /// Destroys up to `limit` content keys that no case or letter uses: left by a write or a
    /// destruction that was interrupted between the two databases.
    ///
    /// A key is a candidate only when it is settled (the content sealed to it was stored, so
    /// if nothing uses it now, that content is gone) or has been pending since before
    /// yesterday (its write was interrupted). A key being stored right now is pending since
    /// today, so it is never taken for an orphan while its content is on the way.
    async fn sweep_orphan_keys(&self, limit: i64) -> Result<u64, StoreError> {
        const CANDIDATE: &str = "(pending_on IS NULL OR pending_on < CURRENT_DATE - 1)";
        let mut after = String::new();
        let mut destroyed = 0_u64;
        loop {
            let page: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT id FROM content_keys WHERE id > $1 AND {CANDIDATE} ORDER BY id LIMIT $2"
            )))
            .bind(&after)
            .bind(limit)
            .fetch_all(&self.keys)
            .await?;
            let Some(last) = page.last() else {
                return Ok(destroyed);
            };
            after.clone_from(last);
            let used: HashSet<String> = sqlx::query_scalar(
                "SELECT key_id FROM cases WHERE key_id = ANY($1) \
                 UNION SELECT key_id FROM letters WHERE key_id = ANY($1)",
            )
            .bind(&page)
            .fetch_all(&self.main)
            .await?
            .into_iter()
            .collect();
            let room = usize::try_from(limit)
                .unwrap_or(usize::MAX)
                .saturating_sub(usize::try_from(destroyed).unwrap_or(usize::MAX));
            let orphans: Vec<String> = page
                .into_iter()
                .filter(|id| !used.contains(id))
                .take(room)
                .collect();
            if !orphans.is_empty() {
                destroyed += sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DELETE FROM content_keys WHERE id = ANY($1) AND {CANDIDATE}"
                )))
                .bind(&orphans)
                .execute(&self.keys)
                .await?
                .rows_affected();
            }
            if destroyed >= u64::try_from(limit).unwrap_or(u64::MAX) {
                return Ok(destroyed);
            }
        }
    }

    /// Vacuums the tables a sweep deletes from, in both databases, so that their dead rows
    /// are pruned now rather than whenever autovacuum comes by. It does not erase: PostgreSQL
    /// may keep old row images in free space and in its write-ahead log; crypto-shredding is
    /// what makes destroyed content unreadable there (see SECURITY.md).
    pub(super) async fn vacuum_after_sweep(&self) -> Result<(), StoreError> {
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("VACUUM {SWEPT_TABLES}")))
            .execute(&self.main)
            .await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("VACUUM {SWEPT_KEY_TABLES}")))
            .execute(&self.keys)
            .await?;
        Ok(())
    }

    /// Vacuums what closing a case deletes from. A failure is only logged: the rows are gone
    /// either way, and autovacuum or the next sweep prunes them.
    pub(super) async fn vacuum_after_closing(&self) {
        let main = sqlx::raw_sql(
            "VACUUM cases, parties, plans, plan_answers, notes, messages, date_corrections, \
             non_membership",
        )
        .execute(&self.main)
        .await;
        let keys = sqlx::raw_sql("VACUUM content_keys")
            .execute(&self.keys)
            .await;
        if let Err(e) = main.and(keys) {
            tracing::warn!("vacuum after closing a case: {e}");
        }
    }
}

#[async_trait]
impl RetentionRows for PostgresBackend {
    async fn day_key(
        &self,
        day: NaiveDate,
        candidate: (String, Vec<u8>),
    ) -> Result<String, StoreError> {
        sqlx::query(
            "INSERT INTO day_keys (day, recipient, wrapped) VALUES ($1, $2, $3) \
             ON CONFLICT (day) DO NOTHING",
        )
        .bind(day)
        .bind(&candidate.0)
        .bind(&candidate.1)
        .execute(&self.keys)
        .await?;
        Ok(
            sqlx::query_scalar("SELECT recipient FROM day_keys WHERE day = $1")
                .bind(day)
                .fetch_one(&self.keys)
                .await?,
        )
    }

    async fn sweep_batch(&self, cutoffs: SweepCutoffs) -> Result<SweepReport, StoreError> {
        self.sweep(cutoffs).await
    }

    async fn checkpoint(&self) -> Result<(), StoreError> {
        self.vacuum_after_sweep().await
    }

    async fn holdings(&self, _now: i64) -> Result<Vec<(RetentionClass, Holding)>, StoreError> {
        let by_date = |sql: &'static str| async move {
            let row = sqlx::query(sql).fetch_one(&self.main).await?;
            holding_by_date(&row)
        };
        let by_time = |sql: &'static str| async move {
            let row = sqlx::query(sql).fetch_one(&self.main).await?;
            holding_by_time(&row)
        };
        Ok(vec![
            (
                RetentionClass::Notes,
                by_date("SELECT count(*) AS n, min(expires_on) AS next, min(written_on) AS oldest FROM notes").await?,
            ),
            (
                RetentionClass::CaseContent,
                by_date("SELECT count(*) AS n, NULL::date AS next, min(first_contact) AS oldest FROM cases").await?,
            ),
            (
                RetentionClass::Threads,
                by_date("SELECT count(*) AS n, NULL::date AS next, min(sent_on) AS oldest FROM messages").await?,
            ),
            (
                RetentionClass::Letters,
                by_date("SELECT count(*) AS n, min(expires_on) AS next, min(dated) AS oldest FROM letters").await?,
            ),
            (
                RetentionClass::Sessions,
                by_time("SELECT count(*) AS n, NULL::bigint AS next, min(created_at) AS oldest FROM sessions").await?,
            ),
            (
                RetentionClass::Enrolments,
                by_time("SELECT count(*) AS n, min(expires_at) AS next, NULL::bigint AS oldest FROM enrolments").await?,
            ),
            (
                RetentionClass::Throttling,
                by_time("SELECT count(*) AS n, NULL::bigint AS next, min(window_start) AS oldest FROM signin_throttle").await?,
            ),
            (
                RetentionClass::AccessGrants,
                by_date("SELECT count(*) AS n, NULL::date AS next, min(requested_on) AS oldest FROM access_grants").await?,
            ),
        ])
    }
}
