//! The key store's side of every write on PostgreSQL: reading keys by the batch, and storing and
//! destroying them in the order that keeps content from outliving its key. Each write to one
//! database is one transaction (or one statement); reads that need a key read the main
//! database first and the key store second, so that a case destroyed in between reads as gone.
//!
//! Writes that touch both databases are ordered, never atomic:
//! - storing content sealed to a new key (a case, a letter): the key first, marked pending;
//!   then the content; then the pending mark is cleared. A failure in between leaves a key
//!   that nothing uses, which is removed at once or, after a crash, by the sweeper.
//! - destroying content and its key (closing a case, an expired letter): the content first,
//!   then the key. A crash in between leaves the key alone, which the sweeper removes; never
//!   content whose key is gone while the content stays.
//!
//! This module must not decide what a key is for: the section files name the keys.

use std::collections::HashMap;

use chrono::NaiveDate;
use sqlx::PgPool;

use super::{FOREIGN_KEY_VIOLATION, PostgresBackend, is_sqlstate};
use crate::store::StoreError;

/// Reads the wrapped content keys with ids `ids` from the key store.
pub(super) async fn content_keys(
    keys: &PgPool,
    ids: Vec<String>,
) -> Result<HashMap<String, Vec<u8>>, StoreError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(String, Vec<u8>)> =
        sqlx::query_as("SELECT id, wrapped FROM content_keys WHERE id = ANY($1)")
            .bind(ids)
            .fetch_all(keys)
            .await?;
    Ok(rows.into_iter().collect())
}

/// Reads the wrapped keys of expiry days `days` from the key store.
pub(super) async fn day_keys(
    keys: &PgPool,
    mut days: Vec<NaiveDate>,
) -> Result<HashMap<NaiveDate, Vec<u8>>, StoreError> {
    days.sort_unstable();
    days.dedup();
    if days.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(NaiveDate, Vec<u8>)> =
        sqlx::query_as("SELECT day, wrapped FROM day_keys WHERE day = ANY($1)")
            .bind(days)
            .fetch_all(keys)
            .await?;
    Ok(rows.into_iter().collect())
}

impl PostgresBackend {
    /// Stores a wrapped key, marked pending until the content sealed to it is stored.
    async fn insert_pending_key(&self, id: &str, wrapped: &[u8]) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO content_keys (id, wrapped, pending_on) VALUES ($1, $2, CURRENT_DATE)",
        )
        .bind(id)
        .bind(wrapped)
        .execute(&self.keys)
        .await?;
        Ok(())
    }

    /// The content sealed to key `id` is stored: the key is no longer pending.
    async fn settle_key(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE content_keys SET pending_on = NULL WHERE id = $1")
            .bind(id)
            .execute(&self.keys)
            .await?;
        Ok(())
    }

    /// Destroys content keys; used after the content sealed to them is gone (or never stored).
    pub(super) async fn destroy_keys(&self, ids: &[String]) -> Result<u64, StoreError> {
        if ids.is_empty() {
            return Ok(0);
        }
        Ok(sqlx::query("DELETE FROM content_keys WHERE id = ANY($1)")
            .bind(ids)
            .execute(&self.keys)
            .await?
            .rows_affected())
    }

    /// Removes a key whose content could not be stored. If that fails too, the key stays
    /// pending and the sweeper removes it once it is old enough.
    async fn abandon_key(&self, id: &str) {
        if let Err(e) = self.destroy_keys(&[id.to_owned()]).await {
            tracing::warn!("removing an unused key failed: {e}; the sweeper will remove it");
        }
    }

    /// Runs `insert` (which stores content sealed to key `key_id`) between storing the key and
    /// settling it. `insert` answers whether the content was stored (false: no such case).
    pub(super) async fn with_new_key<F>(
        &self,
        key_id: &str,
        wrapped: &[u8],
        insert: F,
    ) -> Result<bool, StoreError>
    where
        F: std::future::Future<Output = Result<bool, sqlx::Error>>,
    {
        self.insert_pending_key(key_id, wrapped).await?;
        match insert.await {
            Ok(true) => {
                // The content is stored and acknowledged from here on. If settling fails, the
                // key stays pending but in use, which the sweeper never removes.
                if let Err(e) = self.settle_key(key_id).await {
                    tracing::warn!("marking a key in use failed: {e}; it is kept all the same");
                }
                Ok(true)
            }
            Ok(false) => {
                self.abandon_key(key_id).await;
                Ok(false)
            }
            Err(e) if is_sqlstate(&e, FOREIGN_KEY_VIOLATION) => {
                self.abandon_key(key_id).await;
                Ok(false)
            }
            Err(e) => {
                self.abandon_key(key_id).await;
                Err(e.into())
            }
        }
    }
}
