//! Row decoding particular to SQLite: dates stored as `YYYY-MM-DD` text (how this engine
//! implements [`StoredDates`]; the rest of a row is decoded in `store/rows.rs`, shared with
//! PostgreSQL), the joined key columns of its one-statement reads, and the JSON-folded rows of
//! the gathered look-ups. It holds no SQL beyond column names, and must not decide anything: a
//! value it cannot read is an error.

use chrono::NaiveDate;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use crate::domain::case::{Author, LetterKind};
use crate::store::backend::{LetterRecord, MessageRecord, NoteRecord, SealedCase, SealedLetter};
use crate::store::rows::{
    Columns, StoredDates, bad, case_record, letter_record, note_record, parsed, parsed_date,
};

impl StoredDates for SqliteRow {
    fn date(&self, column: &str) -> Result<NaiveDate, sqlx::Error> {
        let text: String = self.try_get(column)?;
        parsed_date(column, &text)
    }

    fn optional_date(&self, column: &str) -> Result<Option<NaiveDate>, sqlx::Error> {
        let text: Option<String> = self.try_get(column)?;
        text.map(|t| parsed_date(column, &t)).transpose()
    }
}

/// A date as this engine stores it.
pub(super) fn day(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// A case with its sealed concern and, joined from the key store, its wrapped key (`wrapped`).
pub(super) fn sealed_case(row: &SqliteRow) -> Result<SealedCase, sqlx::Error> {
    Ok(SealedCase {
        record: case_record(row)?,
        wrapped_key: row.optional_bytes("wrapped")?,
        sealed: row.bytes("sealed")?,
    })
}

/// A note with, joined from the key store, its day's wrapped key (`day_wrapped`).
pub(super) fn note_with_day_key(row: &SqliteRow) -> Result<NoteRecord, sqlx::Error> {
    Ok(NoteRecord {
        day_key: row.optional_bytes("day_wrapped")?,
        ..note_record(row)?
    })
}

/// A letter with, joined from the key store, its wrapped key (`wrapped`).
pub(super) fn sealed_letter(row: &SqliteRow) -> Result<SealedLetter, sqlx::Error> {
    Ok(SealedLetter {
        record: letter_record(row)?,
        wrapped_key: row.optional_bytes("wrapped")?,
    })
}

/// Bytes that SQLite's `hex()` wrote.
fn unhex(column: &str, text: &str) -> Result<Vec<u8>, sqlx::Error> {
    data_encoding::HEXUPPER
        .decode(text.as_bytes())
        .map_err(|_| bad(column, "(not hex)"))
}

fn folded<T: serde::de::DeserializeOwned>(column: &str, json: &str) -> Result<Vec<T>, sqlx::Error> {
    serde_json::from_str(json).map_err(|e| bad(column, &format!("(not the expected JSON: {e})")))
}

/// A thread folded by `json_group_array`: `[seq, author, sent_on, hex(sealed), opened]` per
/// message.
pub(super) fn folded_thread(json: &str) -> Result<Vec<MessageRecord>, sqlx::Error> {
    folded::<(i64, String, String, String, i64)>("thread", json)?
        .into_iter()
        .map(|(seq, author, sent_on, sealed, opened)| {
            Ok(MessageRecord {
                seq,
                party: None,
                author: parsed("author", &author, Author::from_code)?,
                sent_on: parsed_date("sent_on", &sent_on)?,
                sealed: unhex("sealed", &sealed)?,
                // A receipt holder's page never names the ombuds.
                sealed_author: None,
                opened: opened != 0,
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
    bool,
);

/// Letters folded by `json_group_array`: the first eight of
/// [`LETTER_COLUMNS`](crate::store::rows::LETTER_COLUMNS), the key, and whether the letter was
/// opened, with the bytes in hex.
pub(super) fn folded_letters(json: &str) -> Result<Vec<SealedLetter>, sqlx::Error> {
    folded::<FoldedLetter>("letters", json)?
        .into_iter()
        .map(
            |(id, case_id, kind, dated, expires_on, key_id, html, text, wrapped, opened)| {
                Ok(SealedLetter {
                    record: LetterRecord {
                        id,
                        case_id,
                        kind: parsed("kind", &kind, LetterKind::from_code)?,
                        dated: parsed_date("dated", &dated)?,
                        expires_on: parsed_date("expires_on", &expires_on)?,
                        key_id,
                        sealed_html: unhex("sealed_html", &html)?,
                        sealed_text: unhex("sealed_text", &text)?,
                        // Found by the reader's receipt hash: in that reader's thread. The
                        // follow-up needs nothing more of its delivery than `opened`.
                        party_id: None,
                        sealed_label: None,
                        to_thread: true,
                        opened,
                        sent: None,
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
