//! Enrolment: the holder of a one-time link (made by [`super::accounts`], or the first
//! administrator's set-up link) sees the authenticator secret, then chooses a password and
//! proves the authenticator works; the account is created or reset. The checks are the
//! domain's ([`crate::domain::account`]); sealing the secret and hashing the password are the
//! store's.

use zeroize::Zeroizing;

use super::Ctx;
use crate::store::{EnrolError, EnrolmentView, StoreError};

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

/// Completes the enrolment of link `token`: the account's device token (see
/// [`crate::crypto::device`]).
pub async fn complete(
    ctx: &Ctx<'_>,
    token: &str,
    answers: Answers<'_>,
) -> Result<Zeroizing<String>, EnrolError> {
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
