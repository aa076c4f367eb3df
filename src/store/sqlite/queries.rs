//! Every query of the SQLite engine: the [`Backend`] implementation. Reads use the pool; every
//! write is a job for the group-committing writer.

use async_trait::async_trait;
use chrono::NaiveDate;
use futures_util::future::BoxFuture;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

use super::SqliteBackend;
use crate::crypto::ReceiptHash;
use crate::domain::account::{Role, Throttle};
use crate::domain::case::Service;
use crate::domain::case::{
    Author, CaseDate, CaseStatus, Channel, LetterKind, services_from_codes, services_to_codes,
};
use crate::domain::concern::{Category, RaisedBy};
use crate::domain::notes::NoteKind;
use crate::domain::retention::RetentionClass;
use crate::store::StoreError;
use crate::store::backend::{
    Backend, CaseListing, CaseRecord, CorrectionRecord, DueCommitment, EnrolmentRecord,
    FollowupRecord, Holding, LetterQuery, LetterRecord, MessageRecord, NewCase, NoteRecord,
    SealedCase, SealedLetter, SessionRecord, SessionWithUser, SweepCutoffs, SweepReport,
    UserRecord,
};

type Job<'c, T> = BoxFuture<'c, Result<T, sqlx::Error>>;

pub(super) const CASE_COLUMNS: &str = "c.id, c.status, c.channel, c.category, c.raised_by, c.first_contact, \
     c.opened_on, c.termination_date, c.services, c.receipt_hash IS NOT NULL AS has_receipt, c.recipient, c.key_id";

fn bad(column: &str, value: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("unexpected value {value:?} in column {column}").into())
}

fn code<T>(row: &SqliteRow, column: &str, parse: fn(&str) -> Option<T>) -> Result<T, sqlx::Error> {
    let text: String = row.try_get(column)?;
    parse(&text).ok_or_else(|| bad(column, &text))
}

fn date(row: &SqliteRow, column: &str) -> Result<NaiveDate, sqlx::Error> {
    let text: String = row.try_get(column)?;
    NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(|_| bad(column, &text))
}

fn optional_date(row: &SqliteRow, column: &str) -> Result<Option<NaiveDate>, sqlx::Error> {
    let text: Option<String> = row.try_get(column)?;
    text.map(|t| NaiveDate::parse_from_str(&t, "%Y-%m-%d").map_err(|_| bad(column, &t)))
        .transpose()
}

pub(super) fn day(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

fn hash32(row: &SqliteRow, column: &str) -> Result<[u8; 32], sqlx::Error> {
    let bytes: Vec<u8> = row.try_get(column)?;
    bytes
        .as_slice()
        .try_into()
        .map_err(|_| bad(column, "a hash of the wrong length"))
}

fn case_record(row: &SqliteRow) -> Result<CaseRecord, sqlx::Error> {
    let services: String = row.try_get("services")?;
    Ok(CaseRecord {
        id: row.try_get("id")?,
        status: code(row, "status", CaseStatus::from_code)?,
        channel: code(row, "channel", Channel::from_code)?,
        category: code(row, "category", Category::from_code)?,
        raised_by: code(row, "raised_by", RaisedBy::from_code)?,
        first_contact: date(row, "first_contact")?,
        opened_on: optional_date(row, "opened_on")?,
        termination_date: optional_date(row, "termination_date")?,
        services: services_from_codes(&services),
        has_receipt: row.try_get("has_receipt")?,
        recipient: row.try_get("recipient")?,
        key_id: row.try_get("key_id")?,
    })
}

pub(super) fn sealed_case(row: &SqliteRow) -> Result<SealedCase, sqlx::Error> {
    Ok(SealedCase {
        record: case_record(row)?,
        wrapped_key: row.try_get("wrapped")?,
        sealed: row.try_get("sealed")?,
    })
}

fn note_record(row: &SqliteRow) -> Result<NoteRecord, sqlx::Error> {
    Ok(NoteRecord {
        id: row.try_get("id")?,
        case_id: row.try_get("case_id")?,
        kind: code(row, "kind", NoteKind::from_code)?,
        due_on: optional_date(row, "due_on")?,
        expires_on: date(row, "expires_on")?,
        written_on: date(row, "written_on")?,
        done: row.try_get("done")?,
        sealed: row.try_get("sealed")?,
        day_key: row.try_get("day_wrapped")?,
    })
}

fn user_record(row: &SqliteRow) -> Result<UserRecord, sqlx::Error> {
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

const LETTER_COLUMNS: &str = "l.id, l.case_id, l.kind, l.dated, l.expires_on, l.key_id, \
     l.sealed_html, l.sealed_text, k.wrapped";

fn sealed_letter(row: &SqliteRow) -> Result<SealedLetter, sqlx::Error> {
    Ok(SealedLetter {
        record: LetterRecord {
            id: row.try_get("id")?,
            case_id: row.try_get("case_id")?,
            kind: code(row, "kind", LetterKind::from_code)?,
            dated: date(row, "dated")?,
            expires_on: date(row, "expires_on")?,
            key_id: row.try_get("key_id")?,
            sealed_html: row.try_get("sealed_html")?,
            sealed_text: row.try_get("sealed_text")?,
        },
        wrapped_key: row.try_get("wrapped")?,
    })
}

fn message_record(row: &SqliteRow) -> Result<MessageRecord, sqlx::Error> {
    Ok(MessageRecord {
        seq: row.try_get("seq")?,
        author: code(row, "author", Author::from_code)?,
        sent_on: date(row, "sent_on")?,
        sealed: row.try_get("sealed")?,
    })
}

/// Bytes that SQLite's `hex()` wrote.
fn unhex(column: &str, text: &str) -> Result<Vec<u8>, sqlx::Error> {
    data_encoding::HEXUPPER
        .decode(text.as_bytes())
        .map_err(|_| bad(column, "(not hex)"))
}

fn folded_date(column: &str, text: &str) -> Result<NaiveDate, sqlx::Error> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| bad(column, text))
}

fn folded<T: serde::de::DeserializeOwned>(column: &str, json: &str) -> Result<Vec<T>, sqlx::Error> {
    serde_json::from_str(json).map_err(|e| bad(column, &format!("(not the expected JSON: {e})")))
}

/// A thread folded by `json_group_array`: `[seq, author, sent_on, hex(sealed)]` per message.
pub(super) fn folded_thread(json: &str) -> Result<Vec<MessageRecord>, sqlx::Error> {
    folded::<(i64, String, String, String)>("thread", json)?
        .into_iter()
        .map(|(seq, author, sent_on, sealed)| {
            Ok(MessageRecord {
                seq,
                author: Author::from_code(&author).ok_or_else(|| bad("author", &author))?,
                sent_on: folded_date("sent_on", &sent_on)?,
                sealed: unhex("sealed", &sealed)?,
            })
        })
        .collect()
}

type FoldedLetter = (
    String,
    Option<String>,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
);

/// Letters folded by `json_group_array`, in [`LETTER_COLUMNS`] order with the bytes in hex.
pub(super) fn folded_letters(json: &str) -> Result<Vec<SealedLetter>, sqlx::Error> {
    folded::<FoldedLetter>("letters", json)?
        .into_iter()
        .map(
            |(id, case_id, kind, dated, expires_on, key_id, html, text, wrapped)| {
                Ok(SealedLetter {
                    record: LetterRecord {
                        id,
                        case_id,
                        kind: LetterKind::from_code(&kind).ok_or_else(|| bad("kind", &kind))?,
                        dated: folded_date("dated", &dated)?,
                        expires_on: folded_date("expires_on", &expires_on)?,
                        key_id,
                        sealed_html: unhex("sealed_html", &html)?,
                        sealed_text: unhex("sealed_text", &text)?,
                    },
                    wrapped_key: wrapped
                        .as_deref()
                        .map(|w| unhex("wrapped", w))
                        .transpose()?,
                })
            },
        )
        .collect()
}

fn sealed_case_query(filter: &str) -> String {
    format!(
        "SELECT {CASE_COLUMNS}, c.sealed, k.wrapped FROM cases c \
         LEFT JOIN keystore.content_keys k ON k.id = c.key_id WHERE {filter}"
    )
}

/// Rows per multi-row `INSERT` (13 parameters each, far below SQLite's limit).
pub(super) const INSERT_CHUNK: usize = 200;

/// Inserts the keys of new cases, one multi-row `INSERT` per chunk. The writer commits them
/// before the cases themselves (see `writer.rs`). Runs on the key writer's connection, whose
/// main database is the key store itself, so the table is named without a schema.
pub(super) async fn insert_case_keys(
    conn: &mut SqliteConnection,
    cases: &[&NewCase],
) -> Result<(), sqlx::Error> {
    for chunk in cases.chunks(INSERT_CHUNK) {
        let mut keys =
            sqlx::QueryBuilder::<sqlx::Sqlite>::new("INSERT INTO content_keys (id, wrapped) ");
        keys.push_values(chunk, |mut row, case| {
            row.push_bind(case.record.key_id.clone())
                .push_bind(case.wrapped_key.clone());
        });
        keys.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// Inserts new cases (their keys already stored) with one multi-row `INSERT` per chunk.
pub(super) async fn insert_cases(
    conn: &mut SqliteConnection,
    cases: &[Box<NewCase>],
) -> Result<(), sqlx::Error> {
    for chunk in cases.chunks(INSERT_CHUNK) {
        let mut rows = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "INSERT INTO cases (id, status, channel, category, raised_by, first_contact, opened_on, \
             termination_date, services, receipt_hash, recipient, key_id, sealed) ",
        );
        rows.push_values(chunk, |mut row, case| {
            let r = &case.record;
            row.push_bind(r.id.clone())
                .push_bind(r.status.code())
                .push_bind(r.channel.code())
                .push_bind(r.category.code())
                .push_bind(r.raised_by.code())
                .push_bind(day(r.first_contact))
                .push_bind(r.opened_on.map(day))
                .push_bind(r.termination_date.map(day))
                .push_bind(services_to_codes(&r.services))
                .push_bind(case.receipt_hash.map(|h| h.0.to_vec()))
                .push_bind(r.recipient.clone())
                .push_bind(r.key_id.clone())
                .push_bind(case.sealed.clone());
        });
        rows.build().execute(&mut *conn).await?;
    }
    Ok(())
}

#[async_trait]
impl Backend for SqliteBackend {
    async fn insert_case(&self, case: NewCase) -> Result<(), StoreError> {
        self.writer.insert_case(case).await
    }

    async fn list_cases(&self, today: NaiveDate) -> Result<Vec<CaseListing>, StoreError> {
        let sql = format!(
            "SELECT {CASE_COLUMNS}, \
               (SELECT m.author FROM messages m WHERE m.case_id = c.id \
                ORDER BY m.seq DESC LIMIT 1) AS last_author, \
               (SELECT count(*) FROM notes n WHERE n.case_id = c.id AND n.kind = 'commitment' \
                AND n.done = 0 AND n.expires_on > ?) AS open_commitments \
             FROM cases c ORDER BY c.first_contact DESC, c.id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(day(today))
            .fetch_all(&self.readers)
            .await?;
        rows.iter()
            .map(|row| {
                let last_author: Option<String> = row.try_get("last_author")?;
                let open: i64 = row.try_get("open_commitments")?;
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
        let row = sqlx::query(sqlx::AssertSqlSafe(sealed_case_query("c.id = ?")))
            .bind(id)
            .fetch_optional(&self.readers)
            .await?;
        Ok(row.as_ref().map(sealed_case).transpose()?)
    }

    async fn case_by_receipt(
        &self,
        receipt: &ReceiptHash,
    ) -> Result<Option<SealedCase>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(sealed_case_query("c.receipt_hash = ?")))
            .bind(receipt.0.as_slice())
            .fetch_optional(&self.readers)
            .await?;
        Ok(row.as_ref().map(sealed_case).transpose()?)
    }

    async fn notes(&self, case_id: &str, today: NaiveDate) -> Result<Vec<NoteRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT n.id, n.case_id, n.kind, n.due_on, n.expires_on, n.written_on, n.done, \
             n.sealed, d.wrapped AS day_wrapped FROM notes n \
             LEFT JOIN keystore.day_keys d ON d.day = n.expires_on \
             WHERE n.case_id = ? AND n.expires_on > ? ORDER BY n.seq",
        )
        .bind(case_id)
        .bind(day(today))
        .fetch_all(&self.readers)
        .await?;
        Ok(rows.iter().map(note_record).collect::<Result<_, _>>()?)
    }

    async fn messages(&self, case_id: &str) -> Result<Vec<MessageRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, author, sent_on, sealed FROM messages WHERE case_id = ? ORDER BY seq",
        )
        .bind(case_id)
        .fetch_all(&self.readers)
        .await?;
        Ok(rows.iter().map(message_record).collect::<Result<_, _>>()?)
    }

    async fn open_case(&self, id: &str, today: NaiveDate) -> Result<bool, StoreError> {
        let id = id.to_owned();
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, bool> {
                Box::pin(async move {
                    let exists = sqlx::query("SELECT 1 FROM cases WHERE id = ?")
                        .bind(&id)
                        .fetch_optional(&mut *conn)
                        .await?
                        .is_some();
                    sqlx::query(
                        "UPDATE cases SET status = 'open', opened_on = ? \
                         WHERE id = ? AND status = 'new'",
                    )
                    .bind(day(today))
                    .bind(&id)
                    .execute(&mut *conn)
                    .await?;
                    Ok(exists)
                })
            })
            .await
    }

    async fn set_services(&self, id: &str, services: &[Service]) -> Result<bool, StoreError> {
        let (id, codes) = (id.to_owned(), services_to_codes(services));
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, bool> {
                Box::pin(async move {
                    let done = sqlx::query("UPDATE cases SET services = ? WHERE id = ?")
                        .bind(&codes)
                        .bind(&id)
                        .execute(&mut *conn)
                        .await?;
                    Ok(done.rows_affected() == 1)
                })
            })
            .await
    }

    async fn insert_note(&self, note: NoteRecord) -> Result<bool, StoreError> {
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, bool> {
                Box::pin(async move {
                    let done = sqlx::query(
                        "INSERT INTO notes \
                         (id, case_id, kind, due_on, expires_on, written_on, done, sealed) \
                         SELECT ?, id, ?, ?, ?, ?, 0, ? FROM cases WHERE id = ?",
                    )
                    .bind(&note.id)
                    .bind(note.kind.code())
                    .bind(note.due_on.map(day))
                    .bind(day(note.expires_on))
                    .bind(day(note.written_on))
                    .bind(&note.sealed)
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

    async fn commitments_due(
        &self,
        today: NaiveDate,
        until: NaiveDate,
    ) -> Result<Vec<DueCommitment>, StoreError> {
        let rows = sqlx::query(
            "SELECT n.id, n.case_id, n.kind, n.due_on, n.expires_on, n.written_on, n.done, \
             n.sealed, k.wrapped, d.wrapped AS day_wrapped \
             FROM notes n JOIN cases c ON c.id = n.case_id \
             JOIN keystore.content_keys k ON k.id = c.key_id \
             LEFT JOIN keystore.day_keys d ON d.day = n.expires_on \
             WHERE n.kind = 'commitment' AND n.done = 0 AND n.expires_on > ? AND n.due_on <= ? \
             ORDER BY n.due_on, n.seq",
        )
        .bind(day(today))
        .bind(day(until))
        .fetch_all(&self.readers)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(DueCommitment {
                    note: note_record(row)?,
                    wrapped_key: row.try_get("wrapped")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    async fn set_case_date(
        &self,
        case_id: &str,
        field: CaseDate,
        date: NaiveDate,
        correction: Option<CorrectionRecord>,
    ) -> Result<bool, StoreError> {
        let case_id = case_id.to_owned();
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, bool> {
                Box::pin(async move {
                    let sql = match field {
                        CaseDate::FirstContact => "UPDATE cases SET first_contact = ? WHERE id = ?",
                        CaseDate::Termination => {
                            "UPDATE cases SET termination_date = ? WHERE id = ?"
                        }
                    };
                    let changed = sqlx::query(sql)
                        .bind(day(date))
                        .bind(&case_id)
                        .execute(&mut *conn)
                        .await?;
                    if changed.rows_affected() == 0 {
                        return Ok(false);
                    }
                    if let Some(c) = correction {
                        sqlx::query(
                            "INSERT INTO date_corrections \
                             (case_id, field, old_date, new_date, corrected_on, sealed_reason) \
                             VALUES (?, ?, ?, ?, ?, ?)",
                        )
                        .bind(&case_id)
                        .bind(c.field.code())
                        .bind(c.old_date.map(day))
                        .bind(day(c.new_date))
                        .bind(day(c.corrected_on))
                        .bind(&c.sealed_reason)
                        .execute(&mut *conn)
                        .await?;
                    }
                    Ok(true)
                })
            })
            .await
    }

    async fn corrections(&self, case_id: &str) -> Result<Vec<CorrectionRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT field, old_date, new_date, corrected_on, sealed_reason FROM date_corrections \
             WHERE case_id = ? ORDER BY seq",
        )
        .bind(case_id)
        .fetch_all(&self.readers)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(CorrectionRecord {
                    field: code(row, "field", CaseDate::from_code)?,
                    old_date: optional_date(row, "old_date")?,
                    new_date: date(row, "new_date")?,
                    corrected_on: date(row, "corrected_on")?,
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
        // The key is committed first, on its own: one transaction over both files is not
        // atomic across them (see `writer.rs`), and a letter must never outlive its key. The
        // letter's own write stores the key again if a sweep took it for an orphan meanwhile.
        let (key_id, key) = (letter.key_id.clone(), wrapped_key.clone());
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, ()> {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO keystore.content_keys (id, wrapped) VALUES (?, ?) \
                         ON CONFLICT (id) DO NOTHING",
                    )
                    .bind(&key_id)
                    .bind(&key)
                    .execute(&mut *conn)
                    .await?;
                    Ok(())
                })
            })
            .await?;
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, bool> {
                Box::pin(async move {
                    let inserted = sqlx::query(
                        "INSERT INTO letters (id, case_id, receipt_hash, kind, dated, expires_on, \
                         key_id, sealed_html, sealed_text) \
                         SELECT ?, id, receipt_hash, ?, ?, ?, ?, ?, ? FROM cases WHERE id = ?",
                    )
                    .bind(&letter.id)
                    .bind(letter.kind.code())
                    .bind(day(letter.dated))
                    .bind(day(letter.expires_on))
                    .bind(&letter.key_id)
                    .bind(&letter.sealed_html)
                    .bind(&letter.sealed_text)
                    .bind(&letter.case_id)
                    .execute(&mut *conn)
                    .await?;
                    if inserted.rows_affected() == 0 {
                        // No such case: the key stored above is an orphan the sweeper removes.
                        return Ok(false);
                    }
                    sqlx::query(
                        "INSERT INTO keystore.content_keys (id, wrapped) VALUES (?, ?) \
                         ON CONFLICT (id) DO NOTHING",
                    )
                    .bind(&letter.key_id)
                    .bind(&wrapped_key)
                    .execute(&mut *conn)
                    .await?;
                    Ok(true)
                })
            })
            .await
    }

    async fn letters(
        &self,
        of: LetterQuery<'_>,
        today: NaiveDate,
    ) -> Result<Vec<SealedLetter>, StoreError> {
        let filter = match of {
            LetterQuery::Case(_) => "l.case_id = ?",
            LetterQuery::Receipt(_) => "l.receipt_hash = ?",
            LetterQuery::Id(_) => "l.id = ?",
            LetterQuery::All => "1 = 1",
        };
        let sql = format!(
            "SELECT {LETTER_COLUMNS} FROM letters l \
             LEFT JOIN keystore.content_keys k ON k.id = l.key_id \
             WHERE {filter} AND l.expires_on > ? ORDER BY l.dated DESC, l.rowid DESC"
        );
        let query = sqlx::query(sqlx::AssertSqlSafe(sql));
        let query = match of {
            LetterQuery::Case(id) | LetterQuery::Id(id) => query.bind(id.to_owned()),
            LetterQuery::Receipt(hash) => query.bind(hash.0.to_vec()),
            LetterQuery::All => query,
        };
        let rows = query.bind(day(today)).fetch_all(&self.readers).await?;
        Ok(rows.iter().map(sealed_letter).collect::<Result<_, _>>()?)
    }

    async fn followup(
        &self,
        receipt: &ReceiptHash,
        today: NaiveDate,
    ) -> Result<FollowupRecord, StoreError> {
        self.lookups.followup(receipt, today).await
    }

    async fn destroy_case(
        &self,
        id: &str,
        counters: Vec<(String, String)>,
    ) -> Result<Option<CaseRecord>, StoreError> {
        let id = id.to_owned();
        let destroyed = self
            .writer
            .write(
                move |conn: &mut SqliteConnection| -> Job<'_, Option<CaseRecord>> {
                    Box::pin(async move {
                        let sql = format!("SELECT {CASE_COLUMNS} FROM cases c WHERE c.id = ?");
                        let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
                            .bind(&id)
                            .fetch_optional(&mut *conn)
                            .await?
                        else {
                            return Ok(None);
                        };
                        let record = case_record(&row)?;
                        // Notes and messages go with the case (ON DELETE CASCADE).
                        sqlx::query("DELETE FROM cases WHERE id = ?")
                            .bind(&id)
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("DELETE FROM keystore.content_keys WHERE id = ?")
                            .bind(&record.key_id)
                            .execute(&mut *conn)
                            .await?;
                        for (key, month) in &counters {
                            sqlx::query(
                                "INSERT INTO trend_counters (key, month, count) VALUES (?, ?, 1) \
                                 ON CONFLICT (key) DO UPDATE SET count = count + 1",
                            )
                            .bind(key)
                            .bind(month)
                            .execute(&mut *conn)
                            .await?;
                        }
                        Ok(Some(record))
                    })
                },
            )
            .await?;
        if destroyed.is_some() {
            // Old page images in the WAL still hold the ciphertext and the key; push them out.
            if let Err(e) = self.writer.checkpoint().await {
                tracing::warn!("after destroying a case: {e}; the next checkpoint will finish it");
            }
        }
        Ok(destroyed)
    }

    async fn trend_counters(
        &self,
        first: &str,
        last: &str,
    ) -> Result<Vec<(String, u64)>, StoreError> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT key, count FROM trend_counters WHERE month BETWEEN ? AND ? ORDER BY key",
        )
        .bind(first)
        .bind(last)
        .fetch_all(&self.readers)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(key, count)| (key, u64::try_from(count).unwrap_or(0)))
            .collect())
    }

    async fn first_counter_month(&self) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar("SELECT min(month) FROM trend_counters")
            .fetch_one(&self.readers)
            .await?)
    }

    async fn trend_release(&self, period: &str) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT release FROM trend_releases WHERE period = ?")
                .bind(period)
                .fetch_optional(&self.readers)
                .await?,
        )
    }

    async fn freeze_trend_release(
        &self,
        period: &str,
        release: String,
    ) -> Result<String, StoreError> {
        let period = period.to_owned();
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, String> {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO trend_releases (period, release) VALUES (?, ?) \
                         ON CONFLICT (period) DO NOTHING",
                    )
                    .bind(&period)
                    .bind(&release)
                    .execute(&mut *conn)
                    .await?;
                    sqlx::query_scalar("SELECT release FROM trend_releases WHERE period = ?")
                        .bind(&period)
                        .fetch_one(&mut *conn)
                        .await
                })
            })
            .await
    }

    async fn count_active_admins(&self) -> Result<u64, StoreError> {
        let count: i64 =
            sqlx::query_scalar("SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0")
                .fetch_one(&self.readers)
                .await?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    async fn insert_enrolment(
        &self,
        enrolment: EnrolmentRecord,
        replace_setup: bool,
    ) -> Result<(), StoreError> {
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, ()> {
                Box::pin(async move {
                    if replace_setup {
                        sqlx::query("DELETE FROM enrolments WHERE username IS NULL")
                            .execute(&mut *conn)
                            .await?;
                    }
                    sqlx::query(
                        "INSERT INTO enrolments (token_hash, username, role, totp_sealed, expires_at) \
                         VALUES (?, ?, ?, ?, ?)",
                    )
                    .bind(enrolment.token_hash.as_slice())
                    .bind(&enrolment.username)
                    .bind(enrolment.role.code())
                    .bind(&enrolment.totp_sealed)
                    .bind(enrolment.expires_at)
                    .execute(&mut *conn)
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    async fn enrolment(
        &self,
        token_hash: &[u8; 32],
    ) -> Result<Option<EnrolmentRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT token_hash, username, role, totp_sealed, expires_at FROM enrolments \
             WHERE token_hash = ?",
        )
        .bind(token_hash.as_slice())
        .fetch_optional(&self.readers)
        .await?;
        let record = |row: &SqliteRow| -> Result<EnrolmentRecord, sqlx::Error> {
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
        let token_hash = *token_hash;
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, bool> {
                Box::pin(async move {
                    let Some(row) = sqlx::query("SELECT username FROM enrolments WHERE token_hash = ?")
                        .bind(token_hash.as_slice())
                        .fetch_optional(&mut *conn)
                        .await?
                    else {
                        return Ok(false);
                    };
                    let named: Option<String> = row.try_get("username")?;
                    let existing: Option<String> =
                        sqlx::query_scalar("SELECT id FROM users WHERE username = ?")
                            .bind(&user.username)
                            .fetch_optional(&mut *conn)
                            .await?;
                    match (named, existing) {
                        // A first-administrator link cannot take over an existing name.
                        (None, Some(_)) => return Ok(false),
                        // A link for an existing account replaces its credentials.
                        (Some(_), Some(id)) => {
                            sqlx::query(
                                "UPDATE users SET password_hash = ?, totp_sealed = ?, \
                                 totp_last_step = 0, disabled = 0 WHERE id = ?",
                            )
                            .bind(&user.password_hash)
                            .bind(&user.totp_sealed)
                            .bind(&id)
                            .execute(&mut *conn)
                            .await?;
                            sqlx::query("DELETE FROM sessions WHERE user_id = ?")
                                .bind(&id)
                                .execute(&mut *conn)
                                .await?;
                        }
                        (_, None) => {
                            sqlx::query(
                                "INSERT INTO users (id, username, role, password_hash, totp_sealed, \
                                 totp_last_step, disabled) VALUES (?, ?, ?, ?, ?, ?, 0)",
                            )
                            .bind(&user.id)
                            .bind(&user.username)
                            .bind(user.role.code())
                            .bind(&user.password_hash)
                            .bind(&user.totp_sealed)
                            .bind(user.totp_last_step)
                            .execute(&mut *conn)
                            .await?;
                        }
                    }
                    sqlx::query("DELETE FROM enrolments WHERE token_hash = ?")
                        .bind(token_hash.as_slice())
                        .execute(&mut *conn)
                        .await?;
                    Ok(true)
                })
            })
            .await
    }

    async fn user_by_name(&self, username: &str) -> Result<Option<UserRecord>, StoreError> {
        let row = sqlx::query("SELECT * FROM users WHERE username = ?")
            .bind(username)
            .fetch_optional(&self.readers)
            .await?;
        Ok(row.as_ref().map(user_record).transpose()?)
    }

    async fn users(&self) -> Result<Vec<UserRecord>, StoreError> {
        let rows = sqlx::query("SELECT * FROM users ORDER BY username")
            .fetch_all(&self.readers)
            .await?;
        Ok(rows.iter().map(user_record).collect::<Result<_, _>>()?)
    }

    async fn set_disabled(&self, username: &str, disabled: bool) -> Result<bool, StoreError> {
        let username = username.to_owned();
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, bool> {
                Box::pin(async move {
                    let changed = sqlx::query("UPDATE users SET disabled = ? WHERE username = ?")
                        .bind(disabled)
                        .bind(&username)
                        .execute(&mut *conn)
                        .await?;
                    if disabled {
                        sqlx::query(
                            "DELETE FROM sessions WHERE user_id IN \
                             (SELECT id FROM users WHERE username = ?)",
                        )
                        .bind(&username)
                        .execute(&mut *conn)
                        .await?;
                    }
                    Ok(changed.rows_affected() == 1)
                })
            })
            .await
    }

    async fn advance_totp_step(&self, user_id: &str, step: i64) -> Result<bool, StoreError> {
        let user_id = user_id.to_owned();
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, bool> {
                Box::pin(async move {
                    let changed = sqlx::query(
                        "UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?",
                    )
                    .bind(step)
                    .bind(&user_id)
                    .bind(step)
                    .execute(&mut *conn)
                    .await?;
                    Ok(changed.rows_affected() == 1)
                })
            })
            .await
    }

    async fn insert_session(&self, session: SessionRecord) -> Result<(), StoreError> {
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, ()> {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO sessions (token_hash, user_id, created_at, last_seen) \
                         VALUES (?, ?, ?, ?)",
                    )
                    .bind(session.token_hash.as_slice())
                    .bind(&session.user_id)
                    .bind(session.created_at)
                    .bind(session.last_seen)
                    .execute(&mut *conn)
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    async fn session(&self, token_hash: &[u8; 32]) -> Result<Option<SessionWithUser>, StoreError> {
        let row = sqlx::query(
            "SELECT s.token_hash, s.user_id, s.created_at, s.last_seen, u.username, u.role, \
             u.disabled FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?",
        )
        .bind(token_hash.as_slice())
        .fetch_optional(&self.readers)
        .await?;
        let record = |row: &SqliteRow| -> Result<SessionWithUser, sqlx::Error> {
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
        let token_hash = *token_hash;
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, ()> {
                Box::pin(async move {
                    sqlx::query("UPDATE sessions SET last_seen = ? WHERE token_hash = ?")
                        .bind(now)
                        .bind(token_hash.as_slice())
                        .execute(&mut *conn)
                        .await?;
                    Ok(())
                })
            })
            .await
    }

    async fn delete_session(&self, token_hash: &[u8; 32]) -> Result<(), StoreError> {
        let token_hash = *token_hash;
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, ()> {
                Box::pin(async move {
                    sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
                        .bind(token_hash.as_slice())
                        .execute(&mut *conn)
                        .await?;
                    Ok(())
                })
            })
            .await
    }

    async fn delete_sessions_of(&self, user_id: &str) -> Result<u64, StoreError> {
        let user_id = user_id.to_owned();
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, u64> {
                Box::pin(async move {
                    let done = sqlx::query("DELETE FROM sessions WHERE user_id = ?")
                        .bind(&user_id)
                        .execute(&mut *conn)
                        .await?;
                    Ok(done.rows_affected())
                })
            })
            .await
    }

    async fn throttle(&self, key: &[u8; 32]) -> Result<Option<Throttle>, StoreError> {
        let row = sqlx::query(
            "SELECT failures, window_start, blocked_until FROM signin_throttle WHERE key = ?",
        )
        .bind(key.as_slice())
        .fetch_optional(&self.readers)
        .await?;
        let record = |row: &SqliteRow| -> Result<Throttle, sqlx::Error> {
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
        let key = *key;
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, ()> {
                Box::pin(async move {
                    match state {
                        None => {
                            sqlx::query("DELETE FROM signin_throttle WHERE key = ?")
                                .bind(key.as_slice())
                                .execute(&mut *conn)
                                .await?;
                        }
                        Some(t) => {
                            sqlx::query(
                                "INSERT INTO signin_throttle (key, failures, window_start, blocked_until) \
                                 VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET \
                                 failures = excluded.failures, window_start = excluded.window_start, \
                                 blocked_until = excluded.blocked_until",
                            )
                            .bind(key.as_slice())
                            .bind(i64::from(t.failures))
                            .bind(t.window_start)
                            .bind(t.blocked_until)
                            .execute(&mut *conn)
                            .await?;
                        }
                    }
                    Ok(())
                })
            })
            .await
    }

    async fn day_key(
        &self,
        for_day: NaiveDate,
        candidate: (String, Vec<u8>),
    ) -> Result<String, StoreError> {
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, String> {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO keystore.day_keys (day, recipient, wrapped) VALUES (?, ?, ?) \
                         ON CONFLICT (day) DO NOTHING",
                    )
                    .bind(day(for_day))
                    .bind(&candidate.0)
                    .bind(&candidate.1)
                    .execute(&mut *conn)
                    .await?;
                    sqlx::query_scalar("SELECT recipient FROM keystore.day_keys WHERE day = ?")
                        .bind(day(for_day))
                        .fetch_one(&mut *conn)
                        .await
                })
            })
            .await
    }

    async fn sweep_batch(&self, cut: SweepCutoffs) -> Result<SweepReport, StoreError> {
        let in_flight = self.writer.keys_in_flight();
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, SweepReport> {
                Box::pin(async move {
                    let today = day(cut.today);
                    let limit = i64::from(cut.batch);
                    let notes = sqlx::query(
                        "DELETE FROM notes WHERE rowid IN \
                         (SELECT rowid FROM notes WHERE expires_on <= ? LIMIT ?)",
                    )
                    .bind(&today)
                    .bind(limit)
                    .execute(&mut *conn)
                    .await?
                    .rows_affected();
                    // A day's key goes only once no note sealed to it is left.
                    let day_keys = sqlx::query(
                        "DELETE FROM keystore.day_keys WHERE day <= ? \
                         AND NOT EXISTS (SELECT 1 FROM notes WHERE expires_on = day)",
                    )
                    .bind(&today)
                    .execute(&mut *conn)
                    .await?
                    .rows_affected();
                    let letters: Vec<(String, String)> = sqlx::query_as(
                        "SELECT id, key_id FROM letters WHERE expires_on <= ? LIMIT ?",
                    )
                    .bind(&today)
                    .bind(limit)
                    .fetch_all(&mut *conn)
                    .await?;
                    for (id, key_id) in &letters {
                        sqlx::query("DELETE FROM letters WHERE id = ?")
                            .bind(id)
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("DELETE FROM keystore.content_keys WHERE id = ?")
                            .bind(key_id)
                            .execute(&mut *conn)
                            .await?;
                    }
                    let sessions = sqlx::query(
                        "DELETE FROM sessions WHERE last_seen <= ? OR created_at <= ?",
                    )
                    .bind(cut.idle_before)
                    .bind(cut.created_before)
                    .execute(&mut *conn)
                    .await?
                    .rows_affected();
                    let enrolments = sqlx::query("DELETE FROM enrolments WHERE expires_at <= ?")
                        .bind(cut.now)
                        .execute(&mut *conn)
                        .await?
                        .rows_affected();
                    let throttles = sqlx::query(
                        "DELETE FROM signin_throttle WHERE blocked_until <= ? AND window_start <= ?",
                    )
                    .bind(cut.now)
                    .bind(cut.window_before)
                    .execute(&mut *conn)
                    .await?
                    .rows_affected();
                    // Looking for orphans reads every key, so it waits for the batch that
                    // finishes the notes rather than repeating with each of a large backlog's.
                    let orphan_keys = if notes >= limit.unsigned_abs() {
                        0
                    } else {
                        sqlx::query(
                        "DELETE FROM keystore.content_keys WHERE id IN ( \
                           SELECT k.id FROM keystore.content_keys k \
                           WHERE NOT EXISTS (SELECT 1 FROM cases c WHERE c.key_id = k.id) \
                             AND NOT EXISTS (SELECT 1 FROM letters l WHERE l.key_id = k.id) \
                             AND k.id NOT IN (SELECT value FROM json_each(?)) \
                           LIMIT ?)",
                    )
                    .bind(in_flight.json())
                    .bind(limit)
                    .execute(&mut *conn)
                    .await?
                    .rows_affected()
                    };
                    Ok(SweepReport {
                        notes,
                        day_keys,
                        letters: letters.len() as u64,
                        sessions,
                        enrolments,
                        throttles,
                        orphan_keys,
                    })
                })
            })
            .await
    }

    async fn checkpoint(&self) -> Result<(), StoreError> {
        self.writer.checkpoint().await
    }

    async fn holdings(&self, now: i64) -> Result<Vec<(RetentionClass, Holding)>, StoreError> {
        let by_date = |sql: &'static str| async move {
            let row = sqlx::query(sql).fetch_one(&self.readers).await?;
            let count: i64 = row.try_get("n")?;
            Ok::<_, sqlx::Error>(Holding {
                count: u64::try_from(count).unwrap_or(0),
                next_expiry: optional_date(&row, "next")?,
                oldest: optional_date(&row, "oldest")?,
            })
        };
        let by_time = |sql: &'static str| async move {
            let row = sqlx::query(sql).bind(now).fetch_one(&self.readers).await?;
            let count: i64 = row.try_get("n")?;
            let to_date = |column: &str| -> Result<Option<NaiveDate>, sqlx::Error> {
                let secs: Option<i64> = row.try_get(column)?;
                Ok(secs
                    .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
                    .map(|t| t.date_naive()))
            };
            Ok::<_, sqlx::Error>(Holding {
                count: u64::try_from(count).unwrap_or(0),
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
                by_date("SELECT count(*) AS n, NULL AS next, min(first_contact) AS oldest FROM cases").await?,
            ),
            (
                RetentionClass::Threads,
                by_date("SELECT count(*) AS n, NULL AS next, min(sent_on) AS oldest FROM messages").await?,
            ),
            (
                RetentionClass::Letters,
                by_date("SELECT count(*) AS n, min(expires_on) AS next, min(dated) AS oldest FROM letters").await?,
            ),
            (
                RetentionClass::Sessions,
                by_time("SELECT count(*) AS n, NULL AS next, min(created_at) AS oldest FROM sessions WHERE ?1 IS NOT NULL").await?,
            ),
            (
                RetentionClass::Enrolments,
                by_time("SELECT count(*) AS n, min(expires_at) AS next, NULL AS oldest FROM enrolments WHERE ?1 IS NOT NULL").await?,
            ),
            (
                RetentionClass::Throttling,
                by_time("SELECT count(*) AS n, NULL AS next, min(window_start) AS oldest FROM signin_throttle WHERE ?1 IS NOT NULL").await?,
            ),
        ])
    }

    async fn ping(&self) -> Result<(), StoreError> {
        if self.writer.stopped() {
            return Err(StoreError::WriterStopped);
        }
        // Reads the schema of both files, so that each of them must answer.
        sqlx::query(
            "SELECT (SELECT count(*) FROM main.sqlite_schema) \
                  + (SELECT count(*) FROM keystore.sqlite_schema)",
        )
        .execute(&self.readers)
        .await?;
        Ok(())
    }

    fn pools(&self) -> Vec<crate::store::PoolUse> {
        let (queued, capacity) = self.writer.queued();
        vec![
            crate::store::PoolUse {
                name: "readers",
                size: self.readers.size(),
                idle: u32::try_from(self.readers.num_idle()).unwrap_or(u32::MAX),
                max: self.readers.options().get_max_connections(),
            },
            crate::store::PoolUse {
                name: "writer_queue",
                size: u32::try_from(queued).unwrap_or(u32::MAX),
                idle: 0,
                max: u32::try_from(capacity).unwrap_or(u32::MAX),
            },
        ]
    }

    async fn close(&self) {
        self.readers.close().await;
        self.writer.close().await;
    }
}
