//! The resolution plan: the ombuds writes the terms and may revise them until every party has
//! accepted the same version; each party accepts or declines the current version with its
//! receipt, or the ombuds records an answer given by telephone, post, e-mail or in person. The
//! plan is agreed, on the day of the last acceptance, when every party has accepted the
//! current version (`domain::plan`). A revision clears every answer; an agreed plan is final.

use chrono::NaiveDate;
use secrecy::SecretString;

use super::stale::touched;
use super::{Ctx, Refusal};
use crate::crypto::Receipt;
use crate::domain::plan::{
    Answer, AnswerChannel, PlanAnswer, PlanRefusal, agreement, check_answer, next_version,
};

/// What became of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answered {
    /// The version answered.
    pub version: u32,
    /// The day the plan was agreed, if this answer completed the agreement.
    pub agreed_on: Option<NaiveDate>,
}

fn refused(field: &'static str, why: PlanRefusal) -> Refusal {
    Refusal::field(field, why.phrase())
}

/// Writes the first version of case `case_id`'s plan, or revises it (clearing every answer).
/// Returns the new version. An agreed plan is refused, naming why; nothing changes.
pub async fn write(ctx: &Ctx<'_>, case_id: &str, terms: &SecretString) -> Result<u32, Refusal> {
    if ctx.store.case_record(case_id).await?.is_none() {
        return Err(Refusal::NotFound);
    }
    let (standing, _) = ctx.store.plan_standing(case_id).await?;
    let version = next_version(standing).map_err(|why| refused("terms", why))?;
    let replaces = standing.map(|s| s.version);
    if ctx
        .store
        .write_plan(case_id, replaces, version, terms, ctx.today())
        .await?
    {
        touched(ctx, case_id).await?;
        Ok(version)
    } else if ctx.store.case_record(case_id).await?.is_none() {
        Err(Refusal::NotFound)
    } else {
        // Another write came first: say what the plan is now.
        let (now, _) = ctx.store.plan_standing(case_id).await?;
        Err(refused(
            "terms",
            next_version(now).err().unwrap_or(PlanRefusal::Superseded {
                answered: version,
                current: now.map_or(0, |s| s.version),
            }),
        ))
    }
}

/// Records party `party`'s answer to `version` of case `case_id`'s plan, given on `on` through
/// `channel`; completes the agreement if every party has now accepted that version. A
/// superseded version, an agreed plan or a party the case does not have is refused, naming
/// the problem; nothing changes.
pub async fn answer(
    ctx: &Ctx<'_>,
    case_id: &str,
    party: u32,
    version: u32,
    answer: PlanAnswer,
    channel: AnswerChannel,
    on: NaiveDate,
) -> Result<Answered, Refusal> {
    let Some(parties) = ctx.store.party_numbers(case_id).await? else {
        return Err(Refusal::NotFound);
    };
    let (standing, _) = ctx.store.plan_standing(case_id).await?;
    check_answer(standing, &parties, party, version).map_err(|why| {
        let field = match why {
            PlanRefusal::NoSuchParty => "party",
            _ => "version",
        };
        refused(field, why)
    })?;
    let given = Answer {
        party,
        version,
        answer,
        channel,
        on,
    };
    if !ctx.store.answer_plan(case_id, given).await? {
        let (now, _) = ctx.store.plan_standing(case_id).await?;
        let why = check_answer(now, &parties, party, version)
            .err()
            .unwrap_or(PlanRefusal::AlreadyAgreed);
        return Err(refused("version", why));
    }
    // An answer the ombuds records is their work on the case; a party's own is not.
    if channel != AnswerChannel::Receipt {
        touched(ctx, case_id).await?;
    }
    // Read the answers back after writing: of two last acceptances written at once, the later
    // sees both.
    let (_, answers) = ctx.store.plan_standing(case_id).await?;
    let agreed_on = match agreement(version, &parties, &answers) {
        Some(day) if ctx.store.agree_plan(case_id, version, day).await? => Some(day),
        _ => None,
    };
    Ok(Answered { version, agreed_on })
}

/// The receipt holder's own answer to `version` of the plan of the case its receipt opens,
/// today. `NotFound` if the receipt opens no open case.
pub async fn answer_with_receipt(
    ctx: &Ctx<'_>,
    receipt: &Receipt,
    version: u32,
    given: PlanAnswer,
) -> Result<Answered, Refusal> {
    let Some((case_id, party)) = ctx.store.receipt_party(receipt).await? else {
        return Err(Refusal::NotFound);
    };
    answer(
        ctx,
        &case_id,
        party,
        version,
        given,
        AnswerChannel::Receipt,
        ctx.today(),
    )
    .await
}
