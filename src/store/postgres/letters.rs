//! Letters on PostgreSQL, each under a key of its own: stored key first (see `keys.rs`), read
//! from the main database and then their keys from the key store. It must not store a letter
//! but through `keys.rs`, which stores its key first.

use async_trait::async_trait;
use chrono::NaiveDate;

use super::PostgresBackend;
use super::keys::content_keys;
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
            let done = sqlx::query(
                "INSERT INTO letters (id, case_id, receipt_hash, kind, dated, expires_on, key_id, \
                 sealed_html, sealed_text) \
                 SELECT $1, id, receipt_hash, $2, $3, $4, $5, $6, $7 FROM cases WHERE id = $8",
            )
            .bind(&letter.id)
            .bind(letter.kind.code())
            .bind(letter.dated)
            .bind(letter.expires_on)
            .bind(&letter.key_id)
            .bind(&letter.sealed_html)
            .bind(&letter.sealed_text)
            .bind(&letter.case_id)
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
}
