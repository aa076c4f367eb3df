//! Closing a case with its outcome. Unless the matter was resolved, informal resolution is
//! terminated first if it was not yet, so that every party is notified in writing; a
//! successful close issues no notice (docs/RULES.md, section 4: nothing is kept after it), and,
//! when every party agreed the resolution plan, issues the signed resolution certificate to the
//! person who raised the concern, as a letter kept `[letters] certificate_days` days
//! (docs/RULES.md, "The resolution certificate"). Then, in one write, the case's clear fields
//! become trend counters for the board and everything else of it is destroyed with its key.

use chrono::NaiveDate;
use secrecy::ExposeSecret;

use super::{Ctx, Refusal, termination};
use crate::domain::case::{LetterKind, Outcome, kept_until, reference, resolution_certificate_due};
use crate::domain::parties::FIRST_PARTY;
use crate::domain::plan::check_agreed_after_first_contact;
use crate::domain::trends::{ClosedCase, increments_for_closed_case};
use crate::i18n::Lang;
use crate::letters::stored::{self, Label};
use crate::letters::{ResolutionInput, ResolutionLetter};

/// Closes case `id` with `outcome` today. `base_url` is printed in the termination notice if
/// this closing is what terminates informal resolution, and in the resolution certificate's
/// letter.
pub async fn close(
    ctx: &Ctx<'_>,
    id: &str,
    outcome: Outcome,
    base_url: &str,
) -> Result<(), Refusal> {
    let record = ctx.store.case_record(id).await?.ok_or(Refusal::NotFound)?;
    // The one place the resolution certificate is decided.
    let (plan, _) = ctx.store.plan_standing(id).await?;
    let certificate = resolution_certificate_due(outcome, plan.and_then(|p| p.agreed_on));
    if let Some(agreed) = certificate {
        check_agreed_after_first_contact(record.first_contact, agreed)
            .map_err(|problem| Refusal::Invalid(vec![problem]))?;
    }
    if outcome != Outcome::SuccessfullyClosed {
        termination::ensure_terminated(ctx, id, base_url).await?;
    }
    if let Some(agreed) = certificate {
        issue_resolution_certificate(ctx, id, agreed, base_url).await?;
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

/// Issues the resolution certificate of case `id` (its first contact, the plan agreed on
/// `agreed`) and stores the letter that carries it to the person who raised the concern, in
/// every language of the public pages (no language is kept for them), kept
/// `[letters] certificate_days` days under a key of its own. A person holding a receipt reads
/// it with that receipt after the case is closed; for one without, it carries the contact
/// details recorded and waits on the letters page for the ombuds to print and send it.
async fn issue_resolution_certificate(
    ctx: &Ctx<'_>,
    id: &str,
    agreed: NaiveDate,
    base_url: &str,
) -> Result<(), Refusal> {
    let today = ctx.today();
    let case = ctx.store.case(id, today).await?.ok_or(Refusal::NotFound)?;
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
    let mut pages = Vec::new();
    let mut texts = Vec::new();
    for lang in Lang::ALL {
        let letter = ResolutionLetter::compose(&input, lang);
        let html = letter
            .html()
            .map_err(|e| Refusal::Internal(format!("rendering a resolution letter: {e}")))?;
        pages.push((lang, html));
        texts.push((lang, letter.text()));
    }
    let bundle = |versions: &[(Lang, String)]| {
        let versions: Vec<(Lang, &str)> = versions.iter().map(|(l, t)| (*l, t.as_str())).collect();
        stored::bundle(&versions)
    };
    let label = Label {
        reference,
        party: FIRST_PARTY,
        role: None,
        name: None,
    };
    ctx.store
        .add_letter(
            &r.id,
            None,
            LetterKind::ResolutionCertificate,
            today,
            destroyed_on,
            (&label.encode(), &bundle(&pages), &bundle(&texts)),
        )
        .await?
        .ok_or(Refusal::NotFound)?;
    tracing::info!(
        event = "resolution_certificate_issued",
        "a resolution certificate was issued"
    );
    Ok(())
}
