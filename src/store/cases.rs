//! The case half of the [`Store`] facade: intake, hand-logged contacts, the console's reads and
//! writes, the anonymous follow-up, and closing (which destroys).

use chrono::{Days, NaiveDate};
use secrecy::{ExposeSecret, SecretString};

use super::backend::{CaseListing, CaseRecord, NewCase, NoteRecord, SealedCase};
use super::content::{self, Concern};
use super::{Store, StoreError};
use crate::crypto::envelope::seal_to;
use crate::crypto::{ContentKey, Receipt, random};
use crate::domain::case::{Author, CaseStatus, Channel, Service};
use crate::domain::concern::NewConcern;
use crate::domain::notes::{NewNote, NoteKind};

/// A working note or commitment, opened.
pub struct Note {
    /// Identifier.
    pub id: String,
    /// Note or commitment.
    pub kind: NoteKind,
    /// The text.
    pub text: SecretString,
    /// When a commitment is due.
    pub due_on: Option<NaiveDate>,
    /// The day it is destroyed.
    pub expires_on: NaiveDate,
    /// Whether a commitment is done.
    pub done: bool,
}

/// A message of the follow-up thread, opened.
pub struct Message {
    /// Who wrote it.
    pub author: Author,
    /// The day it was written.
    pub sent_on: NaiveDate,
    /// The text.
    pub text: SecretString,
}

/// Everything the console shows about one case.
pub struct CaseDetail {
    /// Its clear fields.
    pub record: CaseRecord,
    /// The concern as raised.
    pub concern: Concern,
    /// Unexpired notes and commitments, oldest first.
    pub notes: Vec<Note>,
    /// The follow-up thread, in order.
    pub messages: Vec<Message>,
}

/// What the anonymous submitter sees with their receipt.
pub struct FollowupThread {
    /// First-contact date.
    pub first_contact: NaiveDate,
    /// New or open.
    pub status: CaseStatus,
    /// Their concern as they raised it.
    pub concern: Concern,
    /// The thread, in order.
    pub messages: Vec<Message>,
}

/// A commitment coming due, with its case.
pub struct Commitment {
    /// The case.
    pub case_id: String,
    /// The commitment.
    pub note: Note,
}

/// What became of a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyOutcome {
    /// Stored in the thread.
    Sent,
    /// There is no such case.
    NoSuchCase,
    /// The case came by telephone, e-mail or a visit: nobody holds a receipt to read a reply.
    NoThread,
}

impl Store {
    /// Seals and stores a concern from the web intake; returns the receipt to show the
    /// submitter, once. Returns only after the concern is durably on disk.
    pub async fn submit_concern(
        &self,
        concern: &NewConcern,
        first_contact: NaiveDate,
    ) -> Result<Receipt, StoreError> {
        let receipt = Receipt::generate()?;
        let hash = self.secret.hash(&receipt);
        self.insert_new_case(
            concern,
            Channel::Web,
            CaseStatus::New,
            first_contact,
            None,
            Some(hash),
        )
        .await?;
        Ok(receipt)
    }

    /// Stores a contact an ombuds logged by hand, already open; returns the case id.
    pub async fn log_contact(
        &self,
        concern: &NewConcern,
        channel: Channel,
        first_contact: NaiveDate,
        today: NaiveDate,
    ) -> Result<String, StoreError> {
        self.insert_new_case(
            concern,
            channel,
            CaseStatus::Open,
            first_contact,
            Some(today),
            None,
        )
        .await
    }

    async fn insert_new_case(
        &self,
        concern: &NewConcern,
        channel: Channel,
        status: CaseStatus,
        first_contact: NaiveDate,
        opened_on: Option<NaiveDate>,
        receipt_hash: Option<crate::crypto::ReceiptHash>,
    ) -> Result<String, StoreError> {
        let (key, wrapped_key) = self.master.new_content_key()?;
        let sealed = key.seal(&content::concern_plaintext(concern)?)?;
        let id = random::new_id()?;
        self.backend
            .insert_case(NewCase {
                record: CaseRecord {
                    id: id.clone(),
                    status,
                    channel,
                    category: concern.category,
                    raised_by: concern.raised_by,
                    first_contact,
                    opened_on,
                    services: Vec::new(),
                    has_receipt: receipt_hash.is_some(),
                    recipient: key.recipient(),
                    key_id: random::new_id()?,
                },
                receipt_hash,
                wrapped_key,
                sealed,
            })
            .await?;
        Ok(id)
    }

    /// Every case, newest first contact first.
    pub async fn cases(&self, today: NaiveDate) -> Result<Vec<CaseListing>, StoreError> {
        self.backend.list_cases(today).await
    }

    /// The key of a case, or `None` if the key store no longer holds it.
    fn case_key(&self, case: &SealedCase) -> Result<Option<ContentKey>, StoreError> {
        case.wrapped_key
            .as_deref()
            .map(|wrapped| self.master.unwrap_content_key(wrapped))
            .transpose()
            .map_err(StoreError::from)
    }

    /// One case with its concern, unexpired notes and thread, opened. `None` if there is no such
    /// case (or its key has been destroyed, which makes it gone).
    pub async fn case(&self, id: &str, today: NaiveDate) -> Result<Option<CaseDetail>, StoreError> {
        let Some(case) = self.backend.case(id).await? else {
            return Ok(None);
        };
        let Some(key) = self.case_key(&case)? else {
            return Ok(None);
        };
        let concern = content::concern_from(&key.open(&case.sealed)?)?;
        let notes = self
            .backend
            .notes(id, today)
            .await?
            .into_iter()
            .map(|n| open_note(&key, n))
            .collect::<Result<_, _>>()?;
        let messages = self.open_messages(&key, id).await?;
        Ok(Some(CaseDetail {
            record: case.record,
            concern,
            notes,
            messages,
        }))
    }

    async fn open_messages(
        &self,
        key: &ContentKey,
        case_id: &str,
    ) -> Result<Vec<Message>, StoreError> {
        self.backend
            .messages(case_id)
            .await?
            .into_iter()
            .map(|m| {
                Ok(Message {
                    author: m.author,
                    sent_on: m.sent_on,
                    text: content::text_from(&key.open(&m.sealed)?)?,
                })
            })
            .collect()
    }

    /// Opens a new case on `today`; false if there is no such case.
    pub async fn open_case(&self, id: &str, today: NaiveDate) -> Result<bool, StoreError> {
        self.backend.open_case(id, today).await
    }

    /// Records the services given on a case; false if there is no such case.
    pub async fn set_services(&self, id: &str, services: &[Service]) -> Result<bool, StoreError> {
        self.backend.set_services(id, services).await
    }

    /// Seals and adds a note to a case; returns its id, or `None` if there is no such case.
    pub async fn add_note(
        &self,
        case_id: &str,
        note: &NewNote,
    ) -> Result<Option<String>, StoreError> {
        let Some(case) = self.backend.case(case_id).await? else {
            return Ok(None);
        };
        let id = random::new_id()?;
        let stored = self
            .backend
            .insert_note(NoteRecord {
                id: id.clone(),
                case_id: case_id.to_owned(),
                kind: note.kind,
                due_on: note.due_on,
                expires_on: note.expires_on,
                done: false,
                sealed: seal_to(&case.record.recipient, note.text.expose_secret().as_bytes())?,
            })
            .await?;
        Ok(stored.then_some(id))
    }

    /// Marks a commitment done or not done; false if there is no such unexpired note.
    pub async fn set_note_done(
        &self,
        case_id: &str,
        note_id: &str,
        done: bool,
        today: NaiveDate,
    ) -> Result<bool, StoreError> {
        self.backend
            .set_note_done(case_id, note_id, done, today)
            .await
    }

    /// Seals and adds an ombuds reply to a case's follow-up thread.
    pub async fn reply(
        &self,
        case_id: &str,
        text: &SecretString,
        today: NaiveDate,
    ) -> Result<ReplyOutcome, StoreError> {
        let Some(case) = self.backend.case(case_id).await? else {
            return Ok(ReplyOutcome::NoSuchCase);
        };
        if !case.record.has_receipt {
            return Ok(ReplyOutcome::NoThread);
        }
        let sealed = seal_to(&case.record.recipient, text.expose_secret().as_bytes())?;
        let stored = self
            .backend
            .insert_message(case_id, Author::Ombuds, today, sealed)
            .await?;
        Ok(if stored {
            ReplyOutcome::Sent
        } else {
            ReplyOutcome::NoSuchCase
        })
    }

    /// Open commitments due within `days` of `today` (and overdue ones), soonest first.
    pub async fn commitments_due(
        &self,
        today: NaiveDate,
        days: u64,
    ) -> Result<Vec<Commitment>, StoreError> {
        let until = today.checked_add_days(Days::new(days)).unwrap_or(today);
        self.backend
            .commitments_due(today, until)
            .await?
            .into_iter()
            .map(|due| {
                let key = self.master.unwrap_content_key(&due.wrapped_key)?;
                Ok(Commitment {
                    case_id: due.note.case_id.clone(),
                    note: open_note(&key, due.note)?,
                })
            })
            .collect()
    }

    /// Closes a case: destroys its row, notes, thread and key in one write. Returns the clear
    /// fields it had (for the trend counters), or `None` if there was no such case.
    pub async fn close_case(&self, id: &str) -> Result<Option<CaseRecord>, StoreError> {
        self.backend.destroy_case(id).await
    }

    /// The thread a receipt opens, or `None` — the same `None` whether the receipt never
    /// existed or its case has been closed.
    pub async fn followup(&self, receipt: &Receipt) -> Result<Option<FollowupThread>, StoreError> {
        let hash = self.secret.hash(receipt);
        let Some(case) = self.backend.case_by_receipt(&hash).await? else {
            return Ok(None);
        };
        let Some(key) = self.case_key(&case)? else {
            return Ok(None);
        };
        let concern = content::concern_from(&key.open(&case.sealed)?)?;
        let messages = self.open_messages(&key, &case.record.id).await?;
        Ok(Some(FollowupThread {
            first_contact: case.record.first_contact,
            status: case.record.status,
            concern,
            messages,
        }))
    }

    /// Adds the submitter's message to the thread their receipt opens; false if it opens none.
    pub async fn followup_message(
        &self,
        receipt: &Receipt,
        text: &SecretString,
        today: NaiveDate,
    ) -> Result<bool, StoreError> {
        let hash = self.secret.hash(receipt);
        let Some(case) = self.backend.case_by_receipt(&hash).await? else {
            return Ok(false);
        };
        let sealed = seal_to(&case.record.recipient, text.expose_secret().as_bytes())?;
        self.backend
            .insert_message(&case.record.id, Author::Submitter, today, sealed)
            .await
    }
}

fn open_note(key: &ContentKey, note: NoteRecord) -> Result<Note, StoreError> {
    Ok(Note {
        text: content::text_from(&key.open(&note.sealed)?)?,
        id: note.id,
        kind: note.kind,
        due_on: note.due_on,
        expires_on: note.expires_on,
        done: note.done,
    })
}
