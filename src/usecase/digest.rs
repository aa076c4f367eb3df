//! An ombuds asks for the e-mail digest, or stops it: the address it goes to, given on their
//! own account page. The digest itself is sent by [`crate::jobs::digest`].

use super::{Ctx, Refusal};
use crate::domain::account::Role;
use crate::domain::digest::{self, Schedule};
use crate::store::SessionUser;

/// What the account page shows of the digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestSetting {
    /// The address this account gave, if any.
    pub address: Option<String>,
    /// When this server sends digests, or `None` when `[digest]` is off here.
    pub schedule: Option<Schedule>,
}

/// The digest setting of `user`, an ombuds account.
pub async fn setting(ctx: &Ctx<'_>, user: &SessionUser) -> Result<DigestSetting, Refusal> {
    if user.role != Role::Ombuds {
        return Err(Refusal::NotFound);
    }
    Ok(DigestSetting {
        address: ctx.store.digest_address(&user.user_id).await?,
        schedule: ctx.config.digest.as_ref().map(|d| d.schedule),
    })
}

/// Sets the address `user` (an ombuds account) wants the digest at; empty `text` stops it.
/// Refuses an address that is not one, naming the field `address`.
pub async fn set(ctx: &Ctx<'_>, user: &SessionUser, text: &str) -> Result<DigestSetting, Refusal> {
    if user.role != Role::Ombuds {
        return Err(Refusal::NotFound);
    }
    let address =
        digest::check_address(text).map_err(|problem| Refusal::field("address", problem))?;
    let stopping = address.is_none();
    if !ctx.store.set_digest_address(&user.user_id, address).await? {
        return Err(Refusal::NotFound);
    }
    tracing::info!(
        event = if stopping { "digest_stopped" } else { "digest_address_set" },
        username = %user.username,
        "digest setting changed"
    );
    setting(ctx, user).await
}
