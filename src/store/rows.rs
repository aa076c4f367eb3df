//! Row decoding shared by the database engines: the column lists both engines select alike, and
//! the decoders that turn a row of either engine into the records of [`super::backend`].
//!
//! The engines store every column alike except dates (SQLite: `YYYY-MM-DD` text; PostgreSQL:
//! `date`), so each engine says how it reads a date ([`StoredDates`], in its own `rows.rs`) and
//! everything else is read here once. This module holds no SQL beyond column lists and decides
//! nothing: a value it cannot read is an error naming its column, never a guess.

use chrono::NaiveDate;
use sqlx::{ColumnIndex, Decode, Row, Type};

use super::backend::{
    CaseListing, CaseRecord, CorrectionRecord, EnrolmentRecord, GrantRecord, Holding, LetterRecord,
    MessageRecord, NoteRecord, PartyRecord, PlanRecord, SessionRecord, SessionWithUser, UserRecord,
};
use crate::domain::access::{GrantKind, GrantState};
use crate::domain::account::{Role, Throttle};
use crate::domain::case::{Author, CaseDate, CaseStatus, Channel, LetterKind, services_from_codes};
use crate::domain::concern::{Category, RaisedBy};
use crate::domain::notes::NoteKind;
use crate::domain::notices::SentBy;
use crate::domain::plan::{Answer, AnswerChannel, PlanAnswer};

/// A case's clear fields, as [`case_record`] reads them (`c` is the `cases` table).
pub(super) const CASE_COLUMNS: &str = "c.id, c.status, c.channel, c.category, c.raised_by, \
     c.first_contact, c.opened_on, c.termination_date, c.touched_on, c.services, \
     c.receipt_hash IS NOT NULL AS has_receipt, c.assigned_to, c.intake_lang, c.recipient, \
     c.key_id, c.complaint_filed";

/// A note's columns, as [`note_record`] reads them (`n` is the `notes` table).
pub(super) const NOTE_COLUMNS: &str = "n.id, n.case_id, n.kind, n.due_on, n.expires_on, n.written_on, n.done, n.sealed, \
     n.sealed_author";

/// A message's columns, as [`message_record`] reads them (from `messages`).
pub(super) const MESSAGE_COLUMNS: &str =
    "seq, party_id, author, sent_on, sealed, sealed_author, opened";

/// An added party's columns, as [`party_record`] reads them (`p` is the `parties` table).
pub(super) const PARTY_COLUMNS: &str =
    "p.id, p.case_id, p.number, p.receipt_hash IS NOT NULL AS has_receipt, p.sealed";

/// A letter's columns, as [`letter_record`] reads them (`l` is the `letters` table).
pub(super) const LETTER_COLUMNS: &str = "l.id, l.case_id, l.kind, l.dated, l.expires_on, l.key_id, l.sealed_html, l.sealed_text, \
     l.party_id, l.sealed_label, l.receipt_hash IS NOT NULL AS to_thread, l.opened, l.sent_on, \
     l.sent_by";

/// How one engine stores a calendar date.
pub(super) trait StoredDates {
    /// A date that must be there.
    fn date(&self, column: &str) -> Result<NaiveDate, sqlx::Error>;
    /// A date that may be NULL.
    fn optional_date(&self, column: &str) -> Result<Option<NaiveDate>, sqlx::Error>;
}

/// A row of either engine, read column by column: what the shared decoders need.
pub(super) trait Columns: StoredDates {
    /// Text.
    fn text(&self, column: &str) -> Result<String, sqlx::Error>;
    /// Text or NULL.
    fn optional_text(&self, column: &str) -> Result<Option<String>, sqlx::Error>;
    /// Bytes.
    fn bytes(&self, column: &str) -> Result<Vec<u8>, sqlx::Error>;
    /// Bytes or NULL.
    fn optional_bytes(&self, column: &str) -> Result<Option<Vec<u8>>, sqlx::Error>;
    /// A 64-bit integer.
    fn integer(&self, column: &str) -> Result<i64, sqlx::Error>;
    /// A 64-bit integer or NULL.
    fn optional_integer(&self, column: &str) -> Result<Option<i64>, sqlx::Error>;
    /// A boolean (an integer 0 or 1 in SQLite).
    fn flag(&self, column: &str) -> Result<bool, sqlx::Error>;
}

impl<R> Columns for R
where
    R: Row + StoredDates,
    for<'c> &'c str: ColumnIndex<R>,
    String: for<'r> Decode<'r, R::Database> + Type<R::Database>,
    Vec<u8>: for<'r> Decode<'r, R::Database> + Type<R::Database>,
    i64: for<'r> Decode<'r, R::Database> + Type<R::Database>,
    bool: for<'r> Decode<'r, R::Database> + Type<R::Database>,
{
    fn text(&self, column: &str) -> Result<String, sqlx::Error> {
        self.try_get(column)
    }

    fn optional_text(&self, column: &str) -> Result<Option<String>, sqlx::Error> {
        self.try_get(column)
    }

    fn bytes(&self, column: &str) -> Result<Vec<u8>, sqlx::Error> {
        self.try_get(column)
    }

    fn optional_bytes(&self, column: &str) -> Result<Option<Vec<u8>>, sqlx::Error> {
        self.try_get(column)
    }

    fn integer(&self, column: &str) -> Result<i64, sqlx::Error> {
        self.try_get(column)
    }

    fn optional_integer(&self, column: &str) -> Result<Option<i64>, sqlx::Error> {
        self.try_get(column)
    }

    fn flag(&self, column: &str) -> Result<bool, sqlx::Error> {
        self.try_get(column)
    }
}

/// The error for a value a column should never hold.
pub(super) fn bad(column: &str, value: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("unexpected value {value:?} in column {column}").into())
}

/// A stored code (`text`, from `column`) read back with `parse`.
pub(super) fn parsed<T>(
    column: &str,
    text: &str,
    parse: fn(&str) -> Option<T>,
) -> Result<T, sqlx::Error> {
    parse(text).ok_or_else(|| bad(column, text))
}

/// A date stored as `YYYY-MM-DD` text (from `column`).
pub(super) fn parsed_date(column: &str, text: &str) -> Result<NaiveDate, sqlx::Error> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| bad(column, text))
}

/// A code column read back with `parse`.
pub(super) fn code<T>(
    row: &impl Columns,
    column: &str,
    parse: fn(&str) -> Option<T>,
) -> Result<T, sqlx::Error> {
    parsed(column, &row.text(column)?, parse)
}

/// A SHA-256 hash.
pub(super) fn hash32(row: &impl Columns, column: &str) -> Result<[u8; 32], sqlx::Error> {
    row.bytes(column)?
        .as_slice()
        .try_into()
        .map_err(|_| bad(column, "a hash of the wrong length"))
}

/// A count (never negative; read as zero if it were).
pub(super) fn count(row: &impl Columns, column: &str) -> Result<u64, sqlx::Error> {
    Ok(u64::try_from(row.integer(column)?).unwrap_or(0))
}

/// Counter rows (key, count) as stored, with their counts as counts.
pub(super) fn counted(rows: Vec<(String, i64)>) -> Vec<(String, u64)> {
    rows.into_iter()
        .map(|(key, count)| (key, u64::try_from(count).unwrap_or(0)))
        .collect()
}

/// A case's clear fields, from [`CASE_COLUMNS`].
pub(super) fn case_record(row: &impl Columns) -> Result<CaseRecord, sqlx::Error> {
    Ok(CaseRecord {
        id: row.text("id")?,
        status: code(row, "status", CaseStatus::from_code)?,
        channel: code(row, "channel", Channel::from_code)?,
        category: code(row, "category", Category::from_code)?,
        raised_by: code(row, "raised_by", RaisedBy::from_code)?,
        first_contact: row.date("first_contact")?,
        opened_on: row.optional_date("opened_on")?,
        termination_date: row.optional_date("termination_date")?,
        touched_on: row.optional_date("touched_on")?,
        services: services_from_codes(&row.text("services")?),
        has_receipt: row.flag("has_receipt")?,
        assigned_to: row.optional_text("assigned_to")?,
        intake_lang: row.optional_text("intake_lang")?,
        complaint_filed: row.flag("complaint_filed")?,
        recipient: row.text("recipient")?,
        key_id: row.text("key_id")?,
    })
}

/// A case as listed: [`CASE_COLUMNS`] with `last_author` (of its thread) and
/// `open_commitments`.
pub(super) fn case_listing(row: &impl Columns) -> Result<CaseListing, sqlx::Error> {
    let last_author = row.optional_text("last_author")?;
    let open = count(row, "open_commitments")?;
    Ok(CaseListing {
        record: case_record(row)?,
        awaiting_reply: last_author.as_deref() == Some(Author::Submitter.code()),
        open_commitments: u32::try_from(open).unwrap_or(u32::MAX),
    })
}

/// A note from [`NOTE_COLUMNS`], without its day key (the engine adds it).
pub(super) fn note_record(row: &impl Columns) -> Result<NoteRecord, sqlx::Error> {
    Ok(NoteRecord {
        id: row.text("id")?,
        case_id: row.text("case_id")?,
        kind: code(row, "kind", NoteKind::from_code)?,
        due_on: row.optional_date("due_on")?,
        expires_on: row.date("expires_on")?,
        written_on: row.date("written_on")?,
        done: row.flag("done")?,
        sealed: row.bytes("sealed")?,
        sealed_author: row.optional_bytes("sealed_author")?,
        day_key: None,
    })
}

/// A message of a thread: [`MESSAGE_COLUMNS`].
pub(super) fn message_record(row: &impl Columns) -> Result<MessageRecord, sqlx::Error> {
    Ok(MessageRecord {
        seq: row.integer("seq")?,
        party: row.optional_text("party_id")?,
        author: code(row, "author", Author::from_code)?,
        sent_on: row.date("sent_on")?,
        sealed: row.bytes("sealed")?,
        sealed_author: row.optional_bytes("sealed_author")?,
        opened: row.flag("opened")?,
    })
}

/// An added party, from [`PARTY_COLUMNS`].
pub(super) fn party_record(row: &impl Columns) -> Result<PartyRecord, sqlx::Error> {
    Ok(PartyRecord {
        id: row.text("id")?,
        case_id: row.text("case_id")?,
        number: u32::try_from(row.integer("number")?)
            .map_err(|_| bad("number", "a negative number"))?,
        has_receipt: row.flag("has_receipt")?,
        sealed: row.bytes("sealed")?,
    })
}

/// A plan: `version, written_on, agreed_on, sealed`.
pub(super) fn plan_record(row: &impl Columns) -> Result<PlanRecord, sqlx::Error> {
    Ok(PlanRecord {
        version: number(row, "version")?,
        written_on: row.date("written_on")?,
        agreed_on: row.optional_date("agreed_on")?,
        sealed: row.bytes("sealed")?,
    })
}

/// An answer to a plan: `party, version, answer, channel, answered_on`.
pub(super) fn answer_record(row: &impl Columns) -> Result<Answer, sqlx::Error> {
    Ok(Answer {
        party: number(row, "party")?,
        version: number(row, "version")?,
        answer: code(row, "answer", PlanAnswer::from_code)?,
        channel: code(row, "channel", AnswerChannel::from_code)?,
        on: row.date("answered_on")?,
    })
}

/// A small positive number (a version, a party's number).
fn number(row: &impl Columns, column: &str) -> Result<u32, sqlx::Error> {
    u32::try_from(row.integer(column)?).map_err(|_| bad(column, "a number out of range"))
}

/// A date correction: `field, old_date, new_date, corrected_on, sealed_reason`.
pub(super) fn correction_record(row: &impl Columns) -> Result<CorrectionRecord, sqlx::Error> {
    Ok(CorrectionRecord {
        field: code(row, "field", CaseDate::from_code)?,
        old_date: row.optional_date("old_date")?,
        new_date: row.date("new_date")?,
        corrected_on: row.date("corrected_on")?,
        sealed_reason: row.bytes("sealed_reason")?,
    })
}

/// A letter from [`LETTER_COLUMNS`], without its key.
pub(super) fn letter_record(row: &impl Columns) -> Result<LetterRecord, sqlx::Error> {
    Ok(LetterRecord {
        id: row.text("id")?,
        case_id: row.optional_text("case_id")?,
        kind: code(row, "kind", LetterKind::from_code)?,
        dated: row.date("dated")?,
        expires_on: row.date("expires_on")?,
        key_id: row.text("key_id")?,
        sealed_html: row.bytes("sealed_html")?,
        sealed_text: row.bytes("sealed_text")?,
        party_id: row.optional_text("party_id")?,
        sealed_label: row.optional_bytes("sealed_label")?,
        to_thread: row.flag("to_thread")?,
        opened: row.flag("opened")?,
        sent: match (row.optional_date("sent_on")?, row.optional_text("sent_by")?) {
            (Some(on), Some(by)) => Some((
                on,
                SentBy::from_code(&by).ok_or_else(|| bad("sent_by", &by))?,
            )),
            _ => None,
        },
    })
}

/// A staff account: every column of `users`.
pub(super) fn user_record(row: &impl Columns) -> Result<UserRecord, sqlx::Error> {
    Ok(UserRecord {
        id: row.text("id")?,
        username: row.text("username")?,
        role: code(row, "role", Role::from_code)?,
        password_hash: row.text("password_hash")?,
        totp_sealed: row.bytes("totp_sealed")?,
        totp_last_step: row.integer("totp_last_step")?,
        disabled: row.flag("disabled")?,
        case_access: row.flag("case_access")?,
    })
}

/// A grant of case access: every column of `access_grants`.
pub(super) fn grant_record(row: &impl Columns) -> Result<GrantRecord, sqlx::Error> {
    Ok(GrantRecord {
        id: row.text("id")?,
        username: row.text("username")?,
        kind: code(row, "kind", GrantKind::from_code)?,
        state: code(row, "state", GrantState::from_code)?,
        requested_by: row.text("requested_by")?,
        requested_on: row.date("requested_on")?,
        enrolled_on: row.optional_date("enrolled_on")?,
        decided_by: row.optional_text("decided_by")?,
        decided_on: row.optional_date("decided_on")?,
    })
}

/// An enrolment link: every column of `enrolments`.
pub(super) fn enrolment_record(row: &impl Columns) -> Result<EnrolmentRecord, sqlx::Error> {
    Ok(EnrolmentRecord {
        token_hash: hash32(row, "token_hash")?,
        username: row.optional_text("username")?,
        role: code(row, "role", Role::from_code)?,
        totp_sealed: row.bytes("totp_sealed")?,
        expires_at: row.integer("expires_at")?,
        grant: row.optional_text("grant_id")?,
    })
}

/// A session with its account: every column of `sessions` and the account's `username`,
/// `role`, `disabled` and `case_access`.
pub(super) fn session_with_user(row: &impl Columns) -> Result<SessionWithUser, sqlx::Error> {
    Ok(SessionWithUser {
        session: SessionRecord {
            token_hash: hash32(row, "token_hash")?,
            user_id: row.text("user_id")?,
            created_at: row.integer("created_at")?,
            last_seen: row.integer("last_seen")?,
        },
        username: row.text("username")?,
        role: code(row, "role", Role::from_code)?,
        disabled: row.flag("disabled")?,
        case_access: row.flag("case_access")?,
    })
}

/// Sign-in failures: `failures, window_start, blocked_until`.
pub(super) fn throttle_record(row: &impl Columns) -> Result<Throttle, sqlx::Error> {
    let failures = row.integer("failures")?;
    Ok(Throttle {
        failures: u32::try_from(failures).unwrap_or(u32::MAX),
        window_start: row.integer("window_start")?,
        blocked_until: row.integer("blocked_until")?,
    })
}

/// What a class that expires by date holds: a count `n` and the dates `next` and `oldest`.
pub(super) fn holding_by_date(row: &impl Columns) -> Result<Holding, sqlx::Error> {
    Ok(Holding {
        count: count(row, "n")?,
        next_expiry: row.optional_date("next")?,
        oldest: row.optional_date("oldest")?,
    })
}

/// What a class that expires by time holds: a count `n` and the times `next` and `oldest`
/// (Unix seconds), shown as their dates.
pub(super) fn holding_by_time(row: &impl Columns) -> Result<Holding, sqlx::Error> {
    let to_date = |column: &str| -> Result<Option<NaiveDate>, sqlx::Error> {
        Ok(row
            .optional_integer(column)?
            .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
            .map(|t| t.date_naive()))
    };
    Ok(Holding {
        count: count(row, "n")?,
        next_expiry: to_date("next")?,
        oldest: to_date("oldest")?,
    })
}
