//! Raising a concern through the public intake (web form or JSON API): the first-contact date
//! is today in the association's time zone, a receipt is drawn, and the concern is sealed and
//! stored before the receipt is shown.
//!
//! A form carries a token ([`form_token`]); sent with it, the concern gets the receipt its
//! token and content come to, and the same form sent again (a double click, a reload that posts
//! again) finds the case stored the first time instead of storing another ([`submit_form`]). The
//! receipt then reaches the page that shows it sealed, for [`RECEIPT_VIEW_SECONDS`]
//! ([`seal_view`], [`open_view`]).

use chrono::NaiveDate;
use zeroize::Zeroizing;

use super::{Ctx, Refusal};
use crate::crypto::Receipt;
use crate::domain::concern::NewConcern;
use crate::i18n::Lang;
use crate::store::FormCase;

/// How long the receipt page shows a new receipt after the form was answered: time to write it
/// down, reload or change the language, and no longer.
pub const RECEIPT_VIEW_SECONDS: i64 = 10 * 60;

/// How long an intake form's token counts after the page was served: a sending of the form
/// after that gets a receipt of its own, as a form without a token does.
pub const FORM_TOKEN_SECONDS: i64 = 24 * 60 * 60;

/// What the submitter is shown.
pub struct Submitted {
    /// The receipt that opens the thread (never stored; only its keyed hash is).
    pub receipt: Receipt,
    /// The first-contact date recorded: the day the deadline's suspension starts.
    pub first_contact: NaiveDate,
}

/// Stores a checked concern from the JSON API, with the language it was sent in (`?lang=`) if
/// it named one. Returns only after it is durably stored.
pub async fn submit(
    ctx: &Ctx<'_>,
    concern: &NewConcern,
    lang: Option<Lang>,
) -> Result<Submitted, Refusal> {
    let first_contact = ctx.today();
    let receipt = Receipt::generate().map_err(crate::store::StoreError::from)?;
    ctx.store
        .insert_web_case(concern, first_contact, &receipt, lang.map(Lang::code))
        .await?;
    Ok(Submitted {
        receipt,
        first_contact,
    })
}

/// A token for a new intake form.
pub fn form_token(ctx: &Ctx<'_>) -> Result<String, Refusal> {
    Ok(ctx.store.form_token(ctx.now() + FORM_TOKEN_SECONDS)?)
}

/// Stores a checked concern from the intake form in language `lang` (the page's, which the
/// case keeps so that the ombuds knows it), sent with the form's `token` if it had one. With a
/// token that still counts, the same form sent again gives the same receipt and stores nothing
/// more (the first-contact date is the one recorded the first time); without one, this is
/// [`submit`].
pub async fn submit_form(
    ctx: &Ctx<'_>,
    concern: &NewConcern,
    lang: Lang,
    token: Option<&str>,
) -> Result<Submitted, Refusal> {
    let receipt = match token {
        Some(token) => ctx.store.form_receipt(token, concern, ctx.now())?,
        None => None,
    };
    let Some(receipt) = receipt else {
        return submit(ctx, concern, Some(lang)).await;
    };
    let today = ctx.today();
    let stored = ctx
        .store
        .insert_form_case(concern, today, &receipt, Some(lang.code()))
        .await?;
    let first_contact = match stored {
        FormCase::Stored => today,
        FormCase::AlreadyStored(first_contact) => first_contact,
    };
    Ok(Submitted {
        receipt,
        first_contact,
    })
}

/// What the receipt page's cookie carries: the receipt and its date, sealed, opening for
/// [`RECEIPT_VIEW_SECONDS`] from now.
pub fn seal_view(ctx: &Ctx<'_>, submitted: &Submitted) -> Result<Zeroizing<String>, Refusal> {
    Ok(ctx.store.seal_receipt_view(
        &submitted.receipt,
        submitted.first_contact,
        ctx.now() + RECEIPT_VIEW_SECONDS,
    )?)
}

/// The receipt sealed in `sealed` by [`seal_view`], if it still opens.
pub fn open_view(ctx: &Ctx<'_>, sealed: &str) -> Option<Submitted> {
    let (receipt, first_contact) = ctx.store.open_receipt_view(sealed, ctx.now())?;
    Some(Submitted {
        receipt,
        first_contact,
    })
}
