//! The ombuds' work on cases: the list (inbox and open cases), one case opened, a contact
//! logged by hand (telephone, e-mail, walk-in), opening a web concern, recording services.

use chrono::NaiveDate;

use super::{Ctx, Refusal};
use crate::domain::case::{Channel, Service};
use crate::domain::concern::NewConcern;
use crate::store::{CaseDetail, CaseListing, Commitment};

/// How far ahead the console lists commitments coming due, in days.
pub const DUE_WINDOW_DAYS: u64 = 7;

/// The console's first page: every case, and the commitments coming due.
pub struct Overview {
    /// Every case, newest first contact first.
    pub cases: Vec<CaseListing>,
    /// Open commitments due within [`DUE_WINDOW_DAYS`] (and overdue ones), soonest first.
    pub due: Vec<Commitment>,
}

/// Every case and the commitments coming due.
pub async fn overview(ctx: &Ctx<'_>) -> Result<Overview, Refusal> {
    let today = ctx.today();
    Ok(Overview {
        cases: ctx.store.cases(today).await?,
        due: ctx.store.commitments_due(today, DUE_WINDOW_DAYS).await?,
    })
}

/// Every case, newest first contact first.
pub async fn list(ctx: &Ctx<'_>) -> Result<Vec<CaseListing>, Refusal> {
    Ok(ctx.store.cases(ctx.today()).await?)
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
    concern: &NewConcern,
) -> Result<String, Refusal> {
    Ok(ctx
        .store
        .log_contact(concern, channel, first_contact, ctx.today())
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
