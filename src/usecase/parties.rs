//! The parties to a case: the ombuds adds the member concerned, their broker or anyone else,
//! each with a private channel — a receipt of its own, shown once to the ombuds to pass on, or
//! none (telephone, post), in which case the ombuds logs what was said in the party's thread.
//! A party's receipt opens only that party's thread (see [`super::thread::read`]).

use secrecy::SecretString;

use super::stale::touched;
use super::{Ctx, Refusal};
use crate::crypto::Receipt;
use crate::domain::notices::{may_add_party, may_remove_party};
use crate::domain::parties::{MAX_PARTIES, NewParty};
use crate::domain::plan::{PlanAnswer, agreement};
use crate::store::{AddedParty, StoreError};

/// What the ombuds is shown once after adding a party.
pub struct Added {
    /// The party's identifier and number.
    pub party: AddedParty,
    /// Its receipt, if one was issued (never stored; only its keyed hash is).
    pub receipt: Option<Receipt>,
}

/// Adds a checked party to open case `case_id`, issuing it a receipt if `with_receipt`.
/// A case that has been closed no longer exists: it is refused as not found, and nothing is
/// stored.
pub async fn add(
    ctx: &Ctx<'_>,
    case_id: &str,
    party: &NewParty,
    with_receipt: bool,
) -> Result<Added, Refusal> {
    let Some(detail) = ctx.store.case(case_id, ctx.today()).await? else {
        return Err(Refusal::NotFound);
    };
    let r = &detail.record;
    let agreed = detail.plan.as_ref().is_some_and(|p| p.agreed_on.is_some());
    may_add_party(r.status, r.termination_date.is_some(), agreed)
        .map_err(|why| Refusal::field("role", why))?;
    if detail.parties.len() >= MAX_PARTIES {
        return Err(Refusal::field(
            "role",
            crate::domain::phrase::Phrase::new("staff.problem.too_many_parties")
                .with("max", MAX_PARTIES),
        ));
    }
    let receipt = if with_receipt {
        Some(Receipt::generate().map_err(StoreError::from)?)
    } else {
        None
    };
    match ctx
        .store
        .add_party(case_id, party, receipt.as_ref())
        .await?
    {
        Some(party) => {
            touched(ctx, case_id).await?;
            Ok(Added { party, receipt })
        }
        None => Err(Refusal::NotFound),
    }
}

/// Removes party `party_id` from open case `case_id`, with its thread and its answer to the
/// plan (a party added by mistake, or who will take no part). Refused once the party has
/// accepted the current plan, and once informal resolution has ended (it has been sent its
/// notice). If every party left has accepted the current plan, the plan is agreed today.
pub async fn remove(ctx: &Ctx<'_>, case_id: &str, party_id: &str) -> Result<u32, Refusal> {
    let today = ctx.today();
    let Some(detail) = ctx.store.case(case_id, today).await? else {
        return Err(Refusal::NotFound);
    };
    let Some(party) = detail.parties.iter().find(|p| p.id == party_id) else {
        return Err(Refusal::NotFound);
    };
    let accepted = detail.plan.as_ref().is_some_and(|plan| {
        plan.answers.iter().any(|a| {
            a.party == party.number && a.version == plan.version && a.answer == PlanAnswer::Accepted
        })
    });
    may_remove_party(accepted, detail.record.termination_date.is_some())
        .map_err(|why| Refusal::field("remove", why))?;
    let Some(number) = ctx.store.remove_party(case_id, party_id).await? else {
        return Err(Refusal::NotFound);
    };
    tracing::info!(event = "party_removed", "a party was removed from a case");
    touched(ctx, case_id).await?;
    // The parties left may all have accepted already.
    if let (Some(parties), (Some(standing), answers)) = (
        ctx.store.party_numbers(case_id).await?,
        ctx.store.plan_standing(case_id).await?,
    ) && let Some(day) = agreement(standing.version, &parties, &answers)
    {
        ctx.store.agree_plan(case_id, standing.version, day).await?;
    }
    Ok(number)
}

/// Adds a message by the ombuds named `author` to party `party_id`'s thread on case `case_id`.
pub async fn reply(
    ctx: &Ctx<'_>,
    case_id: &str,
    party_id: &str,
    text: &SecretString,
    author: &str,
) -> Result<(), Refusal> {
    if ctx
        .store
        .party_reply_by(case_id, party_id, text, Some(author), ctx.today())
        .await?
    {
        touched(ctx, case_id).await
    } else {
        Err(Refusal::NotFound)
    }
}
