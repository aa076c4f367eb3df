//! Closing a case with its outcome (docs/RULES.md, "Outcomes and their letters"). Unless the
//! matter was resolved, informal resolution is terminated first if it was not yet, so that every
//! party is notified in writing; then the follow-up letter the outcome calls for is stored.
//! Then, in one write, the case's clear fields become trend counters for the board and
//! everything else of it is destroyed with its key; the letters stay, under their own keys, for
//! as long as they are kept.

use super::{Ctx, Refusal, follow_up, termination};
use crate::domain::case::Outcome;
use crate::domain::closing::Closing;
use crate::domain::trends::{ClosedCase, increments_for_closed_case};
use crate::store::CaseDetail;

/// What closing case `detail` with `outcome` sends, as the closing form shows it beforehand.
pub fn closing(detail: &CaseDetail, outcome: Outcome) -> Closing {
    Closing {
        outcome,
        complaint_filed: detail.record.complaint_filed,
        plan_agreed: detail.plan.as_ref().is_some_and(|p| p.agreed_on.is_some()),
        terminated: detail.record.termination_date.is_some(),
    }
}

/// Closes case `id` with `outcome` today. `base_url` is printed in the termination notice if
/// this closing is what terminates informal resolution.
pub async fn close(
    ctx: &Ctx<'_>,
    id: &str,
    outcome: Outcome,
    base_url: &str,
) -> Result<(), Refusal> {
    let today = ctx.today();
    let detail = ctx.store.case(id, today).await?.ok_or(Refusal::NotFound)?;
    let plan = closing(&detail, outcome);
    if plan.terminates() {
        termination::ensure_terminated(ctx, id, base_url).await?;
    }
    if let Some(letter) = plan.follow_up() {
        follow_up::send(ctx, &detail, letter).await?;
    }
    let record = ctx.store.case_record(id).await?.ok_or(Refusal::NotFound)?;
    let counters = increments_for_closed_case(&ClosedCase {
        category: record.category,
        raised_by: record.raised_by,
        channel: record.channel,
        outcome,
        services: &record.services,
        first_contact: record.first_contact,
        closed_on: today,
    });
    if !ctx.store.destroy_case(&record, counters).await? {
        return Err(Refusal::NotFound);
    }
    tracing::info!(
        event = "case_closed",
        outcome = outcome.code(),
        "a case was closed and destroyed"
    );
    Ok(())
}
