//! The ombuds' work on cases: the list (inbox and open cases, all or one ombuds' own), one case
//! opened, a contact logged by hand (telephone, e-mail, walk-in), opening a web concern,
//! recording services, assigning a case to an ombuds, issuing a receipt to the person behind a
//! contact logged by hand, and closing once any message still waiting for an answer has been
//! acknowledged.

use chrono::NaiveDate;

use super::stale::{self, touched};
use super::{Ctx, Refusal, closing};
use crate::crypto::Receipt;
use crate::domain::account::Role;
use crate::domain::case::{Channel, Outcome, Service, may_close, unanswered};
use crate::domain::concern::NewConcern;
use crate::store::{CaseDetail, CaseListing, Commitment};

/// How far ahead the console lists commitments coming due, in days.
pub const DUE_WINDOW_DAYS: u64 = 7;

/// Which cases a list shows.
#[derive(Debug, Clone, Copy, Default)]
pub struct Show<'a> {
    /// Only those assigned to the ombuds of this name.
    pub assigned_to: Option<&'a str>,
    /// Only the open cases flagged as untouched for long ([`stale::flagged`]).
    pub untouched: bool,
}

/// A case as listed, with the console's flag.
pub struct Listed {
    /// The case.
    pub listing: CaseListing,
    /// How many days it has gone untouched, when it is flagged for it ([`stale::flagged`]).
    pub untouched_for: Option<u32>,
}

/// The console's first page: the cases, and the commitments coming due.
pub struct Overview {
    /// The cases shown, newest first contact first.
    pub cases: Vec<Listed>,
    /// How many of the cases (all, or the ombuds' own) are flagged as untouched for long,
    /// whether or not only those are shown.
    pub untouched: usize,
    /// Open commitments due within [`DUE_WINDOW_DAYS`] (and overdue ones), soonest first.
    pub due: Vec<Commitment>,
}

/// The cases `show` asks for, how many of them are flagged as untouched for long, and the
/// commitments coming due.
pub async fn overview(ctx: &Ctx<'_>, show: Show<'_>) -> Result<Overview, Refusal> {
    let today = ctx.today();
    let mut cases = list(
        ctx,
        Show {
            untouched: false,
            ..show
        },
    )
    .await?;
    let untouched = cases.iter().filter(|c| c.untouched_for.is_some()).count();
    if show.untouched {
        cases.retain(|c| c.untouched_for.is_some());
    }
    Ok(Overview {
        cases,
        untouched,
        due: ctx.store.commitments_due(today, DUE_WINDOW_DAYS).await?,
    })
}

/// The cases `show` asks for (every case, or only those assigned to one ombuds, or only those
/// flagged as untouched for long), newest first contact first.
pub async fn list(ctx: &Ctx<'_>, show: Show<'_>) -> Result<Vec<Listed>, Refusal> {
    let mut cases = ctx.store.cases(ctx.today()).await?;
    if let Some(name) = show.assigned_to {
        cases.retain(|c| c.record.assigned_to.as_deref() == Some(name));
    }
    Ok(cases
        .into_iter()
        .map(|listing| Listed {
            untouched_for: stale::flagged(ctx, &listing.record),
            listing,
        })
        .filter(|c| !show.untouched || c.untouched_for.is_some())
        .collect())
}

/// The names of the ombuds a case may be assigned to: accounts with the ombuds role that may
/// sign in and read cases, by name.
pub async fn assignable(ctx: &Ctx<'_>) -> Result<Vec<String>, Refusal> {
    Ok(ctx
        .store
        .users()
        .await?
        .into_iter()
        .filter(|u| u.role == Role::Ombuds && !u.disabled && u.case_access)
        .map(|u| u.username)
        .collect())
}

/// Assigns case `id` to the ombuds named `username` (one of [`assignable`]), or to nobody.
pub async fn assign(ctx: &Ctx<'_>, id: &str, username: Option<&str>) -> Result<(), Refusal> {
    if let Some(name) = username
        && !assignable(ctx).await?.iter().any(|n| n == name)
    {
        return Err(Refusal::field(
            "assignee",
            crate::domain::phrase::Phrase::new("staff.problem.not_an_ombuds").with("name", name),
        ));
    }
    found(ctx.store.assign_case(id, username).await?)?;
    touched(ctx, id).await
}

/// Records whether a formal ethics complaint about case `id` was already filed and referred to
/// the ombuds (docs/RULES.md, "A complaint already filed"); refused once the termination is
/// recorded.
pub async fn mark_complaint_filed(ctx: &Ctx<'_>, id: &str, filed: bool) -> Result<(), Refusal> {
    let record = ctx.store.case_record(id).await?.ok_or(Refusal::NotFound)?;
    crate::domain::closing::may_mark_complaint_filed(record.termination_date.is_some())
        .map_err(|e| Refusal::Invalid(vec![e]))?;
    found(ctx.store.set_complaint_filed(id, filed).await?)?;
    touched(ctx, id).await
}

/// A receipt issued to the person who raised a concern by telephone, e-mail or in person: shown
/// once, to read out or print, never stored.
pub struct IssuedReceipt {
    /// The receipt.
    pub receipt: Receipt,
    /// The case's first-contact date (the printable slip states it).
    pub first_contact: NaiveDate,
}

/// Issues a receipt for case `id`, a contact logged by hand, so that the person can read the
/// ombuds' replies and their notice on the follow-up page and write back, as a web submitter
/// does. Only its keyed hash is stored. Refused (naming why) when the case holds a receipt
/// already: a web concern's, or one issued before; a receipt is never shown twice or replaced.
pub async fn issue_receipt(ctx: &Ctx<'_>, id: &str) -> Result<IssuedReceipt, Refusal> {
    let record = ctx.store.case_record(id).await?.ok_or(Refusal::NotFound)?;
    let already = || Refusal::field("receipt", "staff.problem.receipt_already");
    if record.has_receipt {
        return Err(already());
    }
    let receipt = Receipt::generate().map_err(crate::store::StoreError::from)?;
    match ctx.store.issue_case_receipt(id, &receipt).await? {
        None => Err(Refusal::NotFound),
        Some(false) => Err(already()),
        Some(true) => {
            tracing::info!(
                event = "receipt_issued",
                "a receipt was issued for a logged contact"
            );
            touched(ctx, id).await?;
            Ok(IssuedReceipt {
                receipt,
                first_contact: record.first_contact,
            })
        }
    }
}

/// The parties (by number; 1 is the person who raised the concern) whose thread on this case
/// ends with their own message, not yet answered.
pub fn unanswered_threads(detail: &CaseDetail) -> Vec<u32> {
    let first = (1, detail.messages.last().map(|m| m.author));
    let parties = detail
        .parties
        .iter()
        .map(|p| (p.number, p.messages.last().map(|m| m.author)));
    unanswered(std::iter::once(first).chain(parties))
}

/// The parties (by number; 1 is the person who raised the concern) who hold a receipt and have
/// not opened the ombuds' last message in their thread: closing would destroy it unread. The
/// thread of a party without a receipt holds what the ombuds logged of a call or a letter,
/// which nobody opens, so it is never unread.
pub fn unread_threads(detail: &CaseDetail) -> Vec<u32> {
    let last = |has_receipt: bool, messages: &[crate::store::Message]| {
        messages
            .last()
            .filter(|_| has_receipt)
            .map(|m| (m.author, m.opened))
    };
    let first = (1, last(detail.record.has_receipt, &detail.messages));
    let parties = detail
        .parties
        .iter()
        .map(|p| (p.number, last(p.has_receipt, &p.messages)));
    crate::domain::case::unread(std::iter::once(first).chain(parties))
}

/// Closes case `id` with `outcome` ([`closing::close`]), unless a thread waits for an answer
/// and the ombuds has not acknowledged it (`unanswered_acknowledged`): closing would destroy
/// those messages unanswered, so that is refused, naming the parties, and nothing is changed.
pub async fn close(
    ctx: &Ctx<'_>,
    id: &str,
    outcome: Outcome,
    base_url: &str,
    unanswered_acknowledged: bool,
) -> Result<(), Refusal> {
    let detail = detail(ctx, id).await?;
    may_close(&unanswered_threads(&detail), unanswered_acknowledged)
        .map_err(|e| Refusal::Invalid(vec![e]))?;
    closing::close(ctx, id, outcome, base_url).await
}

/// One case, opened: its concern, unexpired notes, thread, corrections and letters.
pub async fn detail(ctx: &Ctx<'_>, id: &str) -> Result<CaseDetail, Refusal> {
    ctx.store
        .case(id, ctx.today())
        .await?
        .ok_or(Refusal::NotFound)
}

/// A contact an ombuds logs by hand: stored already open (today), with its first-contact date.
/// Returns the new case's id.
pub async fn log_contact(
    ctx: &Ctx<'_>,
    channel: Channel,
    first_contact: NaiveDate,
    complaint_filed: bool,
    concern: &NewConcern,
) -> Result<String, Refusal> {
    Ok(ctx
        .store
        .log_contact(
            concern,
            channel,
            first_contact,
            complaint_filed,
            ctx.today(),
        )
        .await?)
}

/// Opens a web concern from the inbox, today.
pub async fn open(ctx: &Ctx<'_>, id: &str) -> Result<(), Refusal> {
    found(ctx.store.open_case(id, ctx.today()).await?)
}

/// Records the services given (replacing those recorded before); returns them in order, once
/// each.
pub async fn set_services(
    ctx: &Ctx<'_>,
    id: &str,
    mut services: Vec<Service>,
) -> Result<Vec<Service>, Refusal> {
    found(ctx.store.set_services(id, &services).await?)?;
    touched(ctx, id).await?;
    services.sort();
    services.dedup();
    Ok(services)
}

/// `Ok` if the store found the case, [`Refusal::NotFound`] if not.
pub(super) fn found(stored: bool) -> Result<(), Refusal> {
    if stored {
        Ok(())
    } else {
        Err(Refusal::NotFound)
    }
}
