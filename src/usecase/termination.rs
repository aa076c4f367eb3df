//! Recording and correcting a case's first-contact and termination dates, and what follows a
//! recorded termination: a signed suspension certificate and a termination notice to every
//! party (printable HTML and plain text, kept 180 days under its own key), announced in the
//! thread of each party who holds a receipt; the ombuds records sending the others.

use chrono::NaiveDate;
use secrecy::{ExposeSecret, SecretString};

use super::sending::{self, Composed, SAID};
use super::{Ctx, Refusal};
use crate::crypto::certificate::Certificate;
use crate::domain::case::{
    CaseDate, LETTER_DAYS, LetterKind, kept_until, reference, validate_case_date,
};
use crate::domain::notices::version_for;
use crate::domain::parties::FIRST_PARTY;
use crate::i18n::Lang;
use crate::letters::stored::Label;
use crate::letters::termination::ReferredInput;
use crate::letters::{Addressee, Letter, NoticeInput, termination};
use crate::store::{CaseDetail, ReplyOutcome};

/// What a recorded date led to.
pub struct Recorded {
    /// The date now recorded.
    pub date: NaiveDate,
    /// The notice issued, if the termination is recorded: its letter id and certificate.
    pub notice: Option<(String, Option<String>)>,
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
    super::stale::touched(ctx, id).await?;
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
/// thread. Returns the notice of the person who raised the concern and the certificate (none
/// for a complaint already filed: no deadline was suspended).
async fn issue_notice(
    ctx: &Ctx<'_>,
    case: &CaseDetail,
    base_url: &str,
    earlier_because: Option<&str>,
) -> Result<(String, Option<String>), Refusal> {
    let r = &case.record;
    let termination = r.termination_date.ok_or(Refusal::NotFound)?;
    let certificate = match r.complaint_filed {
        true => None,
        false => Some(issue_certificate(ctx, &r.id, r.first_contact, termination).await?),
    };
    let reference = reference(&r.id);
    let letterhead = &ctx.config.association.letterhead;
    let today = ctx.today();
    let notice = |addressee: Addressee<'_>, lang: Lang| -> Result<Letter, Refusal> {
        match &certificate {
            None => Ok(termination::compose_referred(
                &ReferredInput {
                    letterhead,
                    addressee,
                    termination,
                    date: today,
                    earlier_because,
                },
                lang,
            )),
            Some(certificate) => termination::compose_in(
                &NoticeInput {
                    letterhead,
                    certificate,
                    concluded: case.concern.concluded_on,
                    discovered: case.concern.discovered_on,
                    holidays: &ctx.config.deadline.holidays,
                    roll_forward: ctx.config.deadline.roll_forward,
                    base_url,
                    addressee,
                    earlier_because,
                },
                lang,
            )
            .map_err(|e| Refusal::Internal(format!("composing a notice: {e}"))),
        }
    };
    // The person who raised the concern is told of the certificate in their thread; a party,
    // and everyone when a complaint was filed, only of the notice.
    let announced = |lang: Lang, key: &str| lang.f(key, &[("date", &termination)]);
    let first_announcement = match certificate {
        Some(_) => "thread.notice_issued",
        None => "thread.party_notice_issued",
    };

    let mut letter = None;
    for addressed in addressees(case, &reference) {
        let composed = Composed::new(
            &addressed.langs,
            |lang| notice(addressed.addressee(), lang),
            |lang| match addressed.party {
                None => announced(lang, first_announcement),
                Some(_) => announced(lang, "thread.party_notice_issued"),
            },
        )?;
        let id = sending::store(
            ctx,
            &r.id,
            addressed.party,
            LetterKind::TerminationNotice,
            &addressed.label,
            &composed,
            kept_until(today, LETTER_DAYS),
        )
        .await?;
        announce(ctx, &r.id, &addressed, &composed).await?;
        letter.get_or_insert(id);
    }
    tracing::info!(
        event = "notice_issued",
        parties = case.parties.len() + 1,
        "termination notices were issued"
    );
    let letter = letter.ok_or(Refusal::NotFound)?;
    Ok((letter, certificate.map(|c| c.armoured())))
}

/// Signs the certificate of informal resolution from `first` to `termination` for case `id`,
/// superseding the one issued before (a correction): /verify says so from now on.
async fn issue_certificate(
    ctx: &Ctx<'_>,
    id: &str,
    first: NaiveDate,
    termination: NaiveDate,
) -> Result<Certificate, Refusal> {
    let certificate = ctx
        .store
        .issue_certificate(
            &ctx.config.association.letterhead.name,
            first,
            termination,
            ctx.today(),
        )
        .map_err(|e| Refusal::Internal(format!("issuing a certificate: {e}")))?;
    if !ctx.store.replace_certificate(id, certificate.id()).await? {
        return Err(Refusal::NotFound);
    }
    Ok(certificate)
}

/// One party a letter goes to: who, in which languages, and how the console names it.
pub(super) struct Addressed<'a> {
    /// The added party's id; `None` for the person who raised the concern.
    pub party: Option<&'a str>,
    /// Whether the party holds a receipt (the letter is announced in its thread).
    pub has_receipt: bool,
    /// The languages it is written in.
    pub langs: Vec<Lang>,
    /// Its name, if the ombuds recorded one.
    pub name: Option<&'a str>,
    /// Where to send it, for a party who holds no receipt.
    pub contact: Option<&'a str>,
    /// The party's role, `None` for the person who raised the concern.
    pub role: Option<crate::domain::parties::PartyRole>,
    /// The matter's reference.
    pub reference: &'a str,
    /// How the console names the letter.
    pub label: Label,
}

impl Addressed<'_> {
    /// The addressee block's facts.
    pub fn addressee(&self) -> Addressee<'_> {
        Addressee {
            version: version_for(self.role),
            reference: self.reference,
            name: self.name,
            contact: self.contact,
        }
    }
}

/// Every party of `case`, the person who raised the concern first. That person is anonymous
/// and no language preference is kept, so their letters are written in every language of the
/// public pages (the follow-up page shows the one its reader chose); an added party's in its
/// own. Contact details go on a letter only when it has to be sent.
pub(super) fn addressees<'a>(case: &'a CaseDetail, reference: &'a str) -> Vec<Addressed<'a>> {
    let r = &case.record;
    let mut all = vec![Addressed {
        party: None,
        has_receipt: r.has_receipt,
        langs: Lang::ALL.to_vec(),
        name: None,
        contact: (!r.has_receipt)
            .then(|| {
                case.concern
                    .contact
                    .as_ref()
                    .map(ExposeSecret::expose_secret)
            })
            .flatten(),
        role: None,
        reference,
        label: Label {
            reference: reference.to_owned(),
            party: FIRST_PARTY,
            role: None,
            name: None,
        },
    }];
    for party in &case.parties {
        let c = &party.content;
        let name = c.name.as_ref().map(ExposeSecret::expose_secret);
        all.push(Addressed {
            party: Some(&party.id),
            has_receipt: party.has_receipt,
            langs: vec![Lang::from_code(&c.lang).unwrap_or(Lang::En)],
            name,
            contact: (!party.has_receipt)
                .then(|| c.contact.as_ref().map(ExposeSecret::expose_secret))
                .flatten(),
            role: Some(c.role),
            reference,
            label: Label {
                reference: reference.to_owned(),
                party: party.number,
                role: Some(c.role.code().to_owned()),
                name: name.map(str::to_owned),
            },
        });
    }
    all
}

/// Announces a letter in the thread of its party, if the party holds a receipt.
async fn announce(
    ctx: &Ctx<'_>,
    case_id: &str,
    to: &Addressed<'_>,
    composed: &Composed,
) -> Result<(), Refusal> {
    if !to.has_receipt {
        return Ok(());
    }
    let said = SecretString::from(composed.bundle(SAID));
    let done = match to.party {
        None => ctx.store.reply(case_id, &said, ctx.today()).await? != ReplyOutcome::NoSuchCase,
        Some(party) => {
            ctx.store
                .party_reply(case_id, party, &said, ctx.today())
                .await?
        }
    };
    match done {
        true => Ok(()),
        false => Err(Refusal::NotFound),
    }
}
