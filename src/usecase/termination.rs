//! Recording and correcting a case's first-contact and termination dates, and what follows a
//! recorded termination: a signed suspension certificate, the termination notice (printable
//! HTML and plain text, kept 180 days under its own key), and a message in the submitter's
//! thread.

use chrono::NaiveDate;
use secrecy::SecretString;

use super::{Ctx, Refusal};
use crate::domain::case::{CaseDate, LetterKind, validate_case_date};
use crate::i18n::Lang;
use crate::letters::{NoticeInput, TerminationNotice, stored};
use crate::store::CaseDetail;

/// What a recorded date led to.
pub struct Recorded {
    /// The date now recorded.
    pub date: NaiveDate,
    /// The notice issued, if the termination is recorded: its letter id and certificate.
    pub notice: Option<(String, String)>,
}

/// Records `field` on case `id` from what was typed (`None`: today), with the reason a
/// correction needs. `base_url` is the service's public address, printed in the notice.
pub async fn record(
    ctx: &Ctx<'_>,
    id: &str,
    field: CaseDate,
    typed: Option<&str>,
    reason: Option<&str>,
    base_url: &str,
) -> Result<Recorded, Refusal> {
    let today = ctx.today();
    let detail = ctx.store.case(id, today).await?.ok_or(Refusal::NotFound)?;
    let r = &detail.record;
    let (current, other) = match field {
        CaseDate::FirstContact => (Some(r.first_contact), r.termination_date),
        CaseDate::Termination => (r.termination_date, Some(r.first_contact)),
    };
    let (date, reason) = validate_case_date(field, typed, reason, current, other, today)
        .map_err(Refusal::Invalid)?;
    if current == Some(date) {
        return Ok(Recorded { date, notice: None });
    }
    if !ctx
        .store
        .set_case_date(id, field, date, reason.as_ref(), today)
        .await?
    {
        return Err(Refusal::NotFound);
    }
    tracing::info!(
        event = "case_date_recorded",
        field = field.code(),
        corrected = current.is_some(),
        "a case date was recorded"
    );
    // A new termination, or a first contact corrected after termination, needs a new notice.
    let updated = ctx.store.case(id, today).await?.ok_or(Refusal::NotFound)?;
    let notice = match updated.record.termination_date {
        Some(_) => Some(issue_notice(ctx, &updated, base_url).await?),
        None => None,
    };
    Ok(Recorded { date, notice })
}

/// Ends informal resolution today if no termination is recorded yet (closing a case does this
/// first, so that every closed case has sent its notice).
pub async fn ensure_terminated(ctx: &Ctx<'_>, id: &str, base_url: &str) -> Result<(), Refusal> {
    let detail = ctx
        .store
        .case(id, ctx.today())
        .await?
        .ok_or(Refusal::NotFound)?;
    if detail.record.termination_date.is_some() {
        return Ok(());
    }
    record(ctx, id, CaseDate::Termination, None, None, base_url).await?;
    Ok(())
}

/// Issues the certificate and the termination notice for a case whose termination is recorded,
/// stores the notice as a letter, and tells the submitter in the thread.
async fn issue_notice(
    ctx: &Ctx<'_>,
    case: &CaseDetail,
    base_url: &str,
) -> Result<(String, String), Refusal> {
    let today = ctx.today();
    let r = &case.record;
    let termination = r.termination_date.ok_or(Refusal::NotFound)?;
    let certificate = ctx
        .store
        .issue_certificate(
            &ctx.config.association.letterhead.name,
            r.first_contact,
            termination,
            today,
        )
        .map_err(|e| Refusal::Internal(format!("issuing a certificate: {e}")))?;
    let input = NoticeInput {
        letterhead: &ctx.config.association.letterhead,
        certificate: &certificate,
        concluded: case.concern.concluded_on,
        discovered: case.concern.discovered_on,
        holidays: &ctx.config.deadline.holidays,
        roll_forward: ctx.config.deadline.roll_forward,
        base_url,
    };
    // The submitter is anonymous and no language preference is kept, so the notice is written
    // in every language of the public pages; the follow-up shows the one its reader chose.
    let mut versions = Vec::new();
    for lang in Lang::ALL {
        let notice = TerminationNotice::compose_in(&input, lang)
            .map_err(|e| Refusal::Internal(format!("composing a notice: {e}")))?;
        let html = notice
            .html()
            .map_err(|e| Refusal::Internal(format!("rendering a notice: {e}")))?;
        // The reply that tells the submitter about the notice, in the same language.
        let said = lang.f("thread.notice_issued", &[("date", &termination)]);
        versions.push((lang, html, notice.text(), said));
    }
    let html: Vec<_> = versions
        .iter()
        .map(|(l, h, _, _)| (*l, h.as_str()))
        .collect();
    let text: Vec<_> = versions
        .iter()
        .map(|(l, _, t, _)| (*l, t.as_str()))
        .collect();
    let letter = ctx
        .store
        .add_letter(
            &r.id,
            LetterKind::TerminationNotice,
            today,
            &stored::bundle(&html),
            &stored::bundle(&text),
        )
        .await?
        .ok_or(Refusal::NotFound)?;
    if r.has_receipt {
        // Kept like the letter's versions; each reader sees their own.
        let said: Vec<_> = versions
            .iter()
            .map(|(l, _, _, m)| (*l, m.as_str()))
            .collect();
        let message = SecretString::from(stored::bundle(&said));
        ctx.store.reply(&r.id, &message, today).await?;
    }
    tracing::info!(event = "notice_issued", "a termination notice was issued");
    Ok((letter, certificate.armoured()))
}
