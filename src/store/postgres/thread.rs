//! The follow-up threads on PostgreSQL (the submitter's and each added party's). What a receipt opens is the interface's default: the
//! letters, the case and its thread, asked in turn. It must not read the key store: messages
//! are sealed to their case's key, which the case's own read brings.

use super::{PostgresBackend, inserted};
use crate::store::StoreError;
use crate::store::backend::{MessageRecord, NewMessage, ThreadRows};
use crate::store::rows::{MESSAGE_COLUMNS, message_record};
use async_trait::async_trait;

#[async_trait]
impl ThreadRows for PostgresBackend {
    async fn messages(&self, case_id: &str) -> Result<Vec<MessageRecord>, StoreError> {
        let sql = format!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE case_id = $1 ORDER BY seq");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(case_id)
            .fetch_all(&self.main)
            .await?;
        Ok(rows.iter().map(message_record).collect::<Result<_, _>>()?)
    }

    async fn thread(
        &self,
        case_id: &str,
        party: Option<&str>,
    ) -> Result<Vec<MessageRecord>, StoreError> {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages \
             WHERE case_id = $1 AND party_id IS NOT DISTINCT FROM $2 ORDER BY seq"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(case_id)
            .bind(party)
            .fetch_all(&self.main)
            .await?;
        Ok(rows.iter().map(message_record).collect::<Result<_, _>>()?)
    }

    async fn mark_messages_opened(&self, seqs: &[i64]) -> Result<(), StoreError> {
        sqlx::query("UPDATE messages SET opened = true WHERE NOT opened AND seq = ANY($1)")
            .bind(seqs)
            .execute(&self.main)
            .await?;
        Ok(())
    }

    async fn insert_message(&self, case_id: &str, message: NewMessage) -> Result<bool, StoreError> {
        // A party's thread takes only a party of the same case.
        inserted(
            sqlx::query(
                "INSERT INTO messages (case_id, party_id, author, sent_on, sealed, sealed_author) \
                 SELECT c.id, $5::text, $1, $2, $3, $6 FROM cases c WHERE c.id = $4 \
                 AND ($5::text IS NULL OR EXISTS \
                   (SELECT 1 FROM parties p WHERE p.id = $5::text AND p.case_id = c.id))",
            )
            .bind(message.author.code())
            .bind(message.sent_on)
            .bind(&message.sealed)
            .bind(case_id)
            .bind(&message.party)
            .bind(&message.sealed_author)
            .execute(&self.main)
            .await,
        )
    }
}
