//! Row decoding for the PostgreSQL engine: codes, hashes, counts and the records the section
//! files read. It holds no SQL beyond column lists, and must not decide anything: a value it
//! cannot read is an error.

use sqlx::Row;
use sqlx::postgres::PgRow;

use crate::domain::account::Role;
use crate::domain::case::{CaseStatus, Channel, services_from_codes};
use crate::domain::concern::{Category, RaisedBy};
use crate::domain::notes::NoteKind;
use crate::store::backend::{CaseRecord, NoteRecord, UserRecord};

pub(super) const CASE_COLUMNS: &str = "c.id, c.status, c.channel, c.category, c.raised_by, c.first_contact, \
     c.opened_on, c.termination_date, c.services, c.receipt_hash IS NOT NULL AS has_receipt, \
     c.recipient, c.key_id";

pub(super) const NOTE_COLUMNS: &str =
    "n.id, n.case_id, n.kind, n.due_on, n.expires_on, n.written_on, n.done, n.sealed";

fn bad(column: &str, value: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("unexpected value {value:?} in column {column}").into())
}

pub(super) fn code<T>(
    row: &PgRow,
    column: &str,
    parse: fn(&str) -> Option<T>,
) -> Result<T, sqlx::Error> {
    let text: String = row.try_get(column)?;
    parse(&text).ok_or_else(|| bad(column, &text))
}

pub(super) fn hash32(row: &PgRow, column: &str) -> Result<[u8; 32], sqlx::Error> {
    let bytes: Vec<u8> = row.try_get(column)?;
    bytes
        .as_slice()
        .try_into()
        .map_err(|_| bad(column, "a hash of the wrong length"))
}

pub(super) fn count(row: &PgRow, column: &str) -> Result<u64, sqlx::Error> {
    let n: i64 = row.try_get(column)?;
    Ok(u64::try_from(n).unwrap_or(0))
}

pub(super) fn case_record(row: &PgRow) -> Result<CaseRecord, sqlx::Error> {
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

pub(super) fn note_record(row: &PgRow) -> Result<NoteRecord, sqlx::Error> {
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

pub(super) fn user_record(row: &PgRow) -> Result<UserRecord, sqlx::Error> {
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
