//! Closing a case with its outcome (docs/RULES.md, "Outcomes and their letters"). Unless the
//! matter was resolved, informal resolution is terminated first if it was not yet, so that every
//! party is notified in writing; then the follow-up letter the outcome calls for is stored, or,
//! for a successful close whose resolution plan every party agreed, the signed resolution
//! certificate for the person who raised the concern, kept `[letters] certificate_days` days
//! (docs/RULES.md, "The resolution certificate"). Then, in one write, the case's clear fields
//! become trend counters for the board and everything else of it is destroyed with its key; the
//! letters stay, under their own keys, for as long as they are kept.

use chrono::NaiveDate;
use secrecy::ExposeSecret;

use super::sending::{self, Composed};
use super::{Ctx, Refusal, follow_up, termination};
use crate::domain::case::{LetterKind, Outcome, kept_until, reference};
use crate::domain::closing::Closing;
use crate::domain::parties::FIRST_PARTY;
use crate::domain::plan::check_agreed_after_first_contact;
use crate::domain::trends::{ClosedCase, increments_for_closed_case};
use crate::i18n::Lang;
use crate::letters::stored::Label;
use crate::letters::{ResolutionInput, resolution};
use crate::store::CaseDetail;

/// What closing case `detail` with `outcome` sends, as the closing form shows it beforehand.
pub fn closing(detail: &CaseDetail, outcome: Outcome) -> Closing {
    Closing {
        outcome,
        complaint_filed: detail.record.complaint_filed,
        plan_agreed_on: detail.plan.as_ref().and_then(|p| p.agreed_on),
        terminated: detail.record.termination_date.is_some(),
    }
}

/// Closes case `id` with `outcome` today. `base_url` is printed in the termination notice if
/// this closing is what terminates informal resolution, and in the resolution certificate's
/// letter.
pub async fn close(
    ctx: &Ctx<'_>,
    id: &str,
    outcome: Outcome,
    base_url: &str,
) -> Result<(), Refusal> {
    let today = ctx.today();
    let detail = ctx.store.case(id, today).await?.ok_or(Refusal::NotFound)?;
    let plan = closing(&detail, outcome);
    let certified = plan.certified_agreement();
    if let Some(agreed) = certified {
        check_agreed_after_first_contact(detail.record.first_contact, agreed)
            .map_err(|problem| Refusal::Invalid(vec![problem]))?;
    }
    if plan.terminates() {
        termination::ensure_terminated(ctx, id, base_url).await?;
    }
    if let Some(letter) = plan.follow_up() {
        follow_up::send(ctx, &detail, letter).await?;
    }
    if let Some(agreed) = certified {
        issue_resolution_certificate(ctx, &detail, agreed, base_url).await?;
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

/// Issues the resolution certificate of `case` (its first contact, the plan agreed on
/// `agreed`) and stores the letter that carries it to the person who raised the concern, in
/// every language of the public pages (no language is kept for them), kept
/// `[letters] certificate_days` days under a key of its own. A person holding a receipt reads
/// it with that receipt after the case is closed; for one without, it carries the contact
/// details recorded and waits on the letters page for the ombuds to print and send it.
async fn issue_resolution_certificate(
    ctx: &Ctx<'_>,
    case: &CaseDetail,
    agreed: NaiveDate,
    base_url: &str,
) -> Result<(), Refusal> {
    let today = ctx.today();
    let r = &case.record;
    let certificate = ctx
        .store
        .issue_resolution_certificate(
            &ctx.config.association.letterhead.name,
            r.first_contact,
            agreed,
            today,
        )
        .map_err(|e| Refusal::Internal(format!("issuing a resolution certificate: {e}")))?;
    let destroyed_on = kept_until(today, u64::from(ctx.config.letters.certificate_days));
    let reference = reference(&r.id);
    let contact = (!r.has_receipt)
        .then(|| {
            case.concern
                .contact
                .as_ref()
                .map(ExposeSecret::expose_secret)
        })
        .flatten();
    let input = ResolutionInput {
        letterhead: &ctx.config.association.letterhead,
        certificate: &certificate,
        base_url,
        reference: &reference,
        contact,
        destroyed_on,
    };
    let composed = Composed::new(
        &Lang::ALL,
        |lang| Ok(resolution::compose(&input, lang)),
        // The thread goes with the case: the follow-up page of a closed case shows letters.
        |_| String::new(),
    )?;
    let label = Label {
        reference: reference.clone(),
        party: FIRST_PARTY,
        role: None,
        name: None,
    };
    sending::store(
        ctx,
        &r.id,
        None,
        LetterKind::ResolutionCertificate,
        &label,
        &composed,
        destroyed_on,
    )
    .await?;
    tracing::info!(
        event = "resolution_certificate_issued",
        "a resolution certificate was issued"
    );
    Ok(())
}
