//! Letters on SQLite, each under a key of its own in the key store. A letter's key is committed
//! before the letter and destroyed after it (by the sweep), so a letter never outlives its key;
//! this file must not store a letter in the same write as its key (see `writer.rs`).

use async_trait::async_trait;
use chrono::NaiveDate;
use sqlx::SqliteConnection;

use super::rows::{day, sealed_letter};
use super::{Job, SqliteBackend};
use crate::domain::notices::SentBy;
use crate::store::StoreError;
use crate::store::backend::{LetterQuery, LetterRecord, LetterRows, SealedLetter};
use crate::store::rows::LETTER_COLUMNS;

#[async_trait]
impl LetterRows for SqliteBackend {
    async fn insert_letter(
        &self,
        letter: LetterRecord,
        wrapped_key: Vec<u8>,
    ) -> Result<bool, StoreError> {
        // The key is committed first, on its own: one transaction over both files is not
        // atomic across them (see `writer.rs`), and a letter must never outlive its key. The
        // letter's own write stores the key again if a sweep took it for an orphan meanwhile.
        let (key_id, key) = (letter.key_id.clone(), wrapped_key.clone());
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, ()> {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO keystore.content_keys (id, wrapped) VALUES (?, ?) \
                         ON CONFLICT (id) DO NOTHING",
                    )
                    .bind(&key_id)
                    .bind(&key)
                    .execute(&mut *conn)
                    .await?;
                    Ok(())
                })
            })
            .await?;
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, bool> {
                Box::pin(async move {
                    // The receipt hash of the party addressed: an added party's, else the case's.
                    let inserted = sqlx::query(
                        "INSERT INTO letters (id, case_id, receipt_hash, kind, dated, expires_on, \
                         key_id, sealed_html, sealed_text, party_id, sealed_label) \
                         SELECT ?1, c.id, iif(?9 IS NULL, c.receipt_hash, p.receipt_hash), ?2, \
                           ?3, ?4, ?5, ?6, ?7, p.id, ?10 \
                         FROM cases c LEFT JOIN parties p ON p.case_id = c.id AND p.id = ?9 \
                         WHERE c.id = ?8 AND (?9 IS NULL OR p.id IS NOT NULL)",
                    )
                    .bind(&letter.id)
                    .bind(letter.kind.code())
                    .bind(day(letter.dated))
                    .bind(day(letter.expires_on))
                    .bind(&letter.key_id)
                    .bind(&letter.sealed_html)
                    .bind(&letter.sealed_text)
                    .bind(&letter.case_id)
                    .bind(&letter.party_id)
                    .bind(&letter.sealed_label)
                    .execute(&mut *conn)
                    .await?;
                    if inserted.rows_affected() == 0 {
                        // No such case: the key stored above is an orphan the sweeper removes.
                        return Ok(false);
                    }
                    sqlx::query(
                        "INSERT INTO keystore.content_keys (id, wrapped) VALUES (?, ?) \
                         ON CONFLICT (id) DO NOTHING",
                    )
                    .bind(&letter.key_id)
                    .bind(&wrapped_key)
                    .execute(&mut *conn)
                    .await?;
                    Ok(true)
                })
            })
            .await
    }

    async fn letters(
        &self,
        of: LetterQuery<'_>,
        today: NaiveDate,
    ) -> Result<Vec<SealedLetter>, StoreError> {
        let filter = match of {
            LetterQuery::Case(_) => "l.case_id = ?",
            LetterQuery::Receipt(_) => "l.receipt_hash = ?",
            LetterQuery::Id(_) => "l.id = ?",
            LetterQuery::All => "1 = 1",
        };
        let sql = format!(
            "SELECT {LETTER_COLUMNS}, k.wrapped FROM letters l \
             LEFT JOIN keystore.content_keys k ON k.id = l.key_id \
             WHERE {filter} AND l.expires_on > ? ORDER BY l.dated DESC, l.rowid DESC"
        );
        let query = sqlx::query(sqlx::AssertSqlSafe(sql));
        let query = match of {
            LetterQuery::Case(id) | LetterQuery::Id(id) => query.bind(id.to_owned()),
            LetterQuery::Receipt(hash) => query.bind(hash.0.to_vec()),
            LetterQuery::All => query,
        };
        let rows = query.bind(day(today)).fetch_all(&self.readers).await?;
        Ok(rows.iter().map(sealed_letter).collect::<Result<_, _>>()?)
    }

    async fn mark_letters_opened(&self, ids: &[String]) -> Result<(), StoreError> {
        let ids = serde_json::to_string(ids).map_err(|e| StoreError::Database(e.to_string()))?;
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, ()> {
                Box::pin(async move {
                    sqlx::query(
                        "UPDATE letters SET opened = 1 WHERE opened = 0 \
                         AND id IN (SELECT value FROM json_each(?))",
                    )
                    .bind(&ids)
                    .execute(&mut *conn)
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    async fn mark_letter_sent(
        &self,
        id: &str,
        on: NaiveDate,
        by: SentBy,
    ) -> Result<bool, StoreError> {
        let id = id.to_owned();
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, bool> {
                Box::pin(async move {
                    let done = sqlx::query(
                        "UPDATE letters SET sent_on = ?, sent_by = ? WHERE id = ? \
                         AND receipt_hash IS NULL AND sent_on IS NULL",
                    )
                    .bind(day(on))
                    .bind(by.code())
                    .bind(&id)
                    .execute(&mut *conn)
                    .await?;
                    Ok(done.rows_affected() == 1)
                })
            })
            .await
    }
}
