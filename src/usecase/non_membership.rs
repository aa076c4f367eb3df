//! Periods in which the respondent held no REALTOR® membership, recorded on a case by the
//! ombuds (as `ombuds deadline --non-member` takes them): each suspends the filing deadline the
//! console shows. They are case content, sealed with the case and destroyed when it closes.

use super::{Ctx, Refusal};
use crate::domain::membership::{self, NonMembership};

/// Checks a period typed as `from` and `to` and adds it to case `id`; returns the period's id.
pub async fn add(
    ctx: &Ctx<'_>,
    id: &str,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(String, NonMembership), Refusal> {
    let detail = super::cases::detail(ctx, id).await?;
    let period = membership::validate(from, to, ctx.today()).map_err(Refusal::Invalid)?;
    membership::may_add(detail.non_membership.len()).map_err(|e| Refusal::Invalid(vec![e]))?;
    let stored = ctx
        .store
        .add_non_membership(id, &period)
        .await?
        .ok_or(Refusal::NotFound)?;
    super::stale::touched(ctx, id).await?;
    Ok((stored, period))
}

/// Removes period `period` from case `id`.
pub async fn remove(ctx: &Ctx<'_>, id: &str, period: &str) -> Result<(), Refusal> {
    super::cases::found(ctx.store.remove_non_membership(id, period).await?)?;
    super::stale::touched(ctx, id).await
}
