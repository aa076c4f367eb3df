//! Working notes and commitments: short-term, each destroyed on its own expiry day.

use super::cases::found;
use super::stale::touched;
use super::{Ctx, Refusal};
use crate::domain::notes::NewNote;
use crate::store::Commitment;

/// Seals and adds a checked note, written by the ombuds named `author`, to case `id`; returns
/// the note's id.
pub async fn add(ctx: &Ctx<'_>, id: &str, note: &NewNote, author: &str) -> Result<String, Refusal> {
    let note_id = ctx
        .store
        .add_note(id, note, author, ctx.today())
        .await?
        .ok_or(Refusal::NotFound)?;
    touched(ctx, id).await?;
    Ok(note_id)
}

/// Marks a commitment done or not done.
pub async fn set_done(ctx: &Ctx<'_>, id: &str, note: &str, done: bool) -> Result<(), Refusal> {
    found(ctx.store.set_note_done(id, note, done, ctx.today()).await?)?;
    touched(ctx, id).await
}

/// Destroys a note at once, before its expiry day (mediation notes end with the meeting).
pub async fn destroy(ctx: &Ctx<'_>, id: &str, note: &str) -> Result<(), Refusal> {
    found(ctx.store.destroy_note(id, note).await?)?;
    tracing::info!(event = "note_destroyed", "a note was destroyed at once");
    touched(ctx, id).await
}

/// Open commitments due within `days` of today (and overdue ones), soonest first.
pub async fn due_within(ctx: &Ctx<'_>, days: u64) -> Result<Vec<Commitment>, Refusal> {
    Ok(ctx.store.commitments_due(ctx.today(), days).await?)
}
