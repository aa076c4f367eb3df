//! Every query of the PostgreSQL engine: the [`Backend`] implementation. Each write to one
//! database is one transaction (or one statement); reads that need a key read the main
//! database first and the key store second, so that a case destroyed in between reads as gone.
//!
//! Writes that touch both databases are ordered, never atomic:
//! - storing content sealed to a new key (a case, a letter): the key first, marked pending;
//!   then the content; then the pending mark is cleared. A failure in between leaves a key
//!   that nothing uses, which is removed at once or, after a crash, by the sweeper.
//! - destroying content and its key (closing a case, an expired letter): the content first,
//!   then the key. A crash in between leaves the key alone, which the sweeper removes; never
//!   content whose key is gone while the content stays.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::NaiveDate;
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};

use super::{FOREIGN_KEY_VIOLATION, PostgresBackend, UNIQUE_VIOLATION, is_sqlstate};
use crate::crypto::ReceiptHash;
use crate::domain::account::{Role, Throttle};
use crate::domain::case::{
    Author, CaseDate, CaseStatus, Channel, LetterKind, Service, services_from_codes,
    services_to_codes,
};
use crate::domain::concern::{Category, RaisedBy};
use crate::domain::notes::NoteKind;
use crate::domain::retention::RetentionClass;
use crate::store::StoreError;
use crate::store::backend::{
    Backend, CaseListing, CaseRecord, CorrectionRecord, DueCommitment, EnrolmentRecord, Holding,
    LetterQuery, LetterRecord, MessageRecord, NewCase, NoteRecord, SealedCase, SealedLetter,
    SessionRecord, SessionWithUser, SweepCutoffs, SweepReport, UserRecord,
};

const CASE_COLUMNS: &str = "c.id, c.status, c.channel, c.category, c.raised_by, c.first_contact, \
     c.opened_on, c.termination_date, c.services, c.receipt_hash IS NOT NULL AS has_receipt, \
     c.recipient, c.key_id";

const NOTE_COLUMNS: &str =
    "n.id, n.case_id, n.kind, n.due_on, n.expires_on, n.written_on, n.done, n.sealed";

fn bad(column: &str, value: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("unexpected value {value:?} in column {column}").into())
}

fn code<T>(row: &PgRow, column: &str, parse: fn(&str) -> Option<T>) -> Result<T, sqlx::Error> {
    let text: String = row.try_get(column)?;
    parse(&text).ok_or_else(|| bad(column, &text))
}

fn hash32(row: &PgRow, column: &str) -> Result<[u8; 32], sqlx::Error> {
    let bytes: Vec<u8> = row.try_get(column)?;
    bytes
        .as_slice()
        .try_into()
        .map_err(|_| bad(column, "a hash of the wrong length"))
}

fn count(row: &PgRow, column: &str) -> Result<u64, sqlx::Error> {
    let n: i64 = row.try_get(column)?;
    Ok(u64::try_from(n).unwrap_or(0))
}

fn case_record(row: &PgRow) -> Result<CaseRecord, sqlx::Error> {
    let services: String = row.try_get("services")?;
    Ok(CaseRecord {
        id: row.try_get("id")?,
        status: code(row, "status", CaseStatus::from_code)?,
        channel: code(row, "channel", Channel::from_code)?,
        category: code(row, "category", Category::from_code)?,
        raised_by: code(row, "raised_by", RaisedBy::from_code)?,
        first_contact: row.try_get("first_contact")?,
        opened_on: row.try_get("opened_on")?,
        termination_date: row.try_get("termination_date")?,
        services: services_from_codes(&services),
        has_receipt: row.try_get("has_receipt")?,
        recipient: row.try_get("recipient")?,
        key_id: row.try_get("key_id")?,
    })
}

fn note_record(row: &PgRow) -> Result<NoteRecord, sqlx::Error> {
    Ok(NoteRecord {
        id: row.try_get("id")?,
        case_id: row.try_get("case_id")?,
        kind: code(row, "kind", NoteKind::from_code)?,
        due_on: row.try_get("due_on")?,
        expires_on: row.try_get("expires_on")?,
        written_on: row.try_get("written_on")?,
        done: row.try_get("done")?,
        sealed: row.try_get("sealed")?,
        day_key: None,
    })
}

fn user_record(row: &PgRow) -> Result<UserRecord, sqlx::Error> {
    Ok(UserRecord {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        role: code(row, "role", Role::from_code)?,
        password_hash: row.try_get("password_hash")?,
        totp_sealed: row.try_get("totp_sealed")?,
        totp_last_step: row.try_get("totp_last_step")?,
        disabled: row.try_get("disabled")?,
    })
}

/// Reads the wrapped content keys with ids `ids` from the key store.
async fn content_keys(
    keys: &PgPool,
    ids: Vec<String>,
) -> Result<HashMap<String, Vec<u8>>, StoreError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(String, Vec<u8>)> =
        sqlx::query_as("SELECT id, wrapped FROM content_keys WHERE id = ANY($1)")
            .bind(ids)
            .fetch_all(keys)
            .await?;
    Ok(rows.into_iter().collect())
}

/// Reads the wrapped keys of expiry days `days` from the key store.
async fn day_keys(
    keys: &PgPool,
    mut days: Vec<NaiveDate>,
) -> Result<HashMap<NaiveDate, Vec<u8>>, StoreError> {
    days.sort_unstable();
    days.dedup();
    if days.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(NaiveDate, Vec<u8>)> =
        sqlx::query_as("SELECT day, wrapped FROM day_keys WHERE day = ANY($1)")
            .bind(days)
            .fetch_all(keys)
            .await?;
    Ok(rows.into_iter().collect())
}

impl PostgresBackend {
    /// Stores a wrapped key, marked pending until the content sealed to it is stored.
    async fn insert_pending_key(&self, id: &str, wrapped: &[u8]) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO content_keys (id, wrapped, pending_on) VALUES ($1, $2, CURRENT_DATE)",
        )
        .bind(id)
        .bind(wrapped)
        .execute(&self.keys)
        .await?;
        Ok(())
    }

    /// The content sealed to key `id` is stored: the key is no longer pending.
    async fn settle_key(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE content_keys SET pending_on = NULL WHERE id = $1")
            .bind(id)
            .execute(&self.keys)
            .await?;
        Ok(())
    }

    /// Destroys content keys; used after the content sealed to them is gone (or never stored).
    pub(super) async fn destroy_keys(&self, ids: &[String]) -> Result<u64, StoreError> {
        if ids.is_empty() {
            return Ok(0);
        }
        Ok(sqlx::query("DELETE FROM content_keys WHERE id = ANY($1)")
            .bind(ids)
            .execute(&self.keys)
            .await?
            .rows_affected())
    }

    /// Removes a key whose content could not be stored. If that fails too, the key stays
    /// pending and the sweeper removes it once it is old enough.
    async fn abandon_key(&self, id: &str) {
        if let Err(e) = self.destroy_keys(&[id.to_owned()]).await {
            tracing::warn!("removing an unused key failed: {e}; the sweeper will remove it");
        }
    }

    /// Reads one case and then its key.
    async fn sealed_case(
        &self,
        filter: &str,
        bind: SealedCaseBy<'_>,
    ) -> Result<Option<SealedCase>, StoreError> {
        let sql = format!("SELECT {CASE_COLUMNS}, c.sealed FROM cases c WHERE {filter}");
        let query = sqlx::query(sqlx::AssertSqlSafe(sql));
        let query = match bind {
            SealedCaseBy::Id(id) => query.bind(id.to_owned()),
            SealedCaseBy::Receipt(hash) => query.bind(hash.0.to_vec()),
        };
        let Some(row) = query.fetch_optional(&self.main).await? else {
            return Ok(None);
        };
        let record = case_record(&row)?;
        let sealed: Vec<u8> = row.try_get("sealed")?;
        let mut keys = content_keys(&self.keys, vec![record.key_id.clone()]).await?;
        Ok(Some(SealedCase {
            wrapped_key: keys.remove(&record.key_id),
            record,
            sealed,
        }))
    }

    /// Runs `insert` (which stores content sealed to key `key_id`) between storing the key and
    /// settling it. `insert` answers whether the content was stored (false: no such case).
    async fn with_new_key<F>(
        &self,
        key_id: &str,
        wrapped: &[u8],
        insert: F,
    ) -> Result<bool, StoreError>
    where
        F: std::future::Future<Output = Result<bool, sqlx::Error>>,
    {
        self.insert_pending_key(key_id, wrapped).await?;
        match insert.await {
            Ok(true) => {
                // The content is stored and acknowledged from here on. If settling fails, the
                // key stays pending but in use, which the sweeper never removes.
                if let Err(e) = self.settle_key(key_id).await {
                    tracing::warn!("marking a key in use failed: {e}; it is kept all the same");
                }
                Ok(true)
            }
            Ok(false) => {
                self.abandon_key(key_id).await;
                Ok(false)
            }
            Err(e) if is_sqlstate(&e, FOREIGN_KEY_VIOLATION) => {
                self.abandon_key(key_id).await;
                Ok(false)
            }
            Err(e) => {
                self.abandon_key(key_id).await;
                Err(e.into())
            }
        }
    }
}

/// How [`PostgresBackend::sealed_case`] finds its case.
enum SealedCaseBy<'a> {
    Id(&'a str),
    Receipt(&'a ReceiptHash),
}

/// A row insert that may find its case destroyed meanwhile: a foreign key violation then means
/// "no such case", as a missing row does.
fn inserted(
    result: Result<sqlx::postgres::PgQueryResult, sqlx::Error>,
) -> Result<bool, StoreError> {
    match result {
        Ok(done) => Ok(done.rows_affected() == 1),
        Err(e) if is_sqlstate(&e, FOREIGN_KEY_VIOLATION) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

#[async_trait]
impl Backend for PostgresBackend {
    async fn insert_case(&self, case: NewCase) -> Result<(), StoreError> {
        let r = &case.record;
        let insert = async {
            sqlx::query(
                "INSERT INTO cases (id, status, channel, category, raised_by, first_contact, \
                 opened_on, termination_date, services, receipt_hash, recipient, key_id, sealed) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            )
            .bind(&r.id)
            .bind(r.status.code())
            .bind(r.channel.code())
            .bind(r.category.code())
            .bind(r.raised_by.code())
            .bind(r.first_contact)
            .bind(r.opened_on)
            .bind(r.termination_date)
            .bind(services_to_codes(&r.services))
            .bind(case.receipt_hash.as_ref().map(|h| h.0.to_vec()))
            .bind(&r.recipient)
            .bind(&r.key_id)
            .bind(&case.sealed)
            .execute(&self.main)
            .await?;
            Ok(true)
        };
        self.with_new_key(&r.key_id, &case.wrapped_key, insert)
            .await
            .map(|_| ())
    }

    async fn list_cases(&self, today: NaiveDate) -> Result<Vec<CaseListing>, StoreError> {
        let sql = format!(
            "SELECT {CASE_COLUMNS}, \
               (SELECT m.author FROM messages m WHERE m.case_id = c.id \
                ORDER BY m.seq DESC LIMIT 1) AS last_author, \
               (SELECT count(*) FROM notes n WHERE n.case_id = c.id AND n.kind = 'commitment' \
                AND NOT n.done AND n.expires_on > $1) AS open_commitments \
             FROM cases c ORDER BY c.first_contact DESC, c.id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(today)
            .fetch_all(&self.main)
            .await?;
        rows.iter()
            .map(|row| {
                let last_author: Option<String> = row.try_get("last_author")?;
                let open = count(row, "open_commitments")?;
                Ok(CaseListing {
                    record: case_record(row)?,
                    awaiting_reply: last_author.as_deref() == Some(Author::Submitter.code()),
                    open_commitments: u32::try_from(open).unwrap_or(u32::MAX),
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    async fn case(&self, id: &str) -> Result<Option<SealedCase>, StoreError> {
        self.sealed_case("c.id = $1", SealedCaseBy::Id(id)).await
    }

    async fn case_by_receipt(
        &self,
        receipt: &ReceiptHash,
    ) -> Result<Option<SealedCase>, StoreError> {
        self.sealed_case("c.receipt_hash = $1", SealedCaseBy::Receipt(receipt))
            .await
    }

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

    async fn open_case(&self, id: &str, today: NaiveDate) -> Result<bool, StoreError> {
        let exists: Option<bool> = sqlx::query_scalar(
            "WITH opened AS (UPDATE cases SET status = 'open', opened_on = $1 \
                             WHERE id = $2 AND status = 'new' RETURNING id) \
             SELECT true FROM cases WHERE id = $2 UNION ALL SELECT true FROM opened LIMIT 1",
        )
        .bind(today)
        .bind(id)
        .fetch_optional(&self.main)
        .await?;
        Ok(exists.is_some())
    }

    async fn set_services(&self, id: &str, services: &[Service]) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE cases SET services = $1 WHERE id = $2")
            .bind(services_to_codes(services))
            .bind(id)
            .execute(&self.main)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn insert_note(&self, note: NoteRecord) -> Result<bool, StoreError> {
        inserted(
            sqlx::query(
                "INSERT INTO notes (id, case_id, kind, due_on, expires_on, written_on, done, sealed) \
                 SELECT $1, id, $2, $3, $4, $5, false, $6 FROM cases WHERE id = $7",
            )
            .bind(&note.id)
            .bind(note.kind.code())
            .bind(note.due_on)
            .bind(note.expires_on)
            .bind(note.written_on)
            .bind(&note.sealed)
            .bind(&note.case_id)
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
            .map(|row| Ok((note_record(row)?, row.try_get::<String, _>("key_id")?)))
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

    async fn set_case_date(
        &self,
        case_id: &str,
        field: CaseDate,
        date: NaiveDate,
        correction: Option<CorrectionRecord>,
    ) -> Result<bool, StoreError> {
        let sql = match field {
            CaseDate::FirstContact => "UPDATE cases SET first_contact = $1 WHERE id = $2",
            CaseDate::Termination => "UPDATE cases SET termination_date = $1 WHERE id = $2",
        };
        let mut tx = self.main.begin().await?;
        let changed = sqlx::query(sql)
            .bind(date)
            .bind(case_id)
            .execute(&mut *tx)
            .await?;
        if changed.rows_affected() == 0 {
            return Ok(false);
        }
        if let Some(c) = correction {
            sqlx::query(
                "INSERT INTO date_corrections \
                 (case_id, field, old_date, new_date, corrected_on, sealed_reason) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(case_id)
            .bind(c.field.code())
            .bind(c.old_date)
            .bind(c.new_date)
            .bind(c.corrected_on)
            .bind(&c.sealed_reason)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn corrections(&self, case_id: &str) -> Result<Vec<CorrectionRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT field, old_date, new_date, corrected_on, sealed_reason FROM date_corrections \
             WHERE case_id = $1 ORDER BY seq",
        )
        .bind(case_id)
        .fetch_all(&self.main)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(CorrectionRecord {
                    field: code(row, "field", CaseDate::from_code)?,
                    old_date: row.try_get("old_date")?,
                    new_date: row.try_get("new_date")?,
                    corrected_on: row.try_get("corrected_on")?,
                    sealed_reason: row.try_get("sealed_reason")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

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
            "SELECT l.id, l.case_id, l.kind, l.dated, l.expires_on, l.key_id, l.sealed_html, \
             l.sealed_text FROM letters l \
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
            .map(|row| {
                Ok(LetterRecord {
                    id: row.try_get("id")?,
                    case_id: row.try_get("case_id")?,
                    kind: code(row, "kind", LetterKind::from_code)?,
                    dated: row.try_get("dated")?,
                    expires_on: row.try_get("expires_on")?,
                    key_id: row.try_get("key_id")?,
                    sealed_html: row.try_get("sealed_html")?,
                    sealed_text: row.try_get("sealed_text")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
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

    async fn destroy_case(
        &self,
        id: &str,
        counters: Vec<(String, String)>,
    ) -> Result<Option<CaseRecord>, StoreError> {
        // One transaction on the main database: the case goes (its notes, thread and
        // corrections with it; its letters stay, without it) and the counters go up. Only one
        // of several processes closing the same case at once gets the row back.
        let mut tx = self.main.begin().await?;
        let sql = format!("DELETE FROM cases c WHERE c.id = $1 RETURNING {CASE_COLUMNS}");
        let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
        else {
            return Ok(None);
        };
        let record = case_record(&row)?;
        for (key, month) in &counters {
            sqlx::query(
                "INSERT INTO trend_counters (key, month, count) VALUES ($1, $2, 1) \
                 ON CONFLICT (key) DO UPDATE SET count = trend_counters.count + 1",
            )
            .bind(key)
            .bind(month)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        // Then the key. If this fails or the process dies first, the key is an orphan that
        // the sweeper destroys; the content it opened is already gone.
        if let Err(e) = self
            .destroy_keys(std::slice::from_ref(&record.key_id))
            .await
        {
            tracing::warn!("destroying a closed case's key failed: {e}; the sweeper will");
        }
        self.vacuum_after_closing().await;
        Ok(Some(record))
    }

    async fn trend_counters(
        &self,
        first: &str,
        last: &str,
    ) -> Result<Vec<(String, u64)>, StoreError> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT key, count FROM trend_counters WHERE month BETWEEN $1 AND $2 ORDER BY key",
        )
        .bind(first)
        .bind(last)
        .fetch_all(&self.main)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(key, count)| (key, u64::try_from(count).unwrap_or(0)))
            .collect())
    }

    async fn first_counter_month(&self) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar("SELECT min(month) FROM trend_counters")
            .fetch_one(&self.main)
            .await?)
    }

    async fn trend_release(&self, period: &str) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT release FROM trend_releases WHERE period = $1")
                .bind(period)
                .fetch_optional(&self.main)
                .await?,
        )
    }

    async fn freeze_trend_release(
        &self,
        period: &str,
        release: String,
    ) -> Result<String, StoreError> {
        sqlx::query(
            "INSERT INTO trend_releases (period, release) VALUES ($1, $2) \
             ON CONFLICT (period) DO NOTHING",
        )
        .bind(period)
        .bind(&release)
        .execute(&self.main)
        .await?;
        Ok(
            sqlx::query_scalar("SELECT release FROM trend_releases WHERE period = $1")
                .bind(period)
                .fetch_one(&self.main)
                .await?,
        )
    }

    async fn count_active_admins(&self) -> Result<u64, StoreError> {
        let count: i64 =
            sqlx::query_scalar("SELECT count(*) FROM users WHERE role = 'admin' AND NOT disabled")
                .fetch_one(&self.main)
                .await?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    async fn insert_enrolment(
        &self,
        enrolment: EnrolmentRecord,
        replace_setup: bool,
    ) -> Result<(), StoreError> {
        let mut tx = self.main.begin().await?;
        if replace_setup {
            sqlx::query("DELETE FROM enrolments WHERE username IS NULL")
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO enrolments (token_hash, username, role, totp_sealed, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(enrolment.token_hash.as_slice())
        .bind(&enrolment.username)
        .bind(enrolment.role.code())
        .bind(&enrolment.totp_sealed)
        .bind(enrolment.expires_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn enrolment(
        &self,
        token_hash: &[u8; 32],
    ) -> Result<Option<EnrolmentRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT token_hash, username, role, totp_sealed, expires_at FROM enrolments \
             WHERE token_hash = $1",
        )
        .bind(token_hash.as_slice())
        .fetch_optional(&self.main)
        .await?;
        let record = |row: &PgRow| -> Result<EnrolmentRecord, sqlx::Error> {
            Ok(EnrolmentRecord {
                token_hash: hash32(row, "token_hash")?,
                username: row.try_get("username")?,
                role: code(row, "role", Role::from_code)?,
                totp_sealed: row.try_get("totp_sealed")?,
                expires_at: row.try_get("expires_at")?,
            })
        };
        Ok(row.as_ref().map(record).transpose()?)
    }

    async fn complete_enrolment(
        &self,
        token_hash: &[u8; 32],
        user: UserRecord,
    ) -> Result<bool, StoreError> {
        let mut tx = self.main.begin().await?;
        // Locks the link: of two processes completing it at once, the second finds it gone.
        let Some(named) = sqlx::query_scalar::<_, Option<String>>(
            "SELECT username FROM enrolments WHERE token_hash = $1 FOR UPDATE",
        )
        .bind(token_hash.as_slice())
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Ok(false);
        };
        let existing: Option<String> =
            sqlx::query_scalar("SELECT id FROM users WHERE username = $1 FOR UPDATE")
                .bind(&user.username)
                .fetch_optional(&mut *tx)
                .await?;
        match (named, existing) {
            // A first-administrator link cannot take over an existing name.
            (None, Some(_)) => return Ok(false),
            // A link for an existing account replaces its credentials.
            (Some(_), Some(id)) => {
                sqlx::query(
                    "UPDATE users SET password_hash = $1, totp_sealed = $2, totp_last_step = 0, \
                     disabled = false WHERE id = $3",
                )
                .bind(&user.password_hash)
                .bind(&user.totp_sealed)
                .bind(&id)
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                    .bind(&id)
                    .execute(&mut *tx)
                    .await?;
            }
            (_, None) => {
                let created = sqlx::query(
                    "INSERT INTO users (id, username, role, password_hash, totp_sealed, \
                     totp_last_step, disabled) VALUES ($1, $2, $3, $4, $5, $6, false)",
                )
                .bind(&user.id)
                .bind(&user.username)
                .bind(user.role.code())
                .bind(&user.password_hash)
                .bind(&user.totp_sealed)
                .bind(user.totp_last_step)
                .execute(&mut *tx)
                .await;
                match created {
                    Ok(_) => {}
                    // Another process created that name a moment ago.
                    Err(e) if is_sqlstate(&e, UNIQUE_VIOLATION) => return Ok(false),
                    Err(e) => return Err(e.into()),
                }
            }
        }
        sqlx::query("DELETE FROM enrolments WHERE token_hash = $1")
            .bind(token_hash.as_slice())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn user_by_name(&self, username: &str) -> Result<Option<UserRecord>, StoreError> {
        let row = sqlx::query("SELECT * FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(&self.main)
            .await?;
        Ok(row.as_ref().map(user_record).transpose()?)
    }

    async fn users(&self) -> Result<Vec<UserRecord>, StoreError> {
        let rows = sqlx::query("SELECT * FROM users ORDER BY username")
            .fetch_all(&self.main)
            .await?;
        Ok(rows.iter().map(user_record).collect::<Result<_, _>>()?)
    }

    async fn set_disabled(&self, username: &str, disabled: bool) -> Result<bool, StoreError> {
        let mut tx = self.main.begin().await?;
        let changed = sqlx::query("UPDATE users SET disabled = $1 WHERE username = $2")
            .bind(disabled)
            .bind(username)
            .execute(&mut *tx)
            .await?;
        if disabled {
            sqlx::query(
                "DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE username = $1)",
            )
            .bind(username)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(changed.rows_affected() == 1)
    }

    async fn advance_totp_step(&self, user_id: &str, step: i64) -> Result<bool, StoreError> {
        // One statement: of two processes accepting the same code at once, one wins.
        let changed = sqlx::query(
            "UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1",
        )
        .bind(step)
        .bind(user_id)
        .execute(&self.main)
        .await?;
        Ok(changed.rows_affected() == 1)
    }

    async fn insert_session(&self, session: SessionRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, created_at, last_seen) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(session.token_hash.as_slice())
        .bind(&session.user_id)
        .bind(session.created_at)
        .bind(session.last_seen)
        .execute(&self.main)
        .await?;
        Ok(())
    }

    async fn session(&self, token_hash: &[u8; 32]) -> Result<Option<SessionWithUser>, StoreError> {
        let row = sqlx::query(
            "SELECT s.token_hash, s.user_id, s.created_at, s.last_seen, u.username, u.role, \
             u.disabled FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
        )
        .bind(token_hash.as_slice())
        .fetch_optional(&self.main)
        .await?;
        let record = |row: &PgRow| -> Result<SessionWithUser, sqlx::Error> {
            Ok(SessionWithUser {
                session: SessionRecord {
                    token_hash: hash32(row, "token_hash")?,
                    user_id: row.try_get("user_id")?,
                    created_at: row.try_get("created_at")?,
                    last_seen: row.try_get("last_seen")?,
                },
                username: row.try_get("username")?,
                role: code(row, "role", Role::from_code)?,
                disabled: row.try_get("disabled")?,
            })
        };
        Ok(row.as_ref().map(record).transpose()?)
    }

    async fn touch_session(&self, token_hash: &[u8; 32], now: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE sessions SET last_seen = $1 WHERE token_hash = $2")
            .bind(now)
            .bind(token_hash.as_slice())
            .execute(&self.main)
            .await?;
        Ok(())
    }

    async fn delete_session(&self, token_hash: &[u8; 32]) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash.as_slice())
            .execute(&self.main)
            .await?;
        Ok(())
    }

    async fn delete_sessions_of(&self, user_id: &str) -> Result<u64, StoreError> {
        Ok(sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&self.main)
            .await?
            .rows_affected())
    }

    async fn throttle(&self, key: &[u8; 32]) -> Result<Option<Throttle>, StoreError> {
        let row = sqlx::query(
            "SELECT failures, window_start, blocked_until FROM signin_throttle WHERE key = $1",
        )
        .bind(key.as_slice())
        .fetch_optional(&self.main)
        .await?;
        let record = |row: &PgRow| -> Result<Throttle, sqlx::Error> {
            let failures: i64 = row.try_get("failures")?;
            Ok(Throttle {
                failures: u32::try_from(failures).unwrap_or(u32::MAX),
                window_start: row.try_get("window_start")?,
                blocked_until: row.try_get("blocked_until")?,
            })
        };
        Ok(row.as_ref().map(record).transpose()?)
    }

    async fn set_throttle(
        &self,
        key: &[u8; 32],
        state: Option<Throttle>,
    ) -> Result<(), StoreError> {
        match state {
            None => {
                sqlx::query("DELETE FROM signin_throttle WHERE key = $1")
                    .bind(key.as_slice())
                    .execute(&self.main)
                    .await?;
            }
            Some(t) => {
                sqlx::query(
                    "INSERT INTO signin_throttle (key, failures, window_start, blocked_until) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO UPDATE SET \
                     failures = excluded.failures, window_start = excluded.window_start, \
                     blocked_until = excluded.blocked_until",
                )
                .bind(key.as_slice())
                .bind(i64::from(t.failures))
                .bind(t.window_start)
                .bind(t.blocked_until)
                .execute(&self.main)
                .await?;
            }
        }
        Ok(())
    }

    async fn day_key(
        &self,
        day: NaiveDate,
        candidate: (String, Vec<u8>),
    ) -> Result<String, StoreError> {
        sqlx::query(
            "INSERT INTO day_keys (day, recipient, wrapped) VALUES ($1, $2, $3) \
             ON CONFLICT (day) DO NOTHING",
        )
        .bind(day)
        .bind(&candidate.0)
        .bind(&candidate.1)
        .execute(&self.keys)
        .await?;
        Ok(
            sqlx::query_scalar("SELECT recipient FROM day_keys WHERE day = $1")
                .bind(day)
                .fetch_one(&self.keys)
                .await?,
        )
    }

    async fn sweep_batch(&self, cutoffs: SweepCutoffs) -> Result<SweepReport, StoreError> {
        self.sweep(cutoffs).await
    }

    async fn checkpoint(&self) -> Result<(), StoreError> {
        self.vacuum_after_sweep().await
    }

    async fn lead_sweeping(&self) -> Result<bool, StoreError> {
        self.try_lead().await
    }

    async fn holdings(&self, _now: i64) -> Result<Vec<(RetentionClass, Holding)>, StoreError> {
        let by_date = |sql: &'static str| async move {
            let row = sqlx::query(sql).fetch_one(&self.main).await?;
            Ok::<_, sqlx::Error>(Holding {
                count: count(&row, "n")?,
                next_expiry: row.try_get("next")?,
                oldest: row.try_get("oldest")?,
            })
        };
        let by_time = |sql: &'static str| async move {
            let row = sqlx::query(sql).fetch_one(&self.main).await?;
            let to_date = |column: &str| -> Result<Option<NaiveDate>, sqlx::Error> {
                let secs: Option<i64> = row.try_get(column)?;
                Ok(secs
                    .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
                    .map(|t| t.date_naive()))
            };
            Ok::<_, sqlx::Error>(Holding {
                count: count(&row, "n")?,
                next_expiry: to_date("next")?,
                oldest: to_date("oldest")?,
            })
        };
        Ok(vec![
            (
                RetentionClass::Notes,
                by_date("SELECT count(*) AS n, min(expires_on) AS next, min(written_on) AS oldest FROM notes").await?,
            ),
            (
                RetentionClass::CaseContent,
                by_date("SELECT count(*) AS n, NULL::date AS next, min(first_contact) AS oldest FROM cases").await?,
            ),
            (
                RetentionClass::Threads,
                by_date("SELECT count(*) AS n, NULL::date AS next, min(sent_on) AS oldest FROM messages").await?,
            ),
            (
                RetentionClass::Letters,
                by_date("SELECT count(*) AS n, min(expires_on) AS next, min(dated) AS oldest FROM letters").await?,
            ),
            (
                RetentionClass::Sessions,
                by_time("SELECT count(*) AS n, NULL::bigint AS next, min(created_at) AS oldest FROM sessions").await?,
            ),
            (
                RetentionClass::Enrolments,
                by_time("SELECT count(*) AS n, min(expires_at) AS next, NULL::bigint AS oldest FROM enrolments").await?,
            ),
            (
                RetentionClass::Throttling,
                by_time("SELECT count(*) AS n, NULL::bigint AS next, min(window_start) AS oldest FROM signin_throttle").await?,
            ),
        ])
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.main).await?;
        sqlx::query("SELECT 1").execute(&self.keys).await?;
        Ok(())
    }

    fn pools(&self) -> Vec<crate::store::PoolUse> {
        [("main", &self.main), ("keys", &self.keys)]
            .into_iter()
            .map(|(name, pool)| crate::store::PoolUse {
                name,
                size: pool.size(),
                idle: u32::try_from(pool.num_idle()).unwrap_or(u32::MAX),
                max: pool.options().get_max_connections(),
            })
            .collect()
    }

    async fn close(&self) {
        self.release_lead().await;
        self.main.close().await;
        self.keys.close().await;
    }
}
