//! The follow-up thread on PostgreSQL. What a receipt opens is the interface's default: the
//! letters, the case and its thread, asked in turn.

use async_trait::async_trait;
use chrono::NaiveDate;
use sqlx::Row;

use super::rows::code;
use super::{PostgresBackend, inserted};
use crate::domain::case::Author;
use crate::store::StoreError;
use crate::store::backend::{MessageRecord, ThreadRows};

#[async_trait]
impl ThreadRows for PostgresBackend {
    async fn messages(&self, case_id: &str) -> Result<Vec<MessageRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, author, sent_on, sealed FROM messages WHERE case_id = $1 ORDER BY seq",
        )
        .bind(case_id)
        .fetch_all(&self.main)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(MessageRecord {
                    seq: row.try_get("seq")?,
                    author: code(row, "author", Author::from_code)?,
                    sent_on: row.try_get("sent_on")?,
                    sealed: row.try_get("sealed")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    async fn insert_message(
        &self,
        case_id: &str,
        author: Author,
        sent_on: NaiveDate,
        sealed: Vec<u8>,
    ) -> Result<bool, StoreError> {
        inserted(
            sqlx::query(
                "INSERT INTO messages (case_id, author, sent_on, sealed) \
                 SELECT id, $1, $2, $3 FROM cases WHERE id = $4",
            )
            .bind(author.code())
            .bind(sent_on)
            .bind(&sealed)
            .bind(case_id)
            .execute(&self.main)
            .await,
        )
    }
}
