//! The follow-up threads on SQLite (the submitter's and each added party's), and what a receipt opens: answered by the gathered look-ups
//! (`lookups.rs`), one statement for many receipts at once. It must not give a wrong receipt
//! a path of its own: right and wrong receipts are read the same way.

use async_trait::async_trait;
use chrono::NaiveDate;
use sqlx::SqliteConnection;

use super::rows::day;
use super::{Job, SqliteBackend};
use crate::crypto::ReceiptHash;
use crate::store::StoreError;
use crate::store::backend::{FollowupRecord, MessageRecord, NewMessage, ThreadRows};
use crate::store::rows::{MESSAGE_COLUMNS, message_record};

#[async_trait]
impl ThreadRows for SqliteBackend {
    async fn messages(&self, case_id: &str) -> Result<Vec<MessageRecord>, StoreError> {
        let sql = format!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE case_id = ? ORDER BY seq");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(case_id)
            .fetch_all(&self.readers)
            .await?;
        Ok(rows.iter().map(message_record).collect::<Result<_, _>>()?)
    }

    async fn thread(
        &self,
        case_id: &str,
        party: Option<&str>,
    ) -> Result<Vec<MessageRecord>, StoreError> {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE case_id = ? AND +party_id IS ? \
             ORDER BY seq"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(case_id)
            .bind(party)
            .fetch_all(&self.readers)
            .await?;
        Ok(rows.iter().map(message_record).collect::<Result<_, _>>()?)
    }

    async fn mark_messages_opened(&self, seqs: &[i64]) -> Result<(), StoreError> {
        let seqs = serde_json::to_string(seqs).map_err(|e| StoreError::Database(e.to_string()))?;
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, ()> {
                Box::pin(async move {
                    sqlx::query(
                        "UPDATE messages SET opened = 1 WHERE opened = 0 \
                         AND seq IN (SELECT value FROM json_each(?))",
                    )
                    .bind(&seqs)
                    .execute(&mut *conn)
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    async fn insert_message(&self, case_id: &str, message: NewMessage) -> Result<bool, StoreError> {
        let case_id = case_id.to_owned();
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, bool> {
                Box::pin(async move {
                    // A party's thread takes only a party of the same case.
                    let done = sqlx::query(
                        "INSERT INTO messages \
                         (case_id, party_id, author, sent_on, sealed, sealed_author) \
                         SELECT c.id, ?1, ?2, ?3, ?4, ?6 FROM cases c WHERE c.id = ?5 \
                         AND (?1 IS NULL OR EXISTS \
                           (SELECT 1 FROM parties p WHERE p.id = ?1 AND p.case_id = c.id))",
                    )
                    .bind(&message.party)
                    .bind(message.author.code())
                    .bind(day(message.sent_on))
                    .bind(&message.sealed)
                    .bind(&case_id)
                    .bind(&message.sealed_author)
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
