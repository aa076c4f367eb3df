//! Working notes and commitments on PostgreSQL: the notes from the main database, then their
//! day keys (and, for commitments coming due, their cases' keys) from the key store. It must not
//! decide when a note expires: the day comes sealed into the note from above.

use async_trait::async_trait;
use chrono::NaiveDate;

use super::keys::{content_keys, day_keys};
use super::{PostgresBackend, inserted};
use crate::store::StoreError;
use crate::store::backend::{DueCommitment, NoteRecord, NoteRows};
use crate::store::rows::{Columns, NOTE_COLUMNS, note_record};

#[async_trait]
impl NoteRows for PostgresBackend {
    async fn notes(&self, case_id: &str, today: NaiveDate) -> Result<Vec<NoteRecord>, StoreError> {
        let sql = format!(
            "SELECT {NOTE_COLUMNS} FROM notes n WHERE n.case_id = $1 AND n.expires_on > $2 \
             ORDER BY n.seq"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(case_id)
            .bind(today)
            .fetch_all(&self.main)
            .await?;
        let mut notes = rows
            .iter()
            .map(note_record)
            .collect::<Result<Vec<_>, _>>()?;
        let keys = day_keys(&self.keys, notes.iter().map(|n| n.expires_on).collect()).await?;
        for note in &mut notes {
            note.day_key = keys.get(&note.expires_on).cloned();
        }
        Ok(notes)
    }

    async fn insert_note(&self, note: NoteRecord) -> Result<bool, StoreError> {
        inserted(
            sqlx::query(
                "INSERT INTO notes \
                 (id, case_id, kind, due_on, expires_on, written_on, done, sealed, sealed_author) \
                 SELECT $1, id, $2, $3, $4, $5, false, $6, $8 FROM cases WHERE id = $7",
            )
            .bind(&note.id)
            .bind(note.kind.code())
            .bind(note.due_on)
            .bind(note.expires_on)
            .bind(note.written_on)
            .bind(&note.sealed)
            .bind(&note.case_id)
            .bind(&note.sealed_author)
            .execute(&self.main)
            .await,
        )
    }

    async fn set_note_done(
        &self,
        case_id: &str,
        note_id: &str,
        done: bool,
        today: NaiveDate,
    ) -> Result<bool, StoreError> {
        let changed = sqlx::query(
            "UPDATE notes SET done = $1 WHERE id = $2 AND case_id = $3 AND expires_on > $4",
        )
        .bind(done)
        .bind(note_id)
        .bind(case_id)
        .bind(today)
        .execute(&self.main)
        .await?;
        Ok(changed.rows_affected() == 1)
    }

    async fn delete_note(&self, case_id: &str, note_id: &str) -> Result<bool, StoreError> {
        let deleted = sqlx::query("DELETE FROM notes WHERE id = $1 AND case_id = $2")
            .bind(note_id)
            .bind(case_id)
            .execute(&self.main)
            .await?;
        Ok(deleted.rows_affected() == 1)
    }

    async fn commitments_due(
        &self,
        today: NaiveDate,
        until: NaiveDate,
    ) -> Result<Vec<DueCommitment>, StoreError> {
        let sql = format!(
            "SELECT {NOTE_COLUMNS}, c.key_id FROM notes n JOIN cases c ON c.id = n.case_id \
             WHERE n.kind = 'commitment' AND NOT n.done AND n.expires_on > $1 AND n.due_on <= $2 \
             ORDER BY n.due_on, n.seq"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(today)
            .bind(until)
            .fetch_all(&self.main)
            .await?;
        let notes = rows
            .iter()
            .map(|row| Ok((note_record(row)?, row.text("key_id")?)))
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let case_keys = content_keys(
            &self.keys,
            notes.iter().map(|(_, key_id)| key_id.clone()).collect(),
        )
        .await?;
        let days = day_keys(
            &self.keys,
            notes.iter().map(|(n, _)| n.expires_on).collect(),
        )
        .await?;
        // As in a join: a commitment whose case key is gone belongs to a destroyed case.
        Ok(notes
            .into_iter()
            .filter_map(|(mut note, key_id)| {
                let wrapped_key = case_keys.get(&key_id)?.clone();
                note.day_key = days.get(&note.expires_on).cloned();
                Some(DueCommitment { note, wrapped_key })
            })
            .collect())
    }
}
