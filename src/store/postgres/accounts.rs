//! Staff accounts, enrolment links, sessions and sign-in throttling on PostgreSQL, safe for
//! several processes at once (row locks, single-statement updates). Tokens and throttling keys
//! arrive hashed; this file must never see a password or a TOTP secret in the clear, nor decide
//! who may sign in (the facade does).

use async_trait::async_trait;

use super::{PostgresBackend, UNIQUE_VIOLATION, is_sqlstate};
use crate::domain::account::Throttle;
use crate::store::StoreError;
use crate::store::backend::{
    AccountRows, EnrolmentRecord, SessionRecord, SessionWithUser, UserRecord,
};
use crate::store::rows::{enrolment_record, session_with_user, throttle_record, user_record};

#[async_trait]
impl AccountRows for PostgresBackend {
    async fn count_active_admins(&self) -> Result<u64, StoreError> {
        let count: i64 =
            sqlx::query_scalar("SELECT count(*) FROM users WHERE role = 'admin' AND NOT disabled")
                .fetch_one(&self.main)
                .await?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    async fn insert_enrolment(
        &self,
        enrolment: EnrolmentRecord,
        replace_setup: bool,
    ) -> Result<(), StoreError> {
        let mut tx = self.main.begin().await?;
        if replace_setup {
            sqlx::query("DELETE FROM enrolments WHERE username IS NULL")
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO enrolments (token_hash, username, role, totp_sealed, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(enrolment.token_hash.as_slice())
        .bind(&enrolment.username)
        .bind(enrolment.role.code())
        .bind(&enrolment.totp_sealed)
        .bind(enrolment.expires_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn enrolment(
        &self,
        token_hash: &[u8; 32],
    ) -> Result<Option<EnrolmentRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT token_hash, username, role, totp_sealed, expires_at FROM enrolments \
             WHERE token_hash = $1",
        )
        .bind(token_hash.as_slice())
        .fetch_optional(&self.main)
        .await?;
        Ok(row.as_ref().map(enrolment_record).transpose()?)
    }

    async fn complete_enrolment(
        &self,
        token_hash: &[u8; 32],
        user: UserRecord,
    ) -> Result<bool, StoreError> {
        let mut tx = self.main.begin().await?;
        // Locks the link: of two processes completing it at once, the second finds it gone.
        let Some(named) = sqlx::query_scalar::<_, Option<String>>(
            "SELECT username FROM enrolments WHERE token_hash = $1 FOR UPDATE",
        )
        .bind(token_hash.as_slice())
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Ok(false);
        };
        let existing: Option<String> =
            sqlx::query_scalar("SELECT id FROM users WHERE username = $1 FOR UPDATE")
                .bind(&user.username)
                .fetch_optional(&mut *tx)
                .await?;
        match (named, existing) {
            // A first-administrator link cannot take over an existing name.
            (None, Some(_)) => return Ok(false),
            // A link for an existing account replaces its credentials.
            (Some(_), Some(id)) => {
                sqlx::query(
                    "UPDATE users SET password_hash = $1, totp_sealed = $2, totp_last_step = 0, \
                     disabled = false WHERE id = $3",
                )
                .bind(&user.password_hash)
                .bind(&user.totp_sealed)
                .bind(&id)
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                    .bind(&id)
                    .execute(&mut *tx)
                    .await?;
            }
            (_, None) => {
                let created = sqlx::query(
                    "INSERT INTO users (id, username, role, password_hash, totp_sealed, \
                     totp_last_step, disabled) VALUES ($1, $2, $3, $4, $5, $6, false)",
                )
                .bind(&user.id)
                .bind(&user.username)
                .bind(user.role.code())
                .bind(&user.password_hash)
                .bind(&user.totp_sealed)
                .bind(user.totp_last_step)
                .execute(&mut *tx)
                .await;
                match created {
                    Ok(_) => {}
                    // Another process created that name a moment ago.
                    Err(e) if is_sqlstate(&e, UNIQUE_VIOLATION) => return Ok(false),
                    Err(e) => return Err(e.into()),
                }
            }
        }
        sqlx::query("DELETE FROM enrolments WHERE token_hash = $1")
            .bind(token_hash.as_slice())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn user_by_name(&self, username: &str) -> Result<Option<UserRecord>, StoreError> {
        let row = sqlx::query("SELECT * FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(&self.main)
            .await?;
        Ok(row.as_ref().map(user_record).transpose()?)
    }

    async fn users(&self) -> Result<Vec<UserRecord>, StoreError> {
        let rows = sqlx::query("SELECT * FROM users ORDER BY username")
            .fetch_all(&self.main)
            .await?;
        Ok(rows.iter().map(user_record).collect::<Result<_, _>>()?)
    }

    async fn set_disabled(&self, username: &str, disabled: bool) -> Result<bool, StoreError> {
        let mut tx = self.main.begin().await?;
        let changed = sqlx::query("UPDATE users SET disabled = $1 WHERE username = $2")
            .bind(disabled)
            .bind(username)
            .execute(&mut *tx)
            .await?;
        if disabled {
            sqlx::query(
                "DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE username = $1)",
            )
            .bind(username)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(changed.rows_affected() == 1)
    }

    async fn advance_totp_step(&self, user_id: &str, step: i64) -> Result<bool, StoreError> {
        // One statement: of two processes accepting the same code at once, one wins.
        let changed = sqlx::query(
            "UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1",
        )
        .bind(step)
        .bind(user_id)
        .execute(&self.main)
        .await?;
        Ok(changed.rows_affected() == 1)
    }

    async fn insert_session(&self, session: SessionRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, created_at, last_seen) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(session.token_hash.as_slice())
        .bind(&session.user_id)
        .bind(session.created_at)
        .bind(session.last_seen)
        .execute(&self.main)
        .await?;
        Ok(())
    }

    async fn session(&self, token_hash: &[u8; 32]) -> Result<Option<SessionWithUser>, StoreError> {
        let row = sqlx::query(
            "SELECT s.token_hash, s.user_id, s.created_at, s.last_seen, u.username, u.role, \
             u.disabled FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
        )
        .bind(token_hash.as_slice())
        .fetch_optional(&self.main)
        .await?;
        Ok(row.as_ref().map(session_with_user).transpose()?)
    }

    async fn touch_session(&self, token_hash: &[u8; 32], now: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE sessions SET last_seen = $1 WHERE token_hash = $2")
            .bind(now)
            .bind(token_hash.as_slice())
            .execute(&self.main)
            .await?;
        Ok(())
    }

    async fn delete_session(&self, token_hash: &[u8; 32]) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash.as_slice())
            .execute(&self.main)
            .await?;
        Ok(())
    }

    async fn delete_sessions_of(&self, user_id: &str) -> Result<u64, StoreError> {
        Ok(sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&self.main)
            .await?
            .rows_affected())
    }

    async fn throttle(&self, key: &[u8; 32]) -> Result<Option<Throttle>, StoreError> {
        let row = sqlx::query(
            "SELECT failures, window_start, blocked_until FROM signin_throttle WHERE key = $1",
        )
        .bind(key.as_slice())
        .fetch_optional(&self.main)
        .await?;
        Ok(row.as_ref().map(throttle_record).transpose()?)
    }

    async fn set_throttle(
        &self,
        key: &[u8; 32],
        state: Option<Throttle>,
    ) -> Result<(), StoreError> {
        match state {
            None => {
                sqlx::query("DELETE FROM signin_throttle WHERE key = $1")
                    .bind(key.as_slice())
                    .execute(&self.main)
                    .await?;
            }
            Some(t) => {
                sqlx::query(
                    "INSERT INTO signin_throttle (key, failures, window_start, blocked_until) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO UPDATE SET \
                     failures = excluded.failures, window_start = excluded.window_start, \
                     blocked_until = excluded.blocked_until",
                )
                .bind(key.as_slice())
                .bind(i64::from(t.failures))
                .bind(t.window_start)
                .bind(t.blocked_until)
                .execute(&self.main)
                .await?;
            }
        }
        Ok(())
    }
}
