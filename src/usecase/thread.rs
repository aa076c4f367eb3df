//! The anonymous thread of a web concern: the ombuds' replies, and what the receipt holder
//! reads and writes with their receipt.

use secrecy::SecretString;

use super::{Ctx, Refusal};
use crate::crypto::Receipt;
use crate::store::{Followup, ReplyOutcome};

/// Adds an ombuds reply to case `id`'s thread. A contact logged by hand has no thread: nobody
/// holds a receipt to read it.
pub async fn reply(ctx: &Ctx<'_>, id: &str, text: &SecretString) -> Result<(), Refusal> {
    match ctx.store.reply(id, text, ctx.today()).await? {
        ReplyOutcome::Sent => Ok(()),
        ReplyOutcome::NoSuchCase => Err(Refusal::NotFound),
        ReplyOutcome::NoThread => Err(Refusal::field("text", "staff.problem.no_thread")),
    }
}

/// What `receipt` opens today: the open case with its thread and letters, a closed case's
/// letters, or `None` (the same whether the receipt never existed or all is destroyed).
pub async fn read(ctx: &Ctx<'_>, receipt: &Receipt) -> Result<Option<Followup>, Refusal> {
    Ok(ctx.store.followup(receipt, ctx.today()).await?)
}

/// Adds the receipt holder's message to their thread; false if the receipt opens no open case.
pub async fn write(ctx: &Ctx<'_>, receipt: &Receipt, text: &SecretString) -> Result<bool, Refusal> {
    Ok(ctx
        .store
        .followup_message(receipt, text, ctx.today())
        .await?)
}
