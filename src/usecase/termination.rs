//! Recording and correcting a case's first-contact and termination dates, and what follows a
//! recorded termination: a signed suspension certificate and a termination notice to every
//! party (printable HTML and plain text, kept 180 days under its own key), announced in the
//! thread of each party who holds a receipt; the ombuds records sending the others.

use chrono::NaiveDate;
use secrecy::{ExposeSecret, SecretString};

use super::{Ctx, Refusal};
use crate::domain::case::{
    CaseDate, LETTER_DAYS, LetterKind, kept_until, reference, validate_case_date,
};
use crate::domain::notices::version_for;
use crate::domain::parties::FIRST_PARTY;
use crate::i18n::Lang;
use crate::letters::stored::{self, Label};
use crate::letters::{Addressee, NoticeInput, TerminationNotice};
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
    let because = match (field, &reason) {
        (CaseDate::Termination, Some(reason)) => Some(reason.expose_secret()),
        _ => None,
    };
    let notice = match updated.record.termination_date {
        Some(_) => Some(issue_notice(ctx, &updated, base_url, because).await?),
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

/// Issues the certificate and one termination notice per party for a case whose termination
/// is recorded (docs/RULES.md, "The notice to every party"): each stored as a letter addressed
/// to that party, in its language, and, for a party who holds a receipt, announced in its own
/// thread. Returns the notice of the person who raised the concern and the certificate.
async fn issue_notice(
    ctx: &Ctx<'_>,
    case: &CaseDetail,
    base_url: &str,
    earlier_because: Option<&str>,
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
    // A corrected date supersedes the certificate issued before: /verify says so from now on.
    if !ctx
        .store
        .replace_certificate(&r.id, certificate.id())
        .await?
    {
        return Err(Refusal::NotFound);
    }
    let reference = reference(&r.id);
    let input = |addressee| NoticeInput {
        letterhead: &ctx.config.association.letterhead,
        certificate: &certificate,
        concluded: case.concern.concluded_on,
        discovered: case.concern.discovered_on,
        holidays: &ctx.config.deadline.holidays,
        roll_forward: ctx.config.deadline.roll_forward,
        base_url,
        addressee,
        earlier_because,
    };

    // The person who raised the concern is anonymous and no language preference is kept, so
    // their notice is written in every language of the public pages; the follow-up shows the
    // one its reader chose. Their contact details go on it only when it has to be sent.
    let contact = (!r.has_receipt)
        .then(|| {
            case.concern
                .contact
                .as_ref()
                .map(ExposeSecret::expose_secret)
        })
        .flatten();
    let first = input(Addressee {
        version: version_for(None),
        reference: &reference,
        name: None,
        contact,
    });
    let label = Label {
        reference: reference.clone(),
        party: FIRST_PARTY,
        role: None,
        name: None,
    };
    let composed = compose(&first, &Lang::ALL, "thread.notice_issued", termination)?;
    let letter = store_notice(ctx, &r.id, None, &label, &composed).await?;
    if r.has_receipt {
        let said = composed.bundle(SAID);
        ctx.store
            .reply(&r.id, &SecretString::from(said), today)
            .await?;
    }

    for party in &case.parties {
        let c = &party.content;
        let lang = Lang::from_code(&c.lang).unwrap_or(Lang::En);
        let name = c.name.as_ref().map(ExposeSecret::expose_secret);
        let contact = (!party.has_receipt)
            .then(|| c.contact.as_ref().map(ExposeSecret::expose_secret))
            .flatten();
        let addressed = input(Addressee {
            version: version_for(Some(c.role)),
            reference: &reference,
            name,
            contact,
        });
        let label = Label {
            reference: reference.clone(),
            party: party.number,
            role: Some(c.role.code().to_owned()),
            name: name.map(str::to_owned),
        };
        let composed = compose(
            &addressed,
            &[lang],
            "thread.party_notice_issued",
            termination,
        )?;
        store_notice(ctx, &r.id, Some(&party.id), &label, &composed).await?;
        if party.has_receipt {
            let said = SecretString::from(composed.bundle(SAID));
            if !ctx
                .store
                .party_reply(&r.id, &party.id, &said, today)
                .await?
            {
                return Err(Refusal::NotFound);
            }
        }
    }
    tracing::info!(
        event = "notice_issued",
        parties = case.parties.len() + 1,
        "termination notices were issued"
    );
    Ok((letter, certificate.armoured()))
}

/// One party's notice in each of its languages: the printable page, the plain text, and the
/// message that announces it in the party's thread.
struct Composed(Vec<(Lang, [String; 3])>);

/// Which part of a [`Composed`] notice.
const HTML: usize = 0;
const TEXT: usize = 1;
/// The thread message (kept like the letter's versions; each reader sees their own).
const SAID: usize = 2;

impl Composed {
    /// One part in every language, in the stored several-language form.
    fn bundle(&self, part: usize) -> String {
        let versions: Vec<_> = self
            .0
            .iter()
            .map(|(lang, parts)| (*lang, parts[part].as_str()))
            .collect();
        stored::bundle(&versions)
    }
}

fn compose(
    input: &NoticeInput<'_>,
    langs: &[Lang],
    announcement: &str,
    termination: NaiveDate,
) -> Result<Composed, Refusal> {
    let mut versions = Vec::new();
    for lang in langs {
        let notice = TerminationNotice::compose_in(input, *lang)
            .map_err(|e| Refusal::Internal(format!("composing a notice: {e}")))?;
        let html = notice
            .html()
            .map_err(|e| Refusal::Internal(format!("rendering a notice: {e}")))?;
        let said = lang.f(announcement, &[("date", &termination)]);
        versions.push((*lang, [html, notice.text(), said]));
    }
    Ok(Composed(versions))
}

async fn store_notice(
    ctx: &Ctx<'_>,
    case_id: &str,
    party_id: Option<&str>,
    label: &Label,
    composed: &Composed,
) -> Result<String, Refusal> {
    ctx.store
        .add_letter(
            case_id,
            party_id,
            LetterKind::TerminationNotice,
            ctx.today(),
            kept_until(ctx.today(), LETTER_DAYS),
            (
                &label.encode(),
                &composed.bundle(HTML),
                &composed.bundle(TEXT),
            ),
        )
        .await?
        .ok_or(Refusal::NotFound)
}
