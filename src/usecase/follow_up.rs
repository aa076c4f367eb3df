//! The follow-up letter a closing sends (docs/RULES.md, "Outcomes and their letters"): to the
//! person who raised the concern, or, for a complaint already filed, to every party. It is
//! stored like a notice, under its own key for 180 days, and the reader finds it with their
//! receipt on the follow-up page after the case is closed; the ombuds sends it to a party who
//! holds no receipt.

use chrono::Days;

use super::sending::{self, Composed};
use super::termination::addressees;
use super::{Ctx, Refusal};
use crate::domain::case::{LETTER_DAYS, LetterKind, reference};
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
    let kept_until = today
        .checked_add_days(Days::new(LETTER_DAYS - 1))
        .unwrap_or(today);
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
                        kept_until,
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
