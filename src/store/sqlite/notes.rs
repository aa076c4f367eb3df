//! Working notes and commitments on SQLite, read with their day keys from the attached key
//! store. Writes go through the writer; a note is only ever added to a case that exists. It
//! must not decide when a note expires: the day comes sealed into the note from above.

use async_trait::async_trait;
use chrono::NaiveDate;
use sqlx::SqliteConnection;

use super::rows::{day, note_with_day_key};
use super::{Job, SqliteBackend};
use crate::store::StoreError;
use crate::store::backend::{DueCommitment, NoteRecord, NoteRows};
use crate::store::rows::{Columns, NOTE_COLUMNS};

#[async_trait]
impl NoteRows for SqliteBackend {
    async fn notes(&self, case_id: &str, today: NaiveDate) -> Result<Vec<NoteRecord>, StoreError> {
        let sql = format!(
            "SELECT {NOTE_COLUMNS}, d.wrapped AS day_wrapped FROM notes n \
             LEFT JOIN keystore.day_keys d ON d.day = n.expires_on \
             WHERE n.case_id = ? AND n.expires_on > ? ORDER BY n.seq"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(case_id)
            .bind(day(today))
            .fetch_all(&self.readers)
            .await?;
        Ok(rows
            .iter()
            .map(note_with_day_key)
            .collect::<Result<_, _>>()?)
    }

    async fn insert_note(&self, note: NoteRecord) -> Result<bool, StoreError> {
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, bool> {
                Box::pin(async move {
                    let done = sqlx::query(
                        "INSERT INTO notes \
                         (id, case_id, kind, due_on, expires_on, written_on, done, sealed, \
                          sealed_author) \
                         SELECT ?, id, ?, ?, ?, ?, 0, ?, ? FROM cases WHERE id = ?",
                    )
                    .bind(&note.id)
                    .bind(note.kind.code())
                    .bind(note.due_on.map(day))
                    .bind(day(note.expires_on))
                    .bind(day(note.written_on))
                    .bind(&note.sealed)
                    .bind(&note.sealed_author)
                    .bind(&note.case_id)
                    .execute(&mut *conn)
                    .await?;
                    Ok(done.rows_affected() == 1)
                })
            })
            .await
    }

    async fn set_note_done(
        &self,
        case_id: &str,
        note_id: &str,
        done: bool,
        today: NaiveDate,
    ) -> Result<bool, StoreError> {
        let (case_id, note_id) = (case_id.to_owned(), note_id.to_owned());
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, bool> {
                Box::pin(async move {
                    let changed = sqlx::query(
                        "UPDATE notes SET done = ? WHERE id = ? AND case_id = ? AND expires_on > ?",
                    )
                    .bind(done)
                    .bind(&note_id)
                    .bind(&case_id)
                    .bind(day(today))
                    .execute(&mut *conn)
                    .await?;
                    Ok(changed.rows_affected() == 1)
                })
            })
            .await
    }

    async fn delete_note(&self, case_id: &str, note_id: &str) -> Result<bool, StoreError> {
        let (case_id, note_id) = (case_id.to_owned(), note_id.to_owned());
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, bool> {
                Box::pin(async move {
                    let deleted = sqlx::query("DELETE FROM notes WHERE id = ? AND case_id = ?")
                        .bind(&note_id)
                        .bind(&case_id)
                        .execute(&mut *conn)
                        .await?;
                    Ok(deleted.rows_affected() == 1)
                })
            })
            .await
    }

    async fn commitments_due(
        &self,
        today: NaiveDate,
        until: NaiveDate,
    ) -> Result<Vec<DueCommitment>, StoreError> {
        let sql = format!(
            "SELECT {NOTE_COLUMNS}, k.wrapped, d.wrapped AS day_wrapped \
             FROM notes n JOIN cases c ON c.id = n.case_id \
             JOIN keystore.content_keys k ON k.id = c.key_id \
             LEFT JOIN keystore.day_keys d ON d.day = n.expires_on \
             WHERE n.kind = 'commitment' AND n.done = 0 AND n.expires_on > ? AND n.due_on <= ? \
             ORDER BY n.due_on, n.seq"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(day(today))
            .bind(day(until))
            .fetch_all(&self.readers)
            .await?;
        rows.iter()
            .map(|row| {
                Ok(DueCommitment {
                    note: note_with_day_key(row)?,
                    wrapped_key: row.bytes("wrapped")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }
}
