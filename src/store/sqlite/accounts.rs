//! Staff accounts, enrolment links, sessions and sign-in throttling on SQLite. Tokens and
//! throttling keys arrive hashed; this file must never see a password or a TOTP secret in the
//! clear, nor decide who may sign in (the facade does).

use async_trait::async_trait;
use sqlx::{Row, SqliteConnection};

use super::{Job, SqliteBackend};
use crate::domain::account::Throttle;
use crate::store::StoreError;
use crate::store::backend::{
    AccountRows, EnrolmentRecord, SessionRecord, SessionWithUser, UserRecord,
};
use crate::store::rows::{enrolment_record, session_with_user, throttle_record, user_record};

#[async_trait]
impl AccountRows for SqliteBackend {
    async fn count_active_admins(&self) -> Result<u64, StoreError> {
        let count: i64 =
            sqlx::query_scalar("SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0")
                .fetch_one(&self.readers)
                .await?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    async fn insert_enrolment(
        &self,
        enrolment: EnrolmentRecord,
        replace_setup: bool,
    ) -> Result<(), StoreError> {
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, ()> {
                Box::pin(async move {
                    if replace_setup {
                        sqlx::query("DELETE FROM enrolments WHERE username IS NULL")
                            .execute(&mut *conn)
                            .await?;
                    }
                    sqlx::query(
                        "INSERT INTO enrolments (token_hash, username, role, totp_sealed, expires_at) \
                         VALUES (?, ?, ?, ?, ?)",
                    )
                    .bind(enrolment.token_hash.as_slice())
                    .bind(&enrolment.username)
                    .bind(enrolment.role.code())
                    .bind(&enrolment.totp_sealed)
                    .bind(enrolment.expires_at)
                    .execute(&mut *conn)
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    async fn enrolment(
        &self,
        token_hash: &[u8; 32],
    ) -> Result<Option<EnrolmentRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT token_hash, username, role, totp_sealed, expires_at FROM enrolments \
             WHERE token_hash = ?",
        )
        .bind(token_hash.as_slice())
        .fetch_optional(&self.readers)
        .await?;
        Ok(row.as_ref().map(enrolment_record).transpose()?)
    }

    async fn complete_enrolment(
        &self,
        token_hash: &[u8; 32],
        user: UserRecord,
    ) -> Result<bool, StoreError> {
        let token_hash = *token_hash;
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, bool> {
                Box::pin(async move {
                    let Some(row) = sqlx::query("SELECT username FROM enrolments WHERE token_hash = ?")
                        .bind(token_hash.as_slice())
                        .fetch_optional(&mut *conn)
                        .await?
                    else {
                        return Ok(false);
                    };
                    let named: Option<String> = row.try_get("username")?;
                    let existing: Option<String> =
                        sqlx::query_scalar("SELECT id FROM users WHERE username = ?")
                            .bind(&user.username)
                            .fetch_optional(&mut *conn)
                            .await?;
                    match (named, existing) {
                        // A first-administrator link cannot take over an existing name.
                        (None, Some(_)) => return Ok(false),
                        // A link for an existing account replaces its credentials.
                        (Some(_), Some(id)) => {
                            sqlx::query(
                                "UPDATE users SET password_hash = ?, totp_sealed = ?, \
                                 totp_last_step = 0, disabled = 0 WHERE id = ?",
                            )
                            .bind(&user.password_hash)
                            .bind(&user.totp_sealed)
                            .bind(&id)
                            .execute(&mut *conn)
                            .await?;
                            sqlx::query("DELETE FROM sessions WHERE user_id = ?")
                                .bind(&id)
                                .execute(&mut *conn)
                                .await?;
                        }
                        (_, None) => {
                            sqlx::query(
                                "INSERT INTO users (id, username, role, password_hash, totp_sealed, \
                                 totp_last_step, disabled) VALUES (?, ?, ?, ?, ?, ?, 0)",
                            )
                            .bind(&user.id)
                            .bind(&user.username)
                            .bind(user.role.code())
                            .bind(&user.password_hash)
                            .bind(&user.totp_sealed)
                            .bind(user.totp_last_step)
                            .execute(&mut *conn)
                            .await?;
                        }
                    }
                    sqlx::query("DELETE FROM enrolments WHERE token_hash = ?")
                        .bind(token_hash.as_slice())
                        .execute(&mut *conn)
                        .await?;
                    Ok(true)
                })
            })
            .await
    }

    async fn user_by_name(&self, username: &str) -> Result<Option<UserRecord>, StoreError> {
        let row = sqlx::query("SELECT * FROM users WHERE username = ?")
            .bind(username)
            .fetch_optional(&self.readers)
            .await?;
        Ok(row.as_ref().map(user_record).transpose()?)
    }

    async fn users(&self) -> Result<Vec<UserRecord>, StoreError> {
        let rows = sqlx::query("SELECT * FROM users ORDER BY username")
            .fetch_all(&self.readers)
            .await?;
        Ok(rows.iter().map(user_record).collect::<Result<_, _>>()?)
    }

    async fn set_disabled(&self, username: &str, disabled: bool) -> Result<bool, StoreError> {
        let username = username.to_owned();
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, bool> {
                Box::pin(async move {
                    let changed = sqlx::query("UPDATE users SET disabled = ? WHERE username = ?")
                        .bind(disabled)
                        .bind(&username)
                        .execute(&mut *conn)
                        .await?;
                    if disabled {
                        sqlx::query(
                            "DELETE FROM sessions WHERE user_id IN \
                             (SELECT id FROM users WHERE username = ?)",
                        )
                        .bind(&username)
                        .execute(&mut *conn)
                        .await?;
                    }
                    Ok(changed.rows_affected() == 1)
                })
            })
            .await
    }

    async fn advance_totp_step(&self, user_id: &str, step: i64) -> Result<bool, StoreError> {
        let user_id = user_id.to_owned();
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, bool> {
                Box::pin(async move {
                    let changed = sqlx::query(
                        "UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?",
                    )
                    .bind(step)
                    .bind(&user_id)
                    .bind(step)
                    .execute(&mut *conn)
                    .await?;
                    Ok(changed.rows_affected() == 1)
                })
            })
            .await
    }

    async fn insert_session(&self, session: SessionRecord) -> Result<(), StoreError> {
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, ()> {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO sessions (token_hash, user_id, created_at, last_seen) \
                         VALUES (?, ?, ?, ?)",
                    )
                    .bind(session.token_hash.as_slice())
                    .bind(&session.user_id)
                    .bind(session.created_at)
                    .bind(session.last_seen)
                    .execute(&mut *conn)
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    async fn session(&self, token_hash: &[u8; 32]) -> Result<Option<SessionWithUser>, StoreError> {
        let row = sqlx::query(
            "SELECT s.token_hash, s.user_id, s.created_at, s.last_seen, u.username, u.role, \
             u.disabled FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?",
        )
        .bind(token_hash.as_slice())
        .fetch_optional(&self.readers)
        .await?;
        Ok(row.as_ref().map(session_with_user).transpose()?)
    }

    async fn touch_session(&self, token_hash: &[u8; 32], now: i64) -> Result<(), StoreError> {
        let token_hash = *token_hash;
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, ()> {
                Box::pin(async move {
                    sqlx::query("UPDATE sessions SET last_seen = ? WHERE token_hash = ?")
                        .bind(now)
                        .bind(token_hash.as_slice())
                        .execute(&mut *conn)
                        .await?;
                    Ok(())
                })
            })
            .await
    }

    async fn delete_session(&self, token_hash: &[u8; 32]) -> Result<(), StoreError> {
        let token_hash = *token_hash;
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, ()> {
                Box::pin(async move {
                    sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
                        .bind(token_hash.as_slice())
                        .execute(&mut *conn)
                        .await?;
                    Ok(())
                })
            })
            .await
    }

    async fn delete_sessions_of(&self, user_id: &str) -> Result<u64, StoreError> {
        let user_id = user_id.to_owned();
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, u64> {
                Box::pin(async move {
                    let done = sqlx::query("DELETE FROM sessions WHERE user_id = ?")
                        .bind(&user_id)
                        .execute(&mut *conn)
                        .await?;
                    Ok(done.rows_affected())
                })
            })
            .await
    }

    async fn throttle(&self, key: &[u8; 32]) -> Result<Option<Throttle>, StoreError> {
        let row = sqlx::query(
            "SELECT failures, window_start, blocked_until FROM signin_throttle WHERE key = ?",
        )
        .bind(key.as_slice())
        .fetch_optional(&self.readers)
        .await?;
        Ok(row.as_ref().map(throttle_record).transpose()?)
    }

    async fn set_throttle(
        &self,
        key: &[u8; 32],
        state: Option<Throttle>,
    ) -> Result<(), StoreError> {
        let key = *key;
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, ()> {
                Box::pin(async move {
                    match state {
                        None => {
                            sqlx::query("DELETE FROM signin_throttle WHERE key = ?")
                                .bind(key.as_slice())
                                .execute(&mut *conn)
                                .await?;
                        }
                        Some(t) => {
                            sqlx::query(
                                "INSERT INTO signin_throttle (key, failures, window_start, blocked_until) \
                                 VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET \
                                 failures = excluded.failures, window_start = excluded.window_start, \
                                 blocked_until = excluded.blocked_until",
                            )
                            .bind(key.as_slice())
                            .bind(i64::from(t.failures))
                            .bind(t.window_start)
                            .bind(t.blocked_until)
                            .execute(&mut *conn)
                            .await?;
                        }
                    }
                    Ok(())
                })
            })
            .await
    }
}
