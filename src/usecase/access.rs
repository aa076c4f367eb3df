//! Case access, the two-person rule: every ombuds sees the grants of case access, and one
//! ombuds (never the one the grant is for) confirms or refuses a grant that waits; someone
//! holding the server may confirm one from the command line (the recovery path). The rule of
//! when a grant waits is [`crate::domain::access`]'s.

use super::accounts::COMMAND_LINE;
use super::{Ctx, Refusal};
use crate::domain::access::{Decision, GrantState, LISTED_DAYS};
use crate::store::{GrantDecision, GrantRecord};

/// The grants listed today: those waiting for a confirmation first, then the others changed in
/// the last [`LISTED_DAYS`] days, newest first.
pub async fn grants(ctx: &Ctx<'_>) -> Result<Vec<GrantRecord>, Refusal> {
    let since = ctx.today() - chrono::Days::new(LISTED_DAYS.unsigned_abs());
    let (mut listed, decided): (Vec<_>, Vec<_>) = ctx
        .store
        .grants_since(since)
        .await?
        .into_iter()
        .partition(|g| g.state == GrantState::AwaitingConfirmation);
    listed.extend(decided);
    Ok(listed)
}

/// How many grants wait for a confirmation.
pub async fn waiting(ctx: &Ctx<'_>) -> Result<usize, Refusal> {
    Ok(grants(ctx)
        .await?
        .iter()
        .filter(|g| g.state == GrantState::AwaitingConfirmation)
        .count())
}

/// `decider` (an ombuds with case access) confirms or refuses grant `id`; the grant as it
/// stands afterwards.
pub async fn decide(
    ctx: &Ctx<'_>,
    decider: &str,
    id: &str,
    decision: Decision,
) -> Result<GrantRecord, Refusal> {
    let confirm = decision == Decision::Confirm;
    match ctx
        .store
        .decide_grant(id, decider, confirm, ctx.today())
        .await?
    {
        GrantDecision::Done => {}
        GrantDecision::NotFound => return Err(Refusal::NotFound),
        GrantDecision::NotWaiting => {
            return Err(Refusal::field("id", "staff.problem.grant_not_waiting"));
        }
        GrantDecision::OwnAccount => {
            return Err(Refusal::field("id", "staff.problem.grant_own_account"));
        }
    }
    grants(ctx)
        .await?
        .into_iter()
        .find(|g| g.id == id)
        .ok_or(Refusal::NotFound)
}

/// Confirms, from the command line on the server, the grant waiting for a confirmation for
/// `username`. [`Refusal::NotFound`] if none waits.
pub async fn confirm_from_host(ctx: &Ctx<'_>, username: &str) -> Result<(), Refusal> {
    let waiting = grants(ctx)
        .await?
        .into_iter()
        .find(|g| g.username == username && g.state == GrantState::AwaitingConfirmation)
        .ok_or(Refusal::NotFound)?;
    match ctx
        .store
        .decide_grant(&waiting.id, COMMAND_LINE, true, ctx.today())
        .await?
    {
        GrantDecision::Done => Ok(()),
        _ => Err(Refusal::NotFound),
    }
}
