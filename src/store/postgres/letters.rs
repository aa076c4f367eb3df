//! Letters on PostgreSQL, each under a key of its own: stored key first (see `keys.rs`), read
//! from the main database and then their keys from the key store. It must not store a letter
//! but through `keys.rs`, which stores its key first.

use async_trait::async_trait;
use chrono::NaiveDate;

use super::PostgresBackend;
use super::keys::content_keys;
use crate::domain::notices::SentBy;
use crate::store::StoreError;
use crate::store::backend::{LetterQuery, LetterRecord, LetterRows, SealedLetter};
use crate::store::rows::{LETTER_COLUMNS, letter_record};

#[async_trait]
impl LetterRows for PostgresBackend {
    async fn insert_letter(
        &self,
        letter: LetterRecord,
        wrapped_key: Vec<u8>,
    ) -> Result<bool, StoreError> {
        let insert = async {
            // The receipt hash of the party addressed: an added party's, else the case's.
            let done = sqlx::query(
                "INSERT INTO letters (id, case_id, receipt_hash, kind, dated, expires_on, key_id, \
                 sealed_html, sealed_text, party_id, sealed_label) \
                 SELECT $1, c.id, CASE WHEN $9::text IS NULL THEN c.receipt_hash \
                   ELSE p.receipt_hash END, $2, $3, $4, $5, $6, $7, p.id, $10 \
                 FROM cases c LEFT JOIN parties p ON p.case_id = c.id AND p.id = $9 \
                 WHERE c.id = $8 AND ($9::text IS NULL OR p.id IS NOT NULL)",
            )
            .bind(&letter.id)
            .bind(letter.kind.code())
            .bind(letter.dated)
            .bind(letter.expires_on)
            .bind(&letter.key_id)
            .bind(&letter.sealed_html)
            .bind(&letter.sealed_text)
            .bind(&letter.case_id)
            .bind(&letter.party_id)
            .bind(&letter.sealed_label)
            .execute(&self.main)
            .await?;
            Ok(done.rows_affected() == 1)
        };
        self.with_new_key(&letter.key_id, &wrapped_key, insert)
            .await
    }

    async fn letters(
        &self,
        of: LetterQuery<'_>,
        today: NaiveDate,
    ) -> Result<Vec<SealedLetter>, StoreError> {
        let filter = match of {
            LetterQuery::Case(_) => "l.case_id = $2",
            LetterQuery::Receipt(_) => "l.receipt_hash = $2",
            LetterQuery::Id(_) => "l.id = $2",
            LetterQuery::All => "true",
        };
        let sql = format!(
            "SELECT {LETTER_COLUMNS} FROM letters l \
             WHERE {filter} AND l.expires_on > $1 ORDER BY l.dated DESC, l.seq DESC"
        );
        let query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(today);
        let query = match of {
            LetterQuery::Case(id) | LetterQuery::Id(id) => query.bind(id.to_owned()),
            LetterQuery::Receipt(hash) => query.bind(hash.0.to_vec()),
            LetterQuery::All => query,
        };
        let rows = query.fetch_all(&self.main).await?;
        let records = rows
            .iter()
            .map(letter_record)
            .collect::<Result<Vec<_>, _>>()?;
        let mut keys = content_keys(
            &self.keys,
            records.iter().map(|r| r.key_id.clone()).collect(),
        )
        .await?;
        Ok(records
            .into_iter()
            .map(|record| SealedLetter {
                wrapped_key: keys.remove(&record.key_id),
                record,
            })
            .collect())
    }

    async fn mark_letters_opened(&self, ids: &[String]) -> Result<(), StoreError> {
        sqlx::query("UPDATE letters SET opened = true WHERE NOT opened AND id = ANY($1)")
            .bind(ids)
            .execute(&self.main)
            .await?;
        Ok(())
    }

    async fn mark_letter_sent(
        &self,
        id: &str,
        on: NaiveDate,
        by: SentBy,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE letters SET sent_on = $1, sent_by = $2 WHERE id = $3 \
             AND receipt_hash IS NULL AND sent_on IS NULL",
        )
        .bind(on)
        .bind(by.code())
        .bind(id)
        .execute(&self.main)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
