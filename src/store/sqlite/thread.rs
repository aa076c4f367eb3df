//! The follow-up thread on SQLite, and what a receipt opens: answered by the gathered look-ups
//! (`lookups.rs`), one statement for many receipts at once. It must not give a wrong receipt
//! a path of its own: right and wrong receipts are read the same way.

use async_trait::async_trait;
use chrono::NaiveDate;
use sqlx::SqliteConnection;

use super::rows::day;
use super::{Job, SqliteBackend};
use crate::crypto::ReceiptHash;
use crate::domain::case::Author;
use crate::store::StoreError;
use crate::store::backend::{FollowupRecord, MessageRecord, ThreadRows};
use crate::store::rows::message_record;

#[async_trait]
impl ThreadRows for SqliteBackend {
    async fn messages(&self, case_id: &str) -> Result<Vec<MessageRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, author, sent_on, sealed FROM messages WHERE case_id = ? ORDER BY seq",
        )
        .bind(case_id)
        .fetch_all(&self.readers)
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
        let case_id = case_id.to_owned();
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, bool> {
                Box::pin(async move {
                    let done = sqlx::query(
                        "INSERT INTO messages (case_id, author, sent_on, sealed) \
                         SELECT id, ?, ?, ? FROM cases WHERE id = ?",
                    )
                    .bind(author.code())
                    .bind(day(sent_on))
                    .bind(&sealed)
                    .bind(&case_id)
                    .execute(&mut *conn)
                    .await?;
                    Ok(done.rows_affected() == 1)
                })
            })
            .await
    }

    async fn followup(
        &self,
        receipt: &ReceiptHash,
        today: NaiveDate,
    ) -> Result<FollowupRecord, StoreError> {
        self.lookups.followup(receipt, today).await
    }
}
