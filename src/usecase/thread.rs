//! The anonymous thread of a web concern: the ombuds' replies, and what the receipt holder
//! reads and writes with their receipt.

use secrecy::SecretString;

use super::{Ctx, Refusal};
use crate::crypto::Receipt;
use crate::domain::case::Author;
use crate::domain::notices::Delivery;
use crate::store::{Followup, ReplyOutcome};

/// Adds a reply by the ombuds named `author` to case `id`'s thread. A contact logged by hand
/// has no thread until it is issued a receipt: nobody could read it.
pub async fn reply(
    ctx: &Ctx<'_>,
    id: &str,
    text: &SecretString,
    author: &str,
) -> Result<(), Refusal> {
    match ctx
        .store
        .reply_by(id, text, Some(author), ctx.today())
        .await?
    {
        ReplyOutcome::Sent => super::stale::touched(ctx, id).await,
        ReplyOutcome::NoSuchCase => Err(Refusal::NotFound),
        ReplyOutcome::NoThread => Err(Refusal::field("text", "staff.problem.no_thread")),
    }
}

/// What `receipt` opens today: the open case with its thread and letters, a closed case's
/// letters, or `None` (the same whether the receipt never existed or all is destroyed).
/// Letters and ombuds messages shown for the first time are marked opened, so that the ombuds
/// sees they reached their reader (whether, never when).
pub async fn read(ctx: &Ctx<'_>, receipt: &Receipt) -> Result<Option<Followup>, Refusal> {
    let found = ctx.store.followup(receipt, ctx.today()).await?;
    let letters = match &found {
        Some(Followup::Open(thread)) => thread.letters.as_slice(),
        Some(Followup::Party(thread)) => thread.letters.as_slice(),
        Some(Followup::Closed(letters)) => letters.as_slice(),
        None => &[],
    };
    let unopened: Vec<String> = letters
        .iter()
        .filter(|l| l.delivery == Delivery::InThread)
        .map(|l| l.id.clone())
        .collect();
    if !unopened.is_empty() {
        ctx.store.mark_letters_opened(&unopened).await?;
    }
    let messages = match &found {
        Some(Followup::Open(thread)) => thread.messages.as_slice(),
        Some(Followup::Party(thread)) => thread.messages.as_slice(),
        _ => &[],
    };
    let unread: Vec<i64> = messages
        .iter()
        .filter(|m| m.author == Author::Ombuds && !m.opened)
        .map(|m| m.seq)
        .collect();
    if !unread.is_empty() {
        ctx.store.mark_messages_opened(&unread).await?;
    }
    Ok(found)
}

/// Adds the receipt holder's message to their thread; false if the receipt opens no open case.
pub async fn write(ctx: &Ctx<'_>, receipt: &Receipt, text: &SecretString) -> Result<bool, Refusal> {
    Ok(ctx
        .store
        .followup_message(receipt, text, ctx.today())
        .await?)
}
