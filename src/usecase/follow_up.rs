//! The follow-up letter a closing sends (docs/RULES.md, "Outcomes and their letters"): to the
//! person who raised the concern, or, for a complaint already filed, to every party. It is
//! stored like a notice, under its own key for 180 days, and the reader finds it with their
//! receipt on the follow-up page after the case is closed; the ombuds sends it to a party who
//! holds no receipt.

use super::sending::{self, Composed};
use super::termination::addressees;
use super::{Ctx, Refusal};
use crate::domain::case::{LETTER_DAYS, LetterKind, kept_until, reference};
use crate::domain::closing::FollowUp;
use crate::letters::follow_up::{FollowUpInput, compose_in};
use crate::store::CaseDetail;

/// Stores follow-up letter `letter` for each party of `case` who receives it.
pub(super) async fn send(
    ctx: &Ctx<'_>,
    case: &CaseDetail,
    letter: FollowUp,
) -> Result<(), Refusal> {
    let today = ctx.today();
    let expires_on = kept_until(today, LETTER_DAYS);
    // The last day it is shown: it is destroyed on its expiry day.
    let last_day = expires_on.pred_opt().unwrap_or(expires_on);
    let reference = reference(&case.record.id);
    let config = ctx.config;
    let mut sent = 0_usize;
    for to in addressees(case, &reference) {
        if to.party.is_some() && !letter.about_a_filed_complaint() {
            continue;
        }
        let composed = Composed::new(
            &to.langs,
            |lang| {
                Ok(compose_in(
                    &FollowUpInput {
                        letterhead: &config.association.letterhead,
                        professional_standards: config.association.professional_standards.as_ref(),
                        referrals: &config.letters,
                        letter,
                        addressee: to.addressee(),
                        date: today,
                        kept_until: last_day,
                    },
                    lang,
                ))
            },
            // The thread goes with the case: the follow-up page of a closed case shows letters.
            |_| String::new(),
        )?;
        sending::store(
            ctx,
            &case.record.id,
            to.party,
            LetterKind::FollowUpLetter,
            &to.label,
            &composed,
            expires_on,
        )
        .await?;
        sent += 1;
    }
    tracing::info!(
        event = "follow_up_issued",
        letter = letter.code(),
        parties = sent,
        "follow-up letters were issued"
    );
    Ok(())
}
