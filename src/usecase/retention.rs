//! What the service holds and for how long: an administrator (or the `retention` command)
//! reads, per class of record, how many are held and when the oldest goes. Counts and dates
//! only, never content.

use super::{Ctx, Refusal};
use crate::domain::retention::RetentionClass;
use crate::store::Holding;

/// Per class of record, what is held now.
pub async fn holdings(ctx: &Ctx<'_>) -> Result<Vec<(RetentionClass, Holding)>, Refusal> {
    Ok(ctx.store.holdings(ctx.now()).await?)
}
