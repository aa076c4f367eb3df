//! Closing a case with its outcome. Unless the matter was resolved, informal resolution is
//! terminated first if it was not yet, so that every party is notified in writing; a
//! successful close issues no notice (docs/RULES.md, section 4: nothing is kept after it).
//! Then, in one write, the case's clear fields become trend counters for the board and
//! everything else of it is destroyed with its key.

use super::{Ctx, Refusal, termination};
use crate::domain::case::Outcome;
use crate::domain::trends::{ClosedCase, increments_for_closed_case};

/// Closes case `id` with `outcome` today. `base_url` is printed in the termination notice if
/// this closing is what terminates informal resolution.
pub async fn close(
    ctx: &Ctx<'_>,
    id: &str,
    outcome: Outcome,
    base_url: &str,
) -> Result<(), Refusal> {
    if outcome != Outcome::SuccessfullyClosed {
        termination::ensure_terminated(ctx, id, base_url).await?;
    }
    let today = ctx.today();
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
