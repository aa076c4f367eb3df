//! The follow-up thread on PostgreSQL. What a receipt opens is the interface's default: the
//! letters, the case and its thread, asked in turn. It must not read the key store: messages
//! are sealed to their case's key, which the case's own read brings.

use async_trait::async_trait;
use chrono::NaiveDate;

use super::{PostgresBackend, inserted};
use crate::domain::case::Author;
use crate::store::StoreError;
use crate::store::backend::{MessageRecord, ThreadRows};
use crate::store::rows::message_record;

#[async_trait]
impl ThreadRows for PostgresBackend {
    async fn messages(&self, case_id: &str) -> Result<Vec<MessageRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, author, sent_on, sealed FROM messages WHERE case_id = $1 ORDER BY seq",
        )
        .bind(case_id)
        .fetch_all(&self.main)
        .await?;
        Ok(rows.iter().map(message_record).collect::<Result<_, _>>()?)
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
