//! The letters issued (termination notices), as the ombuds reads them while they are kept.

use super::{Ctx, Refusal};
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
