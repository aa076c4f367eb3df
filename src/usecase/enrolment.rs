//! Enrolment: the holder of a one-time link (made by [`super::accounts`], or the first
//! administrator's set-up link) sees the authenticator secret, then chooses a password and
//! proves the authenticator works; the account is created or reset, and signed in. The checks are the
//! domain's ([`crate::domain::account`]); sealing the secret and hashing the password are the
//! store's.

use zeroize::Zeroizing;

use super::Ctx;
use crate::store::{EnrolError, EnrolmentView, SignedIn, StoreError};

/// What the link `token` opens, if it is unused and unexpired.
pub async fn show(ctx: &Ctx<'_>, token: &str) -> Result<Option<EnrolmentView>, StoreError> {
    ctx.store.enrolment(token, ctx.now()).await
}

/// The `otpauth://` URI an authenticator app reads for `view`, labelled `username`.
pub fn authenticator_uri(
    ctx: &Ctx<'_>,
    view: &EnrolmentView,
    username: &str,
) -> Result<Zeroizing<String>, StoreError> {
    ctx.store.otpauth_uri(view, username)
}

/// What the link holder typed.
pub struct Answers<'a> {
    /// The chosen name (the first administrator only; others' names are fixed).
    pub username: Option<&'a str>,
    /// The new password.
    pub password: Zeroizing<String>,
    /// The password typed again.
    pub confirmation: &'a str,
    /// A code from the authenticator app.
    pub code: &'a str,
}

/// Completes the enrolment of link `token`, and signs the new account in: the password and
/// the authenticator code that a sign-in asks for have just been checked, and the code is used
/// up, so a sign-in now would have to wait for the next one. The session and the device token
/// (see [`crate::crypto::device`]) are those a sign-in gives.
pub async fn complete(
    ctx: &Ctx<'_>,
    token: &str,
    answers: Answers<'_>,
) -> Result<SignedIn, EnrolError> {
    ctx.store
        .complete_enrolment(
            token,
            answers.username,
            answers.password,
            answers.confirmation,
            answers.code,
            ctx.now(),
            ctx.today(),
        )
        .await
}
