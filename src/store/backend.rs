//! The interface every database engine implements. It carries ciphertext, wrapped keys and the
//! few fields stored in the clear — never plaintext — and says nothing about SQL.
//!
//! The interface is cut into one trait per section (cases, notes, the thread, letters, trends,
//! accounts, retention), and [`Backend`] is all of them plus running the engine; each engine
//! implements each section in a file of that section's name. The facade holds a
//! `dyn Backend`, on which every section's methods can be called.
//!
//! Dates are the association's calendar dates; times (staff sessions and throttling only) are
//! Unix seconds.

use async_trait::async_trait;
use chrono::NaiveDate;

use super::StoreError;
use crate::crypto::ReceiptHash;
use crate::domain::access::{GrantKind, GrantState};
use crate::domain::account::Role;
use crate::domain::case::{Author, CaseDate, CaseStatus, Channel, LetterKind, Service};
use crate::domain::concern::{Category, RaisedBy};
use crate::domain::notes::NoteKind;
use crate::domain::notices::SentBy;
use crate::domain::plan::Answer;

/// The clear fields of a case.
#[derive(Debug, Clone)]
pub struct CaseRecord {
    /// Random identifier.
    pub id: String,
    /// New (inbox) or open.
    pub status: CaseStatus,
    /// How it reached the ombuds.
    pub channel: Channel,
    /// Kind of concern.
    pub category: Category,
    /// Who raised it.
    pub raised_by: RaisedBy,
    /// First-contact date (suspends the filing deadline).
    pub first_contact: NaiveDate,
    /// When an ombuds opened it.
    pub opened_on: Option<NaiveDate>,
    /// When informal resolution ended, once recorded.
    pub termination_date: Option<NaiveDate>,
    /// The last day an ombuds did something on it after opening it (`None` until then: the
    /// day it was opened counts).
    pub touched_on: Option<NaiveDate>,
    /// Services given so far.
    pub services: Vec<Service>,
    /// Whether the person who raised it holds a receipt (web cases, and contacts logged by hand
    /// that were issued one).
    pub has_receipt: bool,
    /// The username of the ombuds the case is assigned to, if any.
    pub assigned_to: Option<String>,
    /// The code of the language of the intake page a web concern came through (`en`, `es`);
    /// `None` for a contact logged by hand.
    pub intake_lang: Option<String>,
    /// Whether a formal ethics complaint about the matter was already filed and referred to the
    /// ombuds: no filing deadline is suspended, and the letters at the end say what becomes of
    /// the complaint.
    pub complaint_filed: bool,
    /// Public half of the case's content key, for sealing more content to it.
    pub recipient: String,
    /// Identifier of the content key in the key store.
    pub key_id: String,
}

/// A new case with everything the database keeps of it.
pub struct NewCase {
    /// Its clear fields.
    pub record: CaseRecord,
    /// Keyed hash of the receipt, for web cases.
    pub receipt_hash: Option<ReceiptHash>,
    /// The content key wrapped to the master key (for the key store).
    pub wrapped_key: Vec<u8>,
    /// The concern as raised, sealed to the content key.
    pub sealed: Vec<u8>,
}

/// A case with its sealed concern and wrapped key.
pub struct SealedCase {
    /// Its clear fields.
    pub record: CaseRecord,
    /// The wrapped content key; `None` if the key store no longer holds it.
    pub wrapped_key: Option<Vec<u8>>,
    /// The concern as raised, sealed.
    pub sealed: Vec<u8>,
}

/// A case as listed in the console.
#[derive(Debug, Clone)]
pub struct CaseListing {
    /// Its clear fields.
    pub record: CaseRecord,
    /// The last message in its thread is from the submitter.
    pub awaiting_reply: bool,
    /// Commitments not yet done and not expired.
    pub open_commitments: u32,
}

/// A working note or commitment, sealed.
#[derive(Debug, Clone)]
pub struct NoteRecord {
    /// Random identifier.
    pub id: String,
    /// The case it belongs to.
    pub case_id: String,
    /// Note or commitment.
    pub kind: NoteKind,
    /// When a commitment is due.
    pub due_on: Option<NaiveDate>,
    /// The day it is destroyed.
    pub expires_on: NaiveDate,
    /// The day it was written.
    pub written_on: NaiveDate,
    /// Whether a commitment is done.
    pub done: bool,
    /// The text, sealed to its expiry day's key and then to the case's key.
    pub sealed: Vec<u8>,
    /// The username of the ombuds who wrote it, sealed as the text is; `None` for a note
    /// written before authors were kept.
    pub sealed_author: Option<Vec<u8>>,
    /// Its expiry day's key, wrapped (when read); `None` once destroyed.
    pub day_key: Option<Vec<u8>>,
}

/// A message of a follow-up thread, sealed.
#[derive(Debug, Clone)]
pub struct MessageRecord {
    /// Position in the case's threads.
    pub seq: i64,
    /// The added party whose thread it is in; `None` for the thread of the person who raised
    /// the concern.
    pub party: Option<String>,
    /// Who wrote it.
    pub author: Author,
    /// The day it was written.
    pub sent_on: NaiveDate,
    /// The text, sealed to the case's key.
    pub sealed: Vec<u8>,
    /// The username of the ombuds who wrote it, sealed to the case's key; `None` for what a
    /// receipt holder wrote, what the service wrote itself, and what was written before
    /// authors were kept.
    pub sealed_author: Option<Vec<u8>>,
    /// Whether its reader has opened the follow-up page since (an ombuds message; read only).
    pub opened: bool,
}

/// A message to append to a thread, sealed.
pub struct NewMessage {
    /// The thread: the submitter's (`None`) or an added party's.
    pub party: Option<String>,
    /// Who wrote it.
    pub author: Author,
    /// The day it was written.
    pub sent_on: NaiveDate,
    /// The text, sealed to the case's key.
    pub sealed: Vec<u8>,
    /// The username of the ombuds who wrote it, sealed to the case's key.
    pub sealed_author: Option<Vec<u8>>,
}

/// A party added to a case (the person who raised it is the case itself), sealed.
#[derive(Debug, Clone)]
pub struct PartyRecord {
    /// Random identifier.
    pub id: String,
    /// Its case.
    pub case_id: String,
    /// Its number in the case: 2, 3, ... (1 is the person who raised the concern).
    pub number: u32,
    /// Whether it holds a receipt of its own.
    pub has_receipt: bool,
    /// Its role, name, contact and language, sealed to the case's key.
    pub sealed: Vec<u8>,
}

/// A party to add, with the keyed hash of its receipt if it is given one.
pub struct NewPartyRecord {
    /// Random identifier.
    pub id: String,
    /// Its case.
    pub case_id: String,
    /// Keyed hash of its receipt.
    pub receipt_hash: Option<ReceiptHash>,
    /// Its role, name, contact and language, sealed to the case's key.
    pub sealed: Vec<u8>,
}

/// A commitment coming due, with what is needed to open it.
pub struct DueCommitment {
    /// The commitment.
    pub note: NoteRecord,
    /// The wrapped key of its case.
    pub wrapped_key: Vec<u8>,
}

/// A correction of a recorded date, with its sealed reason.
#[derive(Debug, Clone)]
pub struct CorrectionRecord {
    /// Which date.
    pub field: CaseDate,
    /// The value before.
    pub old_date: Option<NaiveDate>,
    /// The value after.
    pub new_date: NaiveDate,
    /// The day of the correction.
    pub corrected_on: NaiveDate,
    /// Why, sealed to the case's key.
    pub sealed_reason: Vec<u8>,
}

/// A letter, sealed under a key of its own.
#[derive(Debug, Clone)]
pub struct LetterRecord {
    /// Random identifier.
    pub id: String,
    /// The case, while it is open.
    pub case_id: Option<String>,
    /// What the letter is.
    pub kind: LetterKind,
    /// Its date.
    pub dated: NaiveDate,
    /// The day it is destroyed.
    pub expires_on: NaiveDate,
    /// Identifier of its key in the key store.
    pub key_id: String,
    /// The printable page, sealed.
    pub sealed_html: Vec<u8>,
    /// The plain text, sealed.
    pub sealed_text: Vec<u8>,
    /// The added party it is addressed to, while the party exists (`None`: the person who
    /// raised the concern).
    pub party_id: Option<String>,
    /// How the console names it (see [`crate::letters::stored::Label`]), sealed; `None` for a
    /// letter written before letters were labelled.
    pub sealed_label: Option<Vec<u8>>,
    /// Whether it went to a receipt holder's thread (read only; set from the receipt hash).
    pub to_thread: bool,
    /// Whether that holder has opened the follow-up page since (read only).
    pub opened: bool,
    /// When and how the ombuds sent it to a party without a receipt (read only).
    pub sent: Option<(NaiveDate, SentBy)>,
}

/// A letter with its wrapped key.
pub struct SealedLetter {
    /// The letter.
    pub record: LetterRecord,
    /// Its wrapped key; `None` if the key store no longer holds it.
    pub wrapped_key: Option<Vec<u8>>,
}

/// What one sweep destroyed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Expired notes and commitments deleted.
    pub notes: u64,
    /// Day keys destroyed.
    pub day_keys: u64,
    /// Expired letters deleted, with their keys.
    pub letters: u64,
    /// Timed-out sessions deleted.
    pub sessions: u64,
    /// Expired enrolment links deleted.
    pub enrolments: u64,
    /// Sign-in throttling entries that no longer count.
    pub throttles: u64,
    /// Grants of case access no longer listed.
    pub grants: u64,
    /// Keys that no case or letter used (left by an interrupted write).
    pub orphan_keys: u64,
}

impl SweepReport {
    /// Total rows and keys destroyed.
    pub fn total(&self) -> u64 {
        self.notes
            + self.day_keys
            + self.letters
            + self.sessions
            + self.enrolments
            + self.throttles
            + self.grants
            + self.orphan_keys
    }
}

/// How busy one connection pool (or the SQLite writer's queue) is at this moment.
#[derive(Debug, Clone, Copy)]
pub struct PoolUse {
    /// Which pool: `main`, `keys`, `readers` or `writer_queue`.
    pub name: &'static str,
    /// Connections open (for the writer: jobs waiting).
    pub size: u32,
    /// Connections open and idle (for the writer: 0).
    pub idle: u32,
    /// The most connections the pool opens (for the writer: the queue's capacity).
    pub max: u32,
}

/// The cut-offs of one sweep: what is at or before them has expired.
#[derive(Debug, Clone, Copy)]
pub struct SweepCutoffs {
    /// Today: notes, day keys and letters expiring on or before it go.
    pub today: NaiveDate,
    /// Now, Unix seconds: enrolment links and blocks ending by then go.
    pub now: i64,
    /// Sessions last used at or before this go (idle timeout).
    pub idle_before: i64,
    /// Sessions created at or before this go (absolute timeout).
    pub created_before: i64,
    /// Throttling windows that began at or before this, and are not blocking, go.
    pub window_before: i64,
    /// Decided grants of case access last changed before this day go.
    pub grants_before: NaiveDate,
    /// Most rows deleted in one write.
    pub batch: u32,
}

/// How much of one class is held now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holding {
    /// Items held.
    pub count: u64,
    /// When the next one expires (a date), if the class expires by date.
    pub next_expiry: Option<NaiveDate>,
    /// The oldest item's date.
    pub oldest: Option<NaiveDate>,
}

/// Everything a receipt opens, read together.
pub struct FollowupRecord {
    /// The open case, if there is one.
    pub case: Option<SealedCase>,
    /// The party the receipt is of, when it is an added party's (`case` is then its case).
    pub party: Option<PartyRecord>,
    /// The receipt's own thread, in order: the party's, or the submitter's.
    pub messages: Vec<MessageRecord>,
    /// The unexpired letters for the receipt (also after the case is closed), newest first.
    pub letters: Vec<SealedLetter>,
    /// Whether the case may have a resolution plan: `false` only where the look-up read that
    /// it has none, so that the plan is not asked for again.
    pub may_have_plan: bool,
}

/// A staff account. Its `Debug` leaves out the password hash and the sealed TOTP secret.
#[derive(Clone)]
pub struct UserRecord {
    /// Random identifier.
    pub id: String,
    /// Sign-in name.
    pub username: String,
    /// What the account may do.
    pub role: Role,
    /// argon2id PHC string.
    pub password_hash: String,
    /// TOTP secret sealed to the master key.
    pub totp_sealed: Vec<u8>,
    /// The last TOTP step accepted (a code is never accepted twice).
    pub totp_last_step: i64,
    /// Whether the account may sign in.
    pub disabled: bool,
    /// Whether an ombuds account may read cases (false while a grant waits for confirmation).
    pub case_access: bool,
}

impl std::fmt::Debug for UserRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRecord")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("role", &self.role)
            .field("disabled", &self.disabled)
            .finish_non_exhaustive()
    }
}

/// A one-time enrolment link.
#[derive(Debug, Clone)]
pub struct EnrolmentRecord {
    /// SHA-256 of the link's token.
    pub token_hash: [u8; 32],
    /// The account's name, or `None` for the first administrator to choose.
    pub username: Option<String>,
    /// The account's role.
    pub role: Role,
    /// The TOTP secret to be confirmed, sealed to the master key.
    pub totp_sealed: Vec<u8>,
    /// When the link stops working.
    pub expires_at: i64,
    /// The grant of case access this link completes, if it gives an ombuds account.
    pub grant: Option<String>,
}

/// A grant of case access: a new ombuds account or a reset of one, and where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantRecord {
    /// Random identifier.
    pub id: String,
    /// The account it gives access to.
    pub username: String,
    /// New account or reset.
    pub kind: GrantKind,
    /// Where it stands.
    pub state: GrantState,
    /// The administrator who asked, or `command line`.
    pub requested_by: String,
    /// The day it was asked for.
    pub requested_on: NaiveDate,
    /// The day its link was used.
    pub enrolled_on: Option<NaiveDate>,
    /// The ombuds who confirmed or refused it, or `command line`.
    pub decided_by: Option<String>,
    /// The day it was confirmed or refused.
    pub decided_on: Option<NaiveDate>,
}

/// What deciding a grant did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantDecision {
    /// Confirmed (the account reads cases now) or refused (the account is disabled).
    Done,
    /// No grant with that identifier.
    NotFound,
    /// The grant is not waiting for a confirmation (its link is unused, or it was decided).
    NotWaiting,
    /// The one deciding is the account the grant is for.
    OwnAccount,
}

/// A staff session.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    /// SHA-256 of the cookie's token.
    pub token_hash: [u8; 32],
    /// The account.
    pub user_id: String,
    /// Sign-in time.
    pub created_at: i64,
    /// Last request.
    pub last_seen: i64,
}

/// A session with its account's current standing.
#[derive(Debug, Clone)]
pub struct SessionWithUser {
    /// The session.
    pub session: SessionRecord,
    /// The account's name.
    pub username: String,
    /// The account's role.
    pub role: Role,
    /// Whether the account is disabled.
    pub disabled: bool,
    /// Whether the account may read cases (an ombuds account whose grant is confirmed).
    pub case_access: bool,
}

/// Which letters to read.
#[derive(Debug, Clone, Copy)]
pub enum LetterQuery<'a> {
    /// The letters of an open case.
    Case(&'a str),
    /// The letters a receipt opens (also after the case is closed).
    Receipt(&'a ReceiptHash),
    /// One letter.
    Id(&'a str),
    /// Every letter.
    All,
}

/// Cases and the content sealed with them: intake, the console's list and reads, the
/// recorded dates and their corrections, and closing (which destroys).
#[async_trait]
pub trait CaseRows: Send + Sync {
    /// Stores a new case and its wrapped key; returns once both are durable.
    async fn insert_case(&self, case: NewCase) -> Result<(), StoreError>;
    /// All cases, newest first-contact first.
    async fn list_cases(&self, today: NaiveDate) -> Result<Vec<CaseListing>, StoreError>;
    /// One case by id.
    async fn case(&self, id: &str) -> Result<Option<SealedCase>, StoreError>;
    /// Makes `certificate_id` the current certificate of case `case_id` and, in the same write,
    /// registers the one it replaces (if any) as superseded by it; false if no such case.
    async fn replace_certificate(
        &self,
        case_id: &str,
        certificate_id: &str,
    ) -> Result<bool, StoreError>;
    /// The certificate that replaced certificate `id`, if a correction superseded it.
    async fn superseded_by(&self, id: &str) -> Result<Option<String>, StoreError>;
    /// One case by the keyed hash of its receipt.
    async fn case_by_receipt(
        &self,
        receipt: &ReceiptHash,
    ) -> Result<Option<SealedCase>, StoreError>;
    /// The added party whose receipt has this keyed hash.
    async fn party_by_receipt(
        &self,
        receipt: &ReceiptHash,
    ) -> Result<Option<PartyRecord>, StoreError>;
    /// Adds a party to a case, numbered after the case's last; returns its number, or `None`
    /// (changing nothing) if there is no such case.
    async fn insert_party(&self, party: NewPartyRecord) -> Result<Option<u32>, StoreError>;
    /// A case's added parties, by number.
    async fn parties(&self, case_id: &str) -> Result<Vec<PartyRecord>, StoreError>;
    /// Deletes party `party_id` of case `case_id` with its thread and its answer to the plan;
    /// returns its number, or `None` (changing nothing) if the case has no such party.
    async fn delete_party(&self, case_id: &str, party_id: &str) -> Result<Option<u32>, StoreError>;
    /// Marks a new case open on `today`; false if there is no such case.
    async fn open_case(&self, id: &str, today: NaiveDate) -> Result<bool, StoreError>;
    /// Replaces a case's services; false if there is no such case.
    async fn set_services(&self, id: &str, services: &[Service]) -> Result<bool, StoreError>;
    /// Assigns a case to the ombuds named `username`, or to nobody; false if there is no such
    /// case.
    async fn assign_case(&self, id: &str, username: Option<&str>) -> Result<bool, StoreError>;

    /// Records whether a formal complaint about case `id` was already filed; false if there is
    /// no such open case.
    async fn set_complaint_filed(&self, id: &str, filed: bool) -> Result<bool, StoreError>;
    /// Records that an ombuds did something on case `id` on `day` (its `touched_on`); false if
    /// there is no such case.
    async fn touch_case(&self, id: &str, day: NaiveDate) -> Result<bool, StoreError>;
    /// Gives a case that has no receipt the keyed hash of one, in one write with the letters to
    /// the person who raised it that are still to send (they take the hash, so that the person
    /// reads them with the receipt). `None` if there is no such case; `Some(false)`, changing
    /// nothing, if it holds a receipt already.
    async fn set_case_receipt(
        &self,
        id: &str,
        receipt: &ReceiptHash,
    ) -> Result<Option<bool>, StoreError>;
    /// A case's periods of the respondent's non-membership, sealed: (id, sealed).
    async fn non_membership(&self, case_id: &str) -> Result<Vec<(String, Vec<u8>)>, StoreError>;
    /// Adds a sealed period of non-membership to a case; false if there is no such case.
    async fn insert_non_membership(
        &self,
        case_id: &str,
        id: &str,
        sealed: Vec<u8>,
    ) -> Result<bool, StoreError>;
    /// Deletes a period of non-membership; false if the case has no such period.
    async fn delete_non_membership(&self, case_id: &str, id: &str) -> Result<bool, StoreError>;
    /// Records a case's first-contact or termination date, with a correction (old value and
    /// sealed reason) when one is given. False if there is no such case.
    async fn set_case_date(
        &self,
        case_id: &str,
        field: CaseDate,
        date: NaiveDate,
        correction: Option<CorrectionRecord>,
    ) -> Result<bool, StoreError>;
    /// A case's date corrections, in order.
    async fn corrections(&self, case_id: &str) -> Result<Vec<CorrectionRecord>, StoreError>;
    /// Destroys a case — its row, notes, messages and its key — and adds one to each trend
    /// counter in `counters` (key, month), in one write. Returns the clear fields the case had,
    /// or `None` (changing nothing) if there was no such case.
    async fn destroy_case(
        &self,
        id: &str,
        counters: Vec<(String, String)>,
    ) -> Result<Option<CaseRecord>, StoreError>;
}

/// Working notes and commitments, each sealed under its expiry day's key.
#[async_trait]
pub trait NoteRows: Send + Sync {
    /// A case's notes that have not expired by `today`, oldest first.
    async fn notes(&self, case_id: &str, today: NaiveDate) -> Result<Vec<NoteRecord>, StoreError>;
    /// Adds a note; false if there is no such case.
    async fn insert_note(&self, note: NoteRecord) -> Result<bool, StoreError>;
    /// Marks a commitment done or not; false if there is no such unexpired note on that case.
    async fn set_note_done(
        &self,
        case_id: &str,
        note_id: &str,
        done: bool,
        today: NaiveDate,
    ) -> Result<bool, StoreError>;
    /// Deletes a note of a case at once (a mediation note ends with the meeting); false if there
    /// is no such note on that case.
    async fn delete_note(&self, case_id: &str, note_id: &str) -> Result<bool, StoreError>;
    /// Commitments not done, not expired, due on or before `until`, soonest first.
    async fn commitments_due(
        &self,
        today: NaiveDate,
        until: NaiveDate,
    ) -> Result<Vec<DueCommitment>, StoreError>;
}

/// The anonymous follow-up thread, and everything a receipt opens.
#[async_trait]
pub trait ThreadRows: CaseRows + LetterRows {
    /// Every thread of a case (the submitter's and each party's), in order.
    async fn messages(&self, case_id: &str) -> Result<Vec<MessageRecord>, StoreError>;
    /// One thread of a case: the submitter's (`party` `None`) or one party's, in order.
    async fn thread(
        &self,
        case_id: &str,
        party: Option<&str>,
    ) -> Result<Vec<MessageRecord>, StoreError>;
    /// Appends to one thread of a case: the submitter's (`party` `None`) or that party's.
    /// False if there is no such case, or no such party on it.
    async fn insert_message(&self, case_id: &str, message: NewMessage) -> Result<bool, StoreError>;
    /// Records that the receipt holder opened the follow-up page showing messages `seqs`.
    async fn mark_messages_opened(&self, seqs: &[i64]) -> Result<(), StoreError>;
    /// What a receipt opens: its open case with key and thread, and its unexpired letters. An
    /// engine may answer this in one round trip; the default asks three questions.
    async fn followup(
        &self,
        receipt: &ReceiptHash,
        today: NaiveDate,
    ) -> Result<FollowupRecord, StoreError> {
        let letters = self.letters(LetterQuery::Receipt(receipt), today).await?;
        let party = self.party_by_receipt(receipt).await?;
        let by_case = self.case_by_receipt(receipt).await?;
        let case = match &party {
            Some(party) => self.case(&party.case_id).await?,
            None => by_case,
        };
        let messages = match &case {
            Some(case) => {
                self.thread(&case.record.id, party.as_ref().map(|p| p.id.as_str()))
                    .await?
            }
            None => Vec::new(),
        };
        Ok(FollowupRecord {
            case,
            party,
            messages,
            letters,
            may_have_plan: true,
        })
    }
}

/// Letters, which outlive their case under keys of their own.
#[async_trait]
pub trait LetterRows: Send + Sync {
    /// Stores a letter of an open case and its wrapped key; the letter takes the receipt hash of
    /// the party it is addressed to (`party_id`, else the case's), so that the party can read it
    /// after the case is closed. False if no such case, or the case has no such party.
    async fn insert_letter(
        &self,
        letter: LetterRecord,
        wrapped_key: Vec<u8>,
    ) -> Result<bool, StoreError>;
    /// Letters not expired by `today`: of one case, or for one receipt, or all; newest first.
    async fn letters(
        &self,
        of: LetterQuery<'_>,
        today: NaiveDate,
    ) -> Result<Vec<SealedLetter>, StoreError>;
    /// Records that the receipt holder opened the follow-up page showing letters `ids`.
    async fn mark_letters_opened(&self, ids: &[String]) -> Result<(), StoreError>;
    /// Records that the ombuds sent letter `id` on `on` by `by` (also after its case closed);
    /// false if there is no such letter, or it went to a thread, or it is already marked sent.
    async fn mark_letter_sent(
        &self,
        id: &str,
        on: NaiveDate,
        by: SentBy,
    ) -> Result<bool, StoreError>;
}

/// A case's resolution plan as it stands: its current terms, sealed.
#[derive(Debug, Clone)]
pub struct PlanRecord {
    /// The current version.
    pub version: u32,
    /// The day this version was written.
    pub written_on: NaiveDate,
    /// The day every party had accepted it, once they have.
    pub agreed_on: Option<NaiveDate>,
    /// The terms, sealed to the case's key.
    pub sealed: Vec<u8>,
}

/// Resolution plans and each party's answer to the current version.
#[async_trait]
pub trait PlanRows: Send + Sync {
    /// A case's plan as it stands.
    async fn plan(&self, case_id: &str) -> Result<Option<PlanRecord>, StoreError>;
    /// The answers to a case's plan, by party.
    async fn plan_answers(&self, case_id: &str) -> Result<Vec<Answer>, StoreError>;
    /// Writes a case's plan: the first version (`replaces` `None`), or a revision of version
    /// `replaces`, deleting every answer, in one write. False, changing nothing, if there is
    /// no such case, or the plan is no longer at `replaces`, or it is agreed.
    async fn put_plan(
        &self,
        case_id: &str,
        replaces: Option<u32>,
        plan: PlanRecord,
    ) -> Result<bool, StoreError>;
    /// Records (or replaces) a party's answer to the plan's version `answer.version`; false,
    /// changing nothing, if the plan is not at that version or is agreed.
    async fn put_answer(&self, case_id: &str, answer: Answer) -> Result<bool, StoreError>;
    /// Marks version `version` of a case's plan agreed on `on`; false if it is not at that
    /// version or was agreed already.
    async fn agree_plan(
        &self,
        case_id: &str,
        version: u32,
        on: NaiveDate,
    ) -> Result<bool, StoreError>;
}

/// Trend counters (what a closed case leaves) and the frozen releases of the board report.
#[async_trait]
pub trait TrendRows: Send + Sync {
    /// Counter rows (key code, count) whose month lies from `first` to `last` (`YYYY-MM`).
    async fn trend_counters(
        &self,
        first: &str,
        last: &str,
    ) -> Result<Vec<(String, u64)>, StoreError>;
    /// Every frozen release, as stored: (period, release).
    async fn frozen_trend_releases(&self) -> Result<Vec<(String, String)>, StoreError>;
    /// A frozen release, as stored.
    async fn trend_release(&self, period: &str) -> Result<Option<String>, StoreError>;
    /// Freezes a release unless one is already stored; returns the one stored.
    async fn freeze_trend_release(
        &self,
        period: &str,
        release: String,
    ) -> Result<String, StoreError>;
}

/// Staff accounts, enrolment links, sessions and sign-in throttling.
#[async_trait]
pub trait AccountRows: Send + Sync {
    /// Number of administrators who can sign in.
    async fn count_active_admins(&self) -> Result<u64, StoreError>;
    /// Stores an enrolment link, and with it the grant of case access it carries (whose id
    /// `enrolment.grant` names), in one transaction. It retires every unused link for the same
    /// account (for the same name, or for the first administrator when `enrolment.username` is
    /// `None`): a retired link works no more, and a grant of case access it carried is
    /// superseded on `today`.
    async fn insert_enrolment(
        &self,
        enrolment: EnrolmentRecord,
        grant: Option<GrantRecord>,
        today: NaiveDate,
    ) -> Result<(), StoreError>;
    /// The unused links that name their account and work after `now` (Unix seconds), by name.
    async fn pending_enrolments(&self, now: i64) -> Result<Vec<EnrolmentRecord>, StoreError>;
    /// Revokes every unused link naming `username`, in one transaction: a grant of case access
    /// one carried is withdrawn on `today` by `by`. Returns how many links there were.
    async fn revoke_enrolments(
        &self,
        username: &str,
        by: &str,
        today: NaiveDate,
    ) -> Result<u64, StoreError>;
    /// An enrolment link by the hash of its token.
    async fn enrolment(&self, token_hash: &[u8; 32])
    -> Result<Option<EnrolmentRecord>, StoreError>;
    /// Uses up an enrolment link: creates the account, or replaces an existing account's
    /// password and TOTP secret (ending its sessions). False if the link was already used, or
    /// the name is taken by another new account.
    ///
    /// If the link carries a grant waiting for its enrolment, the account gets no case access
    /// and the grant waits for a confirmation from `today`; a grant that needs none gives case
    /// access at once. Everything in one transaction.
    async fn complete_enrolment(
        &self,
        token_hash: &[u8; 32],
        user: UserRecord,
        today: NaiveDate,
    ) -> Result<bool, StoreError>;
    /// Records a grant of case access that comes with no enrolment link (an ombuds account
    /// enabled again).
    async fn record_grant(&self, grant: GrantRecord) -> Result<(), StoreError>;
    /// Whether any ombuds account exists (in any state), or any grant of case access is on
    /// record.
    async fn ombuds_exist(&self) -> Result<bool, StoreError>;
    /// The grants waiting for a confirmation, and the others last changed on or after
    /// `listed_since`, newest first.
    async fn grants(&self, listed_since: NaiveDate) -> Result<Vec<GrantRecord>, StoreError>;
    /// Confirms (giving the account case access) or refuses (disabling it and ending its
    /// sessions) the grant `id`, which must be waiting for a confirmation, as `decider` (who
    /// must not be the grant's account), in one transaction.
    async fn decide_grant(
        &self,
        id: &str,
        decider: &str,
        confirm: bool,
        today: NaiveDate,
    ) -> Result<GrantDecision, StoreError>;
    /// An account by name.
    async fn user_by_name(&self, username: &str) -> Result<Option<UserRecord>, StoreError>;
    /// All accounts, by name.
    async fn users(&self) -> Result<Vec<UserRecord>, StoreError>;
    /// Disables or re-enables an account; disabling ends its sessions. False if no such account.
    async fn set_disabled(&self, username: &str, disabled: bool) -> Result<bool, StoreError>;
    /// Records `step` as the account's last TOTP step, if it is later than the one recorded.
    /// False means the code was already used.
    async fn advance_totp_step(&self, user_id: &str, step: i64) -> Result<bool, StoreError>;
    /// Stores a new session.
    async fn insert_session(&self, session: SessionRecord) -> Result<(), StoreError>;
    /// A session by the hash of its token.
    async fn session(&self, token_hash: &[u8; 32]) -> Result<Option<SessionWithUser>, StoreError>;
    /// Records a request at `now`.
    async fn touch_session(&self, token_hash: &[u8; 32], now: i64) -> Result<(), StoreError>;
    /// Ends one session.
    async fn delete_session(&self, token_hash: &[u8; 32]) -> Result<(), StoreError>;
    /// Ends every session of an account; returns how many.
    async fn delete_sessions_of(&self, user_id: &str) -> Result<u64, StoreError>;
    /// Counts a sign-in attempt under `key` before it is checked, as
    /// [`crate::domain::account::Throttle::charge`] says, atomically (no other attempt under
    /// `key` is counted in between, in any process): `Some(wait)` if it is refused unchecked.
    async fn charge_attempt(&self, key: &[u8; 32], now: i64) -> Result<Option<i64>, StoreError>;
    /// Forgets the attempts counted under `key` (after a successful sign-in).
    async fn clear_attempts(&self, key: &[u8; 32]) -> Result<(), StoreError>;
}

/// The e-mail digest: what waits, who receives it, and which sending slot has run.
#[async_trait]
pub trait DigestRows: Send + Sync {
    /// New concerns (cases not yet opened), and threads of open cases whose last message is
    /// from the person (the submitter or an added party): counts only.
    async fn waiting(&self) -> Result<crate::domain::digest::Waiting, StoreError>;
    /// The accounts that receive the digest, as (username, address), by name: ombuds accounts
    /// that can sign in, read cases and gave an address.
    async fn digest_recipients(&self) -> Result<Vec<(String, String)>, StoreError>;
    /// The address account `user_id` gave for the digest, if any.
    async fn digest_address(&self, user_id: &str) -> Result<Option<String>, StoreError>;
    /// Sets (or, with `None`, clears) the address of ombuds account `user_id`. False if there
    /// is no such ombuds account.
    async fn set_digest_address(
        &self,
        user_id: &str,
        address: Option<String>,
    ) -> Result<bool, StoreError>;
    /// Records that the round of the sending slot that began at `slot` (see
    /// [`crate::domain::digest::Schedule::slot`]) runs, unless a round of that slot or a later
    /// one already has: true if this call recorded it (one call in one process wins).
    async fn claim_digest_slot(&self, slot: i64) -> Result<bool, StoreError>;
}

/// Retention: day keys, the sweep of what has expired, and what is held.
#[async_trait]
pub trait RetentionRows: Send + Sync {
    /// The public half of the key for notes expiring on `day`, creating the key (from the
    /// generated pair given) if that day has none yet.
    async fn day_key(
        &self,
        day: NaiveDate,
        candidate: (String, Vec<u8>),
    ) -> Result<String, StoreError>;
    /// Destroys one batch of each kind of expired item; call until the report is empty.
    async fn sweep_batch(&self, cutoffs: SweepCutoffs) -> Result<SweepReport, StoreError>;
    /// Pushes deleted rows out of the engine's own old copies after a sweep: SQLite checkpoints
    /// and truncates its WAL files; PostgreSQL vacuums the tables a sweep deletes from.
    async fn checkpoint(&self) -> Result<(), StoreError>;
    /// What is held, per retention class.
    async fn holdings(
        &self,
        now: i64,
    ) -> Result<Vec<(crate::domain::retention::RetentionClass, Holding)>, StoreError>;
}

/// A database engine: every section's rows, plus running the engine itself. Each engine
/// implements each section in a file of that section's name (`cases.rs`, `accounts.rs`, ...).
#[async_trait]
pub trait Backend:
    CaseRows
    + NoteRows
    + ThreadRows
    + PlanRows
    + LetterRows
    + TrendRows
    + AccountRows
    + DigestRows
    + RetentionRows
    + Send
    + Sync
    + 'static
{
    /// Whether this process should run the sweeper now. An engine only one process uses
    /// (SQLite) always answers true, the default; an engine several processes share answers
    /// true in one process at a time, and lets another take over when that one dies.
    async fn lead_sweeping(&self) -> Result<bool, StoreError> {
        Ok(true)
    }
    /// Checks that the database answers.
    async fn ping(&self) -> Result<(), StoreError>;
    /// How busy the engine's connection pools and writer queue are, for the metrics endpoint:
    /// sizes and counts only.
    fn pools(&self) -> Vec<PoolUse> {
        Vec::new()
    }
    /// Finishes pending writes and closes.
    async fn close(&self);
}

#[cfg(test)]
mod tests {
    use super::UserRecord;

    #[test]
    fn a_user_record_shows_no_password_hash_or_totp_secret() {
        let user = UserRecord {
            id: "u1".into(),
            username: "ada".into(),
            role: crate::domain::account::Role::Admin,
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$SALTdebug$HASHdebug".into(),
            totp_sealed: b"SEALED-TOTP-debug".to_vec(),
            totp_last_step: 0,
            disabled: false,
            case_access: true,
        };
        let debug = format!("{user:?} {user:#?}");
        assert!(debug.contains("ada"), "{debug}");
        for secret in ["argon2id", "HASHdebug", "SALTdebug", "83, 69, 65, 76"] {
            assert!(!debug.contains(secret), "{secret} shown: {debug}");
        }
    }
}
