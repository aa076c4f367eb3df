//! Staff accounts, enrolment links, sessions and sign-in throttling on PostgreSQL, safe for
//! several processes at once (row locks, single-statement updates). Tokens and throttling keys
//! arrive hashed; this file must never see a password or a TOTP secret in the clear, nor decide
//! who may sign in (the facade does).

use async_trait::async_trait;
use chrono::NaiveDate;
use sqlx::Row;

use super::{PostgresBackend, UNIQUE_VIOLATION, is_sqlstate};
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
        grant: Option<GrantRecord>,
        today: NaiveDate,
    ) -> Result<(), StoreError> {
        let mut tx = self.main.begin().await?;
        let name = enrolment.username.as_deref();
        end_links(&mut tx, name, GrantState::Superseded, None, today).await?;
        if let Some(grant) = &grant {
            sqlx::query(
                "INSERT INTO access_grants (id, username, kind, state, requested_by, \
                 requested_on) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&grant.id)
            .bind(&grant.username)
            .bind(grant.kind.code())
            .bind(grant.state.code())
            .bind(&grant.requested_by)
            .bind(grant.requested_on)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "INSERT INTO enrolments (token_hash, username, role, totp_sealed, expires_at, \
             grant_id) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(enrolment.token_hash.as_slice())
        .bind(&enrolment.username)
        .bind(enrolment.role.code())
        .bind(&enrolment.totp_sealed)
        .bind(enrolment.expires_at)
        .bind(&enrolment.grant)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn pending_enrolments(&self, now: i64) -> Result<Vec<EnrolmentRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT token_hash, username, role, totp_sealed, expires_at, grant_id \
             FROM enrolments WHERE username IS NOT NULL AND expires_at > $1 ORDER BY username",
        )
        .bind(now)
        .fetch_all(&self.main)
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
        let mut tx = self.main.begin().await?;
        let revoked = end_links(
            &mut tx,
            Some(username),
            GrantState::Withdrawn,
            Some(by),
            today,
        )
        .await?;
        tx.commit().await?;
        Ok(revoked)
    }

    async fn enrolment(
        &self,
        token_hash: &[u8; 32],
    ) -> Result<Option<EnrolmentRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT token_hash, username, role, totp_sealed, expires_at, grant_id \
             FROM enrolments WHERE token_hash = $1",
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
        today: NaiveDate,
    ) -> Result<bool, StoreError> {
        let mut tx = self.main.begin().await?;
        // Locks the link: of two processes completing it at once, the second finds it gone.
        let Some(row) = sqlx::query(
            "SELECT username, grant_id FROM enrolments WHERE token_hash = $1 FOR UPDATE",
        )
        .bind(token_hash.as_slice())
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Ok(false);
        };
        let named: Option<String> = row.try_get("username")?;
        let grant: Option<String> = row.try_get("grant_id")?;
        let existing: Option<String> =
            sqlx::query_scalar("SELECT id FROM users WHERE username = $1 FOR UPDATE")
                .bind(&user.username)
                .fetch_optional(&mut *tx)
                .await?;
        // A first-administrator link cannot take over an existing name. (Every return before
        // the commit rolls back what the transaction wrote.)
        if named.is_none() && existing.is_some() {
            return Ok(false);
        }
        let case_access = !grant_enrolled(&mut tx, grant.as_deref(), &user.username, today).await?;
        match existing {
            // A link for an existing account replaces its credentials.
            Some(id) => {
                sqlx::query(
                    "UPDATE users SET password_hash = $1, totp_sealed = $2, totp_last_step = 0, \
                     disabled = false, case_access = $3 WHERE id = $4",
                )
                .bind(&user.password_hash)
                .bind(&user.totp_sealed)
                .bind(case_access)
                .bind(&id)
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                    .bind(&id)
                    .execute(&mut *tx)
                    .await?;
            }
            None => {
                let created = sqlx::query(
                    "INSERT INTO users (id, username, role, password_hash, totp_sealed, \
                     totp_last_step, disabled, case_access) VALUES ($1, $2, $3, $4, $5, $6, \
                     false, $7)",
                )
                .bind(&user.id)
                .bind(&user.username)
                .bind(user.role.code())
                .bind(&user.password_hash)
                .bind(&user.totp_sealed)
                .bind(user.totp_last_step)
                .bind(case_access)
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

    async fn record_grant(&self, grant: GrantRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO access_grants (id, username, kind, state, requested_by, requested_on) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&grant.id)
        .bind(&grant.username)
        .bind(grant.kind.code())
        .bind(grant.state.code())
        .bind(&grant.requested_by)
        .bind(grant.requested_on)
        .execute(&self.main)
        .await?;
        Ok(())
    }

    async fn ombuds_exist(&self) -> Result<bool, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM users WHERE role = 'ombuds') \
             OR EXISTS (SELECT 1 FROM access_grants)",
        )
        .fetch_one(&self.main)
        .await?)
    }

    async fn grants(&self, listed_since: NaiveDate) -> Result<Vec<GrantRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM access_grants WHERE state = $1 \
             OR coalesce(decided_on, enrolled_on, requested_on) >= $2 \
             ORDER BY coalesce(decided_on, enrolled_on, requested_on) DESC, username",
        )
        .bind(GrantState::AwaitingConfirmation.code())
        .bind(listed_since)
        .fetch_all(&self.main)
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
        let mut tx = self.main.begin().await?;
        // Locks the grant: of two ombuds deciding it at once, the second finds it decided.
        let Some(row) = sqlx::query("SELECT * FROM access_grants WHERE id = $1 FOR UPDATE")
            .bind(id)
            .fetch_optional(&mut *tx)
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
            "UPDATE access_grants SET state = $1, decided_by = $2, decided_on = $3 WHERE id = $4",
        )
        .bind(state.code())
        .bind(decider)
        .bind(today)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if confirm {
            sqlx::query("UPDATE users SET case_access = true WHERE username = $1")
                .bind(&grant.username)
                .execute(&mut *tx)
                .await?;
        } else {
            sqlx::query(
                "UPDATE users SET disabled = true, case_access = false WHERE username = $1",
            )
            .bind(&grant.username)
            .execute(&mut *tx)
            .await?;
            lock_out(&mut tx, &grant.username).await?;
        }
        tx.commit().await?;
        Ok(GrantDecision::Done)
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
            lock_out(&mut tx, username).await?;
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
             u.disabled, u.case_access FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1",
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

    async fn charge_attempt(&self, key: &[u8; 32], now: i64) -> Result<Option<i64>, StoreError> {
        // The row exists before it is locked, so that two first attempts (in any processes)
        // queue on the same lock instead of both finding nothing.
        let mut tx = self.main.begin().await?;
        sqlx::query(
            "INSERT INTO signin_throttle (key, failures, window_start, blocked_until) \
             VALUES ($1, 0, $2, 0) ON CONFLICT (key) DO NOTHING",
        )
        .bind(key.as_slice())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query(
            "SELECT failures, window_start, blocked_until FROM signin_throttle \
             WHERE key = $1 FOR UPDATE",
        )
        .bind(key.as_slice())
        .fetch_one(&mut *tx)
        .await?;
        let previous = throttle_record(&row)?;
        let previous = (previous.failures > 0).then_some(previous);
        let counted = match Throttle::charge(previous, now) {
            Ok(counted) => counted,
            Err(wait) => {
                tx.rollback().await?;
                return Ok(Some(wait));
            }
        };
        sqlx::query(
            "UPDATE signin_throttle SET failures = $2, window_start = $3, blocked_until = $4 \
             WHERE key = $1",
        )
        .bind(key.as_slice())
        .bind(i64::from(counted.failures))
        .bind(counted.window_start)
        .bind(counted.blocked_until)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(None)
    }

    async fn clear_attempts(&self, key: &[u8; 32]) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM signin_throttle WHERE key = $1")
            .bind(key.as_slice())
            .execute(&self.main)
            .await?;
        Ok(())
    }
}

/// What follows disabling `username`'s account: its sessions end, and the cases assigned to
/// it return to the pool (a disabled account holds no case).
async fn lock_out(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    username: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE username = $1)")
        .bind(username)
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE cases SET assigned_to = NULL WHERE assigned_to = $1")
        .bind(username)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Ends every unused link for the account `username` (the first administrator's when `None`):
/// a grant of case access one carried, not taken up yet, becomes `state` on `today`, decided
/// by `by`. Returns how many links there were. Links for one account are issued and ended one
/// process at a time (a transaction lock on the name), so two links made at once cannot both
/// stay live; and the links go first, so that a grant is changed only for a link that was still
/// unused (a link being used holds its row: it is either used or gone, never both).
async fn end_links(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    username: Option<&str>,
    state: GrantState,
    by: Option<&str>,
    today: NaiveDate,
) -> Result<u64, sqlx::Error> {
    sqlx::query("SELECT pg_advisory_xact_lock($1, hashtext(coalesce($2, '')))")
        .bind(ENROLMENT_LOCK)
        .bind(username)
        .execute(&mut **tx)
        .await?;
    let grants: Vec<Option<String>> = sqlx::query_scalar(
        "DELETE FROM enrolments WHERE username IS NOT DISTINCT FROM $1 RETURNING grant_id",
    )
    .bind(username)
    .fetch_all(&mut **tx)
    .await?;
    let links = u64::try_from(grants.len()).unwrap_or(u64::MAX);
    let grants: Vec<String> = grants.into_iter().flatten().collect();
    sqlx::query(
        "UPDATE access_grants SET state = $1, decided_by = $2, decided_on = $3 \
         WHERE id = ANY($4) AND state IN ($5, $6) AND enrolled_on IS NULL",
    )
    .bind(state.code())
    .bind(by)
    .bind(today)
    .bind(&grants)
    .bind(GrantState::AwaitingEnrolment.code())
    .bind(GrantState::Granted.code())
    .execute(&mut **tx)
    .await?;
    Ok(links)
}

/// The first key of the transaction lock taken while a name's links are issued or ended (the
/// second is the name's hash).
const ENROLMENT_LOCK: i32 = 0x656e_726c;

/// Records that the link of `grant` (if any) was used on `today` for `username`'s account, and
/// returns whether the account must now wait for a confirmation. A grant that waited for the
/// link now waits for a confirmation; one that needed none is simply dated. Any other grant
/// of the account still waiting for a confirmation was for credentials that are replaced now,
/// and is superseded: confirming it would confirm whoever used this link.
async fn grant_enrolled(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    grant: Option<&str>,
    username: &str,
    today: NaiveDate,
) -> Result<bool, sqlx::Error> {
    sqlx::query(
        "UPDATE access_grants SET state = $1, decided_on = $2 WHERE username = $3 \
         AND state = $4 AND id IS DISTINCT FROM $5",
    )
    .bind(GrantState::Superseded.code())
    .bind(today)
    .bind(username)
    .bind(GrantState::AwaitingConfirmation.code())
    .bind(grant)
    .execute(&mut **tx)
    .await?;
    let Some(id) = grant else {
        return Ok(false);
    };
    let waits = sqlx::query(
        "UPDATE access_grants SET state = $1, enrolled_on = $2 WHERE id = $3 AND state = $4",
    )
    .bind(GrantState::AwaitingConfirmation.code())
    .bind(today)
    .bind(id)
    .bind(GrantState::AwaitingEnrolment.code())
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1;
    if !waits {
        sqlx::query(
            "UPDATE access_grants SET enrolled_on = $1 WHERE id = $2 AND enrolled_on IS NULL",
        )
        .bind(today)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(waits)
}
