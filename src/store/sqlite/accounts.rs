//! Staff accounts, enrolment links, sessions and sign-in throttling on SQLite. Tokens and
//! throttling keys arrive hashed; this file must never see a password or a TOTP secret in the
//! clear, nor decide who may sign in (the facade does).

use async_trait::async_trait;
use chrono::NaiveDate;
use sqlx::{Row, SqliteConnection};

use super::rows::day;
use super::{Job, SqliteBackend};
use crate::domain::access::GrantState;
use crate::domain::account::Throttle;
use crate::store::StoreError;
use crate::store::backend::{
    AccountRows, EnrolmentRecord, GrantDecision, GrantRecord, SessionRecord, SessionWithUser,
    UserRecord,
};
use crate::store::rows::{
    enrolment_record, grant_record, session_with_user, throttle_record, user_record,
};

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
        grant: Option<GrantRecord>,
        today: NaiveDate,
    ) -> Result<(), StoreError> {
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, ()> {
                Box::pin(async move {
                    let name = enrolment.username.as_deref();
                    end_links(conn, name, GrantState::Superseded, None, today).await?;
                    if let Some(grant) = &grant {
                        sqlx::query(
                            "INSERT INTO access_grants (id, username, kind, state, requested_by, \
                             requested_on) VALUES (?, ?, ?, ?, ?, ?)",
                        )
                        .bind(&grant.id)
                        .bind(&grant.username)
                        .bind(grant.kind.code())
                        .bind(grant.state.code())
                        .bind(&grant.requested_by)
                        .bind(day(grant.requested_on))
                        .execute(&mut *conn)
                        .await?;
                    }
                    sqlx::query(
                        "INSERT INTO enrolments (token_hash, username, role, totp_sealed, \
                         expires_at, grant_id) VALUES (?, ?, ?, ?, ?, ?)",
                    )
                    .bind(enrolment.token_hash.as_slice())
                    .bind(&enrolment.username)
                    .bind(enrolment.role.code())
                    .bind(&enrolment.totp_sealed)
                    .bind(enrolment.expires_at)
                    .bind(&enrolment.grant)
                    .execute(&mut *conn)
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    async fn pending_enrolments(&self, now: i64) -> Result<Vec<EnrolmentRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT token_hash, username, role, totp_sealed, expires_at, grant_id \
             FROM enrolments WHERE username IS NOT NULL AND expires_at > ? ORDER BY username",
        )
        .bind(now)
        .fetch_all(&self.readers)
        .await?;
        Ok(rows
            .iter()
            .map(enrolment_record)
            .collect::<Result<_, _>>()?)
    }

    async fn revoke_enrolments(
        &self,
        username: &str,
        by: &str,
        today: NaiveDate,
    ) -> Result<u64, StoreError> {
        let (username, by) = (username.to_owned(), by.to_owned());
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, u64> {
                Box::pin(async move {
                    end_links(
                        conn,
                        Some(&username),
                        GrantState::Withdrawn,
                        Some(&by),
                        today,
                    )
                    .await
                })
            })
            .await
    }

    async fn enrolment(
        &self,
        token_hash: &[u8; 32],
    ) -> Result<Option<EnrolmentRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT token_hash, username, role, totp_sealed, expires_at, grant_id \
             FROM enrolments WHERE token_hash = ?",
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
        today: NaiveDate,
    ) -> Result<bool, StoreError> {
        let token_hash = *token_hash;
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, bool> {
                Box::pin(async move {
                    let Some(row) =
                        sqlx::query("SELECT username, grant_id FROM enrolments WHERE token_hash = ?")
                            .bind(token_hash.as_slice())
                            .fetch_optional(&mut *conn)
                            .await?
                    else {
                        return Ok(false);
                    };
                    let named: Option<String> = row.try_get("username")?;
                    let grant: Option<String> = row.try_get("grant_id")?;
                    let existing: Option<String> =
                        sqlx::query_scalar("SELECT id FROM users WHERE username = ?")
                            .bind(&user.username)
                            .fetch_optional(&mut *conn)
                            .await?;
                    // A first-administrator link cannot take over an existing name.
                    if named.is_none() && existing.is_some() {
                        return Ok(false);
                    }
                    let case_access = !grant_enrolled(conn, grant.as_deref(), &user.username, today)
                        .await?;
                    match existing {
                        // A link for an existing account replaces its credentials.
                        Some(id) => {
                            sqlx::query(
                                "UPDATE users SET password_hash = ?, totp_sealed = ?, \
                                 totp_last_step = 0, disabled = 0, case_access = ? WHERE id = ?",
                            )
                            .bind(&user.password_hash)
                            .bind(&user.totp_sealed)
                            .bind(case_access)
                            .bind(&id)
                            .execute(&mut *conn)
                            .await?;
                            sqlx::query("DELETE FROM sessions WHERE user_id = ?")
                                .bind(&id)
                                .execute(&mut *conn)
                                .await?;
                        }
                        None => {
                            sqlx::query(
                                "INSERT INTO users (id, username, role, password_hash, totp_sealed, \
                                 totp_last_step, disabled, case_access) VALUES (?, ?, ?, ?, ?, ?, 0, ?)",
                            )
                            .bind(&user.id)
                            .bind(&user.username)
                            .bind(user.role.code())
                            .bind(&user.password_hash)
                            .bind(&user.totp_sealed)
                            .bind(user.totp_last_step)
                            .bind(case_access)
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

    async fn record_grant(&self, grant: GrantRecord) -> Result<(), StoreError> {
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, ()> {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO access_grants (id, username, kind, state, requested_by, \
                         requested_on) VALUES (?, ?, ?, ?, ?, ?)",
                    )
                    .bind(&grant.id)
                    .bind(&grant.username)
                    .bind(grant.kind.code())
                    .bind(grant.state.code())
                    .bind(&grant.requested_by)
                    .bind(day(grant.requested_on))
                    .execute(&mut *conn)
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    async fn ombuds_exist(&self) -> Result<bool, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM users WHERE role = 'ombuds') \
             OR EXISTS (SELECT 1 FROM access_grants)",
        )
        .fetch_one(&self.readers)
        .await?)
    }

    async fn grants(&self, listed_since: NaiveDate) -> Result<Vec<GrantRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM access_grants WHERE state = ? \
             OR coalesce(decided_on, enrolled_on, requested_on) >= ? \
             ORDER BY coalesce(decided_on, enrolled_on, requested_on) DESC, username",
        )
        .bind(GrantState::AwaitingConfirmation.code())
        .bind(day(listed_since))
        .fetch_all(&self.readers)
        .await?;
        Ok(rows.iter().map(grant_record).collect::<Result<_, _>>()?)
    }

    async fn decide_grant(
        &self,
        id: &str,
        decider: &str,
        confirm: bool,
        today: NaiveDate,
    ) -> Result<GrantDecision, StoreError> {
        let (id, decider) = (id.to_owned(), decider.to_owned());
        self.writer
            .write(
                move |conn: &mut SqliteConnection| -> Job<'_, GrantDecision> {
                    Box::pin(async move {
                        let Some(row) = sqlx::query("SELECT * FROM access_grants WHERE id = ?")
                            .bind(&id)
                            .fetch_optional(&mut *conn)
                            .await?
                        else {
                            return Ok(GrantDecision::NotFound);
                        };
                        let grant = grant_record(&row)?;
                        if grant.username == decider {
                            return Ok(GrantDecision::OwnAccount);
                        }
                        if grant.state != GrantState::AwaitingConfirmation {
                            return Ok(GrantDecision::NotWaiting);
                        }
                        let state = if confirm {
                            GrantState::Confirmed
                        } else {
                            GrantState::Refused
                        };
                        sqlx::query(
                            "UPDATE access_grants SET state = ?, decided_by = ?, decided_on = ? \
                         WHERE id = ?",
                        )
                        .bind(state.code())
                        .bind(&decider)
                        .bind(day(today))
                        .bind(&id)
                        .execute(&mut *conn)
                        .await?;
                        if confirm {
                            sqlx::query("UPDATE users SET case_access = 1 WHERE username = ?")
                                .bind(&grant.username)
                                .execute(&mut *conn)
                                .await?;
                        } else {
                            sqlx::query(
                                "UPDATE users SET disabled = 1, case_access = 0 WHERE username = ?",
                            )
                            .bind(&grant.username)
                            .execute(&mut *conn)
                            .await?;
                            lock_out(conn, &grant.username).await?;
                        }
                        Ok(GrantDecision::Done)
                    })
                },
            )
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
                        lock_out(conn, &username).await?;
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
             u.disabled, u.case_access FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = ?",
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

    async fn charge_attempt(&self, key: &[u8; 32], now: i64) -> Result<Option<i64>, StoreError> {
        let key = *key;
        // One writer runs every write in turn: reading and writing in one job is atomic.
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, Option<i64>> {
                Box::pin(async move {
                    let row = sqlx::query(
                        "SELECT failures, window_start, blocked_until FROM signin_throttle \
                         WHERE key = ?",
                    )
                    .bind(key.as_slice())
                    .fetch_optional(&mut *conn)
                    .await?;
                    let previous = row.as_ref().map(throttle_record).transpose()?;
                    let counted = match Throttle::charge(previous, now) {
                        Ok(counted) => counted,
                        Err(wait) => return Ok(Some(wait)),
                    };
                    sqlx::query(
                        "INSERT INTO signin_throttle (key, failures, window_start, blocked_until) \
                         VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET \
                         failures = excluded.failures, window_start = excluded.window_start, \
                         blocked_until = excluded.blocked_until",
                    )
                    .bind(key.as_slice())
                    .bind(i64::from(counted.failures))
                    .bind(counted.window_start)
                    .bind(counted.blocked_until)
                    .execute(&mut *conn)
                    .await?;
                    Ok(None)
                })
            })
            .await
    }

    async fn clear_attempts(&self, key: &[u8; 32]) -> Result<(), StoreError> {
        let key = *key;
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, ()> {
                Box::pin(async move {
                    sqlx::query("DELETE FROM signin_throttle WHERE key = ?")
                        .bind(key.as_slice())
                        .execute(&mut *conn)
                        .await?;
                    Ok(())
                })
            })
            .await
    }
}

/// Ends every unused link for the account `username` (the first administrator's when `None`):
/// a grant of case access one carried, not taken up yet, becomes `state` on `today`, decided
/// by `by`. Returns how many links there were. The links go first, so that a grant is changed
/// only for a link that was still unused (a link being used at the same moment is either used
/// or gone, never both).
async fn end_links(
    conn: &mut SqliteConnection,
    username: Option<&str>,
    state: GrantState,
    by: Option<&str>,
    today: NaiveDate,
) -> Result<u64, sqlx::Error> {
    let grants: Vec<Option<String>> =
        sqlx::query_scalar("DELETE FROM enrolments WHERE username IS ? RETURNING grant_id")
            .bind(username)
            .fetch_all(&mut *conn)
            .await?;
    for grant in grants.iter().flatten() {
        sqlx::query(
            "UPDATE access_grants SET state = ?, decided_by = ?, decided_on = ? \
             WHERE id = ? AND state IN (?, ?) AND enrolled_on IS NULL",
        )
        .bind(state.code())
        .bind(by)
        .bind(day(today))
        .bind(grant)
        .bind(GrantState::AwaitingEnrolment.code())
        .bind(GrantState::Granted.code())
        .execute(&mut *conn)
        .await?;
    }
    Ok(u64::try_from(grants.len()).unwrap_or(u64::MAX))
}

/// What follows disabling `username`'s account: its sessions end, and the cases assigned to
/// it return to the pool (a disabled account holds no case).
async fn lock_out(conn: &mut SqliteConnection, username: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE username = ?)")
        .bind(username)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE cases SET assigned_to = NULL WHERE assigned_to = ?")
        .bind(username)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Records that the link of `grant` (if any) was used on `today` for `username`'s account, and
/// returns whether the account must now wait for a confirmation. A grant that waited for the
/// link now waits for a confirmation; one that needed none is simply dated. Any other grant
/// of the account still waiting for a confirmation was for credentials that are replaced now,
/// and is superseded: confirming it would confirm whoever used this link.
async fn grant_enrolled(
    conn: &mut SqliteConnection,
    grant: Option<&str>,
    username: &str,
    today: NaiveDate,
) -> Result<bool, sqlx::Error> {
    sqlx::query(
        "UPDATE access_grants SET state = ?, decided_on = ? WHERE username = ? AND state = ? \
         AND id IS NOT ?",
    )
    .bind(GrantState::Superseded.code())
    .bind(day(today))
    .bind(username)
    .bind(GrantState::AwaitingConfirmation.code())
    .bind(grant)
    .execute(&mut *conn)
    .await?;
    let Some(id) = grant else {
        return Ok(false);
    };
    let waits = sqlx::query(
        "UPDATE access_grants SET state = ?, enrolled_on = ? WHERE id = ? AND state = ?",
    )
    .bind(GrantState::AwaitingConfirmation.code())
    .bind(day(today))
    .bind(id)
    .bind(GrantState::AwaitingEnrolment.code())
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    if !waits {
        sqlx::query(
            "UPDATE access_grants SET enrolled_on = ? WHERE id = ? AND enrolled_on IS NULL",
        )
        .bind(day(today))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(waits)
}
