//! Open cases nobody touches. The ombuds keeps no records beyond short-term working notes, so a
//! case left open forever is a record kept by neglect: once an open case has gone untouched for
//! `[retention] stale_after_days`, the console flags it until the ombuds closes it or records
//! why it stays open (`domain::retention`, docs/RULES.md).
//!
//! "Touched" is the last day an ombuds did something on the case: every use case an ombuds
//! acts through calls [`touched`] once its change is stored. What a receipt holder does (a
//! message, an answer to the plan) touches nothing: it is the ombuds' attention that counts.

use chrono::NaiveDate;

use super::{Ctx, Refusal};
use crate::domain::case::CaseStatus;
use crate::domain::retention::{last_touched, stay_open_reason, untouched_for};
use crate::store::CaseRecord;

/// Records that an ombuds did something on case `id` today. Called after the change itself is
/// stored; a case gone meanwhile (closed) is nothing to record.
pub(super) async fn touched(ctx: &Ctx<'_>, id: &str) -> Result<(), Refusal> {
    ctx.store.touch_case(id, ctx.today()).await?;
    Ok(())
}

/// The last day an ombuds did something on an open case (the day it was opened, if nothing
/// since); `None` for a concern still in the inbox.
pub fn touched_on(record: &CaseRecord) -> Option<NaiveDate> {
    (record.status == CaseStatus::Open)
        .then(|| last_touched(record.opened_on, record.touched_on, record.first_contact))
}

/// How many days an open case has gone untouched, when that is long enough to flag it
/// (`[retention] stale_after_days`); `None` when it is not flagged.
pub fn flagged(ctx: &Ctx<'_>, record: &CaseRecord) -> Option<u32> {
    untouched_for(
        record.status,
        touched_on(record)?,
        ctx.today(),
        ctx.config.retention.stale_after_days,
    )
}

/// Records why case `id` stays open, as typed by the ombuds named `author`: kept as a working
/// note of the case (sealed like every note, destroyed when notes are by default), and the case
/// counts as touched today, so that the flag goes. An empty or overlong reason is refused,
/// naming the field `reason`, and nothing changes. Returns the note's id and the day it is
/// destroyed.
pub async fn stays_open(
    ctx: &Ctx<'_>,
    id: &str,
    typed: Option<&str>,
    author: &str,
) -> Result<(String, NaiveDate), Refusal> {
    let today = ctx.today();
    let note = stay_open_reason(typed, today, ctx.config.retention.note_policy())
        .map_err(|e| Refusal::Invalid(vec![e]))?;
    let note_id = ctx
        .store
        .add_note(id, &note, author, today)
        .await?
        .ok_or(Refusal::NotFound)?;
    touched(ctx, id).await?;
    tracing::info!(
        event = "case_stays_open",
        "why a case stays open was recorded"
    );
    Ok((note_id, note.expires_on))
}
