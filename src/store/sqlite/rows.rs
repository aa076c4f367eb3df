//! Row decoding for the SQLite engine: dates stored as `YYYY-MM-DD` text, codes, hashes, and the
//! records the section files read; and the JSON-folded rows of the gathered look-ups. It holds no
//! SQL beyond column lists, and must not decide anything: a value it cannot read is an error.

use chrono::NaiveDate;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use crate::domain::account::Role;
use crate::domain::case::{Author, CaseStatus, Channel, LetterKind, services_from_codes};
use crate::domain::concern::{Category, RaisedBy};
use crate::domain::notes::NoteKind;
use crate::store::backend::{
    CaseRecord, LetterRecord, MessageRecord, NoteRecord, SealedCase, SealedLetter, UserRecord,
};

pub(super) const CASE_COLUMNS: &str = "c.id, c.status, c.channel, c.category, c.raised_by, c.first_contact, \
     c.opened_on, c.termination_date, c.services, c.receipt_hash IS NOT NULL AS has_receipt, c.recipient, c.key_id";

fn bad(column: &str, value: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("unexpected value {value:?} in column {column}").into())
}

pub(super) fn code<T>(
    row: &SqliteRow,
    column: &str,
    parse: fn(&str) -> Option<T>,
) -> Result<T, sqlx::Error> {
    let text: String = row.try_get(column)?;
    parse(&text).ok_or_else(|| bad(column, &text))
}

pub(super) fn date(row: &SqliteRow, column: &str) -> Result<NaiveDate, sqlx::Error> {
    let text: String = row.try_get(column)?;
    NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(|_| bad(column, &text))
}

pub(super) fn optional_date(
    row: &SqliteRow,
    column: &str,
) -> Result<Option<NaiveDate>, sqlx::Error> {
    let text: Option<String> = row.try_get(column)?;
    text.map(|t| NaiveDate::parse_from_str(&t, "%Y-%m-%d").map_err(|_| bad(column, &t)))
        .transpose()
}

pub(super) fn day(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

pub(super) fn hash32(row: &SqliteRow, column: &str) -> Result<[u8; 32], sqlx::Error> {
    let bytes: Vec<u8> = row.try_get(column)?;
    bytes
        .as_slice()
        .try_into()
        .map_err(|_| bad(column, "a hash of the wrong length"))
}

pub(super) fn case_record(row: &SqliteRow) -> Result<CaseRecord, sqlx::Error> {
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

pub(super) fn note_record(row: &SqliteRow) -> Result<NoteRecord, sqlx::Error> {
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

pub(super) fn user_record(row: &SqliteRow) -> Result<UserRecord, sqlx::Error> {
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

pub(super) const LETTER_COLUMNS: &str = "l.id, l.case_id, l.kind, l.dated, l.expires_on, l.key_id, \
     l.sealed_html, l.sealed_text, k.wrapped";

pub(super) fn sealed_letter(row: &SqliteRow) -> Result<SealedLetter, sqlx::Error> {
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

pub(super) fn message_record(row: &SqliteRow) -> Result<MessageRecord, sqlx::Error> {
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

fn folded<T: serde::de::DeserializeOwned>(
    column: &str,
    json: &str,
) -> Result<Vec<T>, sqlx::Error> {
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
