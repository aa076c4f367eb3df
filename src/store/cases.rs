//! The case half of the [`Store`] facade: intake, hand-logged contacts, the console's reads and
//! writes, the anonymous follow-up, and closing (which destroys).

use std::sync::Arc;

use chrono::{Days, NaiveDate};
use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use super::backend::{
    CaseListing, CaseRecord, CorrectionRecord, LetterQuery, LetterRecord, MessageRecord, NewCase,
    NewMessage, NoteRecord, SealedCase, SealedLetter,
};
use super::content::{self, Concern, PartyContent};
use super::parties::{Party, open_party};
use super::plan::Plan;
use super::{Store, StoreError};
use crate::crypto::envelope::seal_to;
use crate::crypto::{ContentKey, MasterKey, Receipt, random};
use crate::domain::case::{Author, CaseDate, CaseStatus, Channel, LetterKind, Service};
use crate::domain::concern::NewConcern;
use crate::domain::membership::NonMembership;
use crate::domain::notes::{NewNote, NoteKind};
use crate::domain::notices::{Delivery, SentBy};
use crate::domain::trends::CounterKey;

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
    /// The username of the ombuds who wrote it (`None` for notes written before authors were
    /// kept).
    pub author: Option<String>,
}

/// A message of the follow-up thread, opened.
pub struct Message {
    /// Who wrote it.
    pub author: Author,
    /// The day it was written.
    pub sent_on: NaiveDate,
    /// The text.
    pub text: SecretString,
    /// The username of the ombuds who wrote it, for the console only (`None` for what a receipt
    /// holder or the service wrote, and on every page a receipt opens).
    pub written_by: Option<String>,
    /// Its position among the case's messages.
    pub seq: i64,
    /// Whether its reader has opened the follow-up page since it was written (an ombuds
    /// message; whether, never when).
    pub opened: bool,
}

/// A correction of a recorded date, opened.
pub struct Correction {
    /// Which date.
    pub field: CaseDate,
    /// The value before.
    pub old_date: Option<NaiveDate>,
    /// The value after.
    pub new_date: NaiveDate,
    /// The day of the correction.
    pub corrected_on: NaiveDate,
    /// Why.
    pub reason: SecretString,
}

/// A letter, opened.
pub struct Letter {
    /// Identifier.
    pub id: String,
    /// What it is.
    pub kind: LetterKind,
    /// Its date.
    pub dated: NaiveDate,
    /// The day it is destroyed.
    pub expires_on: NaiveDate,
    /// The case, while it is open.
    pub case_id: Option<String>,
    /// The printable page.
    pub html: SecretString,
    /// The plain text.
    pub text: SecretString,
    /// The added party it is addressed to, while the case is open (`None`: the person who
    /// raised the concern).
    pub party_id: Option<String>,
    /// How the console names it (stored form: [`crate::letters::stored::Label`]); `None` for
    /// letters written before letters were labelled.
    pub label: Option<SecretString>,
    /// Where it stands: in a thread (opened or not), sent by the ombuds, or still to send.
    pub delivery: Delivery,
}

/// Everything the console shows about one case.
pub struct CaseDetail {
    /// Its clear fields.
    pub record: CaseRecord,
    /// The concern as raised.
    pub concern: Concern,
    /// Unexpired notes and commitments, oldest first.
    pub notes: Vec<Note>,
    /// The follow-up thread of the person who raised it, in order.
    pub messages: Vec<Message>,
    /// The parties added to it, by number, each with its own thread.
    pub parties: Vec<Party>,
    /// Its resolution plan, once the ombuds has written one.
    pub plan: Option<Plan>,
    /// Corrections of its recorded dates, in order.
    pub corrections: Vec<Correction>,
    /// Its letters, newest first.
    pub letters: Vec<Letter>,
    /// The periods in which the respondent held no REALTOR® membership, by their first day:
    /// (id, period).
    pub non_membership: Vec<(String, NonMembership)>,
}

/// What the anonymous submitter sees with their receipt while the case is open.
pub struct FollowupThread {
    /// First-contact date.
    pub first_contact: NaiveDate,
    /// Termination date, once recorded.
    pub termination_date: Option<NaiveDate>,
    /// New or open.
    pub status: CaseStatus,
    /// A formal complaint about the matter was already filed: no deadline is suspended.
    pub complaint_filed: bool,
    /// Their concern as they raised it.
    pub concern: Concern,
    /// The thread, in order.
    pub messages: Vec<Message>,
    /// Letters sent to them, newest first.
    pub letters: Vec<Letter>,
    /// The resolution plan's current version, once there is one.
    pub plan: Option<Plan>,
}

/// What an added party sees with its receipt while the case is open: its own thread, and
/// nothing of the concern or of another party's thread.
pub struct PartyThread {
    /// Its number in the case.
    pub number: u32,
    /// Its role, name, contact and language.
    pub content: PartyContent,
    /// New or open.
    pub status: CaseStatus,
    /// The day informal resolution ended, once recorded (its notice states it).
    pub termination_date: Option<NaiveDate>,
    /// Its thread, in order.
    pub messages: Vec<Message>,
    /// Letters addressed to it, newest first.
    pub letters: Vec<Letter>,
    /// The resolution plan's current version, once there is one.
    pub plan: Option<Plan>,
}

/// What a receipt opens.
pub enum Followup {
    /// The case is open: the concern, the thread and any letters.
    Open(FollowupThread),
    /// The case is open and the receipt is an added party's: that party's thread only.
    Party(PartyThread),
    /// The case is closed and destroyed; its letters are kept for a while.
    Closed(Vec<Letter>),
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
    /// Seals and stores a concern from the web intake, with the keyed hash of `receipt` (the
    /// receipt itself is never stored). Returns only after the concern is durably on disk.
    pub async fn insert_web_case(
        &self,
        concern: &NewConcern,
        first_contact: NaiveDate,
        receipt: &Receipt,
        intake_lang: Option<&str>,
    ) -> Result<(), StoreError> {
        let hash = self.secret.hash(receipt);
        self.insert_new_case(
            concern,
            (Channel::Web, intake_lang),
            CaseStatus::New,
            first_contact,
            None,
            (Some(hash), false),
        )
        .await?;
        Ok(())
    }

    /// Stores a contact an ombuds logged by hand, already open; returns the case id.
    pub async fn log_contact(
        &self,
        concern: &NewConcern,
        channel: Channel,
        first_contact: NaiveDate,
        complaint_filed: bool,
        today: NaiveDate,
    ) -> Result<String, StoreError> {
        self.insert_new_case(
            concern,
            (channel, None),
            CaseStatus::Open,
            first_contact,
            Some(today),
            (None, complaint_filed),
        )
        .await
    }

    async fn insert_new_case(
        &self,
        concern: &NewConcern,
        (channel, intake_lang): (Channel, Option<&str>),
        status: CaseStatus,
        first_contact: NaiveDate,
        opened_on: Option<NaiveDate>,
        (receipt_hash, complaint_filed): (Option<crate::crypto::ReceiptHash>, bool),
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
                    termination_date: None,
                    touched_on: None,
                    services: Vec::new(),
                    has_receipt: receipt_hash.is_some(),
                    assigned_to: None,
                    intake_lang: intake_lang.map(str::to_owned),
                    complaint_filed,
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
    pub(super) fn case_key(
        &self,
        case: &SealedCase,
    ) -> Result<Option<Arc<ContentKey>>, StoreError> {
        let Some(wrapped) = case.wrapped_key.as_deref() else {
            return Ok(None);
        };
        if let Some(key) = self.case_keys.get(&case.record.key_id) {
            return Ok(Some(key));
        }
        let key = Arc::new(self.master.unwrap_content_key(wrapped)?);
        self.case_keys.put(&case.record.key_id, key.clone());
        Ok(Some(key))
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
            .map(|n| open_note(&self.master, &key, n))
            .filter_map(Result::transpose)
            .collect::<Result<_, _>>()?;
        let mut threads = open_message_records(&key, self.backend.messages(id).await?)?;
        let parties = self
            .backend
            .parties(id)
            .await?
            .into_iter()
            .map(|record| {
                let (own, rest) = std::mem::take(&mut threads).into_iter().partition(
                    |m: &(Option<String>, Message)| m.0.as_deref() == Some(record.id.as_str()),
                );
                threads = rest;
                open_party(&key, record, own.into_iter().map(|(_, m)| m).collect())
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        // Messages of no listed party are the submitter's thread (party `None`).
        let messages = threads
            .into_iter()
            .filter(|(party, _)| party.is_none())
            .map(|(_, m)| m)
            .collect();
        let corrections = self
            .backend
            .corrections(id)
            .await?
            .into_iter()
            .map(|c| {
                Ok(Correction {
                    reason: content::text_from(&key.open(&c.sealed_reason)?)?,
                    field: c.field,
                    old_date: c.old_date,
                    new_date: c.new_date,
                    corrected_on: c.corrected_on,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        let letters = self.open_letters(LetterQuery::Case(id), today).await?;
        let plan = self.open_plan(&key, id).await?;
        let mut non_membership = self
            .backend
            .non_membership(id)
            .await?
            .into_iter()
            .map(|(pid, sealed)| Ok((pid, content::period_from(&key.open(&sealed)?)?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        non_membership.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
        Ok(Some(CaseDetail {
            non_membership,
            record: case.record,
            concern,
            notes,
            messages,
            parties,
            plan,
            corrections,
            letters,
        }))
    }

    async fn open_letters(
        &self,
        of: LetterQuery<'_>,
        today: NaiveDate,
    ) -> Result<Vec<Letter>, StoreError> {
        let sealed = self.backend.letters(of, today).await?;
        self.open_sealed_letters(sealed)
    }

    fn open_sealed_letters(&self, sealed: Vec<SealedLetter>) -> Result<Vec<Letter>, StoreError> {
        let mut letters = Vec::with_capacity(sealed.len());
        for SealedLetter {
            record,
            wrapped_key,
        } in sealed
        {
            // A letter whose key is gone has been destroyed.
            let Some(wrapped) = wrapped_key else { continue };
            let key = self.master.unwrap_content_key(&wrapped)?;
            let label = match &record.sealed_label {
                Some(sealed) => Some(content::text_from(&key.open(sealed)?)?),
                None => None,
            };
            letters.push(Letter {
                html: content::text_from(&key.open(&record.sealed_html)?)?,
                text: content::text_from(&key.open(&record.sealed_text)?)?,
                label,
                delivery: Delivery::of(record.to_thread, record.opened, record.sent),
                party_id: record.party_id,
                id: record.id,
                kind: record.kind,
                dated: record.dated,
                expires_on: record.expires_on,
                case_id: record.case_id,
            });
        }
        Ok(letters)
    }

    /// One unexpired letter by id (for the console).
    pub async fn letter(&self, id: &str, today: NaiveDate) -> Result<Option<Letter>, StoreError> {
        Ok(self
            .open_letters(LetterQuery::Id(id), today)
            .await?
            .into_iter()
            .next())
    }

    /// Records that a receipt holder opened the follow-up page showing letters `ids`.
    pub async fn mark_letters_opened(&self, ids: &[String]) -> Result<(), StoreError> {
        self.backend.mark_letters_opened(ids).await
    }

    /// Records that a receipt holder opened the follow-up page showing messages `seqs`.
    pub async fn mark_messages_opened(&self, seqs: &[i64]) -> Result<(), StoreError> {
        self.backend.mark_messages_opened(seqs).await
    }

    /// Records that the ombuds sent letter `id` on `on` by `by`; false if there is no such
    /// letter still to send.
    pub async fn mark_letter_sent(
        &self,
        id: &str,
        on: NaiveDate,
        by: SentBy,
    ) -> Result<bool, StoreError> {
        self.backend.mark_letter_sent(id, on, by).await
    }

    /// Every unexpired letter, newest first (for the console).
    pub async fn all_letters(&self, today: NaiveDate) -> Result<Vec<Letter>, StoreError> {
        self.open_letters(LetterQuery::All, today).await
    }

    /// Records a case's first-contact or termination date. When it replaces a recorded value,
    /// the old value and the reason (sealed to the case's key) are kept with the case. False if
    /// there is no such case.
    pub async fn set_case_date(
        &self,
        case_id: &str,
        field: CaseDate,
        date: NaiveDate,
        reason: Option<&SecretString>,
        today: NaiveDate,
    ) -> Result<bool, StoreError> {
        let Some(case) = self.backend.case(case_id).await? else {
            return Ok(false);
        };
        let old_date = match field {
            CaseDate::FirstContact => Some(case.record.first_contact),
            CaseDate::Termination => case.record.termination_date,
        };
        let correction = match reason {
            Some(reason) if old_date != Some(date) => Some(CorrectionRecord {
                field,
                old_date,
                new_date: date,
                corrected_on: today,
                sealed_reason: seal_to(&case.record.recipient, reason.expose_secret().as_bytes())?,
            }),
            _ => None,
        };
        self.backend
            .set_case_date(case_id, field, date, correction)
            .await
    }

    /// Seals a letter of an open case under a new key of its own, kept until `expires_on` (the
    /// day it is destroyed, with its key, as the caller decided it); returns its id, or `None`
    /// if there is no such case.
    pub async fn add_letter(
        &self,
        case_id: &str,
        party_id: Option<&str>,
        kind: LetterKind,
        dated: NaiveDate,
        expires_on: NaiveDate,
        (label, html, text): (&str, &str, &str),
    ) -> Result<Option<String>, StoreError> {
        let (key, wrapped_key) = self.master.new_content_key()?;
        let id = random::new_id()?;
        let stored = self
            .backend
            .insert_letter(
                LetterRecord {
                    id: id.clone(),
                    case_id: Some(case_id.to_owned()),
                    kind,
                    dated,
                    expires_on,
                    key_id: random::new_id()?,
                    sealed_html: key.seal(html.as_bytes())?,
                    sealed_text: key.seal(text.as_bytes())?,
                    party_id: party_id.map(str::to_owned),
                    sealed_label: Some(key.seal(label.as_bytes())?),
                    to_thread: false,
                    opened: false,
                    sent: None,
                },
                wrapped_key,
            )
            .await?;
        Ok(stored.then_some(id))
    }

    /// Opens a new case on `today`; false if there is no such case.
    pub async fn open_case(&self, id: &str, today: NaiveDate) -> Result<bool, StoreError> {
        self.backend.open_case(id, today).await
    }

    /// Records the services given on a case; false if there is no such case.
    pub async fn set_services(&self, id: &str, services: &[Service]) -> Result<bool, StoreError> {
        self.backend.set_services(id, services).await
    }

    /// Assigns a case to the ombuds named `username`, or to nobody; false if there is no such
    /// case.
    pub async fn assign_case(&self, id: &str, username: Option<&str>) -> Result<bool, StoreError> {
        self.backend.assign_case(id, username).await
    }

    /// Records whether a formal complaint about case `id` was already filed and referred to the
    /// ombuds; false if there is no such case.
    pub async fn set_complaint_filed(&self, id: &str, filed: bool) -> Result<bool, StoreError> {
        self.backend.set_complaint_filed(id, filed).await
    }

    /// Records that an ombuds did something on case `id` on `day`; false if there is no such
    /// case.
    pub async fn touch_case(&self, id: &str, day: NaiveDate) -> Result<bool, StoreError> {
        self.backend.touch_case(id, day).await
    }

    /// Gives case `id`, which has none, the keyed hash of `receipt` (the receipt itself is never
    /// stored); its letters to the person that are still to send take it too. `None` if there is
    /// no such case, `Some(false)` (changing nothing) if it holds a receipt already.
    pub async fn issue_case_receipt(
        &self,
        id: &str,
        receipt: &Receipt,
    ) -> Result<Option<bool>, StoreError> {
        let hash = self.secret.hash(receipt);
        self.backend.set_case_receipt(id, &hash).await
    }

    /// Seals a period of non-membership to case `case_id`'s key and adds it; its id, or `None`
    /// if there is no such case.
    pub async fn add_non_membership(
        &self,
        case_id: &str,
        period: &NonMembership,
    ) -> Result<Option<String>, StoreError> {
        let Some(case) = self.backend.case(case_id).await? else {
            return Ok(None);
        };
        let sealed = seal_to(&case.record.recipient, &content::period_plaintext(period)?)?;
        let id = random::new_id()?;
        let stored = self
            .backend
            .insert_non_membership(case_id, &id, sealed)
            .await?;
        Ok(stored.then_some(id))
    }

    /// Removes a period of non-membership from a case; false if it has no such period.
    pub async fn remove_non_membership(&self, case_id: &str, id: &str) -> Result<bool, StoreError> {
        self.backend.delete_non_membership(case_id, id).await
    }

    /// Seals and adds a note written by the ombuds named `author` to a case; returns its id, or
    /// `None` if there is no such case. The author is sealed as the text is.
    pub async fn add_note(
        &self,
        case_id: &str,
        note: &NewNote,
        author: &str,
        today: NaiveDate,
    ) -> Result<Option<String>, StoreError> {
        let Some(case) = self.backend.case(case_id).await? else {
            return Ok(None);
        };
        // Sealed first to the key of its expiry day, then to the case's key: destroying either
        // destroys the note, in every copy of the database.
        let day_recipient = self.day_recipient(note.expires_on).await?;
        let inner = Zeroizing::new(seal_to(
            &day_recipient,
            note.text.expose_secret().as_bytes(),
        )?);
        let inner_author = seal_to(&day_recipient, author.as_bytes())?;
        let id = random::new_id()?;
        let stored = self
            .backend
            .insert_note(NoteRecord {
                id: id.clone(),
                case_id: case_id.to_owned(),
                kind: note.kind,
                due_on: note.due_on,
                expires_on: note.expires_on,
                written_on: today,
                done: false,
                sealed: seal_to(&case.record.recipient, &inner)?,
                sealed_author: Some(seal_to(&case.record.recipient, &inner_author)?),
                day_key: None,
            })
            .await?;
        Ok(stored.then_some(id))
    }

    /// The public key for content expiring on `day`, made on first use.
    async fn day_recipient(&self, day: NaiveDate) -> Result<String, StoreError> {
        let (key, wrapped) = self.master.new_content_key()?;
        self.backend.day_key(day, (key.recipient(), wrapped)).await
    }

    /// Makes `certificate_id` the current certificate of case `case_id`, registering the one it
    /// replaces as superseded; false if there is no such case.
    pub async fn replace_certificate(
        &self,
        case_id: &str,
        certificate_id: &str,
    ) -> Result<bool, StoreError> {
        self.backend
            .replace_certificate(case_id, certificate_id)
            .await
    }

    /// The certificate that now stands for certificate `id`, if corrections superseded it
    /// (following a chain of corrections to its end).
    pub async fn superseded_by(&self, id: &str) -> Result<Option<String>, StoreError> {
        let mut current = id.to_owned();
        let mut replaced = None;
        // A chain is as long as the corrections of one case; the bound only guards a loop.
        for _ in 0..64 {
            match self.backend.superseded_by(&current).await? {
                Some(next) => {
                    current = next.clone();
                    replaced = Some(next);
                }
                None => break,
            }
        }
        Ok(replaced)
    }

    /// Destroys a note of a case at once, then pushes it out of the engine's own old copies
    /// (SQLite's WAL; PostgreSQL's dead rows), as the sweep does; false if there is no such note.
    pub async fn destroy_note(&self, case_id: &str, note_id: &str) -> Result<bool, StoreError> {
        if !self.backend.delete_note(case_id, note_id).await? {
            return Ok(false);
        }
        self.backend.checkpoint().await?;
        Ok(true)
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

    /// Seals and adds a reply the service writes itself (a notice's message) to a case's
    /// follow-up thread.
    pub async fn reply(
        &self,
        case_id: &str,
        text: &SecretString,
        today: NaiveDate,
    ) -> Result<ReplyOutcome, StoreError> {
        self.reply_by(case_id, text, None, today).await
    }

    /// Seals and adds an ombuds reply to a case's follow-up thread, with the username of the
    /// ombuds who wrote it (`author`) sealed beside it.
    pub async fn reply_by(
        &self,
        case_id: &str,
        text: &SecretString,
        author: Option<&str>,
        today: NaiveDate,
    ) -> Result<ReplyOutcome, StoreError> {
        let Some(case) = self.backend.case(case_id).await? else {
            return Ok(ReplyOutcome::NoSuchCase);
        };
        if !case.record.has_receipt {
            return Ok(ReplyOutcome::NoThread);
        }
        let recipient = &case.record.recipient;
        let message = NewMessage {
            party: None,
            author: Author::Ombuds,
            sent_on: today,
            sealed: seal_to(recipient, text.expose_secret().as_bytes())?,
            sealed_author: author
                .map(|a| seal_to(recipient, a.as_bytes()))
                .transpose()?,
        };
        let stored = self.backend.insert_message(case_id, message).await?;
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
                let case_id = due.note.case_id.clone();
                Ok(open_note(&self.master, &key, due.note)?
                    .map(|note| Commitment { case_id, note }))
            })
            .filter_map(Result::transpose)
            .collect()
    }

    /// The clear fields of case `id`, without opening anything; `None` if there is no such case.
    pub async fn case_record(&self, id: &str) -> Result<Option<CaseRecord>, StoreError> {
        Ok(self.backend.case(id).await?.map(|case| case.record))
    }

    /// Destroys case `case` in one write: its row, notes, thread and key, adding `counters` to
    /// the board's trend counters in the same write. False if there was no such case.
    pub async fn destroy_case(
        &self,
        case: &CaseRecord,
        counters: Vec<CounterKey>,
    ) -> Result<bool, StoreError> {
        let counters = counters
            .into_iter()
            .map(|key| (key.code(), key.month().to_string()))
            .collect();
        let destroyed = self.backend.destroy_case(&case.id, counters).await?;
        self.case_keys.forget(&case.key_id);
        Ok(destroyed.is_some())
    }

    /// What a receipt opens: the open case, or a closed case's letters, or `None` — the same
    /// `None` whether the receipt never existed or its case and letters have been destroyed.
    pub async fn followup(
        &self,
        receipt: &Receipt,
        today: NaiveDate,
    ) -> Result<Option<Followup>, StoreError> {
        let hash = self.secret.hash(receipt);
        let found = self.backend.followup(&hash, today).await?;
        let letters = self.open_sealed_letters(found.letters)?;
        let case = match found.case {
            Some(case) => case,
            None if letters.is_empty() => return Ok(None),
            None => return Ok(Some(Followup::Closed(letters))),
        };
        let Some(key) = self.case_key(&case)? else {
            return Ok(None);
        };
        let messages = open_message_records(&key, found.messages)?
            .into_iter()
            .map(|(_, m)| m)
            .collect();
        let plan = if found.may_have_plan {
            self.open_plan(&key, &case.record.id).await?
        } else {
            None
        };
        if let Some(party) = found.party {
            return Ok(Some(Followup::Party(PartyThread {
                number: party.number,
                content: content::party_from(&key.open(&party.sealed)?)?,
                status: case.record.status,
                termination_date: case.record.termination_date,
                messages,
                letters,
                plan,
            })));
        }
        let concern = content::concern_from(&key.open(&case.sealed)?)?;
        Ok(Some(Followup::Open(FollowupThread {
            first_contact: case.record.first_contact,
            termination_date: case.record.termination_date,
            status: case.record.status,
            complaint_filed: case.record.complaint_filed,
            concern,
            messages,
            letters,
            plan,
        })))
    }

    /// Adds the receipt holder's message to the thread their receipt opens (the submitter's,
    /// or an added party's own); false if it opens none.
    pub async fn followup_message(
        &self,
        receipt: &Receipt,
        text: &SecretString,
        today: NaiveDate,
    ) -> Result<bool, StoreError> {
        let hash = self.secret.hash(receipt);
        // Both questions are asked for every receipt, right or wrong, so that no kind of
        // receipt takes a path of its own.
        let party = self.backend.party_by_receipt(&hash).await?;
        let by_case = self.backend.case_by_receipt(&hash).await?;
        let (case, party) = match party {
            Some(party) => match self.backend.case(&party.case_id).await? {
                Some(case) => (case, Some(party.id)),
                None => return Ok(false),
            },
            None => match by_case {
                Some(case) => (case, None),
                None => return Ok(false),
            },
        };
        let sealed = seal_to(&case.record.recipient, text.expose_secret().as_bytes())?;
        let message = NewMessage {
            party,
            author: Author::Submitter,
            sent_on: today,
            sealed,
            sealed_author: None,
        };
        self.backend.insert_message(&case.record.id, message).await
    }
}

/// Opens thread messages, each with the party whose thread it is in (`None`: the submitter's).
fn open_message_records(
    key: &ContentKey,
    records: Vec<MessageRecord>,
) -> Result<Vec<(Option<String>, Message)>, StoreError> {
    records
        .into_iter()
        .map(|m| {
            let written_by = match &m.sealed_author {
                Some(sealed) => Some(author_from(&key.open(sealed)?)?),
                None => None,
            };
            Ok((
                m.party,
                Message {
                    author: m.author,
                    sent_on: m.sent_on,
                    text: content::text_from(&key.open(&m.sealed)?)?,
                    written_by,
                    seq: m.seq,
                    opened: m.opened,
                },
            ))
        })
        .collect()
}

/// Opens a note through its case's key and its expiry day's key; `None` once the day key has
/// been destroyed (the note is gone even if its row is not yet swept).
fn open_note(
    master: &MasterKey,
    key: &ContentKey,
    note: NoteRecord,
) -> Result<Option<Note>, StoreError> {
    let Some(day_wrapped) = note.day_key else {
        return Ok(None);
    };
    let day_key = master.unwrap_content_key(&day_wrapped)?;
    let inner = key.open(&note.sealed)?;
    let author = match &note.sealed_author {
        Some(sealed) => Some(author_from(&day_key.open(&key.open(sealed)?)?)?),
        None => None,
    };
    Ok(Some(Note {
        text: content::text_from(&day_key.open(&inner)?)?,
        author,
        id: note.id,
        kind: note.kind,
        due_on: note.due_on,
        expires_on: note.expires_on,
        done: note.done,
    }))
}

/// Reads an opened author: a staff account's username.
fn author_from(plaintext: &[u8]) -> Result<String, StoreError> {
    String::from_utf8(plaintext.to_vec())
        .map_err(|_| StoreError::Database("a sealed author is not UTF-8".into()))
}
