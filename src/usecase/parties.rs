//! The parties to a case: the ombuds adds the member concerned, their broker or anyone else,
//! each with a private channel — a receipt of its own, shown once to the ombuds to pass on, or
//! none (telephone, post), in which case the ombuds logs what was said in the party's thread.
//! A party's receipt opens only that party's thread (see [`super::thread::read`]).

use secrecy::SecretString;

use super::{Ctx, Refusal};
use crate::crypto::Receipt;
use crate::domain::parties::{MAX_PARTIES, NewParty};
use crate::store::{AddedParty, StoreError};

/// What the ombuds is shown once after adding a party.
pub struct Added {
    /// The party's identifier and number.
    pub party: AddedParty,
    /// Its receipt, if one was issued (never stored; only its keyed hash is).
    pub receipt: Option<Receipt>,
}

/// Adds a checked party to open case `case_id`, issuing it a receipt if `with_receipt`.
/// A case that has been closed no longer exists: it is refused as not found, and nothing is
/// stored.
pub async fn add(
    ctx: &Ctx<'_>,
    case_id: &str,
    party: &NewParty,
    with_receipt: bool,
) -> Result<Added, Refusal> {
    let Some(detail) = ctx.store.case(case_id, ctx.today()).await? else {
        return Err(Refusal::NotFound);
    };
    if detail.parties.len() >= MAX_PARTIES {
        return Err(Refusal::field(
            "role",
            crate::domain::phrase::Phrase::new("staff.problem.too_many_parties")
                .with("max", MAX_PARTIES),
        ));
    }
    let receipt = if with_receipt {
        Some(Receipt::generate().map_err(StoreError::from)?)
    } else {
        None
    };
    match ctx
        .store
        .add_party(case_id, party, receipt.as_ref())
        .await?
    {
        Some(party) => Ok(Added { party, receipt }),
        None => Err(Refusal::NotFound),
    }
}

/// Adds the ombuds' message to party `party_id`'s thread on case `case_id`.
pub async fn reply(
    ctx: &Ctx<'_>,
    case_id: &str,
    party_id: &str,
    text: &SecretString,
) -> Result<(), Refusal> {
    if ctx
        .store
        .party_reply(case_id, party_id, text, ctx.today())
        .await?
    {
        Ok(())
    } else {
        Err(Refusal::NotFound)
    }
}
