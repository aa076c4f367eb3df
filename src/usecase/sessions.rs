//! Staff sessions: a staff member signs in (password and authenticator code), is recognised on
//! each request, signs out, or signs out everywhere. The credential checks themselves (password
//! hashing, TOTP, device tokens, the throttle by username) are the store's, at the crypto
//! boundary; the policy they apply is [`crate::domain::account`]'s.

use zeroize::Zeroizing;

use super::Ctx;
use crate::store::{SessionUser, SignInError, SignedIn, StoreError};

/// Signs in as `username`; `device` is the device token the browser or client sent, if any.
pub async fn sign_in(
    ctx: &Ctx<'_>,
    username: &str,
    password: Zeroizing<String>,
    code: &str,
    device: Option<&str>,
) -> Result<SignedIn, SignInError> {
    ctx.store
        .sign_in(username, password, code, device, ctx.now())
        .await
}

/// The staff member a session token belongs to, if the session is still valid.
pub async fn session(ctx: &Ctx<'_>, token: &str) -> Result<Option<SessionUser>, StoreError> {
    ctx.store.session(token, ctx.now()).await
}

/// Ends `user`'s current session.
pub async fn sign_out(ctx: &Ctx<'_>, user: &SessionUser) -> Result<(), StoreError> {
    ctx.store.sign_out(user).await
}

/// Ends every session of `user`'s account; how many there were.
pub async fn sign_out_everywhere(ctx: &Ctx<'_>, user: &SessionUser) -> Result<u64, StoreError> {
    ctx.store.sign_out_everywhere(user).await
}
