//! Raising a concern through the public intake (web form or JSON API): the first-contact date
//! is today in the association's time zone, a receipt is drawn, and the concern is sealed and
//! stored before the receipt is shown.

use chrono::NaiveDate;

use super::{Ctx, Refusal};
use crate::crypto::Receipt;
use crate::domain::concern::NewConcern;

/// What the submitter is shown once.
pub struct Submitted {
    /// The receipt that opens the thread (never stored; only its keyed hash is).
    pub receipt: Receipt,
    /// The first-contact date recorded: the day the deadline's suspension starts.
    pub first_contact: NaiveDate,
}

/// Stores a checked concern from the web intake. Returns only after it is durably stored.
pub async fn submit(ctx: &Ctx<'_>, concern: &NewConcern) -> Result<Submitted, Refusal> {
    let first_contact = ctx.today();
    let receipt = Receipt::generate().map_err(crate::store::StoreError::from)?;
    ctx.store
        .insert_web_case(concern, first_contact, &receipt)
        .await?;
    Ok(Submitted {
        receipt,
        first_contact,
    })
}
