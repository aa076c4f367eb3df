//! The letters issued (termination notices), as the ombuds reads them while they are kept, and
//! the record that a notice was sent to a party who holds no receipt.

use chrono::NaiveDate;

use super::{Ctx, Refusal};
use crate::domain::notices::{SentBy, validate_sent};
use crate::store::Letter;

/// Every unexpired letter, newest first.
pub async fn all(ctx: &Ctx<'_>) -> Result<Vec<Letter>, Refusal> {
    Ok(ctx.store.all_letters(ctx.today()).await?)
}

/// One unexpired letter.
pub async fn one(ctx: &Ctx<'_>, id: &str) -> Result<Letter, Refusal> {
    ctx.store
        .letter(id, ctx.today())
        .await?
        .ok_or(Refusal::NotFound)
}

/// Records that the ombuds sent letter `id` on the day typed (blank: today) by the way typed
/// (post, e-mail, in person). Also after the case closed: the letter outlives it.
pub async fn mark_sent(
    ctx: &Ctx<'_>,
    id: &str,
    typed_date: Option<&str>,
    typed_by: Option<&str>,
) -> Result<(NaiveDate, SentBy), Refusal> {
    let letter = one(ctx, id).await?;
    let (on, by) = validate_sent(
        typed_date,
        typed_by,
        letter.dated,
        letter.delivery.in_thread(),
        letter.delivery.sent(),
        ctx.today(),
    )
    .map_err(Refusal::Invalid)?;
    if !ctx.store.mark_letter_sent(id, on, by).await? {
        // Marked by someone else meanwhile, or destroyed.
        return Err(Refusal::NotFound);
    }
    tracing::info!(event = "notice_marked_sent", "a notice was marked sent");
    if let Some(case) = &letter.case_id {
        super::stale::touched(ctx, case).await?;
    }
    Ok((on, by))
}
